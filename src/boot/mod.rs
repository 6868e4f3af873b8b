//! `boot`: predict what a phone will do against a TFTP root or a live server.
//!
//! The walk follows the seeds and `field-facts.md`: the configuration-file
//! hunt for the model's family, the file that decides the protocol, the image
//! it names for this model, the vendor matrix for the move from the running
//! image, then every file the upgrade fetches (`.loads`, the loader, the
//! application or components), each reboot, and the next pass, until the
//! phone settles, fails with a console message, or loops.

pub mod source;
pub mod tftp;

use serde::Serialize;

use crate::names::{Family, ImageName, Model, Protocol, Role};
use crate::root::pointers::{cnf_get, xml_get};
use crate::signed::{header, loads};
use crate::upgrade::{self, Plan, Refusal};
use source::{Fetch, FileSource};

/// Passes after which a phone that has not settled is said to loop.
const MAX_PASSES: u32 = 6;

/// What the user told us about the phone.
#[derive(Debug, Clone)]
pub struct BootOptions {
    /// MAC, 12 upper-case hex digits.
    pub mac: String,
    /// The model.
    pub model: &'static Model,
    /// The image in flash, if any.
    pub running: Option<String>,
    /// The phone was reset to factory defaults.
    pub factory_reset: bool,
}

/// One request the phone makes.
#[derive(Debug, Clone, Serialize)]
pub struct Request {
    /// The file asked for.
    pub file: String,
    /// Served or not.
    pub found: bool,
    /// Its size, when served.
    pub size: Option<u64>,
    /// `found`, `not-found`, `wrong-bytes` or `error`.
    pub status: &'static str,
    /// Which boot pass asked (1 = first).
    pub pass: u32,
    /// Why the bytes are wrong, or the server's error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// How the boot ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// The phone settles on an image.
    Settles,
    /// The phone shows an error (or the move is one the matrix forbids).
    Error,
    /// The phone keeps asking for a file.
    Loops,
}

/// The verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// Settles, error or loops.
    pub kind: Kind,
    /// The image it settles on (or runs while failing).
    pub image: Option<String>,
    /// What the phone shows, or why.
    pub message: String,
    /// The file concerned, if any.
    pub file: Option<String>,
}

/// The whole prediction.
#[derive(Debug, Clone, Serialize)]
pub struct BootReport {
    /// The root or server.
    pub source: String,
    /// The phone's MAC.
    pub mac: String,
    /// The phone's model.
    pub model: &'static str,
    /// Every request, in order.
    pub requests: Vec<Request>,
    /// The decisions taken, in order.
    pub decisions: Vec<String>,
    /// The protocol chosen by the hunt.
    pub protocol: Option<Protocol>,
    /// The image the configuration names for this model.
    pub image: Option<String>,
    /// Reboots before the verdict.
    pub reboots: u32,
    /// How it ends.
    pub verdict: Verdict,
    /// The vendor's plan, when the matrix routes the move through steps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<Plan>,
    /// The matrix's refusal, when it forbids the move.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<Refusal>,
}

/// Why a pass stopped early.
enum Stop {
    Missing(String),
    Auth { file: String, why: String },
    Server { file: String, error: String },
}

struct Walk<'a> {
    src: &'a mut dyn FileSource,
    opts: &'a BootOptions,
    rep: BootReport,
    pass: u32,
}

