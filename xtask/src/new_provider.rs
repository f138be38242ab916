//! `cargo xtask new-provider <name>`: scaffold a working provider in the standard layout
//! (STYLE.md item 13): an adapter crate (client on pay-http, error mapping, trait impls,
//! `wire` with the generated module), a stub API description with its operation list, a fake
//! server in pay-testkit on the generated tables, a conformance test and a documentation
//! page; then `cargo xtask codegen`, which writes the wire code and every provider list (the
//! testkit's registry and dependencies, the facade's feature, `pay::Config`'s hook).
//!
//! The scaffold builds and passes its tests, the real conformance kit included: its two
//! example operations (create a payment, read it back, bearer API key) are implemented end
//! to end, and its capabilities declare exactly those. `docs/adding-a-provider.md` is the
//! guide from there. The files are `new_provider/templates/*.tpl`.

use std::{fs, path::Path};

use crate::Failure;

#[cfg(test)]
mod worked_example;

/// What `cargo xtask new-provider --help` prints.
pub(crate) const HELP: &str = "\
Usage: cargo xtask new-provider <name>

Scaffolds a working provider called <name> ([a-z][a-z0-9]*), then runs `cargo xtask codegen`:
  crates/pay-<name>/                 adapter crate: client on pay-http (bearer API key), error
                                     mapping (error.rs), Payments impl (traits.rs), `wire` with
                                     the generated module, tests running pay-testkit's
                                     conformance kit against the fake
  crates/pay-testkit/src/<name>/     fake server on the generated route table and request
                                     checks, with its `SERVE` entry for `pay-testkit serve`
  fixtures/<name>/api.yaml           stub API description (two example operations)
  fixtures/<name>/operations.tsv     the operation list the description is checked against
  docs/providers/<name>.md           documentation page
  Cargo.toml                         pay-<name> in [workspace.dependencies]
Codegen then writes the wire code, the fake's tables, the testkit's registry and
dependencies, the facade's `<name>` feature, and registers the adapter's settings hook
(CONFIG_VARIABLES, from_config) with `pay::Config` (PAY_PROVIDER=<name>).

Next: `cargo test -p pay-<name> -p pay-testkit`, then docs/adding-a-provider.md.
";

