//! The signature of a trust list: RSA PKCS#1 v1.5 with the header's digest
//! over the whole file with the tag-12 element cut out, verified with the
//! key of the SAST record whose serial equals the header's serial.

use rsa::{Pkcs1v15Sign, PublicKey};
use serde::Serialize;
use sha1::Sha1;
use sha2::{Digest, Sha512};

use super::cert;
use super::list::{Decoded, DigestKind, RecordRole};

/// What the signature check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The signature verifies with the signer's key.
    Verified,
    /// The signature does not match the bytes: altered, or signed by another key.
    Mismatch,
    /// No SAST record has the header's serial: nothing to verify with.
    NoSigner,
    /// The signer's record holds no RSA key loadsmith can read.
    BadKey,
    /// The header has no signature element.
    NoSignature,
    /// A digest or algorithm phones are not known to use.
    Unsupported,
}

impl Verdict {
    /// One phrase for people.
    pub fn describe(self) -> &'static str {
        match self {
            Verdict::Verified => "verified",
            Verdict::Mismatch => "does not verify (altered, or signed with another key)",
            Verdict::NoSigner => "cannot be checked: no SAST record has the signer's serial",
            Verdict::BadKey => "cannot be checked: the signer's record holds no readable RSA key",
            Verdict::NoSignature => "missing: the header has no signature",
            Verdict::Unsupported => "cannot be checked: a digest or algorithm phones do not use",
        }
    }
}

fn same_serial(a: &[u8], b: &[u8]) -> bool {
    let strip = |s: &[u8]| -> Vec<u8> { s.iter().copied().skip_while(|&x| x == 0).collect() };
    !a.is_empty() && strip(a) == strip(b)
}

/// The index of the record that signed the list: a SAST record whose
/// serial equals the header's.
pub fn signer_index(d: &Decoded) -> Option<usize> {
    d.records.iter().position(|r| {
        r.role() == Some(RecordRole::Sast) && same_serial(&r.serial, &d.header.signer_serial)
    })
}

/// Checks the signature of `data`, decoded as `d`.
pub fn verify(data: &[u8], d: &Decoded) -> Verdict {
    let Some(at) = d.header.signature_at.clone() else {
        return Verdict::NoSignature;
    };
    let Some(idx) = signer_index(d) else {
        return Verdict::NoSigner;
    };
    let Some(key) = cert::rsa_key(&d.records[idx]) else {
        return Verdict::BadKey;
    };
    if d.header.algorithm.is_some_and(|a| a != 0) {
        return Verdict::Unsupported;
    }
    let (Some(before), Some(after), Some(sig_element)) = (
        data.get(..at.start),
        data.get(at.end..),
        data.get(at.clone()),
    ) else {
        return Verdict::Mismatch;
    };
    let sig = sig_element.get(3..).unwrap_or_default();
    match d.header.digest_kind() {
        Some(DigestKind::Sha1) => {
            let h = Sha1::new()
                .chain_update(before)
                .chain_update(after)
                .finalize();
            check(&key, Pkcs1v15Sign::new::<Sha1>(), &h, sig)
        }
        Some(DigestKind::Sha512) => {
            let h = Sha512::new()
                .chain_update(before)
                .chain_update(after)
                .finalize();
            check(&key, Pkcs1v15Sign::new::<Sha512>(), &h, sig)
        }
        _ => Verdict::Unsupported,
    }
}

fn check(key: &PublicKey, scheme: Pkcs1v15Sign, hash: &[u8], sig: &[u8]) -> Verdict {
    match key.verify(scheme, hash, sig) {
        Ok(()) => Verdict::Verified,
        Err(_) => Verdict::Mismatch,
    }
}
