//! The tar reader: plain tar, gzip tar (`.cop`, `.tar.gz`) and `.cop.sgn`
//! (a signed header, then the gzip stream), on the `tar` and `flate2` crates.
//!
//! A tar has no checksums over data, so truncation is caught by counting:
//! a member whose data ends before its declared size, or a gzip stream that
//! ends before its trailer, is [`Problem::Truncated`].

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::mpsc::{Receiver, Sender, channel, sync_channel};
use std::thread::JoinHandle;

use flate2::read::MultiGzDecoder;

use super::limits::{Budget, Guard, Limits};
use super::{
    EntryKind, Format, MemberInfo, Problem, Sink, classify, gzip_offset, name_too_long,
    too_many_members,
};

const BUF: usize = 256 * 1024;

/// Opens the tar stream of a tar, tar.gz or cop.sgn file. A gzip stream is
/// inflated on a thread of its own ([`Pipe`]), so inflating and hashing the
/// members run side by side.
pub fn open(path: &Path, format: Format) -> io::Result<Box<dyn Read>> {
    let mut file = File::open(path)?;
    Ok(match format {
        Format::Tar => Box::new(BufReader::with_capacity(BUF, file)),
        Format::CopSgn => {
            let mut head = Vec::new();
            (&mut file).take(64 * 1024).read_to_end(&mut head)?;
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
            file.seek(SeekFrom::Start(at as u64))?;
            Box::new(Pipe::spawn(Box::new(MultiGzDecoder::new(
                BufReader::with_capacity(BUF, file),
            )))?)
        }
        _ => Box::new(Pipe::spawn(Box::new(MultiGzDecoder::new(
            BufReader::with_capacity(BUF, file),
        )))?),
    })
}

/// Chunks in flight between the inflating thread and the reader: memory is
/// bounded by `(DEPTH + 2) * BUF` whatever the size of the stream.
const DEPTH: usize = 4;

type Chunk = io::Result<(Vec<u8>, usize)>;

/// A reader fed by a thread that reads `inner` ahead, in chunks of [`BUF`]
/// bytes recycled through a return channel.
pub struct Pipe {
    rx: Option<Receiver<Chunk>>,
    back: Sender<Vec<u8>>,
    cur: Vec<u8>,
    pos: usize,
    len: usize,
    worker: Option<JoinHandle<()>>,
}

impl Pipe {
    /// Starts the thread reading `inner`.
    pub fn spawn(mut inner: Box<dyn Read + Send>) -> io::Result<Pipe> {
        let (tx, rx) = sync_channel::<Chunk>(DEPTH);
        let (back, back_rx) = channel::<Vec<u8>>();
        let worker = std::thread::Builder::new()
            .name("inflate".into())
            .spawn(move || {
                loop {
                    let mut buf = back_rx.try_recv().unwrap_or_else(|_| vec![0; BUF]);
                    let mut n = 0;
                    let r = loop {
                        match inner.read(&mut buf[n..]) {
                            Ok(0) => break Ok(()),
                            Ok(k) => {
                                n += k;
                                if n == buf.len() {
                                    break Ok(());
                                }
                            }
                            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                            Err(e) => break Err(e),
                        }
                    };
                    let last = n < buf.len();
                    if n > 0 && tx.send(Ok((buf, n))).is_err() {
                        return;
                    }
                    if let Err(e) = r {
                        let _ = tx.send(Err(e));
                        return;
                    }
                    if last {
                        return;
                    }
                }
            })?;
        Ok(Pipe {
            rx: Some(rx),
            back,
            cur: Vec::new(),
            pos: 0,
            len: 0,
            worker: Some(worker),
        })
    }
}

impl Read for Pipe {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.len {
            let Some(rx) = &self.rx else { return Ok(0) };
            match rx.recv() {
                Ok(Ok((buf, n))) => {
                    let old = std::mem::replace(&mut self.cur, buf);
                    if !old.is_empty() {
                        let _ = self.back.send(old);
                    }
                    self.pos = 0;
                    self.len = n;
                }
                Ok(Err(e)) => {
                    self.rx = None;
                    return Err(e);
                }
                Err(_) => {
                    self.rx = None;
                    return Ok(0);
                }
            }
        }
        let k = out.len().min(self.len - self.pos);
        out[..k].copy_from_slice(&self.cur[self.pos..self.pos + k]);
        self.pos += k;
        Ok(k)
    }
}

impl Drop for Pipe {
    fn drop(&mut self) {
        // Closing the channel stops the thread at its next chunk.
        self.rx = None;
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
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
    // A gzip stream's expansion is measured against the file's size.
    let budget = match format {
        Format::Tar => Budget::new(),
        _ => Budget::stream(std::fs::metadata(path)?.len()),
    };
    let mut count = 0u64;
    let reader = match open(path, format) {
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
    let mut ar = ::tar::Archive::new(reader);
    let entries = match ar.entries() {
        Ok(e) => e,
        Err(e) => {
            sink.problem(classify(&e), None, e.to_string());
            return Ok(());
        }
    };
    for entry in entries {
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => {
                sink.problem(classify(&e), None, format!("the archive breaks off: {e}"));
                return Ok(());
            }
        };
        count += 1;
        if count > limits.members {
            too_many_members(count, limits, sink);
            return Ok(());
        }
        let path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        if name_too_long(&path, limits, sink) {
            return Ok(());
        }
        let t = entry.header().entry_type();
        let kind = if t.is_file() || t.is_contiguous() {
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
        };
        let link_target = entry
            .link_name_bytes()
            .map(|b| String::from_utf8_lossy(&b).into_owned());
        let size = entry.size();
        let info = MemberInfo {
            path,
            kind,
            size,
            link_target,
        };
        if kind != EntryKind::File {
            if let Err(e) = sink.member(&info, &mut io::empty()) {
                sink.problem(classify(&e), Some(&info.path), e.to_string());
            }
            continue;
        }
        let mut guard = Guard::new(&mut entry, &info.path, limits, &budget, None, None);
        let mut counted = Counted {
            inner: &mut guard,
            n: 0,
        };
        let res = sink
            .member(&info, &mut counted)
            .and_then(|_| io::copy(&mut counted, &mut io::sink()).map(|_| ()));
        if let Err(e) = res {
            sink.problem(classify(&e), Some(&info.path), e.to_string());
            return Ok(());
        }
        if counted.n < size {
            sink.problem(
                Problem::Truncated,
                Some(&info.path),
                format!("the data ends after {} of {} bytes", counted.n, size),
            );
            return Ok(());
        }
    }
    // Drain what follows the end-of-archive blocks, so a gzip stream cut short is seen.
    let mut rest = ar.into_inner();
    if let Err(e) = io::copy(&mut rest, &mut io::sink()) {
        sink.problem(
            classify(&e),
            None,
            format!("the compressed stream ends early: {e}"),
        );
    }
    Ok(())
}
