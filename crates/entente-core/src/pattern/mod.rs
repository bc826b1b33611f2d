//! The STIX 2.1 patterning language: parse an indicator's `pattern` into a tree.
//!
//! [`parse`] follows the grammar of the STIX 2.1 specification (`STIXPattern.g4` in
//! the OASIS pattern validator), precedence included, and adds the semantic checks the
//! grammar cannot express: object types are STIX type names, each operator gets the
//! kind of constant it needs, timestamps, base64 and hex literals are well formed,
//! `WITHIN` and `REPEATS` counts are positive, `START` is before `STOP`, and an
//! observation expression carries at most one qualifier of each kind. Keywords are
//! upper-case, as in the grammar; `true` and `false` are lower-case.
//!
//! [`Pattern`]'s `Display` prints a canonical text that parses back to an equal tree.
//!
//! Invariants: parsing never panics and never recurses without bound (nesting is
//! capped), whatever the input; every error names the character offset (0-based,
//! counted in characters, not bytes) where the problem is.
//!
//! `EXISTS objectPath` (`[EXISTS windows-registry-key:values]`) is accepted where the
//! grammar puts it, as an alternative to a comparison, and means that the object has
//! the property the path names. As in the grammar it takes no constant and no `NOT`.
//! It is kept apart from comparisons: [`Pattern::comparisons`] leaves it out and
//! [`Pattern::exists_paths`] lists it.
//!
//! What it deliberately does not do: evaluate patterns (that is the matching engine),
//! compile `MATCHES` regular expressions (the string is kept as written), or check
//! values against the cyber-observable model (hash lengths, known properties).
//!
//! Known differences from the reference validator, all on the strict side: object
//! types must be STIX type names (so `x_custom` is refused), a qualifier kind may not
//! repeat even after a parenthesised expression (`([a]) WITHIN 1 SECONDS WITHIN 2
//! SECONDS`), timestamps take at most nine fractional digits, and base64 literals must
//! be canonical (no stray bits in the last character).
//!
//! Layout: `lexer` makes tokens, `parser` builds the tree from them with the extra
//! rules in `checks`, `ast` defines the tree and `display` prints it.

mod ast;
mod checks;
mod display;
mod lexer;
mod parser;
pub mod terms;
#[cfg(test)]
mod tests;

pub use ast::{
    Comparison, ComparisonExpression, Constant, ObjectPath, ObservationExpression, Operator, PathStep, Pattern,
    Qualifier,
};

/// Parses a STIX 2.1 pattern such as `[file:hashes.'SHA-256' = '…'] WITHIN 300 SECONDS`.
pub fn parse(text: &str) -> Result<Pattern, PatternError> {
    parser::parse(text)
}

/// Why a pattern was refused, and where.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid STIX pattern at character {position}: {reason}")]
pub struct PatternError {
    /// 0-based character offset into the pattern text.
    pub position: usize,
    pub reason: String,
}

impl PatternError {
    fn new(position: usize, reason: impl Into<String>) -> PatternError {
        PatternError { position, reason: reason.into() }
    }
}

impl std::str::FromStr for Pattern {
    type Err = PatternError;

    fn from_str(text: &str) -> Result<Pattern, PatternError> {
        parse(text)
    }
}
