//! Helm's merge of values layers, keeping each value's provenance (the span it was written at).

use crate::tree::{KeyIndex, Map, Node, Value};

/// Merges `overlay` onto `base` as Helm merges `-f` files (and as an overlay patch merges two
/// HelmRelease documents): mappings merge key by key, recursively; anything else, lists included,
/// is replaced whole by the later value. A `null` is kept here and removed by [`drop_nulls`].
pub fn merge(base: &mut Map, overlay: Map) {
    let mut index = KeyIndex::of(&base.entries);
    for entry in overlay.entries {
        match index
            .find(&base.entries, &entry.key)
            .map(|i| &mut base.entries[i])
        {
            Some(existing) => match (&mut existing.value.value, entry.value.value) {
                (Value::Map(into), Value::Map(from)) => {
                    merge(into, from);
                    existing.key_span = entry.key_span;
                }
                (_, value) => {
                    *existing = crate::tree::Entry {
                        key: entry.key,
                        key_span: entry.key_span,
                        value: Node { value, ..entry.value },
                    };
                }
            },
            None => {
                base.entries.push(entry);
                index.added(&base.entries);
            }
        }
    }
}

/// The documents of a values file merged in order, as Helm 4's `loader.LoadValues` merges them
/// (with `loader.MergeMaps`, which is [`merge`]): the first mapping, with the others merged onto it;
/// `None` for none. What is no mapping is skipped (see `yaml::values_documents`).
pub fn merge_documents(documents: impl IntoIterator<Item = Node>) -> Option<Node> {
    let mut documents = documents.into_iter().filter(|d| matches!(d.value, Value::Map(_)));
    let mut first = documents.next()?;
    if let Value::Map(base) = &mut first.value {
        merge_all(
            base,
            documents.filter_map(|d| match d.value {
                Value::Map(m) => Some(m),
                _ => None,
            }),
        );
    }
    Some(first)
}

/// Merges `overlays` onto `base` one after another, exactly as [`merge`] would merge each in turn,
/// in time linear in their size: the key index of each of `base`'s mappings is made once and kept
/// from one overlay to the next. (Merging each with [`merge`] indexes anew every mapping it
/// touches: 40,000 overlay patches of one HelmRelease, each adding a key, took 40,000 times the
/// size of the mapping they grow.)
pub fn merge_all(base: &mut Map, overlays: impl IntoIterator<Item = Map>) {
    let mut indexed = Indexed::default();
    for overlay in overlays {
        indexed.merge(base, overlay);
    }
}

/// The key index of a mapping, made when first needed, and those of the mappings it holds, by
/// the position of their entry.
#[derive(Default)]
struct Indexed {
    keys: Option<KeyIndex>,
    inner: std::collections::HashMap<usize, Indexed>,
}

impl Indexed {
    fn merge(&mut self, base: &mut Map, overlay: Map) {
        let Indexed { keys, inner } = self;
        let keys = keys.get_or_insert_with(|| KeyIndex::of(&base.entries));
        for entry in overlay.entries {
            match keys.find(&base.entries, &entry.key) {
                Some(i) => {
                    let existing = &mut base.entries[i];
                    match (&mut existing.value.value, entry.value.value) {
                        (Value::Map(into), Value::Map(from)) => {
                            inner.entry(i).or_default().merge(into, from);
                            existing.key_span = entry.key_span;
                        }
                        (_, value) => {
                            *existing = crate::tree::Entry {
                                key: entry.key,
                                key_span: entry.key_span,
                                value: Node { value, ..entry.value },
                            };
                            // What was indexed there is gone.
                            inner.remove(&i);
                        }
                    }
                }
                None => {
                    base.entries.push(entry);
                    keys.added(&base.entries);
                }
            }
        }
    }
}

/// Removes keys whose value is `null`, at every depth of mappings: Helm deletes a key set to null
/// when it coalesces the merged values with the chart's defaults.
pub fn drop_nulls(map: &mut Map) {
    map.entries.retain(|e| !matches!(e.value.value, Value::Null));
    for entry in &mut map.entries {
        if let Value::Map(inner) = &mut entry.value.value {
            drop_nulls(inner);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::source::SourceId;
    use crate::yaml;

    fn map(source: u32, text: &str) -> Map {
        let parsed = yaml::parse(SourceId(source), text);
        assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        match parsed.documents.into_iter().next().map(|n| n.value) {
            Some(Value::Map(m)) => m,
            _ => Map::default(),
        }
    }

    #[test]
    fn maps_merge_deeply_lists_are_replaced_nulls_delete() {
        let mut base = map(0, "a:\n  x: 1\n  w: 2\nlist: [1, 2, 3]\ngone: {k: v}\nkeep: 1\n");
        merge(&mut base, map(1, "a:\n  w: 3\n  z: 4\nlist: [9]\ngone: null\n"));
        drop_nulls(&mut base);
        let root = Node::new(
            Value::Map(base),
            crate::core::source::Span::new(SourceId(0), 0..0),
        );
        assert_eq!(root.get(&["a", "x"]).unwrap().value, Value::Int(1));
        assert_eq!(root.get(&["a", "w"]).unwrap().value, Value::Int(3));
        assert_eq!(root.get(&["a", "z"]).unwrap().value, Value::Int(4));
        assert_eq!(root.get(&["list"]).unwrap().as_seq().unwrap().len(), 1);
        assert!(root.get(&["gone"]).is_none());
        // Provenance: the overriding value points into the second layer.
        assert_eq!(root.get(&["a", "w"]).unwrap().span.source, SourceId(1));
        assert_eq!(root.get(&["a", "x"]).unwrap().span.source, SourceId(0));
    }

    #[test]
    fn merging_all_at_once_is_merging_one_after_another() {
        let layers = [
            "a: {x: 1, y: 2}\nb: 1\nc: {d: {e: 1}}\n",
            "a: {y: 3, z: 4}\nb: {now: map}\nc: 2\n",
            "b: {more: 1}\nc: {d: {f: 2}}\nlist: [1]\n",
            "a: null\nb: {now: again}\nc: {d: {e: 5}}\n",
        ];
        // Mappings of more than 16 keys are indexed by hash: grow one past that, key by key.
        let mut many: Vec<String> = (0..40)
            .map(|i| format!("big: {{k{i}: {i}, r{}: {i}}}\n", i / 2))
            .collect();
        // Replaced by a scalar, then by a mapping again: the old index must not be used.
        many.extend(["big: 1\n", "big: {k39: a, k1: b}\n", "big: {k1: c, k39: d}\n"].map(String::from));
        for texts in [layers.map(String::from).to_vec(), many] {
            let maps = || texts.iter().enumerate().map(|(i, t)| map(i as u32, t));
            let mut one_by_one = Map::default();
            maps().for_each(|m| merge(&mut one_by_one, m));
            let mut all = Map::default();
            merge_all(&mut all, maps());
            assert_eq!(all, one_by_one);
        }
    }

    #[test]
    fn a_map_replaces_a_scalar_and_the_reverse() {
        let mut base = map(0, "a: 1\nb: {c: 1}\n");
        merge(&mut base, map(1, "a: {x: 1}\nb: 2\n"));
        let root = Node::new(
            Value::Map(base),
            crate::core::source::Span::new(SourceId(0), 0..0),
        );
        assert!(root.get(&["a", "x"]).is_some());
        assert_eq!(root.get(&["b"]).unwrap().value, Value::Int(2));
    }
}
