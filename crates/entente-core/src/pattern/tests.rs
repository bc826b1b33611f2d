//! Unit tests for the pattern parser: one test per construct and per error class.
//!
//! Each error test asserts the exact character position, because callers show it to
//! the author of the pattern. The spec examples, the invalid-pattern table and the
//! property tests live in the integration tests (`tests/it/pattern.rs`).

use super::*;
use crate::Timestamp;
use std::time::Duration;

fn only_comparison(text: &str) -> Comparison {
    let pattern = parse(text).unwrap_or_else(|error| panic!("{text}: {error}"));
    let comparisons = pattern.comparisons();
    assert_eq!(comparisons.len(), 1, "{text}");
    comparisons[0].clone()
}

fn error_at(text: &str) -> (usize, String) {
    match parse(text) {
        Ok(pattern) => panic!("{text} should be refused, parsed as {pattern:?}"),
        Err(error) => (error.position, error.reason),
    }
}

fn property(name: &str) -> PathStep {
    PathStep::Property(name.to_owned())
}

#[test]
fn parses_a_simple_comparison() {
    let comparison = only_comparison("[file:name = 'a.exe']");
    assert_eq!(comparison.path, ObjectPath { object_type: "file".to_owned(), steps: vec![property("name")] });
    assert!(!comparison.negated);
    assert_eq!(comparison.operator, Operator::Equal);
    assert_eq!(comparison.value, Constant::String("a.exe".to_owned()));
}

#[test]
fn parses_paths_with_quotes_indexes_and_extensions() {
    let comparison = only_comparison("[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]");
    let expected = vec![
        property("extensions"),
        property("windows-pebinary-ext"),
        property("sections"),
        PathStep::AnyIndex,
        property("entropy"),
    ];
    assert_eq!(comparison.path.steps, expected);
    assert_eq!(comparison.value, Constant::Float(7.0));
    let comparison = only_comparison("[x-thing:'first'[2][-1] = 1]");
    assert_eq!(comparison.path.steps, vec![property("first"), PathStep::Index(2), PathStep::Index(-1)]);
}

#[test]
fn parses_every_operator_and_negation() {
    let cases = [
        ("=", Operator::Equal),
        ("==", Operator::Equal),
        ("!=", Operator::NotEqual),
        ("<>", Operator::NotEqual),
        (">", Operator::Greater),
        ("<", Operator::Less),
        (">=", Operator::GreaterOrEqual),
        ("<=", Operator::LessOrEqual),
        ("LIKE", Operator::Like),
        ("MATCHES", Operator::Matches),
        ("ISSUBSET", Operator::IsSubset),
        ("ISSUPERSET", Operator::IsSuperset),
    ];
    for (symbol, operator) in cases {
        let comparison = only_comparison(&format!("[ipv4-addr:value NOT {symbol} '10.0.0.0/8']"));
        assert_eq!((comparison.negated, comparison.operator), (true, operator), "{symbol}");
    }
    let comparison = only_comparison("[file:size NOT IN (1, 2)]");
    assert_eq!(comparison.operator, Operator::In);
    assert_eq!(comparison.value, Constant::Set(vec![Constant::Integer(1), Constant::Integer(2)]));
}

#[test]
fn parses_every_kind_of_constant() {
    let value = |literal: &str| only_comparison(&format!("[x-a:b = {literal}]")).value;
    assert_eq!(value(r"'it\'s a \\ path'"), Constant::String(r"it's a \ path".to_owned()));
    assert_eq!(value("-42"), Constant::Integer(-42));
    assert_eq!(value("+7"), Constant::Integer(7));
    assert_eq!(value("-.5"), Constant::Float(-0.5));
    assert_eq!(value("true"), Constant::Boolean(true));
    assert_eq!(value("false"), Constant::Boolean(false));
    let timestamp = Timestamp::parse("2016-01-01T00:00:00Z").expect("valid timestamp");
    assert_eq!(value("t'2016-01-01T00:00:00Z'"), Constant::Timestamp(timestamp));
    assert_eq!(value("b'aGVsbG8='"), Constant::Binary(b"hello".to_vec()));
    assert_eq!(value("h'0aFF'"), Constant::Hex(vec![0x0a, 0xff]));
    assert_eq!(value("h''"), Constant::Hex(Vec::new()));
    let set = only_comparison("[x-a:b IN ()]").value;
    assert_eq!(set, Constant::Set(Vec::new()));
}

