//! The zip reader (stored and deflate members, data descriptors, zip64),
//! on the `zip` crate. When the central directory cannot be read (a truncated
//! download), members are read from their local headers instead, so a broken
//! zip still shows what it holds.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use ::zip::ZipArchive;
use ::zip::read::read_zipfile_from_stream;

use super::limits::{Budget, Guard, Limits};
use super::{EntryKind, MemberInfo, Problem, Sink, classify, name_too_long, too_many_members};

const BUF: usize = 256 * 1024;

type Archive = ZipArchive<BufReader<File>>;

fn open(path: &Path) -> io::Result<Result<Archive, ::zip::result::ZipError>> {
    let file = File::open(path)?;
    Ok(ZipArchive::new(BufReader::with_capacity(BUF, file)))
}

/// Reads every member into `sink`, in central-directory order.
pub fn walk(path: &Path, limits: &Limits, sink: &mut dyn Sink) -> io::Result<()> {
    let mut z = match open(path)? {
        Ok(z) => z,
        Err(e) => return fallback(path, e, limits, sink),
    };
    let n = counted(&z, limits, sink);
    let budget = Budget::new();
    for i in 0..n {
        if budget.spent(limits) {
            break;
        }
        member(&mut z, i, limits, &budget, sink);
    }
    Ok(())
}

/// Reports duplicates and a count over the limit; returns how many to read.
fn counted(z: &Archive, limits: &Limits, sink: &mut dyn Sink) -> usize {
    duplicates(z, sink);
    if z.len() as u64 > limits.members {
        too_many_members(z.len() as u64, limits, sink);
        return limits.members as usize;
    }
    z.len()
}

/// Reads the members on `jobs` threads, each with its own handle on the file
/// and its own sink from `new_sink`; after each member, `take` drains that
/// sink into the member's slot. Returns the slots in central-directory order
/// (slot 0 holds problems of the whole archive), so the result never depends
/// on the number of threads. `None` when the central directory cannot be
/// read: use [`walk`], which falls back to the local headers.
pub fn walk_parallel<S: Sink, T: Send>(
    path: &Path,
    jobs: usize,
    limits: &Limits,
    new_sink: &(dyn Fn() -> S + Sync),
    take: &(dyn Fn(&mut S) -> T + Sync),
) -> io::Result<Option<Vec<T>>> {
    let Ok(first) = open(path)? else {
        return Ok(None);
    };
    let mut head = new_sink();
    let n = counted(&first, limits, &mut head);
    let budget = Budget::new();
    let slots: Vec<Mutex<Option<T>>> = (0..n).map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let first = Mutex::new(Some(first));
    let failed: Mutex<Option<io::Error>> = Mutex::new(None);
    std::thread::scope(|s| {
        for _ in 0..jobs.clamp(1, n.max(1)) {
            s.spawn(|| {
                let reused = first.lock().ok().and_then(|mut f| f.take());
                let mut z = match reused.map(|z| Ok(Ok(z))).unwrap_or_else(|| open(path)) {
                    Ok(Ok(z)) => z,
                    Ok(Err(e)) => return set_failed(&failed, io::Error::other(e)),
                    Err(e) => return set_failed(&failed, e),
                };
                let mut sink = new_sink();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    if !budget.spent(limits) {
                        member(&mut z, i, limits, &budget, &mut sink);
                    }
                    if let Ok(mut slot) = slots[i].lock() {
                        *slot = Some(take(&mut sink));
                    }
                }
            });
        }
    });
    if let Some(e) = failed.into_inner().ok().flatten() {
        return Err(e);
    }
    let mut out = Vec::with_capacity(n + 1);
    out.push(take(&mut head));
    for slot in slots {
        match slot.into_inner().ok().flatten() {
            Some(t) => out.push(t),
            None => return Err(io::Error::other("a reader thread failed")),
        }
    }
    Ok(Some(out))
}

fn set_failed(failed: &Mutex<Option<io::Error>>, e: io::Error) {
    if let Ok(mut f) = failed.lock() {
        f.get_or_insert(e);
    }
}

fn duplicates(z: &Archive, sink: &mut dyn Sink) {
    if z.has_duplicate_names() {
        sink.problem(
            Problem::DuplicateNames,
            None,
            "the central directory lists several entries under one name; only one of them can be read".into(),
        );
    }
}

/// The central directory is unreadable: say so, then read the local headers.
fn fallback(
    path: &Path,
    e: ::zip::result::ZipError,
    limits: &Limits,
    sink: &mut dyn Sink,
) -> io::Result<()> {
    let text = e.to_string();
    let problem = if text.contains("end of central directory")
        || text.contains("EOCD")
        || matches!(e, ::zip::result::ZipError::Io(ref io) if io.kind() == io::ErrorKind::UnexpectedEof)
    {
        Problem::Truncated
    } else {
        Problem::Corrupt
    };
    sink.problem(
        problem,
        None,
        format!("the central directory cannot be read ({text}); members were read from their local headers"),
    );
    let mut f = File::open(path)?;
    f.seek(SeekFrom::Start(0))?;
    stream(BufReader::with_capacity(BUF, f), limits, sink)
}

/// Reads member `i` into `sink`.
fn member(z: &mut Archive, i: usize, limits: &Limits, budget: &Budget, sink: &mut dyn Sink) {
    let name = z
        .name_for_index(i)
        .and_then(Result::ok)
        .map(|n| n.into_owned())
        .unwrap_or_else(|| format!("#{i}"));
    if name_too_long(&name, limits, sink) {
        return;
    }
    match z.by_index(i) {
        Ok(mut f) => {
            feed(&mut f, name, limits, budget, true, sink);
        }
        Err(e) => {
            let p = match &e {
                ::zip::result::ZipError::Io(io) => classify(io),
                _ => Problem::Corrupt,
            };
            sink.problem(p, Some(&name), e.to_string());
        }
    }
}

/// Hands one member to the sink and reads it to its end (so its CRC is
/// checked), within the limits; a failure becomes a problem. `declared`
/// holds the member to the size its header gives. Returns false on failure.
fn feed<R: Read>(
    f: &mut ::zip::read::ZipFile<'_, R>,
    name: String,
    limits: &Limits,
    budget: &Budget,
    declared: bool,
    sink: &mut dyn Sink,
) -> bool {
    let info = info_of(f, name);
    let size = declared.then(|| f.size());
    let packed = Some(f.compressed_size());
    let result = if info.kind == EntryKind::File {
        let mut g = Guard::new(f, &info.path, limits, budget, size, packed);
        sink.member(&info, &mut g)
            .and_then(|_| io::copy(&mut g, &mut io::sink()).map(|_| ()))
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
fn stream<R: Read>(mut r: R, limits: &Limits, sink: &mut dyn Sink) -> io::Result<()> {
    let budget = Budget::new();
    let mut count = 0u64;
    loop {
        if budget.spent(limits) {
            return Ok(());
        }
        match read_zipfile_from_stream(&mut r) {
            Ok(Some(mut f)) => {
                count += 1;
                if count > limits.members {
                    too_many_members(count, limits, sink);
                    return Ok(());
                }
                let name = String::from_utf8_lossy(f.name_raw()).into_owned();
                if name_too_long(&name, limits, sink) {
                    return Ok(());
                }
                // Local headers of data-descriptor members declare no size.
                if !feed(&mut f, name, limits, &budget, false, sink) {
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
