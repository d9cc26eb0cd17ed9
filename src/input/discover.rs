//! Finding the inputs an argument names: standard input, a file, a chart directory, or a directory
//! searched for what acp-check reads, told by content rather than name: values files of a chart it
//! knows, chart directories and HelmRelease manifests. What a search skips is said, with why; what
//! `.gitignore` files ignore is skipped, and `[files] include` / `exclude` globs override.

use std::collections::HashMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::gitignore::{Gitignore, GitignoreBuilder};

use super::{chart_dir, helmfile, kustomize};
use crate::core::read::io_reason;
use crate::core::Fatal;
use crate::model::charts::Chart;

/// Where an input is read from.
#[derive(Debug, PartialEq)]
pub(super) enum Input {
    Stdin,
    /// A values file or a manifest: which one is told from what it holds.
    File(PathBuf),
    ChartDir(PathBuf),
}

/// `[files]` of the config: globs, relative to the directory searched, of files a search always
/// reads (`include`) or never reads (`exclude`, which wins).
#[derive(Clone, Debug, Default)]
pub struct Globs {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

/// What one argument gives.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Found {
    pub(super) inputs: Vec<Input>,
    /// Found by a directory search (not named on the command line).
    pub(super) searched: bool,
    /// The YAML files (and ignored folders) a search skipped, with why.
    pub(super) skipped: Vec<(PathBuf, String)>,
    /// The folders holding a kustomization a search met (for its overlays: see `flux::overlays`).
    pub(super) kustomizations: Vec<PathBuf>,
    /// The Argo CD Application manifests a search found (whose layers are no inputs of their own).
    pub(super) applications: Vec<PathBuf>,
}

/// The inputs of one argument (`-`, a file, a chart directory), or those a directory holds.
pub(super) fn discover(argument: &str, globs: &Globs) -> Result<Found, Fatal> {
    if argument == "-" {
        return Ok(Found {
            inputs: vec![Input::Stdin],
            ..Found::default()
        });
    }
    let path = Path::new(argument);
    let meta = fs::metadata(path).map_err(|e| Fatal(format!("{}: {}", path.display(), io_reason(&e))))?;
    if !meta.is_dir() {
        return Ok(Found {
            inputs: vec![Input::File(path.to_path_buf())],
            ..Found::default()
        });
    }
    if chart_dir::is_chart_dir(path) {
        return Ok(Found {
            inputs: vec![Input::ChartDir(path.to_path_buf())],
            ..Found::default()
        });
    }
    if helmfile::is_helmfile(path) {
        // A `helmfile.d` folder is one Helmfile.
        return Ok(Found {
            inputs: vec![Input::File(path.to_path_buf())],
            ..Found::default()
        });
    }
    let mut search = Search {
        root: path,
        include: glob_set(&globs.include, "include")?,
        exclude: glob_set(&globs.exclude, "exclude")?,
        known: HashMap::new(),
        found: Found {
            searched: true,
            ..Found::default()
        },
    };
    let mut ignores = parent_ignores(path);
    search.walk(path, &mut ignores, 0)?;
    if search.found.inputs.is_empty() {
        return Err(Fatal(format!(
            "{}: no values files, chart directories, HelmRelease or Application manifests found ({} YAML files skipped; \
             --verbose says why)",
            path.display(),
            search.found.skipped.len()
        )));
    }
    Ok(search.found)
}

fn glob_set(globs: &[String], what: &str) -> Result<GlobSet, Fatal> {
    let mut set = GlobSetBuilder::new();
    for glob in globs {
        let parsed = Glob::new(glob).map_err(|e| Fatal(format!("[files] {what}: `{glob}`: {e}")))?;
        set.add(parsed);
    }
    set.build().map_err(|e| Fatal(format!("[files] {what}: {e}")))
}

