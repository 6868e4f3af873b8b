//! `check`: is a TFTP root consistent, and did it drift since the last stage?
//!
//! Reads the root through the same readers and checks as `inspect` (as one
//! unpacked bundle), then resolves every pointer to a complete set, compares
//! the files the manifest records with their digests, and adds the root
//! warnings (hunt order, case, leftovers).

mod entries;
pub mod fingerprint;
mod mapcheck;
pub mod pointer;
mod resolve;
pub mod trust;
pub mod warnings;

pub use pointer::PointerReport;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use self::resolve::Resolver;
use crate::boot::source::DirSource;
use crate::error::Action;
use crate::error::Result;
pub use crate::findings::first_few;
use crate::findings::{self, Bodies, Code, Dangling, Finding, ModelLabel, Unreadable};
use crate::inspect::member::MemberReport;
use crate::inspect::sets::SetReport;
use crate::inspect::{self, BundleReport, Options, Source};
use crate::names::models::{model_by_device_type, model_by_name};
use crate::names::{ImageName, Role};
use crate::phone::files::{Reset, after_reset};
use crate::phone::fleet::{self, Row};
use crate::pointers::Setting;
use crate::root::manifest::{Manifest, ReadLock};
use crate::served::rules::Rules;
use crate::served::view::{Pointer, RootView};
use crate::served::{Served, Survey};

/// What `check` found.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// The root.
    pub root: String,
    /// The last staged target, from the manifest.
    pub target: Option<String>,
    /// Every pointer.
    pub pointers: Vec<PointerReport>,
    /// The sets the root holds.
    pub sets: Vec<SetReport>,
    /// What a phone of every model the root concerns does there.
    pub fleet: Vec<Row>,
    /// Findings, errors first.
    pub findings: Vec<Finding>,
    /// SHA-256 over what the root serves to phones (`fingerprint`).
    pub fingerprint: String,
}

impl CheckReport {
    /// True when any finding is an error.
    pub fn has_errors(&self) -> bool {
        crate::findings::any_error(&self.findings)
    }
}

/// Checks a root. Waits up to `wait` for a running stage to finish and
/// holds the root against stages while it reads, so it never sees a root
/// half changed. `watch` is told of each file read (a progress bar).
pub fn check(
    root: &Path,
    jobs: usize,
    wait: Duration,
    rules: Option<Rules>,
    watch: crate::inspect::watch::Watch,
) -> Result<CheckReport> {
    if let Err(e) = std::fs::read_dir(root) {
        return Err(crate::error::Error::io(Action::OpenRoot, root, e));
    }
    let _hold = ReadLock::take(root, wait)?;
    let served = Served {
        root: root.to_path_buf(),
        rules,
    };
    let (survey, view, rep) = read(&served, jobs, watch)?;
    let mut findings = rep.findings.clone();
    let pointers = pointer_reports(&view, &rep, &mut findings);
    findings.extend(incomplete_terms(&rep.sets));
    let terms = term_versus_pointers(&rep, &pointers);
    findings
        .retain(|f| !(f.code == Code::BodyMismatch && terms.iter().any(|t| t.member == f.member)));
    findings.extend(terms);
    let manifest = Manifest::load(root).unwrap_or_else(|e| {
        findings.push(findings::unreadable(Unreadable::Manifest {
            file: ".loadsmith/manifest.json",
            error: &e,
        }));
        Manifest::default()
    });
    findings.extend(drift(&manifest, &rep));
    findings.extend(trust::findings(&rep.members, &manifest.trust));
    if let Some(t) = &manifest.target {
        let target = ImageName::parse(t);
        let loader = manifest
            .files
            .keys()
            .map(|k| ImageName::parse(k))
            .find(|i| i.role == Role::Loader)
            .map(|i| i.stem);
        findings.extend(warnings::warnings(&view, &target, loader.as_deref(), &[])?);
    } else {
        findings.extend(warnings::term_leftovers(&view));
    }
    findings.extend(warnings::leftover_findings(root, &survey.leftovers)?);
    findings.extend(not_served(&view, &rep));
    let remapped = mapcheck::findings(&served, &survey.stranded, &pointers, &mut findings);
    findings.extend(remapped);
    findings.extend(warnings::case_spellings(&view));
    let fingerprint = fingerprint::of_root(&pointers, &rep);
    let fleet = fleet_of(&served, &pointers, &rep.sets);
    findings.extend(fleet.iter().filter_map(warnings::verdict_finding));
    findings.sort_by(|a, b| (a.severity, &a.member, a.code).cmp(&(b.severity, &b.member, b.code)));
    findings.dedup();
    Ok(CheckReport {
        root: root.display().to_string(),
        target: manifest.target,
        pointers,
        sets: rep.sets,
        fleet,
        findings,
        fingerprint,
    })
}

