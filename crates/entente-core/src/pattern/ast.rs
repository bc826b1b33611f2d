//! The syntax tree of a STIX 2.1 pattern.
//!
//! The tree mirrors the grammar (`STIXPattern.g4` of the OASIS pattern validator):
//! observation expressions combine with `FOLLOWEDBY`, `OR` and `AND` (loosest to
//! tightest) and carry qualifiers; inside the brackets, comparisons and `EXISTS` tests
//! combine with `OR` and `AND`.
//!
//! Invariants (the parser guarantees them; `Display` relies on them to print text that
//! parses back to an equal tree):
//! - every `And`, `Or` and `FollowedBy` holds at least two operands, in source order;
//!   an unparenthesised chain `a AND b AND c` is one node with three operands, while
//!   explicit parentheses keep their nesting, so no grouping the author wrote is lost;
//! - a `Qualified` expression holds at least one qualifier and at most one of each kind;
//! - a `Constant::Set` holds no sets, and a `Constant::Binary` is never empty;
//! - an `ObjectPath` starts with a property step.
//!
//! What it deliberately does not do: evaluate anything. Matching observed data against
//! a pattern is the matching engine's job; this module only describes the pattern.

use crate::Timestamp;
use std::time::Duration;

/// A parsed STIX pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    pub root: ObservationExpression,
}

/// An observation expression: what must be observed, and how often or when.
#[derive(Debug, Clone, PartialEq)]
pub enum ObservationExpression {
    /// `[ … ]`: comparisons that must all hold against a single observed object.
    Observation(ComparisonExpression),
    /// `a AND b AND …`: every operand matches.
    And(Vec<ObservationExpression>),
    /// `a OR b OR …`: at least one operand matches.
    Or(Vec<ObservationExpression>),
    /// `a FOLLOWEDBY b FOLLOWEDBY …`: the operands match in this order in time.
    FollowedBy(Vec<ObservationExpression>),
    /// An expression restricted by qualifiers, applied in the order written.
    Qualified { expression: Box<ObservationExpression>, qualifiers: Vec<Qualifier> },
}

/// A restriction on the observations that can match an observation expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Qualifier {
    /// `WITHIN n SECONDS`: all matching observations fall inside this window.
    Within(Duration),
    /// `REPEATS n TIMES`: the expression matches this many times (at least one).
    Repeats(u64),
    /// `START t'…' STOP t'…'`: observations fall in `[start, stop)`; `start < stop`.
    StartStop { start: Timestamp, stop: Timestamp },
}

/// The boolean combination of comparisons inside one pair of brackets.
#[derive(Debug, Clone, PartialEq)]
pub enum ComparisonExpression {
    Comparison(Comparison),
    /// `EXISTS file:hashes.'SHA-256'`: the object has the property the path names.
    /// The grammar's `propTestExists`; it takes no constant and, unlike the operators,
    /// no `NOT`. It is not a [`Comparison`], so [`Pattern::comparisons`] leaves it out.
    Exists(ObjectPath),
    /// `a AND b AND …`: every operand holds.
    And(Vec<ComparisonExpression>),
    /// `a OR b OR …`: at least one operand holds.
    Or(Vec<ComparisonExpression>),
}

/// One test of an object property against a constant, such as `file:size > 1024`.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub path: ObjectPath,
    /// `NOT` was written before the operator.
    pub negated: bool,
    pub operator: Operator,
    /// A set exactly when `operator` is `In`; a string for the string operators.
    pub value: Constant,
}

/// The property a comparison reads, such as `file:hashes.'SHA-256'`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ObjectPath {
    /// A STIX type name: 3 to 250 lower-case letters, digits and hyphens.
    pub object_type: String,
    /// At least one step; the first is a property.
    pub steps: Vec<PathStep>,
}

/// One step of an object path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathStep {
    /// A dictionary key or property name, written bare (`name`) or quoted (`'SHA-256'`).
    Property(String),
    /// `[n]`: one list element. The grammar admits negative indexes; what they mean is
    /// left to the matching engine.
    Index(i64),
    /// `[*]`: any element of a list.
    AnyIndex,
}

