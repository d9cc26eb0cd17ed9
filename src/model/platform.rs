//! The platform's side of a release: its Redis client settings as the `acp` chart renders them into
//! the platform's config files, and its storage settings.
//!
//! The chart writes three files, read in this order, later ones winning: `/data/config.yaml` (the
//! top-level `redis`, or, in chart versions 0.16.3 to 2.13.0, default addresses when `redis` is
//! empty), `/data/extraconfig.yaml` (`config.data`) and `/secret/config.yaml` (`secretConfig.data`).
//! `config.create: false` and `secretConfig.create: false` make the chart mount an existing
//! ConfigMap or Secret instead (acp-check cannot read it), and `configPath` replaces the list.

use crate::core::source::Span;
use crate::tree::merge;
use crate::tree::{Entry, Map, Node, Value};

use super::charts::{self, Chart};
use super::matrix::PlatformVersion;
use super::{opaque, Lookup, Release, Scope, Unknown, Unsettled};

/// The platform (ACP) part of a release.
#[derive(Clone, Copy)]
pub struct Platform<'a> {
    pub scope: Scope<'a>,
    pub release: &'a Release,
    /// The values the files wrote for the chart (an empty map if none).
    pub root: &'a Node,
    /// Its key in the release's values (`acp` in the umbrella chart).
    pub key: Option<&'a str>,
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
/// The file each of [`CLIENT_LAYERS`] is rendered into.
const LAYER_FILES: [&str; 3] = [
    "/data/config.yaml",
    "/data/extraconfig.yaml",
    "/secret/config.yaml",
];

/// The platform's Redis client config as rendered, made once per release.
#[derive(Clone, Debug, Default)]
pub struct ClientConfig {
    node: Option<Node>,
    /// The span of each layer's values as written, to tell which layer a value came from.
    layers: [Option<Span>; 3],
    /// Layers the platform reads that acp-check cannot, with the position they take.
    unknown: Vec<(usize, Unknown)>,
    /// The `redis` layer is empty and the chart version, which decides whether the chart renders
    /// default addresses there, is not known.
    defaults_unknown: bool,
}

/// A platform version found in the values, and where.
#[derive(Clone, Debug, PartialEq)]
pub struct Seen {
    pub version: PlatformVersion,
    pub span: Option<Span>,
    /// How it was found, for messages: "the acp chart 2.25.0", "the acp.image.tag `2.25.0`".
    pub origin: String,
}

impl<'a> Platform<'a> {
    pub fn new(scope: Scope<'a>) -> Platform<'a> {
        Platform {
            scope,
            release: scope.release,
            root: scope.root,
            key: scope.key,
        }
    }

    /// The platform version deployed, as far as the values tell: the acp image tag a file wrote
    /// (it says what runs), else the acp chart's version (the release's own, or kube-acp-stack's
    /// acp dependency). `None` when neither is known, or a layer acp-check could not read may set
    /// the tag.
    pub fn version(&self) -> Option<Seen> {
        match self.scope.lookup(&["image", "tag"]) {
            Lookup::Set(node) if !node.span.source.is_builtin() => {
                if let Some(text) = node.as_str().filter(|s| !s.is_empty()) {
                    if opaque(node).is_some() {
                        return None;
                    }
                    if let Some(version) = PlatformVersion::parse(text) {
                        return Some(Seen {
                            version,
                            span: Some(node.span),
                            origin: format!("the {}image.tag `{text}`", self.prefix()),
                        });
                    }
                }
            }
            Lookup::Unknown(_) => return None,
            _ => {}
        }
        let chart = self.scope.version?;
        let version = PlatformVersion::parse(chart.version())?;
        let origin = match self.key {
            Some(_) => format!("kube-acp-stack's acp dependency {version}"),
            None => format!("the acp chart {version}"),
        };
        let span = self
            .release
            .written_version(Chart::Acp)
            .and_then(|w| w.span)
            .or_else(|| self.release.chart_version.as_ref().and_then(|w| w.span));
        Some(Seen {
            version,
            span,
            origin,
        })
    }

    /// `acp.` in the umbrella chart, for messages that name a key.
    pub fn prefix(&self) -> String {
        self.key.map(|k| format!("{k}.")).unwrap_or_default()
    }

    /// The effective Redis client config: the layers the chart renders, merged deeply; every value
    /// keeps the span it was written at (a chart default, one of a built-in source). `None` when no
    /// layer sets anything and none is unknown.
    pub fn redis_client(&self) -> Option<RedisClient<'a>> {
        let config = self.release.effective.client.get_or_init(|| self.client_config());
        static EMPTY: std::sync::OnceLock<Node> = std::sync::OnceLock::new();
        let node = match &config.node {
            Some(node) => node,
            None if !config.unknown.is_empty() || config.defaults_unknown => EMPTY.get_or_init(|| {
                super::empty_values(Span::new(crate::core::source::SourceId(u32::MAX), 0..0))
            }),
            None => return None,
        };
        Some(RedisClient {
            node,
            config,
            platform: *self,
        })
    }

