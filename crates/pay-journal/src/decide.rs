//! How recovery decides, from what the provider shows, whether an open write took effect:
//! pure functions over the entry, the other entries of the same write kind and target
//! (its *siblings*), and what a read found. No I/O here, so every rule is unit-tested.
//!
//! The rule that keeps recovery from causing a double charge: **"not applied" only when
//! the read proves it**. A write that took effect leaves a resource the provider shows
//! (a capture, a refund, a status past the one the write moves from); recovery says "not
//! applied" only when no such trace exists that another journaled write does not already
//! account for. Anything else it cannot tell apart (two open refunds of the same amount on
//! the same capture, a trace more than the journal explains) is left for a person, with
//! the reason.

// The rules serve the provider modules (features `easypay`, `easytransac`); without both,
// some are unused in the build but still unit-tested.
#![cfg_attr(
    not(all(feature = "easypay", feature = "easytransac")),
    allow(dead_code)
)]

use std::collections::{BTreeMap, BTreeSet};

use pay_core::Money;
use serde_json::value::RawValue;

use crate::entry::{Entry, State};
use crate::providers::{number_text, object, string};

/// What recovery concluded for one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// A payment creation found at the provider.
    Payment {
        /// The payment's id.
        id: String,
        /// Its status there.
        status: String,
    },
    /// Another write whose effect the provider shows.
    Effect {
        /// What kind of resource shows it (`refund`, `capture`, `transaction`…): the key
        /// of the id in the entry's `provider_ids`.
        resource: String,
        /// Its id, when it has one.
        id: Option<String>,
        /// Its status there.
        status: String,
        /// What was found, in words, for the entry's `detail`.
        found: String,
    },
    /// The read proves the write never took effect.
    NotApplied(String),
    /// No read decides: left for a person, with the reason.
    NeedsHuman(String),
    /// The provider could not be asked now.
    Unreachable(String),
}

/// One resource a read found that the write could have made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Candidate {
    /// Its id at the provider.
    pub(crate) id: String,
    /// Its amount, when it has one.
    pub(crate) amount: Option<Money>,
    /// The merchant's key for it (Easypay `transaction_key`, an out-payment's `key`),
    /// when the provider shows one.
    pub(crate) key: Option<String>,
    /// Its status there.
    pub(crate) status: String,
}

/// The ids every succeeded sibling was settled with: resources the journal already
/// accounts for.
pub(crate) fn claimed(siblings: &[Entry]) -> BTreeSet<String> {
    siblings
        .iter()
        .filter(|e| e.state == State::Succeeded)
        .flat_map(|e| e.provider_ids.values().cloned())
        .collect()
}

/// A succeeded sibling sent under the same idempotency key: the same write, whose answer
/// the provider replayed (a caller reusing its key), so this entry took the same effect.
pub(crate) fn same_key_success<'a>(entry: &Entry, siblings: &'a [Entry]) -> Option<&'a Entry> {
    let key = entry.idempotency_key.as_deref()?;
    siblings
        .iter()
        .find(|s| s.state == State::Succeeded && s.idempotency_key.as_deref() == Some(key))
}

/// The entry settled like its same-key sibling.
pub(crate) fn as_sibling(sibling: &Entry) -> Verdict {
    let (resource, id) = sibling
        .provider_ids
        .iter()
        .next()
        .map_or((String::from("id"), None), |(k, v)| {
            (k.clone(), Some(v.clone()))
        });
    Verdict::Effect {
        found: format!(
            "sent under the same idempotency key as entry #{}, which succeeded: the provider \
             applied it once",
            sibling.id
        ),
        resource,
        id,
        status: "replayed".to_owned(),
    }
}

/// A top-level field of the entry's JSON summary, as text (strings as they are, numbers
/// as written, never through a float); `None` when absent or redacted.
pub(crate) fn json_field(entry: &Entry, field: &str) -> Option<String> {
    let fields = object(entry.summary.as_deref()?)?;
    let text = number_text(fields.get(field)?)?;
    (!text.contains("REDACTED")).then_some(text)
}

