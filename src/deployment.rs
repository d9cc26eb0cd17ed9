//! The deployment model: the releases of one run (values merged as Helm merges them) and the typed
//! views the rules read: the platform's Redis client config, its storage config and the redis-cluster
//! chart values, with chart versions, release names, namespaces, and the values that may come from
//! outside the files.

use crate::input::merge;
use crate::source::Span;
use crate::tree::{Entry, Map, Node, Value};

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

/// Which chart the values are for (domain.md §2).
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

/// [`Platform::redis_client`] and [`Platform::storage`] of a release, made once. The values
/// must not change once they are made: the loader finishes a release before any rule runs.
#[derive(Clone, Debug, Default)]
pub struct Effective {
    client: std::sync::OnceLock<Option<Node>>,
    storage: std::sync::OnceLock<Option<Node>>,
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

/// The platform (ACP) part of a release.
pub struct Platform<'a> {
    pub release: &'a Release,
    /// `["acp"]` in the umbrella chart, empty in the `acp` chart.
    pub prefix: &'static [&'static str],
    pub root: &'a Node,
}

/// The three places the ACP chart reads Redis client settings from, in the order they override
/// each other (`/data/config.yaml`, `/data/extraconfig.yaml`, `/secret/config.yaml`).
pub const CLIENT_LAYERS: [&[&str]; 3] = [
    &["redis"],
    &["config", "data", "redis"],
    &["secretConfig", "data", "redis"],
];
/// The places storage settings can come from, in order.
pub const STORAGE_LAYERS: [&[&str]; 2] = [
    &["config", "data", "storage"],
    &["secretConfig", "data", "storage"],
];

impl<'a> Platform<'a> {
    /// The effective Redis client config: `redis` → `config.data.redis` → `secretConfig.data.redis`,
    /// merged deeply; every value keeps the span it was written at. `None` when none is set.
    pub fn redis_client(&self) -> Option<&'a Node> {
        let effective = &self.release.effective;
        effective
            .client
            .get_or_init(|| self.layered(&CLIENT_LAYERS))
            .as_ref()
    }

    /// The effective storage config (`config.data.storage` → `secretConfig.data.storage`).
    pub fn storage(&self) -> Option<&'a Node> {
        let effective = &self.release.effective;
        effective
            .storage
            .get_or_init(|| self.layered(&STORAGE_LAYERS))
            .as_ref()
    }

    fn layered(&self, layers: &[&[&str]]) -> Option<Node> {
        let mut merged: Option<Node> = None;
        for path in layers {
            let Some(node) = self.root.get(path) else { continue };
            let Value::Map(map) = &node.value else { continue };
            match &mut merged {
                Some(Node {
                    value: Value::Map(into),
                    ..
                }) => merge::merge(into, map.clone()),
                _ => merged = Some(node.clone()),
            }
        }
        merged
    }

    /// `secretConfig.create: false`: the secret config comes from an existing Secret, not these values.
    pub fn secret_config_external(&self) -> Option<&'a Entry> {
        let entry = self.root.entry(&["secretConfig", "create"])?;
        (entry.value.as_bool() == Some(false)).then_some(entry)
    }
}

/// The Bitnami redis-cluster part of a release.
pub struct RedisCluster<'a> {
    pub release: &'a Release,
    /// `["redis-cluster"]` in the umbrella chart, empty for the chart alone.
    pub prefix: &'static [&'static str],
    pub root: &'a Node,
    /// The chart version, from Chart.yaml / Chart.lock or the HelmRelease, if known.
    pub chart_version: Option<Located<String>>,
}

impl<'a> RedisCluster<'a> {
    /// `existingSecret`: the cluster password is kept in a Secret acp-check cannot read.
    pub fn existing_secret(&self) -> Option<&'a Entry> {
        let entry = self.root.entry(&["existingSecret"])?;
        entry
            .value
            .as_str()
            .is_some_and(|s| !s.is_empty())
            .then_some(entry)
    }
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
    if crate::secrets::is_sops_ciphertext(s) {
        Some("it is SOPS-encrypted")
    } else if s.contains("${") {
        Some("it is a variable that Flux substitutes at deploy time")
    } else if s.contains("{{") {
        Some("it is a Helm template expression")
    } else {
        None
    }
}

