//! What the user decided about findings: the per-rule levels of `.acp-check.toml` and the inline
//! suppressions written in the YAML (`# acp-check: ignore[rule-id] reason`). Applied once, after every
//! rule has run and before any reporter sees the findings; rules and reporters know nothing of it.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use crate::config::{Config, Level};
use crate::core::source::{Origin, SourceId, Sources, Span};
use crate::diagnostic::Rule;
use crate::diagnostic::{Finding, Severity};
use crate::rules::suppression::unused_suppression::{self as suppression, RULE as UNUSED_SUPPRESSION};

mod cap;
pub use cap::MAX_PER_RULE_AND_FILE;

/// Applies the config's levels and the inline suppressions, and adds an `unused-suppression` finding
/// for every suppression that silenced nothing. Of each rule's findings in one file, the first
/// [`cap::MAX_PER_RULE_AND_FILE`] are kept and the rest counted in one finding (see [`cap`]); an
/// `unused-suppression` finding past the cap is not even made.
pub fn apply(findings: Vec<Finding>, config: &Config, sources: &Sources) -> Vec<Finding> {
    let mut cap = cap::Cap::default();
    let mut suppressions: Vec<Suppression> = Vec::new();
    // Lines of block scalar content → the line of their header.
    let mut block_header: HashMap<(SourceId, usize), usize> = HashMap::new();
    for (id, source) in sources.iter() {
        // Without the mark there is no suppression to find (the common case: skip the scan).
        if matches!(source.origin, Origin::File | Origin::Stdin) && source.text.contains(MARK) {
            let scan = scan(&source.text);
            suppressions.extend(
                scan.comments
                    .into_iter()
                    .filter_map(|c| directive(id, &source.text, c)),
            );
            block_header.extend(
                scan.block_lines
                    .into_iter()
                    .map(|(line, header)| ((id, line), header)),
            );
        }
    }
    // The suppressions that cover each line of each source.
    let mut covering: HashMap<(SourceId, usize), Vec<usize>> = HashMap::new();
    for (i, s) in suppressions.iter().enumerate() {
        covering.entry((s.source, s.line)).or_default().push(i);
        if s.alone {
            covering.entry((s.source, s.line + 1)).or_default().push(i);
        }
    }
    let mut used: HashSet<(usize, usize)> = HashSet::new();
    let mut kept = Vec::with_capacity(findings.len());
    for mut finding in findings {
        if finding.rule.id != UNUSED_SUPPRESSION.id {
            if let Some(span) = finding.span.filter(|s| sources.contains(s.source)) {
                let line = sources.get(span.source).line_col(span.start as usize).0;
                let header = block_header.get(&(span.source, line)).copied();
                let lines = std::iter::once(line).chain(header);
                let mut silenced = false;
                for i in lines.flat_map(|l| covering.get(&(span.source, l)).into_iter().flatten().copied()) {
                    for (j, (id, _)) in suppressions[i].ids.iter().enumerate() {
                        if id == finding.rule.id {
                            used.insert((i, j));
                            silenced = true;
                        }
                    }
                }
                if silenced {
                    continue;
                }
            }
        }
        match level(config, finding.rule.id) {
            None => cap.keep(&mut kept, finding),
            Some(Level::Off) => {}
            Some(level) => {
                finding.severity = severity(level);
                cap.keep(&mut kept, finding);
            }
        }
    }

    let unused_level = level(config, UNUSED_SUPPRESSION.id);
    if unused_level == Some(Level::Off) {
        kept.extend(cap.left_out());
        return kept;
    }
    let unused_severity = unused_level.map_or(UNUSED_SUPPRESSION.severity, severity);
    // The unused suppressions go to `kept` too, after the other findings: the cap counts them there.
    let first_unused = kept.len();
    for (i, s) in suppressions.iter().enumerate() {
        let span = Span::new(s.source, s.span.clone());
        if s.ids.is_empty() && cap.room(&kept, &UNUSED_SUPPRESSION, Some(span), unused_severity) {
            kept.push(suppression::malformed(span));
        }
        for (j, (id, _)) in s.ids.iter().enumerate() {
            if used.contains(&(i, j)) {
                continue;
            }
            let known_and_off = crate::rules::find(id).is_some() && level(config, id) == Some(Level::Off);
            if id != UNUSED_SUPPRESSION.id && known_and_off {
                // A suppression of a rule switched off by the config is not unused: it waits for
                // the rule to come back on.
                continue;
            }
            if !cap.room(&kept, &UNUSED_SUPPRESSION, Some(span), unused_severity) {
                continue;
            }
            if id == UNUSED_SUPPRESSION.id {
                kept.push(suppression::not_suppressible(span));
            } else if crate::rules::find(id).is_none() {
                let ids: Vec<String> = crate::rules::ALL.iter().map(|r| r.id.to_string()).collect();
                let suggestion = crate::core::text::did_you_mean(id, &ids);
                kept.push(suppression::unknown_rule(span, id, suggestion));
            } else {
                kept.push(suppression::unused(span, id));
            }
        }
    }
    if let Some(level) = unused_level {
        kept[first_unused..]
            .iter_mut()
            .for_each(|f| f.severity = severity(level));
    }
    kept.extend(cap.left_out());
    kept
}

