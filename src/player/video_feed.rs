//! The "video-decode" thread: keeps the pictures the presenter will want next decoded and
//! converted to RGBA, nearest first, in the direction of play.
//!
//! The presenter says which frame it is showing ([`VideoFeed::pick`]); the thread fills the
//! window of frames after it (before it when playing backwards, wrapping at the loop points)
//! and drops pictures that fell out of the window, recycling their buffers so steady playback
//! allocates nothing. Exactness comes from the media core's [`FrameReader`]; this module only
//! decides *which* frames to decode *when*.

use super::error::PlayerError;
use crate::media::{FrameIndex, MediaError, SourceTimecode};
use crate::time::FrameRate;
use crate::video::{FrameReader, RgbaImage};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

/// One decoded picture.
#[derive(Debug)]
pub struct Picture {
    /// Frame number (0 = first picture of the file).
    pub frame: u64,
    pub image: RgbaImage,
}

/// What the picture stream is.
#[derive(Clone, Debug)]
pub struct VideoInfo {
    pub rate: FrameRate,
    pub frame_count: u64,
    pub timecode: SourceTimecode,
    /// The frame index (keyframes: fast, approximate scrubbing lands on these).
    pub index: FrameIndex,
    /// The file is cut short and plays up to the cut: where it ends, in words.
    pub cut_short: Option<String>,
}

/// Pictures kept decoded ahead of the one shown. Two thirds of a second at 23.976: when a loop's
/// out point comes into the window, the decoder has that long to seek back to the keyframe
/// before the loop's in point and decode up to it (31 pictures for a 1080p GOP of 48); with 8 it
/// had a third of a second and on a busy two-core machine sometimes lost the first pictures
/// after the wrap.
const AHEAD: u64 = 16;
/// Pictures kept behind it (a step back is then instant).
const BEHIND: u64 = 2;

#[derive(Default)]
struct State {
    focus: u64,
    forward: bool,
    loop_range: Option<(u64, u64)>,
    frames: BTreeMap<u64, Arc<Picture>>,
    failed: BTreeSet<u64>,
    spare: Vec<RgbaImage>,
    error: Option<String>,
    decoding: Option<u64>,
    /// Size the display wants pictures at (`None`: native).
    size: Option<(u32, u32)>,
    quit: bool,
}

struct Shared {
    state: Mutex<State>,
    changed: Condvar,
    count: u64,
}

/// Handle to the decode thread.
pub struct VideoFeed {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl VideoFeed {
    /// Opens `path` on a new thread (FFmpeg's decoder state stays on the thread that uses it)
    /// and starts filling from frame `focus`. Returns once the file is open, or why it is not.
    pub fn open(path: &Path, focus: u64) -> Result<(Self, VideoInfo), PlayerError> {
        let (ready_tx, ready_rx) = std::sync::mpsc::sync_channel(1);
        let path = path.to_path_buf();
        let pending: Arc<Mutex<Option<Arc<Shared>>>> = Arc::new(Mutex::new(None));
        let slot = pending.clone();
        let thread = std::thread::Builder::new()
            .name("video-decode".into())
            .spawn(move || {
                let reader = match FrameReader::open(&path) {
                    Ok(r) => r,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                let info = VideoInfo {
                    rate: reader.index().rate,
                    frame_count: reader.frame_count(),
                    timecode: *reader.timecode(),
                    index: reader.index().clone(),
                    cut_short: reader.container().cut_short.map(|c| {
                        let count = reader.frame_count();
                        format!(
                            "The file is cut short ({} of {} bytes): it plays to {} (frame {} \
                             of {}) and the rest is missing — re-download it: {}",
                            c.actual,
                            c.needed,
                            reader.timecode().at_frame(count as i64 - 1),
                            count - 1,
                            c.frames_listed,
                            path.display()
                        )
                    }),
                };
                let shared = Arc::new(Shared {
                    state: Mutex::new(State {
                        focus,
                        forward: true,
                        ..State::default()
                    }),
                    changed: Condvar::new(),
                    count: info.frame_count,
                });
                *slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(shared.clone());
                if ready_tx.send(Ok(info)).is_ok() {
                    decode_loop(reader, &shared);
                }
            })
            .map_err(PlayerError::Thread)?;
        let info = match ready_rx.recv() {
            Ok(Ok(info)) => info,
            Ok(Err(e)) => {
                let _ = thread.join();
                return Err(e.into());
            }
            Err(_) => {
                let _ = thread.join();
                return Err(PlayerError::DecoderStart("picture"));
            }
        };
        let shared = pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
            .ok_or(PlayerError::DecoderStart("picture"))?;
        Ok((
            Self {
                shared,
                thread: Some(thread),
            },
            info,
        ))
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        lock(&self.shared)
    }

    /// Moves the window: frame `focus` is (about to be) shown, play goes `forward` or back.
    pub fn set_focus(&self, focus: u64, forward: bool) {
        let mut st = self.lock();
        st.focus = focus.min(self.shared.count.saturating_sub(1));
        st.forward = forward;
        evict(&mut st, self.shared.count);
        self.shared.changed.notify_all();
    }

    /// The size the display shows pictures at (`None`: native, e.g. at 100 %). Pictures
    /// already decoded at another size are dropped and decoded again at this one.
    pub fn set_size(&self, size: Option<(u32, u32)>) {
        let mut st = self.lock();
        if st.size == size {
            return;
        }
        st.size = size;
        st.frames.clear();
        st.spare.clear();
        self.shared.changed.notify_all();
    }

    /// Loop points: after frame `out − 1` comes frame `in` when playing forward.
    pub fn set_loop(&self, range: Option<(u64, u64)>) {
        let mut st = self.lock();
        st.loop_range = range.filter(|(a, b)| a < b);
        self.shared.changed.notify_all();
    }

    /// The picture for `target` if decoded; otherwise the nearest one already decoded on the
    /// near side of it (the picture the viewer should still be looking at). Moves the window.
    pub fn pick(&self, target: u64, forward: bool) -> Option<Arc<Picture>> {
        let mut st = self.lock();
        st.focus = target.min(self.shared.count.saturating_sub(1));
        st.forward = forward;
        let exact = st.frames.get(&st.focus).cloned();
        let pic = exact.or_else(|| {
            let near = if forward {
                st.frames.range(..st.focus).next_back()
            } else {
                st.frames.range(st.focus..).next()
            };
            near.filter(|(f, _)| f.abs_diff(st.focus) <= AHEAD)
                .map(|(_, p)| p.clone())
        });
        evict(&mut st, self.shared.count);
        self.shared.changed.notify_all();
        pic
    }

    /// Waits up to `timeout` for frame `n` to be decoded.
    pub fn wait_for(&self, n: u64, timeout: Duration) -> Option<Arc<Picture>> {
        let deadline = std::time::Instant::now() + timeout;
        let mut st = self.lock();
        loop {
            if let Some(p) = st.frames.get(&n) {
                return Some(p.clone());
            }
            if st.failed.contains(&n) {
                return None;
            }
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return None;
            }
            st = match self.shared.changed.wait_timeout(st, left) {
                Ok((g, _)) => g,
                Err(p) => p.into_inner().0,
            };
        }
    }

