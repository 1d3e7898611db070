# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Literals masked out of SQL text: audited statements carry whatever the application sent (passwords in
``CREATE USER ... IDENTIFIED BY``, personal data in ``WHERE`` clauses), and a playbook's output is often kept.

Every string and number literal becomes ``?``: single-quoted strings (with ``\\'`` and ``''`` escapes, and the
``X``/``B``/``N``/``E`` prefixes), double-quoted text (a string in MySQL; in other dialects an identifier, masked
too: privacy comes before fidelity), PostgreSQL dollar-quoted strings, decimal, scientific and hexadecimal numbers.
An unterminated string (a statement the audit cut short) is masked to the end. Back-quoted identifiers, digits
inside names (``t1``, ``col_2``) and placeholders (``$1``) are kept.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

MASK = '?'
_LITERALS = re.compile(r'''
    (?P<identifier>`(?:[^`]|``)*`?)
  | (?:\b[xXbBnNeE])?'(?:[^'\\]|\\.|'')*'?
  | "(?:[^"\\]|\\.|"")*"?
  | \$(?P<tag>[A-Za-z_]*)\$.*?(?:\$(?P=tag)\$|\Z)
  | (?<![\w$.])(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)(?![\w$])
''', re.VERBOSE | re.DOTALL)


def _replace(match):
    return match.group('identifier') or MASK


def mask_literals(statement):
    """``statement`` with every literal replaced by ``?``; anything that is not a string is returned as is."""
    if not isinstance(statement, str):
        return statement
    return _LITERALS.sub(_replace, statement)
