//! The platform's fatal start-up log lines (the vendor's three are in `tests/it/explain.rs`) and
//! their close variants, recognised by a table of patterns: each pattern names its failure mode, and
//! each mode the rules that catch it before deploy (lint) and live (probe). The table is data;
//! [`recognise`] only reads it.
//!
//! Input is a log line as the platform writes it (JSON, possibly behind a `kubectl logs` prefix) or
//! plain text. It may hold a password, so every part of it that is shown is masked first ([`mask`]).

/// A failure mode: what went wrong, whatever the exact message.
#[derive(Debug)]
pub struct Mode {
    /// The number of the mode in the vendor's documented list, if it is one of them.
    pub number: Option<u8>,
    /// One line, without the detail: "the platform cannot reach Redis".
    pub title: &'static str,
    /// The title with the detail extracted from the line in place of `{}`.
    pub title_with: &'static str,
    pub detail: Detail,
    /// What the failure means (Markdown).
    pub meaning: &'static str,
    /// Rules of `acp-check lint` that catch the cause before deploy.
    pub lint: &'static [&'static str],
    /// Rules of `acp-check probe` that catch it on the live Redis.
    pub live: &'static [&'static str],
    /// How to fix it (Markdown, with a fenced example).
    pub fix: &'static str,
}

/// What a mode extracts from the line for its title.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detail {
    None,
    /// The Redis address the platform dialled (`1.0.0.0:1`, `redis-cluster-headless:6379`).
    Address,
    /// The RediSearch index name (`default-index`).
    Index,
}

/// One recognised message.
#[derive(Debug)]
pub struct Pattern {
    /// Lower-case substrings that must all occur in the message (compared case-insensitively).
    pub all_of: &'static [&'static str],
    /// The message as a person would name it: "`connection refused`".
    pub shows: &'static str,
    /// What this exact message says about the cause (Markdown).
    pub cause: &'static str,
    /// Lint rules that catch this variant besides the mode's own.
    pub extra_lint: &'static [&'static str],
    pub mode: &'static Mode,
    /// A line this pattern must recognise (a test reads every one).
    pub example: &'static str,
}

pub static UNREACHABLE: Mode = Mode {
    number: Some(1),
    title: "the platform cannot reach Redis",
    title_with: "the platform cannot reach Redis at {}",
    detail: Detail::Address,
    meaning: "The platform's Redis client could not open a connection to Redis, so it stopped at start-up \
before sending a single command: the address in the platform's `redis.addrs` is wrong, or nothing \
answers there.",
    lint: &["redis-addrs-missing", "redis-addrs-mismatch"],
    live: &["redis-unreachable"],
    fix: r#"Point the platform's `redis.addrs` (`acp.redis.addrs` in the kube-acp-stack chart) at the
redis-cluster release's headless service and port: `<fullname>-headless:6379`, where `<fullname>` is
the chart's `fullnameOverride`, else `<release>-redis-cluster` (a release named `redis-cluster`
gives `redis-cluster-headless:6379`). Add `.<namespace>` when Redis runs in another namespace. Write
it twice for a cluster: two or more addresses select the cluster client. Then check that the service
has endpoints: `kubectl get endpoints <fullname>-headless -n <namespace>`.

```yaml
acp:
  redis:
    addrs:
      - redis-cluster-headless:6379
      - redis-cluster-headless:6379
```
"#,
};

pub static AUTHENTICATION: Mode = Mode {
    number: Some(2),
    title: "the platform cannot authenticate to Redis: wrong or missing password",
    title_with: "the platform cannot authenticate to Redis: wrong or missing password",
    detail: Detail::None,
    meaning: "The platform reached Redis, but Redis refused its credentials, so the client's first \
command (`INFO`) failed and the platform stopped.",
    lint: &["password-mismatch", "password-missing", "password-unknowable"],
    live: &["redis-auth-failed"],
    fix: r#"Give the platform the cluster's password. The cluster's password is `redis-cluster.password`
(overridden by `global.redis.password`), or the `redis-password` key of
`redis-cluster.existingSecret`; with `usePassword: true` and neither set, the chart generates a
random password the platform cannot know, so set one. The platform's is `redis.password`, best kept
in `secretConfig.data.redis.password` (prefix both with `acp.` in the kube-acp-stack chart). The
deployed cluster password is in its secret:
`kubectl get secret <fullname> -o jsonpath='{.data.redis-password}' | base64 -d`.

```yaml
redis-cluster:
  usePassword: true
  existingSecret: redis-password          # key redis-password
acp:
  secretConfig:
    data:
      redis:
        password: <the same password>
```
"#,
};

