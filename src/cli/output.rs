//! Where output goes: JSON or human text on stdout, messages on stderr, colour rules.
//!
//! Human text reaches a terminal only through [`Out::text`], [`Out::result`]
//! and [`eprint`], which all pass it through [`terminal`]: every control
//! character in it (C0 but line feed and tab, DEL, C1, and the invisible
//! bidi and zero-width marks) is shown escaped, `\u{1b}`, whoever built the
//! text and whatever it quotes (a name, a version decoded from a name, a
//! line of a log). The only escape sequences that reach the terminal are the
//! colours [`Out::paint`] asks for: paint marks a [`Style`] of the one
//! palette with a key made at start from the system's randomness, which no
//! outside text can contain, and the sink turns marked styles, and nothing
//! else, into the escape sequences `anstyle` renders for them. Whether
//! colour is on follows `--color`, then `NO_COLOR`, `CLICOLOR_FORCE`,
//! `CLICOLOR` and whether stdout is a terminal (`anstream`'s rules).
//!
//! The exit code is decided here, once: a command's [`Outcome`] is both the
//! process's exit code and the `exit` of its JSON document's [`Summary`].
//!
//! The renderers more than one command shares live here too: findings
//! (`render_findings`, `severity`), the closing `summary` line, human
//! `size`s and the phone model's table (`render_fleet`).

use std::io::{self, IsTerminal, Write};

use serde::Serialize;

use super::args::{Cli, ColorChoice};
use super::sink::{END, RESET, key};
pub use super::sink::{Style, eprint, safe, terminal};
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
        let color = match cli.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            // NO_COLOR, then CLICOLOR_FORCE, then CLICOLOR=0, then a terminal.
            ColorChoice::Auto => matches!(
                anstream::AutoStream::choice(&io::stdout()),
                anstream::ColorChoice::Always | anstream::ColorChoice::AlwaysAnsi
            ),
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
    /// `summary` (`docs/json.md`): `counts`, and the exit code `outcome`
    /// decides.
    pub fn json<T: Serialize>(
        &self,
        value: &T,
        counts: Counts,
        outcome: Outcome,
    ) -> io::Result<()> {
        let summary = Summary::new(counts, outcome);
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

    /// Wraps `text` in `style` when colour is on. The style is marked for
    /// the sink, which emits it; `text` itself is escaped there like any
    /// other.
    pub fn paint(&self, text: &str, style: Style) -> String {
        if self.color {
            let key = key();
            format!("{key}{}{END}{text}{key}{RESET}{END}", style as u8)
        } else {
            text.to_string()
        }
    }

    /// Whether to show a progress bar.
    pub fn progress(&self) -> bool {
        self.stderr_tty && !self.quiet && !self.json
    }
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
            let strands = crate::findings::strands_line(f.strands())
                .map(|l| format!("; {l}"))
                .unwrap_or_default();
            format!(
                "{}: error {}: {}{}\n",
                safe(path),
                f.code.as_str(),
                safe(&f.message),
                safe(&strands)
            )
        })
        .collect()
}

/// The version of every JSON document's layout, bumped on breaking changes.
pub const SCHEMA: u32 = 1;

/// How a command ended: the one place the exit code is decided. The
/// process exits with [`Outcome::code`], and every JSON document's
/// `summary.exit` is read from the same value ([`Out::json`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing wrong (0).
    Clean,
    /// The command ran and found problems (1).
    Problems,
    /// Usage, or inputs that could not be read (2); each was already
    /// reported.
    Unreadable,
}

impl Outcome {
    /// A command that ran: inputs it could not read outweigh problems found.
    pub fn of(problems: bool, unreadable: bool) -> Outcome {
        match (problems, unreadable) {
            (_, true) => Outcome::Unreadable,
            (true, false) => Outcome::Problems,
            (false, false) => Outcome::Clean,
        }
    }

