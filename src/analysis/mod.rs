//! Whole-file analysis, and running it in the background for the window: the file's loudness
//! and its delivery spec check. Nothing here plays sound or touches a device; `player`, `report`
//! and the window use it side by side.
//!
//! - [`loudness_scan`]: whole-file loudness analysis (decode + meter in parallel lanes)
//! - [`scan_job`]: that analysis in the background for the window, cached per file content
//! - [`spec_job`]: the delivery spec check in the background for the window, every profile at once

mod loudness_scan;
mod scan_job;
mod spec_job;

pub use loudness_scan::{
    CURVE_FLOOR, CURVE_RATE, LoudnessReport, LoudnessScan, ScanError, ScanOptions, scan_file,
    scan_file_with,
};
pub use scan_job::{ScanJob, ScanState};
pub use spec_job::{SpecJob, SpecResults, SpecState};
