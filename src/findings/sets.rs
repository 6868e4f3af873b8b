//! The findings over a bundle's or a root's names and sets: what a `.loads`
//! needs and lists, names that repeat or differ only in case, bodies that
//! should agree, `OS79XX.TXT`, and `model="…"` labels.

use std::fmt::Display;

use super::bundle::read_problem;
use super::{Code, Finding};

/// `not-firmware-in-set`: the `.loads` `list` (of `load`) lists `file`,
/// which is not firmware.
pub fn not_firmware_in_set(file: &str, list: &str, load: &str) -> Finding {
    Finding::new(
        Code::NotFirmwareInSet,
        Some(file),
        format!(
            "{list} lists {file}, which is not a firmware file: a set holds firmware only, and configuration files are written by loadsmith's editors alone, so nothing of {load} is staged"
        ),
    )
}

/// `missing-member`: `file`, listed by `list` (the `.loads` of `load`), is
/// not in the `holder` (`bundle` or `root`), which may hold `case_variant`,
/// its name in another case.
pub fn missing_member(
    file: &str,
    list: &str,
    load: &str,
    holder: &str,
    case_variant: Option<&str>,
) -> Finding {
    let hint = match case_variant {
        Some(v) => format!(
            " (the {holder} has {v}, which differs in case; TFTP servers on Linux match case)"
        ),
        None => String::new(),
    };
    Finding::new(
        Code::MissingMember,
        Some(file),
        format!(
            "{file} is listed by {list} but is not in the {holder}{hint}: phones cannot finish loading {load}"
        ),
    )
}

/// `missing-member` in a root: `file`, listed by several `.loads` (each
/// `(list, load)`), is not in the root: one finding for the one file.
pub fn missing_from_lists(file: &str, lists: &[(String, String)]) -> Finding {
    let names: Vec<&str> = lists.iter().map(|(l, _)| l.as_str()).collect();
    let loads: Vec<&str> = lists.iter().map(|(_, l)| l.as_str()).collect();
    Finding::new(
        Code::MissingMember,
        Some(file),
        format!(
            "{file} is listed by {} but is not in the root: phones cannot finish loading {}",
            names.join(", "),
            loads.join(", ")
        ),
    )
}

/// How a file differs from what a wireless list says of it (`list-mismatch`).
pub enum Listed<'a> {
    /// Another size.
    Size {
        /// The file's size.
        have: u64,
        /// The size the list gives.
        listed: u64,
    },
    /// Another MD5.
    Md5 {
        /// The file's MD5.
        have: &'a str,
        /// The MD5 the list gives.
        listed: &'a str,
    },
}

/// `list-mismatch`: `file` is not what the list `list` says of it.
pub fn list_mismatch(file: &str, list: &str, why: Listed<'_>) -> Finding {
    let why = match why {
        Listed::Size { have, listed } => format!("{have} bytes, the list says {listed}"),
        Listed::Md5 { have, listed } => format!("MD5 {have}, the list says {listed}"),
    };
    Finding::new(
        Code::ListMismatch,
        Some(file),
        format!("{file}: {why} ({list}): damaged, cut, or of another release; phones refuse it"),
    )
}

/// The words for names that differ only in case, whichever code says it.
fn differ_in_case(code: Code, names: &[&str]) -> Finding {
    Finding::new(
        code,
        names.first().copied(),
        format!(
            "{} differ only in case: a case-insensitive TFTP server or file system keeps just one of them; keep the vendor's spelling",
            names.join(" and ")
        ),
    )
}

/// Why two members are one (`duplicate-member`).
pub enum Duplicate<'a> {
    /// The reader saw duplicate entries.
    Entries {
        /// The member, if one.
        member: Option<&'a str>,
        /// The reader's words.
        detail: &'a str,
    },
    /// One base name `times` times.
    Repeated {
        /// The base name.
        name: &'a str,
        /// How often.
        times: usize,
    },
    /// Names of a bundle equal but for case, sorted.
    Case(&'a [&'a str]),
}

/// `duplicate-member`: two members of a bundle share one name.
pub fn duplicate_member(why: Duplicate<'_>) -> Finding {
    match why {
        Duplicate::Entries { member, detail } => {
            let what = "has duplicate entries; phones would get one of them at random";
            read_problem(Code::DuplicateMember, member, what, detail)
        }
        Duplicate::Repeated { name, times } => Finding::new(
            Code::DuplicateMember,
            Some(name),
            format!(
                "{name} appears {times} times (phones fetch base names, so only one can be served); keep the vendor's one"
            ),
        ),
        Duplicate::Case(names) => differ_in_case(Code::DuplicateMember, names),
    }
}

