//! Argo CD Applications (`argoproj.io` `Application`): each Helm source of one (`spec.source`, or
//! each of `spec.sources`) is a release. Its chart is `chart` from `repoURL` at `targetRevision`, or
//! the chart directory of this repository that a `path` names; its values are Argo CD's layers,
//! lowest first: the chart's `values.yaml` (a local chart), `helm.valueFiles` in order,
//! `helm.valuesObject` (or, when there is none, the YAML text of `helm.values`), then
//! `helm.parameters` as `--set` (`forceString`: `--set-string`).
//!
//! Argo CD reads the value files from the source's repository: a file relative to the source's
//! `path`, or `$ref/…` from the repository of the source whose `ref` is `ref`. acp-check cannot know
//! which repository the checkout is: a path or a ref whose files exist here (in the Application's
//! folder or one above it, up to the repository's top) is this repository. Any other file (a
//! remote URL, one packaged in a chart, one not found) is a layer acp-check cannot read, unless
//! `helm.ignoreMissingValueFiles` says a missing one is skipped.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::chart_dir;
use super::kustomize::normalize;
use super::loader::Loader;
use super::set;
use crate::core::redact::{is_secret_key, secrets_in_text};
use crate::core::source::{SourceId, Span, IDS_PER_INPUT};
use crate::core::Fatal;
use crate::model::{empty_values, Kind, Located, Release, Unknown};
use crate::tree::{merge, Map, Node, Value};
use crate::yaml::Helm;

pub(super) fn is_application(doc: &Node) -> bool {
    doc.get(&["kind"]).and_then(Node::as_str) == Some("Application")
        && doc
            .get(&["apiVersion"])
            .and_then(Node::as_str)
            .is_some_and(|v| v.starts_with("argoproj.io/"))
}

/// The indices of the Application documents among `documents[range]`, if there is one: then the
/// file is a manifest, and its other documents are not releases.
pub(super) fn documents_of(
    documents: &[(SourceId, Node)],
    range: std::ops::Range<usize>,
) -> Option<Vec<usize>> {
    let found: Vec<usize> = range.filter(|&i| is_application(&documents[i].1)).collect();
    (!found.is_empty()).then_some(found)
}

/// Argo CD reads values files with Helm 3: the first document of each.
const HELM: Helm = Helm::V3;

/// Deepest folder above an Application searched for the repository's top.
const MAX_UP: usize = 32;

/// A Helm source of an Application, with where its layers are.
struct HelmSource<'a> {
    node: &'a Node,
    /// Its index in `spec.sources` (`None`: `spec.source`).
    index: Option<usize>,
    /// The chart directory of this repository its `path` names.
    chart_dir: Option<PathBuf>,
    files: Vec<ValueFile>,
}

/// One of `helm.valueFiles`.
enum ValueFile {
    /// A file of this repository.
    Local(PathBuf, Span),
    /// Not read: what it is, how to settle it, where it is named.
    Unknown(String, String, Span),
}

/// The folders a path of the repository may be relative to: the Application's folder and each one
/// above it, up to the repository's top (the folder holding `.git`); without one, up to the current
/// directory.
fn roots(file: Option<&Path>) -> Vec<PathBuf> {
    let mut dir = file
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut found = Vec::new();
    for _ in 0..MAX_UP {
        let shown = if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir.clone()
        };
        found.push(dir.clone());
        if shown.join(".git").exists() {
            return found;
        }
        let only_up = dir
            .components()
            .all(|c| matches!(c, std::path::Component::ParentDir));
        let next = if only_up && dir.is_relative() {
            dir.join("..")
        } else {
            match dir.parent() {
                Some(p) => p.to_path_buf(),
                None => break,
            }
        };
        let same = std::fs::canonicalize(&shown).ok() == std::fs::canonicalize(shown.join("..")).ok();
        if same {
            break;
        }
        dir = next;
    }
    // No repository: what is below the current directory (and the Application's own folder).
    let mut kept: Vec<PathBuf> = found
        .into_iter()
        .filter(|d| {
            d.is_relative()
                && !d
                    .components()
                    .any(|c| matches!(c, std::path::Component::ParentDir))
        })
        .collect();
    if kept.is_empty() {
        kept.extend(file.and_then(Path::parent).map(Path::to_path_buf));
    }
    kept
}

