//! Reading files and standard input with bounds, and I/O errors in words. Every file acp-check
//! reads goes through here: values files, `-f` and `--set-file` files, the config file, the probe's
//! password and PEM files, and standard input (`-`, `explain -`).
//!
//! - Size: each kind of file has its cap ([`Limit`]): values files 32 MiB, config, password and PEM
//!   files 1 MiB. A reader stops one byte past the cap, so an endless device (`/dev/zero`) costs no
//!   more than that.
//! - Time: a regular file is read directly. Anything else named by a path (a named pipe, a
//!   character device such as a terminal or `/dev/stdin`) may never end, or never even open (a FIFO
//!   without a writer): it is opened and read on a thread of its own, and given up after [`WAIT`].
//!   A socket is refused at once. (The file is looked at with `stat` before it is opened: one
//!   swapped for a pipe between the two is not guarded.)
//! - Standard input has the size cap but no time bound: a pipe's writer may take its time
//!   (`kubectl get … | acp-check lint -`), and the user chose to wait for it.
//! - [`tail`] reads a stream of any length (`kubectl logs | acp-check explain -`) in constant memory,
//!   keeping only its last lines.
//! - [`with_overlay`]: while `--fix` and `--diff` work out their fixes, a values file reads as its
//!   fixed text, which is written (or shown) only at the end.

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, RwLock};
use std::time::Duration;

/// The most acp-check reads from one values file (or standard input).
pub const MAX_INPUT_BYTES: u64 = 32 * 1024 * 1024;
/// The most acp-check reads from a config, password or PEM file: each is a few KiB at most.
pub const MAX_SMALL_BYTES: u64 = 1024 * 1024;
/// The longest acp-check waits for a file that is not a regular file (a named pipe, a device) to
/// end.
pub const WAIT: Duration = Duration::from_secs(3);

/// A kind of file, and the most acp-check reads from one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub max: u64,
    /// The kind, as messages name it: "one file", "a config file".
    pub what: &'static str,
}

impl Limit {
    /// Values files, `-f` and `--set-file` files, standard input.
    pub const VALUES: Limit = Limit {
        max: MAX_INPUT_BYTES,
        what: "one file",
    };
    /// `.acp-check.toml` (`--config`, or found by walking up).
    pub const CONFIG: Limit = Limit {
        max: MAX_SMALL_BYTES,
        what: "a config file",
    };
    /// `--password-file`.
    pub const PASSWORD: Limit = Limit {
        max: MAX_SMALL_BYTES,
        what: "a password file",
    };
    /// `--tls-ca`, `--tls-cert`, `--tls-key` and the files the values' `redis.tls.*` name.
    pub const PEM: Limit = Limit {
        max: MAX_SMALL_BYTES,
        what: "a PEM file",
    };

    fn too_large(self) -> String {
        format!(
            "larger than {}, the most acp-check reads from {}",
            size(self.max),
            self.what
        )
    }
}

/// Why a file was not read.
#[derive(Debug)]
pub enum Failure {
    /// It could not be opened or read.
    Io(std::io::Error),
    /// It was refused: too large, no end in time, a socket. In words, without the file's name.
    Refused(String),
}

impl Failure {
    /// In words, without the file's name.
    pub fn reason(&self) -> String {
        match self {
            Failure::Io(e) => io_reason(e),
            Failure::Refused(why) => why.clone(),
        }
    }
}

/// Reads the file at `path`, bounded by `limit` (and, when it is not a regular file, by [`WAIT`]).
pub fn read_file(path: &Path, limit: Limit) -> Result<Vec<u8>, Failure> {
    // One load when no overlay is in place: every run but `--fix` and `--diff`.
    if OVERLAID.load(Ordering::Acquire) {
        let overlay = OVERLAY.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(bytes) = overlay.as_ref().and_then(|files| files.get(path)) {
            return Ok(bytes.clone());
        }
    }
    read_file_within(path, limit, WAIT)
}

