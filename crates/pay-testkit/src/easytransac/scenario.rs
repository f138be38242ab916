//! The Easytransac fake's state transitions, the scenario controls tests use in place
//! of a browser or a bank, the typed getters and the snapshot.

use std::fmt;
use std::time::Duration;

use super::EasytransacFake;
use super::notify;
use super::notify::BrowserReturn;
use super::state::{
    CardBehaviour, Decline, Method, SavedCard, Schedule, State, Status, Txn, atom, v1_date,
};
use crate::present::{decimal_text as amount_text, mask_card};
use crate::provider::{Context, Resource, ResourceKind, Snapshot};

/// How long a 3-D Secure challenge may stay unfinished before it fails (documented:
/// 20 minutes).
pub(crate) const THREE_DS_TIMEOUT: Duration = Duration::from_secs(20 * 60);

/// Why a scenario control could not act.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScenarioError {
    /// No transaction has this `Tid`.
    UnknownTransaction(String),
    /// No payment page has this `RequestId`.
    UnknownPage(String),
    /// The transaction or page is not in a state the control applies to.
    WrongState {
        /// The `Tid` or `RequestId`.
        id: String,
        /// Its current status.
        status: String,
        /// What the control needed.
        expected: &'static str,
    },
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::UnknownTransaction(tid) => write!(f, "no transaction `{tid}`"),
            ScenarioError::UnknownPage(id) => write!(f, "no payment page `{id}`"),
            ScenarioError::WrongState {
                id,
                status,
                expected,
            } => write!(f, "`{id}` is {status}, not {expected}"),
        }
    }
}

impl std::error::Error for ScenarioError {}

/// A transaction as the fake holds it. Amounts are integer cents; card numbers and
/// IBANs appear masked only.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PaymentView {
    /// The `Tid`.
    pub tid: String,
    /// The status as the provider writes it (`captured`…).
    pub status: String,
    /// `payment`, `debit` or `paybybank`; `chargeback` once a chargeback is opened.
    pub operation_type: String,
    /// The amount charged (or authorised, or pending), in cents.
    pub amount_cents: i64,
    /// How much was refunded, in cents.
    pub refunded_cents: i64,
    /// The merchant's `OrderId`.
    pub order_id: Option<String>,
    /// The payment page's `RequestId`, for a paid page.
    pub request_id: Option<String>,
    /// The saved card's alias (`SaveCard=yes`, or the alias a 1-click payment used).
    pub alias: Option<String>,
    /// The masked card number (`************1111`).
    pub card_masked: Option<String>,
    /// The masked IBAN (`FR76 **** 0189`).
    pub iban_masked: Option<String>,
    /// Where the customer completes 3-D Secure, while pending.
    pub three_ds_url: Option<String>,
    /// Where the customer signs the SEPA mandate, for a V1 debit.
    pub mandate_url: Option<String>,
    /// Where the customer goes to their bank, for a bank transfer.
    pub redirect_url: Option<String>,
    /// `Error`, for a failed payment.
    pub error: Option<String>,
    /// The schedule's first `Tid`, for a follow-up charge.
    pub original_tid: Option<String>,
    /// The follow-up's charge number (2 for the first follow-up).
    pub charge_number: Option<u32>,
    /// The Easytransac `ClientId`.
    pub client_id: String,
    /// `DateChargeback` (`YYYY-MM-DD HH:MM:SS`, Paris time), once a chargeback is opened.
    pub date_chargeback: Option<String>,
    /// `DateRepresentment`, once the merchant contested the chargeback.
    pub date_representment: Option<String>,
}

impl PaymentView {
    fn of(txn: &Txn) -> Self {
        Self {
            tid: txn.tid.clone(),
            status: txn.status.as_str().to_owned(),
            operation_type: notify::operation_type(txn).to_owned(),
            amount_cents: txn.amount,
            refunded_cents: txn.refunded,
            order_id: txn.order_id.clone(),
            request_id: txn.request_id.clone(),
            alias: txn.alias.clone(),
            card_masked: txn.card_masked.clone(),
            iban_masked: txn.iban_masked.clone(),
            three_ds_url: txn.three_ds_url.clone(),
            mandate_url: txn.mandate_url.clone(),
            redirect_url: txn.redirect_url.clone(),
            error: txn.error.clone(),
            original_tid: txn.original_tid.clone(),
            charge_number: txn.charge_number,
            client_id: txn.customer.id.clone(),
            date_chargeback: txn.chargeback_at.map(v1_date),
            date_representment: txn.representment_at.map(v1_date),
        }
    }
}

impl EasytransacFake {
    /// The transaction `tid`.
    pub fn payment(&self, tid: &str) -> Option<PaymentView> {
        self.lock().txns.get(tid).map(PaymentView::of)
    }

