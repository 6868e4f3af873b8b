//! A watch on a tar stream as it passes to the `tar` crate: it follows the
//! 512-byte blocks, so it sees every header, including the ones the crate
//! consumes itself (PAX records, GNU long names) and the ones after the
//! end-of-archive marker that the crate never looks at.
//!
//! - A PAX or GNU long-name record is metadata of a few hundred bytes; the
//!   `tar` crate reads one whole into memory. The watch stops the stream at a
//!   record over [`META_MAX`] bytes, so a crafted archive cannot make it
//!   allocate gigabytes.
//! - A valid header after the end-of-archive marker is a member `tar -i`
//!   would extract and we would not see: the watch remembers its name.

use std::io::{self, Read};

use super::limits::{Exceeded, Which, bytes};

/// Largest PAX extended header or GNU long name/link record accepted.
pub const META_MAX: u64 = 1024 * 1024;

const BLOCK: usize = 512;

/// Passes a tar stream through, watching its headers.
pub struct Watch<R> {
    inner: R,
    /// Data bytes left before the next header block.
    skip: u64,
    block: Vec<u8>,
    /// A zero block was seen where a header belongs: the archive has ended.
    ended: bool,
    /// A header found after the end of the archive.
    pub hidden: Option<String>,
}

impl<R: Read> Watch<R> {
    /// Watches `inner`.
    pub fn new(inner: R) -> Watch<R> {
        Watch {
            inner,
            skip: 0,
            block: Vec::with_capacity(BLOCK),
            ended: false,
            hidden: None,
        }
    }

    fn header(&mut self) -> io::Result<()> {
        let b = &self.block;
        if b.iter().all(|&x| x == 0) {
            self.ended = true;
            return Ok(());
        }
        if !checksum_ok(b) {
            // Not a header: garbage after the end, or damage the crate reports.
            return Ok(());
        }
        let size = size_of(b);
        if self.ended {
            if self.hidden.is_none() {
                let name = &b[..100];
                let end = name.iter().position(|&c| c == 0).unwrap_or(100);
                self.hidden = Some(String::from_utf8_lossy(&name[..end]).into_owned());
            }
        } else if matches!(b[156], b'x' | b'g' | b'L' | b'K') && size > META_MAX {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                Exceeded {
                    which: Which::MemberSize,
                    message: format!(
                        "a PAX or long-name record of {}, where real ones are a few hundred bytes (at most {} is read): a crafted archive",
                        bytes(size),
                        bytes(META_MAX)
                    ),
                },
            ));
        }
        self.skip = size.div_ceil(BLOCK as u64) * BLOCK as u64;
        Ok(())
    }

    fn watch(&mut self, mut data: &[u8]) -> io::Result<()> {
        while !data.is_empty() {
            if self.skip > 0 {
                let k = data
                    .len()
                    .min(usize::try_from(self.skip).unwrap_or(usize::MAX));
                self.skip -= k as u64;
                data = &data[k..];
                continue;
            }
            let k = data.len().min(BLOCK - self.block.len());
            self.block.extend_from_slice(&data[..k]);
            data = &data[k..];
            if self.block.len() == BLOCK {
                let r = self.header();
                self.block.clear();
                r?;
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for Watch<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.watch(&buf[..n])?;
        Ok(n)
    }
}

/// The header's checksum (bytes 148..156, octal) equals the sum of its bytes
/// with that field read as spaces.
fn checksum_ok(b: &[u8]) -> bool {
    let want = octal(&b[148..156]);
    let sum: u64 = b
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            if (148..156).contains(&i) {
                32
            } else {
                u64::from(x)
            }
        })
        .sum();
    want == Some(sum)
}

fn octal(f: &[u8]) -> Option<u64> {
    let t: Vec<u8> = f
        .iter()
        .copied()
        .skip_while(|&c| c == b' ')
        .take_while(|&c| c != 0 && c != b' ')
        .collect();
    if t.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(std::str::from_utf8(&t).ok()?, 8).ok()
}

/// The size field (bytes 124..136): octal, or base-256 when the top bit is set.
fn size_of(b: &[u8]) -> u64 {
    let f = &b[124..136];
    if f[0] & 0x80 != 0 {
        f[4..].iter().fold(0u64, |a, &x| {
            a.saturating_mul(256).saturating_add(u64::from(x))
        })
    } else {
        octal(f).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar_of(names: &[&str]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for n in names {
            let mut h = tar::Header::new_ustar();
            h.set_size(700);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, n, &[7u8; 700][..]).unwrap();
        }
        b.into_inner().unwrap()
    }

    #[test]
    fn a_member_after_the_end_is_seen() {
        let mut bytes = tar_of(&["a.sbn"]);
        bytes.extend(tar_of(&["SIPDefault.cnf"]));
        let mut w = Watch::new(&bytes[..]);
        io::copy(&mut w, &mut io::sink()).unwrap();
        assert_eq!(w.hidden.as_deref(), Some("SIPDefault.cnf"));
        let plain = tar_of(&["a.sbn", "b.sbn"]);
        let mut w = Watch::new(&plain[..]);
        io::copy(&mut w, &mut io::sink()).unwrap();
        assert_eq!(w.hidden, None);
    }

    #[test]
    fn a_huge_pax_record_stops_the_stream() {
        let mut h = tar::Header::new_ustar();
        h.set_entry_type(tar::EntryType::XHeader);
        h.set_size(META_MAX + 1);
        h.set_cksum();
        let mut bytes = h.as_bytes().to_vec();
        bytes.extend(vec![b'9'; 4096]);
        let e = io::copy(&mut Watch::new(&bytes[..]), &mut io::sink()).unwrap_err();
        assert!(e.to_string().contains("PAX"), "{e}");
    }
}
