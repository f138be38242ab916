[package]
name = "{crate}"
description = "{title} adapter for the pay SDK (scaffold: two example operations)."
version.workspace = true
edition.workspace = true
rust-version.workspace = true
license.workspace = true
repository.workspace = true
publish.workspace = true

[dependencies]
# `serde` for the generated wire types (`pay_core::wire`).
pay-core = { workspace = true, features = ["serde"] }
pay-http.workspace = true
async-trait.workspace = true
# Header types for pay-http's hooks (no features: pay-http chooses the TLS stack).
reqwest.workspace = true
secrecy.workspace = true
serde.workspace = true
# `raw_value` keeps amounts and free-form values as exact JSON text.
serde_json = { workspace = true, features = ["std", "raw_value"] }

[dev-dependencies]
pay-testkit.workspace = true
tokio = { workspace = true, features = ["macros", "rt", "rt-multi-thread", "net", "time"] }

[[test]]
name = "it"
path = "tests/it/main.rs"

[lints]
workspace = true
