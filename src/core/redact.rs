//! What counts as a secret, and masking. Every place that reads user text asks here which parts of
//! it are secret (the sources record them), and every text that reaches a report from an input or a
//! server is masked with the [`Secrets`] read, so that no output format ever shows one.

use std::ops::Range;

use super::source::{Sources, MASK};

/// The secrets of a run (3 characters or more), longest first, so that a secret holding another
/// is masked whole.
#[derive(Clone, Debug, Default)]
pub struct Secrets(Vec<String>);

impl Secrets {
    /// The secrets marked in `sources`.
    pub fn of(sources: &Sources) -> Secrets {
        let mut secrets: Vec<String> = sources
            .iter()
            .flat_map(|(_, s)| s.redactions.iter().filter_map(|r| s.text.get(r.clone())))
            .filter(|s| s.len() >= 3)
            .map(str::to_string)
            .collect();
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        Secrets(secrets)
    }

    /// One more secret (a password the probe was given), in its place by length.
    pub fn add(&mut self, secret: &str) {
        if secret.len() < 3 || self.0.iter().any(|s| s == secret) {
            return;
        }
        let at = self.0.partition_point(|s| s.len() >= secret.len());
        self.0.insert(at, secret.to_string());
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Replaces every secret in `text` with `***`, as written and as escaped in a JSON pointer.
    pub fn mask(&self, text: &mut String) {
        for secret in &self.0 {
            if text.contains(secret.as_str()) {
                *text = text.replace(secret.as_str(), MASK);
            }
            if secret.contains(['~', '/']) {
                let escaped = secret.replace('~', "~0").replace('/', "~1");
                if text.contains(&escaped) {
                    *text = text.replace(&escaped, MASK);
                }
            }
        }
    }
}

/// True for a mapping key whose string value is a secret: `password`, `OSS_GLOBAL_PASSWORD`,
/// `PATRONI_SUPERUSER_PASSWORD`, `clientSecret`, `apiToken`… but not the names of the places a
/// secret is kept (`existingSecret`, `existingSecretPasswordKey`, `passwordFile`, `usePassword`).
pub fn is_secret_key(key: &str) -> bool {
    // The key's letters and digits, lowercased (on the stack: this runs for every key read).
    let mut buffer = [0u8; 64];
    let mut len = 0;
    for b in key.bytes().filter(u8::is_ascii_alphanumeric) {
        if len == buffer.len() {
            return is_secret_long_key(key);
        }
        buffer[len] = b.to_ascii_lowercase();
        len += 1;
    }
    is_secret_normalized(&buffer[..len])
}

#[cold]
fn is_secret_long_key(key: &str) -> bool {
    let k: Vec<u8> = key
        .bytes()
        .filter(u8::is_ascii_alphanumeric)
        .map(|b| b.to_ascii_lowercase())
        .collect();
    is_secret_normalized(&k)
}

/// [`is_secret_key`] of a key reduced to lowercase letters and digits.
fn is_secret_normalized(k: &[u8]) -> bool {
    // Most keys hold no secret word: one pass looks for one, by its first letter.
    let secret_word = (0..k.len()).any(|i| {
        let rest = &k[i..];
        let words: &[&[u8]] = match k[i] {
            b'p' => &[b"password", b"passwd", b"privatekey"],
            b's' => &[b"secret"],
            b't' => &[b"token"],
            b'a' => &[b"apikey"],
            b'c' => &[b"credential"],
            b'm' => &[b"masterauth"],
            b'r' => &[b"requirepass"],
            _ => return false,
        };
        words.iter().any(|w| rest.starts_with(w))
    });
    if !secret_word {
        return false;
    }
    let names_a_place = k.starts_with(b"existing")
        || k.starts_with(b"use")
        || [
            &b"key"[..],
            b"file",
            b"filename",
            b"path",
            b"name",
            b"ref",
            b"secretname",
            b"env",
            b"enabled",
        ]
        .iter()
        .any(|end| k.ends_with(end) && k != *end);
    if names_a_place {
        return false;
    }
    // `certificatesSecret`, `extraEnvVarsSecret`: the name of a Kubernetes Secret, not a secret.
    if k.ends_with(b"secret") && k != b"secret" && !k.starts_with(b"client") {
        return false;
    }
    // Plural mappings such as `refresh_tokens` or `secrets` hold settings, not a secret.
    !k.ends_with(b"tokens") && !k.ends_with(b"secrets")
}

/// A SOPS-encrypted leaf: `ENC[AES256_GCM,data:…,type:str]`.
pub fn is_sops_ciphertext(s: &str) -> bool {
    let s = s.trim();
    s.starts_with("ENC[") && s.ends_with(']') && s.contains("data:")
}

/// Byte ranges (relative to `text`) of secrets inside free text: the argument after
/// `OSS_GLOBAL_PASSWORD`, `requirepass` or `masterauth` in a redis.conf, the password of a URL
/// (`scheme://user:PASSWORD@host`), and PEM private key blocks.
pub fn secrets_in_text(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    // This runs for every string value read: look further only where a secret can be.
    let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    // A directive's argument follows a blank.
    let directive = bytes.len() > "masterauth ".len() && bytes.iter().any(|b| matches!(b, b' ' | b'\t'));
    let url = bytes.contains(&b':') && has(b"://");
    let pem = bytes.contains(&b'-') && has(b"-----BEGIN ");
    if !directive && !url && !pem {
        return out;
    }
    // One pass finds the directives (in any letter case) by their first letter.
    let mut i = 0;
    while directive && i < bytes.len() {
        let word: &[u8] = match bytes[i].to_ascii_lowercase() {
            b'o' => b"OSS_GLOBAL_PASSWORD",
            b'r' => b"requirepass",
            b'm' => b"masterauth",
            _ => {
                i += 1;
                continue;
            }
        };
        let found = bytes[i..]
            .get(..word.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(word));
        i += 1;
        if found {
            let start = i - 1 + word.len();
            i = start;
            let rest = &text[start..];
            let ws = rest.len() - rest.trim_start_matches([' ', '\t']).len();
            if ws == 0 {
                continue;
            }
            let arg_start = start + ws;
            let arg_len = text[arg_start..]
                .find(|c: char| c.is_whitespace())
                .unwrap_or(text.len() - arg_start);
            if arg_len > 0 {
                out.push(arg_start..arg_start + arg_len);
            }
        }
    }
    if !url && !pem {
        return out;
    }
    let mut from = 0;
    while let Some(i) = text[from..].find("://") {
        let auth_start = from + i + 3;
        from = auth_start;
        let authority_end = text[auth_start..]
            .find(|c: char| c == '/' || c == '?' || c == '#' || c.is_whitespace() || c == '"' || c == '\'')
            .map_or(text.len(), |e| auth_start + e);
        let authority = &text[auth_start..authority_end];
        if let Some(at) = authority.rfind('@') {
            if let Some(colon) = authority[..at].find(':') {
                if colon + 1 < at {
                    out.push(auth_start + colon + 1..auth_start + at);
                }
            }
        }
    }
    let mut from = 0;
    while let Some(i) = text[from..].find("-----BEGIN ") {
        let start = from + i;
        let header_end = text[start..].find('\n').map_or(text.len(), |e| start + e);
        if !text[start..header_end].contains("PRIVATE KEY") {
            from = header_end;
            continue;
        }
        let end = text[header_end..]
            .find("-----END ")
            .map(|e| header_end + e)
            .and_then(|e| text[e..].find("-----\n").map(|x| e + x + 5).or(Some(text.len())))
            .unwrap_or(text.len());
        out.push(start..end);
        from = end;
    }
    out
}

/// Secrets found line by line, for text that could not be parsed: the value after any `key:` whose key
/// is a secret's (to the end of the line, or the rest of a quoted string), plus [`secrets_in_text`].
pub fn secrets_in_lines(text: &str) -> Vec<Range<usize>> {
    let mut out = secrets_in_text(text);
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let trimmed = body.trim_start_matches([' ', '\t', '-']);
        if let Some(colon) = trimmed.find(':') {
            let key = trimmed[..colon].trim().trim_matches(['"', '\'']);
            if is_secret_key(key) {
                let value_start = body.len() - trimmed.len() + colon + 1;
                let value = &body[value_start..];
                let lead = value.len() - value.trim_start().len();
                if !value.trim().is_empty() {
                    out.push(at + value_start + lead..at + body.len());
                }
            }
        }
        at += line.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_keys() {
        for k in [
            "password",
            "OSS_GLOBAL_PASSWORD",
            "PATRONI_SUPERUSER_PASSWORD",
            "clientSecret",
            "api_token",
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
        ] {
            assert!(!is_secret_key(k), "{k}");
        }
    }

    #[test]
    fn secrets_inside_text() {
        let conf = "loadmodule /m/redisearch.so OSS_GLOBAL_PASSWORD s3cret\nmaxmemory 1gb\n";
        let r = secrets_in_text(conf);
        assert_eq!(r.iter().map(|r| &conf[r.clone()]).collect::<Vec<_>>(), ["s3cret"]);
        let url = "postgres://postgres:PaSsW0rD@timescaledb/postgres";
        let r = secrets_in_text(url);
        assert_eq!(&url[r[0].clone()], "PaSsW0rD");
        assert!(secrets_in_text("https://acp.local:8443/x").is_empty());
        let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n";
        assert_eq!(secrets_in_text(pem), vec![0..pem.len() - 1]);
    }

    #[test]
    fn secrets_in_unparsable_text() {
        let text = "redis-cluster:\n  password: \"abc\n  - OSS_GLOBAL_PASSWORD: s3cret\n  nodes: 6\n";
        let found: Vec<&str> = secrets_in_lines(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(found, ["\"abc", "s3cret"]);
    }

    #[test]
    fn sops() {
        assert!(is_sops_ciphertext(
            "ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]"
        ));
        assert!(!is_sops_ciphertext("ENC[nope"));
    }
}
