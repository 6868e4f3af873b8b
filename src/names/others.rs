//! Names of the families beyond 7940/7960 and the 79x1 family.
//!
//! Checked on public provisioning trees and the real lists under
//! `shared/realworld-loads` (`formats.md` §5):
//! - 69xx, 6901, 6911, 6945, 894x, 78xx, 88xx loads:
//!   `SCCP69xx.9-4-1-3SR3.loads`, `sip88xx.12-1-1SR1-4.loads`; their
//!   components carry the family token and end in `.sgn` (`.zz.sgn`,
//!   `.binN.sgn`, `.bin.sgn`): `BOOT69xx.0-0-0-14.zz.sgn`,
//!   `APP6901SCCP.9-2-1-a.zz.sgn`, `SCCP6945.9-3-1-3.bin1.sgn`;
//! - 7921/7925/7926 wireless: `CP7921G-1.4.6.3.LOADS` and upper-case
//!   `.SBN` components `APPS-1.4.6.3.SBN`, `WLANH-1.4.1SR1.SBN`;
//! - 7937: `apps37sccp.1-4-5-7` (one image);
//! - 7902/7905/7912: single images `CP7912080004SCCP080108A.sbin`, `.zup`;
//! - sidecars: `S00105000400.sbn` (7914), `B015-1-0-4-2.SBN` (7915),
//!   `B016-1-0-4.SBN` (7916), served as they are, no `.loads`.

use super::models::{NAMED_TOKENS, family_by_token};
use super::version::Version;
use super::{ImageName, Protocol, Role};

/// Parses `rec` as a name of one of these families.
pub(super) fn parse(rec: &mut ImageName, ext: Option<&str>) -> bool {
    wireless(rec, ext)
        || token_load(rec, ext)
        || token_component(rec, ext)
        || single_image(rec, ext)
        || sidecar(rec, ext)
        || phone_7937(rec, ext)
}

/// Component names of the wireless phones: the kind, then `H` (7925) or `S` (7926).
const WIRELESS_PARTS: &[&str] = &["APPS", "GUI", "SYS", "TNUX", "TNUXR", "WLAN", "JSYS", "JUI"];

/// `CP7921G-1.4.6.3.LOADS` and its `APPS-1.4.6.3.SBN` components.
fn wireless(rec: &mut ImageName, ext: Option<&str>) -> bool {
    let up = rec.stem.to_ascii_uppercase();
    let Some((head, version)) = up.split_once('-') else {
        return false;
    };
    let family = if let Some(model) = head.strip_prefix("CP").filter(|_| head.ends_with('G')) {
        if !matches!(ext, None | Some("loads")) {
            return false;
        }
        rec.role = Role::Loads;
        family_by_token(&format!("CP{model}"))
    } else {
        if ext != Some("sbn") {
            return false;
        }
        let rest = WIRELESS_PARTS
            .iter()
            .filter_map(|p| head.strip_prefix(p))
            .find(|r| matches!(*r, "" | "H" | "S"));
        let token = match rest {
            Some("") => "CP7921G",
            Some("H") => "CP7925G",
            Some("S") => "CP7926G",
            _ => return false,
        };
        rec.role = Role::Component;
        family_by_token(token)
    };
    let Some(family) = family else {
        return false;
    };
    rec.family = Some(family);
    rec.version = Version::loose(version);
    rec.signed = Some(true);
    rec.version.is_some()
}

/// The token of a name, and where it starts (`SCCP69xx.…` → `69xx` at 4).
fn token_in(head: &str) -> Option<(&'static str, usize)> {
    let lower = head.to_ascii_lowercase();
    NAMED_TOKENS
        .iter()
        .find_map(|t| lower.find(t).map(|at| (*t, at)))
}

/// `SCCP69xx.9-4-1-3SR3.loads`, `SIP6945.9-3-1-3.loads`, `sip88xx.12-1-1SR1-4.loads`.
fn token_load(rec: &mut ImageName, ext: Option<&str>) -> bool {
    if !matches!(ext, None | Some("loads")) {
        return false;
    }
    let Some((head, tail)) = rec.stem.split_once('.') else {
        return false;
    };
    let up = head.to_ascii_uppercase();
    let (protocol, rest) = match (up.strip_prefix("SCCP"), up.strip_prefix("SIP")) {
        (Some(r), _) => (Protocol::Sccp, r),
        (_, Some(r)) => (Protocol::Sip, r),
        _ => return false,
    };
    let Some(family) = family_by_token(rest).filter(|_| token_in(rest).is_some()) else {
        return false;
    };
    let Some(v) = Version::loose(tail) else {
        return false;
    };
    rec.family = Some(family);
    rec.protocol = Some(protocol);
    rec.version = Some(v);
    rec.role = Role::Loads;
    rec.signed = Some(true);
    true
}

