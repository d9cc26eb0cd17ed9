//! The platform's side of a release: its Redis client settings, merged from the three places the
//! `acp` chart reads them, and its storage settings.

use crate::tree::merge;
use crate::tree::{Entry, Node, Value};

use super::Release;

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
    pub fn redis_client(&self) -> Option<RedisClient<'a>> {
        let effective = &self.release.effective;
        effective
            .client
            .get_or_init(|| self.layered(&CLIENT_LAYERS))
            .as_ref()
            .map(|node| RedisClient { node })
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

/// The platform's Redis client settings as the platform reads them (the merge of
/// [`CLIENT_LAYERS`]): what lint's rules check and what the probe connects with.
#[derive(Clone, Copy, Debug)]
pub struct RedisClient<'a> {
    /// The merged settings; every value keeps the span it was written at.
    pub node: &'a Node,
}

impl<'a> RedisClient<'a> {
    /// A setting, by path under the client's settings.
    pub fn get(&self, path: &[&str]) -> Option<&'a Node> {
        self.node.get(path)
    }

    pub fn entry(&self, path: &[&str]) -> Option<&'a Entry> {
        self.node.entry(path)
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
