//! A strict, one-pass reader of JSON objects that borrows from its input.
//!
//! Easytransac's V1 answers are read on every call: once to tell an error from a success
//! (`Code`), once to verify the `Signature` over the `Result`, once to decode the
//! `Result`. With `serde_json` each of these is its own parse of the body (one of them
//! through a `RawValue` per member); this reader parses the body once into a
//! [`Document`] of [`Member`]s that point into the input, and the `Result` is signed and
//! then decoded (by the crate's `serde` deserializer over the document) from them.
//!
//! It is strict: everything it accepts is JSON as RFC 8259 defines it and as
//! `serde_json` parses it (the property tests hold the two together). Numbers are
//! checked for their syntax only: `1e400` is accepted, and it is `serde_json`, reading
//! the number's text when a caller asks for its value, that refuses it as out of range.
//! Where it is in doubt it refuses, and the callers then take `serde_json`'s own
//! reading, so an unusual input keeps the outcome and the error it always had:
//!
//! - an unpaired UTF-16 surrogate in a `\u` escape (PHP's `json_decode` refuses these
//!   too);
//! - nesting deeper than [`MAX_DEPTH`] (`serde_json` stops at 128);
//! - anything that is not an object at the top.
//!
//! Numbers, `true`, `false` and `null` are checked against the grammar and kept as their
//! text ([`Kind::Atom`]): what a number means (PHP's rules for the signature, a type's
//! for decoding) is left to the caller. Strings are kept as their text too, and decoded
//! when asked for ([`Member::key`], [`Node::string`]): borrowed when they hold no
//! escapes, the usual case.
//!
//! A member is 48 bytes (objects and lists are numbered and kept in the document), so
//! the members of a usual V1 `Result` fit one allocation under a kilobyte, where the
//! allocator stays on its fast path. Memory follows what is kept: with
//! [`Document::read_named`] the top-level members not asked for cost nothing, and a
//! container keeps at most twice the room its members take.
//!
//! ```
//! use pay_signing::json::{Document, Kind};
//!
//! let body = r#"{"Code":0,"Result":{"Tid":"ET1","Client":{"Id":"Cé"}},"Signature":"ab"}"#;
//! let document = Document::read(body, 3).expect("a JSON object");
//! let result = document.root().iter().find(|m| m.is("Result")).expect("a Result");
//! let members = document.members(result.value()).expect("an object");
//! assert_eq!(members[0].value().string().as_deref(), Some("ET1"));
//! // Escapes are decoded when asked for; nested objects are kept down to three levels.
//! let client = document.members(members[1].value()).expect("an object");
//! assert_eq!(client[0].value().string().as_deref(), Some("Cé"));
//! assert!(matches!(members[1].value().kind(), Kind::Object(_)));
//! // Anything but a JSON object is refused.
//! assert!(Document::read("[1, 2]", 3).is_none());
//! ```

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};

/// How deeply [`Document::read`] reads nested values before it refuses (the top-level
/// object is depth 1).
pub const MAX_DEPTH: usize = 100;

/// One member of an object (or one item of a list, with an empty name).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Member<'a> {
    /// The name's text inside its quotes, escapes and all.
    key: &'a str,
    /// Whether `key` holds escapes.
    key_escaped: bool,
    value: Node<'a>,
}

impl<'a> Member<'a> {
    /// The member's name, escapes decoded (borrowed from the input unless it holds any).
    pub fn key(&self) -> Cow<'a, str> {
        if self.key_escaped {
            unescape(self.key)
        } else {
            Cow::Borrowed(self.key)
        }
    }

    /// Whether the name is exactly `name` (escapes decoded).
    pub fn is(&self, name: &str) -> bool {
        key_is(self.key, self.key_escaped, name)
    }

    /// The member's value.
    pub fn value(&self) -> &Node<'a> {
        &self.value
    }
}

impl fmt::Debug for Member<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Answers carry personal data: names and shapes only, never values.
        write!(f, "{:?}: {:?}", self.key, self.value)
    }
}

/// A JSON value: its exact text in the input and what kind of value it is.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Node<'a> {
    raw: &'a str,
    kind: Kind,
}

impl<'a> Node<'a> {
    /// The value's text in the input, exactly (no surrounding whitespace).
    pub fn raw(&self) -> &'a str {
        self.raw
    }

    /// What kind of value it is.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// A string value, escapes decoded (borrowed from the input unless it holds any);
    /// `None` for any other value.
    pub fn string(&self) -> Option<Cow<'a, str>> {
        let inner = self.raw.get(1..self.raw.len().checked_sub(1)?)?;
        match self.kind {
            Kind::Str { escaped: false } => Some(Cow::Borrowed(inner)),
            Kind::Str { escaped: true } => Some(unescape(inner)),
            _ => None,
        }
    }
}

impl fmt::Debug for Node<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} of {} bytes", self.kind, self.raw.len())
    }
}

/// What kind of value a [`Node`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// A string ([`Node::string`]), and whether it holds escapes.
    Str {
        /// Whether the string's text holds escapes ([`Node::string`] then decodes
        /// them into a new `String`).
        escaped: bool,
    },
    /// A number, `true`, `false` or `null`: its text is [`Node::raw`].
    Atom,
    /// An object, kept: [`Document::members`] answers its members.
    Object(Container),
    /// A list, kept: [`Document::items`] answers its items.
    Array(Container),
    /// An object or a list below the levels asked for: checked, not kept.
    Unread,
}

/// The number of a kept object or list in its [`Document`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Container(u32);

