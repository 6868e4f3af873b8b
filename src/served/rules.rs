//! tftpd-hpa's remap rules (`in.tftpd -m FILE`): how the server turns the
//! name a phone asks for into the path it opens.
//!
//! Many Asterisk/chan-sccp roots keep firmware in `firmware/<model>/` and
//! configuration in `settings/`, and let the rules send each request
//! there. [`Rules::parse`] reads a rules file as `in.tftpd` does and
//! [`Rules::rewrite`] applies it as `in.tftpd` does (its `remap.c`):
//!
//! - one rule per line: flags, a regular expression, an optional
//!   replacement, separated by white space; `\` escapes white space and
//!   `#`; an unescaped `#` starts a comment;
//! - flags: `r` rewrite the match, `g` repeat the rewrite until the rule no
//!   longer matches, `i` ignore case, `e` stop after this rule when it
//!   matched, `s` start over from the first rule when it matched, `a`
//!   refuse the request (the replacement, if any, is the error message),
//!   `~` apply when the expression does *not* match (never with `r`), `G`/`P`
//!   only for reads/writes; from tftp-hpa 5.3 `4`/`6` only for IPv4/IPv6
//!   requests (loadsmith takes a request without a client as IPv4), from
//!   5.4 `:label` lines, `j` (jump to the label the replacement names),
//!   `E` (stop when the result opens a file, else ignore the rule) and `gg`
//!   (go on after the replacement); [`Rules::needs`] names the release a
//!   file needs (`flags`); any other letter makes the server refuse to start;
//! - replacement: `\0`–`\9` the match and its groups, `\i` the client's
//!   address, `\x` it in hex, `\U`/`\L`/`\E` upper/lower/unchanged case for
//!   what follows, `\c` any other character itself;
//! - at most [`DEADMAN`] rule steps per request (the server's loop guard),
//!   after which the request is refused.
//!
//! Bounds the server does not have (it would run out of memory): a
//! rewritten name longer than [`MAX_NAME`] bytes is refused, naming the rule
//! that passed it, and a rules file that does so to an ordinary phone name
//! ([`PROBES`]) is an error naming the line; an expression that compiles
//! past [`MAX_RULE_SIZE`], or rules past [`MAX_RULES_SIZE`] together, are an
//! error naming the line.
//!
//! The expressions are POSIX extended expressions in the server; loadsmith
//! compiles them with the `regex` crate's engine (`regex-automata`),
//! translating GNU `\<` and `\>` to `\b`. Where POSIX picks the longest
//! of several alternatives that match at one place, `regex` picks the
//! first: rules that depend on that are rare, and the tests compare both
//! on every rule shape documented here.

use std::net::IpAddr;

use regex_automata::meta::Regex;

mod flags;
mod parse;
mod walk;
pub use flags::{Needs, Release, installed, verdict};

/// Rule steps before the server gives up on a request (tftpd-hpa 5.2's
/// `DEADMAN_MAX_STEPS`; later versions allow 4096).
pub const DEADMAN: usize = 1024;

/// The longest name a rewrite may make, in bytes (Linux's `PATH_MAX`; no
/// real path comes near). A rule that passes it refuses the request.
pub const MAX_NAME: usize = 4096;

/// The most one compiled expression may take, in bytes (its automaton; the
/// rules people write take a few KiB). A rule past it is an error.
pub const MAX_RULE_SIZE: usize = 1024 * 1024;

/// The most all compiled expressions of a file may take together, in bytes.
pub const MAX_RULES_SIZE: usize = 16 * 1024 * 1024;

/// Rule steps kept in [`Rewrite::steps`]: the first ones, and always the last.
pub const KEPT_STEPS: usize = 64;

/// Phone names every rules file is tried on when read: a file that makes
/// one of them longer than [`MAX_NAME`] is an error naming the rule.
pub const PROBES: [&str; 6] = [
    "SEP0011BB73AD61.cnf.xml",
    "term61.default.loads",
    "SIPDefault.cnf",
    "OS79XX.TXT",
    "jar41sccp.9-4-2ES26.sbn",
    "P0S3-8-12-00.loads",
];

