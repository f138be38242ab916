//! SEPA mandates, subscriptions, instalment plans and payouts.

use std::time::SystemTime;

use crate::bank::Iban;
use crate::contact::{Email, Phone, Url};
use crate::ids::{MandateId, MerchantReference, PayoutId, ProviderPaymentId, SubscriptionId};
use crate::money::Money;
use crate::payment::{Customer, NextAction, PaymentMethod};
use crate::status::{MandateStatus, PayoutStatus, SubscriptionStatus};
use crate::validation::{Rule, ValidationError, check};

/// A request to set up a SEPA direct-debit mandate.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CreateMandate {
    /// The merchant's reference for the mandate.
    pub reference: MerchantReference,
    /// The debtor's IBAN.
    pub iban: Iban,
    /// The account holder's name.
    pub account_holder: String,
    /// The debtor's email.
    pub email: Option<Email>,
    /// The debtor's phone.
    pub phone: Option<Phone>,
    /// Further customer details.
    pub customer: Option<Customer>,
    /// Where the debtor returns after signing on the provider's page, where the
    /// provider has one.
    pub return_url: Option<Url>,
}

impl CreateMandate {
    /// A mandate request.
    ///
    /// # Errors
    /// [`Rule::Required`] on `account_holder` when it is blank.
    pub fn new(
        reference: MerchantReference,
        iban: Iban,
        account_holder: impl Into<String>,
    ) -> Result<Self, ValidationError> {
        let account_holder = account_holder.into();
        if account_holder.trim().is_empty() {
            return Err(ValidationError::new("account_holder", Rule::Required));
        }
        Ok(Self {
            reference,
            iban,
            account_holder,
            email: None,
            phone: None,
            customer: None,
            return_url: None,
        })
    }

    /// Sets the return URL.
    #[must_use]
    pub fn with_return_url(mut self, url: Url) -> Self {
        self.return_url = Some(url);
        self
    }

    /// Sets the email.
    #[must_use]
    pub fn with_email(mut self, email: Email) -> Self {
        self.email = Some(email);
        self
    }

    /// Sets the phone.
    #[must_use]
    pub fn with_phone(mut self, phone: Phone) -> Self {
        self.phone = Some(phone);
        self
    }

    /// Sets further customer details.
    #[must_use]
    pub fn with_customer(mut self, customer: Customer) -> Self {
        self.customer = Some(customer);
        self
    }
}

/// A mandate as the provider reports it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Mandate {
    /// The provider's id.
    pub id: MandateId,
    /// Where it stands.
    pub status: MandateStatus,
    /// The provider's own status value.
    pub provider_status: String,
    /// The merchant's reference, when echoed.
    pub reference: Option<MerchantReference>,
    /// What the debtor must do next (sign on the provider's page).
    pub next_action: NextAction,
}

impl Mandate {
    /// A mandate.
    pub fn new(id: MandateId, status: MandateStatus, provider_status: impl Into<String>) -> Self {
        Self {
            id,
            status,
            provider_status: provider_status.into(),
            reference: None,
            next_action: NextAction::None,
        }
    }

    /// Sets the next action.
    #[must_use]
    pub fn with_next_action(mut self, next_action: NextAction) -> Self {
        self.next_action = next_action;
        self
    }

    /// Sets the merchant reference.
    #[must_use]
    pub fn with_reference(mut self, reference: MerchantReference) -> Self {
        self.reference = Some(reference);
        self
    }
}

/// A request to collect money under an active mandate.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct MandateDebit {
    /// The mandate.
    pub mandate_id: MandateId,
    amount: Money,
    /// The merchant's reference for this debit: the reconciliation anchor.
    pub reference: MerchantReference,
    /// Text for the debtor's statement.
    pub description: Option<String>,
}

impl MandateDebit {
    /// A debit request.
    ///
    /// # Errors
    /// [`Rule::Minimum`] on `amount` when it is zero or negative.
    pub fn new(
        mandate_id: MandateId,
        amount: Money,
        reference: MerchantReference,
    ) -> Result<Self, ValidationError> {
        check::positive("amount", amount)?;
        Ok(Self {
            mandate_id,
            amount,
            reference,
            description: None,
        })
    }

