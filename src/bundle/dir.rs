//! Loose files in a folder (an extracted bundle, or a TFTP root), read as
//! one unpacked bundle. Links are reported, never followed; sub-folders and
//! files that are bundles themselves are left to the caller.
//!
//! # Security
//! Only regular files are opened, never blocking on a FIFO or device. The
//! files of a folder or root are opened from its descriptor ([`Base::Root`]):
//! no link on the way leads out of it, whatever changes in the tree between
//! the listing and the read; files named on the command line are opened as
//! given (`crate::files::open_regular`: a link is not followed). Each is read within
//! the same [`Limits`] as an archive member (`--max-member-size`,
//! `--max-total-size`). A file that cannot be read is a problem named after
//! it, and the other files are still read.

use std::fs::{self, File};
use std::io::{self, BufReader};
use std::path::{Path, PathBuf};

use rustix::fs::FileType;

use super::limits::{Budget, Guard, Limits};
use super::{Detected, EntryKind, MemberInfo, Problem, Sink, classify, detect_bytes};
use crate::files::beneath::{Folder, WalkError};

/// The loose (non-bundle) entries directly inside `dir`, sorted by name,
/// skipping hidden names (`.loadsmith/`, editor files).
pub fn loose_entries(dir: &Path) -> io::Result<Vec<PathBuf>> {
    Ok(named_entries(dir)?.into_iter().map(|(_, p)| p).collect())
}

/// The loose entries of `dir` with their names, sorted by name, as
/// [`walk_named`] takes them.
pub fn named_entries(dir: &Path) -> io::Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    let folder = Folder::open(dir)?;
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
        if ft.is_file() && !known && matches!(sniff(&folder, &name), Some(Detected::Bundle(_))) {
            continue;
        }
        out.push((name, e.path()));
    }
    // By name: the same order as sorting the paths of one folder, without
    // comparing path components (a root may hold tens of thousands of files).
    out.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    Ok(out)
}

/// What the file `name` of `folder` is by its bytes, when it is a regular
/// file there (opened from the folder's descriptor, never through a link,
/// never blocking on a FIFO swapped in since the listing).
fn sniff(folder: &Folder, name: &str) -> Option<Detected> {
    use std::io::Read;
    let f = folder.open_file(name).ok()?;
    if !f.metadata().ok()?.is_file() {
        return None;
    }
    let mut head = Vec::with_capacity(1024);
    f.take(super::SNIFF as u64).read_to_end(&mut head).ok()?;
    let named_sgn = name.to_ascii_lowercase().ends_with(".sgn");
    Some(detect_bytes(&head, named_sgn))
}

/// Reads the loose entries of `dir` into `sink`, within `limits`, each
/// opened from the folder's descriptor ([`Base::Root`]).
pub fn walk(dir: &Path, limits: &Limits, sink: &mut dyn Sink) -> io::Result<()> {
    let folder = Folder::open(dir)?;
    walk_named(&named_entries(dir)?, Base::Root(&folder), limits, sink)
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
    walk_named(&named, Base::Given, limits, sink)
}

/// Where the files of a walk lie.
#[derive(Debug, Clone, Copy)]
pub enum Base<'a> {
    /// Paths as given: files named on the command line.
    Given,
    /// Paths relative to a root (or a folder of loose files), each opened
    /// from its descriptor: no link on the way is followed unless it leads
    /// inside the root, as a server chrooted there follows it
    /// (`crate::files::open_within`), and a link that is the file itself
    /// is reported, never read. Whatever changes in the tree meanwhile,
    /// nothing outside the root is read.
    Root(&'a Folder),
}

/// Reads the given files into `sink`, each under the name given with it
/// (a root seen through remap rules: the name phones ask for, the file the
/// server opens), within `limits`.
pub fn walk_named(
    files: &[(String, PathBuf)],
    base: Base,
    limits: &Limits,
    sink: &mut dyn Sink,
) -> io::Result<()> {
    walk_budgeted(files, base, limits, &Budget::new(), sink)
}

/// As [`walk_named`], counting against a `budget` shared with other
/// threads reading other files of the same folder.
pub fn walk_budgeted(
    files: &[(String, PathBuf)],
    base: Base,
    limits: &Limits,
    budget: &Budget,
    sink: &mut dyn Sink,
) -> io::Result<()> {
    for (name, p) in files {
        let (info, f) = match entry(base, name, p) {
            Ok(e) => e,
            Err(why) => {
                sink.problem(Problem::Unreadable, Some(name), why);
                continue;
            }
        };
        let Some(f) = f else {
            sink.member(&info, &mut io::empty())?;
            continue;
        };
        // Sized to the file: a root of tens of thousands of small
        // configuration files must not map and unmap a large buffer each.
        let cap = usize::try_from(info.size.saturating_add(1))
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
    }
    Ok(())
}

/// What the file `p` (named `name`) is, and the file opened when it is a
/// regular one; why not, when it cannot be looked at or opened.
fn entry(base: Base, name: &str, p: &Path) -> Result<(MemberInfo, Option<File>), String> {
    let info = |kind, size, link_target| MemberInfo {
        path: name.to_string(),
        kind,
        size,
        link_target,
    };
    let opened = |f: Result<File, crate::files::OpenError>| {
        let f = f.map_err(|e| e.to_string())?;
        let size = f.metadata().map_err(|e| e.to_string())?.len();
        Ok((info(EntryKind::File, size, None), Some(f)))
    };
    let Base::Root(dir) = base else {
        let meta = fs::symlink_metadata(p).map_err(|e| e.to_string())?;
        let ft = meta.file_type();
        if ft.is_file() {
            return opened(crate::files::open_regular(p));
        }
        let target = ft.is_symlink().then(|| {
            fs::read_link(p)
                .map(|t| t.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
        return Ok((info(kind_of(ft), meta.len(), target), None));
    };
    // Relative to the root (paths given joined to it are taken back).
    let rel = p.strip_prefix(&dir.path).unwrap_or(p).to_string_lossy();
    match dir.look(&rel) {
        Ok(l) if l.kind == FileType::RegularFile => opened(crate::files::open_within(dir, &rel)),
        Ok(l) => {
            let kind = match l.kind {
                FileType::Symlink => EntryKind::Symlink,
                FileType::Directory => EntryKind::Dir,
                FileType::Fifo => EntryKind::Fifo,
                FileType::CharacterDevice | FileType::BlockDevice => EntryKind::Device,
                _ => EntryKind::Other,
            };
            Ok((info(kind, l.size, l.target), None))
        }
        // A folder on the way is a link: followed only inside the root.
        Err(WalkError::Link { .. }) => opened(crate::files::open_within(dir, &rel)),
        Err(e) => Err(e.to_string()),
    }
}

/// The kind of an entry of a bundle a file type stands for.
fn kind_of(ft: fs::FileType) -> EntryKind {
    if ft.is_symlink() {
        EntryKind::Symlink
    } else if ft.is_file() {
        EntryKind::File
    } else if ft.is_dir() {
        EntryKind::Dir
    } else {
        other_kind(ft)
    }
}

#[cfg(unix)]
fn other_kind(ft: fs::FileType) -> EntryKind {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_fifo() {
        EntryKind::Fifo
    } else if ft.is_char_device() || ft.is_block_device() {
        EntryKind::Device
    } else {
        EntryKind::Other
    }
}

#[cfg(not(unix))]
fn other_kind(_: fs::FileType) -> EntryKind {
    EntryKind::Other
}
