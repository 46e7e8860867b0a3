//! Movies built from scratch for the fuzzer, mostly well-formed but with random sample tables,
//! so the deep paths are reached often: `stsc`/`stco`/`co64`/`stsz`/`stss` pointing into an
//! `mdat` of length-prefixed NAL units (length size 1–4, true or lying lengths) for the GOP
//! scan; `stts`/`ctts` runs for the reordering check; edit lists; an `avcC` carrying a corpus
//! SPS/PPS; an `mp4a` sample description of version 0/1/2 with an `esds` (alone or in `wave`)
//! carrying a corpus AudioSpecificConfig; a `tmcd` track with its first frame number.

use super::mutate::Rng;

fn atom(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut v = ((payload.len() + 8) as u32).to_be_bytes().to_vec();
    v.extend_from_slice(kind);
    v.extend_from_slice(payload);
    v
}

fn be32(v: u32) -> [u8; 4] {
    v.to_be_bytes()
}

/// A full box: version, 24-bit flags, then `body`.
fn full(kind: &[u8; 4], version: u8, flags: u32, body: &[u8]) -> Vec<u8> {
    let mut p = vec![version];
    p.extend_from_slice(&flags.to_be_bytes()[1..]);
    p.extend_from_slice(body);
    atom(kind, &p)
}

/// A table full box: entry count, then the entries.
fn table(kind: &[u8; 4], count: u32, entries: &[u8]) -> Vec<u8> {
    let mut body = be32(count).to_vec();
    body.extend_from_slice(entries);
    full(kind, 0, 0, &body)
}

/// Sometimes a lie instead of `n`.
fn maybe_lie(rng: &mut Rng, n: u32, percent: u64) -> u32 {
    if !rng.chance(percent) {
        return n;
    }
    match rng.below(4) {
        0 => 0,
        1 => n.wrapping_add(1),
        2 => u32::MAX,
        _ => rng.next_u64() as u32,
    }
}

/// An MPEG-4 descriptor with a 1-byte or FFmpeg's padded 4-byte length.
fn descriptor(rng: &mut Rng, tag: u8, body: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    let n = body.len() as u32;
    if n < 0x80 && rng.chance(50) {
        v.push(n as u8);
    } else {
        v.extend_from_slice(&[
            0x80 | ((n >> 21) & 0x7F) as u8,
            0x80 | ((n >> 14) & 0x7F) as u8,
            0x80 | ((n >> 7) & 0x7F) as u8,
            (n & 0x7F) as u8,
        ]);
    }
    v.extend_from_slice(body);
    v
}

fn esds(rng: &mut Rng, asc: &[u8]) -> Vec<u8> {
    let any = rng.byte();
    let oti = *rng
        .pick(&[0x40u8, 0x40, 0x67, 0x6B, 0x66, any])
        .unwrap_or(&0x40);
    let mut dcd = vec![oti, 0x15, 0, 0x03, 0];
    dcd.extend_from_slice(&be32(rng.below(400_000) as u32));
    dcd.extend_from_slice(&be32(rng.below(400_000) as u32));
    dcd.extend(descriptor(rng, 5, asc));
    let flags = if rng.chance(80) { 0 } else { rng.byte() & 0xE0 };
    let mut es = vec![0, 1, flags];
    if flags & 0x80 != 0 {
        es.extend_from_slice(&[0, 2]);
    }
    if flags & 0x40 != 0 {
        let url = rng.bytes_in(0, 5);
        es.push(url.len() as u8);
        es.extend(url);
    }
    if flags & 0x20 != 0 {
        es.extend_from_slice(&[0, 3]);
    }
    es.extend(descriptor(rng, 4, &dcd));
    es.extend(descriptor(rng, 6, &[2]));
    full(b"esds", 0, 0, &descriptor(rng, 3, &es))
}

/// The timing and placement tables of one track, with chunk offsets from `base`.
struct Tables {
    stbl_tail: Vec<u8>,
}

