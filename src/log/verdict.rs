//! What each client of a log is and what became of it: boots, model, and
//! one verdict with what to do, aligned with the root when it is given.

use serde::Serialize;

use super::{Attempt, Client, Outcome, Reader};
use crate::names::models::{Model, models_by_term_code};
use crate::names::{ImageName, Role};
use crate::served::view::RootView;
use crate::signed::{header, loads};

/// How a phone ends in the log, in the words `boot` and `check` use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// It fetched a whole load and stopped asking.
    Settles,
    /// It asks for a term file again and again.
    Loops,
    /// It stopped on a file the server refused, or after a file that names nothing.
    Stuck,
    /// It fetched the loader and never came back for the application.
    LostAfterLoader,
    /// The log does not show enough to say.
    Uncertain,
}

impl Kind {
    /// True when the phone is in trouble (exit 1).
    pub fn trouble(self) -> bool {
        !matches!(self, Kind::Settles | Kind::Uncertain)
    }
}

/// One phone of the log.
#[derive(Debug, Clone, Serialize)]
pub struct Phone {
    /// Its address.
    pub client: String,
    /// Its MAC, when a name it asked for carries it.
    pub mac: Option<String>,
    /// The models its requests point at, and what told.
    pub models: Vec<&'static str>,
    /// Why those models.
    pub model_from: Option<String>,
    /// Boots seen.
    pub boots: usize,
    /// Requests in all.
    pub requests: u64,
    /// The last request.
    pub last: Option<Attempt>,
    /// Secure mode (trust lists or signed configuration files asked for).
    pub secure: bool,
    /// How it ends.
    pub kind: Kind,
    /// The verdict in one sentence.
    pub verdict: String,
    /// What to do.
    pub fix: Option<String>,
    /// The requests of the last boot.
    pub last_boot: Vec<Attempt>,
    /// What the phone model predicts on the root (with `--root`, a known model).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predicted: Option<super::predict::Prediction>,
}

/// The root the log's server serves, as `log --root` (and `--map-file`) give it.
pub struct Root {
    /// Its files, under the names phones ask for.
    pub view: RootView,
    /// Every pointer its configuration files hold (read once, not per phone).
    pub pointers: Vec<crate::served::view::Pointer>,
    /// Its folder and remap rules.
    pub served: crate::served::Served,
}

impl Root {
    /// Reads the root as its server serves it.
    pub fn read(served: crate::served::Served) -> crate::error::Result<Root> {
        let view = RootView::served(&served)?;
        let pointers = view.pointers_lenient().0;
        Ok(Root {
            view,
            pointers,
            served,
        })
    }
}

fn served(a: &Attempt, answers_logged: bool) -> bool {
    a.outcome == Outcome::Served || (a.outcome == Outcome::Unknown && answers_logged)
}

/// Served, or "file not found" for a file the phone model says a phone may
/// lack and goes on without (`phone::files::may_be_absent`: `SIP<MAC>.cnf`,
/// the hunt's files).
fn served_or_optional(a: &Attempt, answers_logged: bool) -> bool {
    served(a, answers_logged)
        || (a.outcome == Outcome::NotFound && crate::phone::files::may_be_absent(&a.file))
}

/// The kept requests split into boots ([`super::starts_boot`]).
fn boots(c: &Client) -> Vec<Vec<&Attempt>> {
    let mut out: Vec<Vec<&Attempt>> = Vec::new();
    let mut other = false;
    for a in &c.requests {
        let prev = out.last().and_then(|b| b.last()).copied();
        let term = is_term(&a.file);
        match out.last_mut() {
            Some(b) if !super::starts_boot(prev, a, other) => {
                b.push(a);
                other |= !term;
            }
            _ => {
                out.push(vec![a]);
                other = !term;
            }
        }
    }
    out
}

fn is_term(f: &str) -> bool {
    super::is_term(f)
}

