//! The bundle file's own digests (SHA-256, and SHA-512 or MD5 when published
//! sums ask for them) from the bytes the readers read anyway, instead of a
//! second read of the file.
//!
//! A [`Tap`] is told of every block a reader reads ([`Tap::saw`]: its file
//! offset and bytes). It hashes the file in order: a block that reaches the
//! hashed frontier moves the frontier to its end; a block behind it is
//! ignored; a block ahead of it (a zip's central directory, read first; a
//! member another thread reads at the same time) is kept, up to
//! [`PENDING_MAX`] bytes, until the frontier reaches it, and otherwise
//! dropped. [`Tap::finish`] then reads only what is still not hashed, to the
//! end of the file: the digests are those of the file's bytes in order,
//! exactly what `sha256sum` gives, whatever order the blocks came in.
//!
//! For a gzip stream, where the inflating thread is the critical path, a
//! [`reading_thread`] reads the compressed blocks ahead of it and hashes
//! each once the inflater has consumed it (buffers recycled, so memory
//! stays flat): neither the reads nor the digest are on that thread.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, Read};
use std::sync::mpsc::{Receiver, Sender, channel, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use sha2::{Digest, Sha256, Sha512};

/// Most bytes read ahead of the frontier that one tap keeps for later.
pub const PENDING_MAX: usize = 256 << 10;
use super::shared::BUF;

/// Digests of a whole file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDigests {
    /// Bytes hashed (the file's size).
    pub size: u64,
    /// SHA-256, hex.
    pub sha256: String,
    /// SHA-512, hex, when asked for.
    pub sha512: Option<String>,
    /// MD5, hex, when asked for.
    pub md5: Option<String>,
}

struct State {
    /// Bytes `[0, at)` of the file are hashed.
    at: u64,
    sha256: Sha256,
    sha512: Option<Sha512>,
    md5: Option<md5::Md5>,
    /// Blocks ahead of the frontier, by offset.
    pending: BTreeMap<u64, Vec<u8>>,
    pending_bytes: usize,
    /// Bytes [`Tap::finish`] had to read again.
    reread: u64,
}

impl State {
    fn update(&mut self, b: &[u8]) {
        self.sha256.update(b);
        if let Some(h) = &mut self.sha512 {
            h.update(b);
        }
        if let Some(h) = &mut self.md5 {
            h.update(b);
        }
        self.at += b.len() as u64;
    }

    /// Hashes the part of `b` (at offset `off`) past the frontier, when `b`
    /// reaches it; true when it did.
    fn take(&mut self, off: u64, b: &[u8]) -> bool {
        let end = off + b.len() as u64;
        if off > self.at {
            return false;
        }
        if end > self.at {
            self.update(&b[(self.at - off) as usize..]);
        }
        true
    }

    /// Hashes the kept blocks the frontier has reached.
    fn drain(&mut self) {
        while let Some(entry) = self.pending.first_entry() {
            if *entry.key() > self.at {
                break;
            }
            let (off, b) = entry.remove_entry();
            self.pending_bytes -= b.len();
            self.take(off, &b);
        }
    }
}

/// Hashes a file from the blocks its readers read (see the module).
pub struct Tap {
    state: Mutex<State>,
}

impl Tap {
    /// A tap computing SHA-256, and SHA-512 and MD5 when asked.
    pub fn new(sha512: bool, md5: bool) -> Tap {
        Tap {
            state: Mutex::new(State {
                at: 0,
                sha256: Sha256::new(),
                sha512: sha512.then(Sha512::new),
                md5: md5.then(md5::Md5::new),
                pending: BTreeMap::new(),
                pending_bytes: 0,
                reread: 0,
            }),
        }
    }

    /// A reader read `b` at file offset `off`.
    pub fn saw(&self, off: u64, b: &[u8]) {
        // Block by block: another reader never waits long for the lock.
        let mut at = off;
        for part in b.chunks(BUF) {
            self.saw_part(at, part);
            at += part.len() as u64;
        }
    }

