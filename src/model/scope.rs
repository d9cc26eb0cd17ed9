//! One chart's values in a release, as Helm gives them to that chart's templates: the values the
//! user's layers wrote (under the chart's key, for a dependency), over the parent chart's own defaults
//! for it, over the chart's defaults of its version, with the parent's `global` on top of the
//! chart's. A value is looked up through those layers at once, never copied into one tree (a tree of
//! ten thousand files would pay for every default of every file).
//!
//! A layer acp-check could not read (a `valuesFrom` Secret it was not given) and defaults that depend
//! on a chart version it does not know make a value [`Lookup::Unknown`]: a rule then says what could
//! not be checked instead of judging a value that may not be the one deployed.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use crate::core::source::SourceId;
use crate::tree::{Entry, Node, Value};

use super::charts::{Agreed, Agreement, Chart, ChartVersion};
use super::Release;

/// A value, looked up through the layers of a [`Scope`].
#[derive(Clone, Copy, Debug)]
pub enum Lookup<'a, T = &'a Node> {
    /// Set by a layer acp-check read, or by the chart's defaults (then its span is in a built-in
    /// source, which [`crate::model::charts::origin`] names).
    Set(T),
    /// No layer sets it.
    Unset,
    /// A layer acp-check could not read may set it, or the defaults depend on the chart version.
    Unknown(Unsettled<'a>),
}

impl<'a, T> Lookup<'a, T> {
    /// The value, if it is known to be set.
    pub fn set(self) -> Option<T> {
        match self {
            Lookup::Set(value) => Some(value),
            _ => None,
        }
    }

    /// A value found in place of the one asked for (a scalar where a map was): the one asked for
    /// is unset, unless the value's layer is unsettled.
    fn map_unset(self) -> Lookup<'a, T> {
        match self {
            Lookup::Set(_) => Lookup::Unset,
            other => other,
        }
    }

    /// What may set it, if acp-check cannot tell.
    pub fn unsettled(&self) -> Option<Unsettled<'a>> {
        match self {
            Lookup::Unknown(why) => Some(*why),
            _ => None,
        }
    }
}

/// Why a value cannot be known from what acp-check read.
#[derive(Clone, Copy, Debug)]
pub enum Unsettled<'a> {
    /// A layer of values acp-check was not given.
    Layer(&'a Unknown),
    /// The chart's defaults there differ between its versions, and the version is not known.
    Version(Chart),
    /// The values name no chart, and this umbrella chart, if it is theirs, sets a default there.
    Parent(Chart),
}

impl Unsettled<'_> {
    /// What could settle it, for a finding's help: "Secret `redis-values` (valuesFrom) may set it;
    /// give it with --values-from Secret/redis-values=FILE".
    pub fn explain(&self) -> String {
        match self {
            Unsettled::Layer(unknown) => format!("{} may set it; {}", unknown.what, unknown.settle),
            Unsettled::Version(chart) => format!(
                "the {0} chart's defaults there depend on its version, which is not known; give it with --chart-version {0}=VERSION",
                chart.name()
            ),
            Unsettled::Parent(chart) => format!(
                "the values name no chart, and {0}, if it is theirs, sets a default there; lint the chart directory or pass --chart-version {0}=VERSION",
                chart.name()
            ),
        }
    }
}

/// Values that reach a release from a layer acp-check cannot read.
#[derive(Clone, Debug, PartialEq)]
pub struct Unknown {
    /// What it is, for messages: "Secret `redis-values` (valuesFrom)".
    pub what: String,
    /// How to give it to acp-check, for messages: "give it with --values-from Secret/redis-values=FILE".
    pub settle: String,
    /// Where the layer is named.
    pub span: Option<crate::core::source::Span>,
    /// The values path it sets (a `valuesFrom` `targetPath`); empty: any.
    pub path: Vec<String>,
    /// Its place among the release's layers: it overrides what layers of a lower rank set (chart
    /// defaults are rank 0; a source a release does not rank is above every unknown layer).
    pub rank: u16,
    /// The Secret or ConfigMap key it reads, for a `valuesFrom` layer (which a kustomization's
    /// generator or `--values-from` may supply).
    pub values_from: Option<ValuesFrom>,
}

