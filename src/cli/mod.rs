//! The command-line layer: parses arguments, calls the library, renders the
//! result (human or JSON) and decides the exit code. No domain logic lives here.
//!
//! Exit codes: 0 ok, 1 problems found (findings of severity error, a refused
//! plan, unknown names), 2 usage or unreadable input.

pub mod args;
mod boot;
mod check;
mod compare;
mod complete;
pub mod help;
mod history;
mod inspect;
mod log;
mod man;
mod matrix;
mod names;
pub mod output;
mod plan;
mod progress;
mod server;
mod sink;
mod stage;
mod trust;
mod undo;
mod verify;

use std::io;
use std::process::ExitCode;

use crate::error::Action;
use crate::error::Error;
use args::{Cli, Command};
use output::{Out, Outcome};

/// Runs the program: parse, run, map the outcome to the exit code.
pub fn main() -> ExitCode {
    complete::answer_if_asked();
    let cli = match <Cli as clap::Parser>::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let outcome = if e.use_stderr() {
                Outcome::Unreadable
            } else {
                Outcome::Clean
            };
            if outcome == Outcome::Unreadable && std::env::args_os().any(|a| a == "--json") {
                let text = e.render().to_string();
                let mut lines = text.lines().filter(|l| !l.trim().is_empty());
                let title = lines
                    .next()
                    .unwrap_or("usage error")
                    .trim_start_matches("error: ");
                let details: Vec<String> = lines.map(str::to_string).collect();
                output::error_json(title, None, &details, None, outcome);
            }
            let _ = e.print();
            return ExitCode::from(outcome.code());
        }
    };
    let out = Out::from_cli(&cli);
    match run(cli, out) {
        Ok(outcome) => ExitCode::from(outcome.code()),
        Err(e) => {
            if out.json && !is_broken_pipe(&e) {
                output::error_json(
                    &output::title(&e),
                    e.path().map(|p| p.display().to_string()),
                    e.details(),
                    e.hint(),
                    Outcome::of_error(&e),
                );
            }
            report(&e)
        }
    }
}

fn is_broken_pipe(e: &Error) -> bool {
    matches!(e, Error::Io { source, .. } if source.kind() == io::ErrorKind::BrokenPipe)
}

fn report(e: &Error) -> ExitCode {
    if is_broken_pipe(e) {
        return ExitCode::SUCCESS;
    }
    output::eprint(&output::error_report(e));
    ExitCode::from(Outcome::of_error(e).code())
}

/// Turns a write error on stdout into an [`Error`].
pub(crate) fn stdout_err(e: io::Error) -> Error {
    Error::io(Action::Write, "standard output", e)
}

/// Refuses `--json` and `--brief` where they do not apply, saying why,
/// rather than ignoring them: every command accepts both.
fn flags_apply(command: &Command, out: Out) -> Result<(), Error> {
    let json = match command {
        Command::Man { .. } => Some("man writes roff; --json does not apply"),
        Command::Completions { .. } => {
            Some("completions writes a shell script; --json does not apply")
        }
        _ => None,
    };
    if let Some(message) = json.filter(|_| out.json) {
        return Err(Error::Usage {
            message: message.into(),
        });
    }
    let name = match command {
        Command::Inspect(_) | Command::Check { .. } => return Ok(()),
        Command::Names { .. } => "names",
        Command::Plan { .. } => "plan",
        Command::Matrix => "matrix",
        Command::Stage(_) => "stage",
        Command::Boot { .. } => "boot",
        Command::Log { .. } => "log",
        Command::History { .. } => "history",
        Command::Undo { .. } => "undo",
        Command::Compare(_) => "compare",
        Command::Completions { .. } => "completions",
        Command::Man { .. } => "man",
    };
    if out.brief {
        return Err(Error::Usage {
            message: format!(
                "--brief does not apply to {name}: it gives one line per bundle or root, for inspect and check; use --quiet to print only the errors"
            ),
        });
    }
    Ok(())
}

fn run(cli: Cli, out: Out) -> Result<Outcome, Error> {
    flags_apply(&cli.command, out)?;
    match cli.command {
        Command::Names { names } => names::run(&names, out),
        Command::Plan {
            from,
            to,
            model,
            bundles,
        } => plan::run(&from, &to, model.as_deref(), &bundles, out),
        Command::Matrix => matrix::run(out),
        Command::Inspect(args) => inspect::run(&args, out),
        Command::Stage(args) => stage::run(&args, out),
        Command::Check {
            root,
            wait,
            map_file,
            server_config,
        } => check::run(
            root.as_deref(),
            wait,
            (map_file.as_deref(), server_config.as_deref()),
            out,
        ),
        Command::Boot {
            source,
            mac,
            model,
            running,
            factory_reset,
            deadline,
            map_file,
            server_config,
        } => boot::run(
            source.as_deref(),
            &mac,
            &model,
            (running, factory_reset),
            (deadline, map_file.as_deref(), server_config.as_deref()),
            out,
        ),
        Command::Log {
            file,
            root,
            map_file,
            server_config,
            follow,
            phone,
        } => log::run(
            &file,
            log::Ask {
                root: root.as_deref(),
                map_file: map_file.as_deref(),
                server_config: server_config.as_deref(),
                phone: phone.as_deref(),
            },
            follow,
            out,
        ),
        Command::History { root } => history::run(&root, out),
        Command::Undo { root, dry_run } => undo::run(&root, dry_run, out),
        Command::Compare(args) => compare::run(&args, out),
        Command::Completions { shell } => complete::run(&shell),
        Command::Man { dir } => man::run(dir.as_deref()),
    }
}

/// The default number of worker threads: every core.
pub(crate) fn default_jobs() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}
