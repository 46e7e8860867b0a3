//! The host's side of a shared review, as a state machine: network events and the host's own
//! transport in, actions out (messages to send, connections to close, moves for the local
//! review, lines for the access log). The host decides who is in (the invitation's secret, the
//! same copy of the file, not removed), who holds control, and where the transport is.

use super::identity::FileIdentity;
use super::link::{LinkEvent, PeerId};
use super::message::{
    ControlIntent, Message, PROTOCOL, Participant, Presence, RateLimit, SharedTransport,
};
use crate::notes::NoteRecord;
use std::collections::{HashMap, HashSet};

/// What the host should do.
#[derive(Clone, Debug, PartialEq)]
pub enum HostAction {
    Send(PeerId, Message),
    Close(PeerId, String),
    /// A guest holding control moved the transport: apply it to the host's review.
    Apply(ControlIntent),
    /// A note from a guest: merge it into the host's store.
    Note(NoteRecord),
    /// A guest was let in: bring them up to date (the notes so far).
    Joined(PeerId),
    /// For the access log and the screen: joins, leaves, refusals, control changes.
    Log(String),
}

struct Guest {
    name: String,
    presence: Option<Presence>,
}

/// The host's state.
pub struct Host {
    name: String,
    file: FileIdentity,
    secret: String,
    expires_ms: i64,
    guests: HashMap<PeerId, Guest>,
    /// Connected, not yet let in.
    waiting: HashSet<PeerId>,
    removed: HashSet<PeerId>,
    limits: HashMap<PeerId, RateLimit>,
    /// Who moves the transport (`None`: the host).
    control: Option<PeerId>,
    /// Who asked for control and has not been given it, oldest first.
    requests: Vec<PeerId>,
    /// The host's own playhead and set-up, as last sent.
    own: Option<Presence>,
    transport: SharedTransport,
}

impl Host {
    pub fn new(name: &str, file: FileIdentity, secret: &str, expires_ms: i64) -> Self {
        Self {
            name: name.to_owned(),
            file,
            secret: secret.to_owned(),
            expires_ms,
            guests: HashMap::new(),
            waiting: HashSet::new(),
            removed: HashSet::new(),
            limits: HashMap::new(),
            control: None,
            requests: Vec::new(),
            own: None,
            transport: SharedTransport::default(),
        }
    }

    /// The current invitation's secret (changed when someone is removed).
    pub fn secret(&self) -> &str {
        &self.secret
    }

    pub fn expires_ms(&self) -> i64 {
        self.expires_ms
    }

    /// Who is in, host first.
    pub fn roster(&self) -> Vec<Participant> {
        let mut out = vec![Participant {
            name: self.name.clone(),
            id: "host".into(),
            has_control: self.control.is_none(),
        }];
        let mut guests: Vec<_> = self.guests.iter().collect();
        guests.sort_by(|a, b| a.1.name.cmp(&b.1.name));
        out.extend(guests.into_iter().map(|(id, g)| Participant {
            name: g.name.clone(),
            id: id.short(),
            has_control: self.control == Some(*id),
        }));
        out
    }

    /// Presence of everyone (the host's own first), as last told.
    pub fn presences(&self) -> Vec<Presence> {
        self.own
            .iter()
            .cloned()
            .chain(self.guests.values().filter_map(|g| g.presence.clone()))
            .collect()
    }

    /// The names of those who asked for control and wait for it, oldest first.
    pub fn requests(&self) -> Vec<String> {
        self.requests.iter().map(|p| self.who(*p)).collect()
    }

    /// The host's own playhead and set-up: everyone gets it.
    pub fn presence(&mut self, mut p: Presence) -> Vec<HostAction> {
        p.name = self.name.clone();
        self.own = Some(p.clone());
        self.broadcast(&Message::Presence(p), None)
    }

    /// The host leaves: everyone is told the review is over.
    pub fn leave(&mut self) -> Vec<HostAction> {
        let mut out = self.broadcast(&Message::Bye, None);
        out.extend(
            self.guests
                .keys()
                .map(|p| HostAction::Close(*p, "left".into())),
        );
        out.push(HostAction::Log(format!("ended: {} left", self.name)));
        self.guests.clear();
        out
    }

