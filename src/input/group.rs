//! Which inputs found by a directory search form one deployment: a folder's platform values file
//! with its `redis-cluster` values file, a folder's HelmRelease manifests, an overlay patch with the
//! HelmRelease it patches. Everything else found is a deployment of its own.

use std::collections::HashMap;
use std::path::Path;

use crate::model::Shape;

/// What grouping needs to know of one input.
pub(super) enum Member<'a> {
    /// Named on the command line: the inputs named are one deployment.
    Named,
    /// Found by a search, and a deployment of its own whatever else is found (a chart directory,
    /// a file not readable as YAML).
    Alone,
    /// A values file found by a search in `folder`, for the chart `shape`.
    Values { folder: &'a Path, shape: Shape },
    /// A manifest found by a search in `folder`: the name of each of its HelmRelease documents, and
    /// whether that one is complete (names its chart) or an overlay patch.
    HelmReleases {
        folder: &'a Path,
        documents: Vec<(&'a str, bool)>,
    },
    /// A manifest of Argo CD Applications found by a search in `folder`.
    Applications { folder: &'a Path },
}

impl Member<'_> {
    /// Whether it is a deployment of its own whatever else is read: then it can be checked as soon
    /// as it is read.
    pub(super) fn stands_alone(&self) -> bool {
        match self {
            Member::Named | Member::HelmReleases { .. } | Member::Applications { .. } => false,
            Member::Alone => true,
            Member::Values { shape, .. } => !matches!(shape, Shape::Acp | Shape::RedisCluster),
        }
    }
}

/// The deployment of each member, numbered in the order of their first member:
/// - the members named on the command line are one deployment;
/// - a folder holding exactly one platform (`acp` chart) values file and one `redis-cluster` chart
///   values file makes them one;
/// - the HelmRelease and Application manifests of one folder are one deployment; a HelmRelease without `spec.chart`
///   is an overlay patch and joins the complete HelmRelease of the same name (the one in the
///   nearest folder, if several folders have one; the first one on a tie);
/// - every other member is a deployment of its own.
pub(super) fn deployments(members: &[Member]) -> Vec<usize> {
    let mut sets = UnionFind::new(members.len());
    let named: Vec<usize> = (0..members.len())
        .filter(|&i| matches!(members[i], Member::Named))
        .collect();
    for pair in named.windows(2) {
        sets.union(pair[0], pair[1]);
    }
    let mut by_folder: HashMap<&Path, Folder> = HashMap::new();
    // Complete HelmReleases by name, and overlay patches: (member, folder).
    let mut complete: HashMap<&str, Vec<(usize, &Path)>> = HashMap::new();
    let mut patches: Vec<(&str, usize, &Path)> = Vec::new();
    for (i, member) in members.iter().enumerate() {
        match member {
            Member::HelmReleases { folder, documents } => {
                for &(name, is_complete) in documents {
                    if is_complete {
                        complete.entry(name).or_default().push((i, folder));
                    } else {
                        patches.push((name, i, folder));
                    }
                }
                by_folder.entry(folder).or_default().manifests.push(i);
            }
            Member::Applications { folder } => by_folder.entry(folder).or_default().manifests.push(i),
            Member::Values { folder, shape } => match shape {
                Shape::Acp => by_folder.entry(folder).or_default().platforms.push(i),
                Shape::RedisCluster => by_folder.entry(folder).or_default().clusters.push(i),
                Shape::Umbrella | Shape::Unknown => {}
            },
            Member::Named | Member::Alone => {}
        }
    }
    for Folder {
        manifests,
        platforms,
        clusters,
    } in by_folder.values()
    {
        for pair in manifests.windows(2) {
            sets.union(pair[0], pair[1]);
        }
        if let ([platform], [cluster]) = (&platforms[..], &clusters[..]) {
            sets.union(*platform, *cluster);
        }
    }
    for (name, patch, folder) in patches {
        let shared = |other: &Path| {
            folder
                .components()
                .zip(other.components())
                .take_while(|(a, b)| a == b)
                .count()
        };
        let base = complete
            .get(name)
            .into_iter()
            .flatten()
            .fold(None::<(usize, usize)>, |best, (i, f)| match best {
                Some((_, n)) if n >= shared(f) => best,
                _ => Some((*i, shared(f))),
            });
        if let Some((base, _)) = base {
            sets.union(patch, base);
        }
    }
    let mut number_of_root: HashMap<usize, usize> = HashMap::new();
    (0..members.len())
        .map(|i| {
            let root = sets.find(i);
            let next = number_of_root.len();
            *number_of_root.entry(root).or_insert(next)
        })
        .collect()
}

/// What a folder found by a search holds (indices of members).
#[derive(Default)]
struct Folder {
    /// HelmRelease and Application manifests.
    manifests: Vec<usize>,
    /// Values files of the platform's `acp` chart.
    platforms: Vec<usize>,
    /// Values files of the `redis-cluster` chart.
    clusters: Vec<usize>,
}

/// Disjoint sets of member indices.
struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> UnionFind {
        UnionFind {
            parent: (0..n).collect(),
        }
    }

    fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    /// Joins two sets; the smaller index stays the root, so groups keep input order.
    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        let (low, high) = (a.min(b), a.max(b));
        self.parent[high] = low;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(folder: &str, shape: Shape) -> Member<'_> {
        Member::Values {
            folder: Path::new(folder),
            shape,
        }
    }

    fn helm_releases<'a>(folder: &'a str, documents: &[(&'a str, bool)]) -> Member<'a> {
        Member::HelmReleases {
            folder: Path::new(folder),
            documents: documents.to_vec(),
        }
    }

    #[test]
    fn a_folder_of_one_platform_and_one_cluster_values_file_is_one_deployment() {
        let members = [
            values("prod", Shape::Acp),
            values("prod", Shape::Unknown),
            values("prod", Shape::RedisCluster),
            values("dev", Shape::Acp),
            values("dev/redis", Shape::RedisCluster),
        ];
        assert_eq!(deployments(&members), [0, 1, 0, 2, 3]);
    }

    #[test]
    fn two_platform_files_in_a_folder_pair_with_nothing() {
        let members = [
            values("prod", Shape::Acp),
            values("prod", Shape::Acp),
            values("prod", Shape::RedisCluster),
        ];
        assert_eq!(deployments(&members), [0, 1, 2]);
    }

    #[test]
    fn the_inputs_named_on_the_command_line_are_one_deployment() {
        let members = [
            Member::Named,
            Member::Alone,
            Member::Named,
            values("a", Shape::Acp),
            Member::Named,
        ];
        assert_eq!(deployments(&members), [0, 1, 0, 2, 0]);
    }

    #[test]
    fn a_folder_of_helm_releases_is_one_deployment() {
        let members = [
            helm_releases("flux", &[("redis", true)]),
            helm_releases("other", &[("acp", true)]),
            helm_releases("flux", &[("acp", true), ("x", true)]),
        ];
        assert_eq!(deployments(&members), [0, 1, 0]);
    }

    #[test]
    fn an_overlay_patch_joins_the_complete_release_of_its_name_in_the_nearest_folder() {
        let members = [
            helm_releases("base", &[("redis", true)]),
            helm_releases("clusters/prod/base", &[("redis", true)]),
            helm_releases("clusters/prod/overlay", &[("redis", false)]),
            helm_releases("clusters/dev", &[("redis", false)]),
            // No complete release of this name: the patch stays a deployment of its own.
            helm_releases("lonely", &[("cache", false)]),
        ];
        // `clusters/dev` shares one component with `clusters/prod/base` and none with `base`.
        assert_eq!(deployments(&members), [0, 1, 1, 1, 2]);
        // On a tie, the first complete release wins.
        let members = [
            helm_releases("a/x", &[("redis", true)]),
            helm_releases("a/y", &[("redis", true)]),
            helm_releases("a/z", &[("redis", false)]),
        ];
        assert_eq!(deployments(&members), [0, 1, 0]);
    }

    #[test]
    fn what_can_be_checked_as_soon_as_it_is_read() {
        assert!(Member::Alone.stands_alone());
        assert!(values("a", Shape::Unknown).stands_alone());
        assert!(values("a", Shape::Umbrella).stands_alone());
        assert!(!values("a", Shape::Acp).stands_alone());
        assert!(!values("a", Shape::RedisCluster).stands_alone());
        assert!(!helm_releases("a", &[("x", true)]).stands_alone());
        assert!(!Member::Named.stands_alone());
    }
}