    fn client_config(&self) -> ClientConfig {
        let mut config = ClientConfig::default();
        let created = |key: &str| self.scope.get(&[key, "create"]).and_then(Node::as_bool) != Some(false);
        let name = |key: &str| {
            self.scope
                .get(&[key, "name"])
                .and_then(Node::as_str)
                .unwrap_or("default")
                .to_string()
        };
        let listed = self.config_files();
        let mut merged: Option<Node> = None;
        for (i, path) in CLIENT_LAYERS.iter().enumerate() {
            let (object, key) = if i == 2 {
                ("Secret", "secretConfig")
            } else {
                ("ConfigMap", "config")
            };
            if !created(key) {
                let named = name(key);
                config.unknown.push((
                    i,
                    Unknown {
                        what: format!("{object} `{named}` ({}{key}.create is false)", self.prefix()),
                        settle: format!(
                            "the chart mounts that {object} instead of rendering {}{}: check it holds the same settings",
                            self.prefix(),
                            path.join(".")
                        ),
                        span: self.scope.entry(&[key, "create"]).map(|e| e.value.span),
                        path: Vec::new(),
                        rank: u16::MAX,
                        values_from: None,
                    },
                ));
                continue;
            }
            if let Some(files) = &listed {
                if !files.iter().any(|f| f == LAYER_FILES[i]) {
                    continue;
                }
            }
            let mut layer = self.scope.merged(path);
            if i == 0 {
                let empty = layer
                    .as_ref()
                    .and_then(Node::as_map)
                    .is_none_or(|m| m.entries.is_empty());
                if empty {
                    match self.default_addrs() {
                        Lookup::Set(Some(node)) => layer = Some(node),
                        Lookup::Unknown(_) => config.defaults_unknown = true,
                        _ => {}
                    }
                }
            }
            let Some(node) = layer else { continue };
            config.layers[i] = self.root.get(path).map(|n| n.span);
            merge_layer(&mut merged, node);
        }
        // Files `configPath` lists that are none of the three: acp-check cannot read them.
        if let Some(files) = listed {
            for file in files.iter().filter(|f| !LAYER_FILES.contains(&f.as_str())) {
                config.unknown.push((
                    3,
                    Unknown {
                        what: format!("the file `{file}` ({}configPath)", self.prefix()),
                        settle: "acp-check does not read it: check it holds the Redis settings you expect"
                            .into(),
                        span: self.scope.get(&["configPath"]).map(|n| n.span),
                        path: Vec::new(),
                        rank: u16::MAX,
                        values_from: None,
                    },
                ));
            }
        }
        config.node = merged;
        config
    }

