//! Member names from archives: which are safe, and the base name phones ask for.
//!
//! Phones fetch bare names from the TFTP root's top level, so a member counts
//! by its base name. A name that is absolute, climbs with `..`, carries a
//! drive letter or backslashes, or holds control characters or bytes outside
//! ASCII is unsafe: it is reported and never written anywhere.

/// Why a member name is unsafe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsafe {
    /// Starts with `/`.
    Absolute,
    /// Has a `..` component.
    ParentDir,
    /// Starts with a drive letter (`C:`).
    DriveLetter,
    /// Uses backslashes as separators.
    Backslash,
    /// Holds control characters or NUL.
    Control,
    /// Holds bytes outside ASCII (or not UTF-8): phones ask for ASCII names,
    /// and such a name could pass for a vendor's.
    NonAscii,
    /// Empty, or nothing after the last separator.
    Empty,
}

impl Unsafe {
    /// Why, in words.
    pub fn reason(self) -> &'static str {
        match self {
            Unsafe::Absolute => "an absolute path",
            Unsafe::ParentDir => "a path that climbs out with ..",
            Unsafe::DriveLetter => "a path with a drive letter",
            Unsafe::Backslash => "a path with backslashes",
            Unsafe::Control => "a name with control characters",
            Unsafe::NonAscii => "a name with bytes outside ASCII (phones ask for ASCII names)",
            Unsafe::Empty => "an empty name",
        }
    }
}

/// Checks a member path and returns its base name.
pub fn base_name(path: &str) -> Result<&str, Unsafe> {
    if path.chars().any(char::is_control) {
        return Err(Unsafe::Control);
    }
    if !path.is_ascii() {
        return Err(Unsafe::NonAscii);
    }
    if path.starts_with('/') {
        return Err(Unsafe::Absolute);
    }
    if path.contains('\\') {
        return Err(Unsafe::Backslash);
    }
    let b = path.as_bytes();
    if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
        return Err(Unsafe::DriveLetter);
    }
    if path.split('/').any(|c| c == "..") {
        return Err(Unsafe::ParentDir);
    }
    match path.trim_end_matches('/').rsplit('/').next() {
        Some(base) if !base.is_empty() && base != "." => Ok(base),
        _ => Err(Unsafe::Empty),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_judged() {
        assert_eq!(base_name("P0S3-8-12-00.sb2"), Ok("P0S3-8-12-00.sb2"));
        assert_eq!(base_name("fw/sub/a.sbn"), Ok("a.sbn"));
        assert_eq!(base_name("./a.sbn"), Ok("a.sbn"));
        assert_eq!(base_name("/etc/passwd"), Err(Unsafe::Absolute));
        assert_eq!(base_name("../../x"), Err(Unsafe::ParentDir));
        assert_eq!(base_name("a/../../x"), Err(Unsafe::ParentDir));
        assert_eq!(base_name("C:/x"), Err(Unsafe::DriveLetter));
        assert_eq!(base_name("a\\b"), Err(Unsafe::Backslash));
        assert_eq!(base_name("a\u{1b}[2J"), Err(Unsafe::Control));
        assert_eq!(base_name("a\u{9b}2J"), Err(Unsafe::Control));
        assert_eq!(base_name("P0S3-8-12-00.sb\u{0433}"), Err(Unsafe::NonAscii));
        assert_eq!(base_name("bad\u{fffd}.sbn"), Err(Unsafe::NonAscii));
        assert_eq!(base_name(""), Err(Unsafe::Empty));
        assert_eq!(base_name("dir/"), Ok("dir"));
    }
}