/// A path of the repository, where it exists here.
fn resolve(roots: &[PathBuf], path: &str) -> Option<PathBuf> {
    let path = path.trim_start_matches('/');
    roots
        .iter()
        .map(|root| normalize(&root.join(path)))
        .find(|p| p.exists())
}

fn text<'a>(node: &'a Node, path: &[&str]) -> Option<&'a str> {
    node.get(path).and_then(Node::as_str)
}

/// The Helm sources of an Application document, with their layers resolved.
fn helm_sources<'a>(doc: &'a Node, roots: &[PathBuf]) -> Vec<HelmSource<'a>> {
    let all: Vec<(&Node, Option<usize>)> = match doc.get(&["spec", "sources"]).and_then(Node::as_seq) {
        Some(list) if !list.is_empty() => list.iter().enumerate().map(|(i, n)| (n, Some(i))).collect(),
        _ => doc
            .get(&["spec", "source"])
            .into_iter()
            .map(|n| (n, None))
            .collect(),
    };
    let refs: HashMap<&str, &Node> = all
        .iter()
        .filter_map(|(n, _)| Some((text(n, &["ref"])?, *n)))
        .collect();
    // A ref is this repository when one of the files named through it is here.
    let mut local_refs: Vec<&str> = Vec::new();
    for (node, _) in &all {
        for file in node
            .get(&["helm", "valueFiles"])
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(Node::as_str)
        {
            if let Some((name, rest)) = file.strip_prefix('$').and_then(|f| f.split_once('/')) {
                if refs.contains_key(name) && resolve(roots, rest).is_some_and(|p| p.is_file()) {
                    local_refs.push(name);
                }
            }
        }
    }
    let mut found = Vec::new();
    for (node, index) in all {
        let chart = text(node, &["chart"]);
        let path = text(node, &["path"]);
        let dir = path.and_then(|p| resolve(roots, p)).filter(|d| d.is_dir());
        let chart_dir = match chart {
            None => dir.clone().filter(|d| chart_dir::is_chart_dir(d)),
            Some(_) => None,
        };
        // A source that is only a ref, or a folder of manifests, deploys no chart.
        let is_helm = chart.is_some()
            || chart_dir.is_some()
            || (path.is_some() && dir.is_none() && node.get(&["helm"]).is_some());
        if !is_helm {
            continue;
        }
        let ignore_missing = node
            .get(&["helm", "ignoreMissingValueFiles"])
            .and_then(Node::as_bool)
            == Some(true);
        let mut files = Vec::new();
        for entry in node
            .get(&["helm", "valueFiles"])
            .and_then(Node::as_seq)
            .unwrap_or_default()
        {
            let Some(name) = entry.as_str() else { continue };
            let span = entry.span;
            let shown = crate::core::text::preview(name, 120);
            let unknown = |what: String, settle: &str| ValueFile::Unknown(what, settle.to_string(), span);
            let missing = |at: &Path| {
                (!ignore_missing).then(|| {
                    unknown(
                        format!(
                            "the values file `{shown}` (helm.valueFiles), not found at {}",
                            at.display()
                        ),
                        "add it, or set helm.ignoreMissingValueFiles: true if it is optional",
                    )
                })
            };
            if name.contains("://") {
                files.push(unknown(
                    format!("the remote values file `{shown}` (helm.valueFiles)"),
                    "acp-check reads the values files of this repository only",
                ));
            } else if let Some(reference) = name.strip_prefix('$') {
                let (ref_name, rest) = reference.split_once('/').unwrap_or((reference, ""));
                match resolve(roots, rest).filter(|p| p.is_file()) {
                    Some(local) if refs.contains_key(ref_name) => files.push(ValueFile::Local(local, span)),
                    _ if local_refs.contains(&ref_name) => {
                        let at = roots.last().map(|r| normalize(&r.join(rest))).unwrap_or_default();
                        files.extend(missing(&at));
                    }
                    _ => {
                        let repo = refs
                            .get(ref_name)
                            .and_then(|r| text(r, &["repoURL"]))
                            .map(|u| format!(" of {}", crate::core::text::preview(u, 120)))
                            .unwrap_or_default();
                        files.push(unknown(
                            format!("the values file `{shown}`{repo} (helm.valueFiles), not found in this repository"),
                            "acp-check reads the values files of this repository only",
                        ));
                    }
                }
            } else if chart.is_some() {
                files.push(unknown(
                    format!("the chart's own values file `{shown}` (helm.valueFiles)"),
                    "acp-check does not fetch the chart: lint that file with the chart's values",
                ));
            } else if let Some(dir) = &dir {
                let at = normalize(&dir.join(name));
                if at.is_file() {
                    files.push(ValueFile::Local(at, span));
                } else {
                    files.extend(missing(&at));
                }
            } else {
                files.push(unknown(
                    format!(
                        "the values file `{shown}` of path `{}` (helm.valueFiles), not found in this repository",
                        crate::core::text::preview(path.unwrap_or_default(), 120)
                    ),
                    "acp-check reads the values files of this repository only",
                ));
            }
        }
        found.push(HelmSource {
            node,
            index,
            chart_dir,
            files,
        });
    }
    found
}

