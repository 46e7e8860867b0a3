//! A guest's side of a shared review, as a state machine: network events and time in, actions
//! out. It says hello with the invitation's secret and its copy's identity, keeps estimating the
//! host's clock (quick pings at first, then one a second), and hands the host's transport on to
//! be followed.

use super::clock_sync::{ClockSync, Exchange};
use super::identity::FileIdentity;
use super::link::{LinkEvent, PeerId};
use super::message::{Message, PROTOCOL, Participant, Presence, SharedTransport};
use crate::notes::NoteRecord;

/// Quick pings at the start, to know the clock before the first play.
const QUICK_PINGS: u32 = 8;
const QUICK_EVERY_NS: i64 = 100_000_000;
const SLOW_EVERY_NS: i64 = 1_000_000_000;
/// The reasons a host closes a connection with (`link`): anything else is a lost connection.
const CLOSED_ON_PURPOSE: [&str; 3] = ["left", "removed", "refused"];

/// What the guest should do.
#[derive(Clone, Debug, PartialEq)]
pub enum GuestAction {
    /// Send to the host.
    Send(Message),
    /// The host's transport moved: follow it.
    Follow(SharedTransport),
    /// A note from someone else: merge it into the local store.
    Note(NoteRecord),
    /// The host let us in: share what we have.
    Welcomed,
    /// In words, for the screen.
    Notice(String),
    /// The session is over for this guest (refused, removed, the host left), and why.
    Ended(String),
    /// The connection to the host was lost (not closed by anyone): pause and join again.
    Lost(String),
}

/// Where the guest stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stage {
    Knocking,
    In,
    Out(String),
}

/// The guest's state.
pub struct Guest {
    name: String,
    secret: String,
    file: FileIdentity,
    stage: Stage,
    /// The host's connection, once made.
    host: Option<PeerId>,
    host_name: String,
    roster: Vec<Participant>,
    clock: ClockSync,
    pings: u32,
    next_ping_ns: i64,
    transport: Option<SharedTransport>,
    presences: Vec<Presence>,
}

impl Guest {
    pub fn new(name: &str, secret: &str, file: FileIdentity, host_name: &str) -> Self {
        Self {
            name: name.to_owned(),
            secret: secret.to_owned(),
            file,
            stage: Stage::Knocking,
            host: None,
            host_name: host_name.to_owned(),
            roster: Vec::new(),
            clock: ClockSync::default(),
            pings: 0,
            next_ping_ns: 0,
            transport: None,
            presences: Vec::new(),
        }
    }

    pub fn stage(&self) -> &Stage {
        &self.stage
    }

    /// The host's connection, once made.
    pub fn host_peer(&self) -> Option<PeerId> {
        self.host
    }

    pub fn clock(&self) -> &ClockSync {
        &self.clock
    }

    pub fn transport(&self) -> Option<SharedTransport> {
        self.transport
    }

    pub fn roster(&self) -> &[Participant] {
        &self.roster
    }

    /// The host's name (as the invitation gave it until the welcome says).
    pub fn host_name(&self) -> &str {
        &self.host_name
    }

    /// The others' playheads and listening set-ups, as last told.
    pub fn presences(&self) -> &[Presence] {
        &self.presences
    }

    /// Whether this guest holds control.
    pub fn has_control(&self) -> bool {
        self.roster
            .iter()
            .any(|p| p.has_control && p.name == self.name && p.id != "host")
    }

    /// The first words, once connected.
    pub fn hello(&self) -> GuestAction {
        GuestAction::Send(Message::Hello {
            protocol: PROTOCOL,
            name: self.name.clone(),
            secret: self.secret.clone(),
            file: Box::new(self.file.clone()),
        })
    }

    /// Pings due at our instant `now_ns`.
    pub fn tick(&mut self, now_ns: i64) -> Vec<GuestAction> {
        if self.stage != Stage::In || now_ns < self.next_ping_ns {
            return Vec::new();
        }
        self.pings += 1;
        self.next_ping_ns = now_ns
            + if self.pings < QUICK_PINGS {
                QUICK_EVERY_NS
            } else {
                SLOW_EVERY_NS
            };
        vec![GuestAction::Send(Message::Ping { t1: now_ns })]
    }

    fn end(&mut self, why: String) -> Vec<GuestAction> {
        if matches!(self.stage, Stage::Out(_)) {
            return Vec::new();
        }
        self.stage = Stage::Out(why.clone());
        vec![GuestAction::Ended(why)]
    }

