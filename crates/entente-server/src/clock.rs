//! The wall clock, read in one place. The core never reads a clock; the server passes
//! `now` into it from here.

use entente_core::Timestamp;

/// Microseconds since the Unix epoch.
pub(crate) fn now_micros() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1000) as i64
}

/// Now, as a timestamp with microsecond precision.
pub(crate) fn now() -> Timestamp {
    Timestamp::from_unix_micros(now_micros())
}
