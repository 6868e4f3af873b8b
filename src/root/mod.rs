//! The TFTP root's own state on disk: the manifest of what `stage` wrote,
//! the lock that keeps stages and checks apart, and atomic writes
//! ([`manifest`]).

pub mod manifest;
