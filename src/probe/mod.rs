//! `acp-check probe`: connects to the live Redis the platform will use, as the platform would, and
//! reports each documented failure mode with the rule lint uses for the same cause.
//!
//! [`settings`] turns flags and values into targets and credentials (no network); [`run`] probes the
//! seeds, discovers the other nodes of a cluster and probes them in parallel ([`node`]); findings
//! carry their target and the log line the platform would print.

pub mod node;
pub mod resp;
pub mod tls;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::config::Config;
use crate::core::Fatal;
use crate::diagnostic::Finding;
use crate::model::opaque;
use crate::model::{Deployment, RedisClient};
use crate::rules::auth::plaintext_secret;
use crate::rules::connection::{cluster_mode_mismatch, redis_unreachable};
use crate::rules::tls::tls_verify_disabled;
use crate::rules::topology::cluster_state_fail;
use crate::tree::{Node, Value};

/// The index the platform asks for when the values do not name one (the vendor's logs show it).
pub const DEFAULT_INDEX: &str = "default-index";
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3);
/// The whole probe's deadline, when `--deadline` is not given, is this many `--timeout`s.
pub const DEADLINE_TIMEOUTS: u32 = 10;
/// The most cluster nodes probed, when `--max-nodes` is not given: Redis Cluster's own guidance
/// stops at about a thousand nodes, and the platform's clusters have a few dozen.
pub const DEFAULT_MAX_NODES: usize = 500;
/// Nodes probed at once.
const CONCURRENCY: usize = 8;
/// The environment variable read for the password when no flag names a source.
pub const PASSWORD_ENV: &str = "ACP_CHECK_REDIS_PASSWORD";

/// What the command line says.
#[derive(Default, Debug)]
pub struct Options {
    /// `--addr`, in order; overrides the values' `addrs`.
    pub addrs: Vec<String>,
    pub user: Option<String>,
    pub password_env: Option<String>,
    pub password_file: Option<PathBuf>,
    pub tls: bool,
    pub tls_ca: Option<PathBuf>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub tls_insecure: bool,
    pub index: Option<String>,
    pub timeout: Option<Duration>,
    /// `--deadline`: the whole probe's bound.
    pub deadline: Option<Duration>,
    /// `--max-nodes`: the most nodes of a cluster the probe connects to.
    pub max_nodes: Option<usize>,
    /// `--map ANNOUNCED=REACHABLE`.
    pub maps: Vec<String>,
}

/// A password, never printed.
#[derive(Clone)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// `host:port`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Address {
    pub host: String,
    pub port: u16,
}

impl std::fmt::Display for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.host.contains(':') && !self.host.starts_with('[') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

impl Address {
    /// `host:port`, `[v6]:port`, or a bare host (port 6379).
    pub fn parse(text: &str) -> Result<Address, String> {
        let text = text.trim();
        let text = text
            .strip_prefix("redis://")
            .or_else(|| text.strip_prefix("rediss://"))
            .unwrap_or(text);
        if text.is_empty() {
            return Err("an empty address".into());
        }
        let (host, port) = if let Some(rest) = text.strip_prefix('[') {
            let (host, after) = rest
                .split_once(']')
                .ok_or_else(|| format!("`{text}`: no closing `]`"))?;
            (host.to_string(), after.strip_prefix(':'))
        } else if text.matches(':').count() > 1 {
            (text.to_string(), None)
        } else {
            match text.split_once(':') {
                Some((h, p)) => (h.to_string(), Some(p)),
                None => (text.to_string(), None),
            }
        };
        let port = match port {
            Some(p) => p
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| format!("`{text}`: `{p}` is not a port"))?,
            None => 6379,
        };
        if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c == '/') {
            return Err(format!("`{text}` is not HOST:PORT"));
        }
        Ok(Address { host, port })
    }

    /// An address as a cluster node announces it in `CLUSTER NODES` (`10.0.0.1:6379`,
    /// `::1:6379`: IPv6 without brackets), without its `@cport` and `,hostname` parts.
    pub fn announced(text: &str) -> Result<Address, String> {
        let (host, port) = text.rsplit_once(':').ok_or("no port")?;
        let port = port.parse::<u16>().ok().filter(|p| *p > 0).ok_or("not a port")?;
        let host = host.trim_matches(['[', ']']);
        if host.is_empty()
            || host
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '/' | '@' | '?' | '#'))
        {
            return Err("not HOST:PORT".into());
        }
        Ok(Address {
            host: host.to_string(),
            port,
        })
    }
}

