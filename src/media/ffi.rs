//! The only `unsafe` in Earmark: a few FFmpeg calls that ffmpeg-next does not wrap.
//!
//! - the demuxer's sample index (every video sample's position, DTS and keyframe flag, which the
//!   MOV demuxer builds from `stbl` at open without reading media data);
//! - a seek in the stream's own timebase (`av_seek_frame` with `AVSEEK_FLAG_BACKWARD`), so the
//!   target is exact ticks rather than microseconds rounded through `AV_TIME_BASE`;
//! - opening a file without FFmpeg's stream probe when the QuickTime/MP4 header already says
//!   everything (the probe decodes pictures: ~75 ms of every open on a 1080p file), and with
//!   paths that are not UTF-8 (ffmpeg-next's `format::input` panics on those);
//! - the YUV→RGB matrix and range of a swscale context (BT.709 vs BT.601, limited vs full);
//! - the decoder's damage flags on a decoded picture (concealed or corrupt data);
//! - reading the next packet into a reused `Packet` without leaking the one it held
//!   (ffmpeg-next's `Packet::read` does leak it).
#![allow(unsafe_code)]

use ffmpeg::ffi;
use ffmpeg_next as ffmpeg;
use std::ffi::CString;
use std::path::Path;

/// How much FFmpeg should learn about the streams at open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamProbe {
    /// Always run the stream probe: profile, pixel format and bit rate are known (for reports).
    Always,
    /// Skip it when the QuickTime/MP4 header gives each stream its codec, picture size and
    /// rate, or sample rate and channels: all that playback reads (start-up is ~75 ms faster).
    WhenHeaderIncomplete,
}

/// Opens `path` for demuxing. The stream probe (`avformat_find_stream_info`, which decodes a
/// few packets of every stream) runs as `probe` says.
pub fn open_input(
    path: &Path,
    probe: StreamProbe,
) -> Result<ffmpeg::format::context::Input, ffmpeg::Error> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = CString::new(path.as_os_str().as_bytes())
        .map_err(|_| ffmpeg::Error::Other { errno: EINVAL })?;
    // SAFETY: `ps` starts null, as avformat_open_input requires; on success it owns a context
    // that we either hand to `Input::wrap` (which closes it on drop) or close here on error.
    // The stream and codec-parameter pointers are read while the context is alive.
    unsafe {
        let mut ps: *mut ffi::AVFormatContext = std::ptr::null_mut();
        let r = ffi::avformat_open_input(
            &mut ps,
            c_path.as_ptr(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        );
        if r < 0 {
            return Err(ffmpeg::Error::from(r));
        }
        if probe == StreamProbe::Always || !header_is_complete(ps) {
            let r = ffi::avformat_find_stream_info(ps, std::ptr::null_mut());
            if r < 0 {
                ffi::avformat_close_input(&mut ps);
                return Err(ffmpeg::Error::from(r));
            }
        }
        Ok(ffmpeg::format::context::Input::wrap(ps))
    }
}

/// POSIX `EINVAL`: a path with a NUL byte in it cannot be handed to FFmpeg.
const EINVAL: i32 = 22;

/// A QuickTime/MP4 context whose every video and audio stream is fully described.
///
/// # Safety
/// `ps` must point at an open format context.
unsafe fn header_is_complete(ps: *mut ffi::AVFormatContext) -> bool {
    // SAFETY: the caller guarantees `ps` is open; its streams and their parameters live as
    // long as it does.
    unsafe {
        let fmt = (*ps).iformat;
        if fmt.is_null() || (*fmt).name.is_null() {
            return false;
        }
        let name = std::ffi::CStr::from_ptr((*fmt).name).to_bytes();
        if !name.starts_with(b"mov,mp4") {
            return false;
        }
        let n = (*ps).nb_streams as usize;
        if n == 0 {
            return false;
        }
        for i in 0..n {
            let st = *(*ps).streams.add(i);
            let par = (*st).codecpar;
            if st.is_null() || par.is_null() {
                return false;
            }
            let p = &*par;
            let complete = match p.codec_type {
                ffi::AVMediaType::AVMEDIA_TYPE_VIDEO => {
                    p.codec_id != ffi::AVCodecID::AV_CODEC_ID_NONE
                        && p.width > 0
                        && p.height > 0
                        && (*st).avg_frame_rate.num > 0
                }
                ffi::AVMediaType::AVMEDIA_TYPE_AUDIO => {
                    p.codec_id != ffi::AVCodecID::AV_CODEC_ID_NONE
                        && p.sample_rate > 0
                        && p.ch_layout.nb_channels > 0
                }
                _ => true,
            };
            if !complete {
                return false;
            }
        }
        true
    }
}

/// One entry of the demuxer's index for a stream.
#[derive(Clone, Copy, Debug)]
pub struct IndexEntry {
    /// Byte position of the sample in the file.
    pub pos: i64,
    /// Decode timestamp in the stream's timebase.
    pub dts: i64,
    /// Sample size in bytes.
    pub size: i64,
    /// A random-access (sync) sample.
    pub keyframe: bool,
    /// Marked by the demuxer as outside the edit list (decoded for reference, never shown).
    pub discard: bool,
}

