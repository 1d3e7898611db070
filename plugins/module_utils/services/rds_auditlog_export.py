# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Export of RDS audit log files into an evidence folder: list, compare with what the folder holds, fetch what is
missing or no longer genuine, and write the manifest.

The flow: ``rds.list_audit_logs`` (the listing of ``rds_auditlog_info``) -> a plan per file (``present``, or to
fetch) from ``evidence`` -> links from ``rds.get_audit_log_links``, asked for in batches just before they are used
-> ``object_storage`` streams each file into a ``PendingFile`` -> ``manifest.json`` and ``SHA256SUMS`` list exactly
the files verified. A failed file never stops the others: they are kept and the error names every failed file.
"""

import fnmatch
import os
import shutil
import threading
import time

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers import evidence_folder as evidence
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.concurrency import Subject, failure_of, run_bounded
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudConfigError, HuaweiCloudError, clip
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.object_storage import TransferFailure
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.rds import (
    AUDIT_LOG_LINKS_PER_REQUEST,
    get_audit_log_links,
    list_audit_logs,
)
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.times import format_api_time, now_utc

GENERATOR = 'hwcloud.dbaudit.rds_auditlog_download'
# The listing gives sizes in KB with six decimals; a file whose declared length is unknown (no Content-Length)
# must end within this of its listed size, or it is taken as cut short.
SIZE_TOLERANCE_BYTES = 1024
# The most a file may send: twice its listed size and 16 MiB more, so a server cannot fill the disk.
SIZE_MARGIN_BYTES = 16 * 1024 * 1024

DOWNLOADED = 'downloaded'
PRESENT = 'present'
REPLACED = 'replaced'
FAILED = 'failed'
WOULD_DOWNLOAD = 'would_download'
WOULD_REPLACE = 'would_replace'
STATUSES = (PRESENT, DOWNLOADED, REPLACED, FAILED, WOULD_DOWNLOAD, WOULD_REPLACE)

MAX_DOWNLOAD_TIMEOUT = 86400
# An export that would write more than this is named in a warning (in check mode too, so a dry run shows it first).
LARGE_EXPORT_BYTES = 10 * 1024 ** 3

AUDIT_LOG_FILES = Subject('audit log file', 'audit log files', lambda item: item.label)


def download_timeout(value):
    """The ``download_timeout`` option: a finite number of seconds, greater than 0 and at most a day."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= MAX_DOWNLOAD_TIMEOUT:
        raise HuaweiCloudConfigError('download_timeout must be a number of seconds greater than 0 and at most %d, '
                                     'got %s' % (MAX_DOWNLOAD_TIMEOUT, clip(value)))
    return float(value)


def check_name_filter(value):
    if value is not None and not value:
        raise HuaweiCloudConfigError("name_filter must be a shell-style pattern such as '*_Audit_*', got an empty "
                                     "value")
    return value


class FileFailure(HuaweiCloudError):
    """One file that could not be fetched, after every retry."""


class ExportItem:
    """One listed file: where it goes, what the folder already holds of it, and what became of it."""

    def __init__(self, listed, path, renamed):
        self.listed = listed
        self.path = path
        self.renamed = renamed
        self.status = None
        self.entry = None
        self.reason = None

    @property
    def instance_id(self):
        return self.listed['instance_id']

    @property
    def file_id(self):
        return self.listed['id']

    @property
    def label(self):
        return '%s (id %s, RDS instance %s)' % (clip(self.listed['name'], 150), clip(self.file_id, 64),
                                                clip(self.instance_id, 64))

    @property
    def listed_bytes(self):
        return int(round(self.listed['size'] * 1024))

    def new_entry(self, size, sha256, fetched_at):
        listed = self.listed
        return {'instance_id': listed['instance_id'], 'id': listed['id'], 'name': listed['name'], 'path': self.path,
                'begin_time': listed['begin_time'], 'end_time': listed['end_time'], 'size': listed['size'],
                'bytes': size, 'sha256': sha256, 'fetched_at': fetched_at}

    def result(self):
        entry = self.entry or self.new_entry(None, None, None)
        result = dict((key, entry[key]) for key in evidence.ENTRY_KEYS)
        result['status'] = self.status
        if self.reason:
            result['reason'] = self.reason
        return result


