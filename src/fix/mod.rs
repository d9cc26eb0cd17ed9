//! `--fix`, `--unsafe-fixes` and `--diff`: the fixes the rules offer ([`crate::diagnostic::Fix`]),
//! screened, applied and proved.
//!
//! - [`screen`] drops the fixes that must never be offered: one that edits anything but a file
//!   (standard input, a `--set` flag), a file holding SOPS ciphertext, text that is secret, or that
//!   writes a secret.
//! - [`apply`] works out each file's fixed text: the fixes whose edits do not overlap, applied
//!   together, then proved: the fixed text must parse, hold no key twice that was not twice
//!   before, and read as the same values everywhere but where a fixed finding points (a fix that
//!   fails the proof is tried alone, and dropped if it fails alone). Comments, quoting,
//!   indentation, line endings and a byte order mark are kept: the edits touch only their bytes.
//! - [`diff`] shows the fixed text against the old as a unified diff, [`write`] replaces a file
//!   with it atomically.

pub mod diff;
pub mod write;

use std::ops::Range;

use crate::core::redact::Redactor;
use crate::core::source::{Origin, Source, SourceId, Sources, Span};
use crate::diagnostic::{Applicability, Edit, Finding, Fix};
use crate::tree::{Node, Value};
use crate::yaml::{self, Problem};

/// Drops every fix that must not be offered (see the module's docs). `secrets` are the secrets of
/// the deployment the findings are about.
pub fn screen(findings: &mut [Finding], sources: &Sources, secrets: &Redactor) {
    for finding in findings.iter_mut().filter(|f| f.fix.is_some()) {
        if !finding
            .fix
            .as_ref()
            .is_some_and(|fix| admissible(fix, sources, secrets))
        {
            finding.fix = None;
        }
    }
}

/// Whether a fix may be offered: every edit in a file acp-check may edit, within its text and on
/// character boundaries, not overlapping another edit of the fix; no replaced text secret; no
/// text written that holds a secret.
pub fn admissible(fix: &Fix, sources: &Sources, secrets: &Redactor) -> bool {
    if fix.edits.is_empty() {
        return false;
    }
    let mut ranges: Vec<(SourceId, Range<usize>)> = Vec::with_capacity(fix.edits.len());
    for edit in &fix.edits {
        let Some(source) = editable(sources, edit.span.source) else {
            return false;
        };
        let range = edit.span.range();
        if range.start > range.end
            || !source.text.is_char_boundary(range.start)
            || !source.text.is_char_boundary(range.end)
        {
            return false;
        }
        // A deletion may take a secret out with the lines it deletes; nothing else touches one.
        let deletes_lines = edit.text.is_empty();
        let touches_secret = source
            .redactions
            .iter()
            .any(|r| r.start < range.end.max(range.start + 1) && range.start < r.end);
        if touches_secret && !deletes_lines {
            return false;
        }
        if !secrets.hidden(&edit.text).is_empty()
            || source.secrets().any(|s| !s.is_empty() && edit.text.contains(s))
        {
            return false;
        }
        if ranges
            .iter()
            .any(|(id, r)| *id == edit.span.source && overlap(r, &range))
        {
            return false;
        }
        ranges.push((edit.span.source, range));
    }
    true
}

/// The source `id`, if acp-check may edit it: a file (not standard input or a flag) that holds no
/// SOPS ciphertext and no SOPS metadata.
fn editable(sources: &Sources, id: SourceId) -> Option<&Source> {
    if !sources.contains(id) {
        return None;
    }
    let source = sources.get(id);
    let sops = source.text.contains("ENC[") || source.text.lines().any(|l| l.starts_with("sops:"));
    (source.origin == Origin::File && !sops).then_some(source)
}

fn overlap(a: &Range<usize>, b: &Range<usize>) -> bool {
    // Two insertions at one place, or an insertion inside a replaced range, overlap too.
    a.start < b.end.max(b.start + 1) && b.start < a.end.max(a.start + 1)
}

/// One file's fixed text.
#[derive(Debug)]
pub struct Change {
    pub source: SourceId,
    pub text: String,
    /// How many findings its fixes fix.
    pub fixed: usize,
}

