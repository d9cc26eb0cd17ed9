//! The Bitnami redis-cluster chart's side of a release: its settings, the password it resolves and
//! the names it gives its Kubernetes objects.

use crate::core::source::{Sources, Span};
use crate::tree::{Entry, Node, Value};

use super::charts::{Chart, ChartVersion};
use super::redis_conf::Directive;
use super::scope::{once_per_reading, Kept};
use super::{Located, Lookup, Release, Scope, Unsettled};

/// The Bitnami redis-cluster part of a release.
#[derive(Clone, Copy)]
pub struct RedisCluster<'a> {
    pub scope: Scope<'a>,
    pub release: &'a Release,
    /// The values the files wrote for the chart (an empty map if none): what the schema checks.
    pub root: &'a Node,
    /// Its key in the release's values, for a dependency (`redis-cluster` in the umbrella chart).
    pub key: Option<&'a str>,
}

/// The cluster password as the chart resolves it.
#[derive(Debug)]
pub enum ClusterPassword<'a> {
    /// `usePassword: false`.
    Disabled(&'a Entry),
    /// Written in the values (`global.redis.password` wins over `password`).
    Written(&'a Node),
    /// Kept in a Secret (`existingSecret`), which wins over a password written.
    InSecret(&'a Entry),
    /// `usePassword` with no password and no Secret: the chart generates a random one.
    Random,
    /// A layer acp-check could not read, or the chart version, decides.
    Unknown(Unsettled<'a>),
}

impl<'a> RedisCluster<'a> {
    pub fn new(scope: Scope<'a>) -> RedisCluster<'a> {
        RedisCluster {
            scope,
            release: scope.release,
            root: scope.root,
            key: scope.key,
        }
    }

    /// The chart version deployed, if known and published.
    pub fn version(&self) -> Option<&'static ChartVersion> {
        self.scope.version
    }

    /// The chart version as written (Chart.yaml / Chart.lock, the HelmRelease, the umbrella's
    /// dependency, a flag), for messages.
    pub fn written_version(&self) -> Option<Located<String>> {
        if let Some(written) = self.release.written_version(Chart::RedisCluster) {
            return Some(written);
        }
        // Known from the umbrella's dependency or a flag: shown at the values that deploy it.
        self.version()
            .map(|v| Located::new(v.version().to_string(), Some(self.anchor())))
    }

    /// A setting, through every layer (the chart's defaults included).
    pub fn lookup(&self, path: &[&str]) -> Lookup<'a> {
        self.scope.lookup(path)
    }

    /// A setting as far as acp-check can tell (see [`Scope::get`]).
    pub fn get(&self, path: &[&str]) -> Option<&'a Node> {
        self.scope.get(path)
    }

    /// The first of `paths` a layer acp-check could not read may set, and what.
    pub fn unsettled(&self, paths: &[&[&str]]) -> Option<Unsettled<'a>> {
        self.scope.unsettled(paths)
    }

    pub fn entry(&self, path: &[&str]) -> Option<&'a Entry> {
        self.scope.entry(path)
    }

    /// `existingSecret`: the cluster password is kept in a Secret acp-check cannot read.
    pub fn existing_secret(&self) -> Option<&'a Entry> {
        let entry = self.entry(&["existingSecret"])?;
        entry
            .value
            .as_str()
            .is_some_and(|s| !s.is_empty())
            .then_some(entry)
    }

    /// Where to point a finding about the chart as a whole: its key in an umbrella, else the values.
    pub fn anchor(&self) -> Span {
        match self.key {
            Some(_) => self.scope.anchor(),
            None => self.root.span,
        }
    }

    pub fn password(&self) -> ClusterPassword<'a> {
        match self.lookup(&["usePassword"]) {
            Lookup::Set(node) if node.as_bool() == Some(false) => {
                if let Some(entry) = self.entry(&["usePassword"]) {
                    return ClusterPassword::Disabled(entry);
                }
            }
            Lookup::Unknown(why) => return ClusterPassword::Unknown(why),
            _ => {}
        }
        match self.lookup(&["existingSecret"]) {
            Lookup::Set(node) if node.as_str().is_some_and(|s| !s.is_empty()) => {
                if let Some(entry) = self.entry(&["existingSecret"]) {
                    return ClusterPassword::InSecret(entry);
                }
            }
            Lookup::Unknown(why) => return ClusterPassword::Unknown(why),
            _ => {}
        }
        let non_empty = |n: &&'a Node| n.as_str().is_none_or(|s| !s.is_empty()) && n.value != Value::Null;
        for path in [&["global", "redis", "password"][..], &["password"][..]] {
            match self.lookup(path) {
                Lookup::Set(node) if non_empty(&node) => return ClusterPassword::Written(node),
                Lookup::Unknown(why) => return ClusterPassword::Unknown(why),
                _ => {}
            }
        }
        ClusterPassword::Random
    }

    /// A whole number setting (Helm renders `3.0` and `"6"` as the number), and the node that set
    /// it; unset when it is not a whole number.
    pub fn int(&self, path: &[&str]) -> Lookup<'a, (i64, &'a Node)> {
        match self.lookup(path) {
            Lookup::Set(node) => match whole_number(node) {
                Some(n) => Lookup::Set((n, node)),
                None => Lookup::Unset,
            },
            Lookup::Unset => Lookup::Unset,
            Lookup::Unknown(why) => Lookup::Unknown(why),
        }
    }

    /// The port Redis listens on, which the headless Service and cluster redirects use:
    /// `redis.containerPorts.redis` from chart 7.0.0, `redis.port` in 3.0.0 to 6.3.9, `redisPort`
    /// before (`service.ports.redis` sets only the ClusterIP Service's port). For a version not
    /// known, a port the files set under any of those keys is unknown (each version reads one).
    pub fn port(&self) -> Lookup<'a, (i64, &'a Node)> {
        const KEYS: [&[&str]; 3] = [
            &["redis", "containerPorts", "redis"],
            &["redis", "port"],
            &["redisPort"],
        ];
        match self.version() {
            Some(version) => {
                let read = KEYS.iter().find(|k| version.has_key(k));
                match read {
                    Some(key) => self.int(key),
                    None => Lookup::Unset,
                }
            }
            None => {
                let written: Vec<_> = KEYS.iter().filter(|k| self.root.get(k).is_some()).collect();
                match written[..] {
                    [] => self.int(KEYS[0]),
                    _ => Lookup::Unknown(Unsettled::Version(Chart::RedisCluster)),
                }
            }
        }
    }

    /// A boolean setting, through every layer.
    pub fn flag(&self, path: &[&str]) -> Lookup<'a, bool> {
        match self.lookup(path) {
            Lookup::Set(node) => match node.as_bool() {
                Some(b) => Lookup::Set(b),
                None => Lookup::Unset,
            },
            Lookup::Unset => Lookup::Unset,
            Lookup::Unknown(why) => Lookup::Unknown(why),
        }
    }

    /// The `redis.conf` directives the values add, in the order Redis reads them: those of
    /// `redis.configmap`, then those of `redis.defaultConfigOverride`.
    pub fn directives(&self, sources: &Sources) -> &'a [Directive] {
        self.release.effective.directives.get_or_init(|| {
            self.config_nodes()
                .into_iter()
                .flat_map(|node| super::redis_conf::directives(node, sources))
                .collect()
        })
    }

    /// The chart at each version it may be deployed at, when its version is not known (see
    /// [`Scope::candidates`]).
    pub fn candidates(&self) -> Option<Vec<RedisCluster<'a>>> {
        Some(
            self.scope
                .candidates()?
                .into_iter()
                .map(RedisCluster::new)
                .collect(),
        )
    }

    /// What `make` gives for this cluster at each of its candidate versions (`None`: the versions
    /// are known), made once per process for clusters that write the same values at `paths`
    /// ([`Scope::read_key`]): `make` looks up no other values, and what it gives points at none of
    /// them.
    pub fn over_candidates<T: Clone + Send + 'static>(
        &self,
        kept: &'static Kept<Option<T>>,
        paths: &[&[&str]],
        make: impl FnOnce(&[RedisCluster<'a>]) -> T,
    ) -> Option<T> {
        if !self.scope.has_candidates() {
            return None;
        }
        once_per_reading(kept, self.scope.read_key(paths), || {
            self.candidates().map(|all| make(&all))
        })
    }

    /// The cluster at the candidate version `index` of [`RedisCluster::candidates`], alone.
    pub fn candidate(&self, index: usize) -> Option<RedisCluster<'a>> {
        self.scope.candidate(index).map(RedisCluster::new)
    }

    /// The directives of [`RedisCluster::config_nodes`], made afresh (not cached: for candidates).
    pub fn directives_uncached(&self, sources: &Sources) -> Vec<Directive> {
        self.config_nodes()
            .into_iter()
            .flat_map(|node| super::redis_conf::directives(node, sources))
            .collect()
    }

    /// The values that carry `redis.conf` text, as far as the chart version reads them:
    /// `redis.configmap` (top-level `configmap` before chart 3.0.0), then
    /// `redis.defaultConfigOverride` (from chart 8.3.0). A version not known reads them all.
    pub fn config_nodes(&self) -> Vec<&'a Node> {
        CONFIG_PATHS
            .iter()
            .filter(|p| self.reads(p))
            .filter_map(|p| self.get(p))
            .collect()
    }

    /// Whether the chart version has the key at `path` (a version not known may have it).
    pub fn reads(&self, path: &[&str]) -> bool {
        self.version().is_none_or(|v| v.has_key(path))
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
        let written = self.release.release_name.as_ref()?.value.clone();
        // From 12.0.15 (bitnami/common 2.31.2) the release name is made a DNS label first:
        // lower-cased, each run of other characters one `-`. Before, it is used as written. For a
        // version not known, a name that the two read differently gives no fullname.
        let sanitized = dns_label(&written);
        let release = match self.version().map(|v| semver::Version::parse(v.version())) {
            Some(Ok(v)) if v >= semver::Version::new(12, 0, 15) => sanitized,
            Some(_) => written,
            None if sanitized == written => written,
            None => return None,
        };
        // The chart's name: a dependency's alias renames it (Helm sets the subchart's name to it).
        let chart = self
            .get(&["nameOverride"])
            .and_then(Node::as_str)
            .filter(|s| !s.is_empty())
            .unwrap_or(self.key.unwrap_or("redis-cluster"));
        Some(trim_name(&if release.contains(chart) {
            release
        } else {
            format!("{release}-{chart}")
        }))
    }
}

