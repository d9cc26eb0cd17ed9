//! Images: what the chart's images resolve to (`image`, `metrics.image`, `sysctlImage`,
//! `volumePermissions.image`, chart defaults included), judged against Bitnami's catalogue as it is
//! since 2025-09-29 and against the substituted-image check of charts 11.2.0 to 13.0.1.

pub mod image_frozen;
pub mod image_substitution_blocked;
pub mod image_unavailable;

use crate::model::redis_cluster::ResolvedImage;
use crate::model::{RedisCluster, Unsettled};

/// The readings of a cluster: itself when its chart version is known, else the cluster at each
/// version the values may be deployed with.
pub fn readings<'a>(cluster: &RedisCluster<'a>) -> Vec<RedisCluster<'a>> {
    match cluster.candidates() {
        Some(candidates) if !candidates.is_empty() => candidates,
        _ => vec![*cluster],
    }
}

/// What a test of one image says over every reading.
pub enum Outcome<'a> {
    /// It holds in every reading: the image of the first, and whether there were several.
    Every(ResolvedImage<'a>, bool),
    /// It holds in some readings only: the image of the first where it does.
    Some(ResolvedImage<'a>),
    /// It holds in none.
    No,
    /// A layer acp-check could not read may change the image.
    Unsettled(Unsettled<'a>),
}

/// Tests the image at `key` in every reading of `cluster` (a reading without that image counts as
/// one where the test does not hold).
pub fn judge<'a>(
    cluster: &RedisCluster<'a>,
    key: &[&str],
    test: impl Fn(&RedisCluster<'a>, &ResolvedImage<'a>) -> bool,
) -> Outcome<'a> {
    let readings = readings(cluster);
    let several = readings.len() > 1;
    let mut first = None;
    let mut all = true;
    for reading in &readings {
        let images = match reading.images() {
            Ok(images) => images,
            Err(Unsettled::Version(_)) => {
                all = false;
                continue;
            }
            Err(why) => return Outcome::Unsettled(why),
        };
        match images.into_iter().find(|i| i.key == key) {
            Some(image) if test(reading, &image) => {
                first.get_or_insert(image);
            }
            _ => all = false,
        }
    }
    match first {
        Some(image) if all => Outcome::Every(image, several),
        Some(image) => Outcome::Some(image),
        None => Outcome::No,
    }
}

/// Whether the files read wrote one of the values that make the image.
pub fn written(image: &ResolvedImage) -> bool {
    image.nodes.iter().any(|n| !n.span.source.is_builtin())
}

/// Where to point at an image: the first value of it the files wrote (the repository, else the tag
/// or digest, else the registry), else the chart's values as a whole (the image is the chart's
/// default).
pub fn place(cluster: &RedisCluster, image: &ResolvedImage) -> crate::core::source::Span {
    let written: Vec<_> = image
        .nodes
        .iter()
        .filter(|n| !n.span.source.is_builtin())
        .collect();
    match written
        .iter()
        .find(|n| n.as_str() == Some(image.repository.as_str()))
    {
        Some(n) => n.span,
        None => written.last().map_or_else(|| cluster.anchor(), |n| n.span),
    }
}

/// `redis-cluster.image`, `redis-cluster.metrics.image`: the key as the values write it.
pub fn key_words(cluster: &RedisCluster, image: &ResolvedImage) -> String {
    let prefix = cluster.key.map(|k| format!("{k}.")).unwrap_or_default();
    format!("{prefix}{}", image.key.join("."))
}
