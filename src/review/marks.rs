//! In and out marks and the loop range they make, as [`Frame`]s on the file's timeline.
//!
//! Marking in after the out point (or out before the in point) drops the other mark rather
//! than making an empty or inverted range, as editors do.

use crate::time::Frame;

/// The reviewer's marks: both optional, `out` inclusive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Marks {
    pub mark_in: Option<Frame>,
    pub mark_out: Option<Frame>,
}

impl Marks {
    /// Marks in at `frame`; an out mark before it is dropped.
    pub fn set_in(&mut self, frame: Frame) {
        self.mark_in = Some(frame);
        if self.mark_out.is_some_and(|o| o < frame) {
            self.mark_out = None;
        }
    }

    /// Marks out at `frame`; an in mark after it is dropped.
    pub fn set_out(&mut self, frame: Frame) {
        self.mark_out = Some(frame);
        if self.mark_in.is_some_and(|i| i > frame) {
            self.mark_in = None;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.mark_in.is_none() && self.mark_out.is_none()
    }

    /// The loop range in a file of `frame_count` frames: in (or the start) to out (or the
    /// end), as a half-open range of at least one frame.
    pub fn loop_range(&self, frame_count: u64) -> (Frame, Frame) {
        let a = self.mark_in.unwrap_or_default();
        let b = self
            .mark_out
            .map(|o| o.offset(1))
            .unwrap_or(Frame(frame_count));
        (a, b.max(a.offset(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_never_make_an_inverted_range() {
        let mut m = Marks::default();
        assert_eq!(m.loop_range(100), (Frame(0), Frame(100)));
        m.set_in(Frame(40));
        m.set_out(Frame(59));
        assert_eq!(m.loop_range(100), (Frame(40), Frame(60)));
        m.set_in(Frame(70));
        assert_eq!(m.mark_out, None, "out before the new in is dropped");
        assert_eq!(m.loop_range(100), (Frame(70), Frame(100)));
        m.set_out(Frame(10));
        assert_eq!(m.mark_in, None, "in after the new out is dropped");
        assert_eq!(m.loop_range(100), (Frame(0), Frame(11)));
        m.set_in(Frame(10));
        assert_eq!(
            m.loop_range(100),
            (Frame(10), Frame(11)),
            "in == out is one frame"
        );
        assert!(!m.is_empty());
    }
}