#[allow(clippy::too_many_arguments)]
fn sample_tables(
    rng: &mut Rng,
    sizes: &[u32],
    syncs: Option<Vec<u32>>,
    base: u64,
    wide: bool,
    vfr: bool,
    ctts: bool,
    log: &mut Vec<String>,
) -> Tables {
    let n = sizes.len() as u32;
    // stts: one run, or varied runs.
    let mut stts = Vec::new();
    let mut runs = 0u32;
    if vfr {
        let mut left = n;
        while left > 0 {
            let c = (rng.range(1, 5) as u32).min(left);
            stts.extend_from_slice(&be32(c));
            stts.extend_from_slice(&be32(
                *rng.pick(&[1001u32, 1000, 2002, 0, 1]).unwrap_or(&1001),
            ));
            left -= c;
            runs += 1;
        }
    } else {
        stts.extend_from_slice(&be32(maybe_lie(rng, n, 5)));
        stts.extend_from_slice(&be32(
            *rng.pick(&[1001u32, 1, 3600, 0, 1024, 40]).unwrap_or(&1001),
        ));
        runs = 1;
    }
    let mut out = table(b"stts", maybe_lie(rng, runs, 5), &stts);
    if ctts {
        let mut e = Vec::new();
        let mut k = 0u32;
        let mut left = n;
        while left > 0 {
            let c = (rng.range(1, 3) as u32).min(left);
            e.extend_from_slice(&be32(c));
            let any = rng.next_u64() as u32;
            e.extend_from_slice(&be32(
                *rng.pick(&[0u32, 1001, 2002, 3003, (-1001i32) as u32, any])
                    .unwrap_or(&0),
            ));
            left -= c;
            k += 1;
        }
        out.extend(full(
            b"ctts",
            rng.below(2) as u8,
            0,
            &[be32(maybe_lie(rng, k, 5)).to_vec(), e].concat(),
        ));
    }
    if let Some(syncs) = syncs {
        let e: Vec<u8> = syncs.iter().flat_map(|s| be32(*s)).collect();
        out.extend(table(b"stss", maybe_lie(rng, syncs.len() as u32, 5), &e));
    }
    // Chunks of 1–8 samples (or all in one), described by stsc runs.
    let mut chunks = Vec::new();
    let mut i = 0usize;
    let one = rng.chance(15);
    while i < sizes.len() {
        let per = if one {
            sizes.len()
        } else {
            rng.range(1, 8).min(sizes.len() - i)
        };
        chunks.push((i, per));
        i += per;
    }
    let mut stsc = Vec::new();
    let mut entries = 0u32;
    let mut last_per = usize::MAX;
    for (c, &(_, per)) in chunks.iter().enumerate() {
        if per != last_per {
            let first = if rng.chance(3) {
                *rng.pick(&[0u32, u32::MAX, 1]).unwrap_or(&0)
            } else {
                c as u32 + 1
            };
            let per_field = if rng.chance(3) {
                *rng.pick(&[0u32, u32::MAX, 0x7FFF_FFFF]).unwrap_or(&0)
            } else {
                per as u32
            };
            stsc.extend_from_slice(&be32(first));
            stsc.extend_from_slice(&be32(per_field));
            stsc.extend_from_slice(&be32(1));
            entries += 1;
            last_per = per;
        }
    }
    out.extend(table(b"stsc", maybe_lie(rng, entries, 5), &stsc));
    // stsz: uniform when every size is equal (or by choice), else a table.
    let uniform = sizes.windows(2).all(|w| w[0] == w[1]) && rng.chance(70);
    let mut stsz = Vec::new();
    if uniform {
        stsz.extend_from_slice(&be32(sizes.first().copied().unwrap_or(0)));
        stsz.extend_from_slice(&be32(maybe_lie(rng, n, 5)));
    } else {
        stsz.extend_from_slice(&be32(0));
        stsz.extend_from_slice(&be32(maybe_lie(rng, n, 5)));
        stsz.extend(sizes.iter().flat_map(|s| be32(*s)));
    }
    out.extend(full(b"stsz", 0, 0, &stsz));
    let mut offsets = Vec::new();
    let mut at = base;
    for &(first, per) in &chunks {
        let lie = rng.chance(3);
        offsets.push(if lie {
            rng.next_u64() >> rng.below(64)
        } else {
            at
        });
        at += sizes[first..first + per]
            .iter()
            .map(|&s| u64::from(s))
            .sum::<u64>();
    }
    let count = maybe_lie(rng, offsets.len() as u32, 5);
    let e: Vec<u8> = if wide {
        offsets.iter().flat_map(|o| o.to_be_bytes()).collect()
    } else {
        offsets.iter().flat_map(|o| be32(*o as u32)).collect()
    };
    out.extend(table(if wide { b"co64" } else { b"stco" }, count, &e));
    log.push(format!(
        "{} samples in {} chunks, stss {}",
        n,
        chunks.len(),
        if out.windows(4).any(|w| w == b"stss") {
            "yes"
        } else {
            "no"
        }
    ));
    Tables { stbl_tail: out }
}