/// A field of the entry's form summary.
pub(crate) fn form_field(entry: &Entry, field: &str) -> Option<String> {
    entry.summary.as_deref()?.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        key.eq_ignore_ascii_case(field)
            .then(|| value.replace('+', " "))
            .filter(|v| !v.is_empty() && !v.contains("REDACTED"))
    })
}

/// The last segment of a path (`/refund/{id}` → the id).
pub(crate) fn last_segment(path: &str) -> Option<&str> {
    path.rsplit('/').next().filter(|s| !s.is_empty())
}

fn money_text(amount: Option<Money>) -> String {
    amount.map_or_else(|| "no amount".to_owned(), |m| m.to_string())
}

/// Decides a write that makes one resource of `noun` on `target` (a capture on a payment,
/// a refund on a capture, an out-payment under a key) from the `found` resources that
/// could be it:
///
/// - a candidate carrying the write's own key (`transaction_key`) is it;
/// - otherwise the candidates are those of the write's amount that no succeeded sibling
///   was settled with; none: **not applied**; exactly one, and no other open write of
///   that amount on the target: applied; anything else: a person decides, told why.
pub(crate) fn match_effect(
    entry: &Entry,
    siblings: &[Entry],
    found: &[Candidate],
    noun: &str,
    target: &str,
    key: Option<&str>,
) -> Verdict {
    if let Some(sibling) = same_key_success(entry, siblings) {
        return as_sibling(sibling);
    }
    let taken = claimed(siblings);
    let unclaimed: Vec<&Candidate> = found.iter().filter(|c| !taken.contains(&c.id)).collect();
    let applied = |c: &Candidate, why: String| Verdict::Effect {
        resource: noun.to_owned(),
        id: Some(c.id.clone()),
        status: c.status.clone(),
        found: format!(
            "found {noun} {} ({}, {}) on {target}: {why}",
            c.id,
            money_text(c.amount),
            c.status
        ),
    };
    // The write's own key, when the provider shows keys: decisive.
    if let Some(key) = key
        && found.iter().any(|c| c.key.is_some())
    {
        let mine: Vec<&&Candidate> = unclaimed
            .iter()
            .filter(|c| c.key.as_deref() == Some(key))
            .collect();
        let keyless_rivals = unclaimed
            .iter()
            .filter(|c| c.key.is_none() && amounts_match(entry.amount, c.amount))
            .count();
        return match (mine.as_slice(), keyless_rivals) {
            ([one], _) => applied(one, format!("it carries this write's key `{key}`")),
            ([], 0) => Verdict::NotApplied(format!(
                "no {noun} on {target} carries this write's key `{key}` or could be it"
            )),
            ([], n) => Verdict::NeedsHuman(format!(
                "no {noun} on {target} carries the key `{key}`, but {n} without a key could be \
                 this write"
            )),
            (many, _) => Verdict::NeedsHuman(format!(
                "{} {noun}s on {target} carry the key `{key}`: which one this write made \
                 cannot be told",
                many.len()
            )),
        };
    }
    let mine: Vec<&&Candidate> = unclaimed
        .iter()
        .filter(|c| amounts_match(entry.amount, c.amount))
        .collect();
    let rivals = siblings
        .iter()
        .filter(|s| s.state.is_open() && s.id != entry.id && s.amount == entry.amount)
        .count();
    let amount = money_text(entry.amount);
    match (mine.as_slice(), rivals) {
        ([], _) => Verdict::NotApplied(format!(
            "no {noun} of {amount} on {target} that the journal does not already account for \
             ({} found, {} accounted for)",
            found.len(),
            found.len() - unclaimed.len()
        )),
        ([one], 0) => applied(
            one,
            "the only one of this amount the journal does not account for".to_owned(),
        ),
        (found_here, 0) => Verdict::NeedsHuman(format!(
            "{} {noun}s of {amount} on {target} are not accounted for by the journal and only \
             this write is open: one may be this write, the others made outside the journal; \
             they cannot be told apart",
            found_here.len()
        )),
        (found_here, rivals) => Verdict::NeedsHuman(format!(
            "{} open writes asked for a {noun} of {amount} on {target} and {} such {noun}s are \
             not accounted for: writes of the same amount cannot be told apart",
            rivals + 1,
            found_here.len()
        )),
    }
}

