//! Images: what the chart's images resolve to (`image`, `metrics.image`, `sysctlImage`,
//! `volumePermissions.image`, chart defaults included), judged against Bitnami's catalogue as it is
//! since 2025-09-29 and against the substituted-image check of charts 11.2.0 to 13.0.1.

pub mod image_frozen;
pub mod image_not_cluster;
pub mod image_reference_invalid;
pub mod image_substitution_blocked;
pub mod image_unavailable;

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use crate::model::redis_cluster::ResolvedImage;
use crate::model::scope::{once_per_reading, BareId, ReadKey};
use crate::model::{RedisCluster, Unsettled};
use crate::rules::Context;

/// A cluster and what its images resolve to in each reading of it: itself when its chart version
/// is known (or a layer acp-check could not read decides), else the cluster at each version the
/// values may be deployed with.
pub struct Readings<'a> {
    pub cluster: RedisCluster<'a>,
    /// Each reading and its images, made on first use: a judgement already made for the same
    /// values ([`judge`]) needs only the reading it names.
    all: OnceLock<Vec<Reading<'a>>>,
    /// For readings at each candidate version: what they read (see [`crate::model::scope::Scope::read_key`]).
    over_candidates: Option<Option<ReadKey>>,
    /// The images judgements kept named, by the index of their reading and their key, when `all`
    /// is not made.
    named: Mutex<Vec<Named<'a>>>,
}

type Images<'a> = Result<Cow<'a, [ResolvedImage<'a>]>, Unsettled<'a>>;
type Named<'a> = (usize, &'static [&'static str], Option<ResolvedImage<'a>>);

/// One reading of a cluster, and its images.
pub type Reading<'a> = (RedisCluster<'a>, Images<'a>);

/// The values the chart's images are made of: what [`RedisCluster::images`] reads.
const IMAGE_READS: [&[&str]; 5] = [
    &["global", "imageRegistry"],
    &["image"],
    &["metrics"],
    &["sysctlImage"],
    &["volumePermissions"],
];
/// The top-level keys of those values, for the tests of images over candidate versions (which
/// read `global.security` too).
const IMAGE_PATHS: [&[&str]; 5] = [
    &["global"],
    &["image"],
    &["metrics"],
    &["sysctlImage"],
    &["volumePermissions"],
];

/// The images of a reading. A cluster whose values write none of [`IMAGE_READS`] has the images
/// of its defaults, made once per process for each distinct defaults ([`Scope::defaults_id`]): a
/// manifest of thousands of releases of no version would otherwise make every version's images
/// for each.
///
/// [`Scope::defaults_id`]: crate::model::scope::Scope::defaults_id
fn images_of<'a>(cluster: &RedisCluster<'a>) -> Images<'a> {
    type Made = Result<Vec<ResolvedImage<'static>>, Unsettled<'static>>;
    static MADE: OnceLock<Mutex<HashMap<BareId, &'static Made>>> = OnceLock::new();
    let Some((id, bare)) = cluster.scope.bare(&IMAGE_READS) else {
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

/// The readings of every cluster of the deployment, for the three image rules.
pub fn readings<'c, 'a>(cx: &'c Context<'a>) -> &'c [Readings<'a>] {
    cx.images.get_or_init(|| {
        cx.redis_clusters()
            .map(|cluster| {
                let versioned = cluster.version().is_some() || !cluster.scope.has_candidates();
                // Its own images, where they decide: a layer acp-check could not read decides
                // every reading (only a release with such a layer can have one).
                let own =
                    (versioned || !cluster.scope.release.unknown.is_empty()).then(|| images_of(&cluster));
                let layer = matches!(own, Some(Err(Unsettled::Layer(_))));
                if let Some(own) = own.filter(|_| versioned || layer) {
                    return Readings {
                        cluster,
                        all: OnceLock::from(vec![(cluster, own)]),
                        over_candidates: None,
                        named: Mutex::default(),
                    };
                }
                Readings {
                    cluster,
                    all: OnceLock::new(),
                    over_candidates: Some(cluster.scope.read_key(&IMAGE_PATHS)),
                    named: Mutex::default(),
                }
            })
            .collect()
    })
}

impl<'a> Readings<'a> {
    fn all(&self) -> &[Reading<'a>] {
        self.all.get_or_init(|| {
            let candidates = self.cluster.candidates().unwrap_or_default();
            // Candidates that differ only in defaults with nothing where images are read (the
            // umbrella chart's versions that set none there) have the same images: made once.
            let mut made: Vec<(BareId, usize)> = Vec::new();
            let mut all: Vec<Reading<'a>> = Vec::with_capacity(candidates.len());
            for candidate in candidates {
                let id = candidate.scope.defaults_id(&IMAGE_READS);
                let images = match made.iter().find(|(made, _)| *made == id) {
                    Some(&(_, at)) => {
                        let images = all[at].1.clone();
                        debug_assert_eq!(
                            format!("{images:?}"),
                            format!("{:?}", images_of(&candidate)),
                            "candidates with one defaults id make the same images"
                        );
                        images
                    }
                    None => {
                        made.push((id, all.len()));
                        images_of(&candidate)
                    }
                };
                all.push((candidate, images));
            }
            all
        })
    }