/// The models and MAC the names tell.
fn identify(c: &Client) -> (Option<String>, Vec<&'static Model>, Option<String>) {
    let mut mac = None;
    let mut models: Vec<&'static Model> = Vec::new();
    let mut from = None;
    for f in c.asked.keys() {
        let i = ImageName::parse(f);
        if mac.is_none() {
            mac = i.mac.clone();
        }
        if i.role == Role::FactoryDefault
            && let Some(code) = f.get(4..6)
        {
            models = models_by_term_code(code);
            from = Some(f.clone());
        } else if models.is_empty()
            && let Some(fam) = i.family
            && matches!(
                i.role,
                Role::Loads | Role::Component | Role::Application | Role::Loader
            )
        {
            models = fam.models().collect();
            from = Some(f.clone());
        }
    }
    (mac, models, from)
}

/// The list a load or term file holds, read from the root.
fn listed(view: &RootView, file: &str) -> Option<Vec<String>> {
    let bytes = view.read_small(file).ok()??;
    let h = header::parse(&bytes).ok()?;
    Some(
        loads::parse(bytes.get(h.header_len as usize..)?)
            .ok()?
            .files,
    )
}

/// The pointers of the root that name `stem`.
fn named_by(root: &Root, stem: &str) -> Vec<String> {
    root.pointers
        .iter()
        .filter(|p| p.value == stem)
        .map(|p| format!("{} {}", p.file, p.setting))
        .collect()
}

/// Explains every client of `r`, with the root (as its server serves it) when given.
pub fn phones(r: &Reader, root: Option<&Root>) -> Vec<Phone> {
    r.clients()
        .iter()
        .map(|(who, c)| {
            let mut p = judge(who, c, r.answers_logged, root);
            if let Some(x) = root {
                let requests: Vec<Attempt> = c.requests.iter().cloned().collect();
                p.predicted = fitting(x, &p, &requests);
            }
            p
        })
        .collect()
}

/// The walk of the phone's models (a 7940 or a 7960; a 7941 or a 7961) that
/// lines up with most of the log, the first model's on a tie: the names a
/// phone asks for tell its family, and its configuration may name a load for
/// one model of it only (`loadInformation7`).
fn fitting(root: &Root, p: &Phone, requests: &[Attempt]) -> Option<super::predict::Prediction> {
    let mut best: Option<super::predict::Prediction> = None;
    for m in &p.models {
        let Some(model) = crate::names::models::model_by_name(m) else {
            continue;
        };
        let w = super::predict::predict(&root.served, model, p.mac.as_deref(), requests);
        if best.as_ref().is_none_or(|b| w.matched > b.matched) {
            best = Some(w);
        }
    }
    best
}

fn judge(who: &str, c: &Client, answers: bool, root: Option<&Root>) -> Phone {
    let all = boots(c);
    let last: Vec<Attempt> = all
        .last()
        .map(|b| b.iter().map(|a| (*a).clone()).collect())
        .unwrap_or_default();
    let (mac, models, from) = identify(c);
    let secure = c.requests.iter().any(|a| {
        (a.file.ends_with(".tlv") && served(a, answers)) || a.file.ends_with(".cnf.xml.sgn")
    });
    let (kind, mut verdict, fix) = explain(c, &last, answers, &models, root);
    if let Some(n) = crate::trust::holds_list(c.requests.iter().map(|a| a.file.as_str())) {
        verdict = format!("{verdict}; {n}");
    }
    Phone {
        client: who.to_string(),
        mac,
        models: models.iter().map(|m| m.name).collect(),
        model_from: from,
        boots: usize::try_from(c.boots).unwrap_or(usize::MAX),
        requests: c.total,
        last: c.requests.back().cloned(),
        secure,
        kind,
        verdict,
        fix,
        last_boot: last,
        predicted: None,
    }
}

type Explained = (Kind, String, Option<String>);

