//! `check`: is a TFTP root consistent, and did it drift since the last stage?
//!
//! Reads the root through the same readers and checks as `inspect` (as one
//! unpacked bundle), then resolves every pointer to a complete set, compares
//! the files the manifest records with their digests, and adds the root
//! warnings (hunt order, case, leftovers).

mod cause;
mod entries;
pub mod fingerprint;
mod mapcheck;
mod perphone;
mod phones;
pub mod pointer;
mod resolve;
pub mod trust;
pub mod warnings;

pub use pointer::PointerReport;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use self::cause::{Causes, Key};
use self::perphone::PerPhone;
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
    let (survey, view, rep, mut apart) = read(&served, jobs, watch)?;
    let mut findings = rep.findings.clone();
    // The findings that may strand phones wait for the walks (`cause`).
    let mut causes = Causes::default();
    for (name, why) in &apart.unserved {
        let finding = findings::not_served(Some(name), why);
        causes.push(Key::NotServed(Some(name.clone())), finding);
    }
    let pointers = pointer_reports(
        &apart.shared(&view),
        &rep,
        &mut apart,
        &mut findings,
        &mut causes,
    );
    incomplete_terms(&rep.sets, &mut causes);
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
    findings.extend(trust::findings(&rep.members, &apart.names, &manifest.trust));
    if let Some(t) = &manifest.target {
        let target = ImageName::parse(t);
        let loader = manifest
            .files
            .keys()
            .map(|k| ImageName::parse(k))
            .find(|i| i.role == Role::Loader)
            .map(|i| i.stem);
        // The pointers read above: a cluster's per-phone files are not read again.
        let per_phone = (pointers.iter())
            .filter(|p| p.per_phone)
            .map(|p| (p.file.as_str(), p.value.as_str()));
        findings.extend(warnings::hunt_shadows(
            per_phone,
            &target,
            loader.as_deref(),
        ));
        findings.extend(warnings::term_leftovers(&view));
    } else {
        findings.extend(warnings::term_leftovers(&view));
    }
    findings.extend(warnings::leftover_findings(root, &survey.leftovers)?);
    not_served(&view, &rep, &mut causes);
    let remapped = mapcheck::findings(&served, &survey.stranded, &pointers, &mut findings);
    findings.extend(remapped);
    findings.extend(warnings::case_spellings(&view));
    let fingerprint = fingerprint::of_root(&pointers, &rep);
    let odd = apart.odd();
    let names = view.names.iter().chain(apart.not_file_names());
    let mut fleet = fleet_of(&served, (names, &odd), &pointers, &rep.sets);
    // A file a set lists and the root lacks: the cause of the phones that
    // ask for it, and of the pointers to that set.
    let missing: Vec<Finding> = findings
        .extract_if(.., |f| f.code == Code::MissingMember)
        .collect();
    missing_members(missing, &rep.sets, &mut causes);
    for f in findings.extract_if(.., |f| f.code == Code::RemapDangles) {
        causes.push(Key::Remapped(f.member.clone().unwrap_or_default()), f);
    }
    // A per-phone file that is a link or a FIFO: the server refuses it, and
    // the finding that says so is the cause of its phone's failure.
    let odd_entry = |f: &Finding| {
        f.code == Code::LinkMember && odd.contains(f.member.as_deref().unwrap_or_default())
    };
    for f in findings.extract_if(.., |f| odd_entry(f)) {
        causes.push(Key::NotServed(f.member.clone()), f);
    }
    findings.extend(causes.explain(&mut fleet));
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
/// serve and strand (with rules), the phone's view, the root read as one
/// unpacked bundle (`watch` told of each file), and (without rules) its
/// per-phone files read apart.
fn read(
    served: &Served,
    jobs: usize,
    watch: crate::inspect::watch::Watch,
) -> Result<(Survey, RootView, BundleReport, PerPhone)> {
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
    let (apart, files) = match served.rules {
        None => {
            let entries = crate::bundle::dir::named_entries(root)
                .map_err(|e| crate::error::Error::io(Action::Read, root, e))?;
            perphone::read(root, entries, jobs, &watch)?
        }
        Some(_) => {
            let files = view
                .paths
                .iter()
                .map(|(n, p)| (n.clone(), root.join(p)))
                .collect();
            (PerPhone::default(), files)
        }
    };
    let source = Source::Served {
        root: root.to_path_buf(),
        files,
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
    Ok((survey, view, rep, apart))
}

/// Every pointer and where it leads (those of the `shared` view's files and
/// of the per-phone files read `apart`); files that cannot be read and
/// labels that disagree go to `findings`, dangling pointers to `causes`.
fn pointer_reports(
    shared: &RootView,
    rep: &BundleReport,
    apart: &mut PerPhone,
    findings: &mut Vec<Finding>,
    causes: &mut Causes,
) -> Vec<PointerReport> {
    let whole: HashMap<&str, &[u8]> = rep
        .members
        .iter()
        .filter_map(|m| {
            let t = m.text.as_deref()?;
            (m.usable && t.len() as u64 == m.size).then_some((m.name.as_str(), t))
        })
        .collect();
    let (mut found, unreadable) = shared.pointers_cached(&|n| whole.get(n).copied());
    // In file order, as if read together (a stable sort: entries keep theirs).
    found.append(&mut apart.pointers);
    found.sort_by(|a, b| a.file.as_bytes().cmp(b.file.as_bytes()));
    findings.extend(
        apart
            .unreadable
            .iter()
            .map(|(file, error)| findings::unreadable(Unreadable::Pointer { file, error })),
    );
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
            Err(why) => causes.push(
                Key::Pointer {
                    setting: p.setting,
                    value: p.value.clone(),
                    lacks: lacks(rep, &p.value),
                },
                findings::dangling_pointer(Dangling::Pointer {
                    file: &p.file,
                    setting: &p.setting,
                    value: &p.value,
                    why,
                }),
            ),
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
        let finding = findings::dangling_pointer(Dangling::PerPhone {
            files: &files,
            value: &value,
            why: &why,
        });
        let files = files.into_iter().collect();
        let lacks = lacks(rep, &value);
        causes.push(
            Key::PerPhone {
                files,
                value,
                lacks,
            },
            finding,
        );
    }
    pointers
}

