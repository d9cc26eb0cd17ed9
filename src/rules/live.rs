//! The rules only `acp-check probe` can check: what the live Redis answers. The checks are in
//! `crate::probe`; the rules that lint and probe share (`redis-version-unsupported`,
//! `search-module-missing`, `evicting-memory-policy`, `cluster-no-replicas`, …) live with their lint
//! family.

use crate::diagnostic::Severity;
use crate::diagnostic::{CheckedBy, Rule};

pub static REDIS_UNREACHABLE: Rule = Rule {
    id: "redis-unreachable",
    severity: Severity::Error,
    checked_by: CheckedBy::Probe,
    summary: "live: refused, no route, DNS failure or timeout (failure mode 1)",
    docs: r#"## What it checks
That every address the platform will dial (and every node a cluster announces) accepts a TCP
connection within the timeout: the host name resolves, something listens on the port, and it answers.

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
};

pub static REDIS_AUTH_FAILED: Rule = Rule {
    id: "redis-auth-failed",
    severity: Severity::Error,
    checked_by: CheckedBy::Probe,
    summary: "live: WRONGPASS, NOAUTH, bad ACL user (failure mode 2)",
    docs: r#"## What it checks
That Redis accepts the credentials the platform will use: the password (and ACL user), or no
password when Redis requires none.

## Why it matters
A wrong password gives `WRONGPASS`, a missing one `NOAUTH Authentication required.`; the platform's
cluster client reports either as `ERR no responses received` and stops: failure mode 2.

## How to fix
Use the cluster's password: `redis-cluster.password` (or `global.redis.password`), or the
`redis-password` key of `redis-cluster.existingSecret`. The deployed one is in the release's secret:
`kubectl get secret <fullname> -o jsonpath='{.data.redis-password}' | base64 -d`. Give it to the probe
with `--password-env VAR` or `--password-file PATH`, never as a flag value.

## Example
```sh
REDIS_PASSWORD=wrong acp-check probe --addr 127.0.0.1:6379 --password-env REDIS_PASSWORD
# error[redis-auth-failed]: 127.0.0.1:6379: Redis refused the password (WRONGPASS)
```
"#,
};

pub static TLS_HANDSHAKE_FAILED: Rule = Rule {
    id: "tls-handshake-failed",
    severity: Severity::Error,
    checked_by: CheckedBy::Probe,
    summary: "live: TLS expected or refused, certificate not trusted",
    docs: r#"## What it checks
That the TLS setting of the client matches the server: a TLS client against a TLS port, with a CA that
trusts the server's certificate (and a client certificate when the server requires one); a plain
client against a plain port.

## Why it matters
A plain client on a TLS port sees the connection closed; a TLS client on a plain port gets garbage;
an untrusted certificate fails the handshake. The platform stops at start-up in each case.

## How to fix
Set `redis.tls.enabled` like `redis-cluster.tls.enabled`; give the CA that signed the server
certificate (`--tls-ca`, `redis.tls.ca`), and a client certificate and key when `tls.authClients` is
on.

## Example
```sh
acp-check probe --addr 127.0.0.1:6380 --tls --tls-ca ca.crt --tls-cert client.crt --tls-key client.key
```
"#,
};

pub static CLUSTER_STATE_FAIL: Rule = Rule {
    id: "cluster-state-fail",
    severity: Severity::Error,
    checked_by: CheckedBy::Probe,
    summary: "live: cluster_state is not ok, or slots are not all covered",
    docs: r#"## What it checks
`CLUSTER INFO` on every node: `cluster_state:ok` and all 16384 slots assigned and served
(`cluster_slots_ok`); an `ERRCLUSTER` answer from RediSearch's coordinator.

## Why it matters
A cluster with uncovered slots refuses commands for the keys in them (`CLUSTERDOWN`), so the platform
fails at random: a master is down without a replica to take over, or the cluster was never created.

## How to fix
Wait for the chart's cluster-creation job; bring failed nodes back (`kubectl get pods`), or let a
replica take over. `redis-cli --cluster check <host>:<port>` shows which slots are missing.

## Example
```text
error[cluster-state-fail]: 127.0.0.1:7000: cluster_state is fail: 10923 of 16384 slots served
```
"#,
};

