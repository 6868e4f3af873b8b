//! The zip reader (stored and deflate members, data descriptors, zip64),
//! on the `zip` crate. When the central directory cannot be read (a truncated
//! download), members are read from their local headers instead, so a broken
//! zip still shows what it holds.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use ::zip::ZipArchive;
use ::zip::read::read_zipfile_from_stream;

use super::limits::{Budget, Guard, Limits};
use super::shared::SharedFile;
use super::tap::{Feed, Sent, Tap};
use super::whole::Whole;
use super::{EntryKind, MemberInfo, Problem, Sink, classify, name_too_long, too_many_members};

type Archive = ZipArchive<SharedFile>;

/// What opening a zip came to.
enum Opened {
    /// The central directory was read: members can be read from it (the
    /// archive, the file's size, the file).
    Archive(Archive, u64, Arc<File>),
    /// Nothing more is to be read (too many members, overlapping entries):
    /// the sink has been told why.
    Done,
    /// The central directory cannot be read: read the local headers.
    Broken(::zip::result::ZipError),
}

/// Scans the end records first (see [`super::zipdir`]), then lets the `zip`
/// crate parse the central directory, once. Every block read from the
/// archive is shown to `tap`.
fn open(
    path: &Path,
    limits: &Limits,
    tap: Option<&Arc<Tap>>,
    sink: &mut dyn Sink,
) -> io::Result<Opened> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    if let Some(scan) = super::zipdir::scan(&mut file, len, limits)? {
        if scan.declared > limits.members {
            too_many_members(scan.declared, limits, sink);
            return Ok(Opened::Done);
        }
        if let Some((a, b)) = scan.overlaps.first() {
            sink.problem(
                Problem::Overlapping,
                None,
                format!(
                    "{} entries share their data with others ({a} and {b}, …): the central directory points many entries into one block, the shape of a compression bomb; no member was read",
                    scan.overlaps.len() + 1
                ),
            );
            return Ok(Opened::Done);
        }
        for (central, local) in &scan.renamed {
            sink.problem(
                Problem::NameMismatch,
                Some(central),
                format!("its local header names it {local:?}: a tool that streams the zip would write that file instead"),
            );
        }
    }
    let shared = SharedFile::new(file)?.tapped(tap.cloned());
    let handle = shared.handle();
    let z = match ZipArchive::new(shared) {
        Ok(z) => z,
        Err(e) => return Ok(Opened::Broken(e)),
    };
    duplicates(&z, sink);
    if z.len() as u64 > limits.members {
        too_many_members(z.len() as u64, limits, sink);
        return Ok(Opened::Done);
    }
    Ok(Opened::Archive(z, len, handle))
}

/// Reads every member into `sink`, in central-directory order.
pub fn walk(path: &Path, limits: &Limits, sink: &mut dyn Sink) -> io::Result<()> {
    walk_tapped(path, limits, None, sink)
}

/// [`walk`], showing every block read from the file to `tap`.
pub fn walk_tapped(
    path: &Path,
    limits: &Limits,
    tap: Option<&Arc<Tap>>,
    sink: &mut dyn Sink,
) -> io::Result<()> {
    with_whole(|whole| walk_with(path, limits, tap, whole, sink))
}

/// [`walk_tapped`], inflating the members that fit `whole` whole.
fn walk_with(
    path: &Path,
    limits: &Limits,
    tap: Option<&Arc<Tap>>,
    whole: &mut Whole,
    sink: &mut dyn Sink,
) -> io::Result<()> {
    let (mut z, len) = match open(path, limits, tap, sink)? {
        Opened::Archive(z, len, _) => (z, len),
        Opened::Done => return Ok(()),
        Opened::Broken(e) => return fallback(path, e, limits, tap, sink),
    };
    let budget = Budget::stream(len);
    sink.expect(z.len());
    for i in 0..z.len() {
        if budget.spent(limits) {
            break;
        }
        member(&mut z, i, limits, &budget, whole, sink);
    }
    Ok(())
}

/// Reads the members on `jobs` threads, each with its own clone of the one
/// parsed archive (sharing its central directory) and its own sink from
/// `new_sink`; after each member, `take` drains that sink and `emit`
/// receives the result with the number of members, in central-directory
/// order (the archive's own problems first), so the result never depends on the number of threads.
/// Results are handed on as soon as those before them are in: no member's
/// report is held twice. `Ok(false)` when the central directory cannot be
/// read: use [`walk_tapped`], which falls back to the local headers. Every
/// block read is shown to `tap`; a thread with no member left hashes the
/// rest of the file into it.
pub fn walk_parallel<S: Sink, T: Send>(
    path: &Path,
    jobs: usize,
    limits: &Limits,
    tap: Option<&Arc<Tap>>,
    new_sink: &(dyn Fn() -> S + Sync),
    take: &(dyn Fn(&mut S) -> T + Sync),
    emit: &mut dyn FnMut(T, usize),
) -> io::Result<bool> {
    let mut head = new_sink();
    let (first, len, file) = match open(path, limits, tap, &mut head)? {
        Opened::Archive(z, len, file) => (z, len, file),
        Opened::Done => {
            emit(take(&mut head), 0);
            return Ok(true);
        }
        Opened::Broken(_) => return Ok(false),
    };
    let n = first.len();
    emit(take(&mut head), n);
    let budget = Budget::stream(len);
    let next = AtomicUsize::new(0);
    // Bounded: readers wait for the merge rather than pile results up.
    let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, T)>(4 * jobs.max(1));
    std::thread::scope(|s| {
        for _ in 0..jobs.clamp(1, n.max(1)) {
            let mut z = first.clone();
            let (next, budget, tx, file) = (&next, &budget, tx.clone(), &file);
            s.spawn(move || {
                let mut sink = new_sink();
                with_whole(|whole| {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= n {
                            break;
                        }
                        if !budget.spent(limits) {
                            member(&mut z, i, limits, budget, whole, &mut sink);
                        }
                        if tx.send((i, take(&mut sink))).is_err() {
                            return;
                        }
                    }
                });
                // An error here only leaves more for `Tap::finish` to read.
                if let Some(tap) = tap {
                    let _ = tap.catch_up(file);
                }
            });
        }
        drop(tx);
        in_order(rx, n, &mut |t| emit(t, n))
    })
}

