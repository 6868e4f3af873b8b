//! The `.loads` decoder never panics on any body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loadsmith::signed::loads;

fuzz_target!(|data: &[u8]| {
    if let Ok(l) = loads::parse(data) {
        let _ = serde_json::to_string(&l);
    }
});
