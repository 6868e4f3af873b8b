//! A rule's flags as each tftp-hpa release reads them, and the release a
//! rules file needs.
//!
//! From tftp-hpa's `CHANGES` and `tftpd/remap.c`:
//! - 5.3 added `4` and `6` (the rule applies to IPv4, IPv6 requests only);
//!   Debian's `5.2+20150808` snapshot, which prints "5.2", has them too;
//! - 5.4 added `:label` lines, `j` (jump to the label the replacement
//!   names), `E` (keep the rewrite and stop only when it names a file the
//!   server can open, else ignore the rule) and `gg` (sed-style global:
//!   go on after the replacement instead of from the start), and refuses
//!   to start with flags that cannot be combined (`r~ ra rj aj as ej ae es
//!   eE Ej aE Es`), of which older servers refuse only `r~`.

/// The flags of a rule, as parsed.
#[derive(Default)]
pub(super) struct Flags {
    pub rewrite: bool,
    pub global: bool,
    pub sedg: bool,
    pub exit: bool,
    pub restart: bool,
    pub abort: bool,
    pub icase: bool,
    pub inverse: bool,
    pub writes_only: bool,
    pub ipv4: bool,
    pub ipv6: bool,
    pub hasfile: bool,
    pub jump: bool,
}

/// A tftp-hpa release, as `in.tftpd -V` prints it (`5.2`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Release(pub u32, pub u32);

impl Release {
    /// Reads `5.2` (or the first word of `in.tftpd -V` after `tftp-hpa`).
    pub fn parse(s: &str) -> Option<Release> {
        let v = s.trim().trim_end_matches(',');
        let (a, b) = v.split_once('.')?;
        let b: String = b.chars().take_while(char::is_ascii_digit).collect();
        Some(Release(a.parse().ok()?, b.parse().ok()?))
    }
}

impl std::fmt::Display for Release {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.0, self.1)
    }
}

/// What a rules file needs of the server: the release, the line and what
/// on it needs that release.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Needs {
    /// The oldest tftp-hpa release that reads the line.
    pub release: Release,
    /// The line (1-based).
    pub line: usize,
    /// What on the line needs it.
    pub what: String,
}

/// The releases that brought each thing.
pub const R53: Release = Release(5, 3);
pub const R54: Release = Release(5, 4);

/// Flag pairs 5.4 and later refuse to start with (older servers take
/// all of them but `r~`).
const BAD_COMBOS: [(char, char); 12] = [
    ('r', '~'),
    ('r', 'a'),
    ('r', 'j'),
    ('a', 'j'),
    ('a', 's'),
    ('e', 'j'),
    ('a', 'e'),
    ('e', 's'),
    ('e', 'E'),
    ('E', 'j'),
    ('a', 'E'),
    ('E', 's'),
];

/// What parsing the flags of one line found.
pub(super) struct Parsed {
    pub flags: Flags,
    /// The release the flags need, and which flag needs it.
    pub needs: Option<(Release, String)>,
    /// A pair 5.4 and later refuse (older servers take it).
    pub newer_refuse: Option<String>,
}

/// Reads the flags `text`; `Err` for a flag no release knows, or `r~`,
/// which every release refuses.
pub(super) fn parse(text: &str) -> Result<Parsed, String> {
    let mut f = Flags::default();
    let mut needs: Option<(Release, String)> = None;
    let mut need = |r: Release, what: String| {
        if needs.as_ref().is_none_or(|(n, _)| *n < r) {
            needs = Some((r, what));
        }
    };
    for c in text.chars() {
        match c {
            'r' => f.rewrite = true,
            'g' if f.global => {
                f.sedg = true;
                need(R54, "the flag gg (sed-style global)".into());
            }
            'g' => f.global = true,
            'e' => f.exit = true,
            's' => f.restart = true,
            'a' => f.abort = true,
            'i' => f.icase = true,
            '~' => f.inverse = true,
            'G' => f.writes_only = false,
            'P' => f.writes_only = true,
            '4' | '6' => {
                match c {
                    '4' => f.ipv4 = true,
                    _ => f.ipv6 = true,
                }
                need(R53, format!("the flag {c} (IPv{c} requests only)"));
            }
            'E' => {
                f.hasfile = true;
                need(R54, "the flag E (only when the file exists)".into());
            }
            'j' => {
                f.jump = true;
                need(R54, "the flag j (jump to a label)".into());
            }
            other => {
                return Err(format!(
                    "the flags \"{text}\" contain \"{other}\", which is not a remap flag"
                ));
            }
        }
    }
    if f.rewrite && f.inverse {
        return Err("an r rule cannot be inverted with ~".into());
    }
    let newer_refuse = BAD_COMBOS
        .iter()
        .find(|(a, b)| text.contains(*a) && text.contains(*b))
        .map(|(a, b)| format!("the flags {a} and {b} cannot be combined"));
    Ok(Parsed {
        flags: f,
        needs,
        newer_refuse,
    })
}

/// What the installed server makes of a rules file that needs `needs`
/// (and that releases from 5.4 on refuse for `newer_refuse`), when
/// `installed` is the release `in.tftpd -V` printed: `None` when it reads it.
pub fn verdict(
    needs: Option<&Needs>,
    newer_refuse: Option<&(usize, String)>,
    installed: Release,
) -> Option<String> {
    if let Some(n) = needs.filter(|n| installed < n.release) {
        // Flags 4 and 6 came with 5.3, and with Debian's 5.2 snapshot.
        if n.release == R53 && installed == Release(5, 2) {
            return Some(format!(
                "uncertain whether the installed in.tftpd {installed} starts with this file: line {} has {}, which \
                    tftp-hpa 5.2 as released refuses and Debian's 5.2+20150808 (which also prints 5.2) takes",
                n.line, n.what
            ));
        }
        return Some(format!(
            "the installed in.tftpd {installed} would refuse to start with this file: line {} has {}, which needs tftp-hpa {}",
            n.line, n.what, n.release
        ));
    }
    if let Some((line, why)) = newer_refuse.filter(|_| installed >= R54) {
        return Some(format!(
            "the installed in.tftpd {installed} would refuse to start with this file: line {line}: {why} (tftp-hpa 5.4 and later)"
        ));
    }
    None
}

/// The release of the `in.tftpd` installed here (`in.tftpd -V`), and its
/// path; `None` when there is none or it prints no release. The program
/// looked for is `LOADSMITH_IN_TFTPD` when set (tests point it at a stand-in),
/// else `/usr/sbin/in.tftpd`.
pub fn installed() -> Option<(String, Release)> {
    let bin = std::env::var_os("LOADSMITH_IN_TFTPD")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| "/usr/sbin/in.tftpd".into());
    if !std::fs::metadata(&bin).is_ok_and(|m| m.is_file()) {
        return None;
    }
    let out = std::process::Command::new(&bin)
        .arg("-V")
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout[..out.stdout.len().min(4096)]).into_owned();
    let ver = text
        .split_whitespace()
        .skip_while(|w| *w != "tftp-hpa")
        .nth(1)?;
    Some((bin.display().to_string(), Release::parse(ver)?))
}
