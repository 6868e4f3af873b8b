//! Table 2 of the vendor's 7940/7960 firmware matrix, as data.
//!
//! The rows are kept as the vendor printed them, in their three sections
//! (before image authentication, signed, universal loader), followed by the
//! later releases named in the field guide and the reference.

use serde::Serialize;

/// The section a row of the catalogue belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Section {
    /// Above the image-authentication line: unsigned images (`.bin`).
    Unsigned,
    /// Below it: signed images (`.sbn`); none of them loads anything above the line.
    Signed,
    /// Universal application loader era (SCCP 6.x, SIP/MGCP 7.x and later).
    UniversalLoader,
    /// Releases after the 2006 matrix, from the field guide and the reference.
    Later,
}

impl Section {
    /// The boundary text the vendor prints before this section.
    pub fn title(self) -> &'static str {
        match self {
            Section::Unsigned => "Unsigned images (before image authentication)",
            Section::Signed => {
                "Image authentication added: the images above will not load from the images below; all images below boot to any other image below, whatever the protocol"
            }
            Section::UniversalLoader => {
                "Universal application loader support: SCCP 6.x, SIP and MGCP 7.x"
            }
            Section::Later => "Later releases (after the 2006 matrix)",
        }
    }
}

/// One printed row of Table 2.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Row {
    /// Which part of the table the row is in.
    pub section: Section,
    /// The SCCP image, if the row has one.
    pub sccp: Option<&'static str>,
    /// The SIP image, if the row has one.
    pub sip: Option<&'static str>,
    /// The MGCP image, if the row has one.
    pub mgcp: Option<&'static str>,
    /// The vendor's remark in the row, if any.
    pub remark: Option<&'static str>,
}

const fn r(
    section: Section,
    sccp: Option<&'static str>,
    sip: Option<&'static str>,
    mgcp: Option<&'static str>,
    remark: Option<&'static str>,
) -> Row {
    Row {
        section,
        sccp,
        sip,
        mgcp,
        remark,
    }
}

use Section::*;

