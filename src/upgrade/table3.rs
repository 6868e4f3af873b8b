//! Table 3 of the vendor's matrix (firmware upgrade scenarios), as data.
//!
//! Each of the 30 rows pairs a class of current image with a class of target
//! image and names the procedure (A–F). Footnote 1 (no way back below 5.x
//! from a signed image) and footnote 2 (SIP 5.x/6.x go through SIP 6.3 to
//! reach 7.x) are attached to the rows that carry them; the planner applies them.

use serde::Serialize;

use crate::names::{ImageName, Protocol, Release};

/// The vendor's upgrade procedures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Procedure {
    /// Point `loadInformation` at the new SCCP image and reset.
    A,
    /// Copy the image, write `OS79XX.TXT` and the protocol configuration, reset.
    B,
    /// Set the target protocol's image parameter; remove other protocols' configuration.
    C,
    /// Unpack the universal-loader bundle in the TFTP root and reset.
    D,
    /// Name the new image in the (current or new) protocol's configuration file.
    E,
    /// Procedure B to the 6.3 image, then Procedure D.
    F,
}

/// A class of images, as a row of Table 3 words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// `P0030301MFGx`, the image shipped from manufacturing.
    Manufacturing,
    /// Images of the given protocols whose major version is within the bounds.
    Images {
        /// SCCP images belong to the class.
        sccp: bool,
        /// SIP and MGCP images belong to the class.
        sip_mgcp: bool,
        /// Lowest major version, inclusive.
        min: u32,
        /// Highest major version, inclusive.
        max: u32,
    },
}

impl Class {
    /// True when `name` belongs to the class.
    pub fn contains(self, name: &ImageName) -> bool {
        let Some(v) = &name.version else { return false };
        let mfg = matches!(v.release, Release::Manufacturing(_));
        match self {
            Class::Manufacturing => mfg && name.protocol == Some(Protocol::Sccp),
            Class::Images {
                sccp,
                sip_mgcp,
                min,
                max,
            } => {
                let proto_ok = match name.protocol {
                    Some(Protocol::Sccp) => sccp,
                    Some(Protocol::Sip | Protocol::Mgcp) => sip_mgcp,
                    _ => false,
                };
                proto_ok && !mfg && (min..=max).contains(&v.major)
            }
        }
    }
}

/// One row of Table 3.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    /// Row number, 1–30, in the vendor's order.
    pub number: u8,
    /// "Current Image on Phone", as printed.
    pub current_label: &'static str,
    /// The class of the current image.
    pub current: Class,
    /// The class of the target image.
    pub target: Class,
    /// "Upgrade Procedure".
    pub procedure: Procedure,
    /// Footnotes the row carries (1, 2).
    pub footnotes: &'static [u8],
}

const ANY: u32 = u32::MAX;
const fn sccp(min: u32, max: u32) -> Class {
    Class::Images {
        sccp: true,
        sip_mgcp: false,
        min,
        max,
    }
}
const fn sipm(min: u32, max: u32) -> Class {
    Class::Images {
        sccp: false,
        sip_mgcp: true,
        min,
        max,
    }
}
const fn sip_only(min: u32, max: u32) -> Class {
    // The current-image classes "SIP images …" and "MGCP images …" are told
    // apart by protocol; see `current_protocol` below.
    sipm(min, max)
}

const fn row(
    number: u8,
    current_label: &'static str,
    current: Class,
    target: Class,
    procedure: Procedure,
    footnotes: &'static [u8],
) -> Row {
    Row {
        number,
        current_label,
        current,
        target,
        procedure,
        footnotes,
    }
}

use Procedure::*;

