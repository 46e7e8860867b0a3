//! A shared review in progress, whichever front end runs it: the window polls it every frame,
//! the console every few milliseconds, and both hand it what the reviewer does. It owns the
//! network link, the host's or guest's state machine, the following of the host's transport,
//! presence and the sharing of notes; the front end only shows what it says ([`Said`]) and
//! draws its [`TogetherView`]. Nothing here blocks: the file's identity is hashed and the link
//! started (or started again after a lost connection) on a thread of their own.

use super::TogetherError;
use super::follow::Follower;
use super::guest::{Guest, GuestAction, Stage};
use super::host::{Host, HostAction};
use super::identity::FileIdentity;
use super::link::{Invitation, Link, Relay, new_secret};
use super::message::{ControlIntent, Message, Presence, SharedTransport};
use crate::notes::NoteRecord;
use crate::player::Transport;
use crate::review::{Event, Intent, Review};
use crate::security::{AccessEvent, AccessLog, Dirs};
use crate::time::{Frame, monotonic, now_ms};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

/// While playing, the host tells where it is this often (a fresh anchor for the guests).
const REANCHOR_NS: i64 = 1_000_000_000;
/// A running transport more than this far from what was last told has jumped: told at once.
const JUMP_NS: i64 = 5_000_000;
/// Everyone tells their playhead and set-up this often.
const PRESENCE_EVERY_NS: i64 = 500_000_000;
/// A guest that lost its connection tries again this often.
const REJOIN_EVERY_NS: i64 = 2_000_000_000;

/// What the front end should show (the console prints it, the window lists it as a notice).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Said {
    /// A line for the reviewer (and for scripts).
    Line(String),
    /// The invitation to hand the others (the console prints `invitation: …`).
    Invitation(String),
    /// The session is over for this participant, and why.
    Ended(String),
}

/// One participant as the window lists them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seat {
    pub name: String,
    pub host: bool,
    pub control: bool,
    /// This machine's participant.
    pub me: bool,
    /// The frame on their screen, their round trip to the host and their listening set-up,
    /// once they have told.
    pub frame: Option<u64>,
    pub round_trip_ms: Option<u32>,
    pub listening: Option<String>,
}

/// The session as the window shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TogetherView {
    pub hosting: bool,
    pub host_name: String,
    /// Where it stands, in words ("starting", "in Jo's review", "lost the connection …").
    pub state: String,
    pub invitation: Option<String>,
    pub seats: Vec<Seat>,
    /// Who asks for control (the host gives it).
    pub requests: Vec<String>,
    pub i_have_control: bool,
    pub ended: Option<String>,
}

/// What the start-up thread hands back: the link and this copy's identity.
type Started = Result<(Link, FileIdentity), TogetherError>;

enum Side {
    Host(Box<HostSide>),
    Guest(Box<GuestSide>),
}

struct HostSide {
    link: Link,
    host: Host,
    published: SharedTransport,
    published_at: i64,
    /// Where the clock stood at the last look (one that has not moved since is held).
    last_pos: Option<i64>,
}

struct GuestSide {
    invitation: Invitation,
    /// Kept to start a new guest after a lost connection.
    identity: FileIdentity,
    link: Option<Link>,
    guest: Guest,
    follower: Follower,
    /// A join under way on its thread.
    joining: Option<mpsc::Receiver<Started>>,
    /// Lost: when to try again.
    retry_at: Option<i64>,
}

/// A shared review: hosting or joined.
pub struct SharedReview {
    name: String,
    relay: Relay,
    hours: u32,
    /// Starting: the thread hashing the file and starting the link.
    starting: Option<(mpsc::Receiver<Started>, Option<Invitation>)>,
    side: Option<Side>,
    log: Option<AccessLog>,
    media: PathBuf,
    said: Vec<Said>,
    presence_at: i64,
    /// What this participant last told the others of itself.
    own: Option<Presence>,
    ended: Option<String>,
}

