//! A chart directory: its `values.yaml` is the release's values, its `Chart.yaml` names the chart,
//! its version and its dependencies (subcharts, whose values sit under their name or alias).

use crate::yaml::Helm;
use std::path::Path;

use super::loader::Loader;
use super::values_file;
use crate::core::source::SourceId;
use crate::core::Fatal;
use crate::model::{Dependency, Kind, Located, Release};
use crate::tree::Node;

/// A directory holding a `Chart.yaml` is a chart, not a folder to search.
pub(super) fn is_chart_dir(dir: &Path) -> bool {
    dir.join("Chart.yaml").is_file()
}

/// The release of chart directory `dir`, its files read into `loader`.
pub(super) fn read(loader: &mut Loader, dir: &Path, helm: Helm) -> Result<Release, Fatal> {
    let chart = loader
        .read_file(&dir.join("Chart.yaml"))?
        .and_then(|(_, r)| loader.first(r));
    let lock_path = dir.join("Chart.lock");
    let lock = if lock_path.is_file() {
        loader.read_file(&lock_path)?.and_then(|(_, r)| loader.first(r))
    } else {
        None
    };
    let values_path = dir.join("values.yaml");
    let values = if values_path.is_file() {
        loader.read_file(&values_path)?
    } else {
        None
    };
    let label = dir.display().to_string();
    let mut release = match values {
        // Read as Helm's chart loader reads it (Helm 4: every document, merged).
        Some((id, r)) => {
            let doc = loader
                .values_documents(id, r, helm)
                .and_then(|read| loader.merged(&read));
            values_file::release(Kind::ChartDir, label, id, doc)
        }
        None => values_file::release(Kind::ChartDir, label, SourceId(u32::MAX), None),
    };
    if let Some(chart) = &chart {
        release.chart_name = chart.get(&["name"]).and_then(Located::from_node);
        release.chart_version = chart.get(&["version"]).and_then(Located::from_node);
        release.chart_origin = origin(chart);
        release.dependencies = dependencies(chart, lock.as_ref());
    }
    Ok(release)
}

/// Where a chart comes from, by its Chart.yaml: `home` and `sources` (another chart may have the
/// same name). A Chart.yaml that names neither gives `-`, which identifies no chart acp-check
/// knows: a chart of that name copied and edited in place still carries them.
fn origin(chart: &Node) -> Vec<String> {
    let mut found: Vec<String> = chart
        .get(&["home"])
        .and_then(Node::as_str)
        .into_iter()
        .chain(
            chart
                .get(&["sources"])
                .and_then(Node::as_seq)
                .unwrap_or_default()
                .iter()
                .filter_map(Node::as_str),
        )
        .map(str::to_string)
        .collect();
    if found.is_empty() {
        found.push("-".into());
    }
    found
}

/// Dependencies of an umbrella chart: names and aliases from Chart.yaml, versions from Chart.lock
/// when it has them (the lock holds what was really resolved).
fn dependencies(chart: &Node, lock: Option<&Node>) -> Vec<Dependency> {
    let locked = |name: &str| -> Option<Located<String>> {
        lock?.get(&["dependencies"])?.as_seq()?.iter().find_map(|d| {
            (d.get(&["name"]).and_then(Node::as_str) == Some(name))
                .then(|| d.get(&["version"]).and_then(Located::from_node))
                .flatten()
        })
    };
    let Some(deps) = chart.get(&["dependencies"]).and_then(Node::as_seq) else {
        return Vec::new();
    };
    deps.iter()
        .filter_map(|d| {
            let name = d.get(&["name"]).and_then(Node::as_str)?.to_string();
            let values_key = d
                .get(&["alias"])
                .and_then(Node::as_str)
                .unwrap_or(&name)
                .to_string();
            let version = locked(&name).or_else(|| d.get(&["version"]).and_then(Located::from_node));
            let text = |key: &str| d.get(&[key]).and_then(Node::as_str).map(str::to_string);
            Some(Dependency {
                name,
                values_key,
                version,
                repository: text("repository"),
                condition: text("condition"),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::source::Sources;
    use crate::input::test_dir::TestDir;
    use serde_json::json;

    const CHART: &str = "\
name: kube-acp-stack
version: 2.23.0
dependencies:
  - name: acp
    version: 2.23.0
  - name: redis-cluster
    alias: redis
    version: ~9.0.0
  - name: no-version
  - version: 1.0.0
";

    fn read_dir(dir: &Path) -> Release {
        read(&mut Loader::new(Sources::default()), dir, Helm::V4).unwrap()
    }

    fn versions(release: &Release) -> Vec<(&str, &str, Option<&str>)> {
        release
            .dependencies
            .iter()
            .map(|d| {
                (
                    d.name.as_str(),
                    d.values_key.as_str(),
                    d.version.as_ref().map(|v| v.value.as_str()),
                )
            })
            .collect()
    }

    #[test]
    fn chart_yaml_names_the_chart_and_its_dependencies() {
        let dir = TestDir::new("chart-dir");
        dir.write("Chart.yaml", CHART);
        dir.write("values.yaml", "acp:\n  serverURL: https://acp\n");
        assert!(is_chart_dir(dir.path()));
        let release = read_dir(dir.path());
        assert_eq!(release.kind, Kind::ChartDir);
        assert_eq!(release.label, dir.path().display().to_string());
        assert_eq!(release.chart_name.as_ref().unwrap().value, "kube-acp-stack");
        assert_eq!(release.chart_version.as_ref().unwrap().value, "2.23.0");
        assert_eq!(
            release.values.to_json(),
            json!({"acp": {"serverURL": "https://acp"}})
        );
        // A subchart's values sit under its alias; an entry without a name is no dependency.
        assert_eq!(
            versions(&release),
            [
                ("acp", "acp", Some("2.23.0")),
                ("redis-cluster", "redis", Some("~9.0.0")),
                ("no-version", "no-version", None),
            ]
        );
    }

    #[test]
    fn chart_lock_versions_win_over_chart_yaml_ranges() {
        let dir = TestDir::new("chart-lock");
        dir.write("Chart.yaml", CHART);
        dir.write(
            "Chart.lock",
            "dependencies:\n  - name: redis-cluster\n    version: 9.0.5\n  - name: no-version\n    version: 0.1.0\n",
        );
        let release = read_dir(dir.path());
        assert_eq!(
            versions(&release),
            [
                ("acp", "acp", Some("2.23.0")),
                ("redis-cluster", "redis", Some("9.0.5")),
                ("no-version", "no-version", Some("0.1.0")),
            ]
        );
        // No values.yaml: the chart's values are empty.
        assert_eq!(release.values.to_json(), json!({}));
    }

    #[test]
    fn a_directory_without_chart_yaml_is_no_chart() {
        let dir = TestDir::new("no-chart");
        dir.write("values.yaml", "a: 1\n");
        assert!(!is_chart_dir(dir.path()));
        // A folder named Chart.yaml is not the file.
        std::fs::create_dir(dir.path().join("Chart.yaml")).unwrap();
        assert!(!is_chart_dir(dir.path()));
    }
}
