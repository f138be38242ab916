//! The Easytransac fake's state (transactions, payment pages, saved cards, schedules,
//! mandates) and the exact text helpers it answers with (amounts, dates, masks).

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use pay_core::unix_seconds;

use crate::calendar::{add_months, civil_from_days, days_from_civil, days_in_month, parts};

/// A transaction's status, as the provider writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Pending,
    Captured,
    Failed,
    Refunded,
    Authorized,
}

impl Status {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Captured => "captured",
            Status::Failed => "failed",
            Status::Refunded => "refunded",
            Status::Authorized => "authorized",
        }
    }
}

/// How a transaction was started; decides `OperationType`, `PaymentMethod` and which
/// scenario controls apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    /// `/api/payment/direct`, `/api/payment/oneclick` or a paid payment page.
    Card,
    /// `/api/payment/sdd/init` or a V2 mandate debit.
    Debit,
    /// `/api/payment/bybank` or `/v2/open-banking/init`.
    ByBank,
}

impl Method {
    pub(crate) fn operation_type(self) -> &'static str {
        match self {
            Method::Card => "payment",
            Method::Debit => "debit",
            Method::ByBank => "paybybank",
        }
    }

    pub(crate) fn payment_method(self) -> &'static str {
        match self {
            Method::Card => "CB",
            Method::Debit => "SDD",
            Method::ByBank => "PayByBank",
        }
    }
}

/// What the testkit's card numbers do (see [`super::cards`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CardBehaviour {
    Approve,
    Challenge,
    Decline(Decline),
}

/// Why a testkit card is declined: its `Error` and `AdditionalError`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decline {
    InsufficientFunds,
    ExpiredCard,
}

impl Decline {
    /// `Error`.
    pub(crate) fn error(self) -> &'static str {
        match self {
            Decline::InsufficientFunds => "Insufficient funds",
            Decline::ExpiredCard => "Expired card",
        }
    }

    /// The one `AdditionalError` entry.
    pub(crate) fn additional(self) -> &'static str {
        match self {
            Decline::InsufficientFunds => "Do not honor",
            Decline::ExpiredCard => "Expired card",
        }
    }
}

/// The customer fields echoed in `Client[...]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Customer {
    pub(crate) id: String,
    pub(crate) email: Option<String>,
    pub(crate) firstname: Option<String>,
    pub(crate) lastname: Option<String>,
}

/// Where the customer's browser is sent after a 3-D Secure challenge or a payment page,
/// and how (`ReturnUrl`, `ReturnMethod`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReturnTo {
    pub(crate) url: String,
    /// `ReturnMethod=GET`: only `Tid`, `OrderId` and `Status` travel, in the query.
    pub(crate) get: bool,
}

/// A schedule's plan: instalments (fixed amounts) or a subscription (no end).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Plan {
    /// Every instalment's amount in cents, the first included.
    Instalments(Vec<i64>),
    /// The first charge, then `recurring` every period.
    Rebill { first: i64, recurring: i64 },
}

/// What a new payment asked for about recurring charges, before it is paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PlanRequest {
    pub(crate) plan: Plan,
    pub(crate) recurrence: String,
}

impl PlanRequest {
    /// The amount of the first charge.
    pub(crate) fn first_amount(&self) -> i64 {
        match &self.plan {
            Plan::Instalments(amounts) => amounts.first().copied().unwrap_or_default(),
            Plan::Rebill { first, .. } => *first,
        }
    }
}

/// A running (or finished, or cancelled) schedule of follow-up charges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Schedule {
    pub(crate) original_tid: String,
    pub(crate) plan: Plan,
    pub(crate) recurrence: String,
    /// When the first charge was captured; due dates count from here.
    pub(crate) anchor: SystemTime,
    /// How many charges happened, the first included.
    pub(crate) charged: u32,
    pub(crate) cancelled: bool,
    pub(crate) follow_ups: Vec<String>,
    /// How many of the next follow-ups are declined (a testkit scenario control).
    pub(crate) fail_next: u32,
    /// How many `/api/payment/rebill/update` requests changed it.
    pub(crate) updates: u32,
}

impl Schedule {
    pub(crate) fn is_instalments(&self) -> bool {
        matches!(self.plan, Plan::Instalments(_))
    }

    /// The amount of charge number `n` (from 1), or `None` when the plan has no such
    /// charge.
    pub(crate) fn amount_of(&self, n: u32) -> Option<i64> {
        let index = usize::try_from(n).ok()?.checked_sub(1)?;
        match &self.plan {
            Plan::Instalments(amounts) => amounts.get(index).copied(),
            Plan::Rebill { first, recurring } => Some(if index == 0 { *first } else { *recurring }),
        }
    }

