//! Names of vendor bundles and of the files in a root that are not firmware.
//!
//! Bundles: `cmterm-7941_7961-sccp.9-4-2SR3-1.zip` (models, protocol,
//! version; it holds `SCCP41.9-4-2SR3-1S`), `cm-7941_7961-sccp.8-0-4ES4-0-1S`,
//! `cmterm-7970_7971-sccp.8-3-3.cop.sgn`, and bundles named after the image
//! they carry (`P0S3-8-12-00.zip`). Other files of a root: dial plans, ring
//! lists, trust lists.

use super::{Family, ImageName, Protocol, Role, models, version::Version};

/// Endings of bundle files, longest first.
const BUNDLE_ENDINGS: [&str; 6] = [".cop.sgn", ".tar.gz", ".zip", ".cop", ".tgz", ".tar"];

/// Parses `base` as a vendor bundle name; false when it is not one. A
/// `cmterm-…`/`cm-…` name without its ending is a bundle's name too (as
/// threads and release notes write it).
pub(super) fn parse_bundle(rec: &mut ImageName, base: &str) -> bool {
    let lower = base.to_ascii_lowercase();
    let Some(end) = BUNDLE_ENDINGS.iter().find(|e| lower.ends_with(*e)) else {
        return family_bundle(rec, base, "");
    };
    let stem = &base[..base.len() - end.len()];
    let inner = ImageName::parse(stem);
    if inner.known
        && matches!(inner.family, Some(Family::Legacy | Family::Named(_)))
        && matches!(inner.role, Role::Application | Role::Loads | Role::Loader)
    {
        *rec = ImageName {
            input: rec.input.clone(),
            role: Role::Bundle,
            signed: None,
            extension: Some(end.trim_start_matches('.').to_string()),
            notes: vec![format!(
                "a bundle named after the image it carries: {}",
                inner.stem
            )],
            ..inner
        };
        return true;
    }
    family_bundle(rec, stem, end)
}

/// `cmterm-7941_7961-sccp.9-4-2SR3-1` (or `cm-…`; the models joined by `_`
/// or `-`; the version may be missing, as in `cm-7941_7961-sccp.zip`).
fn family_bundle(rec: &mut ImageName, stem: &str, end: &str) -> bool {
    let Some(rest) = stem
        .strip_prefix("cmterm-")
        .or_else(|| stem.strip_prefix("cm-"))
    else {
        return false;
    };
    let (head, version) = match rest.split_once('.') {
        Some((h, v)) => (h, Some(v)),
        None => (rest, None),
    };
    let Some((model_list, proto)) = head.rsplit_once('-') else {
        return false;
    };
    let protocol = match proto.to_ascii_lowercase().as_str() {
        "sccp" => Protocol::Sccp,
        "sip" => Protocol::Sip,
        _ => return false,
    };
    let found: Vec<&'static models::Model> = model_list
        .split(['_', '-'])
        .filter_map(models::model_by_name)
        .collect();
    let Some(first) = found.first() else {
        return false;
    };
    let v = match version {
        Some(t) => match Version::parse_dashed(t) {
            Some(v) => Some(v),
            None => return false,
        },
        None => None,
    };
    rec.known = true;
    rec.role = Role::Bundle;
    rec.family = Some(first.family);
    rec.models = first.family.models().map(|m| m.name).collect();
    rec.protocol = Some(protocol);
    rec.version = v;
    rec.signed = None;
    rec.extension = (!end.is_empty()).then(|| end.trim_start_matches('.').to_string());
    let load = match (first.family, version) {
        (Family::Java(code), Some(version)) => {
            let suffix = if version.ends_with(['S', 's']) {
                ""
            } else {
                "S"
            };
            Some(format!("{}{code}.{version}{suffix}", protocol.label()))
        }
        _ => None,
    };
    rec.notes.push(match &load {
        Some(l) => format!("a vendor bundle; it should hold the load {l}"),
        None if version.is_none() => "a vendor bundle (its name carries no version)".into(),
        None => format!("a vendor bundle for the {}", first.family.label()),
    });
    if let Some(l) = load {
        rec.stem = l;
    }
    if end.is_empty() {
        rec.notes
            .push("a bundle's name without its ending (.zip, .cop.sgn)".into());
    }
    true
}

/// Files a root holds besides firmware and pointer files: what they are.
pub(super) fn parse_other(rec: &mut ImageName, lower: &str) -> bool {
    let what = match lower {
        "dialplan.xml" => "SIP dial plan (79x1 and 7940/7960 SIP phones read it)",
        "ringlist.xml" | "ringlist-wb.xml" => "ring list: the ring tones phones offer",
        "distinctiveringlist.xml" | "distinctiverlist.xml" => {
            "distinctive ring list: the ring tones phones offer for distinctive rings"
        }
        "syncinfo.xml" => "SIP phones' resync file (which image version to check for)",
        "appdialrules.xml" | "dirlookupdialrules.xml" => "dial rules CUCM publishes to phones",
        "softkey.xml" | "softkeydefault.xml" => "soft key template",
        "g3-tones.xml" | "g4-tones.xml" => "call progress tones",
        _ => return false,
    };
    rec.role = Role::Support;
    rec.notes.push(what.to_string());
    true
}