    /// The files `configPath` gives the platform, if it replaces the chart's list.
    fn config_files(&self) -> Option<Vec<String>> {
        let text = self.scope.get(&["configPath"])?.as_str()?;
        let files: Vec<String> = text
            .split(',')
            .map(|f| f.trim().to_string())
            .filter(|f| !f.is_empty())
            .collect();
        (!files.is_empty()).then_some(files)
    }

    /// The `redis` block the chart renders when the values leave `redis` empty: versions 0.16.3 to
    /// 2.13.0 write `enabled: true` and `<release>-redis-cluster-headless:6379` twice (`Set(None)`
    /// when the release name is not known), later versions nothing.
    fn default_addrs(&self) -> Lookup<'a, Option<Node>> {
        let Some(version) = self.scope.version else {
            return Lookup::Unknown(Unsettled::Version(Chart::Acp));
        };
        if !renders_default_addrs(version) {
            return Lookup::Unset;
        }
        let Some(release) = &self.release.release_name else {
            return Lookup::Set(None);
        };
        let span = Span::new(version.source(), 0..0);
        let addr = Node::new(
            Value::Str(format!("{}-redis-cluster-headless:6379", release.value)),
            span,
        );
        let entries = vec![
            Entry {
                key: "enabled".into(),
                key_span: span,
                value: Node::new(Value::Bool(true), span),
            },
            Entry {
                key: "addrs".into(),
                key_span: span,
                value: Node::new(Value::Seq(vec![addr.clone(), addr]), span),
            },
        ];
        Lookup::Set(Some(Node::new(Value::Map(Map { entries }), span)))
    }

    /// Whether the chart renders default addresses for this release (see [`Self::default_addrs`]).
    pub fn chart_renders_addrs(&self) -> Lookup<'a, bool> {
        match self.default_addrs() {
            Lookup::Set(_) => Lookup::Set(true),
            Lookup::Unset => Lookup::Set(false),
            Lookup::Unknown(why) => Lookup::Unknown(why),
        }
    }

    /// The effective storage config (`config.data.storage` → `secretConfig.data.storage`).
    pub fn storage(&self) -> Option<&'a Node> {
        let effective = &self.release.effective;
        effective
            .storage
            .get_or_init(|| {
                let mut merged: Option<Node> = None;
                for path in STORAGE_LAYERS {
                    let Some(node) = self.scope.merged(path) else {
                        continue;
                    };
                    merge_layer(&mut merged, node);
                }
                merged
            })
            .as_ref()
    }

    /// `secretConfig.create: false`: the secret config comes from an existing Secret, not these values.
    pub fn secret_config_external(&self) -> Option<&'a Entry> {
        let entry = self.scope.entry(&["secretConfig", "create"])?;
        (entry.value.as_bool() == Some(false)).then_some(entry)
    }
}

/// Whether an `acp` chart version renders default addresses for an empty `redis` (0.16.3 to 2.13.0,
/// in release order).
pub fn renders_default_addrs(version: &charts::ChartVersion) -> bool {
    let all = charts::versions(Chart::Acp);
    let at = |v: &str| all.iter().position(|x| x.version() == v);
    let here = all.iter().position(|x| x == version);
    matches!((at("0.16.3"), at("2.13.0"), here), (Some(from), Some(to), Some(here)) if (from..=to).contains(&here))
}

/// The platform's Redis client settings as the platform reads them (the merge of
/// [`CLIENT_LAYERS`]): what lint's rules check and what the probe connects with.
#[derive(Clone, Copy)]
pub struct RedisClient<'a> {
    /// The merged settings; every value keeps the span it was written at.
    pub node: &'a Node,
    config: &'a ClientConfig,
    platform: Platform<'a>,
}

