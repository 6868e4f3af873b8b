use super::table3::{TABLE_3, find_row};
use super::*;
use crate::names::models::model_by_name;

fn legacy_models() -> Vec<&'static Model> {
    vec![
        model_by_name("7940").unwrap(),
        model_by_name("7960").unwrap(),
    ]
}

fn candidates() -> Vec<ImageName> {
    let mut all = vec![ImageName::parse("P0030301MFG2")];
    for r in matrix::TABLE_2 {
        for n in [r.sccp, r.sip, r.mgcp].into_iter().flatten() {
            all.push(ImageName::parse(n));
        }
    }
    all
}

fn procedures(p: &Plan) -> Vec<Procedure> {
    p.steps.iter().map(|s| s.procedure).collect()
}

#[test]
fn every_table_3_row_is_walked() {
    assert_eq!(TABLE_3.len(), 30);
    let all = candidates();
    for row in TABLE_3 {
        let from = all
            .iter()
            .find(|n| {
                row.current.contains(n)
                    && table3::current_protocol(row).is_none_or(|p| n.protocol == Some(p))
            })
            .unwrap_or_else(|| panic!("no current image for row {}", row.number));
        let to = all
            .iter()
            .rev()
            .find(|n| row.target.contains(n) && !from.same_image(n))
            .unwrap_or_else(|| panic!("no target image for row {}", row.number));
        let found = find_row(from, to).map(|r| r.number);
        assert_eq!(found, Some(row.number), "{} -> {}", from.input, to.input);
        let plan = plan(from, to, &legacy_models()).unwrap_or_else(|e| {
            panic!("row {}: {} -> {}: {e:?}", row.number, from.input, to.input)
        });
        let want = match (row.procedure, row.footnotes.contains(&2)) {
            (Procedure::F, _) | (Procedure::D, true) => vec![Procedure::B, Procedure::D],
            (p, _) => vec![p],
        };
        assert_eq!(procedures(&plan), want, "row {}", row.number);
        assert_eq!(
            plan.steps.last().map(|s| s.load.as_str()),
            Some(to.stem.as_str())
        );
        for n in row.footnotes {
            assert!(
                plan.notes
                    .iter()
                    .any(|t| t.contains(&format!("footnote {n}")))
            );
        }
    }
}

#[test]
fn sip_5_goes_through_6_3_to_reach_7() {
    let p = plan(
        &ImageName::parse("P0S3-05-3-00"),
        &ImageName::parse("P0S3-08-12-00"),
        &legacy_models(),
    )
    .unwrap();
    let loads: Vec<&str> = p.steps.iter().map(|s| s.load.as_str()).collect();
    assert_eq!(loads, ["P0S3-06-3-00", "P0S3-8-12-00"]);
    assert_eq!(procedures(&p), [Procedure::B, Procedure::D]);
    // Step 1 writes OS79XX.TXT and SIPDefault.cnf with the 6.3 image.
    let a = &p.steps[0].actions;
    assert!(
        a.iter().any(|x| x.file.as_deref() == Some("OS79XX.TXT")
            && x.value.as_deref() == Some("P0S3-06-3-00"))
    );
    assert!(
        a.iter()
            .any(|x| x.setting.as_deref() == Some("image_version")
                && x.value.as_deref() == Some("P0S3-06-3-00"))
    );
    // Step 2 (D) points OS79XX.TXT at the universal loader.
    assert!(
        p.steps[1]
            .actions
            .iter()
            .any(|x| x.file.as_deref() == Some("OS79XX.TXT")
                && x.value.as_deref() == Some("P003-8-12-00"))
    );
}

#[test]
fn sip_6_3_goes_straight_to_d() {
    let p = plan(
        &ImageName::parse("P0S3-06-3-00"),
        &ImageName::parse("P0S3-07-4-00"),
        &legacy_models(),
    )
    .unwrap();
    assert_eq!(procedures(&p), [Procedure::D]);
}

#[test]
fn procedure_c_note_names_the_universal_loader_per_model() {
    // The seed's example: SCCP (manufacturing) to SIP 7.4 in one step.
    let p = plan(
        &ImageName::parse("P00303030300"),
        &ImageName::parse("P0S3-07-4-00"),
        &legacy_models(),
    )
    .unwrap();
    assert_eq!(procedures(&p), [Procedure::C]);
    let a = &p.steps[0].actions;
    for (n, model) in [(8, "IP Phone 7940"), (7, "IP Phone 7960")] {
        let setting = format!("loadInformation{n} model=\"{model}\"");
        assert!(
            a.iter()
                .any(|x| x.setting.as_deref() == Some(setting.as_str())
                    && x.value.as_deref() == Some("P003-07-4-00")),
            "{setting}"
        );
    }
}

#[test]
fn refusals_say_why() {
    let m = legacy_models();
    let e = plan(
        &ImageName::parse("P00305000200"),
        &ImageName::parse("P00303030300"),
        &m,
    )
    .unwrap_err();
    assert!(e.reason.contains("5.x"), "{e:?}");
    let e = plan(
        &ImageName::parse("SCCP41.9-4-2SR3-1S"),
        &ImageName::parse("P0S3-08-12-00"),
        &m,
    )
    .unwrap_err();
    assert!(e.reason.contains("7940/7960"), "{e:?}");
    let e = plan(
        &ImageName::parse("bogus"),
        &ImageName::parse("P0S3-08-12-00"),
        &m,
    )
    .unwrap_err();
    assert!(e.reason.contains("bogus"));
    let e = plan(
        &ImageName::parse("P0S3-07-4-00"),
        &ImageName::parse("P003-08-12-00"),
        &m,
    )
    .unwrap_err();
    assert!(e.reason.contains("loader"));
    // A pair Table 3 does not cover between two signed images (SIP 7.x
    // back to SIP 6.x) is no prohibition (Table 2's note): one step, said so.
    let p = plan(
        &ImageName::parse("P0S3-07-4-00"),
        &ImageName::parse("P0S3-06-3-00"),
        &m,
    )
    .unwrap();
    assert_eq!(procedures(&p), [Procedure::B]);
    assert!(
        p.notes.iter().any(|n| n.contains("not a prohibition")),
        "{p:?}"
    );
    // An image Table 2 says never existed.
    let e = plan(
        &ImageName::parse("P0M3-03-1-00"),
        &ImageName::parse("P0M3-03-2-00"),
        &m,
    )
    .unwrap_err();
    assert!(e.reason.contains("never released"), "{e:?}");
}

#[test]
fn same_image_needs_no_steps() {
    let p = plan(
        &ImageName::parse("P0S3-8-12-00"),
        &ImageName::parse("P0S3-08-12-00"),
        &legacy_models(),
    )
    .unwrap();
    assert!(p.steps.is_empty());
}
