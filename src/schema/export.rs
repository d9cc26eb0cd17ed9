//! `acp-check schema`: the embedded schemas as they are, and a `values.schema.json` for a chart, which
//! Helm enforces at install and editors use for completion and hover docs.
//!
//! A `values.schema.json` is JSON Schema draft-07, the draft every Helm 3 release reads (Helm 3.18+
//! reads later drafts too). It keeps what the embedded schemas say of values: types, allowed values,
//! ranges, patterns and descriptions. It leaves objects open: an unknown key is a warning of
//! `acp-check lint` (the redis-cluster key lists cover two chart versions, the platform's are not
//! public, and Helm copies `global` into every subchart), and Helm must not refuse an install for it.

use serde_json::{json, Map, Value};

use crate::schema::SchemaId;

/// A chart a `values.schema.json` is written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chart {
    /// The umbrella chart: the platform under `acp`, the Bitnami chart under `redis-cluster`.
    KubeAcpStack,
    /// The platform's chart alone.
    Acp,
    /// The Bitnami redis-cluster chart alone.
    RedisCluster,
}

impl Chart {
    pub fn name(self) -> &'static str {
        match self {
            Chart::KubeAcpStack => "kube-acp-stack",
            Chart::Acp => "acp",
            Chart::RedisCluster => "redis-cluster",
        }
    }
}

fn json_of(id: SchemaId) -> Value {
    serde_json::from_str(id.get().text).expect("embedded schema is JSON")
}

/// `acp-check schema` without a section: what each embedded schema covers.
pub fn list() -> String {
    let mut out = String::from("Embedded schemas (print one with `acp-check schema SECTION`):\n\n");
    for id in SchemaId::ALL {
        let json = json_of(id);
        let title = json["title"].as_str().unwrap_or_default();
        out.push_str(&format!("  {:<18}{title}\n", id.get().name));
    }
    out.push_str(
        "\n`acp-check schema --values-schema` writes a values.schema.json for the kube-acp-stack chart\n\
         (`--values-schema=acp` or `--values-schema=redis-cluster` for those charts).\n",
    );
    out
}

/// The `values.schema.json` of a chart, pretty-printed.
pub fn values_schema(chart: Chart) -> String {
    let client = open(&json_of(SchemaId::AcpRedisClient));
    let storage = open(&json_of(SchemaId::AcpStorage));
    let cluster = open(&json_of(SchemaId::RedisCluster));
    let mut definitions = Map::new();
    let client_json = json_of(SchemaId::AcpRedisClient);
    if let Some(defs) = client_json["$defs"].as_object() {
        for (name, def) in defs {
            definitions.insert(name.clone(), open(def));
        }
    }
    let client_ref = json!({"$ref": "#/definitions/acp-redis-client"});
    let storage_ref = json!({"$ref": "#/definitions/acp-storage"});
    // The platform's chart renders `redis`, `config.data` and `secretConfig.data` into its config
    // files; the Redis client is the merge of the three, and storage only comes through the last two.
    let data = json!({"properties": {"redis": client_ref, "storage": storage_ref}});
    let acp = json!({
        "description": "Values of the acp chart (the platform). acp-check checks its Redis client (`redis`, `config.data.redis`, `secretConfig.data.redis`) and its storage settings (`config.data.storage`, `secretConfig.data.storage`).",
        "type": "object",
        "properties": {
            "redis": client_ref,
            "config": {"properties": {"data": data}},
            "secretConfig": {"properties": {"data": data}},
        },
    });
    let generated = format!(
        "Written by acp-check {} (`acp-check schema --values-schema{}`): types, allowed values and ranges of the Redis settings; other keys are left to `acp-check lint`.",
        env!("CARGO_PKG_VERSION"),
        match chart {
            Chart::KubeAcpStack => String::new(),
            other => format!("={}", other.name()),
        }
    );
    let mut root = match chart {
        Chart::KubeAcpStack => {
            definitions.insert("acp-redis-client".into(), client);
            definitions.insert("acp-storage".into(), storage);
            definitions.insert("acp".into(), acp);
            definitions.insert("redis-cluster".into(), cluster);
            json!({
                "title": "kube-acp-stack values",
                "type": "object",
                "properties": {
                    "acp": {"$ref": "#/definitions/acp"},
                    "redis-cluster": {"$ref": "#/definitions/redis-cluster"},
                },
            })
        }
        Chart::Acp => {
            definitions.insert("acp-redis-client".into(), client);
            definitions.insert("acp-storage".into(), storage);
            let mut root = acp;
            root["title"] = json!("acp chart values");
            root
        }
        Chart::RedisCluster => cluster,
    };
    let root_map = root.as_object_mut().expect("a schema is an object");
    root_map.insert("description".into(), json!(generated));
    root_map.insert("$schema".into(), json!("http://json-schema.org/draft-07/schema#"));
    if !definitions.is_empty() {
        root_map.insert("definitions".into(), Value::Object(definitions));
    }
    let mut text = serde_json::to_string_pretty(&root).expect("plain data serializes");
    text.push('\n');
    text
}

