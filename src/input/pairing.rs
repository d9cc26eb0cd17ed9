//! Where no Flux wiring says which releases deploy together: a deployment holding a platform
//! HelmRelease and no Redis release joins the one deployment whose redis-cluster HelmRelease its
//! addresses name (`<fullname>-headless[.<namespace>…]`), so that their addresses, passwords and TLS
//! are compared across folders.

use crate::tree::Node;

/// What pairing needs to know of a deployment's HelmRelease documents.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Ends {
    /// The hosts (and namespaces, when written) the platform's addresses name.
    pub(super) addresses: Vec<(String, Option<String>)>,
    /// The headless services (and namespaces, when known) its redis-cluster releases make.
    pub(super) services: Vec<(String, Option<String>)>,
}

impl Ends {
    /// The ends of the HelmRelease documents `docs` (complete ones and patches).
    pub(super) fn of<'a>(docs: impl Iterator<Item = &'a Node>) -> Ends {
        let mut ends = Ends::default();
        for doc in docs {
            let text = |path: &[&str]| doc.get(path).and_then(Node::as_str);
            let chart = text(&["spec", "chart", "spec", "chart"]);
            let values = doc.get(&["spec", "values"]);
            let addrs = match chart {
                Some("kube-acp-stack") => values.and_then(|v| v.get(&["acp", "redis", "addrs"])),
                _ => values.and_then(|v| v.get(&["redis", "addrs"])),
            };
            for addr in addrs.and_then(Node::as_seq).unwrap_or_default() {
                if let Some(addr) = addr.as_str() {
                    let host = addr.rsplit_once(':').map_or(addr, |(h, _)| h);
                    let mut labels = host.split('.');
                    let service = labels.next().unwrap_or_default().to_string();
                    ends.addresses.push((service, labels.next().map(str::to_string)));
                }
            }
            if chart == Some("redis-cluster") {
                let namespace = text(&["spec", "targetNamespace"]).or(text(&["metadata", "namespace"]));
                let release = text(&["spec", "releaseName"]).map(str::to_string).or_else(|| {
                    let name = text(&["metadata", "name"])?;
                    Some(match text(&["spec", "targetNamespace"]) {
                        Some(ns) => format!("{ns}-{name}"),
                        None => name.to_string(),
                    })
                });
                let fullname = values
                    .and_then(|v| v.get(&["fullnameOverride"]))
                    .and_then(Node::as_str)
                    .map(str::to_string)
                    .or_else(|| {
                        let release = release?;
                        // Bitnami's fullname: the release name when it holds the chart's name.
                        Some(if release.contains("redis-cluster") {
                            release
                        } else {
                            format!("{release}-redis-cluster")
                        })
                    });
                if let Some(fullname) = fullname {
                    ends.services
                        .push((format!("{fullname}-headless"), namespace.map(str::to_string)));
                }
            }
        }
        ends
    }

    /// Whether the addresses of `self` name a service of `other` (a namespace written on both
    /// sides must agree).
    pub(super) fn names(&self, other: &Ends) -> bool {
        self.addresses.iter().any(|(host, ns)| {
            other.services.iter().any(|(service, service_ns)| {
                host == service && (ns.is_none() || service_ns.is_none() || ns == service_ns)
            })
        })
    }
}

/// For each deployment (by its ends), the deployment it joins, if one: a deployment with addresses
/// and no Redis release joins the only deployment with a Redis release its addresses name and no
/// platform of its own. Several candidates pair with none: nothing says which.
pub(super) fn partners(ends: &[Ends]) -> Vec<Option<usize>> {
    partners_named(ends, &[])
}

/// As [`partners`], for deployments with names (leaf overlays, by folder): among several
/// candidates, the one whose folder ends as the platform's does (`apps/acp/dev` with
/// `infrastructure/redis/dev`).
pub(super) fn partners_named(ends: &[Ends], names: &[String]) -> Vec<Option<usize>> {
    let leaf = |i: usize| names.get(i).and_then(|n| n.rsplit('/').next());
    ends.iter()
        .enumerate()
        .map(|(p, platform)| {
            if platform.addresses.is_empty() || !platform.services.is_empty() {
                return None;
            }
            let named: Vec<usize> = ends
                .iter()
                .enumerate()
                .filter(|(_, redis)| redis.addresses.is_empty() && platform.names(redis))
                .map(|(i, _)| i)
                .collect();
            match named[..] {
                [one] => Some(one),
                _ => {
                    let same: Vec<usize> = named
                        .into_iter()
                        .filter(|&i| leaf(i).is_some() && leaf(i) == leaf(p))
                        .collect();
                    match same[..] {
                        [one] => Some(one),
                        _ => None,
                    }
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::source::SourceId;

    fn ends(text: &str) -> Ends {
        let docs = crate::yaml::parse(SourceId(0), text).documents;
        Ends::of(docs.iter())
    }

    #[test]
    fn a_platform_joins_the_redis_release_its_addresses_name() {
        let platform = ends(
            "kind: HelmRelease\nspec:\n  chart: {spec: {chart: acp}}\n  values:\n    redis:\n      addrs: [cache-redis-cluster-headless.data:6379, cache-redis-cluster-headless.data:6379]\n",
        );
        let redis = ends(
            "kind: HelmRelease\nmetadata: {name: cache, namespace: data}\nspec:\n  chart: {spec: {chart: redis-cluster}}\n",
        );
        let elsewhere = ends(
            "kind: HelmRelease\nmetadata: {name: cache, namespace: other}\nspec:\n  chart: {spec: {chart: redis-cluster}}\n",
        );
        let named = ends(
            "kind: HelmRelease\nmetadata: {name: x}\nspec:\n  releaseName: my-redis-cluster\n  chart: {spec: {chart: redis-cluster}}\n",
        );
        assert_eq!(
            redis.services,
            [("cache-redis-cluster-headless".into(), Some("data".into()))]
        );
        assert_eq!(named.services, [("my-redis-cluster-headless".into(), None)]);
        assert_eq!(partners(&[platform, redis, elsewhere]), [Some(1), None, None]);
    }

    #[test]
    fn two_candidates_pair_with_none() {
        let platform = ends(
            "kind: HelmRelease\nspec:\n  chart: {spec: {chart: acp}}\n  values: {redis: {addrs: [cache-redis-cluster-headless:6379]}}\n",
        );
        let redis = || {
            ends(
                "kind: HelmRelease\nmetadata: {name: cache}\nspec: {chart: {spec: {chart: redis-cluster}}}\n",
            )
        };
        assert_eq!(partners(&[platform, redis(), redis()]), [None, None, None]);
    }
}
