//! Round 3, point 12: `boot tftp://` keeps its retransmission clock on the
//! packets that count. Packets it ignores (from another address, strays)
//! must not restart the 2 s receive time-out, or a lost request is never
//! resent and a server answering from elsewhere holds `boot` until its
//! deadline. A scripted peer on loopback plays server and stray sender;
//! the client keeps its real time-outs (2 s, 5 sends).

use std::collections::HashMap;
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::support::*;

const MAC: &str = "00:11:BB:73:AD:61";
const ARGS: [&str; 4] = ["--model", "CP-7960G", "--running", "P0S3-8-11-00"];
/// Far above what the client needs with a working retransmission clock
/// (5 sends 2 s apart), so only a clock that never runs out reaches it.
const DEADLINE: &str = "30";
/// The most packets a scripted sender sends before it stops by itself.
const BOUND: usize = 400;

/// The file a read request asks for, or `None` if it is not one.
fn rrq_name(pkt: &[u8]) -> Option<String> {
    if pkt.get(..2)? != [0, 1] {
        return None;
    }
    let name = pkt[2..].split(|&b| b == 0).next()?;
    Some(String::from_utf8_lossy(name).into_owned())
}

/// Another loopback address than the client's server (all of 127/8 is
/// loopback): packets from it are not the server's.
fn elsewhere() -> UdpSocket {
    UdpSocket::bind("127.0.0.2:0").expect("bind 127.0.0.2 (loopback)")
}

/// Data block `block` of `name` (512-byte blocks; request options are
/// ignored, as RFC 2347 lets a server do).
fn block(data: &[u8], block: u16) -> Vec<u8> {
    let from = (usize::from(block) - 1) * 512;
    let chunk = &data[from.min(data.len())..(from + 512).min(data.len())];
    [&[0, 3][..], &block.to_be_bytes(), chunk].concat()
}

/// Serves one transfer from a fresh port (a new transfer ID), in lock step:
/// each block is resent until acknowledged, at most 5 times.
fn serve(client: SocketAddr, body: Option<Vec<u8>>) {
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
    let Some(data) = body else {
        let mut pkt = vec![0, 5, 0, 1];
        pkt.extend_from_slice(b"File not found\0");
        let _ = sock.send_to(&pkt, client);
        return;
    };
    let mut buf = [0u8; 1024];
    let blocks = data.len() / 512 + 1;
    for n in 1..=u16::try_from(blocks).unwrap() {
        let pkt = block(&data, n);
        let acked = (0..5).any(|_| {
            let _ = sock.send_to(&pkt, client);
            matches!(sock.recv_from(&mut buf), Ok((4, _)) if buf[..4] == [[0, 4], n.to_be_bytes()].concat()[..])
        });
        if !acked {
            return;
        }
    }
}

/// Every read request, in order: (from, file).
type Requests = Arc<Mutex<Vec<(SocketAddr, String)>>>;

