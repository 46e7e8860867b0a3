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
    /// The session is over for this guest (refused, removed, the host gone), and why.
    Ended(String),
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
            LinkEvent::Closed(_, why) => {
                let why = match &self.stage {
                    Stage::Knocking => format!("{} did not let you in ({why})", self.host_name),
                    _ => format!("the connection to {} ended ({why})", self.host_name),
                };
                self.end(why)
            }
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
                vec![GuestAction::Notice(format!("control: {name}"))]
            }
            (Stage::In, Message::Presence(p)) => {
                self.presences.retain(|q| q.name != p.name);
                self.presences.push(p);
                Vec::new()
            }
            (Stage::In, Message::Note { record }) => vec![GuestAction::Note(*record)],
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
