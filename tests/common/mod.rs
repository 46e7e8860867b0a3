//! Shared helpers for integration tests: fixture paths and reading the frame code back.
#![allow(dead_code)]

use earmark::video::RgbaImage;
use std::path::PathBuf;

/// Path of a generated fixture; fails with the command to run when fixtures are missing.
pub fn fixture(name: &str) -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/cache")
        .join(name);
    assert!(
        p.exists() || name.starts_with("missing"),
        "fixture {} is missing: run `make fixtures` (scripts/make-fixtures.sh)",
        p.display()
    );
    p
}

/// Path of a sound-layout fixture (`scripts/make-layout-fixtures.sh`: one tone per channel,
/// every track layout review files come in).
pub fn layout_fixture(name: &str) -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/cache-layout")
        .join(name);
    assert!(
        p.exists(),
        "fixture {} is missing: run `make fixtures` (scripts/make-layout-fixtures.sh)",
        p.display()
    );
    p
}

/// Reads the 12-bit frame code the fixture script draws in the top quarter of each picture.
/// Panics if the white/black reference blocks are not where they should be (a wrong picture).
pub fn read_code(img: &RgbaImage) -> u64 {
    let luma = |block: u32| {
        let x = block * img.width / 16 + img.width / 32;
        let y = img.height / 8;
        let [r, g, b, _] = img.pixel(x, y).expect("inside picture");
        (r as u32 * 2 + g as u32 * 5 + b as u32) / 8
    };
    let (white, black) = (luma(12), luma(13));
    assert!(
        white > 200 && black < 50,
        "reference blocks not found (white {white}, black {black})"
    );
    let threshold = (white + black) / 2;
    (0..12).map(|i| ((luma(i) > threshold) as u64) << i).sum()
}

/// Decodes a PNG written by `earmark still` into RGBA.
pub fn load_png(path: &std::path::Path) -> RgbaImage {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(path).expect("png exists"),
    ));
    let mut reader = decoder.read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("png data");
    let pixels = match info.color_type {
        png::ColorType::Rgb => buf[..info.buffer_size()]
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect(),
        png::ColorType::Rgba => buf[..info.buffer_size()].to_vec(),
        other => panic!("unexpected PNG colour type {other:?}"),
    };
    RgbaImage {
        width: info.width,
        height: info.height,
        pixels,
    }
}

/// A small deterministic generator (xorshift64*), so failures reproduce.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n.max(1)
    }
}

/// The covering set of fixtures: name, size, exact rate, frames, start TC, drop-frame, GOP, audio.
pub struct Fixture {
    pub name: &'static str,
    pub width: u32,
    pub height: u32,
    pub rate: &'static str,
    pub frames: u64,
    pub start_tc: &'static str,
    pub drop_frame: bool,
    pub gop: u64,
    pub audio: bool,
}

