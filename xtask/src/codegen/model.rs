//! The generator's model: an API description lowered into Rust-shaped types (structs, enums,
//! unions, aliases), per-field constraints, and the operation list.
//!
//! Lowering also checks what `docs/api-descriptions.md` §9 asks a generator to check on load:
//! unique operation ids, the mandatory operation extensions, that every `x-` extension is a
//! documented one, and that every `x-required-when` / `x-require-any-of` path exists.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use yaml_rust2::Yaml;

use super::names::{self, RustIdent, field_ident, pascal};
use super::spec::{Spec, entries, flag, get, list, pairs, str_at, strings, text, text_at};

/// Every `x-` extension `docs/api-descriptions.md` defines, plus `x-rust-fn` (the adapter
/// function that calls an operation, for `docs/providers.md`).
const KNOWN_EXTENSIONS: &[&str] = &[
    "x-provider",
    "x-retry-policy",
    "x-sandbox",
    "x-api-scope-pattern",
    "x-excluded-operations",
    "x-environment",
    "x-rust-module",
    "x-rust-fn",
    "x-generation",
    "x-idempotent",
    "x-idempotency-header",
    "x-signed",
    "x-pagination",
    "x-cursor-next",
    "x-envelope",
    "x-api-scope",
    "x-path-confidence",
    "x-require-any-of",
    "x-webhook-verification",
    "x-refetch",
    "x-inferred",
    "x-form-nesting",
    "x-money",
    "x-yes-no",
    "x-case-insensitive",
    "x-open-enum",
    "x-known-values",
    "x-time-format",
    "x-timezone",
    "x-max-range-days",
    "x-empty-as-absent",
    "x-format-hint",
    "x-sensitive",
    "x-open-object",
    "x-required-when",
    "x-not-enforced",
    "x-signature-field",
    "x-clock-skew-seconds",
    "x-token-source",
];

/// The `format` values the generator enforces on requests (`docs/api-descriptions.md` §1).
pub(crate) const FORMATS: &[&str] = &["email", "uri", "url", "uuid", "date", "date-time"];

const METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head", "options"];

/// An API description lowered for code generation.
#[derive(Debug)]
pub(crate) struct Api {
    /// `easypay` or `easytransac`.
    pub(crate) provider: String,
    /// `info.title`.
    pub(crate) title: String,
    /// Every generated type, components first in file order, inline types after their owner.
    pub(crate) types: Vec<TypeDef>,
    /// Every operation: paths in file order, then webhooks.
    pub(crate) operations: Vec<Operation>,
    /// The HTTP retry rules of `x-retry-policy`; `None` when it states none (the generic
    /// rules apply).
    pub(crate) retry: Option<RetryPolicy>,
}

/// The HTTP part of `x-retry-policy`, as `pay_core::RetryRules` holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RetryPolicy {
    /// `should-retry-header`: the response header carrying the provider's advice.
    pub(crate) advice_header: Option<String>,
    /// `retry-statuses`.
    pub(crate) retry_statuses: Vec<u16>,
    /// `retry-500-unless-methods`: upper-case methods whose 500 is not retried.
    pub(crate) no_retry_500_methods: Vec<String>,
    /// `retry-on-no-response`.
    pub(crate) retry_on_no_response: bool,
    /// `transient-statuses`: answers not stored under an idempotency key.
    pub(crate) transient_statuses: Vec<u16>,
    /// `max-attempts`.
    pub(crate) max_attempts: Option<u32>,
    /// `x-inferred` on the policy.
    pub(crate) inferred: Option<String>,
}

/// Keys of `x-retry-policy` that state HTTP retry rules (`pay_core::RetryRules`).
const RETRY_HTTP_KEYS: &[&str] = &[
    "should-retry-header",
    "retry-statuses",
    "retry-500-unless-methods",
    "retry-on-no-response",
    "transient-statuses",
    "max-attempts",
];

/// Keys of `x-retry-policy` kept for people and not generated (`rate-limit`), or generated
/// elsewhere (`retry-api-error-codes` as the codes' `retryable`).
const RETRY_OTHER_KEYS: &[&str] = &[
    "rate-limit",
    "retry-api-error-codes",
    "only-idempotent-operations",
    "x-inferred",
];

/// Reads `x-retry-policy`: `None` when it is absent or states no HTTP rule; otherwise
/// `retry-statuses`, `retry-500-unless-methods`, `retry-on-no-response` and
/// `transient-statuses` are all required.
pub(crate) fn retry_policy(root: &Yaml) -> Result<Option<RetryPolicy>, String> {
    let Some(policy) = get(root, "x-retry-policy") else {
        return Ok(None);
    };
    let context = |what: String| format!("x-retry-policy: {what}");
    let keys: Vec<String> = pairs(policy).into_iter().map(|(key, _)| key).collect();
    if policy.as_hash().is_none() {
        return Err(context("must be a mapping".to_owned()));
    }
    if let Some(unknown) = keys
        .iter()
        .find(|k| !RETRY_HTTP_KEYS.contains(&k.as_str()) && !RETRY_OTHER_KEYS.contains(&k.as_str()))
    {
        return Err(context(format!("unknown key `{unknown}`")));
    }
    if !keys.iter().any(|k| RETRY_HTTP_KEYS.contains(&k.as_str())) {
        return Ok(None);
    }
    let statuses = |key: &str| -> Result<Vec<u16>, String> {
        let values = get(policy, key).ok_or_else(|| context(format!("`{key}` is missing")))?;
        let items = values
            .as_vec()
            .ok_or_else(|| context(format!("`{key}` must be a list")))?;
        let mut out = Vec::new();
        for item in items {
            let status = item
                .as_i64()
                .and_then(|n| u16::try_from(n).ok())
                .filter(|n| (100..=599).contains(n))
                .ok_or_else(|| context(format!("`{key}`: {item:?} is not an HTTP status")))?;
            if out.contains(&status) {
                return Err(context(format!("`{key}`: {status} is listed twice")));
            }
            out.push(status);
        }
        Ok(out)
    };
    let retry_statuses = statuses("retry-statuses")?;
    let transient_statuses = statuses("transient-statuses")?;
    let mut no_retry_500_methods = Vec::new();
    let methods = get(policy, "retry-500-unless-methods")
        .ok_or_else(|| context("`retry-500-unless-methods` is missing".to_owned()))?
        .as_vec()
        .ok_or_else(|| context("`retry-500-unless-methods` must be a list".to_owned()))?;
    for method in methods {
        let method = text(method)
            .filter(|m| ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&m.as_str()))
            .ok_or_else(|| {
                context(format!(
                    "`retry-500-unless-methods`: {method:?} is not GET, POST, PUT, PATCH or DELETE"
                ))
            })?;
        no_retry_500_methods.push(method);
    }
    let retry_on_no_response = get(policy, "retry-on-no-response")
        .and_then(Yaml::as_bool)
        .ok_or_else(|| context("`retry-on-no-response` must be true or false".to_owned()))?;
    let max_attempts = match get(policy, "max-attempts") {
        None => None,
        Some(value) => Some(
            value
                .as_i64()
                .and_then(|n| u32::try_from(n).ok())
                .filter(|n| *n >= 1)
                .ok_or_else(|| context("`max-attempts` must be a positive integer".to_owned()))?,
        ),
    };
    let advice_header = match get(policy, "should-retry-header") {
        None => None,
        Some(value) => Some(
            value
                .as_str()
                .filter(|name| !name.is_empty())
                .ok_or_else(|| context("`should-retry-header` must be a header name".to_owned()))?
                .to_owned(),
        ),
    };
    Ok(Some(RetryPolicy {
        advice_header,
        retry_statuses,
        no_retry_500_methods,
        retry_on_no_response,
        transient_statuses,
        max_attempts,
        inferred: str_at(policy, "x-inferred").map(str::to_owned),
    }))
}

