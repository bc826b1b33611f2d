//! The inside of an observation's brackets: comparisons, object paths and constants.
//!
//! A child of the parser, so it shares the token cursor and the nesting cap. It follows
//! the grammar's `comparisonExpression` rules: `OR` of `AND` of a parenthesised
//! comparison expression, `objectPath NOT? operator constant`, where the operator
//! decides which constants are allowed (see `checks::check_operand`), or
//! `EXISTS objectPath`, which the grammar does not let `NOT` negate.
//!
//! Invariants: as for the parser; in addition every object path it returns starts with
//! a property step, and every set it returns holds only literals, never nested sets.
//!
//! What it deliberately does not do: check that a path names a real property of the
//! object type, or that a value suits that property; patterns may name custom objects
//! and properties this code has never heard of.

use super::Parser;
use super::collapse;
use crate::pattern::PatternError;
use crate::pattern::ast::{Comparison, ComparisonExpression, Constant, ObjectPath, Operator, PathStep};
use crate::pattern::checks::{check_object_type, check_operand, describe, number};
use crate::pattern::lexer::{KEYWORDS, TokenKind, is_plain_identifier};
use std::fmt::Display;

impl Parser {
    pub(super) fn comparison_or(&mut self) -> Result<ComparisonExpression, PatternError> {
        let mut operands = vec![self.comparison_and()?];
        while self.eat_word("OR") {
            operands.push(self.comparison_and()?);
        }
        Ok(collapse(operands, ComparisonExpression::Or))
    }

    fn comparison_and(&mut self) -> Result<ComparisonExpression, PatternError> {
        let mut operands = vec![self.comparison_primary()?];
        while self.eat_word("AND") {
            operands.push(self.comparison_primary()?);
        }
        Ok(collapse(operands, ComparisonExpression::And))
    }

    fn comparison_primary(&mut self) -> Result<ComparisonExpression, PatternError> {
        let open = self.peek().start;
        match &self.peek().kind {
            TokenKind::LeftParen => {
                self.enter(open)?;
                self.advance();
                let inner = self.comparison_or()?;
                self.expect(&TokenKind::RightParen, format!("expected ')' to close the parenthesis opened at {open}"))?;
                self.depth -= 1;
                Ok(inner)
            }
            TokenKind::Word(word) if word == "EXISTS" => {
                self.advance();
                if !matches!(self.peek().kind, TokenKind::Word(_)) {
                    return Err(self.unexpected("expected an object path such as file:size after EXISTS"));
                }
                Ok(ComparisonExpression::Exists(self.object_path()?))
            }
            TokenKind::Word(word) if word == "NOT" => Err(PatternError::new(
                open,
                "NOT goes after the object path, as in file:size NOT IN (1, 2), and EXISTS cannot be negated",
            )),
            TokenKind::Word(_) => Ok(ComparisonExpression::Comparison(self.comparison()?)),
            _ => Err(self.unexpected("expected a comparison such as file:name = 'a.exe', an EXISTS test, or '('")),
        }
    }

    fn comparison(&mut self) -> Result<Comparison, PatternError> {
        let path = self.object_path()?;
        let negated = self.eat_word("NOT");
        let operator = self.operator(negated)?;
        let value_position = self.peek().start;
        let value = self.constant(operator)?;
        check_operand(operator, &value).map_err(|reason| PatternError::new(value_position, reason))?;
        Ok(Comparison { path, negated, operator, value })
    }

    fn object_path(&mut self) -> Result<ObjectPath, PatternError> {
        let token = self.advance();
        let TokenKind::Word(object_type) = token.kind else {
            return Err(PatternError::new(token.start, "expected an object type"));
        };
        check_object_type(&object_type).map_err(|reason| PatternError::new(token.start, reason))?;
        self.expect(&TokenKind::Colon, format!("expected ':' after the object type '{object_type}'"))?;
        let mut steps = vec![PathStep::Property(self.property("after ':'")?)];
        loop {
            if self.eat(&TokenKind::Dot) {
                steps.push(PathStep::Property(self.property("after '.'")?));
            } else if self.eat(&TokenKind::LeftBracket) {
                steps.push(self.index_step()?);
            } else {
                return Ok(ObjectPath { object_type, steps });
            }
        }
    }

