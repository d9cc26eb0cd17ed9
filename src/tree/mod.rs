//! The values tree: what Helm sees after reading YAML, with the span each key and value was written at.
//! Files, `--set` flags and merges all produce and consume this one type.

pub mod merge;

use crate::core::source::{Span, SpanSet};

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    /// Where the value was written (for a mapping or sequence: from its first to its last item).
    pub span: Span,
    /// True when the scalar was written plain (unquoted) in YAML, so that YAML 1.1 typing applied to it.
    pub plain: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Map),
}

/// A mapping in written order; keys are unique (a repeated key replaces the earlier entry).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Map {
    pub entries: Vec<Entry>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

/// Where each key of a mapping is among its entries. Most mappings are small and a scan finds a
/// key faster than hashing it; a mapping may also have millions of keys, so a larger one is
/// indexed by a hash map.
#[derive(Default)]
pub struct KeyIndex(Option<std::collections::HashMap<String, usize>>);

impl KeyIndex {
    /// Entries scanned before a hash map pays.
    const SCANNED: usize = 16;

    /// The index of `entries` as they are.
    pub fn of(entries: &[Entry]) -> KeyIndex {
        let mut index = KeyIndex::default();
        if entries.len() > Self::SCANNED {
            index.0 = Some(Self::hashed(entries));
        }
        index
    }

    fn hashed(entries: &[Entry]) -> std::collections::HashMap<String, usize> {
        entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.key.clone(), i))
            .collect()
    }

    pub fn find(&self, entries: &[Entry], key: &str) -> Option<usize> {
        match &self.0 {
            Some(index) => index.get(key).copied().filter(|&i| i < entries.len()),
            None => entries.iter().position(|e| e.key == key),
        }
    }

    /// The last of `entries` was just added.
    pub fn added(&mut self, entries: &[Entry]) {
        match &mut self.0 {
            Some(index) => {
                let last = entries.len() - 1;
                index.insert(entries[last].key.clone(), last);
            }
            None if entries.len() > Self::SCANNED => self.0 = Some(Self::hashed(entries)),
            None => {}
        }
    }
}

impl Map {
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }

    pub fn entry_mut(&mut self, key: &str) -> Option<&mut Entry> {
        self.entries.iter_mut().find(|e| e.key == key)
    }

    /// Inserts or replaces; a replaced entry keeps its place in the order.
    pub fn insert(&mut self, entry: Entry) {
        match self.entry_mut(&entry.key) {
            Some(old) => *old = entry,
            None => self.entries.push(entry),
        }
    }

    pub fn remove(&mut self, key: &str) -> Option<Entry> {
        let i = self.entries.iter().position(|e| e.key == key)?;
        Some(self.entries.remove(i))
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.key.as_str())
    }
}

impl Node {
    pub fn new(value: Value, span: Span) -> Node {
        Node {
            value,
            span,
            plain: false,
        }
    }

    pub fn as_map(&self) -> Option<&Map> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The value at a path of mapping keys.
    pub fn get(&self, path: &[&str]) -> Option<&Node> {
        let mut node = self;
        for key in path {
            node = node.as_map()?.get(key)?;
        }
        Some(node)
    }

    /// The entry (key and value) at a path of mapping keys.
    pub fn entry(&self, path: &[&str]) -> Option<&Entry> {
        let (last, parent) = path.split_last()?;
        self.get(parent)?.as_map()?.entry(last)
    }