/// Hashes the file and starts the link on a thread of its own (hashing a 2 GB file takes
/// seconds; a host that cannot be reached takes seconds to say so).
fn start_thread(
    path: PathBuf,
    base: FileIdentity,
    relay: Relay,
    invitation: Option<Invitation>,
) -> Result<mpsc::Receiver<Started>, TogetherError> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("together-start".into())
        .spawn(move || {
            let started = identify(&path, base).and_then(|identity| {
                let link = match &invitation {
                    Some(inv) => Link::join(&relay, inv)?,
                    None => Link::host(&relay)?,
                };
                Ok((link, identity))
            });
            let _ = tx.send(started);
        })
        .map_err(|e| TogetherError::Network(format!("no thread to start on: {e}")))?;
    Ok(rx)
}

/// The identity of the open file as the others will compare it, all but its hash (which is
/// made on the start-up thread).
fn identity_base(review: &Review) -> FileIdentity {
    let rate = review.player().rate();
    FileIdentity {
        sha256: String::new(),
        bytes: 0,
        frames: review.player().frame_count(),
        rate_num: rate.0.num,
        rate_den: rate.0.den,
        start: review.player().timecode().start.to_string(),
    }
}

fn identify(path: &Path, base: FileIdentity) -> Result<FileIdentity, TogetherError> {
    let sha256 = crate::persist::file_sha256(path)
        .map_err(|e| TogetherError::File(format!("{}: {e}", path.display())))?;
    let bytes = std::fs::metadata(path)
        .map_err(|e| TogetherError::File(format!("{}: {e}", path.display())))?
        .len();
    Ok(FileIdentity {
        sha256,
        bytes,
        ..base
    })
}

/// The shared transport the host's review is in now.
fn host_transport(review: &Review) -> SharedTransport {
    let snap = review.snapshot();
    let (pos, _, _) = review.player().clock();
    let rate = review.player().rate();
    let speed = match snap.transport {
        Transport::Paused => 0,
        Transport::Starting => 1,
        Transport::Playing { speed } => speed,
    };
    let now = monotonic::now_ns();
    // Stopped: on the frame shown. Running: the programme is at `pos` now, so the frame under
    // it started (pos − its start) / speed earlier (later, running backwards).
    let (frame, host_ns) = if speed == 0 {
        (snap.frame.0 as i64, now)
    } else {
        let frame = rate.frame_at_ns(pos).max(0);
        (
            frame,
            now - (pos - rate.frame_start_ns(frame)) / i64::from(speed),
        )
    };
    SharedTransport {
        frame: frame as u64,
        host_ns,
        speed,
        looping: snap.looping,
        loop_range: snap.loop_range.map(|(a, b)| (a.0, b.0)),
        ..SharedTransport::default()
    }
}

/// Carries out a transport move on this machine's review.
fn apply_control(review: &mut Review, c: ControlIntent) {
    let intent = match c {
        ControlIntent::Play => Intent::Play,
        ControlIntent::Pause => Intent::Pause,
        ControlIntent::Seek { frame } => Intent::Seek(Frame(frame)),
        ControlIntent::Step { frames } => Intent::Step(frames),
        ControlIntent::Shuttle { speed } => Intent::Shuttle(speed),
        ControlIntent::Loop {
            range: Some((a, b)),
            on,
        } => Intent::SetLoop {
            range: Some((Frame(a), Frame(b))),
            on,
        },
        ControlIntent::Loop { range: None, on } => {
            if on == review.snapshot().looping {
                return;
            }
            Intent::ToggleLoop
        }
    };
    review.apply(intent);
}

