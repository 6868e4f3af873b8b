//! `loadsmith log`: read a TFTP server's log and render one block per phone
//! (or, with `--follow`, one live line per phone as the log grows).

use std::io::{BufReader, Read};
use std::path::Path;
use std::time::Duration;

use super::output::{Counts, Out, Style, count, safe};
use super::{Outcome, stdout_err};
use crate::error::Action;
use crate::error::Error;
use crate::log::Reader;
use crate::log::lines::{Lines, MAX_LINE, Next};
use crate::log::verdict::{Kind, Phone, Root, phones};
use crate::served::Served;

/// The JSON document.
#[derive(serde::Serialize)]
struct Report<'a> {
    lines: u64,
    recognised: u64,
    unreadable: u64,
    servers: &'a [crate::log::parse::Server],
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<String>,
    phones: &'a [Phone],
}

/// What the user asked `log` besides the file.
pub(super) struct Ask<'a> {
    /// The root the server serves.
    pub root: Option<&'a Path>,
    /// Its remap rules.
    pub map_file: Option<&'a Path>,
    /// The server's configuration (root, rules, user).
    pub server_config: Option<&'a Path>,
    /// Only this phone (address or MAC).
    pub phone: Option<&'a str>,
}

pub(super) fn run(file: &Path, ask: Ask, follow: bool, out: Out) -> Result<Outcome, Error> {
    let server = super::server::load(ask.server_config, ask.map_file, false)?;
    let view = match ask.root.map(Path::to_path_buf).or_else(|| server.root()) {
        Some(root) => Some(Root::read(Served {
            root,
            rules: server.rules,
        })?),
        None => None,
    };
    if follow {
        return follow_log(file, view.as_ref(), ask.phone, out);
    }
    let mut reader = Reader::new();
    read_all(&mut open(file)?, &mut reader).map_err(|e| Error::io(Action::Read, file, e))?;
    let mut found = phones(&reader, view.as_ref());
    let mut hint = nothing_read(&reader);
    let mut missing = false;
    if let Some(w) = ask.phone {
        let all: Vec<String> = found.iter().map(|p| p.client.clone()).collect();
        found.retain(|p| is_phone(p, w));
        if found.is_empty() {
            missing = true;
            let had = match all.as_slice() {
                [] => "it has no phone".to_string(),
                a => format!("it has {}", a.join(", ")),
            };
            let why = hint.map(|h| format!("; {h}")).unwrap_or_default();
            hint = Some(format!("no phone {w} in this log: {had}{why}"));
        }
    }
    let trouble = found.iter().filter(|p| p.kind.trouble()).count() + usize::from(missing);
    let outcome = Outcome::of(trouble > 0, false);
    if out.json {
        let doc = Report {
            lines: reader.lines,
            recognised: reader.recognised,
            unreadable: reader.unreadable,
            servers: &reader.servers,
            hint: hint.clone(),
            phones: &found,
        };
        out.json(&doc, Counts::errors(trouble), outcome)
            .map_err(stdout_err)?;
    } else {
        let mut text = render(&reader, &found, out);
        let mut errors: String = found
            .iter()
            .filter(|p| p.kind.trouble())
            .map(|p| format!("{}: {}\n", safe(&p.client), safe(&p.verdict)))
            .collect();
        if let Some(h) = &hint {
            text.push_str(&format!("\n{}\n", safe(h)));
            if missing {
                errors.push_str(&format!("{}\n", safe(h)));
            }
        }
        out.result(&text, &errors).map_err(stdout_err)?;
    }
    Ok(outcome)
}

/// True when `p` is the phone `who` names: its address, or its MAC with
/// or without `SEP` and separators.
fn is_phone(p: &Phone, who: &str) -> bool {
    let mac: String = who
        .trim_start_matches("SEP")
        .trim_start_matches("sep")
        .chars()
        .filter(|c| !matches!(c, ':' | '-' | '.'))
        .collect();
    p.client == who
        || p.mac
            .as_deref()
            .is_some_and(|m| m.eq_ignore_ascii_case(&mac))
}

/// What to say when no line of the log was a TFTP server's.
fn nothing_read(r: &Reader) -> Option<String> {
    if r.recognised > 0 {
        return None;
    }
    if r.lines == 0 {
        return Some("the log is empty".into());
    }
    let cause = match r.tftp_mentions {
        0 => {
            "this looks like the log of another program (or of a TFTP server loadsmith does not read)"
        }
        _ => {
            "lines of a TFTP server are there, but none is a request: tftpd-hpa logs requests only with -v (add -v to TFTP_OPTIONS, /etc/default/tftpd-hpa, and restart it)"
        }
    };
    Some(format!(
        "nothing in this log is a TFTP server's request or answer: loadsmith reads \
         tftpd-hpa (`in.tftpd[PID]: RRQ from ADDR filename NAME`, with or without the syslog prefix), \
         dnsmasq (`dnsmasq-tftp[PID]: sent PATH to ADDR`), \
         tftpd32 (`Read request for file <NAME>`) \
         and SolarWinds (`Received read request for file 'NAME' from ADDR`); {cause}"
    ))
}

