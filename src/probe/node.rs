//! The named checks on one node, in the order the platform meets them: connect (and TLS),
//! authenticate, `INFO`, `FT.INFO`, `CLUSTER INFO` / `CLUSTER NODES`, then what `INFO` tells about
//! durability and memory. A check that fails stops the ones that need it.

use std::io;

use super::resp::{self, Command, Connection, Failure, Reply};
use super::{platform_log, Address, Secret, Settings};
use crate::diagnostic::Finding;
use crate::model::info::{parse_cluster_nodes, ClusterNode, Info};
use crate::rules::{live, search, topology, versions};

/// A node to probe: the address it is known by, and where the probe really connects.
#[derive(Clone, Debug)]
pub struct Target {
    pub announced: Address,
    pub reachable: Address,
}

impl Target {
    pub fn new(announced: Address, settings: &Settings) -> Target {
        let reachable = settings
            .maps
            .iter()
            .find(|(from, _)| *from == announced)
            .map(|(_, to)| to.clone())
            .unwrap_or_else(|| announced.clone());
        Target { announced, reachable }
    }

    /// How findings name the node: `announced (via reachable)` when mapped.
    pub fn name(&self) -> String {
        if self.announced == self.reachable {
            self.announced.to_string()
        } else {
            format!("{} (via {})", self.announced, self.reachable)
        }
    }
}

/// What one node said.
pub struct NodeReport {
    pub target: Target,
    pub findings: Vec<Finding>,
    /// `redis_mode` from `INFO`.
    pub mode: Option<String>,
    /// `CLUSTER NODES`, when the node is in cluster mode and answered it.
    pub cluster_nodes: Option<Vec<ClusterNode>>,
    /// The node answered `INFO`.
    pub answered: bool,
}

pub fn probe(target: Target, settings: &Settings) -> NodeReport {
    let mut report = NodeReport {
        target,
        findings: Vec::new(),
        mode: None,
        cluster_nodes: None,
        answered: false,
    };
    let name = report.target.name();
    let address = report.target.reachable.clone();
    let mut conn = match Connection::open(
        &address.host,
        address.port,
        settings.tls.as_ref(),
        settings.timeout,
    ) {
        Ok(conn) => conn,
        Err(failure) => {
            report
                .findings
                .push(connect_failure(&name, &address, &failure, settings));
            return report;
        }
    };

    // Authenticate as the platform does: AUTH when it has a password, else nothing.
    if let Some(Secret(password)) = &settings.password {
        let auth = Command::Auth {
            user: settings.user.clone(),
            password: password.clone(),
        };
        match conn.call(&auth) {
            Ok(Reply::Error(e)) => {
                report.findings.push(auth_failure(&name, &e, settings));
                return report;
            }
            Ok(_) => {}
            Err(failure) => {
                report
                    .findings
                    .push(first_reply_failure(&name, &address, &failure, settings));
                return report;
            }
        }
    }

    let info = match conn.call(&Command::Info) {
        Ok(Reply::Error(e)) => {
            report
                .findings
                .push(command_refused(&name, &Command::Info, &e, settings));
            return report;
        }
        Ok(reply) => Info::parse(reply.text().unwrap_or("")),
        Err(failure) => {
            let finding = if settings.password.is_none() {
                first_reply_failure(&name, &address, &failure, settings)
            } else {
                lost(&name, &Command::Info, &failure)
            };
            report.findings.push(finding);
            return report;
        }
    };
    report.answered = true;
    report.mode = info.get("redis_mode").map(str::to_string);
    report.findings.extend(version_findings(&name, &info, settings));

    if info.get("cluster_enabled") == Some("1") || report.mode.as_deref() == Some("cluster") {
        match conn.call(&Command::ClusterInfo) {
            Ok(Reply::Error(e)) => {
                report
                    .findings
                    .push(command_refused(&name, &Command::ClusterInfo, &e, settings))
            }
            Ok(reply) => {
                let cluster = Info::parse(reply.text().unwrap_or(""));
                let state = cluster.get("cluster_state").unwrap_or("unknown");
                let ok_slots = cluster.number("cluster_slots_ok").unwrap_or(0);
                if state != "ok" || ok_slots < 16384 {
                    report.findings.push(
                        Finding::new(
                            &live::CLUSTER_STATE_FAIL,
                            format!("cluster_state is {state}: {ok_slots} of 16384 slots served"),
                        )
                        .on(&name)
                        .log_line(platform_log::fatal("CLUSTERDOWN The cluster is down"))
                        .help("wait for the cluster to form, or bring its failed masters back (`redis-cli --cluster check` names the missing slots)"),
                    );
                }
            }
            Err(failure) => report.findings.push(lost(&name, &Command::ClusterInfo, &failure)),
        }
        match conn.call(&Command::ClusterNodes) {
            Ok(Reply::Error(e)) => {
                report
                    .findings
                    .push(command_refused(&name, &Command::ClusterNodes, &e, settings))
            }
            Ok(reply) => report.cluster_nodes = Some(parse_cluster_nodes(reply.text().unwrap_or(""))),
            Err(failure) => report
                .findings
                .push(lost(&name, &Command::ClusterNodes, &failure)),
        }
    }

    // FT.INFO in a failed cluster says only that the cluster is down.
    let cluster_failed = report
        .findings
        .iter()
        .any(|f| f.rule.id == live::CLUSTER_STATE_FAIL.id);
    if settings.search && !cluster_failed {
        if let Some(f) = search_check(&name, &mut conn, &info, settings) {
            report.findings.push(f);
        }
    }

    report.findings.extend(memory_findings(&name, &info));
    if let Some(f) = persistence_check(&name, &mut conn, &info, settings) {
        report.findings.push(f);
    }
    report
}

