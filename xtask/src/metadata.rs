//! The workspace's resolved dependency graph, read from `cargo metadata`.
//!
//! Only the fields the tidy checks need are kept. Loading runs cargo; everything else is a
//! pure function of the JSON so it can be tested with hand-written graphs.

use std::{
    collections::{HashMap, VecDeque},
    env,
    path::Path,
    process::Command,
};

use crate::json::{self, Json};

/// The subset of `cargo metadata --format-version 1` output that xtask uses.
#[derive(Debug, Clone, Default)]
pub(crate) struct Metadata {
    /// Every package in the resolved graph (workspace members and dependencies).
    pub(crate) packages: Vec<Package>,
    /// `resolve.nodes`: the resolved edges, keyed by package id.
    pub(crate) nodes: Vec<Node>,
}

/// One package as cargo describes it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Package {
    /// The opaque package id that `resolve` refers to.
    pub(crate) id: String,
    /// The package name, e.g. `reqwest`.
    pub(crate) name: String,
    /// Whether the package is a member of this workspace.
    pub(crate) is_member: bool,
    /// The dependencies the manifest declares (before resolution).
    pub(crate) dependencies: Vec<DeclaredDependency>,
    /// Whether `cargo publish` may upload it (`publish = false` makes this false).
    pub(crate) publishable: bool,
}

/// A dependency as written in a manifest.
#[derive(Debug, Clone, Default)]
pub(crate) struct DeclaredDependency {
    /// The package name depended on (not the `rename`).
    pub(crate) name: String,
    /// Which table it is declared in.
    pub(crate) kind: DependencyKind,
    /// The version requirement; `*` when the manifest gives none.
    pub(crate) req: String,
    /// Set for path dependencies.
    pub(crate) path: Option<String>,
    /// `optional = true`: only built when a feature enables it.
    pub(crate) optional: bool,
}

/// The manifest table a dependency is declared in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum DependencyKind {
    /// `[dependencies]`.
    #[default]
    Normal,
    /// `[dev-dependencies]`.
    Dev,
    /// `[build-dependencies]`.
    Build,
}

impl DependencyKind {
    fn from_json(kind: Option<&Json>) -> Result<DependencyKind, String> {
        match kind {
            None | Some(Json::Null) => Ok(DependencyKind::Normal),
            Some(Json::String(s)) if s == "dev" => Ok(DependencyKind::Dev),
            Some(Json::String(s)) if s == "build" => Ok(DependencyKind::Build),
            Some(other) => Err(format!("unknown dependency kind {other:?}")),
        }
    }

    /// The manifest table name, for messages.
    pub(crate) fn table(self) -> &'static str {
        match self {
            DependencyKind::Normal => "[dependencies]",
            DependencyKind::Dev => "[dev-dependencies]",
            DependencyKind::Build => "[build-dependencies]",
        }
    }
}

/// One `resolve.nodes[]` entry.
#[derive(Debug, Clone, Default)]
pub(crate) struct Node {
    /// The package id.
    pub(crate) id: String,
    /// Resolved dependencies of this package.
    pub(crate) deps: Vec<NodeDep>,
}

/// One resolved edge.
#[derive(Debug, Clone, Default)]
pub(crate) struct NodeDep {
    /// The package id depended on.
    pub(crate) pkg: String,
    /// Whether any of the edge's `dep_kinds` is a normal (`kind: null`) dependency.
    pub(crate) normal: bool,
}

impl Metadata {
    /// Runs `cargo metadata` for the workspace at `root` and parses the result.
    ///
    /// Uses all features, so a feature of a crate that would pull in a banned dependency is
    /// caught. `--locked` keeps the check from rewriting `Cargo.lock`.
    ///
    /// # Errors
    ///
    /// Returns cargo's stderr if it fails, or the reason its output could not be read.
    pub(crate) fn load(root: &Path) -> Result<Metadata, String> {
        let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let output = Command::new(&cargo)
            .args([
                "metadata",
                "--format-version",
                "1",
                "--all-features",
                "--locked",
            ])
            .current_dir(root)
            .output()
            .map_err(|err| {
                format!(
                    "could not run `{} metadata`: {err}",
                    cargo.to_string_lossy()
                )
            })?;
        if !output.status.success() {
            return Err(format!(
                "`cargo metadata` failed ({}):\n{}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim_end()
            ));
        }
        let stdout = String::from_utf8(output.stdout)
            .map_err(|_| "`cargo metadata` printed invalid UTF-8".to_owned())?;
        Metadata::from_json(&stdout)
    }

