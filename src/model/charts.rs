//! What every published version of the charts acp-check models holds: its default values, its key
//! tree (which keys it has, which maps take any key), its images and its dependencies.
//!
//! The data comes from the upstream `Chart.yaml` and `values.yaml` of every version, through
//! `tools/charts/gen.py` (which writes `data/charts/<chart>.txt`) and `build.rs` (which compiles those
//! files into the static tables included below: `tools/charts/tables.rs` describes them). Nothing is
//! read or parsed at run time but the versions a constraint is tried on, and nothing worked out
//! but the default values asked for (of a version, or agreed by all): each version's key states,
//! what the versions agree on at each key, and the versions' orders are tables too.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::{Mutex, OnceLock};

use crate::core::source::{SourceId, Span, SpanHasher};
use crate::tree::{Entry, Map, Node, Value};

/// No string (in a string field of a version or a dependency).
const NONE: u16 = u16::MAX;
/// The bit of a node key that makes it a list index.
const INDEX: u16 = 1 << 15;

include!(concat!(env!("CARGO_MANIFEST_DIR"), "/tools/charts/kinds.rs"));

include!(concat!(env!("OUT_DIR"), "/charts.rs"));

/// A chart acp-check has per-version data for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Chart {
    /// Bitnami's `redis-cluster`.
    RedisCluster,
    /// Cloudentity's umbrella chart: `acp`, `redis-cluster` and the databases as dependencies.
    KubeAcpStack,
    /// Cloudentity's `acp` chart (the platform).
    Acp,
}

impl Chart {
    pub const ALL: [Chart; 3] = [Chart::RedisCluster, Chart::KubeAcpStack, Chart::Acp];

    /// The chart's name, as `Chart.yaml` gives it.
    pub fn name(self) -> &'static str {
        match self {
            Chart::RedisCluster => "redis-cluster",
            Chart::KubeAcpStack => "kube-acp-stack",
            Chart::Acp => "acp",
        }
    }

    /// The chart of a dependency or a HelmRelease, from its chart name and the repository (or home or
    /// source URL) it comes from: another chart named `redis-cluster` exists, so the name alone is not
    /// enough.
    pub fn identify(name: &str, repository: &str) -> Option<Chart> {
        // Called for every release on the hot path: no lowercased copy.
        let has = |word: &str| {
            repository
                .as_bytes()
                .windows(word.len())
                .any(|w| w.eq_ignore_ascii_case(word.as_bytes()))
        };
        match name {
            "redis-cluster" if has("bitnami") => Some(Chart::RedisCluster),
            "kube-acp-stack" | "acp" if has("cloudentity") || has("secureauth") => {
                Chart::ALL.into_iter().find(|c| c.name() == name)
            }
            _ => None,
        }
    }

    fn index(self) -> u32 {
        match self {
            Chart::RedisCluster => 0,
            Chart::KubeAcpStack => 1,
            Chart::Acp => 2,
        }
    }

    /// The built-in source of the chart's defaults: of the version at `index` in [`versions`], or
    /// (`None`) of what every version agrees on.
    fn source(self, index: Option<u16>) -> SourceId {
        SourceId::builtin(self.index() << 16 | index.map_or(0xFFFF, u32::from))
    }

    /// What every published version's default values agree on: for values whose chart version is
    /// not known. A version without a key does not count against the others (its templates do not
    /// read it); versions that give a key different values, or a value and an empty one, disagree.
    pub fn agreed(self) -> &'static Agreed {
        let tables = self.tables();
        tables.agreed.get_or_init(|| Agreed::new(self))
    }

    /// The newest dependency on `dependency` among this chart's versions (its values key and
    /// condition are the same in all), made once.
    pub fn latest_dependency(self, dependency: Chart) -> Option<&'static Dependency> {
        static LATEST: OnceLock<[[Option<&'static Dependency>; 3]; 3]> = OnceLock::new();
        let table = LATEST.get_or_init(|| {
            Chart::ALL.map(|parent| {
                Chart::ALL.map(|child| {
                    versions(parent)
                        .iter()
                        .rev()
                        .flat_map(|v| v.dependencies())
                        .find(|d| d.chart() == Some(child))
                })
            })
        });
        table[self.index() as usize][dependency.index() as usize]
    }

    /// Whether some version of the chart has the key at `path`, or takes any key there (a map
    /// with no fixed keys, a list, below a default that is not a map).
    pub fn has_key_anywhere(self, path: &[&str]) -> bool {
        let tables = self.tables();
        let mut node = 0;
        for key in path {
            let open = tables.children(node).next().is_none()
                || tables.children(node).any(|c| tables.node_key[c] & INDEX != 0)
                || tables
                    .rows(node)
                    .any(|r| matches!(tables.row_value[r] >> 28, OPEN | EMPTY_MAP));
            if open {
                return true;
            }
            match tables.child(node, key) {
                Some(child) => node = child,
                None => return false,
            }
        }
        true
    }

    fn tables(self) -> &'static Tables {
        match self {
            Chart::RedisCluster => &REDIS_CLUSTER,
            Chart::KubeAcpStack => &KUBE_ACP_STACK,
            Chart::Acp => &ACP,
        }
    }
}

/// The static tables of one chart (see `tools/charts/tables.rs`).
struct Tables {
    versions: &'static [ChartVersion],
    /// Per node, in preorder: its key (a string, or `INDEX | i`).
    node_key: &'static [u16],
    /// Per node: its rows are `node_rows[n]..node_rows[n + 1]`.
    node_rows: &'static [u16],
    row_value: &'static [u32],
    /// `from | to << 16`: the versions (indices, `to` exclusive) that have the row.
    row_live: &'static [u32],
    /// Per node: its children are `children[child_start[n]..child_start[n + 1]]`, map keys (sorted
    /// bytewise) before list items.
    child_start: &'static [u16],
    children: &'static [u16],
    /// Per node: its parent, and the hash of its map key ([`key_hash`]; 0 for a list item).
    node_parent: &'static [u16],
    node_hash: &'static [u32],
    /// Each map-key child at its [`child_slot`] or the next free slot after it; [`NONE`] in free
    /// slots (at least half of them).
    child_table: &'static [u16],
    /// The distinct per-node state vectors ([`LIVE`], [`OPEN_BELOW`], [`VALUE`], [`VALUES_BELOW`]),
    /// one after another.
    states: &'static [u8],
    /// Per version: the index of its vector in `states`.
    version_states: &'static [u16],
    /// Per node: [`DIFFERS`] and [`OWN_DIFFERS`] over every version.
    agreed_flags: &'static [u8],
    /// Per node: the row of the one non-empty value every version that has it gives, or [`NONE`].
    agreed_row: &'static [u16],
    /// The versions that parse as SemVer, highest first (for [`resolve`]).
    by_semver: &'static [u16],
    /// Every version, by its text (for [`find`]).
    by_text: &'static [u16],
    /// What every version's defaults agree on, made on first use ([`Chart::agreed`]).
    agreed: OnceLock<Agreed>,
}

impl Tables {
    fn live(&self, row: usize, version: usize) -> bool {
        let live = self.row_live[row];
        (live & 0xFFFF) as usize <= version && version < (live >> 16) as usize
    }

    fn rows(&self, node: usize) -> std::ops::Range<usize> {
        self.node_rows[node] as usize..self.node_rows[node + 1] as usize
    }

    fn children(&self, node: usize) -> impl Iterator<Item = usize> + '_ {
        let range = self.child_start[node] as usize..self.child_start[node + 1] as usize;
        self.children[range].iter().map(|&c| c as usize)
    }

    /// The child of `node` with map key `key`, in any version.
    fn child(&self, node: usize, key: &str) -> Option<usize> {
        let hash = key_hash(key.as_bytes());
        let len = self.child_table.len();
        let mut slot = child_slot(node, hash, len);
        loop {
            let child = self.child_table[slot];
            if child == NONE {
                return None;
            }
            let child = usize::from(child);
            if self.node_parent[child] as usize == node
                && self.node_hash[child] == hash
                && self.key_is(child, key)
            {
                return Some(child);
            }
            slot = (slot + 1) & (len - 1);
        }
    }

    /// The node of the map keys `path` in any version (the root if `path` is empty).
    #[cfg(test)]
    fn node_at_any(&self, path: &[&str]) -> usize {
        path.iter().fold(0, |node, key| {
            self.child(node, key).expect("a path of the tables")
        })
    }

    /// Whether the node's map key is `key` (its text compared as bytes: no char boundaries to check).
    fn key_is(&self, node: usize, key: &str) -> bool {
        let id = self.node_key[node];
        if id & INDEX != 0 {
            return false;
        }
        TEXT.as_bytes().get(text_range(id.into())) == Some(key.as_bytes())
    }

    /// The node's key, if it is a map key (not a list index).
    fn key(&self, node: usize) -> Option<&'static str> {
        let key = self.node_key[node];
        (key & INDEX == 0).then(|| text(key.into()))
    }
}