fn connect_failure(name: &str, address: &Address, failure: &Failure, settings: &Settings) -> Finding {
    let addr = address.to_string();
    let (message, log) = match failure {
        Failure::Dns(e) => (
            format!("the host name `{}` does not resolve ({e})", address.host),
            platform_log::no_such_host(&address.host),
        ),
        Failure::Timeout => (
            format!(
                "no answer to the connection within {}",
                human_duration(settings.timeout)
            ),
            platform_log::timeout(&addr),
        ),
        Failure::Connect(e) if e.kind() == io::ErrorKind::ConnectionRefused => (
            "connection refused: nothing listens on this port".to_string(),
            platform_log::refused(&addr),
        ),
        Failure::Connect(e)
            if matches!(
                e.kind(),
                io::ErrorKind::HostUnreachable | io::ErrorKind::NetworkUnreachable
            ) =>
        {
            (format!("{failure}"), platform_log::no_route(&addr))
        }
        Failure::Tls(_) | Failure::Protocol(_) | Failure::Closed => {
            return tls_failure(name, failure, settings)
        }
        other => (format!("{other}"), platform_log::refused(&addr)),
    };
    let mut help = "check the address and port (the release's `<fullname>-headless:6379`) and that the service has ready endpoints".to_string();
    if !settings.maps.is_empty() || address.host.parse::<std::net::IpAddr>().is_ok() {
        help.push_str("; a cluster node announces its pod address: translate it with --map ANNOUNCED=REACHABLE when the probe runs outside the cluster");
    }
    Finding::new(&live::REDIS_UNREACHABLE, message)
        .on(name)
        .log_line(log)
        .help(help)
}

fn tls_failure(name: &str, failure: &Failure, settings: &Settings) -> Finding {
    let message = match (failure, settings.tls.is_some()) {
        (Failure::Tls(e), _) => format!("TLS handshake failed: {e}"),
        (Failure::Closed, false) => {
            "the server closed the connection at the first command: a Redis with TLS on does that to a plain client".to_string()
        }
        (Failure::Protocol(e), false) => format!("the answer is not Redis's protocol ({e}): is this a TLS port?"),
        (other, _) => format!("{other}"),
    };
    let help = if settings.tls.is_some() {
        "give the CA that signed the server's certificate (--tls-ca, redis.tls.ca) and, when the server requires it (tls.authClients), a client certificate and key; or turn TLS off on both ends"
    } else {
        "turn TLS on in the client (--tls; redis.tls.enabled: true) with the cluster's CA, or off in the cluster"
    };
    Finding::new(&live::TLS_HANDSHAKE_FAILED, message)
        .on(name)
        .log_line(platform_log::fatal(match settings.tls {
            Some(_) => "tls: failed to verify certificate: x509: certificate signed by unknown authority",
            None => "EOF",
        }))
        .help(help)
}

