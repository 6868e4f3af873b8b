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
    /// A shared file's setting naming a load the root does not hold whole.
    Pointer { setting: Setting, value: String },
    /// Per-phone files naming a load the root does not hold whole.
    PerPhone {
        files: HashSet<String>,
        value: String,
    },
    /// A term file whose list the root lacks files of.
    Term(String),
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
            if fails
                && let Some((_, f)) = self.list.iter_mut().find(|(k, _)| explains(k, row, model))
            {
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
            row.cause = fails.then_some(f.code.as_str());
            merge(&mut phones, f, row);
        }
        let mut out: Vec<Finding> = self.list.into_iter().map(|(_, f)| f).collect();
        out.extend(phones.into_iter().map(|(_, _, f)| f));
        out.extend(undocumented);
        out
    }
}

/// True when the root finding about `key` explains the failure of `row`.
fn explains(key: &Key, row: &Row, model: Option<&Model>) -> bool {
    let per_phone = row.phones.as_ref().map(|p| p.file.as_str());
    match key {
        Key::NotServed(None) => true,
        Key::NotServed(Some(file)) | Key::Term(file) => row.file.as_ref() == Some(file),
        Key::Pointer { setting, value } => {
            let for_model = match setting {
                Setting::LoadInformation(Some(n)) => model.is_some_and(|m| m.device_type == *n),
                _ => true,
            };
            per_phone.is_none() && for_model && row.named.as_ref() == Some(value)
        }
        Key::PerPhone { files, value } => {
            per_phone.is_some_and(|f| files.contains(f)) && row.named.as_ref() == Some(value)
        }
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
