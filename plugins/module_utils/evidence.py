# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The evidence folder on disk: where each audit log file goes, how it is written so that no partial file ever
sits under a real name, how files already there are verified, and the ``manifest.json`` and ``SHA256SUMS`` that
let an auditor check the folder with ``sha256sum -c SHA256SUMS``.

Pure file-system code: it knows nothing of HTTP or of Huawei Cloud.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import json
import os
import re
import stat
import tempfile

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.errors import HuaweiCloudConfigError, clip

MANIFEST_NAME = 'manifest.json'
CHECKSUMS_NAME = 'SHA256SUMS'
MANIFEST_FORMAT = 'hwcloud.dbaudit.rds-auditlog-evidence/1'
FILE_MODE = 0o640
DIRECTORY_MODE = 0o750
HASH_CHUNK_BYTES = 1024 * 1024
# Longer names are cut (keeping their end); most file systems allow 255 bytes, and a suffix may be added.
MAX_NAME_LENGTH = 200
_UNSAFE_NAME_CHARS = re.compile(r'[^A-Za-z0-9._+=@-]')
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
        """``(relative path, renamed)``: the path under ``dest`` and whether it differs from the listed name."""
        folder = safe_name(instance_id)
        base = safe_name(name)
        relative = '%s/%s' % (folder, base)
        if relative in self._taken or base in (MANIFEST_NAME, CHECKSUMS_NAME):
            # Two listed names that only differ in unsafe characters: the file ID tells them apart.
            base = safe_name('%s_%s' % (base, file_id))
            relative = '%s/%s' % (folder, base)
        self._taken.add(relative)
        return relative, base != name

    def full_path(self, relative):
        return os.path.join(self.dest, *relative.split('/'))


def check_dest(dest):
    """``dest`` as an absolute path; refused when it exists and is not a directory (a symbolic link to a directory
    is followed, as everywhere in Ansible: evidence often goes to a mounted store)."""
    if not dest or not str(dest).strip():
        raise HuaweiCloudConfigError('dest must be the path of a local directory, got an empty value')
    dest = os.path.abspath(dest)
    if os.path.exists(dest) and not os.path.isdir(dest):
        raise HuaweiCloudConfigError("dest: '%s' exists and is not a directory" % clip(dest, 200))
    return dest


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
    if not os.path.isdir(dest):
        os.makedirs(dest, DIRECTORY_MODE)


def make_folder(path):
    check_folder(path)
    if not os.path.isdir(path):
        os.makedirs(path, DIRECTORY_MODE)


def file_digest(path):
    """``(size, sha256 hex)`` of a regular file, or None when there is none (missing, a link, a directory)."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        digest = hashlib.sha256()
        size = 0
        with open(path, 'rb') as stream:
            for chunk in iter(lambda: stream.read(HASH_CHUNK_BYTES), b''):
                size += len(chunk)
                digest.update(chunk)
    except OSError:
        return None
    return size, digest.hexdigest()


class PendingFile:
    """A file being written: a temporary name in its final folder (so the rename is atomic), hashed while written,
    renamed into place by :meth:`commit` only once complete, removed by :meth:`discard` otherwise."""

    def __init__(self, final_path):
        self.final_path = final_path
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
        os.chmod(self.temp_path, FILE_MODE)
        os.replace(self.temp_path, self.final_path)

    def discard(self):
        if not self._stream.closed:
            self._stream.close()
        try:
            os.unlink(self.temp_path)
        except FileNotFoundError:
            pass


def write_atomically(path, text):
    folder, name = os.path.split(path)
    handle, temp_path = tempfile.mkstemp(prefix='.%s.' % name, suffix='.part', dir=folder)
    try:
        with os.fdopen(handle, 'w', encoding='utf-8', newline='\n') as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp_path, FILE_MODE)
        os.replace(temp_path, path)
    except BaseException:
        if os.path.exists(temp_path):
            os.unlink(temp_path)
        raise


def read_manifest(dest):
    """``(entries by (instance_id, id), warning or None)`` of the manifest in ``dest``. A manifest that cannot be
    read is not trusted: every file is then fetched again, and the warning says why."""
    path = os.path.join(dest, MANIFEST_NAME)
    if not os.path.lexists(path):
        return {}, None
    try:
        with open(path, encoding='utf-8') as stream:
            document = json.load(stream)
        entries = {}
        for entry in document['files']:
            if not all(isinstance(entry.get(key), str) for key in ('instance_id', 'id', 'path', 'sha256')) \
                    or not isinstance(entry.get('bytes'), int):
                raise ValueError('an entry without instance_id, id, path, bytes and sha256')
            entries[(entry['instance_id'], entry['id'])] = entry
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
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
    try:
        with open(path, encoding='utf-8') as stream:
            return stream.read()
    except (OSError, ValueError):
        return None
