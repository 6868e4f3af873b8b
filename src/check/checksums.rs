//! Published checksum lists, in the forms people have: `sha512sum`,
//! `sha256sum` and `md5sum` output (`HEX  NAME`, `HEX *NAME`), the BSD form
//! (`SHA512 (NAME) = HEX`, `MD5 (NAME) = HEX`), CRLF line ends, and the
//! lines copied from the vendor's download page (the file name on a line of
//! its own, then `MD5 Checksum: HEX` and `SHA512 Checksum: HEX` in either
//! order, with other `Key: value` lines among them).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A digest algorithm a checksum list may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Algorithm {
    /// MD5 (32 hex digits): verified, but a weak hash.
    Md5,
    /// SHA-256 (64 hex digits).
    Sha256,
    /// SHA-512 (128 hex digits).
    Sha512,
}

impl Algorithm {
    /// The name people write (`SHA-512`).
    pub fn label(self) -> &'static str {
        match self {
            Algorithm::Md5 => "MD5",
            Algorithm::Sha256 => "SHA-256",
            Algorithm::Sha512 => "SHA-512",
        }
    }

    fn by_len(hex: &str) -> Option<Algorithm> {
        match hex.len() {
            32 => Some(Algorithm::Md5),
            64 => Some(Algorithm::Sha256),
            128 => Some(Algorithm::Sha512),
            _ => None,
        }
    }

    fn by_name(name: &str) -> Option<Algorithm> {
        match name.to_ascii_uppercase().replace('-', "").as_str() {
            "MD5" => Some(Algorithm::Md5),
            "SHA256" => Some(Algorithm::Sha256),
            "SHA512" => Some(Algorithm::Sha512),
            _ => None,
        }
    }
}

/// One entry: a file name and its expected digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// The file's base name.
    pub name: String,
    /// The algorithm.
    pub algorithm: Algorithm,
    /// Lower-case hex.
    pub hex: String,
    /// The folder of the list it came from (where the file is looked for
    /// when no path is given).
    pub dir: PathBuf,
}

/// Reads a checksum list; blank lines and `#` comments are skipped.
pub fn load(path: &Path) -> Result<Vec<Expected>> {
    let text =
        std::fs::read_to_string(path).map_err(|e| Error::io("read the checksum list", path, e))?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut out = parse(&text).map_err(|line| Error::BadChecksums {
        path: path.to_path_buf(),
        line,
    })?;
    for e in &mut out {
        e.dir = dir.clone();
    }
    Ok(out)
}

fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn entry(name: &str, algorithm: Algorithm, hex: &str) -> Expected {
    let name = name.trim().trim_start_matches('*');
    Expected {
        name: name.rsplit(['/', '\\']).next().unwrap_or(name).to_string(),
        algorithm,
        hex: hex.to_ascii_lowercase(),
        dir: PathBuf::new(),
    }
}

/// `HEX  NAME`, `HEX *NAME` (md5sum, sha256sum, sha512sum).
fn coreutils(line: &str) -> Option<Expected> {
    let (hex, name) = line.split_once(char::is_whitespace)?;
    let alg = Algorithm::by_len(hex).filter(|_| is_hex(hex))?;
    (!name.trim().is_empty()).then(|| entry(name, alg, hex))
}

/// `SHA512 (NAME) = HEX` (the BSD `--tag` form).
fn bsd(line: &str) -> Option<Expected> {
    let (alg, rest) = line.split_once(" (")?;
    let (name, hex) = rest.rsplit_once(") = ")?;
    let alg = Algorithm::by_name(alg)?;
    let hex = hex.trim();
    (Algorithm::by_len(hex) == Some(alg) && is_hex(hex)).then(|| entry(name, alg, hex))
}

/// `MD5 Checksum: HEX` (the vendor's download page), for the file named before.
fn page(line: &str) -> Option<(Algorithm, String)> {
    let (key, hex) = line.split_once(':')?;
    let alg = Algorithm::by_name(key.split_whitespace().next()?)?;
    let rest = key.split_whitespace().skip(1).collect::<Vec<_>>().join(" ");
    let hex = hex.trim();
    (rest.eq_ignore_ascii_case("checksum") && Algorithm::by_len(hex) == Some(alg) && is_hex(hex))
        .then(|| (alg, hex.to_string()))
}

/// A line that is only a file name (the download page puts one above its sums).
fn file_name(line: &str) -> bool {
    !line.contains(char::is_whitespace) && line.contains('.') && !line.ends_with(':')
}

/// Parses checksum text; `Err(line)` names the first line that is none of
/// the forms above.
pub fn parse(text: &str) -> std::result::Result<Vec<Expected>, usize> {
    let mut out = Vec::new();
    let mut named: Option<String> = None;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(e) = coreutils(line).or_else(|| bsd(line)) {
            out.push(e);
        } else if let Some((alg, hex)) = page(line) {
            let name = named.as_deref().ok_or(i + 1)?;
            out.push(entry(name, alg, &hex));
        } else if file_name(line) {
            named = Some(line.to_string());
        } else if named.is_none() || !line.contains(':') {
            // Other `Key: value` lines of the download page are skipped.
            return Err(i + 1);
        }
    }
    Ok(out)
}