pub static SEARCH_MODULE_MISSING: Mode = Mode {
    number: Some(3),
    title: "the platform reaches Redis, but the RediSearch module is not loaded",
    title_with: "the platform reaches Redis, but the RediSearch module is not loaded (index `{}`)",
    detail: Detail::Index,
    meaning: "At start-up the platform sends `INFO`, then `FT.INFO <index>`. Redis answered that `FT.INFO` \
is an unknown command: the address and the password are right, but RediSearch, which the platform \
requires, is not loaded (at least on the node that answered).",
    lint: &[
        "search-module-missing",
        "search-module-not-mounted",
        "search-coordinator-password",
    ],
    live: &["search-module-missing"],
    fix: r#"Load RediSearch in every node through the redis-cluster chart: a `loadmodule` line in
`redis-cluster.redis.configmap` whose `OSS_GLOBAL_PASSWORD` is the cluster password (the coordinator
uses it to reach the other shards), an init container that puts `redisearch.so` into a shared
`emptyDir` volume, and that volume mounted at `/redismodules` in the Redis container.

```yaml
redis-cluster:
  redis:
    configmap: |
      loadmodule /redismodules/redisearch.so OSS_GLOBAL_PASSWORD <the cluster password>
    initContainers:
      - name: redisearch
        image: <an image that can fetch the module>
        command: ["sh", "-c", "<download redisearch.so into /redismodules>"]
        volumeMounts:
          - name: redismodules
            mountPath: /redismodules
    extraVolumes:
      - name: redismodules
        emptyDir: {}
    extraVolumeMounts:
      - name: redismodules
        mountPath: /redismodules
```
"#,
};

pub static SEARCH_INDEX_MISSING: Mode = Mode {
    number: None,
    title: "RediSearch is loaded, but the search index does not exist yet",
    title_with: "RediSearch is loaded, but the search index `{}` does not exist yet",
    detail: Detail::Index,
    meaning: "`FT.INFO` reached a loaded RediSearch module, which knows no index of that name. That is the \
state of a new or emptied Redis before the index is created.",
    lint: &[],
    live: &["search-index-missing"],
    fix: r#"If the platform keeps stopping here, check that it talks to the Redis that holds its data (its
`redis.addrs`), and that the index name it asks for is the intended one
(`redis.redis_search_index_name`, a setting of ACP up to 2.22; the vendor's logs show
`default-index`). A Redis without persistence that restarted has lost its indexes with its data.

```sh
kubectl exec <redis pod> -- sh -c 'REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli FT._LIST'
```
"#,
};

pub static CLUSTER_NOT_FORMED: Mode = Mode {
    number: None,
    title: "the Redis cluster is not formed yet",
    title_with: "the Redis cluster is not formed yet",
    detail: Detail::None,
    meaning: "Redis answered, but its cluster is not ready: not every hash slot is assigned to a master \
that is up, so commands cannot be served (RediSearch's coordinator says so before the cluster exists).",
    lint: &["cluster-too-few-masters", "cluster-uneven-nodes"],
    live: &["cluster-state-fail"],
    fix: r#"Deploy Redis first and start the platform once its cluster is formed: the chart creates the cluster
when all `cluster.nodes` pods are up. A cluster needs at least 3 masters (`cluster.nodes` /
(`cluster.replicas` + 1) ≥ 3) and a node count that is a multiple of `cluster.replicas` + 1. Check
the state on any node: `cluster_state:ok` and `cluster_slots_ok:16384`.

```sh
kubectl exec <redis pod> -- sh -c 'REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli cluster info'
```
"#,
};

pub static TLS_MISMATCH: Mode = Mode {
    number: None,
    title: "TLS does not match between the platform and Redis",
    title_with: "TLS does not match between the platform and Redis",
    detail: Detail::None,
    meaning: "The platform reached Redis, but the TLS handshake failed: TLS is on at one end only, or one \
end does not accept the other's certificate.",
    lint: &["tls-mismatch", "tls-client-cert-missing", "tls-secret-incomplete"],
    live: &["tls-handshake-failed"],
    fix: r#"Turn TLS on at both ends or at neither: `redis-cluster.tls.enabled` and the platform's
`redis.tls.enabled`. With TLS on, give the platform `redis.tls.ca` (the CA that signed the cluster's
certificate) and, while the chart's `tls.authClients` is true (its default), a client certificate
and key in `redis.tls.cert` and `redis.tls.key`.

```yaml
redis-cluster:
  tls:
    enabled: true
    autoGenerated: true
acp:
  redis:
    tls:
      enabled: true
      ca: <the cluster's CA, PEM>
      cert: <client certificate, PEM>
      key: <client key, PEM>
```
"#,
};

pub static IMAGE_PULL_FAILED: Mode = Mode {
    number: None,
    title: "Kubernetes cannot pull a Redis image",
    title_with: "Kubernetes cannot pull a Redis image",
    detail: Detail::None,
    meaning: "The Redis pods never start: the image they name cannot be pulled. Since 2025-09-29 \
`docker.io/bitnami` serves no versioned tags (bitnami/containers#83267): every `bitnami/redis-cluster:<version>`, \
`bitnami/redis-exporter` and `bitnami/os-shell` tag or digest the chart renders by default is gone.",
    lint: &["image-unavailable"],
    live: &["redis-unreachable"],
    fix: r#"Pull the same image from `docker.io/bitnamilegacy` (same tags and digests, no more updates), and
on redis-cluster 11.2.0 to 13.0.1 allow the substitution; or use a mirror of your own
(`image.registry`, `global.imageRegistry`).

```yaml
redis-cluster:
  image:
    repository: bitnamilegacy/redis-cluster
  global:
    security:
      allowInsecureImages: true
```
"#,
};

