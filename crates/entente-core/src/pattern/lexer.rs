//! Turns pattern text into tokens, each tagged with the character offset it starts at.
//!
//! The token rules follow the lexer half of `STIXPattern.g4`: identifiers may contain
//! hyphens (object types need them), strings know only the escapes `\'` and `\\`,
//! whitespace is Unicode white space, and `/* … */` and `// …` comments are skipped.
//! Typed literals (`t'…'`, `b'…'`, `h'…'`) are checked and decoded here, because the
//! lexer knows exactly where each one starts.
//!
//! Invariants: offsets count characters, not bytes, so they are right for any UTF-8
//! input; the token list is never empty and ends with exactly one `End` or `Invalid`
//! token, so the parser can always peek.
//!
//! What it deliberately does not do: decide what a word means. Keywords, operators
//! spelled as words and identifiers all come out as `Word`; the parser interprets them
//! in context, which lets it name the construct it expected in its errors.

use super::PatternError;
use super::ast::Operator;
use crate::Timestamp;
use base64::Engine;

/// Words the grammar reserves. They cannot be bare property names or object types.
pub(super) const KEYWORDS: [&str; 19] = [
    "AND",
    "OR",
    "NOT",
    "FOLLOWEDBY",
    "LIKE",
    "MATCHES",
    "ISSUPERSET",
    "ISSUBSET",
    "EXISTS",
    "LAST",
    "IN",
    "START",
    "STOP",
    "SECONDS",
    "true",
    "false",
    "WITHIN",
    "REPEATS",
    "TIMES",
];

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Token {
    /// Character offset of the token's first character.
    pub start: usize,
    pub kind: TokenKind,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum TokenKind {
    /// An identifier or keyword: `[A-Za-z_][A-Za-z0-9_-]*`.
    Word(String),
    /// A string literal with its escapes resolved.
    String(String),
    /// A number exactly as written, sign included; the parser picks its type.
    Number(String),
    Timestamp(Timestamp),
    Binary(Vec<u8>),
    Hex(Vec<u8>),
    /// `=`, `==`, `!=`, `<>`, `<`, `<=`, `>` or `>=`.
    Operator(Operator),
    LeftBracket,
    RightBracket,
    LeftParen,
    RightParen,
    Colon,
    Dot,
    Comma,
    Star,
    End,
    /// The text could not be split into tokens from here on.
    Invalid(PatternError),
}

/// True when `name` can be written as a bare property name: an identifier without
/// hyphens that is not a keyword.
pub(super) fn is_plain_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    let starts_well = chars.next().is_some_and(|first| first.is_ascii_alphabetic() || first == '_');
    starts_well && chars.all(|rest| rest.is_ascii_alphanumeric() || rest == '_') && !KEYWORDS.contains(&name)
}

/// Splits `text` into tokens. A lexical error becomes the final `Invalid` token, so
/// that a syntax error earlier in the text is still reported first.
pub(super) fn tokenize(text: &str) -> Vec<Token> {
    let mut lexer = Lexer { chars: text.chars().collect(), position: 0 };
    let mut tokens = Vec::new();
    loop {
        match lexer.next_token() {
            Ok(token) => {
                let finished = token.kind == TokenKind::End;
                tokens.push(token);
                if finished {
                    return tokens;
                }
            }
            Err(error) => {
                tokens.push(Token { start: error.position, kind: TokenKind::Invalid(error) });
                return tokens;
            }
        }
    }
}

struct Lexer {
    chars: Vec<char>,
    position: usize,
}

