//! `loadsmith history`: the stages kept in a root's history, newest first.

use std::path::Path;

use serde::Serialize;

use super::output::{Counts, Out, Style, count, safe, size};
use super::{Outcome, stdout_err};
use crate::error::Error;
use crate::stage::history::keep::Kept;
use crate::stage::history::{self, Change, Entry, State};

/// `history --json`: the root and its stages, newest first.
#[derive(Serialize)]
struct Doc<'a> {
    root: String,
    stages: Vec<Stage<'a>>,
}

/// One stage as shown: the record, its time spelled out.
#[derive(Serialize)]
struct Stage<'a> {
    #[serde(flatten)]
    entry: &'a Entry,
    utc: String,
}

pub(super) fn run(root: &Path, out: Out) -> Result<Outcome, Error> {
    if !root.is_dir() {
        return Err(Error::Usage {
            message: format!("{} is not a folder", root.display()),
        });
    }
    let entries = history::list(root)?;
    let doc = Doc {
        root: root.display().to_string(),
        stages: entries
            .iter()
            .rev()
            .map(|e| Stage {
                entry: e,
                utc: history::utc(e.record.time),
            })
            .collect(),
    };
    if out.json {
        out.json(&doc, Counts::default(), Outcome::Clean)
            .map_err(stdout_err)?;
    } else {
        out.text(&render(&doc, out)).map_err(stdout_err)?;
    }
    Ok(Outcome::Clean)
}

fn change(c: Change) -> &'static str {
    match c {
        Change::Create => "create",
        Change::Replace => "replace",
        Change::Edit => "edit",
        Change::Remove => "remove",
    }
}

/// How a stage's state reads after its target.
pub(super) fn state_note(s: State) -> &'static str {
    match s {
        State::Done => "",
        State::Staging => " (stopped before it finished)",
        State::Undoing => " (its undo was stopped: run undo again to finish it)",
    }
}

fn render(doc: &Doc, out: Out) -> String {
    let mut s = format!(
        "{}: {} kept (newest first; undo takes back the first)\n",
        out.paint(&safe(&doc.root), Style::Title),
        count(doc.stages.len(), "stage", "stages")
    );
    for st in &doc.stages {
        let r = &st.entry.record;
        let was = match &r.previous {
            Some(p) => format!(" (was {})", safe(p)),
            None => String::new(),
        };
        s.push_str(&format!(
            "  #{} {} {}{was}{}\n",
            st.entry.entry,
            st.utc,
            out.paint(&safe(&r.target), Style::Title),
            state_note(r.state)
        ));
        for b in &r.bundles {
            s.push_str(&format!(
                "    from {} sha256 {}\n",
                safe(&b.path),
                b.sha256.as_deref().unwrap_or("(a folder)")
            ));
        }
        for f in &r.files {
            let at = match f.path != f.name {
                true => format!(" at {}", safe(&f.path)),
                false => String::new(),
            };
            let kept = match (&f.saved, f.change) {
                (None, Change::Replace | Change::Edit | Change::Remove) => " (not kept)",
                _ => "",
            };
            s.push_str(&format!(
                "    {:<8} {}{at}{kept}\n",
                change(f.change),
                safe(&f.name)
            ));
        }
        s.push_str(&format!("    kept {}\n", size(r.kept_bytes)));
    }
    s
}

/// The line `stage` prints about what it kept.
pub(super) fn kept_line(h: &Kept, root: &str) -> String {
    let mut s = format!(
        "  history: #{} keeps {} this stage displaced ({}); loadsmith undo {} takes it back\n",
        h.entry,
        count(h.files, "file", "files"),
        size(h.bytes),
        safe(root)
    );
    if !h.not_kept.is_empty() {
        s.push_str(&format!(
            "  not kept (past --max-history-size): {}; undo cannot take this stage back\n",
            safe(&h.not_kept.join(", "))
        ));
    }
    s
}

/// `check`'s line about the last stage kept.
pub(super) fn last_line(e: &Entry) -> String {
    let r = &e.record;
    let from: Vec<String> = r.bundles.iter().map(|b| safe(&b.path)).collect();
    format!(
        "  last stage: #{} {} {} from {}{}\n",
        e.entry,
        history::utc(r.time),
        safe(&r.target),
        from.join(", "),
        state_note(r.state)
    )
}
