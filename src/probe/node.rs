//! The named checks on one node, in the order the platform meets them: connect (and TLS),
//! authenticate, `INFO`, `FT.INFO`, `CLUSTER INFO` / `CLUSTER NODES`, then what `INFO` tells about
//! durability and memory. A check that fails stops the ones that need it.

use std::io;

use super::resp::{self, Budget, Command, Connection, Failure, Reply};
use super::{Address, Deadline, Secret, Settings};
use crate::diagnostic::Finding;
use crate::model::info::{parse_cluster_nodes, ClusterNode, Info};
use crate::rules::auth::redis_auth_failed;
use crate::rules::connection::probe_permission_denied;
use crate::rules::connection::redis_unreachable::{self, ConnectError};
use crate::rules::durability::{evicting_memory_policy, memory_nearly_full, persistence_disabled};
use crate::rules::search::{search_index_missing, search_module_incompatible, search_module_missing};
use crate::rules::tls::tls_handshake_failed::{self, TlsFailure};
use crate::rules::topology::{cluster_no_replicas, cluster_state_fail};
use crate::rules::versions;

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
    /// What a cluster node that has RediSearch said of its build.
    pub search_build: Option<LiveBuild>,
}

/// A cluster node's RediSearch build, from `MODULE LIST` and `COMMAND INFO`.
#[derive(Clone, Debug)]
pub enum LiveBuild {
    Known {
        /// `ver` of `MODULE LIST` (major·10000 + minor·100 + patch), read as a version.
        version: Option<String>,
        /// The build registers `search.CLUSTERINFO`, as the coordinator builds (`coord/src/module.c`
        /// of RediSearch 2.4 to 2.10) do and the others do not.
        coordinator: bool,
    },
    /// The node would not say: the command it refused (and its ACL name), and its answer.
    NotSaid {
        command: String,
        acl: &'static str,
        answer: String,
    },
}

pub fn probe(target: Target, settings: &Settings, budget: Budget, deadline: &Deadline) -> NodeReport {
    let mut report = NodeReport {
        target,
        findings: Vec::new(),
        mode: None,
        cluster_nodes: None,
        answered: false,
        search_build: None,
    };
    let name = report.target.name();
    let address = report.target.reachable.clone();
    let mut session = match Session::open(&address, settings, budget) {
        Ok(session) => session,
        Err(failure) => {
            report
                .findings
                .push(connect_failure(&name, &address, &failure, settings, deadline));
            return report;
        }
    };
    let announced = report.target.announced.clone();
    let cx = Probing {
        name: &name,
        announced: &announced,
        address: &address,
        settings,
        budget,
        deadline,
    };
    checks(&cx, &mut session, &mut report);
    if let Some(f) = session.not_run(&name) {
        report.findings.push(f);
    }
    report
}

/// What the checks of one node need to word their findings.
struct Probing<'a> {
    name: &'a str,
    /// The address the node is known by (what `CLUSTER NODES` of the others would name).
    announced: &'a Address,
    address: &'a Address,
    settings: &'a Settings,
    budget: Budget,
    deadline: &'a Deadline,
}