/// The files of this repository that the Application documents of `file` read as layers (values
/// files, chart directories): they are no releases of their own.
pub(super) fn consumed(file: &Path) -> Vec<PathBuf> {
    let Ok(bytes) = crate::core::read::read_file(file, crate::core::read::Limit::VALUES) else {
        return Vec::new();
    };
    let Ok(text) = String::from_utf8(bytes) else {
        return Vec::new();
    };
    if !text.contains("argoproj.io") {
        return Vec::new();
    }
    let roots = roots(Some(file));
    let parsed = crate::yaml::parse(SourceId(u32::MAX - 1), &text);
    let mut found = Vec::new();
    for doc in parsed.documents.iter().filter(|d| is_application(d)) {
        for source in helm_sources(doc, &roots) {
            found.extend(source.chart_dir.clone());
            for file in source.files {
                if let ValueFile::Local(path, _) = file {
                    found.push(path);
                }
            }
        }
    }
    found
}

/// The releases of the Application documents `docs` (of `loader.documents`), read from `file`
/// (`None`: standard input), their local layers read into `loader`.
pub(super) fn releases(
    loader: &mut Loader,
    file: Option<&Path>,
    docs: &[usize],
) -> Result<Vec<Release>, Fatal> {
    let roots = roots(file);
    let mut read = Files::default();
    let mut out = Vec::new();
    for &i in docs {
        let doc = loader.documents[i].1.clone();
        let sources = helm_sources(&doc, &roots);
        let several = sources.len() > 1;
        for source in sources {
            out.push(release(loader, &doc, &source, several, &mut read)?);
        }
    }
    Ok(out)
}

/// The files read so far, by path: a file two sources name is read once.
#[derive(Default)]
struct Files(HashMap<PathBuf, Option<(SourceId, Option<Node>)>>);

impl Files {
    /// The values of a local file (`None` inside: it holds none), or `None` when it cannot be read.
    fn values(&mut self, loader: &mut Loader, path: &Path) -> Option<(SourceId, Option<Node>)> {
        if let Some(done) = self.0.get(path) {
            return done.clone();
        }
        let got = if loader.sources.len() >= IDS_PER_INPUT as usize {
            None
        } else {
            match loader.read_file(path) {
                Ok(Some((id, range))) => {
                    let values = loader
                        .values_documents(id, range, HELM)
                        .and_then(|docs| loader.merged(&docs));
                    Some((id, values))
                }
                Ok(None) | Err(_) => None,
            }
        };
        self.0.insert(path.to_path_buf(), got.clone());
        got
    }
}

