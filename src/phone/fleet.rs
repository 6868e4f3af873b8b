//! The fleet a root concerns: every model a pointer or a load in it speaks
//! to, and what a phone of each model does there from the states that
//! matter. `check` shows this table; `stage` proves its plan with it.

use serde::Serialize;

use super::source::FileSource;
use super::{BootReport, Kind, State, files, walk};
use crate::names::{Family, ImageName, MODELS, Model};
use crate::pointers::Setting;

/// A MAC no configuration file is written for: the walk sees the defaults.
pub const ANY_MAC: &str = "000000000000";

/// One model in one starting state, and where it ends.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// The model.
    pub model: &'static str,
    /// The starting state in words (`loader era, empty flash`, `factory reset`, `runs P00305000500`).
    pub state: String,
    /// How it ends.
    pub kind: Kind,
    /// The image it settles on, or runs while failing.
    pub image: Option<String>,
    /// The verdict in one sentence.
    pub message: String,
    /// The file concerned, if any.
    pub file: Option<String>,
}

impl Row {
    /// The row of a walk.
    pub fn of(model: &'static Model, state: String, r: &BootReport) -> Row {
        Row {
            model: model.name,
            state,
            kind: r.verdict.kind,
            image: r.verdict.image.clone(),
            message: r.verdict.message.clone(),
            file: r.verdict.file.clone(),
        }
    }
}

/// The models that pointers (file, setting, value) and loads speak to: the
/// device types of numbered `loadInformation` entries, the models of every
/// load named or held, and the 7940/7960 when a file only they read exists.
pub fn models_concerned<'a>(
    pointers: impl IntoIterator<Item = (&'a str, Setting, &'a str)>,
    loads: impl IntoIterator<Item = &'a str>,
) -> Vec<&'static Model> {
    let mut out: Vec<&'static Model> = Vec::new();
    let add_family = |f: Option<Family>, out: &mut Vec<&'static Model>| {
        for m in MODELS.iter().filter(|m| Some(m.family) == f) {
            if !out.iter().any(|o| o.name == m.name) {
                out.push(m);
            }
        }
    };
    // A cluster's per-phone files name a handful of loads: each value once.
    let mut seen = std::collections::HashSet::new();
    for (file, setting, value) in pointers {
        if let Setting::LoadInformation(Some(n)) = setting
            && let Some(m) = crate::names::models::model_by_device_type(n)
            && !out.iter().any(|o| o.name == m.name)
        {
            out.push(m);
        }
        if [files::OS79XX, files::SIP_DEFAULT, files::MGCP_DEFAULT].contains(&file) {
            add_family(Some(Family::Legacy), &mut out);
        }
        if seen.insert(value) {
            add_family(ImageName::parse(value).family, &mut out);
        }
    }
    for l in loads {
        add_family(ImageName::parse(l).family, &mut out);
    }
    out
}

/// Walks one phone of `model` over `src`.
pub fn run(
    src: &mut dyn FileSource,
    model: &'static Model,
    running: Option<String>,
    factory_reset: bool,
) -> BootReport {
    let mac = free_mac(src);
    walk(
        src,
        &State {
            mac,
            model,
            running,
            factory_reset,
        },
    )
}

/// A MAC for "a phone with no per-phone file": the first of a few that no
/// per-phone file of the root names (real trees hold templates such as
/// `SEP000000000000.cnf.xml`, so the all-zero MAC may be taken).
pub fn free_mac(src: &mut dyn FileSource) -> String {
    const CANDIDATES: [&str; 4] = [ANY_MAC, "02005E10AD01", "02005E10AD02", "02005E10AD03"];
    for c in CANDIDATES {
        let taken = crate::phone::files::loader_hunt(c)
            .into_iter()
            .chain(crate::phone::files::family_hunt(c))
            .filter(|h| h.name.contains(c))
            .any(|h| !matches!(src.fetch(&h.name), crate::phone::source::Fetch::NotFound));
        if !taken {
            return c.to_string();
        }
    }
    CANDIDATES[CANDIDATES.len() - 1].to_string()
}

/// What a loader-era phone runs before it boots, when nothing more is known.
pub const CURRENT: &str = "its current load";

/// What a 7940/7960 runs that boots by the original mechanism (its first
/// request is `OS79XX.TXT`, seed 000 rule 1), when its image is not known:
/// it asks for `OS79XX.TXT` first and loads what that file names.
pub const PRE_LOADER: &str = "its pre-loader image";

/// The states that matter for `model` in a root, and where each ends: a
/// loader-era phone running some other load, and (79x1 family) a phone
/// reset to factory defaults. (On a 7940/7960 a factory reset clears
/// settings, not flash: the same as the first row.)
pub fn rows(src: &mut dyn FileSource, model: &'static Model) -> Vec<Row> {
    let mut out = Vec::new();
    let r = run(src, model, Some(CURRENT.into()), false);
    let state = match model.family {
        Family::Named(_) => "any",
        _ => "loader era",
    };
    out.push(Row::of(model, state.into(), &r));
    if matches!(model.family, Family::Java(_)) {
        let r = run(src, model, None, true);
        out.push(Row::of(model, "factory reset".into(), &r));
    }
    out
}
