//! The opaque `next` cursor of TAXII pagination.
//!
//! A cursor names the position after the last item a page returned: the item's
//! `date_added` in microseconds and its row sequence number. Because the store gives
//! every object version a distinct, ever-increasing `date_added`, that position is
//! meaningful to any server process sharing the database, after a restart or behind
//! a load balancer; nothing is kept in memory between pages.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// A position in a collection's `date_added` order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub date_added_micros: i64,
    pub sequence: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the `next` value is not one this server issued")]
pub struct CursorError;

const PREFIX: &str = "e1.";

impl Cursor {
    pub fn encode(self) -> String {
        let text = format!("{}.{}", self.date_added_micros, self.sequence);
        format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(text))
    }

    pub fn decode(text: &str) -> Result<Cursor, CursorError> {
        let body = text.strip_prefix(PREFIX).ok_or(CursorError)?;
        let bytes = URL_SAFE_NO_PAD.decode(body).map_err(|_| CursorError)?;
        let text = String::from_utf8(bytes).map_err(|_| CursorError)?;
        let (micros, sequence) = text.split_once('.').ok_or(CursorError)?;
        Ok(Cursor {
            date_added_micros: micros.parse().map_err(|_| CursorError)?,
            sequence: sequence.parse().map_err(|_| CursorError)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn round_trips(micros in any::<i64>(), sequence in any::<i64>()) {
            let cursor = Cursor { date_added_micros: micros, sequence };
            prop_assert_eq!(Cursor::decode(&cursor.encode()), Ok(cursor));
        }

        #[test]
        fn garbage_is_refused_not_panicking(text in ".*") {
            let _ = Cursor::decode(&text);
        }
    }

    #[test]
    fn refuses_foreign_cursors() {
        assert_eq!(Cursor::decode("10"), Err(CursorError));
        assert_eq!(Cursor::decode("e1.!!"), Err(CursorError));
    }
}