    /// The transaction a status lookup by `OrderId` finds (the latest first charge with
    /// that order id).
    pub fn payment_by_order_id(&self, order_id: &str) -> Option<PaymentView> {
        self.lock().by_order_id(order_id).map(PaymentView::of)
    }

    /// Every transaction, in creation order.
    pub fn payments(&self) -> Vec<PaymentView> {
        let state = self.lock();
        state
            .order
            .iter()
            .filter_map(|tid| state.txns.get(tid))
            .map(PaymentView::of)
            .collect()
    }

    /// The follow-up charges of the schedule started by `original_tid`, in order.
    pub fn follow_ups(&self, original_tid: &str) -> Vec<PaymentView> {
        let state = self.lock();
        state
            .schedules
            .get(original_tid)
            .map(|s| {
                s.follow_ups
                    .iter()
                    .filter_map(|tid| state.txns.get(tid))
                    .map(PaymentView::of)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The status of the schedule started by `original_tid`: `active`, `finished` or
    /// `cancelled`.
    pub fn schedule_status(&self, original_tid: &str) -> Option<&'static str> {
        self.lock()
            .schedules
            .get(original_tid)
            .map(Schedule::status_text)
    }

    /// How many requests of `operation_id` the fake applied (answered with success),
    /// whether or not the answer reached the client: the effects a fault matrix counts.
    pub fn applied(&self, operation_id: &str) -> usize {
        self.lock()
            .applied
            .get(operation_id)
            .copied()
            .unwrap_or_default()
    }

    pub(crate) fn count_applied(&self, operation_id: &'static str) {
        *self.lock().applied.entry(operation_id).or_default() += 1;
    }

    /// How many times `/api/payment/rebill/update` changed the subscription started by
    /// `original_tid`.
    pub fn schedule_updates(&self, original_tid: &str) -> Option<u32> {
        self.lock().schedules.get(original_tid).map(|s| s.updates)
    }

    /// The peer-to-peer transfers made (`/api/payment/transfer`), in order: their `Tid`
    /// and `Description`.
    pub fn transfers(&self) -> Vec<(String, Option<String>)> {
        self.lock()
            .transfers
            .iter()
            .map(|t| (t.tid.clone(), t.description.clone()))
            .collect()
    }

    /// The status of payment page `request_id`: `pending`, `paid`, `failed`,
    /// `cancelled` or `abandoned`.
    pub fn page_status(&self, request_id: &str) -> Option<&'static str> {
        self.lock().pages.get(request_id).map(|p| p.status)
    }

    /// How many V2 tokens were issued.
    pub fn tokens_issued(&self) -> u64 {
        self.lock().tokens_issued
    }

    /// The customer passes the 3-D Secure challenge of `tid`: it becomes `captured` (or
    /// `authorized` for a pre-authorisation) and a notification is queued.
    ///
    /// # Errors
    /// [`ScenarioError`] when `tid` is unknown or not waiting for 3-D Secure.
    pub fn complete_3ds(&self, ctx: &Context<'_>, tid: &str) -> Result<(), ScenarioError> {
        let back = self.complete_3ds_return(ctx, tid)?;
        queue_return(ctx, back);
        Ok(())
    }

    /// [`Self::complete_3ds`], answering the browser's return instead of queueing it.
    pub(crate) fn complete_3ds_return(
        &self,
        ctx: &Context<'_>,
        tid: &str,
    ) -> Result<Option<BrowserReturn>, ScenarioError> {
        let mut state = self.lock();
        self.tick(&mut state, ctx);
        waiting_3ds(&state, tid)?;
        if let Some(txn) = state.txns.get_mut(tid) {
            txn.three_ds_deadline = None;
            txn.three_ds_url = None;
        }
        if state.txns.get(tid).is_some_and(|t| t.save_card) {
            save_card(&mut state, tid, ctx);
        }
        let target = if state.txns.get(tid).is_some_and(|t| t.pre_auth) {
            Status::Authorized
        } else {
            Status::Captured
        };
        self.transition(&mut state, ctx, tid, target, "Payment was successful");
        finish_page_of(&mut state, tid, "paid");
        Ok(self.browser_return(&state, tid))
    }

    /// The customer fails the 3-D Secure challenge of `tid`: it becomes `failed` and a
    /// notification is queued.
    ///
    /// # Errors
    /// [`ScenarioError`] when `tid` is unknown or not waiting for 3-D Secure.
    pub fn fail_3ds(&self, ctx: &Context<'_>, tid: &str) -> Result<(), ScenarioError> {
        let back = self.fail_3ds_return(ctx, tid)?;
        queue_return(ctx, back);
        Ok(())
    }

    /// [`Self::fail_3ds`], answering the browser's return instead of queueing it.
    pub(crate) fn fail_3ds_return(
        &self,
        ctx: &Context<'_>,
        tid: &str,
    ) -> Result<Option<BrowserReturn>, ScenarioError> {
        let mut state = self.lock();
        self.tick(&mut state, ctx);
        waiting_3ds(&state, tid)?;
        if let Some(txn) = state.txns.get_mut(tid) {
            txn.three_ds_deadline = None;
            txn.three_ds_url = None;
            txn.error = Some("3DSecure authentication failed".to_owned());
        }
        self.transition(&mut state, ctx, tid, Status::Failed, "Payment failed");
        finish_page_of(&mut state, tid, "failed");
        Ok(self.browser_return(&state, tid))
    }

    /// The customer pays payment page `request_id` with a card that works: a new
    /// transaction, `captured` (or `authorized` with `PreAuth=yes`), starting any
    /// schedule the page asked for; a notification is queued. Returns its `Tid`.
    ///
    /// # Errors
    /// [`ScenarioError`] when the page is unknown or not pending.
    pub fn pay_page(&self, ctx: &Context<'_>, request_id: &str) -> Result<String, ScenarioError> {
        let card = PageCard::testkit(super::cards::SUCCESS, CardBehaviour::Approve);
        let (tid, back) = self.pay_page_with(ctx, request_id, &card)?;
        queue_return(ctx, back);
        Ok(tid)
    }

    /// The customer's card is declined on payment page `request_id`: a new `failed`
    /// transaction with `Error` "Insufficient funds"; the page is `failed`; a
    /// notification is queued. Returns its `Tid`.
    ///
    /// # Errors
    /// [`ScenarioError`] when the page is unknown or not pending.
    pub fn fail_page(&self, ctx: &Context<'_>, request_id: &str) -> Result<String, ScenarioError> {
        let card = PageCard::testkit(
            super::cards::DECLINED_INSUFFICIENT_FUNDS,
            CardBehaviour::Decline(Decline::InsufficientFunds),
        );
        let (tid, back) = self.pay_page_with(ctx, request_id, &card)?;
        queue_return(ctx, back);
        Ok(tid)
    }

    /// The customer leaves payment page `request_id` without paying (or clicks its
    /// cancel link): the page becomes `abandoned`; no transaction exists, so no
    /// notification is sent, and a status lookup by `RequestId` answers `failed`
    /// (INFERRED). The browser goes back to `CancelUrl`, or to `ReturnUrl` without one.
    ///
    /// # Errors
    /// [`ScenarioError`] when the page is unknown or not pending.
    pub fn abandon_page(&self, ctx: &Context<'_>, request_id: &str) -> Result<(), ScenarioError> {
        let back = self.abandon_page_return(ctx, request_id)?;
        queue_return(ctx, back);
        Ok(())
    }

    /// [`Self::abandon_page`], answering the browser's return instead of queueing it.
    pub(crate) fn abandon_page_return(
        &self,
        ctx: &Context<'_>,
        request_id: &str,
    ) -> Result<Option<BrowserReturn>, ScenarioError> {
        let mut state = self.lock();
        self.tick(&mut state, ctx);
        let page = state
            .pages
            .get_mut(request_id)
            .ok_or_else(|| ScenarioError::UnknownPage(request_id.to_owned()))?;
        if page.status != "pending" || page.tid.is_some() {
            return Err(ScenarioError::WrongState {
                id: request_id.to_owned(),
                status: page.status.to_owned(),
                expected: "pending",
            });
        }
        page.status = "abandoned";
        let page = page.clone();
        if let Some(to) = page.cancel_to.as_ref().or(page.return_to.as_ref()) {
            let mut fields = vec![
                ("RequestId".to_owned(), page.request_id.clone()),
                ("OperationType".to_owned(), "payment".to_owned()),
                ("Status".to_owned(), "failed".to_owned()),
                ("Date".to_owned(), v1_date(page.created)),
                ("Amount".to_owned(), amount_text(page.amount)),
                ("Test".to_owned(), "yes".to_owned()),
            ];
            if let Some(order_id) = &page.order_id {
                fields.push(("OrderId".to_owned(), order_id.clone()));
            }
            return Ok(notify::page_return(to, fields, &self.config.api_key));
        }
        Ok(None)
    }

    /// The bank settles pending SEPA debit or bank transfer `tid`: `captured`, starting
    /// any schedule it asked for; a notification is queued.
    ///
    /// # Errors
    /// [`ScenarioError`] when `tid` is unknown, not a debit or transfer, or not pending.
    pub fn settle_debit(&self, ctx: &Context<'_>, tid: &str) -> Result<(), ScenarioError> {
        self.settle_debit_return(ctx, tid).map(drop)
    }

    /// [`Self::settle_debit`], answering the browser's return (for a bank transfer the
    /// customer approved at the bank's page).
    pub(crate) fn settle_debit_return(
        &self,
        ctx: &Context<'_>,
        tid: &str,
    ) -> Result<Option<BrowserReturn>, ScenarioError> {
        let mut state = self.lock();
        self.tick(&mut state, ctx);
        pending_debit(&state, tid)?;
        self.transition(
            &mut state,
            ctx,
            tid,
            Status::Captured,
            "Payment was successful",
        );
        Ok(self.browser_return(&state, tid))
    }

    /// The bank rejects pending SEPA debit or bank transfer `tid`: `failed`; a
    /// notification is queued.
    ///
    /// # Errors
    /// [`ScenarioError`] when `tid` is unknown, not a debit or transfer, or not pending.
    pub fn reject_debit(&self, ctx: &Context<'_>, tid: &str) -> Result<(), ScenarioError> {
        self.reject_debit_return(ctx, tid, "Debit rejected by the bank")
            .map(drop)
    }

    /// [`Self::reject_debit`] with `error` as the `Error`, answering the browser's return
    /// (for a mandate the customer refused to sign, or a transfer cancelled at the bank).
    pub(crate) fn reject_debit_return(
        &self,
        ctx: &Context<'_>,
        tid: &str,
        error: &str,
    ) -> Result<Option<BrowserReturn>, ScenarioError> {
        let mut state = self.lock();
        self.tick(&mut state, ctx);
        pending_debit(&state, tid)?;
        if let Some(txn) = state.txns.get_mut(tid) {
            txn.error = Some(error.to_owned());
        }
        self.transition(&mut state, ctx, tid, Status::Failed, "Payment failed");
        Ok(self.browser_return(&state, tid))
    }

    /// The customer signs the SEPA mandate of pending V1 debit `tid` at its
    /// `MandateUrl`. The debit stays `pending` until the bank settles or rejects it
    /// ([`Self::settle_debit`], [`Self::reject_debit`]); its `Message` becomes "Mandate
    /// signed" and no notification is sent, since the status does not change (INFERRED:
    /// the signing flow is undocumented). Settling does not require a signature.
    ///
    /// # Errors
    /// [`ScenarioError`] when `tid` is unknown, not a pending V1 debit with a mandate
    /// to sign, or signed already.
    pub fn sign_mandate(&self, ctx: &Context<'_>, tid: &str) -> Result<(), ScenarioError> {
        self.sign_mandate_return(ctx, tid).map(drop)
    }

    /// [`Self::sign_mandate`], answering the browser's return to `ReturnUrl`.
    pub(crate) fn sign_mandate_return(
        &self,
        ctx: &Context<'_>,
        tid: &str,
    ) -> Result<Option<BrowserReturn>, ScenarioError> {
        let mut state = self.lock();
        self.tick(&mut state, ctx);
        unsigned_mandate(&state, tid)?;
        if let Some(txn) = state.txns.get_mut(tid) {
            txn.mandate_signed = true;
            "Mandate signed".clone_into(&mut txn.message);
        }
        Ok(self.browser_return(&state, tid))
    }

    /// The debit `tid` is a pending V1 debit whose mandate is not signed yet.
    pub(crate) fn mandate_to_sign(&self, tid: &str) -> Result<(), ScenarioError> {
        unsigned_mandate(&self.lock(), tid)
    }

    /// The cardholder disputes captured payment `tid` with their bank: a chargeback is
    /// opened, setting `DateChargeback` and `OperationType=chargeback`, and a signed
    /// notification is queued. The `Status` stays `captured`: the documented statuses
    /// have none for a chargeback (INFERRED, like the `OperationType` value). A charged-back payment can no longer be refunded
    /// (ApiError 1, INFERRED).
    ///
    /// # Errors
    /// [`ScenarioError`] when `tid` is unknown, not captured (partly refunded counts as
    /// captured), or already charged back.
    pub fn open_chargeback(&self, ctx: &Context<'_>, tid: &str) -> Result<(), ScenarioError> {
        let mut state = self.lock();
        self.tick(&mut state, ctx);
        let txn = state
            .txns
            .get_mut(tid)
            .ok_or_else(|| ScenarioError::UnknownTransaction(tid.to_owned()))?;
        if txn.status != Status::Captured || txn.chargeback_at.is_some() {
            return Err(ScenarioError::WrongState {
                id: tid.to_owned(),
                status: status_text(txn),
                expected: "captured without a chargeback",
            });
        }
        txn.chargeback_at = Some(ctx.now());
        "Chargeback".clone_into(&mut txn.message);
        self.notify(&state, ctx, tid);
        Ok(())
    }

    /// The merchant contests the chargeback of `tid` (a representment): sets
    /// `DateRepresentment` and queues a signed notification. The outcome of the dispute
    /// is not modelled.
    ///
    /// # Errors
    /// [`ScenarioError`] when `tid` is unknown, has no chargeback, or was represented
    /// already.
    pub fn represent_chargeback(&self, ctx: &Context<'_>, tid: &str) -> Result<(), ScenarioError> {
        let mut state = self.lock();
        self.tick(&mut state, ctx);
        let txn = state
            .txns
            .get_mut(tid)
            .ok_or_else(|| ScenarioError::UnknownTransaction(tid.to_owned()))?;
        if txn.chargeback_at.is_none() || txn.representment_at.is_some() {
            return Err(ScenarioError::WrongState {
                id: tid.to_owned(),
                status: status_text(txn),
                expected: "charged back and not yet represented",
            });
        }
        txn.representment_at = Some(ctx.now());
        "Chargeback represented".clone_into(&mut txn.message);
        self.notify(&state, ctx, tid);
        Ok(())
    }

    /// The next follow-up charge of the schedule `tid` belongs to (its first `Tid` or
    /// any follow-up's) is declined: when it falls due it is a `failed` transaction with
    /// `Error` "Insufficient funds", with its notification. Calling it twice declines
    /// the next two. A testkit convention, not a provider feature.
    ///
    /// The schedule then goes on (INFERRED: the provider documents no retry or
    /// suspension): the declined charge keeps its number, is not charged again, and the
    /// next one falls due at its usual date. For instalments the declined amount is not
    /// collected by the fake.
    ///
    /// # Errors
    /// [`ScenarioError`] when `tid` is unknown or its schedule is not active.
    pub fn fail_next_charge(&self, tid: &str) -> Result<(), ScenarioError> {
        let mut state = self.lock();
        let txn = state
            .txns
            .get(tid)
            .ok_or_else(|| ScenarioError::UnknownTransaction(tid.to_owned()))?;
        let original = txn.original_tid.clone().unwrap_or_else(|| tid.to_owned());
        let status = status_text(txn);
        let schedule = state
            .schedules
            .get_mut(&original)
            .filter(|s| s.status_text() == "active")
            .ok_or(ScenarioError::WrongState {
                id: tid.to_owned(),
                status,
                expected: "part of an active schedule",
            })?;
        schedule.fail_next += 1;
        Ok(())
    }

    /// Charges every schedule follow-up due by the fake's clock (each a new `captured`
    /// transaction with its notification) and fails 3-D Secure challenges older than 20
    /// minutes. Returns the new follow-ups' `Tid`s. Every request does the same first.
    pub fn run_due_schedules(&self, ctx: &Context<'_>) -> Vec<String> {
        let mut state = self.lock();
        self.tick(&mut state, ctx)
    }

    /// Expires stale 3-D Secure challenges and charges due follow-ups; returns the new
    /// follow-ups.
    pub(crate) fn tick(&self, state: &mut State, ctx: &Context<'_>) -> Vec<String> {
        let now = ctx.now();
        state.last_seen = Some(now);
        let stale: Vec<String> = state
            .txns
            .values()
            .filter(|t| {
                t.status == Status::Pending && t.three_ds_deadline.is_some_and(|d| d <= now)
            })
            .map(|t| t.tid.clone())
            .collect();
        for tid in stale {
            if let Some(txn) = state.txns.get_mut(&tid) {
                txn.three_ds_deadline = None;
                txn.three_ds_url = None;
                txn.error = Some("3DSecure authentication expired".to_owned());
            }
            self.transition(state, ctx, &tid, Status::Failed, "Payment failed");
            finish_page_of(state, &tid, "failed");
        }
        let mut created = Vec::new();
        let originals: Vec<String> = state.schedules.keys().cloned().collect();
        for original in originals {
            while let Some(schedule) = state.schedules.get(&original) {
                let next = schedule.charged + 1;
                if schedule.cancelled || schedule.due(next) > now {
                    break;
                }
                let Some(amount) = schedule.amount_of(next) else {
                    break;
                };
                let due = schedule.due(next);
                let Some(first) = state.txns.get(&original).cloned() else {
                    break;
                };
                let declined = schedule.fail_next > 0;
                let tid = state.new_tid();
                let mut txn = Txn::new(tid.clone(), first.method, amount, due);
                if declined {
                    txn.status = Status::Failed;
                    txn.message = "Payment failed".to_owned();
                    txn.error = Some("Insufficient funds".to_owned());
                    txn.additional_error = Some("Do not honor".to_owned());
                } else {
                    txn.status = Status::Captured;
                    txn.message = "Payment was successful".to_owned();
                }
                txn.order_id = first.order_id.clone();
                txn.uid = first.uid.clone();
                txn.description = first.description.clone();
                txn.customer = first.customer.clone();
                txn.alias = first.alias.clone();
                txn.card_masked = first.card_masked.clone();
                txn.card_month = first.card_month.clone();
                txn.card_year = first.card_year.clone();
                txn.iban_masked = first.iban_masked.clone();
                txn.mandate_id = first.mandate_id.clone();
                txn.v2 = first.v2;
                txn.original_tid = Some(original.clone());
                txn.charge_number = Some(next);
                state.insert(txn);
                if let Some(schedule) = state.schedules.get_mut(&original) {
                    schedule.charged = next;
                    schedule.follow_ups.push(tid.clone());
                    schedule.fail_next = schedule.fail_next.saturating_sub(u32::from(declined));
                }
                self.notify(state, ctx, &tid);
                created.push(tid);
            }
        }
        created
    }

    /// Moves `tid` to `status` with `message`, starts its schedule when a first charge
    /// is captured, and queues a notification.
    pub(crate) fn transition(
        &self,
        state: &mut State,
        ctx: &Context<'_>,
        tid: &str,
        status: Status,
        message: &str,
    ) {
        let Some(txn) = state.txns.get_mut(tid) else {
            return;
        };
        txn.status = status;
        message.clone_into(&mut txn.message);
        let plan = if status == Status::Captured && txn.original_tid.is_none() {
            txn.plan.take()
        } else {
            None
        };
        if let Some(plan) = plan {
            state.schedules.insert(
                tid.to_owned(),
                Schedule {
                    original_tid: tid.to_owned(),
                    plan: plan.plan,
                    recurrence: plan.recurrence,
                    anchor: ctx.now(),
                    charged: 1,
                    cancelled: false,
                    follow_ups: Vec::new(),
                    fail_next: 0,
                    updates: 0,
                },
            );
        }
        self.notify(state, ctx, tid);
    }

    /// Queues the PUSH notification for `tid`, when a notification URL is configured.
    pub(crate) fn notify(&self, state: &State, ctx: &Context<'_>, tid: &str) {
        let Some(url) = self.config.notification_url.as_deref() else {
            return;
        };
        let Some(txn) = state.txns.get(tid) else {
            return;
        };
        let schedule = schedule_of(state, txn);
        if let Some(notification) = notify::push(url, txn, schedule, &self.config.api_key) {
            ctx.webhooks().push(notification);
        }
    }

    /// What the customer's browser sends to `ReturnUrl` for `tid`, when the request that
    /// started it named one. The scenario controls queue it in the outbox (INFERRED: the
    /// fake stands in for the browser, loopback only); the pages hand it to the browser.
    pub(crate) fn browser_return(&self, state: &State, tid: &str) -> Option<BrowserReturn> {
        let txn = state.txns.get(tid)?;
        let to = txn.return_to.as_ref()?;
        notify::browser_return(to, txn, schedule_of(state, txn), &self.config.api_key)
    }

    /// The customer pays payment page `request_id` with `card`: a new transaction,
    /// charged as the card's behaviour says. A card needing 3-D Secure (when the page
    /// asked for it) leaves the transaction `pending` with its `3DSecureUrl` and the page
    /// `pending` with its `Tid`, and no return yet: the browser goes to the challenge.
    /// Returns the `Tid` and the browser's return.
    pub(crate) fn pay_page_with(
        &self,
        ctx: &Context<'_>,
        request_id: &str,
        card: &PageCard,
    ) -> Result<(String, Option<BrowserReturn>), ScenarioError> {
        let mut state = self.lock();
        self.tick(&mut state, ctx);
        let page = state
            .pages
            .get(request_id)
            .cloned()
            .ok_or_else(|| ScenarioError::UnknownPage(request_id.to_owned()))?;
        if page.status != "pending" || page.tid.is_some() {
            return Err(ScenarioError::WrongState {
                id: request_id.to_owned(),
                status: page.status.to_owned(),
                expected: "pending",
            });
        }
        let tid = state.new_tid();
        let key = page.uid.clone().or_else(|| page.email.clone());
        let client_id = state.client_id(key.as_deref());
        let amount = page.plan.as_ref().map_or(page.amount, |p| p.first_amount());
        let mut txn = Txn::new(tid.clone(), Method::Card, amount, ctx.now());
        txn.request_id = Some(page.request_id.clone());
        txn.order_id = page.order_id.clone();
        txn.uid = page.uid.clone();
        txn.description = page.description.clone();
        txn.customer.id = client_id;
        txn.customer.email = page.email.clone();
        txn.pre_auth = page.pre_auth;
        txn.plan = page.plan.clone();
        txn.three_ds = page.three_ds;
        let behaviour = match card.behaviour {
            CardBehaviour::Challenge if !page.three_ds => CardBehaviour::Approve,
            other => other,
        };
        txn.card_masked = Some(card.masked.clone());
        txn.card_month = Some(card.month.clone());
        txn.card_year = Some(card.year.clone());
        txn.card_behaviour = Some(behaviour);
        txn.save_card = page.save_card;
        txn.return_to = page.return_to.clone();
        if let CardBehaviour::Decline(decline) = behaviour {
            txn.error = Some(decline.error().to_owned());
            txn.additional_error = Some(decline.additional().to_owned());
        }
        if behaviour == CardBehaviour::Challenge {
            txn.three_ds_url = Some(format!("{}/api/payment/3dsecure/{tid}", ctx.base_url()));
            txn.three_ds_deadline = Some(ctx.now() + THREE_DS_TIMEOUT);
        }
        state.insert(txn);
        let paid = behaviour == CardBehaviour::Approve;
        if let Some(page) = state.pages.get_mut(request_id) {
            page.status = match behaviour {
                CardBehaviour::Approve => "paid",
                CardBehaviour::Challenge => "pending",
                CardBehaviour::Decline(_) => "failed",
            };
            page.tid = Some(tid.clone());
        }
        if behaviour == CardBehaviour::Challenge {
            self.transition(
                &mut state,
                ctx,
                &tid,
                Status::Pending,
                "3DSecure authentication required",
            );
            return Ok((tid, None));
        }
        if paid {
            if page.save_card {
                save_card(&mut state, &tid, ctx);
            }
            let status = if page.pre_auth {
                Status::Authorized
            } else {
                Status::Captured
            };
            self.transition(&mut state, ctx, &tid, status, "Payment was successful");
        } else {
            self.transition(&mut state, ctx, &tid, Status::Failed, "Payment failed");
        }
        let back = self.browser_return(&state, &tid);
        Ok((tid, back))
    }

    pub(crate) fn snapshot_state(&self) -> Snapshot {
        let state = self.lock();
        let mut snapshot = Snapshot::new();
        for tid in &state.order {
            let Some(txn) = state.txns.get(tid) else {
                continue;
            };
            let mut resource = Resource::new(ResourceKind::Payment, &txn.tid, txn.status.as_str())
                .with_field("amount", amount_text(txn.amount))
                .with_field("amount_refunded", amount_text(txn.refunded))
                .with_field("operation_type", notify::operation_type(txn))
                .with_field("date", atom(txn.created))
                .with_field("client_id", &txn.customer.id);
            let optional = [
                ("order_id", &txn.order_id),
                ("request_id", &txn.request_id),
                ("alias", &txn.alias),
                ("card_masked", &txn.card_masked),
                ("iban_masked", &txn.iban_masked),
                ("error", &txn.error),
                ("original_tid", &txn.original_tid),
                ("three_ds_url", &txn.three_ds_url),
                ("mandate_id", &txn.mandate_id),
            ];
            for (name, value) in optional {
                if let Some(value) = value {
                    resource = resource.with_field(name, value);
                }
            }
            if let Some(n) = txn.charge_number {
                resource = resource.with_field("charge_number", n.to_string());
            }
            if let Some(at) = txn.chargeback_at {
                resource = resource.with_field("date_chargeback", atom(at));
            }
            if let Some(at) = txn.representment_at {
                resource = resource.with_field("date_representment", atom(at));
            }
            snapshot.push(resource);
            for n in 1..=txn.refunds {
                snapshot.push(
                    Resource::new(
                        ResourceKind::Refund,
                        format!("{}-refund-{n}", txn.tid),
                        "done",
                    )
                    .with_field("tid", &txn.tid),
                );
            }
        }
        for page in state.pages.values() {
            let mut resource = Resource::new(
                ResourceKind::Other("payment_page".to_owned()),
                &page.request_id,
                page.status,
            )
            .with_field("amount", amount_text(page.amount))
            .with_field("page_url", &page.page_url);
            if let Some(tid) = &page.tid {
                resource = resource.with_field("tid", tid);
            }
            snapshot.push(resource);
        }
        for schedule in state.schedules.values() {
            snapshot.push(
                Resource::new(
                    ResourceKind::Subscription,
                    &schedule.original_tid,
                    schedule.status_text(),
                )
                .with_field(
                    "kind",
                    if schedule.is_instalments() {
                        "instalments"
                    } else {
                        "rebill"
                    },
                )
                .with_field("recurrence", &schedule.recurrence)
                .with_field("charged", schedule.charged.to_string()),
            );
        }
        for mandate in state.mandates.values() {
            snapshot.push(
                Resource::new(ResourceKind::Mandate, &mandate.id, mandate.status)
                    .with_field("iban_masked", &mandate.iban_masked)
                    .with_field("date", atom(mandate.created)),
            );
        }
        snapshot
    }
}

/// The schedule `txn` belongs to, as first charge or follow-up.
pub(crate) fn schedule_of<'s>(state: &'s State, txn: &Txn) -> Option<&'s Schedule> {
    let original = txn.original_tid.as_deref().unwrap_or(&txn.tid);
    state.schedules.get(original)
}

