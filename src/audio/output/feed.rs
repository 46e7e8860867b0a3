//! The audio feed between the decode thread and the device callback: interleaved stereo
//! samples in one `rtrb` ring, and *segment marks* in a second, small ring saying where on the
//! programme timeline the samples that follow come from.
//!
//! Marks are what make seeks and loops exact without the callback ever locking: a seek writes a
//! *flush* mark (everything queued before it is stale and is skipped the moment the callback
//! sees the mark); a loop wrap writes a *continue* mark (what is queued before it still plays,
//! and the timeline jumps exactly at the mark's sample). The callback side ([`FeedReader`])
//! is plain code over the two rings, so it is unit-tested here without a device.

/// Where the samples after a mark come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Ring position (total samples ever written, counting both channels) of the mark's first
    /// sample.
    pub start_index: u64,
    /// Programme time of that sample, in nanoseconds.
    pub source_ns: i64,
    /// Skip whatever was queued before this mark (a seek) rather than play it out (a loop).
    pub flush: bool,
    /// Identifies the request that produced the mark (the player's seek counter).
    pub epoch: u64,
    /// How much faster than one programme frame per device frame the sound runs from here on,
    /// in parts per billion (0 but for a shared review's drift correction, see
    /// [`FeedWriter::retime`]).
    pub speed_ppb: i64,
    /// The stretch of sound the mark belongs to: its own `start_index`, or for a retime mark
    /// the stretch it continues (the clock treats a new stretch as a jump, a retime as none).
    pub stretch: u64,
    /// Programme time where that stretch began (the clock never reads earlier).
    pub stretch_start_ns: i64,
}

/// Marks in flight; more than a handful means the player is seeking faster than the callback
/// runs, and the oldest of those would be superseded anyway.
const MARKS: usize = 64;

/// Creates the two rings: `capacity` samples (both channels) of audio.
pub fn feed(capacity: usize) -> (FeedWriter, FeedReader) {
    let (samples, samples_rx) = rtrb::RingBuffer::new(capacity);
    let (marks, marks_rx) = rtrb::RingBuffer::new(MARKS);
    (
        FeedWriter {
            samples,
            marks,
            written: 0,
            last: None,
        },
        FeedReader {
            samples: samples_rx,
            marks: marks_rx,
            read: 0,
            current: None,
        },
    )
}

/// The decode thread's end.
pub struct FeedWriter {
    samples: rtrb::Producer<f32>,
    marks: rtrb::Producer<Segment>,
    written: u64,
    /// The last mark written.
    last: Option<Segment>,
}

impl FeedWriter {
    /// Starts a stretch of sound at programme time `source_ns`, running `speed_ppb` fast. False
    /// if the mark ring is full (the callback is not running); the caller retries after a
    /// moment.
    pub fn mark(&mut self, source_ns: i64, flush: bool, epoch: u64, speed_ppb: i64) -> bool {
        self.push_mark(Segment {
            start_index: self.written,
            source_ns,
            flush,
            epoch,
            speed_ppb,
            stretch: self.written,
            stretch_start_ns: source_ns,
        })
    }

    /// From the next sample written, the sound runs `speed_ppb` fast: the same stretch goes
    /// on (no jump for the clock), re-anchored at the programme time that sample carries, so
    /// the reader's time stays exact across any number of changes. False when no stretch is
    /// running or the mark ring is full.
    pub fn retime(&mut self, speed_ppb: i64, rate: u32) -> bool {
        let (Some(last), Some(source_ns)) = (self.last, self.position_ns(rate)) else {
            return false;
        };
        self.push_mark(Segment {
            start_index: self.written,
            source_ns,
            flush: false,
            speed_ppb,
            ..last
        })
    }

    fn push_mark(&mut self, mark: Segment) -> bool {
        let ok = self.marks.push(mark).is_ok();
        if ok {
            self.last = Some(mark);
        }
        ok
    }

    /// Programme time the next sample written carries, at device rate `rate`, once a stretch
    /// has begun.
    pub fn position_ns(&self, rate: u32) -> Option<i64> {
        self.last.map(|m| {
            m.source_ns + content_ns((self.written - m.start_index) / 2, rate, m.speed_ppb)
        })
    }

    /// Free room, in samples.
    pub fn room(&self) -> usize {
        self.samples.slots()
    }

