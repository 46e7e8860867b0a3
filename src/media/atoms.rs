//! A bounded reader for QuickTime / ISO-BMFF atoms (boxes).
//!
//! FFmpeg hides the parts of a QuickTime file a review tool needs to see exactly (the `tmcd`
//! sample description, handler types, edit lists), so Earmark reads the atom tree itself. Files
//! come from outside and may be truncated or hostile, so the reader is bounded everywhere: it never
//! trusts a size field further than the bytes really present, reads payloads only up to a fixed
//! cap, limits nesting depth and the number of atoms it visits, and reports every problem as an
//! [`AtomError`] instead of panicking.

use std::io::{Read, Seek, SeekFrom};
use thiserror::Error;

/// A four-character code such as `moov` or `tmcd`.
pub type FourCc = [u8; 4];

/// The largest payload [`AtomReader::read_payload`] will allocate for (1 MiB).
pub const MAX_PAYLOAD: u64 = 1 << 20;
/// How many atoms one reader will visit before giving up (guards against pathological trees).
pub const MAX_ATOMS: usize = 200_000;
/// Deepest nesting the tree walkers descend to.
pub const MAX_DEPTH: usize = 12;

/// What went wrong while reading atoms. Offsets are byte positions in the file.
#[derive(Debug, Error)]
pub enum AtomError {
    #[error("read failed: {0}")]
    Io(#[from] std::io::Error),
    #[error(
        "atom `{kind}` at byte {offset} claims {size} bytes but only {available} remain (file truncated?)"
    )]
    Truncated {
        kind: String,
        offset: u64,
        size: u64,
        available: u64,
    },
    #[error("atom at byte {offset} has an impossible size {size}")]
    BadSize { offset: u64, size: u64 },
    #[error("atom `{kind}` payload of {len} bytes is larger than the {max}-byte limit")]
    TooLarge { kind: String, len: u64, max: u64 },
    #[error("more than {MAX_ATOMS} atoms; refusing to read further")]
    TooMany,
    #[error("atom `{kind}` is malformed: {why}")]
    Malformed { kind: String, why: &'static str },
}

/// One atom's header: where it is and how big it is. Payload bytes are read on demand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Atom {
    /// Four-character type code.
    pub kind: FourCc,
    /// Byte offset of the atom's first header byte.
    pub offset: u64,
    /// Header length: 8, or 16 when the 64-bit `largesize` form is used.
    pub header_len: u64,
    /// Total size including the header.
    pub size: u64,
}

impl Atom {
    /// First byte after the header.
    pub fn payload_offset(&self) -> u64 {
        self.offset + self.header_len
    }

    /// Bytes after the header.
    pub fn payload_len(&self) -> u64 {
        self.size - self.header_len
    }

    /// One past the last byte.
    pub fn end(&self) -> u64 {
        self.offset + self.size
    }

    /// The type code as text, non-printable bytes escaped.
    pub fn kind_str(&self) -> String {
        fourcc_str(self.kind)
    }
}

/// A four-character code as text (`"moov"`), with non-printable bytes shown as `\xNN`.
pub fn fourcc_str(code: FourCc) -> String {
    code.iter()
        .map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                (b as char).to_string()
            } else {
                format!("\\x{b:02x}")
            }
        })
        .collect()
}

/// Reads atom headers and small payloads from any seekable byte source.
pub struct AtomReader<R> {
    src: R,
    len: u64,
    /// Where the top-level walk stops (`len`, or the start of an atom that was cut).
    top_end: u64,
    visited: usize,
}

impl<R: Read + Seek> AtomReader<R> {
    /// Wraps `src`; its length is taken by seeking to the end.
    pub fn new(mut src: R) -> Result<Self, AtomError> {
        let len = src.seek(SeekFrom::End(0))?;
        Ok(Self {
            src,
            len,
            top_end: len,
            visited: 0,
        })
    }

    /// Wraps `src` (`len` bytes) for reading the header of a cut file: the top-level walk
    /// stops at `top_end`, the start of the atom that was cut, but payload reads may go past
    /// it into what is left of that atom — a timecode track's one sample sits in the media
    /// data, usually at its very start.
    pub fn header_before(src: R, len: u64, top_end: u64) -> Self {
        Self {
            src,
            len,
            top_end: top_end.min(len),
            visited: 0,
        }
    }

    /// Total length of the source in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the source is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The top-level atoms of the file.
    pub fn top_level(&mut self) -> Result<Vec<Atom>, AtomError> {
        self.atoms_in(0, self.top_end)
    }

    /// The children of a container atom.
    pub fn children(&mut self, parent: &Atom) -> Result<Vec<Atom>, AtomError> {
        self.atoms_in(parent.payload_offset(), parent.end())
    }

