//! The sample bundles under `testdata/` and how they are made.
//!
//! `testdata/P0S3-8-12-00-sample.zip` is a synthetic SIP 8.12 bundle for
//! 7940/7960 shaped like the vendor's (signed headers with the vendor's layout,
//! a `.loads` list, loader `.bin`/`.sbn`, application `.sb2`, `OS79XX.TXT`),
//! with small made-up bodies. This test rebuilds it and checks the committed
//! bytes; run with `UPDATE_TESTDATA=1` to rewrite it.
use crate::support;

#[test]
fn sample_bundle_is_reproducible() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/P0S3-8-12-00-sample.zip");
    let d = tempfile::tempdir().unwrap();
    let fresh = d.path().join("sample.zip");
    support::zip(&fresh, &support::sip812());
    let fresh = std::fs::read(fresh).unwrap();
    if std::env::var_os("UPDATE_TESTDATA").is_some() {
        std::fs::write(&path, &fresh).unwrap();
    }
    assert_eq!(
        std::fs::read(&path).unwrap(),
        fresh,
        "testdata sample differs from what support::sip812 builds"
    );
}