    /// How much. Always positive.
    pub fn amount(&self) -> Money {
        self.amount
    }

    /// Sets the description.
    #[must_use]
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

/// How often a subscription charges: the union of the providers' closed sets. Each
/// provider accepts only some (Easypay `1D, 1W, 2W, 1M, 2M, 3M, 4M, 6M, 1Y, 2Y, 3Y`;
/// Easytransac `daily, weekly, monthly, bimonthly, quarterly, biannual, yearly`); its
/// adapter refuses the others before sending ([`Rule::OneOf`] on `interval`) and lists
/// its own in [`Capabilities::intervals`](crate::Capabilities::intervals).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Interval {
    /// Every day.
    Daily,
    /// Every week.
    Weekly,
    /// Every two weeks.
    Fortnightly,
    /// Every calendar month.
    Monthly,
    /// Every two months (Easytransac `bimonthly`).
    EveryTwoMonths,
    /// Every three months.
    Quarterly,
    /// Every four months.
    EveryFourMonths,
    /// Every six months (Easytransac `biannual`).
    HalfYearly,
    /// Every year.
    Yearly,
    /// Every two years.
    EveryTwoYears,
    /// Every three years.
    EveryThreeYears,
}

impl Interval {
    /// Every interval, shortest first.
    pub const ALL: &'static [Interval] = &[
        Interval::Daily,
        Interval::Weekly,
        Interval::Fortnightly,
        Interval::Monthly,
        Interval::EveryTwoMonths,
        Interval::Quarterly,
        Interval::EveryFourMonths,
        Interval::HalfYearly,
        Interval::Yearly,
        Interval::EveryTwoYears,
        Interval::EveryThreeYears,
    ];

    /// Monthly.
    pub fn monthly() -> Self {
        Interval::Monthly
    }

    /// A stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Interval::Daily => "daily",
            Interval::Weekly => "weekly",
            Interval::Fortnightly => "fortnightly",
            Interval::Monthly => "monthly",
            Interval::EveryTwoMonths => "every_two_months",
            Interval::Quarterly => "quarterly",
            Interval::EveryFourMonths => "every_four_months",
            Interval::HalfYearly => "half_yearly",
            Interval::Yearly => "yearly",
            Interval::EveryTwoYears => "every_two_years",
            Interval::EveryThreeYears => "every_three_years",
        }
    }

    /// The interval as a count of days or of calendar months: `(days, months)`, one of
    /// them zero.
    pub fn span(self) -> (u16, u16) {
        match self {
            Interval::Daily => (1, 0),
            Interval::Weekly => (7, 0),
            Interval::Fortnightly => (14, 0),
            Interval::Monthly => (0, 1),
            Interval::EveryTwoMonths => (0, 2),
            Interval::Quarterly => (0, 3),
            Interval::EveryFourMonths => (0, 4),
            Interval::HalfYearly => (0, 6),
            Interval::Yearly => (0, 12),
            Interval::EveryTwoYears => (0, 24),
            Interval::EveryThreeYears => (0, 36),
        }
    }

    /// Checks that a provider offers this interval.
    ///
    /// # Errors
    /// [`Rule::OneOf`] on `interval`, listing `allowed` in the provider's words.
    pub fn check_in(
        self,
        offered: &[Interval],
        allowed: &'static [&'static str],
    ) -> Result<(), ValidationError> {
        if offered.contains(&self) {
            Ok(())
        } else {
            Err(ValidationError::new("interval", Rule::OneOf { allowed }))
        }
    }
}

impl std::fmt::Display for Interval {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// When and how much a subscription charges first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum FirstCharge {
    /// The regular amount, at the start date.
    #[default]
    AtStart,
    /// The regular amount, captured at once when the subscription is created (Easypay
    /// `capture_now`).
    Now,
    /// A different amount, charged at once (Easytransac `DownPayment`): a set-up fee or
    /// a pro-rated first period.
    NowWithAmount(Money),
}

