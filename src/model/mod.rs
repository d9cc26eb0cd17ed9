//! The deployment model: the releases of one run (values merged as Helm merges them) and the typed
//! views the rules and the probe read: the platform's Redis client config and storage config
//! ([`platform`]), the redis-cluster chart values ([`redis_cluster`]) and the `redis.conf` they carry
//! ([`redis_conf`]), with chart versions, release names, namespaces, and the values that may come
//! from outside the files; and what a live Redis says of itself ([`info`]).

pub mod charts;
pub mod info;
pub mod matrix;
pub mod platform;
pub mod platform_log;
pub mod redis_cluster;
pub mod redis_conf;
pub mod scope;

pub use platform::{Platform, RedisClient, CLIENT_LAYERS, STORAGE_LAYERS};
pub use redis_cluster::{ClusterPassword, RedisCluster};
pub use scope::{Lookup, Scope, Unknown, Unsettled, ValuesFrom};

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
    /// A Helm source of an Argo CD Application (of a chart directory of the repository, when its
    /// `path` names one: then its Chart.yaml names the dependencies).
    Application,
    /// An entry of a kustomization's `helmCharts`.
    Kustomize,
    /// A release of a Helmfile.
    Helmfile,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Dependency {
    pub name: String,
    /// The key the subchart's values sit under (the alias, else the name).
    pub values_key: String,
    pub version: Option<Located<String>>,
    /// The repository it comes from (`repository:` in Chart.yaml), for its identity.
    pub repository: Option<String>,
    /// Its `condition:` (`redis-cluster.enabled`).
    pub condition: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Release {
    pub kind: Kind,
    /// A short name for messages: a file name, a chart directory, `HelmRelease ns/name`,
    /// `Application ns/name`.
    pub label: String,
    pub release_name: Option<Located<String>>,
    pub namespace: Option<Located<String>>,
    pub chart_name: Option<Located<String>>,
    pub chart_version: Option<Located<String>>,
    /// Where the chart comes from: `home` and `sources` of its Chart.yaml, or the repository a
    /// HelmRelease names; empty when nothing says (then the name alone identifies it).
    pub chart_origin: Vec<String>,
    /// A chart directory's dependencies (Chart.yaml, versions from Chart.lock).
    pub dependencies: Vec<Dependency>,
    /// `--chart-version CHART=VERSION`: wins over what the files say, for the release's chart and
    /// its dependencies.
    pub chart_versions: Vec<(String, String)>,
    /// The values the layers read wrote, merged as Helm merges them, nulls removed (the chart's
    /// defaults are not in it: [`Scope`] looks through them).
    pub values: Node,
    /// The paths a layer set to `null`: Helm deletes the chart's defaults there.
    pub deleted: Vec<Vec<String>>,
    /// Layers of values acp-check could not read.
    pub unknown: Vec<Unknown>,
    /// The text of each post-renderer patch (a HelmRelease's `postRenderers`): applied after the
    /// chart renders, it wins over the values where acp-check can read what it writes (the
    /// RediSearch build an init container fetches).
    pub post_render_patches: Vec<Node>,
    /// The rank of each source of a layer below an unknown one (see [`Unknown::rank`]); a source
    /// not listed is above them all.
    pub ranks: Vec<(crate::core::source::SourceId, u16)>,
    /// The platform's effective configs, merged from `values` on first use (every rule asks).
    pub effective: Effective,
}

/// What chart a release deploys, as far as acp-check can tell.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Identity {
    /// A chart acp-check has data for, at a published version.
    Known(&'static charts::ChartVersion),
    /// A chart acp-check has data for, at a version not given (or not published).
    Versionless(charts::Chart),
    /// A chart acp-check has no data for: another chart named `redis-cluster`, a wrapper chart.
    Other,
    /// No chart is named (a values file): the values' shape tells which chart they are for.
    Unnamed,
}

/// [`Platform::redis_client`], [`Platform::storage`] and [`RedisCluster::directives`] of a
/// release, made once (several rules ask for each). The values must not change once they are made:
/// the loader finishes a release before any rule runs.
#[derive(Clone, Debug, Default)]
pub struct Effective {
    client: std::sync::OnceLock<platform::ClientConfig>,
    storage: std::sync::OnceLock<Option<Node>>,
    directives: std::sync::OnceLock<Vec<redis_conf::Directive>>,
}

impl Release {
    /// A release of `values` and nothing else known about it.
    pub fn new(kind: Kind, label: String, values: Node) -> Release {
        Release {
            kind,
            label,
            release_name: None,
            namespace: None,
            chart_name: None,
            chart_version: None,
            chart_origin: Vec::new(),
            dependencies: Vec::new(),
            chart_versions: Vec::new(),
            values,
            deleted: Vec::new(),
            unknown: Vec::new(),
            post_render_patches: Vec::new(),
            ranks: Vec::new(),
            effective: Effective::default(),
        }
    }

    /// The version `--chart-version` gives `chart`, if it does.
    fn flag_version(&self, chart: &str) -> Option<&str> {
        self.chart_versions
            .iter()
            .rev()
            .find(|(name, _)| name == chart)
            .map(|(_, version)| version.as_str())
    }

    /// What chart the release deploys.
    pub fn identity(&self) -> Identity {
        let Some(name) = &self.chart_name else {
            return Identity::Unnamed;
        };
        let chart = if self.chart_origin.is_empty() {
            charts::Chart::ALL.into_iter().find(|c| c.name() == name.value)
        } else {
            self.chart_origin
                .iter()
                .find_map(|origin| charts::Chart::identify(&name.value, origin))
        };
        let Some(chart) = chart else {
            return Identity::Other;
        };
        let written = self
            .flag_version(chart.name())
            .or(self.chart_version.as_ref().map(|v| v.value.as_str()));
        match written.and_then(|w| charts::resolve(chart, w)) {
            Some(version) => Identity::Known(version),
            None => Identity::Versionless(chart),
        }
    }

    /// The version of `chart` (the release's own, or a dependency's) as written, for messages; a
    /// flag's has no span.
    pub fn written_version(&self, chart: charts::Chart) -> Option<Located<String>> {
        if let Some(v) = self.flag_version(chart.name()) {
            return Some(Located::new(v.to_string(), None));
        }
        let own = match self.identity() {
            Identity::Known(v) => v.chart() == chart,
            Identity::Versionless(c) => c == chart,
            Identity::Other | Identity::Unnamed => false,
        };
        if own {
            return self.chart_version.clone();
        }
        self.dependency(chart).and_then(|d| d.version.clone())
    }

    pub fn shape(&self) -> Shape {
        match self.identity() {
            Identity::Known(v) => chart_shape(v.chart()),
            Identity::Versionless(c) => chart_shape(c),
            Identity::Other
                if self.dependency(charts::Chart::RedisCluster).is_some()
                    || self.dependency(charts::Chart::Acp).is_some() =>
            {
                Shape::Umbrella
            }
            Identity::Other => Shape::Unknown,
            Identity::Unnamed => shape_of_values(&self.values),
        }
    }

    /// The dependency of a chart directory that is `chart` (by name, and by repository when it
    /// names one).
    fn dependency(&self, chart: charts::Chart) -> Option<&Dependency> {
        self.dependencies.iter().find(|d| {
            d.name == chart.name()
                && d.repository.as_deref().is_none_or(|r| {
                    // A local path (`file://…`) or an alias (`@bitnami`) says nothing against it.
                    !r.contains("://")
                        || r.starts_with("file://")
                        || charts::Chart::identify(&d.name, r).is_some()
                })
        })
    }

    /// The scope of `chart`'s values in this release: the release's own chart, or a dependency of
    /// it (unless its condition turns it off).
    pub fn scope(&self, chart: charts::Chart) -> Option<Scope<'_>> {
        use charts::Chart::*;
        let identity = self.identity();
        let own = match identity {
            Identity::Known(v) if v.chart() == chart => {
                return Some(Scope::new(self, None, chart, Some(v), None))
            }
            Identity::Versionless(c) if c == chart => return Some(Scope::new(self, None, chart, None, None)),
            Identity::Known(v) => Some(Ok(v)),
            Identity::Versionless(c) => Some(Err(c)),
            Identity::Other => None,
            Identity::Unnamed => match shape_of_values(&self.values) {
                Shape::Umbrella => Some(Err(KubeAcpStack)),
                shape if shape == chart_shape(chart) => {
                    let version = self
                        .flag_version(chart.name())
                        .and_then(|v| charts::resolve(chart, v));
                    return Some(Scope::new(self, None, chart, version, None));
                }
                _ => return None,
            },
        };
        // A dependency: of a chart directory (its Chart.yaml), or of an umbrella chart's data.
        // (An Application of a chart directory has its Chart.yaml's dependencies.)
        let dir =
            self.kind == Kind::ChartDir || (self.kind == Kind::Application && !self.dependencies.is_empty());
        let from_dir = dir || identity == Identity::Other;
        let (key, written, parent) = if from_dir {
            let dependency = self.dependency(chart)?;
            let parent = if dir { None } else { own };
            (
                dependency.values_key.as_str(),
                dependency.version.as_ref().map(|v| v.value.as_str()),
                parent,
            )
        } else {
            let parent = own?;
            let dependency = match parent {
                Ok(version) => version.dependencies().iter().find(|d| d.chart() == Some(chart))?,
                Err(umbrella) => umbrella.latest_dependency(chart)?,
            };
            let written = parent.is_ok().then(|| dependency.version());
            (dependency.values_key(), written, Some(parent))
        };
        let written = self.flag_version(chart.name()).or(written);
        let version = written.and_then(|w| charts::resolve(chart, w));
        // Values that name no chart and hold no `acp:` section may be kube-acp-stack's or another
        // umbrella's (a wrapper around redis-cluster): no platform is assumed, and a redis-cluster
        // value the umbrella would set is unknown.
        let maybe =
            identity == Identity::Unnamed && self.values.get(&["acp"]).and_then(Node::as_map).is_none();
        if maybe && chart == Acp {
            return None;
        }
        let scope = Scope::new(self, Some(key), chart, version, parent);
        let scope = if maybe {
            scope.maybe_under(KubeAcpStack)
        } else {
            scope
        };
        // An umbrella's `<key>.enabled: false` (its condition) leaves the dependency out.
        if scope.get(&["enabled"]).and_then(Node::as_bool) == Some(false) {
            return None;
        }
        Some(scope)
    }

    /// The platform's config in this release, if it has one.
    pub fn platform(&self) -> Option<Platform<'_>> {
        self.scope(charts::Chart::Acp).map(Platform::new)
    }

    /// The redis-cluster chart values in this release, if it has them.
    pub fn redis_cluster(&self) -> Option<RedisCluster<'_>> {
        self.scope(charts::Chart::RedisCluster).map(RedisCluster::new)
    }

    /// The rank of a source among the release's layers ([`Unknown::rank`]).
    pub fn rank(&self, source: crate::core::source::SourceId) -> u16 {
        if source.is_builtin() {
            return 0;
        }
        self.ranks
            .iter()
            .find(|(id, _)| *id == source)
            .map_or(u16::MAX, |(_, rank)| *rank)
    }

    /// The unknown layer above `rank` that may set a value at `path`, if one may.
    pub fn unsettled(&self, path: &[&str], rank: u16) -> Option<Unsettled<'_>> {
        self.unknown
            .iter()
            .rev()
            .find(|u| u.rank > rank && u.covers(path))
            .map(Unsettled::Layer)
    }

    /// Whether a layer deleted the value at `path` (or a map holding it) with `null`.
    pub fn deletes(&self, path: &[&str]) -> bool {
        self.deleted
            .iter()
            .any(|d| d.len() <= path.len() && d.iter().zip(path).all(|(a, b)| a == b))
    }
}

