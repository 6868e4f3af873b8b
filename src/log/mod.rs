//! `log`: what each phone did, read from the TFTP server's log.
//!
//! [`Reader`] takes the log line by line ([`parse`] recognises the lines of
//! tftpd-hpa, dnsmasq and tftpd32 and skips everything else), joins the
//! lines of one request (tftpd-hpa: by process), and files each request
//! under its client. [`Reader::phones`] then groups each client's requests
//! into boots and explains them ([`verdict`]): settled, looping on a term
//! file, stuck on a refused file and the pointer that named it, a remap
//! rule that mangled a name, secure mode, the loader fetched and the
//! application never asked for. Memory is bounded by the number of
//! clients, not the length of the log: each client keeps counts and its
//! last requests only.

pub mod parse;
pub mod predict;
pub mod verdict;

use std::collections::{BTreeMap, HashMap, VecDeque};

use serde::Serialize;

use parse::{Line, Server, What};

/// Requests kept per client (the latest: several boots); older ones are
/// counted only.
const KEPT: usize = 100;
/// Requests whose answer may still come (tftpd-hpa), at most.
const PENDING: usize = 4096;
/// A gap after which a client's next request starts a new boot.
pub const BOOT_GAP: u32 = 10 * 60;

/// How the server answered one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Sent (or, for a server that logs its refusals, not refused).
    Served,
    /// "File not found".
    NotFound,
    /// Refused otherwise (access denied, a remap rule); the server's text.
    Refused(String),
    /// The log does not say (tftpd-hpa at `-v` logs requests, not answers).
    Unknown,
}

/// One request of a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attempt {
    /// The name asked for.
    pub file: String,
    /// What the server's remap rules made of it, when they changed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remapped: Option<String>,
    /// The answer.
    pub outcome: Outcome,
    /// When (seconds, see [`parse::Line::at`]).
    #[serde(skip)]
    pub at: Option<u32>,
    /// The line of the log it was read from (1-based).
    pub line: u64,
}

/// Everything one client asked for.
#[derive(Debug, Clone, Default)]
pub struct Client {
    /// Its latest requests, oldest first.
    pub requests: VecDeque<Attempt>,
    /// Requests seen in all.
    pub total: u64,
    /// Requests dropped from `requests` because the log is long.
    pub dropped: u64,
    /// How often each name was asked for.
    pub asked: HashMap<String, u32>,
    /// Boots seen (counted as requests arrive: see [`starts_boot`]).
    pub boots: u64,
    /// Whether the current boot asked for anything but term files.
    boot_other: bool,
}

/// True for a factory-reset term file (`term61.default.loads`), without
/// parsing the name: this runs for every request of a long log.
pub fn is_term(file: &str) -> bool {
    let f = file.as_bytes();
    f.len() > 18
        && f[..4].eq_ignore_ascii_case(b"term")
        && f[f.len() - 14..].eq_ignore_ascii_case(b".default.loads")
}

/// True when `next` starts a new boot after `prev`: a phone's first hunt
/// file (`CTLSEP<MAC>.tlv`), a term file after other files, or a request
/// after [`BOOT_GAP`] of silence. `other` says whether the current boot
/// has asked for anything but term files.
pub fn starts_boot(prev: Option<&Attempt>, next: &Attempt, other: bool) -> bool {
    let Some(prev) = prev else {
        return true;
    };
    let term = is_term;
    let gap = matches!((prev.at, next.at), (Some(a), Some(b)) if b.saturating_sub(a) > BOOT_GAP);
    next.file.starts_with("CTLSEP") || (term(&next.file) && other) || gap
}

/// Reads a log line by line.
#[derive(Debug, Default)]
pub struct Reader {
    clients: BTreeMap<String, Client>,
    pending: HashMap<u32, (String, usize, u64)>,
    order: VecDeque<u32>,
    remap_input: HashMap<u32, String>,
    tftpd32_client: Option<String>,
    /// True once the log shows the server logs its refusals (tftpd-hpa `-vv`).
    pub answers_logged: bool,
    /// Lines read, and lines recognised.
    pub lines: u64,
    /// Lines that were a TFTP server's.
    pub recognised: u64,
    /// The servers seen.
    pub servers: Vec<Server>,
}