/// The first reply failed (before any answer): TLS mismatches show here, and nodes that died.
fn first_reply_failure(name: &str, address: &Address, failure: &Failure, settings: &Settings) -> Finding {
    // A closed connection is a TLS port refusing a plain client, or a node going down (behind a
    // port-forward, a dead pod's connections are accepted and closed): ask the port for TLS.
    if matches!(failure, Failure::Closed)
        && settings.tls.is_none()
        && !resp::speaks_tls(address, settings.timeout)
    {
        return Finding::new(
            &live::REDIS_UNREACHABLE,
            "the node closed the connection at the first command, and does not speak TLS: it went down during the probe, or a port-forward lost its pod",
        )
        .on(name)
        .log_line(platform_log::fatal("EOF"))
        .help("check the node's pod (restarts, OOM kills) and run the probe again");
    }
    match failure {
        Failure::Closed | Failure::Protocol(_) | Failure::Tls(_) => tls_failure(name, failure, settings),
        Failure::Timeout => Finding::new(
            &live::REDIS_UNREACHABLE,
            format!(
                "the server accepted the connection and did not answer within {}",
                human_duration(settings.timeout)
            ),
        )
        .on(name)
        .log_line(platform_log::timeout(&address.to_string()))
        .help("something listens on this port but does not answer like Redis: a wrong port, a proxy without a backend, or a TLS port (try --tls)"),
        other => lost(name, &Command::Ping, other),
    }
}

/// A command got no answer after the connection had worked.
fn lost(name: &str, command: &Command, failure: &Failure) -> Finding {
    Finding::new(
        &live::REDIS_UNREACHABLE,
        format!("{} got no answer: {failure}", command.name()),
    )
    .on(name)
    .help("the node stopped answering during the probe: check its pod (restarts, memory) and run the probe again")
}

fn auth_failure(name: &str, error: &str, settings: &Settings) -> Finding {
    let who = settings
        .user
        .as_deref()
        .map(|u| format!("user `{u}` with this password"))
        .unwrap_or_else(|| "the password".to_string());
    let message = if error.starts_with("WRONGPASS") {
        format!("Redis refused {who} (WRONGPASS)")
    } else if error.contains("without any password configured") {
        "the client sends a password and this Redis has none: AUTH fails".to_string()
    } else if error.starts_with("NOPERM") {
        return command_refused(
            name,
            &Command::Auth {
                user: None,
                password: String::new(),
            },
            error,
            settings,
        );
    } else {
        format!("AUTH failed: {}", short(error))
    };
    Finding::new(&live::REDIS_AUTH_FAILED, message)
        .on(name)
        .log_line(platform_log::redis_error(error, settings.cluster_client))
        .help("use the cluster's password (redis-cluster.password, global.redis.password or the existingSecret's redis-password key) in the platform's redis.password, and give it to the probe with --password-env or --password-file")
}

/// A Redis error reply to a read-only command.
fn command_refused(name: &str, command: &Command, error: &str, settings: &Settings) -> Finding {
    if error.starts_with("NOAUTH") {
        return Finding::new(
            &live::REDIS_AUTH_FAILED,
            "Redis requires a password and the client has none (NOAUTH)",
        )
        .on(name)
        .log_line(platform_log::redis_error(error, settings.cluster_client))
        .help("give the platform the cluster's password (redis.password), and the probe with --password-env or --password-file");
    }
    if error.starts_with("NOPERM") {
        let user = settings.user.as_deref().unwrap_or("default");
        let rules = super::probe_acl_rules(&settings.index);
        // Redis names what is missing: the command, or access to a key (FT.INFO's index name).
        let (message, missing) = if error.contains("keys") {
            (
                format!(
                    "user `{user}` may not access the key `{}`, which {} names (NOPERM)",
                    settings.index,
                    command.name()
                ),
                format!("~{}", settings.index),
            )
        } else {
            (
                format!("user `{user}` may not run {} (NOPERM)", command.name()),
                format!("+{}", command.acl_name()),
            )
        };
        return Finding::new(&live::PROBE_PERMISSION_DENIED, message)
            .on(name)
            .help(format!(
                "grant the probe its read-only commands: ACL SETUSER {user} on {rules}; {missing} is missing"
            ));
    }
    if error.starts_with("ERRCLUSTER") || error.starts_with("CLUSTERDOWN") {
        return Finding::new(
            &live::CLUSTER_STATE_FAIL,
            format!("{} refused: {}", command.name(), short(error)),
        )
        .on(name)
        .log_line(platform_log::fatal(error))
        .help("the cluster is not formed or has lost a master: wait for the chart's cluster creation, or bring the failed nodes back");
    }
    Finding::new(
        &live::REDIS_UNREACHABLE,
        format!("{} failed: {}", command.name(), short(error)),
    )
    .on(name)
    .log_line(platform_log::redis_error(error, settings.cluster_client))
}

