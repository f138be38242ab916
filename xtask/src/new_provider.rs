//! `cargo xtask new-provider <name>`: scaffold an adapter crate in the standard layout
//! (STYLE.md item 13), a stub API description with its operation list, a fake-server stub,
//! a conformance test and a documentation page.
//!
//! The scaffold builds and its tests pass out of the box. Its client implements only
//! `pay_core::Provider`, with honestly empty capabilities: it offers nothing until the
//! adapter is written, and its crate docs list what to write.

use std::{fs, path::Path};

use crate::Failure;

/// Creates every scaffold file for provider `name` under `root`.
pub(crate) fn run(root: &Path, name: &str) -> Result<(), Failure> {
    check_name(name).map_err(Failure::Usage)?;
    let krate = format!("crates/pay-{name}");
    for taken in [
        krate.clone(),
        format!("fixtures/{name}"),
        format!("docs/providers/{name}.md"),
    ] {
        if root.join(&taken).exists() {
            return Err(Failure::Failed(format!("{taken} already exists")));
        }
    }
    let manifest_path = root.join("Cargo.toml");
    let manifest = fs::read_to_string(&manifest_path)
        .map_err(|err| Failure::Failed(format!("Cargo.toml: {err}")))?;
    let manifest = add_workspace_dependency(&manifest, name).map_err(Failure::Failed)?;

    // Formatting depends on the name (import order, line lengths), so rustfmt has the last word.
    let rustfmt = crate::codegen::Rustfmt::new(root);
    let mut files = files(name);
    for (path, contents) in &mut files {
        if path.ends_with(".rs") {
            *contents = rustfmt.format(contents).map_err(Failure::Failed)?;
        }
    }
    for (path, contents) in &files {
        let path = root.join(path);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)
                .map_err(|err| Failure::Failed(format!("{}: {err}", dir.display())))?;
        }
        fs::write(&path, contents)
            .map_err(|err| Failure::Failed(format!("{}: {err}", path.display())))?;
    }
    fs::write(&manifest_path, manifest)
        .map_err(|err| Failure::Failed(format!("Cargo.toml: {err}")))?;
    for (path, _) in &files {
        println!("new-provider: wrote {path}");
    }
    println!(
        "new-provider: added pay-{name} to [workspace.dependencies]\n\
         new-provider: next: `cargo test -p pay-{name}`, then work down the TODO list in {krate}/src/lib.rs"
    );
    Ok(())
}

/// Names are `[a-z][a-z0-9]*`: they become a crate name, a module name and a path.
pub(crate) fn check_name(name: &str) -> Result<(), String> {
    let ok = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(format!(
            "provider names are a lower-case letter followed by lower-case letters or digits \
             ([a-z][a-z0-9]*), got `{name}`"
        ))
    }
}

/// The manifest with `pay-<name>` declared after the last internal crate, at the version the
/// other internal crates have.
fn add_workspace_dependency(manifest: &str, name: &str) -> Result<String, String> {
    let lines: Vec<&str> = manifest.lines().collect();
    let mut section = "";
    let mut last_internal = None;
    let mut version = None;
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            section = trimmed;
        }
        if section == "[workspace.dependencies]" && trimmed.contains("path = \"crates/") {
            last_internal = Some(i);
            version = trimmed
                .split("version = \"")
                .nth(1)
                .and_then(|rest| rest.split('"').next());
        }
        if section == "[workspace.dependencies]" && trimmed.starts_with(&format!("pay-{name} ")) {
            return Err(format!("pay-{name} is already a workspace dependency"));
        }
    }
    let (at, version) = last_internal
        .zip(version)
        .ok_or("Cargo.toml lists no versioned internal crate in [workspace.dependencies]")?;
    let mut out: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
    out.insert(
        at + 1,
        format!("pay-{name} = {{ path = \"crates/pay-{name}\", version = \"{version}\" }}"),
    );
    let mut text = out.join("\n");
    text.push('\n');
    Ok(text)
}

