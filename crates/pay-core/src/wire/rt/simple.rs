//! The patterns an API description usually has, matched without the regex engine.
//!
//! Almost every documented `pattern` is anchored at both ends and made of pieces that each
//! match one ASCII character class (or one literal character) a number of times:
//! `^[0-9]{4}$`, `^[A-Za-z0-9-]{8,14}$`, `^[0-9]{4}-[0-9]{2}-[0-9]{2}$`, or one group of
//! such sequences, `^(0[1-9]|1[0-2])$`. Such a pattern is a small automaton whose states
//! are "alternative `a`, piece `i`, matched `c` times so far"; this module runs it with one
//! 128-bit set of states, a few bit operations per piece and input byte. That is much
//! cheaper than `regex-lite`'s general engine, which validation runs on every request
//! (`docs/benchmarks.md`).
//!
//! [`Simple::parse`] takes only what it understands exactly and answers `None` for
//! everything else (nested or repeated groups, alternation outside one whole group,
//! escapes, `.`, negated classes, flags, more than 128 states), which [`super::Pattern`]
//! leaves to `regex-lite`. Property tests hold the two to the same answers.

/// One piece: an ASCII class and how many times it repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Piece {
    /// Bit `b` is set when the ASCII byte `b` belongs to the class.
    class: u128,
    /// The states that move one count up on a byte of the class.
    shift: u128,
    /// The state that stays where it is on a byte of the class (the last count of an
    /// unbounded piece), or none.
    stay: u128,
    /// The states that have matched enough to go on to the next piece.
    done: u128,
    /// The first state of the next piece (or the accepting state after the last piece).
    next: u128,
}

/// An anchored sequence of repeated ASCII classes (or a group of such sequences, one of
/// which must match), as a set of states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Simple {
    pieces: Vec<Piece>,
    /// The states before any byte: the first of each alternative.
    start: u128,
    /// The accepting states: every piece of an alternative done.
    accept: u128,
}

/// A piece as written: its class and its bounds (`max` `None` for unbounded).
type Written = (u128, u32, Option<u32>);

/// How many times a piece repeats: at least `min`, at most `max` (`None`: no limit).
type Bounds = (u32, Option<u32>);

/// The states a piece takes: one per count up to `max`, or up to `min` when unbounded
/// (`None` past `u32::MAX`, far beyond the 128 the automaton holds).
fn states_of(min: u32, max: Option<u32>) -> Option<u32> {
    max.unwrap_or(min).checked_add(1)
}

/// Bits `from..to` (`to` ≤ 128).
fn bits(from: u32, to: u32) -> u128 {
    let upper = if to >= 128 {
        u128::MAX
    } else {
        (1u128 << to) - 1
    };
    let lower = (1u128 << from) - 1;
    upper & !lower
}

impl Simple {
    /// The automaton of `source`, when it is `^`, pieces, `$`, or `^(`pieces`|`…`)$`,
    /// and nothing else.
    pub(super) fn parse(source: &str) -> Option<Simple> {
        let inner = source.strip_prefix('^')?.strip_suffix('$')?;
        // A parenthesis left inside the group (a nested group, or `^(a)|(b)$`) is no
        // literal, so `sequence` refuses its alternative and the whole pattern.
        let alternatives = match inner.strip_prefix('(').and_then(|g| g.strip_suffix(')')) {
            Some(group) => group.split('|').collect(),
            None => vec![inner],
        };
        let written = alternatives
            .into_iter()
            .map(sequence)
            .collect::<Option<Vec<_>>>()?;
        Simple::build(&written)
    }

