//! Reading what the user gave: values files, standard input, chart directories, Flux HelmRelease
//! and Argo CD Application manifests and directories of those; then layering `-f` files and `--set` flags as Helm does.
//! The result is the [`Deployment`] plus every source and parsed document, for locating findings.
//!
//! This file runs the steps; each has its module. `discover` finds the inputs an argument names,
//! `loader` reads and parses one file or standard input, one module per shape of input makes its
//! releases (`values_file`, `chart_dir`, `helm_release`, `argo`), `group` tells which inputs found by a
//! search form one deployment, and `layers` applies `-f` and `--set*` to a release.

mod argo;
mod chart_dir;
mod discover;
mod flux;
mod group;
mod helm_charts;
mod helm_release;
mod helmfile;
mod json_patch;
mod kustomize;
mod layers;
mod loader;
mod pairing;
pub mod set;
mod stack;
mod values_file;
mod values_from;

pub use crate::yaml::Helm;
pub use discover::Globs;

use crate::core::source::{SourceId, Sources, Span, SpanMap, SpanSet};
use crate::core::Fatal;
use crate::model::{Deployment, Kind, Located, Release};
use crate::tree::merge;
use crate::tree::{Node, Value};
use crate::yaml::Problem;
use discover::Input;
use group::Member;
use loader::Loader;
use values_file::Values;

/// What to read, as given on the command line.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Files, `-`, chart directories, HelmRelease and Application manifests, directories to search.
    pub inputs: Vec<String>,
    /// `-f/--values` files, in order.
    pub values: Vec<String>,
    pub set: Vec<String>,
    pub set_string: Vec<String>,
    pub set_file: Vec<String>,
    /// `--set-json` (pairs of JSON values, or one whole JSON object).
    pub set_json: Vec<String>,
    /// `--set-literal` (one pair, its value as written).
    pub set_literal: Vec<String>,
    /// Which Helm's reading of values files to follow (Helm 4's unless `--helm 3`).
    pub helm: crate::yaml::Helm,
    pub release_name: Option<String>,
    /// `--chart-version CHART=VERSION` (and `--redis-chart-version V`), in order: the last for a
    /// chart wins, over what the files say.
    pub chart_versions: Vec<(String, String)>,
    /// `--values-from KIND/NAME[:KEY]=FILE`: the data of a Secret or ConfigMap key a HelmRelease's
    /// `valuesFrom` reads.
    pub values_from: Vec<String>,
    /// `[files] include` / `exclude` of the config, for directory searches.
    pub files: Globs,
    /// `--environment`: the Helmfile environment (`default` when `None`).
    pub environment: Option<String>,
}

/// Everything read in one run.
pub struct Loaded {
    pub sources: Sources,
    /// Every document parsed, by source: to turn a span back into a JSON pointer.
    pub documents: Vec<(SourceId, Node)>,
    /// Problems met while reading YAML.
    pub problems: Vec<Problem>,
    pub deployment: Deployment,
    /// Warnings about the command line to show once (a `--values-from` flag no release read).
    pub notes: Vec<String>,
}

impl Loaded {
    /// The RFC 6901 pointer of the key or value written at `span`, in the document as written
    /// (for a `--set` flag: in the merged values it went into).
    pub fn pointer(&self, span: Span) -> Option<String> {
        // Documents are in source order.
        let first = self.documents.partition_point(|(id, _)| *id < span.source);
        let mut documents = self.documents[first..]
            .iter()
            .take_while(|(id, _)| *id == span.source)
            // Only a document that holds the span can hold the key or value written there (an alias
            // refers to an anchor written before it, which the first document holding it finds).
            .filter(|(_, doc)| doc.span.start <= span.start && span.end <= doc.span.end)
            .peekable();
        if documents.peek().is_some() {
            return documents.find_map(|(_, doc)| doc.pointer_to(span));
        }
        // A `--set` flag is no document: its values are found in the release they went into.
        self.deployment
            .releases
            .iter()
            .find_map(|r| r.values.pointer_to(span))
    }

