//! The build-time half of the chart data (the other half is `tools/charts/gen.py`): reads
//! `data/charts/<chart>.txt` and writes the static tables `src/model/charts.rs` reads, so that a run of
//! acp-check parses nothing of it. Included by `build.rs`.
//!
//! Each chart's versions (in release order), a tree of every key path any version has (in preorder,
//! keys sorted bytewise, list items as index segments), and *rows*: one per distinct leaf of a path
//! (a value, or a `doc` / `open` mark) and run of consecutive versions that have it. A version's values
//! are the rows live at its index: nothing is stored per version but its Chart.yaml fields.
//!
//! The encodings shared with `src/model/charts.rs` (change both together):
//! - a string is an index into `STR_END`: string `i` is `TEXT[STR_END[i - 1]..STR_END[i]]` (0 for
//!   `i = 0`); in the `u16` fields of versions and dependencies, `NONE` (`u16::MAX`) is no string;
//! - a node key (`u16`) is a string, or `INDEX | i` for item `i` of a list;
//! - a row value is `kind << 28 | payload`, kinds below (`INT`: payload indexes `INTS`, `FLOAT`:
//!   `FLOATS`, `STR`: a string, `BOOL`: 0 or 1);
//! - a row's versions are `from | to << 16`, indices into the chart's versions, `to` exclusive.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

/// (Rust name, `Chart` variant, file stem under `data/charts/`).
const CHARTS: [(&str, &str, &str); 3] = [
    ("REDIS_CLUSTER", "RedisCluster", "redis-cluster"),
    ("KUBE_ACP_STACK", "KubeAcpStack", "kube-acp-stack"),
    ("ACP", "Acp", "acp"),
];

include!("kinds.rs");
const INDEX: u32 = 1 << 15;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Segment {
    Key(String),
    Index(u32),
}

/// A leaf as the tables hold it, before strings and numbers are interned.
#[derive(Clone, Debug, PartialEq)]
enum Leaf {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    EmptyMap,
    EmptySeq,
    Doc,
    Open,
}

#[derive(Default)]
struct Version {
    version: String,
    date: String,
    app_version: Option<String>,
    home: Option<String>,
    sources: Vec<String>,
    /// By values key (the alias, else the name).
    dependencies: BTreeMap<String, Value>,
}

/// What a line of a version block sets: a value or one of the two marks, at a pointer.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
enum Slot {
    Value,
    Doc,
    Open,
}

struct Row {
    path: Vec<Segment>,
    leaf: Leaf,
    from: usize,
    to: usize,
}

/// The strings and numbers of all charts, interned.
#[derive(Default)]
struct Pool {
    text: String,
    ends: Vec<u32>,
    ids: HashMap<String, u32>,
    ints: Vec<i64>,
    floats: Vec<u64>,
}

impl Pool {
    fn get(&self, id: u32) -> &str {
        let id = id as usize;
        let start = if id == 0 { 0 } else { self.ends[id - 1] as usize };
        &self.text[start..self.ends[id] as usize]
    }

    fn string(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        self.text.push_str(s);
        self.ends
            .push(u32::try_from(self.text.len()).expect("text under 4 GiB"));
        let id = u32::try_from(self.ends.len() - 1).expect("strings");
        self.ids.insert(s.to_string(), id);
        id
    }

    /// A string for a `u16` field.
    fn short(&mut self, s: &str) -> u16 {
        u16::try_from(self.string(s))
            .ok()
            .filter(|&id| id != u16::MAX)
            .expect("string ids fit u16 fields")
    }

    fn optional(&mut self, s: Option<&str>) -> String {
        match s {
            Some(s) => self.short(s).to_string(),
            None => "NONE".to_string(),
        }
    }

    fn value(&mut self, leaf: &Leaf) -> u32 {
        let (kind, payload) = match leaf {
            Leaf::Null => (NULL, 0),
            Leaf::Bool(b) => (BOOL, u32::from(*b)),
            Leaf::Int(i) => (INT, index_of(&mut self.ints, *i)),
            Leaf::Float(f) => (FLOAT, index_of(&mut self.floats, f.to_bits())),
            Leaf::Str(s) => (STR, self.string(s)),
            Leaf::EmptyMap => (EMPTY_MAP, 0),
            Leaf::EmptySeq => (EMPTY_SEQ, 0),
            Leaf::Doc => (DOC, 0),
            Leaf::Open => (OPEN, 0),
        };
        assert!(payload < 1 << 28, "payload {payload} does not fit");
        kind << 28 | payload
    }
}

