//! The CNU archive table decoder never panics, whatever its counts and offsets.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loadsmith::signed::cnu;

fuzz_target!(|data: &[u8]| {
    let mut body = cnu::MAGIC.to_vec();
    body.extend_from_slice(data);
    for b in [data, body.as_slice()] {
        if let Ok(a) = cnu::parse(b) {
            assert!(a.entries.len() as u32 <= cnu::MAX_ENTRIES);
        }
    }
});