/// The `.gitignore` files above `root`, up to the repository's top (the folder holding `.git`).
fn parent_ignores(root: &Path) -> Vec<Gitignore> {
    let Ok(absolute) = fs::canonicalize(root) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for dir in absolute.ancestors().skip(1) {
        if let Some(ignore) = gitignore_in(dir) {
            found.push(ignore);
        }
        if dir.join(".git").exists() {
            break;
        }
    }
    if !absolute.ancestors().any(|d| d.join(".git").exists()) {
        // Outside a repository, only the searched tree's own `.gitignore` files count.
        found.clear();
    }
    found.reverse();
    found
}

fn gitignore_in(dir: &Path) -> Option<Gitignore> {
    let file = dir.join(".gitignore");
    if !file.is_file() {
        return None;
    }
    let mut builder = GitignoreBuilder::new(dir);
    builder.add(&file);
    builder.build().ok()
}

/// Deepest directory level searched.
const MAX_WALK_DEPTH: usize = 32;

/// How much of a file is looked at to tell what it is.
const HEAD_BYTES: u64 = 64 * 1024;

struct Search<'a> {
    root: &'a Path,
    include: GlobSet,
    exclude: GlobSet,
    /// Whether a top-level key is one of a chart acp-check knows, by key.
    known: HashMap<String, bool>,
    found: Found,
}