    /// Takes in one network event.
    pub fn on_event(&mut self, event: LinkEvent) -> Vec<GuestAction> {
        match event {
            LinkEvent::Connected(peer) => {
                self.host = Some(peer);
                vec![self.hello()]
            }
            LinkEvent::Closed(_, why) => match &self.stage {
                Stage::Knocking => {
                    let why = format!("{} did not let you in ({why})", self.host_name);
                    self.end(why)
                }
                // Closed on purpose by the host (it left, removed or refused us): over. Anything
                // else — a timeout, a reset — is the network, and the guest comes back.
                Stage::In
                    if !CLOSED_ON_PURPOSE.contains(&why.as_str())
                        && !why.starts_with("closed by peer") =>
                {
                    self.stage = Stage::Out(why.clone());
                    vec![GuestAction::Lost(format!(
                        "lost the connection to {} ({why})",
                        self.host_name
                    ))]
                }
                _ => {
                    let why = format!("the connection to {} ended ({why})", self.host_name);
                    self.end(why)
                }
            },
            LinkEvent::Dropped(_, why) => {
                vec![GuestAction::Notice(format!(
                    "dropped a message from the host: {why}"
                ))]
            }
            LinkEvent::Message(_, m, at_ns) => self.on_message(m, at_ns),
        }
    }

    fn on_message(&mut self, m: Message, at_ns: i64) -> Vec<GuestAction> {
        match (&self.stage, m) {
            (
                Stage::Knocking,
                Message::Welcome {
                    host,
                    roster,
                    transport,
                },
            ) => {
                self.stage = Stage::In;
                self.host_name = host.clone();
                self.roster = roster;
                let mut out = vec![
                    GuestAction::Notice(format!("joined {host}'s review: {}", self.names())),
                    GuestAction::Welcomed,
                ];
                out.extend(self.tick(at_ns));
                self.transport = Some(transport);
                out.push(GuestAction::Follow(transport));
                out
            }
            (_, Message::Refused { reason }) => self.end(reason),
            (_, Message::Removed { reason }) => self.end(reason),
            (Stage::In, Message::Pong { t1, t2, t3 }) => {
                self.clock.add(Exchange {
                    t1,
                    t2,
                    t3,
                    t4: at_ns,
                });
                Vec::new()
            }
            (Stage::In, Message::Transport(t)) => {
                if self.transport.is_some_and(|old| old.seq >= t.seq) {
                    return Vec::new();
                }
                self.transport = Some(t);
                vec![GuestAction::Follow(t)]
            }
            (Stage::In, Message::Roster { participants }) => {
                self.roster = participants;
                vec![GuestAction::Notice(format!(
                    "in the review: {}",
                    self.names()
                ))]
            }
            (Stage::In, Message::ControlTo { name }) => {
                // Held from this message on: the roster that says so too comes after it, and a
                // move made as soon as "control: …" is read must not be refused.
                for p in &mut self.roster {
                    p.has_control = p.name == name;
                }
                vec![GuestAction::Notice(format!("control: {name}"))]
            }
            (Stage::In, Message::Presence(p)) => {
                self.presences.retain(|q| q.name != p.name);
                self.presences.push(p);
                Vec::new()
            }
            (Stage::In, Message::Note { record }) => vec![GuestAction::Note(*record)],
            (Stage::In, Message::Bye) => {
                let why = format!("{} ended the review", self.host_name);
                self.end(why)
            }
            (_, other) => vec![GuestAction::Notice(format!(
                "the host sent {} at the wrong moment: ignored",
                other.kind()
            ))],
        }
    }

