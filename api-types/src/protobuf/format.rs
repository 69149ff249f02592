//! JSON spellings Kubernetes uses for protobuf scalars: standard base64 for
//! bytes, RFC 3339 for Time/MicroTime, Go's `time.Duration` string for Duration.

/// Standard base64 with padding, as Go's `encoding/json` writes `[]byte`.
pub(super) fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Civil date (year, month, day) of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    // Howard Hinnant's days_from_civil inverse.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// RFC 3339 in UTC (`2024-01-02T03:04:05Z`, or with six fractional digits when
/// `micros`), or `None` when the year is outside 0..=9999 (Go refuses those too).
pub(super) fn rfc3339(seconds: i64, nanos: i32, micros: bool) -> Option<String> {
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    if !(0..=9999).contains(&year) || !(0..1_000_000_000).contains(&nanos) {
        return None;
    }
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if micros {
        Some(format!(
            "{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{:06}Z",
            nanos / 1000
        ))
    } else {
        Some(format!(
            "{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}Z"
        ))
    }
}

/// The fraction `v / 10^prec` as `.123` without trailing zeros (empty when
/// zero), and the integer part.
fn fraction(mut v: u64, prec: u32) -> (String, u64) {
    let mut digits = Vec::new();
    let mut print = false;
    for _ in 0..prec {
        let d = (v % 10) as u8;
        print = print || d != 0;
        if print {
            digits.push(b'0' + d);
        }
        v /= 10;
    }
    if print {
        digits.push(b'.');
    }
    digits.reverse();
    (String::from_utf8_lossy(&digits).into_owned(), v)
}

/// Go's `time.Duration.String()` for a count of nanoseconds: `0s`, `1.5s`,
/// `100ms`, `2µs`, `1h0m0s`.
pub(super) fn go_duration(nanos: i64) -> String {
    let neg = nanos < 0;
    let u = nanos.unsigned_abs();
    let body = if u == 0 {
        "0s".to_string()
    } else if u < 1_000_000_000 {
        let (prec, unit) = if u < 1_000 {
            (0, "ns")
        } else if u < 1_000_000 {
            (3, "µs")
        } else {
            (6, "ms")
        };
        let (frac, int) = fraction(u, prec);
        format!("{int}{frac}{unit}")
    } else {
        let (frac, secs) = fraction(u, 9);
        let mut s = format!("{}{frac}s", secs % 60);
        let mins = secs / 60;
        if mins > 0 {
            s = format!("{}m{s}", mins % 60);
            let hours = mins / 60;
            if hours > 0 {
                s = format!("{hours}h{s}");
            }
        }
        s
    };
    if neg { format!("-{body}") } else { body }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_standard_padding() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"b"), "Yg==");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"abc"), "YWJj");
        assert_eq!(base64(&[0xfb, 0xff]), "+/8=");
    }

    #[test]
    fn rfc3339_formats_utc() {
        assert_eq!(rfc3339(0, 0, false).unwrap(), "1970-01-01T00:00:00Z");
        assert_eq!(
            rfc3339(1_700_000_000, 123_456_789, true).unwrap(),
            "2023-11-14T22:13:20.123456Z"
        );
        assert_eq!(
            rfc3339(951_782_400, 0, false).unwrap(),
            "2000-02-29T00:00:00Z"
        );
        assert_eq!(rfc3339(-1, 0, false).unwrap(), "1969-12-31T23:59:59Z");
        assert!(rfc3339(i64::MAX, 0, false).is_none());
    }

    #[test]
    fn durations_match_go() {
        assert_eq!(go_duration(0), "0s");
        assert_eq!(go_duration(3_600_000_000_000), "1h0m0s");
        assert_eq!(go_duration(1_500_000_000), "1.5s");
        assert_eq!(go_duration(100_000_000), "100ms");
        assert_eq!(go_duration(2_000), "2µs");
        assert_eq!(go_duration(5), "5ns");
        assert_eq!(go_duration(-90_000_000_000), "-1m30s");
        assert_eq!(go_duration(i64::MIN), "-2562047h47m16.854775808s");
    }
}
