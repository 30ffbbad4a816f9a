//! Instants as drills record them: RFC 3339 timestamps (`2026-11-02T09:00:00Z`,
//! `2026-11-02T10:00:00+01:00`), kept as whole seconds since the Unix epoch.
//!
//! Written here rather than taken from a date library because both halves need exactly this and
//! no more: the provider stamps `next_due_at`, the linter compares it with today, and the two must
//! read every timestamp the same way.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since 1970-01-01T00:00:00Z.
pub type UnixSeconds = i64;

/// Why a timestamp could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not an RFC 3339 timestamp: {problem}. Write it like \"2026-11-02T09:00:00Z\" or \"2026-11-02T10:00:00+01:00\"")]
pub struct TimestampError {
    pub input: String,
    pub problem: &'static str,
}

/// The longest timestamp considered: a date, a time with nine fractional digits and an offset.
/// Anything longer is refused before it is scanned.
const MAX_TIMESTAMP_LENGTH: usize = 40;

/// Parses an RFC 3339 timestamp (a `T` or space between date and time, fractional seconds
/// dropped, `Z` or a `±hh:mm` offset) into seconds since the epoch. Years run 1970–9999.
pub fn parse_timestamp(input: &str) -> Result<UnixSeconds, TimestampError> {
    let fail = |problem| TimestampError {
        input: input.chars().take(MAX_TIMESTAMP_LENGTH + 3).collect(),
        problem,
    };
    let text = input.trim();
    if text.len() > MAX_TIMESTAMP_LENGTH {
        return Err(fail("it is too long"));
    }
    let bytes = text.as_bytes();
    if bytes.len() < 20 || !text.is_ascii() {
        return Err(fail("it needs a date, a time and a time zone"));
    }
    let number = |range: std::ops::Range<usize>, what| {
        text[range]
            .bytes()
            .try_fold(0_i64, |total, digit| {
                digit
                    .is_ascii_digit()
                    .then(|| total * 10 + i64::from(digit - b'0'))
            })
            .ok_or_else(|| fail(what))
    };
    let year = number(0..4, "the year is not four digits")?;
    let month = number(5..7, "the month is not two digits")?;
    let day = number(8..10, "the day is not two digits")?;
    if bytes[4] != b'-' || bytes[7] != b'-' {
        return Err(fail("the date is not written YYYY-MM-DD"));
    }
    if !matches!(bytes[10], b'T' | b't' | b' ') {
        return Err(fail("the date and time are not separated by T"));
    }
    let hour = number(11..13, "the hour is not two digits")?;
    let minute = number(14..16, "the minute is not two digits")?;
    let second = number(17..19, "the second is not two digits")?;
    if bytes[13] != b':' || bytes[16] != b':' {
        return Err(fail("the time is not written hh:mm:ss"));
    }
    if !(1970..=9999).contains(&year) {
        return Err(fail("the year is outside 1970–9999"));
    }
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return Err(fail("there is no such date"));
    }
    // 60 is a leap second; it reads as the second after :59.
    if hour > 23 || minute > 59 || second > 60 {
        return Err(fail("there is no such time of day"));
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(fail("the fraction of a second has no digits"));
        }
        rest = &fraction[digits..];
    }
    let offset_seconds = match rest {
        "Z" | "z" => 0,
        _ if rest.len() == 6 && matches!(rest.as_bytes()[0], b'+' | b'-') => {
            let offset_hours = number(text.len() - 5..text.len() - 3, "the offset is not ±hh:mm")?;
            let offset_minutes = number(text.len() - 2..text.len(), "the offset is not ±hh:mm")?;
            if rest.as_bytes()[3] != b':' || offset_hours > 23 || offset_minutes > 59 {
                return Err(fail("the offset is not ±hh:mm"));
            }
            let magnitude = offset_hours * 3_600 + offset_minutes * 60;
            if rest.starts_with('-') {
                -magnitude
            } else {
                magnitude
            }
        }
        "" => return Err(fail("it has no time zone (end it with Z or an offset)")),
        _ => return Err(fail("the time zone is not Z or ±hh:mm")),
    };
    let days = days_from_civil(year, month, day);
    Ok(days * 86_400 + hour * 3_600 + minute * 60 + second - offset_seconds)
}

/// Formats seconds since the epoch as an RFC 3339 timestamp in UTC: `2026-11-02T09:00:00Z`.
pub fn format_timestamp(seconds: UnixSeconds) -> String {
    let days = seconds.div_euclid(86_400);
    let of_day = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        of_day / 3_600,
        of_day % 3_600 / 60,
        of_day % 60
    )
}

/// Now, in seconds since the epoch.
pub fn unix_now() -> UnixSeconds {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(elapsed) => i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date `days` after 1970-01-01: the inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_utc_offsets_and_fractions() {
        assert_eq!(parse_timestamp("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(parse_timestamp("2026-11-02T09:00:00Z"), Ok(1_793_610_000));
        assert_eq!(
            parse_timestamp("2026-11-02T10:00:00+01:00"),
            parse_timestamp("2026-11-02T09:00:00Z")
        );
        assert_eq!(
            parse_timestamp("2026-11-02T08:30:00.123456-00:30"),
            parse_timestamp("2026-11-02T09:00:00Z")
        );
        assert_eq!(parse_timestamp("2024-02-29 12:00:00z"), Ok(1_709_208_000));
    }

    #[test]
    fn refuses_what_is_not_a_timestamp() {
        for bad in [
            "",
            "2026-11-02",
            "2026-11-02T09:00:00",
            "2026-13-02T09:00:00Z",
            "2025-02-29T09:00:00Z",
            "2026-11-02T24:00:00Z",
            "2026-11-02T09:00:00+1:00",
            "2026-11-02T09:00:00.Z",
            "1969-12-31T23:59:59Z",
            "２０２６-11-02T09:00:00Z",
            "next tuesday at nine o'clock",
        ] {
            assert!(parse_timestamp(bad).is_err(), "{bad:?} was accepted");
        }
        let long = "9".repeat(1_000_000);
        let error = parse_timestamp(&long).unwrap_err();
        assert!(error.input.len() < 50, "the error quotes a bounded prefix");
    }

    #[test]
    fn formats_back_what_it_reads() {
        for text in [
            "1970-01-01T00:00:00Z",
            "2000-02-29T23:59:59Z",
            "2026-11-02T09:00:00Z",
            "9999-12-31T23:59:59Z",
        ] {
            assert_eq!(format_timestamp(parse_timestamp(text).unwrap()), text);
        }
        // Every day of four centuries maps back to itself.
        for days in (0..146_097 * 4).step_by(7) {
            let (year, month, day) = civil_from_days(days);
            assert_eq!(days_from_civil(year, month, day), days);
        }
    }
}