/// Which files of a root collide but for case (`case-collision`).
pub enum Collision<'a> {
    /// Names of the root equal but for case, sorted.
    Names(&'a [&'a str]),
    /// `name` differs from the file `staged` a stage wrote only in case.
    Staged {
        /// The other file.
        name: &'a str,
        /// The staged file.
        staged: &'a str,
    },
    /// An upper-case `TERM<MM>.DEFAULT.loads` an old CUCM install left.
    TermLeftover(&'a str),
}

/// `case-collision`: files of a root equal but for case.
pub fn case_collision(what: Collision<'_>) -> Finding {
    let (name, message) = match what {
        Collision::Names(names) => return differ_in_case(Code::CaseCollision, names),
        Collision::Staged { name, staged } => (
            name,
            format!(
                "{name} differs from the staged {staged} only in case: a case-insensitive TFTP server may serve the wrong one; remove {name}"
            ),
        ),
        Collision::TermLeftover(name) => (
            name,
            format!(
                "{name} is an upper-case leftover of an old CUCM install; phones ask for {}; the vendor installer deletes it",
                name.to_ascii_lowercase()
            ),
        ),
    };
    Finding::new(Code::CaseCollision, Some(name), message)
}

/// `case-spelling`: `name` is spelled otherwise than phones ask (`exact`),
/// which the root may also hold (`exact_held`).
pub fn case_spelling(name: &str, exact: &str, exact_held: bool) -> Finding {
    let also = if exact_held {
        format!("; the root also has {exact}, which is the one phones get")
    } else {
        format!("; rename it to {exact}")
    };
    Finding::new(
        Code::CaseSpelling,
        Some(name),
        format!(
            "{name} is never requested: phones ask for {exact} exactly, and tftpd-hpa matches case{also}"
        ),
    )
}

/// Which bodies differ (`body-mismatch`).
pub enum Bodies<'a> {
    /// A `term<MM>.default.loads` whose list is none of its family's lists.
    TermList {
        /// The term file.
        term: &'a str,
        /// The family's `.loads`.
        lists: &'a [&'a str],
    },
    /// A loader `.sbn` whose body is not its `.bin`.
    Loader {
        /// The `.sbn`.
        sbn: &'a str,
        /// The `.bin`.
        bin: &'a str,
    },
    /// A term file whose list is not the load the root's pointers name
    /// for its model.
    TermVersusPointer(&'a TermVersusPointer<'a>),
}

/// A term file against the pointer of one of its models.
pub struct TermVersusPointer<'a> {
    /// The term file.
    pub term: &'a str,
    /// The release whose list it carries.
    pub release: &'a str,
    /// What it makes a reset phone fetch first.
    pub fetches: &'a str,
    /// The pointer file.
    pub file: &'a str,
    /// The pointer's setting.
    pub setting: &'a dyn Display,
    /// The load the pointer names.
    pub value: &'a str,
    /// The components release of that load, if its list says.
    pub components: Option<&'a str>,
    /// The model.
    pub model: &'a str,
}

/// `body-mismatch`: bodies that should be one differ.
pub fn body_mismatch(what: Bodies<'_>) -> Finding {
    let (name, message) = match what {
        Bodies::TermList { term, lists } => (
            term,
            format!(
                "{term}: its list differs from {}; phones reset to factory defaults would load something else",
                lists.join(", ")
            ),
        ),
        Bodies::Loader { sbn, bin } => (
            sbn,
            format!(
                "{sbn}: its body differs from {bin}; the signed and unsigned loaders should be the same code"
            ),
        ),
        Bodies::TermVersusPointer(t) => (t.term, term_versus_pointer(t)),
    };
    Finding::new(Code::BodyMismatch, Some(name), message)
}

fn term_versus_pointer(t: &TermVersusPointer<'_>) -> String {
    let TermVersusPointer {
        term,
        release,
        fetches,
        file,
        setting,
        value,
        components,
        model,
    } = t;
    let components = components
        .map(|r| format!(" (components {r})"))
        .unwrap_or_default();
    format!(
        "{term} carries the list of {release}, but {file} {setting} names {value}{components} \
            for the {model}: a {model} reset to factory defaults fetches {fetches} first, and \
            only then moves to the configured load"
    )
}

