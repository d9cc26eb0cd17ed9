//! Flux HelmRelease manifests: each `helm.toolkit.fluxcd.io` HelmRelease document is a release, and
//! documents of one name (a base and its overlay patches) merge into one.

use std::fs;
use std::io::Read;
use std::ops::Range;
use std::path::Path;

use crate::core::read::MAX_INPUT_BYTES;
use crate::core::source::SourceId;
use crate::model::{empty_values, External, Kind, Located, Release};
use crate::tree::merge;
use crate::tree::{Node, Value};

/// A cheap look at a file's start for a HelmRelease kind, before reading it fully.
pub(super) fn mentioned_in(path: &Path) -> bool {
    let mut head = Vec::new();
    let read = fs::File::open(path).and_then(|f| f.take(MAX_INPUT_BYTES).read_to_end(&mut head));
    read.is_ok() && head.windows(b"HelmRelease".len()).any(|w| w == b"HelmRelease")
}

pub(super) fn is_helm_release(doc: &Node) -> bool {
    doc.get(&["kind"]).and_then(Node::as_str) == Some("HelmRelease")
        && doc
            .get(&["apiVersion"])
            .and_then(Node::as_str)
            .is_some_and(|v| v.starts_with("helm.toolkit.fluxcd.io/"))
}

/// A HelmRelease that names its chart; one without `spec.chart` is an overlay patch.
pub(super) fn is_complete(doc: &Node) -> bool {
    doc.get(&["spec", "chart"]).is_some()
}

/// `metadata.name`: documents of one name are one release.
pub(super) fn name(doc: &Node) -> &str {
    doc.get(&["metadata", "name"])
        .and_then(Node::as_str)
        .unwrap_or_default()
}

/// The indices of the HelmRelease documents among `documents[range]`, if there is one: then the
/// file is a manifest, and its other documents are not releases.
pub(super) fn documents_of(documents: &[(SourceId, Node)], range: Range<usize>) -> Option<Vec<usize>> {
    let found: Vec<usize> = range.filter(|&i| is_helm_release(&documents[i].1)).collect();
    (!found.is_empty()).then_some(found)
}

/// HelmRelease documents gathered by name, in the order names are first met: each name's complete
/// HelmReleases, then its patches (those without `spec.chart`), which apply on top of them whatever
/// the path order. Adding a document takes constant time, however many there are.
#[derive(Default)]
pub(super) struct ByName {
    groups: Vec<Group>,
    /// Made with the first document: a hash map's random state costs more than most values
    /// files, which have no HelmRelease (2,300 instructions a file in the 1,000-file benchmark).
    by_name: Option<std::collections::HashMap<String, usize>>,
}

/// The documents of one name: complete ones and patches, each in the order met.
#[derive(Default)]
struct Group {
    complete: Vec<Node>,
    patches: Vec<Node>,
}

impl ByName {
    pub(super) fn add(&mut self, doc: Node) {
        let next = self.groups.len();
        let by_name = self.by_name.get_or_insert_with(Default::default);
        let at = *by_name.entry(name(&doc).to_string()).or_insert(next);
        if at == next {
            self.groups.push(Group::default());
        }
        let group = &mut self.groups[at];
        if is_complete(&doc) {
            group.complete.push(doc);
        } else {
            group.patches.push(doc);
        }
    }

    /// One release per name.
    pub(super) fn into_releases(self) -> impl Iterator<Item = Release> {
        self.groups
            .into_iter()
            .map(|group| release(group.complete.into_iter().chain(group.patches)))
    }
}

