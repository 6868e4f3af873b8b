//! Names of the older and rarer devices a real root still holds, checked on
//! names from public provisioning trees and threads:
//! - 7910 and 7935 images: `P00405000700.bin` (7910), `P00503021900` (7935),
//!   `P00N` then four two-digit groups of the version;
//! - 7920, 7936 and 7985 images, named like their bundles:
//!   `cmterm_7920.4.0-03-02.bin`, `cmterm_7936.3-3-21-0`, `cmterm_7985.4-1-7-0`;
//! - ATA 186/188 and ATA 187: `ATA030204SCCP090202A.zup` (version 3.2(4),
//!   built 2009-02-02), `ATA187.9-2-3-1`;
//! - 78xx/88xx components, the family token anywhere before the version:
//!   `kern78xx.10-3-1-12.sbn`, `rootfs88xx.…`, `sboot78xx.…`, `dsp2.78xx.…`;
//! - key expansion module images that carry a family token (`kem88xx.…`).

use super::models::{NAMED_TOKENS, family_by_token};
use super::version::Version;
use super::{ImageName, Protocol, Role};

/// Parses `rec` as one of these names.
pub(super) fn parse(rec: &mut ImageName, ext: Option<&str>) -> bool {
    numbered_image(rec, ext) || cmterm_image(rec, ext) || ata(rec, ext) || token_part(rec, ext)
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// `P004` (7910) or `P005` (7935) and eight digits: `P00405000700` is 5.0(7).
fn numbered_image(rec: &mut ImageName, ext: Option<&str>) -> bool {
    if !matches!(ext, None | Some("bin" | "sbn" | "loads")) {
        return false;
    }
    let up = rec.stem.to_ascii_uppercase();
    let token = match up.get(..4) {
        Some("P004") => "7910",
        Some("P005") => "7935",
        _ => return false,
    };
    let Some(d) = up.get(4..).filter(|d| d.len() == 8 && all_digits(d)) else {
        return false;
    };
    rec.family = family_by_token(token);
    rec.protocol = Some(Protocol::Sccp);
    rec.version = Version::loose(&format!(
        "{}-{}-{}-{}",
        &d[..2],
        &d[2..4],
        &d[4..6],
        &d[6..]
    ));
    rec.role = Role::Application;
    rec.signed = Some(ext != Some("bin"));
    rec.family.is_some()
}

/// `cmterm_7936.3-3-21-0[.bin]`: the image of a 7920, 7936 or 7985.
fn cmterm_image(rec: &mut ImageName, ext: Option<&str>) -> bool {
    if !matches!(ext, None | Some("bin" | "sbn" | "zup")) {
        return false;
    }
    let lower = rec.stem.to_ascii_lowercase();
    let Some((model, version)) = lower
        .strip_prefix("cmterm_")
        .and_then(|r| r.split_once('.'))
    else {
        return false;
    };
    if !matches!(model, "7920" | "7936" | "7985") {
        return false;
    }
    rec.family = family_by_token(model);
    rec.protocol = Some(Protocol::Sccp);
    rec.version = Version::loose(version);
    rec.role = Role::Application;
    rec.signed = Some(ext != Some("bin"));
    rec.family.is_some() && rec.version.is_some()
}

/// `ATA030204SCCP090202A.zup` (ATA 186/188) and `ATA187.9-2-3-1[.loads|.zup]`.
fn ata(rec: &mut ImageName, ext: Option<&str>) -> bool {
    let up = rec.stem.to_ascii_uppercase();
    if let Some(v) = up.strip_prefix("ATA187.") {
        if !matches!(ext, None | Some("loads" | "zup" | "sbn")) {
            return false;
        }
        rec.family = family_by_token("ATA187");
        rec.protocol = Some(Protocol::Sip);
        rec.version = Version::loose(v);
        rec.role = match ext {
            Some("loads") => Role::Loads,
            _ => Role::Application,
        };
        rec.signed = Some(true);
        return rec.version.is_some() && rec.family.is_some();
    }
    if !matches!(ext, None | Some("zup")) {
        return false;
    }
    let Some(rest) = up.strip_prefix("ATA") else {
        return false;
    };
    let Some(v) = rest.get(..6).filter(|v| all_digits(v)) else {
        return false;
    };
    let tail = &rest[6..];
    let protocol = match ["SCCP", "SIP", "MGCP", "H323"]
        .into_iter()
        .find(|l| tail.starts_with(l))
    {
        Some("SCCP") => Some(Protocol::Sccp),
        Some("SIP") => Some(Protocol::Sip),
        Some("MGCP") => Some(Protocol::Mgcp),
        Some(_) => None,
        None => return false,
    };
    ata186(rec, v, protocol)
}

fn ata186(rec: &mut ImageName, v: &str, protocol: Option<Protocol>) -> bool {
    rec.family = family_by_token("ATA186");
    rec.protocol = protocol;
    rec.version = Version::loose(&format!("{}-{}-{}", &v[..2], &v[2..4], &v[4..]));
    rec.role = Role::Application;
    rec.signed = Some(false);
    rec.notes
        .push("an ATA 186/188 image (the ATA serves analog phones and faxes)".into());
    rec.family.is_some()
}

/// A 78xx/88xx part: the family token in the name, then `.` and a version:
/// `kern78xx.10-3-1-12.sbn`, `dsp2.78xx.10-3-1-12.sbn`, `kem88xx.…`.
fn token_part(rec: &mut ImageName, ext: Option<&str>) -> bool {
    if !matches!(ext, None | Some("sbn" | "bin" | "zz" | "sgn" | "zz.sgn")) {
        return false;
    }
    let lower = rec.stem.to_ascii_lowercase();
    let Some((token, at)) = ["78xx", "88xx"]
        .iter()
        .find_map(|t| lower.find(t).map(|at| (*t, at)))
    else {
        return false;
    };
    let Some(version) = lower[at + token.len()..].strip_prefix('.') else {
        return false;
    };
    let head = lower[..at].trim_end_matches('.');
    if head.is_empty() || !head.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return false;
    }
    debug_assert!(NAMED_TOKENS.contains(&token));
    rec.family = family_by_token(token);
    rec.version = Version::loose(version);
    rec.protocol = if head.contains("sip") {
        Some(Protocol::Sip)
    } else {
        None
    };
    rec.role = Role::Component;
    rec.signed = Some(ext != Some("bin"));
    if head.starts_with("kem") {
        rec.notes.push("a key expansion module image".into());
    }
    rec.family.is_some() && rec.version.is_some()
}

