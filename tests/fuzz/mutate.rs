//! Structure-aware mutations for the spec-check fuzzer: a tolerant atom-tree parse of the input
//! (its own, independent of the reader under test), then operations that know where atoms and
//! their size fields are: rewrite a size (0, 1 → 64-bit, huge, smaller than the header), an
//! entry count or a version; duplicate, delete, wrap, rename, swap and splice atoms (between
//! seeds too), with the enclosing sizes fixed up most of the time so the damage reaches deep
//! parsers; plus byte flips, inserts, deletes, truncation and NAL-unit havoc in `mdat`. Every
//! operation appends a one-line description to a log, saved with any finding.

/// A small deterministic generator (SplitMix64): the same seed gives the same case.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }

    pub fn byte(&mut self) -> u8 {
        self.next_u64() as u8
    }

    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.byte()).collect()
    }

    /// Random bytes, `lo..=hi` of them.
    pub fn bytes_in(&mut self, lo: usize, hi: usize) -> Vec<u8> {
        let n = self.range(lo, hi);
        self.bytes(n)
    }

    /// 1 + a geometric count (mostly small, sometimes up to `max`).
    pub fn count(&mut self, max: usize) -> usize {
        let mut n = 1;
        while n < max && self.chance(50) {
            n += 1;
        }
        n
    }
}

/// Four-character codes the mutations rename to and wrap with.
pub const KINDS: &[&[u8; 4]] = &[
    b"moov",
    b"trak",
    b"mdia",
    b"minf",
    b"stbl",
    b"stsd",
    b"stts",
    b"stss",
    b"stsc",
    b"stsz",
    b"stco",
    b"co64",
    b"ctts",
    b"stps",
    b"edts",
    b"elst",
    b"mdhd",
    b"hdlr",
    b"tkhd",
    b"mvhd",
    b"tref",
    b"tmcd",
    b"avc1",
    b"avc3",
    b"avcC",
    b"colr",
    b"mp4a",
    b"esds",
    b"chan",
    b"wave",
    b"frma",
    b"udta",
    b"meta",
    b"mdat",
    b"free",
    b"wide",
    b"skip",
    b"ftyp",
    b"moof",
    b"mvex",
    b"traf",
    b"cmov",
    b"dcom",
    b"cmvd",
    b"dinf",
    b"dref",
    b"vmhd",
    b"smhd",
    b"gmhd",
    b"vide",
    b"soun",
    b"text",
    b"sbtl",
    b".mp3",
    b"fiel",
    b"pasp",
    b"\0\0\0\0",
];

/// Atoms that hold only atoms.
const CONTAINERS: &[&[u8; 4]] = &[
    b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf", b"udta", b"mvex", b"moof",
    b"traf", b"tref", b"wave", b"cmov",
];

/// Tables whose entry count is a u32 at payload byte 4 (8 for `stsz`).
const TABLES: &[&[u8; 4]] = &[
    b"stts", b"stss", b"stsc", b"stsz", b"stco", b"co64", b"ctts", b"stps", b"elst", b"stsd",
    b"dref",
];

/// Bytes of fields before the child atoms of `kind`, or `None` for a leaf.
pub fn child_skip(kind: &[u8; 4], payload: &[u8]) -> Option<usize> {
    if CONTAINERS.contains(&kind) {
        return Some(0);
    }
    match kind {
        b"stsd" | b"dref" => Some(8),
        b"meta" => Some(4),
        b"avc1" | b"avc3" => Some(78),
        b"mp4a" | b".mp3" => {
            let version = payload
                .get(8..10)
                .map_or(0, |v| u16::from_be_bytes([v[0], v[1]]));
            Some(match version {
                1 => 44,
                2 => 64,
                _ => 28,
            })
        }
        _ => None,
    }
}

/// How an atom states its size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SizeField {
    /// 32 bits at the atom's first byte.
    Small,
    /// 1, then 64 bits after the type.
    Large,
    /// 0: to the end of the parent.
    ToEnd,
}

