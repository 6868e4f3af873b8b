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
//!   only for reads/writes; any other letter makes the server refuse to start;
//! - replacement: `\0`–`\9` the match and its groups, `\i` the client's
//!   address, `\x` it in hex, `\U`/`\L`/`\E` upper/lower/unchanged case for
//!   what follows, `\c` any other character itself;
//! - at most [`DEADMAN`] rule steps per request (the server's loop guard),
//!   after which the request is refused.
//!
//! The expressions are POSIX extended expressions in the server; loadsmith
//! compiles them with the `regex` crate, translating GNU `\<` and `\>` to
//! `\b`. Where POSIX picks the longest of several alternatives that match
//! at one place, `regex` picks the first: rules that depend on that are
//! rare, and the tests compare both on every rule shape documented here.

use std::fmt::Write as _;
use std::net::IpAddr;
use std::path::Path;

use regex::{Regex, RegexBuilder};

use crate::error::{Error, Result};

/// Rule steps before the server gives up on a request (tftpd-hpa 5.2's
/// `DEADMAN_MAX_STEPS`; later versions allow 4096).
pub const DEADMAN: usize = 1024;

/// Rewrites of one `g` rule before loadsmith calls it endless (the server
/// itself has no such guard on a `g` rule and would spin forever).
const MAX_GLOBAL: usize = 4096;

/// The largest rules file read (the server truncates lines at 16 KiB; real
/// rule files are a few KiB).
const MAX_FILE: u64 = 1024 * 1024;

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
    regex: Regex,
    pattern: String,
}

/// A rules file.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// The rules, in order.
    pub rules: Vec<Rule>,
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

/// Splits off the next token: up to unescaped white space or `#`
/// (escapes are kept for the expression and replacement to read).
fn token(s: &mut &str) -> Option<String> {
    let t = s.trim_start();
    let mut out = String::new();
    let mut escaped = false;
    let mut end = t.len();
    for (i, c) in t.char_indices() {
        if !escaped && (c.is_whitespace() || c == '#') {
            end = i;
            break;
        }
        escaped = !escaped && c == '\\';
        out.push(c);
    }
    *s = &t[end..];
    (!out.is_empty()).then_some(out)
}

/// GNU word boundaries, which `regex` spells `\b`.
fn translate(posix: &str) -> String {
    posix.replace("\\<", "\\b").replace("\\>", "\\b")
}

impl Rules {
    /// Reads a rules file; a rule the server would reject is an error naming its line.
    pub fn load(path: &Path) -> Result<Rules> {
        let bytes = crate::files::read_input_capped(path, MAX_FILE)
            .map_err(|e| Error::io("read the remap rules", path, e.into_io()))?;
        Rules::parse(&String::from_utf8_lossy(&bytes)).map_err(|(line, reason)| Error::BadRules {
            path: path.to_path_buf(),
            line,
            reason,
        })
    }