/// `(path, contents)` of every scaffold file.
fn files(name: &str) -> Vec<(String, String)> {
    let title = title(name);
    let krate = format!("pay-{name}");
    let module = format!("pay_{name}");
    let fill = |text: &str| {
        text.replace("{name}", name)
            .replace("{title}", &title)
            .replace("{crate}", &krate)
            .replace("{module}", &module)
    };
    TEMPLATES
        .iter()
        .map(|(path, text)| (fill(path), fill(text)))
        .collect()
}

/// `acme` -> `Acme`.
fn title(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// The scaffold, with `{name}`, `{title}`, `{crate}` and `{module}` to fill in.
const TEMPLATES: &[(&str, &str)] = &[
    (
        "crates/{crate}/Cargo.toml",
        r#"[package]
name = "{crate}"
description = "{title} adapter for the pay SDK (scaffold, not yet implemented)."
version.workspace = true
edition.workspace = true
rust-version.workspace = true
license.workspace = true
repository.workspace = true
publish.workspace = true

[dependencies]
pay-core.workspace = true

[lints]
workspace = true
"#,
    ),
    (
        "crates/{crate}/src/lib.rs",
        r#"//! {title} adapter for the `pay` SDK (scaffold, not yet implemented).
//!
//! `cargo xtask new-provider {name}` generated this crate. It builds and its tests pass,
//! but its [`Client`] implements only [`pay_core::Provider`], with empty capabilities: it
//! offers no operation until one is written, declared and tested.
//!
//! ```
//! use pay_core::{Environment, Provider};
//! use {module}::Client;
//!
//! let client = Client::builder().environment(Environment::Sandbox).build();
//! assert_eq!(client.id().as_str(), "{name}");
//! assert!(client.capabilities().supported.is_empty());
//! assert!(client.as_payments().is_none());
//! ```
//!
//! # To do
//!
//! 1. Describe the API in `fixtures/{name}/api.yaml` (conventions in
//!    `docs/api-descriptions.md`) and list every operation in `fixtures/{name}/operations.tsv`.
//! 2. Give this crate the generated code's dependencies (`pay-core` with feature `serde`,
//!    `serde`, `serde_json` with `raw_value`), write the fake's module in
//!    `crates/pay-testkit/src/{name}/mod.rs` with its `SERVE` registry entry, and run
//!    `cargo xtask codegen`: it discovers `fixtures/{name}/api.yaml` and writes
//!    `src/wire/generated.rs`, the fake's routes and request checks, and every provider
//!    list (pay-testkit's dependencies and fakes, the facade's features).
//! 3. `client.rs`: credentials in `secrecy` types, base URLs per environment, timeouts.
//! 4. `api/`: one module per resource, building requests as pure functions.
//! 5. `convert.rs`: wire types to and from `pay_core`'s model.
//! 6. `error.rs`: the provider's failures as `PayError`s with their evidence.
//! 7. `webhook.rs`: verify, then parse notifications into hints.
//! 8. Implement the `pay_core` traits, declare them in the client's `Capabilities`, and
//!    override the matching `as_*` accessors; `tests/it/conformance.rs` checks they agree.
//! 9. Move `tests/it/fake.rs` into `pay-testkit` as the provider's fake server.
//! 10. Fill in `docs/providers/{name}.md`.

#![doc(test(attr(deny(warnings))))]

mod api;
mod client;
mod convert;
mod error;
mod webhook;
pub mod wire;

pub use client::{Client, ClientBuilder};
pub use error::Error;
pub use pay_core::Environment;
"#,
    ),
    (
        "crates/{crate}/src/client.rs",
        r#"//! The {title} client: its environment and declared capabilities (credentials and the
//! transport come with the first operation).

use pay_core::{
    AmountEncoding, Capabilities, Environment, IdempotencySupport, Provider, ProviderId,
    WebhookAuth,
};

/// The provider's name in errors and logs.
const PROVIDER: ProviderId = ProviderId::new("{name}");

/// A {title} client. Create one with [`Client::builder`] and reuse it.
#[derive(Debug, Clone)]
pub struct Client {
    environment: Environment,
    capabilities: Capabilities,
}

impl Client {
    /// A builder for the sandbox; call [`ClientBuilder::environment`] for production.
    pub fn builder() -> ClientBuilder {
        ClientBuilder {
            environment: Environment::Sandbox,
        }
    }
}

/// Configures a [`Client`].
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    environment: Environment,
}

impl ClientBuilder {
    /// Sandbox or production.
    #[must_use]
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// The client.
    pub fn build(self) -> Client {
        // Nothing is offered yet. The encoding, idempotency and webhook authentication are
        // placeholders to replace with the provider's documented ones.
        let capabilities = Capabilities::new(
            AmountEncoding::MinorUnits,
            IdempotencySupport::None,
            WebhookAuth::None,
        );
        Client {
            environment: self.environment,
            capabilities,
        }
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
}
"#,
    ),
    (
        "crates/{crate}/src/error.rs",
        r#"//! Errors: {title}'s failures become [`pay_core::PayError`]s, classified by
//! [`pay_core::ErrorKind`] and carrying their evidence (nothing to map yet).

/// The error every operation of this crate returns.
pub type Error = pay_core::PayError;
"#,
    ),
    (
        "crates/{crate}/src/api/mod.rs",
        r#"//! One module per {title} resource (payments, refunds, …), each building its requests
//! as pure functions of their inputs. Empty until the first operation is written.
"#,
    ),
    (
        "crates/{crate}/src/convert.rs",
        r#"//! Conversions between {title}'s wire types and `pay_core`'s model: the only module that
//! knows both. Empty until the first operation is written.
"#,
    ),
    (
        "crates/{crate}/src/webhook.rs",
        r#"//! {title} notifications: verify the raw request first, then parse it into a
//! `pay_core::WebhookEvent` (a hint to confirm by fetching). Empty until written.
"#,
    ),
    (
        "crates/{crate}/src/wire/mod.rs",
        r#"//! {title}'s wire format. Once `{name}` is in the code generator's provider list,
//! `cargo xtask codegen` writes the types, their `validate()` and the operation table into
//! `generated.rs` here; hand-written additions go in sibling modules.
"#,
    ),
    (
        "crates/{crate}/tests/it/main.rs",
        r#"//! Integration tests of {crate}: one binary, one module per area.

mod conformance;
mod fake;
"#,
    ),
    (
        "crates/{crate}/tests/it/conformance.rs",
        r#"//! The client's declared capabilities agree with the traits it implements (a local
//! stand-in for pay-testkit's conformance kit).

use pay_core::{Capability, Environment, Provider};
use {module}::Client;

fn client() -> Client {
    Client::builder().environment(Environment::Sandbox).build()
}

#[test]
fn declared_capabilities_match_the_accessors() {
    let client = client();
    let caps = client.capabilities();
    let offered = |capability| caps.supports(capability);
    let pairs = [
        ("capture", offered(Capability::Capture), client.as_capture().is_some()),
        ("void", offered(Capability::Void), client.as_void().is_some()),
        ("refunds", offered(Capability::Refund), client.as_refunds().is_some()),
        ("mandates", offered(Capability::Mandates), client.as_mandates().is_some()),
        (
            "recurring",
            offered(Capability::Subscriptions) || offered(Capability::Instalments),
            client.as_recurring().is_some(),
        ),
        ("payouts", offered(Capability::Payouts), client.as_payouts().is_some()),
        ("webhooks", offered(Capability::Webhooks), client.as_webhooks().is_some()),
    ];
    for (capability, declared, implemented) in pairs {
        assert_eq!(declared, implemented, "{capability}: declared {declared}, implemented {implemented}");
    }
    // Payments come with payment methods, and reconciliation needs payments.
    let payments = client.as_payments().is_some();
    assert_eq!(payments, !caps.payment_methods.is_empty());
    assert!(payments || !offered(Capability::FindByReference));
    // A partial or repeated operation needs the operation itself.
    assert!(!offered(Capability::PartialCapture) || offered(Capability::Capture));
    assert!(!offered(Capability::PartialRefund) || offered(Capability::Refund));
    assert!(!offered(Capability::MultipleRefunds) || offered(Capability::Refund));
}

#[test]
fn the_client_keeps_its_environment_and_identity() {
    let production = Client::builder().environment(Environment::Production).build();
    assert_eq!(production.environment(), Environment::Production);
    assert_eq!(client().environment(), Environment::Sandbox);
    assert_eq!(client().id().as_str(), "{name}");
}

#[test]
fn the_client_can_be_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<Client>();
}
"#,
    ),
    (
        "crates/{crate}/tests/it/fake.rs",
        r#"//! Stand-in for the {title} fake server: the routes it will serve, kept in step with
//! `fixtures/{name}/operations.tsv`. Move it into `pay-testkit` (next to the Easypay and
//! Easytransac fakes) once the provider is described; there it gains state, request
//! validation with the generated `validate()`, fault injection and outbound webhooks.

/// `(method, path template, operationId)` of every call the fake serves.
const ROUTES: &[(&str, &str, &str)] = &[("GET", "/health", "health_get")];

/// The operation serving `method` and `path` (`{param}` segments match anything).
fn route(method: &str, path: &str) -> Option<&'static str> {
    let path = path.split('?').next().unwrap_or_default();
    ROUTES
        .iter()
        .find(|(m, template, _)| {
            let wanted: Vec<&str> = template.trim_matches('/').split('/').collect();
            let got: Vec<&str> = path.trim_matches('/').split('/').collect();
            m.eq_ignore_ascii_case(method)
                && wanted.len() == got.len()
                && wanted
                    .iter()
                    .zip(&got)
                    .all(|(w, g)| w == g || (w.starts_with('{') && !g.is_empty()))
        })
        .map(|(_, _, id)| *id)
}

#[test]
fn every_listed_call_has_a_route() {
    let list = include_str!("../../../../fixtures/{name}/operations.tsv");
    for row in list.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = row.split('\t').collect();
        if cols[3] != "path" {
            continue;
        }
        let concrete = cols[1].replace(['{', '}'], "");
        assert_eq!(route(cols[0], &concrete), Some(cols[2]), "{row}");
    }
    assert_eq!(route("POST", "/health"), None);
    assert_eq!(route("GET", "/nowhere"), None);
}
"#,
    ),
    (
        "fixtures/{name}/api.yaml",
        r#"# {title} API: the pay SDK's own machine-readable description (OpenAPI 3.1). Stub written by
# `cargo xtask new-provider {name}`: replace the example with the documented operations.
# Conventions (every x- extension) and inferred facts: docs/api-descriptions.md.
# Operation list this file is checked against: fixtures/{name}/operations.tsv.
openapi: 3.1.0
info:
  title: {title} API (pay SDK description, stub)
  version: 0.0.0+pay.0
  summary: Stub description of the {title} API; nothing in it is documented yet.
  x-provider: {name}
servers:
- url: https://sandbox.{name}.invalid
  description: Placeholder sandbox server; replace it with the documented one.
  x-environment: sandbox
  x-inferred: scaffold placeholder, not a documented server
paths:
  /health:
    get:
      operationId: health_get
      summary: Example operation; replace it with the provider's own
      responses:
        '200':
          description: Success.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/HealthStatus'
        default:
          description: Any other answer.
      security: []
      x-rust-module: health
      x-idempotent: true
      x-envelope: plain
      x-inferred: scaffold example, not a documented operation
components:
  schemas:
    HealthStatus:
      type: object
      description: Example response body.
      properties:
        status:
          type: string
          description: Example field.
"#,
    ),
    (
        "fixtures/{name}/operations.tsv",
        "method\tpath\toperationId\tkind\tnote\nGET\t/health\thealth_get\tpath\tscaffold example; replace with the documented operations\n",
    ),
    (
        "docs/providers/{name}.md",
        r#"# {title}

Status: scaffold, generated by `cargo xtask new-provider {name}`.
Nothing is implemented: the client declares no capability and offers no operation.

## Where things are

- Crate: `crates/{crate}` (layout in `ARCHITECTURE.md`, to-do list in its crate docs).
- API description: `fixtures/{name}/api.yaml`, checked against `fixtures/{name}/operations.tsv`.
- Fake server stand-in: `crates/{crate}/tests/it/fake.rs`, to move into `pay-testkit`.

## Provider facts

To write from the provider's documentation: authentication, environments and base URLs, amount encoding, idempotency, signing, webhooks, sandbox credentials.
Mark anything not documented with `x-inferred` in the description, as `docs/api-descriptions.md` asks.
"#,
    ),
];

