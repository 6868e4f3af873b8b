//! The gzip reader gives what `flate2`'s `MultiGzDecoder` gives, byte for
//! byte and error for error, on whole, multi-member, truncated and corrupt
//! streams, and headers with every optional field.

use std::io::{self, Read, Write};

use proptest::prelude::*;

use super::*;

/// Everything a reader gives: its bytes, then its error (kind and text).
type Given = (Vec<u8>, Option<(io::ErrorKind, String)>);

fn drain(mut r: impl Read) -> Given {
    let mut out = Vec::new();
    let mut buf = vec![0u8; 7919];
    loop {
        match r.read(&mut buf) {
            Ok(0) => return (out, None),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) => return (out, Some((e.kind(), e.to_string()))),
        }
    }
}

/// What the previous reader handed on: `flate2`'s `MultiGzDecoder` read on
/// its own thread into buffers of [`BUF`] filled in turn (a read that fails
/// gives up the bytes it inflated, so where buffers start matters).
fn as_before(gz: &[u8]) -> Given {
    let mut r = flate2::bufread::MultiGzDecoder::new(gz);
    let mut out = Vec::new();
    loop {
        let mut buf = vec![0u8; BUF];
        let mut n = 0;
        let end = loop {
            match r.read(&mut buf[n..]) {
                Ok(0) => break Some(None),
                Ok(k) => {
                    n += k;
                    if n == BUF {
                        break None;
                    }
                }
                Err(e) => break Some(Some((e.kind(), e.to_string()))),
            }
        };
        out.extend_from_slice(&buf[..n]);
        if let Some(e) = end {
            return (out, e);
        }
    }
}

fn both(gz: &[u8]) -> [Given; 2] {
    let ours = drain(Gunzip::spawn(io::Cursor::new(gz.to_vec())).unwrap());
    [ours, as_before(gz)]
}

fn gzip(
    data: &[u8],
    level: u32,
    name: Option<&[u8]>,
    comment: Option<&[u8]>,
    extra: bool,
) -> Vec<u8> {
    let mut b = flate2::GzBuilder::new();
    if let Some(n) = name {
        b = b.filename(n);
    }
    if let Some(c) = comment {
        b = b.comment(c);
    }
    if extra {
        b = b.extra(vec![1, 2, 3, 4]);
    }
    let mut e = b.write(Vec::new(), flate2::Compression::new(level));
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn data(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| {
            if (i / 1000) % 2 == 0 {
                (i as u8).wrapping_mul(seed)
            } else {
                b'a' + (i % 7) as u8
            }
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(120))]

    #[test]
    fn the_same_bytes_and_errors_as_flate2(
        lens in proptest::collection::vec(0usize..700_000, 1..4),
        seed in any::<u8>(),
        level in 0u32..10,
        named in any::<bool>(),
        extra in any::<bool>(),
        cut in proptest::option::of(0.0f64..1.0),
        flip in proptest::option::of((0.0f64..1.0, 1u8..=255)),
        tail in proptest::option::of(proptest::collection::vec(any::<u8>(), 1..40)),
    ) {
        let mut gz = Vec::new();
        for (k, len) in lens.iter().enumerate() {
            let name = named.then_some(&b"member.tar"[..]);
            gz.extend(gzip(&data(*len, seed.wrapping_add(k as u8)), level, name, name, extra));
        }
        if let Some((at, x)) = flip {
            let i = ((gz.len() - 1) as f64 * at) as usize;
            gz[i] ^= x;
        }
        if let Some(at) = cut {
            gz.truncate((gz.len() as f64 * at) as usize);
        }
        if let Some(t) = tail {
            gz.extend(t);
        }
        let [ours, theirs] = both(&gz);
        prop_assert_eq!(ours.1, theirs.1);
        prop_assert!(ours.0 == theirs.0, "{} bytes against {}", ours.0.len(), theirs.0.len());
    }
}

#[test]
fn header_fields_and_their_checksum_are_read_as_flate2_reads_them() {
    let body = data(300_000, 7);
    let mut plain = gzip(&body, 6, Some(b"a.tar"), Some(b"made by hand"), true);
    let [ours, theirs] = both(&plain);
    assert_eq!(ours, theirs);
    assert_eq!(ours.0, body);
    // FHCRC set with a header CRC that does not hold, then one that does.
    plain[3] |= FHCRC;
    let end = 10 + 2 + 4 + b"a.tar\0".len() + b"made by hand\0".len();
    for crc in [[0u8, 0], {
        let mut c = Crc::new();
        c.update(&plain[..end]);
        (c.sum() as u16).to_le_bytes()
    }] {
        let mut gz = plain[..end].to_vec();
        gz.extend_from_slice(&crc);
        gz.extend_from_slice(&plain[end..]);
        let [ours, theirs] = both(&gz);
        assert_eq!(ours, theirs);
    }
    // Reserved flags, another method, a name that never ends, nothing.
    for bad in [
        {
            let mut g = plain.clone();
            g[3] = 0x20;
            g
        },
        {
            let mut g = plain.clone();
            g[2] = 7;
            g
        },
        {
            let mut g = plain[..10].to_vec();
            g[3] = FNAME;
            g.extend(vec![b'x'; 70_000]);
            g
        },
        Vec::new(),
    ] {
        let [ours, theirs] = both(&bad);
        assert_eq!(ours, theirs);
        assert!(ours.1.is_some());
    }
}

#[test]
fn a_wrong_crc_fails_right_after_the_members_last_byte() {
    let body = data(600_000, 3);
    let mut gz = gzip(&body, 6, None, None, false);
    let n = gz.len();
    gz[n - 8] ^= 1;
    let [ours, theirs] = both(&gz);
    assert_eq!(ours, theirs);
    assert_eq!(ours.0, body);
    assert!(ours.1.is_some_and(|(_, m)| m.contains("checksum")));
}
