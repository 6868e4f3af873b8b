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
//! clients, not the length of the log: each client keeps counts, its last
//! [`KEPT`] requests and at most [`ASKED`] names (plus [`ASKED_TERMS`] term
//! files); at most [`PENDING`] processes are followed; every text kept is
//! cut at [`MAX_TEXT`] bytes; a line is read up to [`lines::MAX_LINE`].

pub mod lines;
pub mod parse;
pub mod pasted;
pub mod predict;
pub mod verdict;

use std::collections::{BTreeMap, HashMap, VecDeque};

use serde::Serialize;

use parse::{Line, Server, What};

/// Requests kept per client (the latest: several boots); older ones are
/// counted only.
const KEPT: usize = 100;
/// Requests whose answer may still come (tftpd-hpa), and processes whose
/// `remap: input` line awaits its request, at most (each; the oldest are
/// forgotten).
pub const PENDING: usize = 4096;
/// Distinct names counted per client (the ones it asked first; a phone asks
/// for a few dozen); later names are counted in its requests only.
pub const ASKED: usize = 256;
/// Distinct term files counted per client besides [`ASKED`].
pub const ASKED_TERMS: usize = 64;
/// The longest name, path, address or server text kept, in bytes (a TFTP
/// name is at most a 512-byte packet); longer ones are cut, ending in `…`.
pub const MAX_TEXT: usize = 1024;
/// A gap after which a client's next request starts a new boot.
pub const BOOT_GAP: u32 = 10 * 60;

/// The client of lines whose address was stripped or masked.
pub const UNKNOWN: &str = "unknown client";

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
    pub asked: BTreeMap<String, u32>,
    /// Boots seen (counted as requests arrive: see [`starts_boot`]).
    pub boots: u64,
    /// Whether the current boot asked for anything but term files.
    boot_other: bool,
    /// Names in `asked`: term files, others.
    asked_kept: (usize, usize),
}

impl Client {
    /// Counts a request for `file` in `asked`, within [`ASKED`] and [`ASKED_TERMS`].
    fn count(&mut self, file: &str) {
        if let Some(n) = self.asked.get_mut(file) {
            *n = n.saturating_add(1);
            return;
        }
        let (terms, others) = &mut self.asked_kept;
        let kept = match is_term(file) {
            true => terms,
            false => others,
        };
        let cap = if is_term(file) { ASKED_TERMS } else { ASKED };
        if *kept < cap {
            *kept += 1;
            self.asked.insert(file.to_string(), 1);
        }
    }
}

/// `s` cut to [`MAX_TEXT`] bytes (at a character), ending in `…` when cut.
fn cut(s: &mut String) {
    if s.len() > MAX_TEXT {
        let mut at = MAX_TEXT - '…'.len_utf8();
        while !s.is_char_boundary(at) {
            at -= 1;
        }
        s.truncate(at);
        s.push('…');
    }
}

