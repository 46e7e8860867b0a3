//! A counting global allocator for the fuzz test binary: while a case runs on a thread it keeps
//! that thread's live bytes, their peak and the largest single request, so an input that makes
//! the readers allocate without bound is a finding with its input saved, not an out-of-memory
//! kill. A request above [`HARD_LIMIT`] is refused after calling the driver's hook (which saves
//! the input), since the process then aborts.
#![allow(unsafe_code)] // `GlobalAlloc` is an unsafe trait; every call forwards to `System`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::OnceLock;

/// A single request above this while a case runs is refused (1 GiB).
pub const HARD_LIMIT: usize = 1 << 30;

/// What one measured closure allocated on its thread.
#[derive(Clone, Copy, Debug, Default)]
pub struct Usage {
    /// Most bytes live at once (allocated during the closure and not yet freed).
    pub peak: usize,
    /// The largest single request.
    pub largest: usize,
}

/// Forwards to [`System`], counting on threads inside [`measure`].
pub struct Counting;

thread_local! {
    static ACTIVE: Cell<bool> = const { Cell::new(false) };
    static LIVE: Cell<usize> = const { Cell::new(0) };
    static PEAK: Cell<usize> = const { Cell::new(0) };
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

static ON_HUGE: OnceLock<fn(usize)> = OnceLock::new();

/// Sets the function called (once per refused request, before the abort) with its size.
pub fn on_huge_request(hook: fn(usize)) {
    ON_HUGE.set(hook).ok();
}

/// Runs `f` with counting on for this thread and returns what it allocated.
pub fn measure<T>(f: impl FnOnce() -> T) -> (T, Usage) {
    LIVE.set(0);
    PEAK.set(0);
    LARGEST.set(0);
    ACTIVE.set(true);
    let out = f();
    ACTIVE.set(false);
    let usage = Usage {
        peak: PEAK.get(),
        largest: LARGEST.get(),
    };
    (out, usage)
}

/// Counts a request of `size`; false refuses it.
fn grant(size: usize) -> bool {
    let active = ACTIVE.try_with(Cell::get).unwrap_or(false);
    if !active {
        return true;
    }
    LARGEST.set(LARGEST.get().max(size));
    if size > HARD_LIMIT {
        // The hook may allocate; turn counting off so it cannot come back here.
        ACTIVE.set(false);
        if let Some(hook) = ON_HUGE.get() {
            hook(size);
        }
        return false;
    }
    let live = LIVE.get().saturating_add(size);
    LIVE.set(live);
    PEAK.set(PEAK.get().max(live));
    true
}

fn release(size: usize) {
    if ACTIVE.try_with(Cell::get).unwrap_or(false) {
        LIVE.set(LIVE.get().saturating_sub(size));
    }
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, or returns
// null (a refused request, which `GlobalAlloc` allows). The bookkeeping touches only
// const-initialised thread-locals without destructors, which never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !grant(layout.size()) {
            return std::ptr::null_mut();
        }
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if !grant(layout.size()) {
            return std::ptr::null_mut();
        }
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        release(layout.size());
        // SAFETY: forwarded unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !grant(new_size) {
            return std::ptr::null_mut();
        }
        release(layout.size());
        // SAFETY: forwarded unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}
