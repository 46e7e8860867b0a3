//! The player's side of calibration check signals: makes a check's loop at the device's rate
//! (off the audio thread, cached so an A/B switch is instant), sends it to the callback as a
//! [`SignalStream`], and drops the streams that come back, here rather than in the callback.
//!
//! Shared by the engine (a check started from the window) and by `earmark calibrate` (a check
//! with no file open), so both go through the same rings and the same callback code.

use crate::audio::output::{SignalMsg, SignalSender, SignalStream};
use crate::headphones::signals::SignalError;
use crate::headphones::{CheckSignal, SignalLoop};
use std::collections::HashMap;
use std::sync::Arc;

/// Why a check signal could not be played.
#[derive(Debug, thiserror::Error)]
pub enum SignalPlayError {
    #[error("check signal {0:?}: {1}")]
    Signal(CheckSignal, SignalError),
    #[error("no output device is open")]
    NoDevice,
    #[error("the output callback is not taking signals (device stalled?)")]
    Busy,
}

/// Sends check signals to one open sink.
pub struct SignalDeck {
    sender: SignalSender,
    rate: u32,
    /// Loops made so far at `rate`: about 3 MB each, a handful at most.
    cache: HashMap<CheckSignal, Arc<SignalLoop>>,
    playing: Option<CheckSignal>,
}

impl SignalDeck {
    /// For a sink running at `rate`.
    pub fn new(sender: SignalSender, rate: u32) -> Self {
        Self {
            sender,
            rate,
            cache: HashMap::new(),
            playing: None,
        }
    }

    /// Which check plays now (what was last started and not stopped).
    pub fn playing(&self) -> Option<CheckSignal> {
        self.playing
    }

    /// The loop of `signal` at the sink's rate (made once).
    pub fn signal_loop(&mut self, signal: CheckSignal) -> Result<Arc<SignalLoop>, SignalPlayError> {
        if let Some(l) = self.cache.get(&signal) {
            return Ok(l.clone());
        }
        let made = Arc::new(
            signal
                .generate(self.rate)
                .map_err(|e| SignalPlayError::Signal(signal, e))?,
        );
        self.cache.insert(signal, made.clone());
        Ok(made)
    }

    /// Starts `signal` (fading out whatever check plays now).
    pub fn play(&mut self, signal: CheckSignal) -> Result<(), SignalPlayError> {
        let stream = SignalStream::new(self.signal_loop(signal)?);
        self.sender
            .send(SignalMsg::Start(stream))
            .map_err(|_| SignalPlayError::Busy)?;
        self.playing = Some(signal);
        Ok(())
    }

    /// Fades out the check playing now, if any.
    pub fn stop(&mut self) {
        if self.playing.take().is_some() {
            // A full ring means the callback is not running: nothing plays to stop.
            let _ = self.sender.send(SignalMsg::Stop);
        }
    }

    /// Drops the streams the callback is done with (call now and then).
    pub fn collect(&mut self) {
        self.sender.collect();
    }
}