/// A request to charge the same amount on a schedule.
///
/// ```
/// use pay_core::{CreateSubscription, Currency, FirstCharge, Interval, MerchantReference, Money, PaymentMethod};
///
/// let sub = CreateSubscription::new(
///     Money::parse_major("9.90", Currency::EUR)?,
///     MerchantReference::new("sub-7")?,
///     PaymentMethod::HostedPage,
///     Interval::Monthly,
/// )?
/// .with_first_charge(FirstCharge::NowWithAmount(Money::parse_major("19.90", Currency::EUR)?))?
/// .with_occurrences(12)?;
/// assert_eq!(sub.amount().format_major(), "9.90");
/// assert_eq!(sub.occurrences(), Some(12));
/// # Ok::<(), pay_core::ValidationError>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CreateSubscription {
    amount: Money,
    reference: MerchantReference,
    /// How the customer pays.
    pub method: PaymentMethod,
    /// How often.
    pub interval: Interval,
    occurrences: Option<u32>,
    first_charge: FirstCharge,
    /// When the first regular charge happens; `None` for the provider's default.
    pub starts_at: Option<SystemTime>,
    /// The customer.
    pub customer: Option<Customer>,
    /// What is being paid for.
    pub description: Option<String>,
    /// Where the customer returns after a redirect.
    pub return_url: Option<Url>,
}

impl CreateSubscription {
    /// A subscription request with no end date.
    ///
    /// # Errors
    /// [`Rule::Minimum`] on `amount` when it is zero or negative.
    pub fn new(
        amount: Money,
        reference: MerchantReference,
        method: PaymentMethod,
        interval: Interval,
    ) -> Result<Self, ValidationError> {
        check::positive("amount", amount)?;
        Ok(Self {
            amount,
            reference,
            method,
            interval,
            occurrences: None,
            first_charge: FirstCharge::AtStart,
            starts_at: None,
            customer: None,
            description: None,
            return_url: None,
        })
    }

    /// Each regular charge. Always positive.
    pub fn amount(&self) -> Money {
        self.amount
    }

    /// The merchant's reference for the subscription.
    pub fn reference(&self) -> &MerchantReference {
        &self.reference
    }

    /// How many charges in all; `None` until cancelled.
    pub fn occurrences(&self) -> Option<u32> {
        self.occurrences
    }

    /// The first charge.
    pub fn first_charge(&self) -> FirstCharge {
        self.first_charge
    }

    /// Stops after `count` charges.
    ///
    /// # Errors
    /// [`Rule::Range`] on `occurrences` when zero.
    pub fn with_occurrences(mut self, count: u32) -> Result<Self, ValidationError> {
        if count == 0 {
            return Err(ValidationError::new(
                "occurrences",
                Rule::Range {
                    min: 1,
                    max: i64::from(u32::MAX),
                },
            ));
        }
        self.occurrences = Some(count);
        Ok(self)
    }

    /// Sets the first charge.
    ///
    /// # Errors
    /// [`Rule::Minimum`] on `first_charge` for a zero or negative amount, and
    /// [`Rule::CurrencyMismatch`] when its currency is not the subscription's.
    pub fn with_first_charge(mut self, first: FirstCharge) -> Result<Self, ValidationError> {
        if let FirstCharge::NowWithAmount(amount) = first {
            check::positive("first_charge", amount)?;
            if amount.currency() != self.amount.currency() {
                return Err(ValidationError::new(
                    "first_charge",
                    Rule::CurrencyMismatch {
                        left: self.amount.currency().code(),
                        right: amount.currency().code(),
                    },
                ));
            }
        }
        self.first_charge = first;
        Ok(self)
    }

    /// Sets the first charge's time.
    #[must_use]
    pub fn starting_at(mut self, at: SystemTime) -> Self {
        self.starts_at = Some(at);
        self
    }

    /// Sets the customer.
    #[must_use]
    pub fn with_customer(mut self, customer: Customer) -> Self {
        self.customer = Some(customer);
        self
    }

    /// Sets the description.
    #[must_use]
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets the return URL.
    #[must_use]
    pub fn with_return_url(mut self, url: Url) -> Self {
        self.return_url = Some(url);
        self
    }
}

