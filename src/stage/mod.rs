//! `stage`: put a target's whole set into a TFTP root, straight from the
//! vendor bundle, and point the root at it.
//!
//! Order keeps every moment safe for a phone that boots mid-way: all files
//! are first streamed from the archive into hidden temporary names and
//! flushed; then images are renamed into place, then `.loads` lists, then
//! `term<MM>.default.loads`, and only then the pointer files. Until the last
//! rename, every pointer still names the old, complete set.
//!
//! # Security
//! Only members whose names are safe base names and that belong to the
//! target's set are written, as regular files with mode 0644, at the root's
//! top level, via `create_new` temporary files (never through an existing
//! file or link). A root file with other bytes that no earlier stage wrote is
//! a conflict and refuses the stage unless `--force`.

mod choose;
pub mod edits;
pub mod history;
mod keep;
pub mod options;
mod phase;
pub mod proof;
pub mod prune;
mod stager;
mod trust;
mod write;

pub use options::{Phase, StageOptions};

use std::fs;
use std::io::Read;
use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

use self::choose::{Chosen, choose};
use self::edits::{Action, Edit, Pointing};
use crate::check::warnings;
use crate::error::Action as IoAction;
use crate::error::{Error, Result};
use crate::findings::Finding;
use crate::inspect::member::hex;
use crate::names::{Family, ImageName, Protocol, Role};
use crate::phone::fleet::{self, Row};
use crate::root::manifest::{self, Lock, Manifest, Origin};
use crate::served::view::{self, RootView};
use crate::served::{Placement, Served};

/// One file of the set.
#[derive(Debug, Clone, Serialize)]
pub struct FilePlan {
    /// Vendor file name.
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256.
    pub sha256: String,
    /// Create, replace or unchanged (remove for pruned files).
    pub action: Action,
}

/// What a stage did (or, with `--dry-run`, would do).
#[derive(Debug, Clone, Serialize)]
pub struct StageReport {
    /// The root.
    pub root: String,
    /// The target, as phones are told it (vendor spelling).
    pub target: String,
    /// The bundle the set comes from.
    pub source: Origin,
    /// The set's files.
    pub files: Vec<FilePlan>,
    /// Pointer-file edits.
    pub edits: Vec<Edit>,
    /// Files removed by `--prune`.
    pub pruned: Vec<String>,
    /// Files earlier stages wrote that `--prune` leaves, with why.
    pub kept: Vec<self::prune::Kept>,
    /// Warnings about the root (hunt order, per-phone files, case, leftovers).
    pub findings: Vec<Finding>,
    /// What a phone of every model concerned does in the root as planned.
    pub phones: Vec<Row>,
    /// True when anything changes.
    pub changed: bool,
    /// True for `--dry-run`.
    pub dry_run: bool,
    /// The root did not exist: the stage makes it (a dry run would).
    pub create_root: bool,
    /// What the stage kept in `.loadsmith/history/` for `undo`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<crate::stage::history::keep::Kept>,
    /// `all`, `files` (`--files-only`) or `pointers` (`--pointers-only`).
    pub phase: Phase,
}

