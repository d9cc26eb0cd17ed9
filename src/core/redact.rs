//! The one redaction boundary: what looks secret, and masking.
//!
//! Every place that reads user text asks here which parts of it are secret: the YAML reader for the
//! values it builds, the input layer for comments, `--set` flags and files that fail to parse, the
//! probe for URLs and passwords, `explain` for pasted log lines. What is found is kept in two ways:
//! the byte ranges of a source, which snippets show as `***` ([`super::source::Source::redact`]),
//! and the secret texts themselves, in a [`Redactor`]. Every text derived from an input or a server
//! reply passes the redactor before a reporter formats it or a message is printed: the findings'
//! texts and pointers (the pipelines mask them), the snippets (masked as they are shown), the
//! error messages, `--wait` lines and `explain` pages (masked as they are printed). The redactor
//! masks each known secret as written, decoded and escaped, where it occurs whole or where it
//! begins (a server cuts an echoed argument at 128 bytes), and a long secret by any run of 8 of its
//! characters.
//!
//! What looks secret is one table, [`WHAT_LOOKS_SECRET`], shown in the README: deny by default, a
//! value is secret when its key or its form says so, whether or not a rule knows the key.

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;
use std::ops::Range;

use super::source::{SourceId, Sources, MASK};

/// The forms acp-check takes for a secret, with an example of each as it is shown: the README's
/// "Secrets" section lists them (a test checks it), and each has its code below.
pub const WHAT_LOOKS_SECRET: &[(&str, &str)] = &[
    (
        "the value of a key that names a secret, in any case and with near misspellings: password, passwd, pwd, pass, passphrase, secret, token, credential, auth, masterauth, requirepass, apiKey, accessKey, privateKey, secretKey",
        "pasword: ***",
    ),
    (
        "the value of another key ending in `key` (the platform's `tls.key`, a `signingKey`): in snippets, and everywhere when it looks like key material (16 or more characters without blanks, letters and digits)",
        "signingKey: ***",
    ),
    (
        "the argument of `requirepass`, `masterauth` and `OSS_GLOBAL_PASSWORD` in redis.conf text, a quoted argument whole",
        "requirepass \"***\"",
    ),
    (
        "ACL passwords and password hashes: the `>`, `<`, `#` and `!` tokens of a `user` line or an `ACL SETUSER` command",
        "user default on >*** ~* +@all",
    ),
    (
        "the value of a variable whose name looks secret: `NAME=value`, `name: value`, `\"name\": \"value\"`, and `value` beside such a `name` in a Kubernetes env list",
        "- {name: REDIS_PASSWORD, value: ***}",
    ),
    (
        "the argument of a password flag: `--requirepass`, `--masterauth`, `--pass`, `--password`, `-a`, `AUTH`, also as `--flag=value` and as the next item of an `args` list",
        "args: [\"--requirepass\", \"***\"]",
    ),
    ("the password of a URL's user-info", "redis://default:***@redis:6379"),
    ("the body of a PEM private key block", "-----BEGIN PRIVATE KEY----- *** -----END PRIVATE KEY-----"),
    ("the data, iv and tag of a SOPS value", "ENC[AES256_GCM,data:***,iv:***,tag:***,type:str]"),
    (
        "all of these in comments, in `--set` flags, in `--addr` URLs and in pasted log lines; in a file that cannot be parsed, every line that holds one, and the lines its value goes on over",
        "# was: password: ***",
    ),
];

// ---------------------------------------------------------------------------------------------
// Keys

/// True for a mapping key whose scalar value is a secret: `password`, `OSS_GLOBAL_PASSWORD`,
/// `clientSecret`, `apiToken`, `apiKey`, `secretAccessKey`, a misspelled `pasword`… but not the
/// names of the places a secret is kept (`existingSecret`, `existingSecretPasswordKey`,
/// `passwordFile`, `usePassword`, `certificatesSecret`).
pub fn is_secret_key(key: &str) -> bool {
    // Most keys hold no secret word anywhere: that is looked for first, without splitting words.
    with_normalized(key, |k| secret_word(k) && !names_a_place(k)) && last_word_is_secret(key)
}

/// Whether the key's last word names a secret (`OSS_GLOBAL_PASSWORD`, `clientSecret`, `apiKey`,
/// `redisPasswrod`), as opposed to a setting about one (`token_endpoint_auth_method`,
/// `refreshTokenTtl`).
fn last_word_is_secret(key: &str) -> bool {
    let (previous, last) = last_words(key.as_bytes());
    const ENDINGS: [&[u8]; 15] = [
        b"password",
        b"passwd",
        b"pwd",
        b"passphrase",
        b"secret",
        b"token",
        b"credential",
        b"credentials",
        b"masterauth",
        b"requirepass",
        b"apikey",
        b"accesskey",
        b"privatekey",
        b"secretkey",
        b"authtoken",
    ];
    let is = |word: &[u8], w: &[u8]| word.eq_ignore_ascii_case(w);
    let ends = |w: &[u8]| last.len() >= w.len() && is(&last[last.len() - w.len()..], w);
    if ENDINGS.iter().any(|e| ends(e)) || is(last, b"pass") || is(last, b"auth") {
        return true;
    }
    if is(last, b"key") {
        return [&b"api"[..], b"access", b"private", b"secret"]
            .iter()
            .any(|p| is(previous, p));
    }
    // A misspelled `password` at the end (`redisPasswrod`).
    let lower: Vec<u8> = last
        .iter()
        .rev()
        .take(9)
        .rev()
        .map(u8::to_ascii_lowercase)
        .collect();
    (7..=9).any(|n| lower.len() >= n && near_password(&lower[lower.len() - n..]))
}

/// The last two words of a key: words are split at any character but a letter or a digit, and
/// where a lower-case letter is followed by an upper-case one (`secretAccessKey`).
fn last_words(bytes: &[u8]) -> (&[u8], &[u8]) {
    let mut words: [&[u8]; 2] = [&[], &[]];
    let mut found = 0;
    let mut end = bytes.len();
    let mut i = bytes.len();
    while i > 0 && found < 2 {
        let b = bytes[i - 1];
        if !b.is_ascii_alphanumeric() {
            if end > i {
                words[found] = &bytes[i..end];
                found += 1;
            }
            end = i - 1;
        } else if b.is_ascii_uppercase() && i >= 2 && bytes[i - 2].is_ascii_lowercase() {
            words[found] = &bytes[i - 1..end];
            found += 1;
            end = i - 1;
        }
        i -= 1;
    }
    if found < 2 && end > 0 {
        words[found] = &bytes[..end];
    }
    (words[1], words[0])
}

