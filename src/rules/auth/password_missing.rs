//! `password-missing`: the cluster requires a password and the platform's client has none.

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::model::ClusterPassword;
use crate::rules::auth::client_anchor;
use crate::rules::{unsettled, Context};

pub static RULE: Rule = Rule {
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
    file: file!(),
};

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let clusters: Vec<_> = cx.redis_clusters().collect();
    for platform in cx.platforms() {
        let Some(client) = platform.redis_client() else {
            continue;
        };
        let client_password = client.lookup(&["password"]);
        if client.password().is_some() {
            continue;
        }
        for cluster in &clusters {
            let cluster_password = cluster.password();
            if matches!(cluster_password, ClusterPassword::Disabled(_)) {
                continue;
            }
            let f = Finding::new(
                &RULE,
                "the Redis cluster requires a password, and the platform's Redis client has none",
            )
            .at(client_anchor(&platform))
            .label("no redis password here")
            .help(format!(
                "set {}secretConfig.data.redis.password to the cluster password (or provide it from a Secret)",
                platform.prefix()
            ));
            let f = match &cluster_password {
                ClusterPassword::Written(n) => f.related(n.span, "the cluster password is set here"),
                ClusterPassword::InSecret(e) => {
                    f.related(e.value.span, "the cluster password is kept in this Secret")
                }
                _ => f,
            };
            let why = client_password.unsettled().or(match cluster_password {
                ClusterPassword::Unknown(why) => Some(why),
                _ => None,
            });
            out.push(match why {
                Some(why) => {
                    let mut f = unsettled(f, why);
                    f.message =
                        "the platform's Redis password is not in these files, so it cannot be checked".into();
                    f.label = Some("password set elsewhere".into());
                    f
                }
                None => f,
            });
        }
    }
}