/// A schema as Helm should enforce it: closed objects opened, acp-check's own annotations and
/// identifiers dropped, `$defs` references pointed at draft-07's `definitions`.
fn open(schema: &Value) -> Value {
    let Value::Object(map) = schema else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (key, value) in map {
        let value = match key.as_str() {
            "$schema" | "$id" | "$defs" => continue,
            k if k.starts_with("x-acp-check") => continue,
            "additionalProperties" if value == &Value::Bool(false) => continue,
            "properties" | "patternProperties" => Value::Object(
                value
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(name, s)| (name.clone(), open(s)))
                    .collect(),
            ),
            "items" | "additionalProperties" | "not" => open(value),
            "anyOf" | "oneOf" | "allOf" => {
                Value::Array(value.as_array().into_iter().flatten().map(open).collect())
            }
            "$ref" => json!(value
                .as_str()
                .unwrap_or_default()
                .replace("#/$defs/", "#/definitions/")),
            _ => value.clone(),
        };
        out.insert(key.clone(), value);
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk<'a>(v: &'a Value, out: &mut Vec<(String, &'a Value)>, at: &str) {
        match v {
            Value::Object(m) => m.iter().for_each(|(k, v)| {
                out.push((k.clone(), v));
                walk(v, out, &format!("{at}/{k}"));
            }),
            Value::Array(a) => a.iter().for_each(|v| walk(v, out, at)),
            _ => {}
        }
    }

    #[test]
    fn draft_07_open_objects_and_no_acp_check_annotations() {
        for chart in [Chart::KubeAcpStack, Chart::Acp, Chart::RedisCluster] {
            let schema: Value = serde_json::from_str(&values_schema(chart)).unwrap();
            assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
            let mut all = Vec::new();
            walk(&schema, &mut all, "");
            for (key, value) in all {
                assert!(!key.starts_with("x-acp-check"), "{chart:?}: {key} left in");
                assert!(key != "$defs" && key != "$id", "{chart:?}: {key} left in");
                if key == "additionalProperties" {
                    assert_ne!(value, &Value::Bool(false), "{chart:?}: a closed object");
                }
                if key == "$ref" {
                    let target = value.as_str().unwrap();
                    let name = target.strip_prefix("#/definitions/").unwrap();
                    assert!(
                        schema["definitions"].get(name).is_some(),
                        "{chart:?}: {target} dangles"
                    );
                }
            }
        }
    }

    #[test]
    fn the_umbrella_holds_both_charts_and_keeps_types() {
        let schema: Value = serde_json::from_str(&values_schema(Chart::KubeAcpStack)).unwrap();
        let defs = &schema["definitions"];
        assert_eq!(
            defs["redis-cluster"]["properties"]["cluster"]["properties"]["nodes"]["type"],
            "integer"
        );
        assert_eq!(
            defs["acp"]["properties"]["config"]["properties"]["data"]["properties"]["storage"],
            json!({"$ref": "#/definitions/acp-storage"})
        );
        assert_eq!(
            defs["acp-redis-client"]["properties"]["min_retry_backoff"]["$ref"],
            "#/definitions/duration"
        );
        assert!(defs["duration"]["pattern"].as_str().unwrap().contains("ms"));
    }
}