/// A `valuesFrom` entry of a HelmRelease: the object and key it reads, and where it goes.
#[derive(Clone, Debug, PartialEq)]
pub struct ValuesFrom {
    /// `Secret` or `ConfigMap`.
    pub kind: String,
    pub name: String,
    /// `valuesKey` (Flux's default: `values.yaml`).
    pub key: String,
    /// `targetPath`: the dotted path the key's data is set at, as a string; `None`: merged whole.
    pub target: Option<String>,
}

impl Unknown {
    /// Whether the layer may set a value at `path` (of the release's values): a value there, or a
    /// map holding it.
    pub(super) fn covers(&self, path: &[&str]) -> bool {
        self.path.iter().zip(path).all(|(a, b)| a == b)
    }
}

/// Defaults under a scope, highest first.
#[derive(Clone, Copy)]
enum Defaults {
    /// A known version's default values, under a key of them (the parent's own values for a
    /// dependency), or at their top.
    Version(&'static ChartVersion, Option<&'static str>),
    /// What every version agrees on, for a version acp-check does not know.
    Agreed(&'static Agreed, Option<&'static str>),
    /// A parent chart the values may be for, or not (values naming no chart, holding only a
    /// dependency's section): where it sets a default, the value cannot be known.
    Maybe(Chart, &'static str),
}

impl Defaults {
    fn lookup(self, path: &[&str]) -> Lookup<'static> {
        let under = match self {
            Defaults::Version(_, under) | Defaults::Agreed(_, under) => under,
            Defaults::Maybe(_, under) => Some(under),
        };
        let full = &*FullPath::new(under, path);
        match self {
            Defaults::Version(version, _) => match version.default_at(full) {
                Some(node) => Lookup::Set(node),
                None => Lookup::Unset,
            },
            Defaults::Agreed(agreed, _) => match agreed.lookup(full) {
                Agreement::Set(node) => Lookup::Set(node),
                Agreement::Unset => Lookup::Unset,
                Agreement::Differs => Lookup::Unknown(Unsettled::Version(agreed.chart())),
            },
            Defaults::Maybe(parent, _) => {
                if parent.has_key_anywhere(full) {
                    Lookup::Unknown(Unsettled::Parent(parent))
                } else {
                    Lookup::Unset
                }
            }
        }
    }

    /// Whether these defaults have nothing at or below any of `paths` (a chart version's, as far as
    /// it is known: what every version agrees on, or a parent that may have keys, is not).
    fn silent<'p>(self, mut paths: impl Iterator<Item = &'p [&'p str]>) -> bool {
        match self {
            Defaults::Version(version, under) => {
                paths.all(|path| !version.has_default(&FullPath::new(under, path)))
            }
            Defaults::Agreed(..) | Defaults::Maybe(..) => false,
        }
    }

    /// What tells these defaults apart from others: their data (by address) and the key under it.
    fn id(self) -> (u8, usize, usize, usize) {
        let under = |u: Option<&'static str>| u.map_or((0, 0), |u| (u.as_ptr() as usize, u.len()));
        match self {
            Defaults::Version(v, u) => (0, v as *const ChartVersion as usize, under(u).0, under(u).1),
            Defaults::Agreed(a, u) => (1, a as *const Agreed as usize, under(u).0, under(u).1),
            Defaults::Maybe(c, u) => (2, c as usize, under(Some(u)).0, under(Some(u)).1),
        }
    }

    /// The defaults at `path` as a tree: for an unknown version, what its versions agree on there.
    fn tree_at(self, path: &[&str]) -> Option<&'static Node> {
        match self {
            Defaults::Version(version, under) => version.default_at(&FullPath::new(under, path)),
            Defaults::Agreed(agreed, under) => agreed.tree_at(&FullPath::new(under, path)),
            Defaults::Maybe(..) => None,
        }
    }

    fn entry(self, path: &[&str]) -> Option<&'static Entry> {
        let (last, parent) = path.split_last()?;
        match self.lookup(parent) {
            Lookup::Set(node) => node.as_map()?.entry(last),
            _ => None,
        }
    }
}