/// An entry without an amount matches any candidate; one with an amount, only candidates
/// of that exact amount.
fn amounts_match(wanted: Option<Money>, found: Option<Money>) -> bool {
    match (wanted, found) {
        (Some(w), Some(f)) => w == f,
        (Some(_), None) => false,
        (None, _) => true,
    }
}

/// Decides a refund of a transaction whose provider reports only the total refunded
/// (Easytransac's `AmountRefund`, no refund ids): the total minus what succeeded siblings
/// refunded is what open writes may have done.
///
/// - nothing more than the journal accounts for: **not applied** (a refund that took
///   effect adds to the total);
/// - exactly this write's amount more, no other refund of this transaction open: applied;
/// - exactly the sum of every open refund's amount: all of them applied;
/// - a full refund (no amount) with the transaction fully refunded and something more than
///   the journal accounts for, alone: applied;
/// - anything else: a person decides.
pub(crate) fn refund_by_total(
    entry: &Entry,
    siblings: &[Entry],
    refunded: Money,
    fully_refunded: bool,
    tid: &str,
) -> Verdict {
    let target = &format!("transaction {tid}");
    let mut accounted = Money::zero(refunded.currency()).ok();
    for s in siblings.iter().filter(|s| s.state == State::Succeeded) {
        match (accounted, s.amount) {
            (Some(sum), Some(amount)) => accounted = sum.checked_add(amount).ok(),
            _ => {
                return Verdict::NeedsHuman(format!(
                    "entry #{} refunded {target} in full (no amount recorded): the journal \
                     cannot account for the refunded total",
                    s.id
                ));
            }
        }
    }
    let Some(accounted) = accounted else {
        return Verdict::NeedsHuman("the refunded amounts do not add up".to_owned());
    };
    let Ok(extra) = refunded.checked_sub(accounted) else {
        return Verdict::NeedsHuman(format!(
            "{target} shows {refunded} refunded, less than the {accounted} the journal's \
             succeeded refunds add up to"
        ));
    };
    if extra.is_zero() {
        return Verdict::NotApplied(format!(
            "{target} shows {refunded} refunded, exactly what the journal's succeeded refunds \
             account for"
        ));
    }
    if extra.is_negative() {
        return Verdict::NeedsHuman(format!(
            "{target} shows {refunded} refunded, less than the {accounted} the journal's \
             succeeded refunds add up to"
        ));
    }
    let open: Vec<&Entry> = siblings
        .iter()
        .filter(|s| s.state.is_open() && s.id != entry.id)
        .collect();
    let effect = |why: String| Verdict::Effect {
        resource: "transaction".to_owned(),
        id: Some(tid.to_owned()),
        status: if fully_refunded {
            "refunded".to_owned()
        } else {
            "partly refunded".to_owned()
        },
        found: format!(
            "{target} shows {refunded} refunded, {extra} more than the journal accounts for: {why}"
        ),
    };
    match entry.amount {
        Some(amount) if open.is_empty() && extra == amount => {
            effect("this write's amount".to_owned())
        }
        Some(amount) => {
            let all = open.iter().try_fold(amount, |sum, s| {
                s.amount.and_then(|a| sum.checked_add(a).ok())
            });
            if all == Some(extra) {
                effect(format!(
                    "exactly what this write and the {} other open refunds asked for",
                    open.len()
                ))
            } else {
                Verdict::NeedsHuman(format!(
                    "{target} shows {extra} refunded beyond what the journal accounts for; this \
                     write asked for {amount} and {} other refunds of it are open: which of \
                     them took effect cannot be told",
                    open.len()
                ))
            }
        }
        None if open.is_empty() && fully_refunded => {
            effect("this write refunded what was left".to_owned())
        }
        None => Verdict::NeedsHuman(format!(
            "{target} shows {extra} refunded beyond what the journal accounts for, and this \
             full refund (no amount) leaves {}",
            if fully_refunded {
                "other open refunds that could have done it"
            } else {
                "the transaction not fully refunded"
            }
        )),
    }
}

