//! A file seen through a window, with a few bytes replaced: how symphonia's readers are handed
//! files they would not take as they are.
//!
//! Symphonia reads classic `RIFF` WAV but not `RF64`/`BW64`, whose layout is the same apart from
//! the marker and the sizes (kept in a `ds64` chunk). Shown `RIFF` instead of `RF64` and "size
//! unknown" in the `data` header, its WAV reader reads the sound as far as the stream goes — so
//! the window ends where the sound ends (chunks after it are not mistaken for samples), followed
//! by one packet's worth of zeros so the reader's last fixed-size read is whole; the decoder trims
//! at the true length. The same window skips an ID3v2 tag in front of a FLAC stream.

use std::io::{self, Read, Seek, SeekFrom};
use symphonia::core::io::MediaSource;

/// `inner[base .. base + len]`, then `pad` zero bytes, with `patches` laid over it (offsets are
/// in the window).
pub struct PatchedSource<R> {
    inner: R,
    base: u64,
    len: u64,
    pad: u64,
    patches: Vec<(u64, Vec<u8>)>,
    /// Position in the window.
    pos: u64,
    /// Whether `inner` is positioned at `base + pos`.
    synced: bool,
}

impl<R: Read + Seek> PatchedSource<R> {
    /// A window of `len` bytes of `inner` starting at `base`, then `pad` zeros.
    pub fn new(inner: R, base: u64, len: u64, pad: u64) -> Self {
        Self {
            inner,
            base,
            len,
            pad,
            patches: Vec::new(),
            pos: 0,
            synced: false,
        }
    }

    /// Shows `bytes` at window offset `at` instead of what the file holds there.
    pub fn patch(mut self, at: u64, bytes: &[u8]) -> Self {
        self.patches.push((at, bytes.to_vec()));
        self
    }

    fn total(&self) -> u64 {
        self.len.saturating_add(self.pad)
    }
}

impl<R: Read + Seek> Read for PatchedSource<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let start = self.pos;
        let n = if start < self.len {
            if !self.synced {
                self.inner.seek(SeekFrom::Start(self.base + start))?;
                self.synced = true;
            }
            let want = buf
                .len()
                .min(usize::try_from(self.len - start).unwrap_or(usize::MAX));
            let got = self.inner.read(&mut buf[..want])?;
            if got == 0 && want > 0 {
                // The file is shorter than the window: it shrank after the walk that sized it.
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "file ended inside the sound data",
                ));
            }
            got
        } else if start < self.total() {
            let n = buf
                .len()
                .min(usize::try_from(self.total() - start).unwrap_or(usize::MAX));
            buf[..n].fill(0);
            n
        } else {
            0
        };
        let end = start + n as u64;
        for (at, bytes) in &self.patches {
            let (p_start, p_end) = (*at, at + bytes.len() as u64);
            let (from, to) = (p_start.max(start), p_end.min(end));
            if from < to {
                let dst = (from - start) as usize..(to - start) as usize;
                let src = (from - p_start) as usize..(to - p_start) as usize;
                buf[dst].copy_from_slice(&bytes[src]);
            }
        }
        self.pos = end;
        Ok(n)
    }
}

impl<R: Read + Seek> Seek for PatchedSource<R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.total().checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        let Some(target) = target else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek before the start of the file",
            ));
        };
        if target != self.pos {
            self.synced = false;
        }
        self.pos = target;
        Ok(target)
    }
}

impl<R: Read + Seek + Send + Sync> MediaSource for PatchedSource<R> {
    fn is_seekable(&self) -> bool {
        true
    }

    fn byte_len(&self) -> Option<u64> {
        Some(self.total())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn all<R: Read>(mut r: R) -> Vec<u8> {
        let mut v = Vec::new();
        r.read_to_end(&mut v).expect("read");
        v
    }

    #[test]
    fn window_patch_and_padding() {
        let file: Vec<u8> = (0u8..20).collect();
        let src = PatchedSource::new(Cursor::new(file), 2, 10, 3)
            .patch(0, b"AB")
            .patch(9, b"XYZ"); // runs into the padding
        let got = all(src);
        assert_eq!(got, [b'A', b'B', 4, 5, 6, 7, 8, 9, 10, b'X', b'Y', b'Z', 0]);
    }

    #[test]
    fn small_reads_and_seeks_see_the_same_bytes() {
        let file: Vec<u8> = (0u8..=255).collect();
        let make = || PatchedSource::new(Cursor::new(file.clone()), 16, 200, 40).patch(5, b"RIFF");
        let whole = all(make());
        assert_eq!(whole.len(), 240);
        let mut src = make();
        for start in [0u64, 3, 7, 199, 200, 230, 239, 240, 5] {
            src.seek(SeekFrom::Start(start)).expect("seek");
            let mut buf = [0u8; 3];
            let n = src.read(&mut buf).expect("read");
            let want = &whole[start as usize..(start as usize + 3).min(240)];
            // A read may stop at the window's edge; what it returns must match.
            assert_eq!(&buf[..n], &want[..n], "at {start}");
        }
        assert_eq!(src.seek(SeekFrom::End(-1)).expect("end"), 239);
        assert!(src.seek(SeekFrom::Current(-1000)).is_err());
        assert_eq!(src.byte_len(), Some(240));
    }

    #[test]
    fn a_file_shorter_than_the_window_is_an_error() {
        let mut src = PatchedSource::new(Cursor::new(vec![1u8; 4]), 0, 8, 0);
        let mut buf = [0u8; 8];
        assert_eq!(src.read(&mut buf).expect("first part"), 4);
        let e = src.read(&mut buf).expect_err("short file");
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
    }
}
