//! `--format sarif`: SARIF 2.1.0 for code-scanning dashboards (GitHub code scanning, GitLab, Azure
//! DevOps). One run; `tool.driver.rules` holds every rule with its docs; each result points at the
//! place in the file (a physical location with real lines and columns, plus the value's JSON pointer
//! as a logical location), or, for a live finding, at the probed `host:port` (a logical location).

use std::io::{self, Write};

use serde_json::{json, Map, Value};

use super::{message_with_help, Location, Report, Reporter, RULES_DOCS_URL};
use crate::core::source::Origin;
use crate::diagnostic::Rule;
use crate::diagnostic::{Finding, Severity};

pub struct Sarif;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

impl Reporter for Sarif {
    fn report(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let mut catalogue: Vec<&'static Rule> = report.catalogue.to_vec();
        for f in &report.findings {
            if !catalogue.iter().any(|r| r.id == f.rule.id) {
                catalogue.push(f.rule);
            }
        }
        let results: Vec<Value> = report
            .findings
            .iter()
            .enumerate()
            .map(|(i, f)| result(i, f, report, &catalogue))
            .collect();
        let log = json!({
            "$schema": SCHEMA,
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {
                    "name": "acp-check",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": env!("CARGO_PKG_REPOSITORY"),
                    "rules": catalogue.iter().map(|r| descriptor(r)).collect::<Vec<_>>(),
                }},
                // Our columns count characters, not UTF-16 code units (SARIF's default).
                "columnKind": "unicodeCodePoints",
                "results": results,
            }],
        });
        serde_json::to_writer_pretty(&mut *out, &log)?;
        writeln!(out)
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A rule's `reportingDescriptor`: its summary, the first paragraph of its docs, the whole page as
/// help, and where the catalogue is.
fn descriptor(rule: &Rule) -> Value {
    json!({
        "id": rule.id,
        "name": camel_case(rule.id),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": first_paragraph(rule.docs).unwrap_or(rule.summary)},
        "help": {"text": rule.docs, "markdown": rule.docs},
        "helpUri": RULES_DOCS_URL,
        "defaultConfiguration": {"level": level(rule.severity)},
    })
}