fn text(id: u32) -> &'static str {
    &TEXT[text_range(id)]
}

/// Where string `id` is in `TEXT`.
fn text_range(id: u32) -> std::ops::Range<usize> {
    let id = id as usize;
    let start = if id == 0 { 0 } else { STR_END[id - 1] as usize };
    start..STR_END[id] as usize
}

/// Defaults built on first use and kept for the run, by a key of their chart's nodes.
type Built = Mutex<HashMap<u32, Option<&'static Node>, BuildHasherDefault<SpanHasher>>>;

/// The defaults `built` keeps at `key`, built by `build` the first time (at the top level, an
/// empty map when `build` finds nothing).
fn built(
    built: &Built,
    key: u32,
    node: usize,
    span: Span,
    build: impl FnOnce() -> Option<Node>,
) -> Option<&'static Node> {
    let mut built = built.lock().unwrap_or_else(|e| e.into_inner());
    *built.entry(key).or_insert_with(|| {
        let node = match build() {
            Some(found) => found,
            None if node == 0 => Node::new(Value::Map(Map::default()), span),
            None => return None,
        };
        Some(&*Box::leak(Box::new(node)))
    })
}

fn optional(id: u16) -> Option<&'static str> {
    (id != NONE).then(|| text(id.into()))
}

/// What built-in source `id` holds, for messages and origins: `chart redis-cluster 7.6.4`, or
/// `chart redis-cluster (every version)` for what every version agrees on.
pub fn origin(id: SourceId) -> Option<String> {
    let n = id.0.checked_sub(SourceId::BUILTIN)?;
    let chart = *Chart::ALL.get((n >> 16) as usize)?;
    match n & 0xFFFF {
        0xFFFF => Some(format!("chart {} (every version)", chart.name())),
        i => Some(format!(
            "chart {} {}",
            chart.name(),
            versions(chart).get(i as usize)?.version()
        )),
    }
}

/// How a finding names a default it was given: `value from the defaults of chart redis-cluster
/// 7.6.4`, or `… of every kube-acp-stack version` when the version is not known but they all agree.
pub fn default_phrase(id: SourceId) -> Option<String> {
    let n = id.0.checked_sub(SourceId::BUILTIN)?;
    let chart = *Chart::ALL.get((n >> 16) as usize)?;
    match n & 0xFFFF {
        0xFFFF => Some(format!(
            "value from the defaults of every {} version",
            chart.name()
        )),
        _ => origin(id).map(|o| format!("value from the defaults of {o}")),
    }
}

/// Every version of `chart`, in release order (by release date: Cloudentity releases `2.8.1-1`
/// after `2.8.1`, which SemVer orders before it).
pub fn versions(chart: Chart) -> &'static [ChartVersion] {
    chart.tables().versions
}

/// The version of `chart` written exactly so (a leading `v` is accepted).
pub fn find(chart: Chart, version: &str) -> Option<&'static ChartVersion> {
    let version = version.trim();
    let version = version.strip_prefix('v').unwrap_or(version);
    let tables = chart.tables();
    let at = |i: usize| &tables.versions[tables.by_text[i] as usize];
    let i = tables
        .by_text
        .partition_point(|&v| tables.versions[v as usize].version() < version);
    (i < tables.by_text.len() && at(i).version() == version).then(|| at(i))
}

/// The version Helm (and Flux) would install for `written`: an exact version, else the highest
/// version (by SemVer, as Helm's repository index picks it) that the constraint matches, with Helm's
/// constraint syntax (Masterminds semver: `7.6.x`, `>=7 <8`, `>=7.0.0, <8.0.0`, `~11.4`, `^11`,
/// `7.0 - 8.0`, `!=`, `||`; empty or `*` for the newest). As in Helm, a range matches a prerelease
/// (SemVer's reading of Cloudentity's `2.8.1-1`) only if it names a prerelease itself.
pub fn resolve(chart: Chart, written: &str) -> Option<&'static ChartVersion> {
    if let Some(exact) = find(chart, written) {
        return Some(exact);
    }
    let constraint = Constraint::parse(written.trim())?;
    let tables = chart.tables();
    // Parsed as they are tried: the newest versions match most constraints.
    tables
        .by_semver
        .iter()
        .map(|&index| &tables.versions[index as usize])
        .find(|v| semver::Version::parse(v.version()).is_ok_and(|semver| constraint.matches(&semver)))
}

/// One published version of a chart.
pub struct ChartVersion {
    chart: Chart,
    /// In [`versions`].
    index: u16,
    version: u16,
    date: u16,
    app_version: u16,
    home: u16,
    sources: (u16, u16),
    dependencies: (u16, u16),
}

impl std::fmt::Debug for ChartVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.chart.name(), self.version())
    }
}

impl PartialEq for ChartVersion {
    fn eq(&self, other: &ChartVersion) -> bool {
        self.chart == other.chart && self.index == other.index
    }
}

/// Whether a key path exists in a chart version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Key {
    /// The version has it: a default value, keys below it, or a key its values.yaml documents in a
    /// comment (or its templates read) without a default.
    Known,
    /// The version has no such key; `known_siblings` are the keys it does have beside it (sorted), for
    /// "did you mean".
    Unknown { known_siblings: Vec<&'static str> },
    /// Not the chart's to judge: inside a map that takes any key (`{}` defaults such as
    /// `podAnnotations`, Kubernetes objects passed through, `global`, the platform's config sections),
    /// inside a list, or below a default that is not a map.
    Open,
}

impl Key {
    /// Both trees' answer, for a key that either may know (an umbrella chart and its dependency).
    fn or(self, other: Key) -> Key {
        match (self, other) {
            (Key::Known, _) | (_, Key::Known) => Key::Known,
            (Key::Open, _) | (_, Key::Open) => Key::Open,
            (
                Key::Unknown {
                    known_siblings: mut a,
                },
                Key::Unknown { known_siblings: b },
            ) => {
                a.extend(b);
                a.sort_unstable();
                a.dedup();
                Key::Unknown { known_siblings: a }
            }
        }
    }
}

/// A map of the default values that names an image: it has `repository`, and `tag` or `digest`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    /// The keys of the map, from the chart's top level (`["metrics", "image"]`).
    pub path: Vec<&'static str>,
    pub registry: Option<&'static str>,
    pub repository: &'static str,
    /// `None` when the default is null (the chart then uses its appVersion, or fails).
    pub tag: Option<&'static str>,
    pub digest: Option<&'static str>,
}

impl ChartVersion {
    pub fn chart(&self) -> Chart {
        self.chart
    }

