//! The JSON Schemas acp-check checks values against: embedded in the binary, compiled once on first
//! use, never fetched. Validation errors come back as [`Violation`]s tied to the nodes (and so the
//! spans) they are about; the rules turn them into findings.

use std::sync::OnceLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{JsonType, Validator};
use serde_json::Value as Json;

use crate::tree::{pointer_segments, Entry, Node, Value};

/// One embedded schema.
pub struct Schema {
    /// The name `acp-check schema` knows it by, and its file under `schemas/`.
    pub name: &'static str,
    pub text: &'static str,
    json: Json,
    validator: Validator,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemaId {
    /// The Bitnami redis-cluster chart's values.
    RedisCluster,
    /// The platform's Redis client (`redis:` in the ACP config).
    AcpRedisClient,
    /// The platform's storage settings (`storage:` in the ACP config).
    AcpStorage,
}

impl SchemaId {
    pub const ALL: [SchemaId; 3] = [
        SchemaId::RedisCluster,
        SchemaId::AcpRedisClient,
        SchemaId::AcpStorage,
    ];

    fn source(self) -> (&'static str, &'static str) {
        match self {
            SchemaId::RedisCluster => (
                "redis-cluster",
                include_str!("../schemas/redis-cluster.schema.json"),
            ),
            SchemaId::AcpRedisClient => (
                "acp-redis-client",
                include_str!("../schemas/acp-redis-client.schema.json"),
            ),
            SchemaId::AcpStorage => ("acp-storage", include_str!("../schemas/acp-storage.schema.json")),
        }
    }

    /// The compiled schema. The embedded files are tested to compile, so failure here is a build defect.
    pub fn get(self) -> &'static Schema {
        static CELLS: [OnceLock<Schema>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
        CELLS[self as usize].get_or_init(|| {
            let (name, text) = self.source();
            let json: Json = serde_json::from_str(text).expect("embedded schema is JSON");
            let validator = jsonschema::draft202012::new(&json).expect("embedded schema compiles");
            Schema {
                name,
                text,
                json,
                validator,
            }
        })
    }
}

/// A way a value breaks its schema.
#[derive(Debug)]
pub enum Violation<'n> {
    /// A key the schema does not list; `known` are the keys allowed at that place.
    UnknownKey {
        entry: &'n Entry,
        path: Vec<String>,
        known: Vec<String>,
    },
    /// A value of the wrong type.
    Type { at: At<'n>, expected: Vec<&'static str> },
    /// A value outside the allowed set.
    Enum { at: At<'n>, options: Vec<Json> },
    /// Any other constraint (`pattern`, `minimum`, …): `rule` says it in words, without the value.
    Constraint { at: At<'n>, rule: String },
}

/// The node a violation is about, with the mapping entry holding it (when it is a mapping value)
/// and the schema's description of it.
#[derive(Debug)]
pub struct At<'n> {
    pub node: &'n Node,
    /// The path from the validated root to the node.
    pub path: Vec<String>,
    pub entry: Option<&'n Entry>,
    pub description: Option<String>,
    /// Annotations on the property's schema, e.g. `x-acp-check-duration`.
    pub schema: Option<&'static Json>,
}

impl Schema {
    pub fn validate<'n>(&'static self, root: &'n Node) -> Vec<Violation<'n>> {
        let instance = root.to_json();
        let mut out = Vec::new();
        for error in self.validator.iter_errors(&instance) {
            let segments = pointer_segments(error.instance_path().as_str());
            let Some((node, entry)) = locate(root, &segments) else {
                continue;
            };
            let schema_at = self.subschema(error.schema_path().as_str());
            let at = At {
                node,
                path: segments.clone(),
                entry,
                description: schema_at
                    .and_then(|s| s.get("description"))
                    .and_then(Json::as_str)
                    .map(str::to_string),
                schema: schema_at,
            };
            match error.kind() {
                ValidationErrorKind::AdditionalProperties { unexpected }
                | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
                    let known: Vec<String> = schema_at
                        .and_then(|s| s.get("properties"))
                        .and_then(Json::as_object)
                        .map(|p| p.keys().cloned().collect())
                        .unwrap_or_default();
                    let Some(map) = node.as_map() else { continue };
                    // A mapping may have many thousands of unknown keys: find each at once.
                    let entries: std::collections::HashMap<&str, &Entry> =
                        map.entries.iter().map(|e| (e.key.as_str(), e)).collect();
                    for key in unexpected {
                        if let Some(&entry) = entries.get(key.as_str()) {
                            let mut path = segments.clone();
                            path.push(key.clone());
                            out.push(Violation::UnknownKey {
                                entry,
                                path,
                                known: known.clone(),
                            });
                        }
                    }
                }
                ValidationErrorKind::Type { kind } => {
                    let expected = match kind {
                        TypeKind::Single(t) => vec![t.as_str()],
                        TypeKind::Multiple(set) => set.iter().map(JsonType::as_str).collect(),
                    };
                    out.push(Violation::Type { at, expected });
                }
                ValidationErrorKind::Enum { options } => {
                    let options = options.as_array().cloned().unwrap_or_default();
                    out.push(Violation::Enum { at, options });
                }
                kind => {
                    let rule = describe(kind);
                    out.push(Violation::Constraint { at, rule });
                }
            }
        }
        out
    }