/// The cluster password as the chart resolves it.
#[derive(Debug)]
pub enum ClusterPassword<'a> {
    /// `usePassword: false`.
    Disabled(&'a Entry),
    /// Written in the values (`global.redis.password` wins over `password`).
    Written(&'a Node),
    /// Kept in a Secret (`existingSecret`).
    InSecret(&'a Entry),
    /// `usePassword` with no password and no Secret: the chart generates a random one.
    Random,
}

impl<'a> RedisCluster<'a> {
    /// A setting of the chart, by path under the chart's values.
    pub fn get(&self, path: &[&str]) -> Option<&'a Node> {
        self.root.get(path)
    }

    pub fn entry(&self, path: &[&str]) -> Option<&'a Entry> {
        self.root.entry(path)
    }

    /// Where to point a finding about the chart as a whole: its key in an umbrella, else the values.
    pub fn anchor(&self) -> Span {
        match self.prefix.split_last() {
            Some(_) => self
                .release
                .values
                .entry(self.prefix)
                .map_or(self.root.span, |e| e.key_span),
            None => self.root.span,
        }
    }

    pub fn password(&self) -> ClusterPassword<'a> {
        if let Some(entry) = self.entry(&["usePassword"]) {
            if entry.value.as_bool() == Some(false) {
                return ClusterPassword::Disabled(entry);
            }
        }
        let non_empty = |n: &&'a Node| n.as_str().is_none_or(|s| !s.is_empty()) && n.value != Value::Null;
        // An umbrella chart's top-level `global` reaches the subchart too.
        let global = self
            .get(&["global", "redis", "password"])
            .or_else(|| {
                (!self.prefix.is_empty())
                    .then(|| self.release.values.get(&["global", "redis", "password"]))
                    .flatten()
            })
            .filter(non_empty);
        if let Some(node) = global.or_else(|| self.get(&["password"]).filter(non_empty)) {
            return ClusterPassword::Written(node);
        }
        match self.existing_secret() {
            Some(entry) => ClusterPassword::InSecret(entry),
            None => ClusterPassword::Random,
        }
    }

    /// An integer setting with the chart's default, and the node that set it (if any).
    pub fn int(&self, path: &[&str], default: i64) -> (i64, Option<&'a Node>) {
        match self.get(path) {
            Some(node) => match node.value {
                Value::Int(i) => (i, Some(node)),
                _ => (default, None),
            },
            None => (default, None),
        }
    }

    pub fn flag(&self, path: &[&str], default: bool) -> bool {
        self.get(path).and_then(Node::as_bool).unwrap_or(default)
    }

    /// The `redis.conf` directives the values add: `redis.configmap`, then `redis.defaultConfigOverride`.
    pub fn config_nodes(&self) -> Vec<&'a Node> {
        [
            &["redis", "configmap"][..],
            &["redis", "defaultConfigOverride"][..],
        ]
        .iter()
        .filter_map(|p| self.get(p))
        .collect()
    }

    /// The Kubernetes name the chart gives its objects (`common.names.fullname`), if it can be known.
    pub fn fullname(&self) -> Option<String> {
        if let Some(name) = self
            .get(&["fullnameOverride"])
            .and_then(Node::as_str)
            .filter(|s| !s.is_empty())
        {
            return Some(trim_name(name));
        }
        let release = self.release.release_name.as_ref()?.value.clone();
        let chart = self
            .get(&["nameOverride"])
            .and_then(Node::as_str)
            .filter(|s| !s.is_empty())
            .unwrap_or("redis-cluster");
        Some(trim_name(&if release.contains(chart) {
            release
        } else {
            format!("{release}-{chart}")
        }))
    }
}

/// Kubernetes names are cut at 63 characters and lose a trailing `-`, as the chart's helper does.
fn trim_name(name: &str) -> String {
    let cut: String = name.chars().take(63).collect();
    cut.trim_end_matches('-').to_string()
}
