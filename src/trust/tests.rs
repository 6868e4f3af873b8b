//! Unit tests of the trust-list reader: framing errors, lists built with
//! test keys (`tests/support/tlvbuild.rs`), and the real ITL when present.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../tests/support/tlvbuild.rs"]
mod build;

use super::list::RecordRole;
use super::*;

const NOW: i64 = 1_767_052_054;

#[test]
fn a_built_list_decodes_and_verifies() {
    let sast = build::key(1, "SAST one");
    let ccm = build::key(2, "ccm01");
    let data = build::itl(&sast, &ccm);
    let t = analyse(&data, NOW).unwrap();
    assert_eq!(t.signature, Verdict::Verified);
    assert_eq!(t.version, "1.2");
    assert_eq!(t.signer.name, "CN=SAST one,O=Test,C=US");
    assert_eq!(t.signer_record, Some(0));
    assert_eq!(t.digest.as_deref(), Some("SHA-1"));
    assert_eq!(t.key_bits, Some(1024));
    assert_eq!(t.file_name.as_deref(), Some("ITLFile.tlv"));
    assert_eq!(t.header_length % 4, 0);
    assert_eq!(t.records.len(), 2);
    assert_eq!(t.records[1].role, Some(RecordRole::Ccm));
    assert_eq!(t.records[1].key_bits, Some(1024));
    assert_eq!(t.records[1].validity, Some(cert::Validity::Valid));
    assert!(!t.has_tftp_role());
}

#[test]
fn sha512_list_verifies() {
    let sast = build::key(1, "SAST one");
    let data = build::list(&sast, build::SHA512, "CTLFile.tlv", &[(build::SAST, &sast)]);
    let t = analyse(&data, NOW).unwrap();
    assert_eq!(t.digest.as_deref(), Some("SHA-512"));
    assert_eq!(t.signature, Verdict::Verified);
}

#[test]
fn every_changed_byte_past_the_header_fails_the_signature_or_the_decode() {
    let sast = build::key(1, "SAST one");
    let data = build::list(&sast, build::SHA1, "CTLFile.tlv", &[(build::SAST, &sast)]);
    for i in 0..data.len() {
        let mut d = data.clone();
        d[i] ^= 0x01;
        if let Ok(t) = analyse(&d, NOW) {
            assert_ne!(
                t.signature,
                Verdict::Verified,
                "byte {i} changed and the list still verifies"
            );
        }
    }
}

#[test]
fn every_cut_is_an_error() {
    let sast = build::key(1, "SAST one");
    let data = build::itl(&sast, &sast);
    for n in 1..data.len() {
        // Cut between two records, the framing holds: the signature fails.
        if let Ok(t) = analyse(&data[..n], NOW) {
            assert_ne!(t.signature, Verdict::Verified, "cut at {n} verifies");
        }
    }
    assert_eq!(analyse(&[], NOW).unwrap_err(), TrustError::Empty);
    assert!(analyse(&data[..data.len() - 1], NOW).unwrap_err().is_cut());
}

#[test]
fn trailing_bytes_and_unknown_tags_are_errors() {
    let sast = build::key(1, "SAST one");
    let mut data = build::itl(&sast, &sast);
    data.extend_from_slice(&[0; 6]);
    assert!(matches!(
        analyse(&data, NOW),
        Err(TrustError::Lengths { .. })
    ));
    // Tag 28 (signer version) sits at byte 10: make it 29.
    let mut data = build::itl(&sast, &sast);
    assert_eq!(data[10], 28);
    data[10] = 29;
    assert_eq!(
        analyse(&data, NOW).unwrap_err(),
        TrustError::UnknownTag { tag: 29, at: 10 }
    );
}

#[test]
fn an_expired_certificate_is_seen() {
    let old = build::key_valid(3, "old", build::PAST, build::PAST_END);
    let data = build::itl(&old, &old);
    let t = analyse(&data, NOW).unwrap();
    assert_eq!(t.signature, Verdict::Verified);
    assert_eq!(t.records[0].validity, Some(cert::Validity::Expired));
}

#[test]
fn trusted_by_needs_the_same_sast() {
    let a = build::key(1, "SAST one");
    let b = build::key(2, "SAST two");
    let old = analyse(&build::itl(&a, &b), NOW).unwrap();
    let same = analyse(&build::itl(&a, &a), NOW).unwrap();
    let other = analyse(&build::itl(&b, &a), NOW).unwrap();
    assert_eq!(trusted_by(&same, &old), Trust::Accepted);
    // b is a CCM in old, not a SAST: phones refuse lists it signs.
    assert_eq!(trusted_by(&other, &old), Trust::OtherSigner);
}

#[test]
fn garbage_never_panics() {
    let mut x: u32 = 12345;
    for len in 0..400usize {
        let d: Vec<u8> = (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                (x & 0x1f) as u8
            })
            .collect();
        let _ = analyse(&d, NOW);
    }
}

#[test]
fn the_real_itl_decodes_and_verifies() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/realworld-trust/ITLFile.tlv");
    let Ok(data) = std::fs::read(&path) else {
        println!("skipped: ../shared/realworld-trust/ITLFile.tlv is absent");
        return;
    };
    let t = analyse(&data, NOW).unwrap();
    assert_eq!(t.size, 10_370);
    assert_eq!(t.md5, "dbf86422cbab7859f3b850c2375814f7");
    assert_eq!(t.version, "1.2");
    assert_eq!(t.header_length, 388);
    assert_eq!(t.signer.name, "CN=SAST,O=SAST,OU=SAST");
    assert_eq!(t.signer.serial, "6ba5de3a260b069337c75b38be3c2d74");
    assert_eq!(t.digest.as_deref(), Some("SHA-1"));
    assert_eq!(t.key_bits, Some(2048));
    assert_eq!(t.signature, Verdict::Verified);
    let roles: Vec<_> = t.records.iter().map(|r| r.role.unwrap().label()).collect();
    assert_eq!(
        roles,
        [
            "SAST",
            "CCM",
            "CCM",
            "application server",
            "application server"
        ]
    );
    assert!(t.records.iter().all(|r| r.certificate.is_some()));
    assert_eq!(t.records[0].key_bits, Some(2048));
}
