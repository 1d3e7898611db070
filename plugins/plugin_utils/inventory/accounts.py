# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The inventory's ``accounts`` option: which account x region pairs one source lists.

Pure rules, no request: an entry is a label, optionally the agency options of another account (an entry without
them is the caller's own account) and optionally its own regions. The label and the agency options follow the rules
of ``account_targets.py``, shared with the role's ``audit_compliance_targets``.
"""

from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.account_targets import (
    AGENCY_KEYS, LABEL_RULE, account_identity, agency_of, agency_problem, group_name, is_label, label_key)
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.inventory.hosts import InventoryOptionError

AGENCY_OPTIONS = tuple(sorted(AGENCY_KEYS))
ACCOUNT_KEYS = ('name',) + AGENCY_OPTIONS + ('regions',)


def _plain(text):
    """The text without the data tags ansible-core 2.19+ puts on configuration values (origin, trust): they would be
    written into the cache with the file path and a trusted-as-template mark."""
    return None if text is None else text.encode('utf-8').decode('utf-8')


class Target:
    """One account x region to list. ``account`` is None when the source has no ``accounts`` option."""

    def __init__(self, account, region, agency):
        self.account = _plain(account)
        self.region = _plain(region)
        self.agency = agency

    @property
    def key(self):
        return (self.account, self.region)

    def __str__(self):
        if self.account is None:
            return 'region %s' % self.region
        return 'account %s region %s' % (self.account, self.region)


def _check_regions(where, regions):
    if not isinstance(regions, list) or not regions:
        raise InventoryOptionError('%s.regions must be a non-empty list of region names such as cn-north-4, got %r'
                                   % (where, regions))
    wrong = [region for region in regions if not isinstance(region, str) or not region.strip() or region != region.strip()]
    if wrong:
        raise InventoryOptionError('%s.regions must be region names such as cn-north-4, got %s'
                                   % (where, ', '.join(repr(region) for region in wrong)))
    return list(dict.fromkeys(regions))


def _check_entry(number, entry):
    where = 'accounts[%d]' % number
    if not isinstance(entry, dict):
        raise InventoryOptionError('%s must be a dictionary with keys %s, got %r' % (where, ', '.join(ACCOUNT_KEYS), entry))
    unknown = sorted(str(key) for key in entry if key not in ACCOUNT_KEYS)
    if unknown:
        raise InventoryOptionError('%s: unknown key(s) %s; allowed keys are %s'
                                   % (where, ', '.join(unknown), ', '.join(ACCOUNT_KEYS)))
    name = entry.get('name')
    if not is_label(name):
        raise InventoryOptionError('%s.name is required: %s (it names the group account_<name>, - becoming _), got %r'
                                   % (where, LABEL_RULE, name))
    agency = agency_of(entry)
    problem = agency_problem(where, agency)
    if problem:
        raise InventoryOptionError(problem)
    regions = _check_regions(where, entry['regions']) if entry.get('regions') is not None else None
    return name, agency, regions


def plan_targets(accounts, default_regions, top_level_agency):
    """Every account x region to list, in the order given, before any request.

    ``default_regions`` is a callable returning the source's ``regions`` (or ``region``): it is only asked for when
    an entry has no regions of its own. ``top_level_agency`` lists the agency options set outside ``accounts``.
    """
    if not accounts:
        return [Target(None, region, {}) for region in default_regions()]
    if not isinstance(accounts, list):
        raise InventoryOptionError('accounts must be a list of dictionaries with keys %s' % ', '.join(ACCOUNT_KEYS))
    if top_level_agency:
        raise InventoryOptionError('%s (or HW_ASSUME_ROLE_*) cannot be combined with accounts: set the agency options in '
                                   'each accounts entry (an entry without them is the caller\'s own account)'
                                   % ', '.join(sorted(top_level_agency)))
    targets, labels, reached = [], {}, {}
    for number, entry in enumerate(accounts):
        name, agency, regions = _check_entry(number, entry)
        if label_key(name) in labels:
            raise InventoryOptionError('accounts[%d].name %s is already the name of accounts[%d] (labels that differ only '
                                       'in case or in - and _ name the same group %s); each account needs its own name'
                                       % (number, name, labels[label_key(name)], group_name(name)))
        labels[label_key(name)] = number
        # The same agency of the same account twice would list it twice.
        identity = account_identity(agency)
        if identity in reached:
            what = 'the caller\'s own account' if not agency else 'agency %s of the same account' % agency['agency_name']
            raise InventoryOptionError('accounts[%d] (%s) reaches %s like accounts[%d]; list each account once (with '
                                       'all its regions)' % (number, name, what, reached[identity]))
        reached[identity] = number
        for region in regions or default_regions():
            targets.append(Target(name, region, agency))
    return targets


def account_variables(prefix, account):
    return {} if account is None else {'%saccount' % prefix: account}


def account_group_names(account):
    return [] if account is None else [group_name(account)]