/// Reads the root as `served` serves it: the survey of what the rules
/// serve and strand (with rules), the phone's view, and the root read as
/// one unpacked bundle.
fn read(
    served: &Served,
    jobs: usize,
    watch: crate::inspect::watch::Watch,
) -> Result<(Survey, RootView, BundleReport)> {
    let root = served.root.as_path();
    // With rules, one walk of the tree says what is served and what the
    // rules strand (`mapcheck`).
    let survey = match served.rules {
        Some(_) => served
            .survey()
            .map_err(|e| crate::error::Error::io(Action::OpenRoot, root, e))?,
        None => Default::default(),
    };
    let view = match served.rules {
        Some(_) => RootView::surveyed(served, survey.served.clone()),
        None => RootView::read(root)?,
    };
    // Tests change the tree here: whatever it is now, every file below is
    // opened from the root's descriptor, never through a link out of it.
    crate::files::fault::pause("check-read");
    let source = match served.rules {
        None => Source::Directory(root.to_path_buf()),
        Some(_) => Source::Served {
            root: root.to_path_buf(),
            files: view
                .paths
                .iter()
                .map(|(n, p)| (n.clone(), root.join(p)))
                .collect(),
        },
    };
    let rep = inspect::inspect(
        &source,
        &Options {
            deep: false,
            checksums: Default::default(),
            jobs,
            limits: crate::bundle::Limits::default(),
            watch,
        },
    )?;
    Ok((survey, view, rep))
}

/// Every pointer and where it leads; files that cannot be read, labels that
/// disagree and dangling pointers go to `findings`.
fn pointer_reports(
    view: &RootView,
    rep: &BundleReport,
    findings: &mut Vec<Finding>,
) -> Vec<PointerReport> {
    let whole: HashMap<&str, &[u8]> = rep
        .members
        .iter()
        .filter_map(|m| {
            let t = m.text.as_deref()?;
            (m.usable && t.len() as u64 == m.size).then_some((m.name.as_str(), t))
        })
        .collect();
    let (found, unreadable) = view.pointers_cached(&|n| whole.get(n).copied());
    findings.extend(unreadable.into_iter().map(|(file, error)| {
        findings::unreadable(Unreadable::Pointer {
            file: &file,
            error: &error,
        })
    }));
    findings.extend(found.iter().filter_map(label_mismatch));
    findings.extend(found.iter().filter_map(entries::entry_findings));
    findings.extend(conflicting_entries(&found));
    let mut pointers = Vec::new();
    let mut resolver = Resolver::new(rep);
    // Per-phone files naming one missing load: one finding for all of them.
    let mut phones: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for p in found {
        let r = resolver.resolve(&p.value);
        match &r {
            Err(why) if p.per_phone => phones
                .entry((p.value.clone(), why.clone()))
                .or_default()
                .push(p.file.clone()),
            Err(why) => findings.push(findings::dangling_pointer(Dangling::Pointer {
                file: &p.file,
                setting: &p.setting,
                value: &p.value,
                why,
            })),
            Ok(()) => {}
        }
        pointers.push(PointerReport {
            file: p.file,
            setting: p.setting,
            value: p.value,
            resolves: r.is_ok(),
            per_phone: p.per_phone,
        });
    }
    for ((value, why), files) in phones {
        findings.push(findings::dangling_pointer(Dangling::PerPhone {
            files: &files,
            value: &value,
            why: &why,
        }));
    }
    pointers
}

/// Term files whose list the root does not hold whole.
fn incomplete_terms(sets: &[SetReport]) -> Vec<Finding> {
    sets.iter()
        .filter(|s| s.load.to_ascii_lowercase().starts_with("term") && !s.complete)
        .map(|s| {
            findings::dangling_pointer(Dangling::TermSet {
                load: &s.load,
                missing: &s.missing,
            })
        })
        .collect()
}

/// Files phones may ask for that tftpd-hpa would refuse for their
/// permissions; one finding for the root when others cannot enter it.
fn not_served(view: &RootView, rep: &BundleReport) -> Vec<Finding> {
    let root = view.dir.as_path();
    if let Some(why) = crate::files::unsearchable(root, root) {
        return vec![findings::not_served(None, &why)];
    }
    let Ok(dir) = crate::files::beneath::Folder::open(root) else {
        return Vec::new();
    };
    rep.members
        .iter()
        .filter(|m| m.usable && m.image.known)
        .filter_map(|m| {
            let at = view.paths.get(&m.name).unwrap_or(&m.name);
            // The root itself was looked at above: a flat name needs its own mode only.
            let why = match at.contains('/') {
                true => crate::files::unserved(root, at)?,
                false => crate::files::file_unserved(&dir, at)?,
            };
            Some(findings::not_served(Some(&m.name), &why))
        })
        .collect()
}

