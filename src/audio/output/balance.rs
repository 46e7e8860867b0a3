//! The output balance trim: the few tenths of a dB that centre a mono image when one earpiece
//! (or one ear) is louder than the other. Set by the calibration wizard's balance step and
//! applied after monitoring and gain, to the programme and check signals alike.
//!
//! Runs in the audio callback: arithmetic on the buffer only. A change ramps linearly over a
//! fixed number of frames, like the monitor's, so moving the trim never clicks.

/// Per-channel gains for a trim of `db` (positive: right louder), split evenly so the centre
/// level stays put.
pub fn balance_gains(db: f32) -> [f32; 2] {
    let half = if db.is_finite() { db / 2.0 } else { 0.0 };
    [10f32.powf(-half / 20.0), 10f32.powf(half / 20.0)]
}

/// The trim being applied, with its ramp.
#[derive(Clone, Debug)]
pub struct Balance {
    db: f32,
    current: [f32; 2],
    from: [f32; 2],
    target: [f32; 2],
    pos: u32,
    len: u32,
}

impl Balance {
    /// Centred, ramping over `ramp_frames` on every change.
    pub fn new(ramp_frames: u32) -> Self {
        Self {
            db: 0.0,
            current: [1.0; 2],
            from: [1.0; 2],
            target: [1.0; 2],
            pos: ramp_frames.max(1),
            len: ramp_frames.max(1),
        }
    }

    /// Aims at `db` (a no-op when it is already the aim).
    pub fn set_db(&mut self, db: f32) {
        if db == self.db {
            return;
        }
        self.db = db;
        self.from = self.current;
        self.target = balance_gains(db);
        self.pos = 0;
    }

    /// Applies the trim to interleaved stereo in place.
    pub fn process(&mut self, frames: &mut [f32]) {
        if self.pos >= self.len && self.current == [1.0, 1.0] {
            return;
        }
        for f in frames.chunks_exact_mut(2) {
            if self.pos < self.len {
                self.pos += 1;
                let t = self.pos as f32 / self.len as f32;
                for c in 0..2 {
                    self.current[c] = self.from[c] + (self.target[c] - self.from[c]) * t;
                }
            }
            f[0] *= self.current[0];
            f[1] *= self.current[1];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trim_is_split_between_the_channels_and_ramps() {
        let g = balance_gains(1.0);
        assert!((20.0 * (g[1] / g[0]).log10() - 1.0).abs() < 1e-5);
        assert!((20.0 * g[0].log10() + 0.5).abs() < 1e-5);
        let mut b = Balance::new(480);
        b.set_db(1.0);
        let mut buf = vec![1.0f32; 2 * 1000];
        b.process(&mut buf);
        assert!((buf[0] - 1.0).abs() < 1e-3, "starts from where it was");
        assert!((buf[2 * 999] - g[0]).abs() < 1e-6 && (buf[2 * 999 + 1] - g[1]).abs() < 1e-6);
        for f in 1..1000 {
            assert!((buf[2 * f] - buf[2 * f - 2]).abs() < 1e-3, "no step at {f}");
        }
    }

    #[test]
    fn centred_is_bit_transparent() {
        let mut b = Balance::new(480);
        let mut buf = vec![0.3f32, -0.7, 0.1, 0.2];
        b.process(&mut buf);
        assert_eq!(buf, vec![0.3f32, -0.7, 0.1, 0.2]);
    }
}
