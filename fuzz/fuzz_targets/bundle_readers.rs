//! Every bundle reader (zip, tar, tar.gz, .cop.sgn) and the whole `inspect`
//! pipeline behind them never panic or hang on any bytes, and stay within
//! small limits (so a bomb is cut short).
//!
//! Besides raw bytes, two shapes are built from the input so the fuzzer
//! reaches them at once: a zip whose central entries all point into one
//! local entry (first byte 0xF0), and a tar.gz with data after the
//! end-of-archive marker (first byte 0xF1).
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;
use loadsmith::bundle::{self, Detected, Format, Limits};
use loadsmith::inspect::{self, Options, Source};

const FORMATS: [Format; 4] = [Format::Zip, Format::Tar, Format::TarGz, Format::CopSgn];

/// A stored zip: one local entry holding `data`, and `copies` central
/// entries pointing at it (and at offsets the input chooses).
fn overlapping_zip(data: &[u8]) -> Vec<u8> {
    let (copies, skew, body) = match data {
        [c, s, rest @ ..] => (usize::from(*c % 64) + 1, u32::from(*s), rest),
        _ => (2, 0, data),
    };
    let crc = 0u32;
    let len = body.len() as u32;
    let mut z = Vec::new();
    z.extend_from_slice(b"PK\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00");
    z.extend_from_slice(&crc.to_le_bytes());
    z.extend_from_slice(&len.to_le_bytes());
    z.extend_from_slice(&len.to_le_bytes());
    z.extend_from_slice(&5u16.to_le_bytes());
    z.extend_from_slice(&0u16.to_le_bytes());
    z.extend_from_slice(b"a.sbn");
    z.extend_from_slice(body);
    let cd = z.len() as u32;
    for i in 0..copies {
        let name = format!("{:05}", i);
        z.extend_from_slice(b"PK\x01\x02\x14\x00\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00");
        z.extend_from_slice(&crc.to_le_bytes());
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&5u16.to_le_bytes());
        z.extend_from_slice(&[0u8; 12]);
        let offset = if i % 2 == 0 { 0 } else { skew % (cd + 1) };
        z.extend_from_slice(&offset.to_le_bytes());
        z.extend_from_slice(name.as_bytes());
    }
    let size = z.len() as u32 - cd;
    z.extend_from_slice(b"PK\x05\x06\x00\x00\x00\x00");
    z.extend_from_slice(&(copies as u16).to_le_bytes());
    z.extend_from_slice(&(copies as u16).to_le_bytes());
    z.extend_from_slice(&size.to_le_bytes());
    z.extend_from_slice(&cd.to_le_bytes());
    z.extend_from_slice(&0u16.to_le_bytes());
    z
}

/// A tar.gz of the first half of `data` as a member, followed inside the
/// gzip stream by the second half after the end-of-archive marker.
fn tar_then(data: &[u8]) -> Vec<u8> {
    let (member, after) = data.split_at(data.len() / 2);
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_ustar();
    h.set_size(member.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    let _ = b.append_data(&mut h, "P0S3-8-12-00.sb2", member);
    let mut t = b.into_inner().unwrap_or_default();
    t.extend_from_slice(after);
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let _ = e.write_all(&t);
    e.finish().unwrap_or_default()
}

fuzz_target!(|data: &[u8]| {
    let bytes = match data.first() {
        Some(0xF0) => overlapping_zip(&data[1..]),
        Some(0xF1) => tar_then(&data[1..]),
        _ => data.to_vec(),
    };
    let dir = std::env::temp_dir().join(format!("loadsmith-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("input.cop.sgn");
    if std::fs::write(&path, &bytes).is_err() {
        return;
    }
    let opts = Options {
        jobs: 1,
        limits: Limits {
            member_size: 4 << 20,
            total_size: 16 << 20,
            ..Limits::default()
        },
        ..Options::default()
    };
    // As detected, then forced through every reader.
    if let Ok(Detected::Bundle(format)) = bundle::detect(&path) {
        let _ = inspect::inspect(
            &Source::Bundle {
                path: path.clone(),
                format,
            },
            &opts,
        );
    }
    for format in FORMATS {
        let _ = inspect::inspect(
            &Source::Bundle {
                path: path.clone(),
                format,
            },
            &opts,
        );
    }
});
