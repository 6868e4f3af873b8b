//! The findings of trust lists: each list on its own (empty, damaged, not
//! verified, certificates out of date) and the lists of a root together
//! (their signers, the signed files they make phones ask for, the signer
//! against the one the last stage recorded).

use std::fmt::Display;

use super::{Code, Finding};

/// The hint of a broken chain of signers.
const ERASE_HINT: &str = "sign the new list with the old SAST key, or erase the trust list on \
    each phone that holds the old one (on many models Settings > Security Configuration > Trust \
    List, unlock with **#, then erase; where that menu sits on each family is uncertain: the \
    documents loadsmith follows do not say), then run stage --force to record the new signer";

/// A list's signer: its name and serial.
#[derive(Clone, Copy)]
pub struct Signer<'a> {
    /// The signer's name.
    pub name: &'a str,
    /// Its serial, hex.
    pub serial: &'a str,
}

/// `trust-list-empty`: phones that fetch `name` go on in nonsecure mode.
pub fn trust_list_empty(name: &str) -> Finding {
    Finding::new(
        Code::TrustListEmpty,
        Some(name),
        format!(
            "{name}: empty: phones that fetch it go on in nonsecure mode (they accept unsigned configuration files)"
        ),
    )
}

/// `trust-list-damaged`: `name` cannot be decoded.
pub fn trust_list_damaged(name: &str, error: &dyn Display) -> Finding {
    Finding::new(
        Code::TrustListDamaged,
        Some(name),
        format!("{name}: {error}; phones refuse it"),
    )
}

/// `trust-list-signature`: `name`'s signature (by `signer`) `verdict`
/// (`does not verify …`).
pub fn trust_list_signature(name: &str, verdict: &str, signer: Signer<'_>) -> Finding {
    Finding::new(
        Code::TrustListSignature,
        Some(name),
        format!(
            "{name}: its signature {verdict} (signer {}, serial {}); phones refuse it",
            signer.name, signer.serial
        ),
    )
}

/// What is wrong with a certificate (`trust-list-certificate`).
pub enum Certificate<'a> {
    /// It cannot be read.
    Unreadable(&'a dyn Display),
    /// It expired on this date.
    Expired(&'a str),
    /// It is valid only from this date.
    NotYetValid(&'a str),
}

/// `trust-list-certificate`: the certificate of `who` (`role`) in the list `name`.
pub fn trust_list_certificate(name: &str, who: &str, role: &str, what: Certificate<'_>) -> Finding {
    let msg = match what {
        Certificate::Unreadable(e) => {
            format!("the certificate of {who} ({role}) cannot be read: {e}")
        }
        Certificate::Expired(date) => {
            format!("the certificate of {who} ({role}) expired on {date}")
        }
        Certificate::NotYetValid(date) => {
            format!("the certificate of {who} ({role}) is valid only from {date}")
        }
    };
    Finding::new(
        Code::TrustListCertificate,
        Some(name),
        format!("{name}: {msg}"),
    )
}

/// What a list a root serves makes phones do (`trust-list`).
pub struct Served<'a> {
    /// The list.
    pub name: &'a str,
    /// Its signer.
    pub signer: Signer<'a>,
    /// Its signature's verdict (`verified`…).
    pub signature: &'a str,
    /// The subjects of its TFTP-role records, when it has some.
    pub tftp: Option<&'a str>,
    /// The subjects of its SAST records.
    pub sast: &'a str,
}

/// `trust-list`: a list the root serves, with its signer.
pub fn trust_list(t: &Served<'_>) -> Finding {
    let files = match t.tftp {
        Some(who) => format!("accept signed configuration files from {who}"),
        None => "trust no TFTP certificate (no signed configuration files)".into(),
    };
    Finding::new(
        Code::TrustList,
        Some(t.name),
        format!(
            "{}: signed by {} (serial {}), signature {}; phones that take it {files}, and accept later trust lists only from {}",
            t.name, t.signer.name, t.signer.serial, t.signature, t.sast
        ),
    )
}

/// `trust-list-signers`: the root's lists (name and signer) have `count`
/// different signers.
pub fn trust_list_signers(count: usize, lists: &[(&str, Signer<'_>)]) -> Finding {
    let parts: Vec<String> = lists
        .iter()
        .map(|(n, s)| format!("{n} by {} (serial {})", s.name, s.serial))
        .collect();
    Finding::new(
        Code::TrustListSigners,
        None,
        format!(
            "the root's trust lists have {count} different signers: {}; a phone that holds one may refuse the others",
            parts.join(", ")
        ),
    )
}

/// `signed-config-missing`: the list `list` gives `tftp` the TFTP role, so
/// the phone `mac` asks for `want`; the root may hold its unsigned file.
pub fn signed_config_missing(
    want: &str,
    list: &str,
    tftp: &str,
    mac: &str,
    unsigned_held: bool,
) -> Finding {
    let has = if unsigned_held {
        format!("the root has SEP{mac}.cnf.xml unsigned only")
    } else {
        "the root has no configuration file for it".into()
    };
    Finding::new(
        Code::SignedConfigMissing,
        Some(want),
        format!(
            "{want}: {list} gives {tftp} the TFTP role, so the phone {mac} asks for its signed configuration file; {has}: have the TFTP server sign it, or serve a list without a TFTP record"
        ),
    )
}

/// `trust-signer-changed`: `name` is signed by `signer`, which the list
/// `old_name` (signed by `old`) the last stage recorded does not hold.
pub fn trust_signer_changed(
    name: &str,
    signer: Signer<'_>,
    old_name: &str,
    old: Signer<'_>,
) -> Finding {
    Finding::new(
        Code::TrustSignerChanged,
        Some(name),
        format!(
            "{name} is signed by {} (serial {}), which is not a SAST certificate of the \
                {old_name} the last stage recorded (signed by {}, serial {}): phones that hold \
                that list refuse this one and every configuration file it signs; {ERASE_HINT}",
            signer.name, signer.serial, old.name, old.serial
        ),
    )
}
