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
use crate::core::read::{self, Limit};
use crate::core::source::MASK;
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
        Address::parse_plain(text.trim()).map_err(|why| format!("`{}`: {why}", shown(text.trim())))
    }

    /// [`Address::parse`], with only the reason on error (the caller quotes the text).
    fn parse_plain(text: &str) -> Result<Address, String> {
        if text.is_empty() {
            return Err("an empty address".into());
        }
        if text.contains('@') {
            return Err("a user or password belongs in a URL: redis://USER:PASSWORD@HOST:PORT".into());
        }
        let (host, port) = if let Some(rest) = text.strip_prefix('[') {
            let (host, after) = rest.split_once(']').ok_or("no closing `]`")?;
            match after {
                "" => (host, None),
                _ => (host, Some(after.strip_prefix(':').ok_or("not HOST:PORT")?)),
            }
        } else if text.matches(':').count() > 1 {
            (text, None)
        } else {
            match text.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (text, None),
            }
        };
        let port = match port {
            Some(p) => parse_port(p)?,
            None => 6379,
        };
        Address::checked(host, port)
    }

    /// An address as a cluster node announces it in `CLUSTER NODES` (`10.0.0.1:6379`,
    /// `::1:6379`: IPv6 without brackets), without its `@cport` and `,hostname` parts.
    pub fn announced(text: &str) -> Result<Address, String> {
        let (host, port) = text.rsplit_once(':').ok_or("no port")?;
        Address::checked(host.trim_matches(['[', ']']), parse_port(port)?)
    }

    fn checked(host: &str, port: u16) -> Result<Address, String> {
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

fn parse_port(text: &str) -> Result<u16, String> {
    text.parse::<u16>()
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| format!("`{}` is not a port", crate::core::text::preview(text, 24)))
}

/// An address as the platform's `redis.addrs` or `--addr` writes it: `host:port`, or a URL
/// `redis://[USER[:PASSWORD]@]HOST[:PORT][/DB]` (`rediss://` for TLS). The user-info is never part
/// of the host (so it is never looked up by DNS) and never shown.
#[derive(Clone, Debug)]
pub struct Endpoint {
    pub address: Address,
    /// `Some(true)` for `rediss://`, `Some(false)` for `redis://`, `None` for a bare `host:port`.
    pub tls: Option<bool>,
    pub user: Option<String>,
    pub password: Option<Secret>,
}

impl Endpoint {
    pub fn parse(text: &str) -> Result<Endpoint, String> {
        let text = text.trim();
        Endpoint::parse_url(text).map_err(|why| format!("`{}`: {why}", shown(text)))
    }

    fn parse_url(text: &str) -> Result<Endpoint, String> {
        let Some((scheme, rest)) = text.split_once("://") else {
            return Ok(Endpoint {
                address: Address::parse_plain(text)?,
                tls: None,
                user: None,
                password: None,
            });
        };
        let tls = match scheme.to_ascii_lowercase().as_str() {
            "redis" => Some(false),
            "rediss" => Some(true),
            _ => return Err("the scheme is not redis:// or rediss://".into()),
        };
        // The user-info ends at the last `@`: a password may hold `/`, `:` or `@` unencoded.
        let (userinfo, rest) = match rest.rfind('@') {
            Some(at) => (Some(&rest[..at]), &rest[at + 1..]),
            None => (None, rest),
        };
        if rest.contains(['?', '#']) {
            return Err("a URL query or fragment is not supported".into());
        }
        let (host_port, db) = match rest.split_once('/') {
            Some((host_port, db)) => (host_port, Some(db)),
            None => (rest, None),
        };
        if let Some(db) = db.filter(|db| !db.is_empty()) {
            db.parse::<u32>().map_err(|_| {
                format!(
                    "`/{}` is not a database number",
                    crate::core::text::preview(db, 24)
                )
            })?;
        }
        if host_port.is_empty() {
            return Err("no host".into());
        }
        let address = Address::parse_plain(host_port)?;
        let (user, password) = match userinfo {
            None => (None, None),
            Some(info) => {
                let (user, password) = match info.split_once(':') {
                    Some((user, password)) => (user, Some(password)),
                    None => (info, None),
                };
                let decode = |part: &str| {
                    percent_decode(part)
                        .ok_or("the user-info is not valid percent-encoding (write `%40` for `@`)")
                };
                let user = Some(decode(user)?).filter(|u| !u.is_empty());
                let password = match password {
                    Some(p) => Some(decode(p)?).filter(|p| !p.is_empty()).map(Secret),
                    None => None,
                };
                (user, password)
            }
        };
        Ok(Endpoint {
            address,
            tls,
            user,
            password,
        })
    }
}

