#!/usr/bin/env bash
# The Ansible collection against three TFTP servers on this machine: a
# virtual environment with ansible-core from PyPI, the loadsmith binary of
# this tree, three roots in a temporary folder. Fails on the first
# assertion that does not hold.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
bin=${LOADSMITH_BIN:-}
if [ -z "$bin" ]; then
    (cd "$top" && cargo build --quiet --locked)
    bin="${CARGO_TARGET_DIR:-$top/target}/debug/loadsmith"
fi
venv=${ANSIBLE_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/loadsmith-ansible-venv}
if [ ! -x "$venv/bin/ansible-playbook" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check ansible-core
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ANSIBLE_COLLECTIONS_PATH="$top/contrib/ansible"
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_LOCALHOST_WARNING=0
play() {
    "$venv/bin/ansible-playbook" -i "$here/inventory.yml" \
        -e "work=$work" -e "loadsmith_bin=$bin" \
        -e "bundle=$top/testdata/P0S3-8-12-00-sample.zip" "$@"
}
say() { printf '\n== %s\n' "$*"; }
pointers() { ls "$work"/tftp*/root/SIPDefault.cnf "$work"/tftp*/root/OS79XX.TXT 2>/dev/null | wc -l; }

say "phase files on all three; a second run changes nothing"
play "$here/files.yml"
[ "$(pointers)" -eq 0 ] || { echo "the files phase wrote a pointer file"; exit 1; }

say "tftp3 loses a file: the check-mode pass fails there, and no server's pointers change"
rm "$work/tftp3/root/P0S3-8-12-00.sb2"
if play "$here/pointers.yml" >"$work/failed.log" 2>&1; then
    cat "$work/failed.log"; echo "the pointers play passed with a file missing on tftp3"; exit 1
fi
grep -q "P0S3-8-12-00.sb2 is not in the root" "$work/failed.log" \
    || { cat "$work/failed.log"; echo "the failure does not name the missing file"; exit 1; }
[ "$(pointers)" -eq 0 ] || { echo "a server's pointers changed after tftp3 failed"; exit 1; }

say "files again (tftp3 gets its file back), then pointers on all"
play "$here/files.yml"
play "$here/pointers.yml"
[ "$(pointers)" -eq 6 ] || { echo "not every server was pointed at the set"; exit 1; }

say "undo on tftp1: check mode changes nothing, the real undo takes back its pointers phase"
play "$here/undo.yml"
[ "$(pointers)" -eq 4 ] || { echo "undo on tftp1 did not take back exactly its two pointer files"; exit 1; }
[ -f "$work/tftp1/root/P0S3-8-12-00.sb2" ] || { echo "undo of the pointers phase removed a set file"; exit 1; }
say "ok"
