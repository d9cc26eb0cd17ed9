//! Flux HelmRelease manifests: each `helm.toolkit.fluxcd.io` HelmRelease document is a release, and
//! documents of one name (a base and its overlay patches) merge into one.

use std::ops::Range;

use super::json_patch::{self, Failure, Patch};
use crate::core::source::{SourceId, Span};
use crate::model::{empty_values, Kind, Located, Release, Unknown, ValuesFrom};
use crate::tree::merge;
use crate::tree::{Node, Value};

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

    /// One release per name, with the JSON patches of its name (`patches`, in order) applied on
    /// top of its documents; a patch that does not apply (its target sure) fails.
    pub(super) fn into_releases(self, patches: &[(String, Patch)]) -> Result<Vec<Release>, Failure> {
        self.groups
            .into_iter()
            .map(|group| {
                let docs = group.complete.into_iter().chain(group.patches);
                release(docs, patches)
            })
            .collect()
    }
}

/// One release from HelmRelease documents of the same name, merged in the order given (in linear
/// time: see [`merge::merge_all`]), then patched by the JSON patches of its name.
fn release(group: impl Iterator<Item = Node>, patches: &[(String, Patch)]) -> Result<Release, Failure> {
    let docs: Vec<Node> = group.collect();
    // The documents a strategic merge applied after a JSON patch wrote: merged again above it.
    let later = |patch: &Patch| -> Vec<crate::tree::Map> {
        docs.iter()
            .filter(|d| patch.later.contains(&d.span.source))
            .filter_map(|d| match &d.value {
                Value::Map(map) => Some(map.clone()),
                _ => None,
            })
            .collect()
    };
    let own = docs.first().map(|d| name(d).to_string()).unwrap_or_default();
    let patches: Vec<&Patch> = patches
        .iter()
        .filter(|(n, _)| *n == own)
        .map(|(_, p)| p)
        .collect();
    let again: Vec<Vec<crate::tree::Map>> = patches.iter().map(|p| later(p)).collect();
    let mut docs = docs.into_iter();
    let mut merged = docs.next().expect("a group has a document");
    if let Value::Map(into) = &mut merged.value {
        let overlays = docs.filter_map(|overlay| match overlay.value {
            Value::Map(from) => Some(from),
            _ => None,
        });
        merge::merge_all(into, overlays);
    }
    // What a patch whose target may not be this release may write: known to no one.
    let mut maybe: Vec<(Vec<String>, Span)> = Vec::new();
    for (patch, again) in patches.into_iter().zip(again) {
        if patch.unsure {
            for op in &patch.ops {
                if let Some(path) = json_patch::values_path(&op.path) {
                    maybe.push((path.to_vec(), patch.span));
                }
            }
            continue;
        }
        json_patch::apply(&mut merged, &patch.ops)?;
        if let Value::Map(into) = &mut merged.value {
            merge::merge_all(into, again);
        }
    }
    let mut release = release_of(merged);
    for (path, span) in maybe {
        if let Value::Map(values) = &mut release.values.value {
            remove_at(values, &path);
        }
        release.unknown.push(Unknown {
            what: "a JSON patch of a kustomization whose target may select this release".into(),
            settle: "acp-check does not read its target's selectors: check the value it writes".into(),
            span: Some(span),
            path,
            rank: u16::MAX - 1,
            values_from: None,
        });
    }
    Ok(release)
}

/// Removes the value at `path` of `map`, if there is one.
fn remove_at(map: &mut crate::tree::Map, path: &[String]) {
    let Some((last, parents)) = path.split_last() else {
        map.entries.clear();
        return;
    };
    let mut at = map;
    for key in parents {
        match at.entry_mut(key).map(|e| &mut e.value.value) {
            Some(Value::Map(inner)) => at = inner,
            _ => return,
        }
    }
    at.remove(last);
}