/// The transport move an intent is, in a shared review (`None`: not a transport move, such as
/// a note or a mark, which stays this participant's own).
pub fn control_for(review: &Review, intent: &Intent) -> Option<ControlIntent> {
    let last = review.player().frame_count().saturating_sub(1);
    Some(match *intent {
        Intent::TogglePlay => {
            if review.snapshot().transport == Transport::Paused {
                ControlIntent::Play
            } else {
                ControlIntent::Pause
            }
        }
        Intent::Play => ControlIntent::Play,
        Intent::Pause => ControlIntent::Pause,
        Intent::Shuttle(speed) => ControlIntent::Shuttle { speed },
        Intent::Step(frames) => ControlIntent::Step { frames },
        Intent::StepSeconds(n) => ControlIntent::Step {
            frames: n * i64::from(review.player().rate().nominal_fps()),
        },
        Intent::GoToStart => ControlIntent::Seek { frame: 0 },
        Intent::GoToEnd => ControlIntent::Seek { frame: last },
        Intent::Seek(f) => ControlIntent::Seek {
            frame: f.0.min(last),
        },
        Intent::PreviousNote(filter) => ControlIntent::Seek {
            frame: review.note_to_go_to(filter, false)?.0,
        },
        Intent::NextNote(filter) => ControlIntent::Seek {
            frame: review.note_to_go_to(filter, true)?.0,
        },
        Intent::SetLoop { range, on } => ControlIntent::Loop {
            range: range.map(|(a, b)| (a.0, b.0)),
            on,
        },
        Intent::ToggleLoop => ControlIntent::Loop {
            range: None,
            on: !review.snapshot().looping,
        },
        _ => return None,
    })
}

/// The records of the notes `events` say changed here, to send to the others.
fn shared_records(review: &Review, events: &[Event]) -> Vec<NoteRecord> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::NoteAdded(id)
            | Event::NoteChanged(id)
            | Event::NoteDeleted(id)
            | Event::NoteRestored(id) => review.note_record(*id),
            _ => None,
        })
        .collect()
}

/// Every note of this review, to bring a participant who (re)joins up to date.
fn all_records(review: &Review) -> Vec<NoteRecord> {
    review
        .notes()
        .iter()
        .filter_map(|n| review.note_record(n.id))
        .collect()
}

impl SharedReview {
    /// Hosts the open review; the invitation follows in [`Said::Invitation`] once the link is up.
    pub fn host(
        review: &Review,
        name: &str,
        relay: Relay,
        hours: u32,
    ) -> Result<Self, TogetherError> {
        let rx = start_thread(
            review.path().to_path_buf(),
            identity_base(review),
            relay.clone(),
            None,
        )?;
        Ok(Self::starting(review, name, relay, hours, rx, None))
    }

    /// Joins the review an invitation (`earmark-invite:…`) names, with this copy of the file.
    pub fn join(
        review: &Review,
        name: &str,
        relay: Relay,
        invitation: &str,
    ) -> Result<Self, TogetherError> {
        let inv = Invitation::decode(invitation, now_ms())?;
        let rx = start_thread(
            review.path().to_path_buf(),
            identity_base(review),
            relay.clone(),
            Some(inv.clone()),
        )?;
        Ok(Self::starting(review, name, relay, 0, rx, Some(inv)))
    }

    fn starting(
        review: &Review,
        name: &str,
        relay: Relay,
        hours: u32,
        rx: mpsc::Receiver<Started>,
        inv: Option<Invitation>,
    ) -> Self {
        let mut said = Vec::new();
        let log = match Dirs::system().and_then(|d| AccessLog::start(&d, name)) {
            Ok(log) => Some(log),
            Err(e) => {
                said.push(Said::Line(format!("the session is not logged: {e}")));
                None
            }
        };
        Self {
            name: name.to_owned(),
            relay,
            hours: hours.max(1),
            starting: Some((rx, inv)),
            side: None,
            log,
            media: review.path().to_path_buf(),
            said,
            presence_at: 0,
            own: None,
            ended: None,
        }
    }

    /// The session has ended for this participant (refused, removed, the host left, quit).
    pub fn ended(&self) -> Option<&str> {
        self.ended.as_deref()
    }