/// Components ending `.sgn` that carry a family token: `BOOT69xx.0-0-0-14.zz.sgn`,
/// `KNL6911SCCP.9-2-1-a.zz.sgn`, `SCCP894x.9-4-2SR1-2.bin1.sgn`.
fn token_component(rec: &mut ImageName, ext: Option<&str>) -> bool {
    if !matches!(ext, Some("sgn" | "zz.sgn")) {
        return false;
    }
    let Some((head, tail)) = rec.stem.split_once('.') else {
        return false;
    };
    let Some((token, _)) = token_in(head) else {
        return false;
    };
    let up = head.to_ascii_uppercase();
    rec.protocol = if up.contains("SCCP") {
        Some(Protocol::Sccp)
    } else if up.contains("SIP") {
        Some(Protocol::Sip)
    } else {
        None
    };
    rec.family = family_by_token(token);
    rec.version = Version::loose(tail.split(".bin").next().unwrap_or(tail));
    rec.role = Role::Component;
    rec.signed = Some(true);
    rec.family.is_some()
}

/// 7902/7905/7912 single images: `CP7912080004SCCP080108A.sbin`, `.zup`.
fn single_image(rec: &mut ImageName, ext: Option<&str>) -> bool {
    if !matches!(ext, Some("sbin" | "zup") | None) {
        return false;
    }
    let up = rec.stem.to_ascii_uppercase();
    let (Some(model), Some(rest)) = (up.get(2..6), up.get(6..)) else {
        return false;
    };
    if !up.starts_with("CP") || !matches!(model, "7902" | "7905" | "7912") {
        return false;
    }
    let protocol = [
        ("SCCP", Protocol::Sccp),
        ("SIP", Protocol::Sip),
        ("MGCP", Protocol::Mgcp),
    ]
    .into_iter()
    .find(|(p, _)| rest.get(6..).is_some_and(|r| r.starts_with(p)));
    let (Some((_, protocol)), true) = (protocol, rest.get(..6).is_some_and(all_digits)) else {
        return false;
    };
    rec.family = family_by_token(model);
    rec.protocol = Some(protocol);
    rec.role = Role::Application;
    rec.signed = Some(ext == Some("sbin"));
    rec.version = Version::loose(&format!("{}-{}", &rest[..2], rest.get(2..4).unwrap_or("")));
    rec.family.is_some()
}

/// Sidecars: `S00105000400.sbn` (7914), `B015-1-0-4-2.SBN` (7915), `B016-…` (7916).
fn sidecar(rec: &mut ImageName, ext: Option<&str>) -> bool {
    if !matches!(ext, Some("sbn" | "bin") | None) {
        return false;
    }
    let up = rec.stem.to_ascii_uppercase();
    // Digits only before slicing: a name may hold any characters.
    let (token, version) = if let Some(r) = up
        .strip_prefix("S001")
        .filter(|r| r.len() == 8 && all_digits(r))
    {
        (
            "7914",
            Version::loose(&format!("{}-{}-{}", &r[..2], &r[2..4], &r[4..])),
        )
    } else if let Some(r) = up.strip_prefix("B015-") {
        ("7915", Version::loose(r))
    } else if let Some(r) = up.strip_prefix("B016-") {
        ("7916", Version::loose(r))
    } else {
        return false;
    };
    if version.is_none() {
        return false;
    }
    rec.family = family_by_token(token);
    rec.version = version;
    rec.role = Role::Application;
    rec.signed = Some(ext != Some("bin"));
    true
}

/// The 7937's single image: `apps37sccp.1-4-5-7`.
fn phone_7937(rec: &mut ImageName, ext: Option<&str>) -> bool {
    if !matches!(ext, Some("sbn" | "bin") | None) {
        return false;
    }
    let Some((head, tail)) = rec.stem.split_once('.') else {
        return false;
    };
    if !head.eq_ignore_ascii_case("apps37sccp") {
        return false;
    }
    rec.family = family_by_token("7937");
    rec.protocol = Some(Protocol::Sccp);
    rec.version = Version::loose(tail);
    rec.role = Role::Application;
    rec.signed = Some(ext != Some("bin"));
    rec.version.is_some()
}

