//! Every text acp-check reads (files, standard input, `--set` flags) is a [`Source`]; findings point into
//! them with byte [`Span`]s, and are turned into lines and columns only when reported.

use std::ops::Range;

/// Index of a source in [`Sources`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceId(pub u32);

impl SourceId {
    /// The first id of values that no text holds (a chart's default values, embedded in
    /// acp-check): [`Sources`] never gives these ids, and a finding is never reported at one.
    pub const BUILTIN: u32 = 0xF000_0000;

    /// Built-in id `n` (below `0x0FFF_FFFF`).
    pub const fn builtin(n: u32) -> SourceId {
        SourceId(Self::BUILTIN + n)
    }

    /// Whether the id names built-in values rather than a source.
    pub fn is_builtin(self) -> bool {
        (Self::BUILTIN..u32::MAX).contains(&self.0)
    }
}

/// A byte range in one source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Span {
    pub source: SourceId,
    pub start: u32,
    pub end: u32,
}

/// A set of spans, hashed fast: finding pointers looks up every node of a file in one.
pub type SpanSet = std::collections::HashSet<Span, std::hash::BuildHasherDefault<SpanHasher>>;
/// A map from spans, hashed as [`SpanSet`].
pub type SpanMap<V> = std::collections::HashMap<Span, V, std::hash::BuildHasherDefault<SpanHasher>>;

/// A multiply-rotate hash (as rustc's own `FxHasher`) of a span's three numbers: byte offsets
/// are not keys anyone picks to make a hash table slow, so the default SipHash's protection
/// only costs time here.
#[derive(Default)]
pub struct SpanHasher(u64);

impl std::hash::Hasher for SpanHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u32(u32::from(b));
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl Span {
    pub fn new(source: SourceId, range: Range<usize>) -> Span {
        Span {
            source,
            start: range.start as u32,
            end: range.end as u32,
        }
    }

    pub fn range(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// Where a source came from; it decides how its name is shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A file, named as the user gave it (or as found under a directory they gave).
    File,
    /// Standard input (`-`).
    Stdin,
    /// The N-th (1-based) `--set`, `--set-string` or `--set-file` flag; the text is the flag's argument.
    Flag { flag: &'static str, index: usize },
}

#[derive(Clone)]
pub struct Source {
    /// The name shown in reports: a path, `<stdin>` or `--set #2`.
    pub name: String,
    pub origin: Origin,
    /// The text as read. Not valid UTF-8 input is kept lossily converted, for display only.
    pub text: String,
    /// Byte ranges that hold secrets, or may: snippets show `***` in their place.
    pub redactions: Vec<Range<usize>>,
    /// Secrets this text holds, as known texts every output is masked of ([`Source::secrets`]): the
    /// ranges marked with [`Source::redact`], and the decoded forms given to [`Source::know`].
    known: Vec<Range<usize>>,
    decoded: Vec<String>,
    line_starts: Vec<usize>,
}

/// A resolved 1-based position; `end_column` is exclusive, columns count characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl Source {
    pub fn new(name: String, origin: Origin, text: String) -> Source {
        let line_starts = line_starts(&text);
        Source {
            name,
            origin,
            text,
            redactions: Vec::new(),
            known: Vec::new(),
            decoded: Vec::new(),
            line_starts,
        }
    }

    /// 1-based line and character column of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let mut column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        // A byte order mark is not a column.
        if line == 0 && column > 0 && self.text.starts_with('\u{FEFF}') {
            column -= 1;
        }
        (line + 1, column + 1)
    }

    /// 1-based line and 1-based column in bytes (a byte order mark counted) of a byte offset: the
    /// columns of reviewdog's format.
    pub fn line_byte_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        (line + 1, offset - self.line_starts[line] + 1)
    }

    /// The byte offset where a 1-based line starts (the end of the text past the last line).
    pub fn line_start(&self, line: usize) -> usize {
        line.checked_sub(1)
            .and_then(|l| self.line_starts.get(l))
            .copied()
            .unwrap_or(self.text.len())
    }

    pub fn position(&self, range: Range<usize>) -> Position {
        let (line, column) = self.line_col(range.start);
        let (end_line, end_column) = self.line_col(range.end.max(range.start));
        Position {
            line,
            column,
            end_line,
            end_column,
        }
    }

    /// Marks a byte range as secret: hidden in snippets, and its text masked in every output.
    pub fn redact(&mut self, range: Range<usize>) {
        if range.start < range.end && range.end <= self.text.len() && !self.known.contains(&range) {
            self.known.push(range.clone());
        }
        self.hide(range);
    }

    /// Hides a byte range in snippets only: a value that may be secret (the value of a key named
    /// `key`), whose text is not masked elsewhere (it may be a word that messages use).
    pub fn hide(&mut self, range: Range<usize>) {
        if range.start < range.end && !self.redactions.contains(&range) {
            self.redactions.push(range);
        }
    }

    /// A secret as decoded from the text (a YAML escape written `\x41`), masked in every output.
    pub fn know(&mut self, secret: String) {
        if !self.decoded.contains(&secret) {
            self.decoded.push(secret);
        }
    }

    /// Where this text holds any of its own secrets, or of `more`, whole: a secret written again
    /// where nothing marked it (under a key that names no secret).
    pub fn occurrences(&self, more: &[String]) -> Vec<Range<usize>> {
        let mut found = Vec::new();
        for secret in self.secrets().map(str::to_string).chain(more.iter().cloned()) {
            let secret = secret.trim_matches(['"', '\'', '\n', '\r']);
            if secret.len() >= 3 {
                found.extend(self.text.match_indices(secret).map(|(i, s)| i..i + s.len()));
            }
        }
        found
    }

    /// The secrets this text holds: as written in it, and as decoded.
    pub fn secrets(&self) -> impl Iterator<Item = &str> {
        self.known
            .iter()
            .filter_map(|r| self.text.get(r.clone()))
            .chain(self.decoded.iter().map(String::as_str))
    }

    /// The text with every secret replaced by `***`, and a function from original to redacted offsets.
    /// A secret over several lines is masked line by line, so that the lines stay the lines of the
    /// file.
    pub fn redacted(&self) -> Redacted {
        self.redacted_with(&[])
    }

    /// [`Source::redacted`], with `more` byte ranges hidden too.
    pub fn redacted_with(&self, more: &[Range<usize>]) -> Redacted {
        let mut ranges: Vec<Range<usize>> = Vec::with_capacity(self.redactions.len() + more.len());
        for r in self.redactions.iter().chain(more) {
            let (start, end) = (r.start.min(self.text.len()), r.end.min(self.text.len()));
            if !self.text.is_char_boundary(start) || !self.text.is_char_boundary(end) || start >= end {
                continue;
            }
            let mut at = start;
            for line in self.text[start..end].split_inclusive(['\n', '\r']) {
                let body = line.trim_end_matches(['\n', '\r']);
                // Leading blanks of a continued line stay, so that indentation shows.
                let lead = if at == start {
                    0
                } else {
                    body.len() - body.trim_start().len()
                };
                if lead < body.len() {
                    ranges.push(at + lead..at + body.len());
                }
                at += line.len();
            }
        }
        ranges.sort_by_key(|r| r.start);
        let mut merged: Vec<Range<usize>> = Vec::new();
        for r in ranges {
            match merged.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => merged.push(r),
            }
        }
        let mut text = String::with_capacity(self.text.len());
        let mut at = 0;
        for r in &merged {
            text.push_str(&self.text[at..r.start]);
            text.push_str(MASK);
            at = r.end;
        }
        text.push_str(&self.text[at..]);
        let text = shown_on_a_terminal(text);
        let line_starts = line_starts(&text);
        Redacted {
            text,
            ranges: merged,
            line_starts,
        }
    }

    /// The source text under a span, unless any part of it is secret.
    pub fn snippet(&self, range: Range<usize>) -> Option<&str> {
        if self
            .redactions
            .iter()
            .any(|r| r.start < range.end && range.start < r.end)
        {
            return None;
        }
        self.text.get(range)
    }
}