pub static IMAGE_SUBSTITUTION: Mode = Mode {
    number: None,
    title: "the redis-cluster chart refuses a substituted image",
    title_with: "the redis-cluster chart refuses a substituted image",
    detail: Detail::None,
    meaning: "`helm install` or `helm upgrade` stopped before deploying anything: redis-cluster 11.2.0 to \
13.0.1 refuse to render an image whose registry or repository differs from the chart's own (any \
`global.imageRegistry`, `bitnamilegacy/…`, a mirror) unless `global.security.allowInsecureImages` is true.",
    lint: &["image-substitution-blocked"],
    live: &["redis-unreachable"],
    fix: r#"Set `global.security.allowInsecureImages: true` (under `redis-cluster.global` or the umbrella
chart's `global`).

```yaml
redis-cluster:
  global:
    security:
      allowInsecureImages: true
```
"#,
};

pub static MODULE_REFUSED: Mode = Mode {
    number: None,
    title: "Redis refused to load the RediSearch module and did not start",
    title_with: "Redis refused to load the RediSearch module and did not start",
    detail: Detail::None,
    meaning: "A Redis node aborted at start-up while loading a module from its `loadmodule` line: the \
RediSearch build needs a newer Redis (2.10 needs 7.4, 2.8 needs 7.2, 2.6 needs 6.0.16), was given an \
argument it does not take (`OSS_GLOBAL_PASSWORD` to a build without the coordinator), or the file is \
not there.",
    lint: &["search-module-incompatible", "search-module-not-mounted"],
    live: &["redis-unreachable"],
    fix: r#"Deploy the Redis the module needs, or fetch a RediSearch build made for your Redis in
`redis.initContainers` (2.6.x for Redis 6.2, 2.10.x for Redis 7.4), and check that the path of the
`loadmodule` line lies under a mounted volume.

```yaml
redis-cluster:
  image:
    tag: 7.4.3-debian-12-r0   # what RediSearch 2.10 needs
```
"#,
};