fn release(
    loader: &mut Loader,
    doc: &Node,
    source: &HelmSource,
    several: bool,
    files: &mut Files,
) -> Result<Release, Fatal> {
    let node = source.node;
    let name = doc.get(&["metadata", "name"]).and_then(Located::from_node);
    let label = format!(
        "Application {}{}{}",
        text(doc, &["metadata", "namespace"])
            .map(|n| format!("{n}/"))
            .unwrap_or_default(),
        name.as_ref().map_or("(unnamed)", |n| n.value.as_str()),
        match source.index {
            Some(i) if several => format!(" (spec.sources[{i}])"),
            _ => String::new(),
        }
    );
    let mut release = match &source.chart_dir {
        Some(dir) if loader.sources.len() + 3 <= IDS_PER_INPUT as usize => {
            let mut chart = chart_dir::read(loader, dir, HELM)?;
            if loader.sources.contains(chart.values.span.source) {
                chart.ranks.push((chart.values.span.source, 0));
            }
            chart.kind = Kind::Application;
            chart.label = label;
            chart
        }
        _ => {
            let mut release = Release::new(Kind::Application, label, empty_values(node.span));
            if let Some(chart) = node.get(&["chart"]).and_then(Located::from_node) {
                // An OCI chart may be written with its repository's path: `bitnamicharts/redis-cluster`.
                let short = chart.value.rsplit('/').next().unwrap_or_default().to_string();
                release.chart_name = Some(Located::new(short, chart.span));
                release.chart_version = node.get(&["targetRevision"]).and_then(Located::from_node);
                release.chart_origin = text(node, &["repoURL"]).map(str::to_string).into_iter().collect();
            }
            release
        }
    };
    release.release_name = node
        .get(&["helm", "releaseName"])
        .and_then(Located::from_node)
        .or(name);
    release.namespace = doc
        .get(&["spec", "destination", "namespace"])
        .and_then(Located::from_node);
    let mut base = match std::mem::replace(&mut release.values.value, Value::Null) {
        Value::Map(map) => map,
        _ => Map::default(),
    };
    let mut rank: u16 = 1;
    for file in &source.files {
        match file {
            ValueFile::Local(path, span) => match files.values(loader, path) {
                Some((id, values)) => {
                    if let Some(Node {
                        value: Value::Map(map),
                        ..
                    }) = values
                    {
                        merge::merge(&mut base, map);
                    }
                    release.ranks.push((id, rank));
                }
                None => release.unknown.push(unknown_layer(
                    format!(
                        "the values file {} (helm.valueFiles), which could not be read",
                        path.display()
                    ),
                    "acp-check reads at most 16 files an input names, each YAML".into(),
                    *span,
                    rank,
                )),
            },
            ValueFile::Unknown(what, settle, span) => {
                release
                    .unknown
                    .push(unknown_layer(what.clone(), settle.clone(), *span, rank))
            }
        }
        rank = rank.saturating_add(1);
    }
    // `valuesObject` replaces `values` whole, as Argo CD's `ValuesYAML` does.
    match node.get(&["helm", "valuesObject"]) {
        Some(
            object @ Node {
                value: Value::Map(_), ..
            },
        ) => {
            if let Value::Map(map) = object.value.clone() {
                merge::merge(&mut base, map);
            }
        }
        _ => {
            if let Some(values) = node.get(&["helm", "values"]) {
                match embedded_values(loader, values) {
                    Some(map) => merge::merge(&mut base, map),
                    None => release.unknown.push(unknown_layer(
                        "helm.values, which could not be read as values".into(),
                        "fix the YAML of helm.values".into(),
                        values.span,
                        rank,
                    )),
                }
            }
        }
    }
    parameters(loader, node, &mut base)?;
    // `helm.fileParameters` (`--set-file`): a file of the repository Argo CD reads at sync, which
    // acp-check does not: the value at its name is a layer it could not read, above all others
    // (the Application's own values and parameters are below it).
    let file_parameters = node
        .get(&["helm", "fileParameters"])
        .and_then(Node::as_seq)
        .unwrap_or_default();
    if !file_parameters.is_empty() {
        release.ranks.push((node.span.source, rank));
    }
    for parameter in file_parameters {
        let Some(name) = parameter.get(&["name"]).and_then(Node::as_str) else {
            continue;
        };
        let file = parameter
            .get(&["path"])
            .and_then(Node::as_str)
            .unwrap_or_default();
        let mut layer = unknown_layer(
            format!("the file `{file}` (helm.fileParameters `{name}`)"),
            "acp-check does not read file parameters: check what the file holds".into(),
            parameter.span,
            u16::MAX - 1,
        );
        layer.path = name.split('.').map(str::to_string).collect();
        release.unknown.push(layer);
    }
    release.values = Node::new(Value::Map(base), node.span);
    Ok(release)
}

