//! Choosing and configuring a provider: from environment variables ([`Config::from_env`])
//! or typed values ([`Config::easytransac`], [`Config::easypay`]), then
//! [`Config::connect`] for a provider behind `dyn` pay-core traits.
//!
//! Easytransac and Easypay are configured here by hand. Every other provider is configured
//! through its adapter's settings hook (`pay_<name>::CONFIG_VARIABLES` and
//! `pay_<name>::from_config`, which `cargo xtask new-provider` writes), listed by codegen in
//! the generated `configured.rs`: adding a provider edits nothing here.
//!
//! Errors name the variable and the rule and never echo a value: a mistyped secret must
//! not end up in a log.

use std::fmt;
use std::sync::Arc;

use pay_core::{Environment, PayError, Provider, ProviderId, Url};
use secrecy::{ExposeSecret, SecretString};

use crate::configured;

/// `easytransac`, `easypay` or another provider's name ([`KNOWN_PROVIDERS`]).
pub const PAY_PROVIDER: &str = "PAY_PROVIDER";
/// `sandbox` (default) or `production`.
pub const PAY_ENVIRONMENT: &str = "PAY_ENVIRONMENT";
/// A custom base URL (pay-testkit's fakes; for Easypay including `/2.0`).
pub const PAY_BASE_URL: &str = "PAY_BASE_URL";
/// The Easytransac API key.
pub const EASYTRANSAC_API_KEY: &str = "EASYTRANSAC_API_KEY";
/// The Easypay account id.
pub const EASYPAY_ACCOUNT_ID: &str = "EASYPAY_ACCOUNT_ID";
/// The Easypay API key.
pub const EASYPAY_API_KEY: &str = "EASYPAY_API_KEY";
/// Path of the PEM (PKCS#1 or PKCS#8) RSA private key signing Easypay out-payments.
pub const EASYPAY_OUT_PAYMENT_KEY_FILE: &str = "EASYPAY_OUT_PAYMENT_KEY_FILE";
/// The user of the Basic credentials on Easypay's notifications.
pub const EASYPAY_NOTIFICATION_USER: &str = "EASYPAY_NOTIFICATION_USER";
/// The password of the Basic credentials on Easypay's notifications.
pub const EASYPAY_NOTIFICATION_PASSWORD: &str = "EASYPAY_NOTIFICATION_PASSWORD";

/// The providers this build can configure (their cargo features are on).
pub const AVAILABLE_PROVIDERS: &[&str] = configured::AVAILABLE;

/// Every provider name `PAY_PROVIDER` understands (Easytransac and Easypay first, then every
/// other described provider by name); each is also the name of the `pay` crate's cargo
/// feature that enables it.
pub const KNOWN_PROVIDERS: &[&str] = configured::KNOWN;

/// Where a client sends its requests.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Target {
    /// The provider's sandbox: test money. The default.
    #[default]
    Sandbox,
    /// The provider's production servers: real money.
    Production,
    /// Another server, such as a pay-testkit fake. Counts as a sandbox.
    Custom(Url),
}

/// What is wrong with one configuration variable.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigProblem {
    /// Not set.
    Missing,
    /// Set to an empty (or all-blank) value.
    Empty,
    /// Not valid Unicode.
    NotUnicode,
    /// Not one of the accepted values.
    NotOneOf(&'static [&'static str]),
    /// Names a provider whose cargo feature is off in this build.
    FeatureDisabled {
        /// The `pay` crate's feature to enable.
        feature: &'static str,
    },
    /// Not a URL this SDK sends to (`https://`, or `http://` to a loopback address).
    NotAUrl,
    /// Contains characters an HTTP header cannot carry (spaces, control characters or
    /// non-ASCII): often a copy-paste accident.
    NotAHeaderValue,
    /// Set without its companion variable, which must be set too.
    NeedsCompanion(&'static str),
    /// Conflicts with another variable that is set.
    ConflictsWith(&'static str),
    /// The file it names cannot be read.
    Unreadable(std::io::ErrorKind),
    /// No provider feature of the `pay` crate is enabled, so there is nothing to choose.
    NoProviderEnabled,
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigProblem::Missing => f.write_str("is not set"),
            ConfigProblem::Empty => f.write_str("is empty"),
            ConfigProblem::NotUnicode => f.write_str("is not valid Unicode"),
            ConfigProblem::NotOneOf(values) => {
                write!(f, "must be one of: {}", values.join(", "))
            }
            ConfigProblem::FeatureDisabled { feature } => write!(
                f,
                "names a provider this build leaves out: enable the `{feature}` feature of the \
                 `pay` crate"
            ),
            ConfigProblem::NotAUrl => f.write_str(
                "must be an https:// URL (or http:// to a loopback address such as 127.0.0.1)",
            ),
            ConfigProblem::NotAHeaderValue => f.write_str(
                "must be visible ASCII without spaces (check for a stray newline or quote)",
            ),
            ConfigProblem::NeedsCompanion(other) => write!(f, "needs {other} to be set too"),
            ConfigProblem::ConflictsWith(other) => write!(f, "cannot be combined with {other}"),
            ConfigProblem::Unreadable(kind) => {
                write!(f, "names a file that cannot be read ({kind})")
            }
            ConfigProblem::NoProviderEnabled => f.write_str(
                "cannot be used: no provider feature of the `pay` crate is enabled (enable \
                 `easytransac` or `easypay`)",
            ),
        }
    }
}

