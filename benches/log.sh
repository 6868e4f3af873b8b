#!/usr/bin/env bash
# Times `loadsmith log` on a syslog of N lines (default 1,000,000): tftpd-hpa
# lines of 500 phones (7961s upgrading, 7906s looping on a term file, 7940s
# lost after the loader) interleaved with other daemons' lines. Median of 5
# runs and peak RSS; RSS is also taken at N/10 lines to show it stays flat.
# `BENCH_DIR=folder` keeps the logs.
set -euo pipefail
N=${1:-1000000}
cd "$(dirname "$0")/.."
cargo build --release --quiet
BIN=$PWD/target/release/loadsmith
DIR=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$DIR"
gen() {
  python3 - "$1" "$2" <<'PY'
import sys
n, out = int(sys.argv[1]), sys.argv[2]
seq = {
    "7961": ["term61.default.loads", "jar41sccp.9-4-2ES26.sbn", "cnu41.9-4-2ES26.sbn", "apps41.9-4-2ES26.sbn",
             "dsp41.9-4-2ES26.sbn", "cvm41sccp.9-4-2ES26.sbn", "CTLSEP{mac}.tlv", "SEP{mac}.cnf.xml", "XMLDefault.cnf.xml"],
    "7906": ["term06.default.loads"],
    "7940": ["CTLSEP{mac}.tlv", "SEP{mac}.cnf.xml", "XMLDefault.cnf.xml", "SIPDefault.cnf", "P003-8-12-00.sbn"],
}
noise = ["pbx CRON[2211]: (root) CMD (command -v debian-sa1 > /dev/null)",
         "pbx sshd[881]: Accepted publickey for admin from 10.0.0.9 port 51000",
         "pbx asterisk[1200]: chan_sccp: device registered"]
with open(out, "w") as f:
    i = pid = 0
    while i < n:
        for p in range(500):
            kind = ["7961", "7906", "7940"][p % 3]
            mac = "0011BB%06X" % p
            for name in seq[kind]:
                pid += 1
                s = 1 + (pid % 59)
                f.write(f"Nov 22 03:{(pid // 60) % 60:02}:{s:02} pbx in.tftpd[{pid}]: RRQ from 10.1.{p // 250}.{p % 250 + 1} filename {name.format(mac=mac)}\n")
                i += 1
                if name.startswith(("CTLSEP", "SEP")):
                    f.write(f"Nov 22 03:00:{s:02} pbx in.tftpd[{pid}]: sending NAK (1, File not found) to 10.1.{p // 250}.{p % 250 + 1}\n")
                    i += 1
                f.write(f"Nov 22 03:00:{s:02} {noise[pid % 3]}\n")
                i += 1
                if i >= n:
                    break
            if i >= n:
                break
PY
}
[ -f "$DIR/big.log" ] || gen "$N" "$DIR/big.log"
[ -f "$DIR/small.log" ] || gen "$((N / 10))" "$DIR/small.log"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
"$BIN" log "$DIR/big.log" > /dev/null || true
out=$(for _ in 1 2 3 4 5; do { /usr/bin/time -f "%e %M" "$BIN" log "$DIR/big.log" 2>&1 >/dev/null || true; } | tail -1; done)
small=$( { /usr/bin/time -f "%M" "$BIN" log "$DIR/small.log" 2>&1 >/dev/null || true; } | tail -1)
echo "log: $(wc -l < "$DIR/big.log") lines, $(du -m "$DIR/big.log" | cut -f1) MB"
echo "loadsmith log: median $(echo "$out" | awk '{print $1}' | median) s, peak RSS $(echo "$out" | awk '{print $2}' | sort -n | tail -1) KB"
echo "peak RSS on a tenth of the lines: ${small} KB"
[ -n "${BENCH_DIR:-}" ] || rm -rf "$DIR"
