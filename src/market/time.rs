//! UTC calendar arithmetic on Unix milliseconds. Every timestamp in tickdesk is an `i64` of
//! milliseconds since 1970-01-01T00:00:00Z; this module converts to and from civil dates without a
//! time-zone database (UTC only, proleptic Gregorian calendar, days-from-civil algorithm).

use std::fmt;

pub const SECOND_MS: i64 = 1_000;
pub const MINUTE_MS: i64 = 60 * SECOND_MS;
pub const HOUR_MS: i64 = 60 * MINUTE_MS;
pub const DAY_MS: i64 = 24 * HOUR_MS;

/// Days since 1970-01-01 of a civil date (month 1..=12, day 1..=31).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Civil date (year, month, day) of a day count since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Start (00:00 UTC on the 1st) of the calendar month containing `ms`.
pub fn month_start(ms: i64) -> i64 {
    let (y, m, _) = civil_from_days(ms.div_euclid(DAY_MS));
    days_from_civil(y, m, 1) * DAY_MS
}

/// `ms` moved by `months` calendar months; `ms` must be a month start.
pub fn add_months(ms: i64, months: i64) -> i64 {
    let (y, m, _) = civil_from_days(ms.div_euclid(DAY_MS));
    let index = y * 12 + i64::from(m) - 1 + months;
    days_from_civil(index.div_euclid(12), (index.rem_euclid(12) + 1) as u32, 1) * DAY_MS
}

/// A UTC timestamp formatted for people: `2024-01-31 13:00` (seconds shown when not zero).
pub struct Utc(pub i64);

impl fmt::Display for Utc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.0.div_euclid(DAY_MS);
        let rem = self.0.rem_euclid(DAY_MS);
        let (y, mo, d) = civil_from_days(days);
        let (h, mi, s) = (
            rem / HOUR_MS,
            rem % HOUR_MS / MINUTE_MS,
            rem % MINUTE_MS / SECOND_MS,
        );
        write!(f, "{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}")?;
        let ms = rem % SECOND_MS;
        if s != 0 || ms != 0 {
            write!(f, ":{s:02}")?;
        }
        if ms != 0 {
            write!(f, ".{ms:03}")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{input}` is not a date: use YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS] (UTC) or milliseconds since 1970"
)]
pub struct DateError {
    pub input: String,
}

/// Parses a UTC date or date-time as given on the command line: `2024-01-31`,
/// `2024-01-31T13:00`, `2024-01-31 13:00:15`, an optional trailing `Z`, or epoch milliseconds.
pub fn parse_datetime(input: &str) -> Result<i64, DateError> {
    let err = || DateError {
        input: input.to_string(),
    };
    let s = input.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<i64>().map_err(|_| err());
    }
    let s = s.strip_suffix('Z').unwrap_or(s);
    let (date, time) = match s.find(['T', ' ']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mut parts = date.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(err());
    };
    let year: i64 = num(y, 4).ok_or_else(err)?;
    let month = num(m, 2).ok_or_else(err)? as u32;
    let day = num(d, 2).ok_or_else(err)? as u32;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return Err(err());
    }
    let mut ms = days_from_civil(year, month, day) * DAY_MS;
    if let Some(time) = time {
        let fields: Vec<&str> = time.split(':').collect();
        if !(2..=3).contains(&fields.len()) {
            return Err(err());
        }
        let h = num(fields[0], 2).ok_or_else(err)?;
        let mi = num(fields[1], 2).ok_or_else(err)?;
        let sec = fields
            .get(2)
            .map_or(Some(0), |f| num(f, 2))
            .ok_or_else(err)?;
        if h > 23 || mi > 59 || sec > 59 {
            return Err(err());
        }
        ms += h * HOUR_MS + mi * MINUTE_MS + sec * SECOND_MS;
    }
    Ok(ms)
}

fn num(s: &str, width: usize) -> Option<i64> {
    (s.len() == width && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip_over_four_centuries() {
        for days in (-200_000..200_000).step_by(17) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn parses_dates_and_times() {
        assert_eq!(parse_datetime("2017-08-17"), Ok(1_502_928_000_000));
        assert_eq!(parse_datetime("2017-08-17T04:00"), Ok(1_502_942_400_000));
        assert_eq!(
            parse_datetime("2017-08-17 04:00:00Z"),
            Ok(1_502_942_400_000)
        );
        assert_eq!(parse_datetime("1502942400000"), Ok(1_502_942_400_000));
        assert_eq!(parse_datetime("2024-02-29"), Ok(1_709_164_800_000));
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "24-01-01",
            "2024-01-01T25:00",
            "yesterday",
            "",
        ] {
            assert!(parse_datetime(bad).is_err(), "{bad} should not parse");
        }
    }

    #[test]
    fn formats_for_people() {
        assert_eq!(Utc(1_502_942_400_000).to_string(), "2017-08-17 04:00");
        assert_eq!(Utc(1_502_942_401_000).to_string(), "2017-08-17 04:00:01");
        assert_eq!(
            Utc(1_502_942_400_500).to_string(),
            "2017-08-17 04:00:00.500"
        );
    }

    #[test]
    fn month_arithmetic() {
        let mar15 = parse_datetime("2024-03-15T10:00").unwrap();
        assert_eq!(month_start(mar15), parse_datetime("2024-03-01").unwrap());
        let jan = parse_datetime("2024-01-01").unwrap();
        assert_eq!(add_months(jan, 1), parse_datetime("2024-02-01").unwrap());
        assert_eq!(add_months(jan, 13), parse_datetime("2025-02-01").unwrap());
        assert_eq!(add_months(jan, -1), parse_datetime("2023-12-01").unwrap());
    }
}