/// The demuxer's index for the stream, in decode order.
pub fn index_entries(
    input: &ffmpeg::format::context::Input,
    stream_index: usize,
) -> Vec<IndexEntry> {
    let Some(stream) = input.stream(stream_index) else {
        return Vec::new();
    };
    // SAFETY: `stream.as_ptr()` points at a stream owned by `input`, alive for this borrow. The
    // index accessors only read the stream's index array; each returned entry pointer is valid
    // until the next demuxer call, and we copy out of it immediately.
    unsafe {
        let st = stream.as_ptr() as *mut ffi::AVStream;
        let count = ffi::avformat_index_get_entries_count(st).max(0);
        let mut out = Vec::with_capacity(count as usize);
        for i in 0..count {
            let e = ffi::avformat_index_get_entry(st, i);
            if e.is_null() {
                break;
            }
            let flags = (*e).flags();
            out.push(IndexEntry {
                pos: (*e).pos,
                dts: (*e).timestamp,
                size: (*e).size() as i64,
                keyframe: flags & ffi::AVINDEX_KEYFRAME != 0,
                discard: flags & ffi::AVINDEX_DISCARD_FRAME != 0,
            });
        }
        out
    }
}

/// Reads the next packet of any stream into `packet`, releasing the buffer it held first.
///
/// `Packet::read` hands the packet straight to `av_read_frame`, which starts by resetting it
/// (`av_init_packet`) rather than unreferencing it: a packet reused across reads leaks every
/// buffer it held, about 3 MB/s for 1080p playback (each demuxer reads every stream's packets).
/// Dropping the old one unreferences it, and an empty packet holds no buffer of its own.
pub fn read_packet(
    input: &mut ffmpeg::format::context::Input,
    packet: &mut ffmpeg::Packet,
) -> Result<(), ffmpeg::Error> {
    *packet = ffmpeg::Packet::empty();
    packet.read(input)
}

/// Seeks the demuxer so the next packet read is the keyframe at or before `ts` (stream ticks).
pub fn seek_stream_backward(
    input: &mut ffmpeg::format::context::Input,
    stream_index: usize,
    ts: i64,
) -> Result<(), ffmpeg::Error> {
    // SAFETY: the context pointer is valid for the duration of the `&mut` borrow; the stream index
    // was obtained from this same context.
    let ret = unsafe {
        ffi::av_seek_frame(
            input.as_mut_ptr(),
            stream_index as i32,
            ts,
            ffi::AVSEEK_FLAG_BACKWARD,
        )
    };
    if ret < 0 {
        Err(ffmpeg::Error::from(ret))
    } else {
        Ok(())
    }
}

/// Sets the YUV→RGB conversion matrix of a scaler: BT.709 when `bt709`, else BT.601; `full_range`
/// for JPEG-range input. Output is always full-range RGB.
pub fn set_scaler_colorspace(
    scaler: &mut ffmpeg::software::scaling::Context,
    bt709: bool,
    full_range: bool,
) {
    let cs = if bt709 {
        ffi::SWS_CS_ITU709
    } else {
        ffi::SWS_CS_ITU601
    };
    // SAFETY: the scaler pointer is valid for the borrow; `sws_getCoefficients` returns a pointer to
    // a static table; brightness/contrast/saturation are swscale's neutral values (0, 1<<16, 1<<16).
    unsafe {
        let table = ffi::sws_getCoefficients(cs);
        ffi::sws_setColorspaceDetails(
            scaler.as_mut_ptr(),
            table,
            full_range as i32,
            table,
            1,
            0,
            1 << 16,
            1 << 16,
        );
    }
}

/// The codec's extradata (for AAC, the AudioSpecificConfig); empty when there is none.
pub fn extradata(params: &ffmpeg::codec::Parameters) -> Vec<u8> {
    // SAFETY: `params` owns a valid AVCodecParameters; extradata points at extradata_size bytes
    // (or is null), alive for this borrow; we copy them out at once.
    unsafe {
        let p = params.as_ptr();
        let len = (*p).extradata_size;
        if (*p).extradata.is_null() || len <= 0 {
            return Vec::new();
        }
        std::slice::from_raw_parts((*p).extradata, len as usize).to_vec()
    }
}

/// Whether the decoder flagged `frame` as damaged: parts concealed, a reference missing, or the
/// bitstream invalid (`decode_error_flags`), or the frame marked corrupt.
pub fn frame_is_damaged(frame: &ffmpeg::frame::Video) -> bool {
    // SAFETY: `frame` owns a valid AVFrame for this borrow; two plain integer fields are read.
    unsafe {
        let f = frame.as_ptr();
        (*f).decode_error_flags != 0 || (*f).flags & ffi::AV_FRAME_FLAG_CORRUPT != 0
    }
}
