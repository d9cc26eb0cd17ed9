//! The command line: clap definitions, dispatch to the pipelines of [`crate::app`], exit codes
//! (the README's "Usage").

use std::ffi::{OsStr, OsString};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::builder::{EnumValueParser, PossibleValue, TypedValueParser};
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::app::{self, Outcome};
use crate::config::Config;
use crate::core::Fatal;
use crate::input;
use crate::report::output::{Format, FormatSpec};
use crate::schema::export::Chart;

#[derive(Parser, Debug)]
#[command(
    name = "acp-check",
    version,
    propagate_version = true,
    about = "Finds Redis misconfigurations in Cloudentity (ACP) Helm deployments"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once per run: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
enum Command {
    /// Check values files, chart directories, HelmRelease and Application manifests.
    Lint(LintArgs),
    /// List every rule with its default severity.
    Rules(RulesArgs),
    /// Connect to the live Redis as the platform will, and report each failure mode with its fix.
    Probe(ProbeArgs),
    /// Explain a rule, or a fatal log line of the platform: which failure mode, and how to fix it.
    Explain(ExplainArgs),
    /// Print each release's effective values: chart defaults, a parent's values, files and flags.
    Values(ValuesArgs),
    /// Print the embedded JSON Schemas, or write a values.schema.json for a chart.
    Schema(SchemaArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
}

/// The whole command line, for generated completions and man pages.
pub fn command() -> clap::Command {
    Cli::command()
}

#[derive(Args, Debug)]
struct LintArgs {
    #[command(flatten)]
    input: HelmInputArgs,
    /// List on standard error the files a directory search skipped, with why.
    #[arg(long, help_heading = "Output")]
    verbose: bool,
    #[command(flatten)]
    output: OutputArgs,
    #[command(flatten)]
    findings: FindingArgs,
    #[command(flatten)]
    fixes: FixArgs,
    /// The config file (rule levels, version policy). Default: the first `.acp-check.toml` in the
    /// current directory or one of its parents.
    #[arg(long, value_name = "PATH", help_heading = "Configuration")]
    config: Option<std::path::PathBuf>,
}

#[derive(Args, Debug)]
struct ValuesArgs {
    #[command(flatten)]
    input: HelmInputArgs,
    /// How to print the values.
    #[arg(long, value_enum, default_value_t = ValuesFormat::Yaml, help_heading = "Output")]
    format: ValuesFormat,
    /// Say for every value where it comes from: a chart's default (and which version), FILE:LINE:COL,
    /// `--set #N`, or a layer acp-check could not read.
    #[arg(long, help_heading = "Output")]
    show_origin: bool,
    /// The config file (its `[charts]` versions). Default: the first `.acp-check.toml` in the
    /// current directory or one of its parents.
    #[arg(long, value_name = "PATH", help_heading = "Configuration")]
    config: Option<std::path::PathBuf>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum ValuesFormat {
    Yaml,
    Json,
}

/// The inputs and Helm's flags, as `lint` and `values` read them.
#[derive(Args, Debug)]
struct HelmInputArgs {
    /// Values files, `-` for standard input, chart directories, HelmRelease or Argo CD Application
    /// manifests, Helmfiles, kustomizations with `helmCharts`, or directories to search. The inputs
    /// named are checked as one deployment; a directory search gives one deployment per values
    /// file, chart directory or folder of HelmReleases or Applications.
    #[arg(value_name = "INPUT")]
    inputs: Vec<String>,
    /// A values file layered as `helm install -f` does (repeatable; later files win).
    #[arg(
        short = 'f',
        long = "values",
        value_name = "FILE",
        help_heading = "Helm values"
    )]
    values: Vec<String>,
    /// Set a value as `helm --set` does (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE", help_heading = "Helm values")]
    set: Vec<String>,
    /// Set a string value as `helm --set-string` does (repeatable).
    #[arg(long = "set-string", value_name = "KEY=VALUE", help_heading = "Helm values")]
    set_string: Vec<String>,
    /// Set a value from a file's content as `helm --set-file` does (repeatable).
    #[arg(long = "set-file", value_name = "KEY=PATH", help_heading = "Helm values")]
    set_file: Vec<String>,
    /// Set JSON values as `helm --set-json` does: `KEY=JSON` pairs, or one JSON object (repeatable).
    #[arg(long = "set-json", value_name = "KEY=JSON", help_heading = "Helm values")]
    set_json: Vec<String>,
    /// Set a value taken as written as `helm --set-literal` does (repeatable).
    #[arg(long = "set-literal", value_name = "KEY=VALUE", help_heading = "Helm values")]
    set_literal: Vec<String>,
    /// The Helm whose reading of values files to follow: 4 merges every document of a file, 3 reads
    /// the first.
    #[arg(long, value_name = "3|4", default_value_t = 4, value_parser = clap::value_parser!(u8).range(3..=4), help_heading = "Helm values")]
    helm: u8,
    /// The Helm release name, for values files and chart directories.
    #[arg(long, value_name = "NAME", help_heading = "Helm values")]
    release_name: Option<String>,
    /// The version of a chart deployed (`redis-cluster`, `kube-acp-stack`, `acp`): wins over what
    /// the files say, and names the chart of values files that name none (repeatable).
    #[arg(long, value_name = "CHART=VERSION", value_parser = chart_version, help_heading = "Helm values")]
    chart_version: Vec<(String, String)>,
    /// The redis-cluster chart version deployed: `--chart-version redis-cluster=VERSION` (kept for
    /// scripts written before `--chart-version`; not shown in the help).
    #[arg(long, value_name = "VERSION", hide = true)]
    redis_chart_version: Option<String>,
    /// The data of a Secret or ConfigMap key that a HelmRelease's `valuesFrom` reads, as a file
    /// (repeatable); KEY defaults to `values.yaml`, as in Flux.
    #[arg(
        long = "values-from",
        value_name = "KIND/NAME[:KEY]=FILE",
        help_heading = "Helm values"
    )]
    values_from: Vec<String>,
    /// The Helmfile environment to read (`default` unless given), as `helmfile --environment`.
    #[arg(
        short = 'e',
        long = "environment",
        value_name = "NAME",
        help_heading = "Helm values"
    )]
    environment: Option<String>,
}

