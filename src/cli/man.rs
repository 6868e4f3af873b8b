//! `loadsmith man`: the main page on stdout, or with `--dir DIR` a page per
//! subcommand (`loadsmith-inspect.1`, …) and the main page, each with
//! EXAMPLES, EXIT STATUS, ENVIRONMENT and FILES.

use std::io::{self, Write};
use std::path::Path;

use clap::CommandFactory;
use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, italic, roman};

use super::args::Cli;
use super::{Outcome, help, stdout_err};
use crate::error::Action;
use crate::error::Error;

/// One page: clap's sections, then ours.
fn page(cmd: clap::Command, name: Option<&str>, out: &mut dyn Write) -> io::Result<()> {
    let mut buf = Vec::new();
    let w = &mut buf;
    let man = Man::new(cmd.clone());
    man.render_title(w)?;
    man.render_name_section(w)?;
    synopsis(&cmd).to_writer(w)?;
    man.render_description_section(w)?;
    man.render_options_section(w)?;
    if name.is_none() {
        man.render_subcommands_section(w)?;
    }
    sections(name).to_writer(w)?;
    out.write_all(&once_preamble(&buf))
}

/// The page as written, with the apostrophe preamble (`.ie`/`.el`) that
/// every rendered part repeats kept once, at the top.
fn once_preamble(page: &[u8]) -> Vec<u8> {
    const PREAMBLE: &str = ".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n";
    let text = String::from_utf8_lossy(page);
    let cut = text.find(PREAMBLE).map_or(0, |i| i + PREAMBLE.len());
    let (head, rest) = text.split_at(cut);
    format!("{head}{}", rest.replace(PREAMBLE, "")).into_bytes()
}

/// SYNOPSIS: every option with the value it takes (`[--from PATH]`), the
/// required ones bare, then the operands.
fn synopsis(cmd: &clap::Command) -> Roff {
    let mut roff = Roff::default();
    roff.control("SH", ["SYNOPSIS"]);
    let mut line = vec![bold(
        cmd.get_bin_name().unwrap_or(cmd.get_name()).to_string(),
    )];
    let (operands, options): (Vec<&clap::Arg>, Vec<&clap::Arg>) = cmd
        .get_arguments()
        .filter(|a| !a.is_hide_set())
        .partition(|a| a.is_positional());
    for a in options.into_iter().chain(operands) {
        let flag = match (a.get_short(), a.get_long()) {
            (Some(c), Some(l)) => format!("-{c}|--{l}"),
            (None, Some(l)) => format!("--{l}"),
            (Some(c), None) => format!("-{c}"),
            (None, None) => String::new(),
        };
        let value = a
            .get_value_names()
            .and_then(|v| v.first())
            .map_or_else(|| a.get_id().as_str().to_uppercase(), ToString::to_string);
        let takes = a.get_action().takes_values();
        let many = a.get_num_args().is_some_and(|n| n.max_values() > 1);
        let (open, close) = if a.is_required_set() {
            ("", "")
        } else {
            ("[", "]")
        };
        line.push(roman(format!(" {open}")));
        if !flag.is_empty() {
            line.push(bold(flag));
            if takes {
                line.push(roman(" "));
            }
        }
        if takes || a.is_positional() {
            line.push(italic(value));
        }
        line.push(roman(format!("{close}{}", if many { "..." } else { "" })));
    }
    if cmd.has_subcommands() {
        line.push(roman(" "));
        line.push(italic("COMMAND"));
    }
    roff.text(line);
    roff
}

/// NOTES, EXAMPLES, EXIT STATUS, ENVIRONMENT, FILES, SEE ALSO.
fn sections(name: Option<&str>) -> Roff {
    let mut roff = Roff::default();
    let h = name.and_then(help::of);
    if let Some(h) = h {
        if !h.details.is_empty() {
            roff.control("SH", ["NOTES"]);
            roff.text([roman(h.details)]);
        }
        roff.control("SH", ["EXAMPLES"]);
        for e in h.examples {
            roff.control("PP", [] as [&str; 0]);
            roff.text([bold(*e)]);
        }
    } else {
        roff.control("SH", ["EXAMPLES"]);
        for h in help::HELP {
            for e in h.examples {
                roff.control("PP", [] as [&str; 0]);
                roff.text([bold(*e)]);
            }
        }
    }
    roff.control("SH", ["EXIT STATUS"]);
    roff.text([roman(match h {
        Some(h) => h.exit,
        None => "0 ok, 1 problems found (an error finding, a refused stage, a phone that does not settle), 2 usage error or an input that cannot be read.",
    })]);
    roff.control("SH", ["ENVIRONMENT"]);
    roff.text([
        bold("NO_COLOR"),
        roman(": when set and not empty, human output is not coloured (as --color never)."),
    ]);
    roff.control("PP", [] as [&str; 0]);
    roff.text([
        bold("CLICOLOR_FORCE"),
        roman(": when set and not empty (and NO_COLOR is not), human output is coloured even when stdout is not a terminal."),
    ]);
    roff.control("PP", [] as [&str; 0]);
    roff.text([
        bold("CLICOLOR"),
        roman(": 0 turns colour off as NO_COLOR does."),
    ]);
    roff.control("SH", ["FILES"]);
    roff.text([
        bold("ROOT/.loadsmith/"),
        roman(": the manifest of what stage wrote (manifest.json) and the locks that keep stages from interleaving and check from reading a root being changed (lock, readers)."),
    ]);
    roff.control("SH", ["SEE ALSO"]);
    roff.text([roman(see_also(name))]);
    roff
}

/// The other pages (never the page itself): the main one and one per
/// subcommand `man --dir` writes.
fn see_also(name: Option<&str>) -> String {
    let pages: Vec<String> = name
        .map(|_| "loadsmith(1)".to_string())
        .into_iter()
        .chain(
            Cli::command()
                .get_subcommands()
                .filter(|s| help::of(s.get_name()).is_some() && Some(s.get_name()) != name)
                .map(|s| format!("loadsmith-{}(1)", s.get_name())),
        )
        .collect();
    format!("{}; in.tftpd(8)", pages.join(", "))
}

/// Runs `loadsmith man [--dir DIR]`.
pub(super) fn run(dir: Option<&Path>) -> Result<Outcome, Error> {
    let mut cmd = Cli::command();
    cmd.build();
    let Some(dir) = dir else {
        page(cmd, None, &mut io::stdout()).map_err(stdout_err)?;
        return Ok(Outcome::Clean);
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::io(Action::Create, dir, e))?;
    let mut pages = vec![(None, "loadsmith".to_string(), cmd.clone())];
    for sub in cmd
        .get_subcommands()
        .filter(|s| help::of(s.get_name()).is_some())
    {
        let name = format!("loadsmith-{}", sub.get_name());
        pages.push((
            Some(sub.get_name().to_string()),
            name.clone(),
            sub.clone().name(name),
        ));
    }
    for (sub, name, c) in pages {
        let mut bytes = Vec::new();
        page(c, sub.as_deref(), &mut bytes).map_err(stdout_err)?;
        let file = format!("{name}.1");
        crate::root::manifest::write_atomic_out(dir, &file, &bytes)?;
    }
    Ok(Outcome::Clean)
}