    /// The children of `parent` that start `skip` bytes into its payload (for atoms such as
    /// `stsd` or `meta` that put fields before their children).
    pub fn children_after(&mut self, parent: &Atom, skip: u64) -> Result<Vec<Atom>, AtomError> {
        let start = parent
            .payload_offset()
            .saturating_add(skip)
            .min(parent.end());
        self.atoms_in(start, parent.end())
    }

    /// The first child of `parent` with type `kind`.
    pub fn child(&mut self, parent: &Atom, kind: &FourCc) -> Result<Option<Atom>, AtomError> {
        Ok(self.children(parent)?.into_iter().find(|a| &a.kind == kind))
    }

    /// Follows a path of child types from `parent`, e.g. `[b"mdia", b"minf", b"stbl"]`.
    pub fn descend(&mut self, parent: &Atom, path: &[&FourCc]) -> Result<Option<Atom>, AtomError> {
        let mut here = *parent;
        for kind in path.iter().take(MAX_DEPTH) {
            match self.child(&here, kind)? {
                Some(next) => here = next,
                None => return Ok(None),
            }
        }
        Ok(Some(here))
    }

    /// The payload of `atom`, refused (not truncated) when larger than `max` bytes.
    pub fn read_payload(&mut self, atom: &Atom, max: u64) -> Result<Vec<u8>, AtomError> {
        let len = atom.payload_len();
        let cap = max.min(MAX_PAYLOAD);
        if len > cap {
            return Err(AtomError::TooLarge {
                kind: atom.kind_str(),
                len,
                max: cap,
            });
        }
        self.read_at(atom.payload_offset(), len)
    }

    /// `len` bytes at `offset`; errors if they are not all present. `len` is capped by the caller.
    pub fn read_at(&mut self, offset: u64, len: u64) -> Result<Vec<u8>, AtomError> {
        if offset.checked_add(len).is_none_or(|end| end > self.len) || len > MAX_PAYLOAD {
            return Err(AtomError::Truncated {
                kind: "data".into(),
                offset,
                size: len,
                available: self.len.saturating_sub(offset),
            });
        }
        self.src.seek(SeekFrom::Start(offset))?;
        let mut buf = vec![0; len as usize];
        self.src.read_exact(&mut buf)?;
        Ok(buf)
    }

    fn atoms_in(&mut self, start: u64, end: u64) -> Result<Vec<Atom>, AtomError> {
        let end = end.min(self.len);
        let mut out = Vec::new();
        let mut pos = start;
        // Fewer than 8 bytes left cannot hold a header; QuickTime allows a 4-byte zero terminator.
        while end.saturating_sub(pos) >= 8 {
            self.visited += 1;
            if self.visited > MAX_ATOMS {
                return Err(AtomError::TooMany);
            }
            let atom = self.header_at(pos, end)?;
            pos = atom.end();
            out.push(atom);
        }
        Ok(out)
    }

    fn header_at(&mut self, offset: u64, end: u64) -> Result<Atom, AtomError> {
        let mut head = [0u8; 8];
        self.src.seek(SeekFrom::Start(offset))?;
        self.src.read_exact(&mut head)?;
        let size32 = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as u64;
        let kind = [head[4], head[5], head[6], head[7]];
        let (size, header_len) = match size32 {
            0 => (end - offset, 8),
            1 => {
                if end - offset < 16 {
                    return Err(AtomError::BadSize { offset, size: 1 });
                }
                let mut large = [0u8; 8];
                self.src.read_exact(&mut large)?;
                (u64::from_be_bytes(large), 16)
            }
            s => (s, 8),
        };
        if size < header_len {
            return Err(AtomError::BadSize { offset, size });
        }
        let available = end - offset;
        if size > available {
            return Err(AtomError::Truncated {
                kind: fourcc_str(kind),
                offset,
                size,
                available,
            });
        }
        Ok(Atom {
            kind,
            offset,
            header_len,
            size,
        })
    }
}

/// Big-endian field access on a payload slice that never panics.
pub struct Fields<'a> {
    bytes: &'a [u8],
    kind: FourCc,
}

impl<'a> Fields<'a> {
    /// Wraps the payload of an atom of type `kind` (used in error messages).
    pub fn new(bytes: &'a [u8], kind: FourCc) -> Self {
        Self { bytes, kind }
    }

    fn short(&self) -> AtomError {
        AtomError::Malformed {
            kind: fourcc_str(self.kind),
            why: "payload shorter than its fields",
        }
    }

    /// `N` bytes at `at`.
    pub fn array<const N: usize>(&self, at: usize) -> Result<[u8; N], AtomError> {
        self.bytes
            .get(at..at.checked_add(N).ok_or_else(|| self.short())?)
            .and_then(|s| s.try_into().ok())
            .ok_or_else(|| self.short())
    }

    pub fn u8(&self, at: usize) -> Result<u8, AtomError> {
        Ok(self.array::<1>(at)?[0])
    }

    pub fn u16(&self, at: usize) -> Result<u16, AtomError> {
        Ok(u16::from_be_bytes(self.array(at)?))
    }

