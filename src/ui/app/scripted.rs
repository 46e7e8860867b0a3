//! Scripted runs (`--goto`, `--play-for`, `--screenshot`, `--exit`) driven frame by frame, and
//! when the window asks to be painted again: only when something is due.

use super::*;

impl ReviewApp {
    /// Runs the script one step.
    pub(super) fn automate(&mut self, ctx: &egui::Context) {
        if self.automation.is_none() {
            return;
        }
        if let (Some(flag), Some(auto)) = (&self.shot_flag, self.automation.as_mut())
            && flag.load(Ordering::Acquire)
        {
            auto.shot_done = true;
        }
        if self.together_holds_script(ctx) {
            return;
        }
        let Some(s) = self.session.as_ref() else {
            let failure = self
                .view
                .banner
                .clone()
                .unwrap_or_else(|| "no file is open".into());
            self.fail(ctx, failure, true);
            return;
        };
        let (tc, count, now) = (
            *s.player().timecode(),
            s.player().frame_count(),
            s.snapshot().frame,
        );
        if let Some(auto) = self.automation.as_mut()
            && let Err(e) = auto.resolve(|t| crate::ui::tc_entry::parse_jump(t, &tc, now.0, count))
        {
            self.fail(ctx, e, true);
            return;
        }
        let Some(s) = self.session.as_ref() else {
            return;
        };
        let seen = Observed {
            clock_frame: s.snapshot().frame.0,
            painted: s.picture.frame(),
            has_video: s.snapshot().has_video,
            stopped: s.snapshot().transport == Transport::Paused,
            trouble: s.snapshot().message.is_some(),
        };
        let Some(auto) = self.automation.as_mut() else {
            return;
        };
        let step = auto.step(seen);
        if let Some((after_seek, after_launch)) = auto.goto_times.take() {
            eprintln!(
                "goto: frame {} ({}) on screen {:.1} ms after the go-to, {:.0} ms after launch",
                seen.clock_frame,
                s.snapshot().timecode,
                after_seek.as_secs_f64() * 1000.0,
                after_launch.as_secs_f64() * 1000.0
            );
        }
        let mut failed = None;
        match step {
            Some(Step::Seek(f)) => s.player().send(Command::Seek(Frame(f))),
            Some(Step::Play) => s.player().send(Command::Play),
            Some(Step::Stop) => {
                s.player().send(Command::Pause);
                let snap = s.player().snapshot();
                eprintln!(
                    "played: {} dropped frames, {} samples of sound dropout",
                    snap.dropped_frames, snap.underrun_frames
                );
                eprintln!(
                    "sound: {}",
                    snap.audio_label.as_deref().unwrap_or("none (picture only)")
                );
                eprintln!("{}", self.stats.summary());
            }
            Some(Step::Screenshot(path)) => {
                let ctx2 = ctx.clone();
                let result = self.result.clone();
                let done = Arc::new(AtomicBool::new(false));
                self.shot_flag = Some(done.clone());
                // Where the picture sits in the screenshot, in pixels (for tests and support).
                let ppp = ctx.pixels_per_point();
                let shown = s
                    .picture
                    .frame()
                    .map(|f| format!(" of frame {f}"))
                    .unwrap_or_default();
                let area = self
                    .view
                    .picture_rect
                    .map(|r| {
                        format!(
                            " (picture at {:.0},{:.0} size {:.0}x{:.0} px)",
                            r.min.x * ppp,
                            r.min.y * ppp,
                            r.width() * ppp,
                            r.height() * ppp
                        )
                    })
                    .unwrap_or_default();
                ctx.request_screenshot(move |image| {
                    match crate::ui::screenshot::save(&image, &path) {
                        Ok(()) => eprintln!("screenshot: {}{shown}{area}", path.display()),
                        Err(e) => {
                            if let Ok(mut r) = result.lock() {
                                r.failure = Some(format!(
                                    "could not save screenshot {}: {e}",
                                    path.display()
                                ));
                            }
                        }
                    }
                    done.store(true, Ordering::Release);
                    ctx2.request_repaint();
                });
            }
            Some(Step::Close) => ctx.send_viewport_cmd(egui::ViewportCommand::Close),
            Some(Step::Fail(why)) => failed = Some(why),
            None => {}
        }
        if let Some(why) = failed {
            self.fail(ctx, why, false);
        }
    }

    pub(super) fn fail(&mut self, ctx: &egui::Context, why: String, bad_input: bool) {
        if let Ok(mut r) = self.result.lock() {
            r.failure = Some(why);
            r.bad_input = bad_input;
        }
        self.automation = None;
        ctx.send_viewport_cmd(egui::ViewportCommand::Close);
    }

    /// When to paint next: at the next frame while playing; soon while a picture is on its
    /// way; otherwise only on input or when the player wakes us.
    pub(super) fn schedule_repaint(&self, ctx: &egui::Context) {
        // A script polls while stopped; while playing, the frame schedule below paints often
        // enough (painting more would steal the decoder's CPU and skew what is measured).
        let stopped = self
            .session
            .as_ref()
            .is_none_or(|s| s.snapshot().transport == Transport::Paused);
        if stopped && self.automation.as_ref().is_some_and(Automation::active) {
            ctx.request_repaint_after(Duration::from_millis(4));
        }
        let Some(s) = &self.session else {
            return;
        };
        match s.snapshot().transport {
            Transport::Paused => {
                if s.snapshot().has_video && s.picture.frame() != Some(s.snapshot().frame.0) {
                    ctx.request_repaint_after(Duration::from_millis(4));
                }
            }
            Transport::Starting => ctx.request_repaint_after(Duration::from_millis(4)),
            Transport::Playing { .. } => {
                let (pos, speed, _) = s.player().clock();
                if speed == 0 {
                    ctx.request_repaint_after(Duration::from_millis(4));
                    return;
                }
                let rate = s.player().rate();
                let frame = rate.frame_at_ns(pos);
                let due = if speed > 0 {
                    rate.frame_start_ns(frame + 1)
                } else {
                    rate.frame_start_ns(frame) - 1
                };
                let wait_ns = ((due - pos) / i64::from(speed)).clamp(0, 50_000_000);
                ctx.request_repaint_after(Duration::from_nanos(wait_ns as u64));
            }
        }
    }
}
