# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:

    DOCUMENTATION = r'''
options:
  concurrency:
    description:
      - How many requests may be in flight at once (1 to 64). Instances, time windows and pages are all fetched
        on one pool of this size, so one task covers many instances without one module run per instance.
      - Lower it if the account is throttled (HTTP 429); throttled requests are retried anyway.
    type: int
    default: 8
'''