/// A release name as bitnami/common 2.31.2 and later use it: lower-cased, each run of characters
/// outside `[a-z0-9-]` one `-` (`Redis.Prod` → `redis-prod`).
fn dns_label(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut other = false;
    for c in name.chars().map(|c| c.to_ascii_lowercase()) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' {
            out.push(c);
            other = false;
        } else if !other {
            out.push('-');
            other = true;
        }
    }
    out
}

/// The values that carry `redis.conf` text, in the order the chart appends them.
pub const CONFIG_PATHS: [&[&str]; 3] = [
    &["configmap"],
    &["redis", "configmap"],
    &["redis", "defaultConfigOverride"],
];

/// A whole number as Helm renders it: an integer, a float with no fraction, or a string of digits.
pub fn whole_number(node: &Node) -> Option<i64> {
    match &node.value {
        Value::Int(i) => Some(*i),
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => Some(*f as i64),
        Value::Str(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Kubernetes names are cut at 63 characters and lose a trailing `-`, as the chart's helper does.
fn trim_name(name: &str) -> String {
    let cut: String = name.chars().take(63).collect();
    cut.trim_end_matches('-').to_string()
}

/// A RediSearch build the release downloads or copies into the pods (from `redis.initContainers`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SearchBuild<'a> {
    pub version: (u64, u64, u64),
    /// The coordinator build (`redisearch-oss-coord-v…`), which searches every shard and takes
    /// `OSS_GLOBAL_PASSWORD`; the others (`redisearch-oss` 2.2.0, `redislabs/redisearch`) see one
    /// shard and take no such argument.
    pub coordinator: bool,
    /// The string that names it (an init container's command, arguments or image, or a
    /// post-renderer patch), and the part of it that does (`redisearch-oss-coord-v2.10.14-….so`).
    pub node: &'a Node,
    pub named: &'a str,
}

impl<'a> RedisCluster<'a> {
    /// The RediSearch build the init containers fetch: as a post-renderer patch of the
    /// StatefulSet names it (it is applied last), else as the values tell (the chart's defaults
    /// included: kube-acp-stack's own init container). `Unset` when none names a RediSearch
    /// version.
    pub fn search_build(&self) -> Lookup<'a, SearchBuild<'a>> {
        if let Some(build) = self.release.post_render_patches.iter().find_map(first_build) {
            return Lookup::Set(build);
        }
        match self.lookup(&["redis", "initContainers"]) {
            Lookup::Set(node) => first_build(node).map_or(Lookup::Unset, Lookup::Set),
            Lookup::Unset => Lookup::Unset,
            Lookup::Unknown(why) => Lookup::Unknown(why),
        }
    }
}

/// The first RediSearch build a string under `node` names.
fn first_build(node: &Node) -> Option<SearchBuild<'_>> {
    let mut found = None;
    visit_strings(node, &mut |node, text| {
        if found.is_none() {
            found = search_build_at(text).map(|(version, coordinator, at)| SearchBuild {
                version,
                coordinator,
                node,
                named: &text[at],
            });
        }
    });
    found
}

impl SearchBuild<'_> {
    /// Where the build is named: the URL or image in the text as the file writes it, else the
    /// whole string (a chart default, or text written with escapes).
    pub fn span(&self, sources: &Sources) -> Span {
        let node = self.node.span;
        let written = match sources.contains(node.source) {
            true => sources
                .get(node.source)
                .text
                .get(node.range())
                .unwrap_or_default(),
            false => "",
        };
        match written.find(self.named) {
            Some(at) if !self.named.is_empty() => {
                let start = node.start as usize + at;
                Span::new(node.source, start..start + self.named.len())
            }
            _ => node,
        }
    }
}

