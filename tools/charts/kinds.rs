// The encodings that `tools/charts/tables.rs` writes (at build time) and `src/model/charts.rs` reads:
// their one definition.

// The kind of a row value (`kind << 28 | payload`).
const NULL: u32 = 0;
const BOOL: u32 = 1;
const INT: u32 = 2;
const FLOAT: u32 = 3;
const STR: u32 = 4;
const EMPTY_MAP: u32 = 5;
const EMPTY_SEQ: u32 = 6;
const DOC: u32 = 7;
const OPEN: u32 = 8;

// A node's state in one version (bits).
/// The version has the node's key (a default value, a documented key, or keys below).
const LIVE: u8 = 1;
/// Any key below the node is accepted: a free-form map, a list, a default that is not a map, or a
/// key documented without keys of its own.
const OPEN_BELOW: u8 = 2;
/// The node holds a default value (a scalar, `{}` or `[]`).
const VALUE: u8 = 4;
/// The node or a node below it holds a default value: the version has defaults there.
const VALUES_BELOW: u8 = 8;

// What the versions of a chart agree on at a node (bits).
/// Versions disagree on the node or on something below it.
const DIFFERS: u8 = 1;
/// Versions disagree on the node's own value (a scalar, or a scalar against a map).
const OWN_DIFFERS: u8 = 2;

/// The hash of a map key by which a node's child is found in the chart's child table: a
/// multiply-rotate over its bytes eight at a time (keys are short, and looked up thousands of times
/// a file).
fn key_hash(key: &[u8]) -> u32 {
    let mut hash = key.len() as u64;
    let mut chunks = key.chunks_exact(8);
    let mix = |hash: u64, word: u64| (hash.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    for chunk in chunks.by_ref() {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        hash = mix(hash, u64::from_le_bytes(word));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut word = [0; 8];
        word[..rest.len()].copy_from_slice(rest);
        hash = mix(hash, u64::from_le_bytes(word));
    }
    (hash >> 32) as u32
}

/// Where the child table (open addressing, `len` a power of two, probed one slot at a time) puts
/// the child with the key of hash `key_hash` of node `parent`.
const fn child_slot(parent: usize, key_hash: u32, len: usize) -> usize {
    let mixed = (key_hash ^ (parent as u32).wrapping_mul(0x9e37_79b1)).wrapping_mul(0x85eb_ca6b);
    (mixed >> 16) as usize & (len - 1)
}
