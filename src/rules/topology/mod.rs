//! Topology of the Redis cluster: enough masters, whole shards, replicas; live, the cluster's state.

pub mod cluster_no_replicas;
pub mod cluster_state_fail;
pub mod cluster_too_few_masters;
pub mod cluster_uneven_nodes;
pub mod cluster_update_refused;

use crate::core::source::Span;
use crate::model::{Lookup, RedisCluster};
use crate::tree::Node;

/// The chart's node and replica counts and the nodes that set them (a chart default is a node too);
/// unset when they are out of range or not whole numbers, which `schema-type` reports.
pub struct Counts<'a> {
    pub nodes: i64,
    pub nodes_node: Option<&'a Node>,
    pub replicas: i64,
    pub replicas_node: Option<&'a Node>,
}

impl<'a> Counts<'a> {
    pub fn of(cluster: &RedisCluster<'a>) -> Lookup<'a, Counts<'a>> {
        let (nodes, nodes_node) = match cluster.int(&["cluster", "nodes"]) {
            Lookup::Set(found) => found,
            Lookup::Unset => return Lookup::Unset,
            Lookup::Unknown(why) => return Lookup::Unknown(why),
        };
        let (replicas, replicas_node) = match cluster.int(&["cluster", "replicas"]) {
            Lookup::Set(found) => found,
            Lookup::Unset => return Lookup::Unset,
            Lookup::Unknown(why) => return Lookup::Unknown(why),
        };
        if nodes < 1 || replicas < 0 {
            return Lookup::Unset;
        }
        Lookup::Set(Counts {
            nodes,
            nodes_node: Some(nodes_node),
            replicas,
            replicas_node: Some(replicas_node),
        })
    }

    /// One master and its replicas.
    pub fn shard(&self) -> i64 {
        self.replicas + 1
    }

    pub fn masters(&self) -> i64 {
        self.nodes / self.shard()
    }
}

/// Where a count was set, else the chart's key.
pub fn at(node: Option<&Node>, cluster: &RedisCluster) -> Span {
    node.map(|n| n.span).unwrap_or_else(|| cluster.anchor())
}

pub fn replicas_words(n: i64) -> String {
    match n {
        0 => "no replicas".into(),
        1 => "1 replica".into(),
        n => format!("{n} replicas"),
    }
}