/// One release from HelmRelease documents of the same name, merged in the order given (in linear
/// time: see [`merge::merge_all`]).
fn release(group: impl Iterator<Item = Node>) -> Release {
    let mut docs = group;
    let mut merged = docs.next().expect("a group has a document");
    if let Value::Map(into) = &mut merged.value {
        let overlays = docs.filter_map(|overlay| match overlay.value {
            Value::Map(from) => Some(from),
            _ => None,
        });
        merge::merge_all(into, overlays);
    }
    let text = |path: &[&str]| merged.get(path).and_then(Located::from_node);
    let name = text(&["metadata", "name"]);
    let target_namespace = text(&["spec", "targetNamespace"]);
    let namespace = target_namespace
        .clone()
        .or_else(|| text(&["metadata", "namespace"]));
    // Flux names the Helm release `[<targetNamespace>-]<name>` unless spec.releaseName is set.
    let release_name = text(&["spec", "releaseName"]).or_else(|| {
        let name = name.clone()?;
        Some(match &target_namespace {
            Some(ns) => Located::new(format!("{}-{}", ns.value, name.value), name.span),
            None => name,
        })
    });
    let label = format!(
        "HelmRelease {}{}",
        text(&["metadata", "namespace"])
            .map(|n| n.value + "/")
            .unwrap_or_default(),
        name.as_ref().map_or("(unnamed)", |n| n.value.as_str())
    );
    let external = merged
        .get(&["spec", "valuesFrom"])
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .map(|v| External::ValuesFrom {
            kind: v
                .get(&["kind"])
                .and_then(Node::as_str)
                .unwrap_or("Secret")
                .to_string(),
            name: v
                .get(&["name"])
                .and_then(Node::as_str)
                .unwrap_or_default()
                .to_string(),
            span: v.span,
        })
        .collect();
    let values = match merged.get(&["spec", "values"]) {
        Some(
            node @ Node {
                value: Value::Map(_), ..
            },
        ) => node.clone(),
        _ => empty_values(merged.span),
    };
    Release {
        kind: Kind::HelmRelease,
        label,
        release_name,
        namespace,
        chart_name: text(&["spec", "chart", "spec", "chart"]),
        chart_version: text(&["spec", "chart", "spec", "version"]),
        dependencies: Vec::new(),
        values,
        external,
        effective: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::test_dir::TestDir;
    use crate::yaml;
    use serde_json::json;

    const API: &str = "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\n";

    /// The documents of `text`, as one source.
    fn docs(text: &str) -> Vec<(SourceId, Node)> {
        let parsed = yaml::parse(SourceId(0), text);
        assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        parsed.documents.into_iter().map(|d| (SourceId(0), d)).collect()
    }

    /// The releases of every HelmRelease document of `text`, merged by name.
    fn releases(text: &str) -> Vec<Release> {
        let documents = docs(text);
        let mut by_name = ByName::default();
        for i in documents_of(&documents, 0..documents.len()).unwrap_or_default() {
            by_name.add(documents[i].1.clone());
        }
        by_name.into_releases().collect()
    }

    fn value(located: &Option<Located<String>>) -> Option<&str> {
        located.as_ref().map(|l| l.value.as_str())
    }

    #[test]
    fn a_helm_release_is_told_by_kind_and_flux_api_group() {
        let [flux, other_group, config] = [
            format!("{API}metadata: {{name: a}}\n"),
            "apiVersion: helm.example.com/v1\nkind: HelmRelease\n".to_string(),
            "apiVersion: v1\nkind: ConfigMap\n".to_string(),
        ]
        .map(|text| is_helm_release(&docs(&text)[0].1));
        assert!(flux && !other_group && !config);
        // In a file of several documents, only the HelmReleases are releases.
        let documents = docs(&format!("kind: Namespace\n---\n{API}---\n{API}"));
        assert_eq!(documents_of(&documents, 0..3), Some(vec![1, 2]));
        assert_eq!(documents_of(&documents, 0..1), None);
    }

    #[test]
    fn flux_names_the_release_after_the_target_namespace_unless_release_name_is_set() {
        let [plain, targeted, named] = [
            "metadata: {name: redis, namespace: flux-system}\nspec: {chart: {spec: {chart: redis-cluster, version: 9.0.5}}}\n",
            "metadata: {name: redis, namespace: flux-system}\nspec: {targetNamespace: data}\n",
            "metadata: {name: redis}\nspec: {targetNamespace: data, releaseName: cache}\n",
        ]
        .map(|rest| releases(&format!("{API}{rest}")).remove(0));
        assert_eq!(value(&plain.release_name), Some("redis"));
        assert_eq!(value(&plain.namespace), Some("flux-system"));
        assert_eq!(plain.label, "HelmRelease flux-system/redis");
        assert_eq!(value(&plain.chart_name), Some("redis-cluster"));
        assert_eq!(value(&plain.chart_version), Some("9.0.5"));
        assert_eq!(plain.kind, Kind::HelmRelease);

        assert_eq!(value(&targeted.release_name), Some("data-redis"));
        assert_eq!(
            value(&targeted.namespace),
            Some("data"),
            "the target namespace is where it runs"
        );
        assert_eq!(targeted.label, "HelmRelease flux-system/redis");

        assert_eq!(value(&named.release_name), Some("cache"));
        assert_eq!(named.label, "HelmRelease redis");
        assert_eq!(releases(API)[0].label, "HelmRelease (unnamed)");
    }

    #[test]
    fn values_from_entries_are_external_values_secret_by_default() {
        let release = releases(&format!(
            "{API}metadata: {{name: a}}\nspec:\n  valuesFrom:\n    - name: creds\n    - kind: ConfigMap\n      name: settings\n"
        ))
        .remove(0);
        let external: Vec<(&str, &str)> = release
            .external
            .iter()
            .map(|External::ValuesFrom { kind, name, .. }| (kind.as_str(), name.as_str()))
            .collect();
        assert_eq!(external, [("Secret", "creds"), ("ConfigMap", "settings")]);
        // No spec.values: empty values.
        assert_eq!(release.values.to_json(), json!({}));
    }

    #[test]
    fn overlay_patches_apply_on_top_of_the_complete_release_whatever_their_order() {
        let text = format!(
            "{API}metadata: {{name: redis}}\nspec:\n  values: {{a: patch, b: patch}}\n---\n\
             {API}metadata: {{name: other}}\nspec: {{chart: {{}}}}\n---\n\
             {API}metadata: {{name: redis}}\nspec:\n  chart: {{spec: {{chart: redis-cluster}}}}\n  values: {{a: base, c: base}}\n"
        );
        let releases = releases(&text);
        let names: Vec<&str> = releases.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(
            names,
            ["HelmRelease redis", "HelmRelease other"],
            "in the order names are met"
        );
        assert_eq!(
            releases[0].values.to_json(),
            json!({"a": "patch", "b": "patch", "c": "base"})
        );
        assert_eq!(value(&releases[0].chart_name), Some("redis-cluster"));
    }

    #[test]
    fn a_file_mentioning_helm_release_is_worth_reading() {
        let dir = TestDir::new("helm-release");
        assert!(mentioned_in(&dir.write("release.yaml", API)));
        assert!(!mentioned_in(&dir.write("deployment.yaml", "kind: Deployment\n")));
        assert!(!mentioned_in(&dir.path().join("missing.yaml")));
    }
}
