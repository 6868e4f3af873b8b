//! Loose files in a folder (an extracted bundle, or a TFTP root), read as
//! one unpacked bundle. Links are reported, never followed; sub-folders and
//! files that are bundles themselves are left to the caller.
//!
//! # Security
//! Only regular files are opened ([`crate::files::open_regular`]: no link is
//! followed, no FIFO or device can block the read), and each is read within
//! the same [`Limits`] as an archive member (`--max-member-size`,
//! `--max-total-size`). A file that cannot be read is a problem named after
//! it, and the other files are still read.

use std::fs;
use std::io::{self, BufReader};
use std::path::{Path, PathBuf};

use super::limits::{Budget, Guard, Limits};
use super::{Detected, EntryKind, MemberInfo, Problem, Sink, classify, detect};

/// The loose (non-bundle) entries directly inside `dir`, sorted by name,
/// skipping hidden names (`.loadsmith/`, editor files).
pub fn loose_entries(dir: &Path) -> io::Result<Vec<PathBuf>> {
    Ok(named_entries(dir)?.into_iter().map(|(_, p)| p).collect())
}

/// The loose entries of `dir` with their names, sorted by name, as
/// [`walk_named`] takes them.
pub fn named_entries(dir: &Path) -> io::Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir)? {
        let e = e?;
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let ft = e.file_type()?;
        if ft.is_dir() {
            continue;
        }
        // A file whose name loadsmith knows (a configuration file, an
        // image) is read as what it is, not sniffed for a bundle: a root of
        // tens of thousands of per-phone files is not opened twice. (Should
        // it be a bundle after all, reading it says so: `nested-bundle`.)
        let known = {
            let i = crate::names::ImageName::parse(&name);
            i.known && i.role != crate::names::Role::Bundle
        };
        if ft.is_file() && !known && matches!(detect(&e.path()), Ok(Detected::Bundle(_))) {
            continue;
        }
        out.push((name, e.path()));
    }
    // By name: the same order as sorting the paths of one folder, without
    // comparing path components (a root may hold tens of thousands of files).
    out.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    Ok(out)
}

/// Reads the loose entries of `dir` into `sink`, within `limits`.
pub fn walk(dir: &Path, limits: &Limits, sink: &mut dyn Sink) -> io::Result<()> {
    walk_files(&loose_entries(dir)?, limits, sink)
}

/// Reads the given files into `sink`, each under its base name, within `limits`.
pub fn walk_files(files: &[PathBuf], limits: &Limits, sink: &mut dyn Sink) -> io::Result<()> {
    let named: Vec<(String, PathBuf)> = files
        .iter()
        .map(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (name, p.clone())
        })
        .collect();
    walk_named(&named, limits, sink)
}

/// Reads the given files into `sink`, each under the name given with it
/// (a root seen through remap rules: the name phones ask for, the file the
/// server opens), within `limits`.
pub fn walk_named(
    files: &[(String, PathBuf)],
    limits: &Limits,
    sink: &mut dyn Sink,
) -> io::Result<()> {
    walk_budgeted(files, limits, &Budget::new(), sink)
}

/// As [`walk_named`], counting against a `budget` shared with other
/// threads reading other files of the same folder.
pub fn walk_budgeted(
    files: &[(String, PathBuf)],
    limits: &Limits,
    budget: &Budget,
    sink: &mut dyn Sink,
) -> io::Result<()> {
    for (name, p) in files {
        let name = name.clone();
        let meta = match fs::symlink_metadata(p) {
            Ok(m) => m,
            Err(e) => {
                sink.problem(Problem::Unreadable, Some(&name), e.to_string());
                continue;
            }
        };
        let ft = meta.file_type();
        let kind = if ft.is_symlink() {
            EntryKind::Symlink
        } else if ft.is_file() {
            EntryKind::File
        } else if ft.is_dir() {
            EntryKind::Dir
        } else {
            other_kind(&meta)
        };
        let link_target = ft.is_symlink().then(|| {
            fs::read_link(p)
                .map(|t| t.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
        let info = MemberInfo {
            path: name,
            kind,
            size: meta.len(),
            link_target,
        };
        if kind == EntryKind::File {
            let f = match crate::files::open_regular(p) {
                Ok(f) => f,
                Err(e) => {
                    sink.problem(Problem::Unreadable, Some(&info.path), e.to_string());
                    continue;
                }
            };
            // Sized to the file: a root of tens of thousands of small
            // configuration files must not map and unmap a large buffer each.
            let cap = usize::try_from(meta.len().saturating_add(1))
                .unwrap_or(usize::MAX)
                .clamp(8 * 1024, 256 * 1024);
            let mut f = BufReader::with_capacity(cap, f);
            let mut g = Guard::new(&mut f, &info.path, limits, budget, None, None);
            let r = sink
                .member(&info, &mut g)
                .and_then(|_| io::copy(&mut g, &mut io::sink()).map(|_| ()));
            if let Err(e) = r {
                sink.problem(classify(&e), Some(&info.path), e.to_string());
            }
            if budget.spent(limits) {
                return Ok(());
            }
        } else {
            sink.member(&info, &mut io::empty())?;
        }
    }
    Ok(())
}

#[cfg(unix)]
fn other_kind(meta: &fs::Metadata) -> EntryKind {
    use std::os::unix::fs::FileTypeExt;
    let ft = meta.file_type();
    if ft.is_fifo() {
        EntryKind::Fifo
    } else if ft.is_char_device() || ft.is_block_device() {
        EntryKind::Device
    } else {
        EntryKind::Other
    }
}

#[cfg(not(unix))]
fn other_kind(_: &fs::Metadata) -> EntryKind {
    EntryKind::Other
}
