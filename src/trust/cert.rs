//! Facts about a record's certificate, read with `x509-cert`: subject,
//! issuer, serial, validity, key and SHA-256 fingerprint.

use rsa::PublicKey;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;
use serde::Serialize;
use sha2::{Digest, Sha256};
use x509_cert::Certificate;
use x509_cert::der::{Decode, Encode};

use super::list::Record;

/// What a certificate says, as a phone's trust-list screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertFacts {
    /// Subject, RFC 4514.
    pub subject: String,
    /// Issuer, RFC 4514.
    pub issuer: String,
    /// Serial number, hex.
    pub serial: String,
    /// Valid from (Unix time).
    pub not_before: i64,
    /// Valid until (Unix time).
    pub not_after: i64,
    /// SHA-256 of the DER certificate, hex.
    pub sha256: String,
}

impl CertFacts {
    /// Where `now` (Unix time) falls against the validity.
    pub fn validity_at(&self, now: i64) -> Validity {
        if now < self.not_before {
            Validity::NotYetValid
        } else if now > self.not_after {
            Validity::Expired
        } else {
            Validity::Valid
        }
    }
}

/// A certificate's validity at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Validity {
    /// Within its dates.
    Valid,
    /// Past its end.
    Expired,
    /// Before its start.
    NotYetValid,
}

/// Reads a DER certificate; `Err` says why it cannot be read.
pub fn facts(der: &[u8]) -> Result<CertFacts, String> {
    let cert = Certificate::from_der(der).map_err(|e| e.to_string())?;
    let tbs = cert.tbs_certificate();
    let validity = tbs.validity();
    Ok(CertFacts {
        subject: tbs.subject().to_string(),
        issuer: tbs.issuer().to_string(),
        serial: super::hex(tbs.serial_number().as_bytes()),
        not_before: unix(validity.not_before.to_unix_duration()),
        not_after: unix(validity.not_after.to_unix_duration()),
        sha256: super::hex(&Sha256::digest(der)),
    })
}

fn unix(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

/// The RSA key of a record: its certificate's, else its own tag-7 key
/// (DER PKCS#1). `None` when neither is an RSA key that can be read.
pub fn rsa_key(r: &Record) -> Option<PublicKey> {
    if let Some(der) = &r.certificate
        && let Ok(cert) = Certificate::from_der(der)
        && let Ok(spki) = cert.tbs_certificate().subject_public_key_info().to_der()
        && let Ok(k) = PublicKey::from_public_key_der(&spki)
    {
        return Some(k);
    }
    r.public_key
        .as_deref()
        .and_then(|k| PublicKey::from_pkcs1_der(k).ok())
}

/// The size of an RSA key in bits.
pub fn key_bits(k: &PublicKey) -> usize {
    k.size() * 8
}
