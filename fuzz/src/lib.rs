//! What each fuzz target checks. The targets in `fuzz_targets/` call these functions, and so does the
//! normal test suite (`tests/it/fuzz_corpus.rs` includes this file), which replays the seed corpus and
//! every crash ever found: a fuzz finding stays fixed without anyone running the fuzzer.
//!
//! Every function panics when an invariant breaks; returning means the input passed.

use std::ops::Range;
use std::path::{Path, PathBuf};

use acp_check::config::Config;
use acp_check::core::source::{Origin, Source, SourceId, Span};
use acp_check::input::{self, set, Options};
use acp_check::model::Kind;
use acp_check::report::{human::Human, json::Json, Reporter};
use acp_check::tree::merge;
use acp_check::tree::{Map, Node, Value};
use acp_check::yaml::{self, Problem, MAX_ALIAS_NODES, MAX_DEPTH};

/// The YAML reader catches its library's panics and reports them as findings (see `yaml::parse`);
/// libFuzzer's panic hook would abort on them first, so it is told to let those pass.
fn quiet_library_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !yaml::in_yaml_library() {
                previous(info);
            }
        }));
    });
}

/// A range is inside `text` and starts and ends on character boundaries.
fn assert_in(text: &str, range: Range<usize>, what: &str) {
    assert!(
        range.start <= range.end && range.end <= text.len(),
        "{what}: {range:?} is outside a text of {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(range.start) && text.is_char_boundary(range.end),
        "{what}: {range:?} cuts a character"
    );
}

/// Every key and value span of a tree lies in the text of its source; returns the depth and node count.
fn assert_tree<'t>(node: &Node, texts: &dyn Fn(SourceId) -> Option<&'t str>) -> (usize, usize) {
    let text = texts(node.span.source).unwrap_or_else(|| panic!("a node of an unknown source: {node:?}"));
    assert_in(text, node.span.range(), "node span");
    let (mut depth, mut count) = (0, 1);
    match &node.value {
        Value::Seq(items) => {
            for item in items {
                let (d, c) = assert_tree(item, texts);
                depth = depth.max(d);
                count += c;
            }
        }
        Value::Map(map) => {
            for entry in &map.entries {
                let key_text = texts(entry.key_span.source).expect("a key of an unknown source");
                assert_in(key_text, entry.key_span.range(), "key span");
                let (d, c) = assert_tree(&entry.value, texts);
                depth = depth.max(d);
                count += c;
            }
        }
        _ => {}
    }
    (depth + 1, count)
}

/// What the loader does with a source's secrets, and what every report does with the result.
fn exercise_source(source: &Source, points: &[usize]) {
    let redacted = source.redacted();
    for &at in points {
        let (line, column) = source.line_col(at);
        assert!(line >= 1 && column >= 1);
        let mapped = redacted.offset(at);
        assert!(mapped <= redacted.text.len(), "a redacted offset past the end");
    }
}

