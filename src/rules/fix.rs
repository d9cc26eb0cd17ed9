//! What the rules' fixes are built from: the text a span holds, and new text written the way the
//! file writes its values (a quoted value stays quoted, with the same quotes). A builder gives
//! `None` when it cannot write the text safely; the rule then offers no fix. Whatever a rule
//! builds, `crate::fix` checks again before applying it: the file parses, and nothing changes
//! but what the fixed findings point at.

use crate::core::source::{Sources, Span};
use crate::tree::Value;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::source::{Origin, Source, SourceId};

    fn sources(text: &str) -> Sources {
        let mut sources = Sources::default();
        sources.add(Source::new("v.yaml".into(), Origin::File, text.into()));
        sources
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