    /// The chart version, as `Chart.yaml` gives it.
    pub fn version(&self) -> &'static str {
        text(self.version.into())
    }

    /// The release date, `YYYY-MM-DD`.
    pub fn date(&self) -> &'static str {
        text(self.date.into())
    }

    /// `appVersion` of `Chart.yaml` (for redis-cluster: the Redis version of the default image).
    pub fn app_version(&self) -> Option<&'static str> {
        optional(self.app_version)
    }

    /// `home` of `Chart.yaml`.
    pub fn home(&self) -> Option<&'static str> {
        optional(self.home)
    }

    /// `sources` of `Chart.yaml`.
    pub fn sources(&self) -> impl Iterator<Item = &'static str> {
        let (start, end) = self.sources;
        SOURCES[start as usize..end as usize]
            .iter()
            .map(|&id| text(id.into()))
    }

    /// The dependencies of `Chart.yaml` (sorted by values key). The `apiVersion: v1` charts (Bitnami's
    /// redis-cluster before 4.0.0) list theirs in `requirements.yaml`, which is not part of the data.
    pub fn dependencies(&self) -> &'static [Dependency] {
        let (start, end) = self.dependencies;
        &DEPENDENCIES[start as usize..end as usize]
    }

    /// The default values (the chart's own `values.yaml`, as Helm reads it) as a tree whose every node
    /// is at `span`. Maps are in key order (as Helm prints them). For an umbrella chart this is its
    /// own values only: its dependencies' defaults are theirs ([`Dependency::resolve`]), under their
    /// values key.
    pub fn defaults(&self, span: Span) -> Node {
        self.build(0, span)
            .unwrap_or_else(|| Node::new(Value::Map(Map::default()), span))
    }

    /// The default value at `path` (map keys from the top level), at the version's built-in source
    /// ([`origin`] names it), made on first use: rules look up a few leaves in each of hundreds of
    /// versions when the version is not known, and a whole tree per version cost more than the
    /// lint of a file.
    pub fn default_at(&self, path: &[&str]) -> Option<&'static Node> {
        self.default_alone(path)
    }

    /// Whether [`ChartVersion::default_at`] finds a default at `path`, without building it.
    pub fn has_default(&self, path: &[&str]) -> bool {
        self.node_at(path)
            .is_some_and(|node| path.is_empty() || self.states()[node] & VALUES_BELOW != 0)
    }

    fn default_alone(&self, path: &[&str]) -> Option<&'static Node> {
        // Per chart, by version and node: a map, not a table per version, as a run looks up a
        // few nodes of each of hundreds of versions.
        static BUILT: [OnceLock<Built>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
        let node = self.node_at(path)?;
        let key = u32::from(self.index) << 16 | node as u32;
        let span = Span::new(self.source(), 0..0);
        let cache = BUILT[self.chart.index() as usize].get_or_init(Built::default);
        built(cache, key, node, span, || self.build(node, span))
    }

    /// The built-in source id of this version's defaults.
    pub fn source(&self) -> SourceId {
        self.chart.source(Some(self.index))
    }

    /// Whether the version has the key at `path` (map keys from the top level). For an umbrella chart,
    /// the keys under a dependency's values key are judged by the dependency's version (an umbrella's
    /// own overrides are known too), and those of a dependency acp-check has no data for are open;
    /// the dependencies' conditions (`redis-cluster.enabled`) are known, and `tags` is open when a
    /// dependency has tags. `global` is open in every chart.
    pub fn key(&self, path: &[&str]) -> Key {
        self.judge_key(path, true)
    }

    /// Whether [`ChartVersion::key`] is not [`Key::Unknown`] (without making its siblings).
    pub fn has_key(&self, path: &[&str]) -> bool {
        !matches!(self.judge_key(path, false), Key::Unknown { .. })
    }

    /// [`ChartVersion::key`], with the known siblings of an unknown key only if `siblings`.
    fn judge_key(&self, path: &[&str], siblings: bool) -> Key {
        let Some((&first, rest)) = path.split_first() else {
            return Key::Known;
        };
        if first == "global" {
            return Key::Open;
        }
        let own = self.own_key(path, siblings);
        let dependencies = self.dependencies();
        if dependencies.is_empty() {
            return own;
        }
        if first == "tags" && dependencies.iter().any(|d| d.tags().next().is_some()) {
            return Key::Open;
        }
        // `written == path.join(".")`, without the join.
        let is_path = |written: &str| {
            let mut rest = written;
            path.iter().enumerate().all(|(i, segment)| {
                let dot = if i == 0 {
                    Some(rest)
                } else {
                    rest.strip_prefix('.')
                };
                match dot.and_then(|r| r.strip_prefix(segment)) {
                    Some(r) => {
                        rest = r;
                        true
                    }
                    None => false,
                }
            }) && rest.is_empty()
        };
        let condition = dependencies.iter().any(|d| {
            d.condition()
                .is_some_and(|c| c.split(',').any(|c| is_path(c.trim())))
        });
        if condition {
            return Key::Known;
        }
        match dependencies.iter().find(|d| d.values_key() == first) {
            Some(_) if rest.is_empty() => Key::Known,
            Some(dependency) => {
                let theirs = dependency
                    .resolve()
                    .map_or(Key::Open, |v| v.judge_key(rest, siblings));
                own.or(theirs)
            }
            None if rest.is_empty() => own.or(Key::Unknown {
                known_siblings: match siblings {
                    true => dependencies.iter().map(Dependency::values_key).collect(),
                    false => Vec::new(),
                },
            }),
            None => own,
        }
    }

    /// The images of the default values, in key order. For an umbrella chart, also the images of the
    /// dependencies acp-check has data for, under their values key, with the fields the umbrella's
    /// own values set there (kube-acp-stack 2.26.2 sets only `redis-cluster.image.repository`).
    /// `global.imageRegistry` is not applied.
    pub fn images(&self) -> Vec<Image> {
        let mut images = Vec::new();
        let resolved: Vec<(&'static str, &'static ChartVersion)> = self
            .dependencies()
            .iter()
            .filter_map(|d| Some((d.values_key(), d.resolve()?)))
            .collect();
        self.find_images(0, &mut Vec::new(), &mut images);
        images.retain(|image| !resolved.iter().any(|(key, _)| image.path.first() == Some(key)));
        let tables = self.chart.tables();
        for (key, dependency) in resolved {
            for mut image in dependency.images() {
                image.path.insert(0, key);
                if let Some(node) = self.node_at(&image.path) {
                    let set = |field: &str| self.value_of(tables.child(node, field)?);
                    if let Some(registry) = set("registry") {
                        image.registry = registry;
                    }
                    if let Some(Some(repository)) = set("repository") {
                        image.repository = repository;
                    }
                    if let Some(tag) = set("tag") {
                        image.tag = tag;
                    }
                    if let Some(digest) = set("digest") {
                        image.digest = digest;
                    }
                }
                images.push(image);
            }
        }
        images
    }

    /// Per node of the chart's tables: its state in this version.
    fn states(&self) -> &'static [u8] {
        let tables = self.chart.tables();
        let n = tables.node_key.len();
        let at = tables.version_states[self.index as usize] as usize * n;
        &tables.states[at..at + n]
    }

    /// The live child of `node` with map key `key`.
    fn child(&self, node: usize, key: &str) -> Option<usize> {
        let child = self.chart.tables().child(node, key)?;
        (self.states()[child] & LIVE != 0).then_some(child)
    }

    /// The node of the map keys `path`, if the version has it.
    fn node_at(&self, path: &[&str]) -> Option<usize> {
        path.iter().try_fold(0, |node, key| self.child(node, key))
    }

    /// The chart version's own key tree (no dependencies).
    fn own_key(&self, path: &[&str], siblings: bool) -> Key {
        let (tables, states) = (self.chart.tables(), self.states());
        let mut node = 0;
        if states[node] & LIVE == 0 {
            return Key::Open;
        }
        for key in path {
            if states[node] & OPEN_BELOW != 0 {
                return Key::Open;
            }
            match self.child(node, key) {
                Some(child) => node = child,
                None if !siblings => {
                    return Key::Unknown {
                        known_siblings: Vec::new(),
                    }
                }
                None => {
                    let known_siblings = tables
                        .children(node)
                        .filter(|&c| states[c] & LIVE != 0)
                        .filter_map(|c| tables.key(c))
                        .collect();
                    return Key::Unknown { known_siblings };
                }
            }
        }
        Key::Known
    }

    /// The default value at `node`, if it is a string or null (`Some(None)`); `None` otherwise.
    fn value_of(&self, node: usize) -> Option<Option<&'static str>> {
        let tables = self.chart.tables();
        let version = self.index as usize;
        let row = tables
            .rows(node)
            .find(|&r| tables.live(r, version) && !matches!(tables.row_value[r] >> 28, DOC | OPEN))?;
        let value = tables.row_value[row];
        match value >> 28 {
            STR => Some(Some(text(value & 0x0FFF_FFFF))),
            NULL => Some(None),
            _ => None,
        }
    }

    fn find_images(&self, node: usize, path: &mut Vec<&'static str>, out: &mut Vec<Image>) {
        let (tables, states) = (self.chart.tables(), self.states());
        if states[node] & VALUE != 0 {
            return;
        }
        let field = |key: &str| self.child(node, key).map(|c| self.value_of(c));
        if let Some(Some(Some(repository))) = field("repository") {
            let (tag, digest) = (field("tag"), field("digest"));
            if tag.is_some() || digest.is_some() {
                out.push(Image {
                    path: path.clone(),
                    registry: field("registry").flatten().flatten(),
                    repository,
                    tag: tag.flatten().flatten(),
                    digest: digest.flatten().flatten(),
                });
            }
        }
        for child in tables.children(node) {
            if let (Some(key), true) = (tables.key(child), states[child] & LIVE != 0) {
                path.push(key);
                self.find_images(child, path, out);
                path.pop();
            }
        }
    }

    /// The default value at `node`, as a tree at `span`; `None` if the version has no default there
    /// (the key is absent, or only documented).
    fn build(&self, node: usize, span: Span) -> Option<Node> {
        let (tables, states) = (self.chart.tables(), self.states());
        let state = states[node];
        if state & LIVE == 0 {
            return None;
        }
        let version = self.index as usize;
        if state & VALUE != 0 {
            let row = tables
                .rows(node)
                .find(|&r| tables.live(r, version) && !matches!(tables.row_value[r] >> 28, DOC | OPEN))?;
            return Some(Node::new(scalar(tables.row_value[row]), span));
        }
        let mut entries = Vec::new();
        let mut items = Vec::new();
        for child in tables.children(node) {
            if let Some(value) = self.build(child, span) {
                match tables.key(child) {
                    Some(key) => entries.push(Entry {
                        key: key.to_string(),
                        key_span: span,
                        value,
                    }),
                    None => items.push(value),
                }
            }
        }
        if !items.is_empty() {
            Some(Node::new(Value::Seq(items), span))
        } else if !entries.is_empty() {
            Some(Node::new(Value::Map(Map { entries }), span))
        } else {
            None
        }
    }
}

