//! Text shown to people: a user's or a server's words quoted on one line, control characters made
//! harmless, overlong words shortened, and "did you mean" for a near miss.

/// Writes control characters but line feeds as `\u{1b}`: a value or a server's answer quoted in a
/// message must not reach a terminal as a command (clear the screen, set its title) or break a line
/// format.
pub fn escape_controls(text: &mut String) {
    if let Some(escaped) = escaped(text, true) {
        *text = escaped;
    }
}

fn escaped(text: &str, keep_line_feeds: bool) -> Option<String> {
    let escape = |c: char| c.is_control() && !(keep_line_feeds && c == '\n');
    // Control characters are below 0x20, 0x7F, or (U+0080 to U+009F) start with the byte 0xC2.
    let maybe = text.bytes().any(|b| b < 0x20 || b == 0x7F || b == 0xC2);
    (maybe && text.contains(escape)).then(|| {
        let mut out = String::with_capacity(text.len() + 8);
        for c in text.chars() {
            if escape(c) {
                out.extend(c.escape_unicode());
            } else {
                out.push(c);
            }
        }
        out
    })
}

/// A file's name as a report or a message prints it: every control character (a line feed too: a
/// name is printed on one line) written as an escape, as [`preview`] writes them, so that a name
/// such as `\x1b[2J.yaml` cannot clear the terminal or break a GitHub annotation. A name without
/// one is returned as it is.
pub fn file_name(name: &str) -> std::borrow::Cow<'_, str> {
    match escaped(name, false) {
        Some(shown) => std::borrow::Cow::Owned(shown),
        None => std::borrow::Cow::Borrowed(name),
    }
}

/// What a user or a server wrote, quoted on one line: cut after `max` characters (ending in `…`),
/// every control character written as an escape.
pub fn preview(text: &str, max: usize) -> String {
    let cut = match text.char_indices().nth(max) {
        Some((at, _)) => &text[..at],
        None => text,
    };
    let mut shown = escaped(cut, false).unwrap_or_else(|| cut.to_string());
    if cut.len() < text.len() {
        shown.push('…');
    }
    shown
}

/// Most characters of one word (a run without spaces) a message shows: a longer one, such as a
/// megabyte value a rule quotes, keeps its start and its end around the number of characters left out.
pub const MAX_WORD: usize = 200;

pub fn shorten(text: &mut String) {
    // A word is never longer in characters than in bytes, nor longer than the run of bytes
    // between ASCII blanks it lies in: texts without such a run over MAX_WORD are left as they are.
    let mut run = 0;
    let long_run = text.bytes().any(|b| {
        run = if b.is_ascii_whitespace() { 0 } else { run + 1 };
        run > MAX_WORD
    });
    if !long_run {
        return;
    }
    let mut out = String::with_capacity(MAX_WORD * 2);
    let mut changed = false;
    for piece in text.split_inclusive(char::is_whitespace) {
        let word = piece.trim_end_matches(char::is_whitespace);
        let count = word.chars().count();
        if count <= MAX_WORD {
            out.push_str(piece);
            continue;
        }
        changed = true;
        let head: String = word.chars().take(MAX_WORD / 2).collect();
        let tail: String = word.chars().skip(count - 20).collect();
        out.push_str(&format!(
            "{head}…({} characters)…{tail}",
            count - MAX_WORD / 2 - 20
        ));
        out.push_str(&piece[word.len()..]);
    }
    if changed {
        *text = out;
    }
}

/// A duration as a person writes it: `3s`, `500ms`.
pub fn human_duration(d: std::time::Duration) -> String {
    if d.as_millis() % 1000 == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

/// The closest known key, if it is close enough to be a typo.
pub fn did_you_mean<'k>(key: &str, known: &'k [String]) -> Option<&'k str> {
    let lower = key.to_ascii_lowercase();
    let mut best: Option<(usize, &str)> = None;
    let length = key.chars().count();
    for candidate in known {
        let limit = (length.max(candidate.chars().count()) / 3).max(1);
        // The distance is at least the difference in length: a key of a megabyte is no typo of any.
        if length.abs_diff(candidate.chars().count()) > limit {
            continue;
        }
        let distance = if candidate.to_ascii_lowercase() == lower {
            0
        } else {
            edit_distance(&lower, &candidate.to_ascii_lowercase())
        };
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Damerau-Levenshtein distance (adjacent transpositions count as one edit).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previews_are_cut_and_show_control_characters_as_escapes() {
        assert_eq!(preview("ERR bad\x1b[2J\r\n", 80), "ERR bad\\u{1b}[2J\\u{d}\\u{a}");
        assert_eq!(preview("abcdef", 3), "abc…");
        assert_eq!(preview("héé", 3), "héé");
        let mut message = "line one\nbell\x07".to_string();
        escape_controls(&mut message);
        assert_eq!(message, "line one\nbell\\u{7}");
    }

    #[test]
    fn file_names_show_control_characters_as_escapes() {
        assert_eq!(file_name("dir/values 1.yaml"), "dir/values 1.yaml");
        assert!(matches!(file_name("plain.yaml"), std::borrow::Cow::Borrowed(_)));
        assert_eq!(file_name("\x1b[2Jx\n.yaml"), "\\u{1b}[2Jx\\u{a}.yaml");
        assert_eq!(file_name("bell\u{7}\u{9b}.yml"), "bell\\u{7}\\u{9b}.yml");
    }

    #[test]
    fn long_words_in_messages_are_shortened() {
        let mut text = format!("`image.tag: {}` names no version", "x".repeat(1000));
        shorten(&mut text);
        // The value's word is 1000 x and a backquote: 100 characters kept in front, 20 behind.
        let expected = format!(
            "`image.tag: {}…(881 characters)…{}` names no version",
            "x".repeat(100),
            "x".repeat(19)
        );
        assert_eq!(text, expected);
        let mut short = "a message of short words".to_string();
        shorten(&mut short);
        assert_eq!(short, "a message of short words");
    }

    #[test]
    fn suggestions_for_typos_only() {
        let known: Vec<String> = ["replicas", "nodes", "init", "usePassword", "configmap"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(did_you_mean("replica", &known), Some("replicas"));
        assert_eq!(did_you_mean("usePasword", &known), Some("usePassword"));
        assert_eq!(did_you_mean("configMap", &known), Some("configmap"));
        assert_eq!(did_you_mean("ndoes", &known), Some("nodes"));
        assert_eq!(did_you_mean("somethingElse", &known), None);
    }
}
