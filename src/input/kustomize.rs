//! Kustomize `kustomization.yaml` files, as far as values reach a release through them: the
//! `secretGenerator` and `configMapGenerator` entries that make the Secret or ConfigMap a
//! HelmRelease's `valuesFrom` names (`files` as `PATH` or `KEY=PATH`, `envs`, `literals`), and which
//! files they consume (such a file is a layer of a release, never a release of its own).

use std::path::{Component, Path, PathBuf};

use crate::core::read::{self, Limit};
use crate::core::source::SourceId;
use crate::tree::Node;

/// The names Kustomize reads a kustomization from, in its order.
pub(super) const FILE_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Whether a document is a kustomization (`kustomize.config.k8s.io`, or a `Kustomization` with no
/// API group, as Kustomize accepts; never Flux's `kustomize.toolkit.fluxcd.io` one).
pub(super) fn is_kustomization(doc: &Node) -> bool {
    let api = doc.get(&["apiVersion"]).and_then(Node::as_str);
    let kind = doc.get(&["kind"]).and_then(Node::as_str);
    match api {
        Some(api) => api.starts_with("kustomize.config.k8s.io/"),
        None => kind.is_none_or(|k| k == "Kustomization" || k == "Component") && has_kustomize_keys(doc),
    }
}

fn has_kustomize_keys(doc: &Node) -> bool {
    [
        "resources",
        "secretGenerator",
        "configMapGenerator",
        "patches",
        "components",
        "bases",
        "helmCharts",
    ]
    .iter()
    .any(|k| doc.get(&[k]).is_some())
}

/// The kustomization file of directory `dir`, if it has one.
pub(super) fn file_in(dir: &Path) -> Option<PathBuf> {
    FILE_NAMES.iter().map(|n| dir.join(n)).find(|p| p.is_file())
}

/// What kind of object a generator makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Made {
    Secret,
    ConfigMap,
}

impl Made {
    pub(super) fn of_kind(kind: &str) -> Option<Made> {
        match kind {
            "Secret" => Some(Made::Secret),
            "ConfigMap" => Some(Made::ConfigMap),
            _ => None,
        }
    }
}

/// One key of a generated object, and where its data comes from.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Data {
    /// The whole content of a file (`files: [KEY=PATH]` or `[PATH]`, whose key is its file name).
    File(PathBuf),
    /// One `KEY=VALUE` line of an env file (`envs: [PATH]`): the file, and the key.
    Env(PathBuf),
    /// A literal (`literals: [KEY=VALUE]`): its value, the kustomization file, and where the
    /// literal is written in it (its scalar, `KEY=VALUE` as written).
    Literal {
        value: String,
        file: PathBuf,
        at: std::ops::Range<usize>,
    },
}

/// A Secret or ConfigMap a kustomization generates.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Generator {
    pub(super) made: Made,
    pub(super) name: String,
    /// Its keys: `(key, data)`; for an env file the key is not known until it is read (`None`).
    pub(super) keys: Vec<(Option<String>, Data)>,
}

impl Generator {
    /// The data of `key`, if the generator may make it.
    pub(super) fn data(&self, key: &str) -> Option<&Data> {
        self.keys
            .iter()
            .find(|(k, _)| k.as_deref() == Some(key))
            .or_else(|| self.keys.iter().find(|(k, _)| k.is_none()))
            .map(|(_, d)| d)
    }
}

/// The generators of the kustomization `doc`, read in directory `dir` (its paths are relative to it).
pub(super) fn generators(doc: &Node, dir: &Path) -> Vec<Generator> {
    generators_of(doc, dir, &dir.join(FILE_NAMES[0]))
}

/// The generators of the kustomization `doc`, the file `file` of directory `dir`.
pub(super) fn generators_of(doc: &Node, dir: &Path, file: &Path) -> Vec<Generator> {
    let mut found = Vec::new();
    for (field, made) in [
        ("secretGenerator", Made::Secret),
        ("configMapGenerator", Made::ConfigMap),
    ] {
        for entry in doc.get(&[field]).and_then(Node::as_seq).unwrap_or_default() {
            let Some(name) = entry.get(&["name"]).and_then(Node::as_str) else {
                continue;
            };
            let strings = |key: &str| -> Vec<&str> {
                entry
                    .get(&[key])
                    .and_then(Node::as_seq)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(Node::as_str)
                    .collect()
            };
            let mut keys = Vec::new();
            for file in strings("files") {
                let (key, path) = match file.split_once('=') {
                    Some((key, path)) => (key.to_string(), path),
                    None => (
                        Path::new(file)
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default(),
                        file,
                    ),
                };
                keys.push((Some(key), Data::File(normalize(&dir.join(path)))));
            }
            for env in strings("envs").into_iter().chain(strings("env")) {
                keys.push((None, Data::Env(normalize(&dir.join(env)))));
            }
            for literal in entry
                .get(&["literals"])
                .and_then(Node::as_seq)
                .unwrap_or_default()
            {
                if let Some((key, value)) = literal.as_str().and_then(|l| l.split_once('=')) {
                    keys.push((
                        Some(key.to_string()),
                        Data::Literal {
                            value: value.to_string(),
                            file: file.to_path_buf(),
                            at: literal.span.range(),
                        },
                    ));
                }
            }
            found.push(Generator {
                made,
                name: name.to_string(),
                keys,
            });
        }
    }
    found
}

