//! A participant without a window: `earmark FILE --host --exit` or `--join INVITE --exit`. It
//! opens the review, hosts or joins, and takes commands one per line on standard input (`play`,
//! `pause`, `seek FRAME`, `step N`, `shuttle N`, `loop IN OUT` / `loop off`, `note TEXT`, `give NAME`, `remove NAME`, `invite`,
//! `ask`, `who`, `quit`); it prints
//! what happens on standard output, one line per event, for scripts and the tests: the
//! invitation, who joins and leaves, and `at frame N paused` whenever the transport settles.

use super::TogetherError;
use super::link::Relay;
use super::message::ControlIntent;
use super::session::{Said, Seat, SharedReview};
use crate::player::Transport;
use crate::review::{Intent, Review};
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
        // `loop IN OUT` (frames, both shown) or `loop off`.
        "loop" if arg == "off" => Some(ControlIntent::Loop {
            range: None,
            on: false,
        }),
        "loop" => {
            let (a, b) = arg.split_once(' ')?;
            let (a, b): (u64, u64) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
            (a <= b).then_some(ControlIntent::Loop {
                range: Some((a, b + 1)),
                on: true,
            })
        }
        _ => None,
    }
}

/// Runs a participant until `quit`, the end of `lines`, or the session ending.
pub fn run(
    mut review: Review,
    options: &ConsoleOptions,
    lines: mpsc::Receiver<String>,
    out: &mut impl Write,
) -> Result<ConsoleEnd, TogetherError> {
    let review = &mut review;
    let mut shared = match &options.role {
        Role::Host { hours } => {
            SharedReview::host(review, &options.name, options.relay.clone(), *hours)?
        }
        Role::Join { invitation } => {
            SharedReview::join(review, &options.name, options.relay.clone(), invitation)?
        }
    };
    let mut settled = Settled::default();
    loop {
        review.refresh(Instant::now());
        let Some(typed) = typed(&lines) else {
            shared.leave();
            return Ok(ConsoleEnd::Done);
        };
        for (cmd, arg, line) in typed {
            match cmd.as_str() {
                "quit" => {
                    shared.leave();
                    // The goodbyes go out before the link closes.
                    for s in shared.poll(review, None) {
                        print_said(out, &s);
                    }
                    return Ok(ConsoleEnd::Done);
                }
                "invite" => shared.invite(),
                "give" => shared.give_control(&arg),
                "remove" => shared.remove(&arg),
                "ask" => shared.ask_control(),
                "who" => {
                    for seat in shared.view().seats {
                        say(out, &seat_line(&seat));
                    }
                }
                "note" => {
                    let events = review.apply(Intent::AddNote {
                        text: arg.clone(),
                        author: options.name.clone(),
                        setup: None,
                        category: None,
                    });
                    shared.share_notes(review, &events);
                }
                _ => match control_of(&cmd, &arg) {
                    Some(c) => shared.transport(review, c),
                    None => say(out, &format!("unknown command: {line}")),
                },
            }
        }
        // Without a window no headphones are declared: the others see the output at least.
        let listening = review.snapshot().device.clone().map(|device| {
            crate::notes::ListeningSetup {
                device: Some(device),
                ..crate::notes::ListeningSetup::default()
            }
            .summary()
        });
        for s in shared.poll(review, listening.as_deref()) {
            if let Said::Ended(why) = print_said(out, &s) {
                return Ok(ConsoleEnd::Ended(why));
            }
        }
        settled.report(review, out);
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// One participant on one line: `seat: Jo (host) (control), frame 120, 3 ms, listening …`.
fn seat_line(seat: &Seat) -> String {
    format!(
        "seat: {}{}{}, frame {}, {}, {}",
        seat.name,
        if seat.host { " (host)" } else { "" },
        if seat.control { " (control)" } else { "" },
        seat.frame.map_or_else(|| "?".into(), |f| f.to_string()),
        seat.round_trip_ms
            .map_or_else(|| "round trip ?".into(), |ms| format!("round trip {ms} ms")),
        seat.listening.as_deref().map_or_else(
            || "listening not told".into(),
            |l| format!("listening on {l}")
        ),
    )
}

/// Prints what the session said; gives back an end.
fn print_said(out: &mut impl Write, s: &Said) -> Said {
    match s {
        Said::Line(l) => say(out, l),
        Said::Invitation(i) => say(out, &format!("invitation: {i}")),
        Said::Ended(why) => say(out, &format!("ended: {why}")),
    }
    s.clone()
}

/// Prints a line for scripts (stdout, flushed at once).
fn say(out: &mut impl Write, line: &str) {
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
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
