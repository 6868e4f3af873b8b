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
use crate::names::{ImageName, MODELS, Role};
use std::path::{Path, PathBuf};

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

/// The loads the bundles in the folders `--from` names (the current folder
/// when none is typed yet) hold, by names alone: a `.loads` file's name, the
/// `.loads` members a zip's central directory names. Nothing is inspected,
/// decompressed or hashed, and no sub-folder is read: TAB answers at once.
pub fn targets() -> Vec<CompletionCandidate> {
    let from = typed_from(std::env::args_os().skip_while(|a| a != "--").skip(1));
    let from = if from.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        from
    };
    let mut loads = Vec::new();
    for p in from {
        if p.is_file() {
            loads_named(&p, &mut loads);
        } else if let Ok(rd) = std::fs::read_dir(&p) {
            for e in rd.flatten().take(MAX_NAMES) {
                loads_named(&e.path(), &mut loads);
            }
        }
    }
    loads.sort();
    loads.dedup();
    loads.into_iter().map(CompletionCandidate::new).collect()
}

/// Most entries of a folder completion looks at.
const MAX_NAMES: usize = 10_000;

/// The `--from` values among the words typed so far.
fn typed_from(words: impl Iterator<Item = std::ffi::OsString>) -> Vec<PathBuf> {
    let words: Vec<String> = words.map(|w| w.to_string_lossy().into_owned()).collect();
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if let Some(v) = w.strip_prefix("--from=") {
            out.push(PathBuf::from(v));
        } else if w == "--from"
            && let Some(v) = words.get(i + 1).filter(|v| !v.is_empty())
        {
            out.push(PathBuf::from(v));
        }
    }
    out
}

/// The load a file name gives: a `.loads` (not a model's factory default).
fn load_of(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let n = ImageName::parse(base);
    (n.role == Role::Loads && !base.to_ascii_lowercase().starts_with("term"))
        .then(|| n.stem.clone())
}

/// The loads `path` names: its own name, or (a zip) its members' names.
fn loads_named(path: &Path, loads: &mut Vec<String>) {
    let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return;
    };
    if let Some(l) = load_of(&name) {
        loads.push(l);
    } else if name.to_ascii_lowercase().ends_with(".zip")
        && let Ok(f) = crate::files::open_input(path)
        && let Ok(z) = zip::ZipArchive::new(f)
    {
        loads.extend(z.file_names().flatten().filter_map(|n| load_of(&n)));
    }
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