    pub fn u32(&self, at: usize) -> Result<u32, AtomError> {
        Ok(u32::from_be_bytes(self.array(at)?))
    }

    pub fn u64(&self, at: usize) -> Result<u64, AtomError> {
        Ok(u64::from_be_bytes(self.array(at)?))
    }

    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

/// Builds an atom's bytes (32-bit size form), for tests that assemble movies.
#[cfg(test)]
pub(crate) fn atom(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut v = ((payload.len() + 8) as u32).to_be_bytes().to_vec();
    v.extend_from_slice(kind);
    v.extend_from_slice(payload);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::io::Cursor;

    #[test]
    fn walks_nested_atoms() {
        let inner = atom(b"mdhd", &[1, 2, 3, 4]);
        let file = [atom(b"ftyp", b"qt  "), atom(b"moov", &inner)].concat();
        let mut r = AtomReader::new(Cursor::new(file)).expect("reader");
        let top = r.top_level().expect("top");
        assert_eq!(
            top.iter().map(|a| a.kind).collect::<Vec<_>>(),
            [*b"ftyp", *b"moov"]
        );
        let mdhd = r
            .descend(&top[1], &[b"mdhd"])
            .expect("walk")
            .expect("found");
        assert_eq!(r.read_payload(&mdhd, 64).expect("payload"), [1, 2, 3, 4]);
    }

    #[test]
    fn a_cut_files_header_is_walked_up_to_the_cut_atom_and_read_past_it() {
        // ftyp, moov, then an mdat claiming 1000 bytes of which 12 are there.
        let mut file = [atom(b"ftyp", b"qt  "), atom(b"moov", &[])].concat();
        let mdat = file.len() as u64;
        file.extend_from_slice(&1008u32.to_be_bytes());
        file.extend_from_slice(b"mdat");
        file.extend_from_slice(&[0, 0, 0, 42, 9, 9, 9, 9]);
        let len = file.len() as u64;
        let mut whole = AtomReader::new(Cursor::new(file.clone())).expect("reader");
        assert!(matches!(
            whole.top_level(),
            Err(AtomError::Truncated { .. })
        ));
        let mut r = AtomReader::header_before(Cursor::new(file), len, mdat);
        let top = r.top_level().expect("the header before the cut is whole");
        assert_eq!(
            top.iter().map(|a| a.kind).collect::<Vec<_>>(),
            [*b"ftyp", *b"moov"]
        );
        // A timecode sample at the start of the cut media data is still readable.
        assert_eq!(r.read_at(mdat + 8, 4).expect("sample"), [0, 0, 0, 42]);
        assert!(
            r.read_at(mdat + 8, 100).is_err(),
            "but not past the file's end"
        );
    }

    #[test]
    fn large_size_and_size_zero() {
        let mut file = 1u32.to_be_bytes().to_vec();
        file.extend_from_slice(b"mdat");
        file.extend_from_slice(&20u64.to_be_bytes());
        file.extend_from_slice(&[9, 9, 9, 9]);
        file.extend_from_slice(&0u32.to_be_bytes());
        file.extend_from_slice(b"free");
        file.extend_from_slice(&[0; 5]);
        let mut r = AtomReader::new(Cursor::new(file)).expect("reader");
        let top = r.top_level().expect("top");
        assert_eq!(top[0].header_len, 16);
        assert_eq!(top[0].payload_len(), 4);
        assert_eq!(top[1].size, 13, "size 0 runs to the end");
    }

    #[test]
    fn truncated_and_bad_sizes_are_errors() {
        let mut file = atom(b"moov", &[0; 32]);
        file.truncate(20);
        let mut r = AtomReader::new(Cursor::new(file)).expect("reader");
        assert!(matches!(r.top_level(), Err(AtomError::Truncated { .. })));
        let bad = [4u32.to_be_bytes().to_vec(), b"moov".to_vec()].concat();
        let mut r = AtomReader::new(Cursor::new(bad)).expect("reader");
        assert!(matches!(r.top_level(), Err(AtomError::BadSize { .. })));
    }

    #[test]
    fn payload_cap_is_enforced() {
        let file = atom(b"stsd", &vec![0; 4096]);
        let mut r = AtomReader::new(Cursor::new(file)).expect("reader");
        let top = r.top_level().expect("top");
        assert!(matches!(
            r.read_payload(&top[0], 1024),
            Err(AtomError::TooLarge { .. })
        ));
    }

    #[test]
    fn fields_never_panic() {
        let f = Fields::new(&[1, 2, 3], *b"test");
        assert_eq!(f.u16(1).expect("in range"), 0x0203);
        assert!(f.u32(0).is_err());
        assert!(f.u8(usize::MAX).is_err());
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let mut r = AtomReader::new(Cursor::new(bytes)).expect("reader");
            if let Ok(top) = r.top_level() {
                for a in top {
                    let _ = r.children(&a);
                    let _ = r.read_payload(&a, 256);
                }
            }
        }
    }
}
