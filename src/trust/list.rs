//! The header and records of a trust list, decoded from its TLV framing.
//!
//! [`parse`] reads the whole file (bounded by [`super::MAX_SIZE`]): the
//! header (version first, header length second, then the signer, the
//! signature container, the signature, the file name, the timestamp and
//! padding; any other tag is an error), then the records to the end of the
//! file. The header length plus the records' lengths must equal the size.

use std::ops::Range;

use serde::Serialize;

use super::TrustError;
use super::tlv::{self, Cut, Element, Elements};

/// The digest a list is signed with (header tag 8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DigestKind {
    /// 1: SHA-1.
    Sha1,
    /// 3: SHA-512.
    Sha512,
    /// Any other number: not one phones are known to use.
    Other(u8),
}

impl DigestKind {
    fn from_byte(b: u8) -> DigestKind {
        match b {
            1 => DigestKind::Sha1,
            3 => DigestKind::Sha512,
            n => DigestKind::Other(n),
        }
    }

    /// How it is shown: `SHA-1`, `SHA-512`, `digest 7`.
    pub fn label(self) -> String {
        match self {
            DigestKind::Sha1 => "SHA-1".into(),
            DigestKind::Sha512 => "SHA-512".into(),
            DigestKind::Other(n) => format!("digest {n}"),
        }
    }
}

/// What a record's certificate is for (record tag 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordRole {
    /// 0: System Administrator Security Token: signs the list.
    Sast,
    /// 1: call manager.
    Ccm,
    /// 2: call manager and TFTP server.
    CcmTftp,
    /// 3: TFTP server (signs configuration files).
    Tftp,
    /// 4: certificate authority proxy function.
    Capf,
    /// 7: application server.
    AppServer,
    /// 21: trust verification service.
    Tvs,
    /// Any other number.
    Other(u16),
}

impl RecordRole {
    /// The role of a record's u16.
    pub fn from_u16(n: u16) -> RecordRole {
        match n {
            0 => RecordRole::Sast,
            1 => RecordRole::Ccm,
            2 => RecordRole::CcmTftp,
            3 => RecordRole::Tftp,
            4 => RecordRole::Capf,
            7 => RecordRole::AppServer,
            21 => RecordRole::Tvs,
            n => RecordRole::Other(n),
        }
    }

    /// The role's name as phones' screens show it.
    pub fn label(self) -> String {
        match self {
            RecordRole::Sast => "SAST".into(),
            RecordRole::Ccm => "CCM".into(),
            RecordRole::CcmTftp => "CCM+TFTP".into(),
            RecordRole::Tftp => "TFTP".into(),
            RecordRole::Capf => "CAPF".into(),
            RecordRole::AppServer => "application server".into(),
            RecordRole::Tvs => "TVS".into(),
            RecordRole::Other(n) => format!("role {n}"),
        }
    }

    /// True when phones will trust files this certificate signs as the
    /// TFTP server's (and so ask for signed configuration files).
    pub fn is_tftp(self) -> bool {
        matches!(self, RecordRole::Tftp | RecordRole::CcmTftp)
    }
}

impl Serialize for RecordRole {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.label())
    }
}

/// The header of a trust list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header {
    /// Format version (tag 1), major and minor.
    pub version: (u8, u8),
    /// Where the records start (tag 2).
    pub length: usize,
    /// Signer version (tag 28), when present.
    pub signer_version: Option<(u8, u8)>,
    /// The signer's name (tag 4).
    pub signer_name: String,
    /// The signer's issuer (tag 6).
    pub signer_issuer: String,
    /// The signer's serial number, raw bytes (tag 5).
    pub signer_serial: Vec<u8>,
    /// The digest byte (tag 8).
    pub digest: Option<u8>,
    /// The signature algorithm (tag 10; 0 = RSA PKCS#1 v1.5).
    pub algorithm: Option<u8>,
    /// The modulus size index (tag 11) into [64, 128, 256, 512] bytes.
    pub modulus_index: Option<u8>,
    /// Where the tag-12 element sits (tag, length and value).
    pub signature_at: Option<Range<usize>>,
    /// The file name the list carries (tag 14).
    pub file_name: Option<String>,
    /// When it was signed (tag 15), Unix time.
    pub timestamp: Option<u32>,
}

