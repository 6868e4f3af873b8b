//! The TFTP root: pointer files, the manifest and lock, staging, and checks.

pub mod check;
mod choose;
pub mod edits;
pub mod fault;
pub mod hunt;
pub mod manifest;
pub mod proof;
pub mod stage;
mod stager;
