//! The body of a `.loads` file: the list of files a load consists of.
//!
//! 7940/7960 bodies (LF): the loader `.sbn`, the application `.sb2`, then
//! `LA_VERSION=…`. 79x1-family bodies (CRLF): `#` comments, blank lines, then
//! one component `.sbn` per line, some with a trailing space. See
//! `formats.md` §2–3. Completeness is judged from this list, never from names.

use serde::Serialize;

/// Most lines a `.loads` body may have; real ones have fewer than twenty.
pub const MAX_LINES: usize = 4096;

/// A parsed `.loads` body.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LoadsBody {
    /// The files listed, in order, trimmed of surrounding white space.
    pub files: Vec<String>,
    /// `LA_VERSION` (7940/7960 loader version), if present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub la_version: Option<String>,
    /// The component release from the `# RELEASE load version` comment (79x1 family).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    /// `lf` or `crlf`.
    pub line_ending: &'static str,
}

/// Why a body could not be read as a list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadsError {
    /// More lines than [`MAX_LINES`].
    #[error("more than {MAX_LINES} lines; a real .loads lists a handful of files")]
    TooLong,
    /// Bytes that are not text.
    #[error("the list is not text (byte {0:#04x} at offset {1})")]
    NotText(u8, usize),
}

/// Parses a `.loads` body.
pub fn parse(body: &[u8]) -> Result<LoadsBody, LoadsError> {
    if let Some(pos) = body
        .iter()
        .position(|&b| b == 0 || (b < 0x20 && !matches!(b, b'\r' | b'\n' | b'\t')))
    {
        return Err(LoadsError::NotText(body[pos], pos));
    }
    let text = String::from_utf8_lossy(body);
    let crlf = text.contains("\r\n");
    let mut out = LoadsBody {
        files: Vec::new(),
        la_version: None,
        release: None,
        line_ending: if crlf { "crlf" } else { "lf" },
    };
    for (n, line) in text.lines().enumerate() {
        if n >= MAX_LINES {
            return Err(LoadsError::TooLong);
        }
        let line = line.trim();
        if let Some(comment) = line.strip_prefix('#') {
            if let Some(rel) = comment.trim().strip_prefix("RELEASE load version") {
                out.release = Some(rel.trim().to_string());
            }
            continue;
        }
        if line.is_empty() {
            continue;
        }
        if let Some((key, value)) = line.split_once('=') {
            if key.trim() == "LA_VERSION" {
                out.la_version = Some(value.trim().to_string());
            }
            continue;
        }
        out.files.push(line.to_string());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_body() {
        let b = parse(b"P003-8-12-00.sbn\nP0S3-8-12-00.sb2\nLA_VERSION=PAS30830\n").unwrap();
        assert_eq!(b.files, ["P003-8-12-00.sbn", "P0S3-8-12-00.sb2"]);
        assert_eq!(b.la_version.as_deref(), Some("PAS30830"));
        assert_eq!(b.line_ending, "lf");
    }

    #[test]
    fn family_body_with_trailing_spaces() {
        let b = parse(b"#\r\n# This file contains a list of archive image files that will be requested by the\r\n# RELEASE load version 8-5-4TH1-6\r\n#\r\n\r\njar41sip.8-5-4TH1-6.sbn\r\ndsp41.8-5-4TH1-6.sbn \r\n").unwrap();
        assert_eq!(b.files, ["jar41sip.8-5-4TH1-6.sbn", "dsp41.8-5-4TH1-6.sbn"]);
        assert_eq!(b.release.as_deref(), Some("8-5-4TH1-6"));
        assert_eq!(b.line_ending, "crlf");
    }

    #[test]
    fn hostile_bodies() {
        let long = "a.sbn\n".repeat(MAX_LINES + 1);
        assert_eq!(parse(long.as_bytes()), Err(LoadsError::TooLong));
        assert!(matches!(parse(b"a\0b"), Err(LoadsError::NotText(0, 1))));
    }
}