#[cfg(test)]
mod tests {
    use std::{env, path::PathBuf, process::Command};

    use super::*;
    use crate::testing::TempWorkspace;

    #[test]
    fn names_are_checked() {
        for good in ["acme", "pay2", "x"] {
            assert!(check_name(good).is_ok(), "{good}");
        }
        for bad in ["", "Acme", "2pay", "ac-me", "ac_me", "acmé", "acme "] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        let root = PathBuf::from("/nonexistent");
        assert!(matches!(run(&root, "Bad"), Err(Failure::Usage(_))));
    }

    #[test]
    fn the_dependency_goes_after_the_internal_crates() {
        let manifest = "[workspace.dependencies]\n# Internal.\npay-core = { path = \"crates/pay-core\", version = \"0.3.0\" }\n\n# External.\nserde = \"1\"\n";
        assert_eq!(
            add_workspace_dependency(manifest, "acme").unwrap(),
            "[workspace.dependencies]\n# Internal.\npay-core = { path = \"crates/pay-core\", version = \"0.3.0\" }\npay-acme = { path = \"crates/pay-acme\", version = \"0.3.0\" }\n\n# External.\nserde = \"1\"\n"
        );
        let again = add_workspace_dependency(manifest, "acme").unwrap();
        assert!(add_workspace_dependency(&again, "acme").is_err());
    }