    /// A command an error stopped: a refusal, or a file in a root that
    /// loadsmith will not open, is a problem found (1); anything else is
    /// usage or unreadable input (2).
    pub fn of_error(e: &Error) -> Outcome {
        match e {
            Error::Refused { .. } | Error::Open { .. } => Outcome::Problems,
            _ => Outcome::Unreadable,
        }
    }

    /// The exit code: 0, 1 or 2.
    pub fn code(self) -> u8 {
        match self {
            Outcome::Clean => 0,
            Outcome::Problems => 1,
            Outcome::Unreadable => 2,
        }
    }
}

/// What a document found, by severity: findings, verdicts or inputs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Of severity error.
    pub errors: usize,
    /// Of severity warning.
    pub warnings: usize,
    /// Of severity info.
    pub notes: usize,
}

impl Counts {
    /// The findings of every report, by severity.
    pub fn of<'a>(reports: impl IntoIterator<Item = &'a [Finding]>) -> Counts {
        let mut c = Counts::default();
        for findings in reports {
            let (e, w, n) = crate::inspect::tally(findings);
            (c.errors, c.warnings, c.notes) = (c.errors + e, c.warnings + w, c.notes + n);
        }
        c
    }

    /// `n` errors and nothing else.
    pub fn errors(n: usize) -> Counts {
        Counts {
            errors: n,
            ..Counts::default()
        }
    }
}

/// The `summary` of a JSON document: its counts and the exit code.
#[derive(Debug, Clone, Copy, Serialize)]
struct Summary {
    errors: usize,
    warnings: usize,
    notes: usize,
    exit: u8,
}

impl Summary {
    fn new(c: Counts, outcome: Outcome) -> Summary {
        Summary {
            errors: c.errors,
            warnings: c.warnings,
            notes: c.notes,
            exit: outcome.code(),
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
    outcome: Outcome,
) {
    // `schema` first, like every other document (a struct keeps the
    // order; a `json!` map would sort its keys).
    #[derive(Serialize)]
    struct Doc<'a> {
        schema: u32,
        error: Failure<'a>,
        summary: Summary,
    }
    #[derive(Serialize)]
    struct Failure<'a> {
        title: &'a str,
        path: Option<String>,
        details: &'a [String],
        hint: Option<String>,
    }
    // An error counts as one (a usage error included).
    let _ = write_json(&Doc {
        schema: SCHEMA,
        error: Failure {
            title,
            path,
            details,
            hint,
        },
        summary: Summary::new(Counts::errors(1), outcome),
    });
}

/// The sentence of an error, naming the option it came from where the
/// library's error stands for one (the library knows no option names).
pub fn title(e: &Error) -> String {
    match e {
        Error::UnknownTarget { .. } => format!("--target {e}"),
        _ => e.to_string(),
    }
}

/// The one rendering of an error for people: the title (`loadsmith: …`),
/// one line per detail, then `hint: …`. Every line goes through [`safe`]
/// (paths and names inside it came from outside), so a line break in a name
/// shows as `\u{a}`, while the report's own lines stay lines.
pub fn error_report(e: &Error) -> String {
    let mut s = format!("loadsmith: {}\n", safe(&title(e)));
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
        Severity::Error => out.paint("error  ", Style::Bad),
        Severity::Warning => out.paint("warning", Style::Warn),
        Severity::Info => out.paint("info   ", Style::Note),
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
        // The phones the cause strands, on a line of their own below it
        // (unless the words name the one phone already).
        if let Some(line) = crate::findings::strands_line(f.strands())
            && !crate::findings::names_its_one_phone(f)
        {
            s.push_str(&format!("{:<35}{}\n", "", safe(&line)));
        }
    }
    s
}

