//! The findings a bundle raises as it streams by: the reader's problems,
//! each member's name, kind and decoded head, and the bundle as a whole
//! (its extension, its name, the published checksums).

use std::fmt::Display;

use super::{Code, Finding};

/// A reader's problem with the archive (`member` None) or one of its
/// members: `{subject} {what} ({detail})`.
pub(super) fn read_problem(code: Code, member: Option<&str>, what: &str, detail: &str) -> Finding {
    let subject = member.unwrap_or("the bundle");
    Finding::new(code, member, format!("{subject} {what} ({detail})"))
}

/// Why something ends early (`truncated`).
pub enum Truncation<'a> {
    /// The reader: the archive (`member` None) or a member ends early.
    Read {
        /// The member, if one.
        member: Option<&'a str>,
        /// The reader's words.
        detail: &'a str,
    },
    /// A signed header that runs past the end of the file.
    SignedHeader {
        /// The file.
        name: &'a str,
        /// The decoder's words.
        error: &'a dyn Display,
    },
    /// A CNU archive whose table needs more body than the file has.
    CnuBody {
        /// The file.
        name: &'a str,
        /// Bytes of body the table needs.
        needs: u64,
        /// Bytes of body the file has.
        has: u64,
    },
    /// A CNU archive table that is cut.
    CnuTable {
        /// The file.
        name: &'a str,
        /// The decoder's words.
        error: &'a dyn Display,
    },
}

/// `truncated`: the archive, a member or a table in it ends early.
pub fn truncated(why: Truncation<'_>) -> Finding {
    let (name, message) = match why {
        Truncation::Read { member, detail } => {
            return read_problem(
                Code::Truncated,
                member,
                "ends early; download it again",
                detail,
            );
        }
        Truncation::SignedHeader { name, error } => (
            name,
            format!("{name}: the signed header runs past the end of the file ({error})"),
        ),
        Truncation::CnuBody { name, needs, has } => (
            name,
            format!(
                "{name}: its archive table needs {needs} bytes of body, the file has {has}; download it again"
            ),
        ),
        Truncation::CnuTable { name, error } => (name, format!("{name}: {error}")),
    };
    Finding::new(Code::Truncated, Some(name), message)
}

/// `crc-mismatch`: a member's stored CRC differs from its data.
pub fn crc_mismatch(member: Option<&str>, detail: &str) -> Finding {
    let what = "fails its CRC check: the data is damaged; download the bundle again";
    read_problem(Code::CrcMismatch, member, what, detail)
}

/// `corrupt`: the archive's structure is damaged.
pub fn corrupt(member: Option<&str>, detail: &str) -> Finding {
    read_problem(Code::Corrupt, member, "is damaged", detail)
}

/// `limit-exceeded`: the reader stopped at a limit (`detail` names it).
pub fn limit_exceeded(member: Option<&str>, detail: &str) -> Finding {
    let what = "passes a limit and was not read further";
    read_problem(Code::LimitExceeded, member, what, detail)
}

/// `overlapping-members`: zip entries whose data overlap.
pub fn overlapping_members(member: Option<&str>, detail: &str) -> Finding {
    let what = "has entries whose data overlap: a crafted zip";
    read_problem(Code::OverlappingMembers, member, what, detail)
}

/// `name-mismatch`: a member stored under two names.
pub fn name_mismatch(member: Option<&str>, detail: &str) -> Finding {
    let what = "is stored under two different names";
    read_problem(Code::NameMismatch, member, what, detail)
}

/// `unsafe-path`: the member's stored `path` is unsafe for `reason`.
pub fn unsafe_path(path: &str, reason: &str) -> Finding {
    Finding::new(
        Code::UnsafePath,
        Some(path),
        format!(
            "{path}: the member is {reason}; loadsmith never writes it, and a careless unzip would put it outside the TFTP root"
        ),
    )
}

/// `link-member`: the member at `path` is a `kind` (`symlink`, `fifo`…),
/// pointing at `target` for a link.
pub fn link_member(path: &str, target: Option<&str>, kind: &str) -> Finding {
    let target = target.map(|t| format!(" → {t}")).unwrap_or_default();
    Finding::new(
        Code::LinkMember,
        Some(path),
        format!(
            "{path}{target}: a {kind} in a firmware bundle; links and devices are never staged (they could point outside the root)"
        ),
    )
}

/// What was signed under another name (`embedded-name-mismatch`).
pub enum SignedAs<'a> {
    /// A member `name`, signed as `embedded`.
    Member {
        /// The member.
        name: &'a str,
        /// The name it was signed as.
        embedded: &'a str,
    },
    /// The `.cop.sgn` bundle `base` itself, signed as `embedded`.
    Bundle {
        /// The bundle's file name.
        base: &'a str,
        /// The name it was signed as.
        embedded: &'a str,
    },
}

/// `embedded-name-mismatch`: a file was signed under another name.
pub fn embedded_name_mismatch(what: SignedAs<'_>) -> Finding {
    match what {
        SignedAs::Member { name, embedded } => Finding::new(
            Code::EmbeddedNameMismatch,
            Some(name),
            format!(
                "{name} was signed as {embedded}: the phone will say \"Image Authentication Failed\"; use the vendor's file name {embedded}"
            ),
        ),
        SignedAs::Bundle { base, embedded } => Finding::new(
            Code::EmbeddedNameMismatch,
            None,
            format!(
                "the bundle {base} was signed as {embedded}: it was renamed after signing, and an installer that checks the signed name refuses it; use the vendor's file name {embedded}"
            ),
        ),
    }
}