/// Table 2, as printed, then the later releases.
pub static TABLE_2: &[Row] = &[
    r(Unsigned, Some("P00303000100"), Some("P0S30100"), None, None),
    r(Unsigned, Some("P00303020100"), Some("P0S30200"), None, None),
    r(Unsigned, Some("P00303010600"), Some("P0S30201"), None, None),
    r(Unsigned, Some("P00303020400"), Some("P0S30202"), None, None),
    r(
        Unsigned,
        Some("P00303011000"),
        Some("P0S30203"),
        None,
        Some("MGCP support introduced"),
    ),
    r(
        Unsigned,
        Some("P00303020500"),
        Some("P0S3-03-0-00"),
        Some("P0M3-03-0-00"),
        None,
    ),
    r(
        Unsigned,
        Some("P00303011100"),
        Some("P0S3-03-1-00"),
        Some("P0M3-03-1-00"),
        None,
    ),
    r(
        Unsigned,
        Some("P00303020600"),
        Some("P0S3-03-2-00"),
        None,
        Some("There was no P0M3-03-2-00"),
    ),
    r(
        Unsigned,
        Some("P00303030200"),
        Some("P0S3-04-0-00"),
        Some("P0M3-04-0-00"),
        None,
    ),
    r(
        Unsigned,
        Some("P00303011200"),
        Some("P0S3-04-1-00"),
        Some("P0M3-04-1-00"),
        None,
    ),
    r(
        Unsigned,
        Some("P00303020700"),
        Some("P0S3-04-2-00"),
        Some("P0M3-04-2-00"),
        None,
    ),
    r(
        Unsigned,
        Some("P00303030300"),
        Some("P0S3-04-3-00"),
        Some("P0M3-04-3-00"),
        None,
    ),
    r(
        Unsigned,
        Some("P00303030400"),
        Some("P0S3-04-4-00"),
        Some("P0M3-04-4-00"),
        None,
    ),
    r(
        Unsigned,
        Some("P00307010100"),
        Some("P0S3-07-4-00"),
        Some("P0M3-07-4-00"),
        Some("printed above the line in the vendor's table; 7.x images are signed"),
    ),
    r(
        Unsigned,
        Some("P00307010200"),
        None,
        None,
        Some("printed above the line in the vendor's table; 7.x images are signed"),
    ),
    r(
        Signed,
        Some("P00305000100"),
        Some("P0S3-05-0-00"),
        Some("P0M3-05-0-00"),
        None,
    ),
    r(
        Signed,
        Some("P00305000200"),
        Some("P0S3-05-1-00"),
        Some("P0M3-05-1-00"),
        None,
    ),
    r(
        Signed,
        Some("P00305000300"),
        Some("P0S3-05-2-00"),
        Some("P0M3-05-2-00"),
        None,
    ),
    r(
        Signed,
        Some("P00305000400"),
        Some("P0S3-05-3-00"),
        Some("P0M3-05-3-00"),
        None,
    ),
    r(
        Signed,
        Some("P00305000500"),
        Some("P0S3-06-0-00"),
        Some("P0M3-06-0-00"),
        None,
    ),
    r(Signed, Some("P00305000600"), None, None, None),
    r(
        Signed,
        None,
        Some("P0S3-06-1-00"),
        Some("P0M3-06-1-00"),
        None,
    ),
    r(
        Signed,
        None,
        Some("P0S3-06-2-00"),
        Some("P0M3-06-2-00"),
        None,
    ),
    r(
        Signed,
        None,
        Some("P0S3-06-3-00"),
        Some("P0M3-06-3-00"),
        None,
    ),
    r(
        UniversalLoader,
        Some("P00306000100"),
        Some("P0S3-07-0-00"),
        Some("P0M3-07-0-00"),
        None,
    ),
    r(
        UniversalLoader,
        Some("P00306000200"),
        Some("P0S3-07-1-00"),
        Some("P0M3-07-1-00"),
        None,
    ),
    r(UniversalLoader, Some("P00306000300"), None, None, None),
    r(
        UniversalLoader,
        Some("P00306000400"),
        Some("P0S3-07-2-00"),
        Some("P0M3-07-2-00"),
        None,
    ),
    r(
        UniversalLoader,
        Some("P00306000500"),
        Some("P0S3-07-3-00"),
        Some("P0M3-07-3-00"),
        None,
    ),
    r(
        UniversalLoader,
        Some("P00307000200"),
        Some("P0S3-07-4-00"),
        Some("P0M3-07-4-00"),
        None,
    ),
    r(
        UniversalLoader,
        Some("P00307010100"),
        Some("P0S3-07-5-00"),
        Some("P0M3-07-5-00"),
        None,
    ),
    r(UniversalLoader, Some("P00307010200"), None, None, None),
    r(UniversalLoader, Some("P00307020100"), None, None, None),
    r(UniversalLoader, Some("P00307020200"), None, None, None),
    r(
        Later,
        Some("P00308000900"),
        None,
        None,
        Some("8.0(9): the field guide's loader for switching protocols"),
    ),
    r(
        Later,
        Some("P00308010200"),
        Some("P0S3-08-11-00"),
        None,
        None,
    ),
    r(
        Later,
        Some("P0030801SR02"),
        Some("P0S3-8-12-00"),
        None,
        Some("last releases for 7940/7960; SIP 8.12 files use the unpadded spelling"),
    ),
];

/// The intermediate load of Procedure F and footnote 2, per protocol.
pub fn six_three(protocol: crate::names::Protocol) -> &'static str {
    match protocol {
        crate::names::Protocol::Mgcp => "P0M3-06-3-00",
        _ => "P0S3-06-3-00",
    }
}

/// Images Table 2 says never existed, with the sentence that says so.
pub static NEVER_RELEASED: &[(&str, &str)] = &[(
    "P0M3-03-2-00",
    "Table 2 of the vendor's matrix: \"There was no P0M3-03-2-00.\"",
)];

/// The sentence that says `name` was never released, if one does (either
/// spelling: `P0M3-3-2-00` is the same version).
pub fn never_released(name: &crate::names::ImageName) -> Option<&'static str> {
    NEVER_RELEASED
        .iter()
        .find(|(n, _)| {
            let never = crate::names::ImageName::parse(n);
            name.stem == *n || (name.known && never.same_image(name))
        })
        .map(|(_, why)| *why)
}

/// `name` with a note when Table 2 says it was never released (`names`).
pub fn noted(mut name: crate::names::ImageName) -> crate::names::ImageName {
    if let Some(why) = never_released(&name) {
        name.notes
            .push(format!("never released: {why}; no phone can load it"));
    }
    name
}
