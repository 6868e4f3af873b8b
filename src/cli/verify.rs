//! `inspect --checksums`: the lists' files, and one line per file like
//! `sha256sum -c` (`OK`, `FAILED`, `not listed`, `listed, not found`).
//!
//! Every file a list names gets a verdict: a bundle inspected by the
//! digests its report already holds; any other file (loose firmware, the
//! release notes, a `.pdf`) by reading it once here, given on the command
//! line or found beside the list, like `sha256sum -c` would.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::output::safe;
use crate::error::Error;
use crate::inspect::BundleReport;
use crate::inspect::checksums::{self, FileVerdict, Status, Sums};

/// The lists' sums, and the paths to inspect: those given, or (none given)
/// the files the lists name, found beside them.
pub(super) fn lists(lists: &[PathBuf], paths: &[PathBuf]) -> Result<(Sums, Vec<PathBuf>), Error> {
    let mut sums = Sums::default();
    for l in lists {
        sums.read(l)?;
    }
    let paths = if paths.is_empty() {
        sums.listed_files()
    } else {
        paths.to_vec()
    };
    Ok((sums, paths))
}

fn base(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// True when `e` says a file is not a bundle while a list names it: such a
/// file is checked by its sums alone, not an unreadable input.
pub(super) fn listed_plain_file(sums: &Sums, e: &Error) -> bool {
    matches!(e, Error::NotABundle { path } if sums.get(&base(path)).is_some())
}

/// The verdict of every file (in the lists' order, then the bundles no list
/// names), and how many failing verdicts no bundle report counts already.
pub(super) fn verdicts(
    sums: &Sums,
    reports: &[BundleReport],
    given: &[PathBuf],
    ignore_missing: bool,
) -> (Vec<FileVerdict>, usize) {
    if sums.is_empty() {
        return (Vec::new(), 0);
    }
    let bundles: HashMap<String, &BundleReport> = reports
        .iter()
        .filter(|r| r.sha256.is_some())
        .map(|r| (base(Path::new(&r.path)), r))
        .collect();
    let given: HashMap<String, &PathBuf> = given
        .iter()
        .filter(|p| p.is_file())
        .map(|p| (base(p), p))
        .collect();
    let mut out = Vec::new();
    let mut uncounted = 0;
    for l in sums.iter() {
        if let Some(r) = bundles.get(&l.name) {
            let checks: Vec<_> = r.checksums.iter().map(|c| (c.algorithm, c.ok)).collect();
            out.push(checksums::verdict(l, &checks));
            continue;
        }
        let path = given
            .get(&l.name)
            .map_or_else(|| sums.path_of(l), |p| p.to_path_buf());
        let v = match checksums::compare(&path, l) {
            Ok(checks) => checksums::verdict(l, &checks),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && ignore_missing => continue,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => checksums::not_found(l),
            Err(_) => FileVerdict {
                status: Status::Unreadable,
                ..checksums::not_found(l)
            },
        };
        uncounted += usize::from(fails(&v));
        out.push(v);
    }
    for name in bundles.keys().filter(|n| sums.get(n).is_none()) {
        out.push(checksums::not_listed(name));
    }
    // The unlisted ones in the order the bundles were inspected.
    let order: HashMap<String, usize> = reports
        .iter()
        .enumerate()
        .map(|(i, r)| (base(Path::new(&r.path)), i))
        .collect();
    let listed = out.len() - out.iter().filter(|v| v.status == Status::NotListed).count();
    out[listed..].sort_by_key(|v| order.get(&v.name).copied());
    (out, uncounted)
}

/// True when a verdict makes the run fail (like `sha256sum -c`).
pub(super) fn fails(v: &FileVerdict) -> bool {
    matches!(
        v.status,
        Status::Failed | Status::ListedNotFound | Status::Unreadable
    )
}

/// The lines `sha256sum -c` prints, for a run whose point is the lists
/// (`--checksums` and no path): `NAME: OK`, `NAME: FAILED`, `NAME: FAILED
/// open or read`; (quiet) the failing ones only.
pub(super) fn render_plain(verdicts: &[FileVerdict], only_failing: bool) -> String {
    let mut s = String::new();
    for v in verdicts.iter().filter(|v| !only_failing || fails(v)) {
        let word = match v.status {
            Status::ListedNotFound => Status::Unreadable.word(),
            other => other.word(),
        };
        s.push_str(&format!("{}: {word}\n", safe(&v.name)));
    }
    s
}

/// The warnings `sha256sum -c` writes on stderr after its lines: files
/// that could not be read, digests that did not match.
pub(super) fn warnings(verdicts: &[FileVerdict]) -> String {
    let n = |s: Status| verdicts.iter().filter(|v| v.status == s).count();
    let unread = n(Status::ListedNotFound) + n(Status::Unreadable);
    let failed = n(Status::Failed);
    let mut s = String::new();
    if unread > 0 {
        let file = if unread == 1 { "file" } else { "files" };
        s.push_str(&format!(
            "loadsmith: WARNING: {unread} listed {file} could not be read\n"
        ));
    }
    if failed > 0 {
        let sums = if failed == 1 { "checksum" } else { "checksums" };
        s.push_str(&format!(
            "loadsmith: WARNING: {failed} computed {sums} did NOT match\n"
        ));
    }
    s
}

/// The lines for people: every verdict, or (quiet) the failing ones.
pub(super) fn render(verdicts: &[FileVerdict], only_failing: bool) -> String {
    let mut s = String::new();
    for v in verdicts.iter().filter(|v| !only_failing || fails(v)) {
        let algs: Vec<&str> = v.algorithms.iter().map(|a| a.label()).collect();
        let by = if algs.is_empty() {
            String::new()
        } else {
            format!(" ({})", algs.join(", "))
        };
        s.push_str(&format!("{}: {}{by}\n", safe(&v.name), v.status.word()));
    }
    s
}
