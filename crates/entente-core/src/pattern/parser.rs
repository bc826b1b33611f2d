//! A recursive-descent parser from tokens to the pattern tree.
//!
//! One function per grammar rule of `STIXPattern.g4`, loosest first:
//! `FOLLOWEDBY` → `OR` → `AND` → qualified → `[ … ]` or `( … )` for observation
//! expressions, and `OR` → `AND` → comparison or `( … )` inside the brackets. The
//! grammar's left-recursive rules become loops, so a chain of any length costs no
//! stack; only brackets and parentheses recurse, and they are capped at
//! [`MAX_NESTING`] levels so hostile input cannot exhaust the stack.
//!
//! Invariants: the parser never moves past the final `End` or `Invalid` token; every
//! error is reported at the start of the token that caused it, and a lexical error is
//! reported only when the parser reaches it, so the earliest problem wins.
//!
//! The rules inside the brackets live in the child module `comparison`.
//!
//! What it deliberately does not do: lexing (see `lexer`) or recovery after an error;
//! the first problem ends the parse.

use super::PatternError;
use super::ast::{ObservationExpression, Pattern, Qualifier};
use super::checks::{describe, parse_seconds};
use super::lexer::{Token, TokenKind, tokenize};
use crate::Timestamp;
use std::fmt::Display;
use std::time::Duration;

mod comparison;

/// How deep brackets and parentheses may nest. Real patterns use a handful of levels.
pub(super) const MAX_NESTING: usize = 100;

pub(super) fn parse(text: &str) -> Result<Pattern, PatternError> {
    let mut parser = Parser { tokens: tokenize(text), index: 0, depth: 0 };
    let root = parser.observation_followed_by()?;
    if parser.peek().kind == TokenKind::End {
        Ok(Pattern { root })
    } else {
        Err(parser.unexpected("expected AND, OR, FOLLOWEDBY, a qualifier or the end of the pattern"))
    }
}

struct Parser {
    tokens: Vec<Token>,
    index: usize,
    depth: usize,
}

/// Builds the n-ary node for a chain, or returns the lone operand when there is no chain.
fn collapse<T>(mut operands: Vec<T>, wrap: fn(Vec<T>) -> T) -> T {
    if operands.len() == 1
        && let Some(only) = operands.pop()
    {
        return only;
    }
    wrap(operands)
}

impl Parser {
    fn peek(&self) -> &Token {
        // The token list always ends with `End` or `Invalid`, and `advance` never
        // steps past that last token, so this index is always in range.
        &self.tokens[self.index]
    }

    fn advance(&mut self) -> Token {
        let token = self.peek().clone();
        if self.index + 1 < self.tokens.len() {
            self.index += 1;
        }
        token
    }

    fn eat(&mut self, kind: &TokenKind) -> bool {
        let found = self.peek().kind == *kind;
        if found {
            self.advance();
        }
        found
    }

    fn eat_word(&mut self, keyword: &str) -> bool {
        let found = matches!(&self.peek().kind, TokenKind::Word(word) if word == keyword);
        if found {
            self.advance();
        }
        found
    }

    fn expect(&mut self, kind: &TokenKind, expected: impl Display) -> Result<(), PatternError> {
        if self.eat(kind) { Ok(()) } else { Err(self.unexpected(expected)) }
    }

    fn expect_word(&mut self, keyword: &str, expected: impl Display) -> Result<(), PatternError> {
        if self.eat_word(keyword) { Ok(()) } else { Err(self.unexpected(expected)) }
    }

    /// The error for a token the grammar does not allow here. A lexical error takes
    /// precedence: the token stream stopped there, so it is the real problem.
    fn unexpected(&self, expected: impl Display) -> PatternError {
        let token = self.peek();
        match &token.kind {
            TokenKind::Invalid(error) => error.clone(),
            kind => PatternError::new(token.start, format!("{expected}, found {}", describe(kind))),
        }
    }

    /// Enters one level of brackets or parentheses, refusing to go deeper than the cap.
    fn enter(&mut self, position: usize) -> Result<(), PatternError> {
        if self.depth >= MAX_NESTING {
            let reason = format!("brackets and parentheses nest more than {MAX_NESTING} levels deep");
            return Err(PatternError::new(position, reason));
        }
        self.depth += 1;
        Ok(())
    }

    fn observation_followed_by(&mut self) -> Result<ObservationExpression, PatternError> {
        let mut operands = vec![self.observation_or()?];
        while self.eat_word("FOLLOWEDBY") {
            operands.push(self.observation_or()?);
        }
        Ok(collapse(operands, ObservationExpression::FollowedBy))
    }

    fn observation_or(&mut self) -> Result<ObservationExpression, PatternError> {
        let mut operands = vec![self.observation_and()?];
        while self.eat_word("OR") {
            operands.push(self.observation_and()?);
        }
        Ok(collapse(operands, ObservationExpression::Or))
    }