/// One atom found by [`tree`].
#[derive(Clone, Copy, Debug)]
pub struct Node {
    pub offset: usize,
    pub header: usize,
    pub size: usize,
    pub kind: [u8; 4],
    pub field: SizeField,
    pub parent: Option<usize>,
    /// Where the children start, for atoms that hold atoms.
    pub children_at: Option<usize>,
}

impl Node {
    pub fn end(&self) -> usize {
        self.offset + self.size
    }

    pub fn payload(&self) -> usize {
        self.offset + self.header
    }
}

/// Atoms kept by one parse (enough for any seed, bounded for mutants).
const MAX_NODES: usize = 4096;
const MAX_NEST: usize = 16;

/// The atom tree of `bytes`, depth first; stops quietly at the first malformed header.
pub fn tree(bytes: &[u8]) -> Vec<Node> {
    let mut out = Vec::new();
    scan(bytes, 0, bytes.len(), None, 0, &mut out);
    out
}

fn scan(
    bytes: &[u8],
    start: usize,
    end: usize,
    parent: Option<usize>,
    depth: usize,
    out: &mut Vec<Node>,
) {
    let mut pos = start;
    while end.saturating_sub(pos) >= 8 && out.len() < MAX_NODES {
        let Some(head) = bytes.get(pos..pos + 8) else {
            return;
        };
        let size32 = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let kind = [head[4], head[5], head[6], head[7]];
        let (size, header, field) = match size32 {
            0 => (end - pos, 8, SizeField::ToEnd),
            1 => {
                let Some(large) = bytes.get(pos + 8..pos + 16) else {
                    return;
                };
                let mut v = [0u8; 8];
                v.copy_from_slice(large);
                let Ok(size) = usize::try_from(u64::from_be_bytes(v)) else {
                    return;
                };
                (size, 16, SizeField::Large)
            }
            s => (s, 8, SizeField::Small),
        };
        if size < header || size > end - pos {
            return;
        }
        let payload = bytes.get(pos + header..pos + size).unwrap_or_default();
        let skip = child_skip(&kind, payload);
        let index = out.len();
        out.push(Node {
            offset: pos,
            header,
            size,
            kind,
            field,
            parent,
            children_at: skip.map(|s| (pos + header + s).min(pos + size)),
        });
        if let Some(at) = out[index].children_at
            && depth < MAX_NEST
        {
            scan(bytes, at, pos + size, Some(index), depth + 1, out);
        }
        pos += size;
    }
}

/// Adds `delta` to the size of `node` and every atom around it (32- and 64-bit forms).
fn grow_chain(buf: &mut [u8], nodes: &[Node], mut node: Option<usize>, delta: isize) {
    while let Some(i) = node {
        let n = nodes[i];
        let new = n.size as isize + delta;
        match n.field {
            SizeField::Small => {
                if let Ok(v) = u32::try_from(new)
                    && v >= 8
                {
                    write_be(buf, n.offset, &v.to_be_bytes());
                }
            }
            SizeField::Large => {
                if new >= 16 {
                    write_be(buf, n.offset + 8, &(new as u64).to_be_bytes());
                }
            }
            SizeField::ToEnd => {}
        }
        node = n.parent;
    }
}

/// The innermost atom whose bytes strictly surround position `at`.
fn enclosing(nodes: &[Node], at: usize) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, n) in nodes.iter().enumerate() {
        if n.offset < at && at < n.end() && best.is_none_or(|b| nodes[b].size >= n.size) {
            best = Some(i);
        }
    }
    best
}

/// The innermost atom holding all of `a..b`.
fn enclosing_range(nodes: &[Node], a: usize, b: usize) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, n) in nodes.iter().enumerate() {
        if n.offset < a && b <= n.end() && best.is_none_or(|x| nodes[x].size >= n.size) {
            best = Some(i);
        }
    }
    best
}

/// Largest input a mutation may produce.
pub const MAX_LEN: usize = 512 * 1024;

