"""Object storage behind the audit-log download links: file content, link signatures and download counters.

The content of a listed audit-log file is never stored: it is a pure function of the file id and its length,
so tests can compute the bytes and hash a download must have, and a 200 MB file costs no memory to serve.

Layout: the file is cut into 64 KiB blocks. Block ``i`` starts with ``i`` as an 8-byte big-endian integer
(truncation or reordering of whole blocks shows in the first bytes that differ), followed by 64 KiB - 8 bytes of
the file's own pseudo-random pad, rotated by an amount that depends on ``i`` (so no two blocks of a file below
4 GiB carry the same bytes, and a reordering anywhere changes the hash). The pad comes from
``random.Random(file_id)``, once per file, never per block: generation is a few slices and joins per block.
"""

import functools
import hashlib
import hmac
import random
import secrets
import struct
import threading

BLOCK_SIZE = 64 * 1024
CHUNK_SIZE = 1024 * 1024
_INDEX = struct.Struct(">Q")
_HEADER = _INDEX.size
_BODY = BLOCK_SIZE - _HEADER
# Odd, so that block i's rotation (i * _ROTATION_STEP) % BLOCK_SIZE only repeats every 65536 blocks (4 GiB).
_ROTATION_STEP = 40503

# The path prefix of the simulated bucket: /obs/rds-auditlog/{instance_id}/{file_id}
BUCKET = "rds-auditlog"
PATH_PREFIX = "/obs/"


def file_length(size_kb):
    """Bytes served for a listed audit-log `size` (KB, a float): round(size_kb * 1024)."""
    return int(round(size_kb * 1024))


@functools.lru_cache(maxsize=64)
def _doubled_pad(file_id):
    """The file's 64 KiB pseudo-random pad, twice in a row, so any rotation of it is one slice."""
    pad = random.Random(file_id).randbytes(BLOCK_SIZE)
    return pad + pad


def _piece(pad2, start, stop):
    """Bytes [start, stop) of the file, both within one block."""
    index, offset = divmod(start, BLOCK_SIZE)
    end = stop - index * BLOCK_SIZE
    parts = []
    if offset < _HEADER:
        parts.append(_INDEX.pack(index)[offset:min(end, _HEADER)])
    if end > _HEADER:
        rotation = (index * _ROTATION_STEP) % BLOCK_SIZE
        parts.append(pad2[rotation + max(offset, _HEADER) - _HEADER:rotation + end - _HEADER])
    return b"".join(parts)


def file_range(file_id, start, stop):
    """Bytes [start, stop) of the file with this id (any length: the content does not depend on it)."""
    if start < 0 or stop < start:
        raise ValueError("invalid range [%r, %r)" % (start, stop))
    pad2 = _doubled_pad(file_id)
    parts = []
    pos = start
    while pos < stop:
        block_stop = min(stop, (pos // BLOCK_SIZE + 1) * BLOCK_SIZE)
        parts.append(_piece(pad2, pos, block_stop))
        pos = block_stop
    return b"".join(parts)


def iter_file_content(file_id, length, chunk_size=CHUNK_SIZE):
    """Yield the file's `length` bytes in chunks of `chunk_size` (the last one shorter)."""
    if length < 0 or chunk_size < 1:
        raise ValueError("length must be >= 0 and chunk_size >= 1")
    for start in range(0, length, chunk_size):
        yield file_range(file_id, start, min(length, start + chunk_size))


def file_sha256(file_id, length):
    """Hex SHA-256 of the file's content: what a complete, correct download hashes to."""
    digest = hashlib.sha256()
    for chunk in iter_file_content(file_id, length):
        digest.update(chunk)
    return digest.hexdigest()


def object_path(instance_id, file_id):
    return "%s%s/%s/%s" % (PATH_PREFIX, BUCKET, instance_id, file_id)


class LinkSigner:
    """Signs and checks download links: hex HMAC-SHA256 of "instance|file|expires" with a per-app random secret.

    A fresh secret per simulator means a link from another run (or one a test made up) never verifies.
    """

    def __init__(self, secret=None):
        self._secret = secret if secret is not None else secrets.token_bytes(32)

    def sign(self, instance_id, file_id, expires):
        message = "%s|%s|%s" % (instance_id, file_id, expires)
        return hmac.new(self._secret, message.encode("utf-8"), hashlib.sha256).hexdigest()

    def verify(self, instance_id, file_id, expires, signature):
        return hmac.compare_digest(self.sign(instance_id, file_id, expires), signature)


class StorageStats:
    """Thread-safe counters of the download-link API and the storage route; reset() restarts them."""

    FIELDS = ("link_requests", "links_issued", "downloads", "downloads_completed", "downloads_with_api_credentials", "bytes_served")

    def __init__(self):
        self._lock = threading.Lock()
        self._counts = dict.fromkeys(self.FIELDS, 0)

    def links_answered(self, count):
        with self._lock:
            self._counts["link_requests"] += 1
            self._counts["links_issued"] += count

    def download_started(self, api_credentials):
        with self._lock:
            self._counts["downloads"] += 1
            if api_credentials:
                self._counts["downloads_with_api_credentials"] += 1

    def content_sent(self, nbytes, completed):
        with self._lock:
            self._counts["bytes_served"] += nbytes
            if completed:
                self._counts["downloads_completed"] += 1

    def snapshot(self):
        with self._lock:
            return dict(self._counts)

    def reset(self):
        with self._lock:
            self._counts = dict.fromkeys(self.FIELDS, 0)