/// YAML loading: decoding raw bytes, then parsing every document with the limits.
pub fn yaml(data: &[u8]) {
    quiet_library_panics();
    let text = match yaml::decode(data.to_vec()) {
        Ok(text) => text,
        Err((at, message, shown)) => {
            assert!(!message.is_empty());
            // The position is where the bad byte is, in the text shown to the user: what comes
            // before it is shown unchanged.
            assert!(at <= data.len(), "decode error at {at}, past the end");
            assert!(
                at <= shown.len() && shown.is_char_boundary(at),
                "decode error at {at} is not a position in the text shown"
            );
            assert_eq!(
                &shown.as_bytes()[..at],
                &data[..at],
                "the text before the error is changed"
            );
            let mut source = Source::new("f".into(), Origin::File, shown);
            for secret in acp_check::core::redact::secrets_in_lines(&source.text) {
                assert_in(&source.text, secret.clone(), "secret in undecodable text");
                source.redact(secret);
            }
            exercise_source(&source, &[at]);
            return;
        }
    };
    let id = SourceId(0);
    // The fast reader of plain values files reads what it accepts exactly as libyaml does.
    if let Some(fast) = yaml::parse_simple(id, &text) {
        let libyaml = yaml::parse_with_libyaml(id, &text);
        assert_eq!(
            format!("{fast:?}"),
            format!("{libyaml:?}"),
            "the fast YAML reader and libyaml disagree"
        );
    }
    let parsed = yaml::parse(id, &text);
    let mut points = Vec::new();
    for problem in &parsed.problems {
        match problem {
            Problem::Syntax {
                span,
                message,
                context,
            } => {
                assert!(!message.is_empty());
                assert_eq!(span.source, id);
                assert_in(&text, span.range(), "syntax problem");
                points.push(span.start as usize);
                if let Some((span, what)) = context {
                    assert!(!what.is_empty());
                    assert_in(&text, span.range(), "syntax context");
                    points.push(span.start as usize);
                }
            }
            Problem::DuplicateKey { first, second, .. } => {
                assert_in(&text, first.range(), "first duplicate");
                assert_in(&text, second.range(), "second duplicate");
                points.push(second.start as usize);
            }
            // The YAML reader never makes one: the Helmfile reader does.
            Problem::Template { span, .. } => assert_in(&text, span.range(), "template action"),
        }
    }
    if parsed.failed {
        assert!(!parsed.problems.is_empty(), "reading failed without saying why");
    }
    let texts = |s: SourceId| (s == id).then_some(text.as_str());
    let mut nodes = 0;
    for doc in &parsed.documents {
        let (depth, count) = assert_tree(doc, &texts);
        assert!(depth <= MAX_DEPTH + 1, "a tree {depth} deep");
        nodes += count;
    }
    // Every node is written in the text or made by an alias, and aliases are bounded.
    assert!(
        nodes <= MAX_ALIAS_NODES + 2 * text.len() + 2,
        "{nodes} nodes from {} bytes",
        text.len()
    );
    let mut source = Source::new("f".into(), Origin::File, text.clone());
    for secret in &parsed.secrets {
        assert_in(&text, secret.clone(), "secret");
        source.redact(secret.clone());
    }
    exercise_source(&source, &points);
}

/// The `--set` parser. The first byte picks the flag (`s` --set, `t` --set-string, `f` --set-file, `j`
/// --set-json, `l` --set-literal; anything else is --set and part of the argument); the rest is one or
/// more arguments separated by NUL bytes, applied in turn onto the same values, as repeated flags are.
pub fn set(data: &[u8]) {
    quiet_library_panics();
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (kind, rest) = match text.as_bytes().first() {
        Some(b's') => (set::SetKind::Typed, &text[1..]),
        Some(b't') => (set::SetKind::String, &text[1..]),
        Some(b'f') => (set::SetKind::File, &text[1..]),
        Some(b'j') => (set::SetKind::Json, &text[1..]),
        Some(b'l') => (set::SetKind::Literal, &text[1..]),
        _ => (set::SetKind::Typed, text),
    };
    let args: Vec<&str> = rest.split('\0').collect();
    let mut base = Map::default();
    let mut read = |path: &str| -> Result<String, String> {
        if path.starts_with('!') {
            Err(format!("{path}: no such file or directory"))
        } else {
            Ok(format!("content of {path}"))
        }
    };
    // One padding budget for all the flags, as for a command line.
    let mut padding = set::Padding::default();
    for (i, arg) in args.iter().enumerate() {
        let id = SourceId(i as u32);
        let mut source = Source::new(format!("--set #{}", i + 1), Origin::File, arg.to_string());
        match set::apply(arg, id, kind, &mut base, &mut read, &mut padding) {
            Ok(secrets) => {
                for s in secrets {
                    assert_in(arg, s.clone(), "secret of a flag");
                    source.redact(s);
                }
                exercise_source(&source, &[]);
            }
            Err(e) => {
                assert!(!e.message.is_empty());
                assert_in(arg, e.span.clone(), "error span");
                for s in &e.secrets {
                    assert_in(arg, s.clone(), "secret of a failed flag");
                    source.redact(s.clone());
                }
                // What the command line shows: the argument masked, and a column.
                exercise_source(&source, &[e.span.start]);
                let shown = source.redacted().text;
                if kind != set::SetKind::File {
                    for s in &e.secrets {
                        let secret = &arg[s.clone()];
                        if secret.len() >= 3 && !shown.contains(acp_check::core::source::MASK) {
                            panic!("the error shows the secret {secret:?}: {shown}");
                        }
                    }
                }
                break;
            }
        }
    }
    let texts = |s: SourceId| args.get(s.0 as usize).copied();
    let root = Node::new(Value::Map(base), Span::new(SourceId(0), 0..0));
    let (depth, count) = assert_tree(&root, &texts);
    assert!(depth <= set::MAX_PATH_DEPTH + 2, "a tree {depth} deep");
    assert!(
        count <= args.len() * set::MAX_PADDING + 2 * text.len() + 2,
        "{count} nodes from {} bytes",
        text.len()
    );
    // --set types values as Helm does (never a float); --set-string and --set-file make only strings.
    fn leaves(node: &Node, kind: set::SetKind) {
        match &node.value {
            Value::Seq(items) => items.iter().for_each(|n| leaves(n, kind)),
            Value::Map(m) => m.entries.iter().for_each(|e| leaves(&e.value, kind)),
            // JSON has every type.
            _ if kind == set::SetKind::Json => {}
            Value::Float(_) => panic!("--set made a float: {node:?}"),
            Value::Bool(_) | Value::Int(_) if kind != set::SetKind::Typed => {
                panic!("{kind:?} made a non-string: {node:?}")
            }
            _ => {}
        }
    }
    leaves(&root, kind);
}