const INTERESTING_32: &[u32] = &[
    0,
    1,
    2,
    3,
    4,
    7,
    8,
    9,
    12,
    15,
    16,
    20,
    31,
    32,
    64,
    127,
    128,
    255,
    256,
    0x7FFF,
    0x8000,
    0xFFFF,
    0x1_0000,
    0x10_0000,
    0x7FFF_FFFF,
    0x8000_0000,
    0xFFFF_FFFE,
    0xFFFF_FFFF,
];

fn interesting_u32(rng: &mut Rng) -> u32 {
    match rng.below(4) {
        0 => rng.next_u64() as u32,
        1 => rng.below(64) as u32,
        _ => *rng.pick(INTERESTING_32).unwrap_or(&0),
    }
}

fn interesting_u64(rng: &mut Rng, near: u64) -> u64 {
    match rng.below(8) {
        0 => rng.next_u64(),
        1 => u64::MAX,
        2 => u64::MAX - 7,
        3 => 1 << 32,
        4 => 1 << 63,
        5 => near.wrapping_add(rng.below(32) as u64).wrapping_sub(16),
        _ => u64::from(interesting_u32(rng)),
    }
}

/// A position biased toward atom headers and the first fields of payloads.
fn structural_pos(rng: &mut Rng, buf: &[u8], nodes: &[Node]) -> usize {
    if !nodes.is_empty() && rng.chance(70) {
        let n = nodes[rng.below(nodes.len())];
        let span = n.size.min(n.header + 48);
        return (n.offset + rng.below(span)).min(buf.len().saturating_sub(1));
    }
    rng.below(buf.len())
}

fn write_be(buf: &mut [u8], at: usize, bytes: &[u8]) -> bool {
    match buf.get_mut(at..at + bytes.len()) {
        Some(dst) => {
            dst.copy_from_slice(bytes);
            true
        }
        None => false,
    }
}

fn fourcc(k: &[u8; 4]) -> String {
    k.iter()
        .map(|&b| {
            if b.is_ascii_graphic() {
                (b as char).to_string()
            } else {
                format!("\\x{b:02x}")
            }
        })
        .collect()
}

/// Applies one to several mutations to `buf` (a movie), taking atoms from `donor` for splices.
pub fn mutate_movie(rng: &mut Rng, buf: &mut Vec<u8>, donor: &[u8], log: &mut Vec<String>) {
    let rounds = rng.count(8);
    for _ in 0..rounds {
        let nodes = tree(buf);
        if let Some(line) = one_movie_mutation(rng, buf, &nodes, donor) {
            log.push(line);
        }
        buf.truncate(MAX_LEN);
    }
}

