//! Reporters: one trait, one implementation per `--format`. A reporter sees findings with their
//! locations resolved and secrets masked; it knows no rule.

use std::collections::HashMap;
use std::io::{self, Write};
use std::sync::Arc;

use crate::finding::{Finding, Severity};
use crate::input::Loaded;
use crate::rules::Rule;
use crate::source::{Origin, SourceId, Span, MASK};

pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod output;
pub mod sarif;

/// Where each rule is documented: the README's rules table (SARIF's `helpUri`, JUnit's properties).
pub const RULES_DOCS_URL: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/README.md#rules");

/// A resolved place: 1-based lines and columns (end exclusive), the file's name and the JSON pointer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub path: Option<String>,
    /// A file, standard input or a `--set` flag: only a file has a path a CI system can open.
    pub origin: Origin,
}

/// Replaces every secret of `sources` that reached a finding's message, help or labels with `***`.
pub fn mask(findings: &mut [Finding], sources: &crate::source::Sources) {
    mask_findings(findings, &secrets_of(sources));
}

/// The secrets read (3 characters or more), longest first.
pub fn secrets_of(sources: &crate::source::Sources) -> Vec<String> {
    let mut secrets: Vec<String> = sources
        .iter()
        .flat_map(|(_, s)| s.redactions.iter().filter_map(|r| s.text.get(r.clone())))
        .filter(|s| s.len() >= 3)
        .map(str::to_string)
        .collect();
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets.dedup();
    secrets
}

/// Replaces `secrets` with `***` in every text of the findings.
pub fn mask_findings(findings: &mut [Finding], secrets: &[String]) {
    let mask = |text: &mut String| mask_secrets(secrets, text);
    for f in findings {
        mask(&mut f.message);
        f.help.iter_mut().for_each(mask);
        f.label.iter_mut().for_each(mask);
        f.log_line.iter_mut().for_each(mask);
        f.target.iter_mut().for_each(mask);
        f.related.iter_mut().for_each(|r| mask(&mut r.message));
    }
}

