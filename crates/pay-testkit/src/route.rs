//! [`Route`]: which requests a fault script applies to, by method and path template, by
//! operation id, or by any predicate. Provider fakes may also route with it.

use std::fmt;
use std::sync::Arc;

use crate::provider::FakeRequest;

/// A set of requests: method and path template (`POST /single/{id}`), a documented
/// operation id (`single_create`), every request, or a predicate.
///
/// A `{name}` segment matches exactly one non-empty path segment. Methods compare
/// ignoring case; paths compare exactly, without the query string.
///
/// ```
/// use pay_testkit::{FakeRequest, Route};
///
/// let route = Route::new("POST", "/capture/{id}");
/// let request = FakeRequest::new("POST", "/capture/9f1c?x=1");
/// assert!(route.matches(&request, None));
/// assert_eq!(route.captures(&request).unwrap().get("id"), Some("9f1c"));
/// assert!(!route.matches(&FakeRequest::new("GET", "/capture/9f1c"), None));
/// assert!(!route.matches(&FakeRequest::new("POST", "/capture/9f1c/splits"), None));
///
/// assert!(Route::operation("single_create").matches(&FakeRequest::new("POST", "/single"), Some("single_create")));
/// ```
#[derive(Clone)]
pub struct Route {
    matcher: Matcher,
}

#[derive(Clone)]
enum Matcher {
    Any,
    Template {
        method: Option<String>,
        template: String,
        segments: Vec<Segment>,
    },
    Operation(String),
    Predicate(Arc<dyn Fn(&FakeRequest) -> bool + Send + Sync>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param(String),
}

impl Route {
    /// Requests with `method` whose path matches `template`.
    pub fn new(method: &str, template: &str) -> Self {
        Self::template(Some(method.to_ascii_uppercase()), template)
    }

    /// Requests with any method whose path matches `template`.
    pub fn any_method(template: &str) -> Self {
        Self::template(None, template)
    }

    /// Requests the provider fake recognises as operation `operation_id` (see
    /// [`FakeProvider::operation`](crate::FakeProvider::operation)).
    pub fn operation(operation_id: &str) -> Self {
        Self {
            matcher: Matcher::Operation(operation_id.to_owned()),
        }
    }

    /// Every request.
    pub fn any() -> Self {
        Self {
            matcher: Matcher::Any,
        }
    }

    /// Requests for which `predicate` is true.
    pub fn matching(predicate: impl Fn(&FakeRequest) -> bool + Send + Sync + 'static) -> Self {
        Self {
            matcher: Matcher::Predicate(Arc::new(predicate)),
        }
    }

    fn template(method: Option<String>, template: &str) -> Self {
        let segments = split(template)
            .map(
                |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => Segment::Param(name.to_owned()),
                    None => Segment::Literal(s.to_owned()),
                },
            )
            .collect();
        Self {
            matcher: Matcher::Template {
                method,
                template: template.to_owned(),
                segments,
            },
        }
    }

    /// Whether `request` is in this set; `operation` is what the provider fake called it.
    pub fn matches(&self, request: &FakeRequest, operation: Option<&str>) -> bool {
        match &self.matcher {
            Matcher::Any => true,
            Matcher::Operation(id) => operation == Some(id.as_str()),
            Matcher::Predicate(predicate) => predicate(request),
            Matcher::Template { .. } => self.captures(request).is_some(),
        }
    }

    /// The path parameters when this is a template route matching `request`.
    pub fn captures(&self, request: &FakeRequest) -> Option<PathParams> {
        let Matcher::Template {
            method, segments, ..
        } = &self.matcher
        else {
            return None;
        };
        if method
            .as_deref()
            .is_some_and(|m| !m.eq_ignore_ascii_case(request.method()))
        {
            return None;
        }
        let actual: Vec<&str> = split(request.path()).collect();
        if actual.len() != segments.len() {
            return None;
        }
        let mut params = Vec::new();
        for (want, got) in segments.iter().zip(actual) {
            match want {
                Segment::Literal(literal) if literal == got => {}
                Segment::Param(name) if !got.is_empty() => {
                    params.push((name.clone(), got.to_owned()));
                }
                _ => return None,
            }
        }
        Some(PathParams(params))
    }
}

fn split(path: &str) -> impl Iterator<Item = &str> {
    path.strip_prefix('/').unwrap_or(path).split('/')
}

impl fmt::Debug for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Route({self})")
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.matcher {
            Matcher::Any => f.write_str("any request"),
            Matcher::Template {
                method: Some(method),
                template,
                ..
            } => write!(f, "{method} {template}"),
            Matcher::Template {
                method: None,
                template,
                ..
            } => write!(f, "* {template}"),
            Matcher::Operation(id) => write!(f, "operation {id}"),
            Matcher::Predicate(_) => f.write_str("custom predicate"),
        }
    }
}

/// The values of a template's `{name}` segments, still percent-encoded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PathParams(Vec<(String, String)>);

impl PathParams {
    /// The value of `{name}`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every parameter, in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_whole_segments() {
        let route = Route::new("patch", "/capture/{capture-uuid}/splits/{split}");
        let request = FakeRequest::new("PATCH", "/capture/c1/splits/s2");
        let params = route.captures(&request).unwrap();
        assert_eq!(params.get("capture-uuid"), Some("c1"));
        assert_eq!(params.get("split"), Some("s2"));
        assert_eq!(params.iter().count(), 2);
        for (method, path) in [
            ("PATCH", "/capture//splits/s2"),
            ("PATCH", "/capture/c1/splits"),
            ("PATCH", "/capture/c1/splits/s2/"),
            ("PATCH", "/Capture/c1/splits/s2"),
            ("GET", "/capture/c1/splits/s2"),
        ] {
            assert!(
                !route.matches(&FakeRequest::new(method, path), None),
                "{method} {path}"
            );
        }
        assert!(Route::any_method("/single").matches(&FakeRequest::new("DELETE", "/single"), None));
        assert!(Route::new("GET", "/").matches(&FakeRequest::new("GET", "/"), None));
    }

    #[test]
    fn operations_predicates_and_names() {
        let request = FakeRequest::new("POST", "/single").with_header("x-test", "1");
        assert!(!Route::operation("single_create").matches(&request, None));
        assert!(!Route::operation("single_create").matches(&request, Some("single_get")));
        assert!(Route::any().matches(&request, None));
        let by_header = Route::matching(|r| r.header("x-test") == Some("1"));
        assert!(by_header.matches(&request, None));
        assert!(!by_header.matches(&FakeRequest::new("POST", "/single"), None));
        assert_eq!(Route::new("post", "/single").to_string(), "POST /single");
        assert_eq!(format!("{:?}", Route::operation("x")), "Route(operation x)");
        assert_eq!(by_header.to_string(), "custom predicate");
        assert_eq!(Route::operation("x").captures(&request), None);
    }
}
