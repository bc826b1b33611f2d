//! One normalised observable value and its kind.
//!
//! Normal forms (the rules a second implementation must follow to agree on keys):
//! - **IPv4**: dotted decimal without leading zeros; a network is written
//!   `address/prefix` with the host bits cleared (`10.1.2.3/8` → `10.0.0.0/8`), and
//!   a `/32` is written as the bare address. It also carries its integer range.
//! - **IPv6**: the RFC 5952 text form (Rust's `Ipv6Addr` display); a network is
//!   `address/prefix` with host bits cleared, `/128` bare.
//! - **Domain**: ASCII lower case, no trailing dot, labels of 1–63 characters from
//!   letters, digits, `-` and `_`, at least two labels.
//! - **URL**: scheme and host lower-cased, the default port (`:80` for http, `:443`
//!   for https) dropped, the fragment dropped, an empty path written `/`; path and
//!   query are kept byte for byte (their case can matter to the server).
//! - **E-mail**: the domain part lower-cased (the local part is the mailbox owner's:
//!   kept as written), surrounding whitespace trimmed.
//! - **File hash / certificate fingerprint**: `algorithm:hex`, the algorithm named
//!   as in the STIX hash vocabulary but lower-case without hyphens (`sha256`, `md5`,
//!   `sha1`, `sha512`, `sha3-256` keeps its hyphen), the hex lower-cased and checked
//!   for the algorithm's length; fuzzy hashes (`ssdeep`, `tlsh`) kept as written.

use std::net::{Ipv4Addr, Ipv6Addr};

/// What an observable value is; its code is what the store keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Ipv4,
    Ipv6,
    Domain,
    Url,
    Email,
    FileHash,
    CertificateHash,
}

impl Kind {
    pub const ALL: [Kind; 7] =
        [Kind::Ipv4, Kind::Ipv6, Kind::Domain, Kind::Url, Kind::Email, Kind::FileHash, Kind::CertificateHash];

    /// The stable number the store keeps for this kind.
    pub fn code(self) -> i64 {
        match self {
            Kind::Ipv4 => 1,
            Kind::Ipv6 => 2,
            Kind::Domain => 3,
            Kind::Url => 4,
            Kind::Email => 5,
            Kind::FileHash => 6,
            Kind::CertificateHash => 7,
        }
    }

    pub fn from_code(code: i64) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.code() == code)
    }

    /// The name used in API answers.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Ipv4 => "ipv4",
            Kind::Ipv6 => "ipv6",
            Kind::Domain => "domain",
            Kind::Url => "url",
            Kind::Email => "email",
            Kind::FileHash => "file-hash",
            Kind::CertificateHash => "certificate-hash",
        }
    }
}

/// A normalised value. Only the parsers below make one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Observable {
    kind: Kind,
    value: String,
    /// IPv4 only: the first and last address covered.
    range: Option<(u32, u32)>,
}

impl Observable {
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The normal form.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The IPv4 addresses covered, first and last, for an IPv4 address or network.
    pub fn range(&self) -> Option<(u32, u32)> {
        self.range
    }

    /// The 64-bit key the store indexes: the first eight bytes of SHA-256 over the
    /// kind code and the normal form. Eight bytes keep the index small; a collision
    /// (odds about 1 in 10^7 at a billion values) is caught by the store, which
    /// compares the value text and leaves the newcomer uncorrelated.
    pub fn key(&self) -> i64 {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        hasher.update([self.kind.code() as u8, 0]);
        hasher.update(self.value.as_bytes());
        let digest = hasher.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        i64::from_be_bytes(first)
    }

    /// Parses a value of a known kind; `algorithm` names the hash for the two hash kinds.
    pub fn parse(kind: Kind, text: &str) -> Option<Observable> {
        match kind {
            Kind::Ipv4 => ipv4(text),
            Kind::Ipv6 => ipv6(text),
            Kind::Domain => domain(text),
            Kind::Url => url(text),
            Kind::Email => email(text),
            Kind::FileHash | Kind::CertificateHash => {
                let (algorithm, hex) = text.split_once(':')?;
                hash(kind, algorithm, hex)
            }
        }
    }

