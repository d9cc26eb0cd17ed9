//! acp-check's merged values against Helm's own: `tools/helm/oracle.py` runs Helm v4.2.3's Go SDK
//! (the `helm-python-sdk` wheel in `target/test-tools/venv`, which `scripts/test.sh` installs) on a
//! chart this test writes, with an empty `values.yaml` and no templates but the oracle's
//! `{{ toJson .Values }}`, and the same `-f` files and `--set*` flags. For hand-picked cases (each
//! way acp-check once disagreed with Helm) and for generated ones (seeded: values files with maps,
//! lists, nulls, anchors, aliases, merge keys and several documents, and random flags), both must
//! give the same values, or both refuse them.
//!
//! A null key is dropped on both sides before comparing: acp-check drops them after merging, and
//! Helm keeps one only where the chart has no default (so `.Values.a` is nil either way). Numbers
//! are compared as Helm holds them, float64.
//!
//! A missing oracle fails the test with how to install it, unless `ACP_CHECK_SKIP_LIVE=1`.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde_json::{json, Value as J};

use crate::common::{lint_json, root, scratch, write};
use acp_check::input::{self, Options};

/// The oracle, one process answering case after case.
pub(crate) struct Oracle {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Oracle {
    /// `None` when the user chose to skip live tests.
    pub(crate) fn start() -> Option<Oracle> {
        let python = root().join("target/test-tools/venv/bin/python3");
        let loads = python.is_file()
            && Command::new(&python)
                .args(["-c", "import helm_python"])
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
        if !loads {
            if crate::live::skipped() {
                return None;
            }
            panic!(
                "Helm's SDK is missing from target/test-tools/venv: run `bash scripts/test.sh`, which installs \
                 it (pip helm-python-sdk==0.2.2), or set ACP_CHECK_SKIP_LIVE=1 to skip the live tests"
            );
        }
        let mut child = Command::new(&python)
            .arg(root().join("tools/helm/oracle.py"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start tools/helm/oracle.py");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Some(Oracle { child, stdin, stdout })
    }

    pub(crate) fn ask(&mut self, case: &J) -> J {
        writeln!(self.stdin, "{case}").unwrap();
        self.stdin.flush().unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("the oracle answered {line:?} ({e}) to {case}"))
    }
}

impl Drop for Oracle {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A chart with an empty `values.yaml` (chart defaults do not matter here), and optionally a
/// subchart `redis-cluster`, also without defaults.
fn chart(dir: &Path, with_subchart: bool) -> PathBuf {
    let chart = dir.join(if with_subchart { "umbrella" } else { "chart" });
    write(
        &chart,
        "Chart.yaml",
        "apiVersion: v2\nname: parity\nversion: 0.1.0\n",
    );
    write(&chart, "values.yaml", "");
    if with_subchart {
        write(
            &chart,
            "charts/redis-cluster/Chart.yaml",
            "apiVersion: v2\nname: redis-cluster\nversion: 0.1.0\n",
        );
        write(&chart, "charts/redis-cluster/values.yaml", "");
    }
    chart
}

/// One case: `-f` files (written under `dir`) and flags.
#[derive(Clone, Debug, Default)]
struct Case {
    files: Vec<String>,
    set: Vec<String>,
    set_string: Vec<String>,
    set_json: Vec<String>,
    set_literal: Vec<String>,
    /// The files are inputs, not `-f` files.
    as_inputs: bool,
}

impl Case {
    fn files(files: &[&str]) -> Case {
        Case {
            files: files.iter().map(|f| f.to_string()).collect(),
            ..Case::default()
        }
    }

    fn paths(&self, dir: &Path) -> Vec<String> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, text)| write(dir, &format!("values-{i}.yaml"), text))
            .collect()
    }

    fn oracle_case(&self, paths: &[String], chart: &Path) -> J {
        json!({
            "chart": chart,
            "values": paths,
            "set": self.set,
            "set_string": self.set_string,
            "set_json": self.set_json,
            "set_literal": self.set_literal,
        })
    }