fn index_of<T: PartialEq>(table: &mut Vec<T>, value: T) -> u32 {
    let i = match table.iter().position(|v| *v == value) {
        Some(i) => i,
        None => {
            table.push(value);
            table.len() - 1
        }
    };
    u32::try_from(i).expect("table size")
}

/// Writes `charts.rs` into `out_dir`.
pub fn generate(out_dir: &Path) {
    println!("cargo:rerun-if-changed=data/charts");
    println!("cargo:rerun-if-changed=tools/charts/tables.rs");
    println!("cargo:rerun-if-changed=tools/charts/kinds.rs");
    let mut pool = Pool::default();
    let mut out = String::from("// @generated by build.rs from data/charts/*.txt: do not edit.\n");
    let mut dependencies = Vec::new();
    let mut sources = Vec::new();
    let mut tags = Vec::new();
    let mut lists = HashMap::new();
    for (rust, variant, stem) in CHARTS {
        let file = format!("data/charts/{stem}.txt");
        println!("cargo:rerun-if-changed={file}");
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
        let (versions, rows) = read(&file, &text);
        emit_chart(
            &mut out,
            &mut pool,
            (rust, variant),
            &versions,
            rows,
            (&mut dependencies, &mut sources, &mut tags),
            &mut lists,
        );
    }
    let list = |values: &[u32]| values.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
    let _ = writeln!(out, "static TEXT: &str = {:?};", pool.text);
    let _ = writeln!(
        out,
        "static STR_END: [u32; {}] = [{}];",
        pool.ends.len(),
        list(&pool.ends)
    );
    let ints: Vec<String> = pool.ints.iter().map(i64::to_string).collect();
    let _ = writeln!(out, "static INTS: [i64; {}] = [{}];", ints.len(), ints.join(","));
    let floats: Vec<String> = pool
        .floats
        .iter()
        .map(|bits| format!("{:?}", f64::from_bits(*bits)))
        .collect();
    let _ = writeln!(
        out,
        "static FLOATS: [f64; {}] = [{}];",
        floats.len(),
        floats.join(",")
    );
    let _ = writeln!(
        out,
        "static SOURCES: [u16; {}] = [{}];",
        sources.len(),
        list(&sources)
    );
    let _ = writeln!(out, "static TAGS: [u16; {}] = [{}];", tags.len(), list(&tags));
    let _ = writeln!(
        out,
        "static DEPENDENCIES: [Dependency; {}] = [{}];",
        dependencies.len(),
        dependencies.join(",")
    );
    std::fs::write(out_dir.join("charts.rs"), out).expect("write charts.rs");
}

