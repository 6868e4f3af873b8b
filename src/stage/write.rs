//! Writing a planned stage: the set streamed into temporary files, renamed
//! into place in the safe order, then the pointer files, the pruned files
//! removed, and the manifest saved as done.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use sha2::{Digest, Sha256};

use super::choose::Chosen;
use super::edits::Action;
use super::stager::Stager;
use super::{Phase, StageOptions, StageReport, placement, read_sha, trust};
use crate::error::Action as IoAction;
use crate::error::{Error, Result};
use crate::inspect;
use crate::inspect::member::hex;
use crate::names::{ImageName, Role};
use crate::root::manifest::{self, Entry, Manifest, Origin};
use crate::served::{Opened, Placement};

/// The SHA-256 of the regular file `rel` below `top`, opened without
/// following a link; `None` when it cannot be opened or read.
fn digest_beneath(top: &crate::files::beneath::Folder, rel: &str) -> Option<String> {
    let f = top.open_file(rel).ok()?;
    read_sha(f, &top.path_of(rel)).ok()
}

/// Renames the written files into place: images first, then load lists,
/// then factory-reset defaults (pointers come after, in the caller), then
/// syncs the folder.
fn commit_all(dirs: &Opened, place: &Placement, written: &BTreeMap<String, String>) -> Result<()> {
    let rank = |n: &str| match ImageName::parse(n).role {
        Role::Loads => 1,
        Role::FactoryDefault => 2,
        _ => 0,
    };
    let mut order: Vec<(&String, &String)> = written.iter().collect();
    order.sort_by_key(|(n, _)| (rank(n), n.to_string()));
    for (name, tmp) in order {
        let dir = place.folder_of(dirs, name)?;
        manifest::commit_tmp(dir, tmp, place.split(name).1)?;
    }
    for dir in dirs.all() {
        manifest::sync_dir(dir)?;
    }
    Ok(())
}

pub(super) fn execute(opts: &StageOptions, c: &Chosen, report: &mut StageReport) -> Result<()> {
    let root = &opts.root;
    let wanted: HashMap<String, String> = report
        .files
        .iter()
        .filter(|f| f.action != Action::Unchanged)
        .map(|f| (f.name.clone(), f.sha256.clone()))
        .collect();
    let mut others: Vec<String> = report.edits.iter().map(|e| e.file.clone()).collect();
    others.extend(report.pruned.iter().cloned());
    let place = placement(opts, c, &others)?;
    let dirs = open_folders(root, &place)?;
    opts.watch.expect(
        report
            .files
            .iter()
            .filter(|f| f.action != Action::Unchanged)
            .map(|f| f.size)
            .sum(),
    );
    let mut stager = Stager::new(&dirs, &place, wanted, opts.watch.clone());
    stream_set(opts, c, &mut stager)?;
    let mut m = pending_manifest(root, report)?;
    let kept = crate::stage::history::keep::begin(root, &dirs, &place, report, opts.history)
        .inspect_err(|_| stager.remove_tmps())?;
    report.history = kept.as_ref().map(|k| k.kept.clone());
    let committed = m
        .save(root)
        .and_then(|_| commit_all(&dirs, &place, &stager.written));
    if let Err(e) = committed {
        stager.remove_tmps();
        return Err(e);
    }
    // A file replaced by hand while the set was written is no longer ours.
    let top = place.folder_of(&dirs, "")?;
    super::prune::recheck(&m, |p| digest_beneath(top, place.rel(p)), report);
    m.trust = trust::record_root(root, &m.trust, opts.force);
    finish(root, &dirs, &place, report, m)?;
    crate::stage::history::keep::end(kept, opts.history, root)
}

/// Every folder the stage writes in, walked from the root, none through a
/// link, and made (0755) where missing; files are then written inside these
/// alone.
fn open_folders(root: &Path, place: &Placement) -> Result<Opened> {
    let dirs = place.open(root, true).map_err(|e| Error::Refused {
        details: Vec::new(),
        message: format!("{}: {e}; nothing was written", root.display()),
        hint: Some("replace each link by a folder, then stage again".into()),
    })?;
    for dir in dirs.all() {
        // An interrupted stage with the same rules left its temporary
        // files here (the root's own were removed before planning).
        manifest::clean_leftovers(dir)?;
    }
    Ok(dirs)
}