/// One generated type.
#[derive(Debug)]
pub(crate) struct TypeDef {
    /// The Rust name (the schema name for components).
    pub(crate) name: String,
    /// Documentation lines (raw description text).
    pub(crate) doc: Vec<String>,
    /// What it is.
    pub(crate) kind: Kind,
    /// Whether a request body or query reaches it (it then gets `validate()`).
    pub(crate) request: bool,
}

/// The shape of a generated type.
#[derive(Debug)]
pub(crate) enum Kind {
    /// A struct with named fields.
    Struct(Struct),
    /// A string vocabulary with an `Unknown(String)` case.
    Enum(StrEnum),
    /// An integer vocabulary (`x-known-values`) with an `Unknown(i64)` case.
    IntEnum(Vec<IntVariant>),
    /// The V1 `yes`/`no` boolean.
    YesNo,
    /// A `oneOf` (or type list) told apart by the JSON kind of the value.
    Union(Vec<UnionMember>),
    /// A name for another type (primitive component schemas, free-form objects).
    Alias(Ty),
}

/// A struct type.
#[derive(Debug, Default)]
pub(crate) struct Struct {
    /// Fields in description order.
    pub(crate) fields: Vec<Field>,
    /// `x-open-object`: unknown fields are expected.
    pub(crate) open: bool,
    /// `x-require-any-of` (wire names).
    pub(crate) any_of: Vec<String>,
    /// `x-required-when`.
    pub(crate) required_when: Vec<RequiredWhen>,
}

/// One `x-required-when` entry.
#[derive(Debug)]
pub(crate) struct RequiredWhen {
    /// Dotted wire paths and the values that trigger the rule.
    pub(crate) when: Vec<(String, Vec<String>)>,
    /// Dotted wire paths that must then be present.
    pub(crate) required: Vec<String>,
}

/// A struct field.
#[derive(Debug)]
pub(crate) struct Field {
    /// The JSON/form name.
    pub(crate) wire: String,
    /// The Rust name.
    pub(crate) ident: RustIdent,
    /// The value type (without the `Option`).
    pub(crate) ty: Ty,
    /// Whether the field is an `Option`.
    pub(crate) optional: bool,
    /// Documentation lines.
    pub(crate) doc: Vec<String>,
    /// Constraints to check on requests.
    pub(crate) checks: Checks,
    /// `x-sensitive`: redacted in `Debug`.
    pub(crate) sensitive: bool,
    /// `x-signature-field`: computed by the adapter, never by the caller.
    pub(crate) signature: bool,
    /// `x-empty-as-absent`: `""` reads as `None`.
    pub(crate) empty_as_absent: bool,
    /// The schema `default`, as text.
    pub(crate) default: Option<String>,
}

/// A field's value type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ty {
    /// `String`.
    String,
    /// `i64` (integers that are not money).
    Int,
    /// `bool`.
    Bool,
    /// `pay_core::wire::MinorUnits`.
    MinorUnits,
    /// `pay_core::wire::DecimalString`.
    DecimalString,
    /// `pay_core::wire::JsonNumber`.
    JsonNumber,
    /// `Box<serde_json::value::RawValue>`: a free-form value kept as exact text.
    Raw,
    /// A generated type.
    Named(String),
    /// `Vec<T>`.
    List(Box<Ty>),
}

/// Constraints on one field, from its schema (after `x-not-enforced`).
#[derive(Debug, Default, Clone)]
pub(crate) struct Checks {
    /// `minLength`, in characters.
    pub(crate) min_length: Option<usize>,
    /// `maxLength`, in characters.
    pub(crate) max_length: Option<usize>,
    /// `pattern`.
    pub(crate) pattern: Option<String>,
    /// Every `x-time-format` token; a request value may match any of them.
    pub(crate) time_formats: Vec<String>,
    /// `format` (`email`, `uri`, `url`, `uuid`, `date`, `date-time`).
    pub(crate) format: Option<String>,
    /// `x-max-range-days` on an `interval-ymd-hm` filter.
    pub(crate) max_range_days: Option<u32>,
    /// `minimum` or `exclusiveMinimum`.
    pub(crate) minimum: Option<Bound>,
    /// `maximum` or `exclusiveMaximum`.
    pub(crate) maximum: Option<Bound>,
    /// `minItems`.
    pub(crate) min_items: Option<usize>,
    /// `x-money`.
    pub(crate) money: Option<Money>,
}

/// A numeric bound exactly as written in the description.
#[derive(Debug, Clone)]
pub(crate) struct Bound {
    /// The number's source text (`0.5`).
    pub(crate) text: String,
    /// Whether the bound itself is allowed.
    pub(crate) inclusive: bool,
}

/// `x-money` on a field.
#[derive(Debug, Clone)]
pub(crate) struct Money {
    /// `minor-int`, `major-decimal-string`, `major-json-number`, `major-number-or-string`.
    pub(crate) encoding: String,
    /// `max-decimals`.
    pub(crate) max_decimals: Option<u32>,
    /// `currency-field` (a sibling wire name), or `None` for `currency: …`.
    pub(crate) currency_field: Option<String>,
    /// `currency`: `account`, `resource` or an ISO code.
    pub(crate) currency: Option<String>,
}

