//! Indicator scores that decay with time, after MISP's polynomial decay model.
//!
//! `score(t) = base × (1 − (t / lifetime)^(1 / decay_speed))`, clamped to [0, base],
//! where `t` is the time since the indicator was last known to be live: its
//! `valid_from`, moved forward to the latest sighting (a sighting resets the decay
//! clock, as MISP does). The base is the indicator's `confidence` when it has one, the
//! model's `base_score` otherwise. Past its `valid_until` an indicator is expired and
//! scores 0. Below the model's `threshold` an indicator is *decayed*: exports and
//! matching may leave it out.
//!
//! Invariants: scores are computed with `now` passed in, never stored, so they are
//! never stale; a score lies in [0, 100]; without new sightings it never rises as `now`
//! advances; a sighting never lowers it.

mod model;

pub use model::{DecayModel, ModelError, ScoreModel};

use crate::Timestamp;
use serde::Serialize;
use serde_json::Value;

const MICROS_PER_DAY: f64 = 86_400_000_000.0;

/// What scoring needs to know of an indicator, read from its JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorFacts {
    pub valid_from: Option<Timestamp>,
    pub valid_until: Option<Timestamp>,
    /// STIX `confidence`, 0–100.
    pub confidence: Option<u8>,
    pub labels: Vec<String>,
    /// The object types the pattern tests (`ipv4-addr`, `file`…), for per-type models.
    pub pattern_types: Vec<String>,
}

impl IndicatorFacts {
    /// Reads the facts of an indicator; `None` for any other object.
    pub fn of(object: &Value) -> Option<IndicatorFacts> {
        if object.get("type")?.as_str()? != "indicator" {
            return None;
        }
        let time = |key: &str| object.get(key).and_then(Value::as_str).and_then(|text| Timestamp::parse(text).ok());
        let mut pattern_types: Vec<String> = object
            .get("pattern")
            .and_then(Value::as_str)
            .map(crate::reference::pattern_values)
            .unwrap_or_default()
            .iter()
            .map(|value| value.object_type().to_owned())
            .collect();
        pattern_types.dedup();
        Some(IndicatorFacts {
            valid_from: time("valid_from").or_else(|| time("created")),
            valid_until: time("valid_until"),
            confidence: object.get("confidence").and_then(Value::as_u64).and_then(|c| u8::try_from(c.min(100)).ok()),
            labels: object
                .get("labels")
                .and_then(Value::as_array)
                .map(|labels| labels.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                .unwrap_or_default(),
            pattern_types,
        })
    }
}

/// An indicator's score at a moment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    /// 0–100, rounded to two decimals.
    pub score: f64,
    pub base: f64,
    /// Under the model's threshold (or expired).
    pub decayed: bool,
    /// Past `valid_until`.
    pub expired: bool,
    /// Where the decay clock starts: `valid_from`, or the latest sighting after it.
    pub since: Option<String>,
    pub sightings: usize,
    /// Which model applied: `default`, `type:ipv4-addr`, `label:…`.
    pub model: String,
    pub lifetime_days: f64,
    pub decay_speed: f64,
    pub threshold: f64,
}

/// Scores an indicator at `now` given the times it was sighted.
pub fn score(model: &ScoreModel, facts: &IndicatorFacts, sightings: &[Timestamp], now: Timestamp) -> Score {
    let (name, decay) = model.for_indicator(facts);
    let base = facts.confidence.map_or(decay.base_score, f64::from).clamp(0.0, 100.0);
    let latest_sighting = sightings.iter().copied().filter(|seen| *seen <= now).max();
    let since = match (facts.valid_from, latest_sighting) {
        (Some(from), Some(seen)) => Some(from.max(seen)),
        (from, seen) => from.or(seen),
    };
    let expired = facts.valid_until.is_some_and(|until| until <= now);
    let value = if expired {
        0.0
    } else {
        let elapsed_days =
            since.map_or(0.0, |since| (now.unix_micros() - since.unix_micros()).max(0) as f64 / MICROS_PER_DAY);
        decay.at(base, elapsed_days)
    };
    let value = (value * 100.0).round() / 100.0;
    Score {
        score: value,
        base,
        decayed: expired || value < decay.threshold,
        expired,
        since: since.map(|since| since.to_string()),
        sightings: sightings.len(),
        model: name,
        lifetime_days: decay.lifetime_days,
        decay_speed: decay.decay_speed,
        threshold: decay.threshold,
    }
}

#[cfg(test)]
mod tests;
