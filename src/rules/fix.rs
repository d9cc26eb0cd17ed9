//! What the rules' fixes are built from: the text a span holds, and new text written the way the
//! file writes its values (a quoted value stays quoted, with the same quotes). A builder gives
//! `None` when it cannot write the text safely; the rule then offers no fix. Whatever a rule
//! builds, `crate::fix` checks again before applying it: the file parses, and nothing changes
//! but what the fixed findings point at.

use crate::core::source::{SourceId, Sources, Span};
use crate::diagnostic::Edit;
use crate::tree::{Node, Value};

/// The text `span` holds, if it is in a source read.
pub fn written(sources: &Sources, span: Span) -> Option<&str> {
    if !sources.contains(span.source) {
        return None;
    }
    sources.get(span.source).text.get(span.range())
}

/// `text` as a quoted YAML scalar: double quotes, or single quotes when it holds a double quote or
/// a backslash (`None` when it holds both kinds of quote or a control character).
pub fn quoted(text: &str) -> Option<String> {
    if text.chars().any(char::is_control) {
        return None;
    }
    if !text.contains(['"', '\\']) {
        return Some(format!("\"{text}\""));
    }
    (!text.contains('\'')).then(|| format!("'{text}'"))
}

/// Whether `text`, written plain, reads back as the string `text` (as Helm's YAML 1.1 reads it).
pub fn plain_is_string(text: &str) -> bool {
    const INDICATORS: &[char] = &[
        '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`',
    ];
    !text.is_empty()
        && !text.starts_with(INDICATORS)
        && !text.contains(": ")
        && !text.contains(" #")
        && !text.ends_with(':')
        && text.trim() == text
        && !text.chars().any(char::is_control)
        && matches!(crate::yaml::resolve_plain(text), Value::Str(s) if s == text)
}

/// The new text for the scalar written at `span`, holding the string `value` in the style the
/// scalar is written in: in the same quotes, or plain when it was plain and plain reads `value`
/// back as a string (else double-quoted). `None` for a block scalar, or a value no quote keeps.
pub fn scalar(sources: &Sources, span: Span, value: &str) -> Option<String> {
    let old = written(sources, span)?;
    match old.chars().next()? {
        '"' if !value.contains(['"', '\\']) && !value.chars().any(char::is_control) => {
            Some(format!("\"{value}\""))
        }
        '\'' if !value.contains('\'') && !value.chars().any(char::is_control) => Some(format!("'{value}'")),
        '"' | '\'' | '|' | '>' => None,
        _ if plain_is_string(value) => Some(value.to_string()),
        _ => quoted(value),
    }
}

/// The new text for the mapping key written at `span`, renamed to `key` in the quotes it is
/// written in (`None` when those quotes cannot hold it, or plain cannot).
pub fn key(sources: &Sources, span: Span, key: &str) -> Option<String> {
    scalar(sources, span, key)
}