/// Files that read as other bytes while [`with_overlay`] runs.
static OVERLAY: RwLock<Option<HashMap<PathBuf, Vec<u8>>>> = RwLock::new(None);
static OVERLAID: AtomicBool = AtomicBool::new(false);

/// Runs `f` with each file of `files` (by its path, as the run names it) reading as the bytes
/// given: the fixed texts, between one round of `--fix` and the next. Not for concurrent use: the
/// overlay is the process's.
pub fn with_overlay<T>(files: HashMap<PathBuf, Vec<u8>>, f: impl FnOnce() -> T) -> T {
    *OVERLAY.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(files);
    OVERLAID.store(true, Ordering::Release);
    let result = f();
    OVERLAID.store(false, Ordering::Release);
    *OVERLAY.write().unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    result
}

fn read_file_within(path: &Path, limit: Limit, wait: Duration) -> Result<Vec<u8>, Failure> {
    let meta = std::fs::metadata(path).map_err(Failure::Io)?;
    // A directory is opened too: reading it gives the error callers word ("is a directory").
    if meta.is_file() {
        let file = std::fs::File::open(path).map_err(Failure::Io)?;
        return read_regular(file, meta.len(), limit);
    }
    if meta.is_dir() {
        let file = std::fs::File::open(path).map_err(Failure::Io)?;
        return read_bounded(file, Some(meta.len()), limit);
    }
    let kind = kind_of(&meta.file_type());
    if kind == SOCKET {
        return Err(Failure::Refused(format!("is {kind}, not a file")));
    }
    // Opening a FIFO waits for a writer, and reading it (or a terminal) waits for data: both on a
    // thread of their own, given up after `wait` (the thread ends with the process).
    let (send, receive) = mpsc::channel();
    let owned = path.to_path_buf();
    let spawned = std::thread::Builder::new()
        .name("acp-check-read".into())
        .spawn(move || {
            let read = std::fs::File::open(&owned).and_then(|file| {
                let mut bytes = Vec::new();
                file.take(limit.max + 1).read_to_end(&mut bytes).map(|_| bytes)
            });
            let _ = send.send(read);
        });
    if let Err(e) = spawned {
        return Err(Failure::Io(e));
    }
    match receive.recv_timeout(wait) {
        Ok(Ok(bytes)) if bytes.len() as u64 > limit.max => Err(Failure::Refused(format!(
            "is {kind} that gave more than {}, the most acp-check reads from {}",
            size(limit.max),
            limit.what
        ))),
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(e)) => Err(Failure::Io(e)),
        Err(_) => Err(Failure::Refused(format!(
            "is {kind} that gave no end within {}",
            crate::core::text::human_duration(wait)
        ))),
    }
}

const SOCKET: &str = "a socket";

/// What a file that is not a regular file is, as a message names it.
#[cfg(unix)]
fn kind_of(kind: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "a named pipe (FIFO)"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_socket() {
        SOCKET
    } else {
        "not a regular file"
    }
}

#[cfg(not(unix))]
fn kind_of(_: &std::fs::FileType) -> &'static str {
    "not a regular file"
}

/// Reads standard input, bounded by `limit` in size (not in time: see the module's comment).
pub fn read_stdin(limit: Limit) -> Result<Vec<u8>, Failure> {
    read_bounded(std::io::stdin().lock(), None, limit)
}

/// Reads at most `limit.max` bytes (and one byte more, to tell a file over it). `size` is what the
/// file system says the file holds: with room for it, a file is read in two calls, not a dozen.
pub fn read_bounded(reader: impl Read, size: Option<u64>, limit: Limit) -> Result<Vec<u8>, Failure> {
    let room = size.map_or(0, |s| s.min(limit.max) as usize + 1);
    let mut bytes = Vec::with_capacity(room);
    reader
        .take(limit.max + 1)
        .read_to_end(&mut bytes)
        .map_err(Failure::Io)?;
    if bytes.len() as u64 > limit.max {
        return Err(Failure::Refused(limit.too_large()));
    }
    Ok(bytes)
}

