# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""A benchmark fixture, not a module of the collection: prints a module result recorded earlier, byte for byte, and
does nothing else (no request, no record work). As a task it costs what Ansible itself spends on a result of that
size: module start-up, then the controller decoding, copying and registering it. bench_dbss_sql.py uses it for the
floor under any module that returns the same records (ANSIBLE_LIBRARY points at this folder)."""

import sys

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(path=dict(type='path', required=True)), supports_check_mode=True)
    with open(module.params['path'], 'rb') as handle:
        recorded = handle.read()
    sys.stdout.buffer.write(recorded)
    sys.stdout.flush()
    sys.exit(0)


if __name__ == '__main__':
    main()
