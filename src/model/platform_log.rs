//! The fatal line the platform would log at start-up for a failure the probe saw: the vendor's
//! format (the three lines of `tests/it/explain.rs`), with the error as the platform's Go client
//! words it. `acp-check explain` recognises every line made here (a test in `explain` checks it).

/// `{"error":"failed to create redis client: failed to get redis info: <error>","level":"fatal",…}`.
pub fn fatal(error: &str) -> String {
    let error = format!("failed to create redis client: failed to get redis info: {error}");
    let escaped = serde_json::to_string(&error).expect("a string serializes");
    format!(r#"{{"error":{escaped},"level":"fatal","msg":"failed to create storage"}}"#)
}

/// Go's dial errors, as `net.Dial` words them.
pub fn refused(address: &str) -> String {
    fatal(&format!("dial tcp {address}: connect: connection refused"))
}

pub fn no_such_host(host: &str) -> String {
    fatal(&format!("dial tcp: lookup {host}: no such host"))
}

pub fn timeout(address: &str) -> String {
    fatal(&format!("dial tcp {address}: i/o timeout"))
}

pub fn no_route(address: &str) -> String {
    fatal(&format!("dial tcp {address}: connect: no route to host"))
}

/// A Redis error reply. go-redis's cluster client, which the platform uses with two or more
/// addresses, reports a failed first command on every node as `ERR no responses received` (the
/// vendor's documented line for a wrong password); the single-node client passes Redis's text on.
pub fn redis_error(reply: &str, cluster_client: bool) -> String {
    if cluster_client && (reply.starts_with("WRONGPASS") || reply.starts_with("NOAUTH")) {
        fatal("ERR no responses received")
    } else {
        fatal(reply)
    }
}