/// `--select` and `--ignore`: switches off every rule `select` does not name (when it names any)
/// and every rule `ignore` names. Each names rule ids or families (the folder a rule is in:
/// `values`, `tls`, …); an unknown name stops the run (exit 2) with a "did you mean".
pub fn select(config: &mut Config, select: &[String], ignore: &[String]) -> Result<(), crate::core::Fatal> {
    let rules = crate::rules::ALL;
    let family = |rule: &Rule| {
        std::path::Path::new(rule.file)
            .parent()
            .and_then(|p| p.file_name())
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let names = |list: &[String], flag: &str| -> Result<Vec<String>, crate::core::Fatal> {
        let mut out = Vec::new();
        for name in list.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
            if !rules.iter().any(|r| r.id == name || family(r) == name) {
                let mut known: Vec<String> = rules.iter().map(|r| r.id.to_string()).collect();
                known.extend(rules.iter().map(|r| family(r)));
                let hint = crate::core::text::did_you_mean(name, &known)
                    .map(|s| format!(": did you mean `{s}`?"))
                    .unwrap_or_default();
                let mut families: Vec<String> = rules.iter().map(|r| family(r)).collect();
                families.sort();
                families.dedup();
                return Err(crate::core::Fatal(format!(
                    "{flag} {name}: no rule or family of rules is called so{hint} (the families: {}; \
                     `acp-check rules` lists the rules)",
                    families.join(", ")
                )));
            }
            out.push(name.to_string());
        }
        Ok(out)
    };
    let select = names(select, "--select")?;
    let ignore = names(ignore, "--ignore")?;
    for rule in rules {
        let named = |list: &[String]| list.iter().any(|n| *n == rule.id || *n == family(rule));
        if (!select.is_empty() && !named(&select)) || named(&ignore) {
            config.rules.insert(rule.id.to_string(), Level::Off);
        }
    }
    Ok(())
}

