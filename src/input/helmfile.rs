//! Helmfile: `helmfile.yaml` (and each file of a `helmfile.d` folder, in name order) declares
//! releases: `name`, `namespace`, `chart` (`REPO/CHART`, whose URL `repositories[]` gives; an
//! `oci://` reference; or a local chart directory), `version`, `values` (files and inline maps, in
//! order), `secrets` (files Helmfile decrypts, above them), and `set` / `setString` (Helm's
//! `--set` / `--set-string`, applied last). `installed: false` leaves a release out, and so does a
//! `condition` the environment's values turn off.
//!
//! A Helmfile is a Go template. acp-check does not render templates: it reads the file as YAML,
//! puts the name of the environment (`--environment`, `default` unless given) where
//! `{{ .Environment.Name }}` is written, and keeps anything else templated as unknown: a values
//! file named by a template or ending in `.gotmpl` is an unknown layer, a field is not known. A file
//! whose template actions keep it from being YAML, or that chooses its releases with `{{ if }}` or
//! `{{ range }}`, is not read: one info says so. Environment values serve the templates and the
//! conditions only: they are read for a condition, never as a release's values.

use std::path::{Path, PathBuf};

use super::loader::Loader;
use super::stack::{self, Read, Stack};
use super::{chart_dir, kustomize::normalize, set, values_file};
use crate::core::read::{self, Limit};
use crate::core::source::{Origin, SourceId, Span};
use crate::core::Fatal;
use crate::model::{empty_values, Kind, Located, Release};
use crate::tree::{Map, Node, Value};
use crate::yaml::{Helm, Problem};

/// The names a Helmfile is read from (Helmfile's own, and its `.gotmpl` form).
const FILE_NAMES: [&str; 4] = [
    "helmfile.yaml",
    "helmfile.yml",
    "helmfile.yaml.gotmpl",
    "helmfile.yml.gotmpl",
];

/// The folder Helmfile reads every file of, in name order, when there is no `helmfile.yaml`.
pub(super) const FOLDER: &str = "helmfile.d";

/// Whether `path` is a Helmfile by its name: `helmfile.yaml` (or `.yml`, `.gotmpl`), a file of a
/// `helmfile.d` folder, or that folder.
pub(super) fn is_helmfile(path: &Path) -> bool {
    let name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let own = name(path);
    if FILE_NAMES.contains(&own.as_str()) {
        return true;
    }
    if own == FOLDER {
        return path.is_dir();
    }
    path.parent().is_some_and(|p| name(p) == FOLDER) && is_state_file(&own)
}

fn is_state_file(name: &str) -> bool {
    [".yaml", ".yml", ".gotmpl"].iter().any(|e| name.ends_with(e))
}

/// Whether a file's text looks like a Helmfile: one of its top-level keys is Helmfile's.
pub(super) fn has_helmfile_keys(keys: &[&str]) -> bool {
    keys.iter().any(|k| {
        [
            "releases",
            "repositories",
            "environments",
            "helmfiles",
            "helmDefaults",
            "bases",
        ]
        .contains(k)
    })
}

