//! A log read line by line within a bound: a line longer than
//! [`MAX_LINE`] is skipped to its end without being kept, and counted as
//! unreadable. TFTP servers' lines are short (a name is at most a packet,
//! 512 bytes); only a damaged or hostile file has longer ones.

use std::io::{self, BufRead};

/// The longest log line read, in bytes (its newline included).
pub const MAX_LINE: usize = 64 * 1024;

/// What [`Lines::next`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// A whole line: [`Lines::text`].
    Line,
    /// A line longer than [`MAX_LINE`], skipped.
    Cut,
}

/// The line being read, kept across reads (`log --follow` reads a line
/// still being written in several goes).
#[derive(Debug, Default)]
pub struct Lines {
    buf: Vec<u8>,
    cut: bool,
    /// `buf` holds the line returned last.
    ready: bool,
    /// Bytes read in all.
    pub read: u64,
}

impl Lines {
    /// A reader at the start of a log.
    pub fn new() -> Lines {
        Lines::default()
    }

    /// Reads to the end of the next line; `None` when the input has no
    /// more now (a line without its newline is kept: [`Lines::finish`]).
    pub fn next(&mut self, r: &mut dyn BufRead) -> io::Result<Option<Next>> {
        self.start();
        loop {
            let avail = r.fill_buf()?;
            if avail.is_empty() {
                return Ok(None);
            }
            let end = avail.iter().position(|&b| b == b'\n');
            let chunk = &avail[..end.map_or(avail.len(), |i| i + 1)];
            if !self.cut && self.buf.len() + chunk.len() > MAX_LINE {
                self.cut = true;
                self.buf = Vec::new();
            }
            if !self.cut {
                self.buf.extend_from_slice(chunk);
            }
            let n = chunk.len();
            r.consume(n);
            self.read += n as u64;
            if end.is_some() {
                return Ok(Some(self.done()));
            }
        }
    }

    /// The last line when the input ends without a newline.
    pub fn finish(&mut self) -> Option<Next> {
        self.start();
        (self.cut || !self.buf.is_empty()).then(|| self.done())
    }

    fn start(&mut self) {
        if std::mem::take(&mut self.ready) {
            self.buf.clear();
        }
    }

    fn done(&mut self) -> Next {
        match std::mem::take(&mut self.cut) {
            true => Next::Cut,
            false => {
                self.ready = true;
                Next::Line
            }
        }
    }

    /// The line [`Lines::next`] returned (bytes that are not UTF-8 replaced).
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(input: &[u8], cap: usize) -> Vec<Option<String>> {
        let mut r = io::BufReader::with_capacity(cap, input);
        let mut l = Lines::new();
        let mut out = Vec::new();
        while let Some(got) = l.next(&mut r).unwrap() {
            out.push((got == Next::Line).then(|| l.text().into_owned()));
        }
        if let Some(got) = l.finish() {
            out.push((got == Next::Line).then(|| l.text().into_owned()));
        }
        assert_eq!(l.finish(), None);
        assert_eq!(l.read, input.len() as u64);
        out
    }

    #[test]
    fn long_lines_are_skipped_and_the_next_read() {
        let mut input = b"a\n".to_vec();
        input.extend(vec![b'x'; MAX_LINE * 3]);
        input.extend(b"\nb\nc");
        for cap in [7, 8192, 1 << 20] {
            let got = all(&input, cap);
            assert_eq!(
                got,
                vec![
                    Some("a\n".into()),
                    None,
                    Some("b\n".into()),
                    Some("c".into())
                ],
                "{cap}"
            );
        }
        // A line of exactly the bound is read.
        let mut exact = vec![b'y'; MAX_LINE - 1];
        exact.push(b'\n');
        assert_eq!(all(&exact, 4096).len(), 1);
        assert!(all(&exact, 4096)[0].is_some());
    }
}