/// A comparison operator. `NOT` is kept apart, in [`Comparison::negated`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operator {
    Equal,
    NotEqual,
    Greater,
    Less,
    GreaterOrEqual,
    LessOrEqual,
    In,
    Like,
    Matches,
    IsSubset,
    IsSuperset,
}

/// A constant on the right of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Constant {
    /// `'…'`, with the escapes `\'` and `\\` already resolved.
    String(String),
    Integer(i64),
    /// Always finite.
    Float(f64),
    Boolean(bool),
    /// `t'2016-01-01T00:00:00Z'`.
    Timestamp(Timestamp),
    /// `b'…'`: the decoded bytes of a non-empty base64 literal.
    Binary(Vec<u8>),
    /// `h'…'`: the decoded bytes of a hex literal.
    Hex(Vec<u8>),
    /// `( … )`, the operand of `IN`; its members are never sets.
    Set(Vec<Constant>),
}

impl Operator {
    /// The operator as a pattern writes it.
    pub fn symbol(self) -> &'static str {
        match self {
            Operator::Equal => "=",
            Operator::NotEqual => "!=",
            Operator::Greater => ">",
            Operator::Less => "<",
            Operator::GreaterOrEqual => ">=",
            Operator::LessOrEqual => "<=",
            Operator::In => "IN",
            Operator::Like => "LIKE",
            Operator::Matches => "MATCHES",
            Operator::IsSubset => "ISSUBSET",
            Operator::IsSuperset => "ISSUPERSET",
        }
    }
}

impl Qualifier {
    /// The keyword that introduces the qualifier.
    pub fn keyword(self) -> &'static str {
        match self {
            Qualifier::Within(_) => "WITHIN",
            Qualifier::Repeats(_) => "REPEATS",
            Qualifier::StartStop { .. } => "START",
        }
    }
}

impl Pattern {
    /// Every comparison in the pattern, in the order they are written.
    ///
    /// `EXISTS` tests are not comparisons and are not included: code that evaluates
    /// only these comparisons must also look at [`Pattern::exists_paths`] (or walk the
    /// tree), or it would ignore a condition of the pattern.
    pub fn comparisons(&self) -> Vec<&Comparison> {
        self.root.comparisons()
    }

    /// The object path of every `EXISTS` test in the pattern, in the order written.
    pub fn exists_paths(&self) -> Vec<&ObjectPath> {
        self.root.exists_paths()
    }
}

impl ObservationExpression {
    /// Every comparison in this expression, in the order they are written.
    pub fn comparisons(&self) -> Vec<&Comparison> {
        let mut found = Vec::new();
        self.collect_comparisons(&mut found);
        found
    }

    /// The object path of every `EXISTS` test in this expression, in the order written.
    pub fn exists_paths(&self) -> Vec<&ObjectPath> {
        let mut found = Vec::new();
        self.visit_tests(&mut |test| {
            if let ComparisonExpression::Exists(path) = test {
                found.push(path);
            }
        });
        found
    }

    fn collect_comparisons<'a>(&'a self, found: &mut Vec<&'a Comparison>) {
        self.visit_tests(&mut |test| {
            if let ComparisonExpression::Comparison(comparison) = test {
                found.push(comparison);
            }
        });
    }

    /// Calls `visit` on every comparison and `EXISTS` test, in the order written.
    fn visit_tests<'a>(&'a self, visit: &mut impl FnMut(&'a ComparisonExpression)) {
        match self {
            ObservationExpression::Observation(inner) => inner.visit_tests(visit),
            ObservationExpression::And(operands)
            | ObservationExpression::Or(operands)
            | ObservationExpression::FollowedBy(operands) => {
                for operand in operands {
                    operand.visit_tests(visit);
                }
            }
            ObservationExpression::Qualified { expression, .. } => expression.visit_tests(visit),
        }
    }
}

impl ComparisonExpression {
    fn visit_tests<'a>(&'a self, visit: &mut impl FnMut(&'a ComparisonExpression)) {
        match self {
            ComparisonExpression::Comparison(_) | ComparisonExpression::Exists(_) => visit(self),
            ComparisonExpression::And(operands) | ComparisonExpression::Or(operands) => {
                for operand in operands {
                    operand.visit_tests(visit);
                }
            }
        }
    }
}
