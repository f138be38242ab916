//! SEPA mandates, subscriptions, instalment plans and payouts.

use std::time::SystemTime;

use crate::bank::Iban;
use crate::contact::{Email, Phone};
use crate::ids::{MandateId, MerchantReference, PayoutId, SubscriptionId};
use crate::money::Money;
use crate::payment::{Customer, PaymentMethod};
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
        })
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
}

impl Mandate {
    /// A mandate.
    pub fn new(id: MandateId, status: MandateStatus, provider_status: impl Into<String>) -> Self {
        Self {
            id,
            status,
            provider_status: provider_status.into(),
            reference: None,
        }
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
    /// How much. Positive.
    pub amount: Money,
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

    /// Sets the description.
    #[must_use]
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

/// The unit of a billing interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IntervalUnit {
    /// Days.
    Day,
    /// Weeks.
    Week,
    /// Calendar months.
    Month,
    /// Calendar years.
    Year,
}

/// Every `count` `unit`s (every 1 month, every 2 weeks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Interval {
    unit: IntervalUnit,
    count: u16,
}

impl Interval {
    /// Every `count` `unit`s.
    ///
    /// # Errors
    /// [`Rule::Range`] on `interval.count` unless 1..=366.
    pub fn new(unit: IntervalUnit, count: u16) -> Result<Self, ValidationError> {
        if !(1..=366).contains(&count) {
            return Err(ValidationError::new(
                "interval.count",
                Rule::Range { min: 1, max: 366 },
            ));
        }
        Ok(Self { unit, count })
    }

    /// Monthly.
    pub fn monthly() -> Self {
        Self {
            unit: IntervalUnit::Month,
            count: 1,
        }
    }

    /// The unit.
    pub fn unit(&self) -> IntervalUnit {
        self.unit
    }

    /// How many units.
    pub fn count(&self) -> u16 {
        self.count
    }
}

/// A request to charge the same amount on a schedule.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CreateSubscription {
    /// Each charge. Positive.
    pub amount: Money,
    /// The merchant's reference for the subscription.
    pub reference: MerchantReference,
    /// How the customer pays.
    pub method: PaymentMethod,
    /// How often.
    pub interval: Interval,
    /// How many charges in all; `None` until cancelled.
    pub occurrences: Option<u32>,
    /// When the first charge happens; `None` for now.
    pub starts_at: Option<SystemTime>,
    /// The customer.
    pub customer: Option<Customer>,
    /// What is being paid for.
    pub description: Option<String>,
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
            starts_at: None,
            customer: None,
            description: None,
        })
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
///     Interval::monthly(),
/// )?;
/// let parts: Vec<String> = plan.schedule()?.iter().map(|m| m.format_major()).collect();
/// assert_eq!(parts, ["33.34", "33.33", "33.33"]);
/// # Ok::<(), pay_core::ValidationError>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CreateInstalments {
    /// The whole price. Positive.
    pub total: Money,
    /// How many instalments (2 or more).
    pub count: u8,
    /// The merchant's reference for the plan.
    pub reference: MerchantReference,
    /// How the customer pays.
    pub method: PaymentMethod,
    /// Time between instalments.
    pub interval: Interval,
    /// The customer.
    pub customer: Option<Customer>,
}

impl CreateInstalments {
    /// An instalment plan.
    ///
    /// # Errors
    /// [`Rule::Minimum`] on `total`, [`Rule::Range`] on `count` (2..=48), or a total too
    /// small to give every instalment at least one minor unit.
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
            reference,
            method,
            interval,
            customer: None,
        })
    }

    /// The instalment amounts, adding up exactly to the total (earlier instalments take
    /// the leftover minor units).
    ///
    /// # Errors
    /// Never for a plan built by [`CreateInstalments::new`].
    pub fn schedule(&self) -> Result<Vec<Money>, ValidationError> {
        self.total.allocate(&vec![1; usize::from(self.count)])
    }

    /// Sets the customer.
    #[must_use]
    pub fn with_customer(mut self, customer: Customer) -> Self {
        self.customer = Some(customer);
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
        }
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

/// A request to pay money out to a bank account.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CreatePayout {
    /// How much. Positive.
    pub amount: Money,
    /// The merchant's reference: the reconciliation anchor.
    pub reference: MerchantReference,
    /// The beneficiary's IBAN.
    pub iban: Iban,
    /// The beneficiary's name.
    pub beneficiary_name: String,
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
            description: None,
        })
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
        }
    }

    /// Sets the merchant reference.
    #[must_use]
    pub fn with_reference(mut self, reference: MerchantReference) -> Self {
        self.reference = Some(reference);
        self
    }
}