/// One string enum.
#[derive(Debug)]
pub(crate) struct StrEnum {
    /// Variants in description order.
    pub(crate) variants: Vec<Variant>,
    /// `x-case-insensitive`.
    pub(crate) case_insensitive: bool,
}

/// One documented enum value.
#[derive(Debug)]
pub(crate) struct Variant {
    /// The Rust variant name.
    pub(crate) name: String,
    /// The wire text.
    pub(crate) value: String,
    /// `x-known-values` meaning, if any.
    pub(crate) meaning: Option<String>,
}

/// One documented integer code.
#[derive(Debug)]
pub(crate) struct IntVariant {
    /// The Rust variant name.
    pub(crate) name: String,
    /// The code.
    pub(crate) value: i64,
    /// What it means.
    pub(crate) meaning: Option<String>,
    /// `retryable: true`.
    pub(crate) retryable: bool,
}

/// One alternative of a union.
#[derive(Debug)]
pub(crate) struct UnionMember {
    /// The JSON kind that selects it.
    pub(crate) kind: JsonKind,
    /// Its type.
    pub(crate) ty: Ty,
}

/// The kind of a JSON value, as its first character tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum JsonKind {
    /// A string.
    Text,
    /// An integer.
    Integer,
    /// A number.
    Number,
    /// `true`/`false`.
    Bool,
    /// An array.
    List,
    /// An object.
    Object,
}

impl JsonKind {
    /// The variant name used for this kind in a union.
    pub(crate) fn variant(self) -> &'static str {
        match self {
            JsonKind::Text => "Text",
            JsonKind::Integer => "Integer",
            JsonKind::Number => "Number",
            JsonKind::Bool => "Bool",
            JsonKind::List => "List",
            JsonKind::Object => "Object",
        }
    }
}

/// One operation or webhook.
#[derive(Debug)]
pub(crate) struct Operation {
    /// `operationId`.
    pub(crate) id: String,
    /// Upper-case HTTP method.
    pub(crate) method: String,
    /// The path template (or the webhook's key).
    pub(crate) path: String,
    /// Whether it is under `webhooks:`.
    pub(crate) webhook: bool,
    /// `summary`.
    pub(crate) summary: String,
    /// Security alternatives, each a list of scheme names (empty: no authentication).
    pub(crate) auth: Vec<Vec<String>>,
    /// Request media types (`json`, `form`).
    pub(crate) content_types: Vec<&'static str>,
    /// The request body type.
    pub(crate) request_body: Option<String>,
    /// The query parameters type.
    pub(crate) query: Option<String>,
    /// Path parameter names, in template order.
    pub(crate) path_params: Vec<String>,
    /// The constraints of each path parameter, in the same order.
    pub(crate) path_checks: Vec<Checks>,
    /// `x-idempotent`.
    pub(crate) idempotent: bool,
    /// `x-idempotency-header`: header name and maximum length.
    pub(crate) idempotency_header: Option<(String, u32)>,
    /// `x-signed`: a scheme name, or `hmac` for the generic HMAC scheme in [`Self::hmac`].
    pub(crate) signed: Option<String>,
    /// `x-signed: {scheme: hmac, …}`.
    pub(crate) hmac: Option<Hmac>,
    /// `x-pagination`.
    pub(crate) pagination: Option<String>,
    /// `x-envelope`.
    pub(crate) envelope: Option<String>,
    /// `x-rust-module`.
    pub(crate) rust_module: String,
    /// `x-rust-fn`.
    pub(crate) rust_fn: Option<String>,
    /// `x-generation`.
    pub(crate) generation: Option<String>,
    /// `x-path-confidence`.
    pub(crate) path_confidence: Option<String>,
    /// `x-inferred` on the operation.
    pub(crate) inferred: Option<String>,
}