fn one_movie_mutation(
    rng: &mut Rng,
    buf: &mut Vec<u8>,
    nodes: &[Node],
    donor: &[u8],
) -> Option<String> {
    if buf.is_empty() {
        buf.extend(rng.bytes_in(1, 64));
        return Some("empty: random bytes".into());
    }
    let fix = rng.chance(85);
    let pick_node = |rng: &mut Rng| -> Option<(usize, Node)> {
        let i = rng.below(nodes.len());
        nodes.get(i).map(|n| (i, *n))
    };
    match rng.below(20) {
        0 => {
            let at = structural_pos(rng, buf, nodes);
            let bit = rng.below(8);
            buf[at] ^= 1 << bit;
            Some(format!("flip bit {bit} at {at}"))
        }
        1 => {
            let at = structural_pos(rng, buf, nodes);
            let v = *rng
                .pick(&[0u8, 1, 0x7F, 0x80, 0xFF, 2, 0x10, 0x40])
                .unwrap_or(&0);
            let v = if rng.chance(30) { rng.byte() } else { v };
            buf[at] = v;
            Some(format!("byte {at} = {v:#04x}"))
        }
        2 | 3 => {
            // A field: version, flags, counts, offsets, sizes in the first bytes of a payload.
            let (_, n) = pick_node(rng)?;
            let width = *rng.pick(&[1usize, 2, 4, 4, 4, 8]).unwrap_or(&4);
            let rel = rng.below(24) * if rng.chance(70) { 4 } else { 1 };
            let at = n.payload() + rel;
            let v = interesting_u64(rng, n.size as u64);
            let bytes = v.to_be_bytes();
            write_be(buf, at, &bytes[8 - width..]).then(|| {
                format!(
                    "{}: {width}-byte field at payload+{rel} = {v:#x}",
                    fourcc(&n.kind)
                )
            })
        }
        4 | 5 => atom_size(rng, buf, nodes, fix),
        6 => {
            // Entry counts of sample tables.
            let tables: Vec<Node> = nodes
                .iter()
                .filter(|n| TABLES.contains(&&n.kind))
                .copied()
                .collect();
            let n = *rng.pick(&tables)?;
            let rel = if &n.kind == b"stsz" { 8 } else { 4 };
            let v = match rng.below(4) {
                0 => (n.size.saturating_sub(n.header + 8) / 4) as u32 + rng.below(3) as u32,
                _ => interesting_u32(rng),
            };
            write_be(buf, n.payload() + rel, &v.to_be_bytes())
                .then(|| format!("{} entry count = {v}", fourcc(&n.kind)))
        }
        7 => {
            let at = rng.below(buf.len() + 1);
            let len = rng.range(1, 32);
            let bytes = if rng.chance(50) {
                rng.bytes(len)
            } else {
                let from = rng.below(buf.len());
                buf[from..(from + len).min(buf.len())].to_vec()
            };
            let grown = enclosing(nodes, at);
            buf.splice(at..at, bytes.iter().copied());
            if fix {
                grow_chain(buf, nodes, grown, bytes.len() as isize);
            }
            Some(format!(
                "insert {} bytes at {at} (fixup {fix})",
                bytes.len()
            ))
        }
        8 => {
            let a = rng.below(buf.len());
            let b = (a + rng.range(1, 32)).min(buf.len());
            let shrunk = enclosing_range(nodes, a, b);
            buf.drain(a..b);
            if fix {
                grow_chain(buf, nodes, shrunk, -((b - a) as isize));
            }
            Some(format!("delete bytes {a}..{b} (fixup {fix})"))
        }
        9 => {
            let (_, n) = pick_node(rng)?;
            let copy = buf[n.offset..n.end()].to_vec();
            if buf.len() + copy.len() > MAX_LEN {
                return None;
            }
            let times = if rng.chance(10) { rng.range(2, 40) } else { 1 };
            let all: Vec<u8> = copy
                .iter()
                .copied()
                .cycle()
                .take(copy.len() * times)
                .collect();
            buf.splice(n.end()..n.end(), all.iter().copied());
            if fix {
                grow_chain(buf, nodes, n.parent, all.len() as isize);
            }
            Some(format!(
                "duplicate {} at {} x{times} (fixup {fix})",
                fourcc(&n.kind),
                n.offset
            ))
        }
        10 => {
            let (_, n) = pick_node(rng)?;
            buf.drain(n.offset..n.end());
            if fix {
                grow_chain(buf, nodes, n.parent, -(n.size as isize));
            }
            Some(format!(
                "delete {} at {} (fixup {fix})",
                fourcc(&n.kind),
                n.offset
            ))
        }
        11 => {
            // Wrap an atom in a new container: the same kind (moov in moov), its parent's, any.
            let (_, n) = pick_node(rng)?;
            let kind = match rng.below(3) {
                0 => n.kind,
                1 => n.parent.map_or(n.kind, |p| nodes[p].kind),
                _ => **rng.pick(KINDS).unwrap_or(&b"moov"),
            };
            let mut head = ((n.size + 8) as u32).to_be_bytes().to_vec();
            head.extend_from_slice(&kind);
            buf.splice(n.offset..n.offset, head);
            if fix {
                grow_chain(buf, nodes, n.parent, 8);
            }
            Some(format!(
                "wrap {} at {} in {} (fixup {fix})",
                fourcc(&n.kind),
                n.offset,
                fourcc(&kind)
            ))
        }
        12 | 13 => splice(rng, buf, nodes, donor, fix),
        14 => {
            let (_, n) = pick_node(rng)?;
            let kind = if rng.chance(85) {
                **rng.pick(KINDS).unwrap_or(&b"free")
            } else {
                [rng.byte(), rng.byte(), rng.byte(), rng.byte()]
            };
            buf[n.offset + 4..n.offset + 8].copy_from_slice(&kind);
            Some(format!(
                "rename {} at {} to {}",
                fourcc(&n.kind),
                n.offset,
                fourcc(&kind)
            ))
        }
        15 => {
            // Swap an atom with its next sibling (moov after mdat, stsd after stts …).
            let (i, a) = pick_node(rng)?;
            let b = nodes
                .iter()
                .skip(i + 1)
                .find(|m| m.parent == a.parent && m.offset == a.end())
                .copied()?;
            let first = buf[a.offset..a.end()].to_vec();
            let second = buf[b.offset..b.end()].to_vec();
            buf.splice(a.offset..b.end(), second.into_iter().chain(first));
            Some(format!(
                "swap {} and {} at {}",
                fourcc(&a.kind),
                fourcc(&b.kind),
                a.offset
            ))
        }
        16 => {
            let at = if !nodes.is_empty() && rng.chance(60) {
                let (_, n) = pick_node(rng)?;
                let edge = *rng
                    .pick(&[n.offset, n.payload(), n.end()])
                    .unwrap_or(&n.offset);
                (edge + rng.below(7)).saturating_sub(3)
            } else {
                rng.below(buf.len())
            };
            buf.truncate(at);
            Some(format!("truncate at {at}"))
        }
        17 => {
            let (_, n) = pick_node(rng)?;
            let from = n.payload() + rng.below(n.size - n.header + 1);
            let to = (from + rng.range(1, 64)).min(n.end());
            let v = *rng.pick(&[0u8, 0xFF]).unwrap_or(&0);
            let random = rng.chance(40);
            for b in buf.iter_mut().take(to).skip(from) {
                *b = if random { v ^ 0x5A } else { v };
            }
            Some(format!(
                "fill {}..{to} of {} with {:#04x}",
                from,
                fourcc(&n.kind),
                if random { v ^ 0x5A } else { v }
            ))
        }
        _ => nal_havoc(rng, buf, nodes),
    }
}