/// Every recognised message, most specific first: the first pattern that matches wins.
pub static PATTERNS: &[Pattern] = &[
    Pattern {
        all_of: &["redis version is too old"],
        shows: "RediSearch's `Redis version is too old, please upgrade to redis X.Y.Z and above.`",
        cause: "The RediSearch build is newer than this Redis supports.",
        extra_lint: &[],
        mode: &MODULE_REFUSED,
        example: "1:M 02 Dec 2026 00:00:00.000 # <search> Redis version is too old, please upgrade to redis 7.4.0 and above.",
    },
    Pattern {
        all_of: &["can't load module"],
        shows: "Redis's `Can't load module from …: server aborting`",
        cause: "Redis could not load a module of its `loadmodule` lines and stopped.",
        extra_lint: &[],
        mode: &MODULE_REFUSED,
        example: "1:M 02 Dec 2026 00:00:00.000 # Can't load module from /redismodules/redisearch.so: server aborting",
    },
    Pattern {
        all_of: &["module", "initialization failed"],
        shows: "Redis's `Module … initialization failed. Module not loaded`",
        cause: "The module's own start-up refused this Redis or its arguments.",
        extra_lint: &[],
        mode: &MODULE_REFUSED,
        example: "1:M 02 Dec 2026 00:00:00.000 # Module /redismodules/redisearch.so initialization failed. Module not loaded",
    },
    Pattern {
        all_of: &["original containers have been substituted"],
        shows: "the chart's `Original containers have been substituted for unrecognized ones`",
        cause: "An image of the release has another registry or repository than the chart's own.",
        extra_lint: &[],
        mode: &IMAGE_SUBSTITUTION,
        example: "Error: execution error at (redis-cluster/templates/NOTES.txt:110:4): Original containers have been substituted for unrecognized ones. Deploying this chart with non-standard containers is likely to cause degraded security and performance, broken chart features, and missing environment variables.",
    },
    Pattern {
        all_of: &["imagepullbackoff"],
        shows: "`ImagePullBackOff`",
        cause: "Kubernetes gave up pulling the image for now: it does not exist where the pod says.",
        extra_lint: &[],
        mode: &IMAGE_PULL_FAILED,
        example: "redis-cluster-0   0/1     ImagePullBackOff   0          2m",
    },
    Pattern {
        all_of: &["errimagepull"],
        shows: "`ErrImagePull`",
        cause: "Kubernetes could not pull the image: it does not exist where the pod says.",
        extra_lint: &[],
        mode: &IMAGE_PULL_FAILED,
        example: "Failed to pull image \"docker.io/bitnami/redis-cluster:6.2.14-debian-11-r22\": rpc error: code = NotFound desc = failed to pull and unpack image: not found; Error: ErrImagePull",
    },
    // RediSearch missing: `FT.*` is an unknown command. The quoting tells the Redis version.
    Pattern {
        all_of: &["unknown command `ft."],
        shows: "`ERR unknown command` for `FT.INFO` quoted with backquotes (Redis 6.2)",
        cause: "Redis 6.2 does not know `FT.INFO`: the module is not loaded.",
        extra_lint: &[],
        mode: &SEARCH_MODULE_MISSING,
        example: "ERR unknown command `FT.INFO`, with args beginning with: `default-index`, ",
    },
    Pattern {
        all_of: &["unknown command 'ft."],
        shows: "`ERR unknown command 'FT.INFO'` (Redis 7 quoting)",
        cause: "Redis does not know `FT.INFO`: the module is not loaded. The quoting `'FT.INFO'` is that of \
Redis 7, which the platform does not support: deploy Redis 6.2.14 too.",
        extra_lint: &["redis-version-unsupported"],
        mode: &SEARCH_MODULE_MISSING,
        example: "ERR unknown command 'FT.INFO', with args beginning with: 'default-index' ",
    },
    Pattern {
        all_of: &["unknown command", "ft."],
        shows: "`ERR unknown command` for an `FT.` command",
        cause: "Redis does not know the RediSearch commands: the module is not loaded.",
        extra_lint: &[],
        mode: &SEARCH_MODULE_MISSING,
        example: "ERR unknown command FT.INFO",
    },
    // The index does not exist (RediSearch 1.2 and 2.6 capitalise, 2.10 does not, 2.8+ may say
    // `no such index`).
    Pattern {
        all_of: &["unknown index name"],
        shows: "`Unknown Index name`",
        cause: "RediSearch answered `FT.INFO`, so the module is loaded, but it has no such index.",
        extra_lint: &[],
        mode: &SEARCH_INDEX_MISSING,
        example: "failed to get redis info: Unknown Index name",
    },
    Pattern {
        all_of: &["no such index"],
        shows: "`no such index`",
        cause: "RediSearch answered, so the module is loaded, but it has no such index.",
        extra_lint: &[],
        mode: &SEARCH_INDEX_MISSING,
        example: "default-index: no such index",
    },
    // The cluster is not formed.
    Pattern {
        all_of: &["errcluster"],
        shows: "`ERRCLUSTER Uninitialized cluster state`",
        cause: "RediSearch's coordinator has no cluster state yet: the cluster has not been created, or not \
all of its nodes have joined.",
        extra_lint: &[],
        mode: &CLUSTER_NOT_FORMED,
        example: "ERRCLUSTER Uninitialized cluster state, could not perform command",
    },
    Pattern {
        all_of: &["clusterdown"],
        shows: "`CLUSTERDOWN`",
        cause: "Redis says the cluster is down: some hash slots have no master that is up.",
        extra_lint: &[],
        mode: &CLUSTER_NOT_FORMED,
        example: "CLUSTERDOWN Hash slot not served",
    },
    // Authentication (failure mode 2).
    Pattern {
        all_of: &["no responses received"],
        shows: "`ERR no responses received`",
        cause: "the vendor documents this message for a wrong Redis password: authentication failed, so \
the client's `INFO` got no answer.",
        extra_lint: &[],
        mode: &AUTHENTICATION,
        example: "failed to get redis info: ERR no responses received",
    },
    Pattern {
        all_of: &["wrongpass"],
        shows: "`WRONGPASS`",
        cause: "Redis rejects the password (or the ACL user) the platform sends.",
        extra_lint: &[],
        mode: &AUTHENTICATION,
        example: "WRONGPASS invalid username-password pair or user is disabled.",
    },
    Pattern {
        all_of: &["noauth"],
        shows: "`NOAUTH`",
        cause: "Redis requires a password and the platform sends none: its `redis.password` is empty in \
the merged platform config.",
        extra_lint: &[],
        mode: &AUTHENTICATION,
        example: "NOAUTH Authentication required.",
    },
    Pattern {
        all_of: &["called without any password configured"],
        shows: "`AUTH … called without any password configured`",
        cause: "the platform sends a password, but this Redis has none (`usePassword: false`), so it is \
probably not the Redis the platform's password was set for.",
        extra_lint: &[],
        mode: &AUTHENTICATION,
        example: "ERR AUTH <password> called without any password configured for the default user.",
    },
    Pattern {
        all_of: &["invalid password"],
        shows: "`ERR invalid password`",
        cause: "Redis rejects the password the platform sends.",
        extra_lint: &[],
        mode: &AUTHENTICATION,
        example: "ERR invalid password",
    },
    // TLS.
    Pattern {
        all_of: &["first record does not look like a tls handshake"],
        shows: "`first record does not look like a TLS handshake`",
        cause: "the platform speaks TLS, but Redis answers in plain text: TLS is on in the platform's \
`redis.tls.enabled` and off in the redis-cluster chart's `tls.enabled`.",
        extra_lint: &[],
        mode: &TLS_MISMATCH,
        example: "tls: first record does not look like a TLS handshake",
    },
    Pattern {
        all_of: &["redis info: eof"],
        shows: "`EOF` at the first command",
        cause: "Redis closed the connection at the platform's first command: a Redis with TLS on (the \
redis-cluster chart's `tls.enabled`) closes plain-text connections, and the platform's \
`redis.tls.enabled` is off.",
        extra_lint: &[],
        mode: &TLS_MISMATCH,
        example: "failed to create redis client: failed to get redis info: EOF",
    },
    Pattern {
        all_of: &["x509:"],
        shows: "`x509:` certificate errors",
        cause: "the platform does not accept Redis's certificate: it is signed by a CA missing from the \
platform's `redis.tls.ca`, or the address is a name the certificate does not cover.",
        extra_lint: &[],
        mode: &TLS_MISMATCH,
        example: "x509: certificate signed by unknown authority",
    },
    Pattern {
        all_of: &["tls: ", "certificate required"],
        shows: "`tls: certificate required`",
        cause: "Redis requires a client certificate (the chart's `tls.authClients`, true by default) and \
the platform presents none.",
        extra_lint: &[],
        mode: &TLS_MISMATCH,
        example: "remote error: tls: certificate required",
    },
    Pattern {
        all_of: &["tls: "],
        shows: "other `tls: ` handshake errors",
        cause: "the TLS handshake between the platform and Redis failed.",
        extra_lint: &[],
        mode: &TLS_MISMATCH,
        example: "remote error: tls: handshake failure",
    },
    // Unreachable (failure mode 1).
    Pattern {
        all_of: &["connection refused"],
        shows: "`connection refused`",
        cause: "nothing listens on that port at that address: a wrong host or port, or a Redis service \
with no ready pods.",
        extra_lint: &[],
        mode: &UNREACHABLE,
        example: "dial tcp 1.0.0.0:1: connect: connection refused",
    },
    Pattern {
        all_of: &["no such host"],
        shows: "`no such host` (DNS)",
        cause: "DNS does not know the host name: a wrong service name (it is `<fullname>-headless`), or a \
service in another namespace written without `.<namespace>`.",
        extra_lint: &[],
        mode: &UNREACHABLE,
        example: "dial tcp: lookup redis-cluster-headless on 10.96.0.10:53: no such host",
    },
    Pattern {
        all_of: &["server misbehaving"],
        shows: "`server misbehaving` (DNS)",
        cause: "the cluster's DNS could not answer for the host name: a wrong name, or DNS trouble.",
        extra_lint: &[],
        mode: &UNREACHABLE,
        example: "dial tcp: lookup redis-cluster-headless on 10.96.0.10:53: server misbehaving",
    },
    Pattern {
        all_of: &["i/o timeout"],
        shows: "`i/o timeout`",
        cause: "no answer at all: a wrong IP address, a NetworkPolicy or firewall dropping the traffic, \
or Redis pods that are not running.",
        extra_lint: &[],
        mode: &UNREACHABLE,
        example: "dial tcp 10.0.0.5:6379: i/o timeout",
    },
    Pattern {
        all_of: &["no route to host"],
        shows: "`no route to host`",
        cause: "the IP address cannot be reached from the platform's pod: often a pod IP written in \
place of the service name, which changes when the pod restarts.",
        extra_lint: &[],
        mode: &UNREACHABLE,
        example: "dial tcp 10.244.1.7:6379: connect: no route to host",
    },
    Pattern {
        all_of: &["network is unreachable"],
        shows: "`network is unreachable`",
        cause: "the address is on a network the platform's pod has no route to.",
        extra_lint: &[],
        mode: &UNREACHABLE,
        example: "dial tcp [fd00::1]:6379: connect: network is unreachable",
    },
    Pattern {
        all_of: &["dial tcp"],
        shows: "other `dial tcp` errors",
        cause: "the connection to Redis could not be opened.",
        extra_lint: &[],
        mode: &UNREACHABLE,
        example: "dial tcp 10.0.0.5:6379: connect: connection timed out",
    },
];

