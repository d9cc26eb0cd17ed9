//! The connection: the addresses the platform's Redis client dials are present, name a service the
//! redis-cluster release creates (with the right namespace and port), and are enough for a cluster;
//! live, each node answers, in the mode the client expects, to the commands the probe may send.

pub mod cluster_mode_mismatch;
pub mod cross_release_unchecked;
pub mod probe_permission_denied;
pub mod redis_addrs_mismatch;
pub mod redis_addrs_missing;
pub mod redis_single_addr_cluster;
pub mod redis_unreachable;
