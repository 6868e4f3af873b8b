//! What `stage` records of a trust list in the manifest ([`Recorded`]): its
//! signer and the SAST certificates phones that hold it accept a new list
//! from.

use rsa::pkcs1::EncodeRsaPublicKey;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::list::Record;
use super::{TrustList, cert, hex};

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
