//! Passwords: the cluster's (the chart's `password`, `global.redis.password`, `existingSecret`), the
//! platform client's, and the RediSearch coordinator's must agree, be knowable, and not sit in clear;
//! live, Redis must accept the platform's credentials.

pub mod password_disabled;
pub mod password_mismatch;
pub mod password_missing;
pub mod password_unknowable;
pub mod plaintext_secret;
pub mod redis_auth_failed;

use crate::core::source::Span;
use crate::model::Platform;

/// Where to point a finding about the platform's password as a whole: its `secretConfig` or
/// `redis` key, else its values.
pub fn client_anchor(platform: &Platform) -> Span {
    platform
        .root
        .entry(&["secretConfig"])
        .or_else(|| platform.root.entry(&["redis"]))
        .map(|e| e.key_span)
        .unwrap_or(platform.root.span)
}
