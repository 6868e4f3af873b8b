//! Checksum lists (`inspect --checksums`): any bytes read as a list never
//! panic, and what a list yields keeps its bounds.
#![no_main]

use std::io::Cursor;
use std::path::PathBuf;

use libfuzzer_sys::fuzz_target;
use loadsmith::inspect::checksums::{self, MAX_NAME, Sums};

fuzz_target!(|data: &[u8]| {
    let mut sums = Sums::default();
    // The same bytes twice, as two lists: the second adds no sum.
    for _ in 0..2 {
        if sums
            .read_from(Cursor::new(data), PathBuf::from("lists"))
            .is_err()
        {
            break;
        }
    }
    for l in sums.iter() {
        assert!(l.name.len() <= MAX_NAME);
        assert!(!l.sums.is_empty());
        assert!(sums.get(&l.name).is_some());
        let _ = checksums::not_found(l);
        let checks: Vec<_> = l.sums.iter().map(|s| (s.algorithm, false)).collect();
        let _ = checksums::verdict(l, &checks);
    }
    let _ = checksums::parse(&String::from_utf8_lossy(data));
});
