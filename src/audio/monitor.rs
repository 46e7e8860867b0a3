//! Monitoring: what the listener hears of the stereo mix — the listening checks a mix room's
//! monitor controller offers (mono, solo, swap, mid/side, Lt/Rt decode), output gain and mute —
//! switched live without clicks.
//!
//! Runs inside the audio callback, so it only does arithmetic on the buffer it is given: no
//! allocation, no locks. A change of mode or gain ramps linearly over [`RAMP_MS`] from the old
//! output to the new one, so switching never clicks.

/// How long a mode or gain change takes to settle.
pub const RAMP_MS: u32 = 10;

/// The listening modes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum MonitorMode {
    /// L → left ear, R → right ear.
    #[default]
    Stereo,
    /// Mono fold-down, (L+R)/2 to both ears: what a mono television plays.
    Mono,
    /// The left channel alone, in both ears.
    LeftOnly,
    /// The right channel alone, in both ears.
    RightOnly,
    /// L and R exchanged (is that effect really on the right?).
    Swap,
    /// Mid, (L+R)/2, in both ears.
    Mid,
    /// Side, (L−R)/2, in both ears: everything that is not centred.
    Side,
    /// Lt/Rt passive decode, centre channel: (Lt+Rt)/2.
    LtRtCentre,
    /// Lt/Rt passive decode, surround channel: (Lt−Rt)/2.
    LtRtSurround,
}

impl MonitorMode {
    /// All modes, in menu order.
    pub const ALL: [MonitorMode; 9] = [
        Self::Stereo,
        Self::Mono,
        Self::LeftOnly,
        Self::RightOnly,
        Self::Swap,
        Self::Mid,
        Self::Side,
        Self::LtRtCentre,
        Self::LtRtSurround,
    ];

    /// The name used on the command line (`--monitor`).
    pub fn cli_name(self) -> &'static str {
        match self {
            Self::Stereo => "stereo",
            Self::Mono => "mono",
            Self::LeftOnly => "left",
            Self::RightOnly => "right",
            Self::Swap => "swap",
            Self::Mid => "mid",
            Self::Side => "side",
            Self::LtRtCentre => "ltrt-centre",
            Self::LtRtSurround => "ltrt-surround",
        }
    }

    /// Parses a `--monitor` value.
    pub fn from_cli_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.cli_name() == name)
    }

    /// The 2×2 matrix `[[ll, lr], [rl, rr]]`: out_l = ll·L + lr·R, out_r = rl·L + rr·R.
    pub fn matrix(self) -> [[f32; 2]; 2] {
        match self {
            Self::Stereo => [[1.0, 0.0], [0.0, 1.0]],
            Self::Mono | Self::Mid | Self::LtRtCentre => [[0.5, 0.5], [0.5, 0.5]],
            Self::LeftOnly => [[1.0, 0.0], [1.0, 0.0]],
            Self::RightOnly => [[0.0, 1.0], [0.0, 1.0]],
            Self::Swap => [[0.0, 1.0], [1.0, 0.0]],
            Self::Side | Self::LtRtSurround => [[0.5, -0.5], [0.5, -0.5]],
        }
    }
}

/// Applies the mode, gain and mute to interleaved stereo, ramping between settings.
#[derive(Clone, Debug)]
pub struct Monitor {
    /// Effective matrix (mode × gain) now.
    current: [[f32; 2]; 2],
    /// Matrix the ramp is heading to.
    target: [[f32; 2]; 2],
    /// Matrix the ramp started from.
    from: [[f32; 2]; 2],
    /// Frames into the ramp, and its length.
    ramp_pos: u32,
    ramp_len: u32,
    mode: MonitorMode,
    gain_db: f32,
    muted: bool,
}

impl Monitor {
    /// A monitor in stereo at unity gain for a stream at `sample_rate`.
    pub fn new(sample_rate: u32) -> Self {
        let m = MonitorMode::Stereo.matrix();
        Self {
            current: m,
            target: m,
            from: m,
            ramp_pos: 0,
            ramp_len: (sample_rate / 1000 * RAMP_MS).max(1),
            mode: MonitorMode::Stereo,
            gain_db: 0.0,
            muted: false,
        }
    }

    pub fn mode(&self) -> MonitorMode {
        self.mode
    }

    pub fn gain_db(&self) -> f32 {
        self.gain_db
    }

    pub fn muted(&self) -> bool {
        self.muted
    }

    /// Switches mode (ramped).
    pub fn set_mode(&mut self, mode: MonitorMode) {
        self.mode = mode;
        self.retarget();
    }