/// A request to split one price into instalments.
///
/// ```
/// use pay_core::{CreateInstalments, Currency, Interval, MerchantReference, Money, PaymentMethod};
///
/// let plan = CreateInstalments::new(
///     Money::parse_major("100.00", Currency::EUR)?,
///     3,
///     MerchantReference::new("order-7")?,
///     PaymentMethod::HostedPage,
///     Interval::Monthly,
/// )?;
/// let parts: Vec<String> = plan.schedule()?.iter().map(|m| m.format_major()).collect();
/// assert_eq!(parts, ["33.34", "33.33", "33.33"]);
///
/// // A larger first instalment; the rest is split evenly.
/// let plan = plan.with_first_instalment(Money::parse_major("50.00", Currency::EUR)?)?;
/// let parts: Vec<String> = plan.schedule()?.iter().map(|m| m.format_major()).collect();
/// assert_eq!(parts, ["50.00", "25.00", "25.00"]);
/// # Ok::<(), pay_core::ValidationError>(())
/// ```
///
/// The count cannot be changed behind the constructor's check:
///
/// ```compile_fail
/// # use pay_core::{CreateInstalments, Currency, Interval, MerchantReference, Money, PaymentMethod};
/// let mut plan = CreateInstalments::new(
///     Money::from_minor(10_000, Currency::EUR)?, 3, MerchantReference::new("o")?,
///     PaymentMethod::HostedPage, Interval::Monthly,
/// )?;
/// plan.count = 0;
/// # Ok::<(), pay_core::ValidationError>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CreateInstalments {
    total: Money,
    count: u8,
    first: Option<Money>,
    reference: MerchantReference,
    /// How the customer pays.
    pub method: PaymentMethod,
    /// Time between instalments.
    pub interval: Interval,
    /// The customer.
    pub customer: Option<Customer>,
    /// Where the customer returns after a redirect.
    pub return_url: Option<Url>,
}

impl CreateInstalments {
    /// An instalment plan.
    ///
    /// # Errors
    /// [`Rule::Minimum`] on `total`, [`Rule::Range`] on `count` (2..=48), or a total too
    /// small to give every instalment at least one minor unit. Providers have tighter
    /// limits (Easytransac: 2 to 12), which their adapters check before sending.
    pub fn new(
        total: Money,
        count: u8,
        reference: MerchantReference,
        method: PaymentMethod,
        interval: Interval,
    ) -> Result<Self, ValidationError> {
        check::positive("total", total)?;
        if !(2..=48).contains(&count) {
            return Err(ValidationError::new(
                "count",
                Rule::Range { min: 2, max: 48 },
            ));
        }
        if total.minor_units() < i64::from(count) {
            return Err(ValidationError::new(
                "total",
                Rule::Other("is too small to give every instalment at least one minor unit".into()),
            ));
        }
        Ok(Self {
            total,
            count,
            first: None,
            reference,
            method,
            interval,
            customer: None,
            return_url: None,
        })
    }

    /// The whole price. Always positive.
    pub fn total(&self) -> Money {
        self.total
    }

    /// How many instalments (2 to 48).
    pub fn count(&self) -> u8 {
        self.count
    }

    /// The first instalment, when it differs from an even split.
    pub fn first_instalment(&self) -> Option<Money> {
        self.first
    }

    /// The merchant's reference for the plan.
    pub fn reference(&self) -> &MerchantReference {
        &self.reference
    }

    /// Sets the first instalment (Easytransac `DownPayment`); the rest of the total is
    /// split evenly over the other instalments.
    ///
    /// # Errors
    /// [`Rule::Minimum`] on `first_instalment` when zero or negative,
    /// [`Rule::CurrencyMismatch`], or [`Rule::Other`] when it leaves less than one minor
    /// unit for each other instalment.
    pub fn with_first_instalment(mut self, first: Money) -> Result<Self, ValidationError> {
        check::positive("first_instalment", first)?;
        let rest = self.total.checked_sub(first).map_err(|_| {
            ValidationError::new(
                "first_instalment",
                Rule::CurrencyMismatch {
                    left: self.total.currency().code(),
                    right: first.currency().code(),
                },
            )
        })?;
        if rest.minor_units() < i64::from(self.count - 1) {
            return Err(ValidationError::new(
                "first_instalment",
                Rule::Other("leaves too little for the other instalments".into()),
            ));
        }
        self.first = Some(first);
        Ok(self)
    }

