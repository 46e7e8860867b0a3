//! Scripted runs of the real window, for tests, benchmarks and support:
//! `earmark FILE --goto TC [--play-for S] [--screenshot OUT.png] [--exit]`.
//!
//! The window opens as usual; the script goes to the frame, waits until that frame is painted,
//! optionally plays for a while, then saves the window's own pixels and closes. Along the way
//! it times what a user would feel (go-to → frame on screen) and what each UI frame costs, and
//! prints both when it ends.

use crate::review::Script;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// What the script asks of the app this frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Seek(u64),
    Play,
    Stop,
    Screenshot(PathBuf),
    Close,
    /// Something went wrong: report and close with failure.
    Fail(String),
}

#[derive(Clone, Debug, PartialEq)]
enum Stage {
    Start,
    /// Waiting for `frame` to be painted.
    Seeking {
        frame: u64,
        since: Instant,
    },
    Playing {
        until: Instant,
    },
    /// Stopped; waiting for the picture to settle on the frame the clock stopped at.
    Settling {
        since: Instant,
        /// The picture on screen and since when it has not changed.
        steady: Option<(Option<u64>, Instant)>,
    },
    Shooting,
    Done,
}

/// How long a step may take before the script gives up.
const PATIENCE: Duration = Duration::from_secs(30);

/// With the player reporting trouble (a file cut short, damaged packets), the clock may stop
/// on a frame that can never be shown: the picture held this long is as settled as it gets.
const STEADY_IN_TROUBLE: Duration = Duration::from_secs(1);

/// The script's progress.
pub struct Automation {
    script: Script,
    /// The go-to target as a frame, once read against the file's timecode.
    target: Option<u64>,
    stage: Stage,
    launched: Instant,
    /// Go-to → frame painted, and launch → frame painted.
    pub goto_times: Option<(Duration, Duration)>,
    /// The screenshot was saved (or failed) and the window may close.
    pub shot_done: bool,
}

/// What the app tells the script each frame.
#[derive(Clone, Copy, Debug)]
pub struct Observed {
    /// Frame at the player's clock.
    pub clock_frame: u64,
    /// Frame painted this frame (None: no picture, e.g. sound only).
    pub painted: Option<u64>,
    pub has_video: bool,
    pub stopped: bool,
    /// The player has a message for the user (cut file, damaged packets, device lost).
    pub trouble: bool,
}

impl Automation {
    pub fn new(script: Script, launched: Instant) -> Self {
        Self {
            script,
            target: None,
            stage: Stage::Start,
            launched,
            goto_times: None,
            shot_done: false,
        }
    }

    /// Reads the go-to target with `read` (the file's timecode); the error is bad input.
    pub fn resolve(&mut self, read: impl Fn(&str) -> Result<u64, String>) -> Result<(), String> {
        if self.stage == Stage::Start
            && self.target.is_none()
            && let Some(text) = &self.script.goto
        {
            self.target = Some(read(text).map_err(|e| format!("--goto {text}: {e}"))?);
        }
        Ok(())
    }

    /// Whether the script still has work to do (the window keeps repainting until then).
    pub fn active(&self) -> bool {
        self.stage != Stage::Done
    }

    /// Advances; returns what the app should do now.
    pub fn step(&mut self, seen: Observed) -> Option<Step> {
        let now = Instant::now();
        let on_screen = |f: u64| !seen.has_video || seen.painted == Some(f);
        match self.stage.clone() {
            Stage::Start => {
                let frame = self.target.unwrap_or(seen.clock_frame);
                self.stage = Stage::Seeking { frame, since: now };
                Some(Step::Seek(frame))
            }
            Stage::Seeking { frame, since } => {
                if seen.clock_frame == frame && on_screen(frame) {
                    self.goto_times = Some((now - since, now - self.launched));
                    return self.after_goto(now);
                }
                (now - since > PATIENCE).then(|| {
                    self.stage = Stage::Done;
                    Step::Fail(format!(
                        "frame {frame} was not on screen within {} s",
                        PATIENCE.as_secs()
                    ))
                })
            }
            Stage::Playing { until } => (now >= until).then(|| {
                self.stage = Stage::Settling {
                    since: now,
                    steady: None,
                };
                Step::Stop
            }),
            Stage::Settling { since, steady } => {
                if seen.stopped && on_screen(seen.clock_frame) {
                    return self.shoot_or_finish();
                }
                let held = match steady {
                    Some((painted, from)) if painted == seen.painted => from,
                    _ => now,
                };
                if seen.stopped && seen.trouble && now - held >= STEADY_IN_TROUBLE {
                    return self.shoot_or_finish();
                }
                self.stage = Stage::Settling {
                    since,
                    steady: Some((seen.painted, held)),
                };
                (now - since > PATIENCE).then(|| {
                    self.stage = Stage::Done;
                    Step::Fail("the picture did not settle after stopping".into())
                })
            }
            Stage::Shooting => {
                if self.shot_done {
                    self.stage = Stage::Done;
                    return self.script.exit.then_some(Step::Close);
                }
                None
            }
            Stage::Done => None,
        }
    }

    fn after_goto(&mut self, now: Instant) -> Option<Step> {
        match self.script.play_ms {
            Some(ms) => {
                self.stage = Stage::Playing {
                    until: now + Duration::from_millis(ms),
                };
                Some(Step::Play)
            }
            None => self.shoot_or_finish(),
        }
    }

