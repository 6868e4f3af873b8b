//! Firmware versions: one comparable type for every spelling the vendor uses.
//!
//! The 7940/7960 images spell versions as fixed-width digit groups
//! (`P00308010200`, `P0S3-08-12-00`), the 79x1 family as dash-separated
//! groups with a release suffix (`9-4-2SR3-1S`). Both end up here as numbers,
//! so `P0S3-8-12-00` and `P0S3-08-12-00` are one version, and `7.4 < 8.12`,
//! `5.0(2) < 8.1(2) < 8.1(2)SR2` hold. The display form is the one a user
//! reads in release notes (`8.12`, `5.0(2)`, `9.4(2)SR3`).

use std::cmp::Ordering;
use std::fmt;

/// What kind of release a version is, beyond its numbers.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Release {
    /// A manufacturing image (`P0030301MFG2`): ships on new phones, below any release.
    Manufacturing(u32),
    /// An ordinary release.
    Plain,
    /// A service release or special build (`SR2`, `ES4`, `TH1`): above its base release.
    Special {
        /// The tag as the vendor writes it (`SR`, `ES`, `TH`).
        tag: String,
        /// The number after the tag.
        number: u32,
    },
}

/// A firmware version. Equality and order ignore the spelling.
#[derive(Debug, Clone)]
pub struct Version {
    /// Major version.
    pub major: u32,
    /// Minor version.
    pub minor: u32,
    /// Maintenance version (the number in parentheses), when the name carries one.
    pub maint: Option<u32>,
    /// The last digit group (SCCP maintenance sub-version, SIP/MGCP sub-version).
    pub sub: Option<u32>,
    /// Release kind.
    pub release: Release,
    /// Build numbers after the release tag (`9-4-2SR3-1S` has `[1]`).
    pub build: Vec<u32>,
    display: String,
}

impl Version {
    /// A version shown as `major.minor` (SIP, MGCP, the universal loader, 8.3 names),
    /// with `.sub` appended when the sub-version is not zero.
    pub fn dotted(major: u32, minor: u32, sub: Option<u32>) -> Self {
        let display = match sub {
            Some(s) if s != 0 => format!("{major}.{minor}.{s}"),
            _ => format!("{major}.{minor}"),
        };
        Version {
            major,
            minor,
            maint: None,
            sub,
            release: Release::Plain,
            build: Vec::new(),
            display,
        }
    }

    /// A version shown as `major.minor(maint)` (SCCP and the 79x1 family), with
    /// its release suffix.
    pub fn paren(
        major: u32,
        minor: u32,
        maint: Option<u32>,
        sub: Option<u32>,
        release: Release,
        build: Vec<u32>,
    ) -> Self {
        let mut display = format!("{major}.{minor}");
        match (maint, sub) {
            (Some(m), Some(s)) if s != 0 => display.push_str(&format!("({m}.{s})")),
            (Some(m), _) => display.push_str(&format!("({m})")),
            (None, _) => {}
        }
        match &release {
            Release::Manufacturing(n) => display.push_str(&format!(" MFG{n}")),
            Release::Plain => {}
            Release::Special { tag, number } => display.push_str(&format!("{tag}{number}")),
        }
        Version {
            major,
            minor,
            maint,
            sub,
            release,
            build,
            display,
        }
    }

    /// The display form (`8.12`, `5.0(2)`, `8.1(2)SR2`).
    pub fn display(&self) -> &str {
        &self.display
    }

    /// True when this version is a signed-era image (5.x or later, not a
    /// manufacturing image): once on a phone, nothing below 5.x loads again.
    pub fn is_signed_era(&self) -> bool {
        self.major >= 5 && !matches!(self.release, Release::Manufacturing(_))
    }

    fn key(&self) -> (u32, u32, u32, u32, &Release, &[u32]) {
        (
            self.major,
            self.minor,
            self.maint.unwrap_or(0),
            self.sub.unwrap_or(0),
            &self.release,
            &self.build,
        )
    }

