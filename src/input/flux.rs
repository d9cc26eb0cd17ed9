//! Deployments as Flux applies them: each cluster's entry point (`clusters/<name>/`) holds Flux
//! `Kustomization`s (`kustomize.toolkit.fluxcd.io`) whose `spec.path` Flux builds with Kustomize;
//! what those builds hold are the cluster's objects, more Flux Kustomizations among them. Followed
//! to the end, a cluster's HelmRelease files (a base's and its overlay's patches) are one
//! deployment, named after the cluster; two overlays of one base are two clusters' deployments,
//! never merged.
//!
//! The builds are Kustomize's as far as wiring and HelmReleases go: `resources`, `components` and
//! `bases` (files and folders), `patches` and `patchesStrategicMerge` that are strategic merges
//! (a file, or inline; matched by kind and name; `$patch: delete`), and `namespace`. JSON 6902
//! patches (`patches` with a `target` whose patch is a list of operations, and `patchesJson6902`)
//! of a HelmRelease are recorded on it, for the release to apply with their spans (see
//! `json_patch`); other targeted patches are not applied.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use super::kustomize::{self, normalize};
use crate::core::read::{self, Limit};
use crate::core::source::SourceId;
use crate::tree::{merge, Node, Value};

/// One cluster's deployment: its name, the HelmRelease files its builds hold, and the namespace
/// a kustomization gives the releases of each (Kustomize's `namespace`).
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Cluster {
    pub(super) name: String,
    pub(super) files: Vec<PathBuf>,
    pub(super) namespaces: Vec<(PathBuf, String)>,
    /// Named by Flux wiring (a `clusters/<name>` folder), not a leaf overlay's folder.
    pub(super) wired: bool,
    /// The JSON 6902 patches of each HelmRelease (by name), in the order Kustomize applies them.
    pub(super) patches: Vec<(String, PatchRef)>,
}

/// A JSON 6902 patch of a HelmRelease: the file it is written in, and where in it.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct PatchRef {
    pub(super) file: PathBuf,
    /// `Some((field, index))`: inline, the `patch` text of entry `index` of `field` (`patches`,
    /// `patchesJson6902`) of the kustomization `file`; `None`: the whole of `file`.
    pub(super) inline: Option<(&'static str, usize)>,
    /// Its target's selectors could not be told (a label selector acp-check does not read): it may
    /// apply or not.
    pub(super) unsure: bool,
    /// The strategic-merge files of the object Kustomize applies after it (an overlay's, above a
    /// base's JSON patch): merged again on top of it.
    pub(super) later: Vec<PathBuf>,
}

/// The HelmReleases of a build's objects: their files, the namespaces given, and their patches.
fn gather(
    objects: &[Object],
    files: &mut Vec<PathBuf>,
    namespaces: &mut Vec<(PathBuf, String)>,
    patches: &mut Vec<(String, PatchRef)>,
) {
    for object in objects.iter().filter(|o| is_helm_release(&o.doc)) {
        for file in &object.files {
            if !files.contains(file) {
                files.push(file.clone());
            }
            if let Some(ns) = &object.namespace {
                namespaces.push((file.clone(), ns.clone()));
            }
        }
        let name = object.id().1.unwrap_or_default().to_string();
        for patch in &object.patches {
            let entry = (name.clone(), patch.clone());
            if !patches.contains(&entry) {
                patches.push(entry);
            }
        }
    }
}

/// The clusters of a repository searched at `root`: one per folder of `root/clusters/` whose files
/// hold Flux Kustomizations. None when `root` has no such folder.
pub(super) fn clusters(root: &Path) -> Vec<Cluster> {
    let Ok(entries) = fs::read_dir(root.join("clusters")) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect();
    dirs.sort();
    let mut found = Vec::new();
    for dir in dirs {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut build = Build::new(root);
        // The entry point: every manifest of the cluster's folder, as Flux's own sync applies it.
        let objects = build.folder_objects(&dir, 0);
        let mut paths: Vec<PathBuf> = objects.iter().filter_map(|o| flux_path(root, &o.doc)).collect();
        if paths.is_empty() {
            continue;
        }
        let mut seen: HashSet<PathBuf> = HashSet::new();
        let mut files: Vec<PathBuf> = Vec::new();
        let mut namespaces = Vec::new();
        let mut patches = Vec::new();
        while let Some(path) = paths.pop() {
            if !seen.insert(path.clone()) || seen.len() > MAX_BUILDS {
                continue;
            }
            let objects = build.build(&path, 0);
            paths.extend(objects.iter().filter_map(|o| flux_path(root, &o.doc)));
            gather(&objects, &mut files, &mut namespaces, &mut patches);
        }
        if !files.is_empty() {
            files.sort();
            found.push(Cluster {
                name,
                files,
                namespaces,
                wired: true,
                patches,
            });
        }
    }
    found
}

