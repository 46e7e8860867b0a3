//! Which cut a participant has: a session only runs when everyone's copy is the same file
//! (SHA-256 of every byte, as the delivery portal's checksum is) and says plainly whose copy
//! differs and how when not. Nothing but these numbers ever leaves the machine.

use serde::{Deserialize, Serialize};

/// A copy of the review file, as told to the other participants.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileIdentity {
    /// SHA-256 of the whole file, 64 hex digits.
    pub sha256: String,
    pub bytes: u64,
    /// Pictures in the file and their rate (num/den per second).
    pub frames: u64,
    pub rate_num: i64,
    pub rate_den: i64,
    /// The source timecode of the first frame, as the file labels it.
    pub start: String,
}

impl FileIdentity {
    /// Length in nanoseconds.
    fn length_ns(&self) -> i128 {
        if self.rate_num <= 0 {
            return 0;
        }
        self.frames as i128 * self.rate_den as i128 * 1_000_000_000 / self.rate_num as i128
    }

    fn rate_label(&self) -> String {
        if self.rate_den <= 0 {
            return "?".into();
        }
        let fps = self.rate_num as f64 / self.rate_den as f64;
        if (fps - fps.round()).abs() < 1e-9 {
            format!("{fps:.0} fps")
        } else {
            format!("{fps:.3} fps")
        }
    }

    /// `None` when `theirs` is the same file as `self` (ours); otherwise why not, in words
    /// naming `who` ("Sam's copy is 2 s longer — a different cut").
    pub fn differs(&self, theirs: &FileIdentity, who: &str) -> Option<String> {
        if self.sha256 == theirs.sha256 && self.bytes == theirs.bytes {
            return None;
        }
        let copy = format!("{who}'s copy");
        if (self.rate_num, self.rate_den) != (theirs.rate_num, theirs.rate_den)
            && self.rate_num as i128 * theirs.rate_den as i128
                != theirs.rate_num as i128 * self.rate_den as i128
        {
            return Some(format!(
                "{copy} runs at {}, this one at {} — a different export",
                theirs.rate_label(),
                self.rate_label()
            ));
        }
        if self.start != theirs.start {
            return Some(format!(
                "{copy} starts at {}, this one at {} — a different cut or export",
                theirs.start, self.start
            ));
        }
        let (mine, other) = (self.length_ns(), theirs.length_ns());
        if self.frames != theirs.frames {
            let diff = (other - mine).unsigned_abs();
            let word = if other > mine { "longer" } else { "shorter" };
            let amount = if diff >= 1_000_000_000 {
                format!("{} s", (diff + 500_000_000) / 1_000_000_000)
            } else {
                let n = self.frames.abs_diff(theirs.frames);
                format!("{n} frame{}", if n == 1 { "" } else { "s" })
            };
            return Some(format!("{copy} is {amount} {word} — a different cut"));
        }
        Some(format!(
            "{copy} has the same length and start but different content (SHA-256 {}… against \
             {}…) — another mix or export of this cut",
            &theirs.sha256.get(..12).unwrap_or(&theirs.sha256),
            &self.sha256.get(..12).unwrap_or(&self.sha256)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(frames: u64) -> FileIdentity {
        FileIdentity {
            sha256: format!("{frames:064x}"),
            bytes: frames * 1000,
            frames,
            rate_num: 24_000,
            rate_den: 1001,
            start: "01:00:00:00".into(),
        }
    }

    #[test]
    fn the_same_file_runs_and_every_difference_is_told_by_name() {
        let mine = cut(1440);
        assert_eq!(mine.differs(&mine.clone(), "Sam"), None);
        assert_eq!(
            mine.differs(&cut(1440 + 48), "Sam").as_deref(),
            Some("Sam's copy is 2 s longer — a different cut")
        );
        assert_eq!(
            mine.differs(&cut(1439), "Léa").as_deref(),
            Some("Léa's copy is 1 frame shorter — a different cut")
        );
        let other_start = FileIdentity {
            start: "00:59:58:00".into(),
            sha256: "cd".repeat(32),
            ..cut(1440)
        };
        assert_eq!(
            mine.differs(&other_start, "美咲").as_deref(),
            Some(
                "美咲's copy starts at 00:59:58:00, this one at 01:00:00:00 — a different cut or export"
            )
        );
        let pal = FileIdentity {
            rate_num: 25,
            rate_den: 1,
            sha256: "ef".repeat(32),
            ..cut(1440)
        };
        assert_eq!(
            mine.differs(&pal, "Sam").as_deref(),
            Some("Sam's copy runs at 25 fps, this one at 23.976 fps — a different export")
        );
        let remix = FileIdentity {
            sha256: "ab".repeat(32),
            ..cut(1440)
        };
        let why = mine.differs(&remix, "Sam").expect("differs");
        assert!(
            why.contains("same length and start but different content"),
            "{why}"
        );
    }
}
