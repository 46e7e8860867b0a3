//! The review window driven through egui_kittest (AccessKit): keys, buttons and a typed
//! timecode, with the real player behind it (picture only, so no sound device is needed).
//! Each check waits for the frame the player shows, as a user waits for the picture.

use crate::common;

use common::fixture;
use earmark::player::{PlayerOptions, Transport};
use earmark::review::ReviewSetup;
use earmark::time::Frame;
use earmark::ui::ReviewApp;
use eframe::egui::{self, Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use std::time::{Duration, Instant};

/// 1920x1080 23.976 fps, 300 frames from 01:00:00:00, GOP 48 with B-frames.
const FILE: &str = "f23976_1080_g48_b.mov";

fn harness(file: &str) -> Harness<'static, ReviewApp> {
    let path = fixture(file);
    Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe(move |cc| {
            ReviewApp::new(
                &cc.egui_ctx,
                ReviewSetup {
                    file: Some(path),
                    player: PlayerOptions {
                        no_audio: true,
                        ..PlayerOptions::default()
                    },
                    // Named, so the first note does not ask who is reviewing.
                    settings: earmark::settings::Settings {
                        reviewer: "Kai".into(),
                        ..earmark::settings::Settings::default()
                    },
                    ..ReviewSetup::default()
                },
            )
        })
}

/// Runs frames until `done` holds (10 s at most), as the window would while the player works.
fn until(h: &mut Harness<'_, ReviewApp>, what: &str, done: impl Fn(&ReviewApp) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        h.step();
        if done(h.state()) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}: on screen {:?}, snapshot frame {:?}",
            h.state().frame_on_screen(),
            h.state().snapshot().map(|s| s.frame)
        );
        std::thread::sleep(Duration::from_millis(3));
    }
}

/// Waits until frame `n` is on screen and the player is stopped there.
fn shows(h: &mut Harness<'_, ReviewApp>, n: u64) {
    until(h, &format!("frame {n}"), |app| {
        app.frame_on_screen() == Some(n)
            && app
                .snapshot()
                .is_some_and(|s| s.frame.0 == n && s.transport == Transport::Paused)
    });
}

fn press(h: &mut Harness<'_, ReviewApp>, key: Key) {
    h.key_press(key);
    h.step();
}

fn press_with(h: &mut Harness<'_, ReviewApp>, modifiers: Modifiers, key: Key) {
    h.key_press_modifiers(modifiers, key);
    h.step();
}

#[test]
fn keyboard_transport_lands_on_exact_frames() {
    let mut h = harness(FILE);
    shows(&mut h, 0);
    for _ in 0..3 {
        press(&mut h, Key::ArrowRight);
    }
    shows(&mut h, 3);
    press(&mut h, Key::ArrowLeft);
    shows(&mut h, 2);
    press_with(&mut h, Modifiers::SHIFT, Key::ArrowRight);
    shows(&mut h, 26); // one second = 24 frames at 23.976
    press_with(&mut h, Modifiers::SHIFT, Key::ArrowLeft);
    shows(&mut h, 2);
    // K held + L / J: single frames.
    h.key_down(Key::K);
    h.step();
    press(&mut h, Key::L);
    press(&mut h, Key::L);
    h.key_up(Key::K);
    h.step();
    shows(&mut h, 4);
    h.key_down(Key::K);
    h.step();
    press(&mut h, Key::J);
    h.key_up(Key::K);
    h.step();
    shows(&mut h, 3);
    press(&mut h, Key::End);
    shows(&mut h, 299);
    press(&mut h, Key::Home);
    shows(&mut h, 0);
    // Going back from a keyframe into the previous GOP (frame 47 lies before keyframe 48).
    press(&mut h, Key::End);
    shows(&mut h, 299);
    for _ in 0..3 {
        press(&mut h, Key::ArrowLeft);
    }
    shows(&mut h, 296);
}

#[test]
fn jkl_shuttles_and_space_stops() {
    let mut h = harness(FILE);
    shows(&mut h, 0);
    press(&mut h, Key::L);
    until(&mut h, "1x play", |a| {
        a.snapshot()
            .is_some_and(|s| s.transport == Transport::Playing { speed: 1 })
    });
    press(&mut h, Key::L);
    until(&mut h, "2x", |a| {
        a.snapshot()
            .is_some_and(|s| s.transport == Transport::Playing { speed: 2 })
    });
    until(&mut h, "picture moving at 2x", |a| {
        a.frame_on_screen().is_some_and(|f| f > 20)
    });
    press(&mut h, Key::J);
    until(&mut h, "reverse", |a| {
        a.snapshot()
            .is_some_and(|s| s.transport == Transport::Playing { speed: -1 })
    });
    let going_back_from = h.state().frame_on_screen().expect("picture");
    until(&mut h, "picture moving backwards", |a| {
        a.frame_on_screen().is_some_and(|f| f + 3 < going_back_from)
    });
    press(&mut h, Key::K);
    until(&mut h, "stopped", |a| {
        a.snapshot()
            .is_some_and(|s| s.transport == Transport::Paused)
    });
    let stopped = h.state().snapshot().expect("snapshot").frame.0;
    shows(&mut h, stopped);
    press(&mut h, Key::Space);
    until(&mut h, "playing", |a| {
        a.snapshot()
            .is_some_and(|s| s.transport != Transport::Paused)
    });
    press(&mut h, Key::Space);
    until(&mut h, "stopped again", |a| {
        a.snapshot()
            .is_some_and(|s| s.transport == Transport::Paused)
    });
}

