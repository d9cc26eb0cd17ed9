//! The JSON Schemas acp-check checks values against. `build.rs` compiles `schemas/*.schema.json` into
//! static tables at build time, so a run neither parses nor compiles a schema; this module validates
//! the spanned tree against those tables. Violations come back tied to the nodes (and so the spans)
//! they are about; the rules turn them into findings. [`export`] writes them out for other tools.
//!
//! The validator implements the keywords the schemas use (`type`, `properties`,
//! `additionalProperties`, `items`, `enum`, `minimum`, `maximum`, `pattern`, local `$ref`) with the
//! semantics of JSON Schema 2020-12; `build.rs` refuses any other keyword. A differential test checks it
//! against the `jsonschema` crate, and the schemas themselves are meta-validated in the tests.

pub mod export;

use std::sync::OnceLock;

use regex_automata::dfa::{dense, Automaton};
use regex_automata::Input;

use crate::tree::{Entry, Node, Value};

/// A pattern's DFA, read in place from the bytes `build.rs` wrote.
type Dfa = dense::DFA<&'static [u32]>;

/// Bytes at the alignment of `u32`, as a serialized DFA must be.
#[repr(C)]
struct Aligned<B: ?Sized> {
    align: [u32; 0],
    bytes: B,
}

/// One embedded schema.
pub struct Schema {
    /// The name `acp-check schema` knows it by, and its file under `schemas/`.
    pub name: &'static str,
    /// The schema as written.
    pub text: &'static str,
    nodes: &'static [SchemaNode],
    patterns: &'static [&'static str],
    /// Per pattern: its DFA as `build.rs` serialized it, and read on first use.
    dfas: &'static [&'static [u8]],
    matchers: &'static [OnceLock<Dfa>],
}

/// One compiled (sub)schema. Index 0 of a schema's table is its root.
#[derive(Debug)]
pub struct SchemaNode {
    /// The allowed JSON types as bits (see [`TYPE_NAMES`]); 0 when the schema has no `type`.
    pub types: u8,
    /// `properties`, sorted by key: (key, node index).
    pub properties: &'static [(&'static str, u32)],
    pub additional: Additional,
    pub items: Option<u32>,
    /// A `$ref` into the same schema, checked beside this node's own keywords.
    pub reference: Option<u32>,
    pub enumeration: Option<&'static [Literal]>,
    pub minimum: Option<Limit>,
    pub maximum: Option<Limit>,
    /// An index into the schema's patterns.
    pub pattern: Option<u16>,
    pub description: Option<&'static str>,
    /// `x-acp-check-duration`: the value is a Go duration.
    pub duration: bool,
    /// `x-acp-check-expected`: what a pattern means, in words.
    pub expected: Option<&'static str>,
    /// `x-acp-check-absent-in`: the chart versions that lack this key.
    pub absent_in: &'static [&'static str],
}

impl SchemaNode {
    /// The node index of a property.
    pub fn property(&self, key: &str) -> Option<u32> {
        self.properties
            .binary_search_by(|(k, _)| (*k).cmp(key))
            .ok()
            .map(|i| self.properties[i].1)
    }
}

#[derive(Debug)]
pub enum Additional {
    Allow,
    Deny,
    Schema(u32),
}

/// A `minimum` or `maximum`, with its number as written.
#[derive(Debug)]
pub struct Limit {
    pub value: f64,
    pub text: &'static str,
}

/// An `enum` option: its JSON text and its value.
#[derive(Debug)]
pub struct Literal {
    pub json: &'static str,
    pub value: Lit,
}

