//! `--set`, `--set-string`, `--set-file`, `--set-json` and `--set-literal` arguments, parsed exactly as
//! Helm 4's `pkg/strvals` parses them (`ParseInto`, `ParseIntoString`, `ParseIntoFile`, `ParseJSON` in
//! `parser.go`, `ParseLiteralInto` in `literal_parser.go`), onto the values already merged from the `-f`
//! files and the flags before.
//!
//! The code follows Helm's recursive descent (`key` ⇄ `listItem`) step by step, because Helm's behaviour
//! on odd input comes from its control flow rather than from a grammar. Some of it is surprising, and kept:
//!
//! * `a=null` sets `a` to null (the key stays); `a=` sets the empty string.
//! * `a={}` is a list holding one empty string, `[""]`; `a={x,}` is `["x", ""]`.
//! * A path through an existing value of the wrong type is an error, as in Helm (`unable to parse key:
//!   interface conversion: …`), including through null: `a=null,a.b=1` fails. Only a list item reached
//!   by `a[0].b` is replaced by a map when it is not one, and a null item reached by `a[0][1]` by a list.
//! * Some unfinished input is silently accepted, because Helm's parser stops at its end-of-input error
//!   and treats it as success: `a.`, `a[0`, `a[0]` (which does create `a: []`), `a[0].b=` (which leaves
//!   `a: []` without the item). An empty key (`=1`, `[0]=1`, `.b=1`) sets nothing.
//! * Indexes above 65536 and negative ones are errors; shorter lists are padded with null.
//! * Only dotted names count towards Helm's nesting limit of 30; lists do not.
//! * Typing is case-insensitive Unicode folding (`NULL`, `True`, even `falſe`); `-007` and `+5` are ints.
//! * `--set-json` takes each value as one JSON document, read as Go's `json.Decoder` reads it: what
//!   follows the document (after spaces, and a comma if there is one) is the next pair, so `a=1 b=2`
//!   sets both, and at the top a number or word ends where its characters do (`a=01` is `0`, then the
//!   key `1`). An empty value (`a=`, `a=,b=1`) is null. (A whole object, `--set-json '{…}'`, is no
//!   pair: `layers` merges it.)
//! * `--set-literal` takes everything after the first `=` as the string value, commas and backslashes
//!   included; its keys know no escapes and no commas (`a,b=1` sets the key `a,b`).
//!
//! Error messages are Helm's, but for `unexpected data at end of array index`, which shows the data as a
//! quoted string rather than Go's `[',' 'b']`.
//!
//! Limits of our own, so that no input can exhaust memory or the stack: a path may not descend more
//! than [`MAX_PATH_DEPTH`] levels, and the `--set*` flags of one command line may not pad lists with
//! more than [`MAX_PADDING`] nulls in all (a [`Padding`] budget they share: 1,500 flags of
//! `kN[65536]=1` would otherwise make 3 GB of nulls). Neither is reachable by sensible flags.

mod json;

use std::ops::Range;

use crate::core::redact::is_secret_key;
use crate::core::source::{SourceId, Span};
use crate::tree::{Entry, Map, Node, Value};

/// Helm's `strvals.MaxIndex`: the highest list index a flag may set.
pub const MAX_INDEX: i64 = 65536;
/// Helm's `strvals.MaxNestedNameLevel`: how many dots a flag's names may be nested.
pub const MAX_NESTED_NAME_LEVEL: usize = 30;
/// Our own bound on the segments (`.name` or `[i]`) of one path; Helm has none for lists.
pub const MAX_PATH_DEPTH: usize = 200;
/// Our own bound on the nulls the flags of one command line may pad lists with, all together (Helm
/// allows 65536 per index, and any number of flags).
pub const MAX_PADDING: usize = 1 << 20;

/// The nulls padded into lists so far by the flags of one command line: one budget for them all.
#[derive(Debug, Default)]
pub struct Padding {
    used: usize,
}

/// Which flag the argument came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetKind {
    /// `--set`: values are typed (`true`, `null`, `0`, `42`…).
    Typed,
    /// `--set-string`: every value is a string.
    String,
    /// `--set-file`: every value is a path, replaced by the content of that file.
    File,
    /// `--set-json`: every value is a JSON document.
    Json,
    /// `--set-literal`: one pair, whose value is the rest of the argument, as written.
    Literal,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetError {
    /// Byte range in the argument of the part at fault.
    pub span: Range<usize>,
    /// Helm's message where Helm has one.
    pub message: String,
    /// Byte ranges of secret values in the argument, to mask it when showing the error: those parsed
    /// before the error, and those a plain scan of the rest finds.
    pub secrets: Vec<Range<usize>>,
}

impl SetError {
    fn new(span: Range<usize>, message: impl Into<String>) -> SetError {
        SetError {
            span,
            message: message.into(),
            secrets: Vec::new(),
        }
    }
}

impl std::fmt::Display for SetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SetError {}

/// Applies one flag argument (e.g. "image.tag=6.2.14,cluster.nodes=6") onto `base`.
///
/// Returns the byte ranges (in `text`) of values that are secrets (their key, or the key of the list
/// they are an item of, is a secret key), so that reports can mask them. For `--set-file` the argument
/// holds paths, not secrets, and nothing is returned.
///
/// On error `base` may have been partly changed, as Helm's map is; Helm then gives up, and so should the
/// caller.
pub fn apply(
    text: &str,
    source: SourceId,
    kind: SetKind,
    base: &mut Map,
    read_file: &mut dyn FnMut(&str) -> Result<String, String>,
    padding: &mut Padding,
) -> Result<Vec<Range<usize>>, SetError> {
    if u32::try_from(text.len()).is_err() {
        return Err(SetError::new(0..0, "argument is too long"));
    }
    let mut parser = Parser {
        text,
        pos: 0,
        source,
        kind,
        read_file,
        secrets: Vec::new(),
        padding,
    };
    loop {
        match parser.key(base, 0, 0) {
            Ok(()) => {}
            Err(Stop::Eof) => return Ok(parser.secrets),
            Err(Stop::Fail(mut e)) => {
                if kind != SetKind::File {
                    e.secrets = parser.secrets;
                    e.secrets.extend(scan_secrets(text));
                }
                return Err(e);
            }
        }
    }
}

/// Whether a `--set-json` argument is a whole JSON object (`{"a": {"b": 1}}`), which Helm 4 merges onto
/// the values rather than parse as pairs.
pub fn is_json_object(text: &str) -> bool {
    text.trim().starts_with('{')
}

/// A `--set-json` argument that is a whole JSON object, merged onto `base` as Helm 4 merges it
/// (`json.Unmarshal` of the trimmed text, then `loader.MergeMaps`). Gives the secret values' ranges,
/// as [`apply`] does.
pub fn apply_json_object(
    text: &str,
    source: SourceId,
    base: &mut Map,
) -> Result<Vec<Range<usize>>, SetError> {
    if u32::try_from(text.len()).is_err() {
        return Err(SetError::new(0..0, "argument is too long"));
    }
    let start = text.len() - text.trim_start().len();
    let end = text.trim_end().len();
    let mut reader = json::Reader::new(&text[..end], start, source);
    let node = reader.whole().map_err(|(span, message)| SetError {
        secrets: scan_secrets(text),
        ..SetError::new(span, message)
    })?;
    let mut padding = Padding::default();
    let mut none = |_: &str| -> Result<String, String> { Err(String::new()) };
    let mut parser = Parser {
        text,
        pos: 0,
        source,
        kind: SetKind::Json,
        read_file: &mut none,
        secrets: Vec::new(),
        padding: &mut padding,
    };
    parser.note_json_secrets(&node);
    let Value::Map(map) = node.value else {
        return Err(SetError::new(start..end, "not a JSON object"));
    };
    crate::tree::merge::merge(base, map);
    Ok(parser.secrets)
}

