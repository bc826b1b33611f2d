//! `entente keys rotate`: a new key replaces node.key, the old one is kept beside it
//! (mode 0600), the node's recorded fingerprint changes, and nonsense is refused.

use crate::support::Node;
use std::os::unix::fs::PermissionsExt;

#[test]
fn rotation_installs_a_new_key_and_keeps_the_old_one() {
    let node = Node::new();
    let key_file = node.dir.join("node.key");
    let before = std::fs::read_to_string(&key_file).unwrap();
    let rotated = node.json(&["keys", "rotate", "--old-valid-days", "3", "--json"]);
    let after = std::fs::read_to_string(&key_file).unwrap();
    assert_ne!(before, after, "node.key must hold the new seed");
    assert_eq!(std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777, 0o600);
    let old_id = rotated["old_key_id"].as_str().unwrap();
    let kept = node.dir.join(format!("node.key.{}", old_id.replace(':', "-")));
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), before, "the old seed is kept under its key id");
    assert_eq!(std::fs::metadata(&kept).unwrap().permissions().mode() & 0o777, 0o600);
    assert_ne!(rotated["new_fingerprint"], node.created["fingerprint"]);
    assert_eq!(rotated["announced_to"].as_array().unwrap().len(), 0, "no partners yet: {rotated}");

    // A second rotation starts from the new key.
    let again = node.json(&["keys", "rotate", "--json"]);
    assert_eq!(again["old_key_id"], rotated["new_key_id"]);
}

#[test]
fn rotation_needs_time_for_the_announcement() {
    let node = Node::new();
    let before = std::fs::read_to_string(node.dir.join("node.key")).unwrap();
    node.run(&["keys", "rotate", "--old-valid-days", "0"]).assert_failure_mentioning("at least 1");
    assert_eq!(std::fs::read_to_string(node.dir.join("node.key")).unwrap(), before, "nothing changed");
}
