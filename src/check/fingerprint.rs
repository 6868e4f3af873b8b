//! One SHA-256 over what a root serves to phones: every pointer setting
//! (file, setting, value) and the digest of every file of every set those
//! pointers name. Canonical: the parts are sorted and deduplicated before
//! they are hashed, so the order files were written in, their times and
//! files no pointer leads to change nothing. Two roots that tell every phone
//! the same have the same fingerprint; any other pointer value, or one byte
//! of a set file, gives another.

use std::collections::BTreeSet;

use sha2::{Digest, Sha256};

use super::PointerReport;
use crate::inspect::BundleReport;
use crate::names::Role;

/// The first line hashed: the fingerprint's own version.
const VERSION: &[u8] = b"loadsmith-fingerprint 1\n";

/// The fingerprint of pointers `(file, setting, value)` and the files of
/// the sets they name, `(name, sha256)` (`None`: named but missing).
pub fn fingerprint<'a>(
    pointers: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>,
    files: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
) -> String {
    let pointers: BTreeSet<(&str, &str, &str)> = pointers.into_iter().collect();
    let files: BTreeSet<(&str, Option<&str>)> = files.into_iter().collect();
    let mut h = Sha256::new();
    h.update(VERSION);
    // Every field is length-prefixed: no name can pose as two.
    let field = |h: &mut Sha256, s: &str| {
        h.update((s.len() as u64).to_be_bytes());
        h.update(s.as_bytes());
    };
    for (file, setting, value) in pointers {
        h.update(b"P");
        field(&mut h, file);
        field(&mut h, setting);
        field(&mut h, value);
    }
    for (name, digest) in files {
        h.update(b"F");
        field(&mut h, name);
        field(&mut h, digest.unwrap_or("missing"));
    }
    crate::inspect::member::hex(&h.finalize())
}

/// The fingerprint of a checked root: its pointers, and for each value the
/// files of the set of that name (or the image of that name).
pub fn of_root(pointers: &[PointerReport], rep: &BundleReport) -> String {
    let digest = |name: &str| {
        rep.members
            .iter()
            .find(|m| m.usable && m.name == name)
            .and_then(|m| m.sha256.as_deref())
    };
    let values: BTreeSet<&str> = pointers.iter().map(|p| p.value.as_str()).collect();
    let mut files: Vec<(&str, Option<&str>)> = Vec::new();
    for v in values {
        if let Some(set) = rep.sets.iter().find(|s| s.load == v) {
            files.extend(set.files.iter().map(|f| (f.as_str(), digest(f))));
            continue;
        }
        files.extend(
            rep.members
                .iter()
                .filter(|m| m.usable && m.image.stem == v)
                .filter(|m| matches!(m.image.role, Role::Application | Role::Loader))
                .map(|m| (m.name.as_str(), m.sha256.as_deref())),
        );
    }
    let settings: Vec<String> = pointers.iter().map(|p| p.setting.to_string()).collect();
    fingerprint(
        pointers
            .iter()
            .zip(&settings)
            .map(|(p, setting)| (p.file.as_str(), setting.as_str(), p.value.as_str())),
        files,
    )
}

#[cfg(test)]
mod tests {
    use super::fingerprint;

    #[test]
    fn order_does_not_count_and_every_field_does() {
        let a = fingerprint(
            [
                (
                    "XMLDefault.cnf.xml",
                    "loadInformation7",
                    "SIP41.9-4-2SR3-1S",
                ),
                ("OS79XX.TXT", "image", "P0S3-08-12-00"),
            ],
            [("a.loads", Some("01")), ("b.sbn", None)],
        );
        let b = fingerprint(
            [
                ("OS79XX.TXT", "image", "P0S3-08-12-00"),
                (
                    "XMLDefault.cnf.xml",
                    "loadInformation7",
                    "SIP41.9-4-2SR3-1S",
                ),
            ],
            [
                ("b.sbn", None),
                ("a.loads", Some("01")),
                ("a.loads", Some("01")),
            ],
        );
        assert_eq!(a, b);
        let c = fingerprint(
            [
                ("OS79XX.TXT", "image", "P0S3-08-12-00"),
                (
                    "XMLDefault.cnf.xml",
                    "loadInformation7",
                    "SIP41.9-4-2SR3-1S",
                ),
            ],
            [("b.sbn", Some("02")), ("a.loads", Some("01"))],
        );
        assert_ne!(a, c);
        // Fields cannot run into each other.
        assert_ne!(
            fingerprint([("ab", "c", "d")], []),
            fingerprint([("a", "bc", "d")], [])
        );
    }
}
