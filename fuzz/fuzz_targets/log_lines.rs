//! `loadsmith log` never panics on any log: arbitrary bytes, split into
//! lines, read and explained (without a root).
#![no_main]

use libfuzzer_sys::fuzz_target;
use loadsmith::log::{Reader, verdict};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut r = Reader::new();
    for line in text.split('\n') {
        r.line(line);
    }
    let _ = verdict::phones(&r, None);
});