/// The closing line of a report: `OK: 0 errors, 1 warnings, 2 notes`.
pub(crate) fn summary(findings: &[Finding], out: Out) -> String {
    let (e, w, i) = crate::inspect::tally(findings);
    let verdict = if e > 0 {
        out.paint("FAIL", Style::Bad)
    } else {
        out.paint("OK", Style::Pass)
    };
    format!(
        "  {verdict}: {}, {}, {}\n",
        count(e, "error", "errors"),
        count(w, "warning", "warnings"),
        count(i, "note", "notes")
    )
}

/// A verdict's word (painted) and its sentence, without saying the word
/// twice: "settles" and "settles on X" make "settles on X", "uncertain" and
/// "uncertain: the …" make "uncertain: the …"; otherwise "word: sentence".
pub(crate) fn verdict_line(painted: &str, word: &str, message: &str) -> String {
    let rest = message
        .get(..word.len())
        .filter(|w| w.eq_ignore_ascii_case(word))
        .map(|_| &message[word.len()..])
        .filter(|r| r.starts_with([' ', ':']));
    match rest {
        Some(rest) => format!("{painted}{}", safe(rest)),
        None => format!("{painted}: {}", safe(message)),
    }
}

/// What a row says in the table: its verdict, or for a failure a finding
/// reports, that finding's code and the file (the finding says the rest,
/// once for every phone it strands).
fn row_words(r: &Row) -> String {
    let message = match r.kind {
        Kind::Uncertain => r.message.strip_prefix("uncertain: ").unwrap_or(&r.message),
        _ => &r.message,
    };
    match (r.cause, &r.file) {
        (Some(code), Some(file)) => format!("see {code} ({})", safe(file)),
        (Some(code), None) => format!("see {code}"),
        (None, _) => safe(message),
    }
}

/// The phone model's table (`check`, `stage`): one line per way of ending, the models that end that way
/// together (`settles 7941, 7961 loader era settles on …`); phones of
/// per-phone files say which file was walked and how many MACs it stands for.
pub(crate) fn render_fleet(rows: &[Row], out: Out) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut lines: Vec<(Kind, String, String, Vec<&str>)> = Vec::new();
    for r in rows {
        let state = match &r.phones {
            Some(p) if p.count > 1 => {
                format!("{}, {} (+{} more)", r.state, safe(&p.file), p.count - 1)
            }
            Some(p) => format!("{}, {}", r.state, safe(&p.file)),
            None => r.state.clone(),
        };
        let words = row_words(r);
        match lines
            .iter_mut()
            .find(|(k, st, w, _)| *k == r.kind && *st == state && *w == words)
        {
            Some((.., models)) => models.push(r.model),
            None => lines.push((r.kind, state, words, vec![r.model])),
        }
    }
    // Columns as wide as their widest cell (models listed together).
    let lines: Vec<(Kind, String, String, String)> = lines
        .into_iter()
        .map(|(k, st, w, m)| (k, st, w, m.join(", ")))
        .collect();
    let mw = lines.iter().map(|l| l.3.len()).max().unwrap_or(0).max(9);
    let sw = lines.iter().map(|l| l.1.len()).max().unwrap_or(0).max(18);
    let mut s = String::from("  phones:\n");
    for (kind, state, words, models) in lines {
        let kind = match kind {
            Kind::Settles => out.paint("settles  ", Style::Good),
            Kind::Error => out.paint("error    ", Style::Bad),
            Kind::Loops => out.paint("loops    ", Style::Loops),
            Kind::Uncertain => out.paint("uncertain", Style::Unsure),
        };
        s.push_str(&format!("    {kind} {models:<mw$} {state:<sw$} {words}\n"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_exit_and_the_process_exit_are_one_value() {
        assert_eq!(Outcome::of(false, false).code(), 0);
        assert_eq!(Outcome::of(true, false).code(), 1);
        assert_eq!(Outcome::of(true, true).code(), 2);
        let s = Summary::new(Counts::errors(3), Outcome::Problems);
        assert_eq!((s.errors, s.exit), (3, 1));
    }
}