    fn names(&self) -> String {
        self.roster
            .iter()
            .map(|p| {
                if p.has_control {
                    format!("{} (control)", p.name)
                } else {
                    p.name.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guest() -> (Guest, PeerId) {
        let file = FileIdentity {
            sha256: "ab".repeat(32),
            bytes: 1,
            frames: 1,
            rate_num: 25,
            rate_den: 1,
            start: "01:00:00:00".into(),
        };
        (Guest::new("Sam", "s3cret", file, "Jo"), PeerId::made_up())
    }

    fn welcome(g: &mut Guest, host: PeerId) -> Vec<GuestAction> {
        g.on_event(LinkEvent::Connected(host));
        g.on_event(LinkEvent::Message(
            host,
            Message::Welcome {
                host: "Jo".into(),
                roster: Vec::new(),
                transport: SharedTransport {
                    seq: 5,
                    frame: 40,
                    ..SharedTransport::default()
                },
            },
            1_000,
        ))
    }

    #[test]
    fn control_given_is_held_from_the_message_that_says_so() {
        let (mut g, host) = guest();
        welcome(&mut g, host);
        let person = |name: &str, id: &str, has_control| Participant {
            name: name.into(),
            id: id.into(),
            has_control,
        };
        g.on_event(LinkEvent::Message(
            host,
            Message::Roster {
                participants: vec![person("Jo", "host", true), person("Sam", "5a", false)],
            },
            0,
        ));
        assert!(!g.has_control());
        // The roster that says so comes later; the word itself is enough.
        let said = g.on_event(LinkEvent::Message(
            host,
            Message::ControlTo { name: "Sam".into() },
            0,
        ));
        assert_eq!(said, vec![GuestAction::Notice("control: Sam".into())]);
        assert!(g.has_control());
        g.on_event(LinkEvent::Message(
            host,
            Message::ControlTo { name: "Jo".into() },
            0,
        ));
        assert!(!g.has_control());
    }

    #[test]
    fn the_guest_says_hello_then_pings_and_follows_only_newer_transport() {
        let (mut g, host) = guest();
        let hello = g.on_event(LinkEvent::Connected(host));
        assert!(
            matches!(&hello[0], GuestAction::Send(Message::Hello { secret, .. }) if secret == "s3cret")
        );
        assert!(g.tick(0).is_empty(), "no pings before being let in");
        let out = welcome(&mut g, host);
        assert!(out.contains(&GuestAction::Welcomed));
        assert!(
            out.iter()
                .any(|a| matches!(a, GuestAction::Send(Message::Ping { t1: 1_000 })))
        );
        assert!(
            out.iter()
                .any(|a| matches!(a, GuestAction::Follow(t) if t.frame == 40))
        );
        // A quick ping every 100 ms at first.
        assert!(g.tick(50_000_000).is_empty());
        assert_eq!(g.tick(100_001_000).len(), 1);
        // Transport messages that arrive late or twice are passed over.
        let t = |seq, frame| {
            LinkEvent::Message(
                host,
                Message::Transport(SharedTransport {
                    seq,
                    frame,
                    ..SharedTransport::default()
                }),
                0,
            )
        };
        assert_eq!(g.on_event(t(7, 70)).len(), 1);
        assert!(g.on_event(t(6, 60)).is_empty());
        assert!(g.on_event(t(7, 70)).is_empty());
        assert_eq!(g.transport().map(|t| t.frame), Some(70));
        // A pong sets the clock: the host reads 10 s ahead.
        g.on_event(LinkEvent::Message(
            host,
            Message::Pong {
                t1: 0,
                t2: 10_000_100_000,
                t3: 10_000_150_000,
            },
            250_000,
        ));
        assert_eq!(
            g.clock().estimate().map(|e| e.offset_ns),
            Some(10_000_000_000)
        );
    }

    #[test]
    fn refusal_removal_and_a_lost_host_end_the_session_once_with_the_reason() {
        let (mut g, host) = guest();
        g.on_event(LinkEvent::Connected(host));
        let out = g.on_event(LinkEvent::Message(
            host,
            Message::Refused {
                reason: "Sam's copy is 2 s shorter — a different cut".into(),
            },
            0,
        ));
        assert_eq!(
            out,
            [GuestAction::Ended(
                "Sam's copy is 2 s shorter — a different cut".into()
            )]
        );
        assert!(
            g.on_event(LinkEvent::Closed(host, "refused".into()))
                .is_empty()
        );

        let (mut g, host) = guest();
        g.on_event(LinkEvent::Connected(host));
        let out = g.on_event(LinkEvent::Closed(host, "timed out".into()));
        assert_eq!(
            out,
            [GuestAction::Ended(
                "Jo did not let you in (timed out)".into()
            )]
        );

        let (mut g, host) = guest();
        welcome(&mut g, host);
        let out = g.on_event(LinkEvent::Closed(host, "left".into()));
        assert_eq!(
            out,
            [GuestAction::Ended(
                "the connection to Jo ended (left)".into()
            )]
        );
    }
}
