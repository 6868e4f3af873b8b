//! `compare`: do several TFTP servers tell every phone the same? Each
//! source (a folder, a live server, a manifest copied from another server)
//! is asked what a phone of every model any of them concerns fetches; the
//! verdicts are set side by side, and every file fetched, every pointer
//! setting and each source's fingerprint are compared.

mod side;

pub use side::{Held, Input};

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use self::side::Side;
use crate::error::{Error, Result};
use crate::names::config::{MGCP_DEFAULT, OS79XX, SIP_DEFAULT, XML_DEFAULT};
use crate::names::{ImageName, Role};
use crate::phone::fleet::{self, Row};
use crate::phone::source::{Fetch, FileSource};
use crate::served::view::pointers_in;

/// One source, as the comparison shows it.
#[derive(Debug, Clone, Serialize)]
pub struct SourceReport {
    /// As given.
    pub source: String,
    /// `folder`, `tftp` or `manifest`.
    pub kind: &'static str,
    /// The fingerprint of what it serves (as `check` computes it); `null`
    /// for a manifest, which holds no pointer settings.
    pub fingerprint: Option<String>,
    /// The last staged target (manifests only).
    pub target: Option<String>,
}

/// One phone (model and starting state) and each source's verdict.
#[derive(Debug, Clone, Serialize)]
pub struct PhoneRow {
    /// The model.
    pub model: &'static str,
    /// The starting state.
    pub state: String,
    /// Each source's verdict, in the order of the sources (`null` for a manifest).
    pub verdicts: Vec<Option<Verdict>>,
    /// True when every live source tells this phone the same.
    pub same: bool,
}

/// How a phone ends against one source.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Verdict {
    /// `settles`, `loops`, … (as `boot`).
    pub kind: String,
    /// The image it ends on.
    pub image: Option<String>,
    /// The verdict in one sentence.
    pub message: String,
}

/// One difference between sources.
#[derive(Debug, Clone, Serialize)]
pub struct Difference {
    /// `verdict`, `content`, `missing`, `unreadable` or `pointer`.
    pub kind: &'static str,
    /// What differs: `7960 loader era`, a file name, `FILE SETTING`.
    pub what: String,
    /// What each source says, in the order of the sources (`null`: it cannot say).
    pub values: Vec<Option<String>>,
}

/// What `compare` found.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// The sources, in the order given.
    pub sources: Vec<SourceReport>,
    /// Every model any source concerns, each source's verdict side by side.
    pub phones: Vec<PhoneRow>,
    /// Every difference, one per file, setting or phone.
    pub differences: Vec<Difference>,
    /// True when every source tells every phone the same.
    pub same: bool,
}

/// The configuration files every phone without a file of its own reads.
const DEFAULTS: [&str; 4] = [XML_DEFAULT, OS79XX, SIP_DEFAULT, MGCP_DEFAULT];

/// Compares `inputs` (two or more); `deadline` bounds each file's
/// transfer from a live server. An unreadable source is an error.
pub fn compare(inputs: &[Input], deadline: std::time::Duration) -> Result<Comparison> {
    if inputs.len() < 2 {
        return Err(Error::Usage {
            message: "compare needs two sources or more".into(),
        });
    }
    let mut sides = inputs
        .iter()
        .map(|i| Side::open(i, deadline))
        .collect::<Result<Vec<_>>>()?;
    let names = pointer_files(inputs, &sides);
    let mut pointers: Vec<Settings> = Vec::new();
    for s in sides.iter_mut() {
        pointers.push(pointers_of(s, &names));
        if let Some(message) = s.unreachable() {
            return Err(Error::Unreachable { message });
        }
    }
    let phones = walks(&mut sides, &pointers);
    let mut differences: Vec<Difference> = phones
        .iter()
        .filter(|p| !p.same)
        .map(|p| Difference {
            kind: "verdict",
            what: format!("{} {}", p.model, p.state),
            values: p
                .verdicts
                .iter()
                .map(|v| v.as_ref().map(verdict_words))
                .collect(),
        })
        .collect();
    differences.extend(pointer_differences(&sides, &pointers));
    differences.extend(file_differences(&mut sides, &names));
    let sources = sides
        .iter_mut()
        .zip(&pointers)
        .map(|(s, p)| source_report(s, p))
        .collect();
    Ok(Comparison {
        same: differences.is_empty(),
        sources,
        phones,
        differences,
    })
}

