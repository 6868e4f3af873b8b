//! Where output goes: JSON or human text on stdout, messages on stderr, colour rules.
//!
//! Human text reaches a terminal only through [`Out::text`], [`Out::result`]
//! and [`eprint`], which all pass it through [`terminal`]: every control
//! character in it (C0 but line feed and tab, DEL, C1, and the invisible
//! bidi and zero-width marks) is shown escaped, `\u{1b}`, whoever built the
//! text and whatever it quotes (a name, a version decoded from a name, a
//! line of a log). The only escape sequences that reach the terminal are the
//! colours [`Out::paint`] asks for: paint marks them with a key made at
//! start from the system's randomness, which no outside text can contain,
//! and the sink turns marked codes, and nothing else, into SGR sequences.
//!
//! The renderers more than one command shares live here too: findings
//! (`render_findings`, `severity`), the closing `summary` line, human
//! `size`s and the phone model's table (`render_fleet`).

use std::io::{self, IsTerminal, Write};
use std::sync::OnceLock;

use serde::Serialize;

use super::args::{Cli, ColorChoice};
use crate::error::Error;
use crate::findings::{Finding, Severity};
use crate::phone::Kind;
use crate::phone::fleet::Row;

/// How the user asked for output.
#[derive(Debug, Clone, Copy)]
pub struct Out {
    /// JSON on stdout.
    pub json: bool,
    /// Nothing but errors.
    pub quiet: bool,
    /// One line per bundle or root.
    pub brief: bool,
    /// Colour human output.
    pub color: bool,
    /// Stderr is a terminal (progress bars allowed).
    pub stderr_tty: bool,
}

impl Out {
    /// Reads the global flags and the environment.
    pub fn from_cli(cli: &Cli) -> Out {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match cli.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => !no_color && io::stdout().is_terminal(),
        };
        Out {
            json: cli.json,
            quiet: cli.quiet,
            brief: cli.brief,
            color,
            stderr_tty: io::stderr().is_terminal(),
        }
    }

    /// Writes one JSON document to stdout, with its `schema` number and
    /// `summary` (`docs/json.md`).
    pub fn json<T: Serialize>(&self, value: &T, summary: Summary) -> io::Result<()> {
        // Streamed, not built as a tree first: a cluster's root report has
        // tens of thousands of entries.
        #[derive(Serialize)]
        struct Doc<'a, T> {
            schema: u32,
            #[serde(flatten)]
            value: &'a T,
            summary: Summary,
        }
        write_json(&Doc {
            schema: SCHEMA,
            value,
            summary,
        })
    }

    /// Writes human text to stdout (through [`terminal`]), unless quiet.
    pub fn text(&self, text: &str) -> io::Result<()> {
        if self.quiet {
            return Ok(());
        }
        let mut s = io::stdout().lock();
        s.write_all(terminal(text).as_bytes())
    }

    /// Writes the result (through [`terminal`]): `full` normally, only
    /// `errors` (the lines that make the exit code 1) with `--quiet`.
    pub fn result(&self, full: &str, errors: &str) -> io::Result<()> {
        let text = if self.quiet { errors } else { full };
        io::stdout().lock().write_all(terminal(text).as_bytes())
    }

    /// Wraps `text` in an ANSI colour (`code`: SGR parameters such as
    /// `31;1`) when colour is on. The colour is marked for the sink, which
    /// emits it; `text` itself is escaped there like any other.
    pub fn paint(&self, text: &str, code: &str) -> String {
        if self.color && !code.is_empty() && code.bytes().all(|b| b.is_ascii_digit() || b == b';') {
            let key = key();
            format!("{key}{code}{END}{text}{key}0{END}")
        } else {
            text.to_string()
        }
    }

    /// Whether to show a progress bar.
    pub fn progress(&self) -> bool {
        self.stderr_tty && !self.quiet && !self.json
    }
}

/// Escapes control characters in a name from an archive, so it cannot drive
/// the terminal: `\x1b[31m` is shown as `\u{1b}[31m`. Line breaks too, so a
/// name stays on its line ([`terminal`] keeps those of the text around it).
pub fn safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        push_escaped(&mut out, c, false);
    }
    out
}

/// True for what must not reach a terminal raw: C0 and C1 controls, DEL,
/// the bidi overrides and zero-width marks, and the colour key's markers.
fn hostile(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        || c == START
        || c == END
}

fn push_escaped(out: &mut String, c: char, keep_lines: bool) {
    if hostile(c) && !(keep_lines && matches!(c, '\n' | '\t')) {
        out.push_str(&c.escape_unicode().to_string());
    } else {
        out.push(c);
    }
}