    /// acp-check's merged user values, or why it refuses them.
    fn acp_check(&self, paths: &[String]) -> Result<J, String> {
        let mut options = Options {
            set: self.set.clone(),
            set_string: self.set_string.clone(),
            set_json: self.set_json.clone(),
            set_literal: self.set_literal.clone(),
            ..Options::default()
        };
        if self.as_inputs {
            options.inputs = paths.to_vec();
        } else {
            options.values = paths.to_vec();
        }
        let loaded = input::load(&options).map_err(|e| e.0)?;
        if let Some(problem) = loaded.problems.iter().find_map(|p| match p {
            acp_check::yaml::Problem::Syntax { message, .. } => Some(message.clone()),
            acp_check::yaml::Problem::DuplicateKey { .. } | acp_check::yaml::Problem::Template { .. } => None,
        }) {
            return Err(problem);
        }
        let mut values = J::Object(Default::default());
        for release in &loaded.deployment.releases {
            merge_json(&mut values, release.values.to_json());
        }
        Ok(normalize(values))
    }
}

/// Several inputs are several releases: as one values layer, in order (only the first-document and
/// merged-document tests use this, one input each).
fn merge_json(into: &mut J, from: J) {
    match (into, from) {
        (J::Object(a), J::Object(b)) => {
            for (k, v) in b {
                match a.get_mut(&k) {
                    Some(existing) if existing.is_object() && v.is_object() => merge_json(existing, v),
                    _ => {
                        a.insert(k, v);
                    }
                }
            }
        }
        (into, from) => *into = from,
    }
}

/// Numbers as float64, and no null map entries.
fn normalize(v: J) -> J {
    match v {
        J::Number(n) => json!(n.as_f64().unwrap()),
        J::Array(items) => J::Array(items.into_iter().map(normalize).collect()),
        J::Object(map) => J::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, normalize(v)))
                .collect(),
        ),
        other => other,
    }
}

/// What the comparison found.
enum Outcome {
    Agree,
    /// Both refuse the values.
    Refused,
    Unsure,
}

fn compare(oracle: &mut Oracle, dir: &Path, chart: &Path, case: &Case) -> Result<Outcome, String> {
    let paths = case.paths(dir);
    let helm = oracle.ask(&case.oracle_case(&paths, chart));
    if helm.get("unsure").is_some() {
        return Ok(Outcome::Unsure);
    }
    let ours = case.acp_check(&paths);
    let texts: Vec<&str> = case.files.iter().map(String::as_str).collect();
    match (&helm.get("values"), &ours) {
        (Some(values), Ok(ours)) => {
            let helm = normalize((*values).clone());
            if &helm == ours {
                Ok(Outcome::Agree)
            } else {
                Err(format!(
                    "{case:?}\nfiles: {texts:#?}\nHelm: {helm}\nacp-check: {ours}"
                ))
            }
        }
        (None, Err(e)) => {
            if std::env::var_os("SHOW_REFUSED").is_some() {
                eprintln!("refused: Helm: {} | acp-check: {e}", helm["error"]);
            }
            Ok(Outcome::Refused)
        }
        _ => Err(format!(
            "{case:?}\nfiles: {texts:#?}\nHelm: {helm}\nacp-check: {ours:?}"
        )),
    }
}

/// Helm's answer and acp-check's for one case, which must agree; both are given back.
fn agreed(oracle: &mut Oracle, dir: &Path, chart: &Path, case: &Case) -> (J, Result<J, String>) {
    let paths = case.paths(dir);
    let helm = oracle.ask(&case.oracle_case(&paths, chart));
    match compare(oracle, dir, chart, case) {
        Ok(Outcome::Agree | Outcome::Refused) => {}
        Ok(Outcome::Unsure) => panic!("the oracle is unsure of a hand-picked case: {helm}"),
        Err(e) => panic!("acp-check and Helm disagree:\n{e}"),
    }
    (helm, case.acp_check(&paths))
}

