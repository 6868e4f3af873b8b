//! Limits on what a bundle may make loadsmith read: member size, total
//! expanded size, expansion ratio (zip bombs), member count and name length.
//!
//! Readers wrap each member's data in a [`Guard`], which counts the bytes as
//! they stream and fails the read with an [`Exceeded`] error the moment a
//! limit is passed, so a bomb costs the time to inflate up to the limit and
//! never more. Defaults are far above any vendor bundle; every limit has a
//! flag to raise it, named in the message.

use std::fmt;
use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};

/// Expansion below this many bytes is never called a bomb (a small file of
/// zeros compresses a thousandfold and harms no one).
pub const RATIO_FLOOR: u64 = 1 << 20;

/// What a bundle may make loadsmith read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest member, in bytes (`--max-member-size`).
    pub member_size: u64,
    /// Most bytes read from all members of one bundle (`--max-total-size`).
    pub total_size: u64,
    /// Largest expansion ratio, expanded : compressed (`--max-ratio`).
    pub ratio: u64,
    /// Most members in one bundle (`--max-members`).
    pub members: u64,
    /// Longest member path, in bytes (`--max-name-length`).
    pub name_len: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            member_size: 2 << 30,
            total_size: 16 << 30,
            ratio: 200,
            members: 10_000,
            name_len: 1024,
        }
    }
}

/// Which limit was passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// One member is too large.
    MemberSize,
    /// The bundle expands to too much in all.
    TotalSize,
    /// A member (or a gzip stream) expands too much for its compressed size.
    Ratio,
    /// A member expands past the size its archive declares.
    Declared,
}

/// The error a [`Guard`] fails a read with.
#[derive(Debug)]
pub struct Exceeded {
    /// Which limit.
    pub which: Which,
    /// A sentence saying what happened and how to raise the limit.
    pub message: String,
}

impl fmt::Display for Exceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Exceeded {}

/// The [`Exceeded`] inside an I/O error, if that is what it is.
pub fn exceeded(e: &io::Error) -> Option<&Exceeded> {
    e.get_ref().and_then(|r| r.downcast_ref::<Exceeded>())
}

/// Bytes in words (`2 GiB`, `350 MiB`, `12 KiB`).
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["GiB", "MiB", "KiB", "bytes"];
    for (i, u) in UNITS.iter().enumerate() {
        let scale = 1u64 << (10 * (3 - i));
        if i == 3 || n >= scale {
            let v = n as f64 / scale as f64;
            return if v.fract() == 0.0 || i == 3 {
                format!("{} {u}", v as u64)
            } else {
                format!("{v:.1} {u}")
            };
        }
    }
    format!("{n} bytes")
}

/// What one bundle has used of its limits so far (shared by reader threads).
#[derive(Debug, Default)]
pub struct Budget {
    total: AtomicU64,
    /// The bundle's file size, which everything read from it together is
    /// measured against (0: no whole-bundle ratio).
    pub packed: u64,
}

impl Budget {
    /// A budget for a bundle whose members carry their compressed sizes.
    pub fn new() -> Budget {
        Budget::default()
    }

    /// A budget for a bundle file of `packed` bytes.
    pub fn stream(packed: u64) -> Budget {
        Budget {
            total: AtomicU64::new(0),
            packed,
        }
    }

    /// True once the bundle has read more than `limits` allow in all.
    pub fn spent(&self, limits: &Limits) -> bool {
        self.total.load(Ordering::Relaxed) > limits.total_size
    }
}

/// Counts a member's bytes as they are read and stops at the first limit.
pub struct Guard<'a, R> {
    inner: R,
    name: &'a str,
    limits: &'a Limits,
    budget: &'a Budget,
    read: u64,
    /// The uncompressed size the archive declares (zip), if it is to be held to it.
    declared: Option<u64>,
    /// The member's compressed size (zip), for its ratio.
    packed: Option<u64>,
}

