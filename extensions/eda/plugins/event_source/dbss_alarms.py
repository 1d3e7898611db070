# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Event-Driven Ansible source: new DBSS audit alarms (and HIGH-risk audited statements) as events."""


DOCUMENTATION = r'''
---
author:
  - hwcloud.dbaudit contributors (@hwcloud)
short_description: Receive new DBSS audit alarms (and HIGH-risk audited statements) as events
description:
  - An ansible-rulebook event source that polls the alarm log of Huawei Cloud Database Security Service (DBSS) audit
    instances every O(interval) seconds and puts one event on the queue per new alarm, each exactly once.
  - With O(statements=true) it also emits one event per new HIGH-risk audited SQL statement.
  - Connection options are those of the collection's modules, with the same environment variables (C(HW_REGION_NAME),
    C(HW_ACCESS_KEY), C(HW_SECRET_KEY), C(HW_DBSS_ENDPOINT), C(HW_ASSUME_ROLE_AGENCY_NAME), ...); see the
    C(hwcloud.dbaudit.common) documentation fragment. Requests go through the collection's client, with its
    retries, flow control and secret scrubbing.
  - Without O(cursor_file) the source starts from now. With it, a restarted rulebook goes on where it stopped, with
    neither duplicates nor gaps.
  - A failed poll is logged (one line, no secret, no traceback) and retried at the next interval; it never ends the
    rulebook. Bad arguments stop the source at once with a one-line message.
  - See docs/eda.md for the event format and an example rulebook (extensions/eda/rulebooks/dbss_high_alarm.yml).
options:
  cursor_file:
    description:
      - A file (created, mode 0600, replaced atomically after every poll) that records how far each audit instance
        has been read and the IDs already emitted. One file per region and rulebook.
    type: path
  instance_ids:
    description:
      - The audit instances to poll. Default is every ACTIVE audit instance of the region, listed again every 10
        minutes.
    type: list
    elements: str
  interval:
    description: Seconds between polls, from 1 to 86400.
    type: float
    default: 60
  risk_levels:
    description: The alarm risk levels to emit.
    type: list
    elements: str
    choices: [HIGH, LOW, MEDIUM]
    default: [HIGH, MEDIUM]
  statements:
    description: Also emit one event per new HIGH-risk audited SQL statement.
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: React to HIGH DBSS alarms
  hosts: localhost
  sources:
    - hwcloud.dbaudit.dbss_alarms:
        region: cn-north-4
        risk_levels: [HIGH]
        interval: 60
        cursor_file: /var/lib/eda/dbss_alarms.cursor
  rules:
    - name: HIGH alarm
      condition: event.type == "dbss_alarm" and event.alarm.alarm_risk == "HIGH"
      action:
        run_playbook:
          name: incident_bundle.yml
'''

import asyncio
import logging
import os
import sys


def _collection_importable():
    """ansible-rulebook runs this file by path: make the collection it sits in importable as ansible_collections."""
    try:
        import ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.eda.alarms  # noqa: F401 pylint: disable=unused-import
        return
    except ImportError:
        pass
    # .../ansible_collections/hwcloud/dbaudit/extensions/eda/plugins/event_source/dbss_alarms.py
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.abspath(os.path.join(here, *([os.pardir] * 7)))
    if os.path.isdir(os.path.join(root, 'ansible_collections')) and root not in sys.path:
        sys.path.insert(0, root)


_collection_importable()

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudConfigError  # noqa: E402
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.eda.alarms import AlarmPoller, check_args  # noqa: E402

LOGGER = logging.getLogger('hwcloud.dbaudit.dbss_alarms')


class SourceArgumentError(Exception):
    """Bad arguments or an unusable cursor file: the rulebook engine prints the one-line message and stops."""


def _log(level, message):
    getattr(LOGGER, level)(message)


async def main(queue, args):
    """Put one dict event on ``queue`` per new alarm (and statement) until cancelled."""
    try:
        params, config = check_args(args)
        poller = AlarmPoller(params, config, _log)
    except HuaweiCloudConfigError as error:
        # Raised from None: the message is the whole story (no chained traceback of the validation).
        raise SourceArgumentError(str(error)) from None
    loop = asyncio.get_running_loop()
    try:
        first = True
        while True:
            # The client is synchronous (requests): each poll runs on a worker thread, the loop stays responsive.
            events = await loop.run_in_executor(None, poller.safe_poll)
            if first:
                LOGGER.info(poller.describe())
                first = False
            for event in events:
                await queue.put(event)
            # Only once the events are on the queue: a stop before this repeats them at the restart, never loses them.
            await loop.run_in_executor(None, poller.save_cursor)
            await asyncio.sleep(params['interval'])
    finally:
        # On cancellation too: the session is closed; a poll still running ends within the client's timeout.
        poller.close()


if __name__ == '__main__':
    class _PrintQueue:
        async def put(self, event):
            print(event)  # noqa: T201

    logging.basicConfig(level=logging.INFO)
    asyncio.run(main(_PrintQueue(), {}))