pub const MASK: &str = "***";

/// The text as a terminal may show it, every character at the same byte offset: miette breaks
/// lines at "\n" only, so a lone "\r" becomes "\n", so that snippets show the lines YAML (and our
/// positions) count; and a control character, which a terminal would obey (clear the screen, set
/// its title), becomes `?` (`¿` for a two-byte one).
fn shown_on_a_terminal(text: String) -> String {
    let hidden = |c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r');
    if !text.contains(|c: char| c == '\r' || hidden(c)) {
        return text;
    }
    let mut shown = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() != Some(&'\n') => shown.push('\n'),
            c if hidden(c) && c.len_utf8() == 1 => shown.push('?'),
            c if hidden(c) => shown.push('¿'),
            c => shown.push(c),
        }
    }
    debug_assert_eq!(shown.len(), text.len());
    shown
}

/// Where each line of `text` starts. A line ends at "\n", "\r\n" or a lone "\r", as YAML counts
/// lines (old Mac files use "\r" alone).
fn line_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    if !text.contains('\r') {
        // A plain loop over the bytes: a search for each line feed costs more on short lines.
        let feeds = text.bytes().enumerate().filter(|&(_, b)| b == b'\n');
        starts.extend(feeds.map(|(i, _)| i + 1));
        return starts;
    }
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            starts.push(i + 1);
        }
    }
    starts
}

/// A source's text with its secrets masked.
pub struct Redacted {
    pub text: String,
    ranges: Vec<Range<usize>>,
    /// Where each line of `text` starts.
    line_starts: Vec<usize>,
}

impl Redacted {
    /// The 0-based line of `text` that holds a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset) - 1
    }

    /// The byte range of a 0-based line of `text`, without its line break (empty past the last line).
    pub fn line(&self, line: usize) -> Range<usize> {
        let Some(&start) = self.line_starts.get(line) else {
            return self.text.len()..self.text.len();
        };
        let end = self.line_starts.get(line + 1).copied().unwrap_or(self.text.len());
        let body = self.text[start..end].trim_end_matches(['\n', '\r']);
        start..start + body.len()
    }

    /// Maps a byte offset of the original text into the redacted text.
    pub fn offset(&self, original: usize) -> usize {
        let mut shift: isize = 0;
        for r in &self.ranges {
            if original >= r.end {
                shift += MASK.len() as isize - (r.end - r.start) as isize;
            } else if original > r.start {
                return (r.start as isize + shift) as usize + MASK.len();
            } else {
                break;
            }
        }
        (original as isize + shift) as usize
    }
}

