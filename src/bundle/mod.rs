//! Bundle readers: format detection and streaming access to members.
//!
//! A bundle is a vendor `.zip`, a `.cop` (gzip tar), a `.cop.sgn` (signed
//! header, then the gzip stream), a `.tar`/`.tar.gz`, or a folder of loose
//! files. Every reader hands each member to a [`Sink`] as a stream: nothing is
//! extracted to a temporary folder and no member is held in memory, except
//! zip members of at most 4 MiB, inflated whole into bounded buffers kept
//! per thread ([`whole`]). Problems
//! the reader itself sees (truncation, CRC mismatch) go to [`Sink::problem`]
//! and do not stop the other members from being read when the format allows.
//!
//! Adding a format: give it a [`Format`] variant, teach [`detect`] its bytes,
//! and write a `walk` that calls the sink once per member.

pub mod dir;
pub mod gunzip;
pub mod header;
pub mod limits;
pub mod safe;
pub mod shared;
pub mod tap;
pub mod tar;
pub mod tarwatch;
pub mod whole;
pub mod zip;
pub mod zipdir;

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use serde::Serialize;

pub use limits::Limits;

/// A bundle format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// A zip archive.
    Zip,
    /// An uncompressed tar.
    Tar,
    /// A gzip-compressed tar (`.cop`, `.tar.gz`, `.tgz`).
    #[serde(rename = "tar.gz")]
    TarGz,
    /// A signed header followed by a gzip-compressed tar (`.cop.sgn`).
    #[serde(rename = "cop.sgn")]
    CopSgn,
    /// Loose files in a folder, inspected together as one unpacked bundle.
    Directory,
}

impl Format {
    /// The format a file name suggests, if any.
    pub fn from_extension(name: &str) -> Option<Format> {
        let n = name.to_ascii_lowercase();
        if n.ends_with(".zip") {
            Some(Format::Zip)
        } else if n.ends_with(".cop.sgn") || n.ends_with(".sgn") {
            Some(Format::CopSgn)
        } else if n.ends_with(".cop") || n.ends_with(".tar.gz") || n.ends_with(".tgz") {
            Some(Format::TarGz)
        } else if n.ends_with(".tar") {
            Some(Format::Tar)
        } else {
            None
        }
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            Format::Zip => "zip",
            Format::Tar => "tar",
            Format::TarGz => "tar.gz",
            Format::CopSgn => "cop.sgn",
            Format::Directory => "directory",
        }
    }
}

/// What a path's first bytes say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detected {
    /// A bundle of this format.
    Bundle(Format),
    /// A file that is not a bundle (a loose firmware or configuration file).
    Plain,
}

/// Bytes read to detect a format: enough for a signed header of the largest
/// length its 16-bit field allows (65,535 bytes) and the gzip magic after it.
pub const SNIFF: usize = 64 * 1024 + 512;

/// Detects a file's format by its bytes, not its name. The name matters only
/// for a signed file whose gzip stream does not start at the header length:
/// that is a `.cop.sgn` only when it is named so (a signed `.sbn` may carry
/// gzip bytes in its body).
pub fn detect(path: &Path) -> io::Result<Detected> {
    let mut f = File::open(path)?;
    let mut head = Vec::with_capacity(1024);
    (&mut f).take(SNIFF as u64).read_to_end(&mut head)?;
    let named_sgn = path
        .to_string_lossy()
        .to_ascii_lowercase()
        .ends_with(".sgn");
    Ok(detect_bytes(&head, named_sgn))
}

/// Detects a format from the first bytes of a file; `named_sgn` says whether
/// the file is named `*.sgn`.
pub fn detect_bytes(head: &[u8], named_sgn: bool) -> Detected {
    if head.starts_with(b"PK\x03\x04")
        || head.starts_with(b"PK\x05\x06")
        || head.starts_with(b"PK\x07\x08")
    {
        return Detected::Bundle(Format::Zip);
    }
    if head.starts_with(&[0x1F, 0x8B]) {
        return Detected::Bundle(Format::TarGz);
    }
    if head.get(257..262) == Some(b"ustar") {
        return Detected::Bundle(Format::Tar);
    }
    match gzip_offset(head) {
        Some((_, true)) => return Detected::Bundle(Format::CopSgn),
        Some((_, false)) if named_sgn => return Detected::Bundle(Format::CopSgn),
        _ => {}
    }
    Detected::Plain
}