fn scalar(value: u32) -> Value {
    let payload = value & 0x0FFF_FFFF;
    match value >> 28 {
        NULL => Value::Null,
        BOOL => Value::Bool(payload == 1),
        INT => Value::Int(INTS[payload as usize]),
        FLOAT => Value::Float(FLOATS[payload as usize]),
        STR => Value::Str(text(payload).to_string()),
        EMPTY_MAP => Value::Map(Map::default()),
        EMPTY_SEQ => Value::Seq(Vec::new()),
        kind => unreachable!("row kind {kind} is not a value"),
    }
}

/// What every version of a chart agrees on ([`Chart::agreed`]).
pub struct Agreed {
    chart: Chart,
    /// By node, made on first use: the agreed values there, at the chart's built-in source for them.
    made: Built,
}

/// A chart default, as far as the version is known.
#[derive(Clone, Copy, Debug)]
pub enum Agreement<'a> {
    Set(&'a Node),
    /// No version sets a value there (or every version leaves it empty in different ways).
    Unset,
    /// Versions disagree: the value depends on the chart version.
    Differs,
}

impl Agreed {
    fn new(chart: Chart) -> Agreed {
        Agreed {
            chart,
            made: Mutex::default(),
        }
    }

    /// The agreed values at `node` (their subtree of the whole agreed tree).
    fn at(&self, node: usize) -> Option<&'static Node> {
        let span = Span::new(self.source(), 0..0);
        built(&self.made, node as u32, node, span, || {
            Self::build(self.chart.tables(), node, span)
        })
    }

    /// The node at `path` in the tables, and whether the way there passes a list (a node with
    /// items, in some version): the agreed tree has a list there, or nothing, so no key below it.
    /// A node whose own value versions disagree on is left out of the tree, with all below it.
    fn node_at(&self, path: &[&str]) -> Result<(usize, bool), Agreement<'static>> {
        let tables = self.chart.tables();
        let (mut node, mut through_list) = (0, false);
        for key in path {
            if tables.agreed_flags[node] & OWN_DIFFERS != 0 {
                return Err(Agreement::Differs);
            }
            through_list |= tables.children(node).any(|c| tables.node_key[c] & INDEX != 0);
            match tables.child(node, key) {
                Some(child) => node = child,
                None => return Err(Agreement::Unset),
            }
        }
        Ok((node, through_list))
    }

    fn build(tables: &Tables, node: usize, span: Span) -> Option<Node> {
        let flags = tables.agreed_flags[node];
        if flags & OWN_DIFFERS != 0 {
            return None;
        }
        let row = tables.agreed_row[node];
        if row != NONE {
            return Some(Node::new(scalar(tables.row_value[row as usize]), span));
        }
        let mut entries = Vec::new();
        let mut items = Vec::new();
        let mut list = false;
        for child in tables.children(node) {
            match tables.key(child) {
                Some(key) => {
                    if let Some(value) = Self::build(tables, child, span) {
                        entries.push(Entry {
                            key: key.to_string(),
                            key_span: span,
                            value,
                        });
                    }
                }
                None => {
                    list = true;
                    if flags & DIFFERS == 0 {
                        items.extend(Self::build(tables, child, span));
                    }
                }
            }
        }
        if list {
            return (flags & DIFFERS == 0).then(|| Node::new(Value::Seq(items), span));
        }
        if !entries.is_empty() {
            return Some(Node::new(Value::Map(Map { entries }), span));
        }
        // An empty value every version gives alike (`password: ""`, `podAnnotations: {}`).
        let mut empty = tables
            .rows(node)
            .map(|r| tables.row_value[r])
            .filter(|v| !matches!(v >> 28, DOC | OPEN));
        let first = empty.next()?;
        empty.all(|v| v == first).then(|| Node::new(scalar(first), span))
    }

    pub fn chart(&self) -> Chart {
        self.chart
    }

    /// The built-in source of the agreed values.
    pub fn source(&self) -> SourceId {
        self.chart.source(None)
    }

    /// The default at `path` (map keys from the top level), as far as every version agrees.
    pub fn lookup(&self, path: &[&str]) -> Agreement<'static> {
        let (node, through_list) = match self.node_at(path) {
            Ok(found) => found,
            Err(found) => return found,
        };
        if self.chart.tables().agreed_flags[node] & DIFFERS != 0 {
            return Agreement::Differs;
        }
        if through_list {
            return Agreement::Unset;
        }
        match self.at(node) {
            Some(found) => Agreement::Set(found),
            None => Agreement::Unset,
        }
    }

    /// The agreed values at `path` as a tree: what versions agree on below it even where they
    /// disagree on some keys (those are left out).
    pub fn tree_at(&self, path: &[&str]) -> Option<&'static Node> {
        let (node, through_list) = self.node_at(path).ok()?;
        if through_list || self.chart.tables().agreed_flags[node] & OWN_DIFFERS != 0 {
            return None;
        }
        self.at(node)
    }
}

/// A dependency in `Chart.yaml`.
#[derive(Debug)]
pub struct Dependency {
    name: u16,
    alias: u16,
    version: u16,
    repository: u16,
    condition: u16,
    tags: (u16, u16),
}

impl Dependency {
    pub fn name(&self) -> &'static str {
        text(self.name.into())
    }

    pub fn alias(&self) -> Option<&'static str> {
        optional(self.alias)
    }

    /// The version or range, as written.
    pub fn version(&self) -> &'static str {
        optional(self.version).unwrap_or("")
    }

    pub fn repository(&self) -> Option<&'static str> {
        optional(self.repository)
    }

    pub fn condition(&self) -> Option<&'static str> {
        optional(self.condition)
    }

    pub fn tags(&self) -> impl Iterator<Item = &'static str> {
        let (start, end) = self.tags;
        TAGS[start as usize..end as usize]
            .iter()
            .map(|&id| text(id.into()))
    }

    /// The key of the parent's values that holds this dependency's values: the alias, else the name.
    pub fn values_key(&self) -> &'static str {
        self.alias().unwrap_or_else(|| self.name())
    }

    /// The chart, if acp-check has data for it.
    pub fn chart(&self) -> Option<Chart> {
        Chart::identify(self.name(), self.repository().unwrap_or(""))
    }

    /// The version Helm would use, if acp-check has data for the chart and the version.
    pub fn resolve(&self) -> Option<&'static ChartVersion> {
        resolve(self.chart()?, self.version())
    }
}

/// A Helm version constraint (Masterminds semver v3, as Helm and Flux read one): `||`-separated
/// groups of comparators that must all match.
struct Constraint {
    /// Each group, and whether it names a prerelease (only then may it match one).
    groups: Vec<(Vec<Comparator>, bool)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    /// No operator or `=`: equal, or `~` when the version has a wildcard.
    Equal,
    NotEqual,
    Greater,
    GreaterEqual,
    Less,
    LessEqual,
    Tilde,
    Caret,
}

struct Comparator {
    op: Op,
    /// The version with wildcards and missing parts as 0.
    version: semver::Version,
    /// `*`: any version.
    any: bool,
    /// The minor (and so the patch) is a wildcard or missing: `1`, `1.x`.
    minor_wild: bool,
    /// Only the patch is a wildcard or missing: `1.2`, `1.2.x`.
    patch_wild: bool,
}

impl Constraint {
    fn parse(text: &str) -> Option<Constraint> {
        let mut groups = Vec::new();
        for group in text.split("||") {
            let comparators = Self::group(group)?;
            let prerelease = comparators.iter().any(|c| !c.version.pre.is_empty());
            groups.push((comparators, prerelease));
        }
        Some(Constraint { groups })
    }

