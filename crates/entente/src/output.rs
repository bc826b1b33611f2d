//! Printing results for people (text) or scripts (`--json`).

use serde::Serialize;
use std::io::Write;

/// Prints `value` as pretty JSON when `json` is set, otherwise the text `human` builds.
///
/// A reader that went away (`entente … | head`) is not an error: the output simply
/// stops, as with every Unix tool.
pub fn emit<T: Serialize>(json: bool, value: &T, human: impl FnOnce(&T) -> String) -> anyhow::Result<()> {
    let text = if json { serde_json::to_string_pretty(value)? } else { human(value) };
    if text.is_empty() {
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// Formats microseconds since the epoch as an RFC 3339 timestamp.
pub fn when(micros: i64) -> String {
    entente_core::Timestamp::from_unix_micros(micros).to_string()
}

/// A progress bar on standard error with this template, hidden when standard error is
/// not a terminal (scripts and logs get no control characters).
pub fn progress(length: u64, template: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(length);
    let style = indicatif::ProgressStyle::with_template(template)
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> ");
    bar.set_style(style);
    bar
}