/// A reference model of Helm's merge: a tree of leaves (their value and span) and maps in key order.
#[derive(Clone, Debug, PartialEq)]
enum Model {
    Leaf(String, Span),
    Map(Vec<(String, Span, Model)>, Span),
}

fn model(node: &Node) -> Model {
    match &node.value {
        Value::Map(m) => Model::Map(
            m.entries
                .iter()
                .map(|e| (e.key.clone(), e.key_span, model(&e.value)))
                .collect(),
            node.span,
        ),
        v => Model::Leaf(format!("{v:?}"), node.span),
    }
}

fn model_merge(base: &mut Vec<(String, Span, Model)>, overlay: Vec<(String, Span, Model)>) {
    for (key, key_span, value) in overlay {
        match base.iter_mut().find(|(k, _, _)| *k == key) {
            Some(slot) => match (&mut slot.2, value) {
                (Model::Map(into, _), Model::Map(from, _)) => {
                    model_merge(into, from);
                    slot.1 = key_span;
                }
                (_, value) => *slot = (key, key_span, value),
            },
            None => base.push((key, key_span, value)),
        }
    }
}

fn model_drop_nulls(entries: &mut Vec<(String, Span, Model)>) {
    entries.retain(|(_, _, v)| !matches!(v, Model::Leaf(s, _) if s == "Null"));
    for (_, _, v) in entries {
        if let Model::Map(inner, _) = v {
            model_drop_nulls(inner);
        }
    }
}

/// Helm's merge of `-f` layers: every mapping document of the input is a layer, merged in order. The
/// result must match the reference model, keep each value's provenance, and lose every null.
pub fn merge(data: &[u8]) {
    quiet_library_panics();
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let id = SourceId(0);
    let parsed = yaml::parse(id, text);
    if parsed.failed {
        return;
    }
    let layers: Vec<Map> = parsed
        .documents
        .into_iter()
        .filter_map(|d| match d.value {
            Value::Map(m) => Some(m),
            _ => None,
        })
        .collect();
    let Some((first, rest)) = layers.split_first() else {
        return;
    };
    let mut merged = first.clone();
    let Model::Map(mut expected, _) = model(&Node::new(Value::Map(first.clone()), Span::new(id, 0..0)))
    else {
        unreachable!()
    };
    for layer in rest {
        merge::merge(&mut merged, layer.clone());
        let Model::Map(entries, _) = model(&Node::new(Value::Map(layer.clone()), Span::new(id, 0..0))) else {
            unreachable!()
        };
        model_merge(&mut expected, entries);
    }
    merge::drop_nulls(&mut merged);
    model_drop_nulls(&mut expected);
    let root = Node::new(Value::Map(merged), Span::new(id, 0..0));
    assert_eq!(model(&root), Model::Map(expected, Span::new(id, 0..0)));
    let texts = |s: SourceId| (s == id).then_some(text);
    assert_tree(&root, &texts);

    // Merging a tree onto itself changes nothing.
    let Value::Map(once) = &root.value else {
        unreachable!()
    };
    let mut twice = once.clone();
    merge::merge(&mut twice, once.clone());
    assert_eq!(&twice, once, "merging the values onto themselves changed them");
}