    /// Several deployments read in one run, as one (for reporting: spans stay valid).
    pub fn join(parts: Vec<Loaded>) -> Loaded {
        let mut sources = Vec::with_capacity(parts.len());
        let mut documents = Vec::new();
        let mut problems = Vec::new();
        let mut releases = Vec::new();
        for part in parts {
            sources.push(part.sources);
            documents.extend(part.documents);
            problems.extend(part.problems);
            releases.extend(part.deployment.releases);
        }
        documents.sort_by_key(|(id, _)| *id);
        Loaded {
            sources: Sources::join(sources),
            documents,
            problems,
            deployment: Deployment { releases, name: None },
            notes: Vec::new(),
        }
    }

    /// The pointers of many spans at once, each as [`Loaded::pointer`] gives it, in one pass over the
    /// documents and one over the releases' values (a report may ask for thousands).
    pub fn pointers(&self, spans: &SpanSet) -> SpanMap<String> {
        let mut found = SpanMap::default();
        for (id, doc) in &self.documents {
            doc.pointers_of(spans, &mut |span, pointer| {
                if span.source == *id && doc.span.start <= span.start && span.end <= doc.span.end {
                    found.entry(span).or_insert(pointer);
                }
            });
        }
        let rest: SpanSet = spans.iter().filter(|s| !found.contains_key(s)).copied().collect();
        if !rest.is_empty() {
            let mut more = SpanMap::default();
            for release in &self.deployment.releases {
                release.values.pointers_of(&rest, &mut |span, pointer| {
                    more.entry(span).or_insert(pointer);
                });
            }
            found.extend(more);
        }
        found
    }
}

/// Reads the inputs as one run: every deployment found, joined (see [`plan`] for how inputs split
/// into deployments).
pub fn load(options: &Options) -> Result<Loaded, Fatal> {
    let plan = plan(options)?;
    let pieces = (0..plan.len())
        .map(|i| read(&plan, i))
        .collect::<Result<Vec<_>, _>>()?;
    let parts = deployments(&plan, pieces)
        .into_iter()
        .map(|group| assemble(&plan, group, options))
        .collect::<Result<Vec<_>, _>>()?;
    let mut loaded = Loaded::join(parts);
    loaded.notes = plan.unused_values_from(options);
    Ok(loaded)
}

/// One input to read: named on the command line, or found by searching a directory.
struct Item {
    what: Input,
    /// Found by a directory search (not named on the command line).
    found: bool,
}

/// What one run reads, in order.
pub struct Plan {
    items: Vec<Item>,
    /// `-f` or `--set*` flags are given: every input is one release's base, as in Helm.
    layered: bool,
    helm: crate::yaml::Helm,
    /// `--values-from` flags, parsed.
    values_from: Vec<values_from::Flag>,
    /// What directory searches read and skipped, if a directory was searched.
    pub searched: Option<Searched>,
    /// The clusters Flux wiring in the directories searched names (see `flux`).
    clusters: Vec<flux::Cluster>,
    /// Every file a JSON patch of the clusters' HelmReleases is written in (read, where a
    /// deployment needs it, at an id of its own every deployment shares).
    patch_files: Vec<std::path::PathBuf>,
    /// The Helmfile environment.
    environment: String,
    /// `--values-from` flags a release has read (by index), across the deployments of the run.
    values_from_used: std::sync::Mutex<Vec<bool>>,
}

/// What the directory searches of a run found: how many files they read, and those they skipped
/// with why.
#[derive(Clone, Debug, Default)]
pub struct Searched {
    pub read: usize,
    pub skipped: Vec<(String, String)>,
}

