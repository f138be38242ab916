//! The operations and their fields, from the API descriptions the adapters are generated
//! from: the operation table is the adapters' generated `wire::OPERATIONS`, and the fields
//! (name, type, required, description) are read from `fixtures/<provider>/api.yaml`,
//! embedded in the binary, so `pay call --list` and `--describe` stay in step with the API.

use pay::Operation;
use yaml_rust2::{Yaml, YamlLoader};

use crate::Provider;

const EASYTRANSAC_YAML: &str = include_str!("../../../fixtures/easytransac/api.yaml");
const EASYPAY_YAML: &str = include_str!("../../../fixtures/easypay/api.yaml");

/// The operations of `provider` that call its API (not the notifications it sends).
pub(crate) fn operations(provider: Provider) -> Vec<&'static Operation> {
    let table: &'static [Operation] = match provider {
        Provider::Easytransac => pay::easytransac::wire::OPERATIONS,
        Provider::Easypay => pay::easypay::wire::OPERATIONS,
    };
    table
        .iter()
        .filter(|op| op.kind == pay::OperationKind::Path)
        .collect()
}

/// The operation `id` of `provider`.
pub(crate) fn operation(provider: Provider, id: &str) -> Option<&'static Operation> {
    operations(provider).into_iter().find(|op| op.id == id)
}

/// Every operation id of both providers, for the command line's completion.
pub(crate) fn all_ids() -> Vec<&'static str> {
    let mut ids: Vec<&'static str> = [Provider::Easytransac, Provider::Easypay]
        .into_iter()
        .flat_map(operations)
        .map(|op| op.id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Where a field goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Place {
    /// A `{name}` of the path.
    Path,
    /// The query string.
    Query,
    /// The body (JSON, or form fields for Easytransac V1).
    Body,
}

/// One field of an operation, as the description documents it.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Field {
    /// Its name; nested fields are dotted (`customer.email`).
    pub(crate) name: String,
    /// Where it goes.
    pub(crate) place: Place,
    /// `string`, `number`, `integer`, `boolean`, `object`, `array`, or `one of: …`.
    #[serde(rename = "type")]
    pub(crate) kind: String,
    /// Whether the description requires it (for a nested field: within its parent).
    pub(crate) required: bool,
    /// When it is required only in some cases: the cases, in words, as the description
    /// states them (`x-required-when`, `x-require-any-of`), which the generated
    /// `validate()` enforces.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) required_when: Vec<String>,
    /// The description's words about it.
    pub(crate) description: String,
}

/// The description of a provider, parsed.
pub(crate) struct Description {
    doc: Yaml,
}

impl Description {
    /// Parses the embedded description of `provider`.
    ///
    /// # Errors
    /// The embedded YAML does not parse (a build from a broken tree).
    pub(crate) fn load(provider: Provider) -> Result<Self, String> {
        let text = match provider {
            Provider::Easytransac => EASYTRANSAC_YAML,
            Provider::Easypay => EASYPAY_YAML,
        };
        let mut docs = YamlLoader::load_from_str(text).map_err(|e| e.to_string())?;
        if docs.is_empty() {
            return Err("the API description is empty".to_owned());
        }
        Ok(Self {
            doc: docs.swap_remove(0),
        })
    }

    /// The fields of `operation`: path parameters, query parameters, body fields.
    pub(crate) fn fields(&self, operation: &Operation) -> Vec<Field> {
        let Some(node) = self.operation_node(operation) else {
            return Vec::new();
        };
        let mut fields = Vec::new();
        for parameter in node["parameters"].as_vec().into_iter().flatten() {
            let parameter = self.resolve(parameter);
            let place = match parameter["in"].as_str() {
                Some("path") => Place::Path,
                Some("query") => Place::Query,
                _ => continue,
            };
            let Some(name) = parameter["name"].as_str() else {
                continue;
            };
            let schema = self.resolve(&parameter["schema"]);
            fields.push(Field {
                name: name.to_owned(),
                place,
                kind: self.kind(schema),
                required: parameter["required"]
                    .as_bool()
                    .unwrap_or(place == Place::Path),
                required_when: Vec::new(),
                description: text(&parameter["description"]),
            });
        }
        for name in operation.path_params {
            if !fields.iter().any(|f| f.name == *name) {
                fields.push(Field {
                    name: (*name).to_owned(),
                    place: Place::Path,
                    kind: "string".to_owned(),
                    required: true,
                    required_when: Vec::new(),
                    description: String::new(),
                });
            }
        }
        let content = &node["requestBody"]["content"];
        if let Some(map) = content.as_hash()
            && let Some((_, media)) = map.iter().next()
        {
            let schema = self.resolve(&media["schema"]);
            let mut conditions = Vec::new();
            self.body_fields(schema, "", 0, &mut fields, &mut conditions);
            for (name, condition) in conditions {
                if let Some(field) = fields
                    .iter_mut()
                    .find(|f| f.place == Place::Body && f.name == name)
                {
                    field.required_when.push(condition);
                }
            }
        }
        fields
    }