/// The configuration files to read from every live source: the defaults
/// and every per-phone file any folder holds.
fn pointer_files(inputs: &[Input], sides: &[Side]) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = DEFAULTS.iter().map(|s| s.to_string()).collect();
    for (i, s) in inputs.iter().zip(sides) {
        if let Input::Folder { dir, rules } = i {
            let served = crate::served::Served {
                root: dir.clone(),
                rules: rules.clone(),
            };
            if let Ok(view) = crate::served::view::RootView::served(&served) {
                out.extend(
                    view.names
                        .into_iter()
                        .filter(|n| ImageName::parse(n).role == Role::Configuration),
                );
            }
        }
        out.extend(s.recorded().into_iter().map(|(n, _)| n.to_string()));
    }
    out.retain(|n| {
        let img = ImageName::parse(n);
        let ext = img.extension.as_deref().map(str::to_ascii_lowercase);
        n == OS79XX
            || (img.role == Role::Configuration
                && matches!(ext.as_deref(), Some("cnf" | "cnf.xml")))
    });
    out
}

/// The pointer settings one source serves: (file, setting as spelled) →
/// (setting, value).
type Settings = BTreeMap<(String, String), (crate::pointers::Setting, String)>;

/// The pointer settings a live source serves in `names`: (file, setting) → value.
fn pointers_of(s: &mut Side, names: &BTreeSet<String>) -> Settings {
    let mut out = BTreeMap::new();
    if !s.live() {
        return out;
    }
    for n in names {
        if let Fetch::Found { head, .. } = s.fetch(n) {
            for p in pointers_in(n, &head) {
                out.entry((p.file, p.setting.to_string()))
                    .or_insert((p.setting, p.value));
            }
        }
        if s.unreachable().is_some() {
            break;
        }
    }
    out
}

/// Every model any source concerns, walked against each live source.
fn walks(sides: &mut [Side], pointers: &[Settings]) -> Vec<PhoneRow> {
    let recorded: Vec<(String, String)> = sides
        .iter()
        .flat_map(|s| s.recorded())
        .map(|(n, l)| (n.to_string(), l.to_string()))
        .collect();
    let models = fleet::models_concerned(
        pointers
            .iter()
            .flatten()
            .map(|((f, _), (s, v))| (f.as_str(), *s, v.as_str())),
        recorded.iter().map(|(_, l)| l.as_str()),
    );
    let mut rows: Vec<PhoneRow> = Vec::new();
    for model in models {
        let per_side: Vec<Option<Vec<Row>>> = sides
            .iter_mut()
            .map(|s| s.live().then(|| fleet::rows(s, model)))
            .collect();
        let states = per_side
            .iter()
            .flatten()
            .next()
            .map(|r| r.len())
            .unwrap_or(0);
        for i in 0..states {
            let verdicts: Vec<Option<Verdict>> = per_side
                .iter()
                .map(|r| r.as_ref().and_then(|r| r.get(i)).map(verdict_of))
                .collect();
            let state = per_side
                .iter()
                .flatten()
                .find_map(|r| r.get(i))
                .map(|r| r.state.clone())
                .unwrap_or_default();
            let mut live = verdicts.iter().flatten().map(|v| (&v.kind, &v.image));
            let first = live.next();
            rows.push(PhoneRow {
                model: model.name,
                state,
                same: live.all(|v| Some(v) == first),
                verdicts,
            });
        }
    }
    rows
}

