//! The delivery spec check as a background job for the window: on open, the file's structure is
//! measured once on a "spec-check" thread and judged against every known profile, so the window
//! never waits on the disk and switching profiles is instant.
//!
//! The thread is not joined when the job is dropped: the read is bounded (headers and sample
//! tables, never the media payload) and holding a reference to the result is all it needs, so a
//! slow disk never holds up opening the next file.

use crate::delivery::{Facts, ProfileSet, Report, rules};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Every profile's verdict on one file, in the profile set's order.
#[derive(Clone, Debug)]
pub struct SpecResults {
    /// (profile id, profile name, report).
    pub reports: Vec<(String, String, Report)>,
    /// Problems with the user's own profile files (the shipped ones were still used).
    pub profile_warnings: Vec<String>,
}

impl SpecResults {
    /// The report for profile `id`, falling back to the first profile when `id` is unknown.
    pub fn for_profile(&self, id: &str) -> Option<&(String, String, Report)> {
        self.reports
            .iter()
            .find(|(pid, _, _)| pid == id)
            .or_else(|| self.reports.first())
    }
}

/// Where a check stands.
#[derive(Clone, Debug)]
pub enum SpecState {
    Running,
    Done(Arc<SpecResults>),
    /// The file's structure could not be read (named, with the reason).
    Failed(String),
}

/// What a finished check left: every verdict, or why the file could not be read.
type SpecOutcome = Result<Arc<SpecResults>, String>;

/// A spec check in the background.
pub struct SpecJob {
    result: Arc<Mutex<Option<SpecOutcome>>>,
}

impl SpecJob {
    /// Starts checking `path` against every profile in `profiles`.
    pub fn start(path: &Path, profiles: ProfileSet) -> Self {
        let result = Arc::new(Mutex::new(None));
        let slot = result.clone();
        let path = path.to_path_buf();
        let spawned = std::thread::Builder::new()
            .name("spec-check".into())
            .spawn(move || {
                let outcome = check_all(&path, &profiles);
                *slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(outcome);
            });
        if let Err(e) = spawned {
            *result.lock().unwrap_or_else(|p| p.into_inner()) =
                Some(Err(format!("could not start the delivery check: {e}")));
        }
        Self { result }
    }

    pub fn state(&self) -> SpecState {
        match &*self.result.lock().unwrap_or_else(|p| p.into_inner()) {
            None => SpecState::Running,
            Some(Ok(r)) => SpecState::Done(r.clone()),
            Some(Err(e)) => SpecState::Failed(e.clone()),
        }
    }
}

fn check_all(path: &Path, profiles: &ProfileSet) -> SpecOutcome {
    let facts = Facts::read_path(path).map_err(|e| e.to_string())?;
    let reports = profiles
        .profiles
        .iter()
        .map(|p| (p.id.clone(), p.name.clone(), rules::evaluate(&facts, p)))
        .collect();
    Ok(Arc::new(SpecResults {
        reports,
        profile_warnings: profiles.warnings.clone(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn wait(job: &SpecJob) -> SpecState {
        let start = Instant::now();
        loop {
            let state = job.state();
            if !matches!(state, SpecState::Running) || start.elapsed() > Duration::from_secs(10) {
                return state;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn unreadable_file_fails_naming_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("not-a-movie.mov");
        std::fs::write(&path, b"this is not a QuickTime file at all").expect("write");
        let set = ProfileSet::load(None).expect("shipped profiles");
        match wait(&SpecJob::start(&path, set)) {
            SpecState::Failed(why) => assert!(why.contains("not-a-movie.mov"), "{why}"),
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    #[test]
    fn unknown_profile_falls_back_to_the_first() {
        let results = SpecResults {
            reports: vec![
                ("a".into(), "A".into(), Report::new("a", vec![])),
                ("b".into(), "B".into(), Report::new("b", vec![])),
            ],
            profile_warnings: vec![],
        };
        assert_eq!(results.for_profile("b").map(|r| r.0.as_str()), Some("b"));
        assert_eq!(results.for_profile("zz").map(|r| r.0.as_str()), Some("a"));
    }
}