/// What tells apart the defaults a scope reads (see [`Scope::bare`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BareId {
    chart: Chart,
    version: Option<usize>,
    dependency: bool,
    defaults: [Option<(u8, usize, usize, usize)>; 2],
    parent: Option<(u8, usize, usize, usize)>,
}

impl std::hash::Hash for BareId {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // Folded into one word before the table's SipHash (kept for the user text a reading's
        // key holds beside it), which costs by the write: these are addresses and small numbers,
        // which no user picks.
        let mut folded = crate::core::source::SpanHasher::default();
        (
            self.chart,
            self.version,
            self.dependency,
            self.defaults,
            self.parent,
        )
            .hash(&mut folded);
        state.write_u64(std::hash::Hasher::finish(&folded));
    }
}

/// What `make` gives for the defaults `id` names, made once per process (`make` reads only them:
/// see [`Scope::bare`]).
pub fn once_per_defaults<T: Copy + Send + 'static>(
    table: &'static std::sync::OnceLock<std::sync::Mutex<std::collections::HashMap<BareId, T>>>,
    id: BareId,
    make: impl FnOnce() -> T,
) -> T {
    let mut made = table
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    *made.entry(id).or_insert_with(make)
}

/// The parent chart of a candidate: a version, or (not known) the chart.
type CandidateParent = Option<Result<&'static ChartVersion, Chart>>;

/// See [`Scope::read_key`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ReadKey {
    id: BareId,
    written: Vec<u8>,
}

impl ReadKey {
    /// This key, told apart by `what` (the computation, its argument) from the same reading's
    /// keys for others.
    pub fn and(mut self, what: &str) -> ReadKey {
        self.written.push(0xFC);
        self.written.extend_from_slice(what.as_bytes());
        self
    }
}

/// The answers [`once_per_reading`] keeps, in a `static` of the computation.
pub type Kept<T> = OnceLock<Mutex<HashMap<ReadKey, T>>>;

/// What `make` gives for the reading `key` names, made once per process (`None`: made each time).
/// The table holds at most [`READINGS_KEPT`] answers, so that a tree of releases that are all
/// different keeps no more than that.
pub fn once_per_reading<T: Clone + Send + 'static>(
    table: &'static Kept<T>,
    key: Option<ReadKey>,
    make: impl FnOnce() -> T,
) -> T {
    let Some(key) = key else {
        return make();
    };
    let lock = || {
        table
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    };
    if let Some(found) = lock().get(&key) {
        return found.clone();
    }
    // Made outside the lock: the other threads go on meanwhile.
    let made = make();
    let mut table = lock();
    if table.len() < READINGS_KEPT {
        table.insert(key, made.clone());
    }
    made
}

const READINGS_KEPT: usize = 1 << 16;

/// A value's content as bytes (kind, text, entries in order, plainness, whether it is a chart
/// default), without where it was written.
fn content(node: &Node, out: &mut Vec<u8>) {
    let text = |s: &str, out: &mut Vec<u8>| {
        out.extend_from_slice(&(s.len() as u64).to_le_bytes());
        out.extend_from_slice(s.as_bytes());
    };
    out.push(u8::from(node.plain) | u8::from(node.span.source.is_builtin()) << 1);
    match &node.value {
        Value::Null => out.push(0),
        Value::Bool(b) => out.extend([1, u8::from(*b)]),
        Value::Int(i) => {
            out.push(2);
            out.extend_from_slice(&i.to_le_bytes());
        }
        Value::Float(f) => {
            out.push(3);
            out.extend_from_slice(&f.to_bits().to_le_bytes());
        }
        Value::Str(s) => {
            out.push(4);
            text(s, out);
        }
        Value::Seq(items) => {
            out.push(5);
            out.extend_from_slice(&(items.len() as u64).to_le_bytes());
            items.iter().for_each(|i| content(i, out));
        }
        Value::Map(map) => {
            out.push(6);
            out.extend_from_slice(&(map.entries.len() as u64).to_le_bytes());
            for entry in &map.entries {
                text(&entry.key, out);
                content(&entry.value, out);
            }
        }
    }
}

