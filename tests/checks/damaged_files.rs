//! Damaged real files: a review QuickTime cut at many points, or with bytes overwritten in its
//! header or its media data, must give an error that names the file or a picture — never a panic.

use crate::common;

use common::{Rng, fixture};
use earmark::media::{Container, MediaError};
use earmark::video::FrameReader;

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).expect("write");
    p
}

#[test]
fn truncation_at_any_point_is_reported_as_such() {
    let original = std::fs::read(fixture("f24_720_g12_nob.mov")).expect("read");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut rng = Rng::new(11);
    let mut cuts: Vec<usize> = (0..60)
        .map(|_| rng.below(original.len() as u64) as usize)
        .collect();
    cuts.extend([1, 7, 8, 16, 100, original.len() - 1]);
    for cut in cuts {
        let path = write(&dir, &format!("cut{cut}.mov"), &original[..cut]);
        match Container::open(&path) {
            Ok(_) => panic!(
                "a file cut at byte {cut} of {} opened as if whole",
                original.len()
            ),
            Err(e) => {
                let msg = e.to_string();
                assert!(
                    msg.contains(&format!("cut{cut}.mov")),
                    "message does not name the file: {msg}"
                );
                assert!(
                    matches!(
                        e,
                        MediaError::Truncated { .. }
                            | MediaError::NotMedia { .. }
                            | MediaError::Atoms { .. }
                    ),
                    "cut at {cut}: unexpected {msg}"
                );
            }
        }
    }
}

#[test]
fn overwritten_bytes_never_panic() {
    let original = std::fs::read(fixture("f24_720_g12_nob.mov")).expect("read");
    let moov = original
        .windows(4)
        .position(|w| w == b"moov")
        .expect("moov")
        - 4;
    let mdat = original
        .windows(4)
        .position(|w| w == b"mdat")
        .expect("mdat")
        - 4;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut rng = Rng::new(23);
    for round in 0..60 {
        let mut bytes = original.clone();
        // Half the rounds hit the header (atom tree, sample tables), half the media data.
        let (from, to) = if round % 2 == 0 {
            (moov, mdat)
        } else {
            (mdat + 8, bytes.len())
        };
        for _ in 0..1 + rng.below(8) {
            let at = from + rng.below((to - from) as u64) as usize;
            bytes[at] = rng.below(256) as u8;
        }
        let path = write(&dir, &format!("flip{round}.mov"), &bytes);
        match FrameReader::open(&path) {
            Ok(mut reader) => {
                for _ in 0..4 {
                    let n = rng.below(reader.frame_count());
                    if let Err(e) = reader.rgba(n) {
                        assert!(e.to_string().contains(&format!("flip{round}.mov")), "{e}");
                    }
                }
            }
            Err(e) => assert!(e.to_string().contains(&format!("flip{round}.mov")), "{e}"),
        }
    }
}