    fn group(text: &str) -> Option<Vec<Comparator>> {
        let tokens: Vec<&str> = text
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|t| !t.is_empty())
            .collect();
        let mut comparators = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            let mut token = tokens[i];
            i += 1;
            // An operator written apart from its version (`>= 7`).
            if token.chars().all(|c| "=!<>~^".contains(c)) {
                let version = tokens.get(i)?;
                i += 1;
                let joined = format!("{token}{version}");
                comparators.push(Comparator::parse(&joined)?);
                continue;
            }
            // A hyphen range, `1.2 - 1.4.5`: at least 1.2, at most 1.4.5.
            if tokens.get(i) == Some(&"-") {
                let upper = tokens.get(i + 1)?;
                i += 2;
                comparators.push(Comparator::parse(&format!(">={token}"))?);
                token = upper;
                comparators.push(Comparator::parse(&format!("<={token}"))?);
                continue;
            }
            comparators.push(Comparator::parse(token)?);
        }
        (!comparators.is_empty() || text.trim().is_empty()).then_some(comparators)
    }

    fn matches(&self, version: &semver::Version) -> bool {
        self.groups.iter().any(|(comparators, prerelease)| {
            (version.pre.is_empty() || *prerelease) && comparators.iter().all(|c| c.matches(version))
        })
    }
}

