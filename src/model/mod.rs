//! The deployment model: the releases of one run (values merged as Helm merges them) and the typed
//! views the rules and the probe read: the platform's Redis client config and storage config
//! ([`platform`]), the redis-cluster chart values ([`redis_cluster`]) and the `redis.conf` they carry
//! ([`redis_conf`]), with chart versions, release names, namespaces, and the values that may come
//! from outside the files; and what a live Redis says of itself ([`info`]).

pub mod charts;
pub mod info;
pub mod platform;
pub mod platform_log;
pub mod redis_cluster;
pub mod redis_conf;

pub use platform::{Platform, RedisClient, CLIENT_LAYERS, STORAGE_LAYERS};
pub use redis_cluster::{ClusterPassword, RedisCluster};

use crate::core::source::Span;
use crate::tree::{Map, Node, Value};

/// A value and where it was written (no span when it came from a command-line option).
#[derive(Clone, Debug, PartialEq)]
pub struct Located<T> {
    pub value: T,
    pub span: Option<Span>,
}

impl<T> Located<T> {
    pub fn new(value: T, span: Option<Span>) -> Located<T> {
        Located { value, span }
    }
}

impl Located<String> {
    /// A string value of a node, if it is a string (or a number written where a string belongs).
    pub fn from_node(node: &Node) -> Option<Located<String>> {
        let text = match &node.value {
            Value::Str(s) => s.clone(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => crate::tree::go_float(*f),
            _ => return None,
        };
        Some(Located::new(text, Some(node.span)))
    }
}

/// Which chart the values are for: the four shapes of the README's "Usage".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// `kube-acp-stack`: platform values under `acp:`, Bitnami values under `redis-cluster:`.
    Umbrella,
    /// The `acp` chart: platform values at the top level.
    Acp,
    /// The Bitnami `redis-cluster` chart: its values at the top level.
    RedisCluster,
    /// Not recognised: only file-level checks apply.
    Unknown,
}

/// How the release reached acp-check.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// Values files and `--set` flags, as given to `helm install -f … --set …`.
    Values,
    /// A chart directory: its `values.yaml` is the lowest layer.
    ChartDir,
    /// A Flux HelmRelease (one or several documents with the same name, merged in order).
    HelmRelease,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Dependency {
    pub name: String,
    /// The key the subchart's values sit under (the alias, else the name).
    pub values_key: String,
    pub version: Option<Located<String>>,
}

/// Values that reach the release from somewhere acp-check cannot read.
#[derive(Clone, Debug, PartialEq)]
pub enum External {
    /// A HelmRelease `spec.valuesFrom` entry (a ConfigMap or Secret).
    ValuesFrom { kind: String, name: String, span: Span },
}

#[derive(Clone, Debug)]
pub struct Release {
    pub kind: Kind,
    /// A short name for messages: a file name, a chart directory, `HelmRelease ns/name`.
    pub label: String,
    pub release_name: Option<Located<String>>,
    pub namespace: Option<Located<String>>,
    pub chart_name: Option<Located<String>>,
    pub chart_version: Option<Located<String>>,
    pub dependencies: Vec<Dependency>,
    /// The merged values, nulls removed.
    pub values: Node,
    pub external: Vec<External>,
    /// The platform's effective configs, merged from `values` on first use (every rule asks).
    pub effective: Effective,
}

/// [`Platform::redis_client`], [`Platform::storage`] and [`RedisCluster::directives`] of a
/// release, made once (several rules ask for each). The values must not change once they are made:
/// the loader finishes a release before any rule runs.
#[derive(Clone, Debug, Default)]
pub struct Effective {
    client: std::sync::OnceLock<Option<Node>>,
    storage: std::sync::OnceLock<Option<Node>>,
    directives: std::sync::OnceLock<Vec<redis_conf::Directive>>,
}

impl Release {
    pub fn shape(&self) -> Shape {
        match self.chart_name.as_ref().map(|c| c.value.as_str()) {
            Some("kube-acp-stack") => return Shape::Umbrella,
            Some("acp") => return Shape::Acp,
            Some("redis-cluster") => return Shape::RedisCluster,
            _ => {}
        }
        shape_of_values(&self.values)
    }