/// Compares an update's summary with the resource as read now: the fields the update set
/// that the resource holds the same (`matched`), those it holds otherwise (`differing`),
/// and those that cannot be compared (redacted in the summary, absent from the resource).
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Comparison {
    pub(crate) matched: Vec<String>,
    pub(crate) differing: Vec<String>,
    pub(crate) unknown: Vec<String>,
}

/// Compares every field of `update` (a JSON object's text) with `resource` (another),
/// nested objects field by field, numbers by their exact decimal value (`19.9` = `19.90`,
/// read as text, never through a float).
pub(crate) fn compare(update: &str, resource: &str) -> Comparison {
    let mut out = Comparison::default();
    walk("", update, resource, &mut out);
    out
}

fn walk(prefix: &str, update: &str, resource: &str, out: &mut Comparison) {
    let (Some(fields), have) = (object(update), object(resource).unwrap_or_default()) else {
        return;
    };
    for (name, wanted) in fields {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        let wanted = wanted.get().trim();
        let found = have
            .get(&name)
            .map(|raw| raw.get().trim())
            .filter(|t| *t != "null");
        match found {
            Some(found) if wanted.starts_with('{') => walk(&path, wanted, found, out),
            _ if wanted.contains("REDACTED") => out.unknown.push(path),
            None if wanted != "null" => out.unknown.push(path),
            Some(found) if same(wanted, found) => out.matched.push(path),
            None => out.matched.push(path),
            Some(_) => out.differing.push(path),
        }
    }
}

/// Two JSON values' texts: equal strings (case aside), equal decimals (a number and a
/// string holding it too), or the same text.
fn same(a: &str, b: &str) -> bool {
    let text = |t: &str| -> Option<String> {
        let raw: Box<RawValue> = serde_json::from_str(t).ok()?;
        number_text(&raw).or_else(|| string(&raw))
    };
    match (text(a), text(b)) {
        (Some(x), Some(y)) => {
            x.eq_ignore_ascii_case(&y)
                || matches!((decimal(&x), decimal(&y)), (Some(dx), Some(dy)) if dx == dy)
        }
        _ => a == b,
    }
}

/// A decimal's text without trailing zeros after the point (`19.90` → `19.9`); anything
/// else as it is.
fn decimal(text: &str) -> Option<String> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    Some(if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text.to_owned()
    })
}

/// Decides an update (a `PATCH` that sets fields) from the resource as read now (its JSON
/// text).
pub(crate) fn update_verdict(entry: &Entry, resource: &str, what: &str) -> Verdict {
    let Some(update) = entry.summary.as_deref().filter(|s| object(s).is_some()) else {
        return Verdict::NeedsHuman("the update's summary is not a JSON object".to_owned());
    };
    let c = compare(update, resource);
    if !c.differing.is_empty() {
        return Verdict::NeedsHuman(format!(
            "{what} does not hold {} as this update set {}: it was not applied, or was changed \
             since; an update sets values, so sending it again is safe if it is still wanted",
            c.differing.join(", "),
            if c.differing.len() == 1 { "it" } else { "them" }
        ));
    }
    if c.matched.is_empty() {
        return Verdict::NeedsHuman(format!(
            "none of the fields this update set can be read back on {what} ({})",
            c.unknown.join(", ")
        ));
    }
    let mut found = format!("{what} holds {} as this update set", c.matched.join(", "));
    if !c.unknown.is_empty() {
        found.push_str(&format!(" ({} not comparable)", c.unknown.join(", ")));
    }
    Verdict::Effect {
        resource: "updated".to_owned(),
        id: None,
        status: "updated".to_owned(),
        found,
    }
}