    fn observation_and(&mut self) -> Result<ObservationExpression, PatternError> {
        let mut operands = vec![self.observation_qualified()?];
        while self.eat_word("AND") {
            operands.push(self.observation_qualified()?);
        }
        Ok(collapse(operands, ObservationExpression::And))
    }

    /// An observation expression followed by any number of qualifiers. As in the
    /// reference validator, one expression may not carry two qualifiers of one kind
    /// (`WITHIN 5 SECONDS WITHIN 6 SECONDS`); parentheses make a new expression that may.
    fn observation_qualified(&mut self) -> Result<ObservationExpression, PatternError> {
        let expression = self.observation_primary()?;
        let mut qualifiers: Vec<Qualifier> = Vec::new();
        while let Some((start, qualifier)) = self.qualifier()? {
            if qualifiers.iter().any(|existing| existing.keyword() == qualifier.keyword()) {
                let reason = format!(
                    "this observation expression already has a {} qualifier; \
                     wrap it in parentheses to apply another",
                    qualifier.keyword()
                );
                return Err(PatternError::new(start, reason));
            }
            qualifiers.push(qualifier);
        }
        if qualifiers.is_empty() {
            return Ok(expression);
        }
        Ok(ObservationExpression::Qualified { expression: Box::new(expression), qualifiers })
    }

    fn observation_primary(&mut self) -> Result<ObservationExpression, PatternError> {
        let open = self.peek().start;
        if self.peek().kind == TokenKind::LeftBracket {
            self.enter(open)?;
            self.advance();
            let comparisons = self.comparison_or()?;
            let expected = format!("expected ']' to close the observation expression opened at {open}");
            self.expect(&TokenKind::RightBracket, expected)?;
            self.depth -= 1;
            Ok(ObservationExpression::Observation(comparisons))
        } else if self.peek().kind == TokenKind::LeftParen {
            self.enter(open)?;
            self.advance();
            let inner = self.observation_followed_by()?;
            self.expect(&TokenKind::RightParen, format!("expected ')' to close the parenthesis opened at {open}"))?;
            self.depth -= 1;
            Ok(inner)
        } else {
            Err(self.unexpected("expected '[' or '(' to start an observation expression"))
        }
    }

    /// Reads one qualifier if the next word starts one; the position is the keyword's.
    fn qualifier(&mut self) -> Result<Option<(usize, Qualifier)>, PatternError> {
        let start = self.peek().start;
        if self.eat_word("WITHIN") {
            let seconds = self.within_seconds()?;
            self.expect_word("SECONDS", "expected SECONDS after the WITHIN duration")?;
            return Ok(Some((start, Qualifier::Within(seconds))));
        }
        if self.eat_word("REPEATS") {
            let count = self.repeat_count()?;
            self.expect_word("TIMES", "expected TIMES after the REPEATS count")?;
            return Ok(Some((start, Qualifier::Repeats(count))));
        }
        if self.eat_word("START") {
            let start_time = self.timestamp("START")?;
            self.expect_word("STOP", "expected STOP after the START timestamp")?;
            let stop_position = self.peek().start;
            let stop_time = self.timestamp("STOP")?;
            if stop_time <= start_time {
                let reason = "the STOP timestamp must be later than the START timestamp";
                return Err(PatternError::new(stop_position, reason));
            }
            return Ok(Some((start, Qualifier::StartStop { start: start_time, stop: stop_time })));
        }
        Ok(None)
    }

    fn within_seconds(&mut self) -> Result<Duration, PatternError> {
        let token = self.peek().clone();
        let TokenKind::Number(text) = &token.kind else {
            return Err(self.unexpected("expected a positive number of seconds after WITHIN"));
        };
        let seconds = parse_seconds(text).filter(|seconds| !seconds.is_zero()).ok_or_else(|| {
            let reason = format!("WITHIN needs a positive number of seconds (at least one nanosecond), found {text}");
            PatternError::new(token.start, reason)
        })?;
        self.advance();
        Ok(seconds)
    }

    fn repeat_count(&mut self) -> Result<u64, PatternError> {
        let token = self.peek().clone();
        let TokenKind::Number(text) = &token.kind else {
            return Err(self.unexpected("expected a positive whole number after REPEATS"));
        };
        let count = text.parse::<u64>().ok().filter(|count| *count > 0).ok_or_else(|| {
            let reason = format!("REPEATS needs a positive whole number that fits in 64 bits, found {text}");
            PatternError::new(token.start, reason)
        })?;
        self.advance();
        Ok(count)
    }

    fn timestamp(&mut self, after: &str) -> Result<Timestamp, PatternError> {
        if let TokenKind::Timestamp(timestamp) = self.peek().kind {
            self.advance();
            return Ok(timestamp);
        }
        Err(self.unexpected(format!("expected a timestamp literal such as t'2016-01-01T00:00:00Z' after {after}")))
    }
}
