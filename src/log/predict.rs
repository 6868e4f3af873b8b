//! What the phone model predicts for a phone of the log on the root, and
//! where the phone's requests part from it: the phone model (`phone`) is
//! the one place that knows the hunt; this only lines its walk up with
//! what the log shows.

use serde::Serialize;

use super::Attempt;
use crate::boot::source::DirSource;
use crate::names::models::Model;
use crate::names::{ImageName, Role};
use crate::phone::{files, fleet};
use crate::served::Served;

/// The phone model's walk for this phone, and how the log compares.
#[derive(Debug, Clone, Serialize)]
pub struct Prediction {
    /// The model walked.
    pub model: &'static str,
    /// The starting state walked (`factory reset`, `loader era`).
    pub state: &'static str,
    /// The walk's verdict.
    pub verdict: String,
    /// The first file where the log parts from the walk: the file the walk
    /// asks for there (`None` when the log follows the walk to its end).
    pub expected: Option<String>,
    /// What the phone asked for there instead (`None`: it asked nothing more).
    pub asked: Option<String>,
    /// How many of the log's requests the walk lines up with before they part.
    #[serde(skip)]
    pub matched: usize,
}

/// Walks `model` through the root and compares it with `requests`.
pub fn predict(
    served: &Served,
    model: &'static Model,
    mac: Option<&str>,
    requests: &[Attempt],
) -> Prediction {
    let reset = requests
        .first()
        .is_some_and(|a| ImageName::parse(&a.file).role == Role::FactoryDefault);
    let mut src = DirSource::of(served.clone());
    // A 7940/7960 whose first request is OS79XX.TXT boots by the original
    // mechanism (seed 000 rule 1): walk a pre-loader phone (phone::fleet).
    let pre = requests.first().is_some_and(|a| a.file == files::OS79XX);
    // One that asked for an image's unsigned `.bin` runs an image below 5.x
    // (000: "Versions prior to 5.x accept unsigned binary files").
    let unsigned = pre
        && requests
            .iter()
            .any(|a| a.file.to_ascii_lowercase().ends_with(".bin"));
    let (running, state) = match (reset, pre) {
        (true, _) => (None, "factory reset"),
        (false, true) if unsigned => (Some(files::PRE_5.to_string()), "pre-loader, below 5.x"),
        (false, true) => (Some(fleet::PRE_LOADER.to_string()), "pre-loader"),
        (false, false) => (Some(fleet::CURRENT.to_string()), "loader era"),
    };
    // A log that shows no MAC: "a phone with no per-phone file", as `check`
    // walks it (a MAC no per-phone file of the root names).
    let mac = match mac {
        Some(m) => m.to_string(),
        None => fleet::free_mac(&mut src),
    };
    let walk = crate::phone::walk(
        &mut src,
        &crate::phone::State {
            mac,
            model,
            running,
            factory_reset: reset,
        },
    );
    let walked: Vec<&str> = walk.requests.iter().map(|r| r.file.as_str()).collect();
    // The log starts at the phone's first request that the walk makes too
    // (a log may begin in the middle of a boot).
    let start = requests
        .iter()
        .position(|a| walked.first() == Some(&a.file.as_str()))
        .unwrap_or(0);
    let asked: Vec<&str> = requests[start..].iter().map(|a| a.file.as_str()).collect();
    let part = walked
        .iter()
        .zip(&asked)
        .position(|(w, a)| w != a)
        .or((asked.len() < walked.len()).then_some(asked.len()));
    let matched = part.unwrap_or_else(|| walked.len().min(asked.len()));
    Prediction {
        matched,
        model: model.name,
        state,
        verdict: walk.verdict.message,
        expected: part.and_then(|i| walked.get(i).map(|s| s.to_string())),
        asked: part.and_then(|i| asked.get(i).map(|s| s.to_string())),
    }
}
