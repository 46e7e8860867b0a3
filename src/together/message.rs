//! What participants say to each other: typed, versioned messages, one per QUIC stream as JSON
//! (the stream's end is the message's end, so there is no framing of our own). Only control,
//! presence, notes and file identity exist here — there is no message that could carry media,
//! pictures, sound or a local path. Anything too long, malformed, of another protocol version
//! or arriving too fast is dropped and logged by the caller, never trusted.

use super::identity::FileIdentity;
use crate::notes::NoteRecord;
use serde::{Deserialize, Serialize};

/// The protocol's version: a participant speaking another is refused with a message.
pub const PROTOCOL: u32 = 1;
/// The longest message read (a note of several thousand characters fits many times over).
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;
/// Messages a participant may send per second before the rest are dropped.
pub const MAX_PER_SECOND: u32 = 200;

/// Everything that can be said.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Message {
    /// A guest's first words: who, with which invitation, and which copy of the file.
    Hello {
        protocol: u32,
        name: String,
        /// The invitation's secret (hex), proving the guest was invited.
        secret: String,
        file: Box<FileIdentity>,
    },
    /// The host lets the guest in: who is there and where the transport is.
    Welcome {
        host: String,
        roster: Vec<Participant>,
        transport: SharedTransport,
    },
    /// The host will not let the guest in, and why (in words for the guest's screen).
    Refused { reason: String },
    /// Clock exchange: the guest's send time …
    Ping { t1: i64 },
    /// … and the host's receive and answer times (`clock_sync`).
    Pong { t1: i64, t2: i64, t3: i64 },
    /// The shared transport, from the host to everyone.
    Transport(SharedTransport),
    /// A participant holding control moves the transport (sent to the host, which applies it).
    Control(ControlIntent),
    /// Asks the host for control.
    RequestControl,
    /// The host hands control to the named participant.
    ControlTo { name: String },
    /// Who is in, as the host sees it.
    Roster { participants: Vec<Participant> },
    /// A participant's playhead and listening set-up.
    Presence(Presence),
    /// A note made, changed or deleted, with its per-field times (merged on arrival).
    Note { record: Box<NoteRecord> },
    /// The host removed this participant.
    Removed { reason: String },
    /// Leaving.
    Bye,
}

/// Where the transport is: at host instant `host_ns` the programme was at the start of
/// `frame`, running at `speed` (0 stopped).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedTransport {
    /// Grows with every change, so a late or repeated message is told from a new one.
    pub seq: u64,
    pub frame: u64,
    pub host_ns: i64,
    pub speed: i32,
    pub looping: bool,
    pub loop_range: Option<(u64, u64)>,
}

/// A transport move asked of the host by whoever holds control.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlIntent {
    Play,
    Pause,
    Seek { frame: u64 },
    Step { frames: i64 },
    Shuttle { speed: i32 },
    Loop { range: Option<(u64, u64)>, on: bool },
}

/// One participant as the others see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub name: String,
    /// The short form of their key (what the access log records).
    pub id: String,
    pub has_control: bool,
}

/// A participant's state, sent a few times a second.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presence {
    pub name: String,
    /// The frame on their screen.
    pub frame: u64,
    pub round_trip_ms: Option<u32>,
    /// Their listening set-up in words ("Sony MDR-7506, calibrated, level in band").
    pub listening: Option<String>,
}

/// Why a message was not taken.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MessageError {
    #[error("a message of {0} bytes, more than the {MAX_MESSAGE_BYTES} allowed")]
    TooLong(usize),
    #[error("a message that is not one of Earmark's: {0}")]
    Malformed(String),
}

impl Message {
    /// The message as sent.
    pub fn encode(&self) -> Vec<u8> {
        // Serialising these plain types cannot fail; an empty message would be refused.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// A message received, checked for length and shape.
    pub fn decode(bytes: &[u8]) -> Result<Self, MessageError> {
        if bytes.len() > MAX_MESSAGE_BYTES {
            return Err(MessageError::TooLong(bytes.len()));
        }
        serde_json::from_slice(bytes).map_err(|e| MessageError::Malformed(e.to_string()))
    }

    /// The message's kind, for logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Message::Hello { .. } => "hello",
            Message::Welcome { .. } => "welcome",
            Message::Refused { .. } => "refused",
            Message::Ping { .. } => "ping",
            Message::Pong { .. } => "pong",
            Message::Transport(_) => "transport",
            Message::Control(_) => "control",
            Message::RequestControl => "request_control",
            Message::ControlTo { .. } => "control_to",
            Message::Roster { .. } => "roster",
            Message::Presence(_) => "presence",
            Message::Note { .. } => "note",
            Message::Removed { .. } => "removed",
            Message::Bye => "bye",
        }
    }
}

/// Counts a sender's messages per second and says when to drop.
#[derive(Clone, Debug, Default)]
pub struct RateLimit {
    second: i64,
    count: u32,
}

impl RateLimit {
    /// Whether a message arriving at `now_ns` may be taken.
    pub fn allow(&mut self, now_ns: i64) -> bool {
        let second = now_ns.div_euclid(1_000_000_000);
        if second != self.second {
            self.second = second;
            self.count = 0;
        }
        self.count += 1;
        self.count <= MAX_PER_SECOND
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_and_strangers_are_refused() {
        let m = Message::Transport(SharedTransport {
            seq: 3,
            frame: 1440,
            host_ns: -5,
            speed: 1,
            looping: false,
            loop_range: Some((10, 20)),
        });
        assert_eq!(Message::decode(&m.encode()), Ok(m));
        let hello = Message::Presence(Presence {
            name: "Łucja 美咲".into(),
            frame: 7,
            round_trip_ms: Some(3),
            listening: None,
        });
        assert_eq!(Message::decode(&hello.encode()), Ok(hello));
        for bad in [
            &b"{\"type\":\"picture\",\"png\":\"...\"}"[..],
            b"{\"type\":\"ping\",\"t1\":1,\"path\":\"/home/x.mov\"}",
            b"not json",
            b"",
        ] {
            assert!(
                matches!(Message::decode(bad), Err(MessageError::Malformed(_))),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        let long = vec![b' '; MAX_MESSAGE_BYTES + 1];
        assert_eq!(
            Message::decode(&long),
            Err(MessageError::TooLong(MAX_MESSAGE_BYTES + 1))
        );
    }

    #[test]
    fn a_flood_is_cut_at_the_rate_limit_and_the_next_second_starts_afresh() {
        let mut r = RateLimit::default();
        let taken = (0..500).filter(|i| r.allow(1_000_000_000 + i)).count();
        assert_eq!(taken, MAX_PER_SECOND as usize);
        assert!(r.allow(2_000_000_000));
    }
}
