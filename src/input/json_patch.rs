//! JSON 6902 patches, as Kustomize applies them to an object (`patches:` entries whose patch is a
//! list of operations, and `patchesJson6902:`): `add`, `remove`, `replace`, `move`, `copy` and
//! `test`, at RFC 6901 pointers (`~1` is `/`, `~0` is `~`, `-` appends to a list). A value a patch
//! writes keeps the span it is written at, so a finding points into the patch. An operation that
//! does not apply fails the build, as in Kustomize.

use std::collections::HashMap;
use std::ops::Range;
use std::path::PathBuf;

use super::flux::PatchRef;
use super::loader::Loader;
use crate::core::redact::is_secret_key;
use crate::core::source::{SourceId, Sources, Span};
use crate::core::Fatal;
use crate::tree::{pointer_segments, Entry, Node, Value};

/// A JSON patch of a HelmRelease, read from where it is written.
#[derive(Clone, Debug)]
pub(super) struct Patch {
    pub(super) ops: Vec<Op>,
    /// Its target may select the release or not (see `flux::PatchRef::unsure`).
    pub(super) unsure: bool,
    /// The patch as written.
    pub(super) span: Span,
    /// The files of strategic merges Kustomize applies after it, and the sources they are read
    /// at (filled in by the deployment that reads them).
    pub(super) later_files: Vec<PathBuf>,
    pub(super) later: Vec<SourceId>,
}

/// Reads the patches `refs` into `loader`, each file once, at the ids `id_of` gives them (above
/// every id `loader` holds, in the order of `files`, which lists every file a patch of the run is
/// written in). A patch that is no list of operations fails the build, as in Kustomize: then the
/// error says where.
pub(super) fn read(
    loader: &mut Loader,
    refs: &[&(String, PatchRef)],
    files: &[PathBuf],
    id_of: impl Fn(usize) -> u32,
) -> Result<Vec<(String, Patch)>, Fatal> {
    let mut wanted: Vec<usize> = refs
        .iter()
        .filter_map(|(_, r)| files.iter().position(|f| *f == r.file))
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut read: HashMap<usize, Option<(SourceId, Range<usize>)>> = HashMap::new();
    for k in wanted {
        loader.sources.continue_at(id_of(k));
        read.insert(k, loader.read_file(&files[k])?);
    }
    let mut patches = Vec::new();
    for (name, at) in refs {
        let Some(Some((id, range))) = files
            .iter()
            .position(|f| *f == at.file)
            .and_then(|k| read.get(&k))
        else {
            continue;
        };
        let Some(doc) = loader.documents[range.clone()].first().map(|(_, d)| d.clone()) else {
            continue;
        };
        let node = match at.inline {
            None => doc,
            Some((field, index)) => {
                let Some(text) = doc
                    .get(&[field])
                    .and_then(Node::as_seq)
                    .and_then(|entries| entries.get(index))
                    .and_then(|entry| entry.get(&["patch"]))
                else {
                    continue;
                };
                let Some(parsed) = crate::yaml::parse_embedded(text, &loader.sources.get(*id).text) else {
                    continue;
                };
                let source = loader.sources.get_mut(*id);
                for secret in parsed.secrets {
                    source.redact(secret);
                }
                for range in parsed.hidden {
                    source.hide(range);
                }
                for secret in parsed.decoded {
                    source.know(secret);
                }
                match parsed.documents.into_iter().next() {
                    Some(doc) => doc,
                    None => continue,
                }
            }
        };
        let ops = parse(&node).map_err(|f| fatal(&loader.sources, &f))?;
        // A value written at a secret's key is a secret: `value: hunter2` at `/…/password`.
        for op in &ops {
            let secret = op.path.last().is_some_and(|k| is_secret_key(k));
            if let (true, Some(value)) = (secret, &op.value) {
                if !matches!(value.value, Value::Map(_) | Value::Seq(_)) {
                    loader
                        .sources
                        .get_mut(value.span.source)
                        .redact(value.span.range());
                }
            }
        }
        patches.push((
            name.clone(),
            Patch {
                ops,
                unsure: at.unsure,
                span: node.span,
                later_files: at.later.clone(),
                later: Vec::new(),
            },
        ));
    }
    Ok(patches)
}

/// The error a patch that does not apply stops the run with: where it is written, and why.
pub(super) fn fatal(sources: &Sources, failure: &Failure) -> Fatal {
    let at = sources.position(failure.span);
    Fatal(format!(
        "{}:{}:{}: {} (the JSON patch does not apply: kustomize build fails)",
        sources.get(failure.span.source).name,
        at.line,
        at.column,
        failure.message
    ))
}