/// A directory of this process for the files the targets write.
fn scratch() -> PathBuf {
    let base = if Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    let dir = base.join(format!("acp-check-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

/// HelmRelease detection: the input is one file, given alone and found by searching its directory.
/// The releases read must be what the documents say: one per HelmRelease name, else one values release.
pub fn helm_release(data: &[u8]) {
    quiet_library_panics();
    let dir = scratch().join("helm-release");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("release.yaml");
    std::fs::write(&path, data).unwrap();
    let options = Options {
        inputs: vec![path.display().to_string()],
        ..Options::default()
    };
    let loaded = input::load(&options).expect("a readable file always loads");

    // What the documents say, read independently of the loader's detection.
    let documents = match yaml::decode(data.to_vec()) {
        Ok(text) => {
            let parsed = yaml::parse(SourceId(0), &text);
            (!parsed.failed).then_some(parsed.documents)
        }
        Err(_) => None,
    };
    let releases = &loaded.deployment.releases;
    match documents {
        None => {
            assert!(releases.is_empty(), "unreadable YAML gave a release");
            assert!(!loaded.problems.is_empty(), "unreadable YAML gave no problem");
        }
        Some(docs) => {
            let str_at = |d: &Node, path: &[&str]| d.get(path).and_then(Node::as_str).map(str::to_string);
            let mut names: Vec<String> = Vec::new();
            for d in &docs {
                let is_release = str_at(d, &["kind"]).as_deref() == Some("HelmRelease")
                    && str_at(d, &["apiVersion"]).is_some_and(|v| v.starts_with("helm.toolkit.fluxcd.io/"));
                if is_release {
                    let name = str_at(d, &["metadata", "name"]).unwrap_or_default();
                    if !names.contains(&name) {
                        names.push(name);
                    }
                }
            }
            if names.is_empty() {
                assert_eq!(releases.len(), 1);
                assert_eq!(releases[0].kind, Kind::Values);
            } else {
                assert_eq!(releases.len(), names.len(), "one release per HelmRelease name");
                for (release, name) in releases.iter().zip(&names) {
                    assert_eq!(release.kind, Kind::HelmRelease);
                    if !name.is_empty() {
                        assert!(
                            release.label.ends_with(name.as_str()),
                            "{} for {name}",
                            release.label
                        );
                    }
                }
            }
            for release in releases {
                assert!(release.values.as_map().is_some(), "values that are not a mapping");
                let texts = |s: SourceId| {
                    loaded
                        .sources
                        .contains(s)
                        .then(|| loaded.sources.get(s).text.as_str())
                };
                if release.values.span.source.0 != u32::MAX {
                    assert_tree(&release.values, &texts);
                }
            }
        }
    }

    // Searching the directory finds the file whenever it holds a Flux HelmRelease (its name does not
    // say `values`; other content is read when it looks like values of a chart acp-check knows),
    // and then reads the same releases.
    let options = Options {
        inputs: vec![dir.display().to_string()],
        ..Options::default()
    };
    let is_manifest = releases.iter().any(|r| r.kind == Kind::HelmRelease);
    match input::load(&options) {
        Ok(found) => {
            if is_manifest {
                assert_eq!(found.deployment.releases.len(), releases.len());
            }
        }
        Err(e) => {
            assert!(!is_manifest, "a HelmRelease file was not found: {e}");
            assert!(e.0.contains("no values files"), "{e}");
        }
    }
}

/// The pipeline's inputs: the parts of the fuzz input separated by two NUL bytes. The first is an input
/// file; a later one is an `-f` file when it starts with `f:`, another input file with `i:`, a
/// `--set-string` with `t:`, and a `--set` otherwise.
struct Case {
    inputs: Vec<Vec<u8>>,
    layers: Vec<Vec<u8>>,
    set: Vec<String>,
    set_string: Vec<String>,
}

fn split(data: &[u8], sep: &[u8]) -> Vec<Vec<u8>> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i + sep.len() <= data.len() {
        if &data[i..i + sep.len()] == sep {
            parts.push(data[start..i].to_vec());
            i += sep.len();
            start = i;
        } else {
            i += 1;
        }
    }
    parts.push(data[start..].to_vec());
    parts
}

impl Case {
    fn parse(data: &[u8]) -> Case {
        let mut parts = split(data, b"\0\0").into_iter().take(8);
        let mut case = Case {
            inputs: vec![parts.next().unwrap_or_default()],
            layers: Vec::new(),
            set: Vec::new(),
            set_string: Vec::new(),
        };
        for part in parts {
            match part.get(..2) {
                Some(b"f:") => case.layers.push(part[2..].to_vec()),
                Some(b"i:") => case.inputs.push(part[2..].to_vec()),
                // Command-line arguments are text without NUL bytes.
                Some(b"t:") => case
                    .set_string
                    .push(String::from_utf8_lossy(&part[2..]).replace('\0', "")),
                _ => case.set.push(String::from_utf8_lossy(&part).replace('\0', "")),
            }
        }
        case
    }

    /// The same case with every occurrence of `from` replaced by `to`.
    fn replaced(&self, from: &str, to: &str) -> Case {
        let bytes = |b: &Vec<u8>| split(b, from.as_bytes()).join(to.as_bytes());
        Case {
            inputs: self.inputs.iter().map(bytes).collect(),
            layers: self.layers.iter().map(bytes).collect(),
            set: self.set.iter().map(|s| s.replace(from, to)).collect(),
            set_string: self.set_string.iter().map(|s| s.replace(from, to)).collect(),
        }
    }
}

/// What one run of the pipeline shows the user, and the secrets it read.
struct Outcome {
    /// Every text of the JSON report, the human report, or the error message.
    shown: Vec<String>,
    secrets: Vec<String>,
}

fn run_pipeline(case: &Case) -> Outcome {
    let dir = scratch().join("lint");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: String, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path.display().to_string()
    };
    let options = Options {
        inputs: case
            .inputs
            .iter()
            .enumerate()
            .map(|(i, b)| write(format!("input{i}.yaml"), b))
            .collect(),
        values: case
            .layers
            .iter()
            .enumerate()
            .map(|(i, b)| write(format!("layer{i}.yaml"), b))
            .collect(),
        set: case.set.clone(),
        set_string: case.set_string.clone(),
        ..Options::default()
    };
    let mut linted = match acp_check::app::lint(&options, &Config::default()) {
        Ok(linted) => linted,
        Err(fatal) => {
            assert!(!fatal.0.is_empty());
            return Outcome {
                shown: vec![fatal.0],
                secrets: Vec::new(),
            };
        }
    };
    let sources = &linted.sources;
    for f in linted.findings.findings() {
        assert!(!f.message.is_empty(), "{} without a message", f.rule.id);
        let spans = f.span.iter().chain(f.related.iter().map(|r| &r.span));
        for span in spans {
            assert!(
                sources.contains(span.source),
                "{}: a span in no source",
                f.rule.id
            );
            assert_in(
                &sources.get(span.source).text,
                span.range(),
                &format!("{} finding", f.rule.id),
            );
        }
    }
    let mut secrets = Vec::new();
    for (_, source) in sources.iter() {
        for r in &source.redactions {
            assert_in(&source.text, r.clone(), "redaction");
            secrets.push(source.text[r.clone()].to_string());
        }
    }

    // The same inputs, read again: what the pipeline found of the pointers all at once is what the
    // search of each span alone gives.
    let loaded = input::load(&options).expect("read once, read twice");
    let report = linted.report();
    for f in &report.findings {
        for span in f.span.iter().chain(f.related.iter().map(|r| &r.span)) {
            let path = report.location(*span).and_then(|l| l.path);
            let alone = loaded.pointer(*span);
            match &path {
                Some(p) if p.contains(acp_check::core::source::MASK) => assert!(alone.is_some()),
                _ => assert_eq!(path, alone, "the pointer of {span:?}"),
            }
        }
    }
    let summary = report.summary();
    let mut json = Vec::new();
    Json.report(&report, &mut json).expect("the JSON report");
    let json: serde_json::Value = serde_json::from_slice(&json).expect("the JSON report is JSON");
    assert_eq!(
        json["findings"].as_array().map(Vec::len),
        Some(summary.errors + summary.warnings + summary.infos)
    );
    for f in json["findings"].as_array().unwrap() {
        if let Some(loc) = f.get("location") {
            for key in ["line", "column", "end_line", "end_column"] {
                assert!(loc[key].as_u64().is_some_and(|n| n >= 1), "{key} in {f}");
            }
        }
    }
    let mut shown = Vec::new();
    fn strings(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) => out.push(s.clone()),
            serde_json::Value::Array(a) => a.iter().for_each(|v| strings(v, out)),
            serde_json::Value::Object(o) => o.values().for_each(|v| strings(v, out)),
            _ => {}
        }
    }
    strings(&json, &mut shown);
    let mut human = Vec::new();
    Human {
        color: false,
        width: 100,
    }
    .report(&report, &mut human)
    .expect("the human report");
    shown.push(String::from_utf8(human).expect("the human report is UTF-8"));
    Outcome { shown, secrets }
}