/// The checks, in the platform's order; one that fails stops those that need it.
fn checks(cx: &Probing, session: &mut Session, report: &mut NodeReport) {
    let (name, settings) = (cx.name, cx.settings);
    // Authenticate as the platform does: AUTH when it has a password, else nothing.
    if let Some(Secret(password)) = &settings.password {
        let auth = Command::Auth {
            user: settings.user.clone(),
            password: password.clone(),
        };
        match session.call(&auth) {
            Ok(Reply::Status(ok)) if ok == "OK" => {}
            Ok(Reply::Error(e)) => {
                report.findings.push(auth_failure(name, &e, settings));
                return;
            }
            Ok(other) => {
                report.findings.push(not_redis(name, &auth, &other));
                return;
            }
            Err(failure) => {
                report.findings.extend(first_reply_failure(cx, &auth, &failure));
                return;
            }
        }
    }

    let info = match session.call(&Command::Info) {
        Ok(Reply::Error(e)) => {
            report
                .findings
                .push(command_refused(name, &Command::Info, &e, settings));
            return;
        }
        Ok(Reply::Bulk(Some(text))) => match Info::parse(&text) {
            info if info.get("redis_version").is_some() => info,
            _ => {
                report.findings.push(redis_unreachable::not_redis(
                    name,
                    "INFO",
                    "a text without `redis_version`",
                ));
                return;
            }
        },
        Ok(other) => {
            report.findings.push(not_redis(name, &Command::Info, &other));
            return;
        }
        Err(failure) => {
            let finding = if settings.password.is_none() {
                first_reply_failure(cx, &Command::Info, &failure)
            } else {
                lost(cx, &Command::Info, &failure)
            };
            report.findings.extend(finding);
            return;
        }
    };
    report.answered = true;
    report.mode = info.get("redis_mode").map(str::to_string);
    report.findings.extend(version_findings(name, &info, settings));

    if info.get("cluster_enabled") == Some("1") || report.mode.as_deref() == Some("cluster") {
        let command = Command::ClusterInfo;
        match session.call(&command) {
            Ok(Reply::Error(e)) => report
                .findings
                .push(command_refused(name, &command, &e, settings)),
            Ok(Reply::Bulk(Some(text))) => {
                let cluster = Info::parse(&text);
                let slots = cluster.get("cluster_slots_ok").map(str::parse::<u64>);
                match (cluster.get("cluster_state"), slots) {
                    (Some(state), Some(Ok(ok_slots))) => {
                        if state != "ok" || ok_slots < 16384 {
                            report
                                .findings
                                .push(cluster_state_fail::state(name, state, ok_slots));
                        }
                    }
                    _ => report.findings.push(redis_unreachable::not_redis(
                        name,
                        "CLUSTER INFO",
                        "a text without `cluster_state` and a number of `cluster_slots_ok`",
                    )),
                }
            }
            Ok(other) => report.findings.push(not_redis(name, &command, &other)),
            Err(failure) => report.findings.extend(lost(cx, &command, &failure)),
        }
        let command = Command::ClusterNodes;
        match session.call(&command) {
            Ok(Reply::Error(e)) => report
                .findings
                .push(command_refused(name, &command, &e, settings)),
            Ok(Reply::Bulk(Some(text))) => match cluster_nodes(&text, &cx.announced.host) {
                Ok(nodes) => report.cluster_nodes = Some(nodes),
                Err(why) => report
                    .findings
                    .push(redis_unreachable::not_redis(name, "CLUSTER NODES", &why)),
            },
            Ok(other) => report.findings.push(not_redis(name, &command, &other)),
            Err(failure) => report.findings.extend(lost(cx, &command, &failure)),
        }
    }

    // FT.INFO in a failed cluster says only that the cluster is down.
    let cluster_failed = report
        .findings
        .iter()
        .any(|f| f.rule.id == cluster_state_fail::RULE.id);
    if settings.search && !cluster_failed {
        report.findings.extend(search_check(cx, session, &info));
        // Which build only matters where there are shards to coordinate.
        if report.cluster_nodes.is_some() && info.has_search_module() {
            report.search_build = search_build(cx, session, &mut report.findings);
        }
    }

    report.findings.extend(memory_findings(name, &info));
    report.findings.extend(persistence_check(cx, session, &info));
}

/// The commands sent to one node, on one connection at a time. A connection on which a command
/// failed is dropped (its late reply would be read as the next command's): the next command
/// opens a new one (once per node), within the deadline. Commands that cannot be sent (a second
/// failure, or no time left) are not run, and reported together.
struct Session<'a> {
    address: &'a Address,
    settings: &'a Settings,
    budget: Budget,
    conn: Option<Connection>,
    reconnects_left: usize,
    /// The commands not sent, and why the first was not.
    not_run: Vec<String>,
    why_not: Option<String>,
}