impl Comparator {
    fn parse(text: &str) -> Option<Comparator> {
        let split = text.find(|c: char| !"=!<>~^".contains(c)).unwrap_or(text.len());
        let (op, rest) = text.split_at(split);
        let op = match op {
            "" | "=" => Op::Equal,
            "!=" => Op::NotEqual,
            ">" => Op::Greater,
            ">=" | "=>" => Op::GreaterEqual,
            "<" => Op::Less,
            "<=" | "=<" => Op::LessEqual,
            "~" | "~>" => Op::Tilde,
            "^" => Op::Caret,
            _ => return None,
        };
        let rest = rest.strip_prefix('v').unwrap_or(rest);
        let rest = rest.split_once('+').map_or(rest, |(core, _build)| core);
        let (core, pre) = rest.split_once('-').unwrap_or((rest, ""));
        let mut parts = core.split('.');
        let wild = |p: &str| matches!(p, "x" | "X" | "*");
        let number = |p: Option<&str>| -> Option<Option<u64>> {
            match p {
                None => Some(None),
                Some(p) if wild(p) => Some(None),
                Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
                    Some(Some(p.parse().ok()?))
                }
                Some(_) => None,
            }
        };
        let major = number(parts.next())?;
        let minor = number(parts.next())?;
        let patch = number(parts.next())?;
        if parts.next().is_some() {
            return None;
        }
        let pre = if pre.is_empty() {
            semver::Prerelease::EMPTY
        } else {
            semver::Prerelease::new(pre).ok()?
        };
        let (any, minor_wild, patch_wild) = (major.is_none(), minor.is_none(), patch.is_none());
        let mut version = semver::Version::new(
            major.unwrap_or(0),
            if minor_wild { 0 } else { minor.unwrap_or(0) },
            if minor_wild || patch_wild {
                0
            } else {
                patch.unwrap_or(0)
            },
        );
        version.pre = pre;
        Some(Comparator {
            op,
            version,
            any,
            minor_wild: !any && minor_wild,
            patch_wild: !any && !minor_wild && patch_wild,
        })
    }

    /// Masterminds semver v3's checks (its constraint functions), the prerelease rule aside.
    fn matches(&self, v: &semver::Version) -> bool {
        use std::cmp::Ordering::*;
        let c = &self.version;
        if self.any {
            return self.op != Op::NotEqual;
        }
        let wild = self.minor_wild || self.patch_wild;
        let order = v.cmp_precedence(c);
        let tilde = || {
            // `~0.0.0` is any version.
            let zero = c.major == 0 && c.minor == 0 && c.patch == 0 && !wild;
            order != Less && (zero || (v.major == c.major && (self.minor_wild || v.minor == c.minor)))
        };
        match self.op {
            Op::Equal if wild => tilde(),
            Op::Equal => order == Equal,
            Op::NotEqual if self.minor_wild => v.major != c.major,
            Op::NotEqual if self.patch_wild => v.major != c.major || v.minor != c.minor,
            Op::NotEqual => order != Equal,
            Op::Greater if self.minor_wild => v.major > c.major,
            Op::Greater if self.patch_wild => v.major > c.major || (v.major == c.major && v.minor > c.minor),
            Op::Greater => order == Greater,
            Op::GreaterEqual => order != Less,
            Op::Less => order == Less,
            Op::LessEqual if self.minor_wild => v.major <= c.major,
            Op::LessEqual if self.patch_wild => {
                v.major < c.major || (v.major == c.major && v.minor <= c.minor)
            }
            Op::LessEqual => order != Greater,
            Op::Tilde => tilde(),
            Op::Caret => {
                order != Less
                    && if c.major > 0 || self.minor_wild {
                        v.major == c.major
                    } else if c.minor > 0 || self.patch_wild {
                        v.major == 0 && v.minor == c.minor
                    } else {
                        v.major == 0 && v.minor == 0 && v.patch == c.patch
                    }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::source::SourceId;

    fn rc(version: &str) -> &'static ChartVersion {
        find(Chart::RedisCluster, version).unwrap_or_else(|| panic!("redis-cluster {version}"))
    }

    fn stack(version: &str) -> &'static ChartVersion {
        find(Chart::KubeAcpStack, version).unwrap_or_else(|| panic!("kube-acp-stack {version}"))
    }

    /// The state bits agree with the defaults they stand for.
    #[test]
    fn a_default_is_had_where_one_is_built() {
        for chart in Chart::ALL {
            let tables = chart.tables();
            let mut paths: Vec<Vec<&str>> = vec![Vec::new()];
            let mut i = 0;
            while i < paths.len() {
                let path = paths[i].clone();
                let node = tables.node_at_any(&path);
                for child in tables.children(node) {
                    if let Some(key) = tables.key(child) {
                        paths.push(path.iter().copied().chain([key]).collect());
                    }
                }
                i += 1;
            }
            for version in versions(chart) {
                for path in &paths {
                    assert_eq!(
                        version.has_default(path),
                        version.default_at(path).is_some(),
                        "{version:?} {path:?}"
                    );
                }
            }
        }
    }

    /// The child table finds every map key of every node, and nothing else.
    #[test]
    fn every_child_is_found_by_its_key_and_no_other_key_is() {
        for chart in Chart::ALL {
            let tables = chart.tables();
            for node in 0..tables.node_key.len() {
                for child in tables.children(node) {
                    let Some(key) = tables.key(child) else {
                        assert_eq!(tables.child(node, "0"), None, "{} node {node}", chart.name());
                        continue;
                    };
                    assert_eq!(tables.child(node, key), Some(child), "{} {key}", chart.name());
                    for other in [
                        format!("{key}x"),
                        key[..key.len() - 1].to_string(),
                        key.to_uppercase(),
                    ] {
                        let found = tables.child(node, &other);
                        assert!(
                            found.is_none_or(|c| tables.key(c) == Some(other.as_str())),
                            "{} {other}",
                            chart.name()
                        );
                    }
                }
            }
        }
    }

    /// Each version is found by its text, and the SemVer order is the one `resolve` relies on.
    #[test]
    fn versions_are_found_by_their_text_and_ordered_by_semver() {
        for chart in Chart::ALL {
            for version in versions(chart) {
                assert!(std::ptr::eq(find(chart, version.version()).unwrap(), version));
                assert!(std::ptr::eq(
                    find(chart, &format!(" v{} ", version.version())).unwrap(),
                    version
                ));
            }
            assert!(find(chart, "0.0.0-none").is_none());
            let tables = chart.tables();
            let parsed: Vec<semver::Version> = tables
                .by_semver
                .iter()
                .map(|&i| semver::Version::parse(tables.versions[i as usize].version()).unwrap())
                .collect();
            assert!(parsed.windows(2).all(|w| w[0].cmp_precedence(&w[1]).is_ge()));
            let parses = versions(chart)
                .iter()
                .filter(|v| semver::Version::parse(v.version()).is_ok())
                .count();
            assert_eq!(parsed.len(), parses, "{}", chart.name());
        }
    }

    fn acp(version: &str) -> &'static ChartVersion {
        find(Chart::Acp, version).unwrap_or_else(|| panic!("acp {version}"))
    }

    fn span() -> Span {
        Span::new(SourceId(7), 3..9)
    }

    fn value(version: &ChartVersion, path: &[&str]) -> Option<Value> {
        version.defaults(span()).get(path).map(|n| n.value.clone())
    }

    fn image<'a>(images: &'a [Image], path: &[&str]) -> &'a Image {
        images
            .iter()
            .find(|i| i.path == path)
            .unwrap_or_else(|| panic!("no image at {path:?} in {images:?}"))
    }

    fn position(chart: Chart, version: &str) -> usize {
        versions(chart)
            .iter()
            .position(|v| v.version() == version)
            .unwrap_or_else(|| panic!("{} {version}", chart.name()))
    }

    #[test]
    fn every_published_version_is_there() {
        assert_eq!(versions(Chart::RedisCluster).len(), 339);
        // kube-acp-stack "7.0.0" in SOURCES.tsv is a broken Chart.yaml, not a chart (tools/charts/gen.py).
        assert_eq!(versions(Chart::KubeAcpStack).len(), 127);
        assert_eq!(versions(Chart::Acp).len(), 133);
        assert_eq!(rc("7.6.4").app_version(), Some("6.2.7"));
        assert_eq!(
            rc("7.6.4").home(),
            Some("https://github.com/bitnami/charts/tree/master/bitnami/redis-cluster")
        );
        assert!(rc("7.6.4")
            .sources()
            .any(|s| s == "https://github.com/bitnami/bitnami-docker-redis"));
        assert_eq!(acp("2.25.0").app_version(), Some("2.25.0"));
        assert_eq!(acp("2.25.0").home(), None);
        assert_eq!(
            stack("2.24.1").sources().collect::<Vec<_>>(),
            ["https://github.com/cloudentity/acp-helm-charts"]
        );
    }

    #[test]
    fn redis_cluster_default_images() {
        let images = rc("7.6.4").images();
        let redis = image(&images, &["image"]);
        assert_eq!(redis.registry, Some("docker.io"));
        assert_eq!(redis.repository, "bitnami/redis-cluster");
        assert_eq!(redis.tag, Some("6.2.7-debian-11-r9"));
        assert_eq!(redis.digest, None, "7.6.4 has no digest key");
        assert_eq!(
            image(&images, &["metrics", "image"]).repository,
            "bitnami/redis-exporter"
        );
        assert_eq!(
            image(&images, &["sysctlImage"]).repository,
            "bitnami/bitnami-shell"
        );
        assert_eq!(
            image(&images, &["volumePermissions", "image"]).repository,
            "bitnami/bitnami-shell"
        );
        assert_eq!(images.len(), 4, "{images:?}");

        let images = rc("11.5.4").images();
        let redis = image(&images, &["image"]);
        assert!(redis.tag.unwrap().starts_with("7.4.3"), "{redis:?}");
        assert_eq!(redis.digest, Some(""));
        assert_eq!(image(&images, &["sysctlImage"]).repository, "bitnami/os-shell");
    }

    #[test]
    fn the_old_version_table_is_answered() {
        // data/redis-cluster-chart-versions.tsv (src/rules/versions.rs): chart version → Redis
        // version (appVersion) and default image tag.
        let table = include_str!("../../data/redis-cluster-chart-versions.tsv");
        let mut rows = 0;
        for line in table.lines().skip(1) {
            let fields: Vec<&str> = line.split('\t').collect();
            let version = rc(fields[0]);
            assert_eq!(version.app_version(), Some(fields[1]), "{line}");
            assert_eq!(
                image(&version.images(), &["image"]).tag,
                Some(fields[2]),
                "{line}"
            );
            rows += 1;
        }
        assert_eq!(rows, versions(Chart::RedisCluster).len());
    }

    #[test]
    fn keys_by_version() {
        let unknown = |key: Key| match key {
            Key::Unknown { known_siblings } => known_siblings,
            other => panic!("expected unknown, got {other:?}"),
        };
        for v in ["7.6.4", "8.2.7"] {
            let siblings = unknown(rc(v).key(&["redis", "defaultConfigOverride"]));
            assert!(siblings.contains(&"configmap"), "{siblings:?}");
        }
        for v in ["8.3.0", "11.4.3", "11.5.4", "13.0.5"] {
            assert_eq!(rc(v).key(&["redis", "defaultConfigOverride"]), Key::Known, "{v}");
        }
        let siblings = unknown(rc("7.6.4").key(&["persistence", "enabled"]));
        assert!(siblings.contains(&"size"), "{siblings:?}");
        for v in ["11.0.0", "11.5.4"] {
            assert_eq!(rc(v).key(&["persistence", "enabled"]), Key::Known);
            assert_eq!(value(rc(v), &["persistence", "enabled"]), Some(Value::Bool(true)));
        }
        let siblings = unknown(rc("7.6.4").key(&["cluster", "replica"]));
        assert!(
            siblings.contains(&"replicas") && siblings.contains(&"nodes"),
            "{siblings:?}"
        );
        assert!(siblings.windows(2).all(|w| w[0] < w[1]), "sorted: {siblings:?}");
        assert!(matches!(
            rc("7.6.4").key(&["redis", "extraFlags"]),
            Key::Unknown { .. }
        ));
        assert!(matches!(
            rc("11.5.4").key(&["usePasswordFile"]),
            Key::Unknown { .. }
        ));
        assert_eq!(rc("11.4.3").key(&["usePasswordFile"]), Key::Known);
        assert!(matches!(
            rc("11.2.1").key(&["namespaceOverride"]),
            Key::Unknown { .. }
        ));
        assert_eq!(rc("11.2.2").key(&["namespaceOverride"]), Key::Known);
        // The port keys of the three eras.
        assert_eq!(rc("2.3.5").key(&["redisPort"]), Key::Known);
        assert_eq!(rc("6.3.9").key(&["redis", "port"]), Key::Known);
        assert!(matches!(rc("7.0.0").key(&["redis", "port"]), Key::Unknown { .. }));
        assert_eq!(rc("7.0.0").key(&["redis", "containerPorts", "redis"]), Key::Known);
        // A key documented only in a comment (`# existingSecret:` in the 1.x values).
        assert_eq!(rc("1.0.0").key(&["existingSecret"]), Key::Known);
        assert_eq!(
            value(rc("1.0.0"), &["existingSecret"]),
            None,
            "documented, no default"
        );
        // A deeper key below a key is still judged.
        assert!(matches!(rc("7.6.4").key(&["tls", "enable"]), Key::Unknown { .. }));
        assert_eq!(rc("7.6.4").key(&[]), Key::Known);
    }

    #[test]
    fn open_maps_never_make_a_key_unknown() {
        let v = rc("7.6.4");
        for path in [
            &["commonAnnotations", "example.com/x"][..], // {}
            &["redis", "podLabels", "team"],             // {}
            &["global", "anything", "at", "all"],        // global, in every chart
            &["redis", "resources", "limits", "cpu"],    // Kubernetes object
            &["podSecurityContext", "runAsGroup"],       // Kubernetes object with documented keys
            &["metrics", "podAnnotations", "x"],         // documented as one value (@param)
            &["redis", "extraEnvVars", "0", "name"],     // a list
            &["redis", "configmap", "x"],                // below a string default
            &["usePassword", "x"],                       // below a boolean default
        ] {
            assert_eq!(v.key(path), Key::Open, "{path:?}");
        }
        assert_eq!(
            acp("2.25.0").key(&["global", "x"]),
            Key::Open,
            "no `global` in the acp chart"
        );
    }

    #[test]
    fn defaults_are_typed_as_helm_reads_them() {
        let v = rc("7.6.4");
        let defaults = v.defaults(span());
        assert_eq!(defaults.span, span());
        let cluster = defaults.get(&["cluster"]).unwrap();
        assert_eq!(cluster.span, span());
        assert_eq!(cluster.as_map().unwrap().entries[0].key_span, span());
        assert_eq!(value(v, &["cluster", "nodes"]), Some(Value::Int(6)));
        assert_eq!(value(v, &["cluster", "replicas"]), Some(Value::Int(1)));
        assert_eq!(value(v, &["usePassword"]), Some(Value::Bool(true)));
        assert_eq!(value(v, &["password"]), Some(Value::Str(String::new())));
        assert_eq!(value(v, &["existingSecret"]), Some(Value::Str(String::new())));
        assert_eq!(
            value(v, &["redis", "useAOFPersistence"]),
            Some(Value::Str("yes".into()))
        );
        assert_eq!(value(v, &["redis", "configmap"]), Some(Value::Str(String::new())));
        assert_eq!(
            value(v, &["redis", "containerPorts", "redis"]),
            Some(Value::Int(6379))
        );
        assert_eq!(value(v, &["service", "ports", "redis"]), Some(Value::Int(6379)));
        assert_eq!(value(v, &["tls", "enabled"]), Some(Value::Bool(false)));
        assert_eq!(value(v, &["tls", "authClients"]), Some(Value::Bool(true)));
        assert_eq!(
            value(v, &["global", "security"]),
            None,
            "7.6.4 has no allowInsecureImages"
        );
        assert_eq!(
            value(rc("11.5.4"), &["global", "security", "allowInsecureImages"]),
            Some(Value::Bool(false))
        );
        assert_eq!(value(v, &["redis", "extraVolumes"]), Some(Value::Seq(Vec::new())));
        assert_eq!(
            value(v, &["redis", "podAnnotations"]),
            Some(Value::Map(Map::default()))
        );
        assert_eq!(value(rc("5.0.0"), &["redis", "port"]), Some(Value::Int(6379)));
        assert_eq!(value(rc("2.0.0"), &["redisPort"]), Some(Value::Int(6379)));
        let keys: Vec<&str> = defaults.as_map().unwrap().keys().collect();
        assert!(
            keys.windows(2).all(|w| w[0] < w[1]),
            "maps in key order: {keys:?}"
        );
        // A list of maps.
        let stack = stack("2.26.2").defaults(span());
        let init = stack
            .get(&["redis-cluster", "redis", "initContainers"])
            .unwrap()
            .as_seq()
            .unwrap();
        assert_eq!(init[0].get(&["name"]).unwrap().as_str(), Some("redismodules"));
        let command = init[0].get(&["command"]).unwrap().as_seq().unwrap();
        assert_eq!(command[0].as_str(), Some("sh"));
        assert!(command[2]
            .as_str()
            .unwrap()
            .contains("redisearch-oss-coord-v2.10.14"));
    }

    #[test]
    fn umbrella_dependencies_and_overrides() {
        let dependency = |v: &ChartVersion, name: &str| {
            let d = v.dependencies().iter().find(|d| d.name() == name).unwrap();
            (d.version(), d.resolve().map(ChartVersion::version))
        };
        assert_eq!(
            dependency(stack("2.24.1"), "redis-cluster"),
            ("7.6.4", Some("7.6.4"))
        );
        assert_eq!(
            dependency(stack("2.25.0"), "redis-cluster"),
            ("11.5.4", Some("11.5.4"))
        );
        assert_eq!(dependency(stack("2.25.0"), "acp"), ("2.25.0", Some("2.25.0")));
        assert_eq!(
            dependency(stack("2.25.0"), "cockroachdb").1,
            None,
            "no data for cockroachdb"
        );
        let d = stack("2.25.0")
            .dependencies()
            .iter()
            .find(|d| d.name() == "redis-cluster")
            .unwrap();
        assert_eq!(d.alias(), None);
        assert_eq!(d.values_key(), "redis-cluster");
        assert_eq!(d.condition(), Some("redis-cluster.enabled"));
        assert_eq!(
            d.repository(),
            Some("https://raw.githubusercontent.com/bitnami/charts/archive-full-index/bitnami")
        );
        assert_eq!(d.chart(), Some(Chart::RedisCluster));
        let common = &rc("7.6.4").dependencies()[0];
        assert_eq!((common.name(), common.version()), ("common", "1.x.x"));
        assert_eq!(common.tags().collect::<Vec<_>>(), ["bitnami-common"]);
        assert!(
            rc("3.3.1").dependencies().is_empty(),
            "apiVersion v1: requirements.yaml"
        );
        assert!(!rc("4.0.0").dependencies().is_empty());

        for v in ["2.26.2", "2.27.0", "2.28.0"] {
            let v = stack(v);
            assert_eq!(
                value(v, &["redis-cluster", "image", "repository"]),
                Some(Value::Str("bitnamilegacy/redis-cluster".into()))
            );
            assert_eq!(
                value(v, &["redis-cluster", "global", "security", "allowInsecureImages"]),
                Some(Value::Bool(true))
            );
            let images = v.images();
            let redis = image(&images, &["redis-cluster", "image"]);
            assert_eq!(
                (redis.registry, redis.repository, redis.tag),
                (
                    Some("docker.io"),
                    "bitnamilegacy/redis-cluster",
                    Some("7.4.3-debian-12-r0")
                )
            );
            assert_eq!(
                image(&images, &["redis-cluster", "metrics", "image"]).repository,
                "bitnami/redis-exporter"
            );
            assert_eq!(
                image(&images, &["acp", "image"]).repository,
                "docker.secureauth.com/acp-distroless"
            );
        }
        for v in ["2.25.0", "2.26.0-1"] {
            assert_eq!(value(stack(v), &["redis-cluster", "image"]), None);
            let images = stack(v).images();
            assert_eq!(
                image(&images, &["redis-cluster", "image"]).repository,
                "bitnami/redis-cluster"
            );
        }
    }

    #[test]
    fn umbrella_keys_are_judged_by_the_dependency_version() {
        assert!(matches!(
            stack("2.24.1").key(&["redis-cluster", "persistence", "enabled"]),
            Key::Unknown { .. }
        ));
        assert_eq!(
            stack("2.25.0").key(&["redis-cluster", "persistence", "enabled"]),
            Key::Known
        );
        assert_eq!(
            stack("2.25.0").key(&["redis-cluster", "enabled"]),
            Key::Known,
            "the condition"
        );
        assert_eq!(
            stack("2.25.0").key(&["redis-cluster", "fullnameOverride"]),
            Key::Known
        );
        assert_eq!(stack("2.25.0").key(&["redis-cluster", "global", "x"]), Key::Open);
        assert_eq!(
            stack("2.25.0").key(&["acp", "redis", "addrs"]),
            Key::Known,
            "the umbrella sets it"
        );
        assert_eq!(
            stack("2.25.0").key(&["acp", "redis", "pool_size"]),
            Key::Open,
            "platform config"
        );
        assert_eq!(stack("2.12.0").key(&["acp", "redis", "addrs"]), Key::Open);
        assert_eq!(stack("2.25.0").key(&["acp", "serverURL"]), Key::Known);
        assert_eq!(
            stack("2.25.0").key(&["cockroachdb", "anything"]),
            Key::Open,
            "no data for it"
        );
        assert_eq!(stack("2.25.0").key(&["timescaledb-single"]), Key::Known);
        let Key::Unknown { known_siblings } = stack("2.25.0").key(&["redis-clster"]) else {
            panic!("a misspelled dependency key is unknown");
        };
        assert!(known_siblings.contains(&"redis-cluster") && known_siblings.contains(&"cockroachdb"));
        // Both trees' siblings for "did you mean".
        let Key::Unknown { known_siblings } = stack("2.26.2").key(&["redis-cluster", "image", "tga"]) else {
            panic!("unknown");
        };
        assert!(known_siblings.contains(&"tag") && known_siblings.contains(&"repository"));
    }

    #[test]
    fn the_acp_chart() {
        let v = acp("2.25.0");
        assert_eq!(v.key(&["redis"]), Key::Known, "documented as `# redis: {{}}`");
        assert_eq!(v.key(&["redis", "addrs"]), Key::Open);
        assert_eq!(v.key(&["config", "data", "redis", "password"]), Key::Open);
        assert_eq!(v.key(&["secretConfig", "data", "redis", "password"]), Key::Open);
        assert_eq!(v.key(&["secretConfig", "create"]), Key::Known);
        assert!(matches!(
            v.key(&["secretConfig", "existingSecret"]),
            Key::Unknown { .. }
        ));
        assert_eq!(v.key(&["nameOverride"]), Key::Known);
        assert_eq!(value(v, &["config", "create"]), Some(Value::Bool(true)));
        assert_eq!(value(v, &["image", "tag"]), Some(Value::Null));
        let images = v.images();
        let own = image(&images, &["image"]);
        assert_eq!(
            (own.repository, own.tag),
            ("docker.secureauth.com/acp-distroless", None)
        );
        // The templates of 0.16.3 read `.Values.redis`; its values.yaml does not say so.
        assert_eq!(acp("0.16.3").key(&["redis", "addrs"]), Key::Open);
        assert!(matches!(acp("0.1.0").key(&["redis"]), Key::Unknown { .. }));
    }

    #[test]
    fn release_order_is_by_date() {
        let order = |chart, a, b| {
            assert!(
                position(chart, a) < position(chart, b),
                "{} {a} before {b}",
                chart.name()
            );
        };
        // Cloudentity releases `-N` versions after the plain one, and sometimes before.
        order(Chart::KubeAcpStack, "2.8.1", "2.8.1-1");
        order(Chart::KubeAcpStack, "2.8.1-1", "2.9.0");
        order(Chart::Acp, "2.7.0", "2.7.0-1");
        order(Chart::Acp, "2.9.0", "2.9.0-1");
        order(Chart::Acp, "2.26.0", "2.26.0-1");
        order(Chart::Acp, "0.17.2-1", "0.17.2");
        order(Chart::Acp, "2.2.0", "2.2.0-1");
        // SOURCES.tsv's commit of kube-acp-stack 2.7.0 is an edit of 2023-01: it was released in 2022-09.
        order(Chart::KubeAcpStack, "2.6.1-2", "2.7.0");
        order(Chart::KubeAcpStack, "2.7.0", "2.7.0-1");
        order(Chart::RedisCluster, "3.1.9", "3.1.10");
        for chart in Chart::ALL {
            let dates: Vec<&str> = versions(chart).iter().map(ChartVersion::date).collect();
            assert!(
                dates.windows(2).all(|w| w[0] <= w[1]),
                "{} in date order",
                chart.name()
            );
        }
        assert_eq!(stack("2.7.0").date(), "2022-09-30");
        assert_eq!(rc("7.6.4").chart(), Chart::RedisCluster);
    }

    #[test]
    fn find_is_exact() {
        assert_eq!(find(Chart::RedisCluster, "v7.6.4"), Some(rc("7.6.4")));
        assert_eq!(find(Chart::RedisCluster, "7.6"), None);
        assert_eq!(find(Chart::RedisCluster, "7.6.5"), None);
        assert_eq!(find(Chart::KubeAcpStack, "7.0.0"), None);
    }

    #[test]
    fn resolve_as_helm_does() {
        let resolved = |chart: Chart, written: &str| resolve(chart, written).map(ChartVersion::version);
        let rc = |written| resolved(Chart::RedisCluster, written);
        assert_eq!(rc("7.6.x"), Some("7.6.4"));
        assert_eq!(rc("7.6.*"), Some("7.6.4"));
        assert_eq!(rc(">=7 <8"), Some("7.6.4"));
        assert_eq!(rc(">=7.0.0, <8.0.0"), Some("7.6.4"));
        assert_eq!(rc("~11.4"), Some("11.4.6"));
        assert_eq!(rc("~11.4.1"), Some("11.4.6"));
        assert_eq!(rc("^11"), Some("11.5.4"));
        assert_eq!(rc("^11.4.3"), Some("11.5.4"));
        assert_eq!(rc("~> 11"), Some("11.5.4"));
        assert_eq!(rc("11.5.4"), Some("11.5.4"));
        assert_eq!(rc("=11.5.4"), Some("11.5.4"));
        assert_eq!(rc("v11.5.4"), Some("11.5.4"));
        assert_eq!(rc("11"), Some("11.5.4"), "a bare major is a wildcard");
        assert_eq!(rc("7.0 - 7.2"), Some("7.2.8"));
        assert_eq!(rc(">7.6"), Some("13.0.5"));
        assert_eq!(rc("<=7.6"), Some("7.6.4"));
        assert_eq!(rc("<7.6"), Some("7.5.7"));
        assert_eq!(rc("7.6.x, !=7.6.4"), Some("7.6.3"));
        assert_eq!(rc("6.x || 7.6.x"), Some("7.6.4"));
        assert_eq!(rc(""), Some("13.0.5"));
        assert_eq!(rc("*"), Some("13.0.5"));
        assert_eq!(rc("7.6.5"), None);
        assert_eq!(rc("99.x"), None);
        assert_eq!(rc("latest"), None);
        assert_eq!(rc(">= seven"), None);
        // Cloudentity's `-N` versions are SemVer prereleases: a range picks them only if it names one.
        let stack = |written| resolved(Chart::KubeAcpStack, written);
        assert_eq!(stack("2.8.x"), Some("2.8.1"));
        assert_eq!(stack("2.8.1-1"), Some("2.8.1-1"));
        assert_eq!(stack(">=2.8.1-0 <2.8.1"), Some("2.8.1-1"));
        assert_eq!(stack("~2.26.0"), Some("2.26.2"));
    }

    #[test]
    fn chart_identity() {
        assert_eq!(
            Chart::identify("redis-cluster", "https://charts.bitnami.com/bitnami"),
            Some(Chart::RedisCluster)
        );
        assert_eq!(
            Chart::identify("redis-cluster", "oci://registry-1.docker.io/bitnamicharts"),
            Some(Chart::RedisCluster)
        );
        assert_eq!(
            Chart::identify("redis-cluster", "https://charts.example.com"),
            None
        );
        assert_eq!(
            Chart::identify("acp", "https://charts.cloudentity.io"),
            Some(Chart::Acp)
        );
        assert_eq!(
            Chart::identify("kube-acp-stack", "https://github.com/cloudentity/acp-helm-charts"),
            Some(Chart::KubeAcpStack)
        );
        assert_eq!(
            Chart::identify("redis", "https://charts.bitnami.com/bitnami"),
            None
        );
    }

    /// Calls `check` with every node of `node` (maps only) and its key path.
    fn walk(node: &Node, path: &mut Vec<String>, check: &mut dyn FnMut(&[&str], &Node)) {
        let keys: Vec<&str> = path.iter().map(String::as_str).collect();
        check(&keys, node);
        if let Value::Map(map) = &node.value {
            for entry in &map.entries {
                path.push(entry.key.clone());
                walk(&entry.value, path, check);
                path.pop();
            }
        }
    }

    #[test]
    fn a_default_made_alone_is_the_one_in_the_tree() {
        for chart in Chart::ALL {
            for version in versions(chart) {
                let tree = version.defaults(Span::new(version.source(), 0..0));
                walk(&tree, &mut Vec::new(), &mut |keys, node| {
                    assert_eq!(version.default_alone(keys), Some(node), "{version:?} {keys:?}");
                    let missing: Vec<&str> = keys.iter().copied().chain(["no-such-key"]).collect();
                    assert_eq!(version.default_alone(&missing), None, "{version:?} {missing:?}");
                });
            }
        }
    }

    #[test]
    fn every_version_agrees_with_itself() {
        // Every default value's key path is known, and every image field is a string or null.
        for chart in Chart::ALL {
            for version in versions(chart) {
                let defaults = version.defaults(span());
                assert!(defaults.as_map().is_some(), "{version:?}");
                walk(&defaults, &mut Vec::new(), &mut |keys, _| {
                    assert!(
                        !matches!(version.key(keys), Key::Unknown { .. }),
                        "{version:?} {keys:?}"
                    );
                });
                for image in version.images() {
                    assert!(!image.repository.is_empty(), "{version:?} {image:?}");
                }
            }
        }
    }
}

