//! The real binary: `earmark headphones list` lists every profile (JSON parsed by serde_json),
//! reports bad user files on stderr while listing the rest, and says when a user profile replaces
//! a shipped one; `earmark headphones match` names the matched profiles, the rule and the
//! warnings, uses saved declarations, and exits with 2 on bad input.
//!
//! Each run gets its own config folder through `XDG_CONFIG_HOME`, so the tests neither read nor
//! touch the real user's profiles and declarations.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn earmark(config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_earmark"))
        .args(args)
        .env("XDG_CONFIG_HOME", config)
        .output()
        .expect("binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> Value {
    assert!(o.status.success(), "{}", stderr(o));
    serde_json::from_slice(&o.stdout).expect("valid JSON")
}

fn codes(v: &Value) -> Vec<String> {
    v["warnings"]
        .as_array()
        .expect("warnings array")
        .iter()
        .map(|w| w["code"].as_str().expect("code").to_owned())
        .collect()
}

#[test]
fn list_json_has_every_profile_with_its_figures_and_flags() {
    let config = tempfile::tempdir().expect("tempdir");
    let v = json(&earmark(config.path(), &["headphones", "list", "--json"]));
    let headphones = v["headphones"].as_array().expect("headphones");
    let devices = v["devices"].as_array().expect("devices");
    assert_eq!(headphones.len(), 25);
    assert_eq!(devices.len(), 7);
    assert_eq!(v["errors"].as_array().map(Vec::len), Some(0));
    let dt770 = headphones
        .iter()
        .find(|h| h["id"] == "beyerdynamic.dt770pro-80")
        .expect("DT 770 PRO 80");
    assert_eq!(dt770["guidance"], "approved");
    assert_eq!(dt770["sensitivity"]["value"]["per"], "mW");
    assert_eq!(dt770["sensitivity"]["verified"], false);
    let derived = dt770["db_spl_per_v"]["value"].as_f64().expect("derived");
    assert!((derived - 106.97).abs() < 0.005, "{derived}");
    let hd650 = headphones
        .iter()
        .find(|h| h["id"] == "sennheiser.hd650")
        .expect("HD 650");
    assert_eq!(hd650["guidance"], "approved-with-amp");
    assert!(
        hd650["aliases"]
            .as_array()
            .expect("aliases")
            .iter()
            .any(|a| a == "HD 650 Pro")
    );
    let mojo2 = devices
        .iter()
        .find(|d| d["id"] == "chord.mojo2")
        .expect("Mojo 2");
    assert_eq!(mojo2["kind"], "dac");
    assert_eq!(mojo2["builtin_dsp"], serde_json::json!(["eq", "crossfeed"]));
    assert_eq!(mojo2["rules"][0]["pattern"]["words"], "Mojo 2");
}