impl Reader {
    /// A reader with nothing read.
    pub fn new() -> Reader {
        Reader::default()
    }

    /// Reads one line.
    pub fn line(&mut self, text: &str) {
        self.lines += 1;
        let Some(l) = parse::parse(text) else {
            return;
        };
        self.recognised += 1;
        if !self.servers.contains(&l.server) {
            self.servers.push(l.server);
        }
        let n = self.lines;
        match l.what.clone() {
            What::Request { file, path } => self.request(&l, file, path, Outcome::Unknown, n),
            What::RemapInput(file) => match l.server {
                Server::Tftpd32 => self.tftpd32_client = l.client.clone(),
                _ => {
                    if let Some(pid) = l.pid {
                        self.remap_input.insert(pid, file);
                    }
                }
            },
            What::Sent(file) => self.answer(&l, Some(file), Outcome::Served, n),
            What::Refused { code, text, file } => {
                self.answers_logged = true;
                let outcome = match code {
                    1 => Outcome::NotFound,
                    _ => Outcome::Refused(text),
                };
                self.answer(&l, file, outcome, n);
            }
        }
    }

    fn client_of(&self, l: &Line) -> String {
        l.client
            .clone()
            .or_else(|| {
                (l.server == Server::Tftpd32)
                    .then(|| self.tftpd32_client.clone())
                    .flatten()
            })
            .unwrap_or_else(|| "unknown client".into())
    }

    fn request(&mut self, l: &Line, file: String, path: Option<String>, outcome: Outcome, n: u64) {
        let who = self.client_of(l);
        let c = self.clients.entry(who.clone()).or_default();
        c.total += 1;
        *c.asked.entry(file.clone()).or_default() += 1;
        let a = Attempt {
            file,
            remapped: path,
            outcome,
            at: l.at,
            line: n,
        };
        let term = is_term(&a.file);
        if starts_boot(c.requests.back(), &a, c.boot_other) {
            c.boots += 1;
            c.boot_other = !term;
        } else {
            c.boot_other |= !term;
        }
        c.requests.push_back(a);
        if c.requests.len() > KEPT {
            c.requests.pop_front();
            c.dropped += 1;
        }
        let index = c.dropped as usize + c.requests.len() - 1;
        // tftpd-hpa answers a request in the process that logged it.
        if let (Server::TftpdHpa, Some(pid)) = (l.server, l.pid) {
            self.remap_input.remove(&pid);
            self.pending.insert(pid, (who, index, n));
            self.order.push_back(pid);
            if self.order.len() > PENDING
                && let Some(old) = self.order.pop_front()
            {
                self.pending.remove(&old);
            }
        }
    }

    /// An answer: to the request of the same process (tftpd-hpa), else to
    /// the client's latest request of that file, else a request of its own
    /// (dnsmasq logs answers only).
    fn answer(&mut self, l: &Line, file: Option<String>, outcome: Outcome, n: u64) {
        if let (Server::TftpdHpa, Some(pid)) = (l.server, l.pid)
            && let Some((who, index, _)) = self.pending.remove(&pid)
        {
            if let Some(c) = self.clients.get_mut(&who)
                && let Some(a) = index
                    .checked_sub(c.dropped as usize)
                    .and_then(|i| c.requests.get_mut(i))
            {
                a.outcome = outcome;
            }
            return;
        }
        // A request refused by a remap rule has no RRQ line: its name is
        // the one the remapping started from.
        let file = file.or_else(|| l.pid.and_then(|p| self.remap_input.remove(&p)));
        let Some(file) = file else {
            return;
        };
        let who = self.client_of(l);
        if l.server == Server::Tftpd32
            && let Some(c) = self.clients.get_mut(&who)
            && let Some(a) = c.requests.iter_mut().rev().find(|a| a.file == file)
            && a.outcome == Outcome::Unknown
        {
            a.outcome = outcome;
            return;
        }
        self.request(l, file, None, outcome, n);
    }

    /// The clients and what they asked for.
    pub fn clients(&self) -> &BTreeMap<String, Client> {
        &self.clients
    }
}