/// Without Flux wiring: each leaf kustomization among `folders` (one no other kustomization of
/// them builds on) whose build holds HelmReleases is a deployment of its own, named after its
/// folder (relative to `root`). Two overlays of one base are two deployments; a base alone is one.
pub(super) fn overlays(root: &Path, folders: &[PathBuf]) -> Vec<Cluster> {
    let folders: Vec<PathBuf> = folders.iter().map(|f| normalize(f)).collect();
    let mut built_on: HashSet<PathBuf> = HashSet::new();
    for folder in &folders {
        let Some(doc) = kustomize::file_in(folder).and_then(|f| kustomize::read(&f)) else {
            continue;
        };
        for key in ["resources", "bases", "components"] {
            for entry in doc.get(&[key]).and_then(Node::as_seq).unwrap_or_default() {
                if let Some(entry) = entry.as_str() {
                    built_on.insert(normalize(&folder.join(entry)));
                }
            }
        }
    }
    let mut found = Vec::new();
    let mut build = Build::new(root);
    for folder in folders.iter().filter(|f| !built_on.contains(*f)) {
        let mut files = Vec::new();
        let mut namespaces = Vec::new();
        let mut patches = Vec::new();
        gather(&build.build(folder, 0), &mut files, &mut namespaces, &mut patches);
        // A leaf whose releases are all its own is no overlay: grouping by folder does as well.
        if files.iter().all(|f| f.parent() == Some(folder.as_path())) {
            continue;
        }
        files.sort();
        let name = folder
            .strip_prefix(normalize(root))
            .unwrap_or(folder)
            .to_string_lossy()
            .into_owned();
        found.push(Cluster {
            name,
            files,
            namespaces,
            wired: false,
            patches,
        });
    }
    found
}

/// Most Kustomize builds followed for one cluster, and deepest nesting of one build.
const MAX_BUILDS: usize = 1_000;
const MAX_DEPTH: usize = 32;
/// Most objects one build holds.
const MAX_OBJECTS: usize = 10_000;

fn is_helm_release(doc: &Node) -> bool {
    doc.get(&["kind"]).and_then(Node::as_str) == Some("HelmRelease")
}

/// The folder a Flux Kustomization builds, relative to the repository's top.
fn flux_path(root: &Path, doc: &Node) -> Option<PathBuf> {
    let api = doc.get(&["apiVersion"]).and_then(Node::as_str)?;
    if !api.starts_with("kustomize.toolkit.fluxcd.io/") {
        return None;
    }
    let path = doc.get(&["spec", "path"]).and_then(Node::as_str).unwrap_or(".");
    Some(normalize(&root.join(path.trim_start_matches('/'))))
}

/// An object a build gives, with the files that wrote it (its own, then its patches').
#[derive(Clone, Debug)]
struct Object {
    doc: Node,
    files: Vec<PathBuf>,
    namespace: Option<String>,
    /// The JSON 6902 patches of it (a HelmRelease's), in order.
    patches: Vec<PatchRef>,
}

impl Object {
    fn id(&self) -> (Option<&str>, Option<&str>) {
        (
            self.doc.get(&["kind"]).and_then(Node::as_str),
            self.doc.get(&["metadata", "name"]).and_then(Node::as_str),
        )
    }
}

struct Build<'a> {
    root: &'a Path,
    /// Documents of each file read, parsed once.
    parsed: HashMap<PathBuf, Vec<Node>>,
    /// What each folder builds, built once (a base many overlays build on, a hostile tree whose
    /// folders each list the next twice, stay linear).
    built: HashMap<PathBuf, Vec<Object>>,
    /// The folders being built: a folder that builds on itself gives nothing the second time.
    building: HashSet<PathBuf>,
}

