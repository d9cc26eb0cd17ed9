//! Reading one file or standard input into a source and its parsed documents: bounded in size,
//! decoded, parsed, its secrets marked for masking and its YAML problems recorded.

use std::ops::Range;
use std::path::Path;

use crate::core::read::{self, Limit};
use crate::core::redact::{secrets_in_comments, secrets_in_lines};
use crate::core::source::{Origin, Source, SourceId, Sources, Span};
use crate::core::Fatal;
use crate::tree::{merge, Node};
use crate::yaml::{self, Helm, Problem};

/// What has been read so far: the sources, every document parsed from them, and the problems met.
pub(super) struct Loader {
    pub(super) sources: Sources,
    /// By source, in the order read.
    pub(super) documents: Vec<(SourceId, Node)>,
    pub(super) problems: Vec<Problem>,
}

impl Loader {
    /// A loader that adds its sources to `sources`.
    pub(super) fn new(sources: Sources) -> Loader {
        Loader {
            sources,
            documents: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// Reads and parses a file: see [`Loader::add`].
    pub(super) fn read_file(&mut self, path: &Path) -> Result<Option<(SourceId, Range<usize>)>, Fatal> {
        // What `path.display()` shows, without the formatting machinery (a few hundred
        // instructions a file, on the hot path of a large tree).
        let name = path.to_string_lossy().into_owned();
        let bytes =
            read::read_file(path, Limit::VALUES).map_err(|f| Fatal(format!("{name}: {}", f.reason())))?;
        Ok(self.add(name, Origin::File, bytes))
    }

    /// Reads and parses standard input: see [`Loader::add`].
    pub(super) fn read_stdin(&mut self) -> Result<Option<(SourceId, Range<usize>)>, Fatal> {
        let bytes = read::read_stdin(Limit::VALUES).map_err(|f| Fatal(format!("<stdin>: {}", f.reason())))?;
        Ok(self.add("<stdin>".into(), Origin::Stdin, bytes))
    }

    /// Adds a source and parses it into `documents`; gives the indices of its documents there, or
    /// `None` when it cannot be read as YAML (the problem is recorded).
    pub(super) fn add(
        &mut self,
        name: String,
        origin: Origin,
        bytes: Vec<u8>,
    ) -> Option<(SourceId, Range<usize>)> {
        match yaml::decode(bytes) {
            Err((offset, message, shown)) => {
                let mut source = Source::new(name, origin, shown);
                for secret in secrets_in_lines(&source.text) {
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
                let mut parsed = yaml::parse(id, &self.sources.get(id).text);
                let source = self.sources.get_mut(id);
                mark_secrets(source, &mut parsed);
                // Comments are no values, and may still hold one (`# was: password: …`).
                for secret in secrets_in_comments(&source.text) {
                    source.redact(secret);
                }
                if parsed.failed {
                    // The parse stopped early: find secrets line by line in the rest too.
                    for secret in secrets_in_lines(&source.text) {
                        source.redact(secret);
                    }
                }
                self.problems.extend(parsed.problems);
                if parsed.failed {
                    return None;
                }
                let start = self.documents.len();
                self.documents
                    .extend(parsed.documents.into_iter().map(|doc| (id, doc)));
                Some((id, start..self.documents.len()))
            }
        }
    }

    /// The documents at `range` (of source `id`) Helm reads values from, as indices into
    /// `documents` (see `yaml::values_documents`); `None` when Helm refuses the file, whose problem
    /// is recorded.
    pub(super) fn values_documents(
        &mut self,
        id: SourceId,
        range: Range<usize>,
        helm: Helm,
    ) -> Option<Vec<usize>> {
        let text = &self.sources.get(id).text;
        match yaml::values_documents(text, id, &self.documents[range.clone()], helm) {
            Ok(read) => Some(read.into_iter().map(|i| range.start + i).collect()),
            Err(problem) => {
                self.problems.push(problem);
                None
            }
        }
    }

    /// The values of the documents at `indices`, merged in order (a copy).
    pub(super) fn merged(&self, indices: &[usize]) -> Option<Node> {
        merge::merge_documents(indices.iter().map(|&i| self.documents[i].1.clone()))
    }

    /// A copy of the first of the documents at `range`.
    pub(super) fn first(&self, range: Range<usize>) -> Option<Node> {
        self.documents[range].first().map(|(_, doc)| doc.clone())
    }
}

/// Marks in `source` what the redaction boundary masks: the secrets a parse of it found, the text
/// it hides, and the secret texts it decoded (taken from `parsed`).
pub(super) fn mark_secrets(source: &mut Source, parsed: &mut yaml::Parsed) {
    for secret in std::mem::take(&mut parsed.secrets) {
        source.redact(secret);
    }
    for range in std::mem::take(&mut parsed.hidden) {
        source.hide(range);
    }
    for secret in std::mem::take(&mut parsed.decoded) {
        source.know(secret);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::test_dir::TestDir;
    use serde_json::json;

    fn new_loader() -> Loader {
        Loader::new(Sources::default())
    }

    #[test]
    fn every_document_of_a_source_is_parsed_in_order() {
        let mut loader = new_loader();
        let (id, range) = loader
            .add("a.yaml".into(), Origin::File, b"a: 1\n---\nb: two\n".to_vec())
            .unwrap();
        assert_eq!(range, 0..2);
        assert_eq!(loader.sources.get(id).name, "a.yaml");
        let docs: Vec<_> = loader
            .documents
            .iter()
            .map(|(of, d)| (*of, d.to_json()))
            .collect();
        assert_eq!(docs, [(id, json!({"a": 1})), (id, json!({"b": "two"}))]);
        assert_eq!(loader.first(range).unwrap().to_json(), json!({"a": 1}));
        // A second source's documents follow the first's.
        let (_, range) = loader
            .add("b.yaml".into(), Origin::File, b"c: 3\n".to_vec())
            .unwrap();
        assert_eq!(range, 2..3);
        assert!(loader.problems.is_empty());
    }

    #[test]
    fn a_file_not_readable_as_yaml_gives_its_problem_and_no_documents() {
        let mut loader = new_loader();
        assert!(loader
            .add("bad.yaml".into(), Origin::File, b"a: [1, 2\n".to_vec())
            .is_none());
        assert!(loader.documents.is_empty());
        assert_eq!(
            loader.sources.len(),
            1,
            "the source is kept, to show the problem in it"
        );
        assert!(matches!(loader.problems[..], [Problem::Syntax { .. }]));

        // Not text at all: the problem is at the first byte that is not.
        let mut loader = new_loader();
        assert!(loader
            .add("nul.yaml".into(), Origin::File, b"a: 1\nb: \0\n".to_vec())
            .is_none());
        match &loader.problems[..] {
            [Problem::Syntax { span, .. }] => assert_eq!(span.range(), 8..8),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn secrets_are_marked_even_when_the_parse_stops() {
        let mut loader = new_loader();
        let (id, _) = loader
            .add("v.yaml".into(), Origin::File, b"password: hunter2\n".to_vec())
            .unwrap();
        assert_eq!(loader.sources.get(id).redacted().text, "password: ***\n");

        let mut loader = new_loader();
        let text = b"a: [\npassword: hunter2\n".to_vec();
        assert!(loader.add("v.yaml".into(), Origin::File, text).is_none());
        let shown = loader.sources.iter().next().unwrap().1.redacted().text;
        assert!(!shown.contains("hunter2"), "{shown}");
    }

    #[test]
    fn files_are_read_by_path_and_a_missing_one_is_named() {
        let dir = TestDir::new("loader");
        let path = dir.write("values.yaml", "x: 1\n");
        let mut loader = new_loader();
        let (id, range) = loader.read_file(&path).unwrap().unwrap();
        assert_eq!(loader.sources.get(id).name, path.display().to_string());
        assert_eq!(loader.first(range).unwrap().to_json(), json!({"x": 1}));

        let missing = dir.path().join("missing.yaml");
        let error = loader.read_file(&missing).unwrap_err().0;
        assert_eq!(error, format!("{}: no such file or directory", missing.display()));
    }
}
