//! A gzip stream (one member or several, as `flate2`'s `MultiGzDecoder`
//! reads them) inflated on a thread of its own, with the CRC-32 of each
//! member checked on the reading side instead: the inflating thread is the
//! critical path of a tar.gz, the reading side has time to spare.
//!
//! The inflating thread parses each member's header exactly as `flate2`
//! does (same checks, same errors), inflates its body with `flate2`'s raw
//! deflate decoder, and sends the bytes in chunks of [`BUF`] filled across
//! members (as `flate2`'s reader fills a buffer), with where each member
//! ends and its trailer (CRC-32 and size). The reader computes the CRC over
//! the bytes it hands on and compares at each member's end: a mismatch fails
//! the read right after the member's last byte, with `flate2`'s error, as
//! before.
//! Chunks are recycled: memory is bounded by `(DEPTH + 2) * BUF`.

use std::io::{self, BufRead, Read};
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};
use std::thread::JoinHandle;

use flate2::Crc;
use flate2::bufread::DeflateDecoder;

const BUF: usize = 256 * 1024;
/// Chunks in flight between the inflating thread and the reader.
const DEPTH: usize = 4;

const FHCRC: u8 = 1 << 1;
const FEXTRA: u8 = 1 << 2;
const FNAME: u8 = 1 << 3;
const FCOMMENT: u8 = 1 << 4;
const FRESERVED: u8 = (1 << 5) | (1 << 6) | (1 << 7);
/// Longest file name or comment in a header (as `flate2`).
const MAX_HEADER_BUF: usize = 65535;
/// Most member trailers one chunk carries (16 bytes each): a stream of
/// empty members is handed on in chunks of these.
const MAX_TRAILERS: usize = 1024;

enum Msg {
    /// Inflated bytes: the buffer, how many of its bytes are data, and
    /// where members end in it with their trailers.
    Data(Vec<u8>, usize, Vec<Trailer>),
    Fail(io::Error),
}

/// A member ends at `at` in a chunk; its trailer's CRC-32 and size (mod 2^32).
#[derive(Clone, Copy)]
struct Trailer {
    at: usize,
    crc: u32,
    size: u32,
}

fn bad_header() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, "invalid gzip header")
}

fn corrupt() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        "corrupt gzip stream does not have a matching checksum",
    )
}

/// Fills `buf` from `r`; the end of the input first is an error.
fn fill<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<()> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Reads a zero-terminated header field, hashing it into `crc`.
fn to_nul<R: BufRead>(r: &mut R, crc: &mut Option<Crc>) -> io::Result<()> {
    let mut field = Vec::new();
    for b in r.bytes() {
        match b? {
            0 => {
                if let Some(c) = crc {
                    c.update(&field);
                    c.update(b"\0");
                }
                return Ok(());
            }
            _ if field.len() == MAX_HEADER_BUF => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "gzip header field too long",
                ));
            }
            b => field.push(b),
        }
    }
    Err(io::ErrorKind::UnexpectedEof.into())
}

/// Reads one member's header (RFC 1952 §2.3), checked as `flate2` does.
fn header<R: BufRead>(r: &mut R) -> io::Result<()> {
    let mut b = [0u8; 10];
    fill(r, &mut b)?;
    if b[0] != 0x1f || b[1] != 0x8b || b[2] != 8 {
        return Err(bad_header());
    }
    let flags = b[3];
    if flags & FRESERVED != 0 {
        return Err(bad_header());
    }
    let mut crc = (flags & FHCRC != 0).then(|| {
        let mut c = Crc::new();
        c.update(&b);
        c
    });
    if flags & FEXTRA != 0 {
        let mut x = [0u8; 2];
        fill(r, &mut x)?;
        let mut extra = vec![0u8; usize::from(u16::from_le_bytes(x))];
        fill(r, &mut extra)?;
        if let Some(c) = &mut crc {
            c.update(&x);
            c.update(&extra);
        }
    }
    if flags & FNAME != 0 {
        to_nul(r, &mut crc)?;
    }
    if flags & FCOMMENT != 0 {
        to_nul(r, &mut crc)?;
    }
    if let Some(c) = crc {
        let mut x = [0u8; 2];
        fill(r, &mut x)?;
        if u16::from_le_bytes(x) != c.sum() as u16 {
            return Err(corrupt());
        }
    }
    Ok(())
}

/// The inflating thread's side: a chunk being filled.
/// Chunks are filled across members, as `flate2`'s reader fills a buffer
/// (so a damaged stream gives up the same bytes before its error as before).
struct Out {
    tx: SyncSender<Msg>,
    back: Receiver<Vec<u8>>,
    buf: Vec<u8>,
    n: usize,
    trailers: Vec<Trailer>,
}

impl Out {
    /// Sends the chunk filled so far; false when the reader is gone.
    fn flush(&mut self) -> bool {
        if self.n == 0 && self.trailers.is_empty() {
            return true;
        }
        let next = self.back.try_recv().unwrap_or_else(|_| vec![0; BUF]);
        let full = std::mem::replace(&mut self.buf, next);
        let n = std::mem::take(&mut self.n);
        let t = std::mem::take(&mut self.trailers);
        self.tx.send(Msg::Data(full, n, t)).is_ok()
    }

