//! Finding the inputs an argument names: standard input, a file, a chart directory, or a directory
//! searched for values files (`*values*.yaml`), chart directories and HelmRelease manifests.

use std::fs;
use std::path::{Path, PathBuf};

use super::{chart_dir, helm_release};
use crate::core::read::io_reason;
use crate::core::Fatal;

/// Where an input is read from.
#[derive(Debug, PartialEq)]
pub(super) enum Input {
    Stdin,
    /// A values file or a manifest: which one is told from what it holds.
    File(PathBuf),
    ChartDir(PathBuf),
}

/// The inputs of one argument (`-`, a file, a chart directory), or those a directory holds (then
/// `true`: they were found by a search).
pub(super) fn discover(argument: &str) -> Result<(Vec<Input>, bool), Fatal> {
    if argument == "-" {
        return Ok((vec![Input::Stdin], false));
    }
    let path = Path::new(argument);
    let meta = fs::metadata(path).map_err(|e| Fatal(format!("{}: {}", path.display(), io_reason(&e))))?;
    if !meta.is_dir() {
        return Ok((vec![Input::File(path.to_path_buf())], false));
    }
    if chart_dir::is_chart_dir(path) {
        return Ok((vec![Input::ChartDir(path.to_path_buf())], false));
    }
    let mut found = Vec::new();
    walk(path, &mut found, 0)?;
    if found.is_empty() {
        return Err(Fatal(format!(
            "{}: no values files (*values*.yaml), chart directories or HelmRelease manifests found",
            path.display()
        )));
    }
    Ok((found, true))
}

/// Deepest directory level searched.
const MAX_WALK_DEPTH: usize = 32;

/// Adds the inputs under `dir` to `found`, in path order.
fn walk(dir: &Path, found: &mut Vec<Input>, depth: usize) -> Result<(), Fatal> {
    if depth > MAX_WALK_DEPTH {
        return Ok(());
    }
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map_err(|e| Fatal(format!("{}: {}", dir.display(), io_reason(&e))))?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || name == "node_modules" || name == "target" {
            continue;
        }
        let path = entry.path();
        // Symbolic links are not followed: they could loop.
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() {
            if chart_dir::is_chart_dir(&path) {
                found.push(Input::ChartDir(path));
            } else {
                walk(&path, found, depth + 1)?;
            }
        } else if kind.is_file()
            && (name.ends_with(".yaml") || name.ends_with(".yml"))
            && (name.contains("values") || helm_release::mentioned_in(&path))
        {
            found.push(Input::File(path));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::test_dir::TestDir;

    fn discover_in(dir: &TestDir) -> (Vec<Input>, bool) {
        discover(dir.path().to_str().unwrap()).unwrap()
    }

    #[test]
    fn a_search_finds_values_files_chart_directories_and_helm_releases_in_path_order() {
        let dir = TestDir::new("discover");
        let root = dir.path();
        dir.write("prod/values.yaml", "a: 1\n");
        dir.write("prod/redis-values.yml", "a: 1\n");
        dir.write("prod/notes.txt", "values\n");
        dir.write("chart/Chart.yaml", "name: acp\n");
        // A chart directory is one input: its files are not searched.
        dir.write("chart/values.yaml", "a: 1\n");
        dir.write("chart/sub/values.yaml", "a: 1\n");
        dir.write("flux/release.yaml", "kind: HelmRelease\n");
        dir.write("flux/kustomization.yaml", "kind: Kustomization\n");
        assert_eq!(
            discover_in(&dir),
            (
                vec![
                    Input::ChartDir(root.join("chart")),
                    Input::File(root.join("flux/release.yaml")),
                    Input::File(root.join("prod/redis-values.yml")),
                    Input::File(root.join("prod/values.yaml")),
                ],
                true
            )
        );
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
        assert_eq!(discover_in(&dir), (vec![Input::File(kept)], true));
    }

    #[test]
    fn a_search_stops_at_the_deepest_level() {
        let dir = TestDir::new("discover-deep");
        let deepest = "d/".repeat(MAX_WALK_DEPTH);
        dir.write(&format!("{deepest}values.yaml"), "a: 1\n");
        dir.write(&format!("{deepest}d/values.yaml"), "a: 1\n");
        let (found, _) = discover_in(&dir);
        assert_eq!(
            found,
            [Input::File(dir.path().join(format!("{deepest}values.yaml")))]
        );
    }

    #[test]
    fn a_named_input_is_read_whatever_its_name() {
        let dir = TestDir::new("discover-named");
        let file = dir.write("config.txt", "a: 1\n");
        assert_eq!(
            discover(file.to_str().unwrap()).unwrap(),
            (vec![Input::File(file.clone())], false)
        );
        dir.write("chart/Chart.yaml", "name: acp\n");
        let chart = dir.path().join("chart");
        assert_eq!(
            discover(chart.to_str().unwrap()).unwrap(),
            (vec![Input::ChartDir(chart)], false)
        );
        assert_eq!(discover("-").unwrap(), (vec![Input::Stdin], false));
    }

    #[test]
    fn nothing_to_read_is_an_error_that_names_the_path() {
        let dir = TestDir::new("discover-empty");
        dir.write("deployment.yaml", "kind: Deployment\n");
        let root = dir.path().display();
        assert_eq!(
            discover(&root.to_string()).unwrap_err().0,
            format!(
                "{root}: no values files (*values*.yaml), chart directories or HelmRelease manifests found"
            )
        );
        let missing = dir.path().join("missing");
        assert_eq!(
            discover(missing.to_str().unwrap()).unwrap_err().0,
            format!("{}: no such file or directory", missing.display())
        );
    }
}