/// The versions of one data file and the rows of its values and marks.
fn read(file: &str, text: &str) -> (Vec<Version>, Vec<Row>) {
    let mut versions: Vec<Version> = Vec::new();
    let mut rows = Vec::new();
    // What is live now, by (pointer, slot): the leaf (a whole list for a value) and its first version.
    let mut live: HashMap<(String, Slot), (Value, usize)> = HashMap::new();
    for (n, line) in text.lines().enumerate() {
        let fail = |what: &str| -> ! { panic!("{file}:{}: {what}: {line}", n + 1) };
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix("version ") {
            let (version, date) = rest.split_once(' ').unwrap_or_else(|| fail("no date"));
            let mut next = Version {
                version: version.to_string(),
                date: date.to_string(),
                ..Version::default()
            };
            if let Some(previous) = versions.last() {
                next.app_version.clone_from(&previous.app_version);
                next.home.clone_from(&previous.home);
                next.sources.clone_from(&previous.sources);
                next.dependencies.clone_from(&previous.dependencies);
            }
            versions.push(next);
            continue;
        }
        let index = versions
            .len()
            .checked_sub(1)
            .unwrap_or_else(|| fail("before any version"));
        let current = versions.last_mut().expect("a version");
        let json = |s: &str| -> Value { serde_json::from_str(s).unwrap_or_else(|e| fail(&e.to_string())) };
        if !line.contains('\t') {
            let (field, value) = line.split_once(' ').unwrap_or_else(|| fail("no value"));
            {
                let value = json(value);
                match field {
                    "appVersion" => current.app_version = value.as_str().map(str::to_string),
                    "home" => current.home = value.as_str().map(str::to_string),
                    "sources" => {
                        current.sources = value
                            .as_array()
                            .unwrap_or_else(|| fail("sources must be a list"))
                            .iter()
                            .map(|s| s.as_str().unwrap_or_else(|| fail("a source")).to_string())
                            .collect();
                    }
                    "dependency" => {
                        let key = value
                            .get("alias")
                            .or_else(|| value.get("name"))
                            .and_then(Value::as_str)
                            .unwrap_or_else(|| fail("a dependency needs a name"))
                            .to_string();
                        current.dependencies.insert(key, value);
                    }
                    "-dependency" => {
                        let key = value.as_str().unwrap_or_else(|| fail("a dependency key"));
                        current
                            .dependencies
                            .remove(key)
                            .unwrap_or_else(|| fail("no such dependency"));
                    }
                    _ => fail("unknown field"),
                }
                continue;
            }
        }
        let mut parts = line.split('\t');
        let (op, pointer) = (
            parts.next().unwrap_or(""),
            parts.next().unwrap_or_else(|| fail("no pointer")),
        );
        let value = parts.next();
        let (slot, set) = match op {
            "=" => (Slot::Value, true),
            "-" => (Slot::Value, false),
            "doc" => (Slot::Doc, true),
            "-doc" => (Slot::Doc, false),
            "open" => (Slot::Open, true),
            "-open" => (Slot::Open, false),
            _ => fail("unknown line"),
        };
        if !pointer.is_empty() && !pointer.starts_with('/') {
            fail("not a pointer");
        }
        let key = (pointer.to_string(), slot);
        if let Some((old, from)) = live.remove(&key) {
            close(&mut rows, pointer, slot, &old, from, index);
        } else if !set {
            fail("nothing to remove");
        }
        if set {
            let leaf = match (slot, value) {
                (Slot::Value, Some(v)) => json(v),
                (Slot::Value, None) => fail("no value"),
                (_, None) => Value::Null,
                (_, Some(_)) => fail("a mark has no value"),
            };
            live.insert(key, (leaf, index));
        }
    }
    let end = versions.len();
    let mut remaining: Vec<_> = live.into_iter().collect();
    remaining.sort_by(|a, b| a.0.cmp(&b.0));
    for ((pointer, slot), (value, from)) in remaining {
        close(&mut rows, &pointer, slot, &value, from, end);
    }
    (versions, rows)
}

/// Adds the rows of a leaf live in versions `from..to`; a list becomes one row per scalar inside it.
fn close(rows: &mut Vec<Row>, pointer: &str, slot: Slot, value: &Value, from: usize, to: usize) {
    let path: Vec<Segment> = if pointer.is_empty() {
        Vec::new()
    } else {
        pointer[1..]
            .split('/')
            .map(|s| Segment::Key(s.replace("~1", "/").replace("~0", "~")))
            .collect()
    };
    match slot {
        Slot::Doc => rows.push(Row {
            path,
            leaf: Leaf::Doc,
            from,
            to,
        }),
        Slot::Open => rows.push(Row {
            path,
            leaf: Leaf::Open,
            from,
            to,
        }),
        Slot::Value => {
            if let Value::Object(map) = value {
                assert!(map.is_empty(), "{pointer}: only an empty map is a leaf");
            }
            flatten(rows, path, value, from, to);
        }
    }
}

