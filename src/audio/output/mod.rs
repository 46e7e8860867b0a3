//! Audio output: the device sink, the feed that carries audio and its timeline marks to it, and
//! the lock-free state it shares with the rest of the player (settings in, clock anchor out), and
//! the rings that carry calibration check signals in and back out, and the system's own volume
//! for the device (`system_volume`).

mod balance;
mod clock_anchor;
mod cpal_sink;
mod feed;
mod shared;
mod signal_slot;
mod signal_stream;
mod start_at;
pub mod system_volume;

pub use balance::{Balance, balance_gains};
pub use clock_anchor::{Anchor, ClockAnchor};
pub use cpal_sink::{
    CpalSink, OutputDevice, default_device_name, device_default_rate, device_exists, is_bluetooth,
    list_devices,
};
pub use feed::{FeedReader, FeedWriter, Filled, Segment, content_ns, feed, frames_to_ns};
pub use shared::{NO_START_AT, SinkShared};
pub use signal_slot::{SignalMsg, SignalSender, SignalSlot, signal_slot};
pub use signal_stream::{FADE_MS, SignalStream, StereoLoop, raised_cosine};
pub use start_at::{late_frames, lead_frames};
pub use system_volume::{SystemVolume, VolumeError};
