//! YAML as Helm reads it (go-yaml v2, YAML 1.1): `yes`/`no`/`on`/`off`/`y`/`n` are booleans, numbers
//! follow Go's parsing, anchors and aliases expand, merge keys (`<<`) merge, and a repeated key keeps
//! its last value. The result is a spanned [`Node`] tree per document, plus the problems met.
//!
//! Reading is bounded: nesting depth, alias expansion and input size all have limits, and every
//! problem carries a position.

use std::collections::HashMap;
use std::ops::Range;

use libyaml_safer::{EventData, Mark, Parser, ScalarStyle};

use crate::core::redact as secrets;
use crate::core::source::{SourceId, Span};
use crate::tree::{Entry, Map, Node, Value};

/// Deepest nesting of mappings and sequences read.
pub const MAX_DEPTH: usize = 200;
/// Most nodes that aliases may add to a file by expansion ("billion laughs" stop here).
pub const MAX_ALIAS_NODES: usize = 200_000;

#[derive(Debug)]
pub enum Problem {
    /// `context` is where the construct the parser was reading began (a mapping, a quoted string).
    Syntax {
        span: Span,
        message: String,
        context: Option<(Span, String)>,
    },
    DuplicateKey {
        key: String,
        first: Span,
        second: Span,
    },
}

#[derive(Debug, Default)]
pub struct Parsed {
    pub documents: Vec<Node>,
    pub problems: Vec<Problem>,
    /// Byte ranges of secret values found while reading: hidden in snippets, masked everywhere.
    pub secrets: Vec<Range<usize>>,
    /// Byte ranges of values that may be secret (the value of a key named `key`): hidden in
    /// snippets only.
    pub hidden: Vec<Range<usize>>,
    /// Secrets as decoded, where they differ from the text they were written as (YAML escapes).
    pub decoded: Vec<String>,
    /// A problem stopped reading: the documents are incomplete and must not be checked further.
    pub failed: bool,
}

fn syntax(span: Span, message: impl Into<String>) -> Problem {
    Problem::Syntax {
        span,
        message: message.into(),
        context: None,
    }
}

/// Checks that raw bytes are text YAML can be read from: UTF-8, no NUL bytes, no UTF-16.
/// On failure gives the byte offset and a message.
pub fn decode(bytes: Vec<u8>) -> Result<String, (usize, String, String)> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let shown = String::from_utf8_lossy(&bytes).into_owned();
        return Err((
            0,
            "the file is UTF-16 encoded; Helm reads values files as UTF-8: convert it".into(),
            shown,
        ));
    }
    // The first problem in the file is the one reported: a bad byte before a NUL byte comes first.
    let mut prefix = bytes;
    let tail = prefix
        .iter()
        .position(|&b| b == 0)
        .map(|nul| prefix.split_off(nul));
    match (String::from_utf8(prefix), tail) {
        (Ok(text), None) => Ok(text),
        (Ok(text), Some(_)) => Err((
            text.len(),
            "binary data (a NUL byte): this is not a YAML text file".into(),
            text,
        )),
        (Err(e), tail) => {
            let at = e.utf8_error().valid_up_to();
            let mut bytes = e.into_bytes();
            bytes.extend(tail.unwrap_or_default());
            let message = format!(
                "byte 0x{:02X} is not valid UTF-8; Helm reads values files as UTF-8",
                bytes[at]
            );
            Err((at, message, String::from_utf8_lossy(&bytes).into_owned()))
        }
    }
}

mod simple;

/// Reads every document of a YAML text.
pub fn parse(source: SourceId, text: &str) -> Parsed {
    parse_simple(source, text).unwrap_or_else(|| parse_with_libyaml(source, text))
}

/// What [`parse`] gives when the fast reader of the YAML values files are written in reads the
/// text; `None` when it leaves the text to libyaml. Public for the tests and the fuzz target that
/// check both readers agree.
#[doc(hidden)]
pub fn parse_simple(source: SourceId, text: &str) -> Option<Parsed> {
    let mut builder = Builder::new(source, text);
    simple::read(text, &mut builder).ok()?;
    Some(builder.out)
}

