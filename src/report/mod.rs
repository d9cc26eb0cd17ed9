//! Reporters: one trait, one implementation per `--format`. A reporter sees findings whose secrets
//! are masked, the sources they point into and the JSON pointers of their places; it knows no rule
//! and no input.

use std::collections::HashMap;
use std::io::{self, Write};
use std::sync::Arc;

use crate::core::source::{Origin, Redacted, SourceId, Sources, Span, SpanMap};
use crate::core::text::{escape_controls, shorten};
use crate::diagnostic::{Finding, Rule, Severity};

pub mod checkstyle;
pub mod concise;
pub mod fingerprint;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod output;
pub mod rdjson;
pub mod sarif;
pub mod statistics;

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

/// What every reporter gets: the findings (masked, sorted) and how to show where they are.
pub struct Report<'a> {
    pub findings: Vec<Finding>,
    /// Each finding's fingerprint, in the same order ([`fingerprint`]).
    pub fingerprints: Vec<String>,
    /// Every source read: the findings' spans point into them.
    pub sources: &'a Sources,
    /// The JSON pointer of each span of the findings (masked), where it has one.
    pointers: SpanMap<Option<String>>,
    /// Every rule there is, in catalogue order (SARIF's rule descriptors); see [`Report::catalogue`].
    pub catalogue: &'static [&'static Rule],
    /// The rules this run checked (JUnit's test cases); see [`Report::enabled`].
    pub enabled: Vec<&'static Rule>,
    /// The `host:port` targets a probe checked, with or without findings (JUnit's test suites).
    pub targets: Vec<String>,
    /// Targets whose checks stopped early (unreachable, refused credentials), with why: their
    /// other checks did not run (JUnit's skipped cases).
    pub unreached: Vec<(String, String)>,
    /// Secrets the run read that no source holds (the probe's password). A snippet hides them, and
    /// every secret its source holds wherever it is written again (under a key that names no
    /// secret, say), besides the places marked secret.
    pub secrets: &'a [String],
    /// Files a directory search read and skipped, when a directory was searched.
    pub files: Option<(usize, usize)>,
    /// Sources' texts with secrets replaced by `***`, made on first use.
    redacted: std::sync::Mutex<HashMap<SourceId, Arc<Redacted>>>,
}

/// Findings made ready for a report where they are made (a tree's deployments, each on the core
/// that checked it): control characters in their texts written as escapes, overlong words
/// shortened, and the base of each fingerprint taken ([`fingerprint`]). A report then only sorts
/// them and ranks the fingerprints that would be the same.
#[derive(Default)]
pub struct Prepared {
    findings: Vec<Finding>,
    /// The base of each finding's fingerprint, in the same order.
    bases: Vec<u64>,
}

impl Prepared {
    /// `findings` (masked already) made ready, with the sources and the pointers of their spans.
    pub fn new(
        mut findings: Vec<Finding>,
        sources: &Sources,
        pointers: &SpanMap<Option<String>>,
    ) -> Prepared {
        // On every core for a large report.
        let parts: Vec<&mut [Finding]> = findings.chunks_mut(4096).collect();
        let bases = crate::core::parallel::map(parts, |part| {
            part.iter_mut()
                .map(|f| {
                    for text in f.texts_mut() {
                        escape_controls(text);
                        shorten(text);
                    }
                    fingerprint::base(f, sources, pointers)
                })
                .collect::<Vec<u64>>()
        })
        .into_iter()
        .flatten()
        .collect();
        Prepared { findings, bases }
    }

    /// The findings of several parts (of deployments), in their order.
    pub fn join(parts: Vec<Prepared>) -> Prepared {
        let count = parts.iter().map(|p| p.findings.len()).sum();
        let mut joined = Prepared {
            findings: Vec::with_capacity(count),
            bases: Vec::with_capacity(count),
        };
        for part in parts {
            joined.findings.extend(part.findings);
            joined.bases.extend(part.bases);
        }
        joined
    }

    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl<'a> Report<'a> {
    /// Findings whose secrets are masked already, with the pointers of their spans: sorts them by
    /// place, writes control characters as escapes and shortens overlong words in their texts.
    pub fn new(
        findings: Vec<Finding>,
        sources: &'a Sources,
        pointers: SpanMap<Option<String>>,
        secrets: &'a [String],
    ) -> Report<'a> {
        let prepared = Prepared::new(findings, sources, &pointers);
        Report::prepared(prepared, sources, pointers, secrets)
    }