pub const FIXTURES: [Fixture; 10] = [
    Fixture {
        name: "f23976_1080_g48_b.mov",
        width: 1920,
        height: 1080,
        rate: "24000/1001",
        frames: 300,
        start_tc: "01:00:00:00",
        drop_frame: false,
        gop: 48,
        audio: true,
    },
    Fixture {
        name: "f24_720_g12_nob.mov",
        width: 1280,
        height: 720,
        rate: "24/1",
        frames: 120,
        start_tc: "00:59:59:00",
        drop_frame: false,
        gop: 12,
        audio: false,
    },
    Fixture {
        name: "f25_1080_g250_b.mov",
        width: 1920,
        height: 1080,
        rate: "25/1",
        frames: 520,
        start_tc: "10:00:00:00",
        drop_frame: false,
        gop: 250,
        audio: false,
    },
    Fixture {
        name: "f2997df_720_g1.mov",
        width: 1280,
        height: 720,
        rate: "30000/1001",
        frames: 120,
        start_tc: "00:00:59;00",
        drop_frame: true,
        gop: 1,
        audio: false,
    },
    Fixture {
        name: "f2997ndf_1080_g12_b.mov",
        width: 1920,
        height: 1080,
        rate: "30000/1001",
        frames: 150,
        start_tc: "01:00:00:00",
        drop_frame: false,
        gop: 12,
        audio: false,
    },
    Fixture {
        name: "f30_720_g48_b.mov",
        width: 1280,
        height: 720,
        rate: "30/1",
        frames: 150,
        start_tc: "00:00:00:00",
        drop_frame: false,
        gop: 48,
        audio: true,
    },
    Fixture {
        name: "f50_720_g250_nob.mov",
        width: 1280,
        height: 720,
        rate: "50/1",
        frames: 300,
        start_tc: "01:00:00:00",
        drop_frame: false,
        gop: 250,
        audio: false,
    },
    Fixture {
        name: "f5994df_1080_g48_b.mov",
        width: 1920,
        height: 1080,
        rate: "60000/1001",
        frames: 180,
        start_tc: "00:09:59;30",
        drop_frame: true,
        gop: 48,
        audio: false,
    },
    Fixture {
        name: "f5994ndf_720_g12_b.mov",
        width: 1280,
        height: 720,
        rate: "60000/1001",
        frames: 150,
        start_tc: "01:00:00:00",
        drop_frame: false,
        gop: 12,
        audio: false,
    },
    Fixture {
        name: "f60_720_g1.mov",
        width: 1280,
        height: 720,
        rate: "60/1",
        frames: 120,
        start_tc: "23:59:59:00",
        drop_frame: false,
        gop: 1,
        audio: false,
    },
];

/// The 62 s 1080p23.976 steady-tone file from `scripts/make-sync-fixtures.sh` (fails with the
/// command to run when fixtures are missing).
pub fn tone_fixture() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/cache-sync/tone_1080p23976_62s.mov");
    assert!(
        p.exists(),
        "{} is missing: run `make fixtures`",
        p.display()
    );
    p
}

/// Runs `pactl` against the test environment's PulseAudio server; its trimmed output.
pub fn pactl(args: &[&str]) -> String {
    let out = std::process::Command::new("pactl")
        .args(args)
        .output()
        .expect("pactl runs (run via scripts/with-test-env.sh)");
    assert!(
        out.status.success(),
        "pactl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Loads a 48 kHz null sink standing in for a pluggable output; its module number (to unload
/// it: "unplug").
pub fn plug_null_sink(sink_name: &str, description: &str) -> String {
    plug_null_sink_at(sink_name, description, 48_000)
}

/// [`plug_null_sink`] running at `rate`.
pub fn plug_null_sink_at(sink_name: &str, description: &str, rate: u32) -> String {
    pactl(&[
        "load-module",
        "module-null-sink",
        &format!("sink_name={sink_name}"),
        &format!("rate={rate}"),
        &format!("sink_properties=device.description={description}"),
    ])
}

/// A null sink of one test's own, unloaded when dropped: cases that measure what was played
/// (levels, routing), not timing, record their own sink's monitor and so may run beside each
/// other (`run::shared()`).
pub struct PrivateSink {
    module: String,
    /// PulseAudio's sink name (`parec -d NAME.monitor`).
    pub name: String,
    /// What Earmark lists it as (`--device DESCRIPTION`).
    pub description: String,
}

impl PrivateSink {
    /// A 48 kHz sink.
    pub fn plug() -> Self {
        Self::plug_at(48_000)
    }

    pub fn plug_at(rate: u32) -> Self {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("private_{}_{n}", std::process::id());
        let description = format!("Private{}x{n}", std::process::id());
        let module = plug_null_sink_at(&name, &description, rate);
        Self {
            module,
            name,
            description,
        }
    }

    pub fn monitor(&self) -> String {
        format!("{}.monitor", self.name)
    }
}

impl Drop for PrivateSink {
    fn drop(&mut self) {
        let _ = std::process::Command::new("pactl")
            .args(["unload-module", &self.module])
            .output();
    }
}