/// What an operation does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Add,
    Remove,
    Replace,
    Move,
    Copy,
    Test,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Add => "add",
            Kind::Remove => "remove",
            Kind::Replace => "replace",
            Kind::Move => "move",
            Kind::Copy => "copy",
            Kind::Test => "test",
        }
    }
}

/// One operation of a JSON patch.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Op {
    pub(super) kind: Kind,
    /// The pointer, decoded into its tokens.
    pub(super) path: Vec<String>,
    /// `from` of `move` and `copy`.
    pub(super) from: Option<Vec<String>>,
    /// `value` of `add`, `replace` and `test`.
    pub(super) value: Option<Node>,
    /// The operation as written.
    pub(super) span: Span,
    /// Where its `path` is written (the key of a value it adds).
    pub(super) path_span: Span,
}

/// Why a patch does not apply: where, and what is wrong.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Failure {
    pub(super) span: Span,
    pub(super) message: String,
}

/// The tokens of a pointer (`""` is the whole document).
fn tokens(pointer: &str) -> Option<Vec<String>> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    pointer.starts_with('/').then(|| pointer_segments(pointer))
}

/// The operations of a JSON patch (a list of mappings).
pub(super) fn parse(patch: &Node) -> Result<Vec<Op>, Failure> {
    let fail = |span: Span, message: String| Failure { span, message };
    let Some(items) = patch.as_seq() else {
        return Err(fail(patch.span, "a JSON patch is a list of operations".into()));
    };
    let mut ops = Vec::with_capacity(items.len());
    for item in items {
        let text = |key: &str| item.get(&[key]).and_then(Node::as_str);
        let kind = match text("op") {
            Some("add") => Kind::Add,
            Some("remove") => Kind::Remove,
            Some("replace") => Kind::Replace,
            Some("move") => Kind::Move,
            Some("copy") => Kind::Copy,
            Some("test") => Kind::Test,
            Some(other) => return Err(fail(item.span, format!("`{other}` is no JSON patch operation"))),
            None => return Err(fail(item.span, "a JSON patch operation has no `op`".into())),
        };
        let pointer = |key: &str| -> Result<Option<Vec<String>>, Failure> {
            match text(key) {
                None => Ok(None),
                Some(p) => tokens(p).map(Some).ok_or_else(|| {
                    fail(
                        item.get(&[key]).map_or(item.span, |n| n.span),
                        format!("`{key}: {p}` is no JSON pointer (it starts with `/`)"),
                    )
                }),
            }
        };
        let Some(path) = pointer("path")? else {
            return Err(fail(
                item.span,
                format!("a `{}` operation has no `path`", kind.name()),
            ));
        };
        let from = pointer("from")?;
        if matches!(kind, Kind::Move | Kind::Copy) && from.is_none() {
            return Err(fail(
                item.span,
                format!("a `{}` operation has no `from`", kind.name()),
            ));
        }
        let value = item.get(&["value"]).cloned();
        if matches!(kind, Kind::Add | Kind::Replace | Kind::Test) && value.is_none() {
            return Err(fail(
                item.span,
                format!("a `{}` operation has no `value`", kind.name()),
            ));
        }
        ops.push(Op {
            kind,
            path,
            from,
            value,
            span: item.span,
            path_span: item.get(&["path"]).map_or(item.span, |n| n.span),
        });
    }
    Ok(ops)
}

fn index(token: &str, len: usize) -> Option<usize> {
    let valid = !token.is_empty()
        && token.bytes().all(|b| b.is_ascii_digit())
        && (token == "0" || !token.starts_with('0'));
    token.parse::<usize>().ok().filter(|&i| valid && i < len)
}

fn get<'a>(doc: &'a Node, path: &[String]) -> Option<&'a Node> {
    let mut node = doc;
    for token in path {
        node = match &node.value {
            Value::Map(map) => map.get(token)?,
            Value::Seq(items) => &items[index(token, items.len())?],
            _ => return None,
        };
    }
    Some(node)
}

fn get_mut<'a>(doc: &'a mut Node, path: &[String]) -> Option<&'a mut Node> {
    let mut node = doc;
    for token in path {
        node = match &mut node.value {
            Value::Map(map) => &mut map.entry_mut(token)?.value,
            Value::Seq(items) => {
                let i = index(token, items.len())?;
                &mut items[i]
            }
            _ => return None,
        };
    }
    Some(node)
}

