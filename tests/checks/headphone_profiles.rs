//! The headphone profiles: every shipped file loads and is built into the binary, every model the
//! guidance names is there with its status, the sensitivity maths is right, bad files are
//! reported by file, line and field without losing the good ones, user files override shipped
//! ones, real device names from every host are recognised (and plain ones are not mistaken for
//! DACs), the warnings fire when they should, and declarations survive a round trip.

use earmark::headphones::{
    Catalog, Declaration, Declarations, DeviceInfo, DeviceKind, Guidance, IdentifiedBy, Interface,
    LoadReport, Origin, ProfileError, SensitivityRef, ShippedProfiles, Warning,
    db_per_mw_from_db_per_v, db_per_v_from_db_per_mw, embedded_profiles, parse_profile, recognise,
};
use std::path::{Path, PathBuf};

fn shipped_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("headphone_profiles")
}

fn shipped() -> Catalog {
    let report = Catalog::load(&ShippedProfiles::Embedded, None);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    report.catalog
}

#[test]
fn every_shipped_file_parses_validates_and_is_built_in() {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(shipped_dir()).expect("profile folder") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|x| x != "toml") {
            continue;
        }
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let text = std::fs::read_to_string(&path).expect("read");
        if let Err(e) = parse_profile(&text, &path) {
            panic!("{e}");
        }
        let built_in = embedded_profiles().iter().find(|(n, _)| *n == name);
        let Some((_, built_in_text)) = built_in else {
            panic!("{name} is not in the built-in list in src/headphones/catalog.rs");
        };
        assert_eq!(*built_in_text, text, "{name}: built-in copy differs");
        names.push(name);
    }
    assert_eq!(
        names.len(),
        embedded_profiles().len(),
        "built-in list has extra files"
    );
    let from_folder = Catalog::load(&ShippedProfiles::Folder(shipped_dir()), None);
    assert!(from_folder.errors.is_empty(), "{:?}", from_folder.errors);
    assert_eq!(from_folder.catalog, shipped());
    assert_eq!(
        shipped().headphones().len() + shipped().devices().len(),
        names.len()
    );
}