/// True for a key ending in `key` that is no secret name of [`is_secret_key`] and names no place
/// (`signingKey`, `encryptionKey`, `tls.key`): its value may be key material, or only its name
/// (`key: redis-password` in a `secretKeyRef`).
pub fn is_key_material_key(key: &str) -> bool {
    // Every key is asked: most do not end in `key`, which is told without normalizing.
    key.len() >= 3
        && key.as_bytes()[key.len() - 3..].eq_ignore_ascii_case(b"key")
        && with_normalized(key, |k| !names_a_place(k))
        && !is_secret_key(key)
}

/// Whether a value under a [`is_key_material_key`] key looks like key material rather than a name
/// or a path: 16 or more characters, without blanks, not a path, not a dotted or dashed name.
pub fn looks_like_key_material(value: &str) -> bool {
    let v = value.trim();
    v.len() >= 16
        && !v.contains(char::is_whitespace)
        && !v.starts_with('/')
        && v.chars().any(|c| c.is_ascii_digit())
        && v.chars().any(|c| c.is_ascii_alphabetic())
        && !v
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == '-' || c == '.' || c.is_ascii_digit())
}

/// `f` of the key's letters and digits, lowercased (on the stack: this runs for every key read).
fn with_normalized(key: &str, f: impl Fn(&[u8]) -> bool) -> bool {
    let mut buffer = [0u8; 64];
    let mut len = 0;
    for b in key.bytes().filter(u8::is_ascii_alphanumeric) {
        if len == buffer.len() {
            let long: Vec<u8> = key
                .bytes()
                .filter(u8::is_ascii_alphanumeric)
                .map(|b| b.to_ascii_lowercase())
                .collect();
            return f(&long);
        }
        buffer[len] = b.to_ascii_lowercase();
        len += 1;
    }
    f(&buffer[..len])
}

/// Whether a normalized key holds a secret word (or a near miss of `password`).
fn secret_word(k: &[u8]) -> bool {
    if k == b"pass" || k == b"auth" {
        // Alone, each is a password.
        return true;
    }
    // Most keys hold no secret word: one pass looks for one, by its first letter.
    (0..k.len()).any(|i| {
        let rest = &k[i..];
        let words: &[&[u8]] = match k[i] {
            b'p' => &[b"password", b"passwd", b"pwd", b"privatekey", b"passphrase"],
            b's' => &[b"secret"],
            b't' => &[b"token"],
            b'a' => &[b"apikey", b"accesskey", b"auth"],
            b'c' => &[b"credential"],
            b'm' => &[b"masterauth"],
            b'r' => &[b"requirepass"],
            _ => return false,
        };
        words.iter().any(|w| rest.starts_with(w)) || (k[i] == b'p' && near_password(rest))
    })
}

/// A misspelling of `password` at the start of `rest`: one letter left out, doubled, swapped or
/// changed (`pasword`, `passowrd`, `passwrod`, `passwrd`), as long as it starts with `pa` or `ps`.
fn near_password(rest: &[u8]) -> bool {
    const WORD: &[u8] = b"password";
    if !(rest.starts_with(b"pa") || rest.starts_with(b"ps")) {
        return false;
    }
    (7..=9).any(|n| rest.len() >= n && within_one_edit(&rest[..n], WORD))
}