/// The shape of values for `chart`.
pub fn chart_shape(chart: charts::Chart) -> Shape {
    match chart {
        charts::Chart::KubeAcpStack => Shape::Umbrella,
        charts::Chart::Acp => Shape::Acp,
        charts::Chart::RedisCluster => Shape::RedisCluster,
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
    // Bitnami's `redis` chart (not the cluster one): `auth`, `architecture`, `master`, `replica`,
    // `sentinel` are its keys and none of redis-cluster's.
    let redis_chart = ["architecture", "master", "replica", "sentinel", "auth"]
        .iter()
        .filter(|k| is_map(&[k]) || root.get(&[k]).is_some())
        .count();
    let cluster_only = ["usePassword", "existingSecretPasswordKey"]
        .iter()
        .any(|k| root.get(&[k]).is_some())
        || ["configmap", "useAOFPersistence", "defaultConfigOverride"]
            .iter()
            .any(|k| root.get(&["redis", k]).is_some());
    if redis_chart >= 2 && !cluster_only {
        return Shape::Unknown;
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
    /// Its name, when a directory tree names it (a Flux cluster: `clusters/<name>`).
    pub name: Option<String>,
}

impl Deployment {
    pub fn platforms(&self) -> impl Iterator<Item = Platform<'_>> {
        self.releases.iter().filter_map(Release::platform)
    }

    pub fn redis_clusters(&self) -> impl Iterator<Item = RedisCluster<'_>> {
        self.releases.iter().filter_map(Release::redis_cluster)
    }

    /// The platform versions the deployment runs: one per platform, when every platform's is
    /// known; `None` when there is no platform or one's version is not known (then any platform
    /// version may use the Redis of the deployment).
    pub fn platform_versions(&self) -> Option<Vec<platform::Seen>> {
        let seen: Option<Vec<_>> = self.platforms().map(|p| p.version()).collect();
        seen.filter(|s| !s.is_empty())
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