impl Walk<'_> {
    fn get(&mut self, file: &str) -> Fetch {
        let f = self.src.fetch(file);
        let (found, size, status, detail) = match &f {
            Fetch::Found { size, .. } => (true, Some(*size), "found", None),
            Fetch::NotFound => (false, None, "not-found", None),
            Fetch::Error(e) => (false, None, "error", Some(e.clone())),
        };
        self.rep.requests.push(Request {
            file: file.to_string(),
            found,
            size,
            status,
            pass: self.pass,
            detail,
        });
        f
    }

    /// Fetches a signed file and checks it is the file its name says.
    fn get_signed(&mut self, file: &str) -> Result<Vec<u8>, Stop> {
        match self.get(file) {
            Fetch::NotFound => Err(Stop::Missing(file.to_string())),
            Fetch::Error(error) => Err(Stop::Server {
                file: file.to_string(),
                error,
            }),
            Fetch::Found { head, size } => {
                let why = match header::parse(&head) {
                    Ok(h) => match h.embedded_name {
                        Some(e) if e != file => {
                            Some(format!("it was signed as {e}: renamed after download"))
                        }
                        _ if u64::from(h.header_len) > size => {
                            Some("its signed header runs past its end".into())
                        }
                        _ => None,
                    },
                    Err(header::HeaderError::UnknownFormat(_)) => None,
                    Err(e) => Some(format!("its signed header is damaged ({e})")),
                };
                match why {
                    Some(why) => {
                        if let Some(r) = self.rep.requests.last_mut() {
                            r.status = "wrong-bytes";
                            r.detail = Some(why.clone());
                        }
                        Err(Stop::Auth {
                            file: file.to_string(),
                            why,
                        })
                    }
                    None => Ok(head),
                }
            }
        }
    }

    fn list(&mut self, file: &str) -> Result<Vec<String>, Stop> {
        let head = self.get_signed(file)?;
        let off = header::parse(&head)
            .map(|h| h.header_len as usize)
            .unwrap_or(0);
        loads::parse(head.get(off..).unwrap_or(&[]))
            .map(|l| l.files)
            .map_err(|e| Stop::Auth {
                file: file.to_string(),
                why: e.to_string(),
            })
    }

    fn say(&mut self, d: String) {
        self.rep.decisions.push(d);
    }

    fn end(
        &mut self,
        kind: Kind,
        image: Option<String>,
        message: String,
        file: Option<String>,
    ) -> BootReport {
        self.rep.verdict = Verdict {
            kind,
            image,
            message,
            file,
        };
        self.rep.clone()
    }

    fn stopped(&mut self, stop: Stop, running: Option<String>, after_loader: bool) -> BootReport {
        match stop {
            Stop::Missing(f) if after_loader => self.end(
                Kind::Error,
                running,
                format!("Protocol Application Invalid: the loader is in place but {f} is not on the server, so no application image can be loaded"),
                Some(f),
            ),
            Stop::Missing(f) => self.end(Kind::Loops, running, format!("loops asking for {f}: it is not on the server (phones retry a missing file every few seconds)"), Some(f)),
            Stop::Auth { file, why } => self.end(Kind::Error, running, format!("Image Authentication Failed: {file}: {why}"), Some(file)),
            Stop::Server { file, error } => self.server_error(file, error, running),
        }
    }

    fn server_error(&mut self, file: String, error: String, running: Option<String>) -> BootReport {
        self.end(
            Kind::Error,
            running,
            format!("the server answered {file} with an error other than \"file not found\" ({error}); the loader stops hunting there (vendor bug CSCee31047)"),
            Some(file),
        )
    }
}

/// Walks a boot against `src`.
pub fn boot(src: &mut dyn FileSource, opts: &BootOptions) -> BootReport {
    let rep = BootReport {
        source: src.describe(),
        mac: opts.mac.clone(),
        model: opts.model.name,
        requests: Vec::new(),
        decisions: Vec::new(),
        protocol: None,
        image: None,
        reboots: 0,
        verdict: Verdict {
            kind: Kind::Loops,
            image: None,
            message: String::new(),
            file: None,
        },
        plan: None,
        refused: None,
    };
    let mut w = Walk {
        src,
        opts,
        rep,
        pass: 1,
    };
    match opts.model.family {
        Family::Legacy => legacy(&mut w),
        Family::Java(_) => family(&mut w),
    }
}

/// The configuration file that decides, and the image it names for this model.
enum Hunt {
    Decided {
        protocol: Protocol,
        file: String,
        image: Option<String>,
    },
    Nothing,
    ServerError {
        file: String,
        error: String,
    },
}

fn image_for(w: &Walk<'_>, file: &str, head: &[u8]) -> Option<String> {
    let img = ImageName::parse(file);
    if file.ends_with(".cnf.xml") {
        let dt = w.opts.model.device_type;
        let entries = xml_get(head).unwrap_or_default();
        let hit = if img.mac.is_some() {
            entries
                .iter()
                .find(|e| e.device_type.is_none() || e.device_type == Some(dt))
        } else {
            entries.iter().find(|e| e.device_type == Some(dt))
        };
        hit.map(|e| e.value.clone()).filter(|v| !v.is_empty())
    } else {
        cnf_get(head, "image_version").filter(|v| !v.is_empty())
    }
}

fn hunt(w: &mut Walk<'_>, names: &[(String, Option<Protocol>)]) -> Hunt {
    for (file, protocol) in names {
        match w.get(file) {
            Fetch::NotFound => continue,
            Fetch::Error(error) => {
                return Hunt::ServerError {
                    file: file.clone(),
                    error,
                };
            }
            Fetch::Found { head, size } => {
                let Some(protocol) = protocol else {
                    if size > 0 {
                        w.say(format!("{file} is present and not empty: secure mode"));
                    }
                    continue;
                };
                let mut image = image_for(w, file, &head);
                // SIP and MGCP read the default file and the MAC file; the MAC file wins.
                if matches!(protocol, Protocol::Sip | Protocol::Mgcp) {
                    let prefix = if *protocol == Protocol::Sip {
                        "SIP"
                    } else {
                        "MGC"
                    };
                    let (default, mac_file) = (
                        format!("{prefix}Default.cnf"),
                        format!("{prefix}{}.cnf", w.opts.mac),
                    );
                    if *file == mac_file
                        && image.is_none()
                        && let Fetch::Found { head, .. } = w.get(&default)
                    {
                        image = image_for(w, &default, &head);
                    }
                }
                return Hunt::Decided {
                    protocol: *protocol,
                    file: file.clone(),
                    image,
                };
            }
        }
    }
    Hunt::Nothing
}

