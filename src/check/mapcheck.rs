//! What remap rules break: names phones ask for that the rules send to a
//! path the root does not hold, or refuse (`remap-dangles`), each with the
//! request, the rule and the path it produced.

use super::pointer::PointerReport;
use crate::findings::{self, Code, Finding};
use crate::names::ImageName;
use crate::served::{Resolution, Served};

/// Where a request went, in words: `the rule at line 3: r ^(…)$ x/\1 sends it to x/y`.
fn went(r: &Resolution) -> String {
    let rule = r
        .rule
        .as_deref()
        .map(|l| format!("the rule at {l}"))
        .unwrap_or_else(|| "the rules".into());
    match (&r.path, &r.refused) {
        (_, Some(why)) => format!("{rule} refuses it ({why})"),
        (Some(p), None) => format!("{rule} sends it to {p}, which the root does not hold"),
        (None, None) => format!("{rule} leave it nowhere"),
    }
}

/// The findings, and the `missing-member` / `dangling-pointer` findings of
/// `existing` they explain taken out (the remap finding says more).
pub fn findings(
    served: &Served,
    stranded: &[(String, String, Resolution)],
    pointers: &[PointerReport],
    existing: &mut Vec<Finding>,
) -> Vec<Finding> {
    if served.rules.is_none() {
        return Vec::new();
    }
    let mut out: Vec<Finding> = Vec::new();
    for (name, at, r) in stranded {
        if !ImageName::parse(name).known {
            continue;
        }
        out.push(findings::remap_dangles(name, &went(r), Some(at)));
    }
    let mut asked: Vec<String> = existing
        .iter()
        .filter(|f| f.code == Code::MissingMember)
        .filter_map(|f| f.member.clone())
        .collect();
    for p in pointers.iter().filter(|p| !p.resolves) {
        let candidates = ["loads", "sbn", "sb2"].map(|e| format!("{}.{e}", p.value));
        if let Some(c) = candidates
            .into_iter()
            .find(|c| served.resolve(c).remapped(c))
        {
            asked.push(c);
        }
    }
    for name in asked {
        let r = served.resolve(&name);
        if !r.remapped(&name) || out.iter().any(|f| f.member.as_deref() == Some(&name)) {
            continue;
        }
        out.push(findings::remap_dangles(&name, &went(&r), None));
    }
    existing.retain(|f| {
        !(f.code == Code::MissingMember
            && out
                .iter()
                .any(|o| o.member.is_some() && o.member == f.member))
    });
    out
}
