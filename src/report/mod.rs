//! Reporters: one trait, one implementation per `--format`. A reporter sees findings with their
//! locations resolved and secrets masked; it knows no rule.

use std::collections::HashMap;
use std::io::{self, Write};
use std::sync::Arc;

use crate::finding::{Finding, Severity};
use crate::input::Loaded;
use crate::source::{SourceId, Span, MASK};

pub mod human;
pub mod json;

/// A resolved place: 1-based lines and columns (end exclusive), the file's name and the JSON pointer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub path: Option<String>,
}

/// What every reporter gets: the findings (masked, sorted) and how to show where they are.
pub struct Report<'a> {
    pub findings: Vec<Finding>,
    pub loaded: Option<&'a Loaded>,
    /// Sources' texts with secrets replaced by `***`, made on first use.
    redacted: std::cell::RefCell<HashMap<SourceId, Arc<crate::source::Redacted>>>,
    /// The JSON pointer of every finding's spans, found on first use.
    pointers: std::cell::OnceCell<HashMap<Span, Option<String>>>,
    /// The secrets read (3 characters or more), longest first: masked wherever a text of the input
    /// reaches the report (messages, JSON pointers).
    secrets: Vec<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl<'a> Report<'a> {
    /// Sorts the findings by place and masks any secret that reached a message.
    pub fn new(mut findings: Vec<Finding>, loaded: Option<&'a Loaded>) -> Report<'a> {
        let mut secrets: Vec<String> = loaded
            .iter()
            .flat_map(|l| l.sources.iter())
            .flat_map(|(_, s)| s.redactions.iter().filter_map(|r| s.text.get(r.clone())))
            .filter(|s| s.len() >= 3)
            .map(str::to_string)
            .collect();
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        let mask = |text: &mut String| mask_secrets(&secrets, text);
        for f in &mut findings {
            mask(&mut f.message);
            f.help.iter_mut().for_each(mask);
            f.label.iter_mut().for_each(mask);
            f.related.iter_mut().for_each(|r| mask(&mut r.message));
        }
        for f in &mut findings {
            shorten(&mut f.message);
            f.help.iter_mut().for_each(shorten);
            f.label.iter_mut().for_each(shorten);
            f.related.iter_mut().for_each(|r| shorten(&mut r.message));
        }
        findings.sort_by_key(|f| {
            (
                f.span.map(|s| (s.source, s.start, s.end)),
                std::cmp::Reverse(f.severity),
            )
        });
        Report {
            findings,
            loaded,
            redacted: Default::default(),
            pointers: Default::default(),
            secrets,
        }
    }

    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for f in &self.findings {
            match f.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Info => s.infos += 1,
            }
        }
        s
    }

    pub fn location(&self, span: Span) -> Option<Location> {
        let loaded = self.loaded?;
        if span.source.0 as usize >= loaded.sources.len() {
            return None;
        }
        let source = loaded.sources.get(span.source);
        let p = source.position(span.range());
        Some(Location {
            file: source.name.clone(),
            line: p.line,
            column: p.column,
            end_line: p.end_line,
            end_column: p.end_column,
            // A key can hold a secret (a whole redis.conf line written as a key, say).
            path: self.pointer(loaded, span).map(|mut path| {
                mask_secrets(&self.secrets, &mut path);
                path
            }),
        })
    }

    /// [`Loaded::pointer`] of a span: for a finding's span, looked up among all findings' pointers.
    fn pointer(&self, loaded: &Loaded, span: Span) -> Option<String> {
        let pointers = self.pointers.get_or_init(|| {
            let spans: std::collections::HashSet<Span> = self
                .findings
                .iter()
                .flat_map(|f| f.span.into_iter().chain(f.related.iter().map(|r| r.span)))
                .collect();
            let mut found = loaded.pointers(&spans);
            spans.into_iter().map(|s| (s, found.remove(&s))).collect()
        });
        match pointers.get(&span) {
            Some(pointer) => pointer.clone(),
            None => loaded.pointer(span),
        }
    }

    /// A source's name and text with secrets masked, and the span mapped into that text.
    pub fn redacted_source(
        &self,
        span: Span,
    ) -> Option<(String, Arc<crate::source::Redacted>, std::ops::Range<usize>)> {
        let loaded = self.loaded?;
        if span.source.0 as usize >= loaded.sources.len() {
            return None;
        }
        let source = loaded.sources.get(span.source);
        let redacted = self
            .redacted
            .borrow_mut()
            .entry(span.source)
            .or_insert_with(|| Arc::new(source.redacted()))
            .clone();
        let range = redacted.offset(span.start as usize)..redacted.offset(span.end as usize);
        Some((source.name.clone(), redacted, range))
    }

    /// Number of files (and flags) read.
    pub fn inputs(&self) -> usize {
        self.loaded.map_or(0, |l| l.sources.len())
    }
}

/// Replaces every secret in `text` with `***`, as written and as escaped in a JSON pointer.
fn mask_secrets(secrets: &[String], text: &mut String) {
    for secret in secrets {
        if text.contains(secret.as_str()) {
            *text = text.replace(secret.as_str(), MASK);
        }
        if secret.contains(['~', '/']) {
            let escaped = secret.replace('~', "~0").replace('/', "~1");
            if text.contains(&escaped) {
                *text = text.replace(&escaped, MASK);
            }
        }
    }
}

/// Most characters of one word (a run without spaces) a message shows: a longer one, such as a
/// megabyte value a rule quotes, keeps its start and its end around the number of characters left out.
pub const MAX_WORD: usize = 200;

fn shorten(text: &mut String) {
    if text.len() <= MAX_WORD {
        return;
    }
    let mut out = String::with_capacity(MAX_WORD * 2);
    let mut changed = false;
    for piece in text.split_inclusive(char::is_whitespace) {
        let word = piece.trim_end_matches(char::is_whitespace);
        let count = word.chars().count();
        if count <= MAX_WORD {
            out.push_str(piece);
            continue;
        }
        changed = true;
        let head: String = word.chars().take(MAX_WORD / 2).collect();
        let tail: String = word.chars().skip(count - 20).collect();
        out.push_str(&format!(
            "{head}…({} characters)…{tail}",
            count - MAX_WORD / 2 - 20
        ));
        out.push_str(&piece[word.len()..]);
    }
    if changed {
        *text = out;
    }
}

/// One output format.
pub trait Reporter {
    fn report(&self, report: &Report, out: &mut dyn Write) -> io::Result<()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_words_in_messages_are_shortened() {
        let mut text = format!("`image.tag: {}` names no version", "x".repeat(1000));
        shorten(&mut text);
        // The value's word is 1000 x and a backquote: 100 characters kept in front, 20 behind.
        let expected = format!(
            "`image.tag: {}…(881 characters)…{}` names no version",
            "x".repeat(100),
            "x".repeat(19)
        );
        assert_eq!(text, expected);
        let mut short = "a message of short words".to_string();
        shorten(&mut short);
        assert_eq!(short, "a message of short words");
    }
}
