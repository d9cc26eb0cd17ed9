//! `duplicate-key`: a mapping repeats a key; Helm silently keeps only the last one.

use std::ops::Range;

use crate::core::source::Span;
use crate::diagnostic::{Applicability, CheckedBy, Edit, Finding, Fix, Rule, Severity};
use crate::rules::Context;
use crate::yaml::Problem;

pub static RULE: Rule = Rule {
    id: "duplicate-key",
    severity: Severity::Error,
    checked_by: CheckedBy::Lint,
    summary: "a mapping repeats a key; Helm silently keeps only the last one",
    docs: r#"## What it checks
That no mapping sets the same key twice.

## Why it matters
Helm (go-yaml) keeps the last value and drops the first without a word. The setting you read first in
the file is not the one deployed, which is how a cluster ends up with the wrong password or node count.

## How to fix
Delete one of the two keys, keeping the value you mean. Both places are shown.

## Example
```yaml
redis-cluster:
  cluster:
    nodes: 6
    replicas: 1
    nodes: 3      # this one wins
```

## Fix safety
Safe: `--fix` deletes the first of the two, the one Helm drops, so Helm renders the same thing. When
the lines it takes out hold a comment, the fix is unsafe (`--fix --unsafe-fixes`), since the comment
goes with them. A key in a flow mapping (`{a: 1, a: 2}`) is left alone.
"#,
    file: file!(),
};

/// Helm keeps the last value: deleting the first renders the same thing.
pub const FIX: Applicability = Applicability::Safe;

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for problem in cx.problems {
        if let Problem::DuplicateKey { key, first, second } = problem {
            out.push(
                Finding::new(&RULE, format!("key `{key}` is set twice in the same mapping"))
                    .at(*second)
                    .label("this value wins")
                    .related(*first, "first set here; Helm silently drops this value")
                    .help("delete one of the two keys")
                    .fix(drop_first(cx, *first)),
            );
        }
    }
}

/// Deletes the entry whose key is written at `first` (in a block mapping): its lines, from the key
/// to the last line its value goes on over. Unsafe when those lines hold a comment.
fn drop_first(cx: &Context, first: Span) -> Option<Fix> {
    if !cx.sources.contains(first.source) {
        return None;
    }
    let text = &cx.sources.get(first.source).text;
    let (range, comments) = entry_lines(text, first.start as usize)?;
    Some(Fix {
        applicability: if comments { Applicability::Unsafe } else { FIX },
        edits: vec![Edit::at(Span::new(first.source, range), "")],
    })
}

/// The bytes of the block mapping entry whose key starts at `key`, and whether they hold a
/// comment: from the key's line (or, after a `- `, from the key) to the start of what follows the
/// entry's value, which is every line below indented deeper than the key (or a `- ` item at its
/// indentation), with the blank and comment lines among them.
fn entry_lines(text: &str, key: usize) -> Option<(Range<usize>, bool)> {
    let line_start = text[..key].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let prefix = &text[line_start..key];
    let indent = key - line_start;
    let in_item = prefix.contains('-');
    if !prefix.bytes().all(|b| b == b' ' || b == b'-') || (in_item && !prefix.ends_with(' ')) {
        return None;
    }
    // The lines after the key's, each with its start.
    let mut lines = Vec::new();
    let mut at = text[key..].find(['\n', '\r']).map(|i| key + i)?;
    while at < text.len() {
        at += if text[at..].starts_with("\r\n") { 2 } else { 1 };
        let end = text[at..].find(['\n', '\r']).map_or(text.len(), |i| at + i);
        lines.push(at..end);
        at = end;
    }
    let has_comment =
        |line: &str| line.trim_start().starts_with('#') || line.contains(" #") || line.contains("\t#");
    let mut comments = has_comment(&text[key..lines.first().map_or(text.len(), |l| l.start)]);
    let mut last = None;
    let mut pending = false;
    for (i, line) in lines.iter().enumerate() {
        let body = &text[line.clone()];
        let trimmed = body.trim_start_matches(' ');
        let depth = body.len() - trimmed.len();
        if trimmed.trim().is_empty() || trimmed.starts_with('#') {
            pending |= trimmed.starts_with('#');
            continue;
        }
        let item = trimmed == "-" || trimmed.starts_with("- ");
        if depth > indent || (depth == indent && item) {
            comments |= pending || has_comment(body);
            pending = false;
            last = Some(i);
            continue;
        }
        // What follows the entry: the entry's lines go, and the blank and comment lines after
        // its value stay with what follows (after a `- `, the key goes up to the next key).
        if !in_item {
            return Some((line_start..lines[last.map_or(0, |l| l + 1)].start, comments));
        }
        return (depth == indent).then(|| (key..line.start + indent, comments || pending));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dropped(text: &str) -> Option<(String, bool)> {
        let key = text.find("a:").unwrap();
        let (range, comments) = entry_lines(text, key)?;
        Some((
            format!("{}{}", &text[..range.start], &text[range.end..]),
            comments,
        ))
    }

    #[test]
    fn the_first_entry_goes_with_its_value_and_nothing_else() {
        assert_eq!(
            dropped("a: 1\nb: 2\na: 3\n"),
            Some(("b: 2\na: 3\n".into(), false))
        );
        assert_eq!(
            dropped("x:\n  a:\n    - 1\n    - 2\n  # about b\n  b: 2\n  a: 3\n"),
            Some(("x:\n  # about b\n  b: 2\n  a: 3\n".into(), false))
        );
        // A sequence at the key's indentation is its value.
        assert_eq!(
            dropped("a:\n- 1\nb: 2\na: 3\n"),
            Some(("b: 2\na: 3\n".into(), false))
        );
        // Windows line endings stay.
        assert_eq!(
            dropped("a: 1\r\nb: 2\r\na: 3\r\n"),
            Some(("b: 2\r\na: 3\r\n".into(), false))
        );
        // The first key of a sequence item.
        assert_eq!(
            dropped("- a: 1\n  b: 2\n  a: 3\n"),
            Some(("- b: 2\n  a: 3\n".into(), false))
        );
        // A comment that would go makes it unsafe.
        assert_eq!(
            dropped("a: 1 # old\nb: 2\na: 3\n"),
            Some(("b: 2\na: 3\n".into(), true))
        );
        assert_eq!(
            dropped("a:\n  # inside\n  x: 1\nb: 2\na: 3\n"),
            Some(("b: 2\na: 3\n".into(), true))
        );
        // Flow mappings are left alone.
        assert_eq!(dropped("{a: 1, b: 2, a: 3}\n"), None);
    }
}