/// Where the gzip stream of a `.cop.sgn` starts, and whether that is exactly
/// at the signed header's length: there when a gzip magic is there, else at
/// the first `1F 8B 08` within the bytes given (as community tools do).
/// `None` when `head` is not a signed file holding a gzip stream.
pub fn gzip_offset(head: &[u8]) -> Option<(usize, bool)> {
    if !head.starts_with(&[0x01, 0x00, 0x02]) {
        return None;
    }
    if let Ok(h) = crate::signed::header::parse(head) {
        let at = h.header_len as usize;
        if head.get(at..at + 3) == Some(&[0x1F, 0x8B, 0x08]) {
            return Some((at, true));
        }
    }
    head.windows(3)
        .position(|w| w == [0x1F, 0x8B, 0x08])
        .map(|at| (at, false))
}

/// The kind of a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link.
    Symlink,
    /// A hard link.
    HardLink,
    /// A character or block device.
    Device,
    /// A named pipe.
    Fifo,
    /// Anything else a tar can hold (GNU extensions, sparse files).
    Other,
}

/// What the reader knows of a member before its data is read.
#[derive(Debug, Clone)]
pub struct MemberInfo {
    /// The member's path inside the bundle, as stored (lossily decoded to UTF-8).
    pub path: String,
    /// File, directory, link, device.
    pub kind: EntryKind,
    /// The size the archive declares.
    pub size: u64,
    /// Where a link points, for links.
    pub link_target: Option<String>,
}

/// A problem a reader found in the bundle's structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// The archive or a member ends early.
    Truncated,
    /// A stored checksum differs from the data.
    CrcMismatch,
    /// The central directory lists several entries under one name.
    DuplicateNames,
    /// The structure is damaged in another way.
    Corrupt,
    /// A limit was passed (size, ratio, count, name length); see [`limits`].
    Limit,
    /// Entries whose data overlap (a zip whose central directory points
    /// several entries into one block of data).
    Overlapping,
    /// A member's name differs between the places the archive stores it.
    NameMismatch,
    /// A file of a folder cannot be read (permissions, not a regular file).
    Unreadable,
}

/// Receives members one at a time.
pub trait Sink {
    /// Called once per member; `data` streams its content (empty for non-files).
    /// An error from reading `data` is the reader's to classify: return it.
    fn member(&mut self, info: &MemberInfo, data: &mut dyn Read) -> io::Result<()>;
    /// A structural problem, with the member it concerns when known.
    fn problem(&mut self, problem: Problem, member: Option<&str>, detail: String);
    /// The number of members to come, when the archive says it up front (a
    /// zip's central directory, already checked against `--max-members`):
    /// a sink may make room for them once instead of growing by doubling.
    fn expect(&mut self, _members: usize) {}
}

/// Sorts an error raised while a member's data was read.
pub fn classify(e: &io::Error) -> Problem {
    if let Some(x) = limits::exceeded(e) {
        return match x.which {
            limits::Which::Declared => Problem::Corrupt,
            _ => Problem::Limit,
        };
    }
    let text = e.to_string();
    if e.kind() == io::ErrorKind::UnexpectedEof
        || text.contains("unexpected end")
        || text.contains("failed to fill whole buffer")
    {
        Problem::Truncated
    } else if text.contains("Invalid checksum") || text.contains("checksum") {
        Problem::CrcMismatch
    } else {
        Problem::Corrupt
    }
}

/// Reads a whole bundle of a detected format into `sink`, within `limits`.
pub fn walk(path: &Path, format: Format, limits: &Limits, sink: &mut dyn Sink) -> io::Result<()> {
    match format {
        Format::Zip => zip::walk(path, limits, sink),
        Format::Tar | Format::TarGz | Format::CopSgn => tar::walk(path, format, limits, sink),
        Format::Directory => dir::walk(path, limits, sink),
    }
}

/// Says a member's name is over the length limit; true when it is (the
/// member is then skipped, never read).
pub fn name_too_long(path: &str, limits: &Limits, sink: &mut dyn Sink) -> bool {
    if path.len() <= limits.name_len {
        return false;
    }
    let short = limits::shorten(path);
    sink.problem(
        Problem::Limit,
        Some(&short),
        format!(
            "a member name of {} bytes, longer than {} (raise the limit with --max-name-length); the member was skipped",
            path.len(),
            limits.name_len
        ),
    );
    true
}

/// Says the bundle holds more members than the limit allows.
pub fn too_many_members(count: u64, limits: &Limits, sink: &mut dyn Sink) {
    sink.problem(
        Problem::Limit,
        None,
        format!(
            "{count} members or more, over the limit of {} (raise it with --max-members); the rest was not read",
            limits.members
        ),
    );
}