/// A configuration variable that is missing or malformed: names the variable and the
/// rule, never the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    variable: &'static str,
    problem: ConfigProblem,
}

impl ConfigError {
    /// An error about `variable`.
    pub fn new(variable: &'static str, problem: ConfigProblem) -> Self {
        Self { variable, problem }
    }

    /// The variable at fault.
    pub fn variable(&self) -> &'static str {
        self.variable
    }

    /// What is wrong with it.
    pub fn problem(&self) -> &ConfigProblem {
        &self.problem
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.variable, self.problem)
    }
}

impl std::error::Error for ConfigError {}

/// Easytransac's settings: the API key and where to send.
#[cfg(feature = "easytransac")]
#[derive(Clone)]
pub struct EasytransacSettings {
    api_key: SecretString,
    target: Target,
}

#[cfg(feature = "easytransac")]
impl EasytransacSettings {
    /// Settings for the sandbox with this API key.
    pub fn new(api_key: SecretString) -> Self {
        Self {
            api_key,
            target: Target::Sandbox,
        }
    }

    /// Sends to `target`.
    #[must_use]
    pub fn target(mut self, target: Target) -> Self {
        self.target = target;
        self
    }

    /// The client these settings describe.
    ///
    /// # Errors
    /// As [`EasytransacClientBuilder::build`](pay_easytransac::EasytransacClientBuilder::build).
    pub fn client(&self) -> Result<pay_easytransac::EasytransacClient, PayError> {
        let builder = pay_easytransac::EasytransacClient::builder(self.api_key.clone());
        let builder = match &self.target {
            Target::Sandbox => builder.sandbox(),
            Target::Production => builder.production(),
            Target::Custom(url) => builder.base_url(url.as_str()),
        };
        builder.build()
    }
}

#[cfg(feature = "easytransac")]
impl fmt::Debug for EasytransacSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EasytransacSettings")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

/// Easypay's settings: credentials, where to send, and the optional out-payment key and
/// notification credentials.
#[cfg(feature = "easypay")]
#[derive(Clone)]
pub struct EasypaySettings {
    account_id: SecretString,
    api_key: SecretString,
    target: Target,
    out_payment_key_pem: Option<SecretString>,
    notification_auth: Option<pay_easypay::NotificationAuth>,
}

#[cfg(feature = "easypay")]
impl EasypaySettings {
    /// Settings for the sandbox with these credentials.
    pub fn new(account_id: SecretString, api_key: SecretString) -> Self {
        Self {
            account_id,
            api_key,
            target: Target::Sandbox,
            out_payment_key_pem: None,
            notification_auth: None,
        }
    }

    /// Sends to `target`.
    #[must_use]
    pub fn target(mut self, target: Target) -> Self {
        self.target = target;
        self
    }

    /// Signs out-payments with this PEM RSA private key (PKCS#1 or PKCS#8).
    #[must_use]
    pub fn out_payment_key_pem(mut self, pem: SecretString) -> Self {
        self.out_payment_key_pem = Some(pem);
        self
    }

