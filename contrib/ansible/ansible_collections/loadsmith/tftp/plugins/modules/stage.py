#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: loadsmith contributors
# MIT License (see the loadsmith repository)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: stage
short_description: Stage a phone firmware load into a TFTP root with loadsmith
description:
  - Runs C(loadsmith stage) on the managed host and reports what it did.
  - In check mode it runs C(loadsmith stage --dry-run) and reports C(changed) from the plan.
  - A second run with the same arguments reports C(changed=false).
  - A refusal (a set incomplete, a phone that would not reach the target, a file
    written by hand) fails the task with loadsmith's title, details and hint.
  - Across many servers, run I(phase=files) everywhere first, then I(phase=pointers)
    once every server holds the files.
version_added: "0.1.0"
author: loadsmith contributors
options:
  root:
    description: The TFTP root.
    type: path
    required: true
  target:
    description: The load to stage, in either spelling (C(P0S3-08-12-00), C(SCCP41.9-4-2SR3-1S)).
    type: str
    required: true
  from:
    description: Bundles or folders on the managed host to find the target in.
    type: list
    elements: path
    default: []
  phase:
    description:
      - C(all) writes the set and points the root at it (a plain stage).
      - C(files) writes the set only (C(--files-only)); phones see nothing new.
      - C(pointers) edits the pointer files only (C(--pointers-only)) and is refused
        unless every file of the set is in the root with the digest the manifest recorded.
    type: str
    choices: [all, files, pointers]
    default: all
  force:
    description: Replace files written by hand and stage even when a phone would not reach the target.
    type: bool
    default: false
  prune:
    description: Remove files earlier stages wrote that nothing points at any more.
    type: bool
    default: false
  running:
    description: The image 7940/7960 phones run now, when it matters (SCCP to SIP in one step).
    type: str
  map_file:
    description: tftpd-hpa's remap rules (the file given to C(in.tftpd -m)).
    type: path
  binary:
    description: The loadsmith binary on the managed host (a path, or a name looked up on C(PATH)).
    type: str
    default: loadsmith
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
notes:
  - Diff mode shows the pointer files before and after (in check mode, the lines loadsmith would change).
"""

EXAMPLES = r"""
- name: Put the set on every server (phones see nothing new)
  loadsmith.tftp.stage:
    root: /srv/tftp
    target: SIP41.9-4-2SR3-1S
    from: [/var/cache/firmware/cmterm-7941_7961-sip.9-4-2SR3-1.zip]
    phase: files

- name: Then point every server at it
  loadsmith.tftp.stage:
    root: /srv/tftp
    target: SIP41.9-4-2SR3-1S
    from: [/var/cache/firmware/cmterm-7941_7961-sip.9-4-2SR3-1.zip]
    phase: pointers
"""

RETURN = r"""
changed:
  description: True when the stage wrote (or, in check mode, would write) anything.
  returned: always
  type: bool
loadsmith:
  description: The JSON document C(loadsmith stage --json) printed (see docs/json.md).
  returned: always
  type: dict
  sample: {"target": "P0S3-8-12-00", "changed": true, "dry_run": false, "phase": "all"}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.loadsmith.tftp.plugins.module_utils.loadsmith import (
    POINTER_FILES,
    diffs,
    run,
    snapshot,
)


def arguments(p, check_mode):
    args = ["stage", "--target", p["target"]]
    for f in p["from"]:
        args += ["--from", f]
    if p["phase"] == "files":
        args.append("--files-only")
    elif p["phase"] == "pointers":
        args.append("--pointers-only")
    for flag in ("force", "prune"):
        if p[flag]:
            args.append("--" + flag)
    if p["running"]:
        args += ["--running", p["running"]]
    if p["map_file"]:
        args += ["--map-file", p["map_file"]]
    if check_mode:
        args.append("--dry-run")
    args.append(p["root"])
    return args


def main():
    module = AnsibleModule(
        argument_spec=dict(
            root=dict(type="path", required=True),
            target=dict(type="str", required=True),
            phase=dict(type="str", choices=["all", "files", "pointers"], default="all"),
            force=dict(type="bool", default=False),
            prune=dict(type="bool", default=False),
            running=dict(type="str"),
            map_file=dict(type="path"),
            binary=dict(type="str", default="loadsmith"),
            **{"from": dict(type="list", elements="path", default=[])}
        ),
        supports_check_mode=True,
    )
    p = module.params
    before = snapshot(p["root"], POINTER_FILES) if module._diff else {}
    rc, doc = run(module, arguments(p, module.check_mode))
    result = dict(changed=bool(doc.get("changed")), loadsmith=doc, rc=rc)
    if module._diff:
        result["diff"] = diffs(p["root"], doc.get("edits") or [], before, module.check_mode)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
