//! The layers a HelmRelease's `valuesFrom` reads, where acp-check can read them offline: the
//! Secret or ConfigMap a `secretGenerator` / `configMapGenerator` of the kustomization beside the
//! release makes (`files`, `KEY=PATH` files and `envs`), and the files `--values-from
//! KIND/NAME[:KEY]=FILE` gives. A layer found replaces the release's unknown layer of that entry,
//! at its rank: above the layers before it, below those after it and `spec.values`. A SOPS file
//! gives known keys whose values stay opaque (`model::opaque`).

use std::path::{Path, PathBuf};

use super::kustomize::{self, Data, Made};
use super::loader::Loader;
use crate::core::redact::secrets_in_lines;
use crate::core::source::{Origin, Source, Span, IDS_PER_INPUT};
use crate::core::Fatal;
use crate::model::{Release, ValuesFrom};
use crate::tree::{merge, Entry, Map, Node, Value};
use crate::yaml::Helm;

/// The data of one key of a Secret or ConfigMap, read.
#[derive(Clone, Debug)]
pub(super) struct Supplied {
    pub(super) made: Made,
    pub(super) name: String,
    pub(super) key: String,
    /// A whole file's values (a mapping), or the text of a key (a string) for a `targetPath`.
    pub(super) values: Option<Node>,
    /// The whole text, as a string at its place, for a `targetPath`.
    pub(super) text: Node,
    /// The file read.
    pub(super) path: PathBuf,
}

impl Supplied {
    fn matches(&self, reference: &ValuesFrom) -> bool {
        Made::of_kind(&reference.kind) == Some(self.made)
            && self.name == reference.name
            && self.key == reference.key
    }
}

/// A `--values-from KIND/NAME[:KEY]=FILE` flag, parsed.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Flag {
    made: Made,
    name: String,
    key: String,
    file: PathBuf,
}

/// Parses `--values-from` arguments; a bad one is a usage error that says what is expected.
pub(super) fn flags(args: &[String]) -> Result<Vec<Flag>, Fatal> {
    args.iter()
        .map(|arg| {
            let bad = |why: &str| {
                Fatal(format!(
                    "--values-from `{arg}`: {why} (expected KIND/NAME[:KEY]=FILE, KIND Secret or ConfigMap, e.g. \
                     Secret/redis-values=redis-values.yaml)"
                ))
            };
            let (object, file) = arg.split_once('=').ok_or_else(|| bad("no `=FILE`"))?;
            let (kind, rest) = object.split_once('/').ok_or_else(|| bad("no `KIND/`"))?;
            let made = Made::of_kind(kind).ok_or_else(|| bad(&format!("`{kind}` is not Secret or ConfigMap")))?;
            let (name, key) = match rest.split_once(':') {
                Some((name, key)) => (name, key),
                None => (rest, "values.yaml"),
            };
            if name.is_empty() || key.is_empty() || file.is_empty() {
                return Err(bad("an empty name, key or file"));
            }
            let file = PathBuf::from(file);
            if !file.is_file() {
                return Err(Fatal(format!(
                    "--values-from `{arg}`: {}: no such file",
                    file.display()
                )));
            }
            Ok(Flag {
                made,
                name: name.to_string(),
                key: key.to_string(),
                file,
            })
        })
        .collect()
}

/// The `valuesFrom` entries of HelmRelease documents.
fn references(docs: &[&Node]) -> Vec<(Made, String, String)> {
    let mut found = Vec::new();
    for doc in docs {
        for entry in doc
            .get(&["spec", "valuesFrom"])
            .and_then(Node::as_seq)
            .unwrap_or_default()
        {
            let text = |key: &str| entry.get(&[key]).and_then(Node::as_str);
            let Some(made) = Made::of_kind(text("kind").unwrap_or("Secret")) else {
                continue;
            };
            let Some(name) = text("name") else { continue };
            let key = text("valuesKey").unwrap_or("values.yaml");
            let reference = (made, name.to_string(), key.to_string());
            if !found.contains(&reference) {
                found.push(reference);
            }
        }
    }
    found
}

