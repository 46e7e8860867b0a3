//! The command line's fixed sets of values (`--monitor`, `--preset`, `--signal`, `--fold-down`,
//! `--interface`, `--status`, `--format`, the completion shells) as clap value enums, so `--help`,
//! the shell completions and the man page list them and clap refuses anything else before a
//! command runs (exit 2). The library's own types stay clap-free: each enum here maps onto one.
//!
//! The spellings are the ones the commands took before they were enums, hidden aliases
//! included (`--fold-down loro`, `--preset "EBU R128"`); the tests below hold each enum to its
//! library type, so a value added there without one here fails them.
//!
//! A wrong value is refused through [`choice`], which keeps the words the commands used
//! ("unknown --interface", "unknown status") inside clap's own message:
//! `error: invalid value 'radio' for '--interface <KIND>': unknown --interface kind; possible
//! values: built-in, usb, bluetooth, pci, hdmi, other`.

use crate::audio::{FoldDown, MonitorMode};
use crate::headphones::{CheckSignal, Interface};
use crate::notes::Status;
use crate::report::ExportFormat;
use clap::ValueEnum;
use clap::builder::{EnumValueParser, PossibleValue, StringValueParser, TypedValueParser};
use clap::error::{ContextKind, ContextValue, ErrorKind};
use std::ffi::OsStr;
use std::marker::PhantomData;

/// Parses one of `E`'s values (clap's own matching, aliases and `ignore_case` included) and
/// refuses anything else with "unknown WHAT; possible values: …" (and clap's "did you mean"
/// guess when it has one). `--help`, completions and the man page list `E`'s values.
pub fn choice<E>(what: &'static str) -> Choice<E>
where
    E: ValueEnum + Clone + Send + Sync + 'static,
{
    Choice {
        what,
        values: PhantomData,
    }
}

/// The value parser [`choice`] makes.
#[derive(Clone, Debug)]
pub struct Choice<E> {
    what: &'static str,
    values: PhantomData<fn() -> E>,
}

impl<E> TypedValueParser for Choice<E>
where
    E: ValueEnum + Clone + Send + Sync + 'static,
{
    type Value = E;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<E, clap::Error> {
        let error = match EnumValueParser::<E>::new().parse_ref(cmd, arg, value) {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        // An empty value or one that is not UTF-8: clap's own words say it best.
        if error.kind() != ErrorKind::InvalidValue || value.is_empty() {
            return Err(error);
        }
        let guess = match error.get(ContextKind::SuggestedValue) {
            Some(ContextValue::String(s)) => format!("; did you mean '{s}'?"),
            Some(ContextValue::Strings(s)) if !s.is_empty() => {
                format!("; did you mean '{}'?", s.join("' or '"))
            }
            _ => String::new(),
        };
        let message = format!(
            "unknown {}; possible values: {}{guess}",
            self.what,
            names::<E>().join(", ")
        );
        // clap's "invalid value 'X' for '--flag <V>': …", with the message as its reason.
        StringValueParser::new()
            .try_map(move |_| Err::<E, String>(message.clone()))
            .parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            E::value_variants()
                .iter()
                .filter_map(ValueEnum::to_possible_value),
        ))
    }
}

/// The names `--help` shows for `E` (hidden aliases left out).
pub fn names<E: ValueEnum>() -> Vec<String> {
    E::value_variants()
        .iter()
        .filter_map(ValueEnum::to_possible_value)
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_owned())
        .collect()
}

/// `--monitor`: what the listener hears of the stereo mix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MonitorArg {
    /// L to the left ear, R to the right.
    #[value(name = "stereo")]
    Stereo,
    /// (L+R)/2 in both ears: what a mono television plays.
    #[value(name = "mono")]
    Mono,
    /// The left channel alone, in both ears.
    #[value(name = "left")]
    Left,
    /// The right channel alone, in both ears.
    #[value(name = "right")]
    Right,
    /// Left and right exchanged.
    #[value(name = "swap")]
    Swap,
    /// Mid, (L+R)/2, in both ears.
    #[value(name = "mid")]
    Mid,
    /// Side, (L−R)/2, in both ears: everything that is not centred.
    #[value(name = "side")]
    Side,
    /// Lt/Rt passive decode, centre: (Lt+Rt)/2.
    #[value(name = "ltrt-centre")]
    LtRtCentre,
    /// Lt/Rt passive decode, surround: (Lt−Rt)/2.
    #[value(name = "ltrt-surround")]
    LtRtSurround,
}