    pub fn hosting(&self) -> bool {
        matches!(self.side, Some(Side::Host(_))) || matches!(&self.starting, Some((_, None)))
    }

    fn log_line(&self, line: &str) {
        if let Some(l) = &self.log {
            l.record_detail(AccessEvent::Session, &self.media, line);
        }
    }

    fn end(&mut self, why: String) {
        if self.ended.is_none() {
            self.log_line(&format!("ended: {why}"));
            self.said.push(Said::Ended(why.clone()));
            self.ended = Some(why);
        }
    }

    fn invitation(&self) -> Option<String> {
        match &self.side {
            Some(Side::Host(h)) => Some(
                Invitation::new(
                    h.link.key(),
                    h.link.addr(),
                    &self.name,
                    h.host.secret(),
                    h.host.expires_ms(),
                )
                .encode(),
            ),
            _ => None,
        }
    }

    /// Whether a script may go on: a host once its invitation is out, a guest once it is in
    /// and stopped on the host's frame.
    pub fn settled(&self, review: &Review) -> bool {
        match &self.side {
            Some(Side::Host(_)) => true,
            Some(Side::Guest(g)) => {
                let snap = review.snapshot();
                *g.guest.stage() == Stage::In
                    && g.link.is_some()
                    && g.guest.transport().is_some_and(|t| {
                        t.speed == 0
                            && snap.transport == Transport::Paused
                            && snap.frame.0 == t.frame
                    })
            }
            None => false,
        }
    }

    /// Whether this participant may move the shared transport.
    pub fn has_control(&self) -> bool {
        match &self.side {
            Some(Side::Host(h)) => h.host.roster().first().is_some_and(|p| p.has_control),
            Some(Side::Guest(g)) => g.guest.has_control(),
            None => false,
        }
    }

    /// A transport move made on this machine: applied here by the host (and so sent to all),
    /// sent to the host by a guest holding control, refused with a word otherwise.
    pub fn transport(&mut self, review: &mut Review, c: ControlIntent) {
        match &mut self.side {
            Some(Side::Host(_)) => apply_control(review, c),
            Some(Side::Guest(g)) if g.guest.has_control() => {
                if let (Some(link), Some(host)) = (&g.link, g.guest.host_peer()) {
                    link.send(host, Message::Control(c));
                }
            }
            Some(Side::Guest(g)) => {
                let line = format!(
                    "the transport is {}'s: ask for control",
                    g.guest.host_name()
                );
                self.said.push(Said::Line(line));
            }
            None => self
                .said
                .push(Said::Line("the shared review is still starting".into())),
        }
    }

    /// Notes changed on this machine (the intents' `events`) go to everyone.
    pub fn share_notes(&mut self, review: &Review, events: &[Event]) {
        let records = shared_records(review, events);
        if records.is_empty() {
            return;
        }
        match &mut self.side {
            Some(Side::Host(h)) => {
                for r in records {
                    for a in h.host.note(r) {
                        if let HostAction::Send(p, m) = a {
                            h.link.send(p, m);
                        }
                    }
                }
            }
            Some(Side::Guest(g)) => {
                if let (Some(link), Some(host)) = (&g.link, g.guest.host_peer()) {
                    for r in records {
                        link.send(
                            host,
                            Message::Note {
                                record: Box::new(r),
                            },
                        );
                    }
                }
            }
            // Kept here; they reach the others when this participant is let in.
            None => {}
        }
    }

    /// Host: hands control to `name` (or back to the host's own name).
    pub fn give_control(&mut self, name: &str) {
        if let Some(Side::Host(h)) = &mut self.side {
            let actions = h.host.give_control(name);
            let lines = act(h, self.log.as_ref(), &self.media, None, actions);
            self.said.extend(lines);
        }
    }