impl Header {
    /// The digest, when the header names one.
    pub fn digest_kind(&self) -> Option<DigestKind> {
        self.digest.map(DigestKind::from_byte)
    }

    /// The modulus size in bytes the header announces.
    pub fn key_bytes(&self) -> Option<usize> {
        [64, 128, 256, 512]
            .get(usize::from(self.modulus_index?))
            .copied()
    }
}

/// One record: a certificate with a role.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    /// Offset of the record in the file.
    pub offset: usize,
    /// Its length, including its 5-byte lead.
    pub length: usize,
    /// DNS name (tag 2).
    pub dns_name: Option<String>,
    /// Subject as the record states it (tag 3).
    pub subject: Option<String>,
    /// Role (tag 4).
    pub role: Option<u16>,
    /// Issuer as the record states it (tag 5).
    pub issuer: Option<String>,
    /// Serial number, raw bytes (tag 6).
    pub serial: Vec<u8>,
    /// Public key, DER PKCS#1 for RSA (tag 7).
    pub public_key: Option<Vec<u8>>,
    /// The DER certificate (tag 9).
    pub certificate: Option<Vec<u8>>,
    /// IP address (tag 10), as stored.
    pub ip: Option<Vec<u8>>,
}

impl Record {
    /// The record's role.
    pub fn role(&self) -> Option<RecordRole> {
        self.role.map(RecordRole::from_u16)
    }
}

/// A decoded trust list: header and records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decoded {
    /// The header.
    pub header: Header,
    /// The records, in file order.
    pub records: Vec<Record>,
}

fn cut(c: Cut) -> TrustError {
    TrustError::Cut {
        at: c.at,
        tag: c.tag,
        need: c.need,
        have: c.have,
    }
}

/// Decodes a whole trust list.
pub fn parse(data: &[u8]) -> Result<Decoded, TrustError> {
    if data.is_empty() {
        return Err(TrustError::Empty);
    }
    let mut it = Elements::new(data, 0);
    let version = match it.next() {
        Some(Ok(e)) if e.tag == 1 && e.value.len() == 2 => (e.value[0], e.value[1]),
        Some(Err(c)) => return Err(cut(c)),
        _ => return Err(TrustError::NotTrustList),
    };
    let (length, from) = match it.next() {
        Some(Ok(e)) if e.tag == 2 => (
            tlv::u16_value(e.value)
                .map(usize::from)
                .ok_or(TrustError::NotTrustList)?,
            e.end,
        ),
        Some(Err(c)) => return Err(cut(c)),
        _ => return Err(TrustError::NotTrustList),
    };
    let Some(head) = data.get(..length) else {
        return Err(TrustError::HeaderPastEnd {
            length,
            size: data.len(),
        });
    };
    if from > length {
        return Err(TrustError::Lengths {
            what: format!("the header length {length} ends inside the header's first two elements"),
        });
    }
    let mut header = Header {
        version,
        length,
        ..Header::default()
    };
    for e in Elements::new(&head[from..], from) {
        header_element(&mut header, e.map_err(|c| in_header(c, length))?)?;
    }
    let records = parse_records(data, length)?;
    Ok(Decoded { header, records })
}

/// An element cut at the header's end: the header length is wrong, or the
/// file is cut inside its header.
fn in_header(c: Cut, length: usize) -> TrustError {
    TrustError::Lengths {
        what: format!(
            "the element with tag {} at byte {} runs past the header length {length}",
            c.tag, c.at
        ),
    }
}

fn header_element(h: &mut Header, e: Element<'_>) -> Result<(), TrustError> {
    match e.tag {
        tlv::PADDING => {}
        28 => h.signer_version = two(e).map(Some)?,
        3 => {
            for f in Elements::new(e.value, e.start + 3) {
                let f = f.map_err(|c| nested(c, e))?;
                match f.tag {
                    4 => h.signer_name = tlv::text_value(f.value),
                    6 => h.signer_issuer = tlv::text_value(f.value),
                    5 => h.signer_serial = f.value.to_vec(),
                    _ => return Err(unknown(f)),
                }
            }
        }
        7 => signature_container(h, e)?,
        12 => h.signature_at = Some(e.start..e.end),
        14 => h.file_name = Some(tlv::text_value(e.value)),
        15 => {
            h.timestamp = Some(tlv::u32_value(e.value).ok_or_else(|| bad_size(e, 4))?);
        }
        _ => return Err(unknown(e)),
    }
    Ok(())
}

