//! `loadsmith inspect`: render bundle reports for people or as JSON.

use serde::Serialize;

use super::output::{Counts, Out, Style, count, render_findings, safe, size, summary};
use super::{Outcome, default_jobs, stdout_err};
use crate::cli::args::InspectArgs;
use crate::error::Error;
use crate::findings::Code;
use crate::inspect::checksums::Status;
use crate::inspect::{self, BundleReport, Options};

#[derive(Serialize)]
struct InputError {
    path: String,
    message: String,
}

#[derive(Serialize)]
struct Doc<'a> {
    bundles: Vec<&'a BundleReport>,
    /// With --checksums: one verdict per file, like `sha256sum -c`.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    checksums: &'a [crate::inspect::checksums::FileVerdict],
    /// With --trusted-by: one verdict per trust list inspected.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    trusted_by: &'a [super::trust::TrustedBy],
    errors: Vec<InputError>,
}

pub(super) fn run(args: &InspectArgs, out: Out) -> Result<Outcome, Error> {
    if args.long && out.brief {
        return Err(Error::Usage {
            message: "--long and --brief ask for opposite things: give one".into(),
        });
    }
    let (sums, paths) = super::verify::lists(&args.checksums, &args.paths)?;
    let opts = Options {
        deep: args.deep,
        checksums: sums,
        jobs: args.jobs.unwrap_or_else(default_jobs).max(1),
        limits: args.limits.limits(),
        watch: Default::default(),
    };
    let (sources, mut errors) = inspect::collect(&paths);
    // A file a list names that is no bundle (release notes) is checked by its sums.
    errors.retain(|e| !super::verify::listed_plain_file(&opts.checksums, e));
    if sources.is_empty() && errors.is_empty() && opts.checksums.is_empty() {
        return Err(Error::Usage {
            message: "no bundles or firmware files found in the paths given".into(),
        });
    }
    let reports = inspect_all(&sources, &opts, out, &mut errors);
    let (verdicts, uncounted) =
        super::verify::verdicts(&opts.checksums, &reports, &paths, args.ignore_missing);
    // `--ignore-missing` with none of the listed files there: `sha256sum -c`
    // fails, as nothing was verified.
    let none_verified = args.ignore_missing
        && !opts.checksums.is_empty()
        && verdicts.iter().all(|v| v.status == Status::NotListed);
    let trusted = match &args.trusted_by {
        Some(old) => trusted_by(&reports, old)?,
        None => Vec::new(),
    };
    let refused = trusted
        .iter()
        .filter(|t| t.trust != crate::trust::Trust::Accepted)
        .count();
    let problems = reports.iter().any(BundleReport::has_errors)
        || verdicts.iter().any(super::verify::fails)
        || none_verified
        || refused > 0;
    let mut counts = Counts::of(reports.iter().map(|r| r.findings.as_slice()));
    // Failing verdicts no bundle's findings count (missing files, plain
    // files), the lists the old one's phones refuse, and unreadable inputs.
    counts.errors += uncounted + refused + errors.len() + usize::from(none_verified);
    let outcome = Outcome::of(problems, !errors.is_empty());
    let found = Found {
        reports: &reports,
        verdicts: &verdicts,
        trusted: &trusted,
        errors: &errors,
    };
    // `--checksums` and no path: the lists are the point, said as
    // `sha256sum -c` says it.
    let plain = args.paths.is_empty() && !opts.checksums.is_empty();
    if out.json {
        out.json(&found.doc(), counts, outcome)
            .map_err(stdout_err)?;
    } else if !args.status {
        let (full, errors) = if plain {
            found.plain()
        } else {
            found.human(out, args.long)
        };
        out.result(&full, &errors).map_err(stdout_err)?;
        if plain {
            super::output::eprint(&super::verify::warnings(&verdicts));
        }
    }
    if none_verified && !args.status {
        super::output::eprint(
            "loadsmith: no file was verified: none of the listed files is there\n",
        );
    }
    for e in &errors {
        super::output::eprint(&super::output::error_report(e));
    }
    if !errors.is_empty() {
        super::output::eprint(&format!(
            "loadsmith: {} of the inputs could not be read\n",
            errors.len()
        ));
    }
    Ok(outcome)
}

