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

use std::fmt::Write as _;
use std::net::IpAddr;
use std::path::Path;

use regex_automata::meta::{self, Regex};
use regex_automata::util::captures::Captures;
use regex_automata::util::syntax;

use crate::error::Action;
use crate::error::{Error, Result};

mod flags;
use flags::R54;
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

/// The lazy DFA cache of one expression, at most (beyond it the search
/// falls back to slower engines, never to more memory).
const DFA_CACHE: usize = 256 * 1024;

/// Rewrites of one request in all rules (each rewrite may make a name of
/// [`MAX_NAME`]): a `g` rule, steps of `s` rules.
const MAX_REWRITES: usize = 4096;

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
    /// A `:label` line.
    fn label(line: usize, raw: &str, name: String) -> Rule {
        Rule {
            line,
            text: raw.trim().to_string(),
            rewrite: false,
            global: false,
            exit: false,
            restart: false,
            abort: false,
            inverse: false,
            writes_only: false,
            ipv4: false,
            ipv6: false,
            hasfile: false,
            sedg: false,
            jump: false,
            regex: None,
            pattern: name,
        }
    }

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

/// A line the rules file cannot have: its line, why, and whether the server
/// would take it (a loadsmith bound) or refuse to start with it.
struct Bad {
    line: usize,
    reason: String,
    bound: bool,
}

impl Bad {
    fn server(line: usize, reason: String) -> Bad {
        Bad {
            line,
            reason,
            bound: false,
        }
    }
}

/// Compiles an expression within [`MAX_RULE_SIZE`] and the `room` left of
/// [`MAX_RULES_SIZE`].
fn compile(expr: &str, icase: bool, line: usize, room: usize) -> std::result::Result<Regex, Bad> {
    let limit = MAX_RULE_SIZE.min(room);
    let built = meta::Builder::new()
        .syntax(syntax::Config::new().case_insensitive(icase))
        .configure(
            meta::Config::new()
                .nfa_size_limit(Some(limit))
                .onepass_size_limit(Some(limit))
                .hybrid_cache_capacity(DFA_CACHE),
        )
        .build(&translate(expr));
    let too_big = |size: String| Bad {
        line,
        reason: match limit < MAX_RULE_SIZE {
            false => format!(
                "the expression {expr} compiles to {size}, past loadsmith's bound of {} for one rule (in.tftpd would take the memory; no real rule comes near)",
                kib(MAX_RULE_SIZE)
            ),
            true => format!(
                "the expressions up to this one ({expr}) compile to more than {} together, past loadsmith's bound for a rules file (in.tftpd would take the memory; no real file comes near)",
                kib(MAX_RULES_SIZE)
            ),
        },
        bound: true,
    };
    match built {
        Err(e) if e.size_limit().is_some() => Err(too_big(format!("more than {}", kib(limit)))),
        Err(e) => Err(Bad::server(
            line,
            format!("the expression {expr} cannot be compiled ({e})"),
        )),
        Ok(r) if r.memory_usage() > limit => Err(too_big(kib(r.memory_usage()))),
        Ok(r) => Ok(r),
    }
}

fn kib(n: usize) -> String {
    format!("{} KiB", n.div_ceil(1024))
}

impl Rules {
    /// Reads a rules file; a rule the server would reject, or one past
    /// loadsmith's bounds, is an error naming its line.
    pub fn load(path: &Path) -> Result<Rules> {
        let bytes = crate::files::read_input_capped(path, MAX_FILE)
            .map_err(|e| Error::io(Action::ReadRules, path, e.into_io()))?;
        Rules::parse_checked(&String::from_utf8_lossy(&bytes)).map_err(|b| match b.bound {
            false => Error::BadRules {
                path: path.to_path_buf(),
                line: b.line,
                reason: b.reason,
            },
            true => Error::RulesPastBound {
                path: path.to_path_buf(),
                line: b.line,
                reason: b.reason,
            },
        })
    }

    /// Parses rules text; `Err((line, why))` for a line the server rejects
    /// or one past loadsmith's bounds.
    pub fn parse(text: &str) -> std::result::Result<Rules, (usize, String)> {
        Rules::parse_checked(text).map_err(|b| (b.line, b.reason))
    }