fn explain(
    c: &Client,
    last: &[Attempt],
    answers: bool,
    models: &[&'static Model],
    with: Option<&Root>,
) -> Explained {
    let root = with.map(|r| &r.view);
    if let Some(e) = mangled(c) {
        return e;
    }
    if let Some(e) = looping(c, last, root) {
        return e;
    }
    if let Some(e) = lost_after_loader(c, answers) {
        return e;
    }
    let all: Vec<Attempt> = c.requests.iter().cloned().collect();
    if let Some(e) = refused(last, &all, with).or_else(|| refused_optional(last)) {
        return e;
    }
    if let Some(e) = after_config(last, &all, answers, models, root) {
        return e;
    }
    settled(last, answers)
}

/// A request the remap rules turned into a path that does not exist, or
/// into one that lost part of the name (the server looks for the cut name
/// whether or not the log shows its answer).
fn mangled(c: &Client) -> Option<Explained> {
    let a = c.requests.iter().rev().find(|a| {
        let Some(p) = &a.remapped else {
            return false;
        };
        (a.outcome == Outcome::NotFound && !p.ends_with(&a.file))
            || (a.outcome != Outcome::Served && lost_part(&a.file, p).is_some())
    })?;
    let path = a.remapped.as_deref().unwrap_or("");
    let cut = match lost_part(&a.file, path) {
        Some(lost) => format!(" (the rule dropped {lost} from the name)"),
        None => String::new(),
    };
    let answer = match a.outcome {
        Outcome::NotFound => "not found",
        _ => "a name no file has",
    };
    Some((
        Kind::Stuck,
        format!(
            "asked for {}, which the server's remap rules turned into {path}{cut}: {answer}",
            a.file
        ),
        Some(format!(
            "fix the remap rule that rewrites {} (loadsmith check --map-file RULES ROOT names it)",
            a.file
        )),
    ))
}

/// What a rewritten path's last part lost of the name asked for, when it
/// is a strict beginning of it (`P0030801SR02.loads` → `…/P0030801SR`: `02.loads`).
fn lost_part<'a>(file: &'a str, path: &str) -> Option<&'a str> {
    let last = path.rsplit('/').next().unwrap_or(path);
    let base = file.rsplit('/').next().unwrap_or(file);
    (!last.is_empty() && last.len() < base.len() && base.starts_with(last))
        .then(|| &base[last.len()..])
}

/// A term file asked for again and again without the files it lists.
fn looping(c: &Client, last: &[Attempt], root: Option<&RootView>) -> Option<Explained> {
    let (term, n) = c
        .asked
        .iter()
        .filter(|(f, _)| is_term(f))
        .max_by_key(|(_, n)| **n)?;
    let after = last.iter().skip_while(|a| &a.file != term).skip(1);
    let components: Vec<&Attempt> = after.filter(|a| !is_term(&a.file)).collect();
    if *n < 3 || !components.is_empty() {
        return None;
    }
    let missing: Option<Vec<String>> = root
        .and_then(|v| Some((v, listed(v, term)?)))
        .map(|(v, files)| files.into_iter().filter(|f| !v.has(f)).collect());
    let (why, fix) = match (last.last().map(|a| &a.outcome), missing) {
        (Some(Outcome::NotFound), _) => (format!("{term} is not on the server"), format!("put {term} and the files it lists in the root")),
        (_, Some(m)) if !m.is_empty() => (
            format!("the root lacks {} of the files {term} lists", m.join(", ")),
            "stage the load the term file belongs to (loadsmith stage), or remove the term file".to_string(),
        ),
        _ => (
            "it never asks for the components the list names: the phone rejected the load (an upgrade step it cannot take, a signature it refuses, or a term file of another release)".to_string(),
            "upgrade in the vendor's steps, and make the term file the one of the load you stage (loadsmith check ROOT shows which release it carries)".to_string(),
        ),
    };
    Some((
        Kind::Loops,
        format!("loops on {term} (asked {n} times): {why}"),
        Some(fix),
    ))
}

