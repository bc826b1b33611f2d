//! The table between MISP attribute types and STIX: the comparisons of an indicator
//! pattern and the cyber-observable objects of observed data, as MISP's own STIX 2.1
//! export writes them (`misp/mapping-misp_attributes_to_stix21.json` is the reference;
//! the integration test checks every pair of it against this table).
//!
//! A MISP value becomes a list of [`Comparison`]s (`domain-name:value = 'circl.lu'`);
//! the pattern is their conjunction, and reading an indicator back is the reverse
//! lookup: the same set of paths names the MISP type. Types this table does not know
//! are carried whole by the converters (`x-misp-attribute`), never dropped.

/// One `path = 'value'` comparison of a STIX pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    pub path: String,
    pub value: String,
}

fn comparison(path: &str, value: &str) -> Comparison {
    Comparison { path: path.to_owned(), value: value.to_owned() }
}

/// MISP hash attribute types and the STIX hash names (file and certificate hashes).
/// The SHA-512 truncations read back as SHA-224/SHA-256, as in MISP's mapping.
const HASHES: &[(&str, &str)] = &[
    ("md5", "MD5"),
    ("sha1", "'SHA-1'"),
    ("sha224", "'SHA-224'"),
    ("sha256", "'SHA-256'"),
    ("sha384", "'SHA-384'"),
    ("sha512", "'SHA-512'"),
    ("sha3-224", "'SHA3-224'"),
    ("sha3-256", "'SHA3-256'"),
    ("sha3-384", "'SHA3-384'"),
    ("sha3-512", "'SHA3-512'"),
    ("ssdeep", "SSDEEP"),
    ("tlsh", "TLSH"),
    ("imphash", "IMPHASH"),
    ("authentihash", "AUTHENTIHASH"),
    ("pehash", "PEHASH"),
    ("vhash", "VHASH"),
    ("telfhash", "TELFHASH"),
    ("sha512/224", "'SHA-224'"),
    ("sha512/256", "'SHA-256'"),
];

/// Types whose whole value is one property of one object.
const SINGLE: &[(&str, &str)] = &[
    ("domain", "domain-name:value"),
    ("hostname", "domain-name:value"),
    ("url", "url:value"),
    ("link", "url:value"),
    ("uri", "url:value"),
    ("email", "email-addr:value"),
    ("email-src", "email-message:from_ref.value"),
    ("email-dst", "email-message:to_refs[*].value"),
    ("email-subject", "email-message:subject"),
    ("email-body", "email-message:body"),
    ("email-message-id", "email-message:message_id"),
    ("email-reply-to", "email-message:additional_header_fields.reply_to"),
    ("email-x-mailer", "email-message:additional_header_fields.x_mailer"),
    ("email-header", "email-message:received_lines"),
    ("email-attachment", "email-message:body_multipart[*].body_raw_ref.name"),
    ("mac-address", "mac-addr:value"),
    ("mutex", "mutex:name"),
    ("filename", "file:name"),
    ("size-in-bytes", "file:size"),
    ("AS", "autonomous-system:number"),
    ("regkey", "windows-registry-key:key"),
    ("port", "network-traffic:dst_port"),
    ("http-method", "network-traffic:extensions.'http-request-ext'.request_method"),
    ("user-agent", "network-traffic:extensions.'http-request-ext'.request_header.'User-Agent'"),
    ("x509-fingerprint-md5", "x509-certificate:hashes.MD5"),
    ("x509-fingerprint-sha1", "x509-certificate:hashes.'SHA-1'"),
    ("x509-fingerprint-sha256", "x509-certificate:hashes.'SHA-256'"),
];

/// The comparisons a MISP attribute stands for, or `None` for a type this table does
/// not map to a STIX pattern.
pub fn comparisons(kind: &str, value: &str) -> Option<Vec<Comparison>> {
    if let Some((_, path)) = SINGLE.iter().find(|(name, _)| *name == kind) {
        return Some(vec![comparison(path, value)]);
    }
    if let Some((_, hash)) = HASHES.iter().find(|(name, _)| *name == kind) {
        return Some(vec![comparison(&format!("file:hashes.{hash}"), value)]);
    }
    if let Some(hash_kind) = kind.strip_prefix("filename|") {
        let (_, hash) = HASHES.iter().find(|(name, _)| *name == hash_kind)?;
        let (name, digest) = value.split_once('|')?;
        return Some(vec![comparison("file:name", name), comparison(&format!("file:hashes.{hash}"), digest)]);
    }
    match kind {
        "ip-src" | "ip-dst" => Some(address(kind, value)),
        "ip-src|port" | "ip-dst|port" => {
            let (ip, port) = value.rsplit_once('|')?;
            let side = &kind[3..6];
            let mut out = address(&kind[..6], ip);
            out.push(comparison(&format!("network-traffic:{side}_port"), port));
            Some(out)
        }
        "domain|ip" => {
            let (domain, ip) = value.split_once('|')?;
            Some(vec![comparison("domain-name:value", domain), comparison("domain-name:resolves_to_refs[*].value", ip)])
        }
        "hostname|port" => {
            let (host, port) = value.rsplit_once('|')?;
            Some(vec![comparison("domain-name:value", host), comparison("network-traffic:dst_port", port)])
        }
        "regkey|value" => {
            let (key, data) = value.split_once('|')?;
            Some(vec![
                comparison("windows-registry-key:key", key),
                comparison("windows-registry-key:values.data", data),
            ])
        }
        "github-username" => Some(vec![
            comparison("user-account:account_type", "github"),
            comparison("user-account:account_login", value),
        ]),
        _ => None,
    }
}