fn version_findings(name: &str, info: &Info, settings: &Settings) -> Vec<Finding> {
    let Some(text) = info.get("redis_version") else {
        return Vec::new();
    };
    versions::live_version(text, &settings.versions)
        .into_iter()
        .map(|f| f.on(name))
        .collect()
}

/// `FT.INFO <index>`: the platform's second command at start-up.
fn search_check(name: &str, conn: &mut Connection, info: &Info, settings: &Settings) -> Option<Finding> {
    let command = Command::FtInfo(settings.index.clone());
    match conn.call(&command) {
        Ok(Reply::Error(e)) => match FtInfoError::of(&e) {
            // The index's slot is served by another node, which the platform's cluster client
            // follows (and this probe checks there). The module is loaded.
            FtInfoError::Moved => None,
            FtInfoError::UnknownCommand => {
                Some(
                    Finding::new(
                        &search::SEARCH_MODULE_MISSING,
                        format!("RediSearch is not loaded: Redis answered FT.INFO with `{}`", short(&e)),
                    )
                    .on(name)
                    .log_line(platform_log::fatal(&e))
                    .help("load the module in every node: `loadmodule /redismodules/redisearch.so OSS_GLOBAL_PASSWORD <cluster password>` in redis-cluster.redis.configmap, with the module mounted at /redismodules"),
                )
            }
            FtInfoError::UnknownIndex => {
                Some(
                    Finding::new(
                        &live::SEARCH_INDEX_MISSING,
                        format!("RediSearch has no index `{}` yet", settings.index),
                    )
                    .on(name)
                    .help("expected before the platform's first start; otherwise check the platform's redis.addrs and index name"),
                )
            }
            FtInfoError::Other => Some(command_refused(name, &command, &e, settings)),
        },
        Ok(_) => None,
        Err(failure) => {
            // A module-less Redis answers at once; no answer at all is a node problem.
            let mut f = lost(name, &command, &failure);
            if !info.has_search_module() {
                f.message.push_str(" (and INFO lists no search module)");
            }
            Some(f)
        }
    }
}

/// What an error reply to `FT.INFO` means.
#[derive(Debug, PartialEq, Eq)]
enum FtInfoError {
    /// RediSearch is not loaded: Redis 6.2 quotes with backquotes, 7.x with apostrophes.
    UnknownCommand,
    /// The module is loaded and has no such index (`Unknown Index name` in RediSearch 1.2 and
    /// 2.6, `Unknown index name` in 2.10, `no such index` elsewhere).
    UnknownIndex,
    /// `MOVED`/`ASK`: another node serves the index's slot.
    Moved,
    /// Anything else: NOPERM, NOAUTH, ERRCLUSTER, … ([`command_refused`]).
    Other,
}

impl FtInfoError {
    fn of(error: &str) -> FtInfoError {
        let lower = error.to_ascii_lowercase();
        if lower.starts_with("moved ") || lower.starts_with("ask ") {
            FtInfoError::Moved
        } else if lower.starts_with("err unknown command") {
            FtInfoError::UnknownCommand
        } else if lower.contains("unknown index name") || lower.contains("no such index") {
            FtInfoError::UnknownIndex
        } else {
            FtInfoError::Other
        }
    }
}

fn memory_findings(name: &str, info: &Info) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Some(policy) = info.get("maxmemory_policy") {
        if policy != "noeviction" {
            findings.push(
                Finding::new(
                    &topology::EVICTING_MEMORY_POLICY,
                    format!("maxmemory-policy is {policy}: Redis evicts keys (tokens, sessions) when memory is full"),
                )
                .on(name)
                .help("set `maxmemory-policy noeviction` in redis-cluster.redis.configmap"),
            );
        }
    }
    let used = info.number("used_memory");
    let max = info.number("maxmemory").filter(|m| *m > 0);
    if let (Some(used), Some(max)) = (used, max) {
        if used * 10 > max * 9 {
            findings.push(
                Finding::new(
                    &live::MEMORY_NEARLY_FULL,
                    format!(
                        "{}% of maxmemory ({} of {}) is used",
                        used * 100 / max,
                        bytes(used),
                        bytes(max)
                    ),
                )
                .on(name)
                .help("raise maxmemory (and the pods' memory limits), or add shards"),
            );
        }
    }
    findings
}

