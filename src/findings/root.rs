//! The findings of a TFTP root: files that cannot be read, pointers that
//! dangle, files the server will not serve, drift and interrupted stages,
//! what keeps phones off a load, what a walked phone does, and what the
//! remap rules break.

use std::fmt::Display;

use super::bundle::read_problem;
use super::{Code, Finding};

/// What cannot be read (`unreadable`).
pub enum Unreadable<'a> {
    /// The reader: the archive (`member` None) or a member.
    Read {
        /// The member, if one.
        member: Option<&'a str>,
        /// The reader's words.
        detail: &'a str,
    },
    /// The root's manifest, at `file`: drift cannot be checked.
    Manifest {
        /// The manifest's path in the root.
        file: &'a str,
        /// Why.
        error: &'a dyn Display,
    },
    /// A pointer file: what it points phones at is unknown.
    Pointer {
        /// The file.
        file: &'a str,
        /// Why.
        error: &'a dyn Display,
    },
    /// A trust list larger than loadsmith reads (`max` bytes).
    TrustList {
        /// The list.
        name: &'a str,
        /// Its size.
        size: u64,
        /// The most loadsmith reads.
        max: u64,
    },
}

/// `unreadable`: a file of a bundle, folder or root cannot be read.
pub fn unreadable(what: Unreadable<'_>) -> Finding {
    let (name, message) = match what {
        Unreadable::Read { member, detail } => {
            return read_problem(Code::Unreadable, member, "cannot be read", detail);
        }
        Unreadable::Manifest { file, error } => (
            file,
            format!("{error}; drift since the last stage cannot be checked"),
        ),
        Unreadable::Pointer { file, error } => (
            file,
            format!("{error}; what it points phones at is unknown"),
        ),
        Unreadable::TrustList { name, size, max } => (
            name,
            format!(
                "{name}: {size} bytes is larger than loadsmith reads of a trust list ({} KiB); real lists are tens of KiB",
                max / 1024
            ),
        ),
    };
    Finding::new(Code::Unreadable, Some(name), message)
}

/// The first three names and how many more: `a, b, c and 16,664 more`.
pub fn first_few(names: &[String]) -> String {
    const SHOWN: usize = 3;
    let head = names[..names.len().min(SHOWN)].join(", ");
    match names.len().saturating_sub(SHOWN) {
        0 => head,
        n => format!("{head} and {n} more"),
    }
}

/// What names a load the root does not hold whole (`dangling-pointer`).
pub enum Dangling<'a> {
    /// A shared pointer file's setting.
    Pointer {
        /// The file.
        file: &'a str,
        /// The setting.
        setting: &'a dyn Display,
        /// The load it names.
        value: &'a str,
        /// Why the load is not whole.
        why: &'a str,
    },
    /// Per-phone files (at least one) naming one load.
    PerPhone {
        /// The files.
        files: &'a [String],
        /// The load they name.
        value: &'a str,
        /// Why the load is not whole.
        why: &'a str,
    },
    /// A term file (`{load}.loads`) whose list the root lacks files of.
    TermSet {
        /// The term file's load.
        load: &'a str,
        /// The files the root lacks.
        missing: &'a [String],
    },
}

/// `dangling-pointer`: a pointer names a load the root does not hold complete.
pub fn dangling_pointer(what: Dangling<'_>) -> Finding {
    let (name, message) = match what {
        Dangling::Pointer {
            file,
            setting,
            value,
            why,
        } => (
            file.to_string(),
            format!("{file} {setting} names {value}, but {why}: phones told to load it will fail"),
        ),
        Dangling::PerPhone { files, value, why } => (
            files.first().cloned().unwrap_or_default(),
            match files {
                [one] => {
                    format!("{one} names {value}, but {why}: that phone will fail to load it")
                }
                many => format!(
                    "{} per-phone files ({}) name {value}, but {why}: those phones will fail to load it",
                    many.len(),
                    first_few(many)
                ),
            },
        ),
        Dangling::TermSet { load, missing } => (
            format!("{load}.loads"),
            format!(
                "{load}.loads lists files the root lacks ({}): phones reset to factory defaults will loop asking for them",
                missing.join(", ")
            ),
        ),
    };
    Finding::new(Code::DanglingPointer, Some(&name), message)
}