/// The fixed text of every file the findings' fixes edit: the safe fixes, and the unsafe ones too
/// with `unsafe_fixes`. A fix that edits several files is not applied (no rule makes one yet).
pub fn apply(findings: &[Finding], sources: &Sources, unsafe_fixes: bool) -> Vec<Change> {
    let mut by_source: Vec<(SourceId, Vec<&Finding>)> = Vec::new();
    for finding in findings {
        let Some(fix) = &finding.fix else { continue };
        if fix.applicability == Applicability::Unsafe && !unsafe_fixes {
            continue;
        }
        let Some(first) = fix.edits.first() else { continue };
        if fix.edits.iter().any(|e| e.span.source != first.span.source) {
            continue;
        }
        match by_source.iter_mut().find(|(id, _)| *id == first.span.source) {
            Some((_, list)) => list.push(finding),
            None => by_source.push((first.span.source, vec![finding])),
        }
    }
    by_source
        .into_iter()
        .filter_map(|(id, fixes)| fix_source(id, sources.get(id), fixes))
        .collect()
}

/// One file's fixes applied and proved.
fn fix_source(id: SourceId, source: &Source, mut findings: Vec<&Finding>) -> Option<Change> {
    let old = &source.text;
    let before = yaml::parse(id, old);
    if before.failed
        || before
            .problems
            .iter()
            .any(|p| matches!(p, Problem::Syntax { .. }))
    {
        return None;
    }
    findings.sort_by_key(|f| fix_of(f).edits.iter().map(|e| e.span.start).min());
    // The fixes that do not overlap, each once (two findings may offer the same fix).
    let mut chosen: Vec<&Finding> = Vec::new();
    let mut fixed = 0;
    for finding in findings {
        let fix = fix_of(finding);
        if chosen.iter().any(|c| fix_of(c).edits == fix.edits) {
            fixed += 1;
            continue;
        }
        let clashes = chosen.iter().any(|c| {
            fix_of(c).edits.iter().any(|a| {
                fix.edits
                    .iter()
                    .any(|b| overlap(&a.span.range(), &b.span.range()))
            })
        });
        if !clashes {
            chosen.push(finding);
            fixed += 1;
        }
    }
    let text = edited(old, &chosen);
    if proved(&before, id, &text, &chosen) {
        return (text != *old).then_some(Change {
            source: id,
            text,
            fixed,
        });
    }
    // Together they fail the proof: keep each that passes it with those kept before it.
    let mut kept: Vec<&Finding> = Vec::new();
    for finding in chosen {
        kept.push(finding);
        if !proved(&before, id, &edited(old, &kept), &kept) {
            kept.pop();
        }
    }
    let text = edited(old, &kept);
    (text != *old).then_some(Change {
        source: id,
        fixed: kept.len(),
        text,
    })
}

fn fix_of(finding: &Finding) -> &Fix {
    finding
        .fix
        .as_ref()
        .expect("only findings with a fix are applied")
}

/// `text` with the edits of every fix applied (they do not overlap).
fn edited(text: &str, findings: &[&Finding]) -> String {
    let mut edits: Vec<&Edit> = findings.iter().flat_map(|f| &fix_of(f).edits).collect();
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for edit in edits {
        out.push_str(&text[at..edit.span.start as usize]);
        out.push_str(&edit.text);
        at = edit.span.end as usize;
    }
    out.push_str(&text[at..]);
    out
}

