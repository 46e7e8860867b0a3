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

#[cfg(test)]
mod carries_no_media {
    use super::*;
    use std::collections::BTreeSet;

    /// One message of every kind, every optional part filled in (the match makes a new kind
    /// fail to compile here until it is added and its fields reviewed).
    fn every_kind() -> Vec<Message> {
        let file = FileIdentity {
            sha256: "ab".repeat(32),
            bytes: 1,
            frames: 1,
            rate_num: 25,
            rate_den: 1,
            start: "01:00:00:00".into(),
        };
        let note = NoteRecord::created(
            crate::notes::Note::new(crate::time::Frame(1), "x"),
            &crate::notes::record::Stamp::default(),
        );
        let t = SharedTransport {
            loop_range: Some((1, 2)),
            ..SharedTransport::default()
        };
        let who = Participant {
            name: "n".into(),
            id: "i".into(),
            has_control: true,
        };
        let all = vec![
            Message::Hello {
                protocol: PROTOCOL,
                name: "n".into(),
                secret: "s".into(),
                file: Box::new(file),
            },
            Message::Welcome {
                host: "h".into(),
                roster: vec![who.clone()],
                transport: t,
            },
            Message::Refused { reason: "r".into() },
            Message::Ping { t1: 1 },
            Message::Pong {
                t1: 1,
                t2: 2,
                t3: 3,
            },
            Message::Transport(t),
            Message::Control(ControlIntent::Loop {
                range: Some((1, 2)),
                on: true,
            }),
            Message::RequestControl,
            Message::ControlTo { name: "n".into() },
            Message::Roster {
                participants: vec![who],
            },
            Message::Presence(Presence {
                name: "n".into(),
                frame: 1,
                round_trip_ms: Some(1),
                listening: Some("l".into()),
            }),
            Message::Note {
                record: Box::new(note),
            },
            Message::Removed { reason: "r".into() },
            Message::Bye,
        ];
        for m in &all {
            match m {
                Message::Hello { .. }
                | Message::Welcome { .. }
                | Message::Refused { .. }
                | Message::Ping { .. }
                | Message::Pong { .. }
                | Message::Transport(_)
                | Message::Control(_)
                | Message::RequestControl
                | Message::ControlTo { .. }
                | Message::Roster { .. }
                | Message::Presence(_)
                | Message::Note { .. }
                | Message::Removed { .. }
                | Message::Bye => {}
            }
        }
        all
    }

    fn keys(v: &serde_json::Value, out: &mut BTreeSet<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    out.insert(k.clone());
                    keys(v, out);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| keys(v, out)),
            _ => {}
        }
    }

    /// Every field any message can carry, reviewed by hand: control, presence, notes, the
    /// file's identity — no picture, sound, waveform, thumbnail or local path. A new field
    /// fails here until it is added to this list on purpose.
    #[test]
    fn every_field_of_every_message_is_one_that_was_reviewed() {
        let mut seen = BTreeSet::new();
        for m in every_kind() {
            let v: serde_json::Value = serde_json::from_slice(&m.encode()).expect("json");
            keys(&v, &mut seen);
            assert_eq!(Message::decode(&m.encode()).as_ref(), Ok(&m));
        }
        let reviewed: BTreeSet<String> = [
            // envelope and transport
            "type",
            "protocol",
            "seq",
            "frame",
            "host_ns",
            "speed",
            "looping",
            "loop_range",
            "transport",
            "t1",
            "t2",
            "t3",
            "range",
            "on",
            "seek",
            "play",
            "pause",
            "step",
            "shuttle",
            "loop",
            "frames",
            // who
            "name",
            "secret",
            "host",
            "roster",
            "participants",
            "id",
            "has_control",
            "reason",
            "round_trip_ms",
            "listening",
            // the copy's identity: numbers and a hash, never its path
            "file",
            "sha256",
            "bytes",
            "rate_num",
            "rate_den",
            "start",
            // a note and its per-field times
            "record",
            "note",
            "deleted",
            "stamps",
            "text",
            "author",
            "category",
            "status",
            "end_frame",
            "setup",
            "created_ms",
            "edited_ms",
            "ms",
            "by",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        let unreviewed: Vec<_> = seen.difference(&reviewed).collect();
        assert!(
            unreviewed.is_empty(),
            "fields nobody reviewed: {unreviewed:?}"
        );
    }
}
