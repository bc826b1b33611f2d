//! Prints a pattern tree back as pattern text.
//!
//! The output is canonical: single spaces around operators, `=` and `!=` rather than
//! `==` and `<>`, bare property names wherever the grammar allows them, lower-case hex,
//! padded base64, timestamps with at least millisecond precision, and parentheses only
//! where precedence or an author's explicit grouping needs them.
//!
//! Invariant: for any tree that meets the invariants listed in `ast`, parsing the
//! printed text gives back an equal tree (the property tests check this).
//!
//! What it deliberately does not do: reproduce the author's original spelling
//! (whitespace, comments, `==`, quoting choices and redundant parentheses are lost).

use super::ast::{
    Comparison, ComparisonExpression, Constant, ObjectPath, ObservationExpression, PathStep, Pattern, Qualifier,
};
use super::lexer::is_plain_identifier;
use base64::Engine;
use std::fmt::{self, Display, Formatter, Write};

impl Display for Pattern {
    fn fmt(&self, formatter: &mut Formatter<'_>) -> fmt::Result {
        self.root.fmt(formatter)
    }
}

/// Binding strength of an observation expression: higher binds tighter.
fn observation_level(expression: &ObservationExpression) -> u8 {
    match expression {
        ObservationExpression::FollowedBy(_) => 0,
        ObservationExpression::Or(_) => 1,
        ObservationExpression::And(_) => 2,
        ObservationExpression::Qualified { .. } => 3,
        ObservationExpression::Observation(_) => 4,
    }
}

/// Writes `operands` joined by `keyword`. An operand that binds no tighter than the
/// chain itself is parenthesised, since unparenthesised it would merge into the chain
/// or be split by it.
fn write_observation_chain(
    formatter: &mut Formatter<'_>,
    operands: &[ObservationExpression],
    keyword: &str,
    level: u8,
) -> fmt::Result {
    for (index, operand) in operands.iter().enumerate() {
        if index > 0 {
            write!(formatter, " {keyword} ")?;
        }
        if observation_level(operand) <= level {
            write!(formatter, "({operand})")?;
        } else {
            write!(formatter, "{operand}")?;
        }
    }
    Ok(())
}

impl Display for ObservationExpression {
    fn fmt(&self, formatter: &mut Formatter<'_>) -> fmt::Result {
        match self {
            ObservationExpression::Observation(comparisons) => write!(formatter, "[{comparisons}]"),
            ObservationExpression::FollowedBy(operands) => {
                write_observation_chain(formatter, operands, "FOLLOWEDBY", 0)
            }
            ObservationExpression::Or(operands) => write_observation_chain(formatter, operands, "OR", 1),
            ObservationExpression::And(operands) => write_observation_chain(formatter, operands, "AND", 2),
            ObservationExpression::Qualified { expression, qualifiers } => {
                // Qualifiers attach to a bracketed or parenthesised expression only, and
                // a nested qualified expression needs parentheses to stay separate.
                if matches!(**expression, ObservationExpression::Observation(_)) {
                    write!(formatter, "{expression}")?;
                } else {
                    write!(formatter, "({expression})")?;
                }
                for qualifier in qualifiers {
                    write!(formatter, " {qualifier}")?;
                }
                Ok(())
            }
        }
    }
}

impl Display for Qualifier {
    fn fmt(&self, formatter: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Qualifier::Within(duration) => {
                write!(formatter, "WITHIN {}", duration.as_secs())?;
                let nanos = duration.subsec_nanos();
                if nanos > 0 {
                    let fraction = format!("{nanos:09}");
                    write!(formatter, ".{}", fraction.trim_end_matches('0'))?;
                }
                formatter.write_str(" SECONDS")
            }
            Qualifier::Repeats(count) => write!(formatter, "REPEATS {count} TIMES"),
            Qualifier::StartStop { start, stop } => {
                write!(formatter, "START t'{start}' STOP t'{stop}'")
            }
        }
    }
}

impl Display for ComparisonExpression {
    fn fmt(&self, formatter: &mut Formatter<'_>) -> fmt::Result {
        let (operands, keyword) = match self {
            ComparisonExpression::Comparison(comparison) => return comparison.fmt(formatter),
            ComparisonExpression::Exists(path) => return write!(formatter, "EXISTS {path}"),
            ComparisonExpression::Or(operands) => (operands, "OR"),
            ComparisonExpression::And(operands) => (operands, "AND"),
        };
        for (index, operand) in operands.iter().enumerate() {
            if index > 0 {
                write!(formatter, " {keyword} ")?;
            }
            // Under OR only another OR needs parentheses; under AND, both AND and OR do.
            let needs_parentheses = match operand {
                ComparisonExpression::Comparison(_) | ComparisonExpression::Exists(_) => false,
                ComparisonExpression::Or(_) => true,
                ComparisonExpression::And(_) => keyword == "AND",
            };
            if needs_parentheses {
                write!(formatter, "({operand})")?;
            } else {
                write!(formatter, "{operand}")?;
            }
        }
        Ok(())
    }
}

impl Display for Comparison {
    fn fmt(&self, formatter: &mut Formatter<'_>) -> fmt::Result {
        let not = if self.negated { "NOT " } else { "" };
        write!(formatter, "{} {not}{} {}", self.path, self.operator.symbol(), self.value)
    }
}

impl Display for ObjectPath {
    fn fmt(&self, formatter: &mut Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}:", self.object_type)?;
        for (index, step) in self.steps.iter().enumerate() {
            match step {
                PathStep::Property(name) => {
                    if index > 0 {
                        formatter.write_char('.')?;
                    }
                    if is_plain_identifier(name) {
                        formatter.write_str(name)?;
                    } else {
                        write_quoted(formatter, name)?;
                    }
                }
                PathStep::Index(index) => write!(formatter, "[{index}]")?,
                PathStep::AnyIndex => formatter.write_str("[*]")?,
            }
        }
        Ok(())
    }
}

impl Display for Constant {
    fn fmt(&self, formatter: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Constant::String(text) => write_quoted(formatter, text),
            Constant::Integer(value) => write!(formatter, "{value}"),
            Constant::Float(value) => {
                // Rust prints floats without an exponent and with the fewest digits that
                // read back to the same value; a '.' keeps it from reading as an integer.
                let text = value.to_string();
                formatter.write_str(&text)?;
                if text.contains('.') { Ok(()) } else { formatter.write_str(".0") }
            }
            Constant::Boolean(value) => write!(formatter, "{value}"),
            Constant::Timestamp(timestamp) => write!(formatter, "t'{timestamp}'"),
            Constant::Binary(bytes) => {
                write!(formatter, "b'{}'", base64::engine::general_purpose::STANDARD.encode(bytes))
            }
            Constant::Hex(bytes) => write!(formatter, "h'{}'", hex::encode(bytes)),
            Constant::Set(members) => {
                formatter.write_char('(')?;
                for (index, member) in members.iter().enumerate() {
                    if index > 0 {
                        formatter.write_str(", ")?;
                    }
                    write!(formatter, "{member}")?;
                }
                formatter.write_char(')')
            }
        }
    }
}

/// Writes `text` as a string literal, escaping the two characters the grammar escapes.
fn write_quoted(formatter: &mut Formatter<'_>, text: &str) -> fmt::Result {
    formatter.write_char('\'')?;
    for character in text.chars() {
        if character == '\'' || character == '\\' {
            formatter.write_char('\\')?;
        }
        formatter.write_char(character)?;
    }
    formatter.write_char('\'')
}
