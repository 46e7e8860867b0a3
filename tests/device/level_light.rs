//! The level light with no calibration, as a showrunner at home would use it: Sony MDR-7506
//! declared for the output (118 dB SPL/V, the output's voltage unknown, so guessed), a steady
//! −20 LUFS tone playing in the window, and only the sound server's volume changed, with
//! `pactl set-sink-volume`, the way the desktop's volume keys change it. The light must say too
//! quiet at 20 %, advise a percentage, reach "Full but comfortable" when the volume is set to
//! what it advised, and say too loud at 100 %. Read from the window's `notice: level:` lines.

use crate::common::{PrivateSink, pactl, tone_fixture};
use crate::run::{Home, Running};
use std::time::Duration;

/// The tone fixture's integrated loudness, as `earmark loudness --json` gives it.
fn tone_lufs() -> f64 {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_earmark"))
        .args(["loudness", "--json"])
        .arg(tone_fixture())
        .output()
        .expect("earmark loudness");
    assert!(out.status.success(), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    v["integrated_lufs"].as_f64().expect("integrated_lufs")
}

/// The percentage in "Set the system volume to about 42 % (now 20 %)".
fn advised_percent(line: &str) -> u32 {
    let after = line
        .split("to about ")
        .nth(1)
        .unwrap_or_else(|| panic!("no advised volume in {line:?}"));
    after
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no number in {line:?}"))
}

#[test]
fn the_light_reaches_full_but_comfortable_by_the_system_volume_alone() {
    let _shared = crate::run::shared();
    let sink = PrivateSink::plug();
    pactl(&["set-sink-volume", &sink.name, "20%"]);
    let home = Home::new();
    let config = home.config.join("earmark");
    std::fs::create_dir_all(&config).expect("config folder");
    std::fs::write(
        config.join("headphone_declarations.toml"),
        format!(
            "[devices.\"{}\"]\nheadphones = \"sony.mdr7506\"\n",
            sink.description
        ),
    )
    .expect("declaration");
    let mut cmd = home.earmark();
    cmd.arg(tone_fixture()).args([
        "--goto",
        "01:00:05:00",
        "--play-for",
        "40",
        "--exit",
        "--device",
        &sink.description,
    ]);
    let mut run = Running::spawn(cmd);
    let quiet = run.wait_line("too quiet at 20 %", Duration::from_secs(30), |l| {
        l.starts_with("notice: level: Too quiet")
    });
    assert!(quiet.contains("(now 20 %)"), "the volume read: {quiet}");
    let advised = advised_percent(&quiet);
    // What the advice must be, worked by hand: the MDR-7506's 106 dB/mW at 63 Ω is 118.0 dB/V;
    // 1 Vrms guessed; 20 % is 60·log10(0.2) = −41.9 dB on the server's curve; the tone's
    // loudness as `earmark loudness` measures it. The band's middle is (66 + 85) / 2 = 75.5.
    let lufs = tone_lufs();
    let now_spl = 106.0 + 10.0 * (1000.0f64 / 63.0).log10() + 60.0 * 0.2f64.log10() + lufs;
    let want = 20.0 * 10f64.powf((75.5 - now_spl) / 60.0);
    assert!(
        (f64::from(advised) - want).abs() <= 2.0,
        "advised {advised} %, worked out {want:.1} % (tone {lufs:.1} LUFS): {quiet}"
    );
    assert!(quiet.contains("volume-key press"), "{quiet}");

    pactl(&["set-sink-volume", &sink.name, &format!("{advised}%")]);
    let ok = run.wait_line(
        "comfortable at the advised volume",
        Duration::from_secs(15),
        |l| l.starts_with("notice: level: Full but comfortable"),
    );

    pactl(&["set-sink-volume", &sink.name, "100%"]);
    let loud = run.wait_line("too loud at 100 %", Duration::from_secs(15), |l| {
        l.starts_with("notice: level: Too loud")
    });
    assert!(loud.contains("(now 100 %)"), "{loud}");
    let out = run.kill();
    eprintln!("{quiet}\n{ok}\n{loud}");
    assert!(!out.contains("panicked"), "{out}");
}