#[test]
fn merge_keys_win_where_they_are_written() {
    let Some(mut oracle) = Oracle::start() else { return };
    let dir = scratch("parity-merge-keys");
    let chart = chart(&dir, false);
    let base = "base: &b {nodes: 3, replicas: 1}\n";
    for (body, nodes) in [
        ("c:\n  <<: *b\n  nodes: 6\n", 6.0),
        ("c:\n  nodes: 6\n  <<: *b\n", 3.0),
        ("c:\n  nodes: 6\n  <<: [{nodes: 9}, *b]\n", 9.0),
        ("c: {nodes: 6, <<: *b, replicas: 2}\n", 3.0),
    ] {
        let case = Case::files(&[&format!("{base}{body}")]);
        let (helm, _) = agreed(&mut oracle, &dir, &chart, &case);
        assert_eq!(helm["values"]["c"]["nodes"].as_f64(), Some(nodes), "{body}");
    }
    // go-yaml v2 merges no alias of a list.
    let case = Case::files(&["l: &l [{a: 1}]\nc:\n  <<: *l\n"]);
    let (helm, ours) = agreed(&mut oracle, &dir, &chart, &case);
    assert!(helm["error"].as_str().unwrap().contains("map merge requires map"));
    assert!(ours.unwrap_err().contains("map merge requires map"));
}

#[test]
fn every_document_of_a_values_file_is_merged_as_helm_4_does() {
    let Some(mut oracle) = Oracle::start() else { return };
    let dir = scratch("parity-documents");
    let chart = chart(&dir, false);
    let multi = "a: {x: 1, w: 1}\nb: 1\n---\n# two\na: {w: 2}\n---\n---\nc: [1]\n...\n";
    for as_inputs in [false, true] {
        let case = Case {
            as_inputs,
            ..Case::files(&[multi])
        };
        let (helm, _) = agreed(&mut oracle, &dir, &chart, &case);
        assert_eq!(helm["values"], json!({"a": {"x": 1, "w": 2}, "b": 1, "c": [1]}));
    }
    // Text after a `...` line with no `---` line before it Helm does not read at all (go-yaml reads
    // one document of each piece YAMLReader splits at `---`): acp-check reports it, as libyaml
    // does, and reads nothing of the file. A deliberate difference: the text is lost on Helm.
    let case = Case::files(&["a: 1\n...\nb: 2\n"]);
    let paths = case.paths(&dir);
    assert_eq!(
        oracle.ask(&case.oracle_case(&paths, &chart))["values"],
        json!({"a": 1})
    );
    assert_eq!(
        case.acp_check(&paths).unwrap_err(),
        "did not find expected <document start>"
    );
    // Later files over earlier ones, document by document; anchors are a document's own.
    let _ = agreed(
        &mut oracle,
        &dir,
        &chart,
        &Case::files(&["a: {x: 1}\n---\na: 2\n", "a: {y: 3}\n---\nb: &x {k: v}\nc: *x\n"]),
    );
    for refused in [
        "a: &x 1\n---\nb: *x\n",
        "--- {a: 1}\n",
        "----\na: 1\n",
        "a: 1\n---\n- b\n",
    ] {
        let case = Case::files(&[refused]);
        let (helm, ours) = agreed(&mut oracle, &dir, &chart, &case);
        assert!(helm.get("error").is_some() && ours.is_err(), "{refused:?}");
    }
}