#[test]
fn comparison_and_binds_tighter_than_or() {
    let pattern = parse("[x-a:b = 1 OR x-a:c = 2 AND x-a:d = 3]").expect("valid");
    let ObservationExpression::Observation(ComparisonExpression::Or(operands)) = &pattern.root else {
        panic!("expected OR at the top: {pattern:?}");
    };
    assert!(matches!(operands.as_slice(), [ComparisonExpression::Comparison(_), ComparisonExpression::And(_)]));
    let names: Vec<_> = pattern.comparisons().iter().map(|c| c.path.steps[0].clone()).collect();
    assert_eq!(names, vec![property("b"), property("c"), property("d")]);
}

#[test]
fn observation_precedence_is_followedby_or_and() {
    let pattern = parse("[x-a:b = 1] AND [x-a:b = 2] OR [x-a:b = 3] FOLLOWEDBY [x-a:b = 4]").expect("valid");
    let ObservationExpression::FollowedBy(sequence) = &pattern.root else { panic!("{pattern:?}") };
    let ObservationExpression::Or(alternatives) = &sequence[0] else { panic!("{pattern:?}") };
    assert!(matches!(alternatives[0], ObservationExpression::And(_)));
    assert_eq!(pattern.to_string(), "[x-a:b = 1] AND [x-a:b = 2] OR [x-a:b = 3] FOLLOWEDBY [x-a:b = 4]");
}

#[test]
fn parentheses_keep_their_grouping() {
    let pattern = parse("([x-a:b = 1] OR [x-a:b = 2]) AND ([x-a:b = 3] AND [x-a:b = 4])").expect("valid");
    let ObservationExpression::And(operands) = &pattern.root else { panic!("{pattern:?}") };
    assert!(matches!(operands.as_slice(), [ObservationExpression::Or(_), ObservationExpression::And(_)]));
    assert_eq!(pattern.to_string(), "([x-a:b = 1] OR [x-a:b = 2]) AND ([x-a:b = 3] AND [x-a:b = 4])");
    let redundant = parse("(([x-a:b = 1]))").expect("valid");
    assert_eq!(redundant.to_string(), "[x-a:b = 1]");
}

#[test]
fn qualifiers_apply_to_the_preceding_expression_and_chain() {
    let text = "[x-a:b = 1] REPEATS 5 TIMES WITHIN 1800 SECONDS \
                START t'2016-01-01T00:00:00Z' STOP t'2016-01-02T00:00:00Z'";
    let pattern = parse(text).expect("valid");
    let ObservationExpression::Qualified { qualifiers, .. } = &pattern.root else { panic!("{pattern:?}") };
    let start = Timestamp::parse("2016-01-01T00:00:00Z").expect("valid timestamp");
    let stop = Timestamp::parse("2016-01-02T00:00:00Z").expect("valid timestamp");
    let expected =
        vec![Qualifier::Repeats(5), Qualifier::Within(Duration::from_secs(1800)), Qualifier::StartStop { start, stop }];
    assert_eq!(*qualifiers, expected);
    // Qualifiers bind tighter than AND: only the second observation is qualified.
    let pattern = parse("[x-a:b = 1] AND [x-a:b = 2] WITHIN 2.5 SECONDS").expect("valid");
    let ObservationExpression::And(operands) = &pattern.root else { panic!("{pattern:?}") };
    assert!(matches!(operands[1], ObservationExpression::Qualified { .. }));
    assert_eq!(pattern.to_string(), "[x-a:b = 1] AND [x-a:b = 2] WITHIN 2.5 SECONDS");
    // A parenthesised expression may take a second qualifier of the same kind.
    let nested = parse("([x-a:b = 1] WITHIN 5 SECONDS) WITHIN 6 SECONDS").expect("valid");
    assert_eq!(nested.to_string(), "([x-a:b = 1] WITHIN 5 SECONDS) WITHIN 6 SECONDS");
}

#[test]
fn skips_whitespace_and_comments_anywhere() {
    let pattern = parse("/* c */ [ file : name\u{3000}= 'x' // line\n ]").expect("valid");
    assert_eq!(pattern.to_string(), "[file:name = 'x']");
}

#[test]
fn display_is_canonical() {
    let pattern = parse("[x-a:'b' == 'it''s' <> 1]");
    assert!(pattern.is_err(), "two literals in a row are not a comparison");
    let pattern = parse(r"[x-a:'AND'.'c d' <> 'it\'s' AND x-a:n IN (1, 2.0, h'AB', b'AA==')]").expect("valid");
    assert_eq!(pattern.to_string(), r"[x-a:'AND'.'c d' != 'it\'s' AND x-a:n IN (1, 2.0, h'ab', b'AA==')]");
}

