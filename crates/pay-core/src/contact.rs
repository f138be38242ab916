//! Customer contact and locale values: [`Email`], [`Phone`], [`CountryCode`], [`Language`],
//! and [`Url`] for redirect and notification addresses.

use std::fmt;
use std::str::FromStr;

use crate::validation::{Rule, ValidationError, check};

/// An email address, checked for the shape providers accept: one `@`, a local part of 1
/// to 64 characters, a domain with a dot and no empty label, no spaces or control
/// characters, at most 254 characters in all. (Full RFC 5322 is deliberately not
/// accepted: quoted local parts and IP literals are refused by the providers anyway.)
///
/// ```
/// use pay_core::Email;
///
/// assert_eq!(Email::parse("john@doe.com")?.as_str(), "john@doe.com");
/// let err = Email::parse("john@localhost").unwrap_err();
/// assert_eq!(err.to_string(), "`email` must be an email address such as name@example.com");
/// # Ok::<(), pay_core::ValidationError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// Validates `text`.
    ///
    /// # Errors
    /// [`Rule::MaxLength`] past 254 characters, [`Rule::Format`] otherwise.
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        Self::check(text)?;
        Ok(Self(text.to_owned()))
    }

    /// [`Email::parse`]'s checks, without keeping the address (validation of a wire
    /// type's field, on every call that carries one).
    pub(crate) fn check(text: &str) -> Result<(), ValidationError> {
        check::length("email", text, 254)?;
        let format = || {
            ValidationError::new(
                "email",
                Rule::Format {
                    expected: "an email address such as name@example.com",
                },
            )
        };
        let (local, domain) = text.split_once('@').ok_or_else(format)?;
        let bad_char = |c: char| c.is_whitespace() || c.is_control() || c == '@';
        if local.is_empty()
            || local.chars().count() > 64
            || local.chars().any(bad_char)
            || domain.chars().any(bad_char)
            || !domain.contains('.')
            || domain.split('.').any(str::is_empty)
        {
            return Err(format());
        }
        Ok(())
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Email {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// A phone number as providers take it: the country calling code (`+351`) apart from the
/// national number (`911234567`), as Easypay's MB WAY requires.
///
/// ```
/// use pay_core::Phone;
///
/// let phone = Phone::new("+351", "911234567")?;
/// assert_eq!(phone.indicative(), "+351");
/// assert_eq!(phone.number(), "911234567");
/// assert_eq!(phone.to_string(), "+351 911234567");
/// assert_eq!(Phone::new("351", "911234567").unwrap_err().field(), "phone.indicative");
/// # Ok::<(), pay_core::ValidationError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone {
    indicative: String,
    number: String,
}

impl Phone {
    /// Validates the country calling code (`+` then 1 to 4 digits, the `+1-684` style
    /// written `+1684`) and the national number (4 to 15 digits, no spaces; E.164 allows
    /// 15 digits in all).
    ///
    /// # Errors
    /// [`Rule::Format`] on `phone.indicative`, [`Rule::Digits`] / lengths on `phone.number`.
    pub fn new(indicative: &str, number: &str) -> Result<Self, ValidationError> {
        let code = indicative.strip_prefix('+').unwrap_or("");
        if code.is_empty() || code.len() > 4 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ValidationError::new(
                "phone.indicative",
                Rule::Format {
                    expected: "a country calling code: '+' and 1 to 4 digits, such as +351",
                },
            ));
        }
        check::digits("phone.number", number)?;
        check::min_length("phone.number", number, 4)?;
        check::max_length("phone.number", number, 15)?;
        Ok(Self {
            indicative: indicative.to_owned(),
            number: number.to_owned(),
        })
    }

    /// The country calling code with its `+`.
    pub fn indicative(&self) -> &str {
        &self.indicative
    }

    /// The national number, digits only.
    pub fn number(&self) -> &str {
        &self.number
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.indicative, self.number)
    }
}

