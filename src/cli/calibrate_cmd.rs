//! `earmark calibrate --signal ID --play-for S [--device NAME] [--gain DB] [--monitor MODE]`
//! and `earmark calibrate --list`: plays one calibration check signal through the output
//! device, with no window, then says what was played. For checking a listening set-up by ear
//! from a script, and for the tests that record the device and measure channel, polarity and
//! level. The signal goes through the same output callback as the window's checks.

use super::{MonitorArg, Outcome, SignalArg, choice, parse_seconds_ms};
use crate::audio::MonitorMode;
use crate::headphones::CheckSignal;
use crate::player::{PlayerError, SignalRequest, play_signal};
use clap::Args;
use std::io::Write as _;

/// `earmark calibrate …`.
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// List the check signals and what to listen for, then quit.
    #[arg(long, conflicts_with = "signal")]
    pub list: bool,
    /// The check signal to play (--list says what to listen for in each).
    #[arg(
        long,
        value_name = "ID",
        required_unless_present = "list",
        value_parser = choice::<SignalArg>("--signal")
    )]
    pub signal: Option<SignalArg>,
    /// Play this many seconds at full level (e.g. 2.5), between a 10 ms fade in and out.
    #[arg(long, value_name = "SECONDS", required_unless_present = "list")]
    pub play_for: Option<String>,
    /// Output device name (the system default when omitted).
    #[arg(long, value_name = "NAME")]
    pub device: Option<String>,
    /// Run the output device at this rate in Hz (its default when omitted).
    #[arg(long, value_name = "HZ")]
    pub device_rate: Option<u32>,
    /// Output gain in dB (−60…+12), as the window's gain control.
    #[arg(
        long,
        value_name = "DB",
        default_value = "0",
        allow_hyphen_values = true
    )]
    pub gain: f32,
    /// Monitoring mode in effect. Check signals bypass it (they test the physical chain), so
    /// this changes nothing; it is accepted so that can be shown.
    #[arg(
        long,
        value_name = "MODE",
        default_value = "stereo",
        value_parser = choice::<MonitorArg>("--monitor mode")
    )]
    pub monitor: MonitorArg,
}

/// The command-line name of a check signal.
pub fn signal_id(signal: CheckSignal) -> &'static str {
    match signal {
        CheckSignal::LeftRight => "left-right",
        CheckSignal::LeftOnly => "left",
        CheckSignal::RightOnly => "right",
        CheckSignal::PolarityInPhase => "polarity-a",
        CheckSignal::PolarityInverted => "polarity-b",
        CheckSignal::Balance => "balance",
        CheckSignal::ReferenceLevel => "reference",
        CheckSignal::EbuMatch => "ebu-match",
        CheckSignal::LtRtCentre => "ltrt-centre",
        CheckSignal::LtRtSurround => "ltrt-surround",
    }
}

pub fn run(args: &CalibrateArgs) -> anyhow::Result<Outcome> {
    if args.list {
        let mut out = std::io::stdout().lock();
        for s in CheckSignal::ALL {
            // A closed pipe (`| head`) just ends the list.
            if writeln!(
                out,
                "{:<14} {}: {}",
                signal_id(s),
                s.title(),
                s.listen_for()
            )
            .is_err()
            {
                break;
            }
        }
        return Ok(Outcome::Done);
    }
    // clap asks for --signal unless --list is given.
    let Some(signal) = args.signal.map(CheckSignal::from) else {
        return Ok(Outcome::BadInput(
            "--signal ID is needed (see earmark calibrate --list)".into(),
        ));
    };
    let Some(duration_ms) = args.play_for.as_deref().and_then(parse_seconds_ms) else {
        return Ok(Outcome::BadInput(
            "--play-for takes seconds, e.g. 2.5".into(),
        ));
    };
    let monitor = MonitorMode::from(args.monitor);
    if !(args.gain.is_finite() && (-60.0..=12.0).contains(&args.gain)) {
        return Ok(Outcome::BadInput(format!(
            "--gain {} dB is out of range (−60…+12)",
            args.gain
        )));
    }
    let request = SignalRequest {
        signal,
        duration_ms,
        device: args.device.clone(),
        device_rate: args.device_rate,
        monitor,
        gain_db: args.gain,
    };
    match play_signal(&request) {
        Ok(r) => {
            eprintln!(
                "played {} ({}) for {} frames at {} Hz on {}: loop RMS L {:.2} R {:.2} dBFS, peak {:.2} dBFS, output gain {:+.1} dB, monitoring bypassed (was {}); device latency {:.1} ms, {} device warnings",
                signal_id(signal),
                signal.title(),
                r.signal_frames,
                r.device_rate,
                r.device,
                r.loop_rms_dbfs[0],
                r.loop_rms_dbfs[1],
                r.loop_peak_dbfs,
                args.gain,
                monitor.cli_name(),
                r.latency_ms,
                r.stream_warnings,
            );
            Ok(Outcome::Done)
        }
        Err(PlayerError::Audio(e)) => Err(anyhow::anyhow!("audio output failed: {e}")),
        Err(e) => Ok(Outcome::BadInput(e.to_string())),
    }
}
