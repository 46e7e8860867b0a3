//! Check signals (headphone calibration) into the audio callback and back out again, without the
//! callback ever allocating or freeing.
//!
//! The player makes a [`SignalStream`] (its loop generated off the audio thread) and sends it
//! through one `rtrb` ring; the callback plays it in place of the programme. Every stream the
//! callback is done with — faded out, or displaced by a newer one — goes back through a second
//! ring to be dropped on the player's thread, because dropping the last handle of a loop frees
//! megabytes. The callback only takes a message when the return ring has room for whatever that
//! message could displace, so it never has to drop anything itself.
//!
//! Switching from one signal to another fades the old one out (10 ms) and then fades the new one
//! in (10 ms), both by the streams' own raised cosines, so an A/B switch never clicks.
//!
//! The stream type is this module's own ([`super::signal_stream`]); the signals themselves are
//! made in `headphones`, which depends on `audio`, never the other way round.

use super::signal_stream::SignalStream;

/// Messages in flight towards the callback. The player sends at most a couple per keypress.
const INBOX: usize = 8;
/// Streams in flight back to the player: enough for every message in flight plus the two the
/// callback holds, so a slow player never makes the callback keep a stream it is done with for
/// long.
const OUTBOX: usize = INBOX + 4;

/// What the player asks of the callback.
#[derive(Debug)]
pub enum SignalMsg {
    /// Play this stream (after fading out whatever plays now).
    Start(SignalStream),
    /// Fade out whatever plays now.
    Stop,
}

/// Creates the two rings: the player's end and the callback's.
pub fn signal_slot() -> (SignalSender, SignalSlot) {
    let (to_cb, inbox) = rtrb::RingBuffer::new(INBOX);
    let (outbox, back) = rtrb::RingBuffer::new(OUTBOX);
    (
        SignalSender { to_cb, back },
        SignalSlot {
            inbox,
            outbox,
            current: None,
            next: None,
            lead_in: 0,
        },
    )
}

/// The player's end: sends streams, and drops those that come back.
pub struct SignalSender {
    to_cb: rtrb::Producer<SignalMsg>,
    back: rtrb::Consumer<SignalStream>,
}

impl SignalSender {
    /// Sends `msg`; gives it back when the ring is full (the callback is not running), so the
    /// caller drops it on its own thread.
    pub fn send(&mut self, msg: SignalMsg) -> Result<(), SignalMsg> {
        self.collect();
        self.to_cb.push(msg).map_err(|rtrb::PushError::Full(m)| m)
    }

    /// Drops the streams the callback has finished with; returns how many.
    pub fn collect(&mut self) -> usize {
        let mut n = 0;
        while self.back.pop().is_ok() {
            n += 1;
        }
        n
    }
}

/// The callback's end: the stream playing, the one waiting for it to fade out, and the rings.
pub struct SignalSlot {
    inbox: rtrb::Consumer<SignalMsg>,
    outbox: rtrb::Producer<SignalStream>,
    current: Option<SignalStream>,
    next: Option<SignalStream>,
    /// Frames of silence still to play before the current stream starts (while the monitor
    /// ramps to stereo, so no frame of the signal passes through the old listening mode).
    lead_in: usize,
}

impl SignalSlot {
    /// Takes new messages and hands back finished streams. Call once per callback, first.
    pub fn poll(&mut self) {
        // Room for the two streams a message could displace (the current and the waiting one).
        while self.outbox.slots() >= 2 {
            let Ok(msg) = self.inbox.pop() else { break };
            match msg {
                SignalMsg::Start(stream) => {
                    if let Some(cur) = self.current.as_mut() {
                        cur.stop();
                    }
                    if let Some(old) = self.next.replace(stream) {
                        self.retire(old);
                    }
                }
                SignalMsg::Stop => {
                    if let Some(cur) = self.current.as_mut() {
                        cur.stop();
                    }
                    if let Some(old) = self.next.take() {
                        self.retire(old);
                    }
                }
            }
        }
        if self.current.is_none() {
            self.current = self.next.take();
        }
        self.retire_finished();
    }

    /// A signal is playing or fading, or about to: the callback should play it, not the
    /// programme.
    pub fn is_active(&self) -> bool {
        self.current.is_some() || self.next.is_some()
    }

    /// Delays the start of the signal by `frames` of silence (see `lead_in`).
    pub fn delay_start(&mut self, frames: usize) {
        self.lead_in = self.lead_in.max(frames);
    }

    /// Fills `out` (interleaved stereo) with the signal, silence where there is none; returns
    /// the frames that carried a signal.
    pub fn fill(&mut self, out: &mut [f32]) -> usize {
        let lead = (self.lead_in * 2).min(out.len());
        out[..lead].fill(0.0);
        self.lead_in -= lead / 2;
        let mut done = lead;
        let mut live = 0;
        while done < out.len() {
            let Some(cur) = self.current.as_mut() else {
                break;
            };
            let rest = &mut out[done..];
            let n = cur.fill(rest);
            live += n;
            if !cur.is_finished() {
                return live;
            }
            // The fade-out ended inside this buffer: the waiting stream starts right after it.
            done += n * 2;
            self.retire_finished();
            if self.current.is_none() {
                self.current = self.next.take();
            }
            if self.current.as_ref().is_some_and(SignalStream::is_finished) {
                break;
            }
        }
        let len = out.len();
        out[done.min(len)..].fill(0.0);
        live
    }