/// A scripted peer: its server socket, what it saw, and how to stop it.
struct Peer {
    port: u16,
    requests: Requests,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl Peer {
    fn finish(self) -> Vec<(SocketAddr, String)> {
        self.stop.store(true, Ordering::SeqCst);
        for t in self.threads {
            t.join().unwrap();
        }
        Arc::try_unwrap(self.requests)
            .unwrap()
            .into_inner()
            .unwrap()
    }
}

/// `loadsmith --json boot URL --mac MAC ARGS --deadline 30`: (stdout, stderr, exit).
fn boot(port: u16) -> (String, String, Option<i32>) {
    let out = loadsmith()
        .args(["--json", "boot", &format!("tftp://127.0.0.1:{port}")])
        .args(["--mac", MAC, "--deadline", DEADLINE])
        .args(ARGS)
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

/// A server that answers every request, but always from another address
/// (and keeps resending, as a server waiting for an acknowledgement does).
fn answers_from_elsewhere() -> Peer {
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let port = sock.local_addr().unwrap().port();
    let (requests, stop): (Requests, _) = (Arc::default(), Arc::new(AtomicBool::new(false)));
    let (seen, done) = (Arc::clone(&requests), Arc::clone(&stop));
    let other = elsewhere();
    let thread = std::thread::spawn(move || {
        let mut buf = [0u8; 1024];
        let mut client = None;
        for _ in 0..BOUND {
            if done.load(Ordering::SeqCst) {
                break;
            }
            if let Ok((n, from)) = sock.recv_from(&mut buf)
                && let Some(name) = rrq_name(&buf[..n])
            {
                seen.lock().unwrap().push((from, name));
                client = Some(from);
            }
            if let Some(c) = client {
                let _ = other.send_to(&block(&[b'x'; 100], 1), c);
            }
        }
    });
    Peer {
        port,
        requests,
        stop,
        threads: vec![thread],
    }
}

#[test]
fn a_server_answering_from_another_address_is_no_server_not_a_deadline() {
    let peer = answers_from_elsewhere();
    let port = peer.port;
    let (out, err, code) = boot(port);
    let requests = peer.finish();
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        err.contains(&format!("no TFTP server answered at 127.0.0.1:{port}")),
        "{err}"
    );
    assert!(!err.contains("deadline"), "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(doc.get("verdict").is_none(), "no verdict is given: {doc}");
    // The one request was sent 5 times, each from the same client port:
    // the foreign packets did not hold back the retransmission.
    assert_eq!(requests.len(), 5, "{requests:?}");
    assert!(
        requests
            .iter()
            .all(|r| *r == (requests[0].0, "CTLSEP0011BB73AD61.tlv".to_string())),
        "{requests:?}"
    );
}

/// A working server for `files` that drops the first request it gets,
/// plus a stray sender that sends junk to the client's current port every
/// 0.5 s from another address.
fn drops_the_first_request_among_strays(files: &Files) -> Peer {
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let port = sock.local_addr().unwrap().port();
    let files: HashMap<String, Vec<u8>> = files.iter().cloned().collect();
    let (requests, stop): (Requests, _) = (Arc::default(), Arc::new(AtomicBool::new(false)));
    let client: Arc<Mutex<Option<SocketAddr>>> = Arc::default();
    let (seen, done, to) = (Arc::clone(&requests), Arc::clone(&stop), client.clone());
    let server = std::thread::spawn(move || {
        let mut buf = [0u8; 1024];
        let mut transfers = Vec::new();
        while !done.load(Ordering::SeqCst) && transfers.len() < BOUND {
            let Ok((n, from)) = sock.recv_from(&mut buf) else {
                continue;
            };
            let Some(name) = rrq_name(&buf[..n]) else {
                continue;
            };
            *to.lock().unwrap() = Some(from);
            let first = {
                let mut seen = seen.lock().unwrap();
                seen.push((from, name.clone()));
                seen.len() == 1
            };
            if !first {
                let body = files.get(&name).cloned();
                transfers.push(std::thread::spawn(move || serve(from, body)));
            }
        }
        for t in transfers {
            t.join().unwrap();
        }
    });
    let done = Arc::clone(&stop);
    let stray = std::thread::spawn(move || {
        let other = elsewhere();
        for i in 0..BOUND {
            if done.load(Ordering::SeqCst) {
                break;
            }
            if let Some(c) = *client.lock().unwrap() {
                let junk: &[u8] = if i % 2 == 0 { b"junk" } else { &[0, 4, 0, 1] };
                let _ = other.send_to(junk, c);
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    });
    Peer {
        port,
        requests,
        stop,
        threads: vec![server, stray],
    }
}

#[test]
fn a_lost_request_among_stray_packets_is_resent_and_the_boot_completes() {
    let mut files = sip812();
    files.push((
        "SIPDefault.cnf".into(),
        b"image_version: P0S3-8-12-00\n".to_vec(),
    ));
    let d = tempfile::tempdir().unwrap();
    write_files(d.path(), &files);
    let peer = drops_the_first_request_among_strays(&files);
    let (out, err, code) = boot(peer.port);
    let requests = peer.finish();
    // The first request was lost; the same client port asked again.
    assert!(requests.len() >= 2, "{requests:?}");
    assert_eq!(requests[0], requests[1], "{requests:?}");
    assert_eq!(code, Some(0), "{out}{err}");
    let mut net: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(net["verdict"]["kind"], "settles", "{net}");
    // Just as the same files in a folder answer.
    let mut a = vec!["boot", d.path().to_str().unwrap(), "--mac", MAC];
    a.extend_from_slice(&ARGS);
    let (mut dir, dc) = json(&a);
    assert_eq!(dc, 0);
    for v in [&mut net, &mut dir] {
        v.as_object_mut().unwrap().remove("source");
    }
    assert_eq!(net, dir);
}