    /// Lays each alternative's pieces out one after the other, each alternative ending in
    /// an accepting state of its own.
    fn build(alternatives: &[Vec<Written>]) -> Option<Simple> {
        let mut pieces = Vec::new();
        let (mut start, mut accept) = (0u128, 0u128);
        let mut offset: u32 = 0;
        for written in alternatives {
            // Every state, the accepting one included, must fit: 128 in all.
            if offset >= 128 {
                return None;
            }
            start |= 1u128 << offset;
            for &(class, min, max) in written {
                let count = states_of(min, max)?;
                let end = offset.checked_add(count).filter(|&end| end < 128)?;
                let top = offset + count - 1;
                let (shift, stay) = match max {
                    Some(_) => (bits(offset, top), 0),
                    None => (bits(offset, top), 1u128 << top),
                };
                pieces.push(Piece {
                    class,
                    shift,
                    stay,
                    done: bits(offset + min, end),
                    next: 1u128 << end,
                });
                offset = end;
            }
            accept |= 1u128 << offset;
            offset += 1;
        }
        Some(Simple {
            pieces,
            start,
            accept,
        })
    }

    /// Adds every state reachable without reading a byte: a piece matched enough times
    /// may be left. Pieces only lead forward, so one pass in order is enough.
    fn close(&self, mut states: u128) -> u128 {
        for piece in &self.pieces {
            if states & piece.done != 0 {
                states |= piece.next;
            }
        }
        states
    }

    /// Whether the whole of `text` matches.
    pub(super) fn is_match(&self, text: &str) -> bool {
        let mut states = self.close(self.start);
        for &byte in text.as_bytes() {
            // Non-ASCII bytes are in no class (`u128` has no bit for them).
            let Some(bit) = 1u128.checked_shl(u32::from(byte)) else {
                return false;
            };
            let mut next = 0;
            for piece in &self.pieces {
                if piece.class & bit != 0 {
                    next |= ((states & piece.shift) << 1) | (states & piece.stay);
                }
            }
            if next == 0 {
                return false;
            }
            states = self.close(next);
        }
        states & self.accept != 0
    }
}

/// One alternative: pieces, each a class or a literal with its quantifier.
fn sequence(text: &str) -> Option<Vec<Written>> {
    let mut written = Vec::new();
    let mut rest = text.as_bytes();
    while let Some((&first, after)) = rest.split_first() {
        let (class, after) = match first {
            b'[' => class(after)?,
            byte if is_plain_literal(byte) => (1u128 << byte, after),
            _ => return None,
        };
        let ((min, max), after) = quantifier(after)?;
        written.push((class, min, max));
        rest = after;
    }
    Some(written)
}

/// Characters that stand for themselves outside a class in every regex syntax.
fn is_plain_literal(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b' ' | b'-' | b'_' | b':' | b'/' | b',' | b'@')
}

/// Characters that stand for themselves inside a class (no `\`, `[`, `]`, `^`, set
/// operators `&&`/`~~`, or anything outside printable ASCII).
fn is_class_literal(byte: u8) -> bool {
    (byte.is_ascii_graphic() || byte == b' ')
        && !matches!(byte, b'\\' | b'[' | b']' | b'^' | b'&' | b'~')
}

/// A class after its `[`: single characters and ranges `a-z`, a `-` first or last being
/// itself. Answers the class and what follows its `]`.
fn class(text: &[u8]) -> Option<(u128, &[u8])> {
    let end = text.iter().position(|&b| b == b']')?;
    let (body, after) = (&text[..end], &text[end + 1..]);
    if body.is_empty() || body.windows(2).any(|pair| pair == b"--") {
        return None;
    }
    let mut set = 0u128;
    let mut i = 0;
    while i < body.len() {
        let low = body[i];
        if !is_class_literal(low) {
            return None;
        }
        // `a-z` when a `-` sits between two characters; a `-` first or last is itself.
        // (Neither end of a range is a `-`: that would be a `--`, refused above.)
        if i + 2 < body.len() && body[i + 1] == b'-' {
            let high = body[i + 2];
            if !is_class_literal(high) || (low..=high).is_empty() {
                return None;
            }
            set |= bits(u32::from(low), u32::from(high) + 1);
            i += 3;
        } else {
            set |= 1u128 << low;
            i += 1;
        }
    }
    Some((set, after))
}

