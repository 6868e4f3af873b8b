//! A small read-only TFTP client: RFC 1350 read requests in octet mode, with
//! the blksize and tsize options (RFC 2347/2348/2349) when the server accepts
//! them, timeouts and retries. No crate on crates.io offered a maintained,
//! blocking, read-only client, so this is ours (~150 lines, tested against
//! tftpd-hpa in `tests/boot.rs`).

use std::collections::HashMap;
use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result, ServerProblem};
use crate::phone::source::{Fetch, FileSource, HEAD};

const RRQ: u16 = 1;
const DATA: u16 = 3;
const ACK: u16 = 4;
const ERROR: u16 = 5;
const OACK: u16 = 6;
/// The block size asked for (fits an Ethernet frame with IP/UDP headers).
const BLKSIZE: usize = 1428;
/// The most one transfer may bring: far above the largest phone firmware
/// file of any family loadsmith knows (tens of megabytes). A server that
/// sends more is stopped there.
pub const MAX_FILE: u64 = 256 * 1024 * 1024;
/// The longest one transfer may take, unless `--deadline` says otherwise.
pub const DEADLINE: Duration = Duration::from_secs(300);

/// A TFTP server, as `tftp://host[:port]`.
pub struct TftpSource {
    addr: SocketAddr,
    url: String,
    /// Wait for each reply this long.
    pub timeout: Duration,
    /// Resend this many times before giving up.
    pub retries: u32,
    /// The longest one file's transfer may take, whatever the server does.
    pub deadline: Duration,
    /// A packet came from the server at some point.
    answered: std::cell::Cell<bool>,
    /// A request had no answer at all.
    timed_out: std::cell::Cell<bool>,
    /// The SHA-256 of every file received whole, by name (`compare`).
    digests: std::cell::RefCell<HashMap<String, String>>,
}

impl TftpSource {
    /// Parses `tftp://host[:port]` (port 69 by default) and resolves the host.
    pub fn parse(url: &str) -> Result<TftpSource> {
        let bad = |why| Error::BadServer {
            url: url.to_string(),
            why,
        };
        let rest = url
            .strip_prefix("tftp://")
            .ok_or_else(|| bad(ServerProblem::NotTftp))?;
        let host = rest.trim_end_matches('/');
        if host.contains('/') {
            return Err(bad(ServerProblem::HasPath));
        }
        // A port is what follows the last colon, unless the colon is inside
        // an IPv6 address in brackets.
        let port = host
            .rsplit_once(':')
            .filter(|(h, _)| !h.contains(':') || h.ends_with(']'))
            .map(|(_, p)| p);
        let with_port = match port {
            Some(p) if p.parse::<u16>().is_ok_and(|n| n > 0) => host.to_string(),
            Some(p) => {
                return Err(bad(ServerProblem::BadPort(p.to_string())));
            }
            None => format!("{host}:69"),
        };
        let addr = with_port
            .to_socket_addrs()
            .ok()
            .and_then(|mut a| a.next())
            .ok_or_else(|| bad(ServerProblem::Unresolved(host.to_string())))?;
        Ok(TftpSource {
            addr,
            url: url.to_string(),
            timeout: Duration::from_secs(2),
            retries: 4,
            deadline: DEADLINE,
            answered: std::cell::Cell::new(false),
            timed_out: std::cell::Cell::new(false),
            digests: Default::default(),
        })
    }

    /// A socket of the server's address family, on any free port.
    fn socket(&self) -> std::result::Result<UdpSocket, String> {
        let bind: SocketAddr = if self.addr.is_ipv4() {
            ([0, 0, 0, 0], 0).into()
        } else {
            ([0u16; 8], 0).into()
        };
        UdpSocket::bind(bind).map_err(|e| e.to_string())
    }

