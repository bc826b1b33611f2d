//! A pattern as alternatives of equality terms: what a log matcher can look for.
//!
//! `docs/match.md` ("Rules") is the contract: a pattern converts when it is made only
//! of `=` and `IN` comparisons on the value paths listed in [`MATCHABLE_PATHS`] (plus
//! `file:hashes.*` and `x509-certificate:hashes.*`), joined by `OR` anywhere and `AND`
//! inside one observation. The result is in disjunctive normal form: a list of
//! alternatives, any of which may match, each a list of terms that must all be seen in
//! the same record (`[a = 'x' AND (b = 'y' OR b = 'z')]` gives `[a=x, b=y]` and
//! `[a=x, b=z]`).
//!
//! Anything else (another operator, `NOT`, `EXISTS`, another path, the observation
//! operators `AND` and `FOLLOWEDBY`, qualifiers) makes the whole pattern unsupported,
//! and the `Err` names the construct, so that callers can list it: a pattern half
//! understood would match what its author did not mean.
//!
//! What it deliberately does not do: decide what kind of value a path holds (that is
//! the matcher's business) or check the values (the matcher normalises them).

use super::ast::{ComparisonExpression, Constant, ObjectPath, ObservationExpression, Operator, PathStep, Pattern};

/// Paths whose string value a log matcher looks for, besides the `hashes` dictionaries
/// of `file` and `x509-certificate`.
pub const MATCHABLE_PATHS: [&str; 8] = [
    "ipv4-addr:value",
    "ipv6-addr:value",
    "domain-name:value",
    "url:value",
    "email-addr:value",
    "email-message:from_ref.value",
    "network-traffic:src_ref.value",
    "network-traffic:dst_ref.value",
];

/// Caps the expansion of `AND` over `OR`, which grows as a product: a pattern beyond
/// them is refused rather than compiled into an enormous rule.
pub const MAX_ALTERNATIVES: usize = 4096;
pub const MAX_TERMS_PER_ALTERNATIVE: usize = 64;

/// One value an alternative needs: the path it was compared on and the string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EqualityTerm {
    /// The path as a pattern writes it (`file:hashes.'SHA-256'`).
    pub path: String,
    pub value: String,
}

/// The alternatives of `pattern`, or why it has none a matcher may use.
pub fn equality_alternatives(pattern: &Pattern) -> Result<Vec<Vec<EqualityTerm>>, String> {
    let alternatives = observation(&pattern.root)?;
    if alternatives.iter().any(Vec::is_empty) {
        return Err("a reference's type checked with no value to look for".into());
    }
    Ok(alternatives)
}

/// `network-traffic:src_ref.type = 'ipv4-addr'` and the like: a check of the type of
/// the value compared beside it (common in real feeds), which the value's own form
/// already decides. It adds no term.
fn is_reference_type_check(path: &str, operator: &Operator, value: &Constant) -> bool {
    matches!(path, "network-traffic:src_ref.type" | "network-traffic:dst_ref.type")
        && matches!(operator, Operator::Equal)
        && matches!(value, Constant::String(t) if matches!(t.as_str(), "ipv4-addr" | "ipv6-addr" | "domain-name"))
}

fn observation(expression: &ObservationExpression) -> Result<Vec<Vec<EqualityTerm>>, String> {
    match expression {
        ObservationExpression::Observation(inner) => comparisons(inner),
        ObservationExpression::Or(operands) => union(operands, observation),
        ObservationExpression::And(_) => {
            Err("observation operator AND (values in separate observations, not one record)".into())
        }
        ObservationExpression::FollowedBy(_) => Err("observation operator FOLLOWEDBY (an order in time)".into()),
        ObservationExpression::Qualified { qualifiers, .. } => {
            let names: Vec<&str> = qualifiers.iter().map(|q| q.keyword()).collect();
            Err(format!("qualifier {} (counts or time windows)", names.join(", ")))
        }
    }
}

