//! The fake's state: payments (single, frequent, subscription), authorisations,
//! captures, refunds, voids, chargebacks, out payments, checkouts, the account
//! configuration and the idempotency store, with their JSON renderings.

use crate::easypay::idempotency::IdempotencyStore;
use crate::easypay::json::{self, Obj};
use crate::present::mask_iban;
use crate::provider::{Resource, ResourceKind, Snapshot};

/// Which payment resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Single,
    Frequent,
    Subscription,
}

impl Kind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Single => "single",
            Kind::Frequent => "frequent",
            Kind::Subscription => "subscription",
        }
    }

    /// The 404 message (`no single found`).
    pub(crate) fn not_found(self) -> String {
        format!("no {} found", self.as_str())
    }
}

/// A single, frequent or subscription payment.
#[derive(Debug, Clone)]
pub(crate) struct Payment {
    pub(crate) id: String,
    pub(crate) kind: Kind,
    /// Lower-case method code (`mbw`).
    pub(crate) method: String,
    /// `type: authorisation` (single only): authorise, capture later.
    pub(crate) authorisation_only: bool,
    pub(crate) value: Option<i64>,
    pub(crate) currency: String,
    pub(crate) key: Option<String>,
    pub(crate) descriptive: Option<String>,
    pub(crate) expiration_time: Option<String>,
    pub(crate) customer_id: String,
    pub(crate) customer_key: Option<String>,
    /// The customer object as received (strings only), with `id` added.
    pub(crate) customer: String,
    pub(crate) phone: Option<String>,
    /// `payment_status` for singles; the resource status for the others.
    pub(crate) status: String,
    /// `method.status`.
    pub(crate) method_status: String,
    pub(crate) entity: Option<String>,
    pub(crate) reference: Option<String>,
    /// A virtual IBAN (vi) or the mandate's IBAN (dd).
    pub(crate) iban: Option<String>,
    pub(crate) mandate_id: Option<String>,
    /// The card the customer entered (the fake keeps only what decides outcomes).
    pub(crate) card_prefix: Option<String>,
    pub(crate) last_four: Option<String>,
    pub(crate) url: Option<String>,
    /// Waiting for 3-D Secure on this payment's method (card entry).
    pub(crate) awaiting_3ds: bool,
    pub(crate) capture_descriptive: Option<String>,
    pub(crate) capture_key: Option<String>,
    pub(crate) created_at: i64,
    pub(crate) paid_at: Option<i64>,
    // Frequent.
    pub(crate) max_value: Option<i64>,
    pub(crate) min_value: Option<i64>,
    pub(crate) unlimited_payments: bool,
    // Subscription.
    pub(crate) frequency: Option<String>,
    pub(crate) start_time: Option<i64>,
    pub(crate) next_due: Option<i64>,
    pub(crate) max_captures: Option<i64>,
    pub(crate) captures_done: i64,
    pub(crate) expires_at: Option<i64>,
    pub(crate) capture_now: bool,
}

impl Payment {
    pub(crate) fn method_object(&self) -> String {
        let mut obj = Obj::new()
            .str("type", &self.method.to_ascii_uppercase())
            .str("status", &self.method_status);
        if let Some(entity) = &self.entity {
            obj = obj.str("entity", entity);
        }
        if let Some(reference) = &self.reference {
            obj = obj.str("reference", reference);
        }
        if let Some(url) = &self.url {
            obj = obj.str("url", url);
        }
        if let Some(iban) = &self.iban {
            if self.method == "dd" {
                let mandate = Obj::new()
                    .opt_str("id", self.mandate_id.as_deref())
                    .str("iban", iban)
                    .done();
                obj = obj.raw("sdd_mandate", &mandate);
            } else {
                obj = obj.str("iban", iban);
            }
        }
        if let Some(phone) = self.phone.as_ref().filter(|_| self.method == "mbw") {
            obj = obj.str("alias", &format!("351#{phone}"));
        }
        if let Some(last_four) = &self.last_four {
            obj = obj.str("last_four", last_four).str("card_type", "VISA");
        }
        obj.done()
    }