    /// Host: removes `name`; the invitation changes, so the old one lets nobody in.
    pub fn remove(&mut self, name: &str) {
        let secret = match new_secret() {
            Ok(s) => s,
            Err(e) => {
                self.said.push(Said::Line(e.to_string()));
                return;
            }
        };
        if let Some(Side::Host(h)) = &mut self.side {
            let actions = h.host.remove(name, secret);
            let lines = act(h, self.log.as_ref(), &self.media, None, actions);
            self.said.extend(lines);
            if let Some(inv) = self.invitation() {
                self.said.push(Said::Invitation(inv));
            }
        }
    }

    /// Says the current invitation again (host).
    pub fn invite(&mut self) {
        match self.invitation() {
            Some(inv) => self.said.push(Said::Invitation(inv)),
            None => self
                .said
                .push(Said::Line("only the host hands out invitations".into())),
        }
    }

    /// Guest: asks the host for control.
    pub fn ask_control(&mut self) {
        if let Some(Side::Guest(g)) = &self.side
            && let (Some(link), Some(host)) = (&g.link, g.guest.host_peer())
        {
            link.send(host, Message::RequestControl);
            self.said.push(Said::Line("asked for control".into()));
        }
    }

    /// Leaves the session: the host ends it for everyone, a guest says goodbye.
    pub fn leave(&mut self) {
        match &mut self.side {
            Some(Side::Host(h)) => {
                let actions = h.host.leave();
                let lines = act(h, self.log.as_ref(), &self.media, None, actions);
                self.said.extend(lines);
            }
            Some(Side::Guest(g)) => {
                if let (Some(link), Some(host)) = (&g.link, g.guest.host_peer()) {
                    link.send(host, Message::Bye);
                }
            }
            None => {}
        }
        // Leaving is the reviewer's own doing: logged, not announced back to them.
        if self.ended.is_none() {
            let why = format!("{} left the review", self.name);
            self.log_line(&format!("ended: {why}"));
            self.ended = Some(why);
        }
    }

    /// Takes in what the network brought, keeps this participant with the host's transport
    /// (guest) or tells the guests where it is (host), and returns what to show. `listening`
    /// is this participant's set-up in words, for the others' presence lists.
    pub fn poll(&mut self, review: &mut Review, listening: Option<&str>) -> Vec<Said> {
        let now = monotonic::now_ns();
        self.poll_start(review, now);
        match self.side.take() {
            Some(Side::Host(mut h)) => {
                self.poll_host(&mut h, review, now, listening);
                self.side = Some(Side::Host(h));
            }
            Some(Side::Guest(mut g)) => {
                self.poll_guest(&mut g, review, now, listening);
                if self.ended.is_some() {
                    g.follower.release(review);
                }
                self.side = Some(Side::Guest(g));
            }
            None => {}
        }
        std::mem::take(&mut self.said)
    }

    fn poll_start(&mut self, review: &Review, now: i64) {
        let Some((rx, inv)) = &self.starting else {
            return;
        };
        let started = match rx.try_recv() {
            Ok(s) => s,
            Err(mpsc::TryRecvError::Empty) => return,
            Err(mpsc::TryRecvError::Disconnected) => {
                Err(TogetherError::Network("the start-up thread stopped".into()))
            }
        };
        let inv = inv.clone();
        self.starting = None;
        match (started, inv) {
            (Err(e), _) => self.end(e.to_string()),
            (Ok((link, identity)), None) => {
                let expires = now_ms() + i64::from(self.hours) * 3_600_000;
                let secret = match new_secret() {
                    Ok(s) => s,
                    Err(e) => return self.end(e.to_string()),
                };
                self.log_line(&format!("hosting as {}", self.name));
                self.side = Some(Side::Host(Box::new(HostSide {
                    host: Host::new(&self.name, identity, &secret, expires),
                    link,
                    published: host_transport(review),
                    published_at: now,
                    last_pos: None,
                })));
                if let Some(inv) = self.invitation() {
                    self.said.push(Said::Invitation(inv));
                }
            }
            (Ok((link, identity)), Some(inv)) => {
                let guest = Guest::new(&self.name, &inv.secret, identity.clone(), &inv.host_name);
                self.side = Some(Side::Guest(Box::new(GuestSide {
                    invitation: inv,
                    identity,
                    link: Some(link),
                    guest,
                    follower: Follower::default(),
                    joining: None,
                    retry_at: None,
                })));
            }
        }
    }

