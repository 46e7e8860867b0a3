//! Every request for frame N (by number or by source timecode) returns exactly frame N, on a
//! covering set of fixtures: all eight rates, 720p and 1080p, GOP 1/12/48/250, with and without
//! B-frames, drop-frame and non-drop timecode. The frame index is read back from the pixels.

use crate::common;

use common::{FIXTURES, Rng, fixture, read_code};
use earmark::media;
use earmark::video::FrameReader;

#[test]
fn probe_reports_rate_count_size_and_timecode() {
    for f in &FIXTURES {
        let info = media::probe(&fixture(f.name)).unwrap_or_else(|e| panic!("{}: {e}", f.name));
        assert_eq!(info.video.frame_rate, f.rate, "{}", f.name);
        assert_eq!(info.video.frame_count, f.frames, "{}", f.name);
        assert_eq!(
            (info.video.width, info.video.height),
            (f.width, f.height),
            "{}",
            f.name
        );
        assert_eq!(info.start_timecode, f.start_tc, "{}", f.name);
        assert_eq!(info.drop_frame, f.drop_frame, "{}", f.name);
        assert_eq!(info.video.max_gop, f.gop.min(f.frames), "{}", f.name);
        assert!(info.video.constant_frame_rate, "{}", f.name);
        assert_eq!(info.audio.is_some(), f.audio, "{}", f.name);
        if let Some(a) = &info.audio {
            assert_eq!(
                (a.codec.as_str(), a.sample_rate, a.channels),
                ("aac", 48000, 2),
                "{}",
                f.name
            );
        }
    }
}

#[test]
fn random_frames_are_exact() {
    // One reader per fixture, side by side: the slowest test of the binary otherwise (seeks in
    // 250-frame GOPs at 1080p), and each file's frames are drawn from its own seeded sequence.
    std::thread::scope(|s| {
        for (i, f) in FIXTURES.iter().enumerate() {
            s.spawn(move || {
                let mut rng = Rng::new(0x5eed_2026 + i as u64);
                let mut reader = FrameReader::open(&fixture(f.name))
                    .unwrap_or_else(|e| panic!("{}: {e}", f.name));
                let last = f.frames - 1;
                let mut targets = vec![0, last, last / 2, f.gop.min(last), f.gop.saturating_sub(1)];
                targets.extend((0..40).map(|_| rng.below(f.frames)));
                for n in targets {
                    let img = reader
                        .rgba(n)
                        .unwrap_or_else(|e| panic!("{} frame {n}: {e}", f.name));
                    assert_eq!(read_code(&img), n, "{}: asked for frame {n}", f.name);
                    assert_eq!((img.width, img.height), (f.width, f.height));
                }
            });
        }
    });
}

#[test]
fn stepping_forward_and_backward_is_exact_and_backward_uses_the_cache() {
    for f in FIXTURES.iter().filter(|f| f.gop >= 12) {
        let mut reader = FrameReader::open(&fixture(f.name)).expect("open");
        let start = (f.frames * 2 / 3).min(f.gop + f.gop / 2).min(f.frames - 1);
        reader.frame(start).expect("seek");
        let seeks_after_first = reader.stats().seeks;
        for n in (start.saturating_sub(f.gop.min(start))..start).rev() {
            let img = reader.rgba(n).expect("back step");
            assert_eq!(read_code(&img), n, "{}: back step to {n}", f.name);
        }
        // Stepping back across one keyframe costs one seek; within a GOP, none.
        let seeks = reader.stats().seeks - seeks_after_first;
        assert!(
            seeks <= 1,
            "{}: {seeks} seeks for one GOP of back steps",
            f.name
        );
        // Forward steps: at most one seek back into this GOP, then one decode per step.
        let (from_decoded, from_seeks) = (reader.stats().decoded, reader.stats().seeks);
        let steps = 20.min(f.frames - start);
        for n in start..start + steps {
            assert_eq!(
                read_code(&reader.rgba(n).expect("forward step")),
                n,
                "{}: forward to {n}",
                f.name
            );
        }
        let stats = reader.stats();
        assert!(
            stats.seeks - from_seeks <= 1,
            "{}: forward steps seeked {} times",
            f.name,
            stats.seeks - from_seeks
        );
        assert!(
            stats.decoded - from_decoded <= f.gop + steps,
            "{}: forward steps re-decoded",
            f.name
        );
    }
}

#[test]
fn timecode_requests_land_on_the_labelled_frame() {
    for f in &FIXTURES {
        let mut reader = FrameReader::open(&fixture(f.name)).expect("open");
        let tcs = *reader.timecode();
        for n in [0, 1, f.frames / 3, f.frames - 1] {
            let label = tcs.at_frame(n as i64).to_string();
            let tc = tcs.parse(&label).expect("own label parses");
            let found = reader.frame_of_timecode(tc).expect("in range");
            assert_eq!(found, n, "{}: {label}", f.name);
            assert_eq!(
                read_code(&reader.rgba(found).expect("decode")),
                n,
                "{}: {label}",
                f.name
            );
        }
    }
}

#[test]
fn drop_frame_labels_skip_correctly_in_real_files() {
    // 29.97 DF from 00:00:59;00: frame 30 is 00:01:00;02 (labels ;00 and ;01 do not exist).
    let reader = FrameReader::open(&fixture("f2997df_720_g1.mov")).expect("open");
    assert_eq!(reader.timecode().at_frame(29).to_string(), "00:00:59;29");
    assert_eq!(reader.timecode().at_frame(30).to_string(), "00:01:00;02");
    // 59.94 DF from 00:09:59;30: the tenth minute keeps its labels, so frame 30 is 00:10:00;00.
    let reader = FrameReader::open(&fixture("f5994df_1080_g48_b.mov")).expect("open");
    assert_eq!(reader.timecode().at_frame(30).to_string(), "00:10:00;00");
    // Non-drop from 23:59:59:00 at 60 fps wraps at midnight.
    let reader = FrameReader::open(&fixture("f60_720_g1.mov")).expect("open");
    assert_eq!(reader.timecode().at_frame(60).to_string(), "00:00:00:00");
}

#[test]
fn pictures_scaled_for_the_display_keep_their_frame() {
    let mut reader = FrameReader::open(&fixture("f25_1080_g250_b.mov")).expect("opens");
    let mut image = earmark::video::RgbaImage::default();
    for (n, size) in [(100, (1044, 588)), (101, (640, 360)), (37, (1920, 1080))] {
        reader
            .rgba_sized_into(n, &mut image, Some(size))
            .expect("decodes");
        assert_eq!((image.width, image.height), size, "frame {n}");
        assert_eq!(image.pixels.len(), (size.0 * size.1 * 4) as usize);
        assert_eq!(read_code(&image), n, "scaled picture of frame {n}");
    }
}