/// What is wrong with an `OS79XX.TXT` (`os79xx-format`).
pub enum Os79xx<'a> {
    /// A byte-order mark.
    Bom,
    /// More than one line.
    Lines(usize),
    /// No line.
    Empty,
    /// White space around the name.
    WhiteSpace(&'a str),
    /// Names an image the `holder` (`bundle` or `root`) does not hold.
    NotHeld {
        /// The image.
        image: &'a str,
        /// `bundle` or `root`.
        holder: &'a str,
    },
}

/// `os79xx-format`: the file `name` has `problem`.
pub fn os79xx_format(name: &str, problem: &Os79xx<'_>) -> Finding {
    let p = match problem {
        Os79xx::Bom => "starts with a byte-order mark".to_string(),
        Os79xx::Lines(n) => format!("has {n} lines; phones read one image name"),
        Os79xx::Empty => "is empty; it must name the image".into(),
        Os79xx::WhiteSpace(s) => format!(
            "has white space around {s:?}: phones would ask for a file that does not exist (vendor bug CSCdv19260)"
        ),
        // Its form is right: the advice is about the image, not the line.
        Os79xx::NotHeld { image, holder } => {
            return Finding::new(
                Code::Os79xxFormat,
                Some(name),
                format!(
                    "{name} names {image}, which the {holder} does not hold: phones told to load it will not find it; add {image}, or name an image the {holder} holds"
                ),
            );
        }
    };
    Finding::new(
        Code::Os79xxFormat,
        Some(name),
        format!("{name} {p}; write the image name alone on one line"),
    )
}

/// What is wrong with a `loadInformation` entry's model (`model-label`).
pub enum ModelLabel<'a> {
    /// Its `model="…"` label names another model than its number.
    Label {
        /// The pointer's setting.
        setting: &'a dyn Display,
        /// The label.
        label: &'a str,
        /// The device type (the number).
        number: u32,
        /// The model of that number.
        model: &'a str,
        /// The model the label names.
        labelled: &'a str,
        /// That model's device type.
        labelled_type: u32,
    },
    /// A number that is no device type loadsmith knows.
    UnknownNumber {
        /// The setting.
        setting: &'a dyn Display,
        /// The load it names.
        value: &'a str,
        /// The number.
        number: u32,
        /// The entry's `model="…"` label.
        label: &'a str,
        /// The model that label names and its device type, if it names one.
        labelled: Option<(&'a str, u32)>,
    },
    /// A load of another family than the number's model can run.
    OtherFamily {
        /// The setting.
        setting: &'a dyn Display,
        /// The number.
        number: u32,
        /// The model of that number.
        model: &'a str,
        /// The load it names.
        value: &'a str,
        /// The models (or the family) the load is for.
        serves: &'a str,
    },
    /// Two entries give one model two loads.
    Conflict {
        /// The setting.
        setting: &'a dyn Display,
        /// The first load.
        first: &'a str,
        /// The other.
        second: &'a str,
    },
}

/// `model-label`: an entry of `file` is not for the model it says.
pub fn model_label(file: &str, what: ModelLabel<'_>) -> Finding {
    let message = match what {
        ModelLabel::Label {
            setting,
            label,
            number,
            model,
            labelled,
            labelled_type,
        } => format!(
            "{file} {setting} is labelled model=\"{label}\", but {number} is the {model}'s device type (the {labelled}'s is {labelled_type}): phones read the number, so this entry is for the {model}"
        ),
        ModelLabel::UnknownNumber {
            setting,
            value,
            number,
            label,
            labelled,
        } => {
            let said = match labelled {
                Some((m, t)) => format!(
                    " (it is labelled model=\"{label}\": the {m}'s device type is {t}, so the entry should be loadInformation{t})"
                ),
                None => String::new(),
            };
            format!(
                "{file} {setting} names {value}, but {number} is no device type loadsmith knows{said}: no phone reads this entry"
            )
        }
        ModelLabel::OtherFamily {
            setting,
            number,
            model,
            value,
            serves,
        } => format!(
            "{file} {setting} is the {model}'s entry ({number}), but {value} is a load for the {serves}: a {model} cannot run it"
        ),
        ModelLabel::Conflict {
            setting,
            first,
            second,
        } => format!(
            "{file} has two {setting} entries naming {first} and {second}: phones of that model take one of them"
        ),
    };
    Finding::new(Code::ModelLabel, Some(file), message)
}
