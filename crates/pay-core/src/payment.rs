//! Payments and refunds: what a caller asks for and what comes back.

use std::net::IpAddr;
use std::time::SystemTime;

use crate::bank::Iban;
use crate::card::CardDetails;
use crate::contact::{CountryCode, Email, Language, Phone, Url};
use crate::ids::{
    CheckoutId, CustomerReference, MandateId, MerchantReference, ProviderAuthorisationId,
    ProviderCaptureId, ProviderCustomerId, ProviderPaymentId, ProviderRefundId,
};
use crate::money::Money;
use crate::saved::{SavedCard, SessionToken};
use crate::status::{CaptureStatus, PaymentMethodKind, PaymentStatus, RefundStatus};
use crate::validation::{Rule, ValidationError, check};

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
    /// A card the customer enters on the provider's card form, no card data passing
    /// through the merchant (Easypay `cc`): the answer is a [`NextAction::CardForm`].
    CardForm,
    /// A card saved earlier at the provider (1-click).
    SavedCard(SavedCard),
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
            PaymentMethod::Card(_) | PaymentMethod::CardForm | PaymentMethod::SavedCard(_) => {
                PaymentMethodKind::Card
            }
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
/// The amount and reference are fixed at construction (the amount must be positive) and
/// read through [`amount`](Self::amount) and [`reference`](Self::reference); the rest
/// are optional details set with the `with_*` methods.
///
/// ```
/// use pay_core::{CreatePayment, Currency, MerchantReference, Money, PaymentMethod};
///
/// let request = CreatePayment::new(
///     Money::parse_major("29.99", Currency::EUR)?,
///     MerchantReference::new("order-42")?,
///     PaymentMethod::HostedPage,
/// )?
/// .with_description("Two tickets")
/// .save_card();
/// assert_eq!(request.amount().minor_units(), 2999);
/// assert!(request.saves_card());
///
/// let zero = Money::from_minor(0, Currency::EUR)?;
/// let err = CreatePayment::new(zero, MerchantReference::new("o")?, PaymentMethod::HostedPage).unwrap_err();
/// assert_eq!(err.to_string(), "`amount` must be greater than 0");
/// # Ok::<(), pay_core::ValidationError>(())
/// ```
///
/// The amount cannot be changed behind the constructor's check:
///
/// ```compile_fail
/// # use pay_core::{CreatePayment, Currency, MerchantReference, Money, PaymentMethod};
/// let mut request = CreatePayment::new(
///     Money::from_minor(100, Currency::EUR)?,
///     MerchantReference::new("o")?,
///     PaymentMethod::HostedPage,
/// )?;
/// request.amount = Money::from_minor(-100, Currency::EUR)?;
/// # Ok::<(), pay_core::ValidationError>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CreatePayment {
    amount: Money,
    reference: MerchantReference,
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
    /// Ask the provider to save the card for later 1-click charges; the payment then
    /// reports a [`SavedCard`] in [`Payment::saved_card`].
    save_card: bool,
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
            save_card: false,
        })
    }

    /// How much, in which currency. Always positive.
    pub fn amount(&self) -> Money {
        self.amount
    }

    /// The merchant's reference, unique per payment: the reconciliation anchor.
    pub fn reference(&self) -> &MerchantReference {
        &self.reference
    }

    /// Whether the card is to be saved for 1-click charges.
    pub fn saves_card(&self) -> bool {
        self.save_card
    }

    /// Authorise only.
    #[must_use]
    pub fn authorize_only(mut self) -> Self {
        self.capture = CaptureMode::Manual;
        self
    }

    /// Asks the provider to save the card for later 1-click charges. Adapters refuse it
    /// before sending for methods that have no card.
    #[must_use]
    pub fn save_card(mut self) -> Self {
        self.save_card = true;
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

/// What the customer must do next, if anything. Payments, subscriptions, instalment
/// plans and mandates can all stop here.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum NextAction {
    /// Nothing: the payment proceeds on its own.
    #[default]
    None,
    /// Send the customer's browser to `url`.
    Redirect {
        /// Where.
        url: Url,
        /// Why: what the customer will do there.
        purpose: RedirectPurpose,
    },
    /// Show the customer the provider's card-entry form at `url` (Easypay `cc`
    /// `method.url`); no card data passes through the merchant.
    CardForm {
        /// The form.
        url: Url,
    },
    /// Start the provider's browser SDK with this checkout session (Easypay checkout
    /// `{id, session}`).
    ClientSession {
        /// The checkout.
        checkout_id: CheckoutId,
        /// The session token the SDK takes. Secret: never log it.
        session: SessionToken,
    },
    /// The customer must approve in an app on their phone (MB WAY), typically within
    /// minutes.
    AwaitApproval {
        /// Which app.
        channel: ApprovalChannel,
        /// When the request lapses, when the provider says.
        expires_at: Option<SystemTime>,
    },
    /// Show the customer how to pay by reference (Multibanco entity and reference, or a
    /// virtual IBAN to transfer to).
    PayByReference {
        /// What to show.
        instructions: PaymentInstructions,
        /// When it stops being payable.
        expires_at: Option<SystemTime>,
    },
}

