//! `acp-check rules` and `acp-check explain`: the rule catalogue as a table (for a terminal, for
//! scripts, for the README), a rule's page of docs, and the platform's fatal start-up log lines
//! explained ([`log_lines`]). Everything here reads [`crate::rules::ALL`]; nothing here checks values.

pub mod log_lines;

use serde::Serialize;

use crate::core::text::preview;
use crate::core::Fatal;
use crate::diagnostic::Severity;
use crate::diagnostic::{Applicability, Rule};
use crate::rules;
use log_lines::{Recognised, PATTERNS};

/// How text for a person is printed: bold headings on a terminal, plain text otherwise.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Style {
    pub bold: bool,
}

impl Style {
    fn strong(self, text: &str) -> String {
        if self.bold {
            format!("\u{1b}[1m{text}\u{1b}[0m")
        } else {
            text.to_string()
        }
    }
}

/// `acp-check rules`: an aligned table of every rule.
pub fn rules_table(style: Style) -> String {
    let id_width = rules::ALL
        .iter()
        .map(|r| r.id.len())
        .max()
        .unwrap_or(0)
        .max("RULE".len());
    let severity_width = "DEFAULT".len();
    let checked_width = "lint, probe".len();
    let fix_width = "unsafe".len();
    let mut out = String::new();
    let header = format!(
        "{:id_width$}  {:severity_width$}  {:checked_width$}  {:fix_width$}  FIRES WHEN",
        "RULE", "DEFAULT", "CHECKED BY", "FIX"
    );
    out.push_str(&style.strong(&header));
    out.push('\n');
    for rule in rules::ALL {
        out.push_str(&format!(
            "{:id_width$}  {:severity_width$}  {:checked_width$}  {:fix_width$}  {}\n",
            rule.id,
            rule.severity.as_str(),
            rule.checked_by.commands().join(", "),
            fix_shown(rule),
            rule.summary
        ));
    }
    out.push_str(&format!(
        "\n{} rules. `acp-check explain RULE` shows a rule's page; the severity can be changed per rule in \
.acp-check.toml.\n",
        rules::ALL.len()
    ));
    out
}

/// Whether a rule's findings can be fixed: `safe` (`--fix`), `unsafe` (`--fix --unsafe-fixes`),
/// or `-` (no fix).
fn fix_shown(rule: &Rule) -> &'static str {
    rules::fix_of(rule).map_or("-", Applicability::as_str)
}

/// `acp-check rules --format json`: `{"rules":[{"id","severity","checked_by","summary","docs","file"}]}`.
pub fn rules_json() -> String {
    #[derive(Serialize)]
    struct Rules {
        rules: Vec<Entry>,
    }
    #[derive(Serialize)]
    struct Entry {
        id: &'static str,
        severity: Severity,
        /// The commands that check the rule: `lint`, `probe` or both.
        checked_by: &'static [&'static str],
        summary: &'static str,
        /// `safe` or `unsafe` when its findings can be fixed (`--fix`, `--fix --unsafe-fixes`).
        fix: Option<&'static str>,
        docs: &'static str,
        /// The source file that defines the rule, its messages and its check.
        file: &'static str,
    }
    let rules = Rules {
        rules: rules::ALL
            .iter()
            .map(|r| Entry {
                id: r.id,
                severity: r.severity,
                checked_by: r.checked_by.commands(),
                summary: r.summary,
                fix: rules::fix_of(r).map(Applicability::as_str),
                docs: r.docs,
                file: r.file,
            })
            .collect(),
    };
    let mut out = serde_json::to_string_pretty(&rules).expect("plain data serializes");
    out.push('\n');
    out
}

/// `acp-check rules --format markdown`: the README's rules table, row for row.
pub fn rules_markdown() -> String {
    let mut out = String::from("| id | default | checked by | fix | fires when |\n|---|---|---|---|---|\n");
    for rule in rules::ALL {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            rule.id,
            rule.severity.as_str(),
            rule.checked_by.commands().join(", "),
            fix_shown(rule),
            rule.summary.replace('|', "\\|")
        ));
    }
    out
}

/// The README's table of what looks secret ([`crate::core::redact::WHAT_LOOKS_SECRET`]), row for row.
pub fn secrets_markdown() -> String {
    let mut out = String::from("| what looks secret | shown as |\n|---|---|\n");
    for (what, shown) in crate::core::redact::WHAT_LOOKS_SECRET {
        out.push_str(&format!("| {} | `{}` |\n", what.replace('|', "\\|"), shown));
    }
    out
}

