# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The cursor file of the ``hwcloud.dbaudit.dbss_alarms`` event source: how far each audit instance has been read and
the IDs already emitted, so that a restarted rulebook emits neither duplicates nor gaps.

The file is hostile input like any file on disk: it is opened without following a link and without blocking on a
FIFO, must be a regular file of at most ``MAX_CURSOR_BYTES``, and every value in it is checked before use; anything
else stops the source with a one-line message (starting over from "now" would silently leave a gap). It is written
atomically (a temporary file in the same directory, mode 0600, renamed over the old one), so a crash leaves the old
cursor or the new one, never half of one; a link planted at its path is replaced, never written through.
"""

import errno
import json
import os
import stat
import tempfile

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudConfigError, clip
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.times import format_api_time, parse_api_time

CURSOR_FORMAT = 'hwcloud.dbaudit.dbss_alarms/1'
KINDS = ('alarms', 'statements')
# About 100 bytes per remembered ID: room for the bounded seen-ID sets of both kinds with plenty to spare.
MAX_CURSOR_BYTES = 32 * 1024 * 1024
MAX_ID_CHARS = 256


class CursorError(HuaweiCloudConfigError):
    """The cursor file cannot be used; the message names the file and what is wrong with it."""


def _problem(path, reason):
    return CursorError("cursor_file '%s': %s; fix or remove the file (without it the source starts from now)"
                       % (clip(path, 200), reason))


def check_cursor_path(path):
    """Refuse, before any request, a cursor path whose directory does not exist or that is not a regular file."""
    directory = os.path.dirname(os.path.abspath(path)) or '.'
    if not os.path.isdir(directory):
        raise CursorError("cursor_file '%s': the directory %s does not exist" % (clip(path, 200), clip(directory, 200)))
    if os.path.lexists(path) and not stat.S_ISREG(os.lstat(path).st_mode):
        raise _problem(path, 'not a regular file (a link, a directory, a FIFO or a device is never read)')
    return path


def read_cursor(path):
    """The cursor ``{'region', 'kinds': {kind: {'watermarks': {instance: datetime}, 'seen': {id: datetime}}}}``,
    or None when the file does not exist."""
    flags = os.O_RDONLY | getattr(os, 'O_NOFOLLOW', 0) | getattr(os, 'O_NONBLOCK', 0) | getattr(os, 'O_CLOEXEC', 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        if error.errno == errno.ENOENT:
            return None
        if error.errno == errno.ELOOP:
            raise _problem(path, 'a symbolic link is never followed')
        raise _problem(path, 'cannot be opened (%s)' % (error.strerror or error))
    with os.fdopen(descriptor, 'rb') as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise _problem(path, 'not a regular file')
        content = handle.read(MAX_CURSOR_BYTES + 1)
    if len(content) > MAX_CURSOR_BYTES:
        raise _problem(path, 'larger than %d MiB, not a cursor this source writes' % (MAX_CURSOR_BYTES // (1024 * 1024)))
    try:
        document = json.loads(content.decode('utf-8'))
    except ValueError:
        raise _problem(path, 'not the JSON this source writes')
    return _checked(path, document)


def _checked(path, document):
    if not isinstance(document, dict) or document.get('format') != CURSOR_FORMAT:
        raise _problem(path, "not a cursor of this source (no 'format': '%s')" % CURSOR_FORMAT)
    region = document.get('region')
    if not isinstance(region, str):
        raise _problem(path, "'region' must be a string")
    kinds = document.get('kinds')
    if not isinstance(kinds, dict) or set(kinds) - set(KINDS):
        raise _problem(path, "'kinds' must be an object with the keys %s" % ', '.join(KINDS))
    checked = {}
    for kind in KINDS:
        entry = kinds.get(kind) or {'watermarks': {}, 'seen': {}}
        if not isinstance(entry, dict):
            raise _problem(path, "'kinds.%s' must be an object" % kind)
        checked[kind] = dict((key, _times(path, '%s.%s' % (kind, key), entry.get(key, {}))) for key in ('watermarks', 'seen'))
    return {'region': region, 'kinds': checked}


def _times(path, where, mapping):
    if not isinstance(mapping, dict):
        raise _problem(path, "'kinds.%s' must be an object of IDs and times" % where)
    result = {}
    for key, value in mapping.items():
        moment = parse_api_time(value) if isinstance(value, str) else None
        if not key or len(key) > MAX_ID_CHARS or moment is None:
            raise _problem(path, "'kinds.%s' holds '%s': '%s', not an ID and a time such as 2026-11-01T00:00:00+0000"
                           % (where, clip(key, 60), clip(value, 60)))
        result[key] = moment
    return result


def write_cursor(path, region, kinds):
    """Replace the cursor file atomically with ``kinds`` (as ``read_cursor`` returns them) of ``region``."""
    document = {
        'format': CURSOR_FORMAT,
        'region': region,
        'kinds': dict((kind, dict((key, dict((item, format_api_time(moment)) for item, moment in sorted(entry[key].items())))
                                  for key in ('watermarks', 'seen'))) for kind, entry in kinds.items()),
    }
    data = json.dumps(document, sort_keys=True, separators=(',', ':')).encode('utf-8')
    directory = os.path.dirname(os.path.abspath(path)) or '.'
    descriptor, temporary = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), suffix='.tmp', dir=directory)
    try:
        with os.fdopen(descriptor, 'wb') as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # rename() replaces a link at ``path`` itself, never the file it points to.
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
