//! A file handle that reader threads share: each clone has its own position
//! and buffer, and reads with `pread`, so one parsed zip central directory
//! (the `zip` crate's archive clones share it) serves every thread and
//! memory does not grow with `--jobs`.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Arc;

use super::tap::Tap;

/// The size of the read buffers ([`buffer`]).
pub const BUF: usize = 256 * 1024;

/// Read buffers a thread keeps for its next bundle.
const KEPT: usize = 6;

thread_local! {
    static FREE: std::cell::RefCell<Vec<Vec<u8>>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A zeroed-once read buffer of [`BUF`] bytes, from those this thread kept.
///
/// Read buffers (and members' head buffers) live per thread across
/// bundles and members instead of being allocated and freed for each: no
/// allocation per bundle of this size, no zeroing again. (What kept glibc's
/// per-thread arenas large with many bundles was the reports allocated
/// between such blocks: `inspect::inspect_all` copies them out.)
pub fn buffer() -> Vec<u8> {
    kept(|v| v.len() == BUF).unwrap_or_else(|| vec![0; BUF])
}

/// An empty buffer with room for [`HEAD`] bytes, from those this thread kept.
pub fn head_buffer() -> Vec<u8> {
    kept(|v| v.len() != BUF && v.capacity() >= HEAD).unwrap_or_else(|| Vec::with_capacity(HEAD))
}

/// Room of a [`head_buffer`]: a member's head (`inspect::member::HEAD_CAP`).
pub const HEAD: usize = 64 * 1024;

fn kept(fits: impl Fn(&Vec<u8>) -> bool) -> Option<Vec<u8>> {
    FREE.with(|f| {
        let mut f = f.try_borrow_mut().ok()?;
        let i = f.iter().position(fits)?;
        Some(f.swap_remove(i))
    })
}

/// Gives a buffer from [`buffer`] or [`head_buffer`] back to this thread
/// for later.
pub fn recycle(b: Vec<u8>) {
    if b.len() != BUF && b.capacity() < HEAD {
        return;
    }
    FREE.with(|f| {
        if let Ok(mut f) = f.try_borrow_mut()
            && f.len() < KEPT
        {
            f.push(b);
        }
    });
}

/// A shared file with a position and a read buffer of its own.
#[derive(Debug)]
pub struct SharedFile {
    file: Arc<File>,
    len: u64,
    /// Position of the next byte handed out.
    pos: u64,
    buf: Vec<u8>,
    /// File offset of `buf[0]`, and how many bytes of `buf` are valid.
    buf_at: u64,
    buf_len: usize,
    /// Shown every block read (shared by the clones).
    tap: Option<Arc<Tap>>,
}

impl Clone for SharedFile {
    fn clone(&self) -> SharedFile {
        SharedFile {
            file: Arc::clone(&self.file),
            len: self.len,
            pos: self.pos,
            buf: Vec::new(),
            buf_at: 0,
            buf_len: 0,
            tap: self.tap.clone(),
        }
    }
}

impl SharedFile {
    /// Wraps an open file.
    pub fn new(file: File) -> io::Result<SharedFile> {
        let len = file.metadata()?.len();
        Ok(SharedFile {
            file: Arc::new(file),
            len,
            pos: 0,
            buf: Vec::new(),
            buf_at: 0,
            buf_len: 0,
            tap: None,
        })
    }

    /// The file itself, shared.
    pub fn handle(&self) -> Arc<File> {
        Arc::clone(&self.file)
    }

    /// Shows every block read, by this handle and its clones, to `tap`.
    pub fn tapped(mut self, tap: Option<Arc<Tap>>) -> SharedFile {
        self.tap = tap;
        self
    }

    #[cfg(unix)]
    fn read_at(&self, buf: &mut [u8], at: u64) -> io::Result<usize> {
        std::os::unix::fs::FileExt::read_at(&*self.file, buf, at)
    }

    #[cfg(windows)]
    fn read_at(&self, buf: &mut [u8], at: u64) -> io::Result<usize> {
        std::os::windows::fs::FileExt::seek_read(&*self.file, buf, at)
    }
}

impl Read for SharedFile {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let in_buf = self.pos >= self.buf_at && self.pos < self.buf_at + self.buf_len as u64;
        if !in_buf {
            if out.len() >= BUF {
                let n = self.read_at(out, self.pos)?;
                if let Some(t) = &self.tap {
                    t.saw(self.pos, &out[..n]);
                }
                self.pos += n as u64;
                return Ok(n);
            }
            if self.buf.is_empty() {
                self.buf = buffer();
            }
            let mut buf = std::mem::take(&mut self.buf);
            let n = self.read_at(&mut buf, self.pos);
            self.buf = buf;
            self.buf_at = self.pos;
            self.buf_len = n?;
            if self.buf_len == 0 {
                return Ok(0);
            }
            if let Some(t) = &self.tap {
                t.saw(self.buf_at, &self.buf[..self.buf_len]);
            }
        }
        let from = (self.pos - self.buf_at) as usize;
        let k = out.len().min(self.buf_len - from);
        out[..k].copy_from_slice(&self.buf[from..from + k]);
        self.pos += k as u64;
        Ok(k)
    }
}

/// A [`buffer`] given back to its thread when dropped.
#[derive(Debug)]
pub struct Buffer(Vec<u8>);

impl Buffer {
    /// A buffer of [`BUF`] bytes.
    pub fn new() -> Buffer {
        Buffer(buffer())
    }

    /// An empty buffer with room for [`HEAD`] bytes.
    pub fn head() -> Buffer {
        Buffer(head_buffer())
    }
}

impl Default for Buffer {
    fn default() -> Buffer {
        Buffer::new()
    }
}

impl std::ops::Deref for Buffer {
    type Target = Vec<u8>;
    fn deref(&self) -> &Vec<u8> {
        &self.0
    }
}

impl std::ops::DerefMut for Buffer {
    fn deref_mut(&mut self) -> &mut Vec<u8> {
        &mut self.0
    }
}

impl Drop for Buffer {
    fn drop(&mut self) {
        recycle(std::mem::take(&mut self.0));
    }
}

impl Drop for SharedFile {
    fn drop(&mut self) {
        recycle(std::mem::take(&mut self.buf));
    }
}

impl Seek for SharedFile {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let base = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = base.ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek before the start of the file",
            )
        })?;
        Ok(self.pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_read_independently() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f");
        let data: Vec<u8> = (0..600_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&p, &data).unwrap();
        let mut a = SharedFile::new(File::open(&p).unwrap()).unwrap();
        let mut b = a.clone();
        let mut x = [0u8; 10];
        a.seek(SeekFrom::Start(300_000)).unwrap();
        a.read_exact(&mut x).unwrap();
        assert_eq!(&x[..], &data[300_000..300_010]);
        b.read_exact(&mut x).unwrap();
        assert_eq!(&x[..], &data[..10]);
        let mut all = Vec::new();
        b.seek(SeekFrom::End(-5)).unwrap();
        b.read_to_end(&mut all).unwrap();
        assert_eq!(all, &data[data.len() - 5..]);
        let mut whole = Vec::new();
        a.seek(SeekFrom::Start(0)).unwrap();
        a.read_to_end(&mut whole).unwrap();
        assert_eq!(whole, data);
    }
}
