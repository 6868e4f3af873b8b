//! The tap's digests are the file's, whatever order and overlap the reads
//! come in, on one thread or several, and whatever is kept or dropped.

use std::io::{Read, Write};

use proptest::prelude::*;
use sha2::{Digest, Sha256};

use super::*;

fn file_of(data: &[u8]) -> (tempfile::NamedTempFile, File) {
    let mut t = tempfile::NamedTempFile::new().unwrap();
    t.write_all(data).unwrap();
    let f = File::open(t.path()).unwrap();
    (t, f)
}

fn sha256_hex(b: &[u8]) -> String {
    hex(&Sha256::digest(b))
}

/// Shows `tap` the blocks `reads` names (start, length; clipped to the file).
fn show(tap: &Tap, data: &[u8], reads: &[(usize, usize)]) {
    for &(at, len) in reads {
        let at = at.min(data.len());
        let end = (at + len).min(data.len());
        tap.saw(at as u64, &data[at..end]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Random blocks in random order: the digest is always the file's.
    #[test]
    fn the_digest_is_the_files_whatever_the_reads(
        len in 0usize..3_000_000,
        reads in proptest::collection::vec((0usize..3_000_000, 0usize..600_000), 0..40),
        seed in any::<u8>(),
    ) {
        let data: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_mul(31) ^ seed).collect();
        let (_t, f) = file_of(&data);
        let tap = Tap::new(true, true);
        show(&tap, &data, &reads);
        let d = tap.finish(&f).unwrap();
        prop_assert_eq!(d.size, len as u64);
        prop_assert_eq!(d.sha256, sha256_hex(&data));
        prop_assert_eq!(d.sha512, Some(hex(&Sha512::digest(&data))));
        prop_assert_eq!(d.md5, Some(hex(&md5::Md5::digest(&data))));
    }

    /// Mostly sequential reads (members in order, a central directory read
    /// first, some blocks read twice): nothing is read again but the gaps.
    #[test]
    fn sequential_reads_leave_only_the_gaps(
        blocks in proptest::collection::vec(1usize..300_000, 1..20),
        gap in 0usize..5,
    ) {
        let len: usize = blocks.iter().sum();
        let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        let (_t, f) = file_of(&data);
        let tap = Tap::new(false, false);
        // The tail first (a zip's central directory), then in order.
        let tail = blocks[blocks.len() - 1];
        tap.saw((len - tail) as u64, &data[len - tail..]);
        let mut at = 0;
        let mut skipped = 0;
        let mut first_gap = None;
        for (k, b) in blocks.iter().enumerate() {
            if gap > 0 && k % 7 == gap {
                skipped += b;
                first_gap.get_or_insert(at);
            } else {
                tap.saw(at as u64, &data[at..at + b]);
                tap.saw(at as u64, &data[at..at + b / 2]);
            }
            at += b;
        }
        let d = tap.finish(&f).unwrap();
        prop_assert_eq!(d.sha256, sha256_hex(&data));
        // What came after a gap was kept for later, up to PENDING_MAX;
        // past that it is read again.
        let ahead = first_gap.map_or(0, |g| len - g) + tail;
        if ahead <= PENDING_MAX {
            prop_assert!(tap.reread() <= skipped as u64, "{} > {}", tap.reread(), skipped);
        } else {
            prop_assert!(tap.reread() <= (len - first_gap.unwrap_or(0)) as u64);
        }
    }
}

#[test]
fn reads_on_several_threads_give_the_files_digest() {
    let data: Vec<u8> = (0..4_000_000u32).map(|i| (i * 7 % 253) as u8).collect();
    let (_t, f) = file_of(&data);
    let tap = Tap::new(false, false);
    std::thread::scope(|s| {
        for k in 0..4 {
            let (tap, data) = (&tap, &data);
            s.spawn(move || {
                // Each thread reads every fourth 100 KB block, in order.
                for (i, c) in data.chunks(100_000).enumerate() {
                    if i % 4 == k {
                        tap.saw((i * 100_000) as u64, c);
                    }
                }
            });
        }
    });
    assert_eq!(tap.finish(&f).unwrap().sha256, sha256_hex(&data));
}

#[test]
fn a_feed_shows_every_block_here_and_away() {
    let data: Vec<u8> = (0..1_000_003u32).map(|i| (i % 241) as u8).collect();
    let (t, f) = file_of(&data);
    for away in [false, true] {
        let tap = Arc::new(Tap::new(false, false));
        let file = File::open(t.path()).unwrap();
        let (mut feed, h) = if away {
            let (a, h) = reading_thread(file, 0, Arc::clone(&tap)).unwrap();
            (Feed::new(None, 0, Sent::Away(a)), Some(h))
        } else {
            (Feed::new(Some(file), 0, Sent::Here(Arc::clone(&tap))), None)
        };
        let mut got = Vec::new();
        feed.read_to_end(&mut got).unwrap();
        drop(feed);
        if let Some(h) = h {
            h.join().unwrap();
        }
        assert_eq!(got, data);
        assert_eq!(tap.finish(&f).unwrap().sha256, sha256_hex(&data));
        assert_eq!(tap.reread(), 0, "away: {away}");
    }
}

#[test]
fn a_file_that_shrank_is_hashed_as_it_is_now() {
    let data = vec![7u8; 500_000];
    let (t, _) = file_of(&data);
    let tap = Tap::new(false, false);
    tap.saw(400_000, &data[400_000..]);
    std::fs::write(t.path(), &data[..300_000]).unwrap();
    let f = File::open(t.path()).unwrap();
    let d = tap.finish(&f).unwrap();
    assert_eq!(d.size, 300_000);
    assert_eq!(d.sha256, sha256_hex(&data[..300_000]));
}
