//! Trust lists: the CTL and ITL files (`CTLFile.tlv`, `ITLFile.tlv`,
//! `CTLSEP<MAC>.tlv`, `ITLSEP<MAC>.tlv`) a phone holds to decide whom it
//! trusts to sign its configuration files and later trust lists.
//!
//! - [`tlv`]: the TLV framing, bounded, never past the end of its bytes;
//! - [`list`]: the header and records decoded from it ([`list::parse`]);
//! - [`verify`]: the signature, checked with the signer's SAST record;
//! - [`cert`]: what each record's certificate says (read with `x509-cert`);
//! - [`findings`]: the findings a list raises on its own;
//! - [`record`]: what the manifest records of a list (its signer and SAST
//!   certificates); the lists of a root are `check`'s (`check::trust`) and
//!   `stage`'s (`stage::trust`).
//!
//! [`analyse`] gives the whole [`TrustList`] report `inspect` and `check`
//! show; [`trusted_by`] says whether phones that hold one list accept
//! another. A list is read whole: at most [`MAX_SIZE`] bytes.

pub mod cert;
pub mod findings;
pub mod list;
pub mod record;
pub mod tlv;
pub mod verify;

use md5::Md5;
use serde::Serialize;
use sha1::Sha1;
use sha2::Digest;

use list::{Decoded, RecordRole};
pub use verify::Verdict;

/// The largest trust list loadsmith reads: 64 KiB (real ones are ten to
/// twenty KiB; every list is read whole into memory).
pub const MAX_SIZE: u64 = 64 * 1024;

/// Why a trust list cannot be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrustError {
    /// A file of no bytes: phones go on in nonsecure mode.
    #[error("it is empty")]
    Empty,
    /// It does not start with a version and a header length.
    #[error("it is not a trust list (no version and header length at its start)")]
    NotTrustList,
    /// The file ends inside an element or a record.
    #[error(
        "it is cut: the element with tag {tag} at byte {at} needs {need} bytes, {have} are left"
    )]
    Cut {
        /// Offset of the element.
        at: usize,
        /// Its tag.
        tag: u8,
        /// Bytes it needs.
        need: usize,
        /// Bytes left.
        have: usize,
    },
    /// The header length is past the end of the file.
    #[error("it is cut: its header length is {length} bytes, the file is {size}")]
    HeaderPastEnd {
        /// The header length.
        length: usize,
        /// The file size.
        size: usize,
    },
    /// The lengths do not add up.
    #[error("its lengths do not add up: {what}")]
    Lengths {
        /// Which length, where.
        what: String,
    },
    /// A tag the format does not have.
    #[error("it has an unknown header tag {tag} at byte {at}")]
    UnknownTag {
        /// The tag.
        tag: u8,
        /// Its offset.
        at: usize,
    },
}

impl TrustError {
    /// True when the file is cut (shorter than its own lengths say).
    pub fn is_cut(&self) -> bool {
        matches!(
            self,
            TrustError::Cut { .. } | TrustError::HeaderPastEnd { .. }
        )
    }
}

/// Lower-case hex.
pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The signer a header names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Signer {
    /// Its name (tag 4).
    pub name: String,
    /// Its issuer (tag 6).
    pub issuer: String,
    /// Its serial, hex (tag 5).
    pub serial: String,
}

/// One record as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordReport {
    /// Role.
    pub role: Option<RecordRole>,
    /// DNS name, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns_name: Option<String>,
    /// Subject: the certificate's, else the record's.
    pub subject: Option<String>,
    /// Issuer: the certificate's, else the record's.
    pub issuer: Option<String>,
    /// Serial, hex (the record's).
    pub serial: String,
    /// RSA key size in bits.
    pub key_bits: Option<usize>,
    /// The certificate, when it can be read.
    pub certificate: Option<cert::CertFacts>,
    /// Its validity now.
    pub validity: Option<cert::Validity>,
    /// Why the certificate cannot be read, when it cannot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_error: Option<String>,
}

/// A decoded trust list with its verdict: what `inspect` shows.
#[derive(Debug, Clone, Serialize)]
pub struct TrustList {
    /// Format version, `1.2`.
    pub version: String,
    /// Size in bytes.
    pub size: usize,
    /// Header length.
    pub header_length: usize,
    /// The signer the header names.
    pub signer: Signer,
    /// Signer version (`1.0`, `1.1`).
    pub signer_version: Option<String>,
    /// `SHA-1`, `SHA-512`.
    pub digest: Option<String>,
    /// Key size the header announces, bits.
    pub key_bits: Option<usize>,
    /// File name carried inside (`ITLFile.tlv` in every `ITLSEP<MAC>.tlv`).
    pub file_name: Option<String>,
    /// Signing time, Unix.
    pub timestamp: Option<u32>,
    /// The signature's verdict.
    pub signature: Verdict,
    /// Index of the signer's record.
    pub signer_record: Option<usize>,
    /// The records.
    pub records: Vec<RecordReport>,
    /// MD5 of the file, hex (a phone's trust-list screen shows it).
    pub md5: String,
    /// SHA-1 of the file, hex.
    pub sha1: String,
    #[serde(skip)]
    decoded: Decoded,
}