/// Streams the set's changed files from the bundle into temporary files;
/// on any failure, or a file the bundle no longer holds, removes them.
fn stream_set(opts: &StageOptions, c: &Chosen, stager: &mut Stager) -> Result<()> {
    let walked = inspect::read_source(&c.source, &opts.limits, stager);
    let missing: Vec<&String> = stager
        .wanted
        .keys()
        .filter(|k| !stager.written.contains_key(*k))
        .collect();
    let failure = match (walked, stager.error.take()) {
        (Err(e), _) | (Ok(()), Some(e)) => Some(e),
        _ if !missing.is_empty() => Some(Error::Refused {
            details: Vec::new(),
            message: format!(
                "the bundle no longer holds {}; nothing was staged",
                missing
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            hint: None,
        }),
        _ => None,
    };
    match failure {
        Some(e) => {
            stager.remove_tmps();
            Err(e)
        }
        None => Ok(()),
    }
}

/// The manifest saying what is about to change, so a stage stopped from
/// here on is recognisable as such (`check`: interrupted-stage, not drift).
fn pending_manifest(root: &Path, report: &StageReport) -> Result<Manifest> {
    let mut m = Manifest::load(root)?;
    m.version = 1;
    for f in &report.files {
        let e = m.files.entry(f.name.clone()).or_insert_with(|| Entry {
            sha256: f.sha256.clone(),
            kind: "image".into(),
            load: report.target.clone(),
            pending: None,
        });
        if f.action != Action::Unchanged {
            e.pending = Some(f.sha256.clone());
        }
    }
    Ok(m)
}

/// After the set is in place: the manifest records it, the pointer files
/// are written, pruned files removed, and the manifest saved as done.
fn finish(
    root: &Path,
    dirs: &Opened,
    place: &Placement,
    report: &StageReport,
    mut m: Manifest,
) -> Result<()> {
    for f in &report.files {
        m.files.insert(
            f.name.clone(),
            Entry {
                sha256: f.sha256.clone(),
                kind: "image".into(),
                load: report.target.clone(),
                pending: None,
            },
        );
    }
    for e in report
        .edits
        .iter()
        .filter(|e| e.action != Action::Unchanged)
    {
        let dir = place.folder_of(dirs, &e.file)?;
        manifest::write_atomic(dir, place.split(&e.file).1, &e.bytes)?;
        m.files.insert(
            e.file.clone(),
            Entry {
                sha256: hex(&Sha256::digest(&e.bytes)),
                kind: "pointer".into(),
                load: report.target.clone(),
                pending: None,
            },
        );
    }
    if !report.pruned.is_empty() {
        // A stage stopped while removing reads as interrupted, not as drift.
        for p in &report.pruned {
            if let Some(e) = m.files.get_mut(p) {
                e.pending = Some(e.sha256.clone());
            }
        }
        m.save(root)?;
    }
    let top = place.folder_of(dirs, "")?;
    // A list first: a set is gone whole, never listed with files missing.
    let mut pruned: Vec<&String> = report.pruned.iter().collect();
    pruned.sort_by_key(|p| ImageName::parse(p).role != Role::Loads);
    for p in pruned {
        crate::files::fault::point()
            .and_then(|_| top.remove_at(place.rel(p)))
            .map_err(|e| Error::io(IoAction::Remove, root.join(place.rel(p)), e))?;
        m.files.remove(p);
    }
    if !report.pruned.is_empty() {
        manifest::sync_dir(place.folder_of(dirs, "")?)?;
    }
    if report.phase != Phase::Files {
        m.target = Some(report.target.clone());
    }
    // The manifest lives in the served root, where a phone (or anyone) can
    // fetch it: it records the bundle's file name, never a path of the
    // admin's machine (`docs/security.md`).
    m.source = Some(Origin {
        path: manifest::base_name(&report.source.path),
        sha256: report.source.sha256.clone(),
    });
    m.save(root)?;
    Ok(())
}
