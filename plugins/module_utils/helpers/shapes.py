# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure helpers that turn API records into the collection's output shape (snake_case keys, stable types)."""

import functools
import re
from itertools import compress

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import ResponseShapeError, clip

_CAMEL_BOUNDARY = re.compile(r'((?<=[a-z0-9])[A-Z]|(?<!^)[A-Z](?=[a-z]))')


@functools.lru_cache(maxsize=1024)
def snake_case(name):
    """``connectIpv6`` -> ``connect_ipv6``, ``resourceSpecCode`` -> ``resource_spec_code``; snake stays snake.

    Cached: a listing repeats the same few dozen keys on every record."""
    return _CAMEL_BOUNDARY.sub(r'_\1', name).replace('-', '_').replace('__', '_').lower()


@functools.lru_cache(maxsize=256)
def _snake_names(keys):
    """The snake_case names of one record's keys, worked out once per distinct set of keys: the records of a
    listing share a handful of key sets, so thousands of records cost one dictionary lookup each."""
    return tuple(snake_case(str(key)) for key in keys)


_CONTAINERS = frozenset((dict, list))
# Keys seen to be snake_case already (the SQL and most DBSS answers use no other): a record whose keys are all known
# is copied as it is, its key set checked in C. Bounded, so that hostile answers with endless distinct keys cannot
# grow it; beyond the bound records take the general path, with the same result.
_SNAKE_KEYS = set()
_MAX_KNOWN_KEYS = 4096


def _learn_snake_keys(keys, names):
    if len(_SNAKE_KEYS) < _MAX_KNOWN_KEYS:
        _SNAKE_KEYS.update(key for key, name in zip(keys, names) if key == name)


def snake_case_keys(value):
    """``value`` with every dict key in snake_case, at any depth (new dicts and lists; the input is left as it is)."""
    if isinstance(value, dict):
        if value.keys() <= _SNAKE_KEYS:
            result = dict(value)
        else:
            keys = tuple(value)
            names = _snake_names(keys)
            _learn_snake_keys(keys, names)
            result = dict(zip(names, value.values()))
        # Only the members that are containers are visited; which ones is found in C.
        for key in list(compress(result, map(_CONTAINERS.__contains__, map(type, result.values())))):
            result[key] = snake_case_keys(result[key])
        return result
    if isinstance(value, list):
        if _CONTAINERS.isdisjoint(map(type, value)):
            return list(value)
        return [snake_case_keys(item) if type(item) in _CONTAINERS else item for item in value]
    return value


def as_int_or_none(value):
    """An integer from an int, float or numeric string; None for anything else (booleans are not counts), also for
    an infinite or NaN float (``1e400`` in JSON) and a string too long to convert."""
    if value is None or value == '' or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        try:
            return int(float(value))
        except (TypeError, ValueError, OverflowError):
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


# Response shapes. Cloud data is hostile input: an answer without the documented shape is an error naming the API,
# the field and the request id, never read as an empty result.

MISSING = object()


class ShapeProblem(Exception):
    """One field of an answer that does not have its documented shape. ``field`` is a path such as
    ``servers[3].id``; whoever knows the API and the request id turns it into a :class:`ResponseShapeError`."""

    def __init__(self, field, found, expected):
        super(ShapeProblem, self).__init__(field)
        self.field = field
        self.found = found
        self.expected = expected

    def within(self, prefix):
        """The same problem with its field named from an enclosing record, e.g. ``servers[3]``."""
        return ShapeProblem('%s.%s' % (prefix, self.field) if self.field else prefix, self.found, self.expected)

    def describe(self):
        return "field '%s' is %s, expected %s" % (self.field, describe_value(self.found), self.expected)


def describe_value(value):
    """How a JSON value is named in a message: its type, and a short quote of a scalar."""
    if value is MISSING:
        return 'missing'
    if value is None:
        return 'null'
    if isinstance(value, bool):
        return 'a boolean (%s)' % ('true' if value else 'false')
    if isinstance(value, (int, float)):
        return 'a number (%s)' % clip(value, 20)
    if isinstance(value, str):
        return "a string ('%s')" % clip(value, 40)
    if isinstance(value, list):
        return 'a list'
    if isinstance(value, dict):
        return 'an object'
    return 'a %s' % type(value).__name__


def shape_error(api, problem, request_id=None, context=None):
    """``DBSS GET /v1/{project_id}/audit/instances: field 'servers' is a string, expected a list``."""
    return ResponseShapeError('%s: %s' % (api, problem.describe()), request_id=request_id, context=context)


def require_list(body, key):
    value = body.get(key, MISSING)
    if not isinstance(value, list):
        raise ShapeProblem(key, value, 'a list')
    return value


def require_object(value, field):
    if not isinstance(value, dict):
        raise ShapeProblem(field, value, 'an object')
    return value


def require_count(body, key):
    """A non-negative integer: an int, or a string of decimal digits (``offset``/``limit`` travel as strings)."""
    value = body.get(key, MISSING)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.isdigit() and value.isascii():
        return int(value)
    raise ShapeProblem(key, value, 'a non-negative integer')


def require_text(record, key):
    """A non-empty string (an id that later reaches a URL, a time that is sorted on)."""
    value = record.get(key, MISSING)
    if not isinstance(value, str) or not value:
        raise ShapeProblem(key, value, 'a non-empty string')
    return value


def optional_list(record, key):
    """A list, or ``[]`` when the field is absent or null; anything else is a problem."""
    value = record.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ShapeProblem(key, value, 'a list')
    return value
