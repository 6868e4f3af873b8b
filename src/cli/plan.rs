//! `loadsmith plan`: render an upgrade plan or its refusal.

use serde::Serialize;

use super::output::{Counts, Out, Style, safe};
use super::{Outcome, stdout_err};
use crate::error::Error;
use crate::names::models::{MODELS, model_by_name};
use crate::names::{Family, ImageName, Model};
use crate::upgrade::{self, Plan, Refusal};

#[derive(Serialize)]
struct RefusedDoc<'a> {
    from: ImageName,
    to: ImageName,
    steps: [(); 0],
    refused: &'a Refusal,
}

/// The stems of every file in `bundles` (the vendor's spellings).
fn vendor_names(bundles: &[std::path::PathBuf]) -> Result<Vec<String>, Error> {
    let (sources, mut errors) = crate::inspect::collect(bundles);
    if let Some(e) = errors.pop() {
        return Err(e);
    }
    let opts = crate::inspect::Options {
        jobs: 1,
        ..Default::default()
    };
    let mut names = Vec::new();
    for rep in crate::inspect::inspect_all(&sources, &opts, &|_| {}) {
        names.extend(
            rep?.members
                .into_iter()
                .filter(|m| m.usable)
                .map(|m| m.image.stem),
        );
    }
    Ok(names)
}

pub(super) fn run(
    from: &str,
    to: &str,
    model: Option<&str>,
    bundles: &[std::path::PathBuf],
    out: Out,
) -> Result<Outcome, Error> {
    let models: Vec<&'static Model> = match model {
        None => MODELS
            .iter()
            .filter(|m| m.family == Family::Legacy)
            .collect(),
        Some(m) => match model_by_name(m) {
            Some(found) if found.family == Family::Legacy => vec![found],
            _ => {
                return Err(Error::Usage {
                    message: format!("--model {m}: plan covers the 7940 and 7960 only"),
                });
            }
        },
    };
    let (from, to) = (ImageName::parse(from), ImageName::parse(to));
    match upgrade::plan(&from, &to, &models) {
        Ok(mut p) => {
            let outcome = Outcome::Clean;
            let vendor = vendor_names(bundles)?;
            let unconfirmed = upgrade::respell(&mut p, &vendor);
            p.notes
                .extend(upgrade::spelling_note(&unconfirmed, !bundles.is_empty()));
            if out.json {
                out.json(&p, Counts::default(), outcome)
                    .map_err(stdout_err)?;
            } else {
                out.text(&render(&p, out)).map_err(stdout_err)?;
            }
            Ok(outcome)
        }
        Err(r) => {
            // A refused plan is a problem found, counted as one error.
            let outcome = Outcome::Problems;
            if out.json {
                out.json(
                    &RefusedDoc {
                        from,
                        to,
                        steps: [],
                        refused: &r,
                    },
                    Counts::errors(1),
                    outcome,
                )
                .map_err(stdout_err)?;
            }
            super::output::eprint(&format!(
                "loadsmith: refused: {}\nhint: {}\n",
                safe(&r.reason),
                safe(&r.hint)
            ));
            Ok(outcome)
        }
    }
}

fn label(n: &ImageName) -> String {
    format!("{} ({})", safe(&n.stem), n.describe())
}

/// Renders a plan for people; also used by `boot`.
pub(crate) fn render(p: &Plan, out: Out) -> String {
    let mut s = format!(
        "Upgrade {} → {} (models {})\n",
        label(&p.from),
        label(&p.to),
        p.models.join(", ")
    );
    for (i, st) in p.steps.iter().enumerate() {
        s.push_str(&format!(
            "\n{} Procedure {:?} (Table 3 row {}) → {}\n",
            out.paint(&format!("Step {}:", i + 1), Style::Title),
            st.procedure,
            st.row,
            st.load
        ));
        for a in &st.actions {
            match (&a.file, &a.setting, &a.value) {
                (Some(f), Some(k), Some(v)) => {
                    s.push_str(&format!("  - {f}: {k} = {v}\n      {}\n", a.text))
                }
                _ => s.push_str(&format!("  - {}\n", a.text)),
            }
        }
    }
    if !p.notes.is_empty() {
        s.push_str("\nNotes:\n");
        for n in &p.notes {
            s.push_str(&format!("  - {n}\n"));
        }
    }
    s
}
