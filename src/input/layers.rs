//! Layering `-f` files and `--set*` flags on a release, as `helm install -f … --set …` does: they
//! apply to the one chart directory or values file given, or to empty values when none is.

use std::path::Path;

use super::loader::Loader;
use super::{argo, helm_release, set, values_file, Options};
use crate::core::read::{self, Limit};
use crate::core::redact::{is_secret_key, secrets_in_text};
use crate::core::source::{Origin, Source, SourceId, Sources, IDS_PER_INPUT};
use crate::core::Fatal;
use crate::model::{Kind, Release};
use crate::tree::merge;
use crate::tree::{Node, Value};
use crate::yaml::Helm;

/// Layers the flags of `options` on the one release of `releases`, read from `inputs` inputs (or
/// on empty values, when no input is given).
pub(super) fn apply(
    loader: &mut Loader,
    releases: &mut Vec<Release>,
    inputs: usize,
    options: &Options,
) -> Result<(), Fatal> {
    // -f files and --set flags come after every input.
    let after_inputs = u32::try_from(inputs)
        .unwrap_or(u32::MAX)
        .saturating_mul(IDS_PER_INPUT)
        // After the files of `--values-from` flags.
        .saturating_add(u32::try_from(options.values_from.len()).unwrap_or(u32::MAX));
    loader.sources.continue_at(after_inputs);
    if options.inputs.is_empty() {
        releases.push(values_file::release(
            Kind::Values,
            String::new(),
            SourceId(u32::MAX),
            None,
        ));
    } else if !matches!(&releases[..], [one] if matches!(one.kind, Kind::Values | Kind::ChartDir)) {
        return Err(Fatal(
            "-f/--values and --set apply to one release: give them alone, or with a single chart directory \
             or values file (HelmRelease and Application manifests carry their own values)"
                .into(),
        ));
    }
    let release = releases.last_mut().expect("one release");
    layer(loader, release, options)
}