impl<'a> Build<'a> {
    fn new(root: &'a Path) -> Build<'a> {
        Build {
            root,
            parsed: HashMap::new(),
            built: HashMap::new(),
            building: HashSet::new(),
        }
    }

    fn documents(&mut self, file: &Path) -> Vec<Node> {
        if let Some(docs) = self.parsed.get(file) {
            return docs.clone();
        }
        let docs: Vec<Node> = read::read_file(file, Limit::VALUES)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .map(|text| {
                crate::yaml::parse(SourceId(u32::MAX - 1), &text)
                    .documents
                    .into_iter()
                    .filter(|d| matches!(d.value, Value::Map(_)))
                    .collect()
            })
            .unwrap_or_default();
        self.parsed.insert(file.to_path_buf(), docs.clone());
        docs
    }

    /// Every document of a file, of any kind (a JSON patch is a list).
    fn any_documents(&self, file: &Path) -> Vec<Node> {
        read::read_file(file, Limit::VALUES)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .map(|text| crate::yaml::parse(SourceId(u32::MAX - 1), &text).documents)
            .unwrap_or_default()
    }

    fn file_objects(&mut self, file: &Path) -> Vec<Object> {
        self.documents(file)
            .into_iter()
            .map(|doc| Object {
                doc,
                files: vec![file.to_path_buf()],
                namespace: None,
                patches: Vec::new(),
            })
            .collect()
    }

    /// The manifests of a folder with no kustomization, as Flux builds it: every YAML file in it
    /// and below it.
    fn folder_objects(&mut self, dir: &Path, depth: usize) -> Vec<Object> {
        let mut objects = Vec::new();
        let Ok(entries) = fs::read_dir(dir) else {
            return objects;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if name.starts_with('.') {
                continue;
            }
            if path.is_dir() && depth < MAX_DEPTH {
                objects.extend(self.build(&path, depth + 1));
            } else if name.ends_with(".yaml") || name.ends_with(".yml") {
                objects.extend(self.file_objects(&path));
            }
        }
        objects
    }

    /// What Kustomize builds from folder `dir`.
    fn build(&mut self, dir: &Path, depth: usize) -> Vec<Object> {
        if depth > MAX_DEPTH || !dir.starts_with(normalize(self.root)) {
            return Vec::new();
        }
        if let Some(done) = self.built.get(dir) {
            return done.clone();
        }
        if !self.building.insert(dir.to_path_buf()) {
            return Vec::new();
        }
        let objects = self.build_once(dir, depth);
        self.building.remove(dir);
        self.built.insert(dir.to_path_buf(), objects.clone());
        objects
    }

    fn build_once(&mut self, dir: &Path, depth: usize) -> Vec<Object> {
        let Some(file) = kustomize::file_in(dir) else {
            return self.folder_objects(dir, depth);
        };
        let Some(kustomization) = kustomize::read(&file) else {
            return Vec::new();
        };
        let strings = |key: &str| -> Vec<String> {
            kustomization
                .get(&[key])
                .and_then(Node::as_seq)
                .unwrap_or_default()
                .iter()
                .filter_map(Node::as_str)
                .map(str::to_string)
                .collect()
        };
        let mut objects = Vec::new();
        for entry in ["resources", "bases", "components"].into_iter().flat_map(strings) {
            // Remote resources (`https://…`, `github.com/…?ref=`) are not read.
            if entry.contains("://") || entry.contains("?ref=") {
                continue;
            }
            let path = normalize(&dir.join(&entry));
            let more = if path.is_dir() {
                self.build(&path, depth + 1)
            } else {
                self.file_objects(&path)
            };
            // Kustomize refuses an object twice (one kind and name): the first is kept.
            for object in more {
                if objects.len() < MAX_OBJECTS && !objects.iter().any(|o: &Object| o.id() == object.id()) {
                    objects.push(object);
                }
            }
        }
        // Strategic merges, each with its place in Kustomize's order: `patchesStrategicMerge`,
        // then `patches` in order, then (after `namespace`) `patchesJson6902`.
        let mut patches: Vec<(Node, Option<PathBuf>, usize)> = Vec::new();
        for (i, file) in strings("patchesStrategicMerge").into_iter().enumerate() {
            let path = normalize(&dir.join(file));
            patches.extend(
                self.documents(&path)
                    .into_iter()
                    .map(|d| (d, Some(path.clone()), i)),
            );
        }
        let mut json: Vec<(Node, PatchRef, usize)> = Vec::new();
        for (field, entries, first) in
            [("patches", 1_000_000), ("patchesJson6902", 2_000_000)].map(|(field, first)| {
                let entries = kustomization
                    .get(&[field])
                    .and_then(Node::as_seq)
                    .unwrap_or_default();
                (field, entries, first)
            })
        {
            for (index, entry) in entries.iter().enumerate() {
                let order = first + index;
                let (docs, at) = if let Some(name) = entry.get(&["path"]).and_then(Node::as_str) {
                    let path = normalize(&dir.join(name));
                    (
                        self.any_documents(&path),
                        PatchRef {
                            file: path,
                            inline: None,
                            unsure: false,
                            later: Vec::new(),
                        },
                    )
                } else if let Some(text) = entry.get(&["patch"]).and_then(Node::as_str) {
                    let parsed = crate::yaml::parse(SourceId(u32::MAX - 1), text);
                    (
                        parsed.documents,
                        PatchRef {
                            file: file.clone(),
                            inline: Some((field, index)),
                            unsure: false,
                            later: Vec::new(),
                        },
                    )
                } else {
                    continue;
                };
                let target = entry.get(&["target"]);
                match target {
                    // A list of operations is a JSON patch.
                    Some(target) if matches!(docs.first().map(|d| &d.value), Some(Value::Seq(_))) => {
                        json.push((target.clone(), at, order));
                    }
                    // A targeted strategic merge is not applied.
                    Some(_) => {}
                    None if field == "patches" => patches.extend(
                        docs.into_iter()
                            .filter(|d| matches!(d.value, Value::Map(_)))
                            .map(|d| (d, at.inline.is_none().then(|| at.file.clone()), order)),
                    ),
                    None => {}
                }
            }
        }
        // The files each object's strategic merges here add, with their order.
        let mut added: Vec<(usize, PathBuf, usize)> = Vec::new();
        for (patch, file, order) in patches {
            let id = (
                patch.get(&["kind"]).and_then(Node::as_str).map(str::to_string),
                patch
                    .get(&["metadata", "name"])
                    .and_then(Node::as_str)
                    .map(str::to_string),
            );
            let Some(at) = objects
                .iter()
                .position(|o| o.id() == (id.0.as_deref(), id.1.as_deref()))
            else {
                continue;
            };
            if patch.get(&["$patch"]).and_then(Node::as_str) == Some("delete") {
                objects.remove(at);
                added.retain(|(i, _, _)| *i != at);
                for (i, _, _) in &mut added {
                    if *i > at {
                        *i -= 1;
                    }
                }
                continue;
            }
            let object = &mut objects[at];
            if let (Value::Map(into), Value::Map(from)) = (&mut object.doc.value, patch.value) {
                merge::merge(into, from);
            }
            if let Some(file) = file {
                added.push((at, file.clone(), order));
                object.files.push(file);
            }
        }
        // A JSON patch of a lower kustomization comes before every strategic merge here.
        for (i, object) in objects.iter_mut().enumerate() {
            for patch in &mut object.patches {
                patch
                    .later
                    .extend(added.iter().filter(|a| a.0 == i).map(|a| a.1.clone()));
            }
        }
        let namespace = kustomization.get(&["namespace"]).and_then(Node::as_str);
        for (target, at, order) in json {
            // `patchesJson6902` comes after `namespace`.
            let namespace = namespace.filter(|_| order >= 2_000_000);
            for (i, object) in objects.iter_mut().enumerate() {
                if !is_helm_release(&object.doc) {
                    continue;
                }
                if let Some(sure) = targets(&target, object, namespace) {
                    let later = added
                        .iter()
                        .filter(|a| a.0 == i && a.2 > order)
                        .map(|a| a.1.clone())
                        .collect();
                    object.patches.push(PatchRef {
                        unsure: !sure,
                        later,
                        ..at.clone()
                    });
                }
            }
        }
        if let Some(namespace) = kustomization.get(&["namespace"]).and_then(Node::as_str) {
            for object in &mut objects {
                object.namespace = Some(namespace.to_string());
            }
        }
        objects
    }
}

/// Whether a patch's `target` selects `object` (`kind`, `name` and `namespace` as Kustomize's
/// anchored regular expressions, `group`, `version`, and a `labelSelector` of `key=value`,
/// `key!=value`, `key` and `!key` terms): `Some(true)` when it does, `Some(false)` when it may (a
/// label not written on the object, which a transformer acp-check does not run may add; a selector
/// it does not read), `None` when it does not.
fn targets(target: &Node, object: &Object, namespace: Option<&str>) -> Option<bool> {
    let wanted = |key: &str| target.get(&[key]).and_then(Node::as_str);
    let matches = |pattern: &str, value: &str| {
        regex::Regex::new(&format!("^(?:{pattern})$")).map_or(pattern == value, |r| r.is_match(value))
    };
    let doc = &object.doc;
    let field = |path: &[&str]| doc.get(path).and_then(Node::as_str).unwrap_or_default();
    let (kind, name) = (field(&["kind"]), field(&["metadata", "name"]));
    let api = field(&["apiVersion"]);
    let (group, version) = api.rsplit_once('/').unwrap_or(("", api));
    let namespace = namespace
        .or(object.namespace.as_deref())
        .unwrap_or_else(|| field(&["metadata", "namespace"]));
    let mut sure = true;
    for (key, value) in [
        ("kind", kind),
        ("name", name),
        ("group", group),
        ("version", version),
    ] {
        if wanted(key).is_some_and(|w| !matches(w, value)) {
            return None;
        }
    }
    if let Some(ns) = wanted("namespace") {
        if namespace.is_empty() {
            sure = false;
        } else if !matches(ns, namespace) {
            return None;
        }
    }
    if let Some(selector) = wanted("labelSelector") {
        let label = |key: &str| doc.get(&["metadata", "labels", key]).and_then(Node::as_str);
        for term in selector.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            let holds = if let Some((k, v)) = term.split_once("!=") {
                label(k.trim()).map(|l| l != v.trim())
            } else if let Some((k, v)) = term.split_once('=') {
                label(k.trim()).map(|l| l == v.trim_start_matches('=').trim())
            } else if term.contains(' ') || term.contains('(') {
                None
            } else if let Some(k) = term.strip_prefix('!') {
                label(k).map(|_| false)
            } else {
                label(term).map(|_| true)
            };
            match holds {
                Some(false) => return None,
                Some(true) => {}
                None => sure = false,
            }
        }
    }
    if wanted("annotationSelector").is_some() {
        sure = false;
    }
    Some(sure)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::test_dir::TestDir;