    fn poll_host(
        &mut self,
        h: &mut HostSide,
        review: &mut Review,
        now: i64,
        listening: Option<&str>,
    ) {
        let mut actions = Vec::new();
        while let Some(ev) = h.link.next_event(Duration::ZERO) {
            actions.extend(h.host.on_event(ev, now, now_ms()));
        }
        if now - self.presence_at >= PRESENCE_EVERY_NS {
            self.presence_at = now;
            actions.extend(h.host.presence(Presence {
                name: String::new(),
                frame: review.snapshot().frame.0,
                round_trip_ms: None,
                listening: listening.map(str::to_owned),
            }));
        }
        let lines = act(h, self.log.as_ref(), &self.media, Some(review), actions);
        self.said.extend(lines);
        review.refresh(std::time::Instant::now());
        // While the sound is still on its way the clock holds: tell the guests once it runs.
        // A running transport is told only while its clock runs: after a start or a seek the
        // clock holds on the first frame until the sound is heard, and an anchor taken then
        // would put everyone off by this output's latency.
        let (pos, clock_speed, _) = review.player().clock();
        let held = h.last_pos == Some(pos);
        h.last_pos = Some(pos);
        if review.snapshot().transport == Transport::Starting {
            return;
        }
        let t = host_transport(review);
        let rate = review.player().rate();
        // A pause stops the clock a moment before the snapshot says so: a running transport
        // anchored on a clock that stands would be stale by however long it has stood, and a
        // guest would take it for a jump and start again just as the host pauses.
        if t.speed != 0 && (held || clock_speed == 0) {
            return;
        }
        // Nor around a loop's wrap, where the clock passes from one lap's anchors to the next.
        if super::follow::near_wrap(&t, rate, pos) && t.looping == h.published.looping {
            return;
        }
        let p = h.published;
        // Where the programme is now by what was last told, and by the clock: apart by more
        // than a few ms is a jump (a seek or a step while playing, a loop's wrap).
        let told_at = |x: &SharedTransport| {
            rate.frame_start_ns(x.frame as i64) + (now - x.host_ns) * i64::from(x.speed)
        };
        // A loop's wrap is not a jump: every guest wraps by itself, on the sample.
        let apart = super::follow::loop_distance(&t, rate, told_at(&t) - told_at(&p));
        let jumped = t.speed != 0 && p.speed == t.speed && apart.abs() > JUMP_NS;
        let moved = jumped
            || t.speed != p.speed
            || (t.speed == 0 && t.frame != p.frame)
            || t.looping != p.looping
            || t.loop_range != p.loop_range;
        let stale = t.speed != 0 && now - h.published_at > REANCHOR_NS;
        if moved || stale {
            for a in h.host.transport(t) {
                if let HostAction::Send(p, m) = a {
                    h.link.send(p, m);
                }
            }
            h.published = t;
            h.published_at = now;
        }
    }

