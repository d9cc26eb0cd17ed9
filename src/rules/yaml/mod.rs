//! Rules about the YAML itself: it must parse, and a key must not repeat.

pub mod duplicate_key;
pub mod yaml_syntax;