    /// The JSON type name, as schemas and messages call it.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Float(_) => "number",
            Value::Str(_) => "string",
            Value::Seq(_) => "array",
            Value::Map(_) => "object",
        }
    }

    /// Moves every span of the tree (its keys' too) with `to`: a tree read from text embedded in
    /// another (an Argo CD Application's `helm.values`) points where that text is written.
    pub fn map_spans(&mut self, to: &impl Fn(Span) -> Span) {
        self.span = to(self.span);
        match &mut self.value {
            Value::Map(m) => {
                for e in &mut m.entries {
                    e.key_span = to(e.key_span);
                    e.value.map_spans(to);
                }
            }
            Value::Seq(items) => items.iter_mut().for_each(|n| n.map_spans(to)),
            _ => {}
        }
    }

    /// Number of nodes in this tree, itself included.
    pub fn count(&self) -> usize {
        1 + match &self.value {
            Value::Seq(items) => items.iter().map(Node::count).sum(),
            Value::Map(m) => m.entries.iter().map(|e| e.value.count()).sum(),
            _ => 0,
        }
    }

    /// The RFC 6901 pointer of the node (or mapping key) written at `span`, searched from this root.
    pub fn pointer_to(&self, span: Span) -> Option<String> {
        let mut path = Vec::new();
        if self.find_path(span, &mut path) {
            Some(segments_pointer(&path))
        } else {
            None
        }
    }

    /// Calls `found` with the pointer of every node and mapping key whose span is in `wanted`, in the
    /// order [`Node::pointer_to`] searches: the first call for a span is the pointer it would give.
    pub fn pointers_of(&self, wanted: &SpanSet, found: &mut dyn FnMut(Span, String)) {
        let mut path = Vec::new();
        self.walk_spans(wanted, found, &mut path);
    }

    fn walk_spans<'a>(
        &'a self,
        wanted: &SpanSet,
        found: &mut dyn FnMut(Span, String),
        path: &mut Vec<Segment<'a>>,
    ) {
        if wanted.contains(&self.span) {
            found(self.span, segments_pointer(path));
        }
        match &self.value {
            Value::Map(m) => {
                for e in &m.entries {
                    path.push(Segment::Key(&e.key));
                    if wanted.contains(&e.key_span) {
                        found(e.key_span, segments_pointer(path));
                    }
                    e.value.walk_spans(wanted, found, path);
                    path.pop();
                }
            }
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    path.push(Segment::Index(i));
                    item.walk_spans(wanted, found, path);
                    path.pop();
                }
            }
            _ => {}
        }
    }

    /// Searched for every finding of a file: no segment is made into a string until found.
    fn find_path<'a>(&'a self, span: Span, path: &mut Vec<Segment<'a>>) -> bool {
        if self.span == span {
            return true;
        }
        // Merged trees mix sources and merge keys bring in entries from elsewhere: search it all.
        match &self.value {
            Value::Map(m) => {
                for e in &m.entries {
                    path.push(Segment::Key(&e.key));
                    if e.key_span == span || e.value.find_path(span, path) {
                        return true;
                    }
                    path.pop();
                }
                false
            }
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    path.push(Segment::Index(i));
                    if item.find_path(span, path) {
                        return true;
                    }
                    path.pop();
                }
                false
            }
            _ => false,
        }
    }

    /// Converts to JSON for schema validation. Encrypted leaves are the caller's concern.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(m) => J::Object(
                m.entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.to_json()))
                    .collect(),
            ),
        }
    }
}

/// A step of a path into a tree, borrowed while searching.
enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

fn segments_pointer(path: &[Segment]) -> String {
    let segments: Vec<String> = path
        .iter()
        .map(|s| match s {
            Segment::Key(k) => (*k).to_string(),
            Segment::Index(i) => i.to_string(),
        })
        .collect();
    pointer(&segments)
}

/// An RFC 6901 pointer from path segments.
pub fn pointer<S: AsRef<str>>(path: &[S]) -> String {
    let mut out = String::new();
    for seg in path {
        out.push('/');
        out.push_str(&seg.as_ref().replace('~', "~0").replace('/', "~1"));
    }
    out
}

/// The segments of an RFC 6901 pointer.
pub fn pointer_segments(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// Formats a number as Helm's templates print a YAML number: Go's `%v` of a float64.
/// Helm reads every number as float64, so `7.10` prints `7.1` and `1234567` prints `1.234567e+06`.
pub fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf".into() } else { "-Inf".into() };
    }
    if f == 0.0 {
        return "0".into();
    }
    // strconv's shortest 'g' (what %v uses): exponent form when exp < -4 || exp >= 6.
    let sci = format!("{:e}", f); // e.g. "1.234567e6"
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let eprec = 6;
    if exp < -4 || exp >= eprec {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    } else {
        format!("{f}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_float_prints_like_helm() {
        assert_eq!(go_float(6.2), "6.2");
        assert_eq!(go_float(7.10), "7.1");
        assert_eq!(go_float(6.0), "6");
        assert_eq!(go_float(1234567.0), "1.234567e+06");
        assert_eq!(go_float(123456.0), "123456");
        assert_eq!(go_float(0.00001), "1e-05");
        assert_eq!(go_float(12345678.9), "1.23456789e+07");
    }

    #[test]
    fn pointers_escape_slash_and_tilde() {
        assert_eq!(pointer(&["a/b", "c~d"]), "/a~1b/c~0d");
        assert_eq!(pointer_segments("/a~1b/c~0d"), vec!["a/b", "c~d"]);
    }
}
