//! `--write-baseline FILE` and `--baseline FILE`: today's findings recorded, so that a repository
//! with findings it cannot fix yet adopts acp-check without drowning in them, and only new ones
//! are reported. Findings are matched by fingerprint (see [`crate::report::fingerprint`]): rule,
//! file, JSON pointer and the value as written, never the line, so a baseline survives edits
//! elsewhere in the file. A baseline entry that matches no finding any more (fixed, or its value
//! changed) is counted, and the run says how to drop such entries, as ESLint does for its bulk
//! suppressions.
//!
//! The file is JSON, sorted, so that it diffs well in review:
//! `{"tool":"acp-check","baseline":1,"findings":[{"fingerprint","rule","file","path","message"}]}`.
//! It holds what the reports hold, and so no secret.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::core::read::{self, Limit};
use crate::core::Fatal;
use crate::report::Report;

/// The format's version, in every file.
const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    tool: String,
    baseline: u32,
    findings: Vec<Entry>,
}

/// One finding recorded.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub file: String,
    pub rule: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub fingerprint: String,
    pub message: String,
}

/// A baseline read from its file.
pub struct Baseline {
    pub path: PathBuf,
    pub entries: Vec<Entry>,
}

/// What applying a baseline did.
#[derive(Debug, Default)]
pub struct Applied {
    /// The entries of the findings it hid.
    pub hidden: Vec<Entry>,
    /// How many of its entries matched no finding.
    pub unmatched: usize,
}

/// Reads a baseline; exit 2 (a [`Fatal`]) when it cannot be read or is not one.
pub fn read(path: &Path) -> Result<Baseline, Fatal> {
    let name = path.display();
    let bytes = read::read_file(path, Limit::VALUES).map_err(|f| Fatal(format!("{name}: {}", f.reason())))?;
    let file: File = serde_json::from_slice(&bytes)
        .map_err(|e| Fatal(format!("{name}: not an acp-check baseline: {e}")))?;
    if file.tool != "acp-check" || file.baseline != VERSION {
        return Err(Fatal(format!(
            "{name}: not an acp-check baseline of version {VERSION} (write one with --write-baseline)"
        )));
    }
    Ok(Baseline {
        path: path.to_path_buf(),
        entries: file.findings,
    })
}

/// Every finding of the report, as entries.
pub fn entries(report: &Report) -> Vec<Entry> {
    report
        .findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let location = f.span.and_then(|s| report.location(s));
            Entry {
                file: location
                    .as_ref()
                    .map(|l| l.file.clone())
                    .or_else(|| f.target.clone())
                    .unwrap_or_default(),
                rule: f.rule.id.to_string(),
                path: location.and_then(|l| l.path),
                fingerprint: report.fingerprint(i).to_string(),
                message: f.message.clone(),
            }
        })
        .collect()
}

/// Writes `entries` as a baseline to `path`, sorted.
pub fn write(path: &Path, mut entries: Vec<Entry>) -> Result<(), Fatal> {
    entries.sort();
    let file = File {
        tool: "acp-check".into(),
        baseline: VERSION,
        findings: entries,
    };
    let mut text = serde_json::to_string_pretty(&file).expect("plain data serializes");
    text.push('\n');
    std::fs::write(path, text).map_err(|e| {
        Fatal(format!(
            "writing the baseline to {}: {}",
            path.display(),
            read::io_reason(&e)
        ))
    })
}

/// Hides the report's findings that the baseline records (each entry hides one finding).
pub fn apply(report: &mut Report, baseline: &Baseline) -> Applied {
    let mut left: HashMap<&str, usize> = HashMap::new();
    for entry in &baseline.entries {
        *left.entry(entry.fingerprint.as_str()).or_default() += 1;
    }
    let mut hidden = Vec::new();
    let all = entries(report);
    let mut index = 0;
    report.retain(|_, fingerprint| {
        let entry = &all[index];
        index += 1;
        match left.get_mut(fingerprint) {
            Some(n) if *n > 0 => {
                *n -= 1;
                hidden.push(entry.clone());
                false
            }
            _ => true,
        }
    });
    Applied {
        hidden,
        unmatched: left.values().sum(),
    }
}
