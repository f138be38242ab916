//! A full flow (MB WAY authorisation, capture, refund, out-payment, checkout, a failed
//! call) with every log captured at TRACE: no secret shows.

use pay_core::CallOptions;
use pay_easypay::PaymentId;
use pay_testkit::easypay::PHONE_AUTHORISED;
use pay_testkit::logs::capture_at_trace;

use crate::support::{ACCOUNT, API_KEY, Env, json};

const IBAN: &str = "PT50000201231234567890155";

async fn flow() -> String {
    let env = Env::start().await;
    let c = &env.client;
    let o = CallOptions::new();
    let id = env.authorised_mbway("10").await;
    let capture = env.capture(&id, "5").await;
    c.refunds()
        .create(
            &capture,
            &json(&format!(r#"{{"value":1,"iban":"{IBAN}"}}"#)),
            &o,
        )
        .await
        .unwrap();
    c.out_payments()
        .create(
            &json(&format!(r#"{{"customer":{{"name":"Bea"}},"value":17,"method":"transfer","timestamp":"0","out_account":{{"account_holder":"Bea","iban":"{IBAN}","email":"bea@example.org","phone":"912345678"}}}}"#)),
            &o,
        )
        .await
        .unwrap();
    let checkout = c
        .checkout()
        .create(
            &json(r#"{"type":["single"],"payment":{"methods":["cc"],"type":"sale","capture":{"descriptive":"Shop"}},"order":{"value":12.3,"key":"o"},"customer":{"name":"A","email":"a@example.org","phone":"911111111"}}"#),
            &o,
        )
        .await
        .unwrap();
    let _ = c
        .single()
        .get(&PaymentId::new("missing").unwrap(), &o)
        .await;
    // Answers that name the account (captures, out-payments, the configuration): the
    // account id is a credential, redacted in the logged bodies and in `Debug`.
    let captures = c
        .captures()
        .list(&pay_easypay::wire::CaptureListQuery::default(), &o)
        .await
        .unwrap();
    let config = c.config().get(&o).await.unwrap();
    assert_eq!(
        config.account.as_deref(),
        Some(ACCOUNT),
        "the answer keeps it"
    );
    for debug in [format!("{captures:?}"), format!("{config:?}")] {
        assert!(
            !debug.contains(ACCOUNT),
            "the account id in `Debug`: {debug}"
        );
    }
    checkout.session
}

#[test]
fn a_full_flow_logs_no_secret_at_trace() {
    let (session, logs) = capture_at_trace(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(flow())
    });
    assert!(logs.contains("single_create"), "the flow is logged");
    for secret in [
        API_KEY,
        ACCOUNT,
        IBAN,
        PHONE_AUTHORISED,
        "912345678",
        session.as_str(),
    ] {
        assert!(!logs.contains(secret), "`{secret}` in the logs");
    }
}
