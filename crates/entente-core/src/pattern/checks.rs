//! The rules the grammar cannot express, and the wording of tokens in errors.
//!
//! The grammar says which tokens may follow which; these functions add what it leaves
//! out: an object type must be a STIX type name, numbers must fit their Rust types,
//! `WITHIN` durations are read exactly, and each operator takes only certain kinds of
//! constant (`IN` a set; `LIKE`, `MATCHES`, `ISSUBSET` and `ISSUPERSET` a string; the
//! ordering operators anything but a boolean or a set; `=` and `!=` anything but a set).
//!
//! Invariants: every function is pure and total; none panics on any input.
//!
//! What it deliberately does not do: know positions. Callers attach the position of
//! the token they checked to the reason returned here.

use super::ast::{Constant, Operator};
use super::lexer::{KEYWORDS, TokenKind};
use std::time::Duration;

/// Names a token for an error message.
pub(super) fn describe(kind: &TokenKind) -> String {
    match kind {
        TokenKind::Word(word) => {
            let upper = word.to_uppercase();
            if upper != *word && KEYWORDS.contains(&upper.as_str()) {
                format!("'{word}' (keywords are upper-case)")
            } else {
                format!("'{word}'")
            }
        }
        TokenKind::String(_) => "a string literal".to_owned(),
        TokenKind::Number(text) => format!("'{text}'"),
        TokenKind::Timestamp(_) => "a timestamp literal".to_owned(),
        TokenKind::Binary(_) => "a binary literal".to_owned(),
        TokenKind::Hex(_) => "a hex literal".to_owned(),
        TokenKind::Operator(operator) => format!("'{}'", operator.symbol()),
        TokenKind::LeftBracket => "'['".to_owned(),
        TokenKind::RightBracket => "']'".to_owned(),
        TokenKind::LeftParen => "'('".to_owned(),
        TokenKind::RightParen => "')'".to_owned(),
        TokenKind::Colon => "':'".to_owned(),
        TokenKind::Dot => "'.'".to_owned(),
        TokenKind::Comma => "','".to_owned(),
        TokenKind::Star => "'*'".to_owned(),
        TokenKind::End | TokenKind::Invalid(_) => "the end of the pattern".to_owned(),
    }
}

/// Checks a STIX type name: 3 to 250 characters from a–z, 0–9 and '-'. The lexer has
/// already made sure it starts with a letter or '_'.
pub(super) fn check_object_type(name: &str) -> Result<(), String> {
    let well_formed = (3..=250).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !KEYWORDS.contains(&name);
    if well_formed {
        Ok(())
    } else {
        Err(format!("'{name}' is not a STIX object type: expected 3 to 250 lower-case letters, digits or hyphens"))
    }
}

/// Converts a number token: with a '.', a finite float; otherwise a 64-bit integer.
pub(super) fn number(text: &str) -> Result<Constant, String> {
    if text.contains('.') {
        match text.parse::<f64>() {
            Ok(value) if value.is_finite() => Ok(Constant::Float(value)),
            _ => Err(format!("float literal {text} is out of range")),
        }
    } else {
        text.parse::<i64>()
            .map(Constant::Integer)
            .map_err(|_| format!("integer literal {text} does not fit in 64 bits"))
    }
}

/// Reads a non-negative decimal number of seconds exactly, without going through a
/// float, so that printing and re-parsing a duration gives back the same duration.
/// Digits beyond nanoseconds are dropped. `None` for negative or oversized numbers.
pub(super) fn parse_seconds(text: &str) -> Option<Duration> {
    let unsigned = text.strip_prefix('+').unwrap_or(text);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let seconds = if whole.is_empty() { 0 } else { whole.parse::<u64>().ok()? };
    let mut nanos = 0u32;
    let mut digits = fraction.chars();
    for _ in 0..9 {
        let digit = match digits.next() {
            Some(character) => character.to_digit(10)?,
            None => 0,
        };
        nanos = nanos * 10 + digit;
    }
    Some(Duration::new(seconds, nanos))
}

/// Checks that the constant is of a kind the operator accepts, as the grammar's
/// `propTest` alternatives spell out.
pub(super) fn check_operand(operator: Operator, value: &Constant) -> Result<(), String> {
    let kind = match value {
        Constant::String(_) => "a string",
        Constant::Integer(_) => "an integer",
        Constant::Float(_) => "a float",
        Constant::Boolean(_) => "a boolean",
        Constant::Timestamp(_) => "a timestamp",
        Constant::Binary(_) => "a binary literal",
        Constant::Hex(_) => "a hex literal",
        Constant::Set(_) => "a set",
    };
    let symbol = operator.symbol();
    match operator {
        Operator::In if !matches!(value, Constant::Set(_)) => {
            Err(format!("IN needs a set of constants such as ('a', 'b'), found {kind}"))
        }
        Operator::In => Ok(()),
        _ if matches!(value, Constant::Set(_)) => Err(format!("only IN takes a set; {symbol} needs a single constant")),
        Operator::Equal | Operator::NotEqual => Ok(()),
        Operator::Greater | Operator::Less | Operator::GreaterOrEqual | Operator::LessOrEqual => {
            if matches!(value, Constant::Boolean(_)) {
                Err(format!("{symbol} needs an orderable constant, found {kind}"))
            } else {
                Ok(())
            }
        }
        Operator::Like | Operator::Matches | Operator::IsSubset | Operator::IsSuperset => {
            if matches!(value, Constant::String(_)) {
                Ok(())
            } else {
                Err(format!("{symbol} needs a string constant, found {kind}"))
            }
        }
    }
}