pub static CLUSTER_MODE_MISMATCH: Rule = Rule {
    id: "cluster-mode-mismatch",
    severity: Severity::Error,
    checked_by: CheckedBy::Probe,
    summary: "live: the client config expects a cluster and the server is standalone, or the reverse",
    docs: r#"## What it checks
The client's mode (two or more `addrs` make a cluster client, one a single-node client) against the
server's `redis_mode`.

## Why it matters
A cluster client on a standalone server fails on `CLUSTER` commands; a single-node client on a cluster
gets `MOVED` for most keys. Either way the platform cannot use Redis.

## How to fix
List the headless service twice for a cluster (`redis-cluster-headless:6379` ×2), once for a
standalone Redis.

## Example
```text
error[cluster-mode-mismatch]: 127.0.0.1:6379: the client lists 2 addresses (a cluster client), and this Redis is standalone
```
"#,
};

pub static PERSISTENCE_DISABLED: Rule = Rule {
    id: "persistence-disabled",
    severity: Severity::Warning,
    checked_by: CheckedBy::Probe,
    summary: "live: neither AOF nor RDB snapshots are on",
    docs: r#"## What it checks
`aof_enabled` from `INFO`, and the `save` setting from `CONFIG GET save` (when the probe user may run
it; otherwise only AOF is known, and a missing AOF is reported as information).

## Why it matters
Without persistence, a restarted node comes back empty: tokens, sessions and search indexes are gone,
and users are logged out.

## How to fix
Set `redis-cluster.redis.useAOFPersistence: "yes"` (the chart's default), or keep RDB snapshots.

## Example
```yaml
redis-cluster:
  redis:
    useAOFPersistence: "yes"
```
"#,
};

pub static MEMORY_NEARLY_FULL: Rule = Rule {
    id: "memory-nearly-full",
    severity: Severity::Warning,
    checked_by: CheckedBy::Probe,
    summary: "live: used memory above 90% of maxmemory",
    docs: r#"## What it checks
`used_memory` against `maxmemory` from `INFO` (when `maxmemory` is set).

## Why it matters
At `maxmemory`, Redis with `noeviction` refuses writes (the platform cannot issue tokens); with an
evicting policy it drops keys (users lose sessions).

## How to fix
Raise `maxmemory` (and the pods' memory limits), or add shards (`cluster.nodes`).

## Example
```text
warning[memory-nearly-full]: 127.0.0.1:7000: 95% of maxmemory (972.8 MiB of 1 GiB) is used
```
"#,
};

pub static PROBE_PERMISSION_DENIED: Rule = Rule {
    id: "probe-permission-denied",
    severity: Severity::Error,
    checked_by: CheckedBy::Probe,
    summary: "live: the probe user lacks a command it needs (NOPERM): say which, and the ACL line",
    docs: r#"## What it checks
Whether Redis refused one of the probe's read-only commands with `NOPERM` for the ACL user given
with `--user`.

## Why it matters
A refused command is a check the probe could not make (and, for `FT.INFO` or `INFO`, a command the
platform itself needs if it uses the same user).

## How to fix
Give the user the probe's least-privilege rights:

```text
ACL SETUSER acp-check on >PASSWORD -@all +auth +hello +ping +info +cluster|info +cluster|nodes +cluster|shards +module|list +ft.info +config|get ~default-index
```

`~default-index` is the index name (`FT.INFO` declares it a key): use yours.

## Example
```text
error[probe-permission-denied]: 127.0.0.1:6379: user `reader` may not run FT.INFO
```
"#,
};

pub static SEARCH_INDEX_MISSING: Rule = Rule {
    id: "search-index-missing",
    severity: Severity::Info,
    checked_by: CheckedBy::Probe,
    summary: "live: the index does not exist yet",
    docs: r#"## What it checks
`FT.INFO <index>` (index from `--index`, the config, `redis_search_index_name` in the values, else
`default-index`) on a Redis where RediSearch is loaded.

## Why it matters
A new or emptied Redis has no index yet; that is expected before the platform's first start. On a
Redis that should hold data, a missing index means the platform talks to the wrong Redis, or a Redis
without persistence lost its data.

## How to fix
Nothing before a first deploy. Otherwise check the platform's `redis.addrs` and the index name.

## Example
```text
info[search-index-missing]: 127.0.0.1:6379: RediSearch has no index `default-index` yet
```
"#,
};