/// Runs a stage.
pub fn stage(opts: &StageOptions) -> Result<StageReport> {
    let target = ImageName::parse(&opts.target);
    if !target.known || !matches!(target.role, Role::Loads | Role::Application) {
        return Err(Error::UnknownTarget {
            name: opts.target.clone(),
        });
    }
    if let Some(why) = crate::upgrade::matrix::never_released(&target) {
        return Err(Error::Refused {
            message: format!("{} was never released: {why}", opts.target),
            details: Vec::new(),
            hint: Some("choose a release Table 2 lists (see `loadsmith matrix`)".into()),
        });
    }
    // A root that does not exist yet is made (a dry run says it would be).
    let create_root = match fs::metadata(&opts.root) {
        Ok(m) if m.is_dir() => false,
        Ok(_) => {
            return Err(Error::NotAFolder {
                path: opts.root.clone(),
            });
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
        Err(e) => return Err(Error::io(IoAction::OpenRoot, &opts.root, e)),
    };
    let chosen = choose(opts, &target)?;
    // Plan read-only first: a refusal leaves the root exactly as it was. A
    // stage running meanwhile may show this plan a root half changed: then
    // that stage is the reason to refuse, not what the plan saw.
    if !opts.dry_run && Lock::busy(&opts.root) {
        return Err(manifest::another_stage(&opts.root));
    }
    let mut report = match plan(opts, &chosen) {
        Err(_) if !opts.dry_run && Lock::busy(&opts.root) => {
            return Err(manifest::another_stage(&opts.root));
        }
        r => r?,
    };
    report.create_root = create_root;
    if create_root && !opts.dry_run {
        crate::files::beneath::make_root(&opts.root)
            .map_err(|e| Error::io(IoAction::Create, &opts.root, e))?;
    }
    if opts.dry_run || !report.changed {
        return Ok(report);
    }
    let _lock = Lock::take(&opts.root)?;
    crate::stage::history::ready(&opts.root)?;
    // Plan again under the lock: another stage may have finished meanwhile.
    let mut report = plan(opts, &chosen)?;
    report.create_root = create_root;
    if !report.changed {
        return Ok(report);
    }
    let top = crate::files::beneath::Folder::open(&opts.root)
        .map_err(|e| Error::io(IoAction::OpenRoot, &opts.root, e))?;
    manifest::clean_leftovers(&top)?;
    // A manifest save cut short left its temporary file in `.loadsmith/`.
    manifest::clean_leftovers(&manifest::state_dir(&opts.root)?)?;
    write::execute(opts, &chosen, &mut report)?;
    Ok(report)
}

fn served(opts: &StageOptions) -> Served {
    Served {
        root: opts.root.clone(),
        rules: opts.rules.clone(),
    }
}

/// Where each of the set's files and each pointer file goes.
fn placement(opts: &StageOptions, c: &Chosen, edits: &[String]) -> Result<Placement> {
    let names = c
        .files
        .iter()
        .map(|f| f.name.as_str())
        .chain(edits.iter().map(String::as_str));
    Placement::of(&served(opts), names).map_err(|message| Error::Refused {
        details: Vec::new(),
        message: format!("{message}; nothing was written"),
        hint: Some("fix the rules file, or stage without --map-file".into()),
    })
}

/// What `path` is when it exists and is not a regular file: a link (whatever
/// it points at), a FIFO, a device, a folder.
fn not_regular(path: &Path) -> Option<&'static str> {
    fs::symlink_metadata(path)
        .ok()
        .filter(|m| !m.file_type().is_file())
        .map(|m| crate::files::kind_word(m.file_type()))
}

pub(super) fn file_sha(path: &Path) -> Result<Option<String>> {
    match crate::files::open_regular(path) {
        Ok(f) => read_sha(f, path).map(Some),
        Err(crate::files::OpenError::NotFound) => Ok(None),
        Err(e) => Err(Error::open(path, e)),
    }
}

/// The SHA-256 of the file `rel` of `root`, opened as the server reaches
/// it ([`crate::files::open_inside`]); `None` when it is not there.
pub(super) fn file_sha_inside(root: &Path, rel: &str) -> Result<Option<String>> {
    match crate::files::open_inside(root, rel) {
        Ok(f) => read_sha(f, &root.join(rel)).map(Some),
        Err(crate::files::OpenError::NotFound) => Ok(None),
        Err(e) => Err(Error::open(root.join(rel), e)),
    }
}

/// The SHA-256 of what `f` holds (`path` for messages).
fn read_sha(mut f: fs::File, path: &Path) -> Result<String> {
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| Error::io(IoAction::Read, path, e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex(&h.finalize()))
}

/// What happens to each file of the set; files that are not regular files
/// where a set file goes are returned by name; a file with other bytes that
/// no stage wrote refuses the stage (unless `--force`).
fn file_plans(
    opts: &StageOptions,
    c: &Chosen,
    manifest: &Manifest,
    place: &Placement,
) -> Result<(Vec<FilePlan>, Vec<String>)> {
    let root = &opts.root;
    let mut files = Vec::new();
    // Files no stage wrote, and files a stage wrote that changed since.
    let (mut conflicts, mut drifted) = (Vec::new(), Vec::new());
    let mut links = Vec::new();
    for m in &c.files {
        let sha = m.sha256.clone().unwrap_or_default();
        let at = root.join(place.rel(&m.name));
        if let Some(kind) = not_regular(&at) {
            links.push(format!("{} (a {kind})", m.name));
            continue;
        }
        let action = match file_sha(&at)? {
            None => Action::Create,
            Some(h) if h == sha => Action::Unchanged,
            Some(h) => {
                match manifest.files.get(&m.name) {
                    _ if opts.force => {}
                    Some(e) if e.ours(&h) => {}
                    Some(e) => drifted.push(format!("{} (staged for {})", m.name, e.load)),
                    None => conflicts.push(m.name.clone()),
                }
                Action::Replace
            }
        };
        files.push(FilePlan {
            name: m.name.clone(),
            size: m.size,
            sha256: sha,
            action,
        });
    }
    if !conflicts.is_empty() || !drifted.is_empty() {
        return Err(conflict(root, &conflicts, &drifted));
    }
    Ok((files, links))
}

