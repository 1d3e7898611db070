# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure rules that turn audit instances into inventory hosts: filters, host names, host variables, groups."""

import ipaddress
import re
import socket
from collections import Counter

HOSTNAME_SOURCES = ('name', 'id', 'connect_ip')
FILTER_KEYS = ('name', 'status', 'vpc_id', 'zone')
_LIST_FILTERS = ('status', 'vpc_id', 'zone')
_PREFIX = re.compile(r'[A-Za-z_][A-Za-z0-9_]*')

# The rule for a host name taken from cloud data (an instance's name, ID or connect_ip): ASCII letters, digits, '.',
# '_' and '-', starting and ending with a letter or digit, at most 128 characters. It leaves out everything Ansible
# reads as a pattern or mangles (spaces, ':', ',', '[', ']', '!', '&', '*', '?', '~', '@', '/', quotes, non-ASCII
# look-alikes).
HOSTNAME_MAX_LENGTH = 128
_SAFE_HOSTNAME = re.compile(r'[A-Za-z0-9](?:[A-Za-z0-9._-]{0,%d}[A-Za-z0-9])?' % (HOSTNAME_MAX_LENGTH - 2))
# Names that reach the controller itself (or that Ansible gives a meaning of its own), compared case-insensitively.
RESERVED_HOSTNAMES = ('all', 'ungrouped', 'localhost', 'localhost.localdomain', 'localhost4', 'localhost4.localdomain4',
                      'localhost6', 'localhost6.localdomain6', 'ip6-localhost', 'ip6-loopback')


class InventoryOptionError(ValueError):
    """An inventory option that cannot be used; the message names it and what is allowed."""


def _strings(option, value, allowed=None):
    values = value if isinstance(value, list) else [value]
    wrong = [item for item in values if not isinstance(item, str) or not item or (allowed and item not in allowed)]
    if not values or wrong:
        what = 'one or more of %s' % ', '.join(allowed) if allowed else 'a list of non-empty strings'
        raise InventoryOptionError('%s must be %s, got %s' % (
            option, what, ', '.join(repr(item) for item in wrong) if wrong else 'an empty list'))
    return set(values)


def compile_filters(filters, statuses=None):
    """A predicate for ``filters``: ``status`` (each one of ``statuses`` when given), ``zone``, ``vpc_id`` (lists)
    and ``name`` (a regular expression matched with ``re.search``); every given filter must match."""
    filters = filters or {}
    if not isinstance(filters, dict):
        raise InventoryOptionError('filters must be a dictionary with keys %s' % ', '.join(FILTER_KEYS))
    unknown = sorted(str(key) for key in set(filters) - set(FILTER_KEYS))
    if unknown:
        raise InventoryOptionError('filters: unknown key(s) %s; allowed keys are %s'
                                   % (', '.join(unknown), ', '.join(FILTER_KEYS)))
    allowed = {}
    for key in _LIST_FILTERS:
        if filters.get(key) is not None:
            allowed[key] = _strings('filters.%s' % key, filters[key], statuses if key == 'status' else None)
    pattern = None
    if filters.get('name') is not None:
        if not isinstance(filters['name'], str):
            raise InventoryOptionError('filters.name must be a regular expression (a string), got %r' % (filters['name'],))
        try:
            pattern = re.compile(filters['name'])
        except re.error as error:
            raise InventoryOptionError("filters.name: '%s' is not a valid regular expression (%s)" % (filters['name'], error))

    def keep(instance):
        for key, values in allowed.items():
            if str(instance.get(key)) not in values:
                return False
        name = instance.get('name')
        return pattern is None or bool(pattern.search(name if isinstance(name, str) else ''))
    return keep


def check_hostnames(preferences):
    preferences = preferences if isinstance(preferences, list) else [preferences] if preferences else []
    wrong = [value for value in preferences if value not in HOSTNAME_SOURCES]
    if not preferences or wrong:
        raise InventoryOptionError('hostnames must be a non-empty list of %s, got %s'
                                   % (', '.join(HOSTNAME_SOURCES), ', '.join(str(value) for value in wrong) or 'nothing'))
    return preferences


