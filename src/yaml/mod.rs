//! YAML as Helm reads it (go-yaml v2, YAML 1.1): `yes`/`no`/`on`/`off`/`y`/`n` are booleans, numbers
//! follow Go's parsing, anchors and aliases expand, merge keys (`<<`) merge, and a repeated key keeps
//! its last value. The result is a spanned [`Node`] tree per document, plus the problems met.
//!
//! Helm converts what go-yaml reads to JSON (sigs.k8s.io/yaml), and refuses what JSON cannot hold: a
//! null key (`~:`, `null:`), a `.nan` or `.inf` value. Those are problems that stop the reading, as
//! Helm stops. A merge key is go-yaml v2's: its mappings are merged where the `<<` is written, so keys
//! written before it are overridden by it and keys written after it override it (in a list of
//! mappings, the earlier mapping wins). An alias is a copy of what its anchor holds, placed where the
//! alias is written: every key and value of the copy has the alias's span (findings point at the
//! `*name` a user wrote there), and [`Parsed::aliases`] tells where its anchor is.
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

#[derive(Clone, Debug)]
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
    /// A file that is a Go template (a Helmfile) and not YAML until rendered: `span` is the first
    /// template action, `message` says what could not be read. Reported at info level: Helmfile
    /// renders it, acp-check does not.
    Template {
        span: Span,
        message: String,
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
    /// Each alias read, as the span of its use (`*name`, the span every node of its copy has) and the
    /// span of the anchored node it copies.
    pub aliases: Vec<(Span, Span)>,
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

mod embedded;
mod simple;

pub use embedded::parse_embedded;

/// Which Helm reads a values file (a `-f` file, or one given as an input).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Helm {
    /// Helm 4 (`loader.LoadValues`): every document, merged in order.
    #[default]
    V4,
    /// Helm 3 (`yaml.Unmarshal`): the first document only.
    V3,
}

/// The documents of a values file Helm reads values from, as indices into `documents` (those parsed
/// from `text`, of source `source`): the mappings among the documents `helm` reads, in order, to be
/// merged in that order ([`crate::tree::merge::merge_documents`]). An error when Helm refuses the
/// file: a document that is not a mapping (nor empty), or (Helm 4) a `---` line with more than a
/// comment after it.
///
/// Helm 4 (`loader.LoadValues`) splits the text at lines starting with `---` (Kubernetes'
/// YAMLReader) and reads the first YAML document of each piece: a document after a `...` line with
/// no `---` line before it is not read. Helm 3 reads the first document only.
pub fn values_documents(
    text: &str,
    source: SourceId,
    documents: &[(SourceId, Node)],
    helm: Helm,
) -> Result<Vec<usize>, Problem> {
    let mut read = Vec::with_capacity(1);
    match helm {
        Helm::V3 => read.extend((!documents.is_empty()).then_some(0)),
        Helm::V4 if documents.len() == 1 => read.push(0),
        Helm::V4 => {
            let separators = separators(text, source)?;
            let mut last_piece = None;
            for (i, (_, doc)) in documents.iter().enumerate() {
                // An empty document has no place of its own to tell its piece by: it gives nothing.
                if matches!(doc.value, Value::Null) {
                    continue;
                }
                let piece = separators.partition_point(|&at| at <= doc.span.start as usize);
                if last_piece != Some(piece) {
                    read.push(i);
                    last_piece = Some(piece);
                }
            }
        }
    }
    if helm == Helm::V4 && documents.len() == 1 && text.contains("---") {
        separators(text, source)?;
    }
    read.retain(|&i| !matches!(documents[i].1.value, Value::Null));
    for &i in &read {
        let doc = &documents[i].1;
        let (what, go) = match &doc.value {
            Value::Map(_) | Value::Null => continue,
            Value::Seq(_) => ("a list", "array"),
            Value::Str(_) => ("a string", "string"),
            Value::Bool(_) => ("a boolean", "bool"),
            Value::Int(_) | Value::Float(_) => ("a number", "number"),
        };
        return Err(syntax(
            doc.span,
            format!(
                "a values file's documents must be mappings, and this one is {what}: Helm refuses the file \
                 (\"cannot unmarshal {go} into Go value of type map[string]interface {{}}\")"
            ),
        ));
    }
    Ok(read)
}

