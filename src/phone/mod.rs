//! The phone model: what a Cisco IP phone does when it boots against a TFTP
//! root, and the one place in loadsmith that knows it.
//!
//! Per family, the requests a phone makes in order given its state (the
//! image in flash and its era, settings cleared, flash empty), how it reads
//! each configuration file and which one wins, what it accepts (signed or
//! unsigned, its own family only, the name inside the signed header), when it
//! reboots and how it ends. `boot` renders a walk; `stage` proves a root
//! with it before writing; `check` runs it for every model a root concerns;
//! `plan` takes its file names and loader rule from [`files`].
//!
//! Where the vendor's documents are silent, a walk ends [`Kind::Uncertain`]
//! and says which readings there are; it never guesses. Every rule and each
//! reading chosen is listed in `docs/boot.md` with the seed sentence behind it.
//!
//! - [`files`]: file names, hunt orders, eras, the loader rule.
//! - [`read`]: which image a configuration file names for one model.
//! - [`source`]: what a phone fetches through ([`source::FileSource`]).
//! - `legacy`, `family`: the walks of the 7940/7960 and the 79x1 family.

mod family;
pub mod files;
pub mod fleet;
mod legacy;
pub mod read;
pub mod source;
mod walk;

use serde::Serialize;

use crate::names::{Family, Model, Protocol};
use crate::upgrade::{Plan, Refusal};
use source::FileSource;

/// What is known of one phone before it boots.
#[derive(Debug, Clone)]
pub struct State {
    /// MAC, 12 upper-case hex digits.
    pub mac: String,
    /// The model.
    pub model: &'static Model,
    /// The image in flash, if any (vendor spelling or either spelling).
    pub running: Option<String>,
    /// Settings were cleared (`#` then `123456789*0#` on a 7940/7960,
    /// `3491672850*#` on the 79x1 family).
    pub factory_reset: bool,
}

/// One request the phone makes.
#[derive(Debug, Clone, Serialize)]
pub struct Request {
    /// The file asked for.
    pub file: String,
    /// Served or not.
    pub found: bool,
    /// Its size, when served.
    pub size: Option<u64>,
    /// `found`, `not-found`, `wrong-bytes` or `error`.
    pub status: &'static str,
    /// Which boot pass asked (1 = first).
    pub pass: u32,
    /// Why the bytes are wrong, or the server's error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The path the server's remap rules opened instead (`--map-file`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remapped: Option<String>,
}

/// How the boot ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// The phone settles on an image.
    Settles,
    /// The phone shows an error (or the move is one the matrix forbids).
    Error,
    /// The phone keeps asking for a file.
    Loops,
    /// The vendor's documents do not say what the phone does here.
    Uncertain,
}

/// The verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// Settles, error, loops or uncertain.
    pub kind: Kind,
    /// The image it settles on (or runs while failing).
    pub image: Option<String>,
    /// What the phone shows, or why.
    pub message: String,
    /// The file concerned, if any.
    pub file: Option<String>,
}

/// The whole prediction.
#[derive(Debug, Clone, Serialize)]
pub struct BootReport {
    /// The root or server.
    pub source: String,
    /// The phone's MAC.
    pub mac: String,
    /// The phone's model.
    pub model: &'static str,
    /// Every request, in order.
    pub requests: Vec<Request>,
    /// The decisions taken, in order.
    pub decisions: Vec<String>,
    /// The protocol chosen by the hunt.
    pub protocol: Option<Protocol>,
    /// The image the configuration names for this model.
    pub image: Option<String>,
    /// Reboots before the verdict.
    pub reboots: u32,
    /// How it ends.
    pub verdict: Verdict,
    /// The vendor's plan, when the matrix routes the move through steps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<Plan>,
    /// The matrix's refusal, when it forbids the move.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<Refusal>,
}

/// Walks one phone's boot against `src`.
pub fn walk(src: &mut dyn FileSource, state: &State) -> BootReport {
    let mut w = walk::Walk::new(src, state);
    match state.model.family {
        Family::Legacy => legacy::walk(&mut w),
        Family::Java(_) => family::walk(&mut w),
        Family::Named(_) => w.undocumented(),
    }
}