#[test]
fn every_model_in_the_guidance_is_there_with_its_status() {
    use Guidance::*;
    let c = shipped();
    let expected = [
        (
            "beyerdynamic.dt770pro-80",
            "DT 770 PRO",
            Some(80.0),
            Approved,
        ),
        (
            "beyerdynamic.dt770pro-250",
            "DT 770 PRO",
            Some(250.0),
            Approved,
        ),
        (
            "beyerdynamic.dt990pro-80",
            "DT 990 PRO",
            Some(80.0),
            Approved,
        ),
        (
            "beyerdynamic.dt990pro-250",
            "DT 990 PRO",
            Some(250.0),
            Approved,
        ),
        (
            "beyerdynamic.dt1990pro-250",
            "DT 1990 PRO",
            Some(250.0),
            Approved,
        ),
        ("sony.mdr7506", "MDR-7506", Some(63.0), Approved),
        ("audio-technica.ath-m50x", "ATH-M50x", Some(38.0), Approved),
        ("audeze.sine", "SINE", Some(20.0), Approved),
        ("audeze.lcd-xc-2021", "LCD-XC", Some(20.0), Approved),
        ("sennheiser.hd300pro", "HD 300 PRO", Some(64.0), Approved),
        ("sennheiser.hd380pro", "HD 380 PRO", Some(54.0), Approved),
        ("sennheiser.hd660s", "HD 660 S", Some(150.0), Approved),
        ("shure.srh1840", "SRH1840", Some(65.0), Approved),
        ("audeze.lcd-2", "LCD-2", Some(70.0), ApprovedWithAmp),
        ("audeze.lcd-3", "LCD-3", Some(110.0), ApprovedWithAmp),
        ("audeze.lcd-4", "LCD-4", Some(200.0), ApprovedWithAmp),
        ("sennheiser.hd800", "HD 800", Some(300.0), ApprovedWithAmp),
        ("sennheiser.hd820", "HD 820", Some(300.0), ApprovedWithAmp),
        ("sennheiser.hd600", "HD 600", Some(300.0), ApprovedWithAmp),
        ("sennheiser.hd650", "HD 650", Some(300.0), ApprovedWithAmp),
        ("audio-technica.ath-m50xbt", "ATH-M50xBT", None, NotListed),
        ("audio-technica.ath-m50xbt2", "ATH-M50xBT2", None, NotListed),
        ("sony.wh1000xm4", "WH-1000XM4", None, NotListed),
    ];
    for (id, model, ohm, guidance) in expected {
        let h = c.headphone(id).unwrap_or_else(|| panic!("{id} missing"));
        assert_eq!(h.model, model, "{id}");
        assert_eq!(h.guidance, guidance, "{id}");
        assert_eq!(h.impedance_ohm.as_ref().map(|z| z.value), ohm, "{id}");
    }
    // The guidance's own spelling finds the HD 650.
    let hd650: Vec<_> = c
        .search_headphones("HD 650 Pro")
        .iter()
        .map(|h| &h.id)
        .collect();
    assert_eq!(hd650, ["sennheiser.hd650"]);
    // No sensitivity was found for the DT 990 PRO 80 Ω, so none may be invented.
    assert!(
        c.headphone("beyerdynamic.dt990pro-80")
            .is_some_and(|h| h.sensitivity.is_none())
    );

    let devices = [
        ("schiit.magni", DeviceKind::Amplifier),
        ("chord.mojo", DeviceKind::Dac),
        ("chord.mojo2", DeviceKind::Dac),
        ("apogee.groove", DeviceKind::Dac),
        ("apple.usb-c-adapter", DeviceKind::Source),
        ("apple.mac-headphone-jack", DeviceKind::Source),
        ("generic.builtin-jack", DeviceKind::Source),
    ];
    for (id, kind) in devices {
        let d = c.device(id).unwrap_or_else(|| panic!("{id} missing"));
        assert_eq!(d.kind, kind, "{id}");
    }
    let mojo2 = c.device("chord.mojo2").expect("mojo 2");
    assert_eq!(mojo2.builtin_dsp.len(), 2, "EQ and crossfeed");
    assert!(
        c.device("chord.mojo")
            .is_some_and(|d| d.builtin_dsp.is_empty())
    );
}

#[test]
fn sensitivities_convert_between_milliwatt_and_volt() {
    // Worked examples from the research notes' table (≈ dB SPL/V).
    let cases = [
        (96.0, 80.0, 106.97),  // DT 770 PRO 80 Ω: 96 − 10·log10(0.080)
        (96.0, 250.0, 102.02), // DT 770/990 PRO 250 Ω
        (99.0, 38.0, 113.20),  // ATH-M50x
        (110.0, 20.0, 126.99), // SINE
        (97.0, 200.0, 103.99), // LCD-4
        (106.0, 63.0, 118.01), // MDR-7506
    ];
    for (mw, ohm, v) in cases {
        let got = db_per_v_from_db_per_mw(mw, ohm);
        assert!((got - v).abs() < 0.005, "{mw} dB/mW at {ohm} Ω: {got}");
        assert!((db_per_mw_from_db_per_v(got, ohm) - mw).abs() < 1e-9);
    }
    // And the loader derives them the same way, per-volt figures unchanged.
    let c = shipped();
    let v = |id: &str| {
        c.headphone(id)
            .and_then(|h| h.db_spl_per_v.as_ref())
            .map(|s| s.value)
            .unwrap_or(f64::NAN)
    };
    assert!((v("beyerdynamic.dt770pro-80") - 106.97).abs() < 0.005);
    assert!((v("audeze.lcd-4") - 103.99).abs() < 0.005);
    assert_eq!(v("sennheiser.hd650"), 103.0);
    assert_eq!(v("sennheiser.hd600"), 97.0);
}