/// Rotates letters and digits, so that a text keeps its shape but is no longer the same text.
fn rotate(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'a'..='y' | 'A'..='Y' | '0'..='8' => char::from(c as u8 + 1),
            'z' => 'a',
            'Z' => 'A',
            '9' => '0',
            c => c,
        })
        .collect()
}

/// The whole `lint` pipeline: reading, merging, `--set`, rules, policy, and both reporters. No finding
/// points outside its source, and no secret read from the input is ever shown.
pub fn lint(data: &[u8]) {
    quiet_library_panics();
    let case = Case::parse(data);
    let outcome = run_pipeline(&case);
    let all_inputs: Vec<String> = case
        .inputs
        .iter()
        .chain(&case.layers)
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .chain(case.set.iter().cloned())
        .chain(case.set_string.iter().cloned())
        .collect();
    for secret in &outcome.secrets {
        // Short secrets, and secrets also written in the clear elsewhere in the input, cannot be told
        // apart from other text.
        if secret.len() < 4 || !secret.chars().any(|c| c.is_ascii_alphanumeric()) {
            continue;
        }
        let written = all_inputs
            .iter()
            .map(|t| t.matches(secret.as_str()).count())
            .sum::<usize>();
        let redacted = outcome.secrets.iter().filter(|s| *s == secret).count();
        if written > redacted {
            continue;
        }
        if !outcome.shown.iter().any(|s| s.contains(secret.as_str())) {
            continue;
        }
        // The report shows the secret's text: is it the secret, or text of acp-check's own (a version,
        // a word of a message)? Change the secret in the input: the secret's text must go away.
        let changed = rotate(secret);
        // The changed text must be new to the input, or its showing would prove nothing.
        if all_inputs.iter().any(|t| t.contains(changed.as_str())) {
            continue;
        }
        let rerun = run_pipeline(&case.replaced(secret, &changed));
        if rerun.secrets.contains(&changed) {
            if let Some(leak) = rerun.shown.iter().find(|s| s.contains(changed.as_str())) {
                panic!("the secret {changed:?} (first {secret:?}) is shown:\n{leak}");
            }
        }
    }
}

