//! What the window tells the reviewer in words — the banner, the player's message, notes the
//! disk has not taken — also goes to stderr, once when it appears or changes. A support log
//! then holds what the reviewer was told, and scripted runs (the fault-injection tests, which
//! cannot read pixels) can check it. Lines start `notice: banner:`, `notice: player:`,
//! `notice: notes:` or `notice: level:` (the level light and its advice); `cleared` when the
//! notice went away.

use crate::review::SaveState;

/// The notices last printed, so each is printed once.
#[derive(Default)]
pub struct NoticeLog {
    banner: Option<String>,
    player: Option<String>,
    notes: Option<String>,
    level: Option<String>,
}

impl NoticeLog {
    /// Prints whichever notice changed since the last call (call once per frame).
    pub fn observe(
        &mut self,
        banner: Option<&str>,
        player: Option<&str>,
        notes: Option<&SaveState>,
    ) {
        let notes = notes_line(notes, self.notes.is_some());
        for (kind, last, now) in [
            ("banner", &mut self.banner, banner.map(str::to_owned)),
            ("player", &mut self.player, player.map(str::to_owned)),
            ("notes", &mut self.notes, notes),
        ] {
            if let Some(line) = change(kind, last, now) {
                eprintln!("{line}");
            }
        }
    }
}

impl NoticeLog {
    /// Prints the level light's line when its colour changed (`light`: its words), with the
    /// advice of that moment (the advice alone moves with every percent of level).
    pub fn observe_level(&mut self, light: Option<&str>, advice: Option<&str>) {
        if change("level", &mut self.level, light.map(str::to_owned)).is_some() {
            match (light, advice) {
                (Some(l), Some(a)) => eprintln!("notice: level: {l}. {a}"),
                (Some(l), None) => eprintln!("notice: level: {l}"),
                (None, _) => eprintln!("notice: level: cleared"),
            }
        }
    }
}

/// The notes line: only trouble, and the all-clear that follows it (a plain "saved" on every
/// open would be noise).
fn notes_line(state: Option<&SaveState>, had_trouble: bool) -> Option<String> {
    match state? {
        SaveState::Unsaved(n, why) => Some(format!(
            "{n} not saved yet, kept in memory and retried every 2 s ({why})"
        )),
        SaveState::Saved if had_trouble => Some("all saved".into()),
        SaveState::Saved | SaveState::NotKept => None,
    }
}

/// The line to print when `now` differs from `last` (which it then becomes).
fn change(kind: &str, last: &mut Option<String>, now: Option<String>) -> Option<String> {
    if *last == now {
        return None;
    }
    let line = match &now {
        Some(text) => format!("notice: {kind}: {text}"),
        None => format!("notice: {kind}: cleared"),
    };
    *last = now;
    Some(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_notice_once_then_cleared() {
        let mut last = None;
        assert_eq!(
            change("banner", &mut last, Some("disk full".into())).as_deref(),
            Some("notice: banner: disk full")
        );
        assert_eq!(change("banner", &mut last, Some("disk full".into())), None);
        assert_eq!(
            change("banner", &mut last, None).as_deref(),
            Some("notice: banner: cleared")
        );
        assert_eq!(change("banner", &mut last, None), None);
    }

    #[test]
    fn notes_speak_of_trouble_and_of_its_end_only() {
        assert_eq!(notes_line(Some(&SaveState::Saved), false), None);
        let unsaved = SaveState::Unsaved(2, "No space left on device".into());
        let line = notes_line(Some(&unsaved), false).expect("trouble is told");
        assert!(line.starts_with("2 not saved yet"), "{line}");
        assert!(line.contains("No space left on device"), "{line}");
        assert_eq!(
            notes_line(Some(&SaveState::Saved), true).as_deref(),
            Some("all saved")
        );
    }
}