fn open(file: &Path) -> Result<Box<dyn Read>, Error> {
    if file == Path::new("-") {
        return Ok(Box::new(std::io::stdin()));
    }
    // An unreadable log is unreadable input (exit 2), whatever the reason.
    let f = crate::files::open_input(file)
        .map_err(|e| Error::io(Action::ReadLog, file, e.into_io()))?;
    Ok(Box::new(f))
}

/// Reads every line (bytes that are not UTF-8 are replaced, never an
/// error; a line past [`MAX_LINE`] is skipped and counted as unreadable).
fn read_all(r: &mut dyn Read, reader: &mut Reader) -> std::io::Result<u64> {
    let mut r = BufReader::with_capacity(256 * 1024, r);
    let mut lines = Lines::new();
    let mut n = 0;
    while let Some(got) = lines.next(&mut r)? {
        n += 1;
        take(&lines, got, reader);
    }
    if let Some(got) = lines.finish() {
        n += 1;
        take(&lines, got, reader);
    }
    Ok(n)
}

/// Gives the line [`Lines`] read to `reader`.
fn take(lines: &Lines, got: Next, reader: &mut Reader) {
    match got {
        Next::Line => reader.line(&lines.text()),
        Next::Cut => reader.unreadable_line(),
    }
}

fn mark(kind: Kind, out: Out) -> String {
    match kind {
        Kind::Settles => out.paint("settles", Style::Good),
        Kind::Loops => out.paint("LOOPS", Style::Loops),
        Kind::Stuck => out.paint("STUCK", Style::Bad),
        Kind::LostAfterLoader => out.paint("LOST", Style::Bad),
        Kind::Uncertain => out.paint("uncertain", Style::Unclear),
    }
}

fn who(p: &Phone) -> String {
    let mut s = safe(&p.client);
    if let Some(m) = &p.mac {
        s.push_str(&format!(" · SEP{m}"));
    }
    if !p.models.is_empty() {
        s.push_str(&format!(" · {}", p.models.join("/")));
    }
    s
}

fn render(r: &Reader, found: &[Phone], out: Out) -> String {
    let unreadable = match r.unreadable {
        0 => String::new(),
        n => format!(
            ", {} longer than {} KiB skipped",
            count(n as usize, "line", "lines"),
            MAX_LINE / 1024
        ),
    };
    let mut s = format!(
        "{}, {} from a TFTP server{unreadable}, {}\n",
        count(r.lines as usize, "line", "lines"),
        r.recognised,
        count(found.len(), "phone", "phones")
    );
    for p in found {
        s.push_str(&format!(
            "\n{}  {}\n",
            mark(p.kind, out),
            out.paint(&who(p), Style::Title)
        ));
        if let Some(f) = &p.model_from {
            s.push_str(&format!("  model from: {}\n", safe(f)));
        }
        s.push_str(&format!(
            "  {}, {}",
            count(p.boots, "boot", "boots"),
            count(p.requests as usize, "request", "requests")
        ));
        if let Some(l) = &p.last {
            let how = match &l.outcome {
                crate::log::Outcome::Served => "sent".to_string(),
                crate::log::Outcome::NotFound => "not found".to_string(),
                crate::log::Outcome::Refused(t) => format!("refused: {}", safe(t)),
                crate::log::Outcome::Unknown if r.answers_logged => "sent".to_string(),
                crate::log::Outcome::Unknown => "answer not logged".to_string(),
            };
            s.push_str(&format!(", last: {} ({how})", safe(&l.file)));
        }
        s.push('\n');
        if p.secure {
            s.push_str("  secure mode: it asked for trust lists or signed configuration files\n");
        }
        s.push_str(&format!("  {}\n", safe(&p.verdict)));
        if let Some(w) = &p.predicted {
            s.push_str(&format!(
                "  the root predicts ({}, {}): {}\n",
                w.model,
                w.state,
                safe(&w.verdict)
            ));
            match (&w.expected, &w.asked) {
                (Some(e), Some(a)) => s.push_str(&format!(
                    "  it parts from that at {}: the root predicts {}\n",
                    safe(a),
                    safe(e)
                )),
                (Some(e), None) => s.push_str(&format!(
                    "  the log stops where the root predicts {} next\n",
                    safe(e)
                )),
                _ => {}
            }
        }
        if let Some(f) = &p.fix {
            s.push_str(&format!("  do: {}\n", safe(f)));
        }
    }
    s
}

