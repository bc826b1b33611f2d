//! What an indicator value is, and its normal form (`docs/match.md`).

use crate::url;
use std::net::{Ipv4Addr, Ipv6Addr};

/// The kinds of value the engine matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Ipv4,
    Ipv6,
    Domain,
    Url,
    Email,
    Md5,
    Sha1,
    Sha256,
    Sha512,
    /// A certificate fingerprint (SHA-1 or SHA-256 of the DER certificate).
    Fingerprint,
}

impl Kind {
    pub const ALL: [Kind; 10] = [
        Kind::Ipv4,
        Kind::Ipv6,
        Kind::Domain,
        Kind::Url,
        Kind::Email,
        Kind::Md5,
        Kind::Sha1,
        Kind::Sha256,
        Kind::Sha512,
        Kind::Fingerprint,
    ];

    /// The name used on the command line and in output.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Ipv4 => "ipv4",
            Kind::Ipv6 => "ipv6",
            Kind::Domain => "domain",
            Kind::Url => "url",
            Kind::Email => "email",
            Kind::Md5 => "md5",
            Kind::Sha1 => "sha1",
            Kind::Sha256 => "sha256",
            Kind::Sha512 => "sha512",
            Kind::Fingerprint => "fingerprint",
        }
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// Whether this kind is an address (matched in address fields).
    pub fn is_address(self) -> bool {
        matches!(self, Kind::Ipv4 | Kind::Ipv6)
    }

    /// Whether this kind is compared as hex digits.
    pub fn is_hex(self) -> bool {
        matches!(self, Kind::Md5 | Kind::Sha1 | Kind::Sha256 | Kind::Sha512 | Kind::Fingerprint)
    }

    /// The kind a bare value most likely is (for plain lists of values, one a line):
    /// an address or network, a hash by its length, a URL with a scheme, an e-mail
    /// address, else a domain. `None` for a value that is none of them.
    pub fn guess(value: &str) -> Option<Kind> {
        let value = value.trim();
        let address = value.split_once('/').map_or(value, |(address, _)| address);
        if address.parse::<Ipv4Addr>().is_ok() {
            return Some(Kind::Ipv4);
        }
        if address.contains(':') && address.parse::<Ipv6Addr>().is_ok() {
            return Some(Kind::Ipv6);
        }
        if value.contains("://") {
            return Some(Kind::Url);
        }
        if value.contains('@') {
            return Some(Kind::Email);
        }
        if value.bytes().all(|b| b.is_ascii_hexdigit()) {
            return match value.len() {
                32 => Some(Kind::Md5),
                40 => Some(Kind::Sha1),
                64 => Some(Kind::Sha256),
                128 => Some(Kind::Sha512),
                _ => None,
            };
        }
        if value.contains(':') && normal_hex(value, &[20, 32]).is_some() {
            return Some(Kind::Fingerprint);
        }
        domain(value).map(|_| Kind::Domain)
    }
}

/// The normal form of one indicator value: what the engine stores and compares.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Normal {
    /// An IPv4 network: host bits cleared.
    V4 { net: u32, len: u8 },
    /// An IPv6 network: host bits cleared.
    V6 { net: u128, len: u8 },
    /// A value compared as bytes, in its class.
    Bytes { class: Class, bytes: Vec<u8> },
}

/// The byte-compared classes: values of different classes never meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    Domain,
    Url,
    Email,
    Hex,
}

impl Normal {
    /// The normal form of `value` as a `kind`, or why it is not one.
    pub fn of(kind: Kind, value: &str) -> Result<Normal, String> {
        let value = value.trim();
        match kind {
            Kind::Ipv4 => {
                let (address, len) = split_prefix(value, 32)?;
                let address = ipv4(address.as_bytes()).ok_or_else(|| format!("not an IPv4 address: {value:?}"))?;
                Ok(Normal::V4 { net: address & v4_mask(len), len })
            }
            Kind::Ipv6 => {
                let (address, len) = split_prefix(value, 128)?;
                let address: Ipv6Addr = address.parse().map_err(|_| format!("not an IPv6 address: {value:?}"))?;
                Ok(Normal::V6 { net: u128::from(address) & v6_mask(len), len })
            }
            Kind::Domain => domain(value).map(|bytes| Normal::Bytes { class: Class::Domain, bytes }).ok_or_else(|| {
                format!("not a domain name (two labels or more of letters, digits, - and _): {value:?}")
            }),
            Kind::Url => match url::normalize(value.as_bytes()) {
                None => Err(format!("not a URL with a scheme and '//': {value:?}")),
                Some(bytes) if bytes.last().is_some_and(|b| b".,;:!?".contains(b)) => Err(format!(
                    "a URL ending in punctuation can never match (a log's trailing punctuation is not read as part of a URL): {value:?}"
                )),
                Some(bytes) => Ok(Normal::Bytes { class: Class::Url, bytes }),
            },
            Kind::Email => email(value)
                .map(|bytes| Normal::Bytes { class: Class::Email, bytes })
                .ok_or_else(|| format!("not an e-mail address (local@domain.tld): {value:?}")),
            Kind::Md5 | Kind::Sha1 | Kind::Sha256 | Kind::Sha512 | Kind::Fingerprint => {
                let lengths: &[usize] = match kind {
                    Kind::Md5 => &[16],
                    Kind::Sha1 => &[20],
                    Kind::Sha256 => &[32],
                    Kind::Sha512 => &[64],
                    _ => &[20, 32],
                };
                normal_hex(value, lengths).map(|bytes| Normal::Bytes { class: Class::Hex, bytes }).ok_or_else(|| {
                    let digits: Vec<String> = lengths.iter().map(|n| (n * 2).to_string()).collect();
                    format!("not a {} ({} hex digits): {value:?}", kind.name(), digits.join(" or "))
                })
            }
        }
    }
}