/// Secret values found by a plain scan of the argument, without Helm's parser: `KEY=VALUE` pairs split
/// at unescaped commas (a value starting with `{` runs to its `}`), where the last name of `KEY` is a
/// secret key. Used to mask an argument that failed to parse, where the parser did not reach every value.
fn scan_secrets(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut name = String::new();
    while chars.peek().is_some() {
        name.clear();
        let mut in_index = false;
        let mut equals = None;
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    if let Some((_, next)) = chars.next() {
                        if !in_index {
                            name.push(next);
                        }
                    }
                }
                '=' => {
                    equals = Some(i);
                    break;
                }
                ',' => break,
                '.' if !in_index => name.clear(),
                '[' => in_index = true,
                ']' => in_index = false,
                c if !in_index => name.push(c),
                _ => {}
            }
        }
        let Some(equals) = equals else { continue };
        let start = equals + 1;
        let list = text[start..].starts_with('{');
        let mut end = text.len();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    chars.next();
                }
                '}' if list => {
                    end = i + 1;
                    break;
                }
                ',' if !list => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        if start < end && is_secret_key(&name) {
            out.push(start..end);
        }
    }
    out
}

/// Why a step of the parser stopped: Helm's `io.EOF` (also when wrapped, as `error parsing index: EOF`
/// is), which its top loop takes for a normal end, or a real error.
enum Stop {
    Eof,
    Fail(SetError),
}

type Step<T = ()> = Result<T, Stop>;

/// How `valList` ended when it did not read a list.
enum NotList {
    Eof,
    Value,
    Fail(SetError),
}

/// Text read up to a stop character, with backslash escapes removed.
struct Segment {
    text: String,
    /// The raw text in the argument, escapes included, stop character excluded.
    span: Range<usize>,
    /// The stop character and its offset; `None` at the end of the argument.
    stop: Option<(char, usize)>,
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    source: SourceId,
    kind: SetKind,
    read_file: &'a mut dyn FnMut(&str) -> Result<String, String>,
    secrets: Vec<Range<usize>>,
    padding: &'a mut Padding,
}

fn fail<T>(span: Range<usize>, message: String) -> Step<T> {
    Err(Stop::Fail(SetError::new(span, message)))
}