/// What the client will do, as the platform's client would.
#[derive(Debug)]
pub struct Settings {
    /// The addresses the client dials first.
    pub seeds: Vec<Address>,
    /// Two or more addresses make go-redis's universal client a cluster client.
    pub cluster_client: bool,
    pub user: Option<String>,
    pub password: Option<Secret>,
    pub tls: Option<resp::Tls>,
    pub index: String,
    /// Probe the RediSearch index (`redis_search` true or unset).
    pub search: bool,
    /// Bound on each connect and each reply.
    pub timeout: Duration,
    /// Bound on the whole probe (every node, every step).
    pub deadline: Duration,
    pub max_nodes: usize,
    /// Announced address → reachable address.
    pub maps: Vec<(Address, Address)>,
    /// The version policy (shared with lint).
    pub versions: crate::config::Versions,
}

impl std::fmt::Debug for resp::Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tls")
    }
}

/// Targets and credentials from the flags, then the values (flags win). Findings about the setup
/// itself (a password read from a values file, `--tls-insecure`) are returned beside the settings.
pub fn settings(
    options: &Options,
    deployment: Option<&Deployment>,
    config: &Config,
) -> Result<(Settings, Vec<Finding>), Fatal> {
    let mut findings = Vec::new();
    // The platform's Redis client in the values, if there is one.
    let client = deployment.and_then(|d| d.platforms().find_map(|p| p.redis_client()));

    let (seeds, cluster_client) = if !options.addrs.is_empty() {
        let seeds = options
            .addrs
            .iter()
            .map(|a| Address::parse(a).map_err(|e| Fatal(format!("--addr {e}"))))
            .collect::<Result<Vec<_>, _>>()?;
        let cluster = seeds.len() >= 2;
        (seeds, cluster)
    } else if let Some(addrs) = client.and_then(|c| c.get(&["addrs"])).and_then(Node::as_seq) {
        let mut seeds = Vec::new();
        for node in addrs {
            let Some(text) = node.as_str() else { continue };
            if let Some(reason) = opaque(node) {
                return Err(Fatal(format!(
                    "the address `{text}` in the values cannot be probed: {reason}; give --addr"
                )));
            }
            seeds.push(Address::parse(text).map_err(|e| Fatal(format!("redis.addrs in the values: {e}")))?);
        }
        let cluster = addrs.len() >= 2;
        (seeds, cluster)
    } else {
        return Err(Fatal(
            "nothing to probe: give --addr HOST:PORT, or -f with the platform's values (redis.addrs)".into(),
        ));
    };
    if seeds.is_empty() {
        return Err(Fatal(
            "the platform's redis.addrs in the values lists no address; give --addr".into(),
        ));
    }
    let mut unique = Vec::new();
    for seed in seeds {
        if !unique.contains(&seed) {
            unique.push(seed);
        }
    }

    let password = password(options, client, &mut findings)?;

    let flag = |key: &str| {
        client
            .and_then(|c| c.tls(key))
            .and_then(Node::as_bool)
            .unwrap_or(false)
    };
    let tls_on = options.tls
        || options.tls_ca.is_some()
        || options.tls_cert.is_some()
        || options.tls_insecure
        || flag("enabled");
    let tls = if tls_on {
        let pem = |flag: &Option<PathBuf>, key: &str| -> Result<Option<tls::Pem>, Fatal> {
            if let Some(path) = flag {
                return Ok(Some(tls::Pem::File(path.clone())));
            }
            let Some(node) = client.and_then(|c| c.tls(key)) else {
                return Ok(None);
            };
            Ok(node.as_str().filter(|s| !s.trim().is_empty()).map(|s| {
                if s.contains("-----BEGIN") {
                    tls::Pem::Text(s.to_string())
                } else {
                    tls::Pem::File(PathBuf::from(s))
                }
            }))
        };
        let insecure = options.tls_insecure || flag("insecure_skip_verify");
        if insecure {
            findings.push(tls_verify_disabled::probe_insecure());
        }
        let config = tls::client_config(
            pem(&options.tls_ca, "ca")?,
            pem(&options.tls_cert, "cert")?,
            pem(&options.tls_key, "key")?,
            insecure,
        )?;
        Some(resp::Tls {
            config,
            server_name: None,
        })
    } else {
        None
    };

    let index = options
        .index
        .clone()
        .or_else(|| config.probe.index.clone())
        .or_else(|| client.and_then(|c| c.index_name()).map(str::to_string))
        .unwrap_or_else(|| DEFAULT_INDEX.to_string());
    let search = client.is_none_or(|c| c.uses_search());

    let timeout = options
        .timeout
        .or(config.probe.timeout)
        .unwrap_or(DEFAULT_TIMEOUT);
    let mut maps = Vec::new();
    for map in &options.maps {
        let (from, to) = map
            .split_once('=')
            .ok_or_else(|| Fatal(format!("--map `{map}`: write ANNOUNCED=REACHABLE")))?;
        let from = Address::parse(from).map_err(|e| Fatal(format!("--map {e}")))?;
        let to = Address::parse(to).map_err(|e| Fatal(format!("--map {e}")))?;
        maps.push((from, to));
    }

    Ok((
        Settings {
            seeds: unique,
            cluster_client,
            user: options.user.clone(),
            password,
            tls,
            index,
            search,
            timeout,
            deadline: options.deadline.unwrap_or_else(|| default_deadline(timeout)),
            max_nodes: options.max_nodes.unwrap_or(DEFAULT_MAX_NODES),
            maps,
            versions: config.versions.clone(),
        },
        findings,
    ))
}

