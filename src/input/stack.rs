//! The values layers of a release that a tool builds from files and inline maps named in its own
//! file (a Kustomize `helmCharts` entry, a Helmfile release): read in order, merged as Helm merges
//! `-f` files, and a layer acp-check cannot read (missing, remote, a template) kept as an unknown
//! layer at its place, so that what a layer above it sets still counts and what one below it sets
//! may be overridden (see `model::Unknown::rank`).

use std::path::Path;

use super::loader::Loader;
use crate::core::source::{SourceId, Span, IDS_PER_INPUT};
use crate::core::Fatal;
use crate::model::{Release, Unknown};
use crate::tree::{merge, Map, Node, Value};
use crate::yaml::Helm;

/// One layer, lowest first.
pub(super) enum Layer {
    /// Values read.
    Known(Map),
    /// Values acp-check could not read: what they are, how to settle them, where they are named,
    /// and the path they set (empty: any).
    Unknown {
        what: String,
        settle: String,
        span: Option<Span>,
        path: Vec<String>,
    },
}

/// The layers of one release, lowest first.
#[derive(Default)]
pub(super) struct Stack {
    pub(super) layers: Vec<Layer>,
}

impl Stack {
    pub(super) fn known(&mut self, map: Map) {
        self.layers.push(Layer::Known(map));
    }

    pub(super) fn unknown(&mut self, what: String, settle: impl Into<String>, span: Option<Span>) {
        self.layers.push(Layer::Unknown {
            what,
            settle: settle.into(),
            span,
            path: Vec::new(),
        });
    }

    /// Merges the layers onto `release`'s values, in order. Each unknown layer ranks above the
    /// sources before it; a source met at several places ranks at its lowest (an unknown layer
    /// between two inline maps of one file may override both: no error then rests on either).
    pub(super) fn apply(self, release: &mut Release) {
        let mut ranks: Vec<(SourceId, u16)> = Vec::new();
        let mut rank: u16 = 0;
        let Value::Map(base) = &mut release.values.value else {
            return;
        };
        sources_of(base, &mut |id| note(&mut ranks, id, 0));
        for layer in self.layers {
            match layer {
                Layer::Known(map) => {
                    sources_of(&map, &mut |id| note(&mut ranks, id, rank));
                    merge::merge(base, map);
                }
                Layer::Unknown {
                    what,
                    settle,
                    span,
                    path,
                } => {
                    rank = rank.saturating_add(1).min(u16::MAX - 2);
                    release.unknown.push(Unknown {
                        what,
                        settle,
                        span,
                        path,
                        rank,
                        values_from: None,
                    });
                }
            }
        }
        if rank > 0 {
            release
                .ranks
                .extend(ranks.into_iter().filter(|(id, _)| !id.is_builtin()));
        }
    }
}

fn note(ranks: &mut Vec<(SourceId, u16)>, id: SourceId, rank: u16) {
    if !ranks.iter().any(|(known, _)| *known == id) {
        ranks.push((id, rank));
    }
}

/// Calls `found` with the source of every key and value of `map`.
fn sources_of(map: &Map, found: &mut dyn FnMut(SourceId)) {
    fn node(n: &Node, found: &mut dyn FnMut(SourceId)) {
        found(n.span.source);
        match &n.value {
            Value::Map(m) => sources_of(m, found),
            Value::Seq(items) => items.iter().for_each(|i| node(i, found)),
            _ => {}
        }
    }
    for entry in &map.entries {
        found(entry.key_span.source);
        node(&entry.value, found);
    }
}

/// Why a values file named in a tool's file could not be read, or its values.
pub(super) enum Read {
    Values(Map),
    /// Not read: why, in words that follow "… (" in a message.
    Not(String),
}

/// Whether a path names a file elsewhere than on this machine (`https://…`, `git::…`, `s3://…`).
pub(super) fn is_remote(path: &str) -> bool {
    path.contains("://") || path.starts_with("git::")
}

/// Reads the values file at `path` as Helm reads a `-f` file, into `loader` (a source of the run).
/// A file that is missing, not YAML Helm can read (its problem is reported) or beyond what one
/// input may hold is not read, and says why.
pub(super) fn read_values(loader: &mut Loader, path: &Path, helm: Helm) -> Result<Read, Fatal> {
    if loader.sources.len() + 1 >= IDS_PER_INPUT as usize {
        return Ok(Read::Not(format!(
            "acp-check reads at most {} files for one input",
            IDS_PER_INPUT - 1
        )));
    }
    if !path.is_file() {
        return Ok(Read::Not("not found".into()));
    }
    let Some((id, range)) = loader.read_file(path)? else {
        return Ok(Read::Not(
            "not YAML Helm can read: see its yaml-syntax finding".into(),
        ));
    };
    let Some(read) = loader.values_documents(id, range, helm) else {
        return Ok(Read::Not(
            "not values Helm can read: see its yaml-syntax finding".into(),
        ));
    };
    Ok(Read::Values(match loader.merged(&read) {
        Some(Node {
            value: Value::Map(map),
            ..
        }) => map,
        _ => Map::default(),
    }))
}