/// Adds `value` at `path` (replacing a key's value, inserting into a list); `false` when the parent
/// is missing or the place is not one.
fn add(doc: &mut Node, path: &[String], value: Node, key_span: Span) -> bool {
    let Some((last, parents)) = path.split_last() else {
        *doc = value;
        return true;
    };
    let Some(parent) = get_mut(doc, parents) else {
        return false;
    };
    match &mut parent.value {
        Value::Map(map) => {
            map.insert(Entry {
                key: last.clone(),
                key_span,
                value,
            });
            true
        }
        Value::Seq(items) => {
            let at = if last == "-" {
                items.len()
            } else {
                match index(last, items.len() + 1) {
                    Some(i) => i,
                    None => return false,
                }
            };
            items.insert(at, value);
            true
        }
        _ => false,
    }
}

/// Removes the value at `path`, giving it back.
fn remove(doc: &mut Node, path: &[String]) -> Option<Node> {
    let (last, parents) = path.split_last()?;
    let parent = get_mut(doc, parents)?;
    match &mut parent.value {
        Value::Map(map) => map.remove(last).map(|e| e.value),
        Value::Seq(items) => {
            let i = index(last, items.len())?;
            Some(items.remove(i))
        }
        _ => None,
    }
}

/// Applies `ops` to `doc` in order. On a failure `doc` holds the operations before it.
pub(super) fn apply(doc: &mut Node, ops: &[Op]) -> Result<(), Failure> {
    for op in ops {
        let shown = crate::tree::pointer(&op.path);
        let fail = |why: &str| Failure {
            span: op.span,
            message: format!("`{}` operation at {}: {why}", op.kind.name(), display(&shown)),
        };
        match op.kind {
            Kind::Add => {
                let value = op.value.clone().expect("parsed with a value");
                if !add(doc, &op.path, value, op.path_span) {
                    return Err(fail("the place it adds at is missing"));
                }
            }
            Kind::Remove => {
                if op.path.is_empty() || remove(doc, &op.path).is_none() {
                    return Err(fail("no value is there to remove"));
                }
            }
            Kind::Replace => {
                let value = op.value.clone().expect("parsed with a value");
                match get_mut(doc, &op.path) {
                    Some(node) => *node = value,
                    None => return Err(fail("no value is there to replace")),
                }
            }
            Kind::Test => {
                let value = op.value.as_ref().expect("parsed with a value");
                match get(doc, &op.path) {
                    Some(node) if node.to_json() == value.to_json() => {}
                    Some(_) => return Err(fail("the value there is not the one tested")),
                    None => return Err(fail("no value is there to test")),
                }
            }
            Kind::Move | Kind::Copy => {
                let from = op.from.as_deref().expect("parsed with a from");
                if op.kind == Kind::Move && op.path.len() > from.len() && op.path.starts_with(from) {
                    return Err(fail("a value cannot move into itself"));
                }
                let taken = if op.kind == Kind::Move {
                    if from.is_empty() {
                        None
                    } else {
                        remove(doc, from)
                    }
                } else {
                    get(doc, from).cloned()
                };
                let Some(value) = taken else {
                    return Err(fail(&format!(
                        "no value is at `from` {}",
                        display(&crate::tree::pointer(from))
                    )));
                };
                if !add(doc, &op.path, value, op.path_span) {
                    return Err(fail("the place it adds at is missing"));
                }
            }
        }
    }
    Ok(())
}

fn display(pointer: &str) -> &str {
    if pointer.is_empty() {
        "the document's top"
    } else {
        pointer
    }
}

