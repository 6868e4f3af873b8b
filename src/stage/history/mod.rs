//! `.loadsmith/history/`: what each stage displaced, so `undo` can put a
//! root back as it was before the stage.
//!
//! One folder per stage, numbered (`0001`, `0002`, …), holding `stage.json`
//! (the [`Record`]: when, which target, from which bundle, every file the
//! stage created, replaced, edited or removed with its digest before and
//! after) and a copy of every file the stage displaced, byte for byte:
//! every pointer file it edited, every image it replaced or pruned, and the
//! manifest as it was. An entry is built in a temporary folder and renamed
//! into place whole, before the stage renames anything in the root; its
//! record is then rewritten (temporary file, rename) when the stage ends.
//! A kill at any instant leaves either no entry or a whole one.
//!
//! The last `--keep-history N` stages are kept (5 by default). Pointer files
//! are always kept; displaced images only up to `--max-history-size` a stage
//! (1 GiB by default): past it, the record names them (`not_kept`) and
//! `undo` refuses to restore them rather than restore half a set.

pub mod keep;
pub mod undo;

use std::io::{self, Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::files::beneath::{Folder, WalkError};
use crate::files::fault;
use crate::root::manifest::{self, Origin, STATE_DIR, TMP_PREFIX};

/// The folder of `.loadsmith/` that holds the history.
pub const DIR: &str = "history";
/// The record of one stage, in its entry.
pub const RECORD: &str = "stage.json";
/// The copy of the manifest as it was before the stage, in its entry.
pub const MANIFEST_COPY: &str = "manifest.json";
/// Stages kept by default (`--keep-history`).
pub const DEFAULT_KEEP: usize = 5;
/// Largest record read (as the manifest).
const MAX_RECORD: u64 = manifest::MAX_MANIFEST;

/// Where a stage is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// The stage was writing (or was stopped before it finished).
    Staging,
    /// The stage finished.
    Done,
    /// `undo` was putting it back (or was stopped before it finished).
    Undoing,
}

/// What a stage did to a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// A new file.
    Create,
    /// An image replaced by other bytes.
    Replace,
    /// A pointer file edited.
    Edit,
    /// A file removed (`--prune`).
    Remove,
}

/// One file a stage changed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileRecord {
    /// The file's name, as phones ask for it.
    pub name: String,
    /// Where it is, relative to the root (the name, unless remap rules
    /// send it elsewhere).
    pub path: String,
    /// `image` or `pointer`.
    pub kind: String,
    /// What the stage did.
    pub change: Change,
    /// Its SHA-256 before the stage (`null`: it did not exist).
    pub before: Option<String>,
    /// Its SHA-256 after the stage (`null`: removed).
    pub after: Option<String>,
    /// The copy of its bytes before the stage, in the entry (`null`:
    /// nothing to keep, or not kept past the bound).
    pub saved: Option<String>,
}

/// `stage.json`: one stage.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Record {
    /// Format version (1).
    pub version: u32,
    /// Where the stage (or its undo) is.
    pub state: State,
    /// When the stage began, in seconds since 1970 (UTC).
    pub time: u64,
    /// The target staged.
    pub target: String,
    /// The target the root was pointed at before (from the manifest).
    pub previous: Option<String>,
    /// The bundles it came from (file names and digests; more than one when
    /// a stage finished the work of an interrupted one).
    pub bundles: Vec<Origin>,
    /// The manifest was copied into the entry (`false`: there was none).
    pub manifest: bool,
    /// Every file changed.
    pub files: Vec<FileRecord>,
    /// Bytes of files kept in the entry.
    pub kept_bytes: u64,
    /// Displaced images not kept: past `--max-history-size`.
    #[serde(default)]
    pub not_kept: Vec<String>,
}

/// One entry of the history: its number and its record.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// Its number (the folder's name).
    pub entry: u64,
    /// What it holds.
    #[serde(flatten)]
    pub record: Record,
}

/// A stage in short (`check --json`'s `last_stage`).
#[derive(Debug, Clone, Serialize)]
pub struct Last {
    /// The entry's number.
    pub entry: u64,
    /// When the stage began (`2024-05-01T12:34:56Z`).
    pub time: String,
    /// Where it is.
    pub state: State,
    /// The target staged.
    pub target: String,
    /// The target before it.
    pub previous: Option<String>,
    /// The bundles it came from.
    pub bundles: Vec<Origin>,
    /// Files it created, replaced, edited, removed.
    pub created: usize,
    /// Images it replaced.
    pub replaced: usize,
    /// Pointer files it edited.
    pub edited: usize,
    /// Files it removed.
    pub removed: usize,
}