impl TrustList {
    /// The decoded header and records.
    pub fn decoded(&self) -> &Decoded {
        &self.decoded
    }

    /// The signer's record, when the list has one.
    pub fn signer_record(&self) -> Option<&list::Record> {
        self.signer_record.and_then(|i| self.decoded.records.get(i))
    }

    /// Roles of TFTP servers: phones holding this list ask for signed
    /// configuration files.
    pub fn has_tftp_role(&self) -> bool {
        self.decoded
            .records
            .iter()
            .any(|r| r.role().is_some_and(RecordRole::is_tftp))
    }

    /// The SAST records' certificates (DER) or keys: what a phone holding
    /// this list accepts a new list from.
    pub fn sast_records(&self) -> impl Iterator<Item = &list::Record> {
        self.decoded
            .records
            .iter()
            .filter(|r| r.role() == Some(RecordRole::Sast))
    }
}

/// Decodes and verifies a trust list; `now` (Unix time) judges validity.
pub fn analyse(data: &[u8], now: i64) -> Result<TrustList, TrustError> {
    let decoded = list::parse(data)?;
    let signature = verify::verify(data, &decoded);
    let h = &decoded.header;
    let records = decoded.records.iter().map(|r| record(r, now)).collect();
    Ok(TrustList {
        version: format!("{}.{}", h.version.0, h.version.1),
        size: data.len(),
        header_length: h.length,
        signer: Signer {
            name: h.signer_name.clone(),
            issuer: h.signer_issuer.clone(),
            serial: hex(&h.signer_serial),
        },
        signer_version: h.signer_version.map(|(a, b)| format!("{a}.{b}")),
        digest: h.digest_kind().map(list::DigestKind::label),
        key_bits: h.key_bytes().map(|b| b * 8),
        file_name: h.file_name.clone(),
        timestamp: h.timestamp,
        signature,
        signer_record: verify::signer_index(&decoded),
        records,
        md5: hex(&Md5::digest(data)),
        sha1: hex(&Sha1::digest(data)),
        decoded,
    })
}

fn record(r: &list::Record, now: i64) -> RecordReport {
    let facts = r.certificate.as_deref().map(cert::facts);
    let (certificate, certificate_error) = match facts {
        Some(Ok(f)) => (Some(f), None),
        Some(Err(e)) => (None, Some(e)),
        None => (None, None),
    };
    RecordReport {
        role: r.role(),
        dns_name: r.dns_name.clone().filter(|s| !s.is_empty()),
        subject: certificate
            .as_ref()
            .map(|c| c.subject.clone())
            .or_else(|| r.subject.clone()),
        issuer: certificate
            .as_ref()
            .map(|c| c.issuer.clone())
            .or_else(|| r.issuer.clone()),
        serial: hex(&r.serial),
        key_bits: cert::rsa_key(r).as_ref().map(cert::key_bits),
        validity: certificate.as_ref().map(|c| c.validity_at(now)),
        certificate,
        certificate_error,
    }
}

/// Whether phones that hold `old` accept `new`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "kebab-case")]
pub enum Trust {
    /// `new` verifies, and its signer is a SAST of `old`.
    Accepted,
    /// `new` does not verify at all.
    NotVerified,
    /// `new`'s signer is not a SAST of `old`.
    OtherSigner,
}

/// Whether phones that hold `old` accept `new`: `new` must verify, and
/// its signer must be a SAST record of `old` with the same certificate
/// (or, without certificates, the same key).
pub fn trusted_by(new: &TrustList, old: &TrustList) -> Trust {
    if new.signature != Verdict::Verified {
        return Trust::NotVerified;
    }
    let Some(signer) = new.signer_record() else {
        return Trust::NotVerified;
    };
    let key = cert::rsa_key(signer);
    let same = |r: &list::Record| match (&signer.certificate, &r.certificate) {
        (Some(a), Some(b)) => a == b,
        _ => key.is_some() && key == cert::rsa_key(r),
    };
    if old.sast_records().any(same) {
        Trust::Accepted
    } else {
        Trust::OtherSigner
    }
}

/// What a phone's requests for signed configuration files
/// (`SEP<MAC>.cnf.xml.sgn`) say: it holds a trust list. `None` when it
/// asked for none.
pub fn holds_list<'a>(files: impl Iterator<Item = &'a str>) -> Option<String> {
    let mut asked = files.filter(|f| f.ends_with(".cnf.xml.sgn"));
    let first = asked.next()?;
    Some(format!(
        "it holds a trust list (CTL or ITL): it asked for {first}, a signed configuration file, and accepts only configuration files signed by a certificate in that list"
    ))
}

/// Seconds since the Unix epoch now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests;
