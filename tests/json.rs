//! Snapshots of every command's `--json` document, refusals and errors
//! included: exit code, stdout and stderr, temporary paths redacted
//! (`support::shown`). The cases are those of the `human` suite
//! (`support::cases`), one test each; `--json` documents are what scripts
//! read, so a change to one shows here as a diff.

// names, plan, inspect, stage, check, boot, log, … (`support::cases`).
crate::support::cases::command_cases!(&["--json"]);