    fn broadcast(&self, m: &Message, except: Option<PeerId>) -> Vec<HostAction> {
        self.guests
            .keys()
            .filter(|p| Some(**p) != except)
            .map(|p| HostAction::Send(*p, m.clone()))
            .collect()
    }

    fn roster_update(&self) -> Vec<HostAction> {
        self.broadcast(
            &Message::Roster {
                participants: self.roster(),
            },
            None,
        )
    }

    /// The host's transport moved (or, while playing, a fresh reading of where it is).
    pub fn transport(&mut self, mut t: SharedTransport) -> Vec<HostAction> {
        t.seq = self.transport.seq + 1;
        self.transport = t;
        self.broadcast(&Message::Transport(t), None)
    }

    /// A note made or changed on the host: everyone gets it.
    pub fn note(&self, record: NoteRecord) -> Vec<HostAction> {
        self.broadcast(
            &Message::Note {
                record: Box::new(record),
            },
            None,
        )
    }

    /// Hands control to the participant named `name` (or back to the host).
    pub fn give_control(&mut self, name: &str) -> Vec<HostAction> {
        let to = self
            .guests
            .iter()
            .find(|(_, g)| g.name == name)
            .map(|(p, _)| *p);
        if to.is_none() && name != self.name {
            return vec![HostAction::Log(format!("no participant is called {name}"))];
        }
        self.control = to;
        self.requests.retain(|p| Some(*p) != to);
        let mut out = vec![HostAction::Log(format!("control: {name}"))];
        out.extend(self.broadcast(
            &Message::ControlTo {
                name: name.to_owned(),
            },
            None,
        ));
        out.extend(self.roster_update());
        out
    }

    /// Removes the participant named `name`: their connection is closed, their key refused
    /// from now on, and the invitation's secret changes (`new_secret`) so the old invitation
    /// lets nobody else in either.
    pub fn remove(&mut self, name: &str, new_secret: String) -> Vec<HostAction> {
        let Some(peer) = self
            .guests
            .iter()
            .find(|(_, g)| g.name == name)
            .map(|(p, _)| *p)
        else {
            return vec![HostAction::Log(format!("no participant is called {name}"))];
        };
        self.guests.remove(&peer);
        self.requests.retain(|p| *p != peer);
        self.removed.insert(peer);
        self.secret = new_secret;
        if self.control == Some(peer) {
            self.control = None;
        }
        let mut out = vec![
            HostAction::Send(
                peer,
                Message::Removed {
                    reason: format!("{} removed you from the review", self.name),
                },
            ),
            HostAction::Close(peer, "removed".into()),
            HostAction::Log(format!("removed: {name} ({})", peer.short())),
        ];
        out.extend(self.roster_update());
        out
    }

    fn refuse(&mut self, peer: PeerId, reason: String, log: String) -> Vec<HostAction> {
        self.waiting.remove(&peer);
        vec![
            HostAction::Send(peer, Message::Refused { reason }),
            HostAction::Close(peer, "refused".into()),
            HostAction::Log(log),
        ]
    }

    /// Takes in one network event at our instants `now_ns` (monotonic) and `now_ms` (Unix).
    pub fn on_event(&mut self, event: LinkEvent, now_ns: i64, now_ms: i64) -> Vec<HostAction> {
        match event {
            LinkEvent::Connected(peer) => {
                if self.removed.contains(&peer) {
                    return self.refuse(
                        peer,
                        format!("{} removed you from this review", self.name),
                        format!(
                            "refused: a removed participant ({}) came back",
                            peer.short()
                        ),
                    );
                }
                self.waiting.insert(peer);
                Vec::new()
            }
            LinkEvent::Closed(peer, why) => {
                self.waiting.remove(&peer);
                self.limits.remove(&peer);
                self.requests.retain(|p| *p != peer);
                match self.guests.remove(&peer) {
                    Some(g) => {
                        if self.control == Some(peer) {
                            self.control = None;
                        }
                        let mut out = vec![HostAction::Log(format!(
                            "left: {} ({}): {why}",
                            g.name,
                            peer.short()
                        ))];
                        out.extend(self.roster_update());
                        out
                    }
                    None => Vec::new(),
                }
            }
            LinkEvent::Dropped(peer, why) => vec![HostAction::Log(format!(
                "dropped a message from {}: {why}",
                self.who(peer)
            ))],
            LinkEvent::Message(peer, m, _) => {
                if !self.limits.entry(peer).or_default().allow(now_ns) {
                    return Vec::new();
                }
                self.on_message(peer, m, now_ns, now_ms)
            }
        }
    }