/// A release that writes no values.
fn bare_release() -> &'static Release {
    static BARE: std::sync::OnceLock<Release> = std::sync::OnceLock::new();
    BARE.get_or_init(|| Release::new(super::Kind::Values, String::new(), empty().clone()))
}

/// Whether `root` has a value at `path`, below it, or in place of a map on the way to it.
fn writes(root: &Node, path: &[&str]) -> bool {
    let mut node = root;
    for (depth, key) in path.iter().enumerate() {
        match node.as_map() {
            Some(map) => match map.get(key) {
                Some(next) => node = next,
                None => return false,
            },
            None => return depth > 0,
        }
    }
    true
}

/// An empty map, for a scope whose values no layer wrote.
fn empty() -> &'static Node {
    static EMPTY: std::sync::OnceLock<Node> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| crate::model::empty_values(crate::core::source::Span::new(SourceId(u32::MAX), 0..0)))
}

/// A path under a key (a scope's, or the one its defaults sit under): on the stack for the short
/// paths rules ask for (a lookup is made tens of times a file, and a list on the heap for each was
/// a tenth of its cost).
enum FullPath<'p> {
    Short([&'p str; 8], usize),
    Long(Vec<&'p str>),
}

impl<'p> FullPath<'p> {
    fn new(key: Option<&'p str>, path: &[&'p str]) -> FullPath<'p> {
        let len = path.len() + usize::from(key.is_some());
        if len > 8 {
            return FullPath::Long(key.into_iter().chain(path.iter().copied()).collect());
        }
        let mut short = [""; 8];
        for (at, part) in key.iter().chain(path).enumerate() {
            short[at] = part;
        }
        FullPath::Short(short, len)
    }
}

impl<'p> std::ops::Deref for FullPath<'p> {
    type Target = [&'p str];

    fn deref(&self) -> &[&'p str] {
        match self {
            FullPath::Short(short, len) => &short[..*len],
            FullPath::Long(long) => long,
        }
    }
}

/// One chart's values in a release.
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    pub release: &'a Release,
    /// The key of the release's values this chart's values sit under (a dependency's name or
    /// alias); `None`: the release's own chart.
    pub key: Option<&'a str>,
    pub chart: Chart,
    /// The chart version, if known and published.
    pub version: Option<&'static ChartVersion>,
    /// The values the release's layers wrote for this chart (an empty map if none).
    pub root: &'a Node,
    defaults: [Option<Defaults>; 2],
    /// The parent's own defaults at its top (for its `global`), for a dependency.
    parent_defaults: Option<Defaults>,
}

