//! The names phones ask for in a root served through remap rules.
//!
//! Rules may serve a file under another name than it has on disk: with the
//! common lower-casing rule `r ^(.*)$ \L\1`, a request for `SIPDefault.cnf`
//! opens `sipdefault.cnf`, and with `r ^SIPDefault\.cnf$ settings/sip.cnf`
//! it opens `settings/sip.cnf`. Offering the rules only the base names found
//! on disk misses those names. So the names phones ask for are offered too:
//! the configuration files they hunt for, the term files, every name the
//! manifest records, and, read from what that serves, the loads the pointers
//! name and the files those lists name. A file reached by such a name is
//! served under it, not under its spelling on disk (no phone asks for that).

use std::collections::{BTreeMap, BTreeSet};

use super::view::{MAX_CONFIG, is_pointer_file, pointers_in};
use super::{Served, Survey};
use crate::names::{ImageName, MODELS, Role};
use crate::phone::files::{self, MGCP_DEFAULT, OS79XX, SIP_DEFAULT, XML_DEFAULT};
use crate::root::manifest::Manifest;
use crate::signed::{header, loads};

/// Rounds of reading at most: pointers name loads, loads name members.
const ROUNDS: usize = 4;
/// Names offered at most (a cluster's root has tens of thousands of
/// per-phone files; each names a load or two).
const MAX_ASKED: usize = 4_000_000;

/// Adds to `survey` the names phones ask for that the rules send to a
/// regular file, and drops the on-disk spellings those replace.
pub fn widen(served: &Served, survey: &mut Survey) {
    let Some(rules) = &served.rules else { return };
    let mut asked: BTreeSet<String> = [XML_DEFAULT, SIP_DEFAULT, MGCP_DEFAULT, OS79XX]
        .into_iter()
        .map(str::to_string)
        .collect();
    asked.extend(MODELS.iter().filter_map(files::term_file));
    let on_disk = survey
        .served
        .keys()
        .chain(survey.stranded.iter().map(|s| &s.name));
    asked.extend(on_disk.filter_map(|n| files::requested_spelling(n)));
    if let Ok(m) = Manifest::load(&served.root) {
        asked.extend(m.files.into_keys());
    }
    let mut tried = BTreeSet::new();
    // What the files served under their own names send phones on to, too.
    let mut read: Vec<String> = survey.served.keys().cloned().collect();
    for _ in 0..ROUNDS {
        let fresh: Vec<String> = asked.difference(&tried).cloned().collect();
        if fresh.is_empty() && read.is_empty() {
            break;
        }
        for name in &fresh {
            tried.insert(name.clone());
            if survey.served.contains_key(name) {
                continue;
            }
            let r = super::resolve(Some(rules), name);
            if let Some(p) = r.into_path().filter(|p| is_file(served, p)) {
                survey.served.insert(name.clone(), p);
            }
        }
        read.extend(fresh);
        let named = std::mem::take(&mut read)
            .iter()
            .filter_map(|n| survey.served.get(n).map(|p| (n, p)))
            .flat_map(|(n, p)| names_in(served, n, p))
            .collect::<Vec<_>>();
        for n in named {
            if asked.len() >= MAX_ASKED {
                break;
            }
            asked.insert(n);
        }
    }
    drop_spellings(survey, &asked);
}

fn is_file(served: &Served, rel: &str) -> bool {
    crate::files::open_inside(&served.root, rel).is_ok()
}

/// The names a served file sends phones on to: the loads a configuration
/// file names, the files a list names.
fn names_in(served: &Served, name: &str, rel: &str) -> Vec<String> {
    let img = ImageName::parse(name);
    let pointer = is_pointer_file(name);
    if !pointer && img.role != Role::Loads && img.role != Role::FactoryDefault {
        return Vec::new();
    }
    let Ok(bytes) = crate::files::read_inside_capped(&served.root, rel, MAX_CONFIG) else {
        return Vec::new();
    };
    if pointer {
        return pointers_in(name, &bytes)
            .into_iter()
            .flat_map(|p| ["loads", "sbn", "sb2", "bin"].map(|e| format!("{}.{e}", p.value)))
            .collect();
    }
    let off = header::parse(&bytes)
        .map(|h| h.header_len as usize)
        .unwrap_or(0);
    loads::parse(bytes.get(off..).unwrap_or(&[]))
        .map(|l| l.files.into_iter().chain(l.optional).collect())
        .unwrap_or_default()
}

/// A file phones reach by a name they ask for is served under that name
/// only; files no such name reaches are no longer stranded.
fn drop_spellings(survey: &mut Survey, asked: &BTreeSet<String>) {
    let reached: BTreeMap<&str, &str> = survey
        .served
        .iter()
        .filter(|(n, _)| asked.contains(*n))
        .map(|(n, p)| (p.as_str(), n.as_str()))
        .collect();
    let spelled: Vec<String> = survey
        .served
        .iter()
        .filter(|(n, p)| !asked.contains(*n) && reached.contains_key(p.as_str()))
        .map(|(n, _)| n.clone())
        .collect();
    let paths: BTreeSet<String> = survey.served.values().cloned().collect();
    for n in spelled {
        survey.served.remove(&n);
    }
    survey.stranded.retain(|s| !paths.contains(&s.at));
}
