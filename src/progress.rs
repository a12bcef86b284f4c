//! Progress bars for long jobs, shown only on a terminal.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

/// A bar of `total` items (a spinner when the total is unknown), hidden when stderr
/// is not a terminal or `quiet` is set, so logs and pipes stay clean.
pub fn bar(total: u64, unit: &str, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let (bar, template) = if total > 0 {
        (
            ProgressBar::new(total),
            format!("{{bar:40}} {{pos}}/{{len}} {unit} ({{per_sec}}, {{eta}} left)"),
        )
    } else {
        (
            ProgressBar::new_spinner(),
            format!("{{spinner}} {{pos}} {unit} ({{per_sec}})"),
        )
    };
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    bar
}