impl<'a> Scope<'a> {
    /// The scope of `chart` in `release`, under `key`: its version if known, and the parent's own
    /// defaults (`parent`: the release's chart, when its values are embedded rather than read).
    pub(super) fn new(
        release: &'a Release,
        key: Option<&'a str>,
        chart: Chart,
        version: Option<&'static ChartVersion>,
        parent: Option<Result<&'static ChartVersion, Chart>>,
    ) -> Scope<'a> {
        let root: Option<&'a Node> = match key {
            Some(key) => release.values.get(&[key]).filter(|n| n.as_map().is_some()),
            None => Some(&release.values),
        };
        let own = match version {
            Some(v) => Defaults::Version(v, None),
            None => Defaults::Agreed(chart.agreed(), None),
        };
        let (under_parent, parent_top) = match (parent, key) {
            (Some(parent), Some(key)) => {
                // The key is one of the parent's dependencies: its text lives as long as the data.
                let key = parent_key(parent, key);
                let make = |under| match parent {
                    Ok(v) => Defaults::Version(v, under),
                    Err(c) => Defaults::Agreed(c.agreed(), under),
                };
                (key.map(|k| make(Some(k))), Some(make(None)))
            }
            _ => (None, None),
        };
        Scope {
            release,
            key,
            chart,
            version,
            root: root.unwrap_or_else(|| empty()),
            defaults: [under_parent, Some(own)],
            parent_defaults: parent_top,
        }
    }

    /// This scope, for values that name no chart and may be `parent`'s (under its dependency key
    /// `key`) or another umbrella's: where `parent` would set a default, the value is unknown.
    pub(super) fn maybe_under(mut self, parent: Chart) -> Scope<'a> {
        let key = self.key.and_then(|key| {
            super::charts::versions(parent)
                .iter()
                .flat_map(|v| v.dependencies())
                .map(|d| d.values_key())
                .find(|k| *k == key)
        });
        if let Some(key) = key {
            self.defaults[0] = Some(Defaults::Maybe(parent, key));
            self.parent_defaults = None;
        }
        self
    }

    /// Whether any layer read wrote values for this chart (an umbrella's values may leave a
    /// dependency to its defaults).
    pub fn written(&self) -> Option<&'a Node> {
        (self.root.span.source.0 != u32::MAX).then_some(self.root)
    }

    /// This scope's defaults over a release that writes nothing, and what tells them apart from
    /// another scope's (the same for two scopes whose defaults read the same there), when the
    /// release's values cannot change what a lookup at or below the paths `reads` finds: no layer
    /// acp-check could not read, no `null`, no value written there (or in place of a map on the
    /// way). A lookup there in the bare scope finds what it finds in this one, so that what depends
    /// only on them can be made once per chart version rather than once per release.
    pub fn bare(&self, reads: &[&[&str]]) -> Option<(BareId, Scope<'static>)> {
        let release = self.release;
        if !release.unknown.is_empty() || !release.deleted.is_empty() {
            return None;
        }
        if reads.iter().any(|path| writes(self.root, path)) {
            return None;
        }
        // The parent's `global` is the dependency's too.
        let global = |path: &[&str]| path.first() == Some(&"global");
        if self.key.is_some()
            && reads
                .iter()
                .any(|path| global(path) && writes(&release.values, path))
        {
            return None;
        }
        let id = self.defaults_id(reads);
        let scope = Scope {
            release: bare_release(),
            // Only whether it is a dependency matters over a release that writes nothing.
            key: self.key.map(|_| ""),
            chart: self.chart,
            version: self.version,
            root: empty(),
            defaults: self.defaults,
            parent_defaults: self.parent_defaults,
        };
        Some((id, scope))
    }

    /// What tells apart the defaults a lookup at or below the paths `reads` finds in this scope:
    /// [`Scope::bare_id`] without the defaults that have nothing there. Two scopes of one release
    /// (candidates of one chart, say) with equal ids find the same there.
    pub fn defaults_id(&self, reads: &[&[&str]]) -> BareId {
        let mut id = self.bare_id();
        // Scopes that differ only in such layers (the umbrella chart's versions that set nothing
        // there) share an id.
        for (slot, layer) in id.defaults.iter_mut().zip(self.defaults) {
            if layer.is_some_and(|d| d.silent(reads.iter().copied())) {
                *slot = None;
            }
        }
        // The parent's defaults are read for `global` only.
        let global = reads
            .iter()
            .copied()
            .filter(|path| path.first() == Some(&"global"));
        if self.parent_defaults.is_some_and(|p| p.silent(global)) {
            id.parent = None;
        }
        id
    }

    fn bare_id(&self) -> BareId {
        BareId {
            chart: self.chart,
            version: self.version.map(|v| v as *const ChartVersion as usize),
            dependency: self.key.is_some(),
            defaults: [
                self.defaults[0].map(Defaults::id),
                self.defaults[1].map(Defaults::id),
            ],
            parent: self.parent_defaults.map(Defaults::id),
        }
    }

    /// The path in the release's values of `path` in this scope.
    fn full<'p>(&self, path: &[&'p str]) -> FullPath<'p>
    where
        'a: 'p,
    {
        FullPath::new(self.key, path)
    }

    /// Whether a layer deleted the value at `path` with `null` (Helm then renders it absent).
    pub fn deleted(&self, path: &[&str]) -> bool {
        self.release.deletes(&self.full(path))
    }

    /// A value, through every layer.
    pub fn lookup(&self, path: &[&str]) -> Lookup<'a> {
        // The parent's `global` wins over the dependency's own (Helm copies it down).
        if self.key.is_some() && path.first() == Some(&"global") {
            if let Some(node) = self.release.values.get(path) {
                return self.settled(path, node);
            }
            if let Some(defaults) = self.parent_defaults {
                if let found @ (Lookup::Set(_) | Lookup::Unknown(_)) = self.defaulted(path, defaults, path) {
                    return found;
                }
            }
        }
        let full = self.full(path);
        if let Some(node) = self.root.get(path) {
            return self.settled(&full, node);
        }
        // A value the layers wrote where the defaults have a map replaces the whole map.
        let mut at = self.root;
        for key in &path[..path.len().saturating_sub(1)] {
            match at.as_map() {
                Some(map) => match map.get(key) {
                    Some(next) => at = next,
                    None => break,
                },
                None => return self.settled(&full, at).map_unset(),
            }
        }
        if !path.is_empty() && at.as_map().is_none() {
            return self.settled(&full, at).map_unset();
        }
        if let Some(why) = self.release.unsettled(&full, 0) {
            return Lookup::Unknown(why);
        }
        for defaults in self.defaults.into_iter().flatten() {
            match self.defaulted(&full, defaults, path) {
                Lookup::Unset => continue,
                found => return found,
            }
        }
        Lookup::Unset
    }

    /// A user value at `full`, unless a layer above it that acp-check could not read may change it.
    fn settled(&self, full: &[&str], node: &'a Node) -> Lookup<'a> {
        match self.release.unsettled(full, self.release.rank(node.span.source)) {
            Some(why) => Lookup::Unknown(why),
            None => Lookup::Set(node),
        }
    }

    /// A default, unless a layer deleted it (`null`).
    fn defaulted(&self, full: &[&str], defaults: Defaults, path: &[&str]) -> Lookup<'a> {
        if self.release.deletes(full) {
            return Lookup::Unset;
        }
        defaults.lookup(path)
    }

    /// A value as far as acp-check can tell: what the files read set, else the chart's default
    /// (for a version not known, what every version agrees on). A layer acp-check could not read
    /// may still change it: a rule that raises an error on it asks [`Scope::lookup`] (or
    /// [`Scope::unsettled`]) first.
    pub fn get(&self, path: &[&str]) -> Option<&'a Node> {
        match self.lookup(path) {
            Lookup::Set(node) => Some(node),
            Lookup::Unset => None,
            Lookup::Unknown(_) => self.best_known(path),
        }
    }

    /// What the layers acp-check read set at `path`, ignoring those it could not.
    fn best_known(&self, path: &[&str]) -> Option<&'a Node> {
        if self.key.is_some() && path.first() == Some(&"global") {
            if let Some(node) = self.release.values.get(path) {
                return Some(node);
            }
        }
        if let Some(node) = self.root.get(path) {
            return Some(node);
        }
        let full = self.full(path);
        if self.release.deletes(&full) {
            return None;
        }
        self.defaults
            .into_iter()
            .flatten()
            .find_map(|d| match d.lookup(path) {
                Lookup::Set(node) => Some(node),
                _ => None,
            })
    }

    /// The first of `paths` a layer acp-check could not read may set (or whose default depends on
    /// a version it does not know), and what.
    pub fn unsettled(&self, paths: &[&[&str]]) -> Option<Unsettled<'a>> {
        paths.iter().find_map(|p| self.lookup(p).unsettled())
    }

    /// The entry (key and value) of a value, as [`Scope::get`] finds it.
    pub fn entry(&self, path: &[&str]) -> Option<&'a Entry> {
        if let Some(entry) = self.root.entry(path) {
            return Some(entry);
        }
        self.get(path)?;
        self.defaults.into_iter().flatten().find_map(|d| d.entry(path))
    }

    /// The value at `path` with every layer merged into one tree, as the chart's templates see it
    /// (a copy: for the few maps rules read whole, and for `acp-check values`). For a version not
    /// known, the defaults are what its versions agree on.
    pub fn merged(&self, path: &[&str]) -> Option<Node> {
        let full = self.full(path);
        let mut layers: Vec<&Node> = Vec::new();
        if !self.release.deletes(&full) {
            layers.extend(
                self.defaults
                    .iter()
                    .rev()
                    .flatten()
                    .filter_map(|d| d.tree_at(path)),
            );
        }
        layers.extend(self.root.get(path));
        let (first, rest) = layers.split_first()?;
        let mut merged = (*first).clone();
        for layer in rest {
            match (&mut merged.value, &layer.value) {
                (Value::Map(into), Value::Map(from)) => crate::tree::merge::merge(into, from.clone()),
                _ => merged = (*layer).clone(),
            }
        }
        // A `null` deletes what the layers below set (Helm's coalescing): its key goes.
        for deleted in &self.release.deleted {
            if deleted.len() > full.len() && deleted.iter().zip(full.iter()).all(|(a, b)| a == b) {
                remove_at(&mut merged, &deleted[full.len()..]);
            }
        }
        Some(merged)
    }

    /// When the chart version (or its parent's) is not known: this scope at each published version
    /// the release may deploy (an umbrella chart's versions that have the dependency), so that a
    /// rule can ask whether something holds in every one. `None` when the versions are known.
    pub fn candidates(&self) -> Option<Vec<Scope<'a>>> {
        let each = self.candidate_versions()?;
        Some(
            each.iter()
                .map(|&(v, parent)| self.at_version(v, parent))
                .collect(),
        )
    }

    /// Whether [`Scope::candidates`] gives some (without making them).
    pub fn has_candidates(&self) -> bool {
        self.candidate_versions().is_some()
    }

    /// The candidate at `index` of [`Scope::candidates`], alone.
    pub fn candidate(&self, index: usize) -> Option<Scope<'a>> {
        let &(v, parent) = self.candidate_versions()?.get(index)?;
        Some(self.at_version(v, parent))
    }

    fn at_version(&self, version: Option<&'static ChartVersion>, parent: CandidateParent) -> Scope<'a> {
        Scope::new(self.release, self.key, self.chart, version, parent)
    }

    /// The versions (the chart's, its parent's) of each of [`Scope::candidates`], made once per
    /// process for each kind of scope: a tree of versionless releases asks for them in each.
    fn candidate_versions(&self) -> Option<&'static [(Option<&'static ChartVersion>, CandidateParent)]> {
        type Table = HashMap<(u8, Option<(u8, usize, usize, usize)>, Option<String>), Made>;
        type Made = Option<&'static [(Option<&'static ChartVersion>, CandidateParent)]>;
        static MADE: OnceLock<Mutex<Table>> = OnceLock::new();
        if self.version.is_some()
            && !matches!(self.defaults[0], Some(Defaults::Agreed(..) | Defaults::Maybe(..)))
        {
            return None;
        }
        let id = (
            self.chart as u8,
            self.defaults[0].map(Defaults::id),
            self.key.map(str::to_string),
        );
        let mut made = MADE
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(found) = made.get(&id) {
            return *found;
        }
        let found = self.make_candidate_versions().map(|v| &*Vec::leak(v));
        made.insert(id, found);
        found
    }

    fn make_candidate_versions(&self) -> Option<Vec<(Option<&'static ChartVersion>, CandidateParent)>> {
        let (parent, maybe) = match self.defaults[0] {
            Some(Defaults::Agreed(agreed, _)) => (Some(agreed.chart()), false),
            Some(Defaults::Maybe(chart, _)) => (Some(chart), true),
            Some(Defaults::Version(..)) | None => (None, false),
        };
        let Some(umbrella) = parent else {
            return self.own_candidates();
        };
        let key = self.key?;
        // Values that may be another umbrella's: also the chart's own versions, under no parent.
        let unparented: Vec<_> = if maybe {
            super::charts::versions(self.chart)
                .iter()
                .map(|v| (Some(v), None))
                .collect()
        } else {
            Vec::new()
        };
        Some(
            unparented
                .into_iter()
                .chain(super::charts::versions(umbrella).iter().filter_map(|v| {
                    let dependency = v.dependencies().iter().find(|d| d.chart() == Some(self.chart))?;
                    (dependency.values_key() == key).then(|| (dependency.resolve(), Some(Ok(v))))
                }))
                .collect(),
        )
    }

    fn own_candidates(&self) -> Option<Vec<(Option<&'static ChartVersion>, CandidateParent)>> {
        if self.version.is_some() {
            return None;
        }
        let parent = match self.defaults[0] {
            Some(Defaults::Version(v, _)) => Some(Ok(v)),
            _ => None,
        };
        Some(
            super::charts::versions(self.chart)
                .iter()
                .map(|v| (Some(v), parent))
                .collect(),
        )
    }

    /// What a computation over this scope's [`Scope::candidates`] reads, when it looks up only the
    /// values at `paths` (or below them) and the defaults: the scope's defaults and the content the
    /// release wrote there (or, where it wrote something else than a map on the way, that). Two
    /// scopes with equal keys give such a computation the same answer, so [`once_per_reading`]
    /// makes it once. `None` when a layer acp-check could not read, or a `null`, is in the release
    /// (the answer then depends on more).
    pub fn read_key(&self, paths: &[&[&str]]) -> Option<ReadKey> {
        let release = self.release;
        if !release.unknown.is_empty()
            || !release.deleted.is_empty()
            || !release.post_render_patches.is_empty()
        {
            return None;
        }
        let mut written = Vec::new();
        if let Some(key) = self.key {
            content(
                &Node::new(Value::Str(key.to_string()), self.root.span),
                &mut written,
            );
        }
        let at = |root: &Node, path: &[&str], written: &mut Vec<u8>| {
            written.push(0xFE);
            let mut node = root;
            for key in path {
                match node.as_map() {
                    Some(map) => match map.get(key) {
                        Some(next) => node = next,
                        None => return,
                    },
                    None => break,
                }
            }
            content(node, written);
        };
        for path in paths {
            at(self.root, path, &mut written);
            // The parent's `global` wins over the dependency's own.
            if self.key.is_some() && path.first() == Some(&"global") {
                at(&release.values, path, &mut written);
            }
        }
        Some(ReadKey {
            id: self.bare_id(),
            written,
        })
    }

    /// Where to point at this chart's values as a whole: its key in the release's values, else the
    /// values.
    pub fn anchor(&self) -> crate::core::source::Span {
        let values = &self.release.values;
        // Values that never mention the dependency: their first key, one line rather than the
        // whole document.
        let first = || {
            values
                .as_map()
                .and_then(|m| m.entries.first())
                .map_or(values.span, |e| e.key_span)
        };
        match self.key {
            Some(key) => values.entry(&[key]).map_or_else(first, |e| e.key_span),
            None => first(),
        }
    }

    /// The built-in sources of the defaults this scope reads.
    pub fn default_sources(&self) -> impl Iterator<Item = SourceId> + '_ {
        self.defaults
            .iter()
            .chain(std::iter::once(&self.parent_defaults))
            .flatten()
            .filter_map(|d| match d {
                Defaults::Version(v, _) => Some(v.source()),
                Defaults::Agreed(a, _) => Some(a.source()),
                Defaults::Maybe(..) => None,
            })
            .chain(self.version.map(|v| v.source()))
    }

    /// Whether the value at `path` came from the chart's defaults rather than a file read.
    pub fn is_default(node: &Node) -> bool {
        node.span.source.is_builtin()
    }
}

/// The key's own text in the parent chart's data (the dependency whose values key it is).
fn parent_key(parent: Result<&'static ChartVersion, Chart>, key: &str) -> Option<&'static str> {
    match parent {
        Ok(version) => version
            .dependencies()
            .iter()
            .map(|d| d.values_key())
            .find(|k| *k == key),
        // Every version's dependencies: the key is the same text in all.
        Err(chart) => Chart::ALL
            .into_iter()
            .filter_map(|c| chart.latest_dependency(c))
            .map(|d| d.values_key())
            .find(|k| *k == key),
    }
}

/// Removes the entry at `path` under `node`, if there is one.
fn remove_at(node: &mut Node, path: &[String]) {
    let Value::Map(map) = &mut node.value else { return };
    match path {
        [] => {}
        [last] => map.entries.retain(|e| e.key != *last),
        [first, rest @ ..] => {
            if let Some(entry) = map.entries.iter_mut().find(|e| e.key == *first) {
                remove_at(&mut entry.value, rest);
            }
        }
    }
}