    /// Parses rules text; `Err((line, why))` for a line the server rejects.
    pub fn parse(text: &str) -> std::result::Result<Rules, (usize, String)> {
        let mut rules = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let mut rest = raw;
            let Some(flags) = token(&mut rest) else {
                continue;
            };
            let mut r = (false, false, false, false, false, false, false, false);
            for c in flags.chars() {
                match c {
                    'r' => r.0 = true,
                    'g' => r.1 = true,
                    'e' => r.2 = true,
                    's' => r.3 = true,
                    'a' => r.4 = true,
                    'i' => r.5 = true,
                    '~' => r.6 = true,
                    'G' => r.7 = false,
                    'P' => r.7 = true,
                    other => {
                        return Err((
                            line,
                            format!(
                                "the flags \"{flags}\" contain \"{other}\", which is not a remap flag"
                            ),
                        ));
                    }
                }
            }
            let (rewrite, global, exit, restart, abort, icase, inverse, writes_only) = r;
            if rewrite && inverse {
                return Err((line, "an r rule cannot be inverted with ~".into()));
            }
            let Some(expr) = token(&mut rest) else {
                return Err((line, "no regular expression".into()));
            };
            let regex = RegexBuilder::new(&translate(&expr))
                .case_insensitive(icase)
                .build()
                .map_err(|e| {
                    (
                        line,
                        format!("the expression {expr} cannot be compiled ({e})"),
                    )
                })?;
            rules.push(Rule {
                line,
                text: raw.trim().to_string(),
                rewrite,
                global: global && rewrite,
                exit,
                restart,
                abort,
                inverse,
                writes_only,
                regex,
                pattern: token(&mut rest).unwrap_or_default(),
            });
        }
        Ok(Rules { rules })
    }

    /// What the server makes of a read request for `name` from `client`.
    pub fn rewrite(&self, name: &str, client: Option<IpAddr>) -> Rewrite {
        let mut current = name.to_string();
        let mut steps = Vec::new();
        let mut deadman = DEADMAN;
        let mut i = 0;
        while let Some(rule) = self.rules.get(i) {
            i += 1;
            if rule.writes_only {
                continue;
            }
            if deadman == 0 {
                return refused(
                    "Remap table failure (the rules loop: the server breaks off after its step limit)",
                    steps,
                );
            }
            deadman -= 1;
            let mut matched = false;
            for _ in 0..MAX_GLOBAL {
                let caps = rule.regex.captures(&current);
                if caps.is_some() == rule.inverse {
                    break;
                }
                matched = true;
                if rule.abort {
                    let msg = match (&caps, rule.pattern.is_empty()) {
                        (_, true) => "Access denied".to_string(),
                        (c, false) => substitute(&rule.pattern, &current, c.as_ref(), client).1,
                    };
                    steps.push((rule.line, current.clone()));
                    return refused(&msg, steps);
                }
                if rule.rewrite
                    && let Some(c) = &caps
                {
                    current = substitute(&rule.pattern, &current, Some(c), client).0;
                    steps.push((rule.line, current.clone()));
                }
                if !rule.global {
                    break;
                }
            }
            if rule.global && matched && rule.regex.is_match(&current) {
                return refused(
                    "the rule rewrites without end (in.tftpd would never answer)",
                    steps,
                );
            }
            if matched && rule.exit {
                break;
            }
            if matched && rule.restart {
                i = 0;
            }
        }
        Rewrite {
            mapped: Mapped::Path(current),
            steps,
        }
    }
}

fn refused(msg: &str, steps: Vec<(usize, String)>) -> Rewrite {
    Rewrite {
        mapped: Mapped::Refused(msg.to_string()),
        steps,
    }
}

/// The rewritten name (text before the match, the replacement, text after)
/// and the replacement alone.
fn substitute(
    pattern: &str,
    input: &str,
    caps: Option<&regex::Captures<'_>>,
    client: Option<IpAddr>,
) -> (String, String) {
    #[derive(Clone, Copy)]
    enum Case {
        Keep,
        Upper,
        Lower,
    }
    let mut case = Case::Keep;
    let mut out = String::new();
    let push = |out: &mut String, s: &str, case: Case| match case {
        Case::Keep => out.push_str(s),
        Case::Upper => out.push_str(&s.to_ascii_uppercase()),
        Case::Lower => out.push_str(&s.to_ascii_lowercase()),
    };
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        let Some(m) = (c == '\\').then(|| chars.next()).flatten() else {
            push(&mut out, c.encode_utf8(&mut [0; 4]), case);
            continue;
        };
        match m {
            '0'..='9' => {
                let n = m as usize - '0' as usize;
                if let Some(g) = caps.and_then(|c| c.get(n)) {
                    push(&mut out, g.as_str(), case);
                }
            }
            'U' => case = Case::Upper,
            'L' => case = Case::Lower,
            'E' => case = Case::Keep,
            'i' => push(
                &mut out,
                &client.map(|a| a.to_string()).unwrap_or_default(),
                case,
            ),
            'x' => {
                let mut hex = String::new();
                match client {
                    Some(IpAddr::V4(a)) => {
                        let _ = write!(hex, "{:08X}", u32::from(a));
                    }
                    Some(IpAddr::V6(a)) => a.octets().iter().for_each(|b| {
                        let _ = write!(hex, "{b:02X}");
                    }),
                    None => {}
                }
                push(&mut out, &hex, case);
            }
            other => push(&mut out, other.encode_utf8(&mut [0; 4]), case),
        }
    }
    let whole = match caps.and_then(|c| c.get(0)) {
        Some(m) => format!("{}{out}{}", &input[..m.start()], &input[m.end()..]),
        None => out.clone(),
    };
    (whole, out)
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
mod tests {
    use super::*;

