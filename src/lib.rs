//! loadsmith: inspect, stage and check Cisco IP phone firmware for TFTP roots.
//!
//! Data flows one way: bytes → bundle reader → members (name, size, stream)
//! → name model and signed-file decoders → sets → findings → printer.
//! Modules are layered (`docs/architecture.md`): each imports only from
//! layers below its own, never up, checked by a unit test (`layers`).
//!
//! The modules the integration tests and fuzz targets reach are `pub`; the
//! others are the crate's own. The one entry point is [`main`].

pub(crate) mod boot; // the sources a phone fetches from: a folder, a TFTP server
pub mod bundle; // format detection and streaming readers of zip, tar, tar.gz, cop.sgn and folders
pub(crate) mod check; // the check command's library half: a root's report, pointers, remap and trust findings
pub(crate) mod cli; // argument parsing and rendering (human and JSON), exit codes; no domain logic
pub(crate) mod clock; // Unix times to UTC calendar dates for messages
pub(crate) mod compare; // many servers side by side: verdicts, files and pointers of folders, live servers, manifests
pub(crate) mod error; // the library's error type: what failed, the path concerned, a hint
pub(crate) mod files; // opening files in places others control; walking a root from its descriptor
pub mod findings; // finding codes, severities and the finding record
pub mod inspect; // the inspect pipeline: member scanner, sets, checksum files, worker threads
pub mod log; // TFTP server logs: lines, requests per client, boots and verdicts
pub mod names; // the image-name model, versions and the model table (one record type)
pub(crate) mod phone; // the phone model: hunt orders, file names, walks and verdicts
pub mod pointers; // configuration files' names and formats: readers and editors
pub(crate) mod root; // a root's own state on disk: the manifest, the lock, atomic writes
pub mod served; // the root as the server serves it: remap rules, survey, the phone's view
pub mod signed; // decoders for the signed header, .loads bodies and CNU archives
pub(crate) mod stage; // the stage command's library half: choose, edits, proof, prune, the transaction
pub mod trust; // CTL/ITL trust lists: framing, records, signature, what a manifest records
pub(crate) mod upgrade; // the vendor's firmware matrix and upgrade table, and the planner

#[cfg(test)]
mod layers; // the layer order of docs/architecture.md, checked against every `use crate::`

/// Runs the command line: parse, run, exit (the `loadsmith` binary).
pub use cli::main;
