//! Decoded pictures kept around by frame number, within a memory budget.
//!
//! Stepping backwards through H.264 means decoding forward from a keyframe; doing that for every
//! step costs a whole GOP each time (mpv's `frame-back-step` warns about exactly this). Instead,
//! every picture decoded on the way to a target is kept here, so stepping back within the GOP is
//! a lookup. When over budget, the pictures farthest from the one being looked at go first: the
//! neighbourhood of the playhead is what stepping and scrubbing need next.

use std::collections::BTreeMap;

/// Something that knows how many bytes it holds.
pub trait Weigh {
    /// Approximate heap bytes held.
    fn weight(&self) -> usize;
}

/// Frames keyed by frame number, evicted farthest-from-focus first.
pub struct FrameCache<T> {
    frames: BTreeMap<u64, T>,
    bytes: usize,
    budget: usize,
}

impl<T: Weigh> FrameCache<T> {
    /// An empty cache that holds at most `budget` bytes (but always at least the focus frame).
    pub fn new(budget: usize) -> Self {
        Self {
            frames: BTreeMap::new(),
            bytes: 0,
            budget,
        }
    }

    /// The frame `n`, if cached.
    pub fn get(&self, n: u64) -> Option<&T> {
        self.frames.get(&n)
    }

    /// Whether frame `n` is cached.
    pub fn contains(&self, n: u64) -> bool {
        self.frames.contains_key(&n)
    }

    /// Stores frame `n`, then evicts the frames farthest from `focus` until within budget.
    pub fn insert(&mut self, n: u64, frame: T, focus: u64) {
        self.bytes += frame.weight();
        if let Some(old) = self.frames.insert(n, frame) {
            self.bytes -= old.weight();
        }
        self.evict(focus);
    }

    /// Evicts the frames farthest from `focus` until within budget; `focus` itself stays.
    pub fn evict(&mut self, focus: u64) {
        self.evict_to(self.budget, focus);
    }

    /// Evicts the frames farthest from `focus` until at most `budget` bytes remain.
    pub fn evict_to(&mut self, budget: usize, focus: u64) {
        while self.bytes > budget && self.frames.len() > 1 {
            let (first, last) = match (self.frames.keys().next(), self.frames.keys().next_back()) {
                (Some(f), Some(l)) => (*f, *l),
                _ => return,
            };
            let victim = if focus.abs_diff(first) >= focus.abs_diff(last) {
                first
            } else {
                last
            };
            if victim == focus {
                return;
            }
            if let Some(old) = self.frames.remove(&victim) {
                self.bytes -= old.weight();
            }
        }
    }

    /// Bytes currently held.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Number of frames held.
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// Frame numbers held, ascending.
    pub fn frame_numbers(&self) -> impl Iterator<Item = u64> + '_ {
        self.frames.keys().copied()
    }

    /// Drops everything.
    pub fn clear(&mut self) {
        self.frames.clear();
        self.bytes = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Blob(usize);
    impl Weigh for Blob {
        fn weight(&self) -> usize {
            self.0
        }
    }

    #[test]
    fn evicts_farthest_from_focus() {
        let mut c = FrameCache::new(30);
        for n in 0..5 {
            c.insert(n, Blob(10), 4);
        }
        assert_eq!(c.frame_numbers().collect::<Vec<_>>(), [2, 3, 4]);
        c.insert(10, Blob(10), 3);
        assert_eq!(
            c.frame_numbers().collect::<Vec<_>>(),
            [2, 3, 4],
            "new far frame evicted itself"
        );
        assert_eq!(c.bytes(), 30);
    }

    #[test]
    fn focus_survives_even_over_budget() {
        let mut c = FrameCache::new(5);
        c.insert(7, Blob(100), 7);
        assert!(c.contains(7));
        c.insert(8, Blob(1), 8);
        assert_eq!(c.frame_numbers().collect::<Vec<_>>(), [8]);
    }

    #[test]
    fn replacing_a_frame_keeps_byte_count_right() {
        let mut c = FrameCache::new(100);
        c.insert(1, Blob(10), 1);
        c.insert(1, Blob(20), 1);
        assert_eq!((c.len(), c.bytes()), (1, 20));
        c.insert(2, Blob(30), 2);
        c.evict_to(30, 2);
        assert_eq!(c.frame_numbers().collect::<Vec<_>>(), [2]);
        c.clear();
        assert!(c.is_empty());
        assert_eq!(c.bytes(), 0);
    }
}
