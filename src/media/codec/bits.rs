//! A bit reader for codec headers, which pack their fields at bit granularity and, in H.264,
//! as Exp-Golomb codes. Every read answers `None` past the end of the slice, so a header cut
//! short stops its parser with `?` instead of reading garbage or panicking.

/// Reads bits most-significant first; `None` past the end.
pub(super) struct Bits<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Bits<'a> {
    /// A reader at the first bit of `bytes`.
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }

    pub(super) fn read(&mut self, n: u32) -> Option<u32> {
        let mut v = 0u32;
        for _ in 0..n {
            let byte = *self.bytes.get(self.pos / 8)?;
            v = (v << 1) | u32::from((byte >> (7 - self.pos % 8)) & 1);
            self.pos += 1;
        }
        Some(v)
    }

    /// Unsigned Exp-Golomb (H.264 §9.1); `None` past the end or beyond 32 bits.
    pub(super) fn ue(&mut self) -> Option<u32> {
        let mut zeros = 0;
        while self.read(1)? == 0 {
            zeros += 1;
            if zeros > 31 {
                return None;
            }
        }
        let rest = self.read(zeros)?;
        u32::try_from((1u64 << zeros) - 1 + u64::from(rest)).ok()
    }

    /// Signed Exp-Golomb.
    pub(super) fn se(&mut self) -> Option<i64> {
        let k = i64::from(self.ue()?);
        Some(if k % 2 == 1 { (k + 1) / 2 } else { -(k / 2) })
    }

    /// Bits not yet read.
    pub(super) fn left(&self) -> usize {
        (self.bytes.len() * 8).saturating_sub(self.pos)
    }
}
