//! Findings about what keeps phones off a load in a root, raised by both
//! `stage` and `check`: per-phone files pinning another load, names that
//! differ only in case, configuration files spelled otherwise than phones
//! ask, upper-case `TERM` leftovers, temporary files an interrupted stage
//! left, and what a phone's verdict implies ([`verdict_finding`]).

use std::path::Path;

use crate::error::Action;
use crate::error::{Error, Result};
use crate::findings::{self, Collision, Finding, PhoneVerdict};
use crate::names::{Family, ImageName, Role};
use crate::phone::Kind;
use crate::phone::fleet::Row;
use crate::root::manifest::{STATE_DIR, TMP_PREFIX};
use crate::served::view::RootView;

fn differs(value: &str, target: &ImageName, loader: Option<&str>) -> bool {
    let v = ImageName::parse(value);
    !(v.same_image(target) || value == target.stem || Some(value) == loader)
}

/// Warnings about what keeps phones off `target` (a staged load) in this root.
pub fn warnings(
    view: &RootView,
    target: &ImageName,
    loader: Option<&str>,
    staged: &[String],
) -> Result<Vec<Finding>> {
    let pointers = view.pointers()?;
    let per_phone = pointers
        .iter()
        .filter(|p| p.per_phone)
        .map(|p| (p.file.as_str(), p.value.as_str()));
    let mut out = hunt_shadows(per_phone, target, loader);
    // What the shared files' hunt order does to each model (XMLDefault.cnf.xml
    // before SIPDefault.cnf, SIPDefault.cnf before MGCDefault.cnf) is the
    // phone model's to say: `stage` proves it, `check` shows it.
    for s in staged {
        for n in &view.names {
            if n != s && n.eq_ignore_ascii_case(s) {
                let staged = Collision::Staged { name: n, staged: s };
                out.push(findings::case_collision(staged));
            }
        }
    }
    out.extend(term_leftovers(view));
    Ok(out)
}

/// `hunt-shadow` for each per-phone pointer `(file, value)` that keeps its
/// phone off `target` (a load of its family, or one loadsmith does not
/// know, other than the target and its loader). Each value is judged once:
/// a cluster's per-phone files name a handful of loads.
pub fn hunt_shadows<'a>(
    per_phone: impl IntoIterator<Item = (&'a str, &'a str)>,
    target: &ImageName,
    loader: Option<&str>,
) -> Vec<Finding> {
    let legacy = target.family == Some(Family::Legacy);
    let mut judged: std::collections::HashMap<&str, bool> = Default::default();
    let mut out = Vec::new();
    for (file, value) in per_phone {
        let shadows = *judged.entry(value).or_insert_with(|| {
            let v = ImageName::parse(value);
            let same_family = !v.known
                || v.family == target.family
                || (legacy && v.family == Some(Family::Legacy));
            same_family && differs(value, target, loader)
        });
        if shadows {
            out.push(findings::hunt_shadow(file, value, &target.stem));
        }
    }
    out
}

/// Configuration files spelled in another case than phones ask for
/// (`sipdefault.cnf`): never fetched from a case-sensitive server. Upper-case
/// `TERM…` leftovers are reported by [`term_leftovers`].
pub fn case_spellings(view: &RootView) -> Vec<Finding> {
    view.names
        .iter()
        .filter(|n| !n.starts_with("TERM"))
        .filter_map(|n| {
            let exact = crate::phone::files::requested_spelling(n)?;
            let held = view.names.contains(&exact);
            Some(findings::case_spelling(n, &exact, held))
        })
        .collect()
}

/// Upper-case `TERM<MM>.DEFAULT.loads` left by old CUCM installs.
pub fn term_leftovers(view: &RootView) -> Vec<Finding> {
    view.names
        .iter()
        .filter(|n| n.starts_with("TERM") && ImageName::parse(n).role == Role::FactoryDefault)
        .map(|n| findings::case_collision(Collision::TermLeftover(n)))
        .collect()
}

/// Leftover temporary files, as findings.
pub fn leftover_findings(root: &Path, below: &[String]) -> Result<Vec<Finding>> {
    let mut all = crate::root::manifest::leftovers(root)?;
    // `.loadsmith/` itself (a manifest save cut short), when it is a
    // folder: opened from the root's descriptor, never through a link.
    let state = crate::files::beneath::Folder::open(root)
        .ok()
        .and_then(|r| r.walk(STATE_DIR, false).ok());
    if let Some(state) = state {
        let mut names = state
            .names()
            .map_err(|e| Error::io(Action::Read, &state.path, e))?;
        names.retain(|n| is_tmp(n));
        names.sort();
        all.extend(names.into_iter().map(|n| format!("{}/{n}", STATE_DIR)));
    }
    all.extend(below.iter().cloned());
    Ok(all
        .into_iter()
        .map(|n| findings::leftover_temp(&n))
        .collect())
}

/// True for names of loadsmith's temporary files.
pub fn is_tmp(name: &str) -> bool {
    name.starts_with(TMP_PREFIX)
}

/// The finding a verdict implies: errors and loops are errors, uncertain a
/// warning, settling nothing.
pub fn verdict_finding(r: &Row) -> Option<Finding> {
    let family = crate::names::models::model_by_name(r.model).map(|m| m.family);
    if let Some(f @ Family::Named(_)) = family {
        let models: Vec<&str> = f.models().map(|m| m.name).collect();
        return Some(findings::boot_undocumented(&f.label(), &models));
    }
    let v = PhoneVerdict {
        file: r.file.as_deref(),
        model: r.model,
        state: &r.state,
        message: &r.message,
    };
    match r.kind {
        Kind::Error | Kind::Loops => Some(findings::phone_fails(&v)),
        Kind::Uncertain => Some(findings::phone_uncertain(&v)),
        Kind::Settles => None,
    }
}
