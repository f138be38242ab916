//! The `Idempotency-Key` store (easypay.md §1.5): the first answer per AccountId and key,
//! replayed for a repeat, refused for a different body, purged after 24 hours.

use std::collections::HashMap;

use crate::provider::FakeResponse;

/// How long a key is remembered, by the fake's clock.
pub(crate) const KEY_LIFETIME_SECS: i64 = 24 * 3_600;

/// The longest key Easypay accepts.
pub(crate) const MAX_KEY_LEN: usize = 50;

/// One stored first answer.
#[derive(Debug, Clone)]
struct Stored {
    fingerprint: Vec<u8>,
    response: FakeResponse,
    stored_at: i64,
}

/// What the store says about a request carrying a key.
#[derive(Debug)]
pub(crate) enum Lookup {
    /// Never seen (or purged): execute it.
    New,
    /// Seen with the same request: replay this answer.
    Replay(FakeResponse),
    /// Seen with another request.
    Mismatch,
}

/// Stored first answers by (AccountId, key).
#[derive(Debug, Default)]
pub(crate) struct IdempotencyStore {
    entries: HashMap<(String, String), Stored>,
}

impl IdempotencyStore {
    /// What to do with `fingerprint` (method, path and body) under `account` and `key`.
    pub(crate) fn lookup(&self, account: &str, key: &str, fingerprint: &[u8]) -> Lookup {
        match self.entries.get(&(account.to_owned(), key.to_owned())) {
            None => Lookup::New,
            Some(stored) if stored.fingerprint == fingerprint => {
                Lookup::Replay(stored.response.clone())
            }
            Some(_) => Lookup::Mismatch,
        }
    }

    /// Stores the first answer, unless the provider does not: a transient answer
    /// (`RETRY_RULES.transient_statuses`: 429, 502, 503), or an authentication failure
    /// (401 or 403, such as a bad out-payment signature or timestamp): "a request that
    /// fails authentication is not subject to idempotency", so the same key with a
    /// correct signature runs the request.
    pub(crate) fn store(
        &mut self,
        account: &str,
        key: &str,
        fingerprint: Vec<u8>,
        response: &FakeResponse,
        now: i64,
    ) {
        let status = response.status();
        if !crate::generated::easypay::RETRY_RULES.stores_answer(status)
            || matches!(status, 401 | 403)
        {
            return;
        }
        self.entries.insert(
            (account.to_owned(), key.to_owned()),
            Stored {
                fingerprint,
                response: response.clone(),
                stored_at: now,
            },
        );
    }

    /// Forgets keys stored 24 hours or more before `now`.
    pub(crate) fn purge(&mut self, now: i64) {
        self.entries
            .retain(|_, stored| now - stored.stored_at < KEY_LIFETIME_SECS);
    }

    /// How many keys are remembered.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

/// The bytes two requests must share to be "the same request".
pub(crate) fn fingerprint(method: &str, path: &str, body: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(method.len() + path.len() + body.len() + 2);
    bytes.extend_from_slice(method.as_bytes());
    bytes.push(b' ');
    bytes.extend_from_slice(path.as_bytes());
    bytes.push(b'\n');
    bytes.extend_from_slice(body);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replays_refuses_and_purges() {
        let mut store = IdempotencyStore::default();
        let first = fingerprint("POST", "/single", b"{\"a\":1}");
        assert!(matches!(store.lookup("acc", "k", &first), Lookup::New));
        store.store(
            "acc",
            "k",
            first.clone(),
            &FakeResponse::json(201, "{}"),
            1_000,
        );
        match store.lookup("acc", "k", &first) {
            Lookup::Replay(answer) => assert_eq!(answer.status(), 201),
            other => panic!("expected a replay, got {other:?}"),
        }
        let other = fingerprint("POST", "/single", b"{\"a\":2}");
        assert!(matches!(store.lookup("acc", "k", &other), Lookup::Mismatch));
        // The scope is the account and the key.
        assert!(matches!(store.lookup("acc2", "k", &first), Lookup::New));

        store.purge(1_000 + KEY_LIFETIME_SECS - 1);
        assert_eq!(store.len(), 1);
        store.purge(1_000 + KEY_LIFETIME_SECS);
        assert_eq!(store.len(), 0);
        assert!(matches!(store.lookup("acc", "k", &first), Lookup::New));
    }

    #[test]
    fn transient_answers_are_not_stored() {
        let mut store = IdempotencyStore::default();
        for status in [429, 502, 503] {
            store.store("acc", "k", vec![1], &FakeResponse::json(status, "{}"), 0);
        }
        assert_eq!(store.len(), 0);
        store.store("acc", "k", vec![1], &FakeResponse::json(500, "{}"), 0);
        assert_eq!(store.len(), 1);
    }
}
