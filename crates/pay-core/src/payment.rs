//! Payments and refunds: what a caller asks for and what comes back.

use std::net::IpAddr;
use std::time::SystemTime;

use crate::bank::Iban;
use crate::card::CardDetails;
use crate::contact::{CountryCode, Email, Language, Phone, Url};
use crate::ids::{
    CardToken, CustomerReference, MandateId, MerchantReference, ProviderPaymentId, ProviderRefundId,
};
use crate::money::Money;
use crate::status::{PaymentMethodKind, PaymentStatus, RefundStatus};
use crate::validation::{ValidationError, check};

/// How the customer pays.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum PaymentMethod {
    /// The provider's hosted page, where the customer picks a method and enters card data
    /// (Easytransac payment page, Easypay checkout). Keeps the merchant out of PCI scope.
    HostedPage,
    /// Card data sent server to server (PCI DSS scope). 3-D Secure may follow as a
    /// [`NextAction::Redirect`].
    Card(CardDetails),
    /// A card saved earlier at the provider (1-click).
    SavedCard {
        /// The provider's token for the card.
        token: CardToken,
    },
    /// A SEPA direct debit from the customer's account.
    SepaDirectDebit {
        /// The debtor's IBAN.
        iban: Iban,
        /// The account holder's name.
        account_holder: String,
        /// An existing mandate to debit under, if any.
        mandate: Option<MandateId>,
    },
    /// A Multibanco reference for the customer to pay.
    Multibanco,
    /// An MB WAY request to the customer's phone.
    MbWay {
        /// The phone registered with MB WAY.
        phone: Phone,
    },
    /// A virtual IBAN for the customer to transfer to.
    VirtualIban,
    /// A bank transfer through open banking.
    OpenBanking,
    /// A method this enum does not name yet, by the provider's own code.
    Other {
        /// The provider's code for it.
        provider_code: String,
    },
}

impl PaymentMethod {
    /// The kind of method, when it maps to one.
    pub fn kind(&self) -> Option<PaymentMethodKind> {
        Some(match self {
            PaymentMethod::HostedPage | PaymentMethod::Other { .. } => return None,
            PaymentMethod::Card(_) | PaymentMethod::SavedCard { .. } => PaymentMethodKind::Card,
            PaymentMethod::SepaDirectDebit { .. } => PaymentMethodKind::SepaDirectDebit,
            PaymentMethod::Multibanco => PaymentMethodKind::Multibanco,
            PaymentMethod::MbWay { .. } => PaymentMethodKind::MbWay,
            PaymentMethod::VirtualIban => PaymentMethodKind::VirtualIban,
            PaymentMethod::OpenBanking => PaymentMethodKind::OpenBanking,
        })
    }
}

/// Whether funds are taken at once or only reserved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum CaptureMode {
    /// Take the funds at once (a sale).
    #[default]
    Automatic,
    /// Only authorise; capture later with [`Capture`](crate::Capture) or release with
    /// [`Void`](crate::Void).
    Manual,
}

/// A postal address.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Address {
    /// Street and number.
    pub line1: Option<String>,
    /// Further address line.
    pub line2: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Country.
    pub country: Option<CountryCode>,
}

impl Address {
    /// An empty address to fill in.
    pub fn new() -> Self {
        Self::default()
    }
}

/// The paying customer. Every field is optional here; providers and methods require
/// some (MB WAY needs a phone, Easytransac card payments need an email and the client's
/// IP address), and the adapter says which is missing before sending.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Customer {
    /// The merchant's own id for the customer.
    pub reference: Option<CustomerReference>,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Email.
    pub email: Option<Email>,
    /// Phone.
    pub phone: Option<Phone>,
    /// Preferred language.
    pub language: Option<Language>,
    /// Tax number, with its country prefix where the provider wants one (`PT123456789`).
    pub fiscal_number: Option<String>,
    /// Postal address.
    pub address: Option<Address>,
    /// The customer's IP address, for 3-D Secure and fraud checks.
    pub ip_address: Option<IpAddr>,
}

impl Customer {
    /// A customer with no details yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the merchant's customer reference.
    #[must_use]
    pub fn with_reference(mut self, reference: CustomerReference) -> Self {
        self.reference = Some(reference);
        self
    }