impl<'a> Session<'a> {
    fn open(address: &'a Address, settings: &'a Settings, budget: Budget) -> Result<Session<'a>, Failure> {
        let conn = Connection::open(&address.host, address.port, settings.tls.as_ref(), budget)?;
        Ok(Session {
            address,
            settings,
            budget,
            conn: Some(conn),
            reconnects_left: 1,
            not_run: Vec::new(),
            why_not: None,
        })
    }

    fn call(&mut self, command: &Command) -> Result<Reply, Failure> {
        if self.budget.expired() {
            return self.skip(command, || "the probe's deadline had passed".into());
        }
        if !self.conn.as_ref().is_some_and(Connection::usable) {
            self.conn = None;
            if self.reconnects_left == 0 {
                return self.skip(command, || "a command failed again on a new connection".into());
            }
            self.reconnects_left -= 1;
            match self.reopen() {
                Ok(conn) => self.conn = Some(conn),
                Err(failure) => return self.skip(command, || format!("a new connection failed: {failure}")),
            }
        }
        match &mut self.conn {
            Some(conn) => conn.call(command),
            None => Err(Failure::NotRun),
        }
    }

    /// A new connection, authenticated as the first was.
    fn reopen(&self) -> Result<Connection, Failure> {
        let mut conn = Connection::open(
            &self.address.host,
            self.address.port,
            self.settings.tls.as_ref(),
            self.budget,
        )?;
        if let Some(Secret(password)) = &self.settings.password {
            let auth = Command::Auth {
                user: self.settings.user.clone(),
                password: password.clone(),
            };
            match conn.call(&auth)? {
                Reply::Status(ok) if ok == "OK" => {}
                _ => return Err(Failure::Protocol("AUTH on the new connection failed".into())),
            }
        }
        Ok(conn)
    }

    fn skip(&mut self, command: &Command, why: impl FnOnce() -> String) -> Result<Reply, Failure> {
        self.not_run.push(command.name());
        if self.why_not.is_none() {
            self.why_not = Some(why());
        }
        Err(Failure::NotRun)
    }

    /// One finding for the commands not run, if any.
    fn not_run(&self, name: &str) -> Option<Finding> {
        let why = self.why_not.as_deref()?;
        Some(redis_unreachable::not_run(name, &self.not_run, why))
    }
}

fn connect_failure(
    name: &str,
    address: &Address,
    failure: &Failure,
    settings: &Settings,
    deadline: &Deadline,
) -> Finding {
    let text = failure.to_string();
    let error = match failure {
        Failure::Dns(e) => ConnectError::Dns {
            host: &address.host,
            error: e,
        },
        Failure::Timeout => ConnectError::Timeout(settings.timeout),
        Failure::Deadline => ConnectError::Deadline(&deadline.set_by),
        Failure::Connect(e) if e.kind() == io::ErrorKind::ConnectionRefused => ConnectError::Refused,
        Failure::Connect(e)
            if matches!(
                e.kind(),
                io::ErrorKind::HostUnreachable | io::ErrorKind::NetworkUnreachable
            ) =>
        {
            ConnectError::NoRoute(&text)
        }
        Failure::Tls(_) | Failure::Protocol(_) | Failure::Closed => {
            return tls_failure(name, failure, settings)
        }
        _ => ConnectError::Other(&text),
    };
    let suggest_map = !settings.maps.is_empty() || address.host.parse::<std::net::IpAddr>().is_ok();
    redis_unreachable::connect(name, &address.to_string(), error, suggest_map)
}

fn tls_failure(name: &str, failure: &Failure, settings: &Settings) -> Finding {
    let text = failure.to_string();
    let kind = match (failure, settings.tls.is_some()) {
        (Failure::Tls(e), _) => TlsFailure::Handshake(e),
        (Failure::Closed, false) => TlsFailure::ClosedOnPlain,
        (Failure::Protocol(e), false) => TlsFailure::NotRedisOnPlain(e),
        _ => TlsFailure::Other(&text),
    };
    tls_handshake_failed::live(name, kind, settings.tls.is_some())
}

