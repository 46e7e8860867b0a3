//! The gated statistics of BS.1770 and EBU Tech 3342, over stored block powers.
//!
//! Blocks are kept as mean-square powers (not dB) because both gates average powers.

/// Powers below this read as silence: −150.7 LUFS, under the noise of any real 24-bit signal.
/// A filter ringing down after the programme stops leaves powers like 1e-100 that would
/// otherwise read "−1003 LUFS".
pub const SILENCE_POWER: f64 = 1e-15;

/// Loudness of a mean-square power, in LUFS (−∞ for silence).
pub fn lufs(power: f64) -> f64 {
    if power > SILENCE_POWER {
        -0.691 + 10.0 * power.log10()
    } else {
        f64::NEG_INFINITY
    }
}

/// The power whose loudness is `lufs`.
pub fn power_of(lufs: f64) -> f64 {
    10f64.powf((lufs + 0.691) / 10.0)
}

/// Absolute gate of both measurements, LUFS.
pub const ABSOLUTE_GATE: f64 = -70.0;

/// Integrated loudness (BS.1770 two-stage gate over 400 ms blocks): `None` until a block is
/// above the absolute gate.
pub fn integrated(blocks: &[f64]) -> Option<f64> {
    let abs = power_of(ABSOLUTE_GATE);
    let (sum, n) = blocks
        .iter()
        .filter(|&&p| p > abs)
        .fold((0.0, 0usize), |(s, n), &p| (s + p, n + 1));
    if n == 0 {
        return None;
    }
    // Relative gate: 10 LU below the absolute-gated level.
    let rel = sum / n as f64 / 10.0; // −10 LU
    let gate = abs.max(rel);
    let (sum, n) = blocks
        .iter()
        .filter(|&&p| p > gate)
        .fold((0.0, 0usize), |(s, n), &p| (s + p, n + 1));
    (n > 0).then(|| lufs(sum / n as f64))
}

/// Loudness of the blocks above the absolute gate only (no relative gate): the dialogue
/// estimate's measurement, like a speech-gated meter's.
pub fn absolute_gated(blocks: impl Iterator<Item = f64>) -> Option<f64> {
    let abs = power_of(ABSOLUTE_GATE);
    let (sum, n) = blocks
        .filter(|&p| p > abs)
        .fold((0.0, 0usize), |(s, n), p| (s + p, n + 1));
    (n > 0).then(|| lufs(sum / n as f64))
}

/// Loudness range (EBU Tech 3342) over short-term powers: the spread from the 10th to the 95th
/// percentile of values above −70 LUFS and above 20 LU under their power mean. `None` with no
/// value above the gates.
pub fn loudness_range(short_term: &[f64]) -> Option<f64> {
    let abs = power_of(ABSOLUTE_GATE);
    let (sum, n) = short_term
        .iter()
        .filter(|&&p| p > abs)
        .fold((0.0, 0usize), |(s, n), &p| (s + p, n + 1));
    if n == 0 {
        return None;
    }
    let rel = sum / n as f64 / 100.0; // −20 LU
    let gate = abs.max(rel);
    let mut v: Vec<f64> = short_term
        .iter()
        .filter(|&&p| p > gate)
        .map(|&p| lufs(p))
        .collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    // Tech 3342's reference: element round((n − 1)·p/100 + 1), 1-based.
    let at = |p: f64| v[(((v.len() - 1) as f64 * p / 100.0).round() as usize).min(v.len() - 1)];
    Some(at(95.0) - at(10.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loudness_and_power_round_trip() {
        for l in [-70.0, -23.0, 0.0, 3.0] {
            assert!((lufs(power_of(l)) - l).abs() < 1e-9);
        }
    }

    #[test]
    fn the_relative_gate_drops_blocks_10_lu_down() {
        // Equal numbers of −20 and −40 LUFS blocks: −40 is more than 10 LU under the mean.
        let mut b = vec![power_of(-20.0); 10];
        b.extend(vec![power_of(-40.0); 10]);
        let i = integrated(&b).expect("some");
        assert!((i - -20.0).abs() < 1e-9, "{i}");
        // Below the absolute gate nothing counts.
        assert_eq!(integrated(&[power_of(-80.0); 5]), None);
    }

    #[test]
    fn loudness_range_of_two_levels_is_their_difference() {
        let mut s = vec![power_of(-20.0); 100];
        s.extend(vec![power_of(-30.0); 100]);
        let lra = loudness_range(&s).expect("some");
        assert!((lra - 10.0).abs() < 1e-9, "{lra}");
    }
}
