//! Published checksum lists, in the forms people have: `sha512sum`,
//! `sha256sum` and `md5sum` output (`HEX  NAME`, `HEX *NAME`), the BSD form
//! (`SHA512 (NAME) = HEX`, `MD5 (NAME) = HEX`), CRLF line ends, and the
//! lines copied from the vendor's download page (the file name on a line of
//! its own, then `MD5 Checksum: HEX` and `SHA512 Checksum: HEX` in either
//! order, with other `Key: value` lines among them; `FileName : NAME` too,
//! tabs and spaces around the colon, label and value on one line or two).
//! A UTF-8 byte-order mark before the first line is skipped.
//!
//! A list is read a line at a time ([`MAX_LINE`]), never whole, and indexed
//! by file name ([`Sums`]), so checking costs the same per line whatever the
//! list's length; what is kept is bounded by [`MAX_SUMS`] and [`MAX_NAME`].

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use md5::Digest;

use crate::error::Action;
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

/// The longest line a checksum list may have, in bytes: a digest of 128
/// hex digits, a separator and a path of `PATH_MAX` (4096) fit with room
/// to spare. A longer line (a list of NULs, a binary given by mistake) is
/// refused after reading this much of it: a list is read line by line,
/// never whole.
pub const MAX_LINE: usize = 8192;

/// The longest file name a list may give, in bytes (`NAME_MAX`): no file
/// of a longer name can exist.
pub const MAX_NAME: usize = 255;

/// Most distinct sums all the lists of one run may give together (a line
/// repeated, here or in another list, counts once). Real lists give a
/// handful; a mirror's whole tree, tens of thousands. What is kept of a
/// list is this bound times one name and one digest, at most.
pub const MAX_SUMS: usize = 200_000;

/// One entry of a list: a file name and its expected digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// The file's base name.
    pub name: String,
    /// The algorithm.
    pub algorithm: Algorithm,
    /// Lower-case hex.
    pub hex: String,
}

/// One digest a list gives for a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sum {
    /// The algorithm.
    pub algorithm: Algorithm,
    /// Lower-case hex.
    pub hex: String,
}

/// One file the lists name, with every digest they give for it.
#[derive(Debug, Clone)]
pub struct Listed {
    /// The file's base name.
    pub name: String,
    /// The digests, in the lists' order, without repeats.
    pub sums: Vec<Sum>,
    /// The folder of the first list that names it (an index into `dirs`).
    dir: usize,
}

/// Every list read, indexed by file name: looking a file up costs the
/// same whatever the length of the lists.
#[derive(Debug, Clone, Default)]
pub struct Sums {
    files: Vec<Listed>,
    index: HashMap<String, usize>,
    dirs: Vec<PathBuf>,
    count: usize,
}

/// Why a list was refused, at which line.
#[derive(Debug)]
pub enum ListError {
    /// A line that is none of the forms (`Sums::read_from`): its number and
    /// its text (at most [`QUOTED`] characters of it).
    NotChecksum(usize, String),
    /// A bound passed: the line, and what the bound is.
    TooLarge(usize, String),
    /// The list could not be read.
    Io(std::io::Error),
}

impl Sums {
    /// Reads the checksum list at `path` (the files it names are looked for
    /// beside it). Blank lines and `#` comments are skipped; a UTF-8
    /// byte-order mark is allowed. The list is opened as the user named it,
    /// a pipe included (`--checksums <(curl …)`): it is read a bounded line
    /// at a time, so whatever it is, it cannot make loadsmith hold more.
    pub fn read(&mut self, path: &Path) -> Result<()> {
        let f = File::open(path).map_err(|e| Error::io(Action::ReadChecksums, path, e))?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        self.read_from(BufReader::new(f), dir).map_err(|e| match e {
            ListError::NotChecksum(line, text) => Error::BadChecksums {
                path: path.to_path_buf(),
                line,
                text,
            },
            ListError::TooLarge(line, reason) => Error::ChecksumsTooLarge {
                path: path.to_path_buf(),
                line,
                reason,
            },
            ListError::Io(e) => Error::io(Action::ReadChecksums, path, e),
        })
    }

    /// Reads one list from `r`, a line at a time, each bounded by [`MAX_LINE`].
    pub fn read_from(
        &mut self,
        mut r: impl BufRead,
        dir: PathBuf,
    ) -> std::result::Result<(), ListError> {
        let dir_at = self.dirs.len();
        self.dirs.push(dir);
        let mut parser = Parser::default();
        let mut buf = Vec::with_capacity(256);
        for line in 1.. {
            buf.clear();
            let n = r
                .by_ref()
                .take(MAX_LINE as u64 + 1)
                .read_until(b'\n', &mut buf)
                .map_err(ListError::Io)?;
            if n == 0 {
                break;
            }
            if buf.len() > MAX_LINE && buf.last() != Some(&b'\n') {
                return Err(ListError::TooLarge(
                    line,
                    format!(
                        "longer than {MAX_LINE} bytes; a checksum line is a digest and a file name, so this is not a checksum list"
                    ),
                ));
            }
            let mut bytes = buf.as_slice();
            if line == 1 {
                bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            }
            let text = String::from_utf8_lossy(bytes);
            if let Some(e) = parser
                .line(&text)
                .map_err(|()| ListError::NotChecksum(line, quoted(&text)))?
            {
                self.add(e, dir_at, line)?;
            }
        }
        Ok(())
    }