/// Saves the card of `tid` for 1-click, giving the transaction its `Alias`.
pub(crate) fn save_card(state: &mut State, tid: &str, ctx: &Context<'_>) {
    let Some(txn) = state.txns.get(tid).cloned() else {
        return;
    };
    let (Some(masked), Some(behaviour)) = (txn.card_masked.clone(), txn.card_behaviour) else {
        return;
    };
    let alias = state.new_alias();
    state.cards.insert(
        alias.clone(),
        SavedCard {
            alias: alias.clone(),
            client_id: txn.customer.id.clone(),
            masked,
            month: txn.card_month.clone().unwrap_or_default(),
            year: txn.card_year.clone().unwrap_or_default(),
            behaviour,
            last_used: ctx.now(),
        },
    );
    if let Some(txn) = state.txns.get_mut(tid) {
        txn.alias = Some(alias);
        txn.save_card = false;
    }
}

/// The status for a [`ScenarioError`], with a chargeback named.
fn status_text(txn: &Txn) -> String {
    if txn.chargeback_at.is_some() {
        format!("{} (charged back)", txn.status.as_str())
    } else {
        txn.status.as_str().to_owned()
    }
}

fn waiting_3ds(state: &State, tid: &str) -> Result<(), ScenarioError> {
    let txn = state
        .txns
        .get(tid)
        .ok_or_else(|| ScenarioError::UnknownTransaction(tid.to_owned()))?;
    if txn.status != Status::Pending || txn.three_ds_deadline.is_none() {
        return Err(ScenarioError::WrongState {
            id: tid.to_owned(),
            status: txn.status.as_str().to_owned(),
            expected: "pending 3-D Secure",
        });
    }
    Ok(())
}

