//! The signed header in front of a `.cop.sgn`'s gzip tar: decoded like a
//! member's (signer, serial, hash, the name it was signed as). A name that
//! is not the bundle's file name (nor the `.cop` it signs) is an
//! `embedded-name-mismatch`, as for members: the file was renamed after it
//! was signed.

use std::io::{self, Read};
use std::path::Path;

use crate::findings::{self, Finding, SignedAs};
use crate::signed::header::{self, SignedHeader};

/// Reads the head of `path` (at most [`super::SNIFF`] bytes) and decodes
/// its signed header; `None` when it has none loadsmith decodes.
pub fn read(path: &Path) -> io::Result<Option<SignedHeader>> {
    let mut head = Vec::new();
    crate::files::open_input(path)
        .map_err(|e| e.into_io())?
        .take(super::SNIFF as u64)
        .read_to_end(&mut head)?;
    Ok(header::parse(&head).ok())
}

/// The finding for a header signed under another name than `base`.
pub fn name_finding(base: &str, h: &SignedHeader) -> Option<Finding> {
    let e = h.embedded_name.as_deref()?;
    let cop = base.strip_suffix(".sgn").unwrap_or(base);
    if e == base || e == cop {
        return None;
    }
    let embedded = e;
    Some(findings::embedded_name_mismatch(SignedAs::Bundle {
        base,
        embedded,
    }))
}
