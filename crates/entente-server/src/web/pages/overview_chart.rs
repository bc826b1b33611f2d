//! The overview's chart: intelligence received and released per day over the last
//! [`DAYS`] days, counted from the ledger's `receive` and `release` entries by an
//! indexed query and drawn on the server as SVG bars (no script; colours from classes
//! in `ledger.css`, since the Content-Security-Policy allows no inline style).

use crate::error::ApiError;
use entente_core::Timestamp;
use entente_store::Store;

/// Days shown, today included.
pub(crate) const DAYS: i64 = 14;
const MICROS_PER_DAY: i64 = 86_400_000_000;
/// Drawing area, in SVG units.
const WIDTH: i64 = 700;
const HEIGHT: i64 = 160;
const LEFT: i64 = 10;
const BAR: i64 = 16;

/// One bar.
#[derive(Debug)]
pub(crate) struct Bar {
    pub(crate) x: i64,
    pub(crate) y: i64,
    pub(crate) height: i64,
    /// `receive` or `release`.
    pub(crate) kind: &'static str,
    pub(crate) count: u64,
    pub(crate) date: String,
}

/// A day's label under its bars.
#[derive(Debug)]
pub(crate) struct Label {
    pub(crate) x: i64,
    pub(crate) text: String,
}

#[derive(Debug)]
pub(crate) struct Chart {
    pub(crate) bars: Vec<Bar>,
    pub(crate) labels: Vec<Label>,
    pub(crate) received: u64,
    pub(crate) released: u64,
    pub(crate) width: i64,
    pub(crate) height: i64,
    /// Where the bars stand.
    pub(crate) base: i64,
}

/// The chart of the [`DAYS`] days up to `now` (UTC days).
pub(crate) fn chart(store: &Store, now: Timestamp) -> Result<Chart, ApiError> {
    let today = now.unix_micros().div_euclid(MICROS_PER_DAY);
    let first = today - (DAYS - 1);
    let counts = store.ledger_daily(&["receive", "release"], first * MICROS_PER_DAY)?;
    let count = |day: i64, kind: &str| {
        counts.iter().find(|count| count.day == day && count.kind == kind).map_or(0, |count| count.count)
    };
    let highest = counts.iter().map(|count| count.count).max().unwrap_or(0).max(1);
    let step = (WIDTH - LEFT) / DAYS;
    let mut chart = Chart {
        bars: Vec::new(),
        labels: Vec::new(),
        received: 0,
        released: 0,
        width: WIDTH,
        height: HEIGHT + 20,
        base: HEIGHT,
    };
    for (index, day) in (first..=today).enumerate() {
        let x = LEFT + index as i64 * step;
        let date = date_of(day);
        for (offset, kind) in [(0, "receive"), (BAR + 2, "release")] {
            let value = count(day, kind);
            let height = (value as i64 * (HEIGHT - 12)).div_euclid(highest as i64).max(i64::from(value > 0));
            chart.bars.push(Bar { x: x + offset, y: HEIGHT - height, height, kind, count: value, date: date.clone() });
            match kind {
                "receive" => chart.received += value,
                _ => chart.released += value,
            }
        }
        chart.labels.push(Label { x: x + BAR, text: date[5..].to_owned() });
    }
    Ok(chart)
}

/// `YYYY-MM-DD` of a day counted from 1970-01-01.
fn date_of(day: i64) -> String {
    let text = Timestamp::from_unix_micros(day * MICROS_PER_DAY).to_string();
    text.get(..10).unwrap_or(&text).to_owned()
}