/// How one file fares against the lists, as a line of `sha256sum -c` says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Every listed digest matches.
    Ok,
    /// A listed digest differs.
    Failed,
    /// The file was inspected, but no list names it.
    NotListed,
    /// A list names it, but it is not there.
    ListedNotFound,
}

impl Status {
    /// The word `sha256sum -c` would print.
    pub fn word(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::Failed => "FAILED",
            Status::NotListed => "not listed",
            Status::ListedNotFound => "listed, not found",
        }
    }
}

/// One file's verdict.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileVerdict {
    /// The file's base name.
    pub name: String,
    /// OK, FAILED, not listed, listed but not found.
    pub status: Status,
    /// The algorithms compared.
    pub algorithms: Vec<Algorithm>,
}

/// The verdict of every file inspected (`(base name, [(algorithm, matched)])`)
/// and of every listed file that was not: in the lists' order, then the
/// unlisted ones.
pub fn verdicts(
    expected: &[Expected],
    inspected: &[(String, Vec<(Algorithm, bool)>)],
) -> Vec<FileVerdict> {
    let mut out: Vec<FileVerdict> = Vec::new();
    for e in expected {
        if out.iter().any(|v| v.name == e.name) {
            continue;
        }
        let v = match inspected.iter().find(|(n, _)| *n == e.name) {
            Some((_, checks)) => FileVerdict {
                name: e.name.clone(),
                status: if checks.iter().all(|c| c.1) {
                    Status::Ok
                } else {
                    Status::Failed
                },
                algorithms: checks.iter().map(|c| c.0).collect(),
            },
            None => FileVerdict {
                name: e.name.clone(),
                status: Status::ListedNotFound,
                algorithms: expected
                    .iter()
                    .filter(|x| x.name == e.name)
                    .map(|x| x.algorithm)
                    .collect(),
            },
        };
        out.push(v);
    }
    for (n, _) in inspected
        .iter()
        .filter(|(n, _)| !expected.iter().any(|e| e.name == *n))
    {
        out.push(FileVerdict {
            name: n.clone(),
            status: Status::NotListed,
            algorithms: Vec::new(),
        });
    }
    out
}

/// The files the lists name, looked up beside each list: those present,
/// and the names of those that are not.
pub fn listed_files(expected: &[Expected]) -> (Vec<PathBuf>, Vec<String>) {
    let (mut present, mut missing) = (Vec::new(), Vec::new());
    for e in expected {
        let p = e.dir.join(&e.name);
        if p.is_file() {
            if !present.contains(&p) {
                present.push(p);
            }
        } else if !missing.contains(&e.name) {
            missing.push(e.name.clone());
        }
    }
    (present, missing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_parse() {
        let a = "a".repeat(128);
        let b = "B".repeat(64);
        let text =
            format!("{a}  cm-7941.zip\n# comment\n\nSHA256 (dir/x.cop.sgn) = {b}\n{b} *y.zip\n");
        let e = parse(&text).unwrap();
        assert_eq!(e[0].name, "cm-7941.zip");
        assert_eq!(e[0].algorithm, Algorithm::Sha512);
        assert_eq!(e[1].name, "x.cop.sgn");
        assert_eq!(e[1].hex, "b".repeat(64));
        assert_eq!(e[2].name, "y.zip");
        assert_eq!(parse("nothex  a.zip"), Err(1));
    }

    #[test]
    fn every_form_people_have_parses() {
        let (m, s2, s5) = ("d".repeat(32), "e".repeat(64), "f".repeat(128));
        let text = format!(
            "{m} *a.zip\r\nMD5 (b.cop.sgn) = {m}\r\ncmterm-7941_7961-sip.8-5-4.zip\r\nRelease Date: 01-Jan-2010\r\nSHA512 Checksum: {s5}\r\nMD5 Checksum: {m}\r\nc.zip\r\nMD5 Checksum : {m}\r\n{s2}  d.zip\r\n"
        );
        let e = parse(&text).unwrap();
        let got: Vec<(&str, Algorithm)> =
            e.iter().map(|e| (e.name.as_str(), e.algorithm)).collect();
        assert_eq!(
            got,
            [
                ("a.zip", Algorithm::Md5),
                ("b.cop.sgn", Algorithm::Md5),
                ("cmterm-7941_7961-sip.8-5-4.zip", Algorithm::Sha512),
                ("cmterm-7941_7961-sip.8-5-4.zip", Algorithm::Md5),
                ("c.zip", Algorithm::Md5),
                ("d.zip", Algorithm::Sha256),
            ]
        );
        assert_eq!(
            parse(&format!("MD5 Checksum: {m}\n")),
            Err(1),
            "a sum before any file name"
        );
        assert_eq!(parse("hello world\n"), Err(1));
    }
}