    fn map(rules: &str, name: &str) -> Mapped {
        Rules::parse(rules)
            .unwrap()
            .rewrite(name, Some("192.0.2.7".parse().unwrap()))
            .mapped
    }

    #[test]
    fn rules_rewrite_as_the_server_does() {
        let r = "# comment\nri ^(sep[0-9a-f]{12}\\.cnf\\.xml)$ settings/\\1 # trailing\nr ^(.*\\.sbn)$ firmware/\\1\n";
        assert_eq!(
            map(r, "SEP0011BB73AD61.cnf.xml"),
            Mapped::Path("settings/SEP0011BB73AD61.cnf.xml".into())
        );
        assert_eq!(
            map(r, "dsp41.9-4-2ES26.sbn"),
            Mapped::Path("firmware/dsp41.9-4-2ES26.sbn".into())
        );
        assert_eq!(map(r, "other"), Mapped::Path("other".into()));
        assert_eq!(map("rg a b\n", "banana"), Mapped::Path("bbnbnb".into()));
        assert_eq!(
            map("r ^(.*)$ \\U\\1\n", "os79xx.txt"),
            Mapped::Path("OS79XX.TXT".into())
        );
        assert_eq!(map("r ^ \\i/\n", "f"), Mapped::Path("192.0.2.7/f".into()));
        assert_eq!(map("r ^ \\x-\n", "f"), Mapped::Path("C0000207-f".into()));
        assert_eq!(map("r x\\ y z\n", "ax yb"), Mapped::Path("azb".into()));
    }

    #[test]
    fn exit_restart_abort_and_inverse() {
        assert_eq!(map("re ^a b\nr ^b c\n", "a"), Mapped::Path("b".into()));
        assert_eq!(map("r ^a b\nr ^b c\n", "a"), Mapped::Path("c".into()));
        assert_eq!(
            map("a \\.\\.\n", "../x"),
            Mapped::Refused("Access denied".into())
        );
        assert_eq!(
            map("a ^secret no\\ way\n", "secret"),
            Mapped::Refused("no way".into())
        );
        assert_eq!(
            map("~a \\.sbn$\n", "x.txt"),
            Mapped::Refused("Access denied".into())
        );
        assert_eq!(map("~a \\.sbn$\n", "x.sbn"), Mapped::Path("x.sbn".into()));
        // A restart loop: the server's step limit ends it.
        assert!(matches!(map("rs ^(.*)$ \\1\n", "x"), Mapped::Refused(_)));
        // A g rule whose replacement matches again never ends.
        assert!(matches!(map("rg a aa\n", "a"), Mapped::Refused(_)));
    }

    #[test]
    fn lines_the_server_rejects_are_errors() {
        assert_eq!(Rules::parse("rx a b\n").unwrap_err().0, 1);
        assert!(
            Rules::parse("\n~r a b\n")
                .unwrap_err()
                .1
                .contains("inverted")
        );
        assert!(
            Rules::parse("r\n")
                .unwrap_err()
                .1
                .contains("no regular expression")
        );
        assert!(Rules::parse("r (a b\n").is_err());
    }

    #[test]
    fn paths_stay_in_the_root() {
        assert_eq!(
            served_path("/firmware/./a.sbn").as_deref(),
            Some("firmware/a.sbn")
        );
        assert_eq!(
            served_path("../../etc/passwd").as_deref(),
            Some("etc/passwd")
        );
        assert_eq!(served_path("/"), None);
    }
}