/// A recognised line, with everything taken from it already masked.
#[derive(Debug)]
pub struct Recognised {
    pub pattern: &'static Pattern,
    /// The address or index name the mode wants, when the line has it.
    pub detail: Option<String>,
    /// The message that matched (the `error` field of a JSON line), masked.
    pub message: String,
    /// The JSON line's `level` and `msg`, masked.
    pub level: Option<String>,
    pub msg: Option<String>,
}

impl Recognised {
    /// The mode's title with the detail in it.
    pub fn title(&self) -> String {
        let mode = self.pattern.mode;
        match &self.detail {
            Some(d) if mode.detail != Detail::None => mode.title_with.replace("{}", d),
            _ => mode.title.to_string(),
        }
    }
}

/// The failure mode of a platform log line, or of the last recognised line of several.
pub fn recognise(text: &str) -> Option<Recognised> {
    if text.trim().contains('\n') {
        text.lines()
            .rev()
            .find_map(recognise_line)
            .or_else(|| recognise_line(text))
    } else {
        recognise_line(text)
    }
}

fn recognise_line(line: &str) -> Option<Recognised> {
    let (message, level, msg) = match json_fields(line) {
        Some(fields) => fields,
        None => (line.trim().to_string(), None, None),
    };
    let lower = message.to_ascii_lowercase();
    let pattern = PATTERNS
        .iter()
        .find(|p| p.all_of.iter().all(|s| lower.contains(s)))?;
    let masked = mask(&message);
    let detail = match pattern.mode.detail {
        Detail::None => None,
        Detail::Address => address(&masked),
        Detail::Index => index(&masked),
    };
    Some(Recognised {
        pattern,
        detail,
        message: masked,
        level: level.map(|l| mask(&l)),
        msg: msg.map(|m| mask(&m)),
    })
}

/// `(error, level, msg)` of the first JSON object in the line (after any `kubectl logs` prefix) that
/// has an `error` (or `err`) or a `msg`.
fn json_fields(line: &str) -> Option<(String, Option<String>, Option<String>)> {
    let field = |object: &serde_json::Map<String, serde_json::Value>, keys: &[&str]| {
        keys.iter()
            .find_map(|k| object.get(*k).and_then(|v| v.as_str()).map(str::to_string))
    };
    for (at, _) in line.match_indices('{') {
        let mut stream = serde_json::Deserializer::from_str(&line[at..]).into_iter::<serde_json::Value>();
        let Some(Ok(serde_json::Value::Object(object))) = stream.next() else {
            continue;
        };
        let error = field(&object, &["error", "err"]);
        let msg = field(&object, &["msg", "message"]);
        let level = field(&object, &["level", "severity"]);
        match (error, msg) {
            (Some(error), msg) => return Some((error, level, msg)),
            (None, Some(msg)) => return Some((msg.clone(), level, Some(msg))),
            (None, None) => continue,
        }
    }
    None
}

