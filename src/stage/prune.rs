//! `stage --prune`: which files earlier stages wrote may go.
//!
//! The manifest's names are not trusted alone (a user edits a root, and the
//! manifest with it). A file is removed only when all of these hold: the
//! manifest records it as an image an earlier stage wrote, and it is not in
//! the set being staged; its bytes still have the digest the manifest
//! recorded (a file replaced by hand since is the user's); it is no
//! configuration file a phone asks for (`OS79XX.TXT`, `SIPDefault.cnf`,
//! `XMLDefault.cnf.xml`, `MGCDefault.cnf`, `SEP*.cnf.xml`, `SIP*.cnf`,
//! `MGC*.cnf`, trust lists), by its name or the name of the file on disk;
//! nothing still names it: no pointer once this stage's edits are made, no
//! list those pointers (or the files that stay) lead to, and no rule that
//! sends such a name to its path. Every other file the manifest offered is
//! kept and named, with why.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::edits::Edit;
use crate::error::Result;
use crate::names::{ImageName, Role};
use crate::phone::files::{MGCP_DEFAULT, OS79XX, SIP_DEFAULT, XML_DEFAULT};
use crate::root::manifest::{Entry, Manifest};
use crate::served::view::{self, RootView};
use crate::signed::{header, loads};

/// A file an earlier stage wrote that `--prune` leaves, and why.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Kept {
    /// The name the manifest records.
    pub file: String,
    /// Why it stays.
    pub reason: String,
}

/// What `--prune` removes and what it leaves.
#[derive(Debug, Clone, Default)]
pub struct Pruning {
    /// Files to remove, by the name phones ask for.
    pub remove: Vec<String>,
    /// Files the manifest offered that stay.
    pub kept: Vec<Kept>,
}

/// True for a name a phone asks for as configuration, whatever its case.
fn is_config(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name);
    matches!(
        ImageName::parse(base).role,
        Role::Configuration | Role::Os79xx | Role::TrustList | Role::DeviceDefaults
    )
}

fn is_list(name: &str) -> bool {
    matches!(
        ImageName::parse(name).role,
        Role::Loads | Role::FactoryDefault
    )
}

/// Names still needed, each with why.
struct Needed {
    names: BTreeMap<String, String>,
    lists_read: BTreeSet<String>,
}

impl Needed {
    fn add(&mut self, name: String, why: impl FnOnce() -> String) {
        self.names.entry(name).or_insert_with(why);
    }

    /// Adds what the list `name` holds, read from the root.
    fn read_list(&mut self, view: &RootView, name: &str) {
        if !self.lists_read.insert(name.to_string()) {
            return;
        }
        let Ok(Some(bytes)) = view.read_small(name) else {
            return;
        };
        let off = header::parse(&bytes)
            .map(|h| h.header_len as usize)
            .unwrap_or(0);
        let Ok(list) = loads::parse(bytes.get(off..).unwrap_or(&[])) else {
            return;
        };
        for m in list.files.into_iter().chain(list.optional) {
            self.add(m, || format!("{name} lists it"));
        }
    }

    /// Reads every list needed, until no new name appears.
    fn close(&mut self, view: &RootView) {
        loop {
            let lists: Vec<String> = self
                .names
                .keys()
                .filter(|n| is_list(n) && !self.lists_read.contains(*n))
                .cloned()
                .collect();
            if lists.is_empty() {
                return;
            }
            for l in lists {
                self.read_list(view, &l);
            }
        }
    }
}