/// Reads the layers that the kustomization beside `file` generates for the `valuesFrom` entries of
/// its HelmRelease documents `docs` (of `loader.documents`), as sources of the piece. An input may
/// hold [`IDS_PER_INPUT`] sources: the entries beyond them stay unknown layers.
pub(super) fn from_kustomization(loader: &mut Loader, file: &Path, docs: &[usize]) -> Vec<Supplied> {
    let wanted = {
        let docs: Vec<&Node> = docs.iter().map(|&i| &loader.documents[i].1).collect();
        references(&docs)
    };
    if wanted.is_empty() {
        return Vec::new();
    }
    let Some(dir) = file.parent() else {
        return Vec::new();
    };
    let Some(file) = kustomize::file_in(dir) else {
        return Vec::new();
    };
    let Some(kustomization) = kustomize::read(&file) else {
        return Vec::new();
    };
    let generators = kustomize::generators_of(&kustomization, dir, &file);
    let mut supplied = Vec::new();
    for (made, name, key) in wanted {
        let Some(data) = generators
            .iter()
            .find(|g| g.made == made && g.name == name)
            .and_then(|g| g.data(&key))
        else {
            continue;
        };
        if loader.sources.len() >= IDS_PER_INPUT as usize {
            break;
        }
        // Kustomize reads no generator file outside the kustomization's folder (its load
        // restrictor): neither does acp-check.
        let inside = match data {
            Data::File(p) | Data::Env(p) => p.starts_with(kustomize::normalize(dir)),
            Data::Literal { .. } => true,
        };
        if !inside {
            continue;
        }
        if let Some(s) = read_data(loader, made, &name, &key, data) {
            supplied.push(s);
        }
    }
    supplied
}

/// Reads the file a `--values-from` flag names into `loader`.
pub(super) fn from_flag(loader: &mut Loader, flag: &Flag) -> Result<Option<Supplied>, Fatal> {
    // A file of a flag is read whole, as given: the flag names its key.
    let data = Data::File(flag.file.clone());
    let read = read_data(loader, flag.made, &flag.name, &flag.key, &data);
    if read.is_none()
        && !loader
            .sources
            .iter()
            .any(|(_, s)| Path::new(&s.name) == flag.file)
    {
        return Err(Fatal(format!("{}: could not be read", flag.file.display())));
    }
    Ok(read)
}

/// Whether a flag supplies `reference`.
pub(super) fn flag_supplies(flag: &Flag, reference: &ValuesFrom) -> bool {
    Made::of_kind(&reference.kind) == Some(flag.made)
        && flag.name == reference.name
        && flag.key == reference.key
}

fn read_data(loader: &mut Loader, made: Made, name: &str, key: &str, data: &Data) -> Option<Supplied> {
    let supplied = |values, text, path: &Path| Supplied {
        made,
        name: name.to_string(),
        key: key.to_string(),
        values,
        text,
        path: path.to_path_buf(),
    };
    match data {
        Data::File(path) => {
            let (id, range) = loader.read_file(path).ok()??;
            let text = &loader.sources.get(id).text;
            let whole = Node::new(Value::Str(text.clone()), Span::new(id, 0..text.len()));
            // Flux reads the key's data as one YAML document.
            let docs = loader.values_documents(id, range, Helm::V3)?;
            let values = loader.merged(&docs);
            Some(supplied(values, whole, path))
        }
        Data::Env(path) => {
            let bytes = crate::core::read::read_file(path, crate::core::read::Limit::VALUES).ok()?;
            let text = String::from_utf8(bytes).ok()?;
            let range = kustomize::env_value(&text, key)?;
            let value = text[range.clone()].trim();
            let start = range.start + (text[range.clone()].len() - text[range.clone()].trim_start().len());
            let value = value.to_string();
            let mut source = Source::new(path.to_string_lossy().into_owned(), Origin::File, text);
            for secret in secrets_in_lines(&source.text) {
                source.redact(secret);
            }
            // Every value of an env file a Secret is made of is a secret.
            if made == Made::Secret && !value.is_empty() {
                source.redact(start..start + value.len());
            }
            let id = loader.sources.add(source);
            let node = Node::new(
                Value::Str(value.clone()),
                Span::new(id, start..start + value.len()),
            );
            // Flux reads the data as YAML: a mapping only when it is one.
            Some(supplied(None, node, path))
        }
        Data::Literal { value, file, at } => {
            // The kustomization, read once as a source of the piece: the literal is written there.
            let read = loader
                .sources
                .iter()
                .find(|(_, s)| Path::new(&s.name) == file.as_path())
                .map(|(id, _)| id);
            let id = match read {
                Some(id) => id,
                None => loader.read_file(file).ok()??.0,
            };
            let text = &loader.sources.get(id).text;
            // Where the value is written: after `KEY=` of the literal's scalar, when it is written
            // as it reads (plain, or quoted without escapes); else the literal as a whole.
            let written = text.get(at.clone()).unwrap_or_default();
            let inner = written
                .strip_prefix(['"', '\''])
                .and_then(|w| w.strip_suffix(['"', '\'']))
                .map_or((written, 0), |w| (w, 1));
            let exact = inner.0.ends_with(value.as_str()) && inner.0.len() > value.len();
            let range = if exact {
                let end = at.start + inner.1 + inner.0.len();
                end - value.len()..end
            } else {
                at.clone()
            };
            let source = loader.sources.get_mut(id);
            // Every literal a Secret is made of is a secret.
            if made == Made::Secret && !value.is_empty() {
                source.redact(range.clone());
                source.know(value.clone());
            }
            let node = Node::new(Value::Str(value.clone()), Span::new(id, range.clone()));
            // Flux reads the data as YAML: a mapping is the values of the key.
            let mut parsed = crate::yaml::parse(id, value);
            let shift = |span: Span| {
                if exact {
                    Span::new(
                        id,
                        span.start as usize + range.start..span.end as usize + range.start,
                    )
                } else {
                    Span::new(id, range.clone())
                }
            };
            for secret in std::mem::take(&mut parsed.secrets) {
                loader
                    .sources
                    .get_mut(id)
                    .redact(shift(Span::new(id, secret)).range());
            }
            let values = match (parsed.failed, parsed.documents.into_iter().next()) {
                (false, Some(mut doc)) if matches!(doc.value, Value::Map(_)) => {
                    doc.map_spans(&shift);
                    Some(doc)
                }
                _ => None,
            };
            Some(supplied(values, node, file))
        }
    }
}