    fn send(&mut self, m: Msg) -> bool {
        self.flush() && self.tx.send(m).is_ok()
    }
}

/// Inflates every member of `input` into `out`; returns when the stream
/// ends, fails, or the reader is gone.
fn inflate<R: BufRead>(input: R, out: &mut Out) {
    let mut dec = DeflateDecoder::new(input);
    loop {
        if let Err(e) = header(dec.get_mut()) {
            out.send(Msg::Fail(e));
            return;
        }
        loop {
            match dec.read(&mut out.buf[out.n..]) {
                Ok(0) => break,
                Ok(k) => {
                    out.n += k;
                    if out.n == out.buf.len() && !out.flush() {
                        return;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    out.send(Msg::Fail(e));
                    return;
                }
            }
        }
        let mut t = [0u8; 8];
        if let Err(e) = fill(dec.get_mut(), &mut t) {
            out.send(Msg::Fail(e));
            return;
        }
        out.trailers.push(Trailer {
            at: out.n,
            crc: u32::from_le_bytes([t[0], t[1], t[2], t[3]]),
            size: u32::from_le_bytes([t[4], t[5], t[6], t[7]]),
        });
        // Members that inflate to little (empty ones) fill no chunk: their
        // trailers go on after at most MAX_TRAILERS, so memory stays flat.
        if out.trailers.len() >= MAX_TRAILERS && !out.flush() {
            return;
        }
        match dec.get_mut().fill_buf() {
            Ok([]) => return,
            Ok(_) => dec.reset_data(),
            Err(e) => {
                out.send(Msg::Fail(e));
                return;
            }
        }
    }
}

/// The inflated bytes of a gzip stream, inflated on a thread of its own.
pub struct Gunzip {
    rx: Option<Receiver<Msg>>,
    back: Sender<Vec<u8>>,
    cur: Vec<u8>,
    pos: usize,
    len: usize,
    /// Members ending in `cur`, in order.
    trailers: std::collections::VecDeque<Trailer>,
    crc: Crc,
    worker: Option<JoinHandle<()>>,
}

impl Gunzip {
    /// Starts the thread inflating `input`.
    pub fn spawn<R: BufRead + Send + 'static>(input: R) -> io::Result<Gunzip> {
        let (tx, rx) = sync_channel::<Msg>(DEPTH);
        let (back, back_rx) = channel::<Vec<u8>>();
        let worker = std::thread::Builder::new()
            .name("inflate".into())
            .spawn(move || {
                let mut out = Out {
                    tx,
                    back: back_rx,
                    buf: vec![0; BUF],
                    n: 0,
                    trailers: Vec::new(),
                };
                inflate(input, &mut out);
                out.flush();
            })?;
        Ok(Gunzip {
            rx: Some(rx),
            back,
            cur: Vec::new(),
            pos: 0,
            len: 0,
            trailers: Default::default(),
            crc: Crc::new(),
            worker: Some(worker),
        })
    }
}

impl Gunzip {
    /// Checks the member ending at `pos`, if one does.
    fn check(&mut self) -> io::Result<()> {
        while let Some(t) = self.trailers.front().copied() {
            if t.at != self.pos {
                break;
            }
            self.trailers.pop_front();
            if t.crc != self.crc.sum() || t.size != self.crc.amount() {
                self.rx = None;
                self.trailers.clear();
                self.len = self.pos;
                return Err(corrupt());
            }
            self.crc.reset();
        }
        Ok(())
    }
}

impl Read for Gunzip {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        self.check()?;
        while self.pos == self.len {
            let Some(rx) = &self.rx else { return Ok(0) };
            match rx.recv() {
                Ok(Msg::Data(buf, n, trailers)) => {
                    let old = std::mem::replace(&mut self.cur, buf);
                    if !old.is_empty() {
                        let _ = self.back.send(old);
                    }
                    self.pos = 0;
                    self.len = n;
                    self.trailers.extend(trailers);
                    self.check()?;
                }
                Ok(Msg::Fail(e)) => {
                    self.rx = None;
                    return Err(e);
                }
                Err(_) => {
                    self.rx = None;
                    return Ok(0);
                }
            }
        }
        // Up to the next member's end, where its CRC is checked.
        let end = self.trailers.front().map_or(self.len, |t| t.at);
        let k = out.len().min(end - self.pos);
        out[..k].copy_from_slice(&self.cur[self.pos..self.pos + k]);
        self.crc.update(&self.cur[self.pos..self.pos + k]);
        self.pos += k;
        // A member ending here is checked at the next read, as `flate2`
        // gives the last bytes and then the error.
        Ok(k)
    }
}

impl Drop for Gunzip {
    fn drop(&mut self) {
        // Closing the channel stops the thread at its next chunk.
        self.rx = None;
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}

#[cfg(test)]
mod tests;
