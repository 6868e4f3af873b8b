//! The trust-list reader never panics, and what it decodes lies inside the
//! input: the header length plus the records' lengths is the input's size,
//! and the signature element sits inside the header.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loadsmith::trust;

fuzz_target!(|data: &[u8]| {
    if let Ok(t) = trust::analyse(data, 1_767_052_054) {
        let d = t.decoded();
        let records: usize = d.records.iter().map(|r| r.length).sum();
        assert_eq!(d.header.length + records, data.len());
        if let Some(at) = &d.header.signature_at {
            assert!(at.start < at.end && at.end <= d.header.length);
        }
        for r in &d.records {
            assert!(r.offset >= d.header.length && r.offset + r.length <= data.len());
        }
    }
    let _ = trust::findings::member("ITLFile.tlv", data, data.len() as u64, 0);
});