/// Every string under `node`, with its node.
fn visit_strings<'a>(node: &'a Node, found: &mut dyn FnMut(&'a Node, &'a str)) {
    match &node.value {
        Value::Str(s) => found(node, s),
        Value::Map(m) => m.entries.iter().for_each(|e| visit_strings(&e.value, found)),
        Value::Seq(items) => items.iter().for_each(|i| visit_strings(i, found)),
        _ => {}
    }
}

/// A RediSearch version, whether it is the coordinator build, and the bytes that name it.
type NamedBuild = ((u64, u64, u64), bool, std::ops::Range<usize>);

/// The RediSearch version a download URL or image names, and whether it is the coordinator build:
/// `redisearch-oss-coord-v2.10.14-$ARCH.so`, `redisearch-oss.Linux-buster-x86_64.2.2.0.zip`,
/// `redislabs/redisearch:2.2.0`.
///
/// It gives the bytes of `text` that name the build (from `redisearch` to the end of its word).
fn search_build_at(text: &str) -> Option<NamedBuild> {
    // ASCII lowercasing keeps every byte where it was.
    let lower = text.to_ascii_lowercase();
    for (at, _) in lower.match_indices("redisearch") {
        let rest = &lower[at + "redisearch".len()..];
        // The first version after the name, within the same word of the URL or image.
        let word_end = rest
            .find(|c: char| c.is_whitespace() || c == '"' || c == '\'')
            .unwrap_or(rest.len());
        let word = &rest[..word_end];
        if let Some(version) = first_version(word) {
            return Some((
                version,
                word.contains("coord"),
                at..at + "redisearch".len() + word_end,
            ));
        }
    }
    None
}