/// Applies `-f` files, then every `--set-json`, `--set`, `--set-string`, `--set-file` and
/// `--set-literal` in turn: the order Helm 4 applies them in (`values.Options.MergeValues`), whatever
/// their order on the command line.
fn layer(loader: &mut Loader, release: &mut Release, options: &Options) -> Result<(), Fatal> {
    let mut names: Vec<String> = Vec::new();
    if !release.label.is_empty() {
        names.push(release.label.clone());
    }
    let Value::Map(base) = &mut release.values.value else {
        return Err(Fatal("internal: release values are not a mapping".into()));
    };
    // The top-level mappings the user wrote, by key: where a later layer replaces one.
    let mut mappings = Mappings::default();
    mappings.note(base);
    for path in &options.values {
        let loaded = if path == "-" {
            loader.read_stdin()?
        } else {
            loader.read_file(Path::new(path))?
        };
        names.push(if path == "-" {
            "<stdin>".into()
        } else {
            path.clone()
        });
        let Some((id, r)) = loaded else { continue };
        let docs = &loader.documents[r.clone()];
        if docs.iter().any(|(_, d)| helm_release::is_helm_release(d)) {
            return Err(Fatal(format!(
                "{path}: is a Flux HelmRelease manifest, not a values file: give it as an input, without -f"
            )));
        }
        if docs.iter().any(|(_, d)| argo::is_application(d)) {
            return Err(Fatal(format!(
                "{path}: is an Argo CD Application manifest, not a values file: give it as an input, without -f"
            )));
        }
        // Read as Helm reads a values file (Helm 4: every document, merged); one Helm refuses is
        // only its problem.
        let Some(read) = loader.values_documents(id, r, options.helm) else {
            continue;
        };
        if let Some(Node {
            value: Value::Map(map),
            ..
        }) = loader.merged(&read)
        {
            mappings.note(&map);
            merge::merge(base, map);
        }
    }
    let flags: [(&'static str, &[String], set::SetKind); 5] = [
        ("--set-json", &options.set_json, set::SetKind::Json),
        ("--set", &options.set, set::SetKind::Typed),
        ("--set-string", &options.set_string, set::SetKind::String),
        ("--set-file", &options.set_file, set::SetKind::File),
        ("--set-literal", &options.set_literal, set::SetKind::Literal),
    ];
    let mut padding = set::Padding::default();
    for (flag, args, kind) in flags {
        for (i, arg) in args.iter().enumerate() {
            let name = format!("{flag} #{}", i + 1);
            let mut source = Source::new(name.clone(), Origin::Flag { flag, index: i + 1 }, arg.clone());
            // What looks secret in the argument, whatever its key: a URL, a redis.conf line.
            if kind != set::SetKind::File {
                for secret in secrets_in_text(arg) {
                    source.redact(secret);
                }
            }
            let id = loader.sources.add(source);
            let mut read = |path: &str| -> Result<String, String> {
                let bytes = read::read_file(Path::new(path), Limit::VALUES)
                    .map_err(|f| format!("{path}: {}", f.reason()))?;
                String::from_utf8(bytes).map_err(|_| format!("{path}: not UTF-8 text"))
            };
            // Helm 4 merges a whole JSON object (Helm 3 knows only pairs).
            let object = kind == set::SetKind::Json && options.helm == Helm::V4 && set::is_json_object(arg);
            let applied = if object {
                set::apply_json_object(arg, id, base)
            } else {
                set::apply(arg, id, kind, base, &mut read, &mut padding)
            };
            match applied {
                Ok(secrets) => {
                    let source = loader.sources.get_mut(id);
                    for s in secrets {
                        source.redact(s);
                    }
                }
                Err(e) => {
                    for secret in &e.secrets {
                        loader.sources.get_mut(id).redact(secret.clone());
                    }
                    let source = loader.sources.get(id);
                    let column = source.line_col(e.span.start).1;
                    let shown = source.redacted().text;
                    let what = if object { " (a JSON object)" } else { "" };
                    return Err(Fatal(format!(
                        "{name} `{shown}`{what}: column {column}: {}",
                        e.message
                    )));
                }
            }
            mappings.note_from(base, id);
            if !names.contains(&flag.to_string()) {
                names.push(flag.to_string());
            }
        }
    }
    subcharts_stay_mappings(base, &mappings, &loader.sources)?;
    release.label = names.join(" + ");
    know_flag_secrets(&release.values, &mut loader.sources, false);
    Ok(())
}

/// Where the user wrote a mapping at each top-level key: the first place, by key.
#[derive(Default)]
struct Mappings(std::collections::HashMap<String, crate::core::source::Span>);

impl Mappings {
    /// The top-level mappings of `map`, a layer.
    fn note(&mut self, map: &crate::tree::Map) {
        for e in &map.entries {
            if e.value.as_map().is_some() {
                self.0.entry(e.key.clone()).or_insert(e.key_span);
            }
        }
    }

    /// The top-level mappings of `base` that the flag `id` made.
    fn note_from(&mut self, base: &crate::tree::Map, id: SourceId) {
        for e in &base.entries {
            if e.value.as_map().is_some() && e.key_span.source == id {
                self.0.entry(e.key.clone()).or_insert(e.key_span);
            }
        }
    }
}

/// Helm fails to install values whose top-level key of a subchart (`redis-cluster`, `acp`, … of
/// kube-acp-stack) holds anything but a mapping: "type mismatch on redis-cluster: …", when it
/// coalesces them with the chart's dependencies. Without the chart, acp-check knows such a key is
/// one where the user also wrote a mapping, in a layer that a later one replaced, in values for
/// kube-acp-stack.
fn subcharts_stay_mappings(
    base: &crate::tree::Map,
    mappings: &Mappings,
    sources: &Sources,
) -> Result<(), Fatal> {
    // Values for kube-acp-stack hold `acp` or `redis-cluster` (its keys `redis`, `cockroachdb`, … are
    // also plain keys of other charts: `redis` is the acp chart's own).
    let umbrella = ["acp", "redis-cluster"]
        .iter()
        .any(|k| mappings.0.contains_key(*k));
    for e in &base.entries {
        if !umbrella || e.value.as_map().is_some() {
            continue;
        }
        let Some(written) = mappings.0.get(&e.key) else {
            continue;
        };
        if !umbrella_subchart(&e.key) {
            continue;
        }
        let place = |span: crate::core::source::Span| {
            let source = sources.get(span.source);
            let (line, column) = source.line_col(span.start as usize);
            format!("{}:{line}:{column}", source.name)
        };
        return Err(Fatal(format!(
            "{}: Helm fails on these values: \"type mismatch on {}: {}\": `{}` is a subchart of \
             kube-acp-stack, whose values must be a mapping, and this replaces the mapping written at {}",
            place(e.value.span),
            e.key,
            go_t(&e.value, sources),
            e.key,
            place(*written)
        )));
    }
    Ok(())
}

/// Whether `key` is where a dependency of kube-acp-stack (some version) takes its values.
fn umbrella_subchart(key: &str) -> bool {
    use crate::model::charts::{versions, Chart};
    versions(Chart::KubeAcpStack)
        .iter()
        .any(|v| v.dependencies().iter().any(|d| d.values_key() == key))
}

/// A value as Go's `%t` prints what is not a boolean (`%!t(int64=5)`), as Helm's message shows it.
/// A `--set` integer is an int64 there; any other number is a float64 (YAML and JSON numbers).
fn go_t(node: &Node, sources: &Sources) -> String {
    let typed = sources.contains(node.span.source)
        && matches!(
            sources.get(node.span.source).origin,
            Origin::Flag { flag: "--set", .. }
        );
    match &node.value {
        Value::Null => "%!t(<nil>)".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) if typed => format!("%!t(int64={i})"),
        Value::Int(i) => format!("%!t(float64={})", crate::tree::go_float(*i as f64)),
        Value::Float(f) => format!("%!t(float64={})", crate::tree::go_float(*f)),
        Value::Str(s) => format!("%!t(string={s})"),
        Value::Seq(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|n| go_t(n, sources))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        Value::Map(_) => "map[…]".into(),
    }
}

