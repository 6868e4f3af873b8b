//! The zip reader (stored and deflate members, data descriptors, zip64),
//! on the `zip` crate. When the central directory cannot be read (a truncated
//! download), members are read from their local headers instead, so a broken
//! zip still shows what it holds.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::Path;

use ::zip::ZipArchive;
use ::zip::read::read_zipfile_from_stream;

use super::{EntryKind, MemberInfo, Problem, Sink, classify};

const BUF: usize = 256 * 1024;

/// Number of entries in the central directory, or `None` when it cannot be read.
pub fn count(path: &Path) -> io::Result<Option<usize>> {
    let f = File::open(path)?;
    Ok(ZipArchive::new(BufReader::with_capacity(BUF, f))
        .ok()
        .map(|z| z.len()))
}

/// Reads the members in `range` (all when `None`) into `sink`, in central-directory order.
pub fn walk(path: &Path, range: Option<Range<usize>>, sink: &mut dyn Sink) -> io::Result<()> {
    let file = File::open(path)?;
    let mut z = match ZipArchive::new(BufReader::with_capacity(BUF, file)) {
        Ok(z) => z,
        Err(e) => {
            if range.is_some_and(|r| r.start > 0) {
                return Ok(());
            }
            let text = e.to_string();
            let problem = if text.contains("end of central directory")
                || text.contains("EOCD")
                || matches!(e, ::zip::result::ZipError::Io(ref io) if io.kind() == io::ErrorKind::UnexpectedEof)
            {
                Problem::Truncated
            } else {
                Problem::Corrupt
            };
            sink.problem(problem, None, format!("the central directory cannot be read ({text}); members were read from their local headers"));
            let mut f = File::open(path)?;
            f.seek(SeekFrom::Start(0))?;
            return stream(BufReader::with_capacity(BUF, f), sink);
        }
    };
    let range = range.unwrap_or(0..z.len());
    if range.start == 0 && z.has_duplicate_names() {
        sink.problem(
            Problem::DuplicateNames,
            None,
            "the central directory lists several entries under one name; only one of them can be read".into(),
        );
    }
    for i in range {
        let name = z
            .name_for_index(i)
            .and_then(Result::ok)
            .map(|n| n.into_owned())
            .unwrap_or_else(|| format!("#{i}"));
        let mut f = match z.by_index(i) {
            Ok(f) => f,
            Err(e) => {
                let p = match &e {
                    ::zip::result::ZipError::Io(io) => classify(io),
                    _ => Problem::Corrupt,
                };
                sink.problem(p, Some(&name), e.to_string());
                continue;
            }
        };
        feed(&mut f, name, sink);
    }
    Ok(())
}

/// Hands one member to the sink and reads it to its end (so its CRC is
/// checked); a failure becomes a problem. Returns false on failure.
fn feed<R: Read>(f: &mut ::zip::read::ZipFile<'_, R>, name: String, sink: &mut dyn Sink) -> bool {
    let info = info_of(f, name);
    let result = if info.kind == EntryKind::File {
        sink.member(&info, f)
            .and_then(|_| io::copy(f, &mut io::sink()).map(|_| ()))
    } else {
        sink.member(&info, &mut io::empty())
    };
    match result {
        Ok(()) => true,
        Err(e) => {
            sink.problem(classify(&e), Some(&info.path), e.to_string());
            false
        }
    }
}

fn info_of<R: Read>(f: &::zip::read::ZipFile<'_, R>, path: String) -> MemberInfo {
    let kind = if f.is_dir() {
        EntryKind::Dir
    } else if f.is_symlink() {
        EntryKind::Symlink
    } else {
        match f.unix_mode().map(|m| m & 0o170000) {
            Some(0o020000 | 0o060000) => EntryKind::Device,
            Some(0o010000) => EntryKind::Fifo,
            _ => EntryKind::File,
        }
    };
    MemberInfo {
        path,
        kind,
        size: f.size(),
        link_target: None,
    }
}

/// Reads members from local headers, for zips whose central directory is gone.
fn stream<R: Read>(mut r: R, sink: &mut dyn Sink) -> io::Result<()> {
    loop {
        match read_zipfile_from_stream(&mut r) {
            Ok(Some(mut f)) => {
                let name = String::from_utf8_lossy(f.name_raw()).into_owned();
                if !feed(&mut f, name, sink) {
                    return Ok(());
                }
            }
            Ok(None) => return Ok(()),
            Err(e) => {
                sink.problem(
                    Problem::Truncated,
                    None,
                    format!("local headers end early: {e}"),
                );
                return Ok(());
            }
        }
    }
}