    /// The instalment amounts, adding up exactly to the total (after the first, earlier
    /// instalments take the leftover minor units).
    ///
    /// # Errors
    /// Never for a plan built by [`CreateInstalments::new`].
    pub fn schedule(&self) -> Result<Vec<Money>, ValidationError> {
        match self.first {
            None => self.total.allocate(&vec![1; usize::from(self.count)]),
            Some(first) => {
                let rest = self.total.checked_sub(first)?;
                let mut parts = vec![first];
                parts.extend(rest.allocate(&vec![1; usize::from(self.count - 1)])?);
                Ok(parts)
            }
        }
    }

    /// Sets the customer.
    #[must_use]
    pub fn with_customer(mut self, customer: Customer) -> Self {
        self.customer = Some(customer);
        self
    }

    /// Sets the return URL.
    #[must_use]
    pub fn with_return_url(mut self, url: Url) -> Self {
        self.return_url = Some(url);
        self
    }
}

/// A subscription or instalment plan as the provider reports it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Subscription {
    /// The provider's id.
    pub id: SubscriptionId,
    /// Where it stands.
    pub status: SubscriptionStatus,
    /// The provider's own status value.
    pub provider_status: String,
    /// Each charge's amount (the first instalment's, for plans).
    pub amount: Money,
    /// Charges made so far, when the provider says.
    pub charges_made: Option<u32>,
    /// The merchant's reference, when echoed.
    pub reference: Option<MerchantReference>,
    /// How often it charges, when the provider says.
    pub interval: Option<Interval>,
    /// The payment that made the first (or latest) charge, when there is one.
    pub latest_payment: Option<ProviderPaymentId>,
    /// What the customer must do next (3-D Secure on the first charge, a mandate to sign).
    pub next_action: NextAction,
}

impl Subscription {
    /// A subscription.
    pub fn new(
        id: SubscriptionId,
        status: SubscriptionStatus,
        provider_status: impl Into<String>,
        amount: Money,
    ) -> Self {
        Self {
            id,
            status,
            provider_status: provider_status.into(),
            amount,
            charges_made: None,
            reference: None,
            interval: None,
            latest_payment: None,
            next_action: NextAction::None,
        }
    }

    /// Sets the interval.
    #[must_use]
    pub fn with_interval(mut self, interval: Interval) -> Self {
        self.interval = Some(interval);
        self
    }

    /// Sets the latest payment.
    #[must_use]
    pub fn with_latest_payment(mut self, id: ProviderPaymentId) -> Self {
        self.latest_payment = Some(id);
        self
    }

    /// Sets the next action.
    #[must_use]
    pub fn with_next_action(mut self, next_action: NextAction) -> Self {
        self.next_action = next_action;
        self
    }

    /// Sets the charge count.
    #[must_use]
    pub fn with_charges_made(mut self, count: u32) -> Self {
        self.charges_made = Some(count);
        self
    }

    /// Sets the merchant reference.
    #[must_use]
    pub fn with_reference(mut self, reference: MerchantReference) -> Self {
        self.reference = Some(reference);
        self
    }
}

/// How a payout reaches the beneficiary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum PayoutMethod {
    /// A SEPA credit transfer to the beneficiary's IBAN.
    #[default]
    SepaTransfer,
    /// A Multibanco payout (Easypay `mb`).
    Multibanco,
}

/// How fast a transfer payout goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum PayoutSpeed {
    /// An ordinary SEPA transfer.
    #[default]
    Normal,
    /// SEPA Instant.
    Instant,
}

/// A request to pay money out to a bank account.
///
/// The beneficiary's email and phone are required by Easypay (`out_account.email`,
/// `out_account.phone`); its adapter says which is missing before sending.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CreatePayout {
    amount: Money,
    reference: MerchantReference,
    /// The beneficiary's IBAN.
    pub iban: Iban,
    beneficiary_name: String,
    /// The beneficiary's email.
    pub beneficiary_email: Option<Email>,
    /// The beneficiary's phone.
    pub beneficiary_phone: Option<Phone>,
    /// The merchant's customer the payout is for, where the provider records one.
    pub customer: Option<Customer>,
    /// How it reaches the beneficiary.
    pub method: PayoutMethod,
    /// How fast.
    pub speed: PayoutSpeed,
    /// When to send it; `None` for now.
    pub schedule_at: Option<SystemTime>,
    /// Text for the beneficiary's statement.
    pub description: Option<String>,
}