/// Replaces each unknown `valuesFrom` layer of `release` that a supplied layer (or a flag's) gives
/// with its values, at its rank. The paths of the files read are added to `consumed`.
pub(super) fn resolve(release: &mut Release, supplied: &[Supplied], consumed: &mut Vec<PathBuf>) {
    let mut layers: Vec<(u16, Option<String>, &Supplied)> = Vec::new();
    release.unknown.retain(|unknown| {
        let Some(reference) = &unknown.values_from else {
            return true;
        };
        match supplied.iter().rev().find(|s| s.matches(reference)) {
            Some(found) => {
                layers.push((unknown.rank, reference.target.clone(), found));
                false
            }
            None => true,
        }
    });
    if layers.is_empty() {
        return;
    }
    let mut base = Map::default();
    for (rank, target, found) in layers {
        release.ranks.push((found.text.span.source, rank));
        consumed.push(found.path.clone());
        match target {
            Some(path) => set_at(&mut base, &path, found.text.clone()),
            None => {
                if let Some(Node {
                    value: Value::Map(map),
                    ..
                }) = found.values.clone()
                {
                    merge::merge(&mut base, map);
                }
            }
        }
    }
    if let Value::Map(own) = std::mem::replace(&mut release.values.value, Value::Null) {
        merge::merge(&mut base, own);
    }
    release.values.value = Value::Map(base);
}

/// Sets `value` at the dotted `path` of `map` (Flux's `targetPath`), making the mappings on the way.
fn set_at(map: &mut Map, path: &str, value: Node) {
    let keys: Vec<&str> = path.split('.').filter(|k| !k.is_empty()).collect();
    let Some((last, parents)) = keys.split_last() else {
        return;
    };
    let mut overlay = Map {
        entries: vec![Entry {
            key: last.to_string(),
            key_span: value.span,
            value: value.clone(),
        }],
    };
    for key in parents.iter().rev() {
        overlay = Map {
            entries: vec![Entry {
                key: key.to_string(),
                key_span: value.span,
                value: Node::new(Value::Map(overlay), value.span),
            }],
        };
    }
    merge::merge(map, overlay);
}

/// The id a `--values-from` flag's file is read at in every deployment: after every input's, so
/// that deployments read apart give it the same id.
pub(super) fn flag_source_id(inputs: usize, flag: usize) -> u32 {
    u32::try_from(inputs)
        .unwrap_or(u32::MAX)
        .saturating_mul(IDS_PER_INPUT)
        .saturating_add(u32::try_from(flag).unwrap_or(u32::MAX))
}