/// The release of a HelmRelease document, merged and patched.
fn release_of(merged: Node) -> Release {
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
    let unknown = unknown_layers(&merged);
    let values = match merged.get(&["spec", "values"]) {
        Some(
            node @ Node {
                value: Value::Map(_), ..
            },
        ) => node.clone(),
        _ => empty_values(merged.span),
    };
    let mut release = Release::new(Kind::HelmRelease, label, values);
    release.release_name = release_name;
    release.namespace = namespace;
    release.chart_name = text(&["spec", "chart", "spec", "chart"]);
    release.chart_version = text(&["spec", "chart", "spec", "version"]);
    release.unknown = unknown;
    release.post_render_patches = post_render_patches(&merged);
    release
}

/// The text of every post-renderer patch of the StatefulSet (`postRenderers[].kustomize.patches[]`).
fn post_render_patches(release: &Node) -> Vec<Node> {
    release
        .get(&["spec", "postRenderers"])
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|r| r.get(&["kustomize", "patches"]).and_then(Node::as_seq))
        .flatten()
        .filter(|patch| {
            // Patches of the StatefulSet, the only object whose init containers fetch modules.
            patch.get(&["target", "kind"]).and_then(Node::as_str) == Some("StatefulSet")
                || patch
                    .get(&["patch"])
                    .and_then(Node::as_str)
                    .is_some_and(|t| t.contains("kind: StatefulSet"))
        })
        .filter_map(|patch| patch.get(&["patch"]))
        .filter(|text| text.as_str().is_some())
        .cloned()
        .collect()
}

/// Whether a patch changes a container's `field`: a JSON patch `path` ending at
/// `containers/N/<field>` (or below it), or a strategic merge patch that writes `<field>:`.
fn patches_container_field(patch: &str, field: &str) -> bool {
    let json_paths: Vec<&str> = patch
        .lines()
        .filter_map(|l| l.trim().trim_start_matches("- ").trim().strip_prefix("path:"))
        .map(str::trim)
        .collect();
    if json_paths.is_empty() {
        return patch.lines().any(|l| {
            l.trim()
                .trim_start_matches("- ")
                .starts_with(&format!("{field}:"))
        });
    }
    json_paths.iter().any(|p| {
        let segments: Vec<&str> = p.split('/').collect();
        segments.windows(3).any(|w| w[0] == "containers" && w[2] == field)
    })
}

