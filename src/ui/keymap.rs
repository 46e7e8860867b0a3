//! The keyboard, editor-style: which key does what, and the J/K/L shuttle ramp.
//!
//! Kept free of drawing so the whole map is unit-tested: the window turns egui's key events
//! into [`KeyPress`]es, [`action_for`] turns each into an [`Action`], and the app applies it.
//! Conventions follow the editors reviewers already use (see the README's key list): Space
//! play/stop, J/K/L shuttle with K+J / K+L single frames, arrows step, I/O mark, M or keypad
//! Enter add a note without stopping playback.

use eframe::egui::Key;

/// Something the reviewer asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    TogglePlay,
    /// Shuttle at this speed (−4…4, 0 stops).
    Shuttle(i32),
    /// Stop and move this many frames.
    Step(i64),
    /// Stop and move this many seconds of picture.
    StepSeconds(i64),
    GoToStart,
    GoToEnd,
    PreviousNote,
    NextNote,
    MarkIn,
    MarkOut,
    ClearIn,
    ClearOut,
    ToggleLoop,
    AddNote,
    /// Bring back the note deleted last (text fields keep Ctrl+Z for their own undo).
    Undo,
    Open,
    /// Close the window (the same as its close button: reminders still apply).
    Quit,
    Settings,
    /// Open the calibration checks.
    Calibration,
    Help,
    ToggleFullscreen,
    /// Picture at 100 % (one pixel per pixel) or fitted to the window.
    ToggleZoom,
    /// Start typing a timecode, with this digit already typed.
    TypeTimecode(Option<u8>),
    /// Close whatever is on top (help, settings, full screen).
    Escape,
}

/// One key going down, with what was held with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyPress {
    pub key: Key,
    pub shift: bool,
    /// Ctrl, or Cmd on macOS.
    pub command: bool,
    /// K is being held (K+J / K+L step single frames).
    pub k_held: bool,
    /// The key is auto-repeating (held down).
    pub repeat: bool,
}

impl KeyPress {
    pub fn plain(key: Key) -> Self {
        Self {
            key,
            shift: false,
            command: false,
            k_held: false,
            repeat: false,
        }
    }
}

/// The speed after pressing L: from stopped or reverse, 1×; then 2×, 3×, 4×.
pub fn faster_forward(speed: i32) -> i32 {
    if speed <= 0 { 1 } else { (speed + 1).min(4) }
}

/// The speed after pressing J: from stopped or forward, −1×; then −2×, −3×, −4×.
pub fn faster_reverse(speed: i32) -> i32 {
    if speed >= 0 { -1 } else { (speed - 1).max(-4) }
}

/// What `press` means while the transport runs at `speed` (0 = stopped).
pub fn action_for(press: KeyPress, speed: i32) -> Option<Action> {
    use Action as A;
    let KeyPress {
        key,
        shift,
        command,
        k_held,
        repeat,
    } = press;
    // Held keys repeat only where repeating makes sense: stepping and moving between notes.
    let repeats = matches!(
        key,
        Key::ArrowLeft | Key::ArrowRight | Key::ArrowUp | Key::ArrowDown
    ) || (k_held && matches!(key, Key::J | Key::L));
    if repeat && !repeats {
        return None;
    }
    if command {
        return match key {
            Key::L => Some(A::ToggleLoop),
            Key::O => Some(A::Open),
            Key::Q => Some(A::Quit),
            Key::Comma => Some(A::Settings),
            Key::K => Some(A::Calibration),
            Key::G => Some(A::TypeTimecode(None)),
            Key::Z => Some(A::Undo),
            _ => None,
        };
    }
    let digit = |d: u8| Some(A::TypeTimecode(Some(d)));
    match key {
        Key::Space => Some(A::TogglePlay),
        Key::J if k_held => Some(A::Step(-1)),
        Key::L if k_held => Some(A::Step(1)),
        Key::J => Some(A::Shuttle(faster_reverse(speed))),
        Key::L => Some(A::Shuttle(faster_forward(speed))),
        Key::K => Some(A::Shuttle(0)),
        Key::ArrowLeft if shift => Some(A::StepSeconds(-1)),
        Key::ArrowRight if shift => Some(A::StepSeconds(1)),
        Key::ArrowLeft => Some(A::Step(-1)),
        Key::ArrowRight => Some(A::Step(1)),
        Key::Home => Some(A::GoToStart),
        Key::End => Some(A::GoToEnd),
        Key::ArrowUp => Some(A::PreviousNote),
        Key::ArrowDown => Some(A::NextNote),
        Key::I if shift => Some(A::ClearIn),
        Key::O if shift => Some(A::ClearOut),
        Key::I => Some(A::MarkIn),
        Key::O => Some(A::MarkOut),
        Key::M | Key::Enter => Some(A::AddNote),
        Key::Questionmark | Key::F1 => Some(A::Help),
        Key::Slash if shift => Some(A::Help),
        Key::F => Some(A::ToggleFullscreen),
        Key::Z => Some(A::ToggleZoom),
        Key::Escape => Some(A::Escape),
        Key::Num0 => digit(0),
        Key::Num1 => digit(1),
        Key::Num2 => digit(2),
        Key::Num3 => digit(3),
        Key::Num4 => digit(4),
        Key::Num5 => digit(5),
        Key::Num6 => digit(6),
        Key::Num7 => digit(7),
        Key::Num8 => digit(8),
        Key::Num9 => digit(9),
        _ => None,
    }
}

