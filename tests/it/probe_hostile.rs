//! `acp-check probe` against hostile servers (tests/it/hostile.rs): servers that answer `+OK` to
//! everything, send bytes that are not text, answer late, announce a hundred thousand nodes, are
//! all slow, or report versions and numbers no arithmetic should trust. What a user sees: the rule,
//! the message, the exit code, and that the probe ends within its bounds.
//!
//! Loopback only: every address here is 127.0.0.1 on a port a test server bound, or a name under
//! `.invalid`.

use std::time::Duration;

use crate::common::Run;
use crate::hostile::{bulk, error, healthy_with, info, no_search_module, Answer, Hostile};
use crate::live;

/// (rule, severity, target, message) of every finding.
fn findings(run: &Run) -> Vec<(String, String, String, String)> {
    run.json()["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings in:\n{}\n{}", run.stdout, run.stderr))
        .iter()
        .map(|f| {
            let text = |key: &str| f[key].as_str().unwrap_or("").to_string();
            (text("rule"), text("severity"), text("target"), text("message"))
        })
        .collect()
}

/// The findings of `rule`.
fn of(run: &Run, rule: &str) -> Vec<(String, String, String, String)> {
    findings(run).into_iter().filter(|f| f.0 == rule).collect()
}

#[test]
fn a_reply_whose_first_byte_is_not_ascii_is_reported_not_a_panic() {
    for first in [&b"\xC3\xA9t\xC3\xA9"[..], b"\xFF\xFE", "€uro".as_bytes()] {
        let reply = [first, b"\r\n"].concat();
        let server = Hostile::start(move |_| Answer::now(reply.clone()));
        let run = live::probe(&["--addr", &server.address(), "--timeout", "2s"], &[]);
        assert_eq!(run.code, 1, "{first:?}: {}\n{}", run.stdout, run.stderr);
        let got = findings(&run);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].0, "redis-unreachable", "{got:?}");
        assert!(
            got[0]
                .3
                .starts_with("the server answers, but not as Redis does: INFO answered bytes that are not the Redis protocol (it begins with `"),
            "{got:?}"
        );
    }

    // After a good INFO, the same bytes in the middle of the probe.
    let server = Hostile::start(|call| {
        Answer::now(if call.is("INFO") {
            bulk(&healthy_with(&[
                ("redis_mode", "cluster"),
                ("cluster_enabled", "1"),
            ]))
        } else {
            b"\xC3\xA9\r\n".to_vec()
        })
    });
    let run = live::probe(&["--addr", &server.address(), "--addr", &server.address()], &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let lost = of(&run, "redis-unreachable");
    assert!(
        lost.iter().any(|f| f.3
            == "CLUSTER INFO got no answer: the answer is not the Redis protocol (it begins with `é`)"),
        "{lost:?}"
    );
}

/// A cluster node whose `CLUSTER NODES` answer (on the first connection) comes after the probe's
/// timeout: on a reused connection, `FT.INFO` would read it as its own answer, and the missing
/// module would vanish.
#[test]
fn a_late_reply_is_never_read_as_the_next_commands() {
    let server = Hostile::start(|call| {
        let nodes = format!(
            "e7d1 127.0.0.1:{}@1 myself,master - 0 0 1 connected 0-16383\n",
            call.port
        );
        if call.is("INFO") {
            Answer::now(bulk(&healthy_with(&[
                ("redis_mode", "cluster"),
                ("cluster_enabled", "1"),
            ])))
        } else if call.is("CLUSTER INFO") {
            Answer::now(bulk(&info(&[
                ("cluster_state", "ok"),
                ("cluster_slots_ok", "16384"),
            ])))
        } else if call.is("CLUSTER NODES") && call.connection == 0 {
            Answer::late(Duration::from_millis(1000), bulk(&nodes))
        } else if call.is("FT.INFO") {
            Answer::now(no_search_module())
        } else {
            Answer::now(error("ERR unknown command"))
        }
    });
    let target = server.address();
    let run = live::probe(&["--addr", &target, "--addr", &target, "--timeout", "700ms"], &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let lost = of(&run, "redis-unreachable");
    assert_eq!(lost.len(), 1, "{lost:?}");
    assert_eq!(
        lost[0].3,
        "CLUSTER NODES got no answer: no answer within the timeout"
    );
    let missing = of(&run, "search-module-missing");
    assert_eq!(missing.len(), 1, "{}", run.stdout);
    assert_eq!(missing[0].2, target);
    // FT.INFO went on a new connection.
    assert_eq!(server.connections(), 2);
}