#[test]
fn reports_unclosed_brackets_and_parentheses() {
    let (position, reason) = error_at("[file:name = 'x'");
    assert_eq!(position, 16);
    assert_eq!(reason, "expected ']' to close the observation expression opened at 0, found the end of the pattern");
    assert_eq!(error_at("([file:name = 'x']").0, 18);
    assert_eq!(error_at("[(file:name = 'x']").0, 17);
    assert_eq!(error_at("[file:name = 'x' file:size = 1]").0, 17);
}

#[test]
fn reports_bad_observation_structure() {
    assert_eq!(
        error_at(""),
        (0, "expected '[' or '(' to start an observation expression, found the end of the pattern".to_owned())
    );
    assert_eq!(error_at("file:size = 1").0, 0);
    assert_eq!(error_at("[file:size = 1] AND").0, 19);
    assert_eq!(error_at("[file:size = 1] ]").0, 16);
    let (position, reason) = error_at("[foo:bar = 1] within 2 seconds");
    assert_eq!(position, 14);
    assert!(reason.contains("keywords are upper-case"), "{reason}");
}

#[test]
fn reports_lexical_errors() {
    assert_eq!(error_at("[file:name = 'abc]"), (13, "unterminated string literal".to_owned()));
    assert_eq!(error_at(r"[file:name = 'a\nb']").0, 15);
    assert_eq!(error_at("[file:size = 007]").0, 13);
    assert_eq!(error_at("[file:size =? 1]"), (12, "unexpected character '?'".to_owned()));
    assert_eq!(error_at("[file:size = 1] /* open").0, 16);
    assert_eq!(error_at("[file:name = \"x\"]").0, 13);
    // Positions count characters, not bytes.
    assert_eq!(error_at("[file:name = 'é'] ?").0, 18);
}

#[test]
fn reports_bad_typed_literals() {
    assert_eq!(error_at("[x-a:b = t'2457-73-22T32:81:84.1Z']").0, 9);
    assert_eq!(error_at("[x-a:b = b'====']").0, 9);
    assert_eq!(error_at("[x-a:b = b'']").0, 9);
    assert_eq!(error_at("[x-a:b = b'QQ']").0, 9);
    assert_eq!(error_at("[x-a:b = h'abc']").0, 9);
    assert_eq!(error_at("[x-a:b = h'zz']").0, 9);
    assert_eq!(error_at("[x-a:b = t'2016-01-01T00:00:00Z").0, 9);
}

#[test]
fn reports_bad_object_paths() {
    assert_eq!(error_at("[file.size = 1]"), (5, "expected ':' after the object type 'file', found '.'".to_owned()));
    assert_eq!(error_at("[File:size = 1]").0, 1);
    assert_eq!(error_at("[ab:size = 1]").0, 1);
    assert_eq!(error_at("[x_a:size = 1]").0, 1);
    assert_eq!(error_at("[file:[0] = 1]").0, 6);
    assert_eq!(error_at("[file:foo-bar = 1]").0, 6);
    assert_eq!(error_at("[file:a.IN = 1]").0, 8);
    assert_eq!(error_at("[file:a[1.5] = 1]").0, 8);
    assert_eq!(error_at("[file:a[x] = 1]").0, 8);
    assert_eq!(error_at("[file:a[1 = 1]").0, 10);
}

#[test]
fn reports_unknown_operators_and_missing_constants() {
    assert_eq!(error_at("[file:size EQUALS 1]"), (11, "unknown operator 'EQUALS'".to_owned()));
    assert_eq!(error_at("[file:size like 'a']").0, 11);
    assert_eq!(error_at("[file:size]").0, 10);
    assert_eq!(error_at("[file:size NOT]").0, 14);
    assert_eq!(error_at("[file:size = ]").0, 13);
    assert_eq!(error_at("[file:hashes.MD5 = cead3f77]").0, 19);
    assert_eq!(error_at("[file:size IN (1, 2]").0, 19);
    assert_eq!(error_at("[file:size IN (1 2)]").0, 17);
    assert_eq!(error_at("[file:size IN ((1))]").0, 15);
}

#[test]
fn parses_exists_as_a_test_apart_from_comparisons() {
    let pattern = parse("[EXISTS windows-registry-key:values]").expect("valid");
    let path = ObjectPath { object_type: "windows-registry-key".to_owned(), steps: vec![property("values")] };
    assert_eq!(pattern.root, ObservationExpression::Observation(ComparisonExpression::Exists(path.clone())));
    assert!(pattern.comparisons().is_empty(), "EXISTS is not a comparison");
    assert_eq!(pattern.exists_paths(), vec![&path]);
    assert_eq!(pattern.to_string(), "[EXISTS windows-registry-key:values]");
    // It combines with comparisons like any other test, inside and across brackets.
    let text = "[file:name = 'a.exe' AND (EXISTS file:hashes.'SHA-256' OR EXISTS file:x[*])] \
                FOLLOWEDBY [EXISTS x-a:b] WITHIN 5 SECONDS";
    let pattern = parse(text).expect("valid");
    assert_eq!(pattern.to_string(), text.split_whitespace().collect::<Vec<_>>().join(" "));
    assert_eq!(pattern.comparisons().len(), 1);
    let paths: Vec<String> = pattern.exists_paths().iter().map(|path| path.to_string()).collect();
    assert_eq!(paths, ["file:hashes.'SHA-256'", "file:x[*]", "x-a:b"]);
}