impl From<MonitorArg> for MonitorMode {
    fn from(arg: MonitorArg) -> Self {
        match arg {
            MonitorArg::Stereo => Self::Stereo,
            MonitorArg::Mono => Self::Mono,
            MonitorArg::Left => Self::LeftOnly,
            MonitorArg::Right => Self::RightOnly,
            MonitorArg::Swap => Self::Swap,
            MonitorArg::Mid => Self::Mid,
            MonitorArg::Side => Self::Side,
            MonitorArg::LtRtCentre => Self::LtRtCentre,
            MonitorArg::LtRtSurround => Self::LtRtSurround,
        }
    }
}

/// `--preset`: the loudness target (`meters::PRESETS`). Ids and the presets' names are taken in
/// any case, as `Preset::by_id` takes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PresetArg {
    /// Netflix 2.0: dialogue-gated −27 ± 2 LKFS, true peak ≤ −2 dBTP.
    #[value(name = "netflix", alias = "Netflix 2.0")]
    Netflix,
    /// EBU R128: −23 ± 0.5 LUFS, true peak ≤ −1 dBTP.
    #[value(name = "ebu-r128", alias = "EBU R128")]
    EbuR128,
    /// ATSC A/85: −24 ± 2 LKFS, true peak ≤ −2 dBTP.
    #[value(name = "atsc-a85", alias = "ATSC A/85")]
    AtscA85,
    /// Streaming −14 LUFS (for reference only).
    #[value(name = "streaming-14", alias = "Streaming −14")]
    Streaming14,
    /// Streaming −16 LUFS (for reference only).
    #[value(name = "streaming-16", alias = "Streaming −16")]
    Streaming16,
    /// No target: measure only.
    #[value(name = "none", alias = "No target")]
    None,
}

impl PresetArg {
    /// The `meters::Preset` id.
    pub fn id(self) -> &'static str {
        match self {
            Self::Netflix => "netflix",
            Self::EbuR128 => "ebu-r128",
            Self::AtscA85 => "atsc-a85",
            Self::Streaming14 => "streaming-14",
            Self::Streaming16 => "streaming-16",
            Self::None => "none",
        }
    }
}

/// `calibrate --signal`: a calibration check signal (`earmark calibrate --list`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SignalArg {
    /// Pink-noise bursts, left then right: swapped cups and cables.
    #[value(name = "left-right")]
    LeftRight,
    /// Pink noise in the left channel only.
    #[value(name = "left")]
    Left,
    /// Pink noise in the right channel only.
    #[value(name = "right")]
    Right,
    /// Mono pink noise in both channels: the "A" of the polarity A/B.
    #[value(name = "polarity-a")]
    PolarityA,
    /// The same noise with the right channel inverted: the "B" of the polarity A/B.
    #[value(name = "polarity-b")]
    PolarityB,
    /// Mono pink noise, for centring the image with the balance trim.
    #[value(name = "balance")]
    Balance,
    /// Pink noise at −20 dBFS RMS per channel: the level reference.
    #[value(name = "reference")]
    Reference,
    /// EBU Tech 3343 pink noise at −23 LUFS, for matching a calibrated room by ear.
    #[value(name = "ebu-match")]
    EbuMatch,
    /// Lt/Rt centre state (L = R).
    #[value(name = "ltrt-centre")]
    LtRtCentre,
    /// Lt/Rt surround state (L = −R): gone in mono.
    #[value(name = "ltrt-surround")]
    LtRtSurround,
}

impl From<SignalArg> for CheckSignal {
    fn from(arg: SignalArg) -> Self {
        match arg {
            SignalArg::LeftRight => Self::LeftRight,
            SignalArg::Left => Self::LeftOnly,
            SignalArg::Right => Self::RightOnly,
            SignalArg::PolarityA => Self::PolarityInPhase,
            SignalArg::PolarityB => Self::PolarityInverted,
            SignalArg::Balance => Self::Balance,
            SignalArg::Reference => Self::ReferenceLevel,
            SignalArg::EbuMatch => Self::EbuMatch,
            SignalArg::LtRtCentre => Self::LtRtCentre,
            SignalArg::LtRtSurround => Self::LtRtSurround,
        }
    }
}