    fn get(&self, name: &str, options: bool) -> std::result::Result<Fetch, String> {
        let sock = self.socket()?;
        let mut t = Transfer::new(name, options, self.addr);
        let mut server: Option<SocketAddr> = None;
        let mut buf = vec![0u8; 65536];
        let mut tries = 0;
        sock.send_to(&t.last, t.dest).map_err(|e| e.to_string())?;
        let start = Instant::now();
        // The retransmission clock: when the wait for the reply to the last
        // counted event (a request sent, a packet that moved the transfer
        // on) is over. Stray, foreign and duplicate packets do not move it.
        let mut due = start + self.timeout;
        loop {
            let (n, from) = match recv_until(&sock, &mut buf, due, start + self.deadline) {
                Wait::Packet(n, from) => (n, from),
                Wait::Deadline => {
                    return Ok(Fetch::Error(format!(
                        "deadline: the transfer of {name} did not finish within {} s ({} bytes came); it was stopped (raise the deadline with --deadline)",
                        self.deadline.as_secs(),
                        t.size
                    )));
                }
                Wait::TimedOut => {
                    tries += 1;
                    if tries > self.retries {
                        self.timed_out.set(server.is_none());
                        return Ok(Fetch::Error(format!(
                            "timeout: no answer from {} after {} tries",
                            self.addr, tries
                        )));
                    }
                    sock.send_to(&t.last, t.dest).map_err(|e| e.to_string())?;
                    due = Instant::now() + self.timeout;
                    continue;
                }
                Wait::Failed(e) => return Err(e),
            };
            if from.ip() != self.addr.ip() || server.is_some_and(|s| s != from) {
                continue; // not our server's transfer
            }
            server = Some(from);
            self.answered.set(true);
            t.dest = from;
            match t.on_packet(&buf[..n]) {
                Step::Send(moved) => {
                    sock.send_to(&t.last, t.dest).map_err(|e| e.to_string())?;
                    if moved {
                        tries = 0;
                        due = Instant::now() + self.timeout;
                    }
                }
                Step::Done(Fetch::Error(e)) if e == OPTIONS_REFUSED && options => {
                    return self.get(name, false);
                }
                Step::Done(f @ Fetch::Found { .. }) => {
                    // The last block is acknowledged too, or the server resends it.
                    sock.send_to(&t.last, t.dest).map_err(|e| e.to_string())?;
                    if let Some(d) = t.digest.take() {
                        self.digests.borrow_mut().insert(name.to_string(), d);
                    }
                    return Ok(f);
                }
                Step::Done(f) => return Ok(f),
                Step::Wait => {}
            }
        }
    }
}

/// How a wait for one packet ended.
enum Wait {
    Packet(usize, SocketAddr),
    /// The retransmission clock ran out.
    TimedOut,
    /// The whole transfer's deadline passed.
    Deadline,
    Failed(String),
}

/// Waits for one packet until `due` (the retransmission clock), and never
/// past `deadline`. Whatever came before, the wait ends at `due`: a packet
/// that is then ignored does not give the next wait a fresh time-out.
fn recv_until(sock: &UdpSocket, buf: &mut [u8], due: Instant, deadline: Instant) -> Wait {
    let now = Instant::now();
    if now >= deadline {
        return Wait::Deadline;
    }
    let Some(left) = due.min(deadline).checked_duration_since(now) else {
        return Wait::TimedOut;
    };
    // A zero time-out means "block forever" to the socket: wait at least 1 ms.
    if let Err(e) = sock.set_read_timeout(Some(left.max(Duration::from_millis(1)))) {
        return Wait::Failed(e.to_string());
    }
    match sock.recv_from(buf) {
        Ok((n, from)) => Wait::Packet(n, from),
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) =>
        {
            if Instant::now() >= deadline {
                Wait::Deadline
            } else {
                Wait::TimedOut
            }
        }
        Err(e) => Wait::Failed(e.to_string()),
    }
}

/// The server refused the options (error 8): ask again without them.
const OPTIONS_REFUSED: &str = "options refused";

/// A read request for `name`, in octet mode, with blksize and tsize when asked.
fn rrq(name: &str, options: bool) -> Vec<u8> {
    let mut rrq = Vec::with_capacity(64);
    rrq.extend_from_slice(&RRQ.to_be_bytes());
    let blksize = BLKSIZE.to_string();
    let mut parts = vec![name, "octet"];
    if options {
        parts.extend(["blksize", &blksize, "tsize", "0"]);
    }
    for part in parts {
        rrq.extend_from_slice(part.as_bytes());
        rrq.push(0);
    }
    rrq
}

/// What to do after a packet.
enum Step {
    /// Send `last` (again); `true` when the transfer moved on.
    Send(bool),
    /// The transfer is over.
    Done(Fetch),
    /// Nothing: a stray or duplicate packet.
    Wait,
}