/// Damerau distance of at most one.
fn within_one_edit(a: &[u8], b: &[u8]) -> bool {
    if a == b {
        return true;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    match long.len() - short.len() {
        0 => {
            let diff: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
            match diff[..] {
                [_] => true,
                [i, j] => j == i + 1 && a[i] == b[j] && a[j] == b[i],
                _ => false,
            }
        }
        1 => {
            let i = (0..short.len())
                .find(|&i| short[i] != long[i])
                .unwrap_or(short.len());
            short[i..] == long[i + 1..]
        }
        _ => false,
    }
}

/// A key that names where a secret is kept, or a setting about it, rather than holding it.
fn names_a_place(k: &[u8]) -> bool {
    if k.starts_with(b"existing") || k.starts_with(b"use") || k.starts_with(b"enable") {
        return true;
    }
    let ends: [&[u8]; 12] = [
        b"file",
        b"filename",
        b"path",
        b"name",
        b"ref",
        b"secretname",
        b"env",
        b"enabled",
        b"keyname",
        b"secretkey_ref",
        b"length",
        b"policy",
    ];
    if ends.iter().any(|end| k.ends_with(end) && k != *end) {
        return true;
    }
    // `certificatesSecret`, `extraEnvVarsSecret`: the name of a Kubernetes Secret, not a secret;
    // `passwordKey`, `existingSecretPasswordKey`: the key of a Secret that holds one.
    if k.ends_with(b"secret") && k != b"secret" && !k.starts_with(b"client") {
        return true;
    }
    if k.len() > 3 && k.ends_with(b"key") && (k.starts_with(b"password") || k.ends_with(b"passwordkey")) {
        return true;
    }
    // Plural mappings such as `refresh_tokens` or `secrets` hold settings, not a secret.
    k.ends_with(b"tokens") || k.ends_with(b"secrets") || k.ends_with(b"keys")
}

/// A value as written without the quotes around it (a quoted scalar's range holds them).
fn unquote(text: &str) -> &str {
    let b = text.as_bytes();
    if b.len() >= 2 && matches!(b[0], b'"' | b'\'') && b[b.len() - 1] == b[0] {
        &text[1..text.len() - 1]
    } else {
        text
    }
}

/// Whether a value is the name of a key rather than a secret: a bare secret word (`password`,
/// `token`) or a key file's name (`tls.key`).
pub fn names_a_key(value: &str) -> bool {
    let value = value.trim_matches(['"', '\'']);
    const WORDS: [&str; 10] = [
        "password",
        "passwd",
        "pwd",
        "pass",
        "secret",
        "token",
        "key",
        "apikey",
        "auth",
        "credentials",
    ];
    WORDS.iter().any(|w| value.eq_ignore_ascii_case(w))
        || (value.ends_with(".key")
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')))
}

/// A SOPS-encrypted leaf: `ENC[AES256_GCM,data:…,type:str]`.
pub fn is_sops_ciphertext(s: &str) -> bool {
    let s = s.trim();
    s.starts_with("ENC[") && s.ends_with(']') && s.contains("data:")
}

// ---------------------------------------------------------------------------------------------
// Free text

/// Byte ranges of the secrets inside free text (a string value, a comment, a flag, a log line):
/// every form of [`WHAT_LOOKS_SECRET`] that can be told from the text alone.
pub fn secrets_in_text(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    // This runs for every string value read: look further only where a secret can be.
    let blank = bytes.iter().any(|b| matches!(b, b' ' | b'\t' | b'\n'));
    let pair = bytes.iter().any(|b| matches!(b, b'=' | b':'));
    if !blank && !pair && !bytes.contains(&b'[') {
        return out;
    }
    if blank {
        arguments(text, &mut out);
        acl_tokens(text, &mut out);
    }
    if pair {
        pairs(text, &mut out);
        if has(text, "://") {
            urls(text, &mut out);
        }
    }
    // `str::find` sets up a two-way search each call: a byte test first spares most strings it.
    if has(text, "-----BEGIN ") {
        pem_blocks(text, &mut out);
    }
    if has(text, "ENC[") {
        sops(text, &mut out);
    }
    normalize(&mut out, text);
    out.retain(|r| !is_placeholder(&text[r.clone()]));
    out
}

/// Secrets in the comments of a YAML text (`# was: password: hunter2`): the free-text forms, in
/// every comment. A `#` starts a comment at the start of a line or after a blank, outside quotes.
pub fn secrets_in_comments(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    // A private key commented out spans comment lines: its body lines are secret too.
    let mut in_key = false;
    // Only lines with a `#` are looked at: most lines of a values file have none.
    let mut next_line = 0;
    for (hash, _) in text.match_indices('#') {
        if hash < next_line {
            continue;
        }
        let at = text[..hash].rfind('\n').map_or(0, |p| p + 1);
        let end = text[hash..].find('\n').map_or(text.len(), |p| hash + p + 1);
        next_line = end;
        let line = &text[at..end];
        let Some(start) = comment_start(line) else {
            continue;
        };
        let body = &line[start..];
        let dashes = body.as_bytes().contains(&b'-');
        if dashes && has(body, "-----END ") {
            in_key = false;
        } else if in_key {
            let inner = body.trim_start_matches('#');
            let trimmed = inner.trim();
            if !trimmed.is_empty() {
                let lead = body.len() - inner.trim_start().len();
                out.push(at + start + lead..at + start + lead + trimmed.len());
            }
        }
        out.extend(
            secrets_in_text(body)
                .into_iter()
                .map(|r| at + start + r.start..at + start + r.end),
        );
        if dashes && has(body, "-----BEGIN ") && has(body, "PRIVATE KEY") {
            in_key = true;
        }
    }
    out
}

/// Where a line's comment starts (its `#`), if it has one.
fn comment_start(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut quote = None;
    for (i, &b) in bytes.iter().enumerate() {
        match (quote, b) {
            (None, b'#') if i == 0 || matches!(bytes[i - 1], b' ' | b'\t') => return Some(i),
            (None, b'"' | b'\'')
                if i == 0 || matches!(bytes[i - 1], b' ' | b'\t' | b':' | b'[' | b'{' | b',') =>
            {
                quote = Some(b)
            }
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
    }
    None
}

/// Secrets found line by line, for text that could not be parsed: the free-text forms of every
/// line, and, after a line whose secret value is not finished on it (an open quote, a block
/// scalar `|`, or nothing after the key), every following line that continues it.
pub fn secrets_in_lines(text: &str) -> Vec<Range<usize>> {
    let mut out = secrets_in_text(text);
    out.extend(secrets_in_comments(text));
    let mut at = 0;
    // While a secret value runs on: the indentation its lines are deeper than, or its quote.
    let mut continuing: Option<Continuation> = None;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let indent = body.len() - body.trim_start_matches([' ', '\t']).len();
        if let Some(c) = continuing {
            let goes_on = match c {
                Continuation::Deeper(key_indent) => body.trim().is_empty() || indent > key_indent,
                Continuation::Quoted(q) => {
                    if let Some(end) = body.find(q as char) {
                        if end > indent {
                            out.push(at + indent..at + end);
                        }
                        continuing = None;
                        at += line.len();
                        continue;
                    }
                    true
                }
            };
            if goes_on {
                if !body.trim().is_empty() {
                    out.push(at + indent..at + body.len());
                }
                at += line.len();
                continue;
            }
            continuing = None;
        }
        let trimmed = body.trim_start_matches([' ', '\t', '-']);
        if let Some(colon) = key_colon(trimmed) {
            let key = trimmed[..colon].trim().trim_matches(['"', '\'']);
            if is_secret_key(key) || is_key_material_key(key) {
                let value_start = body.len() - trimmed.len() + colon + 1;
                let value = body[value_start..].trim();
                let lead = body[value_start..].len() - body[value_start..].trim_start().len();
                if !value.is_empty() && !value.starts_with('#') {
                    out.push(at + value_start + lead..at + body.len());
                }
                continuing = match value.as_bytes().first() {
                    None | Some(b'|' | b'>') => Some(Continuation::Deeper(indent)),
                    Some(&q @ (b'"' | b'\'')) if !value[1..].contains(q as char) => {
                        Some(Continuation::Quoted(q))
                    }
                    _ => None,
                };
            }
        }
        at += line.len();
    }
    normalize(&mut out, text);
    out.retain(|r| !is_placeholder(&text[r.clone()]));
    out
}

#[derive(Clone, Copy)]
enum Continuation {
    Deeper(usize),
    Quoted(u8),
}

/// The colon that ends a line's key (`key:` then a blank or the end), if any.
fn key_colon(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut quote = None;
    for (i, &b) in bytes.iter().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') if i == 0 => quote = Some(b),
            (Some(q), c) if c == q => quote = None,
            (None, b':') if bytes.get(i + 1).is_none_or(|n| matches!(n, b' ' | b'\t')) => return Some(i),
            (None, b' ' | b'\t' | b'#') if i == 0 => return None,
            _ => {}
        }
    }
    None
}

/// The words that take a secret argument after blanks, and how many.
const ARGUMENT_WORDS: &[(&str, usize)] = &[
    ("requirepass", 1),
    ("masterauth", 1),
    ("oss_global_password", 1),
    ("--requirepass", 1),
    ("--masterauth", 1),
    // Longer words first: `--password` is no `--pass` followed by `word`.
    ("--password", 1),
    ("--pass", 1),
    ("-a", 1),
    // `AUTH [user] password`: both words (the user is no secret, but cannot be told apart from a
    // password).
    ("auth", 2),
];