/// Which findings `lint` reports, and how it counts them.
#[derive(Args, Debug, Default)]
struct FindingArgs {
    /// Check only these rules: rule ids or families (`values`, `tls` and so on; `acp-check rules` lists
    /// them), comma-separated (repeatable).
    #[arg(long, value_name = "RULES", value_delimiter = ',', help_heading = "Findings")]
    select: Vec<String>,
    /// Do not check these rules: rule ids or families, comma-separated (repeatable).
    #[arg(long, value_name = "RULES", value_delimiter = ',', help_heading = "Findings")]
    ignore: Vec<String>,
    /// Hide the findings this baseline records (written by --write-baseline); say how many.
    #[arg(long, value_name = "FILE", help_heading = "Findings")]
    baseline: Option<PathBuf>,
    /// Record today's findings in FILE, and hide them (with --baseline: only the findings that
    /// baseline hides, which drops its entries that match nothing any more).
    #[arg(long, value_name = "FILE", help_heading = "Findings")]
    write_baseline: Option<PathBuf>,
    /// Print how many findings each rule made, most first, instead of the findings.
    #[arg(long, help_heading = "Findings")]
    statistics: bool,
    /// Exit with 0 even when there are errors (2 still means acp-check could not run).
    #[arg(long, help_heading = "Findings")]
    exit_zero: bool,
}

/// `--fix`, `--unsafe-fixes`, `--diff`.
#[derive(Args, Debug)]
struct FixArgs {
    /// Apply the safe fixes to the files in place, then report what is left.
    #[arg(long, help_heading = "Fixes")]
    fix: bool,
    /// With --fix or --diff: apply the unsafe fixes too (they change what is deployed: review them).
    #[arg(long, help_heading = "Fixes")]
    unsafe_fixes: bool,
    /// Print a unified diff of what --fix would change, and write nothing (exit 1 when there is a
    /// diff). Lines that hold a secret show it as ***.
    #[arg(long, help_heading = "Fixes", conflicts_with_all = ["fix", "write_baseline", "statistics", "format", "output"])]
    diff: bool,
}