    /// The image at `key` in the reading at `index`.
    fn image_at(&self, index: usize, key: &[&str]) -> Option<ResolvedImage<'a>> {
        if let Some(all) = self.all.get() {
            let images = all.get(index)?.1.as_ref().ok()?;
            return images.iter().find(|i| i.key == key).cloned();
        }
        // Only the image asked for: the judgement came from values that read the same, so
        // this reading's images resolve.
        let mut named = self.named.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((.., image)) = named.iter().find(|(i, k, _)| *i == index && *k == key) {
            return image.clone();
        }
        let cluster = self.cluster.candidate(index)?;
        let image = match cluster.scope.bare(&IMAGE_READS) {
            // Defaults alone: made once per process.
            Some(_) => images_of(&cluster).ok()?.iter().find(|i| i.key == key).cloned(),
            None => cluster.image(key),
        };
        let (key, _) = crate::model::redis_cluster::IMAGES
            .iter()
            .find(|(k, _)| *k == key)?;
        named.push((index, key, image.clone()));
        image
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

/// An [`Outcome`] with its image named by the index of its reading: what is kept of a judgement
/// over candidate versions for other releases that write the same images.
#[derive(Clone, Copy)]
enum Judged {
    Every(usize, bool),
    Some(usize),
    No,
    Unsettled(Unsettled<'static>),
}

/// Tests the image at `key` in every reading (a reading without that image counts as one where
/// the test does not hold). `test` reads only the reading's chart version and its values under
/// [`IMAGE_PATHS`]; `name` tells it apart from the other tests, for the judgements kept.
pub fn judge<'a>(
    readings: &Readings<'a>,
    key: &[&str],
    name: &'static str,
    test: impl Fn(&RedisCluster<'a>, &ResolvedImage<'a>) -> bool,
) -> Outcome<'a> {
    static JUDGED: OnceLock<Mutex<HashMap<ReadKey, Option<Judged>>>> = OnceLock::new();
    let judged = match &readings.over_candidates {
        Some(read) => {
            let read = read.clone().map(|r| r.and(name).and(&key.join(".")));
            once_per_reading(&JUDGED, read, || judge_all(readings.all(), key, &test))
        }
        None => judge_all(readings.all(), key, &test),
    };
    let image = |index| readings.image_at(index, key);
    match judged {
        Some(Judged::Every(index, several)) => {
            image(index).map_or(Outcome::No, |i| Outcome::Every(i, several))
        }
        Some(Judged::Some(index)) => image(index).map_or(Outcome::No, Outcome::Some),
        Some(Judged::No) => Outcome::No,
        Some(Judged::Unsettled(why)) => Outcome::Unsettled(why),
        // A layer acp-check could not read decides: judged again, with what it names.
        None => match readings.all().iter().find_map(|(_, images)| match images {
            Err(why @ Unsettled::Layer(_)) => Some(*why),
            _ => None,
        }) {
            Some(why) => Outcome::Unsettled(why),
            None => Outcome::No,
        },
    }
}

/// [`judge`] over the readings made; `None` when a layer acp-check could not read decides (its
/// outcome names the layer, which is not kept).
fn judge_all<'a>(
    all: &[Reading<'a>],
    key: &[&str],
    test: &impl Fn(&RedisCluster<'a>, &ResolvedImage<'a>) -> bool,
) -> Option<Judged> {
    let several = all.len() > 1;
    let mut first = None;
    let mut every = !all.is_empty();
    for (index, (reading, images)) in all.iter().enumerate() {
        let images = match images {
            Ok(images) => images,
            Err(Unsettled::Version(_)) => {
                every = false;
                continue;
            }
            Err(Unsettled::Parent(chart)) => return Some(Judged::Unsettled(Unsettled::Parent(*chart))),
            Err(Unsettled::Layer(_)) => return None,
        };
        match images.iter().find(|i| i.key == key) {
            Some(image) if test(reading, image) => {
                first.get_or_insert(index);
            }
            _ => every = false,
        }
    }
    Some(match first {
        Some(index) if every => Judged::Every(index, several),
        Some(index) => Judged::Some(index),
        None => Judged::No,
    })
}

/// Whether the files read wrote one of the values that make the image.
pub fn written(image: &ResolvedImage) -> bool {
    image.nodes.iter().any(|n| !n.span.source.is_builtin())
}

/// Where to point at an image: the first value of it the files wrote (the repository, else the tag
/// or digest, else the registry), else the value that turns its container on, else the chart's
/// values as a whole (the image is the chart's default).
pub fn place(cluster: &RedisCluster, image: &ResolvedImage) -> crate::core::source::Span {
    let written: Vec<_> = image
        .nodes
        .iter()
        .filter(|n| !n.span.source.is_builtin())
        .collect();
    // An image of the chart's defaults that a file turns on: where it does (`metrics.enabled`).
    let enabled = || {
        let (_, flag) = crate::model::redis_cluster::IMAGES
            .iter()
            .find(|(key, _)| *key == image.key)?;
        let node = cluster.get(flag.as_ref()?)?;
        (!node.span.source.is_builtin()).then_some(node.span)
    };
    match written
        .iter()
        .find(|n| n.as_str() == Some(image.repository.as_str()))
    {
        Some(n) => n.span,
        None => written
            .last()
            .map(|n| n.span)
            .or_else(enabled)
            .unwrap_or_else(|| cluster.anchor()),
    }
}

/// `redis-cluster.image`, `redis-cluster.metrics.image`: the key as the values write it.
pub fn key_words(cluster: &RedisCluster, image: &ResolvedImage) -> String {
    let prefix = cluster.key.map(|k| format!("{k}.")).unwrap_or_default();
    format!("{prefix}{}", image.key.join("."))
}
