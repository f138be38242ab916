//! `pay call --verbose`: the transport's own account of the call, on standard error, one
//! line per attempt and one for the call, named by the operation the user called (the
//! adapters log their raw escape hatch, `v1_raw_read` and the like, under its own id).
//!
//! Only pay's own targets (`pay`, `pay_core`, `pay_http`, the adapters) at DEBUG and
//! above are listened to, and of their fields only an allow-list is shown (attempt,
//! outcome, status, retry decision, times, request id, replay, safety): never a header, a
//! body (the transport logs bodies at TRACE, which is not listened to) or a key.

use std::fmt::Debug;
use std::io::Write;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

/// The fields shown; anything else a log carries is left out.
const SHOWN: &[&str] = &[
    "attempt",
    "outcome",
    "status",
    "decision",
    "elapsed_ms",
    "latency_ms",
    "request_id",
    "replay",
    "safety",
];

/// The span of one call in pay-http.
const CALL_SPAN: &str = "pay.call";

/// The layer: prints to standard error, naming `provider` and `operation`.
pub(crate) struct CallLog {
    /// The provider, as the command line names it.
    pub(crate) provider: &'static str,
    /// The operation the user called.
    pub(crate) operation: &'static str,
}

/// Whether `target` is one of pay's own crates.
fn is_pay(target: &str) -> bool {
    let krate = target.split("::").next().unwrap_or_default();
    matches!(
        krate,
        "pay" | "pay_core" | "pay_http" | "pay_easypay" | "pay_easytransac" | "pay_signing"
    )
}

/// Allow-listed fields, in the order recorded, and the event's message.
#[derive(Default)]
struct Fields {
    message: Option<String>,
    values: Vec<(&'static str, String)>,
}

impl Fields {
    fn set(&mut self, name: &'static str, value: String) {
        if name == "message" {
            self.message = Some(value);
        } else if SHOWN.contains(&name) {
            match self.values.iter_mut().find(|(k, _)| *k == name) {
                Some(slot) => slot.1 = value,
                None => self.values.push((name, value)),
            }
        }
    }

    fn render(&self) -> String {
        self.values
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.set(field.name(), format!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.set(field.name(), value.to_owned());
    }
}

impl CallLog {
    fn print(&self, what: &str, fields: &Fields) {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(
            err,
            "pay: {} {}: {what} {}",
            self.provider,
            self.operation,
            fields.render()
        );
    }
}

impl<S> Layer<S> for CallLog
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn enabled(&self, metadata: &Metadata<'_>, _ctx: Context<'_, S>) -> bool {
        *metadata.level() <= Level::DEBUG && is_pay(metadata.target())
    }

    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if attrs.metadata().name() != CALL_SPAN {
            return;
        }
        if let Some(span) = ctx.span(id) {
            let mut fields = Fields::default();
            attrs.record(&mut fields);
            span.extensions_mut().insert(fields);
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id)
            && let Some(fields) = span.extensions_mut().get_mut::<Fields>()
        {
            values.record(fields);
        }
    }

    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let what = match fields.message.as_deref() {
            Some("pay.attempt") => {
                let at = fields.values.iter().position(|(k, _)| *k == "attempt");
                match at.map(|at| fields.values.remove(at)) {
                    Some((_, n)) => format!("attempt {n}:"),
                    None => "attempt:".to_owned(),
                }
            }
            Some(other) => format!("{other}:"),
            None => format!("{}:", event.metadata().name()),
        };
        self.print(&what, &fields);
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(&id)
            && let Some(fields) = span.extensions().get::<Fields>()
        {
            self.print("result:", fields);
        }
    }
}

/// Installs the layer as the process's subscriber.
pub(crate) fn install(provider: &'static str, operation: &'static str) {
    use tracing_subscriber::layer::SubscriberExt;
    let subscriber = tracing_subscriber::registry().with(CallLog {
        provider,
        operation,
    });
    let _ = tracing::subscriber::set_global_default(subscriber);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pay_targets_and_allowed_fields() {
        assert!(is_pay("pay_http::transport"));
        assert!(is_pay("pay_easypay"));
        assert!(!is_pay("hyper_util::client::legacy::pool"));
        assert!(!is_pay("pay_testkit::server"));
        let mut fields = Fields::default();
        fields.set("status", "200".to_owned());
        fields.set("body", "{\"secret\":1}".to_owned());
        fields.set("status", "201".to_owned());
        assert_eq!(fields.render(), "status=201");
    }
}
