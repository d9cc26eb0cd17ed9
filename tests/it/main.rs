//! The integration tests, in one binary: a module per area, linked once.
//!
//! `common` runs the real binary as a user does and reads its reports; `live` starts real Redis
//! servers on loopback for the probe's tests, `hostile` a scriptable server that answers as no real
//! one does; `cmd` runs the CLI cases written as data (`tests/cmd/`).

mod common;
mod hostile;
mod live;

mod adversarial;
mod argocd;
mod baseline;
mod catalogue;
mod chart_facts;
mod ci_formats;
mod ci_probe;
mod cmd;
mod completions;
mod config;
mod discovery;
mod explain;
mod fixes;
mod fixtures;
mod flux_clusters;
mod fuzz_corpus;
mod helm_parity;
mod helm_tools;
mod inputs;
mod integrations;
mod json_patches;
mod layers;
mod model;
mod probe;
mod probe_faults;
mod probe_hostile;
mod probe_urls;
mod readme;
mod redaction;
mod reference;
mod secrets;
mod set_flags;
mod terminal;
mod values_cmd;
mod values_from;
mod values_schema;
mod versions;
mod yaml_readers;