/// Length-prefixed NAL units of one picture: a few non-slice units, then an IDR slice when `idr`
/// (else mostly a non-IDR one); sometimes 60+ SEI units and no slice, sometimes lying lengths.
fn picture(rng: &mut Rng, len_size: usize, idr: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut types: Vec<u8> = Vec::new();
    for _ in 0..rng.below(3) {
        types.push(*rng.pick(&[6u8, 9, 7, 8, 0, 12, 31]).unwrap_or(&6));
    }
    types.push(if idr {
        5
    } else {
        *rng.pick(&[1u8, 1, 2, 5]).unwrap_or(&1)
    });
    if rng.chance(10) {
        types = (0..rng.range(60, 70)).map(|_| 6).collect();
    }
    for t in types {
        let body = rng.bytes_in(0, 11);
        let len = body.len() as u64 + 1;
        let len = if rng.chance(5) { rng.next_u64() } else { len };
        out.extend_from_slice(&len.to_be_bytes()[8 - len_size..]);
        out.push((rng.byte() & 0x60) | t);
        out.extend(body);
    }
    out
}

/// A movie: ftyp, moov (video with avcC; optional sound and timecode tracks), mdat.
pub fn movie(rng: &mut Rng, sps: &[u8], pps: &[u8], asc: &[u8], log: &mut Vec<String>) -> Vec<u8> {
    let n = if rng.chance(10) {
        rng.range(100, 1500)
    } else {
        rng.range(1, 30)
    };
    let len_size = *rng.pick(&[4usize, 4, 4, 1, 2, 3]).unwrap_or(&4);
    let gop = rng.range(1, 12);
    let mut video = Vec::new();
    let mut sizes = Vec::new();
    let mut syncs = Vec::new();
    for i in 0..n {
        let key = i % gop == 0;
        let idr = key && !rng.chance(15);
        if key {
            syncs.push(i as u32 + 1);
        }
        let pic = picture(rng, len_size, idr);
        sizes.push(if rng.chance(4) {
            maybe_lie(rng, pic.len() as u32, 100)
        } else {
            pic.len() as u32
        });
        video.extend(pic);
    }
    if rng.chance(10) {
        syncs.reverse();
        syncs.push(0);
        syncs.push(u32::MAX);
    }
    let with_stss = rng.chance(75);
    let audio = rng.chance(60);
    let tmcd = rng.chance(50);
    let wide = rng.chance(20);
    let faststart = rng.chance(60);
    let vfr = rng.chance(20);
    let reorder = rng.chance(30);
    let audio_sizes: Vec<u32> = (0..rng.range(0, 6))
        .map(|_| rng.range(1, 20) as u32)
        .collect();
    let audio_bytes: u64 = audio_sizes.iter().map(|&s| u64::from(s)).sum();
    let frame_no = *rng
        .pick(&[86_400u32, 107_892, 0, u32::MAX, 0x8000_0000])
        .unwrap_or(&86_400);
    log.push(format!(
        "synth: {n} pictures, NAL length {len_size}, GOP {gop}, stss {with_stss}, sound {audio}, tmcd {tmcd}, co64 {wide}, faststart {faststart}, vfr {vfr}, ctts {reorder}"
    ));
    let ftyp = match rng.below(5) {
        0 => Vec::new(),
        1 => atom(b"ftyp", b"isom\0\0\x02\0isomiso2avc1mp41"),
        _ => atom(b"ftyp", b"qt  \0\0\x02\0qt  "),
    };
    // The random choices of the movie header are drawn once, so both layouts agree in size.
    let seed = rng.next_u64();
    let video_len = video.len() as u64;
    let build = |base: u64, log: &mut Vec<String>| -> Vec<u8> {
        let mut rng = Rng::new(seed);
        let rng = &mut rng;
        let mut traks = Vec::new();
        // Video.
        let mut vt = Vec::new();
        let v1 = rng.chance(20);
        let mut tkhd = vec![0u8; if v1 { 88 } else { 76 }];
        let id_at = if v1 { 16 } else { 8 };
        tkhd[id_at..id_at + 4].copy_from_slice(&be32(1));
        vt.extend(full(b"tkhd", u8::from(v1), rng.below(16) as u32, &tkhd));
        if tmcd && rng.chance(80) {
            let id = if rng.chance(90) {
                3
            } else {
                rng.next_u64() as u32
            };
            vt.extend(atom(b"tref", &atom(b"tmcd", &be32(id))));
        }
        if rng.chance(40) {
            let v1e = rng.chance(30);
            let mut e = Vec::new();
            let k = rng.range(1, 3);
            for _ in 0..k {
                let any = rng.next_u64() as i64;
                let media_time = *rng.pick(&[-1i64, 0, 1001, 2002, any]).unwrap_or(&0);
                if v1e {
                    e.extend_from_slice(&(rng.below(100_000) as u64).to_be_bytes());
                    e.extend_from_slice(&media_time.to_be_bytes());
                } else {
                    e.extend_from_slice(&be32(rng.below(100_000) as u32));
                    e.extend_from_slice(&be32(media_time as u32));
                }
                e.extend_from_slice(&be32(
                    *rng.pick(&[0x1_0000u32, 0, 0x2_0000]).unwrap_or(&0x1_0000),
                ));
            }
            vt.extend(atom(
                b"edts",
                &full(
                    b"elst",
                    u8::from(v1e),
                    0,
                    &[be32(maybe_lie(rng, k as u32, 5)).to_vec(), e].concat(),
                ),
            ));
        }
        let any = rng.next_u64() as u32;
        let timescale = *rng
            .pick(&[24_000u32, 25, 30_000, 90_000, 0, 1, any])
            .unwrap_or(&24_000);
        let mdhd_v1 = rng.chance(20);
        let mut mdhd = vec![0u8; if mdhd_v1 { 28 } else { 16 }];
        let ts_at = if mdhd_v1 { 16 } else { 8 };
        mdhd[ts_at..ts_at + 4].copy_from_slice(&be32(timescale));
        let mdhd = full(b"mdhd", u8::from(mdhd_v1), 0, &mdhd);
        let hdlr =
            |sub: &[u8; 4]| full(b"hdlr", 0, 0, &[b"mhlr".as_slice(), sub, &[0; 12]].concat());
        // avc1/avc3 with avcC and colr.
        let mut entry = vec![0u8; 78];
        entry[7] = 1;
        entry[24..26].copy_from_slice(&(rng.range(16, 4096) as u16).to_be_bytes());
        entry[26..28].copy_from_slice(&(rng.range(16, 2304) as u16).to_be_bytes());
        let name = *rng
            .pick(&[b"H.264".as_slice(), b"AVC Coding", b"Lavc libx264", b""])
            .unwrap_or(&b"H.264".as_slice());
        entry[42] = if rng.chance(5) {
            rng.byte()
        } else {
            name.len() as u8
        };
        entry[43..43 + name.len()].copy_from_slice(name);
        let mut avcc = vec![
            1,
            sps.get(1).copied().unwrap_or(100),
            sps.get(2).copied().unwrap_or(0),
            sps.get(3).copied().unwrap_or(30),
        ];
        avcc.push(0xFC | (len_size as u8 - 1));
        let nsps = if rng.chance(5) { 0 } else { 1 };
        avcc.push(0xE0 | nsps);
        if nsps == 1 {
            let claimed = maybe_lie(rng, sps.len() as u32, 5) as u16;
            avcc.extend_from_slice(&claimed.to_be_bytes());
            avcc.extend_from_slice(sps);
        }
        avcc.push(1);
        avcc.extend_from_slice(&(pps.len() as u16).to_be_bytes());
        avcc.extend_from_slice(pps);
        entry.extend(atom(b"avcC", &avcc));
        if rng.chance(60) {
            let kind = if rng.chance(50) { b"nclc" } else { b"nclx" };
            let mut c = kind.to_vec();
            for _ in 0..3 {
                let any = rng.next_u64() as u16;
                c.extend_from_slice(
                    &(*rng.pick(&[1u16, 2, 9, 6, 14, 16, 18, any]).unwrap_or(&1)).to_be_bytes(),
                );
            }
            if kind == b"nclx" {
                c.push(0);
            }
            entry.extend(atom(b"colr", &c));
        }
        if rng.chance(20) {
            entry.extend(atom(b"fiel", &[2, 9]));
        }
        let kind = if rng.chance(85) { b"avc1" } else { b"avc3" };
        let stsd = full(
            b"stsd",
            0,
            0,
            &[be32(maybe_lie(rng, 1, 3)).to_vec(), atom(kind, &entry)].concat(),
        );
        let tables = sample_tables(
            rng,
            &sizes,
            with_stss.then(|| syncs.clone()),
            base,
            wide,
            vfr,
            reorder,
            log,
        );
        let stbl = atom(b"stbl", &[stsd, tables.stbl_tail].concat());
        let minf = atom(b"minf", &[full(b"vmhd", 0, 1, &[0; 8]), stbl].concat());
        vt.extend(atom(b"mdia", &[mdhd, hdlr(b"vide"), minf].concat()));
        traks.push(atom(b"trak", &vt));
        // Sound.
        if audio {
            let version = *rng.pick(&[0u16, 1, 2]).unwrap_or(&0);
            let mut e = vec![0u8; 28];
            e[7] = 1;
            e[8..10].copy_from_slice(&version.to_be_bytes());
            e[16..18].copy_from_slice(
                &(*rng.pick(&[2u16, 1, 6, 0, 0xFFFF]).unwrap_or(&2)).to_be_bytes(),
            );
            e[18..20].copy_from_slice(&16u16.to_be_bytes());
            e[24..28].copy_from_slice(&(48_000u32 << 16).to_be_bytes());
            e.extend(vec![
                0u8;
                match version {
                    1 => 16,
                    2 => 36,
                    _ => 0,
                }
            ]);
            let es = esds(rng, asc);
            if rng.chance(50) {
                let wave = [
                    atom(b"frma", b"mp4a"),
                    atom(b"mp4a", &[0; 4]),
                    es,
                    vec![0; 8],
                ]
                .concat();
                e.extend(atom(b"wave", &wave));
            } else {
                e.extend(es);
            }
            if rng.chance(50) {
                let tag = *rng
                    .pick(&[0x0065_0002u32, 0x0067_0002, 0x0079_0006, 0])
                    .unwrap_or(&0);
                e.extend(full(b"chan", 0, 0, &[be32(tag), be32(0), be32(0)].concat()));
            }
            let stsd = full(
                b"stsd",
                0,
                0,
                &[be32(1).to_vec(), atom(b"mp4a", &e)].concat(),
            );
            let t = sample_tables(
                rng,
                &audio_sizes,
                None,
                base + video_len,
                false,
                false,
                false,
                log,
            );
            let stbl = atom(b"stbl", &[stsd, t.stbl_tail].concat());
            let minf = atom(b"minf", &[full(b"smhd", 0, 0, &[0; 4]), stbl].concat());
            let mut mdhd = vec![0u8; 16];
            mdhd[8..12].copy_from_slice(&be32(48_000));
            let mut tk = vec![0u8; 76];
            tk[8..12].copy_from_slice(&be32(2));
            traks.push(atom(
                b"trak",
                &[
                    full(b"tkhd", 0, 1, &tk),
                    atom(
                        b"mdia",
                        &[full(b"mdhd", 0, 0, &mdhd), hdlr(b"soun"), minf].concat(),
                    ),
                ]
                .concat(),
            ));
        }
        // Timecode.
        if tmcd {
            let mut e = vec![0u8; 8];
            e[7] = 1;
            let any = rng.next_u64() as u32;
            let flags = *rng.pick(&[0u32, 1, 8, 9, any]).unwrap_or(&0);
            e.extend_from_slice(&[be32(0), be32(flags), be32(30_000), be32(1001)].concat());
            e.push(*rng.pick(&[30u8, 24, 25, 60, 0, 255]).unwrap_or(&30));
            e.push(0);
            let stsd = full(
                b"stsd",
                0,
                0,
                &[be32(1).to_vec(), atom(b"tmcd", &e)].concat(),
            );
            let off = base + video_len + audio_bytes;
            let off = if rng.chance(10) { rng.next_u64() } else { off };
            let stco = if rng.chance(20) {
                table(b"co64", 1, &off.to_be_bytes())
            } else {
                table(b"stco", 1, &be32(off as u32))
            };
            let stbl = atom(
                b"stbl",
                &[
                    stsd,
                    table(b"stts", 1, &[be32(1), be32(1001)].concat()),
                    table(b"stsc", 1, &[be32(1), be32(1), be32(1)].concat()),
                    full(b"stsz", 0, 0, &[be32(4), be32(1)].concat()),
                    stco,
                ]
                .concat(),
            );
            let mut tk = vec![0u8; 76];
            tk[8..12].copy_from_slice(&be32(3));
            let mut mdhd = vec![0u8; 16];
            mdhd[8..12].copy_from_slice(&be32(30_000));
            traks.push(atom(
                b"trak",
                &[
                    full(b"tkhd", 0, 0, &tk),
                    atom(
                        b"mdia",
                        &[
                            full(b"mdhd", 0, 0, &mdhd),
                            hdlr(b"tmcd"),
                            atom(b"minf", &stbl),
                        ]
                        .concat(),
                    ),
                ]
                .concat(),
            ));
        }
        let mut mvhd = vec![0u8; 96];
        mvhd[8..12].copy_from_slice(&be32(600));
        let mut moov = full(b"mvhd", 0, 0, &mvhd);
        for t in traks {
            moov.extend(t);
        }
        if rng.chance(5) {
            moov.extend(atom(b"mvex", &full(b"trex", 0, 0, &[0; 20])));
        }
        atom(b"moov", &moov)
    };
    let mut scratch = Vec::new();
    let moov_len = build(0, &mut scratch).len() as u64;
    let ftyp_len = ftyp.len() as u64;
    let moov = build(
        if faststart {
            ftyp_len + moov_len + 8
        } else {
            ftyp_len + 8
        },
        log,
    );
    let mut mdat_payload = video;
    mdat_payload.extend((0..audio_bytes).map(|i| i as u8));
    mdat_payload.extend_from_slice(&be32(frame_no));
    let mdat = atom(b"mdat", &mdat_payload);
    if faststart {
        [ftyp, moov, mdat].concat()
    } else {
        [ftyp, mdat, moov].concat()
    }
}