impl CreatePayout {
    /// A payout request.
    ///
    /// # Errors
    /// [`Rule::Minimum`] on `amount`, [`Rule::Required`] on a blank `beneficiary_name`.
    pub fn new(
        amount: Money,
        reference: MerchantReference,
        iban: Iban,
        beneficiary_name: impl Into<String>,
    ) -> Result<Self, ValidationError> {
        check::positive("amount", amount)?;
        let beneficiary_name = beneficiary_name.into();
        if beneficiary_name.trim().is_empty() {
            return Err(ValidationError::new("beneficiary_name", Rule::Required));
        }
        Ok(Self {
            amount,
            reference,
            iban,
            beneficiary_name,
            beneficiary_email: None,
            beneficiary_phone: None,
            customer: None,
            method: PayoutMethod::SepaTransfer,
            speed: PayoutSpeed::Normal,
            schedule_at: None,
            description: None,
        })
    }

    /// How much. Always positive.
    pub fn amount(&self) -> Money {
        self.amount
    }

    /// The merchant's reference: the reconciliation anchor.
    pub fn reference(&self) -> &MerchantReference {
        &self.reference
    }

    /// The beneficiary's name. Never blank.
    pub fn beneficiary_name(&self) -> &str {
        &self.beneficiary_name
    }

    /// Sets the beneficiary's email.
    #[must_use]
    pub fn with_beneficiary_email(mut self, email: Email) -> Self {
        self.beneficiary_email = Some(email);
        self
    }

    /// Sets the beneficiary's phone.
    #[must_use]
    pub fn with_beneficiary_phone(mut self, phone: Phone) -> Self {
        self.beneficiary_phone = Some(phone);
        self
    }

    /// Sets the customer.
    #[must_use]
    pub fn with_customer(mut self, customer: Customer) -> Self {
        self.customer = Some(customer);
        self
    }

    /// Sets the method.
    #[must_use]
    pub fn with_method(mut self, method: PayoutMethod) -> Self {
        self.method = method;
        self
    }

    /// Sets the speed.
    #[must_use]
    pub fn with_speed(mut self, speed: PayoutSpeed) -> Self {
        self.speed = speed;
        self
    }

    /// Schedules it.
    #[must_use]
    pub fn scheduled_at(mut self, at: SystemTime) -> Self {
        self.schedule_at = Some(at);
        self
    }

    /// Sets the description.
    #[must_use]
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

/// A payout as the provider reports it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Payout {
    /// The provider's id.
    pub id: PayoutId,
    /// Where it stands.
    pub status: PayoutStatus,
    /// The provider's own status value.
    pub provider_status: String,
    /// How much.
    pub amount: Money,
    /// The merchant's reference, when echoed.
    pub reference: Option<MerchantReference>,
    /// When it is to be sent, for scheduled payouts.
    pub schedule_at: Option<SystemTime>,
}

impl Payout {
    /// A payout.
    pub fn new(
        id: PayoutId,
        status: PayoutStatus,
        provider_status: impl Into<String>,
        amount: Money,
    ) -> Self {
        Self {
            id,
            status,
            provider_status: provider_status.into(),
            amount,
            reference: None,
            schedule_at: None,
        }
    }

    /// Sets the merchant reference.
    #[must_use]
    pub fn with_reference(mut self, reference: MerchantReference) -> Self {
        self.reference = Some(reference);
        self
    }

    /// Sets the scheduled time.
    #[must_use]
    pub fn with_schedule_at(mut self, at: SystemTime) -> Self {
        self.schedule_at = Some(at);
        self
    }
}

#[cfg(test)]
mod tests {
    use iso_currency::Currency;