/// AOF from `INFO`; RDB snapshots from `CONFIG GET save` when the user may run it.
fn persistence_check(name: &str, conn: &mut Connection, info: &Info, settings: &Settings) -> Option<Finding> {
    if info.get("aof_enabled") != Some("0") {
        return None;
    }
    let help = "set redis-cluster.redis.useAOFPersistence: \"yes\" (the chart's default)";
    match conn.call(&Command::ConfigGet("save")) {
        Ok(Reply::Array(Some(items))) => {
            let save = items.get(1).and_then(Reply::text).unwrap_or("");
            save.trim().is_empty().then(|| {
                Finding::new(
                    &live::PERSISTENCE_DISABLED,
                    "neither AOF nor RDB snapshots are on: a restarted node comes back empty",
                )
                .on(name)
                .help(help)
            })
        }
        Ok(Reply::Error(e)) if e.starts_with("NOPERM") || e.to_ascii_lowercase().contains("unknown") => Some(
            Finding::new(
                &live::PERSISTENCE_DISABLED,
                format!(
                    "AOF is off, and whether RDB snapshots are on is unknown: user `{}` may not run CONFIG GET",
                    settings.user.as_deref().unwrap_or("default")
                ),
            )
            .unverified()
            .on(name)
            .help(help),
        ),
        _ => None,
    }
}

/// Cluster-wide findings from `CLUSTER NODES` and the nodes' reports.
pub fn cluster_findings(nodes: &[ClusterNode], reports: &[NodeReport]) -> Vec<Finding> {
    let mut findings = Vec::new();
    // Only masters serving slots hold tokens and sessions that a lost node would take with it.
    let masters: Vec<&ClusterNode> = nodes
        .iter()
        .filter(|n| n.master && n.owns_slots && !n.failing)
        .collect();
    let lonely: Vec<&str> = masters
        .iter()
        .filter(|m| {
            !nodes
                .iter()
                .any(|n| n.master_id.as_deref() == Some(m.id.as_str()) && !n.failing)
        })
        .map(|m| m.address.as_str())
        .collect();
    if !lonely.is_empty() {
        let seed = reports
            .iter()
            .find(|r| r.answered)
            .map(|r| r.target.name())
            .unwrap_or_default();
        findings.push(
            Finding::new(
                &topology::CLUSTER_NO_REPLICAS,
                format!(
                    "{} of {} masters have no working replica ({}): losing one loses its share of tokens and sessions",
                    lonely.len(),
                    masters.len(),
                    lonely.join(", ")
                ),
            )
            .on(seed)
            .help("run one replica per master (redis-cluster.cluster.replicas: 1 with cluster.nodes: 6)"),
        );
    }
    findings
}

/// A server's answer, quoted in a message.
fn short(text: &str) -> String {
    crate::core::text::preview(text.trim(), 200)
}

fn bytes(n: u64) -> String {
    const MIB: f64 = 1024.0 * 1024.0;
    if n as f64 >= 1024.0 * MIB {
        format!("{:.1} GiB", n as f64 / (1024.0 * MIB))
    } else {
        format!("{:.1} MiB", n as f64 / MIB)
    }
}

pub fn human_duration(d: std::time::Duration) -> String {
    if d.as_millis() % 1000 == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ft_info_errors_as_real_servers_word_them() {
        use FtInfoError::*;
        for (reply, meaning) in [
            (
                "ERR unknown command `FT.INFO`, with args beginning with: `default-index`, ",
                UnknownCommand,
            ),
            (
                "ERR unknown command 'FT.INFO', with args beginning with: 'default-index' ",
                UnknownCommand,
            ),
            ("Unknown Index name", UnknownIndex),
            ("Unknown index name", UnknownIndex),
            ("default-index: no such index", UnknownIndex),
            ("MOVED 3178 127.0.0.1:7001", Moved),
            ("ASK 3178 127.0.0.1:7001", Moved),
            (
                "ERRCLUSTER Uninitialized cluster state, could not perform command",
                Other,
            ),
            (
                "NOPERM this user has no permissions to run the 'ft.info' command",
                Other,
            ),
        ] {
            assert_eq!(FtInfoError::of(reply), meaning, "{reply}");
        }
    }
}
