use super::*;
use proptest::prelude::*;

fn list(kind: &str, entries: &[&str], attributes: &[&str]) -> WarningList {
    let json = serde_json::json!({"name": format!("test {kind}"), "type": kind, "list": entries,
        "matching_attributes": attributes});
    WarningList::parse(&json.to_string()).expect("a valid list")
}

fn value(path: &str, value: &str) -> PatternValue {
    PatternValue { path: path.to_owned(), value: value.to_owned() }
}

#[test]
fn hostnames_match_the_domain_and_its_subdomains_only() {
    let top = list("hostname", &["Google.com", "example.org."], &[]);
    assert_eq!(top.find("google.com").as_deref(), Some("google.com"));
    assert!(top.find("mail.GOOGLE.com").is_some());
    assert!(top.find("https://user@docs.google.com:443/x?y").is_some());
    assert!(top.find("notgoogle.com").is_none());
    assert!(top.find("google.com.evil.net").is_none());
    assert!(top.find("com").is_none());
}

#[test]
fn cidr_lists_hold_addresses_and_networks() {
    let resolvers = list("cidr", &["8.8.8.8", "10.0.0.0/8", "2001:4860:4860::8888/128", "bogus"], &[]);
    assert!(resolvers.find("8.8.8.8").is_some());
    assert!(resolvers.find("8.8.4.4").is_none());
    assert_eq!(resolvers.find("10.20.30.40").as_deref(), Some("10.0.0.0/8"));
    assert!(resolvers.find("10.1.0.0/16").is_some());
    assert!(resolvers.find("10.0.0.0/7").is_none(), "a wider network is not inside");
    assert!(resolvers.find("2001:4860:4860::8888").is_some());
    assert!(resolvers.find("not an address").is_none());
}

#[test]
fn strings_are_exact_and_substrings_are_contained() {
    let strings = list("string", &["d41d8cd98f00b204e9800998ecf8427e"], &[]);
    assert!(strings.find("d41d8cd98f00b204e9800998ecf8427e").is_some());
    assert!(strings.find("d41d8cd98f00b204e9800998ecf8427").is_none());
    let substrings = list("substring", &["amazonaws.com"], &[]);
    assert!(substrings.find("bucket.s3.amazonaws.com").is_some());
    assert!(substrings.find("amazon.com").is_none());
    let regex = list("regex", &["^.*$"], &[]);
    assert!(!regex.is_matched());
    assert!(regex.find("anything").is_none());
    assert!(WarningList::parse(r#"{"name": "x", "type": "glob", "list": []}"#).is_err());
}

#[test]
fn a_list_applies_only_to_the_attributes_it_names() {
    let resolvers = list("cidr", &["8.8.8.8/32"], &["ip-dst", "ip-src"]);
    let domains = list("hostname", &["8.8.8.8"], &["domain"]);
    let values = [value("ipv4-addr:value", "8.8.8.8"), value("file:name", "8.8.8.8")];
    let hits = warning_hits(&[resolvers, domains], &values);
    assert_eq!(hits.len(), 1);
    assert_eq!((hits[0].list.as_str(), hits[0].path.as_str()), ("test cidr", "ipv4-addr:value"));
}

proptest! {
    /// Every subdomain of a listed domain is flagged, and a label glued to the front
    /// (`evilexample.org`) is not.
    #[test]
    fn subdomains_of_a_listed_domain_are_flagged(labels in proptest::collection::vec("[a-z0-9]{1,10}", 0..4),
                                                 glued in "[a-z0-9]{1,10}") {
        let top = list("hostname", &["example.org"], &[]);
        let mut host = labels.join(".");
        if !host.is_empty() { host.push('.'); }
        host.push_str("example.org");
        prop_assert!(top.find(&host).is_some());
        let glued_host = format!("{glued}example.org");
        prop_assert!(top.find(&glued_host).is_none());
    }

    /// An address is in a network exactly when its first `prefix` bits agree.
    #[test]
    fn cidr_containment_is_prefix_agreement(network in any::<u32>(), address in any::<u32>(), prefix in 0u8..=32) {
        let net = std::net::Ipv4Addr::from(network);
        let listed = list("cidr", &[&format!("{net}/{prefix}")], &[]);
        let shift = 32 - u32::from(prefix);
        let agree = prefix == 0 || (network >> shift) == (address >> shift);
        prop_assert_eq!(listed.find(&std::net::Ipv4Addr::from(address).to_string()).is_some(), agree);
    }

    #[test]
    fn matching_never_panics(kind in "(string|substring|hostname|cidr)", entry in ".{0,20}", probe in ".{0,30}") {
        let listed = list(&kind, &[&entry], &[]);
        let _ = listed.find(&probe);
    }
}

proptest! {
    /// The indexed substring search agrees with a plain scan of the entries.
    #[test]
    fn substring_search_agrees_with_a_scan(entries in proptest::collection::vec("[a-cé]{1,4}", 1..6), probe in "[a-cé.]{0,12}") {
        let refs: Vec<&str> = entries.iter().map(String::as_str).collect();
        let listed = list("substring", &refs, &[]);
        let scanned = entries.iter().any(|entry| probe.contains(entry.as_str()));
        prop_assert_eq!(listed.find(&probe).is_some(), scanned);
    }
}

proptest! {
    /// The indexed CIDR search agrees with a scan of every entry, nested blocks included.
    #[test]
    fn cidr_search_agrees_with_a_scan(entries in proptest::collection::vec((any::<u8>(), 0u8..=32), 1..12),
                                      address in any::<u32>()) {
        let texts: Vec<String> = entries
            .iter()
            .map(|(top, prefix)| format!("{}/{prefix}", std::net::Ipv4Addr::from(u32::from(*top) << 24 | (address & 0x00ff_ff00))))
            .collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let listed = list("cidr", &refs, &[]);
        let scanned = entries.iter().any(|(top, prefix)| {
            let network = u32::from(*top) << 24 | (address & 0x00ff_ff00);
            let shift = 32 - u32::from(*prefix);
            *prefix == 0 || (network >> shift) == (address >> shift)
        });
        let probe = std::net::Ipv4Addr::from(address).to_string();
        prop_assert_eq!(listed.find(&probe).is_some(), scanned);
    }
}