    /// Writes as much of `samples` as fits (whole frames); returns how many were written.
    pub fn push(&mut self, samples: &[f32]) -> usize {
        let n = self.samples.slots().min(samples.len()) & !1;
        if n == 0 {
            return 0;
        }
        let written = match self.samples.write_chunk_uninit(n) {
            Ok(chunk) => chunk.fill_from_iter(samples[..n].iter().copied()),
            Err(_) => 0,
        };
        self.written += written as u64;
        written
    }

    /// Samples queued and not yet taken by the callback.
    pub fn queued(&self) -> usize {
        self.samples.buffer().capacity() - self.samples.slots()
    }
}

/// What one [`FeedReader::fill`] produced.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Filled {
    /// Frames taken from the ring (the rest of the buffer is silence).
    pub frames: usize,
    /// Programme time of the buffer's first frame, when that frame came from the ring.
    pub first_ns: Option<i64>,
    /// The segment the first frame belongs to.
    pub epoch: u64,
    /// Programme time where that frame's stretch of sound began.
    pub segment_start_ns: i64,
    /// Which stretch that is: its first sample's place in the stream of samples, unique for
    /// the stream's life (a loop's every lap starts at the same time but not the same place).
    pub segment: u64,
}

/// The device callback's end. Never allocates or blocks.
pub struct FeedReader {
    samples: rtrb::Consumer<f32>,
    /// Marks not yet reached: continue and retime marks stay in the ring, in order, until the
    /// samples reach them; a flush mark is taken at once wherever it is.
    marks: rtrb::Consumer<Segment>,
    /// Total samples taken from (or skipped in) the ring.
    read: u64,
    current: Option<Segment>,
}

impl FeedReader {
    /// Fills `out` (interleaved stereo) from the ring and returns what it took. `rate` is the
    /// device rate, which turns frames within a segment into programme time.
    pub fn fill(&mut self, out: &mut [f32], rate: u32) -> Filled {
        self.take_marks();
        let mut filled = Filled::default();
        let mut done = 0;
        while done < out.len() {
            self.reach_next_mark();
            let Some(seg) = self.current else { break };
            let limit = match self.marks.peek() {
                Ok(n) => (n.start_index - self.read) as usize,
                Err(_) => usize::MAX,
            };
            let want = (out.len() - done).min(self.samples.slots()).min(limit) & !1;
            if want == 0 {
                break;
            }
            if done == 0 {
                let frames_in = (self.read - seg.start_index) / 2;
                filled.first_ns = Some(seg.source_ns + content_ns(frames_in, rate, seg.speed_ppb));
                filled.epoch = seg.epoch;
                filled.segment_start_ns = seg.stretch_start_ns;
                filled.segment = seg.stretch;
            }
            match self.samples.read_chunk(want) {
                Ok(chunk) => {
                    let (a, b) = chunk.as_slices();
                    out[done..done + a.len()].copy_from_slice(a);
                    out[done + a.len()..done + a.len() + b.len()].copy_from_slice(b);
                    chunk.commit_all();
                }
                Err(_) => break,
            }
            done += want;
            self.read += want as u64;
        }
        out[done..].fill(0.0);
        filled.frames = done / 2;
        filled
    }

    /// Applies new marks without playing anything (paused): stale audio behind a flush mark is
    /// dropped at once, so the decode thread has room to queue the next run.
    pub fn settle(&mut self) {
        self.take_marks();
    }

    /// Passes over up to `frames` frames of the running segment without playing them (a start
    /// made late by the machine begins where it should be by now); returns how many. Stops
    /// at the next mark and at what is queued.
    pub fn pass_over(&mut self, frames: usize) -> usize {
        self.take_marks();
        if self.current.is_none() {
            return 0;
        }
        let limit = match self.marks.peek() {
            Ok(n) => n.start_index.saturating_sub(self.read) as usize,
            Err(_) => usize::MAX,
        };
        let n = frames
            .saturating_mul(2)
            .min(self.samples.slots())
            .min(limit)
            & !1;
        let before = self.read;
        self.skip(n);
        ((self.read - before) / 2) as usize
    }

    /// Programme time the next frame from the ring would have, if a segment is running.
    pub fn position_ns(&self, rate: u32) -> Option<i64> {
        self.current
            .map(|s| s.source_ns + content_ns((self.read - s.start_index) / 2, rate, s.speed_ppb))
    }