/// The text with every secret in it replaced by `***`, as the one table of what looks secret says
/// ([`crate::core::redact::WHAT_LOOKS_SECRET`]).
pub fn mask(text: &str) -> String {
    crate::core::redact::mask_free_text(text)
}

/// The Redis address the platform dialled: `dial tcp ADDR: …`, else the host of a failed DNS
/// `lookup HOST`, else the first `host:port` in the text (not the DNS server after `on`).
pub fn address(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    if let Some(i) = lower.find("dial tcp ") {
        let rest = &text[i + "dial tcp ".len()..];
        let end = rest
            .find(": ")
            .or_else(|| rest.find(char::is_whitespace))
            .unwrap_or(rest.len());
        let candidate = clean_address(&rest[..end]);
        if let Some(a) = candidate.filter(|a| is_address(a)) {
            return Some(a);
        }
    }
    let tokens = tokens(text);
    if let Some(i) = lower.find("lookup ") {
        let rest = &text[i + "lookup ".len()..];
        let host: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
            .collect();
        if !host.is_empty() {
            let with_port = tokens
                .iter()
                .filter_map(|t| clean_address(t))
                .find(|a| a.strip_prefix(host.as_str()).is_some_and(|p| p.starts_with(':')));
            return Some(with_port.unwrap_or(host));
        }
    }
    let mut previous = "";
    for token in &tokens {
        if previous != "on" {
            if let Some(a) = clean_address(token).filter(|a| is_address(a)) {
                return Some(a);
            }
        }
        previous = token;
    }
    None
}

fn tokens(text: &str) -> Vec<&str> {
    text.split(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`' | ',' | '(' | ')' | ';'))
        .filter(|t| !t.is_empty())
        .collect()
}

/// A token without its URL scheme, user information, path and trailing punctuation.
fn clean_address(token: &str) -> Option<String> {
    let mut t = token;
    if let Some(i) = t.find("://") {
        t = &t[i + 3..];
    }
    if let Some(i) = t.rfind('@') {
        t = &t[i + 1..];
    }
    if let Some(i) = t.find('/') {
        t = &t[..i];
    }
    let t = t.trim_end_matches([':', '.']);
    (!t.is_empty()).then(|| t.to_string())
}

/// `host:port` with a port from 1 to 65535 and a host name, IPv4 or `[IPv6]` address.
fn is_address(a: &str) -> bool {
    let Some((host, port)) = a.rsplit_once(':') else {
        return false;
    };
    let port_ok = !port.is_empty()
        && port.bytes().all(|b| b.is_ascii_digit())
        && port.parse::<u32>().is_ok_and(|p| (1..=65535).contains(&p));
    let host_ok = if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        !inner.is_empty()
            && inner
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
    } else {
        !host.is_empty()
            && host.bytes().any(|b| b.is_ascii_alphabetic() || b == b'.')
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
    };
    port_ok && host_ok
}

/// The RediSearch index named in the text: the first argument after `with args beginning with:`, the
/// name before `: no such index`, a quoted name after `Unknown Index name`, or the argument of `FT.INFO`.
pub fn index(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    if let Some(i) = lower.find("with args beginning with:") {
        if let Some(name) = first_argument(&text[i + "with args beginning with:".len()..]) {
            return Some(name);
        }
    }
    if let Some(i) = lower.find(": no such index") {
        let before = &text[..i];
        let start = before
            .rfind(|c: char| c.is_whitespace() || c == ':')
            .map_or(0, |s| s + 1);
        let name = before[start..].trim_matches(['`', '\'', '"']);
        if !name.is_empty() {
            return Some(name.to_string());
        }
    }
    if let Some(i) = lower.find("unknown index name") {
        let rest = text[i + "unknown index name".len()..].trim_start_matches([' ', ':']);
        if rest.starts_with(['`', '\'', '"']) {
            if let Some(name) = first_argument(rest) {
                return Some(name);
            }
        }
    }
    if let Some(i) = lower.find("ft.info ") {
        return first_argument(&text[i + "ft.info ".len()..]);
    }
    None
}

