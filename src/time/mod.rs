//! Time as integers and rationals: frame rates, SMPTE timecode and stream ticks; and the wall
//! clock with its UTC date labels ([`utc`]).
//!
//! Nothing in Earmark stores a position as floating-point seconds. A picture position is a frame
//! number (0 = first frame of the file), a stream position is a tick count in the stream's
//! timebase, and timecode is derived from the frame number plus the file's start timecode. This
//! module is the bottom of the dependency graph: it knows nothing about files, FFmpeg or the UI.

mod frame_rate;
pub mod monotonic;
mod position;
mod rational;
mod timecode;
pub mod utc;

pub use frame_rate::{FrameRate, TimecodeRate};
pub use position::{Frame, ProgrammeNs, SamplePos};
pub use rational::Rational;
pub use timecode::{Timecode, TimecodeError};
pub use utc::{iso8601_utc, now_ms, now_unix_ns, now_unix_s, utc_label};
