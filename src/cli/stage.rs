//! `loadsmith stage`: render what changed (or, with `--dry-run`, would).

use super::output::{Counts, Out, Style, count, render_findings, render_fleet, safe, size};
use super::{Outcome, default_jobs, stdout_err};
use crate::cli::args::StageArgs;
use crate::error::Error;
use crate::stage::edits::Action;
use crate::stage::{StageOptions, StageReport, stage};

pub(super) fn run(a: &StageArgs, out: Out) -> Result<Outcome, Error> {
    // With no root, the server's configuration names it (the machine's when there is one).
    let (root, mut server) = super::server::root_or_configured(
        a.root.as_deref(),
        (a.server_config.as_deref(), a.map_file.as_deref()),
        "stage needs a root",
    )?;
    let (bar, watch) = super::progress::Bar::new(out, "stage");
    let opts = StageOptions {
        target: a.target.clone(),
        from: a.from.clone(),
        root,
        dry_run: a.dry_run,
        force: a.force,
        prune: a.prune,
        running: a.running.clone(),
        jobs: a.jobs.unwrap_or_else(default_jobs),
        limits: a.limits.limits(),
        rules: server.rules.take(),
        history: crate::stage::history::keep::Keep {
            stages: a.keep_history,
            max_bytes: a.max_history_size,
        },
        phase: match (a.files_only, a.pointers_only) {
            (true, _) => crate::stage::Phase::Files,
            (_, true) => crate::stage::Phase::Pointers,
            _ => crate::stage::Phase::All,
        },
        watch,
    };
    let r = stage(&opts);
    drop(bar);
    let r = r?;
    // A stage that went through is clean: what it could not do is a
    // refusal (an error), and its findings are advice about the root.
    let outcome = Outcome::Clean;
    if out.json {
        let doc = super::server::With::new(&r, &server);
        out.json(&doc, Counts::of([r.findings.as_slice()]), outcome)
            .map_err(stdout_err)?;
    } else {
        out.text(&render(&r, out)).map_err(stdout_err)?;
    }
    Ok(outcome)
}

fn action(a: Action) -> &'static str {
    match a {
        Action::Create => "create",
        Action::Replace => "replace",
        Action::Edit => "edit",
        Action::Unchanged => "unchanged",
        Action::Remove => "remove",
    }
}

fn render(r: &StageReport, out: Out) -> String {
    let mut s = format!(
        "{} {} into {} from {}\n",
        out.paint(
            if r.dry_run { "plan: stage" } else { "stage" },
            Style::Title
        ),
        safe(&r.target),
        safe(&r.root),
        safe(&r.source.path)
    );
    s.push_str("  files:\n");
    for f in &r.files {
        s.push_str(&format!(
            "    {:<10} {:<34} {:>9}\n",
            action(f.action),
            safe(&f.name),
            size(f.size)
        ));
    }
    s.push_str(&render_edits(r));
    for p in &r.pruned {
        s.push_str(&format!("    {:<10} {}\n", action(Action::Remove), safe(p)));
    }
    for k in &r.kept {
        s.push_str(&format!(
            "    {:<10} {}: {}\n",
            "keep",
            safe(&k.file),
            safe(&k.reason)
        ));
    }
    s.push_str(&render_fleet(&r.phones, out));
    if !r.findings.is_empty() {
        s.push_str("  findings:\n");
        s.push_str(&render_findings(&r.findings, out));
    }
    s.push_str(&closing(r));
    s
}

/// The pointer files a stage edits (or leaves as they are), with the diff.
fn render_edits(r: &StageReport) -> String {
    let mut s = String::new();
    s.push_str("  pointers:\n");
    for e in &r.edits {
        let at = match &e.path {
            Some(p) => format!(" at {}", safe(p)),
            None => String::new(),
        };
        s.push_str(&format!(
            "    {:<10} {}{at} ({} = {})\n",
            action(e.action),
            safe(&e.file),
            e.settings
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            safe(&e.value)
        ));
        if e.action != Action::Unchanged {
            for d in &e.diff {
                s.push_str(&format!("               {}\n", safe(d)));
            }
        }
    }
    s
}

/// The closing lines: the folder made, and what changed.
fn closing(r: &StageReport) -> String {
    let mut s = String::new();
    let written = r
        .files
        .iter()
        .filter(|f| f.action != Action::Unchanged)
        .count();
    let edited = r
        .edits
        .iter()
        .filter(|e| e.action != Action::Unchanged)
        .count();
    if r.create_root {
        s.push_str(&format!(
            "  {} the folder {}\n",
            if r.dry_run { "would create" } else { "created" },
            safe(&r.root)
        ));
    }
    s.push_str(&if !r.changed {
        format!(
            "  nothing to do: {} already serves {}\n",
            safe(&r.root),
            safe(&r.target)
        )
    } else if r.dry_run {
        format!(
            "  dry run: {} and {} would change; nothing was written\n",
            count(written, "file", "files"),
            count(edited, "pointer file", "pointer files")
        )
    } else {
        format!(
            "  done: {} written, {} changed, {} removed\n",
            count(written, "file", "files"),
            count(edited, "pointer file", "pointer files"),
            r.pruned.len()
        )
    });
    if let Some(h) = &r.history {
        s.push_str(&super::history::kept_line(h, &r.root));
    }
    s
}