impl Parser<'_> {
    fn span(&self, range: Range<usize>) -> Span {
        Span::new(self.source, range)
    }

    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    /// Helm's `runesUntil`: reads up to (and consumes) the first unescaped stop character.
    fn runes_until(&mut self, stops: &[char]) -> Segment {
        let start = self.pos;
        let mut text = String::new();
        let mut chars = self.text[start..].char_indices();
        while let Some((off, c)) = chars.next() {
            let at = start + off;
            if stops.contains(&c) {
                self.pos = at + c.len_utf8();
                return Segment {
                    text,
                    span: start..at,
                    stop: Some((c, at)),
                };
            }
            if c == '\\' && self.kind != SetKind::Literal {
                match chars.next() {
                    Some((_, next)) => text.push(next),
                    // A trailing backslash is dropped, and the end reached.
                    None => break,
                }
            } else {
                text.push(c);
            }
        }
        self.pos = self.text.len();
        Segment {
            text,
            span: start..self.text.len(),
            stop: None,
        }
    }

    /// Helm's `key`: one name, then what follows it.
    fn key(&mut self, data: &mut Map, level: usize, depth: usize) -> Step {
        let stops: &[char] = if self.kind == SetKind::Literal {
            &['=', '[', '.']
        } else {
            &['=', '[', ',', '.']
        };
        let seg = self.runes_until(stops);
        let Some((stop, at)) = seg.stop else {
            if seg.text.is_empty() {
                return Err(Stop::Eof);
            }
            return fail(seg.span, format!("key {} has no value", go_quote(&seg.text)));
        };
        match stop {
            '[' => {
                let (index, index_span) = self.key_index(at)?;
                self.check_depth(depth + 1, index_span.clone())?;
                if let Some(entry) = data.entry_mut(&seg.text) {
                    return match &mut entry.value.value {
                        Value::Seq(list) => {
                            self.list_item(list, index, index_span, &seg.text, level, depth + 1)
                        }
                        other => fail(seg.span, conversion(other, "[]interface {}")),
                    };
                }
                // Helm stores the list even when the item fails or the input ends (`a[0]` gives `a: []`).
                let mut list = Vec::new();
                let result = self.list_item(&mut list, index, index_span, &seg.text, level, depth + 1);
                let node = Node::new(Value::Seq(list), self.span(seg.span.clone()));
                set(data, seg, node);
                result
            }
            '=' if self.kind == SetKind::Json => {
                let node = self.json_pair_value()?;
                self.note_secret(&seg.text, &node);
                set(data, seg, node);
                self.empty_val();
                Ok(())
            }
            '=' if self.kind == SetKind::Literal => {
                let node = self.rest();
                self.note_secret(&seg.text, &node);
                set(data, seg, node);
                Ok(())
            }
            '=' => {
                let node = match self.val_list() {
                    Ok(list) => list,
                    Err(NotList::Eof) => {
                        // `a=` at the very end: the empty string, and the end of the argument.
                        let node = Node::new(Value::Str(String::new()), self.span(self.pos..self.pos));
                        set(data, seg, node);
                        return Err(Stop::Eof);
                    }
                    Err(NotList::Value) => {
                        let value = self.runes_until(&[',']);
                        self.read(value).map_err(Stop::Fail)?
                    }
                    Err(NotList::Fail(e)) => return Err(Stop::Fail(e)),
                };
                self.note_secret(&seg.text, &node);
                set(data, seg, node);
                Ok(())
            }
            ',' => fail(
                seg.span.start..at + 1,
                format!("key {} has no value (cannot end with ,)", go_quote(&seg.text)),
            ),
            '.' => {
                let level = level + 1;
                if level > MAX_NESTED_NAME_LEVEL {
                    return fail(
                        seg.span.start..at + 1,
                        format!(
                            "value name nested level is greater than maximum supported nested level of \
                             {MAX_NESTED_NAME_LEVEL}"
                        ),
                    );
                }
                self.check_depth(depth + 1, seg.span.start..at + 1)?;
                if let Some(entry) = data.entry_mut(&seg.text) {
                    let Value::Map(inner) = &mut entry.value.value else {
                        return fail(
                            seg.span,
                            conversion(&entry.value.value, "map[string]interface {}"),
                        );
                    };
                    let result = self.key(inner, level, depth + 1);
                    if result.is_ok() && inner.entries.is_empty() {
                        return fail(seg.span.start..self.pos, key_map_message(&seg.text));
                    }
                    return result;
                }
                let mut inner = Map::default();
                let result = self.key(&mut inner, level, depth + 1);
                if result.is_ok() && inner.entries.is_empty() {
                    return fail(seg.span.start..self.pos, key_map_message(&seg.text));
                }
                if !inner.entries.is_empty() {
                    let node = Node::new(Value::Map(inner), self.span(seg.span.clone()));
                    set(data, seg, node);
                }
                result
            }
            _ => unreachable_stop(at),
        }
    }

    /// Helm's `keyIndex`: the index after a `[` at `open`, and the span of `[…]`.
    fn key_index(&mut self, open: usize) -> Step<(i64, Range<usize>)> {
        let seg = self.runes_until(&[']']);
        // Unterminated: Helm wraps io.EOF ("error parsing index: EOF"), which its top loop accepts.
        let Some((_, close)) = seg.stop else {
            return Err(Stop::Eof);
        };
        let span = open..close + 1;
        match go_atoi(&seg.text) {
            Ok(i) => Ok((i, span)),
            Err(why) => fail(
                span,
                format!(
                    "error parsing index: strconv.Atoi: parsing {}: {why}",
                    go_quote(&seg.text)
                ),
            ),
        }
    }

    /// Helm's `listItem`: what follows `[index]`, applied to item `index` of `list`. `owner` is the last
    /// mapping key of the path, for secrets.
    fn list_item(
        &mut self,
        list: &mut Vec<Node>,
        index: i64,
        index_span: Range<usize>,
        owner: &str,
        level: usize,
        depth: usize,
    ) -> Step {
        if index < 0 {
            return fail(index_span, format!("negative {index} index not allowed"));
        }
        let seg = self.runes_until(&['[', '.', '=']);
        if !seg.text.is_empty() {
            return fail(
                seg.span,
                format!("unexpected data at end of array index: {}", go_quote(&seg.text)),
            );
        }
        let Some((stop, at)) = seg.stop else {
            return Err(Stop::Eof);
        };
        // The item, when it exists already.
        let slot = usize::try_from(index).ok().filter(|&i| i < list.len());
        match stop {
            '=' if self.kind == SetKind::Json => {
                let node = self.json_pair_value()?;
                self.note_secret(owner, &node);
                self.set_index(list, index, node, index_span)?;
                self.empty_val();
                Ok(())
            }
            '=' if self.kind == SetKind::Literal => {
                let node = self.rest();
                self.note_secret(owner, &node);
                self.set_index(list, index, node, index_span)
            }
            '=' => {
                let node = match self.val_list() {
                    Ok(list) => list,
                    Err(NotList::Eof) => Node::new(Value::Str(String::new()), self.span(self.pos..self.pos)),
                    Err(NotList::Value) => {
                        let value = self.runes_until(&[',']);
                        self.read(value).map_err(Stop::Fail)?
                    }
                    Err(NotList::Fail(e)) => return Err(Stop::Fail(e)),
                };
                self.note_secret(owner, &node);
                self.set_index(list, index, node, index_span)
            }
            '[' => {
                let (next, next_span) = self.key_index(at)?;
                self.check_depth(depth + 1, next_span.clone())?;
                if let Some(i) = slot {
                    match &mut list[i].value {
                        Value::Null => {}
                        Value::Seq(inner) => {
                            self.list_item(inner, next, next_span, owner, level, depth + 1)?;
                            return check_index(index, index_span).map(drop);
                        }
                        other => return fail(index_span, conversion(other, "[]interface {}")),
                    }
                }
                // A new list, or one in place of a null item; stored only when its item was.
                let mut inner = Vec::new();
                self.list_item(&mut inner, next, next_span, owner, level, depth + 1)?;
                let node = Node::new(Value::Seq(inner), self.span(index_span.clone()));
                self.set_index(list, index, node, index_span)
            }
            '.' => {
                self.check_depth(depth + 1, index_span.start..at + 1)?;
                if let Some(i) = slot {
                    // "Indices out of order": an item that is not a map becomes an empty one at once.
                    if !matches!(list[i].value, Value::Map(_)) {
                        list[i] = Node::new(Value::Map(Map::default()), self.span(index_span.clone()));
                    }
                    if let Value::Map(inner) = &mut list[i].value {
                        self.key(inner, level, depth + 1)?;
                    }
                    return check_index(index, index_span).map(drop);
                }
                let mut inner = Map::default();
                self.key(&mut inner, level, depth + 1)?;
                let node = Node::new(Value::Map(inner), self.span(index_span.clone()));
                self.set_index(list, index, node, index_span)
            }
            _ => unreachable_stop(at),
        }
    }

    /// Helm's `setIndex`: stores `node` at `index`, padding the list with nulls.
    fn set_index(&mut self, list: &mut Vec<Node>, index: i64, node: Node, index_span: Range<usize>) -> Step {
        let i = check_index(index, index_span.clone())?;
        if i >= list.len() {
            self.padding.used += i - list.len();
            if self.padding.used > MAX_PADDING {
                return fail(
                    index_span,
                    format!(
                        "lists padded with more than {MAX_PADDING} nulls by the --set, --set-string and \
                         --set-file flags together"
                    ),
                );
            }
            let null = Node::new(Value::Null, self.span(index_span));
            list.resize(i + 1, null);
        }
        list[i] = node;
        Ok(())
    }

    /// Helm's `valList`: a `{a,b}` list, if the value starts with `{`.
    fn val_list(&mut self) -> Result<Node, NotList> {
        let open = self.pos;
        match self.peek() {
            None => return Err(NotList::Eof),
            Some('{') => self.pos += 1,
            Some(_) => return Err(NotList::Value),
        }
        let mut items = Vec::new();
        loop {
            let seg = self.runes_until(&[',', '}']);
            match seg.stop {
                None => {
                    return Err(NotList::Fail(SetError::new(
                        open..self.text.len(),
                        "list must terminate with '}'",
                    )))
                }
                Some(('}', close)) => {
                    // A comma right after the list ends the pair; anything else is left for the next key.
                    if self.peek() == Some(',') {
                        self.pos += 1;
                    }
                    items.push(self.read(seg).map_err(NotList::Fail)?);
                    return Ok(Node::new(Value::Seq(items), self.span(open..close + 1)));
                }
                Some(_) => items.push(self.read(seg).map_err(NotList::Fail)?),
            }
        }
    }

    /// `--set-literal`'s value: the rest of the argument.
    fn rest(&mut self) -> Node {
        let start = self.pos;
        self.pos = self.text.len();
        Node::new(
            Value::Str(self.text[start..].to_string()),
            self.span(start..self.pos),
        )
    }

    /// Helm's `emptyVal`: skips spaces, then a comma or the end makes an empty value (consumed);
    /// anything else is left for what follows.
    fn empty_val(&mut self) -> bool {
        while let Some(c) = self.peek() {
            self.pos += c.len_utf8();
            if c == ',' {
                return true;
            }
            if !c.is_whitespace() {
                self.pos -= c.len_utf8();
                return false;
            }
        }
        true
    }

    /// A `--set-json` pair's value after its `=`: null when empty, else one JSON document, read as
    /// Go's `json.Decoder` reads it.
    fn json_pair_value(&mut self) -> Step<Node> {
        let at = self.pos;
        if self.empty_val() {
            return Ok(Node::new(Value::Null, self.span(at..at)));
        }
        let mut reader = json::Reader::new(self.text, self.pos, self.source);
        match reader.document() {
            Ok(node) => {
                self.pos = reader.pos;
                self.note_json_secrets(&node);
                Ok(node)
            }
            Err((span, message)) => fail(span, message),
        }
    }

    /// The values under secret keys inside a JSON document (`redis={"password": "…"}`).
    fn note_json_secrets(&mut self, node: &Node) {
        match &node.value {
            Value::Map(m) => {
                for e in &m.entries {
                    self.note_secret(&e.key, &e.value);
                    self.note_json_secrets(&e.value);
                }
            }
            Value::Seq(items) => items.iter().for_each(|n| self.note_json_secrets(n)),
            _ => {}
        }
    }

    /// The flag's reader: typed, string, or the content of a file.
    fn read(&mut self, seg: Segment) -> Result<Node, SetError> {
        let value = match self.kind {
            SetKind::Typed => typed_value(&seg.text),
            SetKind::String | SetKind::Json | SetKind::Literal => Value::Str(seg.text),
            SetKind::File => match (self.read_file)(&seg.text) {
                Ok(content) => Value::Str(content),
                Err(message) => return Err(SetError::new(seg.span, message)),
            },
        };
        Ok(Node::new(value, self.span(seg.span)))
    }

    fn note_secret(&mut self, key: &str, node: &Node) {
        if self.kind == SetKind::File || !is_secret_key(key) {
            return;
        }
        let ranges = match &node.value {
            Value::Seq(items) => items.iter().map(|n| n.span.range()).collect(),
            // In a JSON document, the values of secret keys are noted on their own.
            Value::Map(_) => Vec::new(),
            _ => vec![node.span.range()],
        };
        self.secrets.extend(ranges.into_iter().filter(|r| !r.is_empty()));
    }

    fn check_depth(&self, depth: usize, span: Range<usize>) -> Step {
        if depth > MAX_PATH_DEPTH {
            return fail(
                span,
                format!("key path is nested more than {MAX_PATH_DEPTH} levels deep"),
            );
        }
        Ok(())
    }
}