fn verdict_of(r: &Row) -> Verdict {
    Verdict {
        kind: serde_json::to_value(r.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        image: r.image.clone(),
        message: r.message.clone(),
    }
}

fn verdict_words(v: &Verdict) -> String {
    match &v.image {
        Some(i) => format!("{} {i}: {}", v.kind, v.message),
        None => format!("{}: {}", v.kind, v.message),
    }
}

/// Pointer settings that differ between live sources (one absent counts).
fn pointer_differences(sides: &[Side], pointers: &[Settings]) -> Vec<Difference> {
    let keys: BTreeSet<&(String, String)> = pointers.iter().flat_map(|p| p.keys()).collect();
    let mut out = Vec::new();
    for key in keys {
        let values: Vec<Option<String>> = sides
            .iter()
            .zip(pointers)
            .map(|(s, p)| match s.live() {
                true => Some(
                    p.get(key)
                        .map(|(_, v)| v.clone())
                        .unwrap_or_else(|| "(not set)".into()),
                ),
                false => None,
            })
            .collect();
        let mut known = values.iter().flatten();
        let first = known.next();
        if !known.all(|v| Some(v) == first) {
            out.push(Difference {
                kind: "pointer",
                what: format!("{} {}", key.0, key.1),
                values,
            });
        }
    }
    out
}

/// Every file any source was asked for or records, compared by SHA-256:
/// bytes that differ, a file one serves and another lacks, a file one
/// cannot serve.
fn file_differences(sides: &mut [Side], names: &BTreeSet<String>) -> Vec<Difference> {
    let mut all: BTreeSet<String> = names.clone();
    for s in sides.iter() {
        all.extend(s.fetched().cloned());
        all.extend(s.recorded().into_iter().map(|(n, _)| n.to_string()));
    }
    let mut out = Vec::new();
    for name in all {
        let held: Vec<Option<Held>> = sides.iter_mut().map(|s| s.held(&name)).collect();
        let served: BTreeSet<&str> = held
            .iter()
            .flatten()
            .filter_map(|h| match h {
                Held::Served { sha256, .. } => Some(sha256.as_str()),
                _ => None,
            })
            .collect();
        let missing = held.iter().flatten().any(|h| *h == Held::Missing);
        let error = held
            .iter()
            .flatten()
            .any(|h| matches!(h, Held::Error { .. }));
        let kind = match (served.len(), missing, error) {
            (0, _, false) => continue,
            (1, false, false) => continue,
            (_, _, true) => "unreadable",
            (n, true, _) if n >= 1 => "missing",
            _ => "content",
        };
        out.push(Difference {
            kind,
            what: name,
            values: held.iter().map(|h| h.as_ref().map(held_words)).collect(),
        });
    }
    out
}

fn held_words(h: &Held) -> String {
    match h {
        Held::Served { sha256, .. } => format!("sha256 {sha256}"),
        Held::Missing => "missing".into(),
        Held::Error { message } => format!("error: {message}"),
    }
}

/// The source's line: its fingerprint over the pointers it serves and the
/// files of the sets they name, as `check` computes it.
fn source_report(s: &mut Side, pointers: &Settings) -> SourceReport {
    let target = match &s.reach {
        side::Reach::Manifest(m) => m.target.clone(),
        _ => None,
    };
    let fingerprint = s.live().then(|| {
        let values: BTreeSet<&String> = pointers.values().map(|(_, v)| v).collect();
        let mut files: Vec<(String, Option<String>)> = Vec::new();
        for v in values {
            files.extend(set_files(s, v));
        }
        crate::check::fingerprint::fingerprint(
            pointers
                .iter()
                .map(|((f, st), (_, v))| (f.as_str(), st.as_str(), v.as_str())),
            files.iter().map(|(n, d)| (n.as_str(), d.as_deref())),
        )
    });
    SourceReport {
        source: s.label.clone(),
        kind: s.kind(),
        fingerprint,
        target,
    }
}

/// The files of the set `value` names as a source serves them: the
/// `.loads` and what it lists, with their digests (`None`: missing);
/// without a `.loads`, the images of that name the phones fetched.
fn set_files(s: &mut Side, value: &str) -> Vec<(String, Option<String>)> {
    let digest = |s: &mut Side, n: &str| match s.held(n) {
        Some(Held::Served { sha256, .. }) => Some(sha256),
        _ => None,
    };
    let list = format!("{value}.loads");
    if let Fetch::Found { head, .. } = s.fetch(&list) {
        let off = crate::signed::header::parse(&head)
            .map(|h| h.header_len as usize)
            .unwrap_or(0);
        let listed = crate::signed::loads::parse(head.get(off..).unwrap_or(&[]))
            .map(|l| l.files)
            .unwrap_or_default();
        let mut out = vec![(list.clone(), digest(s, &list))];
        for f in listed {
            let d = digest(s, &f);
            out.push((f, d));
        }
        return out;
    }
    // No list: the images of that name, in every spelling phones ask for.
    IMAGE_ENDINGS
        .iter()
        .map(|e| format!("{value}.{e}"))
        .filter(|n| {
            let i = ImageName::parse(n);
            i.stem == value && matches!(i.role, Role::Application | Role::Loader)
        })
        .filter_map(|n| {
            let d = digest(s, &n)?;
            Some((n, Some(d)))
        })
        .collect()
}

/// The endings of the 7940/7960 images a pointer may name without a list.
const IMAGE_ENDINGS: [&str; 4] = ["bin", "sbn", "sb2", "zup"];