/// `duplicate-key` → `DuplicateKey` (SARIF's `name` is meant to be an identifier).
fn camel_case(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|first| first.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The text under the first heading of a rule's docs, joined into one line.
fn first_paragraph(docs: &str) -> Option<&str> {
    let body = docs.split_once('\n')?.1;
    let end = body.find("\n\n").unwrap_or(body.len());
    let paragraph = body[..end].trim();
    (!paragraph.is_empty()).then_some(paragraph)
}

fn result(index: usize, finding: &Finding, report: &Report, catalogue: &[&Rule]) -> Value {
    let mut result = Map::new();
    result.insert("ruleId".into(), json!(finding.rule.id));
    if let Some(index) = catalogue.iter().position(|r| r.id == finding.rule.id) {
        result.insert("ruleIndex".into(), json!(index));
    }
    result.insert("level".into(), json!(level(finding.severity)));
    result.insert("message".into(), json!({"text": message_with_help(finding)}));
    let location = finding.span.and_then(|s| report.location(s));
    let mut locations = Vec::new();
    if let Some(l) = &location {
        let mut place = physical(l);
        if let Some(path) = &l.path {
            place.insert(
                "logicalLocations".into(),
                json!([{"fullyQualifiedName": path, "kind": "property"}]),
            );
        }
        locations.push(Value::Object(place));
    }
    if let Some(target) = &finding.target {
        locations.push(json!({
            "logicalLocations": [{"name": target, "fullyQualifiedName": target, "kind": "resource"}],
        }));
    }
    result.insert("locations".into(), Value::Array(locations));
    let related: Vec<Value> = finding
        .related
        .iter()
        .filter_map(|r| Some((report.location(r.span)?, &r.message)))
        .enumerate()
        .map(|(i, (l, message))| {
            let mut place = physical(&l);
            place.insert("id".into(), json!(i + 1));
            place.insert("message".into(), json!({"text": message}));
            Value::Object(place)
        })
        .collect();
    if !related.is_empty() {
        result.insert("relatedLocations".into(), Value::Array(related));
    }
    // The fingerprint `--baseline` matches by: it survives lines moving (see `fingerprint`).
    result.insert(
        "partialFingerprints".into(),
        json!({"acpCheck/v1": report.fingerprint(index)}),
    );
    Value::Object(result)
}

/// A `physicalLocation` for a place: the file as a relative (or `file://`) URI; standard input and
/// `--set` flags have no URI, only a description.
fn physical(l: &Location) -> Map<String, Value> {
    let artifact = match l.origin {
        Origin::File => json!({"uri": file_uri(&l.file)}),
        _ => json!({"description": {"text": l.file}}),
    };
    let mut place = Map::new();
    place.insert(
        "physicalLocation".into(),
        json!({
            "artifactLocation": artifact,
            "region": {
                "startLine": l.line,
                "startColumn": l.column,
                "endLine": l.end_line,
                "endColumn": l.end_column,
            },
        }),
    );
    place
}

/// A path as a URI reference: relative paths stay relative (to the checkout, as code scanning
/// expects), absolute ones become `file://` URIs; anything but unreserved characters and `/` is
/// percent-encoded.
fn file_uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    let mut out = String::new();
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing;

    fn sarif() -> Value {
        let sources = testing::sources();
        let report = testing::report(testing::findings(), &sources);
        let mut out = Vec::new();
        Sarif.report(&report, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            !text.contains("hunter2"),
            "a secret reached the SARIF log:\n{text}"
        );
        serde_json::from_str(&text).unwrap()
    }

    #[test]
    fn driver_lists_every_rule_with_its_docs() {
        let log = sarif();
        assert_eq!(log["version"], "2.1.0");
        let rules = log["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), testing::RULES.len());
        let dup = &rules[1];
        assert_eq!(dup["id"], "duplicate-key");
        assert_eq!(dup["name"], "DuplicateKey");
        assert_eq!(dup["defaultConfiguration"]["level"], "error");
        assert_eq!(
            dup["shortDescription"]["text"],
            "a mapping repeats a key; Helm silently keeps only the last one"
        );
        assert!(dup["fullDescription"]["text"].as_str().unwrap().len() > 20);
        assert!(dup["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("## How to fix"));
        assert!(dup["helpUri"].as_str().unwrap().ends_with("README.md#rules"));
        let infos: Vec<&Value> = rules
            .iter()
            .filter(|r| r["defaultConfiguration"]["level"] == "note")
            .collect();
        assert!(infos.iter().any(|r| r["id"] == "encrypted-value"));
    }

    #[test]
    fn lint_result_has_the_region_of_the_second_key_and_the_first_as_related() {
        let log = sarif();
        let results = log["runs"][0]["results"].as_array().unwrap();
        let dup = results.iter().find(|r| r["ruleId"] == "duplicate-key").unwrap();
        assert_eq!(dup["level"], "error");
        assert_eq!(dup["ruleIndex"], 1);
        assert_eq!(
            dup["message"]["text"],
            "key `password` is set twice in the same mapping\nhelp: delete one of the two keys"
        );
        let place = &dup["locations"][0]["physicalLocation"];
        assert_eq!(place["artifactLocation"]["uri"], "dir/values%201.yaml");
        assert_eq!(
            place["region"],
            json!({"startLine": 5, "startColumn": 3, "endLine": 5, "endColumn": 11})
        );
        let related = &dup["relatedLocations"][0];
        assert_eq!(related["physicalLocation"]["region"]["startLine"], 2);
        assert_eq!(
            related["message"]["text"],
            "first set here; Helm silently drops this value"
        );
        let warning = results
            .iter()
            .find(|r| r["ruleId"] == "cluster-no-replicas")
            .unwrap();
        assert_eq!(warning["level"], "warning");
        assert_eq!(
            warning["locations"][0]["physicalLocation"]["region"],
            json!({"startLine": 4, "startColumn": 15, "endLine": 4, "endColumn": 16})
        );
    }

    #[test]
    fn probe_result_names_its_target_as_a_logical_location() {
        let log = sarif();
        let results = log["runs"][0]["results"].as_array().unwrap();
        let live = results
            .iter()
            .find(|r| r["ruleId"] == "search-module-missing")
            .unwrap();
        assert_eq!(live["level"], "error");
        let locations = live["locations"].as_array().unwrap();
        assert_eq!(locations.len(), 1);
        assert!(locations[0].get("physicalLocation").is_none());
        assert_eq!(
            locations[0]["logicalLocations"][0],
            json!({"name": "127.0.0.1:7000", "fullyQualifiedName": "127.0.0.1:7000", "kind": "resource"})
        );
        assert_eq!(
            live["message"]["text"],
            "FT.INFO is an unknown command: RediSearch is not loaded, password ***\nhelp: load the module with `loadmodule`"
        );
        // The finding's fingerprint, as JSON and `--baseline` have it.
        let fingerprint = live["partialFingerprints"]["acpCheck/v1"].as_str().unwrap();
        assert_eq!(fingerprint.len(), 16);
        let sources = testing::sources();
        let report = testing::report(testing::findings(), &sources);
        assert_eq!(fingerprint, report.fingerprints[0]);
    }

    #[test]
    fn uris_are_relative_or_file_and_percent_encoded() {
        assert_eq!(file_uri("./values.yaml"), "values.yaml");
        assert_eq!(file_uri("a b/c#d.yaml"), "a%20b/c%23d.yaml");
        assert_eq!(file_uri("/srv/x.yaml"), "file:///srv/x.yaml");
        assert_eq!(file_uri("dir\\é.yaml"), "dir/%C3%A9.yaml");
    }
}
