//! A participant without a window: `earmark FILE --host --exit` or `--join INVITE --exit`. It
//! opens the review, hosts or joins, and takes commands one per line on standard input (`play`,
//! `pause`, `seek FRAME`, `step N`, `give NAME`, `remove NAME`, `invite`, `quit`); it prints
//! what happens on standard output, one line per event, for scripts and the tests: the
//! invitation, who joins and leaves, and `at frame N paused` whenever the transport settles.

use super::TogetherError;
use super::follow;
use super::guest::{Guest, GuestAction, Stage};
use super::host::{Host, HostAction};
use super::identity::FileIdentity;
use super::link::{Invitation, Link, Relay, new_secret};
use super::message::{ControlIntent, Message, SharedTransport};
use crate::notes::NoteRecord;
use crate::player::Transport;
use crate::review::{Event, Intent, Review};
use crate::security::{AccessEvent, AccessLog, Dirs};
use crate::time::{Frame, monotonic};
use std::io::Write;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Host or guest.
#[derive(Clone, Debug)]
pub enum Role {
    /// Host, with invitations lasting this many hours.
    Host { hours: u32 },
    /// Join with this invitation text.
    Join { invitation: String },
}

/// How a console participant runs.
#[derive(Clone, Debug)]
pub struct ConsoleOptions {
    pub name: String,
    pub relay: Relay,
    pub role: Role,
}

/// How the console ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConsoleEnd {
    /// `quit` or the end of the input.
    Done,
    /// The session would not have us or ended on us, in words.
    Ended(String),
}

/// How a participant's transport is asked to lead: a play is scheduled this far ahead, so
/// every participant has time to queue its sound before the shared start.
const START_LEAD_NS: i64 = 300_000_000;
/// A playing guest more than this far from the host starts again from where the host is (a
/// coarse correction: the output's own start-up time stays within it).
const DRIFT_LIMIT_NS: i64 = 250_000_000;
/// While playing, the host tells where it is this often (a fresh anchor for the guests).
const REANCHOR_NS: i64 = 1_000_000_000;