/// Sets the span of every key and value of `map` read from `from` to `key` (keys) and `value`
/// (values): values a tool's field gives through Helm's `--set` syntax point at that field.
pub(super) fn relocate(map: &mut Map, from: SourceId, key: Span, value: Span) {
    fn node(n: &mut Node, from: SourceId, key: Span, value: Span) {
        if n.span.source == from {
            n.span = value;
        }
        match &mut n.value {
            Value::Map(m) => relocate(m, from, key, value),
            Value::Seq(items) => items.iter_mut().for_each(|i| node(i, from, key, value)),
            _ => {}
        }
    }
    for entry in &mut map.entries {
        if entry.key_span.source == from {
            entry.key_span = key;
        }
        node(&mut entry.value, from, key, value);
    }
}

/// Mergo's `Merge` without override, as Kustomize's `valuesMerge: merge` uses it: `from` only fills
/// in what `into` lacks or holds empty (null, false, 0, "", an empty list or mapping); mappings held
/// by both merge key by key.
pub(super) fn fill(into: &mut Map, from: Map) {
    for entry in from.entries {
        match into.entries.iter_mut().find(|e| e.key == entry.key) {
            None => into.entries.push(entry),
            Some(existing) => match (&mut existing.value.value, entry.value.value) {
                (Value::Map(inner), Value::Map(more)) if !inner.entries.is_empty() => fill(inner, more),
                (held, value) if is_empty(held) => {
                    *existing = crate::tree::Entry {
                        key: entry.key,
                        key_span: entry.key_span,
                        value: Node { value, ..entry.value },
                    };
                }
                _ => {}
            },
        }
    }
}

/// Go's zero values, as mergo's `isEmptyValue` sees a value decoded from YAML.
fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Int(i) => *i == 0,
        Value::Float(f) => *f == 0.0,
        Value::Str(s) => s.is_empty(),
        Value::Seq(items) => items.is_empty(),
        Value::Map(map) => map.entries.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;
    use serde_json::json;

    fn map(id: u32, text: &str) -> Map {
        match crate::yaml::parse(SourceId(id), text).documents.remove(0).value {
            Value::Map(m) => m,
            _ => panic!("not a mapping"),
        }
    }

    #[test]
    fn layers_merge_in_order_and_an_unknown_one_ranks_above_those_before_it() {
        let mut release = Release::new(
            Kind::Values,
            "r".into(),
            crate::model::empty_values(Span::new(SourceId(0), 0..0)),
        );
        let mut stack = Stack::default();
        stack.known(map(1, "a: 1\nb: {c: 1}\n"));
        stack.unknown("missing.yaml".into(), "give it", None);
        stack.known(map(2, "b: {d: 2}\n"));
        stack.apply(&mut release);
        assert_eq!(release.values.to_json(), json!({"a": 1, "b": {"c": 1, "d": 2}}));
        assert_eq!(release.unknown.len(), 1);
        assert_eq!(release.unknown[0].rank, 1);
        assert_eq!(release.rank(SourceId(1)), 0);
        assert_eq!(release.rank(SourceId(2)), 1);
        assert!(release.unsettled(&["a"], release.rank(SourceId(1))).is_some());
        assert!(release
            .unsettled(&["b", "d"], release.rank(SourceId(2)))
            .is_none());
    }

    #[test]
    fn fill_keeps_what_is_set_and_fills_what_is_empty_as_mergo_does() {
        let mut into = map(1, "a: 1\nb: false\nc: {d: x, e: ''}\nf: []\n");
        fill(
            &mut into,
            map(2, "a: 2\nb: true\nc: {d: y, e: z, g: 1}\nf: [1]\nh: new\n"),
        );
        let node = Node::new(Value::Map(into), Span::new(SourceId(1), 0..0));
        assert_eq!(
            node.to_json(),
            json!({"a": 1, "b": true, "c": {"d": "x", "e": "z", "g": 1}, "f": [1], "h": "new"})
        );
    }
}