    fn who(&self, peer: PeerId) -> String {
        self.guests
            .get(&peer)
            .map_or_else(|| peer.short(), |g| g.name.clone())
    }

    fn on_message(
        &mut self,
        peer: PeerId,
        m: Message,
        now_ns: i64,
        now_ms: i64,
    ) -> Vec<HostAction> {
        if self.waiting.contains(&peer) {
            return match m {
                Message::Hello {
                    protocol,
                    name,
                    secret,
                    file,
                } => self.hello(peer, protocol, name, secret, file, now_ms),
                other => self.refuse(
                    peer,
                    "say hello first".into(),
                    format!("refused {}: {} before hello", peer.short(), other.kind()),
                ),
            };
        }
        if !self.guests.contains_key(&peer) {
            return Vec::new();
        }
        match m {
            // The link answers pings as they arrive (`link`); one that reaches here is late.
            Message::Ping { .. } => Vec::new(),
            Message::Control(c) if self.control == Some(peer) => vec![HostAction::Apply(c)],
            Message::Control(_) => vec![HostAction::Log(format!(
                "{} moved the transport without control: ignored",
                self.who(peer)
            ))],
            Message::RequestControl => {
                if self.control == Some(peer) || self.requests.contains(&peer) {
                    return Vec::new();
                }
                self.requests.push(peer);
                vec![HostAction::Log(format!(
                    "{} asks for control",
                    self.who(peer)
                ))]
            }
            Message::Presence(mut p) => {
                let name = self.who(peer);
                p.name = name;
                let out = self.broadcast(&Message::Presence(p.clone()), Some(peer));
                if let Some(g) = self.guests.get_mut(&peer) {
                    g.presence = Some(p);
                }
                out
            }
            Message::Note { record } => {
                let mut out = vec![HostAction::Note((*record).clone())];
                out.extend(self.broadcast(&Message::Note { record }, Some(peer)));
                out
            }
            Message::Bye => self.on_event(LinkEvent::Closed(peer, "left".into()), now_ns, now_ms),
            other => vec![HostAction::Log(format!(
                "{} sent {}, which guests do not send: ignored",
                self.who(peer),
                other.kind()
            ))],
        }
    }