/// The release a list stands for: the `.loads` of the root with the same
/// body, else the release its comment names.
fn release_of(list: &MemberReport, rep: &BundleReport) -> String {
    let twin = rep.members.iter().find(|m| {
        m.image.role == Role::Loads && m.body_sha256.is_some() && m.body_sha256 == list.body_sha256
    });
    let comment = list.loads.as_ref().and_then(|l| l.release.clone());
    match (twin, comment) {
        (Some(t), Some(r)) => format!("{} (components {r})", t.image.stem),
        (Some(t), None) => t.image.stem.clone(),
        (None, Some(r)) => format!("components {r}"),
        (None, None) => "a release the root does not hold".into(),
    }
}

/// A `term<MM>.default.loads` whose list is not the one of the family load
/// the root's pointers name for its models: a later (or older) bundle
/// overwrote it. A phone reset to factory defaults fetches the term list.
fn term_versus_pointers(rep: &BundleReport, pointers: &[PointerReport]) -> Vec<Finding> {
    let mut out = Vec::new();
    let terms = rep.members.iter().filter(|m| {
        m.usable
            && m.image.role == Role::FactoryDefault
            && m.loads.is_some()
            && !m.name.starts_with("TERM")
    });
    for t in terms {
        for Reset { model, setting } in after_reset(&t.image) {
            let Some(p) = pointers.iter().find(|p| p.setting == setting) else {
                continue;
            };
            let Some(load) = rep
                .members
                .iter()
                .find(|m| m.usable && m.image.role == Role::Loads && m.image.stem == p.value)
            else {
                continue;
            };
            if load.body_sha256.is_none() || load.body_sha256 == t.body_sha256 {
                continue;
            }
            let fetches = t
                .loads
                .as_ref()
                .map(|l| l.files.join(", "))
                .unwrap_or_default();
            let release = release_of(t, rep);
            let components = load.loads.as_ref().and_then(|l| l.release.as_deref());
            let it = findings::TermVersusPointer {
                term: &t.name,
                release: &release,
                fetches: &fetches,
                file: &p.file,
                setting: &p.setting,
                value: &p.value,
                components,
                model: model.name,
            };
            out.push(findings::body_mismatch(Bodies::TermVersusPointer(&it)));
        }
    }
    out
}

/// An interrupted stage, and files that differ from what a stage wrote.
fn drift(manifest: &Manifest, rep: &BundleReport) -> Vec<Finding> {
    let mut out = Vec::new();
    let pending: Vec<&str> = manifest
        .files
        .iter()
        .filter(|(_, e)| e.pending.is_some())
        .map(|(n, _)| n.as_str())
        .collect();
    if !pending.is_empty() {
        out.push(findings::interrupted_stage(&pending));
    }
    for (name, e) in manifest.files.iter().filter(|(_, e)| e.kind == "image") {
        let have = rep
            .members
            .iter()
            .find(|m| &m.name == name)
            .and_then(|m| m.sha256.clone());
        match have {
            None if e.pending.is_some() => {}
            Some(h) if e.ours(&h) => {}
            None => out.push(findings::drift(name, &e.load, &e.sha256, None)),
            Some(h) if h != e.sha256 => {
                out.push(findings::drift(name, &e.load, &e.sha256, Some(&h)))
            }
            _ => {}
        }
    }
    out
}

/// A `model="…"` label that names another model than the entry's number.
fn label_mismatch(p: &Pointer) -> Option<Finding> {
    let Setting::LoadInformation(Some(n)) = p.setting else {
        return None;
    };
    let by_number = model_by_device_type(n)?;
    let by_label = model_by_name(p.label.as_deref()?)?;
    (by_label.device_type != by_number.device_type).then(|| {
        let label = ModelLabel::Label {
            setting: &p.setting,
            label: p.label.as_deref().unwrap_or(""),
            number: n,
            model: by_number.name,
            labelled: by_label.name,
            labelled_type: by_label.device_type,
        };
        findings::model_label(&p.file, label)
    })
}

/// Two entries of one file that give one model different loads.
fn conflicting_entries(found: &[Pointer]) -> Vec<Finding> {
    let mut first: HashMap<(&str, Setting), &str> = HashMap::new();
    let mut out = Vec::new();
    for p in found {
        match first.get(&(p.file.as_str(), p.setting)) {
            Some(v) if *v != p.value => {
                let conflict = ModelLabel::Conflict {
                    setting: &p.setting,
                    first: v,
                    second: &p.value,
                };
                out.push(findings::model_label(&p.file, conflict))
            }
            Some(_) => {}
            None => {
                first.insert((p.file.as_str(), p.setting), p.value.as_str());
            }
        }
    }
    out
}

/// Every model the root's pointers and loads concern, walked through it.
fn fleet_of(served: &Served, pointers: &[PointerReport], sets: &[SetReport]) -> Vec<Row> {
    let models = fleet::models_concerned(
        pointers
            .iter()
            .map(|p| (p.file.as_str(), p.setting, p.value.as_str())),
        sets.iter().map(|s| s.load.as_str()),
    );
    let mut src = DirSource::of(served.clone());
    models
        .into_iter()
        .flat_map(|m| fleet::rows(&mut src, m))
        .collect()
}
