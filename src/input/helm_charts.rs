//! Kustomize's `helmCharts` (its Helm chart inflation generator, `kustomize build --enable-helm`,
//! as Argo CD runs it): each entry of a kustomization is a release of chart `name` from `repo` at
//! `version`, named `releaseName`, in `namespace`. Its values reach Helm as Kustomize passes them
//! to `helm template`: `valuesFile` with `valuesInline` merged into it (`valuesMerge`: `override`,
//! the default, lets the inline values win; `merge` keeps the file's and only fills in what it
//! leaves empty, as mergo does; `replace` drops the file), then each of `additionalValuesFiles`, in
//! order, above it. Paths are relative to the kustomization; a file acp-check cannot read (missing,
//! remote, outside the kustomization's folder, which Kustomize's load restrictor refuses) is an
//! unknown layer. A chart already in `charts/<name>` (`helmGlobals.chartHome`) is the one Kustomize
//! uses, whatever `repo` and `version` say: it is read as a chart directory.

use std::path::{Path, PathBuf};

use super::kustomize::{self, normalize};
use super::loader::Loader;
use super::stack::{self, Read, Stack};
use super::{chart_dir, values_file};
use crate::core::source::SourceId;
use crate::core::Fatal;
use crate::model::{empty_values, Kind, Located, Release};
use crate::tree::{merge, Map, Node, Value};
use crate::yaml::Helm;

/// Whether a document is a kustomization with `helmCharts` entries.
pub(super) fn has_helm_charts(doc: &Node) -> bool {
    kustomize::is_kustomization(doc) && doc.get(&["helmCharts"]).and_then(Node::as_seq).is_some()
}

/// How `valuesInline` combines with `valuesFile`.
#[derive(Clone, Copy, Debug, PartialEq)]
enum ValuesMerge {
    Override,
    Merge,
    Replace,
}

/// The releases of the kustomization `doc`, read from `file` (its values files read into `loader`).
pub(super) fn releases(
    loader: &mut Loader,
    doc: &Node,
    file: &Path,
    helm: Helm,
) -> Result<Vec<Release>, Fatal> {
    let dir = file.parent().unwrap_or(Path::new(""));
    let chart_home = doc
        .get(&["helmGlobals", "chartHome"])
        .and_then(Node::as_str)
        .unwrap_or("charts");
    // Kustomize's `namespace` is set on every object the build makes, the chart's too.
    let kustomization_namespace = doc.get(&["namespace"]).and_then(Located::from_node);
    let mut releases = Vec::new();
    for entry in doc
        .get(&["helmCharts"])
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        let text = |key: &str| entry.get(&[key]).and_then(Located::from_node);
        // Kustomize refuses an entry without a name.
        let Some(name) = text("name") else { continue };
        let mode = match entry.get(&["valuesMerge"]) {
            None => ValuesMerge::Override,
            Some(node) => match node.as_str() {
                Some("override") => ValuesMerge::Override,
                Some("merge") => ValuesMerge::Merge,
                Some("replace") => ValuesMerge::Replace,
                _ => {
                    let source = loader.sources.get(node.span.source);
                    let (line, column) = source.line_col(node.span.start as usize);
                    return Err(Fatal(format!(
                        "{}:{line}:{column}: valuesMerge must be one of merge, override, replace (Kustomize refuses this entry)",
                        source.name
                    )));
                }
            },
        };
        let local = dir.join(chart_home).join(&name.value);
        let mut release = if chart_dir::is_chart_dir(&local) {
            chart_dir::read(loader, &local, helm)?
        } else {
            let mut release = values_file::release(Kind::Kustomize, String::new(), SourceId(u32::MAX), None);
            release.values = empty_values(entry.span);
            release.chart_name = Some(name.clone());
            release.chart_version = text("version");
            if let Some(repo) = text("repo").filter(|r| !r.value.is_empty()) {
                release.chart_origin = vec![repo.value];
            }
            release
        };
        let release_name = text("releaseName");
        release.label = format!(
            "helmCharts {}",
            release_name
                .as_ref()
                .map_or(name.value.as_str(), |n| n.value.as_str())
        );
        release.release_name = release_name;
        release.namespace = kustomization_namespace.clone().or_else(|| text("namespace"));
        layer(loader, &mut release, entry, dir, mode, helm)?;
        releases.push(release);
    }
    Ok(releases)
}