    /// Verifies notifications with these credentials.
    #[must_use]
    pub fn notification_auth(mut self, auth: pay_easypay::NotificationAuth) -> Self {
        self.notification_auth = Some(auth);
        self
    }

    /// The client these settings describe.
    ///
    /// # Errors
    /// As [`EasypayClientBuilder::build`](pay_easypay::EasypayClientBuilder::build), or
    /// an out-payment key that does not parse.
    pub fn client(&self) -> Result<pay_easypay::EasypayClient, PayError> {
        let mut builder = pay_easypay::EasypayClient::builder(
            pay_easypay::AccountId::new(self.account_id.expose_secret()),
            pay_easypay::ApiKey::new(self.api_key.expose_secret()),
        );
        builder = match &self.target {
            Target::Sandbox => builder.sandbox(),
            Target::Production => builder.production(),
            Target::Custom(url) => builder.base_url(url.as_str()),
        };
        if let Some(pem) = &self.out_payment_key_pem {
            builder = builder.out_payment_key_pem(pem)?;
        }
        if let Some(auth) = &self.notification_auth {
            builder = builder.notification_auth(auth.clone());
        }
        builder.build()
    }
}

#[cfg(feature = "easypay")]
impl fmt::Debug for EasypaySettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EasypaySettings")
            .field("target", &self.target)
            .field("out_payment_key", &self.out_payment_key_pem.is_some())
            .field("notification_auth", &self.notification_auth)
            .finish_non_exhaustive()
    }
}

/// The settings hook of a provider configured by its adapter (every provider but Easytransac
/// and Easypay): what `cargo xtask codegen` lists in `configured.rs` for each, from the
/// adapter's `CONFIG_VARIABLES` and `from_config`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hook {
    /// The provider's name (`PAY_PROVIDER`, the feature).
    pub(crate) name: &'static str,
    /// Each variable the adapter reads: its name, whether it is required, what it holds.
    /// Every value is kept as a secret.
    pub(crate) variables: &'static [(&'static str, bool, &'static str)],
    /// Builds the client from the variables that are set and the target.
    pub(crate) connect: Connect,
}

/// An adapter's `from_config` behind `dyn Provider`: the variables that are set (by name),
/// the environment, and the base URL replacing the environment's, if any.
pub(crate) type Connect = fn(
    &dyn Fn(&str) -> Option<SecretString>,
    Environment,
    Option<&str>,
) -> Result<Arc<dyn Provider>, PayError>;

/// The settings of a provider configured by its adapter (every provider but Easytransac and
/// Easypay): the values of the variables its adapter reads (`pay_<name>::CONFIG_VARIABLES`),
/// and where to send.
///
/// Only [`Config::from_env`] and [`Config::from_lookup`] make them; to configure such a
/// provider from typed values, build its client with the adapter's own builder
/// (`pay::<name>::Client::builder`). `Debug` lists which variables are set, never a value.
#[derive(Clone)]
pub struct AdapterSettings {
    hook: &'static Hook,
    values: Vec<(&'static str, SecretString)>,
    target: Target,
}

impl AdapterSettings {
    /// The provider's name.
    pub fn provider(&self) -> &'static str {
        self.hook.name
    }

    /// Where the client sends.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// The client these settings describe, behind `dyn` pay-core traits.
    ///
    /// # Errors
    /// The adapter's builder refused the settings.
    pub fn connect(&self) -> Result<Arc<dyn Provider>, PayError> {
        let value = |name: &str| {
            self.values
                .iter()
                .find(|(variable, _)| *variable == name)
                .map(|(_, value)| value.clone())
        };
        let (environment, base_url) = match &self.target {
            Target::Sandbox => (Environment::Sandbox, None),
            Target::Production => (Environment::Production, None),
            Target::Custom(url) => (Environment::Sandbox, Some(url.as_str())),
        };
        (self.hook.connect)(&value, environment, base_url)
    }
}

impl fmt::Debug for AdapterSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set: Vec<&str> = self.values.iter().map(|(name, _)| *name).collect();
        f.debug_struct("AdapterSettings")
            .field("provider", &self.hook.name)
            .field("variables_set", &set)
            .field("target", &self.target)
            .finish()
    }
}

