//! `loadsmith man`: the main page on stdout, or with `--dir DIR` a page per
//! subcommand (`loadsmith-inspect.1`, …) and the main page, each with
//! EXAMPLES, EXIT STATUS, ENVIRONMENT and FILES.

use std::io::{self, Write};
use std::path::Path;

use clap::CommandFactory;
use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, roman};

use super::args::Cli;
use super::{Outcome, help, stdout_err};
use crate::error::Action;
use crate::error::Error;

/// One page: clap's sections, then ours.
fn page(cmd: clap::Command, name: Option<&str>, w: &mut dyn Write) -> io::Result<()> {
    let man = Man::new(cmd);
    man.render_title(w)?;
    man.render_name_section(w)?;
    man.render_synopsis_section(w)?;
    man.render_description_section(w)?;
    man.render_options_section(w)?;
    if name.is_none() {
        man.render_subcommands_section(w)?;
    }
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
    roff.text([roman(
        "loadsmith(1), loadsmith-inspect(1), loadsmith-stage(1), loadsmith-check(1), loadsmith-boot(1), loadsmith-plan(1), loadsmith-names(1), loadsmith-matrix(1); in.tftpd(8)",
    )]);
    roff.to_writer(w)
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