/// Rewrites the size of one atom.
fn atom_size(rng: &mut Rng, buf: &mut Vec<u8>, nodes: &[Node], fix: bool) -> Option<String> {
    let n = *rng.pick(nodes)?;
    let kind = fourcc(&n.kind);
    if n.field == SizeField::Large {
        let v = interesting_u64(rng, n.size as u64);
        write_be(buf, n.offset + 8, &v.to_be_bytes());
        return Some(format!("{kind} at {}: 64-bit size = {v:#x}", n.offset));
    }
    let to_parent_end = n.parent.map_or(buf.len(), |p| nodes[p].end()) - n.offset;
    let v: u32 = match rng.below(8) {
        0 => 0,
        1 => {
            // The 64-bit form: size field 1, then eight bytes of size.
            let large = if rng.chance(50) {
                n.size as u64 + 8
            } else {
                interesting_u64(rng, n.size as u64 + 8)
            };
            buf[n.offset..n.offset + 4].copy_from_slice(&1u32.to_be_bytes());
            buf.splice(n.offset + 8..n.offset + 8, large.to_be_bytes());
            if fix {
                grow_chain(buf, nodes, n.parent, 8);
            }
            return Some(format!(
                "{kind} at {}: size 1, 64-bit size {large:#x} (fixup {fix})",
                n.offset
            ));
        }
        2 => rng.range(1, 7) as u32,
        3 => (n.size + rng.range(1, 16)) as u32,
        4 => n.size.saturating_sub(rng.range(1, 16)) as u32,
        5 => *rng
            .pick(&[0xFFFF_FFFFu32, 0x8000_0000, 0x7FFF_FFFF])
            .unwrap_or(&0),
        6 => (to_parent_end + rng.below(2)) as u32,
        _ => rng.next_u64() as u32,
    };
    buf[n.offset..n.offset + 4].copy_from_slice(&v.to_be_bytes());
    Some(format!("{kind} at {}: size {} -> {v:#x}", n.offset, n.size))
}

