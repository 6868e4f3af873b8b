//! The stage's side of the history: before the stage renames anything into
//! the root, [`begin`] copies what it will displace into a new entry; when
//! the stage has finished, [`end`] marks the entry done and drops the
//! oldest entries past `--keep-history`.
//!
//! A stage that finds the newest entry still `staging` (the last stage was
//! stopped) adds to that entry instead of starting one: what it keeps is
//! then the root as it was before the stopped stage, which `undo` restores.

use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Change, FileRecord, MANIFEST_COPY, Record, State, entry_name, list_in, now};
use crate::error::{Error, Result};
use crate::files::beneath::Folder;
use crate::inspect::member::hex;
use crate::root::manifest::{self, Manifest, Origin};
use crate::served::{Opened, Placement};
use crate::stage::StageReport;
use crate::stage::edits::Action;

/// How much history a stage keeps.
#[derive(Debug, Clone, Copy)]
pub struct Keep {
    /// Stages kept (`--keep-history`); 0 keeps none.
    pub stages: usize,
    /// Bytes of displaced images kept a stage (`--max-history-size`).
    pub max_bytes: u64,
}

/// What a stage kept, for its report.
#[derive(Debug, Clone, Serialize)]
pub struct Kept {
    /// The entry's number.
    pub entry: u64,
    /// Files copied into it.
    pub files: usize,
    /// Their bytes.
    pub bytes: u64,
    /// Displaced images not kept (past `--max-history-size`).
    pub not_kept: Vec<String>,
}

/// An entry begun, to be ended when the stage has finished.
pub struct Begun {
    hist: Folder,
    entry: u64,
    record: Record,
    /// For the report.
    pub kept: Kept,
}

/// One file the stage changes.
struct Touch<'a> {
    name: &'a str,
    kind: &'static str,
    change: Change,
    after: Option<String>,
}

fn touches(report: &StageReport) -> Vec<Touch<'_>> {
    let mut out = Vec::new();
    for f in report
        .files
        .iter()
        .filter(|f| f.action != Action::Unchanged)
    {
        out.push(Touch {
            name: &f.name,
            kind: "image",
            change: match f.action {
                Action::Create => Change::Create,
                _ => Change::Replace,
            },
            after: Some(f.sha256.clone()),
        });
    }
    for e in report
        .edits
        .iter()
        .filter(|e| e.action != Action::Unchanged)
    {
        out.push(Touch {
            name: &e.file,
            kind: "pointer",
            change: match e.action {
                Action::Create => Change::Create,
                _ => Change::Edit,
            },
            after: Some(hex(&Sha256::digest(&e.bytes))),
        });
    }
    for p in &report.pruned {
        out.push(Touch {
            name: p,
            kind: "image",
            change: Change::Remove,
            after: None,
        });
    }
    out
}

/// Copies what the stage will displace into a history entry (a new one,
/// or the entry of a stage that was stopped), before anything is renamed
/// into the root. `None` with `--keep-history 0`.
pub fn begin(
    root: &Path,
    dirs: &Opened,
    place: &Placement,
    report: &StageReport,
    keep: Keep,
) -> Result<Option<Begun>> {
    if keep.stages == 0 {
        return Ok(None);
    }
    let Some(hist) = super::open_dir(root, true)? else {
        return Ok(None);
    };
    super::clean(&hist)?;
    let origin = Origin {
        path: manifest::base_name(&report.source.path),
        sha256: report.source.sha256.clone(),
    };
    let (entry, mut record, fresh) = entry_for(root, &hist, report)?;
    record.target = report.target.clone();
    if !record.bundles.contains(&origin) {
        record.bundles.push(origin);
    }
    let name = entry_name(entry);
    // A new entry is built under a temporary name and renamed whole.
    let build = match fresh {
        true => manifest::tmp_name(&name),
        false => name.clone(),
    };
    let dir = hist.walk(&build, fresh).map_err(|e| {
        Error::io(
            crate::error::Action::Create,
            hist.path_of(&build),
            std::io::Error::other(e.to_string()),
        )
    })?;
    let mut kept = Kept {
        entry,
        files: 0,
        bytes: 0,
        not_kept: Vec::new(),
    };
    if fresh {
        record.manifest = copy_manifest(root, &dir, &mut kept)?;
    }
    let touched = touches(report);
    let budget = image_bytes(dirs, place, &record, &touched) <= keep.max_bytes;
    for t in touched {
        add(dirs, place, &dir, &mut record, &mut kept, &t, budget)?;
    }
    record.kept_bytes += kept.bytes;
    record.not_kept.extend(kept.not_kept.iter().cloned());
    if fresh {
        manifest::write_atomic(&dir, super::RECORD, &super::record_bytes(&record)?)?;
        manifest::commit_tmp(&hist, &build, &name)?;
        manifest::sync_dir(&hist)?;
    } else {
        super::save_record(&hist, entry, &record)?;
    }
    Ok(Some(Begun {
        hist,
        entry,
        record,
        kept,
    }))
}