/// A parsed line with every text in it cut to [`MAX_TEXT`].
fn bounded(mut l: Line) -> Line {
    if let Some(c) = &mut l.client {
        cut(c);
    }
    match &mut l.what {
        What::Request { file, path } => {
            cut(file);
            if let Some(p) = path {
                cut(p);
            }
        }
        What::RemapInput(f) | What::Sent(f) => cut(f),
        What::Refused { text, file, .. } => {
            cut(text);
            if let Some(f) = file {
                cut(f);
            }
        }
    }
    l
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

/// Notes that `pid` got an entry at line `n` in `map`; past [`PENDING`]
/// entries, forgets the oldest (unless its PID has a newer one since).
fn remember<V>(
    order: &mut VecDeque<(u32, u64)>,
    map: &mut HashMap<u32, V>,
    pid: u32,
    n: u64,
    line_of: impl Fn(&V) -> u64,
) {
    order.push_back((pid, n));
    while order.len() > PENDING {
        let Some((old, at)) = order.pop_front() else {
            break;
        };
        if map.get(&old).is_some_and(|e| line_of(e) == at) {
            map.remove(&old);
        }
    }
}

/// Reads a log line by line.
#[derive(Debug, Default)]
pub struct Reader {
    clients: BTreeMap<String, Client>,
    /// By process: the client, the index of its request, the line (which
    /// tells this entry from a later one of a reused PID in `order`).
    pending: HashMap<u32, (String, usize, u64)>,
    order: VecDeque<(u32, u64)>,
    /// By process: the line and the name.
    remap_input: HashMap<u32, (u64, String)>,
    remap_order: VecDeque<(u32, u64)>,
    tftpd32_client: Option<String>,
    /// The client of the last request without a PID (a pasted tftpd-hpa
    /// line): an answer without an address is its.
    last_unpid: Option<String>,
    /// True once the log shows the server logs its refusals (tftpd-hpa `-vv`).
    pub answers_logged: bool,
    /// Lines read, and lines recognised.
    pub lines: u64,
    /// Lines that were a TFTP server's.
    pub recognised: u64,
    /// Lines longer than [`lines::MAX_LINE`], skipped.
    pub unreadable: u64,
    /// Lines not recognised that mention `tftp` (a server's lines that say
    /// nothing about requests: tftpd-hpa without `-v`).
    pub tftp_mentions: u64,
    /// The servers seen.
    pub servers: Vec<Server>,
}

impl Reader {
    /// A reader with nothing read.
    pub fn new() -> Reader {
        Reader::default()
    }

    /// Counts a line too long to read ([`lines::MAX_LINE`]).
    pub fn unreadable_line(&mut self) {
        self.lines += 1;
        self.unreadable += 1;
    }

    /// Reads one line.
    pub fn line(&mut self, text: &str) {
        self.lines += 1;
        let Some(l) = parse::parse(text).map(bounded) else {
            if text.contains("tftp") {
                self.tftp_mentions += 1;
            }
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
                        self.remap_input.insert(pid, (n, file));
                        remember(&mut self.remap_order, &mut self.remap_input, pid, n, |e| {
                            e.0
                        });
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
            .unwrap_or_else(|| UNKNOWN.into())
    }

    fn request(&mut self, l: &Line, file: String, path: Option<String>, outcome: Outcome, n: u64) {
        let who = self.client_of(l);
        let c = self.clients.entry(who.clone()).or_default();
        c.total += 1;
        c.count(&file);
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
        match (l.server, l.pid) {
            (Server::TftpdHpa, Some(pid)) => {
                self.remap_input.remove(&pid);
                self.pending.insert(pid, (who, index, n));
                remember(&mut self.order, &mut self.pending, pid, n, |e| e.2);
            }
            (_, None) => self.last_unpid = Some(who),
            _ => {}
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
        let file = file.or_else(|| l.pid.and_then(|p| self.remap_input.remove(&p).map(|e| e.1)));
        let who = match (&l.client, l.pid, l.server) {
            // A pasted line without PID or address answers the last request.
            (None, None, server) if server != Server::Tftpd32 => {
                self.last_unpid.clone().unwrap_or_else(|| UNKNOWN.into())
            }
            _ => self.client_of(l),
        };
        // Without a process to join by: the client's latest request of
        // that name (or path) still unanswered; a NAK names no file.
        if l.pid.is_none()
            && let Some(c) = self.clients.get_mut(&who)
            && let Some(a) = c.requests.iter_mut().rev().find(|a| {
                a.outcome == Outcome::Unknown
                    && file
                        .as_ref()
                        .is_none_or(|f| &a.file == f || a.remapped.as_ref() == Some(f))
            })
        {
            a.outcome = outcome;
            return;
        }
        let Some(file) = file else {
            return;
        };
        self.request(l, file, None, outcome, n);
    }

    /// Processes followed: requests awaiting their answer, `remap: input`
    /// lines awaiting their request (each at most [`PENDING`]).
    pub fn pending(&self) -> (usize, usize) {
        (self.pending.len(), self.remap_input.len())
    }

    /// The clients and what they asked for.
    pub fn clients(&self) -> &BTreeMap<String, Client> {
        &self.clients
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_each_client_and_process_keeps_is_bounded() {
        let mut r = Reader::new();
        for i in 0..20_000u32 {
            r.line(&format!(
                "in.tftpd[{i}]: RRQ from 10.0.0.5 filename n{i}.bin"
            ));
            r.line(&format!("in.tftpd[{}]: remap: input: m{i}", 100_000 + i));
            r.line(&format!(
                "in.tftpd[{i}]: RRQ from 10.0.0.6 filename term{:02}.default.loads",
                i % 100
            ));
        }
        let c = &r.clients()["10.0.0.5"];
        assert_eq!(c.total, 20_000);
        assert_eq!(c.asked.len(), ASKED);
        assert!(c.asked.contains_key("n0.bin"));
        assert_eq!(r.clients()["10.0.0.6"].asked.len(), ASKED_TERMS);
        let (pending, inputs) = r.pending();
        assert!(
            pending <= PENDING && inputs == PENDING,
            "{pending} {inputs}"
        );
        // The latest process of a reused PID is still joined with its answer.
        r.line("in.tftpd[19999]: sending NAK (1, File not found) to 10.0.0.6");
        let last = r.clients()["10.0.0.6"].requests.back().unwrap();
        assert_eq!(last.outcome, Outcome::NotFound);
        // Texts are cut.
        r.line(&format!(
            "in.tftpd[7]: RRQ from 10.0.0.7 filename {}",
            "é".repeat(5000)
        ));
        let f = &r.clients()["10.0.0.7"].requests[0].file;
        assert!(f.len() <= MAX_TEXT && f.ends_with('…'));
    }
}