/// `%XX` escapes decoded; `None` when an escape is broken or the result is not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// An address as a message may quote it: any user-info (everything before the last `@`, after the
/// scheme) written `***`, so that a password never reaches a message, even of an address that
/// cannot be read.
pub fn shown(text: &str) -> String {
    let (scheme, rest) = match text.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, text),
    };
    let rest = match rest.rfind('@') {
        Some(at) => format!("{MASK}@{}", &rest[at + 1..]),
        None => rest.to_string(),
    };
    let text = match scheme {
        Some(scheme) => format!("{scheme}://{rest}"),
        None => rest,
    };
    crate::core::text::preview(&text, 200)
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
    /// The version policy (shared with lint): the matrix rows of the platform version in the
    /// values, or every row.
    pub policy: crate::rules::versions::Policy,
    /// Secrets read that are not [`Settings::password`] (a URL's password when another source
    /// wins): no output may show them either.
    pub other_secrets: Vec<Secret>,
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

    // Where the addresses come from: (the address as written, its node in the values if any).
    let (written, from_values): (Vec<(&str, Option<&Node>)>, bool) = if !options.addrs.is_empty() {
        (options.addrs.iter().map(|a| (a.as_str(), None)).collect(), false)
    } else if let Some(addrs) = client.and_then(|c| c.get(&["addrs"])).and_then(Node::as_seq) {
        let mut written = Vec::new();
        for node in addrs {
            let Some(text) = node.as_str() else { continue };
            if let Some(reason) = opaque(node) {
                return Err(Fatal(format!(
                    "the address `{}` in the values cannot be probed: {reason}; give --addr",
                    shown(text)
                )));
            }
            written.push((text, Some(node)));
        }
        (written, true)
    } else {
        return Err(Fatal(
            "nothing to probe: give --addr HOST:PORT, or -f with the platform's values (redis.addrs)".into(),
        ));
    };
    if written.is_empty() {
        return Err(Fatal(
            "the platform's redis.addrs in the values lists no address; give --addr".into(),
        ));
    }
    let place = if from_values {
        "redis.addrs in the values"
    } else {
        "--addr"
    };
    let endpoints = written
        .iter()
        .map(|(text, node)| {
            Endpoint::parse(text)
                .map(|e| (e, *node))
                .map_err(|e| Fatal(format!("{place} {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    // Two or more addresses make go-redis's universal client a cluster client.
    let cluster_client = endpoints.len() >= 2;
    let mut unique = Vec::new();
    for (endpoint, _) in &endpoints {
        if !unique.contains(&endpoint.address) {
            unique.push(endpoint.address.clone());
        }
    }
    let url = UrlCredentials::of(&endpoints, place)?;

    let other_secrets: Vec<Secret> = url.password.iter().map(|(p, _)| p.clone()).collect();
    let mut password = password(options, client, &mut findings)?;
    // A URL's password is the last resort: any other source wins over it.
    if password.is_none() {
        if let Some((secret, node)) = &url.password {
            findings.push(match node {
                Some(node) => plaintext_secret::url_in_values(node),
                None => plaintext_secret::url_on_command_line(),
            });
            password = Some(secret.clone());
        }
    }

    let flag = |key: &str| {
        client
            .and_then(|c| c.tls(key))
            .and_then(Node::as_bool)
            .unwrap_or(false)
    };
    let tls_on = options.tls
        || url.tls
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
            user: options.user.clone().or(url.user),
            password,
            tls,
            index,
            search,
            timeout,
            deadline: options.deadline.unwrap_or_else(|| default_deadline(timeout)),
            max_nodes: options.max_nodes.unwrap_or(DEFAULT_MAX_NODES),
            maps,
            policy: crate::rules::versions::Policy::new(
                &config.versions,
                deployment.and_then(Deployment::platform_versions),
            ),
            other_secrets,
        },
        findings,
    ))
}

/// The whole probe's deadline when `--deadline` is not given: [`DEADLINE_TIMEOUTS`] × `--timeout`.
pub fn default_deadline(timeout: Duration) -> Duration {
    timeout.saturating_mul(DEADLINE_TIMEOUTS)
}

/// What the addresses written as URLs say about the connection, once for all of them.
struct UrlCredentials<'n> {
    /// A `rediss://` address: TLS.
    tls: bool,
    user: Option<String>,
    /// The password, and its node when a values file holds it.
    password: Option<(Secret, Option<&'n Node>)>,
}

impl<'n> UrlCredentials<'n> {
    /// One client has one TLS setting, one user and one password: addresses that disagree cannot
    /// be what the platform uses.
    fn of(endpoints: &[(Endpoint, Option<&'n Node>)], place: &str) -> Result<UrlCredentials<'n>, Fatal> {
        let schemes: BTreeSet<bool> = endpoints.iter().filter_map(|(e, _)| e.tls).collect();
        if schemes.len() > 1 {
            return Err(Fatal(format!(
                "{place}: some addresses are redis:// and some rediss://; one client uses TLS for all of them or for none"
            )));
        }
        let users: BTreeSet<&str> = endpoints.iter().filter_map(|(e, _)| e.user.as_deref()).collect();
        if users.len() > 1 {
            return Err(Fatal(format!(
                "{place}: the addresses name different users; one client logs in as one user (give --user)"
            )));
        }
        let passwords: BTreeSet<&str> = endpoints
            .iter()
            .filter_map(|(e, _)| e.password.as_ref().map(|p| p.0.as_str()))
            .collect();
        if passwords.len() > 1 {
            return Err(Fatal(format!(
                "{place}: the addresses hold different passwords; one client sends one password (give it with --password-env or --password-file)"
            )));
        }
        Ok(UrlCredentials {
            tls: schemes.contains(&true),
            user: users.first().map(|u| u.to_string()),
            password: endpoints
                .iter()
                .find_map(|(e, node)| e.password.clone().map(|p| (p, *node))),
        })
    }
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
        let failed = |why: String| Fatal(format!("--password-file {}: {why}", path.display()));
        let bytes = read::read_file(path, Limit::PASSWORD).map_err(|failure| {
            failed(match failure {
                read::Failure::Io(e) => resp::describe_io(&e),
                refused => refused.reason(),
            })
        })?;
        let text = String::from_utf8(bytes).map_err(|_| failed("not UTF-8 text".into()))?;
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
        assert!(a("redis://10.0.0.1:7001").is_err(), "a URL is an Endpoint");
        assert!(a("user:pw@host:1").unwrap_err().starts_with("`***@host:1`"));
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
    fn endpoints_as_urls() {
        let e = |t: &str| Endpoint::parse(t).unwrap();
        let plain = e("redis-cluster-headless:6379");
        assert_eq!(plain.address.to_string(), "redis-cluster-headless:6379");
        assert_eq!(
            (plain.tls, plain.user, plain.password.is_none()),
            (None, None, true)
        );

        let url = e("redis://10.0.0.1:7001");
        assert_eq!(
            (url.address.to_string(), url.tls),
            ("10.0.0.1:7001".into(), Some(false))
        );
        assert_eq!(e("rediss://host").address.to_string(), "host:6379");
        assert_eq!(e("REDISS://host:7000/0").tls, Some(true));

        // The user-info ends at the last `@`; a password may hold `/`, `:` and `@`.
        let full = e("redis://probe:pa/ss:w@rd@127.0.0.1:7000/3");
        assert_eq!(full.address.to_string(), "127.0.0.1:7000");
        assert_eq!(full.user.as_deref(), Some("probe"));
        assert_eq!(full.password.unwrap().0, "pa/ss:w@rd");
        let encoded = e("redis://:p%40ss%2Fw@[::1]:7000");
        assert_eq!(encoded.address.to_string(), "[::1]:7000");
        assert_eq!(
            (encoded.user, encoded.password.unwrap().0),
            (None, "p@ss/w".to_string())
        );
        assert_eq!(e("redis://probe@host").user.as_deref(), Some("probe"));

        // Errors quote the address with its user-info masked.
        for (bad, why) in [
            ("redis://u:pa/ss@host:notaport", "`notaport` is not a port"),
            ("redis://u:Secret1@host:1/x", "`/x` is not a database number"),
            ("redis://u:Secret1@host:1?timeout=1s", "a URL query"),
            ("http://u:Secret1@host:1", "the scheme"),
            ("redis://u:Sec%zzret1@host:1", "percent-encoding"),
            ("redis://u:Secret1@", "no host"),
            ("u:Secret1@host:1", "belongs in a URL"),
        ] {
            let error = Endpoint::parse(bad).unwrap_err();
            assert!(error.contains(why), "{bad}: {error}");
            assert!(!error.contains("ecret") && !error.contains("pa/ss"), "{error}");
            assert!(error.contains("***@"), "{error}");
        }
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
