//! Unplugging the output mid-play: a PulseAudio null sink made for this test ("USBPhones")
//! is removed while the player plays into it. Playback must pause with a message naming the
//! device, nothing may panic, and when a device of that name returns, playback resumes.

use crate::common;

use common::{pactl, plug_null_sink};
use earmark::player::{Command, Player, PlayerOptions, Transport};
use std::time::{Duration, Instant};

fn plug() -> String {
    plug_null_sink("usbphones", "USBPhones")
}

fn wait_for(p: &Player, what: &str, ok: impl Fn(&earmark::player::Snapshot) -> bool) {
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(6) {
        if ok(&p.snapshot()) {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("{what}: {:?}", p.snapshot());
}

#[test]
fn unplugging_pauses_with_a_message_and_replugging_resumes() {
    // Beside other cases: the sink it unplugs is its own ("USBPhones").
    let _device = crate::run::shared();
    let module = plug();
    let demo = earmark::review::demo_clip();
    let p = Player::open(
        &demo,
        PlayerOptions {
            device: Some("USBPhones".into()),
            ..PlayerOptions::default()
        },
    )
    .expect("opens");
    assert_eq!(p.snapshot().device.as_deref(), Some("USBPhones"));
    p.send(Command::Play);
    // A fresh null sink starts two seconds behind (see scripts/with-test-env.sh): wait until
    // the sound is really running.
    wait_for(&p, "playing", |s| {
        s.transport == Transport::Playing { speed: 1 } && s.frame.0 > 12
    });
    pactl(&["unload-module", &module]);
    wait_for(&p, "pause on unplug", |s| {
        s.transport == Transport::Paused
            && s.message
                .as_deref()
                .is_some_and(|m| m.contains("USBPhones") && m.contains("stopped"))
    });
    let paused_at = p.snapshot().frame.0;
    assert!(paused_at > 0, "paused where it was playing");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        p.snapshot().frame.0,
        paused_at,
        "stays paused while unplugged"
    );

    let module = plug();
    wait_for(&p, "resume on replug", |s| {
        s.transport == Transport::Playing { speed: 1 }
            && s.device.as_deref() == Some("USBPhones")
            && s.message.as_deref().is_some_and(|m| m.contains("is back"))
    });
    wait_for(&p, "playing on from where it paused", |s| {
        s.frame.0 > paused_at + 6
    });
    drop(p);
    pactl(&["unload-module", &module]);
}
