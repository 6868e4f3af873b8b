//! A bounded look at a zip's end records and central directory, taken before
//! the `zip` crate reads it: how many entries the archive declares (so
//! `--max-members` applies before anything is held in memory), whether any
//! entries' data overlap (one block of zeros counted thousands of times: a
//! bomb no per-member limit sees), and whether a local header names its
//! member otherwise than the central directory does (a tool that streams
//! from local headers would write that other name).
//!
//! Only offsets and sizes are kept, 16 bytes an entry, for at most
//! `--max-members` entries. A zip this scan cannot make sense of is left to
//! the `zip` crate, which reports the damage.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};

use super::limits::Limits;

const EOCD: [u8; 4] = *b"PK\x05\x06";
const EOCD64_LOCATOR: [u8; 4] = *b"PK\x06\x07";
const EOCD64: [u8; 4] = *b"PK\x06\x06";
const CENTRAL: [u8; 4] = *b"PK\x01\x02";
const LOCAL: [u8; 4] = *b"PK\x03\x04";

/// What the scan found.
#[derive(Debug, Default)]
pub struct Scan {
    /// Entries the end record declares.
    pub declared: u64,
    /// Entries whose data overlap another's: (one, the other).
    pub overlaps: Vec<(String, String)>,
    /// Members whose local header names them otherwise: (central, local).
    pub renamed: Vec<(String, String)>,
}

/// One central-directory entry, as much as the checks need.
struct Entry {
    name: String,
    offset: u64,
    packed: u64,
}

fn u16_at(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 2)
        .map_or(0, |s| u64::from(u16::from_le_bytes([s[0], s[1]])))
}

fn u32_at(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 4).map_or(0, |s| {
        u64::from(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    })
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 8).map_or(0, |s| {
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        u64::from_le_bytes(a)
    })
}

/// Where the central directory is and how many entries it has:
/// (entries, offset, size, shift of all offsets by data prepended).
fn end_records(f: &mut File, len: u64) -> io::Result<Option<(u64, u64, u64, u64)>> {
    let tail_len = len.min(22 + 65_535 + 20);
    let start = len - tail_len;
    let mut tail = vec![0u8; tail_len as usize];
    f.seek(SeekFrom::Start(start))?;
    f.read_exact(&mut tail)?;
    let Some(at) = (0..tail.len().saturating_sub(21))
        .rev()
        .find(|&i| tail[i..i + 4] == EOCD && i + 22 + u16_at(&tail, i + 20) as usize == tail.len())
    else {
        return Ok(None);
    };
    let (mut n, mut size, mut off) = (
        u16_at(&tail, at + 10),
        u32_at(&tail, at + 12),
        u32_at(&tail, at + 16),
    );
    let eocd_pos = start + at as u64;
    if n == 0xFFFF || size == 0xFFFF_FFFF || off == 0xFFFF_FFFF {
        let Some(loc) = at
            .checked_sub(20)
            .filter(|&l| tail[l..l + 4] == EOCD64_LOCATOR)
        else {
            return Ok(None);
        };
        let rec_at = u64_at(&tail, loc + 8);
        let mut rec = [0u8; 56];
        if rec_at.checked_add(56).is_none_or(|e| e > len) {
            return Ok(None);
        }
        f.seek(SeekFrom::Start(rec_at))?;
        f.read_exact(&mut rec)?;
        if rec[..4] != EOCD64 {
            return Ok(None);
        }
        (n, size, off) = (u64_at(&rec, 32), u64_at(&rec, 40), u64_at(&rec, 48));
        return Ok(Some((n, off, size, 0)));
    }
    let shift = eocd_pos.saturating_sub(off + size);
    Ok(Some((n, off, size, shift)))
}

/// Reads `n` central entries at `off` (plus `shift`).
fn central(f: &File, n: u64, off: u64, shift: u64) -> io::Result<Option<Vec<Entry>>> {
    let mut r = BufReader::with_capacity(64 * 1024, f);
    r.seek(SeekFrom::Start(off + shift))?;
    let mut out = Vec::with_capacity(n.min(1 << 16) as usize);
    let mut fixed = [0u8; 46];
    for _ in 0..n {
        r.read_exact(&mut fixed)?;
        if fixed[..4] != CENTRAL {
            return Ok(None);
        }
        let (name_len, extra_len, comment_len) =
            (u16_at(&fixed, 28), u16_at(&fixed, 30), u16_at(&fixed, 32));
        let mut name = vec![0u8; name_len as usize];
        r.read_exact(&mut name)?;
        let mut extra = vec![0u8; extra_len as usize];
        r.read_exact(&mut extra)?;
        r.seek_relative(comment_len as i64)?;
        let (mut unpacked, mut packed, mut offset) =
            (u32_at(&fixed, 24), u32_at(&fixed, 20), u32_at(&fixed, 42));
        zip64_extra(&extra, &mut unpacked, &mut packed, &mut offset);
        out.push(Entry {
            name: String::from_utf8_lossy(&name).into_owned(),
            offset: offset + shift,
            packed,
        });
    }
    Ok(Some(out))
}

/// Applies a zip64 extra field (id 1) to the sizes and offset that say 0xFFFFFFFF.
fn zip64_extra(extra: &[u8], unpacked: &mut u64, packed: &mut u64, offset: &mut u64) {
    let mut i = 0;
    while i + 4 <= extra.len() {
        let (id, len) = (u16_at(extra, i), u16_at(extra, i + 2) as usize);
        let body = extra.get(i + 4..i + 4 + len).unwrap_or_default();
        if id == 1 {
            let mut at = 0;
            for v in [unpacked, packed, offset] {
                if *v == 0xFFFF_FFFF {
                    *v = u64_at(body, at);
                    at += 8;
                }
            }
            return;
        }
        i += 4 + len;
    }
}

/// Scans the zip at `f` (of `len` bytes). `None` when its end records or
/// central directory cannot be read: the `zip` crate then says what is wrong.
pub fn scan(f: &mut File, len: u64, limits: &Limits) -> io::Result<Option<Scan>> {
    let Some((declared, off, _size, shift)) = end_records(f, len)? else {
        return Ok(None);
    };
    let mut scan = Scan {
        declared,
        ..Scan::default()
    };
    if declared > limits.members {
        return Ok(Some(scan));
    }
    let Ok(Some(mut entries)) = central(f, declared, off, shift) else {
        return Ok(None);
    };
    let mut header = [0u8; 30];
    let mut ends = Vec::with_capacity(entries.len());
    for e in &entries {
        f.seek(SeekFrom::Start(e.offset))?;
        if f.read_exact(&mut header).is_err() || header[..4] != LOCAL {
            // Damage the zip crate reports for that member.
            ends.push(e.offset + 30 + e.packed);
            continue;
        }
        let (name_len, extra_len) = (u16_at(&header, 26), u16_at(&header, 28));
        let mut name = vec![0u8; name_len.min(limits.name_len as u64 + 1) as usize];
        f.read_exact(&mut name)?;
        let local = String::from_utf8_lossy(&name);
        if local != e.name {
            scan.renamed.push((e.name.clone(), local.into_owned()));
        }
        ends.push(e.offset + 30 + name_len + extra_len + e.packed);
    }
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by_key(|&i| entries[i].offset);
    for w in order.windows(2) {
        let (a, b) = (w[0], w[1]);
        if entries[b].offset < ends[a] {
            scan.overlaps.push((
                std::mem::take(&mut entries[a].name),
                entries[b].name.clone(),
            ));
        }
    }
    Ok(Some(scan))
}