/// The rules of `candidates` the config leaves on: what a run checks (and reports as passed when
/// they find nothing).
pub fn enabled_rules(config: &Config, candidates: &[&'static Rule]) -> Vec<&'static Rule> {
    candidates
        .iter()
        .copied()
        .filter(|r| level(config, r.id) != Some(Level::Off))
        .collect()
}

fn level(config: &Config, rule: &str) -> Option<Level> {
    config.rules.get(rule).copied()
}

fn severity(level: Level) -> Severity {
    match level {
        Level::Info => Severity::Info,
        Level::Warning => Severity::Warning,
        Level::Error | Level::Off => Severity::Error,
    }
}

/// One `# acp-check:` comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    pub source: SourceId,
    /// 1-based line of the comment.
    pub line: usize,
    /// The comment is alone on its line, so it also covers the line below.
    pub alone: bool,
    /// From the `#` to the closing `]` (to the end of the comment when it is not a suppression).
    pub span: Range<usize>,
    /// The rule ids, each with its byte range; empty when the comment is not a well-formed suppression.
    pub ids: Vec<(String, Range<usize>)>,
}

impl Suppression {
    /// Whether it silences findings whose primary location starts on `line`.
    pub fn covers(&self, line: usize) -> bool {
        self.line == line || (self.alone && self.line + 1 == line)
    }
}

const MARK: &str = "acp-check:";

/// Every `# acp-check:` comment of a YAML text. Only real comments count: a `#` at the start of a line
/// or after a space or tab, outside quoted scalars and block scalars (`|`, `>`).
pub fn parse(source: SourceId, text: &str) -> Vec<Suppression> {
    scan(text)
        .comments
        .into_iter()
        .filter_map(|c| directive(source, text, c))
        .collect()
}

/// A comment found by [`comments`]: its line, whether it is alone on it, its byte range.
struct Comment {
    line: usize,
    alone: bool,
    range: Range<usize>,
}

fn directive(source: SourceId, text: &str, c: Comment) -> Option<Suppression> {
    let comment = &text[c.range.clone()];
    let body = comment[1..].trim_start();
    let rest = body.strip_prefix(MARK)?;
    let after_mark = c.range.end - rest.len();
    let mut suppression = Suppression {
        source,
        line: c.line,
        alone: c.alone,
        span: c.range.start..c.range.end - (comment.len() - comment.trim_end().len()),
        ids: Vec::new(),
    };
    let trimmed = rest.trim_start();
    let Some(list) = trimmed.strip_prefix("ignore[") else {
        return Some(suppression);
    };
    let Some(close) = list.find(']') else {
        return Some(suppression);
    };
    let list_start = after_mark + (rest.len() - trimmed.len()) + "ignore[".len();
    suppression.span.end = list_start + close + 1;
    let mut at = list_start;
    for part in list[..close].split(',') {
        let id = part.trim();
        if !id.is_empty() {
            let start = at + (part.len() - part.trim_start().len());
            suppression.ids.push((id.to_string(), start..start + id.len()));
        }
        at += part.len() + 1;
    }
    Some(suppression)
}

/// What [`scan`] sees in a YAML text.
struct Scan {
    comments: Vec<Comment>,
    /// Each line of block scalar content, with the line of its header (`key: |`): no comment can
    /// be written inside a block scalar, so a suppression of the header covers its content.
    block_lines: Vec<(usize, usize)>,
}

/// The comments of a YAML text, scanning line by line as a YAML reader would see them: quoted scalars
/// (which may span lines) and block scalars hide `#`.
fn scan(text: &str) -> Scan {
    let mut out = Vec::new();
    let mut block_lines = Vec::new();
    // Inside a quoted scalar continued from an earlier line: its quote character.
    let mut quote: Option<u8> = None;
    // Inside a block scalar: the indentation of its parent, of its content once seen, and its header line.
    let mut block: Option<(usize, Option<usize>, usize)> = None;
    let mut offset = 0;
    for (i, raw) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let line = if i == 0 {
            line.trim_start_matches('\u{FEFF}')
        } else {
            line
        };
        let start = start + (raw.trim_end_matches(['\n', '\r']).len() - line.len());
        let bytes = line.as_bytes();
        let indent = bytes.iter().take_while(|&&b| b == b' ').count();
        let blank = line.trim().is_empty();

        if let Some((parent, content, header)) = block {
            if blank {
                continue;
            }
            match content {
                Some(c) if indent >= c => {
                    block_lines.push((i + 1, header));
                    continue;
                }
                None if indent > parent => {
                    block = Some((parent, Some(indent), header));
                    block_lines.push((i + 1, header));
                    continue;
                }
                _ => block = None,
            }
        }

        // Scan for the first `#` outside quotes.
        let mut at_node_start = quote.is_none();
        let mut flow_depth = 0usize;
        let mut comment_at = None;
        let mut k = 0;
        while k < bytes.len() {
            let b = bytes[k];
            if let Some(q) = quote {
                match (q, b) {
                    (b'"', b'\\') => k += 1,
                    (b'"', b'"') => quote = None,
                    (b'\'', b'\'') if bytes.get(k + 1) == Some(&b'\'') => k += 1,
                    (b'\'', b'\'') => quote = None,
                    _ => {}
                }
                k += 1;
                continue;
            }
            let next_is_space = bytes.get(k + 1).is_none_or(|n| *n == b' ' || *n == b'\t');
            match b {
                b'#' if k == 0 || bytes[k - 1] == b' ' || bytes[k - 1] == b'\t' => {
                    comment_at = Some(k);
                    break;
                }
                b' ' | b'\t' => {}
                b'"' | b'\'' if at_node_start => quote = Some(b),
                b'-' | b'?' if at_node_start && next_is_space => {}
                b':' if next_is_space => at_node_start = true,
                b'[' | b'{' if at_node_start => flow_depth += 1,
                b']' | b'}' if flow_depth > 0 => {
                    flow_depth -= 1;
                    at_node_start = false;
                }
                b',' if flow_depth > 0 => at_node_start = true,
                _ => at_node_start = false,
            }
            k += 1;
        }

        let content = &line[..comment_at.unwrap_or(line.len())];
        if let Some(k) = comment_at {
            out.push(Comment {
                line: i + 1,
                alone: content.trim().is_empty(),
                range: start + k..start + line.len(),
            });
        }
        if quote.is_none() && opens_block_scalar(content) {
            block = Some((parent_indent(content), None, i + 1));
        }
    }
    Scan {
        comments: out,
        block_lines,
    }
}

