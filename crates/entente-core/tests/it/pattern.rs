//! Integration tests for the STIX pattern parser, data-driven and property-based.
//!
//! The spec examples come from the shared data directory; the invalid patterns are a
//! table of (pattern, position of the problem); the property tests check that no input
//! panics and that every well-formed tree survives printing and parsing unchanged.

use entente_core::Timestamp;
use entente_core::pattern::{
    Comparison, ComparisonExpression, Constant, ObjectPath, ObservationExpression, Operator, PathStep, Pattern,
    Qualifier, parse,
};
use proptest::prelude::*;
use std::time::Duration;

fn spec_examples() -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/stix-examples/pattern-spec-examples-v21.txt");
    let text = std::fs::read_to_string(path).unwrap_or_else(|error| panic!("cannot read {path}: {error}"));
    text.lines().map(str::trim).filter(|line| !line.is_empty() && !line.starts_with('#')).map(str::to_owned).collect()
}

#[test]
fn every_spec_example_parses_and_prints_back() {
    let examples = spec_examples();
    assert!(examples.len() >= 20, "only {} examples found", examples.len());
    for example in examples {
        let pattern = parse(&example).unwrap_or_else(|error| panic!("{example}\n{error}"));
        assert!(!pattern.comparisons().is_empty());
        let printed = pattern.to_string();
        assert_eq!(parse(&printed).as_ref(), Ok(&pattern), "{example}\nprinted as {printed}");
    }
}

#[test]
fn spec_example_with_qualifiers_has_the_grammar_shape() {
    let text = "[network-traffic:dst_ref.type = 'domain-name' AND network-traffic:dst_ref.value = 'example.com'] \
                REPEATS 5 TIMES WITHIN 1800 SECONDS";
    let pattern = parse(text).expect("spec example");
    let ObservationExpression::Qualified { qualifiers, .. } = &pattern.root else { panic!("{pattern:?}") };
    assert_eq!(*qualifiers, vec![Qualifier::Repeats(5), Qualifier::Within(Duration::from_secs(1800))]);
    let paths: Vec<String> = pattern.comparisons().iter().map(|comparison| comparison.path.to_string()).collect();
    assert_eq!(paths, ["network-traffic:dst_ref.type", "network-traffic:dst_ref.value"]);
}

#[test]
fn exists_is_a_test_of_its_own_not_a_comparison() {
    let pattern = parse(r"[EXISTS windows-registry-key:values AND windows-registry-key:key = 'hklm\\run']")
        .expect("EXISTS is in the grammar");
    let ObservationExpression::Observation(ComparisonExpression::And(operands)) = &pattern.root else {
        panic!("{pattern:?}")
    };
    assert!(matches!(operands.as_slice(), [ComparisonExpression::Exists(_), ComparisonExpression::Comparison(_)]));
    let comparisons = pattern.comparisons();
    assert_eq!(comparisons.len(), 1);
    assert_eq!(comparisons[0].operator, Operator::Equal);
    assert_eq!(comparisons[0].path.to_string(), "windows-registry-key:key");
    let exists: Vec<String> = pattern.exists_paths().iter().map(|path| path.to_string()).collect();
    assert_eq!(exists, ["windows-registry-key:values"]);
    assert_eq!(parse(&pattern.to_string()), Ok(pattern));
}

