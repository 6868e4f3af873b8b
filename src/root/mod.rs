//! The TFTP root: pointer files, the manifest and lock, staging, and checks.

pub mod check;
pub mod edits;
pub mod fault;
pub mod hunt;
pub mod manifest;
pub mod pointers;
pub mod stage;
mod stager;
