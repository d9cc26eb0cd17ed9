//! What a check reports: the [`Rule`] it is about and the [`Finding`]s it makes. One finding model
//! serves every check, lint's and probe's, and every output format.

use serde::Serialize;

use crate::core::redact::Redactor;
use crate::core::source::Span;

/// A rule: a stable id, a default severity, a one-line summary and a page of docs.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    /// Stable kebab-case id: scripts, configs and suppressions use it.
    pub id: &'static str,
    pub severity: Severity,
    pub checked_by: CheckedBy,
    pub summary: &'static str,
    /// Markdown with the headings *What it checks*, *Why it matters*, *How to fix*, *Example*.
    pub docs: &'static str,
    /// The source file that defines the rule (`file!()`): its docs, messages and check, named
    /// after its id.
    pub file: &'static str,
}

/// Which commands check a rule: `lint` reads values files, `probe` asks the live Redis. A rule
/// both check means the same thing in both (the version policy, the module, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckedBy {
    Lint,
    Probe,
    LintAndProbe,
}

impl CheckedBy {
    pub fn by_lint(self) -> bool {
        matches!(self, CheckedBy::Lint | CheckedBy::LintAndProbe)
    }

    pub fn by_probe(self) -> bool {
        matches!(self, CheckedBy::Probe | CheckedBy::LintAndProbe)
    }

    /// The commands, as `acp-check rules` lists them.
    pub fn commands(self) -> &'static [&'static str] {
        match self {
            CheckedBy::Lint => &["lint"],
            CheckedBy::Probe => &["probe"],
            CheckedBy::LintAndProbe => &["lint", "probe"],
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A problem found, located by spans; lines and columns are computed when it is reported.
#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: &'static Rule,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    /// Where the problem is written.
    pub span: Option<Span>,
    /// A short label shown under the span in human output.
    pub label: Option<String>,
    /// For live checks: the `host:port` probed.
    pub target: Option<String>,
    /// For live checks: the fatal line the platform would log at start-up for this failure, so a
    /// user can match the finding with their logs.
    pub log_line: Option<String>,
    pub related: Vec<Related>,
    /// Set when the finding could not be checked only because the values name no chart and may
    /// not be this umbrella chart's: the rules fold such findings into one that says so.
    pub assumed_chart: Option<&'static str>,
    /// The deployment it belongs to, when a directory tree names deployments (a Flux cluster).
    pub deployment: Option<String>,
    /// The edits that would make the finding go away, when the rule knows them ([`Fix`]).
    pub fix: Option<Fix>,
}

/// Whether a fix can be applied without asking: `--fix` applies the safe ones, `--fix
/// --unsafe-fixes` the unsafe ones too.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applicability {
    /// Helm renders the same thing, or the change can only be what was meant, without changing
    /// behaviour (a quoted `"yes"` where the chart wants the string).
    Safe,
    /// The change is what the finding asks for, but it changes what is deployed (a unit added to a
    /// duration, a key renamed as suggested): review it.
    Unsafe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// A fix: byte-span edits in the files that set the values, applied all together or not at all.
/// One fix may edit several places, keys and files (an image's repository and tag, and a key
/// beside them that the chart needs: see `image-unavailable`'s).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

/// Replace the text at `span` with `text` (an empty span inserts, an empty text deletes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub text: String,
    /// Whether the edit writes a value the finding does not point at: the keys it adds to the
    /// mapping it is inserted in, or the value it replaces. The proof of a fix (`crate::fix`)
    /// allows those changes too, and no other.
    pub beside: bool,
}

impl Edit {
    /// Replace what `span` holds with `text`, at the value the finding points at.
    pub fn at(span: Span, text: impl Into<String>) -> Edit {
        Edit {
            span,
            text: text.into(),
            beside: false,
        }
    }

    /// Insert `text` at `span` (empty, where a key of a mapping starts) with the keys it adds, or
    /// replace a value the finding does not point at.
    pub fn beside(span: Span, text: impl Into<String>) -> Edit {
        Edit {
            span,
            text: text.into(),
            beside: true,
        }
    }
}

impl Fix {
    /// One edit: replace what `span` holds with `text`.
    pub fn replace(applicability: Applicability, span: Span, text: impl Into<String>) -> Fix {
        Fix {
            applicability,
            edits: vec![Edit::at(span, text)],
        }
    }
}

/// Another place that matters to a finding (the first of two duplicate keys, the other side of a mismatch).
#[derive(Clone, Debug)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

impl Finding {
    /// A finding at the rule's default severity.
    pub fn new(rule: &'static Rule, message: impl Into<String>) -> Finding {
        Finding {
            rule,
            severity: rule.severity,
            message: message.into(),
            help: None,
            span: None,
            label: None,
            target: None,
            log_line: None,
            related: Vec::new(),
            assumed_chart: None,
            fix: None,
            deployment: None,
        }
    }

    pub fn at(mut self, span: Span) -> Finding {
        self.span = Some(span);
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Finding {
        self.label = Some(label.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(help.into());
        self
    }

    /// Lowers the finding to info: what a rule reports when it could not verify a setting it needs
    /// (the value comes from outside the files, or is encrypted), instead of an error it cannot prove.
    pub fn unverified(mut self) -> Finding {
        self.severity = Severity::Info;
        self
    }

    /// Places the finding where it is, if the span is known.
    pub fn at_opt(self, span: Option<Span>) -> Finding {
        match span {
            Some(span) => self.at(span),
            None => self,
        }
    }

    /// A live finding about `target` (`host:port`).
    pub fn on(mut self, target: impl Into<String>) -> Finding {
        self.target = Some(target.into());
        self
    }

    pub fn log_line(mut self, line: impl Into<String>) -> Finding {
        self.log_line = Some(line.into());
        self
    }

    pub fn related(mut self, span: Span, message: impl Into<String>) -> Finding {
        self.related.push(Related {
            span,
            message: message.into(),
        });
        self
    }

    /// Offers a fix ([`Fix`]); `None` leaves the finding without one.
    pub fn fix(mut self, fix: Option<Fix>) -> Finding {
        self.fix = fix;
        self
    }

    /// Every text of the finding: message, help, label, log line, target and related messages.
    pub fn texts_mut(&mut self) -> impl Iterator<Item = &mut String> {
        std::iter::once(&mut self.message)
            .chain(self.help.iter_mut())
            .chain(self.label.iter_mut())
            .chain(self.log_line.iter_mut())
            .chain(self.target.iter_mut())
            .chain(self.related.iter_mut().map(|r| &mut r.message))
    }
}

/// Replaces every secret that reached a text of the findings with `***`.
pub fn mask(findings: &mut [Finding], secrets: &Redactor) {
    if secrets.is_empty() {
        return;
    }
    for finding in findings {
        finding.texts_mut().for_each(|text| secrets.mask(text));
    }
}
