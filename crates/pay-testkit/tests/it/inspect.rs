//! The inspection API never shows secrets: request logs, snapshots and `Debug` output.

use pay_testkit::FakeServer;
use pay_testkit::testing::Ledger;

use crate::support::{call, within};

const SECRETS: &[&str] = &[
    "k3y-live-123",
    "acct-secret-9",
    "eyJhbGciOi.secret.sig",
    "sig-abcdef",
    "4111111111111111",
    "5555555555554444",
    "PT50000201231234567890154",
    "cvv-321",
    "merchant-token-xyz",
];

#[tokio::test]
async fn request_logs_and_snapshots_never_show_secrets() {
    within(async {
        let server = FakeServer::builder()
            .redact("X-Merchant-Token")
            .start(Ledger::new())
            .await
            .unwrap();
        let addr = server.addr();
        call(
            addr,
            "POST",
            "/echo",
            &[
                ("EASYTRANSAC-API-KEY", "k3y-live-123"),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            b"Amount=1250&CardNumber=4111111111111111&CardCVV=cvv-321&Signature=sig-abcdef&Note=card+5555555555554444",
        )
        .await;
        call(
            addr,
            "POST",
            "/echo?ApiKey=k3y-live-123",
            &[
                ("AccountId", "acct-secret-9"),
                ("ApiKey", "k3y-live-123"),
                ("Authorization", "Bearer eyJhbGciOi.secret.sig"),
                ("X-Merchant-Token", "merchant-token-xyz"),
                ("Content-Type", "application/json"),
            ],
            br#"{"value":12.5,"sdd_mandate":{"iban":"PT50000201231234567890154"},"card":{"number":"4111111111111111","cvv":"cvv-321"}}"#,
        )
        .await;
        // Stored by the fake, so it shows up in the snapshot too.
        call(
            addr,
            "POST",
            "/entries",
            &[("Content-Type", "text/plain")],
            b"debit PT50000201231234567890154 or card 4111111111111111",
        )
        .await;

        let requests = server.requests();
        assert_eq!(requests.len(), 3);
        let shown = format!("{requests:?} {:?} {server:?}", server.snapshot());
        for secret in SECRETS {
            assert!(!shown.contains(secret), "{secret} leaked in {shown}");
        }
        // What is not secret stays readable.
        assert_eq!(requests[0].header("easytransac-api-key"), Some("[REDACTED]"));
        assert!(requests[0].body().starts_with("Amount=1250&"), "{}", requests[0].body());
        assert!(requests[0].body().contains("Note=card+************4444"));
        assert_eq!(requests[1].query(), Some("ApiKey=[REDACTED]"));
        assert_eq!(requests[1].header("x-merchant-token"), Some("[REDACTED]"));
        assert!(requests[1].body().contains(r#""value":12.5"#));
        assert_eq!(requests[1].method(), "POST");
        assert_eq!(requests[1].path(), "/echo");
        assert!(requests[1].body_len() > 0);
        assert_eq!(
            server.snapshot().resources()[0].field("body"),
            Some("debit PT50*****************0154 or card ************1111")
        );
    })
    .await;
}