fn all_digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::Family;

    fn p(s: &str) -> ImageName {
        ImageName::parse(s)
    }

    /// Each name parses as known, with this family, role and models, and a version.
    fn parses_as(cases: &[(&str, &'static str, Role, &str)]) {
        for &(name, family, role, models) in cases {
            let r = p(name);
            assert!(r.known, "{name}");
            assert_eq!(r.family, Some(Family::Named(family)), "{name}");
            assert_eq!(r.role, role, "{name}");
            assert_eq!(r.models.join("/"), models, "{name}");
            assert!(r.version.is_some(), "{name}");
        }
    }

    #[test]
    fn wireless_792x_names_parse() {
        parses_as(&[
            ("CP7921G-1.4.6.3.LOADS", "CP7921G", Role::Loads, "7921"),
            ("APPS-1.4.6.3.SBN", "CP7921G", Role::Component, "7921"),
            ("WLANH-1.4.1SR1.SBN", "CP7925G", Role::Component, "7925"),
            ("TNUXRS-1.4.1SR1.SBN", "CP7926G", Role::Component, "7926"),
        ]);
    }

    #[test]
    fn sccp_69xx_names_parse() {
        parses_as(&[
            (
                "SCCP69xx.9-4-1-3SR3.loads",
                "69xx",
                Role::Loads,
                "6921/6941/6961",
            ),
            (
                "SCCP69xx.9-4-1-3SR3.zz.sgn",
                "69xx",
                Role::Component,
                "6921/6941/6961",
            ),
            (
                "BOOT69xx.0-0-0-14.zz.sgn",
                "69xx",
                Role::Component,
                "6921/6941/6961",
            ),
            (
                "DSP69xx.12-4-123-2.160119.zz.sgn",
                "69xx",
                Role::Component,
                "6921/6941/6961",
            ),
        ]);
    }

    #[test]
    fn single_model_69xx_names_parse() {
        parses_as(&[
            ("SCCP6901.9-2-1-a.loads", "6901", Role::Loads, "6901"),
            (
                "APP6901SCCP.9-2-1-a.zz.sgn",
                "6901",
                Role::Component,
                "6901",
            ),
            (
                "BFS6911SCCP.9-2-1-a.zz.sgn",
                "6911",
                Role::Component,
                "6911",
            ),
            ("SCCP6945.9-3-1-3.bin1.sgn", "6945", Role::Component, "6945"),
        ]);
    }

    #[test]
    fn names_of_88xx_and_894x_parse() {
        parses_as(&[
            (
                "SCCP894x.9-4-2SR1-2.loads",
                "894x",
                Role::Loads,
                "8941/8945",
            ),
            (
                "BOOT894x.0-0-2-0.bin.sgn",
                "894x",
                Role::Component,
                "8941/8945",
            ),
            (
                "sip88xx.12-1-1SR1-4.loads",
                "88xx",
                Role::Loads,
                "8841/8851/8861",
            ),
        ]);
    }

    #[test]
    fn legacy_application_names_parse() {
        parses_as(&[
            (
                "CP7912080004SCCP080108A.sbin",
                "7912",
                Role::Application,
                "7912",
            ),
            (
                "CP7905080003SCCP070409A.zup",
                "7905",
                Role::Application,
                "7905",
            ),
            (
                "CP7902080002SCCP060817A.sbin",
                "7902",
                Role::Application,
                "7902",
            ),
            ("S00105000400.sbn", "7914", Role::Application, "7914"),
            ("B015-1-0-4-2.SBN", "7915", Role::Application, "7915"),
            ("B016-1-0-4.SBN", "7916", Role::Application, "7916"),
            ("apps37sccp.1-4-5-7", "7937", Role::Application, "7937"),
        ]);
    }

    #[test]
    fn near_misses_stay_unknown() {
        for name in [
            "S001\u{e9}\u{e9}\u{e9}\u{e9}.sbn",
            "CP7999G-1.4.LOADS",
            "FOO-1.2.SBN",
            "SCCP6999.9-1-1.loads",
            "CP7912SIP.sbin",
            "notes69xx.txt",
        ] {
            assert!(!p(name).known, "{name}");
        }
    }
}