/// The first `X.Y.Z` in `text`; of a longer dotted run (`x86_64.2.2.0`, an architecture glued to
/// the version), its last three numbers.
fn first_version(text: &str) -> Option<(u64, u64, u64)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_digit()) {
            let run: String = text[i..]
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            let parts: Vec<&str> = run.split('.').filter(|p| !p.is_empty()).collect();
            if parts.len() >= 3 {
                let parts = &parts[parts.len() - 3..];
                if let (Ok(a), Ok(b), Ok(c)) = (parts[0].parse(), parts[1].parse(), parts[2].parse()) {
                    return Some((a, b, c));
                }
            }
            i += run.len().max(1);
        } else {
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod search_build_tests {
    use super::{dns_label, search_build_at};

    fn search_build_in(text: &str) -> Option<((u64, u64, u64), bool)> {
        search_build_at(text).map(|(version, coordinator, _)| (version, coordinator))
    }

    #[test]
    fn release_names_as_common_2_31_2_makes_them_labels() {
        assert_eq!(dns_label("redis.prod"), "redis-prod");
        assert_eq!(dns_label("Redis..Prod_1"), "redis-prod-1");
        assert_eq!(dns_label("redis-prod"), "redis-prod");
    }

    #[test]
    fn builds_named_by_the_vendors_urls_and_images() {
        assert_eq!(
            search_build_in("wget https://cloudentity-redisearch.s3.amazonaws.com/redisearch-oss-coord-v2.10.14-$ARCH.so -O x"),
            Some(((2, 10, 14), true))
        );
        assert_eq!(
            search_build_in(
                "wget https://cloudentity-redisearch.s3.amazonaws.com/redisearch-oss-coord-v2.6.13-amd64.so"
            ),
            Some(((2, 6, 13), true))
        );
        assert_eq!(
            search_build_in("wget https://redismodules.s3.amazonaws.com/redisearch-oss/redisearch-oss.Linux-buster-x86_64.2.2.0.zip -O /tmp/r.zip"),
            Some(((2, 2, 0), false))
        );
        assert_eq!(
            search_build_in("redislabs/redisearch:2.2.0"),
            Some(((2, 2, 0), false))
        );
        assert_eq!(
            search_build_in("cp /usr/lib/redis/modules/redisearch.so /redismodules/"),
            None
        );
        assert_eq!(search_build_in("alpine"), None);
    }
}

/// The images of the chart: the values key of each, and the key that turns its container on
/// (`None`: always pulled).
pub const IMAGES: [(&[&str], Option<&[&str]>); 4] = [
    (&["image"], None),
    (&["metrics", "image"], Some(&["metrics", "enabled"])),
    (&["sysctlImage"], Some(&["sysctlImage", "enabled"])),
    (
        &["volumePermissions", "image"],
        Some(&["volumePermissions", "enabled"]),
    ),
];

/// One image of the release as the chart renders it: `global.imageRegistry` over `registry`, and
/// the digest (chart 8.2.0 and later) over the tag.
#[derive(Clone, Debug)]
pub struct ResolvedImage<'a> {
    /// Its values key (`["metrics", "image"]`).
    pub key: &'static [&'static str],
    /// Whether its container runs (the chart pulls it).
    pub pulled: bool,
    pub registry: String,
    pub repository: String,
    /// The tag or the digest, as rendered after `:` or `@`.
    pub reference: String,
    pub digest: bool,
    /// The values that decide it, as written in the files read (chart defaults have a built-in
    /// source): registry, repository, reference.
    pub nodes: Vec<&'a Node>,
}

