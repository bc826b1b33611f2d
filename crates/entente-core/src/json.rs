//! JSON text helpers that keep meaning exactly.

/// Removes insignificant whitespace from valid JSON text without re-encoding anything:
/// strings, escapes and number spellings stay byte-identical.
///
/// The input must already be known to be valid JSON; on other text the result is
/// unspecified (but never a panic).
pub fn minify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    for character in text.chars() {
        if in_string {
            out.push(character);
            if escaped {
                escaped = false;
            } else if character == '\\' {
                escaped = true;
            } else if character == '"' {
                in_string = false;
            }
        } else if !matches!(character, ' ' | '\n' | '\r' | '\t') {
            if character == '"' {
                in_string = true;
            }
            out.push(character);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::minify;

    #[test]
    fn keeps_strings_and_numbers() {
        let text = "{ \"a\" : [ 1.50 , 1e3 ],\n \"b\": \"x \\\" y\\\\\", \"c\" : \"\\u00e9 \" }";
        assert_eq!(minify(text), r#"{"a":[1.50,1e3],"b":"x \" y\\","c":"\u00e9 "}"#);
    }
}
