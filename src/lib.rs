//! acp-check: finds Redis misconfigurations in Cloudentity (ACP) Helm deployments.
//!
//! Data flows one way, and the modules are layers that import only the ones below them (a test,
//! `tests/it/layers.rs`, keeps it so):
//!
//! - [`core`]: errors, sources and spans, secrets and masking, bounded reading, text helpers;
//! - [`diagnostic`]: rules and the findings they make;
//! - [`tree`] and [`yaml`]: Helm's reading of YAML into a spanned tree, and Helm's merge;
//!   [`schema`]: the embedded JSON Schemas and their validator; [`config`]: `.acp-check.toml`;
//! - [`model`]: the releases of a deployment and the typed views the checks read;
//! - [`input`]: files and flags read into a model;
//! - [`rules`]: the registry and the checks;
//! - [`policy`] (severities and suppressions), [`probe`] (the live checks) and [`explain`] (rule
//!   pages and log lines);
//! - [`report`]: one reporter per output format, knowing only findings and sources;
//! - [`fix`] (`--fix`, `--diff`: fixes screened, applied, proved, written) and [`baseline`]
//!   (`--baseline`, `--write-baseline`: findings recorded and hidden by fingerprint);
//! - [`app`]: the lint and probe pipelines; [`cli`]: the command line.

pub mod app;
pub mod baseline;
pub mod cli;
pub mod config;
pub mod core;
pub mod diagnostic;
pub mod explain;
pub mod fix;
pub mod input;
pub mod model;
pub mod policy;
pub mod probe;
pub mod report;
pub mod rules;
pub mod schema;
pub mod tree;
pub mod values;
pub mod yaml;