/// The files `path` (a Helmfile, or a `helmfile.d` folder) is made of, in the order Helmfile reads
/// them.
fn state_files(path: &Path) -> Vec<PathBuf> {
    if !path.is_dir() {
        return vec![path.to_path_buf()];
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .map(|e| e.path())
                .filter(|p| is_state_file(&p.file_name().unwrap_or_default().to_string_lossy()))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// The releases of the Helmfile at `path` (a file, or a `helmfile.d` folder) for `environment`,
/// their files read into `loader`.
pub(super) fn releases(
    loader: &mut Loader,
    path: &Path,
    environment: &str,
    helm: Helm,
) -> Result<Vec<Release>, Fatal> {
    let mut releases = Vec::new();
    for file in state_files(path) {
        read_state(loader, &file, environment, helm, &mut releases)?;
    }
    Ok(releases)
}

/// The template actions that choose what a file holds (rather than a value in it).
const CONTROL: [&str; 8] = [
    "if", "else", "end", "range", "with", "define", "template", "block",
];

/// The first template action of `text` at or before `offset` (else the first at all), and whether
/// `text` has one that chooses what it holds.
fn template_actions(text: &str, offset: Option<usize>) -> Option<(usize, bool)> {
    let mut first = None;
    let mut control = false;
    for (at, _) in text.match_indices("{{") {
        if first.is_none() || offset.is_some_and(|o| at <= o) {
            first = Some(at);
        }
        let action = text[at + 2..].trim_start_matches('-').trim_start();
        let word: String = action.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
        control |= CONTROL.contains(&word.as_str());
    }
    first.map(|at| (at, control))
}

fn read_state(
    loader: &mut Loader,
    file: &Path,
    environment: &str,
    helm: Helm,
    out: &mut Vec<Release>,
) -> Result<(), Fatal> {
    let name = file.to_string_lossy().into_owned();
    let bytes = read::read_file(file, Limit::VALUES).map_err(|f| Fatal(format!("{name}: {}", f.reason())))?;
    let problems = loader.problems.len();
    let read = loader.add(name, Origin::File, bytes);
    let id = match &read {
        Some((id, _)) => *id,
        None => match loader.sources.iter().last() {
            Some((id, _)) => id,
            None => return Ok(()),
        },
    };
    let text = &loader.sources.get(id).text;
    let failed_at = loader.problems[problems..].iter().find_map(|p| match p {
        Problem::Syntax { span, .. } if span.source == id => Some(span.start as usize),
        _ => None,
    });
    if let Some((at, control)) = template_actions(text, failed_at) {
        if read.is_none() || control {
            let line = loader.sources.get(id).line_col(at).0;
            let why = if read.is_none() {
                "is not YAML until Helmfile renders its templates"
            } else {
                "chooses its releases with template actions (`{{ if }}`, `{{ range }}`) that Helmfile renders"
            };
            // Not the file's YAML error: a template is YAML once rendered.
            loader.problems.truncate(problems);
            loader.problems.push(Problem::Template {
                span: Span::new(id, at..at + 2),
                message: format!(
                    "the Helmfile could not be read: it {why} (line {line}), which acp-check does not do; its releases were not checked"
                ),
            });
            return Ok(());
        }
    }
    let Some((_, range)) = read else { return Ok(()) };
    let docs: Vec<Node> = loader.documents[range].iter().map(|(_, d)| d.clone()).collect();
    let dir = file.parent().unwrap_or(Path::new("")).to_path_buf();
    let state = State::of(&docs);
    if environment != "default" && !state.environments.iter().any(|(n, _)| n == environment) {
        let defined: Vec<&str> = state.environments.iter().map(|(n, _)| n.as_str()).collect();
        return Err(Fatal(format!(
            "{}: environment `{environment}` is not defined in this Helmfile ({})",
            file.display(),
            if defined.is_empty() {
                "it defines none".to_string()
            } else {
                format!("it defines {}", defined.join(", "))
            }
        )));
    }
    let context = Context {
        dir: &dir,
        environment,
        helm,
        state: &state,
    };
    for node in &state.releases {
        if let Some(release) = context.release(loader, node)? {
            out.push(release);
        }
    }
    Ok(())
}

/// What a Helmfile's documents declare.
#[derive(Default)]
struct State {
    /// `repositories[]`: name and URL.
    repositories: Vec<(String, String)>,
    /// `environments`: name and its node.
    environments: Vec<(String, Node)>,
    releases: Vec<Node>,
}

impl State {
    fn of(docs: &[Node]) -> State {
        let mut state = State::default();
        for doc in docs {
            for repo in doc
                .get(&["repositories"])
                .and_then(Node::as_seq)
                .unwrap_or_default()
            {
                let text = |k: &str| repo.get(&[k]).and_then(Node::as_str).map(str::to_string);
                if let (Some(name), Some(url)) = (text("name"), text("url")) {
                    state.repositories.push((name, url));
                }
            }
            if let Some(envs) = doc.get(&["environments"]).and_then(Node::as_map) {
                for e in &envs.entries {
                    state.environments.push((e.key.clone(), e.value.clone()));
                }
            }
            state.releases.extend(
                doc.get(&["releases"])
                    .and_then(Node::as_seq)
                    .unwrap_or_default()
                    .iter()
                    .cloned(),
            );
        }
        state
    }
}

/// What reading a release needs.
struct Context<'a> {
    dir: &'a Path,
    environment: &'a str,
    helm: Helm,
    state: &'a State,
}

/// `text` with `{{ .Environment.Name }}` rendered as `environment`; `None` when another template
/// action remains.
fn render(text: &str, environment: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("{{") {
        out.push_str(&rest[..at]);
        let end = rest[at..].find("}}")? + at;
        let action = rest[at + 2..end].trim_matches('-').trim();
        if action != ".Environment.Name" {
            return None;
        }
        out.push_str(environment);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    Some(out)
}

impl Context<'_> {
    /// A string field, rendered; `None` when it is not there or is templated beyond the
    /// environment's name.
    fn text(&self, node: &Node, key: &str) -> Option<Located<String>> {
        let found = node.get(&[key]).and_then(Located::from_node)?;
        let value = render(&found.value, self.environment)?;
        Some(Located::new(value, found.span))
    }

    fn release(&self, loader: &mut Loader, node: &Node) -> Result<Option<Release>, Fatal> {
        let Some(name) = self.text(node, "name") else {
            return Ok(None);
        };
        if node.get(&["installed"]).and_then(Node::as_bool) == Some(false) {
            return Ok(None);
        }
        if let Some(condition) = node.get(&["condition"]).and_then(Node::as_str) {
            if self.condition(condition) == Some(false) {
                return Ok(None);
            }
        }
        let mut release = self.chart(loader, node)?;
        let namespace = self.text(node, "namespace");
        release.label = format!(
            "Helmfile release {}{}",
            namespace
                .as_ref()
                .map(|n| format!("{}/", n.value))
                .unwrap_or_default(),
            name.value
        );
        release.release_name = Some(name.clone());
        release.namespace = namespace;
        let mut stack = Stack::default();
        for field in ["values", "secrets"] {
            for item in node.get(&[field]).and_then(Node::as_seq).unwrap_or_default() {
                match &item.value {
                    Value::Map(map) => stack.known(map.clone()),
                    Value::Str(written) => {
                        self.file(loader, &mut stack, written, item.span, field, &name.value)?
                    }
                    _ => {}
                }
            }
        }
        let sets = self.sets(node, &name.value, &mut stack);
        stack.apply(&mut release);
        self.apply_sets(loader, &mut release, sets)?;
        Ok(Some(release))
    }

    /// Whether the environment's values turn `condition` on, as Helmfile reads it: `KEY.enabled`
    /// (or several, comma-separated) is on when one of them is `true`, off when none is or the
    /// values lack it; `None` when a values file of the environment could not be read.
    fn condition(&self, condition: &str) -> Option<bool> {
        let env = self
            .state
            .environments
            .iter()
            .find(|(n, _)| n == self.environment)
            .map(|(_, node)| node);
        let mut merged = Map::default();
        let items = env
            .and_then(|e| e.get(&["values"]))
            .and_then(Node::as_seq)
            .unwrap_or_default();
        for item in items {
            let map = match &item.value {
                Value::Map(map) => map.clone(),
                Value::Str(written) => {
                    let path = normalize(&self.dir.join(render(written, self.environment)?));
                    if written.ends_with(".gotmpl") || stack::is_remote(written) {
                        return None;
                    }
                    let bytes = read::read_file(&path, Limit::VALUES).ok()?;
                    let text = String::from_utf8(bytes).ok()?;
                    let parsed = crate::yaml::parse(SourceId(u32::MAX - 1), &text);
                    if parsed.failed {
                        return None;
                    }
                    match parsed.documents.into_iter().next().map(|d| d.value) {
                        Some(Value::Map(map)) => map,
                        _ => Map::default(),
                    }
                }
                _ => continue,
            };
            crate::tree::merge::merge(&mut merged, map);
        }
        let merged = Node::new(Value::Map(merged), Span::new(SourceId(u32::MAX - 1), 0..0));
        Some(condition.split(',').any(|one| {
            let path: Vec<&str> = one.trim().split('.').collect();
            merged.get(&path).and_then(Node::as_bool) == Some(true)
        }))
    }

    /// The release's chart: a local chart directory read as one, or a chart of a repository.
    fn chart(&self, loader: &mut Loader, node: &Node) -> Result<Release, Fatal> {
        let empty = || {
            let mut release = values_file::release(Kind::Helmfile, String::new(), SourceId(u32::MAX), None);
            release.values = empty_values(node.span);
            release
        };
        let Some(chart) = self.text(node, "chart") else {
            return Ok(empty());
        };
        let local =
            chart.value.starts_with("./") || chart.value.starts_with("../") || chart.value.starts_with('/');
        let path = self.dir.join(&chart.value);
        if (local || !chart.value.contains('/')) && chart_dir::is_chart_dir(&path) {
            let mut release = chart_dir::read(loader, &path, self.helm)?;
            if let Value::Map(map) = &release.values.value {
                if map.entries.is_empty() {
                    release.values = empty_values(node.span);
                }
            }
            return Ok(release);
        }
        let mut release = empty();
        release.chart_version = self.text(node, "version");
        let last = chart.value.rsplit('/').next().unwrap_or_default().to_string();
        release.chart_name = Some(Located::new(last, chart.span));
        if chart.value.starts_with("oci://") {
            release.chart_origin = vec![chart.value.clone()];
        } else if local {
            // A local chart acp-check could not find: it may be any chart.
            release.chart_origin = vec!["-".into()];
        } else if let Some((repo, _)) = chart.value.split_once('/') {
            if let Some((_, url)) = self.state.repositories.iter().find(|(n, _)| n == repo) {
                release.chart_origin = vec![url.clone()];
            }
        }
        Ok(release)
    }

    /// Adds the values file `written` (of `field`) to the stack, read or unknown.
    fn file(
        &self,
        loader: &mut Loader,
        stack: &mut Stack,
        written: &str,
        span: Span,
        field: &str,
        release: &str,
    ) -> Result<(), Fatal> {
        let what = |why: &str| {
            format!("the values file `{written}` of Helmfile release `{release}` ({field}, {why})")
        };
        let rendered = render(written, self.environment);
        let Some(rendered) = rendered.filter(|r| !r.ends_with(".gotmpl")) else {
            stack.unknown(
                what("a template Helmfile renders, acp-check does not"),
                "render it (`helmfile write-values`) and lint what it gives",
                Some(span),
            );
            return Ok(());
        };
        if stack::is_remote(&rendered) {
            stack.unknown(
                what("remote"),
                "fetch it and lint it with the release",
                Some(span),
            );
            return Ok(());
        }
        match stack::read_values(loader, &normalize(&self.dir.join(&rendered)), self.helm)? {
            Read::Values(map) => stack.known(map),
            Read::Not(why) => stack.unknown(what(&why), "add it where the Helmfile names it", Some(span)),
        }
        Ok(())
    }

    /// The release's `set` and `setString` entries that acp-check can apply; those it cannot (a
    /// template, a file's content) are unknown layers of the values they set, at the top.
    fn sets<'n>(&self, node: &'n Node, release: &str, stack: &mut Stack) -> Vec<Set<'n>> {
        let mut sets = Vec::new();
        for (field, kind) in [("set", set::SetKind::Typed), ("setString", set::SetKind::String)] {
            for entry in node.get(&[field]).and_then(Node::as_seq).unwrap_or_default() {
                let Some(name) = entry.get(&["name"]).filter(|n| n.as_str().is_some()) else {
                    continue;
                };
                let key = name.as_str().unwrap_or_default();
                let unknown = |why: String, span: Span, stack: &mut Stack| {
                    stack.layers.push(stack::Layer::Unknown {
                        what: format!("`{key}` of Helmfile release `{release}` ({field}: {why})"),
                        settle: "check that value yourself".into(),
                        span: Some(span),
                        path: key.split('.').map(str::to_string).collect(),
                    });
                };
                let value = if let Some(value) = entry.get(&["value"]) {
                    match scalar(value).and_then(|v| render(&v, self.environment)) {
                        Some(text) => escape(&text),
                        None => {
                            unknown("a template acp-check does not render".into(), value.span, stack);
                            continue;
                        }
                    }
                } else if let Some(values) = entry.get(&["values"]).and_then(Node::as_seq) {
                    let items: Option<Vec<String>> = values
                        .iter()
                        .map(|v| {
                            scalar(v)
                                .and_then(|t| render(&t, self.environment))
                                .map(|t| escape(&t))
                        })
                        .collect();
                    match items {
                        Some(items) => format!("{{{}}}", items.join(",")),
                        None => {
                            unknown("a template acp-check does not render".into(), entry.span, stack);
                            continue;
                        }
                    }
                } else if let Some(file) = entry.get(&["file"]) {
                    let shown = file.as_str().unwrap_or_default();
                    unknown(format!("the content of the file `{shown}`"), file.span, stack);
                    continue;
                } else {
                    continue;
                };
                let at = entry.get(&["value"]).map_or(entry.span, |v| v.span);
                sets.push(Set {
                    arg: format!("{}={value}", escape(key)),
                    kind,
                    name,
                    value: at,
                });
            }
        }
        sets
    }

    /// Applies `sets` onto the release's values, as Helm applies `--set` and `--set-string`, the
    /// values pointing at the entries' fields.
    fn apply_sets(&self, loader: &mut Loader, release: &mut Release, sets: Vec<Set>) -> Result<(), Fatal> {
        let Value::Map(base) = &mut release.values.value else {
            return Ok(());
        };
        let parsing = SourceId(u32::MAX - 3);
        let mut padding = set::Padding::default();
        // Helm applies every --set, then every --set-string.
        for kind in [set::SetKind::Typed, set::SetKind::String] {
            for one in sets.iter().filter(|s| s.kind == kind) {
                let mut no_files = |_: &str| Err("no file".to_string());
                match set::apply(&one.arg, parsing, kind, base, &mut no_files, &mut padding) {
                    Ok(secrets) => {
                        stack::relocate(base, parsing, one.name.span, one.value);
                        let secret_key = one
                            .name
                            .as_str()
                            .and_then(|n| n.rsplit('.').next())
                            .is_some_and(crate::core::redact::is_secret_key);
                        if !secrets.is_empty() || secret_key {
                            loader.sources.get_mut(one.value.source).redact(one.value.range());
                        }
                    }
                    Err(e) => {
                        let source = loader.sources.get(one.name.span.source);
                        let (line, column) = source.line_col(one.name.span.start as usize);
                        return Err(Fatal(format!(
                            "{}:{line}:{column}: set `{}`: {}",
                            source.name,
                            one.name.as_str().unwrap_or_default(),
                            e.message
                        )));
                    }
                }
            }
        }
        Ok(())
    }
}