    fn add(&mut self, e: Expected, dir: usize, line: usize) -> std::result::Result<(), ListError> {
        if e.name.len() > MAX_NAME {
            return Err(ListError::TooLarge(
                line,
                format!(
                    "names a file of {} bytes; no file name is longer than {MAX_NAME}",
                    e.name.len()
                ),
            ));
        }
        let sum = Sum {
            algorithm: e.algorithm,
            hex: e.hex,
        };
        let known = self.index.get(&e.name).copied();
        if known.is_some_and(|i| self.files[i].sums.contains(&sum)) {
            return Ok(()); // the same line again, or in another list
        }
        self.count += 1;
        if self.count > MAX_SUMS {
            return Err(ListError::TooLarge(
                line,
                format!(
                    "the lists give more than {MAX_SUMS} sums, the most loadsmith checks in one run; split the list"
                ),
            ));
        }
        match known {
            Some(i) => self.files[i].sums.push(sum),
            None => {
                self.index.insert(e.name.clone(), self.files.len());
                self.files.push(Listed {
                    name: e.name,
                    sums: vec![sum],
                    dir,
                });
            }
        }
        Ok(())
    }

    /// True when no list gave a sum.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The file named `name`, when a list names it.
    pub fn get(&self, name: &str) -> Option<&Listed> {
        self.index.get(name).map(|&i| &self.files[i])
    }

    /// Every file named, in the order the lists first name them.
    pub fn iter(&self) -> impl Iterator<Item = &Listed> {
        self.files.iter()
    }

    /// Where a listed file is looked for: beside the list that names it.
    pub fn path_of(&self, l: &Listed) -> PathBuf {
        self.dirs[l.dir].join(&l.name)
    }

    /// The files the lists name that are present beside them.
    pub fn listed_files(&self) -> Vec<PathBuf> {
        self.files
            .iter()
            .map(|l| self.path_of(l))
            .filter(|p| p.is_file())
            .collect()
    }
}

/// How much of a line that cannot be read its error quotes, in characters.
pub const QUOTED: usize = 80;

/// The start of a line, for an error to quote: at most [`QUOTED`]
/// characters, its line end dropped.
fn quoted(line: &str) -> String {
    let line = line.trim_end_matches(['\r', '\n']);
    match line.char_indices().nth(QUOTED) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line.to_string(),
    }
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

/// What a `Label : value` line of the vendor's download page gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    /// `FileName : NAME` (also `File Name`).
    FileName,
    /// `MD5 Checksum : HEX`, `SHA512 Checksum : HEX`.
    Sum(Algorithm),
    /// Any other (`Release Date : …`): skipped.
    Other,
}

/// Splits a download-page line at its first colon, with tabs and spaces
/// around it: the label and its value (empty when the value is on the next
/// line).
fn label(line: &str) -> Option<(Label, &str)> {
    let (key, value) = line.split_once(':')?;
    let words: Vec<&str> = key.split_whitespace().collect();
    let kind = match words.as_slice() {
        [] => return None,
        [alg, w] if w.eq_ignore_ascii_case("checksum") => Label::Sum(Algorithm::by_name(alg)?),
        [w] if w.eq_ignore_ascii_case("filename") => Label::FileName,
        [a, b] if a.eq_ignore_ascii_case("file") && b.eq_ignore_ascii_case("name") => {
            Label::FileName
        }
        _ => Label::Other,
    };
    Some((kind, value.trim()))
}

/// A line that is only a file name (the download page puts one above its sums).
fn file_name(line: &str) -> bool {
    !line.contains(char::is_whitespace) && line.contains('.') && !line.ends_with(':')
}

/// Reads a list one line at a time: the only state kept between lines is
/// the file name the download page's form gave last, and the label whose
/// value is on the next line.
#[derive(Default)]
struct Parser {
    named: Option<String>,
    pending: Option<Label>,
}