fn flatten(rows: &mut Vec<Row>, path: Vec<Segment>, value: &Value, from: usize, to: usize) {
    let leaf = match value {
        Value::Null => Leaf::Null,
        Value::Bool(b) => Leaf::Bool(*b),
        Value::Number(n) if n.is_f64() => Leaf::Float(n.as_f64().expect("f64")),
        Value::Number(n) => Leaf::Int(n.as_i64().unwrap_or_else(|| panic!("{n}: not an i64"))),
        Value::String(s) => Leaf::Str(s.clone()),
        Value::Array(items) if items.is_empty() => Leaf::EmptySeq,
        Value::Object(map) if map.is_empty() => Leaf::EmptyMap,
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let mut child = path.clone();
                child.push(Segment::Index(u32::try_from(i).expect("index")));
                flatten(rows, child, item, from, to);
            }
            return;
        }
        Value::Object(map) => {
            for (key, item) in map {
                let mut child = path.clone();
                child.push(Segment::Key(key.clone()));
                flatten(rows, child, item, from, to);
            }
            return;
        }
    };
    rows.push(Row { path, leaf, from, to });
}

fn emit_chart(
    out: &mut String,
    pool: &mut Pool,
    (rust, variant): (&str, &str),
    versions: &[Version],
    mut rows: Vec<Row>,
    (dependencies, sources, tags): (&mut Vec<String>, &mut Vec<u32>, &mut Vec<u32>),
    lists: &mut HashMap<String, (usize, usize)>,
) {
    assert!(versions.len() < 1 << 16, "{rust}: too many versions");
    // Rows in node preorder (own rows before the rows below), then by leaf and first version; runs of
    // one leaf that meet (a list item that stayed while the list changed) become one row.
    rows.sort_by(|a, b| {
        fn key(r: &Row) -> (u8, (i64, u64, &str), usize) {
            (leaf_order(&r.leaf), r.leaf.sort_key(), r.from)
        }
        a.path.cmp(&b.path).then_with(|| key(a).cmp(&key(b)))
    });
    let mut merged: Vec<Row> = Vec::with_capacity(rows.len());
    for row in rows {
        if let Some(last) = merged.last_mut() {
            if last.path == row.path && last.leaf.same(&row.leaf) && last.to == row.from {
                last.to = row.to;
                continue;
            }
        }
        merged.push(row);
    }

    // Every path and its prefixes, in preorder.
    let mut paths: Vec<Vec<Segment>> = vec![Vec::new()];
    for row in &merged {
        for len in 1..=row.path.len() {
            paths.push(row.path[..len].to_vec());
        }
    }
    paths.sort();
    paths.dedup();
    let index: HashMap<&[Segment], usize> =
        paths.iter().enumerate().map(|(i, p)| (p.as_slice(), i)).collect();
    let mut ends = vec![paths.len(); paths.len()];
    let mut open: Vec<usize> = Vec::new();
    for (i, path) in paths.iter().enumerate() {
        while let Some(&top) = open.last() {
            if path.starts_with(&paths[top]) {
                break;
            }
            ends[top] = i;
            open.pop();
        }
        open.push(i);
    }
    let row_nodes: Vec<usize> = merged.iter().map(|r| index[r.path.as_slice()]).collect();
    check(rust, versions, &merged, &row_nodes, &paths);
    let keys: Vec<u32> = paths
        .iter()
        .map(|p| match p.last() {
            None => pool.string(""),
            Some(Segment::Key(k)) => {
                let id = pool.string(k);
                assert!(id < INDEX, "node key string ids fit 15 bits");
                id
            }
            Some(Segment::Index(i)) => {
                assert!(*i < INDEX, "list indices fit 15 bits");
                INDEX | i
            }
        })
        .collect();
    let mut node_rows = vec![0u32; paths.len() + 1];
    for row in &merged {
        node_rows[index[row.path.as_slice()] + 1] += 1;
    }
    for i in 1..node_rows.len() {
        node_rows[i] += node_rows[i - 1];
    }
    let values: Vec<u32> = merged.iter().map(|r| pool.value(&r.leaf)).collect();
    let live: Vec<u32> = merged.iter().map(|r| (r.from | r.to << 16) as u32).collect();

    let numbers = |name: &str, ty: &str, values: &[u32]| {
        let list: Vec<String> = values.iter().map(u32::to_string).collect();
        format!(
            "static {rust}_{name}: [{ty}; {}] = [{}];\n",
            values.len(),
            list.join(",")
        )
    };
    assert!(
        paths.len() < 1 << 16 && merged.len() < 1 << 16,
        "{rust}: node and row indices fit u16"
    );
    out.push_str(&numbers("NODE_KEY", "u16", &keys));
    out.push_str(&numbers("NODE_ROWS", "u16", &node_rows));
    out.push_str(&numbers("ROW_VALUE", "u32", &values));
    out.push_str(&numbers("ROW_LIVE", "u32", &live));
    let derived = Derived::new(pool, versions, &keys, &ends, &node_rows, &values, &live);
    out.push_str(&numbers("CHILD_START", "u16", &derived.child_start));
    out.push_str(&numbers("CHILDREN", "u16", &derived.children));
    out.push_str(&numbers("NODE_PARENT", "u16", &derived.node_parent));
    out.push_str(&numbers("NODE_HASH", "u32", &derived.node_hash));
    out.push_str(&numbers("CHILD_TABLE", "u16", &derived.child_table));
    out.push_str(&numbers("STATES", "u8", &derived.states));
    out.push_str(&numbers("VERSION_STATES", "u16", &derived.version_states));
    out.push_str(&numbers("AGREED", "u8", &derived.agreed));
    out.push_str(&numbers("AGREED_ROW", "u16", &derived.agreed_row));
    out.push_str(&numbers("BY_SEMVER", "u16", &derived.by_semver));
    out.push_str(&numbers("BY_TEXT", "u16", &derived.by_text));

    let _ = writeln!(
        out,
        "static {rust}_VERSIONS: [ChartVersion; {}] = [",
        versions.len()
    );
    for (i, v) in versions.iter().enumerate() {
        // A list that several versions share is written once.
        let ids: Vec<u32> = v.sources.iter().map(|s| u32::from(pool.short(s))).collect();
        let (source_start, source_end) = *lists.entry(format!("sources {ids:?}")).or_insert_with(|| {
            sources.extend(&ids);
            (sources.len() - ids.len(), sources.len())
        });
        let records: Vec<String> = v
            .dependencies
            .values()
            .map(|dep| {
                let text = |key: &str| dep.get(key).and_then(Value::as_str);
                let names: Vec<u32> = dep
                    .get("tags")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(|tag| u32::from(pool.short(tag.as_str().expect("a tag"))))
                    .collect();
                let (tag_start, tag_end) = *lists.entry(format!("tags {names:?}")).or_insert_with(|| {
                    tags.extend(&names);
                    (tags.len() - names.len(), tags.len())
                });
                format!(
                    "Dependency {{ name: {}, alias: {}, version: {}, repository: {}, condition: {}, \
                     tags: ({tag_start}, {tag_end}) }}",
                    pool.optional(text("name")),
                    pool.optional(text("alias")),
                    pool.optional(text("version")),
                    pool.optional(text("repository")),
                    pool.optional(text("condition")),
                )
            })
            .collect();
        let key = format!("dependencies {records:?}");
        let (dependency_start, dependency_end) = *lists.entry(key).or_insert_with(|| {
            dependencies.extend(records.iter().cloned());
            (dependencies.len() - records.len(), dependencies.len())
        });
        assert!(
            sources.len() < 1 << 16 && dependencies.len() < 1 << 16 && tags.len() < 1 << 16,
            "list indices fit u16"
        );
        let _ = writeln!(
            out,
            "    ChartVersion {{ chart: Chart::{variant}, index: {i}, version: {}, date: {}, app_version: {}, \
             home: {}, sources: ({source_start}, {source_end}), dependencies: ({dependency_start}, \
             {dependency_end}) }},",
            pool.short(&v.version),
            pool.short(&v.date),
            pool.optional(v.app_version.as_deref()),
            pool.optional(v.home.as_deref()),
        );
    }
    out.push_str("];\n");
    let _ = writeln!(
        out,
        "static {rust}: Tables = Tables {{ versions: &{rust}_VERSIONS, node_key: &{rust}_NODE_KEY, \
         node_rows: &{rust}_NODE_ROWS, row_value: &{rust}_ROW_VALUE, row_live: &{rust}_ROW_LIVE, \
         child_start: &{rust}_CHILD_START, children: &{rust}_CHILDREN, node_parent: &{rust}_NODE_PARENT, \
         node_hash: &{rust}_NODE_HASH, child_table: &{rust}_CHILD_TABLE, \
         states: &{rust}_STATES, \
         version_states: &{rust}_VERSION_STATES, agreed_flags: &{rust}_AGREED, \
         agreed_row: &{rust}_AGREED_ROW, by_semver: &{rust}_BY_SEMVER, by_text: &{rust}_BY_TEXT, \
         agreed: OnceLock::new() }};"
    );
}