/// The quantifier at the start of `text` (none is exactly once), and what follows it.
fn quantifier(text: &[u8]) -> Option<(Bounds, &[u8])> {
    let (bounds, after) = match text.split_first() {
        Some((b'+', after)) => ((1, None), after),
        Some((b'*', after)) => ((0, None), after),
        Some((b'?', after)) => ((0, Some(1)), after),
        Some((b'{', after)) => {
            let close = after.iter().position(|&b| b == b'}')?;
            let inside = std::str::from_utf8(&after[..close]).ok()?;
            // Digits only (`str::parse` would take a `+`); an empty text fails to parse.
            let number = |text: &str| -> Option<u32> {
                if !text.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                text.parse().ok()
            };
            let bounds = match inside.split_once(',') {
                None => {
                    let n = number(inside)?;
                    (n, Some(n))
                }
                Some((min, "")) => (number(min)?, None),
                Some((min, max)) => (number(min)?, Some(number(max)?)),
            };
            (bounds, &after[close + 1..])
        }
        _ => ((1, Some(1)), text),
    };
    // A lazy or possessive mark, or a quantifier on a quantifier: left to the regex engine.
    if matches!(after.first(), Some(b'?' | b'+' | b'*' | b'{')) {
        return None;
    }
    if let (min, Some(max)) = bounds
        && min > max
    {
        return None;
    }
    Some((bounds, after))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use regex_lite::Regex;

    use super::*;

    fn matches(pattern: &str, text: &str) -> bool {
        Simple::parse(pattern)
            .unwrap_or_else(|| panic!("{pattern} is simple"))
            .is_match(text)
    }

    #[test]
    fn the_descriptions_patterns_are_simple() {
        for pattern in [
            "^(0[1-9]|1[0-2])$",
            "^[0-9]+$",
            "^[0-9]{3,4}$",
            "^[0-9]{4}$",
            "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}$",
            "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
            "^[0-9]{5,18}$",
            "^[A-Z]{3}$",
            "^[A-Za-z0-9-]{8,14}$",
            "^[A-Za-z0-9]+$",
            "^[A-Za-z0-9]{1,8}$",
            "^[A-Za-z0-9]{7}$",
            "^[a-z0-9]{20}$",
            "^[a-zA-Z0-9 .,/+*$%]+$",
        ] {
            assert!(Simple::parse(pattern).is_some(), "{pattern}");
        }
    }

    #[test]
    fn others_are_left_to_the_regex_engine() {
        for pattern in [
            "^(a|(b))$",
            "^(a|b)+$",
            "^(a)|b$",
            "^(?:a|b)$",
            "^a|b$",
            "[0-9]+$",
            "^[0-9]+",
            "^[^0-9]+$",
            "^[0-9]+?$",
            "^[0-9]{2}{3}$",
            "^[0-9]{3,2}$",
            "^[0-9]{,2}$",
            "^[0-9]{a}$",
            "^[0-9]{+2}$",
            "^[0-9]{2,+3}$",
            "^[0-9]{2$",
            "^\\d+$",
            "^.+$",
            "^[a-z&&b]$",
            "^[[:alpha:]]$",
            "^[a--b]$",
            "^[]$",
            "^[z-a]$",
            "^[a-\\]$",
            "^[0-9$",
            "^+$",
            "^é$",
            "^[é]$",
            "^[0-9]{200}$",
            "^[0-9]{100}[0-9]{27}$",
        ] {
            assert!(Simple::parse(pattern).is_none(), "{pattern}");
        }
    }

    #[test]
    fn counts_ranges_and_literals_match_exactly() {
        assert!(matches("^[0-9]{4}$", "2027"));
        assert!(!matches("^[0-9]{4}$", "202"));
        assert!(!matches("^[0-9]{4}$", "20270"));
        assert!(!matches("^[0-9]{4}$", "20a7"));
        assert!(matches("^[0-9]{3,4}$", "123"));
        assert!(matches("^[0-9]{3,4}$", "1234"));
        assert!(!matches("^[0-9]{3,4}$", "12"));
        assert!(!matches("^[0-9]{3,4}$", "12345"));
        assert!(matches("^[0-9]+$", "0"));
        assert!(!matches("^[0-9]+$", ""));
        assert!(matches("^[0-9]*$", ""));
        assert!(matches("^a?b$", "b"));
        assert!(matches("^a?b$", "ab"));
        assert!(!matches("^a?b$", "aab"));
        assert!(matches("^[0-9]{2,}$", "12345"));
        assert!(!matches("^[0-9]{2,}$", "1"));
        assert!(matches("^[A-Za-z0-9-]{8,14}$", "ab-12-CD"));
        assert!(matches("^[-a]{2}$", "-a"));
        assert!(matches("^[a-]{2}$", "a-"));
        assert!(matches("^[a-a]$", "a"));
        assert!(!matches("^[a-a]$", "b"));
        assert!(matches("^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "2026-11-30"));
        assert!(!matches("^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "2026/11/30"));
        assert!(matches("^[a-zA-Z0-9 .,/+*$%]+$", "Rua 1, 2/3 + 4*5 $%."));
        assert!(!matches("^[a-zA-Z0-9 .,/+*$%]+$", "a#b"));
        // A piece that may take a byte or leave it to the next: the automaton tries both.
        assert!(matches("^[a-z]+[a-z]{2}$", "abc"));
        assert!(!matches("^[a-z]+[a-z]{2}$", "ab"));
        assert!(matches("^[0-9]{0}x$", "x"));
        // A group of alternatives: one of them, whole.
        for (month, valid) in [
            ("01", true),
            ("09", true),
            ("10", true),
            ("12", true),
            ("00", false),
            ("13", false),
            ("1", false),
            ("011", false),
            ("", false),
        ] {
            assert_eq!(matches("^(0[1-9]|1[0-2])$", month), valid, "{month:?}");
        }
        assert!(matches("^(a|)$", ""));
        assert!(matches("^()$", ""));
        assert!(!matches("^()$", "a"));
        // Non-ASCII text never matches an ASCII class.
        assert!(!matches("^[a-z]+$", "caf\u{e9}"));
        assert!(!matches("^[a-z]+$", "\u{7f}"));
    }

    #[test]
    fn the_last_state_may_be_the_127th() {
        assert!(matches("^[0-9]{126}$", &"1".repeat(126)));
        assert!(!matches("^[0-9]{126}$", &"1".repeat(125)));
        assert!(!matches("^[0-9]{126}$", &"1".repeat(127)));
        assert!(Simple::parse("^[0-9]{127}$").is_none());
        // Each alternative ends in an accepting state of its own, and all must fit.
        assert!(matches("^([0-9]{62}|[a-z]{62})$", &"a".repeat(62)));
        assert!(matches("^([0-9]{62}|[a-z]{62})$", &"1".repeat(62)));
        assert!(!matches("^([0-9]{62}|[a-z]{62})$", &"a".repeat(61)));
        assert!(Simple::parse("^([0-9]{62}|[a-z]{63})$").is_none());
        assert!(Simple::parse("^([0-9]{126}|)$").is_none());
    }

    /// Review finding (fails today): a count near `u32::MAX` overflows `states_of`
    /// (`max + 1`), which panics in a debug build and, in a release build, yields an
    /// automaton that matches the empty text, while `regex-lite` rejects the pattern.
    #[test]
    fn counts_too_large_for_the_automaton_are_left_to_the_regex_engine() {
        for pattern in ["^a{4294967295}$", "^a{0,4294967295}$", "^a{4294967295,}$"] {
            assert!(Regex::new(pattern).is_err(), "{pattern}");
            assert!(Simple::parse(pattern).is_none(), "{pattern}");
        }
    }

    /// A class or literal `Simple` takes, or (`mixed`) also one it leaves to the regex engine.
    fn piece(mixed: bool) -> BoxedStrategy<&'static str> {
        let simple = prop_oneof![
            Just("[0-9]"),
            Just("[a-c]"),
            Just("[A-Za-z0-9-]"),
            Just("[-a]"),
            Just("[ab-]"),
            Just("[.$*]"),
            Just("a"),
            Just("b"),
            Just("-"),
            Just(" "),
        ];
        if mixed {
            prop_oneof![
                3 => simple,
                1 => prop_oneof![
                    Just("[^a]"),
                    Just("[a-c&&b]"),
                    Just("."),
                    Just("\\d"),
                    Just("(a|b)"),
                ],
            ]
            .boxed()
        } else {
            simple.boxed()
        }
    }

    fn quantifier(mixed: bool) -> BoxedStrategy<&'static str> {
        let simple = prop_oneof![
            Just(""),
            Just("+"),
            Just("*"),
            Just("?"),
            Just("{2}"),
            Just("{0,2}"),
            Just("{1,}"),
            Just("{0}"),
        ];
        if mixed {
            prop_oneof![3 => simple, 1 => prop_oneof![Just("{3,1}"), Just("+?"), Just("{2}{2}")]]
                .boxed()
        } else {
            simple.boxed()
        }
    }

    /// A pattern of up to five pieces, or a group of up to three such alternatives,
    /// anchored at both ends unless `mixed` says otherwise.
    fn pattern(mixed: bool) -> impl Strategy<Value = String> {
        prop_oneof![
            2 => sequence_pattern(mixed),
            1 => prop::collection::vec(alternative(mixed), 1..4).prop_map(|alternatives| {
                format!("^({})$", alternatives.join("|"))
            }),
        ]
    }

    /// One alternative of a group: up to three pieces.
    fn alternative(mixed: bool) -> impl Strategy<Value = String> {
        prop::collection::vec((piece(mixed), quantifier(mixed)), 0..3)
            .prop_map(|pieces| pieces.iter().map(|(c, q)| format!("{c}{q}")).collect())
    }

    /// Pieces between anchors.
    fn sequence_pattern(mixed: bool) -> impl Strategy<Value = String> {
        let anchors = if mixed {
            prop_oneof![3 => Just(("^", "$")), 1 => Just(("", "$")), 1 => Just(("^", ""))].boxed()
        } else {
            Just(("^", "$")).boxed()
        };
        (
            anchors,
            prop::collection::vec((piece(mixed), quantifier(mixed)), 0..5),
        )
            .prop_map(|((start, end), pieces)| {
                let body: String = pieces.iter().map(|(c, q)| format!("{c}{q}")).collect();
                format!("{start}{body}{end}")
            })
    }

    /// Texts over the pieces' characters and a few others (a non-ASCII one among them).
    fn texts() -> impl Strategy<Value = Vec<String>> {
        prop::collection::vec("[0-9abc .$*\\-x\u{e9}]{0,7}", 1..12)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3_000))]

        /// Every pattern of the simple shapes is taken, and answers as the regex engine on
        /// every text.
        #[test]
        fn simple_patterns_answer_as_the_regex_engine(pattern in pattern(false), texts in texts()) {
            let simple = Simple::parse(&pattern);
            prop_assert!(simple.is_some(), "{} is simple", pattern);
            let simple = simple.unwrap();
            let regex = Regex::new(&pattern).unwrap();
            for text in &texts {
                prop_assert_eq!(simple.is_match(text), regex.is_match(text), "{} on {:?}", pattern, text);
            }
            // A text the pattern's own pieces spell must be answered alike too.
            let spelled: String = pattern.chars().filter(char::is_ascii_alphanumeric).collect();
            prop_assert_eq!(simple.is_match(&spelled), regex.is_match(&spelled), "{} on {:?}", pattern, spelled);
        }

        /// Whatever `Simple` takes among other shapes compiles in the regex engine and
        /// answers alike; what it leaves is never its to answer.
        #[test]
        fn simple_takes_only_what_it_answers_exactly(pattern in pattern(true), texts in texts()) {
            if let Some(simple) = Simple::parse(&pattern) {
                let regex = Regex::new(&pattern);
                prop_assert!(regex.is_ok(), "{} must compile", pattern);
                let regex = regex.unwrap();
                for text in &texts {
                    prop_assert_eq!(simple.is_match(text), regex.is_match(text), "{} on {:?}", pattern, text);
                }
            }
        }
    }
}
