//! `--format FORMAT[=PATH]` and `--output PATH`: which reports one run writes, and where. Every report
//! is made from the same findings; the linting is done once.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use super::checkstyle::Checkstyle;
use super::concise::Concise;
use super::gitlab::Gitlab;
use super::rdjson::Rdjson;
use super::statistics::Statistics;
use super::{github::Github, human::Human, json::Json, junit::Junit, sarif::Sarif};
use super::{Report, Reporter};
use crate::core::Fatal;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Concise,
    Json,
    Sarif,
    Junit,
    Github,
    Gitlab,
    Rdjson,
    Checkstyle,
}

impl Format {
    /// Every format with its name, as `--format` takes it.
    pub const ALL: [(&'static str, Format); 9] = [
        ("human", Format::Human),
        ("concise", Format::Concise),
        ("json", Format::Json),
        ("sarif", Format::Sarif),
        ("junit", Format::Junit),
        ("github", Format::Github),
        ("gitlab", Format::Gitlab),
        ("rdjson", Format::Rdjson),
        ("checkstyle", Format::Checkstyle),
    ];
}

/// One `--format`: a format, and the file it goes to (standard output or `--output` without one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatSpec {
    pub format: Format,
    pub path: Option<PathBuf>,
}

/// Where each report goes (`None`: standard output). The `--format` without a path goes to
/// `--output` or standard output (human when there is none); each `FORMAT=PATH` to its file. Under
/// GitHub Actions (`GITHUB_ACTIONS=true`) the default report is followed by annotations on standard
/// output.
pub fn destinations<'a>(
    formats: &'a [FormatSpec],
    output: Option<&'a Path>,
    github_actions: bool,
) -> Result<Vec<(Format, Option<&'a Path>)>, Fatal> {
    let mut main: Vec<Format> = formats
        .iter()
        .filter(|s| s.path.is_none())
        .map(|s| s.format)
        .collect();
    if main.len() > 1 {
        return Err(Fatal(
            "only one --format can go to standard output (or --output); give the others a file, as in --format junit=junit.xml"
                .into(),
        ));
    }
    let default = main.is_empty();
    let mut outputs = vec![(main.pop().unwrap_or(Format::Human), output)];
    outputs.extend(
        formats
            .iter()
            .filter_map(|s| Some((s.format, Some(s.path.as_deref()?)))),
    );
    if default && github_actions {
        outputs.push((Format::Github, None));
    }
    for (i, (_, path)) in outputs.iter().enumerate() {
        if let Some(path) = path.filter(|p| outputs[..i].iter().any(|(_, q)| *q == Some(*p))) {
            return Err(Fatal(format!("{} is named for two reports", path.display())));
        }
    }
    Ok(outputs)
}

/// Refuses report paths (`--format FORMAT=PATH`, `--output PATH`) that are files the run read
/// (`inputs`: the values files named or found by a directory search, `-f` files, the config file…):
/// `--format json=values.yaml` would replace the values with the report. A path is the same file
/// when it is the same device and inode (a link, another spelling), or canonicalizes to the same
/// path; a report path that does not exist yet is no input. Costs nothing when no report path
/// exists.
pub fn refuse_inputs(
    formats: &[FormatSpec],
    output: Option<&Path>,
    inputs: impl IntoIterator<Item = PathBuf>,
) -> Result<(), Fatal> {
    let reports: Vec<(&Path, FileId)> = formats
        .iter()
        .filter_map(|s| s.path.as_deref())
        .chain(output)
        .filter_map(|path| Some((path, FileId::of(path)?)))
        .collect();
    if reports.is_empty() {
        return Ok(());
    }
    for input in inputs {
        let Some(id) = FileId::of(&input) else { continue };
        if let Some((report, _)) = reports.iter().find(|(_, r)| r.same(&id)) {
            return Err(Fatal(format!(
                "{}: is also an input of this run ({}): acp-check does not write a report over it; \
                 give the report another path",
                report.display(),
                input.display()
            )));
        }
    }
    Ok(())
}

/// What tells two paths of one file apart from two files.
struct FileId {
    #[cfg(unix)]
    device_inode: (u64, u64),
    canonical: Option<PathBuf>,
}

impl FileId {
    /// `None` when there is no such file.
    fn of(path: &Path) -> Option<FileId> {
        // Only a regular file is spoiled by a report: writing to `/dev/null` or a pipe that is
        // also read harms nothing.
        let meta = std::fs::metadata(path).ok().filter(|m| m.is_file())?;
        #[cfg(not(unix))]
        let _ = meta;
        Some(FileId {
            #[cfg(unix)]
            device_inode: {
                use std::os::unix::fs::MetadataExt;
                (meta.dev(), meta.ino())
            },
            canonical: std::fs::canonicalize(path).ok(),
        })
    }

    fn same(&self, other: &FileId) -> bool {
        #[cfg(unix)]
        if self.device_inode == other.device_inode {
            return true;
        }
        self.canonical.is_some() && self.canonical == other.canonical
    }
}