/// The entry this stage is kept in: the one of a stage that was stopped
/// (`false`), or a new one after the last (`true`), with its record.
fn entry_for(root: &Path, hist: &Folder, report: &StageReport) -> Result<(u64, Record, bool)> {
    let entries = list_in(hist)?;
    Ok(match entries.last() {
        Some(e) if e.record.state == State::Staging => (e.entry, e.record.clone(), false),
        last => {
            let m = Manifest::load(root)?;
            let r = Record {
                version: 1,
                state: State::Staging,
                time: now(),
                target: report.target.clone(),
                previous: m.target,
                bundles: Vec::new(),
                manifest: false,
                files: Vec::new(),
                kept_bytes: 0,
                not_kept: Vec::new(),
            };
            (last.map_or(1, |e| e.entry + 1), r, true)
        }
    })
}

/// The bytes of the images the stage displaces that the entry does not
/// hold yet.
fn image_bytes(dirs: &Opened, place: &Placement, record: &Record, touched: &[Touch]) -> u64 {
    touched
        .iter()
        .filter(|t| t.kind == "image" && t.change != Change::Create)
        .filter(|t| !record.files.iter().any(|f| f.name == t.name))
        .filter_map(|t| {
            let dir = place.folder_of(dirs, t.name).ok()?;
            dir.look(place.split(t.name).1).ok().map(|l| l.size)
        })
        .sum()
}

/// Copies `.loadsmith/manifest.json` into the entry; `false` when there is none.
fn copy_manifest(root: &Path, dir: &Folder, kept: &mut Kept) -> Result<bool> {
    let rel = format!("{}/manifest.json", manifest::STATE_DIR);
    match crate::files::open_beneath(root, &rel) {
        Ok(f) => {
            let (_, size) = super::copy_new(dir, MANIFEST_COPY, f)?;
            kept.files += 1;
            kept.bytes += size;
            Ok(true)
        }
        Err(crate::files::OpenError::NotFound) => Ok(false),
        Err(e) => Err(Error::open(root.join(rel), e)),
    }
}

/// Records one file the stage changes, copying its bytes when it displaces
/// them (pointer files always; images within the budget).
fn add(
    dirs: &Opened,
    place: &Placement,
    dir: &Folder,
    record: &mut Record,
    kept: &mut Kept,
    t: &Touch,
    budget: bool,
) -> Result<()> {
    // Already recorded by the stopped stage this one finishes: the
    // entry keeps the root as it was before that stage.
    if let Some(f) = record.files.iter_mut().find(|f| f.name == t.name) {
        f.after = t.after.clone();
        return Ok(());
    }
    let rel = place.rel(t.name).to_string();
    let mut saved = None;
    let mut before = None;
    if t.change != Change::Create {
        let folder = place.folder_of(dirs, t.name)?;
        let base = place.split(t.name).1;
        let file = folder.open_file(base).map_err(|e| {
            Error::io(
                crate::error::Action::Read,
                folder.path_of(base),
                std::io::Error::other(e.to_string()),
            )
        })?;
        if t.kind == "pointer" || budget {
            let copy = format!("f{}", record.files.len());
            let (sha, size) = super::copy_new(dir, &copy, file)?;
            kept.files += 1;
            kept.bytes += size;
            before = Some(sha);
            saved = Some(copy);
        } else {
            before = Some(super::digest(file, &folder.path_of(base))?);
            kept.not_kept.push(t.name.to_string());
        }
    }
    record.files.push(FileRecord {
        name: t.name.to_string(),
        path: rel,
        kind: t.kind.to_string(),
        change: t.change,
        before,
        after: t.after.clone(),
        saved,
    });
    Ok(())
}

/// Marks the entry done (the stage finished) and keeps the newest
/// `stages` entries.
pub fn end(begun: Option<Begun>, keep: Keep, root: &Path) -> Result<()> {
    let Some(mut b) = begun else {
        // `--keep-history 0`: none kept.
        if let Some(hist) = super::open_dir(root, false)? {
            super::trim(&hist, 0)?;
        }
        return Ok(());
    };
    b.record.state = State::Done;
    super::save_record(&b.hist, b.entry, &b.record)?;
    super::trim(&b.hist, keep.stages)
}
