//! One cause, one finding: the root findings that keep phones off their
//! load (a file the server will not serve, a pointer naming a load the root
//! does not hold, a term file whose list the root lacks) each list the
//! walked phones they strand, instead of a `phone-fails` finding per phone
//! repeating the same sentence. A failure no root finding explains is a
//! `phone-fails` finding of its own, one for every phone that fails the
//! same way (same file, same words).

use std::collections::HashSet;

use crate::findings::{self, Finding, PhoneVerdict, Strand};
use crate::names::models::model_by_name;
use crate::names::{Family, Model};
use crate::phone::Kind;
use crate::phone::fleet::Row;
use crate::pointers::Setting;

/// What a root finding is about, as a walked phone meets it.
pub(super) enum Key {
    /// A file the server will not serve (`None`: the root itself).
    NotServed(Option<String>),
    /// A name phones ask for that the remap rules send astray.
    Remapped(String),
    /// A shared file's setting naming a load the root does not hold whole
    /// (`lacks`: the files its set lacks, when the root holds the set).
    Pointer {
        setting: Setting,
        value: String,
        lacks: Vec<String>,
    },
    /// Per-phone files naming a load the root does not hold whole.
    PerPhone {
        files: HashSet<String>,
        value: String,
        lacks: Vec<String>,
    },
    /// A file sets list that the root lacks (`missing-member`), and the
    /// `.loads` that list it.
    Missing { file: String, lists: Vec<String> },
    /// A term file whose list the root lacks files of (`lacks`).
    Term { file: String, lacks: Vec<String> },
}

/// The root findings that may strand phones, with what each is about.
#[derive(Default)]
pub(super) struct Causes {
    list: Vec<(Key, Finding)>,
}

impl Causes {
    /// Adds a root finding about `key`.
    pub fn push(&mut self, key: Key, finding: Finding) {
        self.list.push((key, finding));
    }

    /// The cause findings with the phones of `rows` they strand, and a
    /// finding for each failure (or uncertainty) none of them explains.
    /// Each failing row learns the code of the finding that reports it.
    pub fn explain(mut self, rows: &mut [Row]) -> Vec<Finding> {
        let missing: HashSet<String> = (self.list.iter())
            .filter_map(|(k, _)| match k {
                Key::Missing { file, .. } => Some(file.clone()),
                _ => None,
            })
            .collect();
        // Findings that say again what a `missing-member` says go, and
        // strand no phone.
        self.list.retain(|(k, _)| !folded(k, &missing));
        let mut phones: Vec<Shared> = Vec::new();
        let mut undocumented: Vec<Finding> = Vec::new();
        for row in rows.iter_mut() {
            let model = model_by_name(row.model);
            if let Some(f @ Family::Named(_)) = model.map(|m| m.family) {
                let models: Vec<&str> = f.models().map(|m| m.name).collect();
                let f = findings::boot_undocumented(&f.label(), &models);
                if !undocumented.contains(&f) {
                    undocumented.push(f);
                }
                continue;
            }
            let fails = matches!(row.kind, Kind::Error | Kind::Loops);
            let best = (self.list.iter_mut())
                .filter_map(|(k, f)| Some((rank(k, row, model)?, f)))
                .min_by_key(|(r, _)| *r);
            if fails && let Some((_, f)) = best {
                f.strand(strand_of(row));
                row.cause = Some(f.code.as_str());
                continue;
            }
            let v = PhoneVerdict {
                file: row.file.as_deref(),
                model: row.model,
                state: &row.state,
                message: &row.message,
            };
            let f = match row.kind {
                Kind::Error | Kind::Loops => findings::phone_fails(&v),
                Kind::Uncertain => findings::phone_uncertain(&v),
                Kind::Settles => continue,
            };
            row.cause = Some(f.code.as_str());
            merge(&mut phones, f, row);
        }
        let mut out: Vec<Finding> = self.list.into_iter().map(|(_, f)| f).collect();
        out.extend(phones.into_iter().map(|(_, _, f)| f));
        out.extend(undocumented);
        out
    }
}

/// How closely the root finding about `key` explains the failure of
/// `row` (0 the closest), or `None` when it does not: the file the phone
/// could not get, then the setting of its own device type, then any
/// setting naming the load it was told to load.
fn rank(key: &Key, row: &Row, model: Option<&Model>) -> Option<u8> {
    let per_phone = row.phones.as_ref().map(|p| p.file.as_str());
    let named = |value: &String| row.named.as_ref() == Some(value);
    match key {
        Key::NotServed(None) => Some(0),
        Key::NotServed(Some(file)) | Key::Remapped(file) | Key::Term { file, .. } => {
            (row.file.as_ref() == Some(file)).then_some(0)
        }
        // The file itself, or a term file listing it that the phone loops on.
        Key::Missing { file, lists } => row
            .file
            .as_ref()
            .is_some_and(|f| f == file || lists.contains(f))
            .then_some(0),
        Key::PerPhone { files, value, .. } => {
            (per_phone.is_some_and(|f| files.contains(f)) && named(value)).then_some(1)
        }
        Key::Pointer { setting, value, .. } if per_phone.is_none() && named(value) => match setting
        {
            Setting::LoadInformation(Some(n)) => {
                model.is_some_and(|m| m.device_type == *n).then_some(1)
            }
            _ => Some(2),
        },
        Key::Pointer { .. } => None,
    }
}

/// True when the finding about `key` says again what `missing-member`
/// findings say: a pointer to a set the root holds, or a term file,
/// incomplete only for files each reported missing (those findings list
/// its phones).
fn folded(key: &Key, missing: &HashSet<String>) -> bool {
    match key {
        Key::Pointer { lacks, .. } | Key::PerPhone { lacks, .. } | Key::Term { lacks, .. } => {
            !lacks.is_empty() && lacks.iter().all(|f| missing.contains(f))
        }
        _ => false,
    }
}

/// The phone a row stands for, as a finding lists it.
fn strand_of(row: &Row) -> Strand {
    Strand {
        model: row.model.to_string(),
        state: row.state.clone(),
        phones: row.phones.as_ref().map(|p| p.count),
        macs: row
            .phones
            .as_ref()
            .map(|p| p.macs.clone())
            .unwrap_or_default(),
    }
}

/// A phone finding and the words its phones end with.
type Shared = (Option<String>, String, Finding);

/// Adds the finding of one phone's verdict: phones that end the same way
/// (the same code, file and words) share one finding listing them all.
fn merge(phones: &mut Vec<Shared>, f: Finding, row: &Row) {
    let same = phones
        .iter_mut()
        .find(|(file, words, o)| o.code == f.code && *file == row.file && *words == row.message);
    match same {
        Some((_, words, o)) => {
            // Several phones: the words lose their "a 7941 (…):", the
            // strands say which phones.
            o.message = words.clone();
            o.strand(strand_of(row));
        }
        None => {
            let mut f = f;
            f.strand(strand_of(row));
            phones.push((row.file.clone(), row.message.clone(), f));
        }
    }
}