/// The secrets among the values the flags set, as decoded (a `--set-file` value is a file's
/// content, which no source holds): values under a secret key, and what looks secret in any value.
fn know_flag_secrets(node: &Node, sources: &mut Sources, under_secret_key: bool) {
    match &node.value {
        Value::Map(map) => {
            for entry in &map.entries {
                know_flag_secrets(&entry.value, sources, is_secret_key(&entry.key));
            }
        }
        Value::Seq(items) => items
            .iter()
            .for_each(|item| know_flag_secrets(item, sources, under_secret_key)),
        Value::Str(s) if sources.contains(node.span.source) => {
            let source = sources.get_mut(node.span.source);
            if !matches!(source.origin, Origin::Flag { .. }) {
                return;
            }
            if under_secret_key {
                source.know(s.clone());
            }
            for secret in secrets_in_text(s) {
                source.know(s[secret].to_string());
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::source::Sources;
    use crate::input::test_dir::TestDir;
    use serde_json::json;

    /// A loader holding input 0, `base.yaml`, and its release.
    fn base(text: &str) -> (Loader, Vec<Release>) {
        let mut loader = Loader::new(Sources::for_input(0));
        let (id, range) = loader
            .add("base.yaml".into(), Origin::File, text.as_bytes().to_vec())
            .unwrap();
        let release = values_file::release(Kind::Values, "base.yaml".into(), id, loader.first(range));
        (loader, vec![release])
    }

    fn with_input(options: Options) -> Options {
        Options {
            inputs: vec!["base.yaml".into()],
            ..options
        }
    }

    #[test]
    fn values_files_then_set_then_set_string_then_set_file() {
        let dir = TestDir::new("layers");
        let first = dir.write("first.yaml", "a: first\nb: first\nc: first\nd: first\n");
        let second = dir.write("second.yaml", "b: second\n");
        let content = dir.write("content.txt", "from a file");
        let (mut loader, mut releases) = base("a: base\nz: base\n");
        let options = with_input(Options {
            values: vec![first.display().to_string(), second.display().to_string()],
            set: vec!["c=1".into(), "d=1".into()],
            set_string: vec!["c=2".into(), "d=2".into()],
            set_file: vec![format!("d={}", content.display())],
            ..Options::default()
        });
        apply(&mut loader, &mut releases, 1, &options).unwrap();
        assert_eq!(
            releases[0].values.to_json(),
            json!({"a": "first", "z": "base", "b": "second", "c": "2", "d": "from a file"})
        );
        assert_eq!(
            releases[0].label,
            format!(
                "base.yaml + {} + {} + --set + --set-string + --set-file",
                first.display(),
                second.display()
            )
        );
        // The flags are sources of their own, after every input's.
        let flags: Vec<(SourceId, &str)> = loader
            .sources
            .iter()
            .filter(|(_, s)| matches!(s.origin, Origin::Flag { .. }))
            .map(|(id, s)| (id, s.name.as_str()))
            .collect();
        assert_eq!(flags.len(), 5);
        assert!(flags.iter().all(|(id, _)| id.0 >= IDS_PER_INPUT), "{flags:?}");
        assert_eq!(flags[0].1, "--set #1");
        assert_eq!(flags[4].1, "--set-file #1");
    }

    #[test]
    fn without_an_input_the_flags_make_the_values() {
        let mut loader = Loader::new(Sources::default());
        let mut releases = Vec::new();
        let options = Options {
            set: vec!["redis.addrs={a:6379}".into()],
            ..Options::default()
        };
        apply(&mut loader, &mut releases, 0, &options).unwrap();
        assert_eq!(releases.len(), 1);
        assert_eq!(releases[0].kind, Kind::Values);
        assert_eq!(releases[0].label, "--set");
        assert_eq!(
            releases[0].values.to_json(),
            json!({"redis": {"addrs": ["a:6379"]}})
        );
    }

    #[test]
    fn a_helm_release_is_no_values_file() {
        let dir = TestDir::new("layers-helm-release");
        let manifest = dir.write(
            "release.yaml",
            "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: a}\n",
        );
        let (mut loader, mut releases) = base("a: 1\n");
        let path = manifest.display().to_string();
        let options = with_input(Options {
            values: vec![path.clone()],
            ..Options::default()
        });
        assert_eq!(
            apply(&mut loader, &mut releases, 1, &options).unwrap_err().0,
            format!(
                "{path}: is a Flux HelmRelease manifest, not a values file: give it as an input, without -f"
            )
        );
    }

    #[test]
    fn flags_apply_to_one_chart_directory_or_values_file() {
        let options = with_input(Options {
            set: vec!["a=2".into()],
            ..Options::default()
        });
        let (mut loader, mut releases) = base("a: 1\n");
        releases.push(releases[0].clone());
        let error = apply(&mut loader, &mut releases, 2, &options).unwrap_err().0;
        assert!(
            error.starts_with("-f/--values and --set apply to one release"),
            "{error}"
        );

        let (mut loader, mut releases) = base("a: 1\n");
        releases[0].kind = Kind::HelmRelease;
        assert!(apply(&mut loader, &mut releases, 1, &options).is_err());

        let (mut loader, mut releases) = base("a: 1\n");
        releases[0].kind = Kind::ChartDir;
        apply(&mut loader, &mut releases, 1, &options).unwrap();
        assert_eq!(releases[0].values.to_json(), json!({"a": 2}));
    }

    #[test]
    fn a_bad_flag_is_named_with_its_column_and_its_secrets_masked() {
        let (mut loader, mut releases) = base("a: 1\n");
        let options = with_input(Options {
            set: vec!["ok=1".into(), "password=hunter2,b".into()],
            ..Options::default()
        });
        let error = apply(&mut loader, &mut releases, 1, &options).unwrap_err().0;
        // The column is in the flag as written; the message shows it masked.
        assert_eq!(
            error,
            "--set #2 `password=***,b`: column 18: key \"b\" has no value"
        );
    }
}