/// The first reply failed (before any answer): TLS mismatches show here, servers that are not
/// Redis, and nodes that died.
fn first_reply_failure(cx: &Probing, command: &Command, failure: &Failure) -> Option<Finding> {
    let (name, settings) = (cx.name, cx.settings);
    // A closed connection, or bytes that are not RESP, is a TLS port refusing a plain client, or
    // something else: a node going down (behind a port-forward, a dead pod's connections are
    // accepted and closed), a server that is not Redis. Ask the port for TLS.
    if matches!(failure, Failure::Closed | Failure::Protocol(_))
        && settings.tls.is_none()
        && !resp::speaks_tls(cx.address, cx.budget)
    {
        return Some(match failure {
            Failure::Protocol(e) => redis_unreachable::not_redis(
                name,
                &command.name(),
                &format!("bytes that are not the Redis protocol ({e})"),
            ),
            _ => redis_unreachable::closed_at_first_command(name),
        });
    }
    match failure {
        Failure::Closed | Failure::Protocol(_) | Failure::Tls(_) => {
            Some(tls_failure(name, failure, settings))
        }
        Failure::Timeout => Some(redis_unreachable::no_answer(
            name,
            &cx.address.to_string(),
            settings.timeout,
        )),
        other => lost(cx, command, other),
    }
}

/// A command got no answer after the connection had worked; nothing when it was not sent (the
/// session reports those together).
fn lost(cx: &Probing, command: &Command, failure: &Failure) -> Option<Finding> {
    match failure {
        Failure::NotRun => None,
        Failure::Deadline => Some(redis_unreachable::out_of_time(
            cx.name,
            &command.name(),
            &cx.deadline.set_by,
        )),
        other => Some(redis_unreachable::lost(
            cx.name,
            &command.name(),
            &other.to_string(),
        )),
    }
}

/// A reply of the wrong type for its command: the server is not Redis.
fn not_redis(name: &str, command: &Command, reply: &Reply) -> Finding {
    redis_unreachable::not_redis(name, &command.name(), &describe(reply))
}

/// A reply as a message names it.
fn describe(reply: &Reply) -> String {
    use crate::core::text::preview;
    match reply {
        Reply::Status(s) => format!("`+{}`", preview(s, 40)),
        Reply::Error(e) => format!("`-{}`", preview(e, 40)),
        Reply::Int(n) => format!("the integer {n}"),
        Reply::Bulk(None) | Reply::Array(None) => "a null reply".into(),
        Reply::Bulk(Some(text)) => format!("the text `{}`", preview(text, 40)),
        Reply::Array(Some(items)) => format!("an array of {} items", items.len()),
    }
}

/// `CLUSTER NODES`, if it has the shape Redis gives it: a line per node, each with at least eight
/// fields, an address `host:port[@cport][,hostname]` (empty for a node without one, flagged
/// `noaddr` or `handshake`), a link state; and one line flagged `myself`.
/// `CLUSTER NODES`, checked. A node that has met no other (a cluster of one) announces itself
/// without a host (`:6379@16379`, Redis 6.2 and 7.0): it is the host the probe knows it by.
fn cluster_nodes(text: &str, own_host: &str) -> Result<Vec<ClusterNode>, String> {
    let mut myself = false;
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let bad = |what: &str| Err(format!("line {} is not a node ({what})", i + 1));
        if fields.len() < 8 {
            return bad("fewer than 8 fields");
        }
        let flags: Vec<&str> = fields[2].split(',').collect();
        let address = fields[1].split(['@', ',']).next().unwrap_or("");
        let without_address = flags.iter().any(|f| matches!(*f, "noaddr" | "handshake"));
        let hostless_self = flags.contains(&"myself") && address.starts_with(':');
        let readable = if hostless_self {
            Address::announced(&format!("{own_host}{address}"))
        } else {
            Address::announced(address)
        };
        if !without_address && readable.is_err() {
            return bad("no HOST:PORT");
        }
        if !matches!(fields[7], "connected" | "disconnected") {
            return bad("no link state");
        }
        myself |= flags.contains(&"myself");
    }
    if !myself {
        return Err("no line is the node itself (`myself`)".into());
    }
    let mut nodes = parse_cluster_nodes(text);
    for node in nodes
        .iter_mut()
        .filter(|n| n.myself && n.address.starts_with(':'))
    {
        node.address = format!("{own_host}{}", node.address);
    }
    Ok(nodes)
}

fn auth_failure(name: &str, error: &str, settings: &Settings) -> Finding {
    if error.starts_with("NOPERM") {
        let auth = Command::Auth {
            user: None,
            password: String::new(),
        };
        return command_refused(name, &auth, error, settings);
    }
    redis_auth_failed::refused(name, error, settings.user.as_deref(), settings.cluster_client)
}

