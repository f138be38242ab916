//! The {title} client: credentials, base URLs, the transport and the declared capabilities.

use std::fmt;
use std::sync::Arc;

use pay_core::{
    AmountEncoding, Capabilities, Clock, Environment, ErrorKind, IdempotencySupport, PayError,
    PaymentMethodKind, Provider, ProviderId, Redactor, WebhookAuth,
};
use pay_http::Transport;
use secrecy::SecretString;

use crate::error::{title}Hooks;
use crate::wire;

/// The provider's name in errors and logs.
pub(crate) const PROVIDER: ProviderId = ProviderId::new("{name}");

/// The sandbox base URL (a placeholder until the description names the real one).
const SANDBOX_URL: &str = "https://sandbox.{name}.invalid";
/// The production base URL (a placeholder until the description names the real one).
const PRODUCTION_URL: &str = "https://api.{name}.invalid";

/// The variables `pay::Config::from_env` reads for {title} (`PAY_PROVIDER={name}`): each
/// one's name, whether it is required, and what it holds. Every value is kept secret.
pub const CONFIG_VARIABLES: &[(&str, bool, &str)] = &[("{NAME}_API_KEY", true, "the secret API key")];

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
    let api_key = value("{NAME}_API_KEY").ok_or_else(|| {
        PayError::new(ErrorKind::Configuration {
            reason: "{NAME}_API_KEY is not set".to_owned(),
        })
        .with_provider(PROVIDER)
    })?;
    let mut builder = Client::builder(api_key).environment(environment);
    if let Some(url) = base_url {
        builder = builder.base_url(url);
    }
    builder.build()
}

/// The {title} client. Create one with [`Client::builder`] and reuse it: it holds a
/// connection pool.
///
/// `Debug` shows no credentials.
#[derive(Clone)]
pub struct Client {
    pub(crate) transport: Transport<{title}Hooks>,
    environment: Environment,
    capabilities: Capabilities,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("environment", &self.environment)
            .field("base_url", &self.transport.base_url())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder for the sandbox with this secret API key.
    pub fn builder(api_key: SecretString) -> ClientBuilder {
        ClientBuilder {
            api_key,
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
    /// The base URL is not usable (plain `http://` off loopback, say).
    pub fn build(self) -> Result<Client, PayError> {
        let base_url = self.base_url.unwrap_or_else(|| {
            match self.environment {
                Environment::Production => PRODUCTION_URL,
                _ => SANDBOX_URL,
            }
            .to_owned()
        });
        let redactor = wire::SENSITIVE_FIELDS
            .iter()
            .fold(Redactor::default(), |r, key| r.with_key(key));
        let mut transport =
            Transport::builder(PROVIDER, base_url, {title}Hooks::new(self.api_key))
                .rules(wire::RETRY_RULES)
                .redactor(redactor);
        if let Some(clock) = self.clock {
            transport = transport.clock(clock);
        }
        // Declare what is implemented, nothing more: the conformance kit checks both ways.
        let capabilities = Capabilities::new(
            AmountEncoding::MinorUnits,
            IdempotencySupport::None,
            WebhookAuth::None,
        )
        .with_method(PaymentMethodKind::Card);
        Ok(Client {
            transport: transport.build()?,
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
}
