//! What the UI (or a script) can ask of the player, and the snapshot it reads back.
//!
//! The UI never touches decoders, devices or FFmpeg types: it sends [`Command`]s and draws from
//! a [`Snapshot`], a plain copy refreshed by the player thread.

use crate::audio::MonitorMode;
use crate::headphones::CheckSignal;
use crate::time::Frame;

/// Requests to the player.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Play,
    /// Play from this frame with its first sample heard at this monotonic instant (ns), in
    /// silence until then: how a shared review starts everyone together.
    PlayAt {
        from: Frame,
        at_ns: i64,
    },
    Pause,
    TogglePlay,
    /// Shuttle at this speed (−4…4; 0 pauses, 1 plays with sound). Other speeds are silent.
    Shuttle(i32),
    /// Pause and move by this many frames.
    Step(i64),
    /// Go to this frame (0 = first picture), keeping the transport state.
    Seek(Frame),
    /// Loop points: `[in, out)`.
    SetLoop(Option<(Frame, Frame)>),
    /// Whether playback loops between the loop points.
    SetLooping(bool),
    SetMonitor(MonitorMode),
    SetGain(f32),
    SetMuted(bool),
    /// Switch output device (`None`: the system default).
    SetDevice(Option<String>),
    /// Per-device A/V offset in ms (positive: the sound arrives later than reported).
    SetAvOffset(i32),
    /// Pause the programme and play a calibration check signal in its place, in stereo whatever
    /// the monitoring mode, with the output gain and mute applied (switching fades, no click).
    PlaySignal(CheckSignal),
    /// Like [`Command::PlaySignal`], but heard through this listen (the Lt/Rt decode check:
    /// centre, surround, mono). The reviewer's own monitoring mode is left as it is.
    PlaySignalThrough(CheckSignal, MonitorMode),
    /// Fade out the check signal. Playing the programme stops it too.
    StopSignal,
    /// Output balance trim in dB, −3…+3 (positive: right louder), on everything played.
    SetBalance(f32),
    /// Plays the programme this many parts per billion fast (a shared review's drift
    /// correction, ±0.1 % at most), through a resampling stage put in at the next start;
    /// `None` takes the stage out.
    SetDriftTrim(Option<i64>),
}

/// The transport's state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Transport {
    #[default]
    Paused,
    /// Queuing sound and picture for a 1× start.
    Starting,
    /// Running at `speed` (negative: backwards).
    Playing { speed: i32 },
}

/// A copy of the player's state for drawing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Snapshot {
    pub transport: Transport,
    /// Frame at the clock now.
    pub frame: Frame,
    /// Source timecode of `frame`.
    pub timecode: String,
    pub frame_count: u64,
    /// Picture (or timecode) rate label: "23.976" …
    pub rate_label: String,
    pub loop_range: Option<(Frame, Frame)>,
    pub looping: bool,
    /// Output device in use (`None`: no device is open).
    pub device: Option<String>,
    pub device_rate: u32,
    /// The file's audio rate (0: no audio).
    pub file_rate: u32,
    /// The device looks like Bluetooth: extra latency and a lossy codec.
    pub bluetooth: bool,
    pub av_offset_ms: i32,
    pub monitor: MonitorMode,
    pub gain_db: f32,
    pub muted: bool,
    /// Something the user must know (device lost, decode trouble), in words.
    pub message: Option<String>,
    /// Frames never shown during 1× playback.
    pub dropped_frames: u64,
    /// Audio frames the device had to fill with silence.
    pub underrun_frames: u64,
    /// Output latency the device reports, in ms.
    pub latency_ms: f64,
    pub has_audio: bool,
    pub has_video: bool,
    /// What sound plays, in words ("Track 2 of 3 · 5.1 folded to stereo, …"); `None` without.
    pub audio_label: Option<String>,
    /// The calibration check signal playing instead of the programme, if any.
    pub signal: Option<CheckSignal>,
    /// Output balance trim, dB (positive: right louder).
    pub balance_db: f32,
}