fn unknown_layer(what: String, settle: String, span: Span, rank: u16) -> Unknown {
    Unknown {
        what,
        settle,
        span: Some(span),
        path: Vec::new(),
        rank,
        values_from: None,
    }
}

/// The values the YAML text of `helm.values` holds, its documents kept to locate findings and its
/// secrets marked in the Application's source; `None` when it holds none Helm would read.
fn embedded_values(loader: &mut Loader, values: &Node) -> Option<Map> {
    let id = values.span.source;
    if matches!(values.value, Value::Null) {
        return Some(Map::default());
    }
    let mut parsed = crate::yaml::parse_embedded(values, &loader.sources.get(id).text)?;
    super::loader::mark_secrets(loader.sources.get_mut(id), &mut parsed);
    loader.problems.extend(parsed.problems);
    if parsed.failed {
        return None;
    }
    let docs: Vec<(SourceId, Node)> = parsed.documents.into_iter().map(|d| (id, d)).collect();
    let text = match &values.value {
        Value::Str(s) => s.clone(),
        _ => String::new(),
    };
    let read = match crate::yaml::values_documents(&text, id, &docs, HELM) {
        Ok(read) => read,
        Err(problem) => {
            loader.problems.push(problem);
            return None;
        }
    };
    let merged = merge::merge_documents(read.iter().map(|&i| docs[i].1.clone()));
    loader.documents.extend(docs);
    match merged {
        Some(Node {
            value: Value::Map(map),
            ..
        }) => Some(map),
        _ => Some(Map::default()),
    }
}

/// The id `helm.parameters` are parsed at before their spans move to where they are written.
const PARAMETER: SourceId = SourceId(SourceId::BUILTIN - 1);