/// A JSON object read by [`Document::read`]: its members and the objects and lists kept
/// below them.
#[derive(Clone, PartialEq, Eq)]
pub struct Document<'a> {
    /// The top-level members (container 0).
    root: Vec<Member<'a>>,
    /// Every other kept object's members and list's items (with empty names), container
    /// `n` at `n - 1`: empty, and so never allocated, when only the top level is kept.
    nested: Vec<Vec<Member<'a>>>,
}

impl fmt::Debug for Document<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.root()).finish()
    }
}

impl<'a> Document<'a> {
    /// Reads `text` as one JSON object (whitespace around it allowed), keeping `levels`
    /// levels of objects and lists: `1` keeps the top-level members and leaves every
    /// object or list among their values [`Kind::Unread`], `2` keeps those one level
    /// down as well, and so on. Deeper values are still checked in full.
    ///
    /// Answers `None` for anything but a valid JSON object, for `levels` 0, for a text
    /// of 4 GiB or more, and for the cases the module documentation lists, in which
    /// callers should read the text with `serde_json`.
    pub fn read(text: &'a str, levels: usize) -> Option<Self> {
        Self::read_named(text, &[], levels)
    }

    /// [`Document::read`], keeping only the top-level members named one of `names`
    /// (every member when `names` is empty): the others are checked as thoroughly, but
    /// nothing of them is kept, so what an answer's other members hold costs no memory.
    ///
    /// ```
    /// use pay_signing::json::Document;
    ///
    /// let body = r#"{"Code":0,"Noise":[1,2,3],"Result":{"Tid":"ET1"}}"#;
    /// let document = Document::read_named(body, &["Result"], 2).expect("a JSON object");
    /// let result = document.root()[0].value();
    /// let tid = &document.members(result).expect("an object")[0];
    /// assert_eq!((tid.key(), tid.value().string()), ("Tid".into(), Some("ET1".into())));
    /// ```
    pub fn read_named(text: &'a str, names: &[&str], levels: usize) -> Option<Self> {
        if levels == 0 || u32::try_from(text.len()).is_err() {
            return None;
        }
        let mut reader = Reader {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            root: Vec::new(),
            nested: Vec::new(),
            names,
        };
        reader.skip_whitespace();
        if reader.peek() != Some(b'{') {
            return None;
        }
        reader.value(levels, 0)?;
        reader.skip_whitespace();
        if reader.pos != reader.bytes.len() {
            return None;
        }
        Some(Document {
            root: reader.root,
            nested: reader.nested,
        })
    }

    /// The top-level members, in document order, repeated names included.
    pub fn root(&self) -> &[Member<'a>] {
        &self.root
    }

    /// An object's members, in document order; `None` unless `node` is an object this
    /// document kept.
    pub fn members(&self, node: &Node<'a>) -> Option<&[Member<'a>]> {
        match node.kind {
            Kind::Object(container) => self.members_of(container),
            _ => None,
        }
    }

    /// The members of the kept object numbered `container` (a number this document
    /// gave; one from another document answers that document's numbering).
    pub fn members_of(&self, container: Container) -> Option<&[Member<'a>]> {
        match container.0.checked_sub(1) {
            None => Some(&self.root),
            Some(n) => self.nested.get(n as usize).map(Vec::as_slice),
        }
    }

    /// A list's items; `None` unless `node` is a list this document kept.
    pub fn items(&self, node: &Node<'a>) -> Option<impl ExactSizeIterator<Item = &Node<'a>>> {
        match node.kind {
            Kind::Array(container) => self
                .members_of(container)
                .map(|items| items.iter().map(Member::value)),
            _ => None,
        }
    }
}

/// Whether a name's text (inside its quotes) is `name` once decoded.
fn key_is(key: &str, escaped: bool, name: &str) -> bool {
    if escaped {
        unescape(key) == name
    } else {
        key == name
    }
}

/// The text of a string (inside its quotes) with its escapes decoded.
fn unescape(inner: &str) -> Cow<'_, str> {
    // The reader checked the escapes; should one not decode, the text stays as it is.
    let mut reader = Reader {
        text: inner,
        bytes: inner.as_bytes(),
        pos: 0,
        root: Vec::new(),
        nested: Vec::new(),
        names: &[],
    };
    let mut decoded = String::with_capacity(inner.len());
    while reader.pos < inner.len() {
        let run = reader.pos;
        reader.skip_plain();
        decoded.push_str(&inner[run..reader.pos]);
        if reader.pos < inner.len() {
            match reader.escape() {
                Some(c) => decoded.push(c),
                None => return Cow::Borrowed(inner),
            }
        }
    }
    Cow::Owned(decoded)
}

struct Reader<'a, 'n> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    root: Vec<Member<'a>>,
    nested: Vec<Vec<Member<'a>>>,
    /// The top-level names to keep ([`Document::read_named`]); every one when empty.
    names: &'n [&'n str],
}