impl Last {
    /// The short form of `e`.
    pub fn of(e: &Entry) -> Last {
        let r = &e.record;
        let n = |c: Change| r.files.iter().filter(|f| f.change == c).count();
        Last {
            entry: e.entry,
            time: utc(r.time),
            state: r.state,
            target: r.target.clone(),
            previous: r.previous.clone(),
            bundles: r.bundles.clone(),
            created: n(Change::Create),
            replaced: n(Change::Replace),
            edited: n(Change::Edit),
            removed: n(Change::Remove),
        }
    }
}

/// The folder name of entry `n`.
pub fn entry_name(n: u64) -> String {
    format!("{n:04}")
}

/// `.loadsmith/history/` of `root`, opened without following a link;
/// `None` when there is none. With `create`, made (0755) when missing
/// (`.loadsmith/` must exist).
pub fn open_dir(root: &Path, create: bool) -> Result<Option<Folder>> {
    let top = Folder::open(root).map_err(|e| Error::io(crate::error::Action::OpenRoot, root, e))?;
    let at = format!("{STATE_DIR}/{DIR}");
    match top.walk(&at, create) {
        Ok(f) => Ok(Some(f)),
        Err(WalkError::Missing { .. }) => Ok(None),
        Err(e) => Err(Error::Refused {
            details: Vec::new(),
            message: format!(
                "{}: {e}; loadsmith keeps its history there and never follows a link",
                root.display()
            ),
            hint: Some(format!("remove {} and try again", root.join(at).display())),
        }),
    }
}

/// Every entry of the history, oldest first. Folders that are not whole
/// entries (an entry being built or removed when a process was stopped)
/// are left out.
pub fn list(root: &Path) -> Result<Vec<Entry>> {
    let Some(dir) = open_dir(root, false)? else {
        return Ok(Vec::new());
    };
    list_in(&dir)
}

/// As [`list`], in the history folder `dir`.
pub fn list_in(dir: &Folder) -> Result<Vec<Entry>> {
    let mut out = Vec::new();
    let names = dir
        .names()
        .map_err(|e| Error::io(crate::error::Action::Read, &dir.path, e))?;
    for name in names {
        let Ok(n) = name.parse::<u64>() else {
            continue;
        };
        if !name.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let rel = format!("{name}/{RECORD}");
        let bytes = match dir.open_file(&rel) {
            // An entry emptied by a stopped removal: no longer an entry.
            Err(WalkError::Missing { .. }) => continue,
            Err(e) => {
                return Err(Error::io(
                    crate::error::Action::Read,
                    dir.path_of(&rel),
                    io::Error::other(e.to_string()),
                ));
            }
            Ok(f) => crate::files::read_capped_from(f, MAX_RECORD)
                .map_err(|e| Error::open(dir.path_of(&rel), e))?,
        };
        let record: Record = serde_json::from_slice(&bytes).map_err(|e| Error::Usage {
            message: format!(
                "{} is not a loadsmith history record ({e}); move its folder away",
                dir.path_of(&rel).display()
            ),
        })?;
        out.push(Entry { entry: n, record });
    }
    out.sort_by_key(|e| e.entry);
    Ok(out)
}

/// The record's bytes, as written.
fn record_bytes(r: &Record) -> Result<Vec<u8>> {
    let mut b = serde_json::to_vec_pretty(r)
        .map_err(|e| Error::io(crate::error::Action::Write, RECORD, io::Error::other(e)))?;
    b.push(b'\n');
    Ok(b)
}

/// Rewrites the record of entry `n` atomically (temporary file, rename).
pub fn save_record(hist: &Folder, n: u64, r: &Record) -> Result<()> {
    let dir = walk(hist, &entry_name(n), false)?;
    manifest::write_atomic(&dir, RECORD, &record_bytes(r)?)
}

fn walk(dir: &Folder, rel: &str, create: bool) -> Result<Folder> {
    dir.walk(rel, create).map_err(|e| {
        Error::io(
            crate::error::Action::Open,
            dir.path_of(rel),
            io::Error::other(e.to_string()),
        )
    })
}