/// Sources, by id. The ids of one run are unique across all its deployments: each input reads its
/// sources into ids of its own ([`Sources::for_input`]), so the sources of deployments read apart
/// (and in parallel) join without renumbering a span.
#[derive(Clone, Default)]
pub struct Sources {
    /// Sorted by id.
    list: Vec<(SourceId, Source)>,
    next: u32,
}

/// Ids each input may use: a chart directory reads up to three files (Chart.yaml, Chart.lock,
/// values.yaml); a HelmRelease manifest, the files its `valuesFrom` layers are generated from; a
/// Helmfile or a kustomization's `helmCharts`, the values files of its releases.
pub const IDS_PER_INPUT: u32 = 64;

impl Sources {
    /// Empty, for the sources of the input at `index` in a run.
    pub fn for_input(index: usize) -> Sources {
        Sources {
            list: Vec::new(),
            next: u32::try_from(index).map_or(u32::MAX, |i| i.saturating_mul(IDS_PER_INPUT)),
        }
    }

    /// The next source added gets `id` (which must be above every id held).
    pub fn continue_at(&mut self, id: u32) {
        self.next = id.max(self.next);
    }

    pub fn add(&mut self, source: Source) -> SourceId {
        let id = SourceId(self.next);
        self.next = self.next.saturating_add(1);
        self.list.push((id, source));
        id
    }

    fn index(&self, id: SourceId) -> Option<usize> {
        match self.list.get(id.0 as usize) {
            Some((found, _)) if *found == id => Some(id.0 as usize),
            _ => self.list.binary_search_by_key(&id, |(i, _)| *i).ok(),
        }
    }

    /// Whether `id` names a source here (spans of values that no file set use an id of none).
    pub fn contains(&self, id: SourceId) -> bool {
        self.index(id).is_some()
    }

    pub fn get(&self, id: SourceId) -> &Source {
        let i = self.index(id).expect("a span points at a known source");
        &self.list[i].1
    }

    pub fn get_mut(&mut self, id: SourceId) -> &mut Source {
        let i = self.index(id).expect("a span points at a known source");
        &mut self.list[i].1
    }

    pub fn iter(&self) -> impl Iterator<Item = (SourceId, &Source)> {
        self.list.iter().map(|(i, s)| (*i, s))
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The sources of several deployments, as one.
    pub fn join(parts: impl IntoIterator<Item = Sources>) -> Sources {
        let mut joined = Sources::default();
        for part in parts {
            joined.next = joined.next.max(part.next);
            joined.list.extend(part.list);
        }
        // Stable, and fast on the sorted runs the parts are.
        joined.list.sort_by_key(|(id, _)| *id);
        // One id is one source: deployments that read the same file at the same id (a
        // `--values-from` file) share it.
        joined.list.dedup_by_key(|(id, _)| *id);
        joined
    }

    pub fn position(&self, span: Span) -> Position {
        self.get(span.source).position(span.range())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let s = Source::new("v.yaml".into(), Origin::File, "a: 1\nbé: x\n".into());
        assert_eq!(s.line_col(0), (1, 1));
        assert_eq!(s.line_col(5), (2, 1));
        // 'x' follows "bé: ", whose é takes two bytes.
        assert_eq!(s.line_col(10), (2, 5));
    }

    #[test]
    fn redacted_lines_end_at_each_kind_of_line_break() {
        let s = Source::new("v.yaml".into(), Origin::File, "a\r\nbb\rc\n".into());
        let r = s.redacted();
        assert_eq!((r.line(0), r.line(1), r.line(2)), (0..1, 3..5, 6..7));
        assert_eq!((r.line_of(3), r.line_of(6), r.line_of(8)), (1, 2, 3));
        // Positions in reports count the same lines.
        assert_eq!(
            (s.line_col(3), s.line_col(6), s.line_col(8)),
            ((2, 1), (3, 1), (4, 1))
        );
    }

    #[test]
    fn redaction_masks_and_maps_offsets() {
        let mut s = Source::new("v.yaml".into(), Origin::File, "password: hunter2\nx: 1\n".into());
        s.redact(10..17);
        let r = s.redacted();
        assert_eq!(r.text, "password: ***\nx: 1\n");
        assert_eq!(r.offset(10), 10);
        assert_eq!(r.offset(18), 14);
        assert_eq!(&r.text[r.offset(18)..r.offset(19)], "x");
        assert_eq!((r.line_of(0), r.line_of(14), r.line_of(19)), (0, 1, 2));
        assert_eq!((r.line(0), r.line(1), r.line(2)), (0..13, 14..18, 19..19));
        assert_eq!(s.snippet(0..8), Some("password"));
        assert_eq!(s.snippet(9..12), None);
    }
}
