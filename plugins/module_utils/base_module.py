# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Base class of every module: common options, the client, and errors turned into one-line ``fail_json``.

A module subclasses :class:`HuaweiCloudModule`, declares ``argument_spec``, ``module_kwargs`` and
``result_key``, implements ``run()`` returning its result, and its ``main()`` is ``MyModule()()``.
"""

import threading

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.client import HAS_REQUESTS, REQUESTS_IMPORT_ERROR, HuaweiCloudClient
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.common_options import common_argument_spec
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.concurrency import check_concurrency
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.config import ClientConfig, check_id
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudConfigError, HuaweiCloudError, clip
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.result_output import exit_sparing
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.shapes import unique

# Every retry a task made is in its result (``api_retries``), whatever the verbosity: a task that only succeeded on a
# second try is something to know. Bounded so that a long outage cannot flood the result: at most this many lines,
# each cut at this many characters, and one last line that counts the others.
MAX_RETRY_LINES = 50
RETRY_LINE_CHARACTERS = 500


class HuaweiCloudModule:
    argument_spec = {}
    module_kwargs = {}
    # The plural list key of the module's result; on a failure it carries whatever was fetched before it.
    result_key = None

    def __init__(self):
        spec = common_argument_spec()
        spec.update(self.argument_spec)
        self.ansible = AnsibleModule(argument_spec=spec, **self.module_kwargs)
        self.params = self.ansible.params
        self.client = None
        self._retries = []
        self._retry_count = 0
        self._retries_lock = threading.Lock()

    def run(self):
        """Do the module's work with ``self.client``; return the result keys (without ``changed``)."""
        raise NotImplementedError

    def selected_instance_ids(self):
        """``instance_id`` or ``instance_ids`` as one list, each ID once; refused before any request when an ID
        is empty, ``.`` or ``..`` (they would be normalised away in the request path)."""
        option = 'instance_id' if self.params.get('instance_id') is not None else 'instance_ids'
        ids = [self.params['instance_id']] if option == 'instance_id' else self.params.get('instance_ids') or []
        for instance_id in ids:
            check_id(instance_id, option)
        return unique(ids)

    def optional_id(self, option):
        """The value of an optional ID or name filter; given but empty is an error, not an empty result."""
        value = self.params.get(option)
        if value is not None:
            check_id(value, option)
        return value

    @property
    def concurrency(self):
        return check_concurrency(self.params.get('concurrency'))

    def __call__(self):
        if not HAS_REQUESTS:
            self.ansible.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
        try:
            config = ClientConfig(self.params)
            self.client = HuaweiCloudClient(config, log=self._record_retry, pool_size=self.params.get('concurrency') or 1)
            # Secrets the client obtains later (an issued token) are masked by Ansible in the result too.
            self.client.secrets.subscribe(self.ansible.no_log_values.add)
            for warning in config.warnings():
                self.ansible.warn(warning)
            result = self.run()
        except HuaweiCloudConfigError as error:
            self.ansible.fail_json(msg=str(error))
        except HuaweiCloudError as error:
            extra = self._debug_info()
            if self.result_key:
                extra[self.result_key] = error.partial_results or []
            # A module that changes something tells what it did before the failure (files written, for example).
            extra.update(getattr(error, 'result', None) or {})
            self.ansible.fail_json(msg=str(error), error=error.to_dict(), **extra)
        else:
            result.update(self._debug_info())
            changed = result.pop('changed', False)
            # The record list spared Ansible's per-value scrub when provably free of secrets: same output, less CPU.
            exit_sparing(self.ansible, dict(changed=changed, **result), self.result_key)

    def _record_retry(self, message):
        # Called from the client's worker threads; only the first lines are kept, the others counted.
        with self._retries_lock:
            self._retry_count += 1
            if len(self._retries) < MAX_RETRY_LINES:
                self._retries.append(message)

    def _debug_info(self):
        if not self._retry_count:
            return {}
        return {'api_retries': retry_report(self._retries, self._retry_count, self.client.secrets.scrub if self.client else str)}


def retry_report(lines, count, scrub):
    """The ``api_retries`` list: ``lines`` scrubbed (before they are cut, so that no part of a secret survives), each
    cut at RETRY_LINE_CHARACTERS, at most MAX_RETRY_LINES of them, and one more line naming how many of the ``count``
    retries are not listed."""
    report = [clip(scrub(line), RETRY_LINE_CHARACTERS) for line in lines[:MAX_RETRY_LINES]]
    if count > len(report):
        report.append('... and %d more retries, not listed' % (count - len(report)))
    return report