#[test]
fn unverified_figures_are_never_shown_as_fact() {
    let c = shipped();
    let unverified = |verified: bool| usize::from(!verified);
    for h in c.headphones() {
        let summary = h.summary();
        let per_mw = h
            .sensitivity
            .as_ref()
            .is_some_and(|s| s.value.per == SensitivityRef::Milliwatt);
        // Shown: the impedance, the stated sensitivity and, for a per-mW figure, the derived one.
        let expected = h
            .impedance_ohm
            .as_ref()
            .map_or(0, |z| unverified(z.verified))
            + h.sensitivity.as_ref().map_or(0, |s| unverified(s.verified))
            + h.db_spl_per_v
                .as_ref()
                .filter(|_| per_mw)
                .map_or(0, |d| unverified(d.verified));
        assert_eq!(
            summary.matches("(unverified)").count(),
            expected,
            "{summary}"
        );
        if let (true, Some(d), Some(s), Some(z)) =
            (per_mw, &h.db_spl_per_v, &h.sensitivity, &h.impedance_ohm)
        {
            assert_eq!(d.verified, s.verified && z.verified, "{}", h.id);
        }
    }
    // The HD 800's impedance was read in a review; its sensitivity was not.
    let hd800 = c.headphone("sennheiser.hd800").expect("HD 800").summary();
    assert!(hd800.contains("300 Ω,"), "{hd800}");
    assert!(
        hd800.contains("102 dB SPL/V at 1 kHz (unverified)"),
        "{hd800}"
    );
    for d in c.devices() {
        let figures = d
            .full_scale
            .iter()
            .map(|f| f.vrms.verified)
            .chain(d.output_impedance_ohm.as_ref().map(|z| z.verified));
        let unverified = figures.filter(|v| !v).count();
        assert_eq!(
            d.summary().matches("(unverified)").count(),
            unverified,
            "{}",
            d.summary()
        );
    }
}

/// A folder holding these files.
fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    dir
}

fn load_folder(dir: &Path) -> LoadReport {
    Catalog::load(&ShippedProfiles::Folder(dir.to_path_buf()), None)
}

const GOOD: &str = r#"schema_version = 1
kind = "headphones"
id = "test.good"
maker = "Test"
model = "Good"
guidance = "approved"
enclosure = "open"

[impedance]
ohm = 32
source = "test"
verified = true
"#;

/// The single error of loading `text` as `name`, checked to name the file, line and field.
fn single_error(name: &str, text: &str, line: usize, field: &str) -> String {
    let dir = folder(&[(name, text)]);
    let report = load_folder(dir.path());
    assert!(report.catalog.headphones().is_empty());
    let [e] = report.errors.as_slice() else {
        panic!("one error expected: {:?}", report.errors);
    };
    assert_eq!(e.file(), Some(dir.path().join(name).as_path()), "{e}");
    assert_eq!(e.line(), Some(line), "{e}");
    assert_eq!(e.field(), Some(field), "{e}");
    let message = e.to_string();
    assert!(message.contains(name), "{message}");
    assert!(message.contains(&format!("line {line}")), "{message}");
    assert!(message.contains(&format!("`{field}`")), "{message}");
    message
}

#[test]
fn bad_files_are_reported_by_file_line_and_field() {
    let unknown = GOOD.replace(
        "enclosure = \"open\"",
        "enclosure = \"open\"\ncolour = \"black\"",
    );
    let m = single_error("unknown.toml", &unknown, 8, "colour");
    assert!(m.contains("unknown field"), "{m}");

    // The voltage sensitivity is derived by the loader, never typed in.
    let typed_in_derived = GOOD.replace(
        "enclosure = \"open\"",
        "enclosure = \"open\"\ndb_spl_per_v = 107",
    );
    single_error("derived.toml", &typed_in_derived, 8, "db_spl_per_v");

    let wrong_type = GOOD.replace("ohm = 32", "ohm = \"32 ohm\"");
    let m = single_error("type.toml", &wrong_type, 10, "impedance.ohm");
    assert!(m.contains("invalid type"), "{m}");

    let missing = GOOD.replace("source = \"test\"\n", "");
    let m = single_error("missing.toml", &missing, 9, "impedance.source");
    assert!(m.contains("missing field"), "{m}");

    let missing_top = GOOD.replace("maker = \"Test\"\n", "");
    single_error("no-maker.toml", &missing_top, 1, "maker");

    let negative = GOOD.replace("ohm = 32", "ohm = -32");
    let m = single_error("negative.toml", &negative, 10, "impedance.ohm");
    assert!(m.contains("negative"), "{m}");

    let status = GOOD.replace("\"approved\"", "\"recommended\"");
    let m = single_error("status.toml", &status, 6, "guidance");
    assert!(m.contains("unknown variant"), "{m}");

    let empty_rule =
        format!("{GOOD}\n[[match]]\nwords = \"Good\"\n\n[[match]]\nunless = [\"x\"]\n");
    let m = single_error("rule.toml", &empty_rule, 17, "match[2]");
    assert!(m.contains("empty match rule"), "{m}");

    let blank_rule = format!("{GOOD}\n[[match]]\ncontains = \"  \"\n");
    single_error("blank.toml", &blank_rule, 15, "match[1].contains");

    let bad_toml = GOOD.replace("model = \"Good\"", "model = \"Good");
    let dir = folder(&[("syntax.toml", &bad_toml)]);
    let report = load_folder(dir.path());
    assert_eq!(report.errors.first().and_then(ProfileError::line), Some(5));
}