    fn saw_part(&self, off: u64, b: &[u8]) {
        let Ok(mut s) = self.state.lock() else { return };
        if s.take(off, b) {
            s.drain();
        } else if s.pending_bytes + b.len() <= PENDING_MAX && !s.pending.contains_key(&off) {
            s.pending_bytes += b.len();
            s.pending.insert(off, b.to_vec());
        }
    }

    /// Reads and hashes the next block of `file` not hashed yet (up to a
    /// kept block); false at the end of the file.
    fn step(&self, file: &File, buf: &mut Vec<u8>) -> io::Result<bool> {
        let mut s = self
            .state
            .lock()
            .map_err(|_| io::Error::other("a reader thread failed"))?;
        s.drain();
        let upto = s.pending.keys().next().copied();
        let want = upto.map_or(BUF as u64, |u| (u - s.at).min(BUF as u64)) as usize;
        if buf.len() < want {
            *buf = super::shared::buffer();
        }
        let n = read_at(file, &mut buf[..want], s.at)?;
        if n == 0 && upto.is_some() {
            // The file shrank under the readers: what was kept past its
            // end is not the file's.
            s.pending.clear();
            s.pending_bytes = 0;
            return Ok(true);
        }
        s.reread += n as u64;
        s.update(&buf[..n]);
        Ok(n > 0)
    }

    /// Hashes the rest of `file` (a reader with nothing left to read helps
    /// this way; the others' blocks then fall behind the frontier).
    pub fn catch_up(&self, file: &File) -> io::Result<()> {
        let mut buf = Vec::new();
        let r = (|| {
            while self.step(file, &mut buf)? {}
            Ok(())
        })();
        super::shared::recycle(buf);
        r
    }

    /// Reads what is not hashed yet of `file`, to its end, and gives the
    /// digests of the whole file.
    pub fn finish(&self, file: &File) -> io::Result<FileDigests> {
        self.catch_up(file)?;
        let mut s = self
            .state
            .lock()
            .map_err(|_| io::Error::other("a reader thread failed"))?;
        let s = &mut *s;
        Ok(FileDigests {
            size: s.at,
            sha256: hex(&std::mem::take(&mut s.sha256).finalize()),
            sha512: s.sha512.take().map(|h| hex(&h.finalize())),
            md5: s.md5.take().map(|h| hex(&h.finalize())),
        })
    }

    /// Bytes [`Tap::finish`] read again (the rest came from the readers).
    pub fn reread(&self) -> u64 {
        self.state.lock().map(|s| s.reread).unwrap_or(0)
    }
}

impl std::fmt::Debug for Tap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tap")
    }
}