/// A Redis error reply to a read-only command.
fn command_refused(name: &str, command: &Command, error: &str, settings: &Settings) -> Finding {
    if error.starts_with("NOAUTH") {
        return redis_auth_failed::no_password(name, error, settings.cluster_client);
    }
    if error.starts_with("NOPERM") {
        return probe_permission_denied::live(
            name,
            &command.name(),
            command.acl_name(),
            error,
            settings.user.as_deref(),
            &settings.index,
        );
    }
    if error.starts_with("ERRCLUSTER") || error.starts_with("CLUSTERDOWN") {
        return cluster_state_fail::refused(name, &command.name(), error);
    }
    redis_unreachable::command_failed(name, &command.name(), error, settings.cluster_client)
}

fn version_findings(name: &str, info: &Info, settings: &Settings) -> Vec<Finding> {
    let Some(reported) = versions::Reported::of(|field| info.get(field).map(str::to_string)) else {
        return Vec::new();
    };
    versions::live(&reported, &settings.policy)
        .into_iter()
        .map(|f| f.on(name))
        .collect()
}

/// `FT.INFO <index>`: the platform's second command at start-up.
fn search_check(cx: &Probing, session: &mut Session, info: &Info) -> Option<Finding> {
    let (name, settings) = (cx.name, cx.settings);
    let command = Command::FtInfo(settings.index.clone());
    match session.call(&command) {
        Ok(Reply::Error(e)) => match FtInfoError::of(&e) {
            // The index's slot is served by another node, which the platform's cluster client
            // follows (and this probe checks there). The module is loaded.
            FtInfoError::Moved => None,
            FtInfoError::UnknownCommand => Some(search_module_missing::live(name, &e)),
            FtInfoError::UnknownIndex => Some(search_index_missing::live(name, &settings.index)),
            FtInfoError::Other => Some(command_refused(name, &command, &e, settings)),
        },
        // The index's description.
        Ok(Reply::Array(Some(_))) => None,
        Ok(other) => Some(not_redis(name, &command, &other)),
        Err(failure) => {
            // A module-less Redis answers at once; no answer at all is a node problem.
            let mut f = lost(cx, &command, &failure)?;
            if !info.has_search_module() {
                f.message.push_str(" (and INFO lists no search module)");
            }
            Some(f)
        }
    }
}

/// `MODULE LIST` and `COMMAND INFO search.CLUSTERINFO`: the RediSearch build's version, and
/// whether it has the coordinator. Only `name` and `ver` are read: `args` holds the `loadmodule`
/// arguments, `OSS_GLOBAL_PASSWORD`'s value among them.
fn search_build(cx: &Probing, session: &mut Session, findings: &mut Vec<Finding>) -> Option<LiveBuild> {
    // The reply, or what the node said instead: a refusal is a build not said; no reply, the
    // node's failure.
    let mut ask = |command: &Command| match session.call(command) {
        Ok(Reply::Error(e)) => Err(Some(LiveBuild::NotSaid {
            command: command.name(),
            acl: command.acl_name(),
            answer: crate::core::text::preview(e.trim(), 200),
        })),
        Ok(reply) => Ok(reply),
        Err(failure) => {
            findings.extend(lost(cx, command, &failure));
            Err(None)
        }
    };
    let command = Command::ModuleList;
    let version = match ask(&command) {
        Ok(Reply::Array(Some(modules))) => modules.iter().find_map(|module| {
            let field = |name: &str| match module {
                Reply::Array(Some(pairs)) => pairs
                    .chunks(2)
                    .find(|pair| pair[0].text() == Some(name))
                    .and_then(|pair| pair.get(1)),
                _ => None,
            };
            let is_search = matches!(field("name").and_then(Reply::text), Some("search" | "ft"));
            is_search.then(|| match field("ver") {
                Some(Reply::Int(ver)) if *ver >= 0 => {
                    Some(format!("{}.{}.{}", ver / 10000, ver / 100 % 100, ver % 100))
                }
                _ => None,
            })
        })?,
        Ok(other) => {
            findings.push(not_redis(cx.name, &command, &other));
            return None;
        }
        Err(instead) => return instead,
    };
    let command = Command::CommandInfo("search.CLUSTERINFO");
    let coordinator = match ask(&command) {
        // One entry per command asked: nil when the server has no such command.
        Ok(Reply::Array(Some(entries))) if entries.len() == 1 => {
            matches!(&entries[0], Reply::Array(Some(info)) if !info.is_empty())
        }
        Ok(other) => {
            findings.push(not_redis(cx.name, &command, &other));
            return None;
        }
        Err(instead) => return instead,
    };
    Some(LiveBuild::Known { version, coordinator })
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
        findings.extend(evicting_memory_policy::live(name, policy));
    }
    // A number that cannot be read is said, not taken for "no limit".
    let number = |key: &'static str| match info.get(key) {
        Some(text) => text.parse::<u64>().map_err(|_| (key, Some(text))),
        None => Err((key, None)),
    };
    match (number("used_memory"), number("maxmemory")) {
        (Ok(used), Ok(max)) => findings.extend(memory_nearly_full::live(name, used, max)),
        (Err((key, text)), _) | (_, Err((key, text))) => {
            findings.push(memory_nearly_full::unreadable(name, key, text))
        }
    }
    findings
}

