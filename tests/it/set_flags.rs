//! `--set`, `--set-string` and `--set-file` through the command line: every form of Helm's syntax,
//! Helm's order of application, and findings located in the flag that set the value.

use crate::common::{lint_json, scratch, write, INPUT_RULES};

fn finding(args: &[&str]) -> (String, String, u64, u64) {
    let out = lint_json(args);
    let findings = out.findings_of(INPUT_RULES);
    assert_eq!(findings.len(), 1, "{args:?}: {}", out.stdout);
    findings.into_iter().next().unwrap()
}

#[test]
fn a_bad_value_is_located_in_its_flag() {
    let f = finding(&["--set", "redis-cluster.cluster.nodes=six"]);
    assert_eq!(f, ("schema-type".into(), "--set #1".into(), 1, 29));
}

#[test]
fn a_flag_overriding_a_file_is_blamed_not_the_file() {
    let dir = scratch("set-over-file");
    let good = write(&dir, "values.yaml", "redis-cluster:\n  cluster:\n    nodes: 6\n");
    let out = lint_json(&[
        "-f",
        &good,
        "--set",
        "redis-cluster.image.tag=6.2.14",
        "--set",
        "redis-cluster.cluster.nodes=six",
    ]);
    assert_eq!(
        out.findings_of(INPUT_RULES),
        vec![("schema-type".into(), "--set #2".into(), 1, 29)]
    );
    assert_eq!(
        out.first("schema-type")["location"]["path"],
        "/redis-cluster/cluster/nodes"
    );
    assert_eq!(out.code, 1);
}

#[test]
fn set_types_values_and_set_string_does_not() {
    assert!(lint_json(&["--set", "redis-cluster.cluster.nodes=6"])
        .findings_of(INPUT_RULES)
        .is_empty());
    // A string of digits is what the chart turns into a number anyway: Helm renders 6 nodes.
    assert!(lint_json(&["--set-string", "redis-cluster.cluster.nodes=6"])
        .findings_of(INPUT_RULES)
        .is_empty());
    // `--set` types an integer, `--set-string` does not: an image tag shows the difference.
    let f = finding(&["--set", "redis-cluster.image.tag=620"]);
    assert_eq!(f, ("schema-type".into(), "--set #1".into(), 1, 25));
    assert!(lint_json(&["--set-string", "redis-cluster.image.tag=620"])
        .findings_of(INPUT_RULES)
        .is_empty());
    // `--set` keeps 6.2 a string (only integers and true/false/null are typed), so no numeric-version.
    assert!(lint_json(&["--set", "redis-cluster.image.tag=6.2"])
        .findings_of(INPUT_RULES)
        .is_empty());
    // true/false are typed in any letter case.
    let f = finding(&["--set", "redis-cluster.redis.useAOFPersistence=TRUE"]);
    assert_eq!(f.0, "schema-type");
}

#[test]
fn comma_separated_pairs_and_each_pair_located() {
    let out = lint_json(&[
        "--set",
        "redis-cluster.cluster.nodes=6,redis-cluster.cluster.replica=1",
    ]);
    assert_eq!(
        out.findings_of(INPUT_RULES),
        vec![("unknown-key".into(), "--set #1".into(), 1, 53)]
    );
}

#[test]
fn indexes_and_lists() {
    let f = finding(&[
        "--set",
        "acp.redis.addrs={redis-cluster-headless:6379,redis-cluster-headless}",
    ]);
    assert_eq!(f, ("schema-type".into(), "--set #1".into(), 1, 46));
    let f = finding(&["--set", "acp.redis.addrs[0]=a:1,acp.redis.addrs[1]=c"]);
    assert_eq!(
        f,
        ("schema-type".into(), "--set #1".into(), 1, 43),
        "addrs[1]=c has no port"
    );
    let out = lint_json(&["--set", "acp.redis.addrs[1]=b:1,acp.redis.addrs[0]=a:1"]);
    assert!(out.findings_of(INPUT_RULES).is_empty(), "{}", out.stdout);
}

