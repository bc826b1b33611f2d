//! Streaming input of STIX objects from a reader, in constant memory.
//!
//! Accepted inputs, detected from the text itself:
//! - a STIX bundle (or a TAXII envelope): a JSON object whose `objects` member is an
//!   array; each element is handed over as soon as it has been read, so a 1 GB bundle
//!   never sits in memory;
//! - JSON lines (or any sequence of top-level JSON values): each value is a single
//!   object, a bundle, or an array of objects.
//!
//! Each element reaches the caller as raw JSON text; parsing it into a
//! [`StixObject`](super::StixObject) is the caller's business, so one bad object
//! never stops the stream. A JSON syntax error does stop it, with the line and column:
//! after broken JSON there is no safe place to resume.

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::fmt;
use std::io::{BufRead, Read};

/// Why the stream stopped early.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    #[error("malformed JSON at line {line}, column {column}: {message}")]
    Syntax { line: usize, column: usize, message: String },
    #[error("could not read input: {0}")]
    Io(#[from] std::io::Error),
    #[error("stopped: {0}")]
    Stopped(String),
}

impl From<serde_json::Error> for StreamError {
    fn from(error: serde_json::Error) -> Self {
        if error.is_io() {
            return StreamError::Io(std::io::Error::other(error.to_string()));
        }
        let message = error.to_string();
        match message.strip_prefix(STOP_PREFIX) {
            Some(reason) => StreamError::Stopped(reason.split(" at line ").next().unwrap_or(reason).to_owned()),
            None => StreamError::Syntax { line: error.line(), column: error.column(), message },
        }
    }
}

/// Marks an error raised by the sink, to tell it apart from a syntax error.
const STOP_PREFIX: &str = "entente-stop: ";

/// What the caller does with each object: `Err(reason)` stops the whole stream.
pub type Sink<'a> = dyn FnMut(&RawValue) -> Result<(), String> + 'a;

/// Inputs up to this size are read whole and parsed from memory, several times faster
/// than byte by byte from a reader; larger ones stream, so memory stays bounded by it.
const IN_MEMORY: u64 = 64 << 20;

/// Reads every STIX object in `reader` and hands each to `sink` in input order.
pub fn read_objects<R: BufRead>(mut reader: R, sink: &mut Sink<'_>) -> Result<(), StreamError> {
    let mut head = Vec::new();
    (&mut reader).take(IN_MEMORY).read_to_end(&mut head)?;
    if (head.len() as u64) < IN_MEMORY {
        return read_values(serde_json::Deserializer::from_slice(&head), sink);
    }
    read_values(serde_json::Deserializer::from_reader(std::io::Cursor::new(head).chain(reader)), sink)
}

/// Every top-level value of the input, one after the other, until only whitespace is left.
fn read_values<'de, R: serde_json::de::Read<'de>>(
    mut deserializer: serde_json::Deserializer<R>,
    sink: &mut Sink<'_>,
) -> Result<(), StreamError> {
    // `end` fails on anything but trailing whitespace, an I/O error included, which the
    // next value then reports.
    while deserializer.end().is_err() {
        TopLevel { sink: &mut *sink }.deserialize(&mut deserializer)?;
    }
    Ok(())
}

fn emit<E: de::Error>(sink: &mut Sink<'_>, raw: &RawValue) -> Result<(), E> {
    sink(raw).map_err(|reason| E::custom(format!("{}{reason}", STOP_PREFIX)))
}

/// One top-level JSON value: a bundle/envelope, an array, or a single object.
struct TopLevel<'s, 'a> {
    sink: &'s mut Sink<'a>,
}

impl<'de> DeserializeSeed<'de> for TopLevel<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TopLevel<'_, '_> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a STIX bundle, an array of STIX objects, or a STIX object")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(raw) = seq.next_element::<Box<RawValue>>()? {
            emit(self.sink, &raw)?;
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // The members are kept as raw text so that a lone object can be re-emitted
        // exactly; an `objects` array is streamed instead of kept.
        let mut members: Vec<(String, Box<RawValue>)> = Vec::new();
        let mut streamed = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "objects" {
                let found = map.next_value_seed(ObjectsMember { sink: &mut *self.sink })?;
                if let Some(raw) = found {
                    members.push((key, raw));
                } else {
                    streamed = true;
                }
            } else {
                members.push((key, map.next_value::<Box<RawValue>>()?));
            }
        }
        if streamed {
            return Ok(());
        }
        let is_bundle = members.iter().any(|(key, raw)| key == "type" && raw.get() == "\"bundle\"");
        if is_bundle {
            return Ok(()); // A bundle without objects is empty, not an error.
        }
        let text = rebuild_object(&members).map_err(de::Error::custom)?;
        emit(self.sink, &text)
    }
}