    fn parse_checked(text: &str) -> std::result::Result<Rules, Bad> {
        let mut out = Rules::default();
        let mut used = 0usize;
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let mut rest = raw;
            let Some(flag_text) = token(&mut rest) else {
                continue;
            };
            if let Some(name) = flag_text.strip_prefix(':') {
                let name = match name {
                    "" => token(&mut rest).unwrap_or_default(),
                    n => n.to_string(),
                };
                out.need(R54, line, format!("the label :{name}"));
                out.rules.push(Rule::label(line, raw, name));
                continue;
            }
            let p = flags::parse(&flag_text).map_err(|why| Bad::server(line, why))?;
            if let Some((r, what)) = p.needs {
                out.need(r, line, what);
            }
            if let (None, Some(why)) = (&out.newer_refuse, p.newer_refuse) {
                out.newer_refuse = Some((line, why));
            }
            let f = p.flags;
            let Some(expr) = token(&mut rest) else {
                return Err(Bad::server(line, "no regular expression".into()));
            };
            let regex = compile(&expr, f.icase, line, MAX_RULES_SIZE - used)?;
            used += regex.memory_usage().min(MAX_RULES_SIZE - used);
            out.rules.push(Rule {
                line,
                text: raw.trim().to_string(),
                rewrite: f.rewrite,
                global: f.global && f.rewrite,
                exit: f.exit,
                restart: f.restart,
                abort: f.abort,
                inverse: f.inverse,
                writes_only: f.writes_only,
                ipv4: f.ipv4,
                ipv6: f.ipv6,
                hasfile: f.hasfile,
                sedg: f.sedg && f.rewrite,
                jump: f.jump,
                regex: Some(regex),
                pattern: token(&mut rest).unwrap_or_default(),
            });
        }
        let rules = out;
        for name in PROBES {
            if let (_, Some(line)) = rules.run(name, None, None) {
                return Err(Bad {
                    line,
                    reason: format!(
                        "the rule makes the name {name} longer than {MAX_NAME} bytes (in.tftpd would grow it until it runs out of memory)"
                    ),
                    bound: true,
                });
            }
        }
        Ok(rules)
    }

    /// What the compiled expressions take, in bytes (at most [`MAX_RULES_SIZE`]).
    pub fn memory_usage(&self) -> usize {
        self.rules
            .iter()
            .filter_map(|r| r.regex.as_ref())
            .map(Regex::memory_usage)
            .sum()
    }

    /// Keeps the release `line` needs when it is the newest so far.
    fn need(&mut self, release: Release, line: usize, what: String) {
        if self.needs.as_ref().is_none_or(|n| n.release < release) {
            self.needs = Some(Needs {
                release,
                line,
                what,
            });
        }
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

    /// The rule after the label `name`, as the server looks it up (the
    /// first label of that name).
    fn after_label(&self, name: &str) -> Option<usize> {
        self.rules
            .iter()
            .position(|r| r.regex.is_none() && r.pattern == name)
            .map(|i| i + 1)
    }

    /// [`Rules::rewrite`], and the line of the rule that made the name
    /// longer than [`MAX_NAME`], if one did.
    fn run(&self, name: &str, client: Option<IpAddr>, probe: Option<Probe>) -> Stop {
        let mut w = Walk {
            current: name.to_string(),
            steps: Vec::new(),
            rewrites: 0,
            client,
            probe,
        };
        if name.len() > MAX_NAME {
            let msg = format!("the name is longer than {MAX_NAME} bytes");
            return (refused(&msg, w.steps), None);
        }
        let mut deadman = DEADMAN;
        let mut i = 0;
        while let Some(rule) = self.rules.get(i) {
            i += 1;
            if !rule.applies(client) {
                continue;
            }
            if deadman == 0 {
                return w.stop(
                    "Remap table failure (the rules loop: the server breaks off after its step limit)",
                    None,
                );
            }
            deadman -= 1;
            let hit = match w.apply(rule) {
                Ok(Some(hit)) => hit,
                Ok(None) => continue,
                Err(stop) => return stop,
            };
            if rule.exit || rule.hasfile {
                break;
            }
            if rule.restart {
                i = 0;
            } else if let Some(label) = hit {
                match self.after_label(&label) {
                    Some(at) => i = at,
                    None => {
                        let msg = format!(
                            "Remap table failure (line {}: no label :{label} to jump to)",
                            rule.line
                        );
                        return w.stop(&msg, None);
                    }
                }
            }
        }
        let mapped = Mapped::Path(w.current);
        let steps = w.steps;
        (Rewrite { mapped, steps }, None)
    }
}

/// A request on its way through the rules.
struct Walk<'a> {
    current: String,
    steps: Vec<(usize, String)>,
    rewrites: usize,
    client: Option<IpAddr>,
    probe: Option<Probe<'a>>,
}

type Stop = (Rewrite, Option<usize>);

