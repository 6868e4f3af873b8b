//! `loadsmith undo`: put a root back as it was before its last stage.

use std::path::Path;

use super::output::{Counts, Out, Style, count, safe};
use super::{Outcome, stdout_err};
use crate::error::Error;
use crate::stage::history::undo::{Action, UndoReport, undo};

pub(super) fn run(root: &Path, dry_run: bool, out: Out) -> Result<Outcome, Error> {
    let r = undo(root, dry_run)?;
    if out.json {
        out.json(&r, Counts::default(), Outcome::Clean)
            .map_err(stdout_err)?;
    } else {
        out.text(&render(&r, out)).map_err(stdout_err)?;
    }
    Ok(Outcome::Clean)
}

fn render(r: &UndoReport, out: Out) -> String {
    let back = r
        .restored
        .as_deref()
        .map(safe)
        .unwrap_or_else(|| "what it held".into());
    let mut s = format!(
        "{} the stage of {} ({}, #{}) in {}: back to {back}\n",
        out.paint(if r.dry_run { "plan: undo" } else { "undo" }, Style::Title),
        safe(&r.undone),
        r.time,
        r.entry,
        safe(&r.root)
    );
    for f in &r.files {
        let what = match f.action {
            Action::Restore => "restore",
            Action::Remove => "remove",
            Action::Unchanged => "unchanged",
        };
        let at = match &f.path {
            Some(p) => format!(" at {}", safe(p)),
            None => String::new(),
        };
        s.push_str(&format!("    {what:<10} {}{at}\n", safe(&f.name)));
        for d in &f.diff {
            s.push_str(&format!("               {}\n", safe(d)));
        }
    }
    let n = r
        .files
        .iter()
        .filter(|f| f.action != Action::Unchanged)
        .count();
    s.push_str(&if r.dry_run {
        format!(
            "  dry run: {} would change; nothing was written\n",
            count(n, "file", "files")
        )
    } else {
        format!(
            "  done: {} put back; {} more kept in history\n",
            count(n, "file", "files"),
            r.left
        )
    });
    s
}