/// An edit that adds `path` (keys below the block mapping `map`) with the scalar text `value`, in
/// the file `source`: the keys of `path` that `source` already writes are followed, the others
/// written nested under each other, before the first entry `source` writes in the deepest mapping
/// found, at its indentation (two spaces deeper per level). `None` when `source` writes the whole
/// path already, writes something else than a mapping on the way, or the mapping is not a block
/// mapping there.
pub fn insert_entry(
    sources: &Sources,
    map: &Node,
    source: SourceId,
    path: &[&str],
    value: &str,
) -> Option<Edit> {
    if !sources.contains(source) {
        return None;
    }
    let mut at = map;
    let mut rest = path;
    while let Some((key, below)) = rest.split_first() {
        let entry = at
            .as_map()?
            .entries
            .iter()
            .find(|e| e.key == *key && e.key_span.source == source);
        match entry {
            Some(entry) if !below.is_empty() => {
                at = &entry.value;
                rest = below;
            }
            Some(_) => return None,
            None => break,
        }
    }
    let first = at
        .as_map()?
        .entries
        .iter()
        .find(|e| e.key_span.source == source)?;
    let text = &sources.get(source).text;
    let start = first.key_span.start as usize;
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let prefix = &text[line_start..start];
    // Indentation, or the `- ` of a sequence item whose mapping this is.
    if !prefix.chars().all(|c| c == ' ' || c == '-') {
        return None;
    }
    let column = prefix.chars().count();
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut written = String::new();
    for (depth, key) in rest.iter().enumerate() {
        if depth > 0 {
            written.push_str(newline);
            written.push_str(&" ".repeat(column + 2 * depth));
        }
        written.push_str(key);
        written.push(':');
        if depth + 1 == rest.len() {
            written.push(' ');
            written.push_str(value);
        }
    }
    written.push_str(newline);
    written.push_str(&" ".repeat(column));
    Some(Edit::beside(Span::new(source, start..start), written))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::source::{Origin, Source, SourceId};

    fn sources(text: &str) -> Sources {
        let mut sources = Sources::default();
        sources.add(Source::new("v.yaml".into(), Origin::File, text.into()));
        sources
    }

    /// `text` with the edit `insert_entry` makes for `path` = `value` in its first document.
    fn inserted(text: &str, path: &[&str], value: &str) -> Option<String> {
        let s = sources(text);
        let parsed = crate::yaml::parse(SourceId(0), text);
        let edit = insert_entry(&s, &parsed.documents[0], SourceId(0), path, value)?;
        let mut out = text.to_string();
        out.replace_range(edit.span.range(), &edit.text);
        Some(out)
    }

    #[test]
    fn an_entry_is_inserted_where_the_file_writes_its_mapping() {
        // The keys written are followed, the others nested at the mapping's indentation.
        assert_eq!(
            inserted("a:\n    b: 1\n    c: 2\n", &["a", "x", "y"], "true").as_deref(),
            Some("a:\n    x:\n      y: true\n    b: 1\n    c: 2\n")
        );
        // In a sequence item's mapping, after its `- `.
        assert_eq!(
            inserted("l:\n  - b: 1\n    c: 2\n", &["l"], "v"),
            None,
            "the path ends at a sequence, not a mapping"
        );
        let s = "- b: 1\n  c: 2\n";
        let parsed = crate::yaml::parse(SourceId(0), s);
        let item = &parsed.documents[0].as_seq().unwrap()[0];
        let edit = insert_entry(&sources(s), item, SourceId(0), &["x"], "1").unwrap();
        let mut out = s.to_string();
        out.replace_range(edit.span.range(), &edit.text);
        assert_eq!(out, "- x: 1\n  b: 1\n  c: 2\n");
        // CRLF stays CRLF; a flow mapping or a path written whole gets no edit.
        assert_eq!(
            inserted("a:\r\n  b: 1\r\n", &["a", "x"], "1").as_deref(),
            Some("a:\r\n  x: 1\r\n  b: 1\r\n")
        );
        assert_eq!(inserted("a: {b: 1}\n", &["a", "x"], "1"), None);
        assert_eq!(inserted("a:\n  x: 1\n", &["a", "x"], "2"), None);
    }

    #[test]
    fn quoting_keeps_the_value_a_string() {
        assert_eq!(quoted("yes").as_deref(), Some("\"yes\""));
        assert_eq!(quoted("a\"b").as_deref(), Some("'a\"b'"));
        assert_eq!(quoted("a\"b'c"), None);
        assert!(plain_is_string("6.2.14"));
        assert!(plain_is_string("noeviction"));
        assert!(!plain_is_string("6.2"), "a float");
        assert!(!plain_is_string("yes"), "a boolean");
        assert!(!plain_is_string("a: b"));
        assert!(!plain_is_string("*x"));
    }

    #[test]
    fn a_scalar_keeps_its_quotes() {
        let s = sources("a: '6.2.7'\nb: \"6.2.7\"\nc: 6.2.7\nd: |\n  x\n");
        let at = |needle: &str| {
            let i = s.get(SourceId(0)).text.find(needle).unwrap();
            Span::new(SourceId(0), i..i + needle.len())
        };
        assert_eq!(scalar(&s, at("'6.2.7'"), "6.2.14").as_deref(), Some("'6.2.14'"));
        assert_eq!(
            scalar(&s, at("\"6.2.7\""), "6.2.14").as_deref(),
            Some("\"6.2.14\"")
        );
        let plain = s.get(SourceId(0)).text.find("c: ").unwrap() + 3;
        let plain = Span::new(SourceId(0), plain..plain + 5);
        assert_eq!(scalar(&s, plain, "6.2.14").as_deref(), Some("6.2.14"));
        assert_eq!(scalar(&s, at("|"), "x"), None);
        // A plain value that plain would read as a number is quoted.
        assert_eq!(scalar(&s, plain, "7.1").as_deref(), Some("\"7.1\""));
    }
}