impl Search<'_> {
    /// Adds the inputs under `dir` to what is found, in path order.
    fn walk(&mut self, dir: &Path, ignores: &mut Vec<Gitignore>, depth: usize) -> Result<(), Fatal> {
        if depth > MAX_WALK_DEPTH {
            return Ok(());
        }
        let mut entries: Vec<_> = fs::read_dir(dir)
            .map_err(|e| Fatal(format!("{}: {}", dir.display(), io_reason(&e))))?
            .filter_map(Result::ok)
            .collect();
        entries.sort_by_key(|e| e.file_name());
        let own = gitignore_in(dir);
        let pushed = own.is_some();
        ignores.extend(own);
        for entry in entries {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') || name == "node_modules" || name == "target" {
                continue;
            }
            let path = entry.path();
            // Symbolic links are not followed: they could loop.
            let Ok(kind) = entry.file_type() else { continue };
            let relative = path.strip_prefix(self.root).unwrap_or(&path).to_path_buf();
            let ignored = || {
                ignores
                    .iter()
                    .rev()
                    .map(|g| g.matched(&path, kind.is_dir()))
                    .find(|m| !m.is_none())
                    .is_some_and(|m| m.is_ignore())
            };
            if kind.is_dir() {
                if ignored() {
                    self.found
                        .skipped
                        .push((path, "the folder is ignored by .gitignore".into()));
                } else if chart_dir::is_chart_dir(&path) {
                    self.found.inputs.push(Input::ChartDir(path));
                } else if helmfile::is_helmfile(&path) {
                    self.found.inputs.push(Input::File(path));
                } else {
                    self.walk(&path, ignores, depth + 1)?;
                }
                continue;
            }
            let yaml = name.ends_with(".yaml") || name.ends_with(".yml") || helmfile::is_helmfile(&path);
            if !kind.is_file() || !yaml {
                continue;
            }
            if self.exclude.is_match(&relative) {
                self.found
                    .skipped
                    .push((path, "excluded by [files] exclude".into()));
            } else if self.include.is_match(&relative) {
                self.found.inputs.push(Input::File(path));
            } else if ignored() {
                self.found.skipped.push((path, "ignored by .gitignore".into()));
            } else {
                match self.what_is(&path, &name) {
                    Ok(()) => self.found.inputs.push(Input::File(path)),
                    Err(why) => self.found.skipped.push((path, why)),
                }
            }
        }
        if pushed {
            ignores.pop();
        }
        Ok(())
    }

    /// Whether a YAML file found is one to read, or why not.
    fn what_is(&mut self, path: &Path, name: &str) -> Result<(), String> {
        // A file named for values is one, whatever it holds (and is not opened twice).
        if name.contains("values") {
            return Ok(());
        }
        let mut head = Vec::new();
        fs::File::open(path)
            .and_then(|f| f.take(HEAD_BYTES).read_to_end(&mut head))
            .map_err(|e| format!("could not be read: {}", io_reason(&e)))?;
        let text = String::from_utf8_lossy(&head);
        // A kustomization may name a HelmRelease (a patch's target): it is none.
        if kustomize::FILE_NAMES.contains(&name) {
            if let Some(dir) = path.parent() {
                self.found.kustomizations.push(dir.to_path_buf());
            }
            // Its `helmCharts` entries are releases.
            if top_level_keys(&text).iter().any(|(k, _)| k == "helmCharts") {
                return Ok(());
            }
            return Err("a kustomization: its generators are read for the releases beside it".into());
        }
        if text.contains("HelmRelease") && text.contains("helm.toolkit.fluxcd.io") {
            return Ok(());
        }
        // An Argo CD Application, in any document of the file.
        if text.contains("argoproj.io/")
            && text.lines().any(|l| {
                l.split_once(':')
                    .is_some_and(|(k, v)| k == "kind" && v.trim().trim_matches(['"', '\'']) == "Application")
            })
        {
            self.found.applications.push(path.to_path_buf());
            return Ok(());
        }
        if helmfile::is_helmfile(path) {
            let keys = top_level_keys(&text);
            let keys: Vec<&str> = keys.iter().map(|(k, _)| k.as_str()).collect();
            // Templated beyond reading, it is still one: reading it says so.
            if helmfile::has_helmfile_keys(&keys) || text.contains("{{") {
                return Ok(());
            }
            return Err("a Helmfile without releases".into());
        }
        let keys = top_level_keys(&text);
        if let Some(kind) = keys.iter().find(|(k, _)| *k == "kind").map(|(_, v)| v.as_str()) {
            if keys.iter().any(|(k, _)| *k == "apiVersion") {
                return Err(match kind {
                    "ApplicationSet" if text.contains("argoproj.io") => {
                        format!("an Argo CD {kind}: acp-check does not read them yet")
                    }
                    "" => "a Kubernetes manifest, not values".into(),
                    kind => format!("a Kubernetes manifest (kind {kind}), not values"),
                });
            }
        }
        if keys.is_empty() {
            return Err("no top-level keys: not a values file".into());
        }
        let known = keys.iter().filter(|(k, _)| self.is_chart_key(k)).count();
        // Most keys known, so that a typo among them does not hide the file.
        if known > 0 && 2 * known >= keys.len() {
            return Ok(());
        }
        // Only keys that look like names are shown (a key may hold anything, a secret too).
        let shown: Vec<&str> = keys
            .iter()
            .take(3)
            .map(|(k, _)| k.as_str())
            .map(|k| {
                let plain = k.len() <= 40
                    && k.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
                if plain && !crate::core::redact::is_secret_key(k) {
                    k
                } else {
                    "…"
                }
            })
            .collect();
        Err(format!(
            "not values of a chart acp-check knows: {} of its {} top-level keys ({}{}) are keys of redis-cluster, acp or kube-acp-stack",
            known,
            keys.len(),
            shown.join(", "),
            if keys.len() > 3 { ", …" } else { "" }
        ))
    }

    fn is_chart_key(&mut self, key: &str) -> bool {
        if let Some(&known) = self.known.get(key) {
            return known;
        }
        let known =
            ["acp", "redis-cluster"].contains(&key) || Chart::ALL.into_iter().any(|c| has_own_key(c, key));
        self.known.insert(key.to_string(), known);
        known
    }
}

/// Whether some version of `chart` has the top-level key `key` (a chart whose top level takes any
/// key would make every key known: that is not a sign of its values).
fn has_own_key(chart: Chart, key: &str) -> bool {
    chart.has_key_anywhere(&[key]) && !chart.has_key_anywhere(&["acp-check-no-such-key"])
}

