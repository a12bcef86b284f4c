//! Progress bars for long jobs, shown only on a terminal.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

/// Bars stay hidden when stderr is not a terminal or `quiet` is set, so logs and pipes
/// stay clean.
fn visible(quiet: bool) -> bool {
    !quiet && std::io::stderr().is_terminal()
}

fn styled(bar: ProgressBar, template: &str) -> ProgressBar {
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}

/// A bar of `total` items (a spinner when the total is unknown).
pub fn bar(total: u64, unit: &str, quiet: bool) -> ProgressBar {
    if !visible(quiet) {
        return ProgressBar::hidden();
    }
    if total > 0 {
        styled(
            ProgressBar::new(total),
            &format!("{{bar:40}} {{pos}}/{{len}} {unit} ({{per_sec}}, {{eta}} left)"),
        )
    } else {
        styled(
            ProgressBar::new_spinner(),
            &format!("{{spinner}} {{pos}} {unit} ({{per_sec}})"),
        )
    }
}

/// A bar over `total` bytes of input, shown in KB/MB.
pub fn bytes_bar(total: u64, quiet: bool) -> ProgressBar {
    if !visible(quiet) {
        return ProgressBar::hidden();
    }
    styled(
        ProgressBar::new(total),
        "{bar:40} {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
    )
}
