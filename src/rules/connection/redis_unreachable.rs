//! `redis-unreachable`: live: refused, no route, DNS failure or timeout (failure mode 1).

use std::time::Duration;

use crate::core::text::{human_duration, preview};
use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::model::platform_log;

pub static RULE: Rule = Rule {
    id: "redis-unreachable",
    severity: Severity::Error,
    checked_by: CheckedBy::Probe,
    summary: "live: refused, no route, DNS failure or timeout (failure mode 1)",
    docs: r#"## What it checks
That every address the platform will dial (and every node a cluster announces) accepts a TCP
connection within the timeout: the host name resolves, something listens on the port, and it answers
as Redis does (`INFO` is a text with `redis_version`, each reply has the type Redis gives it).

The checks of a node that stopped answering during the probe are reported here too: a connection
on which a reply timed out is dropped, the next check opens a new one, and the checks left after a
second failure are reported as not run. The probe is bounded, each connect and each reply by
`--timeout`, the whole probe by `--deadline`: checks and nodes the deadline left no time for are
reported as well, so that a probe cut short never passes.

## Why it matters
The platform's Redis client dials these addresses at start-up and stops with a fatal
`dial tcp …: connect: connection refused` (or `no such host`, `i/o timeout`) when it cannot: failure
mode 1 of the vendor's list.

## How to fix
Point `redis.addrs` at the redis-cluster release's headless service and port
(`<fullname>-headless:6379`, `.<namespace>` across namespaces), and check that the service has ready
endpoints. When the probe runs outside the cluster (through `kubectl port-forward`), the nodes announce
pod addresses it cannot reach: translate them with `--map ANNOUNCED=REACHABLE`.

## Example
```sh
acp-check probe --addr redis-cluster-headless:6379 --password-env REDIS_PASSWORD
# error[redis-unreachable]: redis-cluster-headless:6379: the host name does not resolve
```
"#,
    file: file!(),
};

/// Why a connection could not be opened.
pub enum ConnectError<'a> {
    /// The host name does not resolve.
    Dns {
        host: &'a str,
        error: &'a str,
    },
    /// No answer to the connection within the timeout.
    Timeout(Duration),
    /// The whole probe's deadline came during the connection (the flag that set it).
    Deadline(&'a str),
    Refused,
    /// No route to the host or its network.
    NoRoute(&'a str),
    Other(&'a str),
}

/// Live: the connection to `address` failed. `suggest_map`: the address looks announced by a node
/// (an IP, or `--map` is in use), so the probe may run where pod addresses cannot be reached.
pub fn connect(target: &str, address: &str, error: ConnectError, suggest_map: bool) -> Finding {
    let (message, log) = match error {
        ConnectError::Dns { host, error } => (
            format!("the host name `{host}` does not resolve ({error})"),
            platform_log::no_such_host(host),
        ),
        ConnectError::Timeout(after) => (
            format!("no answer to the connection within {}", human_duration(after)),
            platform_log::timeout(address),
        ),
        ConnectError::Deadline(set_by) => (
            format!("no answer to the connection before the probe's deadline ({set_by})"),
            platform_log::timeout(address),
        ),
        ConnectError::Refused => (
            "connection refused: nothing listens on this port".to_string(),
            platform_log::refused(address),
        ),
        ConnectError::NoRoute(e) => (e.to_string(), platform_log::no_route(address)),
        ConnectError::Other(e) => (e.to_string(), platform_log::refused(address)),
    };
    let mut help = "check the address and port (the release's `<fullname>-headless:6379`) and that the service has ready endpoints".to_string();
    if suggest_map {
        help.push_str("; a cluster node announces its pod address: translate it with --map ANNOUNCED=REACHABLE when the probe runs outside the cluster");
    }
    Finding::new(&RULE, message).on(target).log_line(log).help(help)
}

/// Live: the node closed the connection at the first command, and does not speak TLS.
pub fn closed_at_first_command(target: &str) -> Finding {
    Finding::new(
        &RULE,
        "the node closed the connection at the first command, and does not speak TLS: it went down during the probe, or a port-forward lost its pod",
    )
    .on(target)
    .log_line(platform_log::fatal("EOF"))
    .help("check the node's pod (restarts, OOM kills) and run the probe again")
}

/// Live: the server accepted the connection and did not answer.
pub fn no_answer(target: &str, address: &str, after: Duration) -> Finding {
    Finding::new(
        &RULE,
        format!(
            "the server accepted the connection and did not answer within {}",
            human_duration(after)
        ),
    )
    .on(target)
    .log_line(platform_log::timeout(address))
    .help("something listens on this port but does not answer like Redis: a wrong port, a proxy without a backend, or a TLS port (try --tls)")
}

/// Live: a command got no answer after the connection had worked.
pub fn lost(target: &str, command: &str, failure: &str) -> Finding {
    Finding::new(&RULE, format!("{command} got no answer: {failure}"))
        .on(target)
        .help("the node stopped answering during the probe: check its pod (restarts, memory) and run the probe again")
}

/// Live: Redis answered a read-only command with an error no other rule explains.
pub fn command_failed(target: &str, command: &str, error: &str, cluster_client: bool) -> Finding {
    Finding::new(&RULE, format!("{command} failed: {}", preview(error.trim(), 200)))
        .on(target)
        .log_line(platform_log::redis_error(error, cluster_client))
}

/// Live: the server answers, but not as Redis does (`+OK` to `INFO`, an `INFO` without
/// `redis_version`, bytes that are not RESP): another service on the port, or not Redis.
pub fn not_redis(target: &str, command: &str, answer: &str) -> Finding {
    Finding::new(
        &RULE,
        format!("the server answers, but not as Redis does: {command} answered {answer}"),
    )
    .on(target)
    .help("check the address and port: something other than Redis listens there (another service, a proxy without a backend); the platform's client cannot use it")
}

/// Live: a command got no answer before the whole probe's deadline.
pub fn out_of_time(target: &str, command: &str, set_by: &str) -> Finding {
    Finding::new(
        &RULE,
        format!("{command} got no answer before the probe's deadline ({set_by})"),
    )
    .on(target)
    .help("the node answers slowly, or the cluster has more nodes than the deadline allows for: find out why (load, network), or raise --deadline")
}

/// Live: commands not sent to a node, because an earlier one failed twice or no time was left.
pub fn not_run(target: &str, commands: &[String], why: &str) -> Finding {
    Finding::new(
        &RULE,
        format!("{} not run: {why}", commands.join(", ")),
    )
    .on(target)
    .help("the node stopped answering during the probe, or the probe ran out of time: check its pod (restarts, load) and run the probe again")
}

/// Most nodes a finding names; the others are counted.
const NAMED: usize = 10;

/// Live: nodes not probed at all, because the probe's deadline came first.
pub fn not_probed(targets: &[String], set_by: &str) -> Finding {
    let mut names = targets.iter().take(NAMED).cloned().collect::<Vec<_>>().join(", ");
    if targets.len() > NAMED {
        names.push_str(&format!(" and {} more", targets.len() - NAMED));
    }
    let count = match targets.len() {
        1 => "1 node was".to_string(),
        n => format!("{n} nodes were"),
    };
    Finding::new(
        &RULE,
        format!("{count} not probed: the probe's deadline ({set_by}) came first: {names}"),
    )
    .help("the nodes probed answered slowly (their findings say which): find out why, or raise --deadline")
}
