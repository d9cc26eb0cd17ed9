//! `acp-check values`: each release's effective values, as the chart's templates will see them
//! (chart defaults of the version deployed, a parent's values for a dependency, the files and
//! flags), and with `--show-origin` where every value comes from. Secrets are masked as in every
//! other output.

use crate::core::redact::{is_secret_key, Redactor};
use crate::core::source::{Sources, Span};
use crate::model::charts::{self, Chart};
use crate::model::{Identity, Release};
use crate::tree::{pointer, Entry, Map, Node, Value};

/// How the values are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Json,
}

/// One release's effective values, with the origin of each leaf.
pub struct Effective {
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub chart: Option<String>,
    pub version: Option<String>,
    pub values: Node,
    /// Layers acp-check could not read, with the values path each may set.
    pub unknown: Vec<(String, String)>,
    /// The charts whose version is not known: where their versions' defaults differ, the value is
    /// left out.
    pub versionless: Vec<&'static str>,
}

/// The effective values of every release of a deployment.
pub fn effective(releases: &[Release]) -> Vec<Effective> {
    releases.iter().map(of_release).collect()
}

fn of_release(release: &Release) -> Effective {
    let own = match release.identity() {
        Identity::Known(v) => Some(v.chart()),
        Identity::Versionless(c) => Some(c),
        Identity::Other | Identity::Unnamed => None,
    };
    // The release's own chart, through its defaults; else the values as written.
    let mut values = own
        .and_then(|chart| release.scope(chart))
        .and_then(|scope| scope.merged(&[]))
        .unwrap_or_else(|| release.values.clone());
    let versionless: Vec<&'static str> = Chart::ALL
        .into_iter()
        .filter(|c| release.scope(*c).is_some_and(|s| s.version.is_none()))
        .map(Chart::name)
        .collect();
    // Each dependency's section, as the dependency sees it: its own chart's defaults below the
    // parent's values for it, and the parent's `global` copied in (as Helm does).
    for chart in Chart::ALL {
        if Some(chart) == own {
            continue;
        }
        let Some(scope) = release.scope(chart) else {
            continue;
        };
        let Some(key) = scope.key else { continue };
        let Some(mut section) = scope.merged(&[]) else {
            continue;
        };
        if let Some(global) = values.get(&["global"]).cloned() {
            merge_into(&mut section, "global", global);
        }
        set(&mut values, key, section);
    }
    let version = release
        .chart_version
        .as_ref()
        .map(|v| v.value.clone())
        .or_else(|| own.and_then(|c| release.scope(c)?.version.map(|v| v.version().to_string())));
    Effective {
        name: release.release_name.as_ref().map(|n| n.value.clone()),
        namespace: release.namespace.as_ref().map(|n| n.value.clone()),
        chart: release
            .chart_name
            .as_ref()
            .map(|n| n.value.clone())
            .or_else(|| own.map(|c| c.name().to_string())),
        version,
        values,
        unknown: release
            .unknown
            .iter()
            .map(|u| (u.what.clone(), pointer(&u.path)))
            .collect(),
        versionless,
    }
}

/// Sets `key` of the map `node` to `value`, adding it if it is not there.
fn set(node: &mut Node, key: &str, value: Node) {
    let Value::Map(map) = &mut node.value else { return };
    match map.entries.iter_mut().find(|e| e.key == key) {
        Some(entry) => entry.value = value,
        None => map.entries.push(Entry {
            key: key.to_string(),
            key_span: value.span,
            value,
        }),
    }
}

/// Merges `value` (a map) into `key` of the map `node`, `value` winning.
fn merge_into(node: &mut Node, key: &str, value: Node) {
    let Value::Map(map) = &mut node.value else { return };
    match map.entries.iter_mut().find(|e| e.key == key) {
        Some(entry) => match (&mut entry.value.value, value.value) {
            (Value::Map(into), Value::Map(from)) => crate::tree::merge::merge(into, from),
            (_, other) => entry.value = Node::new(other, value.span),
        },
        None => map.entries.push(Entry {
            key: key.to_string(),
            key_span: value.span,
            value,
        }),
    }
}

/// Where a value comes from: `chart redis-cluster 7.6.4`, `values.yaml:3:5`, `--set #1:1:29`.
pub fn origin(span: Span, sources: &Sources) -> Option<String> {
    if span.source.is_builtin() {
        return charts::origin(span.source).map(|o| format!("default of {o}"));
    }
    if !sources.contains(span.source) {
        return None;
    }
    let source = sources.get(span.source);
    let at = source.position(span.range());
    Some(format!("{}:{}:{}", source.name, at.line, at.column))
}

