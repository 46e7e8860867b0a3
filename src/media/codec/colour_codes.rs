//! Colour code points (ITU-T H.273). A QuickTime `colr` atom and the H.264 VUI state the same
//! three numbers, so both readers fill one type and a check can compare the two sources field by
//! field.

/// Colour code points (ITU-T H.273): the same numbers in a `colr` atom and in the H.264 VUI.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ColourCodes {
    /// colour_primaries: 1 BT.709, 2 unspecified, 5/6 BT.601 625/525, 9 BT.2020 …
    pub primaries: u16,
    /// transfer_characteristics: 1 BT.709, 6 BT.601, 11 xvYCC, 16 PQ, 18 HLG …
    pub transfer: u16,
    /// matrix_coefficients: 0 RGB, 1 BT.709, 5/6 BT.601, 9 BT.2020 …
    pub matrix: u16,
}