impl ResolvedImage<'_> {
    /// `docker.io/bitnami/redis-cluster:7.4.3-debian-12-r0`.
    pub fn reference_words(&self) -> String {
        let sep = if self.digest { "@" } else { ":" };
        let registry = if self.registry.is_empty() {
            "docker.io"
        } else {
            &self.registry
        };
        format!("{registry}/{}{sep}{}", self.repository, self.reference)
    }

    /// Whether it is pulled from Docker Hub.
    pub fn docker_hub(&self) -> bool {
        matches!(
            self.registry.as_str(),
            "" | "docker.io" | "registry-1.docker.io" | "index.docker.io"
        )
    }

    /// The Docker Hub namespace of the repository (`bitnami`, `bitnamilegacy`), if on Docker Hub.
    pub fn hub_namespace(&self) -> Option<&str> {
        if !self.docker_hub() {
            return None;
        }
        self.repository.split_once('/').map(|(ns, _)| ns)
    }
}

impl<'a> RedisCluster<'a> {
    /// The chart's images as they render, or what may set one that acp-check cannot read. Images
    /// whose key the chart version does not have are left out.
    pub fn images(&self) -> Result<Vec<ResolvedImage<'a>>, Unsettled<'a>> {
        let global = self.global_registry()?;
        let mut out = Vec::new();
        for (key, enabled) in IMAGES {
            out.extend(self.resolve_image(key, enabled, global)?);
        }
        Ok(out)
    }

