use super::observable::reverse_labels;
use super::*;
use proptest::prelude::*;
use serde_json::json;

fn values(object: serde_json::Value) -> Vec<String> {
    extract(&object).iter().map(|found| format!("{}={}", found.kind().name(), found.value())).collect()
}

#[test]
fn an_indicator_pattern_yields_its_equality_values() {
    let found = values(json!({
        "type": "indicator", "pattern_type": "stix",
        "pattern": "[ipv4-addr:value = '198.51.100.7/24' OR domain-name:value = 'WWW.Example.COM.'] AND \
                    [file:hashes.'SHA-256' = 'AB0000000000000000000000000000000000000000000000000000000000CDEF'] AND \
                    [url:value IN ('HTTP://Example.com:80', 'https://x.org/A?b#frag')] AND \
                    [email-addr:value = 'Alice@Example.ORG' AND domain-name:value != 'not.me'] AND \
                    [x509-certificate:hashes.'SHA-1' = '0123456789abcdef0123456789abcdef01234567'] AND \
                    [network-traffic:dst_ref.value = '2001:DB8::1']"
    }));
    assert_eq!(
        found,
        [
            "ipv4=198.51.100.0/24",
            "ipv6=2001:db8::1",
            "domain=example.com",
            "domain=example.org",
            "domain=www.example.com",
            "domain=x.org",
            "url=http://example.com/",
            "url=https://x.org/A?b",
            "email=Alice@example.org",
            "file-hash=sha256:ab0000000000000000000000000000000000000000000000000000000000cdef",
            "certificate-hash=sha1:0123456789abcdef0123456789abcdef01234567",
        ]
    );
}

#[test]
fn observables_yield_their_values_and_hashes() {
    assert_eq!(values(json!({"type": "ipv4-addr", "value": "10.0.0.1"})), ["ipv4=10.0.0.1"]);
    assert_eq!(
        values(json!({"type": "file", "hashes": {"MD5": "D41D8CD98F00B204E9800998ECF8427E", "SHA-256": "short"}})),
        ["file-hash=md5:d41d8cd98f00b204e9800998ecf8427e"]
    );
    assert!(values(json!({"type": "indicator", "pattern_type": "sigma", "pattern": "x"})).is_empty());
    assert!(values(json!({"type": "indicator", "pattern": "[not a pattern"})).is_empty());
    assert!(values(json!({"type": "malware", "name": "1.2.3.4"})).is_empty());
}

#[test]
fn networks_know_their_range_and_what_contains_them() {
    let address = Observable::guess("10.1.2.3").expect("an address");
    assert_eq!(address.range(), Some((0x0a01_0203, 0x0a01_0203)));
    let network = Observable::guess("10.1.2.3/16").expect("a network");
    assert_eq!(network.value(), "10.1.0.0/16");
    assert_eq!(network.range(), Some((0x0a01_0000, 0x0a01_ffff)));
    let containing: Vec<String> = address.containing_networks().iter().map(|n| n.value().to_owned()).collect();
    assert_eq!(containing.len(), 24);
    assert!(containing.contains(&"10.1.0.0/16".to_owned()));
    assert!(containing.contains(&"10.0.0.0/8".to_owned()));
}

#[test]
fn domains_know_their_parents() {
    let domain = Observable::guess("a.b.Example.com").expect("a domain");
    let parents: Vec<String> = domain.parent_domains().iter().map(|parent| parent.value().to_owned()).collect();
    assert_eq!(parents, ["b.example.com", "example.com"]);
    assert_eq!(domain.reversed_domain().as_deref(), Some("com.example.b.a"));
    assert_eq!(Observable::guess("localhost"), None);
}

#[test]
fn urls_and_mailboxes_know_their_hosts() {
    let host = |text: &str| Observable::guess(text).and_then(|found| found.host()).map(|h| h.value().to_owned());
    assert_eq!(host("https://user@Evil.example:8443/a?b").as_deref(), Some("evil.example"));
    assert_eq!(host("http://198.51.100.7:8080/").as_deref(), Some("198.51.100.7"));
    assert_eq!(host("http://[2001:db8::1]:80/").as_deref(), Some("2001:db8::1"));
    assert_eq!(host("alice@Mail.Example.org").as_deref(), Some("mail.example.org"));
    assert_eq!(host("example.org"), None);
}

