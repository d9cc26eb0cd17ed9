//! Passwords: the cluster's (the chart's `password`, `global.redis.password`, `existingSecret`), the
//! platform client's, and the RediSearch coordinator's must agree, be knowable, and not sit in clear.

use crate::diagnostic::{CheckedBy, Rule};
use crate::diagnostic::{Finding, Severity};
use crate::model::redis_conf;
use crate::model::{opaque, ClusterPassword, External, Platform, RedisCluster, CLIENT_LAYERS};
use crate::rules::Context;
use crate::tree::{Node, Value};

pub static PASSWORD_MISMATCH: Rule = Rule {
    id: "password-mismatch",
    severity: Severity::Error,
    checked_by: CheckedBy::Lint,
    summary: "the platform's Redis password differs from the cluster password",
    docs: r#"## What it checks
That the platform's Redis client password (the merge of `redis.password`, `config.data.redis.password`
and `secretConfig.data.redis.password`) equals the cluster's (`global.redis.password`, else
`password`), across all the files of the run. The values are compared, never shown.

## Why it matters
With the wrong password the platform dies at start-up with
`failed to get redis info: ERR no responses received` (failure mode 2), a message that names neither
the password nor authentication.

## How to fix
Set the same password in both places; better, keep it in one Secret that both read
(`redis-cluster.existingSecret` and the platform's secret config).

## Example
```yaml
acp:
  secretConfig:
    data:
      redis:
        password: old-password
redis-cluster:
  password: new-password
```
"#,
};

pub static PASSWORD_UNKNOWABLE: Rule = Rule {
    id: "password-unknowable",
    severity: Severity::Error,
    checked_by: CheckedBy::Lint,
    summary: "usePassword with an empty password and no existingSecret: the chart picks a random one",
    docs: r#"## What it checks
The chart's defaults: `usePassword: true`, `password: ""`, no `existingSecret`, no
`global.redis.password`.

## Why it matters
The chart then generates a random password at install. The platform cannot be configured with it in
advance, and every later `helm upgrade` fails with "PASSWORDS ERROR: You must provide your current
passwords when upgrading the release."

## How to fix
Set `existingSecret` to a Secret you create (recommended), or set `password`.

## Example
```yaml
redis-cluster:
  cluster:
    nodes: 6      # and no password anywhere
```
"#,
};

pub static PASSWORD_MISSING: Rule = Rule {
    id: "password-missing",
    severity: Severity::Error,
    checked_by: CheckedBy::Lint,
    summary: "the cluster requires a password and the platform's client has none",
    docs: r#"## What it checks
That the platform's Redis client has a password when the cluster requires one (`usePassword`, the
default).

## Why it matters
The platform connects without authenticating, Redis answers `NOAUTH Authentication required`, and the
platform dies at start-up with `ERR no responses received`.

## How to fix
Set `secretConfig.data.redis.password` (in the `acp` chart, or under `acp:` in the umbrella chart) to
the cluster password, or provide it from a Secret (`valuesFrom` in a HelmRelease).

## Example
```yaml
acp:
  redis:
    addrs: [redis-cluster-headless:6379, redis-cluster-headless:6379]
redis-cluster:
  existingSecret: redis-password
```
"#,
};

pub static PLAINTEXT_SECRET: Rule = Rule {
    id: "plaintext-secret",
    severity: Severity::Warning,
    checked_by: CheckedBy::LintAndProbe,
    summary: "a password is written in clear in a values file",
    docs: r#"## What it checks
Passwords written in clear: the cluster's `password` and `global.redis.password`, the platform
client's `password` (in any of its three places), and the RediSearch `OSS_GLOBAL_PASSWORD` argument.
SOPS-encrypted values and Flux substitution variables (`${…}`) are not in clear.

## Why it matters
Values files live in Git, CI logs and `helm get values`. A password there is readable by everyone who
can read those.

## How to fix
Keep the password in a Secret: `redis-cluster.existingSecret`, a HelmRelease `valuesFrom` for the
platform, or encrypt the values file with SOPS. Switch the rule off in `.acp-check.toml` for local
test setups.

## Example
```yaml
redis-cluster:
  password: p@ssw0rd!
```
"#,
};

pub fn check(cx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    let clusters: Vec<RedisCluster> = cx.deployment.redis_clusters().collect();
    let platforms: Vec<Platform> = cx.deployment.platforms().collect();
    for cluster in &clusters {
        if let ClusterPassword::Random = cluster.password() {
            let at = cluster
                .entry(&["password"])
                .map(|e| e.key_span)
                .unwrap_or_else(|| cluster.anchor());
            out.push(
                Finding::new(
                    &PASSWORD_UNKNOWABLE,
                    "no password and no existingSecret: the chart generates a random password the platform cannot know",
                )
                .at(at)
                .label("random password")
                .help("set existingSecret to a Secret holding the password (or set password); upgrades otherwise fail with \"PASSWORDS ERROR\""),
            );
        }
        for node in cluster_password_places(cluster) {
            plaintext(node, "the cluster password", &mut out);
        }
        for config in cluster.config_nodes() {
            for d in redis_conf::directives(config, cx.sources) {
                if let Some(pos) = d.args.iter().position(|a| a.text == "OSS_GLOBAL_PASSWORD") {
                    if let Some(arg) = d.args.get(pos + 1) {
                        let node = Node::new(Value::Str(arg.text.clone()), arg.span);
                        plaintext(&node, "the RediSearch OSS_GLOBAL_PASSWORD", &mut out);
                    }
                }
            }
        }
    }
    for platform in &platforms {
        for layer in CLIENT_LAYERS {
            let path: Vec<&str> = layer.iter().copied().chain(["password"]).collect();
            if let Some(node) = platform.root.get(&path) {
                plaintext(node, "the platform's Redis password", &mut out);
            }
        }
        let client = platform.redis_client();
        let client_password = client
            .as_ref()
            .and_then(|c| c.get(&["password"]))
            .filter(|n| !is_empty(n));
        for cluster in &clusters {
            compare(platform, client_password, cluster, &mut out);
        }
    }
    out
}

