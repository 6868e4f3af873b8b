//! `inspect --checksums`: the lists' files, and one line per file like
//! `sha256sum -c` (`OK`, `FAILED`, `not listed`, `listed, not found`).

use std::path::PathBuf;

use super::output::safe;
use crate::check::BundleReport;
use crate::check::checksums::{self, Expected, FileVerdict, Status};
use crate::error::Error;

/// The lists' entries, and the paths to inspect: those given, or (none
/// given) the files the lists name, found beside them.
pub(super) fn lists(
    lists: &[PathBuf],
    paths: &[PathBuf],
) -> Result<(Vec<Expected>, Vec<PathBuf>), Error> {
    let mut expected = Vec::new();
    for l in lists {
        expected.extend(checksums::load(l)?);
    }
    let paths = if paths.is_empty() {
        checksums::listed_files(&expected).0
    } else {
        paths.to_vec()
    };
    Ok((expected, paths))
}

/// The verdict of every file: the bundles inspected and the files listed.
pub(super) fn verdicts(expected: &[Expected], reports: &[BundleReport]) -> Vec<FileVerdict> {
    if expected.is_empty() {
        return Vec::new();
    }
    let inspected: Vec<(String, Vec<(checksums::Algorithm, bool)>)> = reports
        .iter()
        .filter(|r| r.sha256.is_some())
        .map(|r| {
            let base = std::path::Path::new(&r.path)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (
                base,
                r.checksums.iter().map(|c| (c.algorithm, c.ok)).collect(),
            )
        })
        .collect();
    checksums::verdicts(expected, &inspected)
}

/// True when a verdict makes the run fail (like `sha256sum -c`).
pub(super) fn fails(v: &FileVerdict) -> bool {
    matches!(v.status, Status::Failed | Status::ListedNotFound)
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