    /// Sets output gain in dB, clamped to −96…+12 (ramped).
    pub fn set_gain_db(&mut self, db: f32) {
        self.gain_db = if db.is_finite() {
            db.clamp(-96.0, 12.0)
        } else {
            0.0
        };
        self.retarget();
    }

    /// Mutes or unmutes (ramped).
    pub fn set_muted(&mut self, muted: bool) {
        self.muted = muted;
        self.retarget();
    }

    fn retarget(&mut self) {
        let g = if self.muted {
            0.0
        } else {
            10f32.powf(self.gain_db / 20.0)
        };
        let m = self.mode.matrix();
        self.from = self.current;
        self.target = [[m[0][0] * g, m[0][1] * g], [m[1][0] * g, m[1][1] * g]];
        self.ramp_pos = 0;
    }

    /// Processes interleaved stereo frames in place.
    pub fn process(&mut self, frames: &mut [f32]) {
        for f in frames.chunks_exact_mut(2) {
            if self.ramp_pos < self.ramp_len {
                self.ramp_pos += 1;
                let t = self.ramp_pos as f32 / self.ramp_len as f32;
                for r in 0..2 {
                    for c in 0..2 {
                        self.current[r][c] =
                            self.from[r][c] + (self.target[r][c] - self.from[r][c]) * t;
                    }
                }
            }
            let (l, r) = (f[0], f[1]);
            let m = &self.current;
            f[0] = m[0][0] * l + m[0][1] * r;
            f[1] = m[1][0] * l + m[1][1] * r;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settled(mode: MonitorMode, l: f32, r: f32) -> (f32, f32) {
        let mut m = Monitor::new(48_000);
        m.set_mode(mode);
        let mut buf = vec![0.0; 2 * 1000];
        m.process(&mut buf);
        let mut f = [l, r];
        m.process(&mut f);
        (f[0], f[1])
    }

    #[test]
    fn channel_maths_of_every_mode() {
        let (l, r) = (0.8, 0.2);
        let cases = [
            (MonitorMode::Stereo, (0.8, 0.2)),
            (MonitorMode::Mono, (0.5, 0.5)),
            (MonitorMode::LeftOnly, (0.8, 0.8)),
            (MonitorMode::RightOnly, (0.2, 0.2)),
            (MonitorMode::Swap, (0.2, 0.8)),
            (MonitorMode::Mid, (0.5, 0.5)),
            (MonitorMode::Side, (0.3, 0.3)),
            (MonitorMode::LtRtCentre, (0.5, 0.5)),
            (MonitorMode::LtRtSurround, (0.3, 0.3)),
        ];
        for (mode, (el, er)) in cases {
            let (ol, or) = settled(mode, l, r);
            assert!(
                (ol - el).abs() < 1e-6 && (or - er).abs() < 1e-6,
                "{mode:?}: {ol}, {or}"
            );
        }
    }

    #[test]
    fn cli_names_round_trip() {
        for m in MonitorMode::ALL {
            assert_eq!(MonitorMode::from_cli_name(m.cli_name()), Some(m));
        }
        assert_eq!(MonitorMode::from_cli_name("quad"), None);
    }

    #[test]
    fn switching_ramps_without_a_step() {
        let mut m = Monitor::new(48_000);
        let mut buf = vec![0.5f32; 2 * 2000];
        m.set_mode(MonitorMode::Side); // a constant centred signal goes to 0 over the ramp
        m.process(&mut buf);
        let left: Vec<f32> = buf.chunks_exact(2).map(|f| f[0]).collect();
        let biggest_step = left
            .windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0, f32::max);
        assert!(biggest_step < 0.5 / 400.0, "step {biggest_step}");
        assert!(left[479].abs() < 1e-6, "settled after {RAMP_MS} ms");
        assert!((left[0] - 0.5).abs() < 0.01);
    }

    #[test]
    fn gain_and_mute() {
        let mut m = Monitor::new(48_000);
        m.set_gain_db(-6.0206);
        let mut buf = vec![1.0f32; 2 * 1000];
        m.process(&mut buf);
        assert!((buf[1998] - 0.5).abs() < 1e-3);
        m.set_muted(true);
        let mut buf = vec![1.0f32; 2 * 1000];
        m.process(&mut buf);
        assert_eq!(buf[1998], 0.0);
        m.set_gain_db(f32::NAN);
        assert_eq!(m.gain_db(), 0.0);
    }
}
