#!/usr/bin/env bash
# Side-by-side timing of `loadsmith inspect` against unzip -t, 7z t, bsdtar -xOf
# and tar xzf -O on the same generated firmware-like corpus, in one run.
# Usage: benches/compare.sh [SIZE_MB] (default 200; the issue's reference is 600)
# Prints medians of 5 runs (page cache warm): wall time, CPU time (user+sys)
# and ratios (other tool / loadsmith, wall). With
# ../shared/realworld/sip-7941-7961-8.5.4 present, also the real-firmware
# corpus (40 zips of that set, one tar.gz of 26 copies), timed in ROUNDS
# (default 7) interleaved rounds, each running every tool once; then the
# peak-memory series by member count and by bundle count x --jobs, and
# sha256sum as a reference. The load average is printed before and after:
# on a shared machine, compare CPU times.
set -euo pipefail
cd "$(dirname "$0")/.."
MB="${1:-200}"
# BENCH_DIR=folder keeps the corpus there (and reuses it when it is already built).
if [ -n "${BENCH_DIR:-}" ]; then work="$BENCH_DIR"; mkdir -p "$work"; else work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT; fi
cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-$PWD/target}/release/loadsmith"
[ -f "$work/large.zip" ] || python3 - "$work" "$MB" <<'PY'
import os, random, sys, zipfile, tarfile, io
work, mb = sys.argv[1], int(sys.argv[2])
rnd = random.Random(7)
def member(i, size):
    kind = i % 3
    if kind == 0:   # incompressible (signed, encrypted-like)
        return os.urandom(size)
    if kind == 1:   # compressible binary (code-like)
        words = [rnd.randbytes(4) for _ in range(64)]
        return b"".join(rnd.choice(words) for _ in range(size // 4))
    text = b"".join(b"line %d of a release note or a java class, value=%d\n" % (j, rnd.randint(0, 99)) for j in range(size // 48))
    return text[:size]
files, total, i = [], 0, 0
while total < mb * 1_000_000:
    size = rnd.choice([200_000, 1_000_000, 3_000_000, 8_000_000])
    files.append((f"comp{i:03d}.9-4-2ES26.sbn", member(i, size))); total += size; i += 1
with zipfile.ZipFile(f"{work}/large.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
    for n, b in files: z.writestr(n, b)
with tarfile.open(f"{work}/large.tar.gz", "w:gz", compresslevel=6) as t:
    for n, b in files:
        ti = tarfile.TarInfo(n); ti.size = len(b); t.addfile(ti, io.BytesIO(b))
os.makedirs(f"{work}/many")
for k in range(120):
    with zipfile.ZipFile(f"{work}/many/b{k:03d}.zip", "w", zipfile.ZIP_DEFLATED) as z:
        for j in range(5): z.writestr(f"m{j}.sbn", member(j + k, 300_000))
# A stageable family load (signed headers as in docs/../reference layout):
# five components of a fifth of the corpus each, plus the .loads.
def tlv(tag, v): return bytes([tag]) + len(v).to_bytes(2, "big") + v
def signed(name, body):
    signer = tlv(4, b"CN=bench\0") + tlv(5, b"\x12\x34\x56\x78") + tlv(6, b"CN=benchCA\0")
    sig = tlv(8, b"\x01") + tlv(9, tlv(0x0A, b"\x00") + tlv(0x0B, b"\x02"))
    h = tlv(3, signer) + tlv(7, sig) + tlv(0x0C, b"\x5a" * 256) + tlv(0x0E, name.encode() + b"\0")
    total = (10 + len(h) + 3) // 4 * 4
    head = bytes([1, 0, 2, 1, 1, 2, 0, 2]) + total.to_bytes(2, "big") + h
    return head.ljust(total, b"\x0d") + body
v = "9-4-2ES26"
comps = [f"jar41sccp.{v}.sbn", f"cnu41.{v}.sbn", f"apps41.{v}.sbn", f"dsp41.{v}.sbn", f"cvm41sccp.{v}.sbn"]
with zipfile.ZipFile(f"{work}/set.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
    z.writestr("SCCP41.9-4-2SR3-1S.loads", signed("SCCP41.9-4-2SR3-1S.loads", "".join(c + "\r\n" for c in comps).encode()))
    for k, c in enumerate(comps):
        z.writestr(c, signed(c, member(k, mb * 1_000_000 // 5)))
print(f"corpus: {total/1e6:.0f} MB uncompressed in {len(files)} members; 120 small zips")
PY
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# The median of numbers on stdin.
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# One run of a command: "wall cpu" in seconds (cpu = user + sys).
once() {
  local t; t=$(mktemp)
  /usr/bin/env time -f "%e %U %S" -o "$t" "$@" >/dev/null 2>&1 || true
  awk '/^[0-9]/ { printf "%.3f %.3f\n", $1, $2 + $3 }' "$t"; rm -f "$t"
}
# Median wall and CPU time of 5 runs: "wall cpu".
time3() {
  local runs; runs=$(for _ in 1 2 3 4 5; do once "$@"; done)
  echo "$(cut -d' ' -f1 <<<"$runs" | median) $(cut -d' ' -f2 <<<"$runs" | median)"
}
have() { command -v "$1" >/dev/null 2>&1; }
# row LABEL "WALL CPU" [LOADSMITH_WALL]
row() {
  local w c; read -r w c <<<"$2"
  printf '%-56s %8s s wall %8s s cpu' "$1" "$w" "$c"
  [ -n "${3:-}" ] && awk -v a="$w" -v b="$3" 'BEGIN{ if (b>0) printf "   %.2fx loadsmith", a/b }'; echo
}
# rounds LABEL=COMMAND...: ROUNDS interleaved rounds (each runs every
# command once, in turn), then a row per command; ratios against the first.
rounds() {
  local n="${ROUNDS:-7}" i k out; out=$(mktemp)
  for i in $(seq "$n"); do
    k=0; for lc in "$@"; do echo "$k $(once sh -c "${lc#*=}")" >>"$out"; k=$((k + 1)); done
  done
  local first=""; k=0
  for lc in "$@"; do
    local w c; w=$(awk -v k=$k '$1 == k { print $2 }' "$out" | median); c=$(awk -v k=$k '$1 == k { print $3 }' "$out" | median)
    row "${lc%%=*}" "$w $c" "$first"; [ -z "$first" ] && first=$w; k=$((k + 1))
  done
  rm -f "$out"
}
cat "$work/large.zip" "$work/large.tar.gz" "$work"/many/* >/dev/null
ls=$(time3 "$bin" --json inspect "$work/large.zip"); row "loadsmith inspect large.zip" "$ls"; ls=${ls%% *}
have unzip && row "unzip -t large.zip" "$(time3 unzip -tqq "$work/large.zip")" "$ls"
have 7z && row "7z t large.zip" "$(time3 7z t "$work/large.zip")" "$ls"
have bsdtar && row "bsdtar -xOf large.zip" "$(time3 bsdtar -xOf "$work/large.zip")" "$ls"
lt=$(time3 "$bin" --json inspect "$work/large.tar.gz"); row "loadsmith inspect large.tar.gz" "$lt"; lt=${lt%% *}
row "tar xzf large.tar.gz -O" "$(time3 tar xzf "$work/large.tar.gz" -O)" "$lt"
have bsdtar && row "bsdtar -xOf large.tar.gz" "$(time3 bsdtar -xOf "$work/large.tar.gz")" "$lt"
lm=$(time3 "$bin" --json inspect "$work/many"); row "loadsmith inspect many/ (120 zips)" "$lm"; lm=${lm%% *}
have unzip && row "unzip -t loop over many/" "$(time3 sh -c "for f in $work/many/*.zip; do unzip -tqq \$f; done")" "$lm"
have 7z && row "7z t over many/ (one process)" "$(time3 7z t -an "-ai!$work/many/*.zip")" "$lm"
stage_ls() { rm -rf "$work/root"; mkdir "$work/root"; "$bin" --quiet stage --target SCCP41.9-4-2SR3-1S --from "$work/set.zip" "$work/root"; }
stage_unzip() { rm -rf "$work/root"; mkdir "$work/root"; unzip -oqq -d "$work/root" "$work/set.zip" && sync; }
export -f stage_ls stage_unzip; export bin work
ss=$(time3 bash -c stage_ls); row "loadsmith stage set.zip (verify, write, fsync, rename)" "$ss"; ss=${ss%% *}
have unzip && row "unzip -o -d root set.zip && sync" "$(time3 bash -c stage_unzip)" "$ss"
peak=$( { /usr/bin/env time -f %M "$bin" --json inspect "$work/large.zip" >/dev/null || true; } 2>&1 | tail -1)
echo "peak RSS of loadsmith inspect large.zip: $((peak / 1024)) MB"
peak=$( { /usr/bin/env time -f %M "$bin" --json inspect "$work/large.tar.gz" >/dev/null || true; } 2>&1 | tail -1)
echo "peak RSS of loadsmith inspect large.tar.gz: $((peak / 1024)) MB"
rm -rf "$work/root"; mkdir "$work/root"
peak=$( { /usr/bin/env time -f %M "$bin" --quiet stage --target SCCP41.9-4-2SR3-1S --from "$work/set.zip" "$work/root" || true; } 2>&1 | tail -1)
echo "peak RSS of loadsmith stage set.zip: $((peak / 1024)) MB"

# Reference: reading and hashing the bytes, nothing else.
row "sha256sum large.zip (reference: read + SHA-256 only)" "$(time3 sha256sum "$work/large.zip")" "$ls"

# The real-firmware corpus (the vendor's 7941/7961 SIP 8.5(4) set).
real="../shared/realworld/sip-7941-7961-8.5.4"
if [ -d "$real" ]; then
  [ -d "$work/real40" ] || python3 - "$work" "$real" <<'PY'
import os, sys, tarfile, zipfile
work, src = sys.argv[1], sys.argv[2]
files = sorted(os.listdir(src))
os.makedirs(f"{work}/real40")
for k in range(40):
    with zipfile.ZipFile(f"{work}/real40/b{k:02d}.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        for f in files: z.write(os.path.join(src, f), f)
with tarfile.open(f"{work}/real.tar.gz", "w:gz", compresslevel=6) as t:
    for k in range(26):
        for f in files: t.add(os.path.join(src, f), f"k{k:02d}/{f}")
PY
  cat "$work"/real40/* "$work/real.tar.gz" >/dev/null
  z=()
  z+=("loadsmith inspect real40/ (40 real 7941 zips)=$bin --json inspect $work/real40")
  have unzip && z+=("unzip -t loop over real40/=for f in $work/real40/*.zip; do unzip -tqq \$f; done")
  have 7z && z+=("7z t over real40/ (one process)=7z t -an '-ai!$work/real40/*.zip'")
  have bsdtar && z+=("bsdtar -xOf loop over real40/=for f in $work/real40/*.zip; do bsdtar -xOf \$f; done")
  z+=("sha256sum real40/* (reference)=sha256sum $work/real40/*")
  rounds "${z[@]}"
  g=("loadsmith inspect real.tar.gz=$bin --json inspect $work/real.tar.gz")
  g+=("tar xzf real.tar.gz -O=tar xzf $work/real.tar.gz -O")
  have bsdtar && g+=("bsdtar -xOf real.tar.gz=bsdtar -xOf $work/real.tar.gz")
  g+=("sha256sum real.tar.gz (reference)=sha256sum $work/real.tar.gz")
  rounds "${g[@]}"
  for n in 10 40 160; do
    mkdir -p "$work/realn$n"
    for k in $(seq 0 $((n - 1))); do ln -f "$work/real40/b$(printf %02d $((k % 40))).zip" "$work/realn$n/c$(printf %03d "$k").zip"; done
  done
else
  echo "real-firmware corpus skipped: $real is absent"
fi

# Peak memory series: members per zip, bundles per folder, --jobs.
peak_of() { { /usr/bin/env time -f %M "$bin" --json inspect "$@" >/dev/null || true; } 2>&1 | tail -1; }
for n in 1000 10000; do
  [ -f "$work/tiny$n.zip" ] || python3 -c "
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
    for i in range(int(sys.argv[2])): z.writestr(f'f{i:05d}.txt', b'x%d' % i)
" "$work/tiny$n.zip" "$n"
  for j in 1 2 4 64; do echo "peak RSS, zip of $n tiny members, --jobs $j: $(( $(peak_of --jobs $j "$work/tiny$n.zip") / 1024 )) MB"; done
done
for n in 10 40 160; do
  mkdir -p "$work/bundles$n"
  for k in $(seq 0 $((n - 1))); do ln -f "$work/many/b$(printf %03d $((k % 120))).zip" "$work/bundles$n/c$k.zip"; done
  for j in 2 4 64; do echo "peak RSS, $n bundles, --jobs $j: $(( $(peak_of --jobs $j "$work/bundles$n") / 1024 )) MB"; done
  if [ -d "$work/realn$n" ]; then
    for j in 2 4 64; do echo "peak RSS, $n real zips, --jobs $j: $(( $(peak_of --jobs $j "$work/realn$n") / 1024 )) MB"; done
  fi
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