/// The loader fetched, then nothing more: "Protocol Application Invalid".
fn lost_after_loader(c: &Client, answers: bool) -> Option<Explained> {
    // At tftpd-hpa's `-v` the answer is not logged: a loader asked for
    // and then silence says the same.
    let i = c.requests.iter().rposition(|a| {
        ImageName::parse(&a.file).role == Role::Loader
            && (served(a, answers) || a.outcome == Outcome::Unknown)
    })?;
    let loader = &c.requests[i].file;
    let came_back = c.requests.iter().skip(i + 1).any(|a| {
        let r = ImageName::parse(&a.file).role;
        matches!(r, Role::Application | Role::Loads) && !a.file.starts_with("P003")
    });
    (!came_back).then(|| {
        (
            Kind::LostAfterLoader,
            format!("fetched the loader {loader} and rebooted, then never came back for the application: the phone shows \"Protocol Application Invalid\""),
            Some("the loader lost the TFTP server: check DHCP option 150 (or the phone's alternate TFTP setting) and that the application image is in the root".into()),
        )
    })
}

/// A load name loadsmith does not know (`SIP41.8-5-4T.loads`, a typo)
/// refused at least twice and never sent: the phone is stuck on it as on
/// any load.
fn unknown_load_refused_twice(all: &[Attempt], file: &str) -> bool {
    let asked: Vec<&Attempt> = all.iter().filter(|a| a.file == file).collect();
    file.to_ascii_lowercase().ends_with(".loads")
        && asked.len() >= 2
        && asked
            .iter()
            .all(|a| matches!(a.outcome, Outcome::NotFound | Outcome::Refused(_)))
}

/// A file a phone may lack (`phone::files::may_be_absent`) that the server
/// answered with an error other than "file not found": the loader stops
/// there (vendor bug CSCee31047), as the phone model's walk does.
fn refused_optional(last: &[Attempt]) -> Option<Explained> {
    let a = last.iter().rev().find(|a| {
        matches!(a.outcome, Outcome::Refused(_)) && crate::phone::files::may_be_absent(&a.file)
    })?;
    let Outcome::Refused(t) = &a.outcome else {
        return None;
    };
    Some((
        Kind::Stuck,
        format!(
            "asked for {} and the server refused it ({t}), an answer other than \"file not found\": the phone stops there (vendor bug CSCee31047)",
            a.file
        ),
        Some(format!(
            "make {} readable by the TFTP server, or remove it",
            a.file
        )),
    ))
}

/// A firmware file of the last boot that the server refused.
fn refused(last: &[Attempt], all: &[Attempt], root: Option<&Root>) -> Option<Explained> {
    let a = last.iter().rev().find(|a| {
        let role = ImageName::parse(&a.file).role;
        matches!(a.outcome, Outcome::NotFound | Outcome::Refused(_))
            && (!matches!(
                role,
                Role::Configuration | Role::TrustList | Role::Os79xx | Role::Other
            ) || (role == Role::Other && unknown_load_refused_twice(all, &a.file)))
    })?;
    let how = match &a.outcome {
        Outcome::Refused(t) => format!("refused it ({t})"),
        _ => "does not have it".into(),
    };
    let name = ImageName::parse(&a.file);
    let how = match name.role {
        Role::Other => {
            let n = all.iter().filter(|x| x.file == a.file).count();
            format!(
                "{how} ({n} times; loadsmith knows no load of that name: a typo in the pointer?)"
            )
        }
        _ => how,
    };
    let stem = name.stem;
    let who = root.map(|v| named_by(v, &stem)).unwrap_or_default();
    let because = match who.as_slice() {
        [] => String::new(),
        w => format!("; it asked because {} names {stem}", w.join(", ")),
    };
    Some((
        Kind::Stuck,
        format!("asked for {} and the server {how}{because}", a.file),
        Some(format!(
            "put {} in the root (loadsmith stage), or point the configuration at a load the root holds",
            a.file
        )),
    ))
}

