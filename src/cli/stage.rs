//! `loadsmith stage` and `loadsmith check`: render what changed, or what is wrong.

use std::path::Path;

use super::inspect::{default_jobs, render_findings, size, summary};
use super::output::{Out, Summary, count, safe};
use super::{Outcome, stdout_err};
use crate::check::{CheckReport, PointerReport, check, first_few};
use crate::cli::args::StageArgs;
use crate::error::Error;
use crate::phone::Kind;
use crate::phone::fleet::Row;
use crate::stage::edits::Action;
use crate::stage::{StageOptions, StageReport, stage};
use std::collections::BTreeMap;

pub(super) fn run(a: &StageArgs, out: Out) -> Result<Outcome, Error> {
    let opts = StageOptions {
        target: a.target.clone(),
        from: a.from.clone(),
        root: a.root.clone(),
        dry_run: a.dry_run,
        force: a.force,
        prune: a.prune,
        running: a.running.clone(),
        jobs: a.jobs.unwrap_or_else(default_jobs),
        limits: a.limits.limits(),
        rules: a
            .map_file
            .as_deref()
            .map(crate::served::rules::Rules::load)
            .transpose()?,
    };
    let r = stage(&opts)?;
    if out.json {
        let mut summary = Summary::of([r.findings.as_slice()]);
        summary.exit = 0;
        out.json(&r, summary).map_err(stdout_err)?;
    } else {
        out.text(&render(&r, out)).map_err(stdout_err)?;
    }
    Ok(Outcome::Clean)
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
        out.paint(if r.dry_run { "plan: stage" } else { "stage" }, "1"),
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
            e.settings.join(", "),
            safe(&e.value)
        ));
        if e.action != Action::Unchanged {
            for d in &e.diff {
                s.push_str(&format!("               {}\n", safe(d)));
            }
        }
    }
    for p in &r.pruned {
        s.push_str(&format!("    {:<10} {}\n", "remove", safe(p)));
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
    s
}

pub(super) fn run_check(
    root: &Path,
    wait: u64,
    map_file: Option<&Path>,
    out: Out,
) -> Result<Outcome, Error> {
    let rules = map_file
        .map(crate::served::rules::Rules::load)
        .transpose()?;
    let r = check(
        root,
        default_jobs(),
        std::time::Duration::from_secs(wait),
        rules,
    )?;
    if out.json {
        out.json(&r, Summary::of([r.findings.as_slice()]))
            .map_err(stdout_err)?;
    } else {
        let errors = super::output::error_lines(&r.root, &r.findings);
        let full = if out.brief {
            super::output::brief_line(&r.root, "root", &r.findings)
        } else {
            render_check(&r, out)
        };
        out.result(&full, &errors).map_err(stdout_err)?;
    }
    Ok(if r.has_errors() {
        Outcome::Problems
    } else {
        Outcome::Clean
    })
}

fn render_check(r: &CheckReport, out: Out) -> String {
    let mut s = format!("{}\n", out.paint(&safe(&r.root), "1"));
    if let Some(t) = &r.target {
        s.push_str(&format!("  last staged: {}\n", safe(t)));
    }
    s.push_str(&render_pointers(&r.pointers, out));
    s.push_str("  sets:\n");
    for set in &r.sets {
        let state = if set.complete {
            "complete  "
        } else {
            "INCOMPLETE"
        };
        s.push_str(&format!(
            "    {state} {} · {}\n",
            safe(&set.load),
            count(set.files.len(), "file", "files")
        ));
    }
    s.push_str(&render_fleet(&r.fleet, out));
    if !r.findings.is_empty() {
        s.push_str("  findings:\n");
        s.push_str(&render_findings(&r.findings, out));
    }
    s.push_str(&summary(&r.findings, out));
    s
}

/// The pointers: one line per shared file's entry; per-phone files grouped
/// by the load they name and whether it resolves (a cluster has tens of
/// thousands), with a count and the first few names. `--json` keeps every
/// entry.
fn render_pointers(pointers: &[PointerReport], out: Out) -> String {
    let mut s = String::from("  pointers:\n");
    let mark = |ok: bool| match ok {
        true => out.paint("ok      ", "32"),
        false => out.paint("DANGLING", "31;1"),
    };
    let mut groups: BTreeMap<(bool, &str, &str), Vec<String>> = BTreeMap::new();
    for p in pointers {
        if p.per_phone {
            groups
                .entry((!p.resolves, p.value.as_str(), p.setting.as_str()))
                .or_default()
                .push(safe(&p.file));
            continue;
        }
        s.push_str(&format!(
            "    {} {} {} = {}\n",
            mark(p.resolves),
            safe(&p.file),
            p.setting,
            safe(&p.value)
        ));
    }
    for ((dangling, value, setting), files) in groups {
        s.push_str(&format!(
            "    {} {} {setting} = {} ({})\n",
            mark(!dangling),
            count(files.len(), "per-phone file", "per-phone files"),
            safe(value),
            first_few(&files)
        ));
    }
    s
}

/// The phone model's table: one line per model and starting state.
pub(super) fn render_fleet(rows: &[Row], out: Out) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut s = String::from("  phones:\n");
    for r in rows {
        let kind = match r.kind {
            Kind::Settles => out.paint("settles  ", "32"),
            Kind::Error => out.paint("error    ", "31;1"),
            Kind::Loops => out.paint("loops    ", "33;1"),
            Kind::Uncertain => out.paint("uncertain", "35;1"),
        };
        s.push_str(&format!(
            "    {kind} {:<9} {:<18} {}\n",
            r.model,
            r.state,
            safe(&r.message)
        ));
    }
    s
}