class _LinkBatches:
    """Download links, asked for at most ``AUDIT_LOG_LINKS_PER_REQUEST`` at a time, when the first file of a batch
    is about to be fetched: links expire within minutes, so none is asked for long before its use."""

    def __init__(self, client, items):
        self._client = client
        self._lock = threading.Lock()
        self._batches = {}
        self._batch_of = {}
        self._links = {}
        self._failed = {}
        by_instance = {}
        for item in items:
            by_instance.setdefault(item.instance_id, []).append(item)
        for instance_id, members in by_instance.items():
            for first in range(0, len(members), AUDIT_LOG_LINKS_PER_REQUEST):
                batch = members[first:first + AUDIT_LOG_LINKS_PER_REQUEST]
                key = (instance_id, first)
                self._batches[key] = (batch, threading.Lock())
                for item in batch:
                    self._batch_of[id(item)] = key

    def link_for(self, item):
        key = self._batch_of[id(item)]
        batch, batch_lock = self._batches[key]
        with batch_lock:
            if key in self._failed:
                # The batch's request already failed after the client's retries: not asked again for each file.
                raise self._failed[key]
            if id(item) not in self._links:
                try:
                    links = get_audit_log_links(self._client, item.instance_id, [member.file_id for member in batch])
                except HuaweiCloudError as error:
                    self._failed[key] = error
                    raise
                with self._lock:
                    for member, link in zip(batch, links):
                        self._links.setdefault(id(member), link)
        return self._links[id(item)]

    def fresh_link_for(self, item):
        link = get_audit_log_links(self._client, item.instance_id, [item.file_id])[0]
        with self._lock:
            self._links[id(item)] = link
        return link


