//! Builds trust lists (CTL/ITL `.tlv` files) with test keys, for the tests
//! of `src/trust` and of the commands that read trust lists. Keys come from
//! a seeded ChaCha generator: the same seed gives the same key and bytes.
#![allow(dead_code)]

use std::str::FromStr;
use std::time::{Duration, UNIX_EPOCH};

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::pkcs1v15::SigningKey;
use rsa::{Pkcs1v15Sign, PrivateKey};
use sha2::{Digest, Sha256, Sha512};
use x509_cert::builder::{Builder, CertificateBuilder, profile};
use x509_cert::der::Encode;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfo;
use x509_cert::time::{Time, Validity};

/// A test key with its self-signed certificate.
pub struct Key {
    /// The private key.
    pub private: PrivateKey,
    /// The DER certificate.
    pub cert: Vec<u8>,
    /// The certificate's serial, raw bytes.
    pub serial: Vec<u8>,
    /// Its subject, as the list's header and records spell it.
    pub name: String,
}

/// Role numbers of records.
pub const SAST: u16 = 0;
/// CCM.
pub const CCM: u16 = 1;
/// TFTP.
pub const TFTP: u16 = 3;

/// Far enough ahead for any test run: 2090-01-01.
pub const FAR: u64 = 3_786_912_000;
/// 2020-01-01.
pub const PAST: u64 = 1_577_836_800;
/// 2021-01-01.
pub const PAST_END: u64 = 1_609_459_200;

fn time(secs: u64) -> Time {
    Time::try_from(UNIX_EPOCH + Duration::from_secs(secs)).unwrap()
}

/// A 1024-bit key from `seed`, valid from `from` to `until` (Unix time).
pub fn key_valid(seed: u64, cn: &str, from: u64, until: u64) -> Key {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let private = PrivateKey::new(&mut rng, 1024).unwrap();
    let name = format!("CN={cn},O=Test,C=US");
    let subject = Name::from_str(&name).unwrap();
    let profile = profile::cabf::Root::new(false, subject).unwrap();
    let serial_bytes = [
        0x4b,
        (seed & 0xff) as u8,
        0x10,
        0x20,
        0x30,
        0x40,
        0x50,
        0x61,
    ];
    let serial = SerialNumber::new(&serial_bytes).unwrap();
    let spki = SubjectPublicKeyInfo::from_key(&private.to_public_key()).unwrap();
    let validity = Validity::new(time(from), time(until));
    let builder = CertificateBuilder::new(profile, serial, validity, spki).unwrap();
    let signer = SigningKey::<Sha256>::new(private.clone());
    let cert = builder
        .build::<_, rsa::pkcs1v15::Signature>(&signer)
        .unwrap();
    Key {
        private,
        cert: cert.to_der().unwrap(),
        serial: serial_bytes.to_vec(),
        name,
    }
}

/// A key valid from 2020 to 2090.
pub fn key(seed: u64, cn: &str) -> Key {
    key_valid(seed, cn, PAST, FAR)
}

fn el(out: &mut Vec<u8>, tag: u8, value: &[u8]) {
    out.push(tag);
    out.extend_from_slice(&u16::try_from(value.len()).unwrap().to_be_bytes());
    out.extend_from_slice(value);
}

fn nul(s: &str) -> Vec<u8> {
    let mut v = s.as_bytes().to_vec();
    v.push(0);
    v
}

/// One record: `role` for `key`'s certificate.
pub fn record(role: u16, key: &Key) -> Vec<u8> {
    let mut f = Vec::new();
    el(&mut f, 3, &nul(&key.name));
    el(&mut f, 4, &role.to_be_bytes());
    el(&mut f, 5, &nul(&key.name));
    el(&mut f, 6, &key.serial);
    let pkcs1 = key.private.to_public_key().to_pkcs1_der().unwrap();
    el(&mut f, 7, pkcs1.as_bytes());
    el(&mut f, 9, &key.cert);
    let mut r = vec![1, 0, 2];
    r.extend_from_slice(&u16::try_from(f.len() + 5).unwrap().to_be_bytes());
    r.extend_from_slice(&f);
    r
}

/// Digest numbers of the header.
pub const SHA1: u8 = 1;
/// SHA-512.
pub const SHA512: u8 = 3;

/// A list signed by `signer` with `digest`, carrying `file_name`, with
/// `records` (role, key) in order.
pub fn list(signer: &Key, digest: u8, file_name: &str, records: &[(u16, &Key)]) -> Vec<u8> {
    let mut signer_c = Vec::new();
    el(&mut signer_c, 4, &nul(&signer.name));
    el(&mut signer_c, 6, &nul(&signer.name));
    el(&mut signer_c, 5, &signer.serial);
    let mut algo = Vec::new();
    el(&mut algo, 10, &[0]);
    el(&mut algo, 11, &[1]); // 128 bytes: 1024-bit keys
    let mut sig_c = Vec::new();
    el(&mut sig_c, 8, &[digest]);
    el(&mut sig_c, 9, &algo);
    let mut rest = Vec::new();
    el(&mut rest, 28, &[1, 0]);
    el(&mut rest, 3, &signer_c);
    el(&mut rest, 7, &sig_c);
    let sig_at = rest.len();
    el(&mut rest, 12, &[0; 128]);
    el(&mut rest, 14, &nul(file_name));
    el(&mut rest, 15, &1_767_052_054u32.to_be_bytes());
    // version (5 bytes) + header length (5 bytes) + rest, padded to 4.
    let mut len = 10 + rest.len();
    while len % 4 != 0 {
        rest.push(13);
        len += 1;
    }
    let mut out = Vec::new();
    el(&mut out, 1, &[1, 2]);
    el(&mut out, 2, &u16::try_from(len).unwrap().to_be_bytes());
    out.extend_from_slice(&rest);
    for (role, k) in records {
        out.extend_from_slice(&record(*role, k));
    }
    let sig_start = 10 + sig_at;
    let sig_end = sig_start + 3 + 128;
    let mut signed = out[..sig_start].to_vec();
    signed.extend_from_slice(&out[sig_end..]);
    let sig = match digest {
        SHA512 => {
            let h = Sha512::digest(&signed);
            signer
                .private
                .sign(Pkcs1v15Sign::new::<Sha512>(), &h)
                .unwrap()
        }
        _ => {
            let h = sha1::Sha1::digest(&signed);
            signer
                .private
                .sign(Pkcs1v15Sign::new::<sha1::Sha1>(), &h)
                .unwrap()
        }
    };
    out[sig_start + 3..sig_end].copy_from_slice(&sig);
    out
}

/// The usual ITL: signed by `sast`, holding its SAST record and a CCM.
pub fn itl(sast: &Key, ccm: &Key) -> Vec<u8> {
    list(sast, SHA1, "ITLFile.tlv", &[(SAST, sast), (CCM, ccm)])
}
