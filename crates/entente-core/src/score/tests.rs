use super::*;
use proptest::prelude::*;
use serde_json::json;

const DAY: i64 = 86_400_000_000;

fn at(days: i64) -> Timestamp {
    Timestamp::from_unix_micros(1_700_000_000_000_000 + days * DAY)
}

fn facts(confidence: Option<u8>, until: Option<i64>) -> IndicatorFacts {
    IndicatorFacts {
        valid_from: Some(at(0)),
        valid_until: until.map(at),
        confidence,
        labels: Vec::new(),
        pattern_types: vec!["ipv4-addr".to_owned()],
    }
}

#[test]
fn misp_polynomial_decay_reference_values() {
    let linear = DecayModel { lifetime_days: 10.0, decay_speed: 1.0, threshold: 30.0, base_score: 100.0 };
    assert_eq!(linear.at(100.0, 0.0), 100.0);
    assert!((linear.at(100.0, 5.0) - 50.0).abs() < 1e-9);
    assert_eq!(linear.at(100.0, 10.0), 0.0);
    let quadratic = DecayModel { decay_speed: 2.0, ..linear };
    // 1 - (0.25)^(1/2) = 0.5
    assert!((quadratic.at(80.0, 2.5) - 40.0).abs() < 1e-9);
}

#[test]
fn expired_indicators_score_zero_and_are_decayed() {
    let model = ScoreModel::default();
    let score = score(&model, &facts(Some(90), Some(3)), &[], at(3));
    assert!(score.expired && score.decayed);
    assert_eq!(score.score, 0.0);
    let live = super::score(&model, &facts(Some(90), Some(3)), &[], at(1));
    assert!(!live.expired);
    assert_eq!(live.base, 90.0);
}

#[test]
fn a_sighting_resets_the_clock_and_lifts_a_decayed_indicator() {
    let model = ScoreModel::default();
    let old = score(&model, &facts(None, None), &[], at(29));
    assert!(old.decayed, "{old:?}");
    let seen = score(&model, &facts(None, None), &[at(28)], at(29));
    assert!(!seen.decayed && seen.score > old.score, "{seen:?}");
    assert_eq!(seen.sightings, 1);
}

#[test]
fn label_models_win_over_type_models() {
    let model = ScoreModel::parse(
        r#"{"by_type": {"ipv4-addr": {"lifetime_days": 1, "decay_speed": 1, "threshold": 10, "base_score": 50}},
            "by_label": {"apt": {"lifetime_days": 365, "decay_speed": 1, "threshold": 10, "base_score": 50}}}"#,
    )
    .expect("valid");
    let mut indicator = facts(None, None);
    assert_eq!(model.for_indicator(&indicator).0, "type:ipv4-addr");
    indicator.labels.push("apt".to_owned());
    assert_eq!(model.for_indicator(&indicator).0, "label:apt");
    assert!(
        ScoreModel::parse(r#"{"default": {"lifetime_days": 0, "decay_speed": 1, "threshold": 1, "base_score": 1}}"#)
            .is_err()
    );
    assert!(ScoreModel::parse(r#"{"defaults": {}}"#).is_err());
}

#[test]
fn facts_are_read_from_an_indicator() {
    let indicator = json!({"type": "indicator", "created": "2026-01-01T00:00:00Z",
        "valid_from": "2026-01-02T00:00:00Z", "valid_until": "2026-02-01T00:00:00Z", "confidence": 70,
        "labels": ["x"], "pattern": "[domain-name:value = 'a.example']"});
    let facts = IndicatorFacts::of(&indicator).expect("an indicator");
    assert_eq!(facts.confidence, Some(70));
    assert_eq!(facts.pattern_types, vec!["domain-name".to_owned()]);
    assert_eq!(facts.valid_until.map(|t| t.to_string()).as_deref(), Some("2026-02-01T00:00:00.000Z"));
    assert!(IndicatorFacts::of(&json!({"type": "malware"})).is_none());
}

fn any_model() -> impl Strategy<Value = DecayModel> {
    (0.5f64..400.0, 0.05f64..5.0, 0.0f64..100.0, 0.0f64..100.0).prop_map(
        |(lifetime_days, decay_speed, threshold, base_score)| DecayModel {
            lifetime_days,
            decay_speed,
            threshold,
            base_score,
        },
    )
}

proptest! {
    #[test]
    fn without_sightings_the_score_never_rises_and_stays_in_range(decay in any_model(), confidence in proptest::option::of(0u8..=100),
                                                                   early in 0i64..500, later in 0i64..500) {
        let model = ScoreModel { default: decay, ..ScoreModel::default() };
        let facts = IndicatorFacts { pattern_types: Vec::new(), ..facts(confidence, None) };
        let (first, second) = (early.min(later), early.max(later));
        let before = score(&model, &facts, &[], at(first));
        let after = score(&model, &facts, &[], at(second));
        prop_assert!((0.0..=100.0).contains(&before.score) && (0.0..=100.0).contains(&after.score));
        prop_assert!(after.score <= before.score);
    }

    #[test]
    fn a_sighting_never_lowers_the_score(decay in any_model(), sighted in -50i64..500, now in 0i64..500) {
        let model = ScoreModel { default: decay, ..ScoreModel::default() };
        let facts = IndicatorFacts { pattern_types: Vec::new(), ..facts(None, None) };
        let without = score(&model, &facts, &[], at(now));
        let with = score(&model, &facts, &[at(sighted)], at(now));
        prop_assert!(with.score >= without.score);
    }
}
