//! Audio output: the device sink and the lock-free state it shares with the rest of the player.

mod cpal_sink;
mod shared;

pub use cpal_sink::{
    CpalSink, OutputDevice, device_default_rate, device_exists, is_bluetooth, list_devices,
};
pub use shared::SinkShared;