/// Which provider, and its settings. `Debug` shows no secret.
///
/// [`Config::from_env`] reads these variables:
///
/// | variable | for | meaning |
/// |---|---|---|
/// | `PAY_PROVIDER` | all | `easytransac` or `easypay` (the provider's cargo feature must be on) |
/// | `PAY_ENVIRONMENT` | all | `sandbox` (the default) or `production` (real money: only ever by naming it) |
/// | `PAY_BASE_URL` | all | another server (pay-testkit's fakes): `https://…`, or `http://` to loopback |
/// | `EASYTRANSAC_API_KEY` | easytransac | the API key (signs requests and verifies notifications) |
/// | `EASYPAY_ACCOUNT_ID` | easypay | the `AccountId` header |
/// | `EASYPAY_API_KEY` | easypay | the `ApiKey` header |
/// | `EASYPAY_OUT_PAYMENT_KEY_FILE` | easypay, optional | path of the PEM private key that signs out-payments |
/// | `EASYPAY_NOTIFICATION_USER`, `EASYPAY_NOTIFICATION_PASSWORD` | easypay, optional | the Basic credentials Easypay sends notifications with (both or neither) |
///
/// Any other provider reads the variables its adapter lists (`pay_<name>::CONFIG_VARIABLES`,
/// such as `<NAME>_API_KEY`); required ones must be visible ASCII, as they travel in headers.
///
/// Errors name the variable and the rule and never echo a value.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Config {
    /// Easytransac (feature `easytransac`).
    #[cfg(feature = "easytransac")]
    Easytransac(EasytransacSettings),
    /// Easypay (feature `easypay`).
    #[cfg(feature = "easypay")]
    Easypay(EasypaySettings),
    /// Any other provider, configured by its adapter (feature of its name).
    Adapter(AdapterSettings),
}

impl Config {
    /// Easytransac with these settings.
    #[cfg(feature = "easytransac")]
    pub fn easytransac(settings: EasytransacSettings) -> Self {
        Config::Easytransac(settings)
    }

    /// Easypay with these settings.
    #[cfg(feature = "easypay")]
    pub fn easypay(settings: EasypaySettings) -> Self {
        Config::Easypay(settings)
    }