fn comparisons(expression: &ComparisonExpression) -> Result<Vec<Vec<EqualityTerm>>, String> {
    match expression {
        ComparisonExpression::Exists(path) => Err(format!("EXISTS {}", path_text(path))),
        ComparisonExpression::Or(operands) => union(operands, comparisons),
        ComparisonExpression::And(operands) => {
            let mut product: Vec<Vec<EqualityTerm>> = vec![Vec::new()];
            for operand in operands {
                let choices = comparisons(operand)?;
                check_size(product.len().saturating_mul(choices.len()))?;
                let mut next = Vec::with_capacity(product.len() * choices.len());
                for prefix in &product {
                    for choice in &choices {
                        let mut terms = prefix.clone();
                        for term in choice {
                            if !terms.contains(term) {
                                terms.push(term.clone());
                            }
                        }
                        if terms.len() > MAX_TERMS_PER_ALTERNATIVE {
                            return Err(format!("more than {MAX_TERMS_PER_ALTERNATIVE} values joined by AND"));
                        }
                        next.push(terms);
                    }
                }
                product = next;
            }
            Ok(product)
        }
        ComparisonExpression::Comparison(comparison) => {
            let path = path_text(&comparison.path);
            if comparison.negated {
                return Err(format!("NOT {} on {path}", comparison.operator.symbol()));
            }
            if is_reference_type_check(&path, &comparison.operator, &comparison.value) {
                return Ok(vec![Vec::new()]);
            }
            if !matchable(&comparison.path) {
                return Err(format!("path {path} (not a value a log shows)"));
            }
            let strings = match (&comparison.operator, &comparison.value) {
                (Operator::Equal, constant) => vec![string(constant, &path)?],
                (Operator::In, Constant::Set(members)) => {
                    members.iter().map(|member| string(member, &path)).collect::<Result<Vec<_>, _>>()?
                }
                (operator, _) => return Err(format!("operator {} on {path}", operator.symbol())),
            };
            check_size(strings.len())?;
            Ok(strings.into_iter().map(|value| vec![EqualityTerm { path: path.clone(), value }]).collect())
        }
    }
}

/// The alternatives of operands joined by OR: those of each, one after the other.
fn union<T>(
    operands: &[T],
    each: fn(&T) -> Result<Vec<Vec<EqualityTerm>>, String>,
) -> Result<Vec<Vec<EqualityTerm>>, String> {
    let mut alternatives = Vec::new();
    for operand in operands {
        alternatives.extend(each(operand)?);
        check_size(alternatives.len())?;
    }
    Ok(alternatives)
}

fn check_size(alternatives: usize) -> Result<(), String> {
    if alternatives > MAX_ALTERNATIVES {
        return Err(format!("more than {MAX_ALTERNATIVES} alternatives once AND is spread over OR"));
    }
    Ok(())
}

fn string(constant: &Constant, path: &str) -> Result<String, String> {
    match constant {
        Constant::String(text) => Ok(text.clone()),
        _ => Err(format!("a constant that is not a string on {path}")),
    }
}

/// Whether the path is one of [`MATCHABLE_PATHS`] or a `hashes` entry of a file or
/// certificate.
pub fn matchable(path: &ObjectPath) -> bool {
    if let [PathStep::Property(hashes), PathStep::Property(_)] = path.steps.as_slice()
        && hashes == "hashes"
    {
        return matches!(path.object_type.as_str(), "file" | "x509-certificate");
    }
    MATCHABLE_PATHS.contains(&path_text(path).as_str())
}