    /// The schema object that holds the keyword at the end of `schema_path`, following local `$ref`s.
    fn subschema(&'static self, schema_path: &str) -> Option<&'static Json> {
        let mut segments = pointer_segments(schema_path);
        segments.pop(); // the keyword itself
        let mut at = &self.json;
        for seg in segments {
            if seg == "$ref" {
                let target = at.get("$ref")?.as_str()?.strip_prefix('#')?;
                at = self.json.pointer(target)?;
                continue;
            }
            at = match at {
                Json::Object(o) => o.get(&seg)?,
                Json::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(at)
    }

    /// The compiled schema as JSON (for `acp-check schema` and for tests).
    pub fn json(&self) -> &Json {
        &self.json
    }
}

/// Walks an instance path to the node, and the mapping entry holding it.
fn locate<'n>(root: &'n Node, segments: &[String]) -> Option<(&'n Node, Option<&'n Entry>)> {
    let mut node = root;
    let mut entry = None;
    for seg in segments {
        match &node.value {
            Value::Map(m) => {
                let e = m.entry(seg)?;
                entry = Some(e);
                node = &e.value;
            }
            Value::Seq(items) => {
                node = items.get(seg.parse::<usize>().ok()?)?;
                entry = None;
            }
            _ => return None,
        }
    }
    Some((node, entry))
}

/// A constraint in words, never quoting the value (it may be a secret).
fn describe(kind: &ValidationErrorKind) -> String {
    match kind {
        ValidationErrorKind::Pattern { pattern } => format!("must match the pattern `{pattern}`"),
        ValidationErrorKind::Minimum { limit } => format!("must be at least {limit}"),
        ValidationErrorKind::Maximum { limit } => format!("must be at most {limit}"),
        ValidationErrorKind::ExclusiveMinimum { limit } => format!("must be greater than {limit}"),
        ValidationErrorKind::ExclusiveMaximum { limit } => format!("must be less than {limit}"),
        ValidationErrorKind::MinLength { limit } => format!("must be at least {limit} characters long"),
        ValidationErrorKind::MaxLength { limit } => format!("must be at most {limit} characters long"),
        ValidationErrorKind::MinItems { limit } => format!("must have at least {limit} items"),
        ValidationErrorKind::MaxItems { limit } => format!("must have at most {limit} items"),
        ValidationErrorKind::Required { property } => format!("must set {property}"),
        ValidationErrorKind::Constant { expected_value } => format!("must be {expected_value}"),
        ValidationErrorKind::UniqueItems => "must not repeat items".into(),
        ValidationErrorKind::Format { format } => format!("must be a valid {format}"),
        ValidationErrorKind::AnyOf { .. } | ValidationErrorKind::OneOfNotValid { .. } => {
            "matches none of the allowed forms".into()
        }
        other => format!("breaks the schema's `{}` rule", other.keyword()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_schemas_are_valid_2020_12_and_compile() {
        for id in SchemaId::ALL {
            let schema = id.get();
            assert_eq!(
                schema.json()["$schema"],
                "https://json-schema.org/draft/2020-12/schema",
                "{}",
                schema.name
            );
            jsonschema::meta::validate(schema.json()).unwrap_or_else(|e| panic!("{}: {e}", schema.name));
        }
    }

    #[test]
    fn violations_point_at_nodes_with_their_paths_and_descriptions() {
        let parsed = crate::yaml::parse(
            crate::source::SourceId(0),
            "cluster:\n  nodes: six\n  replica: 1\nimage:\n  pullPolicy: Sometimes\n",
        );
        let root = &parsed.documents[0];
        let violations = SchemaId::RedisCluster.get().validate(root);
        assert_eq!(violations.len(), 3, "{violations:#?}");
        for v in &violations {
            match v {
                Violation::UnknownKey { entry, path, known } => {
                    assert_eq!(entry.key, "replica");
                    assert_eq!(path, &["cluster", "replica"]);
                    assert!(known.iter().any(|k| k == "replicas"));
                }
                Violation::Type { at, expected } => {
                    assert_eq!(at.path, ["cluster", "nodes"]);
                    assert_eq!(expected, &["integer"]);
                    assert!(at.description.is_some());
                    assert_eq!(at.node.span.range(), 18..21);
                }
                Violation::Enum { at, options } => {
                    assert_eq!(at.path, ["image", "pullPolicy"]);
                    assert_eq!(options.len(), 3);
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    }
}
