//! The whole-member path (libdeflate) and the streaming path (zlib-rs) give
//! the same members, bytes and problems, whatever the deflate data is:
//! random, truncated, corrupted, or lying about its size or CRC.

use std::io::{self, Read, Write};

use proptest::prelude::*;
use sha2::Digest;

use super::super::{MemberInfo, Problem, Sink};
use super::{Limits, Whole, walk_with};

/// Everything a reader told its sink, in order.
#[derive(Default)]
struct Record(Vec<String>);

impl Sink for Record {
    fn member(&mut self, info: &MemberInfo, data: &mut dyn Read) -> io::Result<()> {
        let mut bytes = Vec::new();
        let r = data.read_to_end(&mut bytes);
        self.0.push(format!(
            "member {} {:?} {} -> {} bytes {:?}",
            info.path,
            info.kind,
            info.size,
            bytes.len(),
            sha2::Sha256::digest(&bytes).as_slice()
        ));
        r.map(|_| ())
    }

    fn problem(&mut self, problem: Problem, member: Option<&str>, detail: String) {
        self.0
            .push(format!("problem {problem:?} {member:?} {detail}"));
    }
}

fn crc32(b: &[u8]) -> u32 {
    let mut h = flate2::Crc::new();
    h.update(b);
    h.sum()
}

/// A one-member zip: `data` stored as method 8 (deflate) with the sizes and
/// CRC given, local header and central directory agreeing.
fn zip_of(name: &str, data: &[u8], size: u32, crc: u32) -> Vec<u8> {
    let n = name.as_bytes();
    let fields = |out: &mut Vec<u8>| {
        out.extend_from_slice(&20u16.to_le_bytes()); // version needed
        out.extend_from_slice(&0u16.to_le_bytes()); // flags
        out.extend_from_slice(&8u16.to_le_bytes()); // deflate
        out.extend_from_slice(&[0, 0, 0x21, 0]); // time, date
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&(n.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // extra
    };
    let mut z = b"PK\x03\x04".to_vec();
    fields(&mut z);
    z.extend_from_slice(n);
    z.extend_from_slice(data);
    let cd = z.len() as u32;
    z.extend_from_slice(b"PK\x01\x02\x14\x03");
    fields(&mut z);
    z.extend_from_slice(&[0; 6]); // comment, disk, internal attributes
    z.extend_from_slice(&(0o100644u32 << 16).to_le_bytes());
    z.extend_from_slice(&0u32.to_le_bytes()); // local header offset
    z.extend_from_slice(n);
    let cd_len = z.len() as u32 - cd;
    z.extend_from_slice(b"PK\x05\x06\0\0\0\0\x01\0\x01\0");
    z.extend_from_slice(&cd_len.to_le_bytes());
    z.extend_from_slice(&cd.to_le_bytes());
    z.extend_from_slice(&0u16.to_le_bytes());
    z
}

fn deflate(b: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::new(6));
    e.write_all(b).unwrap_or_default();
    e.finish().unwrap_or_default()
}

/// What each path reports for `zip`.
fn both(zip: &[u8], limits: &Limits) -> (Vec<String>, Vec<String>) {
    let (whole, stream, _) = both_counted(zip, limits);
    (whole, stream)
}

/// [`both`], with the number of members the whole path inflated.
fn both_counted(zip: &[u8], limits: &Limits) -> (Vec<String>, Vec<String>, u64) {
    let d = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let p = d.path().join("z.zip");
    std::fs::write(&p, zip).unwrap_or_else(|e| panic!("{e}"));
    let run = |mut whole: Whole| {
        let mut r = Record::default();
        walk_with(&p, limits, None, &mut whole, &mut r).unwrap_or_else(|e| panic!("{e}"));
        (r.0, whole.inflated)
    };
    let ((whole, n), (stream, _)) = (run(Whole::new()), run(Whole::off()));
    (whole, stream, n)
}

/// Compressible bytes of `len` from `seed` (a few distinct words).
fn text(seed: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| b"abcdefgh"[(i / 7 + seed as usize) % 8] ^ (i % 3) as u8)
        .collect()
}

#[test]
fn a_good_member_takes_the_whole_path_and_reads_as_streamed() {
    let data = text(1, 300_000);
    let z = zip_of("a.sbn", &deflate(&data), data.len() as u32, crc32(&data));
    let (whole, stream, inflated) = both_counted(&z, &Limits::default());
    assert_eq!(whole, stream);
    assert!(whole[0].contains("-> 300000 bytes"), "{whole:?}");
    assert_eq!(inflated, 1);
}

#[test]
fn a_member_larger_or_smaller_than_declared_or_of_another_crc_reads_as_streamed() {
    let data = text(2, 200_000);
    let packed = deflate(&data);
    let (n, c) = (data.len() as u32, crc32(&data));
    for (size, crc) in [(n - 1, c), (n + 1, c), (n, c ^ 1), (0, c), (n * 4, c)] {
        let (whole, stream) = both(&zip_of("a.sbn", &packed, size, crc), &Limits::default());
        assert_eq!(whole, stream, "declared {size}, crc {crc:x}");
        assert!(whole.iter().any(|l| l.starts_with("problem")), "{size}");
    }
}

#[test]
fn a_bomb_that_lies_about_its_size_is_stopped_as_streamed() {
    let zeros = vec![0u8; 3 << 20];
    let packed = deflate(&zeros);
    let z = zip_of("bomb.bin", &packed, 1000, crc32(&zeros));
    let (whole, stream) = both(&z, &Limits::default());
    assert_eq!(whole, stream);
    let tight = Limits {
        ratio: 20,
        ..Limits::default()
    };
    let z = zip_of("bomb.bin", &packed, zeros.len() as u32, crc32(&zeros));
    let (whole, stream, inflated) = both_counted(&z, &tight);
    assert_eq!(whole, stream);
    assert!(whole.iter().any(|l| l.contains("compression bomb")));
    assert_eq!(
        inflated, 1,
        "inflated whole, then streamed for the guard to stop"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_truncated_and_corrupt_deflate_streams_read_alike(
        seed in any::<u8>(),
        len in 0usize..200_000,
        random in any::<bool>(),
        cut in proptest::option::of(0.0f64..1.0),
        flips in proptest::collection::vec((0.0f64..1.0, 1u8..=255), 0..4),
        size_delta in -2i64..=2,
        noise in proptest::collection::vec(any::<u8>(), 0..2000),
    ) {
        let data = text(seed, len);
        let mut packed = if random { noise } else { deflate(&data) };
        if let Some(c) = cut {
            packed.truncate((packed.len() as f64 * c) as usize);
        }
        for (at, x) in flips {
            if !packed.is_empty() {
                let i = ((packed.len() - 1) as f64 * at) as usize;
                packed[i] ^= x;
            }
        }
        let size = (len as i64 + size_delta).max(0) as u32;
        let z = zip_of("m.sbn", &packed, size, crc32(&data));
        let (whole, stream) = both(&z, &Limits::default());
        prop_assert_eq!(whole, stream);
    }
}