/// A signed format loadsmith does not decode (`unknown-header`).
pub enum UnknownHeader<'a> {
    /// The 78xx/88xx container, `size` bytes.
    Container78xx {
        /// The file's size.
        size: u64,
    },
    /// Another format, starting with these bytes.
    Other {
        /// Its first bytes, in hex.
        starts: &'a str,
    },
}

/// `unknown-header`: `name` is signed in a format loadsmith does not decode.
pub fn unknown_header(name: &str, what: UnknownHeader<'_>) -> Finding {
    let message = match what {
        UnknownHeader::Container78xx { size } => format!(
            "{name}: the 78xx/88xx signed container (starts CD 34 12 AB), {size} bytes; its grammar is not published, so its list is not read; not an error"
        ),
        UnknownHeader::Other { starts } => {
            format!("{name}: a signed format loadsmith does not decode (starts {starts})")
        }
    };
    Finding::new(Code::UnknownHeader, Some(name), message)
}

/// `bad-header`: `name`'s signed header cannot be decoded.
pub fn bad_header(name: &str, error: &dyn Display) -> Finding {
    Finding::new(
        Code::BadHeader,
        Some(name),
        format!("{name}: the signed header cannot be decoded ({error})"),
    )
}

/// Why a `.loads` cannot be read (`bad-loads`).
pub enum BadLoads<'a> {
    /// Far longer than a list: `size` bytes.
    TooLong {
        /// The file's size.
        size: u64,
    },
    /// The list does not parse.
    Unparsed(&'a dyn Display),
}

/// `bad-loads`: `name`'s list cannot be read.
pub fn bad_loads(name: &str, why: BadLoads<'_>) -> Finding {
    let message = match why {
        BadLoads::TooLong { size } => {
            format!("{name}: {size} bytes is far too long for a load list; it is not a real .loads")
        }
        BadLoads::Unparsed(e) => format!("{name}: {e}"),
    };
    Finding::new(Code::BadLoads, Some(name), message)
}

/// `nested-bundle`: `name` is a bundle of the format `label`.
pub fn nested_bundle(name: &str, label: &str) -> Finding {
    Finding::new(
        Code::NestedBundle,
        Some(name),
        format!(
            "{name}: a {label} inside the bundle; loadsmith does not open bundles inside bundles: unpack it and inspect it on its own"
        ),
    )
}

/// `unknown-member`: a name loadsmith does not know.
pub fn unknown_member(name: &str) -> Finding {
    Finding::new(
        Code::UnknownMember,
        Some(name),
        format!("{name}: not a firmware file loadsmith knows; phones will not ask for it"),
    )
}

/// `unsigned-image`: an unsigned `.bin` image.
pub fn unsigned_image(name: &str) -> Finding {
    Finding::new(
        Code::UnsignedImage,
        Some(name),
        format!("{name}: unsigned image, accepted only by phones running firmware below 5.x"),
    )
}

/// `self-check`: a wireless `.SBN` carries the MD5 `claim`, its bytes give `actual`.
pub fn self_check(name: &str, claim: &str, actual: &str) -> Finding {
    Finding::new(
        Code::SelfCheck,
        Some(name),
        format!(
            "{name}: it carries the MD5 {claim}, but its bytes give {actual}: damaged or altered; download it again"
        ),
    )
}

/// `wrong-extension`: the bundle `base` is named like a `named` but its bytes are a `is`.
pub fn wrong_extension(base: &str, named: &str, is: &str) -> Finding {
    Finding::new(
        Code::WrongExtension,
        None,
        format!("{base} is named like a {named} but its bytes are a {is}; read as {is}"),
    )
}

/// `no-firmware`: the bundle holds no firmware file.
pub fn no_firmware() -> Finding {
    Finding::new(
        Code::NoFirmware,
        None,
        "the bundle holds no firmware file (.loads, .sbn, .sb2, .bin): nothing here can be staged",
    )
}

/// `bundle-name`: the bundle `base` is named for `named` but holds `holds`.
pub fn bundle_name(base: &str, named: &str, holds: &[&str]) -> Finding {
    Finding::new(
        Code::BundleName,
        None,
        format!(
            "{base} is named for {named} but holds {}: a renamed download, or the wrong file",
            holds.join(", ")
        ),
    )
}

/// `checksum-verified`: the bundle `base`'s digest `alg` is the published one.
pub fn checksum_verified(base: &str, alg: &str) -> Finding {
    Finding::new(
        Code::ChecksumVerified,
        None,
        format!("{base}: {alg} matches the published sum"),
    )
}

/// `checksum-mismatch`: the bundle `base`'s digest `alg` is not the published one.
pub fn checksum_mismatch(base: &str, alg: &str) -> Finding {
    Finding::new(
        Code::ChecksumMismatch,
        None,
        format!(
            "{base}: {alg} differs from the published sum; the download is damaged or not the vendor's file: download it again"
        ),
    )
}

/// `weak-checksum`: the bundle `base` is verified by MD5 alone.
pub fn weak_checksum(base: &str) -> Finding {
    Finding::new(
        Code::WeakChecksum,
        None,
        format!(
            "{base}: verified by MD5 alone, a weak hash that a crafted file can match; check the SHA-512 sum from the download page too"
        ),
    )
}