/// What `src/model/charts.rs` would otherwise work out from a chart's tables at run time, for the
/// first file that asks (most of a one-file run's time, before): per node its children, per version
/// each node's state, what every version agrees on, and the versions in SemVer and text order.
struct Derived {
    /// Node `n`'s children are `children[child_start[n]..child_start[n + 1]]`, in preorder: map keys
    /// (sorted bytewise) before list items.
    child_start: Vec<u32>,
    children: Vec<u32>,
    /// Per node: its parent (the root's is itself) and [`key_hash`] of its map key (0 for a list item).
    node_parent: Vec<u32>,
    node_hash: Vec<u32>,
    /// Every map-key child, at its [`child_slot`] or the next free slot after it; `NONE` in free slots.
    child_table: Vec<u32>,
    /// Each distinct per-node state vector ([`LIVE`], [`OPEN_BELOW`], [`VALUE`], [`VALUES_BELOW`]) of
    /// some version, one after another (versions share most of them).
    states: Vec<u32>,
    /// Per version: which of those vectors is its.
    version_states: Vec<u32>,
    /// Per node: [`DIFFERS`] and [`OWN_DIFFERS`] over every version.
    agreed: Vec<u32>,
    /// Per node: the row of the one non-empty value every version that has the node gives it, or
    /// `NONE`.
    agreed_row: Vec<u32>,
    /// The versions that parse as SemVer, highest precedence first (release order among equals).
    by_semver: Vec<u32>,
    /// Every version, by its text.
    by_text: Vec<u32>,
}

