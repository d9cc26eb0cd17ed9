//! A values file or standard input: its documents, read as Helm reads a values file (Helm 4: all of
//! them, merged in order), are the release's values, and what they hold tells which chart they are
//! for.

use std::ops::Range;

use super::loader::Loader;
use crate::core::source::{SourceId, Sources, Span};
use crate::model::{empty_values, shape_of_values, Kind, Release, Shape};
use crate::tree::{Node, Value};
use crate::yaml::Helm;

/// A values file, read.
#[derive(Clone)]
pub(super) struct Values {
    id: SourceId,
    doc: Doc,
    /// The chart the values are for.
    pub(super) shape: Shape,
}

/// The values of a values file.
#[derive(Clone)]
enum Doc {
    None,
    /// One document, as an index into the documents of its piece: the release is made from a copy
    /// when the deployment is checked, so that inputs waiting for their deployment hold one.
    One(usize),
    /// Several, merged.
    Merged(Node),
}

impl Values {
    /// The values file `id`, whose documents are `loader.documents[range]`; `None` when Helm refuses
    /// it (the problem is recorded).
    pub(super) fn new(loader: &mut Loader, id: SourceId, range: Range<usize>, helm: Helm) -> Option<Values> {
        let read = loader.values_documents(id, range, helm)?;
        let doc = match read[..] {
            [] => Doc::None,
            [one] => Doc::One(one),
            _ => Doc::Merged(loader.merged(&read)?),
        };
        let shape = match &doc {
            Doc::None => Shape::Unknown,
            Doc::One(i) => shape_of_values(&loader.documents[*i].1),
            Doc::Merged(node) => shape_of_values(node),
        };
        Some(Values { id, doc, shape })
    }

    /// Its release, named after the file; `documents` are those of its piece.
    pub(super) fn release(&self, sources: &Sources, documents: &[(SourceId, Node)]) -> Release {
        let label = sources.get(self.id).name.clone();
        let doc = match &self.doc {
            Doc::None => None,
            Doc::One(i) => Some(documents[*i].1.clone()),
            Doc::Merged(node) => Some(node.clone()),
        };
        release(Kind::Values, label, self.id, doc)
    }
}

/// A release whose values are `doc`, of source `id`.
pub(super) fn release(kind: Kind, label: String, id: SourceId, doc: Option<Node>) -> Release {
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
    Release::new(kind, label, values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::source::Origin;
    use serde_json::json;

    /// A values file of `text`, with the sources and documents it was read into.
    fn read_values_as(text: &str, helm: Helm) -> (Values, Sources, Vec<(SourceId, Node)>) {
        let mut loader = Loader::new(Sources::default());
        let (id, range) = loader
            .add("prod-values.yaml".into(), Origin::File, text.as_bytes().to_vec())
            .unwrap();
        let values = Values::new(&mut loader, id, range, helm).unwrap();
        (values, loader.sources, loader.documents)
    }

    fn read_values(text: &str) -> (Values, Sources, Vec<(SourceId, Node)>) {
        read_values_as(text, Helm::V4)
    }

    #[test]
    fn every_document_merged_is_the_release_values_as_in_helm_4() {
        let text = "redis:\n  addrs: [a:6379]\n  port: 1\n---\nredis:\n  port: 2\nmore: true\n";
        let (values, sources, documents) = read_values(text);
        assert_eq!(values.shape, Shape::Acp);
        let release = values.release(&sources, &documents);
        assert_eq!(release.kind, Kind::Values);
        assert_eq!(release.label, "prod-values.yaml");
        assert_eq!(
            release.values.to_json(),
            json!({"redis": {"addrs": ["a:6379"], "port": 2}, "more": true})
        );
        assert!(release.release_name.is_none() && release.chart_name.is_none());
        // Helm 3 reads the first document only.
        let (values, sources, documents) = read_values_as(text, Helm::V3);
        let release = values.release(&sources, &documents);
        assert_eq!(
            release.values.to_json(),
            json!({"redis": {"addrs": ["a:6379"], "port": 1}})
        );
    }

    #[test]
    fn a_values_file_helm_refuses_is_its_problem() {
        for text in ["- a\n", "just a string\n", "a: 1\n---\n- b\n", "--- {a: 1}\n"] {
            let mut loader = Loader::new(Sources::default());
            let (id, range) = loader
                .add("v.yaml".into(), Origin::File, text.as_bytes().to_vec())
                .unwrap();
            assert!(
                Values::new(&mut loader, id, range, Helm::V4).is_none(),
                "{text:?}"
            );
            assert!(
                matches!(&loader.problems[..], [crate::yaml::Problem::Syntax { .. }]),
                "{text:?}"
            );
        }
    }

    #[test]
    fn the_shape_tells_the_chart() {
        assert_eq!(read_values("cluster:\n  nodes: 6\n").0.shape, Shape::RedisCluster);
        assert_eq!(read_values("acp:\n  serverURL: x\n").0.shape, Shape::Umbrella);
        assert_eq!(read_values("image: x\n").0.shape, Shape::Unknown);
        // Bitnami's redis chart (not redis-cluster), even with a `cluster` key of its own.
        let redis = "cluster:\n  enabled: true\nreplica:\n  replicaCount: 2\nauth:\n  enabled: true\n";
        assert_eq!(read_values(redis).0.shape, Shape::Unknown);
        let cluster = "usePassword: false\nauth:\n  enabled: true\nreplica: {}\n";
        assert_eq!(read_values(cluster).0.shape, Shape::RedisCluster);
        // An empty file holds no document.
        assert_eq!(read_values("").0.shape, Shape::Unknown);
    }

    #[test]
    fn no_document_gives_empty_values() {
        let (values, sources, documents) = read_values("");
        let release = values.release(&sources, &documents);
        assert_eq!(release.values.to_json(), json!({}));
        assert_eq!(release.values.span, Span::new(values.id, 0..0));
        let (values, sources, documents) = read_values("# only a comment\n---\n~\n");
        assert_eq!(values.release(&sources, &documents).values.to_json(), json!({}));
    }
}