impl Walk<'_> {
    /// Keeps a step: the first [`KEPT_STEPS`], then the last in place of the one before.
    fn step(&mut self, line: usize) {
        if self.steps.len() >= KEPT_STEPS {
            self.steps.pop();
        }
        self.steps.push((line, self.current.clone()));
    }

    fn stop(&mut self, msg: &str, past: Option<usize>) -> Stop {
        (refused(msg, std::mem::take(&mut self.steps)), past)
    }

    /// Applies one rule: `None` when it did not act, else the label a `j`
    /// rule jumps to (`Some(None)` for any other rule that matched); `Err`
    /// for the end of the request.
    fn apply(&mut self, rule: &Rule) -> std::result::Result<Option<Option<String>>, Stop> {
        let Some(regex) = &rule.regex else {
            return Ok(None);
        };
        let before = (self.current.clone(), self.steps.len());
        let mut caps = regex.create_captures();
        regex.captures(self.current.as_str(), &mut caps);
        if caps.is_match() == rule.inverse {
            return Ok(None);
        }
        if rule.rewrite {
            self.rewrite(rule, regex, &mut caps)?;
        }
        if rule.hasfile {
            let opens = served_path(&self.current)
                .is_some_and(|p| self.probe.is_some_and(|probe| probe(&p)));
            if !opens {
                // The server ignores the rule: the name stays as it was.
                self.current = before.0;
                self.steps.truncate(before.1);
                return Ok(None);
            }
        }
        let hit = caps.is_match().then_some(&caps);
        let expanded = || {
            substitute(&rule.pattern, &self.current, hit, self.client)
                .map(|s| s.1)
                .filter(|s| !s.is_empty())
        };
        if rule.abort {
            let msg = expanded().unwrap_or_else(|| "Access denied".to_string());
            self.step(rule.line);
            return Err(self.stop(&msg, None));
        }
        if rule.jump {
            let Some(label) = expanded() else {
                let msg = format!(
                    "Remap table failure (line {}: no label in the j rule)",
                    rule.line
                );
                return Err(self.stop(&msg, None));
            };
            return Ok(Some(Some(label)));
        }
        Ok(Some(None))
    }

    /// Rewrites the match in `caps` (found in the current name), again
    /// while a `g` rule matches: from the start, or after the replacement
    /// with `gg`.
    fn rewrite(&mut self, rule: &Rule, regex: &Regex, caps: &mut Captures) -> Result1 {
        let mut from = 0;
        loop {
            let start = caps.get_match().map_or(0, |m| m.start());
            let Some((whole, repl)) =
                substitute(&rule.pattern, &self.current, Some(caps), self.client)
            else {
                // The rule is named by the last step.
                let msg = format!(
                    "the name grows past {MAX_NAME} bytes (in.tftpd would grow it until it runs out of memory)"
                );
                self.step(rule.line);
                return Err(self.stop(&msg, Some(rule.line)));
            };
            self.current = whole;
            self.rewrites += 1;
            self.step(rule.line);
            if self.rewrites >= MAX_REWRITES {
                let msg = match rule.global {
                    // The server itself has no guard on a `g` rule and would spin forever.
                    true => {
                        "the rule rewrites without end (in.tftpd would never answer)".to_string()
                    }
                    false => format!(
                        "the rules rewrite the name more than {MAX_REWRITES} times (the rule on line {} is the last)",
                        rule.line
                    ),
                };
                return Err(self.stop(&msg, None));
            }
            if !rule.global {
                return Ok(());
            }
            if rule.sedg {
                from = start + repl.len();
                if from >= self.current.len() {
                    return Ok(());
                }
            }
            let input = regex_automata::Input::new(self.current.as_str()).range(from..);
            regex.search_captures(&input, caps);
            if caps.is_match() == rule.inverse {
                return Ok(());
            }
        }
    }
}

type Result1 = std::result::Result<(), Stop>;

fn refused(msg: &str, steps: Vec<(usize, String)>) -> Rewrite {
    Rewrite {
        mapped: Mapped::Refused(msg.to_string()),
        steps,
    }
}

/// The rewritten name (text before the match, the replacement, text after)
/// and the replacement alone; `None` when either would pass [`MAX_NAME`].
fn substitute(
    pattern: &str,
    input: &str,
    caps: Option<&Captures>,
    client: Option<IpAddr>,
) -> Option<(String, String)> {
    #[derive(Clone, Copy)]
    enum Case {
        Keep,
        Upper,
        Lower,
    }
    let mut case = Case::Keep;
    let mut out = String::new();
    let push = |out: &mut String, s: &str, case: Case| {
        if out.len() + s.len() > MAX_NAME {
            return None;
        }
        match case {
            Case::Keep => out.push_str(s),
            Case::Upper => out.push_str(&s.to_ascii_uppercase()),
            Case::Lower => out.push_str(&s.to_ascii_lowercase()),
        }
        Some(())
    };
    let group = |n: usize| caps.and_then(|c| c.get_group(n)).map(|s| &input[s.range()]);
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        let Some(m) = (c == '\\').then(|| chars.next()).flatten() else {
            push(&mut out, c.encode_utf8(&mut [0; 4]), case)?;
            continue;
        };
        match m {
            '0'..='9' => push(
                &mut out,
                group(m as usize - '0' as usize).unwrap_or(""),
                case,
            )?,
            'U' => case = Case::Upper,
            'L' => case = Case::Lower,
            'E' => case = Case::Keep,
            'i' => push(
                &mut out,
                &client.map(|a| a.to_string()).unwrap_or_default(),
                case,
            )?,
            'x' => push(&mut out, &hex(client), case)?,
            other => push(&mut out, other.encode_utf8(&mut [0; 4]), case)?,
        }
    }
    let whole = match caps.and_then(|c| c.get_match()) {
        Some(m) if input.len() - m.len() + out.len() > MAX_NAME => return None,
        Some(m) => format!("{}{out}{}", &input[..m.start()], &input[m.end()..]),
        None => out.clone(),
    };
    Some((whole, out))
}

/// The client's address in hex (`\x`).
fn hex(client: Option<IpAddr>) -> String {
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
    hex
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
