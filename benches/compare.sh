#!/usr/bin/env bash
# Side-by-side timing of `loadsmith inspect` against unzip -t, 7z t, bsdtar -xOf
# and tar xzf -O on the same generated firmware-like corpus, in one run.
# Usage: benches/compare.sh [SIZE_MB] (default 200; the issue's reference is 600)
# Prints medians of 3 runs (page cache warm) and ratios (other tool / loadsmith).
set -euo pipefail
cd "$(dirname "$0")/.."
MB="${1:-200}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet
bin="$PWD/target/release/loadsmith"
python3 - "$work" "$MB" <<'PY'
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
        for j in range(5): z.writestr(f"m{j}.sbn", member(j + k, 60_000))
print(f"corpus: {total/1e6:.0f} MB uncompressed in {len(files)} members; 120 small zips")
PY
median() { sort -n | sed -n 2p; }
time3() { for _ in 1 2 3; do /usr/bin/env time -f %e "$@" >/dev/null 2>>"$work/t" || true; tail -1 "$work/t"; done | median; }
have() { command -v "$1" >/dev/null 2>&1; }
row() { printf '%-44s %8s s' "$1" "$2"; [ -n "${3:-}" ] && awk -v a="$2" -v b="$3" 'BEGIN{ if (b>0) printf "   %.2fx loadsmith", a/b }'; echo; }
cat "$work/large.zip" "$work/large.tar.gz" "$work"/many/* >/dev/null
ls=$(time3 "$bin" --json inspect "$work/large.zip"); row "loadsmith inspect large.zip" "$ls"
have unzip && row "unzip -t large.zip" "$(time3 unzip -tqq "$work/large.zip")" "$ls"
have 7z && row "7z t large.zip" "$(time3 7z t "$work/large.zip")" "$ls"
have bsdtar && row "bsdtar -xOf large.zip" "$(time3 bsdtar -xOf "$work/large.zip")" "$ls"
lt=$(time3 "$bin" --json inspect "$work/large.tar.gz"); row "loadsmith inspect large.tar.gz" "$lt"
row "tar xzf large.tar.gz -O" "$(time3 tar xzf "$work/large.tar.gz" -O)" "$lt"
lm=$(time3 "$bin" --json inspect "$work/many"); row "loadsmith inspect many/ (120 zips)" "$lm"
have unzip && row "unzip -t loop over many/" "$(time3 sh -c "for f in $work/many/*.zip; do unzip -tqq \$f; done")" "$lm"
peak=$( { /usr/bin/env time -f %M "$bin" --json inspect "$work/large.zip" >/dev/null || true; } 2>&1 | tail -1)
echo "peak RSS of loadsmith inspect large.zip: $((peak / 1024)) MB"