impl Derived {
    fn new(
        pool: &Pool,
        versions: &[Version],
        keys: &[u32],
        ends: &[usize],
        node_rows: &[u32],
        values: &[u32],
        live: &[u32],
    ) -> Derived {
        let n = keys.len();
        let children_of = |node: usize| {
            let mut out = Vec::new();
            let mut next = node + 1;
            while next < ends[node] {
                out.push(next);
                next = ends[next];
            }
            out
        };
        let kids: Vec<Vec<usize>> = (0..n).map(children_of).collect();
        let mut child_start = vec![0u32];
        let mut children = Vec::new();
        let mut node_parent = vec![0u32; n];
        for (node, list) in kids.iter().enumerate() {
            for &child in list {
                children.push(child as u32);
                node_parent[child] = node as u32;
            }
            child_start.push(u32::try_from(children.len()).expect("children"));
        }
        let node_hash: Vec<u32> = keys
            .iter()
            .map(|&key| {
                if key & INDEX != 0 {
                    0
                } else {
                    key_hash(pool.get(key).as_bytes())
                }
            })
            .collect();
        let none = u32::from(u16::MAX);
        let mut child_table = vec![none; (2 * n).next_power_of_two()];
        for child in (1..n).filter(|&c| keys[c] & INDEX == 0) {
            let mut slot = child_slot(node_parent[child] as usize, node_hash[child], child_table.len());
            while child_table[slot] != none {
                slot = (slot + 1) % child_table.len();
            }
            child_table[slot] = child as u32;
        }
        let rows = |node: usize| node_rows[node] as usize..node_rows[node + 1] as usize;
        let span = |row: usize| ((live[row] & 0xFFFF) as usize, (live[row] >> 16) as usize);
        let is_index = |node: usize| keys[node] & INDEX != 0;

        // Per version, each node's state; children come after their parent in preorder, so going
        // backwards they are done first.
        let mut states = Vec::new();
        let mut version_states = Vec::new();
        let mut seen: HashMap<Vec<u8>, u32> = HashMap::new();
        for version in 0..versions.len() {
            let mut state = vec![0u8; n];
            for node in (0..n).rev() {
                let mut own = 0;
                for row in rows(node) {
                    let (from, to) = span(row);
                    if from <= version && version < to {
                        own |= LIVE;
                        match values[row] >> 28 {
                            OPEN => own |= OPEN_BELOW,
                            DOC => {}
                            _ => own |= VALUE,
                        }
                    }
                }
                let live_children = kids[node].iter().filter(|&&c| state[c] & LIVE != 0);
                let (mut keys_below, mut items) = (false, false);
                for &child in live_children {
                    if is_index(child) {
                        items = true;
                    } else {
                        keys_below = true;
                    }
                    own |= state[child] & VALUES_BELOW;
                }
                if own & VALUE != 0 {
                    own |= VALUES_BELOW;
                }
                if keys_below || items {
                    own |= LIVE;
                }
                if items || (own & LIVE != 0 && !keys_below) {
                    own |= OPEN_BELOW;
                }
                state[node] = own;
            }
            let next = u32::try_from(seen.len()).expect("state vectors");
            let id = *seen.entry(state.clone()).or_insert_with(|| {
                states.extend(state.iter().map(|&s| u32::from(s)));
                next
            });
            version_states.push(id);
        }

        // What every version agrees on: a version without a node does not count against the others.
        let words = versions.len().div_ceil(64);
        let set_range = |bits: &mut Vec<u64>, (from, to): (usize, usize)| {
            for v in from..to {
                bits[v / 64] |= 1 << (v % 64);
            }
        };
        let count = |bits: &Vec<u64>| bits.iter().map(|w| w.count_ones()).sum::<u32>();
        let is_empty_value = |value: u32| match value >> 28 {
            NULL | EMPTY_MAP | EMPTY_SEQ | DOC | OPEN => true,
            STR => pool.get(value & 0x0FFF_FFFF).is_empty(),
            _ => false,
        };
        let mut present: Vec<Vec<u64>> = vec![vec![0; words]; n];
        let mut agreed = vec![0u32; n];
        let mut agreed_row = vec![u32::from(u16::MAX); n];
        for node in (0..n).rev() {
            let (mut own, mut scalar) = (vec![0u64; words], vec![0u64; words]);
            let mut given: Vec<(u32, usize)> = Vec::new();
            let mut empties: Vec<u32> = Vec::new();
            for row in rows(node) {
                set_range(&mut own, span(row));
                let value = values[row];
                if is_empty_value(value) {
                    if !matches!(value >> 28, DOC | OPEN) {
                        empties.push(value);
                    }
                } else {
                    set_range(&mut scalar, span(row));
                    given.push((value, row));
                }
            }
            let mut below = vec![0u64; words];
            let mut below_differs = false;
            for &child in &kids[node] {
                below_differs |= agreed[child] & u32::from(DIFFERS) != 0;
                for (w, bits) in below.iter_mut().zip(&present[child]) {
                    *w |= bits;
                }
            }
            let all: Vec<u64> = own.iter().zip(&below).map(|(a, b)| a | b).collect();
            let mut mine = false;
            if let Some(&(first, row)) = given.first() {
                // One non-empty value, given by every version that has the node at all.
                if given.iter().all(|&(v, _)| v == first) && count(&scalar) == count(&all) {
                    agreed_row[node] = u32::try_from(row).expect("rows fit u16");
                } else {
                    mine = true;
                }
            } else if count(&below) > 0 && !empties.is_empty() {
                // A map (or list) in some versions and an empty value in others: only an empty map
                // or list agrees with keys below it.
                mine = empties.iter().any(|&v| !matches!(v >> 28, EMPTY_MAP | EMPTY_SEQ));
            }
            if kids[node].iter().any(|&c| is_index(c)) {
                // A list is one value: every item must be in every version that has the list.
                below_differs |= !kids[node].iter().all(|&c| present[c] == all);
            }
            if mine {
                agreed[node] |= u32::from(OWN_DIFFERS);
            }
            if mine || below_differs {
                agreed[node] |= u32::from(DIFFERS);
            }
            present[node] = all;
        }

        let index = |i: usize| u32::try_from(i).expect("versions fit u16");
        let mut by_semver: Vec<(semver::Version, usize)> = versions
            .iter()
            .enumerate()
            .filter_map(|(i, v)| Some((semver::Version::parse(&v.version).ok()?, i)))
            .collect();
        by_semver.sort_by(|a, b| b.0.cmp_precedence(&a.0));
        let mut by_text: Vec<usize> = (0..versions.len()).collect();
        by_text.sort_by(|&a, &b| versions[a].version.cmp(&versions[b].version));
        for pair in by_text.windows(2) {
            assert_ne!(
                versions[pair[0]].version, versions[pair[1]].version,
                "a version twice"
            );
        }
        Derived {
            child_start,
            children,
            node_parent,
            node_hash,
            child_table,
            states,
            version_states,
            agreed,
            agreed_row,
            by_semver: by_semver.into_iter().map(|(_, i)| index(i)).collect(),
            by_text: by_text.into_iter().map(index).collect(),
        }
    }
}

