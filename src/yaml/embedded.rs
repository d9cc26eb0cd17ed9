//! YAML written inside a string of a YAML file (an Argo CD Application's `helm.values` block
//! scalar): read as a text of its own, then every span, problem and secret put back where that text
//! is written in the file. A literal block scalar (`|`, `|-`, `|+`) keeps each line of its text on
//! a line of the file, after its indentation, so positions map exactly (as `model::redis_conf`
//! finds each token of a config where it is written); so does a one-line quoted string without
//! escapes. Text that YAML folded or unescaped maps to the string as a whole.

use std::ops::Range;

use super::{parse, Parsed, Problem};
use crate::core::source::Span;
use crate::tree::{Node, Value};

/// Where the lines of a string's text are written in its file.
struct Lines {
    /// Each line of the text that has content: its start in the text, its start in the file, its
    /// length (without its line break). `None`: the text is not written line for line.
    lines: Option<Vec<(usize, usize, usize)>>,
    /// The string's span in the file.
    whole: Span,
}

impl Lines {
    fn of(text: &str, node: &Node, file: &str) -> Lines {
        let whole = node.span;
        let written = file.get(whole.range()).unwrap_or_default();
        // After the header of a block scalar (`|` and its indicators, up to the line break), or
        // the opening quote of a quoted one.
        let mut cursor = match written.as_bytes().first() {
            Some(b'|') => written.find('\n').map_or(written.len(), |n| n + 1),
            Some(b'"' | b'\'') => 1,
            _ => 0,
        };
        let literal = written.starts_with('|');
        let mut lines = Vec::new();
        let mut at = 0;
        let mut exact = true;
        for line in text.split_inclusive('\n') {
            let content = line.trim_end_matches(['\n', '\r']);
            if !content.is_empty() {
                match written[cursor..].find(content) {
                    // Only indentation (and the line breaks of empty lines) between two lines.
                    Some(gap)
                        if written[cursor..cursor + gap]
                            .chars()
                            .all(|c| c == ' ' || (literal && matches!(c, '\n' | '\r'))) =>
                    {
                        lines.push((at, whole.start as usize + cursor + gap, content.len()));
                        cursor += gap + content.len();
                    }
                    _ => {
                        exact = false;
                        break;
                    }
                }
            }
            at += line.len();
        }
        // A quoted string that spans lines was folded by YAML: its lines are not the file's.
        if !literal && text.contains('\n') {
            exact = false;
        }
        Lines {
            lines: exact.then_some(lines),
            whole,
        }
    }

    /// Where an offset of the text is in the file.
    fn offset(&self, lines: &[(usize, usize, usize)], at: usize) -> usize {
        let i = lines.partition_point(|(start, _, _)| *start <= at);
        match i.checked_sub(1).map(|i| lines[i]) {
            Some((start, file, len)) => file + (at - start).min(len),
            None => lines.first().map_or(self.whole.start as usize, |l| l.1),
        }
    }

    fn span(&self, span: Span) -> Span {
        match &self.lines {
            Some(lines) => {
                let start = self.offset(lines, span.start as usize);
                let end = self.offset(lines, span.end as usize).max(start);
                Span::new(self.whole.source, start..end)
            }
            None => self.whole,
        }
    }

    fn range(&self, range: Range<usize>) -> Range<usize> {
        let span = Span::new(self.whole.source, range);
        self.span(span).range()
    }
}