#[test]
fn oversized_values_are_not_indexed() {
    let long_url = format!("https://example.org/{}", "a".repeat(3000));
    assert_eq!(Observable::guess(&long_url), None);
    assert_eq!(Observable::guess(&format!("{}@example.org", "b".repeat(65))), None);
}

#[test]
fn guess_reads_defanged_values() {
    let value = |text: &str| Observable::guess(text).map(|found| found.value().to_owned());
    assert_eq!(value("hxxps://Evil[.]example[.]com/x").as_deref(), Some("https://evil.example.com/x"));
    assert_eq!(value("198.51.100[.]7").as_deref(), Some("198.51.100.7"));
    assert_eq!(value("bob[@]mail[.]example").as_deref(), Some("bob@mail.example"));
}

#[test]
fn guess_reads_hashes_with_and_without_algorithm() {
    let bare = Observable::guess("D41D8CD98F00B204E9800998ECF8427E").expect("md5");
    assert_eq!(bare.value(), "md5:d41d8cd98f00b204e9800998ecf8427e");
    assert_eq!(Observable::guess("md5:d41d8cd98f00b204e9800998ecf8427e"), Some(bare));
}

fn domain_text() -> impl Strategy<Value = String> {
    proptest::collection::vec("[a-zA-Z][a-zA-Z0-9-]{0,10}", 2..5).prop_map(|labels| labels.join("."))
}

proptest! {
    /// Normalising a normal form gives it back, for every kind.
    #[test]
    fn normal_forms_are_fixed_points(
        octets in any::<[u8; 4]>(), prefix in 0u32..=32, words in any::<u128>(),
        domain in domain_text(), dot in any::<bool>(), path in "(/[a-zA-Z0-9]{0,5}){0,3}",
        local in "[a-zA-Z0-9.]{1,8}", hex in "[0-9a-fA-F]{64}",
    ) {
        let texts = [
            (Kind::Ipv4, format!("{}.{}.{}.{}/{prefix}", octets[0], octets[1], octets[2], octets[3])),
            (Kind::Ipv6, std::net::Ipv6Addr::from(words).to_string()),
            (Kind::Domain, if dot { format!("{domain}.") } else { domain.clone() }),
            (Kind::Url, format!("HTTPS://{domain}:443{path}#x")),
            (Kind::Email, format!("{local}@{domain}")),
            (Kind::FileHash, format!("SHA-256:{hex}")),
        ];
        for (kind, text) in texts {
            let once = Observable::parse(kind, &text).expect("a valid value parses");
            let twice = Observable::parse(kind, once.value()).expect("a normal form parses");
            prop_assert_eq!(&once, &twice);
            prop_assert_eq!(once.key(), twice.key());
            prop_assert_eq!(Observable::guess(once.value()).map(|guessed| guessed.kind()), Some(kind));
        }
    }

    /// Case and a trailing dot never make two keys of one domain.
    #[test]
    fn domain_case_does_not_matter(domain in domain_text()) {
        let upper = Observable::parse(Kind::Domain, &format!("{}.", domain.to_uppercase()));
        prop_assert_eq!(upper, Observable::parse(Kind::Domain, &domain.to_lowercase()));
        prop_assert_eq!(reverse_labels(&reverse_labels(&domain)), domain);
    }

    /// A network's range holds exactly the addresses whose prefix matches.
    #[test]
    fn network_ranges_contain_their_addresses(address in any::<u32>(), prefix in 8u32..=32) {
        let text = format!("{}/{prefix}", std::net::Ipv4Addr::from(address));
        let network = Observable::parse(Kind::Ipv4, &text).expect("a network");
        let (start, end) = network.range().expect("a range");
        prop_assert!(start <= address && address <= end);
        prop_assert_eq!(u64::from(end - start) + 1, 1u64 << (32 - prefix));
        let single = Observable::parse(Kind::Ipv4, &std::net::Ipv4Addr::from(address).to_string()).expect("an address");
        prop_assert!(single.containing_networks().contains(&network) || prefix == 32);
    }

    /// Nothing a user types makes the guesser panic.
    #[test]
    fn guess_never_panics(text in "\\PC{0,40}") {
        let _ = Observable::guess(&text);
    }
}
