//! Sets: what each load needs, what the bundle holds of it, and the
//! bundle-wide rules over names (duplicates, case, bodies, `OS79XX.TXT`).

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::member::MemberReport;
use crate::findings::{self, Bodies, Collision, Duplicate, Finding, Listed, Os79xx};
use crate::names::{Family, Protocol, Role};

/// One load's set of files.
#[derive(Debug, Clone, Serialize)]
pub struct SetReport {
    /// The load as phones are told it: the `.loads` name without extension, vendor spelling.
    pub load: String,
    /// The load's protocol.
    pub protocol: Option<Protocol>,
    /// The load's version (display form).
    pub version: Option<String>,
    /// Models it serves.
    pub models: Vec<&'static str>,
    /// True when every file is present.
    pub complete: bool,
    /// Every file of the set: the `.loads` first, then what it lists.
    pub files: Vec<String>,
    /// Files of the set the bundle lacks.
    pub missing: Vec<String>,
    /// For `term<MM>.default.loads`: the load whose list it carries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stands_for: Option<String>,
}

/// Builds the sets and the findings over the whole member list. `holder`
/// is what holds the members, for messages: `bundle` or `root`.
pub fn analyse(members: &[MemberReport], holder: &str) -> (Vec<SetReport>, Vec<Finding>) {
    let mut found = Vec::new();
    let usable: Vec<&MemberReport> = members.iter().filter(|m| m.usable).collect();
    let by_name: HashMap<&str, &MemberReport> =
        usable.iter().map(|m| (m.name.as_str(), *m)).collect();
    let mut by_lower: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for m in &usable {
        by_lower
            .entry(m.name.to_ascii_lowercase())
            .or_default()
            .push(m.name.as_str());
    }
    duplicates_and_case(members, &by_lower, holder, &mut found);

    let mut sets = Vec::new();
    let mut listed: Vec<&str> = Vec::new();
    for m in usable
        .iter()
        .filter(|m| m.loads.is_some() && !is_leftover(m, holder))
    {
        let Some(l) = &m.loads else { continue };
        let mut files = vec![m.name.clone()];
        let mut missing = Vec::new();
        for f in &l.not_firmware {
            found.push(findings::not_firmware_in_set(f, &m.name, &m.image.stem));
        }
        for f in &l.files {
            files.push(f.clone());
            listed.push(f);
            if let Some(have) = by_name.get(f.as_str()) {
                found.extend(listed_as(m, have));
                continue;
            }
            let variant = by_lower
                .get(&f.to_ascii_lowercase())
                .and_then(|v| v.first())
                .copied();
            let (list, load) = (&m.name, &m.image.stem);
            found.push(findings::missing_member(f, list, load, holder, variant));
            missing.push(f.clone());
        }
        for f in &l.optional {
            if let Some(have) = by_name.get(f.as_str()) {
                found.extend(listed_as(m, have));
                files.push(f.clone());
                listed.push(f);
            }
        }
        sets.push(SetReport {
            load: m.image.stem.clone(),
            protocol: m.image.protocol,
            version: m.image.version.as_ref().map(|v| v.display().to_string()),
            models: m.image.models.clone(),
            complete: missing.is_empty(),
            files,
            missing,
            stands_for: None,
        });
    }
    term_bodies(&usable, holder, &mut sets, &mut found);
    loose_images(&usable, &listed, &mut sets);
    loader_bodies(&usable, &by_name, &mut found);
    for m in usable.iter().filter(|m| m.image.role == Role::Os79xx) {
        os79xx(m, &usable, holder, &mut found);
    }
    (sets, found)
}

/// An upper-case `TERM<MM>.DEFAULT.loads` in a root: phones never fetch it
/// (they ask for `term<MM>.default.loads`), so it is no set; the root
/// checks report it as a leftover.
fn is_leftover(m: &MemberReport, holder: &str) -> bool {
    holder == "root" && m.image.role == Role::FactoryDefault && m.name.starts_with("TERM")
}

/// A file a wireless list gives a size and MD5 for, against what it is.
fn listed_as(list: &MemberReport, have: &MemberReport) -> Option<Finding> {
    let e = list
        .loads
        .as_ref()?
        .expect
        .iter()
        .find(|e| e.name == have.name)?;
    let why = if have.size != e.size {
        Listed::Size {
            have: have.size,
            listed: e.size,
        }
    } else if let Some(md5) = have
        .md5
        .as_ref()
        .filter(|m| **m != e.md5 && have.md5_zeroed.as_ref() != Some(&e.md5))
    {
        Listed::Md5 {
            have: md5,
            listed: &e.md5,
        }
    } else {
        return None;
    };
    Some(findings::list_mismatch(&have.name, &list.name, why))
}