    /// A property name: a bare identifier without hyphens, or a quoted string.
    fn property(&mut self, after: &str) -> Result<String, PatternError> {
        let token = self.peek().clone();
        let name = match token.kind {
            TokenKind::String(name) => name,
            TokenKind::Word(name) if is_plain_identifier(&name) => name,
            TokenKind::Word(name) if KEYWORDS.contains(&name.as_str()) => {
                let reason = format!("'{name}' is a keyword; quote it to use it as a property name");
                return Err(PatternError::new(token.start, reason));
            }
            TokenKind::Word(name) => {
                let reason = format!("property name '{name}' contains '-'; quote it as '{name}'");
                return Err(PatternError::new(token.start, reason));
            }
            _ => return Err(self.unexpected(format!("expected a property name {after}"))),
        };
        self.advance();
        Ok(name)
    }

    /// The inside of `[n]` or `[*]`, after the opening bracket.
    fn index_step(&mut self) -> Result<PathStep, PatternError> {
        let token = self.peek().clone();
        let step = match &token.kind {
            TokenKind::Star => PathStep::AnyIndex,
            TokenKind::Number(text) => PathStep::Index(text.parse::<i64>().map_err(|_| {
                let reason = format!("list index {text} is not a whole number that fits in 64 bits");
                PatternError::new(token.start, reason)
            })?),
            _ => return Err(self.unexpected("expected a list index or '*' after '['")),
        };
        self.advance();
        self.expect(&TokenKind::RightBracket, "expected ']' after the list index")?;
        Ok(step)
    }

    fn operator(&mut self, negated: bool) -> Result<Operator, PatternError> {
        let token = self.peek().clone();
        let operator = match &token.kind {
            TokenKind::Operator(operator) => *operator,
            TokenKind::Word(word) => match word.as_str() {
                "IN" => Operator::In,
                "LIKE" => Operator::Like,
                "MATCHES" => Operator::Matches,
                "ISSUBSET" => Operator::IsSubset,
                "ISSUPERSET" => Operator::IsSuperset,
                "EXISTS" => {
                    let reason = "EXISTS goes before the object path, as in EXISTS file:size, and cannot be negated";
                    return Err(PatternError::new(token.start, reason));
                }
                _ => {
                    return Err(PatternError::new(token.start, format!("unknown operator {}", describe(&token.kind))));
                }
            },
            _ if negated => return Err(self.unexpected("expected a comparison operator after NOT")),
            _ => {
                return Err(self.unexpected("expected a comparison operator after the object path"));
            }
        };
        self.advance();
        Ok(operator)
    }

    fn constant(&mut self, operator: Operator) -> Result<Constant, PatternError> {
        let open = self.peek().start;
        if !self.eat(&TokenKind::LeftParen) {
            return self.literal(format!("expected a constant after {}", operator.symbol()));
        }
        let mut members = Vec::new();
        if self.eat(&TokenKind::RightParen) {
            return Ok(Constant::Set(members));
        }
        loop {
            members.push(self.literal("expected a constant in the set")?);
            if self.eat(&TokenKind::RightParen) {
                return Ok(Constant::Set(members));
            }
            self.expect(&TokenKind::Comma, format!("expected ',' or ')' in the set opened at {open}"))?;
        }
    }

    /// One literal constant: string, number, boolean, timestamp, binary or hex.
    fn literal(&mut self, expected: impl Display) -> Result<Constant, PatternError> {
        let token = self.peek().clone();
        let constant = match token.kind {
            TokenKind::String(text) => Constant::String(text),
            TokenKind::Number(text) => number(&text).map_err(|reason| PatternError::new(token.start, reason))?,
            TokenKind::Word(word) if word == "true" => Constant::Boolean(true),
            TokenKind::Word(word) if word == "false" => Constant::Boolean(false),
            TokenKind::Timestamp(timestamp) => Constant::Timestamp(timestamp),
            TokenKind::Binary(bytes) => Constant::Binary(bytes),
            TokenKind::Hex(bytes) => Constant::Hex(bytes),
            TokenKind::Word(word) => {
                let reason = format!("{expected}, found '{word}'; string constants are written in single quotes");
                return Err(PatternError::new(token.start, reason));
            }
            _ => return Err(self.unexpected(expected)),
        };
        self.advance();
        Ok(constant)
    }
}