#[test]
fn duplicate_ids_from_one_place_are_an_error_naming_both_files() {
    let other = GOOD.replace("model = \"Good\"", "model = \"Other\"");
    let dir = folder(&[("a.toml", GOOD), ("b.toml", &other)]);
    let report = load_folder(dir.path());
    assert_eq!(report.catalog.headphones().len(), 1);
    assert_eq!(
        report.catalog.headphones()[0].model,
        "Good",
        "the first file wins"
    );
    let [e] = report.errors.as_slice() else {
        panic!("{:?}", report.errors);
    };
    assert!(matches!(e, ProfileError::DuplicateId { .. }), "{e}");
    assert_eq!((e.line(), e.field()), (Some(3), Some("id")));
    let m = e.to_string();
    assert!(
        m.contains("b.toml") && m.contains("a.toml") && m.contains("test.good"),
        "{m}"
    );
}

#[test]
fn one_bad_file_does_not_cost_the_good_ones() {
    let bad = GOOD
        .replace("test.good", "test.bad")
        .replace("ohm = 32", "ohm = 0");
    let dir = folder(&[
        ("bad.toml", &bad),
        ("good.toml", GOOD),
        ("notes.txt", "not a profile"),
    ]);
    let report = load_folder(dir.path());
    let ids: Vec<_> = report.catalog.headphones().iter().map(|h| &h.id).collect();
    assert_eq!(ids, ["test.good"]);
    let [e] = report.errors.as_slice() else {
        panic!("{:?}", report.errors);
    };
    assert!(e.to_string().contains("bad.toml"), "{e}");
    assert_eq!(e.field(), Some("impedance.ohm"));
}

#[test]
fn a_user_profile_replaces_the_shipped_one_and_says_so() {
    let mine = std::fs::read_to_string(shipped_dir().join("sennheiser-hd650.toml"))
        .expect("shipped HD 650")
        .replace("verified = false", "verified = true");
    let user = folder(&[("my-hd650.toml", &mine), ("extra.toml", GOOD)]);
    let report = Catalog::load(&ShippedProfiles::Embedded, Some(user.path()));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let [o] = report.overrides.as_slice() else {
        panic!("{:?}", report.overrides);
    };
    assert_eq!(o.id, "sennheiser.hd650");
    assert_eq!(o.shipped_file, "sennheiser-hd650.toml");
    assert!(o.to_string().contains("my-hd650.toml"), "{o}");
    let hd650 = report
        .catalog
        .headphone("sennheiser.hd650")
        .expect("HD 650");
    assert!(hd650.db_spl_per_v.as_ref().is_some_and(|s| s.verified));
    assert!(matches!(
        hd650.origin,
        Origin::User {
            replaces_shipped: true,
            ..
        }
    ));
    assert_eq!(
        report.catalog.headphones().len(),
        shipped().headphones().len() + 1,
        "replaced, not added; the extra one added"
    );
    // A missing user folder is normal.
    let none = Catalog::load(&ShippedProfiles::Embedded, Some(&user.path().join("nope")));
    assert!(none.errors.is_empty());
}

struct Case {
    host: &'static str,
    name: &'static str,
    id: Option<&'static str>,
    interface: Option<Interface>,
    output: Option<&'static str>,
    headphones: Option<&'static str>,
    bluetooth: bool,
}

