//! `loadsmith matrix`: render the firmware catalogue.

use serde::Serialize;

use super::output::{Counts, Out, Style};
use super::{Outcome, stdout_err};
use crate::error::Error;
use crate::names::ImageName;
use crate::upgrade::matrix::{Section, TABLE_2};

#[derive(Serialize)]
struct Cell {
    image: &'static str,
    version: Option<String>,
    signed: Option<bool>,
}

#[derive(Serialize)]
struct RowDoc {
    sccp: Option<Cell>,
    sip: Option<Cell>,
    mgcp: Option<Cell>,
    remark: Option<&'static str>,
}

#[derive(Serialize)]
struct SectionDoc {
    section: Section,
    title: &'static str,
    rows: Vec<RowDoc>,
}

fn cell(n: Option<&'static str>) -> Option<Cell> {
    n.map(|image| {
        let r = ImageName::parse(image);
        Cell {
            image,
            version: r.version.map(|v| v.display().to_string()),
            signed: r.signed,
        }
    })
}

fn sections() -> Vec<SectionDoc> {
    let mut out: Vec<SectionDoc> = Vec::new();
    for row in TABLE_2 {
        if out.last().is_none_or(|s| s.section != row.section) {
            out.push(SectionDoc {
                section: row.section,
                title: row.section.title(),
                rows: Vec::new(),
            });
        }
        if let Some(s) = out.last_mut() {
            s.rows.push(RowDoc {
                sccp: cell(row.sccp),
                sip: cell(row.sip),
                mgcp: cell(row.mgcp),
                remark: row.remark,
            });
        }
    }
    out
}

pub(super) fn run(out: Out) -> Result<Outcome, Error> {
    let secs = sections();
    let outcome = Outcome::Clean;
    if out.json {
        #[derive(Serialize)]
        struct Doc {
            sections: Vec<SectionDoc>,
        }
        out.json(&Doc { sections: secs }, Counts::default(), outcome)
            .map_err(stdout_err)?;
        return Ok(outcome);
    }
    let fmt = |c: &Option<Cell>| match c {
        Some(c) => format!("{} {}", c.image, c.version.as_deref().unwrap_or("?")),
        None => "—".to_string(),
    };
    let mut s = String::from("Cisco IP Phone 7960/7940 firmware (vendor matrix, Table 2)\n");
    for sec in &secs {
        s.push_str(&format!(
            "\n{}\n",
            out.paint(&format!("── {}", sec.title), Style::Title)
        ));
        s.push_str(&format!("  {:<26} {:<22} {:<22}\n", "SCCP", "SIP", "MGCP"));
        for r in &sec.rows {
            s.push_str(&format!(
                "  {:<26} {:<22} {:<22}",
                fmt(&r.sccp),
                fmt(&r.sip),
                fmt(&r.mgcp)
            ));
            if let Some(rem) = r.remark {
                s.push_str(&format!(" ({rem})"));
            }
            s.push('\n');
        }
    }
    out.text(&s).map_err(stdout_err)?;
    Ok(outcome)
}