#[test]
fn escaped_dots_stay_in_the_key() {
    let out = lint_json(&["--set", "redis-cluster.cluster.no\\.des=1"]);
    assert_eq!(out.input_rules(), vec!["unknown-key"]);
    assert_eq!(
        out.first("unknown-key")["location"]["path"],
        "/redis-cluster/cluster/no.des"
    );
    // A free-form map takes any key, dots included.
    assert!(lint_json(&[
        "--set",
        "redis-cluster.commonAnnotations.team\\.example\\.com/owner=identity"
    ])
    .findings_of(INPUT_RULES)
    .is_empty());
}

#[test]
fn set_applies_onto_file_values_and_null_deletes() {
    let dir = scratch("set-onto-file");
    let bad = write(&dir, "values.yaml", "redis-cluster:\n  image:\n    pullPolicy: Sometimes\nacp:\n  redis:\n    addrs:\n      - redis-cluster-headless:6379\n      - redis-cluster-headless\n");
    assert_eq!(
        lint_json(&["-f", &bad]).input_rules(),
        vec!["schema-type", "schema-type"]
    );
    // null deletes the bad key; an index changes one item and keeps the others.
    let out = lint_json(&[
        "-f",
        &bad,
        "--set",
        "redis-cluster.image.pullPolicy=null,acp.redis.addrs[1]=redis-cluster-headless:6379",
    ]);
    assert_eq!(out.findings_of(INPUT_RULES), vec![], "{}", out.stdout);
}

#[test]
fn helm_applies_set_then_set_string_then_set_file() {
    let dir = scratch("set-order");
    let nodes = write(&dir, "nodes.txt", "six");
    // --set-string comes first on the command line but Helm applies it after --set: it wins.
    let out = lint_json(&[
        "--set-string",
        "redis-cluster.cluster.nodes=six",
        "--set",
        "redis-cluster.cluster.nodes=6",
    ]);
    assert_eq!(
        out.findings_of(INPUT_RULES),
        vec![("schema-type".into(), "--set-string #1".into(), 1, 29)]
    );
    // --set-file applies last, and its value (the file's content) is a string.
    let arg = format!("redis-cluster.cluster.nodes={nodes}");
    let out = lint_json(&["--set-file", &arg, "--set", "redis-cluster.cluster.nodes=6"]);
    assert_eq!(
        out.findings_of(INPUT_RULES),
        vec![("schema-type".into(), "--set-file #1".into(), 1, 29)]
    );
}

#[test]
fn set_file_reads_the_file() {
    let dir = scratch("set-file");
    let conf = write(
        &dir,
        "redis.conf",
        "loadmodule /redismodules/redisearch.so\nmaxmemory-policy noeviction\n",
    );
    let arg = format!("redis-cluster.redis.configmap={conf}");
    assert!(lint_json(&["--set-file", &arg])
        .findings_of(INPUT_RULES)
        .is_empty());
    let out = lint_json(&[
        "--set-file",
        "redis-cluster.redis.configmap=/nonexistent/redis.conf",
    ]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--set-file #1"), "{}", out.stderr);
}

#[test]
fn malformed_flags_exit_2_with_helms_message_and_a_column() {
    for (arg, words) in [
        ("redis-cluster.cluster.nodes", "has no value"),
        ("a.b=1,c", "key \"c\" has no value"),
        ("a[x]=1", "column"),
        ("a[-1]=1", "negative"),
        ("a[70000]=1", "greater than maximum supported index"),
    ] {
        let out = lint_json(&["--set", arg]);
        assert_eq!(out.code, 2, "{arg}");
        assert!(
            out.stderr.contains("--set #1") && out.stderr.contains(words),
            "{arg}: {}",
            out.stderr
        );
        assert!(out.stdout.is_empty());
    }
}
