#!/usr/bin/env bash
# Times `loadsmith check` on a root the size of a real cluster: N per-phone
# SEP<MAC>.cnf.xml files (default 50000) naming four family loads (one of
# them missing, as in real roots), the loads' sets, term files and an
# XMLDefault.cnf.xml. Reports the median of 5 runs and peak RSS, for the
# human output and for --json. `BENCH_DIR=folder` keeps the root.
set -euo pipefail
N=${1:-50000}
cd "$(dirname "$0")/.."
cargo build --release --quiet
BIN=$PWD/target/release/loadsmith
DIR=${BENCH_DIR:-$(mktemp -d)}
ROOT=$DIR/cluster-root
if [ ! -d "$ROOT" ]; then
  mkdir -p "$ROOT"
  python3 - "$ROOT" "$N" <<'PY'
import os, struct, sys
root, n = sys.argv[1], int(sys.argv[2])
def el(tag, value):
    return bytes([tag]) + struct.pack(">H", len(value)) + value
def signed(name, body):
    # The vendor's header layout (formats.md §1), a dummy signature.
    signer = el(4, b"CN=someSigner;OU=someOrgUnit;O=someOrg\0") + el(5, bytes(8)) + el(6, b"CN=someCA\0")
    sig = el(8, b"\x01") + el(9, el(10, b"\x00") + el(11, b"\x02"))
    body_h = el(3, signer) + el(7, sig) + el(12, b"\x5a" * 256) + el(14, name.encode() + b"\0")
    total = (10 + len(body_h) + 3) // 4 * 4
    h = bytes([1, 0, 2, 1, 1, 2, 0, 2]) + struct.pack(">H", total) + body_h
    return h + b"\r" * (total - len(h)) + body
loads = {"41": "SCCP41.9-4-2SR3-1S", "42": "SCCP42.9-4-2SR3-1S", "45": "SCCP45.9-4-2SR4-3S"}
for ff, load in loads.items():
    v = "9-4-2ES26"
    comps = [f"jar{ff}sccp.{v}.sbn", f"cnu{ff}.{v}.sbn", f"apps{ff}.{v}.sbn", f"dsp{ff}.{v}.sbn", f"cvm{ff}sccp.{v}.sbn"]
    lst = ("#\r\n# RELEASE load version " + v + "\r\n#\r\n\r\n" + "".join(c + "\r\n" for c in comps)).encode()
    open(f"{root}/{load}.loads", "wb").write(signed(load + ".loads", lst))
    for c in comps:
        open(f"{root}/{c}", "wb").write(signed(c, os.urandom(64 * 1024)))
names = list(loads.values()) + ["SCCP41.9-4-2SR9-9S"]
for i in range(n):
    mac = "%012X" % (0x001122000000 + i)
    load = names[i % 3] if i % 997 else names[3]
    open(f"{root}/SEP{mac}.cnf.xml", "w").write(
        f"<device>\n<deviceProtocol>SCCP</deviceProtocol>\n<loadInformation>{load}</loadInformation>\n</device>\n")
open(f"{root}/XMLDefault.cnf.xml", "w").write(
    "<Default>\n" + "".join(f"<loadInformation{dt}>{l}</loadInformation{dt}>\n" for dt, l in
                              [(115, names[0]), (30018, names[0]), (434, names[1]), (404, names[1]), (435, names[2]), (436, names[2])]) + "</Default>\n")
PY
fi
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
run() {
  for _ in 1 2 3 4 5; do
    { /usr/bin/time -f "%e %M" "$BIN" "$@" "$ROOT" 2>&1 >/dev/null || true; } | tail -1
  done
}
"$BIN" check "$ROOT" > /dev/null || true   # warm the page cache
echo "root: $N per-phone files, $(ls "$ROOT" | wc -l) files in all"
for mode in "" "--json"; do
  out=$(run $mode check)
  t=$(echo "$out" | awk '{print $1}' | median)
  m=$(echo "$out" | awk '{print $2}' | sort -n | tail -1)
  echo "loadsmith $mode check: median ${t} s, peak RSS ${m} KB"
done
echo "human output: $("$BIN" check "$ROOT" | wc -l) lines"
[ -n "${BENCH_DIR:-}" ] || rm -rf "$DIR"
