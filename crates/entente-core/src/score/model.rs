//! The decay model: parameters per indicator type or label, as a JSON document that
//! `entente score model show|set` reads and writes.
//!
//! ```json
//! {"default": {"lifetime_days": 30, "decay_speed": 0.3, "threshold": 30, "base_score": 80},
//!  "by_label": {"malicious-activity": {"lifetime_days": 90, "decay_speed": 1, "threshold": 20, "base_score": 80}},
//!  "by_type": {"ipv4-addr": {"lifetime_days": 14, "decay_speed": 0.5, "threshold": 30, "base_score": 80}}}
//! ```
//!
//! A label model wins over a type model, which wins over the default: labels are the
//! analyst's judgement, types a general rule. Among several, the first in name order.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::IndicatorFacts;

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("not a score model: {0}")]
    Format(#[from] serde_json::Error),
    #[error("{model}: {problem}")]
    Invalid { model: String, problem: &'static str },
}

/// MISP's polynomial decay parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecayModel {
    /// Days after which the score reaches 0 (MISP's τ).
    pub lifetime_days: f64,
    /// The polynomial's degree (MISP's δ): under 1 drops fast then slowly, over 1 the
    /// opposite, 1 is linear.
    pub decay_speed: f64,
    /// Scores under this are decayed.
    pub threshold: f64,
    /// The base score of an indicator without a `confidence`.
    pub base_score: f64,
}

impl DecayModel {
    /// MISP's default model values: a month's lifetime, fast early decay.
    pub const DEFAULT: DecayModel =
        DecayModel { lifetime_days: 30.0, decay_speed: 0.3, threshold: 30.0, base_score: 80.0 };

    /// The score `elapsed_days` after the clock started, from `base`.
    pub fn at(&self, base: f64, elapsed_days: f64) -> f64 {
        if elapsed_days >= self.lifetime_days {
            return 0.0;
        }
        let ratio = (elapsed_days.max(0.0) / self.lifetime_days).powf(1.0 / self.decay_speed);
        (base * (1.0 - ratio)).clamp(0.0, base)
    }

    fn check(&self, model: &str) -> Result<(), ModelError> {
        let problem = if !(self.lifetime_days.is_finite() && self.lifetime_days > 0.0) {
            "lifetime_days must be a positive number"
        } else if !(self.decay_speed.is_finite() && self.decay_speed > 0.0) {
            "decay_speed must be a positive number"
        } else if !(0.0..=100.0).contains(&self.threshold) {
            "threshold must be between 0 and 100"
        } else if !(0.0..=100.0).contains(&self.base_score) {
            "base_score must be between 0 and 100"
        } else {
            return Ok(());
        };
        Err(ModelError::Invalid { model: model.to_owned(), problem })
    }
}

impl Default for DecayModel {
    fn default() -> Self {
        DecayModel::DEFAULT
    }
}

/// The node's scoring configuration. Made by [`ScoreModel::parse`], which checks every
/// model, or [`ScoreModel::default`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreModel {
    #[serde(default)]
    pub default: DecayModel,
    #[serde(default)]
    pub by_label: BTreeMap<String, DecayModel>,
    #[serde(default)]
    pub by_type: BTreeMap<String, DecayModel>,
}

impl ScoreModel {
    pub fn parse(json: &str) -> Result<ScoreModel, ModelError> {
        let model: ScoreModel = serde_json::from_str(json)?;
        model.default.check("default")?;
        for (name, decay) in &model.by_label {
            decay.check(&format!("by_label.{name}"))?;
        }
        for (name, decay) in &model.by_type {
            decay.check(&format!("by_type.{name}"))?;
        }
        Ok(model)
    }

    /// The model that applies to an indicator, with its name.
    pub fn for_indicator(&self, facts: &IndicatorFacts) -> (String, DecayModel) {
        if let Some((label, decay)) = self.by_label.iter().find(|(label, _)| facts.labels.contains(label)) {
            return (format!("label:{label}"), *decay);
        }
        if let Some((kind, decay)) = self.by_type.iter().find(|(kind, _)| facts.pattern_types.contains(kind)) {
            return (format!("type:{kind}"), *decay);
        }
        ("default".to_owned(), self.default)
    }
}
