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
}
