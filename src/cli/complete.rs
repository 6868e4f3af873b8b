//! Shell completion, computed by the binary itself when the shell asks
//! (clap_complete's engine): model names for `--model`, and for `--target`
//! the loads the bundles in the current folder hold. `loadsmith completions
//! SHELL` prints the shell's registration, which calls back into loadsmith.

use std::io;

use clap::CommandFactory;
use clap_complete::CompletionCandidate;
use clap_complete::env::Shells;

use super::args::Cli;
use super::{Outcome, stdout_err};
use crate::error::Error;
use crate::inspect::{self, Options};
use crate::names::MODELS;

/// Every model name, with its device-type number as help.
pub fn models() -> Vec<CompletionCandidate> {
    MODELS
        .iter()
        .map(|m| {
            CompletionCandidate::new(m.name)
                .help(Some(format!("device type {}", m.device_type).into()))
        })
        .collect()
}

/// The models `plan` covers.
pub fn legacy_models() -> Vec<CompletionCandidate> {
    ["7940", "7960"]
        .into_iter()
        .map(CompletionCandidate::new)
        .collect()
}

/// The loads the bundles in the current folder hold (vendor spelling).
pub fn targets() -> Vec<CompletionCandidate> {
    let (sources, _) = inspect::collect(&[std::path::PathBuf::from(".")]);
    let opts = Options {
        jobs: 1,
        ..Options::default()
    };
    let mut loads: Vec<String> = inspect::inspect_all(&sources, &opts, &|_| {})
        .into_iter()
        .flatten()
        .flat_map(|r| {
            r.sets
                .into_iter()
                .filter(|s| s.stands_for.is_none())
                .map(|s| s.load)
        })
        .collect();
    loads.sort();
    loads.dedup();
    loads.into_iter().map(CompletionCandidate::new).collect()
}

/// The command as completion sees it: flags that do nothing on `completions`
/// and `man` (`--json`, `--brief`, `--quiet`, `--color`) are not offered there.
pub fn command() -> clap::Command {
    let mut cmd = Cli::command();
    cmd.build();
    for sub in ["completions", "man"] {
        cmd = cmd.mut_subcommand(sub, |s| {
            ["json", "brief", "quiet", "color"]
                .into_iter()
                .fold(s, |s, a| s.mut_arg(a, |a| a.hide(true)))
        });
    }
    cmd
}

/// Answers the shell when it asks for completions (`COMPLETE=SHELL`); returns
/// only when it did not ask.
pub fn answer_if_asked() {
    clap_complete::CompleteEnv::with_factory(command).complete();
}

/// `loadsmith completions SHELL`: the shell's registration.
pub(super) fn run(shell: &str) -> Result<Outcome, Error> {
    let shells = Shells::builtins();
    let Some(s) = shells.completer(shell) else {
        return Err(Error::Usage {
            message: format!(
                "{shell}: completions are for {}",
                shells.names().collect::<Vec<_>>().join(", ")
            ),
        });
    };
    s.write_registration(
        "COMPLETE",
        "loadsmith",
        "loadsmith",
        "loadsmith",
        &mut io::stdout(),
    )
    .map_err(stdout_err)?;
    Ok(Outcome::Clean)
}