/// Patterns that must be refused, with the character position of the problem.
const INVALID: &[(&str, usize)] = &[
    ("", 0),
    ("   ", 3),
    ("file:size = 1280", 0),
    ("[file:size = ]", 13),
    ("[file:hashes.MD5 = cead3f77f6cda6ec00f57d76c9a6879f]", 19),
    ("[file.size = 1280]", 5),
    ("[file:name MATCHES /.*\\.dll/]", 19),
    ("[win-registry-key:key = 'hklm\\\\foo'] WITHIN ]", 44),
    ("[win-registry-key:key = 'hklm\\\\foo'] WITHIN 5 HOURS]", 46),
    ("[win-registry-key:key = 'hklm\\\\foo'] WITHIN -5 SECONDS]", 44),
    ("[network-traffic:dst_ref.value ISSUBSET ]", 40),
    ("[file:hashes.MD5 =? 'cead3f77f6cda6ec00f57d76c9a6879f']", 18),
    ("[x-whatever:detected == t'2457-73-22T32:81:84.1Z']", 24),
    ("[artifact:payload_bin = b'====']", 24),
    ("[foo:bar=1] within 2 seconds", 12),
    ("[x-a:b = 1] WITHIN 5 SECONDS WITHIN 6 SECONDS", 29),
    ("[x-a:b = 1] REPEATS 2 TIMES REPEATS 3 TIMES", 28),
    ("[x-a:b = 1] START t'2016-06-01T01:30:00Z' STOP t'2016-06-01T01:30:00Z'", 47),
    ("[x-a:b = 1] START '2016-06-01T01:30:00Z' STOP t'2016-06-01T02:30:00Z'", 18),
    ("[x-a:b = 1] REPEATS 0 TIMES", 20),
    ("[x-a:b = 1] FOLLOWEDBY", 22),
    ("[x-a:b = 1] [x-a:b = 2]", 12),
    ("[x-a:b = 1 AND]", 14),
    ("[x-a:b = 1 OR OR x-a:b = 2]", 14),
    ("[x-a:b EQUALS 1]", 7),
    ("[x-a:b = 'open]", 9),
    ("[x-a:b = 'bad \\escape']", 14),
    ("[x-a:b = h'abc']", 9),
    ("[x-a:b = 01]", 9),
    ("[x-a:b IN 'a']", 10),
    ("[x-a:b LIKE 5]", 12),
    ("[x-a:b > false]", 9),
    ("[x-a:b-c = 1]", 5),
    ("[X-A:b = 1]", 1),
    ("[x-a:b[*] = 1", 13),
    ("([x-a:b = 1]", 12),
    ("[x-a:b = 1])", 11),
    ("[x-a:b = 1] /* unterminated", 12),
    ("[x-a:b = '☃'] ¿", 14),
    ("[NOT EXISTS x-a:b]", 1),
    ("[x-a:b EXISTS]", 7),
    ("[x-a:b NOT EXISTS]", 11),
    ("[EXISTS]", 7),
    ("[EXISTS x-a:b = 1]", 14),
    ("[EXISTS x-a:b IN (1)]", 14),
    ("[EXISTS (x-a:b)]", 8),
];

#[test]
fn invalid_patterns_are_refused_at_the_right_position() {
    for (text, position) in INVALID {
        match parse(text) {
            Ok(pattern) => panic!("{text:?} should be refused but parsed as {pattern}"),
            Err(error) => {
                assert_eq!(error.position, *position, "{text:?}: {error}");
                assert!(!error.reason.is_empty());
                assert!(error.to_string().starts_with("invalid STIX pattern at character"));
            }
        }
    }
}

fn object_type() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9-]{2,12}".prop_filter("keywords cannot be types", |name| name != "true" && name != "false")
}

fn object_path() -> impl Strategy<Value = ObjectPath> {
    let property = prop_oneof![
        3 => "[a-z_][a-z0-9_]{0,8}".prop_map(PathStep::Property),
        1 => any::<String>().prop_map(PathStep::Property),
        1 => Just(PathStep::Property("AND".to_owned())),
    ];
    let step = prop_oneof![
        3 => property.clone(),
        1 => any::<i64>().prop_map(PathStep::Index),
        1 => Just(PathStep::AnyIndex),
    ];
    (object_type(), property, proptest::collection::vec(step, 0..4)).prop_map(|(object_type, first, rest)| {
        let mut steps = vec![first];
        steps.extend(rest);
        ObjectPath { object_type, steps }
    })
}

fn timestamp() -> impl Strategy<Value = Timestamp> {
    // Up to the year 9999; precision 3 or 9 so that printing keeps every digit.
    (0i128..253_402_300_800, 0i128..1_000_000_000, any::<bool>()).prop_map(|(seconds, nanos, full)| {
        if full {
            Timestamp::from_unix_nanos(seconds * 1_000_000_000 + nanos, 9)
        } else {
            Timestamp::from_unix_nanos(seconds * 1_000_000_000 + nanos / 1_000_000 * 1_000_000, 3)
        }
    })
}

fn orderable() -> impl Strategy<Value = Constant> {
    let finite = proptest::num::f64::NORMAL | proptest::num::f64::SUBNORMAL | proptest::num::f64::ZERO;
    prop_oneof![
        any::<String>().prop_map(Constant::String),
        any::<i64>().prop_map(Constant::Integer),
        finite.prop_map(Constant::Float),
        timestamp().prop_map(Constant::Timestamp),
        proptest::collection::vec(any::<u8>(), 1..12).prop_map(Constant::Binary),
        proptest::collection::vec(any::<u8>(), 0..12).prop_map(Constant::Hex),
    ]
}

fn primitive() -> impl Strategy<Value = Constant> {
    prop_oneof![4 => orderable(), 1 => any::<bool>().prop_map(Constant::Boolean)]
}

