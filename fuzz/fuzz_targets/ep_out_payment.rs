//! Easypay's out-payment checks over arbitrary bodies: `check_timestamp` and
//! `verify_out_payment`. The input's head gives `now` (seconds since the epoch),
//! `window` (seconds) and `signature` (`genuine` for a genuine signature); its body is
//! the out-payment body (empty for the genuine one). Every outcome is a typed
//! `pay_signing::Error` or success; the genuine pair must verify up to its timestamp
//! (`TimestampOutOfWindow` at most).
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use pay_fuzz::{Framed, RSA_PRIVATE_PEM, RSA_PUBLIC_PEM, at};
use pay_signing::easypay::{
    RsaSigningKey, RsaVerifyingKey, SignedBody, TIMESTAMP_WINDOW, check_timestamp,
    sign_out_payment, verify_out_payment,
};
use secrecy::SecretString;
use serde_json::value::RawValue;

fn verifying_key() -> &'static RsaVerifyingKey {
    static KEY: OnceLock<RsaVerifyingKey> = OnceLock::new();
    KEY.get_or_init(|| RsaVerifyingKey::from_pem(RSA_PUBLIC_PEM).expect("the test key"))
}

/// A genuine pair, signed at 1 700 000 000 s.
fn genuine() -> &'static SignedBody {
    static GENUINE: OnceLock<SignedBody> = OnceLock::new();
    GENUINE.get_or_init(|| {
        let key = RsaSigningKey::from_pem(&SecretString::from(RSA_PRIVATE_PEM)).expect("key");
        let raw = serde_json::from_str::<Box<RawValue>>(r#"{"value":17.50,"timestamp":"0"}"#)
            .expect("JSON");
        sign_out_payment(&raw, &key, at(1_700_000_000).expect("a time")).expect("signed")
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let input = Framed::new(data);
    let Some(now) = at(input.number("now", 1_700_000_000)) else {
        return;
    };
    let window = Duration::from_secs(input.number("window", 300));
    let genuine_signature = input.get("signature") == Some("genuine");
    let body = if input.body.is_empty() && genuine_signature {
        genuine().body()
    } else {
        input.body
    };
    let signature = if genuine_signature {
        genuine().signature()
    } else {
        input.get("signature").unwrap_or_default()
    };
    for window in [TIMESTAMP_WINDOW, window] {
        let _ = check_timestamp(body, now, window);
    }
    let outcome = verify_out_payment(verifying_key(), body, signature, now, TIMESTAMP_WINDOW);
    if genuine_signature && body == genuine().body() {
        assert!(
            matches!(
                outcome,
                Ok(()) | Err(pay_signing::Error::TimestampOutOfWindow { .. })
            ),
            "a genuine pair refused: {outcome:?}"
        );
    }
});