/// What every reporter gets: the findings (masked, sorted) and how to show where they are.
pub struct Report<'a> {
    pub findings: Vec<Finding>,
    pub loaded: Option<&'a Loaded>,
    /// The rules this run checked (JUnit's test cases); see [`Report::checked`].
    pub checked: Vec<&'static Rule>,
    /// The `host:port` targets a probe checked, with or without findings (JUnit's test suites).
    pub targets: Vec<String>,
    /// Targets whose checks stopped early (unreachable, refused credentials), with why: their
    /// other checks did not run (JUnit's skipped cases).
    pub unreached: Vec<(String, String)>,
    /// Sources' texts with secrets replaced by `***`, made on first use.
    redacted: std::sync::Mutex<HashMap<SourceId, Arc<crate::source::Redacted>>>,
    /// The JSON pointer of every finding's spans, found on first use.
    pointers: std::sync::OnceLock<crate::source::SpanMap<Option<String>>>,
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
        let secrets = loaded.map(|l| secrets_of(&l.sources)).unwrap_or_default();
        mask_findings(&mut findings, &secrets);
        let mut report = Report::masked(findings, loaded);
        report.secrets = secrets;
        report
    }

    /// Sorts findings whose secrets are masked already (by [`crate::lint`], deployment by
    /// deployment: masking each finding with every secret of a large run would take quadratic time),
    /// writes control characters as escapes and shortens overlong words in their texts.
    pub fn masked(mut findings: Vec<Finding>, loaded: Option<&'a Loaded>) -> Report<'a> {
        for f in &mut findings {
            let texts = std::iter::once(&mut f.message)
                .chain(f.help.iter_mut())
                .chain(f.label.iter_mut())
                .chain(f.log_line.iter_mut())
                .chain(f.target.iter_mut())
                .chain(f.related.iter_mut().map(|r| &mut r.message));
            for text in texts {
                escape_controls(text);
                shorten(text);
            }
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
            checked: Vec::new(),
            targets: Vec::new(),
            unreached: Vec::new(),
            redacted: Default::default(),
            pointers: Default::default(),
            // Pointers of a lint are masked already (see `Loaded::keep_for_report`).
            secrets: Vec::new(),
        }
    }

    /// Names the rules that were checked, so that reports can list what passed too. Without it, only
    /// the rules of the findings count as checked.
    pub fn checked(mut self, rules: Vec<&'static Rule>) -> Report<'a> {
        self.checked = rules;
        self
    }

    /// Names the targets a probe checked, so that a target without findings is reported as passed.
    pub fn targets(mut self, targets: Vec<String>) -> Report<'a> {
        self.targets = targets;
        self
    }

    /// Names the targets whose checks stopped early, and why.
    pub fn unreached(mut self, unreached: Vec<(String, String)>) -> Report<'a> {
        self.unreached = unreached;
        self
    }

    /// The rules checked: those named by [`Report::checked`] and those of the findings, in catalogue
    /// order (rules outside the catalogue last).
    pub fn rules_checked(&self) -> Vec<&'static Rule> {
        let mut rules = self.checked.clone();
        for f in &self.findings {
            if !rules.iter().any(|r| r.id == f.rule.id) {
                rules.push(f.rule);
            }
        }
        let order = |r: &&Rule| {
            crate::rules::ALL
                .iter()
                .position(|a| a.id == r.id)
                .unwrap_or(usize::MAX)
        };
        rules.sort_by_key(order);
        rules
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
        if !loaded.sources.contains(span.source) {
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
            origin: source.origin.clone(),
        })
    }

    /// [`Loaded::pointer`] of a span: for a finding's span, looked up among all findings' pointers.
    fn pointer(&self, loaded: &Loaded, span: Span) -> Option<String> {
        let pointers = self.pointers.get_or_init(|| {
            let spans: crate::source::SpanSet = self
                .findings
                .iter()
                .flat_map(|f| f.span.into_iter().chain(f.related.iter().map(|r| r.span)))
                .collect();
            let mut found = loaded.pointers(&spans);
            spans.into_iter().map(|s| (s, found.remove(&s))).collect()
        });
        match pointers.get(&span) {
            Some(Some(pointer)) => Some(pointer.clone()),
            // Not in the documents kept: the lint's own cache (see `Loaded::keep_for_report`).
            _ => loaded.pointer(span),
        }
    }

    /// A source's name and text with secrets masked, and the span mapped into that text.
    pub fn redacted_source(
        &self,
        span: Span,
    ) -> Option<(String, Arc<crate::source::Redacted>, std::ops::Range<usize>)> {
        let loaded = self.loaded?;
        if !loaded.sources.contains(span.source) {
            return None;
        }
        let source = loaded.sources.get(span.source);
        let redacted = self
            .redacted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
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

/// A finding's message followed by the log line the platform would print (live findings) and the
/// help, each on a line of its own, for formats with one text field.
pub fn message_with_help(finding: &Finding) -> String {
    let mut text = finding.message.clone();
    if let Some(line) = &finding.log_line {
        text.push_str("\nthe platform would log: ");
        text.push_str(line);
    }
    if let Some(help) = &finding.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    text
}

/// Replaces every secret in `text` with `***`, as written and as escaped in a JSON pointer.
pub fn mask_secrets(secrets: &[String], text: &mut String) {
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

/// Writes control characters but line feeds as `\u{1b}`: a value or a server's answer quoted in a
/// message must not reach a terminal as a command (clear the screen, set its title) or break a line
/// format.
fn escape_controls(text: &mut String) {
    if let Some(escaped) = escaped(text, true) {
        *text = escaped;
    }
}

fn escaped(text: &str, keep_line_feeds: bool) -> Option<String> {
    let escape = |c: char| c.is_control() && !(keep_line_feeds && c == '\n');
    // Control characters are below 0x20, 0x7F, or (U+0080 to U+009F) start with the byte 0xC2.
    let maybe = text.bytes().any(|b| b < 0x20 || b == 0x7F || b == 0xC2);
    (maybe && text.contains(escape)).then(|| {
        let mut out = String::with_capacity(text.len() + 8);
        for c in text.chars() {
            if escape(c) {
                out.extend(c.escape_unicode());
            } else {
                out.push(c);
            }
        }
        out
    })
}

/// What a user or a server wrote, quoted on one line: cut after `max` characters (ending in `…`),
/// every control character written as an escape.
pub fn preview(text: &str, max: usize) -> String {
    let cut = match text.char_indices().nth(max) {
        Some((at, _)) => &text[..at],
        None => text,
    };
    let mut shown = escaped(cut, false).unwrap_or_else(|| cut.to_string());
    if cut.len() < text.len() {
        shown.push('…');
    }
    shown
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

/// Reports built in-process for the reporters' unit tests: a values file with findings, and a probe
/// finding that has a target instead of a place.
#[cfg(test)]
pub(crate) mod testing {
    use crate::deployment::Deployment;
    use crate::finding::Finding;
    use crate::input::Loaded;
    use crate::rules::{search, topology, yaml};
    use crate::source::{Origin, Source, Sources, Span};

    pub const VALUES: &str =
        "redis-cluster:\n  password: hunter2\n  cluster:\n    replicas: 0\n  password: hunter2\n";

    /// `dir/values 1.yaml` (with a space, to test escaping) holding [`VALUES`], its password masked.
    pub fn loaded() -> Loaded {
        let mut sources = Sources::default();
        let mut source = Source::new("dir/values 1.yaml".into(), Origin::File, VALUES.into());
        for (at, _) in VALUES.match_indices("hunter2") {
            source.redact(at..at + "hunter2".len());
        }
        sources.add(source);
        Loaded {
            sources,
            documents: Vec::new(),
            problems: Vec::new(),
            deployment: Deployment::default(),
            pointers: Default::default(),
        }
    }

    /// The span of the `nth` occurrence of `needle` in [`VALUES`].
    pub fn span(needle: &str, nth: usize) -> Span {
        let (at, _) = VALUES.match_indices(needle).nth(nth).expect("needle in VALUES");
        Span::new(crate::source::SourceId(0), at..at + needle.len())
    }

    /// A duplicate key (error, with a related place), no replicas (warning), and a live finding on
    /// a probe target (no file).
    pub fn findings() -> Vec<Finding> {
        vec![
            Finding::new(
                &yaml::DUPLICATE_KEY,
                "key `password` is set twice in the same mapping",
            )
            .at(span("password", 1))
            .help("delete one of the two keys")
            .related(
                span("password", 0),
                "first set here; Helm silently drops this value",
            ),
            Finding::new(
                &topology::CLUSTER_NO_REPLICAS,
                "`cluster.replicas` is 0: losing a node loses its data",
            )
            .at(span("0", 0)),
            Finding {
                target: Some("127.0.0.1:7000".into()),
                ..Finding::new(
                    &search::SEARCH_MODULE_MISSING,
                    "FT.INFO is an unknown command: RediSearch is not loaded, password hunter2",
                )
                .help("load the module with `loadmodule`")
            },
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previews_are_cut_and_show_control_characters_as_escapes() {
        assert_eq!(preview("ERR bad\x1b[2J\r\n", 80), "ERR bad\\u{1b}[2J\\u{d}\\u{a}");
        assert_eq!(preview("abcdef", 3), "abc…");
        assert_eq!(preview("héé", 3), "héé");
        let mut message = "line one\nbell\x07".to_string();
        escape_controls(&mut message);
        assert_eq!(message, "line one\nbell\\u{7}");
    }

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