fn split_prefix(value: &str, max: u8) -> Result<(&str, u8), String> {
    match value.split_once('/') {
        None => Ok((value, max)),
        Some((address, len)) => match len.parse::<u8>() {
            Ok(len) if len <= max => Ok((address, len)),
            _ => Err(format!("prefix length must be 0 to {max}: {value:?}")),
        },
    }
}

/// The mask of an IPv4 prefix of `len` bits.
pub fn v4_mask(len: u8) -> u32 {
    if len == 0 { 0 } else { u32::MAX << (32 - u32::from(len)) }
}

/// The mask of an IPv6 prefix of `len` bits.
pub fn v6_mask(len: u8) -> u128 {
    if len == 0 { 0 } else { u128::MAX << (128 - u32::from(len)) }
}

/// Four groups of 1–3 decimal digits separated by dots, each at most 255 (leading
/// zeros read as decimal, as in logs).
pub fn ipv4(bytes: &[u8]) -> Option<u32> {
    let mut address = 0u32;
    let mut groups = 0;
    for group in bytes.split(|&b| b == b'.') {
        if group.is_empty() || group.len() > 3 || !group.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let value = group.iter().fold(0u32, |v, d| v * 10 + u32::from(d - b'0'));
        if value > 255 {
            return None;
        }
        address = (address << 8) | value;
        groups += 1;
    }
    (groups == 4).then_some(address)
}

/// A domain's normal form: lower case, outer dots removed, two labels or more of
/// 1–63 bytes, a letter somewhere (an all-digit name is an address, never a domain
/// candidate).
pub fn domain(value: &str) -> Option<Vec<u8>> {
    let trimmed = value.trim_matches('.');
    let ok = trimmed.contains('.')
        && trimmed.len() <= 253
        && trimmed.bytes().any(|b| b.is_ascii_alphabetic())
        && trimmed.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && trimmed.split('.').all(|label| !label.is_empty() && label.len() <= 63);
    ok.then(|| trimmed.to_ascii_lowercase().into_bytes())
}

fn email(value: &str) -> Option<Vec<u8>> {
    let (local, domain) = value.split_once('@')?;
    let ok = !local.is_empty()
        && !local.starts_with('.')
        && !local.ends_with('.')
        && value.len() <= 254
        && !domain.contains('@')
        && local.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
        && self::domain(domain).is_some_and(|d| d.len() == domain.len());
    ok.then(|| value.to_ascii_lowercase().into_bytes())
}

/// Hex digits (optionally as colon-separated pairs) of one of the byte `lengths`.
fn normal_hex(value: &str, lengths: &[usize]) -> Option<Vec<u8>> {
    let digits: String = if value.contains(':') {
        let pairs: Vec<&str> = value.split(':').collect();
        if !pairs.iter().all(|pair| pair.len() == 2) {
            return None;
        }
        pairs.concat()
    } else {
        value.to_owned()
    };
    let ok = digits.bytes().all(|b| b.is_ascii_hexdigit()) && lengths.iter().any(|n| n * 2 == digits.len());
    ok.then(|| digits.to_ascii_lowercase().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_clear_host_bits() {
        assert_eq!(Normal::of(Kind::Ipv4, "10.1.2.3/8"), Ok(Normal::V4 { net: 10 << 24, len: 8 }));
        assert_eq!(Normal::of(Kind::Ipv4, "10.1.2.3"), Ok(Normal::V4 { net: 0x0a01_0203, len: 32 }));
        assert!(Normal::of(Kind::Ipv4, "10.1.2.3/33").is_err());
        assert!(Normal::of(Kind::Ipv4, "10.1.2/8").is_err());
        assert_eq!(Normal::of(Kind::Ipv6, "2001:db8::1/32"), Ok(Normal::V6 { net: 0x2001_0db8 << 96, len: 32 }));
    }

    #[test]
    fn byte_classes() {
        let bytes = |class, text: &str| Ok(Normal::Bytes { class, bytes: text.as_bytes().to_vec() });
        assert_eq!(Normal::of(Kind::Domain, "Evil.Example.COM."), bytes(Class::Domain, "evil.example.com"));
        assert!(Normal::of(Kind::Domain, "localhost").is_err());
        assert!(Normal::of(Kind::Domain, "a..b").is_err());
        assert_eq!(Normal::of(Kind::Email, "Bad@Evil.com"), bytes(Class::Email, "bad@evil.com"));
        assert!(Normal::of(Kind::Email, "a@b@c.com").is_err());
        assert_eq!(
            Normal::of(Kind::Md5, "D41D8CD98F00B204E9800998ECF8427E"),
            bytes(Class::Hex, "d41d8cd98f00b204e9800998ecf8427e")
        );
        assert!(Normal::of(Kind::Sha1, "d41d8cd98f00b204e9800998ecf8427e").is_err());
        let colons = "AB:".repeat(19) + "CD";
        assert_eq!(Normal::of(Kind::Fingerprint, &colons), bytes(Class::Hex, &("ab".repeat(19) + "cd")));
    }

    #[test]
    fn guesses() {
        for (value, kind) in [
            ("1.2.3.4", Kind::Ipv4),
            ("10.0.0.0/8", Kind::Ipv4),
            ("2001:db8::/32", Kind::Ipv6),
            ("http://x.com/a", Kind::Url),
            ("a@x.com", Kind::Email),
            ("d41d8cd98f00b204e9800998ecf8427e", Kind::Md5),
            ("x.example.org", Kind::Domain),
        ] {
            assert_eq!(Kind::guess(value), Some(kind), "{value}");
        }
        assert_eq!(Kind::guess("no spaces please"), None);
    }
}
