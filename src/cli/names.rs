//! `loadsmith names`: render parsed names.

use serde::Serialize;

use super::output::{Counts, Out, Style, safe};
use super::{Outcome, stdout_err};
use crate::error::Error;
use crate::names::{ImageName, role_label};

#[derive(Serialize)]
struct Doc<'a> {
    names: &'a [ImageName],
}

pub(super) fn run(inputs: &[String], out: Out) -> Result<Outcome, Error> {
    let names: Vec<ImageName> = inputs
        .iter()
        .map(|s| crate::upgrade::matrix::noted(ImageName::parse(s)))
        .collect();
    let unknown = names.iter().filter(|n| !n.known).count();
    let outcome = Outcome::of(unknown > 0, false);
    if out.json {
        out.json(&Doc { names: &names }, Counts::errors(unknown), outcome)
            .map_err(stdout_err)?;
    } else {
        let mut text = String::new();
        for n in &names {
            text.push_str(&render(n, out));
        }
        let errors: String = names
            .iter()
            .filter(|n| !n.known)
            .map(|n| format!("{}: not a name loadsmith knows\n", safe(&n.input)))
            .collect();
        out.result(&text, &errors).map_err(stdout_err)?;
    }
    Ok(outcome)
}

fn render(n: &ImageName, out: Out) -> String {
    let mut s = format!("{}\n", out.paint(&safe(&n.input), Style::Title));
    if !n.known {
        s.push_str(&format!(
            "  {}\n",
            out.paint("unknown: not a name loadsmith knows", Style::Warn)
        ));
    } else {
        s.push_str(&format!("  {}\n", n.describe()));
        let mut fields = vec![format!("role {}", role_label(n.role))];
        if let Some(f) = n.family {
            fields.push(format!("family {}", f.label()));
        }
        if let Some(p) = n.protocol {
            fields.push(format!("protocol {}", p.label()));
        }
        if let Some(v) = &n.version {
            fields.push(format!("version {v}"));
        }
        if let Some(dt) = n.device_type {
            fields.push(format!("device type {dt}"));
        }
        if let Some(m) = &n.mac {
            fields.push(format!("MAC {m}"));
        }
        s.push_str(&format!("  {}\n", fields.join(" · ")));
    }
    for note in &n.notes {
        s.push_str(&format!("  note: {}\n", safe(note)));
    }
    s
}
