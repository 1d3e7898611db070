# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The evidence folder on disk: where each audit log file goes, how it is written so that no partial file ever
sits under a real name, how files already there are verified, and the ``manifest.json`` and ``SHA256SUMS`` that
let an auditor check the folder with ``sha256sum -c SHA256SUMS``.

Pure file-system code: it knows nothing of HTTP or of Huawei Cloud.
"""

import errno
import hashlib
import json
import os
import re
import stat
import tempfile

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudConfigError, HuaweiCloudError, clip

MANIFEST_NAME = 'manifest.json'
CHECKSUMS_NAME = 'SHA256SUMS'
MANIFEST_FORMAT = 'hwcloud.dbaudit.rds-auditlog-evidence/1'
FILE_MODE = 0o640
DIRECTORY_MODE = 0o750
HASH_CHUNK_BYTES = 1024 * 1024
# Longer names are cut (keeping their end); most file systems allow 255 bytes, and a suffix may be added.
MAX_NAME_LENGTH = 200
_UNSAFE_NAME_CHARS = re.compile(r'[^A-Za-z0-9._+=@-]')
_RESERVED_NAMES = (MANIFEST_NAME.lower(), CHECKSUMS_NAME.lower())
# The largest manifest.json or SHA256SUMS read back (a manifest entry takes about 600 bytes: 100,000 files fit).
MAX_INDEX_BYTES = 64 * 1024 * 1024
# Files in dest are opened without following a final symbolic link and without waiting for a FIFO's writer; what
# was opened is then checked with fstat (the object read, not the name looked at a moment before).
_READ_FLAGS = os.O_RDONLY | getattr(os, 'O_NOFOLLOW', 0) | getattr(os, 'O_NONBLOCK', 0) | getattr(os, 'O_CLOEXEC', 0)
# Every key a manifest entry holds, in the order they are written.
ENTRY_KEYS = ('instance_id', 'id', 'name', 'path', 'begin_time', 'end_time', 'size', 'bytes', 'sha256', 'fetched_at')


def safe_name(name):
    """A single path component made from a name the cloud sent: letters, digits and ``. _ + = @ -`` only, never
    ``.``/``..``, hidden or empty, at most ``MAX_NAME_LENGTH`` characters. Whatever a listed name holds (``/``,
    ``..``, NUL, a line break that would break ``SHA256SUMS``), the result cannot leave its folder."""
    text = _UNSAFE_NAME_CHARS.sub('_', str(name))
    if text.startswith('.'):
        text = '_' + text[1:]
    if len(text) > MAX_NAME_LENGTH:
        text = text[-MAX_NAME_LENGTH:]
        text = '_' + text[1:] if text.startswith('.') else text
    return text or '_'


class Layout:
    """Where each file of an export goes: ``<dest>/<instance id>/<listed name>``, made safe and unique."""

    def __init__(self, dest):
        self.dest = dest
        self._taken = set()

    def place(self, instance_id, file_id, name):
        """``(relative path, renamed)``: the path under ``dest`` and whether it differs from the listed name.

        No two files of a run share a path, whatever the listed names: a name already taken (also by a file renamed
        before it, and compared without case, for case-insensitive file systems) gets the file ID, then a counter,
        until it is free."""
        folder = safe_name(instance_id)
        base = safe_name(name)
        if self._is_taken(folder, base):
            # Two listed names that only differ in unsafe characters: the file ID tells them apart.
            base = safe_name('%s_%s' % (base, file_id))
            stem, number = base, 2
            while self._is_taken(folder, base):
                base = safe_name('%s_%d' % (stem, number))
                number += 1
        relative = '%s/%s' % (folder, base)
        self._taken.add(relative.lower())
        return relative, base != name

    def _is_taken(self, folder, base):
        return base.lower() in _RESERVED_NAMES or ('%s/%s' % (folder, base)).lower() in self._taken

    def full_path(self, relative):
        return os.path.join(self.dest, *relative.split('/'))


def check_dest(dest):
    """``dest`` as an absolute path; refused when it exists and is not a directory (a symbolic link to a directory
    is followed, as everywhere in Ansible: evidence often goes to a mounted store), or when it is a symbolic link to
    nothing."""
    if not dest or not str(dest).strip():
        raise HuaweiCloudConfigError('dest must be the path of a local directory, got an empty value')
    dest = os.path.abspath(dest)
    if os.path.islink(dest) and not os.path.exists(dest):
        raise HuaweiCloudConfigError("dest: '%s' is a symbolic link to '%s', which does not exist; create that "
                                     "directory, or give dest the path of a directory" % (clip(dest, 200),
                                                                                          clip(_link_target(dest), 200)))
    if os.path.exists(dest) and not os.path.isdir(dest):
        raise HuaweiCloudConfigError("dest: '%s' exists and is not a directory" % clip(dest, 200))
    return dest


def _link_target(path):
    try:
        return os.readlink(path)
    except OSError:
        return '?'


def check_folder(path):
    """A folder inside ``dest`` that files are written into: a real directory, never a symbolic link (one could
    point the evidence of an instance outside ``dest``)."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISLNK(mode) or not stat.S_ISDIR(mode):
        raise HuaweiCloudConfigError("dest: '%s' is a symbolic link or not a directory; files are only written into "
                                     "real directories inside dest" % clip(path, 200))