    /// `GET /single/{id}` and friends.
    pub(crate) fn render(&self) -> String {
        let mut obj = Obj::new()
            .str("id", &self.id)
            .opt_str("key", self.key.as_deref())
            .opt_amount("value", self.value)
            .str("currency", &self.currency)
            .opt_str("expiration_time", self.expiration_time.as_deref())
            .raw("customer", &self.customer)
            .raw("method", &self.method_object())
            .str("created_at", &json::datetime(self.created_at));
        match self.kind {
            Kind::Single => {
                obj = obj
                    .opt_str("descriptive", self.descriptive.as_deref())
                    .str(
                        "type",
                        if self.authorisation_only {
                            "authorisation"
                        } else {
                            "sale"
                        },
                    )
                    .str("payment_status", &self.status)
                    .opt_str("paid_at", self.paid_at.map(json::datetime).as_deref());
            }
            Kind::Frequent => {
                obj = obj
                    .str("status", &self.status)
                    .opt_amount("max_value", self.max_value)
                    .opt_amount("min_value", self.min_value)
                    .bool("unlimited_payments", self.unlimited_payments);
            }
            Kind::Subscription => {
                obj = obj
                    .str("status", &self.status)
                    .opt_str("frequency", self.frequency.as_deref())
                    .opt_str("start_time", self.start_time.map(json::minute).as_deref())
                    .opt_raw(
                        "max_captures",
                        self.max_captures.map(|n| n.to_string()).as_deref(),
                    )
                    .int("captures_done", self.captures_done)
                    .opt_str(
                        "next_capture_at",
                        self.next_due.map(json::minute).as_deref(),
                    );
            }
        }
        obj.done()
    }
}

/// An authorisation of a single or frequent payment.
#[derive(Debug, Clone)]
pub(crate) struct Authorisation {
    pub(crate) id: String,
    pub(crate) payment_id: String,
    pub(crate) value: i64,
    pub(crate) captured: i64,
    /// `waiting, pending, failed, canceled, deleted, success`.
    pub(crate) status: String,
    pub(crate) message: String,
    pub(crate) key: Option<String>,
    pub(crate) descriptive: Option<String>,
    pub(crate) created_at: i64,
}

/// A capture (a transaction): money taken.
#[derive(Debug, Clone)]
pub(crate) struct Capture {
    pub(crate) id: String,
    pub(crate) payment_id: String,
    pub(crate) payment_kind: Kind,
    pub(crate) authorisation_id: Option<String>,
    pub(crate) value: i64,
    pub(crate) refunded: i64,
    pub(crate) charged_back: i64,
    /// `delayed, waiting, pending, success, failed, refunded`.
    pub(crate) status: String,
    pub(crate) descriptive: Option<String>,
    pub(crate) transaction_key: Option<String>,
    pub(crate) capture_date: String,
    pub(crate) splits: Vec<Split>,
    pub(crate) created_at: i64,
}

/// One split of a capture.
#[derive(Debug, Clone)]
pub(crate) struct Split {
    pub(crate) id: String,
    pub(crate) split_key: Option<String>,
    pub(crate) descriptive: Option<String>,
    pub(crate) value: i64,
    pub(crate) account_id: Option<String>,
    pub(crate) margin_value: Option<i64>,
}

impl Split {
    pub(crate) fn render(&self) -> String {
        Obj::new()
            .str("id", &self.id)
            .str("status", "active")
            .opt_str("split_key", self.split_key.as_deref())
            .opt_str("split_descriptive", self.descriptive.as_deref())
            .amount("value", self.value)
            .opt_amount("margin_value", self.margin_value)
            .raw(
                "account",
                &Obj::new().opt_str("id", self.account_id.as_deref()).done(),
            )
            .done()
    }
}

