//! What the user asked of `stage`: the target, where to look for it, the
//! root and how to write it.

use std::path::PathBuf;

/// What the user asked.
#[derive(Debug, Clone)]
pub struct StageOptions {
    /// The target load as typed (`P0S3-08-12-00`).
    pub target: String,
    /// Bundles or folders to search (the current folder when empty).
    pub from: Vec<PathBuf>,
    /// The TFTP root.
    pub root: PathBuf,
    /// Show the plan, touch nothing.
    pub dry_run: bool,
    /// Overwrite conflicting files.
    pub force: bool,
    /// Remove files earlier stages wrote that nothing points at any more.
    pub prune: bool,
    /// The image the phones run now, when it matters (SCCP → SIP/MGCP in one step).
    pub running: Option<String>,
    /// Worker threads for inspecting the candidates.
    pub jobs: usize,
    /// What a bundle may make loadsmith read.
    pub limits: crate::bundle::Limits,
    /// The server's remap rules (`--map-file`): files go where they send each name.
    pub rules: Option<crate::served::rules::Rules>,
    /// How much of what it displaces the stage keeps for `undo`.
    pub history: crate::stage::history::keep::Keep,
    /// Both phases, or one (`--files-only`, `--pointers-only`).
    pub phase: Phase,
    /// Told the bytes of the bundles to read and of the set to write, then
    /// each bundle read and each piece written (the command line's
    /// progress bar).
    pub watch: crate::inspect::watch::Watch,
}

/// Which part of a stage runs: many servers are staged in two phases, the
/// set everywhere first, the pointers once every server has it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// The set, then the pointers (a plain stage).
    #[default]
    All,
    /// The set only: no pointer file is edited, nothing pruned; the manifest
    /// records the files, not the target. Phones see nothing new.
    Files,
    /// The pointers only: refused unless every file of the set is in the
    /// root with the digest the manifest recorded.
    Pointers,
}
