//! Which sound of a file plays: one track, two mono tracks as left and right, or Earmark's
//! pick — the stereo mix before an M&E or a 5.1, a split-mono pair when the file has only mono
//! tracks named (or ordered) as left and right.

use super::error::AudioError;
use crate::media::AudioTrack;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What the user asked for (or `Auto`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AudioChoice {
    #[default]
    Auto,
    /// Track N (1-based among the sound tracks).
    Track(u16),
    /// Two mono tracks: the first as left, the second as right.
    Pair(u16, u16),
}

impl fmt::Display for AudioChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Auto => f.write_str("auto"),
            Self::Track(n) => write!(f, "{n}"),
            Self::Pair(a, b) => write!(f, "{a}+{b}"),
        }
    }
}

impl FromStr for AudioChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let bad =
            || format!("`{s}`: a sound track is `auto`, a number (2), or two mono tracks (1+2)");
        if s.eq_ignore_ascii_case("auto") {
            return Ok(Self::Auto);
        }
        let num = |t: &str| t.trim().parse::<u16>().ok().filter(|n| *n >= 1);
        match s.split_once('+') {
            Some((a, b)) => match (num(a), num(b)) {
                (Some(a), Some(b)) if a != b => Ok(Self::Pair(a, b)),
                _ => Err(bad()),
            },
            None => num(s).map(Self::Track).ok_or_else(bad),
        }
    }
}

/// A choice made concrete for one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// The tracks that play (one, or the left and right of a pair).
    pub tracks: Vec<AudioTrack>,
    /// How many sound tracks the file has.
    pub of: usize,
    /// What was asked (an `Auto` stays `Auto`; the tracks say what it became).
    pub choice: AudioChoice,
}

impl Resolved {
    /// FFmpeg stream numbers to open.
    pub fn streams(&self) -> Vec<usize> {
        self.tracks.iter().map(|t| t.stream_index).collect()
    }

    /// "Track 2 of 3" / "Tracks 1+2 of 2".
    pub fn which(&self) -> String {
        match self.tracks.as_slice() {
            [t] => format!("Track {} of {}", t.track, self.of),
            [a, b] => format!("Tracks {}+{} of {}", a.track, b.track, self.of),
            _ => String::new(),
        }
    }

    /// True for two mono tracks joined as left and right.
    pub fn is_pair(&self) -> bool {
        self.tracks.len() == 2
    }
}