    /// When charge number `n` (from 1) is due.
    pub(crate) fn due(&self, n: u32) -> SystemTime {
        add_period(self.anchor, &self.recurrence, n.saturating_sub(1))
    }

    /// `MultiplePaymentsStatus` / `RebillStatus` (vocabulary INFERRED).
    pub(crate) fn status_text(&self) -> &'static str {
        if self.cancelled {
            "cancelled"
        } else if matches!(&self.plan, Plan::Instalments(a) if self.charged as usize >= a.len()) {
            "finished"
        } else {
            "active"
        }
    }
}

/// One transaction (a `Tid`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Txn {
    pub(crate) tid: String,
    pub(crate) method: Method,
    pub(crate) status: Status,
    /// The amount charged (or authorised, or asked for while pending), in cents.
    pub(crate) amount: i64,
    pub(crate) refunded: i64,
    pub(crate) refunds: u32,
    pub(crate) created: SystemTime,
    pub(crate) refunded_at: Option<SystemTime>,
    pub(crate) order_id: Option<String>,
    pub(crate) uid: Option<String>,
    pub(crate) request_id: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) customer: Customer,
    pub(crate) message: String,
    pub(crate) error: Option<String>,
    pub(crate) additional_error: Option<String>,
    pub(crate) three_ds: bool,
    pub(crate) three_ds_url: Option<String>,
    pub(crate) three_ds_deadline: Option<SystemTime>,
    pub(crate) mandate_url: Option<String>,
    pub(crate) redirect_url: Option<String>,
    pub(crate) one_click: bool,
    pub(crate) pre_auth: bool,
    pub(crate) alias: Option<String>,
    pub(crate) card_masked: Option<String>,
    pub(crate) card_month: Option<String>,
    pub(crate) card_year: Option<String>,
    pub(crate) card_behaviour: Option<CardBehaviour>,
    pub(crate) save_card: bool,
    pub(crate) iban_masked: Option<String>,
    pub(crate) mandate_id: Option<String>,
    /// Asked for, started when the first charge is captured.
    pub(crate) plan: Option<PlanRequest>,
    /// For follow-up charges: the schedule's first `Tid` and this charge's number.
    pub(crate) original_tid: Option<String>,
    pub(crate) charge_number: Option<u32>,
    /// Created through V2 (answers use V2 shapes); notifications are the same.
    pub(crate) v2: bool,
    /// `ReturnUrl` and `ReturnMethod`, for the browser's return after 3-D Secure.
    pub(crate) return_to: Option<ReturnTo>,
    /// When a chargeback was opened (`DateChargeback`).
    pub(crate) chargeback_at: Option<SystemTime>,
    /// When the merchant contested it (`DateRepresentment`).
    pub(crate) representment_at: Option<SystemTime>,
    /// For a V1 debit: the customer signed the mandate at `MandateUrl`.
    pub(crate) mandate_signed: bool,
}

impl Txn {
    pub(crate) fn new(tid: String, method: Method, amount: i64, now: SystemTime) -> Self {
        Self {
            tid,
            method,
            status: Status::Pending,
            amount,
            refunded: 0,
            refunds: 0,
            created: now,
            refunded_at: None,
            order_id: None,
            uid: None,
            request_id: None,
            description: None,
            customer: Customer::default(),
            message: String::new(),
            error: None,
            additional_error: None,
            three_ds: false,
            three_ds_url: None,
            three_ds_deadline: None,
            mandate_url: None,
            redirect_url: None,
            one_click: false,
            pre_auth: false,
            alias: None,
            card_masked: None,
            card_month: None,
            card_year: None,
            card_behaviour: None,
            save_card: false,
            iban_masked: None,
            mandate_id: None,
            plan: None,
            original_tid: None,
            charge_number: None,
            v2: false,
            return_to: None,
            chargeback_at: None,
            representment_at: None,
            mandate_signed: false,
        }
    }
}

/// A hosted payment page (a `RequestId`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Page {
    pub(crate) request_id: String,
    /// `pending`, `paid`, `failed`, `cancelled` or `abandoned` (INFERRED vocabulary
    /// beyond `pending`).
    pub(crate) status: &'static str,
    pub(crate) amount: i64,
    pub(crate) created: SystemTime,
    pub(crate) sent: SystemTime,
    pub(crate) mails_sent: u32,
    pub(crate) email: Option<String>,
    pub(crate) order_id: Option<String>,
    pub(crate) uid: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) language: String,
    pub(crate) page_url: String,
    pub(crate) pre_auth: bool,
    pub(crate) save_card: bool,
    pub(crate) three_ds: bool,
    pub(crate) plan: Option<PlanRequest>,
    pub(crate) tid: Option<String>,
    /// `ReturnUrl` and `ReturnMethod`, for the browser's return from the page.
    pub(crate) return_to: Option<ReturnTo>,
    /// `CancelUrl` (with `ReturnMethod`), for the browser's return when the customer
    /// leaves the page without paying.
    pub(crate) cancel_to: Option<ReturnTo>,
}

