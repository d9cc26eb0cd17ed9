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
pub mod redis_conf;
pub mod report;
pub mod rules;
pub mod schema;
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
    pub loaded: input::Loaded,
    /// Secrets already masked (per deployment): report them with [`report::Report::masked`].
    pub findings: Vec<Finding>,
}

/// Reads the inputs, and for each deployment they hold runs every rule, then applies the config's
/// rule levels and the inline suppressions, and masks secrets in the findings. Inputs are read, and
/// deployments checked, in parallel; the result does not depend on it.
pub fn lint(options: &input::Options, config: &config::Config) -> Result<Linted, Fatal> {
    let plan = input::plan(options)?;
    let pieces = parallel::map((0..plan.len()).collect(), |i| input::read(&plan, i))
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    let groups = input::deployments(&plan, pieces);
    let checked = parallel::map(groups, |group| {
        let loaded = input::assemble(&plan, group, options)?;
        let findings = rules::check(&loaded, config);
        let mut findings = policy::apply(findings, config, &loaded.sources);
        report::mask(&mut findings, &loaded.sources);
        Ok::<_, Fatal>((loaded, findings))
    });
    let mut parts = Vec::with_capacity(checked.len());
    let mut findings = Vec::new();
    for part in checked {
        let (loaded, found) = part?;
        parts.push(loaded);
        findings.extend(found);
    }
    let loaded = input::Loaded::join(parts, options.redis_chart_version.clone());
    Ok(Linted { loaded, findings })
}