/// Turns `choice` into tracks of this file. Errors name the file's tracks when the choice does
/// not fit them.
pub fn resolve(choice: AudioChoice, tracks: &[AudioTrack]) -> Result<Resolved, AudioError> {
    let of = tracks.len();
    let listing = || {
        tracks
            .iter()
            .map(|t| format!("{} ({})", t.track, t.label()))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let get = |n: u16| {
        tracks
            .iter()
            .find(|t| t.track == n)
            .cloned()
            .ok_or_else(|| AudioError::NoSuchTrack {
                track: n,
                of,
                listing: listing(),
            })
    };
    let picked = match choice {
        AudioChoice::Track(n) => vec![get(n)?],
        AudioChoice::Pair(a, b) => {
            let (a, b) = (get(a)?, get(b)?);
            if a.channels != 1 || b.channels != 1 {
                return Err(AudioError::PairNotMono {
                    a: a.track,
                    a_layout: a.layout_name,
                    b: b.track,
                    b_layout: b.layout_name,
                });
            }
            vec![a, b]
        }
        AudioChoice::Auto => auto(tracks),
    };
    if picked.is_empty() {
        return Err(AudioError::NoTrackPicked);
    }
    Ok(Resolved {
        tracks: picked,
        of,
        choice,
    })
}

/// Earmark's pick: the stereo mix (not an M&E) first; then a split-mono pair; then the first
/// track (a 5.1 to fold down, or a lone mono).
fn auto(tracks: &[AudioTrack]) -> Vec<AudioTrack> {
    let stereo: Vec<&AudioTrack> = tracks.iter().filter(|t| t.channels == 2).collect();
    if let Some(t) = stereo
        .iter()
        .find(|t| !looks_like_stems(t))
        .or(stereo.first())
    {
        return vec![(*t).clone()];
    }
    if let Some((l, r)) = split_mono_pair(tracks) {
        return vec![l.clone(), r.clone()];
    }
    let full = tracks
        .iter()
        .find(|t| !looks_like_stems(t))
        .or(tracks.first());
    full.into_iter().cloned().collect()
}

/// Music and effects, stems or a foreign dub: not the mix under review.
fn looks_like_stems(t: &AudioTrack) -> bool {
    let Some(title) = &t.title else {
        return false;
    };
    let l = title.to_lowercase();
    [
        "m&e",
        "m+e",
        "m & e",
        "music and effects",
        "music & effects",
        "stem",
        "international",
    ]
    .iter()
    .any(|k| l.contains(k))
        || l.split(|c: char| !c.is_alphanumeric()).any(|w| w == "me")
}

/// Two mono tracks that are a stereo mix split in two: the first two mono tracks when their
/// names say left and right (or they have no names, as Avid's A1/A2 exports often do).
pub fn split_mono_pair(tracks: &[AudioTrack]) -> Option<(&AudioTrack, &AudioTrack)> {
    let mono: Vec<&AudioTrack> = tracks.iter().filter(|t| t.channels == 1).collect();
    let (a, b) = (*mono.first()?, *mono.get(1)?);
    let side = |t: &AudioTrack| t.title.as_deref().map(side_of);
    match (side(a), side(b)) {
        (Some(Some('L')), Some(Some('R'))) => Some((a, b)),
        (Some(Some('R')), Some(Some('L'))) => Some((b, a)),
        (None, None) if mono.len() == 2 => Some((a, b)),
        _ => None,
    }
}

/// 'L' or 'R' when a track's name says which side it is.
fn side_of(title: &str) -> Option<char> {
    let l = title.to_lowercase();
    let words: Vec<&str> = l
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let has = |w: &[&str]| words.iter().any(|x| w.contains(x));
    // Editors name tracks in their own language; CJK names run on without spaces
    // ("左チャンネル"), so those are looked for inside the name.
    let inside = |w: &[&str]| w.iter().any(|x| l.contains(x));
    let left = has(&[
        "left",
        "l",
        "lt",
        "a1",
        "links",
        "gauche",
        "izquierda",
        "sinistra",
        "esquerda",
        "левый",
        "лев",
        "л",
    ]) || inside(&["左", "왼쪽"]);
    let right = has(&[
        "right",
        "r",
        "rt",
        "a2",
        "rechts",
        "droite",
        "derecha",
        "destra",
        "direita",
        "правый",
        "прав",
        "п",
    ]) || inside(&["右", "오른쪽"]);
    match (left, right) {
        (true, false) => Some('L'),
        (false, true) => Some('R'),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::ChannelLayout;

    fn track(n: u16, channels: u16, title: Option<&str>) -> AudioTrack {
        let layout = ChannelLayout::usual(channels);
        AudioTrack {
            track: n,
            stream_index: n as usize,
            codec: "aac".into(),
            profile: None,
            sample_rate: 48_000,
            channels,
            layout_name: layout.name(),
            layout,
            title: title.map(str::to_owned),
            language: None,
        }
    }

    fn picked(r: &Resolved) -> Vec<u16> {
        r.tracks.iter().map(|t| t.track).collect()
    }

    #[test]
    fn choices_parse_and_print() {
        for s in ["auto", "2", "1+2"] {
            assert_eq!(
                s.parse::<AudioChoice>().map(|c| c.to_string()),
                Ok(s.to_owned())
            );
        }
        for bad in ["0", "x", "1+1", "1+", "-2"] {
            assert!(bad.parse::<AudioChoice>().is_err(), "{bad}");
        }
    }

    #[test]
    fn auto_prefers_the_stereo_mix_over_an_m_and_e_and_a_5_1() {
        let t = [
            track(1, 6, Some("5.1 mix")),
            track(2, 2, Some("M&E")),
            track(3, 2, Some("Stereo mix")),
        ];
        let r = resolve(AudioChoice::Auto, &t).expect("resolves");
        assert_eq!(picked(&r), [3]);
        assert_eq!(r.which(), "Track 3 of 3");
        let only_5_1 = [track(1, 6, None)];
        assert_eq!(
            picked(&resolve(AudioChoice::Auto, &only_5_1).expect("r")),
            [1]
        );
    }

    #[test]
    fn split_mono_is_found_by_names_or_by_two_unnamed_tracks() {
        let named = [track(1, 1, Some("Right")), track(2, 1, Some("Left"))];
        let r = resolve(AudioChoice::Auto, &named).expect("r");
        assert_eq!(picked(&r), [2, 1]);
        assert_eq!(r.which(), "Tracks 2+1 of 2");
        let unnamed = [track(1, 1, None), track(2, 1, None)];
        assert_eq!(
            picked(&resolve(AudioChoice::Auto, &unnamed).expect("r")),
            [1, 2]
        );
        // Names in other languages and scripts.
        for (l, r) in [
            ("左チャンネル", "右チャンネル"),
            ("왼쪽", "오른쪽"),
            ("Левый", "Правый"),
            ("Gauche", "Droite"),
            ("Izquierda", "Derecha"),
        ] {
            let t = [track(1, 1, Some(r)), track(2, 1, Some(l))];
            let pair = picked(&resolve(AudioChoice::Auto, &t).expect("r"));
            assert_eq!(pair, [2, 1], "{l} / {r}");
        }
        let avid = [track(1, 1, Some("A1")), track(2, 1, Some("A2"))];
        assert_eq!(
            picked(&resolve(AudioChoice::Auto, &avid).expect("r")),
            [1, 2]
        );
        // Two mono tracks named as something else are not a pair: the first plays.
        let other = [track(1, 1, Some("Dialogue")), track(2, 1, Some("Music"))];
        assert_eq!(picked(&resolve(AudioChoice::Auto, &other).expect("r")), [1]);
    }

    #[test]
    fn explicit_choices_are_checked_against_the_file() {
        let t = [track(1, 2, None), track(2, 1, None), track(3, 1, None)];
        assert_eq!(
            picked(&resolve(AudioChoice::Pair(2, 3), &t).expect("r")),
            [2, 3]
        );
        let e = resolve(AudioChoice::Track(4), &t).expect_err("no track 4");
        assert!(e.to_string().contains("no sound track 4"), "{e}");
        let e = resolve(AudioChoice::Pair(1, 2), &t).expect_err("stereo in a pair");
        assert!(e.to_string().contains("only mono"), "{e}");
    }
}
