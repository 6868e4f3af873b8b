//! The machinery of a walk: requests through a [`FileSource`], the checks a
//! phone makes on what it receives, reboots, and the ways a walk ends.

use super::source::{Fetch, FileSource};
use super::{BootReport, Kind, Request, State, Verdict, files, read};
use crate::names::{ImageName, Protocol};
use crate::signed::{header, loads};

/// Passes after which a phone that has not settled is said to loop.
pub const MAX_PASSES: u32 = 6;

/// Why a pass stopped early.
pub enum Stop {
    /// A file the phone needs is not on the server.
    Missing(String),
    /// A file failed the phone's checks.
    Auth { file: String, why: String },
    /// The server answered with an error other than "file not found".
    Server { file: String, error: String },
}

/// One walk in progress.
pub struct Walk<'a> {
    src: &'a mut dyn FileSource,
    pub state: &'a State,
    pub rep: BootReport,
    pub pass: u32,
}

/// The configuration file that decided, and what it names for this model.
pub struct Decided {
    pub protocol: Protocol,
    pub file: String,
    pub image: Option<String>,
    /// Why what this file tells the phone is not certain (the verdict's message).
    pub uncertain: Option<String>,
}

/// The end of a hunt.
pub enum Hunt {
    Decided(Decided),
    Nothing,
    ServerError { file: String, error: String },
}

impl<'a> Walk<'a> {
    pub fn new(src: &'a mut dyn FileSource, state: &'a State) -> Walk<'a> {
        let rep = BootReport {
            source: src.describe(),
            mac: state.mac.clone(),
            model: state.model.name,
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
        Walk {
            src,
            state,
            rep,
            pass: 1,
        }
    }