def make_dest(dest):
    """Create ``dest``; a failure names the path and what to do (``HuaweiCloudError``)."""
    try:
        if not os.path.isdir(dest):
            os.makedirs(dest, DIRECTORY_MODE)
    except OSError as error:
        raise HuaweiCloudError("dest: cannot create the directory '%s' (%s); create it, or give dest a directory this "
                               "user can write to" % (clip(dest, 200), error.strerror or error))


def make_folder(path):
    check_folder(path)
    try:
        if not os.path.isdir(path):
            os.makedirs(path, DIRECTORY_MODE)
    except OSError as error:
        raise HuaweiCloudError("cannot create the directory '%s' (%s); remove what is at that path, or make dest "
                               "writable, then run again" % (clip(path, 200), error.strerror or error))


class NotOurs(Exception):
    """A path in dest that is not read: not a regular file, a link, another user's file, too large or not text.
    ``str()`` says what it is, e.g. ``is a FIFO``."""


def _kind(mode):
    for test, name in ((stat.S_ISLNK, 'a symbolic link'), (stat.S_ISDIR, 'a directory'), (stat.S_ISFIFO, 'a FIFO'),
                       (stat.S_ISSOCK, 'a socket'), (stat.S_ISCHR, 'a device'), (stat.S_ISBLK, 'a device')):
        if test(mode):
            return name
    return 'not a regular file'


def _open_regular(path):
    """``(descriptor, fstat result)`` of the regular file at ``path``: never follows a final symbolic link, never
    waits on a FIFO, never opens a device. Raises ``FileNotFoundError`` when nothing is there, ``NotOurs`` else."""
    mode = os.lstat(path).st_mode
    if not stat.S_ISREG(mode):
        # Looked at before opening, so that a device or a FIFO is never opened at all.
        raise NotOurs('is %s' % _kind(mode))
    try:
        handle = os.open(path, _READ_FLAGS)
    except FileNotFoundError:
        raise
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise NotOurs('is a symbolic link')
        raise NotOurs('cannot be opened (%s)' % (error.strerror or error))
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            # Replaced between the look and the open: what was opened is what counts.
            raise NotOurs('is %s' % _kind(info.st_mode))
    except BaseException:
        os.close(handle)
        raise
    return handle, info


