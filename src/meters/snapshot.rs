//! What the live meter panel draws: one value per meter, made on the meter thread and handed to
//! the UI through a triple buffer (the UI always reads the newest complete one, never waits).

/// Spectrum bands from 20 Hz to 20 kHz, log-spaced.
pub const SPECTRUM_BANDS: usize = 60;
/// Goniometer points kept per snapshot.
pub const GONIO_POINTS: usize = 512;

/// The live meters at one moment.
#[derive(Clone, Debug, PartialEq)]
pub struct MeterSnapshot {
    /// Programme time of the newest metered sample, ns (which moment this describes).
    pub at_ns: i64,
    /// Seconds metered since play/reset.
    pub seconds: f64,
    /// EBU R128 readings, LUFS / LU (−∞ for silence).
    pub momentary: f64,
    pub short_term: f64,
    pub integrated: Option<f64>,
    pub loudness_range: Option<f64>,
    pub max_momentary: f64,
    pub max_short_term: f64,
    /// Max true peak since reset per channel (L, R), dBTP.
    pub true_peak: [f64; 2],
    /// Peak of roughly the last 100 ms per channel (the bars), dBFS, and its hold (last 2 s).
    pub level: [f64; 2],
    pub level_hold: [f64; 2],
    /// Phase correlation −1…+1 over the last ~300 ms (0 in silence).
    pub correlation: f32,
    /// The voice detector heard speech in at least a third of the last second (what the
    /// listening-level "too low" prompt waits for).
    pub speech: bool,
    /// Recent (side, mid) pairs for the goniometer, each −1…1 (x = (L−R)/√2, y = (L+R)/√2).
    pub goniometer: Vec<[f32; 2]>,
    /// Spectrum: band centre frequencies (Hz) and level per band (dBFS, −120 floor).
    pub spectrum_hz: Vec<f32>,
    pub spectrum_db: Vec<f32>,
}

impl Default for MeterSnapshot {
    fn default() -> Self {
        Self {
            at_ns: 0,
            seconds: 0.0,
            momentary: f64::NEG_INFINITY,
            short_term: f64::NEG_INFINITY,
            integrated: None,
            loudness_range: None,
            max_momentary: f64::NEG_INFINITY,
            max_short_term: f64::NEG_INFINITY,
            true_peak: [f64::NEG_INFINITY; 2],
            level: [f64::NEG_INFINITY; 2],
            level_hold: [f64::NEG_INFINITY; 2],
            correlation: 0.0,
            speech: false,
            goniometer: Vec::new(),
            spectrum_hz: Vec::new(),
            spectrum_db: Vec::new(),
        }
    }
}