/// `not-served`: tftpd-hpa cannot read `name` (None: the root itself) for `why`.
pub fn not_served(name: Option<&str>, why: &str) -> Finding {
    let message = match name {
        None => format!("{why}; every phone gets \"access violation\""),
        Some(n) => format!("{n} {why}; phones asking for it get \"access violation\""),
    };
    Finding::new(Code::NotServed, name, message)
}

/// `interrupted-stage`: the last stage stopped while writing `pending`.
pub fn interrupted_stage(pending: &[&str]) -> Finding {
    Finding::new(
        Code::InterruptedStage,
        None,
        format!(
            "the last stage was stopped before it finished (it was writing {}); every pointer still names a complete set: run the stage again to finish it",
            pending.join(", ")
        ),
    )
}

/// The first 12 characters of a digest, for people (a manifest edited by
/// hand may hold anything: characters, not bytes, are counted).
fn short(digest: &str) -> String {
    digest.chars().take(12).collect()
}

/// `drift`: `name`, written by the stage of `load` with the digest `then`,
/// is gone (`now` None) or has the digest `now`.
pub fn drift(name: &str, load: &str, then: &str, now: Option<&str>) -> Finding {
    let message = match now {
        None => format!("{name} was written by the stage of {load} but is gone from the root"),
        Some(h) => format!(
            "{name} differs from what the stage of {load} wrote (sha256 {} now, {} then); restore it, or stage again with --force to write the staged bytes back",
            short(h),
            short(then)
        ),
    };
    Finding::new(Code::Drift, Some(name), message)
}

/// `hunt-shadow`: the per-phone `file` pins `value`, keeping its phone off `target`.
pub fn hunt_shadow(file: &str, value: &str, target: &str) -> Finding {
    Finding::new(
        Code::HuntShadow,
        Some(file),
        format!(
            "{file} pins {value}: that phone reads it before the defaults and stays off {target}; change or remove it"
        ),
    )
}

/// `leftover-temp`: an interrupted stage's temporary file.
pub fn leftover_temp(name: &str) -> Finding {
    Finding::new(
        Code::LeftoverTemp,
        Some(name),
        format!(
            "{name} is left from an interrupted stage; phones never ask for it; the next stage removes it"
        ),
    )
}

/// `boot-undocumented`: the family `label` (`models`) boots as the vendor's
/// documents loadsmith follows do not describe.
pub fn boot_undocumented(label: &str, models: &[&str]) -> Finding {
    Finding::new(
        Code::BootUndocumented,
        None,
        format!(
            "{label} ({}): the vendor's documents loadsmith follows describe how 7940/7960 and 79x1-family phones boot, not these; their files and lists are checked, their boot is not predicted",
            models.join(", ")
        ),
    )
}

/// A walked phone's verdict: the `model` in `state` at `file`, in the
/// words of `message`.
pub struct PhoneVerdict<'a> {
    /// The file the walk ended at, if one.
    pub file: Option<&'a str>,
    /// The model.
    pub model: &'a str,
    /// The state it ended in.
    pub state: &'a str,
    /// The verdict's words.
    pub message: &'a str,
}

fn verdict(code: Code, v: &PhoneVerdict<'_>) -> Finding {
    let PhoneVerdict {
        file,
        model,
        state,
        message,
    } = v;
    Finding::new(code, *file, format!("a {model} ({state}): {message}"))
}

/// `phone-fails`: the walk ends in an error or a loop.
pub fn phone_fails(v: &PhoneVerdict<'_>) -> Finding {
    verdict(Code::PhoneFails, v)
}

/// `phone-uncertain`: the vendor's documents do not say what the phone does.
pub fn phone_uncertain(v: &PhoneVerdict<'_>) -> Finding {
    verdict(Code::PhoneUncertain, v)
}

/// `remap-dangles`: phones ask for `name`, and the rules `went` somewhere
/// the root does not hold (`went` says where); the root has it `at`.
pub fn remap_dangles(name: &str, went: &str, at: Option<&str>) -> Finding {
    let message = match at {
        Some(at) => format!("phones ask for {name}, and {went}; the root has it at {at}"),
        None => format!("phones ask for {name}, and {went}"),
    };
    Finding::new(Code::RemapDangles, Some(name), message)
}
