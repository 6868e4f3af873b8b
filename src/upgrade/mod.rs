//! Upgrade rules for 7940/7960 phones and the planner that applies them.
//!
//! [`matrix`] holds the vendor's firmware catalogue (Table 2), [`table3`] its
//! upgrade scenarios. [`plan`] turns a (current, target) pair into concrete
//! steps: which procedure, which intermediate load, and what to put in which
//! file. Moves the matrix forbids or does not cover come back as a
//! [`Refusal`] that says why and what to do instead.

pub mod matrix;
pub mod table3;

use serde::Serialize;

use crate::names::config::{MGCP_DEFAULT, OS79XX, SIP_DEFAULT, XML_DEFAULT, default_of, mac_file};
use crate::names::{Family, ImageName, Model, Protocol};
use crate::pointers::{IMAGE_VERSION, Setting};
pub use table3::Procedure;

/// One thing to do at a step: set a value in a file, or do something to the phone.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Action {
    /// The file concerned (`OS79XX.TXT`, `XMLDefault.cnf.xml`), or null for the phone itself.
    pub file: Option<String>,
    /// The setting within it (`image_version`, `loadInformation7 model="IP Phone 7960"`).
    pub setting: Option<String>,
    /// The value to put there.
    pub value: Option<String>,
    /// The action in words.
    pub text: String,
}

/// One step of an upgrade.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// The vendor's procedure for this step.
    pub procedure: Procedure,
    /// The load the phone runs after this step, in the spelling the phone is told.
    pub load: String,
    /// The Table 3 row that applies (1–30).
    pub row: u8,
    /// What to do, in order.
    pub actions: Vec<Action>,
}

/// A full plan.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// The image the phone runs now.
    pub from: ImageName,
    /// The image wanted.
    pub to: ImageName,
    /// The models the configuration entries are written for.
    pub models: Vec<&'static str>,
    /// The steps, in order; empty when the phone already runs the target.
    pub steps: Vec<Step>,
    /// Footnotes and field advice that apply.
    pub notes: Vec<String>,
}

/// Why a move cannot be planned, and what to do instead.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Refusal {
    /// Why.
    pub reason: String,
    /// What to do instead.
    pub hint: String,
}