/// Whether a line's content (without its comment) ends with a block scalar header: `key: |`, `- >-`,
/// `key: &anchor |2`.
fn opens_block_scalar(content: &str) -> bool {
    let mut tokens = content.split_whitespace().rev();
    let Some(last) = tokens.next() else {
        return false;
    };
    let mut chars = last.chars();
    if !matches!(chars.next(), Some('|' | '>')) || last.len() > 3 {
        return false;
    }
    if !chars.all(|c| c.is_ascii_digit() || c == '+' || c == '-') {
        return false;
    }
    match tokens.next() {
        None | Some("-") => true,
        Some(t) => t.ends_with(':') || t.starts_with('!') || t.starts_with('&'),
    }
}

/// The indentation a block scalar's content must exceed: that of the key it is the value of, or of
/// the `-` for a sequence entry.
fn parent_indent(content: &str) -> usize {
    let bytes = content.as_bytes();
    let mut k = bytes.iter().take_while(|&&b| b == b' ').count();
    let mut parent = k;
    // `- - key: |`: the key's column; `- |`: the dash's.
    while bytes.get(k) == Some(&b'-') && bytes.get(k + 1).is_some_and(|b| *b == b' ') {
        let after = k + 1 + bytes[k + 1..].iter().take_while(|&&b| b == b' ').count();
        if matches!(bytes.get(after), Some(b'|' | b'>')) {
            return k;
        }
        k = after;
        parent = k;
    }
    parent
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(usize, bool, String, Vec<String>)> {
        parse(SourceId(0), text)
            .into_iter()
            .map(|s| {
                for (id, range) in &s.ids {
                    assert_eq!(&text[range.clone()], id);
                }
                (
                    s.line,
                    s.alone,
                    text[s.span.clone()].to_string(),
                    s.ids.into_iter().map(|(id, _)| id).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn end_of_line_and_alone() {
        let text = "a: 1 # acp-check: ignore[unknown-key] typo kept on purpose\n  # acp-check: ignore[x,  y ]\nb: 2\n";
        assert_eq!(
            found(text),
            [
                (
                    1,
                    false,
                    "# acp-check: ignore[unknown-key]".to_string(),
                    vec!["unknown-key".to_string()]
                ),
                (
                    2,
                    true,
                    "# acp-check: ignore[x,  y ]".to_string(),
                    vec!["x".to_string(), "y".to_string()]
                ),
            ]
        );
    }

    #[test]
    fn hash_in_quotes_and_plain_scalars_is_not_a_comment() {
        let text = concat!(
            "a: \"x # acp-check: ignore[a]\"\n",
            "b: 'it''s # acp-check: ignore[b]'\n",
            "c: x#acp-check: ignore[c]\n",
            "d: don't # acp-check: ignore[d]\n",
            "e: \"multi\n  line # acp-check: ignore[e]\"\n",
            "f: [\"x # y\", 'z'] # acp-check: ignore[f]\n",
        );
        let lines: Vec<usize> = found(text).iter().map(|f| f.0).collect();
        assert_eq!(lines, [4, 7]);
    }

    #[test]
    fn block_scalars_hide_comments() {
        let text = concat!(
            "redis:\n",
            "  configmap: |  # acp-check: ignore[a]\n",
            "    # acp-check: ignore[b]\n",
            "\n",
            "    maxmemory-policy allkeys-lru\n",
            "  # acp-check: ignore[c]\n",
            "list:\n",
            "  - |\n",
            "    # acp-check: ignore[d]\n",
            "  - key: >-\n",
            "      # acp-check: ignore[e]\n",
            "    other: 1 # acp-check: ignore[f]\n",
        );
        let ids: Vec<String> = found(text).into_iter().flat_map(|f| f.3).collect();
        assert_eq!(ids, ["a", "c", "f"]);
    }

    #[test]
    fn malformed_directives_are_kept_without_ids() {
        let text = "a: 1 # acp-check: ignore unknown-key\nb: 2 # acp-check: ignore[]\nc: 3 # acp-checker\n";
        let f = found(text);
        assert_eq!(f.len(), 2);
        assert!(f.iter().all(|s| s.3.is_empty()));
        assert_eq!(f[0].2, "# acp-check: ignore unknown-key");
    }

    #[test]
    fn crlf_and_bom() {
        let text = "\u{FEFF}# acp-check: ignore[a]\r\nb: 1 # acp-check: ignore[b]\r\n";
        let f = found(text);
        assert_eq!(f[0].2, "# acp-check: ignore[a]");
        assert!(f[0].1);
        assert_eq!(f[1].2, "# acp-check: ignore[b]");
    }

    #[test]
    fn covers_its_line_and_when_alone_the_next() {
        let s = parse(
            SourceId(0),
            "# acp-check: ignore[a]\nx: 1 # acp-check: ignore[b]\n",
        );
        assert!(s[0].covers(1) && s[0].covers(2) && !s[0].covers(3));
        assert!(s[1].covers(2) && !s[1].covers(3));
    }
}