/// Whether the fixed text is what the fixes promise: it parses, holds no more duplicate keys, and
/// reads as the same values but where a fixed finding points (or an edit writes).
fn proved(before: &yaml::Parsed, id: SourceId, text: &str, fixes: &[&Finding]) -> bool {
    let after = yaml::parse(id, text);
    let duplicates = |p: &yaml::Parsed| {
        p.problems
            .iter()
            .filter(|p| matches!(p, Problem::DuplicateKey { .. }))
            .count()
    };
    if after.failed
        || after.problems.iter().any(|p| matches!(p, Problem::Syntax { .. }))
        || duplicates(&after) > duplicates(before)
        || after.documents.len() != before.documents.len()
    {
        return false;
    }
    // What may change: the value each fixed finding points at, and, where its fix renames the key
    // it points at, the key's new name.
    let mut allowed: Vec<(usize, Vec<String>)> = Vec::new();
    for finding in fixes {
        let Some(span) = finding.span.filter(|s| s.source == id) else {
            continue;
        };
        let Some((doc, path, is_key)) = place(&before.documents, span.range()) else {
            continue;
        };
        for edit in fix_of(finding).edits.iter().filter(|e| is_key && e.span == span) {
            let mut renamed = path[..path.len() - 1].to_vec();
            renamed.push(unquoted(&edit.text).to_string());
            allowed.push((doc, renamed));
        }
        allowed.push((doc, path));
    }
    // And what the edits written beside it declare: the keys an insertion adds to the mapping it
    // is inserted in, the value a replacement replaces.
    let mut adding: Vec<(usize, Vec<String>)> = Vec::new();
    for edit in fixes.iter().flat_map(|f| &fix_of(f).edits).filter(|e| e.beside) {
        let Some((doc, path, is_key)) = place(&before.documents, edit.span.range()) else {
            continue;
        };
        match (edit.span.start == edit.span.end, is_key) {
            (true, true) => adding.push((doc, path[..path.len() - 1].to_vec())),
            (false, false) => allowed.push((doc, path)),
            _ => {}
        }
    }
    before
        .documents
        .iter()
        .zip(&after.documents)
        .enumerate()
        .all(|(doc, (old, new))| {
            let mut changed = Vec::new();
            differences(old, new, &mut Vec::new(), &mut changed);
            changed.iter().all(|path| {
                allowed.iter().any(|(d, a)| *d == doc && path.starts_with(a))
                    || (adding.iter().any(|(d, parent)| {
                        *d == doc && path.len() == parent.len() + 1 && path.starts_with(parent)
                    }) && at_path(old, path).is_none())
            })
        })
}

/// The node at a path of keys and sequence indices.
fn at_path<'n>(node: &'n Node, path: &[String]) -> Option<&'n Node> {
    path.iter().try_fold(node, |node, key| match &node.value {
        Value::Map(map) => map.get(key),
        Value::Seq(items) => items.get(key.parse::<usize>().ok()?),
        _ => None,
    })
}

/// A scalar's text without the quotes around it.
fn unquoted(text: &str) -> &str {
    let b = text.as_bytes();
    if b.len() >= 2 && matches!(b[0], b'"' | b'\'') && b[b.len() - 1] == b[0] {
        &text[1..text.len() - 1]
    } else {
        text
    }
}

/// Where a byte range is in the documents: the document, the path of the innermost key or value
/// that holds it, and whether that is a key.
fn place(documents: &[Node], range: Range<usize>) -> Option<(usize, Vec<String>, bool)> {
    let holds = |span: Span| span.start as usize <= range.start && range.end <= span.end as usize;
    let (doc, mut node) = documents.iter().enumerate().find(|(_, d)| holds(d.span))?;
    let mut path = Vec::new();
    'down: loop {
        match &node.value {
            Value::Map(map) => {
                for entry in &map.entries {
                    if holds(entry.key_span) {
                        path.push(entry.key.clone());
                        return Some((doc, path, true));
                    }
                    if holds(entry.value.span) {
                        path.push(entry.key.clone());
                        node = &entry.value;
                        continue 'down;
                    }
                }
            }
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    if holds(item.span) {
                        path.push(i.to_string());
                        node = item;
                        continue 'down;
                    }
                }
            }
            _ => {}
        }
        return Some((doc, path, false));
    }
}