/// Plans the move from `from` to `to` for the given 7940/7960 models.
pub fn plan(from: &ImageName, to: &ImageName, models: &[&'static Model]) -> Result<Plan, Refusal> {
    check_legacy(from, "current")?;
    check_legacy(to, "target")?;
    refuse_target(to)?;
    let (Some(fv), Some(tv)) = (&from.version, &to.version) else {
        return Err(refuse_unknown(&from.input));
    };
    let mut out = Plan {
        from: from.clone(),
        to: to.clone(),
        models: models.iter().map(|m| m.name).collect(),
        steps: Vec::new(),
        notes: Vec::new(),
    };
    if from.same_image(to) {
        out.notes
            .push(format!("the phone already runs {}; nothing to do", to.stem));
        return Ok(out);
    }
    if fv.is_signed_era() && tv.major < 5 {
        return Err(Refusal {
            reason: format!(
                "{} is a signed image (5.x or later) and {} is older than 5.x: {} (000: \"{NO_GOING_BACK}\")",
                from.stem,
                to.stem,
                table3::footnote(1)
            ),
            hint: "choose a target of version 5.x or later (see `loadsmith matrix`)".into(),
        });
    }
    let row = table3::find_row(from, to);
    if row.is_none() && fv.is_signed_era() && tv.is_signed_era() {
        return Ok(unlisted_signed_move(out, from, to, models));
    }
    let Some(row) = row else {
        return Err(Refusal {
            reason: format!(
                "the vendor's Table 3 has no row for {} {} to {} {}",
                proto(from),
                fv,
                proto(to),
                tv
            ),
            hint: "step through a release the matrix covers (for example SCCP 5.x or SIP 6.3), then plan again from there".into(),
        });
    };
    for n in row.footnotes {
        out.notes
            .push(format!("Table 3 footnote {n}: {}", table3::footnote(*n)));
    }
    if row.footnotes.contains(&2) && to.protocol == Some(Protocol::Mgcp) {
        out.notes.push("footnote 2 speaks of SIP 5.x/6.x → SIP 7.x; applying it to a move from SIP 5.x/6.x to MGCP 7.x is loadsmith's reading, not the matrix's words".into());
    }
    add_steps(&mut out, from, to, row, models);
    respell(&mut out, &[]);
    field_notes(&mut out, from, to, row);
    Ok(out)
}

/// The refusals the target alone decides: the loader, a release never
/// made, the manufacturing image.
fn refuse_target(to: &ImageName) -> Result<(), Refusal> {
    if to.protocol == Some(Protocol::Loader) {
        return Err(Refusal {
            reason: format!("{} is the universal application loader, not an application image a phone settles on", to.input),
            hint: "name the SIP, SCCP or MGCP application image as the target (e.g. P0S3-8-12-00); the loader comes with it".into(),
        });
    }
    if let Some(why) = matrix::never_released(to) {
        return Err(Refusal {
            reason: format!("{} was never released: {why}", to.input),
            hint: "choose a release Table 2 lists (see `loadsmith matrix`)".into(),
        });
    }
    if to
        .version
        .as_ref()
        .is_some_and(|v| matches!(v.release, crate::names::Release::Manufacturing(_)))
    {
        return Err(Refusal {
            reason: format!(
                "{} is the manufacturing image; phones are never upgraded to it",
                to.input
            ),
            hint: "choose an SCCP, SIP or MGCP release from `loadsmith matrix`".into(),
        });
    }
    Ok(())
}

/// The steps of a move Table 3's `row` covers: through SIP or SCCP 6.3
/// first where Procedure F (or footnote 2) asks for it.
fn add_steps(
    out: &mut Plan,
    from: &ImageName,
    to: &ImageName,
    row: &table3::Row,
    models: &[&'static Model],
) {
    let needs_six_three = match row.procedure {
        Procedure::F => true,
        Procedure::D => row.footnotes.contains(&2),
        _ => false,
    };
    let from_proto = from.protocol.unwrap_or(Protocol::Sccp);
    let mut current = from.clone();
    if needs_six_three {
        let mid = ImageName::parse(matrix::six_three(from_proto));
        if current.version < mid.version {
            out.steps
                .push(step(Procedure::B, &current, &mid, row.number, models));
            current = mid;
        } else {
            out.notes.push(format!(
                "{} is already at 6.3 or later; the first half of Procedure F is done",
                from.stem
            ));
        }
        out.steps
            .push(step(Procedure::D, &current, to, row.number, models));
    } else {
        out.steps
            .push(step(row.procedure, &current, to, row.number, models));
    }
}

/// The field guides' advice on top of the matrix's route, and the DHCP
/// assumption a loader step rests on.
fn field_notes(out: &mut Plan, from: &ImageName, to: &ImageName, row: &table3::Row) {
    let (Some(fv), Some(tv)) = (&from.version, &to.version) else {
        return;
    };
    let from_proto = from.protocol.unwrap_or(Protocol::Sccp);
    if matches!(from_proto, Protocol::Sip) && fv.major <= 4 && tv.major >= 7 {
        out.notes.push("a vendor CME guide adds: SIP 2.x–4.x go 4.4 → 5.3 → 6.x → 7.x, never straight to 7.x; if a step fails, go through P0S3-04-4-00 and P0S3-05-3-00".into());
    }
    if from.protocol == Some(Protocol::Sccp) && fv.major <= 3 {
        out.notes.push(format!(
            "the matrix's route is the one above (seed 000, Table 3 row {}, Procedure {:?}); the field guide's \
                fallback if that step fails (seed 002: \"If you have a very old version of SCCP, you will find that \
                you cannot immediately upgrade to this version … load version 3 (P00303010102), then load to version \
                5 (P00305000500), then jump to version 8.0.9 (P00308000900)\"): step P00303010102 → P00305000500 \
                → P00308000900, then plan again from there",
            row.number, row.procedure
        ));
    }
    if out.steps.iter().any(writes_loader) {
        out.notes.push(DHCP_150.into());
    }
}

/// The assumption a pre-loader phone's loader step rests on.
pub const DHCP_150: &str = "assumption: the phones learn their TFTP server from DHCP option 150; the field guide (seed 002): \
    \"Without an auto-provisioned tftp server address, the phone will only complete half the upgrade \
    and come up with an error message of 'protocol application invalid'\" (the loader wipes the network \
    settings the phone had)";

/// True when a step names the universal loader in a file (`OS79XX.TXT` for
/// Procedure D, `loadInformation` for the Procedure C note): the pre-loader
/// phone's loader step.
fn writes_loader(s: &Step) -> bool {
    s.actions
        .iter()
        .filter_map(|a| a.value.as_deref())
        .any(|v| {
            let n = ImageName::parse(v);
            n.protocol == Some(Protocol::Loader) || n.role == crate::names::Role::Loader
        })
}

/// Seed 000, "Signed and Unsigned Images".
pub const NO_GOING_BACK: &str = "All versions prior to a Cisco IP Phone 7960 and 7940 Version 5.0 will not load onto the phone after it is installed.";

/// Table 2's note under the signing row.
pub const BELOW_THE_ROW: &str = "All images below will boot to any other image below this row regardless of the protocol that is used.";

/// A move between two signed images (5.x or later) for which Table 3 has no
/// row: Table 2's note allows it, and it follows the boot mechanism. The
/// step is Procedure B's (image in the root, named in `OS79XX.TXT` and the
/// target protocol's configuration files); which procedure the vendor would
/// name is loadsmith's reading.
fn unlisted_signed_move(
    mut out: Plan,
    from: &ImageName,
    to: &ImageName,
    models: &[&'static Model],
) -> Plan {
    out.steps.push(step(Procedure::B, from, to, 0, models));
    out.notes.push(format!(
        "Table 3 has no row for {} {} → {} {}; a missing row is not a prohibition: Table 2's note says \"{BELOW_THE_ROW}\" \
            The step follows the boot mechanism with Procedure B's files (loadsmith's reading; row 0 = no Table \
            3 row)",
        proto(from),
        from.version.as_ref().map(ToString::to_string).unwrap_or_default(),
        proto(to),
        to.version.as_ref().map(ToString::to_string).unwrap_or_default(),
    ));
    out
}

fn proto(n: &ImageName) -> &'static str {
    n.protocol.map(Protocol::label).unwrap_or("unknown")
}

fn refuse_unknown(input: &str) -> Refusal {
    Refusal {
        reason: format!("{input:?} is not an image name loadsmith knows"),
        hint: "give a 7940/7960 image name such as P0S3-08-12-00, P00308010200 or P0M3-07-4-00 (see `loadsmith matrix`)".into(),
    }
}

fn check_legacy(n: &ImageName, which: &str) -> Result<(), Refusal> {
    if !n.known || n.version.is_none() {
        return Err(refuse_unknown(&n.input));
    }
    if n.family != Some(Family::Legacy) {
        return Err(Refusal {
            reason: format!("the {which} image {} is not a 7940/7960 image; the vendor's upgrade matrix covers only 7940/7960", n.input),
            hint: "79x1-family phones take any load in one step: stage it with `loadsmith stage --target` and reset the phone".into(),
        });
    }
    Ok(())
}

/// Names whose vendor spelling is known from real files (`field-facts.md`:
/// "vendor files for SIP 8.12 are named `P0S3-8-12-00.*`, while
/// `P0S3-07-4-00`, `P0S3-06-3-00` and `P0S3-08-11-00` are padded"; the SIP
/// 8.12 loader is `P003-8-12-00`; the last SCCP release `P0030801SR02`).
pub const VENDOR_SPELLINGS: &[&str] = &[
    "P0S3-8-12-00",
    "P003-8-12-00",
    "P0S3-07-4-00",
    "P0S3-06-3-00",
    "P0S3-08-11-00",
    "P0030801SR02",
];

/// Spells every load name of `plan` (steps, values, sentences) as the
/// vendor's files do, taken from `vendor` (stems of the files in the
/// bundles), then from the spellings known from real files
/// ([`VENDOR_SPELLINGS`]). Returns the names neither confirms.
pub fn respell(plan: &mut Plan, vendor: &[String]) -> Vec<String> {
    let vendor: Vec<String> = vendor
        .iter()
        .cloned()
        .chain(VENDOR_SPELLINGS.iter().map(|s| s.to_string()))
        .collect();
    let mut names: Vec<String> = plan.steps.iter().map(|s| s.load.clone()).collect();
    for s in &plan.steps {
        names.extend(s.actions.iter().filter_map(|a| a.value.clone()));
    }
    names.sort();
    names.dedup();
    let mut unconfirmed = Vec::new();
    for n in names {
        let want = ImageName::parse(&n);
        let hit = vendor
            .iter()
            .find(|v| **v == n || ImageName::parse(v).same_image(&want));
        match hit {
            Some(v) if *v != n => {
                for s in &mut plan.steps {
                    if s.load == n {
                        s.load = v.clone();
                    }
                    for a in &mut s.actions {
                        if a.value.as_deref() == Some(n.as_str()) {
                            a.value = Some(v.clone());
                        }
                        a.text = a.text.replace(&n, v);
                    }
                }
            }
            Some(_) => {}
            None => unconfirmed.push(n),
        }
    }
    unconfirmed
}

/// The note a plan carries about spelling (rule 10): names must be the
/// vendor's spelling, the one inside each file's signed header.
pub fn spelling_note(unconfirmed: &[String], searched: bool) -> Option<String> {
    if unconfirmed.is_empty() {
        return None;
    }
    let names = unconfirmed.join(", ");
    Some(if searched {
        format!(
            "no bundle given holds {names}: write each exactly as the vendor's file spells it (the name inside its signed header), or the phone fails image authentication"
        )
    } else {
        format!(
            "{names}: spelled as typed; vendor files spell versions their own way (SIP 8.12 files are P0S3-8-12-00.*, \
                SIP 7.4 files P0S3-07-4-00.*), and each name must match the vendor's file exactly. Give --bundles \
                with the downloaded bundles to spell them from the files"
        )
    })
}

fn set(file: &str, setting: &str, value: &str, text: String) -> Action {
    Action {
        file: Some(file.to_string()),
        setting: Some(setting.to_string()),
        value: Some(value.to_string()),
        text,
    }
}

fn say(file: Option<&str>, text: String) -> Action {
    Action {
        file: file.map(str::to_string),
        setting: None,
        value: None,
        text,
    }
}

/// The configuration-file entries that name `image` for `models`.
fn pointer_actions(image: &str, protocol: Protocol, models: &[&'static Model]) -> Vec<Action> {
    match default_of(protocol) {
        Some(file) => vec![set(
            file,
            IMAGE_VERSION,
            image,
            format!("set image_version to {image} in {file} (a {}, read after it, must not name another image)", mac_file(protocol, "<MAC>")),
        )],
        None => models
            .iter()
            .map(|m| {
                set(
                    XML_DEFAULT,
                    &format!("{} model=\"{}\"", Setting::LoadInformation(Some(m.device_type)), m.xml_model()),
                    image,
                    format!("point {} ({}) at {image} in XMLDefault.cnf.xml, or <loadInformation> in SEP<MAC>.cnf.xml for one phone", Setting::LoadInformation(Some(m.device_type)), m.xml_model()),
                )
            })
            .collect(),
    }
}

fn files_of(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Mgcp => MGCP_DEFAULT,
        _ => SIP_DEFAULT,
    }
}

fn remove_other_configs(protocol: Protocol, keep: Option<Protocol>) -> Action {
    let others: Vec<&str> = [
        (Protocol::Sccp, "XMLDefault.cnf.xml/SEP<MAC>.cnf.xml"),
        (Protocol::Sip, "SIPDefault.cnf/SIP<MAC>.cnf"),
        (Protocol::Mgcp, "MGCDefault.cnf/MGC<MAC>.cnf"),
    ]
    .into_iter()
    .filter(|(p, _)| *p != protocol && Some(*p) != keep)
    .map(|(_, f)| f)
    .collect();
    say(
        None,
        format!(
            "remove the configuration files of the other protocols ({}) for these phones",
            others.join(", ")
        ),
    )
}

fn step(
    procedure: Procedure,
    from: &ImageName,
    to: &ImageName,
    row: u8,
    models: &[&'static Model],
) -> Step {
    let image = to.stem.clone();
    let running = running_flag(procedure, from, to);
    let stage = say(
        None,
        format!(
            "stage the {image} set into the TFTP root's top level, unpacked from the vendor bundle (loadsmith stage --target {image}{running} ROOT)"
        ),
    );
    let mut actions = vec![stage];
    procedure_actions(&mut actions, procedure, from, to, models);
    actions.push(say(None, "reset each phone and let it reboot".into()));
    Step {
        procedure,
        load: image,
        row,
        actions,
    }
}

/// The `--running` a step's `stage` command needs, if any.
fn running_flag(procedure: Procedure, from: &ImageName, to: &ImageName) -> String {
    // A single-step SCCP → SIP/MGCP move names the loader in XMLDefault:
    // `stage --running` writes that entry (Procedure C note).
    // A pre-5.x target is staged for the phones that run the pre-5.x image
    // (no phone running a signed image can take it).
    let pre5 = to.version.as_ref().is_some_and(|v| v.major < 5);
    if pre5
        || procedure == Procedure::C
            && from.protocol == Some(Protocol::Sccp)
            && crate::names::loader_name(to).is_some()
    {
        format!(" --running {}", from.stem)
    } else {
        String::new()
    }
}

/// What `procedure` does to the files, after the `stage` line in `actions`.
fn procedure_actions(
    actions: &mut Vec<Action>,
    procedure: Procedure,
    from: &ImageName,
    to: &ImageName,
    models: &[&'static Model],
) {
    let image = to.stem.clone();
    let protocol = to.protocol.unwrap_or(Protocol::Sccp);
    match procedure {
        Procedure::A => actions.extend(pointer_actions(&image, Protocol::Sccp, models)),
        Procedure::B => {
            actions.push(set(
                OS79XX,
                "image",
                &image,
                format!("write {image} as the only line of OS79XX.TXT"),
            ));
            actions.extend(pointer_actions(&image, protocol, models));
            if !to.version.as_ref().is_some_and(|v| v.is_signed_era()) {
                actions.push(say(
                    None,
                    format!("phones below 5.x take the unsigned {image}.bin"),
                ));
            }
        }
        Procedure::C => loader_switch_actions(actions, from, to, models),
        Procedure::D => {
            let os = crate::names::loader_name(to).unwrap_or_else(|| image.clone());
            actions.push(set(
                OS79XX,
                "image",
                &os,
                format!("write {os} as the only line of OS79XX.TXT"),
            ));
            actions.extend(pointer_actions(&image, protocol, models));
        }
        Procedure::E | Procedure::F => protocol_change_actions(actions, from, to, models),
    }
}

/// Procedure C: the target protocol's files, the other protocols' removed;
/// a single-step move from SCCP names the universal loader too (the
/// Procedure C note).
fn loader_switch_actions(
    actions: &mut Vec<Action>,
    from: &ImageName,
    to: &ImageName,
    models: &[&'static Model],
) {
    let image = to.stem.clone();
    let protocol = to.protocol.unwrap_or(Protocol::Sccp);
    actions.extend(pointer_actions(&image, protocol, models));
    let from_sccp = from.protocol == Some(Protocol::Sccp);
    let loader = crate::names::loader_name(to).filter(|_| from_sccp);
    let keep = loader.as_ref().map(|_| Protocol::Sccp);
    actions.push(remove_other_configs(protocol, keep));
    if let Some(loader) = loader {
        for a in pointer_actions(&loader, Protocol::Sccp, models) {
            actions.push(Action {
                text: format!(
                    "single-step SCCP → {}: {} (the universal loader, Procedure C note)",
                    protocol.label(),
                    a.text
                ),
                ..a
            });
        }
    }
}

/// Procedures E and F: the image named in the target protocol's files;
/// another protocol's files removed first, or kept as the alternative.
fn protocol_change_actions(
    actions: &mut Vec<Action>,
    from: &ImageName,
    to: &ImageName,
    models: &[&'static Model],
) {
    let image = to.stem.clone();
    let protocol = to.protocol.unwrap_or(Protocol::Sccp);
    if from.protocol == to.protocol {
        // Same protocol: Procedure E's second way (change the image in
        // the file the phone reads); other protocols' files stay, for
        // the other models a root serves.
        actions.push(say(
            Some(XML_DEFAULT),
            format!("keep XMLDefault.cnf.xml if the root serves other models: it comes before {} in the hunt, so the stage \
                names {image} in its loadInformation entries for these models", files_of(protocol)),
        ));
    } else {
        // Removed first: while the other protocol's file is there it
        // comes first in the hunt, and `stage` (rightly) refuses.
        actions.insert(0, remove_other_configs(protocol, None));
    }
    actions.extend(pointer_actions(&image, protocol, models));
    if from.protocol != to.protocol {
        actions.push(say(
            None,
            format!(
                "or, instead: keep the {} configuration file and name {image} in its {}",
                proto(from),
                if from.protocol == Some(Protocol::Sccp) {
                    "loadInformation"
                } else {
                    "image_version"
                }
            ),
        ));
    }
}

#[cfg(test)]
mod tests;