/// `acp-check explain QUERY`: a rule's page, or what a platform log line means. Anything else is an
/// error (exit code 2) that says what is recognised.
pub fn explain(query: &str, style: Style) -> Result<String, Fatal> {
    let id = query.trim().trim_matches('`');
    if let Some(rule) = rules::find(id) {
        return Ok(rule_page(rule, style));
    }
    if id == "versions" {
        return Ok(versions_page(style));
    }
    if let Some(recognised) = log_lines::recognise(query) {
        return Ok(log_line_page(&recognised, style));
    }
    let looks_like_id = !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if looks_like_id {
        let known: Vec<String> = rules::ALL.iter().map(|r| r.id.to_string()).collect();
        if let Some(suggestion) = crate::core::text::did_you_mean(id, &known) {
            return Err(Fatal(format!(
                "no rule `{id}`: did you mean `{suggestion}`? `acp-check rules` lists them"
            )));
        }
    }
    Err(Fatal(format!(
        "{} is neither a rule id nor a platform log line that acp-check recognises (`acp-check rules` \
lists the rule ids).\n{}",
        shown_input(query),
        recognised_messages()
    )))
}

/// The last lines of a log read from `reader`, at most about `max_bytes` of them: the platform's fatal
/// line is its last, and `kubectl logs` can be long. Memory stays bounded whatever the log holds (see
/// [`crate::core::read::tail`]): a line over `max_bytes` keeps its start, and the log is read to its
/// end, so a log that never ends (`kubectl logs -f`) is read for ever: give `kubectl logs` without
/// `-f` (or with `--tail`).
pub fn tail(reader: impl std::io::BufRead, max_bytes: usize) -> std::io::Result<String> {
    let bytes = crate::core::read::tail(reader, max_bytes)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// A rule's page: id, default severity, summary, then its docs and the file that defines it.
pub fn rule_page(rule: &Rule, style: Style) -> String {
    let fix = match rules::fix_of(rule) {
        Some(Applicability::Safe) => "; fix: safe, `--fix`",
        Some(Applicability::Unsafe) => "; fix: unsafe, `--fix --unsafe-fixes`",
        None => "; no fix",
    };
    let mut out = format!(
        "{}  (default severity: {}; checked by {}{fix})\n{}\n\n",
        style.strong(rule.id),
        rule.severity.as_str(),
        rule.checked_by.commands().join(" and "),
        rule.summary
    );
    out.push_str(&render_markdown(rule.docs, style));
    out.push_str(&format!("\n{}\n  {}\n", style.strong("Defined in"), rule.file));
    out
}

/// `acp-check explain versions`: the platform version matrix the version rules judge by, row by
/// row with its source (`data/platform-versions.tsv`).
pub fn versions_page(style: Style) -> String {
    use crate::rules::versions::matrix;
    let mut markdown = String::from(
        "## What it is
What the version rules (`redis-version-unsupported`, `redis-version-outdated`, \
`chart-version-not-recommended`, `search-module-incompatible`) judge by. The platform version is the `acp` \
image tag, else the `acp` chart version (kube-acp-stack's acp dependency in the umbrella chart), from the \
releases linted together or `--chart-version acp=VERSION`. When it is not known, a Redis version no platform \
version supports is an error, and one only some support is one info naming them.\n\n## The matrix\n",
    );
    for row in matrix::rows() {
        let supported: Vec<String> = row
            .redis_supported
            .iter()
            .map(crate::rules::versions::range_words)
            .collect();
        let recommended: Vec<String> = row.redis_recommended.iter().map(|v| v.to_string()).collect();
        markdown.push_str(&format!(
            "- {}: Redis {} (recommended {}); redis-cluster chart {}; RediSearch shipped: {}. Source: {}\n",
            row.platforms(),
            supported.join(" or "),
            recommended.join(", "),
            row.chart,
            row.redisearch,
            row.source
        ));
    }
    markdown.push_str(
        "\n## RediSearch and Redis\nRediSearch 2.10 needs Redis 7.4, 2.8 needs 7.2, 2.6 needs 6.0.16 (redis.io release \
notes): with an older Redis the module refuses to load and Redis does not start. kube-acp-stack up to 2.8.1 ships \
`redisearch-oss` 2.2.0, a build without the coordinator, which takes no `OSS_GLOBAL_PASSWORD`.\n\n\
## Overriding it\n`[versions]` in `.acp-check.toml` (`redis-supported`, `redis-recommended`, \
`redis-cluster-chart-recommended`) replaces that column for every platform version, to follow a newer vendor \
statement without a new release of acp-check.",
    );
    let mut out = style.strong("versions  (the platform version matrix)");
    out.push('\n');
    out.push_str(&render_markdown(&markdown, style));
    out.push('\n');
    out
}

/// What a recognised log line means, which rules catch it, and how to fix it.
pub fn log_line_page(r: &Recognised, style: Style) -> String {
    let pattern = r.pattern;
    let mode = pattern.mode;
    let lead = match mode.number {
        Some(n) => format!("Failure mode {n}: "),
        None => "Failure: ".to_string(),
    };
    let mut out = style.strong(&format!("{lead}{}", r.title()));
    out.push('\n');
    match (&r.level, &r.msg) {
        (Some(level), Some(msg)) if *msg != r.message => {
            out.push_str(&format!("  {}: {}\n", preview(level, 40), preview(msg, 400)))
        }
        (Some(level), _) => out.push_str(&format!("  level: {}\n", preview(level, 40))),
        (None, Some(msg)) if *msg != r.message => out.push_str(&format!("  {}\n", preview(msg, 400))),
        _ => {}
    }
    out.push_str(&format!("  {}\n\n", preview(r.message.trim(), 400)));

    let ids = |ids: &[&str]| -> String {
        ids.iter()
            .map(|id| format!("`{id}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let lint: Vec<&str> = mode.lint.iter().chain(pattern.extra_lint).copied().collect();
    let before = if lint.is_empty() {
        "no lint rule can see this: it depends on the live data".to_string()
    } else {
        ids(&lint)
    };
    let live = ids(mode.live);
    let markdown = format!(
        "## What it means\n{}\n\n{}: {}\n\n## Caught by\n- before deploy (`acp-check lint`): {before}\n\
- live (`acp-check probe`): {live}\n\n## How to fix\n{}",
        mode.meaning, pattern.shows, pattern.cause, mode.fix
    );
    out.push_str(&render_markdown(&markdown, style));
    out
}

/// Docs Markdown for a terminal: headings on their own line (bold when styled), text indented by two
/// spaces, code blocks by four, without their fences.
pub fn render_markdown(markdown: &str, style: Style) -> String {
    let mut out = String::new();
    let mut in_code = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            out.push_str("    ");
            out.push_str(line);
        } else if let Some(heading) = line.strip_prefix("## ") {
            out.push_str(&style.strong(heading.trim()));
        } else if line.chars().count() > 110 {
            // Docs are wrapped as written; long lines (the log-line tables' paragraphs) are wrapped here.
            out.push_str(&wrap(line, 100, "  "));
        } else if !line.trim().is_empty() {
            out.push_str("  ");
            out.push_str(line);
        }
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// A line cut at spaces into lines of at most `width` characters (a longer word stays whole), each
/// after `indent`; list items (`- `) hang their continuation lines under their text.
fn wrap(line: &str, width: usize, indent: &str) -> String {
    let hang = if line.starts_with("- ") { "  " } else { "" };
    let mut out = String::new();
    let mut current = String::new();
    // Whether `current` holds a word yet (beyond the hanging indent).
    let mut has_word = false;
    for word in unbreakable_words(line) {
        if has_word && current.chars().count() + 1 + word.chars().count() > width {
            out.push_str(indent);
            out.push_str(&current);
            out.push('\n');
            current = hang.to_string();
        } else if has_word {
            current.push(' ');
        }
        current.push_str(&word);
        has_word = true;
    }
    out.push_str(indent);
    out.push_str(&current);
    out
}

/// The words of a line, where a `code span` with spaces in it counts as one word.
fn unbreakable_words(line: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut open = false;
    for piece in line.split(' ') {
        match words.last_mut() {
            Some(last) if open => {
                last.push(' ');
                last.push_str(piece);
            }
            _ if piece.is_empty() => continue,
            _ => words.push(piece.to_string()),
        }
        if piece.matches('`').count() % 2 == 1 {
            open = !open;
        }
    }
    words
}

/// The messages [`log_lines`] recognises, by failure mode: for the error on unrecognised input.
pub fn recognised_messages() -> String {
    let mut modes: Vec<(&log_lines::Mode, Vec<&str>)> = Vec::new();
    for p in PATTERNS {
        match modes.iter_mut().find(|(m, _)| std::ptr::eq(*m, p.mode)) {
            Some((_, shows)) => shows.push(p.shows),
            None => modes.push((p.mode, vec![p.shows])),
        }
    }
    let mut out = String::from(
        "It recognises the platform's log lines (JSON, or plain text, also behind a `kubectl logs` prefix), \
and Redis's, Helm's and Kubernetes' lines, about:\n",
    );
    for (mode, shows) in modes {
        out.push_str(&wrap(
            &format!("- {}: {}", mode.title, shows.join(", ")),
            100,
            "  ",
        ));
        out.push('\n');
    }
    out.trim_end().to_string()
}

/// The user's input, masked and cut short, for an error message.
fn shown_input(query: &str) -> String {
    let one_line = query.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.is_empty() {
        return "An empty argument".to_string();
    }
    format!("`{}`", preview(&log_lines::mask(&one_line), 80))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_table_has_a_row_per_rule() {
        let table = rules_markdown();
        assert_eq!(table.lines().count(), rules::ALL.len() + 2);
        assert!(table.contains("| `duplicate-key` | error | "));
    }

    #[test]
    fn json_holds_every_rule() {
        let v: serde_json::Value = serde_json::from_str(&rules_json()).unwrap();
        let rules = v["rules"].as_array().unwrap();
        assert_eq!(rules.len(), rules::ALL.len());
        for (entry, rule) in rules.iter().zip(rules::ALL) {
            assert_eq!(entry["id"], rule.id);
            assert_eq!(entry["severity"], rule.severity.as_str());
            assert_eq!(entry["docs"], rule.docs);
        }
    }

    #[test]
    fn table_is_aligned() {
        let table = rules_table(Style::default());
        let columns: Vec<usize> = table
            .lines()
            .take(rules::ALL.len() + 1)
            // Where the second column starts: after the id and the spaces that pad it.
            .map(|l| {
                let id = l.find(' ').unwrap_or(l.len());
                id + l[id..].find(|c: char| c != ' ').unwrap_or(0)
            })
            .skip(1)
            .collect();
        assert!(columns.windows(2).all(|w| w[0] == w[1]), "{table}");
    }

    #[test]
    fn render_markdown_indents_and_styles() {
        let md = "## What it checks\nA thing.\n\n## Example\n```yaml\na: 1\n```\n";
        assert_eq!(
            render_markdown(md, Style::default()),
            "What it checks\n  A thing.\n\nExample\n    a: 1\n"
        );
        let bold = render_markdown(md, Style { bold: true });
        assert!(bold.starts_with("\u{1b}[1mWhat it checks\u{1b}[0m\n"), "{bold:?}");
    }

    #[test]
    fn wrapping_keeps_code_spans_whole() {
        let line = "- aaa `b c d` eee `f g`";
        assert_eq!(wrap(line, 9, ""), "- aaa\n  `b c d`\n  eee\n  `f g`");
        assert_eq!(wrap("x  y", 80, "  "), "  x y");
    }

    #[test]
    fn tail_keeps_the_last_lines() {
        let log = "one\ntwo\nthree\n";
        assert_eq!(tail(log.as_bytes(), 100).unwrap(), log);
        assert_eq!(tail(log.as_bytes(), 8).unwrap(), "three\n");
        assert_eq!(tail(log.as_bytes(), 10).unwrap(), "two\nthree\n");
    }

    #[test]
    fn explain_rule_and_unknowns() {
        let page = explain("duplicate-key", Style::default()).unwrap();
        assert!(
            page.starts_with(
                "duplicate-key  (default severity: error; checked by lint; fix: safe, `--fix`)\n"
            ),
            "{page}"
        );
        let page = explain("duration-without-unit", Style::default()).unwrap();
        assert!(
            page.starts_with(
                "duration-without-unit  (default severity: warning; checked by lint; \
                 fix: unsafe, `--fix --unsafe-fixes`)\n"
            ),
            "{page}"
        );
        let page = explain("plaintext-secret", Style::default()).unwrap();
        assert!(
            page.starts_with(
                "plaintext-secret  (default severity: warning; checked by lint and probe; no fix)\n"
            ),
            "{page}"
        );
        let Err(Fatal(e)) = explain("duplicate-keys", Style::default()) else {
            panic!()
        };
        assert!(e.contains("did you mean `duplicate-key`?"), "{e}");
        let Err(Fatal(e)) = explain("password=hunter2 means nothing", Style::default()) else {
            panic!()
        };
        assert!(e.contains("neither a rule id") && !e.contains("hunter2"), "{e}");
        assert!(
            e.contains("`connection refused`") && e.contains("`WRONGPASS`"),
            "{e}"
        );
    }
}