/// The files the generators of `doc` (in `dir`) read.
pub(super) fn consumed(doc: &Node, dir: &Path) -> Vec<PathBuf> {
    generators(doc, dir)
        .into_iter()
        .flat_map(|g| g.keys)
        .filter_map(|(_, data)| match data {
            Data::File(p) | Data::Env(p) => Some(p),
            Data::Literal { .. } => None,
        })
        .collect()
}

/// Reads and parses the kustomization file at `path` (not a source of the run: it holds no values).
/// `None` when it cannot be read or is no kustomization.
pub(super) fn read(path: &Path) -> Option<Node> {
    let bytes = read::read_file(path, Limit::VALUES).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let parsed = crate::yaml::parse(SourceId(u32::MAX - 1), &text);
    let doc = parsed.documents.into_iter().next()?;
    is_kustomization(&doc).then_some(doc)
}

/// The value of `key` in an env file's text (`KEY=VALUE` lines; `#` comments), and its byte range.
pub(super) fn env_value(text: &str, key: &str) -> Option<std::ops::Range<usize>> {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let start = at;
        at += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        let trimmed = content.trim_start();
        if trimmed.starts_with('#') {
            continue;
        }
        if let Some((k, _)) = trimmed.split_once('=') {
            if k.trim() == key {
                let offset = start + (content.len() - trimmed.len()) + k.len() + 1;
                return Some(offset..start + content.len());
            }
        }
    }
    None
}

/// A path with `.` and `..` resolved as written (no file system access: links are not followed).
pub(super) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Node {
        crate::yaml::parse(SourceId(0), text).documents.remove(0)
    }

    #[test]
    fn generators_give_their_keys_and_files_relative_to_the_kustomization() {
        let kustomization = doc(
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n\
             secretGenerator:\n  - name: redis-values\n    files:\n      - values.yaml=redis-values.enc.yaml\n      - ../shared/extra.yaml\n\
             configMapGenerator:\n  - name: settings\n    envs: [settings.env]\n    literals: [mode=cluster]\n",
        );
        assert!(is_kustomization(&kustomization));
        let found = generators(&kustomization, Path::new("repo/redis/base"));
        assert_eq!(
            found,
            [
                Generator {
                    made: Made::Secret,
                    name: "redis-values".into(),
                    keys: vec![
                        (
                            Some("values.yaml".into()),
                            Data::File("repo/redis/base/redis-values.enc.yaml".into())
                        ),
                        (
                            Some("extra.yaml".into()),
                            Data::File("repo/redis/shared/extra.yaml".into())
                        ),
                    ],
                },
                Generator {
                    made: Made::ConfigMap,
                    name: "settings".into(),
                    keys: vec![
                        (None, Data::Env("repo/redis/base/settings.env".into())),
                        (
                            Some("mode".into()),
                            Data::Literal {
                                value: "cluster".into(),
                                file: "repo/redis/base/kustomization.yaml".into(),
                                at: 265..277,
                            }
                        ),
                    ],
                },
            ]
        );
        assert_eq!(
            found[0].data("extra.yaml"),
            Some(&Data::File("repo/redis/shared/extra.yaml".into()))
        );
        assert!(found[0].data("values.yaml").is_some());
        assert_eq!(found[0].data("other.yaml"), None);
        assert_eq!(
            consumed(&kustomization, Path::new("base")),
            [
                PathBuf::from("base/redis-values.enc.yaml"),
                PathBuf::from("shared/extra.yaml"),
                PathBuf::from("base/settings.env"),
            ]
        );
    }

    #[test]
    fn a_flux_kustomization_is_not_a_kustomize_one() {
        assert!(!is_kustomization(&doc(
            "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nspec: {path: ./a}\n"
        )));
        assert!(is_kustomization(&doc("resources: [a.yaml]\n")));
        assert!(!is_kustomization(&doc("image: {tag: x}\n")));
    }

    #[test]
    fn env_files_give_values_by_key_with_their_place() {
        let text = "# comment\nREDIS_PASSWORD=ENC[AES256_GCM,data:x]\n  mode = cluster\n";
        let at = env_value(text, "REDIS_PASSWORD").unwrap();
        assert_eq!(&text[at], "ENC[AES256_GCM,data:x]");
        assert_eq!(&text[env_value(text, "mode").unwrap()], " cluster");
        assert_eq!(env_value(text, "missing"), None);
    }
}
