//! loadsmith: inspect, stage and check Cisco IP phone firmware for TFTP roots.
//!
//! Data flows one way: bytes → bundle reader → members (name, size, stream)
//! → name model and signed-file decoders → sets → findings → printer.
//! Staging and boot read through the same readers and the same name model.
//!
//! - [`names`]: the image-name model (one record type, defined once).
//! - [`upgrade`]: the vendor's firmware matrix and upgrade table, and the planner.
//! - [`cli`]: argument parsing and rendering (human and JSON); no domain logic.

pub mod boot;
pub mod bundle;
pub mod check;
pub mod cli;
pub mod error;
pub mod files;
pub mod findings;
pub mod inspect;
pub mod log;
pub mod names;
pub mod phone;
pub mod pointers;
pub mod root;
pub mod served;
pub mod signed;
pub mod stage;
pub mod trust;
pub mod upgrade;