fn legacy_hunt(mac: &str) -> Vec<(String, Option<Protocol>)> {
    vec![
        (format!("CTLSEP{mac}.tlv"), None),
        (format!("SEP{mac}.cnf.xml"), Some(Protocol::Sccp)),
        (format!("SIP{mac}.cnf"), Some(Protocol::Sip)),
        (format!("MGC{mac}.cnf"), Some(Protocol::Mgcp)),
        ("XMLDefault.cnf.xml".into(), Some(Protocol::Sccp)),
        ("SIPDefault.cnf".into(), Some(Protocol::Sip)),
        ("MGCDefault.cnf".into(), Some(Protocol::Mgcp)),
    ]
}

fn family_hunt(mac: &str) -> Vec<(String, Option<Protocol>)> {
    vec![
        (format!("CTLSEP{mac}.tlv"), None),
        (format!("ITLSEP{mac}.tlv"), None),
        (format!("SEP{mac}.cnf.xml"), Some(Protocol::Sccp)),
        ("XMLDefault.cnf.xml".into(), Some(Protocol::Sccp)),
    ]
}

fn legacy(w: &mut Walk<'_>) -> BootReport {
    let mut running = if w.opts.factory_reset {
        None
    } else {
        w.opts.running.clone()
    };
    let mut loader_in_place = false;
    while w.pass <= MAX_PASSES {
        let (protocol, file, image) = match hunt(w, &legacy_hunt(&w.opts.mac)) {
            Hunt::ServerError { file, error } => return w.server_error(file, error, running),
            Hunt::Nothing => return no_config(w, running),
            Hunt::Decided {
                protocol,
                file,
                image,
            } => (protocol, file, image),
        };
        if w.pass == 1 {
            w.rep.protocol = Some(protocol);
            w.say(format!(
                "{file} is the first configuration file found: the phone takes {}",
                protocol.label()
            ));
        }
        let Some(image) = image else {
            w.say(format!(
                "{file} names no image for the {}",
                w.opts.model.name
            ));
            return no_config(w, running);
        };
        w.rep.image = Some(image.clone());
        let target = ImageName::parse(&image);
        if running
            .as_deref()
            .is_some_and(|r| r == image || ImageName::parse(r).same_image(&target))
        {
            settle_sip(w, protocol);
            let msg = format!("settles on {image} after {} reboots", w.rep.reboots);
            return w.end(Kind::Settles, Some(image), msg, None);
        }
        if w.pass == 1 {
            w.say(format!(
                "{file} names {image}; the phone runs {}: it upgrades",
                running.as_deref().unwrap_or("nothing (empty flash)")
            ));
            if let Some(r) = &running {
                let from = ImageName::parse(r);
                if from.known && from.family == Some(Family::Legacy) {
                    match upgrade::plan(&from, &target, &[w.opts.model]) {
                        Err(refusal) => {
                            let msg = format!(
                                "the vendor matrix forbids {r} → {image}: {}",
                                refusal.reason
                            );
                            w.rep.refused = Some(refusal);
                            return w.end(Kind::Error, Some(r.clone()), msg, None);
                        }
                        Ok(p) if p.steps.len() > 1 => {
                            let loads: Vec<String> =
                                p.steps.iter().map(|s| s.load.clone()).collect();
                            let msg = format!(
                                "the vendor matrix does not allow {r} → {image} in one step; go through {}",
                                loads.join(" → ")
                            );
                            w.rep.plan = Some(p);
                            return w.end(Kind::Error, Some(r.clone()), msg, None);
                        }
                        Ok(_) => {}
                    }
                }
            }
        }
        let list_file = format!("{image}.loads");
        let files = match w.list(&list_file) {
            Ok(f) => f,
            Err(Stop::Missing(_)) => {
                // Before the universal loader: the image itself.
                let direct = if target.version.as_ref().is_some_and(|v| v.is_signed_era()) {
                    format!("{image}.sbn")
                } else {
                    format!("{image}.bin")
                };
                if let Err(stop) = w.get_signed(&direct) {
                    return w.stopped(stop, running, false);
                }
                reboot(w, format!("{direct} written to flash"));
                running = Some(image);
                continue;
            }
            Err(stop) => return w.stopped(stop, running, false),
        };
        let (loaders, apps): (Vec<String>, Vec<String>) = files
            .into_iter()
            .partition(|f| ImageName::parse(f).role == Role::Loader);
        if !loader_in_place && let Some(l) = loaders.first() {
            if let Err(stop) = w.get_signed(l) {
                return w.stopped(stop, running, false);
            }
            loader_in_place = true;
            reboot(w, format!("the universal loader {l} is written to flash"));
            continue;
        }
        for a in &apps {
            if let Err(stop) = w.get_signed(a) {
                return w.stopped(stop, running, loader_in_place);
            }
        }
        reboot(
            w,
            format!("the application {} is written to flash", apps.join(", ")),
        );
        running = Some(image);
    }
    let msg = format!("does not settle after {MAX_PASSES} passes");
    w.end(Kind::Loops, running, msg, None)
}