def check_prefix(prefix):
    if not isinstance(prefix, str) or not _PREFIX.fullmatch(prefix):
        raise InventoryOptionError("hostvars_prefix must start a valid variable name (letters, digits, '_'), got %r"
                                   % (prefix if prefix is not None else '',))
    return prefix


def _ipv4_literal(value):
    """The address a resolver would read in ``value`` (``127.1``, ``2130706433``, ``0x7f.0.0.1`` and ``0`` all are
    IPv4 literals to ``inet_aton`` and to ssh), or None."""
    try:
        return ipaddress.IPv4Address(socket.inet_aton(value))
    except (OSError, ValueError):
        return None


def unsafe_hostname(value, instance=None):
    """Why ``value`` from cloud data cannot be a host name (see the rule above), or None when it can. An IP address
    is a host name only when it is the instance's own ``connect_ip``, as a plain dotted quad, and not a loopback,
    unspecified, link-local, multicast or broadcast address."""
    if not isinstance(value, str) or not _SAFE_HOSTNAME.fullmatch(value):
        return "it is not 1 to %d ASCII letters, digits, '.', '_' or '-' starting and ending with a letter or digit" \
            % HOSTNAME_MAX_LENGTH
    lowered = value.lower()
    if lowered in RESERVED_HOSTNAMES or lowered.endswith('.localhost'):
        return 'it is a reserved name'
    address = _ipv4_literal(value)
    if address is not None:
        if address.is_loopback or address.is_unspecified or address.is_link_local or address.is_multicast \
                or address == ipaddress.IPv4Address('255.255.255.255'):
            return 'it is the address %s, reserved' % address
        if str(address) != value or value != (instance or {}).get('connect_ip'):
            return "it is an IP address (%s) other than the instance's connect_ip" % address
    return None


def describe(value):
    """A value from cloud data quoted in a message: repr (so control characters show), cut to 80 characters."""
    text = repr(value)
    return text if len(text) <= 80 else '%s...(%d characters)' % (text[:80], len(text))


def assign_hostnames(instances, preferences, taken=(), groups=()):
    """``[(hostname or None, instance, note, warn)]``: each instance gets the first preferred value that passes
    ``unsafe_hostname``, that no other instance shares, that is not a host yet (``taken``) and that is no group name
    (``groups``: Ansible would read such a host as the group); otherwise its ID under the same rules, otherwise
    None. ``note`` says why a preference was passed over; ``warn`` is True when the reason is worth a warning
    (a reserved or unsafe name, a group name, a skipped instance) rather than an ordinary duplicate."""
    counts = Counter(instance.get(source) for instance in instances for source in preferences
                     if isinstance(instance.get(source), str))
    used = set(taken)
    groups = set(groups)

    def refusal(value, instance, shared_counts):
        reason = unsafe_hostname(value, instance)
        if reason:
            return reason, True
        if value in groups:
            return 'it is the name of a group', True
        if value in used:
            return 'it is already a host of this inventory', False
        if shared_counts and counts[value] > 1:
            return 'another audit instance has it too', False
        return None, False

    assigned = []
    for instance in instances:
        hostname = None
        refused = []
        warn = False
        for source in preferences:
            value = instance.get(source)
            if value is None or value == '':
                continue
            reason, serious = refusal(value, instance, True)
            if reason is None:
                hostname = value
                break
            refused.append('%s %s: %s' % (source, describe(value), reason))
            warn = warn or serious
        note = None
        if hostname is None:
            fallback = instance.get('id')
            reason, serious = refusal(fallback, instance, False) if fallback else ('it has no ID', True)
            if reason is None:
                hostname = fallback
                if refused:
                    note = 'audit instance %s is named by its ID: %s' % (describe(fallback), '; '.join(refused))
            else:
                warn = True
                note = 'audit instance %s skipped: no usable host name (%s)' % (
                    describe(fallback), '; '.join(refused + ['ID %s: %s' % (describe(fallback), reason)]))
        elif refused:
            named = 'by its ID' if hostname == instance.get('id') else describe(hostname)
            note = 'audit instance %s is named %s: %s' % (describe(instance.get('id')), named, '; '.join(refused))
        if hostname is not None:
            used.add(hostname)
        assigned.append((hostname, instance, note, warn and note is not None))
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
