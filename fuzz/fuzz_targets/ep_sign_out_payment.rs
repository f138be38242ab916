//! `pay_signing::easypay::sign_out_payment` over any JSON text as the body (the input),
//! at the time the head's `now` gives: what it signs must verify with the public key.
#![no_main]

use std::sync::OnceLock;

use pay_fuzz::{Framed, RSA_PRIVATE_PEM, RSA_PUBLIC_PEM, at};
use pay_signing::easypay::{
    RsaSigningKey, RsaVerifyingKey, TIMESTAMP_WINDOW, sign_out_payment, verify_out_payment,
};
use secrecy::SecretString;
use serde_json::value::RawValue;

fn keys() -> &'static (RsaSigningKey, RsaVerifyingKey) {
    static KEYS: OnceLock<(RsaSigningKey, RsaVerifyingKey)> = OnceLock::new();
    KEYS.get_or_init(|| {
        (
            RsaSigningKey::from_pem(&SecretString::from(RSA_PRIVATE_PEM)).expect("key"),
            RsaVerifyingKey::from_pem(RSA_PUBLIC_PEM).expect("key"),
        )
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let input = Framed::new(data);
    let seconds = 1_600_000_000 + input.number("now", 100_000_000) % 200_000_000;
    let Some(now) = at(seconds) else { return };
    let Ok(raw) = serde_json::from_slice::<Box<RawValue>>(input.body) else {
        return;
    };
    let (signing, verifying) = keys();
    let Ok(signed) = sign_out_payment(&raw, signing, now) else {
        return;
    };
    let verified = verify_out_payment(
        verifying,
        signed.body(),
        signed.signature(),
        now,
        TIMESTAMP_WINDOW,
    );
    assert!(verified.is_ok(), "{verified:?}");
});