/// AOF from `INFO`; RDB snapshots from `CONFIG GET save` when the user may run it.
fn persistence_check(cx: &Probing, session: &mut Session, info: &Info) -> Option<Finding> {
    let (name, settings) = (cx.name, cx.settings);
    if info.get("aof_enabled") != Some("0") {
        return None;
    }
    let command = Command::ConfigGet("save");
    match session.call(&command) {
        Ok(Reply::Array(Some(items))) if items.len() == 2 && items[1].text().is_some() => {
            let save = items[1].text().unwrap_or_default();
            save.trim().is_empty().then(|| persistence_disabled::live(name))
        }
        Ok(Reply::Error(e)) if e.starts_with("NOPERM") || e.to_ascii_lowercase().contains("unknown") => Some(
            persistence_disabled::snapshots_unknown(name, settings.user.as_deref()),
        ),
        Ok(Reply::Error(e)) => Some(command_refused(name, &command, &e, settings)),
        Ok(other) => Some(not_redis(name, &command, &other)),
        Err(failure) => lost(cx, &command, &failure),
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
        findings.push(cluster_no_replicas::live(&seed, &lonely, masters.len()));
    }
    findings.extend(one_shard_search(&masters, reports));
    findings
}

/// RediSearch without the coordinator on a cluster of several masters, said once for the nodes
/// that have it; or, when none said which build it has, once that it was not checked.
fn one_shard_search(masters: &[&ClusterNode], reports: &[NodeReport]) -> Option<Finding> {
    if masters.len() < 2 {
        return None;
    }
    let mut without = Vec::new();
    let mut version = None;
    let mut not_said = None;
    for report in reports {
        match &report.search_build {
            Some(LiveBuild::Known {
                version: v,
                coordinator: false,
            }) => {
                without.push(report.target.name());
                version = version.or(v.clone());
            }
            Some(LiveBuild::NotSaid { command, acl, answer }) => {
                not_said = not_said.or(Some((report.target.name(), command, *acl, answer)));
            }
            _ => {}
        }
    }
    if !without.is_empty() {
        without.sort();
        return Some(search_module_incompatible::live_one_shard(
            &without,
            version.as_deref(),
            masters.len(),
        ));
    }
    let (target, command, acl, answer) = not_said?;
    Some(search_module_incompatible::live_not_checked(
        &target, command, acl, answer,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cluster_of_one_names_itself_by_the_host_it_was_reached_at() {
        // What Redis 6.2.14 and 7.0.15 answer before meeting another node.
        let text = "af65 :27121@37121 myself,master - 0 0 0 connected 0-16383\n";
        let nodes = cluster_nodes(text, "127.0.0.1").unwrap();
        assert_eq!(nodes[0].address, "127.0.0.1:27121");
        assert!(nodes[0].myself && nodes[0].owns_slots);
        // Another node without a host is not a node.
        let text =
            "af65 127.0.0.1:1@2 myself,master - 0 0 0 connected\nb0b0 :7000@17000 master - 0 0 0 connected\n";
        assert_eq!(
            cluster_nodes(text, "127.0.0.1").unwrap_err(),
            "line 2 is not a node (no HOST:PORT)"
        );
    }

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
