//! Per-member analysis while the member streams by.
//!
//! [`Scanner`] is the [`Sink`] that `inspect`, `stage` and `check` read
//! bundles with. For each member it computes SHA-256 over the stream, keeps
//! only a bounded head (enough for a signed header, a `.loads` list, a CNU
//! table), hashes the signed body separately, and decodes what the name says
//! the file is. Memory per member is bounded by [`HEAD_CAP`].

use std::io::{self, Read};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::bundle::{EntryKind, MemberInfo, Problem, Sink, safe};
use crate::findings::{
    self, BadLoads, Duplicate, Finding, SignedAs, Truncation, UnknownHeader, Unreadable,
};
use crate::names::{ImageName, Role};
use crate::signed::{cnu, header, loads};

/// Bytes of each member kept for decoding.
pub const HEAD_CAP: usize = crate::bundle::shared::HEAD;
// A trust list is decoded from the head: it must hold the largest one read.
const _: () = assert!(crate::trust::MAX_SIZE <= HEAD_CAP as u64);

/// What is known of one member after it streamed by.
#[derive(Debug, Clone, Serialize)]
pub struct MemberReport {
    /// Base name (what phones ask for); the stored path when unsafe.
    pub name: String,
    /// Path inside the bundle, when it differs from the name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Entry kind, when not a regular file.
    #[serde(skip_serializing_if = "is_file")]
    pub kind: EntryKind,
    /// Bytes read.
    pub size: u64,
    /// SHA-256 of the data, hex.
    pub sha256: Option<String>,
    /// MD5 of the data, hex: computed for the files wireless lists name
    /// with an MD5 (upper-case `.SBN`, wireless components).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub md5: Option<String>,
    /// MD5 of the data with its first 32 bytes set to zero (see `self_check`).
    #[serde(skip)]
    pub md5_zeroed: Option<String>,
    /// For a file that starts with its own MD5 (wireless `.SBN`): whether it holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub self_check: Option<bool>,
    /// The parsed name.
    pub image: ImageName,
    /// The decoded signed header, for signed files (boxed, as `loads`: a
    /// report is kept for every member, 560 bytes instead of 856).
    pub signed: Option<Box<header::SignedHeader>>,
    /// The decoded list, for `.loads` files.
    pub loads: Option<Box<loads::LoadsBody>>,
    /// The decoded trust list, for `.tlv` files (boxed: few members have
    /// one, and a report per member is kept for every member of a bundle).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust: Option<Box<crate::trust::TrustList>>,
    /// The CNU archive table, with `--deep`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cnu: Option<cnu::CnuArchive>,
    /// SHA-256 of the body (after the signed header; the whole file when
    /// unsigned). Kept for small members and loaders only (see `Digests`).
    #[serde(skip)]
    pub body_sha256: Option<String>,
    /// The text of a small configuration-type file (`OS79XX.TXT`), kept for checks.
    #[serde(skip)]
    pub text: Option<Vec<u8>>,
    /// What a phone checks of the file: a `.loads` whole (it is small), the
    /// first KiB (the signed header) of other signed files. `stage` walks
    /// phones through the root it plans with these before writing it.
    #[serde(skip)]
    pub head: Option<Vec<u8>>,
    /// False when the name is unsafe or the entry is not a regular file: never used.
    #[serde(skip)]
    pub usable: bool,
}

fn is_file(k: &EntryKind) -> bool {
    *k == EntryKind::File
}

/// Collects member reports and reader problems.
pub struct Scanner {
    /// Decode CNU tables.
    pub deep: bool,
    /// Reports, in read order.
    pub members: Vec<MemberReport>,
    /// Findings raised while reading.
    pub findings: Vec<Finding>,
    /// Told each member read, with its size.
    pub watch: super::watch::Watch,
    buf: crate::bundle::shared::Buffer,
    head: crate::bundle::shared::Buffer,
}

impl Scanner {
    /// A scanner; `deep` lists CNU entries.
    pub fn new(deep: bool) -> Scanner {
        Scanner {
            deep,
            members: Vec::new(),
            findings: Vec::new(),
            watch: Default::default(),
            buf: crate::bundle::shared::Buffer::new(),
            head: crate::bundle::shared::Buffer::head(),
        }
    }
}

