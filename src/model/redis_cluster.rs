//! The Bitnami redis-cluster chart's side of a release: its settings, the password it resolves and
//! the names it gives its Kubernetes objects.

use crate::core::source::{Sources, Span};
use crate::tree::{Entry, Node, Value};

use super::redis_conf::Directive;
use super::{Located, Release};

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

    /// The values that carry `redis.conf` text: `redis.configmap`, then `redis.defaultConfigOverride`.
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
