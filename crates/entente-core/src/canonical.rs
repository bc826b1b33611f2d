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

use serde_json::Value;
use sha2::{Digest, Sha256};

/// Why a value has no canonical form.
#[derive(Debug, thiserror::Error)]
#[error("cannot canonicalise JSON: {0}")]
pub struct CanonicalError(String);

/// The RFC 8785 bytes of a JSON value.
pub fn to_canonical_bytes(value: &Value) -> Result<Vec<u8>, CanonicalError> {
    let mut out = Vec::with_capacity(256);
    write_canonical(value, &mut out)?;
    Ok(out)
}

/// The RFC 8785 bytes of any serialisable value.
pub fn canonical_bytes_of<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, CanonicalError> {
    let value = serde_json::to_value(value).map_err(|error| CanonicalError(error.to_string()))?;
    to_canonical_bytes(&value)
}

/// `sha256:` followed by the lower-case hex SHA-256 of the canonical bytes: the hash
/// that names treaties and other signed documents everywhere.
pub fn content_hash(value: &Value) -> Result<String, CanonicalError> {
    let bytes = to_canonical_bytes(value)?;
    Ok(format!("sha256:{}", hex::encode(Sha256::digest(bytes))))
}

/// Appends the RFC 8785 form of `value` to `out`, in one pass and without building
/// anything in between (this runs for every object version synced, twice).
///
/// - numbers are IEEE 754 doubles written as ECMAScript's `Number.prototype.toString`
///   does (`ryu-js`), so `1.0` is `1` and `1e21` is `1e+21`; non-finite numbers have no
///   form (JSON text cannot hold them anyway);
/// - strings are escaped minimally: `"` `\` and the control characters, the usual five
///   by their short escapes and the rest as `\u00xx` in lower case; everything else is
///   written as its UTF-8 (serde_json's string writer does exactly this);
/// - object members are sorted by the UTF-16 code units of their names.
pub fn write_canonical(value: &Value, out: &mut Vec<u8>) -> Result<(), CanonicalError> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(number) => {
            let float = number.as_f64().filter(|float| float.is_finite());
            let float = float.ok_or_else(|| CanonicalError(format!("the number {number} is not finite")))?;
            out.extend_from_slice(ryu_js::Buffer::new().format_finite(float).as_bytes());
        }
        Value::String(text) => write_string(text, out)?,
        Value::Array(items) => {
            out.push(b'[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                write_canonical(item, out)?;
            }
            out.push(b']');
        }
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|(left, _), (right, _)| {
                if left.is_ascii() && right.is_ascii() {
                    left.as_bytes().cmp(right.as_bytes())
                } else {
                    left.encode_utf16().cmp(right.encode_utf16())
                }
            });
            out.push(b'{');
            for (index, (name, member)) in members.into_iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                write_string(name, out)?;
                out.push(b':');
                write_canonical(member, out)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

fn write_string(text: &str, out: &mut Vec<u8>) -> Result<(), CanonicalError> {
    serde_json::to_writer(&mut *out, text).map_err(|error| CanonicalError(error.to_string()))
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
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_filter("finite", |float| float.is_finite()).prop_map(Value::from),
            "\\PC{0,6}".prop_map(Value::from),
            "[\\x00-\\x1f\\x7f\"\\\\/a\u{2028}\u{e9}]{0,6}".prop_map(Value::from),
            (-1e15f64..1e15).prop_map(Value::from),
            ".{0,12}".prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map("\\PC{0,8}|[\u{e000}-\u{ffff}\u{10000}-\u{10ffff}]{1,3}", inner, 0..6)
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
            let third = serde_jcs::to_vec(&value).unwrap();
            prop_assert_eq!(&ours, &third);
            let reparsed: Value = serde_json::from_slice(&ours).unwrap();
            prop_assert_eq!(to_canonical_bytes(&reparsed).unwrap(), ours);
        }
    }
}
