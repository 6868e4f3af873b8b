#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: loadsmith contributors
# MIT License (see the loadsmith repository)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: check
short_description: Check a TFTP root with loadsmith and return its fingerprint
description:
  - Runs C(loadsmith check --json) on the managed host. It never changes anything.
  - Returns the whole document and its C(fingerprint), one SHA-256 over what the
    root serves to phones; two servers with equal fingerprints tell every phone the same.
  - Fails when loadsmith reports an error finding, unless I(fail_on=never).
version_added: "0.1.0"
author: loadsmith contributors
options:
  root:
    description: The TFTP root.
    type: path
    required: true
  map_file:
    description: tftpd-hpa's remap rules (the file given to C(in.tftpd -m)).
    type: path
  fail_on:
    description: C(error) fails the task on an error finding; C(never) only reports.
    type: str
    choices: [error, never]
    default: error
  binary:
    description: The loadsmith binary on the managed host (a path, or a name looked up on C(PATH)).
    type: str
    default: loadsmith
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: What every server serves
  loadsmith.tftp.check:
    root: /srv/tftp
  register: served

- name: Every server serves the same
  ansible.builtin.assert:
    that: "ansible_play_hosts | map('extract', hostvars, ['served', 'fingerprint']) | unique | length == 1"
  run_once: true
"""

RETURN = r"""
fingerprint:
  description: SHA-256 over every pointer setting and every file of every set they name.
  returned: always
  type: str
  sample: 9bc2a718f05ac6cc5b15e82ed75b741a9e0ce9733f3db5a54704a73c995d7bb7
loadsmith:
  description: The JSON document C(loadsmith check --json) printed (see docs/json.md).
  returned: always
  type: dict
errors:
  description: The messages of the error findings.
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.loadsmith.tftp.plugins.module_utils.loadsmith import run


def main():
    module = AnsibleModule(
        argument_spec=dict(
            root=dict(type="path", required=True),
            map_file=dict(type="path"),
            fail_on=dict(type="str", choices=["error", "never"], default="error"),
            binary=dict(type="str", default="loadsmith"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    args = ["check"]
    if p["map_file"]:
        args += ["--map-file", p["map_file"]]
    args.append(p["root"])
    rc, doc = run(module, args)
    errors = [
        f.get("message", "")
        for f in doc.get("findings") or []
        if f.get("severity") == "error"
    ]
    result = dict(
        changed=False,
        loadsmith=doc,
        fingerprint=doc.get("fingerprint"),
        errors=errors,
        rc=rc,
    )
    if errors and p["fail_on"] == "error":
        module.fail_json(
            msg="loadsmith check found %d error(s) in %s:\n%s"
            % (len(errors), p["root"], "\n".join(errors)),
            **result
        )
    module.exit_json(**result)


if __name__ == "__main__":
    main()