#[test]
fn files_helm_refuses_are_refused_with_helms_reason() {
    let Some(mut oracle) = Oracle::start() else { return };
    let dir = scratch("parity-refused");
    let chart = chart(&dir, false);
    for (text, helm_says, we_say) in [
        (
            "null: 1\n",
            "unsupported map key of type: %!s(<nil>)",
            "a null key",
        ),
        (
            "a:\n  ~: 1\n",
            "unsupported map key of type: %!s(<nil>)",
            "a null key",
        ),
        (
            "a: .nan\n",
            "json: unsupported value: NaN",
            "json: unsupported value: NaN",
        ),
        (
            "a: [-.inf]\n",
            "json: unsupported value: -Inf",
            "json: unsupported value: -Inf",
        ),
        (
            "- a\n",
            "cannot unmarshal array into Go value",
            "cannot unmarshal array into Go value",
        ),
        (
            "a string\n",
            "cannot unmarshal string into Go value",
            "cannot unmarshal string into Go value",
        ),
        (
            "7\n",
            "cannot unmarshal number into Go value",
            "cannot unmarshal number into Go value",
        ),
    ] {
        let (helm, ours) = agreed(&mut oracle, &dir, &chart, &Case::files(&[text]));
        let helm = helm["error"].as_str().unwrap().to_string();
        assert!(helm.contains(helm_says), "{text:?}: Helm says {helm}");
        let ours = ours.unwrap_err();
        assert!(ours.contains(we_say), "{text:?}: acp-check says {ours}");
    }
    // An empty file, a comment, an empty document: no values, no error.
    for text in ["", "# nothing\n", "~\n", "---\n"] {
        let (helm, _) = agreed(&mut oracle, &dir, &chart, &Case::files(&[text]));
        assert_eq!(helm["values"], json!({}), "{text:?}");
    }
    // Through the command line: a yaml-syntax finding at the place.
    let file = write(&dir, "nan.yaml", "redis-cluster:\n  cluster:\n    nodes: .nan\n");
    let out = lint_json(&[&file]);
    let f = out.first("yaml-syntax");
    assert_eq!(
        (f["location"]["line"].as_u64(), f["location"]["column"].as_u64()),
        (Some(3), Some(12))
    );
    assert!(f["message"].as_str().unwrap().contains("NaN"), "{f}");
}

#[test]
fn a_scalar_where_a_subchart_takes_a_mapping_fails_as_in_helm() {
    let Some(mut oracle) = Oracle::start() else { return };
    let dir = scratch("parity-subchart");
    let umbrella = chart(&dir, true);
    let file = "redis-cluster:\n  cluster:\n    nodes: 6\n";
    for flag in ["redis-cluster=5", "redis-cluster=null"] {
        let case = Case {
            set: vec![flag.into()],
            ..Case::files(&[file])
        };
        let paths = case.paths(&dir);
        let helm = oracle.ask(&case.oracle_case(&paths, &umbrella));
        let helm = helm["error"].as_str().unwrap_or_default().to_string();
        assert!(
            helm.starts_with("type mismatch on redis-cluster: %!t("),
            "{flag}: {helm}"
        );
        let ours = case.acp_check(&paths).unwrap_err();
        assert!(
            ours.contains(
                "--set #1:1:15: Helm fails on these values: \"type mismatch on redis-cluster: %!t("
            ) && ours.contains("values-0.yaml:1:1"),
            "{flag}: {ours}"
        );
    }
    // Helm's merge itself keeps the scalar: without a subchart there it is no error.
    let chart = chart(&dir, false);
    let case = Case {
        set: vec!["redis-cluster=5".into()],
        ..Case::files(&[file])
    };
    let paths = case.paths(&dir);
    assert_eq!(
        oracle.ask(&case.oracle_case(&paths, &chart))["values"],
        json!({"redis-cluster": 5})
    );
    // A key no subchart takes keeps the scalar in acp-check too.
    let case = Case {
        set: vec!["cluster=5".into()],
        ..Case::files(&["cluster:\n  nodes: 6\n"])
    };
    let _ = agreed(&mut oracle, &dir, &chart, &case);
}

