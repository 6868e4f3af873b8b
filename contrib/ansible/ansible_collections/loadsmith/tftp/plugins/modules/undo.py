#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: loadsmith contributors
# MIT License (see the loadsmith repository)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: undo
short_description: Take back the last stage of a TFTP root with loadsmith
description:
  - Runs C(loadsmith undo --json) on the managed host (the last stage kept in the
    root's history, per phase when the stage ran in two).
  - In check mode it runs C(loadsmith undo --dry-run) and reports C(changed) from the plan.
  - A refusal (a file changed by hand since the stage, a copy not kept) fails the
    task with loadsmith's title, details and hint.
version_added: "0.1.0"
author: loadsmith contributors
options:
  root:
    description: The TFTP root.
    type: path
    required: true
  binary:
    description: The loadsmith binary on the managed host (a path, or a name looked up on C(PATH)).
    type: str
    default: loadsmith
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
"""

EXAMPLES = r"""
- name: Take the last stage back
  loadsmith.tftp.undo:
    root: /srv/tftp
"""

RETURN = r"""
changed:
  description: True when a file was (or, in check mode, would be) restored or removed.
  returned: always
  type: bool
loadsmith:
  description: The JSON document C(loadsmith undo --json) printed (see docs/json.md).
  returned: always
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.loadsmith.tftp.plugins.module_utils.loadsmith import (
    POINTER_FILES,
    diffs,
    run,
    snapshot,
)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            root=dict(type="path", required=True),
            binary=dict(type="str", default="loadsmith"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    before = snapshot(p["root"], POINTER_FILES) if module._diff else {}
    args = ["undo"] + (["--dry-run"] if module.check_mode else []) + [p["root"]]
    rc, doc = run(module, args)
    files = doc.get("files") or []
    result = dict(
        changed=any(f.get("action") != "unchanged" for f in files),
        loadsmith=doc,
        rc=rc,
    )
    if module._diff:
        result["diff"] = diffs(p["root"], files, before, module.check_mode)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