impl Plan {
    /// Number of inputs (files, chart directories, standard input) to read.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// Finds every input: files and chart directories named, and what directories hold.
pub fn plan(options: &Options) -> Result<Plan, Fatal> {
    let mut items = Vec::new();
    let mut searched: Option<Searched> = None;
    let mut clusters = Vec::new();
    // The Application manifests among the inputs, whose layers are no inputs of their own.
    let mut applications = Vec::new();
    for argument in &options.inputs {
        let found = discover::discover(argument, &options.files)?;
        if found.searched {
            let root = std::path::Path::new(argument);
            let wired = flux::clusters(root);
            // Without Flux wiring, each leaf overlay is a build, and a deployment, of its own.
            clusters.extend(if wired.is_empty() {
                flux::overlays(root, &found.kustomizations)
            } else {
                wired
            });
            let searched = searched.get_or_insert_with(Searched::default);
            searched.skipped.extend(
                found
                    .skipped
                    .into_iter()
                    .map(|(path, why)| (path.to_string_lossy().into_owned(), why)),
            );
        }
        match (&found.inputs[..], found.searched) {
            (_, true) => applications.extend(found.applications),
            ([Input::File(path)], false) => applications.push(path.clone()),
            _ => {}
        }
        items.extend(found.inputs.into_iter().map(|what| Item {
            what,
            found: found.searched,
        }));
    }
    let before = items.len();
    let environment = options.environment.clone().unwrap_or_else(|| "default".into());
    drop_consumed(&mut items, &applications);
    drop_helmfile_layers(&mut items, &environment);
    if let Some(searched) = &mut searched {
        // What a generator reads is read as a release's layer.
        searched.read = items.iter().filter(|i| i.found).count() + (before - items.len());
    }
    let layered = !options.values.is_empty()
        || !options.set.is_empty()
        || !options.set_string.is_empty()
        || !options.set_file.is_empty()
        || !options.set_json.is_empty()
        || !options.set_literal.is_empty();
    let values_from = values_from::flags(&options.values_from)?;
    let mut patch_files = Vec::new();
    for (_, patch) in clusters.iter().flat_map(|c| &c.patches) {
        if !patch_files.contains(&patch.file) {
            patch_files.push(patch.file.clone());
        }
    }
    Ok(Plan {
        patch_files,
        items,
        layered,
        helm: options.helm,
        values_from_used: std::sync::Mutex::new(vec![false; values_from.len()]),
        values_from,
        searched,
        clusters,
        environment,
    })
}

impl Plan {
    /// A warning for each `--values-from` flag no release of the deployments assembled read.
    pub fn unused_values_from(&self, options: &Options) -> Vec<String> {
        let used = self
            .values_from_used
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        options
            .values_from
            .iter()
            .zip(used.iter())
            .filter(|(_, used)| !**used)
            .map(|(arg, _)| {
                format!(
                    "--values-from `{arg}`: no release reads this Secret or ConfigMap key (valuesFrom): it was not used"
                )
            })
            .collect()
    }
}

/// Drops what a Helmfile among the inputs reads (its values files, its local charts): layers of its
/// releases, never releases of their own.
fn drop_helmfile_layers(items: &mut Vec<Item>, environment: &str) {
    let read: std::collections::HashSet<std::path::PathBuf> = items
        .iter()
        .filter_map(|item| match &item.what {
            Input::File(path) if helmfile::is_helmfile(path) => Some(helmfile::files(path, environment)),
            _ => None,
        })
        .flatten()
        .collect();
    if read.is_empty() {
        return;
    }
    items.retain(|item| match &item.what {
        Input::File(path) | Input::ChartDir(path) => {
            helmfile::is_helmfile(path) || !read.contains(&kustomize::normalize(path))
        }
        Input::Stdin => true,
    });
}

/// Drops the files a kustomization's generators read (a `valuesFrom` layer, SOPS-encrypted as a
/// rule) when another input of that kustomization's folder is read too: the release there reads the
/// file as its layer, and it is never a release of its own. Named alone, such a file is read as a
/// values file. So are the values files and chart directories an Application among the inputs
/// reads.
fn drop_consumed(items: &mut Vec<Item>, applications: &[std::path::PathBuf]) {
    use std::collections::{HashMap, HashSet};
    let folder = |item: &Item| match &item.what {
        Input::File(path) => Some(kustomize::normalize(
            path.parent().unwrap_or(std::path::Path::new("")),
        )),
        Input::Stdin | Input::ChartDir(_) => None,
    };
    let mut inputs_in: HashMap<std::path::PathBuf, usize> = HashMap::new();
    for item in items.iter() {
        if let Some(dir) = folder(item) {
            *inputs_in.entry(dir).or_default() += 1;
        }
    }
    let mut consumed: HashSet<std::path::PathBuf> = HashSet::new();
    for (dir, count) in &inputs_in {
        let Some(doc) = kustomize::file_in(dir).and_then(|p| kustomize::read(&p)) else {
            continue;
        };
        for file in kustomize::consumed(&doc, dir)
            .into_iter()
            .chain(helm_charts::files(&doc, dir))
        {
            // The release reading it is among the inputs: another input of the kustomization's folder.
            let beside = file.parent() == Some(dir.as_path());
            if *count > usize::from(beside) {
                consumed.insert(file);
            }
        }
    }
    // The values files and chart directories of this repository an Application reads.
    for path in applications {
        consumed.extend(argo::consumed(path).iter().map(|p| kustomize::normalize(p)));
    }
    if consumed.is_empty() {
        return;
    }
    items.retain(|item| match &item.what {
        Input::File(path) | Input::ChartDir(path) => !consumed.contains(&kustomize::normalize(path)),
        Input::Stdin => true,
    });
}

/// One input, read and parsed, before it joins a deployment (an input of a base that several
/// overlays build on joins each of their deployments).
#[derive(Clone)]
pub struct Piece {
    index: usize,
    sources: Sources,
    documents: Vec<(SourceId, Node)>,
    problems: Vec<Problem>,
    content: Content,
    /// `valuesFrom` layers a kustomization beside its HelmReleases generates.
    supplied: Vec<values_from::Supplied>,
    /// The cluster whose deployment it joins, when Flux wiring names one.
    deployment: Option<String>,
}

/// What an input holds, as far as making a deployment of it goes.
#[derive(Clone)]
enum Content {
    /// Complete releases, which no other input joins: a chart directory.
    Releases(Vec<Release>),
    /// A values file or standard input; a platform values file may pair with a `redis-cluster` one.
    Values(Values),
    /// The indices of its HelmRelease documents (the file's other documents are not releases):
    /// documents of one name merge, across files too.
    HelmReleases(Vec<usize>),
    /// The releases of its Argo CD Applications, complete: they join the manifests of their folder.
    Applications(Vec<Release>),
    /// Not readable as YAML: only its problem is reported.
    Unreadable,
}

/// Reads and parses input `index` of the plan (inputs can be read in parallel).
pub fn read(plan: &Plan, index: usize) -> Result<Piece, Fatal> {
    let mut loader = Loader::new(Sources::for_input(index));
    let what = &plan.items[index].what;
    let content = read_input(&mut loader, what, plan)?;
    let supplied = match (&content, what) {
        (Content::HelmReleases(docs), Input::File(path)) => {
            values_from::from_kustomization(&mut loader, path, docs)
        }
        _ => Vec::new(),
    };
    Ok(Piece {
        index,
        sources: loader.sources,
        documents: loader.documents,
        problems: loader.problems,
        content,
        supplied,
        deployment: None,
    })
}

/// Reads one input by its shape: the one place the shapes are told apart. A new shape whose
/// releases stand on their own (a Kustomize `helmCharts` entry, a Helmfile) is a module that makes them, as [`Content::Releases`], and its line here (with, for a
/// directory search to find its files, its test in `discover`).
fn read_input(loader: &mut Loader, input: &Input, plan: &Plan) -> Result<Content, Fatal> {
    let helm = plan.helm;
    let read = match input {
        Input::ChartDir(dir) => return Ok(Content::Releases(vec![chart_dir::read(loader, dir, helm)?])),
        Input::File(path) if helmfile::is_helmfile(path) => {
            return Ok(Content::Releases(helmfile::releases(
                loader,
                path,
                &plan.environment,
                helm,
            )?));
        }
        Input::File(path) => loader.read_file(path)?,
        Input::Stdin => loader.read_stdin()?,
    };
    let Some((id, range)) = read else {
        return Ok(Content::Unreadable);
    };
    // A file holding a manifest is read as one; any other file is a values file.
    if let Some(docs) = helm_release::documents_of(&loader.documents, range.clone()) {
        return Ok(Content::HelmReleases(docs));
    }
    if let Some(docs) = argo::documents_of(&loader.documents, range.clone()) {
        let file = match input {
            Input::File(path) => Some(path.as_path()),
            Input::Stdin | Input::ChartDir(_) => None,
        };
        return Ok(Content::Applications(argo::releases(loader, file, &docs)?));
    }
    if let Input::File(path) = input {
        // Copied only when it is a kustomization's: the releases are read into the loader.
        let first = loader.documents[range.clone()].first().map(|(_, doc)| doc);
        if first.is_some_and(helm_charts::has_helm_charts) {
            let doc = loader.first(range.clone()).expect("the document just looked at");
            return Ok(Content::Releases(helm_charts::releases(
                loader, &doc, path, helm,
            )?));
        }
    }
    // Read as Helm reads a values file; one it refuses is only its problem.
    match Values::new(loader, id, range, helm) {
        Some(values) => Ok(Content::Values(values)),
        None => Ok(Content::Unreadable),
    }
}

/// Whether a piece is a deployment of its own whatever else is read (see [`deployments`]): it can be
/// checked as soon as it is read.
pub fn settled(plan: &Plan, piece: &Piece) -> bool {
    !plan.layered && member(plan, piece).stands_alone()
}

/// Splits what was read into deployments, each checked on its own:
/// - the inputs named on the command line (files, chart directories, `-`) are one deployment;
/// - with `-f` or `--set*`, every input is (one release's base);
/// - what a directory search finds: each values file and each chart directory is a deployment of its
///   own, except that a folder's one platform values file and one `redis-cluster` values file are
///   one, and a HelmRelease manifest joins those of its folder and the release it patches (the
///   rules are in `group`).
///
/// Deployments come in the order of their first input.
pub fn deployments(plan: &Plan, pieces: Vec<Piece>) -> Vec<Vec<Piece>> {
    if plan.layered || !plan.items.iter().any(|i| i.found) {
        return vec![pieces];
    }
    let mut deployments: Vec<Vec<Piece>> = Vec::new();
    // Each cluster Flux wiring names is a deployment of the files its builds hold (a base's files
    // join every cluster that builds on them); the other pieces are grouped as below.
    let pieces = if plan.clusters.is_empty() {
        pieces
    } else {
        let path_of = |piece: &Piece| match &plan.items[piece.index].what {
            Input::File(path) => Some(kustomize::normalize(path)),
            Input::Stdin | Input::ChartDir(_) => None,
        };
        let mut used = vec![false; pieces.len()];
        for cluster in &plan.clusters {
            let files: Vec<_> = cluster.files.iter().map(|f| kustomize::normalize(f)).collect();
            let mut group = Vec::new();
            for (i, piece) in pieces.iter().enumerate() {
                if path_of(piece).is_some_and(|p| files.contains(&p)) {
                    used[i] = true;
                    let mut piece = piece.clone();
                    piece.deployment = Some(cluster.name.clone());
                    group.push(piece);
                }
            }
            if !group.is_empty() {
                deployments.push(group);
            }
        }
        if plan.clusters.iter().all(|c| !c.wired) {
            deployments = pair_overlays(deployments);
        }
        pieces
            .into_iter()
            .zip(used)
            .filter(|(_, used)| !used)
            .map(|(piece, _)| piece)
            .collect()
    };
    let first = deployments.len();
    let numbers = {
        let members: Vec<Member> = pieces.iter().map(|piece| member(plan, piece)).collect();
        group::deployments(&members)
    };
    for (piece, number) in pieces.into_iter().zip(numbers) {
        // Numbered in order of first piece: a new number is the next deployment.
        if first + number == deployments.len() {
            deployments.push(Vec::new());
        }
        deployments[first + number].push(piece);
    }
    let grouped = deployments.split_off(first);
    deployments.extend(pair(grouped));
    deployments
}

/// Leaf overlays' deployments, with a platform overlay joined to the Redis overlay its addresses
/// name (of several, the one whose folder ends as its own does), named after both.
fn pair_overlays(groups: Vec<Vec<Piece>>) -> Vec<Vec<Piece>> {
    let names: Vec<String> = groups
        .iter()
        .map(|g| g.first().and_then(|p| p.deployment.clone()).unwrap_or_default())
        .collect();
    let partners = pairing::partners_named(&ends_of(&groups), &names);
    if partners.iter().all(Option::is_none) {
        return groups;
    }
    let mut joined: Vec<Vec<usize>> = (0..groups.len()).map(|i| vec![i]).collect();
    for (i, partner) in partners.iter().enumerate() {
        if let Some(p) = partner {
            joined[*p].push(i);
            joined[i].clear();
        }
    }
    let mut groups: Vec<Option<Vec<Piece>>> = groups.into_iter().map(Some).collect();
    let mut out = Vec::new();
    for members in joined.into_iter().filter(|m| !m.is_empty()) {
        let mut sorted = members.clone();
        sorted.sort_unstable();
        let name = sorted
            .iter()
            .map(|&i| names[i].as_str())
            .collect::<Vec<_>>()
            .join(" + ");
        let mut pieces: Vec<Piece> = members
            .iter()
            .flat_map(|&i| groups[i].take().unwrap_or_default())
            .collect();
        pieces.sort_by_key(|p| p.index);
        for piece in &mut pieces {
            piece.deployment = Some(name.clone());
        }
        out.push(pieces);
    }
    out.sort_by_key(|g| g.first().map(|p| p.index));
    out
}

/// What pairing needs of each deployment's HelmRelease documents.
fn ends_of(groups: &[Vec<Piece>]) -> Vec<pairing::Ends> {
    groups
        .iter()
        .map(|pieces| {
            pairing::Ends::of(pieces.iter().flat_map(|piece| match &piece.content {
                Content::HelmReleases(docs) => docs.iter().map(|&i| &piece.documents[i].1).collect(),
                _ => Vec::new(),
            }))
        })
        .collect()
}

/// Deployments grouped by folder, with a platform release that names the Redis release of another
/// deployment joined to it (see `pairing`); in the order of their first input.
fn pair(groups: Vec<Vec<Piece>>) -> Vec<Vec<Piece>> {
    let partners = pairing::partners(&ends_of(&groups));
    if partners.iter().all(Option::is_none) {
        return groups;
    }
    let mut buckets: Vec<Vec<Piece>> = (0..groups.len()).map(|_| Vec::new()).collect();
    for (i, pieces) in groups.into_iter().enumerate() {
        buckets[partners[i].unwrap_or(i)].extend(pieces);
    }
    let mut buckets: Vec<Vec<Piece>> = buckets.into_iter().filter(|b| !b.is_empty()).collect();
    for bucket in &mut buckets {
        bucket.sort_by_key(|p| p.index);
    }
    buckets.sort_by_key(|b| b[0].index);
    buckets
}

/// What grouping needs to know of a piece.
fn member<'a>(plan: &'a Plan, piece: &'a Piece) -> Member<'a> {
    let item = &plan.items[piece.index];
    if !item.found {
        return Member::Named;
    }
    let folder = match &item.what {
        Input::File(path) => path.parent(),
        Input::Stdin | Input::ChartDir(_) => None,
    };
    match (&piece.content, folder) {
        (Content::Values(values), Some(folder)) => Member::Values {
            folder,
            shape: values.shape,
        },
        (Content::Applications(_), Some(folder)) => Member::Applications { folder },
        (Content::HelmReleases(docs), Some(folder)) => Member::HelmReleases {
            folder,
            documents: docs
                .iter()
                .map(|&i| &piece.documents[i].1)
                .map(|doc| (helm_release::name(doc), helm_release::is_complete(doc)))
                .collect(),
        },
        _ => Member::Alone,
    }
}

/// Builds one deployment from its pieces (in input order), then layers `-f` and `--set*` on it.
pub fn assemble(plan: &Plan, pieces: Vec<Piece>, options: &Options) -> Result<Loaded, Fatal> {
    let mut sources = Vec::with_capacity(pieces.len());
    let mut loader = Loader::new(Sources::default());
    let mut releases = Vec::new();
    let mut helm_releases = helm_release::ByName::default();
    let mut supplied = Vec::new();
    let name = pieces.first().and_then(|p| p.deployment.clone());
    for piece in pieces {
        supplied.extend(piece.supplied);
        let base = loader.documents.len();
        loader.documents.extend(piece.documents);
        loader.problems.extend(piece.problems);
        match piece.content {
            Content::Releases(whole) | Content::Applications(whole) => releases.extend(whole),
            Content::Values(values) => {
                releases.push(values.release(&piece.sources, &loader.documents[base..]));
            }
            Content::HelmReleases(docs) => {
                for i in docs {
                    helm_releases.add(loader.documents[base + i].1.clone());
                }
            }
            Content::Unreadable => {}
        }
        sources.push(piece.sources);
    }
    // The JSON patches of this deployment's HelmReleases, in files read after every input's and
    // `--values-from` file's.
    let parts: Vec<&str> = name
        .as_deref()
        .map(|n| n.split(" + ").collect())
        .unwrap_or_default();
    let refs: Vec<_> = plan
        .clusters
        .iter()
        .filter(|c| parts.contains(&c.name.as_str()))
        .flat_map(|c| &c.patches)
        .collect();
    let mut patched = Loader::new(Sources::default());
    let patches = json_patch::read(&mut patched, &refs, &plan.patch_files, |k| {
        values_from::flag_source_id(plan.len(), plan.values_from.len() + k)
    })?;
    let mut patches = patches;
    for (_, patch) in &mut patches {
        for file in &patch.later_files {
            let file = kustomize::normalize(file);
            patch.later.extend(
                sources
                    .iter()
                    .flat_map(|s| s.iter())
                    .filter(|(_, s)| kustomize::normalize(std::path::Path::new(&s.name)) == file)
                    .map(|(id, _)| id),
            );
        }
    }
    match helm_releases.into_releases(&patches) {
        Ok(made) => releases.extend(made),
        Err(failure) => return Err(json_patch::fatal(&patched.sources, &failure)),
    }
    // The `--values-from` files this deployment's releases read, at ids every deployment shares.
    let mut flagged = Loader::new(Sources::default());
    for (i, flag) in plan.values_from.iter().enumerate() {
        let wanted = releases.iter().flat_map(|r| &r.unknown).any(|u| {
            u.values_from
                .as_ref()
                .is_some_and(|v| values_from::flag_supplies(flag, v))
        });
        if wanted {
            if let Ok(mut used) = plan.values_from_used.lock() {
                used[i] = true;
            }
            flagged
                .sources
                .continue_at(values_from::flag_source_id(plan.len(), i));
            supplied.extend(values_from::from_flag(&mut flagged, flag)?);
        }
    }
    loader.documents.extend(flagged.documents);
    loader.problems.extend(flagged.problems);
    sources.push(flagged.sources);
    loader.documents.extend(patched.documents);
    loader.problems.extend(patched.problems);
    sources.push(patched.sources);
    loader.sources = Sources::join(sources);
    let mut consumed = Vec::new();
    for release in releases.iter_mut().filter(|r| r.kind == Kind::HelmRelease) {
        values_from::resolve(release, &supplied, &mut consumed);
    }
    // The namespace a kustomization gives a HelmRelease that names none.
    // (A deployment of paired overlays is named after both: `A + B`.)
    for cluster in plan.clusters.iter().filter(|c| parts.contains(&c.name.as_str())) {
        for release in releases
            .iter_mut()
            .filter(|r| r.kind == Kind::HelmRelease && r.namespace.is_none())
        {
            let source = release.values.span.source;
            if !loader.sources.contains(source) {
                continue;
            }
            let file = kustomize::normalize(std::path::Path::new(&loader.sources.get(source).name));
            if let Some((_, ns)) = cluster
                .namespaces
                .iter()
                .find(|(f, _)| kustomize::normalize(f) == file)
            {
                release.namespace = Some(Located::new(ns.clone(), None));
            }
        }
    }
    // A values file a release read as its `valuesFrom` layer is no release of its own.
    if !consumed.is_empty() {
        let consumed: Vec<_> = consumed.iter().map(|p| kustomize::normalize(p)).collect();
        releases.retain(|r| {
            r.kind != Kind::Values
                || !consumed.contains(&kustomize::normalize(std::path::Path::new(&r.label)))
        });
    }

    if plan.layered {
        layers::apply(&mut loader, &mut releases, plan.len(), options)?;
    }
    if let Some(name) = &options.release_name {
        for release in releases
            .iter_mut()
            .filter(|r| matches!(r.kind, Kind::Values | Kind::ChartDir) && r.release_name.is_none())
        {
            release.release_name = Some(Located::new(name.clone(), None));
        }
    }
    for release in &mut releases {
        if let Value::Map(map) = &mut release.values.value {
            release.deleted = nulls(map);
            merge::drop_nulls(map);
            // SOPS keeps its metadata under a top-level `sops` key: never a chart value.
            map.remove("sops");
        }
        apply_chart_versions(release, &options.chart_versions);
    }
    let deployment = Deployment { releases, name };
    Ok(Loaded {
        sources: loader.sources,
        documents: loader.documents,
        problems: loader.problems,
        deployment,
        notes: Vec::new(),
    })
}

/// The paths of the `null` values of a map: Helm deletes the chart's defaults there.
fn nulls(map: &crate::tree::Map) -> Vec<Vec<String>> {
    fn walk(map: &crate::tree::Map, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        for entry in &map.entries {
            path.push(entry.key.clone());
            match &entry.value.value {
                Value::Null => out.push(path.clone()),
                Value::Map(inner) => walk(inner, path, out),
                _ => {}
            }
            path.pop();
        }
    }
    let mut out = Vec::new();
    walk(map, &mut Vec::new(), &mut out);
    out
}

/// `--chart-version` for a release: it names the chart of values that name none (when their
/// shape is that chart's), and its version wins over what the files say.
fn apply_chart_versions(release: &mut Release, versions: &[(String, String)]) {
    if versions.is_empty() {
        return;
    }
    release.chart_versions = versions.to_vec();
    if release.chart_name.is_none() {
        let shape = release.shape();
        let named = versions.iter().rev().find(|(chart, _)| {
            crate::model::charts::Chart::ALL
                .into_iter()
                .any(|c| c.name() == chart && crate::model::chart_shape(c) == shape)
        });
        if let Some((chart, _)) = named {
            release.chart_name = Some(Located::new(chart.clone(), None));
        }
    }
}

#[cfg(test)]
mod test_dir;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::path::Path;
    use test_dir::TestDir;