#[derive(Debug)]
pub enum Lit {
    Null,
    Bool(bool),
    Num(f64),
    Str(&'static str),
}

/// JSON type names by bit, in the order messages list them.
pub const TYPE_NAMES: [&str; 7] = [
    "null", "boolean", "integer", "number", "string", "array", "object",
];

const NULL: u8 = 1;
const BOOLEAN: u8 = 1 << 1;
const INTEGER: u8 = 1 << 2;
const NUMBER: u8 = 1 << 3;
const STRING: u8 = 1 << 4;
const ARRAY: u8 = 1 << 5;
const OBJECT: u8 = 1 << 6;

include!(concat!(env!("OUT_DIR"), "/schemas.rs"));

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemaId {
    /// The Bitnami redis-cluster chart's values.
    RedisCluster,
    /// The platform's Redis client (`redis:` in the ACP config).
    AcpRedisClient,
    /// The platform's storage settings (`storage:` in the ACP config).
    AcpStorage,
}

static REDIS_CLUSTER: Schema = Schema {
    name: "redis-cluster",
    text: include_str!("../../schemas/redis-cluster.schema.json"),
    nodes: &REDIS_CLUSTER_NODES,
    patterns: &REDIS_CLUSTER_PATTERNS,
    dfas: &REDIS_CLUSTER_DFAS,
    matchers: &REDIS_CLUSTER_MATCHERS,
};
static ACP_REDIS_CLIENT: Schema = Schema {
    name: "acp-redis-client",
    text: include_str!("../../schemas/acp-redis-client.schema.json"),
    nodes: &ACP_REDIS_CLIENT_NODES,
    patterns: &ACP_REDIS_CLIENT_PATTERNS,
    dfas: &ACP_REDIS_CLIENT_DFAS,
    matchers: &ACP_REDIS_CLIENT_MATCHERS,
};
static ACP_STORAGE: Schema = Schema {
    name: "acp-storage",
    text: include_str!("../../schemas/acp-storage.schema.json"),
    nodes: &ACP_STORAGE_NODES,
    patterns: &ACP_STORAGE_PATTERNS,
    dfas: &ACP_STORAGE_DFAS,
    matchers: &ACP_STORAGE_MATCHERS,
};

impl SchemaId {
    pub const ALL: [SchemaId; 3] = [
        SchemaId::RedisCluster,
        SchemaId::AcpRedisClient,
        SchemaId::AcpStorage,
    ];

    pub fn get(self) -> &'static Schema {
        match self {
            SchemaId::RedisCluster => &REDIS_CLUSTER,
            SchemaId::AcpRedisClient => &ACP_REDIS_CLIENT,
            SchemaId::AcpStorage => &ACP_STORAGE,
        }
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
    Enum { at: At<'n>, options: &'static [Literal] },
    /// Any other constraint (`pattern`, `minimum`, …): `rule` says it in words, without the value.
    Constraint { at: At<'n>, rule: String },
}

impl Violation<'_> {
    /// The span of the value (or, for an unknown key, the key's entry value) it is about.
    pub fn node_span(&self) -> Option<crate::core::source::Span> {
        match self {
            Violation::UnknownKey { entry, .. } => Some(entry.key_span),
            Violation::Type { at, .. } | Violation::Enum { at, .. } | Violation::Constraint { at, .. } => {
                Some(at.node.span)
            }
        }
    }

    /// The JSON Schema keyword broken, and the path of the value that breaks it (for tests).
    pub fn keyword_and_path(&self) -> (&'static str, &[String]) {
        match self {
            Violation::UnknownKey { path, .. } => ("additionalProperties", &path[..path.len() - 1]),
            Violation::Type { at, .. } => ("type", &at.path),
            Violation::Enum { at, .. } => ("enum", &at.path),
            Violation::Constraint { at, rule } => {
                let keyword = if rule.starts_with("must match") {
                    "pattern"
                } else if rule.starts_with("must be at least") {
                    "minimum"
                } else {
                    "maximum"
                };
                (keyword, &at.path)
            }
        }
    }
}

/// The node a violation is about, with the mapping entry holding it (when it is a mapping value)
/// and the schema that holds the broken keyword.
#[derive(Debug)]
pub struct At<'n> {
    pub node: &'n Node,
    /// The path from the validated root to the node.
    pub path: Vec<String>,
    pub entry: Option<&'n Entry>,
    pub description: Option<String>,
    pub schema: &'static SchemaNode,
}

/// A step of the path to a node: kept borrowed until a violation needs it as text.
#[derive(Clone, Copy)]
enum Step<'n> {
    Key(&'n str),
    Index(usize),
}

