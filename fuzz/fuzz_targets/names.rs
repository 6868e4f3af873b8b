//! The name parser never panics, and what it parses it can print and compare.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loadsmith::names::ImageName;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let a = ImageName::parse(&text);
    let _ = serde_json::to_string(&a);
    if let Some(v) = &a.version {
        let _ = v.display();
    }
    // Parsing is a function of the text.
    let b = ImageName::parse(&text);
    assert_eq!(a.known, b.known);
    let _ = a.same_image(&b);
});
