//! `CNU_File_Archive_3.0`: the archive inside 79x1-family component `.sbn` bodies.
//!
//! Offsets are relative to the body start B; integers are u32 big endian:
//! magic (48 bytes) · entry count · content offset · magic again (528 bytes) ·
//! 20-byte entries `type, flags, size, mtime, name_offset` · NUL-terminated
//! names. File data follows at B + content offset, in table order; on every
//! real file, `content offset + Σ size` is the body length. See `formats.md` §3.

use serde::Serialize;

/// The magic at the start of the body.
pub const MAGIC: &[u8] = b"CNU_File_Archive_3.0";
/// Most entries accepted in a table (real ones have under 200).
pub const MAX_ENTRIES: u32 = 65_536;
const TABLE: usize = 0x248;

/// One entry of the table.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CnuEntry {
    /// Entry type (6 raw image, 7 named file).
    pub kind: u32,
    /// Flags (1 seen with size 0).
    pub flags: u32,
    /// Data size.
    pub size: u32,
    /// Modification time (unix seconds).
    pub mtime: u32,
    /// Name, when the entry has one.
    pub name: Option<String>,
}

/// A decoded table.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CnuArchive {
    /// Content offset, relative to the body.
    pub content_offset: u32,
    /// The body length the table implies: content offset + Σ sizes.
    pub expected_body_len: u64,
    /// The entries.
    pub entries: Vec<CnuEntry>,
}

/// Why a table could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CnuError {
    /// The body does not start with the magic.
    #[error("not a CNU_File_Archive_3.0 body")]
    NotCnu,
    /// The table runs past the bytes available.
    #[error("the archive table runs past the end of the data read ({0} bytes)")]
    PastEnd(usize),
    /// The entry count is absurd.
    #[error("entry count {0} is more than {MAX_ENTRIES}")]
    TooMany(u32),
}

/// True when `body` starts with the CNU magic.
pub fn is_cnu(body: &[u8]) -> bool {
    body.starts_with(MAGIC)
}

fn be32(b: &[u8], at: usize) -> Result<u32, CnuError> {
    b.get(at..at + 4)
        .map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
        .ok_or(CnuError::PastEnd(b.len()))
}

/// Decodes the table from the start of a body (a prefix is enough when it holds the table and names).
pub fn parse(body: &[u8]) -> Result<CnuArchive, CnuError> {
    if !is_cnu(body) {
        return Err(CnuError::NotCnu);
    }
    let count = be32(body, 0x30)?;
    let content_offset = be32(body, 0x34)?;
    if count > MAX_ENTRIES {
        return Err(CnuError::TooMany(count));
    }
    let mut expected = u64::from(content_offset);
    let mut entries = Vec::with_capacity(count.min(1024) as usize);
    for i in 0..count as usize {
        let at = TABLE + 20 * i;
        let (kind, flags, size, mtime, name_off) = (
            be32(body, at)?,
            be32(body, at + 4)?,
            be32(body, at + 8)?,
            be32(body, at + 12)?,
            be32(body, at + 16)?,
        );
        expected += u64::from(size);
        let name = if name_off == 0 {
            None
        } else {
            let start = name_off as usize;
            let rest = body.get(start..).ok_or(CnuError::PastEnd(body.len()))?;
            let end = rest
                .iter()
                .take(4096)
                .position(|&c| c == 0)
                .ok_or(CnuError::PastEnd(body.len()))?;
            Some(String::from_utf8_lossy(&rest[..end]).into_owned())
        };
        entries.push(CnuEntry {
            kind,
            flags,
            size,
            mtime,
            name,
        });
    }
    Ok(CnuArchive {
        content_offset,
        expected_body_len: expected,
        entries,
    })
}

/// Builds a CNU body holding `files` (name, data), for tests and fixtures.
pub fn build(files: &[(&str, &[u8])]) -> Vec<u8> {
    let table_end = TABLE + 20 * files.len();
    let names_len: usize = files.iter().map(|(n, _)| n.len() + 1).sum();
    let content = table_end + names_len;
    let mut b = vec![0u8; TABLE];
    b[..MAGIC.len()].copy_from_slice(MAGIC);
    b[0x30..0x34].copy_from_slice(&(files.len() as u32).to_be_bytes());
    b[0x34..0x38].copy_from_slice(&(content as u32).to_be_bytes());
    b[0x38..0x38 + MAGIC.len()].copy_from_slice(MAGIC);
    let mut name_at = table_end;
    for (name, data) in files {
        for v in [7u32, 2, data.len() as u32, 1_260_000_000, name_at as u32] {
            b.extend_from_slice(&v.to_be_bytes());
        }
        name_at += name.len() + 1;
    }
    for (name, _) in files {
        b.extend_from_slice(name.as_bytes());
        b.push(0);
    }
    for (_, data) in files {
        b.extend_from_slice(data);
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_archive_round_trips() {
        let body = build(&[("a.bin", b"hello"), ("b.bin", b"world!")]);
        let a = parse(&body).unwrap();
        assert_eq!(a.entries.len(), 2);
        assert_eq!(a.entries[1].name.as_deref(), Some("b.bin"));
        assert_eq!(a.expected_body_len, body.len() as u64);
    }

    #[test]
    fn real_component_tables_add_up() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/realworld/sip-7941-7961-8.5.4");
        let Ok(bytes) = std::fs::read(dir.join("cnu41.8-5-4TH1-6.sbn")) else {
            eprintln!("skipped: ../shared/realworld is absent");
            return;
        };
        let h = crate::signed::header::parse(&bytes).unwrap();
        let body = &bytes[h.header_len as usize..];
        let a = parse(body).unwrap();
        assert_eq!(a.entries.len(), 0x11);
        assert_eq!(a.expected_body_len, body.len() as u64);
    }

    #[test]
    fn hostile_tables() {
        assert_eq!(parse(b"nope"), Err(CnuError::NotCnu));
        let mut b = build(&[("a", b"x")]);
        b[0x30..0x34].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(parse(&b), Err(CnuError::TooMany(u32::MAX)));
        let mut b = build(&[("a", b"x")]);
        b[0x30..0x34].copy_from_slice(&1000u32.to_be_bytes());
        assert!(matches!(parse(&b), Err(CnuError::PastEnd(_))));
        // Sizes that would overflow 32 bits add up in 64.
        let mut b = build(&[("a", b"x"), ("b", b"y")]);
        b[TABLE + 8..TABLE + 12].copy_from_slice(&u32::MAX.to_be_bytes());
        b[TABLE + 28..TABLE + 32].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(parse(&b).unwrap().expected_body_len > u64::from(u32::MAX));
    }
}