/// Adds the entry's values layers to `release`.
fn layer(
    loader: &mut Loader,
    release: &mut Release,
    entry: &Node,
    dir: &Path,
    mode: ValuesMerge,
    helm: Helm,
) -> Result<(), Fatal> {
    let chart = release
        .chart_name
        .as_ref()
        .map(|n| n.value.clone())
        .unwrap_or_default();
    let inline = match entry.get(&["valuesInline"]) {
        Some(Node {
            value: Value::Map(map),
            ..
        }) if !map.entries.is_empty() => Some(map.clone()),
        _ => None,
    };
    let mut stack = Stack::default();
    let file = entry.get(&["valuesFile"]);
    match (file, inline) {
        // Without a valuesFile, Kustomize's is the chart's own values.yaml: its defaults.
        (None, None) => {}
        (None, Some(inline)) => match mode {
            ValuesMerge::Override | ValuesMerge::Replace => stack.known(inline),
            ValuesMerge::Merge => {
                if release.kind == Kind::ChartDir {
                    // The chart's values.yaml is the release's values already: fill them in.
                    if let Value::Map(base) = &mut release.values.value {
                        stack::fill(base, inline);
                    }
                } else {
                    stack.known(inline);
                    stack.unknown(
                        format!("the defaults of chart {chart}, which `valuesMerge: merge` lets win over valuesInline"),
                        "use valuesMerge: override, or set these values in a valuesFile",
                        entry.get(&["valuesMerge"]).map(|n| n.span),
                    );
                }
            }
        },
        (Some(file), inline) => {
            let read = if inline.is_some() && mode == ValuesMerge::Replace {
                // `replace`: the inline values stand for the file, which is not read.
                None
            } else {
                Some(read(loader, file, dir, &chart, "valuesFile", helm)?)
            };
            match (read, inline) {
                (None, Some(inline)) => stack.known(inline),
                (None, None) => {}
                (Some(Ok(map)), None) => stack.known(map),
                (Some(Ok(mut map)), Some(inline)) => {
                    match mode {
                        ValuesMerge::Merge => stack::fill(&mut map, inline),
                        _ => merge::merge(&mut map, inline),
                    }
                    stack.known(map);
                }
                (Some(Err((what, settle))), inline) => match (mode, inline) {
                    (ValuesMerge::Merge, Some(inline)) => {
                        stack.known(inline);
                        stack.unknown(what, settle, Some(file.span));
                    }
                    (_, inline) => {
                        stack.unknown(what, settle, Some(file.span));
                        if let Some(inline) = inline {
                            stack.known(inline);
                        }
                    }
                },
            }
        }
    }
    for file in entry
        .get(&["additionalValuesFiles"])
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        match read(loader, file, dir, &chart, "additionalValuesFiles", helm)? {
            Ok(map) => stack.known(map),
            Err((what, settle)) => stack.unknown(what, settle, Some(file.span)),
        }
    }
    stack.apply(release);
    Ok(())
}

/// Reads the values file named at `node`, or says what it is and how to settle it.
fn read(
    loader: &mut Loader,
    node: &Node,
    dir: &Path,
    chart: &str,
    field: &str,
    helm: Helm,
) -> Result<Result<Map, (String, String)>, Fatal> {
    let Some(written) = node.as_str() else {
        return Ok(Err((
            format!("the {field} of helmCharts `{chart}` (not a path)"),
            "write it as a path".into(),
        )));
    };
    let what = |why: &str| format!("the values file `{written}` of helmCharts `{chart}` ({field}, {why})");
    if stack::is_remote(written) {
        return Ok(Err((
            what("remote"),
            "lint it with the release: fetch it and give it beside the kustomization".into(),
        )));
    }
    let path = normalize(&dir.join(written));
    if !path.starts_with(normalize(dir)) {
        return Ok(Err((
            what("outside the kustomization's folder, which Kustomize refuses to read"),
            "move it into the kustomization's folder".into(),
        )));
    }
    match stack::read_values(loader, &path, helm)? {
        Read::Values(map) => Ok(Ok(map)),
        Read::Not(why) => Ok(Err((
            what(&why),
            "add it where the kustomization names it".into(),
        ))),
    }
}

