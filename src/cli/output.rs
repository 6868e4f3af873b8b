//! Where output goes: JSON or human text on stdout, messages on stderr, colour rules.

use std::io::{self, IsTerminal, Write};

use serde::Serialize;

use super::args::{Cli, ColorChoice};
use crate::check::findings::{Finding, Severity};
use crate::error::Error;

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

    /// Writes human text to stdout, unless quiet.
    pub fn text(&self, text: &str) -> io::Result<()> {
        if self.quiet {
            return Ok(());
        }
        let mut s = io::stdout().lock();
        s.write_all(text.as_bytes())
    }

    /// Writes the result: `full` normally, only `errors` (the lines that
    /// make the exit code 1) with `--quiet`.
    pub fn result(&self, full: &str, errors: &str) -> io::Result<()> {
        let text = if self.quiet { errors } else { full };
        io::stdout().lock().write_all(text.as_bytes())
    }

    /// Wraps `text` in an ANSI colour when colour is on.
    pub fn paint(&self, text: &str, code: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
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
/// the terminal: `\x1b[31m` is shown as `\u{1b}[31m`.
pub fn safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control()
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out
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
    let (e, w, n) = crate::check::tally(findings);
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
            let (e, w, n) = crate::check::tally(findings);
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