/// The paths at which two trees read differently: a key in one only, a value of another type or
/// value, a sequence of another length.
fn differences(old: &Node, new: &Node, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match (&old.value, &new.value) {
        (Value::Map(a), Value::Map(b)) => {
            for entry in &a.entries {
                path.push(entry.key.clone());
                match b.get(&entry.key) {
                    Some(other) => differences(&entry.value, other, path, out),
                    None => out.push(path.clone()),
                }
                path.pop();
            }
            for entry in b.entries.iter().filter(|e| a.get(&e.key).is_none()) {
                path.push(entry.key.clone());
                out.push(path.clone());
                path.pop();
            }
        }
        (Value::Seq(a), Value::Seq(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                path.push(i.to_string());
                differences(x, y, path, out);
                path.pop();
            }
        }
        (Value::Float(a), Value::Float(b)) if a.is_nan() && b.is_nan() => {}
        (a, b)
            if std::mem::discriminant(a) == std::mem::discriminant(b)
                && !matches!(a, Value::Map(_) | Value::Seq(_))
                && a == b => {}
        _ => out.push(path.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{CheckedBy, Rule, Severity};

    static RULE: Rule = Rule {
        id: "stand-in",
        severity: Severity::Warning,
        checked_by: CheckedBy::Lint,
        summary: "a stand-in",
        docs: "",
        file: file!(),
    };

    fn sources(text: &str) -> Sources {
        let mut sources = Sources::default();
        sources.add(Source::new("v.yaml".into(), Origin::File, text.into()));
        sources
    }

    fn finding(text: &str, needle: &str, new: &str, applicability: Applicability) -> Finding {
        let at = text.find(needle).unwrap();
        let span = Span::new(SourceId(0), at..at + needle.len());
        Finding::new(&RULE, "x")
            .at(span)
            .fix(Some(Fix::replace(applicability, span, new)))
    }

    #[test]
    fn fixes_apply_together_and_unsafe_ones_only_when_asked() {
        let text = "a: yes # keep\nb:\n  c: 6.20\n";
        let s = sources(text);
        let findings = vec![
            finding(text, "yes", "\"yes\"", Applicability::Safe),
            finding(text, "6.20", "\"6.20\"", Applicability::Unsafe),
        ];
        let safe = apply(&findings, &s, false);
        assert_eq!(safe[0].text, "a: \"yes\" # keep\nb:\n  c: 6.20\n");
        let all = apply(&findings, &s, true);
        assert_eq!(all[0].text, "a: \"yes\" # keep\nb:\n  c: \"6.20\"\n");
        assert_eq!(all[0].fixed, 2);
    }

    #[test]
    fn a_fix_that_changes_another_value_or_breaks_the_file_is_dropped() {
        let text = "a: 1\nb: 2\n";
        let s = sources(text);
        // Pointed at `a`, but edits `b`.
        let at = text.find('2').unwrap();
        let wrong = Finding::new(&RULE, "x")
            .at(Span::new(SourceId(0), 3..4))
            .fix(Some(Fix::replace(
                Applicability::Safe,
                Span::new(SourceId(0), at - 3..at - 2),
                "c",
            )));
        let breaks = finding(text, "1", "[", Applicability::Safe);
        let good = finding(text, "1", "\"1\"", Applicability::Safe);
        assert!(apply(&[wrong], &s, true).is_empty());
        assert!(apply(&[breaks], &s, true).is_empty());
        assert_eq!(apply(&[good], &s, true)[0].text, "a: \"1\"\nb: 2\n");
    }

    #[test]
    fn no_fix_is_offered_for_a_flag_stdin_sops_or_a_secret() {
        let secrets = Redactor::default();
        let mut s = Sources::default();
        s.add(Source::new(
            "--set #1".into(),
            Origin::Flag {
                flag: "--set",
                index: 1,
            },
            "a=yes".into(),
        ));
        s.add(Source::new(
            "sops.yaml".into(),
            Origin::File,
            "a: yes\nsops:\n  version: 3\n".into(),
        ));
        let mut file = Source::new("v.yaml".into(), Origin::File, "password: yes\nb: no\n".into());
        file.redact(10..13);
        s.add(file);
        let fix = |id: u32, range: Range<usize>, text: &str| {
            Fix::replace(Applicability::Safe, Span::new(SourceId(id), range), text)
        };
        assert!(!admissible(&fix(0, 2..5, "\"yes\""), &s, &secrets));
        assert!(!admissible(&fix(1, 3..6, "\"yes\""), &s, &secrets));
        assert!(!admissible(&fix(2, 10..13, "\"yes\""), &s, &secrets));
        assert!(admissible(&fix(2, 17..19, "\"no\""), &s, &secrets));
        // Writing the secret elsewhere is refused too.
        let mut known = Redactor::default();
        known.add("hunter2");
        assert!(!admissible(&fix(2, 17..19, "hunter2"), &s, &known));
    }
}