    /// Reads the configuration from the process environment (the variables are listed on
    /// [`Config`]).
    ///
    /// # Errors
    /// The first variable that is missing or malformed, named with the rule it breaks.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| match std::env::var(name) {
            Ok(value) => Lookup::Value(value),
            Err(std::env::VarError::NotPresent) => Lookup::Missing,
            Err(std::env::VarError::NotUnicode(_)) => Lookup::NotUnicode,
        })
    }

    /// Reads the configuration from `lookup` (a map in tests, a secrets manager in
    /// production) with the same rules as [`from_env`](Self::from_env).
    ///
    /// # Errors
    /// As [`from_env`](Self::from_env).
    pub fn from_lookup(lookup: impl Fn(&str) -> Lookup) -> Result<Self, ConfigError> {
        let vars = Vars(&lookup);
        let provider = vars.required(PAY_PROVIDER)?;
        let Some(&name) = KNOWN_PROVIDERS
            .iter()
            .find(|name| provider.trim().eq_ignore_ascii_case(name))
        else {
            return Err(ConfigError::new(
                PAY_PROVIDER,
                ConfigProblem::NotOneOf(KNOWN_PROVIDERS),
            ));
        };
        let target = vars.target()?;
        match name {
            #[cfg(feature = "easytransac")]
            "easytransac" => {
                let api_key = vars.header_secret(EASYTRANSAC_API_KEY)?;
                Ok(Config::Easytransac(
                    EasytransacSettings::new(api_key).target(target),
                ))
            }
            #[cfg(feature = "easypay")]
            "easypay" => {
                let account_id = vars.header_secret(EASYPAY_ACCOUNT_ID)?;
                let api_key = vars.header_secret(EASYPAY_API_KEY)?;
                let mut settings = EasypaySettings::new(account_id, api_key).target(target);
                if let Some(path) = vars.optional(EASYPAY_OUT_PAYMENT_KEY_FILE)? {
                    let pem = std::fs::read_to_string(path.trim()).map_err(|err| {
                        ConfigError::new(
                            EASYPAY_OUT_PAYMENT_KEY_FILE,
                            ConfigProblem::Unreadable(err.kind()),
                        )
                    })?;
                    settings = settings.out_payment_key_pem(SecretString::from(pem));
                }
                let user = vars.optional(EASYPAY_NOTIFICATION_USER)?;
                let password = vars.optional(EASYPAY_NOTIFICATION_PASSWORD)?;
                match (user, password) {
                    (Some(user), Some(password)) => {
                        settings = settings.notification_auth(
                            pay_easypay::NotificationAuth::basic(user, password),
                        );
                    }
                    (Some(_), None) => {
                        return Err(ConfigError::new(
                            EASYPAY_NOTIFICATION_USER,
                            ConfigProblem::NeedsCompanion(EASYPAY_NOTIFICATION_PASSWORD),
                        ));
                    }
                    (None, Some(_)) => {
                        return Err(ConfigError::new(
                            EASYPAY_NOTIFICATION_PASSWORD,
                            ConfigProblem::NeedsCompanion(EASYPAY_NOTIFICATION_USER),
                        ));
                    }
                    (None, None) => {}
                }
                Ok(Config::Easypay(settings))
            }
            _ => {
                if let Some(hook) = configured::HOOKS.iter().find(|hook| hook.name == name) {
                    let mut values = Vec::new();
                    for &(variable, required, _) in hook.variables {
                        let value = if required {
                            Some(vars.header_secret(variable)?)
                        } else {
                            vars.optional(variable)?.map(SecretString::from)
                        };
                        values.extend(value.map(|value| (variable, value)));
                    }
                    return Ok(Config::Adapter(AdapterSettings {
                        hook,
                        values,
                        target,
                    }));
                }
                let _ = target;
                Err(ConfigError::new(
                    PAY_PROVIDER,
                    if AVAILABLE_PROVIDERS.is_empty() {
                        ConfigProblem::NoProviderEnabled
                    } else {
                        ConfigProblem::FeatureDisabled { feature: name }
                    },
                ))
            }
        }
    }

    /// The provider configured.
    pub fn provider_id(&self) -> ProviderId {
        match *self {
            #[cfg(feature = "easytransac")]
            Config::Easytransac(_) => pay_easytransac::PROVIDER,
            #[cfg(feature = "easypay")]
            Config::Easypay(_) => pay_easypay::PROVIDER,
            Config::Adapter(ref settings) => ProviderId::new(settings.hook.name),
        }
    }

    /// Builds the configured client, behind `dyn` pay-core traits: reach its operations
    /// with [`Provider::as_payments`], [`Provider::as_refunds`], … (each `None` where
    /// the provider does not offer them).
    ///
    /// # Errors
    /// The client's builder refused the settings (an out-payment key that does not
    /// parse, a URL the transport will not use).
    pub fn connect(&self) -> Result<Arc<dyn Provider>, PayError> {
        match *self {
            #[cfg(feature = "easytransac")]
            Config::Easytransac(ref settings) => Ok(Arc::new(settings.client()?)),
            #[cfg(feature = "easypay")]
            Config::Easypay(ref settings) => Ok(Arc::new(settings.client()?)),
            Config::Adapter(ref settings) => settings.connect(),
        }
    }
}

/// What a configuration source says about one variable.
#[derive(Clone, PartialEq, Eq)]
pub enum Lookup {
    /// The variable's value.
    Value(String),
    /// Not set.
    Missing,
    /// Set, but not valid Unicode.
    NotUnicode,
}

impl fmt::Debug for Lookup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Lookup::Value(_) => f.write_str("Value([REDACTED])"),
            Lookup::Missing => f.write_str("Missing"),
            Lookup::NotUnicode => f.write_str("NotUnicode"),
        }
    }
}

impl From<Option<String>> for Lookup {
    fn from(value: Option<String>) -> Self {
        value.map_or(Lookup::Missing, Lookup::Value)
    }
}

/// Reads variables with the shared rules.
struct Vars<'a>(&'a dyn Fn(&str) -> Lookup);