fn leaf_order(leaf: &Leaf) -> u8 {
    match leaf {
        Leaf::Null => 0,
        Leaf::Bool(_) => 1,
        Leaf::Int(_) => 2,
        Leaf::Float(_) => 3,
        Leaf::Str(_) => 4,
        Leaf::EmptyMap => 5,
        Leaf::EmptySeq => 6,
        Leaf::Doc => 7,
        Leaf::Open => 8,
    }
}

impl Leaf {
    /// A total order within one kind, so that the rows come out the same at every build.
    fn sort_key(&self) -> (i64, u64, &str) {
        match self {
            Leaf::Bool(b) => (i64::from(*b), 0, ""),
            Leaf::Int(i) => (*i, 0, ""),
            Leaf::Float(f) => (0, f.to_bits(), ""),
            Leaf::Str(s) => (0, 0, s),
            _ => (0, 0, ""),
        }
    }

    fn same(&self, other: &Leaf) -> bool {
        match (self, other) {
            (Leaf::Float(a), Leaf::Float(b)) => a.to_bits() == b.to_bits(),
            _ => self == other,
        }
    }
}

/// What `src/model/charts.rs` relies on, checked for every version: one value per path, nothing
/// below a value or a documented key, and no path with both list items and map keys below it.
fn check(rust: &str, versions: &[Version], rows: &[Row], row_nodes: &[usize], paths: &[Vec<Segment>]) {
    let parents: Vec<usize> = paths
        .iter()
        .map(|p| {
            let parent = &p[..p.len().saturating_sub(1)];
            paths
                .binary_search_by(|q| q.as_slice().cmp(parent))
                .expect("a parent")
        })
        .collect();
    const VALUE: u8 = 1;
    const DOC: u8 = 2;
    const KEYS: u8 = 4;
    const ITEMS: u8 = 8;
    let mut state = vec![0u8; paths.len()];
    for (k, version) in versions.iter().enumerate() {
        state.iter_mut().for_each(|s| *s = 0);
        let live = || (0..rows.len()).filter(|&r| rows[r].from <= k && k < rows[r].to);
        for r in live() {
            let node = row_nodes[r];
            let bit = match rows[r].leaf {
                Leaf::Doc => DOC,
                Leaf::Open => 0,
                _ => VALUE,
            };
            if bit == VALUE && state[node] & VALUE != 0 {
                panic!("{rust} {}: two values at {:?}", version.version, paths[node]);
            }
            state[node] |= bit;
        }
        for r in live() {
            let mut node = row_nodes[r];
            while node != 0 {
                let parent = parents[node];
                if state[parent] & (VALUE | DOC) != 0 {
                    panic!(
                        "{rust} {}: {:?} is below a value or a documented key",
                        version.version, rows[r].path
                    );
                }
                state[parent] |= match paths[node].last() {
                    Some(Segment::Index(_)) => ITEMS,
                    _ => KEYS,
                };
                if state[parent] & (ITEMS | KEYS) == ITEMS | KEYS {
                    panic!(
                        "{rust} {}: both a list and a map at {:?}",
                        version.version, paths[parent]
                    );
                }
                node = parent;
            }
        }
    }
}
