//! Replacing a file so that a crash, a kill or a full disk never leaves half of it: the new
//! bytes go to a temporary file beside it, are flushed to the disk, and only then renamed over
//! the old one (a rename within one folder is atomic), and the folder is flushed so the rename
//! itself survives a power cut. A reader therefore sees the old file or the new one, never a mix.
//!
//! Also: setting a damaged file aside (`name.corrupt`, `name.corrupt.2`, …) instead of
//! overwriting it, so a user's data that Earmark cannot read is kept for them to rescue.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically (see the module header), creating the folder if needed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    if !dir.as_os_str().is_empty() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = temp_path(path);
    let result = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)?;
        f.write_all(bytes)?;
        // On the disk before the rename makes it the real file.
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)?;
        sync_dir(dir);
        Ok(())
    })();
    if result.is_err() {
        // A full disk leaves a partial temporary file: it is not the user's data.
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Flushes a folder's entries (the rename) where the platform lets a folder be opened.
pub fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    }) {
        let _ = d.sync_all();
    }
}

/// Moves `path` aside to the first free `path.corrupt`, `path.corrupt.2`, … and returns where
/// it went.
pub fn set_aside(path: &Path) -> std::io::Result<PathBuf> {
    let mut n = 1u32;
    loop {
        let name = match n {
            1 => format!("{}.corrupt", file_name(path)),
            n => format!("{}.corrupt.{n}", file_name(path)),
        };
        let to = path.with_file_name(name);
        if !to.exists() {
            std::fs::rename(path, &to)?;
            if let Some(dir) = path.parent() {
                sync_dir(dir);
            }
            return Ok(to);
        }
        n += 1;
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into())
}

/// The temporary file beside `path` (hidden, and named after this process so two instances
/// never write the same one).
fn temp_path(path: &Path) -> PathBuf {
    path.with_file_name(format!(".{}.{}.tmp", file_name(path), std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().expect("temp dir");
        let p = dir.path().join("sub/notes.json");
        write_atomic(&p, b"one").expect("first write");
        write_atomic(&p, b"two").expect("second write");
        assert_eq!(std::fs::read(&p).expect("read"), b"two");
        let names: Vec<_> = std::fs::read_dir(p.parent().expect("parent"))
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("notes.json")]);
    }

    #[test]
    fn damaged_files_are_set_aside_under_new_names() {
        let dir = tempfile::tempdir().expect("temp dir");
        let p = dir.path().join("store.json");
        std::fs::write(&p, b"bad 1").expect("write");
        let a = set_aside(&p).expect("aside");
        std::fs::write(&p, b"bad 2").expect("write");
        let b = set_aside(&p).expect("aside");
        assert_eq!(a.file_name().expect("name"), "store.json.corrupt");
        assert_eq!(b.file_name().expect("name"), "store.json.corrupt.2");
        assert_eq!(std::fs::read(&a).expect("read"), b"bad 1");
        assert_eq!(std::fs::read(&b).expect("read"), b"bad 2");
        assert!(!p.exists());
    }

    #[test]
    fn a_folder_that_cannot_be_written_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().expect("temp dir");
        let blocker = dir.path().join("not-a-folder");
        std::fs::write(&blocker, b"x").expect("write");
        assert!(write_atomic(&blocker.join("notes.json"), b"x").is_err());
    }
}