/// Arguments of the words of [`ARGUMENT_WORDS`], and `--flag=value` forms of the flags. A quoted
/// argument runs to its closing quote.
fn arguments(text: &str, out: &mut Vec<Range<usize>>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // A word starts at the start or after a blank, a quote or a bracket.
        if i > 0
            && !matches!(
                bytes[i - 1],
                b' ' | b'\t' | b'\n' | b'"' | b'\'' | b'[' | b',' | b'(' | b'`' | b'=' | b'{'
            )
        {
            i += 1;
            continue;
        }
        // Every word of the list starts with one of these (this runs on every string read).
        if !matches!(bytes[i] | 0x20, b'r' | b'm' | b'o' | b'-' | b'a') {
            i += 1;
            continue;
        }
        let Some(&(word, count)) = ARGUMENT_WORDS.iter().find(|(w, _)| {
            bytes.len() >= i + w.len() && bytes[i..i + w.len()].eq_ignore_ascii_case(w.as_bytes())
        }) else {
            i += 1;
            continue;
        };
        if !in_command_position(bytes, i, word) {
            i += word.len();
            continue;
        }
        let mut j = i + word.len();
        match bytes.get(j) {
            Some(b'=') if word.starts_with('-') => {
                j += 1;
                let end = token_end(bytes, j);
                if end > j {
                    out.push(unquoted(bytes, j, end));
                }
                i = end;
                continue;
            }
            // A flag or word written between quotes (`"--requirepass", "pw"`): its argument is
            // the next item.
            Some(b'"' | b'\'') if i > 0 && bytes[i - 1] == bytes[j] => {
                j += 1;
                while j < bytes.len() && matches!(bytes[j], b' ' | b'\t' | b',') {
                    j += 1;
                }
            }
            Some(b' ' | b'\t') => {}
            _ => {
                i = j;
                continue;
            }
        }
        // The arguments, as one range; none when one is a placeholder (`AUTH <password>`).
        let mut taken: Option<Range<usize>> = None;
        let mut placeholder = false;
        for _ in 0..count {
            while j < bytes.len() && matches!(bytes[j], b' ' | b'\t') {
                j += 1;
            }
            let end = token_end(bytes, j);
            if end == j {
                break;
            }
            let token = unquoted(bytes, j, end);
            placeholder |= is_placeholder(&text[token.clone()]);
            taken = Some(match taken {
                Some(first) => first.start..token.end,
                None => token,
            });
            j = end;
        }
        if !placeholder {
            out.extend(taken);
        }
        i = j.max(i + 1);
    }
}

/// Whether a word of [`ARGUMENT_WORDS`] at `i` is used as a command, not named in prose: a flag or
/// `OSS_GLOBAL_PASSWORD` anywhere; `requirepass` and `masterauth` first on a line (a commented-out
/// directive too) or after `CONFIG SET`; `AUTH` first on a line or after a quote, a bracket, a
/// comma, a colon or `>` (a log quoting a command).
fn in_command_position(bytes: &[u8], i: usize, word: &str) -> bool {
    if word.starts_with('-') || word == "oss_global_password" {
        return true;
    }
    let line_start = bytes[..i].iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let before = &bytes[line_start..i];
    if before.iter().all(|b| matches!(b, b' ' | b'\t' | b'#' | b'-')) {
        return word != "auth" || !before.contains(&b'#');
    }
    let before = trim_ascii_end(before);
    if word == "auth" {
        // Prose in a comment names AUTH more often than a command is commented out.
        return !before.contains(&b'#')
            && before
                .last()
                .is_some_and(|b| matches!(b, b'"' | b'\'' | b'`' | b'(' | b'[' | b',' | b':' | b'>'));
    }
    before.len() >= 10 && before[before.len() - 10..].eq_ignore_ascii_case(b"config set")
}

fn trim_ascii_end(mut bytes: &[u8]) -> &[u8] {
    while let [rest @ .., b' ' | b'\t'] = bytes {
        bytes = rest;
    }
    bytes
}

/// The end of the token starting at `at`: a quoted token runs to its closing quote (included), a
/// template `{{ … }}` to its end.
fn token_end(bytes: &[u8], at: usize) -> usize {
    if bytes[at..].starts_with(b"{{") {
        if let Some(end) = bytes[at..].windows(2).position(|w| w == b"}}") {
            return at + end + 2;
        }
    }
    match bytes.get(at) {
        Some(&q @ (b'"' | b'\'')) => bytes[at + 1..]
            .iter()
            .position(|&b| b == q)
            .map_or(bytes.len(), |p| at + 1 + p + 1),
        Some(_) => bytes[at..]
            .iter()
            .position(|b| {
                matches!(
                    b,
                    b' ' | b'\t' | b'\n' | b'\r' | b',' | b']' | b')' | b'"' | b'\''
                )
            })
            .map_or(bytes.len(), |p| at + p),
        None => at,
    }
}

/// A token's range without its quotes.
fn unquoted(bytes: &[u8], start: usize, end: usize) -> Range<usize> {
    if end - start >= 2 && matches!(bytes[start], b'"' | b'\'') && bytes[end - 1] == bytes[start] {
        start + 1..end - 1
    } else {
        start..end
    }
}

/// The password tokens of ACL rules: in a line starting with `user` (redis.conf, `ACL LIST`) or
/// holding `ACL SETUSER`, the tokens `>pw`, `<pw`, `#hash` and `!hash` (the text after the sign).
fn acl_tokens(text: &str, out: &mut Vec<Range<usize>>) {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let is_acl = trimmed.get(..5).is_some_and(|w| w.eq_ignore_ascii_case("user "))
            || has(line, "SETUSER")
            || has(line, "setuser");
        if is_acl {
            let mut offset = 0;
            for token in line.split_inclusive([' ', '\t']) {
                let word = token.trim_end();
                if word.len() > 1
                    && matches!(word.as_bytes()[0], b'>' | b'<' | b'#' | b'!')
                    && !is_placeholder(word)
                {
                    out.push(at + offset + 1..at + offset + word.len());
                }
                offset += token.len();
            }
        }
        at += line.len();
    }
}

/// `name=value`, `name: value` and `"name": "value"` where the name looks secret: the value, up
/// to a blank, a comma, a closing bracket or `&` (a quoted value to its quote).
fn pairs(text: &str, out: &mut Vec<Range<usize>>) {
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b != b'=' && b != b':' {
            continue;
        }
        // `://` is a URL, `==`, `:=` and `=>` are operators; a YAML or JSON pair has a blank or a
        // quote after its colon (`host:port` does not).
        let next = bytes.get(i + 1);
        if next.is_some_and(|n| matches!(n, b'/' | b'=' | b'>'))
            || (b == b':' && !next.is_some_and(|n| matches!(n, b' ' | b'\t' | b'"' | b'\'')))
        {
            continue;
        }
        let (name_start, name_end) = name_before(bytes, i);
        if name_start == name_end {
            continue;
        }
        let name = &text[name_start..name_end];
        if !is_secret_key(name) {
            continue;
        }
        let mut j = i + 1;
        while j < bytes.len() && matches!(bytes[j], b' ' | b'\t') {
            j += 1;
        }
        let end = match bytes.get(j) {
            Some(b'"' | b'\'' | b'{') => token_end(bytes, j),
            Some(_) => bytes[j..]
                .iter()
                .position(|b| {
                    matches!(
                        b,
                        b' ' | b'\t' | b'\n' | b'\r' | b',' | b'}' | b']' | b'&' | b';' | b'"'
                    )
                })
                .map_or(bytes.len(), |p| j + p),
            None => j,
        };
        // `name: value` in prose goes on with more words (`no password: it means…`); a pair ends
        // its line or its item. A name that is no plain word in a sentence (`redis_password`, one
        // at the start of a log line) is a pair whatever follows.
        let in_sentence = text[name_start..name_end].bytes().all(|c| c.is_ascii_lowercase())
            && name_start >= 2
            && bytes[name_start - 1] == b' '
            && bytes[name_start - 2].is_ascii_alphabetic();
        if b == b':' && in_sentence {
            let rest = &bytes[end..];
            let next = rest
                .iter()
                .position(|b| !matches!(b, b' ' | b'\t'))
                .map(|p| rest[p]);
            if !matches!(
                next,
                None | Some(b'\n' | b'\r' | b',' | b'}' | b']' | b';' | b'#')
            ) {
                continue;
            }
        }
        if end > j {
            out.push(unquoted(bytes, j, end));
        }
    }
}