    /// Takes the newest flush mark among those waiting, if there is one: all queued audio
    /// before it, and every mark before it, is dropped at once. With no stretch running, the
    /// first mark waiting starts one.
    fn take_marks(&mut self) {
        let waiting = self.marks.slots();
        let flush = match self.marks.read_chunk(waiting) {
            Ok(chunk) => {
                let (a, b) = chunk.as_slices();
                let last = a
                    .iter()
                    .chain(b)
                    .enumerate()
                    .filter(|(_, m)| m.flush)
                    .last()
                    .map(|(i, m)| (i, *m));
                if let Some((i, _)) = last {
                    chunk.commit(i + 1);
                }
                last.map(|(_, m)| m)
            }
            Err(_) => None,
        };
        if let Some(mark) = flush {
            let stale = mark.start_index.saturating_sub(self.read) as usize;
            self.skip(stale);
            self.current = Some(mark);
        }
        if self.current.is_none()
            && let Ok(mark) = self.marks.pop()
        {
            self.current = Some(mark);
        }
    }

    /// Moves on to every waiting mark the samples have reached.
    fn reach_next_mark(&mut self) {
        while let Ok(n) = self.marks.peek()
            && n.start_index <= self.read
        {
            self.current = self.marks.pop().ok();
        }
    }

    fn skip(&mut self, mut n: usize) {
        while n > 0 {
            let k = n.min(self.samples.slots());
            if k == 0 {
                break;
            }
            if let Ok(chunk) = self.samples.read_chunk(k) {
                chunk.commit_all();
            } else {
                break;
            }
            self.read += k as u64;
            n -= k;
        }
    }
}

/// Device frames → nanoseconds.
pub fn frames_to_ns(frames: u64, rate: u32) -> i64 {
    (frames as i128 * 1_000_000_000 / rate.max(1) as i128) as i64
}