/// Helm's `set`: an empty key is silently not set.
fn set(data: &mut Map, key: Segment, value: Node) {
    if key.text.is_empty() {
        return;
    }
    data.insert(Entry {
        key_span: Span::new(value.span.source, key.span),
        key: key.text,
        value,
    });
}

/// The index checks of Helm's `setIndex`.
fn check_index(index: i64, span: Range<usize>) -> Step<usize> {
    if index < 0 {
        return fail(span, format!("negative {index} index not allowed"));
    }
    if index > MAX_INDEX {
        return fail(
            span,
            format!("index of {index} is greater than maximum supported index of {MAX_INDEX}"),
        );
    }
    // 0..=MAX_INDEX fits every usize Rust supports.
    Ok(index as usize)
}

fn key_map_message(key: &str) -> String {
    format!("key map {} has no value", go_quote(key))
}

/// `runes_until` only stops at the characters asked for; this keeps the matches total without a panic.
fn unreachable_stop(at: usize) -> Step {
    fail(at..at + 1, "parse error: unexpected token".into())
}

/// The message of Helm's recovered panic when a path goes through a value of the wrong type.
fn conversion(found: &Value, wanted: &str) -> String {
    let found = match found {
        Value::Null => "nil",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int64",
        Value::Float(_) => "float64",
        Value::Str(_) => "string",
        Value::Seq(_) => "[]interface {}",
        Value::Map(_) => "map[string]interface {}",
    };
    format!("unable to parse key: interface conversion: interface {{}} is {found}, not {wanted}")
}

/// Helm's `typedVal` for `--set`.
fn typed_value(s: &str) -> Value {
    if go_equal_fold(s, "true") {
        return Value::Bool(true);
    }
    if go_equal_fold(s, "false") {
        return Value::Bool(false);
    }
    if go_equal_fold(s, "null") {
        return Value::Null;
    }
    if s == "0" {
        return Value::Int(0);
    }
    // Not starting with zero: a base-10 int64, with an optional sign (so "-007" is -7, "+5" is 5).
    if !s.is_empty() && !s.starts_with('0') {
        if let Ok(i) = s.parse::<i64>() {
            return Value::Int(i);
        }
    }
    Value::Str(s.to_owned())
}

