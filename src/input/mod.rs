//! Reading what the user gave: values files, standard input, chart directories, Flux HelmRelease
//! manifests and directories of those; then layering `-f` files and `--set` flags as Helm does.
//! The result is the [`Deployment`] plus every source and parsed document, for locating findings.

mod chart_dir;
mod discover;
mod group;
mod helm_release;
mod layers;
mod loader;
pub mod set;
mod values_file;

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
    /// Files, `-`, chart directories, HelmRelease manifests, directories to search.
    pub inputs: Vec<String>,
    /// `-f/--values` files, in order.
    pub values: Vec<String>,
    pub set: Vec<String>,
    pub set_string: Vec<String>,
    pub set_file: Vec<String>,
    pub release_name: Option<String>,
    pub redis_chart_version: Option<String>,
}

/// Everything read in one run.
pub struct Loaded {
    pub sources: Sources,
    /// Every document parsed, by source: to turn a span back into a JSON pointer.
    pub documents: Vec<(SourceId, Node)>,
    /// Problems met while reading YAML.
    pub problems: Vec<Problem>,
    pub deployment: Deployment,
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
    pub fn join(parts: Vec<Loaded>, redis_chart_version: Option<String>) -> Loaded {
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
            deployment: Deployment {
                releases,
                redis_chart_version,
            },
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
    Ok(Loaded::join(parts, options.redis_chart_version.clone()))
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
    for argument in &options.inputs {
        let (inputs, searched) = discover::discover(argument)?;
        items.extend(inputs.into_iter().map(|what| Item {
            what,
            found: searched,
        }));
    }
    let layered = !options.values.is_empty()
        || !options.set.is_empty()
        || !options.set_string.is_empty()
        || !options.set_file.is_empty();
    Ok(Plan { items, layered })
}

/// One input, read and parsed, before it joins a deployment.
pub struct Piece {
    index: usize,
    sources: Sources,
    documents: Vec<(SourceId, Node)>,
    problems: Vec<Problem>,
    content: Content,
}

enum Content {
    /// A chart directory.
    Release(Box<Release>),
    /// A values file or standard input.
    Values(Values),
    /// The indices of its HelmRelease documents (the file's other documents are not releases).
    HelmReleases(Vec<usize>),
    /// Not readable as YAML: only its problem is reported.
    Nothing,
}

/// Reads and parses input `index` of the plan (inputs can be read in parallel).
pub fn read(plan: &Plan, index: usize) -> Result<Piece, Fatal> {
    let mut loader = Loader::new(Sources::for_input(index));
    let item = &plan.items[index];
    let content = match &item.what {
        Input::ChartDir(dir) => Content::Release(Box::new(chart_dir::read(&mut loader, dir)?)),
        Input::Stdin | Input::File(_) => {
            let read = match &item.what {
                Input::File(path) => loader.read_file(path)?,
                _ => loader.read_stdin()?,
            };
            match read {
                None => Content::Nothing,
                Some((id, r)) => match helm_release::documents_of(&loader.documents, r.clone()) {
                    Some(docs) => Content::HelmReleases(docs),
                    None => Content::Values(Values::new(id, &loader.documents, r)),
                },
            }
        }
    };
    Ok(Piece {
        index,
        sources: loader.sources,
        documents: loader.documents,
        problems: loader.problems,
        content,
    })
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
    let numbers = {
        let members: Vec<Member> = pieces.iter().map(|piece| member(plan, piece)).collect();
        group::deployments(&members)
    };
    let mut deployments: Vec<Vec<Piece>> = Vec::new();
    for (piece, number) in pieces.into_iter().zip(numbers) {
        // Numbered in order of first piece: a new number is the next deployment.
        if number == deployments.len() {
            deployments.push(Vec::new());
        }
        deployments[number].push(piece);
    }
    deployments
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
    for piece in pieces {
        let base = loader.documents.len();
        loader.documents.extend(piece.documents);
        loader.problems.extend(piece.problems);
        match piece.content {
            Content::Release(release) => releases.push(*release),
            Content::Values(values) => {
                releases.push(values.release(&piece.sources, &loader.documents[base..]));
            }
            Content::HelmReleases(docs) => {
                for i in docs {
                    let (id, doc) = loader.documents[base + i].clone();
                    helm_releases.add(id, doc);
                }
            }
            Content::Nothing => {}
        }
        sources.push(piece.sources);
    }
    loader.sources = Sources::join(sources);
    releases.extend(helm_releases.into_releases());

    if plan.layered {
        layers::apply(&mut loader, &mut releases, plan.len(), options)?;
    }
    if let Some(name) = &options.release_name {
        for release in releases.iter_mut().filter(|r| r.kind != Kind::HelmRelease) {
            release.release_name = Some(Located::new(name.clone(), None));
        }
    }
    for release in &mut releases {
        if let Value::Map(map) = &mut release.values.value {
            merge::drop_nulls(map);
            // SOPS keeps its metadata under a top-level `sops` key: never a chart value.
            map.remove("sops");
        }
    }
    let deployment = Deployment {
        releases,
        redis_chart_version: options.redis_chart_version.clone(),
    };
    Ok(Loaded {
        sources: loader.sources,
        documents: loader.documents,
        problems: loader.problems,
        deployment,
    })
}

#[cfg(test)]
mod test_dir;
