//! Every sound track of a file, described: what `probe` lists, what the track chooser offers
//! and what split-mono detection reads (layouts and the names editors give tracks).

use super::channel_layout::ChannelLayout;
use super::container::init_ffmpeg;
use super::error::MediaError;
use super::ffi;
use ffmpeg_next as ffmpeg;
use serde::Serialize;
use std::path::Path;

/// One sound track.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AudioTrack {
    /// 1-based, in file order among the sound tracks (what a user types and sees).
    pub track: u16,
    /// FFmpeg's stream number (for opening it).
    #[serde(skip)]
    pub stream_index: usize,
    /// FFmpeg's decoder name (`aac`, `pcm_s24be`, …).
    pub codec: String,
    /// The codec profile (`LC`, `Main`, `HE`, …) when there is one.
    pub profile: Option<String>,
    pub sample_rate: u32,
    pub channels: u16,
    /// "mono", "stereo", "5.1", …
    #[serde(rename = "layout")]
    pub layout_name: String,
    #[serde(skip)]
    pub layout: ChannelLayout,
    /// The track's title, else its handler name when that is not a tool's default.
    pub title: Option<String>,
    /// ISO 639 language code, when stated (`und` is left out).
    pub language: Option<String>,
}

/// The sound tracks of `path`, in file order. Empty for a file without sound.
pub fn audio_tracks(path: &Path) -> Result<Vec<AudioTrack>, MediaError> {
    init_ffmpeg();
    if !path.exists() {
        return Err(MediaError::NotFound(path.to_path_buf()));
    }
    let input = ffi::open_input(path, ffi::StreamProbe::WhenHeaderIncomplete).map_err(|e| {
        MediaError::NotMedia {
            path: path.to_path_buf(),
            reason: e.to_string(),
        }
    })?;
    Ok(list(&input))
}

/// The sound tracks of an open file.
pub(super) fn list(input: &ffmpeg::format::context::Input) -> Vec<AudioTrack> {
    let mut out = Vec::new();
    for stream in input.streams() {
        let params = stream.parameters();
        if params.medium() != ffmpeg::media::Type::Audio {
            continue;
        }
        let id = params.id();
        let (rate, channels, mask, profile) = match ffmpeg::codec::Context::from_parameters(params)
            .ok()
            .and_then(|c| c.decoder().audio().ok())
        {
            Some(a) => (
                a.rate(),
                a.channels(),
                a.channel_layout().bits(),
                super::probe::profile_name(a.profile()),
            ),
            None => (0, 0, 0, None),
        };
        let layout = ChannelLayout::from_mask(mask, channels);
        let meta = stream.metadata();
        let title = meta
            .get("title")
            .map(str::to_owned)
            .or_else(|| meta.get("handler_name").and_then(named_handler));
        let language = meta
            .get("language")
            .filter(|l| !l.is_empty() && *l != "und")
            .map(str::to_owned);
        out.push(AudioTrack {
            track: u16::try_from(out.len() + 1).unwrap_or(u16::MAX),
            stream_index: stream.index(),
            codec: ffmpeg::decoder::find(id)
                .map(|c| c.name().to_owned())
                .unwrap_or_else(|| format!("{id:?}").to_lowercase()),
            profile,
            sample_rate: rate,
            channels,
            layout_name: layout.name(),
            layout,
            title,
            language,
        });
    }
    out
}

/// A handler name a person chose, not the one a muxer writes for every track.
fn named_handler(h: &str) -> Option<String> {
    let h = h.trim();
    let generic = [
        "SoundHandler",
        "Sound Media Handler",
        "Core Media Audio",
        "Apple Sound Media Handler",
        "Mainconcept MP4 Sound Media Handler",
        "GPAC ISO Audio Handler",
        "L-SMASH Audio Handler",
        "Sound",
        "",
    ];
    (!generic.iter().any(|g| g.eq_ignore_ascii_case(h))).then(|| h.to_owned())
}

impl AudioTrack {
    /// "M&E · stereo, AAC-LC" — how the chooser and `probe` describe it (after its number).
    pub fn label(&self) -> String {
        let mut s = String::new();
        if let Some(t) = &self.title {
            s.push_str(t);
            s.push_str(" · ");
        }
        s.push_str(&self.layout_name);
        s.push_str(", ");
        s.push_str(&codec_words(&self.codec, self.profile.as_deref()));
        s
    }
}

/// A codec in words: "AAC-LC", "HE-AAC", "PCM 24-bit", …
pub fn codec_words(codec: &str, profile: Option<&str>) -> String {
    if codec == "aac" {
        return match profile {
            Some("Low") | Some("LC") | None => "AAC-LC".into(),
            Some("HE") => "HE-AAC".into(),
            Some("HEv2") => "HE-AAC v2".into(),
            Some(p) => format!("AAC {p}"),
        };
    }
    if let Some(rest) = codec.strip_prefix("pcm_") {
        let bits: String = rest.chars().filter(char::is_ascii_digit).collect();
        let float = rest.starts_with('f');
        return match (bits.is_empty(), float) {
            (true, _) => format!("PCM {rest}"),
            (false, true) => format!("PCM {bits}-bit float"),
            (false, false) => format!("PCM {bits}-bit"),
        };
    }
    codec.to_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codecs_in_words() {
        assert_eq!(codec_words("aac", Some("Low")), "AAC-LC");
        assert_eq!(codec_words("aac", Some("HE")), "HE-AAC");
        assert_eq!(codec_words("aac", Some("Main")), "AAC Main");
        assert_eq!(codec_words("pcm_s24be", None), "PCM 24-bit");
        assert_eq!(codec_words("pcm_f32le", None), "PCM 32-bit float");
        assert_eq!(codec_words("mp3", None), "MP3");
    }

    #[test]
    fn default_handler_names_are_not_titles() {
        assert_eq!(named_handler("SoundHandler"), None);
        assert_eq!(named_handler("Left"), Some("Left".into()));
    }
}
