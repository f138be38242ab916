//! Reading an API description: the YAML document, `$ref` resolution, and small accessors that
//! keep every scalar as its source text (a bound such as `0.5` is never a float).

use std::{fs, path::Path};

use yaml_rust2::{Yaml, YamlLoader, yaml::Hash};

/// One parsed `fixtures/<provider>/api.yaml`.
#[derive(Debug)]
pub(crate) struct Spec {
    /// The provider name (`info.x-provider`).
    pub(crate) provider: String,
    /// The whole document.
    pub(crate) root: Yaml,
}

impl Spec {
    /// Loads and parses `path`.
    pub(crate) fn load(path: &Path) -> Result<Spec, String> {
        let text = fs::read_to_string(path)
            .map_err(|err| format!("cannot read {}: {err}", path.display()))?;
        Spec::parse(&text).map_err(|err| format!("{}: {err}", path.display()))
    }

    /// Parses a description from text.
    pub(crate) fn parse(text: &str) -> Result<Spec, String> {
        let mut docs = YamlLoader::load_from_str(text).map_err(|err| err.to_string())?;
        if docs.len() != 1 {
            return Err(format!("expected one YAML document, found {}", docs.len()));
        }
        let root = docs.remove(0);
        let provider = get(&root, "info")
            .and_then(|info| str_at(info, "x-provider"))
            .ok_or("info.x-provider is missing")?
            .to_owned();
        Ok(Spec { provider, root })
    }

    /// The object a local `$ref` (`#/components/<kind>/<name>`) points at, with its name.
    pub(crate) fn resolve<'a>(&'a self, reference: &'a str) -> Result<(&'a str, &'a Yaml), String> {
        let path = reference
            .strip_prefix("#/")
            .ok_or_else(|| format!("only local references are supported: {reference}"))?;
        let mut node = &self.root;
        for part in path.split('/') {
            node = get(node, part).ok_or_else(|| format!("unresolved reference {reference}"))?;
        }
        let name = path.rsplit('/').next().unwrap_or(path);
        Ok((name, node))
    }

    /// `schema` with every `$ref` chain folded in: the target's keys, overridden by the
    /// siblings of the `$ref` (JSON Schema 2020-12: siblings add to the referenced schema).
    pub(crate) fn merged(&self, schema: &Yaml) -> Result<Hash, String> {
        let Some(hash) = schema.as_hash() else {
            return Err("schema is not a mapping".to_owned());
        };
        let mut out = match str_at(schema, "$ref") {
            Some(reference) => {
                let (_, target) = self.resolve(reference)?;
                self.merged(target)?
            }
            None => Hash::new(),
        };
        for (key, value) in hash {
            if key.as_str() != Some("$ref") {
                out.insert(key.clone(), value.clone());
            }
        }
        Ok(out)
    }
}

/// `map[key]`, if `map` is a mapping that has it.
pub(crate) fn get<'a>(map: &'a Yaml, key: &str) -> Option<&'a Yaml> {
    map.as_hash()?.get(&Yaml::String(key.to_owned()))
}

/// `map[key]` as a string.
pub(crate) fn str_at<'a>(map: &'a Yaml, key: &str) -> Option<&'a str> {
    get(map, key)?.as_str()
}

/// `map[key]` as a boolean (`true` only when written `true`).
pub(crate) fn flag(map: &Yaml, key: &str) -> bool {
    get(map, key).and_then(Yaml::as_bool).unwrap_or(false)
}

/// A scalar as its source text: strings as they are, numbers as written, booleans as
/// `true`/`false`.
pub(crate) fn text(value: &Yaml) -> Option<String> {
    match value {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `map[key]` as scalar text.
pub(crate) fn text_at(map: &Yaml, key: &str) -> Option<String> {
    get(map, key).and_then(text)
}

/// The elements of `map[key]`, or nothing.
pub(crate) fn list<'a>(map: &'a Yaml, key: &str) -> &'a [Yaml] {
    get(map, key)
        .and_then(Yaml::as_vec)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// The entries of `map[key]` with their keys as text, in source order.
pub(crate) fn entries<'a>(map: &'a Yaml, key: &str) -> Vec<(String, &'a Yaml)> {
    get(map, key).map(pairs).unwrap_or_default()
}

/// The entries of a mapping with their keys as text, in source order.
pub(crate) fn pairs(map: &Yaml) -> Vec<(String, &Yaml)> {
    map.as_hash()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| text(k).map(|k| (k, v)))
        .collect()
}

/// A list of strings at `map[key]`.
pub(crate) fn strings(map: &Yaml, key: &str) -> Vec<String> {
    list(map, key).iter().filter_map(text).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_stay_text_and_refs_merge_siblings() {
        let spec = Spec::parse(
            "info: {x-provider: demo}\n\
             components:\n  schemas:\n    Amount: {type: number, minimum: 0.5, description: base}\n\
             field: {$ref: '#/components/schemas/Amount', description: override, maximum: 999999.99}\n",
        )
        .unwrap();
        let field = get(&spec.root, "field").unwrap();
        let merged = Yaml::Hash(spec.merged(field).unwrap());
        assert_eq!(text_at(&merged, "minimum").as_deref(), Some("0.5"));
        assert_eq!(text_at(&merged, "maximum").as_deref(), Some("999999.99"));
        assert_eq!(str_at(&merged, "description"), Some("override"));
        assert_eq!(str_at(&merged, "type"), Some("number"));
        assert!(spec.resolve("#/components/schemas/Missing").is_err());
    }
}
