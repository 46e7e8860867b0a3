//! An exact rational number (`num/den`, den > 0), used for frame rates and FFmpeg timebases.

use std::fmt;

/// A reduced fraction with a positive denominator, e.g. `24000/1001` for 23.976 fps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rational {
    /// Numerator (may be negative for offsets; rates and timebases are positive).
    pub num: i64,
    /// Denominator, always > 0 after construction through [`Rational::new`].
    pub den: i64,
}

impl Rational {
    /// Builds `num/den` reduced to lowest terms. Returns `None` for a zero denominator.
    pub fn new(num: i64, den: i64) -> Option<Self> {
        if den == 0 {
            return None;
        }
        let g = gcd(num.unsigned_abs(), den.unsigned_abs()).max(1) as i64;
        let sign = if den < 0 { -1 } else { 1 };
        Some(Self {
            num: sign * num / g,
            den: sign * den / g,
        })
    }

    /// Parses `"24000/1001"` or a plain integer `"25"`.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        match text.split_once('/') {
            Some((n, d)) => Self::new(n.trim().parse().ok()?, d.trim().parse().ok()?),
            None => Self::new(text.parse().ok()?, 1),
        }
    }

    /// Whether the value is strictly positive.
    pub fn is_positive(self) -> bool {
        self.num > 0
    }

    /// The value as `f64`, for display and statistics only — never for positions.
    pub fn to_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }

    /// `value * self`, rounded to the nearest integer (halves away from zero), computed in i128.
    pub fn mul_round(self, value: i64) -> i64 {
        let n = value as i128 * self.num as i128;
        let d = self.den as i128;
        let q = if n >= 0 {
            (2 * n + d) / (2 * d)
        } else {
            -((-2 * n + d) / (2 * d))
        };
        q as i64
    }

    /// `value * self`, rounded toward negative infinity, computed in i128.
    pub fn mul_floor(self, value: i64) -> i64 {
        let n = value as i128 * self.num as i128;
        n.div_euclid(self.den as i128) as i64
    }

    /// The reciprocal; `None` for zero.
    pub fn recip(self) -> Option<Self> {
        Self::new(self.den, self.num)
    }

    /// Exact product of two rationals.
    pub fn checked_mul(self, other: Self) -> Option<Self> {
        let num = self.num.checked_mul(other.num)?;
        let den = self.den.checked_mul(other.den)?;
        Self::new(num, den)
    }
}

impl fmt::Display for Rational {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.num, self.den)
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reduces_and_normalises_sign() {
        assert_eq!(Rational::new(48000, 2002), Rational::new(24000, 1001));
        assert_eq!(Rational::new(1, -2).map(|r| (r.num, r.den)), Some((-1, 2)));
        assert_eq!(Rational::new(1, 0), None);
    }

    #[test]
    fn parses_fraction_and_integer() {
        assert_eq!(Rational::parse("30000/1001"), Rational::new(30000, 1001));
        assert_eq!(Rational::parse(" 25 "), Rational::new(25, 1));
        assert_eq!(Rational::parse("x/2"), None);
        assert_eq!(Rational::parse("1/0"), None);
    }

    #[test]
    fn rounding_multiplications() {
        let r = Rational::new(1, 2).expect("valid");
        assert_eq!(r.mul_round(3), 2);
        assert_eq!(r.mul_round(-3), -2);
        assert_eq!(r.mul_floor(-3), -2);
        assert_eq!(r.mul_floor(3), 1);
    }
}