#[derive(Args, Debug)]
struct OutputArgs {
    /// Output format; `FORMAT=PATH` writes that report to a file (repeatable).
    ///
    /// The format without a path goes to standard output (or `--output`): human when none does, plus
    /// GitHub annotations when GITHUB_ACTIONS=true. Each `FORMAT=PATH` writes one more report from the
    /// same findings: `--format sarif=acp-check.sarif --format junit=junit.xml`.
    #[arg(long, value_name = "FORMAT[=PATH]", value_parser = FormatParser, help_heading = "Output")]
    format: Vec<FormatSpec>,
    /// Write the report of standard output to this file instead.
    #[arg(long, value_name = "PATH", help_heading = "Output")]
    output: Option<PathBuf>,
    /// Exit with 1 on warnings too.
    #[arg(long, help_heading = "Output")]
    deny_warnings: bool,
}

/// Runs the command line; returns the exit code (0 clean, 1 findings, 2 could not run).
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match dispatch(cli) {
        Ok(code) => code,
        Err(Fatal(mut message)) => {
            // A file's name in it may hold control characters (`\x1b[2J.yaml`): they are written as
            // escapes, not sent to the terminal; and deny by default: a message may quote an
            // argument that holds a secret.
            crate::core::text::escape_controls(&mut message);
            eprintln!(
                "acp-check: error: {}",
                crate::core::redact::mask_free_text(&message)
            );
            ExitCode::from(2)
        }
    }
}

