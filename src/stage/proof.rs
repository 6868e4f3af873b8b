//! `stage` proves its plan before it writes: the phone model walks every
//! model the target serves, and every model the root's pointers concern,
//! through the root as it will be (the root's files, with the set and the
//! edited pointer files in place). A phone of a served model that would not
//! reach the target, or a phone of another model that settled before and
//! would not after, makes the stage refuse (unless `--force`).

use std::collections::HashMap;

use super::edits::{Action, Edit};
use crate::boot::source::DirSource;
use crate::inspect::member::MemberReport;
use crate::names::{Family, ImageName, Model, models::model_by_name};
use crate::phone::Kind;
use crate::phone::fleet::{self, Row};
use crate::phone::source::{Fetch, FileSource};
use crate::served::Served;

/// The root as it will be once the stage is done.
pub struct Planned {
    dir: DirSource,
    files: HashMap<String, (u64, Vec<u8>)>,
    gone: Vec<String>,
}

impl Planned {
    /// The root at `root`, with `set` written, `edits` made and `pruned` removed.
    pub fn new(root: &Served, set: &[MemberReport], edits: &[Edit], pruned: &[String]) -> Planned {
        let mut files = HashMap::new();
        for m in set {
            let head = m
                .head
                .clone()
                .or_else(|| m.text.clone())
                .unwrap_or_default();
            files.insert(m.name.clone(), (m.size, head));
        }
        for e in edits.iter().filter(|e| e.action != Action::Unchanged) {
            files.insert(e.file.clone(), (e.bytes.len() as u64, e.bytes.clone()));
        }
        Planned {
            dir: DirSource::of(root.clone()),
            files,
            gone: pruned.to_vec(),
        }
    }
}

impl FileSource for Planned {
    fn fetch(&mut self, name: &str) -> Fetch {
        if let Some((size, head)) = self.files.get(name) {
            return Fetch::Found {
                size: *size,
                head: head.clone(),
            };
        }
        if self.gone.iter().any(|g| g == name) {
            return Fetch::NotFound;
        }
        self.dir.fetch(name)
    }

    fn describe(&self) -> String {
        format!("{} (as planned)", self.dir.describe())
    }
}

/// The proof: every row walked, and the sentences of those that fail.
pub struct Proof {
    /// What each phone does after the stage.
    pub rows: Vec<Row>,
    /// Why the stage must not go ahead, one sentence per phone.
    pub failures: Vec<String>,
}

/// Walks the served models and the models the root concerns.
pub fn prove(
    root: &Served,
    planned: &mut Planned,
    target: &ImageName,
    running: Option<&str>,
    concerned: Vec<&'static Model>,
) -> Proof {
    let mut proof = Proof {
        rows: Vec::new(),
        failures: Vec::new(),
    };
    let served: Vec<&'static Model> = target
        .models
        .iter()
        .filter_map(|m| model_by_name(m))
        .collect();
    // A pre-5.x target staged for phones the user said run a pre-5.x image
    // (`--running`) is judged for those phones: no phone running a signed
    // image can take it (000: "All versions prior to … Version 5.0 will not
    // load onto the phone after it is installed").
    let only_running = running.is_some() && target.version.as_ref().is_some_and(|v| v.major < 5);
    for m in &served {
        let mut starts = vec![(
            Some(fleet::CURRENT.to_string()),
            false,
            "loader era".to_string(),
        )];
        if only_running && m.family == Family::Legacy {
            starts.clear();
        }
        // As `check` walks them: a 7940/7960 that still boots by the
        // original mechanism, where the root will hold `OS79XX.TXT`.
        if m.family == Family::Legacy && !only_running && fleet::holds_os79xx(planned) {
            starts.push((
                Some(fleet::PRE_LOADER.to_string()),
                false,
                "pre-loader".into(),
            ));
        }
        if m.family != Family::Legacy {
            starts.push((None, true, "factory reset".into()));
        }
        if let Some(r) = running.filter(|_| m.family == Family::Legacy) {
            starts.push((Some(r.to_string()), false, format!("runs {r}")));
        }
        for (run, reset, label) in starts {
            let r = fleet::run(planned, m, run, reset);
            let reaches = r.verdict.kind == Kind::Settles
                && (reset
                    || r.verdict
                        .image
                        .as_deref()
                        .is_some_and(|i| ImageName::parse(i).same_image(target)));
            if !reaches {
                proof.failures.push(format!(
                    "a {} ({label}) would not reach {}: {}",
                    m.name, target.stem, r.verdict.message
                ));
            }
            proof.rows.push(Row::of(m, label, &r));
        }
    }
    let mut before = DirSource::of(root.clone());
    for m in concerned
        .into_iter()
        .filter(|m| !served.iter().any(|s| s.name == m.name))
    {
        let was = fleet::rows(&mut before, m);
        for (now, then) in fleet::rows(planned, m).into_iter().zip(was) {
            if then.kind == Kind::Settles && now.kind != Kind::Settles {
                proof.failures.push(format!(
                    "a {} ({}) settles on {} today, but not after this stage: {}",
                    m.name,
                    now.state,
                    then.image.as_deref().unwrap_or("its load"),
                    now.message
                ));
            }
            proof.rows.push(now);
        }
    }
    proof
}