#[cfg(test)]
mod tests {
    use crate::names::{Family, ImageName, Role};

    #[test]
    fn names_of_older_and_rarer_devices_parse() {
        for (name, family, role, version) in [
            ("P00405000700.bin", "7910", Role::Application, "05"),
            ("P00503021900", "7935", Role::Application, "03"),
            ("cmterm_7936.3-3-21-0", "7936", Role::Application, "3"),
            ("cmterm_7985.4-1-7-0", "7985", Role::Application, "4"),
            ("cmterm_7920.4.0-03-02.bin", "7920", Role::Application, "4"),
            (
                "ATA030204SCCP090202A.zup",
                "ATA186",
                Role::Application,
                "03",
            ),
            ("ATA187.9-2-3-1", "ATA187", Role::Application, "9"),
            ("kern78xx.10-3-1-12.sbn", "78xx", Role::Component, "10"),
            ("rootfs88xx.11-0-1-11.sbn", "88xx", Role::Component, "11"),
            ("dsp2.78xx.10-3-1-12.sbn", "78xx", Role::Component, "10"),
        ] {
            let r = ImageName::parse(name);
            assert!(r.known, "{name}");
            assert_eq!(r.family, Some(Family::Named(family)), "{name}");
            assert_eq!(r.role, role, "{name}");
            assert!(!r.models.is_empty(), "{name}");
            let v = r.version.as_ref().map(|v| v.display().to_string());
            assert!(
                v.as_deref().is_some_and(|v| v.starts_with(version)),
                "{name}: {v:?}"
            );
        }
        for name in [
            "P004.bin",
            "P0040500070X.bin",
            "cmterm_7999.1-1.bin",
            "ATA12.zup",
            "x.78xx",
            "78xx.1",
        ] {
            assert!(!ImageName::parse(name).known, "{name}");
        }
    }
}
