//! `undo`: puts a root back as it was before its last stage kept in the
//! history, with a stage's guarantees: under the root's lock, every file
//! written to a temporary name and flushed, then renamed into place in a
//! stage's order (images, `.loads`, term files, then each pointer file),
//! files the stage created removed only once no pointer names them, and the
//! manifest restored last. The entry is marked `undoing` first, so a
//! stopped undo is finished by the next one (each file is either as the
//! stage left it or already put back) and refuses a stage meanwhile.
//!
//! It refuses, changing nothing, when a file it would restore or remove no
//! longer has the digest the stage wrote (changed by hand since).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::{Change, FileRecord, MANIFEST_COPY, State, entry_name};
use crate::error::{Error, Result};
use crate::files::beneath::Folder;
use crate::files::fault;
use crate::names::{ImageName, Role};
use crate::root::manifest::{self, Entry, Lock, Manifest};

/// What undo does to a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Its bytes before the stage are written back.
    Restore,
    /// The stage created it: it is removed.
    Remove,
    /// Already as before the stage.
    Unchanged,
}

/// One file undo puts back.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// The file, as phones ask for it.
    pub name: String,
    /// Where it is, when remap rules sent it elsewhere.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// `image` or `pointer`.
    pub kind: String,
    /// What the stage did to it.
    pub change: Change,
    /// What undo does.
    pub action: Action,
    /// For pointer files: the lines that change, `-now` and `+restored`.
    pub diff: Vec<String>,
}

/// What an undo did (or, with `--dry-run`, would do).
#[derive(Debug, Clone, Serialize)]
pub struct UndoReport {
    /// The root.
    pub root: String,
    /// The history entry undone.
    pub entry: u64,
    /// When that stage ran (UTC).
    pub time: String,
    /// The target it staged.
    pub undone: String,
    /// The target the root was pointed at before it (and is again).
    pub restored: Option<String>,
    /// Every file it changed.
    pub files: Vec<Step>,
    /// Stages still kept after this undo.
    pub left: usize,
    /// True for `--dry-run`.
    pub dry_run: bool,
}

fn nothing(root: &Path) -> Error {
    Error::Refused {
        details: Vec::new(),
        message: format!(
            "no stage of {} is kept in .loadsmith/history/; nothing to undo",
            root.display()
        ),
        hint: Some("stages keep history from this version on (--keep-history)".into()),
    }
}

fn io_of(at: &Path, e: impl std::fmt::Display) -> Error {
    Error::io(
        crate::error::Action::Open,
        at,
        std::io::Error::other(e.to_string()),
    )
}

/// Undoes the last stage kept in `root`'s history.
pub fn undo(root: &Path, dry_run: bool) -> Result<UndoReport> {
    if !root.is_dir() {
        return Err(Error::Usage {
            message: format!("{} is not a folder", root.display()),
        });
    }
    if super::list(root)?.is_empty() {
        return Err(nothing(root));
    }
    let _lock = match dry_run {
        true => None,
        false => Some(Lock::take(root)?),
    };
    // Read again under the lock: a stage may have ended meanwhile.
    let entries = super::list(root)?;
    let Some(e) = entries.last() else {
        return Err(nothing(root));
    };
    let hist = super::open_dir(root, false)?.ok_or_else(|| nothing(root))?;
    let top =
        Folder::open(root).map_err(|err| Error::io(crate::error::Action::OpenRoot, root, err))?;
    let name = entry_name(e.entry);
    let edir = hist
        .walk(&name, false)
        .map_err(|err| io_of(&hist.path_of(&name), err))?;
    let files = survey(root, &top, &edir, &e.record.files)?;
    let report = UndoReport {
        root: root.display().to_string(),
        entry: e.entry,
        time: super::utc(e.record.time),
        undone: e.record.target.clone(),
        restored: e.record.previous.clone(),
        files,
        left: entries.len() - 1,
        dry_run,
    };
    if dry_run {
        return Ok(report);
    }
    // What a stopped stage or undo left: temporary files and folders.
    manifest::clean_leftovers(&manifest::state_dir(root)?)?;
    super::clean(&hist)?;
    let mut record = e.record.clone();
    record.state = State::Undoing;
    super::save_record(&hist, e.entry, &record)?;
    mark_pending(root, &record.files, &report.files, &record.target)?;
    restore(&top, &edir, &record.files, &report.files)?;
    restore_manifest(root, &edir, record.manifest)?;
    super::remove_entry(&hist, &name)?;
    Ok(report)
}

