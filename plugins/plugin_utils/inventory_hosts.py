# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure rules that turn audit instances into inventory hosts: filters, host names, host variables, groups."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re
from collections import Counter

HOSTNAME_SOURCES = ('name', 'id', 'connect_ip')
FILTER_KEYS = ('name', 'status', 'vpc_id', 'zone')
_LIST_FILTERS = ('status', 'vpc_id', 'zone')
_PREFIX = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')


class InventoryOptionError(ValueError):
    """An inventory option that cannot be used; the message names it and what is allowed."""


def compile_filters(filters):
    """A predicate for ``filters``: ``status``, ``zone``, ``vpc_id`` (lists) and ``name`` (a regular expression
    matched with ``re.search``); every given filter must match."""
    filters = filters or {}
    if not isinstance(filters, dict):
        raise InventoryOptionError('filters must be a dictionary with keys %s' % ', '.join(FILTER_KEYS))
    unknown = sorted(set(filters) - set(FILTER_KEYS))
    if unknown:
        raise InventoryOptionError('filters: unknown key(s) %s; allowed keys are %s'
                                   % (', '.join(unknown), ', '.join(FILTER_KEYS)))
    allowed = {}
    for key in _LIST_FILTERS:
        if filters.get(key) is not None:
            values = filters[key] if isinstance(filters[key], list) else [filters[key]]
            allowed[key] = set(str(value) for value in values)
    pattern = None
    if filters.get('name') is not None:
        try:
            pattern = re.compile(str(filters['name']))
        except re.error as error:
            raise InventoryOptionError("filters.name: '%s' is not a valid regular expression (%s)" % (filters['name'], error))

    def keep(instance):
        for key, values in allowed.items():
            if str(instance.get(key)) not in values:
                return False
        return pattern is None or bool(pattern.search(instance.get('name') or ''))
    return keep


def check_hostnames(preferences):
    preferences = list(preferences or [])
    wrong = [value for value in preferences if value not in HOSTNAME_SOURCES]
    if not preferences or wrong:
        raise InventoryOptionError('hostnames must be a non-empty list of %s, got %s'
                                   % (', '.join(HOSTNAME_SOURCES), ', '.join(str(value) for value in wrong) or 'nothing'))
    return preferences


def check_prefix(prefix):
    if not prefix or not _PREFIX.match(prefix):
        raise InventoryOptionError("hostvars_prefix must start a valid variable name (letters, digits, '_'), got '%s'"
                                   % (prefix or ''))
    return prefix


def assign_hostnames(instances, preferences, taken=()):
    """``[(hostname or None, instance, note)]``: each instance gets the first preferred value that no other
    instance shares and that is not taken yet; otherwise its ID. No host name is ever given twice: an instance
    whose ID is taken too gets None, and ``note`` says why."""
    counts = Counter(instance.get(source) for instance in instances for source in preferences
                     if instance.get(source))
    used = set(taken)
    assigned = []
    for instance in instances:
        hostname = None
        note = None
        for source in preferences:
            value = instance.get(source)
            if value and counts[value] == 1 and value not in used:
                hostname = value
                break
        if hostname is None:
            fallback = instance.get('id')
            if fallback and fallback not in used:
                hostname = fallback
                note = 'host name of audit instance %s falls back to its ID: %s is not unique' % (
                    fallback, ' / '.join(str(instance.get(source)) for source in preferences))
            else:
                note = 'audit instance %s skipped: its ID is already a host of this inventory' % fallback
        if hostname is not None:
            used.add(hostname)
        assigned.append((hostname, instance, note))
    return assigned


def host_variables(instance, region, project_id, prefix):
    variables = dict(('%s%s' % (prefix, key), value) for key, value in instance.items())
    variables['%sregion' % prefix] = region
    variables['%sproject_id' % prefix] = project_id
    if instance.get('connect_ip'):
        variables['ansible_host'] = instance['connect_ip']
    return variables


def default_group_names(instance, region):
    """Unsanitised names of the default groups of one instance."""
    names = ['dbss', 'region_%s' % region]
    for key, group_prefix in (('status', 'status'), ('zone', 'zone'), ('vpc_id', 'vpc')):
        if instance.get(key):
            names.append('%s_%s' % (group_prefix, instance[key]))
    return names
