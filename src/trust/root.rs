//! Trust lists in a TFTP root: each list with its signer, lists with
//! different signers, the signed configuration files a TFTP-role record
//! makes phones ask for, and signer continuity against what the last
//! `stage` recorded in the manifest ([`Recorded`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use rsa::pkcs1::EncodeRsaPublicKey;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::list::Record;
use super::{TrustList, Verdict, analyse, cert, hex};
use crate::findings::{Code, Finding};
use crate::inspect::member::MemberReport;
use crate::names::Role;

/// A SAST certificate a recorded list holds.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Sast {
    /// Its subject.
    pub subject: String,
    /// Its serial, hex.
    pub serial: String,
    /// SHA-256 of its RSA key (DER PKCS#1): what a signature is checked with.
    pub key_sha256: String,
}

/// What `stage` records of one trust list in the manifest.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Recorded {
    /// The signer's name.
    pub signer: String,
    /// The signer's serial, hex.
    pub serial: String,
    /// SHA-1 of the list (a phone's trust-list screen shows it).
    pub sha1: String,
    /// The SAST certificates it holds: phones that hold it accept a new
    /// list only from one of these.
    pub sast: Vec<Sast>,
}

/// SHA-256 of a record's RSA key, re-encoded as DER PKCS#1.
pub fn key_id(r: &Record) -> Option<String> {
    let k = cert::rsa_key(r)?;
    let der = k.to_pkcs1_der().ok()?;
    Some(hex(&Sha256::digest(der.as_bytes())))
}

/// What the manifest records of a verified list.
pub fn recorded(t: &TrustList) -> Recorded {
    Recorded {
        signer: t.signer.name.clone(),
        serial: t.signer.serial.clone(),
        sha1: t.sha1.clone(),
        sast: t
            .sast_records()
            .filter_map(|r| {
                Some(Sast {
                    subject: r.subject.clone().unwrap_or_default(),
                    serial: hex(&r.serial),
                    key_sha256: key_id(r)?,
                })
            })
            .collect(),
    }
}

/// True for the names phones ask trust lists by.
fn is_list_name(name: &str) -> bool {
    crate::names::ImageName::parse(name).role == Role::TrustList
}

/// The verified trust lists at the top of `root`, by name.
fn root_lists(root: &Path) -> Vec<(String, TrustList)> {
    let Ok(dir) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    let now = super::now();
    let mut out: Vec<(String, TrustList)> = dir
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if !is_list_name(&name) {
                return None;
            }
            let data = crate::files::read_capped(&e.path(), super::MAX_SIZE).ok()?;
            let t = analyse(&data, now).ok()?;
            (t.signature == Verdict::Verified).then_some((name, t))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The lists `stage` records: every verified trust list at the top of the
/// root, over what was recorded before. A list whose signer the recorded
/// list does not hold keeps the old record (phones still hold the old
/// list) unless `force`: the admin says the phones were erased. A list
/// removed from the root keeps its record too.
pub fn record_root(
    root: &Path,
    before: &BTreeMap<String, Recorded>,
    force: bool,
) -> BTreeMap<String, Recorded> {
    let mut out = before.clone();
    for (name, t) in root_lists(root) {
        if force || continuity(&name, &t, before).is_none() {
            out.insert(name, recorded(&t));
        }
    }
    out
}

/// What `stage` says of the root's lists before it writes: a list phones
/// holding the recorded one would refuse.
pub fn stage_findings(root: &Path, recorded: &BTreeMap<String, Recorded>) -> Vec<Finding> {
    root_lists(root)
        .iter()
        .filter_map(|(n, t)| continuity(n, t, recorded))
        .collect()
}

/// The lists of a root's members: name, list and member.
fn lists(members: &[MemberReport]) -> Vec<(&str, &TrustList, &MemberReport)> {
    members
        .iter()
        .filter(|m| m.usable && m.image.role == Role::TrustList)
        .filter_map(|m| m.trust.as_ref().map(|t| (m.name.as_str(), t, m)))
        .collect()
}

/// The root-wide findings of its trust lists.
pub fn findings(members: &[MemberReport], recorded: &BTreeMap<String, Recorded>) -> Vec<Finding> {
    let lists = lists(members);
    let mut out = Vec::new();
    for (name, t, _) in &lists {
        out.push(Finding::new(
            Code::TrustList,
            Some(name),
            signer_line(name, t),
        ));
    }
    out.extend(signers(&lists));
    out.extend(signed_configs(members, &lists));
    for (name, t, _) in &lists {
        out.extend(continuity(name, t, recorded));
    }
    out
}

fn subjects(t: &TrustList, tftp: bool) -> String {
    super::findings::who(t, tftp)
}

fn signer_line(name: &str, t: &TrustList) -> String {
    let files = if t.has_tftp_role() {
        format!(
            "accept signed configuration files from {}",
            subjects(t, true)
        )
    } else {
        "trust no TFTP certificate (no signed configuration files)".into()
    };
    format!(
        "{name}: signed by {} (serial {}), signature {}; phones that take it {files}, and accept later trust lists only from {}",
        t.signer.name,
        t.signer.serial,
        t.signature.describe(),
        subjects(t, false)
    )
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
    let parts: Vec<String> = lists
        .iter()
        .map(|(n, t, _)| format!("{n} by {} (serial {})", t.signer.name, t.signer.serial))
        .collect();
    Some(Finding::new(
        Code::TrustListSigners,
        None,
        format!(
            "the root's trust lists have {} different signers: {}; a phone that holds one may refuse the others",
            by.len(),
            parts.join(", ")
        ),
    ))
}

/// A TFTP-role record: phones ask for `SEP<MAC>.cnf.xml.sgn`.
fn signed_configs(
    members: &[MemberReport],
    lists: &[(&str, &TrustList, &MemberReport)],
) -> Vec<Finding> {
    let names: BTreeSet<&str> = members.iter().map(|m| m.name.as_str()).collect();
    let configs: BTreeSet<String> = members
        .iter()
        .filter(|m| m.image.role == Role::Configuration && m.name.ends_with(".cnf.xml"))
        .filter_map(|m| m.image.mac.clone())
        .collect();
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
            let has = if configs.contains(&mac) {
                format!("the root has SEP{mac}.cnf.xml unsigned only")
            } else {
                "the root has no configuration file for it".into()
            };
            out.push(Finding::new(
                Code::SignedConfigMissing,
                Some(&want),
                format!(
                    "{want}: {list} gives {} the TFTP role, so the phone {mac} asks for its signed configuration file; {has}: have the TFTP server sign it, or serve a list without a TFTP record",
                    subjects(t, true)
                ),
            ));
        }
    }
    out
}

/// The hint of a broken chain of signers.
pub const ERASE_HINT: &str = "sign the new list with the old SAST key, or erase the trust list on each phone that holds the old one (on many models Settings > Security Configuration > Trust List, unlock with **#, then erase; where that menu sits on each family is uncertain: the documents loadsmith follows do not say), then run stage --force to record the new signer";

fn continuity(name: &str, t: &TrustList, recorded: &BTreeMap<String, Recorded>) -> Option<Finding> {
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
    Some(Finding::new(
        Code::TrustSignerChanged,
        Some(name),
        format!(
            "{name} is signed by {} (serial {}), which is not a SAST certificate of the {old_name} the last stage recorded (signed by {}, serial {}): phones that hold that list refuse this one and every configuration file it signs; {ERASE_HINT}",
            t.signer.name, t.signer.serial, old.signer, old.serial
        ),
    ))
}
