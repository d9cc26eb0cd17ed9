//! Rules about values Helm reads differently from how they look: YAML 1.1 booleans where a string is
//! meant, versions written as numbers, durations without a unit (Go reads nanoseconds), and
//! SOPS-encrypted values no check can read.

pub mod ambiguous_boolean;
pub mod duration_without_unit;
pub mod encrypted_value;
pub mod numeric_version;
pub mod resource_name_invalid;
pub mod values_not_passed;