#[test]
fn typed_timecode_jumps_to_the_labelled_frame() {
    let mut h = harness(FILE);
    shows(&mut h, 0);
    // Click the timecode read-out, type a full label, Enter.
    h.get_by_label("01:00:00:00").click();
    h.step();
    h.step();
    h.get_by_role(egui::accesskit::Role::TextInput)
        .type_text("01:00:05:12");
    h.step();
    press(&mut h, Key::Enter);
    shows(&mut h, 5 * 24 + 12);
    // Digits typed straight away open the field: "1000" keeps the hour and minute on screen.
    press(&mut h, Key::Num1);
    h.step();
    h.get_by_role(egui::accesskit::Role::TextInput)
        .type_text("000");
    h.step();
    press(&mut h, Key::Enter);
    shows(&mut h, 10 * 24);
    // A label outside the file is refused with a reason, and nothing moves.
    h.get_by_label("01:00:10:00").click();
    h.step();
    h.step();
    h.get_by_role(egui::accesskit::Role::TextInput)
        .type_text("02:00:00:00");
    h.step();
    press(&mut h, Key::Enter);
    h.step();
    assert!(
        h.query_by_label_contains("after the last frame").is_some(),
        "no reason shown for a timecode past the end"
    );
    press(&mut h, Key::Escape);
    shows(&mut h, 240);
}

#[test]
fn notes_land_on_the_frame_on_screen_even_while_playing() {
    let mut h = harness(FILE);
    shows(&mut h, 0);
    // Paused: M pins a note to the frame shown; its text field takes the typing.
    h.get_by_label("1 >").click();
    h.step();
    shows(&mut h, 1);
    for _ in 0..9 {
        press(&mut h, Key::ArrowRight);
    }
    shows(&mut h, 10);
    press(&mut h, Key::M);
    h.step();
    h.get_by_role(egui::accesskit::Role::TextInput)
        .type_text("dialogue level dips");
    h.step();
    press(&mut h, Key::Escape);
    {
        let notes: Vec<(u64, String)> = h
            .state()
            .session()
            .expect("open")
            .review
            .notes()
            .iter()
            .map(|n| (n.frame.0, n.text.clone()))
            .collect();
        assert_eq!(notes, vec![(10, "dialogue level dips".to_owned())]);
    }
    // Playing: keypad Enter pins a note to the picture on screen and playback goes on.
    press(&mut h, Key::Space);
    until(&mut h, "picture moving", |a| {
        a.frame_on_screen().is_some_and(|f| f > 40)
    });
    let on_screen = h.state().frame_on_screen().expect("picture");
    h.key_press(Key::Enter);
    h.step();
    let notes: Vec<u64> = h
        .state()
        .session()
        .expect("open")
        .review
        .notes()
        .iter()
        .map(|n| n.frame.0)
        .collect();
    assert_eq!(
        notes,
        vec![10, on_screen],
        "note not at the frame on screen"
    );
    assert_ne!(
        h.state().snapshot().expect("snap").transport,
        Transport::Paused,
        "adding a note stopped playback"
    );
    // Leave the note's field, stop, and walk the notes with Up/Down.
    press(&mut h, Key::Escape);
    press(&mut h, Key::Space);
    until(&mut h, "stopped", |a| {
        a.snapshot()
            .is_some_and(|s| s.transport == Transport::Paused)
    });
    press(&mut h, Key::Home);
    shows(&mut h, 0);
    press(&mut h, Key::ArrowDown);
    shows(&mut h, 10);
    press(&mut h, Key::ArrowDown);
    shows(&mut h, on_screen);
    press(&mut h, Key::ArrowUp);
    shows(&mut h, 10);
}