/// The first argument of a Redis reply's argument list: quoted with backquotes (Redis 6.2) or single
/// quotes (Redis 7), or bare.
fn first_argument(rest: &str) -> Option<String> {
    let rest = rest.trim_start();
    let name = match rest.chars().next()? {
        q @ ('`' | '\'' | '"') => {
            let inner = &rest[1..];
            &inner[..inner.find(q)?]
        }
        _ => {
            let end = rest
                .find(|c: char| c.is_whitespace() || matches!(c, ',' | ':' | '"'))
                .unwrap_or(rest.len());
            &rest[..end]
        }
    };
    (!name.is_empty() && !name.contains(char::is_whitespace)).then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODE_1: &str = r#"{"error":"failed to create redis client: failed to get redis info: dial tcp 1.0.0.0:1: connect: connection refused","level":"fatal","msg":"failed to create storage"}"#;
    const MODE_2: &str = r#"{"error":"failed to create redis client: failed to get redis info: ERR no responses received","level":"fatal","msg":"failed to create storage"}"#;
    const MODE_3: &str = r#"{"error":"failed to create redis client: failed to get redis info: ERR unknown command `FT.INFO`, with args beginning with: `default-index`, ","level":"fatal","msg":"failed to create storage"}"#;

    fn named_ids() -> Vec<&'static str> {
        let mut ids = Vec::new();
        for p in PATTERNS {
            ids.extend(p.extra_lint);
            ids.extend(p.mode.lint);
            ids.extend(p.mode.live);
        }
        ids
    }

    #[test]
    fn every_named_rule_exists() {
        for id in named_ids() {
            assert!(
                crate::rules::find(id).is_some(),
                "`{id}` is not in rules::ALL (a typo?)"
            );
        }
    }

    #[test]
    fn every_pattern_recognises_its_example_first() {
        for p in PATTERNS {
            assert!(
                p.all_of.iter().all(|s| *s == s.to_ascii_lowercase()),
                "{:?}",
                p.all_of
            );
            let r = recognise(p.example).unwrap_or_else(|| panic!("{} is not recognised", p.example));
            assert!(
                std::ptr::eq(r.pattern, p),
                "{:?} is taken by {:?}, before {:?}",
                p.example,
                r.pattern.shows,
                p.shows
            );
        }
    }

    #[test]
    fn every_mode_says_what_to_do() {
        for p in PATTERNS {
            let m = p.mode;
            assert!(!m.meaning.is_empty() && !p.cause.is_empty());
            assert!(m.fix.contains("```"), "{}: the fix has an example", m.title);
            assert!(!m.live.is_empty(), "{}: a live rule", m.title);
            assert_eq!(
                m.title_with.contains("{}"),
                m.detail != Detail::None,
                "{}",
                m.title
            );
        }
    }

    #[test]
    fn the_three_documented_lines() {
        let r = recognise(MODE_1).unwrap();
        assert_eq!(r.pattern.mode.number, Some(1));
        assert_eq!(r.detail.as_deref(), Some("1.0.0.0:1"));
        assert_eq!(r.title(), "the platform cannot reach Redis at 1.0.0.0:1");
        assert_eq!(r.level.as_deref(), Some("fatal"));
        assert_eq!(r.msg.as_deref(), Some("failed to create storage"));

        let r = recognise(MODE_2).unwrap();
        assert_eq!(r.pattern.mode.number, Some(2));
        assert_eq!(r.pattern.shows, "`ERR no responses received`");

        let r = recognise(MODE_3).unwrap();
        assert_eq!(r.pattern.mode.number, Some(3));
        assert_eq!(r.detail.as_deref(), Some("default-index"));
        assert!(r.pattern.extra_lint.is_empty());
    }

    #[test]
    fn variants() {
        let redis7 = r#"{"error":"failed to create redis client: failed to get redis info: ERR unknown command 'FT.INFO', with args beginning with: 'acp-idx' ","level":"fatal","msg":"failed to create storage"}"#;
        let r = recognise(redis7).unwrap();
        assert_eq!(r.pattern.mode.number, Some(3));
        assert_eq!(r.detail.as_deref(), Some("acp-idx"));
        assert_eq!(r.pattern.extra_lint, ["redis-version-unsupported"]);

        let prefixed = format!(
            "acp-7d9f8-x2k acp 2024-05-01T10:00:00Z {}",
            MODE_1.replace("1.0.0.0:1", "redis-cluster-headless:6379")
        );
        let r = recognise(&prefixed).unwrap();
        assert_eq!(r.detail.as_deref(), Some("redis-cluster-headless:6379"));

        for (line, mode) in [
            (
                "failed to get redis info: unknown index name",
                &SEARCH_INDEX_MISSING,
            ),
            ("FT.INFO acp-index: UNKNOWN INDEX NAME", &SEARCH_INDEX_MISSING),
            (
                "ERRCLUSTER Uninitialized cluster state, could not perform command",
                &CLUSTER_NOT_FORMED,
            ),
            ("NOAUTH Authentication required.", &AUTHENTICATION),
            (
                "WRONGPASS invalid username-password pair or user is disabled.",
                &AUTHENTICATION,
            ),
            (
                "tls: first record does not look like a TLS handshake",
                &TLS_MISMATCH,
            ),
            (
                "x509: certificate is valid for redis-cluster, not redis",
                &TLS_MISMATCH,
            ),
            ("dial tcp 10.0.0.5:6379: i/o timeout", &UNREACHABLE),
        ] {
            let r = recognise(line).unwrap_or_else(|| panic!("{line}"));
            assert!(std::ptr::eq(r.pattern.mode, mode), "{line}: {}", r.pattern.shows);
        }
        assert_eq!(
            recognise("FT.INFO acp-index: UNKNOWN INDEX NAME")
                .unwrap()
                .detail
                .as_deref(),
            Some("acp-index")
        );
        assert_eq!(recognise("Unknown Index name").unwrap().detail, None);
        assert_eq!(
            recognise("Unknown Index name").unwrap().title(),
            SEARCH_INDEX_MISSING.title
        );
    }

    #[test]
    fn several_lines_give_the_last_recognised() {
        let logs = format!("{{\"level\":\"info\",\"msg\":\"starting\"}}\n{MODE_2}\n{MODE_3}\nnothing\n");
        assert_eq!(recognise(&logs).unwrap().pattern.mode.number, Some(3));
    }

    #[test]
    fn unrecognised() {
        for line in [
            "",
            "hello world",
            r#"{"level":"info","msg":"listening on :8443"}"#,
            "{not json",
        ] {
            assert!(recognise(line).is_none(), "{line}");
        }
    }

    #[test]
    fn addresses() {
        for (text, want) in [
            ("dial tcp 1.0.0.0:1: connect: connection refused", Some("1.0.0.0:1")),
            ("dial tcp [::1]:6379: connect: connection refused", Some("[::1]:6379")),
            ("dial tcp: lookup redis-cluster-headless on 10.96.0.10:53: no such host", Some("redis-cluster-headless")),
            (
                "dial tcp: lookup redis-headless.redis: no such host (redis://:***@redis-headless.redis:6380/0)",
                Some("redis-headless.redis:6380"),
            ),
            ("connect to redis://default:***@redis-cluster-headless:6379 refused", Some("redis-cluster-headless:6379")),
            ("lookup x on 10.96.0.10:53: server misbehaving", Some("x")),
            ("at 12:30:45 i/o timeout", None),
        ] {
            assert_eq!(address(text).as_deref(), want, "{text}");
        }
    }

    #[test]
    fn indexes() {
        for (text, want) in [
            (
                "ERR unknown command `FT.INFO`, with args beginning with: `default-index`, ",
                Some("default-index"),
            ),
            (
                "ERR unknown command 'FT.INFO', with args beginning with: 'my index' ",
                None,
            ),
            (
                "ERR unknown command 'FT.INFO', with args beginning with: 'x1' ",
                Some("x1"),
            ),
            ("ERR unknown command 'FT.INFO', with args beginning with: ", None),
            ("idx2: no such index", Some("idx2")),
            ("Unknown Index name `idx3`", Some("idx3")),
            ("Unknown index name (or name is an alias itself)", None),
        ] {
            assert_eq!(index(text).as_deref(), want, "{text}");
        }
    }

    #[test]
    fn masking() {
        for (text, want) in [
            ("redis://:s3cret@redis:6379", "redis://:***@redis:6379"),
            ("AUTH default s3cret", "AUTH ***"),
            ("auth s3cret failed", "auth ***"),
            ("password=s3cret host=x", "password=*** host=x"),
            (r#"{"password":"s3 cret","x":1}"#, r#"{"password":"***","x":1}"#),
            ("--password s3cret --tls", "--password *** --tls"),
            ("redis-cli -a s3cret ping", "redis-cli -a *** ping"),
            ("requirepass: s3cret", "requirepass: ***"),
            (
                "loadmodule /m/redisearch.so OSS_GLOBAL_PASSWORD s3cret",
                "loadmodule /m/redisearch.so OSS_GLOBAL_PASSWORD ***",
            ),
            // Words that are not secrets stay.
            (
                "WRONGPASS invalid username-password pair or user is disabled.",
                "WRONGPASS invalid username-password pair or user is disabled.",
            ),
            (
                "NOAUTH Authentication required.",
                "NOAUTH Authentication required.",
            ),
            ("ERR invalid password", "ERR invalid password"),
            ("usePassword: true", "usePassword: true"),
        ] {
            assert_eq!(mask(text), want, "{text}");
        }
    }

    #[test]
    fn secrets_never_reach_what_is_shown() {
        let line = r#"{"error":"failed to create redis client: dial tcp: lookup redis-cluster-headless: no such host (redis://:Hunter2Pass@redis-cluster-headless:6379, AUTH default Hunter2Pass)","level":"fatal","msg":"password=Hunter2Pass"}"#;
        let r = recognise(line).unwrap();
        let shown = format!(
            "{:?} {} {:?} {:?} {}",
            r.detail,
            r.message,
            r.level,
            r.msg,
            r.title()
        );
        assert!(!shown.contains("Hunter2Pass"), "{shown}");
        assert_eq!(r.detail.as_deref(), Some("redis-cluster-headless:6379"));
    }
}

