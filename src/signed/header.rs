//! The signed-file header of `.sbn`, `.sb2`, `.loads` and `.cop.sgn` files.
//!
//! A signed file is `header || body`. The header is a sequence of elements
//! `tag:u8 len:u16be value[len]`, with `0x0D` as a one-byte pad; tags `03`,
//! `07` and `09` are containers. Tag `02` holds the header length (= the body
//! offset), tag `0E` the file name the vendor signed. See `formats.md` §1.
//!
//! [`parse`] works on the first bytes of a file (the caller's bounded head),
//! never reads past them, and never panics: lengths that point past the end,
//! containers nested past [`MAX_DEPTH`], or a header length the elements do
//! not fit are [`HeaderError`]s.

use serde::Serialize;

/// Deepest container nesting accepted (real files nest two deep).
pub const MAX_DEPTH: usize = 4;

/// A decoded signed header.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SignedHeader {
    /// Header version (tag 01), as `major.minor`.
    pub version: String,
    /// Header length = offset of the body (tag 02).
    pub header_len: u32,
    /// Signer name (tag 04).
    pub signer: Option<String>,
    /// Serial number (tag 05), hex.
    pub serial: Option<String>,
    /// CA name (tag 06).
    pub ca: Option<String>,
    /// Hash algorithm (tag 08): `sha1`, `sha512`, or `unknown(N)`.
    pub hash: Option<String>,
    /// Signature length in bytes (tag 0C).
    pub signature_len: Option<u16>,
    /// The file name inside the signed header (tag 0E).
    pub embedded_name: Option<String>,
}

/// Why a header could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    /// The bytes do not start like a 79xx signed header (tag 01, length 2).
    #[error("not a 79xx signed header")]
    NotSigned,
    /// The file is a signed format loadsmith does not decode (e.g. 78xx `CD 34 12 AB`).
    #[error("a signed format loadsmith does not decode (starts {0})")]
    UnknownFormat(String),
    /// An element's length points past the end of the header or the data read.
    #[error("element {tag:02X} at offset {offset:#x} has length {len}, past the end ({end:#x})")]
    PastEnd {
        /// Tag of the element.
        tag: u8,
        /// Offset of the element.
        offset: usize,
        /// Its length field.
        len: usize,
        /// The end it runs past.
        end: usize,
    },
    /// Containers nested deeper than [`MAX_DEPTH`].
    #[error("containers nested deeper than {MAX_DEPTH}")]
    TooDeep,
    /// No header length (tag 02), or one smaller than the elements before it.
    #[error("header length missing or inconsistent")]
    BadLength,
}

/// Decodes the header at the start of `head`. `head` may be a prefix of the
/// file; if the header is longer than `head`, that is [`HeaderError::PastEnd`].
pub fn parse(head: &[u8]) -> Result<SignedHeader, HeaderError> {
    if head.starts_with(&[0xCD, 0x34, 0x12, 0xAB]) {
        return Err(HeaderError::UnknownFormat("CD 34 12 AB".into()));
    }
    if !head.starts_with(&[0x01, 0x00, 0x02]) {
        return Err(HeaderError::NotSigned);
    }
    // Tag 02 must come second: it gives the end of the element list.
    let header_len = match head.get(5..10) {
        Some([0x02, 0x00, 0x02, hi, lo]) => u16::from_be_bytes([*hi, *lo]) as usize,
        _ => return Err(HeaderError::BadLength),
    };
    if header_len < 10 {
        return Err(HeaderError::BadLength);
    }
    if header_len > head.len() {
        return Err(HeaderError::PastEnd {
            tag: 0x02,
            offset: 5,
            len: header_len,
            end: head.len(),
        });
    }
    let mut out = SignedHeader {
        version: match head.get(3..5) {
            Some([a, b]) => format!("{a}.{b}"),
            _ => return Err(HeaderError::BadLength),
        },
        header_len: header_len as u32,
        signer: None,
        serial: None,
        ca: None,
        hash: None,
        signature_len: None,
        embedded_name: None,
    };
    walk(head, 10, header_len, 0, &mut out)?;
    Ok(out)
}

fn walk(
    b: &[u8],
    mut at: usize,
    end: usize,
    depth: usize,
    out: &mut SignedHeader,
) -> Result<(), HeaderError> {
    if depth > MAX_DEPTH {
        return Err(HeaderError::TooDeep);
    }
    while at < end {
        let tag = b[at];
        if tag == 0x0D {
            at += 1;
            continue;
        }
        let len = match b.get(at + 1..at + 3) {
            Some([hi, lo]) => u16::from_be_bytes([*hi, *lo]) as usize,
            _ => {
                return Err(HeaderError::PastEnd {
                    tag,
                    offset: at,
                    len: 0,
                    end,
                });
            }
        };
        let start = at + 3;
        let stop = start + len;
        if stop > end {
            return Err(HeaderError::PastEnd {
                tag,
                offset: at,
                len,
                end,
            });
        }
        let value = &b[start..stop];
        match tag {
            0x03 | 0x07 | 0x09 => walk(b, start, stop, depth + 1, out)?,
            0x04 => out.signer = Some(c_string(value)),
            0x05 => out.serial = Some(value.iter().map(|x| format!("{x:02x}")).collect()),
            0x06 => out.ca = Some(c_string(value)),
            0x08 => {
                out.hash = value.first().map(|h| match h {
                    1 => "sha1".to_string(),
                    2 => "sha512".to_string(),
                    n => format!("unknown({n})"),
                })
            }
            0x0C => out.signature_len = Some(len as u16),
            0x0E => out.embedded_name = Some(c_string(value)),
            _ => {}
        }
        at = stop;
    }
    Ok(())
}

