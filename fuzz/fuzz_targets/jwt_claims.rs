//! V2 bearer tokens read without trusting them: `read_claims_unverified`, then
//! `subject`, `expires_at`, `issued_at`, `not_before` and `needs_refresh`. An input
//! starting with `{` is the token's payload (wrapped in a header and a dummy signature,
//! base64url), anything else the token text itself. Asserts no panic (the overflow of a
//! date past `SystemTime`'s range was one) and that a token read yields its dates.
#![no_main]

use std::time::Duration;

use base64::Engine;
use pay_fuzz::at;
use pay_signing::jwt;
use secrecy::SecretString;

const NOWS: &[u64] = &[0, 1_700_000_000, 1_800_000_000, u64::MAX / 2, u64::MAX];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let token = if data.first() == Some(&b'{') {
        format!(
            "{}.{}.c2ln",
            b64(br#"{"alg":"HS256","typ":"JWT"}"#),
            b64(data)
        )
    } else {
        String::from_utf8_lossy(data).into_owned()
    };
    let Ok(claims) = jwt::read_claims_unverified(&SecretString::from(token)) else {
        return;
    };
    let _ = claims.subject();
    let _ = claims.issued_at();
    let _ = claims.not_before();
    if let Some(expires) = claims.expires_at() {
        for &now in NOWS {
            if let Some(now) = at(now) {
                let _ = jwt::needs_refresh(expires, now, Duration::from_secs(30));
            }
        }
    }
});