/// The name written just before a `=` or `:` at `sep`, without its quotes.
fn name_before(bytes: &[u8], sep: usize) -> (usize, usize) {
    let mut end = sep;
    let quoted = end > 0 && matches!(bytes[end - 1], b'"' | b'\'');
    if quoted {
        end -= 1;
    }
    let mut start = end;
    while start > 0
        && (bytes[start - 1].is_ascii_alphanumeric() || matches!(bytes[start - 1], b'_' | b'-' | b'.'))
    {
        start -= 1;
    }
    (start, end)
}

/// The password of every URL's user-info (`scheme://user:PASSWORD@host`). A password may hold `/`,
/// `#` or `@`: the user-info runs to the last `@` before the URL ends.
fn urls(text: &str, out: &mut Vec<Range<usize>>) {
    let mut from = 0;
    while let Some(i) = text[from..].find("://") {
        let start = from + i + 3;
        from = start;
        let end = url_end(text, start);
        let url = &text[start..end];
        // The next URL begins a new search.
        let url = url.find("://").map_or(url, |n| &url[..n]);
        let Some(at) = url.rfind('@') else { continue };
        // A user alone (`postgres://acp@db`) is no secret.
        if let Some(colon) = url[..at].find(':') {
            if colon + 1 < at {
                out.push(start + colon + 1..start + at);
            }
        }
    }
}

/// Whether `text` holds `needle`. For the short texts values are, a scan for the needle's first byte
/// is much cheaper than the two-way search `str::contains` sets up at every call.
fn has(text: &str, needle: &str) -> bool {
    let (hay, needle) = (text.as_bytes(), needle.as_bytes());
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    let mut at = 0;
    while let Some(p) = hay[at..].iter().position(|&b| b == first) {
        let start = at + p + 1;
        if hay[start..].starts_with(rest) {
            return true;
        }
        at = start;
    }
    false
}

/// Where a URL starting at `start` ends: at a blank, a double quote, `<`, `>` or a backquote, or at a
/// single quote that is not doubled (YAML writes a quote inside single quotes as `''`).
fn url_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' | b'\n' | b'\r' | b'"' | b'<' | b'>' | b'`' => return i,
            b'\'' if bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b'\'' => return i,
            _ => i += 1,
        }
    }
    i
}

/// The body of every PEM private key block, between its `-----BEGIN … PRIVATE KEY-----` and
/// `-----END …-----` lines (to the end of the text when it has no end).
fn pem_blocks(text: &str, out: &mut Vec<Range<usize>>) {
    let mut from = 0;
    while let Some(i) = text[from..].find("-----BEGIN ") {
        let start = from + i;
        let after = start + "-----BEGIN ".len();
        let Some(close) = text[after..].find("-----").map(|c| after + c) else {
            break;
        };
        from = close + 5;
        if !text[after..close].contains("PRIVATE KEY") {
            continue;
        }
        let end = text[from..].find("-----END ").map_or(text.len(), |e| from + e);
        out.push(from..end);
        from = end;
    }
}

fn sops(text: &str, out: &mut Vec<Range<usize>>) {
    let mut from = 0;
    while let Some(i) = text[from..].find("ENC[") {
        let start = from + i;
        let end = text[start..].find(']').map_or(text.len(), |e| start + e + 1);
        if text[start..end].contains("data:") {
            out.push(start..end);
        }
        from = end;
    }
}