/// Reads every document with libyaml alone.
#[doc(hidden)]
pub fn parse_with_libyaml(source: SourceId, text: &str) -> Parsed {
    match read(source, text, false) {
        Ok(parsed) => parsed,
        Err(at) => {
            // libyaml-safer panics at the end of the input where C libyaml (and go-yaml, its Go port)
            // reads the NUL that ends its buffer: above all after a block scalar (`|`, `>`) whose last
            // line has no line break. Read again with a line break added: it changes nothing but the
            // value of that last block scalar, which gets its line break taken off again.
            if !text.ends_with(['\n', '\r']) {
                if let Ok(parsed) = read(source, text, true) {
                    return parsed;
                }
            }
            Parsed {
                problems: vec![syntax(
                    Span::new(source, at..at),
                    "the YAML reader of acp-check failed after this point (a bug in its YAML library: please report it)",
                )],
                failed: true,
                ..Parsed::default()
            }
        }
    }
}

thread_local! {
    static IN_LIBYAML: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// True while the YAML library runs on this thread. A panic then is the library's: [`parse`] catches it
/// and reports it as a finding, so a panic hook should stay quiet.
pub fn in_yaml_library() -> bool {
    IN_LIBYAML.with(std::cell::Cell::get)
}

/// Reads the documents; `padded` gives the parser the text with a line break added at the end. On a
/// panic of the YAML library, gives the offset of the last event read.
fn read(source: SourceId, text: &str, padded: bool) -> Result<Parsed, usize> {
    let mut builder = Builder::new(source, text);
    // libyaml skips a byte order mark and counts offsets after it.
    let base = if text.starts_with('\u{FEFF}') { 3 } else { 0 };
    let with_break = if padded {
        format!("{text}\n")
    } else {
        String::new()
    };
    let mut input = if padded {
        with_break.as_bytes()
    } else {
        text.as_bytes()
    };
    let mut parser = Parser::new();
    parser.set_input_string(&mut input);
    let mut last = 0;
    loop {
        IN_LIBYAML.with(|f| f.set(true));
        let next = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parser.parse()));
        IN_LIBYAML.with(|f| f.set(false));
        let Ok(next) = next else { return Err(last) };
        match next {
            Ok(mut event) => {
                if matches!(event.data, EventData::StreamEnd) {
                    break;
                }
                if let EventData::Scalar {
                    value,
                    style: ScalarStyle::Literal | ScalarStyle::Folded,
                    ..
                } = &mut event.data
                {
                    // The block scalar that read the added line break.
                    if padded && event.end_mark.index as usize + base > text.len() && value.ends_with('\n') {
                        value.pop();
                    }
                }
                let range = offset(event.start_mark, base, text)..offset(event.end_mark, base, text);
                last = range.end;
                if let Err(problem) = builder.event(event.data, range) {
                    builder.out.problems.push(problem);
                    builder.out.failed = true;
                    break;
                }
            }
            Err(e) if e.problem_mark().is_none() && forbidden_char(text).is_some() => {
                // The reader checks characters ahead of the parser and names no place: name it.
                let (at, c) = forbidden_char(text).unwrap_or_default();
                builder.out.problems.push(syntax(
                    Span::new(source, at..at + c.len_utf8()),
                    format!(
                        "Control character U+{:04X} is not allowed in YAML: remove it, or write it as \\u{:04X} in a double-quoted string",
                        c as u32, c as u32
                    ),
                ));
                builder.out.failed = true;
                break;
            }
            Err(e) => {
                let at = e.problem_mark().map_or(text.len(), |m| offset(m, base, text));
                let context = e.context().zip(e.context_mark()).map(|(what, mark)| {
                    let c = offset(mark, base, text);
                    (Span::new(source, c..c), what.to_string())
                });
                builder.out.problems.push(Problem::Syntax {
                    span: Span::new(source, at..at),
                    message: e.problem().to_string(),
                    context,
                });
                builder.out.failed = true;
                break;
            }
        }
    }
    Ok(builder.out)
}