const fn case(host: &'static str, name: &'static str, output: Option<&'static str>) -> Case {
    Case {
        host,
        name,
        id: None,
        interface: None,
        output,
        headphones: None,
        bluetooth: false,
    }
}

#[test]
fn real_device_names_from_every_host_are_recognised() {
    let mojo2 = Some("chord.mojo2");
    let mojo = Some("chord.mojo");
    let groove = Some("apogee.groove");
    let dongle = Some("apple.usb-c-adapter");
    let jack = Some("generic.builtin-jack");
    let cases = [
        // PulseAudio / PipeWire descriptions and node names.
        case("PulseAudio", "Built-in Audio Analog Stereo", jack),
        case(
            "PulseAudio",
            "alsa_output.pci-0000_00_1f.3.analog-stereo",
            jack,
        ),
        case("PipeWire", "Mojo 2 Analog Stereo", mojo2),
        Case {
            id: Some("alsa_output.usb-Chord_Electronics_Ltd_Mojo_2-00.analog-stereo"),
            ..case("PipeWire", "Chord Mojo 2 Digital Stereo (IEC958)", mojo2)
        },
        case(
            "PulseAudio",
            "alsa_output.usb-Chord_Electronics_Ltd_Chord_Mojo-00.analog-stereo",
            mojo,
        ),
        case(
            "PipeWire",
            "USB-C to 3.5mm Headphone Jack Adapter Analog Stereo",
            dongle,
        ),
        case(
            "PipeWire",
            "alsa_output.usb-Apple__Inc._USB-C_to_3.5mm_Headphone_Jack_Adapter_DWH9-00.analog-stereo",
            dongle,
        ),
        case(
            "PulseAudio",
            "alsa_output.usb-Apogee_Electronics_Corp_Groove-00.analog-stereo",
            groove,
        ),
        Case {
            bluetooth: true,
            ..case("PulseAudio", "bluez_sink.00_1B_66_AA_BB_CC.a2dp_sink", None)
        },
        Case {
            bluetooth: true,
            ..case("PipeWire", "bluez_output.00_1B_66_AA_BB_CC.a2dp-sink", None)
        },
        Case {
            id: Some("bluez_output.00_1B_66_AA_BB_CC.1"),
            interface: Some(Interface::Bluetooth),
            headphones: Some("sony.wh1000xm4"),
            bluetooth: true,
            ..case("PipeWire", "WH-1000XM4", None)
        },
        Case {
            headphones: Some("audio-technica.ath-m50xbt2"),
            bluetooth: true,
            ..case("PipeWire", "ATH-M50xBT2", None)
        },
        // ALSA card names and name-hint descriptions.
        case("ALSA", "HDA Intel PCH, ALC257 Analog", jack),
        case("ALSA", "HD-Audio Generic, ALC897 Analog", jack),
        case("ALSA", "sof-hda-dsp, HDA Analog", jack),
        case(
            "ALSA",
            "Chord Electronics Ltd Chord Mojo at usb-0000:00:14.0-2, high speed",
            mojo,
        ),
        case("ALSA", "Mojo 2, USB Audio", mojo2),
        case("ALSA", "USB-C to 3.5mm Headphone Jack A, USB Audio", dongle),
        // CoreAudio.
        case("CoreAudio", "Mojo 2", mojo2),
        case("CoreAudio", "Apogee Groove", groove),
        case(
            "CoreAudio",
            "External Headphones",
            Some("apple.mac-headphone-jack"),
        ),
        case("CoreAudio", "USB-C to 3.5mm Headphone Jack Adapter", dongle),
        case("CoreAudio", "MacBook Pro Speakers", None),
        Case {
            bluetooth: true,
            ..case("CoreAudio", "AirPods Pro", None)
        },
        // WASAPI friendly names, with the interface the enumerator gives.
        case("WASAPI", "Headphones (Realtek(R) Audio)", jack),
        case("WASAPI", "Speakers (High Definition Audio Device)", jack),
        case("WASAPI", "Speakers (Chord Mojo 2)", mojo2),
        Case {
            interface: Some(Interface::Usb),
            ..case("WASAPI", "Speakers (Groove)", groove)
        },
        case(
            "WASAPI",
            "Headphones (USB-C to 3.5mm Headphone Jack Adapter)",
            dongle,
        ),
        Case {
            headphones: Some("sony.wh1000xm4"),
            bluetooth: true,
            ..case("WASAPI", "Headphones (WH-1000XM4 Stereo)", None)
        },
        Case {
            headphones: Some("sony.wh1000xm4"),
            bluetooth: true,
            ..case("WASAPI", "Headset (WH-1000XM4 Hands-Free AG Audio)", None)
        },
        Case {
            headphones: Some("audio-technica.ath-m50xbt"),
            bluetooth: true,
            ..case("WASAPI", "Headphones (ATH-M50xBT Stereo)", None)
        },
        // Negatives: nothing here is a USB DAC or a listed model.
        case("WASAPI", "Speakers (Groove)", None), // no USB hint: "Groove" alone is too vague
        case("WASAPI", "Realtek USB Audio", None),
        case("WASAPI", "Speakers (Schiit Modi 3+)", None),
        case("PipeWire", "HDMI / DisplayPort 1 Output", None),
        case("CoreAudio", "ATH-M50x", None), // the wired model has no rules: it cannot be seen
    ];
    let c = shipped();
    for k in cases {
        let device = DeviceInfo {
            id: k.id.map(str::to_owned),
            interface: k.interface,
            ..DeviceInfo::named(k.name)
        };
        let r = recognise(&c, &device, None);
        let what = format!("{} {:?}", k.host, k.name);
        assert_eq!(
            r.output.as_ref().map(|o| o.profile.id.as_str()),
            k.output,
            "{what}"
        );
        assert_eq!(
            r.headphones.as_ref().map(|h| h.profile.id.as_str()),
            k.headphones,
            "{what}"
        );
        assert_eq!(
            r.bluetooth.is_some(),
            k.bluetooth,
            "{what}: {:?}",
            r.bluetooth
        );
        let bt_warning = r
            .warnings
            .iter()
            .any(|w| matches!(w, Warning::Bluetooth { .. }));
        assert_eq!(bt_warning, k.bluetooth, "{what}");
        if let Some(o) = &r.output {
            assert!(matches!(o.by, IdentifiedBy::Rule { .. }), "{what}");
        }
    }
    // A plain laptop jack never looks like a USB DAC.
    let r = recognise(&c, &DeviceInfo::named("Built-in Audio Analog Stereo"), None);
    assert!(
        r.candidates.iter().all(|c| c.kind == "source"),
        "{:?}",
        r.candidates
    );
    let hf = recognise(
        &c,
        &DeviceInfo::named("Headset (WH-1000XM4 Hands-Free AG Audio)"),
        None,
    );
    assert!(hf.bluetooth.is_some_and(|b| b.hands_free));
}