impl<'a> Reader<'a, '_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// Consumes `byte` after optional whitespace.
    fn expect(&mut self, byte: u8) -> Option<()> {
        self.skip_whitespace();
        (self.peek()? == byte).then(|| self.pos += 1)
    }

    /// The value at the cursor (after optional whitespace). Containers are kept while
    /// `levels` is above 0 (below that, checked as [`Kind::Unread`]); `depth` counts
    /// the containers around the value.
    fn value(&mut self, levels: usize, depth: usize) -> Option<Node<'a>> {
        self.skip_whitespace();
        let start = self.pos;
        let kind = match self.peek()? {
            b'"' => Kind::Str {
                escaped: self.skip_string()?,
            },
            b'{' | b'[' if depth >= MAX_DEPTH => return None,
            b'{' | b'[' if levels == 0 => {
                self.skip_container(depth + 1)?;
                Kind::Unread
            }
            b'{' => Kind::Object(self.container(true, levels - 1, depth + 1)?),
            b'[' => Kind::Array(self.container(false, levels - 1, depth + 1)?),
            b't' => self.literal(b"true")?,
            b'f' => self.literal(b"false")?,
            b'n' => self.literal(b"null")?,
            b'-' | b'0'..=b'9' => self.number()?,
            _ => return None,
        };
        Some(Node {
            raw: &self.text[start..self.pos],
            kind,
        })
    }

    /// The object (or list) at the cursor, kept, its values read with
    /// [`Reader::value`]`(levels, depth)`.
    fn container(&mut self, object: bool, levels: usize, depth: usize) -> Option<Container> {
        // The top level is container 0; the others are numbered as they open.
        let number = if depth == 1 {
            0
        } else {
            self.nested.push(Vec::new());
            self.nested.len()
        };
        let close = if object { b'}' } else { b']' };
        self.pos += 1;
        // Room without growing for a V1 answer's few top-level members (exactly the
        // names asked for, when they are named, so that nothing is given back), and
        // below them for a usual `Result` (21 members of 48 bytes stay under a
        // kilobyte, within the allocator's fast path); deeper, as much as each needs.
        let mut members = match depth {
            1 if !self.names.is_empty() => Vec::with_capacity(self.names.len()),
            1 => Vec::with_capacity(8),
            2 if object => Vec::with_capacity(21),
            _ => Vec::new(),
        };
        self.skip_whitespace();
        if self.peek()? == close {
            self.pos += 1;
        } else {
            loop {
                let (key, key_escaped) = if object {
                    self.skip_whitespace();
                    if self.peek()? != b'"' {
                        return None;
                    }
                    let start = self.pos + 1;
                    let escaped = self.skip_string()?;
                    let key = &self.text[start..self.pos - 1];
                    self.expect(b':')?;
                    (key, escaped)
                } else {
                    ("", false)
                };
                if depth == 1
                    && !self.names.is_empty()
                    && !self.names.iter().any(|name| key_is(key, key_escaped, name))
                {
                    // A top-level member nobody asked for: checked, not kept.
                    self.skip(depth)?;
                } else {
                    let value = self.value(levels, depth)?;
                    members.push(Member {
                        key,
                        key_escaped,
                        value,
                    });
                }
                self.skip_whitespace();
                match self.peek()? {
                    b',' => self.pos += 1,
                    b if b == close => {
                        self.pos += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        // What a small container does not use goes back (an empty one keeps nothing).
        if members.len() * 2 < members.capacity() {
            members.shrink_to_fit();
        }
        match number.checked_sub(1) {
            None => self.root = members,
            Some(n) => self.nested[n] = members,
        }
        Some(Container(u32::try_from(number).ok()?))
    }

    /// Checks the value at the cursor (after optional whitespace) and moves past it.
    fn skip(&mut self, depth: usize) -> Option<()> {
        self.skip_whitespace();
        match self.peek()? {
            b'"' => self.skip_string().map(drop),
            b'{' | b'[' if depth < MAX_DEPTH => self.skip_container(depth + 1),
            b't' => self.literal(b"true").map(drop),
            b'f' => self.literal(b"false").map(drop),
            b'n' => self.literal(b"null").map(drop),
            b'-' | b'0'..=b'9' => self.number().map(drop),
            _ => None,
        }
    }

    /// Checks the object or list at the cursor and moves past it.
    fn skip_container(&mut self, depth: usize) -> Option<()> {
        let is_object = self.peek()? == b'{';
        let close = if is_object { b'}' } else { b']' };
        self.pos += 1;
        self.skip_whitespace();
        if self.peek()? == close {
            self.pos += 1;
            return Some(());
        }
        loop {
            if is_object {
                self.skip_whitespace();
                if self.peek()? != b'"' {
                    return None;
                }
                self.skip_string()?;
                self.expect(b':')?;
            }
            self.skip(depth)?;
            self.skip_whitespace();
            match self.peek()? {
                b',' => self.pos += 1,
                b if b == close => {
                    self.pos += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<Kind> {
        let end = self.pos + word.len();
        (self.bytes.get(self.pos..end)? == word).then(|| {
            self.pos = end;
            Kind::Atom
        })
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    fn number(&mut self) -> Option<Kind> {
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek()? {
            b'0' => self.pos += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            self.some_digits()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            self.some_digits()?;
        }
        Some(Kind::Atom)
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }

    fn some_digits(&mut self) -> Option<()> {
        let start = self.pos;
        self.digits();
        (self.pos > start).then_some(())
    }

    /// Checks the string at the cursor (its opening quote) and moves past it; answers
    /// whether it held escapes.
    #[inline]
    fn skip_string(&mut self) -> Option<bool> {
        self.pos += 1;
        let mut escaped = false;
        loop {
            self.skip_plain();
            match self.peek()? {
                b'"' => {
                    self.pos += 1;
                    return Some(escaped);
                }
                b'\\' => {
                    self.escape()?;
                    escaped = true;
                }
                // A control character: never in a JSON string.
                _ => return None,
            }
        }
    }

    /// Moves the cursor to the next quote, backslash or control character (or the end).
    #[inline]
    fn skip_plain(&mut self) {
        let rest = &self.bytes[self.pos..];
        self.pos += special_position(rest).unwrap_or(rest.len());
    }

    /// The escape at the cursor (its backslash).
    fn escape(&mut self) -> Option<char> {
        self.pos += 1;
        let byte = self.peek()?;
        self.pos += 1;
        Some(match byte {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let unit = self.hex4()?;
                let code = match unit {
                    0xD800..=0xDBFF => {
                        if self.bytes.get(self.pos..self.pos + 2)? != b"\\u" {
                            return None;
                        }
                        self.pos += 2;
                        let low = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return None;
                        }
                        0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                    }
                    _ => unit,
                };
                // A lone low surrogate is the only code left that is not a `char`.
                char::from_u32(code)?
            }
            _ => return None,
        })
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.bytes.get(self.pos..self.pos + 4)?;
        let mut value = 0;
        for &digit in digits {
            value = value * 16 + char::from(digit).to_digit(16)?;
        }
        self.pos += 4;
        Some(value)
    }
}

/// The position of the first quote, backslash or control character in `bytes`.
///
/// Eight bytes at a time: a byte is special when it equals `"` or `\\` or is below
/// 0x20, found for all eight at once with the usual carry-free tests on a `u64`
/// (exact: no false positives, as the high-bit mask excludes bytes of 0x80 and up).
#[inline]
fn special_position(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    /// The high bit of each byte of `x` that is zero.
    fn zero_bytes(x: u64) -> u64 {
        (x.wrapping_sub(ONES) & !x) & HIGH
    }
    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        let found = zero_bytes(x ^ (ONES * u64::from(b'"')))
            | zero_bytes(x ^ (ONES * u64::from(b'\\')))
            | (x.wrapping_sub(ONES * 0x20) & !x & HIGH);
        if found != 0 {
            // The lowest flagged byte is exact; flags above it may be borrows.
            return Some(offset + (found.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .map(|i| offset + i)
}

// ----------------------------------------------------------------------------------
// Decoding from the document.

/// Decodes `T` from `object`, a kept object of `document`, as `serde_json` would from
/// the object's text.
///
/// Strings and objects are read from the document (strings without escapes borrowed
/// from the input); every other request (a number, a list, an enum, a `RawValue`) is
/// `serde_json`'s own reading of the value's text, so `T` sees what it always saw.
///
/// # Errors
///
/// When `object` is not a kept object of `document`, or as `T` refuses it.
pub(crate) fn from_object<'a, T: de::Deserialize<'a>>(
    document: &Document<'a>,
    object: &Node<'a>,
) -> Result<T, serde_json::Error> {
    let members = document
        .members(object)
        .ok_or_else(|| de::Error::custom("not an object of this document"))?;
    T::deserialize(ObjectDe {
        document,
        members,
        raw: object.raw,
    })
}

/// An object: its members, and its text for what `serde_json` reads from text.
struct ObjectDe<'t, 'a> {
    document: &'t Document<'a>,
    members: &'t [Member<'a>],
    raw: &'a str,
}

impl<'a> Deserializer<'a> for ObjectDe<'_, 'a> {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_map(Members {
            document: self.document,
            members: self.members.iter(),
            value: None,
        })
    }

    fn deserialize_option<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'a>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        // `serde_json`'s `RawValue` asks for itself by this name, and needs the text:
        // read as a map, it would take a member of that name for its contents.
        if name == RAW_VALUE {
            return raw_value(self.raw, visitor);
        }
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        <W: Visitor<'a>>
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// The name by which `serde_json`'s `RawValue` asks a deserializer for its text.
const RAW_VALUE: &str = "$serde_json::private::RawValue";

/// A `RawValue` (asked for by [`RAW_VALUE`]) of `raw`, a value's text, as `serde_json`
/// reads it.
fn raw_value<'a, V: Visitor<'a>>(raw: &'a str, visitor: V) -> Result<V::Value, serde_json::Error> {
    let mut json = serde_json::Deserializer::from_str(raw);
    let value = (&mut json).deserialize_newtype_struct(RAW_VALUE, visitor)?;
    json.end()?;
    Ok(value)
}

struct Members<'t, 'a> {
    document: &'t Document<'a>,
    members: std::slice::Iter<'t, Member<'a>>,
    value: Option<&'t Node<'a>>,
}

impl<'a> MapAccess<'a> for Members<'_, 'a> {
    type Error = serde_json::Error;

    fn next_key_seed<K: DeserializeSeed<'a>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        let Some(member) = self.members.next() else {
            return Ok(None);
        };
        self.value = Some(&member.value);
        seed.deserialize(StrDe(member.key())).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'a>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Self::Error> {
        let node = self
            .value
            .take()
            .ok_or_else(|| de::Error::custom("a value asked for before its key"))?;
        seed.deserialize(NodeDe {
            document: self.document,
            node,
        })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.members.len())
    }
}

/// A decoded string: borrowed from the input when it held no escapes.
struct StrDe<'a>(Cow<'a, str>);

impl<'a> StrDe<'a> {
    fn visit<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, serde_json::Error> {
        match self.0 {
            Cow::Borrowed(text) => visitor.visit_borrowed_str(text),
            Cow::Owned(text) => visitor.visit_string(text),
        }
    }
}

impl<'a> Deserializer<'a> for StrDe<'a> {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.visit(visitor)
    }

    serde::forward_to_deserialize_any! {
        <W: Visitor<'a>>
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// One value of the document.
struct NodeDe<'t, 'a> {
    document: &'t Document<'a>,
    node: &'t Node<'a>,
}

/// Methods that `serde_json` answers from the value's text.
macro_rules! by_serde_json {
    ($($name:ident = $method:ident($($arg:ident: $ty:ty),*);)*) => {
        $(
            fn $name<V: Visitor<'a>>(
                self,
                $($arg: $ty,)*
                visitor: V,
            ) -> Result<V::Value, serde_json::Error> {
                let mut json = serde_json::Deserializer::from_str(self.node.raw);
                let value = (&mut json).$method($($arg,)* visitor)?;
                json.end()?;
                Ok(value)
            }
        )*
    };
}

impl<'a> NodeDe<'_, 'a> {
    by_serde_json! {
        json_any = deserialize_any();
        json_option = deserialize_option();
        json_str = deserialize_str();
        json_string = deserialize_string();
        json_identifier = deserialize_identifier();
        json_map = deserialize_map();
        json_struct = deserialize_struct(name: &'static str, fields: &'static [&'static str]);
    }

    /// The object's members, when the node is a kept object.
    fn object(&self) -> Option<ObjectDe<'_, 'a>> {
        self.document.members(self.node).map(|members| ObjectDe {
            document: self.document,
            members,
            raw: self.node.raw,
        })
    }
}

/// Methods that read a string node from the document and leave any other value to
/// `serde_json` (`$json`, from [`by_serde_json`]).
macro_rules! string_or_json {
    ($($method:ident = $json:ident;)*) => {
        $(
            fn $method<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Self::Error> {
                match self.node.string() {
                    Some(text) => StrDe(text).visit(visitor),
                    None => self.$json(visitor),
                }
            }
        )*
    };
}

impl<'a> Deserializer<'a> for NodeDe<'_, 'a> {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        if let Some(text) = self.node.string() {
            return StrDe(text).visit(visitor);
        }
        match self.object() {
            Some(object) => object.deserialize_any(visitor),
            None => self.json_any(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.node.kind {
            Kind::Str { .. } | Kind::Object(_) => visitor.visit_some(self),
            _ => self.json_option(visitor),
        }
    }

    string_or_json! {
        deserialize_str = json_str;
        deserialize_string = json_string;
        deserialize_identifier = json_identifier;
    }

    fn deserialize_map<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.object() {
            Some(object) => object.deserialize_any(visitor),
            None => self.json_map(visitor),
        }
    }

    fn deserialize_struct<V: Visitor<'a>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self.object() {
            Some(object) => object.deserialize_any(visitor),
            None => self.json_struct(name, fields, visitor),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'a>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        // `serde_json`'s `RawValue` asks for itself by this name, and needs the text.
        if name == RAW_VALUE {
            return raw_value(self.node.raw, visitor);
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_ignored_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_unit()
    }

    by_serde_json! {
        deserialize_bool = deserialize_bool();
        deserialize_i8 = deserialize_i8();
        deserialize_i16 = deserialize_i16();
        deserialize_i32 = deserialize_i32();
        deserialize_i64 = deserialize_i64();
        deserialize_i128 = deserialize_i128();
        deserialize_u8 = deserialize_u8();
        deserialize_u16 = deserialize_u16();
        deserialize_u32 = deserialize_u32();
        deserialize_u64 = deserialize_u64();
        deserialize_u128 = deserialize_u128();
        deserialize_f32 = deserialize_f32();
        deserialize_f64 = deserialize_f64();
        deserialize_char = deserialize_char();
        deserialize_bytes = deserialize_bytes();
        deserialize_byte_buf = deserialize_byte_buf();
        deserialize_unit = deserialize_unit();
        deserialize_unit_struct = deserialize_unit_struct(name: &'static str);
        deserialize_seq = deserialize_seq();
        deserialize_tuple = deserialize_tuple(len: usize);
        deserialize_tuple_struct = deserialize_tuple_struct(name: &'static str, len: usize);
        deserialize_enum = deserialize_enum(name: &'static str, variants: &'static [&'static str]);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;
    use serde_json::Value;
    use serde_json::value::RawValue;

    use super::*;

    /// The document as a `serde_json::Value` (atoms read by `serde_json`).
    fn value_of(document: &Document<'_>, node: &Node<'_>) -> Value {
        match node.kind() {
            Kind::Str { .. } => Value::String(node.string().unwrap().into_owned()),
            Kind::Atom | Kind::Unread => serde_json::from_str(node.raw()).unwrap(),
            Kind::Object(_) => object_of(document, document.members(node).unwrap()),
            Kind::Array(_) => Value::Array(
                document
                    .items(node)
                    .unwrap()
                    .map(|item| value_of(document, item))
                    .collect(),
            ),
        }
    }

    fn object_of(document: &Document<'_>, members: &[Member<'_>]) -> Value {
        Value::Object(
            members
                .iter()
                .map(|m| (m.key().into_owned(), value_of(document, m.value())))
                .collect(),
        )
    }

    /// `text` with every non-ASCII character and every `/` escaped, as PHP's
    /// `json_encode` writes by default.
    fn php_escaped(text: &str) -> String {
        let mut out = String::new();
        for c in text.chars() {
            match c {
                '/' => out.push_str("\\/"),
                c if c.is_ascii() => out.push(c),
                c => {
                    let mut units = [0; 2];
                    for unit in c.encode_utf16(&mut units) {
                        out.push_str(&format!("\\u{unit:04x}"));
                    }
                }
            }
        }
        out
    }

    fn leaf() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            // Decimal texts, read by `serde_json` itself (few digits, so that its
            // reading survives its own writing and reading again).
            "-?(0|[1-9][0-9]{0,5})\\.[0-9]{1,4}([eE][+-]?[0-9])?"
                .prop_map(|text| serde_json::from_str::<Value>(&text).unwrap()),
            any::<String>().prop_map(Value::String),
            "[a-z\"\\\\/\u{0}-\u{1f}é€😀]{0,12}".prop_map(Value::String),
        ]
    }

    fn document() -> impl Strategy<Value = Value> {
        let tree = leaf().prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::btree_map("[A-Za-z0-9\"é]{0,6}", inner, 0..6)
                    .prop_map(|map| Value::Object(map.into_iter().collect())),
            ]
        });
        proptest::collection::btree_map("[A-Za-z]{0,6}", tree, 0..8)
            .prop_map(|map| Value::Object(map.into_iter().collect()))
    }

    proptest! {
        #[test]
        fn special_position_finds_what_a_byte_loop_finds(
            bytes in proptest::collection::vec(
                prop_oneof![
                    Just(b'"'), Just(b'\\'), 0u8..0x20, Just(0x20u8), Just(0x21u8),
                    Just(0x5bu8), Just(0x5du8), Just(0x7fu8), 0x80u8..=0xff, any::<u8>(),
                ],
                0..40,
            ),
            plain in 0usize..24,
        ) {
            // Runs of plain bytes first, so the special one lands anywhere in a word.
            let mut input = vec![b'a'; plain];
            input.extend(bytes);
            let expected = input.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20);
            prop_assert_eq!(special_position(&input), expected);
        }

        #[test]
        fn every_document_reads_as_serde_json_reads_it(document in document()) {
            let compact = serde_json::to_string(&document).unwrap();
            let pretty = serde_json::to_string_pretty(&document).unwrap();
            let php = php_escaped(&compact);
            for text in [&compact, &pretty, &php] {
                let deep = Document::read(text, usize::MAX).expect("a valid object");
                prop_assert_eq!(&object_of(&deep, deep.root()), &document);
                // The top level alone: the same members, nested values checked, not kept.
                let top = Document::read(text, 1).expect("a valid object");
                prop_assert_eq!(top.root().len(), deep.root().len());
                for (shallow, deep) in top.root().iter().zip(deep.root()) {
                    prop_assert_eq!(shallow.key(), deep.key());
                    prop_assert_eq!(shallow.value().raw(), deep.value().raw());
                    if let Kind::Object(_) | Kind::Array(_) = deep.value().kind() {
                        prop_assert_eq!(shallow.value().kind(), Kind::Unread);
                    }
                }
            }
        }

        /// Never accepts what `serde_json` refuses: texts near valid ones, edited.
        #[test]
        fn what_it_accepts_serde_json_accepts_and_reads_alike(
            document in document(),
            edits in proptest::collection::vec(
                (any::<prop::sample::Index>(), 0u8..3, prop::sample::select(vec![
                    "\"", "\\", "{", "}", "[", "]", ",", ":", " ", "0", "-", ".", "e", "1",
                    "t", "null", "\\u", "\\ud800", "\\udc00", "d83d", "\u{1}", "é", "/",
                ])),
                1..4,
            ),
        ) {
            let mut text = php_escaped(&serde_json::to_string(&document).unwrap());
            for (at, op, piece) in edits {
                let mut at = at.index(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                match op {
                    0 => text.insert_str(at, piece),
                    1 => {
                        let end = (at + 1..=text.len())
                            .find(|&end| text.is_char_boundary(end))
                            .unwrap_or(at);
                        text.replace_range(at..end, "");
                    }
                    _ => {
                        let end = (at + 1..=text.len())
                            .find(|&end| text.is_char_boundary(end))
                            .unwrap_or(at);
                        text.replace_range(at..end, piece);
                    }
                }
            }
            let ours = Document::read(&text, usize::MAX);
            let theirs = serde_json::from_str::<Value>(&text);
            if let Some(document) = &ours {
                prop_assert!(
                    serde_json::from_str::<de::IgnoredAny>(&text).is_ok(),
                    "accepted what serde_json refuses: {text:?}"
                );
                if let Ok(theirs) = &theirs {
                    // Repeated names: serde_json keeps the last, so compare that way.
                    let mut last = serde_json::Map::new();
                    for member in document.root() {
                        last.insert(member.key().into_owned(), value_of(document, member.value()));
                    }
                    prop_assert_eq!(&Value::Object(last), theirs);
                }
            } else if let Ok(Value::Object(_)) = theirs {
                // Refused while serde_json reads it: only for an unpaired surrogate.
                prop_assert!(text.contains("\\ud8") || text.contains("\\udc"), "{text:?}");
            }
        }
    }

    #[test]
    fn unusual_inputs_are_refused_for_serde_json_to_decide() {
        for text in [
            "",
            "[]",
            "\"x\"",
            "{",
            "{}x",
            r#"{"a":1,}"#,
            r#"{"a" 1}"#,
            r#"{"a":01}"#,
            r#"{"a":-}"#,
            r#"{"a":1.}"#,
            r#"{"a":1e}"#,
            r#"{"a":tru}"#,
            r#"{"a":"\x"}"#,
            r#"{"a":"\u12"}"#,
            r#"{"a":"\ud800"}"#,
            r#"{"a":"\ud800\u0041"}"#,
            r#"{"a":"\udc00"}"#,
            "{\"a\":\"\u{1}\"}",
            "\u{feff}{}",
            r#"{1:2}"#,
            r#"{"a":[1,]}"#,
            r#"{"a":[1 2]}"#,
            // Closed by the other kind of bracket, kept or only checked.
            r#"{"a":[1}}"#,
            r#"{"a":{"b":1]}"#,
            r#"{"a":[[1}]}"#,
            r#"{"a":[{"b":1]]}"#,
        ] {
            for levels in [1, 2, 3, usize::MAX] {
                assert_eq!(Document::read(text, levels), None, "{text:?} at {levels}");
            }
        }
        // The top-level object and `nest` lists inside it: `nest + 1` deep.
        let nested = |nest: usize| format!("{{\"a\":{}{}}}", "[".repeat(nest), "]".repeat(nest));
        for levels in [1, 2, 3, usize::MAX] {
            assert!(
                Document::read(&nested(MAX_DEPTH - 1), levels).is_some(),
                "at {levels}"
            );
            assert_eq!(
                Document::read(&nested(MAX_DEPTH), levels),
                None,
                "at {levels}"
            );
        }
        // Pairs of containers: 51 of them nest 102 deep, 50 of them exactly 100.
        let deep = format!("{}{}", "{\"a\":[".repeat(51), "]}".repeat(51));
        assert_eq!(Document::read(&deep, 3), None, "deeper than {MAX_DEPTH}");
        assert_eq!(Document::read(&deep, 200), None, "deeper than {MAX_DEPTH}");
        let fine = format!("{}{}", "{\"a\":[".repeat(50), "]}".repeat(50));
        assert!(Document::read(&fine, 200).is_some());
        assert!(Document::read(&fine, 3).is_some());
        assert_eq!(
            Document::read("{}", 0),
            None,
            "nothing kept is nothing read"
        );
    }

    #[test]
    fn memory_follows_what_is_kept() {
        // An answer padded with a thousand members nobody reads.
        let body = format!(
            r#"{{"Code":0,{}"Result":{{"Tid":"ET1","Deep":{{"a":[]}}}},"Signature":"s"}}"#,
            r#""":{},"#.repeat(1000)
        );
        let named = Document::read_named(&body, &["Signature", "Result"], 3).unwrap();
        let kept: Vec<_> = named.root().iter().map(Member::key).collect();
        assert_eq!(kept, ["Result", "Signature"]);
        assert_eq!(
            named.nested.len(),
            2,
            "the Result and its Deep, nothing else"
        );
        let result = named.root()[0].value();
        let deep = named.members(result).unwrap()[1].value();
        assert_eq!(named.members(deep).unwrap()[0].value().kind(), Kind::Unread);
        // Read whole, every container keeps at most twice the room its members take,
        // and an empty one none.
        let all = Document::read(&body, 3).unwrap();
        assert_eq!(all.root().len(), 1003);
        assert_eq!(all.nested.len(), 1002);
        for container in std::iter::once(&all.root).chain(&all.nested) {
            assert!(
                container.capacity() <= 2 * container.len(),
                "{}",
                container.len()
            );
        }
        // Names are compared decoded, and repeats are all kept.
        let twice = Document::read_named(r#"{"R":1,"\u0052":2,"S":3}"#, &["R"], 1).unwrap();
        assert_eq!(twice.root().len(), 2);
        assert!(
            Document::read_named(r#"{"R":1,"S":[}"#, &["R"], 1).is_none(),
            "all checked"
        );
    }

    #[test]
    fn a_raw_value_is_the_objects_own_text() {
        // A member named as `serde_json`'s raw value marker is a member like any other.
        let text = r#"{"R":{"$serde_json::private::RawValue":"not json at all"}}"#;
        let document = Document::read(text, 3).unwrap();
        let object = document.root()[0].value();
        let raw: Box<RawValue> = from_object(&document, object).unwrap();
        assert_eq!(
            raw.get(),
            r#"{"$serde_json::private::RawValue":"not json at all"}"#
        );
        // And an object inside it, asked for as a raw value, is its own text too.
        #[derive(serde::Deserialize)]
        struct Outer {
            #[serde(rename = "In")]
            inner: Box<RawValue>,
            #[serde(rename = "Opt")]
            opt: Option<Wrapped>,
        }
        let text = r#"{"R":{"In":{"$serde_json::private::RawValue":"x"},"Opt":"w"}}"#;
        let document = Document::read(text, 3).unwrap();
        let outer: Outer = from_object(&document, document.root()[0].value()).unwrap();
        assert_eq!(
            outer.inner.get(),
            r#"{"$serde_json::private::RawValue":"x"}"#
        );
        assert_eq!(outer.opt, Some(Wrapped("w".to_owned())));
        // A node that is not an object of the document is an error, not a panic.
        let other = Document::read(r#"{"x":1}"#, 1).unwrap();
        assert!(from_object::<Value>(&other, other.root()[0].value()).is_err());
    }

    #[test]
    fn strings_borrow_unless_they_hold_escapes() {
        let document = Document::read(
            r#" { "a" : "plain" , "b\/" : "x\"\u00e9\ud83d\ude00", "n": [1, {"k": null}] } "#,
            2,
        )
        .unwrap();
        let members = document.root();
        assert!(matches!(members[0].key(), Cow::Borrowed("a")));
        assert!(members[0].is("a") && !members[0].is("b"));
        assert!(matches!(
            members[0].value().string(),
            Some(Cow::Borrowed("plain"))
        ));
        assert_eq!(members[0].value().raw(), r#""plain""#);
        assert!(matches!(members[1].key(), Cow::Owned(key) if key == "b/"));
        assert!(members[1].is("b/") && !members[1].is("b\\/"));
        assert!(matches!(members[1].value().string(), Some(Cow::Owned(s)) if s == "x\"é😀"));
        // A list kept at the second level, the object inside it not.
        let items: Vec<_> = document.items(members[2].value()).unwrap().collect();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].kind(), Kind::Atom);
        assert_eq!(items[1].kind(), Kind::Unread);
        assert_eq!(items[1].string(), None);
        assert!(document.members(members[2].value()).is_none());
        assert!(document.items(members[0].value()).is_none());
        // Debug shows shapes and lengths, never values.
        let shown = format!("{document:?}");
        assert!(
            !shown.contains("plain") && shown.contains("Str { escaped: false } of 7 bytes"),
            "{shown}"
        );
        // Text the reader never saw decodes as best it can, never panics.
        assert_eq!(unescape("a\\x"), "a\\x");
        assert_eq!(unescape("\\u00e9\\n"), "é\n");
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Answer<'a> {
        #[serde(rename = "Tid")]
        tid: String,
        #[serde(borrow, rename = "Borrowed", default)]
        borrowed: Option<&'a str>,
        #[serde(rename = "Count", default)]
        count: Option<u32>,
        #[serde(rename = "Flag", default)]
        flag: Option<bool>,
        #[serde(rename = "Items", default)]
        items: Vec<String>,
        #[serde(rename = "Client", default)]
        client: Option<Client>,
        #[serde(rename = "Map", default)]
        map: BTreeMap<String, Value>,
        #[serde(rename = "Kind", default)]
        kind: Option<Shape>,
        #[serde(rename = "Raw", borrow, default)]
        raw: Option<RawText<'a>>,
        #[serde(rename = "Wrapped", default)]
        wrapped: Option<Wrapped>,
    }

    /// A raw value, compared by its text (through a newtype, as callers' types have it).
    #[derive(serde::Deserialize, Debug)]
    struct RawText<'a>(#[serde(borrow)] &'a RawValue);

    impl PartialEq for RawText<'_> {
        fn eq(&self, other: &Self) -> bool {
            self.0.get() == other.0.get()
        }
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Client {
        #[serde(rename = "Id")]
        id: String,
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    enum Shape {
        Round,
        Square,
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Wrapped(String);

    fn member_value() -> impl Strategy<Value = Value> {
        prop_oneof![
            leaf(),
            Just(serde_json::json!({"Id": "c1"})),
            Just(serde_json::json!({"Id": 5})),
            Just(serde_json::json!(["a", "b\"/"])),
            Just(serde_json::json!(["a", 1])),
            Just(serde_json::json!("Round")),
            Just(serde_json::json!({"Square": null})),
        ]
    }

    proptest! {
        /// What `from_object` decodes is what `serde_json` decodes from the text; where
        /// it fails, callers take `serde_json`'s reading (and its error) instead.
        #[test]
        fn decoding_from_the_document_is_serde_jsons_decoding(
            members in proptest::collection::btree_map(
                prop::sample::select(vec![
                    "Tid", "Borrowed", "Count", "Flag", "Items", "Client", "Map", "Kind", "Raw",
                    "Wrapped", "Other",
                ]),
                member_value(),
                0..11,
            ),
            php in any::<bool>(),
        ) {
            let mut text = serde_json::to_string(&members).unwrap();
            if php {
                text = php_escaped(&text);
            }
            let wrapped = format!(r#"{{"Result":{text}}}"#);
            let document = Document::read(&wrapped, 3).unwrap();
            let ours = from_object::<Answer<'_>>(&document, document.root()[0].value());
            let theirs = serde_json::from_str::<Answer<'_>>(&text);
            match (&ours, &theirs) {
                (Ok(ours), Ok(theirs)) => prop_assert_eq!(ours, theirs),
                (Err(_), Err(_)) => {}
                _ => prop_assert!(false, "{ours:?} against {theirs:?} for {text}"),
            }
        }
    }

    #[test]
    fn the_usual_answer_decodes_from_the_tree() {
        let text = r#"{"Tid":"ET1","Borrowed":"b","Count":3,"Flag":true,"Items":["x"],
            "Client":{"Id":"c\"1"},"Map":{"k":[1]},"Kind":"Square","Raw":{"a": 1},
            "Wrapped":"w","Other":null}"#;
        let wrapped = format!(r#"{{"Result":{text}}}"#);
        let document = Document::read(&wrapped, 3).unwrap();
        let answer: Answer<'_> = from_object(&document, document.root()[0].value()).unwrap();
        assert_eq!(answer, serde_json::from_str(text).unwrap());
        assert_eq!(answer.borrowed, Some("b"));
        assert_eq!(answer.raw.map(|raw| raw.0.get()), Some(r#"{"a": 1}"#));
        // An escaped string cannot be borrowed: the type's own error, as serde_json's.
        let escaped = Document::read(r#"{"R":{"Tid":"x","Borrowed":"\/"}}"#, 3).unwrap();
        #[derive(serde::Deserialize, Debug)]
        struct Strict<'a> {
            #[serde(rename = "Borrowed")]
            _borrowed: &'a str,
        }
        assert!(from_object::<Strict<'_>>(&escaped, escaped.root()[0].value()).is_err());
        assert!(serde_json::from_str::<Strict<'_>>(r#"{"Borrowed":"\/"}"#).is_err());
        // A value asked for before its key is an error, not a panic.
        let mut access = Members {
            document: &document,
            members: document.root().iter(),
            value: None,
        };
        assert!(access.next_value::<de::IgnoredAny>().is_err());
    }
}