/// A card saved with `SaveCard=yes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SavedCard {
    pub(crate) alias: String,
    pub(crate) client_id: String,
    pub(crate) masked: String,
    pub(crate) month: String,
    pub(crate) year: String,
    pub(crate) behaviour: CardBehaviour,
    pub(crate) last_used: SystemTime,
}

/// A V2 SEPA mandate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mandate {
    pub(crate) id: String,
    pub(crate) status: &'static str,
    pub(crate) iban_masked: String,
    pub(crate) email: Option<String>,
    pub(crate) created: SystemTime,
}

/// Everything the fake holds.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) txns: BTreeMap<String, Txn>,
    /// Creation order of `txns`, for lookups that want the latest.
    pub(crate) order: Vec<String>,
    pub(crate) pages: BTreeMap<String, Page>,
    pub(crate) cards: BTreeMap<String, SavedCard>,
    /// `Uid` (or e-mail) → Easytransac `ClientId`.
    pub(crate) clients: BTreeMap<String, String>,
    pub(crate) schedules: BTreeMap<String, Schedule>,
    pub(crate) mandates: BTreeMap<String, Mandate>,
    pub(crate) tokens_issued: u64,
    pub(crate) next_tid: u64,
    pub(crate) next_request: u64,
    pub(crate) next_alias: u64,
    pub(crate) next_client: u64,
    pub(crate) next_mandate: u64,
    /// Merchant sub-accounts (`/api/user/…`), by `Id`.
    pub(crate) users: BTreeMap<String, super::other::User>,
    pub(crate) next_user: u64,
    /// KYC documents (`/api/kyc/…`), by `Id`.
    pub(crate) documents: BTreeMap<String, super::other::Document>,
    pub(crate) next_document: u64,
    /// How many requests of each operation were answered with success (applied).
    pub(crate) applied: BTreeMap<&'static str, usize>,
    /// Peer-to-peer transfers (`/api/payment/transfer`), in order.
    pub(crate) transfers: Vec<Transfer>,
    /// Payout requests (`/api/user/payout`), in order.
    pub(crate) payouts: Vec<serde_json::Value>,
    pub(crate) next_payout: u64,
    /// The logo was uploaded; the activity text.
    pub(crate) logo: bool,
    pub(crate) activity: Option<String>,
    /// The clock reading of the latest request or scenario control, for the dates of
    /// injected fault bodies (which are built without a clock).
    pub(crate) last_seen: Option<SystemTime>,
}

/// A peer-to-peer transfer the fake made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Transfer {
    pub(crate) tid: String,
    pub(crate) to: String,
    pub(crate) amount: i64,
    pub(crate) description: Option<String>,
}

impl State {
    /// A new `Tid`: `ET` and six digits. Eight characters, so it fits both the V1 limit
    /// (at most 8) and the V2 pattern (`^[A-Za-z0-9-]{8,14}$`).
    pub(crate) fn new_tid(&mut self) -> String {
        self.next_tid += 1;
        format!("ET{:06}", self.next_tid)
    }

    /// A new payment page `RequestId` (12 characters, like the documented examples).
    pub(crate) fn new_request_id(&mut self) -> String {
        self.next_request += 1;
        format!("rq{:010}", self.next_request)
    }

    pub(crate) fn new_alias(&mut self) -> String {
        self.next_alias += 1;
        format!("alias{:07}", self.next_alias)
    }

    /// A new mandate id: 20 lower-case alphanumerics, as the V2 debit path requires.
    pub(crate) fn new_mandate_id(&mut self) -> String {
        self.next_mandate += 1;
        format!("mandate{:013}", self.next_mandate)
    }

    /// The Easytransac `ClientId` (7 alphanumerics) for a customer known by `Uid` or
    /// e-mail; a new one for an anonymous customer.
    pub(crate) fn client_id(&mut self, key: Option<&str>) -> String {
        if let Some(existing) = key.and_then(|k| self.clients.get(k)) {
            return existing.clone();
        }
        self.next_client += 1;
        let id = format!("C{:06}", self.next_client);
        if let Some(key) = key {
            self.clients.insert(key.to_owned(), id.clone());
        }
        id
    }

    pub(crate) fn insert(&mut self, txn: Txn) {
        self.order.push(txn.tid.clone());
        self.txns.insert(txn.tid.clone(), txn);
    }

