//! The BS.1770 K-weighting filter: a high shelf (the head's acoustic effect) then a high-pass
//! (the "RLB" curve), as two biquads in f64.
//!
//! BS.1770 prints coefficients for 48 kHz only; for other rates it asks for "the same frequency
//! response". The analogue prototypes below (libebur128's, also FFmpeg's and Audacity's) give the
//! printed 48 kHz table to all 14 digits and the same response at 44.1, 88.2, 96 kHz and beyond.

/// One direct-form-I biquad section, `a0 = 1`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Biquad {
    pub b: [f64; 3],
    pub a: [f64; 2],
}

/// The two sections of the K-weighting filter at `sample_rate`.
pub fn k_weighting(sample_rate: u32) -> [Biquad; 2] {
    let fs = sample_rate as f64;
    // Stage 1: high shelf, +4 dB above ~1.7 kHz.
    let (f0, gain_db, q) = (1681.974450955533, 3.999843853973347, 0.7071752369554196);
    let k = (std::f64::consts::PI * f0 / fs).tan();
    let vh = 10f64.powf(gain_db / 20.0);
    let vb = vh.powf(0.4996667741545416);
    let a0 = 1.0 + k / q + k * k;
    let shelf = Biquad {
        b: [
            (vh + vb * k / q + k * k) / a0,
            2.0 * (k * k - vh) / a0,
            (vh - vb * k / q + k * k) / a0,
        ],
        a: [2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0],
    };
    // Stage 2: high-pass at ~38 Hz. BS.1770 leaves the numerator unnormalised (1, −2, 1).
    let (f0, q) = (38.13547087602444, 0.5003270373238773);
    let k = (std::f64::consts::PI * f0 / fs).tan();
    let d = 1.0 + k / q + k * k;
    let high_pass = Biquad {
        b: [1.0, -2.0, 1.0],
        a: [2.0 * (k * k - 1.0) / d, (1.0 - k / q + k * k) / d],
    };
    [shelf, high_pass]
}

/// K-weighting state for one channel.
#[derive(Clone, Debug)]
pub struct KFilter {
    sections: [Biquad; 2],
    /// Per section: x[n−1], x[n−2], y[n−1], y[n−2].
    state: [[f64; 4]; 2],
}

impl KFilter {
    pub fn new(sample_rate: u32) -> Self {
        Self {
            sections: k_weighting(sample_rate),
            state: [[0.0; 4]; 2],
        }
    }

    /// Filters one sample.
    #[inline]
    pub fn process(&mut self, x: f64) -> f64 {
        let mut v = x;
        for (s, st) in self.sections.iter().zip(self.state.iter_mut()) {
            let y = s.b[0] * v + s.b[1] * st[0] + s.b[2] * st[1] - s.a[0] * st[2] - s.a[1] * st[3];
            st[1] = st[0];
            st[0] = v;
            st[3] = st[2];
            st[2] = y;
            v = y;
        }
        v
    }

    pub fn reset(&mut self) {
        self.state = [[0.0; 4]; 2];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coefficients_at_48k_are_the_bs1770_tables() {
        let [s1, s2] = k_weighting(48_000);
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        assert!(close(s1.b[0], 1.53512485958697));
        assert!(close(s1.b[1], -2.69169618940638));
        assert!(close(s1.b[2], 1.19839281085285));
        assert!(close(s1.a[0], -1.69065929318241));
        assert!(close(s1.a[1], 0.73248077421585));
        assert_eq!(s2.b, [1.0, -2.0, 1.0]);
        assert!(close(s2.a[0], -1.99004745483398));
        assert!(close(s2.a[1], 0.99007225036621));
    }

    #[test]
    fn coefficients_at_44k1_and_96k_match_the_reference_derivation() {
        let [s1, s2] = k_weighting(44_100);
        assert!((s1.b[0] - 1.53084123005035).abs() < 1e-12);
        assert!((s1.a[1] - 0.71259542807323).abs() < 1e-12);
        assert!((s2.a[0] - -1.98916967362980).abs() < 1e-12);
        let [s1, s2] = k_weighting(96_000);
        assert!((s1.b[1] - -2.92674157825108).abs() < 1e-12);
        assert!((s2.a[1] - 0.99502375904092).abs() < 1e-12);
    }

    /// Gain of the filter for a steady sine, in dB, measured by running it.
    fn gain_db(rate: u32, freq: f64) -> f64 {
        let mut f = KFilter::new(rate);
        let n = rate as usize * 2;
        let (mut in_e, mut out_e) = (0.0, 0.0);
        for i in 0..n {
            let x = (2.0 * std::f64::consts::PI * freq * i as f64 / rate as f64).sin();
            let y = f.process(x);
            if i > n / 2 {
                in_e += x * x;
                out_e += y * y;
            }
        }
        10.0 * (out_e / in_e).log10()
    }

    #[test]
    fn response_is_the_same_at_every_rate() {
        for freq in [50.0, 997.0, 4000.0, 10_000.0] {
            let at48 = gain_db(48_000, freq);
            for rate in [44_100, 96_000] {
                assert!(
                    (gain_db(rate, freq) - at48).abs() < 0.05,
                    "{freq} Hz at {rate}"
                );
            }
        }
        // The −0.691 constant of BS.1770 cancels this gain at 997 Hz.
        assert!((gain_db(48_000, 997.0) - 0.691).abs() < 0.01);
    }
}
