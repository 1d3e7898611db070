# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Literals masked out of SQL text: audited statements carry whatever the application sent (passwords in
``CREATE USER ... IDENTIFIED BY``, personal data in ``WHERE`` clauses), and a playbook's output is often kept.

The audit does not say which dialect a statement is in, so the masker reads it as MySQL, PostgreSQL and SQL Server
would, and masks more whenever they could disagree; no literal's content may survive:

- single-quoted strings (with the ``X``/``B``/``N``/``E``/``U&`` prefixes) and double-quoted text (a string in
  MySQL, an identifier elsewhere: masked too, privacy comes before fidelity) become ``?``. A backslash escapes the
  next character in MySQL and in PostgreSQL ``E''`` strings, and is a plain character in standard strings
  (``'C:\\'``): a quoted text whose end differs between the two readings is *ambiguous*, and everything from its
  first quote to the end of the statement is masked;
- PostgreSQL dollar-quoted strings (``$$...$$``, ``$tag$...$tag$``) become ``?``; one that holds a quote character
  (which another dialect would read as the start of a string) is ambiguous too;
- comments keep their markers and lose their text (``-- ?``, ``/* ? */``, ``# ?``): a comment can hold a literal
  (MySQL's ``/*! ... */``), and an apostrophe in it must not shift the quoting. ``#`` starts a comment only in
  MySQL, ``--`` without a following space is not one in MySQL, and only PostgreSQL nests ``/* */``: when such a
  comment holds a quote character (or a nested ``/*``), the rest of the statement is masked;
- a SQL Server ``[name]`` holding a quote character (a PostgreSQL subscript ``data['key']`` looks the same) is
  ambiguous;
- decimal, scientific, hexadecimal (``0x1F``) and binary (``0b101``) numbers become ``?``, with anything glued to
  them;
- an unterminated string, identifier or comment (a statement the audit cut short) is masked to the end.

Back-quoted identifiers, names (``t1``, ``col_2``), placeholders (``$1``, ``?``, ``:name``) and keywords are kept.
"""

import re

MASK = '?'
# One token at a time, tried in this order: a name, a number, the start of something quoted or a comment, the rest.
_TOKEN = re.compile(r'''
    (?P<name>[^\W\d][\w$]*)
  | (?P<placeholder>\$\d+)
  | (?P<number>(?:0[xX][0-9a-fA-F]+|0[bB][01]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)[\w$.]*)
  | (?P<opening>['"`#[]|--|/\*|\$(?:[^\W\d]\w*)?\$)
  | (?P<other>[^'"`#$\w./[-]+|.)
''', re.VERBOSE | re.DOTALL)
# The end of a quoted text read with backslash escapes (MySQL, PostgreSQL E'') and without (standard SQL).
_ENDS = dict((quote, (re.compile(r'(?:[^%s\\]|\\.|%s%s)*%s' % (quote, quote, quote, quote), re.DOTALL),
                      re.compile(r'(?:[^%s]|%s%s)*%s' % (quote, quote, quote, quote), re.DOTALL)))
             for quote in ("'", '"'))
_BACKQUOTED = re.compile(r'(?:[^`]|``)*`')
_QUOTE_CHARS = re.compile(r'''['"`$]''')
_STRING_PREFIXES = ('x', 'b', 'n', 'e')


class _Ambiguous(Exception):
    """The rest of the statement cannot be read one way only: it is masked."""


def _quoted_end(statement, start):
    """The end of the quoted text whose quote is at ``start``, the same whether a backslash escapes or not."""
    with_escapes, standard = _ENDS[statement[start]]
    first = with_escapes.match(statement, start + 1)
    second = standard.match(statement, start + 1)
    if first is None or second is None or first.end() != second.end():
        raise _Ambiguous()
    return first.end()


def _line_comment(statement, start, marker, disputed):
    """``(masked text, end)`` of a ``--`` or ``#`` comment; ``disputed``: another dialect reads it as code."""
    end = statement.find('\n', start)
    end = len(statement) if end < 0 else end
    body = statement[start + len(marker):end]
    if disputed and _QUOTE_CHARS.search(body):
        raise _Ambiguous()
    return (marker + ' ' + MASK if body.strip() else marker), end


def _block_comment(statement, start):
    end = statement.find('*/', start + 2)
    if end < 0:
        raise _Ambiguous()
    body = statement[start + 2:end]
    if '/*' in body:
        # PostgreSQL nests comments, MySQL and SQL Server do not: where it ends is disputed.
        raise _Ambiguous()
    return ('/* %s */' % MASK if body.strip() else '/**/'), end + 2


def _dollar_quoted(statement, start, tag):
    end = statement.find(tag, start + len(tag))
    if end < 0 or _QUOTE_CHARS.search(statement, start + len(tag), end):
        # Unterminated, or holding a quote that a dialect without dollar quoting reads as the start of a string.
        raise _Ambiguous()
    return end + len(tag)


def _opening(statement, start, opening):
    """``(masked text, end)`` of the quoted text or comment that starts at ``start``."""
    if opening in ("'", '"'):
        return MASK, _quoted_end(statement, start)
    if opening == '`':
        match = _BACKQUOTED.match(statement, start + 1)
        if match is None:
            raise _Ambiguous()
        return statement[start:match.end()], match.end()
    if opening == '[':
        end = statement.find(']', start)
        if end > 0 and _QUOTE_CHARS.search(statement, start, end):
            # A SQL Server identifier ([it's]) or a PostgreSQL subscript (data['key']): the quote is disputed.
            raise _Ambiguous()
        return opening, start + 1
    if opening == '#':
        return _line_comment(statement, start, '#', True)
    if opening == '--':
        return _line_comment(statement, start, '--', statement[start + 2:start + 3] not in (' ', '\t', '\r', '\n', ''))
    if opening == '/*':
        return _block_comment(statement, start)
    return MASK, _dollar_quoted(statement, start, opening)


def _is_prefix(statement, name, end):
    """Whether ``name`` is the prefix of the string right after it: ``N'...'``, ``X'...'``, ``U&'...'``..."""
    if name.lower() in _STRING_PREFIXES and statement[end:end + 1] == "'":
        return end
    if name.lower() == 'u' and statement[end:end + 2] in ("&'", '&"'):
        return end + 1
    return None


def mask_literals(statement):
    """``statement`` with every literal replaced by ``?``; anything that is not a string is returned as is."""
    if not isinstance(statement, str):
        return statement
    out = []
    position = 0
    try:
        while position < len(statement):
            match = _TOKEN.match(statement, position)
            kind, text = match.lastgroup, match.group()
            if kind == 'name':
                quote = _is_prefix(statement, text, match.end())
                if quote is not None:
                    out.append(MASK)
                    position = _quoted_end(statement, quote)
                    continue
                out.append(text)
            elif kind == 'number':
                out.append(MASK)
            elif kind == 'opening':
                masked, position = _opening(statement, match.start(), text)
                out.append(masked)
                continue
            else:
                out.append(text)
            position = match.end()
    except _Ambiguous:
        out.append(MASK)
    return ''.join(out)
