//! `tls-verify-disabled`: the platform's client skips certificate verification.

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::rules::Context;

pub static RULE: Rule = Rule {
    id: "tls-verify-disabled",
    severity: Severity::Warning,
    checked_by: CheckedBy::LintAndProbe,
    summary: "the platform's client skips certificate verification",
    docs: r#"## What it checks
`tls.insecure_skip_verify: true` in the platform's Redis client.

## Why it matters
The connection is encrypted but the server is not authenticated: anything that can intercept traffic
can pose as Redis and read every token and session.

## How to fix
Give the client the CA that signed the Redis certificates (`tls.ca`) and remove
`insecure_skip_verify`.

## Example
```yaml
acp:
  redis:
    tls:
      enabled: true
      insecure_skip_verify: true
```
"#,
    file: file!(),
};

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for platform in cx.platforms() {
        let Some(client) = platform.redis_client() else {
            continue;
        };
        let Some(skip) = client.tls("insecure_skip_verify") else {
            continue;
        };
        if skip.as_bool() == Some(true) && client.tls_on() {
            out.push(
                Finding::new(
                    &RULE,
                    "the platform's Redis client does not verify the server's certificate",
                )
                .at(skip.span)
                .label("verification off")
                .help("set tls.ca to the CA of the Redis certificates and remove insecure_skip_verify"),
            );
        }
    }
}

/// Live: the probe itself was told not to verify the server's certificate.
pub fn probe_insecure() -> Finding {
    Finding::new(
        &RULE,
        "the probe does not verify the server's certificate (--tls-insecure or tls.insecure_skip_verify)",
    )
    .help("give the CA that signed the server certificate with --tls-ca (redis.tls.ca) instead")
}
