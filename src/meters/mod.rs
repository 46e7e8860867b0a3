//! Measurement of the programme: BS.1770 / EBU R128 loudness, true peak, and (with the player)
//! what the live meters and the whole-file analysis show. Pure DSP on `f32` samples: no decoding,
//! no devices, no threads, so every number here is unit-tested against the standards' cases.

pub mod dialogue;
pub mod gating;
pub mod k_weighting;
pub mod loudness;
pub mod phase;
pub mod presets;
pub mod snapshot;
pub mod spectrum;
pub mod sub_blocks;
pub mod syllabic;
pub mod true_peak;

pub use dialogue::SpeechDetector;
pub use loudness::{LoudnessAccumulator, LoudnessMeter, db};
pub use phase::PhaseMeter;
pub use presets::{Measure, Measured, PRESETS, Preset, Verdict};
pub use snapshot::{GONIO_POINTS, MeterSnapshot, SPECTRUM_BANDS};
pub use spectrum::SpectrumAnalyzer;
pub use sub_blocks::{MAX_CHANNELS, SubBlock, SubBlockFilter, channel_weights};