    /// Guesses the kind of a raw value a user typed: an IP, CIDR, URL, e-mail,
    /// `algorithm:hex` hash, a bare hex hash (by length), or a domain. Values defanged
    /// the way reports write them (`hxxp://evil[.]example`, `a[@]b[.]org`) are
    /// read as the real value.
    pub fn guess(text: &str) -> Option<Observable> {
        let refanged = refang(text.trim());
        let text = refanged.as_str();
        if let Some(found) = ipv4(text).or_else(|| ipv6(text)) {
            return Some(found);
        }
        if text.contains("://") {
            return url(text);
        }
        if text.contains('@') {
            return email(text);
        }
        if let Some((algorithm, hex)) = text.split_once(':') {
            return hash(Kind::FileHash, algorithm, hex);
        }
        let bare = match text.len() {
            32 => Some("md5"),
            40 => Some("sha1"),
            64 => Some("sha256"),
            128 => Some("sha512"),
            _ => None,
        };
        if let Some(algorithm) = bare.filter(|_| text.bytes().all(|byte| byte.is_ascii_hexdigit())) {
            return hash(Kind::FileHash, algorithm, text);
        }
        domain(text)
    }

    /// The host a URL points at (a domain or an IP address) or an e-mail address's
    /// domain: an object naming `https://evil.example/x` also knows `evil.example`.
    pub fn host(&self) -> Option<Observable> {
        match self.kind {
            Kind::Url => {
                let (_, rest) = self.value.split_once("://")?;
                let authority = &rest[..rest.find('/').unwrap_or(rest.len())];
                let host_port = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
                if let Some(bracketed) = host_port.strip_prefix('[') {
                    return ipv6(bracketed.split(']').next()?);
                }
                let host = host_port.split(':').next()?;
                ipv4(host).or_else(|| domain(host))
            }
            Kind::Email => domain(self.value.rsplit_once('@')?.1),
            _ => None,
        }
    }

    /// For a domain: its parents with at least two labels (`a.b.example.com` →
    /// `b.example.com`, `example.com`), nearest first. Empty for other kinds.
    pub fn parent_domains(&self) -> Vec<Observable> {
        if self.kind != Kind::Domain {
            return Vec::new();
        }
        let mut parents = Vec::new();
        let mut rest = self.value.as_str();
        while let Some((_, parent)) = rest.split_once('.') {
            if !parent.contains('.') {
                break;
            }
            parents.push(Observable { kind: Kind::Domain, value: parent.to_owned(), range: None });
            rest = parent;
        }
        parents
    }

    /// For an IPv4 address or network: every network that contains it (the prefixes
    /// shorter than its own, down to `/8`: a wider network is not intelligence).
    pub fn containing_networks(&self) -> Vec<Observable> {
        let Some((start, end)) = self.range else { return Vec::new() };
        let own = 32 - (end - start).count_ones();
        (8..own).rev().map(|prefix| network(start, prefix)).collect()
    }

    /// The domain with its labels reversed (`www.example.com` → `com.example.www`),
    /// so that a domain and all its subdomains are one range in sorted order.
    pub fn reversed_domain(&self) -> Option<String> {
        (self.kind == Kind::Domain).then(|| reverse_labels(&self.value))
    }
}

/// Undoes the usual defanging of indicators in reports.
fn refang(text: &str) -> String {
    let mut text = text.replace("[.]", ".").replace("(.)", ".").replace("[@]", "@").replace("[at]", "@");
    text = text.replace("[:]", ":").replace("[://]", "://");
    for (defanged, scheme) in [("hxxps", "https"), ("hxxp", "http"), ("fxp", "ftp")] {
        if text.get(..defanged.len()).is_some_and(|start| start.eq_ignore_ascii_case(defanged)) {
            text = format!("{scheme}{}", &text[defanged.len()..]);
        }
    }
    text
}

/// Reverses dot-separated labels; its own inverse.
pub fn reverse_labels(text: &str) -> String {
    text.rsplit('.').collect::<Vec<_>>().join(".")
}

fn network(address: u32, prefix: u32) -> Observable {
    let mask = if prefix == 0 { 0 } else { u32::MAX << (32 - prefix) };
    let start = address & mask;
    let end = start | !mask;
    let value =
        if prefix == 32 { Ipv4Addr::from(start).to_string() } else { format!("{}/{prefix}", Ipv4Addr::from(start)) };
    Observable { kind: Kind::Ipv4, value, range: Some((start, end)) }
}

fn ipv4(text: &str) -> Option<Observable> {
    let text = text.trim();
    let (address, prefix) = match text.split_once('/') {
        Some((address, prefix)) => (address, prefix.parse::<u32>().ok().filter(|prefix| *prefix <= 32)?),
        None => (text, 32),
    };
    let address: Ipv4Addr = address.parse().ok()?;
    Some(network(u32::from(address), prefix))
}