/// One rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Its line in the file (1-based).
    pub line: usize,
    /// The line as written, trimmed.
    pub text: String,
    rewrite: bool,
    global: bool,
    exit: bool,
    restart: bool,
    abort: bool,
    inverse: bool,
    writes_only: bool,
    /// Applies to IPv4 (`4`) or IPv6 (`6`) requests only; both: to none.
    ipv4: bool,
    ipv6: bool,
    /// `E`: stop only when the result opens a file, else ignore the rule.
    hasfile: bool,
    /// `gg`: go on after the replacement, not from the start.
    sedg: bool,
    /// `j`: jump to the label the replacement names.
    jump: bool,
    /// `None` for a `:label` line.
    regex: Option<Regex>,
    /// The replacement, or a label's name.
    pattern: String,
}

impl Rule {
    /// Whether the rule acts on a read request from `client` (`None`: a
    /// phone on IPv4, as phones ask).
    fn applies(&self, client: Option<IpAddr>) -> bool {
        let v6 = matches!(client, Some(IpAddr::V6(a)) if a.to_ipv4_mapped().is_none());
        self.regex.is_some() && !self.writes_only && (!self.ipv4 || !v6) && (!self.ipv6 || v6)
    }
}

/// Whether a rewritten name opens a file (the `E` flag's test).
pub type Probe<'a> = &'a dyn Fn(&str) -> bool;

/// A rules file.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// The rules, in order.
    pub rules: Vec<Rule>,
    /// The oldest tftp-hpa release that reads every line, when one past
    /// 5.2 is needed (the line that needs it most, the first such).
    pub needs: Option<Needs>,
    /// A line tftp-hpa 5.4 and later refuse to start with (older ones take it).
    pub newer_refuse: Option<(usize, String)>,
}

/// What the rules make of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mapped {
    /// The path the server opens (as rewritten; relative to the root).
    Path(String),
    /// The server refuses the request with this message.
    Refused(String),
}

/// The result and the rules that acted on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewrite {
    /// The outcome.
    pub mapped: Mapped,
    /// The rules that matched, in order: line and the text after the rule.
    pub steps: Vec<(usize, String)>,
}

impl Rewrite {
    /// The last rule that matched, as `line N: TEXT`, for messages.
    pub fn last_rule<'a>(&self, rules: &'a Rules) -> Option<&'a Rule> {
        let line = self.steps.last()?.0;
        rules.rules.iter().find(|r| r.line == line)
    }
}

impl Rules {
    /// What the compiled expressions take, in bytes (at most [`MAX_RULES_SIZE`]).
    pub fn memory_usage(&self) -> usize {
        self.rules
            .iter()
            .filter_map(|r| r.regex.as_ref())
            .map(Regex::memory_usage)
            .sum()
    }

    /// What the `in.tftpd` installed here makes of these rules: `None`
    /// when it reads them (or none is installed), else why not.
    pub fn against_installed(&self) -> Option<(String, Release, String)> {
        let (bin, rel) = installed()?;
        let why = verdict(self.needs.as_ref(), self.newer_refuse.as_ref(), rel)?;
        Some((bin, rel, why))
    }

    /// What the server makes of a read request for `name` from `client`.
    /// A name longer than [`MAX_NAME`], or one the rules make longer, is
    /// refused, naming the rule.
    pub fn rewrite(&self, name: &str, client: Option<IpAddr>) -> Rewrite {
        self.run(name, client, None).0
    }

    /// [`Rules::rewrite`], with `probe` saying whether a name opens a
    /// file in the root (for `E` rules; without it, none does).
    pub fn rewrite_in(&self, name: &str, client: Option<IpAddr>, probe: Probe) -> Rewrite {
        self.run(name, client, Some(probe)).0
    }
}

/// The path a rewritten name opens inside a chrooted server's root: a
/// leading `/` is the root, `.` is dropped, `..` never climbs above the
/// root. `None` for an empty result.
pub fn served_path(mapped: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for p in mapped.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

#[cfg(test)]
mod tests;
