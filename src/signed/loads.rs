//! The body of a `.loads` file: the list of files a load consists of.
//!
//! 7940/7960 bodies (LF): the loader `.sbn`, the application `.sb2`, then
//! `LA_VERSION=…`. 79x1-family bodies (CRLF): `#` comments, blank lines, then
//! one component `.sbn` per line, some with a trailing space. 69xx bodies
//! may lack the final newline. 7921/7925/7926 bodies list `NAME SIZE MD5`
//! per component, `#+` lines optional files in the same columns, `#?`
//! lines hardware facts. See `formats.md` §2, §3 and §5. Completeness is
//! judged from this list, never from names.
//!
//! Every name a list yields, whatever its line (required, `#+` optional,
//! with or without columns) and whatever the family, passes one gate here,
//! [`LoadsBody::add`]: a name that is not firmware
//! ([`crate::names::is_firmware_file`]) never reaches `files`, `optional`
//! or `expect`, only `not_firmware`, which the set checks report as
//! `not-firmware-in-set`.

use serde::Serialize;

/// Most lines a `.loads` body may have; real ones have fewer than twenty.
pub const MAX_LINES: usize = 4096;

/// A parsed `.loads` body.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LoadsBody {
    /// The files listed, in order, trimmed of surrounding white space.
    pub files: Vec<String>,
    /// Optional files (`#+` lines of the wireless lists): phones take them when present.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub optional: Vec<String>,
    /// The size and MD5 the list gives for a file (wireless lists), by name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub expect: Vec<Expected>,
    /// Names the list gives (on any line) that are not firmware files: no
    /// part of any set, and an error of the list.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_firmware: Vec<String>,
    /// `LA_VERSION` (7940/7960 loader version), if present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub la_version: Option<String>,
    /// The component release from the `# RELEASE load version` comment (79x1 family).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    /// `lf` or `crlf`.
    pub line_ending: &'static str,
}

/// What a wireless list says of one of its files.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Expected {
    /// The file.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its MD5, lower-case hex.
    pub md5: String,
}

impl LoadsBody {
    /// The one way a name gets out of a list: firmware goes to `files` (or
    /// `optional`) with what the list says of it; anything else to
    /// `not_firmware` only.
    fn add(&mut self, name: &str, optional: bool, expect: Option<Expected>) {
        if !crate::names::is_firmware_file(name) {
            if !self.not_firmware.iter().any(|n| n == name) {
                self.not_firmware.push(name.to_string());
            }
            return;
        }
        if optional {
            self.optional.push(name.to_string());
        } else {
            self.files.push(name.to_string());
        }
        self.expect.extend(expect);
    }
}

/// `NAME SIZE MD5` → the three columns, when the line has exactly them.
fn columns(line: &str) -> Option<Expected> {
    let mut it = line.split_whitespace();
    let (name, size, md5) = (it.next()?, it.next()?, it.next()?);
    let md5_ok = md5.len() == 32 && md5.bytes().all(|b| b.is_ascii_hexdigit());
    (it.next().is_none() && md5_ok).then_some(())?;
    Some(Expected {
        name: name.to_string(),
        size: size.parse().ok()?,
        md5: md5.to_ascii_lowercase(),
    })
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
        optional: Vec::new(),
        expect: Vec::new(),
        not_firmware: Vec::new(),
        la_version: None,
        release: None,
        line_ending: if crlf { "crlf" } else { "lf" },
    };
    for (n, line) in text.lines().enumerate() {
        if n >= MAX_LINES {
            return Err(LoadsError::TooLong);
        }
        let line = line.trim();
        if let Some(optional) = line.strip_prefix("#+") {
            if let Some(e) = columns(optional) {
                out.add(&e.name.clone(), true, Some(e));
            }
            continue;
        }
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
        match columns(line) {
            Some(e) => out.add(&e.name.clone(), false, Some(e)),
            None => out.add(line, false, None),
        }
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
        let b = parse(
            b"#\r\n# This file contains a list of archive image files that will be requested by the\r\n\
              # RELEASE load version 8-5-4TH1-6\r\n#\r\n\r\n\
              jar41sip.8-5-4TH1-6.sbn\r\ndsp41.8-5-4TH1-6.sbn \r\n",
        )
        .unwrap();
        assert_eq!(b.files, ["jar41sip.8-5-4TH1-6.sbn", "dsp41.8-5-4TH1-6.sbn"]);
        assert_eq!(b.release.as_deref(), Some("8-5-4TH1-6"));
        assert_eq!(b.line_ending, "crlf");
    }

    #[test]
    fn wireless_body_with_sizes_and_digests() {
        let b = parse(b"# comment\n#? HW_REV 1\nAPPS-1.4.6.3.SBN                     2633404 5F64DD6B81764B05D0F136E0ED1D74F9\n#+ EXTRA-1.SBN 10 00000000000000000000000000000000\n").unwrap();
        assert_eq!(b.files, ["APPS-1.4.6.3.SBN"]);
        assert_eq!(b.optional, ["EXTRA-1.SBN"]);
        assert_eq!(b.expect[0].size, 2633404);
        assert_eq!(b.expect[0].md5, "5f64dd6b81764b05d0f136e0ed1d74f9");
    }

    #[test]
    fn no_line_of_any_list_yields_a_name_that_is_not_firmware() {
        let md5 = "0".repeat(32);
        let list = format!(
            "P003-8-12-00.sbn\nSIPDefault.cnf\nAPPS-1.SBN 10 {md5}\nSEP001122334455.cnf.xml 10 {md5}\n\
             #+ SEP001122334455.cnf.xml 10 {md5}\n#+ OS79XX.TXT 3 {md5}\n#+ EXTRA-1.SBN 10 {md5}\n"
        );
        let b = parse(list.as_bytes()).unwrap();
        assert_eq!(b.files, ["P003-8-12-00.sbn", "APPS-1.SBN"]);
        assert_eq!(b.optional, ["EXTRA-1.SBN"]);
        let expected: Vec<&str> = b.expect.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(expected, ["APPS-1.SBN", "EXTRA-1.SBN"]);
        assert_eq!(
            b.not_firmware,
            ["SIPDefault.cnf", "SEP001122334455.cnf.xml", "OS79XX.TXT"]
        );
    }

    #[test]
    fn hostile_bodies() {
        let long = "a.sbn\n".repeat(MAX_LINES + 1);
        assert_eq!(parse(long.as_bytes()), Err(LoadsError::TooLong));
        assert!(matches!(parse(b"a\0b"), Err(LoadsError::NotText(0, 1))));
    }
}