/// An operator together with a constant of a kind it accepts.
fn operator_and_value() -> impl Strategy<Value = (Operator, Constant)> {
    let equality = prop_oneof![Just(Operator::Equal), Just(Operator::NotEqual)];
    let ordering = prop_oneof![
        Just(Operator::Greater),
        Just(Operator::Less),
        Just(Operator::GreaterOrEqual),
        Just(Operator::LessOrEqual),
    ];
    let textual = prop_oneof![
        Just(Operator::Like),
        Just(Operator::Matches),
        Just(Operator::IsSubset),
        Just(Operator::IsSuperset)
    ];
    prop_oneof![
        (equality, primitive()),
        (ordering, orderable()),
        (Just(Operator::In), proptest::collection::vec(primitive(), 0..4).prop_map(Constant::Set)),
        (textual, any::<String>().prop_map(Constant::String)),
    ]
}

fn comparison_expression() -> impl Strategy<Value = ComparisonExpression> {
    let comparison =
        (object_path(), any::<bool>(), operator_and_value()).prop_map(|(path, negated, (operator, value))| {
            ComparisonExpression::Comparison(Comparison { path, negated, operator, value })
        });
    let leaf = prop_oneof![4 => comparison, 1 => object_path().prop_map(ComparisonExpression::Exists)];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 2..4).prop_map(ComparisonExpression::And),
            proptest::collection::vec(inner, 2..4).prop_map(ComparisonExpression::Or),
        ]
    })
}

fn qualifiers() -> impl Strategy<Value = Vec<Qualifier>> {
    let within = (any::<u64>(), 0u32..1_000_000_000)
        .prop_filter("positive", |(seconds, nanos)| *seconds > 0 || *nanos > 0)
        .prop_map(|(seconds, nanos)| Qualifier::Within(Duration::new(seconds, nanos)));
    let repeats = (1..=u64::MAX).prop_map(Qualifier::Repeats);
    let start_stop = (timestamp(), timestamp())
        .prop_filter("start before stop", |(start, stop)| start < stop)
        .prop_map(|(start, stop)| Qualifier::StartStop { start, stop });
    let qualifier = prop_oneof![within, repeats, start_stop];
    proptest::collection::vec(qualifier, 1..4).prop_map(|mut qualifiers| {
        // One expression carries at most one qualifier of each kind.
        let mut seen = Vec::new();
        qualifiers.retain(|qualifier| {
            let fresh = !seen.contains(&qualifier.keyword());
            seen.push(qualifier.keyword());
            fresh
        });
        qualifiers
    })
}

fn observation_expression() -> impl Strategy<Value = ObservationExpression> {
    let leaf = comparison_expression().prop_map(ObservationExpression::Observation);
    leaf.prop_recursive(3, 10, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 2..4).prop_map(ObservationExpression::And),
            proptest::collection::vec(inner.clone(), 2..4).prop_map(ObservationExpression::Or),
            proptest::collection::vec(inner.clone(), 2..4).prop_map(ObservationExpression::FollowedBy),
            (inner, qualifiers()).prop_map(|(expression, qualifiers)| {
                ObservationExpression::Qualified { expression: Box::new(expression), qualifiers }
            }),
        ]
    })
}

/// Text made of pattern fragments, to reach deeper into the parser than random text.
fn token_soup() -> impl Strategy<Value = String> {
    let fragment = proptest::sample::select(vec![
        "[",
        "]",
        "(",
        ")",
        "file",
        ":",
        "name",
        ".",
        "'x'",
        "'",
        "=",
        "!=",
        ">=",
        "IN",
        "NOT",
        "EXISTS",
        "AND",
        "OR",
        "FOLLOWEDBY",
        "WITHIN",
        "5",
        "-1",
        ".5",
        "SECONDS",
        "REPEATS",
        "TIMES",
        "START",
        "STOP",
        "t'2016-01-01T00:00:00Z'",
        "b'AA=='",
        "h'0a'",
        "[*]",
        ",",
        "true",
        "/*",
        "*/",
        "//",
        "\\",
        "é",
        " ",
    ]);
    proptest::collection::vec(fragment, 0..40).prop_map(|fragments| fragments.concat())
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        let _ = parse(&text);
    }

    #[test]
    fn token_soup_never_panics(text in token_soup()) {
        let _ = parse(&text);
    }

    #[test]
    fn edited_spec_examples_never_panic(index in any::<prop::sample::Index>(), at in any::<prop::sample::Index>(),
                                       insert in any::<Option<char>>()) {
        let examples = spec_examples();
        let mut chars: Vec<char> = index.get(&examples).chars().collect();
        let position = at.index(chars.len() + 1);
        match insert {
            Some(character) => chars.insert(position, character),
            None if position < chars.len() => { chars.remove(position); }
            None => {}
        }
        let text: String = chars.into_iter().collect();
        if let Err(error) = parse(&text) {
            prop_assert!(error.position <= text.chars().count());
        }
    }

    #[test]
    fn printed_trees_parse_back_equal(root in observation_expression()) {
        let pattern = Pattern { root };
        let printed = pattern.to_string();
        prop_assert_eq!(parse(&printed), Ok(pattern), "printed as {}", printed);
    }
}