/// The file `rel` of the root: its SHA-256, `None` when missing.
fn current(top: &Folder, rel: &str) -> std::result::Result<Option<String>, String> {
    use crate::files::beneath::WalkError;
    match top.open_file(rel) {
        Ok(f) => super::digest(f, &top.path_of(rel))
            .map(Some)
            .map_err(|e| e.to_string()),
        Err(WalkError::Missing { .. }) => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

fn short(d: Option<&String>) -> String {
    d.map(|d| d.chars().take(12).collect())
        .unwrap_or_else(|| "absent".into())
}

/// What undo does to each file; refuses when one was changed since the
/// stage, or its copy in the history is missing or damaged.
fn survey(root: &Path, top: &Folder, edir: &Folder, files: &[FileRecord]) -> Result<Vec<Step>> {
    let mut steps = Vec::new();
    let (mut changed, mut lost) = (Vec::new(), Vec::new());
    for f in files {
        let now = match current(top, &f.path) {
            Ok(n) => n,
            Err(why) => {
                changed.push(format!("{}: {why}", f.path));
                continue;
            }
        };
        let action = if now == f.before {
            Action::Unchanged
        } else if now == f.after {
            match f.before {
                Some(_) => Action::Restore,
                None => Action::Remove,
            }
        } else {
            changed.push(format!(
                "{}: sha256 {} now, the stage left {}",
                f.path,
                short(now.as_ref()),
                short(f.after.as_ref())
            ));
            continue;
        };
        if action == Action::Restore {
            lost.extend(copy_problem(edir, f));
        }
        let mut diff = Vec::new();
        if f.kind == "pointer" && action != Action::Unchanged {
            diff = pointer_diff(top, edir, f);
        }
        steps.push(Step {
            name: f.name.clone(),
            path: (f.path != f.name).then(|| f.path.clone()),
            kind: f.kind.clone(),
            change: f.change,
            action,
            diff,
        });
    }
    if !changed.is_empty() {
        return Err(Error::Refused {
            message: format!(
                "{}: files the last stage wrote were changed since; undo would overwrite them, so nothing was changed:",
                root.display()
            ),
            details: changed,
            hint: Some(
                "put those files back as the stage left them (or move them away and stage again)"
                    .into(),
            ),
        });
    }
    if !lost.is_empty() {
        return Err(Error::Refused {
            message: format!(
                "{}: the history cannot restore every file the last stage displaced; nothing was changed:",
                root.display()
            ),
            details: lost,
            hint: Some("stage the earlier target again from its bundle instead".into()),
        });
    }
    Ok(steps)
}

/// Why the history cannot give back the copy of `f` the stage displaced,
/// if it cannot.
fn copy_problem(edir: &Folder, f: &FileRecord) -> Option<String> {
    match saved_digest(edir, f) {
        Some(d) if Some(&d) == f.before.as_ref() => None,
        Some(_) => Some(format!("{}: its copy in the history was changed", f.path)),
        None => Some(format!(
            "{}: {}",
            f.path,
            match &f.saved {
                Some(_) => "its copy in the history is missing",
                None => "not kept (the stage displaced more than --max-history-size)",
            }
        )),
    }
}

/// The lines undo changes in the pointer file `f`: the file as it is now
/// against its copy in the history.
fn pointer_diff(top: &Folder, edir: &Folder, f: &FileRecord) -> Vec<String> {
    let read = |d: &Folder, rel: &str| {
        d.open_file(rel)
            .ok()
            .and_then(|x| crate::files::read_capped_from(x, crate::served::view::MAX_CONFIG).ok())
            .unwrap_or_default()
    };
    let restored = f
        .saved
        .as_deref()
        .map(|s| read(edir, s))
        .unwrap_or_default();
    crate::stage::edits::diff(&read(top, &f.path), &restored)
}

fn saved_digest(edir: &Folder, f: &FileRecord) -> Option<String> {
    let s = f.saved.as_deref()?;
    let file = edir.open_file(s).ok()?;
    super::digest(file, &edir.path_of(s)).ok()
}

/// Says in the manifest which files are being put back, so a stopped undo
/// reads as an interrupted stage in `check`, not as drift.
fn mark_pending(root: &Path, files: &[FileRecord], steps: &[Step], load: &str) -> Result<()> {
    let mut m = Manifest::load(root)?;
    for (f, s) in files.iter().zip(steps) {
        if s.action == Action::Unchanged {
            continue;
        }
        let e = m.files.entry(f.name.clone()).or_insert_with(|| Entry {
            sha256: f
                .after
                .clone()
                .or_else(|| f.before.clone())
                .unwrap_or_default(),
            kind: f.kind.clone(),
            load: load.to_string(),
            pending: None,
        });
        e.pending = f.before.clone().or_else(|| f.after.clone());
    }
    m.save(root)
}

/// Writes back what the stage displaced, then removes what it created.
fn restore(top: &Folder, edir: &Folder, files: &[FileRecord], steps: &[Step]) -> Result<()> {
    manifest::clean_leftovers(top)?;
    let mut dirs: BTreeMap<String, Folder> = BTreeMap::new();
    let mut written: Vec<(u8, String, String, String)> = Vec::new();
    let mut result = Ok(());
    for (f, s) in files.iter().zip(steps) {
        let (d, base) = f.path.rsplit_once('/').unwrap_or(("", &f.path));
        if s.action == Action::Unchanged {
            continue;
        }
        if !dirs.contains_key(d) {
            let create = s.action == Action::Restore;
            let dir = top.walk(d, create).map_err(|e| io_of(&top.path_of(d), e))?;
            manifest::clean_leftovers(&dir)?;
            dirs.insert(d.to_string(), dir);
        }
        if s.action == Action::Remove {
            continue;
        }
        let dir = &dirs[d];
        let tmp = manifest::tmp_name(base);
        let saved = f.saved.as_deref().unwrap_or_default();
        result = edir
            .open_file(saved)
            .map_err(|e| io_of(&edir.path_of(saved), e))
            .and_then(|from| super::copy_new(dir, &tmp, from))
            .map(|_| ());
        if result.is_err() {
            break;
        }
        written.push((rank(f), d.to_string(), tmp, base.to_string()));
    }
    if let Err(e) = result {
        for (_, d, tmp, _) in &written {
            let _ = dirs[d].remove(tmp);
        }
        return Err(e);
    }
    written.sort();
    for (r, d, tmp, base) in &written {
        if *r == POINTER {
            break;
        }
        manifest::commit_tmp(&dirs[d], tmp, base)?;
    }
    for dir in dirs.values() {
        manifest::sync_dir(dir)?;
    }
    // Pointer files last, each synced: until one changes, it names the
    // stage's set, which is whole; when it changes, the old set is.
    for (_, d, tmp, base) in written.iter().filter(|w| w.0 == POINTER) {
        manifest::commit_tmp(&dirs[d], tmp, base)?;
        manifest::sync_dir(&dirs[d])?;
    }
    // Files the stage created: no pointer names them any more.
    for (f, s) in files.iter().zip(steps) {
        if s.action == Action::Remove {
            let (d, base) = f.path.rsplit_once('/').unwrap_or(("", &f.path));
            fault::point()
                .and_then(|_| dirs[d].remove(base))
                .map_err(|e| Error::io(crate::error::Action::Remove, dirs[d].path_of(base), e))?;
        }
    }
    for dir in dirs.values() {
        manifest::sync_dir(dir)?;
    }
    Ok(())
}

const POINTER: u8 = 3;

/// Images first, then load lists, then factory defaults, then pointer files.
fn rank(f: &FileRecord) -> u8 {
    if f.kind == "pointer" {
        return POINTER;
    }
    match ImageName::parse(&f.name).role {
        Role::Loads => 1,
        Role::FactoryDefault => 2,
        _ => 0,
    }
}

/// Puts back the manifest as it was before the stage (removes it when
/// there was none).
fn restore_manifest(root: &Path, edir: &Folder, had: bool) -> Result<()> {
    let state = manifest::state_dir(root)?;
    if had {
        let tmp = manifest::tmp_name("manifest.json");
        let from = edir
            .open_file(MANIFEST_COPY)
            .map_err(|e| io_of(&edir.path_of(MANIFEST_COPY), e))?;
        super::copy_new(&state, &tmp, from)?;
        manifest::commit_tmp(&state, &tmp, "manifest.json")?;
    } else {
        match fault::point().and_then(|_| state.remove("manifest.json")) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(Error::io(
                    crate::error::Action::Remove,
                    state.path_of("manifest.json"),
                    e,
                ));
            }
            _ => {}
        }
    }
    manifest::sync_dir(&state)
}