fn codes(r: &earmark::headphones::Recognition) -> Vec<&'static str> {
    r.warnings.iter().map(Warning::code).collect()
}

fn declared(headphones: &str, amplifier: Option<&str>) -> Declaration {
    Declaration {
        headphones: Some(headphones.to_owned()),
        amplifier: amplifier.map(str::to_owned),
    }
}

#[test]
fn warnings_follow_from_the_chain() {
    let c = shipped();
    let laptop = DeviceInfo::named("Built-in Audio Analog Stereo");
    let mojo2 = DeviceInfo::named("Chord Mojo 2");

    // Nothing known about the headphones.
    let r = recognise(&c, &laptop, None);
    assert_eq!(codes(&r), ["unknown-headphones"]);

    // HD 600 (97 dB/V) on a ~1 V laptop jack: needs an amp, too weak (97 dB SPL), and the
    // estimate rests on unverified figures.
    let r = recognise(&c, &laptop, Some(&declared("sennheiser.hd600", None)));
    assert!(matches!(
        r.headphones.as_ref().map(|h| &h.by),
        Some(IdentifiedBy::Declared)
    ));
    assert_eq!(
        codes(&r),
        ["needs-amplifier", "source-too-weak", "unverified-estimate"]
    );
    let e = r.max_spl.as_ref().expect("estimate");
    assert!((e.db_spl - 97.0).abs() < 0.01, "{}", e.db_spl);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.message().contains("105 dB SPL"))
    );

    // The same on a Mojo 2 (4.7 V, 0.5 Ω): no amp or level warning, but its own DSP.
    let r = recognise(&c, &mojo2, Some(&declared("sennheiser.hd600", None)));
    assert_eq!(codes(&r), ["device-dsp", "unverified-estimate"]);
    let e = r.max_spl.as_ref().expect("estimate");
    let expect = 97.0 + 20.0 * 4.7f64.log10() + 20.0 * (300.0f64 / 300.5).log10();
    assert!((e.db_spl - expect).abs() < 1e-9, "{} vs {expect}", e.db_spl);

    // LCD-4 behind a declared Magni on the laptop jack: the amp counts, its voltage is used.
    let r = recognise(
        &c,
        &laptop,
        Some(&declared("audeze.lcd-4", Some("schiit.magni"))),
    );
    assert_eq!(codes(&r), ["unverified-estimate"]);
    assert_eq!(
        r.max_spl.as_ref().map(|e| e.driven_by.as_str()),
        Some("schiit.magni")
    );

    // An approved model on the Mac jack: 1.25 V below 150 Ω is plenty for an MDR-7506.
    let mac = DeviceInfo::named("External Headphones");
    let r = recognise(&c, &mac, Some(&declared("sony.mdr7506", None)));
    assert_eq!(codes(&r), ["unverified-estimate"]);
    let e = r.max_spl.as_ref().expect("estimate");
    assert!((e.vrms - 1.25).abs() < 1e-12 && e.db_spl > 119.0, "{e:?}");

    // 20 Ω planar on a ~20 Ω Groove breaks the 1/8 rule.
    let groove = DeviceInfo::named("Apogee Groove");
    let r = recognise(&c, &groove, Some(&declared("audeze.sine", None)));
    assert_eq!(codes(&r), ["source-impedance"]);
    assert!(r.warnings[0].message().contains("(unverified)"));

    // Not on the list, Bluetooth: warned, and no level estimate for a radio link.
    let r = recognise(&c, &DeviceInfo::named("ATH-M50xBT"), None);
    assert_eq!(codes(&r), ["bluetooth", "not-listed"]);
    assert!(r.max_spl.is_none());

    // A declaration naming a profile that no longer exists.
    let r = recognise(&c, &laptop, Some(&declared("gone.model", None)));
    assert_eq!(codes(&r), ["unknown-profile", "unknown-headphones"]);
}