/// Writes every report asked for: the files, then standard output. With `statistics`, the report
/// of standard output (or `--output`) is the count of findings by rule instead (as JSON when that
/// report's format is JSON). Each report is written as it is made, through a buffer: a large
/// run's report is never held whole in memory.
pub fn write(
    report: &Report,
    formats: &[FormatSpec],
    output: Option<&Path>,
    statistics: bool,
) -> Result<(), Fatal> {
    let github_actions = std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true");
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let reporter = |i: usize, format: Format, path: Option<&Path>| -> Box<dyn Reporter> {
        match format {
            // The first destination is standard output's report (or `--output`'s).
            _ if statistics && i == 0 => Box::new(Statistics {
                json: format == Format::Json,
            }),
            Format::Human => Box::new(Human {
                color: path.is_none() && std::io::stdout().is_terminal() && !no_color,
                width: 100,
            }),
            Format::Json => Box::new(Json),
            Format::Sarif => Box::new(Sarif),
            Format::Junit => Box::new(Junit),
            Format::Github => Box::new(Github),
            Format::Concise => Box::new(Concise),
            Format::Gitlab => Box::new(Gitlab),
            Format::Rdjson => Box::new(Rdjson),
            Format::Checkstyle => Box::new(Checkstyle),
        }
    };
    let destinations = destinations(formats, output, github_actions)?;
    for (i, &(format, path)) in destinations.iter().enumerate() {
        let Some(path) = path else { continue };
        let failed =
            |e: std::io::Error| Fatal(format!("writing the report to {}: {}", path.display(), words(&e)));
        let file = std::fs::File::create(path).map_err(failed)?;
        let mut out = std::io::BufWriter::with_capacity(WRITE_BUFFER, file);
        reporter(i, format, Some(path))
            .report(report, &mut out)
            .and_then(|()| out.flush())
            .map_err(failed)?;
    }
    let mut out = StdoutWriter::new();
    for (i, &(format, path)) in destinations.iter().enumerate() {
        if path.is_none() {
            reporter(i, format, None)
                .report(report, &mut out)
                .map_err(|e| Fatal(format!("writing to standard output: {}", words(&e))))?;
        }
    }
    out.flush()
        .map_err(|e| Fatal(format!("writing to standard output: {}", words(&e))))
}

/// The size of the buffer reports are written through.
const WRITE_BUFFER: usize = 256 << 10;

/// Standard output, buffered, as [`to_stdout`] writes it: a reader that closed the pipe early
/// takes no more, and that is no error.
struct StdoutWriter {
    out: std::io::BufWriter<std::io::StdoutLock<'static>>,
    closed: bool,
}

impl StdoutWriter {
    fn new() -> StdoutWriter {
        StdoutWriter {
            out: std::io::BufWriter::with_capacity(WRITE_BUFFER, std::io::stdout().lock()),
            closed: false,
        }
    }

    fn closed(&mut self, result: std::io::Result<()>) -> std::io::Result<()> {
        match result {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            other => other,
        }
    }
}

impl Write for StdoutWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.write_all(bytes).map(|()| bytes.len())
    }

    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let written = self.out.write_all(bytes);
        self.closed(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let flushed = self.out.flush();
        self.closed(flushed)
    }
}

/// Writes `bytes` to standard output, for every command. A reader that closed the pipe early
/// (`acp-check … | head`) is no error of ours: the rest is dropped silently, and the run ends with
/// the exit code of what it found. Any other failure to write (`> /dev/full`, a full disk, an I/O
/// error) is: exit 2, with the reason. The two are told apart by the error of the write: Rust
/// ignores SIGPIPE, so a write to a closed pipe returns EPIPE (`BrokenPipe`) instead of killing the
/// process, and a full disk returns ENOSPC.
pub fn to_stdout(bytes: &[u8]) -> Result<(), Fatal> {
    let mut out = StdoutWriter::new();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| Fatal(format!("writing to standard output: {}", words(&e))))
}

/// An I/O error in words, without Rust's "(os error N)".
fn words(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(format: Format, path: Option<&str>) -> FormatSpec {
        FormatSpec {
            format,
            path: path.map(PathBuf::from),
        }
    }

    #[test]
    fn the_destinations_put_one_report_on_standard_output_and_the_rest_in_files() {
        let formats = [
            spec(Format::Sarif, Some("a.sarif")),
            spec(Format::Junit, Some("j.xml")),
        ];
        assert_eq!(
            destinations(&formats, None, false).unwrap(),
            [
                (Format::Human, None),
                (Format::Sarif, Some(Path::new("a.sarif"))),
                (Format::Junit, Some(Path::new("j.xml")))
            ]
        );
        // Under GitHub Actions the default report comes with annotations; a chosen one does not.
        assert_eq!(
            destinations(&formats[..1], Some(Path::new("h.txt")), true).unwrap(),
            [
                (Format::Human, Some(Path::new("h.txt"))),
                (Format::Sarif, Some(Path::new("a.sarif"))),
                (Format::Github, None)
            ]
        );
        assert_eq!(
            destinations(&[spec(Format::Json, None)], None, true).unwrap(),
            [(Format::Json, None)]
        );
        assert!(destinations(
            &[spec(Format::Json, None), spec(Format::Sarif, None)],
            None,
            false
        )
        .is_err());
        assert!(destinations(&formats[..1], Some(Path::new("a.sarif")), false).is_err());
    }
}