/// The values printed, masked, with the origins when asked for.
pub fn render(all: &[Effective], sources: &Sources, format: Format, show_origin: bool) -> String {
    let redactor = Redactor::of(sources);
    let mut out = match format {
        Format::Json => json(all, sources, &redactor, show_origin),
        Format::Yaml => yaml(all, sources, &redactor, show_origin),
    };
    // The one boundary every output passes: what the sources hold as secret never shows.
    redactor.mask(&mut out);
    out
}

/// A scalar's text, masked when its key names a secret or its text holds one.
fn scalar(key: Option<&str>, node: &Node, redactor: &Redactor) -> serde_json::Value {
    let secret_key = key.is_some_and(is_secret_key);
    match &node.value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Int(i) if !secret_key => serde_json::Value::from(*i),
        Value::Float(f) if !secret_key => serde_json::Number::from_f64(*f).map_or_else(
            || serde_json::Value::String(crate::tree::go_float(*f)),
            serde_json::Value::Number,
        ),
        Value::Str(s) if s.is_empty() => serde_json::Value::String(String::new()),
        _ if secret_key => serde_json::Value::String("***".into()),
        Value::Str(s) => serde_json::Value::String(mask_text(&redactor.masked(s))),
        _ => serde_json::Value::Null,
    }
}

/// A text with what looks secret in it (a URL's password, a `requirepass` argument) masked: for
/// defaults, which no source holds, as for the rest.
fn mask_text(text: &str) -> String {
    let mut out = text.to_string();
    for range in crate::core::redact::secrets_in_text(text).into_iter().rev() {
        out.replace_range(range, "***");
    }
    out
}

fn to_json(
    key: Option<&str>,
    node: &Node,
    path: &mut Vec<String>,
    origins: &mut serde_json::Map<String, serde_json::Value>,
    sources: &Sources,
    redactor: &Redactor,
) -> serde_json::Value {
    match &node.value {
        Value::Map(map) => {
            let mut out = serde_json::Map::new();
            for entry in &map.entries {
                path.push(entry.key.clone());
                let value = to_json(Some(&entry.key), &entry.value, path, origins, sources, redactor);
                path.pop();
                out.insert(entry.key.clone(), value);
            }
            serde_json::Value::Object(out)
        }
        Value::Seq(items) => {
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                path.push(i.to_string());
                out.push(to_json(key, item, path, origins, sources, redactor));
                path.pop();
            }
            serde_json::Value::Array(out)
        }
        _ => {
            if let Some(from) = origin(node.span, sources) {
                origins.insert(pointer(path), serde_json::Value::String(from));
            }
            scalar(key, node, redactor)
        }
    }
}

fn json(all: &[Effective], sources: &Sources, redactor: &Redactor, show_origin: bool) -> String {
    let releases: Vec<serde_json::Value> = all
        .iter()
        .map(|e| {
            let mut origins = serde_json::Map::new();
            let values = to_json(None, &e.values, &mut Vec::new(), &mut origins, sources, redactor);
            let mut release = serde_json::json!({
                "name": e.name,
                "namespace": e.namespace,
                "chart": e.chart,
                "version": e.version,
                "values": values,
            });
            if show_origin {
                for (what, at) in &e.unknown {
                    let at = if at.is_empty() {
                        "/".to_string()
                    } else {
                        at.clone()
                    };
                    origins.insert(at, serde_json::Value::String(format!("may be set by {what}")));
                }
                release["origins"] = serde_json::Value::Object(origins);
            }
            if !e.versionless.is_empty() {
                release["versions_not_known"] = serde_json::json!(e.versionless);
            }
            release
        })
        .collect();
    let mut out =
        serde_json::to_string_pretty(&serde_json::json!({ "releases": releases })).expect("values serialise");
    out.push('\n');
    out
}

fn yaml(all: &[Effective], sources: &Sources, redactor: &Redactor, show_origin: bool) -> String {
    let mut out = String::new();
    for e in all {
        out.push_str("---\n");
        let about = [
            ("release", &e.name),
            ("namespace", &e.namespace),
            ("chart", &e.chart),
            ("version", &e.version),
        ];
        let about: Vec<String> = about
            .iter()
            .filter_map(|(what, v)| v.as_ref().map(|v| format!("{what} {v}")))
            .collect();
        if !about.is_empty() {
            out.push_str(&format!("# {}\n", about.join(", ")));
        }
        for chart in &e.versionless {
            out.push_str(&format!(
                "# the {chart} chart version is not known: values its versions disagree on are left out (pass --chart-version {chart}=VERSION)\n"
            ));
        }
        if show_origin {
            for (what, at) in &e.unknown {
                let at = if at.is_empty() { "all values" } else { at };
                out.push_str(&format!("# {at}: may be set by {what}\n"));
            }
        }
        let map = match &e.values.value {
            Value::Map(map) => map,
            _ => {
                out.push_str("{}\n");
                continue;
            }
        };
        if map.entries.is_empty() {
            out.push_str("{}\n");
        }
        yaml_map(map, 0, &mut out, sources, redactor, show_origin);
    }
    out
}