#[test]
fn in_out_loop_keeps_playback_inside_the_region() {
    let mut h = harness(FILE);
    shows(&mut h, 0);
    for _ in 0..10 {
        press(&mut h, Key::ArrowRight);
    }
    shows(&mut h, 10);
    press(&mut h, Key::I);
    press_with(&mut h, Modifiers::SHIFT, Key::ArrowRight);
    shows(&mut h, 34);
    press(&mut h, Key::O);
    press_with(&mut h, Modifiers::COMMAND, Key::L);
    until(&mut h, "loop on", |a| {
        a.snapshot()
            .is_some_and(|s| s.looping && s.loop_range == Some((Frame(10), Frame(35))))
    });
    {
        let s = h.state().session().expect("open");
        let m = s.review.marks();
        assert_eq!(
            (m.mark_in.map(|f| f.0), m.mark_out.map(|f| f.0)),
            (Some(10), Some(34))
        );
    }
    press(&mut h, Key::Space);
    // Watch two passes: every picture inside [10, 34], and the wrap back to the in point.
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(8);
    while Instant::now() < deadline {
        h.step();
        if let Some(f) = h.state().frame_on_screen()
            && seen.last() != Some(&f)
        {
            seen.push(f);
        }
        std::thread::sleep(Duration::from_millis(3));
    }
    press(&mut h, Key::Space);
    let outside: Vec<u64> = seen
        .iter()
        .copied()
        .skip(1)
        .filter(|f| !(10..=34).contains(f))
        .collect();
    assert!(outside.is_empty(), "pictures outside the loop: {outside:?}");
    let wraps = seen.windows(2).filter(|w| w[1] < w[0]).count();
    assert!(wraps >= 2, "expected at least two loop wraps, saw {seen:?}");
    // Clearing the out point loops to the end of the file.
    press_with(&mut h, Modifiers::SHIFT, Key::O);
    until(&mut h, "loop to the end", |a| {
        a.snapshot()
            .is_some_and(|s| s.loop_range == Some((Frame(10), Frame(300))))
    });
}

#[test]
fn help_overlay_opens_and_closes() {
    let mut h = harness(FILE);
    shows(&mut h, 0);
    press(&mut h, Key::Questionmark);
    h.step();
    assert!(h.state().help_open());
    assert!(h.query_by_label_contains("K+L / K+J").is_some());
    press(&mut h, Key::Escape);
    h.step();
    assert!(!h.state().help_open());
}

#[test]
fn a_bad_file_is_explained_in_the_window() {
    let mut h = harness("bad_truncated_moov_last.mov");
    h.run_steps(3);
    let banner = h.state().banner().expect("a message").to_owned();
    assert!(
        banner.contains("bad_truncated_moov_last.mov"),
        "message does not name the file: {banner}"
    );
    assert!(h.query_by_label_contains("Could not open").is_some());
    // And the window still works: the good file opens over it.
    let good = fixture(FILE);
    assert!(h.state_mut().open(&good));
    shows(&mut h, 0);
    assert!(h.state().banner().is_none());
}

#[test]
fn scrubbing_the_timeline_lands_on_the_exact_frame_on_release() {
    let mut h = harness(FILE);
    shows(&mut h, 0);
    let bar = h.get_by_label("Timeline").rect();
    let at = |t: f32| egui::pos2(bar.min.x + bar.width() * t, bar.min.y + 8.0);
    let frame_at = |t: f32| (t * 299.0).round() as u64;
    h.hover_at(at(0.2));
    h.step();
    h.drag_at(at(0.2));
    h.step();
    // While dragging, the picture follows (keyframes: cheap to show) and the read-out shows
    // the frame under the pointer.
    for t in [0.3, 0.45, 0.6] {
        h.hover_at(at(t));
        h.step();
        h.step();
    }
    until(&mut h, "a keyframe near the pointer", |a| {
        a.frame_on_screen()
            .is_some_and(|f| f % 48 == 0 && f <= frame_at(0.6) && f > 0)
    });
    assert!(
        h.query_by_label(&format!(
            "01:00:{:02}:{:02}",
            frame_at(0.6) / 24,
            frame_at(0.6) % 24
        ))
        .is_some(),
        "the read-out does not follow the pointer"
    );
    h.hover_at(at(0.61));
    h.step();
    h.drop_at(at(0.61));
    h.step();
    shows(&mut h, frame_at(0.61));
    // A click jumps too.
    h.get_by_label("Timeline").hover();
    h.step();
    let mid = h.get_by_label("Timeline").rect().center();
    h.hover_at(mid);
    h.step();
    h.drag_at(mid);
    h.step();
    h.drop_at(mid);
    h.step();
    shows(&mut h, frame_at(0.5));
}

/// Ctrl+O where no file dialog can be shown (no session bus, as under `make test`) asks for the
/// path in the window and opens what is typed there; it used to do nothing, silently. Ctrl+Q
/// is in the keys list and the File menu.
#[test]
fn ctrl_o_without_a_file_dialog_asks_for_the_path_in_the_window() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none(),
        "run under scripts/with-test-env.sh, which has no session bus (no file dialog)"
    );
    let mut h = harness(FILE);
    shows(&mut h, 0);
    press_with(&mut h, Modifiers::COMMAND, Key::O);
    h.step();
    h.get_by_label_contains("No file dialog is available");
    let other = fixture("f2997df_720_g1.mov");
    // The path field has the keyboard.
    h.step();
    h.event(egui::Event::Text(other.display().to_string()));
    h.step();
    press(&mut h, Key::Enter);
    until(&mut h, "the typed file open", |app| {
        app.session().is_some_and(|s| s.review.path() == other)
    });
    assert!(
        h.query_by_label_contains("No file dialog").is_none(),
        "the ask closed"
    );
    press(&mut h, Key::Questionmark);
    assert!(h.state().help_open());
    h.get_by_label("Ctrl+Q");
}