    /// Whether frame `n` is decoded and waiting.
    pub fn has(&self, n: u64) -> bool {
        self.lock().frames.contains_key(&n)
    }

    /// The last decode error, taken (reported once).
    pub fn take_error(&self) -> Option<String> {
        self.lock().error.take()
    }
}

impl Drop for VideoFeed {
    fn drop(&mut self) {
        self.lock().quit = true;
        self.shared.changed.notify_all();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn lock(shared: &Shared) -> MutexGuard<'_, State> {
    // A panic elsewhere must not take the picture down with it: the state stays usable.
    shared.state.lock().unwrap_or_else(|p| p.into_inner())
}

/// The frames the window holds, nearest first.
fn window(st: &State, count: u64) -> Vec<u64> {
    let mut out = Vec::with_capacity(AHEAD as usize + 1);
    let mut f = st.focus;
    for _ in 0..=AHEAD {
        if f >= count {
            break;
        }
        out.push(f);
        f = if st.forward {
            match st.loop_range {
                Some((a, b)) if f + 1 == b => a,
                _ => f + 1,
            }
        } else {
            match f.checked_sub(1) {
                Some(p) => p,
                None => break,
            }
        };
    }
    out
}

fn evict(st: &mut State, count: u64) {
    let keep = window(st, count);
    let focus = st.focus;
    let forward = st.forward;
    let stale: Vec<u64> = st
        .frames
        .keys()
        .copied()
        .filter(|f| {
            let behind = if forward {
                *f < focus && focus - f <= BEHIND
            } else {
                *f > focus && f - focus <= BEHIND
            };
            !keep.contains(f) && !behind
        })
        .collect();
    for f in stale {
        if let Some(p) = st.frames.remove(&f)
            && let Ok(p) = Arc::try_unwrap(p)
            && st.spare.len() < 4
        {
            st.spare.push(p.image);
        }
    }
    st.failed.retain(|f| keep.contains(f));
}

fn decode_loop(mut reader: FrameReader, shared: &Shared) {
    loop {
        let (n, mut image, size) = {
            let mut st = lock(shared);
            loop {
                if st.quit {
                    return;
                }
                let next = window(&st, shared.count)
                    .into_iter()
                    .find(|f| !st.frames.contains_key(f) && !st.failed.contains(f));
                if let Some(n) = next {
                    st.decoding = Some(n);
                    let image = st.spare.pop().unwrap_or_default();
                    break (n, image, st.size);
                }
                st = match shared.changed.wait(st) {
                    Ok(g) => g,
                    Err(p) => p.into_inner(),
                };
            }
        };
        let result = reader.rgba_sized_into(n, &mut image, size);
        let damage = reader.take_damage();
        let mut st = lock(shared);
        st.decoding = None;
        if let Some(f) = damage {
            st.error = Some(format!(
                "damaged data at {} (frame {f}) — concealed, playback goes on: {}",
                reader.timecode().at_frame(f as i64),
                reader.path().display()
            ));
        }
        match result {
            Ok(()) => {
                if st.size == size && window(&st, shared.count).contains(&n) {
                    st.frames.insert(n, Arc::new(Picture { frame: n, image }));
                } else if st.spare.len() < 4 {
                    st.spare.push(image);
                }
            }
            Err(e) => {
                st.failed.insert(n);
                st.error = Some(decode_trouble(&reader, &e));
            }
        }
        shared.changed.notify_all();
    }
}

/// A picture that could not be decoded, in words: the file cut short under the player, or
/// damaged data at a frame (which the presenter skips, holding the picture before it).
fn decode_trouble(reader: &FrameReader, e: &MediaError) -> String {
    let path = reader.path();
    let was = reader.container().file_size;
    if let Some(now) = std::fs::metadata(path)
        .ok()
        .map(|m| m.len())
        .filter(|n| *n < was)
    {
        return format!(
            "the file was cut short while playing (now {now} of {was} bytes); pictures past \
             that are missing: reopen it once it is whole: {}",
            path.display()
        );
    }
    match e {
        MediaError::Decode { frame, reason, .. } => format!(
            "damaged data at {} (frame {frame}) — skipped ({reason}): {}",
            reader.timecode().at_frame(*frame as i64),
            path.display()
        ),
        other => other.to_string(),
    }
}