/// Reads a regular file of `size` bytes (as the file system said), bounded as [`read_bounded`]
/// reads. A read that fills less than it asked for, once `size` bytes are in, is the end: a large
/// tree's files are read in one call each, without the call that would only say so.
fn read_regular(mut file: std::fs::File, size: u64, limit: Limit) -> Result<Vec<u8>, Failure> {
    let room = size.min(limit.max) as usize + 1;
    let mut bytes = vec![0; room];
    let mut filled = 0;
    loop {
        if filled == bytes.len() {
            // The file grew since it was measured: the rest, as any stream.
            bytes.truncate(filled);
            let rest = read_bounded((&mut file).take(limit.max + 1 - filled as u64), None, limit)?;
            bytes.extend(rest);
            filled = bytes.len();
            break;
        }
        match file.read(&mut bytes[filled..]) {
            Ok(0) => break,
            Ok(n) => {
                filled += n;
                if filled as u64 >= size && filled < bytes.len() {
                    break;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Failure::Io(e)),
        }
    }
    bytes.truncate(filled);
    if bytes.len() as u64 > limit.max {
        return Err(Failure::Refused(limit.too_large()));
    }
    Ok(bytes)
}

/// The last lines of a stream, at most about `max_bytes` of them, in memory bounded by twice that
/// whatever the stream holds: a line longer than `max_bytes` keeps only its start, and the rest of
/// it is skipped as it is read, never held. The stream is read to its end; one that never ends (a
/// `kubectl logs -f`) is read for ever, in that same memory.
pub fn tail(mut reader: impl BufRead, max_bytes: usize) -> std::io::Result<Vec<u8>> {
    let mut lines: VecDeque<Vec<u8>> = VecDeque::new();
    let mut kept = 0;
    let mut line = Vec::new();
    // The line being read reached `max_bytes`: the rest of it is skipped.
    let mut full = false;
    let mut keep = |line: Vec<u8>, lines: &mut VecDeque<Vec<u8>>| {
        kept += line.len();
        lines.push_back(line);
        while kept > max_bytes {
            kept -= lines.pop_front().map_or(0, |l| l.len());
        }
    };
    loop {
        let chunk = match reader.fill_buf() {
            Ok(chunk) => chunk,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            break;
        }
        let (part, ends) = match chunk.iter().position(|&b| b == b'\n') {
            Some(at) => (&chunk[..=at], true),
            None => (chunk, false),
        };
        if !full {
            let room = max_bytes - line.len();
            line.extend_from_slice(&part[..part.len().min(room)]);
            full = line.len() == max_bytes;
        }
        let used = part.len();
        reader.consume(used);
        if ends {
            keep(std::mem::take(&mut line), &mut lines);
            full = false;
        }
    }
    if !line.is_empty() {
        keep(line, &mut lines);
    }
    Ok(lines.into_iter().flatten().collect())
}

/// A size as messages give it: `32 MiB`, `1 MiB`, `512 KiB`.
fn size(bytes: u64) -> String {
    if bytes % (1024 * 1024) == 0 {
        format!("{} MiB", bytes / (1024 * 1024))
    } else if bytes % 1024 == 0 {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

/// An I/O error as a message says it.
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("acp-check-read-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    const SMALL: Limit = Limit {
        max: 8,
        what: "a small file",
    };

    #[test]
    fn a_file_measured_before_it_changed_is_read_as_it_is() {
        // The size is read before the file is opened: a file that grew or shrank in between is
        // read whole, as it is when read, and the cap still holds.
        let dir = scratch("changed");
        let path = dir.join("a");
        std::fs::write(&path, "123456").unwrap();
        let read = |size| read_regular(std::fs::File::open(&path).unwrap(), size, SMALL);
        for size in [0, 1, 3, 5, 6, 7, 100] {
            assert_eq!(read(size).unwrap(), b"123456", "measured as {size} bytes");
        }
        std::fs::write(&path, "123456789").unwrap();
        for size in [0, 4, 8, 9] {
            assert_eq!(
                read(size).unwrap_err().reason(),
                "larger than 8 bytes, the most acp-check reads from a small file",
                "measured as {size} bytes"
            );
        }
        std::fs::write(&path, "").unwrap();
        assert_eq!(read(0).unwrap(), b"");
        assert_eq!(read(5).unwrap(), b"");
    }

    #[test]
    fn a_regular_file_is_read_up_to_its_cap() {
        let dir = scratch("regular");
        let path = dir.join("a");
        std::fs::write(&path, "12345678").unwrap();
        assert_eq!(read_file(&path, SMALL).unwrap(), b"12345678");
        std::fs::write(&path, "123456789").unwrap();
        assert_eq!(
            read_file(&path, SMALL).unwrap_err().reason(),
            "larger than 8 bytes, the most acp-check reads from a small file"
        );
        assert_eq!(
            read_file(&dir.join("missing"), SMALL).unwrap_err().reason(),
            "no such file or directory"
        );
        match read_file(&dir, SMALL) {
            Err(Failure::Io(e)) => assert_eq!(e.kind(), std::io::ErrorKind::IsADirectory),
            other => panic!("{other:?}"),
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_endless_device_is_read_up_to_its_cap() {
        let error = read_file(Path::new("/dev/zero"), Limit::PASSWORD).unwrap_err();
        assert_eq!(
            error.reason(),
            "is a character device that gave more than 1 MiB, the most acp-check reads from a password file"
        );
        assert_eq!(read_file(Path::new("/dev/null"), SMALL).unwrap(), b"");
    }

    #[test]
    fn a_fifo_without_a_writer_is_given_up() {
        let dir = scratch("fifo");
        let fifo = |name: &str| {
            let path = dir.join(name);
            let made = std::process::Command::new("mkfifo").arg(&path).status().unwrap();
            assert!(made.success());
            path
        };
        // No writer: the thread waiting to open it stays behind, and ends with the process.
        let lonely = fifo("lonely");
        let error = read_file_within(&lonely, SMALL, Duration::from_millis(100)).unwrap_err();
        assert_eq!(
            error.reason(),
            "is a named pipe (FIFO) that gave no end within 100ms"
        );
        // With a writer that ends, it is read.
        let written = fifo("written");
        let writer = {
            let written = written.clone();
            std::thread::spawn(move || std::fs::write(written, "secret\n").unwrap())
        };
        let bytes = read_file_within(&written, SMALL, Duration::from_secs(60)).unwrap();
        writer.join().unwrap();
        assert_eq!(bytes, b"secret\n");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn tail_keeps_the_last_lines_in_bounded_memory() {
        let log = "one\ntwo\nthree\n";
        assert_eq!(tail(log.as_bytes(), 100).unwrap(), log.as_bytes());
        assert_eq!(tail(log.as_bytes(), 8).unwrap(), b"three\n");
        assert_eq!(tail(log.as_bytes(), 10).unwrap(), b"two\nthree\n");
        // A long line keeps its start; the last line needs no line feed.
        assert_eq!(tail(&b"abcdefghij"[..], 4).unwrap(), b"abcd");
        assert_eq!(tail(&b"abcdefghij\nxy"[..], 4).unwrap(), b"xy");
        assert_eq!(tail(&b"ab\ncdefghij"[..], 6).unwrap(), b"cdefgh");
        // Read a byte at a time, the same.
        let slow = std::io::BufReader::with_capacity(1, &b"abcdefghij\nxy\n"[..]);
        assert_eq!(tail(slow, 7).unwrap(), b"xy\n");
        let slow = std::io::BufReader::with_capacity(1, &b"abc\nde"[..]);
        assert_eq!(tail(slow, 100).unwrap(), b"abc\nde");
    }
}