impl Capture {
    pub(crate) fn render(&self, account: &str) -> String {
        Obj::new()
            .str("id", &self.id)
            .str("status", &self.status)
            .opt_str("descriptive", self.descriptive.as_deref())
            .amount("value", self.value)
            .amount("value_refunded", self.refunded)
            .str("payment_id", &self.payment_id)
            .str("payment_type", self.payment_kind.as_str())
            .opt_str("authorisation_id", self.authorisation_id.as_deref())
            .raw("account", &Obj::new().str("id", account).done())
            .raw(
                "splits",
                &json::array(self.splits.iter().map(Split::render)),
            )
            .opt_str("transaction_key", self.transaction_key.as_deref())
            .str("capture_date", &self.capture_date)
            .str("created_at", &json::datetime(self.created_at))
            .done()
    }
}

/// A refund of a capture.
#[derive(Debug, Clone)]
pub(crate) struct Refund {
    pub(crate) id: String,
    pub(crate) capture_id: String,
    pub(crate) payment_id: String,
    pub(crate) value: i64,
    pub(crate) status: String,
    pub(crate) transaction_key: Option<String>,
    pub(crate) iban: Option<String>,
    pub(crate) account_holder: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) phone: Option<String>,
    pub(crate) created_at: i64,
}

impl Refund {
    pub(crate) fn render(&self) -> String {
        Obj::new()
            .str("id", &self.id)
            .str("status", &self.status)
            .opt_str("transaction_key", self.transaction_key.as_deref())
            .amount("value", self.value)
            .str("capture_id", &self.capture_id)
            .str("payment_id", &self.payment_id)
            .opt_str("account_holder", self.account_holder.as_deref())
            .opt_str("email", self.email.as_deref())
            .opt_str("phone", self.phone.as_deref())
            .opt_str("iban", self.iban.as_deref())
            .str("created_at", &json::datetime(self.created_at))
            .done()
    }
}

/// A void of an authorisation.
#[derive(Debug, Clone)]
pub(crate) struct Void {
    pub(crate) id: String,
    pub(crate) authorisation_id: String,
    pub(crate) status: String,
    pub(crate) descriptive: String,
    pub(crate) transaction_key: Option<String>,
}

/// A chargeback opened by a scenario.
#[derive(Debug, Clone)]
pub(crate) struct Chargeback {
    pub(crate) id: String,
    pub(crate) capture_id: String,
    pub(crate) payment_id: String,
    pub(crate) value: i64,
    pub(crate) reason: String,
    pub(crate) created_at: i64,
}

impl Chargeback {
    pub(crate) fn render(&self) -> String {
        Obj::new()
            .str("id", &self.id)
            .str("status", "open")
            .str("reason", &self.reason)
            .amount("value", self.value)
            .str("capture_id", &self.capture_id)
            .str("payment_id", &self.payment_id)
            .str("created_at", &json::datetime(self.created_at))
            .done()
    }
}

/// A payout.
#[derive(Debug, Clone)]
pub(crate) struct OutPayment {
    pub(crate) id: String,
    pub(crate) value: i64,
    pub(crate) status: String,
    pub(crate) kind: String,
    pub(crate) method: String,
    pub(crate) key: Option<String>,
    pub(crate) descriptive: Option<String>,
    pub(crate) customer_id: String,
    pub(crate) out_account_id: String,
    pub(crate) iban: String,
    pub(crate) schedule_at: Option<String>,
    pub(crate) timestamp: String,
    pub(crate) created_at: i64,
}

impl OutPayment {
    pub(crate) fn render(&self, account: &str) -> String {
        Obj::new()
            .str("id", &self.id)
            .str("status", &self.status)
            .str("type", &self.kind)
            .str("method", &self.method)
            .opt_str("descriptive", self.descriptive.as_deref())
            .raw("customer", &Obj::new().str("id", &self.customer_id).done())
            .raw("account", &Obj::new().str("id", account).done())
            .raw(
                "out_account",
                &Obj::new().str("id", &self.out_account_id).done(),
            )
            .opt_str("key", self.key.as_deref())
            .amount("value", self.value)
            .opt_str("schedule_at", self.schedule_at.as_deref())
            .str("created_at", &json::datetime(self.created_at))
            .str("timestamp", &self.timestamp)
            .done()
    }
}