/// The live line of a phone: its last boot's files, each marked.
fn live_line(p: &Phone, out: Out) -> String {
    let files: Vec<String> = p
        .last_boot
        .iter()
        .map(|a| {
            let short = a.file.split('.').next().unwrap_or(&a.file).to_string();
            let m = match a.outcome {
                crate::log::Outcome::Served => "",
                crate::log::Outcome::Unknown => "",
                crate::log::Outcome::NotFound => " ✗",
                crate::log::Outcome::Refused(_) => " ✗",
            };
            format!("{}{m}", safe(&short))
        })
        .collect();
    format!(
        "{} {} {}: {}\n",
        mark(p.kind, out),
        who(p),
        files.join(" → "),
        safe(&p.verdict)
    )
}

/// One phone as a line of JSON (`{"schema": N, "phone": {…}}`, newline-terminated).
fn json_line(p: &Phone) -> std::io::Result<String> {
    let doc = serde_json::json!({"schema": super::output::SCHEMA, "phone": p});
    let mut s = serde_json::to_string(&doc).map_err(std::io::Error::other)?;
    s.push('\n');
    Ok(s)
}

/// Writes JSON Lines as they are (JSON escapes every control character).
fn write_raw(line: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut o = std::io::stdout().lock();
    o.write_all(line.as_bytes())?;
    o.flush()
}

/// Keeps reading as the log grows; reopens it when it is rotated (a new
/// file under the name, or the file cut shorter).
fn follow_log(
    file: &Path,
    view: Option<&Root>,
    only: Option<&str>,
    out: Out,
) -> Result<Outcome, Error> {
    let mut reader = Reader::new();
    let mut shown: std::collections::HashMap<String, String> = Default::default();
    let stdin = file == Path::new("-");
    let mut src = Source::open(file, stdin)?;
    loop {
        let got = src
            .read_lines(&mut reader)
            .map_err(|e| Error::io(Action::Read, file, e))?;
        if got > 0 {
            for p in phones(&reader, view) {
                if only.is_some_and(|w| !is_phone(&p, w)) {
                    continue;
                }
                let line = match out.json {
                    // JSON Lines: one phone's document per line.
                    true => json_line(&p).map_err(stdout_err)?,
                    false => live_line(&p, out),
                };
                if shown.get(&p.client) != Some(&line) {
                    match out.json {
                        true => write_raw(&line).map_err(stdout_err)?,
                        false => out.text(&line).map_err(stdout_err)?,
                    }
                    shown.insert(p.client.clone(), line);
                }
            }
        } else if stdin && src.eof {
            return Ok(Outcome::Clean);
        } else {
            std::thread::sleep(Duration::from_millis(300));
            if !stdin && src.rotated(file) {
                src = Source::open(file, false)?;
            }
        }
    }
}

/// The followed file: where it was read to, and which file it is.
struct Source {
    r: BufReader<Box<dyn Read>>,
    id: Option<(u64, u64)>,
    eof: bool,
    lines: Lines,
}

impl Source {
    fn open(file: &Path, stdin: bool) -> Result<Source, Error> {
        let r: Box<dyn Read> = if stdin {
            Box::new(std::io::stdin())
        } else {
            Box::new(
                crate::files::open_input(file)
                    .map_err(|e| Error::io(Action::ReadLog, file, e.into_io()))?,
            )
        };
        Ok(Source {
            r: BufReader::new(r),
            id: if stdin { None } else { identity(file) },
            eof: false,
            lines: Lines::new(),
        })
    }

    /// Reads the whole lines available now; a line still being written is
    /// kept for later (within [`MAX_LINE`]).
    fn read_lines(&mut self, reader: &mut Reader) -> std::io::Result<u64> {
        let mut n = 0;
        while n < 10_000 {
            let Some(got) = self.lines.next(&mut self.r)? else {
                self.eof = true;
                return Ok(n);
            };
            take(&self.lines, got, reader);
            n += 1;
        }
        Ok(n)
    }

    /// True when the name now holds another file, or a file shorter than what was read.
    fn rotated(&self, file: &Path) -> bool {
        let now = identity(file);
        let len = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
        now.is_some() && (now != self.id || len < self.lines.read)
    }
}

/// The device and inode of a file.
fn identity(file: &Path) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(file).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        None
    }
}
