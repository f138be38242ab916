//! Scenario controls: what a customer, a card scheme or a bank would do, for tests to
//! drive (pay a Multibanco reference, answer MB WAY, enter a card, finish 3-D Secure,
//! settle or fail a debit, open a chargeback, expire a payment, let the clock act).
//!
//! Each takes the server's [`Context`], so notifications go to its outbox:
//! `Context::new(&*server.clock(), server.webhooks(), server.base_url())`.

use std::fmt;

use crate::easypay::EasypayFake;
use crate::easypay::flows::{self, Outcome};
use crate::easypay::notify;
use crate::easypay::state::{Chargeback, Kind};
use crate::easypay::transactions;
use crate::provider::Context;

/// A scenario control was asked for something the fake's state does not allow (an
/// unknown id, a payment not waiting for that step).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    message: String,
}

impl ScenarioError {
    fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// What was wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ScenarioError {}

impl EasypayFake {
    /// Runs what the clock has made due: subscription captures, expiries at
    /// `expiration_time`, purging idempotency keys older than 24 h. Every request does
    /// this first too.
    pub fn run_due(&self, ctx: &Context<'_>) {
        let env = self.env(ctx);
        flows::run_due(&mut self.lock(), &env);
    }

    /// The customer pays a pending single Multibanco reference (or transfers to a
    /// virtual IBAN): authorised and captured in full, with notifications.
    ///
    /// # Errors
    /// Unknown id, not a pending single `mb`/`vi` payment.
    pub fn pay_multibanco(&self, ctx: &Context<'_>, payment_id: &str) -> Result<(), ScenarioError> {
        let env = self.env(ctx);
        let mut state = self.lock();
        flows::run_due(&mut state, &env);
        let p = state
            .payment(payment_id)
            .ok_or_else(|| ScenarioError::new("no payment found"))?;
        if p.kind != Kind::Single || !matches!(p.method.as_str(), "mb" | "vi") {
            return Err(ScenarioError::new(
                "only single Multibanco and virtual IBAN payments are paid this way",
            ));
        }
        flows::decide_payment(&mut state, &env, payment_id, Outcome::Authorised)
            .map_err(ScenarioError::new)
    }

    /// The customer approves a pending MB WAY request (a payment, or a frequent
    /// authorisation).
    ///
    /// # Errors
    /// Unknown id, or nothing waiting for the customer.
    pub fn approve_mbway(&self, ctx: &Context<'_>, id: &str) -> Result<(), ScenarioError> {
        self.answer(ctx, id, true, "mbw")
    }

    /// The customer declines a pending MB WAY request.
    ///
    /// # Errors
    /// Unknown id, or nothing waiting for the customer.
    pub fn decline_mbway(&self, ctx: &Context<'_>, id: &str) -> Result<(), ScenarioError> {
        self.answer(ctx, id, false, "mbw")
    }

    /// The customer finishes 3-D Secure on a payment or a frequent authorisation,
    /// successfully or not.
    ///
    /// # Errors
    /// Unknown id, or nothing waiting for 3-D Secure.
    pub fn complete_3ds(
        &self,
        ctx: &Context<'_>,
        id: &str,
        success: bool,
    ) -> Result<(), ScenarioError> {
        self.answer(ctx, id, success, "cc")
    }

    fn answer(
        &self,
        ctx: &Context<'_>,
        id: &str,
        success: bool,
        method: &str,
    ) -> Result<(), ScenarioError> {
        let env = self.env(ctx);
        let mut state = self.lock();
        flows::run_due(&mut state, &env);
        if state.authorisations.iter().any(|a| a.id == id) {
            return transactions::decide_authorisation(&mut state, &env, id, success)
                .map_err(ScenarioError::new);
        }
        let p = state
            .payment(id)
            .ok_or_else(|| ScenarioError::new("no payment found"))?;
        if p.method != method {
            return Err(ScenarioError::new(format!(
                "the payment's method is {}",
                p.method
            )));
        }
        if method == "cc" && !p.awaiting_3ds {
            return Err(ScenarioError::new(
                "the payment is not waiting for 3-D Secure",
            ));
        }
        let outcome = if success {
            Outcome::Authorised
        } else {
            Outcome::Declined
        };
        flows::decide_payment(&mut state, &env, id, outcome).map_err(ScenarioError::new)
    }