#[test]
fn reports_misplaced_or_incomplete_exists() {
    let (position, reason) = error_at("[NOT EXISTS file:size]");
    assert_eq!(position, 1);
    assert!(reason.contains("EXISTS cannot be negated"), "{reason}");
    let (position, reason) = error_at("[file:size EXISTS]");
    assert_eq!(position, 11);
    assert!(reason.contains("EXISTS goes before the object path"), "{reason}");
    assert_eq!(error_at("[file:size NOT EXISTS]").0, 15);
    assert_eq!(
        error_at("[EXISTS]"),
        (7, "expected an object path such as file:size after EXISTS, found ']'".to_owned())
    );
    assert_eq!(error_at("[EXISTS 'file':size]").0, 8);
    assert_eq!(error_at("[EXISTS File:size]").0, 8);
    assert_eq!(error_at("[EXISTS file]").0, 12);
    assert_eq!(error_at("[EXISTS file:size = 1]").0, 18);
    assert_eq!(error_at("[EXISTS (file:size)]").0, 8);
    assert_eq!(error_at("[exists file:size]").0, 8);
    assert_eq!(error_at("[EXISTS file:'abc]").0, 13);
}

#[test]
fn reports_constants_of_the_wrong_kind() {
    assert_eq!(
        error_at("[file:size IN 1]"),
        (14, "IN needs a set of constants such as ('a', 'b'), found an integer".to_owned())
    );
    assert_eq!(error_at("[file:size = (1)]").0, 13);
    assert_eq!(error_at("[file:size > true]").0, 13);
    assert_eq!(error_at("[file:name LIKE 1]").0, 16);
    assert_eq!(error_at("[file:name MATCHES h'00']").0, 19);
    assert_eq!(error_at("[ipv4-addr:value ISSUBSET true]").0, 26);
    assert_eq!(error_at("[file:size = 99999999999999999999]").0, 13);
}

#[test]
fn reports_bad_qualifiers() {
    let base = "[x-a:b = 1] ";
    assert_eq!(error_at(&format!("{base}WITHIN 0 SECONDS")).0, 19);
    assert_eq!(error_at(&format!("{base}WITHIN -5 SECONDS")).0, 19);
    assert_eq!(error_at(&format!("{base}WITHIN 5 HOURS")).0, 21);
    assert_eq!(error_at(&format!("{base}WITHIN ]")).0, 19);
    assert_eq!(error_at(&format!("{base}REPEATS 0 TIMES")).0, 20);
    assert_eq!(error_at(&format!("{base}REPEATS 1.5 TIMES")).0, 20);
    assert_eq!(error_at(&format!("{base}REPEATS 2")).0, 21);
    assert_eq!(error_at(&format!("{base}START '2016-01-01T00:00:00Z' STOP t'2017-01-01T00:00:00Z'")).0, 18);
    let backwards = format!("{base}START t'2017-01-01T00:00:00Z' STOP t'2016-01-01T00:00:00Z'");
    assert_eq!(error_at(&backwards).0, 47);
    let duplicate = format!("{base}WITHIN 5 SECONDS REPEATS 2 TIMES WITHIN 6 SECONDS");
    assert_eq!(error_at(&duplicate).0, 45);
}

#[test]
fn refuses_nesting_beyond_the_cap() {
    let depth = parser::MAX_NESTING;
    let fits = format!("{}[x-a:b = 1]{}", "(".repeat(depth - 1), ")".repeat(depth - 1));
    assert!(parse(&fits).is_ok());
    let too_deep = format!("{}[x-a:b = 1]{}", "(".repeat(depth), ")".repeat(depth));
    assert_eq!(error_at(&too_deep).0, depth);
    let inner = format!("[{}x-a:b = 1{}]", "(".repeat(depth), ")".repeat(depth));
    assert_eq!(error_at(&inner).0, depth);
    // Chains are loops, not recursion: a very long one parses without deep nesting.
    let chain = vec!["[x-a:b = 1]"; 20_000].join(" AND ");
    assert_eq!(parse(&chain).expect("valid").comparisons().len(), 20_000);
}