fn dispatch(cli: Cli) -> Result<ExitCode, Fatal> {
    match cli.command {
        Command::Lint(args) => lint(args),
        Command::Values(args) => values(args),
        Command::Probe(args) => probe(args),
        Command::Rules(args) => rules(args),
        Command::Explain(args) => explain(args),
        Command::Schema(args) => schema(args),
        Command::Completions(args) => {
            let mut out = Vec::new();
            let shell = match args.shell {
                Shell::Bash => clap_complete::Shell::Bash,
                Shell::Zsh => clap_complete::Shell::Zsh,
                Shell::Fish => clap_complete::Shell::Fish,
            };
            clap_complete::generate(shell, &mut command(), "acp-check", &mut out);
            let mut script = String::from_utf8_lossy(&out).into_owned();
            if shell == clap_complete::Shell::Bash {
                // clap_complete 4.6 spells the states of a hyphenated command two ways, so bash
                // never completes past the subcommand (clap-rs/clap#6421); use the loop's spelling.
                script = script.replace("acp__subcmd__check", "acp__check");
            }
            print_text(&script)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The input options of `lint` and `values`: what they read, layered as Helm layers it.
fn input_options(input: HelmInputArgs, config: &Config) -> Result<input::Options, Fatal> {
    if input.inputs.is_empty()
        && input.values.is_empty()
        && input.set.is_empty()
        && input.set_string.is_empty()
        && input.set_file.is_empty()
        && input.set_json.is_empty()
        && input.set_literal.is_empty()
    {
        return Err(Fatal("nothing to check: give values files, chart directories, HelmRelease manifests or directories (or - for standard input)".into()));
    }
    if input
        .inputs
        .iter()
        .chain(&input.values)
        .filter(|i| *i == "-")
        .count()
        > 1
    {
        return Err(Fatal("standard input (-) can be read only once".into()));
    }
    Ok(input::Options {
        inputs: input.inputs,
        values: input.values,
        set: input.set,
        set_string: input.set_string,
        set_file: input.set_file,
        set_json: input.set_json,
        set_literal: input.set_literal,
        helm: if input.helm == 3 {
            input::Helm::V3
        } else {
            input::Helm::V4
        },
        release_name: input.release_name,
        chart_versions: input
            .redis_chart_version
            .map(|v| ("redis-cluster".to_string(), v))
            .into_iter()
            .chain(config.chart_versions.iter().cloned())
            .chain(input.chart_version)
            .collect(),
        values_from: input.values_from,
        environment: input.environment,
        files: input::Globs {
            include: config.files_include.clone(),
            exclude: config.files_exclude.clone(),
        },
    })
}

/// A warning about the command line, on standard error (the run goes on).
fn warn(note: &str) {
    let mut line = format!(
        "acp-check: warning: {}",
        crate::core::redact::mask_free_text(note)
    );
    crate::core::text::escape_controls(&mut line);
    eprintln!("{line}");
}

fn values(args: ValuesArgs) -> Result<ExitCode, Fatal> {
    let config = config(args.config.as_deref())?;
    let options = input_options(args.input, &config)?;
    let loaded = input::load(&options)?;
    for note in &loaded.notes {
        warn(note);
    }
    let format = match args.format {
        ValuesFormat::Yaml => crate::values::Format::Yaml,
        ValuesFormat::Json => crate::values::Format::Json,
    };
    let effective = crate::values::effective(&loaded.deployment.releases);
    print_text(&crate::values::render(
        &effective,
        &loaded.sources,
        format,
        args.show_origin,
    ))?;
    Ok(ExitCode::SUCCESS)
}

fn lint(args: LintArgs) -> Result<ExitCode, Fatal> {
    // Without a readable working directory, discovery starts from "." and finds what it can.
    let mut config = config(args.config.as_deref())?;
    let options = input_options(args.input, &config)?;
    crate::policy::select(&mut config, &args.findings.select, &args.findings.ignore)?;
    if args.fixes.unsafe_fixes && !args.fixes.fix && !args.fixes.diff {
        return Err(Fatal(
            "--unsafe-fixes applies with --fix (or --diff): write `--fix --unsafe-fixes`".into(),
        ));
    }
    let baseline = args
        .findings
        .baseline
        .as_deref()
        .map(crate::baseline::read)
        .transpose()?;
    let mut failed_writes = false;
    let outcome = if args.fixes.fix || args.fixes.diff {
        let (outcome, files) = app::fix(&options, &config, args.fixes.unsafe_fixes)?;
        if args.fixes.diff {
            return diff(&outcome, &files);
        }
        let mut fixed = 0;
        let mut written = 0;
        for file in &files {
            match crate::fix::write::replace(
                std::path::Path::new(&file.name),
                file.old.as_bytes(),
                file.new.as_bytes(),
            ) {
                Ok(()) => {
                    fixed += file.fixed;
                    written += 1;
                }
                Err(why) => {
                    failed_writes = true;
                    eprintln!(
                        "acp-check: {}: not fixed: {why}",
                        crate::core::text::file_name(&file.name)
                    );
                }
            }
        }
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        if written > 0 {
            eprintln!(
                "acp-check: fixed {} in {}",
                plural(fixed, "finding"),
                plural(written, "file")
            );
        } else if !failed_writes {
            eprintln!("acp-check: nothing to fix");
        }
        // What is on disk now, linted again: the report is of the files as they are.
        if written > 0 || failed_writes {
            app::lint(&options, &config)?
        } else {
            outcome
        }
    } else {
        app::lint(&options, &config)?
    };
    for note in &outcome.notes {
        warn(note);
    }
    if args.verbose {
        for (path, why) in outcome.searched.iter().flat_map(|s| &s.skipped) {
            let mut line = format!("acp-check: skipped {path}: {why}");
            crate::core::text::escape_controls(&mut line);
            eprintln!("{line}");
        }
    }
    // Besides the sources: the config file, and the files of `--set-file KEY=PATH,KEY=PATH`.
    let mut read: Vec<PathBuf> = config.path.iter().cloned().collect();
    read.extend(
        options
            .values_from
            .iter()
            .filter_map(|arg| arg.split_once('=').map(|(_, path)| PathBuf::from(path))),
    );
    for arg in &options.set_file {
        read.extend(
            arg.split(',')
                .filter_map(|pair| pair.split_once('='))
                .map(|(_, path)| PathBuf::from(path)),
        );
    }
    let code = finish_lint(outcome, &args.output, read, &args.findings, baseline.as_ref())?;
    Ok(if failed_writes { ExitCode::from(2) } else { code })
}

/// `--diff`: the unified diff of every file the fixes change, their secrets masked; exit 1 when
/// there is one.
fn diff(outcome: &Outcome, files: &[app::FixedFile]) -> Result<ExitCode, Fatal> {
    let mut secrets = crate::core::redact::Redactor::of(&outcome.sources);
    for file in files {
        for secret in crate::core::redact::secrets_in_text(&file.old) {
            secrets.add(&file.old[secret]);
        }
    }
    let mut text = String::new();
    for file in files {
        let name = crate::core::text::file_name(&file.name);
        text.push_str(&crate::fix::diff::unified(
            &name,
            &file.old,
            &file.new,
            &file.old_shown,
            &file.new_shown,
        ));
    }
    print_text(&secrets.masked(&text))?;
    let fixed: usize = files.iter().map(|f| f.fixed).sum();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    eprintln!(
        "acp-check: --fix would fix {} in {}",
        plural(fixed, "finding"),
        plural(files.len(), "file")
    );
    Ok(ExitCode::from(u8::from(!files.is_empty())))
}

/// [`finish`] for lint: the baseline hides what it records (or `--write-baseline` records what is
/// found), `--statistics` counts, `--exit-zero` exits with 0.
fn finish_lint(
    mut outcome: Outcome,
    args: &OutputArgs,
    read: Vec<PathBuf>,
    findings: &FindingArgs,
    baseline: Option<&crate::baseline::Baseline>,
) -> Result<ExitCode, Fatal> {
    let sources = outcome
        .sources
        .iter()
        .filter(|(_, s)| s.origin == crate::core::source::Origin::File)
        .map(|(_, s)| PathBuf::from(&s.name));
    let inputs: Vec<PathBuf> = sources.chain(read).collect();
    let baseline_read = baseline.map(|b| b.path.clone());
    crate::report::output::refuse_inputs(
        &args.format,
        args.output.as_deref(),
        inputs.iter().cloned().chain(baseline_read),
    )?;
    // The baseline written is a report too, never written over an input (but over the baseline
    // read, which it prunes).
    if let Some(path) = &findings.write_baseline {
        let spec = FormatSpec {
            format: crate::report::output::Format::Json,
            path: Some(path.clone()),
        };
        crate::report::output::refuse_inputs(&[spec], None, inputs.iter().cloned())?;
    }
    let mut report = outcome.report();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let applied = baseline.map(|b| (b, crate::baseline::apply(&mut report, b)));
    if let Some(path) = &findings.write_baseline {
        let entries = match &applied {
            Some((_, applied)) => applied.hidden.clone(),
            None => crate::baseline::entries(&report),
        };
        let count = entries.len();
        crate::baseline::write(path, entries)?;
        report.retain(|_, _| false);
        eprintln!(
            "acp-check: recorded {} in the baseline {}",
            plural(count, "finding"),
            crate::core::text::file_name(&path.display().to_string())
        );
    }
    if let Some((baseline, applied)) = &applied {
        let name = baseline.path.display().to_string();
        let name = crate::core::text::file_name(&name);
        if !applied.hidden.is_empty() {
            eprintln!(
                "acp-check: {} hidden by the baseline {name}",
                plural(applied.hidden.len(), "finding")
            );
        }
        if applied.unmatched > 0 && findings.write_baseline.is_none() {
            let (entries, verb, them) = match applied.unmatched {
                1 => ("1 entry".to_string(), "matches", "it"),
                n => (format!("{n} entries"), "match", "them"),
            };
            eprintln!(
                "acp-check: {entries} of the baseline {name} {verb} no finding any more (fixed, or \
                 changed); drop {them} with --baseline {name} --write-baseline {name}"
            );
        }
    }
    crate::report::output::write(&report, &args.format, args.output.as_deref(), findings.statistics)?;
    let summary = report.summary();
    let failed = summary.errors > 0 || (args.deny_warnings && summary.warnings > 0);
    // The process ends now: a large tree's sources go with it, not one by one.
    std::mem::forget(report);
    std::mem::forget(outcome);
    Ok(ExitCode::from(u8::from(failed && !findings.exit_zero)))
}

/// The config file: given, or found by walking up from the working directory.
fn config(explicit: Option<&std::path::Path>) -> Result<Config, Fatal> {
    // Without a readable working directory, discovery starts from "." and finds what it can.
    let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
    let ids: Vec<&str> = crate::rules::ALL.iter().map(|r| r.id).collect();
    crate::config::load(explicit, &cwd, &ids)
}

/// Writes every report asked for; exit code 1 on errors (or warnings under `--deny-warnings`). A
/// report path that is a file the run read (a source, or one of `read`) is refused.
fn finish(mut outcome: Outcome, args: &OutputArgs, read: Vec<PathBuf>) -> Result<ExitCode, Fatal> {
    let sources = outcome
        .sources
        .iter()
        .filter(|(_, s)| s.origin == crate::core::source::Origin::File)
        .map(|(_, s)| PathBuf::from(&s.name));
    crate::report::output::refuse_inputs(&args.format, args.output.as_deref(), sources.chain(read))?;
    let report = outcome.report();
    crate::report::output::write(&report, &args.format, args.output.as_deref(), false)?;
    let summary = report.summary();
    let failed = summary.errors > 0 || (args.deny_warnings && summary.warnings > 0);
    // The process ends now: a large tree's sources go with it, not one by one.
    std::mem::forget(report);
    std::mem::forget(outcome);
    Ok(ExitCode::from(u8::from(failed)))
}

#[derive(Args, Debug)]
struct ProbeArgs {
    /// The platform's values (its redis.addrs, password and TLS settings); layered as `helm -f`.
    #[arg(short = 'f', long = "values", value_name = "FILE", help_heading = "Targets")]
    values: Vec<String>,
    /// A Redis address HOST:PORT, or a URL redis://[USER[:PASSWORD]@]HOST[:PORT][/DB] (rediss://
    /// for TLS) (repeatable; overrides the values). Two or more make a cluster client, as in the
    /// platform.
    #[arg(long = "addr", value_name = "HOST:PORT", help_heading = "Targets")]
    addrs: Vec<String>,
    /// Translate an address a cluster node announces into one the probe can reach (repeatable),
    /// e.g. behind `kubectl port-forward`.
    #[arg(long = "map", value_name = "ANNOUNCED=REACHABLE", help_heading = "Targets")]
    maps: Vec<String>,
    /// The ACL user.
    #[arg(long, value_name = "NAME", help_heading = "Authentication")]
    user: Option<String>,
    /// Read the password from this environment variable (default: ACP_CHECK_REDIS_PASSWORD).
    #[arg(
        long,
        value_name = "VAR",
        conflicts_with = "password_file",
        help_heading = "Authentication"
    )]
    password_env: Option<String>,
    /// Read the password from this file (a trailing newline is dropped).
    #[arg(long, value_name = "PATH", help_heading = "Authentication")]
    password_file: Option<std::path::PathBuf>,
    /// Connect with TLS (also on when the values' redis.tls.enabled is true).
    #[arg(long, help_heading = "TLS")]
    tls: bool,
    /// The CA certificate(s) that sign the server's certificate (PEM).
    #[arg(long, value_name = "PATH", help_heading = "TLS")]
    tls_ca: Option<std::path::PathBuf>,
    /// A client certificate (PEM), when the server requires one.
    #[arg(long, value_name = "PATH", requires = "tls_key", help_heading = "TLS")]
    tls_cert: Option<std::path::PathBuf>,
    /// The client certificate's private key (PEM).
    #[arg(long, value_name = "PATH", requires = "tls_cert", help_heading = "TLS")]
    tls_key: Option<std::path::PathBuf>,
    /// Do not verify the server's certificate (reported as tls-verify-disabled).
    #[arg(long, help_heading = "TLS")]
    tls_insecure: bool,
    /// The RediSearch index to look for (default: the values' redis_search_index_name, else default-index).
    #[arg(long, value_name = "NAME", help_heading = "Checks")]
    index: Option<String>,
    /// Bound on every connect and every reply: 500ms, 3s, 1m (default 3s, or [probe] timeout).
    #[arg(long, value_name = "DURATION", value_parser = duration, help_heading = "Checks")]
    timeout: Option<std::time::Duration>,
    /// Bound on the whole probe, every node and every reply (default: 10 times --timeout, so 30s).
    ///
    /// Each connect and reply waits at most the smaller of --timeout and what is left of the
    /// deadline; nodes not probed by then are reported as redis-unreachable.
    #[arg(long, value_name = "DURATION", value_parser = duration, help_heading = "Checks")]
    deadline: Option<std::time::Duration>,
    /// The most cluster nodes to connect to (default 500); a cluster announcing more in CLUSTER
    /// NODES is reported as cluster-state-fail, and only the first N are probed.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..), help_heading = "Checks")]
    max_nodes: Option<u32>,
    /// Repeat the probe, with backoff, until it passes or this much time has passed (the last
    /// attempt gets what is left; none begins with less than one --timeout left).
    #[arg(long, value_name = "DURATION", value_parser = duration, help_heading = "Checks")]
    wait: Option<std::time::Duration>,
    #[command(flatten)]
    output: OutputArgs,
    /// The config file (rule levels, version policy, probe defaults).
    #[arg(long, value_name = "PATH", help_heading = "Configuration")]
    config: Option<std::path::PathBuf>,
}

fn duration(text: &str) -> Result<std::time::Duration, String> {
    let d = crate::config::parse_duration(text)?;
    if d.is_zero() {
        return Err("must be more than zero".into());
    }
    Ok(d)
}

fn probe(args: ProbeArgs) -> Result<ExitCode, Fatal> {
    let config = config(args.config.as_deref())?;
    let options = app::ProbeOptions {
        values: args.values,
        probe: crate::probe::Options {
            addrs: args.addrs,
            user: args.user,
            password_env: args.password_env,
            password_file: args.password_file,
            tls: args.tls,
            tls_ca: args.tls_ca,
            tls_cert: args.tls_cert,
            tls_key: args.tls_key,
            tls_insecure: args.tls_insecure,
            index: args.index,
            timeout: args.timeout,
            deadline: args.deadline,
            max_nodes: args.max_nodes.map(|n| n as usize),
            maps: args.maps,
        },
        wait: args.wait,
        progress: std::io::stderr().is_terminal(),
    };
    // Besides the sources: the config file, the password and PEM files.
    let read: Vec<PathBuf> = [
        &config.path,
        &options.probe.password_file,
        &options.probe.tls_ca,
        &options.probe.tls_cert,
        &options.probe.tls_key,
    ]
    .into_iter()
    .flatten()
    .cloned()
    .collect();
    let outcome = app::probe(&options, &config)?;
    finish(outcome, &args.output, read)
}

#[derive(Args, Debug)]
struct RulesArgs {
    /// Output format (markdown is the README's rules table).
    #[arg(long, value_enum, default_value_t = RulesFormat::Human)]
    format: RulesFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum RulesFormat {
    Human,
    Json,
    Markdown,
}

#[derive(Args, Debug)]
struct ExplainArgs {
    /// A rule id, or a platform log line (quote it; `-` reads log lines from standard input).
    #[arg(value_name = "RULE_OR_LOG_LINE", required = true, num_args = 1.., allow_hyphen_values = true)]
    query: Vec<String>,
}

fn rules(args: RulesArgs) -> Result<ExitCode, Fatal> {
    let text = match args.format {
        RulesFormat::Human => crate::explain::rules_table(text_style()),
        RulesFormat::Json => crate::explain::rules_json(),
        RulesFormat::Markdown => crate::explain::rules_markdown(),
    };
    print_text(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn explain(args: ExplainArgs) -> Result<ExitCode, Fatal> {
    let query = if args.query == ["-"] {
        crate::explain::tail(std::io::stdin().lock(), 1 << 20)
            .map_err(|e| Fatal(format!("reading standard input: {e}")))?
    } else {
        // An unquoted plain-text log line arrives as several arguments.
        args.query.join(" ")
    };
    // Whatever part of the pasted text a page shows, its secrets do not reach the terminal.
    let mut redactor = crate::core::redact::Redactor::default();
    for secret in crate::core::redact::secrets_in_text(&query) {
        redactor.add(&query[secret]);
    }
    let page = crate::explain::explain(&query, text_style())
        .map_err(|Fatal(e)| Fatal(redactor.masked(&e).into_owned()))?;
    print_text(&redactor.masked(&page))?;
    Ok(ExitCode::SUCCESS)
}

/// Bold headings on a terminal, unless `NO_COLOR` is set.
fn text_style() -> crate::explain::Style {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    crate::explain::Style {
        bold: std::io::stdout().is_terminal() && !no_color,
    }
}

/// Prints a command's text: a closed pipe (`| head`) is silent, any other failure to write exits 2
/// (see [`crate::report::output::to_stdout`]).
fn print_text(text: &str) -> Result<(), Fatal> {
    crate::report::output::to_stdout(text.as_bytes())
}

#[derive(Args, Debug)]
struct SchemaArgs {
    /// The schema to print (without it: the list).
    #[arg(value_name = "SECTION", value_enum, conflicts_with = "values_schema")]
    section: Option<Section>,
    /// Write a values.schema.json for a chart: kube-acp-stack (the default), acp or redis-cluster.
    #[arg(long, value_name = "CHART", value_enum, num_args = 0..=1, require_equals = true,
          default_missing_value = "kube-acp-stack")]
    values_schema: Option<ChartArg>,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "PATH")]
    output: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Section {
    RedisCluster,
    AcpRedisClient,
    AcpStorage,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ChartArg {
    KubeAcpStack,
    Acp,
    RedisCluster,
}

fn schema(args: SchemaArgs) -> Result<ExitCode, Fatal> {
    use crate::schema::SchemaId;
    let text = match (args.values_schema, args.section) {
        (Some(chart), _) => crate::schema::export::values_schema(match chart {
            ChartArg::KubeAcpStack => Chart::KubeAcpStack,
            ChartArg::Acp => Chart::Acp,
            ChartArg::RedisCluster => Chart::RedisCluster,
        }),
        (None, Some(section)) => match section {
            Section::RedisCluster => SchemaId::RedisCluster,
            Section::AcpRedisClient => SchemaId::AcpRedisClient,
            Section::AcpStorage => SchemaId::AcpStorage,
        }
        .get()
        .text
        .to_string(),
        (None, None) => crate::schema::export::list(),
    };
    match &args.output {
        Some(path) => std::fs::write(path, text).map_err(|e| Fatal(format!("{}: {e}", path.display())))?,
        None => print_text(&text)?,
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Args, Debug)]
struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_name = "SHELL", value_enum)]
    shell: Shell,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Shell {
    Bash,
    Zsh,
    Fish,
}