/// The redaction boundary: `data` is secrets (one a line) and a text, split at the first NUL byte.
/// Masked with those secrets, the text holds none of them whole, none of their first
/// `WINDOW` bytes (a cut echo), and, of a secret of `LONG` bytes or more, no `WINDOW` bytes of it
/// at all (runs that hold a letter, a digit or a non-ASCII character); it keeps every line break. Secrets the redactor takes in other forms (PEM
/// blocks, SOPS values, quoted, holding the mask `*`, naming a key) are left out of the check.
pub fn redact(data: &[u8]) {
    use acp_check::core::redact::{names_a_key, Redactor, LONG, WINDOW};
    let (secrets, text) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (&data[..0], data),
    };
    let text = String::from_utf8_lossy(text).into_owned();
    let secrets: Vec<String> = String::from_utf8_lossy(secrets)
        .split('\n')
        .map(|s| s.trim().to_string())
        .filter(|s| {
            s.len() >= 3
                && !s.contains(['*', '"', '\''])
                && !s.contains("-----")
                && !s.contains("ENC[")
                && !names_a_key(s)
                && s.bytes().any(|b| b.is_ascii_alphanumeric() || b >= 0x80)
        })
        .collect();
    let mut redactor = Redactor::default();
    for secret in &secrets {
        redactor.add(secret);
    }
    let masked = redactor.masked(&text);
    assert_eq!(
        masked.matches('\n').count(),
        text.matches('\n').count(),
        "masking joined lines"
    );
    let holds = |needle: &[u8]| masked.as_bytes().windows(needle.len()).any(|w| w == needle);
    for secret in &secrets {
        let bytes = secret.as_bytes();
        assert!(!holds(bytes), "{secret:?} survives whole in {masked:?}");
        // A run of blanks and punctuation alone is no part of a secret worth masking.
        let telling = |w: &[u8]| w.iter().any(|b| b.is_ascii_alphanumeric() || *b >= 0x80);
        if bytes.len() >= WINDOW && telling(&bytes[..WINDOW]) {
            assert!(
                !holds(&bytes[..WINDOW]),
                "the start of {secret:?} survives in {masked:?}"
            );
        }
        if bytes.len() >= LONG {
            for window in bytes.windows(WINDOW).filter(|w| telling(w)) {
                assert!(
                    !holds(window),
                    "{:?} of {secret:?} survives in {masked:?}",
                    String::from_utf8_lossy(window)
                );
            }
        }
    }
}