/// Inserts an atom of `donor` (another seed) into a container of `buf`, or replaces an atom of
/// the same kind with the donor's.
fn splice(
    rng: &mut Rng,
    buf: &mut Vec<u8>,
    nodes: &[Node],
    donor: &[u8],
    fix: bool,
) -> Option<String> {
    let theirs = tree(donor);
    let d = *rng.pick(&theirs)?;
    let bytes = donor.get(d.offset..d.end())?.to_vec();
    if buf.len() + bytes.len() > MAX_LEN {
        return None;
    }
    let same: Vec<Node> = nodes.iter().filter(|n| n.kind == d.kind).copied().collect();
    if rng.chance(50)
        && let Some(&mine) = rng.pick(&same)
    {
        buf.splice(mine.offset..mine.end(), bytes.iter().copied());
        if fix {
            let i = nodes
                .iter()
                .position(|n| n.offset == mine.offset && n.kind == mine.kind);
            let parent = i.and_then(|i| nodes[i].parent);
            grow_chain(
                buf,
                nodes,
                parent,
                bytes.len() as isize - mine.size as isize,
            );
        }
        return Some(format!(
            "replace {} at {} with the donor's (fixup {fix})",
            fourcc(&d.kind),
            mine.offset
        ));
    }
    let containers: Vec<usize> = (0..nodes.len())
        .filter(|&i| nodes[i].children_at.is_some())
        .collect();
    let (at, parent) = match rng.pick(&containers) {
        Some(&c) if rng.chance(80) => {
            let n = nodes[c];
            let kids: Vec<usize> = nodes
                .iter()
                .filter(|k| k.parent == Some(c))
                .map(Node::end)
                .collect();
            let at = if rng.chance(30) {
                n.children_at.unwrap_or(n.payload())
            } else {
                *rng.pick(&kids).unwrap_or(&n.end())
            };
            (at, Some(c))
        }
        _ => (buf.len(), None),
    };
    buf.splice(at..at, bytes.iter().copied());
    if fix {
        grow_chain(buf, nodes, parent, bytes.len() as isize);
    }
    Some(format!(
        "splice donor {} into {} at {at} (fixup {fix})",
        fourcc(&d.kind),
        parent.map_or("top level".into(), |p| fourcc(&nodes[p].kind))
    ))
}

/// Overwrites a NAL length prefix and header inside `mdat`.
fn nal_havoc(rng: &mut Rng, buf: &mut [u8], nodes: &[Node]) -> Option<String> {
    let mdats: Vec<Node> = nodes
        .iter()
        .filter(|n| &n.kind == b"mdat")
        .copied()
        .collect();
    let n = *rng.pick(&mdats)?;
    let at = n.payload() + rng.below(n.size - n.header);
    let len = match rng.below(4) {
        0 => 0u32,
        1 => 0xFFFF_FFFF,
        2 => rng.below(16) as u32,
        _ => interesting_u32(rng),
    };
    let nal = *rng
        .pick(&[
            0x65u8, 0x41, 0x01, 0x05, 0x06, 0x09, 0x67, 0x68, 0x00, 0x1F, 0x25, 0x21,
        ])
        .unwrap_or(&0x65);
    let width = rng.range(1, 4);
    let mut bytes = len.to_be_bytes()[4 - width..].to_vec();
    bytes.push(nal);
    write_be(buf, at, &bytes).then(|| {
        format!(
            "mdat+{}: NAL length {len:#x} ({width} bytes), header {nal:#04x}",
            at - n.offset
        )
    })
}