/// A reference to a secret kept elsewhere, not a secret: a variable Flux or a shell substitutes
/// (`${REDIS_PASSWORD}`, `$REDIS_PASSWORD`, `$(cat pw)`), a Helm template (`{{ .Values.x }}`), a placeholder of
/// documentation (`<password>`, `…`), or a mask already.
pub fn is_placeholder(text: &str) -> bool {
    let t = text.trim().trim_matches(['"', '\'']);
    (t.len() > 3 && t.starts_with("${") && t.ends_with('}') && !t[2..t.len() - 1].contains('}'))
        || (t.len() > 1
            && t.starts_with('$')
            && t[1..]
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'))
        || (t.starts_with("$(") && t.ends_with(')'))
        || (t.starts_with("{{") && t.ends_with("}}"))
        || (t.starts_with('<') && t.ends_with('>') && !t[1..t.len() - 1].contains(['<', '>']) && t.len() > 2)
        || t == MASK
        || t == "…"
        || t == "..."
}

/// Sorted, without empty ranges, each on character boundaries.
fn normalize(ranges: &mut Vec<Range<usize>>, text: &str) {
    for r in ranges.iter_mut() {
        while r.start > 0 && !text.is_char_boundary(r.start) {
            r.start -= 1;
        }
        while r.end < text.len() && !text.is_char_boundary(r.end) {
            r.end += 1;
        }
        r.end = r.end.min(text.len());
    }
    ranges.retain(|r| r.start < r.end);
    ranges.sort_by_key(|r| (r.start, r.end));
    ranges.dedup();
}

/// `text` with every range of [`secrets_in_text`] as `***`: for free text shown whole, such as a
/// pasted log line.
pub fn mask_free_text(text: &str) -> String {
    let mut redactor = Redactor::default();
    for r in secrets_in_text(text) {
        redactor.add(&text[r]);
    }
    redactor.masked(text).into_owned()
}

// ---------------------------------------------------------------------------------------------
// Masking

/// The secrets of a run, and the masking every writer applies. It masks each secret of 3 or more
/// characters where it occurs whole, and any run of [`WINDOW`] or more characters of a secret of
/// [`LONG`] or more (a cut echo, a preview), in each form an output can hold it in: as written,
/// as decoded, escaped for a JSON pointer, for JSON, for XML and for GitHub's workflow commands.
#[derive(Clone, Debug, Default)]
pub struct Redactor {
    /// Secrets shorter than [`WINDOW`], longest first: masked where they occur whole.
    short: Vec<String>,
    /// Secrets from [`WINDOW`] to [`LONG`]: masked where they occur whole or begin (a cut echo).
    heads: Vec<String>,
    /// The first [`WINDOW`] bytes of each of `heads`, as a number, with the heads that begin so.
    head_starts: HashMap<u64, Vec<u32>, BuildHasherDefault<WindowHasher>>,
    /// Every [`WINDOW`]-byte run of every secret of [`LONG`] or more, as a number.
    windows: HashSet<u64, BuildHasherDefault<WindowHasher>>,
    /// The first two bytes of each window: most text positions start none, and are passed at once.
    starts: Option<Box<[u64; 1024]>>,
}

/// The shortest run of a secret's characters masked: where a secret begins (a cut echo, a preview
/// cut short), and, for a secret of [`LONG`] or more, anywhere.
pub const WINDOW: usize = 8;
/// A secret this long is masked by any run of [`WINDOW`] of its characters: its start, its end and
/// its middle may each be what is left of it in an output (a PEM line, a long word shortened). A
/// shorter secret is masked where it occurs whole or begins: a run of eight from its middle or end
/// would be a word of the messages as often as not (`new-password`, `Url-Password-1188`).
pub const LONG: usize = 32;

impl Redactor {
    /// The secrets known of `sources`: every range they mark, and the decoded forms they hold.
    pub fn of(sources: &Sources) -> Redactor {
        let mut redactor = Redactor::default();
        for (_, source) in sources.iter() {
            for secret in source.secrets() {
                redactor.add(secret);
            }
        }
        redactor
    }

    /// The secrets known of the sources with ids in `ids`.
    pub fn of_some(sources: &Sources, ids: impl Fn(SourceId) -> bool) -> Redactor {
        let mut redactor = Redactor::default();
        for (id, source) in sources.iter() {
            if ids(id) {
                for secret in source.secrets() {
                    redactor.add(secret);
                }
            }
        }
        redactor
    }

    /// One more secret, in every form an output can hold it in. A value that only names a key
    /// (`secretKey: password`) is hidden where it is written, but is no text to mask elsewhere:
    /// messages say "password".
    pub fn add(&mut self, secret: &str) {
        let secret = unquote(secret.trim_matches(['\n', '\r']));
        // A boolean under a secret-sounding key (`usePassword: false`) is a switch, not a secret:
        // masking its word would mask every `false` of a report.
        let switch = matches!(
            secret.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null"
        );
        if secret.len() < 3 || switch || names_a_key(secret) {
            return;
        }
        for form in forms(secret) {
            self.add_form(&form);
        }
    }

    fn add_form(&mut self, form: &str) {
        let bytes = form.as_bytes();
        if !bytes.iter().any(|b| b.is_ascii_alphanumeric() || *b >= 0x80) {
            return;
        }
        if bytes.len() < WINDOW {
            if !self.short.iter().any(|s| s == form) {
                let at = self.short.partition_point(|s| s.len() >= form.len());
                self.short.insert(at, form.to_string());
            }
            return;
        }
        let starts = self.starts.get_or_insert_with(|| Box::new([0; 1024]));
        if bytes.len() < LONG {
            let key = u64::from_le_bytes(bytes[..WINDOW].try_into().expect("a window"));
            let heads = &self.heads;
            if self
                .head_starts
                .get(&key)
                .is_some_and(|same| same.iter().any(|&h| heads[h as usize] == form))
            {
                return;
            }
            let start = u16::from_le_bytes([bytes[0], bytes[1]]) as usize;
            starts[start / 64] |= 1 << (start % 64);
            self.head_starts
                .entry(key)
                .or_default()
                .push(u32::try_from(self.heads.len()).unwrap_or(u32::MAX));
            self.heads.push(form.to_string());
            return;
        }
        // A run of blanks or punctuation is no part of a secret worth masking alone.
        for window in bytes
            .windows(WINDOW)
            .filter(|w| w.iter().any(u8::is_ascii_alphanumeric) || w.iter().any(|b| *b >= 0x80))
        {
            let key = u64::from_le_bytes(window.try_into().expect("a window"));
            let start = u16::from_le_bytes([window[0], window[1]]) as usize;
            starts[start / 64] |= 1 << (start % 64);
            self.windows.insert(key);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.short.is_empty() && self.heads.is_empty() && self.windows.is_empty()
    }

    /// Adds the secrets of another redactor.
    pub fn extend(&mut self, other: &Redactor) {
        for s in other.short.iter().chain(&other.heads) {
            self.add_form(s);
        }
        if let Some(theirs) = &other.starts {
            let starts = self.starts.get_or_insert_with(|| Box::new([0; 1024]));
            for (mine, theirs) in starts.iter_mut().zip(theirs.iter()) {
                *mine |= theirs;
            }
        }
        self.windows.extend(other.windows.iter().copied());
    }

    /// Replaces every secret in `text` with `***`.
    pub fn mask(&self, text: &mut String) {
        if let std::borrow::Cow::Owned(masked) = self.masked(text) {
            *text = masked;
        }
    }

    /// `text` with every secret as `***` (borrowed when it holds none).
    pub fn masked<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, str> {
        let hidden = self.hidden(text);
        if hidden.is_empty() {
            return std::borrow::Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for r in hidden {
            out.push_str(&text[at..r.start]);
            out.push_str(MASK);
            at = r.end;
        }
        out.push_str(&text[at..]);
        std::borrow::Cow::Owned(out)
    }

    /// The byte ranges of `text` that hold a secret, merged, on character boundaries.
    pub fn hidden(&self, text: &str) -> Vec<Range<usize>> {
        let bytes = text.as_bytes();
        let mut found: Vec<Range<usize>> = Vec::new();
        for secret in &self.short {
            found.extend(text.match_indices(secret.as_str()).map(|(i, s)| i..i + s.len()));
        }
        if let Some(starts) = &self.starts {
            if bytes.len() >= WINDOW {
                for (i, window) in bytes.windows(WINDOW).enumerate() {
                    let window: &[u8; WINDOW] = window.try_into().expect("a window");
                    let start = usize::from(window[0]) | (usize::from(window[1]) << 8);
                    if starts[start >> 6] & (1 << (start & 63)) == 0 {
                        continue;
                    }
                    let key = u64::from_le_bytes(*window);
                    let mut end = if self.windows.contains(&key) {
                        i + WINDOW
                    } else {
                        i
                    };
                    // A head: as much of it as the text holds from here.
                    for &h in self.head_starts.get(&key).into_iter().flatten() {
                        let head = self.heads[h as usize].as_bytes();
                        let common = head.iter().zip(&bytes[i..]).take_while(|(a, b)| a == b).count();
                        end = end.max(i + common);
                    }
                    if end > i {
                        match found.last_mut() {
                            Some(last) if last.end >= i && last.start <= i => last.end = last.end.max(end),
                            _ => found.push(i..end),
                        }
                    }
                }
            }
        }
        if found.is_empty() {
            return found;
        }
        normalize(&mut found, text);
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(found.len());
        for r in found {
            match merged.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => merged.push(r),
            }
        }
        merged
    }
}

/// The forms an output can hold a secret in: line by line (a line of an output never holds more
/// than one line of a secret), each as it is, escaped for a JSON pointer, for a JSON string, for XML
/// text and attributes, and for a GitHub workflow command. The armour lines of a PEM block
/// (`-----BEGIN RSA PRIVATE KEY-----`) are no secret: only what they enclose is.
fn forms(secret: &str) -> Vec<String> {
    // SOPS ciphertext: what is secret are its data, iv and tag, not the frame every one shares.
    if let Some(at) = secret.find("ENC[") {
        let frame = &secret[at + 4..];
        let parts: Vec<&str> = frame
            .trim_end_matches(']')
            .split(',')
            .filter_map(|field| {
                let (name, value) = field.split_once(':')?;
                matches!(name.trim(), "data" | "iv" | "tag").then_some(value.trim())
            })
            .filter(|v| v.len() >= 3)
            .collect();
        let mut out: Vec<String> = parts.into_iter().flat_map(forms_of_one).collect();
        if at > 0 {
            out.extend(forms(&secret[..at]));
        }
        return out;
    }
    let mut body = String::new();
    let mut rest = secret;
    while let Some(at) = rest.find("-----BEGIN ").or_else(|| rest.find("-----END ")) {
        body.push_str(&rest[..at]);
        body.push('\n');
        let after = &rest[at + 5..];
        rest = after.find("-----").map_or("", |e| &after[e + 5..]);
    }
    body.push_str(rest);
    body.lines()
        .map(str::trim)
        .filter(|l| l.len() >= 3)
        .flat_map(forms_of_one)
        .collect()
}

fn forms_of_one(secret: &str) -> Vec<String> {
    let mut forms = vec![secret.to_string()];
    let mut push = |form: String| {
        if !forms.contains(&form) {
            forms.push(form);
        }
    };
    if secret.contains(['~', '/']) {
        push(secret.replace('~', "~0").replace('/', "~1"));
    }
    if secret.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
        let json = serde_json::to_string(secret).expect("a string serializes");
        push(json[1..json.len() - 1].to_string());
    }
    if secret.contains(['&', '<', '>', '"', '\'', '\n', '\t']) {
        push(
            secret
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
                .replace('\'', "&apos;")
                .replace('\n', "&#10;")
                .replace('\t', "&#9;"),
        );
        push(
            secret
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;"),
        );
    }
    if secret.contains(['%', '\r', '\n']) {
        push(
            secret
                .replace('%', "%25")
                .replace('\r', "%0D")
                .replace('\n', "%0A"),
        );
    }
    forms
}

/// A multiply-rotate hash of a window (as the span hasher): windows are not keys anyone picks to
/// make a table slow, and SipHash would be most of the cost of masking a large report.
#[derive(Default)]
pub struct WindowHasher(u64);

impl std::hash::Hasher for WindowHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        secrets_in_text(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn secret_keys() {
        for k in [
            "password",
            "OSS_GLOBAL_PASSWORD",
            "PATRONI_SUPERUSER_PASSWORD",
            "clientSecret",
            "api_token",
            "apiKey",
            "privateKey",
            "secretKey",
            "secretAccessKey",
            "pasword",
            "passowrd",
            "passwrd",
            "redisPasswrod",
            "pwd",
            "pass",
            "authToken",
            "x-api-key",
            "dbpassword",
            "basicAuth",
        ] {
            assert!(is_secret_key(k), "{k}");
        }
        for k in [
            "existingSecret",
            "existingSecretPasswordKey",
            "usePassword",
            "usePasswordFile",
            "passwordFile",
            "refresh_tokens",
            "certificatesSecret",
            "tls",
            "addrs",
            "passive",
            "compass",
            "enableAuth",
            "keys",
            "token_endpoint_auth_method",
            "refreshTokenTtl",
            "password_hash_algorithm",
            "topologyKey",
        ] {
            assert!(!is_secret_key(k), "{k}");
        }
        assert!(is_key_material_key("key") && is_key_material_key("signingKey"));
        assert!(!is_key_material_key("certKeyFilename") && !is_key_material_key("apiKey"));
        assert!(
            looks_like_key_material("c2VjcmV0LWtleS1tYXRlcmlhbA==")
                && !looks_like_key_material("redis-password")
        );
    }

    #[test]
    fn secrets_inside_text() {
        let conf = "loadmodule /m/redisearch.so OSS_GLOBAL_PASSWORD s3cret\nmaxmemory 1gb\n";
        assert_eq!(found(conf), ["s3cret"]);
        assert_eq!(found("requirepass \"two words\"\n"), ["two words"]);
        assert_eq!(found("user default on >pw1 #abcdef ~* +@all"), ["pw1", "abcdef"]);
        assert_eq!(found("ACL SETUSER acp on >s3cr3t -@all"), ["s3cr3t"]);
        assert_eq!(
            found("OSS_GLOBAL_PASSWORD=pw REDIS_PASSWORD=x token=t1"),
            ["pw", "x", "t1"]
        );
        assert_eq!(found(r#"{"password": "pw", "b": {"password":"q"}}"#), ["pw", "q"]);
        assert_eq!(found(r#"args: ["--requirepass", "pw"]"#), ["pw"]);
        assert_eq!(found("redis-server --requirepass=pw --port 1"), ["pw"]);
        assert_eq!(found("redis-cli -a pw -h host"), ["pw"]);
        assert_eq!(found("AUTH user pw"), ["user pw"]);
        assert_eq!(found("redis_password: pw"), ["pw"]);
        assert_eq!(
            found("postgres://postgres:PaSsW0rD@timescaledb/postgres"),
            ["PaSsW0rD"]
        );
        assert_eq!(found("redis://u:p/a#s''s@host:1/0"), ["p/a#s''s"]);
        assert!(found("postgres://acp@cockroachdb-public:26257/db").is_empty());
        assert!(found("https://acp.local:8443/x").is_empty());
        assert!(found("addrs: redis-cluster-headless:6379").is_empty());
        assert!(found("a plain sentence about passwords").is_empty());
        let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n";
        assert_eq!(found(pem), ["\nMIIE\n"]);
        assert!(found("-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----").is_empty());
        assert_eq!(
            found("x ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str] y"),
            ["ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]"]
        );
    }

    /// `text` as a snippet shows it with `ranges` hidden.
    fn masked(text: &str, ranges: Vec<Range<usize>>) -> String {
        let mut source = super::super::source::Source::new(
            "t.yaml".into(),
            super::super::source::Origin::File,
            text.to_string(),
        );
        for r in ranges {
            source.redact(r);
        }
        source.redacted().text
    }

    #[test]
    fn comments_hold_secrets_too() {
        let text = "a: 1 # was: password: hunter22\nurl: \"x # password: no\"\n# requirepass old-one\n\
                    #  -----BEGIN RSA PRIVATE KEY-----\n#  MIIEkey\n#  -----END RSA PRIVATE KEY-----\n";
        assert_eq!(
            masked(text, secrets_in_comments(text)),
            "a: 1 # was: password: ***\nurl: \"x # password: no\"\n# requirepass ***\n\
             #  -----BEGIN RSA PRIVATE KEY-----\n#  ***\n#  -----END RSA PRIVATE KEY-----\n"
        );
    }

    #[test]
    fn secrets_in_unparsable_text() {
        let text = concat!(
            "redis-cluster:\n  password: \"abc\n   def\"\n  - OSS_GLOBAL_PASSWORD: s3cret\n  nodes: 6\n",
            "{\"password\": \"pw1\", \"password\": \"pw2\"}\n",
            "  apiKey: |\n    blockline1\n    blockline2\n  other: 1\n",
        );
        assert_eq!(
            masked(text, secrets_in_lines(text)),
            concat!(
                "redis-cluster:\n  password: ***\n   ***\"\n  - OSS_GLOBAL_PASSWORD: ***\n  nodes: 6\n",
                "{\"password\": ***\n",
                "  apiKey: ***\n    ***\n    ***\n  other: 1\n",
            )
        );
    }

    #[test]
    fn the_redactor_masks_whole_secrets_and_runs_of_eight() {
        let mut r = Redactor::default();
        r.add("Zebra-Secret-0042-Long-Long-Long-Long");
        r.add("abc");
        assert_eq!(r.masked("x Zebra-Secret-0042-Long-Long-Long-Long y"), "x *** y");
        // A server's cut echo, and a secret inside a longer word.
        assert_eq!(r.masked("'Zebra-Secr'"), "'***'");
        assert_eq!(
            r.masked("preZebra-Secret-0042-Long-Long-Long-Longpost"),
            "pre***post"
        );
        assert_eq!(r.masked("…ret-0042-Lo"), "…***");
        assert_eq!(r.masked("Zebra-Se"), "***");
        assert_eq!(r.masked("Zebra-S"), "Zebra-S");
        assert_eq!(r.masked("abcd"), "***d");
        // A short secret is masked whole, or where it begins: its words stay words.
        let mut r = Redactor::default();
        r.add("new-password");
        assert_eq!(r.masked("the password is new-password"), "the password is ***");
        assert_eq!(r.masked("'new-passw…' was cut"), "'***…' was cut");
        assert_eq!(r.masked("nothing here"), "nothing here");
        let mut r = Redactor::default();
        r.add("pa\"ss/wo~rd&<x>\t%");
        for form in [
            "pa\\\"ss/wo~rd&<x>\\t%",
            "pa\"ss~1wo~0rd&<x>\t%",
            "pa&quot;ss/wo~rd&amp;&lt;x&gt;&#9;%",
            "pa\"ss/wo~rd&<x>\t%25",
        ] {
            assert_eq!(r.masked(form), "***", "{form}");
        }
        // A PEM block's armour is not masked, its lines are, and lines are never joined.
        let mut r = Redactor::default();
        r.add("-----BEGIN PRIVATE KEY-----\nMIIEvZebraKeyMaterial0042\n-----END PRIVATE KEY-----");
        assert_eq!(
            r.masked("-----BEGIN CERTIFICATE-----\nMIIEvZebraKeyMaterial0042\nnext"),
            "-----BEGIN CERTIFICATE-----\n***\nnext"
        );
        // Multibyte characters are never cut.
        let mut r = Redactor::default();
        r.add("éééééééééééééééé");
        assert_eq!(r.masked("aééééb"), "a***b");
    }

    #[test]
    fn words_in_prose_are_no_commands() {
        for prose in [
            "# If the master is password protected (using the \"requirepass\" configuration",
            "# using the AUTH command. Otherwise",
            "# (the AUTH option) in",
            "# form: AUTH <password> as usual",
        ] {
            assert!(found(prose).is_empty(), "{prose}: {:?}", found(prose));
        }
        assert!(found("# is flagged as requiring no password: it means that every").is_empty());
        assert!(found("#   user <username> ... acl rules ...").is_empty());
        assert!(found("# AUTH command. Otherwise").is_empty());
        let conf = "  # AUTH command. Otherwise\n";
        assert!(secrets_in_comments(conf).is_empty());
        assert_eq!(found("# requirepass foobared"), ["foobared"]);
        assert_eq!(found("CONFIG SET requirepass s3cret"), ["s3cret"]);
        assert_eq!(found("(redis://h:6379, AUTH default pw)"), ["default pw"]);
    }

    #[test]
    fn references_to_secrets_are_no_secrets() {
        assert!(found("OSS_GLOBAL_PASSWORD ${REDIS_PASSWORD}").is_empty());
        assert!(found("requirepass <password>").is_empty());
        assert!(found("export REDISCLI_AUTH=\"$REDIS_PASSWORD\"").is_empty());
        assert!(found("password: {{ .Values.pw }}").is_empty());
        assert_eq!(found("requirepass ${A}x"), ["${A}x"]);
    }

    #[test]
    fn names_of_keys_are_no_secrets_to_mask_everywhere() {
        let mut r = Redactor::default();
        r.add("password");
        r.add("\"token\"");
        r.add("tls.key");
        assert!(r.is_empty());
        r.add("\"redispassword123\"");
        assert_eq!(
            r.masked("the password is redispassword123"),
            "the password is ***"
        );
        let mut r = Redactor::default();
        r.add("Zebra-Url-Password-1188");
        assert_eq!(
            r.masked("password-mismatch: Zebra-Url-Pa…"),
            "password-mismatch: ***…"
        );
    }

    #[test]
    fn only_what_a_sops_value_encrypts_is_masked_not_its_frame() {
        let mut r = Redactor::default();
        r.add("ENC[AES256_GCM,data:Zebra+Cipher+Text,iv:aXZpdml2aXZpdml2,tag:dGFndGFndGFn,type:int]");
        assert_eq!(
            r.masked("values encrypted with SOPS (`ENC[AES256_GCM,data:…]`): Zebra+Cipher+Text"),
            "values encrypted with SOPS (`ENC[AES256_GCM,data:…]`): ***"
        );
    }

    #[test]
    fn sops() {
        assert!(is_sops_ciphertext(
            "ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]"
        ));
        assert!(!is_sops_ciphertext("ENC[nope"));
    }

    #[test]
    fn free_text_is_masked_where_it_looks_secret() {
        assert_eq!(
            mask_free_text("OSS_GLOBAL_PASSWORD=hunter2 and redis-cli --pass hunter3"),
            "OSS_GLOBAL_PASSWORD=*** and redis-cli --pass ***"
        );
    }
}
