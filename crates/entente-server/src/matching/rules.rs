//! An indicator object → a matching rule: its STIX pattern's equality terms
//! (`entente_core::pattern::terms`), each given the `entente_match::Kind` its path
//! holds.
//!
//! Kinds by path: the address, domain, URL and e-mail paths map one to one;
//! `network-traffic:src_ref.value`/`dst_ref.value` hold an address or a domain, told
//! apart by the value; `file:hashes.*` by algorithm (MD5, SHA-1, SHA-256, SHA-512);
//! `x509-certificate:hashes.*` are certificate fingerprints. Any other hash algorithm
//! (SSDEEP, TLSH, SHA3…) makes the pattern unsupported: logs do not carry them.

use entente_core::pattern::terms::equality_alternatives;
use entente_match::{Kind, Rule, Term};
use serde_json::Value;

/// The kind of value `path` holds (the value decides for network-traffic refs), or
/// why it has none the matcher knows.
pub fn kind_of(path: &str, value: &str) -> Result<Kind, String> {
    let kind = match path {
        "ipv4-addr:value" => Kind::Ipv4,
        "ipv6-addr:value" => Kind::Ipv6,
        "domain-name:value" => Kind::Domain,
        "url:value" => Kind::Url,
        "email-addr:value" | "email-message:from_ref.value" => Kind::Email,
        "network-traffic:src_ref.value" | "network-traffic:dst_ref.value" => {
            return match Kind::guess(value) {
                Some(kind @ (Kind::Ipv4 | Kind::Ipv6 | Kind::Domain)) => Ok(kind),
                _ => Err(format!("{path} = {value:?} is neither an address nor a domain")),
            };
        }
        _ => {
            if path.starts_with("x509-certificate:hashes.") {
                return Ok(Kind::Fingerprint);
            }
            let Some(algorithm) = path.strip_prefix("file:hashes.") else {
                return Err(format!("path {path} (not a value a log shows)"));
            };
            let algorithm = algorithm.trim_matches('\'').replace('-', "").to_ascii_uppercase();
            match algorithm.as_str() {
                "MD5" => Kind::Md5,
                "SHA1" => Kind::Sha1,
                "SHA256" => Kind::Sha256,
                "SHA512" => Kind::Sha512,
                _ => return Err(format!("hash algorithm {algorithm} on {path} (logs carry MD5 and SHA-1/256/512)")),
            }
        }
    };
    Ok(kind)
}

/// The rule of an indicator object (its id is the rule's), or why it has none.
pub fn rule_of(object: &Value) -> Result<Rule, String> {
    let id = object.get("id").and_then(Value::as_str).unwrap_or_default();
    match object.get("pattern_type").and_then(Value::as_str) {
        Some("stix") => {}
        Some(other) => return Err(format!("pattern_type {other:?} (only STIX patterns are matched)")),
        None => return Err("no pattern_type".into()),
    }
    let text = object.get("pattern").and_then(Value::as_str).ok_or("no pattern")?;
    let pattern = entente_core::pattern::parse(text).map_err(|error| error.to_string())?;
    let mut alternatives = Vec::new();
    for terms in equality_alternatives(&pattern)? {
        let terms = terms
            .into_iter()
            .map(|term| kind_of(&term.path, &term.value).map(|kind| Term::new(kind, term.value)))
            .collect::<Result<Vec<_>, _>>()?;
        alternatives.push(terms);
    }
    Ok(Rule { id: id.to_owned(), alternatives })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn indicator(pattern: &str) -> Value {
        serde_json::json!({"type": "indicator", "id": "indicator--00000000-0000-4000-8000-000000000001",
            "pattern_type": "stix", "pattern": pattern})
    }

    #[test]
    fn paths_give_kinds() {
        let sha1 = "a".repeat(40);
        for (path, value, kind) in [
            ("ipv4-addr:value", "10.0.0.0/8", Kind::Ipv4),
            ("ipv6-addr:value", "2001:db8::1", Kind::Ipv6),
            ("domain-name:value", "x.example", Kind::Domain),
            ("url:value", "http://x.example/", Kind::Url),
            ("email-message:from_ref.value", "a@x.example", Kind::Email),
            ("network-traffic:dst_ref.value", "203.0.113.33/32", Kind::Ipv4),
            ("network-traffic:src_ref.value", "x.example", Kind::Domain),
            ("file:hashes.MD5", "d41d8cd98f00b204e9800998ecf8427e", Kind::Md5),
            ("file:hashes.'SHA-1'", sha1.as_str(), Kind::Sha1),
            ("file:hashes.'SHA-256'", "", Kind::Sha256),
            ("file:hashes.'SHA-512'", "", Kind::Sha512),
            ("x509-certificate:hashes.'SHA-1'", sha1.as_str(), Kind::Fingerprint),
        ] {
            assert_eq!(kind_of(path, value), Ok(kind), "{path}");
        }
        assert!(kind_of("file:hashes.SSDEEP", "3:a:b").is_err_and(|r| r.contains("SSDEEP")));
        assert!(kind_of("network-traffic:dst_ref.value", "00:11:22:33:44:55").is_err());
        assert!(kind_of("file:name", "a.exe").is_err());
    }

    #[test]
    fn an_indicator_becomes_a_rule() {
        let rule = rule_of(&indicator(
            "[ipv4-addr:value = '198.51.100.1' AND domain-name:value = 'x.example'] OR [file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']",
        ))
        .expect("supported");
        assert_eq!(rule.id, "indicator--00000000-0000-4000-8000-000000000001");
        assert_eq!(
            rule.alternatives,
            vec![
                vec![Term::new(Kind::Ipv4, "198.51.100.1"), Term::new(Kind::Domain, "x.example")],
                vec![Term::new(Kind::Md5, "d41d8cd98f00b204e9800998ecf8427e")],
            ]
        );
    }

    #[test]
    fn unsupported_indicators_say_why() {
        assert!(rule_of(&indicator("[file:name = 'a.exe']")).is_err_and(|r| r.contains("file:name")));
        assert!(rule_of(&indicator("[file:hashes.TLSH = 'T1ab']")).is_err_and(|r| r.contains("TLSH")));
        let mut sigma = indicator("title: x");
        sigma["pattern_type"] = "sigma".into();
        assert!(rule_of(&sigma).is_err_and(|r| r.contains("sigma")));
    }
}