    /// Reads the parts of `cargo metadata --format-version 1` output that xtask uses.
    ///
    /// # Errors
    ///
    /// Returns a message naming the first missing or mistyped field.
    pub(crate) fn from_json(text: &str) -> Result<Metadata, String> {
        let json = json::parse(text)?;
        let members: Vec<&str> = array(&json, "workspace_members")?
            .iter()
            .map(|m| m.as_str().ok_or("workspace_members[] is not a string"))
            .collect::<Result<_, _>>()?;

        let mut packages = Vec::new();
        for package in array(&json, "packages")? {
            let id = string(package, "id")?;
            let mut dependencies = Vec::new();
            for dep in array(package, "dependencies")? {
                dependencies.push(DeclaredDependency {
                    name: string(dep, "name")?.to_owned(),
                    kind: DependencyKind::from_json(dep.get("kind"))?,
                    req: string(dep, "req")?.to_owned(),
                    path: dep.get("path").and_then(Json::as_str).map(str::to_owned),
                    optional: matches!(dep.get("optional"), Some(Json::Bool(true))),
                });
            }
            // `publish` is null when unrestricted and a list of allowed registries otherwise;
            // `publish = false` is the empty list.
            let publishable = match package.get("publish") {
                None | Some(Json::Null) => true,
                Some(Json::Array(registries)) => !registries.is_empty(),
                Some(other) => return Err(format!("unexpected `publish` value {other:?}")),
            };
            packages.push(Package {
                id: id.to_owned(),
                name: string(package, "name")?.to_owned(),
                is_member: members.contains(&id),
                dependencies,
                publishable,
            });
        }

        let resolve = json
            .get("resolve")
            .ok_or("`resolve` is missing (was --no-deps used?)")?;
        let mut nodes = Vec::new();
        for node in array(resolve, "nodes")? {
            let mut deps = Vec::new();
            for dep in array(node, "deps")? {
                let mut normal = false;
                for kind in array(dep, "dep_kinds")? {
                    normal |=
                        DependencyKind::from_json(kind.get("kind"))? == DependencyKind::Normal;
                }
                deps.push(NodeDep {
                    pkg: string(dep, "pkg")?.to_owned(),
                    normal,
                });
            }
            nodes.push(Node {
                id: string(node, "id")?.to_owned(),
                deps,
            });
        }
        Ok(Metadata { packages, nodes })
    }

    /// The workspace member called `name`, if any.
    pub(crate) fn member(&self, name: &str) -> Option<&Package> {
        self.packages.iter().find(|p| p.is_member && p.name == name)
    }

    /// Shortest chains of normal dependencies from `start` (a package id) to every package it
    /// transitively depends on, as package names starting with `start`'s name.
    ///
    /// Dev- and build-dependencies are not followed: they are not linked into `start`.
    pub(crate) fn normal_dependency_paths(&self, start: &str) -> Vec<Vec<&str>> {
        let names: HashMap<&str, &str> = self
            .packages
            .iter()
            .map(|p| (p.id.as_str(), p.name.as_str()))
            .collect();
        let edges: HashMap<&str, &[NodeDep]> = self
            .nodes
            .iter()
            .map(|n| (n.id.as_str(), n.deps.as_slice()))
            .collect();

        let mut parent: HashMap<&str, &str> = HashMap::new();
        let mut order = Vec::new();
        let mut queue = VecDeque::from([start]);
        while let Some(id) = queue.pop_front() {
            for dep in edges.get(id).copied().unwrap_or_default() {
                let pkg = dep.pkg.as_str();
                if dep.normal && pkg != start && !parent.contains_key(pkg) {
                    parent.insert(pkg, id);
                    order.push(pkg);
                    queue.push_back(pkg);
                }
            }
        }

        let name = |id: &str| names.get(id).copied().unwrap_or("<unknown package>");
        order
            .into_iter()
            .map(|mut id| {
                let mut path = vec![name(id)];
                while let Some(&up) = parent.get(id) {
                    path.push(name(up));
                    id = up;
                }
                path.reverse();
                path
            })
            .collect()
    }
}