/// The refusal of a stage that would replace files with other bytes:
/// `foreign` ones no earlier stage wrote, `drifted` ones an earlier stage
/// wrote that were changed since (the manifest lists them).
fn conflict(root: &Path, foreign: &[String], drifted: &[String]) -> Error {
    let mut said = Vec::new();
    if !foreign.is_empty() {
        said.push(format!(
            "{} with other bytes, not written by an earlier stage",
            foreign.join(", ")
        ));
    }
    if !drifted.is_empty() {
        said.push(format!(
            "{} with other bytes than the earlier stage wrote (changed since: check reports it as drift)",
            drifted.join(", ")
        ));
    }
    let hint = if foreign.is_empty() {
        "pass --force to put the bundle's bytes back, or restore those files"
    } else {
        "move those files away, or pass --force to replace them"
    };
    Error::Refused {
        details: Vec::new(),
        message: format!(
            "{} already holds {}; nothing was written",
            root.display(),
            said.join(", and ")
        ),
        hint: Some(hint.into()),
    }
}

fn plan(opts: &StageOptions, c: &Chosen) -> Result<StageReport> {
    let root = &opts.root;
    let manifest = Manifest::load(root)?;
    let view = RootView::served(&served(opts))?;
    let place = placement(opts, c, &[])?;
    let (files, mut links) = file_plans(opts, c, &manifest, &place)?;
    if opts.phase == Phase::Pointers {
        phase::set_in_place(root, &files, &manifest)?;
    }
    let edits = plan_edits(opts, c, &view)?;
    let edited: Vec<String> = edits.iter().map(|e| e.file.clone()).collect();
    let place = placement(opts, c, &edited)?;
    links.extend(
        edits
            .iter()
            .filter(|e| e.action != Action::Unchanged)
            .filter_map(|e| {
                not_regular(&root.join(place.rel(&e.file))).map(|k| format!("{} (a {k})", e.file))
            }),
    );
    refuse_links(root, &links)?;
    let staged: Vec<String> = c.files.iter().map(|f| f.name.clone()).collect();
    let mut findings = warnings::warnings(&view, &c.load, c.loader.as_deref(), &staged)?;
    findings.extend(warnings::leftover_findings(root, &[])?);
    findings.extend(trust::stage_findings(root, &manifest.trust));
    let pruning = match opts.prune && opts.phase != Phase::Files {
        true => self::prune::select(&manifest, &view, &staged, &c.load, &edits)?,
        false => Default::default(),
    };
    let (pruned, kept) = (pruning.remove, pruning.kept);
    let phones = match opts.phase {
        Phase::Files => Vec::new(),
        _ => prove(opts, &view, c, &edits, &pruned)?,
    };
    // What a forced stage leaves, or a root already had: said, not hidden.
    findings.extend(phones.iter().filter_map(warnings::verdict_finding));
    findings.sort_by(|a, b| (a.severity, &a.member, a.code).cmp(&(b.severity, &b.member, b.code)));
    findings.dedup();
    let unfinished = unfinished(opts, c, &manifest, &place)?;
    let changed = files.iter().any(|f| f.action != Action::Unchanged)
        || edits.iter().any(|e| e.action != Action::Unchanged)
        || !pruned.is_empty()
        || unfinished
        || trust::record_root(root, &manifest.trust, opts.force) != manifest.trust;
    Ok(StageReport {
        root: root.display().to_string(),
        target: c.load.stem.clone(),
        source: Origin {
            path: c.report.path.clone(),
            sha256: c.report.sha256.clone(),
        },
        files,
        edits,
        pruned,
        kept,
        findings,
        phones,
        changed,
        dry_run: opts.dry_run,
        create_root: false,
        history: None,
        phase: opts.phase,
    })
}