/// The values of a HelmRelease that come from where acp-check cannot read, in the order Flux
/// merges them, each ranked above the one before: the chart's `valuesFiles`, then each `valuesFrom`
/// entry (`spec.values` is merged last, above them all). A post-renderer's patches change rendered
/// objects, not values: each is known by what it patches.
fn unknown_layers(release: &Node) -> Vec<Unknown> {
    let mut layers = Vec::new();
    let seq = |path: &[&str]| release.get(path).and_then(Node::as_seq).unwrap_or_default();
    let str_at = |node: &Node, key: &str| node.get(&[key]).and_then(Node::as_str).map(str::to_string);
    let files: Vec<&str> = seq(&["spec", "chart", "spec", "valuesFiles"])
        .iter()
        .filter_map(Node::as_str)
        .collect();
    if !files.is_empty() {
        layers.push(Unknown {
            what: format!(
                "the chart's values files `{}` (spec.chart.spec.valuesFiles)",
                files.join("`, `")
            ),
            settle: "give them with -f FILE".into(),
            span: release
                .get(&["spec", "chart", "spec", "valuesFiles"])
                .map(|n| n.span),
            path: Vec::new(),
            rank: 1,
            values_from: None,
        });
    }
    for entry in seq(&["spec", "valuesFrom"]) {
        let kind = str_at(entry, "kind").unwrap_or_else(|| "Secret".into());
        let name = str_at(entry, "name").unwrap_or_default();
        let key = str_at(entry, "valuesKey");
        let target = str_at(entry, "targetPath");
        let rank = layers.len() as u16 + 1;
        layers.push(Unknown {
            what: format!(
                "{kind} `{name}`{} (valuesFrom{})",
                key.as_ref().map(|k| format!(" key `{k}`")).unwrap_or_default(),
                target
                    .as_ref()
                    .map(|t| format!(", targetPath {t}"))
                    .unwrap_or_default()
            ),
            settle: format!(
                "give it with --values-from {kind}/{name}{}=FILE",
                key.as_ref().map(|k| format!(":{k}")).unwrap_or_default()
            ),
            span: Some(entry.span),
            path: target
                .as_ref()
                .map(|t| t.split('.').map(str::to_string).collect())
                .unwrap_or_default(),
            rank,
            values_from: Some(ValuesFrom {
                kind: kind.clone(),
                name: name.clone(),
                key: key.clone().unwrap_or_else(|| "values.yaml".into()),
                target: target.clone(),
            }),
        });
    }
    for patch in seq(&["spec", "postRenderers"]).iter().flat_map(|r| {
        r.get(&["kustomize", "patches"])
            .and_then(Node::as_seq)
            .unwrap_or_default()
    }) {
        let target = |key: &str| {
            patch
                .get(&["target", key])
                .and_then(Node::as_str)
                .unwrap_or_default()
        };
        let text = patch.get(&["patch"]).and_then(Node::as_str).unwrap_or_default();
        let (kind, name) = (target("kind"), target("name"));
        let mut paths: Vec<&[&str]> = Vec::new();
        // The ConfigMap holding redis.conf (`<fullname>-default`), the password's Secret, and the
        // server container's image, environment, command and arguments.
        match kind {
            "ConfigMap" if name.ends_with("-default") => paths.extend([
                &["redis", "configmap"][..],
                &["redis", "defaultConfigOverride"],
                &["configmap"],
            ]),
            "Secret" => paths.push(&["password"]),
            "StatefulSet" => {
                let touches = |field: &str| patches_container_field(text, field);
                if touches("image") {
                    paths.push(&["image"]);
                }
                if touches("env") || touches("command") || touches("args") {
                    paths.extend([&["redis", "configmap"][..], &["password"], &["usePassword"]]);
                }
            }
            _ => {}
        }
        for path in paths {
            layers.push(Unknown {
                what: format!("a post-renderer patch of {kind} `{name}`"),
                settle: "acp-check does not apply post-renderer patches: check what it changes".into(),
                span: Some(patch.span),
                path: path.iter().map(|s| s.to_string()).collect(),
                rank: u16::MAX - 1,
                values_from: None,
            });
        }
    }
    layers
}

#[cfg(test)]
mod tests {
    use super::*;
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
        by_name.into_releases(&[]).unwrap()
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
    fn values_from_entries_are_unknown_layers_secret_by_default_in_flux_order() {
        let release = releases(&format!(
            "{API}metadata: {{name: a}}\nspec:\n  chart:\n    spec:\n      chart: redis-cluster\n      valuesFiles: [values-prod.yaml]\n  valuesFrom:\n    - name: creds\n    - kind: ConfigMap\n      name: settings\n      valuesKey: redis.yaml\n      targetPath: redis.configmap\n"
        ))
        .remove(0);
        let layers: Vec<(&str, &str, String, u16)> = release
            .unknown
            .iter()
            .map(|u| (u.what.as_str(), u.settle.as_str(), u.path.join("."), u.rank))
            .collect();
        assert_eq!(
            layers,
            [
                (
                    "the chart's values files `values-prod.yaml` (spec.chart.spec.valuesFiles)",
                    "give them with -f FILE",
                    String::new(),
                    1
                ),
                (
                    "Secret `creds` (valuesFrom)",
                    "give it with --values-from Secret/creds=FILE",
                    String::new(),
                    2
                ),
                (
                    "ConfigMap `settings` key `redis.yaml` (valuesFrom, targetPath redis.configmap)",
                    "give it with --values-from ConfigMap/settings:redis.yaml=FILE",
                    "redis.configmap".into(),
                    3
                ),
            ]
        );
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
}