/// Creates every scaffold file for provider `name` under `root`.
pub(crate) fn run(root: &Path, name: &str) -> Result<(), Failure> {
    check_name(name).map_err(Failure::Usage)?;
    let krate = format!("crates/pay-{name}");
    for taken in [
        krate.clone(),
        format!("fixtures/{name}"),
        format!("docs/providers/{name}.md"),
        format!("crates/pay-testkit/src/{name}"),
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
    println!("new-provider: added pay-{name} to [workspace.dependencies]");
    // The wire module, the fake's tables and every provider list come from the description.
    crate::codegen::run(root, false)?;
    println!(
        "new-provider: next: `cargo test -p pay-{name} -p pay-testkit`, then docs/adding-a-provider.md"
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
    let upper = name.to_ascii_uppercase();
    let fill = |text: &str| {
        text.replace("{name}", name)
            .replace("{NAME}", &upper)
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

/// The scaffold, with `{name}`, `{NAME}`, `{title}`, `{crate}` and `{module}` to fill in: the
/// files of `templates/`, each a working `acme` provider with the name taken out (`pay-acme`
/// → `{crate}`, `pay_acme` → `{module}`, `Acme` → `{title}`, `ACME` → `{NAME}`, `acme` →
/// `{name}`).
const TEMPLATES: &[(&str, &str)] = &[
    (
        "crates/{crate}/Cargo.toml",
        include_str!("new_provider/templates/crate__Cargo.toml.tpl"),
    ),
    (
        "crates/{crate}/src/lib.rs",
        include_str!("new_provider/templates/crate__src__lib.rs.tpl"),
    ),
    (
        "crates/{crate}/src/client.rs",
        include_str!("new_provider/templates/crate__src__client.rs.tpl"),
    ),
    (
        "crates/{crate}/src/error.rs",
        include_str!("new_provider/templates/crate__src__error.rs.tpl"),
    ),
    (
        "crates/{crate}/src/convert.rs",
        include_str!("new_provider/templates/crate__src__convert.rs.tpl"),
    ),
    (
        "crates/{crate}/src/traits.rs",
        include_str!("new_provider/templates/crate__src__traits.rs.tpl"),
    ),
    (
        "crates/{crate}/src/wire/mod.rs",
        include_str!("new_provider/templates/crate__src__wire__mod.rs.tpl"),
    ),
    (
        "crates/{crate}/tests/it/main.rs",
        include_str!("new_provider/templates/crate__tests__it__main.rs.tpl"),
    ),
    (
        "crates/{crate}/tests/it/conformance.rs",
        include_str!("new_provider/templates/crate__tests__it__conformance.rs.tpl"),
    ),
    (
        "crates/{crate}/tests/it/operations.rs",
        include_str!("new_provider/templates/crate__tests__it__operations.rs.tpl"),
    ),
    (
        "crates/pay-testkit/src/{name}/mod.rs",
        include_str!("new_provider/templates/fake__mod.rs.tpl"),
    ),
    (
        "fixtures/{name}/api.yaml",
        include_str!("new_provider/templates/fixture__api.yaml.tpl"),
    ),
    (
        "fixtures/{name}/operations.tsv",
        include_str!("new_provider/templates/fixture__operations.tsv.tpl"),
    ),
    (
        "docs/providers/{name}.md",
        include_str!("new_provider/templates/docs__provider.md.tpl"),
    ),
];

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::testing::{TempWorkspace, cargo, git};

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
            for placeholder in ["{title}", "{crate}", "{module}", "{NAME}"] {
                assert!(!contents.contains(placeholder), "{path}: {placeholder}");
            }
            if path.ends_with(".rs") {
                assert!(contents.starts_with("//!"), "{path}");
            }
        }
    }

    /// Scaffolds a provider into a copy of the workspace, as `docs/adding-a-provider.md`
    /// describes, and builds and tests it there (the real conformance kit against its fake
    /// included), sharing this build's target directory so dependencies are not rebuilt.
    #[test]
    fn the_scaffold_builds_and_passes_its_tests() {
        let copy = TempWorkspace::copy("new-provider");
        let root = copy.path();
        let result = run(root, "acme");
        assert!(result.is_ok(), "{result:?}");
        assert!(
            matches!(run(root, "acme"), Err(Failure::Failed(m)) if m.contains("already exists"))
        );

        // The stub description is one our generator accepts, matches its list, and
        // new-provider already ran codegen: `codegen --check` finds nothing stale.
        let spec = crate::codegen::load_and_lower(&root.join("fixtures/acme/api.yaml"));
        assert_eq!(spec.unwrap(), 2, "two operations");
        let fresh = crate::codegen::run(root, true);
        assert!(fresh.is_ok(), "{fresh:?}");

        // Only the provider's own paths, generated files and the workspace manifest changed.
        let changed = git(root, &["status", "--porcelain", "--untracked-files=all"]);
        for line in changed.lines() {
            let path = line.get(3..).unwrap_or_default();
            let own = [
                "crates/pay-acme/",
                "crates/pay-testkit/src/acme/",
                "fixtures/acme/",
                "docs/providers/acme.md",
            ]
            .iter()
            .any(|prefix| path.starts_with(prefix));
            let generated = [
                "Cargo.toml",
                "crates/pay/Cargo.toml",
                "crates/pay/src/configured.rs",
                "crates/pay/src/providers.rs",
                "crates/pay-testkit/Cargo.toml",
                "crates/pay-testkit/src/fakes.rs",
                "crates/pay-testkit/src/generated/mod.rs",
                "crates/pay-testkit/src/generated/acme.rs",
                "docs/providers.md",
            ]
            .contains(&path);
            assert!(own || generated, "new-provider touched {path}");
        }

        // Tidy's file rules hold for the new provider's files.
        let tree = crate::tidy::Tree::new(root.to_path_buf());
        for check in crate::tidy::CHECKS.iter().filter(|c| {
            matches!(
                c.name,
                "modules_start_with_doc_comment"
                    | "no_printing_in_libraries"
                    | "no_should_panic_or_ignore"
            )
        }) {
            // Only the new provider's files: the rest is the workspace as it stands.
            let violations: Vec<_> = (check.run)(&tree)
                .into_iter()
                .filter(|v| {
                    ["crates/pay-acme/", "crates/pay-testkit/src/acme/"]
                        .iter()
                        .any(|own| v.location.starts_with(own))
                })
                .collect();
            assert!(violations.is_empty(), "{}: {violations:?}", check.name);
        }

        // The crate's tests (the conformance kit against the fake) and the testkit's (the
        // fake's own, the registry's and the binary's, which now serve `acme`) pass.
        cargo(
            root,
            &["test", "--offline", "-p", "pay-acme", "-p", "pay-testkit"],
        );
        // The facade's `acme` feature builds, and `pay::Config` configures `acme` through the
        // scaffold's settings hook.
        cargo(
            root,
            &[
                "test",
                "--offline",
                "-p",
                "pay",
                "--features",
                "acme",
                "--lib",
            ],
        );
    }
}