/// `--fold-down`: how a 5.1 or 7.1 track reaches two ears (any case, as `FoldDown`'s `FromStr`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FoldArg {
    /// Lo/Ro, ITU-R BS.775: centre and each surround at −3 dB into their side, no LFE.
    #[value(name = "bs775", aliases = ["loro", "lo/ro", "itu"])]
    Bs775,
    /// Lt/Rt matrix surround (the Pro Logic II encode equations, without the phase shift).
    #[value(name = "ltrt", aliases = ["lt/rt", "dplii", "matrix"])]
    LtRt,
}

impl From<FoldArg> for FoldDown {
    fn from(arg: FoldArg) -> Self {
        match arg {
            FoldArg::Bs775 => Self::Bs775,
            FoldArg::LtRt => Self::LtRt,
        }
    }
}

/// `headphones match --interface`: the connection the system reports (any case).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InterfaceArg {
    /// The computer's own output (headphone socket, laptop speakers).
    #[value(name = "built-in", alias = "builtin")]
    BuiltIn,
    /// A USB DAC, amplifier or interface.
    #[value(name = "usb")]
    Usb,
    /// A Bluetooth output (latency, lossy codec).
    #[value(name = "bluetooth")]
    Bluetooth,
    /// A sound card inside the computer.
    #[value(name = "pci")]
    Pci,
    /// A display or receiver over HDMI or DisplayPort.
    #[value(name = "hdmi")]
    Hdmi,
    /// Anything else.
    #[value(name = "other")]
    Other,
}

impl From<InterfaceArg> for Interface {
    fn from(arg: InterfaceArg) -> Self {
        match arg {
            InterfaceArg::BuiltIn => Self::BuiltIn,
            InterfaceArg::Usb => Self::Usb,
            InterfaceArg::Bluetooth => Self::Bluetooth,
            InterfaceArg::Pci => Self::Pci,
            InterfaceArg::Hdmi => Self::Hdmi,
            InterfaceArg::Other => Self::Other,
        }
    }
}

/// `notes list|edit --status` (any case).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    /// Still needs work.
    #[value(name = "open")]
    Open,
    /// Done.
    #[value(name = "addressed")]
    Addressed,
}

impl From<StatusArg> for Status {
    fn from(arg: StatusArg) -> Self {
        match arg {
            StatusArg::Open => Self::Open,
            StatusArg::Addressed => Self::Addressed,
        }
    }
}

/// `notes export --format` and `review-complete --export FORMAT:OUT`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Standard MIDI File with marker events (Pro Tools, Cubase, Nuendo).
    #[value(name = "protools-midi")]
    ProtoolsMidi,
    /// Media Composer marker list.
    #[value(name = "avid-txt")]
    AvidTxt,
    /// DaVinci Resolve marker EDL.
    #[value(name = "resolve-edl")]
    ResolveEdl,
    /// CMX3600 EDL with `* LOC:` locators.
    #[value(name = "edl")]
    Edl,
    /// Final Cut Pro XML 1.10.
    #[value(name = "fcpxml")]
    Fcpxml,
    /// CSV (UTF-8 with BOM), the lossless round trip.
    #[value(name = "csv")]
    Csv,
    /// The printable review report.
    #[value(name = "html")]
    Html,
}

impl FormatArg {
    /// The name on the command line (and in the access log).
    pub fn id(self) -> &'static str {
        match self {
            Self::ProtoolsMidi => "protools-midi",
            Self::AvidTxt => "avid-txt",
            Self::ResolveEdl => "resolve-edl",
            Self::Edl => "edl",
            Self::Fcpxml => "fcpxml",
            Self::Csv => "csv",
            Self::Html => "html",
        }
    }
}

