//! The tar reader: plain tar, gzip tar (`.cop`, `.tar.gz`) and `.cop.sgn`
//! (a signed header, then the gzip stream), on the `tar` and `flate2` crates.
//!
//! A tar has no checksums over data, so truncation is caught by counting:
//! a member whose data ends before its declared size, or a gzip stream that
//! ends before its trailer, is [`Problem::Truncated`].

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;
use std::thread::JoinHandle;

use super::gunzip::Gunzip;
use super::limits::{Budget, Guard, Limits};
use super::tap::{Feed, Sent, Tap, reading_thread};
use super::tarwatch::Watch;
use super::{
    EntryKind, Format, MemberInfo, Problem, Sink, classify, gzip_offset, name_too_long,
    too_many_members,
};

/// Opens the tar stream of a tar, tar.gz or cop.sgn file. A gzip stream is
/// inflated on a thread of its own ([`Gunzip`]), so inflating and hashing
/// the members run side by side.
pub fn open(path: &Path, format: Format) -> io::Result<Box<dyn Read>> {
    open_tapped(path, format, Hash::No, &mut None)
}

/// Whether and where the file's blocks are hashed.
#[derive(Clone, Copy)]
enum Hash<'a> {
    No,
    /// On the thread that reads the file.
    Here(&'a Arc<Tap>),
    /// Read ahead and hashed on a thread of their own, whose handle is left
    /// for the caller to join.
    Away(&'a Arc<Tap>),
}

/// [`open`], showing every block read from the file to a tap.
fn open_tapped(
    path: &Path,
    format: Format,
    hash: Hash,
    reader: &mut Option<JoinHandle<()>>,
) -> io::Result<Box<dyn Read>> {
    let mut file = File::open(path)?;
    let start = match format {
        Format::CopSgn => {
            let mut head = Vec::new();
            (&mut file)
                .take(super::SNIFF as u64)
                .read_to_end(&mut head)?;
            let (at, _) = gzip_offset(&head).ok_or_else(|| match crate::signed::header::parse(&head) {
                Err(e @ crate::signed::header::HeaderError::PastEnd { .. }) => io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("the signed header runs past the end of the file ({e}); no gzip stream follows it"),
                ),
                _ => io::Error::new(
                    io::ErrorKind::InvalidData,
                    "no gzip stream after the signed header",
                ),
            })?;
            if let Hash::Here(t) | Hash::Away(t) = hash {
                t.saw(0, &head);
            }
            file.seek(SeekFrom::Start(at as u64))?
        }
        _ => 0,
    };
    let feed = match hash {
        Hash::No => Feed::new(Some(file), start, Sent::Nowhere),
        Hash::Here(t) => Feed::new(Some(file), start, Sent::Here(Arc::clone(t))),
        Hash::Away(t) => {
            let (ahead, h) = reading_thread(file, start, Arc::clone(t))?;
            *reader = Some(h);
            Feed::new(None, start, Sent::Away(ahead))
        }
    };
    Ok(match format {
        Format::Tar => Box::new(feed),
        _ => Box::new(Gunzip::spawn(feed)?),
    })
}

/// Counts bytes read through it.
struct Counted<'a, R> {
    inner: &'a mut R,
    n: u64,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.n += k as u64;
        Ok(k)
    }
}

/// Reads every member into `sink`, in archive order.
pub fn walk(path: &Path, format: Format, limits: &Limits, sink: &mut dyn Sink) -> io::Result<()> {
    walk_to(path, format, limits, Hash::No, &mut None, sink)
}

/// [`walk`], showing every block read from the file to `tap`: read ahead
/// and hashed on a thread of their own when `away` (for a gzip stream the
/// inflating thread, which would read them, is the critical path), else
/// on the thread that reads the file.
pub fn walk_tapped(
    path: &Path,
    format: Format,
    limits: &Limits,
    tap: &Arc<Tap>,
    away: bool,
    sink: &mut dyn Sink,
) -> io::Result<()> {
    if !away {
        return walk_to(path, format, limits, Hash::Here(tap), &mut None, sink);
    }
    let mut reader = None;
    let walked = walk_to(path, format, limits, Hash::Away(tap), &mut reader, sink);
    // Everything read is hashed before the caller finishes the digest.
    if let Some(h) = reader {
        h.join()
            .map_err(|_| io::Error::other("the digest thread failed"))?;
    }
    walked
}