    use super::*;

    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::EUR).unwrap()
    }

    fn reference() -> MerchantReference {
        MerchantReference::new("plan-1").unwrap()
    }

    #[test]
    fn intervals_have_names_and_spans() {
        let expected = [
            (Interval::Daily, "daily", (1, 0)),
            (Interval::Weekly, "weekly", (7, 0)),
            (Interval::Fortnightly, "fortnightly", (14, 0)),
            (Interval::Monthly, "monthly", (0, 1)),
            (Interval::EveryTwoMonths, "every_two_months", (0, 2)),
            (Interval::Quarterly, "quarterly", (0, 3)),
            (Interval::EveryFourMonths, "every_four_months", (0, 4)),
            (Interval::HalfYearly, "half_yearly", (0, 6)),
            (Interval::Yearly, "yearly", (0, 12)),
            (Interval::EveryTwoYears, "every_two_years", (0, 24)),
            (Interval::EveryThreeYears, "every_three_years", (0, 36)),
        ];
        assert_eq!(Interval::ALL.len(), expected.len());
        for (interval, name, span) in expected {
            assert_eq!(interval.as_str(), name);
            assert_eq!(interval.to_string(), name);
            assert_eq!(interval.span(), span, "{name}");
        }
        assert_eq!(Interval::monthly(), Interval::Monthly);
        assert!(
            Interval::Monthly
                .check_in(&[Interval::Monthly], &["monthly"])
                .is_ok()
        );
        assert!(
            Interval::Daily
                .check_in(&[Interval::Monthly], &["monthly"])
                .is_err()
        );
    }

    #[test]
    fn subscriptions_keep_their_terms() {
        let base = CreateSubscription::new(
            eur(999),
            reference(),
            PaymentMethod::HostedPage,
            Interval::Monthly,
        )
        .unwrap();
        assert_eq!(base.amount(), eur(999));
        assert_eq!(base.reference(), &reference());
        assert_eq!(base.occurrences(), None);
        assert_eq!(base.first_charge(), FirstCharge::AtStart);
        let twelve = base.clone().with_occurrences(12).unwrap();
        assert_eq!(twelve.occurrences(), Some(12));
        assert_eq!(
            base.clone().with_occurrences(0).unwrap_err().field(),
            "occurrences"
        );
        let now = base
            .clone()
            .with_first_charge(FirstCharge::NowWithAmount(eur(100)))
            .unwrap();
        assert_eq!(now.first_charge(), FirstCharge::NowWithAmount(eur(100)));
        assert_eq!(
            base.clone()
                .with_first_charge(FirstCharge::Now)
                .unwrap()
                .first_charge(),
            FirstCharge::Now
        );
        let usd = Money::from_minor(100, Currency::USD).unwrap();
        assert!(matches!(
            base.clone()
                .with_first_charge(FirstCharge::NowWithAmount(usd))
                .unwrap_err()
                .rule(),
            Rule::CurrencyMismatch { .. }
        ));
        assert!(
            base.with_first_charge(FirstCharge::NowWithAmount(eur(0)))
                .is_err()
        );
    }

    #[test]
    fn instalments_split_exactly() {
        let plan = CreateInstalments::new(
            eur(1000),
            3,
            reference(),
            PaymentMethod::HostedPage,
            Interval::Monthly,
        )
        .unwrap();
        assert_eq!(plan.count(), 3);
        assert_eq!(plan.total(), eur(1000));
        assert_eq!(plan.first_instalment(), None);
        assert_eq!(plan.schedule().unwrap(), [eur(334), eur(333), eur(333)]);
        let down = plan.clone().with_first_instalment(eur(400)).unwrap();
        assert_eq!(down.first_instalment(), Some(eur(400)));
        assert_eq!(down.schedule().unwrap(), [eur(400), eur(300), eur(300)]);
        // The other two instalments need one cent each: 998 leaves exactly that.
        let tight = plan.clone().with_first_instalment(eur(998)).unwrap();
        assert_eq!(tight.schedule().unwrap(), [eur(998), eur(1), eur(1)]);
        assert!(plan.clone().with_first_instalment(eur(999)).is_err());
        assert!(plan.with_first_instalment(eur(1000)).is_err());
    }

    #[test]
    fn payouts_name_their_beneficiary() {
        let payout = CreatePayout::new(
            eur(2500),
            reference(),
            Iban::parse("PT50 0002 0123 1234 5678 9015 4").unwrap(),
            "Ana Silva",
        )
        .unwrap();
        assert_eq!(payout.beneficiary_name(), "Ana Silva");
        assert_eq!(payout.amount(), eur(2500));
        assert_eq!(payout.reference(), &reference());
    }
}