impl Api {
    /// The type called `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&TypeDef> {
        self.types.iter().find(|t| t.name == name)
    }

    /// `ty` with aliases followed to what they name.
    pub(crate) fn resolve<'a>(&'a self, ty: &'a Ty) -> &'a Ty {
        let mut ty = ty;
        for _ in 0..16 {
            match ty {
                Ty::Named(name) => match self.get(name).map(|t| &t.kind) {
                    Some(Kind::Alias(inner)) => ty = inner,
                    _ => return ty,
                },
                _ => return ty,
            }
        }
        ty
    }

    /// The struct a type names (through aliases), if it is one.
    pub(crate) fn struct_of(&self, ty: &Ty) -> Option<(&TypeDef, &Struct)> {
        match self.resolve(ty) {
            Ty::Named(name) => {
                let def = self.get(name)?;
                match &def.kind {
                    Kind::Struct(s) => Some((def, s)),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The string enum a type names (through aliases), if it is one.
    pub(crate) fn enum_of(&self, ty: &Ty) -> Option<(&TypeDef, &StrEnum)> {
        match self.resolve(ty) {
            Ty::Named(name) => {
                let def = self.get(name)?;
                match &def.kind {
                    Kind::Enum(e) => Some((def, e)),
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

/// Lowers a parsed description.
pub(crate) fn lower(spec: &Spec) -> Result<Api, String> {
    check_extensions(&spec.root)?;
    let mut lowerer = Lowerer {
        spec,
        types: Vec::new(),
        index: HashMap::new(),
    };
    let components = get(&spec.root, "components").ok_or("components is missing")?;
    let schemas = entries(components, "schemas");
    // Reserve every component name first so references resolve in any order.
    for (name, _) in &schemas {
        if !names::is_type_name(name) {
            return Err(format!(
                "schema name `{name}` is not a usable Rust type name"
            ));
        }
        lowerer.reserve(name)?;
    }
    for (name, schema) in &schemas {
        lowerer.fill(name, schema)?;
    }

    let mut operations = Vec::new();
    let mut request_roots = Vec::new();
    for (section, webhook) in [("paths", false), ("webhooks", true)] {
        for (path, item) in entries(&spec.root, section) {
            for (method, op) in pairs(item) {
                if !METHODS.contains(&method.as_str()) {
                    continue;
                }
                let operation = lowerer.operation(&path, &method, op, webhook)?;
                if !webhook {
                    request_roots.extend(operation.request_body.clone());
                    request_roots.extend(operation.query.clone());
                }
                operations.push(operation);
            }
        }
    }
    let mut seen = BTreeSet::new();
    for op in &operations {
        if !seen.insert(op.id.as_str()) {
            return Err(format!("operationId `{}` is used twice", op.id));
        }
    }

    let types: Vec<TypeDef> = lowerer
        .types
        .into_iter()
        .map(|t| t.ok_or("a reserved type was never defined"))
        .collect::<Result<_, _>>()?;
    let mut api = Api {
        provider: spec.provider.clone(),
        title: get(&spec.root, "info")
            .and_then(|i| str_at(i, "title"))
            .unwrap_or_default()
            .to_owned(),
        types,
        operations,
        retry: retry_policy(&spec.root)?,
    };
    mark_requests(&mut api, request_roots);
    check_paths(&api)?;
    Ok(api)
}

/// Every `x-` key anywhere in the document must be a documented extension.
fn check_extensions(root: &Yaml) -> Result<(), String> {
    let mut unknown = BTreeSet::new();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match node {
            Yaml::Hash(hash) => {
                for (key, value) in hash {
                    if let Some(key) = key.as_str()
                        && key.starts_with("x-")
                        && !KNOWN_EXTENSIONS.contains(&key)
                    {
                        unknown.insert(key.to_owned());
                    }
                    // Amounts are exact; a floating-point format would invite a float type.
                    if key.as_str() == Some("format")
                        && matches!(value.as_str(), Some("float" | "double"))
                    {
                        return Err("`format: float`/`double` is not allowed: amounts carry x-money and are exact".to_owned());
                    }
                    stack.push(value);
                }
            }
            Yaml::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "undocumented extensions (define them in docs/api-descriptions.md and the generator): {}",
            unknown.into_iter().collect::<Vec<_>>().join(", ")
        ))
    }
}

struct Lowerer<'a> {
    spec: &'a Spec,
    types: Vec<Option<TypeDef>>,
    index: HashMap<String, usize>,
}

impl Lowerer<'_> {
    fn reserve(&mut self, name: &str) -> Result<usize, String> {
        if self.index.contains_key(name) {
            return Err(format!("two generated types would be called `{name}`"));
        }
        self.types.push(None);
        let at = self.types.len() - 1;
        self.index.insert(name.to_owned(), at);
        Ok(at)
    }

    fn fill(&mut self, name: &str, schema: &Yaml) -> Result<(), String> {
        let merged = Yaml::Hash(self.spec.merged(schema)?);
        let kind = self
            .kind(name, schema, &merged)
            .map_err(|err| format!("{name}: {err}"))?;
        let at = self.index[name];
        self.types[at] = Some(TypeDef {
            name: name.to_owned(),
            doc: doc_lines(&merged, None),
            kind,
            request: false,
        });
        Ok(())
    }

    /// Defines a new inline type named `name` from `schema`.
    fn inline(&mut self, name: &str, schema: &Yaml) -> Result<Ty, String> {
        self.reserve(name)?;
        self.fill(name, schema)?;
        Ok(Ty::Named(name.to_owned()))
    }

    /// The shape of a named type.
    fn kind(&mut self, name: &str, schema: &Yaml, merged: &Yaml) -> Result<Kind, String> {
        if flag(merged, "x-yes-no") {
            return Ok(Kind::YesNo);
        }
        if get(merged, "enum").is_some() {
            return self.str_enum(merged).map(Kind::Enum);
        }
        let types = type_list(merged);
        if types.iter().any(|t| t == "integer") && get(merged, "x-known-values").is_some() {
            return int_enum(merged).map(Kind::IntEnum);
        }
        if get(merged, "oneOf").is_some() && get(schema, "$ref").is_none() {
            return self.union(name, merged);
        }
        let non_null: Vec<&String> = types.iter().filter(|t| *t != "null").collect();
        if non_null.len() > 1 {
            if get(merged, "x-money").is_some() {
                return Ok(Kind::Alias(Ty::JsonNumber));
            }
            let mut members = Vec::new();
            for kind in json_kinds(merged).into_iter().flatten() {
                let ty = match kind {
                    JsonKind::Text => Ty::String,
                    JsonKind::Integer => Ty::Int,
                    JsonKind::Number => Ty::JsonNumber,
                    JsonKind::Bool => Ty::Bool,
                    JsonKind::List | JsonKind::Object => Ty::Raw,
                };
                members.push(UnionMember { kind, ty });
            }
            return Ok(Kind::Union(members));
        }
        if types.iter().any(|t| t == "object") || get(merged, "properties").is_some() {
            let properties = entries(merged, "properties");
            if properties.is_empty() {
                return Ok(Kind::Alias(Ty::Raw));
            }
            return self.structure(name, merged).map(Kind::Struct);
        }
        let (ty, _) = self.field_type(schema, &format!("{name}Value"))?;
        Ok(Kind::Alias(ty))
    }

    fn str_enum(&mut self, merged: &Yaml) -> Result<StrEnum, String> {
        let case_insensitive = flag(merged, "x-case-insensitive");
        let meanings: BTreeMap<String, (Option<String>, Option<String>)> =
            list(merged, "x-known-values")
                .iter()
                .filter_map(|known| {
                    let value = text_at(known, "value")?;
                    Some((value, (text_at(known, "name"), text_at(known, "meaning"))))
                })
                .collect();
        let mut variants: Vec<Variant> = Vec::new();
        for value in list(merged, "enum").iter().filter_map(text) {
            let (name, meaning) = meanings.get(&value).cloned().unwrap_or_default();
            let name = pascal(name.as_deref().unwrap_or(&value));
            let clash = variants.iter().find(|v| {
                v.name == name
                    || (case_insensitive && v.value.eq_ignore_ascii_case(&value))
                    || v.value == value
            });
            if let Some(other) = clash {
                return Err(format!(
                    "enum values `{}` and `{value}` collide (as `{name}` or case-insensitively)",
                    other.value
                ));
            }
            if name == "Unknown" {
                return Err(format!(
                    "enum value `{value}` would clash with the Unknown case"
                ));
            }
            variants.push(Variant {
                name,
                value,
                meaning,
            });
        }
        Ok(StrEnum {
            variants,
            case_insensitive,
        })
    }

    fn union(&mut self, name: &str, merged: &Yaml) -> Result<Kind, String> {
        let mut members: Vec<UnionMember> = Vec::new();
        for (i, member) in list(merged, "oneOf").iter().enumerate() {
            let member_merged = Yaml::Hash(self.spec.merged(member)?);
            let kinds = json_kinds(&member_merged);
            if kinds == [None] {
                continue; // `{type: "null"}`: the field is an Option.
            }
            let [Some(kind)] = kinds.as_slice() else {
                return Err(format!("oneOf member {i} has several JSON types"));
            };
            let suffix = kind.variant();
            let (ty, _) = self.field_type(member, &format!("{name}{suffix}"))?;
            if members.iter().any(|m| m.kind == *kind) {
                return Err(format!(
                    "oneOf members share the JSON kind {suffix}; they cannot be told apart"
                ));
            }
            members.push(UnionMember { kind: *kind, ty });
        }
        Ok(Kind::Union(members))
    }

    fn structure(&mut self, name: &str, merged: &Yaml) -> Result<Struct, String> {
        let required = strings(merged, "required");
        let mut fields = Vec::new();
        for (wire, property) in entries(merged, "properties") {
            let field = self
                .field(name, &wire, property, required.contains(&wire))
                .map_err(|err| format!("{wire}: {err}"))?;
            fields.push(field);
        }
        for wire in &required {
            if !fields.iter().any(|f: &Field| &f.wire == wire) {
                return Err(format!("required field `{wire}` is not a property"));
            }
        }
        check_unique_idents(&fields)?;
        let required_when = list(merged, "x-required-when")
            .iter()
            .map(|rule| RequiredWhen {
                when: entries(rule, "when")
                    .into_iter()
                    .map(|(path, values)| {
                        let values = values
                            .as_vec()
                            .map(|v| v.iter().filter_map(text).collect())
                            .unwrap_or_default();
                        (path, values)
                    })
                    .collect(),
                required: strings(rule, "required"),
            })
            .collect();
        Ok(Struct {
            fields,
            open: flag(merged, "x-open-object"),
            any_of: strings(merged, "x-require-any-of"),
            required_when,
        })
    }

    fn field(
        &mut self,
        owner: &str,
        wire: &str,
        property: &Yaml,
        required: bool,
    ) -> Result<Field, String> {
        let context = format!("{owner}{}", pascal(wire));
        let (ty, nullable) = self.field_type(property, &context)?;
        let merged = self.field_schema(property)?;
        let signature = flag(&merged, "x-signature-field");
        let optional = !required || nullable || signature;
        let checks = checks(&merged)?;
        let empty_as_absent = flag(&merged, "x-empty-as-absent") && optional;
        Ok(Field {
            wire: wire.to_owned(),
            ident: field_ident(wire),
            doc: doc_lines(&merged, Some(&checks)),
            ty,
            optional,
            checks,
            sensitive: flag(&merged, "x-sensitive"),
            signature,
            empty_as_absent,
            default: text_at(&merged, "default"),
        })
    }

    /// The schema that carries a field's constraints: its `$ref` chain merged, and for a
    /// nullable `oneOf` the non-null member merged with the outer keywords.
    fn field_schema(&self, property: &Yaml) -> Result<Yaml, String> {
        let mut merged = self.spec.merged(property)?;
        let one_of = list(&Yaml::Hash(merged.clone()), "oneOf").to_vec();
        let non_null: Vec<&Yaml> = one_of
            .iter()
            .filter(|m| json_kinds(&Yaml::Hash(self.spec.merged(m).unwrap_or_default())) != [None])
            .collect();
        if non_null.len() == 1 && one_of.len() == 2 {
            let mut inner = self.spec.merged(non_null[0])?;
            for (k, v) in merged.iter() {
                if k.as_str() != Some("oneOf") {
                    inner.insert(k.clone(), v.clone());
                }
            }
            merged = inner;
        }
        Ok(Yaml::Hash(merged))
    }

    /// A field's Rust type and whether it is nullable.
    fn field_type(&mut self, schema: &Yaml, context: &str) -> Result<(Ty, bool), String> {
        if let Some(reference) = str_at(schema, "$ref") {
            let (name, _) = self.spec.resolve(reference)?;
            if !self.index.contains_key(name) {
                return Err(format!(
                    "reference to `{name}`, which is not a component schema"
                ));
            }
            return Ok((Ty::Named(name.to_owned()), false));
        }
        if let Some(members) = get(schema, "oneOf").and_then(Yaml::as_vec) {
            let non_null: Vec<&Yaml> = members
                .iter()
                .filter(|m| {
                    json_kinds(&Yaml::Hash(self.spec.merged(m).unwrap_or_default())) != [None]
                })
                .collect();
            if non_null.len() == 1 && members.len() == 2 {
                let (ty, _) = self.field_type(non_null[0], context)?;
                return Ok((ty, true));
            }
            return Ok((self.inline(context, schema)?, false));
        }
        let types = type_list(schema);
        let nullable = types.iter().any(|t| t == "null");
        let rest: Vec<&str> = types
            .iter()
            .map(String::as_str)
            .filter(|t| *t != "null")
            .collect();
        if rest.len() > 1 {
            if get(schema, "x-money").is_some() {
                return Ok((Ty::JsonNumber, nullable));
            }
            return Ok((self.inline(context, schema)?, nullable));
        }
        let has_properties = !entries(schema, "properties").is_empty();
        let ty = match rest.first().copied() {
            _ if get(schema, "enum").is_some() => {
                if flag(schema, "x-yes-no") {
                    return Err("inline x-yes-no is not supported; $ref YesNo".to_owned());
                }
                self.inline(context, schema)?
            }
            Some("string") if get(schema, "x-money").is_some() => Ty::DecimalString,
            Some("string") => Ty::String,
            Some("integer") if get(schema, "x-money").is_some() => Ty::MinorUnits,
            Some("integer") if get(schema, "x-known-values").is_some() => {
                self.inline(context, schema)?
            }
            Some("integer") => Ty::Int,
            Some("number") => Ty::JsonNumber,
            Some("boolean") => Ty::Bool,
            Some("array") => {
                let items = get(schema, "items").ok_or("array without items")?;
                let (item, _) = self.field_type(items, &format!("{context}Item"))?;
                Ty::List(Box::new(item))
            }
            Some("object") | None if has_properties => self.inline(context, schema)?,
            Some("object") | None => Ty::Raw,
            Some(other) => return Err(format!("unsupported type `{other}`")),
        };
        Ok((ty, nullable))
    }

    fn operation(
        &mut self,
        path: &str,
        method: &str,
        op: &Yaml,
        webhook: bool,
    ) -> Result<Operation, String> {
        let id = str_at(op, "operationId")
            .ok_or_else(|| format!("{method} {path}: operationId is missing"))?
            .to_owned();
        let context = |what: &str| format!("{id}: {what}");
        let rust_module = str_at(op, "x-rust-module")
            .ok_or_else(|| context("x-rust-module is missing"))?
            .to_owned();
        let idempotent = match get(op, "x-idempotent").and_then(Yaml::as_bool) {
            Some(value) => value,
            None if webhook => false,
            None => return Err(context("x-idempotent is missing")),
        };
        let envelope = str_at(op, "x-envelope").map(str::to_owned);
        if envelope.is_none() && !webhook {
            return Err(context("x-envelope is missing"));
        }

        let security = get(op, "security").or_else(|| get(&self.spec.root, "security"));
        let auth = security
            .and_then(Yaml::as_vec)
            .map(|alternatives| {
                alternatives
                    .iter()
                    .map(|alt| pairs(alt).into_iter().map(|(name, _)| name).collect())
                    .collect()
            })
            .unwrap_or_default();

        let mut content_types = Vec::new();
        let mut request_body = None;
        if let Some(body) = get(op, "requestBody") {
            for (media, content) in entries(body, "content") {
                content_types.push(match media.as_str() {
                    "application/json" => "json",
                    "application/x-www-form-urlencoded" => "form",
                    other => return Err(context(&format!("unsupported media type {other}"))),
                });
                let schema =
                    get(content, "schema").ok_or_else(|| context("body without schema"))?;
                let ty = match str_at(schema, "$ref") {
                    Some(reference) => self.spec.resolve(reference)?.0.to_owned(),
                    None => {
                        let name = format!("{}Request", pascal(&id));
                        if !self.index.contains_key(&name) {
                            self.inline(&name, schema)?;
                        }
                        name
                    }
                };
                if request_body.as_ref().is_some_and(|known| known != &ty) {
                    return Err(context("media types with different schemas"));
                }
                request_body = Some(ty);
            }
        }
        for (status, response) in entries(op, "responses") {
            for (_, content) in entries(response, "content") {
                let Some(schema) = get(content, "schema") else {
                    continue;
                };
                if get(schema, "$ref").is_none() && get(schema, "oneOf").is_none() {
                    let name = format!("{}Response", pascal(&id));
                    let name = if self.index.contains_key(&name) {
                        format!("{name}{status}")
                    } else {
                        name
                    };
                    self.inline(&name, schema)?;
                }
            }
        }

        let mut query_fields = Vec::new();
        let mut path_params = Vec::new();
        let mut path_checks = Vec::new();
        for parameter in list(op, "parameters") {
            let parameter = match str_at(parameter, "$ref") {
                Some(reference) => self.spec.resolve(reference)?.1,
                None => parameter,
            };
            let name =
                str_at(parameter, "name").ok_or_else(|| context("parameter without name"))?;
            match str_at(parameter, "in") {
                Some("query") => query_fields.push((name.to_owned(), parameter)),
                Some("path") => {
                    let schema = match get(parameter, "schema") {
                        Some(schema) => Yaml::Hash(self.spec.merged(schema)?),
                        None => Yaml::Hash(Default::default()),
                    };
                    let checks = checks(&schema)
                        .map_err(|err| context(&format!("path parameter {name}: {err}")))?;
                    if checks.minimum.is_some()
                        || checks.maximum.is_some()
                        || checks.min_items.is_some()
                        || checks.money.is_some()
                    {
                        return Err(context(&format!(
                            "path parameter {name}: only string constraints are supported"
                        )));
                    }
                    path_params.push(name.to_owned());
                    path_checks.push(checks);
                }
                _ => {}
            }
        }
        let query = if query_fields.is_empty() {
            None
        } else {
            Some(self.query_type(&id, op, &query_fields)?)
        };
        for param in &path_params {
            if !path.contains(&format!("{{{param}}}")) {
                return Err(context(&format!(
                    "path parameter {param} is not in the path"
                )));
            }
        }

        let idempotency_header = match get(op, "x-idempotency-header") {
            Some(header) => Some((
                str_at(header, "name")
                    .ok_or_else(|| context("x-idempotency-header without name"))?
                    .to_owned(),
                text_at(header, "max-length")
                    .and_then(|n| n.parse().ok())
                    .ok_or_else(|| context("x-idempotency-header without max-length"))?,
            )),
            None => None,
        };

        Ok(Operation {
            method: method.to_ascii_uppercase(),
            path: path.to_owned(),
            webhook,
            summary: str_at(op, "summary").unwrap_or_default().to_owned(),
            auth,
            content_types,
            request_body,
            query,
            path_params,
            path_checks,
            idempotent,
            idempotency_header,
            signed: match get(op, "x-signed") {
                Some(value) if value.as_hash().is_some() => Some("hmac".to_owned()),
                _ => str_at(op, "x-signed").map(str::to_owned),
            },
            hmac: get(op, "x-signed")
                .filter(|value| value.as_hash().is_some())
                .map(hmac)
                .transpose()?,
            pagination: str_at(op, "x-pagination").map(str::to_owned),
            envelope,
            rust_module,
            rust_fn: str_at(op, "x-rust-fn").map(str::to_owned),
            generation: str_at(op, "x-generation").map(str::to_owned),
            path_confidence: str_at(op, "x-path-confidence").map(str::to_owned),
            inferred: str_at(op, "x-inferred").map(str::to_owned),
            id,
        })
    }

    /// A struct holding an operation's query parameters, named `<OperationId>Query`.
    fn query_type(
        &mut self,
        id: &str,
        op: &Yaml,
        parameters: &[(String, &Yaml)],
    ) -> Result<String, String> {
        let name = format!("{}Query", pascal(id));
        self.reserve(&name)?;
        let mut fields = Vec::new();
        for (wire, parameter) in parameters {
            let mut schema = get(parameter, "schema")
                .and_then(Yaml::as_hash)
                .cloned()
                .unwrap_or_default();
            for key in ["description", "x-inferred"] {
                if let Some(value) = get(parameter, key) {
                    schema
                        .entry(Yaml::String(key.to_owned()))
                        .or_insert_with(|| value.clone());
                }
            }
            let required = flag(parameter, "required");
            let field = self
                .field(&name, wire, &Yaml::Hash(schema), required)
                .map_err(|err| format!("{id}: query {wire}: {err}"))?;
            fields.push(field);
        }
        check_unique_idents(&fields)?;
        let at = self.index[&name];
        self.types[at] = Some(TypeDef {
            doc: vec![format!("Query parameters of `{id}`.")],
            name: name.clone(),
            kind: Kind::Struct(Struct {
                fields,
                open: false,
                any_of: strings(op, "x-require-any-of"),
                required_when: Vec::new(),
            }),
            request: false,
        });
        Ok(name)
    }
}

fn check_unique_idents(fields: &[Field]) -> Result<(), String> {
    let mut seen = BTreeMap::new();
    for field in fields {
        if let Some(other) = seen.insert(field.ident.name.clone(), &field.wire) {
            return Err(format!(
                "fields `{other}` and `{}` would both be called `{}`",
                field.wire, field.ident.name
            ));
        }
    }
    Ok(())
}

fn int_enum(merged: &Yaml) -> Result<Vec<IntVariant>, String> {
    let mut variants: Vec<IntVariant> = Vec::new();
    for known in list(merged, "x-known-values") {
        let value = get(known, "value")
            .and_then(Yaml::as_i64)
            .ok_or("integer x-known-values entry without an integer value")?;
        let name = pascal(&text_at(known, "name").unwrap_or_else(|| format!("code_{value}")));
        if variants.iter().any(|v| v.name == name || v.value == value) || name == "Unknown" {
            return Err(format!("x-known-values entry {value} collides"));
        }
        variants.push(IntVariant {
            name,
            value,
            meaning: text_at(known, "meaning"),
            retryable: flag(known, "retryable"),
        });
    }
    Ok(variants)
}

/// `type` as a list (`string` -> `["string"]`).
fn type_list(schema: &Yaml) -> Vec<String> {
    match get(schema, "type") {
        Some(Yaml::String(t)) => vec![t.clone()],
        Some(Yaml::Array(items)) => items.iter().filter_map(text).collect(),
        _ => Vec::new(),
    }
}

/// The JSON kinds a (merged) schema allows; `None` stands for `null`.
fn json_kinds(schema: &Yaml) -> Vec<Option<JsonKind>> {
    let mut kinds: Vec<Option<JsonKind>> = type_list(schema)
        .iter()
        .map(|t| match t.as_str() {
            "string" => Some(JsonKind::Text),
            "integer" => Some(JsonKind::Integer),
            "number" => Some(JsonKind::Number),
            "boolean" => Some(JsonKind::Bool),
            "array" => Some(JsonKind::List),
            "object" => Some(JsonKind::Object),
            _ => None,
        })
        .collect();
    if kinds.is_empty() {
        if get(schema, "properties").is_some() {
            kinds.push(Some(JsonKind::Object));
        } else if get(schema, "enum").is_some() {
            kinds.push(Some(JsonKind::Text));
        }
    }
    kinds
}

/// The constraints of a (merged) field schema, minus `x-not-enforced` keywords.
fn checks(schema: &Yaml) -> Result<Checks, String> {
    let skipped = strings(schema, "x-not-enforced");
    let keyword = |name: &str| {
        if skipped.iter().any(|s| s == name) {
            None
        } else {
            get(schema, name)
        }
    };
    let count = |name: &str| -> Result<Option<usize>, String> {
        keyword(name)
            .map(|v| {
                text(v)
                    .and_then(|t| t.parse().ok())
                    .ok_or_else(|| format!("{name} is not a count"))
            })
            .transpose()
    };
    let bound = |name: &str, inclusive: bool| {
        keyword(name)
            .and_then(text)
            .map(|text| Bound { text, inclusive })
    };
    let money = get(schema, "x-money").map(|money| Money {
        encoding: str_at(money, "encoding").unwrap_or_default().to_owned(),
        max_decimals: text_at(money, "max-decimals").and_then(|n| n.parse().ok()),
        currency_field: str_at(money, "currency-field").map(str::to_owned),
        currency: text_at(money, "currency"),
    });
    if let Some(money) = &money {
        let known = [
            "minor-int",
            "major-decimal-string",
            "major-json-number",
            "major-number-or-string",
        ];
        if !known.contains(&money.encoding.as_str()) {
            return Err(format!("unknown x-money encoding `{}`", money.encoding));
        }
    }
    let time_formats = if skipped.iter().any(|s| s == "x-time-format") {
        Vec::new()
    } else {
        strings(schema, "x-time-format")
    };
    let format = keyword("format").and_then(text);
    if let Some(format) = &format
        && !FORMATS.contains(&format.as_str())
    {
        return Err(format!(
            "`format: {format}` is not one the generator enforces ({})",
            FORMATS.join(", ")
        ));
    }
    let max_range_days = keyword("x-max-range-days")
        .map(|v| {
            text(v)
                .and_then(|t| t.parse().ok())
                .ok_or("x-max-range-days is not a count of days")
        })
        .transpose()?;
    if max_range_days.is_some() && !time_formats.iter().any(|t| t == "interval-ymd-hm") {
        return Err("x-max-range-days needs x-time-format interval-ymd-hm".to_owned());
    }
    Ok(Checks {
        min_length: count("minLength")?,
        max_length: count("maxLength")?,
        pattern: keyword("pattern").and_then(text),
        time_formats,
        format,
        max_range_days,
        minimum: bound("exclusiveMinimum", false).or_else(|| bound("minimum", true)),
        maximum: bound("exclusiveMaximum", false).or_else(|| bound("maximum", true)),
        min_items: count("minItems")?,
        money,
    })
}

/// Documentation lines for a schema or field: description, constraints, inferred facts.
fn doc_lines(schema: &Yaml, checks: Option<&Checks>) -> Vec<String> {
    let mut lines = Vec::new();
    let description = str_at(schema, "description")
        .or_else(|| str_at(schema, "summary"))
        .map(|d| d.split_whitespace().collect::<Vec<_>>().join(" "));
    if let Some(description) = description {
        lines.push(description);
    }
    if let Some(checks) = checks {
        let mut rules = Vec::new();
        let characters = |n: usize| {
            if n == 1 {
                "1 character".to_owned()
            } else {
                format!("{n} characters")
            }
        };
        if let Some(n) = checks.min_length {
            rules.push(format!("at least {}", characters(n)));
        }
        if let Some(n) = checks.max_length {
            rules.push(format!("at most {}", characters(n)));
        }
        if let Some(p) = &checks.pattern {
            rules.push(format!("pattern `{p}`"));
        }
        if !checks.time_formats.is_empty() {
            let tokens: Vec<String> = checks
                .time_formats
                .iter()
                .map(|t| format!("`{t}`"))
                .collect();
            let tokens = match tokens.split_last() {
                Some((last, [])) => last.clone(),
                Some((last, first)) => format!("{} or {last}", first.join(", ")),
                None => String::new(),
            };
            rules.push(format!("time format {tokens}"));
        }
        if let Some(f) = &checks.format {
            rules.push(format!("format `{f}`"));
        }
        if let Some(days) = checks.max_range_days {
            rules.push(format!("spans at most {days} days"));
        }
        if let Some(b) = &checks.minimum {
            let op = if b.inclusive { "at least" } else { "more than" };
            rules.push(format!("{op} {}", b.text));
        }
        if let Some(b) = &checks.maximum {
            let op = if b.inclusive { "at most" } else { "less than" };
            rules.push(format!("{op} {}", b.text));
        }
        if let Some(n) = checks.min_items {
            rules.push(format!("at least {n} items"));
        }
        if let Some(m) = &checks.money {
            let currency = match (&m.currency_field, &m.currency) {
                (Some(field), _) => format!("currency in `{field}`"),
                (None, Some(c)) => format!("currency: {c}"),
                (None, None) => "currency unstated".to_owned(),
            };
            rules.push(format!("amount, `{}`, {currency}", m.encoding));
        }
        if !rules.is_empty() {
            lines.push(format!("Constraints: {}.", rules.join(", ")));
        }
    }
    if flag(schema, "deprecated") {
        lines.push("Deprecated by the provider.".to_owned());
    }
    if flag(schema, "x-open-object") {
        lines.push("The field list is known to be incomplete (`x-open-object`).".to_owned());
    }
    if flag(schema, "x-sensitive") {
        lines.push("Sensitive: redacted in `Debug`.".to_owned());
    }
    if let Some(inferred) = str_at(schema, "x-inferred") {
        lines.push(format!(
            "Inferred: {}.",
            inferred
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .trim_end_matches('.')
        ));
    }
    lines
}

/// Marks every type reachable from a request body or query as a request type.
fn mark_requests(api: &mut Api, roots: Vec<String>) {
    let mut pending = roots;
    let mut reached = BTreeSet::new();
    while let Some(name) = pending.pop() {
        if !reached.insert(name.clone()) {
            continue;
        }
        let Some(def) = api.get(&name) else { continue };
        let mut push = |ty: &Ty| pending.extend(named(ty).map(str::to_owned));
        match &def.kind {
            Kind::Struct(s) => s.fields.iter().for_each(|f| push(&f.ty)),
            Kind::Union(members) => members.iter().for_each(|m| push(&m.ty)),
            Kind::Alias(ty) => push(ty),
            Kind::Enum(_) | Kind::IntEnum(_) | Kind::YesNo => {}
        }
    }
    for def in &mut api.types {
        def.request = reached.contains(&def.name);
    }
}

/// The generated type a field type names, looking through `Vec`.
fn named(ty: &Ty) -> Option<&str> {
    match ty {
        Ty::Named(name) => Some(name),
        Ty::List(inner) => named(inner),
        _ => None,
    }
}

/// Every `x-required-when` and `x-require-any-of` path must lead to a field.
fn check_paths(api: &Api) -> Result<(), String> {
    for def in &api.types {
        let Kind::Struct(s) = &def.kind else { continue };
        let mut paths: Vec<&str> = s.any_of.iter().map(String::as_str).collect();
        for rule in &s.required_when {
            paths.extend(rule.when.iter().map(|(p, _)| p.as_str()));
            paths.extend(rule.required.iter().map(String::as_str));
        }
        for path in paths {
            field_path(api, s, path).map_err(|err| format!("{}: {err}", def.name))?;
        }
    }
    Ok(())
}

/// The fields a dotted wire path walks through, starting at `start`.
pub(crate) fn field_path<'a>(
    api: &'a Api,
    start: &'a Struct,
    path: &str,
) -> Result<Vec<&'a Field>, String> {
    let mut current = start;
    let mut walked = Vec::new();
    let segments: Vec<&str> = path.split('.').collect();
    for (i, segment) in segments.iter().enumerate() {
        let field = current
            .fields
            .iter()
            .find(|f| f.wire == *segment)
            .ok_or_else(|| format!("path `{path}`: no field `{segment}`"))?;
        walked.push(field);
        if i + 1 < segments.len() {
            current = api
                .struct_of(&field.ty)
                .map(|(_, s)| s)
                .ok_or_else(|| format!("path `{path}`: `{segment}` is not an object"))?;
        }
    }
    Ok(walked)
}

/// The generic HMAC scheme of `x-signed` (`docs/api-descriptions.md` §4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hmac {
    /// `sha256`, `sha384` or `sha512`.
    pub(crate) algorithm: String,
    /// The header carrying the signature.
    pub(crate) header: String,
    /// `hex` or `base64`.
    pub(crate) encoding: String,
    /// `raw-body` or `canonical`.
    pub(crate) covers: String,
    /// A prefix of the header value (`sha256=`).
    pub(crate) prefix: Option<String>,
}

/// Reads `x-signed: {scheme: hmac, algorithm, header, encoding, covers, prefix?}`, refusing
/// unknown keys and values.
pub(crate) fn hmac(value: &Yaml) -> Result<Hmac, String> {
    const KEYS: &[&str] = &[
        "scheme",
        "algorithm",
        "header",
        "encoding",
        "covers",
        "prefix",
    ];
    for (key, _) in value.as_hash().into_iter().flatten() {
        let key = key.as_str().unwrap_or_default();
        if !KEYS.contains(&key) {
            return Err(format!(
                "x-signed: unknown key `{key}` (known: {})",
                KEYS.join(", ")
            ));
        }
    }
    let one_of = |key: &str, allowed: &[&str]| -> Result<String, String> {
        let found = text_at(value, key).ok_or_else(|| format!("x-signed: `{key}` is missing"))?;
        if allowed.is_empty() || allowed.contains(&found.as_str()) {
            Ok(found)
        } else {
            Err(format!(
                "x-signed: {key} `{found}` is not one of {}",
                allowed.join(", ")
            ))
        }
    };
    one_of("scheme", &["hmac"])?;
    let header = one_of("header", &[])?;
    if header.is_empty()
        || !header
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(format!(
            "x-signed: header `{header}` is not an HTTP header name"
        ));
    }
    Ok(Hmac {
        algorithm: one_of("algorithm", &["sha256", "sha384", "sha512"])?,
        header,
        encoding: one_of("encoding", &["hex", "base64"])?,
        covers: one_of("covers", &["raw-body", "canonical"])?,
        prefix: text_at(value, "prefix"),
    })
}