/// The keys, for the help overlay: (keys, what they do).
pub const HELP: &[(&str, &str)] = &[
    ("Space", "play / stop"),
    ("L  (again: 2×, 3×, 4×)", "play forward; faster"),
    ("J  (again: −2×, −3×, −4×)", "play backward; faster"),
    ("K", "stop"),
    ("K+L / K+J", "one frame forward / back"),
    ("Left / Right", "one frame back / forward"),
    ("Shift+Left / Right", "one second back / forward"),
    ("Home / End", "first / last frame"),
    ("Up / Down", "previous / next note"),
    ("I / O", "mark in / out"),
    ("Shift+I / Shift+O", "clear in / out"),
    ("Ctrl+L", "loop in to out, on / off"),
    ("M or keypad Enter", "add a note here (playback goes on)"),
    ("Ctrl+Z", "bring back the note deleted last"),
    (
        "0–9, Ctrl+G, click the timecode",
        "type a timecode and jump",
    ),
    ("F", "full-screen picture"),
    ("Z", "picture at 100 % / fitted"),
    ("Ctrl+O", "open a file"),
    ("Ctrl+Q", "quit"),
    ("Ctrl+,", "settings"),
    (
        "Ctrl+K",
        "calibration checks (Enter next, digits answer, Space play, Esc cancel)",
    ),
    ("?", "this help"),
    ("Esc", "close help, settings or full screen"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn with_k(key: Key) -> KeyPress {
        KeyPress {
            k_held: true,
            ..KeyPress::plain(key)
        }
    }

    #[test]
    fn jkl_ramps_and_reverses() {
        let mut speed = 0;
        let mut seen = vec![];
        for _ in 0..5 {
            if let Some(Action::Shuttle(s)) = action_for(KeyPress::plain(Key::L), speed) {
                speed = s;
            }
            seen.push(speed);
        }
        assert_eq!(seen, vec![1, 2, 3, 4, 4]);
        assert_eq!(
            action_for(KeyPress::plain(Key::J), 3),
            Some(Action::Shuttle(-1))
        );
        assert_eq!(
            action_for(KeyPress::plain(Key::J), -1),
            Some(Action::Shuttle(-2))
        );
        assert_eq!(
            action_for(KeyPress::plain(Key::J), -4),
            Some(Action::Shuttle(-4))
        );
        assert_eq!(
            action_for(KeyPress::plain(Key::L), -2),
            Some(Action::Shuttle(1))
        );
        assert_eq!(
            action_for(KeyPress::plain(Key::K), 3),
            Some(Action::Shuttle(0))
        );
    }

    #[test]
    fn k_held_steps_single_frames_and_repeats() {
        assert_eq!(action_for(with_k(Key::L), 0), Some(Action::Step(1)));
        assert_eq!(action_for(with_k(Key::J), 0), Some(Action::Step(-1)));
        let repeat = KeyPress {
            repeat: true,
            ..with_k(Key::L)
        };
        assert_eq!(action_for(repeat, 0), Some(Action::Step(1)));
        // A held L alone must not ramp the shuttle on auto-repeat.
        let held_l = KeyPress {
            repeat: true,
            ..KeyPress::plain(Key::L)
        };
        assert_eq!(action_for(held_l, 1), None);
    }

    #[test]
    fn modifiers_pick_the_other_meaning() {
        let ctrl = |key| KeyPress {
            command: true,
            ..KeyPress::plain(key)
        };
        let shift = |key| KeyPress {
            shift: true,
            ..KeyPress::plain(key)
        };
        assert_eq!(action_for(ctrl(Key::L), 1), Some(Action::ToggleLoop));
        assert_eq!(action_for(ctrl(Key::O), 0), Some(Action::Open));
        assert_eq!(action_for(ctrl(Key::Comma), 0), Some(Action::Settings));
        assert_eq!(action_for(ctrl(Key::K), 0), Some(Action::Calibration));
        assert_eq!(action_for(ctrl(Key::Z), 0), Some(Action::Undo));
        assert_eq!(
            action_for(KeyPress::plain(Key::Z), 0),
            Some(Action::ToggleZoom)
        );
        assert_eq!(
            action_for(KeyPress::plain(Key::O), 0),
            Some(Action::MarkOut)
        );
        assert_eq!(action_for(shift(Key::O), 0), Some(Action::ClearOut));
        assert_eq!(
            action_for(shift(Key::ArrowRight), 0),
            Some(Action::StepSeconds(1))
        );
        assert_eq!(
            action_for(KeyPress::plain(Key::ArrowLeft), 0),
            Some(Action::Step(-1))
        );
        assert_eq!(
            action_for(KeyPress::plain(Key::Enter), 1),
            Some(Action::AddNote)
        );
        assert_eq!(
            action_for(KeyPress::plain(Key::M), 1),
            Some(Action::AddNote)
        );
        assert_eq!(
            action_for(KeyPress::plain(Key::Num7), 0),
            Some(Action::TypeTimecode(Some(7)))
        );
        assert_eq!(
            action_for(KeyPress::plain(Key::Questionmark), 0),
            Some(Action::Help)
        );
        assert_eq!(action_for(ctrl(Key::Q), 0), Some(Action::Quit));
        assert!(
            HELP.iter().any(|(k, _)| *k == "Ctrl+Q"),
            "Ctrl+Q in the keys list"
        );
    }
}