/// Hands `n` results received out of order to `emit` in index order.
fn in_order<T>(
    rx: std::sync::mpsc::Receiver<(usize, T)>,
    n: usize,
    emit: &mut dyn FnMut(T),
) -> io::Result<bool> {
    let mut waiting = std::collections::BTreeMap::new();
    let mut due = 0;
    for (i, t) in rx {
        waiting.insert(i, t);
        while let Some(t) = waiting.remove(&due) {
            emit(t);
            due += 1;
        }
    }
    if due < n {
        return Err(io::Error::other("a reader thread failed"));
    }
    Ok(true)
}

thread_local! {
    /// The whole-member inflater of this thread, kept across bundles.
    static WHOLE: std::cell::RefCell<Option<Whole>> = const { std::cell::RefCell::new(None) };
}

/// Runs `f` with this thread's whole-member inflater (made on first use and
/// kept, with its buffers, for the thread's next bundles).
fn with_whole<R>(f: impl FnOnce(&mut Whole) -> R) -> R {
    WHOLE.with(|cell| match cell.try_borrow_mut() {
        Ok(mut slot) => f(slot.get_or_insert_with(Whole::new)),
        Err(_) => f(&mut Whole::off()),
    })
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
    tap: Option<&Arc<Tap>>,
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
    let len = f.metadata()?.len();
    f.seek(SeekFrom::Start(0))?;
    let to = tap.map_or(Sent::Nowhere, |t| Sent::Here(Arc::clone(t)));
    stream(Feed::new(Some(f), 0, to), len, limits, sink)
}

/// Reads member `i` into `sink`: inflated whole when it fits `whole`,
/// streamed otherwise.
fn member(
    z: &mut Archive,
    i: usize,
    limits: &Limits,
    budget: &Budget,
    whole: &mut Whole,
    sink: &mut dyn Sink,
) {
    let name = z
        .name_for_index(i)
        .and_then(Result::ok)
        .map(|n| n.into_owned())
        .unwrap_or_else(|| format!("#{i}"));
    if name_too_long(&name, limits, sink) {
        return;
    }
    if let Ok(mut raw) = z.by_index_raw(i)
        && raw.compression() == ::zip::CompressionMethod::Deflated
        && !raw.encrypted()
        && whole.fits(raw.size(), raw.compressed_size())
    {
        let info = info_of(&raw, name.clone());
        let (size, packed, crc) = (raw.size(), raw.compressed_size(), raw.crc32());
        if info.kind == EntryKind::File
            && let Some(data) = whole.inflate(&mut raw, packed, size, crc)
        {
            // A member that would pass a limit streams, so the limit stops
            // it at the same byte as ever.
            if Guard::new(
                &[][..],
                &info.path,
                limits,
                budget,
                Some(size),
                Some(packed),
            )
            .clears(size)
            {
                deliver(data, info, limits, budget, Some(size), Some(packed), sink);
                return;
            }
        }
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
    deliver(f, info, limits, budget, size, packed, sink)
}

/// Hands one member's data `f` to the sink through a [`Guard`] and reads it
/// to its end; `size` is the size it is held to, `packed` its compressed size.
fn deliver<R: Read>(
    f: R,
    info: MemberInfo,
    limits: &Limits,
    budget: &Budget,
    size: Option<u64>,
    packed: Option<u64>,
    sink: &mut dyn Sink,
) -> bool {
    let result = if info.kind == EntryKind::File {
        let mut g = Guard::new(f, &info.path, limits, budget, size, packed);
        sink.member(&info, &mut g)
            .and_then(|_| io::copy(&mut g, &mut io::sink()).map(|_| ()))
            .and_then(|_| match size {
                Some(d) if g.count() < d => Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "its data ends after {} of the {d} bytes its archive declares: the archive is crafted or damaged",
                        g.count()
                    ),
                )),
                _ => Ok(()),
            })
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
fn stream<R: Read>(mut r: R, len: u64, limits: &Limits, sink: &mut dyn Sink) -> io::Result<()> {
    let budget = Budget::stream(len);
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

#[cfg(test)]
#[path = "zip_equiv.rs"]
mod equiv;