/// The path as written in a pattern: `type:step.step`, quoting a property that is not
/// a bare word (`'SHA-256'`), `[n]` and `[*]` for list steps.
pub fn path_text(path: &ObjectPath) -> String {
    let mut text = format!("{}:", path.object_type);
    for (index, step) in path.steps.iter().enumerate() {
        match step {
            PathStep::Property(name) => {
                if index > 0 {
                    text.push('.');
                }
                let bare = name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                    && name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_');
                if bare {
                    text.push_str(name);
                } else {
                    text.push('\'');
                    text.push_str(&name.replace('\\', "\\\\").replace('\'', "\\'"));
                    text.push('\'');
                }
            }
            PathStep::Index(n) => text.push_str(&format!("[{n}]")),
            PathStep::AnyIndex => text.push_str("[*]"),
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::parse;

    fn terms(text: &str) -> Result<Vec<Vec<(String, String)>>, String> {
        let pattern = parse(text).map_err(|error| format!("does not parse: {error}"))?;
        equality_alternatives(&pattern).map(|alternatives| {
            alternatives.into_iter().map(|terms| terms.into_iter().map(|t| (t.path, t.value)).collect()).collect()
        })
    }

    fn pair(path: &str, value: &str) -> (String, String) {
        (path.to_owned(), value.to_owned())
    }

    #[test]
    fn or_and_in_give_alternatives() {
        assert_eq!(
            terms("[ipv4-addr:value = '1.2.3.4' OR domain-name:value IN ('a.example', 'b.example')]"),
            Ok(vec![
                vec![pair("ipv4-addr:value", "1.2.3.4")],
                vec![pair("domain-name:value", "a.example")],
                vec![pair("domain-name:value", "b.example")],
            ])
        );
        assert_eq!(
            terms("[url:value = 'http://a.example/'] OR [url:value = 'http://b.example/']"),
            Ok(vec![vec![pair("url:value", "http://a.example/")], vec![pair("url:value", "http://b.example/")]])
        );
    }

    #[test]
    fn and_inside_one_observation_spreads_over_or() {
        assert_eq!(
            terms(
                "[network-traffic:dst_ref.value = '10.0.0.1' AND (domain-name:value = 'x.example' OR \
                 file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a69faa')]"
            ),
            Ok(vec![
                vec![pair("network-traffic:dst_ref.value", "10.0.0.1"), pair("domain-name:value", "x.example")],
                vec![
                    pair("network-traffic:dst_ref.value", "10.0.0.1"),
                    pair("file:hashes.MD5", "cead3f77f6cda6ec00f57d76c9a69faa")
                ],
            ])
        );
    }

    #[test]
    fn hash_paths_keep_their_algorithm() {
        assert_eq!(
            terms("[x509-certificate:hashes.'SHA-1' = 'ab']"),
            Ok(vec![vec![pair("x509-certificate:hashes.'SHA-1'", "ab")]])
        );
        assert!(
            terms("[file:hashes.'SHA-256' = 'ab' AND file:mime_type = 'x/y']")
                .is_err_and(|r| r.contains("file:mime_type"))
        );
    }

    #[test]
    fn unsupported_constructs_are_named() {
        for (pattern, named) in [
            ("[ipv4-addr:value != '1.2.3.4']", "!="),
            ("[ipv4-addr:value NOT = '1.2.3.4']", "NOT ="),
            ("[url:value MATCHES '^http']", "MATCHES"),
            ("[domain-name:value LIKE '%.example']", "LIKE"),
            ("[ipv4-addr:value = '1.2.3.4'] AND [ipv4-addr:value = '5.6.7.8']", "observation operator AND"),
            ("[ipv4-addr:value = '1.2.3.4'] FOLLOWEDBY [ipv4-addr:value = '5.6.7.8']", "FOLLOWEDBY"),
            ("[ipv4-addr:value = '1.2.3.4'] REPEATS 2 TIMES", "REPEATS"),
            ("[EXISTS file:name]", "EXISTS file:name"),
            ("[file:name = 'a.exe']", "file:name"),
            ("[ipv4-addr:value ISSUBSET '10.0.0.0/8']", "ISSUBSET"),
        ] {
            let reason = terms(pattern).expect_err(pattern);
            assert!(reason.contains(named), "{pattern}: {reason}");
        }
    }

    #[test]
    fn a_reference_type_check_adds_no_term() {
        let pattern = "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '198.51.100.1']";
        assert_eq!(terms(pattern), Ok(vec![vec![pair("network-traffic:dst_ref.value", "198.51.100.1")]]));
        let alone = terms("[network-traffic:dst_ref.type = 'ipv4-addr']").expect_err("no value");
        assert!(alone.contains("no value"), "{alone}");
        assert!(terms("[network-traffic:dst_ref.type = 'mac-addr' AND network-traffic:dst_ref.value = 'x']").is_err());
    }

    #[test]
    fn the_product_is_capped() {
        let set: Vec<String> = (0..100).map(|n| format!("'h{n}.example'")).collect();
        let set = set.join(", ");
        let pattern = format!("[domain-name:value IN ({set}) AND url:value IN ({set})]");
        assert!(terms(&pattern).is_err_and(|reason| reason.contains("alternatives")));
    }

    proptest::proptest! {
        /// `IN` sets joined by `AND` in one observation give their product, each
        /// alternative holding one member of every set, in order.
        #[test]
        fn and_of_sets_is_their_product(sets in proptest::collection::vec(
            proptest::collection::vec("[a-z]{1,8}\\.example", 1..4), 1..4)
        ) {
            let paths = ["domain-name:value", "url:value", "email-addr:value"];
            let clauses: Vec<String> = sets.iter().zip(paths).map(|(set, path)| {
                let members: Vec<String> = set.iter().map(|m| format!("'{m}'")).collect();
                format!("{path} IN ({})", members.join(", "))
            }).collect();
            let converted = terms(&format!("[{}]", clauses.join(" AND "))).expect("equality terms convert");
            let expected: usize = sets.iter().map(Vec::len).product();
            proptest::prop_assert_eq!(converted.len(), expected);
            for alternative in &converted {
                proptest::prop_assert_eq!(alternative.len(), sets.len());
                for ((path, value), (set, expected_path)) in alternative.iter().zip(sets.iter().zip(paths)) {
                    proptest::prop_assert_eq!(path.as_str(), expected_path);
                    proptest::prop_assert!(set.contains(value));
                }
            }
        }
    }

    /// Every example of the specification either converts or says why not, and a
    /// converted one holds only matchable paths; three are checked by hand.
    #[test]
    fn the_specification_examples() {
        let path =
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/stix-examples/pattern-spec-examples-v21.txt");
        let text = std::fs::read_to_string(path).expect("the shared pattern examples are readable");
        let mut converted = 0;
        for line in text.lines().filter(|line| !line.trim().is_empty()) {
            match terms(line) {
                Ok(alternatives) => {
                    converted += 1;
                    assert!(!alternatives.is_empty() && alternatives.iter().all(|a| !a.is_empty()), "{line}");
                    for (path, _) in alternatives.iter().flatten() {
                        let pattern = parse(&format!("[{path} = 'x']")).expect("a converted path parses back");
                        assert!(equality_alternatives(&pattern).is_ok(), "{line}: {path}");
                    }
                }
                Err(reason) => assert!(!reason.is_empty() && !reason.starts_with("does not parse"), "{line}: {reason}"),
            }
        }
        assert!(converted >= 3, "only {converted} examples converted");
        let sha = "aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f";
        assert_eq!(
            terms(&format!("[file:hashes.'SHA-256' = '{sha}']")),
            Ok(vec![vec![pair("file:hashes.'SHA-256'", sha)]])
        );
        assert!(text.contains("[url:value = 'http://example.com/foo' OR url:value = 'http://example.com/bar']"));
        assert_eq!(
            terms("[url:value = 'http://example.com/foo' OR url:value = 'http://example.com/bar']"),
            Ok(vec![
                vec![pair("url:value", "http://example.com/foo")],
                vec![pair("url:value", "http://example.com/bar")]
            ])
        );
        let reason =
            terms("[domain-name:value = 'www.5z8.info' AND domain-name:resolves_to_refs[*].value = '198.51.100.1/32']");
        assert!(reason.is_err_and(|r| r.contains("domain-name:resolves_to_refs[*].value")));
    }
}