impl NextAction {
    /// Whether the customer has something to do.
    pub fn is_required(&self) -> bool {
        *self != NextAction::None
    }
}

/// Why the customer is sent somewhere.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RedirectPurpose {
    /// A 3-D Secure challenge.
    ThreeDSecure,
    /// The provider's hosted payment page.
    PaymentPage,
    /// The signature page of a SEPA direct-debit mandate.
    MandateSignature,
    /// The customer's bank, for an open-banking transfer.
    BankAuthorisation,
    /// Something else, in the provider's words.
    Other(String),
}

/// An app the customer approves a payment in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApprovalChannel {
    /// MB WAY (Portugal).
    MbWay,
    /// Another app, in the provider's words.
    Other(String),
}

/// How to pay by reference.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PaymentInstructions {
    /// A Multibanco entity and reference, paid at an ATM or in home banking.
    Multibanco {
        /// The 5-digit entity.
        entity: String,
        /// The reference.
        reference: String,
    },
    /// A SEPA transfer to a virtual IBAN issued for this payment.
    VirtualIban {
        /// The IBAN to transfer to (masked when shown).
        iban: Iban,
    },
}

/// A capture of an authorised payment, where the provider keeps captures apart (Easypay
/// captures have ids of their own, and refunds take one).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CaptureRecord {
    /// The provider's id for the capture, when it has one.
    pub id: Option<ProviderCaptureId>,
    /// How much.
    pub amount: Money,
    /// Where it stands.
    pub status: CaptureStatus,
    /// The provider's own status value, exactly as received.
    pub provider_status: String,
    /// When the provider made (or will make) it.
    pub captured_at: Option<SystemTime>,
}

impl CaptureRecord {
    /// A capture.
    pub fn new(
        id: Option<ProviderCaptureId>,
        amount: Money,
        status: CaptureStatus,
        provider_status: impl Into<String>,
    ) -> Self {
        Self {
            id,
            amount,
            status,
            provider_status: provider_status.into(),
            captured_at: None,
        }
    }

    /// Sets when it was made.
    #[must_use]
    pub fn with_captured_at(mut self, at: SystemTime) -> Self {
        self.captured_at = Some(at);
        self
    }
}