#[cfg(test)]
mod probe_lines {
    use super::recognise;
    use crate::model::platform_log::*;

    /// `acp-check explain` reads every line the probe shows, and names the rule the probe used.
    #[test]
    fn explain_recognises_every_line() {
        for (line, rule) in [
            (refused("127.0.0.1:1"), "redis-unreachable"),
            (no_such_host("redis.invalid"), "redis-unreachable"),
            (timeout("127.0.0.1:6379"), "redis-unreachable"),
            (no_route("127.0.0.1:6379"), "redis-unreachable"),
            (
                redis_error(
                    "WRONGPASS invalid username-password pair or user is disabled.",
                    true,
                ),
                "redis-auth-failed",
            ),
            (
                redis_error(
                    "WRONGPASS invalid username-password pair or user is disabled.",
                    false,
                ),
                "redis-auth-failed",
            ),
            (
                redis_error("NOAUTH Authentication required.", false),
                "redis-auth-failed",
            ),
            (
                fatal("ERR unknown command 'FT.INFO', with args beginning with: 'default-index' "),
                "search-module-missing",
            ),
            (fatal("CLUSTERDOWN The cluster is down"), "cluster-state-fail"),
            (
                fatal("ERRCLUSTER Uninitialized cluster state, could not perform command"),
                "cluster-state-fail",
            ),
            (
                fatal("tls: failed to verify certificate: x509: certificate signed by unknown authority"),
                "tls-handshake-failed",
            ),
        ] {
            let r = recognise(&line).unwrap_or_else(|| panic!("not recognised: {line}"));
            assert!(
                r.pattern.mode.live.contains(&rule),
                "{line}: {:?}",
                r.pattern.mode.live
            );
        }
    }
}
