//! A root's per-phone files (`SEP<MAC>.cnf.xml`, `SIP<MAC>.cnf`,
//! `MGC<MAC>.cnf`), read apart from the members: a cluster's root holds
//! tens of thousands, and of each `check` needs only what it points phones
//! at and whether the server may read it. Each is read once, whole (up to
//! [`MAX_CONFIG`]), parsed and dropped: memory holds its pointers, not a
//! member record and its bytes.

use std::path::{Path, PathBuf};

use crate::error::{Action, Error};
use crate::files::beneath::{Folder, WalkError};
use crate::phone::fleet;
use crate::served::view::{MAX_CONFIG, Pointer, RootView, pointers_in};

/// What the per-phone files said.
#[derive(Default)]
pub(super) struct PerPhone {
    /// Their names (sorted, as listed).
    pub names: Vec<String>,
    /// The pointers they hold.
    pub pointers: Vec<Pointer>,
    /// The files that could not be read, and why.
    pub unreadable: Vec<(String, Error)>,
    /// The files the server would refuse for their mode, and why.
    pub unserved: Vec<(String, String)>,
    /// Entries that are not regular files (links, FIFOs): left to the
    /// member reader, which reports them as it does any other.
    pub not_files: Vec<(String, PathBuf)>,
}

impl PerPhone {
    /// `view` without the files read here: the shared configuration files
    /// (and whatever else it lists), for the pointers read from members.
    pub fn shared(&self, view: &RootView) -> RootView {
        let mut shared = view.clone();
        shared
            .names
            .retain(|n| self.names.binary_search(n).is_err());
        shared
    }
}

/// What one file gave.
enum One {
    Read {
        pointers: Vec<Pointer>,
        unserved: Option<String>,
    },
    Unreadable(Error),
    NotFile,
    Gone,
}

/// Splits `entries` (a root's top level, sorted) into the per-phone files,
/// read here on `jobs` threads, and the rest.
pub(super) fn read(
    root: &Path,
    entries: Vec<(String, PathBuf)>,
    jobs: usize,
) -> Result<(PerPhone, Vec<(String, PathBuf)>), Error> {
    let (mine, mut rest): (Vec<_>, Vec<_>) = entries
        .into_iter()
        .partition(|(n, _)| fleet::per_phone_file(n).is_some());
    let folder = Folder::open(root).map_err(|e| Error::io(Action::OpenRoot, root, e))?;
    let chunk = mine.len().div_ceil(jobs.clamp(1, 4)).max(1);
    let parts: Vec<Vec<One>> = std::thread::scope(|s| {
        let handles: Vec<_> = mine
            .chunks(chunk)
            .map(|c| {
                let folder = &folder;
                s.spawn(move || c.iter().map(|(n, _)| one(root, folder, n)).collect())
            })
            .collect();
        handles
            .into_iter()
            .zip(mine.chunks(chunk))
            .map(|(h, c)| {
                // A thread that failed read nothing sure: each file unreadable.
                h.join().unwrap_or_else(|_| {
                    c.iter()
                        .map(|_| One::Unreadable(Error::WorkerFailed))
                        .collect()
                })
            })
            .collect()
    });
    let mut out = PerPhone::default();
    for ((name, path), got) in mine.into_iter().zip(parts.into_iter().flatten()) {
        match got {
            One::Read { pointers, unserved } => {
                out.pointers.extend(pointers);
                if let Some(why) = unserved {
                    out.unserved.push((name.clone(), why));
                }
                out.names.push(name);
            }
            One::Unreadable(e) => {
                out.unreadable.push((name.clone(), e));
                out.names.push(name);
            }
            One::NotFile => out.not_files.push((name, path)),
            One::Gone => {}
        }
    }
    rest.extend(out.not_files.iter().cloned());
    rest.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    Ok((out, rest))
}

/// Reads one per-phone file from the root's descriptor: never through a
/// link, never a FIFO or device, never more than [`MAX_CONFIG`] bytes.
fn one(root: &Path, folder: &Folder, name: &str) -> One {
    let f = match folder.open_file(name) {
        Ok(f) => f,
        Err(WalkError::Link { .. } | WalkError::NotFile { .. }) => return One::NotFile,
        Err(WalkError::Missing { .. }) => return One::Gone,
        Err(WalkError::Io { err, .. }) => {
            return One::Unreadable(Error::io(Action::Read, root.join(name), err));
        }
        Err(e) => {
            let err = std::io::Error::other(e.to_string());
            return One::Unreadable(Error::io(Action::Read, root.join(name), err));
        }
    };
    let meta = match f.metadata() {
        Ok(m) if m.is_file() => m,
        Ok(_) => return One::NotFile,
        Err(e) => return One::Unreadable(Error::io(Action::Read, root.join(name), e)),
    };
    let unserved = crate::files::metadata_unserved(&meta);
    match crate::files::read_capped_from(f, MAX_CONFIG) {
        Ok(bytes) => One::Read {
            pointers: pointers_in(name, &bytes),
            unserved,
        },
        Err(e) => One::Unreadable(Error::open(root.join(name), e)),
    }
}