/// Inspects every source, with a progress bar when there are several and
/// stderr is a terminal; a source that cannot be read joins `errors`.
fn inspect_all(
    sources: &[inspect::Source],
    opts: &Options,
    out: Out,
    errors: &mut Vec<Error>,
) -> Vec<BundleReport> {
    let bar = (out.progress() && sources.len() > 1).then(|| {
        let b = indicatif::ProgressBar::new(sources.len() as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} bundles {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let tick = |r: &BundleReport| {
        if let Some(b) = &bar {
            b.set_message(safe(&r.path));
            b.inc(1);
        }
    };
    let results = inspect::inspect_all(sources, opts, &tick);
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let mut reports = Vec::new();
    for r in results {
        match r {
            Ok(rep) => reports.push(rep),
            Err(e) => errors.push(e),
        }
    }
    reports
}

/// What an inspect found, to render.
struct Found<'a> {
    reports: &'a [BundleReport],
    verdicts: &'a [crate::inspect::checksums::FileVerdict],
    trusted: &'a [super::trust::TrustedBy],
    errors: &'a [Error],
}

impl Found<'_> {
    /// The JSON document.
    fn doc(&self) -> Doc<'_> {
        Doc {
            bundles: self.reports.iter().collect(),
            checksums: self.verdicts,
            trusted_by: self.trusted,
            errors: self
                .errors
                .iter()
                .map(|e| InputError {
                    path: error_path(e),
                    message: e.to_string(),
                })
                .collect(),
        }
    }

    /// The bundles' own errors, but for the digest mismatches the verdict
    /// lines already say.
    fn own_errors(&self) -> String {
        self.reports
            .iter()
            .map(|r| {
                let own: Vec<_> = r
                    .findings
                    .iter()
                    .filter(|f| self.verdicts.is_empty() || f.code != Code::ChecksumMismatch)
                    .cloned()
                    .collect();
                super::output::error_lines(&r.path, &own)
            })
            .collect()
    }

    /// The lines of `sha256sum -c` and the bundles' own errors, both for
    /// the full text and for `--quiet` (the failing lines only).
    fn plain(&self) -> (String, String) {
        let own = self.own_errors();
        let full = super::verify::render_plain(self.verdicts, false) + &own;
        let quiet = super::verify::render_plain(self.verdicts, true) + &own;
        (full, quiet)
    }

    /// The text for people (`long`: each member's SHA-256 and signed
    /// header too), and the lines `--quiet` keeps.
    fn human(&self, out: Out, long: bool) -> (String, String) {
        let reports = self.reports;
        let mut text = String::new();
        for r in reports {
            if out.brief {
                text.push_str(&super::output::brief_line(
                    &r.path,
                    r.format.label(),
                    &r.findings,
                ));
            } else {
                text.push_str(&render(r, out, long));
            }
        }
        if reports.len() > 1 && !out.brief {
            let bad = reports.iter().filter(|r| r.has_errors()).count();
            text.push_str(&format!(
                "{} bundles: {} clean, {} with errors\n",
                reports.len(),
                reports.len() - bad,
                bad
            ));
        }
        if !self.verdicts.is_empty() {
            text.push_str(&super::verify::render(self.verdicts, false));
        }
        text.push_str(&super::trust::render_compared(self.trusted, out));
        let mut errors = self.own_errors();
        errors.push_str(&super::verify::render(self.verdicts, true));
        (text, errors)
    }
}

/// `--trusted-by OLD`: every trust list inspected against OLD.
fn trusted_by(
    reports: &[BundleReport],
    old: &std::path::Path,
) -> Result<Vec<super::trust::TrustedBy>, Error> {
    let list = super::trust::read_old(old)?;
    let v = super::trust::compare(reports, &list, old);
    if v.is_empty() {
        return Err(Error::Usage {
            message: "--trusted-by: none of the inputs is a trust list that can be decoded".into(),
        });
    }
    Ok(v)
}

fn error_path(e: &Error) -> String {
    e.path()
        .map(|p| p.display().to_string())
        .unwrap_or_default()
}