    fn poll_guest(
        &mut self,
        g: &mut GuestSide,
        review: &mut Review,
        now: i64,
        listening: Option<&str>,
    ) {
        if self.ended.is_some() {
            return;
        }
        self.rejoin(g, now);
        let Some(link) = g.link.as_ref() else {
            return;
        };
        let mut actions = g.guest.tick(now);
        while let Some(ev) = link.next_event(Duration::ZERO) {
            actions.extend(g.guest.on_event(ev));
        }
        let host = g.guest.host_peer();
        let mut lost = None;
        for a in actions {
            match a {
                GuestAction::Send(m) => {
                    if let Some(host) = host {
                        link.send(host, m);
                    }
                }
                GuestAction::Follow(_) => g.follower.host_moved(),
                GuestAction::Note(record) => {
                    let lines = take_in(review, &record);
                    self.said.extend(lines.into_iter().map(Said::Line));
                }
                GuestAction::Welcomed => {
                    // Notes written here before (or while away) merge into everyone's.
                    if let Some(host) = host {
                        for record in all_records(review) {
                            link.send(
                                host,
                                Message::Note {
                                    record: Box::new(record),
                                },
                            );
                        }
                    }
                }
                GuestAction::Notice(line) => {
                    if line.starts_with("joined ") || line.starts_with("control: ") {
                        self.log_line(&line);
                    }
                    self.said.push(Said::Line(line));
                }
                GuestAction::Ended(why) => {
                    self.end(why);
                    return;
                }
                GuestAction::Lost(why) => lost = Some(why),
            }
        }
        if let Some(why) = lost {
            // Keep working alone, paused where we were; come back by ourselves.
            review.apply(Intent::Pause);
            self.log_line(&why);
            self.said
                .push(Said::Line(format!("{why}: paused, joining again")));
            // Closing a link waits for its connections to wind down: not on this thread.
            if let Some(old) = g.link.take() {
                let _ = std::thread::Builder::new()
                    .name("together-close".into())
                    .spawn(move || drop(old));
            }
            g.retry_at = Some(now);
            return;
        }
        if let Some(me) = self.own.as_mut() {
            me.frame = review.snapshot().frame.0;
        }
        if *g.guest.stage() == Stage::In {
            if let Some(t) = g.guest.transport() {
                let mut lines = Vec::new();
                g.follower
                    .follow(review, &t, g.guest.clock(), now, &mut lines);
                self.said.extend(lines.into_iter().map(Said::Line));
            }
            if now - self.presence_at >= PRESENCE_EVERY_NS
                && let Some(host) = host
            {
                self.presence_at = now;
                let rtt = g
                    .guest
                    .clock()
                    .estimate()
                    .map(|e| u32::try_from(e.round_trip_ns / 1_000_000).unwrap_or(u32::MAX));
                let me = Presence {
                    name: self.name.clone(),
                    frame: review.snapshot().frame.0,
                    round_trip_ms: rtt,
                    listening: listening.map(str::to_owned),
                };
                self.own = Some(me.clone());
                link.send(host, Message::Presence(me));
            }
        }
    }

    /// After a lost connection: a new link (on its thread) every few seconds until one holds.
    fn rejoin(&mut self, g: &mut GuestSide, now: i64) {
        if let Some(rx) = &g.joining {
            match rx.try_recv() {
                Ok(Ok((link, _))) => {
                    g.joining = None;
                    g.retry_at = None;
                    g.link = Some(link);
                    g.follower = g.follower.rejoined();
                    g.guest = Guest::new(
                        &self.name,
                        &g.invitation.secret,
                        g.identity.clone(),
                        &g.invitation.host_name,
                    );
                }
                Ok(Err(_)) | Err(mpsc::TryRecvError::Disconnected) => {
                    g.joining = None;
                    g.retry_at = Some(now + REJOIN_EVERY_NS);
                }
                Err(mpsc::TryRecvError::Empty) => {}
            }
            return;
        }
        if g.link.is_none()
            && let Some(at) = g.retry_at
            && now >= at
        {
            // The copy is the same one; only the link is made anew.
            let identity = g.identity.clone();
            let (tx, rx) = mpsc::channel();
            let relay = self.relay.clone();
            let inv = g.invitation.clone();
            let spawned = std::thread::Builder::new()
                .name("together-rejoin".into())
                .spawn(move || {
                    let _ = tx.send(Link::join(&relay, &inv).map(|l| (l, identity)));
                });
            match spawned {
                Ok(_) => g.joining = Some(rx),
                Err(_) => g.retry_at = Some(now + REJOIN_EVERY_NS),
            }
        }
    }