/// Parses `FORMAT[=PATH]`; the formats are its possible values, for help and completions.
/// Parses `--chart-version CHART=VERSION`.
fn chart_version(text: &str) -> Result<(String, String), String> {
    let expected = || format!("expected CHART=VERSION (for example redis-cluster=7.6.4), got `{text}`");
    let (chart, version) = text.split_once('=').ok_or_else(expected)?;
    let (chart, version) = (chart.trim(), version.trim());
    if chart.is_empty() || version.is_empty() {
        return Err(expected());
    }
    Ok((chart.to_string(), version.to_string()))
}

#[derive(Clone)]
struct FormatParser;

impl TypedValueParser for FormatParser {
    type Value = FormatSpec;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<FormatSpec, clap::Error> {
        let text = value.to_string_lossy();
        let (name, path) = match text.split_once('=') {
            Some((name, path)) => (name, Some(path)),
            None => (&*text, None),
        };
        let format = EnumValueParser::<Format>::new().parse_ref(cmd, arg, OsStr::new(name))?;
        if path == Some("") {
            return Err(clap::Error::raw(
                clap::error::ErrorKind::InvalidValue,
                format!("`--format {text}` names no file: write `--format {name}=PATH`\n"),
            )
            .with_cmd(cmd));
        }
        Ok(FormatSpec {
            format,
            path: path.map(PathBuf::from),
        })
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            Format::value_variants()
                .iter()
                .filter_map(ValueEnum::to_possible_value),
        ))
    }
}

/// The formats as clap lists them (help, completions, "possible values").
impl ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Self] {
        &[
            Format::Human,
            Format::Concise,
            Format::Json,
            Format::Sarif,
            Format::Junit,
            Format::Github,
            Format::Gitlab,
            Format::Rdjson,
            Format::Checkstyle,
        ]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Format::ALL
            .iter()
            .find(|(_, f)| f == self)
            .map(|(name, _)| PossibleValue::new(*name))
    }
}