#[test]
fn declarations_round_trip_atomically() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("nested/headphone_declarations.toml");
    assert_eq!(
        Declarations::load(&path).expect("missing file"),
        Declarations::default()
    );
    let mut d = Declarations::default();
    d.declare_headphones("Built-in Audio Analog Stereo", "sennheiser.hd600");
    d.declare_amplifier("Built-in Audio Analog Stereo", Some("schiit.magni"));
    d.declare_headphones(
        "Headphones (Realtek(R) Audio) \"quoted\" ünï.code",
        "sony.mdr7506",
    );
    d.declare_headphones("Chord Mojo 2", "audeze.lcd-4");
    d.declare_headphones("Chord Mojo 2", "audeze.lcd-3");
    d.save(&path).expect("save");
    let back = Declarations::load(&path).expect("load");
    assert_eq!(back, d);
    assert_eq!(
        back.get("Chord Mojo 2")
            .and_then(|x| x.headphones.as_deref()),
        Some("audeze.lcd-3"),
        "the newest declaration wins"
    );
    let leftovers: Vec<_> = std::fs::read_dir(path.parent().expect("dir"))
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left: {leftovers:?}");
    let mut forgotten = back.clone();
    forgotten.forget("Chord Mojo 2");
    forgotten.save(&path).expect("save again");
    assert!(
        Declarations::load(&path)
            .expect("load")
            .get("Chord Mojo 2")
            .is_none()
    );

    // A declaration is what recognition uses for a device that cannot identify itself.
    let c = shipped();
    let device = DeviceInfo::named("Built-in Audio Analog Stereo");
    let r = recognise(&c, &device, back.get(&device.name));
    assert_eq!(
        r.headphones.map(|h| h.profile.id),
        Some("sennheiser.hd600".into())
    );
    assert_eq!(r.amplifier.map(|a| a.id), Some("schiit.magni".into()));
}