    #[test]
    fn every_scaffold_file_is_filled_in() {
        for (path, contents) in files("acme") {
            assert!(!path.contains('{'), "{path}");
            for placeholder in ["{title}", "{crate}", "{module}"] {
                assert!(!contents.contains(placeholder), "{path}: {placeholder}");
            }
            if path.ends_with(".rs") {
                assert!(contents.starts_with("//!"), "{path}");
            }
        }
    }

    /// Scaffolds a provider into a copy of the workspace and builds and tests it there,
    /// sharing this build's target directory so dependencies are not rebuilt.
    #[test]
    fn the_scaffold_builds_and_passes_its_tests() {
        let copy = TempWorkspace::copy("new-provider");
        let root = copy.path();
        let result = run(root, "acme");
        assert!(result.is_ok(), "{result:?}");
        assert!(
            matches!(run(root, "acme"), Err(Failure::Failed(m)) if m.contains("already exists"))
        );

        // The stub description is one our generator accepts, and matches its list.
        let spec = crate::codegen::load_and_lower(&root.join("fixtures/acme/api.yaml"));
        assert_eq!(spec.unwrap(), 1, "one operation");

        // Tidy's file rules hold for the new crate.
        let tree = crate::tidy::Tree::new(root.to_path_buf());
        for check in crate::tidy::CHECKS.iter().filter(|c| {
            matches!(
                c.name,
                "modules_start_with_doc_comment"
                    | "no_printing_in_libraries"
                    | "no_should_panic_or_ignore"
            )
        }) {
            let violations = (check.run)(&tree);
            assert!(violations.is_empty(), "{}: {violations:?}", check.name);
        }

        let target = env::var_os("CARGO_TARGET_DIR")
            .map_or_else(|| crate::project_root().join("target"), PathBuf::from);
        let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        for args in [
            &["build", "--offline", "-p", "pay-acme"][..],
            &["test", "--offline", "-p", "pay-acme"][..],
        ] {
            let output = Command::new(&cargo)
                .args(args)
                .current_dir(root)
                .env("CARGO_TARGET_DIR", &target)
                .output()
                .unwrap();
            assert!(
                output.status.success(),
                "cargo {args:?} failed:\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
}
