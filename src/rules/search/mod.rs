//! RediSearch: the platform needs the module loaded in every Redis node, from a path that exists in
//! the container, with the coordinator able to authenticate to the other shards.

pub mod search_coordinator_password;
pub mod search_index_missing;
pub mod search_module_incompatible;
pub mod search_module_missing;
pub mod search_module_not_mounted;

use crate::core::source::Sources;
use crate::model::redis_conf::Directive;
use crate::model::RedisCluster;

/// True for a module file that is RediSearch (`redisearch.so`, `redisearch-oss-coord-….so`,
/// `search.so` of Redis Stack).
pub fn is_search_module(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    file.contains("search") && file.ends_with(".so")
}

/// Whether a directive is a `loadmodule` of RediSearch.
pub fn is_search_load(d: &Directive) -> bool {
    d.name == "loadmodule" && d.args.first().is_some_and(|a| is_search_module(&a.text))
}

/// The `loadmodule` lines of a cluster's redis.conf that load RediSearch.
pub fn search_loads<'a>(
    cluster: &RedisCluster<'a>,
    sources: &Sources,
) -> impl Iterator<Item = &'a Directive> {
    cluster.directives(sources).iter().filter(|d| is_search_load(d))
}