    /// The customer types `card_number` into the card form of a pending card payment
    /// (single, frequent or subscription). Its prefix decides (anchors.md §1.9):
    /// `0000` authorised, `2222` 3-D Secure, `1111` failed, others declined. The fake
    /// keeps only the first and last four digits.
    ///
    /// # Errors
    /// Not 12 to 19 digits, unknown id, not a card payment waiting for its card.
    pub fn enter_card(
        &self,
        ctx: &Context<'_>,
        payment_id: &str,
        card_number: &str,
    ) -> Result<(), ScenarioError> {
        let digits = card_number.len();
        if !(12..=19).contains(&digits) || !card_number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ScenarioError::new("a card number is 12 to 19 digits"));
        }
        let env = self.env(ctx);
        let mut state = self.lock();
        flows::run_due(&mut state, &env);
        let p = state
            .payment_mut(payment_id)
            .ok_or_else(|| ScenarioError::new("no payment found"))?;
        if p.method != "cc" {
            return Err(ScenarioError::new("the payment is not a card payment"));
        }
        if p.method_status != "pending" {
            return Err(ScenarioError::new("the payment is not waiting for a card"));
        }
        p.card_prefix = Some(card_number[..4].to_owned());
        p.last_four = Some(card_number[digits - 4..].to_owned());
        let outcome = flows::card_outcome(card_number);
        flows::decide_payment(&mut state, &env, payment_id, outcome).map_err(ScenarioError::new)
    }

    /// The bank processes a pending single direct debit: paid, unless the mandate's
    /// IBAN is [`FAILING_IBAN`](crate::easypay::FAILING_IBAN), which fails.
    ///
    /// # Errors
    /// Unknown id, not a pending single `dd` payment.
    pub fn settle_direct_debit(
        &self,
        ctx: &Context<'_>,
        payment_id: &str,
    ) -> Result<(), ScenarioError> {
        let fails = {
            let state = self.lock();
            let p = state
                .payment(payment_id)
                .ok_or_else(|| ScenarioError::new("no payment found"))?;
            p.iban.as_deref() == Some(flows::FAILING_IBAN)
        };
        self.debit(ctx, payment_id, !fails)
    }

    /// The bank refuses a pending single direct debit.
    ///
    /// # Errors
    /// Unknown id, not a pending single `dd` payment.
    pub fn fail_direct_debit(
        &self,
        ctx: &Context<'_>,
        payment_id: &str,
    ) -> Result<(), ScenarioError> {
        self.debit(ctx, payment_id, false)
    }

    fn debit(
        &self,
        ctx: &Context<'_>,
        payment_id: &str,
        success: bool,
    ) -> Result<(), ScenarioError> {
        let env = self.env(ctx);
        let mut state = self.lock();
        flows::run_due(&mut state, &env);
        let p = state
            .payment(payment_id)
            .ok_or_else(|| ScenarioError::new("no payment found"))?;
        if p.kind != Kind::Single || p.method != "dd" {
            return Err(ScenarioError::new(
                "the payment is not a single direct debit",
            ));
        }
        let outcome = if success {
            Outcome::Authorised
        } else {
            Outcome::Declined
        };
        flows::decide_payment(&mut state, &env, payment_id, outcome).map_err(ScenarioError::new)
    }

    /// The customer's bank opens a chargeback on a capture (or a payment's latest
    /// capture) for everything not yet refunded. Returns the chargeback id.
    ///
    /// # Errors
    /// Unknown id, or nothing left to charge back.
    pub fn open_chargeback(
        &self,
        ctx: &Context<'_>,
        id: &str,
        reason: &str,
    ) -> Result<String, ScenarioError> {
        let env = self.env(ctx);
        let mut state = self.lock();
        flows::run_due(&mut state, &env);
        let capture_id = state
            .captures
            .iter()
            .rev()
            .find(|c| (c.id == id || c.payment_id == id) && c.status != "failed")
            .map(|c| c.id.clone())
            .ok_or_else(|| ScenarioError::new("no capture found"))?;
        let chargeback_id = state.next_id();
        let capture = state
            .capture_mut(&capture_id)
            .ok_or_else(|| ScenarioError::new("no capture found"))?;
        let value = capture.value - capture.refunded - capture.charged_back;
        if value <= 0 {
            return Err(ScenarioError::new("nothing is left to charge back"));
        }
        capture.charged_back += value;
        let (payment_id, kind, key) = (
            capture.payment_id.clone(),
            capture.payment_kind,
            capture.transaction_key.clone(),
        );
        state.chargebacks.push(Chargeback {
            id: chargeback_id.clone(),
            capture_id: capture_id.clone(),
            payment_id: payment_id.clone(),
            value,
            reason: reason.to_owned(),
            created_at: env.now,
        });
        let notify_id = if kind == Kind::Single {
            payment_id
        } else {
            capture_id
        };
        notify::generic(
            &state.config,
            &env,
            &notify_id,
            key.as_deref(),
            "chargeback",
            true,
            reason,
        );
        Ok(chargeback_id)
    }

    /// A pending single payment expires now, as when its `expiration_time` passes.
    ///
    /// # Errors
    /// Unknown id, or not a pending single payment.
    pub fn expire_payment(&self, ctx: &Context<'_>, payment_id: &str) -> Result<(), ScenarioError> {
        let env = self.env(ctx);
        let mut state = self.lock();
        flows::run_due(&mut state, &env);
        let p = state
            .payment(payment_id)
            .ok_or_else(|| ScenarioError::new("no payment found"))?;
        if p.kind != Kind::Single || p.status != "pending" {
            return Err(ScenarioError::new(
                "only a pending single payment can expire",
            ));
        }
        flows::expire(&mut state, &env, payment_id);
        Ok(())
    }
}