impl Lexer {
    fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.position + offset).copied()
    }

    fn next_token(&mut self) -> Result<Token, PatternError> {
        self.skip_space_and_comments()?;
        let start = self.position;
        let Some(current) = self.peek_at(0) else {
            return Ok(Token { start, kind: TokenKind::End });
        };
        let next = self.peek_at(1);
        let kind = match current {
            '\'' => TokenKind::String(self.string(start)?),
            't' | 'b' | 'h' if next == Some('\'') => self.typed_literal(current, start)?,
            'a'..='z' | 'A'..='Z' | '_' => TokenKind::Word(self.word()),
            '0'..='9' | '.' | '+' | '-' if self.number_ahead() => TokenKind::Number(self.number(start)?),
            _ => self.punctuation(current, next, start)?,
        };
        Ok(Token { start, kind })
    }

    fn skip_space_and_comments(&mut self) -> Result<(), PatternError> {
        loop {
            match (self.peek_at(0), self.peek_at(1)) {
                (Some(space), _) if space.is_whitespace() => self.position += 1,
                (Some('/'), Some('/')) => {
                    while self.peek_at(0).is_some_and(|c| c != '\n' && c != '\r') {
                        self.position += 1;
                    }
                }
                (Some('/'), Some('*')) => {
                    let start = self.position;
                    self.position += 2;
                    loop {
                        match (self.peek_at(0), self.peek_at(1)) {
                            (Some('*'), Some('/')) => break,
                            (Some(_), _) => self.position += 1,
                            (None, _) => {
                                return Err(PatternError::new(start, "unterminated comment"));
                            }
                        }
                    }
                    self.position += 2;
                }
                _ => return Ok(()),
            }
        }
    }

    fn word(&mut self) -> String {
        let start = self.position;
        while self.peek_at(0).is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            self.position += 1;
        }
        self.chars[start..self.position].iter().collect()
    }

    /// True when a number starts here: a digit, or a sign or dot that a digit follows
    /// (`-5`, `+.5`, `.5`).
    fn number_ahead(&self) -> bool {
        let digit_at = |offset| self.peek_at(offset).is_some_and(|c: char| c.is_ascii_digit());
        match self.peek_at(0) {
            Some('+' | '-') => digit_at(1) || (self.peek_at(1) == Some('.') && digit_at(2)),
            Some('.') => digit_at(1),
            _ => digit_at(0),
        }
    }

    /// Reads `[+-]? digits` or `[+-]? digits? '.' digits`, as the grammar's integer and
    /// float literals allow.
    fn number(&mut self, start: usize) -> Result<String, PatternError> {
        if matches!(self.peek_at(0), Some('+' | '-')) {
            self.position += 1;
        }
        let whole_start = self.position;
        self.skip_digits();
        let whole_digits = self.position - whole_start;
        let is_float = self.peek_at(0) == Some('.') && self.peek_at(1).is_some_and(|c| c.is_ascii_digit());
        if is_float {
            self.position += 1;
            self.skip_digits();
        } else if whole_digits > 1 && self.chars.get(whole_start) == Some(&'0') {
            // The grammar spells integers `0 | [1-9][0-9]*`; `007` is not one number.
            return Err(PatternError::new(start, "integer literals must not have leading zeros"));
        }
        Ok(self.chars[start..self.position].iter().collect())
    }

    fn skip_digits(&mut self) {
        while self.peek_at(0).is_some_and(|c| c.is_ascii_digit()) {
            self.position += 1;
        }
    }

    /// Reads a quoted string starting at the opening quote and resolves its escapes.
    fn string(&mut self, start: usize) -> Result<String, PatternError> {
        self.position += 1;
        let mut value = String::new();
        loop {
            let Some(current) = self.peek_at(0) else {
                return Err(PatternError::new(start, "unterminated string literal"));
            };
            self.position += 1;
            match current {
                '\'' => return Ok(value),
                '\\' => match self.peek_at(0) {
                    Some(escaped @ ('\'' | '\\')) => {
                        value.push(escaped);
                        self.position += 1;
                    }
                    Some(other) => {
                        let reason =
                            format!("invalid escape '\\{other}' in string literal; only \\' and \\\\ are allowed");
                        return Err(PatternError::new(self.position - 1, reason));
                    }
                    None => return Err(PatternError::new(start, "unterminated string literal")),
                },
                other => value.push(other),
            }
        }
    }

    /// Reads `t'…'`, `b'…'` or `h'…'` and decodes the content. The content has no
    /// escapes: none of the three alphabets contains a quote or a backslash.
    fn typed_literal(&mut self, prefix: char, start: usize) -> Result<TokenKind, PatternError> {
        self.position += 2;
        let content_start = self.position;
        while self.peek_at(0).is_some_and(|c| c != '\'') {
            self.position += 1;
        }
        if self.peek_at(0).is_none() {
            return Err(PatternError::new(start, format!("unterminated {prefix}'…' literal")));
        }
        let content: String = self.chars[content_start..self.position].iter().collect();
        self.position += 1;
        let invalid = |reason: String| PatternError::new(start, reason);
        match prefix {
            't' => Timestamp::parse(&content)
                .map(TokenKind::Timestamp)
                .map_err(|error| invalid(format!("invalid timestamp literal: {}", error.reason))),
            'b' => decode_base64(&content).map(TokenKind::Binary).map_err(invalid),
            _ => decode_hex(&content).map(TokenKind::Hex).map_err(invalid),
        }
    }

    fn punctuation(&mut self, current: char, next: Option<char>, start: usize) -> Result<TokenKind, PatternError> {
        let (kind, width) = match (current, next) {
            ('=', Some('=')) => (TokenKind::Operator(Operator::Equal), 2),
            ('=', _) => (TokenKind::Operator(Operator::Equal), 1),
            ('!', Some('=')) | ('<', Some('>')) => (TokenKind::Operator(Operator::NotEqual), 2),
            ('<', Some('=')) => (TokenKind::Operator(Operator::LessOrEqual), 2),
            ('<', _) => (TokenKind::Operator(Operator::Less), 1),
            ('>', Some('=')) => (TokenKind::Operator(Operator::GreaterOrEqual), 2),
            ('>', _) => (TokenKind::Operator(Operator::Greater), 1),
            ('[', _) => (TokenKind::LeftBracket, 1),
            (']', _) => (TokenKind::RightBracket, 1),
            ('(', _) => (TokenKind::LeftParen, 1),
            (')', _) => (TokenKind::RightParen, 1),
            (':', _) => (TokenKind::Colon, 1),
            ('.', _) => (TokenKind::Dot, 1),
            (',', _) => (TokenKind::Comma, 1),
            ('*', _) => (TokenKind::Star, 1),
            ('"', _) => {
                let reason = "double quotes are not allowed; string literals use single quotes";
                return Err(PatternError::new(start, reason));
            }
            (other, _) => {
                return Err(PatternError::new(start, format!("unexpected character {other:?}")));
            }
        };
        self.position += width;
        Ok(kind)
    }
}

/// Decodes a binary literal. The grammar wants whole, padded groups of four base64
/// characters and at least one group.
fn decode_base64(content: &str) -> Result<Vec<u8>, String> {
    if content.is_empty() {
        return Err("binary literal must not be empty".to_owned());
    }
    if !content.len().is_multiple_of(4) {
        return Err("binary literal must be padded base64 (a multiple of four characters)".to_owned());
    }
    base64::engine::general_purpose::STANDARD
        .decode(content)
        .map_err(|error| format!("binary literal is not valid base64: {error}"))
}

/// Decodes a hex literal: an even number of hex digits, possibly none.
fn decode_hex(content: &str) -> Result<Vec<u8>, String> {
    if !content.chars().count().is_multiple_of(2) {
        return Err("hex literal must have an even number of hex digits".to_owned());
    }
    hex::decode(content).map_err(|_| "hex literal may contain only the digits 0-9 and a-f".to_owned())
}
