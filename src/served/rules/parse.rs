//! Reading a rules file as `in.tftpd` does: tokens, flags, labels, and
//! the expressions compiled within loadsmith's bounds ([`MAX_RULE_SIZE`],
//! [`MAX_RULES_SIZE`], [`PROBES`] tried against [`MAX_NAME`]).

use std::path::Path;

use regex_automata::meta::{self, Regex};
use regex_automata::util::syntax;

use super::flags::{self, R54};
use super::{MAX_NAME, MAX_RULE_SIZE, MAX_RULES_SIZE, Needs, PROBES, Release, Rule, Rules};
use crate::error::Action;
use crate::error::{Error, Result};

/// The largest rules file read (the server truncates lines at 16 KiB; real
/// rule files are a few KiB).
const MAX_FILE: u64 = 1024 * 1024;

/// The lazy DFA cache of one expression, at most (beyond it the search
/// falls back to slower engines, never to more memory).
const DFA_CACHE: usize = 256 * 1024;

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
}