/// The release values paths (under `/spec/values`) an operation writes or removes; `None` for an
/// operation elsewhere in the object.
pub(super) fn values_path(path: &[String]) -> Option<&[String]> {
    match path {
        [spec, values, rest @ ..] if spec == "spec" && values == "values" => Some(rest),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::source::SourceId;
    use serde_json::json;

    fn doc(text: &str) -> Node {
        crate::yaml::parse(SourceId(0), text).documents.remove(0)
    }

    fn patched(target: &str, patch: &str) -> Result<serde_json::Value, String> {
        let mut target = doc(target);
        let ops = parse(&doc(patch)).map_err(|f| f.message)?;
        apply(&mut target, &ops).map_err(|f| f.message)?;
        Ok(target.to_json())
    }

    #[test]
    fn add_replace_and_remove_follow_rfc_6902() {
        let target = "spec:\n  values:\n    cluster: {nodes: 6, replicas: 1}\n    list: [a, b]\n";
        assert_eq!(
            patched(
                target,
                "- {op: replace, path: /spec/values/cluster/nodes, value: 3}\n\
                 - {op: remove, path: /spec/values/cluster/replicas}\n\
                 - {op: add, path: /spec/values/image, value: {tag: 6.2.14}}\n\
                 - {op: add, path: /spec/values/list/1, value: x}\n\
                 - {op: add, path: /spec/values/list/-, value: z}\n\
                 - {op: remove, path: /spec/values/list/0}\n",
            ),
            Ok(json!({"spec": {"values": {
                "cluster": {"nodes": 3},
                "list": ["x", "b", "z"],
                "image": {"tag": "6.2.14"},
            }}}))
        );
    }

    #[test]
    fn pointers_unescape_tilde_and_slash() {
        let target = "spec:\n  values:\n    annotations: {}\n    a~b: 1\n";
        assert_eq!(
            patched(
                target,
                "- {op: add, path: /spec/values/annotations/example.com~1role, value: cache}\n\
                 - {op: replace, path: /spec/values/a~0b, value: 2}\n",
            ),
            Ok(json!({"spec": {"values": {"annotations": {"example.com/role": "cache"}, "a~b": 2}}}))
        );
    }

    #[test]
    fn move_copy_and_test_apply_and_a_failed_test_stops_the_patch() {
        let target = "a: {b: 1}\nc: [x]\n";
        assert_eq!(
            patched(
                target,
                "- {op: test, path: /a/b, value: 1}\n- {op: copy, from: /a/b, path: /c/-}\n\
                 - {op: move, from: /a, path: /d}\n",
            ),
            Ok(json!({"c": ["x", 1], "d": {"b": 1}}))
        );
        let failed = patched(target, "- {op: test, path: /a/b, value: 2}\n").unwrap_err();
        assert!(failed.contains("not the one tested"), "{failed}");
        let failed = patched(target, "- {op: move, from: /a, path: /a/b/c}\n").unwrap_err();
        assert!(failed.contains("into itself"), "{failed}");
    }

    #[test]
    fn an_operation_on_a_missing_path_fails_where_it_is_written() {
        let target = "spec:\n  values: {a: 1}\nlist: [x]\n";
        for (patch, says) in [
            (
                "- {op: replace, path: /spec/values/b, value: 2}\n",
                "no value is there to replace",
            ),
            (
                "- {op: remove, path: /spec/values/b}\n",
                "no value is there to remove",
            ),
            (
                "- {op: add, path: /spec/other/b, value: 2}\n",
                "the place it adds at is missing",
            ),
            (
                "- {op: add, path: /list/2, value: y}\n",
                "the place it adds at is missing",
            ),
            ("- {op: remove, path: /list/01}\n", "no value is there to remove"),
            ("- {op: remove, path: /list/-}\n", "no value is there to remove"),
        ] {
            let mut doc_ = doc(target);
            let written = doc(&format!("# patch\n{patch}"));
            let ops = parse(&written).unwrap();
            let failure = apply(&mut doc_, &ops).unwrap_err();
            assert!(failure.message.contains(says), "{patch}: {}", failure.message);
            assert_eq!(failure.span, written.as_seq().unwrap()[0].span);
        }
        for (patch, says) in [
            ("- {op: jump, path: /a}\n", "`jump` is no JSON patch operation"),
            ("- {op: add, path: a, value: 1}\n", "no JSON pointer"),
            ("- {op: add, path: /a}\n", "has no `value`"),
            ("- {op: copy, path: /a}\n", "has no `from`"),
            ("{op: add}\n", "a list of operations"),
        ] {
            let failure = parse(&doc(patch)).unwrap_err();
            assert!(failure.message.contains(says), "{patch}: {}", failure.message);
        }
    }

    #[test]
    fn a_value_a_patch_writes_keeps_its_span_in_the_patch() {
        let mut target = doc("spec:\n  values: {a: 1}\n");
        let text = "- op: add\n  path: /spec/values/b\n  value: 2\n";
        let patch = crate::yaml::parse(SourceId(7), text).documents.remove(0);
        apply(&mut target, &parse(&patch).unwrap()).unwrap();
        let entry = target.entry(&["spec", "values", "b"]).unwrap();
        assert_eq!(entry.value.span.source, SourceId(7));
        assert_eq!(&text[entry.value.span.range()], "2");
        assert_eq!(&text[entry.key_span.range()], "/spec/values/b");
    }
}