fn signature_container(h: &mut Header, e: Element<'_>) -> Result<(), TrustError> {
    for f in Elements::new(e.value, e.start + 3) {
        let f = f.map_err(|c| nested(c, e))?;
        match f.tag {
            8 => h.digest = Some(one(f)?),
            9 => {
                for g in Elements::new(f.value, f.start + 3) {
                    let g = g.map_err(|c| nested(c, f))?;
                    match g.tag {
                        10 => h.algorithm = Some(one(g)?),
                        11 => h.modulus_index = Some(one(g)?),
                        _ => return Err(unknown(g)),
                    }
                }
            }
            _ => return Err(unknown(f)),
        }
    }
    Ok(())
}

fn one(e: Element<'_>) -> Result<u8, TrustError> {
    match e.value {
        [b] => Ok(*b),
        _ => Err(bad_size(e, 1)),
    }
}

fn two(e: Element<'_>) -> Result<(u8, u8), TrustError> {
    match e.value {
        [a, b] => Ok((*a, *b)),
        _ => Err(bad_size(e, 2)),
    }
}

fn bad_size(e: Element<'_>, want: usize) -> TrustError {
    TrustError::Lengths {
        what: format!(
            "the element with tag {} at byte {} holds {} bytes, not {want}",
            e.tag,
            e.start,
            e.value.len()
        ),
    }
}

fn unknown(e: Element<'_>) -> TrustError {
    TrustError::UnknownTag {
        tag: e.tag,
        at: e.start,
    }
}

fn nested(c: Cut, outer: Element<'_>) -> TrustError {
    TrustError::Lengths {
        what: format!(
            "the element with tag {} at byte {} runs past the end of its container (tag {} at byte {})",
            c.tag, c.at, outer.tag, outer.start
        ),
    }
}

/// The records from `start` to the end of the file.
fn parse_records(data: &[u8], start: usize) -> Result<Vec<Record>, TrustError> {
    let mut records = Vec::new();
    let mut pos = start;
    while pos < data.len() {
        let rest = &data[pos..];
        let lead = rest.get(..5).ok_or(TrustError::Cut {
            at: pos,
            tag: 1,
            need: 5,
            have: rest.len(),
        })?;
        if lead[..3] != [1, 0, 2] {
            return Err(TrustError::Lengths {
                what: format!(
                    "no record starts at byte {pos} (the header length and the records' lengths do not add up)"
                ),
            });
        }
        let length = usize::from(u16::from_be_bytes([lead[3], lead[4]]));
        if length < 5 {
            return Err(TrustError::Lengths {
                what: format!("the record at byte {pos} says it is {length} bytes long"),
            });
        }
        let body = rest.get(5..length).ok_or(TrustError::Cut {
            at: pos,
            tag: 1,
            need: length,
            have: rest.len(),
        })?;
        records.push(record(body, pos, length)?);
        pos += length;
    }
    Ok(records)
}

fn record(body: &[u8], offset: usize, length: usize) -> Result<Record, TrustError> {
    let mut r = Record {
        offset,
        length,
        ..Record::default()
    };
    for f in Elements::new(body, offset + 5) {
        let f = f.map_err(|c| TrustError::Lengths {
            what: format!(
                "the field with tag {} at byte {} runs past the end of its record (byte {offset}, {length} bytes)",
                c.tag, c.at
            ),
        })?;
        match f.tag {
            2 => r.dns_name = Some(tlv::text_value(f.value)),
            3 => r.subject = Some(tlv::text_value(f.value)),
            4 => r.role = Some(tlv::u16_value(f.value).ok_or_else(|| bad_size(f, 2))?),
            5 => r.issuer = Some(tlv::text_value(f.value)),
            6 => r.serial = f.value.to_vec(),
            7 => r.public_key = Some(f.value.to_vec()),
            9 => r.certificate = Some(f.value.to_vec()),
            10 => r.ip = Some(f.value.to_vec()),
            // 8 (the certificate's own signature), 11 and 12 (a hash of the
            // certificate and its algorithm), padding and tags a later
            // version adds: nothing checked here reads them.
            _ => {}
        }
    }
    Ok(r)
}