/// [`walk`], hashing as `hash` says; a reading thread started is left in
/// `reader` (to join once everything reading from it is dropped).
fn walk_to(
    path: &Path,
    format: Format,
    limits: &Limits,
    hash: Hash,
    reader: &mut Option<JoinHandle<()>>,
    sink: &mut dyn Sink,
) -> io::Result<()> {
    // Everything inflated from a gzip stream is measured against the file's size.
    let budget = match format {
        Format::Tar => Budget::new(),
        _ => Budget::stream(std::fs::metadata(path)?.len()),
    };
    let reader = match open_tapped(path, format, hash, reader) {
        Ok(r) => r,
        Err(e) if e.kind() == io::ErrorKind::InvalidData => {
            sink.problem(Problem::Corrupt, None, e.to_string());
            return Ok(());
        }
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
            sink.problem(Problem::Truncated, None, e.to_string());
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    let mut ar = ::tar::Archive::new(Watch::new(reader));
    let entries = match ar.entries() {
        Ok(e) => e,
        Err(e) => {
            sink.problem(classify(&e), None, e.to_string());
            return Ok(());
        }
    };
    let mut count = 0u64;
    for entry in entries {
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => {
                sink.problem(classify(&e), None, format!("the archive breaks off: {e}"));
                return Ok(());
            }
        };
        // PAX global headers (`git archive` starts with one) are metadata.
        if entry.header().entry_type().is_pax_global_extensions() {
            continue;
        }
        count += 1;
        if count > limits.members {
            too_many_members(count, limits, sink);
            return Ok(());
        }
        if !member(&mut entry, limits, &budget, sink) {
            return Ok(());
        }
    }
    after_the_end(ar.into_inner(), limits, &budget, sink);
    Ok(())
}

/// Drains what follows the end-of-archive marker within the limits (a gzip
/// stream cut short shows here; so do gigabytes of zeros), and names a
/// member hidden there.
fn after_the_end<R: Read>(
    mut rest: Watch<R>,
    limits: &Limits,
    budget: &Budget,
    sink: &mut dyn Sink,
) {
    let name = "the data after the end of the archive";
    let drained = io::copy(
        &mut Guard::new(&mut rest, name, limits, budget, None, None),
        &mut io::sink(),
    );
    if let Err(e) = drained {
        let p = classify(&e);
        let what = match p {
            Problem::Limit => format!("{e}"),
            _ => format!("the compressed stream ends early: {e}"),
        };
        sink.problem(p, None, what);
    }
    if let Some(h) = &rest.hidden {
        sink.problem(
            Problem::Corrupt,
            Some(h),
            "it is hidden after the end-of-archive marker: `tar -i` would extract it, other tools never show it".into(),
        );
    }
}

fn kind_of(t: ::tar::EntryType) -> EntryKind {
    if t.is_file() || t.is_contiguous() {
        EntryKind::File
    } else if t.is_dir() {
        EntryKind::Dir
    } else if t.is_symlink() {
        EntryKind::Symlink
    } else if t.is_hard_link() {
        EntryKind::HardLink
    } else if t.is_character_special() || t.is_block_special() {
        EntryKind::Device
    } else if t.is_fifo() {
        EntryKind::Fifo
    } else {
        EntryKind::Other
    }
}

/// The ustar name, when a PAX record or GNU long name gives the member
/// another one that is not merely its long form.
fn other_name<R: Read>(entry: &::tar::Entry<'_, R>, path: &str) -> Option<String> {
    let raw = String::from_utf8_lossy(&entry.header().path_bytes()).into_owned();
    let long_form =
        raw.is_empty() || (path.len() >= 100 && (path.starts_with(&raw) || path.ends_with(&raw)));
    (raw != path && !long_form).then_some(raw)
}

/// Hands one entry to the sink within the limits. False when the archive
/// cannot be read further.
fn member<R: Read>(
    entry: &mut ::tar::Entry<'_, R>,
    limits: &Limits,
    budget: &Budget,
    sink: &mut dyn Sink,
) -> bool {
    let path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
    if name_too_long(&path, limits, sink) {
        return false;
    }
    if let Some(raw) = other_name(entry, &path) {
        sink.problem(
            Problem::NameMismatch,
            Some(&path),
            format!("its ustar header names it {raw:?}: a tool that ignores PAX records would write that file instead"),
        );
    }
    let kind = kind_of(entry.header().entry_type());
    let info = MemberInfo {
        link_target: entry
            .link_name_bytes()
            .map(|b| String::from_utf8_lossy(&b).into_owned()),
        path,
        kind,
        size: entry.size(),
    };
    let size = info.size;
    let mut guard = Guard::new(entry, &info.path, limits, budget, None, None);
    let mut counted = Counted {
        inner: &mut guard,
        n: 0,
    };
    let data: &mut dyn Read = if kind == EntryKind::File {
        &mut counted
    } else {
        &mut io::empty()
    };
    // Whatever the kind, its data is read through the guard (a link that
    // declares gigabytes of data would otherwise be inflated unchecked).
    let res = sink
        .member(&info, data)
        .and_then(|_| io::copy(&mut counted, &mut io::sink()).map(|_| ()));
    if let Err(e) = res {
        sink.problem(classify(&e), Some(&info.path), e.to_string());
        return false;
    }
    if counted.n < size {
        sink.problem(
            Problem::Truncated,
            Some(&info.path),
            format!("the data ends after {} of {} bytes", counted.n, size),
        );
        return false;
    }
    true
}
