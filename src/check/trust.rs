//! Trust lists in a TFTP root, as `check` reports them: each list with its
//! signer, lists with different signers, the signed configuration files a
//! TFTP-role record makes phones ask for, and signer continuity against
//! what the last `stage` recorded in the manifest ([`Recorded`]; `stage`
//! asks the same [`continuity`] before it writes).

use std::collections::{BTreeMap, BTreeSet};

use crate::findings::{self, Finding, Signer};
use crate::inspect::member::MemberReport;
use crate::names::Role;
use crate::trust::record::{Recorded, key_id};
use crate::trust::{TrustList, Verdict};

/// The lists of a root's members: name, list and member.
fn lists(members: &[MemberReport]) -> Vec<(&str, &TrustList, &MemberReport)> {
    members
        .iter()
        .filter(|m| m.usable && m.image.role == Role::TrustList)
        .filter_map(|m| m.trust.as_deref().map(|t| (m.name.as_str(), t, m)))
        .collect()
}

/// The root-wide findings of its trust lists; `per_phone`: the per-phone
/// files `check` read apart from the members.
pub fn findings(
    members: &[MemberReport],
    per_phone: &[String],
    recorded: &BTreeMap<String, Recorded>,
) -> Vec<Finding> {
    let lists = lists(members);
    let mut out = Vec::new();
    for (name, t, _) in &lists {
        out.push(served(name, t));
    }
    out.extend(signers(&lists));
    out.extend(signed_configs(members, per_phone, &lists));
    for (name, t, _) in &lists {
        out.extend(continuity(name, t, recorded));
    }
    out
}

fn subjects(t: &TrustList, tftp: bool) -> String {
    crate::trust::findings::who(t, tftp)
}

fn signer(t: &TrustList) -> Signer<'_> {
    Signer {
        name: &t.signer.name,
        serial: &t.signer.serial,
    }
}

/// The `trust-list` finding of the list `name`.
fn served(name: &str, t: &TrustList) -> Finding {
    let tftp = t.has_tftp_role().then(|| subjects(t, true));
    findings::trust_list(&findings::Served {
        name,
        signer: signer(t),
        signature: t.signature.describe(),
        tftp: tftp.as_deref(),
        sast: &subjects(t, false),
    })
}

fn signer_id(t: &TrustList) -> String {
    t.signer_record()
        .and_then(key_id)
        .unwrap_or_else(|| format!("{} {}", t.signer.name, t.signer.serial))
}

/// Lists of one root signed by different SAST certificates.
fn signers(lists: &[(&str, &TrustList, &MemberReport)]) -> Option<Finding> {
    let by: BTreeMap<String, Vec<&str>> = lists.iter().fold(BTreeMap::new(), |mut m, (n, t, _)| {
        m.entry(signer_id(t)).or_default().push(n);
        m
    });
    if by.len() < 2 {
        return None;
    }
    let parts: Vec<(&str, Signer<'_>)> = lists.iter().map(|(n, t, _)| (*n, signer(t))).collect();
    Some(findings::trust_list_signers(by.len(), &parts))
}

/// A TFTP-role record: phones ask for `SEP<MAC>.cnf.xml.sgn`.
fn signed_configs(
    members: &[MemberReport],
    per_phone: &[String],
    lists: &[(&str, &TrustList, &MemberReport)],
) -> Vec<Finding> {
    if !lists.iter().any(|(_, t, _)| t.has_tftp_role()) {
        return Vec::new();
    }
    let names: BTreeSet<&str> = members.iter().map(|m| m.name.as_str()).collect();
    let mut configs: BTreeSet<String> = members
        .iter()
        .filter(|m| m.image.role == Role::Configuration && m.name.ends_with(".cnf.xml"))
        .filter_map(|m| m.image.mac.clone())
        .collect();
    configs.extend(
        per_phone
            .iter()
            .filter(|n| n.ends_with(".cnf.xml"))
            .filter_map(|n| crate::phone::fleet::per_phone_file(n).map(|(_, mac)| mac)),
    );
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for (list, t, m) in lists.iter().filter(|(_, t, _)| t.has_tftp_role()) {
        let macs: Vec<String> = match &m.image.mac {
            Some(mac) => vec![mac.clone()],
            None => configs.iter().cloned().collect(),
        };
        for mac in macs {
            let want = format!("SEP{mac}.cnf.xml.sgn");
            if names.contains(want.as_str()) || !seen.insert(want.clone()) {
                continue;
            }
            let (tftp, unsigned) = (subjects(t, true), configs.contains(&mac));
            out.push(findings::signed_config_missing(
                &want, list, &tftp, &mac, unsigned,
            ));
        }
    }
    out
}

/// The finding of a list whose signer the recorded list does not hold:
/// phones that hold the recorded list refuse it.
pub fn continuity(
    name: &str,
    t: &TrustList,
    recorded: &BTreeMap<String, Recorded>,
) -> Option<Finding> {
    if t.signature != Verdict::Verified {
        return None;
    }
    let kind = |n: &str| n.get(..3).map(str::to_ascii_uppercase);
    let (old_name, old) = recorded
        .get_key_value(name)
        .or_else(|| recorded.iter().find(|(n, _)| kind(n) == kind(name)))?;
    let key = key_id(t.signer_record()?)?;
    if old.sast.iter().any(|s| s.key_sha256 == key) {
        return None;
    }
    let old_signer = Signer {
        name: &old.signer,
        serial: &old.serial,
    };
    Some(findings::trust_signer_changed(
        name,
        signer(t),
        old_name,
        old_signer,
    ))
}
