//! `redis-auth-failed`: live: WRONGPASS, NOAUTH, bad ACL user (failure mode 2).

use crate::core::text::preview;
use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::model::platform_log;

pub static RULE: Rule = Rule {
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
    file: file!(),
};

const HELP: &str = "use the cluster's password (redis-cluster.password, global.redis.password or the existingSecret's redis-password key) in the platform's redis.password, and give it to the probe with --password-env or --password-file";

/// Live: Redis refused `AUTH` (not for want of permission: that is `probe-permission-denied`).
pub fn refused(target: &str, error: &str, user: Option<&str>, cluster_client: bool) -> Finding {
    let who = user
        .map(|u| format!("user `{u}` with this password"))
        .unwrap_or_else(|| "the password".to_string());
    let message = if error.starts_with("WRONGPASS") {
        format!("Redis refused {who} (WRONGPASS)")
    } else if error.contains("without any password configured") {
        "the client sends a password and this Redis has none: AUTH fails".to_string()
    } else {
        format!("AUTH failed: {}", preview(error.trim(), 200))
    };
    Finding::new(&RULE, message)
        .on(target)
        .log_line(platform_log::redis_error(error, cluster_client))
        .help(HELP)
}

/// Live: Redis requires a password and the client sent none (`NOAUTH`).
pub fn no_password(target: &str, error: &str, cluster_client: bool) -> Finding {
    Finding::new(&RULE, "Redis requires a password and the client has none (NOAUTH)")
        .on(target)
        .log_line(platform_log::redis_error(error, cluster_client))
        .help("give the platform the cluster's password (redis.password), and the probe with --password-env or --password-file")
}
