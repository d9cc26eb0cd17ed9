//! A fast reader for the YAML that values files are written in: block mappings and sequences,
//! one-line plain scalars, quoted scalars and flow collections (also over several lines), literal
//! block scalars and comments. It gives the builder the very events (and positions) libyaml would,
//! at a fraction of libyaml's cost, which reads one character at a time through a queue.
//!
//! It declines anything else (anchors, tags, folded block scalars, multi-line plain scalars, tabs,
//! errors, …):
//! libyaml then reads the whole text, so what libyaml alone decides (error messages, the rare
//! constructs) stays libyaml's. Tests and a fuzz target check that whatever this reader accepts, it
//! reads exactly as libyaml does.

use std::ops::Range;

use libyaml_safer::{EventData, MappingStyle, ScalarStyle, SequenceStyle};

use super::Builder;

/// The text uses YAML this reader leaves to libyaml (or the builder refused an event).
pub struct Declined;

type Result<T> = std::result::Result<T, Declined>;

/// Feeds the builder the events of `text`, or declines.
pub fn read(text: &str, builder: &mut Builder) -> Result<()> {
    // libyaml-safer takes a first byte 0xEF for the start of a byte order mark, and refuses any
    // other character that starts with it (U+F000 to U+FFFF): leave those texts to it.
    if !plain_text(text)
        || !text.ends_with('\n')
        || text.starts_with(|c| ('\u{F000}'..='\u{FFFF}').contains(&c))
    {
        return Err(Declined);
    }
    let mut reader = Reader {
        text,
        b: text.as_bytes(),
        builder,
    };
    reader.stream()
}

/// Text without what libyaml treats specially: tabs, carriage returns, byte order marks, the
/// Unicode line breaks (U+0085, U+2028, U+2029) and characters YAML does not allow.
fn plain_text(text: &str) -> bool {
    if !text
        .bytes()
        .all(|b| b >= 0x20 && b != 0x7F || b == b'\n' || b >= 0x80)
    {
        return false;
    }
    text.is_ascii()
        || text.chars().all(|c| {
            c.is_ascii()
                || super::yaml_allows(c) && !matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}')
        })
}

/// Longest simple key libyaml accepts is 1024 characters; stay well below.
const MAX_KEY: usize = 1000;

struct Reader<'t, 'b, 'a> {
    text: &'t str,
    b: &'t [u8],
    builder: &'b mut Builder<'a>,
}

/// Where the next content line starts: the offset of its first non-space character, or `None` at
/// the end of the text.
type Next = Option<usize>;

