//! acp-check: finds Redis misconfigurations in Cloudentity (ACP) Helm deployments.
//!
//! Data flows one way: [`input`] (files, flags) → spanned documents ([`yaml`], [`tree`]) →
//! [`deployment`] model → [`rules`] → [`finding`]s → [`report`]ers.

pub mod cli;
pub mod config;
pub mod deployment;
pub mod explain;
pub mod finding;
pub mod input;
pub mod parallel;
pub mod policy;
pub mod probe;
pub mod redis_conf;
pub mod report;
pub mod rules;
pub mod schema;
pub mod schema_export;
pub mod secrets;
pub mod source;
pub mod tree;
pub mod yaml;

use finding::Finding;

/// The tool could not do its job (bad usage, unreadable input): exit code 2.
#[derive(Debug)]
pub struct Fatal(pub String);

impl std::fmt::Display for Fatal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Everything `acp-check lint` found.
pub struct Linted {
    /// What reporting the findings needs: every source, and the findings' pointers (see
    /// [`input::Loaded::keep_for_report`]); use [`input::load`] for documents and the deployment model.
    pub loaded: input::Loaded,
    /// Secrets already masked (per deployment): report them with [`report::Report::masked`].
    pub findings: Vec<Finding>,
}

/// Reads the inputs, and for each deployment they hold runs every rule, then applies the config's
/// rule levels and the inline suppressions, and masks secrets in the findings. Inputs are read, and
/// deployments checked, in parallel; the result does not depend on it. An input that is a
/// deployment of its own (a values file found in a directory, say) is checked as soon as it is read,
/// and only what reporting needs of it is kept; the others are grouped once all are read.
pub fn lint(options: &input::Options, config: &config::Config) -> Result<Linted, Fatal> {
    let plan = input::plan(options)?;
    let check = |group: Vec<input::Piece>| {
        let mut loaded = input::assemble(&plan, group, options)?;
        let findings = rules::check(&loaded, config);
        let mut findings = policy::apply(findings, config, &loaded.sources);
        report::mask(&mut findings, &loaded.sources);
        loaded.keep_for_report(&findings);
        Ok::<_, Fatal>((loaded, findings))
    };
    let read = parallel::map((0..plan.len()).collect(), |i| {
        let piece = input::read(&plan, i)?;
        if input::settled(&plan, &piece) {
            check(vec![piece]).map(Read::Checked)
        } else {
            Ok(Read::Pending(piece))
        }
    });
    let mut checked = Vec::new();
    let mut pending = Vec::new();
    for result in read {
        match result? {
            Read::Checked(part) => checked.push(part),
            Read::Pending(piece) => pending.push(piece),
        }
    }
    for part in parallel::map(input::deployments(&plan, pending), check) {
        checked.push(part?);
    }
    let mut parts = Vec::with_capacity(checked.len());
    let mut findings = Vec::new();
    for (loaded, found) in checked {
        parts.push(loaded);
        findings.extend(found);
    }
    let loaded = input::Loaded::join(parts, options.redis_chart_version.clone());
    Ok(Linted { loaded, findings })
}

/// An input read: checked already, or waiting for the others of its deployment.
enum Read {
    Checked((input::Loaded, Vec<Finding>)),
    Pending(input::Piece),
}
