//! The TFTP root: pointer files, the manifest and lock, staging, and checks.

mod asked;
pub mod beneath;
pub mod check;
mod choose;
pub mod edits;
pub mod fault;
pub mod hunt;
pub mod manifest;
mod mapcheck;
pub mod proof;
pub mod prune;
mod resolve;
pub mod served;
pub mod stage;
mod stager;