/// The last thing asked was a configuration file, and nothing followed.
fn after_config(
    last: &[Attempt],
    all: &[Attempt],
    answers: bool,
    models: &[&'static Model],
    root: Option<&RootView>,
) -> Option<Explained> {
    let a = last.last()?;
    let role = ImageName::parse(&a.file).role;
    if role != Role::Configuration || !served(a, answers) {
        return None;
    }
    if last.iter().any(|x| {
        matches!(
            ImageName::parse(&x.file).role,
            Role::Loads | Role::Component | Role::Application
        )
    }) {
        return None;
    }
    let names = match (root, models.first()) {
        (Some(v), Some(m)) => v
            .read_small(&a.file)
            .ok()
            .flatten()
            .map(|b| crate::phone::read::named(&a.file, &b, m).image),
        _ => None,
    };
    let fetched = whole_list(all, answers, root);
    let (why, kind) = match (names, fetched) {
        (Some(None), _) => (
            format!(
                "stops after {}: it names no image for the {}",
                a.file, models[0].name
            ),
            Kind::Stuck,
        ),
        (Some(Some(img)), Some((list, n))) => (
            format!(
                "settles on {img}: it fetched {list} and {} it lists, rebooted, and {} names {img}",
                match n {
                    1 => "the one file".to_string(),
                    n => format!("the {n} files"),
                },
                a.file
            ),
            Kind::Settles,
        ),
        (Some(Some(img)), None) => (
            format!(
                "stops after {}: it names {img}, which this phone runs already (it asked for nothing more)",
                a.file
            ),
            Kind::Settles,
        ),
        (None, _) => (
            format!(
                "stops after {}: the last file it asked for (it may name nothing for this model)",
                a.file
            ),
            Kind::Uncertain,
        ),
    };
    let fix = (kind == Kind::Stuck)
        .then(|| format!("add a loadInformation entry for the model to {}", a.file));
    Some((kind, why, fix))
}

/// The last list (a `.loads` or term file) the client fetched together
/// with every file it lists (from the root when given, else the files that
/// followed it): its name and how many files.
fn whole_list(all: &[Attempt], answers: bool, root: Option<&RootView>) -> Option<(String, usize)> {
    let i = all.iter().rposition(|a| {
        matches!(
            ImageName::parse(&a.file).role,
            Role::Loads | Role::FactoryDefault
        ) && served(a, answers)
    })?;
    let list = &all[i].file;
    let after: Vec<&Attempt> = all[i + 1..].iter().collect();
    let files = match root.and_then(|v| listed(v, list)) {
        Some(f) => f,
        None => after
            .iter()
            .take_while(|a| {
                matches!(
                    ImageName::parse(&a.file).role,
                    Role::Component | Role::Application | Role::Loader
                )
            })
            .map(|a| a.file.clone())
            .collect(),
    };
    let all_served = !files.is_empty()
        && files
            .iter()
            .all(|f| after.iter().any(|a| &a.file == f && served(a, answers)));
    all_served.then(|| (list.clone(), files.len()))
}

/// A load (or image) fetched with everything after it served.
fn settled(last: &[Attempt], answers: bool) -> Explained {
    let load = last.iter().rev().find(|a| {
        matches!(
            ImageName::parse(&a.file).role,
            Role::Loads | Role::FactoryDefault | Role::Application
        ) && served(a, answers)
    });
    // The application's own list when it was fetched in this boot: the count
    // starts there (`P0S3-8-12-00.loads`, then `.sb2`).
    let load = load.map(|l| {
        let stem = ImageName::parse(&l.file).stem;
        last.iter()
            .find(|a| {
                ImageName::parse(&a.file).role == Role::Loads
                    && ImageName::parse(&a.file).stem == stem
                    && served(a, answers)
            })
            .unwrap_or(l)
    });
    match load {
        Some(l)
            if last
                .iter()
                .skip_while(|a| a.file != l.file)
                .all(|a| served_or_optional(a, answers)) =>
        {
            (
                Kind::Settles,
                {
                    let n = last
                        .iter()
                        .skip_while(|a| a.file != l.file)
                        .filter(|a| !crate::phone::files::may_be_absent(&a.file))
                        .count();
                    let files = if n == 1 { "file" } else { "files" };
                    format!(
                        "settles on {} ({n} {files} of its load fetched)",
                        ImageName::parse(&l.file).stem,
                    )
                },
                None,
            )
        }
        _ => (
            Kind::Uncertain,
            format!(
                "last asked for {}",
                last.last().map(|a| a.file.as_str()).unwrap_or("nothing")
            ),
            None,
        ),
    }
}