/// The keys written at the start of a line (block mappings at the top level), with the scalar after
/// them, of every document in `text`.
fn top_level_keys(text: &str) -> Vec<(String, String)> {
    let mut keys = Vec::new();
    for line in text.lines() {
        let Some(first) = line.chars().next() else {
            continue;
        };
        if first.is_whitespace() || matches!(first, '#' | '-' | '.' | '%' | '{' | '[' | '|' | '>') {
            continue;
        }
        let Some((key, rest)) = line.split_once(':') else {
            continue;
        };
        if !(rest.is_empty() || rest.starts_with(' ') || rest.starts_with('\t')) {
            continue;
        }
        let key = key.trim().trim_matches(['"', '\'']).to_string();
        let value = rest.trim().trim_matches(['"', '\'']).to_string();
        if !key.is_empty() && !keys.iter().any(|(k, _)| *k == key) {
            keys.push((key, value));
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::test_dir::TestDir;

    fn search(dir: &TestDir) -> Found {
        discover(dir.path().to_str().unwrap(), &Globs::default()).unwrap()
    }

    fn files(found: &Found) -> Vec<Input> {
        found
            .inputs
            .iter()
            .map(|i| match i {
                Input::File(p) => Input::File(p.clone()),
                Input::ChartDir(p) => Input::ChartDir(p.clone()),
                Input::Stdin => Input::Stdin,
            })
            .collect()
    }

    #[test]
    fn a_search_finds_values_by_content_chart_directories_and_helm_releases_in_path_order() {
        let dir = TestDir::new("discover");
        let root = dir.path();
        dir.write("prod/values.yaml", "a: 1\n");
        dir.write("prod/redis-values.yml", "a: 1\n");
        dir.write("prod/notes.txt", "values\n");
        // Named any way: told by its keys, a typo among them too.
        dir.write(
            "env/prod.yaml",
            "cluster:\n  nodes: 6\nusePassword: true\ntypo: 1\n",
        );
        dir.write(
            "env/other-chart.yaml",
            "grafana:\n  enabled: true\nprometheus: {}\n",
        );
        dir.write("chart/Chart.yaml", "name: acp\n");
        // A chart directory is one input: its files are not searched.
        dir.write("chart/values.yaml", "a: 1\n");
        dir.write("chart/sub/values.yaml", "a: 1\n");
        dir.write(
            "flux/release.yaml",
            "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\n",
        );
        // A patch's target names a HelmRelease: still a kustomization.
        dir.write(
            "flux/kustomization.yaml",
            "kind: Kustomization\npatches:\n  - target: {group: helm.toolkit.fluxcd.io, kind: HelmRelease}\n",
        );
        dir.write("flux/deployment.yaml", "apiVersion: apps/v1\nkind: Deployment\n");
        let found = search(&dir);
        assert_eq!(
            files(&found),
            vec![
                Input::ChartDir(root.join("chart")),
                Input::File(root.join("env/prod.yaml")),
                Input::File(root.join("flux/release.yaml")),
                Input::File(root.join("prod/redis-values.yml")),
                Input::File(root.join("prod/values.yaml")),
            ]
        );
        assert!(found.searched);
        let skipped: Vec<(PathBuf, &str)> = found
            .skipped
            .iter()
            .map(|(p, w)| (p.strip_prefix(root).unwrap().to_path_buf(), w.as_str()))
            .collect();
        assert_eq!(
            skipped,
            [
                (PathBuf::from("env/other-chart.yaml"), "not values of a chart acp-check knows: 0 of its 2 top-level keys (grafana, prometheus) are keys of redis-cluster, acp or kube-acp-stack"),
                (PathBuf::from("flux/deployment.yaml"), "a Kubernetes manifest (kind Deployment), not values"),
                (PathBuf::from("flux/kustomization.yaml"), "a kustomization: its generators are read for the releases beside it"),
            ]
        );
    }

    #[test]
    fn gitignored_paths_are_skipped_and_globs_override() {
        let dir = TestDir::new("discover-ignore");
        let root = dir.path();
        dir.write(".gitignore", "build/\n*.local.yaml\n");
        dir.write("build/values.yaml", "a: 1\n");
        dir.write("dev.local.yaml", "cluster: {nodes: 6}\n");
        dir.write("keep/values.yaml", "a: 1\n");
        dir.write("keep/.gitignore", "!dev.local.yaml\n");
        dir.write("keep/dev.local.yaml", "cluster: {nodes: 6}\n");
        dir.write("odd/settings.yaml", "x: 1\n");
        let found = search(&dir);
        assert_eq!(
            files(&found),
            [
                Input::File(root.join("keep/dev.local.yaml")),
                Input::File(root.join("keep/values.yaml"))
            ]
        );
        let reasons: Vec<&str> = found.skipped.iter().map(|(_, w)| w.as_str()).collect();
        assert_eq!(
            reasons[..2],
            ["the folder is ignored by .gitignore", "ignored by .gitignore"]
        );

        let globs = Globs {
            include: vec!["odd/*.yaml".into()],
            exclude: vec!["keep/**".into()],
        };
        let found = discover(root.to_str().unwrap(), &globs).unwrap();
        assert_eq!(files(&found), [Input::File(root.join("odd/settings.yaml"))]);
        let bad = Globs {
            include: vec!["a[".into()],
            exclude: vec![],
        };
        assert!(discover(root.to_str().unwrap(), &bad)
            .unwrap_err()
            .0
            .starts_with("[files] include: `a[`"));
    }

    #[test]
    fn a_search_skips_hidden_folders_dependencies_build_output_and_links() {
        let dir = TestDir::new("discover-skip");
        let root = dir.path();
        let kept = dir.write("values.yaml", "a: 1\n");
        for skipped in [".git", ".hidden", "node_modules", "target"] {
            dir.write(&format!("{skipped}/values.yaml"), "a: 1\n");
        }
        dir.write(".values.yaml", "a: 1\n");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&kept, root.join("linked-values.yaml")).unwrap();
            std::os::unix::fs::symlink(root, root.join("loop")).unwrap();
        }
        assert_eq!(files(&search(&dir)), vec![Input::File(kept)]);
    }

    #[test]
    fn a_search_stops_at_the_deepest_level() {
        let dir = TestDir::new("discover-deep");
        let deepest = "d/".repeat(MAX_WALK_DEPTH);
        dir.write(&format!("{deepest}values.yaml"), "a: 1\n");
        dir.write(&format!("{deepest}d/values.yaml"), "a: 1\n");
        assert_eq!(
            files(&search(&dir)),
            [Input::File(dir.path().join(format!("{deepest}values.yaml")))]
        );
    }

    #[test]
    fn a_named_input_is_read_whatever_its_name() {
        let dir = TestDir::new("discover-named");
        let file = dir.write("config.txt", "a: 1\n");
        let none = Globs::default();
        let found = discover(file.to_str().unwrap(), &none).unwrap();
        assert_eq!(
            (files(&found), found.searched),
            (vec![Input::File(file.clone())], false)
        );
        dir.write("chart/Chart.yaml", "name: acp\n");
        let chart = dir.path().join("chart");
        assert_eq!(
            files(&discover(chart.to_str().unwrap(), &none).unwrap()),
            vec![Input::ChartDir(chart)]
        );
        assert_eq!(files(&discover("-", &none).unwrap()), vec![Input::Stdin]);
    }

    #[test]
    fn nothing_to_read_is_an_error_that_names_the_path() {
        let dir = TestDir::new("discover-empty");
        dir.write("deployment.yaml", "kind: Deployment\n");
        let root = dir.path().display();
        assert_eq!(
            discover(&root.to_string(), &Globs::default()).unwrap_err().0,
            format!(
                "{root}: no values files, chart directories, HelmRelease or Application manifests found (1 YAML files skipped; --verbose says why)"
            )
        );
        let missing = dir.path().join("missing");
        assert_eq!(
            discover(missing.to_str().unwrap(), &Globs::default())
                .unwrap_err()
                .0,
            format!("{}: no such file or directory", missing.display())
        );
    }
}