/// Copies what `from` holds into the new file `name` of `dir` in steps of
/// 256 KiB (each a fault point), flushed; returns its SHA-256 and size.
pub(crate) fn copy_new(dir: &Folder, name: &str, mut from: std::fs::File) -> Result<(String, u64)> {
    let mut f = fault::point()
        .and_then(|_| dir.create_new(name))
        .map_err(|e| Error::io(crate::error::Action::Create, dir.path_of(name), e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = from
            .read(&mut buf)
            .map_err(|e| Error::io(crate::error::Action::Read, dir.path_of(name), e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        size += n as u64;
        fault::point()
            .and_then(|_| f.write_all(&buf[..n]))
            .map_err(|e| Error::io(crate::error::Action::Write, dir.path_of(name), e))?;
    }
    manifest::finish_tmp(dir, name, f)?;
    Ok((crate::inspect::member::hex(&h.finalize()), size))
}

/// The SHA-256 of what `f` holds (`path` for messages), read in steps of 256 KiB.
pub(crate) fn digest(mut f: std::fs::File, path: &Path) -> Result<String> {
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| Error::io(crate::error::Action::Read, path, e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(crate::inspect::member::hex(&h.finalize()))
}

/// Removes the folder `name` of `hist` and what it holds: renamed first to
/// a temporary name (so it stops being an entry at once), then emptied.
pub fn remove_entry(hist: &Folder, name: &str) -> Result<()> {
    let gone = manifest::tmp_name(name);
    fault::point()
        .and_then(|_| hist.rename(name, &gone))
        .map_err(|e| Error::io(crate::error::Action::Remove, hist.path_of(name), e))?;
    manifest::sync_dir(hist)?;
    remove_tree(hist, &gone)
}

/// Removes the folder `name` of `dir` and its files (entries hold files only).
fn remove_tree(dir: &Folder, name: &str) -> Result<()> {
    let sub = walk(dir, name, false)?;
    for (n, _) in sub
        .entries()
        .map_err(|e| Error::io(crate::error::Action::Read, &sub.path, e))?
    {
        fault::point()
            .and_then(|_| sub.remove(&n))
            .map_err(|e| Error::io(crate::error::Action::Remove, sub.path_of(&n), e))?;
    }
    fault::point()
        .and_then(|_| dir.remove_dir(name))
        .map_err(|e| Error::io(crate::error::Action::Remove, dir.path_of(name), e))
}

/// Removes what a stopped process left in the history folder: entries
/// being built or removed (temporary names).
pub fn clean(hist: &Folder) -> Result<()> {
    let entries = hist
        .entries()
        .map_err(|e| Error::io(crate::error::Action::Read, &hist.path, e))?;
    for (n, kind) in entries {
        if !n.starts_with(TMP_PREFIX) {
            continue;
        }
        if kind == rustix::fs::FileType::Directory {
            remove_tree(hist, &n)?;
        } else {
            fault::point()
                .and_then(|_| hist.remove(&n))
                .map_err(|e| Error::io(crate::error::Action::Remove, hist.path_of(&n), e))?;
        }
    }
    Ok(())
}

/// Keeps the newest `keep` entries and removes the others.
pub fn trim(hist: &Folder, keep: usize) -> Result<()> {
    let entries = list_in(hist)?;
    let drop = entries.len().saturating_sub(keep);
    for e in entries.iter().take(drop) {
        remove_entry(hist, &entry_name(e.entry))?;
    }
    Ok(())
}

/// The refusal when an `undo` was stopped before it finished: the root is
/// partly put back, and only `undo` knows how to finish.
pub fn ready(root: &Path) -> Result<()> {
    match list(root)?.last() {
        Some(e) if e.record.state == State::Undoing => Err(Error::Refused {
            details: Vec::new(),
            message: format!(
                "an undo of the stage of {} in {} was stopped before it finished; nothing was written",
                e.record.target,
                root.display()
            ),
            hint: Some(format!(
                "run loadsmith undo {} to finish it, then stage again",
                root.display()
            )),
        }),
        _ => Ok(()),
    }
}

/// Seconds since 1970, now.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// `secs` (since 1970) as `2024-05-01T12:34:56Z`.
pub fn utc(secs: u64) -> String {
    let c = crate::clock::civil(i64::try_from(secs).unwrap_or(i64::MAX));
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_utc_dates() {
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(utc(1_714_566_896), "2024-05-01T12:34:56Z");
    }
}