/// Applies `helm.parameters` to `base` as Argo CD passes them to Helm: every `--set NAME=VALUE`,
/// then every `--set-string` (`forceString: true`), one per name (the last written), a comma in a
/// value escaped unless the value is a list (`{a,b}`). Each value points at the parameter.
fn parameters(loader: &mut Loader, source: &Node, base: &mut Map) -> Result<(), Fatal> {
    let list = source
        .get(&["helm", "parameters"])
        .and_then(Node::as_seq)
        .unwrap_or_default();
    // (name, its node, value, its node), per kind, one per name.
    let mut typed: Vec<(String, &Node, String, Option<&Node>)> = Vec::new();
    let mut strings: Vec<(String, &Node, String, Option<&Node>)> = Vec::new();
    for parameter in list {
        let Some(name_node) = parameter.get(&["name"]) else {
            continue;
        };
        let Some(name) = Located::from_node(name_node) else {
            continue;
        };
        let value_node = parameter.get(&["value"]);
        let value = value_node
            .and_then(|v| match &v.value {
                Value::Bool(b) => Some(b.to_string()),
                _ => Located::from_node(v).map(|l| l.value),
            })
            .unwrap_or_default();
        let force = parameter.get(&["forceString"]).and_then(Node::as_bool) == Some(true);
        let into = if force { &mut strings } else { &mut typed };
        match into.iter_mut().find(|(n, ..)| *n == name.value) {
            Some(kept) => *kept = (name.value, name_node, value, value_node),
            None => into.push((name.value, name_node, value, value_node)),
        }
    }
    let mut padding = set::Padding::default();
    for (kind, list) in [(set::SetKind::Typed, typed), (set::SetKind::String, strings)] {
        for (name, name_node, value, value_node) in list {
            let cleaned = if value.starts_with('{') && value.ends_with('}') {
                value.clone()
            } else {
                escape_commas(&value)
            };
            let arg = format!("{name}={cleaned}");
            let value_span = value_node.map_or(name_node.span, |v| v.span);
            let split = name.len();
            let to = |span: Span| {
                if span.source != PARAMETER {
                    span
                } else if (span.start as usize) < split {
                    name_node.span
                } else {
                    value_span
                }
            };
            let mut no_files = |_: &str| -> Result<String, String> { Err("no files".into()) };
            let applied = set::apply(&arg, PARAMETER, kind, base, &mut no_files, &mut padding);
            // A secret value is masked wherever it shows, and hidden where it is written.
            let secret = is_secret_key(name.rsplit('.').next().unwrap_or(&name))
                || !secrets_in_text(&value).is_empty()
                || applied.as_ref().is_ok_and(|s| !s.is_empty());
            if secret && !value.is_empty() && loader.sources.contains(value_span.source) {
                let written = loader.sources.get_mut(value_span.source);
                written.redact(value_span.range());
                written.know(value.clone());
            }
            if let Err(e) = applied {
                let written = loader.sources.get(name_node.span.source);
                let (line, column) = written.line_col(name_node.span.start as usize);
                return Err(Fatal(format!(
                    "{}:{line}:{column}: helm.parameters `{}`: Helm refuses it ({}): {}",
                    crate::core::text::file_name(&written.name),
                    crate::core::text::preview(&name, 120),
                    if kind == set::SetKind::String {
                        "--set-string"
                    } else {
                        "--set"
                    },
                    e.message
                )));
            }
            for entry in &mut base.entries {
                if entry.key_span.source == PARAMETER {
                    entry.key_span = to(entry.key_span);
                }
                entry.value.map_spans(&to);
            }
        }
    }
    Ok(())
}