fn pending_debit(state: &State, tid: &str) -> Result<(), ScenarioError> {
    let txn = state
        .txns
        .get(tid)
        .ok_or_else(|| ScenarioError::UnknownTransaction(tid.to_owned()))?;
    if txn.status != Status::Pending || txn.method == Method::Card {
        return Err(ScenarioError::WrongState {
            id: tid.to_owned(),
            status: txn.status.as_str().to_owned(),
            expected: "a pending debit or transfer",
        });
    }
    Ok(())
}

/// A card typed into a payment page: masked number, expiry, and what it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PageCard {
    pub(crate) masked: String,
    pub(crate) month: String,
    pub(crate) year: String,
    pub(crate) behaviour: CardBehaviour,
}

impl PageCard {
    /// A testkit card with the expiry the scenario controls use (12/2030).
    fn testkit(number: &str, behaviour: CardBehaviour) -> Self {
        Self {
            masked: mask_card(number),
            month: "12".to_owned(),
            year: "2030".to_owned(),
            behaviour,
        }
    }
}

/// Queues the browser's return in the outbox: a scenario control stands in for the
/// browser.
fn queue_return(ctx: &Context<'_>, back: Option<BrowserReturn>) {
    if let Some(back) = back {
        ctx.webhooks().push(back.notification());
    }
}

/// The payment page paid by `tid` (after its 3-D Secure challenge) ends `status`.
fn finish_page_of(state: &mut State, tid: &str, status: &'static str) {
    let Some(request_id) = state.txns.get(tid).and_then(|t| t.request_id.clone()) else {
        return;
    };
    if let Some(page) = state.pages.get_mut(&request_id)
        && page.status == "pending"
    {
        page.status = status;
    }
}

fn unsigned_mandate(state: &State, tid: &str) -> Result<(), ScenarioError> {
    let txn = state
        .txns
        .get(tid)
        .ok_or_else(|| ScenarioError::UnknownTransaction(tid.to_owned()))?;
    if txn.status != Status::Pending
        || txn.method != Method::Debit
        || txn.mandate_url.is_none()
        || txn.mandate_signed
    {
        return Err(ScenarioError::WrongState {
            id: tid.to_owned(),
            status: txn.status.as_str().to_owned(),
            expected: "a pending debit with a mandate to sign",
        });
    }
    Ok(())
}
