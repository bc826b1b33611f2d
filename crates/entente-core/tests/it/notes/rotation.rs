//! Key rotation: A announces key 3 under key 1; B pins it and retires key 1.

use super::*;
use entente_core::note::{NoteDirectory, Rotation, RotationError};

fn rotation_note(old_key_valid_until: Timestamp) -> String {
    let new_key = KeyEntry { key: key(3).public(), valid_from: at(T0), valid_until: None };
    from_a(1, NoteBody::RotateKey { new_key, old_key_valid_until }).sign(&key(1)).to_json()
}

/// B after receiving and applying A's rotation with the old key ending at `until`.
fn rotated(until: Timestamp) -> MemoryDirectory {
    let mut directory = b_directory();
    let verified = check(&rotation_note(until), &directory, at(T0)).expect("the rotation note verifies");
    let rotation = Rotation::from_note(&verified).expect("the note is a rotation");
    assert_eq!(rotation.node, node(NODE_A));
    assert_eq!(rotation.old_key, key(1).key_id());
    let keys = rotation.apply(&directory.pinned_keys(&node(NODE_A)).expect("a memory directory never fails"));
    directory.set_keys(&node(NODE_A), keys);
    directory.record_received(verified.id());
    directory
}

fn resume_at(n: u8, created: Timestamp, signer: &NodeKey) -> String {
    UnsignedNote { created, ..from_a(n, NoteBody::Resume) }.sign(signer).to_json()
}

#[test]
fn the_new_key_is_pinned_and_the_old_one_retires_at_its_end_date() {
    let end = after(at(T0), 3600);
    let directory = rotated(end);
    let pinned = directory.pinned_keys(&node(NODE_A)).unwrap();
    assert_eq!(pinned.len(), 2);
    assert_eq!(pinned[0].valid_until, Some(end));
    assert_eq!(pinned[1], PinnedKey { key: key(3).public(), valid_from: at(T0), valid_until: None });

    let soon = after(at(T0), 60);
    assert_eq!(code(&check(&resume_at(2, soon, &key(3)), &directory, soon)), "ok");
    assert_eq!(code(&check(&resume_at(3, soon, &key(1)), &directory, soon)), "ok");
    let late = after(end, 1);
    assert_eq!(code(&check(&resume_at(4, late, &key(1)), &directory, late)), "key-retired");
    // Created just before the end, received just after: refused too.
    let just_before = after(end, -10);
    assert_eq!(code(&check(&resume_at(5, just_before, &key(1)), &directory, end)), "key-retired");
    assert_eq!(code(&check(&resume_at(6, late, &key(3)), &directory, late)), "ok");
}

#[test]
fn a_rotation_never_extends_or_revives_a_key() {
    let mut directory = b_directory();
    let early_end = after(at(T0), 600);
    let retired_three = PinnedKey { valid_until: Some(at(T0)), ..pinned(&key(3)) };
    directory.set_keys(&node(NODE_A), vec![PinnedKey { valid_until: Some(early_end), ..pinned(&key(1)) }]);
    let verified = check(&rotation_note(after(at(T0), 3600)), &directory, at(T0)).unwrap();
    let rotation = Rotation::from_note(&verified).unwrap();
    let keys = rotation.apply(&[PinnedKey { valid_until: Some(early_end), ..pinned(&key(1)) }, retired_three.clone()]);
    assert_eq!(keys[0].valid_until, Some(early_end));
    assert_eq!(keys[1], retired_three);
    assert_eq!(keys.len(), 2);
}

#[test]
fn only_rotate_key_notes_rotate() {
    let text = from_a(1, NoteBody::Resume).sign(&key(1)).to_json();
    let verified = check(&text, &b_directory(), at(T0)).unwrap();
    assert_eq!(Rotation::from_note(&verified), Err(RotationError::NotARotation(NoteKind::Resume)));
    // A rotation must come from the pinned old key: a stranger's is refused outright.
    let stranger = UnsignedNote { sender: node(NODE_C), ..from_a(2, NoteBody::Resume) };
    let body = every_body().into_iter().find(|body| body.kind() == NoteKind::RotateKey).unwrap();
    let text = UnsignedNote { body, ..stranger }.sign(&key(7)).to_json();
    assert_eq!(code(&check(&text, &b_directory(), at(T0))), "unknown-sender");
}