/// The documents of the YAML text a string node holds, read as [`parse`] reads a file, with every
/// span (of nodes, problems, secrets and aliases) where it is written in `file`, the text of the
/// node's source. `None` when the node is not a string.
pub fn parse_embedded(node: &Node, file: &str) -> Option<Parsed> {
    let Value::Str(text) = &node.value else {
        return None;
    };
    let lines = Lines::of(text, node, file);
    let mut parsed = parse(node.span.source, text);
    let to = |span: Span| lines.span(span);
    for doc in &mut parsed.documents {
        doc.map_spans(&to);
    }
    for problem in &mut parsed.problems {
        match problem {
            Problem::Syntax { span, context, .. } => {
                *span = to(*span);
                if let Some((context, _)) = context {
                    *context = to(*context);
                }
            }
            Problem::DuplicateKey { first, second, .. } => {
                *first = to(*first);
                *second = to(*second);
            }
            Problem::Template { span, .. } => *span = to(*span),
        }
    }
    // A secret is known by its text too: masked wherever it shows, however the text maps.
    for range in &parsed.secrets {
        if let Some(secret) = text.get(range.clone()) {
            parsed.decoded.push(secret.to_string());
        }
    }
    parsed.secrets = parsed.secrets.iter().map(|r| lines.range(r.clone())).collect();
    parsed.hidden = parsed.hidden.iter().map(|r| lines.range(r.clone())).collect();
    for (used, anchor) in &mut parsed.aliases {
        *used = to(*used);
        *anchor = to(*anchor);
    }
    Some(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::source::{Origin, Source, SourceId};

    /// The file `text`, the node at `path` in it, and the values it embeds.
    fn embedded(text: &str, path: &[&str]) -> (Source, Parsed) {
        let source = Source::new("app.yaml".into(), Origin::File, text.into());
        let doc = parse(SourceId(0), text).documents.remove(0);
        let parsed = parse_embedded(doc.get(path).unwrap(), text).unwrap();
        (source, parsed)
    }

    fn at(source: &Source, parsed: &Parsed, path: &[&str]) -> (usize, usize, String) {
        let node = parsed.documents[0].get(path).unwrap();
        let (line, column) = source.line_col(node.span.start as usize);
        (line, column, source.text[node.span.range()].to_string())
    }

    #[test]
    fn a_literal_block_maps_every_line_to_its_line_in_the_file() {
        let text = "spec:\n  helm:\n    values: |\n      cluster:\n\n        nodes: 3\n      image:\n        tag: 6.2\n    other: 1\n";
        let (source, parsed) = embedded(text, &["spec", "helm", "values"]);
        assert!(parsed.problems.is_empty());
        assert_eq!(at(&source, &parsed, &["cluster", "nodes"]), (6, 16, "3".into()));
        assert_eq!(at(&source, &parsed, &["image", "tag"]), (8, 14, "6.2".into()));
        let key = parsed.documents[0].as_map().unwrap().entries[1].key_span;
        assert_eq!(&text[key.range()], "image");
    }

    #[test]
    fn problems_and_secrets_point_into_the_file() {
        let text = "values: |-\n  a: 1\n  a: 2\n  password: hunter2\n";
        let (source, parsed) = embedded(text, &["values"]);
        match &parsed.problems[..] {
            [Problem::DuplicateKey { second, .. }] => {
                assert_eq!(source.line_col(second.start as usize), (3, 3))
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(parsed.secrets.len(), 1);
        assert_eq!(&text[parsed.secrets[0].clone()], "hunter2");
        assert!(parsed.decoded.contains(&"hunter2".to_string()));
    }

    #[test]
    fn a_one_line_quoted_string_maps_and_folded_text_maps_to_the_string() {
        let text = "values: \"tag: 6.2\"\n";
        let (source, parsed) = embedded(text, &["values"]);
        assert_eq!(at(&source, &parsed, &["tag"]), (1, 15, "6.2".into()));
        // Folded: the lines of the value are not the file's.
        let text = "values: >\n  a:\n    b: 1\n";
        let (source, parsed) = embedded(text, &["values"]);
        let doc = &parsed.documents[0];
        let whole = parse(SourceId(0), text).documents[0]
            .get(&["values"])
            .unwrap()
            .span;
        assert_eq!(doc.span, whole);
        assert_eq!(source.line_col(doc.span.start as usize), (1, 9));
    }
}