impl Vars<'_> {
    /// The value, `None` when unset; blank is [`ConfigProblem::Empty`].
    fn optional(&self, name: &'static str) -> Result<Option<String>, ConfigError> {
        match (self.0)(name) {
            Lookup::Missing => Ok(None),
            Lookup::NotUnicode => Err(ConfigError::new(name, ConfigProblem::NotUnicode)),
            Lookup::Value(value) if value.trim().is_empty() => {
                Err(ConfigError::new(name, ConfigProblem::Empty))
            }
            Lookup::Value(value) => Ok(Some(value)),
        }
    }

    fn required(&self, name: &'static str) -> Result<String, ConfigError> {
        self.optional(name)?
            .ok_or_else(|| ConfigError::new(name, ConfigProblem::Missing))
    }

    /// A secret sent in an HTTP header: required, visible ASCII only.
    fn header_secret(&self, name: &'static str) -> Result<SecretString, ConfigError> {
        let value = SecretString::from(self.required(name)?);
        if value.expose_secret().bytes().all(|b| b.is_ascii_graphic()) {
            Ok(value)
        } else {
            Err(ConfigError::new(name, ConfigProblem::NotAHeaderValue))
        }
    }

    /// `PAY_ENVIRONMENT` and `PAY_BASE_URL`.
    fn target(&self) -> Result<Target, ConfigError> {
        const ENVIRONMENTS: &[&str] = &["sandbox", "production"];
        let environment = match self.optional(PAY_ENVIRONMENT)? {
            None => None,
            Some(value) => match value.trim().to_ascii_lowercase().as_str() {
                "sandbox" => Some(Target::Sandbox),
                "production" => Some(Target::Production),
                _ => {
                    return Err(ConfigError::new(
                        PAY_ENVIRONMENT,
                        ConfigProblem::NotOneOf(ENVIRONMENTS),
                    ));
                }
            },
        };
        match (environment, self.optional(PAY_BASE_URL)?) {
            (Some(Target::Production), Some(_)) => Err(ConfigError::new(
                PAY_BASE_URL,
                ConfigProblem::ConflictsWith(PAY_ENVIRONMENT),
            )),
            (_, Some(url)) => Url::parse(url.trim())
                .map(Target::Custom)
                .map_err(|_| ConfigError::new(PAY_BASE_URL, ConfigProblem::NotAUrl)),
            (environment, None) => Ok(environment.unwrap_or_default()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every available provider is configured by hand or by its adapter's hook.
    #[test]
    fn every_available_provider_is_configurable() {
        for name in AVAILABLE_PROVIDERS {
            let by_hand = ["easytransac", "easypay"].contains(name);
            let hooked = configured::HOOKS.iter().any(|hook| hook.name == *name);
            assert!(by_hand != hooked, "{name}");
            assert!(KNOWN_PROVIDERS.contains(name), "{name}");
        }
        assert_eq!(KNOWN_PROVIDERS[..2], ["easytransac", "easypay"]);
    }

    /// Values for every variable of `hook` but `missing`, and a loopback base URL.
    fn lookup(hook: &'static Hook, missing: &'static str) -> impl Fn(&str) -> Lookup {
        move |name: &str| match name {
            PAY_PROVIDER => Lookup::Value(hook.name.to_owned()),
            PAY_BASE_URL => Lookup::Value("http://127.0.0.1:9".to_owned()),
            other if other != missing && hook.variables.iter().any(|v| v.0 == other) => {
                Lookup::Value("secret-test-value".to_owned())
            }
            _ => Lookup::Missing,
        }
    }

    /// A provider configured by its adapter reads the adapter's variables, names a missing
    /// required one, hides every value, and connects (here to a loopback address).
    #[tokio::test]
    async fn adapter_hooks_configure_and_connect() {
        for hook in configured::HOOKS {
            let config = Config::from_lookup(lookup(hook, "")).expect("configured");
            assert_eq!(config.provider_id().as_str(), hook.name);
            assert!(!format!("{config:?}").contains("secret-test-value"));
            assert!(
                matches!(&config, Config::Adapter(settings) if settings.provider() == hook.name),
                "{config:?}"
            );
            let provider = config.connect().expect("connected");
            assert_eq!(provider.id().as_str(), hook.name);
            for &(variable, required, _) in hook.variables {
                let result = Config::from_lookup(lookup(hook, variable));
                if required {
                    let err = result.expect_err("a required variable is missing");
                    assert_eq!(
                        (err.variable(), err.problem()),
                        (variable, &ConfigProblem::Missing)
                    );
                } else {
                    assert!(result.is_ok(), "{variable} is optional");
                }
            }
        }
    }
}