/// The values files the `helmCharts` entries of the kustomization `doc` (in `dir`) read: layers of
/// their releases, never releases of their own.
pub(super) fn files(doc: &Node, dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in doc
        .get(&["helmCharts"])
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        let one = entry.get(&["valuesFile"]).into_iter();
        let more = entry
            .get(&["additionalValuesFiles"])
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter();
        for written in one.chain(more).filter_map(Node::as_str) {
            if !stack::is_remote(written) {
                found.push(normalize(&dir.join(written)));
            }
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

    fn read_dir(dir: &TestDir, kustomization: &str) -> (Vec<Release>, Loader) {
        let path = dir.write("app/kustomization.yaml", kustomization);
        let mut loader = Loader::new(Sources::default());
        let (_, range) = loader.read_file(&path).unwrap().unwrap();
        let doc = loader.first(range).unwrap();
        assert!(has_helm_charts(&doc));
        let releases = releases(&mut loader, &doc, &path, Helm::V4).unwrap();
        (releases, loader)
    }

    const HEAD: &str = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n";

    #[test]
    fn an_entry_is_a_release_of_its_chart_with_the_file_then_inline_values_then_additional_files() {
        let dir = TestDir::new("helm-charts");
        dir.write(
            "app/values.yaml",
            "cluster: {nodes: 6, replicas: 1}\nusePassword: true\n",
        );
        dir.write("app/more.yaml", "cluster: {replicas: 2}\n");
        let (releases, _) = read_dir(
            &dir,
            &format!(
                "{HEAD}namespace: data\nhelmCharts:\n  - name: redis-cluster\n    repo: oci://registry-1.docker.io/bitnamicharts\n    version: 7.6.4\n    releaseName: cache\n    valuesFile: values.yaml\n    additionalValuesFiles: [more.yaml]\n    valuesInline:\n      cluster: {{replicas: 0, nodes: 3}}\n"
            ),
        );
        let [release] = &releases[..] else { panic!() };
        assert_eq!(release.kind, Kind::Kustomize);
        assert_eq!(release.label, "helmCharts cache");
        assert_eq!(release.release_name.as_ref().unwrap().value, "cache");
        assert_eq!(release.namespace.as_ref().unwrap().value, "data");
        assert_eq!(release.chart_version.as_ref().unwrap().value, "7.6.4");
        assert!(matches!(release.identity(), crate::model::Identity::Known(_)));
        assert_eq!(
            release.values.to_json(),
            json!({"cluster": {"nodes": 3, "replicas": 2}, "usePassword": true})
        );
        assert!(release.unknown.is_empty());
    }

    #[test]
    fn values_merge_decides_whether_the_file_or_the_inline_values_win() {
        let dir = TestDir::new("helm-charts-merge");
        dir.write("app/values.yaml", "a: file\nb: false\nc: file\n");
        let values = |mode: &str| {
            let (releases, _) = read_dir(
                &dir,
                &format!(
                    "{HEAD}helmCharts:\n  - name: redis-cluster\n    valuesFile: values.yaml\n    valuesMerge: {mode}\n    valuesInline: {{a: inline, b: true}}\n"
                ),
            );
            releases[0].values.to_json()
        };
        assert_eq!(values("override"), json!({"a": "inline", "b": true, "c": "file"}));
        assert_eq!(values("merge"), json!({"a": "file", "b": true, "c": "file"}));
        assert_eq!(values("replace"), json!({"a": "inline", "b": true}));
    }

    #[test]
    fn a_missing_or_remote_file_is_an_unknown_layer_and_a_bad_merge_mode_is_refused() {
        let dir = TestDir::new("helm-charts-missing");
        let (releases, _) = read_dir(
            &dir,
            &format!(
                "{HEAD}helmCharts:\n  - name: redis-cluster\n    valuesFile: gone.yaml\n    additionalValuesFiles: [https://example.com/v.yaml, ../outside.yaml]\n    valuesInline: {{a: 1}}\n"
            ),
        );
        let what: Vec<(&str, u16)> = releases[0]
            .unknown
            .iter()
            .map(|u| (u.what.as_str(), u.rank))
            .collect();
        assert_eq!(
            what,
            [
                ("the values file `gone.yaml` of helmCharts `redis-cluster` (valuesFile, not found)", 1),
                ("the values file `https://example.com/v.yaml` of helmCharts `redis-cluster` (additionalValuesFiles, remote)", 2),
                ("the values file `../outside.yaml` of helmCharts `redis-cluster` (additionalValuesFiles, outside the kustomization's folder, which Kustomize refuses to read)", 3),
            ]
        );
        let path = dir.write(
            "bad/kustomization.yaml",
            &format!("{HEAD}helmCharts:\n  - name: x\n    valuesMerge: deep\n"),
        );
        let mut loader = Loader::new(Sources::default());
        let (_, range) = loader.read_file(&path).unwrap().unwrap();
        let doc = loader.first(range).unwrap();
        let error = super::releases(&mut loader, &doc, &path, Helm::V4).unwrap_err().0;
        assert!(
            error.ends_with(
                ":5:18: valuesMerge must be one of merge, override, replace (Kustomize refuses this entry)"
            ),
            "{error}"
        );
        assert_eq!(files(&doc, Path::new("bad")), Vec::<PathBuf>::new());
    }
}