/// Reads at `off` until `buf` is full or the file ends.
pub fn read_at(file: &File, buf: &mut [u8], off: u64) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        #[cfg(unix)]
        let k = std::os::unix::fs::FileExt::read_at(file, &mut buf[n..], off + n as u64);
        #[cfg(windows)]
        let k = std::os::windows::fs::FileExt::seek_read(file, &mut buf[n..], off + n as u64);
        match k {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Where the blocks a [`Feed`] reads go.
pub enum Sent {
    /// Not hashed.
    Nowhere,
    /// Hashed on the reading thread.
    Here(Arc<Tap>),
    /// Read ahead and hashed on a thread of their own (see [`reading_thread`]).
    Away(Ahead),
}

/// The reader's half of a [`reading_thread`]: blocks come in, consumed
/// blocks go back to be hashed.
pub struct Ahead {
    rx: Receiver<io::Result<(u64, Vec<u8>)>>,
    back: Sender<(u64, Vec<u8>)>,
}

/// Blocks read ahead: memory is bounded by `DEPTH * BUF` whatever the
/// size of the file.
const DEPTH: usize = 4;

/// Starts a thread that reads `file` from `off` ahead of its reader, in
/// blocks of [`BUF`] bytes (at most [`DEPTH`] in flight, recycled), and
/// hashes each block into `tap` once the reader gives it back: the reads
/// and the digest are off the reader's thread (for a gzip stream, the
/// inflating thread, the critical path). Join it before [`Tap::finish`].
pub fn reading_thread(
    mut file: File,
    off: u64,
    tap: Arc<Tap>,
) -> io::Result<(Ahead, JoinHandle<()>)> {
    let (tx, rx) = sync_channel::<io::Result<(u64, Vec<u8>)>>(DEPTH);
    let (back, back_rx) = channel::<(u64, Vec<u8>)>();
    let h = std::thread::Builder::new()
        .name("read-digest".into())
        .spawn(move || {
            let mut tx = Some(tx);
            let (mut off, mut in_flight, mut free) = (off, 0, Vec::new());
            loop {
                if let Some(to) = &tx
                    && in_flight < DEPTH
                {
                    let mut b: Vec<u8> = free.pop().unwrap_or_default();
                    b.resize(BUF, 0);
                    match fill(&mut file, &mut b) {
                        Ok(0) => tx = None,
                        Ok(n) => {
                            b.truncate(n);
                            if to.send(Ok((off, b))).is_err() {
                                return;
                            }
                            off += n as u64;
                            in_flight += 1;
                        }
                        Err(e) => {
                            let _ = to.send(Err(e));
                            tx = None;
                        }
                    }
                    continue;
                }
                if in_flight == 0 {
                    return;
                }
                // The reader is gone when this fails: what it did not give
                // back is read again by `Tap::finish`.
                let Ok((at, b)) = back_rx.recv() else { return };
                tap.saw(at, &b);
                in_flight -= 1;
                free.push(b);
            }
        })?;
    Ok((Ahead { rx, back }, h))
}

/// Reads until `buf` is full or the file ends.
fn fill(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// A buffered reader of a file from an offset that shows every block it
/// reads to a tap: read here and hashed here, or read ahead and hashed on
/// a [`reading_thread`].
pub struct Feed {
    file: Option<File>,
    to: Sent,
    buf: Vec<u8>,
    /// File offset of `buf[0]`; valid bytes; bytes consumed.
    off: u64,
    len: usize,
    pos: usize,
}

impl Feed {
    /// Reads `file` from its current position `off`; with [`Sent::Away`]
    /// the blocks come from the reading thread instead (`file` may then be
    /// `None`).
    pub fn new(file: Option<File>, off: u64, to: Sent) -> Feed {
        Feed {
            file,
            to,
            buf: Vec::new(),
            off,
            len: 0,
            pos: 0,
        }
    }

    /// Hands the block read to the tap (or back to the reading thread).
    fn pass(&mut self) {
        let b = std::mem::take(&mut self.buf);
        if self.len == 0 {
            self.buf = b;
            return;
        }
        match &self.to {
            Sent::Nowhere => self.buf = b,
            Sent::Here(tap) => {
                tap.saw(self.off, &b[..self.len]);
                self.buf = b;
            }
            Sent::Away(ahead) => {
                let _ = ahead.back.send((self.off, b));
            }
        }
    }

    fn next_block(&mut self) -> io::Result<()> {
        self.pass();
        let len = self.len;
        self.len = 0;
        self.pos = 0;
        if let Sent::Away(ahead) = &self.to {
            match ahead.rx.recv() {
                Ok(Ok((off, b))) => {
                    self.off = off;
                    self.len = b.len();
                    self.buf = b;
                }
                Ok(Err(e)) => return Err(e),
                Err(_) => {}
            }
            return Ok(());
        }
        self.off += len as u64;
        let Some(file) = &mut self.file else {
            return Ok(());
        };
        self.buf.resize(BUF, 0);
        let n = loop {
            match file.read(&mut self.buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                r => break r,
            }
        };
        self.len = n?;
        Ok(())
    }
}

impl Read for Feed {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let have = self.fill_buf()?;
        let k = out.len().min(have.len());
        out[..k].copy_from_slice(&have[..k]);
        self.consume(k);
        Ok(k)
    }
}

impl BufRead for Feed {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos == self.len {
            self.next_block()?;
        }
        Ok(&self.buf[self.pos..self.len])
    }

    fn consume(&mut self, k: usize) {
        self.pos = (self.pos + k).min(self.len);
    }
}

impl Drop for Feed {
    fn drop(&mut self) {
        // What was read and not consumed is still the file's.
        self.pass();
    }
}

#[cfg(test)]
mod tests;