/// Streaming digests of one member.
///
/// The body digest (after the signed header) is a second SHA-256 pass, so it
/// is kept only where a check compares bodies: members that fit in the head
/// (`.loads`, `term*.default.loads`) and loaders (`.sbn` against `.bin`).
struct Digests {
    all: Sha256,
    md5: Option<md5::Md5>,
    zeroed: Option<md5::Md5>,
    head: Vec<u8>,
    body: Option<Sha256>,
    want_body: bool,
    signed_len: Option<usize>,
    started: bool,
    size: u64,
}

impl Digests {
    fn new(want_body: bool, want_md5: bool, mut head: Vec<u8>) -> Digests {
        head.clear();
        Digests {
            all: Sha256::new(),
            md5: want_md5.then(md5::Md5::new),
            zeroed: want_md5.then(md5::Md5::new),
            head,
            body: None,
            want_body,
            signed_len: None,
            started: false,
            size: 0,
        }
    }

    fn feed(&mut self, chunk: &[u8]) {
        self.all.update(chunk);
        if let (Some(m), Some(z)) = (&mut self.md5, &mut self.zeroed) {
            m.update(chunk);
            // The MD5 a wireless `.SBN` carries is over the file with its
            // first 32 bytes (the digest itself) set to zero.
            let n = (SELF_MD5_LEN as u64)
                .saturating_sub(self.size)
                .min(chunk.len() as u64) as usize;
            z.update(&[0u8; SELF_MD5_LEN][..n]);
            z.update(&chunk[n..]);
        }
        self.size += chunk.len() as u64;
        if self.started {
            if let Some(b) = &mut self.body {
                b.update(chunk);
            }
            return;
        }
        let take = (HEAD_CAP - self.head.len()).min(chunk.len());
        self.head.extend_from_slice(&chunk[..take]);
        if self.head.len() == HEAD_CAP {
            self.start_body();
            if let Some(b) = &mut self.body {
                b.update(&chunk[take..]);
            }
        }
    }

    fn start_body(&mut self) {
        self.started = true;
        if let Ok(h) = header::parse(&self.head) {
            let off = h.header_len as usize;
            self.signed_len = Some(off);
            // Called with a full head while data still streams: a large member.
            if self.head.len() == HEAD_CAP && !self.want_body {
                return;
            }
            let mut b = Sha256::new();
            b.update(&self.head[off.min(self.head.len())..]);
            self.body = Some(b);
        }
    }
}

/// The first bytes of the 78xx/88xx signed container (`formats.md` §1, §5).
const CONTAINER_78XX: [u8; 4] = [0xCD, 0x34, 0x12, 0xAB];

impl Digests {
    /// The digests into `rep` (SHA-256 of the data and of the signed body,
    /// MD5s when computed), and the finding of a wireless `.SBN` whose own
    /// MD5 does not hold.
    fn finish(self, rep: &mut MemberReport, head: &[u8]) -> Option<Finding> {
        rep.sha256 = Some(hex(&self.all.finalize()));
        rep.md5 = self.md5.map(|m| hex(&m.finalize()));
        rep.md5_zeroed = self.zeroed.map(|z| hex(&z.finalize()));
        rep.body_sha256 = match (self.body, self.signed_len) {
            (Some(b), _) => Some(hex(&b.finalize())),
            (None, None) => rep.sha256.clone(),
            (None, Some(_)) => None,
        };
        let (actual, claim) = (rep.md5_zeroed.clone()?, claimed_md5(head)?);
        rep.self_check = Some(actual == claim);
        (actual != claim).then(|| findings::self_check(&rep.name, &claim, &actual))
    }
}

/// Length of the MD5 a wireless `.SBN` starts with, in ASCII hex.
const SELF_MD5_LEN: usize = 32;

/// True when a file's MD5 is worth computing: the upper-case `.SBN` of the
/// wireless phones and sidecars, and the components wireless lists name.
fn wants_md5(image: &ImageName) -> bool {
    image.extension.as_deref() == Some("SBN")
        || matches!(image.family, Some(crate::names::Family::Named(t)) if t.starts_with("CP79"))
}

/// The MD5 a file claims for itself (its first 32 bytes, ASCII hex), lower case.
fn claimed_md5(head: &[u8]) -> Option<String> {
    let h = head.get(..SELF_MD5_LEN)?;
    h.iter()
        .all(u8::is_ascii_hexdigit)
        .then(|| String::from_utf8_lossy(h).to_ascii_lowercase())
}

/// Hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

impl Sink for Scanner {
    /// Room for every report at once: growing by doubling would hold the
    /// old and the new vector together (14 MiB at 10,000 members).
    fn expect(&mut self, members: usize) {
        self.members
            .reserve_exact(members.saturating_sub(self.members.len()));
    }

    fn member(&mut self, info: &MemberInfo, data: &mut dyn Read) -> io::Result<()> {
        // `tar -C dir .` starts with the folder itself, `./`: nothing to write.
        if info.kind == EntryKind::Dir && info.path.trim_end_matches('/') == "." {
            return Ok(());
        }
        let (name, safe_err) = match safe::base_name(&info.path) {
            Ok(b) => (b.to_string(), None),
            Err(e) => (info.path.clone(), Some(e)),
        };
        let mut rep = MemberReport {
            path: (info.path != name).then(|| info.path.clone()),
            image: ImageName::parse(&name),
            name,
            kind: info.kind,
            size: 0,
            sha256: None,
            md5: None,
            md5_zeroed: None,
            self_check: None,
            signed: None,
            loads: None,
            cnu: None,
            trust: None,
            body_sha256: None,
            text: None,
            head: None,
            usable: safe_err.is_none() && info.kind == EntryKind::File,
        };
        if let Some(e) = safe_err {
            self.findings
                .push(findings::unsafe_path(&info.path, e.reason()));
        }
        match info.kind {
            EntryKind::File => {}
            EntryKind::Dir => return Ok(()),
            k => {
                let kind = format!("{k:?}").to_lowercase();
                let target = info.link_target.as_deref();
                self.findings
                    .push(findings::link_member(&info.path, target, &kind));
                self.members.push(rep);
                return Ok(());
            }
        }
        let mut d = Digests::new(
            rep.image.role == Role::Loader,
            wants_md5(&rep.image),
            std::mem::take(&mut *self.head),
        );
        let result = loop {
            match data.read(&mut self.buf) {
                Ok(0) => break Ok(()),
                Ok(n) => d.feed(&self.buf[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        };
        if !d.started {
            d.start_body();
        }
        rep.size = d.size;
        let (signed_len, size) = (d.signed_len, d.size);
        let head = std::mem::take(&mut d.head);
        if result.is_ok() {
            self.findings.extend(d.finish(&mut rep, &head));
        }
        analyse(
            &mut rep,
            &head,
            signed_len,
            size,
            self.deep,
            &mut self.findings,
        );
        if rep.usable && rep.loads.is_some() {
            rep.head = Some(head.to_vec());
        } else if rep.usable && rep.signed.is_some() {
            rep.head = Some(head[..head.len().min(1024)].to_vec());
        }
        self.watch.done(&rep.name, rep.size);
        // The head buffer serves the next member (see `shared::buffer`).
        *self.head = head;
        self.members.push(rep);
        result
    }

    fn problem(&mut self, problem: Problem, member: Option<&str>, detail: String) {
        let detail = detail.as_str();
        self.findings.push(match problem {
            Problem::Truncated => findings::truncated(Truncation::Read { member, detail }),
            Problem::CrcMismatch => findings::crc_mismatch(member, detail),
            Problem::DuplicateNames => {
                findings::duplicate_member(Duplicate::Entries { member, detail })
            }
            Problem::Corrupt => findings::corrupt(member, detail),
            Problem::Limit => findings::limit_exceeded(member, detail),
            Problem::Overlapping => findings::overlapping_members(member, detail),
            Problem::NameMismatch => findings::name_mismatch(member, detail),
            Problem::Unreadable => findings::unreadable(Unreadable::Read { member, detail }),
        });
    }
}

/// Decodes what the member's name says it is, from its head.
fn analyse(
    rep: &mut MemberReport,
    head: &[u8],
    signed_len: Option<usize>,
    size: u64,
    deep: bool,
    out: &mut Vec<Finding>,
) {
    let ext = rep.image.extension.as_deref().map(str::to_ascii_lowercase);
    // Wireless `.SBN` start with their own MD5, not the 79xx header.
    let want_signed = matches!(ext.as_deref(), Some("sbn" | "sb2" | "loads" | "sgn"))
        && claimed_md5(head).is_none();
    let name = rep.name.clone();
    if want_signed {
        rep.signed = signed_header(&name, head, size, out).map(Box::new);
    }
    let body = signed_len.and_then(|o| head.get(o..)).unwrap_or(head);
    if ext.as_deref() == Some("loads") && rep.signed.is_some() {
        let whole = size <= HEAD_CAP as u64;
        match (whole, loads::parse(body)) {
            (true, Ok(l)) => rep.loads = Some(Box::new(l)),
            (false, _) => out.push(findings::bad_loads(&name, BadLoads::TooLong { size })),
            (true, Err(e)) => out.push(findings::bad_loads(&name, BadLoads::Unparsed(&e))),
        }
    }
    if let Some(off) = signed_len
        && cnu::is_cnu(body)
    {
        let has = size.saturating_sub(off as u64);
        rep.cnu = cnu_table(&name, body, has, out).filter(|_| deep);
    }
    if rep.image.role == Role::TrustList && rep.usable {
        let (t, found) = crate::trust::findings::member(&name, head, size, crate::trust::now());
        rep.trust = t.map(Box::new);
        out.extend(found);
    }
    if rep.image.role == Role::Os79xx
        || (rep.image.role == Role::Configuration && size <= 16 * 1024)
    {
        rep.text = Some(head.to_vec());
    }
    out.extend(kind(rep, ext.as_deref(), head));
}

/// The signed header of `name` (its first bytes `head`, `size` in all),
/// or the finding of why it cannot be read.
fn signed_header(
    name: &str,
    head: &[u8],
    size: u64,
    out: &mut Vec<Finding>,
) -> Option<header::SignedHeader> {
    let found = match header::parse(head) {
        Ok(h) => {
            if let Some(e) = &h.embedded_name
                && e != name
            {
                let signed_as = SignedAs::Member { name, embedded: e };
                out.push(findings::embedded_name_mismatch(signed_as));
            }
            return Some(h);
        }
        Err(header::HeaderError::UnknownFormat(_)) if head.starts_with(&CONTAINER_78XX) => {
            findings::unknown_header(name, UnknownHeader::Container78xx { size })
        }
        Err(header::HeaderError::UnknownFormat(s)) => {
            findings::unknown_header(name, UnknownHeader::Other { starts: &s })
        }
        Err(e @ header::HeaderError::PastEnd { tag: 0x02, .. }) if head.len() as u64 == size => {
            findings::truncated(Truncation::SignedHeader { name, error: &e })
        }
        Err(e) => findings::bad_header(name, &e),
    };
    out.push(found);
    None
}

/// The CNU archive table of `name` (its signed `body`, `has` bytes of it in
/// all), and the findings of a table cut or longer than the file.
fn cnu_table(name: &str, body: &[u8], has: u64, out: &mut Vec<Finding>) -> Option<cnu::CnuArchive> {
    match cnu::parse(body) {
        Ok(a) => {
            if a.expected_body_len > has {
                let needs = a.expected_body_len;
                out.push(findings::truncated(Truncation::CnuBody {
                    name,
                    needs,
                    has,
                }));
            }
            Some(a)
        }
        Err(e) => {
            out.push(findings::truncated(Truncation::CnuTable {
                name,
                error: &e,
            }));
            None
        }
    }
}

/// What the member is, when it is not what a bundle should hold: a bundle
/// inside the bundle, a name loadsmith does not know, an unsigned image.
fn kind(rep: &MemberReport, ext: Option<&str>, head: &[u8]) -> Vec<Finding> {
    let name = rep.name.as_str();
    let mut out = Vec::new();
    let by_name = crate::bundle::Format::from_extension(name).is_some();
    if (by_name || !rep.image.known)
        && let crate::bundle::Detected::Bundle(f) =
            crate::bundle::detect_bytes(head, name.to_ascii_lowercase().ends_with(".sgn"))
    {
        out.push(findings::nested_bundle(name, f.label()));
    } else if !rep.image.known && rep.usable {
        out.push(findings::unknown_member(name));
    }
    if ext == Some("bin") && matches!(rep.image.role, Role::Application | Role::Loader) {
        out.push(findings::unsigned_image(name));
    }
    out
}