/// The files the set of `load` lacks, when the root holds that set.
fn lacks(rep: &BundleReport, load: &str) -> Vec<String> {
    rep.sets
        .iter()
        .find(|s| s.load == load)
        .map(|s| s.missing.clone())
        .unwrap_or_default()
}

/// Files sets list and the root lacks: one `missing-member` finding for
/// each file, naming every `.loads` that lists it (`inspect` gives one for
/// each list), the cause of the phones that ask for it.
fn missing_members(found: Vec<Finding>, sets: &[SetReport], causes: &mut Causes) {
    let mut by_file: BTreeMap<String, Vec<Finding>> = BTreeMap::new();
    for f in found {
        by_file
            .entry(f.member.clone().unwrap_or_default())
            .or_default()
            .push(f);
    }
    for (file, mut found) in by_file {
        let lists: Vec<(String, String)> = sets
            .iter()
            .filter(|s| s.missing.contains(&file))
            .map(|s| (format!("{}.loads", s.load), s.load.clone()))
            .collect();
        let finding = match found.len() {
            // One list: its own words (with the case hint, if any).
            1 => found.swap_remove(0),
            _ => findings::missing_from_lists(&file, &lists),
        };
        let lists = lists.into_iter().map(|(l, _)| l).collect();
        causes.push(Key::Missing { file, lists }, finding);
    }
}

/// Term files whose list the root does not hold whole.
fn incomplete_terms(sets: &[SetReport], causes: &mut Causes) {
    let incomplete = sets
        .iter()
        .filter(|s| s.load.to_ascii_lowercase().starts_with("term") && !s.complete);
    for s in incomplete {
        let finding = findings::dangling_pointer(Dangling::TermSet {
            load: &s.load,
            missing: &s.missing,
        });
        let key = Key::Term {
            file: format!("{}.loads", s.load),
            lacks: s.missing.clone(),
        };
        causes.push(key, finding);
    }
}

/// Files phones may ask for that tftpd-hpa would refuse for their
/// permissions; one finding for the root when others cannot enter it.
fn not_served(view: &RootView, rep: &BundleReport, causes: &mut Causes) {
    let root = view.dir.as_path();
    if let Some(why) = crate::files::unsearchable(root, root) {
        return causes.push(Key::NotServed(None), findings::not_served(None, &why));
    }
    let Ok(dir) = crate::files::beneath::Folder::open(root) else {
        return;
    };
    for m in rep.members.iter().filter(|m| m.usable && m.image.known) {
        let at = view.paths.get(&m.name).unwrap_or(&m.name);
        // The root itself was looked at above: a flat name needs its own mode only.
        let why = match at.contains('/') {
            true => crate::files::unserved(root, at),
            false => crate::files::file_unserved(&dir, at),
        };
        if let Some(why) = why {
            let finding = findings::not_served(Some(&m.name), &why);
            causes.push(Key::NotServed(Some(m.name.clone())), finding);
        }
    }
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

/// Every model the root's pointers and loads concern, walked through it
/// as a phone with no per-phone file; then the phones of the per-phone
/// files among `names`, each group walked once with its first MAC.
fn fleet_of<'a>(
    served: &Served,
    (names, odd): (impl Iterator<Item = &'a String>, &HashSet<&str>),
    pointers: &'a [PointerReport],
    sets: &[SetReport],
) -> Vec<Row> {
    let models = fleet::models_concerned(
        pointers
            .iter()
            .map(|p| (p.file.as_str(), p.setting, p.value.as_str())),
        sets.iter().map(|s| s.load.as_str()),
    );
    let mut src = DirSource::of(served.clone());
    let mut rows: Vec<Row> = models
        .iter()
        .flat_map(|m| fleet::rows(&mut src, m))
        .collect();
    rows.extend(phones::rows(&mut src, names, pointers, (&models, odd)));
    rows
}