fn owned(path: &[Step]) -> Vec<String> {
    path.iter()
        .map(|s| match s {
            Step::Key(k) => (*k).to_string(),
            Step::Index(i) => i.to_string(),
        })
        .collect()
}

impl Schema {
    /// The root of the compiled schema.
    pub fn root(&'static self) -> &'static SchemaNode {
        &self.nodes[0]
    }

    pub fn node(&'static self, index: u32) -> &'static SchemaNode {
        &self.nodes[index as usize]
    }

    pub fn validate<'n>(&'static self, root: &'n Node) -> Vec<Violation<'n>> {
        let mut out = Vec::new();
        self.check(0, root, None, &mut Vec::new(), &mut out);
        out
    }

    /// The DFA of a pattern, read (not copied) on first use.
    fn matcher(&'static self, index: u16) -> &'static Dfa {
        let i = usize::from(index);
        self.matchers[i].get_or_init(|| {
            // Tested to load (`every_pattern_matches_as_the_regex_crate_does`).
            dense::DFA::from_bytes(self.dfas[i]).expect("embedded DFA").0
        })
    }

    /// Whether `text` has a match of the pattern: `None` if the search could not tell (it cannot,
    /// for a DFA built without quit bytes).
    fn matches(&'static self, pattern: u16, text: &str) -> Option<bool> {
        let found = self
            .matcher(pattern)
            .try_search_fwd(&Input::new(text).earliest(true));
        found.ok().map(|m| m.is_some())
    }

    /// Checks `node` against schema node `index`, keyword by keyword in the order the `jsonschema`
    /// crate checks them (type, enum, numbers, pattern, then the children, then `$ref`), so that
    /// the first violation of a value is the same.
    fn check<'n>(
        &'static self,
        index: u32,
        node: &'n Node,
        entry: Option<&'n Entry>,
        path: &mut Vec<Step<'n>>,
        out: &mut Vec<Violation<'n>>,
    ) {
        let schema = self.node(index);
        let at = |path: &[Step]| At {
            node,
            path: owned(path),
            entry,
            description: schema.description.map(str::to_string),
            schema,
        };
        if schema.types != 0 && schema.types & type_bits(node) == 0 {
            let expected = TYPE_NAMES
                .iter()
                .enumerate()
                .filter(|(bit, _)| schema.types & (1 << bit) != 0)
                .map(|(_, name)| *name)
                .collect();
            out.push(Violation::Type {
                at: at(path),
                expected,
            });
        }
        let number = number(node);
        if let Some(options) = schema.enumeration {
            if !options.iter().any(|o| equals(node, number, &o.value)) {
                out.push(Violation::Enum {
                    at: at(path),
                    options,
                });
            }
        }
        if let (Some(limit), Some(n)) = (&schema.minimum, number) {
            if n.below(limit.value) {
                let rule = format!("must be at least {}", limit.text);
                out.push(Violation::Constraint { at: at(path), rule });
            }
        }
        if let (Some(limit), Some(n)) = (&schema.maximum, number) {
            if n.above(limit.value) {
                let rule = format!("must be at most {}", limit.text);
                out.push(Violation::Constraint { at: at(path), rule });
            }
        }
        if let (Some(pattern), Value::Str(s)) = (schema.pattern, &node.value) {
            if self.matches(pattern, s) == Some(false) {
                let rule = format!("must match the pattern `{}`", self.patterns[usize::from(pattern)]);
                out.push(Violation::Constraint { at: at(path), rule });
            }
        }
        if let Value::Map(map) = &node.value {
            let mut unknown = Vec::new();
            for e in &map.entries {
                let sub = match (schema.property(&e.key), &schema.additional) {
                    (Some(sub), _) | (None, &Additional::Schema(sub)) => sub,
                    (None, Additional::Allow) => continue,
                    (None, Additional::Deny) => {
                        unknown.push(e);
                        continue;
                    }
                };
                path.push(Step::Key(&e.key));
                self.check(sub, &e.value, Some(e), path, out);
                path.pop();
            }
            if !unknown.is_empty() {
                let known: Vec<String> = schema.properties.iter().map(|(k, _)| k.to_string()).collect();
                for e in unknown {
                    path.push(Step::Key(&e.key));
                    out.push(Violation::UnknownKey {
                        entry: e,
                        path: owned(path),
                        known: known.clone(),
                    });
                    path.pop();
                }
            }
        }
        if let (Some(sub), Value::Seq(items)) = (schema.items, &node.value) {
            for (i, item) in items.iter().enumerate() {
                path.push(Step::Index(i));
                self.check(sub, item, None, path, out);
                path.pop();
            }
        }
        if let Some(target) = schema.reference {
            self.check(target, node, entry, path, out);
        }
    }
}

/// A number as JSON Schema sees it: YAML's `.nan` and `.inf` have no JSON form and count as null,
/// as they do when the values are turned into JSON.
#[derive(Clone, Copy)]
enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }

    fn below(self, limit: f64) -> bool {
        match self {
            // Exact for every integer limit an i64 can hold.
            Num::Int(i) if limit.fract() == 0.0 && limit.abs() < 9.2e18 => i < limit as i64,
            n => n.as_f64() < limit,
        }
    }

    fn above(self, limit: f64) -> bool {
        match self {
            Num::Int(i) if limit.fract() == 0.0 && limit.abs() < 9.2e18 => i > limit as i64,
            n => n.as_f64() > limit,
        }
    }
}

fn number(node: &Node) -> Option<Num> {
    match node.value {
        Value::Int(i) => Some(Num::Int(i)),
        Value::Float(f) if f.is_finite() => Some(Num::Float(f)),
        _ => None,
    }
}

/// The JSON types a value belongs to: an integer is a number too, and so is `2.0` an integer.
fn type_bits(node: &Node) -> u8 {
    match &node.value {
        Value::Int(_) => INTEGER | NUMBER,
        Value::Float(f) if !f.is_finite() => NULL,
        Value::Float(f) if f.fract() == 0.0 => INTEGER | NUMBER,
        Value::Float(_) => NUMBER,
        Value::Null => NULL,
        Value::Bool(_) => BOOLEAN,
        Value::Str(_) => STRING,
        Value::Seq(_) => ARRAY,
        Value::Map(_) => OBJECT,
    }
}

