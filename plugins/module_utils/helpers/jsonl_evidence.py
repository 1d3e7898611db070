# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Records as a JSON Lines evidence file: UTF-8, one JSON object a line, in stable bytes (keys sorted, compact
separators), with ``<file>.sha256`` beside it in the format of ``sha256sum`` so that ``sha256sum -c`` checks it.

Each record is serialized once, written to a temporary file in the file's own folder while it is hashed, and the
temporary file is renamed into place only when its bytes differ from what the file holds: an unchanged export
writes nothing, and no reader ever sees a partial file under the real name. In check mode the bytes are only
hashed. The paths are hostile (see ``evidence_folder``): a symbolic link, a directory, a FIFO or any other
non-regular file at either path is refused before anything is fetched, never opened nor followed; the rename
replaces a name, never what a link planted meanwhile points to.

Pure file-system code: it knows nothing of HTTP or of Huawei Cloud.
"""

import hashlib
import json
import os

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.evidence_folder import (
    PendingFile,
    file_digest,
    make_dest,
    read_own_text,
    regular_or_absent,
    write_atomically,
)
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.result_output import escaped_secrets, shows_secret
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudConfigError, HuaweiCloudError, clip

CHECKSUM_SUFFIX = '.sha256'
# Evidence may hold personal data: readable by its owner only, unless the task's mode says otherwise.
FILE_MODE = 0o600
# An existing file is read (to compare, without following a link nor waiting on a FIFO) up to this size; a larger
# one is not read and counts as different.
MAX_COMPARE_BYTES = 4 * 1024 * 1024 * 1024
# Lines are handed to the file (and the hash) in chunks of about this many bytes.
WRITE_CHUNK_BYTES = 1024 * 1024
_ENCODE = json.JSONEncoder(sort_keys=True, separators=(',', ':'), ensure_ascii=False, allow_nan=False,
                           check_circular=False).encode
_ENCODE_ASCII = json.JSONEncoder(sort_keys=True, separators=(',', ':'), ensure_ascii=True, allow_nan=False,
                                 check_circular=False).encode
_CONTROL = frozenset(chr(code) for code in range(32)) | frozenset((chr(127),))


def check_export_path(dest):
    """``(dest, checksum path)``, both absolute; refused (``HuaweiCloudConfigError`` naming ``dest``) before any
    request when either path holds something other than a regular file, or ``dest`` cannot name a file."""
    if not dest or not str(dest).strip():
        raise HuaweiCloudConfigError('dest must be the path of a file to write, got an empty value')
    dest = str(dest)
    if dest.endswith(('/', os.sep)) or os.path.basename(dest) in ('.', '..'):
        raise HuaweiCloudConfigError("dest: '%s' names a directory; give the path of a file, for example "
                                     "'%s'" % (clip(dest, 200), clip(os.path.join(dest, 'sqls.jsonl'), 220)))
    dest = os.path.abspath(dest)
    name = os.path.basename(dest)
    if _CONTROL.intersection(name):
        raise HuaweiCloudConfigError("dest: the file name %s holds a control character (a line break would break "
                                     "the checksum file); choose another name" % json.dumps(clip(name, 200)))
    folder = os.path.dirname(dest)
    if os.path.lexists(folder) and not os.path.isdir(folder):
        raise HuaweiCloudConfigError("dest: '%s' is not a directory, so '%s' cannot be written there"
                                     % (clip(folder, 200), clip(name, 200)))
    checksum_path = dest + CHECKSUM_SUFFIX
    for path, what in ((dest, ''), (checksum_path, ' (the checksum file written beside dest)')):
        try:
            kind = regular_or_absent(path)
        except OSError as error:
            raise HuaweiCloudConfigError("dest: cannot look at '%s' (%s)" % (clip(path, 200), error.strerror or error))
        if kind is not None:
            raise HuaweiCloudConfigError("dest: '%s'%s is %s; only a regular file is replaced (a link is never "
                                         "followed): remove it or choose another dest" % (clip(path, 200), what, kind))
    return dest, checksum_path


def checksum_line(sha256, name):
    """``<sha256>  <name>`` as ``sha256sum`` writes it (a name holding a backslash is escaped, the line marked)."""
    if '\\' in name:
        return '\\%s  %s\n' % (sha256, name.replace('\\', '\\\\'))
    return '%s  %s\n' % (sha256, name)


class _HashOnly:
    """The interface of ``PendingFile`` for check mode: the bytes are hashed and counted, never written."""

    def __init__(self):
        self._digest = hashlib.sha256()
        self.size = 0

    def write(self, chunk):
        self._digest.update(chunk)
        self.size += len(chunk)

    @property
    def sha256(self):
        return self._digest.hexdigest()

    def discard(self):
        pass


def write_lines(records, sink, secrets=(), scrub=None):
    """Write ``records`` to ``sink`` (``write(bytes)``), one JSON text a line; return how many records had to be
    scrubbed. Each record is encoded once; only a record whose text shows one of ``secrets`` (in its JSON-escaped
    form) is passed through ``scrub`` (Ansible's ``remove_values`` of a result) and encoded again."""
    escaped = escaped_secrets(secrets, ensure_ascii=False) if scrub is not None else []
    chunk, size, scrubbed = [], 0, 0
    for record in records:
        line = _ENCODE(record)
        if escaped and shows_secret(line, escaped):
            record = scrub(record)
            line = _ENCODE(record)
            scrubbed += 1
        try:
            data = line.encode('utf-8')
        except UnicodeEncodeError:
            # A lone surrogate cannot be UTF-8: that record is written with \\u escapes (the same JSON value).
            data = _ENCODE_ASCII(record).encode('ascii')
        chunk.append(data)
        chunk.append(b'\n')
        size += len(data) + 1
        if size >= WRITE_CHUNK_BYTES:
            sink.write(b''.join(chunk))
            chunk, size = [], 0
    if chunk:
        sink.write(b''.join(chunk))
    return scrubbed


class FileState:
    """What a regular file at a path holds: ``sha256``, ``size`` and ``lines``; ``exists`` False when there is none
    (or it could not be read safely, which counts as different)."""

    def __init__(self, path, max_bytes=MAX_COMPARE_BYTES):
        counter = [0]
        found = file_digest(path, max_bytes, lambda chunk: counter.__setitem__(0, counter[0] + chunk.count(b'\n')))
        self.exists = found is not None
        self.size, self.sha256 = found if found is not None else (None, None)
        self.lines = counter[0] if found is not None else None

    def summary(self):
        return {'sha256': self.sha256, 'statements': self.lines} if self.exists else {}


class JsonLinesExport:
    """One export: ``write(records, secrets, scrub)`` returns ``changed``, ``sha256``, ``size``, ``scrubbed`` and a
    short ``diff`` (SHA-256 and record count before and after); nothing is written in check mode."""

    def __init__(self, dest, checksum_path, check_mode=False, mode=FILE_MODE):
        self.dest = dest
        self.checksum_path = checksum_path
        self.check_mode = check_mode
        self.mode = mode

    def write(self, records, secrets=(), scrub=None):
        # Looked at again: the paths may have changed while the records were fetched.
        check_export_path(self.dest)
        folder = os.path.dirname(self.dest)
        if not self.check_mode:
            make_dest(folder)
        sink = _HashOnly() if self.check_mode else self._pending()
        try:
            scrubbed = write_lines(records, sink, secrets, scrub)
            before = FileState(self.dest)
            content_changed = not (before.exists and before.size == sink.size and before.sha256 == sink.sha256)
            if content_changed and not self.check_mode:
                self._commit(sink)
            else:
                sink.discard()
        except BaseException:
            sink.discard()
            raise
        checksum_text = checksum_line(sink.sha256, os.path.basename(self.dest))
        checksum_changed = read_own_text(self.checksum_path, max_bytes=4096)[0] != checksum_text
        if checksum_changed and not self.check_mode:
            self._write_checksum(checksum_text)
        return {
            'changed': content_changed or checksum_changed,
            'sha256': sink.sha256,
            'size': sink.size,
            'scrubbed': scrubbed,
            'diff': {'before_header': self.dest, 'after_header': self.dest, 'before': before.summary(),
                     'after': {'sha256': sink.sha256, 'statements': len(records)}},
        }

    def _pending(self):
        try:
            return PendingFile(self.dest, self.mode)
        except OSError as error:
            raise HuaweiCloudError("dest: cannot write a temporary file in '%s' (%s); give dest a folder this user "
                                   "can write to" % (clip(os.path.dirname(self.dest), 200), error.strerror or error))

    def _commit(self, pending):
        try:
            pending.commit()
        except OSError as error:
            raise HuaweiCloudError("dest: cannot write '%s' (%s); it was left as it was"
                                   % (clip(self.dest, 200), error.strerror or error))

    def _write_checksum(self, text):
        try:
            write_atomically(self.checksum_path, text, self.mode)
        except OSError as error:
            raise HuaweiCloudError("dest: '%s' was written, but not its checksum file '%s' (%s); `sha256sum -c` "
                                   "fails until the task runs again" % (clip(self.dest, 200), clip(self.checksum_path, 200),
                                                                        error.strerror or error))