    /// Parses the 79x1 family's version spelling: `9-4-2SR3-1S`, `8-5-4S`,
    /// `8-0-4ES4-0-1S`, `8-5-4TH1-6`, `9-4-2ES26`.
    pub fn parse_dashed(text: &str) -> Option<Version> {
        let mut groups = text.split('-');
        let major = digits(groups.next()?)?;
        let minor = digits(groups.next()?)?;
        let third = groups.next()?;
        let lead: String = third.chars().take_while(|c| c.is_ascii_digit()).collect();
        let maint = digits(&lead)?;
        let rest = &third[lead.len()..];
        let mut build = Vec::new();
        let release = parse_suffix(rest)?;
        for g in groups {
            let g = g.strip_suffix(['S', 's']).unwrap_or(g);
            if g.is_empty() {
                continue;
            }
            build.push(digits(g)?);
        }
        Some(Version::paren(
            major,
            minor,
            Some(maint),
            None,
            release,
            build,
        ))
    }
}

impl Version {
    /// Parses the spellings of the other families (`1.4.6.3`, `1.4.1SR1`,
    /// `9-4-1-3SR3`, `9-2-1-a`, `12-4-123-2`): up to four numbers separated
    /// by `-` or `.`, an optional release tag on the last one, anything
    /// after that ignored for order. Shown as spelled.
    pub fn loose(text: &str) -> Option<Version> {
        let mut nums = Vec::new();
        let mut release = Release::Plain;
        for g in text.split(['-', '.']) {
            let lead: String = g.chars().take_while(|c| c.is_ascii_digit()).collect();
            let Some(n) = digits(&lead) else { break };
            nums.push(n);
            let rest = &g[lead.len()..];
            if !rest.is_empty() {
                release = parse_suffix(rest).unwrap_or(Release::Plain);
                break;
            }
            if nums.len() == 4 {
                break;
            }
        }
        if nums.len() < 2 {
            return None;
        }
        Some(Version {
            major: nums[0],
            minor: nums[1],
            maint: nums.get(2).copied(),
            sub: nums.get(3).copied(),
            release,
            build: Vec::new(),
            display: text.to_string(),
        })
    }
}

/// `""`, `"S"` (signed marker), `"SR3"`, `"ES26"`, `"TH1"`, `"SR1S"`.
fn parse_suffix(rest: &str) -> Option<Release> {
    let rest = if rest.len() > 1 {
        rest.strip_suffix('S').unwrap_or(rest)
    } else {
        rest
    };
    if rest.is_empty() || rest.eq_ignore_ascii_case("S") {
        return Some(Release::Plain);
    }
    let tag: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    let num = &rest[tag.len()..];
    if tag.is_empty() || tag.len() > 4 {
        return None;
    }
    Some(Release::Special {
        tag: tag.to_ascii_uppercase(),
        number: digits(num)?,
    })
}

/// Parses a run of 1–4 ASCII digits.
pub(crate) fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}
impl Eq for Version {}
impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dashed_versions_parse_with_their_release() {
        let v = Version::parse_dashed("9-4-2SR3-1S").unwrap();
        assert_eq!(v.display(), "9.4(2)SR3");
        assert_eq!(Version::parse_dashed("8-5-4S").unwrap().display(), "8.5(4)");
        assert_eq!(
            Version::parse_dashed("8-0-4ES4-0-1S").unwrap().display(),
            "8.0(4)ES4"
        );
        assert_eq!(
            Version::parse_dashed("8-5-4TH1-6").unwrap().display(),
            "8.5(4)TH1"
        );
        assert!(Version::parse_dashed("9-x-2").is_none());
        assert!(Version::parse_dashed("").is_none());
    }

    #[test]
    fn order_follows_releases() {
        let a = Version::paren(5, 0, Some(2), Some(0), Release::Plain, vec![]);
        let b = Version::paren(8, 1, Some(2), Some(0), Release::Plain, vec![]);
        let c = Version::paren(
            8,
            1,
            Some(2),
            None,
            Release::Special {
                tag: "SR".into(),
                number: 2,
            },
            vec![],
        );
        assert!(a < b && b < c);
        assert!(Version::dotted(7, 4, Some(0)) < Version::dotted(8, 12, Some(0)));
        assert_eq!(
            Version::dotted(8, 12, Some(0)),
            Version::dotted(8, 12, None)
        );
    }
}
