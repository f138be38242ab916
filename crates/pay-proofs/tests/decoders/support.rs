//! The runner every property uses (case count from `PAY_FUZZ_CASES`, timing, depth
//! counters) and the input generators: mutations of documented bodies, structured JSON
//! text built from documented field names, awkward numbers and text.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Instant;

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};

/// Cases per property: `PAY_FUZZ_CASES`, or 256 (the CI run).
pub(crate) fn cases() -> u32 {
    std::env::var("PAY_FUZZ_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(256)
}

/// How deep the cases of one property got: named counters, printed with the timing.
#[derive(Debug, Default)]
pub(crate) struct Tally(Mutex<BTreeMap<&'static str, u64>>);

impl Tally {
    /// Counts one case reaching `stage`.
    pub(crate) fn hit(&self, stage: &'static str) {
        let mut map = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *map.entry(stage).or_default() += 1;
    }

    /// How many cases reached `stage`.
    pub(crate) fn count(&self, stage: &str) -> u64 {
        let map = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.get(stage).copied().unwrap_or(0)
    }

    fn render(&self) -> String {
        let map = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut out = String::new();
        for (stage, n) in map.iter() {
            let _ = write!(out, " {stage}={n}");
        }
        out
    }
}

/// Runs `test` on [`cases`] inputs from `strategy` (a panic inside is caught, shrunk and
/// reported as a failure), prints the figures, and returns the depth counters.
pub(crate) fn fuzz<S: Strategy>(
    name: &str,
    strategy: S,
    test: impl Fn(S::Value, &Tally) -> Result<(), TestCaseError>,
) -> Tally {
    // A fixed seed unless `PAY_FUZZ_SEED=random` (or a number) says otherwise: the CI run
    // is the same every time, so its depth checks cannot flake; long runs pick their own.
    let rng_seed = match std::env::var("PAY_FUZZ_SEED").ok().as_deref() {
        Some("random") => RngSeed::Random,
        Some(seed) => RngSeed::Fixed(seed.parse().unwrap_or(1)),
        None => RngSeed::Fixed(1),
    };
    let config = Config {
        cases: cases(),
        failure_persistence: None,
        max_shrink_iters: 4096,
        rng_seed,
        ..Config::default()
    };
    let tally = Tally::default();
    let mut runner = TestRunner::new(config.clone());
    let started = Instant::now();
    let done = std::sync::atomic::AtomicU64::new(0);
    let result = runner.run(&strategy, |input| {
        let outcome = test(input, &tally);
        // Progress for long runs: the count so far, should a run have to be stopped.
        let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if n.is_multiple_of(100_000) {
            let millis = started.elapsed().as_millis();
            println!("decoder {name}: {n} cases so far, {} s", millis / 1000);
        }
        outcome
    });
    let millis = started.elapsed().as_millis();
    if let Err(e) = result {
        panic!("decoder {name}: {e}");
    }
    let n = config.cases;
    println!(
        "decoder {name}: {n} cases in {}.{:03} s ({} cases/s);{}",
        millis / 1000,
        millis % 1000,
        u128::from(n) * 1000 / millis.max(1),
        tally.render()
    );
    tally
}

/// At least one case in 128 reached `stage` (so the generators do get past the door).
/// The generators reach their deepest stage in about 4 % of cases or more, so at 128
/// cases a property misses the floor by chance for fewer than one seed in a hundred
/// (`docs/fuzzing.md`); with fewer cases, more often.
pub(crate) fn assert_reached(tally: &Tally, stage: &str) {
    let needed = u64::from(cases() / 128).max(1);
    assert!(
        tally.count(stage) >= needed,
        "only {} of {} cases reached `{stage}`",
        tally.count(stage),
        cases()
    );
}

/// The bytes of `fixtures/<path>`.
pub(crate) fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/../../fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// Every file of `fixtures/<dir>` whose name starts with `prefix`.
pub(crate) fn fixtures(dir: &str, prefix: &str) -> Vec<Vec<u8>> {
    let full = format!("{}/../../fixtures/{dir}", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&full)
        .unwrap_or_else(|e| panic!("{full}: {e}"))
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with(prefix) && n.ends_with(".json"))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no fixture {dir}/{prefix}*");
    names
        .iter()
        .map(|n| fixture(&format!("{dir}/{n}")))
        .collect()
}

/// The member names written in JSON texts (every `"…"` followed by `:`), found by a
/// scan of the text, so no number of the fixtures is parsed.
pub(crate) fn member_names(texts: &[Vec<u8>]) -> Vec<String> {
    let mut names = std::collections::BTreeSet::new();
    for text in texts {
        let text = String::from_utf8_lossy(text);
        let mut rest = text.as_ref();
        while let Some(start) = rest.find('"') {
            let after = &rest[start + 1..];
            let Some(end) = after.find('"') else { break };
            let name = &after[..end];
            let tail = after[end + 1..].trim_start();
            if tail.starts_with(':') {
                names.insert(name.to_owned());
            }
            rest = &after[end + 1..];
        }
    }
    names.into_iter().collect()
}

/// Pieces that matter to the decoders, spliced in by the mutations.
const TOKENS: &[&str] = &[
    "\"",
    "\\",
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    "null",
    "true",
    "false",
    "-",
    "0",
    "-0",
    ".",
    "e",
    "E+",
    "1e400",
    "-1e-400",
    "1e2147483648",
    "1e-9223372036854775809",
    "18446744073709551616",
    "9223372036854775807",
    "-9223372036854775808",
    "0.000000000000000000000000000001",
    "99999999999999999999999999999.99",
    "17.50",
    "\"17.5\"",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "\"\\uDFFF\"",
    "\\u00e9",
    "%",
    "%zz",
    "%C3%A9",
    "%FF",
    "&",
    "=",
    "+",
    "[]",
    "[a][b]",
    "[0]",
    "\u{feff}",
    "é",
    "\u{0}",
    " ",
    "\t",
    "\r\n",
    "Signature",
    "\"Signature\":\"",
    "Tid",
    "Status",
    "Amount",
    "\"Result\":",
    "\"Code\":0",
    "\"success\":true",
    "\"data\":",
    "\"value\":",
    "\"timestamp\":\"",
    "\"transaction\":{",
    "\"authorisation\":{",
];

/// One edit of a byte string.
#[derive(Debug, Clone)]
enum Mutation {
    Flip(Index, u8),
    Insert(Index, Vec<u8>),
    Delete(Index, u8),
    Duplicate(Index, u8),
    Truncate(Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (
            any::<Index>(),
            prop_oneof![
                prop::sample::select(TOKENS).prop_map(|t| t.as_bytes().to_vec()),
                prop::collection::vec(any::<u8>(), 1..8),
            ]
        )
            .prop_map(|(i, b)| Mutation::Insert(i, b)),
        (any::<Index>(), 1u8..16).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<Index>(), 1u8..32).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
        any::<Index>().prop_map(Mutation::Truncate),
    ]
}

