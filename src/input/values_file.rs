//! A values file or standard input: its first document is the release's values, and what it holds
//! tells which chart they are for.

use std::ops::Range;

use crate::core::source::{SourceId, Sources, Span};
use crate::model::{empty_values, shape_of_values, Kind, Release, Shape};
use crate::tree::{Node, Value};

/// A values file, read.
pub(super) struct Values {
    id: SourceId,
    /// Its first document, as an index into the documents of its piece: the release is made from a
    /// copy when the deployment is checked, so that inputs waiting for their deployment hold one.
    doc: Option<usize>,
    /// The chart the values are for.
    pub(super) shape: Shape,
}

impl Values {
    /// The values file `id`, whose documents are `documents[range]`.
    pub(super) fn new(id: SourceId, documents: &[(SourceId, Node)], range: Range<usize>) -> Values {
        let doc = (!range.is_empty()).then_some(range.start);
        let shape = doc.map_or(Shape::Unknown, |i| shape_of_values(&documents[i].1));
        Values { id, doc, shape }
    }

    /// Its release, named after the file; `documents` are those of its piece.
    pub(super) fn release(&self, sources: &Sources, documents: &[(SourceId, Node)]) -> Release {
        let label = sources.get(self.id).name.clone();
        let doc = self.doc.map(|i| documents[i].1.clone());
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
    use crate::core::source::{Origin, Source};
    use crate::yaml;
    use serde_json::json;

    /// A values file of `text`, with the sources and documents it was read into.
    fn read_values(text: &str) -> (Values, Sources, Vec<(SourceId, Node)>) {
        let mut sources = Sources::default();
        let id = sources.add(Source::new("prod-values.yaml".into(), Origin::File, text.into()));
        let documents: Vec<_> = yaml::parse(id, text)
            .documents
            .into_iter()
            .map(|d| (id, d))
            .collect();
        (
            Values::new(id, &documents, 0..documents.len()),
            sources,
            documents,
        )
    }

    #[test]
    fn the_first_document_is_the_release_values() {
        let (values, sources, documents) = read_values("redis:\n  addrs: [a:6379]\n---\nignored: true\n");
        assert_eq!(values.shape, Shape::Acp);
        let release = values.release(&sources, &documents);
        assert_eq!(release.kind, Kind::Values);
        assert_eq!(release.label, "prod-values.yaml");
        assert_eq!(release.values.to_json(), json!({"redis": {"addrs": ["a:6379"]}}));
        assert!(release.release_name.is_none() && release.chart_name.is_none());
    }

    #[test]
    fn the_shape_tells_the_chart() {
        assert_eq!(read_values("cluster:\n  nodes: 6\n").0.shape, Shape::RedisCluster);
        assert_eq!(read_values("acp:\n  serverURL: x\n").0.shape, Shape::Umbrella);
        assert_eq!(read_values("image: x\n").0.shape, Shape::Unknown);
        // An empty file holds no document.
        assert_eq!(read_values("").0.shape, Shape::Unknown);
    }

    #[test]
    fn no_document_or_a_scalar_gives_empty_values() {
        let (values, sources, documents) = read_values("");
        let release = values.release(&sources, &documents);
        assert_eq!(release.values.to_json(), json!({}));
        assert_eq!(release.values.span, Span::new(values.id, 0..0));

        let (values, sources, documents) = read_values("just a string\n");
        let release = values.release(&sources, &documents);
        assert_eq!(release.values.to_json(), json!({}));
        assert_eq!(
            release.values.span, documents[0].1.span,
            "the scalar's span, to point at it"
        );
    }
}