/// The whole probe's deadline when `--deadline` is not given: [`DEADLINE_TIMEOUTS`] × `--timeout`.
pub fn default_deadline(timeout: Duration) -> Duration {
    timeout.saturating_mul(DEADLINE_TIMEOUTS)
}

/// The password: `--password-env`, `--password-file`, `ACP_CHECK_REDIS_PASSWORD`, then the values
/// (reported as `plaintext-secret`). Never a flag value.
fn password(
    options: &Options,
    client: Option<RedisClient>,
    findings: &mut Vec<Finding>,
) -> Result<Option<Secret>, Fatal> {
    if let Some(var) = &options.password_env {
        let value = std::env::var(var).map_err(|_| {
            Fatal(format!(
                "--password-env {var}: the environment variable {var} is not set (or not UTF-8)"
            ))
        })?;
        return Ok(Some(Secret(value)));
    }
    if let Some(path) = &options.password_file {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Fatal(format!(
                "--password-file {}: {}",
                path.display(),
                resp::describe_io(&e)
            ))
        })?;
        // A file written with `echo` ends with a newline that is not part of the password.
        let value = text.strip_suffix('\n').unwrap_or(&text);
        let value = value.strip_suffix('\r').unwrap_or(value);
        return Ok(Some(Secret(value.to_string())));
    }
    if let Ok(value) = std::env::var(PASSWORD_ENV) {
        return Ok(Some(Secret(value)));
    }
    let Some(node) = client.and_then(|c| c.get(&["password"])) else {
        return Ok(None);
    };
    let Value::Str(value) = &node.value else {
        return Ok(None);
    };
    if value.is_empty() {
        return Ok(None);
    }
    if let Some(reason) = opaque(node) {
        return Err(Fatal(format!(
            "the platform's Redis password in the values cannot be used: {reason}; give it with --password-env VAR or --password-file PATH"
        )));
    }
    findings.push(plaintext_secret::read_by_probe(node));
    Ok(Some(Secret(value.clone())))
}

/// When a probe must end, and the flag that set it (for messages): `--deadline`, or what is left
/// of `--wait`.
#[derive(Clone, Debug)]
pub struct Deadline {
    pub at: Instant,
    /// `--deadline 30s`, `--wait 2m`.
    pub set_by: String,
}

/// What a probe found, and every node it probed (with or without findings).
pub struct Probed {
    pub findings: Vec<Finding>,
    pub targets: Vec<String>,
    /// Nodes whose checks did not run (no answer to `INFO`, or no time left), with the reason.
    pub unreached: Vec<(String, String)>,
}