/// Profile bytes of the SPS branch that reads chroma format and scaling lists.
const HIGH_PROFILES: &[u8] = &[100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135];

/// Applies one to several byte-level mutations to a header blob (SPS, PPS, esds, ASC).
pub fn mutate_blob(rng: &mut Rng, buf: &mut Vec<u8>, donor: &[u8], log: &mut Vec<String>) {
    for _ in 0..rng.count(6) {
        let line = match rng.below(12) {
            0 | 1 if !buf.is_empty() => {
                let at = rng.below(buf.len());
                let bit = rng.below(8);
                buf[at] ^= 1 << bit;
                format!("flip bit {bit} at {at}")
            }
            2 if !buf.is_empty() => {
                let at = rng.below(buf.len());
                let v = rng.byte();
                buf[at] = v;
                format!("byte {at} = {v:#04x}")
            }
            3 => {
                let at = rng.below(buf.len() + 1);
                let bytes = rng.bytes_in(1, 8);
                buf.splice(at..at, bytes.iter().copied());
                format!("insert {} bytes at {at}", bytes.len())
            }
            4 if !buf.is_empty() => {
                let a = rng.below(buf.len());
                let b = (a + rng.range(1, 8)).min(buf.len());
                buf.drain(a..b);
                format!("delete {a}..{b}")
            }
            5 => {
                let at = rng.below(buf.len() + 1);
                buf.truncate(at);
                format!("truncate at {at}")
            }
            6 if buf.len() > 1 => {
                let p = *rng.pick(HIGH_PROFILES).unwrap_or(&100);
                buf[1] = p;
                format!("profile_idc = {p}")
            }
            7 => {
                // Exp-Golomb escapes: long zero runs, emulation-prevention sequences, all ones.
                let at = rng.below(buf.len() + 1);
                let run: Vec<u8> = match rng.below(4) {
                    0 => vec![0; rng.range(1, 8)],
                    1 => vec![0, 0, 3],
                    2 => vec![0, 0, 3, 0, 0, 3],
                    _ => vec![0xFF; rng.range(1, 8)],
                };
                buf.splice(at..at, run.iter().copied());
                format!("insert {run:02x?} at {at}")
            }
            8 if !donor.is_empty() => {
                let a = rng.below(donor.len());
                let b = (a + rng.range(1, 16)).min(donor.len());
                let at = rng.below(buf.len() + 1);
                buf.splice(at..at, donor[a..b].iter().copied());
                format!("splice donor {a}..{b} at {at}")
            }
            9 => {
                let bytes = rng.bytes_in(1, 16);
                buf.extend_from_slice(&bytes);
                format!("append {} bytes", bytes.len())
            }
            10 if !buf.is_empty() => {
                // Descriptor lengths: 0x80 continuation bytes, or a huge 4-group length.
                let at = rng.below(buf.len());
                let len = match rng.below(3) {
                    0 => vec![0x80, 0x80, 0x80, 0x80],
                    1 => vec![0xFF, 0xFF, 0xFF, 0x7F],
                    _ => vec![rng.byte() | 0x80, rng.byte()],
                };
                buf.splice(at..at, len.iter().copied());
                format!("descriptor length {len:02x?} at {at}")
            }
            _ => {
                let at = rng.below(buf.len() + 1);
                let v = *rng
                    .pick(&[0x03u8, 0x04, 0x05, 0x06, 0x40, 0x67, 0x80])
                    .unwrap_or(&5);
                buf.insert(at, v);
                format!("insert tag {v:#04x} at {at}")
            }
        };
        log.push(line);
        buf.truncate(4096);
    }
}

/// Removes bytes `a..b`, shrinking the atoms around them (for the minimizer).
pub fn remove(buf: &mut Vec<u8>, a: usize, b: usize) {
    let nodes = tree(buf);
    let around = enclosing_range(&nodes, a, b);
    buf.drain(a..b);
    grow_chain(buf, &nodes, around, -((b - a) as isize));
}