    fn hello(
        &mut self,
        peer: PeerId,
        protocol: u32,
        name: String,
        secret: String,
        file: Box<FileIdentity>,
        now_ms: i64,
    ) -> Vec<HostAction> {
        let name: String = name.chars().filter(|c| !c.is_control()).take(80).collect();
        let name = if name.trim().is_empty() {
            format!("guest {}", peer.short())
        } else {
            name
        };
        if protocol != PROTOCOL {
            return self.refuse(
                peer,
                format!(
                    "{}'s Earmark speaks version {PROTOCOL} of the shared review, yours {protocol}: \
                     update so both match",
                    self.name
                ),
                format!("refused {name}: protocol {protocol}"),
            );
        }
        if secret != self.secret {
            return self.refuse(
                peer,
                "this invitation is no longer valid: ask for a new one".into(),
                format!(
                    "refused {name} ({}): an old or wrong invitation",
                    peer.short()
                ),
            );
        }
        if now_ms >= self.expires_ms {
            return self.refuse(
                peer,
                format!("{}'s invitation has expired: ask for a new one", self.name),
                format!("refused {name}: the invitation expired"),
            );
        }
        if let Some(why) = self.file.differs(&file, &name) {
            return self.refuse(peer, why.clone(), format!("refused {name}: {why}"));
        }
        self.waiting.remove(&peer);
        self.guests.insert(
            peer,
            Guest {
                name: name.clone(),
                presence: None,
            },
        );
        let mut out = vec![
            HostAction::Send(
                peer,
                Message::Welcome {
                    host: self.name.clone(),
                    roster: self.roster(),
                    transport: self.transport,
                },
            ),
            HostAction::Log(format!("joined: {name} ({})", peer.short())),
            HostAction::Joined(peer),
        ];
        out.extend(self.broadcast(
            &Message::Roster {
                participants: self.roster(),
            },
            Some(peer),
        ));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copy() -> FileIdentity {
        FileIdentity {
            sha256: "ab".repeat(32),
            bytes: 1000,
            frames: 300,
            rate_num: 25,
            rate_den: 1,
            start: "01:00:00:00".into(),
        }
    }

    fn hello(name: &str, secret: &str, file: FileIdentity) -> Message {
        Message::Hello {
            protocol: PROTOCOL,
            name: name.into(),
            secret: secret.into(),
            file: Box::new(file),
        }
    }

    fn msg(peer: PeerId, m: Message) -> LinkEvent {
        LinkEvent::Message(peer, m, 0)
    }

    fn sent_to(actions: &[HostAction], peer: PeerId) -> Vec<&'static str> {
        actions
            .iter()
            .filter_map(|a| match a {
                HostAction::Send(p, m) if *p == peer => Some(m.kind()),
                _ => None,
            })
            .collect()
    }

    /// A host with `names` let in, and their peers.
    fn with_guests(names: &[&str]) -> (Host, Vec<PeerId>) {
        let mut host = Host::new("Jo", copy(), "s3cret", 1_000);
        let peers = names
            .iter()
            .map(|n| {
                let p = PeerId::made_up();
                host.on_event(LinkEvent::Connected(p), 0, 0);
                let out = host.on_event(msg(p, hello(n, "s3cret", copy())), 0, 0);
                assert_eq!(sent_to(&out, p), ["welcome"], "{out:?}");
                assert!(out.contains(&HostAction::Joined(p)));
                p
            })
            .collect();
        (host, peers)
    }

    #[test]
    fn only_an_invited_guest_with_the_same_copy_gets_in_and_everyone_hears_of_it() {
        let (mut host, peers) = with_guests(&["Sam", "Ana"]);
        let names: Vec<_> = host.roster().into_iter().map(|p| p.name).collect();
        assert_eq!(names, ["Jo", "Ana", "Sam"]);
        let refusals = [
            (hello("Eve", "guess", copy()), "no longer valid"),
            (
                hello(
                    "Eve",
                    "s3cret",
                    FileIdentity {
                        frames: 250,
                        sha256: "cd".repeat(32),
                        ..copy()
                    },
                ),
                "Eve's copy is 2 s shorter — a different cut",
            ),
            (
                Message::Hello {
                    protocol: PROTOCOL + 1,
                    name: "Eve".into(),
                    secret: "s3cret".into(),
                    file: Box::new(copy()),
                },
                "update so both match",
            ),
            (Message::Ping { t1: 0 }, "say hello first"),
        ];
        for (m, why) in refusals {
            let eve = PeerId::made_up();
            host.on_event(LinkEvent::Connected(eve), 0, 0);
            let out = host.on_event(msg(eve, m), 0, 0);
            assert!(
                matches!(&out[0], HostAction::Send(p, Message::Refused { reason }) if *p == eve && reason.contains(why)),
                "{out:?}"
            );
            assert!(out.contains(&HostAction::Close(eve, "refused".into())));
        }
        // Past the invitation's expiry nobody new gets in.
        let late = PeerId::made_up();
        host.on_event(LinkEvent::Connected(late), 0, 0);
        let out = host.on_event(msg(late, hello("Lee", "s3cret", copy())), 0, 1_000);
        assert_eq!(sent_to(&out, late), ["refused"]);
        assert_eq!(host.roster().len(), 3);
        // The others heard about the second guest.
        let (mut host, _) = with_guests(&["Sam"]);
        let ana = PeerId::made_up();
        host.on_event(LinkEvent::Connected(ana), 0, 0);
        let out = host.on_event(msg(ana, hello("Ana", "s3cret", copy())), 0, 0);
        assert!(
            out.iter()
                .any(|a| matches!(a, HostAction::Send(p, Message::Roster { .. }) if *p != ana))
        );
        let _ = peers;
    }