impl Parser {
    /// The entry a line gives, if any; `Err` for a line that is none of the forms.
    fn line(&mut self, line: &str) -> std::result::Result<Option<Expected>, ()> {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            return Ok(None);
        }
        match self.pending.take() {
            Some(Label::Other) if label(line).is_none() && coreutils(line).is_none() => {
                return Ok(None); // the value of a label skipped
            }
            Some(Label::Other) | None => {}
            Some(kind) => return self.value(kind, line),
        }
        if let Some(e) = coreutils(line).or_else(|| bsd(line)) {
            return Ok(Some(e));
        }
        if let Some((kind, value)) = label(line) {
            if value.is_empty() {
                if kind == Label::Other && self.named.is_none() {
                    return Err(());
                }
                self.pending = Some(kind);
                return Ok(None);
            }
            return self.value(kind, value);
        }
        if file_name(line) {
            self.named = Some(line.to_string());
            return Ok(None);
        }
        Err(())
    }

    /// The value of a download-page label.
    fn value(&mut self, kind: Label, value: &str) -> std::result::Result<Option<Expected>, ()> {
        match kind {
            Label::FileName if !value.contains(char::is_whitespace) => {
                self.named = Some(value.to_string());
                Ok(None)
            }
            Label::Sum(alg) if Algorithm::by_len(value) == Some(alg) && is_hex(value) => {
                let name = self.named.as_deref().ok_or(())?;
                Ok(Some(entry(name, alg, value)))
            }
            // Other lines of the download page, once a file is named.
            Label::Other if self.named.is_some() => Ok(None),
            _ => Err(()),
        }
    }
}

/// Parses checksum text; `Err(line)` names the first line that is none of
/// the forms above.
pub fn parse(text: &str) -> std::result::Result<Vec<Expected>, usize> {
    let mut parser = Parser::default();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = if i == 0 {
            line.strip_prefix('\u{feff}').unwrap_or(line)
        } else {
            line
        };
        out.extend(parser.line(line).map_err(|()| i + 1)?);
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
    /// A list names it, and it is there, but it could not be read (not a
    /// regular file, no permission).
    Unreadable,
}

impl Status {
    /// The word `sha256sum -c` would print.
    pub fn word(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::Failed => "FAILED",
            Status::NotListed => "not listed",
            Status::ListedNotFound => "listed, not found",
            Status::Unreadable => "FAILED open or read",
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

/// The verdict of one listed file whose digests were compared:
/// `(algorithm, matched)` for each sum the lists give.
pub fn verdict(l: &Listed, checks: &[(Algorithm, bool)]) -> FileVerdict {
    FileVerdict {
        name: l.name.clone(),
        status: if checks.iter().all(|c| c.1) {
            Status::Ok
        } else {
            Status::Failed
        },
        algorithms: checks.iter().map(|c| c.0).collect(),
    }
}

/// The verdict of a listed file that is not there.
pub fn not_found(l: &Listed) -> FileVerdict {
    FileVerdict {
        name: l.name.clone(),
        status: Status::ListedNotFound,
        algorithms: l.sums.iter().map(|s| s.algorithm).collect(),
    }
}

/// The verdict of a file no list names.
pub fn not_listed(name: &str) -> FileVerdict {
    FileVerdict {
        name: name.to_string(),
        status: Status::NotListed,
        algorithms: Vec::new(),
    }
}

/// Compares a file with every sum `l` gives for it, reading it once
/// (`sha256sum -c` for one line): `(algorithm, matched)` per sum.
pub fn compare(path: &Path, l: &Listed) -> std::io::Result<Vec<(Algorithm, bool)>> {
    // Named by the list, not by the user: a link is followed as for any
    // input, but only a regular file is read (a FIFO named like a download
    // neither stalls the open nor is read).
    let mut f = crate::files::open_input(path).map_err(crate::files::OpenError::into_io)?;
    let want = |a| l.sums.iter().any(|s| s.algorithm == a);
    let mut md5 = want(Algorithm::Md5).then(md5::Md5::new);
    let mut s256 = want(Algorithm::Sha256).then(sha2::Sha256::new);
    let mut s512 = want(Algorithm::Sha512).then(sha2::Sha512::new);
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        let b = &buf[..n];
        md5.iter_mut().for_each(|h| h.update(b));
        s256.iter_mut().for_each(|h| h.update(b));
        s512.iter_mut().for_each(|h| h.update(b));
    }
    let hex = |d: &[u8]| d.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let got = [
        (Algorithm::Md5, md5.map(|h| hex(&h.finalize()))),
        (Algorithm::Sha256, s256.map(|h| hex(&h.finalize()))),
        (Algorithm::Sha512, s512.map(|h| hex(&h.finalize()))),
    ];
    Ok(l.sums
        .iter()
        .map(|s| {
            let have = got
                .iter()
                .find(|g| g.0 == s.algorithm)
                .and_then(|g| g.1.as_ref());
            (s.algorithm, have == Some(&s.hex))
        })
        .collect())
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
            "{m} *a.zip\r\nMD5 (b.cop.sgn) = {m}\r\ncmterm-7941_7961-sip.8-5-4.zip\r\n\
             Release Date: 01-Jan-2010\r\nSHA512 Checksum: {s5}\r\nMD5 Checksum: {m}\r\n\
             c.zip\r\nMD5 Checksum : {m}\r\n{s2}  d.zip\r\n"
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
