//! The TFTP root: pointer files, the manifest and lock, staging, and checks.

pub mod check;
mod choose;
pub mod edits;
pub mod manifest;
mod mapcheck;
pub mod proof;
pub mod prune;
mod resolve;
pub mod stage;
mod stager;
pub mod warnings;