#[test]
fn set_json_and_set_literal_parse_as_helm_4_parses_them() {
    let Some(mut oracle) = Oracle::start() else { return };
    let dir = scratch("parity-set-json");
    let chart = chart(&dir, false);
    let json_flags = [
        r#"a={"b": [1, 2.5, "x", null, true], "c": {}}"#,
        r#"a.b=1,a.c="x""#,
        r#"a=1 b=2"#,
        r#"a=,b=null"#,
        r#"a=01"#,
        r#"l[1]={"k": "v"}"#,
        r#"a="\u00e9\ud800""#,
        r#"{"a": {"b": 1}, "c": null}"#,
        r#"  {"a": [1]}  "#,
        r#"a={"b":1}x"#,
        r#"a=[1,]"#,
        r#"{"a": 1} x"#,
        r#"{"a": 1},"#,
        r#"a=tru"#,
    ];
    for flag in json_flags {
        let case = Case {
            set_json: vec![flag.into()],
            ..Case::files(&["a: {z: 1}\nl: [0]\n"])
        };
        let _ = agreed(&mut oracle, &dir, &chart, &case);
    }
    for flag in [
        "a.b=x,y=z",
        r"a=\,{1}",
        "a[1]=x",
        "a,b.c=1",
        "a=",
        "=x",
        "a.=1",
        "a[x]=1",
        "a.b",
    ] {
        let case = Case {
            set_literal: vec![flag.into()],
            ..Case::default()
        };
        let _ = agreed(&mut oracle, &dir, &chart, &case);
    }
    // Helm 4's order: -f, --set-json, --set, --set-string, --set-file, --set-literal.
    let case = Case {
        set_json: vec!["a=1,b=1,c=1,d=1".into()],
        set: vec!["b=2,c=2,d=2".into()],
        set_string: vec!["c=3,d=3".into()],
        set_literal: vec!["d=4".into()],
        ..Case::files(&["a: 0\nb: 0\nc: 0\nd: 0\n"])
    };
    let (helm, _) = agreed(&mut oracle, &dir, &chart, &case);
    assert_eq!(helm["values"], json!({"a": 1, "b": 2, "c": "3", "d": "4"}));
}