/// Opens a colour mark: private-use characters, never printed raw.
const START: char = '\u{f8f0}';
const END: char = '\u{f8f1}';

/// The colour key: [`START`] and 32 hex digits of the system's randomness,
/// made once per process and never printed.
fn key() -> &'static str {
    static KEY: OnceLock<String> = OnceLock::new();
    KEY.get_or_init(|| {
        use std::hash::{BuildHasher, Hasher};
        let word = |i: u64| {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u64(i);
            h.finish()
        };
        format!("{START}{:016x}{:016x}", word(1), word(2))
    })
}

/// The one way to a terminal: `text` with every hostile character escaped
/// ([`hostile`]; line feeds and tabs kept), and the colours [`Out::paint`]
/// marked turned into SGR sequences. A mark without the key is escaped.
pub fn terminal(text: &str) -> String {
    let key = key();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(key) {
        rest[..at]
            .chars()
            .for_each(|c| push_escaped(&mut out, c, true));
        let after = &rest[at + key.len()..];
        match after.split_once(END) {
            Some((code, tail))
                if (1..=16).contains(&code.len())
                    && code.bytes().all(|b| b.is_ascii_digit() || b == b';') =>
            {
                out.push_str(&format!("\x1b[{code}m"));
                rest = tail;
            }
            _ => {
                push_escaped(&mut out, START, true);
                rest = after;
            }
        }
    }
    rest.chars().for_each(|c| push_escaped(&mut out, c, true));
    out
}

/// Writes human text to stderr, through [`terminal`].
pub fn eprint(text: &str) {
    let _ = io::stderr().lock().write_all(terminal(text).as_bytes());
}

/// `n` and the noun, in the right number: "1 note", "2 notes", "0 files".
pub fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// One line for a bundle or root (`--brief`): path, format, verdict,
/// counts, and the first error.
pub fn brief_line(path: &str, format: &str, findings: &[Finding]) -> String {
    let (e, w, n) = crate::inspect::tally(findings);
    let first = findings
        .iter()
        .find(|f| f.severity == Severity::Error)
        .map(|f| format!("  {}: {}", f.code.as_str(), safe(&f.message)))
        .unwrap_or_default();
    format!(
        "{}\t{format}\t{}\t{}, {}, {}{first}\n",
        safe(path),
        if e > 0 { "FAIL" } else { "OK" },
        count(e, "error", "errors"),
        count(w, "warning", "warnings"),
        count(n, "note", "notes")
    )
}

/// The error findings of `findings`, one line each, for `--quiet`.
pub fn error_lines(path: &str, findings: &[Finding]) -> String {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| {
            format!(
                "{}: error {}: {}\n",
                safe(path),
                f.code.as_str(),
                safe(&f.message)
            )
        })
        .collect()
}

/// The version of every JSON document's layout, bumped on breaking changes.
pub const SCHEMA: u32 = 1;

/// What a JSON document found, in counts, and the exit code it implies.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Summary {
    /// Findings (or verdicts) of severity error.
    pub errors: usize,
    /// Of severity warning.
    pub warnings: usize,
    /// Of severity info.
    pub notes: usize,
    /// The exit code.
    pub exit: u8,
}

impl Summary {
    /// The counts of the findings of every report, with the exit code they
    /// imply (1 on any error).
    pub fn of<'a>(reports: impl IntoIterator<Item = &'a [Finding]>) -> Summary {
        let (mut errors, mut warnings, mut notes) = (0, 0, 0);
        for findings in reports {
            let (e, w, n) = crate::inspect::tally(findings);
            (errors, warnings, notes) = (errors + e, warnings + w, notes + n);
        }
        Summary {
            errors,
            warnings,
            notes,
            exit: u8::from(errors > 0),
        }
    }

    /// No findings; the exit code as given (1 counts as one error).
    pub fn exit(exit: u8) -> Summary {
        Summary {
            errors: usize::from(exit != 0),
            warnings: 0,
            notes: 0,
            exit,
        }
    }
}

fn write_json<T: Serialize>(v: &T) -> io::Result<()> {
    // Buffered: stdout flushes at every newline, and a pretty document of
    // a large root has hundreds of thousands of them.
    let mut s = io::BufWriter::with_capacity(256 * 1024, io::stdout().lock());
    serde_json::to_writer_pretty(&mut s, v)?;
    writeln!(s)?;
    s.flush()
}

