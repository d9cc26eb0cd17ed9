//! `acp-check probe` against hostile servers (tests/it/hostile.rs): servers that answer `+OK` to
//! everything, send bytes that are not text, answer late, announce a hundred thousand nodes, are
//! all slow, or report versions and numbers no arithmetic should trust. What a user sees: the rule,
//! the message, the exit code, and that the probe ends within its bounds.
//!
//! Loopback only: every address here is 127.0.0.1 on a port a test server bound, or a name under
//! `.invalid`.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use crate::common::Run;
use crate::hostile::{
    array, bulk, error, healthy_with, info, no_index, no_search_module, status, Answer, Call, Hostile,
};
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

/// A standalone Redis 6.2.14 with RediSearch and no index yet, healthy but for `fields` of its
/// `INFO`.
fn standalone(fields: &[(&str, &str)]) -> Hostile {
    let text = healthy_with(fields);
    Hostile::start(move |call| {
        Answer::now(if call.is("INFO") {
            bulk(&text)
        } else if call.is("FT.INFO") {
            no_index()
        } else {
            error("ERR unknown command")
        })
    })
}

#[test]
fn a_server_answering_ok_to_everything_is_not_taken_for_redis() {
    let server = Hostile::start(|_| Answer::now(status("OK")));
    let target = server.address();
    for password in [None, Some("Hostile-Pw-1")] {
        let mut args = vec!["--addr", target.as_str()];
        let mut env = vec![];
        if let Some(pw) = password {
            args.extend(["--password-env", "PW"]);
            env.push(("PW", pw));
        }
        let run = live::probe(&args, &env);
        assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
        let got = findings(&run);
        assert_eq!(got.len(), 1, "{got:?}");
        let (rule, severity, on, message) = &got[0];
        assert_eq!((rule.as_str(), severity.as_str()), ("redis-unreachable", "error"));
        assert_eq!(on, &target);
        assert_eq!(
            message,
            "the server answers, but not as Redis does: INFO answered `+OK`"
        );
    }
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

/// A node of a cluster of `nodes`, on 127.0.0.1: its `INFO`, `CLUSTER INFO` and `FT.INFO`
/// (no index yet) are a healthy cluster's; `CLUSTER NODES` is `nodes` on the seed, its own
/// line elsewhere.
fn cluster_node(call: &Call, seed: u16, nodes: &str) -> Vec<u8> {
    if call.is("INFO") {
        bulk(&healthy_with(&[
            ("redis_mode", "cluster"),
            ("cluster_enabled", "1"),
        ]))
    } else if call.is("CLUSTER INFO") {
        bulk(&info(&[("cluster_state", "ok"), ("cluster_slots_ok", "16384")]))
    } else if call.is("CLUSTER NODES") && call.port == seed {
        bulk(nodes)
    } else if call.is("CLUSTER NODES") {
        bulk(&format!(
            "n{0} 127.0.0.1:{0}@1 myself,master - 0 0 1 connected\n",
            call.port
        ))
    } else if call.is("FT.INFO") {
        no_index()
    } else {
        error("ERR unknown command")
    }
}

/// `CLUSTER NODES` of the seed on `ports[0]`: itself, the other ports, then `.invalid` names up
/// to `total` lines.
fn announce(ports: &[u16], total: usize) -> String {
    let mut text = format!(
        "n{0} 127.0.0.1:{0}@1 myself,master - 0 0 1 connected 0-16383\n",
        ports[0]
    );
    for port in &ports[1..] {
        text.push_str(&format!("n{port} 127.0.0.1:{port}@1 master - 0 0 1 connected\n"));
    }
    for i in ports.len()..total {
        text.push_str(&format!("x{i} n{i}.invalid:6379@1 master - 0 0 1 connected\n"));
    }
    text
}

/// A server that announces 100,000 nodes makes the probe connect to at most `--max-nodes`
/// (default 500) of them, and says so.
#[test]
fn a_cluster_announcing_100000_nodes_is_probed_up_to_max_nodes() {
    let seed_nodes: Arc<OnceLock<(u16, String)>> = Arc::new(OnceLock::new());
    let nodes = seed_nodes.clone();
    let server = Hostile::start_many(600, move |call| {
        let (seed, text) = nodes.get().expect("written before the probe starts");
        Answer::now(cluster_node(call, *seed, text))
    });
    seed_nodes
        .set((server.ports[0], announce(&server.ports, 100_000)))
        .unwrap();
    let seed = server.address();

    let started = Instant::now();
    let run = live::probe(&["--addr", &seed, "--addr", &seed, "--timeout", "2s"], &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let capped = of(&run, "cluster-state-fail");
    assert_eq!(capped.len(), 1, "{capped:?}");
    assert_eq!(capped[0].2, seed);
    assert_eq!(
        capped[0].3,
        "CLUSTER NODES lists 100000 nodes, more than --max-nodes 500: only the first 500 were probed"
    );
    // The seed twice (once per --addr), then 499 others: never a `.invalid` one.
    assert!(
        server.connections() <= 501,
        "{} connections",
        server.connections()
    );
    let probed = run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "search-index-missing")
        .count();
    assert_eq!(probed, 500);
    assert!(!run.stdout.contains(".invalid"), "a .invalid node was probed");
    assert!(started.elapsed() < Duration::from_secs(30));

    let before = server.connections();
    let run = live::probe(&["--addr", &seed, "--addr", &seed, "--max-nodes", "20"], &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(of(&run, "cluster-state-fail")[0]
        .3
        .contains("more than --max-nodes 20: only the first 20 were probed"));
    assert!(server.connections() - before <= 21);
}

/// 64 nodes that each take most of the timeout for every answer: without a whole-probe deadline
/// the probe takes a dozen seconds; with `--deadline` (default 10 × --timeout) it ends by it, and
/// reports the nodes it had no time for.
#[test]
fn sixty_four_slow_nodes_end_by_the_deadline() {
    let seed_nodes: Arc<OnceLock<(u16, String)>> = Arc::new(OnceLock::new());
    let nodes = seed_nodes.clone();
    let server = Hostile::start_many(65, move |call| {
        let (seed, text) = nodes.get().expect("written before the probe starts");
        let answer = cluster_node(call, *seed, text);
        if call.port == *seed {
            Answer::now(answer)
        } else {
            Answer::late(Duration::from_millis(400), answer)
        }
    });
    seed_nodes
        .set((server.ports[0], announce(&server.ports, 65)))
        .unwrap();
    let seed = server.address();

    for (args, bound) in [
        // The default deadline: 10 × 500ms.
        (vec!["--timeout", "500ms"], Duration::from_secs(5)),
        (
            vec!["--timeout", "500ms", "--deadline", "2s"],
            Duration::from_secs(2),
        ),
    ] {
        let mut all = vec!["--addr", seed.as_str(), "--addr", seed.as_str()];
        all.extend(args.iter().copied());
        let started = Instant::now();
        let run = live::probe(&all, &[]);
        let took = started.elapsed();
        assert!(
            took < bound + Duration::from_millis(2500),
            "{args:?}: took {took:?}, deadline {bound:?}"
        );
        assert_eq!(run.code, 1, "{}", run.stderr);
        let unreachable = of(&run, "redis-unreachable");
        let shown = format!("--deadline {}s", bound.as_secs());
        let not_probed = unreachable
            .iter()
            .find(|f| f.3.contains("not probed: the probe's deadline"))
            .unwrap_or_else(|| panic!("{args:?}: {unreachable:?}"));
        assert!(not_probed.3.contains(&shown), "{not_probed:?}");
        // Every node is accounted for: probed (maybe cut short) or listed as not probed.
        let count: usize = not_probed.3.split(' ').next().unwrap().parse().unwrap();
        let probed = run.json()["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["target"].as_str())
            .filter(|t| *t != seed)
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        assert_eq!(count + probed, 64, "{}", run.stdout);
    }
}

/// `--wait` never starts an attempt it cannot finish, and the last attempt gets what is left: the
/// whole wait ends by its end.
#[test]
fn wait_ends_by_its_end() {
    // Redis 7.0 (unsupported: every attempt fails), 900 ms for each of its three answers.
    let server = Hostile::start(|call| {
        let answer = if call.is("INFO") {
            bulk(&healthy_with(&[
                ("redis_version", "7.0.15"),
                ("aof_enabled", "0"),
            ]))
        } else if call.is("FT.INFO") {
            no_search_module()
        } else if call.is("CONFIG GET") {
            array(&[bulk("save"), bulk("3600 1")])
        } else {
            error("ERR unknown command")
        };
        Answer::late(Duration::from_millis(900), answer)
    });
    let started = Instant::now();
    let run = live::probe(
        &["--addr", &server.address(), "--wait", "4s", "--timeout", "1s"],
        &[],
    );
    let took = started.elapsed();
    assert!(took < Duration::from_millis(4900), "took {took:?}");
    assert_eq!(run.code, 1, "{}", run.stderr);
    let unreachable = of(&run, "redis-unreachable");
    assert!(
        unreachable.iter().any(|f| f
            .3
            .contains("got no answer before the probe's deadline (--wait 4s)")),
        "{unreachable:?}"
    );
}

#[test]
fn versions_that_cannot_be_read_are_said_never_judged() {
    for version in ["6.2.99999999999999999999", "banana", "99999999999999999999.0.0"] {
        let server = standalone(&[("redis_version", version)]);
        let run = live::probe(&["--addr", &server.address()], &[]);
        assert_eq!(run.code, 0, "a warning: {}", run.stdout);
        let got = findings(&run);
        assert!(
            got.iter()
                .all(|f| !f.0.starts_with("redis-version-") || f.0 == "redis-version-unknown"),
            "{version}: {got:?}"
        );
        let unknown = of(&run, "redis-version-unknown");
        assert_eq!(unknown.len(), 1, "{version}: {got:?}");
        assert_eq!(unknown[0].1, "warning");
        assert_eq!(
            unknown[0].3,
            format!("the server reports redis_version `{version}`, which is not a version acp-check can read: the version policy was not checked")
        );
    }
}

#[test]
fn memory_near_u64_max_is_nearly_full_and_unreadable_numbers_are_said() {
    let server = standalone(&[
        ("maxmemory", "18446744073709551615"),
        ("used_memory", "18446744073709551000"),
    ]);
    let run = live::probe(&["--addr", &server.address()], &[]);
    let full = of(&run, "memory-nearly-full");
    assert_eq!(full.len(), 1, "{}", run.stdout);
    assert_eq!(full[0].1, "warning");
    assert!(full[0].3.starts_with("99% of maxmemory"), "{full:?}");

    let server = standalone(&[("maxmemory", "99999999999999999999999")]);
    let run = live::probe(&["--addr", &server.address()], &[]);
    let unread = of(&run, "memory-nearly-full");
    assert_eq!(unread.len(), 1, "{}", run.stdout);
    assert_eq!(unread[0].1, "info");
    assert_eq!(
        unread[0].3,
        "INFO's maxmemory `99999999999999999999999` is not a number of bytes: memory use was not checked"
    );
}

/// `CLUSTER INFO` and `CLUSTER NODES` must have the shapes Redis gives them.
#[test]
fn cluster_replies_without_their_shape_are_not_redis() {
    let server = Hostile::start(|call| {
        Answer::now(if call.is("INFO") {
            bulk(&healthy_with(&[
                ("redis_mode", "cluster"),
                ("cluster_enabled", "1"),
            ]))
        } else if call.is("CLUSTER INFO") {
            bulk("hello\r\n")
        } else if call.is("CLUSTER NODES") {
            bulk("hello world\n")
        } else {
            no_index()
        })
    });
    let target = server.address();
    let run = live::probe(&["--addr", &target, "--addr", &target], &[]);
    assert_eq!(run.code, 1);
    let messages: Vec<String> = of(&run, "redis-unreachable").into_iter().map(|f| f.3).collect();
    assert_eq!(
        messages,
        [
            "the server answers, but not as Redis does: CLUSTER INFO answered a text without `cluster_state` and a number of `cluster_slots_ok`",
            "the server answers, but not as Redis does: CLUSTER NODES answered line 1 is not a node (fewer than 8 fields)",
        ],
        "{}",
        run.stdout
    );
    assert!(of(&run, "cluster-state-fail").is_empty(), "{}", run.stdout);
}

/// Valkey answers `redis_version:7.2.4` whatever its own version: it is a Redis-protocol server,
/// judged by that version (Valkey's own policy is another issue).
#[test]
fn a_valkey_server_is_judged_by_the_redis_version_it_reports() {
    let server = standalone(&[
        ("redis_version", "7.2.4"),
        ("server_name", "valkey"),
        ("valkey_version", "9.1.2"),
    ]);
    let run = live::probe(&["--addr", &server.address()], &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let rules: Vec<String> = findings(&run).into_iter().map(|f| f.0).collect();
    assert_eq!(rules, ["redis-version-unsupported", "search-index-missing"]);
}