/// One `set` or `setString` entry, as Helmfile passes it to Helm.
struct Set<'n> {
    arg: String,
    kind: set::SetKind,
    name: &'n Node,
    /// Where its value is written.
    value: Span,
}

/// A scalar as Helmfile reads it into a string.
fn scalar(node: &Node) -> Option<String> {
    match &node.value {
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => Some(String::new()),
        _ => Located::from_node(node).map(|l| l.value),
    }
}

/// Helmfile's escaping of a `--set` name or value: braces and commas are taken as written.
fn escape(text: &str) -> String {
    text.replace('{', "\\{").replace('}', "\\}").replace(',', "\\,")
}

/// The files a Helmfile at `path` reads as values (of its releases and environments) and the
/// local chart directories it deploys: layers of its releases, never releases of their own.
/// A path naming the environment is given for each environment the Helmfile defines (the file of
/// another environment is not a release of its own either).
pub(super) fn files(path: &Path, environment: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for file in state_files(path) {
        let Ok(bytes) = read::read_file(&file, Limit::VALUES) else {
            continue;
        };
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        let parsed = crate::yaml::parse(SourceId(u32::MAX - 1), &text);
        let dir = file.parent().unwrap_or(Path::new(""));
        let state = State::of(&parsed.documents);
        let names: Vec<&str> = std::iter::once(environment)
            .chain(["default"])
            .chain(state.environments.iter().map(|(n, _)| n.as_str()))
            .collect();
        let mut named = |node: &Node| {
            for name in &names {
                if let Some(written) = node.as_str().and_then(|w| render(w, name)) {
                    if !stack::is_remote(&written) {
                        found.push(normalize(&dir.join(written)));
                    }
                }
            }
        };
        for release in &state.releases {
            for field in ["values", "secrets"] {
                release
                    .get(&[field])
                    .and_then(Node::as_seq)
                    .unwrap_or_default()
                    .iter()
                    .for_each(&mut named);
            }
            if let Some(chart) = release.get(&["chart"]) {
                named(chart);
            }
        }
        for (_, env) in &state.environments {
            env.get(&["values"])
                .and_then(Node::as_seq)
                .unwrap_or_default()
                .iter()
                .for_each(&mut named);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::source::Sources;
    use crate::input::test_dir::TestDir;
    use serde_json::json;

    fn read(path: &Path, environment: &str) -> (Vec<Release>, Loader) {
        let mut loader = Loader::new(Sources::default());
        let releases = releases(&mut loader, path, environment, Helm::V4).unwrap();
        (releases, loader)
    }

    #[test]
    fn a_release_layers_its_files_and_maps_in_order_then_its_sets() {
        let dir = TestDir::new("helmfile");
        dir.write("values/redis.yaml", "cluster: {nodes: 3, replicas: 0}\n");
        dir.write("values/prod.yaml", "cluster: {nodes: 6}\n");
        let path = dir.write(
            "helmfile.yaml",
            "repositories:\n  - name: bitnami\n    url: https://charts.bitnami.com/bitnami\nenvironments:\n  default: {}\n  prod:\n    values: [{redis: {enabled: true}}]\nreleases:\n  - name: redis\n    namespace: data\n    chart: bitnami/redis-cluster\n    version: 7.6.4\n    condition: redis.enabled\n    values:\n      - values/redis.yaml\n      - values/{{ .Environment.Name }}.yaml\n      - cluster: {replicas: 1}\n    set:\n      - name: usePassword\n        value: true\n      - name: password\n        value: hunter2\n    setString:\n      - name: image.tag\n        value: 6.2\n  - name: off\n    chart: bitnami/redis-cluster\n    installed: false\n",
        );
        let (releases, loader) = read(&path, "prod");
        let [redis] = &releases[..] else {
            panic!("{}", releases.len())
        };
        assert_eq!(redis.kind, Kind::Helmfile);
        assert_eq!(redis.label, "Helmfile release data/redis");
        assert_eq!(redis.chart_origin, ["https://charts.bitnami.com/bitnami"]);
        assert!(matches!(redis.identity(), crate::model::Identity::Known(_)));
        assert_eq!(
            redis.values.to_json(),
            json!({"cluster": {"nodes": 6, "replicas": 1}, "usePassword": true, "password": "hunter2", "image": {"tag": "6.2"}})
        );
        // A set value points at its `value:` field, and a secret one is masked.
        let tag = redis.values.get(&["image", "tag"]).unwrap();
        let source = loader.sources.get(tag.span.source);
        assert_eq!(&source.text[tag.span.range()], "6.2");
        let password = redis.values.get(&["password"]).unwrap();
        assert!(!loader
            .sources
            .get(password.span.source)
            .redacted()
            .text
            .contains("hunter2"));

        // Environment `default` has no values: the condition is off, as in Helmfile.
        assert!(read(&path, "default").0.is_empty());
        let mut loader = Loader::new(Sources::default());
        let error = super::releases(&mut loader, &path, "stage", Helm::V4)
            .unwrap_err()
            .0;
        assert!(
            error.ends_with("environment `stage` is not defined in this Helmfile (it defines default, prod)"),
            "{error}"
        );
    }

    #[test]
    fn templates_are_unknown_layers_or_one_info_never_a_syntax_error() {
        let dir = TestDir::new("helmfile-templates");
        let path = dir.write(
            "helmfile.yaml",
            "releases:\n  - name: redis\n    chart: bitnami/redis-cluster\n    values:\n      - redis.yaml.gotmpl\n      - \"{{ requiredEnv \\\"VALUES\\\" }}\"\n",
        );
        let (releases, loader) = read(&path, "default");
        let what: Vec<&str> = releases[0].unknown.iter().map(|u| u.what.as_str()).collect();
        assert_eq!(
            what,
            [
                "the values file `redis.yaml.gotmpl` of Helmfile release `redis` (values, a template Helmfile renders, acp-check does not)",
                "the values file `{{ requiredEnv \"VALUES\" }}` of Helmfile release `redis` (values, a template Helmfile renders, acp-check does not)",
            ]
        );
        assert!(loader.problems.is_empty());

        let broken = dir.write(
            "other/helmfile.yaml",
            "releases:\n{{ range .Values.releases }}\n  - name: {{ .name }}\n{{ end }}\n",
        );
        let (releases, loader) = read(&broken, "default");
        assert!(releases.is_empty());
        match &loader.problems[..] {
            [Problem::Template { span, message }] => {
                assert_eq!(span.start, 10);
                assert!(message.starts_with("the Helmfile could not be read: it is not YAML until Helmfile renders its templates (line 2)"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn rendering_knows_only_the_environment_name() {
        assert_eq!(
            render("values/{{ .Environment.Name }}.yaml", "prod").as_deref(),
            Some("values/prod.yaml")
        );
        assert_eq!(render("{{- .Environment.Name -}}", "dev").as_deref(), Some("dev"));
        assert_eq!(render("{{ .Values.x }}", "dev"), None);
        assert_eq!(render("a {{ unclosed", "dev"), None);
    }
}