    const HELM_RELEASE: &str =
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: redis}\n";

    fn options(inputs: &[&Path]) -> Options {
        Options {
            inputs: inputs.iter().map(|p| p.display().to_string()).collect(),
            ..Options::default()
        }
    }

    /// The labels of each deployment's releases, as `load` would make them.
    fn labels(options: &Options) -> Vec<Vec<String>> {
        let plan = plan(options).unwrap();
        let pieces = (0..plan.len()).map(|i| read(&plan, i).unwrap()).collect();
        deployments(&plan, pieces)
            .into_iter()
            .map(|group| {
                let loaded = assemble(&plan, group, options).unwrap();
                loaded.deployment.releases.into_iter().map(|r| r.label).collect()
            })
            .collect()
    }

    #[test]
    fn a_search_splits_into_deployments_and_checks_alone_what_stands_alone() {
        let dir = TestDir::new("mod-search");
        let platform = dir.write("prod/platform-values.yaml", "redis:\n  addrs: [a:6379]\n");
        let cluster = dir.write("prod/redis-values.yaml", "cluster:\n  nodes: 6\n");
        let other = dir.write("other/values.yaml", "image: x\n");
        dir.write(
            "flux/base/release.yaml",
            &format!(
                "kind: Namespace\n---\n{HELM_RELEASE}spec:\n  chart: {{spec: {{chart: redis-cluster}}}}\n"
            ),
        );
        dir.write(
            "flux/prod/patch.yaml",
            &format!("{HELM_RELEASE}spec:\n  values: {{a: 1}}\n"),
        );
        let options = options(&[dir.path()]);
        let [platform, cluster, other] = [platform, cluster, other].map(|p| p.display().to_string());
        assert_eq!(
            labels(&options),
            [
                vec!["HelmRelease redis".to_string()],
                vec![other.clone()],
                vec![platform, cluster],
            ]
        );
        let plan = plan(&options).unwrap();
        let settled: Vec<bool> = (0..plan.len())
            .map(|i| settled(&plan, &read(&plan, i).unwrap()))
            .collect();
        // In path order: base, patch, other, platform, cluster.
        assert_eq!(settled, [false, false, true, false, false]);
    }

    #[test]
    fn the_inputs_named_are_one_deployment() {
        let dir = TestDir::new("mod-named");
        let a = dir.write("a.yaml", "image: x\n");
        let b = dir.write("b.yaml", "image: y\n");
        let options = options(&[&a, &b]);
        assert_eq!(
            labels(&options),
            [[a.display().to_string(), b.display().to_string()]]
        );
        let plan = plan(&options).unwrap();
        assert!(!settled(&plan, &read(&plan, 0).unwrap()));
    }

    #[test]
    fn a_release_name_is_given_to_all_but_helm_releases_and_nulls_and_sops_metadata_go() {
        let dir = TestDir::new("mod-finish");
        let values = dir.write("values.yaml", "a: 1\nb: null\nsops: {version: 3.8.1}\n");
        let manifest = dir.write("release.yaml", HELM_RELEASE);
        let options = Options {
            release_name: Some("cache".into()),
            ..options(&[&values, &manifest])
        };
        let loaded = load(&options).unwrap();
        let releases = &loaded.deployment.releases;
        let names: Vec<_> = releases
            .iter()
            .map(|r| r.release_name.as_ref().map(|n| n.value.as_str()))
            .collect();
        assert_eq!(names, [Some("cache"), Some("redis")]);
        assert_eq!(releases[0].values.to_json(), json!({"a": 1}));
        // Every document read is kept, to locate findings.
        assert_eq!(loaded.documents.len(), 2);
    }
}
