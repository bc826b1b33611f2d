//! A record's time as seconds since the epoch, from the two ways logs write it: an
//! epoch number (Zeek TSV, Zeek JSON by default) or an RFC 3339 date-time (Zeek JSON
//! with ISO timestamps, Suricata, most CSV exports).
//!
//! Hand-written (digits and a days-from-civil computation) because the crate stays
//! free of dependencies for something this small. Leniencies, each seen in real
//! logs: the offset may be `+hhmm` (Suricata) as well as `+hh:mm`; a space may stand
//! for the `T`; a date-time without an offset is read as UTC. Epoch numbers are read
//! as seconds; milliseconds are not guessed.

/// The time `value` names, in seconds since the epoch; `None` if it is neither an
/// epoch number nor a date-time.
pub(crate) fn seconds(value: &[u8]) -> Option<f64> {
    let value = value.trim_ascii();
    epoch(value).or_else(|| rfc3339(value))
}

/// A plain decimal number (`1521911720.865716`, optionally negative).
fn epoch(value: &[u8]) -> Option<f64> {
    let digits = value.strip_prefix(b"-").unwrap_or(value);
    let (whole, fraction) = match digits.iter().position(|b| *b == b'.') {
        Some(dot) => (&digits[..dot], &digits[dot + 1..]),
        None => (digits, &digits[..0]),
    };
    let plain = !whole.is_empty() && whole.iter().chain(fraction).all(u8::is_ascii_digit);
    if !plain {
        return None;
    }
    std::str::from_utf8(value).ok()?.parse().ok()
}

/// `YYYY-MM-DDTHH:MM:SS[.frac][Z|±HH:MM|±HHMM]`.
fn rfc3339(value: &[u8]) -> Option<f64> {
    let mut cursor = Cursor { bytes: value, at: 0 };
    let year = cursor.number(4)?;
    cursor.expect(b"-")?;
    let month = cursor.number(2)?;
    cursor.expect(b"-")?;
    let day = cursor.number(2)?;
    cursor.expect(b"Tt ")?;
    let hour = cursor.number(2)?;
    cursor.expect(b":")?;
    let minute = cursor.number(2)?;
    cursor.expect(b":")?;
    let second = cursor.number(2)?;
    let valid = (1..=12).contains(&month)
        && (1..=days_in_month(year, month)).contains(&day)
        && hour <= 23
        && minute <= 59
        && second <= 60;
    if !valid {
        return None;
    }
    let fraction = cursor.fraction()?;
    let offset = cursor.offset()?;
    if cursor.at != value.len() {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let whole = days * 86_400 + hour * 3_600 + minute * 60 + second - offset;
    // Whole seconds are exact in an f64; the fraction is added last so microseconds
    // survive for present-day times.
    Some(whole as f64 + fraction)
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    /// Exactly `width` decimal digits.
    fn number(&mut self, width: usize) -> Option<i64> {
        let digits = self.bytes.get(self.at..self.at + width)?;
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.at += width;
        Some(digits.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
    }

    /// One byte among `allowed`.
    fn expect(&mut self, allowed: &[u8]) -> Option<()> {
        let byte = self.bytes.get(self.at)?;
        allowed.contains(byte).then(|| self.at += 1)
    }

    /// `.digits` if present (at least one digit), as a fraction of a second.
    fn fraction(&mut self) -> Option<f64> {
        if self.bytes.get(self.at) != Some(&b'.') {
            return Some(0.0);
        }
        self.at += 1;
        let digits = self.bytes[self.at..].iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        // Nine digits (nanoseconds) are more than an f64 keeps at present-day epochs.
        let kept = &self.bytes[self.at..self.at + digits.min(9)];
        let numerator = kept.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
        self.at += digits;
        Some(numerator as f64 / 10f64.powi(kept.len() as i32))
    }

    /// The offset from UTC in seconds: `Z`, `±HH:MM`, `±HHMM`, or nothing (UTC).
    fn offset(&mut self) -> Option<i64> {
        let sign = match self.bytes.get(self.at) {
            None => return Some(0),
            Some(b'Z' | b'z') => {
                self.at += 1;
                return Some(0);
            }
            Some(b'+') => 1,
            Some(b'-') => -1,
            Some(_) => return None,
        };
        self.at += 1;
        let hours = self.number(2)?;
        if self.bytes.get(self.at) == Some(&b':') {
            self.at += 1;
        }
        let minutes = self.number(2)?;
        (hours <= 23 && minutes <= 59).then_some(sign * (hours * 3_600 + minutes * 60))
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected values computed independently (Python's `datetime.fromisoformat`).
    #[test]
    fn known_date_times() {
        for (text, want) in [
            ("1970-01-01T00:00:00Z", 0.0),
            ("2018-03-24T17:15:20.865716Z", 1_521_911_720.865_716),
            ("2018-03-24T17:15:20.865716+0000", 1_521_911_720.865_716),
            ("2018-03-24T18:15:20+01:00", 1_521_911_720.0),
            ("2018-03-24T18:15:20+0100", 1_521_911_720.0),
            ("2000-02-29T23:59:59Z", 951_868_799.0),
            ("1969-12-31T23:59:59Z", -1.0),
            ("1900-03-01T00:00:00Z", -2_203_891_200.0),
            ("2024-12-31T12:00:00-05:30", 1_735_666_200.0),
            ("2018-03-24 17:15:20", 1_521_911_720.0),
        ] {
            let got = seconds(text.as_bytes()).unwrap_or(f64::NAN);
            assert!((got - want).abs() < 1e-6, "{text}: {got} != {want}");
        }
    }

    #[test]
    fn epoch_numbers() {
        assert_eq!(seconds(b"1521911720.865716"), Some(1_521_911_720.865_716));
        assert_eq!(seconds(b" 0 "), Some(0.0));
        assert_eq!(seconds(b"-1.5"), Some(-1.5));
        for bad in ["", "-", ".5", "1e9", "inf", "NaN", "1.2.3", "12a"] {
            assert_eq!(seconds(bad.as_bytes()), None, "{bad}");
        }
    }

    #[test]
    fn invalid_date_times() {
        for bad in [
            "2019-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2018-13-01T00:00:00Z",
            "2018-00-01T00:00:00Z",
            "2018-04-31T00:00:00Z",
            "2018-03-24T24:00:00Z",
            "2018-03-24T17:60:00Z",
            "2018-03-24T17:15:20.Z",
            "2018-03-24T17:15:20+2400",
            "2018-03-24T17:15:20+01",
            "2018-03-24T17:15:20Zjunk",
            "2018-03-24",
            "2018-3-24T17:15:20Z",
            "２０18-03-24T17:15:20Z",
        ] {
            assert_eq!(seconds(bad.as_bytes()), None, "{bad}");
        }
        assert!(seconds(b"2000-02-29T00:00:00Z").is_some(), "2000 is a leap year");
    }

    #[test]
    fn days_from_civil_matches_counting_days() {
        let mut days = 0;
        for year in 1970..2100 {
            for month in 1..=12 {
                assert_eq!(days_from_civil(year, month, 1), days, "{year}-{month}");
                days += days_in_month(year, month);
            }
        }
    }
}