    pub fn get(&mut self, file: &str) -> Fetch {
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
            remapped: self.src.remapped(file),
        });
        f
    }

    /// Fetches a signed file and checks it is the file its name says.
    pub fn get_signed(&mut self, file: &str) -> Result<Vec<u8>, Stop> {
        let (head, size) = match self.get(file) {
            Fetch::NotFound => return Err(Stop::Missing(file.to_string())),
            Fetch::Error(error) => {
                return Err(Stop::Server {
                    file: file.to_string(),
                    error,
                });
            }
            Fetch::Found { head, size } => (head, size),
        };
        let unsigned = file.to_ascii_lowercase().ends_with(".bin");
        let why = match header::parse(&head) {
            _ if unsigned => None,
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

    /// Fetches a `.loads` and returns what it lists.
    pub fn list(&mut self, file: &str) -> Result<Vec<String>, Stop> {
        self.list_la(file).map(|(files, _)| files)
    }

    /// Fetches a `.loads` and returns what it lists and its `LA_VERSION`.
    pub fn list_la(&mut self, file: &str) -> Result<(Vec<String>, Option<String>), Stop> {
        let head = self.get_signed(file)?;
        let off = header::parse(&head)
            .map(|h| h.header_len as usize)
            .unwrap_or(0);
        loads::parse(head.get(off..).unwrap_or(&[]))
            .map(|l| (l.files, l.la_version))
            .map_err(|e| Stop::Auth {
                file: file.to_string(),
                why: e.to_string(),
            })
    }

    /// The `LA_VERSION` of a `.loads` on the source, read without counting
    /// as a request (`None` when absent or without one).
    pub fn peek_la(&mut self, file: &str) -> Option<String> {
        let Fetch::Found { head, .. } = self.src.fetch(file) else {
            return None;
        };
        let off = header::parse(&head).ok()?.header_len as usize;
        loads::parse(head.get(off..)?).ok()?.la_version
    }

    /// Reads a configuration file: `None` when absent, else what it names.
    pub fn config(&mut self, file: &str) -> Result<Option<read::Named>, Stop> {
        match self.get(file) {
            Fetch::NotFound => Ok(None),
            Fetch::Error(error) => Err(Stop::Server {
                file: file.to_string(),
                error,
            }),
            Fetch::Found { head, .. } => Ok(Some(read::named(file, &head, self.state.model))),
        }
    }

    /// The loader's hunt over `order`: the first configuration file found
    /// decides the protocol. A file that names the universal loader while the
    /// loader already runs does not decide (see `docs/boot.md`, Procedure C).
    pub fn hunt(&mut self, order: &[files::HuntFile], skip_loader: bool) -> Hunt {
        for hf in order {
            let (bytes, size) = match self.get(&hf.name) {
                Fetch::NotFound => continue,
                Fetch::Error(error) => {
                    return Hunt::ServerError {
                        file: hf.name.clone(),
                        error,
                    };
                }
                Fetch::Found { head, size } => (head, size),
            };
            let Some(protocol) = hf.protocol else {
                let d = crate::trust::findings::mode(&hf.name, &bytes, size);
                if !self.rep.decisions.contains(&d) {
                    self.say(d);
                }
                continue;
            };
            let named = read::named(&hf.name, &bytes, self.state.model);
            let uncertain = self.unsure(&hf.name, &bytes, &named);
            let mut image = named.image;
            if let Some(default) = files::default_of(protocol)
                && image.is_none()
                && hf.name != default
                && let Ok(Some(n)) = self.config(default)
            {
                // SIP and MGCP read the default file too; the MAC file wins.
                image = n.image;
            }
            if skip_loader
                && image
                    .as_deref()
                    .is_some_and(|i| files::is_loader(&ImageName::parse(i)))
            {
                self.say(format!(
                    "{} names the universal loader, which already runs: it names no application, and the hunt goes on",
                    hf.name
                ));
                continue;
            }
            return Hunt::Decided(Decided {
                protocol,
                file: hf.name.clone(),
                image,
                uncertain,
            });
        }
        Hunt::Nothing
    }

    /// What the documents leave open in the file that decides: a bare and a
    /// numbered `loadInformation` disagreeing, a `dynamic_ftp` address (000:
    /// it "will force the phone to use a different server"). A zero-padded
    /// device type is read as the number, with a note.
    fn unsure(&mut self, file: &str, bytes: &[u8], named: &read::Named) -> Option<String> {
        let m = self.state.model;
        if named.padded {
            self.say(format!(
                "{file} spells the device type zero-padded; read as loadInformation{}, though whether phones accept the padded spelling is not documented",
                m.device_type
            ));
        }
        if let (Some(image), Some(bare)) = (&named.image, &named.bare_disagrees) {
            return Some(format!(
                "uncertain: {file} names {image} for the {} in loadInformation{} and {bare} in a bare <loadInformation>; \
                    no document says which a phone takes: under one reading it loads {image}, under the other {bare}. \
                    Keep one entry for the model",
                m.name, m.device_type
            ));
        }
        let ftp = crate::pointers::cnf_get(bytes, "dynamic_ftp").filter(|v| !v.is_empty());
        ftp.map(|addr| {
            format!(
                "uncertain: {file} sets dynamic_ftp {addr}, which \"will force the phone to use a different server\" \
                    (000); loadsmith sees this root only: if that server holds the same files the walk goes on as here, \
                    if not what it serves decides. Remove dynamic_ftp, or walk that server's root (boot --server)"
            )
        })
    }

    /// True when the source holds `file`, asked without counting as a
    /// request (`None` when the source cannot say).
    pub fn src_has(&mut self, file: &str) -> Option<bool> {
        match self.src.fetch(file) {
            Fetch::Found { .. } => Some(true),
            Fetch::NotFound => Some(false),
            Fetch::Error(_) => None,
        }
    }

    /// What `file` names for this phone, read without counting as a request.
    pub fn peek_named(&mut self, file: &str) -> Option<String> {
        match self.src.fetch(file) {
            Fetch::Found { head, .. } => read::named(file, &head, self.state.model).image,
            _ => None,
        }
    }

    pub fn say(&mut self, d: String) {
        self.rep.decisions.push(d);
    }

    pub fn end(
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

    pub fn reboot(&mut self, why: String) {
        self.rep.reboots += 1;
        let n = self.rep.reboots;
        self.say(format!("{why}; reboot {n}"));
        self.pass += 1;
    }

    /// "1 reboot", "2 reboots", "no reboot".
    pub fn reboots(&self) -> String {
        match self.rep.reboots {
            0 => "no reboot".into(),
            1 => "1 reboot".into(),
            n => format!("{n} reboots"),
        }
    }

    pub fn settled(&mut self, image: String) -> BootReport {
        let msg = format!("settles on {image} after {}", self.reboots());
        self.end(Kind::Settles, Some(image), msg, None)
    }

    /// Nothing names an image for this phone: it runs flash, or has nothing.
    pub fn no_config(&mut self, running: Option<String>) -> BootReport {
        match running {
            Some(r) => {
                self.say("this assumes one TFTP server: the loader \"is also capable of searching multiple servers to find \
                    the configuration files, using DHCP, manual settings, and DNS\" (000), which this walk cannot see".into());
                let msg = format!(
                    "no configuration file names an image for this phone: it runs {r} from flash"
                );
                self.end(Kind::Settles, Some(r), msg, None)
            }
            None => self.end(
                Kind::Error,
                None,
                "No Load Specified: no configuration file names an image and flash is empty".into(),
                None,
            ),
        }
    }

    /// The file that decides names nothing for this model (rule 4). `next`:
    /// what the rest of the hunt names for it, and in which file.
    pub fn names_nothing(
        &mut self,
        file: String,
        running: Option<String>,
        next: Option<(String, String)>,
    ) -> BootReport {
        let flash = match &running {
            Some(r) => format!("it runs {r} from flash"),
            None => "flash is empty: \"No Load Specified\"".into(),
        };
        self.names_nothing_as(file, running, flash, next)
    }

    /// [`Walk::names_nothing`], with what the first reading says the phone
    /// runs from flash spelled by the caller (a 79x1 phone that wrote its
    /// term file's load runs that load, it is not empty).
    pub fn names_nothing_as(
        &mut self,
        file: String,
        running: Option<String>,
        flash: String,
        next: Option<(String, String)>,
    ) -> BootReport {
        let (on, fix) = match &next {
            Some((image, from)) => (
                format!("it goes on hunting and takes {image} from {from}"),
                format!(" naming {image}"),
            ),
            None => (
                "it goes on hunting and finds nothing more: the same as the first reading".into(),
                String::new(),
            ),
        };
        let m = self.state.model;
        let msg = format!(
            "uncertain: {file} comes first in the {}'s hunt but names no image for it, and the vendor's documents \
                do not say what the loader does then; under one reading {flash}, under the other {on}. Add {}{fix} \
                to {file}, or remove it",
            m.name,
            crate::pointers::Setting::LoadInformation(Some(m.device_type))
        );
        self.end(Kind::Uncertain, running, msg, Some(file))
    }

    /// A model whose boot the vendor's documents loadsmith follows do not
    /// describe (69xx, 792x, 894x, sidecars…): no prediction, said so.
    pub fn undocumented(&mut self) -> BootReport {
        let m = self.state.model;
        let msg = format!(
            "uncertain: the vendor's documents loadsmith follows describe how 7940/7960 and 79x1-family phones boot, not the {}; its files and lists are checked, its boot is not predicted",
            m.name
        );
        self.end(Kind::Uncertain, self.state.running.clone(), msg, None)
    }

    /// A phone told to run an image of another family (rule 7).
    pub fn wrong_family(&mut self, file: &str, image: &str, running: Option<String>) -> BootReport {
        let what = files::family_words(ImageName::parse(image).family);
        let msg = format!(
            "error: {file} tells the {} to load {image}, {what}; a phone runs its own family's images only, so it refuses it and keeps {}",
            self.state.model.name,
            running.as_deref().unwrap_or("an empty flash")
        );
        self.end(Kind::Error, running, msg, Some(file.to_string()))
    }

    pub fn stopped(
        &mut self,
        stop: Stop,
        running: Option<String>,
        after_loader: bool,
    ) -> BootReport {
        match stop {
            Stop::Missing(f) if after_loader => self.end(
                Kind::Error,
                running,
                format!("Protocol Application Invalid: the loader is in place but {f} is not on the server, so no application image can be loaded"),
                Some(f),
            ),
            Stop::Missing(f) => self.end(
                Kind::Loops,
                running,
                format!("loops asking for {f}: it is not on the server (phones retry a missing file every few seconds)"),
                Some(f),
            ),
            Stop::Auth { file, why } => self.end(Kind::Error, running, format!("Image Authentication Failed: {file}: {why}"), Some(file)),
            Stop::Server { file, error } => self.server_error(file, error, running),
        }
    }

    pub fn server_error(
        &mut self,
        file: String,
        error: String,
        running: Option<String>,
    ) -> BootReport {
        self.end(
            Kind::Error,
            running,
            format!("the server answered {file} with an error other than \"file not found\" ({error}); the loader stops hunting there (vendor bug CSCee31047)"),
            Some(file),
        )
    }
}
