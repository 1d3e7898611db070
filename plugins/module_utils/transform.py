# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure helpers that turn API records into the collection's output shape (snake_case keys, stable types)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import functools
import re

_CAMEL_BOUNDARY = re.compile(r'((?<=[a-z0-9])[A-Z]|(?<!^)[A-Z](?=[a-z]))')


@functools.lru_cache(maxsize=1024)
def snake_case(name):
    """``connectIpv6`` -> ``connect_ipv6``, ``resourceSpecCode`` -> ``resource_spec_code``; snake stays snake.

    Cached: a listing repeats the same few dozen keys on every record."""
    return _CAMEL_BOUNDARY.sub(r'_\1', name).replace('-', '_').replace('__', '_').lower()


def snake_case_keys(value):
    if isinstance(value, dict):
        return dict((snake_case(str(key)), snake_case_keys(item)) for key, item in value.items())
    if isinstance(value, list):
        return [snake_case_keys(item) for item in value]
    return value


def as_int_or_none(value):
    """An integer from an int, float or numeric string; None for anything else (booleans are not counts)."""
    if value is None or value == '' or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        try:
            return int(float(value))
        except (TypeError, ValueError):
            return None


def as_str_or_none(value):
    if value is None:
        return None
    return str(value)


def keep_matching(records, **criteria):
    """Records whose fields match every given criterion; a list criterion means "one of", None means "any"."""
    def matches(record):
        for key, wanted in criteria.items():
            if wanted is None:
                continue
            value = record.get(key)
            if isinstance(wanted, (list, tuple, set, frozenset)):
                if value not in wanted:
                    return False
            elif value != wanted:
                return False
        return True
    return [record for record in records if matches(record)]


def unique(values):
    """The values in their first order, each once."""
    seen = set()
    return [value for value in values if not (value in seen or seen.add(value))]