fn c_string(v: &[u8]) -> String {
    let end = v.iter().position(|&c| c == 0).unwrap_or(v.len());
    String::from_utf8_lossy(&v[..end]).into_owned()
}

/// Builds a header like the vendor's, for tests and fixtures: the same
/// element layout, a dummy 256-byte signature, and `name` in tag 0E.
pub fn build(name: &str) -> Vec<u8> {
    let mut signer = Vec::new();
    push(
        &mut signer,
        0x04,
        b"CN=someSigner;OU=someOrgUnit;O=someOrg\0",
    );
    push(
        &mut signer,
        0x05,
        &[0x12, 0x34, 0x56, 0x78, 0x90, 0xAB, 0xCD, 0xEF],
    );
    push(&mut signer, 0x06, b"CN=someCA;OU=someOrgUnit;O=someOrg\0");
    let mut alg = Vec::new();
    push(&mut alg, 0x0A, &[0]);
    push(&mut alg, 0x0B, &[2]);
    let mut sig = Vec::new();
    push(&mut sig, 0x08, &[1]);
    push(&mut sig, 0x09, &alg);
    let mut body = Vec::new();
    push(&mut body, 0x03, &signer);
    push(&mut body, 0x07, &sig);
    push(&mut body, 0x0C, &[0x5A; 256]);
    let mut n = name.as_bytes().to_vec();
    n.push(0);
    push(&mut body, 0x0E, &n);
    let unpadded = 10 + body.len();
    let total = unpadded.div_ceil(4) * 4;
    let mut out = vec![0x01, 0x00, 0x02, 0x01, 0x01, 0x02, 0x00, 0x02];
    out.extend_from_slice(&(total as u16).to_be_bytes());
    out.extend_from_slice(&body);
    out.resize(total, 0x0D);
    out
}

fn push(out: &mut Vec<u8>, tag: u8, value: &[u8]) {
    out.push(tag);
    out.extend_from_slice(&(value.len() as u16).to_be_bytes());
    out.extend_from_slice(value);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_header_decodes_like_the_real_layout() {
        let h = build("P0S3-8-12-00.loads");
        assert_eq!(h.len(), 0x194, "same length as the vendor's for this name");
        let d = parse(&h).unwrap();
        assert_eq!(d.header_len, 0x194);
        assert_eq!(d.embedded_name.as_deref(), Some("P0S3-8-12-00.loads"));
        assert_eq!(d.hash.as_deref(), Some("sha1"));
        assert_eq!(
            d.signer.as_deref(),
            Some("CN=someSigner;OU=someOrgUnit;O=someOrg")
        );
        assert_eq!(d.signature_len, Some(256));
    }

    #[test]
    fn real_files_decode() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/realworld");
        let Ok(bytes) = std::fs::read(dir.join("sip-7940-7960-8.12/P0S3-8-12-00.loads")) else {
            eprintln!("skipped: ../shared/realworld is absent");
            return;
        };
        let d = parse(&bytes).unwrap();
        assert_eq!(d.header_len, 0x194);
        assert_eq!(d.embedded_name.as_deref(), Some("P0S3-8-12-00.loads"));
        assert_eq!(build("P0S3-8-12-00.loads")[..0x7D], bytes[..0x7D]);
    }

    #[test]
    fn hostile_headers_are_errors_not_panics() {
        assert_eq!(parse(b""), Err(HeaderError::NotSigned));
        assert!(matches!(
            parse(&[0xCD, 0x34, 0x12, 0xAB]),
            Err(HeaderError::UnknownFormat(_))
        ));
        // Header length past the data.
        let mut h = build("x.sbn");
        h[8] = 0xFF;
        assert!(matches!(parse(&h), Err(HeaderError::PastEnd { .. })));
        // An element whose length runs past the header.
        let mut h = build("x.sbn");
        h[11] = 0xFF;
        assert!(matches!(parse(&h), Err(HeaderError::PastEnd { .. })));
        // Containers that never end.
        let mut deep = vec![0x01, 0x00, 0x02, 0x01, 0x01, 0x02, 0x00, 0x02, 0x00, 0x00];
        let n = 40usize;
        for i in 0..n {
            let remaining = (n - i - 1) * 3;
            deep.extend_from_slice(&[0x03, 0x00, remaining as u8]);
        }
        let total = deep.len() as u16;
        deep[8..10].copy_from_slice(&total.to_be_bytes());
        assert_eq!(parse(&deep), Err(HeaderError::TooDeep));
    }

    proptest::proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
            let _ = parse(&bytes);
            let mut h = vec![0x01, 0x00, 0x02, 0x01, 0x01];
            h.extend_from_slice(&bytes);
            let _ = parse(&h);
        }
    }
}