/// The offsets of the lines Kubernetes' YAMLReader splits a text at (`---` at the start of a line,
/// then only blanks or a comment); an error for a line starting with `---` and more.
fn separators(text: &str, source: SourceId) -> Result<Vec<usize>, Problem> {
    let mut found = Vec::new();
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(i) = text[from..].find("---") {
        let at = from + i;
        from = at + 3;
        if at > 0 && bytes[at - 1] != b'\n' {
            continue;
        }
        let end = text[at..].find('\n').map_or(text.len(), |e| at + e);
        let rest = text[at + 3..end].trim();
        if !rest.is_empty() && !rest.starts_with('#') {
            let span = Span::new(source, at..end);
            return Err(syntax(
                span,
                format!(
                    "Helm 4 reads a `---` line as the start of a document, and refuses one followed by more \
                     than a comment (\"invalid Yaml document separator: {rest}\"): put the document on the \
                     next line"
                ),
            ));
        }
        found.push(at);
    }
    Ok(found)
}

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
        /// The keys whose entry a merge key brought in: a key written after it overrides it without
        /// being a duplicate.
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
    /// The node being completed is an alias's copy.
    alias: bool,
    /// The scalar being completed is tagged `!!merge`.
    merge_tagged: bool,
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
            alias: false,
            merge_tagged: false,
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
                self.merge_tagged = tag == Some("merge");
                let result = self.complete(node, anchor, 1);
                self.merge_tagged = false;
                result
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
                let used = self.span(r);
                self.out.aliases.push((used, node.span));
                let mut node = node;
                respan(&mut node, used);
                self.alias = true;
                let result = self.complete(node, None, count);
                self.alias = false;
                result
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
                        map,
                        start,
                        end,
                        anchor,
                        count,
                        ..
                    } => {
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
            // Anchors are a document's own: an alias cannot name one of an earlier document.
            EventData::DocumentStart { .. } => {
                self.anchors.clear();
                Ok(())
            }
            EventData::DocumentEnd { .. } | EventData::StreamStart { .. } | EventData::StreamEnd => Ok(()),
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
        let is_key = matches!(self.stack.last(), Some(Frame::Map { key: None, .. }));
        if !is_key {
            refuse_non_finite(&node)?;
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
                            Value::Null => return Err(syntax(node.span, NULL_KEY)),
                            v => PendingKey::Key {
                                merge: (node.plain || self.merge_tagged)
                                    && matches!(v, Value::Str(s) if s == "<<"),
                                text: key_text(v),
                                span: node.span,
                            },
                        });
                    }
                    Some(PendingKey::Invalid) => {}
                    Some(PendingKey::Key { text, span, merge }) => {
                        *c += count;
                        if merge {
                            // go-yaml v2 merges an alias only if it names a mapping, and a list only
                            // of mappings (or aliases of mappings).
                            let sources: Vec<Node> = match node.value {
                                Value::Map(_) => vec![node],
                                Value::Seq(items)
                                    if !self.alias && items.iter().all(|n| n.as_map().is_some()) =>
                                {
                                    items
                                }
                                _ => return Err(syntax(node.span, MERGE_NEEDS_MAPS)),
                            };
                            // Merged where written: over the keys so far. In a list, the earlier
                            // mapping wins: go-yaml merges the list from its end.
                            for source in sources.into_iter().rev() {
                                let Value::Map(m) = source.value else { continue };
                                for entry in m.entries {
                                    merged_keys.insert(entry.key.clone());
                                    match index.find(&map.entries, &entry.key) {
                                        Some(i) => map.entries[i] = entry,
                                        None => {
                                            map.entries.push(entry);
                                            index.added(&map.entries);
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
                                _ => hide(&mut self.out, &node),
                            }
                        }
                        if let Some(old) = index.find(&map.entries, &text).map(|i| &mut map.entries[i]) {
                            // A key written after a merge key overrides what it merged: no duplicate.
                            if merged_keys.is_empty() || !merged_keys.remove(&text) {
                                self.out.problems.push(Problem::DuplicateKey {
                                    key: text.clone(),
                                    first: old.key_span,
                                    second: span,
                                });
                            }
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

/// What Helm says of a null key, in words.
const NULL_KEY: &str =
    "a null key (`~`, `null` or nothing before the `:`) has no JSON form, and Helm refuses \
     the file (\"unsupported map key of type: %!s(<nil>)\"): quote it (`\"null\":`) or remove it";

const MERGE_NEEDS_MAPS: &str = "a merge key (<<) needs a mapping, an alias of a mapping or a list of those \
     (Helm: \"map merge requires map or sequence of maps as the value\")";

/// A `.nan` or `.inf` value: JSON has no such number, and Helm refuses the file.
fn refuse_non_finite(node: &Node) -> Result<(), Problem> {
    match node.value {
        Value::Float(f) if !f.is_finite() => {
            let go = if f.is_nan() {
                "NaN"
            } else if f > 0.0 {
                "+Inf"
            } else {
                "-Inf"
            };
            Err(syntax(
                node.span,
                format!(
                    "JSON has no {go} number, and Helm refuses the file (\"json: unsupported value: {go}\"): \
                     quote the value to make it a string"
                ),
            ))
        }
        _ => Ok(()),
    }
}

/// Gives every node and key of an alias's copy the span of the alias.
fn respan(node: &mut Node, span: Span) {
    node.span = span;
    match &mut node.value {
        Value::Map(m) => {
            for e in &mut m.entries {
                e.key_span = span;
                respan(&mut e.value, span);
            }
        }
        Value::Seq(items) => items.iter_mut().for_each(|n| respan(n, span)),
        _ => {}
    }
}

/// A value that may be secret: hidden in snippets, where it is written (for an alias's copy, at the
/// anchor too).
fn hide(out: &mut Parsed, node: &Node) {
    out.hidden.push(node.span.range());
    if let Some(anchor) = anchor_of(out, node) {
        out.hidden.push(anchor);
    }
}

/// Where the anchor of an alias's copy is written (the node's span is the alias's).
fn anchor_of(out: &Parsed, node: &Node) -> Option<Range<usize>> {
    out.aliases
        .iter()
        .rev()
        .find(|(used, _)| *used == node.span)
        .map(|(_, anchor)| anchor.range())
}

/// A secret value: its written range, and its text as decoded when that differs. A reference to a
/// secret (`${REDIS_PASSWORD}`) is only hidden in snippets.
fn mark_secret(text: &str, out: &mut Parsed, node: &Node) {
    // An alias's copy: the secret is written at the anchor.
    if let Some(anchor) = anchor_of(out, node) {
        let copy = Node {
            span: Span::new(node.span.source, anchor),
            ..node.clone()
        };
        mark_secret(text, out, &copy);
    }
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
        Value::Float(f) => float_key(*f),
        Value::Str(s) => s.clone(),
        Value::Seq(_) | Value::Map(_) => String::new(),
    }
}

/// A float key as sigs.k8s.io/yaml makes it a string: Go's `strconv.FormatFloat(f, 'g', -1, 32)`
/// (the shortest text of the float32 nearest), `.inf`, `-.inf` and `.nan` for the others.
fn float_key(f: f64) -> String {
    let f = f as f32;
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf".into() } else { "-.inf".into() };
    }
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    let (nd, dp) = (digits.len() as i32, exp + 1);
    let sign = if f.is_sign_negative() { "-" } else { "" };
    if !(-4..6).contains(&exp) {
        let rest = if nd > 1 {
            format!(".{}", &digits[1..])
        } else {
            String::new()
        };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{}{rest}e{esign}{:02}", &digits[..1], exp.abs());
    }
    let body = if dp <= 0 {
        format!("0.{}{digits}", "0".repeat((-dp) as usize))
    } else if dp >= nd {
        format!("{digits}{}", "0".repeat((dp - nd) as usize))
    } else {
        format!("{}.{}", &digits[..dp as usize], &digits[dp as usize..])
    };
    format!("{sign}{body}")
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
        assert_eq!(resolve_plain(".inf"), Value::Float(f64::INFINITY));
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
        let d = doc("on: 1\n7: 2\n1.5: 3\n3.0: 4\n1e6: 5\n3.14159265358979: 6\n.inf: 7\n0.00001: 8\n");
        let keys: Vec<&str> = d.as_map().unwrap().keys().collect();
        // Floats as Go's FormatFloat(f, 'g', -1, 32) gives them (sigs.k8s.io/yaml's conversion).
        assert_eq!(
            keys,
            ["true", "7", "1.5", "3", "1e+06", "3.1415927", ".inf", "1e-05"]
        );
    }

    /// The one problem of a text Helm refuses, and its span's text.
    fn refused(text: &str) -> (String, &str) {
        let parsed = parse(SourceId(0), text);
        assert!(parsed.failed, "{text:?}");
        match &parsed.problems[..] {
            [Problem::Syntax { span, message, .. }] => (message.clone(), &text[span.range()]),
            other => panic!("{text:?}: {other:?}"),
        }
    }

    #[test]
    fn what_json_cannot_hold_helm_refuses() {
        // Helm: "error converting YAML to JSON: unsupported map key of type: %!s(<nil>)".
        for (text, at) in [("null: 1\n", "null"), ("a:\n  ~: 1\n", "~"), ("{~: 1}\n", "~")] {
            let (message, written) = refused(text);
            assert!(message.starts_with("a null key"), "{message}");
            assert_eq!(written, at, "{text:?}");
        }
        // Helm: "json: unsupported value: NaN" (and +Inf, -Inf).
        for (text, go) in [
            ("a: .nan\n", "NaN"),
            ("a: [1, .inf]\n", "+Inf"),
            ("a: !!float -.inf\n", "-Inf"),
        ] {
            let (message, _) = refused(text);
            assert!(
                message.contains(&format!("json: unsupported value: {go}")),
                "{message}"
            );
        }
        // As keys they are strings, and quoted they are strings.
        assert_eq!(
            doc(".nan: 1\n\"null\": 2\nb: \".nan\"\n").to_json(),
            serde_json::json!({".nan": 1, "null": 2, "b": ".nan"})
        );
    }

    #[test]
    fn merge_keys_merge_where_they_are_written_as_in_go_yaml_v2() {
        let json = |text: &str| doc(text).get(&["c"]).unwrap().to_json();
        let base = "b: &b {x: 1, z: 2}\nd: &d {x: 3, w: 4}\n";
        // Before the keys: they override it. After them: it overrides them (as Helm 4.2.3 reads them).
        assert_eq!(
            json(&format!("{base}c:\n  <<: *b\n  x: 9\n")),
            serde_json::json!({"x": 9, "z": 2})
        );
        assert_eq!(
            json(&format!("{base}c:\n  x: 9\n  <<: *b\n")),
            serde_json::json!({"x": 1, "z": 2})
        );
        assert_eq!(json("c: {x: 2, <<: {x: 1}}\n"), serde_json::json!({"x": 1}));
        // In a list, the earlier mapping wins; keys after the list override it.
        assert_eq!(
            json(&format!("{base}c:\n  x: 0\n  <<: [*b, *d]\n  z: 7\n")),
            serde_json::json!({"x": 1, "z": 7, "w": 4})
        );
        // A second merge key merges over the first; a merged value replaces a mapping whole.
        assert_eq!(
            json(&format!("{base}c:\n  <<: *b\n  <<: {{x: 5}}\n")),
            serde_json::json!({"x": 5, "z": 2})
        );
        assert_eq!(
            json("b: &b {x: {p: 1}}\nc:\n  x: {q: 2}\n  <<: *b\n"),
            serde_json::json!({"x": {"p": 1}})
        );
        // `!!merge <<` merges; a quoted "<<" is a key.
        assert_eq!(json("c:\n  !!merge <<: {x: 1}\n"), serde_json::json!({"x": 1}));
        assert_eq!(
            json("c:\n  \"<<\": {x: 1}\n"),
            serde_json::json!({"<<": {"x": 1}})
        );
        // A key overriding a merged one is no duplicate.
        let parsed = parse(SourceId(0), &format!("{base}c:\n  <<: *b\n  x: 9\n"));
        assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        // go-yaml v2 merges no alias of a list, and nothing but mappings.
        for text in [
            "l: &l [{x: 1}]\nc:\n  <<: *l\n",
            "c:\n  <<: ~\n",
            "a: &a 1\nc:\n  <<: *a\n",
            "c:\n  <<: [{x: 1}, 2]\n",
        ] {
            let (message, _) = refused(text);
            assert!(
                message.contains("map merge requires map or sequence of maps"),
                "{text:?}: {message}"
            );
        }
    }

    #[test]
    fn an_alias_is_a_copy_placed_where_the_alias_is_written() {
        let text = "a: &x {cluster: {nodes: 3}}\nredis-cluster: *x\n";
        let parsed = parse(SourceId(0), text);
        let d = &parsed.documents[0];
        let nodes = d.get(&["redis-cluster", "cluster", "nodes"]).unwrap();
        assert_eq!(nodes.value, Value::Int(3));
        assert_eq!(&text[nodes.span.range()], "*x");
        let entry = d.entry(&["redis-cluster", "cluster", "nodes"]).unwrap();
        assert_eq!(&text[entry.key_span.range()], "*x");
        // The anchor's own values keep their place, and the alias names it.
        assert_eq!(
            &text[d.get(&["a", "cluster", "nodes"]).unwrap().span.range()],
            "3"
        );
        match &parsed.aliases[..] {
            [(used, anchor)] => {
                assert_eq!(&text[used.range()], "*x");
                // libyaml's span of an anchored node begins at its anchor.
                assert_eq!(&text[anchor.range()], "&x {cluster: {nodes: 3}}");
            }
            other => panic!("{other:?}"),
        }
        // Merged keys come from the alias too.
        let text = "b: &b {x: 1}\nc:\n  <<: *b\n";
        let d = doc(text);
        let x = d.entry(&["c", "x"]).unwrap();
        assert_eq!(
            (&text[x.key_span.range()], &text[x.value.span.range()]),
            ("*b", "*b")
        );
    }

    #[test]
    fn a_secret_through_an_alias_is_hidden_at_its_anchor_too() {
        let text = "pw: &pw hunter2\nredis:\n  password: *pw\n";
        let parsed = parse(SourceId(0), text);
        let found: Vec<&str> = parsed.secrets.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(found, ["&pw hunter2", "*pw"]);
    }

    #[test]
    fn anchors_are_a_documents_own() {
        let parsed = parse(SourceId(0), "a: &x 1\n---\nb: *x\n");
        assert!(parsed.failed);
        assert!(
            matches!(&parsed.problems[..], [Problem::Syntax { message, .. }] if message.contains("unknown anchor"))
        );
    }

    #[test]
    fn numbers_keep_how_they_were_written() {
        // Helm reads all three as the float64 3 or 10 (and renders `replicas: 3`): the model decides.
        for (text, value) in [
            ("3", Value::Int(3)),
            ("3.0", Value::Float(3.0)),
            ("1e1", Value::Float(10.0)),
        ] {
            let d = doc(&format!("nodes: {text}\n"));
            let node = d.get(&["nodes"]).unwrap();
            assert_eq!((&node.value, node.plain), (&value, true), "{text}");
        }
        let d = doc("nodes: \"6\"\n");
        let node = d.get(&["nodes"]).unwrap();
        assert_eq!((node.as_str(), node.plain), (Some("6"), false));
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
