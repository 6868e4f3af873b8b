//! One pointer of a root and where it leads, as `check` reports it.

use serde::Serialize;

/// One pointer and where it leads.
#[derive(Debug, Clone, Serialize)]
pub struct PointerReport {
    /// The file holding it.
    pub file: String,
    /// The setting.
    pub setting: crate::pointers::Setting,
    /// The load named.
    pub value: String,
    /// True when the root holds that load complete.
    pub resolves: bool,
    /// True for a per-phone file (`SEP<MAC>.cnf.xml`, `SIP<MAC>.cnf`, `MGC<MAC>.cnf`).
    pub per_phone: bool,
}