    /// The conditional requirements of `schema` (with `allOf` merged), as (dotted field,
    /// condition in words): `x-required-when` (checked with the field's default when it
    /// is absent, as the generated `validate()` does) and `x-require-any-of`.
    fn conditions(&self, schema: &Yaml, prefix: &str, out: &mut Vec<(String, String)>) {
        let (properties, _) = self.properties(schema);
        let default_of = |path: &str| {
            properties
                .iter()
                .find(|(name, _)| *name == path)
                .and_then(|(_, value)| {
                    let value = self.resolve(value);
                    scalar(&value["default"])
                })
        };
        for rule in self.extension(schema, "x-required-when") {
            let Some(when) = rule["when"].as_hash() else {
                continue;
            };
            let mut parts = Vec::new();
            for (path, values) in when {
                let Some(path) = path.as_str() else {
                    continue;
                };
                let values: Vec<String> = values
                    .as_vec()
                    .into_iter()
                    .flatten()
                    .filter_map(scalar)
                    .collect();
                let mut part = match values.as_slice() {
                    [one] => format!("{prefix}{path} is {one}"),
                    many => format!("{prefix}{path} is one of {}", many.join(", ")),
                };
                if let Some(default) = default_of(path)
                    && values.contains(&default)
                {
                    part.push_str(&format!(" (or absent: its default is {default})"));
                }
                parts.push(part);
            }
            let condition = format!("required when {}", parts.join(" and "));
            for required in rule["required"].as_vec().into_iter().flatten() {
                if let Some(name) = required.as_str() {
                    out.push((format!("{prefix}{name}"), condition.clone()));
                }
            }
        }
        for group in self.extension(schema, "x-require-any-of") {
            let names: Vec<String> = group
                .as_vec()
                .into_iter()
                .flatten()
                .filter_map(Yaml::as_str)
                .map(|name| format!("{prefix}{name}"))
                .collect();
            for name in &names {
                out.push((
                    name.clone(),
                    format!("at least one of {} is required", names.join(", ")),
                ));
            }
        }
    }

    /// The values of extension `key` on `schema` and its `allOf` parts: the list items of
    /// `x-required-when`, or the one list `x-require-any-of` (returned as one item).
    fn extension<'a>(&'a self, schema: &'a Yaml, key: &str) -> Vec<&'a Yaml> {
        let mut found: Vec<&Yaml> = match &schema[key] {
            Yaml::Array(items) if key == "x-required-when" => items.iter().collect(),
            Yaml::Array(_) => vec![&schema[key]],
            _ => Vec::new(),
        };
        for part in schema["allOf"].as_vec().into_iter().flatten() {
            found.extend(self.extension(self.resolve(part), key));
        }
        found
    }

    fn operation_node(&self, operation: &Operation) -> Option<&Yaml> {
        let paths = self.doc["paths"].as_hash()?;
        for (_, item) in paths {
            let Some(methods) = item.as_hash() else {
                continue;
            };
            for (_, node) in methods {
                if node["operationId"].as_str() == Some(operation.id) {
                    return Some(node);
                }
            }
        }
        None
    }

    /// Follows `$ref`s to `#/components/...`.
    fn resolve<'a>(&'a self, node: &'a Yaml) -> &'a Yaml {
        let mut node = node;
        for _ in 0..8 {
            let Some(reference) = node["$ref"].as_str() else {
                return node;
            };
            let mut target = &self.doc;
            for part in reference.trim_start_matches("#/").split('/') {
                target = &target[part];
            }
            node = target;
        }
        node
    }