    const KUSTOMIZATION: &str = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n";

    fn flux(name: &str, path: &str) -> String {
        format!(
            "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {{name: {name}}}\nspec: {{path: {path}}}\n"
        )
    }

    #[test]
    fn each_cluster_follows_its_flux_paths_to_its_overlays_and_never_anothers() {
        let dir = TestDir::new("flux-clusters");
        let root = dir.path();
        dir.write(
            "clusters/dev/cluster.yaml",
            &flux("cluster", "./environments/dev"),
        );
        dir.write(
            "clusters/prod/cluster.yaml",
            &flux("cluster", "./environments/prod"),
        );
        dir.write(
            "environments/base/kustomization.yaml",
            &format!("{KUSTOMIZATION}resources: [apps.yaml]\n"),
        );
        dir.write("environments/base/apps.yaml", &flux("redis", "./redis/base"));
        for env in ["dev", "prod"] {
            dir.write(
                &format!("environments/{env}/kustomization.yaml"),
                &format!(
                    "{KUSTOMIZATION}resources: [../base]\npatches:\n  - patch: |-\n      apiVersion: kustomize.toolkit.fluxcd.io/v1\n      kind: Kustomization\n      metadata:\n        name: redis\n      spec:\n        path: ./redis/{env}\n"
                ),
            );
            dir.write(
                &format!("redis/{env}/kustomization.yaml"),
                &format!("{KUSTOMIZATION}namespace: cache\nresources: [../base]\npatches:\n  - path: release.yaml\n"),
            );
            dir.write(
                &format!("redis/{env}/release.yaml"),
                "kind: HelmRelease\nmetadata: {name: redis}\n",
            );
        }
        dir.write(
            "redis/base/kustomization.yaml",
            &format!("{KUSTOMIZATION}resources: [release.yaml]\n"),
        );
        dir.write(
            "redis/base/release.yaml",
            "kind: HelmRelease\nmetadata: {name: redis}\n",
        );
        let found = clusters(root);
        let names: Vec<(&str, Vec<PathBuf>)> = found
            .iter()
            .map(|c| {
                (
                    c.name.as_str(),
                    c.files
                        .iter()
                        .map(|f| f.strip_prefix(root).unwrap().to_path_buf())
                        .collect(),
                )
            })
            .collect();
        assert_eq!(
            names,
            [
                (
                    "dev",
                    vec!["redis/base/release.yaml".into(), "redis/dev/release.yaml".into()]
                ),
                (
                    "prod",
                    vec!["redis/base/release.yaml".into(), "redis/prod/release.yaml".into()]
                ),
            ]
        );
        assert!(found[0].namespaces.iter().all(|(_, ns)| ns == "cache"));
    }

