//! UTC wall-clock time: the system clock now, and its dates as text — the report's and the
//! watermark's label, the access log's ISO-8601 time — with integer civil-calendar maths
//! (Howard Hinnant's `civil_from_days`), so no date crate is needed for two lines.
//!
//! Notes, content security, the watermark, the report and calibration records read the clock
//! here; none of them needs another module for the date.

/// Wall-clock time, ms since 1970 UTC (0 if the clock is before 1970): note stamps, the access
/// log.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Wall-clock time, ns since 1970 UTC (0 if the clock is before 1970): the one time base two
/// processes on one machine share (the picture trace).
pub fn now_unix_ns() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

/// Seconds since 1970, UTC, now (0 if the clock is before 1970): the watermark's date and time,
/// calibration records.
pub fn now_unix_s() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// `2026-05-01 14:03 UTC` for `unix_s` seconds since 1970.
pub fn utc_label(unix_s: i64) -> String {
    let days = unix_s.div_euclid(86_400);
    let secs = unix_s.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        secs / 3600,
        secs % 3600 / 60
    )
}

/// `2026-05-01T14:03:07.125Z` (ISO-8601 / RFC 3339, UTC, milliseconds) for `unix_ms`
/// milliseconds since 1970.
pub fn iso8601_utc(unix_ms: i64) -> String {
    let secs = unix_ms.div_euclid(1000);
    let (days, day_s) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        day_s / 3600,
        day_s % 3600 / 60,
        day_s % 60,
        unix_ms.rem_euclid(1000)
    )
}

/// (year, month 1–12, day 1–31) of day `z` since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(utc_label(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc_label(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(utc_label(1_700_000_000), "2023-11-14 22:13 UTC");
        assert_eq!(utc_label(-1), "1969-12-31 23:59 UTC");
        assert_eq!(iso8601_utc(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601_utc(1_700_000_000_125), "2023-11-14T22:13:20.125Z");
        assert_eq!(iso8601_utc(-1), "1969-12-31T23:59:59.999Z");
    }
}