/// The ids a verdict settles its entry with.
pub(crate) fn ids_of(verdict: &Verdict) -> BTreeMap<String, String> {
    match verdict {
        Verdict::Payment { id, .. } => BTreeMap::from([("payment".to_owned(), id.clone())]),
        Verdict::Effect {
            resource,
            id: Some(id),
            ..
        } => BTreeMap::from([(resource.clone(), id.clone())]),
        _ => BTreeMap::new(),
    }
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use pay_core::{Currency, JournalId};

    use super::*;

    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::EUR).unwrap()
    }

    fn entry(id: i64, state: State, amount: Option<i64>, ids: &[(&str, &str)]) -> Entry {
        Entry {
            id: JournalId::new(id),
            provider: "easypay".to_owned(),
            operation: "refund_create".to_owned(),
            method: "POST".to_owned(),
            path: "/refund/cap-1".to_owned(),
            reference: None,
            idempotency_key: Some(format!("key-{id}")),
            amount: amount.map(eur),
            summary: None,
            state,
            http_status: None,
            provider_ids: ids
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            request_id: None,
            detail: None,
            recorded_at: UNIX_EPOCH,
            settled_at: None,
            settled_by: None,
        }
    }

    fn candidate(id: &str, minor: i64, key: Option<&str>) -> Candidate {
        Candidate {
            id: id.to_owned(),
            amount: Some(eur(minor)),
            key: key.map(str::to_owned),
            status: "success".to_owned(),
        }
    }

    fn decide(open: &Entry, siblings: &[Entry], found: &[Candidate], key: Option<&str>) -> Verdict {
        match_effect(open, siblings, found, "refund", "capture cap-1", key)
    }

    #[test]
    fn nothing_unaccounted_for_is_not_applied() {
        let open = entry(2, State::Pending, Some(500), &[]);
        let done = entry(1, State::Succeeded, Some(500), &[("id", "r1")]);
        // The only refund of 5.00 is the succeeded sibling's.
        let verdict = decide(&open, &[done], &[candidate("r1", 500, None)], None);
        assert!(matches!(verdict, Verdict::NotApplied(_)), "{verdict:?}");
        // A refund of another amount is not this write's.
        let verdict = decide(&open, &[], &[candidate("r9", 700, None)], None);
        assert!(matches!(verdict, Verdict::NotApplied(_)), "{verdict:?}");
    }

    #[test]
    fn the_one_unaccounted_refund_of_the_amount_is_the_write() {
        let open = entry(2, State::Ambiguous, Some(500), &[]);
        let done = entry(1, State::Succeeded, Some(500), &[("id", "r1")]);
        let found = [candidate("r1", 500, None), candidate("r2", 500, None)];
        let verdict = decide(&open, &[done], &found, None);
        assert_eq!(
            ids_of(&verdict).get("refund").map(String::as_str),
            Some("r2")
        );
    }

    #[test]
    fn two_open_refunds_of_the_same_amount_cannot_be_told_apart() {
        let a = entry(1, State::Pending, Some(500), &[]);
        let b = entry(2, State::Ambiguous, Some(500), &[]);
        let found = [candidate("r1", 500, None)];
        let verdict = decide(&a, std::slice::from_ref(&b), &found, None);
        let Verdict::NeedsHuman(reason) = verdict else {
            panic!("{verdict:?}")
        };
        assert!(reason.contains("cannot be told apart"), "{reason}");
        // Neither applied: both are proven not applied.
        let verdict = decide(&a, &[b], &[], None);
        assert!(matches!(verdict, Verdict::NotApplied(_)));
    }

    #[test]
    fn more_unaccounted_than_open_is_for_a_person() {
        let open = entry(1, State::Pending, Some(500), &[]);
        let found = [candidate("r1", 500, None), candidate("r2", 500, None)];
        assert!(matches!(
            decide(&open, &[], &found, None),
            Verdict::NeedsHuman(_)
        ));
    }

    #[test]
    fn the_write_s_own_key_decides() {
        let open = entry(1, State::Pending, Some(500), &[]);
        let found = [
            candidate("r1", 500, Some("k-a")),
            candidate("r2", 500, Some("k-b")),
        ];
        let verdict = decide(&open, &[], &found, Some("k-b"));
        assert_eq!(ids_of(&verdict)["refund"], "r2");
        let verdict = decide(&open, &[], &found, Some("k-c"));
        assert!(matches!(verdict, Verdict::NotApplied(_)), "{verdict:?}");
    }

    #[test]
    fn a_reused_idempotency_key_is_the_same_write() {
        let mut open = entry(2, State::Pending, Some(500), &[]);
        let done = entry(1, State::Succeeded, Some(500), &[("id", "r1")]);
        open.idempotency_key = done.idempotency_key.clone();
        let verdict = decide(&open, &[done], &[candidate("r1", 500, None)], None);
        assert_eq!(ids_of(&verdict)["id"], "r1");
    }

    #[test]
    fn refunds_by_total() {
        let open = entry(3, State::Pending, Some(300), &[]);
        let done = entry(1, State::Succeeded, Some(200), &[]);
        let failed = entry(2, State::Failed, Some(900), &[]);
        let siblings = [done, failed];
        let t = "T1";
        assert!(matches!(
            refund_by_total(&open, &siblings, eur(200), false, t),
            Verdict::NotApplied(_)
        ));
        assert!(matches!(
            refund_by_total(&open, &siblings, eur(500), false, t),
            Verdict::Effect { .. }
        ));
        // 4.00 more than accounted for, this write asked for 3.00: someone else refunded.
        assert!(matches!(
            refund_by_total(&open, &siblings, eur(600), false, t),
            Verdict::NeedsHuman(_)
        ));
        // Two open refunds of 3.00 and 1.00, 4.00 more: both applied.
        let other = entry(4, State::Ambiguous, Some(100), &[]);
        let with_other = [siblings[0].clone(), other];
        assert!(matches!(
            refund_by_total(&open, &with_other, eur(600), false, t),
            Verdict::Effect { .. }
        ));
        // 3.00 more with two open (3.00 and 1.00): which one cannot be told.
        let verdict = refund_by_total(&open, &with_other, eur(500), false, t);
        assert!(matches!(verdict, Verdict::NeedsHuman(_)), "{verdict:?}");
        // A full refund, alone, of a fully refunded transaction.
        let full = entry(5, State::Pending, None, &[]);
        assert!(matches!(
            refund_by_total(&full, &[], eur(1000), true, t),
            Verdict::Effect { .. }
        ));
        assert!(matches!(
            refund_by_total(&full, &[], eur(0), false, t),
            Verdict::NotApplied(_)
        ));
    }

    #[test]
    fn updates_compare_field_by_field() {
        let update =
            r#"{"descriptive":"New","value":19.9,"customer":{"name":"Ana","phone":"[REDACTED]"}}"#;
        let resource = r#"{"descriptive":"New","value":"19.90","customer":{"name":"Ana"}}"#;
        let c = compare(update, resource);
        assert_eq!(c.matched, ["customer.name", "descriptive", "value"]);
        assert_eq!(c.unknown, ["customer.phone"]);
        assert!(c.differing.is_empty());
        let older = r#"{"descriptive":"Old","value":19.90}"#;
        assert_eq!(compare(update, older).differing, ["descriptive"]);
        // 19.9 is not 19.09, nor 199.
        assert_eq!(
            compare(r#"{"value":19.9}"#, r#"{"value":19.09}"#).differing,
            ["value"]
        );
        assert_eq!(
            compare(r#"{"value":19.9}"#, r#"{"value":199}"#).differing,
            ["value"]
        );
    }

    #[test]
    fn summaries_are_read_by_field() {
        let mut e = entry(1, State::Pending, None, &[]);
        e.summary =
            Some(r#"{"value":5.5,"transaction_key":"tk-1","iban":"[REDACTED]"}"#.to_owned());
        assert_eq!(json_field(&e, "transaction_key").as_deref(), Some("tk-1"));
        assert_eq!(json_field(&e, "value").as_deref(), Some("5.5"));
        assert_eq!(json_field(&e, "iban"), None);
        e.summary = Some("Tid=T-1&Amount=300&Signature=[REDACTED]".to_owned());
        assert_eq!(form_field(&e, "tid").as_deref(), Some("T-1"));
        assert_eq!(form_field(&e, "Signature"), None);
        assert_eq!(last_segment("/refund/abc"), Some("abc"));
    }
}