    /// As [`Report::new`], for findings prepared where they were made.
    pub fn prepared(
        prepared: Prepared,
        sources: &'a Sources,
        pointers: SpanMap<Option<String>>,
        secrets: &'a [String],
    ) -> Report<'a> {
        // By place, then severity; at one place and severity, in the order the checks made them
        // (the catalogue's, for lint; node by node, for a probe).
        type Place<'f> = (
            Option<&'f str>,
            Option<(SourceId, u32, u32)>,
            std::cmp::Reverse<Severity>,
        );
        fn key(f: &Finding) -> Place<'_> {
            (
                f.deployment.as_deref(),
                f.span.map(|s| (s.source, s.start, s.end)),
                std::cmp::Reverse(f.severity),
            )
        }
        let Prepared { findings, bases } = prepared;
        // Their order is sorted, not the findings themselves: a large finding moved at every
        // step of a sort of 40,000 was most of the sort's time.
        let mut order: Vec<usize> = (0..findings.len()).collect();
        order.sort_by(|&a, &b| key(&findings[a]).cmp(&key(&findings[b])));
        let (findings, bases) = if order.iter().enumerate().all(|(at, &i)| at == i) {
            (findings, bases)
        } else {
            let mut slots: Vec<Option<Finding>> = findings.into_iter().map(Some).collect();
            let sorted = order
                .iter()
                .map(|&i| slots[i].take().expect("a permutation takes each finding once"))
                .collect();
            (sorted, order.iter().map(|&i| bases[i]).collect())
        };
        let fingerprints = fingerprint::ranked(&bases);
        Report {
            findings,
            fingerprints,
            sources,
            pointers,
            catalogue: &[],
            enabled: Vec::new(),
            targets: Vec::new(),
            unreached: Vec::new(),
            secrets,
            files: None,
            redacted: Default::default(),
        }
    }

    /// Keeps the findings `keep` takes (given each with its fingerprint), and their fingerprints.
    pub fn retain(&mut self, mut keep: impl FnMut(&Finding, &str) -> bool) {
        let findings = std::mem::take(&mut self.findings);
        let fingerprints = std::mem::take(&mut self.fingerprints);
        for (finding, fingerprint) in findings.into_iter().zip(fingerprints) {
            if keep(&finding, &fingerprint) {
                self.findings.push(finding);
                self.fingerprints.push(fingerprint);
            }
        }
    }

    /// The fingerprint of the finding at `index` of [`Report::findings`].
    pub fn fingerprint(&self, index: usize) -> &str {
        &self.fingerprints[index]
    }

    /// Names the rules that were checked, so that reports can list what passed too. Without it, only
    /// the rules of the findings count as checked.
    pub fn enabled(mut self, rules: Vec<&'static Rule>) -> Report<'a> {
        self.enabled = rules;
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

    /// The files directory searches read and skipped, for the summary line.
    pub fn files(mut self, files: Option<(usize, usize)>) -> Report<'a> {
        self.files = files;
        self
    }

    /// Names every rule there is, for formats that describe them all.
    pub fn catalogue(mut self, rules: &'static [&'static Rule]) -> Report<'a> {
        self.catalogue = rules;
        self
    }

    /// The rules the run checked: those named by [`Report::enabled`] and those of the findings, in
    /// catalogue order (rules outside the catalogue last).
    pub fn rules_run(&self) -> Vec<&'static Rule> {
        let mut rules = self.enabled.clone();
        for f in &self.findings {
            if !rules.iter().any(|r| r.id == f.rule.id) {
                rules.push(f.rule);
            }
        }
        let order = |r: &&Rule| {
            self.catalogue
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
        let (file, p) = self.position(span)?;
        Some(Location {
            file: file.to_string(),
            line: p.line,
            column: p.column,
            end_line: p.end_line,
            end_column: p.end_column,
            path: self.pointer(span).map(str::to_string),
            origin: self.sources.get(span.source).origin.clone(),
        })
    }

    /// The file's name and the lines and columns of a place (what [`Report::location`] copies).
    pub fn position(&self, span: Span) -> Option<(&'a str, crate::core::source::Position)> {
        if !self.sources.contains(span.source) {
            return None;
        }
        let source = self.sources.get(span.source);
        Some((&source.name, source.position(span.range())))
    }

    /// The JSON pointer of a place, if it has one.
    pub fn pointer(&self, span: Span) -> Option<&str> {
        self.pointers.get(&span)?.as_deref()
    }

    /// A source's name and text with secrets masked, and the span mapped into that text.
    pub fn redacted_source(&self, span: Span) -> Option<(String, Arc<Redacted>, std::ops::Range<usize>)> {
        if !self.sources.contains(span.source) {
            return None;
        }
        let source = self.sources.get(span.source);
        let redacted = self
            .redacted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(span.source)
            .or_insert_with(|| Arc::new(source.redacted_with(&source.occurrences(self.secrets))))
            .clone();
        let range = redacted.offset(span.start as usize)..redacted.offset(span.end as usize);
        Some((source.name.clone(), redacted, range))
    }

    /// Number of files (and flags) read.
    pub fn inputs(&self) -> usize {
        self.sources.len()
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

/// One output format.
pub trait Reporter {
    fn report(&self, report: &Report, out: &mut dyn Write) -> io::Result<()>;
}

/// Reports built in-process for the reporters' unit tests: a values file with findings, and a probe
/// finding that has a target instead of a place. The rules are stand-ins: reporters know no rule.
#[cfg(test)]
pub(crate) mod testing {
    use crate::core::redact::Redactor;
    use crate::core::source::{Origin, Source, SourceId, Sources, Span};
    use crate::diagnostic::{self, CheckedBy, Finding, Rule, Severity};

    use super::Report;

    pub const VALUES: &str =
        "redis-cluster:\n  password: hunter2\n  cluster:\n    replicas: 0\n  password: hunter2\n";

    const fn rule(id: &'static str, severity: Severity, summary: &'static str) -> Rule {
        Rule {
            id,
            severity,
            checked_by: CheckedBy::Lint,
            summary,
            docs: "## What it checks\nWhat a stand-in rule for the reporters' tests checks.\n\n## How to fix\nNothing.\n",
            file: file!(),
        }
    }

    pub static YAML_SYNTAX: Rule = rule(
        "yaml-syntax",
        Severity::Error,
        "the file is not YAML that Helm can read",
    );
    pub static DUPLICATE_KEY: Rule = rule(
        "duplicate-key",
        Severity::Error,
        "a mapping repeats a key; Helm silently keeps only the last one",
    );
    pub static ENCRYPTED_VALUE: Rule = rule(
        "encrypted-value",
        Severity::Info,
        "a SOPS-encrypted value stops a check",
    );
    pub static CLUSTER_NO_REPLICAS: Rule = rule(
        "cluster-no-replicas",
        Severity::Warning,
        "cluster.replicas is 0: losing a node loses its data",
    );
    pub static SEARCH_MODULE_MISSING: Rule = rule(
        "search-module-missing",
        Severity::Error,
        "search is used but no `loadmodule …redisearch….so` is configured",
    );
    /// The stand-ins' catalogue.
    pub static RULES: &[&Rule] = &[
        &YAML_SYNTAX,
        &DUPLICATE_KEY,
        &ENCRYPTED_VALUE,
        &CLUSTER_NO_REPLICAS,
        &SEARCH_MODULE_MISSING,
    ];

    /// `dir/values 1.yaml` (with a space, to test escaping) holding [`VALUES`], its password masked.
    pub fn sources() -> Sources {
        let mut sources = Sources::default();
        let mut source = Source::new("dir/values 1.yaml".into(), Origin::File, VALUES.into());
        for (at, _) in VALUES.match_indices("hunter2") {
            source.redact(at..at + "hunter2".len());
        }
        sources.add(source);
        sources
    }

    /// A report of `findings` over `sources`, masked as the pipelines mask them.
    pub fn report(mut findings: Vec<Finding>, sources: &Sources) -> Report<'_> {
        diagnostic::mask(&mut findings, &Redactor::of(sources));
        Report::new(findings, sources, Default::default(), &[]).catalogue(RULES)
    }

    /// The span of the `nth` occurrence of `needle` in [`VALUES`].
    pub fn span(needle: &str, nth: usize) -> Span {
        let (at, _) = VALUES.match_indices(needle).nth(nth).expect("needle in VALUES");
        Span::new(SourceId(0), at..at + needle.len())
    }

    /// A duplicate key (error, with a related place), no replicas (warning), and a live finding on
    /// a probe target (no file).
    pub fn findings() -> Vec<Finding> {
        vec![
            Finding::new(&DUPLICATE_KEY, "key `password` is set twice in the same mapping")
                .at(span("password", 1))
                .help("delete one of the two keys")
                .related(
                    span("password", 0),
                    "first set here; Helm silently drops this value",
                ),
            Finding::new(
                &CLUSTER_NO_REPLICAS,
                "`cluster.replicas` is 0: losing a node loses its data",
            )
            .at(span("0", 0)),
            Finding {
                target: Some("127.0.0.1:7000".into()),
                ..Finding::new(
                    &SEARCH_MODULE_MISSING,
                    "FT.INFO is an unknown command: RediSearch is not loaded, password hunter2",
                )
                .help("load the module with `loadmodule`")
            },
        ]
    }
}
