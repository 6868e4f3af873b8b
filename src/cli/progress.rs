//! Progress on a terminal for long `stage` and `check` runs: the bytes done
//! of those expected, the time left and the file in progress, on stderr.
//! Only when stderr is a terminal and neither `--quiet` nor `--json` is
//! given ([`Out::progress`]); never on a pipe. The library tells a
//! [`Watch`]; nothing here is known to it.

use std::sync::Arc;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::output::{Out, safe};
use crate::inspect::watch::{Progress, Watch};

/// A bar on stderr, cleared when dropped.
pub(super) struct Bar(Option<ProgressBar>);

struct Feed(ProgressBar);

impl Progress for Feed {
    fn expect(&self, bytes: u64) {
        self.0.inc_length(bytes);
        // Shown from the first work measured on (a stage with nothing to
        // read or write shows none); the first draw is not left to the clock.
        if self.0.is_hidden() {
            self.0.set_draw_target(ProgressDrawTarget::stderr());
        }
        self.0.tick();
    }

    fn done(&self, name: &str, bytes: u64) {
        // What was read past the total (a file grown since it was listed)
        // lengthens the bar rather than overflowing it.
        let pos = self.0.position() + bytes;
        if self.0.length().is_some_and(|l| pos > l) {
            self.0.set_length(pos);
        }
        self.0.set_message(safe(name));
        self.0.set_position(pos);
    }
}

impl Bar {
    /// A bar saying `what` ("stage", "check") when `out` allows one, shown
    /// once there is work to measure, and the watch that feeds it (one
    /// telling nobody otherwise). A file name reaches the bar escaped.
    pub(super) fn new(out: Out, what: &str) -> (Bar, Watch) {
        if !out.progress() {
            return (Bar(None), Watch::default());
        }
        let b = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden());
        b.set_style(
            ProgressStyle::with_template(
                "{prefix} {bytes}/{total_bytes} [{bar:16}] {eta} · {wide_msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        b.set_prefix(what.to_string());
        let watch = Watch::new(Arc::new(Feed(b.clone())));
        (Bar(Some(b)), watch)
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}
