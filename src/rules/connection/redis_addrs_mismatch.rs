//! `redis-addrs-mismatch`: an address names no service of the redis-cluster release, or the wrong port.

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::model::{opaque, Platform, RedisCluster};
use crate::rules::Context;
use crate::tree::{Node, Value};

pub static RULE: Rule = Rule {
    id: "redis-addrs-mismatch",
    severity: Severity::Error,
    checked_by: CheckedBy::Lint,
    summary: "an address names no service of the redis-cluster release, or the wrong port",
    docs: r#"## What it checks
Each `host:port` of the platform's `addrs` against the services the redis-cluster release of the same
run creates: `<fullname>` and `<fullname>-headless`, where `<fullname>` is `fullnameOverride`, else the
release name (when it contains `redis-cluster`) or `<release>-redis-cluster`. Across namespaces the
host must carry the namespace (`name.namespace`, `name.namespace.svc`,
`name.namespace.svc.cluster.local`; `namespaceOverride`, from chart 11.2.2, is the namespace). The port must be the one Redis listens on
(`redis.containerPorts.redis`, by chart version `redis.port` or `redisPort`; 6379 by default): the
platform reaches the pods through the headless service, which maps no port, and Redis Cluster
redirects clients to the pods' own ports. IP addresses are not judged (a Service's cluster IP, or a
proxy beside the platform on loopback).

## Why it matters
A wrong host fails DNS or reaches nothing; the platform dies with
`dial tcp …: connect: connection refused` or `no such host` (failure mode 1).

## How to fix
Use the name the finding suggests. With Flux, remember that the release name defaults to
`[targetNamespace-]name` and that `spec.releaseName` changes the service names.

## Example
```yaml
acp:
  redis:
    addrs: [redis-headless:6379, redis-headless:6379]   # the service is redis-cluster-headless
redis-cluster:
  fullnameOverride: redis-cluster
```
"#,
    file: file!(),
};

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let clusters: Vec<RedisCluster> = cx.redis_clusters().collect();
    if clusters.is_empty() {
        return;
    }
    // One finding per place: an address that two platform views share is reported once.
    let mut reported = std::collections::HashSet::new();
    for platform in cx.platforms() {
        let Some(client) = platform.redis_client().filter(|c| !c.disabled()) else {
            continue;
        };
        // The services each cluster creates, as this platform may name them (none without a
        // release name: then the service names cannot be known).
        let known: Vec<(Service, &RedisCluster)> = clusters
            .iter()
            .filter_map(|c| Some((services(&platform, c)?, c)))
            .collect();
        if known.is_empty() {
            continue;
        }
        for addr in client.addrs() {
            if let Some(f) = mismatch(addr, &known) {
                if reported.insert(f.span) {
                    out.push(f);
                }
            }
        }
    }
}

/// A service the cluster release creates, as the platform may write it.
struct Service {
    hosts: Vec<String>,
    /// The service names, when the cluster's namespace is unknown: then any `name.<namespace>…` form
    /// is accepted, as it cannot be checked.
    any_namespace_of: Option<[String; 2]>,
    port: i64,
    /// The shortest correct address, for the help.
    suggestion: String,
}

impl Service {
    fn matches(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        self.hosts.contains(&host)
            || self
                .any_namespace_of
                .as_ref()
                .is_some_and(|names| names.iter().any(|n| host.starts_with(&format!("{n}."))))
    }
}

fn services(platform: &Platform, cluster: &RedisCluster) -> Option<Service> {
    let fullname = cluster.fullname()?;
    let domain = cluster
        .get(&["clusterDomain"])
        .and_then(Node::as_str)
        .unwrap_or("cluster.local");
    let port = cluster.port().set()?.0;
    // `namespaceOverride` (chart 11.2.2 and later) moves the services to another namespace.
    let has_override = cluster
        .version()
        .is_none_or(|v| v.default_at(&["namespaceOverride"]).is_some());
    let cluster_ns = cluster
        .get(&["namespaceOverride"])
        .and_then(Node::as_str)
        .filter(|ns| has_override && !ns.is_empty())
        .map(str::to_string)
        .or_else(|| cluster.release.namespace.as_ref().map(|n| n.value.clone()));
    let platform_ns = platform.release.namespace.as_ref().map(|n| n.value.clone());
    let overridden =
        cluster_ns.is_some() && cluster_ns != cluster.release.namespace.as_ref().map(|n| n.value.clone());
    let same_namespace = (std::ptr::eq(platform.release, cluster.release) && !overridden)
        || cluster_ns.is_none()
        || platform_ns.is_none()
        || cluster_ns == platform_ns;
    let mut hosts = Vec::new();
    let headless = format!("{fullname}-headless");
    for name in [&headless, &fullname] {
        if same_namespace {
            hosts.push(name.clone());
        }
        if let Some(ns) = &cluster_ns {
            hosts.push(format!("{name}.{ns}"));
            hosts.push(format!("{name}.{ns}.svc"));
            hosts.push(format!("{name}.{ns}.svc.{domain}"));
        }
    }
    let suggestion = match (&cluster_ns, same_namespace) {
        (Some(ns), false) => format!("{headless}.{ns}:{port}"),
        _ => format!("{headless}:{port}"),
    };
    let any_namespace_of = cluster_ns.is_none().then(|| [headless.clone(), fullname.clone()]);
    Some(Service {
        hosts,
        any_namespace_of,
        port,
        suggestion,
    })
}

fn mismatch(addr: &Node, known: &[(Service, &RedisCluster)]) -> Option<Finding> {
    let Value::Str(text) = &addr.value else {
        return None;
    };
    if opaque(addr).is_some() {
        return None;
    }
    let (host, port) = text.rsplit_once(':')?;
    let port: i64 = port.parse().ok()?;
    // An IP address may be a Service's cluster IP, or a sidecar proxy's on loopback: not judged.
    if host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::IpAddr>()
        .is_ok()
    {
        return None;
    }
    if known.iter().any(|(s, _)| s.matches(host) && s.port == port) {
        return None;
    }
    let (service, cluster) = known.iter().find(|(s, _)| s.matches(host)).unwrap_or(&known[0]);
    let host_ok = service.matches(host);
    let message = if host_ok {
        format!(
            "`{text}` uses port {port}, and the redis-cluster service listens on {}",
            service.port
        )
    } else {
        let names: Vec<&String> = service.hosts.iter().take(2).collect();
        let ns = cluster
            .release
            .namespace
            .as_ref()
            .map(|n| format!(" in namespace `{}`", n.value))
            .unwrap_or_default();
        format!(
            "`{host}` is not a service of the redis-cluster release: it creates `{}` and `{}`{ns}",
            names.first().map_or("", |s| s.as_str()),
            names.get(1).map_or("", |s| s.as_str())
        )
    };
    let mut f = Finding::new(&RULE, message)
        .at(addr.span)
        .label(if host_ok { "wrong port" } else { "no such service" })
        .help(format!("use `{}`", service.suggestion));
    if let Some(span) = cluster
        .get(&["fullnameOverride"])
        .map(|n| n.span)
        .or_else(|| cluster.release.release_name.as_ref().and_then(|r| r.span))
    {
        f = f.related(span, "the service names come from this name");
    }
    Some(f)
}
