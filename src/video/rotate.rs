//! Turning a decoded picture the way its track's display matrix says it is meant to be seen
//! ([`Orientation`]): quarter turns and left–right mirroring, pixel for pixel, so nothing is
//! resampled. Done once, where decoded frames become [`RgbaImage`]s, so the window, stills,
//! report thumbnails and the burned-in watermark all get the upright picture and its shown size.

use super::rgba::RgbaImage;
use crate::media::Orientation;

/// Writes `src` turned by `o` into `dst` (its buffer reused; sized to the shown picture).
pub fn orient_into(src: &RgbaImage, o: Orientation, dst: &mut RgbaImage) {
    let (w, h) = (src.width as usize, src.height as usize);
    let (out_w, out_h) = o.shown_size(src.width, src.height);
    dst.width = out_w;
    dst.height = out_h;
    dst.pixels.clear();
    dst.pixels.resize(w * h * 4, 0);
    if w == 0 || h == 0 || src.pixels.len() < w * h * 4 {
        return;
    }
    let out_w = out_w as usize;
    let index = |(x, y): (usize, usize)| (y * w + x) as isize;
    // Walk the shown picture row by row. Along a shown row the stored pixel moves by a fixed
    // step (±1 or ±one stored row), so each row is a start and a stride.
    for (y, row) in dst.pixels.chunks_exact_mut(out_w * 4).enumerate() {
        let start = index(source_of(o, 0, y, w, h));
        let step = if out_w > 1 {
            index(source_of(o, 1, y, w, h)) - start
        } else {
            0
        };
        for (x, px) in row.chunks_exact_mut(4).enumerate() {
            let i = (start + x as isize * step) as usize * 4;
            if let Some(p) = src.pixels.get(i..i + 4) {
                px.copy_from_slice(p);
            }
        }
    }
}

/// `src` turned by `o`, as a new picture.
pub fn oriented(src: &RgbaImage, o: Orientation) -> RgbaImage {
    let mut dst = RgbaImage::default();
    orient_into(src, o, &mut dst);
    dst
}

/// The stored pixel shown at (x, y), for a stored picture `w` × `h`: undo the turn, then the
/// mirror.
fn source_of(o: Orientation, x: usize, y: usize, w: usize, h: usize) -> (usize, usize) {
    // Shown (x, y) after a clockwise turn of the (possibly mirrored) stored picture.
    let (mx, my) = match o.rotation {
        90 => (y, h - 1 - x),
        180 => (w - 1 - x, h - 1 - y),
        270 => (w - 1 - y, x),
        _ => (x, y),
    };
    if o.mirrored {
        (w - 1 - mx, my)
    } else {
        (mx, my)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 3×2 picture whose red channel numbers its pixels row by row: 1 2 3 / 4 5 6.
    fn numbered() -> RgbaImage {
        RgbaImage {
            width: 3,
            height: 2,
            pixels: (1..=6).flat_map(|v| [v, 0, 0, 255]).collect(),
        }
    }

    fn reds(img: &RgbaImage) -> Vec<u8> {
        img.pixels.chunks_exact(4).map(|p| p[0]).collect()
    }

    fn turn(rotation: u16, mirrored: bool) -> RgbaImage {
        let o = Orientation::new(rotation, mirrored).expect("quarter turn");
        oriented(&numbered(), o)
    }

    #[test]
    fn quarter_turns_clockwise() {
        // 1 2 3      90° cw:  4 1     180°: 6 5 4    270° cw: 3 6
        // 4 5 6               5 2           3 2 1             2 5
        //                     6 3                             1 4
        let r0 = turn(0, false);
        assert_eq!(
            (r0.width, r0.height, reds(&r0)),
            (3, 2, vec![1, 2, 3, 4, 5, 6])
        );
        let r90 = turn(90, false);
        assert_eq!((r90.width, r90.height), (2, 3));
        assert_eq!(reds(&r90), vec![4, 1, 5, 2, 6, 3]);
        assert_eq!(reds(&turn(180, false)), vec![6, 5, 4, 3, 2, 1]);
        let r270 = turn(270, false);
        assert_eq!((r270.width, r270.height), (2, 3));
        assert_eq!(reds(&r270), vec![3, 6, 2, 5, 1, 4]);
    }

    #[test]
    fn mirrored_then_turned() {
        // Mirrored: 3 2 1 / 6 5 4, then turned.
        assert_eq!(reds(&turn(0, true)), vec![3, 2, 1, 6, 5, 4]);
        assert_eq!(reds(&turn(90, true)), vec![6, 3, 5, 2, 4, 1]);
        assert_eq!(reds(&turn(180, true)), vec![4, 5, 6, 1, 2, 3]);
        assert_eq!(reds(&turn(270, true)), vec![1, 4, 2, 5, 3, 6]);
    }

    #[test]
    fn four_quarter_turns_come_back_and_buffers_are_reused() {
        let start = numbered();
        let o = Orientation::new(90, false).expect("quarter turn");
        let mut a = start.clone();
        let mut b = RgbaImage::default();
        for _ in 0..2 {
            orient_into(&a, o, &mut b);
            orient_into(&b, o, &mut a);
        }
        assert_eq!(a, start);
        // A picture too short for its size comes out blank, never a panic.
        let short = RgbaImage {
            width: 4,
            height: 4,
            pixels: vec![1; 8],
        };
        let out = oriented(&short, o);
        assert_eq!((out.width, out.height, out.pixels.len()), (4, 4, 64));
    }
}