    /// The properties of `schema` (with `allOf` merged) and which are required.
    fn properties<'a>(&'a self, schema: &'a Yaml) -> (Vec<(&'a str, &'a Yaml)>, Vec<&'a str>) {
        let mut properties = Vec::new();
        let mut required: Vec<&str> = schema["required"]
            .as_vec()
            .into_iter()
            .flatten()
            .filter_map(Yaml::as_str)
            .collect();
        if let Some(map) = schema["properties"].as_hash() {
            for (name, value) in map {
                if let Some(name) = name.as_str() {
                    properties.push((name, value));
                }
            }
        }
        for part in schema["allOf"].as_vec().into_iter().flatten() {
            let (more, more_required) = self.properties(self.resolve(part));
            properties.extend(more);
            required.extend(more_required);
        }
        (properties, required)
    }

    fn body_fields(
        &self,
        schema: &Yaml,
        prefix: &str,
        depth: usize,
        out: &mut Vec<Field>,
        conditions: &mut Vec<(String, String)>,
    ) {
        let dotted_prefix = if prefix.is_empty() {
            String::new()
        } else {
            format!("{prefix}.")
        };
        self.conditions(schema, &dotted_prefix, conditions);
        let (properties, required) = self.properties(schema);
        for (name, value) in properties {
            let resolved = self.resolve(value);
            let dotted = if prefix.is_empty() {
                name.to_owned()
            } else {
                format!("{prefix}.{name}")
            };
            let description = match text(&value["description"]) {
                d if d.is_empty() => text(&resolved["description"]),
                d => d,
            };
            out.push(Field {
                name: dotted.clone(),
                place: Place::Body,
                kind: self.kind(resolved),
                required: required.contains(&name),
                required_when: Vec::new(),
                description,
            });
            let nested = !self.properties(resolved).0.is_empty();
            if nested && depth < 2 {
                self.body_fields(resolved, &dotted, depth + 1, out, conditions);
            }
        }
    }

    fn kind(&self, schema: &Yaml) -> String {
        if let Some(values) = schema["enum"].as_vec() {
            let values: Vec<String> = values.iter().filter_map(scalar).collect();
            return format!("one of: {}", values.join(", "));
        }
        for combined in ["oneOf", "anyOf"] {
            if let Some(options) = schema[combined].as_vec() {
                let kinds: Vec<String> =
                    options.iter().map(|o| self.kind(self.resolve(o))).collect();
                return kinds.join(" or ");
            }
        }
        match &schema["type"] {
            Yaml::String(kind) if kind == "array" => {
                format!("array of {}", self.kind(self.resolve(&schema["items"])))
            }
            Yaml::String(kind) => kind.clone(),
            Yaml::Array(kinds) => kinds
                .iter()
                .filter_map(Yaml::as_str)
                .collect::<Vec<_>>()
                .join(" or "),
            _ if !schema["properties"].is_badvalue() || !schema["allOf"].is_badvalue() => {
                "object".to_owned()
            }
            _ => "any".to_owned(),
        }
    }
}

fn scalar(value: &Yaml) -> Option<String> {
    match value {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

fn text(value: &Yaml) -> String {
    value
        .as_str()
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_come_from_the_description() {
        let description = Description::load(Provider::Easypay).expect("parses");
        let create = operation(Provider::Easypay, "single_create").expect("single_create");
        let fields = description.fields(create);
        let value = fields.iter().find(|f| f.name == "value").expect("value");
        assert_eq!((value.kind.as_str(), value.required), ("number", true));
        assert!(fields.iter().any(|f| f.name == "customer.email"));
        let method = fields.iter().find(|f| f.name == "method").expect("method");
        assert!(method.kind.starts_with("one of: "), "{}", method.kind);
        // Conditional requirements, as the description states them.
        let field = |name: &str| fields.iter().find(|f| f.name == name).expect(name).clone();
        assert!(!field("sdd_mandate").required);
        assert_eq!(
            field("sdd_mandate").required_when,
            ["required when method is dd"]
        );
        assert_eq!(
            field("capture").required_when,
            ["required when type is sale (or absent: its default is sale)"]
        );
        assert_eq!(
            field("customer.phone").required_when,
            ["required when method is mbw"]
        );

        let get = operation(Provider::Easypay, "single_get").expect("single_get");
        let fields = description.fields(get);
        assert!(
            fields
                .iter()
                .any(|f| f.name == "id" && f.place == Place::Path)
        );

        let description = Description::load(Provider::Easytransac).expect("parses");
        let direct =
            operation(Provider::Easytransac, "v1_payment_direct").expect("v1_payment_direct");
        let fields = description.fields(direct);
        assert!(fields.iter().any(|f| f.name == "Amount" && f.required));
        assert!(fields.iter().any(|f| f.name == "CardNumber"));
    }

    #[test]
    fn every_operation_is_listed_once() {
        assert!(operations(Provider::Easypay).len() > 30);
        assert!(operations(Provider::Easytransac).len() > 30);
        assert!(all_ids().contains(&"single_create"));
        assert!(all_ids().contains(&"v1_payment_direct"));
    }
}
