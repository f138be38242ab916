//! Credentials a provider hands back for later use: saved-card tokens (1-click) and
//! client-side checkout session tokens. Both let their holder act on the customer's
//! behalf, so they are secrets: no `Display`, a masked `Debug`, `expose_secret()` as the
//! one greppable way out.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

use crate::card::CardExpiry;
use crate::ids::ProviderCustomerId;
use crate::validation::{ValidationError, check};

/// A saved card's token at the provider (Easytransac `Alias`), for 1-click payments.
///
/// ```
/// use pay_core::CardToken;
///
/// let token = CardToken::new("a1b2c3d4e5f6")?;
/// assert_eq!(format!("{token:?}"), "CardToken(********e5f6)");
/// assert_eq!(token.expose_secret(), "a1b2c3d4e5f6");
/// # Ok::<(), pay_core::ValidationError>(())
/// ```
#[derive(Clone)]
pub struct CardToken(SecretString);

impl CardToken {
    /// The most characters a token may have.
    pub const MAX_LEN: usize = 255;

    /// Validates a token: 1 to 255 characters, no control characters.
    ///
    /// # Errors
    /// [`Rule::Required`](crate::Rule::Required), [`Rule::MaxLength`](crate::Rule::MaxLength)
    /// or [`Rule::ForbiddenCharacter`](crate::Rule::ForbiddenCharacter) on `card_token`.
    pub fn new(value: impl Into<String>) -> Result<Self, ValidationError> {
        let value = value.into();
        check::length("card_token", &value, Self::MAX_LEN)?;
        check::no_control("card_token", &value)?;
        Ok(Self(SecretString::from(value)))
    }

    /// The token, for the request that uses it.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl PartialEq for CardToken {
    fn eq(&self, other: &Self) -> bool {
        crate::webhook::constant_time_eq(
            self.expose_secret().as_bytes(),
            other.expose_secret().as_bytes(),
        )
    }
}

impl Eq for CardToken {}

impl fmt::Debug for CardToken {
    /// The last four characters at most, and only of tokens long enough to keep 8 hidden.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardToken({})", mask_tail(self.expose_secret()))
    }
}

/// Stars, then the last four characters when at least eight stay hidden.
fn mask_tail(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() >= 12 {
        let tail: String = chars[chars.len() - 4..].iter().collect();
        format!("********{tail}")
    } else {
        "********".to_owned()
    }
}

/// A card saved at the provider: everything a later 1-click charge needs, and what to
/// show the customer to recognise it.
///
/// Easytransac needs both the `Alias` ([`token`](Self::token)) and the `ClientId`
/// ([`customer`](Self::customer)) to charge a saved card.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SavedCard {
    /// The provider's token for the card.
    pub token: CardToken,
    /// The provider's customer the card belongs to, where the provider needs it to charge.
    pub customer: Option<ProviderCustomerId>,
    /// The card's last four digits, for display.
    pub last4: Option<String>,
    /// The card's expiry, for display and reminders.
    pub expiry: Option<CardExpiry>,
    /// The card scheme as the provider names it (`VISA`, `MASTERCARD`…).
    pub brand: Option<String>,
}

impl SavedCard {
    /// A saved card known by its token.
    pub fn new(token: CardToken) -> Self {
        Self {
            token,
            customer: None,
            last4: None,
            expiry: None,
            brand: None,
        }
    }

    /// Sets the provider's customer.
    #[must_use]
    pub fn with_customer(mut self, customer: ProviderCustomerId) -> Self {
        self.customer = Some(customer);
        self
    }

    /// Sets the last four digits. Anything but exactly four ASCII digits is dropped, so
    /// a full card number can never be stored here by mistake.
    #[must_use]
    pub fn with_last4(mut self, last4: &str) -> Self {
        self.last4 = (last4.len() == 4 && last4.bytes().all(|b| b.is_ascii_digit()))
            .then(|| last4.to_owned());
        self
    }

    /// Sets the expiry.
    #[must_use]
    pub fn with_expiry(mut self, expiry: CardExpiry) -> Self {
        self.expiry = Some(expiry);
        self
    }

    /// Sets the brand.
    #[must_use]
    pub fn with_brand(mut self, brand: impl Into<String>) -> Self {
        self.brand = Some(brand.into());
        self
    }
}

impl fmt::Debug for SavedCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SavedCard")
            .field("token", &self.token)
            .field("customer", &self.customer)
            .field("last4", &self.last4)
            .field("expiry", &self.expiry)
            .field("brand", &self.brand)
            .finish()
    }
}

/// A client-side checkout session token (Easypay checkout `session`), handed to the
/// provider's browser SDK. Whoever holds it can complete the checkout: never log it.
#[derive(Clone)]
pub struct SessionToken(SecretString);

impl SessionToken {
    /// Wraps a session token.
    ///
    /// # Errors
    /// [`Rule::Required`](crate::Rule::Required) or
    /// [`Rule::MaxLength`](crate::Rule::MaxLength) (4096) on `session`.
    pub fn new(value: impl Into<String>) -> Result<Self, ValidationError> {
        let value = value.into();
        check::length("session", &value, 4096)?;
        Ok(Self(SecretString::from(value)))
    }

    /// The token, for the page that starts the provider's SDK.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl PartialEq for SessionToken {
    fn eq(&self, other: &Self) -> bool {
        crate::webhook::constant_time_eq(
            self.expose_secret().as_bytes(),
            other.expose_secret().as_bytes(),
        )
    }
}

impl Eq for SessionToken {}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_never_show_in_full() {
        let token = CardToken::new("tok_4111111111111111").unwrap();
        let card = SavedCard::new(token.clone())
            .with_customer(ProviderCustomerId::new("cust-9").unwrap())
            .with_last4("1111")
            .with_brand("VISA");
        let shown = format!("{card:?}");
        assert!(!shown.contains("tok_4111"), "{shown}");
        assert!(shown.contains("********1111"), "{shown}");
        assert_eq!(
            format!("{:?}", CardToken::new("short").unwrap()),
            "CardToken(********)"
        );
        assert_eq!(card.token, token);
        assert_ne!(card.token, CardToken::new("other").unwrap());
        // A full number is never accepted as "last 4".
        assert_eq!(
            SavedCard::new(token).with_last4("4111111111111111").last4,
            None
        );
        let session = SessionToken::new("sess-secret-value").unwrap();
        assert_eq!(format!("{session:?}"), "SessionToken(***)");
        assert!(SessionToken::new("").is_err());
    }

    #[test]
    fn tokens_compare_by_value_and_expose_it_on_request() {
        let session = SessionToken::new("sess-secret-value").unwrap();
        assert_eq!(session.expose_secret(), "sess-secret-value");
        assert_eq!(session, SessionToken::new("sess-secret-value").unwrap());
        assert_ne!(session, SessionToken::new("sess-secret-valuf").unwrap());
        let token = CardToken::new("tok_123").unwrap();
        assert_eq!(token.expose_secret(), "tok_123");
        // Exactly 12 characters is long enough to show the last four.
        assert_eq!(
            format!("{:?}", CardToken::new("abcdefgh1234").unwrap()),
            "CardToken(********1234)"
        );
        assert_eq!(
            format!("{:?}", CardToken::new("abcdefg1234").unwrap()),
            "CardToken(********)"
        );
        let card = SavedCard::new(token.clone()).with_last4("4242");
        assert_eq!(card.last4.as_deref(), Some("4242"));
        assert_eq!(SavedCard::new(token).with_last4("42a2").last4, None);
    }
}
