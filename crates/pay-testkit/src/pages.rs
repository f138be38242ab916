//! Customer-facing HTML pages of the fakes: the shared layout, escaping and the return to
//! the merchant.
//!
//! Every page a fake serves to a customer's browser (a payment page, a 3-D Secure
//! challenge, a card form, a mandate to sign, an MB WAY "approve on your phone" page) is
//! plain server-rendered HTML built here: one stylesheet inlined in the head, no
//! JavaScript, labelled form controls, and stable `data-testid` hooks that users' browser
//! tests select on (listed in `docs/testing.md`). Forms post only to the fake itself;
//! the one exception is the return to the merchant, which goes where the merchant asked.
//!
//! Text that comes from a request (a description, an amount, a merchant's URL) is always
//! passed through [`escape`] before it is written into a page.

use crate::FakeResponse;

/// The stylesheet every page carries: readable, high-contrast, visible focus.
const STYLE: &str = "\
body{font-family:system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1b1f24}\
main{max-width:30rem;margin:3rem auto;background:#fff;padding:2rem;border-radius:.5rem;\
box-shadow:0 1px 3px rgba(0,0,0,.2)}\
h1{font-size:1.4rem;margin-top:0}\
.fake-banner{background:#fff3cd;color:#5c4400;padding:.5rem 1rem;text-align:center;margin:0}\
.amount{font-size:1.6rem;font-weight:600}\
label{display:block;margin-top:1rem;font-weight:600}\
input,select{display:block;width:100%;box-sizing:border-box;padding:.5rem;margin-top:.25rem;\
font-size:1rem;border:1px solid #6b7280;border-radius:.25rem}\
input[type=checkbox]{display:inline;width:auto;margin-right:.5rem}\
.actions{display:flex;gap:.5rem;margin-top:1.5rem;flex-wrap:wrap}\
button{padding:.6rem 1.2rem;font-size:1rem;border-radius:.25rem;border:1px solid #1f4fd1;\
background:#1f4fd1;color:#fff;cursor:pointer}\
button.secondary{background:#fff;color:#1f4fd1}\
button:focus,input:focus,select:focus{outline:3px solid #f59e0b;outline-offset:2px}\
[role=alert]{background:#fde8e8;color:#7f1d1d;padding:.5rem 1rem;border-radius:.25rem}\
[role=status]{background:#e6f4ea;color:#14532d;padding:.5rem 1rem;border-radius:.25rem}\
dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem}dt{font-weight:600}";

/// Escapes `text` for HTML element content and double-quoted attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A whole HTML document: `title` (escaped here) in the head and as the page's `<h1>`,
/// `main` (already HTML, escaped by the caller) inside `<main data-testid="{testid}">`.
pub(crate) fn document(provider: &str, title: &str, testid: &str, main: &str) -> String {
    let provider = escape(provider);
    let title = escape(title);
    let testid = escape(testid);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title} · {provider} (pay-testkit)</title><style>{STYLE}</style></head>\
         <body><p class=\"fake-banner\" role=\"note\">Test page of the {provider} fake \
         (pay-testkit): no real money moves.</p>\
         <main data-testid=\"{testid}\"><h1>{title}</h1>\n{main}\n</main></body></html>\n"
    )
}

/// A `200 text/html` answer holding [`document`].
pub(crate) fn page(provider: &str, title: &str, testid: &str, main: &str) -> FakeResponse {
    FakeResponse::html(200, document(provider, title, testid, main))
        .with_header("cache-control", "no-store")
}

/// An HTML error page (`404` for an unknown or finished page, `400` for a bad form)
/// with the reason in a `role="alert"` paragraph (`data-testid="page-error"`).
pub(crate) fn error_page(provider: &str, status: u16, reason: &str) -> FakeResponse {
    let main = format!(
        "<p role=\"alert\" data-testid=\"page-error\">{}</p>",
        escape(reason)
    );
    FakeResponse::html(
        status,
        document(provider, "This page cannot be used", "error-page", &main),
    )
    .with_header("cache-control", "no-store")
}

/// A `303 See Other` to `location`: the browser follows it with a GET.
pub(crate) fn see_other(location: &str) -> FakeResponse {
    FakeResponse::new(303)
        .with_header("location", location)
        .with_header("cache-control", "no-store")
}

/// A page that returns the customer to the merchant by POSTing `fields` to `action`,
/// as a provider's signed return does. There is no script: the customer (or the test)
/// presses the button `data-testid="return-to-merchant"`, so nothing happens behind the
/// user's back and a test can look at the page first. `message` (escaped here) says
/// what happened, in a `role="status"` paragraph (`data-testid="outcome"`).
pub(crate) fn post_back(
    provider: &str,
    title: &str,
    message: &str,
    action: &str,
    fields: &[(String, String)],
) -> FakeResponse {
    let mut hidden = String::new();
    for (name, value) in fields {
        hidden.push_str(&format!(
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
            escape(name),
            escape(value)
        ));
    }
    let main = format!(
        "<p role=\"status\" data-testid=\"outcome\">{}</p>\
         <form method=\"post\" action=\"{}\" data-testid=\"return-form\">{hidden}\
         <div class=\"actions\"><button type=\"submit\" data-testid=\"return-to-merchant\">\
         Return to the merchant</button></div></form>",
        escape(message),
        escape(action),
    );
    page(provider, title, "return-page", &main)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup_and_both_quotes() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(escape("plain é"), "plain é");
    }

    #[test]
    fn document_escapes_title_and_marks_main() {
        let html = document("Easypay", "Pay <now>", "card-form", "<p>x</p>");
        assert!(html.contains("<h1>Pay &lt;now&gt;</h1>"));
        assert!(html.contains("<main data-testid=\"card-form\">"));
        assert!(html.contains("<p>x</p>"));
        assert!(!html.contains("<script"));
    }

    #[test]
    fn post_back_writes_escaped_hidden_fields_and_a_button() {
        let response = post_back(
            "Easytransac",
            "Payment accepted",
            "Paid",
            "http://127.0.0.1:1/return?a=1&b=2",
            &[("Status".to_owned(), "captured\"><x".to_owned())],
        );
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        let html = String::from_utf8(response.body().to_vec()).expect("utf-8");
        assert!(html.contains("action=\"http://127.0.0.1:1/return?a=1&amp;b=2\""));
        assert!(html.contains("name=\"Status\" value=\"captured&quot;&gt;&lt;x\""));
        assert!(html.contains("data-testid=\"return-to-merchant\""));
    }

    #[test]
    fn see_other_and_error_page() {
        let redirect = see_other("http://127.0.0.1:1/back");
        assert_eq!(redirect.status(), 303);
        assert_eq!(redirect.header("location"), Some("http://127.0.0.1:1/back"));
        let error = error_page("Easypay", 404, "No payment <here>");
        assert_eq!(error.status(), 404);
        let html = String::from_utf8(error.body().to_vec()).expect("utf-8");
        assert!(html.contains("No payment &lt;here&gt;"));
        assert!(html.contains("data-testid=\"page-error\""));
    }
}