/// A value with its commas escaped (`\,`), but those already escaped, as Argo CD escapes a
/// parameter's value.
fn escape_commas(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut previous = None;
    for c in value.chars() {
        if c == ',' && previous != Some('\\') {
            out.push('\\');
        }
        out.push(c);
        previous = Some(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::source::Sources;
    use crate::input::test_dir::TestDir;
    use serde_json::json;

    const APP: &str =
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: cache, namespace: argocd}\n";

    /// The releases of the Application file `path`.
    fn read(path: &Path) -> (Loader, Vec<Release>) {
        let mut loader = Loader::new(Sources::default());
        let (_, range) = loader.read_file(path).unwrap().unwrap();
        let docs = documents_of(&loader.documents, range).unwrap();
        let releases = releases(&mut loader, Some(path), &docs).unwrap();
        (loader, releases)
    }

    #[test]
    fn an_application_is_told_by_kind_and_argo_api_group() {
        let docs: Vec<(SourceId, Node)> = crate::yaml::parse(
            SourceId(0),
            &format!("kind: ConfigMap\n---\n{APP}---\nkind: Application\napiVersion: example.com/v1\n"),
        )
        .documents
        .into_iter()
        .map(|d| (SourceId(0), d))
        .collect();
        assert_eq!(documents_of(&docs, 0..3), Some(vec![1]));
        assert_eq!(documents_of(&docs, 0..1), None);
    }

    #[test]
    fn a_chart_source_names_its_chart_version_release_and_namespace() {
        let dir = TestDir::new("argo-chart");
        let app = dir.write(
            "app.yaml",
            &format!("{APP}spec:\n  destination: {{namespace: data}}\n  source:\n    repoURL: registry-1.docker.io/bitnamicharts\n    chart: redis-cluster\n    targetRevision: 11.4.3\n    helm:\n      releaseName: redis\n"),
        );
        let (_, releases) = read(&app);
        let [release] = &releases[..] else { panic!() };
        let value = |l: &Option<Located<String>>| l.as_ref().map(|l| l.value.clone());
        assert_eq!(release.kind, Kind::Application);
        assert_eq!(release.label, "Application argocd/cache");
        assert_eq!(value(&release.chart_name).as_deref(), Some("redis-cluster"));
        assert_eq!(value(&release.chart_version).as_deref(), Some("11.4.3"));
        assert_eq!(value(&release.release_name).as_deref(), Some("redis"));
        assert_eq!(value(&release.namespace).as_deref(), Some("data"));
        assert!(matches!(release.identity(), crate::model::Identity::Known(_)));
    }

    #[test]
    fn layers_apply_in_argo_order_and_value_files_resolve_in_this_repository() {
        let dir = TestDir::new("argo-layers");
        dir.write(".git/HEAD", "ref: main\n");
        dir.write("envs/prod/values.yaml", "a: file\nb: file\nc: file\nd: file\n");
        dir.write(
            "charts/redis/Chart.yaml",
            "name: redis-cluster\nversion: 11.4.3\n",
        );
        dir.write("charts/redis/values.yaml", "a: chart\ne: chart\n");
        let app = dir.write(
            "apps/app.yaml",
            &format!(
                "{APP}spec:\n  sources:\n    - repoURL: https://git.example.com/repo.git\n      path: charts/redis\n      helm:\n        valueFiles: [$values/envs/prod/values.yaml, $values/missing.yaml, https://example.com/v.yaml]\n        ignoreMissingValueFiles: true\n        values: |\n          b: values\n          c: values\n        parameters:\n          - {{name: c, value: 'x,y'}}\n          - {{name: d, value: '1', forceString: true}}\n    - repoURL: https://git.example.com/repo.git\n      ref: values\n"
            ),
        );
        let (_, releases) = read(&app);
        let [release] = &releases[..] else { panic!() };
        assert_eq!(
            release.values.to_json(),
            json!({"a": "file", "e": "chart", "b": "values", "c": "x,y", "d": "1"})
        );
        assert_eq!(release.chart_name.as_ref().unwrap().value, "redis-cluster");
        // The missing file is skipped; the remote one is a layer acp-check cannot read.
        let unknown: Vec<(&str, u16)> = release
            .unknown
            .iter()
            .map(|u| (u.what.as_str(), u.rank))
            .collect();
        assert_eq!(
            unknown,
            [(
                "the remote values file `https://example.com/v.yaml` (helm.valueFiles)",
                2
            )]
        );
        assert_eq!(
            consumed(&app),
            [
                dir.path().join("charts/redis"),
                dir.path().join("envs/prod/values.yaml")
            ]
        );
    }

    #[test]
    fn values_object_replaces_values_and_a_bad_parameter_is_named_with_its_place() {
        let dir = TestDir::new("argo-object");
        let app = dir.write(
            "app.yaml",
            &format!("{APP}spec:\n  source:\n    chart: redis-cluster\n    repoURL: https://charts.bitnami.com/bitnami\n    helm:\n      valuesObject: {{a: object}}\n      values: |\n        b: values\n"),
        );
        let (_, read) = read(&app);
        assert_eq!(read[0].values.to_json(), json!({"a": "object"}));
        let bad = dir.write(
            "bad.yaml",
            &format!("{APP}spec:\n  source:\n    chart: redis-cluster\n    helm:\n      parameters:\n        - name: a[x]\n          value: x\n"),
        );
        let mut loader = Loader::new(Sources::default());
        let (_, range) = loader.read_file(&bad).unwrap().unwrap();
        let docs = documents_of(&loader.documents, range).unwrap();
        let error = releases(&mut loader, Some(&bad), &docs).unwrap_err().0;
        assert!(
            error.starts_with(&format!(
                "{}:9:17: helm.parameters `a[x]`: Helm refuses it (--set)",
                bad.display()
            )),
            "{error}"
        );
    }

    #[test]
    fn commas_are_escaped_as_argo_escapes_them() {
        assert_eq!(escape_commas("a,b\\,c"), "a\\,b\\,c");
    }
}