/// Prints the JSON document of an error on stdout: `{"schema", "error":
/// {"title", "path", "details", "hint"}, "summary"}`.
pub fn error_json(
    title: &str,
    path: Option<String>,
    details: &[String],
    hint: Option<String>,
    exit: u8,
) {
    let v = serde_json::json!({
        "schema": SCHEMA,
        "error": {"title": title, "path": path, "details": details, "hint": hint},
        "summary": Summary::exit(exit),
    });
    let _ = write_json(&v);
}

/// The one rendering of an error for people: the title (`loadsmith: …`),
/// one line per detail, then `hint: …`. Every line goes through [`safe`]
/// (paths and names inside it came from outside), so a line break in a name
/// shows as `\u{a}`, while the report's own lines stay lines.
pub fn error_report(e: &Error) -> String {
    let mut s = format!("loadsmith: {}\n", safe(&e.to_string()));
    for d in e.details() {
        s.push_str(&format!("  {}\n", safe(d)));
    }
    if let Some(h) = e.hint() {
        s.push_str(&format!("hint: {}\n", safe(&h)));
    }
    s
}

/// Human size: `650 B`, `2.9 MB`.
pub(crate) fn size(n: u64) -> String {
    match n {
        0..1_000 => format!("{n} B"),
        1_000..1_000_000 => format!("{:.1} kB", n as f64 / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", n as f64 / 1e6),
        _ => format!("{:.2} GB", n as f64 / 1e9),
    }
}

pub(crate) fn severity(f: &Finding, out: Out) -> String {
    match f.severity {
        Severity::Error => out.paint("error  ", "31;1"),
        Severity::Warning => out.paint("warning", "33"),
        Severity::Info => out.paint("info   ", "36"),
    }
}

/// Renders findings, one per line.
pub(crate) fn render_findings(findings: &[Finding], out: Out) -> String {
    let mut s = String::new();
    for f in findings {
        s.push_str(&format!(
            "    {} {:<22} {}\n",
            severity(f, out),
            f.code.as_str(),
            safe(&f.message)
        ));
    }
    s
}

/// The closing line of a report: `OK: 0 errors, 1 warnings, 2 notes`.
pub(crate) fn summary(findings: &[Finding], out: Out) -> String {
    let (e, w, i) = crate::inspect::tally(findings);
    let verdict = if e > 0 {
        out.paint("FAIL", "31;1")
    } else {
        out.paint("OK", "32;1")
    };
    format!(
        "  {verdict}: {}, {}, {}\n",
        count(e, "error", "errors"),
        count(w, "warning", "warnings"),
        count(i, "note", "notes")
    )
}

/// The phone model's table: one line per model and starting state.
pub(crate) fn render_fleet(rows: &[Row], out: Out) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut s = String::from("  phones:\n");
    for r in rows {
        let kind = match r.kind {
            Kind::Settles => out.paint("settles  ", "32"),
            Kind::Error => out.paint("error    ", "31;1"),
            Kind::Loops => out.paint("loops    ", "33;1"),
            Kind::Uncertain => out.paint("uncertain", "35;1"),
        };
        s.push_str(&format!(
            "    {kind} {:<9} {:<18} {}\n",
            r.model,
            r.state,
            safe(&r.message)
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(color: bool) -> Out {
        Out {
            json: false,
            quiet: false,
            brief: false,
            color,
            stderr_tty: false,
        }
    }

    #[test]
    fn the_sink_escapes_every_control_but_line_feeds_and_tabs() {
        let t = terminal("a\u{1b}[8mb\u{7}c\u{9b}d\u{7f}e\r\u{202e}f\n\tg");
        assert_eq!(
            t,
            "a\\u{1b}[8mb\\u{7}c\\u{9b}d\\u{7f}e\\u{d}\\u{202e}f\n\tg"
        );
    }

    #[test]
    fn only_the_colours_paint_marks_reach_the_terminal() {
        let painted = out(true).paint("FAIL\u{1b}[8m", "31;1");
        assert_eq!(
            terminal(&format!("x {painted} y\n")),
            "x \u{1b}[31;1mFAIL\\u{1b}[8m\u{1b}[0m y\n"
        );
        assert_eq!(out(false).paint("OK", "32"), "OK");
        // A mark without the key (outside text cannot know it) stays text.
        let forged = format!("{START}0123456789abcdef0123456789abcdef8{END}hidden");
        assert!(!terminal(&forged).contains('\u{1b}'));
        // The key itself is never printed, even when a mark is cut short.
        let cut = format!("{}8", key());
        assert!(!terminal(&cut).contains(&key()[START.len_utf8()..]));
        // Codes paint is asked for must be SGR parameters.
        assert_eq!(out(true).paint("x", "8m\u{1b}[2J"), "x");
    }
}