fn rebuild_object(members: &[(String, Box<RawValue>)]) -> Result<Box<RawValue>, serde_json::Error> {
    let mut text = String::from("{");
    for (index, (key, raw)) in members.iter().enumerate() {
        if index > 0 {
            text.push(',');
        }
        text.push_str(&serde_json::to_string(key)?);
        text.push(':');
        text.push_str(raw.get());
    }
    text.push('}');
    RawValue::from_string(text)
}

/// The `objects` member: streamed when it is an array, kept when it is anything else
/// (the deprecated `observed-data.objects` dictionary, for instance).
struct ObjectsMember<'s, 'a> {
    sink: &'s mut Sink<'a>,
}

impl<'de> DeserializeSeed<'de> for ObjectsMember<'_, '_> {
    type Value = Option<Box<RawValue>>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ObjectsMember<'_, '_> {
    type Value = Option<Box<RawValue>>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("an array of STIX objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while let Some(raw) = seq.next_element::<Box<RawValue>>()? {
            emit(self.sink, &raw)?;
        }
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        // Re-serialise the dictionary member by member from raw text.
        let mut members = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            members.push((key, map.next_value::<Box<RawValue>>()?));
        }
        rebuild_object(&members).map(Some).map_err(de::Error::custom)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        let text = serde_json::to_string(value).map_err(E::custom)?;
        RawValue::from_string(text).map(Some).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
        RawValue::from_string(value.to_string()).map(Some).map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
        RawValue::from_string(value.to_string()).map(Some).map_err(E::custom)
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
        RawValue::from_string(value.to_string()).map(Some).map_err(E::custom)
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Self::Value, E> {
        RawValue::from_string(value.to_string()).map(Some).map_err(E::custom)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        RawValue::from_string("null".into()).map(Some).map_err(E::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(text: &str) -> Result<Vec<String>, StreamError> {
        let mut out = Vec::new();
        read_objects(text.as_bytes(), &mut |raw: &RawValue| {
            out.push(raw.get().to_owned());
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn streams_bundles_lines_and_arrays() {
        let bundle = r#"{"type":"bundle","id":"bundle--1","objects":[{"a":1},{"b":2}]}"#;
        assert_eq!(collect(bundle).unwrap(), vec![r#"{"a":1}"#, r#"{"b":2}"#]);
        let lines = "{\"type\":\"x\",\"n\":1}\n{\"type\":\"y\"}\n\n";
        assert_eq!(collect(lines).unwrap(), vec![r#"{"type":"x","n":1}"#, r#"{"type":"y"}"#]);
        assert_eq!(collect("[{\"a\":1}] [{\"b\":2}]").unwrap().len(), 2);
        assert!(collect("").unwrap().is_empty());
        assert!(collect(r#"{"type":"bundle","id":"bundle--1"}"#).unwrap().is_empty());
    }

    #[test]
    fn keeps_observed_data_objects_dictionary() {
        let text = r#"{"type":"observed-data","objects":{"0":{"type":"file"}},"x":1}"#;
        assert_eq!(collect(text).unwrap(), vec![text.to_owned()]);
    }

    #[test]
    fn reports_syntax_errors_with_position() {
        let error = collect("{\"type\":\"bundle\",\n\"objects\":[{\"a\":}]}").unwrap_err();
        assert!(matches!(error, StreamError::Syntax { line: 2, .. }), "{error:?}");
    }

    #[test]
    fn inputs_larger_than_the_in_memory_size_stream_the_same() {
        // Just over the in-memory size: the head read so far and the rest are chained.
        let object = r#"{"type":"x","padding":"PAD"}"#.replace("PAD", &"p".repeat(1000));
        let count = (IN_MEMORY as usize / object.len()) + 10;
        let lines = vec![object.as_str(); count].join("\n");
        assert!(lines.len() as u64 > IN_MEMORY);
        let mut seen = 0usize;
        read_objects(lines.as_bytes(), &mut |raw: &RawValue| {
            assert_eq!(raw.get(), object);
            seen += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, count);
        let broken = format!("{lines}\n{{\"a\":}}");
        assert!(matches!(collect(&broken), Err(StreamError::Syntax { .. })));
    }

    #[test]
    fn sink_can_stop_the_stream() {
        let error = read_objects(&b"[{\"a\":1},{\"b\":2}]"[..], &mut |_| Err("enough".into())).unwrap_err();
        assert!(matches!(error, StreamError::Stopped(ref reason) if reason == "enough"), "{error:?}");
    }
}
