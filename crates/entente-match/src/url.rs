//! The URL normal form (`docs/match.md`): scheme and host lower-cased, default port
//! removed, empty path `/`, percent-encodings of unreserved characters decoded and
//! the others upper-cased, fragment dropped.

/// Whether `b` can be part of a URL in a log (RFC 3986 characters without quotes).
pub fn is_url_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'.'
                | b'_'
                | b'~'
                | b':'
                | b'/'
                | b'?'
                | b'#'
                | b'['
                | b']'
                | b'@'
                | b'!'
                | b'$'
                | b'&'
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b'%'
        )
}

/// Whether `text` is a URL scheme: a letter, then letters, digits, `+`, `-`, `.`.
pub fn is_scheme(text: &[u8]) -> bool {
    match text.split_first() {
        Some((first, rest)) => {
            first.is_ascii_alphabetic()
                && rest.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        }
        None => false,
    }
}

/// The end of the URL that starts at `start` in `hay`: URL bytes, then trailing
/// `. , ; : ! ?` removed.
pub fn url_end(hay: &[u8], start: usize) -> usize {
    let mut end = start;
    while end < hay.len() && is_url_byte(hay[end]) {
        end += 1;
    }
    while end > start && matches!(hay[end - 1], b'.' | b',' | b';' | b':' | b'!' | b'?') {
        end -= 1;
    }
    end
}

fn default_port(scheme: &[u8]) -> &'static [u8] {
    match scheme {
        b"http" | b"ws" => b"80",
        b"https" | b"wss" => b"443",
        b"ftp" => b"21",
        _ => b"",
    }
}

/// The normal form of a URL, or `None` if `text` is not `scheme://…` made of URL bytes.
pub fn normalize(text: &[u8]) -> Option<Vec<u8>> {
    let colon = text.iter().position(|&b| b == b':')?;
    let (scheme, rest) = (&text[..colon], &text[colon + 1..]);
    let rest = rest.strip_prefix(b"//")?;
    if !is_scheme(scheme) || !text.iter().all(|&b| is_url_byte(b)) {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() + 1);
    out.extend(scheme.iter().map(u8::to_ascii_lowercase));
    out.extend_from_slice(b"://");
    let rest = match rest.iter().position(|&b| b == b'#') {
        Some(hash) => &rest[..hash],
        None => rest,
    };
    let authority_end = rest.iter().position(|&b| b == b'/' || b == b'?').unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let (userinfo, hostport) = match authority.iter().rposition(|&b| b == b'@') {
        Some(at) => (&authority[..=at], &authority[at + 1..]),
        None => (&authority[..0], authority),
    };
    // The port starts at the last ':' after any IPv6 literal's closing bracket.
    let host_end = match hostport.iter().rposition(|&b| b == b':') {
        Some(colon) if !hostport[colon..].contains(&b']') => colon,
        _ => hostport.len(),
    };
    let (host, port) = hostport.split_at(host_end);
    out.extend_from_slice(userinfo);
    out.extend(host.iter().map(u8::to_ascii_lowercase));
    let port = port.strip_prefix(b":").unwrap_or(port);
    if !port.is_empty() && port != default_port(&out[..colon]) {
        out.push(b':');
        out.extend_from_slice(port);
    }
    if tail.first() != Some(&b'/') {
        out.push(b'/');
    }
    percent_normal(tail, &mut out);
    Some(out)
}

fn percent_normal(text: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        if b == b'%'
            && i + 3 <= text.len()
            && let (Some(high), Some(low)) = (hex_value(text[i + 1]), hex_value(text[i + 2]))
        {
            {
                let decoded = high * 16 + low;
                if decoded.is_ascii_alphanumeric() || matches!(decoded, b'-' | b'.' | b'_' | b'~') {
                    out.push(decoded);
                } else {
                    out.push(b'%');
                    out.push(text[i + 1].to_ascii_uppercase());
                    out.push(text[i + 2].to_ascii_uppercase());
                }
                i += 3;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
}

fn hex_value(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normal(text: &str) -> Option<String> {
        normalize(text.as_bytes()).map(|bytes| String::from_utf8(bytes).expect("ascii"))
    }

    #[test]
    fn normal_forms() {
        assert_eq!(normal("HTTP://Evil.COM").as_deref(), Some("http://evil.com/"));
        assert_eq!(normal("https://evil.com:443/A?b=C#frag").as_deref(), Some("https://evil.com/A?b=C"));
        assert_eq!(normal("http://evil.com:8080/x").as_deref(), Some("http://evil.com:8080/x"));
        assert_eq!(normal("http://evil.com:/x").as_deref(), Some("http://evil.com/x"));
        assert_eq!(normal("http://User@Evil.com/%7e%41%2f%2F").as_deref(), Some("http://User@evil.com/~A%2F%2F"));
        assert_eq!(normal("http://[2001:DB8::1]:80/").as_deref(), Some("http://[2001:db8::1]/"));
        assert_eq!(normal("http://evil.com?q=1").as_deref(), Some("http://evil.com/?q=1"));
        assert_eq!(normal("http://evil.com/%zz%4").as_deref(), Some("http://evil.com/%zz%4"));
        assert_eq!(normal("evil.com/x"), None);
        assert_eq!(normal("1http://x"), None);
        assert_eq!(normal("http://evil.com/a b"), None);
    }

    #[test]
    fn ends() {
        let hay = b"see http://evil.com/a?b=1. next";
        assert_eq!(&hay[4..url_end(hay, 4)], b"http://evil.com/a?b=1");
        let hay = b"\"http://x.org/\"";
        assert_eq!(&hay[1..url_end(hay, 1)], b"http://x.org/");
    }
}
