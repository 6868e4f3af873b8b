# -*- coding: utf-8 -*-
# Shared by the loadsmith.tftp modules: run the loadsmith binary with
# --json and turn its one JSON document into a module result.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

# The configuration files a stage may edit (read for diff mode).
POINTER_FILES = ("OS79XX.TXT", "SIPDefault.cnf", "XMLDefault.cnf.xml", "MGCDefault.cnf")
# The most of a pointer file read for a diff (real ones are a few kB).
MAX_POINTER = 1024 * 1024


def binary_path(module):
    """The loadsmith binary: a path as given, else looked up on PATH."""
    b = module.params["binary"]
    if os.sep in b:
        return b
    return module.get_bin_path(b, required=True)


def run(module, args):
    """Runs `loadsmith --json ARGS`; returns (rc, document). A document
    carrying an error (a refusal, unreadable input) fails the module with
    the error's title, details and hint as the message."""
    cmd = [binary_path(module), "--json"] + list(args)
    rc, out, err = module.run_command(cmd)
    try:
        doc = json.loads(out)
    except ValueError:
        module.fail_json(
            msg="loadsmith printed no JSON document (exit %d): %s" % (rc, err.strip()),
            rc=rc,
            cmd=cmd,
            stderr=err,
        )
    if isinstance(doc, dict) and "error" in doc:
        e = doc["error"]
        lines = [e.get("title") or "loadsmith failed"]
        lines.extend(e.get("details") or [])
        if e.get("hint"):
            lines.append("hint: %s" % e["hint"])
        module.fail_json(msg="\n".join(lines), rc=rc, cmd=cmd, loadsmith=doc)
    return rc, doc


def read_small(path):
    """A pointer file's text, or None when absent."""
    try:
        with open(path, "rb") as f:
            return f.read(MAX_POINTER).decode("utf-8", "replace")
    except (IOError, OSError):
        return None


def snapshot(root, names):
    """The pointer files' texts now, by name."""
    return dict((n, read_small(os.path.join(root, n))) for n in names)


def diffs(root, entries, before, check_mode):
    """Diff mode: each changed pointer file's before and after. In check
    mode nothing was written: the diff lines loadsmith planned are shown."""
    out = []
    for e in entries:
        if e.get("action") == "unchanged" or "diff" not in e:
            continue
        name = e.get("file") or e.get("name")
        path = e.get("path") or name
        if check_mode:
            out.append(
                {
                    "before_header": name,
                    "after_header": name,
                    "prepared": "\n".join(e.get("diff") or []),
                }
            )
            continue
        out.append(
            {
                "before_header": name,
                "after_header": name,
                "before": before.get(path) or "",
                "after": read_small(os.path.join(root, path)) or "",
            }
        )
    return out
