//! Loose files in a folder (an extracted bundle, or a TFTP root), read as
//! one unpacked bundle. Links are reported, never followed; sub-folders and
//! files that are bundles themselves are left to the caller.

use std::fs::{self, File};
use std::io::{self, BufReader};
use std::path::{Path, PathBuf};

use super::{Detected, EntryKind, MemberInfo, Sink, detect};

/// The loose (non-bundle) entries directly inside `dir`, sorted by name,
/// skipping hidden names (`.loadsmith/`, editor files).
pub fn loose_entries(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir)? {
        let e = e?;
        let name = e.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let ft = e.file_type()?;
        if ft.is_dir() {
            continue;
        }
        if ft.is_file() && matches!(detect(&e.path()), Ok(Detected::Bundle(_))) {
            continue;
        }
        out.push(e.path());
    }
    out.sort();
    Ok(out)
}

/// Reads the loose entries of `dir` into `sink`.
pub fn walk(dir: &Path, sink: &mut dyn Sink) -> io::Result<()> {
    walk_files(&loose_entries(dir)?, sink)
}

/// Reads the given files into `sink`, each under its base name.
pub fn walk_files(files: &[PathBuf], sink: &mut dyn Sink) -> io::Result<()> {
    for p in files {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let meta = fs::symlink_metadata(p)?;
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
            let mut f = BufReader::with_capacity(256 * 1024, File::open(p)?);
            if let Err(e) = sink.member(&info, &mut f) {
                sink.problem(super::classify(&e), Some(&info.path), e.to_string());
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
