//! Findings about what keeps phones off a load in a root, raised by both
//! `stage` and `check`: per-phone files pinning another load, names that
//! differ only in case, configuration files spelled otherwise than phones
//! ask, upper-case `TERM` leftovers, temporary files an interrupted stage
//! left, and what a phone's verdict implies ([`verdict_finding`]).

use std::path::Path;

use crate::error::Action;
use crate::error::{Error, Result};
use crate::findings::{Code, Finding};
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
    let mut out = Vec::new();
    let pointers = view.pointers()?;
    let legacy = target.family == Some(Family::Legacy);
    for p in &pointers {
        let v = ImageName::parse(&p.value);
        let same_family =
            !v.known || v.family == target.family || (legacy && v.family == Some(Family::Legacy));
        if p.per_phone && same_family && differs(&p.value, target, loader) {
            out.push(Finding::new(
                Code::HuntShadow,
                Some(&p.file),
                format!("{} pins {}: that phone reads it before the defaults and stays off {}; change or remove it", p.file, p.value, target.stem),
            ));
        }
    }
    // What the shared files' hunt order does to each model (XMLDefault.cnf.xml
    // before SIPDefault.cnf, SIPDefault.cnf before MGCDefault.cnf) is the
    // phone model's to say: `stage` proves it, `check` shows it.
    for s in staged {
        for n in &view.names {
            if n != s && n.eq_ignore_ascii_case(s) {
                out.push(Finding::new(
                    Code::CaseCollision,
                    Some(n),
                    format!("{n} differs from the staged {s} only in case: a case-insensitive TFTP server may serve the wrong one; remove {n}"),
                ));
            }
        }
    }
    out.extend(term_leftovers(view));
    Ok(out)
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
            let also = if view.names.contains(&exact) {
                format!("; the root also has {exact}, which is the one phones get")
            } else {
                format!("; rename it to {exact}")
            };
            Some(Finding::new(
                Code::CaseSpelling,
                Some(n),
                format!("{n} is never requested: phones ask for {exact} exactly, and tftpd-hpa matches case{also}"),
            ))
        })
        .collect()
}

/// Upper-case `TERM<MM>.DEFAULT.loads` left by old CUCM installs.
pub fn term_leftovers(view: &RootView) -> Vec<Finding> {
    view.names
        .iter()
        .filter(|n| n.starts_with("TERM") && ImageName::parse(n).role == Role::FactoryDefault)
        .map(|n| {
            Finding::new(
                Code::CaseCollision,
                Some(n),
                format!("{n} is an upper-case leftover of an old CUCM install; phones ask for {}; the vendor installer deletes it", n.to_ascii_lowercase()),
            )
        })
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
        .map(|n| {
            Finding::new(
                Code::LeftoverTemp,
                Some(&n),
                format!("{n} is left from an interrupted stage; phones never ask for it; the next stage removes it"),
            )
        })
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
        return Some(Finding::new(
            Code::BootUndocumented,
            None,
            format!(
                "{} ({}): the vendor's documents loadsmith follows describe how 7940/7960 and 79x1-family phones boot, not these; their files and lists are checked, their boot is not predicted",
                f.label(),
                models.join(", ")
            ),
        ));
    }
    let code = match r.kind {
        Kind::Error | Kind::Loops => Code::PhoneFails,
        Kind::Uncertain => Code::PhoneUncertain,
        Kind::Settles => return None,
    };
    Some(Finding::new(
        code,
        r.file.as_deref(),
        format!("a {} ({}): {}", r.model, r.state, r.message),
    ))
}