class AuditLogExport:
    """One run of ``rds_auditlog_download``; ``run()`` returns the module's result keys or raises
    ``HuaweiCloudError`` whose ``result`` holds them (every verified file stays and is in the manifest)."""

    def __init__(self, client, storage, dest, instance_ids, start, end, name_filter=None, max_workers=8,
                 check_mode=False, sleep=time.sleep):
        self.client = client
        self.storage = storage
        self.dest = evidence.check_dest(dest)
        self.instance_ids = list(instance_ids)
        self.start = start
        self.end = end
        self.name_filter = check_name_filter(name_filter)
        self.max_workers = max_workers
        self.check_mode = check_mode
        self.warnings = []
        self.layout = evidence.Layout(self.dest)
        self._sleep = sleep
        self._warn_lock = threading.Lock()
        # Checked now, before any request: a folder that is a link out of dest is refused, whatever is listed.
        for instance_id in self.instance_ids:
            evidence.check_folder(self.layout.full_path(evidence.safe_name(instance_id)))

    def run(self):
        listing_error = None
        try:
            listed = list_audit_logs(self.client, self.instance_ids, self.start, self.end, self.max_workers,
                                     require_size=True)
        except HuaweiCloudError as error:
            listed, listing_error = error.partial_results or [], error
        if self.name_filter is not None:
            listed = [item for item in listed if fnmatch.fnmatchcase(item['name'], self.name_filter)]
        items = self._plan(listed)
        if not items and listing_error is None:
            # Nothing to prove: dest is left as it is, so no empty SHA256SUMS (which `sha256sum -c` rejects) is made.
            self._warn_nothing_listed()
            return self._result(items, False, '', '')
        before = self._read_checksums()
        self._warn_if_large([item for item in items if item.status in (DOWNLOADED, REPLACED)])
        if self.check_mode:
            return self._would(items, before, listing_error)
        to_fetch = [item for item in items if item.status in (DOWNLOADED, REPLACED)]
        self._check_free_space(to_fetch)
        errors = [listing_error] if listing_error is not None else []
        to_fetch, folder_errors = self._make_folders(to_fetch)
        errors += folder_errors
        links = _LinkBatches(self.client, to_fetch)
        outcomes = run_bounded(lambda item: self._fetch(item, links), to_fetch, self.max_workers)
        failures = [(item, error) for item, (_done, error) in zip(to_fetch, outcomes) if error is not None]
        for item, error in failures:
            item.status, item.reason, item.entry = FAILED, str(error), None
        verified = [item.entry for item in items if item.status in (PRESENT, DOWNLOADED, REPLACED)]
        manifest_changed, write_errors = self._write_manifest(verified)
        changed = manifest_changed or bool(to_fetch and len(failures) < len(to_fetch))
        result = self._result(items, changed, before, evidence.checksums_text(verified))
        if failures:
            errors.append(failure_of(failures, [], AUDIT_LOG_FILES))
        errors += write_errors
        if errors:
            error = errors[0] if len(errors) == 1 else HuaweiCloudError('; '.join(str(e) for e in errors))
            manifest = os.path.join(self.dest, evidence.MANIFEST_NAME)
            listed_in = ('the result (files)' if any(manifest in str(item) for item in write_errors) else manifest)
            error.message = self.client.secrets.scrub('%s; %d verified files are kept and listed in %s' % (
                error.message, len(verified), listed_in))
            error.result = result
            raise error
        return result

    def _read_checksums(self):
        """The ``SHA256SUMS`` the folder holds, for the diff; '' when there is none or it is not a regular file of
        ours (its content is then never shown: it is replaced by this run's)."""
        path = os.path.join(self.dest, evidence.CHECKSUMS_NAME)
        text, problem = evidence.read_own_text(path)
        if problem:
            self._warn('%s %s: it is not read, and %s rewritten'
                       % (path, problem, 'would be' if self.check_mode else 'is'))
        return text

    def _make_folders(self, to_fetch):
        """``(items still to fetch, errors)``: the files whose folder cannot be made fail, named; the others go on."""
        try:
            evidence.make_dest(self.dest)
        except HuaweiCloudError as error:
            return [], [self._fail(to_fetch, error)]
        errors, broken = [], set()
        for instance_id in sorted(set(item.instance_id for item in to_fetch)):
            try:
                evidence.make_folder(self.layout.full_path(evidence.safe_name(instance_id)))
            except (HuaweiCloudError, HuaweiCloudConfigError) as error:
                broken.add(instance_id)
                error = error if isinstance(error, HuaweiCloudError) else HuaweiCloudError(str(error))
                errors.append(self._fail([item for item in to_fetch if item.instance_id == instance_id], error))
        return [item for item in to_fetch if item.instance_id not in broken], errors

    @staticmethod
    def _fail(items, error):
        for item in items:
            item.status, item.reason, item.entry = FAILED, str(error), None
        return error

    # planning -------------------------------------------------------------------------------------------------
    def _plan(self, listed):
        manifest, warning = evidence.read_manifest(self.dest)
        if warning:
            self._warn(warning)
        items = []
        for record in listed:
            path, renamed = self.layout.place(record['instance_id'], record['id'], record['name'])
            if renamed:
                self._warn("audit log file %s (id %s) is saved as %s: its listed name holds characters that are not "
                           "safe in a file name" % (_quoted(record['name']), record['id'], path))
            items.append(ExportItem(record, path, renamed))
        for item, status in zip(items, run_bounded(lambda item: self._verify(item, manifest), items, self.max_workers)):
            item.status = status[0]
        return items

    def _verify(self, item, manifest):
        """``present`` when the folder holds the file as the manifest recorded it, else how it must be fetched."""
        entry = manifest.get((item.instance_id, item.file_id))
        if entry is None or entry.get('path') != item.path:
            return DOWNLOADED
        if entry.get('size') != item.listed['size']:
            self._warn('%s: the listing now gives %s KB, the manifest %s KB; it is fetched again'
                       % (item.path, item.listed['size'], entry.get('size')))
            return REPLACED
        found = evidence.file_digest(self.layout.full_path(item.path))
        if found == (entry['bytes'], entry['sha256']):
            item.entry = dict(entry)
            return PRESENT
        if found is None:
            problem = 'is missing'
        elif found[0] != entry['bytes']:
            problem = 'has %d bytes, the manifest %d (truncated or altered)' % (found[0], entry['bytes'])
        else:
            problem = 'no longer matches its SHA-256 in the manifest (altered)'
        self._warn('%s %s; it is fetched again' % (item.path, problem))
        return REPLACED

    def _would(self, items, before, listing_error):
        for item in items:
            if item.status == DOWNLOADED:
                item.status = WOULD_DOWNLOAD
            elif item.status == REPLACED:
                item.status = WOULD_REPLACE
        after = ''.join('%s  %s\n' % (item.entry['sha256'] if item.entry else '(to be downloaded)', item.path)
                        for item in items)
        changed = any(item.status != PRESENT for item in items)
        result = self._result(items, changed, before, after)
        if listing_error is not None:
            listing_error.result = result
            raise listing_error
        return result

    def _warn_nothing_listed(self):
        selection = ' matching name_filter %s' % _quoted(self.name_filter) if self.name_filter is not None else ''
        self._warn('no audit log file%s was listed from %s to %s for %d instance(s); RDS keeps audit log files only '
                   'for the keep_days of each instance\'s audit log policy (see rds_auditlog_policy_info), so an '
                   'older period has none; nothing was written in %s'
                   % (selection, format_api_time(self.start), format_api_time(self.end), len(self.instance_ids),
                      self.dest))

    def _warn_if_large(self, to_fetch):
        needed = sum(item.listed_bytes for item in to_fetch)
        if needed > LARGE_EXPORT_BYTES:
            self._warn('%s %d files of %.1f GiB into %s (more than %d GiB); narrow start_time, end_time or '
                       'name_filter if that is not intended'
                       % ('this run would fetch' if self.check_mode else 'fetching', len(to_fetch),
                          needed / 1024.0 ** 3, self.dest, LARGE_EXPORT_BYTES // 1024 ** 3))

    def _check_free_space(self, to_fetch):
        needed = sum(item.listed_bytes for item in to_fetch)
        folder = self.dest
        while not os.path.exists(folder):
            folder = os.path.dirname(folder)
        free = shutil.disk_usage(folder).free
        if needed > free:
            raise HuaweiCloudError('dest: %d files of %d bytes are to be fetched, but the file system of %s has only '
                                   '%d bytes free; nothing was fetched' % (len(to_fetch), needed, folder, free))

    # fetching -------------------------------------------------------------------------------------------------
    def _fetch(self, item, links):
        try:
            pending = evidence.PendingFile(self.layout.full_path(item.path))
        except OSError as error:
            raise FileFailure('cannot write into %s: %s' % (os.path.dirname(self.layout.full_path(item.path)),
                                                            error.strerror or error), context=AUDIT_LOG_FILES.context(item))
        try:
            self._transfer(item, links, pending)
            pending.commit()
        except OSError as error:
            raise FileFailure('writing %s failed: %s' % (item.path, error.strerror or error),
                              context=AUDIT_LOG_FILES.context(item))
        finally:
            pending.discard()
        item.entry = item.new_entry(pending.size, pending.sha256, format_api_time(now_utc()))
        if abs(pending.size - item.listed_bytes) > SIZE_TOLERANCE_BYTES:
            self._warn('%s: %d bytes written, its listing says %s KB (%d bytes); the manifest records both'
                       % (item.path, pending.size, item.listed['size'], item.listed_bytes))
        return True

    def _transfer(self, item, links, pending):
        retry_policy = self.client.retry_policy
        max_bytes = max(2 * item.listed_bytes, item.listed_bytes + SIZE_MARGIN_BYTES)
        attempt = 0
        try:
            link = links.link_for(item)
            while True:
                try:
                    _received, declared = self.storage.download(link, pending.write, max_bytes)
                    if declared is None and abs(pending.size - item.listed_bytes) > SIZE_TOLERANCE_BYTES:
                        raise TransferFailure('transfer ended after %d bytes without a declared length; the listing '
                                              'says %d' % (pending.size, item.listed_bytes))
                    return
                except TransferFailure as failure:
                    reason = self.client.secrets.scrub(str(failure))
                    if not failure.retryable or attempt >= retry_policy.max_retries:
                        raise FileFailure(reason + (' (gave up after %d retries)' % attempt if attempt else ''),
                                          context=AUDIT_LOG_FILES.context(item))
                    pending.restart()
                    if failure.link_expired:
                        # Storage refused the signature: the link expired (or was revoked); a new one is needed.
                        self.client.log_retry('%s: %s; retry %d of %d with a new link'
                                              % (item.path, reason, attempt + 1, retry_policy.max_retries))
                        link = links.fresh_link_for(item)
                    else:
                        delay = retry_policy.delay(attempt)
                        self.client.log_retry('%s: %s; retry %d of %d in %.1f s'
                                              % (item.path, reason, attempt + 1, retry_policy.max_retries, delay))
                        self._sleep(delay)
                    attempt += 1
        except HuaweiCloudError as error:
            # The link request failed (after the client's own retries): the file is named, the API error told.
            if isinstance(error, FileFailure):
                raise
            raise FileFailure(self.client.secrets.scrub(str(error)), context=AUDIT_LOG_FILES.context(item))

    # output ---------------------------------------------------------------------------------------------------
    def _write_manifest(self, verified):
        """Write ``manifest.json`` and ``SHA256SUMS`` when their content changes: ``(changed, errors)``. Each is
        written even when the other cannot be; an error names the path and what to do."""
        config = self.client.config
        manifest = evidence.manifest_text(verified, (format_api_time(self.start), format_api_time(self.end)),
                                          config.region, self.client.project_id, self.instance_ids, self.name_filter,
                                          GENERATOR)
        changed, errors = False, []
        if not os.path.isdir(self.dest):
            return changed, [HuaweiCloudError("dest: '%s' is not a directory; no manifest is written" % self.dest)]
        for name, text in ((evidence.MANIFEST_NAME, manifest), (evidence.CHECKSUMS_NAME, evidence.checksums_text(verified))):
            path = os.path.join(self.dest, name)
            if evidence.read_text(path) == text:
                continue
            try:
                evidence.write_atomically(path, text)
            except OSError as error:
                errors.append(HuaweiCloudError("cannot write '%s' (%s); remove or rename what is at that path, then "
                                               "run again" % (path, error.strerror or error)))
                continue
            changed = True
        return changed, errors

    def _result(self, items, changed, before, after):
        counts = dict((status, 0) for status in STATUSES)
        for item in items:
            counts[item.status] += 1
        counts['listed'] = len(items)
        counts['bytes_downloaded'] = sum(item.entry['bytes'] for item in items
                                         if item.status in (DOWNLOADED, REPLACED) and item.entry)
        return {
            'changed': changed,
            'counts': counts,
            'dest': self.dest,
            'diff': {'before': before or '', 'after': after,
                     'before_header': os.path.join(self.dest, evidence.CHECKSUMS_NAME),
                     'after_header': os.path.join(self.dest, evidence.CHECKSUMS_NAME)},
            'end_time': format_api_time(self.end),
            'files': [item.result() for item in items],
            'manifest': os.path.join(self.dest, evidence.MANIFEST_NAME),
            'sha256sums': os.path.join(self.dest, evidence.CHECKSUMS_NAME),
            'start_time': format_api_time(self.start),
        }

    def _warn(self, message):
        with self._warn_lock:
            self.warnings.append(self.client.secrets.scrub(message))


def _quoted(name):
    return repr(str(name)[:120])
