//! The integrations, run the way their hosts run them: the pre-commit hooks through
//! `pre-commit try-repo`, the Helm plugin through its manifest as Helm reads it (Helm itself is not
//! installable here: the test expands and runs the manifest's command and hook exactly as Helm 3
//! does), and the CI examples against the CI systems' own schemas.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::*;
use serde_json::Value;

/// The directory of the acp-check binary under test, for PATH.
fn bin_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_acp-check"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// PATH with `first` in front of the system directories (and nothing that holds an acp-check).
fn path_with(first: &[&Path]) -> String {
    let mut dirs: Vec<PathBuf> = first.iter().map(|p| p.to_path_buf()).collect();
    dirs.extend(["/usr/local/bin", "/usr/bin", "/bin"].map(PathBuf::from));
    std::env::join_paths(dirs).unwrap().to_string_lossy().into_owned()
}

fn finish(cmd: &mut Command) -> Run {
    let out = cmd.output().unwrap_or_else(|e| panic!("run {cmd:?}: {e}"));
    Run {
        code: out.status.code().expect("exited normally"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn git(dir: &Path, args: &[&str]) {
    let run = finish(
        Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
            .args(args)
            .current_dir(dir),
    );
    assert_eq!(run.code, 0, "git {args:?}: {}", run.stderr);
}

/// A YAML file as JSON, read by PyYAML.
fn yaml(path: &Path) -> Value {
    let run = run_tool(
        &tool("python3"),
        &[
            "-c",
            "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
            path.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

/// A project with the deployment in `deploy/`, as a git repository.
fn project(name: &str, values: &str) -> PathBuf {
    let dir = scratch(name);
    std::fs::create_dir_all(dir.join("deploy")).unwrap();
    std::fs::copy(root().join(values), dir.join("deploy/values.yaml")).unwrap();
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "."]);
    dir
}

/// `pre-commit try-repo HOOKS_REPO HOOK --all-files` in a project.
fn try_repo(hooks: &Path, hook: &str, project: &Path, envs: &[(&str, String)]) -> Run {
    let mut cmd = Command::new(tool("pre-commit"));
    cmd.args([
        "try-repo",
        hooks.to_str().unwrap(),
        hook,
        "--all-files",
        "--color",
        "never",
    ])
    .current_dir(project)
    .env("PRE_COMMIT_HOME", project.join(".pre-commit-home"))
    .env("PATH", path_with(&[&bin_dir()]));
    for (k, v) in envs {
        cmd.env(k, v);
    }
    finish(&mut cmd)
}

#[test]
fn the_system_pre_commit_hook_lints_the_deployment() {
    // A hooks repository holding the manifest, as pre-commit clones it.
    let hooks = scratch("pre-commit-hooks-repo");
    std::fs::copy(
        root().join(".pre-commit-hooks.yaml"),
        hooks.join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    git(&hooks, &["init", "-q"]);
    git(&hooks, &["add", "."]);
    git(&hooks, &["commit", "-qm", "hooks"]);

    let broken = project("pre-commit-broken", "examples/values.yaml");
    let run = try_repo(&hooks, "acp-check-system", &broken, &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("acp-check lint"), "{}", run.stdout);
    assert!(run.stdout.contains("Failed"), "{}", run.stdout);
    assert!(run.stdout.contains("duplicate-key"), "{}", run.stdout);
    assert!(run.stdout.contains("deploy/values.yaml:34:3"), "{}", run.stdout);

    let clean = project("pre-commit-clean", "fixtures/valid/umbrella-values.yaml");
    let run = try_repo(&hooks, "acp-check-system", &clean, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("Passed"), "{}", run.stdout);
}

#[test]
fn the_rust_pre_commit_hook_builds_acp_check_and_lints() {
    // pre-commit builds the hook with `cargo install --path .` from a clone of this repository.
    // The build is made cheap (no LTO, no optimisation) and its target directory kept between runs.
    let hooks = scratch("pre-commit-rust-repo");
    let listed = finish(
        Command::new("git")
            .args(["ls-files", "--cached", "--others", "--exclude-standard"])
            .current_dir(root()),
    );
    for file in listed.stdout.lines() {
        let from = root().join(file);
        if from.is_file() {
            let to = hooks.join(file);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(&from, &to).unwrap();
        }
    }
    git(&hooks, &["init", "-q"]);
    git(&hooks, &["add", "."]);
    git(&hooks, &["commit", "-qm", "acp-check"]);
    let cargo_bin = Path::new(&tool("cargo")).parent().unwrap().to_path_buf();
    let envs = [
        ("PATH", path_with(&[&cargo_bin])),
        (
            "CARGO_TARGET_DIR",
            root()
                .join("target/pre-commit-build")
                .to_string_lossy()
                .into_owned(),
        ),
        ("CARGO_PROFILE_RELEASE_LTO", "off".to_string()),
        ("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0".to_string()),
        ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16".to_string()),
    ];
    let broken = project("pre-commit-rust-broken", "examples/values.yaml");
    let started = std::time::SystemTime::now();
    let run = try_repo(&hooks, "acp-check", &broken, &envs);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("duplicate-key"),
        "{}{}",
        run.stdout,
        run.stderr
    );
    assert!(run.stdout.contains("deploy/values.yaml:34:3"), "{}", run.stdout);
    // pre-commit built acp-check for this run (no acp-check is on the PATH it was given).
    let built = root().join("target/pre-commit-build/release/acp-check");
    let modified = std::fs::metadata(&built).and_then(|m| m.modified()).unwrap();
    assert!(
        modified >= started,
        "{} was not built by this run",
        built.display()
    );
}

/// Runs `helm acp-check ARGS` as Helm 3 does, and Helm 4 with a manifest without `apiVersion` (a
/// legacy plugin, whose `command` it makes its one `platformCommand`): the command split on spaces,
/// each part's environment variables expanded, the arguments appended; HELM_PLUGIN_DIR and
/// HELM_PLUGIN_NAME set.
fn helm_plugin(plugin_dir: &Path, path: &str, args: &[&str]) -> Run {
    let manifest = yaml(&plugin_dir.join("plugin.yaml"));
    let command = manifest["command"].as_str().unwrap();
    let parts: Vec<String> = command
        .split(' ')
        .map(|p| p.replace("$HELM_PLUGIN_DIR", plugin_dir.to_str().unwrap()))
        .collect();
    finish(
        Command::new(&parts[0])
            .args(&parts[1..])
            .args(args)
            .current_dir(root())
            .env("HELM_PLUGIN_DIR", plugin_dir)
            .env("HELM_PLUGIN_NAME", "acp-check")
            .env("PATH", path)
            .env_remove("GITHUB_ACTIONS"),
    )
}

/// Runs a hook as Helm 3 does, and Helm 4 for a legacy plugin (its `hooks` become
/// `sh -c HOOK`, the hook's text not expanded): `sh -c HOOK` with HELM_PLUGIN_DIR set.
fn helm_hook(plugin_dir: &Path, event: &str, path: &str) -> Run {
    let manifest = yaml(&plugin_dir.join("plugin.yaml"));
    let hook = manifest["hooks"][event].as_str().unwrap();
    finish(
        Command::new("sh")
            .args(["-c", hook])
            .env("HELM_PLUGIN_DIR", plugin_dir)
            .env("PATH", path),
    )
}

/// The plugin as `helm plugin install` leaves it: the repository's files in the plugin directory.
fn installed_plugin(name: &str) -> PathBuf {
    let dir = scratch(name);
    std::fs::copy(root().join("plugin.yaml"), dir.join("plugin.yaml")).unwrap();
    std::fs::create_dir_all(dir.join("scripts")).unwrap();
    std::fs::copy(
        root().join("scripts/helm-plugin.sh"),
        dir.join("scripts/helm-plugin.sh"),
    )
    .unwrap();
    dir
}

#[test]
fn the_helm_plugin_manifest_is_valid_and_runs_acp_check() {
    let manifest = yaml(&root().join("plugin.yaml"));
    assert_eq!(manifest["name"], "acp-check");
    assert_eq!(
        manifest["version"],
        env!("CARGO_PKG_VERSION"),
        "plugin.yaml's version follows Cargo.toml"
    );
    assert!(manifest["usage"].as_str().is_some_and(|u| !u.is_empty()));
    // Helm 4 reads a manifest without `apiVersion` as a legacy plugin, and refuses one whose name is
    // not [A-Za-z0-9_-]+, whose version is not semver, or that sets both `command` and
    // `platformCommand`, or both `hooks` and `platformHooks` (Helm 3 reads the same fields).
    assert!(
        manifest.get("apiVersion").is_none(),
        "a v1 manifest does not load in Helm 3"
    );
    let name = manifest["name"].as_str().unwrap();
    assert!(name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'));
    assert!(semver::Version::parse(manifest["version"].as_str().unwrap()).is_ok());
    assert!(manifest["command"].is_string() && manifest.get("platformCommand").is_none());
    assert!(manifest["hooks"].is_object() && manifest.get("platformHooks").is_none());

    let plugin = installed_plugin("helm-plugin");
    // The install hook finds acp-check on PATH and builds nothing.
    let path = path_with(&[&bin_dir()]);
    let install = helm_hook(&plugin, "install", &path);
    assert_eq!(install.code, 0, "{}", install.stderr);
    assert!(
        install.stdout.contains("acp-check plugin: using"),
        "{}",
        install.stdout
    );

    // `helm acp-check lint …` is `acp-check lint …`.
    let args = ["lint", "examples/values.yaml", "--format", "json"];
    let via_helm = helm_plugin(&plugin, &path, &args);
    let direct = run(&args);
    assert_eq!(via_helm.code, 1, "{}", via_helm.stderr);
    assert_eq!(via_helm.stdout, direct.stdout);
    let rules = helm_plugin(&plugin, &path, &["rules"]);
    assert_eq!(rules.code, 0);
    assert!(rules.stdout.contains("duplicate-key"));

    // A binary in the plugin's bin/ is used first; without any acp-check the command says what to do.
    let bare = path_with(&[]);
    let none = helm_plugin(&plugin, &bare, &["rules"]);
    assert_eq!(none.code, 2);
    assert!(
        none.stderr.contains("helm acp-check: acp-check is not installed"),
        "{}",
        none.stderr
    );
    std::fs::create_dir_all(plugin.join("bin")).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_acp-check"), plugin.join("bin/acp-check")).unwrap();
    let own = helm_plugin(&plugin, &bare, &args);
    assert_eq!(own.code, 1);
    assert_eq!(own.stdout, direct.stdout);

    // Without acp-check and without cargo the install hook fails and says how to install.
    let fresh = installed_plugin("helm-plugin-fresh");
    let failed = helm_hook(&fresh, "install", &bare);
    assert_eq!(failed.code, 1);
    assert!(
        failed.stderr.contains("cargo install --locked --path"),
        "{}",
        failed.stderr
    );
}

#[test]
fn the_ci_examples_are_valid_for_their_ci_systems() {
    // Each example, the CI system's schema it must pass, and what it must write and hand over.
    for (file, schema, wants) in [
        (
            "doc/ci/github-actions.yml",
            "vendor.github-workflows",
            &["--format sarif=", "--format junit=", "upload-sarif"][..],
        ),
        (
            "doc/ci/gitlab-ci.yml",
            "vendor.gitlab-ci",
            &[
                "--format gitlab=gl-code-quality-report.json",
                "codequality: gl-code-quality-report.json",
                "--format junit=acp-check.junit.xml",
                "junit: acp-check.junit.xml",
                "--format sarif=acp-check.sarif",
                "sarif: acp-check.sarif",
            ][..],
        ),
        (
            "doc/ci/reviewdog.yml",
            "vendor.github-workflows",
            &[
                "--format rdjson",
                "reviewdog -f=rdjson",
                "-reporter=github-pr-review",
            ][..],
        ),
    ] {
        let check = run_tool(&tool("check-jsonschema"), &["--builtin-schema", schema, file]);
        assert_eq!(check.code, 0, "{file}: {}{}", check.stdout, check.stderr);
        let text = std::fs::read_to_string(root().join(file)).unwrap();
        for want in wants {
            assert!(text.contains(want), "{file} lacks {want}");
        }
        assert!(
            text.contains(&format!(
                "cargo install --locked --git {}",
                env!("CARGO_PKG_REPOSITORY")
            )),
            "{file} installs acp-check from the repository Cargo.toml names"
        );
        let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
        assert!(readme.contains(&text), "README's copy of {file} is out of date");
    }
    let pre_commit = yaml(&root().join(".pre-commit-hooks.yaml"));
    let ids: Vec<&str> = pre_commit
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["acp-check", "acp-check-system"]);
    let check = run_tool(
        &tool("pre-commit"),
        &["validate-manifest", ".pre-commit-hooks.yaml"],
    );
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
}