#[cfg(test)]
mod agreed_tests {
    use super::*;

    fn show(chart: Chart, path: &str) -> String {
        let path: Vec<&str> = path.split('.').collect();
        match chart.agreed().lookup(&path) {
            Agreement::Set(node) => format!("{}", node.to_json()),
            Agreement::Unset => "unset".into(),
            Agreement::Differs => "differs".into(),
        }
    }

    #[test]
    fn what_every_version_agrees_on() {
        use Chart::*;
        for (chart, path, expected) in [
            (RedisCluster, "cluster.nodes", "6"),
            (RedisCluster, "cluster.replicas", "1"),
            (RedisCluster, "usePassword", "true"),
            (RedisCluster, "password", "\"\""),
            (RedisCluster, "tls.enabled", "false"),
            (RedisCluster, "tls.authClients", "true"),
            (RedisCluster, "image.tag", "differs"),
            (RedisCluster, "image.repository", "\"bitnami/redis-cluster\""),
            (RedisCluster, "redis.defaultConfigOverride", "\"\""),
            (RedisCluster, "no.such.key", "unset"),
            (KubeAcpStack, "redis-cluster.cluster.replicas", "0"),
            (KubeAcpStack, "redis-cluster.redis.configmap", "differs"),
            (KubeAcpStack, "redis-cluster.password", "\"p@ssw0rd!\""),
            (
                KubeAcpStack,
                "acp.redis.addrs",
                "[\"redis-cluster-headless:6379\",\"redis-cluster-headless:6379\"]",
            ),
            (
                KubeAcpStack,
                "redis-cluster.fullnameOverride",
                "\"redis-cluster\"",
            ),
        ] {
            assert_eq!(show(chart, path), expected, "{} {path}", chart.name());
        }
        assert_eq!(
            origin(RedisCluster.agreed().tree_at(&[]).unwrap().span.source).as_deref(),
            Some("chart redis-cluster (every version)")
        );
        let v = find(RedisCluster, "7.6.4").unwrap();
        assert_eq!(
            origin(v.default_at(&["image", "tag"]).unwrap().span.source).as_deref(),
            Some("chart redis-cluster 7.6.4")
        );
        assert!(v.default_at(&[]).unwrap().span.source.is_builtin());
    }
}
