//! Replacing a file with its fixed text: atomically (a temporary file in the same directory,
//! renamed over it), with its permissions, and only when it still holds what was read. A file
//! reached through a symbolic link, or with other hard links, is refused: writing it would change
//! a file elsewhere, or leave its other names with the old text.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// Replaces the file at `path`, which held `expected` when it was read, with `new`. The error is
/// in words, without the file's name.
pub fn replace(path: &Path, expected: &[u8], new: &[u8]) -> Result<(), String> {
    if let Some(link) = link_on_the_way(path) {
        return Err(if link == path {
            "is a symbolic link: acp-check does not write through one".into()
        } else {
            format!(
                "is reached through a symbolic link ({}): acp-check does not write through one",
                link.display()
            )
        });
    }
    let meta = std::fs::metadata(path).map_err(|e| crate::core::read::io_reason(&e))?;
    if !meta.is_file() {
        return Err("is not a regular file".into());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.nlink() > 1 {
            return Err("has other hard links: replacing it would leave them with the old text".into());
        }
    }
    let now = std::fs::read(path).map_err(|e| crate::core::read::io_reason(&e))?;
    if now != expected {
        return Err("changed since acp-check read it: run acp-check again".into());
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (temp, mut file) = temp_file(&dir, &name)?;
    let written = file
        .write_all(new)
        .and_then(|_| file.sync_all())
        .and_then(|_| std::fs::set_permissions(&temp, meta.permissions()))
        .and_then(|_| std::fs::rename(&temp, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(crate::core::read::io_reason(&e));
    }
    Ok(())
}

/// A new file beside the one replaced, created so that no other file is overwritten.
fn temp_file(dir: &Path, name: &str) -> Result<(PathBuf, std::fs::File), String> {
    for n in 0..100 {
        let temp = dir.join(format!(".{name}.acp-check-{}-{n}.tmp", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
        {
            Ok(file) => return Ok((temp, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(crate::core::read::io_reason(&e)),
        }
    }
    Err("no temporary file could be made beside it".into())
}

/// The first symbolic link among the path's own components, the file included (the working
/// directory a relative path starts from is not looked at).
fn link_on_the_way(path: &Path) -> Option<PathBuf> {
    let mut at = PathBuf::new();
    for component in path.components() {
        at.push(component);
        if matches!(component, Component::Normal(_)) {
            let is_link = std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink());
            if is_link {
                return Some(at);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("acp-check-write-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_file_is_replaced_with_its_permissions_and_nothing_left_beside_it() {
        let dir = dir("replace");
        let path = dir.join("values.yaml");
        std::fs::write(&path, "a: yes\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        }
        replace(&path, b"a: yes\n", b"a: \"yes\"\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a: \"yes\"\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o640
            );
        }
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        // Changed since it was read: left alone.
        let refused = replace(&path, b"a: yes\n", b"b: 1\n").unwrap_err();
        assert!(refused.contains("changed since"), "{refused}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a: \"yes\"\n");
    }

    #[cfg(unix)]
    #[test]
    fn links_are_never_written_through() {
        let dir = dir("links");
        let target = dir.join("target.yaml");
        std::fs::write(&target, "a: yes\n").unwrap();
        let link = dir.join("link.yaml");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(replace(&link, b"a: yes\n", b"x")
            .unwrap_err()
            .contains("symbolic link"));
        std::fs::create_dir_all(dir.join("real")).unwrap();
        std::fs::write(dir.join("real/v.yaml"), "a: yes\n").unwrap();
        std::os::unix::fs::symlink(dir.join("real"), dir.join("linked")).unwrap();
        let through = replace(&dir.join("linked/v.yaml"), b"a: yes\n", b"x").unwrap_err();
        assert!(through.contains("through a symbolic link"), "{through}");
        std::fs::hard_link(&target, dir.join("hard.yaml")).unwrap();
        assert!(replace(&target, b"a: yes\n", b"x")
            .unwrap_err()
            .contains("hard links"));
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "a: yes\n");
    }
}
