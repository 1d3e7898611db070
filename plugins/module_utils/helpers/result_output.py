# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""A module's result printed without Ansible's per-value scrub of its record list, when that scrub provably changes
nothing; byte for byte the output ``exit_json`` would print.

``AnsibleModule.exit_json`` runs ``remove_values`` over the whole result (every string and number checked against
every ``no_log`` value, every container copied) and then encodes it, in ansible-core 2.19 through a JSON encoder that
visits every value in Python: for 60,000 audited statements that is most of the module's CPU. The record list (the
module's plural result key) is set aside when it is proven free of every ``no_log`` value:

- it holds only plain JSON types (dict with str keys, list, str, int, float, bool, None): ``remove_values`` would copy
  it unchanged (it changes only strings and numbers holding a ``no_log`` value), and any JSON encoder writes it as the
  standard library does (a float as its ``repr``; NaN and the infinities, which are no JSON, take Ansible's path);
- its JSON text holds no ``no_log`` value in its JSON-escaped form: JSON escapes character by character, so a value
  inside any string (or the digits of any number: ``remove_values`` reads ``str(number)``, the text JSON writes) shows
  in the text as its escaped form. A match anywhere, even a harmless one across two strings, sends the whole result
  Ansible's way.

``exit_json`` then scrubs and encodes the rest of the result (connection options, warnings, invocation) as usual, with
a placeholder instead of the list, and the placeholder is replaced by the list's JSON text. Anything unusual (a value
of another type, a ``no_log`` value in the list or in the placeholder, an output that does not hold the placeholder
exactly once) takes Ansible's own path, unchanged. ``SPARE_RECORD_LISTS = False`` turns this off.
"""

import io
import json
import sys
import uuid
from contextlib import redirect_stdout
from itertools import compress

SPARE_RECORD_LISTS = True
# The placeholder holds a non-ASCII letter: how the output writes it tells whether the encoder escapes non-ASCII text.
_PLACEHOLDER_PREFIX = u'hwcloud.dbaudit result placeholder \u00e9 '
_PLAIN_SCALARS = frozenset((str, int, float, bool, type(None)))
_PLAIN_CONTAINERS = frozenset((dict, list))
_PLAIN_TYPES = _PLAIN_SCALARS | _PLAIN_CONTAINERS
_STR_ONLY = frozenset((str,))


def plain_json(value):
    """True when ``value`` is made only of dict (str keys), list, str, int, float, bool and None (exact types: a
    subclass may carry data, such as Ansible's tags, that an encoder writes differently). The types of a container's
    members are gathered in one pass in C (``set(map(type, ...))``); only containers are visited one by one."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict:
            if item and set(map(type, item)) != _STR_ONLY:
                return False
            members = item.values()
        elif kind is list:
            members = item
        else:
            return kind in _PLAIN_SCALARS
        kinds = set(map(type, members))
        if not kinds <= _PLAIN_TYPES:
            return False
        if not kinds.isdisjoint(_PLAIN_CONTAINERS):
            stack.extend(compress(members, map(_PLAIN_CONTAINERS.__contains__, map(type, members))))
    return True


def escaped_secrets(secrets, ensure_ascii):
    """Each of ``secrets`` as it shows inside a JSON text written with ``ensure_ascii``."""
    return [json.dumps(str(secret), ensure_ascii=ensure_ascii)[1:-1] for secret in secrets]


def shows_secret(text, escaped):
    """Whether any of ``escaped`` (see ``escaped_secrets``) shows in the JSON text ``text``."""
    return any(secret in text for secret in escaped)


def free_text(value, secrets, ensure_ascii):
    """The JSON text of ``value``, or None when any of ``secrets`` shows in it (in its JSON-escaped form)."""
    try:
        text = json.dumps(value, ensure_ascii=ensure_ascii, allow_nan=False, check_circular=False)
    except ValueError:
        # NaN or an infinity: not JSON; Ansible's own path decides how it is written.
        return None
    if shows_secret(text, escaped_secrets(secrets, ensure_ascii)):
        return None
    return text


def exit_sparing(module, result, key):
    """``module.exit_json(**result)``, with ``result[key]`` (a list) spared the scrub when that provably changes
    nothing (see the module docstring). Never returns."""
    records = result.get(key)
    if not SPARE_RECORD_LISTS or not isinstance(records, list) or not records or not plain_json(records):
        module.exit_json(**result)
    placeholder = _PLACEHOLDER_PREFIX + uuid.uuid4().hex
    captured = io.StringIO()
    exiting = None
    try:
        with redirect_stdout(captured):
            module.exit_json(**dict(result, **{key: placeholder}))
    except SystemExit as raised:
        exiting = raised
    output = captured.getvalue()
    text = None
    for ensure_ascii in (False, True):
        encoded = json.dumps(placeholder, ensure_ascii=ensure_ascii)
        if output.count(encoded) == 1:
            text = free_text(records, module.no_log_values, ensure_ascii)
            break
    if exiting is None or exiting.code != 0 or text is None:
        # Ansible's own path: the whole result scrubbed and encoded by exit_json.
        module.exit_json(**result)
    sys.stdout.write(output.replace(encoded, text, 1))
    sys.stdout.flush()
    # exit_json's own exit, held back until the output was written.
    raise exiting