/// Probes the seeds, then the other nodes of the cluster (at most `--max-nodes` in all), all
/// before `deadline`: a node not probed for lack of time is reported, not dropped.
pub fn run(settings: &Settings, deadline: &Deadline) -> Probed {
    let budget = resp::Budget {
        timeout: settings.timeout,
        deadline: deadline.at,
    };
    let seeds: Vec<node::Target> = settings
        .seeds
        .iter()
        .map(|a| node::Target::new(a.clone(), settings))
        .collect();
    let (mut reports, mut not_probed) = parallel(&seeds, settings, budget, deadline);
    let mut findings = Vec::new();

    // Cluster discovery: from the first seed that answered CLUSTER NODES.
    let topology = reports
        .iter()
        .find_map(|r| r.cluster_nodes.clone().map(|nodes| (r.target.name(), nodes)));
    if let Some((announcer, nodes)) = &topology {
        let mut announced: Vec<Address> = Vec::new();
        let mut seen = BTreeSet::new();
        // Every address parses (node.rs checked the reply's shape) but a node's without one
        // (`noaddr`, `:0`).
        for address in nodes.iter().filter_map(|n| Address::announced(&n.address).ok()) {
            if seen.insert(address.clone()) {
                announced.push(address);
            }
        }
        // A cluster larger than any real one (or a server that names hosts to make the probe dial
        // them): the first --max-nodes are probed, and the rest reported.
        if announced.len() > settings.max_nodes {
            findings.push(cluster_state_fail::too_many_nodes(
                announcer,
                announced.len(),
                settings.max_nodes,
            ));
            announced.truncate(settings.max_nodes);
        }
        let probed: BTreeSet<String> = reports
            .iter()
            .flat_map(|r| [r.target.announced.to_string(), r.target.reachable.to_string()])
            .collect();
        let others: Vec<node::Target> = announced
            .into_iter()
            .filter(|a| !probed.contains(&a.to_string()))
            .map(|a| node::Target::new(a, settings))
            .filter(|t| !probed.contains(&t.reachable.to_string()))
            .collect();
        let (more, more_not_probed) = parallel(&others, settings, budget, deadline);
        reports.extend(more);
        not_probed.extend(more_not_probed);
        findings.extend(node::cluster_findings(nodes, &reports));
    }

    // The client's mode against the servers'.
    if let Some(seed) = reports.iter().find(|r| r.mode.is_some()) {
        let server_cluster = seed.mode.as_deref() == Some("cluster");
        if server_cluster != settings.cluster_client {
            findings.push(cluster_mode_mismatch::live(
                &seed.target.announced.to_string(),
                settings.cluster_client,
                settings.seeds.len(),
            ));
        }
    }
    let mut targets = Vec::new();
    let mut unreached = Vec::new();
    for report in reports {
        targets.push(report.target.name());
        if !report.answered {
            let why = report
                .findings
                .first()
                .map_or_else(|| "no answer".to_string(), |f| f.message.clone());
            unreached.push((report.target.name(), why));
        }
        findings.extend(report.findings);
    }
    if !not_probed.is_empty() {
        let names: Vec<String> = not_probed.iter().map(node::Target::name).collect();
        let finding = redis_unreachable::not_probed(&names, &deadline.set_by);
        for name in names {
            targets.push(name.clone());
            unreached.push((name, finding.message.clone()));
        }
        findings.push(finding);
    }
    Probed {
        findings,
        targets,
        unreached,
    }
}

/// Probes targets, at most [`CONCURRENCY`] at a time, keeping their order. A target not begun
/// before the deadline is returned apart, not probed.
fn parallel(
    targets: &[node::Target],
    settings: &Settings,
    budget: resp::Budget,
    deadline: &Deadline,
) -> (Vec<node::NodeReport>, Vec<node::Target>) {
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<Option<node::NodeReport>>> = Mutex::new((0..targets.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..CONCURRENCY.min(targets.len()) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(target) = targets.get(i) else { break };
                if budget.expired() {
                    break;
                }
                let report = node::probe(target.clone(), settings, budget, deadline);
                done.lock().expect("no probe thread panics")[i] = Some(report);
            });
        }
    });
    let mut reports = Vec::new();
    let mut not_probed = Vec::new();
    let done = done.into_inner().expect("no probe thread panics");
    for (target, report) in targets.iter().zip(done) {
        match report {
            Some(report) => reports.push(report),
            None => not_probed.push(target.clone()),
        }
    }
    (reports, not_probed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        let a = |t: &str| Address::parse(t).map(|a| a.to_string());
        assert_eq!(
            a("redis-cluster-headless:6379").unwrap(),
            "redis-cluster-headless:6379"
        );
        assert_eq!(a("127.0.0.1").unwrap(), "127.0.0.1:6379");
        assert_eq!(a("[::1]:7000").unwrap(), "[::1]:7000");
        assert_eq!(a("::1").unwrap(), "[::1]:6379");
        assert_eq!(a("redis://10.0.0.1:7001").unwrap(), "10.0.0.1:7001");
        assert!(a("host:0").is_err());
        assert!(a("host:http").is_err());
        assert!(a("").is_err());
        assert!(a("a b:1").is_err());
    }

    #[test]
    fn announced_addresses() {
        let a = |t: &str| Address::announced(t).map(|a| a.to_string());
        assert_eq!(a("10.0.0.1:6379").unwrap(), "10.0.0.1:6379");
        assert_eq!(a("::1:7000").unwrap(), "[::1]:7000");
        assert_eq!(a("redis-0.invalid:7000").unwrap(), "redis-0.invalid:7000");
        assert!(a(":0").is_err(), "a node without an address");
        assert!(a("10.0.0.1").is_err());
        assert!(a("u:p@10.0.0.1:1").is_err());
    }

    #[test]
    fn secrets_do_not_print() {
        assert_eq!(format!("{:?}", Secret("hunter2".into())), "***");
        let auth = resp::Command::Auth {
            user: None,
            password: "hunter2".into(),
        };
        assert!(!format!("{auth:?}").contains("hunter2"));
    }
}