impl<'a> RedisClient<'a> {
    /// A setting, by path under the client's settings, and whether a layer acp-check cannot read
    /// may change it.
    pub fn lookup(&self, path: &[&str]) -> Lookup<'a> {
        let node = self.node.get(path);
        let layer = node.map_or(0, |n| self.layer_of(n.span));
        if let Some((_, unknown)) = self
            .config
            .unknown
            .iter()
            .rev()
            .find(|(at, _)| node.is_none() || layer < *at)
        {
            return Lookup::Unknown(Unsettled::Layer(unknown));
        }
        let rank = node.map_or(0, |n| self.platform.release.rank(n.span.source));
        let at: Vec<&str> = self.platform.key.into_iter().collect();
        if let Some(why) = self.platform.release.unsettled(&at, rank) {
            return Lookup::Unknown(why);
        }
        match node {
            Some(node) => Lookup::Set(node),
            None if self.config.defaults_unknown && matches!(path.first(), Some(&"addrs" | &"enabled")) => {
                Lookup::Unknown(Unsettled::Version(Chart::Acp))
            }
            None => Lookup::Unset,
        }
    }

    /// The layer (index into [`CLIENT_LAYERS`]) a value came from; a chart default counts as the
    /// lowest.
    fn layer_of(&self, span: Span) -> usize {
        self.config
            .layers
            .iter()
            .rposition(|layer| {
                layer.is_some_and(|l| l.source == span.source && l.start <= span.start && span.end <= l.end)
            })
            .unwrap_or(0)
    }

    /// A setting as far as acp-check can tell (the layers it read); a rule that raises an error
    /// on it asks [`RedisClient::lookup`] (or [`RedisClient::unsettled`]) first.
    pub fn get(&self, path: &[&str]) -> Option<&'a Node> {
        self.node.get(path)
    }

    pub fn entry(&self, path: &[&str]) -> Option<&'a Entry> {
        self.node.entry(path)
    }

    /// The first of `paths` a layer acp-check could not read may set, and what.
    pub fn unsettled(&self, paths: &[&[&str]]) -> Option<Unsettled<'a>> {
        paths.iter().find_map(|p| self.lookup(p).unsettled())
    }

    /// `enabled: false` switches the client off.
    pub fn disabled(&self) -> bool {
        self.get(&["enabled"]).and_then(Node::as_bool) == Some(false)
    }

    /// The `host:port` addresses to dial (`addrs`); two or more make a cluster client.
    pub fn addrs(&self) -> &'a [Node] {
        self.get(&["addrs"]).and_then(Node::as_seq).unwrap_or_default()
    }

    /// The password, unless it is empty.
    pub fn password(&self) -> Option<&'a Node> {
        self.get(&["password"])
            .filter(|n| !matches!(&n.value, Value::Null) && n.as_str() != Some(""))
    }

    /// `tls.enabled`, as written.
    pub fn tls_enabled(&self) -> Option<&'a Node> {
        self.get(&["tls", "enabled"])
    }

    /// Whether the client connects with TLS (`tls.enabled`, off by default).
    pub fn tls_on(&self) -> bool {
        self.tls_enabled().and_then(Node::as_bool).unwrap_or(false)
    }

    /// A TLS setting: `ca`, `cert`, `key` or `insecure_skip_verify`.
    pub fn tls(&self, key: &str) -> Option<&'a Node> {
        self.get(&["tls", key])
    }

    /// Whether the client uses RediSearch (`redis_search`, on by default).
    pub fn uses_search(&self) -> bool {
        self.get(&["redis_search"])
            .and_then(Node::as_bool)
            .unwrap_or(true)
    }

    /// `redis_search_index_name`, the index the platform asks for (removed after ACP 2.22).
    pub fn index_name(&self) -> Option<&'a str> {
        self.get(&["redis_search_index_name"]).and_then(Node::as_str)
    }
}

/// Merges the map `layer` over what the layers below gave (Helm's deep merge); a layer that is not
/// a map gives nothing.
fn merge_layer(merged: &mut Option<Node>, layer: Node) {
    let Value::Map(map) = layer.value else { return };
    match merged {
        Some(Node {
            value: Value::Map(into),
            ..
        }) => merge::merge(into, map),
        _ => *merged = Some(Node::new(Value::Map(map), layer.span)),
    }
}