fn is_empty(node: &Node) -> bool {
    matches!(&node.value, Value::Null) || node.as_str() == Some("")
}

/// Where the chart reads a cluster password from, in clear.
fn cluster_password_places<'a>(cluster: &RedisCluster<'a>) -> Vec<&'a Node> {
    let mut places: Vec<&Node> = [
        cluster.get(&["password"]),
        cluster.get(&["global", "redis", "password"]),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !cluster.prefix.is_empty() {
        places.extend(cluster.release.values.get(&["global", "redis", "password"]));
    }
    places
}

fn plaintext(node: &Node, what: &str, out: &mut Vec<Finding>) {
    if is_empty(node)
        || opaque(node).is_some()
        || !matches!(node.value, Value::Str(_) | Value::Int(_) | Value::Float(_))
    {
        return;
    }
    // Aliases and merges can bring the same written value twice.
    if out
        .iter()
        .any(|f| f.rule.id == PLAINTEXT_SECRET.id && f.span == Some(node.span))
    {
        return;
    }
    out.push(
        Finding::new(&PLAINTEXT_SECRET, format!("{what} is written in clear"))
            .at(node.span)
            .label("password in clear")
            .help("keep it in a Secret (existingSecret, or valuesFrom in a HelmRelease) or encrypt the file with SOPS"),
    );
}

/// Why the platform's password may be set outside these files, if it may.
fn set_elsewhere(platform: &Platform) -> Option<String> {
    if platform.secret_config_external().is_some() {
        return Some(
            "secretConfig.create is false: the platform's secret config comes from an existing Secret".into(),
        );
    }
    platform.release.external.first().map(|e| match e {
        External::ValuesFrom { kind, name, .. } => {
            format!("values also come from {kind} `{name}` (valuesFrom)")
        }
    })
}

fn compare(platform: &Platform, client: Option<&Node>, cluster: &RedisCluster, out: &mut Vec<Finding>) {
    let cluster_password = cluster.password();
    let required = !matches!(cluster_password, ClusterPassword::Disabled(_));
    let client_anchor = platform
        .root
        .entry(&["secretConfig"])
        .or_else(|| platform.root.entry(&["redis"]))
        .map(|e| e.key_span)
        .unwrap_or(platform.root.span);
    let Some(client) = client else {
        if !required {
            return;
        }
        let f = Finding::new(
            &PASSWORD_MISSING,
            "the Redis cluster requires a password, and the platform's Redis client has none",
        )
        .at(client_anchor)
        .label("no redis password here")
        .help(format!(
            "set {}secretConfig.data.redis.password to the cluster password (or provide it from a Secret)",
            if platform.prefix.is_empty() { "" } else { "acp." }
        ));
        let f = match cluster_password {
            ClusterPassword::Written(n) => f.related(n.span, "the cluster password is set here"),
            ClusterPassword::InSecret(e) => {
                f.related(e.value.span, "the cluster password is kept in this Secret")
            }
            _ => f,
        };
        out.push(match set_elsewhere(platform) {
            Some(why) => {
                let mut f = f
                    .unverified()
                    .help("make sure it is the cluster password; `acp-check probe` checks it live");
                f.message = format!(
                    "the platform's Redis password is not in these files ({why}), so it cannot be checked"
                );
                f.label = Some("password set elsewhere".into());
                f
            }
            None => f,
        });
        return;
    };
    let ClusterPassword::Written(cluster_node) = cluster_password else {
        if let ClusterPassword::InSecret(secret) = cluster_password {
            let name = secret.value.as_str().unwrap_or_default();
            out.push(
                Finding::new(&PASSWORD_MISMATCH, format!("cannot check the platform's Redis password against the cluster's: it is kept in Secret `{name}`"))
                    .unverified()
                    .at(client.span)
                    .label("not compared")
                    .related(secret.value.span, "the cluster password is in this Secret")
                    .help("make sure the platform's password is the one in that Secret; `acp-check probe` checks it live"),
            );
        }
        return;
    };
    if let Some(why) = opaque(client).or_else(|| opaque(cluster_node)) {
        out.push(
            Finding::new(
                &PASSWORD_MISMATCH,
                format!("cannot compare the platform's Redis password with the cluster's: {why}"),
            )
            .unverified()
            .at(client.span)
            .label("not compared")
            .related(cluster_node.span, "the cluster password"),
        );
        return;
    }
    if scalar_text(client) != scalar_text(cluster_node) {
        out.push(
            Finding::new(&PASSWORD_MISMATCH, "the platform's Redis password differs from the cluster password")
                .at(client.span)
                .label("the platform's password")
                .related(cluster_node.span, "the cluster password, which differs")
                .help("use the same password in both places; the platform otherwise dies with `ERR no responses received`"),
        );
    }
}

fn scalar_text(node: &Node) -> String {
    match &node.value {
        Value::Str(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => crate::tree::go_float(*f),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}