/// Decides what `--prune` removes: see the module documentation.
pub fn select(
    manifest: &Manifest,
    view: &RootView,
    staged: &[String],
    target: &ImageName,
    edits: &[Edit],
) -> Result<Pruning> {
    // What every pointer names once the edits are made: the edited files'
    // new bytes, the others as they are.
    let mut pointers: Vec<view::Pointer> = view
        .pointers()?
        .into_iter()
        .filter(|p| !edits.iter().any(|e| e.file == p.file))
        .collect();
    for e in edits {
        pointers.extend(view::pointers_in(&e.file, &e.bytes));
    }
    let mut need = Needed {
        names: BTreeMap::new(),
        lists_read: BTreeSet::new(),
    };
    for s in staged {
        need.add(s.clone(), || "this stage writes it".into());
    }
    for p in &pointers {
        for n in ["", ".loads", ".sbn", ".sb2", ".bin"].map(|e| format!("{}{e}", p.value)) {
            need.add(n, || format!("{} {} names {}", p.file, p.setting, p.value));
        }
    }
    let offered: BTreeMap<&String, &Entry> = manifest
        .files
        .iter()
        .filter(|(n, e)| e.kind == "image" && !staged.contains(n) && view.has(n))
        .collect();
    // Lists that stay whatever prune does keep what they name.
    for n in view
        .names
        .iter()
        .filter(|n| is_list(n) && !offered.contains_key(n))
    {
        need.add(n.clone(), || "the root keeps it".into());
    }
    let pointed: BTreeSet<&str> = pointers.iter().map(|p| p.value.as_str()).collect();
    loop {
        need.close(view);
        let paths = needed_paths(view, &need);
        let mut out = Pruning::default();
        for (name, e) in &offered {
            match keep(view, name, e, &need, &paths, &pointed, target) {
                Some(reason) => out.kept.push(Kept {
                    file: (*name).clone(),
                    reason,
                }),
                None => out.remove.push((*name).clone()),
            }
        }
        // A list that stays keeps what it names too.
        let before = need.names.len();
        for k in out.kept.iter().filter(|k| is_list(&k.file)) {
            need.add(k.file.clone(), || "kept".into());
        }
        need.close(view);
        if need.names.len() == before {
            return Ok(out);
        }
    }
}

/// The paths (relative to the root) the needed names and the configuration
/// files open, each with the name that leads there.
fn needed_paths(view: &RootView, need: &Needed) -> BTreeMap<String, String> {
    let config = [XML_DEFAULT, SIP_DEFAULT, MGCP_DEFAULT, OS79XX]
        .into_iter()
        .map(str::to_string)
        .chain(view.names.iter().filter(|n| is_config(n)).cloned());
    need.names
        .keys()
        .cloned()
        .chain(config)
        .filter_map(|n| view.rel_of(&n).map(|p| (p, n)))
        .collect()
}

/// Why `name` stays, or `None` when it may go.
fn keep(
    view: &RootView,
    name: &str,
    e: &Entry,
    need: &Needed,
    paths: &BTreeMap<String, String>,
    pointed: &BTreeSet<&str>,
    target: &ImageName,
) -> Option<String> {
    let Some(rel) = view.rel_of(name) else {
        return Some("the rules refuse its name".into());
    };
    if is_config(name) || is_config(&rel) {
        return Some("a configuration file phones ask for; prune never removes one".into());
    }
    if let Some(why) = need.names.get(name) {
        return Some(format!("still needed: {why}"));
    }
    if let Some(other) = paths.get(&rel).filter(|o| *o != name) {
        return Some(format!("still needed: the rules serve {other} from {rel}"));
    }
    if pointed.contains(e.load.as_str()) || e.load == target.stem {
        return Some(format!("still needed: a pointer names {}", e.load));
    }
    match super::file_sha_inside(&view.dir, &rel) {
        Ok(Some(h)) if e.ours(&h) => None,
        Ok(Some(_)) => Some(format!(
            "its bytes are not those the stage of {} wrote (changed since; check reports drift)",
            e.load
        )),
        Ok(None) => Some("gone from the root".into()),
        Err(err) => Some(format!("cannot be read: {err}")),
    }
}

/// Just before removing: each file to remove must still have the bytes the
/// manifest records (someone may have replaced it while the set was being
/// written); one that does not is kept and named instead.
pub fn recheck(
    m: &Manifest,
    digest: impl Fn(&str) -> Option<String>,
    report: &mut super::StageReport,
) {
    let (mut remove, mut kept) = (Vec::new(), Vec::new());
    for name in std::mem::take(&mut report.pruned) {
        let ours = m
            .files
            .get(&name)
            .is_some_and(|e| digest(&name).is_some_and(|h| e.ours(&h)));
        match ours {
            true => remove.push(name),
            false => kept.push(Kept {
                file: name,
                reason: "its bytes changed while this stage ran".into(),
            }),
        }
    }
    report.pruned = remove;
    report.kept.extend(kept);
}