/// A payment as the provider reports it.
///
/// `id` is the provider's payment id, which exists only once the provider has created the
/// payment: an unpaid hosted page or checkout has a [`checkout_id`](Self::checkout_id)
/// and no `id` yet (Easytransac assigns the `Tid` when the customer pays; Easypay creates
/// the payment when the checkout completes). The merchant reference is the stable
/// handle across that change: [`Payments::find_by_reference`](crate::Payments::find_by_reference)
/// finds the payment whatever its ids are.
///
/// A payment the provider created and then declined is still a `Payment`, with
/// [`PaymentStatus::Failed`] and a [`failure`](Self::failure): see
/// [`Payments::create_payment`](crate::Payments::create_payment).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Payment {
    /// The provider's payment id, once there is one.
    pub id: Option<ProviderPaymentId>,
    /// The hosted page or checkout session the payment was made through, when there was one.
    pub checkout_id: Option<CheckoutId>,
    /// The merchant's reference, when the provider echoes it.
    pub reference: Option<MerchantReference>,
    /// The payment's amount as the provider reports it: the amount asked for. After a
    /// partial capture some providers report the captured amount here instead
    /// (Easytransac); [`captured`](Self::captured) is always what was taken.
    pub amount: Money,
    /// Where it stands.
    pub status: PaymentStatus,
    /// The provider's own status value, exactly as received.
    pub provider_status: String,
    /// The method used, when known.
    pub method: Option<PaymentMethodKind>,
    /// The authorisation, where the provider gives authorisations ids of their own
    /// (Easypay: what a void needs).
    pub authorisation_id: Option<ProviderAuthorisationId>,
    /// The captures made, where the provider reports them one by one (Easypay: a
    /// refund needs the capture's id).
    pub captures: Vec<CaptureRecord>,
    /// The refunds made, where the provider reports them.
    pub refunds: Vec<Refund>,
    /// How much has been captured, when the provider says.
    pub captured: Option<Money>,
    /// How much has been refunded, when the provider says.
    pub refunded: Option<Money>,
    /// What the customer must do next.
    pub next_action: NextAction,
    /// The provider's reason for a failure, when it gives one (code and message).
    pub failure: Option<Failure>,
    /// The card the provider saved for 1-click charges, when asked to and it did.
    pub saved_card: Option<SavedCard>,
    /// The provider's id for the customer, when it returns one.
    pub customer_id: Option<ProviderCustomerId>,
    /// When the provider created it.
    pub created_at: Option<SystemTime>,
}

impl Payment {
    /// A payment the provider has created, with the required facts; add the rest with
    /// the `with_*` methods.
    pub fn new(
        id: ProviderPaymentId,
        amount: Money,
        status: PaymentStatus,
        provider_status: impl Into<String>,
    ) -> Self {
        let mut payment = Self::without_id(amount, status, provider_status);
        payment.id = Some(id);
        payment
    }

    /// A hosted page or checkout the customer has not paid yet: no payment id exists.
    pub fn awaiting_checkout(
        checkout_id: CheckoutId,
        amount: Money,
        status: PaymentStatus,
        provider_status: impl Into<String>,
    ) -> Self {
        let mut payment = Self::without_id(amount, status, provider_status);
        payment.checkout_id = Some(checkout_id);
        payment
    }

    fn without_id(
        amount: Money,
        status: PaymentStatus,
        provider_status: impl Into<String>,
    ) -> Self {
        Self {
            id: None,
            checkout_id: None,
            reference: None,
            amount,
            status,
            provider_status: provider_status.into(),
            method: None,
            authorisation_id: None,
            captures: Vec::new(),
            refunds: Vec::new(),
            captured: None,
            refunded: None,
            next_action: NextAction::None,
            failure: None,
            saved_card: None,
            customer_id: None,
            created_at: None,
        }
    }

    /// The provider's payment id.
    ///
    /// # Errors
    /// [`Rule::Required`] on `payment_id` while the payment exists only as an unpaid
    /// page or checkout.
    pub fn require_id(&self) -> Result<&ProviderPaymentId, ValidationError> {
        self.id
            .as_ref()
            .ok_or_else(|| ValidationError::new("payment_id", Rule::Required))
    }

