//! `plaintext-secret`: a password is written in clear in a values file.

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::model::{opaque, RedisCluster, CLIENT_LAYERS};
use crate::rules::Context;
use crate::tree::{Node, Value};

pub static RULE: Rule = Rule {
    id: "plaintext-secret",
    severity: Severity::Warning,
    checked_by: CheckedBy::LintAndProbe,
    summary: "a password is written in clear in a values file",
    docs: r#"## What it checks
Passwords written in clear: the cluster's `password` and `global.redis.password`, the platform
client's `password` (in any of its three places), and the RediSearch `OSS_GLOBAL_PASSWORD` argument.
SOPS-encrypted values and Flux substitution variables (`${…}`) are not in clear.

Live, the probe reports a password it had to read from a values file, or from an address written
as a URL with a password (`redis://user:PASSWORD@host:6379`, in `--addr` or `redis.addrs`): a
password on a command line is visible to every process on the machine and kept in shell histories
and CI logs. The probe uses a URL's password only when no other source (`--password-env`,
`--password-file`, `ACP_CHECK_REDIS_PASSWORD`, the values' `password`) gives one.

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
    file: file!(),
};

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for cluster in cx.redis_clusters() {
        for node in cluster_password_places(&cluster) {
            plaintext(node, "the cluster password", out);
        }
        for d in cluster.directives(cx.sources) {
            if let Some(pos) = d.args.iter().position(|a| a.text == "OSS_GLOBAL_PASSWORD") {
                if let Some(arg) = d.args.get(pos + 1) {
                    let node = Node::new(Value::Str(arg.text.clone()), arg.span);
                    plaintext(&node, "the RediSearch OSS_GLOBAL_PASSWORD", out);
                }
            }
        }
    }
    for platform in cx.platforms() {
        for layer in CLIENT_LAYERS {
            let path: Vec<&str> = layer.iter().copied().chain(["password"]).collect();
            if let Some(node) = platform.root.get(&path) {
                plaintext(node, "the platform's Redis password", out);
            }
        }
    }
}

/// Where the chart reads a cluster password from, in clear.
fn cluster_password_places<'a>(cluster: &RedisCluster<'a>) -> Vec<&'a Node> {
    // Only what the files wrote: a chart's default password is the chart's to answer for.
    let mut places: Vec<&Node> = [
        cluster.root.get(&["password"]),
        cluster.root.get(&["global", "redis", "password"]),
    ]
    .into_iter()
    .flatten()
    .collect();
    if cluster.key.is_some() {
        places.extend(cluster.release.values.get(&["global", "redis", "password"]));
    }
    places
}

fn plaintext(node: &Node, what: &str, out: &mut Vec<Finding>) {
    let empty = matches!(&node.value, Value::Null) || node.as_str() == Some("");
    // A chart's default (no file of the user's holds it) is not theirs to move into a Secret.
    if empty
        || node.span.source.is_builtin()
        || opaque(node).is_some()
        || !matches!(node.value, Value::Str(_) | Value::Int(_) | Value::Float(_))
    {
        return;
    }
    // Aliases and merges can bring the same written value twice.
    if out
        .iter()
        .any(|f| f.rule.id == RULE.id && f.span == Some(node.span))
    {
        return;
    }
    out.push(
        Finding::new(&RULE, format!("{what} is written in clear"))
            .at(node.span)
            .label("password in clear")
            .help("keep it in a Secret (existingSecret, or valuesFrom in a HelmRelease) or encrypt the file with SOPS"),
    );
}

/// Live: the probe read the platform's password from a values file.
pub fn read_by_probe(node: &Node) -> Finding {
    Finding::new(
        &RULE,
        "the probe read the platform's Redis password from a values file, where it is written in clear",
    )
    .at(node.span)
    .label("password in clear")
    .help("keep it in a Secret (secretConfig.data.redis.password from a sealed or SOPS-encrypted file) and give it to the probe with --password-env or --password-file")
}

/// Live: the probe read the password from a URL in the values' `redis.addrs`.
pub fn url_in_values(node: &Node) -> Finding {
    Finding::new(
        &RULE,
        "the probe read the Redis password from an address in redis.addrs, a URL with the password written in clear",
    )
    .at(node.span)
    .label("password in clear")
    .help("write the address without user-info and keep the password in a Secret; give it to the probe with --password-env or --password-file")
}

/// Live: the probe read the password from a URL given with `--addr`.
pub fn url_on_command_line() -> Finding {
    Finding::new(
        &RULE,
        "the probe read the Redis password from an --addr URL: a password on the command line is in clear (process list, shell history, CI logs)",
    )
    .help("give the address without user-info, and the password with --password-env, --password-file or ACP_CHECK_REDIS_PASSWORD")
}