    /// Sets first and last name.
    #[must_use]
    pub fn with_name(mut self, first: impl Into<String>, last: impl Into<String>) -> Self {
        self.first_name = Some(first.into());
        self.last_name = Some(last.into());
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

    /// Sets the language.
    #[must_use]
    pub fn with_language(mut self, language: Language) -> Self {
        self.language = Some(language);
        self
    }

    /// Sets the IP address.
    #[must_use]
    pub fn with_ip_address(mut self, ip: IpAddr) -> Self {
        self.ip_address = Some(ip);
        self
    }

    /// Sets the postal address.
    #[must_use]
    pub fn with_address(mut self, address: Address) -> Self {
        self.address = Some(address);
        self
    }

    /// Sets the tax number.
    #[must_use]
    pub fn with_fiscal_number(mut self, fiscal_number: impl Into<String>) -> Self {
        self.fiscal_number = Some(fiscal_number.into());
        self
    }
}

/// A request to take a payment.
///
/// ```
/// use pay_core::{CreatePayment, Currency, MerchantReference, Money, PaymentMethod};
///
/// let request = CreatePayment::new(
///     Money::parse_major("29.99", Currency::EUR)?,
///     MerchantReference::new("order-42")?,
///     PaymentMethod::HostedPage,
/// )?
/// .with_description("Two tickets");
/// assert_eq!(request.amount.minor_units(), 2999);
///
/// let zero = Money::from_minor(0, Currency::EUR)?;
/// let err = CreatePayment::new(zero, MerchantReference::new("o")?, PaymentMethod::HostedPage).unwrap_err();
/// assert_eq!(err.to_string(), "`amount` must be greater than 0");
/// # Ok::<(), pay_core::ValidationError>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CreatePayment {
    /// How much, in which currency. Positive.
    pub amount: Money,
    /// The merchant's reference, unique per payment: the reconciliation anchor.
    pub reference: MerchantReference,
    /// How the customer pays.
    pub method: PaymentMethod,
    /// Take now or only authorise.
    pub capture: CaptureMode,
    /// The customer.
    pub customer: Option<Customer>,
    /// What is being paid for (statement descriptor or page text, per provider).
    pub description: Option<String>,
    /// Where the customer returns after a redirect (hosted page, 3-D Secure).
    pub return_url: Option<Url>,
    /// Where the customer goes on cancelling a hosted page.
    pub cancel_url: Option<Url>,
    /// Where the provider sends notifications for this payment, where it takes one per
    /// payment.
    pub notification_url: Option<Url>,
    /// When an unpaid reference or page stops being payable.
    pub expires_at: Option<SystemTime>,
}

impl CreatePayment {
    /// A request for `amount` with automatic capture and no optional details.
    ///
    /// # Errors
    /// [`Rule::Minimum`](crate::Rule::Minimum) on `amount` when it is zero or negative.
    pub fn new(
        amount: Money,
        reference: MerchantReference,
        method: PaymentMethod,
    ) -> Result<Self, ValidationError> {
        check::positive("amount", amount)?;
        Ok(Self {
            amount,
            reference,
            method,
            capture: CaptureMode::Automatic,
            customer: None,
            description: None,
            return_url: None,
            cancel_url: None,
            notification_url: None,
            expires_at: None,
        })
    }

    /// Authorise only.
    #[must_use]
    pub fn authorize_only(mut self) -> Self {
        self.capture = CaptureMode::Manual;
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

    /// Sets the cancel URL.
    #[must_use]
    pub fn with_cancel_url(mut self, url: Url) -> Self {
        self.cancel_url = Some(url);
        self
    }

    /// Sets the notification URL.
    #[must_use]
    pub fn with_notification_url(mut self, url: Url) -> Self {
        self.notification_url = Some(url);
        self
    }

    /// Sets the expiry.
    #[must_use]
    pub fn with_expiry(mut self, at: SystemTime) -> Self {
        self.expires_at = Some(at);
        self
    }
}

/// What the customer must do next, if anything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum NextAction {
    /// Nothing: the payment proceeds on its own.
    #[default]
    None,
    /// Send the customer's browser here (hosted page, 3-D Secure).
    Redirect {
        /// Where.
        url: Url,
    },
    /// Show the customer a reference to pay (Multibanco entity and reference, or a
    /// virtual IBAN).
    DisplayReference {
        /// The Multibanco entity, when there is one.
        entity: Option<String>,
        /// The reference or IBAN to pay to.
        reference: String,
        /// When it stops being payable.
        expires_at: Option<SystemTime>,
    },
    /// The customer must approve in an app (MB WAY), typically within minutes.
    AwaitApproval {
        /// Which channel, in words (`"MB WAY"`).
        channel: String,
    },
}

