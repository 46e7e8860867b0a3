//! Playback: ties the media core, the audio decoder and the output device together.
//! So far the headless player behind `earmark FILE --play-from … --play-for … --exit`.

mod headless;

pub use headless::{PlayReport, PlayRequest, play_headless};