impl From<FormatArg> for ExportFormat {
    fn from(arg: FormatArg) -> Self {
        match arg {
            FormatArg::ProtoolsMidi => Self::ProtoolsMidi,
            FormatArg::AvidTxt => Self::AvidTxt,
            FormatArg::ResolveEdl => Self::ResolveEdl,
            FormatArg::Edl => Self::Edl,
            FormatArg::Fcpxml => Self::Fcpxml,
            FormatArg::Csv => Self::Csv,
            FormatArg::Html => Self::Html,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meters::{PRESETS, Preset};

    /// Every value and alias of `E`, as typed on the command line.
    fn spellings<E: ValueEnum + Clone>() -> Vec<(E, String)> {
        E::value_variants()
            .iter()
            .flat_map(|v| {
                let p = v.to_possible_value().expect("no skipped variants");
                p.get_name_and_aliases()
                    .map(|s| (v.clone(), s.to_owned()))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    #[test]
    fn monitor_modes_are_the_library_ones() {
        assert_eq!(MonitorArg::value_variants().len(), MonitorMode::ALL.len());
        for (arg, name) in spellings::<MonitorArg>() {
            assert_eq!(
                MonitorMode::from_cli_name(&name),
                Some(arg.into()),
                "{name}"
            );
        }
    }

    #[test]
    fn presets_are_the_library_ones() {
        assert_eq!(PresetArg::value_variants().len(), PRESETS.len());
        for (arg, name) in spellings::<PresetArg>() {
            let preset = Preset::by_id(&name).expect(&name);
            assert_eq!(preset.id, arg.id(), "{name}");
        }
        // Every preset's id and name, as `by_id` takes them, in any case.
        for p in PRESETS {
            for spelling in [p.id, p.name] {
                for s in [spelling.to_owned(), spelling.to_ascii_uppercase()] {
                    let arg = PresetArg::from_str(&s, true).expect(&s);
                    assert_eq!(arg.id(), p.id, "{s}");
                }
            }
        }
    }

    #[test]
    fn signals_are_the_library_ones() {
        assert_eq!(SignalArg::value_variants().len(), CheckSignal::ALL.len());
        for (arg, name) in spellings::<SignalArg>() {
            let signal = CheckSignal::from(arg);
            assert_eq!(super::super::signal_id(signal), name);
        }
    }

    #[test]
    fn fold_downs_take_the_library_spellings() {
        assert_eq!(FoldArg::value_variants().len(), FoldDown::ALL.len());
        for (arg, name) in spellings::<FoldArg>() {
            let parsed: FoldDown = name.parse().expect("FromStr takes it");
            assert_eq!(parsed, arg.into(), "{name}");
            let upper = name.to_ascii_uppercase();
            assert_eq!(FoldArg::from_str(&upper, true), Ok(arg), "{upper}");
        }
    }

    #[test]
    fn interfaces_statuses_and_formats_are_the_library_ones() {
        // Exhaustive the other way: a new library value without an enum value here is an error.
        let interface = |i: Interface| match i {
            Interface::BuiltIn => InterfaceArg::BuiltIn,
            Interface::Usb => InterfaceArg::Usb,
            Interface::Bluetooth => InterfaceArg::Bluetooth,
            Interface::Pci => InterfaceArg::Pci,
            Interface::Hdmi => InterfaceArg::Hdmi,
            Interface::Other => InterfaceArg::Other,
        };
        for (arg, name) in spellings::<InterfaceArg>() {
            let i = Interface::from_id(&name).expect(&name);
            assert_eq!((i, interface(i)), (arg.into(), arg), "{name}");
        }
        let status = |s: Status| match s {
            Status::Open => StatusArg::Open,
            Status::Addressed => StatusArg::Addressed,
        };
        for (arg, name) in spellings::<StatusArg>() {
            let s = Status::parse(&name).expect(&name);
            assert_eq!((s, status(s)), (arg.into(), arg), "{name}");
        }
        let format = |f: ExportFormat| match f {
            ExportFormat::ProtoolsMidi => FormatArg::ProtoolsMidi,
            ExportFormat::AvidTxt => FormatArg::AvidTxt,
            ExportFormat::ResolveEdl => FormatArg::ResolveEdl,
            ExportFormat::Edl => FormatArg::Edl,
            ExportFormat::Fcpxml => FormatArg::Fcpxml,
            ExportFormat::Csv => FormatArg::Csv,
            ExportFormat::Html => FormatArg::Html,
        };
        for (arg, name) in spellings::<FormatArg>() {
            assert_eq!(arg.id(), name);
            assert_eq!(format(arg.into()), arg);
        }
    }
}