/// A checkout session.
#[derive(Debug, Clone)]
pub(crate) struct Checkout {
    pub(crate) id: String,
    pub(crate) session: String,
    /// `pending` or `canceled`; `complete` is derived from its payment
    /// ([`State::checkout_status`]).
    pub(crate) status: String,
    /// The first element of the request's `type`.
    pub(crate) kind: Kind,
    pub(crate) methods: Vec<String>,
    pub(crate) value: i64,
    pub(crate) created_at: i64,
    /// The request body as received, from which the checkout page builds the payment
    /// the customer chooses (amounts copied as written, never re-parsed).
    pub(crate) request: String,
    /// The payment the customer's latest choice of method created on the checkout page.
    pub(crate) payment_id: Option<String>,
}

/// The notification URLs and card URLs (`GET/PATCH /config`).
#[derive(Debug, Clone, Default)]
pub(crate) struct AccountConfig {
    pub(crate) generic: Option<String>,
    pub(crate) authorisation: Option<String>,
    pub(crate) transaction: Option<String>,
    pub(crate) visa_fwd: Option<String>,
    pub(crate) visa_detail: Option<String>,
}

/// Everything the fake holds.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) counter: u64,
    pub(crate) payments: Vec<Payment>,
    pub(crate) authorisations: Vec<Authorisation>,
    pub(crate) captures: Vec<Capture>,
    pub(crate) refunds: Vec<Refund>,
    pub(crate) voids: Vec<Void>,
    pub(crate) chargebacks: Vec<Chargeback>,
    pub(crate) out_payments: Vec<OutPayment>,
    pub(crate) checkouts: Vec<Checkout>,
    pub(crate) config: AccountConfig,
    pub(crate) idempotency: IdempotencyStore,
    /// How many requests of each operation were executed with success (replays of a
    /// stored answer are not counted).
    pub(crate) applied: std::collections::BTreeMap<&'static str, usize>,
}

impl State {
    /// A fresh UUID-shaped id, unique in this fake and deterministic across runs.
    pub(crate) fn next_id(&mut self) -> String {
        self.counter += 1;
        format!("00000000-0000-4000-8000-{:012x}", self.counter)
    }

    /// The next counter value (for references).
    pub(crate) fn next_number(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    pub(crate) fn payment(&self, id: &str) -> Option<&Payment> {
        self.payments.iter().find(|p| p.id == id)
    }

    pub(crate) fn payment_mut(&mut self, id: &str) -> Option<&mut Payment> {
        self.payments.iter_mut().find(|p| p.id == id)
    }

    pub(crate) fn authorisation_mut(&mut self, id: &str) -> Option<&mut Authorisation> {
        self.authorisations.iter_mut().find(|a| a.id == id)
    }

    /// A checkout's status as `GET /checkout/{id}` shows it: `canceled` once deleted;
    /// `complete` once the customer finished their part on the checkout page (the
    /// payment authorised, paid or active, or a Multibanco reference or virtual IBAN
    /// issued; INFERRED); `pending` otherwise, including after a failed attempt, which
    /// the customer may retry with another method (INFERRED).
    pub(crate) fn checkout_status(&self, checkout: &Checkout) -> &'static str {
        if checkout.status == "canceled" {
            return "canceled";
        }
        let Some(p) = checkout
            .payment_id
            .as_deref()
            .and_then(|id| self.payment(id))
        else {
            return "pending";
        };
        let issued = matches!(p.method.as_str(), "mb" | "vi")
            && p.status == "pending"
            && p.method_status == "pending";
        if issued || matches!(p.status.as_str(), "paid" | "authorised" | "active") {
            "complete"
        } else {
            "pending"
        }
    }