    fn retire_finished(&mut self) {
        if self.current.as_ref().is_some_and(SignalStream::is_finished)
            && self.outbox.slots() > 0
            && let Some(done) = self.current.take()
        {
            self.retire(done);
        }
    }

    /// Sends a stream back for dropping. The slot check in [`poll`](Self::poll) and
    /// [`retire_finished`](Self::retire_finished) guarantees room; were there none, the stream
    /// would be kept (as the finished current one) rather than freed here.
    fn retire(&mut self, stream: SignalStream) {
        if let Err(rtrb::PushError::Full(mut s)) = self.outbox.push(stream) {
            // Unreachable by the slot accounting. Keep it, silent, to retire later; with both
            // places taken, leak it: a leak is bounded, a free here is a glitch.
            s.stop();
            if self.current.is_none() {
                self.current = Some(s);
            } else if self.next.is_none() {
                self.next = Some(s);
            } else {
                std::mem::forget(s);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::signal_stream::test_loops::sine;
    use super::*;
    use std::sync::Arc;

    /// Which ears a test tone reaches, as `headphones::signals::Routing` says.
    #[derive(Clone, Copy)]
    enum Routing {
        Left,
        Right,
        InPhase,
    }

    /// A 1 kHz tone peaking at −20 dBFS, as `headphones::signals::sine_tone` makes it.
    fn stream(routing: Routing) -> SignalStream {
        let gains = match routing {
            Routing::Left => (1.0, 0.0),
            Routing::Right => (0.0, 1.0),
            Routing::InPhase => (1.0, 1.0),
        };
        SignalStream::new(Arc::new(sine(48_000, 1000, -20.0, gains)))
    }

    #[test]
    fn plays_then_fades_out_and_returns_the_stream() {
        let (mut tx, mut slot) = signal_slot();
        assert!(tx.send(SignalMsg::Start(stream(Routing::Left))).is_ok());
        slot.poll();
        assert!(slot.is_active());
        let mut buf = vec![0.0f32; 2 * 1024];
        assert_eq!(slot.fill(&mut buf), 1024);
        assert!(buf.chunks(2).all(|f| f[1] == 0.0), "left only");
        assert!(tx.send(SignalMsg::Stop).is_ok());
        slot.poll();
        let live = slot.fill(&mut buf);
        assert_eq!(live, 480, "a 10 ms fade-out");
        assert!(buf[2 * live..].iter().all(|&x| x == 0.0));
        slot.poll();
        assert!(!slot.is_active());
        assert_eq!(tx.collect(), 1, "the stream went back to be dropped");
    }

    #[test]
    fn switching_fades_out_then_in_without_a_step() {
        let (mut tx, mut slot) = signal_slot();
        assert!(tx.send(SignalMsg::Start(stream(Routing::Left))).is_ok());
        slot.poll();
        let mut buf = vec![0.0f32; 2 * 2048];
        slot.fill(&mut buf);
        assert!(tx.send(SignalMsg::Start(stream(Routing::Right))).is_ok());
        slot.poll();
        let mut out = vec![0.0f32; 2 * 2048];
        slot.fill(&mut out);
        // The left fades out over 480 frames, then the right fades in from silence.
        assert!(out[2 * 480..].chunks(2).all(|f| f[0] == 0.0));
        assert_eq!(out[2 * 480 + 1], 0.0, "the new stream starts silent");
        assert!(out[2 * 1500 + 1].abs() > 0.0, "and is playing later");
        let max_step = std::f32::consts::TAU * 1000.0 / 48_000.0 * 0.1 * 1.01;
        for f in 1..2048 {
            for c in 0..2 {
                let step = (out[2 * f + c] - out[2 * (f - 1) + c]).abs();
                assert!(step <= max_step, "step {step} at {f}/{c}");
            }
        }
        slot.poll();
        assert_eq!(tx.collect(), 1);
    }

    #[test]
    fn lead_in_is_silent() {
        let (mut tx, mut slot) = signal_slot();
        assert!(tx.send(SignalMsg::Start(stream(Routing::InPhase))).is_ok());
        slot.poll();
        slot.delay_start(100);
        let mut buf = vec![1.0f32; 2 * 200];
        assert_eq!(slot.fill(&mut buf), 100);
        assert!(buf[..200].iter().all(|&x| x == 0.0));
    }

    #[test]
    fn a_slow_player_never_makes_the_callback_free_a_stream() {
        let (mut tx, mut slot) = signal_slot();
        let mut sent = 0;
        for _ in 0..40 {
            if tx
                .to_cb
                .push(SignalMsg::Start(stream(Routing::Left)))
                .is_ok()
            {
                sent += 1;
            }
            slot.poll();
        }
        // The player collected nothing so far; now it does, while the callback plays on.
        let mut back = 0;
        let mut buf = vec![0.0f32; 2 * 4096];
        for _ in 0..40 {
            back += tx.collect();
            slot.fill(&mut buf);
            slot.poll();
        }
        assert!(tx.send(SignalMsg::Stop).is_ok());
        for _ in 0..4 {
            slot.poll();
            slot.fill(&mut buf);
            back += tx.collect();
        }
        slot.poll();
        back += tx.collect();
        assert!(!slot.is_active());
        assert_eq!(back, sent, "every stream sent came back to the player");
    }
}
