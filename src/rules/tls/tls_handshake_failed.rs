//! `tls-handshake-failed`: live: TLS expected or refused, certificate not trusted.

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::model::platform_log;

pub static RULE: Rule = Rule {
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
    file: file!(),
};

/// How TLS failed, as the probe saw it.
pub enum TlsFailure<'a> {
    /// The handshake failed (an untrusted certificate, no client certificate, …).
    Handshake(&'a str),
    /// A plain client's first command: the server closed the connection (a TLS port does that).
    ClosedOnPlain,
    /// A plain client got bytes that are not Redis's protocol.
    NotRedisOnPlain(&'a str),
    /// Anything else, as the probe's client words it.
    Other(&'a str),
}

/// Live: TLS expected or refused, or the certificate not trusted. `tls`: the client used TLS.
pub fn live(target: &str, failure: TlsFailure, tls: bool) -> Finding {
    let message = match failure {
        TlsFailure::Handshake(e) => format!("TLS handshake failed: {e}"),
        TlsFailure::ClosedOnPlain => {
            "the server closed the connection at the first command: a Redis with TLS on does that to a plain client".to_string()
        }
        TlsFailure::NotRedisOnPlain(e) => format!("the answer is not Redis's protocol ({e}): is this a TLS port?"),
        TlsFailure::Other(e) => e.to_string(),
    };
    let help = if tls {
        "give the CA that signed the server's certificate (--tls-ca, redis.tls.ca) and, when the server requires it (tls.authClients), a client certificate and key; or turn TLS off on both ends"
    } else {
        "turn TLS on in the client (--tls; redis.tls.enabled: true) with the cluster's CA, or off in the cluster"
    };
    Finding::new(&RULE, message)
        .on(target)
        .log_line(platform_log::fatal(if tls {
            "tls: failed to verify certificate: x509: certificate signed by unknown authority"
        } else {
            "EOF"
        }))
        .help(help)
}
