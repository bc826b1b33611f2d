//! Property tests: random mutations of valid wire notes.
//!
//! Byte flips and member changes never verify; whitespace, member order and `\u`
//! escapes of ASCII letters do not change the canonical form, so those notes still
//! verify. Nothing panics, whatever the text.

use super::*;
use proptest::prelude::*;

/// The valid notes mutations start from: a proposal (non-ASCII, numbers, escapes), an
/// answer with `in_reply_to`, and a recognize note with a nested signed card.
fn base_notes() -> Vec<Value> {
    let accept = NoteBody::Accept { treaty_hash: treaty_hash() };
    let recognize =
        NoteBody::Recognize { card: card_of(NODE_A, "CERT A", &key(1)).verify().expect("fixture card verifies") };
    vec![
        from_a(1, NoteBody::Propose { treaty: treaty() }),
        UnsignedNote { in_reply_to: Some(note_id(200)), ..from_a(2, accept) },
        from_a(3, recognize),
    ]
    .into_iter()
    .map(|note| note.sign(&key(1)).note().document().clone())
    .collect()
}

fn directory() -> MemoryDirectory {
    let mut directory = b_directory();
    directory.record_sent(&note_id(200));
    directory
}

fn verifies(text: &str) -> bool {
    check(text, &directory(), after(at(T0), 1)).is_ok()
}

/// Byte offsets just after a structural character outside strings, where JSON allows
/// whitespace.
fn structural_offsets(text: &str) -> Vec<usize> {
    let (mut offsets, mut in_string, mut escaped) = (Vec::new(), false, false);
    for (offset, byte) in text.bytes().enumerate() {
        match (in_string, escaped, byte) {
            (true, true, _) => escaped = false,
            (true, false, b'\\') => escaped = true,
            (true, false, b'"') | (false, _, b'"') => in_string = !in_string,
            (false, _, b'{' | b'}' | b'[' | b']' | b':' | b',') => offsets.push(offset + 1),
            _ => {}
        }
    }
    offsets
}

/// Byte offsets of unescaped ASCII letters and digits inside strings.
fn escapable_offsets(text: &str) -> Vec<usize> {
    let (mut offsets, mut in_string, mut previous) = (Vec::new(), false, 0u8);
    for (offset, byte) in text.bytes().enumerate() {
        if byte == b'"' && previous != b'\\' {
            in_string = !in_string;
        } else if in_string && byte.is_ascii_alphanumeric() && previous != b'\\' {
            offsets.push(offset);
        }
        previous = byte;
    }
    offsets
}

/// Writes an object with its members in the order `order` gives (indices modulo length).
fn reordered(value: &Value, order: &[usize]) -> String {
    let Value::Object(members) = value else { return value.to_string() };
    let mut entries: Vec<(&String, &Value)> = members.iter().collect();
    for (position, &swap) in order.iter().enumerate() {
        let length = entries.len();
        if length > 0 {
            entries.swap(position % length, swap % length);
        }
    }
    let written: Vec<String> =
        entries.iter().map(|(name, member)| format!("{}:{}", json!(name), reordered(member, order))).collect();
    format!("{{{}}}", written.join(","))
}

/// A JSON value unlike any a note carries in that place.
fn replacement() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i32>().prop_map(Value::from),
        "[a-z0-9:-]{0,12}".prop_map(Value::from),
        Just(json!(NODE_C)),
        Just(json!(note_id(7).as_str())),
        Just(json!("2025-03-01T12:00:00Z")),
        Just(json!({})),
        Just(json!([1, "two"])),
    ]
}

#[derive(Debug, Clone)]
enum MemberChange {
    Remove,
    Replace(Value),
    Add(String, Value),
}

fn member_change() -> impl Strategy<Value = MemberChange> {
    prop_oneof![
        Just(MemberChange::Remove),
        replacement().prop_map(MemberChange::Replace),
        ("[a-z_]{1,10}", replacement()).prop_map(|(name, value)| MemberChange::Add(name, value)),
    ]
}

/// Applies `change` to member number `pick` of the note (top level) or of its body.
fn change_member(mut note: Value, in_body: bool, pick: usize, change: &MemberChange) -> Option<Value> {
    let original = note.clone();
    let target = if in_body { note.get_mut("body")? } else { &mut note };
    let members = target.as_object_mut()?;
    let names: Vec<String> = members.keys().cloned().collect();
    let name = names.get(pick % names.len().max(1))?.clone();
    match change {
        MemberChange::Remove => {
            members.remove(&name);
        }
        MemberChange::Replace(value) => {
            members.insert(name, value.clone());
        }
        MemberChange::Add(name, value) => {
            members.entry(name.clone()).or_insert_with(|| value.clone());
        }
    }
    (note != original).then_some(note)
}

#[test]
fn the_base_notes_verify_and_every_member_can_change() {
    for note in base_notes() {
        assert!(verifies(&note.to_string()));
        let count = note.as_object().unwrap().len();
        for pick in 0..count {
            assert!(change_member(note.clone(), false, pick, &MemberChange::Remove).is_some());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn byte_flips_never_verify(which in 0usize..3, position in any::<prop::sample::Index>(), flip in 1u8..=255) {
        let mut bytes = base_notes()[which].to_string().into_bytes();
        let offset = position.index(bytes.len());
        bytes[offset] ^= flip;
        let text = String::from_utf8_lossy(&bytes);
        prop_assert!(!verifies(&text), "flipping byte {} with {:#04x} still verifies", offset, flip);
    }

    #[test]
    fn member_changes_never_verify(
        which in 0usize..3,
        in_body in any::<bool>(),
        pick in any::<usize>(),
        change in member_change(),
    ) {
        if let Some(note) = change_member(base_notes()[which].clone(), in_body, pick, &change) {
            prop_assert!(!verifies(&note.to_string()), "{:?} still verifies", change);
        }
    }

    #[test]
    fn whitespace_order_and_escapes_keep_the_signature(
        which in 0usize..3,
        spaces in prop::collection::vec((any::<prop::sample::Index>(), "[ \t\r\n]{1,3}"), 0..8),
        order in prop::collection::vec(any::<usize>(), 0..12),
        escape in any::<prop::sample::Index>(),
    ) {
        let note = &base_notes()[which];
        let mut text = reordered(note, &order);
        let offsets = structural_offsets(&text);
        let mut chosen: Vec<(usize, String)> =
            spaces.iter().map(|(index, space)| (offsets[index.index(offsets.len())], space.clone())).collect();
        chosen.sort_by_key(|(offset, _)| std::cmp::Reverse(*offset));
        for (offset, space) in chosen {
            text.insert_str(offset, &space);
        }
        let letters = escapable_offsets(&text);
        let offset = letters[escape.index(letters.len())];
        let escaped = format!("\\u{:04x}", text.as_bytes()[offset]);
        text.replace_range(offset..offset + 1, &escaped);
        prop_assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), note.clone());
        let result = check(&text, &directory(), after(at(T0), 1));
        prop_assert!(result.is_ok(), "{}: {:?}", text, result.err());
    }

    #[test]
    fn arbitrary_text_never_panics_or_verifies(text in ".{0,300}") {
        prop_assert!(!verifies(&text));
    }

    #[test]
    fn truncations_never_verify(which in 0usize..3, cut in any::<prop::sample::Index>()) {
        let text = base_notes()[which].to_string();
        let end = cut.index(text.len());
        if let Some(prefix) = text.get(..end) {
            prop_assert!(!verifies(prefix));
        }
    }
}
