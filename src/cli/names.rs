//! `loadsmith names`: render parsed names.

use serde::Serialize;

use super::output::{Out, Summary, safe};
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
    if out.json {
        let unknown = names.iter().filter(|n| !n.known).count();
        let summary = Summary {
            errors: unknown,
            warnings: 0,
            notes: 0,
            exit: u8::from(unknown > 0),
        };
        out.json(&Doc { names: &names }, summary)
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
    Ok(if names.iter().all(|n| n.known) {
        Outcome::Clean
    } else {
        Outcome::Problems
    })
}

fn render(n: &ImageName, out: Out) -> String {
    let mut s = format!("{}\n", out.paint(&safe(&n.input), "1"));
    if !n.known {
        s.push_str(&format!(
            "  {}\n",
            out.paint("unknown: not a name loadsmith knows", "33")
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