#[test]
fn set_json_and_set_literal_through_the_command_line() {
    // Located in the flag that set the value, and a bad one exits 2 with its column.
    let out = lint_json(&["--set-json", r#"redis-cluster={"cluster": {"nodes": "six"}}"#]);
    assert_eq!(
        out.findings_of(crate::common::INPUT_RULES),
        vec![("schema-type".into(), "--set-json #1".into(), 1, 37)]
    );
    let out = lint_json(&["--set-literal", "redis-cluster.cluster.nodes=6,7"]);
    assert_eq!(
        out.findings_of(crate::common::INPUT_RULES),
        vec![("schema-type".into(), "--set-literal #1".into(), 1, 29)]
    );
    let out = lint_json(&["--set-json", "a=[1,"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("--set-json #1 `a=[1,`: column 6: unexpected EOF"),
        "{}",
        out.stderr
    );
    // Secrets in them are masked in what is shown.
    let out = lint_json(&[
        "--set-json",
        r#"redis-cluster={"password": "hunter2", "cluster": {"nodes": "x"}}"#,
    ]);
    assert!(!out.stdout.contains("hunter2"), "{}", out.stdout);
    let out = lint_json(&[
        "--set-literal",
        "redis-cluster.password=hunter2,x",
        "--set",
        "redis-cluster.cluster.nodes=x",
    ]);
    assert!(!out.stdout.contains("hunter2"), "{}", out.stdout);
}

#[test]
fn a_finding_through_an_alias_points_at_the_alias() {
    let dir = scratch("parity-alias");
    let file = write(
        &dir,
        "values.yaml",
        "defaults: &x\n  cluster:\n    nodes: six\nredis-cluster: *x\n",
    );
    let out = lint_json(&[&file]);
    let f = out.first("schema-type");
    assert_eq!(
        (f["location"]["line"].as_u64(), f["location"]["column"].as_u64()),
        (Some(4), Some(16)),
        "{f}"
    );
}

/// Seeded xorshift.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const KEYS: &[&str] = &["a", "b", "c", "nodes", "x-y", "redis"];

/// A YAML document written by hand, as users write them: block mappings, flow lists and maps,
/// anchors, aliases and merge keys.
struct Writer<'r> {
    rng: &'r mut Rng,
    out: String,
    /// Anchors of this document so far, and whether each names a mapping.
    anchors: Vec<(String, bool)>,
    next_anchor: usize,
}

impl Writer<'_> {
    fn scalar(&mut self) -> String {
        self.rng
            .pick(&[
                "1", "2", "-3", "0", "1.5", "3.0", "x", "\"7\"", "yes", "~", "null", "true", "'a b'", "2e1",
                "0x10",
            ])
            .to_string()
    }

    fn flow(&mut self, depth: usize) -> String {
        match self.rng.below(if depth > 1 { 1 } else { 3 }) {
            0 => self.scalar(),
            1 => {
                let n = self.rng.below(3);
                let items: Vec<String> = (0..n).map(|_| self.flow(depth + 1)).collect();
                format!("[{}]", items.join(", "))
            }
            _ => {
                let n = self.rng.below(3);
                let items: Vec<String> = (0..n)
                    .map(|_| format!("{}: {}", self.rng.pick(KEYS), self.flow(depth + 1)))
                    .collect();
                format!("{{{}}}", items.join(", "))
            }
        }
    }

    /// A block mapping at `indent`.
    fn mapping(&mut self, indent: usize, depth: usize) {
        let n = 1 + self.rng.below(4);
        let pad = " ".repeat(indent);
        for _ in 0..n {
            let maps: Vec<String> = self.anchors.iter().filter(|a| a.1).map(|a| a.0.clone()).collect();
            if !maps.is_empty() && self.rng.chance(15) {
                let name = &maps[self.rng.below(maps.len())];
                if self.rng.chance(70) {
                    self.out.push_str(&format!("{pad}<<: *{name}\n"));
                } else {
                    let other = self.flow(2);
                    let other = if other.starts_with('{') {
                        other
                    } else {
                        "{}".into()
                    };
                    self.out.push_str(&format!("{pad}<<: [*{name}, {other}]\n"));
                }
                continue;
            }
            let key = self.rng.pick(KEYS);
            self.out.push_str(&format!("{pad}{key}:"));
            if !self.anchors.is_empty() && self.rng.chance(10) {
                let name = self.anchors[self.rng.below(self.anchors.len())].0.clone();
                self.out.push_str(&format!(" *{name}\n"));
                continue;
            }
            let anchor = if self.rng.chance(15) {
                self.next_anchor += 1;
                Some(format!("a{}", self.next_anchor))
            } else {
                None
            };
            let tag = anchor.as_ref().map(|a| format!(" &{a}")).unwrap_or_default();
            match self.rng.below(if depth > 2 { 2 } else { 4 }) {
                0 => {
                    let value = self.scalar();
                    self.out.push_str(&format!("{tag} {value}\n"));
                    if let Some(a) = anchor {
                        self.anchors.push((a, false));
                    }
                }
                1 => {
                    let value = self.flow(1);
                    self.out.push_str(&format!("{tag} {value}\n"));
                    if let Some(a) = anchor {
                        self.anchors.push((a, value.starts_with('{')));
                    }
                }
                2 => {
                    self.out.push_str(&format!("{tag}\n"));
                    for _ in 0..1 + self.rng.below(3) {
                        let item = self.flow(2);
                        self.out.push_str(&format!("{pad}  - {item}\n"));
                    }
                    if let Some(a) = anchor {
                        self.anchors.push((a, false));
                    }
                }
                _ => {
                    self.out.push_str(&format!("{tag}\n"));
                    self.mapping(indent + 2, depth + 1);
                    if let Some(a) = anchor {
                        self.anchors.push((a, true));
                    }
                }
            }
        }
    }
}

fn values_file(rng: &mut Rng) -> String {
    let documents = 1 + rng.below(3);
    let mut text = String::new();
    for i in 0..documents {
        if i > 0 || rng.chance(20) {
            text.push_str(if rng.chance(80) { "---\n" } else { "--- # next\n" });
        }
        if rng.chance(10) {
            text.push_str("# only a comment\n");
            continue;
        }
        let mut writer = Writer {
            rng: &mut *rng,
            out: String::new(),
            anchors: Vec::new(),
            next_anchor: 0,
        };
        writer.mapping(0, 0);
        text.push_str(&writer.out);
    }
    text
}

fn path(rng: &mut Rng) -> String {
    let mut p = rng.pick(KEYS).to_string();
    for _ in 0..rng.below(3) {
        if rng.chance(25) {
            p.push_str(&format!("[{}]", rng.below(3)));
        } else {
            p.push('.');
            p.push_str(rng.pick(KEYS));
        }
    }
    p
}

fn flags(rng: &mut Rng, case: &mut Case) {
    for _ in 0..rng.below(4) {
        match rng.below(4) {
            0 => {
                let pairs: Vec<String> = (0..1 + rng.below(2))
                    .map(|_| {
                        let value = rng.pick(&["1", "x", "null", "true", "{1,2}", "", "007", "{}"]);
                        format!("{}={value}", path(rng))
                    })
                    .collect();
                case.set.push(pairs.join(","));
            }
            1 => {
                let value = rng.pick(&["1", "x", "null", "{a,b}"]);
                case.set_string.push(format!("{}={value}", path(rng)));
            }
            2 => {
                if rng.chance(30) {
                    let inner = rng.pick(&[
                        r#"{"a": {"b": 2}}"#,
                        r#"{"nodes": null, "c": [1]}"#,
                        r#"{"redis": {"x-y": "z"}}"#,
                    ]);
                    case.set_json.push(inner.into());
                } else {
                    let value = rng.pick(&[
                        "1",
                        r#""s""#,
                        "null",
                        "[1, {\"a\": 2}]",
                        r#"{"b": {"c": 3}}"#,
                        "",
                        "2.5",
                    ]);
                    case.set_json.push(format!("{}={value}", path(rng)));
                }
            }
            _ => {
                let value = rng.pick(&["v", "a,b", "1", "x=y"]);
                case.set_literal.push(format!("{}={value}", path(rng)));
            }
        }
    }
}

#[test]
fn generated_values_and_flags_merge_as_in_helm() {
    let Some(mut oracle) = Oracle::start() else { return };
    let dir = scratch("parity-generated");
    let chart = chart(&dir, false);
    let mut rng = Rng(0x5eed_1234_abcd_9876);
    let (mut agreed, mut refused, mut unsure, mut disagreements) = (0, 0, 0, Vec::new());
    let started = std::time::Instant::now();
    for _ in 0..300 {
        let mut case = Case::default();
        for _ in 0..1 + rng.below(3) {
            case.files.push(values_file(&mut rng));
        }
        if rng.chance(60) {
            flags(&mut rng, &mut case);
        }
        match compare(&mut oracle, &dir, &chart, &case) {
            Ok(Outcome::Agree) => agreed += 1,
            Ok(Outcome::Refused) => refused += 1,
            Ok(Outcome::Unsure) => unsure += 1,
            Err(e) => disagreements.push(e),
        }
    }
    eprintln!(
        "{agreed} cases give the same values, {refused} are refused by both, {unsure} the oracle could not \
         compute, in {:?}",
        started.elapsed()
    );
    assert!(
        disagreements.is_empty(),
        "{} disagreements; the first:\n{}",
        disagreements.len(),
        disagreements[0]
    );
    assert!(
        agreed >= 150 && refused >= 10,
        "only {agreed} cases compared and {refused} refused ({unsure} unsure)"
    );
}
