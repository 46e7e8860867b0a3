//! Naming a media file by what it holds, not where it is: the key its notes and analysis caches
//! are stored under, so a renamed, moved or copied file finds them again and a re-export (new
//! content) does not. A SHA-256 over the file's size and three 1 MiB samples (start, middle,
//! end) tells review files apart in milliseconds even at 20 GB; the full-file SHA-256 for
//! reports and the access log is [`file_sha256`]. This module is the only user of `sha2`.

use sha2::{Digest, Sha256};
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// Bytes read at each of the three sample points.
const SAMPLE: u64 = 1 << 20;

/// The content key of `path`, 64 hex digits, salted with `salt` (so a cache whose numbers
/// change with the code can start afresh by changing its salt).
pub fn content_id(path: &Path, salt: &str) -> std::io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let len = f.metadata()?.len();
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update(len.to_le_bytes());
    let mut buf = vec![0u8; SAMPLE as usize];
    for at in [
        0,
        len.saturating_sub(SAMPLE) / 2,
        len.saturating_sub(SAMPLE),
    ] {
        f.seek(SeekFrom::Start(at))?;
        let got = read_up_to(&mut f, &mut buf)?;
        h.update(&buf[..got]);
    }
    Ok(hex(&h.finalize()))
}

/// Salt of [`content_key`]; it is the whole-file loudness scan's version. Bump it when the
/// scan's numbers would change, so old cache entries are not trusted (the sound choices the
/// window remembers per file are keyed the same way and would be forgotten with them).
pub const CONTENT_KEY_SALT: &str = "earmark-loudness-3";

/// The key the loudness cache (`analysis::ScanJob`) and the window's per-file sound choice are
/// stored under, and by which "review complete" finds the cache entry to delete.
pub fn content_key(path: &Path) -> std::io::Result<String> {
    content_id(path, CONTENT_KEY_SALT)
}

/// Where the whole-file loudness cache lives (`…/earmark/loudness/<content key>.json` in the
/// user cache folder); `None` if the system has no home.
pub fn loudness_cache_dir() -> Option<std::path::PathBuf> {
    directories::ProjectDirs::from("", "", "earmark").map(|d| d.cache_dir().join("loudness"))
}

/// SHA-256 of the whole file, 64 hex digits.
pub fn file_sha256(path: &Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = read_up_to(&mut f, &mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex(&h.finalize()))
}

fn read_up_to(f: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match f.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_content_same_key_anywhere_and_salts_differ() {
        let dir = tempfile::tempdir().expect("temp dir");
        let a = dir.path().join("a.mov");
        let b = dir.path().join("moved/b.mov");
        let data: Vec<u8> = (0..3_500_000u32).map(|i| (i * 7 % 251) as u8).collect();
        std::fs::write(&a, &data).expect("write");
        std::fs::create_dir_all(b.parent().expect("parent")).expect("dir");
        std::fs::write(&b, &data).expect("write");
        assert_eq!(
            content_id(&a, "x").expect("a"),
            content_id(&b, "x").expect("b")
        );
        assert_ne!(
            content_id(&a, "x").expect("a"),
            content_id(&a, "y").expect("a")
        );
        let mut changed = data.clone();
        changed[1_749_000] ^= 1; // inside the middle sample
        std::fs::write(&b, &changed).expect("write");
        assert_ne!(
            content_id(&a, "x").expect("a"),
            content_id(&b, "x").expect("b")
        );
    }

    #[test]
    fn whole_file_hash_matches_the_known_value() {
        let dir = tempfile::tempdir().expect("temp dir");
        let p = dir.path().join("abc");
        std::fs::write(&p, b"abc").expect("write");
        assert_eq!(
            file_sha256(&p).expect("hash"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
