//! `loadsmith check`: render what is wrong in a root (or that nothing is).

use std::collections::BTreeMap;
use std::path::Path;

use super::output::{Counts, Out, Style, count, render_findings, render_fleet, safe, summary};
use super::{Outcome, default_jobs, stdout_err};
use crate::check::{CheckReport, PointerReport, check, first_few};
use crate::error::Error;

pub(super) fn run(
    root: Option<&Path>,
    wait: u64,
    (map_file, server_config): (Option<&Path>, Option<&Path>),
    out: Out,
) -> Result<Outcome, Error> {
    // With no root, the server's configuration names it (the machine's when there is one).
    let (root, mut server) =
        super::server::root_or_configured(root, (server_config, map_file), "check needs a root")?;
    server.hint_remapped(&root);
    let (bar, watch) = super::progress::Bar::new(out, "check");
    // The bytes the root's files hold (a listing, no file read), when a bar shows.
    if out.progress() {
        watch.expect(crate::bundle::dir::named_entries(&root).map_or(0, |files| {
            files
                .iter()
                .filter_map(|(_, p)| std::fs::symlink_metadata(p).ok())
                .filter(std::fs::Metadata::is_file)
                .map(|m| m.len())
                .sum()
        }));
    }
    let r = check(
        &root,
        default_jobs(),
        std::time::Duration::from_secs(wait),
        server.rules.take(),
        watch,
    );
    drop(bar);
    let r = r?;
    // The last stage kept in the history (read after the check, as it is).
    let last = crate::stage::history::list(&root)
        .ok()
        .and_then(|mut h| h.pop());
    let counts = Counts::of([r.findings.as_slice()]);
    let outcome = Outcome::of(r.has_errors(), false);
    if out.json {
        #[derive(serde::Serialize)]
        struct Doc<'a> {
            #[serde(flatten)]
            report: &'a CheckReport,
            last_stage: Option<crate::stage::history::Last>,
        }
        let doc = Doc {
            report: &r,
            last_stage: last.as_ref().map(crate::stage::history::Last::of),
        };
        let with = super::server::With::new(&doc, &server);
        out.json(&with, counts, outcome).map_err(stdout_err)?;
    } else {
        let errors = super::output::error_lines(&r.root, &r.findings);
        let full = if out.brief {
            super::output::brief_line(&r.root, "root", &r.findings)
        } else {
            render_check(&r, last.as_ref(), out)
        };
        out.result(&full, &errors).map_err(stdout_err)?;
    }
    Ok(outcome)
}

fn render_check(r: &CheckReport, last: Option<&crate::stage::history::Entry>, out: Out) -> String {
    let mut s = format!("{}\n", out.paint(&safe(&r.root), Style::Title));
    if let Some(t) = &r.target {
        s.push_str(&format!("  last staged: {}\n", safe(t)));
    }
    if let Some(e) = last {
        s.push_str(&super::history::last_line(e));
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

/// The pointers: one line per shared file and load, its entries naming
/// that load together; per-phone files grouped by the load they name and
/// whether it resolves (a cluster has tens of thousands), with a count and
/// the first few names. `--json` keeps every entry.
fn render_pointers(pointers: &[PointerReport], out: Out) -> String {
    let mut s = String::from("  pointers:\n");
    let mark = |ok: bool| match ok {
        true => out.paint("ok      ", Style::Good),
        false => out.paint("DANGLING", Style::Bad),
    };
    let mut shared: Vec<(bool, &str, &str, Vec<String>)> = Vec::new();
    let mut groups: BTreeMap<(bool, &str, String), Vec<String>> = BTreeMap::new();
    for p in pointers {
        if p.per_phone {
            groups
                .entry((!p.resolves, p.value.as_str(), p.setting.to_string()))
                .or_default()
                .push(safe(&p.file));
            continue;
        }
        let key = (p.resolves, p.file.as_str(), p.value.as_str());
        match shared.iter_mut().find(|(r, f, v, _)| (*r, *f, *v) == key) {
            Some((.., settings)) => settings.push(p.setting.to_string()),
            None => shared.push((key.0, key.1, key.2, vec![p.setting.to_string()])),
        }
    }
    for (resolves, file, value, settings) in shared {
        s.push_str(&format!(
            "    {} {} {} = {}\n",
            mark(resolves),
            safe(file),
            settings.join(", "),
            safe(value)
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