#[test]
fn list_reports_bad_user_files_and_overrides_but_lists_the_rest() {
    let config = tempfile::tempdir().expect("tempdir");
    let folder = config.path().join("earmark/headphone_profiles");
    std::fs::create_dir_all(&folder).expect("mkdir");
    std::fs::write(
        folder.join("broken.toml"),
        "schema_version = 1\nkind = \"headphones\"\nid = \"me.broken\"\nmaker = \"Me\"\nmodel = \"X\"\nguidance = \"approved\"\nenclosure = \"open\"\n\n[impedance]\nohm = -32\nsource = \"me\"\nverified = true\n",
    )
    .expect("write");
    let shipped =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("headphone_profiles/sony-mdr7506.toml");
    let mine = std::fs::read_to_string(shipped)
        .expect("shipped file")
        .replace("model = \"MDR-7506\"", "model = \"MDR-7506 (mine)\"");
    std::fs::write(folder.join("mdr7506.toml"), mine).expect("write");

    let o = earmark(config.path(), &["headphones", "list"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("broken.toml") && err.contains("line 10") && err.contains("`impedance.ohm`"),
        "{err}"
    );
    assert!(
        err.contains("replaces the shipped sony-mdr7506.toml"),
        "{err}"
    );
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("Headphones (25):"), "{text}");
    assert!(text.contains("MDR-7506 (mine)"), "{text}");
    assert!(text.contains("80 Ω (unverified)"), "{text}");

    let v = json(&earmark(config.path(), &["headphones", "list", "--json"]));
    let errors = v["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["line"], 10);
    assert_eq!(errors[0]["field"], "impedance.ohm");
    assert!(
        errors[0]["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("broken.toml"))
    );
    assert_eq!(v["overrides"][0]["id"], "sony.mdr7506");
}

#[test]
fn match_names_the_profile_the_rule_and_the_warnings() {
    let config = tempfile::tempdir().expect("tempdir");
    let v = json(&earmark(
        config.path(),
        &["headphones", "match", "Chord Mojo 2", "--json"],
    ));
    assert_eq!(v["device"]["name"], "Chord Mojo 2");
    assert_eq!(v["output"]["id"], "chord.mojo2");
    assert_eq!(v["output"]["by"]["how"], "rule");
    assert_eq!(v["output"]["by"]["rule"], "name words \"Mojo 2\"");
    assert!(v["headphones"].is_null());
    assert_eq!(codes(&v), ["unknown-headphones", "device-dsp"]);

    let v = json(&earmark(
        config.path(),
        &[
            "headphones",
            "match",
            "bluez_output.00_1B_66_AA_BB_CC.a2dp-sink",
            "--json",
        ],
    ));
    assert!(v["output"].is_null());
    assert_eq!(v["bluetooth"]["hands_free"], false);
    assert_eq!(codes(&v), ["bluetooth"]);

    let v = json(&earmark(
        config.path(),
        &[
            "headphones",
            "match",
            "External Headphones",
            "--headphones",
            "HD 650 Pro",
            "--json",
        ],
    ));
    assert_eq!(v["headphones"]["id"], "sennheiser.hd650");
    assert_eq!(v["headphones"]["by"]["how"], "declared");
    let spl = v["max_spl"]["db_spl"].as_f64().expect("estimate");
    assert!((spl - (103.0 + 20.0 * 3f64.log10())).abs() < 1e-9, "{spl}");
    assert_eq!(codes(&v), ["needs-amplifier", "unverified-estimate"]);

    let o = earmark(
        config.path(),
        &[
            "headphones",
            "match",
            "Speakers (Groove)",
            "--interface",
            "usb",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("[apogee.groove]"), "{text}");
    assert!(
        text.contains("name words \"Groove\" on a Usb connection"),
        "{text}"
    );
}

#[test]
fn match_uses_the_saved_declaration_for_the_device() {
    let config = tempfile::tempdir().expect("tempdir");
    let path = config.path().join("earmark/headphone_declarations.toml");
    let mut d = earmark::headphones::Declarations::default();
    d.declare_headphones("Built-in Audio Analog Stereo", "audeze.lcd-2");
    d.save(&path).expect("save");
    let v = json(&earmark(
        config.path(),
        &[
            "headphones",
            "match",
            "Built-in Audio Analog Stereo",
            "--json",
        ],
    ));
    assert_eq!(v["headphones"]["id"], "audeze.lcd-2");
    assert_eq!(v["headphones"]["by"]["how"], "declared");
    assert_eq!(v["output"]["id"], "generic.builtin-jack");
    assert!(codes(&v).contains(&"needs-amplifier".to_owned()), "{v}");
    // Declaring the amplifier on the command line silences it.
    let v = json(&earmark(
        config.path(),
        &[
            "headphones",
            "match",
            "Built-in Audio Analog Stereo",
            "--amplifier",
            "schiit.magni",
            "--json",
        ],
    ));
    assert_eq!(v["amplifier"]["id"], "schiit.magni");
    assert!(!codes(&v).contains(&"needs-amplifier".to_owned()), "{v}");
}

#[test]
fn bad_input_exits_with_2_and_says_why() {
    let config = tempfile::tempdir().expect("tempdir");
    for (args, says) in [
        (
            vec![
                "headphones",
                "match",
                "Chord Mojo 2",
                "--headphones",
                "HD 9000",
            ],
            "no headphone profile matches",
        ),
        (
            vec![
                "headphones",
                "match",
                "Chord Mojo 2",
                "--headphones",
                "DT 770 PRO",
            ],
            "could mean several",
        ),
        (
            vec![
                "headphones",
                "match",
                "Chord Mojo 2",
                "--interface",
                "radio",
            ],
            "unknown --interface",
        ),
        (vec!["headphones", "match", "  "], "device's name"),
    ] {
        let o = earmark(config.path(), &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
    }
}