fn ipv6(text: &str) -> Option<Observable> {
    let text = text.trim();
    let (address, prefix) = match text.split_once('/') {
        Some((address, prefix)) => (address, prefix.parse::<u32>().ok().filter(|prefix| *prefix <= 128)?),
        None => (text, 128),
    };
    let address: Ipv6Addr = address.parse().ok()?;
    let mask = if prefix == 0 { 0 } else { u128::MAX << (128 - prefix) };
    let start = Ipv6Addr::from(u128::from(address) & mask);
    let value = if prefix == 128 { start.to_string() } else { format!("{start}/{prefix}") };
    Some(Observable { kind: Kind::Ipv6, value, range: None })
}

fn domain(text: &str) -> Option<Observable> {
    let lowered = text.trim().trim_end_matches('.').to_ascii_lowercase();
    let labels: Vec<&str> = lowered.split('.').collect();
    let label_ok = |label: &&str| {
        !label.is_empty()
            && label.len() <= 63
            && label.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
    };
    (labels.len() >= 2 && lowered.len() <= 253 && labels.iter().all(label_ok)).then_some(Observable {
        kind: Kind::Domain,
        value: lowered,
        range: None,
    })
}

/// Longer URLs are not indexed: they are payloads rather than indicators, and one
/// would cost the index more than a thousand ordinary values.
pub const MAX_URL_LENGTH: usize = 2048;

fn url(text: &str) -> Option<Observable> {
    let text = text.trim();
    if text.len() > MAX_URL_LENGTH {
        return None;
    }
    let (scheme, rest) = text.split_once("://")?;
    if scheme.is_empty() || !scheme.bytes().all(|byte| byte.is_ascii_alphanumeric() || b"+-.".contains(&byte)) {
        return None;
    }
    let scheme = scheme.to_ascii_lowercase();
    let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
    let split = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(split);
    if authority.is_empty() || authority.contains(char::is_whitespace) {
        return None;
    }
    // User information is kept as written; only the host part is case-insensitive.
    let (userinfo, host_port) = match authority.rsplit_once('@') {
        Some((userinfo, host_port)) => (Some(userinfo), host_port),
        None => (None, authority),
    };
    let mut host_port = host_port.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => Some(":80"),
        "https" => Some(":443"),
        _ => None,
    };
    if let Some(port) = default_port.filter(|port| host_port.ends_with(port)) {
        host_port.truncate(host_port.len() - port.len());
    }
    let host_port = host_port.trim_end_matches('.');
    let path = if tail.is_empty() || tail.starts_with('?') { format!("/{tail}") } else { tail.to_owned() };
    let userinfo = userinfo.map(|info| format!("{info}@")).unwrap_or_default();
    Some(Observable { kind: Kind::Url, value: format!("{scheme}://{userinfo}{host_port}{path}"), range: None })
}

fn email(text: &str) -> Option<Observable> {
    let (local, domain_part) = text.trim().rsplit_once('@')?;
    // RFC 5321 limits the local part to 64 octets.
    if local.is_empty() || local.len() > 64 || local.contains(char::is_whitespace) {
        return None;
    }
    let domain_part = domain(domain_part)?;
    Some(Observable { kind: Kind::Email, value: format!("{local}@{}", domain_part.value), range: None })
}

/// A hash of `kind` with the algorithm as STIX names it (`SHA-256`, `MD5`, …).
pub(crate) fn hash(kind: Kind, algorithm: &str, hex: &str) -> Option<Observable> {
    let algorithm = algorithm.trim().to_ascii_lowercase();
    let (name, length) = match algorithm.as_str() {
        "md5" => ("md5", Some(32)),
        "sha-1" | "sha1" => ("sha1", Some(40)),
        "sha-256" | "sha256" => ("sha256", Some(64)),
        "sha-512" | "sha512" => ("sha512", Some(128)),
        "sha3-256" => ("sha3-256", Some(64)),
        "sha3-512" => ("sha3-512", Some(128)),
        "ssdeep" => ("ssdeep", None),
        "tlsh" => ("tlsh", None),
        _ => return None,
    };
    let hex = hex.trim();
    let digest = match length {
        Some(length) => (hex.len() == length && hex.bytes().all(|byte| byte.is_ascii_hexdigit()))
            .then(|| hex.to_ascii_lowercase())?,
        None => (!hex.is_empty() && hex.len() <= 512 && !hex.contains(char::is_whitespace)).then(|| hex.to_owned())?,
    };
    Some(Observable { kind, value: format!("{name}:{digest}"), range: None })
}