impl Reader<'_, '_, '_> {
    fn emit(&mut self, event: EventData, r: Range<usize>) -> Result<()> {
        self.builder.event(event, r).map_err(|_| Declined)
    }

    fn scalar(&mut self, value: String, style: ScalarStyle, r: Range<usize>) -> Result<()> {
        let plain = style == ScalarStyle::Plain;
        self.emit(
            EventData::Scalar {
                anchor: None,
                tag: None,
                value,
                plain_implicit: plain,
                quoted_implicit: !plain,
                style,
            },
            r,
        )
    }

    fn byte(&self, at: usize) -> u8 {
        self.b.get(at).copied().unwrap_or(b'\n')
    }

    /// A space, a line break or the end: what must follow `-`, `:` and `#` indicators.
    fn blank(&self, at: usize) -> bool {
        matches!(self.byte(at), b' ' | b'\n')
    }

    fn line_start(&self, at: usize) -> usize {
        self.b[..at]
            .iter()
            .rposition(|&c| c == b'\n')
            .map_or(0, |i| i + 1)
    }

    fn column(&self, at: usize) -> usize {
        at - self.line_start(at)
    }

    fn line_end(&self, at: usize) -> usize {
        self.b[at..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(self.b.len(), |i| at + i)
    }

    /// The first content character at or after `from`, skipping blank and comment-only lines.
    /// `from` is at the start of a line (or the end of one, at its line break).
    fn next_content(&self, mut from: usize) -> Next {
        loop {
            from = self.skip_spaces(from);
            if from >= self.b.len() {
                return None;
            }
            match self.b[from] {
                b'\n' => from += 1,
                // A comment: at the start of a line or after a space.
                b'#' if from == 0 || matches!(self.b[from - 1], b' ' | b'\n') => {
                    from = self.line_end(from) + 1
                }
                _ => return Some(from),
            }
        }
    }

    /// After a value on its line: only spaces and a comment may follow. Gives the next content.
    fn end_of_line(&self, at: usize) -> Result<Next> {
        let i = self.skip_spaces(at);
        match self.byte(i) {
            b'\n' => Ok(self.next_content(i)),
            b'#' if i > at => Ok(self.next_content(self.line_end(i))),
            _ => Err(Declined),
        }
    }

    /// `---` or `...` at the start of a line, followed by a blank.
    fn document_marker(&self, at: usize) -> bool {
        self.column(at) == 0
            && (self.b[at..].starts_with(b"---") || self.b[at..].starts_with(b"..."))
            && self.blank(at + 3)
    }

    fn stream(&mut self) -> Result<()> {
        let mut next = self.next_content(0);
        let mut documents = 0;
        while let Some(at) = next {
            let mut start = at;
            if self.document_marker(at) {
                if self.b[at] == b'.' {
                    return Err(Declined);
                }
                match self.end_of_line(at + 3)? {
                    Some(content) if !self.document_marker(content) => start = content,
                    // An empty document.
                    _ => return Err(Declined),
                }
            }
            if self.b[start] == b'%' {
                return Err(Declined);
            }
            next = self.collection(start, None)?;
            documents += 1;
            if let Some(n) = next {
                if !self.document_marker(n) {
                    return Err(Declined);
                }
            }
        }
        if documents == 0 {
            return Err(Declined);
        }
        Ok(())
    }

    /// A block mapping or sequence whose first line's content starts at `at`. `parent` is the
    /// column of the collection holding it (`None` at the root).
    fn collection(&mut self, at: usize, parent: Option<usize>) -> Result<Next> {
        let column = self.column(at);
        if parent.is_some_and(|p| column <= p) {
            return Err(Declined);
        }
        if self.b[at] == b'-' && self.blank(at + 1) {
            self.sequence(at, false)
        } else {
            self.mapping(at)
        }
    }

    fn mapping(&mut self, first: usize) -> Result<Next> {
        let column = self.column(first);
        self.emit(
            EventData::MappingStart {
                anchor: None,
                tag: None,
                implicit: true,
                style: MappingStyle::Block,
            },
            first..first,
        )?;
        let mut at = first;
        loop {
            let colon = self.key(at)?;
            let next = self.value(colon + 1, column)?;
            match next {
                Some(n) if self.column(n) == column && !self.document_marker(n) => {
                    if self.b[n] == b'-' && self.blank(n + 1) {
                        return Err(Declined);
                    }
                    at = n;
                }
                Some(n) if self.column(n) > column => return Err(Declined),
                _ => {
                    let end = next.unwrap_or(self.b.len());
                    self.emit(EventData::MappingEnd, end..end)?;
                    return Ok(next);
                }
            }
        }
    }

    /// Reads the key at `at` and gives the offset of its `:`.
    fn key(&mut self, at: usize) -> Result<usize> {
        let (value, style, end, colon) = self.key_at(at)?;
        self.scalar(value, style, at..end)?;
        Ok(colon)
    }

    /// The key that starts at `at`, if one does: a plain or quoted scalar on one line, then `: `.
    /// Gives its value, style and end, and the offset of its `:`.
    fn key_at(&self, at: usize) -> Result<(String, ScalarStyle, usize, usize)> {
        let (value, style, end) = match self.b[at] {
            b'\'' | b'"' => self.quoted(at)?,
            _ => {
                let end = self.plain_end(at, false)?;
                (self.text[at..end].to_string(), ScalarStyle::Plain, end)
            }
        };
        let colon = self.skip_spaces(end);
        let one_line = !self.b[at..end].contains(&b'\n');
        if !one_line || self.byte(colon) != b':' || !self.blank(colon + 1) || colon - at >= MAX_KEY {
            return Err(Declined);
        }
        Ok((value, style, end, colon))
    }

    /// The value after a key's `:` (at `after`), in a mapping at `column`.
    fn value(&mut self, after: usize, column: usize) -> Result<Next> {
        let at = self.skip_spaces(after);
        if self.byte(at) == b'\n' || self.byte(at) == b'#' {
            let next = self.end_of_line(after)?;
            return match next {
                Some(n) if self.column(n) > column && !self.document_marker(n) => {
                    self.collection(n, Some(column))
                }
                // A sequence may sit at its key's own column.
                Some(n) if self.column(n) == column && self.b[n] == b'-' && self.blank(n + 1) => {
                    self.sequence(n, true)
                }
                _ => {
                    self.scalar(String::new(), ScalarStyle::Plain, after..after)?;
                    Ok(next)
                }
            };
        }
        self.inline(at, column)
    }

    /// A node that starts on the current line at `at`, inside a collection at `column`.
    fn inline(&mut self, at: usize, column: usize) -> Result<Next> {
        match self.b[at] {
            b'[' | b'{' => {
                let end = self.flow(at)?;
                self.end_of_line(end)
            }
            b'\'' | b'"' => {
                let (value, style, end) = self.quoted(at)?;
                self.scalar(value, style, at..end)?;
                self.end_of_line(end)
            }
            b'|' => self.literal(at, column),
            _ => {
                let end = self.plain_end(at, false)?;
                if self.byte(end) == b':' {
                    // `a: b: c`, or a compact mapping where a value is expected.
                    return Err(Declined);
                }
                self.scalar(self.text[at..end].to_string(), ScalarStyle::Plain, at..end)?;
                self.end_of_line(end)
            }
        }
    }

    fn sequence(&mut self, first: usize, indentless: bool) -> Result<Next> {
        let column = self.column(first);
        let start = if indentless {
            first..first + 1
        } else {
            first..first
        };
        self.emit(
            EventData::SequenceStart {
                anchor: None,
                tag: None,
                implicit: true,
                style: SequenceStyle::Block,
            },
            start,
        )?;
        let mut dash = first;
        loop {
            let next = self.entry(dash, column)?;
            match next {
                Some(n)
                    if self.column(n) == column
                        && self.b[n] == b'-'
                        && self.blank(n + 1)
                        && !self.document_marker(n) =>
                {
                    dash = n
                }
                Some(n) if self.column(n) > column => return Err(Declined),
                // A key of the mapping holding an indentless sequence ends it.
                Some(n) if self.column(n) == column && !indentless && !self.document_marker(n) => {
                    return Err(Declined)
                }
                _ => {
                    let end = next.unwrap_or(self.b.len());
                    self.emit(EventData::SequenceEnd, end..end)?;
                    return Ok(next);
                }
            }
        }
    }

    /// One `- ` entry of a sequence at `column`.
    fn entry(&mut self, dash: usize, column: usize) -> Result<Next> {
        let at = self.skip_spaces(dash + 1);
        if self.byte(at) == b'\n' || self.byte(at) == b'#' {
            let next = self.end_of_line(dash + 1)?;
            return match next {
                Some(n) if self.column(n) > column && !self.document_marker(n) => {
                    self.collection(n, Some(column))
                }
                _ => {
                    self.scalar(String::new(), ScalarStyle::Plain, dash + 1..dash + 1)?;
                    Ok(next)
                }
            };
        }
        if self.b[at] == b'-' && self.blank(at + 1) {
            return Err(Declined);
        }
        if self.key_at(at).is_ok() {
            // A mapping that starts on the entry's line: `- name: x`.
            return self.mapping(at);
        }
        self.inline(at, column)
    }

    /// The end of a one-line plain scalar starting at `at` (after its last non-space character).
    /// In a flow collection it also ends at `,`, `[`, `]`, `{` and `}`.
    fn plain_end(&self, at: usize, flow: bool) -> Result<usize> {
        let first = self.b[at];
        let indicator = matches!(
            first,
            b'?' | b':'
                | b','
                | b'['
                | b']'
                | b'{'
                | b'}'
                | b'#'
                | b'&'
                | b'*'
                | b'!'
                | b'|'
                | b'>'
                | b'\''
                | b'"'
                | b'%'
                | b'@'
                | b'`'
        );
        if indicator || first == b'-' && self.blank(at + 1) {
            return Err(Declined);
        }
        let mut end = at;
        let mut i = at;
        while i < self.b.len() {
            match self.b[i] {
                b'\n' => break,
                b':' if self.blank(i + 1) => break,
                // libyaml refuses these.
                b':' if flow && matches!(self.byte(i + 1), b',' | b'?' | b'[' | b']' | b'{' | b'}') => {
                    return Err(Declined)
                }
                b',' | b'[' | b']' | b'{' | b'}' if flow => break,
                b' ' if self.byte(i + 1) == b'#' => break,
                b' ' => {}
                _ => end = i + 1,
            }
            i += 1;
        }
        // Multi-byte characters end on their last byte: `end` is a character boundary.
        Ok(end)
    }

    /// A quoted scalar at `at`: its value, style and end (after the closing quote). It may go on
    /// over several lines: line breaks fold as libyaml folds them (one break is a space, each more
    /// is a line break, spaces around them are dropped, `\` before a break joins the lines).
    fn quoted(&self, at: usize) -> Result<(String, ScalarStyle, usize)> {
        let double = self.b[at] == b'"';
        let mut value = String::new();
        // Spaces not yet known to be inside the value (not before a line break).
        let mut spaces = 0usize;
        let mut i = at + 1;
        loop {
            // A run without blanks.
            let mut leading_blanks = false;
            loop {
                if i >= self.b.len() {
                    return Err(Declined);
                }
                match self.b[i] {
                    b' ' | b'\n' => break,
                    b'\'' if !double && self.byte(i + 1) == b'\'' => {
                        value.push('\'');
                        i += 2;
                    }
                    b'\'' if !double => {
                        let style = ScalarStyle::SingleQuoted;
                        return Ok((value, style, i + 1));
                    }
                    b'"' if double => return Ok((value, ScalarStyle::DoubleQuoted, i + 1)),
                    b'\\' if double && self.byte(i + 1) == b'\n' => {
                        i += 2;
                        leading_blanks = true;
                        break;
                    }
                    b'\\' if double => i = self.escape(i, &mut value)?,
                    _ => {
                        let c = self.text[i..].chars().next().ok_or(Declined)?;
                        value.push(c);
                        i += c.len_utf8();
                    }
                }
            }
            // Blanks: spaces, and line breaks, which fold.
            let mut first_break = false;
            let mut more_breaks = 0usize;
            while matches!(self.byte(i), b' ' | b'\n') && i < self.b.len() {
                if self.b[i] == b' ' {
                    if !leading_blanks {
                        spaces += 1;
                    }
                } else {
                    if self.document_marker(i + 1) {
                        return Err(Declined);
                    }
                    if leading_blanks {
                        more_breaks += 1;
                    } else {
                        spaces = 0;
                        first_break = true;
                        leading_blanks = true;
                    }
                }
                i += 1;
            }
            if leading_blanks {
                if first_break && more_breaks == 0 {
                    value.push(' ');
                } else {
                    value.extend(std::iter::repeat_n('\n', more_breaks));
                }
            } else {
                value.extend(std::iter::repeat_n(' ', spaces));
            }
            spaces = 0;
        }
    }

    /// The escape sequence at `at` (a backslash) of a double-quoted scalar, added to `value`;
    /// gives the offset after it.
    fn escape(&self, at: usize, value: &mut String) -> Result<usize> {
        let c = self.text[at + 1..].chars().next().ok_or(Declined)?;
        let escaped = match c {
            '0' => '\0',
            'a' => '\u{7}',
            'b' => '\u{8}',
            't' => '\t',
            'n' => '\n',
            'v' => '\u{B}',
            'f' => '\u{C}',
            'r' => '\r',
            'e' => '\u{1B}',
            ' ' => ' ',
            '"' => '"',
            '/' => '/',
            '\\' => '\\',
            'N' => '\u{85}',
            '_' => '\u{A0}',
            'L' => '\u{2028}',
            'P' => '\u{2029}',
            'x' | 'u' | 'U' => {
                let width = match c {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let digits = self.b.get(at + 2..at + 2 + width).ok_or(Declined)?;
                if !digits.iter().all(u8::is_ascii_hexdigit) {
                    return Err(Declined);
                }
                let code = std::str::from_utf8(digits).map_err(|_| Declined)?;
                let c = u32::from_str_radix(code, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or(Declined)?;
                value.push(c);
                return Ok(at + 2 + width);
            }
            _ => return Err(Declined),
        };
        value.push(escaped);
        Ok(at + 1 + c.len_utf8())
    }

    /// A flow sequence or mapping at `at`; gives the offset after its closing bracket. It may go on
    /// over several lines, with comments at their ends.
    fn flow(&mut self, at: usize) -> Result<usize> {
        let mapping = self.b[at] == b'{';
        let close = if mapping { b'}' } else { b']' };
        if mapping {
            self.emit(
                EventData::MappingStart {
                    anchor: None,
                    tag: None,
                    implicit: true,
                    style: MappingStyle::Flow,
                },
                at..at + 1,
            )?;
        } else {
            self.emit(
                EventData::SequenceStart {
                    anchor: None,
                    tag: None,
                    implicit: true,
                    style: SequenceStyle::Flow,
                },
                at..at + 1,
            )?;
        }
        let mut i = self.skip_flow_space(at + 1)?;
        if self.byte(i) != close {
            loop {
                let key = i;
                if mapping && matches!(self.byte(key), b'[' | b'{') {
                    return Err(Declined);
                }
                i = self.flow_node(i)?;
                if mapping {
                    // A key and its `:` are on one line.
                    i = self.skip_spaces(i);
                    let one_line = !self.b[key..i].contains(&b'\n');
                    if self.byte(i) != b':' || !self.blank(i + 1) || !one_line {
                        return Err(Declined);
                    }
                    i = self.flow_node(self.skip_flow_space(i + 1)?)?;
                }
                i = self.skip_flow_space(i)?;
                match self.byte(i) {
                    b',' => {
                        i = self.skip_flow_space(i + 1)?;
                        if self.byte(i) == close {
                            // A trailing comma: leave it to libyaml.
                            return Err(Declined);
                        }
                    }
                    c if c == close => break,
                    _ => return Err(Declined),
                }
            }
        }
        let end = if mapping {
            EventData::MappingEnd
        } else {
            EventData::SequenceEnd
        };
        self.emit(end, i..i + 1)?;
        Ok(i + 1)
    }

    /// A scalar or a nested collection inside a flow collection.
    fn flow_node(&mut self, at: usize) -> Result<usize> {
        match self.byte(at) {
            b'[' | b'{' => self.flow(at),
            b'\'' | b'"' => {
                let (value, style, end) = self.quoted(at)?;
                self.scalar(value, style, at..end)?;
                Ok(end)
            }
            b'\n' | b'#' => Err(Declined),
            _ => {
                let end = self.plain_end(at, true)?;
                if end == at {
                    return Err(Declined);
                }
                self.scalar(self.text[at..end].to_string(), ScalarStyle::Plain, at..end)?;
                Ok(end)
            }
        }
    }

    /// Skips spaces, line breaks and comments inside a flow collection.
    fn skip_flow_space(&self, mut at: usize) -> Result<usize> {
        loop {
            match self.byte(at) {
                _ if at >= self.b.len() => return Err(Declined),
                b' ' => at += 1,
                b'\n' => {
                    if self.document_marker(at + 1) {
                        return Err(Declined);
                    }
                    at += 1;
                }
                b'#' if matches!(self.b[at - 1], b' ' | b'\n') => at = self.line_end(at),
                _ => return Ok(at),
            }
        }
    }

    fn skip_spaces(&self, mut at: usize) -> usize {
        while self.byte(at) == b' ' && at < self.b.len() {
            at += 1;
        }
        at
    }

    /// A literal block scalar (`|`, `|-`, `|+`) whose indicator is at `at`, in a collection at
    /// `column`. Its content lines are indented deeper than `column`.
    fn literal(&mut self, at: usize, column: usize) -> Result<Next> {
        let mut i = at + 1;
        let chomping = match self.byte(i) {
            b'-' => {
                i += 1;
                Chomping::Strip
            }
            b'+' => {
                i += 1;
                Chomping::Keep
            }
            _ => Chomping::Clip,
        };
        let header_end = self.line_end(i);
        match self.byte(self.skip_spaces(i)) {
            b'\n' => {}
            b'#' if self.skip_spaces(i) > i => {}
            _ => return Err(Declined),
        }
        let mut line = header_end + 1;
        let mut indent = None;
        let mut value = String::new();
        // Line breaks waiting to be added: the last content line's and the blank lines' after it.
        let mut breaks = 0usize;
        let end = loop {
            if line >= self.b.len() {
                break self.b.len();
            }
            let eol = self.line_end(line);
            let spaces = self.skip_spaces(line) - line;
            let blank = line + spaces == eol;
            match indent {
                None if blank => {
                    if spaces > 0 {
                        return Err(Declined);
                    }
                    breaks += 1;
                }
                None => {
                    if spaces <= column {
                        // An empty block scalar.
                        return Err(Declined);
                    }
                    indent = Some(spaces);
                    value.extend(std::iter::repeat_n('\n', breaks));
                    breaks = 1;
                    value.push_str(&self.text[line + spaces..eol]);
                }
                // libyaml takes up to `indent` spaces as indentation: a line of no more is blank.
                Some(indent) if blank && spaces <= indent => breaks += 1,
                Some(indent) if spaces >= indent => {
                    value.extend(std::iter::repeat_n('\n', breaks));
                    breaks = 1;
                    value.push_str(&self.text[line + indent..eol]);
                }
                Some(_) => {
                    if spaces > column {
                        // Less indented than the content, deeper than the collection.
                        return Err(Declined);
                    }
                    break line;
                }
            }
            line = eol + 1;
        };
        if indent.is_none() {
            return Err(Declined);
        }
        match chomping {
            Chomping::Strip => {}
            Chomping::Clip => value.push('\n'),
            Chomping::Keep => value.extend(std::iter::repeat_n('\n', breaks)),
        }
        self.scalar(value, ScalarStyle::Literal, at..end)?;
        Ok(self.next_content(end))
    }
}

enum Chomping {
    Strip,
    Clip,
    Keep,
}