/// The 30 rows of Table 3, in the vendor's order.
pub static TABLE_3: &[Row] = &[
    row(
        1,
        "P0030301MFGx (image shipped from manufacturing)",
        Class::Manufacturing,
        // Upgrade to: "Any SCCP image", as printed.
        sccp(0, ANY),
        A,
        &[],
    ),
    row(
        2,
        "P0030301MFGx (image shipped from manufacturing)",
        Class::Manufacturing,
        // Upgrade to: "SIP or MGCP images 6.x or earlier", as printed.
        sipm(0, 6),
        B,
        &[],
    ),
    row(
        3,
        "P0030301MFGx (image shipped from manufacturing)",
        Class::Manufacturing,
        // Upgrade to: "SIP or MGCP images 7.x or later", as printed.
        sipm(7, ANY),
        C,
        &[],
    ),
    row(
        4,
        "SCCP images 3.x or earlier",
        sccp(0, 3),
        // Upgrade to: "Any SCCP image", as printed.
        sccp(0, ANY),
        A,
        &[],
    ),
    row(
        5,
        "SCCP images 3.x or earlier",
        sccp(0, 3),
        // Upgrade to: "SIP or MGCP images 6.x or earlier", as printed.
        sipm(0, 6),
        B,
        &[],
    ),
    row(
        6,
        "SCCP images 3.x or earlier",
        sccp(0, 3),
        // Upgrade to: "SIP or MGCP images 7.x or later", as printed.
        sipm(7, ANY),
        C,
        &[],
    ),
    row(
        7,
        "SCCP images 5.x",
        sccp(5, 5),
        // Upgrade to: "SCCP images 5.x or later", as printed.
        sccp(5, ANY),
        A,
        &[1],
    ),
    row(
        8,
        "SCCP images 5.x",
        sccp(5, 5),
        // Upgrade to: "SIP or MGCP images 5.x or 6.x", as printed.
        sipm(5, 6),
        B,
        &[],
    ),
    row(
        9,
        "SCCP images 5.x",
        sccp(5, 5),
        // Upgrade to: "SIP or MGCP images 7.x or later", as printed.
        sipm(7, ANY),
        C,
        &[],
    ),
    row(
        10,
        "SCCP images 6.x or later",
        sccp(6, ANY),
        // Upgrade to: "SCCP images 5.x or later", as printed.
        sccp(5, ANY),
        A,
        &[1],
    ),
    row(
        11,
        "SCCP images 6.x or later",
        sccp(6, ANY),
        // Upgrade to: "SIP or MGCP images 5.x or 6.x", as printed.
        sipm(5, 6),
        C,
        &[1],
    ),
    row(
        12,
        "SCCP images 6.x or later",
        sccp(6, ANY),
        // Upgrade to: "SIP or MGCP images 7.x or later", as printed.
        sipm(7, ANY),
        C,
        &[],
    ),
    row(
        13,
        "SIP images 4.x or earlier",
        sip_only(0, 4),
        // Upgrade to: "SCCP images 5.x or earlier", as printed.
        sccp(0, 5),
        B,
        &[],
    ),
    row(
        14,
        "SIP images 4.x or earlier",
        sip_only(0, 4),
        // Upgrade to: "SCCP images 6.x or later", as printed.
        sccp(6, ANY),
        F,
        &[],
    ),
    row(
        15,
        "SIP images 4.x or earlier",
        sip_only(0, 4),
        // Upgrade to: "SIP or MGCP images 6.x or earlier", as printed.
        sipm(0, 6),
        B,
        &[],
    ),
    row(
        16,
        "SIP images 4.x or earlier",
        sip_only(0, 4),
        // Upgrade to: "SIP or MGCP images 7.x or later", as printed.
        sipm(7, ANY),
        F,
        &[],
    ),
    row(
        17,
        "SIP images 5.x and 6.x",
        sip_only(5, 6),
        // Upgrade to: "SCCP images 5.x or later", as printed.
        sccp(5, ANY),
        D,
        &[1],
    ),
    row(
        18,
        "SIP images 5.x and 6.x",
        sip_only(5, 6),
        // Upgrade to: "SIP or MGCP images 6.x or earlier", as printed.
        sipm(0, 6),
        B,
        &[],
    ),
    row(
        19,
        "SIP images 5.x and 6.x",
        sip_only(5, 6),
        // Upgrade to: "SIP or MGCP images 7.x or later", as printed.
        sipm(7, ANY),
        D,
        &[2],
    ),
    row(
        20,
        "SIP images 7.x or later",
        sip_only(7, ANY),
        // Upgrade to: "SCCP images 5.x or later", as printed.
        sccp(5, ANY),
        E,
        &[1],
    ),
    row(
        21,
        "SIP images 7.x or later",
        sip_only(7, ANY),
        // Upgrade to: "SIP or MGCP images 7.x or later", as printed.
        sipm(7, ANY),
        E,
        &[],
    ),
    row(
        22,
        "MGCP images 4.x or earlier",
        sip_only(0, 4),
        // Upgrade to: "SCCP images 5.x or earlier", as printed.
        sccp(0, 5),
        B,
        &[],
    ),
    row(
        23,
        "MGCP images 4.x or earlier",
        sip_only(0, 4),
        // Upgrade to: "SCCP images 6.x or later", as printed.
        sccp(6, ANY),
        F,
        &[],
    ),
    row(
        24,
        "MGCP images 4.x or earlier",
        sip_only(0, 4),
        // Upgrade to: "SIP or MGCP images 6.x or earlier", as printed.
        sipm(0, 6),
        B,
        &[],
    ),
    row(
        25,
        "MGCP images 4.x or earlier",
        sip_only(0, 4),
        // Upgrade to: "SIP or MGCP images 7.x or later", as printed.
        sipm(7, ANY),
        F,
        &[],
    ),
    row(
        26,
        "MGCP images 5.x and 6.x",
        sip_only(5, 6),
        // Upgrade to: "SCCP images 5.x or later", as printed.
        sccp(5, ANY),
        D,
        &[1],
    ),
    row(
        27,
        "MGCP images 5.x and 6.x",
        sip_only(5, 6),
        // Upgrade to: "SIP or MGCP images 6.x or earlier", as printed.
        sipm(0, 6),
        B,
        &[],
    ),
    row(
        28,
        "MGCP images 5.x and 6.x",
        sip_only(5, 6),
        // Upgrade to: "SIP or MGCP images 7.x or later", as printed.
        sipm(7, ANY),
        F,
        &[],
    ),
    row(
        29,
        "MGCP images 7.x or later",
        sip_only(7, ANY),
        // Upgrade to: "SCCP images 5.x or later", as printed.
        sccp(5, ANY),
        E,
        &[1],
    ),
    row(
        30,
        "MGCP images 7.x or later",
        sip_only(7, ANY),
        // Upgrade to: "SIP or MGCP images 5.x or later", as printed.
        sipm(5, ANY),
        E,
        &[1],
    ),
];

/// The protocol a row's current-image label names, for the SIP and MGCP rows
/// that share a class shape.
pub fn current_protocol(row: &Row) -> Option<Protocol> {
    if row.current_label.starts_with("SIP ") {
        Some(Protocol::Sip)
    } else if row.current_label.starts_with("MGCP ") {
        Some(Protocol::Mgcp)
    } else {
        None
    }
}

/// The first row whose current and target classes hold `from` and `to`.
pub fn find_row(from: &ImageName, to: &ImageName) -> Option<&'static Row> {
    TABLE_3.iter().find(|r| {
        r.current.contains(from)
            && current_protocol(r).is_none_or(|p| from.protocol == Some(p))
            && r.target.contains(to)
    })
}

/// Footnote texts.
pub fn footnote(n: u8) -> &'static str {
    match n {
        1 => {
            "Image authentication does not allow for downgrades to versions earlier than 5.x once a 5.x image is on the phone."
        }
        2 => {
            "Upgrading from SIP 5.x directly to SIP 7.x is not possible: first upgrade to SIP 6.3, then go to SIP 7.x (Procedure F)."
        }
        _ => "",
    }
}
