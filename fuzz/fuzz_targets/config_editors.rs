//! The configuration-file editors never panic, and an edit reads back: after
//! setting a pointer, reading it gives the value set, and setting it again
//! changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loadsmith::pointers;

fuzz_target!(|data: &[u8]| {
    let _ = pointers::os79xx_value(data);
    // .cnf files (SIPDefault.cnf, OS79XX-style key: value lines).
    if std::str::from_utf8(data).is_ok() {
        let once = pointers::cnf_set(data, "image_version", "P0S3-8-12-00");
        assert_eq!(
            pointers::cnf_get(&once, "image_version").as_deref(),
            Some("P0S3-8-12-00")
        );
        assert_eq!(
            pointers::cnf_set(&once, "image_version", "P0S3-8-12-00"),
            once
        );
    }
    // XMLDefault.cnf.xml: an edit with no entries keeps every byte; an edit
    // with entries reads back.
    // (A blank document is replaced by a fresh one, on purpose.)
    if pointers::xml_get(data).is_ok() && !data.iter().all(u8::is_ascii_whitespace) {
        if let Ok(same) = pointers::xml_set(data, &[]) {
            assert_eq!(same, data);
        }
        let want = pointers::LoadEntry {
            device_type: 115,
            model: "IP Phone 7941".to_string(),
            value: "SIP41.8-5-4S".to_string(),
        };
        if let Ok(out) = pointers::xml_set(data, std::slice::from_ref(&want)) {
            let got = pointers::xml_get(&out).expect("an edited document parses");
            assert!(got.iter().any(|l| l.value == want.value), "edit lost");
        }
    }
});
