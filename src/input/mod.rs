//! Reading what the user gave: values files, standard input, chart directories, Flux HelmRelease
//! manifests and directories of those; then layering `-f` files and `--set` flags as Helm does.
//! The result is the [`Deployment`] plus every source and parsed document, for locating findings.

pub mod merge;
pub mod set;

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::deployment::{empty_values, Dependency, Deployment, External, Kind, Located, Release};
use crate::source::{Origin, Source, SourceId, Sources, Span};
use crate::tree::{Node, Value};
use crate::yaml::{self, Problem, MAX_INPUT_BYTES};
use crate::Fatal;

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
        let from_documents = self
            .documents
            .iter()
            // Only a document that holds the span can hold the key or value written there (an alias
            // refers to an anchor written before it, which the first document holding it finds).
            .filter(|(id, doc)| {
                *id == span.source && doc.span.start <= span.start && span.end <= doc.span.end
            })
            .find_map(|(_, doc)| doc.pointer_to(span));
        from_documents.or_else(|| {
            self.deployment
                .releases
                .iter()
                .find_map(|r| r.values.pointer_to(span))
        })
    }

    /// The pointers of many spans at once, each as [`Loaded::pointer`] gives it, in one pass over the
    /// documents and one over the releases' values (a report may ask for thousands).
    pub fn pointers(&self, spans: &HashSet<Span>) -> HashMap<Span, String> {
        let mut found: HashMap<Span, String> = HashMap::new();
        for (id, doc) in &self.documents {
            doc.pointers_of(spans, &mut |span, pointer| {
                if span.source == *id && doc.span.start <= span.start && span.end <= doc.span.end {
                    found.entry(span).or_insert(pointer);
                }
            });
        }
        let rest: HashSet<Span> = spans.iter().filter(|s| !found.contains_key(s)).copied().collect();
        if !rest.is_empty() {
            let mut more: HashMap<Span, String> = HashMap::new();
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

pub fn load(options: &Options) -> Result<Loaded, Fatal> {
    let mut loader = Loader {
        sources: Sources::default(),
        documents: Vec::new(),
        problems: Vec::new(),
    };
    let mut releases = Vec::new();
    let mut helm_releases: Vec<(String, Vec<(SourceId, Node)>)> = Vec::new();
    let mut layerable = 0usize;

    for input in &options.inputs {
        let found = if input == "-" {
            vec![Found::Stdin]
        } else {
            discover(Path::new(input))?
        };
        for item in found {
            match item {
                Found::ChartDir(dir) => {
                    releases.push(loader.chart_dir(&dir)?);
                    layerable += 1;
                }
                Found::Stdin | Found::File(_) => {
                    let Some((id, docs)) = (match &item {
                        Found::File(path) => loader.read_file(path)?,
                        _ => loader.read_stdin()?,
                    }) else {
                        continue;
                    };
                    if docs.iter().any(is_helm_release) {
                        for doc in docs.into_iter().filter(is_helm_release) {
                            let name = doc
                                .get(&["metadata", "name"])
                                .and_then(Node::as_str)
                                .unwrap_or_default()
                                .to_string();
                            match helm_releases.iter_mut().find(|(n, _)| *n == name) {
                                Some((_, group)) => group.push((id, doc)),
                                None => helm_releases.push((name, vec![(id, doc)])),
                            }
                        }
                    } else {
                        let label = loader.sources.get(id).name.clone();
                        releases.push(values_release(Kind::Values, label, id, docs.into_iter().next()));
                        layerable += 1;
                    }
                }
            }
        }
    }
    for (_, group) in helm_releases {
        releases.push(helm_release(group));
    }

    let layers = !options.values.is_empty()
        || !options.set.is_empty()
        || !options.set_string.is_empty()
        || !options.set_file.is_empty();
    if layers {
        if options.inputs.is_empty() {
            let span = Span::new(SourceId(u32::MAX), 0..0);
            releases.push(Release {
                kind: Kind::Values,
                label: String::new(),
                release_name: None,
                namespace: None,
                chart_name: None,
                chart_version: None,
                dependencies: Vec::new(),
                values: empty_values(span),
                external: Vec::new(),
            });
        } else if layerable != 1 || releases.len() != 1 {
            return Err(Fatal(
                "-f/--values and --set apply to one release: give them alone, or with a single chart directory \
                 or values file (HelmRelease manifests carry their own values)"
                    .into(),
            ));
        }
        let release = releases.last_mut().expect("one release");
        loader.apply_layers(release, options)?;
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

enum Found {
    Stdin,
    File(PathBuf),
    ChartDir(PathBuf),
}

/// An input path: a file, a chart directory, or a directory searched recursively.
fn discover(path: &Path) -> Result<Vec<Found>, Fatal> {
    let meta = fs::metadata(path).map_err(|e| Fatal(format!("{}: {}", path.display(), io_reason(&e))))?;
    if !meta.is_dir() {
        return Ok(vec![Found::File(path.to_path_buf())]);
    }
    if path.join("Chart.yaml").is_file() {
        return Ok(vec![Found::ChartDir(path.to_path_buf())]);
    }
    let mut found = Vec::new();
    walk(path, &mut found, 0)?;
    if found.is_empty() {
        return Err(Fatal(format!(
            "{}: no values files (*values*.yaml), chart directories or HelmRelease manifests found",
            path.display()
        )));
    }
    Ok(found)
}

/// Deepest directory level searched.
const MAX_WALK_DEPTH: usize = 32;

fn walk(dir: &Path, found: &mut Vec<Found>, depth: usize) -> Result<(), Fatal> {
    if depth > MAX_WALK_DEPTH {
        return Ok(());
    }
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map_err(|e| Fatal(format!("{}: {}", dir.display(), io_reason(&e))))?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || name == "node_modules" || name == "target" {
            continue;
        }
        let path = entry.path();
        // Symbolic links are not followed: they could loop.
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() {
            if path.join("Chart.yaml").is_file() {
                found.push(Found::ChartDir(path));
            } else {
                walk(&path, found, depth + 1)?;
            }
        } else if kind.is_file()
            && (name.ends_with(".yaml") || name.ends_with(".yml"))
            && (name.contains("values") || mentions_helm_release(&path))
        {
            found.push(Found::File(path));
        }
    }
    Ok(())
}

/// A cheap look at a file's start for a HelmRelease kind, before reading it fully.
fn mentions_helm_release(path: &Path) -> bool {
    let mut head = Vec::new();
    let read = fs::File::open(path).and_then(|f| f.take(MAX_INPUT_BYTES).read_to_end(&mut head));
    read.is_ok() && head.windows(b"HelmRelease".len()).any(|w| w == b"HelmRelease")
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

fn is_helm_release(doc: &Node) -> bool {
    doc.get(&["kind"]).and_then(Node::as_str) == Some("HelmRelease")
        && doc
            .get(&["apiVersion"])
            .and_then(Node::as_str)
            .is_some_and(|v| v.starts_with("helm.toolkit.fluxcd.io/"))
}

struct Loader {
    sources: Sources,
    documents: Vec<(SourceId, Node)>,
    problems: Vec<Problem>,
}

impl Loader {
    fn read_file(&mut self, path: &Path) -> Result<Option<(SourceId, Vec<Node>)>, Fatal> {
        let name = path.display().to_string();
        let file = fs::File::open(path).map_err(|e| Fatal(format!("{name}: {}", io_reason(&e))))?;
        let bytes = read_bounded(file, &name)?;
        Ok(self.add(name, Origin::File, bytes))
    }

    fn read_stdin(&mut self) -> Result<Option<(SourceId, Vec<Node>)>, Fatal> {
        let bytes = read_bounded(std::io::stdin().lock(), "<stdin>")?;
        Ok(self.add("<stdin>".into(), Origin::Stdin, bytes))
    }

    /// Adds a source and parses it; `None` when it cannot be read as YAML (the problem is recorded).
    fn add(&mut self, name: String, origin: Origin, bytes: Vec<u8>) -> Option<(SourceId, Vec<Node>)> {
        match yaml::decode(bytes) {
            Err((offset, message, shown)) => {
                let mut source = Source::new(name, origin, shown);
                for secret in crate::secrets::secrets_in_lines(&source.text) {
                    source.redact(secret);
                }
                let id = self.sources.add(source);
                let at = offset.min(self.sources.get(id).text.len());
                self.problems.push(Problem::Syntax {
                    span: Span::new(id, at..at),
                    message,
                    context: None,
                });
                None
            }
            Ok(text) => {
                let id = self.sources.add(Source::new(name, origin, text));
                let parsed = yaml::parse(id, &self.sources.get(id).text);
                let source = self.sources.get_mut(id);
                for secret in parsed.secrets {
                    source.redact(secret);
                }
                if parsed.failed {
                    // The parse stopped early: find secrets line by line in the rest too.
                    for secret in crate::secrets::secrets_in_lines(&source.text) {
                        source.redact(secret);
                    }
                }
                self.problems.extend(parsed.problems);
                if parsed.failed {
                    return None;
                }
                for doc in &parsed.documents {
                    self.documents.push((id, doc.clone()));
                }
                Some((id, parsed.documents))
            }
        }
    }

    fn chart_dir(&mut self, dir: &Path) -> Result<Release, Fatal> {
        let chart = self
            .read_file(&dir.join("Chart.yaml"))?
            .and_then(|(_, d)| d.into_iter().next());
        let lock_path = dir.join("Chart.lock");
        let lock = if lock_path.is_file() {
            self.read_file(&lock_path)?
                .and_then(|(_, d)| d.into_iter().next())
        } else {
            None
        };
        let values_path = dir.join("values.yaml");
        let values = if values_path.is_file() {
            self.read_file(&values_path)?
        } else {
            None
        };
        let label = dir.display().to_string();
        let mut release = match values {
            Some((id, docs)) => values_release(Kind::ChartDir, label, id, docs.into_iter().next()),
            None => values_release(Kind::ChartDir, label, SourceId(u32::MAX), None),
        };
        if let Some(chart) = &chart {
            release.chart_name = chart.get(&["name"]).and_then(Located::from_node);
            release.chart_version = chart.get(&["version"]).and_then(Located::from_node);
            release.dependencies = dependencies(chart, lock.as_ref());
        }
        Ok(release)
    }

    /// Applies `-f` files, then every `--set`, `--set-string` and `--set-file` in turn: the order Helm
    /// applies them in, whatever their order on the command line.
    fn apply_layers(&mut self, release: &mut Release, options: &Options) -> Result<(), Fatal> {
        let mut names: Vec<String> = Vec::new();
        if !release.label.is_empty() {
            names.push(release.label.clone());
        }
        let Value::Map(base) = &mut release.values.value else {
            return Err(Fatal("internal: release values are not a mapping".into()));
        };
        for path in &options.values {
            let loaded = if path == "-" {
                self.read_stdin()?
            } else {
                self.read_file(Path::new(path))?
            };
            names.push(if path == "-" {
                "<stdin>".into()
            } else {
                path.clone()
            });
            let Some((_, docs)) = loaded else { continue };
            if docs.iter().any(is_helm_release) {
                return Err(Fatal(format!(
                    "{path}: is a Flux HelmRelease manifest, not a values file: give it as an input, without -f"
                )));
            }
            if let Some(Node {
                value: Value::Map(map),
                ..
            }) = docs.into_iter().next()
            {
                merge::merge(base, map);
            }
        }
        let flags: [(&'static str, &[String], set::SetKind); 3] = [
            ("--set", &options.set, set::SetKind::Typed),
            ("--set-string", &options.set_string, set::SetKind::String),
            ("--set-file", &options.set_file, set::SetKind::File),
        ];
        for (flag, args, kind) in flags {
            for (i, arg) in args.iter().enumerate() {
                let name = format!("{flag} #{}", i + 1);
                let id = self.sources.add(Source::new(
                    name.clone(),
                    Origin::Flag { flag, index: i + 1 },
                    arg.clone(),
                ));
                let mut read = |path: &str| -> Result<String, String> {
                    let file = fs::File::open(path).map_err(|e| format!("{path}: {}", io_reason(&e)))?;
                    let bytes = read_bounded(file, path).map_err(|f| f.0)?;
                    String::from_utf8(bytes).map_err(|_| format!("{path}: not UTF-8 text"))
                };
                match set::apply(arg, id, kind, base, &mut read) {
                    Ok(secrets) => {
                        let source = self.sources.get_mut(id);
                        for s in secrets {
                            source.redact(s);
                        }
                    }
                    Err(e) => {
                        for secret in &e.secrets {
                            self.sources.get_mut(id).redact(secret.clone());
                        }
                        let source = self.sources.get(id);
                        let column = source.line_col(e.span.start).1;
                        let shown = source.redacted().text;
                        return Err(Fatal(format!("{name} `{shown}`: column {column}: {}", e.message)));
                    }
                }
                if !names.contains(&flag.to_string()) {
                    names.push(flag.to_string());
                }
            }
        }
        release.label = names.join(" + ");
        Ok(())
    }
}

fn read_bounded(reader: impl Read, name: &str) -> Result<Vec<u8>, Fatal> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Fatal(format!("{name}: {}", io_reason(&e))))?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(Fatal(format!(
            "{name}: larger than {} MiB, the most acp-check reads from one file",
            MAX_INPUT_BYTES / (1024 * 1024)
        )));
    }
    Ok(bytes)
}

fn values_release(kind: Kind, label: String, id: SourceId, doc: Option<Node>) -> Release {
    let values = match doc {
        Some(
            node @ Node {
                value: Value::Map(_), ..
            },
        ) => node,
        // An empty document (or a scalar) gives no values, as in Helm.
        Some(node) => empty_values(node.span),
        None => empty_values(Span::new(id, 0..0)),
    };
    Release {
        kind,
        label,
        release_name: None,
        namespace: None,
        chart_name: None,
        chart_version: None,
        dependencies: Vec::new(),
        values,
        external: Vec::new(),
    }
}

/// Dependencies of an umbrella chart: names and aliases from Chart.yaml, versions from Chart.lock
/// when it has them (the lock holds what was really resolved).
fn dependencies(chart: &Node, lock: Option<&Node>) -> Vec<Dependency> {
    let locked = |name: &str| -> Option<Located<String>> {
        lock?.get(&["dependencies"])?.as_seq()?.iter().find_map(|d| {
            (d.get(&["name"]).and_then(Node::as_str) == Some(name))
                .then(|| d.get(&["version"]).and_then(Located::from_node))
                .flatten()
        })
    };
    let Some(deps) = chart.get(&["dependencies"]).and_then(Node::as_seq) else {
        return Vec::new();
    };
    deps.iter()
        .filter_map(|d| {
            let name = d.get(&["name"]).and_then(Node::as_str)?.to_string();
            let values_key = d
                .get(&["alias"])
                .and_then(Node::as_str)
                .unwrap_or(&name)
                .to_string();
            let version = locked(&name).or_else(|| d.get(&["version"]).and_then(Located::from_node));
            Some(Dependency {
                name,
                values_key,
                version,
            })
        })
        .collect()
}

/// One release from HelmRelease documents of the same name, merged in the order given.
fn helm_release(group: Vec<(SourceId, Node)>) -> Release {
    let mut docs = group.into_iter();
    let (_, mut merged) = docs.next().expect("a group has a document");
    for (_, overlay) in docs {
        if let (Value::Map(into), Value::Map(from)) = (&mut merged.value, overlay.value) {
            merge::merge(into, from);
        }
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
    }
}
