//! E-mail attributes (`email-src`, `email-dst`, `email-subject`, `email-reply-to`…) as
//! MISP writes them in observed data: one `email-message` (not multipart unless it
//! carries an attachment) with the address as its own `email-addr`, the attachment as
//! a `file`; and the reverse, the `email-message` back to the comparisons of
//! `attributes.rs`.

use super::attributes::Comparison;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// The SCOs of a one-comparison e-mail attribute, the message first.
pub fn email_observables(found: &[Comparison], uuid: &str) -> Option<Vec<Value>> {
    let [only] = found else { return None };
    let property = only.path.strip_prefix("email-message:")?;
    let value = &only.value;
    let mut message = Map::new();
    message.insert("type".into(), json!("email-message"));
    message.insert("spec_version".into(), json!("2.1"));
    message.insert("id".into(), json!(format!("email-message--{uuid}")));
    message.insert("is_multipart".into(), json!(false));
    let address =
        || json!({"type": "email-addr", "spec_version": "2.1", "id": format!("email-addr--{uuid}"), "value": value});
    let mut extra = Vec::new();
    match property {
        "subject" | "body" | "message_id" => {
            message.insert(property.into(), json!(value));
        }
        "received_lines" => {
            message.insert(property.into(), json!([value]));
        }
        "additional_header_fields.reply_to" => {
            message.insert("additional_header_fields".into(), json!({ "Reply-To": value }));
        }
        "additional_header_fields.x_mailer" => {
            message.insert("additional_header_fields".into(), json!({ "X-Mailer": value }));
        }
        "from_ref.value" => {
            message.insert("from_ref".into(), json!(format!("email-addr--{uuid}")));
            extra.push(address());
        }
        "to_refs[*].value" => {
            message.insert("to_refs".into(), json!([format!("email-addr--{uuid}")]));
            extra.push(address());
        }
        "body_multipart[*].body_raw_ref.name" => {
            message.insert("is_multipart".into(), json!(true));
            message.insert(
                "body_multipart".into(),
                json!([{"body_raw_ref": format!("file--{uuid}"), "content_disposition": format!("attachment; filename='{value}'")}]),
            );
            extra.push(json!({"type": "file", "spec_version": "2.1", "id": format!("file--{uuid}"), "name": value}));
        }
        _ => return None,
    }
    let mut out = vec![Value::Object(message)];
    out.extend(extra);
    Some(out)
}

/// The comparisons an `email-message` stands for, following its references.
pub fn email_comparisons(message: &Value, objects: &HashMap<String, Value>) -> Vec<Comparison> {
    let mut out = Vec::new();
    let mut push = |path: &str, value: Option<&str>| {
        if let Some(value) = value {
            out.push(Comparison { path: format!("email-message:{path}"), value: value.to_owned() });
        }
    };
    let referenced = |id: Option<&Value>, key: &str| -> Option<String> {
        objects.get(id?.as_str()?)?.get(key)?.as_str().map(str::to_owned)
    };
    for key in ["subject", "body", "message_id"] {
        push(key, message.get(key).and_then(Value::as_str));
    }
    push("from_ref.value", referenced(message.get("from_ref"), "value").as_deref());
    for id in message.get("to_refs").and_then(Value::as_array).into_iter().flatten() {
        push("to_refs[*].value", referenced(Some(id), "value").as_deref());
    }
    for line in message.get("received_lines").and_then(Value::as_array).into_iter().flatten() {
        push("received_lines", line.as_str());
    }
    let headers = message.get("additional_header_fields");
    push(
        "additional_header_fields.reply_to",
        headers.and_then(|fields| fields.get("Reply-To")).and_then(Value::as_str),
    );
    push(
        "additional_header_fields.x_mailer",
        headers.and_then(|fields| fields.get("X-Mailer")).and_then(Value::as_str),
    );
    for part in message.get("body_multipart").and_then(Value::as_array).into_iter().flatten() {
        push("body_multipart[*].body_raw_ref.name", referenced(part.get("body_raw_ref"), "name").as_deref());
    }
    out
}