/// A payment as the provider reports it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Payment {
    /// The provider's id.
    pub id: ProviderPaymentId,
    /// The merchant's reference, when the provider echoes it.
    pub reference: Option<MerchantReference>,
    /// The amount asked for.
    pub amount: Money,
    /// Where it stands.
    pub status: PaymentStatus,
    /// The provider's own status value, exactly as received.
    pub provider_status: String,
    /// The method used, when known.
    pub method: Option<PaymentMethodKind>,
    /// How much has been captured, when the provider says.
    pub captured: Option<Money>,
    /// How much has been refunded, when the provider says.
    pub refunded: Option<Money>,
    /// What the customer must do next.
    pub next_action: NextAction,
    /// The provider's reason for a failure, when it gives one (code and message).
    pub failure: Option<Failure>,
    /// When the provider created it.
    pub created_at: Option<SystemTime>,
}

impl Payment {
    /// A payment with the required facts; add the rest with the `with_*` methods.
    pub fn new(
        id: ProviderPaymentId,
        amount: Money,
        status: PaymentStatus,
        provider_status: impl Into<String>,
    ) -> Self {
        Self {
            id,
            reference: None,
            amount,
            status,
            provider_status: provider_status.into(),
            method: None,
            captured: None,
            refunded: None,
            next_action: NextAction::None,
            failure: None,
            created_at: None,
        }
    }

    /// Sets the merchant reference.
    #[must_use]
    pub fn with_reference(mut self, reference: MerchantReference) -> Self {
        self.reference = Some(reference);
        self
    }

    /// Sets the method.
    #[must_use]
    pub fn with_method(mut self, method: PaymentMethodKind) -> Self {
        self.method = Some(method);
        self
    }

    /// Sets the captured amount.
    #[must_use]
    pub fn with_captured(mut self, captured: Money) -> Self {
        self.captured = Some(captured);
        self
    }

    /// Sets the refunded amount.
    #[must_use]
    pub fn with_refunded(mut self, refunded: Money) -> Self {
        self.refunded = Some(refunded);
        self
    }

    /// Sets the next action.
    #[must_use]
    pub fn with_next_action(mut self, next_action: NextAction) -> Self {
        self.next_action = next_action;
        self
    }

    /// Sets the failure reason.
    #[must_use]
    pub fn with_failure(mut self, failure: Failure) -> Self {
        self.failure = Some(failure);
        self
    }

    /// Sets the creation time.
    #[must_use]
    pub fn with_created_at(mut self, at: SystemTime) -> Self {
        self.created_at = Some(at);
        self
    }
}

/// Why a payment failed, in the provider's words.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Failure {
    /// The provider's code.
    pub code: Option<String>,
    /// The provider's message (redacted by the adapter).
    pub message: Option<String>,
}

impl Failure {
    /// A failure reason.
    pub fn new(code: Option<String>, message: Option<String>) -> Self {
        Self { code, message }
    }
}

/// A request to refund all or part of a payment.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RefundRequest {
    /// The payment.
    pub payment_id: ProviderPaymentId,
    /// How much; `None` refunds what remains.
    pub amount: Option<Money>,
    /// Why, for the records.
    pub reason: Option<String>,
    /// The merchant's reference for this refund.
    pub reference: Option<MerchantReference>,
}

impl RefundRequest {
    /// Refunds everything that remains of `payment_id`.
    pub fn full(payment_id: ProviderPaymentId) -> Self {
        Self {
            payment_id,
            amount: None,
            reason: None,
            reference: None,
        }
    }

    /// Refunds `amount` of `payment_id`.
    ///
    /// # Errors
    /// [`Rule::Minimum`](crate::Rule::Minimum) on `amount` when it is zero or negative.
    pub fn partial(payment_id: ProviderPaymentId, amount: Money) -> Result<Self, ValidationError> {
        check::positive("amount", amount)?;
        Ok(Self {
            amount: Some(amount),
            ..Self::full(payment_id)
        })
    }

    /// Sets the reason.
    #[must_use]
    pub fn with_reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    /// Sets the merchant reference.
    #[must_use]
    pub fn with_reference(mut self, reference: MerchantReference) -> Self {
        self.reference = Some(reference);
        self
    }
}

/// A refund as the provider reports it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Refund {
    /// The provider's refund id, when it has one (Easytransac refunds are reported on the
    /// payment itself).
    pub id: Option<ProviderRefundId>,
    /// The refunded payment.
    pub payment_id: ProviderPaymentId,
    /// How much.
    pub amount: Money,
    /// Where it stands.
    pub status: RefundStatus,
    /// The provider's own status value.
    pub provider_status: String,
}

impl Refund {
    /// A refund.
    pub fn new(
        id: Option<ProviderRefundId>,
        payment_id: ProviderPaymentId,
        amount: Money,
        status: RefundStatus,
        provider_status: impl Into<String>,
    ) -> Self {
        Self {
            id,
            payment_id,
            amount,
            status,
            provider_status: provider_status.into(),
        }
    }
}
