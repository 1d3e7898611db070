# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one rule set for account x region targets: the entries of the inventory's ``accounts`` and of the role's
``audit_compliance_targets``. Both name an account by a label and reach another account through the same agency
options, checked here by the client's own rules (``agency.py``) before any request, so that the inventory, the role
and the modules refuse exactly the same values with the same messages. The shapes differ only where the uses do: an
inventory entry lists the regions of one account, a role target is one account in one region.

A label is what users call the account or project (``prod-eu``, ``finance_cn``): 1 to 64 ASCII letters, digits,
``_`` and ``-``, starting with a letter or digit. It is shown as is (the ``account`` of findings, the
``<prefix>account`` host variable); in the inventory it names the group ``account_<label>`` with ``-`` mapped to
``_`` (a safe group name, unchanged by Ansible's group name sanitising). Two labels that map to the same group
(``prod-eu`` and ``prod_eu``, or that differ only in case) are refused as the same label.
"""

import re

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.agency import agency_settings
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudConfigError

LABEL = re.compile(r'[A-Za-z0-9][A-Za-z0-9_-]{0,63}\Z')
LABEL_RULE = 'a label of 1 to 64 ASCII letters, digits, _ and -, starting with a letter or digit'
GROUP_PREFIX = 'account_'


def is_label(value):
    return isinstance(value, str) and LABEL.match(value) is not None


def group_name(label):
    """The inventory group of the hosts of ``label``: ``account_<label>`` with ``-`` mapped to ``_``."""
    return GROUP_PREFIX + label.replace('-', '_')


def label_key(label):
    """What two labels must not share: their group name, without case."""
    return group_name(label).lower()


# The options of an entry that reach another account (none: the caller's own account).
AGENCY_KEYS = ('agency_name', 'agency_domain_name', 'agency_domain_id', 'agency_duration')
# The client's messages name the environment variables of the modules' options; an entry has none.
_ENVIRONMENT_HINT = re.compile(r' \(HW_[A-Z_]+\)')


def agency_of(entry):
    """The agency options an entry sets; null is not set."""
    return dict((key, entry[key]) for key in AGENCY_KEYS if entry.get(key) is not None)


def agency_problem(where, agency):
    """The first problem with the agency options of the entry at ``where`` (e.g. ``accounts[1]``), or None. An
    empty string is a mistake, not "unset"; everything else is what the modules would refuse."""
    empty = [key for key in AGENCY_KEYS if agency.get(key) == '']
    if empty:
        return '%s.%s must be a non-empty string, or left out' % (where, empty[0])
    if agency and not agency.get('agency_name') and 'agency_duration' in agency:
        return ('%s.agency_duration is set but agency_name is not: an entry without agency options is the caller\'s '
                'own account' % where)
    try:
        agency_settings(agency)
    except HuaweiCloudConfigError as error:
        return '%s.%s' % (where, _ENVIRONMENT_HINT.sub('', str(error)))
    return None


def account_identity(agency):
    """Which account an entry reaches: the caller's own (no agency), or an agency of one account."""
    return (agency.get('agency_name'), agency.get('agency_domain_name'), agency.get('agency_domain_id'))
