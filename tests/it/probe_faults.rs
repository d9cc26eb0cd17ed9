//! The probe under faults, with real servers behind loopback forwarders that break the transport:
//! a cluster node killed during the probe, a server that closes the connection mid-reply, a server
//! that answers slowly near the timeout. The probe reports each on the right node and never hangs
//! (the test's own guard fails it after a minute; the probe's bound is its --timeout).

use crate::common;
use crate::live;

use std::time::Duration;

use crate::live::{Cluster, Fault, PASSWORD};

/// `acp-check probe ARGS` in JSON, with the servers' password.
fn probe(args: &[&str]) -> common::Run {
    let mut all = vec!["--password-env", "REDIS_PW"];
    all.extend_from_slice(args);
    live::probe(&all, &[("REDIS_PW", PASSWORD)])
}

fn findings(run: &common::Run) -> Vec<(String, String, String)> {
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["target"].as_str().unwrap_or("").to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn standalone_with_module(name: &str) -> live::Server {
    let dir = live::workdir(name);
    live::with_module(false, &dir, &["--appendonly", "yes", "--requirepass", PASSWORD])
}

#[test]
fn a_node_killed_during_the_probe_is_that_node_down() {
    if live::skipped() {
        return;
    }
    let cluster = Cluster::start("killed-during");
    let (master, _) = cluster.shards()[1];
    let pid = cluster.nodes.iter().find(|n| n.port == master).unwrap().pid();
    // The probe reaches this master through a forwarder that kills it as the first command arrives.
    let via = live::faulty_forward(
        master,
        Fault::OnFirstCommand(Box::new(move || {
            let _ = std::process::Command::new("kill")
                .args(["-9", &pid.to_string()])
                .status();
            std::thread::sleep(Duration::from_millis(100));
        })),
    );
    let seed = cluster.nodes.iter().find(|n| n.port != master).unwrap().address();
    let run = probe(&[
        "--addr",
        &seed,
        "--addr",
        &seed,
        "--timeout",
        "2s",
        "--map",
        &format!("127.0.0.1:{master}=127.0.0.1:{via}"),
    ]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let got = findings(&run);
    let dead = format!("127.0.0.1:{master} (via 127.0.0.1:{via})");
    let on_dead: Vec<_> = got.iter().filter(|f| f.1 == dead).collect();
    assert_eq!(on_dead.len(), 1, "{got:?}");
    assert_eq!(on_dead[0].0, "redis-unreachable", "{got:?}");
    assert!(on_dead[0].2.contains("went down during the probe"), "{got:?}");
    // The other nodes were probed and are fine (the cluster has not noticed yet, or has failed over),
    // but for Debian's RediSearch, which has no coordinator.
    assert!(
        got.iter().all(|f| f.1 == dead
            || [
                "search-index-missing",
                "cluster-state-fail",
                "search-module-incompatible"
            ]
            .contains(&f.0.as_str())),
        "{got:?}"
    );
}

#[test]
fn a_server_that_closes_the_connection_mid_reply() {
    if live::skipped() {
        return;
    }
    let server = standalone_with_module("cut");
    // `+OK\r\n` to AUTH, then 100 bytes of the INFO reply, then the connection closes.
    let via = live::faulty_forward(server.port, Fault::CutAfter(5 + 100));
    let target = format!("127.0.0.1:{via}");
    let run = probe(&["--addr", &target, "--timeout", "2s"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let got = findings(&run);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, "redis-unreachable");
    assert_eq!(got[0].1, target);
    assert!(
        got[0]
            .2
            .contains("INFO got no answer: the server closed the connection in the middle of its reply"),
        "{got:?}"
    );
}

#[test]
fn a_slow_server_near_the_timeout() {
    if live::skipped() {
        return;
    }
    let server = standalone_with_module("slow");
    // Every answer held 600ms: within a 1.5s timeout it passes, within 400ms it does not.
    let via = live::faulty_forward(server.port, Fault::Delay(Duration::from_millis(600)));
    let target = format!("127.0.0.1:{via}");
    let run = probe(&["--addr", &target, "--timeout", "1500ms"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(
        findings(&run).iter().map(|f| f.0.as_str()).collect::<Vec<_>>(),
        ["search-index-missing"]
    );

    let run = probe(&["--addr", &target, "--timeout", "400ms"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let got = findings(&run);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, "redis-unreachable");
    assert!(got[0].2.contains("did not answer within 400ms"), "{got:?}");
}
