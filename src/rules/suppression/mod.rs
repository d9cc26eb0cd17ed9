//! Inline suppressions (`# acp-check: ignore[rule-id] reason`) that silence nothing.

pub mod unused_suppression;
