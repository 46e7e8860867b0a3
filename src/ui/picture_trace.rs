//! `EARMARK_TRACE_PICTURES=FILE`: one line per picture the window puts on screen, `UNIX_NS
//! FRAME`, appended as it happens. For support (which frames a reviewer actually saw, and when)
//! and for the check that the participants of a shared review show the same frame at the same
//! moment: the wall clock is the one time base two processes on one machine share, and each
//! window writes its own file. Off (and free) unless the variable is set.

use std::io::Write as _;
use std::sync::{Mutex, OnceLock};

static TRACE: OnceLock<Option<Mutex<std::fs::File>>> = OnceLock::new();

fn trace() -> Option<&'static Mutex<std::fs::File>> {
    TRACE
        .get_or_init(|| {
            let path = std::env::var_os("EARMARK_TRACE_PICTURES")?;
            match std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
            {
                Ok(f) => Some(Mutex::new(f)),
                Err(e) => {
                    log::warn!(
                        "cannot write the picture trace {}: {e}",
                        std::path::Path::new(&path).display()
                    );
                    None
                }
            }
        })
        .as_ref()
}

/// Frame `frame` has just been put on screen.
pub fn picture_shown(frame: u64) {
    if let Some(file) = trace()
        && let Ok(mut f) = file.lock()
    {
        // One write per line, so a window killed mid-run leaves whole lines.
        let line = format!("{} {frame}\n", crate::time::now_unix_ns());
        let _ = f.write_all(line.as_bytes());
    }
}