    /// What the window shows of the session.
    pub fn view(&self) -> TogetherView {
        let mut v = TogetherView {
            hosting: self.hosting(),
            ended: self.ended.clone(),
            invitation: self.invitation(),
            i_have_control: self.has_control(),
            ..TogetherView::default()
        };
        let (roster, presences, host_name) = match &self.side {
            None => {
                v.state = "starting".into();
                return v;
            }
            Some(Side::Host(h)) => {
                v.requests = h.host.requests();
                v.state = "hosting".into();
                (h.host.roster(), h.host.presences(), self.name.clone())
            }
            Some(Side::Guest(g)) => {
                v.state = match g.guest.stage() {
                    _ if g.link.is_none() => {
                        format!("lost {}'s review: joining again", g.guest.host_name())
                    }
                    Stage::Knocking => format!("joining {}'s review", g.guest.host_name()),
                    Stage::In => format!("in {}'s review", g.guest.host_name()),
                    Stage::Out(why) => why.clone(),
                };
                (
                    g.guest.roster().to_vec(),
                    g.guest.presences().to_vec(),
                    g.guest.host_name().to_owned(),
                )
            }
        };
        v.host_name = host_name;
        v.seats = roster
            .iter()
            .map(|p| {
                let me = p.name == self.name && (p.id == "host") == v.hosting;
                let seen = if me && !v.hosting {
                    self.own.as_ref()
                } else {
                    presences.iter().find(|q| q.name == p.name)
                };
                Seat {
                    name: p.name.clone(),
                    host: p.id == "host",
                    control: p.has_control,
                    me,
                    frame: seen.map(|q| q.frame),
                    round_trip_ms: seen.and_then(|q| q.round_trip_ms),
                    listening: seen.and_then(|q| q.listening.clone()),
                }
            })
            .collect();
        if let Some(ended) = &self.ended {
            v.state = format!("ended: {ended}");
        }
        v
    }
}

/// Carries out the host's actions; the lines to show (each also in the access log).
fn act(
    h: &HostSide,
    log: Option<&AccessLog>,
    media: &Path,
    mut review: Option<&mut Review>,
    actions: Vec<HostAction>,
) -> Vec<Said> {
    let mut lines = Vec::new();
    for a in actions {
        match a {
            HostAction::Send(p, m) => h.link.send(p, m),
            HostAction::Close(p, why) => h.link.close(p, &why),
            HostAction::Apply(c) => {
                if let Some(r) = review.as_deref_mut() {
                    apply_control(r, c);
                }
            }
            HostAction::Note(record) => {
                if let Some(r) = review.as_deref_mut() {
                    lines.extend(take_in(r, &record).into_iter().map(Said::Line));
                }
            }
            HostAction::Joined(peer) => {
                if let Some(r) = review.as_deref() {
                    for record in all_records(r) {
                        h.link.send(
                            peer,
                            Message::Note {
                                record: Box::new(record),
                            },
                        );
                    }
                }
            }
            HostAction::Log(line) => {
                if let Some(l) = log {
                    l.record_detail(AccessEvent::Session, media, &line);
                }
                lines.push(Said::Line(line));
            }
        }
    }
    lines
}

/// Takes in a note from another participant; the line to show.
fn take_in(review: &mut Review, record: &NoteRecord) -> Vec<String> {
    match review.take_in_note(record) {
        Ok(events) if !events.is_empty() => vec![match record.live() {
            Some(n) => format!("note: {} at frame {}: {}", n.author, n.frame.0, n.text),
            None => format!("note deleted: {}", record.id()),
        }],
        Ok(_) => Vec::new(),
        Err(e) => vec![format!("a shared note could not be saved here: {e}")],
    }
}