/// What the pointer files must name for the target `c`.
fn pointing<'a>(opts: &StageOptions, c: &'a Chosen) -> Pointing<'a> {
    let running = opts.running.as_deref().map(ImageName::parse);
    let sccp_loader = match (&running, c.load.protocol) {
        (Some(r), Some(Protocol::Sip | Protocol::Mgcp))
            if r.protocol == Some(Protocol::Sccp) && c.load.family == Some(Family::Legacy) =>
        {
            c.loader.clone()
        }
        _ => None,
    };
    // "OS79XX.TXT—This file will now always contain the universal
    // application loader image" (seed 000): so a phone before the loader
    // loads it and hunts (Procedure D); a pre-loader target names itself.
    let os79xx = (c.load.family == Some(Family::Legacy))
        .then(|| c.loader.clone().unwrap_or_else(|| c.load.stem.clone()));
    Pointing {
        load: &c.load,
        os79xx,
        sccp_loader,
    }
}

/// The pointer-file edits the target implies (none for `--files-only`).
fn plan_edits(opts: &StageOptions, c: &Chosen, view: &RootView) -> Result<Vec<Edit>> {
    let pointing = pointing(opts, c);
    let mut edits = edits::plan(view, &pointing).or_else(|e| {
        // A pointer file the rules send through a link or onto another
        // file cannot be read: the rule and the link are the cause to name.
        for name in edits::CANDIDATES {
            placement(opts, c, &[name.to_string()])?;
        }
        Err(e)
    })?;
    let served_models: Vec<String> = c.load.models.iter().map(|m| m.to_string()).collect();
    keep::keep_served(view, &served(opts), &mut edits, &served_models)?;
    if opts.phase == Phase::Files {
        edits.clear();
    }
    Ok(edits)
}

/// Refuses the stage when a file it writes is a link, a FIFO, a device or
/// a folder.
fn refuse_links(root: &Path, links: &[String]) -> Result<()> {
    if !links.is_empty() {
        return Err(Error::Refused {
            details: Vec::new(),
            message: format!(
                "{} holds {} where a regular file belongs; loadsmith never writes through a link or over one, and opens nothing in a root but regular files, so nothing was written",
                root.display(),
                links.join(", ")
            ),
            hint: Some(
                "replace each by a regular file (a link by a copy of what it points to), then stage again".into(),
            ),
        });
    }
    Ok(())
}

/// An interrupted stage left work to finish: temporary files to remove,
/// a manifest with pending files or naming another target.
fn unfinished(
    opts: &StageOptions,
    c: &Chosen,
    manifest: &Manifest,
    place: &Placement,
) -> Result<bool> {
    let root = &opts.root;
    let mut leftover = !manifest::leftovers(&root.join(manifest::STATE_DIR))?.is_empty();
    for dir in place.folders() {
        leftover |= !manifest::leftovers(&root.join(dir))?.is_empty();
    }
    Ok(leftover
        || manifest.files.values().any(|e| e.pending.is_some())
        || (opts.phase != Phase::Files
            && manifest.target.is_some()
            && manifest.target.as_deref() != Some(c.load.stem.as_str())))
}

/// Walks the phones through the root as planned; refuses (unless
/// `--force`) when one would not reach the target or would lose its load.
fn prove(
    opts: &StageOptions,
    view: &RootView,
    c: &Chosen,
    edits: &[Edit],
    pruned: &[String],
) -> Result<Vec<Row>> {
    let mut ptrs: Vec<view::Pointer> = view.pointers()?;
    for e in edits {
        ptrs.extend(view::pointers_in(&e.file, &e.bytes));
    }
    let loads: Vec<String> = view
        .names
        .iter()
        .filter(|n| ImageName::parse(n).role == Role::Loads)
        .map(|n| ImageName::parse(n).stem)
        .collect();
    let concerned = fleet::models_concerned(
        ptrs.iter()
            .map(|p| (p.file.as_str(), p.setting, p.value.as_str())),
        loads.iter().map(String::as_str),
    );
    let mut planned = proof::Planned::new(&served(opts), &c.files, edits, pruned);
    let p = proof::prove(
        &served(opts),
        &mut planned,
        &c.load,
        opts.running.as_deref(),
        concerned,
    );
    if !p.failures.is_empty() && !opts.force {
        return Err(Error::Refused {
            message: format!(
                "after this stage, phones would not reach {} or would lose their load; nothing was written:",
                c.load.stem
            ),
            details: p.failures,
            hint: Some(
                "fix what each line names (each says how), or pass --force to stage anyway".into(),
            ),
        });
    }
    Ok(p.rows)
}