/// `app::fix` uses a process-wide overlay: one fix run at a time (the test suite replays corpora on
/// several threads).
static FIX_RUNS: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The segments of an RFC 6901 pointer; `None` for a segment that holds the mask (a key that
/// holds a secret is masked in pointers too), which stands for any key.
fn segments(pointer: &str) -> Vec<Option<String>> {
    pointer
        .split('/')
        .skip(1)
        .map(|s| {
            (!s.contains(acp_check::core::source::MASK)).then(|| s.replace("~1", "/").replace("~0", "~"))
        })
        .collect()
}

/// The path of the innermost value of `documents` whose span holds `range` (a line of a block
/// scalar has no pointer of its own: its value's is the place).
fn path_at(documents: &[Node], range: Range<usize>) -> Option<Vec<Option<String>>> {
    let holds = |span: Span| span.start as usize <= range.start && range.end <= span.end as usize;
    let mut node = documents.iter().find(|d| holds(d.span))?;
    let mut path = Vec::new();
    'down: loop {
        match &node.value {
            Value::Map(map) => {
                for entry in &map.entries {
                    if holds(entry.key_span) || holds(entry.value.span) {
                        path.push(Some(entry.key.clone()));
                        node = &entry.value;
                        continue 'down;
                    }
                }
            }
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    if holds(item.span) {
                        path.push(Some(i.to_string()));
                        node = item;
                        continue 'down;
                    }
                }
            }
            _ => {}
        }
        return Some(path);
    }
}

/// Whether `path` starts with the segments `pattern` (a `None` segment matches any).
fn under(path: &[String], pattern: &[Option<String>]) -> bool {
    path.len() >= pattern.len()
        && pattern
            .iter()
            .zip(path)
            .all(|(p, s)| p.as_ref().is_none_or(|p| p == s))
}

/// The paths at which two trees read differently (a key in one only, another scalar, another
/// kind of node, a sequence of another length), each once, as its first differing place.
fn changed_paths(old: &Node, new: &Node, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match (&old.value, &new.value) {
        (Value::Map(a), Value::Map(b)) => {
            let keys: std::collections::BTreeSet<&String> =
                a.entries.iter().chain(&b.entries).map(|e| &e.key).collect();
            for key in keys {
                path.push(key.clone());
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => changed_paths(x, y, path, out),
                    _ => out.push(path.clone()),
                }
                path.pop();
            }
        }
        (Value::Seq(a), Value::Seq(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                path.push(i.to_string());
                changed_paths(x, y, path, out);
                path.pop();
            }
        }
        (Value::Float(a), Value::Float(b)) if a.is_nan() && b.is_nan() => {}
        (a, b) if format!("{a:?}") == format!("{b:?}") => {}
        _ => out.push(path.clone()),
    }
}