    #[test]
    fn a_patch_target_selects_by_kind_name_group_version_namespace_and_labels() {
        let doc = crate::yaml::parse(
            SourceId(0),
            "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: redis-cache\n  labels: {tier: cache}\n",
        )
        .documents
        .remove(0);
        let object = Object {
            doc,
            files: Vec::new(),
            namespace: Some("data".into()),
            patches: Vec::new(),
        };
        let target = |text: &str| crate::yaml::parse(SourceId(0), text).documents.remove(0);
        let selects = |text: &str| targets(&target(text), &object, None);
        assert_eq!(selects("{kind: HelmRelease, name: redis-cache}"), Some(true));
        // Names are anchored regular expressions, as Kustomize reads them.
        assert_eq!(selects("{kind: HelmRelease, name: redis-.*}"), Some(true));
        assert_eq!(selects("{kind: HelmRelease, name: redis}"), None);
        assert_eq!(selects("{kind: StatefulSet, name: redis-cache}"), None);
        assert_eq!(
            selects("{group: helm.toolkit.fluxcd.io, version: v2, namespace: data}"),
            Some(true)
        );
        assert_eq!(selects("{version: v2beta1}"), None);
        assert_eq!(selects("{namespace: other}"), None);
        assert_eq!(selects("{labelSelector: 'tier=cache'}"), Some(true));
        assert_eq!(selects("{labelSelector: 'tier!=cache'}"), None);
        // A label the object does not carry (a transformer may add it), a selector not read.
        assert_eq!(selects("{labelSelector: 'team=platform'}"), Some(false));
        assert_eq!(selects("{labelSelector: 'tier in (cache)'}"), Some(false));
        assert_eq!(selects("{annotationSelector: 'a=b'}"), Some(false));
        // `patchesJson6902` sees the kustomization's own namespace.
        assert_eq!(
            targets(&target("{namespace: cache}"), &object, Some("cache")),
            Some(true)
        );
    }

