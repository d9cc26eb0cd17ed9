//! One JSON document read as Go's `encoding/json` reads it into an `any` (what Helm's `--set-json`
//! does with `json.Decoder`): strict JSON, numbers as float64, a repeated key keeps its last value, a
//! lone UTF-16 surrogate in a `\u` escape becomes U+FFFD. As a `json.Decoder` does, a document at the
//! top ends where its last character is: whatever follows is not read (`1x` is the number 1).
//!
//! Every value has the span it was written at. Error messages are Go's.

use crate::core::source::{SourceId, Span};
use crate::tree::{Entry, Map, Node, Value};

/// Deepest nesting of arrays and objects read: our own bound (Go's is 10,000), as the YAML reader's.
pub const MAX_DEPTH: usize = crate::yaml::MAX_DEPTH;

type Result<T> = std::result::Result<T, (std::ops::Range<usize>, String)>;

pub struct Reader<'a> {
    text: &'a str,
    b: &'a [u8],
    /// Where reading is: after a document, where it ended.
    pub pos: usize,
    source: SourceId,
}

impl<'a> Reader<'a> {
    pub fn new(text: &'a str, pos: usize, source: SourceId) -> Reader<'a> {
        Reader {
            text,
            b: text.as_bytes(),
            pos,
            source,
        }
    }

    /// One document, after any whitespace; `pos` is left after it.
    pub fn document(&mut self) -> Result<Node> {
        self.skip_space();
        self.value(0)
    }

    /// The whole text from `pos` as one document, as `json.Unmarshal` reads it: only whitespace may
    /// follow it.
    pub fn whole(&mut self) -> Result<Node> {
        let node = self.document()?;
        self.skip_space();
        match self.peek() {
            None => Ok(node),
            Some(c) => Err(self.unexpected(c, "after top-level value")),
        }
    }

    fn span(&self, start: usize) -> Span {
        Span::new(self.source, start..self.pos)
    }

    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn skip_space(&mut self) {
        while matches!(self.b.get(self.pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// Go's "invalid character 'c' CONTEXT", at the character.
    fn unexpected(&self, c: char, context: &str) -> (std::ops::Range<usize>, String) {
        let shown = match c {
            '\'' => "'\\''".to_string(),
            '"' => "'\"'".to_string(),
            c => {
                let quoted = format!("{:?}", c.to_string());
                format!("'{}'", &quoted[1..quoted.len() - 1])
            }
        };
        (
            self.pos..self.pos + c.len_utf8(),
            format!("invalid character {shown} {context}"),
        )
    }

    fn end_or(&self, c: Option<char>, context: &str) -> (std::ops::Range<usize>, String) {
        match c {
            Some(c) => self.unexpected(c, context),
            None => (self.pos..self.pos, "unexpected EOF".into()),
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node> {
        let start = self.pos;
        match self.peek() {
            Some('{') | Some('[') if depth >= MAX_DEPTH => Err((
                start..start + 1,
                format!("JSON nested deeper than {MAX_DEPTH} levels"),
            )),
            Some('{') => self.object(depth),
            Some('[') => self.array(depth),
            Some('"') => {
                let s = self.string()?;
                Ok(Node::new(Value::Str(s), self.span(start)))
            }
            Some('-' | '0'..='9') => self.number(),
            Some('t') => self.word("true", Value::Bool(true)),
            Some('f') => self.word("false", Value::Bool(false)),
            Some('n') => self.word("null", Value::Null),
            c => Err(self.end_or(c, "looking for beginning of value")),
        }
    }

    fn word(&mut self, word: &str, value: Value) -> Result<Node> {
        let start = self.pos;
        for expected in word.chars() {
            match self.peek() {
                Some(c) if c == expected => self.pos += 1,
                c => {
                    return Err(self.end_or(c, &format!("in literal {word} (expecting '{expected}')")));
                }
            }
        }
        Ok(Node::new(value, self.span(start)))
    }

    fn digits(&mut self) -> usize {
        let from = self.pos;
        while matches!(self.b.get(self.pos), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - from
    }

    fn number(&mut self) -> Result<Node> {
        let start = self.pos;
        if self.b[self.pos] == b'-' {
            self.pos += 1;
        }
        match self.b.get(self.pos) {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.end_or(self.peek(), "in numeric literal")),
        }
        let mut integer = true;
        if self.b.get(self.pos) == Some(&b'.') {
            integer = false;
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.end_or(self.peek(), "after decimal point in numeric literal"));
            }
        }
        if matches!(self.b.get(self.pos), Some(b'e' | b'E')) {
            integer = false;
            self.pos += 1;
            if matches!(self.b.get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.end_or(self.peek(), "in exponent of numeric literal"));
            }
        }
        let written = &self.text[start..self.pos];
        let value = match written.parse::<i64>() {
            Ok(i) if integer => Value::Int(i),
            _ => match written.parse::<f64>() {
                Ok(f) if f.is_finite() => Value::Float(f),
                _ => {
                    return Err((
                        start..self.pos,
                        format!("json: cannot unmarshal number {written} into Go value of type float64"),
                    ))
                }
            },
        };
        Ok(Node::new(value, self.span(start)))
    }

    /// A string at `pos` (its opening quote), decoded.
    fn string(&mut self) -> Result<String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err((self.pos..self.pos, "unexpected EOF".into()));
            };
            match c {
                '"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                '\\' => {
                    self.pos += 1;
                    let escaped = match self.peek() {
                        Some('"') => '"',
                        Some('\\') => '\\',
                        Some('/') => '/',
                        Some('b') => '\u{8}',
                        Some('f') => '\u{c}',
                        Some('n') => '\n',
                        Some('r') => '\r',
                        Some('t') => '\t',
                        Some('u') => {
                            self.pos += 1;
                            let first = self.hex4()?;
                            out.push(self.code_point(first));
                            continue;
                        }
                        c => return Err(self.end_or(c, "in string escape code")),
                    };
                    self.pos += 1;
                    out.push(escaped);
                }
                c if (c as u32) < 0x20 => return Err(self.unexpected(c, "in string literal")),
                c => {
                    self.pos += c.len_utf8();
                    out.push(c);
                }
            }
        }
    }

    /// Four hex digits of a `\u` escape.
    fn hex4(&mut self) -> Result<u32> {
        let mut code = 0;
        for _ in 0..4 {
            match self.peek().and_then(|c| c.to_digit(16)) {
                Some(d) => {
                    code = code * 16 + d;
                    self.pos += 1;
                }
                None => return Err(self.end_or(self.peek(), "in \\u hexadecimal character escape")),
            }
        }
        Ok(code)
    }

    /// The character of a `\u` escape: a surrogate pair when a low surrogate's escape follows a high
    /// one, else U+FFFD for a surrogate (the escape after it is then read on its own).
    fn code_point(&mut self, first: u32) -> char {
        if !(0xD800..0xE000).contains(&first) {
            return char::from_u32(first).unwrap_or('\u{FFFD}');
        }
        if (0xD800..0xDC00).contains(&first) && self.text[self.pos..].starts_with("\\u") {
            let save = self.pos;
            self.pos += 2;
            if let Ok(second) = self.hex4() {
                if (0xDC00..0xE000).contains(&second) {
                    let c = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                    return char::from_u32(c).unwrap_or('\u{FFFD}');
                }
            }
            self.pos = save;
        }
        '\u{FFFD}'
    }

    fn array(&mut self, depth: usize) -> Result<Node> {
        let start = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_space();
        if self.peek() == Some(']') {
            self.pos += 1;
            return Ok(Node::new(Value::Seq(items), self.span(start)));
        }
        loop {
            self.skip_space();
            items.push(self.value(depth + 1)?);
            self.skip_space();
            match self.peek() {
                Some(',') => self.pos += 1,
                Some(']') => {
                    self.pos += 1;
                    return Ok(Node::new(Value::Seq(items), self.span(start)));
                }
                c => return Err(self.end_or(c, "after array element")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Node> {
        let start = self.pos;
        self.pos += 1;
        let mut map = Map::default();
        let mut index = crate::tree::KeyIndex::default();
        self.skip_space();
        if self.peek() == Some('}') {
            self.pos += 1;
            return Ok(Node::new(Value::Map(map), self.span(start)));
        }
        loop {
            self.skip_space();
            let key_start = self.pos;
            if self.peek() != Some('"') {
                return Err(self.end_or(self.peek(), "looking for beginning of object key string"));
            }
            let key = self.string()?;
            let key_span = self.span(key_start);
            self.skip_space();
            if self.peek() != Some(':') {
                return Err(self.end_or(self.peek(), "after object key"));
            }
            self.pos += 1;
            self.skip_space();
            let value = self.value(depth + 1)?;
            let entry = Entry { key, key_span, value };
            match index.find(&map.entries, &entry.key) {
                Some(i) => map.entries[i] = entry,
                None => {
                    map.entries.push(entry);
                    index.added(&map.entries);
                }
            }
            self.skip_space();
            match self.peek() {
                Some(',') => self.pos += 1,
                Some('}') => {
                    self.pos += 1;
                    return Ok(Node::new(Value::Map(map), self.span(start)));
                }
                c => return Err(self.end_or(c, "after object key:value pair")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(text: &str) -> std::result::Result<(serde_json::Value, usize), String> {
        let mut r = Reader::new(text, 0, SourceId(0));
        r.document().map(|n| (n.to_json(), r.pos)).map_err(|(_, m)| m)
    }

    #[test]
    fn documents_as_go_reads_them() {
        assert_eq!(
            read(r#"{"a": [1, 2.5, "x", true, null], "b": {}}"#).unwrap().0,
            json!({"a": [1, 2.5, "x", true, null], "b": {}})
        );
        assert_eq!(read(r#"{"a": 1, "a": 2}"#).unwrap().0, json!({"a": 2}));
        assert_eq!(
            read(r#""\u00e9\ud83d\ude00\ud800x\/""#).unwrap().0,
            json!("é😀\u{FFFD}x/")
        );
        // At the top, a document ends where its characters do.
        assert_eq!(read("1x").unwrap(), (json!(1), 1));
        assert_eq!(read("01").unwrap(), (json!(0), 1));
        assert_eq!(read("truex").unwrap(), (json!(true), 4));
        assert_eq!(read("  [1] ,").unwrap(), (json!([1]), 5));
        assert_eq!(read("-0.5e1").unwrap().0, json!(-5.0));
    }

    #[test]
    fn errors_are_gos() {
        for (text, message) in [
            ("", "unexpected EOF"),
            ("[1,]", "invalid character ']' looking for beginning of value"),
            ("[1 2]", "invalid character '2' after array element"),
            ("{\"a\" 1}", "invalid character '1' after object key"),
            (
                "{\"a\":1 \"b\":2}",
                "invalid character '\"' after object key:value pair",
            ),
            (
                "{,}",
                "invalid character ',' looking for beginning of object key string",
            ),
            ("tru", "unexpected EOF"),
            ("trux", "invalid character 'x' in literal true (expecting 'e')"),
            ("-x", "invalid character 'x' in numeric literal"),
            (
                "1.x",
                "invalid character 'x' after decimal point in numeric literal",
            ),
            ("1ex", "invalid character 'x' in exponent of numeric literal"),
            ("\"a\nb\"", "invalid character '\\n' in string literal"),
            ("\"\\q\"", "invalid character 'q' in string escape code"),
            (
                "\"\\u12g4\"",
                "invalid character 'g' in \\u hexadecimal character escape",
            ),
            (
                "1e400",
                "json: cannot unmarshal number 1e400 into Go value of type float64",
            ),
            ("'a'", "invalid character '\\'' looking for beginning of value"),
        ] {
            assert_eq!(read(text).unwrap_err(), message, "{text:?}");
        }
        let deep = "[".repeat(MAX_DEPTH + 1);
        assert!(read(&deep).unwrap_err().contains("nested deeper"));
        let mut r = Reader::new("{\"a\": 1} x", 0, SourceId(0));
        assert_eq!(
            r.whole().unwrap_err().1,
            "invalid character 'x' after top-level value"
        );
    }
}
