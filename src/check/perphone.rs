//! A root's per-phone files (`SEP<MAC>.cnf.xml`, `SIP<MAC>.cnf`,
//! `MGC<MAC>.cnf`), read apart from the members: a cluster's root holds
//! tens of thousands, and of each `check` needs only what it points phones
//! at and whether the server may read it. Each is read once, whole (up to
//! [`MAX_CONFIG`]), parsed and dropped: memory holds its pointers, not a
//! member record and its bytes.

use std::path::{Path, PathBuf};

use crate::error::{Action, Error};
use crate::files::beneath::{Folder, WalkError};
use crate::inspect::watch::Watch;
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
    /// Folders at the top named like per-phone files: a phone asking for
    /// one gets no file (its phone is walked; nothing else reads them).
    pub folders: Vec<String>,
}

impl PerPhone {
    /// The per-phone files whose phone cannot stand for another's: not
    /// served, unreadable or no regular file. Each is walked by itself.
    pub fn odd(&self) -> std::collections::HashSet<&str> {
        (self.unserved.iter().map(|(n, _)| n.as_str()))
            .chain(self.unreadable.iter().map(|(n, _)| n.as_str()))
            .chain(self.not_files.iter().map(|(n, _)| n.as_str()))
            .chain(self.folders.iter().map(String::as_str))
            .collect()
    }

    /// The entries named like per-phone files that are no regular file (a
    /// folder, a link, a FIFO): their phones are walked too.
    pub fn not_file_names(&self) -> impl Iterator<Item = &String> {
        self.not_files.iter().map(|(n, _)| n).chain(&self.folders)
    }

    /// `view` without the files read here: the shared configuration files
    /// (and whatever else it lists), for the pointers read from members.
    pub fn shared(&self, view: &RootView) -> RootView {
        RootView {
            dir: view.dir.clone(),
            names: (view.names.iter())
                .filter(|n| self.names.binary_search(n).is_err())
                .cloned()
                .collect(),
            paths: view.paths.clone(),
            rules: view.rules.clone(),
        }
    }
}

/// What became of a file that was not simply read (its pointers go to
/// its reader's one list: a vector per file would keep spare room for each
/// of tens of thousands, an outcome per file would hold one for each).
enum Odd {
    Unserved(String),
    Unreadable(Error),
    NotFile,
    Gone,
}

/// One reader's share: the pointers of its files in order, and the files
/// not simply read (by their index in the whole list).
type Part = (Vec<Pointer>, Vec<(usize, Odd)>);

/// Reads `mine` on `jobs` threads, each a contiguous share, in order.
fn read_shares(
    (root, folder, watch): (&Path, &Folder, &Watch),
    mine: &[(String, PathBuf)],
    jobs: usize,
) -> Vec<Part> {
    let chunk = mine.len().div_ceil(jobs.clamp(1, 4)).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = (mine.chunks(chunk).enumerate())
            .map(|(k, c)| {
                s.spawn(move || {
                    // About one pointer a file, as CUCM writes them.
                    let mut pointers = Vec::with_capacity(c.len());
                    let odd = (c.iter().enumerate())
                        .filter_map(|(i, (n, _))| {
                            let odd = one((root, folder, watch), n, &mut pointers)?;
                            Some((k * chunk + i, odd))
                        })
                        .collect();
                    (pointers, odd)
                })
            })
            .collect();
        (handles.into_iter().zip(mine.chunks(chunk).enumerate()))
            .map(|(h, (k, c))| {
                // A thread that failed read nothing sure: each file unreadable.
                h.join().unwrap_or_else(|_| {
                    let failed =
                        (0..c.len()).map(|i| (k * chunk + i, Odd::Unreadable(Error::WorkerFailed)));
                    (Vec::new(), failed.collect())
                })
            })
            .collect()
    })
}

/// Splits `entries` (a root's top level, sorted) into the per-phone files,
/// read here on `jobs` threads (`watch` told of each), and the rest.
pub(super) fn read(
    root: &Path,
    entries: Vec<(String, PathBuf)>,
    jobs: usize,
    watch: &Watch,
) -> Result<(PerPhone, Vec<(String, PathBuf)>), Error> {
    let (mine, mut rest): (Vec<_>, Vec<_>) = entries
        .into_iter()
        .partition(|(n, _)| fleet::per_phone_file(n).is_some());
    let folder = Folder::open(root).map_err(|e| Error::io(Action::OpenRoot, root, e))?;
    let parts = read_shares((root, &folder, watch), &mine, jobs);
    let mut out = PerPhone {
        names: Vec::with_capacity(mine.len()),
        pointers: Vec::with_capacity(parts.iter().map(|p| p.0.len()).sum()),
        ..PerPhone::default()
    };
    let mut odd = Vec::new();
    for (pointers, o) in parts {
        out.pointers.extend(pointers);
        odd.extend(o);
    }
    let mut odd = odd.into_iter().peekable();
    for (i, (name, path)) in mine.into_iter().enumerate() {
        let this = odd.next_if(|(at, _)| *at == i).map(|(_, o)| o);
        match this {
            None => out.names.push(name),
            Some(Odd::Unserved(why)) => {
                out.unserved.push((name.clone(), why));
                out.names.push(name);
            }
            Some(Odd::Unreadable(e)) => {
                out.unreadable.push((name.clone(), e));
                out.names.push(name);
            }
            Some(Odd::NotFile) => out.not_files.push((name, path)),
            Some(Odd::Gone) => {}
        }
    }
    out.folders = per_phone_folders(root);
    rest.extend(out.not_files.iter().cloned());
    rest.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    Ok((out, rest))
}

/// The folders at the top of `root` named like per-phone files (names
/// only: nothing in them is read).
fn per_phone_folders(root: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    let mut out: Vec<String> = (entries.filter_map(Result::ok))
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| fleet::per_phone_file(n).is_some())
        .collect();
    out.sort();
    out
}

/// Reads one per-phone file from the root's descriptor: never through a
/// link, never a FIFO or device, never more than [`MAX_CONFIG`] bytes.
fn one(
    (root, folder, watch): (&Path, &Folder, &Watch),
    name: &str,
    pointers: &mut Vec<Pointer>,
) -> Option<Odd> {
    let unreadable = |err| {
        Some(Odd::Unreadable(Error::io(
            Action::Read,
            root.join(name),
            err,
        )))
    };
    let f = match folder.open_file(name) {
        Ok(f) => f,
        Err(WalkError::Link { .. } | WalkError::NotFile { .. }) => return Some(Odd::NotFile),
        Err(WalkError::Missing { .. }) => return Some(Odd::Gone),
        Err(WalkError::Io { err, .. }) => return unreadable(err),
        Err(e) => return unreadable(std::io::Error::other(e.to_string())),
    };
    let meta = match f.metadata() {
        Ok(m) if m.is_file() => m,
        Ok(_) => return Some(Odd::NotFile),
        Err(e) => return unreadable(e),
    };
    let unserved = crate::files::metadata_unserved(&meta);
    watch.expect(meta.len());
    match crate::files::read_capped_from(f, MAX_CONFIG) {
        Ok(bytes) => {
            watch.done(name, bytes.len() as u64);
            pointers.extend(pointers_in(name, &bytes));
            unserved.map(Odd::Unserved)
        }
        Err(e) => Some(Odd::Unreadable(Error::open(root.join(name), e))),
    }
}