    #[test]
    fn a_folder_that_builds_on_itself_or_doubles_at_every_level_ends_quickly() {
        let dir = TestDir::new("flux-hostile");
        dir.write("clusters/dev/cluster.yaml", &flux("cluster", "./d0"));
        for i in 0..30 {
            dir.write(
                &format!("d{i}/kustomization.yaml"),
                &format!(
                    "{KUSTOMIZATION}resources: [., ../d{0}, ../d{0}, release.yaml]\n",
                    i + 1
                ),
            );
            dir.write(
                &format!("d{i}/release.yaml"),
                "kind: HelmRelease\nmetadata: {name: redis}\n",
            );
        }
        let started = std::time::Instant::now();
        let found = clusters(dir.path());
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        // One HelmRelease `redis` (Kustomize keeps one object of a kind and name): the first met.
        assert_eq!(found[0].files, [dir.path().join("d29/release.yaml")]);
    }

    #[test]
    fn a_deleted_kustomization_is_not_followed_and_no_clusters_folder_gives_none() {
        let dir = TestDir::new("flux-delete");
        dir.write("clusters/dev/cluster.yaml", &flux("cluster", "./env"));
        dir.write(
            "env/kustomization.yaml",
            &format!("{KUSTOMIZATION}resources: [apps.yaml]\npatches:\n  - patch: |-\n      $patch: delete\n      apiVersion: kustomize.toolkit.fluxcd.io/v1\n      kind: Kustomization\n      metadata:\n        name: redis\n"),
        );
        dir.write("env/apps.yaml", &flux("redis", "./redis"));
        dir.write(
            "redis/release.yaml",
            "kind: HelmRelease\nmetadata: {name: redis}\n",
        );
        assert_eq!(clusters(dir.path()), []);
        let other = TestDir::new("flux-none");
        other.write("values.yaml", "a: 1\n");
        assert_eq!(clusters(other.path()), []);
    }
}
