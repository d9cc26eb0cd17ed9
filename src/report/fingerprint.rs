//! A finding's fingerprint: what `--baseline` matches findings by, SARIF's `partialFingerprints`,
//! GitLab Code Quality's `fingerprint` and the JSON report's `"fingerprint"`, one value for all.
//!
//! It is a hash (64-bit FNV-1a, written as 16 hex digits) of the rule, the file (as named, `./`
//! and `\` aside), the value's JSON pointer and the text of the value as written (a secret as
//! `***`, so that no fingerprint is a hash of a secret). No line or column goes in: a finding
//! keeps its fingerprint when lines are added or moved around it, and gets a new one when its
//! value changes. A finding inside a block scalar (a line of `redis.configmap`) has no pointer of
//! its own; its text tells it apart. A probe's finding is its rule and target. When several
//! findings of a run would have the same fingerprint, the second and later get the hash of it and
//! their rank among them: one more such finding is one more fingerprint.

use std::collections::HashMap;

use crate::core::source::{Sources, SpanMap};
use crate::diagnostic::Finding;

/// The fingerprint of each finding, given the [`base`] of each in their order: the second and
/// later of the same base get the hash of it and their rank.
pub fn ranked(bases: &[u64]) -> Vec<String> {
    let mut seen: HashMap<u64, u64> = HashMap::with_capacity(bases.len());
    bases
        .iter()
        .map(|&base| {
            let rank = seen.entry(base).or_insert(0);
            let hash = if *rank == 0 {
                base
            } else {
                let mut h = Fnv::new();
                h.part(&base.to_le_bytes());
                h.part(&rank.to_le_bytes());
                h.0
            };
            *rank += 1;
            format!("{hash:016x}")
        })
        .collect()
}

/// What a finding's fingerprint is a hash of, hashed (the same for findings that are alike).
pub fn base(finding: &Finding, sources: &Sources, pointers: &SpanMap<Option<String>>) -> u64 {
    let mut h = Fnv::new();
    h.part(b"acp-check/1");
    h.part(finding.rule.id.as_bytes());
    match finding.span.filter(|s| sources.contains(s.source)) {
        Some(span) => {
            let source = sources.get(span.source);
            let name: std::borrow::Cow<str> = if source.name.contains('\\') {
                source.name.replace('\\', "/").into()
            } else {
                source.name.as_str().into()
            };
            h.part(name.strip_prefix("./").unwrap_or(&name).as_bytes());
            let pointer = pointers.get(&span).and_then(Option::as_deref).unwrap_or_default();
            h.part(pointer.as_bytes());
            let value = source
                .snippet(span.range())
                .filter(|text| !source.secrets().any(|s| !s.is_empty() && text.contains(s)))
                .unwrap_or(crate::core::source::MASK);
            h.part(value.as_bytes());
        }
        None => {
            h.part(b"");
            h.part(finding.target.as_deref().unwrap_or_default().as_bytes());
            if finding.target.is_none() {
                h.part(finding.message.as_bytes());
            }
        }
    }
    h.0
}

/// 64-bit FNV-1a, each part followed by a separator byte no text holds.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn part(&mut self, bytes: &[u8]) {
        for &b in bytes.iter().chain(&[0xff]) {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::source::{Origin, Source, SourceId, Span};
    use crate::report::testing;

    #[test]
    fn fnv_is_the_published_function() {
        // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c; our parts add a separator byte.
        let mut h = Fnv::new();
        for &b in b"a" {
            h.0 ^= u64::from(b);
            h.0 = h.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
        assert_eq!(h.0, 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn a_fingerprint_survives_lines_moving_and_changes_with_the_value() {
        let print = |text: &str, needle: &str| {
            let mut sources = Sources::default();
            sources.add(Source::new("./v.yaml".into(), Origin::File, text.into()));
            let at = text.find(needle).unwrap();
            let span = Span::new(SourceId(0), at..at + needle.len());
            let finding = Finding::new(&testing::CLUSTER_NO_REPLICAS, "x").at(span);
            let mut pointers = SpanMap::default();
            pointers.insert(span, Some("/cluster/replicas".to_string()));
            let base = base(&finding, &sources, &pointers);
            ranked(&[base, base])
        };
        let one = print("cluster:\n  replicas: 0\n", "0");
        let moved = print("# a comment\nother: 1\ncluster:\n  replicas: 0\n", "0");
        assert_eq!(one, moved);
        assert_ne!(one[0], one[1], "a second finding like it gets its own");
        assert_ne!(one, print("cluster:\n  replicas: 00\n", "00"));
        assert_eq!(one[0].len(), 16);
    }
}
