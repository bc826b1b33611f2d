//! STIX and TAXII timestamps.
//!
//! A [`Timestamp`] is an instant in UTC with nanosecond resolution that remembers how
//! many fractional digits it was written with. STIX requires the exact form
//! `YYYY-MM-DDTHH:MM:SS[.s+]Z`; anything else (offsets, lower-case `z`, missing
//! seconds, leap seconds beyond `:60`) is refused with a reason.
//!
//! Ordering and equality use the instant only, so `…:00Z` and `…:00.000Z` are the same
//! version of an object. [`Timestamp::key`] is a fixed-width string whose byte order
//! is the time order; the store indexes it.

use std::fmt;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

/// An instant, as STIX and TAXII write it.
#[derive(Clone, Copy, Debug)]
pub struct Timestamp {
    unix_nanos: i128,
    /// Number of fractional-second digits in the source text (0 when absent).
    precision: u8,
}

/// Why a timestamp was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid timestamp {text:?}: {reason} (expected YYYY-MM-DDTHH:MM:SS[.fraction]Z in UTC)")]
pub struct TimestampError {
    pub text: String,
    pub reason: &'static str,
}

impl PartialEq for Timestamp {
    fn eq(&self, other: &Self) -> bool {
        self.unix_nanos == other.unix_nanos
    }
}
impl Eq for Timestamp {}
impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.unix_nanos.cmp(&other.unix_nanos)
    }
}
impl std::hash::Hash for Timestamp {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.unix_nanos.hash(state);
    }
}

fn digits(bytes: &[u8], text: &str, reason: &'static str) -> Result<u32, TimestampError> {
    let mut value = 0u32;
    for &byte in bytes {
        if !byte.is_ascii_digit() {
            return Err(TimestampError { text: text.to_owned(), reason });
        }
        value = value * 10 + u32::from(byte - b'0');
    }
    Ok(value)
}

impl Timestamp {
    /// Parses the strict STIX form.
    pub fn parse(text: &str) -> Result<Timestamp, TimestampError> {
        let error = |reason| TimestampError { text: text.to_owned(), reason };
        let bytes = text.as_bytes();
        if bytes.len() < 20 {
            return Err(error("too short"));
        }
        if bytes[4] != b'-' || bytes[7] != b'-' || bytes[10] != b'T' || bytes[13] != b':' || bytes[16] != b':' {
            return Err(error("separators are not in place"));
        }
        if *bytes.last().unwrap_or(&0) != b'Z' {
            return Err(error("must end with 'Z' (UTC)"));
        }
        let year = digits(&bytes[0..4], text, "year is not four digits")?;
        let month = digits(&bytes[5..7], text, "month is not two digits")?;
        let day = digits(&bytes[8..10], text, "day is not two digits")?;
        let hour = digits(&bytes[11..13], text, "hour is not two digits")?;
        let minute = digits(&bytes[14..16], text, "minute is not two digits")?;
        let second = digits(&bytes[17..19], text, "second is not two digits")?;
        let rest = &bytes[19..bytes.len() - 1];
        let (nanos, precision) = match rest {
            [] => (0, 0),
            [b'.', fraction @ ..] if !fraction.is_empty() => {
                if fraction.len() > 9 {
                    return Err(error("more than nine fractional digits"));
                }
                let value = digits(fraction, text, "fraction is not digits")?;
                (value * 10u32.pow(9 - fraction.len() as u32), fraction.len() as u8)
            }
            _ => return Err(error("unexpected text after seconds")),
        };
        let month = Month::try_from(month as u8).map_err(|_| error("month out of range"))?;
        let date = Date::from_calendar_date(year as i32, month, day as u8).map_err(|_| error("no such date"))?;
        // RFC 3339 allows a leap second; it is folded into the next second.
        let (second, carry) = if second == 60 { (59, 1_000_000_000i128) } else { (second, 0) };
        let clock =
            Time::from_hms(hour as u8, minute as u8, second as u8).map_err(|_| error("time of day out of range"))?;
        let instant = PrimitiveDateTime::new(date, clock).assume_utc();
        let unix_nanos = instant.unix_timestamp_nanos() + i128::from(nanos) + carry;
        Ok(Timestamp { unix_nanos, precision })
    }

    /// Builds a timestamp from nanoseconds since the Unix epoch, written with `precision` digits.
    pub fn from_unix_nanos(unix_nanos: i128, precision: u8) -> Timestamp {
        Timestamp { unix_nanos, precision: precision.min(9) }
    }

    /// Builds a timestamp with microsecond precision, the resolution of TAXII `date_added`.
    pub fn from_unix_micros(micros: i64) -> Timestamp {
        Timestamp { unix_nanos: i128::from(micros) * 1000, precision: 6 }
    }

    pub fn unix_nanos(self) -> i128 {
        self.unix_nanos
    }

    /// Microseconds since the epoch, rounded down.
    pub fn unix_micros(self) -> i64 {
        self.unix_nanos.div_euclid(1000) as i64
    }

    /// Number of fractional digits the source text had.
    pub fn precision(self) -> u8 {
        self.precision
    }

    /// A fixed-width, nanosecond-precision rendering whose byte order is time order.
    pub fn key(self) -> String {
        self.render(9)
    }

    fn render(self, precision: u8) -> String {
        let seconds = self.unix_nanos.div_euclid(1_000_000_000);
        let nanos = self.unix_nanos.rem_euclid(1_000_000_000) as u32;
        let moment = OffsetDateTime::from_unix_timestamp(seconds as i64).unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let mut out = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            moment.year(),
            u8::from(moment.month()),
            moment.day(),
            moment.hour(),
            moment.minute(),
            moment.second()
        );
        if precision > 0 {
            let fraction = format!("{nanos:09}");
            out.push('.');
            out.push_str(&fraction[..usize::from(precision)]);
        }
        out.push('Z');
        out
    }
}

impl fmt::Display for Timestamp {
    /// Writes the timestamp with the precision it was given (at least milliseconds).
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.render(self.precision.max(3)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_orders() {
        let a = Timestamp::parse("2016-04-06T20:03:48Z").unwrap();
        let b = Timestamp::parse("2016-04-06T20:03:48.000Z").unwrap();
        let c = Timestamp::parse("2016-04-06T20:03:48.123456789Z").unwrap();
        assert_eq!(a, b);
        assert!(c > b);
        assert_eq!(b.precision(), 3);
        assert_eq!(c.key(), "2016-04-06T20:03:48.123456789Z");
        assert_eq!(b.to_string(), "2016-04-06T20:03:48.000Z");
        assert!(a.key() < c.key());
    }

    #[test]
    fn refuses_non_stix_forms() {
        for text in [
            "2016-04-06T20:03:48+00:00",
            "2016-04-06 20:03:48Z",
            "2016-04-06T20:03Z",
            "2016-02-30T20:03:48Z",
            "2016-04-06T24:03:48Z",
            "2016-04-06T20:03:48.Z",
            "2016-04-06T20:03:48.1234567890Z",
            "2016-04-06t20:03:48z",
            "",
            "2016-04-06T20:03:48",
        ] {
            assert!(Timestamp::parse(text).is_err(), "{text} should be refused");
        }
    }

    #[test]
    fn micros_round_trip() {
        let t = Timestamp::from_unix_micros(1_700_000_000_123_456);
        assert_eq!(t.to_string(), "2023-11-14T22:13:20.123456Z");
        assert_eq!(Timestamp::parse(&t.to_string()).unwrap(), t);
        assert_eq!(t.unix_micros(), 1_700_000_000_123_456);
    }
}