/// `--fix --unsafe-fixes` on a values file (`data`, when it is UTF-8 YAML that parses). Rounds of
/// fixes as `--fix` makes them, each the fixes of the findings of a lint of the text so far, until
/// none applies: the fixed text parses, holds as many documents, reads as the same values
/// everywhere but at (or under) the JSON pointer of a finding that carried a fix (or, for a key
/// renamed by `unknown-key`, beside it), and holds no secret that the file did not; `app::fix`
/// (what the command line runs) makes the same text of it; and fixing the fixed text changes
/// nothing.
pub fn fix(data: &[u8]) {
    use acp_check::diagnostic::Applicability;
    quiet_library_panics();
    let Ok(original) = std::str::from_utf8(data) else {
        return;
    };
    let id = SourceId(0);
    let parsed = yaml::parse(id, original);
    let syntax =
        |p: &yaml::Parsed| p.failed || p.problems.iter().any(|p| matches!(p, Problem::Syntax { .. }));
    if syntax(&parsed) {
        return;
    }
    let _one = FIX_RUNS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = scratch().join("fix");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("values.yaml");
    let options = Options {
        inputs: vec![file.display().to_string()],
        ..Options::default()
    };
    let config = Config::default();

    // Rounds, as --fix makes them; the pointers (and renames) each fix was allowed to change.
    let mut text = original.to_string();
    let mut allowed: Vec<(Vec<Option<String>>, bool)> = Vec::new();
    let mut unplaced = false;
    for _ in 0..10 {
        std::fs::write(&file, &text).unwrap();
        let Ok(outcome) = acp_check::app::lint(&options, &config) else {
            return;
        };
        for finding in outcome.findings.findings().iter().filter(|f| f.fix.is_some()) {
            let fix = finding.fix.as_ref().unwrap();
            assert!(fix.applicability == Applicability::Safe || fix.applicability == Applicability::Unsafe);
            let Some(span) = finding.span else { continue };
            let place = match outcome.pointers.get(&span).cloned().flatten() {
                Some(pointer) => Some(segments(&pointer)),
                None => path_at(&yaml::parse(id, &text).documents, span.range()),
            };
            match place {
                Some(path) => allowed.push((path, finding.rule.id == "unknown-key")),
                None => unplaced = true,
            }
            // What a fix writes beside the value it fixes: the key an insertion adds to the
            // mapping it is inserted in, the value a replacement replaces.
            let documents = yaml::parse(id, &text).documents;
            for edit in fix.edits.iter().filter(|e| e.beside) {
                let Some(mut path) = path_at(&documents, edit.span.range()) else {
                    unplaced = true;
                    continue;
                };
                if edit.span.start == edit.span.end {
                    path.pop();
                    path.push(edit.text.split(':').next().map(str::to_string));
                }
                allowed.push((path, false));
            }
        }
        let changes = acp_check::fix::apply(outcome.findings.findings(), &outcome.sources, true);
        let Some(change) = changes.into_iter().next() else {
            break;
        };
        assert_eq!(
            outcome.sources.get(change.source).name,
            file.display().to_string(),
            "a fix of another file"
        );
        assert_ne!(change.text, text, "a change that changes nothing");
        text = change.text;
    }

    // The fixed text parses, and changes nothing a fixed finding did not point at.
    let after = yaml::parse(id, &text);
    assert!(!syntax(&after), "--fix made a file that does not parse:\n{text}");
    assert_eq!(
        parsed.documents.len(),
        after.documents.len(),
        "documents lost or made:\n{text}"
    );
    if !unplaced {
        for (old, new) in parsed.documents.iter().zip(&after.documents) {
            let mut changed = Vec::new();
            changed_paths(old, new, &mut Vec::new(), &mut changed);
            for path in changed {
                // A renamed key reads as the old one gone and the new one, beside it, made.
                let ok = allowed.iter().any(|(a, rename)| {
                    under(&path, a)
                        || (*rename
                            && !a.is_empty()
                            && path.len() >= a.len()
                            && under(&path, &a[..a.len() - 1]))
                });
                assert!(
                    ok,
                    "--fix changed {path:?}, which no fixed finding points at:\n{original}\n=>\n{text}"
                );
            }
        }
    }
    // The secrets the fixed file holds, as a lint of it finds them (by its tree, not by a reading
    // of its raw lines, which deleted lines can join into text that looks quoted), were all in it.
    std::fs::write(&file, &text).unwrap();
    if let Ok(outcome) = acp_check::app::lint(&options, &config) {
        for (_, source) in outcome.sources.iter() {
            for r in &source.redactions {
                let secret = &source.text[r.clone()];
                assert!(
                    original.contains(secret),
                    "--fix wrote a secret it was not given: {secret:?}"
                );
            }
        }
    }

    // What the command line runs makes the same text, and a second run changes nothing.
    std::fs::write(&file, original).unwrap();
    let (_, files) = acp_check::app::fix(&options, &config, true).expect("lints as before");
    let made = files.first().map_or(original, |f| f.new.as_str());
    assert_eq!(made, text, "app::fix and its rounds differ");
    std::fs::write(&file, &text).unwrap();
    let (_, again) = acp_check::app::fix(&options, &config, true).expect("lints the fixed file");
    assert!(again.is_empty(), "a second --fix changes the file:\n{text}");
}
