//! `loadsmith compare`: render the differences between sources, one line each.

use std::path::PathBuf;

use super::args::CompareArgs;
use super::output::{Counts, Out, Style, safe};
use super::{Outcome, stdout_err};
use crate::compare::{Comparison, Input, compare};
use crate::error::Error;

pub(super) fn run(args: &CompareArgs, out: Out) -> Result<Outcome, Error> {
    let mut inputs: Vec<Input> = args.sources.iter().map(|s| Input::parse(s)).collect();
    for m in &args.map_file {
        let usage = |why: &str| Error::Usage {
            message: format!("--map-file {m}: {why}"),
        };
        let (n, file) = m
            .split_once('=')
            .ok_or_else(|| usage("want N=FILE (N: the source's place, from 1)"))?;
        let n: usize = n
            .parse()
            .ok()
            .filter(|n| (1..=inputs.len()).contains(n))
            .ok_or_else(|| {
                usage(&format!(
                    "{n} is not a source's place (1 to {})",
                    inputs.len()
                ))
            })?;
        let Input::Folder { rules, .. } = &mut inputs[n - 1] else {
            return Err(usage(
                "remap rules apply to a folder: a live server applies its own, a manifest has none",
            ));
        };
        *rules = Some(crate::served::rules::Rules::load(&PathBuf::from(file))?);
    }
    let c = compare(&inputs, std::time::Duration::from_secs(args.deadline))?;
    let outcome = Outcome::of(!c.same, false);
    if out.json {
        out.json(&c, Counts::default(), outcome)
            .map_err(stdout_err)?;
    } else {
        let text = render(&c, out);
        let errors = if c.same { String::new() } else { text.clone() };
        out.result(&text, &errors).map_err(stdout_err)?;
    }
    Ok(outcome)
}

/// The sources, one line per difference, and a last line saying how many.
fn render(c: &Comparison, out: Out) -> String {
    let mut s = String::new();
    for (i, src) in c.sources.iter().enumerate() {
        let fp = src
            .fingerprint
            .as_deref()
            .map(|f| format!("fingerprint {}", &f[..f.len().min(16)]))
            .unwrap_or_else(|| "no pointer settings (a manifest)".into());
        s.push_str(&format!(
            "[{}] {} ({}): {fp}\n",
            i + 1,
            out.paint(&safe(&src.source), Style::Title),
            src.kind
        ));
    }
    for d in &c.differences {
        let values: Vec<String> = d
            .values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.as_ref().map(|v| format!("[{}] {}", i + 1, safe(v))))
            .collect();
        s.push_str(&format!(
            "{} {}: {}\n",
            out.paint(d.kind, Style::Bad),
            safe(&d.what),
            values.join("; ")
        ));
    }
    let phones = c.phones.len();
    s.push_str(&match c.differences.len() {
        0 => format!("every source tells every phone the same ({phones} phone states compared)\n"),
        n => format!(
            "{n} difference{}: the sources do not tell every phone the same\n",
            if n == 1 { "" } else { "s" }
        ),
    });
    s
}
