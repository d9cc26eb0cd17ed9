//! Durability of what the platform keeps in Redis: where refresh tokens live, replicas and
//! persistence for them, eviction; live, persistence and memory.

pub mod evicting_memory_policy;
pub mod memory_nearly_full;
pub mod persistence_disabled;
pub mod refresh_tokens_at_risk;
pub mod refresh_tokens_in_redis;

use crate::model::Platform;
use crate::tree::Entry;

/// `storage.refresh_tokens.enabled: false`: the platform keeps refresh tokens in Redis.
pub fn refresh_tokens_in_redis<'a>(platform: &Platform<'a>) -> Option<&'a Entry> {
    let enabled = platform.storage()?.entry(&["refresh_tokens", "enabled"])?;
    (enabled.value.as_bool() == Some(false)).then_some(enabled)
}