fn yaml_map(map: &Map, indent: usize, out: &mut String, sources: &Sources, redactor: &Redactor, show: bool) {
    for entry in &map.entries {
        out.push_str(&" ".repeat(indent));
        out.push_str(&yaml_key(&entry.key));
        out.push(':');
        yaml_value(
            Some(&entry.key),
            &entry.value,
            indent,
            out,
            sources,
            redactor,
            show,
        );
    }
}

fn yaml_value(
    key: Option<&str>,
    node: &Node,
    indent: usize,
    out: &mut String,
    sources: &Sources,
    redactor: &Redactor,
    show: bool,
) {
    match &node.value {
        Value::Map(map) if map.entries.is_empty() => out.push_str(" {}\n"),
        Value::Map(map) => {
            out.push('\n');
            yaml_map(map, indent + 2, out, sources, redactor, show);
        }
        Value::Seq(items) if items.is_empty() => out.push_str(" []\n"),
        Value::Seq(items) => {
            out.push('\n');
            for item in items {
                out.push_str(&" ".repeat(indent));
                out.push('-');
                match &item.value {
                    Value::Map(map) if !map.entries.is_empty() => {
                        // The first key on the dash's line, the others under it.
                        let mut first = String::new();
                        yaml_map(map, indent + 2, &mut first, sources, redactor, show);
                        out.push(' ');
                        out.push_str(first.trim_start());
                    }
                    _ => yaml_value(key, item, indent, out, sources, redactor, show),
                }
            }
        }
        _ => {
            let text = match scalar(key, node, redactor) {
                serde_json::Value::String(s) => yaml_string(&s, indent),
                other => other.to_string(),
            };
            out.push(' ');
            out.push_str(&text);
            if show {
                if let Some(from) = origin(node.span, sources) {
                    // A block scalar's lines are its text: the origin goes on its header.
                    match text.find('\n') {
                        Some(at) if text.starts_with('|') => {
                            out.insert_str(out.len() - text.len() + at, &format!("  # {from}"));
                        }
                        _ => out.push_str(&format!("  # {from}")),
                    }
                }
            }
            out.push('\n');
        }
    }
}

/// A key as YAML: plain when it reads back as the same string, else double-quoted.
fn yaml_key(key: &str) -> String {
    if plain_ok(key) {
        key.to_string()
    } else {
        serde_json::to_string(key).expect("a string serialises")
    }
}

/// A string as YAML: a literal block for text of several lines, plain when it reads back as the
/// same string, else double-quoted.
fn yaml_string(s: &str, indent: usize) -> String {
    if s.contains('\n') && !s.contains('\r') && !s.starts_with(' ') && s.lines().all(|l| !l.ends_with(' ')) {
        let chomp = if s.ends_with('\n') { "" } else { "-" };
        let pad = " ".repeat(indent + 2);
        let body: Vec<String> = s
            .lines()
            .map(|l| {
                if l.is_empty() {
                    String::new()
                } else {
                    format!("{pad}{l}")
                }
            })
            .collect();
        return format!("|{chomp}\n{}", body.join("\n"));
    }
    if plain_ok(s) {
        s.to_string()
    } else {
        serde_json::to_string(s).expect("a string serialises")
    }
}

/// Whether a plain scalar reads back as this very string (not a number, boolean or null, no
/// indicator that YAML would read otherwise).
fn plain_ok(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    let typed = matches!(
        s.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null" | "~"
    ) || s.parse::<f64>().is_ok()
        || s.starts_with("0x")
        || s.starts_with("0o")
        || s.starts_with('.');
    !typed
        && !"-?:,[]{}#&*!|>'\"%@` ".contains(first)
        && !s.ends_with(' ')
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with(':')
        && s.chars().all(|c| !c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_strings_are_only_those_that_read_back_the_same() {
        for s in [
            "redis-cluster-headless:6379",
            "bitnami/redis-cluster",
            "6.2.14-debian-11-r1",
        ] {
            assert!(plain_ok(s), "{s}");
        }
        for s in [
            "", "yes", "6.2", "1e3", "-x", "a: b", "a #b", "*ref", "~", "Null", " x", "0x1F",
        ] {
            assert!(!plain_ok(s), "{s}");
        }
    }

    #[test]
    fn text_of_several_lines_is_a_literal_block() {
        assert_eq!(yaml_string("a\nb\n", 2), "|\n    a\n    b");
        assert_eq!(yaml_string("a\nb", 0), "|-\n  a\n  b");
        assert_eq!(yaml_string(" a\nb", 0), "\" a\\nb\"");
    }
}