    fn shoot_or_finish(&mut self) -> Option<Step> {
        match self.script.screenshot.clone() {
            Some(path) => {
                self.stage = Stage::Shooting;
                Some(Step::Screenshot(path))
            }
            None => {
                self.stage = Stage::Done;
                self.script.exit.then_some(Step::Close)
            }
        }
    }
}

/// Per-frame costs of the window, kept while a script runs.
#[derive(Default)]
pub struct FrameStats {
    /// Time spent building each UI frame (µs).
    pub build_us: Vec<u32>,
    /// Time between frames while playing (µs).
    pub interval_us: Vec<u32>,
    /// Picture uploads and their cost (µs).
    pub upload_us: Vec<u32>,
    last_frame_at: Option<Instant>,
}

impl FrameStats {
    pub fn frame(&mut self, started: Instant, build: Duration, playing: bool) {
        if playing {
            if let Some(last) = self.last_frame_at {
                self.interval_us.push((started - last).as_micros() as u32);
            }
            self.build_us.push(build.as_micros() as u32);
            self.last_frame_at = Some(started);
        } else {
            self.last_frame_at = None;
        }
    }

    /// One line for the log: median and p99 of each measure.
    pub fn summary(&self) -> String {
        fn pct(v: &[u32], p: f64) -> f64 {
            if v.is_empty() {
                return 0.0;
            }
            let mut s = v.to_vec();
            s.sort_unstable();
            let i = ((s.len() - 1) as f64 * p).round() as usize;
            s[i] as f64 / 1000.0
        }
        format!(
            "ui while playing: {} frames, build median {:.2} ms p99 {:.2} ms; frame interval median {:.2} ms p99 {:.2} ms; {} picture uploads, median {:.2} ms p99 {:.2} ms",
            self.build_us.len(),
            pct(&self.build_us, 0.5),
            pct(&self.build_us, 0.99),
            pct(&self.interval_us, 0.5),
            pct(&self.interval_us, 0.99),
            self.upload_us.len(),
            pct(&self.upload_us, 0.5),
            pct(&self.upload_us, 0.99),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(clock: u64, painted: Option<u64>, stopped: bool) -> Observed {
        Observed {
            clock_frame: clock,
            painted,
            has_video: true,
            stopped,
            trouble: false,
        }
    }

    #[test]
    fn goto_waits_for_the_painted_frame_then_shoots_and_closes() {
        let mut a = Automation::new(
            Script {
                goto: Some("#40".into()),
                screenshot: Some("x.png".into()),
                exit: true,
                ..Script::default()
            },
            Instant::now(),
        );
        a.resolve(|t| {
            t.trim_start_matches('#')
                .parse()
                .map_err(|_| "bad".to_string())
        })
        .expect("resolves");
        assert_eq!(a.step(seen(0, Some(0), true)), Some(Step::Seek(40)));
        assert_eq!(a.step(seen(40, Some(0), true)), None, "not painted yet");
        assert_eq!(a.step(seen(40, Some(39), true)), None, "wrong picture");
        assert_eq!(
            a.step(seen(40, Some(40), true)),
            Some(Step::Screenshot("x.png".into()))
        );
        assert!(a.goto_times.is_some());
        assert_eq!(a.step(seen(40, Some(40), true)), None, "shot pending");
        a.shot_done = true;
        assert_eq!(a.step(seen(40, Some(40), true)), Some(Step::Close));
        assert!(!a.active());
    }

    #[test]
    fn play_for_plays_then_stops_and_settles() {
        let mut a = Automation::new(
            Script {
                goto: None,
                play_ms: Some(0),
                exit: true,
                ..Script::default()
            },
            Instant::now(),
        );
        assert_eq!(a.step(seen(0, None, true)), Some(Step::Seek(0)));
        assert_eq!(a.step(seen(0, Some(0), true)), Some(Step::Play));
        assert_eq!(a.step(seen(5, Some(5), false)), Some(Step::Stop));
        assert_eq!(a.step(seen(9, Some(8), true)), None, "picture behind");
        assert_eq!(a.step(seen(9, Some(9), true)), Some(Step::Close));
    }

    #[test]
    fn in_trouble_a_held_picture_counts_as_settled() {
        let script = Script {
            goto: None,
            play_ms: Some(0),
            exit: true,
            ..Script::default()
        };
        let mut a = Automation::new(script.clone(), Instant::now());
        a.step(seen(0, None, true));
        a.step(seen(0, Some(0), true));
        assert_eq!(a.step(seen(5, Some(5), false)), Some(Step::Stop));
        // The file was cut at frame 30: the clock stopped at 40, the picture can never get there.
        let cut = Observed {
            trouble: true,
            ..seen(40, Some(30), true)
        };
        assert_eq!(a.step(cut), None, "not held long enough yet");
        std::thread::sleep(STEADY_IN_TROUBLE / 2);
        assert_eq!(a.step(cut), None, "still not");
        std::thread::sleep(STEADY_IN_TROUBLE);
        assert_eq!(a.step(cut), Some(Step::Close));

        // Without trouble, the same held picture is not accepted (it waits, then fails).
        let mut b = Automation::new(script, Instant::now());
        b.step(seen(0, None, true));
        b.step(seen(0, Some(0), true));
        b.step(seen(5, Some(5), false));
        b.step(seen(40, Some(30), true));
        std::thread::sleep(STEADY_IN_TROUBLE + STEADY_IN_TROUBLE / 2);
        assert_eq!(b.step(seen(40, Some(30), true)), None);
    }
}