    /// The transaction for a reconciliation lookup by `OrderId`: the latest first charge
    /// (not a schedule follow-up) with that order id, else the latest follow-up.
    pub(crate) fn by_order_id(&self, order_id: &str) -> Option<&Txn> {
        let matching = || {
            self.order
                .iter()
                .rev()
                .filter_map(|tid| self.txns.get(tid))
                .filter(|t| t.order_id.as_deref() == Some(order_id))
        };
        matching()
            .find(|t| t.original_tid.is_none())
            .or_else(|| matching().next())
    }
}

/// The last Sunday of `month`, 01:00 UTC, as unix seconds (the EU summer-time switch).
fn last_sunday_0100_utc(year: i64, month: i64) -> i64 {
    let last = days_from_civil(year, month, days_in_month(year, month));
    // 1970-01-01 was a Thursday: weekday 0 = Sunday is (days + 4) mod 7.
    let weekday = (last + 4).rem_euclid(7);
    (last - weekday) * 86_400 + 3_600
}

/// Paris's offset from UTC in seconds at `t` (CET, CEST in EU summer time).
fn paris_offset(unix: i64) -> i64 {
    let (year, _, _) = civil_from_days(unix.div_euclid(86_400));
    let summer = last_sunday_0100_utc(year, 3) <= unix && unix < last_sunday_0100_utc(year, 10);
    if summer { 7_200 } else { 3_600 }
}

/// V1 `Date`: `YYYY-MM-DD HH:MM:SS`, Paris time.
pub(crate) fn v1_date(t: SystemTime) -> String {
    let unix = unix_seconds(t);
    let (y, mo, d, h, mi, s) = parts(unix + paris_offset(unix));
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
}

/// V2 ATOM date: `2024-12-31T23:59:59+01:00`, Paris time (25 characters).
pub(crate) fn atom(t: SystemTime) -> String {
    let unix = unix_seconds(t);
    let offset = paris_offset(unix);
    let (y, mo, d, h, mi, s) = parts(unix + offset);
    format!(
        "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}+{:02}:00",
        offset / 3600
    )
}

/// `t` plus `periods` periods of `recurrence`, in UTC calendar terms: whole days for
/// `daily`/`weekly`, calendar months (the day clamped to the month's length, counted
/// from `t` so there is no drift) otherwise.
pub(crate) fn add_period(t: SystemTime, recurrence: &str, periods: u32) -> SystemTime {
    let periods_i = i64::from(periods);
    let months = match recurrence {
        "daily" => return t + Duration::from_secs(86_400 * u64::from(periods)),
        "weekly" => return t + Duration::from_secs(7 * 86_400 * u64::from(periods)),
        "bimonthly" => 2,
        "quarterly" => 3,
        "biannual" => 6,
        "yearly" => 12,
        _ => 1,
    } * periods_i;
    pay_core::from_unix_seconds(add_months(unix_seconds(t), months))
}

#[cfg(test)]
mod tests {
    use pay_core::from_unix_seconds;

    use super::*;

    #[test]
    fn dates_follow_paris_time() {
        // 2023-11-14 22:13:20 UTC is winter time (UTC+1).
        let winter = from_unix_seconds(1_700_000_000);
        assert_eq!(v1_date(winter), "2023-11-14 23:13:20");
        assert_eq!(atom(winter), "2023-11-14T23:13:20+01:00");
        // 2024-07-01 00:00:00 UTC is summer time (UTC+2).
        let summer = from_unix_seconds(1_719_792_000);
        assert_eq!(atom(summer), "2024-07-01T02:00:00+02:00");
        assert_eq!(v1_date(summer), "2024-07-01 02:00:00");
        // The switch: 2024-03-31 01:00 UTC.
        assert_eq!(
            atom(from_unix_seconds(1_711_846_799)),
            "2024-03-31T01:59:59+01:00"
        );
        assert_eq!(
            atom(from_unix_seconds(1_711_846_800)),
            "2024-03-31T03:00:00+02:00"
        );
    }

    #[test]
    fn periods_are_calendar_months_without_drift() {
        // 2024-01-31 12:00 UTC.
        let start = from_unix_seconds(1_706_702_400);
        assert_eq!(
            atom(add_period(start, "monthly", 1)),
            "2024-02-29T13:00:00+01:00"
        );
        assert_eq!(
            atom(add_period(start, "monthly", 2)),
            "2024-03-31T14:00:00+02:00"
        );
        assert_eq!(
            atom(add_period(start, "yearly", 1)),
            "2025-01-31T13:00:00+01:00"
        );
        assert_eq!(
            atom(add_period(start, "weekly", 1)),
            "2024-02-07T13:00:00+01:00"
        );
        assert_eq!(atom(add_period(start, "daily", 0)), atom(start));
        assert_eq!(
            atom(add_period(start, "quarterly", 1)),
            "2024-04-30T14:00:00+02:00"
        );
    }
}