    #[test]
    fn only_the_participant_holding_control_moves_the_transport() {
        let (mut host, peers) = with_guests(&["Sam", "Ana"]);
        let seek = Message::Control(ControlIntent::Seek { frame: 42 });
        let out = host.on_event(msg(peers[0], seek.clone()), 0, 0);
        assert!(
            !out.iter().any(|a| matches!(a, HostAction::Apply(_))),
            "{out:?}"
        );
        let out = host.give_control("Sam");
        assert_eq!(sent_to(&out, peers[1]), ["control_to", "roster"]);
        let out = host.on_event(msg(peers[0], seek.clone()), 0, 0);
        assert_eq!(out, [HostAction::Apply(ControlIntent::Seek { frame: 42 })]);
        assert!(
            host.on_event(msg(peers[1], seek.clone()), 0, 0)[0]
                != HostAction::Apply(ControlIntent::Seek { frame: 42 })
        );
        // Control comes back to the host when its holder leaves.
        host.on_event(LinkEvent::Closed(peers[0], "gone".into()), 0, 0);
        assert!(host.roster()[0].has_control);
        // The transport goes to everyone with a growing sequence number.
        let out = host.transport(SharedTransport::default());
        let out2 = host.transport(SharedTransport::default());
        let seq = |o: &[HostAction]| match &o[0] {
            HostAction::Send(_, Message::Transport(t)) => t.seq,
            other => panic!("{other:?}"),
        };
        assert!(seq(&out2) > seq(&out));
    }

    #[test]
    fn a_removed_guest_is_shut_out_and_the_old_secret_stops_working() {
        let (mut host, peers) = with_guests(&["Sam", "Ana"]);
        let out = host.remove("Sam", "n3w".into());
        assert_eq!(sent_to(&out, peers[0]), ["removed"]);
        assert!(out.contains(&HostAction::Close(peers[0], "removed".into())));
        assert_eq!(host.secret(), "n3w");
        // The same key knocking again is refused at once; a new key with the old secret too.
        let out = host.on_event(LinkEvent::Connected(peers[0]), 0, 0);
        assert_eq!(sent_to(&out, peers[0]), ["refused"]);
        let again = PeerId::made_up();
        host.on_event(LinkEvent::Connected(again), 0, 0);
        let out = host.on_event(msg(again, hello("Sam", "s3cret", copy())), 0, 0);
        assert_eq!(sent_to(&out, again), ["refused"]);
    }

    #[test]
    fn a_guests_note_is_kept_and_passed_to_the_others_and_a_flood_is_cut() {
        let (mut host, peers) = with_guests(&["Sam", "Ana"]);
        let record = NoteRecord::created(
            crate::notes::Note::new(crate::time::Frame(3), "レベル"),
            &crate::notes::record::Stamp::default(),
        );
        let out = host.on_event(
            msg(
                peers[0],
                Message::Note {
                    record: Box::new(record.clone()),
                },
            ),
            0,
            0,
        );
        assert!(out.contains(&HostAction::Note(record)));
        assert_eq!(sent_to(&out, peers[1]), ["note"]);
        assert!(sent_to(&out, peers[0]).is_empty());
        let flood = (0..1000)
            .filter(|_| {
                !host
                    .on_event(msg(peers[1], Message::RequestControl), 5, 0)
                    .is_empty()
            })
            .count();
        assert!(
            flood <= crate::together::message::MAX_PER_SECOND as usize,
            "{flood}"
        );
    }
}
