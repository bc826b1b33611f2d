//! Printing results for people (text) or scripts (`--json`).

use serde::Serialize;

/// Prints `value` as pretty JSON when `json` is set, otherwise the text `human` builds.
pub fn emit<T: Serialize>(json: bool, value: &T, human: impl FnOnce(&T) -> String) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(value)?);
    } else {
        let text = human(value);
        if !text.is_empty() {
            println!("{text}");
        }
    }
    Ok(())
}

/// Formats microseconds since the epoch as an RFC 3339 timestamp.
pub fn when(micros: i64) -> String {
    entente_core::Timestamp::from_unix_micros(micros).to_string()
}