    pub(crate) fn capture_mut(&mut self, id: &str) -> Option<&mut Capture> {
        self.captures.iter_mut().find(|c| c.id == id)
    }

    /// The state as a snapshot: IBANs masked, no card numbers, amounts as text.
    pub(crate) fn snapshot(&self) -> Snapshot {
        let mut snapshot = Snapshot::new();
        for p in &self.payments {
            let kind = match p.kind {
                Kind::Subscription => ResourceKind::Subscription,
                _ => ResourceKind::Payment,
            };
            let mut r = Resource::new(kind, &p.id, &p.status)
                .with_field("kind", p.kind.as_str())
                .with_field("method", &p.method)
                .with_field("method_status", &p.method_status)
                .with_field("currency", &p.currency)
                .with_field("created_at", json::datetime(p.created_at));
            if let Some(value) = p.value {
                r = r.with_field("value", crate::present::json_number(value));
            }
            if let Some(key) = &p.key {
                r = r.with_field("key", key);
            }
            if let Some(iban) = &p.iban {
                r = r.with_field("iban", mask_iban(iban));
            }
            if let Some(last_four) = &p.last_four {
                r = r.with_field("card_last_four", last_four);
            }
            if let Some(reference) = &p.reference {
                r = r.with_field("reference", reference);
            }
            snapshot.push(r);
        }
        for a in &self.authorisations {
            snapshot.push(
                Resource::new(
                    ResourceKind::Other("authorisation".to_owned()),
                    &a.id,
                    &a.status,
                )
                .with_field("payment_id", &a.payment_id)
                .with_field("value", crate::present::json_number(a.value))
                .with_field("value_captured", crate::present::json_number(a.captured)),
            );
        }
        for c in &self.captures {
            snapshot.push(
                Resource::new(ResourceKind::Capture, &c.id, &c.status)
                    .with_field("payment_id", &c.payment_id)
                    .with_field("value", crate::present::json_number(c.value))
                    .with_field("value_refunded", crate::present::json_number(c.refunded)),
            );
        }
        for r in &self.refunds {
            let mut res = Resource::new(ResourceKind::Refund, &r.id, &r.status)
                .with_field("capture_id", &r.capture_id)
                .with_field("value", crate::present::json_number(r.value));
            if let Some(iban) = &r.iban {
                res = res.with_field("iban", mask_iban(iban));
            }
            snapshot.push(res);
        }
        for v in &self.voids {
            snapshot.push(
                Resource::new(ResourceKind::Other("void".to_owned()), &v.id, &v.status)
                    .with_field("authorisation_id", &v.authorisation_id),
            );
        }
        for c in &self.chargebacks {
            snapshot.push(
                Resource::new(ResourceKind::Other("chargeback".to_owned()), &c.id, "open")
                    .with_field("capture_id", &c.capture_id)
                    .with_field("value", crate::present::json_number(c.value)),
            );
        }
        for o in &self.out_payments {
            snapshot.push(
                Resource::new(ResourceKind::Payout, &o.id, &o.status)
                    .with_field("value", crate::present::json_number(o.value))
                    .with_field("iban", mask_iban(&o.iban)),
            );
        }
        for c in &self.checkouts {
            let mut r = Resource::new(
                ResourceKind::Other("checkout".to_owned()),
                &c.id,
                self.checkout_status(c),
            )
            .with_field("value", crate::present::json_number(c.value));
            if let Some(payment_id) = &c.payment_id {
                r = r.with_field("payment_id", payment_id);
            }
            snapshot.push(r);
        }
        snapshot
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ibans_are_masked() {
        assert_eq!(mask_iban("PT50000201231234567890154"), "PT50 **** 0154");
        assert_eq!(mask_iban("PT5"), "****");
    }

    #[test]
    fn ids_are_unique_and_uuid_shaped() {
        let mut state = State::default();
        let a = state.next_id();
        let b = state.next_id();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
    }
}