fn array<'a>(json: &'a Json, key: &str) -> Result<&'a [Json], String> {
    json.get(key)
        .and_then(Json::as_array)
        .ok_or_else(|| format!("`{key}` is missing or not an array"))
}

fn string<'a>(json: &'a Json, key: &str) -> Result<&'a str, String> {
    json.get(key)
        .and_then(Json::as_str)
        .ok_or_else(|| format!("`{key}` is missing or not a string"))
}

#[cfg(test)]
mod tests {
    use super::{DependencyKind, Metadata};

    /// A trimmed-down `cargo metadata` document: `app -> lib -> leaf`, `app -(dev)-> tool`.
    const SAMPLE: &str = r#"{
      "packages": [
        {"name": "app", "id": "path+file:///w/app#0.1.0", "publish": [], "dependencies": [
          {"name": "lib", "req": "^0.1.0", "kind": null, "path": "/w/lib"},
          {"name": "tool", "req": "*", "kind": "dev", "rename": null}
        ]},
        {"name": "lib", "id": "path+file:///w/lib#0.1.0", "dependencies": [
          {"name": "leaf", "req": "^1", "kind": null},
          {"name": "cc", "req": "^1", "kind": "build"}
        ]},
        {"name": "leaf", "id": "registry+https://x#leaf@1.0.0", "dependencies": []},
        {"name": "tool", "id": "registry+https://x#tool@1.0.0", "dependencies": []},
        {"name": "cc", "id": "registry+https://x#cc@1.0.0", "dependencies": []}
      ],
      "workspace_members": ["path+file:///w/app#0.1.0", "path+file:///w/lib#0.1.0"],
      "resolve": {"nodes": [
        {"id": "path+file:///w/app#0.1.0", "deps": [
          {"name": "lib", "pkg": "path+file:///w/lib#0.1.0", "dep_kinds": [{"kind": null, "target": null}]},
          {"name": "tool", "pkg": "registry+https://x#tool@1.0.0", "dep_kinds": [{"kind": "dev", "target": null}]}
        ]},
        {"id": "path+file:///w/lib#0.1.0", "deps": [
          {"name": "leaf", "pkg": "registry+https://x#leaf@1.0.0", "dep_kinds": [{"kind": null, "target": "cfg(unix)"}]},
          {"name": "cc", "pkg": "registry+https://x#cc@1.0.0", "dep_kinds": [{"kind": "build", "target": null}]}
        ]},
        {"id": "registry+https://x#leaf@1.0.0", "deps": []},
        {"id": "registry+https://x#tool@1.0.0", "deps": []},
        {"id": "registry+https://x#cc@1.0.0", "deps": []}
      ], "root": null},
      "version": 1
    }"#;

    #[test]
    fn reads_packages_and_declared_dependencies() {
        let metadata = Metadata::from_json(SAMPLE).unwrap();
        let app = metadata.member("app").unwrap();
        assert_eq!(app.dependencies.len(), 2);
        assert_eq!(app.dependencies[0].path.as_deref(), Some("/w/lib"));
        assert_eq!(app.dependencies[1].kind, DependencyKind::Dev);
        assert_eq!(app.dependencies[1].req, "*");
        assert!(
            metadata.member("leaf").is_none(),
            "leaf is not a workspace member"
        );
        assert!(!app.publishable, "publish = false");
        assert!(metadata.member("lib").unwrap().publishable);
    }

    #[test]
    fn follows_only_normal_edges() {
        let metadata = Metadata::from_json(SAMPLE).unwrap();
        let app = metadata.member("app").unwrap();
        let paths = metadata.normal_dependency_paths(&app.id);
        assert_eq!(paths, [vec!["app", "lib"], vec!["app", "lib", "leaf"]]);
    }

    #[test]
    fn rejects_output_without_resolve() {
        let err = Metadata::from_json(r#"{"packages": [], "workspace_members": []}"#).unwrap_err();
        assert!(err.contains("resolve"), "{err}");
    }
}
