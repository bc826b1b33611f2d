//! MISP → STIX → MISP keeps each supported attribute's type, value, to_ids and tags.

use entente_core::misp::{Attribute, Event, Tag, event_to_stix, stix_to_events};
use proptest::prelude::*;

/// Types with a value generator; composite types get their parts joined by `|`.
fn attribute_strategy() -> impl Strategy<Value = (String, String)> {
    let word = "[a-z]{1,12}";
    let host = "[a-z]{1,10}\\.(org|net|example)";
    let md5 = "[0-9a-f]{32}";
    let sha256 = "[0-9a-f]{64}";
    let ip = (0u8..=255, 0u8..=255, 0u8..=255, 1u8..=254).prop_map(|(a, b, c, d)| format!("{a}.{b}.{c}.{d}"));
    let port = 1u16..=65535;
    prop_oneof![
        host.prop_map(|value| ("domain".to_owned(), value)),
        host.prop_map(|value| ("hostname".to_owned(), value)),
        host.prop_map(|value| ("url".to_owned(), format!("https://{value}/x"))),
        host.prop_map(|value| ("email".to_owned(), format!("someone@{value}"))),
        md5.prop_map(|value| ("md5".to_owned(), value)),
        sha256.prop_map(|value| ("sha256".to_owned(), value)),
        (word, md5).prop_map(|(name, hash)| ("filename|md5".to_owned(), format!("{name}.exe|{hash}"))),
        word.prop_map(|value| ("mutex".to_owned(), value)),
        "[a-zA-Z0-9 '\\\\]{1,20}".prop_map(|value| ("filename".to_owned(), value)),
        ip.clone().prop_map(|value| ("ip-dst".to_owned(), value)),
        ip.clone().prop_map(|value| ("ip-src".to_owned(), value)),
        (ip.clone(), port.clone()).prop_map(|(ip, port)| ("ip-dst|port".to_owned(), format!("{ip}|{port}"))),
        (host, ip).prop_map(|(host, ip)| ("domain|ip".to_owned(), format!("{host}|{ip}"))),
        port.clone().prop_map(|port| ("port".to_owned(), port.to_string())),
        (host, port).prop_map(|(host, port)| ("hostname|port".to_owned(), format!("{host}|{port}"))),
        host.prop_map(|value| ("email-src".to_owned(), format!("from@{value}"))),
        host.prop_map(|value| ("email-dst".to_owned(), format!("to@{value}"))),
        word.prop_map(|value| ("email-subject".to_owned(), value)),
        word.prop_map(|value| ("email-x-mailer".to_owned(), value)),
        word.prop_map(|value| ("email-attachment".to_owned(), format!("{value}.pdf"))),
        word.prop_map(|value| ("text".to_owned(), value)),
        word.prop_map(|value| ("campaign-name".to_owned(), value)),
    ]
}

fn tag_strategy() -> impl Strategy<Value = Vec<String>> {
    let tag = prop_oneof![
        Just("tlp:amber".to_owned()),
        Just("tlp:red".to_owned()),
        Just("tlp:clear".to_owned()),
        "[a-z]{2,8}:[a-z]{2,8}=\"[a-z0-9]{1,8}\"",
    ];
    proptest::collection::btree_set(tag, 0..4).prop_map(|set| set.into_iter().collect())
}

proptest! {
    #[test]
    fn supported_attributes_survive_a_round_trip(
        (kind, value) in attribute_strategy(),
        to_ids in any::<bool>(),
        tags in tag_strategy(),
    ) {
        // Campaign names are attribution, never detection; MISP keeps them so.
        let to_ids = to_ids && kind != "campaign-name";
        let attribute = Attribute {
            uuid: Some("8f6b2a1c-0d3e-4f5a-9b7c-1d2e3f4a5b6c".into()),
            kind: kind.clone(),
            category: "Network activity".into(),
            value: value.clone(),
            to_ids,
            timestamp: Some(1_700_000_000),
            tags: tags.iter().map(|name| Tag { name: name.clone() }).collect(),
            ..Attribute::default()
        };
        let event = Event {
            uuid: "0d9f8e7a-6b5c-4d3e-8f1a-2b3c4d5e6f70".into(),
            info: "round trip".into(),
            timestamp: Some(1_700_000_000),
            attributes: vec![attribute],
            ..Event::default()
        };
        let stix = event_to_stix(&event).expect("converts");
        for object in &stix {
            prop_assert!(entente_core::stix::StixObject::from_json(&object.to_string()).is_ok(), "{}", object);
        }
        let back = stix_to_events(&stix);
        prop_assert_eq!(back.len(), 1);
        prop_assert_eq!(back[0].attributes.len(), 1);
        let again = &back[0].attributes[0];
        prop_assert_eq!(&again.kind, &kind);
        prop_assert_eq!(&again.value, &value);
        prop_assert_eq!(again.to_ids, to_ids);
        let mut got: Vec<String> = again.tags.iter().map(|tag| tag.name.clone()).collect();
        got.sort();
        let mut want = tags.clone();
        want.sort();
        prop_assert_eq!(got, want);
    }
}

proptest! {
    /// Any comparison values, quotes and backslashes included, read back as written.
    #[test]
    fn patterns_read_back_as_written(values in proptest::collection::vec("[ -~]{0,24}", 1..4)) {
        use entente_core::misp::attributes::{Comparison, parse_pattern, pattern_of};
        let comparisons: Vec<Comparison> = values
            .iter()
            .enumerate()
            .map(|(index, value)| Comparison { path: format!("file:x_misp_{index}"), value: value.clone() })
            .collect();
        let parsed = parse_pattern(&pattern_of(&comparisons));
        prop_assert_eq!(parsed, Some(comparisons));
    }

    /// Whatever JSON arrives, reading it as MISP answers with events or an error.
    #[test]
    fn any_text_parses_or_fails_without_panicking(text in "[{}\\[\\]\":,a-zA-Z0-9 ]{0,80}") {
        let _ = entente_core::misp::parse_events(&text);
    }
}
