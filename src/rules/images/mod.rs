//! Images: what the chart's images resolve to (`image`, `metrics.image`, `sysctlImage`,
//! `volumePermissions.image`, chart defaults included), judged against Bitnami's catalogue as it is
//! since 2025-09-29 and against the substituted-image check of charts 11.2.0 to 13.0.1.

pub mod image_frozen;
pub mod image_not_cluster;
pub mod image_substitution_blocked;
pub mod image_unavailable;

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use crate::model::redis_cluster::ResolvedImage;
use crate::model::scope::BareId;
use crate::model::{RedisCluster, Unsettled};
use crate::rules::Context;

/// A cluster and what its images resolve to in each reading of it: itself when its chart version
/// is known (or a layer acp-check could not read decides), else the cluster at each version the
/// values may be deployed with.
pub struct Readings<'a> {
    pub cluster: RedisCluster<'a>,
    pub readings: Vec<Reading<'a>>,
}

/// One reading of a cluster, and its images.
pub type Reading<'a> = (
    RedisCluster<'a>,
    Result<Cow<'a, [ResolvedImage<'a>]>, Unsettled<'a>>,
);

/// The top-level keys of the chart's values its images are made of.
const IMAGE_TOPS: [&str; 5] = ["global", "image", "metrics", "sysctlImage", "volumePermissions"];

/// The images of a reading. A cluster whose values write none of [`IMAGE_TOPS`] has its chart
/// version's images, made once per process for each version (a manifest of thousands of
/// releases of no version would otherwise make every version's images for each).
fn images_of<'a>(cluster: &RedisCluster<'a>) -> Result<Cow<'a, [ResolvedImage<'a>]>, Unsettled<'a>> {
    type Made = Result<Vec<ResolvedImage<'static>>, Unsettled<'static>>;
    static MADE: OnceLock<Mutex<HashMap<BareId, &'static Made>>> = OnceLock::new();
    let Some((id, bare)) = cluster.scope.bare(&IMAGE_TOPS) else {
        return cluster.images().map(Cow::Owned);
    };
    let made: &'static Made = {
        let mut made = MADE
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        made.entry(id)
            .or_insert_with(|| Box::leak(Box::new(RedisCluster::new(bare).images())))
    };
    match made {
        Ok(images) => Ok(Cow::Borrowed(images.as_slice())),
        Err(why) => Err(*why),
    }
}

/// The readings of every cluster of the deployment, made once for the three image rules.
pub fn readings<'c, 'a>(cx: &'c Context<'a>) -> &'c [Readings<'a>] {
    cx.images.get_or_init(|| {
        cx.deployment
            .redis_clusters()
            .map(|cluster| {
                let own = images_of(&cluster);
                let readings = match (&own, cluster.version(), cluster.candidates()) {
                    (Err(Unsettled::Layer(_)), _, _) | (_, Some(_), _) | (_, None, None) => {
                        vec![(cluster, own)]
                    }
                    (_, None, Some(candidates)) => {
                        candidates.into_iter().map(|c| (c, images_of(&c))).collect()
                    }
                };
                Readings { cluster, readings }
            })
            .collect()
    })
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

/// Tests the image at `key` in every reading (a reading without that image counts as one where
/// the test does not hold).
pub fn judge<'a>(
    readings: &Readings<'a>,
    key: &[&str],
    test: impl Fn(&RedisCluster<'a>, &ResolvedImage<'a>) -> bool,
) -> Outcome<'a> {
    let several = readings.readings.len() > 1;
    let mut first = None;
    let mut all = !readings.readings.is_empty();
    for (reading, images) in &readings.readings {
        let images = match images {
            Ok(images) => images,
            Err(Unsettled::Version(_)) => {
                all = false;
                continue;
            }
            Err(why) => return Outcome::Unsettled(*why),
        };
        match images.iter().find(|i| i.key == key) {
            Some(image) if test(reading, image) => {
                first.get_or_insert_with(|| image.clone());
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