/// One transfer's state.
struct Transfer<'a> {
    name: &'a str,
    /// The last packet sent (resent on a time-out).
    last: Vec<u8>,
    dest: SocketAddr,
    blksize: usize,
    expected: u16,
    size: u64,
    head: Vec<u8>,
    /// Every byte received goes through it: the file's SHA-256 at the end.
    sha: Sha256,
    digest: Option<String>,
}

impl<'a> Transfer<'a> {
    /// The transfer of `name` from `dest`, its read request ready to send
    /// (with the blksize and tsize options when `options`).
    fn new(name: &'a str, options: bool, dest: SocketAddr) -> Transfer<'a> {
        Transfer {
            name,
            last: rrq(name, options),
            dest,
            blksize: 512,
            expected: 1,
            size: 0,
            head: Vec::new(),
            sha: Sha256::new(),
            digest: None,
        }
    }

    fn on_packet(&mut self, pkt: &[u8]) -> Step {
        let byte = |i: usize| pkt.get(i).copied().unwrap_or(0);
        let op = u16::from_be_bytes([byte(0), byte(1)]);
        match op {
            ERROR => {
                let code = u16::from_be_bytes([byte(2), byte(3)]);
                let msg = String::from_utf8_lossy(pkt.get(4..).unwrap_or(&[]))
                    .trim_end_matches('\0')
                    .to_string();
                Step::Done(match code {
                    1 => Fetch::NotFound,
                    8 => Fetch::Error(OPTIONS_REFUSED.into()),
                    _ => Fetch::Error(format!("TFTP error {code}: {msg}")),
                })
            }
            OACK => {
                let fields: Vec<&[u8]> = pkt.get(2..).unwrap_or(&[]).split(|&b| b == 0).collect();
                for kv in fields.chunks(2) {
                    if let [k, v] = kv
                        && k.eq_ignore_ascii_case(b"blksize")
                    {
                        self.blksize = String::from_utf8_lossy(v)
                            .parse()
                            .unwrap_or(512)
                            .clamp(8, 65464);
                    }
                }
                self.last = [ACK.to_be_bytes(), 0u16.to_be_bytes()].concat();
                Step::Send(true)
            }
            DATA if pkt.len() >= 4 => self.on_data(u16::from_be_bytes([pkt[2], pkt[3]]), &pkt[4..]),
            _ => Step::Done(Fetch::Error(format!(
                "unexpected TFTP packet (opcode {op})"
            ))),
        }
    }

    fn on_data(&mut self, block: u16, data: &[u8]) -> Step {
        if block == self.expected.wrapping_sub(1) {
            return Step::Send(false);
        }
        if block != self.expected {
            return Step::Wait;
        }
        self.size += data.len() as u64;
        if self.size > MAX_FILE {
            return Step::Done(Fetch::Error(format!(
                "size bound: the server sent more than {} MiB of {}, more than any phone file; the transfer was stopped",
                MAX_FILE >> 20,
                self.name
            )));
        }
        self.sha.update(data);
        let room = HEAD.saturating_sub(self.head.len()).min(data.len());
        self.head.extend_from_slice(&data[..room]);
        self.last = [ACK.to_be_bytes(), block.to_be_bytes()].concat();
        if data.len() < self.blksize {
            self.digest = Some(crate::inspect::member::hex(&self.sha.finalize_reset()));
            return Step::Done(Fetch::Found {
                size: self.size,
                head: std::mem::take(&mut self.head),
            });
        }
        self.expected = self.expected.wrapping_add(1);
        Step::Send(true)
    }
}

impl TftpSource {
    /// The SHA-256 of `name` as the server last sent it whole, if it did.
    pub fn sha256(&self, name: &str) -> Option<String> {
        self.digests.borrow().get(name).cloned()
    }
}

impl FileSource for TftpSource {
    fn fetch(&mut self, name: &str) -> Fetch {
        self.get(name, true).unwrap_or_else(Fetch::Error)
    }

    fn describe(&self) -> String {
        self.url.clone()
    }

    fn unreachable(&self) -> Option<String> {
        (self.timed_out.get() && !self.answered.get()).then(|| {
            format!(
                "no TFTP server answered at {} (each request was sent {} times over {} s)",
                self.addr,
                self.retries + 1,
                self.timeout.as_secs() * u64::from(self.retries + 1)
            )
        })
    }
}