impl<'a, R: Read> Guard<'a, R> {
    /// Guards `inner`, the data of member `name`.
    pub fn new(
        inner: R,
        name: &'a str,
        limits: &'a Limits,
        budget: &'a Budget,
        declared: Option<u64>,
        packed: Option<u64>,
    ) -> Guard<'a, R> {
        Guard {
            inner,
            name,
            limits,
            budget,
            read: 0,
            declared,
            packed,
        }
    }

    /// Bytes read through the guard so far.
    pub fn count(&self) -> u64 {
        self.read
    }

    /// True when `n` more bytes can be read without passing any limit
    /// (as the bundle stands now): a member of `n` bytes read whole then
    /// passes the guard exactly as it would streamed.
    pub fn clears(&self, n: u64) -> bool {
        let total = self.budget.total.load(Ordering::Relaxed) + n;
        self.check_at(self.read + n, total).is_none()
    }

    fn check(&self, total: u64) -> Option<Exceeded> {
        self.check_at(self.read, total)
    }

    fn check_at(&self, read: u64, total: u64) -> Option<Exceeded> {
        let l = self.limits;
        let name = self.name;
        let fail = |which, message: String| Some(Exceeded { which, message });
        if let Some(d) = self.declared
            && read > d
        {
            return fail(
                Which::Declared,
                format!(
                    "{name} expands past the {d} bytes its archive declares: the archive is crafted or damaged"
                ),
            );
        }
        if read > l.member_size {
            return fail(
                Which::MemberSize,
                format!(
                    "{name} is larger than {} (raise the limit with --max-member-size)",
                    bytes(l.member_size)
                ),
            );
        }
        if total > l.total_size {
            return fail(
                Which::TotalSize,
                format!(
                    "the bundle expands past {} in all, at {name} (raise the limit with --max-total-size)",
                    bytes(l.total_size)
                ),
            );
        }
        let bomb =
            |out: u64, packed: u64| packed > 0 && out > RATIO_FLOOR && out / packed >= l.ratio;
        if let Some(p) = self.packed
            && bomb(read, p)
        {
            return fail(
                Which::Ratio,
                format!(
                    "{name} expands more than {}:1 from {} of compressed data: a compression bomb (raise the limit with --max-ratio)",
                    l.ratio,
                    bytes(p)
                ),
            );
        }
        // What is really inflated across the whole bundle, against its size:
        // members that share one block of data, or data no member owns.
        if bomb(total, self.budget.packed) {
            return fail(
                Which::Ratio,
                format!(
                    "the bundle expands more than {}:1 from its {} (at {name}): a compression bomb (raise the limit with --max-ratio)",
                    l.ratio,
                    bytes(self.budget.packed)
                ),
            );
        }
        None
    }
}

impl<R: Read> Read for Guard<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        let total = self.budget.total.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        match self.check(total) {
            Some(e) => Err(io::Error::new(io::ErrorKind::InvalidData, e)),
            None => Ok(n),
        }
    }
}

/// A member path short enough to show, for a name over the limit.
pub fn shorten(name: &str) -> String {
    match name.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &name[..i]),
        None => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(g: &mut impl Read) -> io::Result<u64> {
        io::copy(g, &mut io::sink())
    }

    #[test]
    fn each_limit_stops_the_read_with_its_flag_named() {
        let l = Limits {
            member_size: 1000,
            total_size: 1500,
            ratio: 10,
            members: 5,
            name_len: 20,
        };
        let b = Budget::new();
        let e = drain(&mut Guard::new(&[0u8; 2000][..], "a", &l, &b, None, None)).unwrap_err();
        assert!(e.to_string().contains("--max-member-size"), "{e}");
        let b = Budget::new();
        drain(&mut Guard::new(&[0u8; 900][..], "a", &l, &b, None, None)).unwrap();
        let e = drain(&mut Guard::new(&[0u8; 900][..], "b", &l, &b, None, None)).unwrap_err();
        assert_eq!(exceeded(&e).unwrap().which, Which::TotalSize);
        let e = drain(&mut Guard::new(
            &[0u8; 900][..],
            "c",
            &l,
            &Budget::new(),
            Some(100),
            None,
        ))
        .unwrap_err();
        assert_eq!(exceeded(&e).unwrap().which, Which::Declared);
    }

    #[test]
    fn ratio_counts_only_past_the_floor() {
        let l = Limits {
            ratio: 100,
            ..Limits::default()
        };
        let b = Budget::new();
        let small = vec![0u8; RATIO_FLOOR as usize];
        drain(&mut Guard::new(&small[..], "s", &l, &b, None, Some(10))).unwrap();
        let big = vec![0u8; 2 * RATIO_FLOOR as usize];
        let e = drain(&mut Guard::new(&big[..], "z", &l, &b, None, Some(1000))).unwrap_err();
        assert_eq!(exceeded(&e).unwrap().which, Which::Ratio);
        assert!(e.to_string().contains("--max-ratio"));
        let whole = Budget::stream(1000);
        let e = drain(&mut Guard::new(&big[..], "t", &l, &whole, None, None)).unwrap_err();
        assert_eq!(exceeded(&e).unwrap().which, Which::Ratio);
    }

    #[test]
    fn the_whole_bundle_counts_what_is_really_inflated() {
        // 40 members, each under the ratio floor and under its own ratio
        // limit, together expand far past the bundle's size.
        let l = Limits {
            ratio: 100,
            ..Limits::default()
        };
        let whole = Budget::stream(200_000);
        let member = vec![0u8; 900 << 10];
        let mut failed = None;
        for i in 0..40 {
            let r = drain(&mut Guard::new(
                &member[..],
                "m",
                &l,
                &whole,
                None,
                Some(1 << 20),
            ));
            if let Err(e) = r {
                failed = Some((i, e));
                break;
            }
        }
        let (i, e) = failed.expect("the bundle-wide ratio never fired");
        assert!(i > 0, "fired at the first member");
        assert_eq!(exceeded(&e).unwrap().which, Which::Ratio);
        assert!(e.to_string().contains("the bundle expands"), "{e}");
    }

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(bytes(2 << 30), "2 GiB");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(12), "12 bytes");
    }
}