fn render(r: &BundleReport, out: Out, long: bool) -> String {
    let mut s = format!("{}\n", out.paint(&safe(&r.path), Style::Title));
    let digest = r
        .sha256
        .as_deref()
        .map(|d| format!(" · sha256 {d}"))
        .unwrap_or_default();
    s.push_str(&format!(
        "  {} · {} · {}{digest}\n",
        r.format.label(),
        size(r.size),
        count(r.members.len(), "member", "members")
    ));
    if let Some(d) = &r.sha512 {
        s.push_str(&format!("  sha512 {d}\n"));
    }
    if let Some(h) = &r.signed {
        let by = h.signer.as_deref().unwrap_or("an unnamed signer");
        let hash = h
            .hash
            .as_deref()
            .map(|x| format!(", {x}"))
            .unwrap_or_default();
        let named = h
            .embedded_name
            .as_deref()
            .map(|e| format!(" · signed as {}", safe(e)))
            .unwrap_or_default();
        s.push_str(&format!("  signed header: by {}{hash}{named}\n", safe(by)));
    }
    s.push_str(&render_sets(r, out));
    s.push_str(&render_members(r, out, long));
    if !r.findings.is_empty() {
        s.push_str("  findings:\n");
        s.push_str(&render_findings(&r.findings, out));
    }
    s.push_str(&summary(&r.findings, out));
    s.push('\n');
    s
}

/// The sets of a report: complete or not, what each is, what is missing.
fn render_sets(r: &BundleReport, out: Out) -> String {
    let mut s = String::new();
    if r.sets.is_empty() {
        s.push_str("  sets: none (no .loads and no loose application image)\n");
    } else {
        s.push_str("  sets:\n");
        for set in &r.sets {
            let state = if set.complete {
                out.paint("complete  ", Style::Good)
            } else {
                out.paint("INCOMPLETE", Style::Bad)
            };
            let what = [
                set.protocol.map(|p| p.label().to_string()),
                set.version.clone(),
                (!set.models.is_empty()).then(|| format!("for {}", set.models.join("/"))),
                set.stands_for
                    .as_ref()
                    .map(|l| format!("(factory default, = {l})")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
            s.push_str(&format!(
                "    {state} {:<24} {what} · {}\n",
                safe(&set.load),
                count(set.files.len(), "file", "files")
            ));
            for m in &set.missing {
                s.push_str(&format!("               missing {}\n", safe(m)));
            }
        }
    }
    s
}

/// The members of a report, with their trust lists and CNU entries; the
/// name a member was signed as only where it differs from its file name,
/// and with `long` each member's SHA-256 and signed header.
fn render_members(r: &BundleReport, out: Out, long: bool) -> String {
    let mut s = String::new();
    s.push_str("  members:\n");
    for m in &r.members {
        let mut what = if m.image.known {
            m.image.describe()
        } else {
            "unknown".to_string()
        };
        if !long
            && let Some(h) = &m.signed
            && let Some(e) = &h.embedded_name
            && *e != m.name
        {
            what.push_str(&format!(" · signed as {}", safe(e)));
        }
        if let Some(a) = &m.cnu {
            what.push_str(&format!(
                " · CNU archive, {}",
                count(a.entries.len(), "entry", "entries")
            ));
        }
        s.push_str(&format!(
            "    {:<34} {:>9}  {what}\n",
            safe(&m.name),
            size(m.size)
        ));
        if long {
            s.push_str(&render_long(m));
        }
        if let Some(t) = &m.trust {
            s.push_str(&super::trust::render(t, out));
        }
        if let Some(a) = &m.cnu {
            for e in &a.entries {
                s.push_str(&format!(
                    "        {:>10}  {}\n",
                    e.size,
                    safe(e.name.as_deref().unwrap_or("(unnamed image)"))
                ));
            }
        }
    }
    s
}

/// `--long`: a member's SHA-256, then what its signed header holds: the
/// signer (with its serial number and hash), the CA, the signing time and
/// the name it was signed as.
fn render_long(m: &crate::inspect::member::MemberReport) -> String {
    const PAD: &str = "        ";
    let mut s = match &m.sha256 {
        Some(d) => format!("{PAD}sha256    {d}\n"),
        None => format!("{PAD}sha256    (not computed)\n"),
    };
    let Some(h) = &m.signed else {
        return s;
    };
    let none = |v: &Option<String>| safe(v.as_deref().unwrap_or("(none in the header)"));
    let mut by = none(&h.signer);
    let detail: Vec<String> = [
        h.serial.as_ref().map(|x| format!("serial {x}")),
        h.hash.clone(),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !detail.is_empty() {
        by.push_str(&format!(" ({})", safe(&detail.join(", "))));
    }
    s.push_str(&format!("{PAD}signer    {by}\n"));
    s.push_str(&format!("{PAD}CA        {}\n", none(&h.ca)));
    // 79xx headers carry no time (tag 0F was never seen in one: formats.md).
    s.push_str(&format!("{PAD}signed at (no signing time in the header)\n"));
    s.push_str(&format!("{PAD}signed as {}\n", none(&h.embedded_name)));
    s
}