fn apply(mut bytes: Vec<u8>, edits: &[Mutation]) -> Vec<u8> {
    for edit in edits {
        let at = |i: &Index, len: usize| i.index(len + 1);
        match edit {
            Mutation::Flip(i, b) if !bytes.is_empty() => {
                let k = i.index(bytes.len());
                bytes[k] = *b;
            }
            Mutation::Flip(..) => {}
            Mutation::Insert(i, b) => {
                let k = at(i, bytes.len());
                bytes.splice(k..k, b.iter().copied());
            }
            Mutation::Delete(i, n) => {
                let k = at(i, bytes.len());
                let end = (k + usize::from(*n)).min(bytes.len());
                bytes.drain(k..end);
            }
            Mutation::Duplicate(i, n) => {
                let k = at(i, bytes.len());
                let end = (k + usize::from(*n)).min(bytes.len());
                let piece = bytes[k..end].to_vec();
                bytes.splice(end..end, piece);
            }
            Mutation::Truncate(i) => {
                let k = at(i, bytes.len());
                bytes.truncate(k);
            }
        }
    }
    bytes
}

/// One of `seeds` with 0 to 7 edits.
pub(crate) fn mutated(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(seeds),
        prop::collection::vec(mutation(), 0..8),
    )
        .prop_map(|(seed, edits)| apply(seed, &edits))
}