    /// The platform's config in this release, if it has one.
    pub fn platform(&self) -> Option<Platform<'_>> {
        let prefix: &[&str] = match self.shape() {
            Shape::Umbrella => &["acp"],
            Shape::Acp => &[],
            _ => return None,
        };
        let root = self.values.get(prefix)?;
        if prefix == ["acp"] && root.get(&["enabled"]).and_then(Node::as_bool) == Some(false) {
            return None;
        }
        Some(Platform {
            release: self,
            prefix,
            root,
        })
    }

    /// The redis-cluster chart values in this release, if it has them.
    pub fn redis_cluster(&self) -> Option<RedisCluster<'_>> {
        let (prefix, version): (&[&str], Option<Located<String>>) = match self.shape() {
            Shape::Umbrella => {
                let dep = self.dependencies.iter().find(|d| d.name == "redis-cluster");
                let key = dep.map_or("redis-cluster", |d| d.values_key.as_str());
                let prefix: &[&str] = if key == "redis-cluster" {
                    &["redis-cluster"]
                } else {
                    return None;
                };
                (prefix, dep.and_then(|d| d.version.clone()))
            }
            Shape::RedisCluster => (&[], self.chart_version.clone()),
            _ => return None,
        };
        let root = self.values.get(prefix)?;
        if !prefix.is_empty() && root.get(&["enabled"]).and_then(Node::as_bool) == Some(false) {
            return None;
        }
        Some(RedisCluster {
            release: self,
            prefix,
            root,
            chart_version: version,
        })
    }
}

/// The chart a release's values are for, judged from the values alone (when no chart name says it).
pub fn shape_of_values(root: &Node) -> Shape {
    let is_map = |path: &[&str]| root.get(path).is_some_and(|n| n.as_map().is_some());
    if is_map(&["acp"]) || is_map(&["redis-cluster"]) {
        return Shape::Umbrella;
    }
    let acp_client = ["addrs", "redis_search", "redis_search_index_name"]
        .iter()
        .any(|k| root.get(&["redis", k]).is_some());
    if acp_client
        || is_map(&["secretConfig"])
        || is_map(&["config", "data"])
        || root.get(&["serverURL"]).is_some()
    {
        return Shape::Acp;
    }
    let bitnami = ["usePassword", "cluster", "existingSecretPasswordKey"]
        .iter()
        .any(|k| root.get(&[k]).is_some())
        || [
            "configmap",
            "useAOFPersistence",
            "extraVolumeMounts",
            "defaultConfigOverride",
        ]
        .iter()
        .any(|k| root.get(&["redis", k]).is_some());
    if bitnami {
        return Shape::RedisCluster;
    }
    Shape::Unknown
}

/// All releases of one run: one deployment.
#[derive(Default)]
pub struct Deployment {
    pub releases: Vec<Release>,
    /// `--redis-chart-version`: wins over what the files say.
    pub redis_chart_version: Option<String>,
}

impl Deployment {
    pub fn platforms(&self) -> impl Iterator<Item = Platform<'_>> {
        self.releases.iter().filter_map(Release::platform)
    }

    pub fn redis_clusters(&self) -> impl Iterator<Item = RedisCluster<'_>> {
        self.releases
            .iter()
            .filter_map(Release::redis_cluster)
            .map(|mut cluster| {
                if let Some(version) = &self.redis_chart_version {
                    cluster.chart_version = Some(Located::new(version.clone(), None));
                }
                cluster
            })
    }
}

/// An empty mapping node at a span (for releases whose values are empty).
pub fn empty_values(span: Span) -> Node {
    Node::new(Value::Map(Map::default()), span)
}

/// Why a value cannot be read from the files, if it cannot.
pub fn opaque(node: &Node) -> Option<&'static str> {
    let Value::Str(s) = &node.value else { return None };
    if crate::core::redact::is_sops_ciphertext(s) {
        Some("it is SOPS-encrypted")
    } else if s.contains("${") {
        Some("it is a variable that Flux substitutes at deploy time")
    } else if s.contains("{{") {
        Some("it is a Helm template expression")
    } else {
        None
    }
}
