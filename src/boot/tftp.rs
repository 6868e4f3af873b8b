//! A small read-only TFTP client: RFC 1350 read requests in octet mode, with
//! the blksize and tsize options (RFC 2347/2348/2349) when the server accepts
//! them, timeouts and retries. No crate on crates.io offered a maintained,
//! blocking, read-only client, so this is ours (~150 lines, tested against
//! tftpd-hpa in `tests/boot.rs`).

use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::time::{Duration, Instant};

use super::source::{Fetch, FileSource, HEAD};
use crate::error::{Error, Result};

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
}

impl TftpSource {
    /// Parses `tftp://host[:port]` (port 69 by default) and resolves the host.
    pub fn parse(url: &str) -> Result<TftpSource> {
        let rest = url.strip_prefix("tftp://").ok_or_else(|| Error::Usage {
            message: format!("{url}: want tftp://host[:port]"),
        })?;
        let host = rest.trim_end_matches('/');
        let with_port = if host
            .rsplit_once(':')
            .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
            && !host.ends_with(']')
        {
            host.to_string()
        } else {
            format!("{host}:69")
        };
        let addr = with_port
            .to_socket_addrs()
            .ok()
            .and_then(|mut a| a.next())
            .ok_or_else(|| Error::Usage {
                message: format!("{url}: cannot resolve {host}"),
            })?;
        Ok(TftpSource {
            addr,
            url: url.to_string(),
            timeout: Duration::from_secs(2),
            retries: 4,
            deadline: DEADLINE,
        })
    }

    fn get(&self, name: &str, options: bool) -> std::result::Result<Fetch, String> {
        let bind: SocketAddr = if self.addr.is_ipv4() {
            ([0, 0, 0, 0], 0).into()
        } else {
            ([0u16; 8], 0).into()
        };
        let sock = UdpSocket::bind(bind).map_err(|e| e.to_string())?;
        sock.set_read_timeout(Some(self.timeout))
            .map_err(|e| e.to_string())?;
        let mut rrq = Vec::with_capacity(64);
        rrq.extend_from_slice(&RRQ.to_be_bytes());
        for part in [name, "octet"] {
            rrq.extend_from_slice(part.as_bytes());
            rrq.push(0);
        }
        if options {
            for part in ["blksize", &BLKSIZE.to_string(), "tsize", "0"] {
                rrq.extend_from_slice(part.as_bytes());
                rrq.push(0);
            }
        }
        let mut last: Vec<u8> = rrq;
        let mut dest = self.addr;
        let mut server: Option<SocketAddr> = None;
        let mut blksize = 512usize;
        let mut expected: u16 = 1;
        let (mut size, mut head) = (0u64, Vec::new());
        let mut buf = vec![0u8; 65536];
        let mut tries = 0;
        sock.send_to(&last, dest).map_err(|e| e.to_string())?;
        let start = Instant::now();
        loop {
            if start.elapsed() > self.deadline {
                return Ok(Fetch::Error(format!(
                    "deadline: the transfer of {name} did not finish within {} s ({size} bytes came); it was stopped (raise the deadline with --deadline)",
                    self.deadline.as_secs()
                )));
            }
            let (n, from) = match sock.recv_from(&mut buf) {
                Ok(x) => x,
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    tries += 1;
                    if tries > self.retries {
                        return Ok(Fetch::Error(format!(
                            "timeout: no answer from {} after {} tries",
                            self.addr, tries
                        )));
                    }
                    sock.send_to(&last, dest).map_err(|e| e.to_string())?;
                    continue;
                }
                Err(e) => return Err(e.to_string()),
            };
            if from.ip() != self.addr.ip() || server.is_some_and(|s| s != from) {
                continue; // not our server's transfer
            }
            server = Some(from);
            dest = from;
            let pkt = &buf[..n];
            let op = u16::from_be_bytes([
                pkt.first().copied().unwrap_or(0),
                pkt.get(1).copied().unwrap_or(0),
            ]);
            match op {
                ERROR => {
                    let code = u16::from_be_bytes([
                        pkt.get(2).copied().unwrap_or(0),
                        pkt.get(3).copied().unwrap_or(0),
                    ]);
                    let msg = String::from_utf8_lossy(pkt.get(4..).unwrap_or(&[]))
                        .trim_end_matches('\0')
                        .to_string();
                    return Ok(match code {
                        1 => Fetch::NotFound,
                        8 if options => return self.get(name, false),
                        _ => Fetch::Error(format!("TFTP error {code}: {msg}")),
                    });
                }
                OACK => {
                    let fields: Vec<&[u8]> =
                        pkt.get(2..).unwrap_or(&[]).split(|&b| b == 0).collect();
                    for kv in fields.chunks(2) {
                        if let [k, v] = kv {
                            let v = String::from_utf8_lossy(v);
                            if k.eq_ignore_ascii_case(b"blksize") {
                                blksize = v.parse().unwrap_or(512).clamp(8, 65464);
                            }
                        }
                    }
                    last = [ACK.to_be_bytes(), 0u16.to_be_bytes()].concat();
                    sock.send_to(&last, dest).map_err(|e| e.to_string())?;
                    tries = 0;
                }
                DATA if n >= 4 => {
                    let block = u16::from_be_bytes([pkt[2], pkt[3]]);
                    let data = &pkt[4..];
                    if block == expected {
                        size += data.len() as u64;
                        if size > MAX_FILE {
                            return Ok(Fetch::Error(format!(
                                "size bound: the server sent more than {} MiB of {name}, more than any phone file; the transfer was stopped",
                                MAX_FILE >> 20
                            )));
                        }
                        let room = HEAD.saturating_sub(head.len()).min(data.len());
                        head.extend_from_slice(&data[..room]);
                        last = [ACK.to_be_bytes(), block.to_be_bytes()].concat();
                        sock.send_to(&last, dest).map_err(|e| e.to_string())?;
                        tries = 0;
                        if data.len() < blksize {
                            return Ok(Fetch::Found { size, head });
                        }
                        expected = expected.wrapping_add(1);
                    } else if block == expected.wrapping_sub(1) {
                        sock.send_to(&last, dest).map_err(|e| e.to_string())?;
                    }
                }
                _ => {
                    return Ok(Fetch::Error(format!(
                        "unexpected TFTP packet (opcode {op})"
                    )));
                }
            }
        }
    }
}

impl FileSource for TftpSource {
    fn fetch(&mut self, name: &str) -> Fetch {
        self.get(name, true).unwrap_or_else(Fetch::Error)
    }

    fn describe(&self) -> String {
        self.url.clone()
    }
}