def read_own_text(path, max_bytes=MAX_INDEX_BYTES):
    """``(text, problem)`` of a file this collection wrote into dest (``manifest.json``, ``SHA256SUMS``).

    ``(None, None)`` when nothing is at ``path``; ``(None, problem)`` when something is there that is not read: not a
    regular file (a symbolic link, a FIFO, a directory), a file with other hard links or of another user (its
    content is not ours and never reaches a result), larger than ``max_bytes``, or not UTF-8 text."""
    try:
        handle, info = _open_regular(path)
    except FileNotFoundError:
        return None, None
    except NotOurs as problem:
        return None, str(problem)
    except OSError as error:
        return None, 'cannot be read (%s)' % (error.strerror or error)
    try:
        if info.st_nlink != 1:
            return None, 'is a hard link (the file has %d names)' % info.st_nlink
        if hasattr(os, 'geteuid') and info.st_uid != os.geteuid():
            return None, 'belongs to another user (uid %d)' % info.st_uid
        if info.st_size > max_bytes:
            return None, 'is larger than %d bytes' % max_bytes
        chunks, size = [], 0
        while size <= max_bytes:
            chunk = os.read(handle, min(HASH_CHUNK_BYTES, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > max_bytes:
            return None, 'is larger than %d bytes' % max_bytes
    except OSError as error:
        return None, 'cannot be read (%s)' % (error.strerror or error)
    finally:
        os.close(handle)
    try:
        return b''.join(chunks).decode('utf-8'), None
    except UnicodeDecodeError:
        return None, 'is not UTF-8 text'


def file_digest(path, max_bytes=None, on_chunk=None):
    """``(size, sha256 hex)`` of a regular file, or None when there is none (missing, a link, a directory, a FIFO) or
    when it holds more than ``max_bytes`` (not read then). ``on_chunk(bytes)`` sees every chunk read."""
    try:
        handle, info = _open_regular(path)
    except (OSError, NotOurs):
        return None
    digest = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(handle, 'rb') as stream:
            if max_bytes is not None and info.st_size > max_bytes:
                return None
            for chunk in iter(lambda: stream.read(HASH_CHUNK_BYTES), b''):
                size += len(chunk)
                if max_bytes is not None and size > max_bytes:
                    return None
                digest.update(chunk)
                if on_chunk is not None:
                    on_chunk(chunk)
    except OSError:
        return None
    return size, digest.hexdigest()


def regular_or_absent(path):
    """None when ``path`` is a regular file or nothing; else what it is (``a symbolic link``, ``a FIFO``, ...),
    looked at without following a link nor opening anything."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    return None if stat.S_ISREG(mode) else _kind(mode)


class PendingFile:
    """A file being written: a temporary name in its final folder (so the rename is atomic), hashed while written,
    renamed into place by :meth:`commit` only once complete, removed by :meth:`discard` otherwise."""

    def __init__(self, final_path, mode=FILE_MODE):
        self.final_path = final_path
        self.mode = mode
        folder, name = os.path.split(final_path)
        handle, self.temp_path = tempfile.mkstemp(prefix='.%s.' % name[:60], suffix='.part', dir=folder)
        self._stream = os.fdopen(handle, 'wb')
        self._digest = hashlib.sha256()
        self.size = 0

    def write(self, chunk):
        self._stream.write(chunk)
        self._digest.update(chunk)
        self.size += len(chunk)

    def restart(self):
        """Forget what was written: another attempt starts from the first byte."""
        self._stream.seek(0)
        self._stream.truncate()
        self._digest = hashlib.sha256()
        self.size = 0

    @property
    def sha256(self):
        return self._digest.hexdigest()

    def commit(self):
        self._stream.flush()
        os.fsync(self._stream.fileno())
        self._stream.close()
        os.chmod(self.temp_path, self.mode)
        os.replace(self.temp_path, self.final_path)

    def discard(self):
        if not self._stream.closed:
            self._stream.close()
        try:
            os.unlink(self.temp_path)
        except FileNotFoundError:
            pass


def write_atomically(path, text, mode=FILE_MODE):
    folder, name = os.path.split(path)
    handle, temp_path = tempfile.mkstemp(prefix='.%s.' % name, suffix='.part', dir=folder)
    try:
        with os.fdopen(handle, 'w', encoding='utf-8', newline='\n') as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp_path, mode)
        os.replace(temp_path, path)
    except BaseException:
        if os.path.exists(temp_path):
            os.unlink(temp_path)
        raise


def read_manifest(dest):
    """``(entries by (instance_id, id), warning or None)`` of the manifest in ``dest``. A manifest that cannot be
    read (or is not a regular file of ours: see ``read_own_text``) is not trusted: every file is then fetched again,
    the manifest is rewritten, and the warning says why."""
    path = os.path.join(dest, MANIFEST_NAME)
    text, problem = read_own_text(path)
    if text is None:
        if problem is None:
            return {}, None
        return {}, ("%s %s: it is not read, and is rewritten; every file is checked against the cloud's listing and "
                    "fetched again" % (path, problem))
    try:
        document = json.loads(text)
        entries = {}
        for entry in document['files']:
            if not all(isinstance(entry.get(key), str) for key in ('instance_id', 'id', 'path', 'sha256')) \
                    or not isinstance(entry.get('bytes'), int):
                raise ValueError('an entry without instance_id, id, path, bytes and sha256')
            entries[(entry['instance_id'], entry['id'])] = entry
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        return {}, ("%s cannot be read (%s); every file is checked against the cloud's listing and fetched again"
                    % (path, clip(error, 120)))
    return entries, None


def manifest_text(entries, period, region, project_id, instance_ids, name_filter, generator):
    document = {
        'format': MANIFEST_FORMAT,
        'generator': generator,
        'region': region,
        'project_id': project_id,
        'start_time': period[0],
        'end_time': period[1],
        'instance_ids': list(instance_ids),
        'name_filter': name_filter,
        'file_count': len(entries),
        'total_bytes': sum(entry['bytes'] for entry in entries),
        'files': [dict((key, entry[key]) for key in ENTRY_KEYS) for entry in entries],
    }
    return json.dumps(document, indent=2, sort_keys=False, ensure_ascii=True) + '\n'


def checksums_text(entries):
    """``<sha256>  <path>`` lines, the format ``sha256sum -c`` reads (paths are safe names: no escaping needed)."""
    return ''.join('%s  %s\n' % (entry['sha256'], entry['path']) for entry in entries)


def read_text(path):
    """The text of a file of ours at ``path`` (see ``read_own_text``), or None."""
    return read_own_text(path)[0]
