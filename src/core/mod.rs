//! The leaf layer: what every other layer may use, and which uses nothing of theirs. The error type
//! of a run that cannot do its job ([`Fatal`]), the texts acp-check reads ([`source`]), what counts as
//! a secret and how it is masked ([`redact`]), reading bounded by size ([`read`]), helpers for text
//! shown to people ([`text`]) and work spread over the cores ([`parallel`]).

pub mod parallel;
pub mod read;
pub mod redact;
pub mod source;
pub mod text;

/// The tool could not do its job (bad usage, unreadable input): exit code 2.
#[derive(Debug)]
pub struct Fatal(pub String);

impl std::fmt::Display for Fatal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
