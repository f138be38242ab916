//! The proptest strategies used as a user would: generated card numbers and IBANs sent to
//! a fake never show up in its request log.

use pay_testkit::FakeServer;
use pay_testkit::strategies::{card_number, valid_iban, webhook_json_payload};
use pay_testkit::testing::Ledger;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::support::call;

#[test]
fn generated_secrets_never_reach_the_request_log() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = runtime.block_on(FakeServer::start(Ledger::new())).unwrap();
    let mut runner = TestRunner::new(Config::with_cases(32));
    let result = runner.run(
        &(valid_iban(), card_number(), webhook_json_payload()),
        |(iban, pan, payload)| {
            let form = format!("Iban={iban}&CardNumber={pan}&Note=pay+{pan}+from+{iban}");
            let json = payload
                .to_json()
                .replace('}', &format!(r#","card_number":"{pan}"}}"#));
            runtime.block_on(async {
                tokio::time::timeout(std::time::Duration::from_secs(10), async {
                    call(server.addr(), "POST", "/echo", &[], form.as_bytes()).await;
                    call(
                        server.addr(),
                        "POST",
                        "/echo",
                        &[("Content-Type", "application/json")],
                        json.as_bytes(),
                    )
                    .await;
                })
                .await
                .expect("within 10 seconds");
            });
            let shown = format!("{:?}", server.requests());
            server.clear_requests();
            prop_assert!(!shown.contains(&iban), "IBAN in {}", shown);
            prop_assert!(!shown.contains(&pan), "card number in {}", shown);
            Ok(())
        },
    );
    runtime.block_on(server.shutdown()).unwrap();
    result.unwrap();
}