    /// The image at `key` of [`IMAGES`] alone, for a reading whose images are known to resolve
    /// (a judgement kept for values that read the same named it): what [`RedisCluster::images`]
    /// has at `key`, without resolving the others.
    pub fn image(&self, key: &[&str]) -> Option<ResolvedImage<'a>> {
        let (key, enabled) = IMAGES.iter().find(|(k, _)| *k == key)?;
        let global = self.global_registry().ok()?;
        let image = self.resolve_image(key, *enabled, global).ok()?;
        debug_assert_eq!(
            image.as_ref().map(|i| i.reference_words()),
            self.images()
                .ok()
                .and_then(|all| all.into_iter().find(|i| i.key == *key))
                .map(|i| i.reference_words()),
            "a reading whose images resolve"
        );
        image
    }

    fn global_registry(&self) -> Result<Option<(&'a str, &'a Node)>, Unsettled<'a>> {
        match self.lookup(&["global", "imageRegistry"]) {
            Lookup::Set(node) => Ok(node.as_str().filter(|s| !s.is_empty()).map(|s| (s, node))),
            Lookup::Unset => Ok(None),
            Lookup::Unknown(why) => Err(why),
        }
    }

    fn resolve_image(
        &self,
        key: &'static [&'static str],
        enabled: Option<&'static [&'static str]>,
        global: Option<(&'a str, &'a Node)>,
    ) -> Result<Option<ResolvedImage<'a>>, Unsettled<'a>> {
        // A field's path, on the stack: the keys of [`IMAGES`] are one or two deep.
        let path = |field: &'static str| -> ([&'static str; 3], usize) {
            let mut path = [field; 3];
            path[..key.len()].copy_from_slice(key);
            (path, key.len() + 1)
        };
        let text = |field: &'static str| -> Result<Option<&'a Node>, Unsettled<'a>> {
            let (path, len) = path(field);
            match self.lookup(&path[..len]) {
                Lookup::Set(node) if node.value != Value::Null => Ok(Some(node)),
                Lookup::Set(_) | Lookup::Unset => Ok(None),
                Lookup::Unknown(why) => Err(why),
            }
        };
        let Some(repository) = text("repository")? else {
            return Ok(None);
        };
        let Some(repository_text) = scalar(repository) else {
            return Ok(None);
        };
        let registry = text("registry")?;
        let tag = text("tag")?;
        let (digest_path, len) = path("digest");
        let digest = if self.reads(&digest_path[..len]) {
            text("digest")?
        } else {
            None
        };
        let pulled = match enabled {
            None => true,
            Some(flag) => match self.lookup(flag) {
                Lookup::Set(node) => node.as_bool() == Some(true),
                Lookup::Unset => false,
                Lookup::Unknown(why) => return Err(why),
            },
        };
        let (registry_text, registry_node) = match (global, registry) {
            (Some((g, node)), _) => (g.to_string(), Some(node)),
            (None, Some(node)) => (scalar(node).unwrap_or_default(), Some(node)),
            (None, None) => (String::new(), None),
        };
        let digest = digest.filter(|d| scalar(d).is_some_and(|s| !s.is_empty()));
        let (reference, is_digest) = match (digest, tag) {
            (Some(d), _) => (Some(d), true),
            (None, t) => (t, false),
        };
        let mut nodes: Vec<&'a Node> = registry_node.into_iter().collect();
        nodes.push(repository);
        nodes.extend(reference);
        Ok(Some(ResolvedImage {
            key,
            pulled,
            registry: registry_text,
            repository: repository_text,
            reference: reference.and_then(scalar).unwrap_or_default(),
            digest: is_digest,
            nodes,
        }))
    }
}

/// A scalar's text as Helm renders it into an image reference.
fn scalar(node: &Node) -> Option<String> {
    match &node.value {
        Value::Str(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::Float(f) => Some(crate::tree::go_float(*f)),
        _ => None,
    }
}