/// Device frames → programme nanoseconds, for sound running `speed_ppb` parts per billion fast.
pub fn content_ns(frames: u64, rate: u32, speed_ppb: i64) -> i64 {
    let scaled = frames as i128 * (1_000_000_000 + i128::from(speed_ppb));
    (scaled / rate.max(1) as i128) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_late_start_passes_over_what_it_missed_and_keeps_the_timeline() {
        let (mut w, mut r) = feed(4096);
        assert!(w.mark(1_000_000_000, true, 1, 0));
        let ramp: Vec<f32> = (0..2000).map(|i| i as f32).collect();
        assert_eq!(w.push(&ramp), 2000);
        // 48 kHz: 480 frames late is 10 ms.
        assert_eq!(r.pass_over(480), 480);
        let mut out = [0.0f32; 8];
        let filled = r.fill(&mut out, 48_000);
        assert_eq!(out[0], 960.0, "the first sample heard is the 481st frame's");
        assert_eq!(filled.first_ns, Some(1_010_000_000));
        // Never past what is queued.
        assert_eq!(r.pass_over(10_000), (2000 - 960 - 8) / 2);
    }

    fn ramp(from: usize, frames: usize) -> Vec<f32> {
        (from..from + frames)
            .flat_map(|i| [i as f32, -(i as f32)])
            .collect()
    }

    #[test]
    fn plays_a_segment_and_reports_its_time() {
        let (mut w, mut r) = feed(1000);
        assert!(w.mark(1_000_000_000, true, 1, 0));
        assert_eq!(w.push(&ramp(0, 100)), 200);
        let mut out = vec![9.0; 60];
        let f = r.fill(&mut out, 1000);
        assert_eq!(
            (f.frames, f.first_ns, f.epoch),
            (30, Some(1_000_000_000), 1)
        );
        assert_eq!(out[..4], [0.0, 0.0, 1.0, -1.0]);
        let f = r.fill(&mut out, 1000);
        assert_eq!(f.first_ns, Some(1_030_000_000));
        assert_eq!(out[0], 30.0);
    }

    #[test]
    fn a_flush_mark_drops_stale_audio_at_once() {
        let (mut w, mut r) = feed(1000);
        w.mark(0, true, 1, 0);
        w.push(&ramp(0, 100));
        let mut out = vec![0.0; 20];
        r.fill(&mut out, 1000);
        // Seek: new mark, new audio; the 90 frames still queued must never be heard.
        w.mark(5_000_000_000, true, 2, 0);
        w.push(&ramp(5000, 50));
        let f = r.fill(&mut out, 1000);
        assert_eq!((f.first_ns, f.epoch), (Some(5_000_000_000), 2));
        assert_eq!(out[0], 5000.0);
    }

    #[test]
    fn a_continue_mark_switches_exactly_at_its_sample() {
        let (mut w, mut r) = feed(1000);
        w.mark(2_000_000_000, true, 1, 0);
        w.push(&ramp(2000, 5));
        w.mark(1_000_000_000, false, 1, 0); // loop back
        w.push(&ramp(1000, 5));
        let mut out = vec![0.0; 20];
        let f = r.fill(&mut out, 1000);
        assert_eq!(f.frames, 10);
        let left: Vec<f32> = out.iter().step_by(2).copied().collect();
        assert_eq!(
            left,
            [
                2000., 2001., 2002., 2003., 2004., 1000., 1001., 1002., 1003., 1004.
            ]
        );
        assert_eq!(r.position_ns(1000), Some(1_005_000_000));
    }

    #[test]
    fn underrun_leaves_silence_and_no_position() {
        let (_w, mut r) = feed(100);
        let mut out = vec![1.0; 8];
        let f = r.fill(&mut out, 48000);
        assert_eq!((f.frames, f.first_ns), (0, None));
        assert!(out.iter().all(|s| *s == 0.0));
    }

    #[test]
    fn retimed_sound_keeps_its_stretch_and_exact_time_across_many_changes() {
        // 1000 Hz device: a frame is a millisecond of device time.
        let (mut w, mut r) = feed(10_000);
        assert!(!w.retime(500, 1000), "nothing to retime before a stretch");
        assert!(w.mark(2_000_000_000, true, 7, 0));
        w.push(&ramp(0, 100));
        // From here the sound runs 0.1 % fast (a guest catching up), then 0.05 % slow.
        assert!(w.retime(1_000_000, 1000));
        w.push(&ramp(100, 100));
        assert!(w.retime(-500_000, 1000));
        w.push(&ramp(200, 100));
        assert_eq!(
            w.position_ns(1000),
            Some(2_000_000_000 + 100_000_000 + 100_100_000 + 99_950_000)
        );
        // Both retime marks wait in the ring while the first 100 frames play.
        let mut out = vec![0.0; 2 * 150];
        let f = r.fill(&mut out, 1000);
        assert_eq!((f.frames, f.first_ns), (150, Some(2_000_000_000)));
        let f = r.fill(&mut out, 1000);
        // Frame 150 is 50 frames into the fast part: 50 ms × 1.001.
        assert_eq!(f.first_ns, Some(2_150_050_000));
        assert_eq!(
            (f.segment, f.segment_start_ns, f.epoch),
            (0, 2_000_000_000, 7)
        );
        let mut out = vec![0.0; 2 * 10];
        let f = r.fill(&mut out, 1000);
        // Frame 300 (the end) is where the writer said the next sample would be.
        assert_eq!(f.frames, 0);
        assert_eq!(r.position_ns(1000), w.position_ns(1000));
        // A seek queued behind a retime mark is taken at once, the retime dropped with the
        // stale sound.
        w.mark(9_000_000_000, true, 8, 0);
        w.push(&ramp(9000, 10));
        assert!(w.retime(2_000, 1000));
        w.push(&ramp(9010, 10));
        let f = r.fill(&mut out, 1000);
        assert_eq!((f.first_ns, f.epoch), (Some(9_000_000_000), 8));
        assert_eq!(out[0], 9000.0);
        let f = r.fill(&mut out, 1000);
        assert_eq!(f.first_ns, Some(9_010_000_000));
        assert_eq!(f.segment, 600, "the retime continues the seek's stretch");
    }

    #[test]
    fn a_flush_behind_waiting_continue_marks_drops_them_all() {
        let (mut w, mut r) = feed(1000);
        w.mark(0, true, 1, 0);
        w.push(&ramp(0, 10));
        w.mark(5_000_000, false, 1, 0);
        w.push(&ramp(5, 10));
        w.mark(7_000_000_000, true, 2, 0);
        w.push(&ramp(7000, 10));
        let mut out = vec![0.0; 40];
        let f = r.fill(&mut out, 1000);
        assert_eq!(
            (f.frames, f.first_ns, f.epoch),
            (10, Some(7_000_000_000), 2)
        );
        assert_eq!(out[0], 7000.0);
    }

    #[test]
    fn content_time_scales_by_the_speed() {
        assert_eq!(content_ns(48_000, 48_000, 0), 1_000_000_000);
        assert_eq!(content_ns(48_000, 48_000, 40_000), 1_000_040_000);
        assert_eq!(content_ns(48_000, 48_000, -40_000), 999_960_000);
    }
}
