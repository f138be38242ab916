//! The Quill client: credentials, base URLs, the transport and the declared capabilities.

use std::fmt;
use std::sync::Arc;

use pay_core::{
    AmountEncoding, Capabilities, Capability, Clock, Environment, ErrorKind, IdempotencySupport,
    PayError, PaymentMethodKind, Provider, ProviderId, Redactor, WebhookAuth,
};
use pay_http::Transport;
use pay_signing::hmac::HmacKey;
use secrecy::SecretString;

use crate::error::QuillHooks;
use crate::wire;

/// The provider's name in errors and logs.
pub(crate) const PROVIDER: ProviderId = ProviderId::new("quill");

/// The sandbox base URL (`servers` in `fixtures/quill/api.yaml`).
const SANDBOX_URL: &str = "https://sandbox.quill.invalid/v1";
/// The production base URL.
const PRODUCTION_URL: &str = "https://api.quill.invalid/v1";

/// The variables `pay::Config::from_env` reads for Quill (`PAY_PROVIDER=quill`): each
/// one's name, whether it is required, and what it holds. Every value is kept secret.
pub const CONFIG_VARIABLES: &[(&str, bool, &str)] = &[
    ("QUILL_API_KEY", true, "the secret API key"),
    (
        "QUILL_WEBHOOK_SECRET",
        false,
        "the secret notifications are signed with",
    ),
];

/// The client `pay::Config` builds (its settings hook, which codegen registers): `value`
/// gives each variable of [`CONFIG_VARIABLES`] that is set, and `base_url`, when given,
/// replaces the environment's (a fake server's).
///
/// # Errors
/// A required variable is not set, or as [`ClientBuilder::build`].
pub fn from_config(
    value: &dyn Fn(&str) -> Option<SecretString>,
    environment: Environment,
    base_url: Option<&str>,
) -> Result<Client, PayError> {
    let api_key = value("QUILL_API_KEY").ok_or_else(|| {
        PayError::new(ErrorKind::Configuration {
            reason: "QUILL_API_KEY is not set".to_owned(),
        })
        .with_provider(PROVIDER)
    })?;
    let mut builder = Client::builder(api_key).environment(environment);
    if let Some(url) = base_url {
        builder = builder.base_url(url);
    }
    if let Some(secret) = value("QUILL_WEBHOOK_SECRET") {
        builder = builder.webhook_secret(secret);
    }
    builder.build()
}

/// The Quill client. Create one with [`Client::builder`] and reuse it: it holds a
/// connection pool.
///
/// `Debug` shows no credentials.
#[derive(Clone)]
pub struct Client {
    pub(crate) transport: Transport<QuillHooks>,
    pub(crate) webhook_key: Option<Arc<HmacKey>>,
    environment: Environment,
    capabilities: Capabilities,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("environment", &self.environment)
            .field("base_url", &self.transport.base_url())
            .field("webhook_secret", &self.webhook_key.is_some())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder for the sandbox with this secret API key.
    pub fn builder(api_key: SecretString) -> ClientBuilder {
        ClientBuilder {
            api_key,
            webhook_secret: None,
            environment: Environment::Sandbox,
            base_url: None,
            clock: None,
        }
    }
}

/// Configures a [`Client`].
///
/// `Debug` shows no credentials.
pub struct ClientBuilder {
    api_key: SecretString,
    webhook_secret: Option<SecretString>,
    environment: Environment,
    base_url: Option<String>,
    clock: Option<Arc<dyn Clock>>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("environment", &self.environment)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The secret Quill signs notifications with; without it, notifications are refused.
    #[must_use]
    pub fn webhook_secret(mut self, secret: SecretString) -> Self {
        self.webhook_secret = Some(secret);
        self
    }

    /// Sandbox or production.
    #[must_use]
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// Another base URL (a fake server's, in tests).
    #[must_use]
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The clock the transport reads (`Retry-After` dates); the system clock by default.
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// The client.
    ///
    /// # Errors
    /// The base URL is not usable (plain `http://` off loopback, say), or the webhook
    /// secret is empty.
    pub fn build(self) -> Result<Client, PayError> {
        let base_url = self.base_url.unwrap_or_else(|| {
            match self.environment {
                Environment::Production => PRODUCTION_URL,
                _ => SANDBOX_URL,
            }
            .to_owned()
        });
        let webhook_key = match self.webhook_secret {
            Some(secret) => Some(Arc::new(HmacKey::new(secret).map_err(|_| {
                PayError::new(ErrorKind::Configuration {
                    reason: "the webhook secret is empty".to_owned(),
                })
                .with_provider(PROVIDER)
            })?)),
            None => None,
        };
        let redactor = wire::SENSITIVE_FIELDS
            .iter()
            .fold(Redactor::default(), |r, key| r.with_key(key));
        let mut transport = Transport::builder(PROVIDER, base_url, QuillHooks::new(self.api_key))
            .rules(wire::RETRY_RULES)
            .redactor(redactor);
        if let Some(clock) = self.clock {
            transport = transport.clock(clock);
        }
        // Declare what is implemented, nothing more: the conformance kit checks both ways.
        let capabilities = Capabilities::new(
            AmountEncoding::MinorUnits,
            IdempotencySupport::None,
            WebhookAuth::KeyedHash,
        )
        .with_method(PaymentMethodKind::Card)
        .with(Capability::Void)
        .with(Capability::Refund)
        .with(Capability::PartialRefund)
        .with(Capability::MultipleRefunds)
        .with(Capability::Webhooks);
        Ok(Client {
            transport: transport.build()?,
            webhook_key,
            environment: self.environment,
            capabilities,
        })
    }
}

impl Provider for Client {
    fn id(&self) -> ProviderId {
        PROVIDER
    }

    fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    fn environment(&self) -> Environment {
        self.environment
    }

    fn as_payments(&self) -> Option<&dyn pay_core::Payments> {
        Some(self)
    }

    fn as_void(&self) -> Option<&dyn pay_core::Void> {
        Some(self)
    }

    fn as_refunds(&self) -> Option<&dyn pay_core::Refunds> {
        Some(self)
    }

    fn as_webhooks(&self) -> Option<&dyn pay_core::Webhooks> {
        Some(self)
    }
}