/// Mutated `seeds`, structured JSON text over `names`, and uniform bytes.
pub(crate) fn body(seeds: Vec<Vec<u8>>, names: Vec<String>) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => mutated(seeds),
        3 => json_text(names.clone()).prop_map(String::into_bytes),
        1 => json_text(names).prop_flat_map(|t| mutated(vec![t.into_bytes()])),
        1 => prop::collection::vec(any::<u8>(), 0..256),
    ]
}

/// JSON number tokens: interesting ones, and any of the JSON grammar's shapes.
pub(crate) fn number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(
            &[
                "0",
                "-0",
                "1",
                "-1",
                "0.0",
                "12.50",
                "17.5",
                "1e2",
                "1E+2",
                "1e-2",
                "0.1e1",
                "1e308",
                "1e400",
                "-1e-400",
                "1e2147483648",
                "1e-2147483649",
                "1e18446744073709551616",
                "18446744073709551615",
                "18446744073709551616",
                "9223372036854775807",
                "9223372036854775808",
                "-9223372036854775808",
                "-9223372036854775809",
                "92233720368547758.07",
                "0.005",
                "0.0000000000000000001",
                "123456789012345678901234567890.123456789012345678901234567890",
            ][..]
        )
        .prop_map(str::to_owned),
        "-?(0|[1-9][0-9]{0,24})(\\.[0-9]{1,24})?([eE][+-]?[0-9]{1,22})?",
        any::<i64>().prop_map(|n| n.to_string()),
    ]
}

/// Text a decoder may meet: amount-like, date-like, id-like, or anything.
pub(crate) fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        number_text(),
        "[+-]? ?[0-9]{0,12}([.,][0-9]{0,6})? ?",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?(Z|[+-][0-9]{2}:[0-9]{2})?)?",
        "[A-Za-z0-9_-]{0,20}",
        prop::sample::select(
            &[
                "",
                "captured",
                "pending",
                "failed",
                "refunded",
                "authorized",
                "success",
                "capture",
                "authorisation",
                "EUR",
                "yes",
                "no",
                "MBW",
                "CB",
                "ÿ",
                "\u{0}",
            ][..]
        )
        .prop_map(str::to_owned),
        any::<String>(),
    ]
}

fn string_literal() -> impl Strategy<Value = String> {
    text().prop_map(|s| serde_json::to_string(&s).unwrap_or_else(|_| "\"\"".to_owned()))
}

fn key(names: Vec<String>) -> BoxedStrategy<String> {
    prop_oneof![
        6 => prop::sample::select(names),
        1 => "[A-Za-z0-9_]{0,12}",
        1 => any::<String>(),
    ]
    .boxed()
}

/// Structured JSON text: objects keyed by `names` (the documented ones, mostly), with
/// numbers and strings wherever a value goes, nested up to four levels. Built as text so
/// every number token is kept exactly as written.
pub(crate) fn json_text(names: Vec<String>) -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        3 => number_text(),
        4 => string_literal(),
        1 => prop::sample::select(&["true", "false", "null"][..]).prop_map(str::to_owned),
    ];
    let keys = key(names);
    let inner_keys = keys.clone();
    let value = leaf
        .prop_recursive(4, 48, 8, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5)
                    .prop_map(|items| format!("[{}]", items.join(","))),
                prop::collection::vec((inner_keys.clone(), inner), 0..8)
                    .prop_map(|members| object(&members)),
            ]
        })
        .boxed();
    prop_oneof![
        4 => prop::collection::vec((keys, value.clone()), 0..12).prop_map(|m| object(&m)),
        1 => value,
    ]
    .boxed()
}

fn object(members: &[(String, String)]) -> String {
    let mut out = String::from("{");
    for (i, (k, v)) in members.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&serde_json::to_string(k).unwrap_or_else(|_| "\"\"".to_owned()));
        out.push(':');
        out.push_str(v);
    }
    out.push('}');
    out
}