/// Go's `strings.EqualFold` against an ASCII lowercase word. Unicode simple case folding maps only two
/// non-ASCII characters onto ASCII letters: the long s `ſ` (so `falſe` is false) and the Kelvin sign.
fn go_equal_fold(s: &str, word: &str) -> bool {
    let mut left = s.chars();
    let mut right = word.chars();
    loop {
        match (left.next(), right.next()) {
            (None, None) => return true,
            (Some(a), Some(b)) => {
                let same = a.to_ascii_lowercase() == b
                    || (a == '\u{17F}' && b == 's')
                    || (a == '\u{212A}' && b == 'k');
                if !same {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// Go's `strconv.Atoi` on a 64-bit platform; the error is strconv's reason. Like Go's `ParseUint`, it reports
/// a range error as soon as the digits read so far overflow 64 bits, even if a bad character follows.
fn go_atoi(s: &str) -> Result<i64, &'static str> {
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() {
        return Err("invalid syntax");
    }
    let mut n: u64 = 0;
    for b in digits.bytes() {
        if !b.is_ascii_digit() {
            return Err("invalid syntax");
        }
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(b - b'0')))
            .ok_or("value out of range")?;
    }
    if negative {
        0i64.checked_sub_unsigned(n).ok_or("value out of range")
    } else {
        i64::try_from(n).map_err(|_| "value out of range")
    }
}

/// Go's `%q` of a string (`strconv.Quote`), near enough: escapes quotes, backslashes and controls.
fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value as J};

    const SRC: SourceId = SourceId(7);

    /// A reader for `--set-file`: `missing…` paths fail, others read as `<content of PATH>`.
    fn fake_reader(path: &str) -> Result<String, String> {
        if path.starts_with("missing") {
            Err(format!("open {path}: no such file or directory"))
        } else {
            Ok(format!("<content of {path}>"))
        }
    }

    fn apply_kind(kind: SetKind, base: &mut Map, text: &str) -> Result<Vec<Range<usize>>, SetError> {
        apply(text, SRC, kind, base, &mut fake_reader, &mut Padding::default())
    }

    fn to_json(map: &Map) -> J {
        Node::new(Value::Map(map.clone()), Span::new(SRC, 0..0)).to_json()
    }

    fn from_json(j: &J) -> Node {
        let span = Span::new(SourceId(0), 0..0);
        let value = match j {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => n
                .as_i64()
                .map_or_else(|| Value::Float(n.as_f64().unwrap_or(0.0)), Value::Int),
            J::String(s) => Value::Str(s.clone()),
            J::Array(items) => Value::Seq(items.iter().map(from_json).collect()),
            J::Object(o) => Value::Map(Map {
                entries: o
                    .iter()
                    .map(|(k, v)| Entry {
                        key: k.clone(),
                        key_span: span,
                        value: from_json(v),
                    })
                    .collect(),
            }),
        };
        Node::new(value, span)
    }

    fn base(j: J) -> Map {
        match from_json(&j).value {
            Value::Map(m) => m,
            _ => panic!("base must be an object"),
        }
    }

    /// `--set TEXT` onto an empty map.
    fn set(text: &str) -> J {
        set_onto(json!({}), text)
    }

    fn set_onto(start: J, text: &str) -> J {
        let mut m = base(start);
        match apply_kind(SetKind::Typed, &mut m, text) {
            Ok(_) => to_json(&m),
            Err(e) => panic!("{text:?}: unexpected error {e:?}"),
        }
    }

    fn set_err(text: &str) -> SetError {
        set_err_onto(json!({}), text)
    }

    fn set_err_onto(start: J, text: &str) -> SetError {
        let mut m = base(start);
        match apply_kind(SetKind::Typed, &mut m, text) {
            Ok(_) => panic!("{text:?}: expected an error, got {}", to_json(&m)),
            Err(e) => e,
        }
    }

    /// Asserts the error's message and that its span covers `covers` in `text`.
    fn assert_err(text: &str, message: &str, covers: &str) {
        let e = set_err(text);
        assert_eq!(e.message, message, "{text:?}");
        assert_eq!(&text[e.span.clone()], covers, "{text:?}: span {:?}", e.span);
    }

    fn scalar(text: &str) -> J {
        set(&format!("v={text}"))["v"].clone()
    }

    #[test]
    fn typed_values_follow_helms_typed_val() {
        for t in ["true", "TRUE", "True", "tRuE"] {
            assert_eq!(scalar(t), json!(true), "{t}");
        }
        for f in ["false", "FALSE", "False", "falſe"] {
            assert_eq!(scalar(f), json!(false), "{f}");
        }
        for n in ["null", "NULL", "Null"] {
            assert_eq!(scalar(n), J::Null, "{n}");
        }
        let table: &[(&str, J)] = &[
            ("0", json!(0)),
            ("6", json!(6)),
            ("1234567890", json!(1234567890)),
            ("-5", json!(-5)),
            ("+5", json!(5)),
            ("-0", json!(0)),
            ("-007", json!(-7)),
            ("9223372036854775807", json!(i64::MAX)),
            ("-9223372036854775808", json!(i64::MIN)),
            ("9223372036854775808", json!("9223372036854775808")),
            ("007", json!("007")),
            ("00009", json!("00009")),
            ("00", json!("00")),
            ("6.2", json!("6.2")),
            ("6.2.14", json!("6.2.14")),
            ("1e3", json!("1e3")),
            ("0x10", json!("0x10")),
            ("1_000", json!("1_000")),
            (" 1", json!(" 1")),
            ("+", json!("+")),
            ("yes", json!("yes")),
            ("on", json!("on")),
            ("~", json!("~")),
            ("nil", json!("nil")),
            ("truex", json!("truex")),
            ("", json!("")),
            ("one two three", json!("one two three")),
        ];
        for (text, want) in table {
            assert_eq!(&scalar(text), want, "{text:?}");
        }
    }

    #[test]
    fn set_string_keeps_every_value_a_string() {
        let mut m = Map::default();
        apply_kind(
            SetKind::String,
            &mut m,
            "a=true,b=null,c=0,d=42,e={1,false},f[1]=7",
        )
        .unwrap();
        assert_eq!(
            to_json(&m),
            json!({"a": "true", "b": "null", "c": "0", "d": "42", "e": ["1", "false"], "f": [null, "7"]})
        );
    }

    #[test]
    fn set_file_reads_each_value_through_the_reader() {
        let mut seen = Vec::new();
        let mut reader = |p: &str| {
            seen.push(p.to_owned());
            Ok(format!("<{p}>"))
        };
        let mut m = Map::default();
        let text = r"conf=redis.conf,list={a.txt,b\,c.txt},x[1]=x.txt,empty=";
        let secrets = apply(
            text,
            SRC,
            SetKind::File,
            &mut m,
            &mut reader,
            &mut Padding::default(),
        )
        .unwrap();
        assert_eq!(seen, ["redis.conf", "a.txt", "b,c.txt", "x.txt"]);
        assert!(secrets.is_empty());
        assert_eq!(
            to_json(&m),
            json!({"conf": "<redis.conf>", "list": ["<a.txt>", "<b,c.txt>"], "x": [null, "<x.txt>"], "empty": ""})
        );
        // The content is a string whatever it looks like, and its span is the path's.
        let e = m.entry("conf").unwrap();
        assert_eq!(&text[e.value.span.range()], "redis.conf");
    }

    #[test]
    fn set_file_errors_carry_the_span_of_the_path() {
        for text in [
            "a=missing.txt",
            "a={ok.txt,missing.txt}",
            "a[0]=missing.txt",
            "b=1,a=missing.txt,c=2",
        ] {
            let mut m = Map::default();
            let e = apply_kind(SetKind::File, &mut m, text).unwrap_err();
            assert_eq!(e.message, "open missing.txt: no such file or directory", "{text}");
            assert_eq!(&text[e.span], "missing.txt", "{text}");
        }
        // An empty path is still read (Helm's reader gets ""), except for `a=` at the very end.
        let mut m = Map::default();
        let mut reader = |p: &str| {
            if p.is_empty() {
                Err("empty path".to_string())
            } else {
                Ok(String::new())
            }
        };
        let e = apply(
            "a=,b=x",
            SRC,
            SetKind::File,
            &mut m,
            &mut reader,
            &mut Padding::default(),
        )
        .unwrap_err();
        assert_eq!((e.message.as_str(), e.span), ("empty path", 2..2));
    }

    #[test]
    fn pairs_and_commas() {
        assert_eq!(set("name1=value1"), json!({"name1": "value1"}));
        assert_eq!(set("a=1,b=2"), json!({"a": 1, "b": 2}));
        assert_eq!(set("a=1,b=2,"), json!({"a": 1, "b": 2}));
        assert_eq!(set("a=,b=2"), json!({"a": "", "b": 2}));
        assert_eq!(set("a="), json!({"a": ""}));
        assert_eq!(set("a=1,a=2"), json!({"a": 2}));
        assert_eq!(set(""), json!({}));
        assert_eq!(set("a=x y"), json!({"a": "x y"}));
        assert_eq!(set("a=b=c"), json!({"a": "b=c"}));
        assert_eq!(set("a=x.y[0]"), json!({"a": "x.y[0]"}));
        assert_eq!(set("a=x}"), json!({"a": "x}"}));
        assert_err("a=1,,b=2", "key \"\" has no value (cannot end with ,)", ",");
        assert_err(",a=1", "key \"\" has no value (cannot end with ,)", ",");
        assert_err(
            "name1,name2=value2",
            "key \"name1\" has no value (cannot end with ,)",
            "name1,",
        );
        assert_err("a=1,name", "key \"name\" has no value", "name");
        assert_err("a", "key \"a\" has no value", "a");
    }

    #[test]
    fn backslash_escapes_the_next_character() {
        assert_eq!(set(r"a=one\,two,b=3\=4"), json!({"a": "one,two", "b": "3=4"}));
        assert_eq!(set(r"a\.b=1"), json!({"a.b": 1}));
        assert_eq!(set(r"a\=b=1,c\,d=2"), json!({"a=b": 1, "c,d": 2}));
        assert_eq!(set(r"a\[0\]=x"), json!({"a[0]": "x"}));
        assert_eq!(set(r"a=c:\\dir"), json!({"a": r"c:\dir"}));
        assert_eq!(set(r"a=\x\y"), json!({"a": "xy"}));
        assert_eq!(set(r"a=\{x"), json!({"a": "{x"}));
        assert_err(r"a=\{x,y}", "key \"y}\" has no value", "y}");
        assert_eq!(set(r"a=\{x\,y}"), json!({"a": "{x,y}"}));
        assert_eq!(set(r"a={x\,y,z\}}"), json!({"a": ["x,y", "z}"]}));
        assert_eq!(set(r"a[\1]=x"), json!({"a": [null, "x"]}));
        // An escaped value is still typed.
        assert_eq!(set(r"a=tru\e,b=\1"), json!({"a": true, "b": 1}));
        // A trailing backslash is dropped.
        assert_eq!(set(r"a=b\"), json!({"a": "b"}));
        assert_err(r"ab\", "key \"ab\" has no value", r"ab\");
    }

    #[test]
    fn dotted_names_make_maps() {
        assert_eq!(set("outer.inner=value"), json!({"outer": {"inner": "value"}}));
        assert_eq!(
            set("a.b.c=1,a.b.d=2,a.e=3"),
            json!({"a": {"b": {"c": 1, "d": 2}, "e": 3}})
        );
        assert_eq!(set("a.b="), json!({"a": {"b": ""}}));
        assert_eq!(set("a.b={x}"), json!({"a": {"b": ["x"]}}));
        assert_err("name1.name2", "key \"name2\" has no value", "name2");
        assert_err("a.=1", "key map \"a\" has no value", "a.=1");
        assert_err("x=1,a..b=1", "key map \"a\" has no value", "a..b=1");
        assert_err("a.,b", "key \"\" has no value (cannot end with ,)", ",");
    }

    #[test]
    fn nesting_depth_is_helms_thirty_names() {
        let names = |n: usize| (0..n).map(|i| format!("n{i}")).collect::<Vec<_>>().join(".");
        let ok = set(&format!("{}=v", names(MAX_NESTED_NAME_LEVEL + 1)));
        let mut node = &ok;
        for i in 0..=MAX_NESTED_NAME_LEVEL {
            node = &node[format!("n{i}")];
        }
        assert_eq!(node, &json!("v"));
        let text = format!("{}=v", names(MAX_NESTED_NAME_LEVEL + 2));
        let e = set_err(&text);
        assert_eq!(
            e.message,
            "value name nested level is greater than maximum supported nested level of 30"
        );
        assert_eq!(&text[e.span], "n30.");
    }

    #[test]
    fn list_paths_are_bounded_by_our_own_depth_limit() {
        let ok = format!("a{}=1", "[0]".repeat(MAX_PATH_DEPTH));
        let mut m = Map::default();
        apply_kind(SetKind::Typed, &mut m, &ok).unwrap();
        let text = format!("a{}=1", "[0]".repeat(MAX_PATH_DEPTH + 1));
        let e = set_err(&text);
        assert_eq!(e.message, "key path is nested more than 200 levels deep");
        assert_eq!(&text[e.span.clone()], "[0]");
        assert_eq!(e.span.start, 1 + 3 * MAX_PATH_DEPTH);
        let text = format!("a{}=1", "[0].b".repeat(150));
        assert!(set_err(&text).message.contains("200 levels"));
        // Deep input that never reaches the limit still terminates quickly.
        let text = "a[0]".repeat(10_000);
        set_err(&text);
    }

    #[test]
    fn brace_lists() {
        assert_eq!(set("a={x,y}"), json!({"a": ["x", "y"]}));
        assert_eq!(set("a={1021,902}"), json!({"a": [1021, 902]}));
        assert_eq!(
            set("a={true,null,0,007,6.2}"),
            json!({"a": [true, null, 0, "007", "6.2"]})
        );
        assert_eq!(set("a={x,y},b={z}"), json!({"a": ["x", "y"], "b": ["z"]}));
        assert_eq!(set("a.b={x,y}"), json!({"a": {"b": ["x", "y"]}}));
        // `{}` is not empty: it holds one empty string. So does every empty item.
        assert_eq!(set("a={}"), json!({"a": [""]}));
        assert_eq!(set("a={x,}"), json!({"a": ["x", ""]}));
        assert_eq!(set("a={,}"), json!({"a": ["", ""]}));
        assert_eq!(set("a={ x , y }"), json!({"a": [" x ", " y "]}));
        // Only a leading `{` starts a list; inner braces are text.
        assert_eq!(set("a=x{1}"), json!({"a": "x{1}"}));
        assert_err("a=x{1,2}", "key \"2}\" has no value", "2}");
        assert_eq!(set("a={{x}"), json!({"a": ["{x"]}));
        // A list replaces whatever was there.
        assert_eq!(set_onto(json!({"a": {"b": 1}}), "a={1}"), json!({"a": [1]}));
        let e = set_err("a=1,b={1021,902");
        assert_eq!(e.message, "list must terminate with '}'");
        assert_eq!(e.span, 6..15);
        // What follows `}` other than a comma starts the next key.
        assert_err("a={1}x", "key \"x\" has no value", "x");
        assert_eq!(set("a={1}}=2"), json!({"a": [1], "}": 2}));
        assert_err("a={1}}=2,c", "key \"c\" has no value", "c");
    }

    #[test]
    fn indexes_set_list_items_and_pad_with_null() {
        assert_eq!(set("list[0]=foo"), json!({"list": ["foo"]}));
        assert_eq!(set("list[0]=foo,list[1]=bar,"), json!({"list": ["foo", "bar"]}));
        assert_eq!(
            set("list[0]=foo,list[3]=bar"),
            json!({"list": ["foo", null, null, "bar"]})
        );
        assert_eq!(set("list[2]=x,list[0]=y"), json!({"list": ["y", null, "x"]}));
        assert_eq!(set("list[0]={a,b}"), json!({"list": [["a", "b"]]}));
        assert_eq!(set("list[0]="), json!({"list": [""]}));
        assert_eq!(set("list[0]=,x=1"), json!({"list": [""], "x": 1}));
        assert_eq!(
            set("list[007]=x"),
            json!({"list": [null, null, null, null, null, null, null, "x"]})
        );
        assert_eq!(set("list[+1]=x"), json!({"list": [null, "x"]}));
        assert_eq!(set("list[0].foo=bar"), json!({"list": [{"foo": "bar"}]}));
        assert_eq!(
            set("list[0].foo=bar,list[0].hello=world"),
            json!({"list": [{"foo": "bar", "hello": "world"}]})
        );
        assert_eq!(set("a.b[2]=x"), json!({"a": {"b": [null, null, "x"]}}));
        assert_eq!(set("nested[0][0]=1"), json!({"nested": [[1]]}));
        assert_eq!(set("nested[1][1]=1"), json!({"nested": [null, [null, 1]]}));
        assert_eq!(
            set("a[0][1].b[2]=x"),
            json!({"a": [[null, {"b": [null, null, "x"]}]]})
        );
        assert_eq!(
            set("n.l[1].foo=bar,n.l[0].foo=baz"),
            json!({"n": {"l": [{"foo": "baz"}, {"foo": "bar"}]}})
        );
        assert_eq!(set("n.l[1].foo=bar"), json!({"n": {"l": [null, {"foo": "bar"}]}}));
        let max = set(&format!("a[{MAX_INDEX}]=x"));
        let items = max["a"].as_array().unwrap();
        assert_eq!(
            (items.len(), &items[65536], &items[65535]),
            (65537, &json!("x"), &J::Null)
        );
    }

    #[test]
    fn index_errors() {
        assert_err(
            "a[65537]=x",
            "index of 65537 is greater than maximum supported index of 65536",
            "[65537]",
        );
        assert_err("x=1,list[-20]=bar", "negative -20 index not allowed", "[-20]");
        assert_err("a[0][-1]=1", "negative -1 index not allowed", "[-1]");
        assert_err(
            "a[0][99999]=1",
            "index of 99999 is greater than maximum supported index of 65536",
            "[99999]",
        );
        assert_err(
            "a[99999][0]=1",
            "index of 99999 is greater than maximum supported index of 65536",
            "[99999]",
        );
        assert_err(
            "a[x]=1",
            "error parsing index: strconv.Atoi: parsing \"x\": invalid syntax",
            "[x]",
        );
        assert_err(
            "a[]=1",
            "error parsing index: strconv.Atoi: parsing \"\": invalid syntax",
            "[]",
        );
        assert_err(
            "a[1_0]=1",
            "error parsing index: strconv.Atoi: parsing \"1_0\": invalid syntax",
            "[1_0]",
        );
        assert_err(
            "a[99999999999999999999]=1",
            "error parsing index: strconv.Atoi: parsing \"99999999999999999999\": value out of range",
            "[99999999999999999999]",
        );
        assert_err(
            "illegal[0]name.foo=bar",
            "unexpected data at end of array index: \"name\"",
            "name",
        );
        assert_err("a[0],b=1", "unexpected data at end of array index: \",b\"", ",b");
        assert_err("a[0]x", "unexpected data at end of array index: \"x\"", "x");
        assert_err("a[0]]=1", "unexpected data at end of array index: \"]\"", "]");
        assert_err("a[0].b", "key \"b\" has no value", "b");
        // Helm's own test case.
        assert!(set_err("]={}].").message.contains("interface conversion"));
    }

    #[test]
    fn null_sets_the_key_to_null() {
        assert_eq!(
            set("name1=null,f=false,t=true"),
            json!({"name1": null, "f": false, "t": true})
        );
        assert_eq!(
            set_onto(json!({"a": {"b": 1}, "c": 2}), "a=null"),
            json!({"a": null, "c": 2})
        );
        assert_eq!(
            set_onto(json!({"a": [1, 2]}), "a[0]=null"),
            json!({"a": [null, 2]})
        );
        let mut m = base(json!({"a": {"b": 1}}));
        apply_kind(SetKind::Typed, &mut m, "a=null").unwrap();
        assert_eq!(m.get("a").map(|n| &n.value), Some(&Value::Null));
    }

    #[test]
    fn applies_onto_an_existing_base() {
        let start = json!({
            "outer": {"inner1": "overwrite", "inner2": "value2"},
            "list": ["a", {"x": 1, "y": 2}, "c"],
            "cluster": {"nodes": 3, "image": {"tag": "6.0", "repo": "redis"}},
        });
        let got = set_onto(
            start,
            "outer.inner1=value1,outer.inner3=value3,outer.inner4=4,list[0]=A,list[1].y=20,list[4]=e,\
             cluster.image.tag=6.2.14",
        );
        assert_eq!(
            got,
            json!({
                "outer": {"inner1": "value1", "inner2": "value2", "inner3": "value3", "inner4": 4},
                "list": ["A", {"x": 1, "y": 20}, "c", null, "e"],
                "cluster": {"nodes": 3, "image": {"tag": "6.2.14", "repo": "redis"}},
            })
        );
        // A replaced entry keeps its place; new ones come last.
        let mut m = base(json!({}));
        apply_kind(SetKind::Typed, &mut m, "a=1,b=2,c=3").unwrap();
        apply_kind(SetKind::Typed, &mut m, "b=20,d=4").unwrap();
        assert_eq!(m.keys().collect::<Vec<_>>(), ["a", "b", "c", "d"]);
    }

    #[test]
    fn applies_nested_lists_across_flags_like_helms_parse_into() {
        let mut m = Map::default();
        apply_kind(SetKind::Typed, &mut m, "listOuter[0][0].type=listValue").unwrap();
        apply_kind(SetKind::Typed, &mut m, "listOuter[0][0].status=alive").unwrap();
        assert_eq!(
            to_json(&m),
            json!({"listOuter": [[{"type": "listValue", "status": "alive"}]]})
        );

        let mut m = base(json!({"listOuter": [[[{"exited": "old"}]]]}));
        apply_kind(SetKind::Typed, &mut m, "listOuter[0][1][0].type=listValue").unwrap();
        apply_kind(SetKind::Typed, &mut m, "listOuter[0][0][1].status=alive").unwrap();
        assert_eq!(
            to_json(&m),
            json!({"listOuter": [[[{"exited": "old"}, {"status": "alive"}], [{"type": "listValue"}]]]})
        );
    }

    #[test]
    fn a_list_item_that_is_not_a_map_becomes_one() {
        assert_eq!(
            set_onto(json!({"a": [1, "x"]}), "a[1].b=2"),
            json!({"a": [1, {"b": 2}]})
        );
        assert_eq!(
            set_onto(json!({"a": [null]}), "a[0].b=2"),
            json!({"a": [{"b": 2}]})
        );
        assert_eq!(set("a[2]=x,a[1].b=2"), json!({"a": [null, {"b": 2}, "x"]}));
        // A null item is replaced by a list too, but any other item is an error.
        assert_eq!(set_onto(json!({"a": [null]}), "a[0][0]=1"), json!({"a": [[1]]}));
    }

    #[test]
    fn a_path_through_a_value_of_another_type_is_helms_conversion_error() {
        let cases: &[(J, &str, &str, &str)] = &[
            (
                json!({"a": "str"}),
                "a.b=1",
                "is string, not map[string]interface {}",
                "a",
            ),
            (
                json!({"a": null}),
                "x=1,a.b=1",
                "is nil, not map[string]interface {}",
                "a",
            ),
            (
                json!({"a": [1]}),
                "a.b=1",
                "is []interface {}, not map[string]interface {}",
                "a",
            ),
            (
                json!({"a": {"b": 1}}),
                "a[0]=1",
                "is map[string]interface {}, not []interface {}",
                "a",
            ),
            (json!({"a": null}), "a[0]=1", "is nil, not []interface {}", "a"),
            (json!({"a": 6}), "a[0]=1", "is int64, not []interface {}", "a"),
            (
                json!({"a": 6.5}),
                "a.b=1",
                "is float64, not map[string]interface {}",
                "a",
            ),
            (
                json!({"a": true}),
                "a.b=1",
                "is bool, not map[string]interface {}",
                "a",
            ),
            (
                json!({"a": [{"b": 1}]}),
                "a[0][0]=1",
                "is map[string]interface {}, not []interface {}",
                "[0]",
            ),
            (
                json!({"a": {"b": "x"}}),
                "a.b.c=1",
                "is string, not map[string]interface {}",
                "b",
            ),
        ];
        for (start, text, conversion, covers) in cases {
            let e = set_err_onto(start.clone(), text);
            assert_eq!(
                e.message,
                format!("unable to parse key: interface conversion: interface {{}} {conversion}"),
                "{text}"
            );
            assert_eq!(&text[e.span], *covers, "{text}");
        }
        // Null set by an earlier pair counts too.
        assert!(set_err("a=null,a.b=1")
            .message
            .ends_with("is nil, not map[string]interface {}"));
        assert!(set_err("a=1,a[0]=1")
            .message
            .ends_with("is int64, not []interface {}"));
    }

    #[test]
    fn unfinished_input_that_helm_silently_accepts() {
        assert_eq!(set("a=1,b."), json!({"a": 1}));
        assert_eq!(set("a=1,b[0"), json!({"a": 1}));
        assert_eq!(set("a=1,b[0]"), json!({"a": 1, "b": []}));
        assert_eq!(set("noval[0]"), json!({"noval": []}));
        assert_eq!(set("a[0][1"), json!({"a": []}));
        assert_eq!(set("a[0]."), json!({"a": []}));
        // The item is made only once its map is complete, and the input ended inside it.
        assert_eq!(set("a[0].b="), json!({"a": []}));
        assert_eq!(set_onto(json!({"a": [{}]}), "a[0].b="), json!({"a": [{"b": ""}]}));
        assert_eq!(set("a.b[0]"), json!({"a": {"b": []}}));
        // An empty name sets nothing.
        assert_eq!(set("=1,b=2"), json!({"b": 2}));
        assert_eq!(set("[0]=1"), json!({}));
        assert_eq!(set(".b=1"), json!({}));
        assert_eq!(set("a={1}.b=2"), json!({"a": [1]}));
        assert_eq!(set(r"\"), json!({}));
    }

    #[test]
    fn spans_of_keys_and_values() {
        let text = "image.tag=6.2.14,cluster.nodes=6";
        let mut m = Map::default();
        apply_kind(SetKind::Typed, &mut m, text).unwrap();
        let at = |r: Range<usize>| &text[r];
        let image = m.entry("image").unwrap();
        assert_eq!(at(image.key_span.range()), "image");
        assert_eq!(at(image.value.span.range()), "image");
        assert_eq!(image.value.span.source, SRC);
        assert!(!image.value.plain);
        let tag = image.value.as_map().unwrap().entry("tag").unwrap();
        assert_eq!(at(tag.key_span.range()), "tag");
        assert_eq!(tag.key_span.range(), 6..9);
        assert_eq!(at(tag.value.span.range()), "6.2.14");
        assert_eq!(tag.value.span.range(), 10..16);
        let nodes = m
            .entry("cluster")
            .unwrap()
            .value
            .as_map()
            .unwrap()
            .entry("nodes")
            .unwrap();
        assert_eq!(at(nodes.key_span.range()), "nodes");
        assert_eq!(at(nodes.value.span.range()), "6");
        assert_eq!(nodes.value.value, Value::Int(6));

        let text = r"a\.b=x\,y,l={one,two},s[2]=z,e=";
        let mut m = Map::default();
        apply_kind(SetKind::Typed, &mut m, text).unwrap();
        let e = m.entry("a.b").unwrap();
        assert_eq!(at2(text, e.key_span), r"a\.b");
        assert_eq!(at2(text, e.value.span), r"x\,y");
        let l = m.entry("l").unwrap();
        assert_eq!(at2(text, l.value.span), "{one,two}");
        let items = l.value.as_seq().unwrap();
        assert_eq!(
            (at2(text, items[0].span), at2(text, items[1].span)),
            ("one", "two")
        );
        let s = m.entry("s").unwrap();
        assert_eq!(at2(text, s.key_span), "s");
        assert_eq!(at2(text, s.value.span), "s");
        let items = s.value.as_seq().unwrap();
        assert_eq!((at2(text, items[0].span), at2(text, items[2].span)), ("[2]", "z"));
        let e = m.entry("e").unwrap();
        assert_eq!(e.value.span.range(), text.len()..text.len());

        let text = "a[1][0].b=x";
        let mut m = Map::default();
        apply_kind(SetKind::Typed, &mut m, text).unwrap();
        let outer = m.get("a").unwrap().as_seq().unwrap();
        assert_eq!(at2(text, outer[0].span), "[1]");
        assert_eq!(at2(text, outer[1].span), "[1]");
        let inner = outer[1].as_seq().unwrap();
        assert_eq!(at2(text, inner[0].span), "[0]");
        let b = inner[0].as_map().unwrap().entry("b").unwrap();
        assert_eq!((at2(text, b.key_span), at2(text, b.value.span)), ("b", "x"));
    }

    fn at2(text: &str, span: Span) -> &str {
        &text[span.range()]
    }

    #[test]
    fn existing_containers_keep_their_spans_and_replaced_values_take_the_flags() {
        let mut m = base(json!({"image": {"tag": "6.0", "repo": "redis"}}));
        let text = "image.tag=7";
        apply_kind(SetKind::Typed, &mut m, text).unwrap();
        let image = m.entry("image").unwrap();
        assert_eq!(image.key_span.source, SourceId(0));
        let map = image.value.as_map().unwrap();
        assert_eq!(map.entry("repo").unwrap().value.span.source, SourceId(0));
        let tag = map.entry("tag").unwrap();
        assert_eq!((tag.key_span.source, tag.key_span.range()), (SRC, 6..9));
        assert_eq!(tag.value.span.range(), 10..11);
    }

    #[test]
    fn secrets_are_reported_for_masking() {
        let text = "redis.password=s3cret,redis.port=6379,auth.tokens={a,b},apiToken={t1,,t2},passwords[1]=p";
        let mut m = Map::default();
        let secrets = apply_kind(SetKind::Typed, &mut m, text).unwrap();
        let shown: Vec<&str> = secrets.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(shown, ["s3cret", "t1", "t2", "p"]);
        let text = "redis.password=12345,existingSecret=name,x[0].clientSecret=abc";
        let secrets = apply_kind(SetKind::String, &mut Map::default(), text).unwrap();
        let shown: Vec<&str> = secrets.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(shown, ["12345", "abc"]);
        // `--set-file` arguments are paths, not secrets.
        let secrets = apply_kind(SetKind::File, &mut Map::default(), "password=pw.txt").unwrap();
        assert!(secrets.is_empty());
    }

    #[test]
    fn errors_carry_the_secrets_to_mask() {
        let text = r"redis.password=s3cret,bad,x.clientSecret={a\,b,c},y[0].token=t\,u,z=1";
        let e = apply_kind(SetKind::Typed, &mut Map::default(), text).unwrap_err();
        assert_eq!(e.message, "key \"bad\" has no value (cannot end with ,)");
        let mut shown: Vec<&str> = e.secrets.iter().map(|r| &text[r.clone()]).collect();
        shown.sort();
        shown.dedup();
        assert_eq!(shown, ["s3cret", r"t\,u", r"{a\,b,c}"]);
        let e = apply_kind(SetKind::Typed, &mut Map::default(), "a=1,password=x,a.b=2").unwrap_err();
        assert!(e.secrets.contains(&(13..14)));
        let e = apply_kind(SetKind::File, &mut Map::default(), "password=p.txt,bad").unwrap_err();
        assert!(e.secrets.is_empty());
        assert!(scan_secrets("password").is_empty());
        assert_eq!(scan_secrets("password={a,b"), vec![9..13]);
        assert_eq!(scan_secrets(r"pass\word=x,passwd=,token\"), vec![10..11]);
        assert_eq!(scan_secrets("a[0].password[1]=x"), vec![17..18]);
    }

    #[test]
    fn go_helpers() {
        assert_eq!(go_quote("a\"b\\c\n\u{1}é"), r#""a\"b\\c\n\x01é""#);
        assert_eq!(go_atoi("-12"), Ok(-12));
        assert_eq!(go_atoi("+"), Err("invalid syntax"));
        assert_eq!(go_atoi("9223372036854775808"), Err("value out of range"));
        assert_eq!(go_atoi("-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(go_atoi("-9223372036854775809"), Err("value out of range"));
        assert_eq!(go_atoi("9223372036854775808x"), Err("invalid syntax"));
        assert_eq!(go_atoi("99999999999999999999x"), Err("value out of range"));
        assert_eq!(go_atoi("-"), Err("invalid syntax"));
        assert_eq!(go_atoi("007"), Ok(7));
        assert!(go_equal_fold("FALſE", "false"));
        assert!(!go_equal_fold("fals", "false"));
        assert!(!go_equal_fold("falsee", "false"));
    }

    #[test]
    fn thousands_of_pairs_stay_fast() {
        let n = 5000;
        let text: String = (0..n).map(|i| format!("k{i}.v=x{i},l[{i}]={i},")).collect();
        let start = std::time::Instant::now();
        let mut m = Map::default();
        apply_kind(SetKind::Typed, &mut m, &text).unwrap();
        assert_eq!(m.entries.len(), n + 1);
        assert_eq!(m.get("l").unwrap().as_seq().unwrap().len(), n);
        assert!(start.elapsed().as_secs() < 10, "{:?}", start.elapsed());
        // Padding is bounded, in one argument and across arguments.
        let text: String = (0..40).map(|i| format!("p{i}[{MAX_INDEX}]=1,")).collect();
        let e = set_err(&text);
        assert!(e.message.contains("padded"), "{}", e.message);
        let mut padding = Padding::default();
        let mut m = Map::default();
        let mut flags = (0..40).map(|i| {
            let text = format!("p{i}[{MAX_INDEX}]=1");
            apply(&text, SRC, SetKind::Typed, &mut m, &mut fake_reader, &mut padding)
        });
        assert!(flags.by_ref().take(16).all(|r| r.is_ok()));
        let e = flags.next().unwrap().unwrap_err();
        assert_eq!(
            e.message,
            "lists padded with more than 1048576 nulls by the --set, --set-string and --set-file flags together"
        );
    }

    /// Every span must lie in the text, on character boundaries.
    fn check_spans(text: &str, map: &Map) {
        for e in &map.entries {
            if e.key_span.source == SRC {
                assert!(
                    text.get(e.key_span.range()).is_some(),
                    "{text:?} {:?}",
                    e.key_span
                );
            }
            check_node(text, &e.value);
        }
    }

    fn check_node(text: &str, node: &Node) {
        if node.span.source == SRC {
            assert!(text.get(node.span.range()).is_some(), "{text:?} {:?}", node.span);
        }
        match &node.value {
            Value::Map(m) => check_spans(text, m),
            Value::Seq(items) => items.iter().for_each(|n| check_node(text, n)),
            _ => {}
        }
    }

    fn fuzz_one(text: &str, start: &Map) {
        for kind in [SetKind::Typed, SetKind::String, SetKind::File] {
            let mut m = start.clone();
            match apply(text, SRC, kind, &mut m, &mut fake_reader, &mut Padding::default()) {
                Ok(secrets) => {
                    check_spans(text, &m);
                    assert!(secrets.iter().all(|r| text.get(r.clone()).is_some()), "{text:?}");
                }
                Err(e) => {
                    assert!(text.get(e.span.clone()).is_some(), "{text:?} {e:?}");
                    assert!(
                        e.secrets.iter().all(|r| text.get(r.clone()).is_some()),
                        "{text:?} {e:?}"
                    );
                    assert!(!e.message.is_empty());
                }
            }
        }
    }

    #[test]
    fn never_panics_on_short_strings() {
        let alphabet = ['a', '.', '=', ',', '[', ']', '{', '}', '\\', '0', ' ', '1'];
        let start = base(json!({"a": {"a": [1, {"a": null}]}, "1": "x", "": {"a": [[null]]}}));
        let max_len = if cfg!(debug_assertions) { 5 } else { 6 };
        let mut indexes = Vec::new();
        for len in 0..=max_len {
            indexes.clear();
            indexes.resize(len, 0usize);
            loop {
                let text: String = indexes.iter().map(|&i| alphabet[i]).collect();
                fuzz_one(&text, &start);
                // Next combination, odometer style.
                let mut pos = 0;
                while pos < len {
                    indexes[pos] += 1;
                    if indexes[pos] < alphabet.len() {
                        break;
                    }
                    indexes[pos] = 0;
                    pos += 1;
                }
                if pos == len {
                    break;
                }
            }
        }
    }

    #[test]
    fn never_panics_on_random_strings() {
        let pieces = [
            "a", "b", ".", "=", ",", "[", "]", "{", "}", "\\", "0", "1", "-1", "65536", "65537", " ", "é",
            "ſ", "null", "true", "password", "[0]", "[1]", ".x", "=v", "\u{0}",
        ];
        let start = base(json!({"a": [1, [2], {"b": 3}], "b": {"password": "p"}}));
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let len = (next() % 24) as usize;
            let text: String = (0..len)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            fuzz_one(&text, &start);
        }
    }
}