macro_rules! two_letter_code {
    ($(#[$doc:meta])* $name:ident, $field:literal, $case:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name([u8; 2]);

        impl $name {
            /// Validates two ASCII letters (either case; stored normalised).
            ///
            /// # Errors
            /// [`Rule::Format`] otherwise.
            pub fn parse(text: &str) -> Result<Self, ValidationError> {
                match text.as_bytes() {
                    [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
                        Ok(Self([a.$case(), b.$case()]))
                    }
                    _ => Err(ValidationError::new($field, Rule::Format { expected: $what })),
                }
            }

            /// The code.
            pub fn as_str(&self) -> &str {
                // Two ASCII letters are always UTF-8.
                std::str::from_utf8(&self.0).unwrap_or("??")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = ValidationError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
    };
}

two_letter_code!(
    /// An ISO 3166-1 alpha-2 country code, upper case (`PT`, `FR`).
    CountryCode,
    "country",
    to_ascii_uppercase,
    "an ISO 3166-1 two-letter country code such as PT"
);

two_letter_code!(
    /// An ISO 639-1 language code, lower case (`pt`, `fr`, `en`). Providers that want
    /// upper case (Easypay's `PT`) convert in their adapter.
    Language,
    "language",
    to_ascii_lowercase,
    "an ISO 639-1 two-letter language code such as fr"
);

/// An absolute `https://` URL (or `http://` for loopback hosts, so tests can use local
/// servers), at most 2048 characters, without whitespace or control characters. Used for
/// return, cancel and notification addresses and for redirects the provider hands back.
///
/// ```
/// use pay_core::Url;
///
/// assert!(Url::parse("https://shop.example/return?order=42").is_ok());
/// assert!(Url::parse("http://127.0.0.1:8080/hook").is_ok());
/// assert!(Url::parse("http://shop.example/return").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Url(String);

impl Url {
    /// Validates `text`.
    ///
    /// # Errors
    /// [`Rule::Format`] when not an absolute https URL (or http on loopback),
    /// [`Rule::MaxLength`] past 2048 characters.
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        check::length("url", text, 2048)?;
        let format = || {
            ValidationError::new(
                "url",
                Rule::Format {
                    expected: "an absolute https:// URL (http:// only for 127.0.0.1, [::1] or localhost)",
                },
            )
        };
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(format());
        }
        let (scheme, rest) = text.split_once("://").ok_or_else(format)?;
        let host_port = rest.split(['/', '?', '#']).next().unwrap_or("");
        let host = if host_port.starts_with('[') {
            host_port.split(']').next().map(|h| format!("{h}]"))
        } else {
            host_port.split(':').next().map(str::to_owned)
        }
        .unwrap_or_default();
        if host.is_empty() || host_port.contains('@') {
            return Err(format());
        }
        // A loopback address, parsed as one: `127.evil.example` is a public name.
        let loopback = host == "localhost"
            || host == "[::1]"
            || host
                .parse::<std::net::Ipv4Addr>()
                .is_ok_and(|ip| ip.is_loopback());
        match scheme {
            "https" => Ok(Self(text.to_owned())),
            "http" if loopback => Ok(Self(text.to_owned())),
            _ => Err(format()),
        }
    }

    /// The URL.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Url {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_rules() {
        for ok in ["a@b.co", "first.last+tag@sub.example.pt"] {
            assert!(Email::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "plain",
            "@x.com",
            "a@",
            "a@b",
            "a@.com",
            "a@b..com",
            "a b@c.com",
            "a@b@c.com",
        ] {
            let err = Email::parse(bad).unwrap_err();
            assert_eq!(err.field(), "email", "{bad}");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(matches!(
            Email::parse(&long).unwrap_err().rule(),
            Rule::MaxLength { max: 254, .. }
        ));
        assert_eq!(
            Email::parse("").unwrap_err().to_string(),
            "`email` is required"
        );
    }

    #[test]
    fn contacts_give_back_what_was_parsed() {
        let email: Email = "buyer@example.pt".parse().unwrap();
        assert_eq!(email.as_str(), "buyer@example.pt");
        assert_eq!(email.to_string(), "buyer@example.pt");
        assert!("buyer".parse::<Email>().is_err());
        // The local part may have 64 characters, not 65.
        let at_limit = format!("{}@example.com", "a".repeat(64));
        assert!(Email::parse(&at_limit).is_ok());
        let over = format!("{}@example.com", "é".repeat(65));
        assert!(matches!(
            Email::parse(&over).unwrap_err().rule(),
            Rule::Format { .. }
        ));
        assert!(Email::parse(&format!("{}@example.com", "é".repeat(64))).is_ok());
        for bad in ["a\tb@c.com", "ab@c\n.com", "ab@c .com", "a\u{7}@c.com"] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }

        let phone = Phone::new("+351", "911234567").unwrap();
        assert_eq!(phone.indicative(), "+351");
        assert_eq!(phone.number(), "911234567");
        assert_eq!(phone.to_string(), "+351 911234567");

        let url: Url = "https://shop.example/return?x=1".parse().unwrap();
        assert_eq!(url.as_str(), "https://shop.example/return?x=1");
        assert_eq!(url.to_string(), "https://shop.example/return?x=1");
        assert!(Url::parse("https://shop.example").is_ok());
        assert!(Url::parse("https://[2001:db8::1]:8443/x").is_ok());
        assert!("http://shop.example/".parse::<Url>().is_err());
        assert!(Url::parse("http://[2001:db8::1]/x").is_err());
        assert!(Url::parse("https://x.example@evil.example/").is_err());
        assert!(Url::parse("https://:443/").is_err());
    }

    #[test]
    fn phone_rules() {
        assert!(Phone::new("+1684", "6331234").is_ok());
        let err = Phone::new("+351", "91 123").unwrap_err();
        assert_eq!(
            err.to_string(),
            "`phone.number` must contain only the digits 0-9"
        );
        let err = Phone::new("+351", "1234567890123456").unwrap_err();
        assert_eq!(
            err.to_string(),
            "`phone.number` is 16 characters long; the limit is 15"
        );
        assert!(Phone::new("+", "911234567").is_err());
        assert!(Phone::new("+35123", "911234567").is_err());
    }

    #[test]
    fn codes_and_urls() {
        assert_eq!(CountryCode::parse("pt").unwrap().as_str(), "PT");
        assert_eq!(Language::parse("FR").unwrap().as_str(), "fr");
        assert_eq!(
            CountryCode::parse("PRT").unwrap_err().to_string(),
            "`country` must be an ISO 3166-1 two-letter country code such as PT"
        );
        assert!(Language::parse("f1").is_err());
        for bad in [
            "ftp://x.example",
            "https://",
            "https://user:pw@x.example/",
            "https://x.example/a b",
            "//x.example",
            "http://10.0.0.1/",
            "http://127.evil.example/return",
            "http://127.0.0.1.nip.io/x",
            "http://127.0.0.1.evil.example:80/x",
        ] {
            assert!(Url::parse(bad).is_err(), "{bad}");
        }
        assert!(Url::parse("http://[::1]:9000/x").is_ok());
        assert!(Url::parse("http://localhost/x").is_ok());
        assert!(Url::parse("http://127.0.0.1:8080/x").is_ok());
        assert!(Url::parse("http://127.1.2.3/x").is_ok());
    }
}