fn unix_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// The identity of the open file, as the others will compare it.
pub fn identity_of(review: &Review) -> Result<FileIdentity, TogetherError> {
    let path = review.path();
    let sha256 = crate::persist::file_sha256(path)
        .map_err(|e| TogetherError::File(format!("{}: {e}", path.display())))?;
    let bytes = std::fs::metadata(path)
        .map_err(|e| TogetherError::File(format!("{}: {e}", path.display())))?
        .len();
    let rate = review.player().rate();
    Ok(FileIdentity {
        sha256,
        bytes,
        frames: review.player().frame_count(),
        rate_num: rate.0.num,
        rate_den: rate.0.den,
        start: review.player().timecode().start.to_string(),
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

/// The commands typed since the last look, as (command, argument, line); `None` once the
/// input has ended.
fn typed(lines: &mpsc::Receiver<String>) -> Option<Vec<(String, String, String)>> {
    let mut out = Vec::new();
    loop {
        match lines.try_recv() {
            Ok(line) => {
                let trimmed = line.trim();
                if trimmed.is_empty() {
                    continue;
                }
                let (cmd, rest) = trimmed.split_once(' ').unwrap_or((trimmed, ""));
                out.push((cmd.to_lowercase(), rest.trim().to_owned(), line.clone()));
            }
            Err(mpsc::TryRecvError::Empty) => return Some(out),
            // What was typed before the input ended still counts; the end shows next time.
            Err(mpsc::TryRecvError::Disconnected) => return (!out.is_empty()).then_some(out),
        }
    }
}

fn control_of(cmd: &str, arg: &str) -> Option<ControlIntent> {
    match cmd {
        "play" => Some(ControlIntent::Play),
        "pause" | "stop" => Some(ControlIntent::Pause),
        "seek" => arg.parse().ok().map(|frame| ControlIntent::Seek { frame }),
        "step" => arg
            .parse()
            .ok()
            .map(|frames| ControlIntent::Step { frames }),
        "shuttle" => arg
            .parse()
            .ok()
            .map(|speed| ControlIntent::Shuttle { speed }),
        _ => None,
    }
}

fn apply_control(review: &mut Review, c: ControlIntent) {
    let intent = match c {
        ControlIntent::Play => Intent::Play,
        ControlIntent::Pause => Intent::Pause,
        ControlIntent::Seek { frame } => Intent::Seek(Frame(frame)),
        ControlIntent::Step { frames } => Intent::Step(frames),
        ControlIntent::Shuttle { speed } => Intent::Shuttle(speed),
        ControlIntent::Loop { .. } => Intent::ToggleLoop,
    };
    review.apply(intent);
}

/// Adds a note typed on the console, signed with the participant's name; returns the records
/// to share (the note as stored, with its per-field times).
fn add_note(review: &mut Review, name: &str, text: &str) -> Vec<NoteRecord> {
    let events = review.apply(Intent::AddNote {
        text: text.to_owned(),
        author: name.to_owned(),
        setup: None,
        category: None,
    });
    shared_records(review, &events)
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

/// Takes in a note from another participant and says so.
fn take_in(review: &mut Review, record: &NoteRecord, out: &mut impl Write) {
    match review.take_in_note(record) {
        Ok(events) if !events.is_empty() => match record.live() {
            Some(n) => say(
                out,
                &format!("note: {} at frame {}: {}", n.author, n.frame.0, n.text),
            ),
            None => say(out, &format!("note deleted: {}", record.id())),
        },
        Ok(_) => {}
        Err(e) => say(out, &format!("a shared note could not be saved here: {e}")),
    }
}

/// Prints a line for scripts (stdout, flushed at once).
fn say(out: &mut impl Write, line: &str) {
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// The access log of this machine, for the session's joins, leaves and control changes (a
/// session goes on without it, saying why).
fn access_log(name: &str, out: &mut impl Write) -> Option<AccessLog> {
    match Dirs::system().and_then(|d| AccessLog::start(&d, name)) {
        Ok(log) => Some(log),
        Err(e) => {
            say(out, &format!("the session is not logged: {e}"));
            None
        }
    }
}

/// Runs a participant until `quit`, the end of `lines`, or the session ending.
pub fn run(
    mut review: Review,
    options: &ConsoleOptions,
    lines: mpsc::Receiver<String>,
    out: &mut impl Write,
) -> Result<ConsoleEnd, TogetherError> {
    let identity = identity_of(&review)?;
    match &options.role {
        Role::Host { hours } => run_host(&mut review, options, identity, *hours, lines, out),
        Role::Join { invitation } => {
            let inv = Invitation::decode(invitation, unix_ms())?;
            run_guest(&mut review, options, identity, &inv, lines, out)
        }
    }
}

fn run_host(
    review: &mut Review,
    options: &ConsoleOptions,
    identity: FileIdentity,
    hours: u32,
    lines: mpsc::Receiver<String>,
    out: &mut impl Write,
) -> Result<ConsoleEnd, TogetherError> {
    let link = Link::host(&options.relay)?;
    let log = access_log(&options.name, out);
    let media = review.path().to_path_buf();
    if let Some(l) = &log {
        l.record_detail(
            AccessEvent::Session,
            &media,
            &format!("hosting as {}", options.name),
        );
    }
    let expires = unix_ms() + i64::from(hours) * 3_600_000;
    let mut host = Host::new(&options.name, identity, &new_secret()?, expires);
    let invite = |host: &Host| {
        Invitation::new(
            link.key(),
            link.addr(),
            &options.name,
            host.secret(),
            host.expires_ms(),
        )
        .encode()
    };
    say(out, &format!("invitation: {}", invite(&host)));
    let mut published = host_transport(review);
    let mut published_at = monotonic::now_ns();
    let mut settled = Settled::default();
    loop {
        review.refresh(Instant::now());
        let now = monotonic::now_ns();
        let mut actions = Vec::new();
        while let Some(ev) = link.next_event(Duration::ZERO) {
            actions.extend(host.on_event(ev, now, unix_ms()));
        }
        let Some(typed) = typed(&lines) else {
            return Ok(ConsoleEnd::Done);
        };
        for (cmd, arg, line) in typed {
            match cmd.as_str() {
                "quit" => return Ok(ConsoleEnd::Done),
                "invite" => say(out, &format!("invitation: {}", invite(&host))),
                "give" => actions.extend(host.give_control(&arg)),
                "remove" => actions.extend(host.remove(&arg, new_secret()?)),
                "note" => {
                    for r in add_note(review, &options.name, &arg) {
                        actions.extend(host.note(r));
                    }
                }
                _ => match control_of(&cmd, &arg) {
                    Some(c) => apply_control(review, c),
                    None => say(out, &format!("unknown command: {line}")),
                },
            }
        }
        for a in actions {
            match a {
                HostAction::Send(p, m) => link.send(p, m),
                HostAction::Close(p, why) => link.close(p, &why),
                HostAction::Apply(c) => apply_control(review, c),
                HostAction::Note(record) => take_in(review, &record, out),
                HostAction::Joined(peer) => {
                    for record in all_records(review) {
                        link.send(
                            peer,
                            Message::Note {
                                record: Box::new(record),
                            },
                        );
                    }
                }
                HostAction::Log(line) => {
                    if let Some(l) = &log {
                        l.record_detail(AccessEvent::Session, &media, &line);
                    }
                    say(out, &line);
                }
            }
        }
        review.refresh(Instant::now());
        // While the sound is still on its way the clock holds: tell the guests once it runs.
        if review.snapshot().transport == Transport::Starting {
            settled.report(review, out);
            std::thread::sleep(Duration::from_millis(5));
            continue;
        }
        let t = host_transport(review);
        let moved = t.speed != published.speed
            || (t.speed == 0 && t.frame != published.frame)
            || t.looping != published.looping
            || t.loop_range != published.loop_range;
        let stale = t.speed != 0 && now - published_at > REANCHOR_NS;
        if moved || stale {
            for a in host.transport(t) {
                if let HostAction::Send(p, m) = a {
                    link.send(p, m);
                }
            }
            published = t;
            published_at = now;
        }
        settled.report(review, out);
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Prints `at frame N paused` once each time the transport comes to rest.
#[derive(Default)]
struct Settled {
    last: Option<u64>,
}

impl Settled {
    fn report(&mut self, review: &Review, out: &mut impl Write) {
        let snap = review.snapshot();
        if snap.transport == Transport::Paused {
            if self.last != Some(snap.frame.0) {
                self.last = Some(snap.frame.0);
                say(out, &format!("at frame {} paused", snap.frame.0));
            }
        } else {
            self.last = None;
        }
    }
}

fn run_guest(
    review: &mut Review,
    options: &ConsoleOptions,
    identity: FileIdentity,
    invitation: &Invitation,
    lines: mpsc::Receiver<String>,
    out: &mut impl Write,
) -> Result<ConsoleEnd, TogetherError> {
    let link = Link::join(&options.relay, invitation)?;
    let log = access_log(&options.name, out);
    let media = review.path().to_path_buf();
    let note_session = |detail: &str| {
        if let Some(l) = &log {
            l.record_detail(AccessEvent::Session, &media, detail);
        }
    };
    let mut guest = Guest::new(
        &options.name,
        &invitation.secret,
        identity,
        &invitation.host_name,
    );
    let rate = review.player().rate();
    let mut settled = Settled::default();
    // A play waiting for its start instant (our clock), and where it starts.
    let mut follower = Follower::default();
    loop {
        review.refresh(Instant::now());
        let now = monotonic::now_ns();
        let mut actions = guest.tick(now);
        while let Some(ev) = link.next_event(Duration::ZERO) {
            actions.extend(guest.on_event(ev));
        }
        let Some(typed) = typed(&lines) else {
            return Ok(ConsoleEnd::Done);
        };
        for (cmd, arg, line) in typed {
            match cmd.as_str() {
                "quit" => {
                    if let Some(host) = guest.host_peer() {
                        link.send(host, Message::Bye);
                    }
                    return Ok(ConsoleEnd::Done);
                }
                "ask" => actions.push(GuestAction::Send(Message::RequestControl)),
                "note" => {
                    for r in add_note(review, &options.name, &arg) {
                        actions.push(GuestAction::Send(Message::Note {
                            record: Box::new(r),
                        }));
                    }
                }
                _ => match control_of(&cmd, &arg) {
                    Some(c) if guest.has_control() => {
                        actions.push(GuestAction::Send(Message::Control(c)))
                    }
                    Some(_) => say(out, "the transport is the host's: ask for control"),
                    None => say(out, &format!("unknown command: {line}")),
                },
            }
        }
        for a in actions {
            match a {
                GuestAction::Send(m) => {
                    if let Some(host) = guest.host_peer() {
                        link.send(host, m);
                    }
                }
                GuestAction::Follow(_) => follower.pending_start = None,
                GuestAction::Note(record) => take_in(review, &record, out),
                GuestAction::Welcomed => {
                    // Notes written here before (or while away) merge into everyone's.
                    if let Some(host) = guest.host_peer() {
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
                        note_session(&line);
                    }
                    say(out, &line);
                }
                GuestAction::Ended(why) => {
                    note_session(&format!("ended: {why}"));
                    say(out, &format!("ended: {why}"));
                    return Ok(ConsoleEnd::Ended(why));
                }
            }
        }
        if *guest.stage() == Stage::In
            && let Some(t) = guest.transport()
        {
            follow_host(review, &t, &guest, rate, now, &mut follower, out);
        }
        settled.report(review, out);
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// How a guest keeps up with a playing host: a play waiting for its start instant, what its
/// own start-up has been seen to take (its sound is heard that long after the play), and when
/// it last said how far from the host it runs.
#[derive(Default)]
struct Follower {
    /// Our instant to press play, and the frame it starts on.
    pending_start: Option<(i64, u64)>,
    /// Learned start-up time of this output, ns.
    startup_ns: i64,
    /// A start was made and its result is not yet looked at.
    checking: bool,
    /// When the last start (or correction) was made, and the last report.
    started_at: i64,
    reported_at: i64,
}

/// A start is looked at once it has run this long (the clock's smoothing has settled).
const CHECK_AFTER_NS: i64 = 1_000_000_000;
/// A start this far off is made again, with what it taught.
const RESTART_OVER_NS: i64 = 20_000_000;

impl Follower {
    fn forget_start(&mut self) {
        self.pending_start = None;
        self.checking = false;
    }
}

/// Moves the guest's review toward the host's transport.
fn follow_host(
    review: &mut Review,
    t: &SharedTransport,
    guest: &Guest,
    rate: crate::time::FrameRate,
    now: i64,
    f: &mut Follower,
    out: &mut impl Write,
) {
    let snap = review.snapshot().clone();
    let Some(target) = follow::target(t, guest.clock(), rate, now) else {
        return;
    };
    let playing = snap.transport != Transport::Paused;
    if target.speed == 0 {
        f.forget_start();
        if playing {
            review.apply(Intent::Pause);
        } else if snap.frame.0 != target.frame(rate) {
            review.apply(Intent::Seek(Frame(target.frame(rate))));
        }
        return;
    }
    if target.speed != 1 {
        // Shuttle: follow the speed, correct the place coarsely.
        f.forget_start();
        if snap.transport
            != (Transport::Playing {
                speed: target.speed,
            })
        {
            review.apply(Intent::Seek(Frame(target.frame(rate))));
            review.apply(Intent::Shuttle(target.speed));
        }
        return;
    }
    if playing {
        if snap.transport == Transport::Starting {
            return;
        }
        let (pos, _, _) = review.player().clock();
        // Positive: this participant is behind the host.
        let behind = target.pos_ns - pos;
        if now - f.reported_at >= 1_000_000_000 {
            f.reported_at = now;
            say(
                out,
                &format!("playing, {:+.1} ms from the host", -behind as f64 / 1e6),
            );
        }
        let check = f.checking && now - f.started_at >= CHECK_AFTER_NS;
        if check {
            f.checking = false;
        }
        if (check && behind.abs() > RESTART_OVER_NS) || behind.abs() > DRIFT_LIMIT_NS {
            // The start took longer (or shorter) than thought: learn it and start again. Three
            // quarters of the error: a start spoiled by a busy moment does not swing the next
            // one as far the other way.
            f.startup_ns = (f.startup_ns + behind * 3 / 4).clamp(0, 1_000_000_000);
            review.apply(Intent::Pause);
        }
        return;
    }
    match f.pending_start {
        None => {
            // Start together a little ahead: seek where the host will be then, and press play
            // early by this output's start-up, so its first sound is heard on time.
            let ahead = target.pos_ns + START_LEAD_NS;
            let frame = rate.frame_at_ns(ahead).max(0) as u64 + 1;
            let start_ns = rate.frame_start_ns(frame as i64);
            let when = now + START_LEAD_NS + (start_ns - ahead) - f.startup_ns;
            review.apply(Intent::Seek(Frame(frame)));
            f.pending_start = Some((when, frame));
        }
        Some((when, _)) if now >= when => {
            f.pending_start = None;
            f.checking = true;
            f.started_at = now;
            review.apply(Intent::Play);
        }
        Some(_) => {}
    }
}
