//! Canonical JSON (RFC 8785, the JSON Canonicalization Scheme): the bytes that are
//! hashed and signed.
//!
//! Every signature in Entente — on diplomatic notes, node cards, treaties and object
//! provenance — is over these bytes, so that two implementations that agree on the
//! JSON value agree on what was signed, whatever whitespace, member order or number
//! spelling travelled on the wire.
//!
//! Deliberately not done here: deciding which members are covered (each signed type
//! says that), and accepting non-finite numbers (JSON has none).

use sha2::{Digest, Sha256};

/// Why a value has no canonical form.
#[derive(Debug, thiserror::Error)]
#[error("cannot canonicalise JSON: {0}")]
pub struct CanonicalError(String);

/// The RFC 8785 bytes of a JSON value.
pub fn to_canonical_bytes(value: &serde_json::Value) -> Result<Vec<u8>, CanonicalError> {
    serde_jcs::to_vec(value).map_err(|error| CanonicalError(error.to_string()))
}

/// The RFC 8785 bytes of any serialisable value.
pub fn canonical_bytes_of<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, CanonicalError> {
    serde_jcs::to_vec(value).map_err(|error| CanonicalError(error.to_string()))
}

/// `sha256:` followed by the lower-case hex SHA-256 of the canonical bytes: the hash
/// that names treaties and other signed documents everywhere.
pub fn content_hash(value: &serde_json::Value) -> Result<String, CanonicalError> {
    let bytes = to_canonical_bytes(value)?;
    Ok(format!("sha256:{}", hex::encode(Sha256::digest(bytes))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{Value, json};

    #[test]
    fn follows_rfc_8785_examples() {
        // Member order by UTF-16 code units, shortest round-trip numbers, minimal escapes.
        let value = json!({"b": [1.0, 1e21, -0.0, 0.000001], "a": "\u{20ac}\n", "\u{e9}": true, "A": null});
        let text = String::from_utf8(to_canonical_bytes(&value).unwrap()).unwrap();
        assert_eq!(text, "{\"A\":null,\"a\":\"\u{20ac}\\n\",\"b\":[1,1e+21,0,0.000001],\"\u{e9}\":true}");
    }

    fn arbitrary_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            (-1e15f64..1e15).prop_map(Value::from),
            ".{0,12}".prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map(".{0,8}", inner, 0..6)
                    .prop_map(|map| Value::Object(map.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Two independent implementations agree, and canonical bytes are a fixed point.
        #[test]
        fn agrees_with_a_second_implementation(value in arbitrary_json()) {
            let ours = to_canonical_bytes(&value).unwrap();
            let theirs = serde_json_canonicalizer::to_vec(&value).unwrap();
            prop_assert_eq!(&ours, &theirs);
            let reparsed: Value = serde_json::from_slice(&ours).unwrap();
            prop_assert_eq!(to_canonical_bytes(&reparsed).unwrap(), ours);
        }
    }
}
