//! The command line: clap definitions, dispatch, exit codes (design.md §1–2).

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::report::{human::Human, json::Json, Report, Reporter};
use crate::{input, Fatal};

#[derive(Parser, Debug)]
#[command(
    name = "acp-check",
    version,
    about = "Finds Redis misconfigurations in Cloudentity (ACP) Helm deployments"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check values files, chart directories and Flux HelmRelease manifests.
    Lint(LintArgs),
    /// List every rule with its default severity.
    Rules(RulesArgs),
    /// Explain a rule, or a fatal log line of the platform: which failure mode, and how to fix it.
    Explain(ExplainArgs),
}

#[derive(Args, Debug)]
struct LintArgs {
    /// Values files, `-` for standard input, chart directories, HelmRelease manifests, or directories
    /// to search. The inputs named are checked as one deployment; a directory search gives one
    /// deployment per values file, chart directory or folder of HelmReleases.
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
    /// The Helm release name, for values files and chart directories.
    #[arg(long, value_name = "NAME", help_heading = "Helm values")]
    release_name: Option<String>,
    /// The redis-cluster chart version deployed, when the files do not say.
    #[arg(long, value_name = "VERSION", help_heading = "Helm values")]
    redis_chart_version: Option<String>,
    #[command(flatten)]
    output: OutputArgs,
    /// The config file (rule levels, version policy). Default: the first `.acp-check.toml` in the
    /// current directory or one of its parents.
    #[arg(long, value_name = "PATH", help_heading = "Configuration")]
    config: Option<std::path::PathBuf>,
}

#[derive(Args, Debug)]
struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human, help_heading = "Output")]
    format: Format,
    /// Write the report to this file instead of standard output.
    #[arg(long, value_name = "PATH", help_heading = "Output")]
    output: Option<std::path::PathBuf>,
    /// Exit with 1 on warnings too.
    #[arg(long, help_heading = "Output")]
    deny_warnings: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Human,
    Json,
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
        Err(Fatal(message)) => {
            eprintln!("acp-check: error: {message}");
            ExitCode::from(2)
        }
    }
}

fn dispatch(cli: Cli) -> Result<ExitCode, Fatal> {
    match cli.command {
        Command::Lint(args) => lint(args),
        Command::Rules(args) => rules(args),
        Command::Explain(args) => explain(args),
    }
}

fn lint(args: LintArgs) -> Result<ExitCode, Fatal> {
    if args.inputs.is_empty()
        && args.values.is_empty()
        && args.set.is_empty()
        && args.set_string.is_empty()
        && args.set_file.is_empty()
    {
        return Err(Fatal("nothing to check: give values files, chart directories, HelmRelease manifests or directories (or - for standard input)".into()));
    }
    if args
        .inputs
        .iter()
        .chain(&args.values)
        .filter(|i| *i == "-")
        .count()
        > 1
    {
        return Err(Fatal("standard input (-) can be read only once".into()));
    }
    let options = input::Options {
        inputs: args.inputs,
        values: args.values,
        set: args.set,
        set_string: args.set_string,
        set_file: args.set_file,
        release_name: args.release_name,
        redis_chart_version: args.redis_chart_version,
    };
    // Without a readable working directory, discovery starts from "." and finds what it can.
    let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
    let config = crate::config::load(args.config.as_deref(), &cwd)?;
    let linted = crate::lint(&options, &config)?;
    let report = Report::masked(linted.findings, Some(&linted.loaded));
    write_report(&report, &args.output)?;
    let summary = report.summary();
    let failed = summary.errors > 0 || (args.output.deny_warnings && summary.warnings > 0);
    // The process ends now: a large tree's documents go with it, not node by node.
    std::mem::forget(report);
    std::mem::forget(linted.loaded);
    Ok(ExitCode::from(u8::from(failed)))
}

fn write_report(report: &Report, args: &OutputArgs) -> Result<(), Fatal> {
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let reporter: Box<dyn Reporter> = match args.format {
        Format::Human => Box::new(Human {
            color: to_terminal && !no_color,
            width: 100,
        }),
        Format::Json => Box::new(Json),
    };
    let mut buffer = Vec::new();
    reporter
        .report(report, &mut buffer)
        .map_err(|e| Fatal(format!("writing the report: {e}")))?;
    match &args.output {
        Some(path) => std::fs::write(path, &buffer).map_err(|e| Fatal(format!("{}: {e}", path.display()))),
        None => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error of ours.
            let _ = stdout.write_all(&buffer).and_then(|_| stdout.flush());
            Ok(())
        }
    }
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
    print_text(&text);
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
    print_text(&crate::explain::explain(&query, text_style())?);
    Ok(ExitCode::SUCCESS)
}

/// Bold headings on a terminal, unless `NO_COLOR` is set.
fn text_style() -> crate::explain::Style {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    crate::explain::Style {
        bold: std::io::stdout().is_terminal() && !no_color,
    }
}

fn print_text(text: &str) {
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error of ours.
    let _ = stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush());
}