/// The first character YAML 1.1 does not allow in a stream (C0 and C1 controls but tab, line feed,
/// carriage return and next line; U+FFFE and U+FFFF), with its byte offset.
fn forbidden_char(text: &str) -> Option<(usize, char)> {
    text.char_indices().find(|&(_, c)| !yaml_allows(c))
}

/// The characters YAML 1.1 allows in a stream (libyaml checks each it reads).
fn yaml_allows(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{7E}' | '\u{85}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// A parser mark as a byte offset into the text.
fn offset(mark: Mark, base: usize, text: &str) -> usize {
    let mut at = (mark.index as usize + base).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

enum Frame {
    Seq {
        items: Vec<Node>,
        start: usize,
        end: usize,
        anchor: Option<String>,
        count: usize,
    },
    Map {
        map: Map,
        index: crate::tree::KeyIndex,
        /// Entries brought in by merge keys; explicit keys win over them.
        merged: Vec<Entry>,
        /// The keys of `merged`.
        merged_keys: std::collections::HashSet<String>,
        key: Option<PendingKey>,
        start: usize,
        end: usize,
        anchor: Option<String>,
        count: usize,
    },
}

enum PendingKey {
    Key {
        text: String,
        span: Span,
        merge: bool,
    },
    /// A key that is not a scalar: its value is read and dropped.
    Invalid,
}

struct Builder<'a> {
    source: SourceId,
    text: &'a str,
    stack: Vec<Frame>,
    anchors: HashMap<String, (Node, usize)>,
    alias_nodes: usize,
    out: Parsed,
}

impl<'a> Builder<'a> {
    fn new(source: SourceId, text: &'a str) -> Builder<'a> {
        Builder {
            source,
            text,
            stack: Vec::new(),
            anchors: HashMap::new(),
            alias_nodes: 0,
            out: Parsed::default(),
        }
    }

    fn span(&self, r: Range<usize>) -> Span {
        Span::new(self.source, r)
    }

    fn event(&mut self, event: EventData, r: Range<usize>) -> Result<(), Problem> {
        match event {
            EventData::Scalar {
                value,
                style,
                anchor,
                tag,
                ..
            } => {
                let tag = tag.as_deref().and_then(|t| t.strip_prefix("tag:yaml.org,2002:"));
                let node = self.scalar(&value, style, tag, r)?;
                self.complete(node, anchor, 1)
            }
            EventData::Alias { anchor } => {
                let Some((node, count)) = self.anchors.get(&anchor).cloned() else {
                    return Err(Problem::Syntax {
                        span: self.span(r),
                        message: "alias to an unknown anchor".into(),
                        context: None,
                    });
                };
                self.alias_nodes += count;
                if self.alias_nodes > MAX_ALIAS_NODES {
                    return Err(syntax(self.span(r), format!(
                            "excessive aliasing: expanding the aliases would create more than {MAX_ALIAS_NODES} values (a \"billion laughs\" document?)"
                        )));
                }
                self.complete(node, None, count)
            }
            EventData::SequenceStart { anchor, .. } => self.push(
                Frame::Seq {
                    items: Vec::new(),
                    start: r.start,
                    end: r.end,
                    anchor,
                    count: 1,
                },
                r,
            ),
            EventData::MappingStart { anchor, .. } => self.push(
                Frame::Map {
                    map: Map::default(),
                    index: crate::tree::KeyIndex::default(),
                    merged: Vec::new(),
                    merged_keys: Default::default(),
                    key: None,
                    start: r.start,
                    end: r.end,
                    anchor,
                    count: 1,
                },
                r,
            ),
            EventData::SequenceEnd | EventData::MappingEnd => {
                let frame = self.stack.pop().expect("end event without a start");
                let (node, anchor, count) = match frame {
                    Frame::Seq {
                        items,
                        start,
                        end,
                        anchor,
                        count,
                    } => {
                        self.flag_arguments(&items);
                        let end = if r.end > r.start { r.end } else { end };
                        (
                            Node::new(Value::Seq(items), self.span(start..end.max(start))),
                            anchor,
                            count,
                        )
                    }
                    Frame::Map {
                        mut map,
                        index,
                        merged,
                        start,
                        end,
                        anchor,
                        count,
                        ..
                    } => {
                        let explicit = map.entries.len();
                        for entry in merged {
                            if index.find(&map.entries[..explicit], &entry.key).is_none() {
                                map.entries.push(entry);
                            }
                        }
                        self.env_value(&map);
                        let end = if r.end > r.start { r.end } else { end };
                        (
                            Node::new(Value::Map(map), self.span(start..end.max(start))),
                            anchor,
                            count,
                        )
                    }
                };
                self.complete(node, anchor, count)
            }
            EventData::DocumentStart { .. }
            | EventData::DocumentEnd { .. }
            | EventData::StreamStart { .. }
            | EventData::StreamEnd => Ok(()),
        }
    }

    fn push(&mut self, frame: Frame, r: Range<usize>) -> Result<(), Problem> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(Problem::Syntax {
                span: self.span(r),
                message: format!("nesting deeper than {MAX_DEPTH} levels"),
                context: None,
            });
        }
        self.stack.push(frame);
        Ok(())
    }

    fn scalar(
        &mut self,
        value: &str,
        style: ScalarStyle,
        tag: Option<&str>,
        r: Range<usize>,
    ) -> Result<Node, Problem> {
        let span = self.span(r.clone());
        let plain = style == ScalarStyle::Plain;
        let resolved = match tag {
            Some("str") | Some("binary") => Value::Str(value.to_string()),
            Some("null") => Value::Null,
            Some("bool") => match resolve_plain(value) {
                v @ Value::Bool(_) => v,
                _ => return Err(self.bad_tag(span, "!!bool", value)),
            },
            Some("int") => match resolve_plain(value) {
                v @ Value::Int(_) => v,
                _ => return Err(self.bad_tag(span, "!!int", value)),
            },
            Some("float") => match resolve_plain(value) {
                Value::Int(i) => Value::Float(i as f64),
                v @ Value::Float(_) => v,
                _ => return Err(self.bad_tag(span, "!!float", value)),
            },
            _ if plain => resolve_plain(value),
            _ => Value::Str(value.to_string()),
        };
        if let Value::Str(s) = &resolved {
            if secrets::is_sops_ciphertext(s) {
                self.out.secrets.push(r.clone());
            } else if let Some(written) = self.text.get(r.clone()) {
                for secret in secrets::secrets_in_text(written) {
                    self.out
                        .secrets
                        .push(r.start + secret.start..r.start + secret.end);
                }
                // A value written with escapes holds its secrets decoded too.
                if !style_is_plain_or_block(style) && !written.contains(s.as_str()) {
                    for secret in secrets::secrets_in_text(s) {
                        self.out.decoded.push(s[secret].to_string());
                    }
                }
            }
        }
        Ok(Node {
            value: resolved,
            span,
            plain: plain && tag.is_none(),
        })
    }

    fn bad_tag(&self, span: Span, tag: &str, _value: &str) -> Problem {
        syntax(span, format!("the value cannot be read as {tag}"))
    }

    /// Attaches a finished node to its parent, or makes it a document.
    fn complete(&mut self, node: Node, anchor: Option<String>, count: usize) -> Result<(), Problem> {
        if let Some(anchor) = anchor {
            self.anchors.insert(anchor, (node.clone(), count));
        }
        let Some(parent) = self.stack.last_mut() else {
            self.out.documents.push(node);
            return Ok(());
        };
        match parent {
            Frame::Seq {
                items, end, count: c, ..
            } => {
                *end = (*end).max(node.span.end as usize);
                *c += count;
                items.push(node);
            }
            Frame::Map {
                map,
                index,
                merged,
                merged_keys,
                key,
                end,
                count: c,
                ..
            } => {
                *end = (*end).max(node.span.end as usize);
                match key.take() {
                    None => {
                        *key = Some(match &node.value {
                            Value::Map(_) | Value::Seq(_) => {
                                self.out.problems.push(syntax(
                                    node.span,
                                    "a mapping key must be a plain value, not a mapping or list",
                                ));
                                PendingKey::Invalid
                            }
                            v => PendingKey::Key {
                                merge: node.plain && matches!(v, Value::Str(s) if s == "<<"),
                                text: key_text(v),
                                span: node.span,
                            },
                        });
                    }
                    Some(PendingKey::Invalid) => {}
                    Some(PendingKey::Key { text, span, merge }) => {
                        *c += count;
                        if merge {
                            let sources: Vec<Node> = match node.value {
                                Value::Map(_) => vec![node],
                                Value::Seq(items) if items.iter().all(|n| n.as_map().is_some()) => items,
                                _ => {
                                    return Err(syntax(
                                        node.span,
                                        "a merge key (<<) needs a mapping or a list of mappings",
                                    ))
                                }
                            };
                            for source in sources {
                                if let Value::Map(m) = source.value {
                                    for entry in m.entries {
                                        // Earlier merged mappings win over later ones.
                                        if merged_keys.insert(entry.key.clone()) {
                                            merged.push(entry);
                                        }
                                    }
                                }
                            }
                            return Ok(());
                        }
                        let scalar = !matches!(
                            node.value,
                            Value::Null | Value::Bool(_) | Value::Map(_) | Value::Seq(_)
                        );
                        if scalar && secrets::is_secret_key(&text) {
                            mark_secret(self.text, &mut self.out, &node);
                        } else if scalar && secrets::is_key_material_key(&text) {
                            match &node.value {
                                Value::Str(s) if secrets::looks_like_key_material(s) => {
                                    mark_secret(self.text, &mut self.out, &node)
                                }
                                _ => self.out.hidden.push(node.span.range()),
                            }
                        }
                        if let Some(old) = index.find(&map.entries, &text).map(|i| &mut map.entries[i]) {
                            self.out.problems.push(Problem::DuplicateKey {
                                key: text.clone(),
                                first: old.key_span,
                                second: span,
                            });
                            *old = Entry {
                                key: text,
                                key_span: span,
                                value: node,
                            };
                        } else {
                            map.entries.push(Entry {
                                key: text,
                                key_span: span,
                                value: node,
                            });
                            index.added(&map.entries);
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// A secret value: its written range, and its text as decoded when that differs. A reference to a
/// secret (`${REDIS_PASSWORD}`) is only hidden in snippets.
fn mark_secret(text: &str, out: &mut Parsed, node: &Node) {
    let range = node.span.range();
    if let Value::Str(s) = &node.value {
        if secrets::is_placeholder(s) {
            out.hidden.push(range);
            return;
        }
        if text.get(range.clone()).is_none_or(|w| !w.contains(s.as_str())) {
            out.decoded.push(s.clone());
        }
    }
    out.secrets.push(range);
}

impl Builder<'_> {
    /// The `value` of a Kubernetes env entry whose `name` looks secret (`- name: REDIS_PASSWORD`).
    fn env_value(&mut self, map: &Map) {
        if map.entries.len() > 4 {
            return;
        }
        let named_secret = map
            .get("name")
            .and_then(Node::as_str)
            .is_some_and(secrets::is_secret_key);
        if let Some(value) = map.get("value").filter(|v| named_secret && v.as_map().is_none()) {
            mark_secret(self.text, &mut self.out, value);
        }
    }

    /// The item after a password flag in a list (`args: ["--requirepass", "pw"]`).
    fn flag_arguments(&mut self, items: &[Node]) {
        const FLAGS: [&str; 5] = ["--requirepass", "--masterauth", "--pass", "--password", "-a"];
        for pair in items.windows(2) {
            if pair[0].as_str().is_some_and(|f| FLAGS.contains(&f)) && pair[1].as_map().is_none() {
                mark_secret(self.text, &mut self.out, &pair[1]);
            }
        }
    }
}

/// Whether a scalar's text is its value as written (plain or block), so that no escape can hide a
/// secret's text.
fn style_is_plain_or_block(style: ScalarStyle) -> bool {
    matches!(
        style,
        ScalarStyle::Plain | ScalarStyle::Literal | ScalarStyle::Folded
    )
}

/// How a non-string key becomes a string key when Helm converts YAML to JSON.
fn key_text(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => crate::tree::go_float(*f),
        Value::Str(s) => s.clone(),
        Value::Seq(_) | Value::Map(_) => String::new(),
    }
}

/// The YAML 1.1 words go-yaml v2 reads as booleans.
pub const YAML11_TRUE: [&str; 11] = [
    "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
];
pub const YAML11_FALSE: [&str; 11] = [
    "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
];

/// True for the boolean words YAML 1.1 has and JSON and YAML 1.2 do not (`yes`, `off`, `y`, …).
pub fn is_yaml11_only_bool(s: &str) -> bool {
    (YAML11_TRUE.contains(&s) || YAML11_FALSE.contains(&s))
        && !s.eq_ignore_ascii_case("true")
        && !s.eq_ignore_ascii_case("false")
}

/// Types a plain scalar as go-yaml v2 does.
pub fn resolve_plain(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        _ => {}
    }
    if YAML11_TRUE.contains(&s) {
        return Value::Bool(true);
    }
    if YAML11_FALSE.contains(&s) {
        return Value::Bool(false);
    }
    match s {
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Value::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    let first = s.as_bytes()[0];
    if !(first.is_ascii_digit() || first == b'-' || first == b'+' || first == b'.') {
        return Value::Str(s.to_string());
    }
    let cleaned = s.replace('_', "");
    if let Some(i) = parse_go_int(&cleaned) {
        return Value::Int(i);
    }
    if is_yaml_float(&cleaned) {
        if let Ok(f) = cleaned.parse::<f64>() {
            return Value::Float(f);
        }
    }
    Value::Str(s.to_string())
}

/// Go's `strconv.ParseInt(s, 0, 64)`: sign, then `0x`, `0o`, `0b` or a leading `0` (octal) prefix.
fn parse_go_int(s: &str) -> Option<i64> {
    let (neg, digits) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, body) = if let Some(b) = digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
        (16, b)
    } else if let Some(b) = digits.strip_prefix("0o").or_else(|| digits.strip_prefix("0O")) {
        (8, b)
    } else if let Some(b) = digits.strip_prefix("0b").or_else(|| digits.strip_prefix("0B")) {
        (2, b)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, &digits[1..])
    } else {
        (10, digits)
    };
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = i128::from_str_radix(body, radix).ok()?;
    i64::try_from(if neg { -magnitude } else { magnitude }).ok()
}

/// go-yaml v2's float pattern: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Node {
        let parsed = parse(SourceId(0), text);
        assert!(!parsed.failed, "{:?}", parsed.problems);
        parsed.documents.into_iter().next().expect("a document")
    }

    fn value(text: &str) -> Value {
        doc(&format!("v: {text}\n")).get(&["v"]).unwrap().value.clone()
    }

    #[test]
    fn plain_scalars_are_typed_as_go_yaml_v2_types_them() {
        for word in [
            "yes", "Yes", "YES", "on", "On", "ON", "y", "Y", "true", "True", "TRUE",
        ] {
            assert_eq!(value(word), Value::Bool(true), "{word}");
        }
        for word in [
            "no", "No", "NO", "off", "Off", "OFF", "n", "N", "false", "False", "FALSE",
        ] {
            assert_eq!(value(word), Value::Bool(false), "{word}");
        }
        for word in ["~", "null", "Null", "NULL", ""] {
            assert_eq!(value(word), Value::Null, "{word:?}");
        }
        assert_eq!(value("6379"), Value::Int(6379));
        assert_eq!(value("-1"), Value::Int(-1));
        assert_eq!(value("0x1F"), Value::Int(31));
        assert_eq!(value("0o17"), Value::Int(15));
        assert_eq!(value("017"), Value::Int(15), "a leading 0 is octal in YAML 1.1");
        assert_eq!(value("1_000"), Value::Int(1000));
        assert_eq!(value("6.20"), Value::Float(6.2));
        assert_eq!(value("1e3"), Value::Float(1000.0));
        assert_eq!(value(".5"), Value::Float(0.5));
        assert_eq!(value("09"), Value::Float(9.0), "not octal, so a float");
        assert_eq!(value(".inf"), Value::Float(f64::INFINITY));
        for text in [
            "6.2.14",
            "1.2.3-debian-11-r4",
            "yess",
            "0x",
            "1:20",
            "2001-12-14",
            "6379/tcp",
        ] {
            assert_eq!(value(text), Value::Str(text.into()), "{text}");
        }
        // Quoted values are always strings; tags force a type.
        assert_eq!(value("\"yes\""), Value::Str("yes".into()));
        assert_eq!(value("'6.20'"), Value::Str("6.20".into()));
        assert_eq!(value("!!str 6.20"), Value::Str("6.20".into()));
        assert_eq!(value("!!int \"7\""), Value::Int(7));
    }

    #[test]
    fn only_plain_untagged_scalars_are_marked_plain() {
        let d = doc("a: yes\nb: \"yes\"\nc: !!bool yes\n");
        assert!(d.get(&["a"]).unwrap().plain);
        assert!(!d.get(&["b"]).unwrap().plain);
        assert!(!d.get(&["c"]).unwrap().plain);
    }

    #[test]
    fn keys_become_strings_as_in_helm() {
        let d = doc("on: 1\n7: 2\nnull: 3\n");
        let keys: Vec<&str> = d.as_map().unwrap().keys().collect();
        assert_eq!(keys, ["true", "7", "null"]);
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let d = doc(
            "base: &base {nodes: 6, replicas: 1}\nlist: &l [a, b]\nc1:\n  <<: *base\n  nodes: 9\nc2:\n  nodes: 3\n  <<: [*base, {extra: x, replicas: 5}]\nl2: *l\n",
        );
        // Explicit keys win over merged ones, wherever they stand.
        assert_eq!(d.get(&["c1", "nodes"]).unwrap().value, Value::Int(9));
        assert_eq!(d.get(&["c1", "replicas"]).unwrap().value, Value::Int(1));
        assert_eq!(d.get(&["c2", "nodes"]).unwrap().value, Value::Int(3));
        // Earlier mappings in a merge list win over later ones.
        assert_eq!(d.get(&["c2", "replicas"]).unwrap().value, Value::Int(1));
        assert_eq!(d.get(&["c2", "extra"]).unwrap().as_str(), Some("x"));
        assert_eq!(d.get(&["l2"]).unwrap().as_seq().unwrap().len(), 2);
        // An alias keeps the span of what it refers to: findings point at the anchor's value.
        assert_eq!(
            d.get(&["c1", "replicas"]).unwrap().span,
            d.get(&["base", "replicas"]).unwrap().span
        );
    }

    #[test]
    fn duplicate_keys_keep_the_last_and_are_reported_with_both_spans() {
        let text = "a: 1\nb: 2\na: 3\n";
        let parsed = parse(SourceId(0), text);
        assert_eq!(parsed.documents[0].get(&["a"]).unwrap().value, Value::Int(3));
        match &parsed.problems[..] {
            [Problem::DuplicateKey { key, first, second }] => {
                assert_eq!(key, "a");
                assert_eq!(first.range(), 0..1);
                assert_eq!(second.range(), 10..11);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn spans_are_byte_ranges_of_what_was_written() {
        let text = "é: \"quoted\"\nk: plain value # comment\nl:\n  - x\n";
        let d = doc(text);
        let span = |path: &[&str]| &text[d.get(path).unwrap().span.range()];
        assert_eq!(span(&["é"]), "\"quoted\"");
        assert_eq!(span(&["k"]), "plain value");
        assert_eq!(
            &text[d.as_map().unwrap().entry("é").unwrap().key_span.range()],
            "é"
        );
    }

    #[test]
    fn secrets_are_found_while_reading() {
        let text = "password: hunter2\nexistingSecret: name\nconf: |\n  requirepass s3cret\nenc: ENC[AES256_GCM,data:x,type:str]\n";
        let parsed = parse(SourceId(0), text);
        let found: Vec<&str> = parsed.secrets.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(found, ["hunter2", "s3cret", "ENC[AES256_GCM,data:x,type:str]"]);
    }

    #[test]
    fn several_documents_and_limits() {
        let parsed = parse(SourceId(0), "a: 1\n---\nb: 2\n---\n");
        assert_eq!(parsed.documents.len(), 3);
        let deep = format!("{}1{}", "[".repeat(MAX_DEPTH + 5), "]".repeat(MAX_DEPTH + 5));
        let parsed = parse(SourceId(0), &deep);
        assert!(parsed.failed);
        assert!(
            matches!(&parsed.problems[0], Problem::Syntax { span, .. } if span.start as usize == MAX_DEPTH)
        );
    }

    #[test]
    fn a_block_scalar_ending_the_file_without_a_line_break_reads_as_go_yaml_reads_it() {
        // Found by fuzzing: libyaml-safer panicked on these (a last line without a line break).
        for (text, expected) in [
            ("a: |\n  x", "x"),
            ("a: |+\n  x", "x"),
            ("a: |-\n  x", "x"),
            ("a: >\n  x\n  y", "x y"),
            ("a: |\n  x\n  y", "x\ny"),
            ("l:\n- |\n  x", "x"),
            ("\u{FEFF}a: |\n  x", "x"),
            ("a: |\n  x\n", "x\n"),
            ("a: |+\n  x\n\n", "x\n\n"),
        ] {
            let d = doc(text);
            let node = d
                .get(&["a"])
                .or_else(|| d.get(&["l"]).and_then(|l| l.as_seq()?.first()));
            assert_eq!(node.and_then(Node::as_str), Some(expected), "{text:?}");
            assert_eq!(
                &text[node.unwrap().span.range()].chars().next(),
                &Some(if text.contains('>') { '>' } else { '|' })
            );
        }
    }

    #[test]
    fn a_panic_of_the_yaml_library_is_a_located_problem() {
        // Found by fuzzing: libyaml-safer panics ("TODO: What is expected here?") on a tag that ends a
        // flow sequence. The panic is caught; the file gets a finding instead of a crash.
        let parsed = parse(SourceId(0), "[!,");
        assert!(parsed.failed);
        match &parsed.problems[..] {
            [Problem::Syntax { span, message, .. }] => {
                assert_eq!(span.range(), 0..0);
                assert!(message.contains("YAML reader of acp-check failed"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert!(!in_yaml_library());
    }

    #[test]
    fn decode_rejects_what_is_not_utf8_text() {
        assert_eq!(decode(b"a: 1\n".to_vec()).unwrap(), "a: 1\n");
        assert_eq!(decode(b"a: \x00".to_vec()).unwrap_err().0, 3);
        assert_eq!(decode(b"a: \xff".to_vec()).unwrap_err().0, 3);
        assert_eq!(decode(b"\xff\xfea\x00".to_vec()).unwrap_err().0, 0);
        // Found by fuzzing: a bad byte before a NUL byte is the first problem, and the one located
        // (the NUL's offset would fall inside the replacement character shown for the bad byte).
        let (at, message, shown) = decode(b"a: \x9f\x01\x00".to_vec()).unwrap_err();
        assert_eq!(
            (at, message.as_str()),
            (
                3,
                "byte 0x9F is not valid UTF-8; Helm reads values files as UTF-8"
            )
        );
        assert_eq!(&shown[..at], "a: ");
        let (at, message, shown) = decode(b"a: \x01\x00\xff".to_vec()).unwrap_err();
        assert_eq!(
            (at, message.as_str(), shown.as_str()),
            (
                4,
                "binary data (a NUL byte): this is not a YAML text file",
                "a: \x01"
            )
        );
    }
}
