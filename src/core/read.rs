//! Reading files and standard input with a bound on their size, and I/O errors in words.

use std::io::Read;

use super::Fatal;

/// The most acp-check reads from one file (or standard input).
pub const MAX_INPUT_BYTES: u64 = 32 * 1024 * 1024;

/// Reads at most [`MAX_INPUT_BYTES`] (and one byte more, to tell a file over it). `size` is what the
/// file system says the file holds: with room for it, a file is read in two calls, not a dozen.
pub fn read_bounded(reader: impl Read, size: Option<u64>, name: &str) -> Result<Vec<u8>, Fatal> {
    let room = size.map_or(0, |s| s.min(MAX_INPUT_BYTES) as usize + 1);
    let mut bytes = Vec::with_capacity(room);
    reader
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Fatal(format!("{name}: {}", io_reason(&e))))?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(Fatal(format!(
            "{name}: larger than {} MiB, the most acp-check reads from one file",
            MAX_INPUT_BYTES / (1024 * 1024)
        )));
    }
    Ok(bytes)
}

/// An I/O error as a message says it.
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}