    /// Sets the checkout.
    #[must_use]
    pub fn with_checkout_id(mut self, checkout_id: CheckoutId) -> Self {
        self.checkout_id = Some(checkout_id);
        self
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

    /// Sets the authorisation id.
    #[must_use]
    pub fn with_authorisation_id(mut self, id: ProviderAuthorisationId) -> Self {
        self.authorisation_id = Some(id);
        self
    }

    /// Adds a capture.
    #[must_use]
    pub fn with_capture(mut self, capture: CaptureRecord) -> Self {
        self.captures.push(capture);
        self
    }

    /// Adds a refund.
    #[must_use]
    pub fn with_refund(mut self, refund: Refund) -> Self {
        self.refunds.push(refund);
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

    /// Sets the saved card.
    #[must_use]
    pub fn with_saved_card(mut self, card: SavedCard) -> Self {
        self.saved_card = Some(card);
        self
    }

    /// Sets the provider's customer id.
    #[must_use]
    pub fn with_customer_id(mut self, id: ProviderCustomerId) -> Self {
        self.customer_id = Some(id);
        self
    }

    /// Sets the creation time.
    #[must_use]
    pub fn with_created_at(mut self, at: SystemTime) -> Self {
        self.created_at = Some(at);
        self
    }

    /// What is left to refund of `capture`: its amount less the refunds of it that
    /// succeeded or are pending (as [`refunds`](Self::refunds) reports them).
    pub fn remaining_on(&self, capture: &CaptureRecord) -> Money {
        let Some(id) = &capture.id else {
            return capture.amount;
        };
        self.refunds
            .iter()
            .filter(|r| r.capture_id.as_ref() == Some(id))
            .filter(|r| matches!(r.status, RefundStatus::Succeeded | RefundStatus::Pending))
            .try_fold(capture.amount, |left, r| left.checked_sub(r.amount))
            .unwrap_or(capture.amount)
    }

    /// The captures that succeeded and still have money to refund, oldest first, with
    /// what is left on each.
    pub fn refundable_captures(&self) -> Vec<(&CaptureRecord, Money)> {
        self.captures
            .iter()
            .filter(|c| c.status == CaptureStatus::Succeeded)
            .map(|c| (c, self.remaining_on(c)))
            .filter(|(_, left)| left.is_positive())
            .collect()
    }

    /// The latest capture that succeeded and still has money to refund, for providers
    /// whose refunds take a capture id.
    pub fn refundable_capture(&self) -> Option<&CaptureRecord> {
        self.refundable_captures().last().map(|(c, _)| *c)
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
///
/// It names the payment; an adapter whose provider refunds captures (Easypay) resolves
/// the capture from [`Payment::captures`], or takes the one set with
/// [`with_capture`](Self::with_capture).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RefundRequest {
    /// The payment.
    pub payment_id: ProviderPaymentId,
    amount: Option<Money>,
    /// The capture to refund, where the provider refunds captures and the payment has
    /// several.
    pub capture_id: Option<ProviderCaptureId>,
    /// Why, for the records.
    pub reason: Option<String>,
    /// The merchant's reference for this refund.
    pub reference: Option<MerchantReference>,
    /// Where to send the money, for methods with no card or account to refund to
    /// (Easypay Multibanco refunds need an IBAN, a holder, an email and a phone).
    pub bank_account: Option<RefundAccount>,
}

impl RefundRequest {
    /// Refunds everything that remains of `payment_id`.
    pub fn full(payment_id: ProviderPaymentId) -> Self {
        Self {
            payment_id,
            amount: None,
            capture_id: None,
            reason: None,
            reference: None,
            bank_account: None,
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

    /// How much; `None` refunds what remains. Always positive when set.
    pub fn amount(&self) -> Option<Money> {
        self.amount
    }

    /// Refunds this capture.
    #[must_use]
    pub fn with_capture(mut self, capture_id: ProviderCaptureId) -> Self {
        self.capture_id = Some(capture_id);
        self
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

    /// Sets the account to refund to.
    #[must_use]
    pub fn to_account(mut self, account: RefundAccount) -> Self {
        self.bank_account = Some(account);
        self
    }
}

/// The bank account a refund is paid to, for methods that have none to refund to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RefundAccount {
    /// The IBAN (masked when shown).
    pub iban: Iban,
    /// The account holder.
    pub holder: String,
    /// The holder's email.
    pub email: Option<Email>,
    /// The holder's phone.
    pub phone: Option<Phone>,
}

impl RefundAccount {
    /// An account.
    ///
    /// # Errors
    /// [`Rule::Required`] on `bank_account.holder` when blank.
    pub fn new(iban: Iban, holder: impl Into<String>) -> Result<Self, ValidationError> {
        let holder = holder.into();
        if holder.trim().is_empty() {
            return Err(ValidationError::new("bank_account.holder", Rule::Required));
        }
        Ok(Self {
            iban,
            holder,
            email: None,
            phone: None,
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
}

/// A request to capture an authorised payment.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CaptureRequest {
    /// The payment.
    pub payment_id: ProviderPaymentId,
    amount: Option<Money>,
    /// Text for the customer's statement (Easypay `descriptive`, required there).
    pub descriptive: Option<String>,
    /// The merchant's reference for this capture (Easypay `transaction_key`).
    pub reference: Option<MerchantReference>,
}

impl CaptureRequest {
    /// Captures everything authorised.
    pub fn full(payment_id: ProviderPaymentId) -> Self {
        Self {
            payment_id,
            amount: None,
            descriptive: None,
            reference: None,
        }
    }

    /// Captures `amount`.
    ///
    /// # Errors
    /// [`Rule::Minimum`] on `amount` when it is zero or negative.
    pub fn partial(payment_id: ProviderPaymentId, amount: Money) -> Result<Self, ValidationError> {
        check::positive("amount", amount)?;
        Ok(Self {
            amount: Some(amount),
            ..Self::full(payment_id)
        })
    }

    /// How much; `None` captures everything authorised.
    pub fn amount(&self) -> Option<Money> {
        self.amount
    }

    /// Sets the statement text.
    #[must_use]
    pub fn with_descriptive(mut self, text: impl Into<String>) -> Self {
        self.descriptive = Some(text.into());
        self
    }

    /// Sets the merchant reference.
    #[must_use]
    pub fn with_reference(mut self, reference: MerchantReference) -> Self {
        self.reference = Some(reference);
        self
    }
}

/// A request to release an authorisation.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct VoidRequest {
    /// The payment.
    pub payment_id: ProviderPaymentId,
    /// Text for the records (Easypay `descriptive`, required there).
    pub descriptive: Option<String>,
    /// The merchant's reference for this void (Easypay `transaction_key`).
    pub reference: Option<MerchantReference>,
}

impl VoidRequest {
    /// Voids `payment_id`'s authorisation.
    pub fn new(payment_id: ProviderPaymentId) -> Self {
        Self {
            payment_id,
            descriptive: None,
            reference: None,
        }
    }

    /// Sets the text.
    #[must_use]
    pub fn with_descriptive(mut self, text: impl Into<String>) -> Self {
        self.descriptive = Some(text.into());
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
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Refund {
    /// The provider's refund id, when it has one (Easytransac refunds are reported on the
    /// payment itself).
    pub id: Option<ProviderRefundId>,
    /// The refunded payment.
    pub payment_id: ProviderPaymentId,
    /// The refunded capture, where the provider refunds captures.
    pub capture_id: Option<ProviderCaptureId>,
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
            capture_id: None,
            amount,
            status,
            provider_status: provider_status.into(),
        }
    }

    /// Sets the refunded capture.
    #[must_use]
    pub fn with_capture_id(mut self, id: ProviderCaptureId) -> Self {
        self.capture_id = Some(id);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;

    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::EUR).unwrap()
    }

    #[test]
    fn customer_builders_set_what_they_name() {
        let mut address = Address::new();
        address.city = Some("Lisboa".to_owned());
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let customer = Customer::new()
            .with_reference(CustomerReference::new("cust-1").unwrap())
            .with_name("Ana", "Silva")
            .with_email(Email::parse("ana@example.pt").unwrap())
            .with_phone(Phone::new("+351", "911234567").unwrap())
            .with_language(Language::parse("pt").unwrap())
            .with_ip_address(ip)
            .with_address(address.clone())
            .with_fiscal_number("123456789");
        assert_eq!(customer.reference.unwrap().as_str(), "cust-1");
        assert_eq!(customer.first_name.as_deref(), Some("Ana"));
        assert_eq!(customer.last_name.as_deref(), Some("Silva"));
        assert_eq!(customer.email.unwrap().as_str(), "ana@example.pt");
        assert_eq!(customer.phone.unwrap().number(), "911234567");
        assert_eq!(customer.language.unwrap().as_str(), "pt");
        assert_eq!(customer.ip_address, Some(ip));
        assert_eq!(customer.address, Some(address));
        assert_eq!(customer.fiscal_number.as_deref(), Some("123456789"));
    }

    #[test]
    fn an_unpaid_checkout_has_no_payment_id() {
        let page = Payment::awaiting_checkout(
            CheckoutId::new("req-123").unwrap(),
            eur(1000),
            PaymentStatus::Pending,
            "pending",
        );
        assert_eq!(page.id, None);
        assert_eq!(page.checkout_id.as_ref().unwrap().as_str(), "req-123");
        assert_eq!(
            page.require_id().unwrap_err().to_string(),
            "`payment_id` is required"
        );
        let paid = page
            .clone()
            .with_checkout_id(CheckoutId::new("req-123").unwrap());
        assert!(paid.id.is_none());
        let tid = Payment::new(
            ProviderPaymentId::new("T1").unwrap(),
            eur(1000),
            PaymentStatus::Captured,
            "captured",
        );
        assert_eq!(tid.require_id().unwrap().as_str(), "T1");
    }

    #[test]
    fn payments_expose_their_captures_refunds_and_authorisation() {
        let payment = Payment::new(
            ProviderPaymentId::new("p1").unwrap(),
            eur(1000),
            PaymentStatus::PartiallyRefunded,
            "paid",
        )
        .with_authorisation_id(ProviderAuthorisationId::new("a1").unwrap())
        .with_capture(CaptureRecord::new(
            Some(ProviderCaptureId::new("c1").unwrap()),
            eur(600),
            CaptureStatus::Succeeded,
            "success",
        ))
        .with_capture(CaptureRecord::new(
            Some(ProviderCaptureId::new("c2").unwrap()),
            eur(400),
            CaptureStatus::Failed,
            "failed",
        ))
        .with_refund(
            Refund::new(
                Some(ProviderRefundId::new("r1").unwrap()),
                ProviderPaymentId::new("p1").unwrap(),
                eur(100),
                RefundStatus::Succeeded,
                "success",
            )
            .with_capture_id(ProviderCaptureId::new("c1").unwrap()),
        );
        assert_eq!(payment.authorisation_id.as_ref().unwrap().as_str(), "a1");
        // The failed capture is not refundable; the succeeded one is.
        assert_eq!(
            payment
                .refundable_capture()
                .unwrap()
                .id
                .as_ref()
                .unwrap()
                .as_str(),
            "c1"
        );
        assert_eq!(
            payment.refunds[0].capture_id.as_ref().unwrap().as_str(),
            "c1"
        );
        // 600 captured on c1 less its 100 refund.
        let refundable = payment.refundable_captures();
        assert_eq!(refundable.len(), 1);
        assert_eq!(refundable[0].1, eur(500));
        assert_eq!(payment.remaining_on(&payment.captures[0]), eur(500));
        // A refund of another capture, or a failed one, leaves c1 as it was.
        let other = payment
            .clone()
            .with_refund(
                Refund::new(
                    None,
                    ProviderPaymentId::new("p1").unwrap(),
                    eur(50),
                    RefundStatus::Succeeded,
                    "success",
                )
                .with_capture_id(ProviderCaptureId::new("c9").unwrap()),
            )
            .with_refund(
                Refund::new(
                    None,
                    ProviderPaymentId::new("p1").unwrap(),
                    eur(70),
                    RefundStatus::Failed,
                    "failed",
                )
                .with_capture_id(ProviderCaptureId::new("c1").unwrap()),
            );
        assert_eq!(other.remaining_on(&other.captures[0]), eur(500));
        // A capture without an id has all of its amount left.
        let anonymous = CaptureRecord::new(None, eur(300), CaptureStatus::Succeeded, "ok");
        assert_eq!(payment.remaining_on(&anonymous), eur(300));
        // Fully refunded captures are not refundable.
        let done = payment.with_refund(
            Refund::new(
                None,
                ProviderPaymentId::new("p1").unwrap(),
                eur(500),
                RefundStatus::Pending,
                "pending",
            )
            .with_capture_id(ProviderCaptureId::new("c1").unwrap()),
        );
        assert!(done.refundable_captures().is_empty());
        assert!(done.refundable_capture().is_none());
    }

    #[test]
    fn next_actions_cover_every_customer_step() {
        let url = Url::parse("https://pay.example/3ds/T1").unwrap();
        let actions = [
            NextAction::Redirect {
                url: url.clone(),
                purpose: RedirectPurpose::ThreeDSecure,
            },
            NextAction::Redirect {
                url: url.clone(),
                purpose: RedirectPurpose::MandateSignature,
            },
            NextAction::CardForm { url: url.clone() },
            NextAction::ClientSession {
                checkout_id: CheckoutId::new("chk-1").unwrap(),
                session: SessionToken::new("very-secret-session").unwrap(),
            },
            NextAction::AwaitApproval {
                channel: ApprovalChannel::MbWay,
                expires_at: None,
            },
            NextAction::PayByReference {
                instructions: PaymentInstructions::Multibanco {
                    entity: "21098".to_owned(),
                    reference: "123 456 789".to_owned(),
                },
                expires_at: None,
            },
            NextAction::PayByReference {
                instructions: PaymentInstructions::VirtualIban {
                    iban: Iban::parse("PT50000201231234567890154").unwrap(),
                },
                expires_at: None,
            },
        ];
        for action in &actions {
            assert!(action.is_required());
            let shown = format!("{action:?}");
            assert!(!shown.contains("very-secret-session"), "{shown}");
            assert!(!shown.contains("PT50000201231234567890154"), "{shown}");
        }
        assert!(!NextAction::None.is_required());
    }

    #[test]
    fn saving_a_card_is_a_typed_option_and_a_saved_card_pays() {
        let reference = MerchantReference::new("o-1").unwrap();
        let request =
            CreatePayment::new(eur(500), reference.clone(), PaymentMethod::HostedPage).unwrap();
        assert!(!request.saves_card());
        assert!(request.save_card().saves_card());
        let card = SavedCard::new(crate::CardToken::new("alias-0001-0002").unwrap())
            .with_customer(ProviderCustomerId::new("client-9").unwrap());
        let one_click =
            CreatePayment::new(eur(500), reference, PaymentMethod::SavedCard(card)).unwrap();
        match &one_click.method {
            PaymentMethod::SavedCard(card) => {
                assert_eq!(card.customer.as_ref().unwrap().as_str(), "client-9");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(one_click.method.kind(), Some(PaymentMethodKind::Card));
        assert_eq!(
            PaymentMethod::CardForm.kind(),
            Some(PaymentMethodKind::Card)
        );
    }

    #[test]
    fn capture_void_and_refund_requests_carry_what_providers_require() {
        let id = ProviderPaymentId::new("p1").unwrap();
        let capture = CaptureRequest::partial(id.clone(), eur(300))
            .unwrap()
            .with_descriptive("Order 42");
        assert_eq!(capture.amount(), Some(eur(300)));
        assert_eq!(capture.descriptive.as_deref(), Some("Order 42"));
        assert_eq!(
            CaptureRequest::partial(id.clone(), eur(0))
                .unwrap_err()
                .to_string(),
            "`amount` must be greater than 0"
        );
        let void = VoidRequest::new(id.clone()).with_descriptive("customer cancelled");
        assert_eq!(void.descriptive.as_deref(), Some("customer cancelled"));
        let account = RefundAccount::new(Iban::parse("PT50000201231234567890154").unwrap(), "Ana")
            .unwrap()
            .with_email(Email::parse("ana@example.pt").unwrap());
        let refund = RefundRequest::full(id.clone())
            .with_capture(ProviderCaptureId::new("c1").unwrap())
            .to_account(account);
        assert!(refund.amount().is_none());
        assert_eq!(refund.capture_id.as_ref().unwrap().as_str(), "c1");
        assert!(!format!("{refund:?}").contains("PT50000201231234567890154"));
        assert_eq!(
            RefundAccount::new(Iban::parse("PT50000201231234567890154").unwrap(), " ")
                .unwrap_err()
                .to_string(),
            "`bank_account.holder` is required"
        );
    }
}