/// JSON equality of a value and an `enum` option (numbers compare by value).
fn equals(node: &Node, number: Option<Num>, option: &Lit) -> bool {
    match (option, &node.value) {
        (Lit::Null, Value::Null) => true,
        (Lit::Null, Value::Float(_)) => number.is_none(),
        (Lit::Bool(a), Value::Bool(b)) => a == b,
        (Lit::Str(a), Value::Str(b)) => a == b,
        (Lit::Num(a), _) => number.is_some_and(|n| n.as_f64() == *a),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::source::{SourceId, Span};
    use serde_json::{json, Value as Json};

    fn parsed(schema: &Schema) -> Json {
        serde_json::from_str(schema.text).expect("embedded schema is JSON")
    }

    #[test]
    fn embedded_schemas_are_valid_2020_12() {
        for id in SchemaId::ALL {
            let schema = id.get();
            let json = parsed(schema);
            assert_eq!(
                json["$schema"], "https://json-schema.org/draft/2020-12/schema",
                "{}",
                schema.name
            );
            jsonschema::meta::validate(&json).unwrap_or_else(|e| panic!("{}: {e}", schema.name));
        }
    }

    /// The DFAs `build.rs` made give what the patterns mean to the `regex` crate, Unicode included.
    #[test]
    fn every_pattern_matches_as_the_regex_crate_does() {
        let texts = [
            "",
            "x",
            "0",
            "6379",
            "10%",
            "10%%",
            "%",
            "32ms",
            "1.5s",
            "1h2m",
            "-0",
            "+1s",
            ".5s",
            "1.s",
            "5µs",
            "5μs",
            "5us",
            "1d",
            "redis:6379",
            "redis:0",
            "redis:65535",
            "redis:65536",
            "redis:06379",
            "[::1]:6379",
            "[::1%eth0]:1",
            "[::1]",
            "a b:1",
            "a\tb:1",
            "a\u{a0}b:1",
            "a\u{2028}b:1",
            "a\u{3000}b:1",
            "a\u{feff}b:1",
            "ä:1",
            "rédis.example:6380",
            "a/b:1",
            "u@h:1",
            "h:1\n",
            "\nh:1",
            "h::1",
            "[fe80::1%25en0]:6379",
            "redis-cluster-headless:6379",
        ];
        let mut checked = 0;
        for id in SchemaId::ALL {
            let schema = id.get();
            for (i, pattern) in schema.patterns.iter().enumerate() {
                let regex = regex::Regex::new(pattern).unwrap();
                for text in texts {
                    let expected = regex.is_match(text);
                    assert_eq!(
                        schema.matches(i as u16, text),
                        Some(expected),
                        "{pattern:?} on {text:?}"
                    );
                    checked += usize::from(expected);
                }
            }
        }
        assert!(checked > 10, "{checked} matches among the texts");
    }

    fn node(json: &Json) -> Node {
        let span = Span::new(SourceId(0), 0..0);
        let value = match json {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap()),
            },
            Json::String(s) => Value::Str(s.clone()),
            Json::Array(items) => Value::Seq(items.iter().map(node).collect()),
            Json::Object(map) => Value::Map(crate::tree::Map {
                entries: map
                    .iter()
                    .map(|(k, v)| Entry {
                        key: k.clone(),
                        key_span: span,
                        value: node(v),
                    })
                    .collect(),
            }),
        };
        Node::new(value, span)
    }

    /// Every (path, keyword) the `jsonschema` crate reports, one per unexpected key, in its order.
    fn reference(validator: &jsonschema::Validator, instance: &Json) -> Vec<(Vec<String>, String)> {
        let mut out = Vec::new();
        for e in validator.iter_errors(instance) {
            let path = crate::tree::pointer_segments(e.instance_path().as_str());
            match e.kind() {
                jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } => {
                    for _ in unexpected {
                        out.push((path.clone(), "additionalProperties".to_string()));
                    }
                }
                kind => out.push((path, kind.keyword().to_string())),
            }
        }
        out
    }

    fn ours(schema: &'static Schema, root: &Node) -> Vec<(Vec<String>, String)> {
        schema
            .validate(root)
            .iter()
            .map(|v| {
                let (keyword, path) = v.keyword_and_path();
                (path.to_vec(), keyword.to_string())
            })
            .collect()
    }

    /// Same violations as the `jsonschema` crate, and for each value the same first one (the rule
    /// reports one finding per value: the first).
    fn assert_same(schema: &'static Schema, validator: &jsonschema::Validator, root: &Node, what: &str) {
        let mut expected = reference(validator, &root.to_json());
        let mut found = ours(schema, root);
        let first = |list: &[(Vec<String>, String)]| {
            let mut firsts: Vec<(Vec<String>, String)> = Vec::new();
            for (path, keyword) in list {
                if keyword != "additionalProperties" && !firsts.iter().any(|(p, _)| p == path) {
                    firsts.push((path.clone(), keyword.clone()));
                }
            }
            firsts.sort();
            firsts
        };
        assert_eq!(
            first(&found),
            first(&expected),
            "{}: first per value, {what}",
            schema.name
        );
        expected.sort();
        found.sort();
        assert_eq!(found, expected, "{}: {what}", schema.name);
    }

    /// Paths to every subschema, with the schema node there.
    fn paths(schema: &'static Schema, index: u32, path: &mut Vec<Json>, out: &mut Vec<(Vec<Json>, u32)>) {
        if out.len() > 5000 || path.len() > 12 {
            return;
        }
        out.push((path.clone(), index));
        let node = schema.node(index);
        if let Some(target) = node.reference {
            paths(schema, target, path, out);
        }
        for (key, sub) in node.properties {
            path.push(json!(key));
            paths(schema, *sub, path, out);
            path.pop();
        }
        if let Additional::Schema(sub) = node.additional {
            path.push(json!("someName"));
            paths(schema, sub, path, out);
            path.pop();
        }
        if let Some(sub) = node.items {
            path.push(json!(0));
            paths(schema, sub, path, out);
            path.pop();
        }
    }

    /// An instance with `value` at `path` (a number in the path is a list index).
    fn at(path: &[Json], value: Json) -> Json {
        match path.split_first() {
            None => value,
            Some((Json::Number(_), rest)) => json!([at(rest, value)]),
            Some((key, rest)) => json!({ key.as_str().unwrap(): at(rest, value) }),
        }
    }

    #[test]
    fn every_keyword_agrees_with_the_jsonschema_crate() {
        let values = [
            json!(null),
            json!(true),
            json!(false),
            json!(0),
            json!(1),
            json!(-1),
            json!(-2),
            json!(6),
            json!(65536),
            json!(2.0),
            json!(2.5),
            json!(-0.5),
            json!(""),
            json!("x"),
            json!("yes"),
            json!("6379"),
            json!("10%"),
            json!("10%%"),
            json!("32"),
            json!("32ms"),
            json!("1.5s"),
            json!("1h2m"),
            json!("-0"),
            json!("5µs"),
            json!("redis:6379"),
            json!("redis:0"),
            json!("redis:65536"),
            json!("[::1]:6379"),
            json!("[::1%eth0]:1"),
            json!("a b:1"),
            json!([]),
            json!([1, "a"]),
            json!({}),
            json!({"bogusKey": 1}),
        ];
        let mut checked = 0;
        for id in SchemaId::ALL {
            let schema = id.get();
            let validator = jsonschema::draft202012::new(&parsed(schema)).unwrap();
            let mut all = Vec::new();
            paths(schema, 0, &mut Vec::new(), &mut all);
            for (path, index) in &all {
                let node_schema = schema.node(*index);
                let options = node_schema.enumeration.unwrap_or_default().iter();
                let enum_values = options.map(|o| serde_json::from_str::<Json>(o.json).unwrap());
                for value in values.iter().cloned().chain(enum_values) {
                    let instance = at(path, value);
                    assert_same(schema, &validator, &node(&instance), &instance.to_string());
                    checked += 1;
                }
            }
            // YAML's .nan and .inf have no JSON form: null to both validators.
            for f in [f64::NAN, f64::INFINITY] {
                let root = Node::new(Value::Float(f), Span::new(SourceId(0), 0..0));
                assert_same(schema, &validator, &root, "a non-finite float");
            }
        }
        assert!(checked > 10_000, "{checked} instances");
    }

    #[test]
    fn real_files_give_the_same_violations_as_the_jsonschema_crate() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = vec![root.join("examples/values.yaml")];
        // The upstream values files, when the shared reference folder is beside the checkout.
        let mut dirs = vec![root.join("fixtures"), root.join("../shared/reference")];
        while let Some(dir) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "yaml") {
                    files.push(path);
                }
            }
        }
        let validators: Vec<jsonschema::Validator> = SchemaId::ALL
            .iter()
            .map(|id| jsonschema::draft202012::new(&parsed(id.get())).unwrap())
            .collect();
        let mut sections = 0;
        for file in files {
            let options = crate::input::Options {
                inputs: vec![file.to_string_lossy().into_owned()],
                ..Default::default()
            };
            let Ok(loaded) = crate::input::load(&options) else {
                continue;
            };
            for release in &loaded.deployment.releases {
                let name = file.display().to_string();
                if let Some(cluster) = release.redis_cluster() {
                    let schema = SchemaId::RedisCluster.get();
                    assert_same(schema, &validators[0], cluster.root, &name);
                    sections += 1;
                }
                if let Some(platform) = release.platform() {
                    if let Some(client) = platform.redis_client() {
                        assert_same(SchemaId::AcpRedisClient.get(), &validators[1], client.node, &name);
                        sections += 1;
                    }
                    if let Some(storage) = platform.storage() {
                        assert_same(SchemaId::AcpStorage.get(), &validators[2], storage, &name);
                        sections += 1;
                    }
                }
            }
        }
        assert!(sections > 50, "{sections} sections");
    }

    #[test]
    fn violations_point_at_nodes_with_their_paths_and_descriptions() {
        let parsed = crate::yaml::parse(
            crate::core::source::SourceId(0),
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
                    assert!(at.schema.description.is_some());
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
