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
    pub loaded: input::Loaded,
    pub findings: Vec<Finding>,
}

/// Reads the inputs, runs every rule, then applies the config's rule levels and the inline suppressions.
pub fn lint(options: &input::Options, config: &config::Config) -> Result<Linted, Fatal> {
    let loaded = input::load(options)?;
    let findings = rules::check(&loaded, config);
    let findings = policy::apply(findings, config, &loaded.sources);
    Ok(Linted { loaded, findings })
}
