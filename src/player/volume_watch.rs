//! The system volume of the output in use, read once a second on a thread of its own (asking the
//! sound server spawns a process; the window must never wait for that) and kept for the window
//! to pick up with the player's snapshot. A change of device is read at once. Nothing is read
//! while nothing plays (no process a second for an idle window); the last reading is kept.

use crate::audio::output::SystemVolume;
use crate::audio::output::system_volume;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

/// How often the volume is read.
const EVERY: Duration = Duration::from_secs(1);

/// The latest reading: the volume, or why it could not be read (in words).
pub type VolumeReading = Result<SystemVolume, String>;

#[derive(Debug, Default)]
struct State {
    /// The device to read (its name as Earmark lists it); `None`: nothing is open.
    device: Option<String>,
    /// The device changed since the last read.
    changed: bool,
    /// Something is playing: worth reading.
    active: bool,
    latest: Option<(String, VolumeReading)>,
}

#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    wake: Condvar,
    stop: AtomicBool,
}

/// Handle to the reading thread; stops it when dropped.
#[derive(Debug)]
pub struct VolumeWatch {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl VolumeWatch {
    pub fn spawn() -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            wake: Condvar::new(),
            stop: AtomicBool::new(false),
        });
        let inner = shared.clone();
        let thread = std::thread::Builder::new()
            .name("volume-watch".into())
            .spawn(move || run(&inner))?;
        Ok(Self {
            shared,
            thread: Some(thread),
        })
    }

    /// The device now in use (`None`: none open), and whether anything plays on it.
    pub fn watch(&self, device: Option<&str>, active: bool) {
        let mut st = lock(&self.shared);
        if st.active != active {
            st.active = active;
            self.shared.wake.notify_all();
        }
        if st.device.as_deref() != device {
            st.device = device.map(str::to_owned);
            st.changed = true;
            st.latest = None;
            self.shared.wake.notify_all();
        }
    }

    /// The newest reading for the device being watched (`None`: not read yet).
    pub fn latest(&self) -> Option<VolumeReading> {
        let st = lock(&self.shared);
        match (&st.latest, &st.device) {
            (Some((for_device, reading)), Some(d)) if for_device == d => Some(reading.clone()),
            _ => None,
        }
    }
}

impl Drop for VolumeWatch {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        self.shared.wake.notify_all();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn lock(shared: &Shared) -> MutexGuard<'_, State> {
    shared.state.lock().unwrap_or_else(|p| p.into_inner())
}

fn run(shared: &Shared) {
    loop {
        let device = {
            let mut st = lock(shared);
            // A new device is read once even when idle, so the first estimate has its volume.
            let read = st.active || st.latest.is_none();
            st.changed = false;
            st.device.clone().filter(|_| read)
        };
        if shared.stop.load(Ordering::Relaxed) {
            return;
        }
        if let Some(d) = device {
            let reading = system_volume::read(Some(&d)).map_err(|e| e.to_string());
            let mut st = lock(shared);
            if st.device.as_deref() == Some(d.as_str()) {
                st.latest = Some((d, reading));
            }
        }
        let st = lock(shared);
        if shared.stop.load(Ordering::Relaxed) {
            return;
        }
        if !st.changed {
            let _ = shared.wake.wait_timeout(st, EVERY);
        }
    }
}
