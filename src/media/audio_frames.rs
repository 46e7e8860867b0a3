//! FFmpeg's audio decoders for the sound symphonia cannot decode: LPCM in every QuickTime
//! flavour (`in24`, `in32`, `sowt`, `twos`, `fl32`, `lpcm`…), AAC other than stereo LC (Main,
//! HE, HE v2, 5.1/7.1), and the other codecs facilities send. Packets in (as plain data from
//! [`AudioPackets`]), interleaved f32 out, with each frame's position, so the caller trims at the
//! sample exactly as it does for symphonia's output.
//!
//! FFmpeg is asked to skip nothing (`flags2=+skip_manual`): the demuxer's priming marks would
//! otherwise be applied twice, once by the decoder and once by the caller's trim.

use super::audio_packets::{AudioPacket, AudioPackets};
use super::error::MediaError;
use ffmpeg_next as ffmpeg;
use std::path::{Path, PathBuf};

/// One decoded frame's shape; its samples were appended to the caller's buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodedFrame {
    /// Position of the first sample, in samples of the *stream's* rate (the packet's clock);
    /// `None` when FFmpeg gave the frame no timestamp (the caller continues from the last).
    pub pts: Option<i64>,
    /// Frames (samples per channel) appended.
    pub frames: usize,
    /// The rate and channel count the decoder produced (HE-AAC doubles the stream's rate,
    /// HE-AAC v2 makes stereo of a mono core).
    pub rate: u32,
    pub channels: u16,
}

/// A packet the decoder refused: its span is missing from the sound.
#[derive(Debug)]
pub struct DamagedPacket;

/// One stream's FFmpeg decoder.
pub struct FfmpegAudioDecoder {
    path: PathBuf,
    decoder: ffmpeg::decoder::Audio,
    frame: ffmpeg::frame::Audio,
}

impl FfmpegAudioDecoder {
    /// A decoder for the stream in `slot` of `packets`.
    pub fn new(packets: &AudioPackets, slot: usize, path: &Path) -> Result<Self, MediaError> {
        let err = |reason: String| MediaError::Ffmpeg {
            path: path.to_path_buf(),
            doing: "opening the sound decoder",
            reason,
        };
        let params = packets
            .params(slot)
            .ok_or_else(|| err(format!("no stream in slot {slot}")))?;
        let id = params.id();
        let codec = ffmpeg::decoder::find(id)
            .ok_or_else(|| err(format!("no decoder for {id:?} in this FFmpeg")))?;
        let ctx = ffmpeg::codec::Context::from_parameters(params.clone())
            .map_err(|e| err(e.to_string()))?;
        let mut options = ffmpeg::Dictionary::new();
        options.set("flags2", "+skip_manual");
        let decoder = ctx
            .decoder()
            .open_as_with(codec, options)
            .and_then(|o| o.audio())
            .map_err(|e| err(e.to_string()))?;
        Ok(Self {
            path: path.to_path_buf(),
            decoder,
            frame: ffmpeg::frame::Audio::empty(),
        })
    }

    /// Feeds one packet. `Err` when the decoder refused it as damaged.
    pub fn send(&mut self, p: &AudioPacket) -> Result<(), DamagedPacket> {
        let mut packet = ffmpeg::Packet::copy(&p.data);
        packet.set_pts(Some(p.pts));
        packet.set_dts(Some(p.pts));
        packet.set_duration(p.duration);
        match self.decoder.send_packet(&packet) {
            Ok(()) => Ok(()),
            Err(ffmpeg::Error::Other {
                errno: ffmpeg::util::error::EAGAIN,
            }) => Ok(()),
            Err(_) => Err(DamagedPacket),
        }
    }

    /// The next decoded frame, its samples appended to `out` as interleaved f32. `None` when
    /// the decoder needs another packet.
    pub fn receive(&mut self, out: &mut Vec<f32>) -> Option<DecodedFrame> {
        loop {
            if self.decoder.receive_frame(&mut self.frame).is_err() {
                return None;
            }
            let frames = self.frame.samples();
            let channels = self.frame.channels();
            if frames == 0 || channels == 0 {
                continue;
            }
            if !append_interleaved(&self.frame, out) {
                // A sample format this build cannot read: skip the frame rather than guess.
                continue;
            }
            return Some(DecodedFrame {
                pts: self.frame.pts(),
                frames,
                rate: self.frame.rate(),
                channels,
            });
        }
    }

    /// Forgets everything buffered (after a seek).
    pub fn flush(&mut self) {
        self.decoder.flush();
    }

    /// The file, for messages.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Appends the frame's samples to `out` as interleaved f32; false for an unknown format.
fn append_interleaved(frame: &ffmpeg::frame::Audio, out: &mut Vec<f32>) -> bool {
    use ffmpeg::format::Sample;
    use ffmpeg::format::sample::Type;
    let n = frame.samples();
    let ch = usize::from(frame.channels());
    let format = frame.format();
    let (bytes, planar) = match format {
        Sample::U8(t) => (1, t == Type::Planar),
        Sample::I16(t) => (2, t == Type::Planar),
        Sample::I32(t) | Sample::F32(t) => (4, t == Type::Planar),
        Sample::I64(t) | Sample::F64(t) => (8, t == Type::Planar),
        Sample::None => return false,
    };
    let convert = |b: &[u8]| -> f32 {
        match format {
            Sample::U8(_) => (f32::from(b[0]) - 128.0) / 128.0,
            Sample::I16(_) => f32::from(i16::from_ne_bytes([b[0], b[1]])) / 32_768.0,
            Sample::I32(_) => {
                (i32::from_ne_bytes([b[0], b[1], b[2], b[3]]) as f64 / 2_147_483_648.0) as f32
            }
            Sample::I64(_) => {
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                (i64::from_ne_bytes(a) as f64 / 9_223_372_036_854_775_808.0) as f32
            }
            Sample::F32(_) => f32::from_ne_bytes([b[0], b[1], b[2], b[3]]),
            Sample::F64(_) => {
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                f64::from_ne_bytes(a) as f32
            }
            Sample::None => 0.0,
        }
    };
    let planes = frame.planes();
    if planes == 0 || (planar && planes < ch) {
        return false;
    }
    let start = out.len();
    out.reserve(n * ch);
    if planar {
        let data: Vec<&[u8]> = (0..ch).map(|c| frame.data(c)).collect();
        if data.iter().any(|d| d.len() < n * bytes) {
            return false;
        }
        for i in 0..n {
            for d in &data {
                out.push(convert(&d[i * bytes..(i + 1) * bytes]));
            }
        }
    } else {
        let d = frame.data(0);
        if d.len() < n * ch * bytes {
            return false;
        }
        out.extend(d[..n * ch * bytes].chunks_exact(bytes).map(convert));
    }
    debug_assert_eq!(out.len() - start, n * ch);
    true
}
