//! The signed-header decoder never panics, and what it decodes lies inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loadsmith::signed::header;

fuzz_target!(|data: &[u8]| {
    if let Ok(h) = header::parse(data) {
        assert!(h.header_len as usize >= 10);
    }
    // Where a .cop.sgn's gzip stream starts is always inside the bytes given.
    if let Some((at, _)) = loadsmith::bundle::gzip_offset(data) {
        assert!(at < data.len());
    }
});