fn settle_sip(w: &mut Walk<'_>, protocol: Protocol) {
    // The SIP and MGCP applications read their own configuration when they start.
    let prefix = match protocol {
        Protocol::Sip => "SIP",
        Protocol::Mgcp => "MGC",
        _ => return,
    };
    let mac = w.opts.mac.clone();
    w.get(&format!("{prefix}Default.cnf"));
    w.get(&format!("{prefix}{mac}.cnf"));
}

fn reboot(w: &mut Walk<'_>, why: String) {
    w.rep.reboots += 1;
    w.say(format!("{why}; reboot {}", w.rep.reboots));
    w.pass += 1;
}

fn no_config(w: &mut Walk<'_>, running: Option<String>) -> BootReport {
    match running {
        Some(r) => {
            let msg = format!(
                "no configuration file names an image for this phone: it runs {r} from flash"
            );
            w.end(Kind::Settles, Some(r), msg, None)
        }
        None => w.end(
            Kind::Error,
            None,
            "No Load Specified: no configuration file names an image and flash is empty".into(),
            None,
        ),
    }
}

fn family(w: &mut Walk<'_>) -> BootReport {
    let mut running = if w.opts.factory_reset {
        None
    } else {
        w.opts.running.clone()
    };
    let mut running_list: Option<Vec<String>> = None;
    if w.opts.factory_reset {
        let code = w.opts.model.term_code.unwrap_or("00");
        let term = format!("term{code}.default.loads");
        w.say(format!("after a factory reset the phone asks for {term}"));
        let files = match w.list(&term) {
            Ok(f) => f,
            Err(stop) => return w.stopped(stop, None, false),
        };
        for f in &files {
            if let Err(stop) = w.get_signed(f) {
                return w.stopped(stop, None, false);
            }
        }
        reboot(w, format!("the load {term} lists is written to flash"));
        running_list = Some(files);
    }
    while w.pass <= MAX_PASSES {
        let (file, image) = match hunt(w, &family_hunt(&w.opts.mac)) {
            Hunt::ServerError { file, error } => return w.server_error(file, error, running),
            Hunt::Nothing => {
                if let Some(r) = running.clone() {
                    return no_config(w, Some(r));
                }
                if running_list.is_some() {
                    let msg = format!(
                        "settles on the factory-default load after {} reboots",
                        w.rep.reboots
                    );
                    return w.end(Kind::Settles, None, msg, None);
                }
                return no_config(w, None);
            }
            Hunt::Decided { file, image, .. } => (file, image),
        };
        let Some(image) = image else {
            w.say(format!(
                "{file} names no load for the {}",
                w.opts.model.name
            ));
            return no_config(w, running);
        };
        w.rep.image = Some(image.clone());
        w.rep.protocol = ImageName::parse(&image).protocol;
        if running.as_deref() == Some(image.as_str()) {
            let msg = format!("settles on {image} after {} reboots", w.rep.reboots);
            return w.end(Kind::Settles, Some(image), msg, None);
        }
        let files = match w.list(&format!("{image}.loads")) {
            Ok(f) => f,
            Err(stop) => return w.stopped(stop, running, false),
        };
        if running_list.as_ref() == Some(&files) {
            let msg = format!(
                "settles on {image} after {} reboots (its components are already in flash)",
                w.rep.reboots
            );
            return w.end(Kind::Settles, Some(image), msg, None);
        }
        for f in &files {
            if let Err(stop) = w.get_signed(f) {
                return w.stopped(stop, running, false);
            }
        }
        reboot(w, format!("{image} is written to flash"));
        running = Some(image);
        running_list = Some(files);
    }
    let msg = format!("does not settle after {MAX_PASSES} passes");
    w.end(Kind::Loops, running, msg, None)
}