fn duplicates_and_case(
    members: &[MemberReport],
    by_lower: &BTreeMap<String, Vec<&str>>,
    holder: &str,
    out: &mut Vec<Finding>,
) {
    // In a bundle, names equal but for case are a broken bundle; in a root
    // served by a case-sensitive server (tftpd-hpa) both are served, and
    // phones ask for the exact name: a warning for the servers that are not.
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for m in members
        .iter()
        .filter(|m| m.kind == crate::bundle::EntryKind::File)
    {
        *count.entry(m.name.as_str()).or_default() += 1;
    }
    for (name, n) in count.into_iter().filter(|(_, n)| *n > 1) {
        out.push(findings::duplicate_member(Duplicate::Repeated {
            name,
            times: n,
        }));
    }
    for names in by_lower.values() {
        let mut distinct = names.clone();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() > 1 {
            if holder == "root" && distinct.iter().any(|n| n.starts_with("TERM")) {
                // Reported as an upper-case leftover by the root checks.
                continue;
            }
            out.push(match holder {
                "root" => findings::case_collision(Collision::Names(&distinct)),
                _ => findings::duplicate_member(Duplicate::Case(&distinct)),
            });
        }
    }
}

/// `term<MM>.default.loads` carries the list of the load it stands for.
fn term_bodies(
    usable: &[&MemberReport],
    holder: &str,
    sets: &mut [SetReport],
    out: &mut Vec<Finding>,
) {
    for t in usable
        .iter()
        .filter(|m| m.image.role == Role::FactoryDefault && !is_leftover(m, holder))
    {
        let same_family: Vec<&&MemberReport> = usable
            .iter()
            .filter(|m| {
                m.image.role == Role::Loads
                    && m.image.family.is_some()
                    && m.image.family == t.image.family
            })
            .collect();
        let equal = same_family
            .iter()
            .find(|m| m.body_sha256.is_some() && m.body_sha256 == t.body_sha256);
        match equal {
            Some(m) => {
                if let Some(s) = sets.iter_mut().find(|s| s.files.first() == Some(&t.name)) {
                    s.stands_for = Some(m.image.stem.clone());
                }
            }
            None if !same_family.is_empty() => {
                let names: Vec<&str> = same_family.iter().map(|m| m.name.as_str()).collect();
                let (term, lists) = (t.name.as_str(), names.as_slice());
                out.push(findings::body_mismatch(Bodies::TermList { term, lists }));
            }
            None => {}
        }
    }
}

/// Pre-loader-era application images that no `.loads` lists are sets of their own.
fn loose_images(usable: &[&MemberReport], listed: &[&str], sets: &mut Vec<SetReport>) {
    let mut groups: BTreeMap<&str, Vec<&MemberReport>> = BTreeMap::new();
    for m in usable {
        let i = &m.image;
        if i.family == Some(Family::Legacy)
            && i.role == Role::Application
            && !listed.contains(&m.name.as_str())
        {
            groups.entry(i.stem.as_str()).or_default().push(m);
        }
    }
    for (stem, ms) in groups {
        if sets.iter().any(|s| s.load == stem) {
            continue;
        }
        let i = &ms[0].image;
        sets.push(SetReport {
            load: stem.to_string(),
            protocol: i.protocol,
            version: i.version.as_ref().map(|v| v.display().to_string()),
            models: i.models.clone(),
            complete: true,
            files: ms.iter().map(|m| m.name.clone()).collect(),
            missing: Vec::new(),
            stands_for: None,
        });
    }
}

/// The loader `.sbn` is the signed header followed by the loader `.bin`, byte for byte.
fn loader_bodies(
    usable: &[&MemberReport],
    by_name: &HashMap<&str, &MemberReport>,
    out: &mut Vec<Finding>,
) {
    for sbn in usable
        .iter()
        .filter(|m| m.image.role == Role::Loader && m.signed.is_some())
    {
        let bin_name = format!("{}.bin", sbn.image.stem);
        if let Some(bin) = by_name.get(bin_name.as_str())
            && bin.sha256.is_some()
            && bin.sha256 != sbn.body_sha256
        {
            let (sbn, bin) = (sbn.name.as_str(), bin_name.as_str());
            out.push(findings::body_mismatch(Bodies::Loader { sbn, bin }));
        }
    }
}

fn os79xx(m: &MemberReport, usable: &[&MemberReport], holder: &str, out: &mut Vec<Finding>) {
    let Some(text) = &m.text else { return };
    let mut problems = Vec::new();
    let mut body = text.as_slice();
    if let Some(rest) = body.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        problems.push(Os79xx::Bom);
        body = rest;
    }
    let s = String::from_utf8_lossy(body);
    let lines: Vec<&str> = s
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(|l| !l.trim().is_empty())
        .collect();
    if lines.len() > 1 {
        problems.push(Os79xx::Lines(lines.len()));
    }
    match lines.first() {
        None => problems.push(Os79xx::Empty),
        Some(first) => {
            if first.trim_end() != *first || first.trim_start() != *first {
                problems.push(Os79xx::WhiteSpace(first.trim()));
            }
            let image = first.trim();
            if !usable
                .iter()
                .any(|u| u.image.stem == image && u.image.role != Role::Os79xx)
            {
                problems.push(Os79xx::NotHeld { image, holder });
            }
        }
    }
    for p in &problems {
        out.push(findings::os79xx_format(&m.name, p));
    }
}