fn address(kind: &str, ip: &str) -> Vec<Comparison> {
    let side = &kind[3..6];
    let family = if ip.contains(':') { "ipv6-addr" } else { "ipv4-addr" };
    vec![
        comparison(&format!("network-traffic:{side}_ref.type"), family),
        comparison(&format!("network-traffic:{side}_ref.value"), ip),
    ]
}

/// The MISP attribute (type, value) a list of comparisons stands for. `hint` is the
/// type named in the object's `misp:type` label, preferred when it fits (several MISP
/// types share a pattern: domain and hostname, url and link).
pub fn attribute_of(found: &[Comparison], hint: Option<&str>) -> Option<(String, String)> {
    if let Some(kind) = hint
        && let Some(value) = rebuild(kind, found)
    {
        return Some((kind.to_owned(), value));
    }
    let candidates = SINGLE
        .iter()
        .map(|(name, _)| *name)
        .chain(HASHES.iter().map(|(name, _)| *name))
        .chain(["ip-src", "ip-dst", "ip-src|port", "ip-dst|port", "domain|ip", "hostname|port", "regkey|value"])
        .chain(["github-username"]);
    let composite = HASHES.iter().map(|(name, _)| format!("filename|{name}"));
    candidates
        .map(str::to_owned)
        .chain(composite)
        .find_map(|kind| rebuild(&kind, found).map(|value| (kind, value)))
        .or_else(|| foreign(found))
}

/// Patterns other producers write for what MISP calls `ip-dst` (an address on its
/// own, not in a connection), read as MISP itself reads them.
fn foreign(found: &[Comparison]) -> Option<(String, String)> {
    match found {
        [only] if only.path == "ipv4-addr:value" || only.path == "ipv6-addr:value" => {
            Some(("ip-dst".to_owned(), only.value.clone()))
        }
        // Hash names written in another case (`file:hashes.md5`).
        [only] => {
            let hash = only.path.strip_prefix("file:hashes.")?.trim_matches('\'');
            let (kind, _) = HASHES.iter().find(|(_, name)| name.trim_matches('\'').eq_ignore_ascii_case(hash))?;
            Some(((*kind).to_owned(), only.value.clone()))
        }
        _ => None,
    }
}

/// The value of `kind` that yields exactly these comparisons, if any.
fn rebuild(kind: &str, found: &[Comparison]) -> Option<String> {
    let value = match found {
        [only] => only.value.clone(),
        [first, second] if kind.contains('|') => format!("{}|{}", first.value, second.value),
        [_, second] => second.value.clone(),
        [_, second, third] => format!("{}|{}", second.value, third.value),
        _ => return None,
    };
    let expected = comparisons(kind, &value)?;
    (expected.len() == found.len() && expected.iter().all(|comparison| found.contains(comparison))).then_some(value)
}

/// Writes comparisons as one STIX pattern observation: `[a = 'x' AND b = 'y']`.
pub fn pattern_of(found: &[Comparison]) -> String {
    let parts: Vec<String> =
        found.iter().map(|comparison| format!("{} = '{}'", comparison.path, escape(&comparison.value))).collect();
    format!("[{}]", parts.join(" AND "))
}

fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('\'', "\\'")
}

/// Reads back a pattern this module could have written: one observation of
/// `path = 'value'` comparisons joined by AND. Anything else is `None`.
pub fn parse_pattern(pattern: &str) -> Option<Vec<Comparison>> {
    let inner = pattern.trim().strip_prefix('[')?.strip_suffix(']')?;
    let mut out = Vec::new();
    let mut rest = inner.trim();
    loop {
        let (path, after) = rest.split_once(" = '")?;
        let (value, remainder) = unquote(after)?;
        out.push(Comparison { path: path.trim().to_owned(), value });
        let remainder = remainder.trim_start();
        if remainder.is_empty() {
            return Some(out);
        }
        rest = remainder.strip_prefix("AND ")?.trim_start();
    }
}

/// Splits `value' rest` at the closing quote, undoing the escapes.
fn unquote(text: &str) -> Option<(String, &str)> {
    let mut value = String::new();
    let mut chars = text.char_indices();
    while let Some((index, character)) = chars.next() {
        match character {
            '\\' => value.push(chars.next()?.1),
            '\'' => return Some((value, &text[index + 1..])),
            other => value.push(other),
        }
    }
    None
}
