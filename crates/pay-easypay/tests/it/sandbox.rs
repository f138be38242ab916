//! Opt-in tests against Easypay's real sandbox (`https://api.test.easypay.pt/2.0`). They
//! run only when `PAY_EASYPAY_SANDBOX_ACCOUNT_ID` and `PAY_EASYPAY_SANDBOX_API_KEY` are
//! set, and return early (passing, with a note) otherwise.

use pay_core::CallOptions;
use pay_easypay::{AccountId, ApiKey, EasypayClient, PaymentId, wire};

fn sandbox() -> Option<EasypayClient> {
    let account = std::env::var("PAY_EASYPAY_SANDBOX_ACCOUNT_ID").ok()?;
    let key = std::env::var("PAY_EASYPAY_SANDBOX_API_KEY").ok()?;
    Some(
        EasypayClient::builder(AccountId::new(account), ApiKey::new(key))
            .sandbox()
            .build()
            .expect("sandbox client"),
    )
}

#[tokio::test]
async fn a_multibanco_payment_round_trips_in_the_sandbox() {
    let Some(client) = sandbox() else {
        #[allow(clippy::print_stderr)]
        {
            eprintln!(
                "skipped: set PAY_EASYPAY_SANDBOX_ACCOUNT_ID and PAY_EASYPAY_SANDBOX_API_KEY"
            );
        }
        return;
    };
    let o = CallOptions::new();
    let request: wire::SingleCreateRequest = serde_json::from_str(
        r#"{"value":1.50,"method":"mb","key":"pay-sdk-sandbox","capture":{"descriptive":"pay SDK sandbox"}}"#,
    )
    .unwrap();
    let created = client.single().create(&request, &o).await.unwrap();
    let id = PaymentId::new(created.id.unwrap()).unwrap();
    let got = client.single().get(&id, &o).await.unwrap();
    assert_eq!(got.value.unwrap().as_str(), "1.5");
    client.single().delete(&id, &o).await.unwrap();
}
