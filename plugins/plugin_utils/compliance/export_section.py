# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The report's ``evidence`` section: what the role's export of the audit log files of the period it checked
(``rds_auditlog_download``) did. An export that failed is not a check result: it leaves the verdict alone, but it is
an ``ERROR`` in this section and is named in the summary's message. The files the export writes are named by
``module_utils/helpers/evidence_folder.py``."""

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.evidence_folder import CHECKSUMS_NAME, MANIFEST_NAME
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.shapes import as_int_or_none
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import clip
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.base import ComplianceInputError, as_text
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.checks import SOURCE_MODULES

EVIDENCE_MODULE = 'rds_auditlog_download'
# Where the role writes the export, relative to the report directory; the reports link to it from there.
EVIDENCE_DIR = 'evidence'
VERIFIED_STATUSES = ('present', 'downloaded', 'replaced')
FETCHED_STATUSES = ('downloaded', 'replaced')
PENDING_STATUSES = ('would_download', 'would_replace')
EVIDENCE_STATUSES = VERIFIED_STATUSES + ('failed',) + PENDING_STATUSES
# The longest module message kept in the section (one line), and quoted in the summary's message.
EVIDENCE_ERROR_CHARS = 4000
SUMMARY_ERROR_CHARS = 300


def _relative_dir(value):
    """The export folder as the reports link to it: a relative path inside the report directory."""
    text = as_text(value).strip()
    parts = text.split('/')
    if not text or text.startswith('/') or '\\' in text or '\x00' in text or any(part in ('', '.', '..') for part in parts):
        raise ComplianceInputError('evidence_dir must be a relative path inside the report directory, such as %r, '
                                   'got %r' % (EVIDENCE_DIR, value))
    return text


def _count(value):
    number = as_int_or_none(value)
    return number if number is not None and number >= 0 else 0


def _evidence_counts(result, files):
    """The module's ``counts``; counted from ``files`` when a failure left them out; None when neither came."""
    counts = result.get('counts')
    if isinstance(counts, dict):
        return dict((key, _count(counts.get(key))) for key in EVIDENCE_STATUSES + ('listed', 'bytes_downloaded'))
    if not files:
        return None
    counted = dict((status, len([item for item in files if item.get('status') == status])) for status in EVIDENCE_STATUSES)
    counted['listed'] = len(files)
    counted['bytes_downloaded'] = sum(_count(item.get('bytes')) for item in files if item.get('status') in FETCHED_STATUSES)
    return counted


def evidence_section(result, evidence_dir=EVIDENCE_DIR, incomplete=None):
    """The report's ``evidence`` section for the result of ``rds_auditlog_download`` (as registered, including a
    cloud failure that carries ``error``), or None when the export did not run (no result, or a skipped task).

    ``incomplete`` is a reason the selection itself was incomplete (an instance list that failed): the export is
    then an error too, since files of instances nobody listed are missing and nobody can say which.
    """
    if result is None:
        return None
    if not isinstance(result, dict):
        raise ComplianceInputError('evidence must be the result of %s, got %s' % (EVIDENCE_MODULE, type(result).__name__))
    if result.get('skipped'):
        return None
    folder = _relative_dir(evidence_dir)
    files = [item for item in result.get('files') or [] if isinstance(item, dict)]
    counts = _evidence_counts(result, files)

    def total(*statuses):
        return None if counts is None else sum(counts[status] for status in statuses)

    errors = []
    # A failure the role let through carries ``error``; ``failed`` is false there (failed_when decided).
    if result.get('error') is not None or result.get('failed'):
        errors.append('%s: %s' % (EVIDENCE_MODULE, clip(result.get('msg') or 'failed', EVIDENCE_ERROR_CHARS)))
    if incomplete:
        errors.append(clip(incomplete, EVIDENCE_ERROR_CHARS))
    failed_files = total('failed')
    pending = total(*PENDING_STATUSES) or 0
    failed = bool(errors) or bool(failed_files)
    if failed and not errors:
        errors.append('%s: %d audit log files failed' % (EVIDENCE_MODULE, failed_files))
    section = {
        'result': 'ERROR' if failed else ('PENDING' if pending else 'OK'),
        'failed': failed,
        'module': EVIDENCE_MODULE,
        'dir': folder,
        # Linked only when this run wrote them (a failure before the first file leaves none, or an older one).
        'manifest': '%s/%s' % (folder, MANIFEST_NAME) if result.get('manifest') else None,
        'sha256sums': '%s/%s' % (folder, CHECKSUMS_NAME) if result.get('sha256sums') else None,
        'start_time': clip(result.get('start_time'), 100) if result.get('start_time') else None,
        'end_time': clip(result.get('end_time'), 100) if result.get('end_time') else None,
        'files_listed': None if counts is None else counts['listed'],
        'files_verified': total(*VERIFIED_STATUSES),
        'files_failed': failed_files,
        'files_fetched': total(*FETCHED_STATUSES),
        'files_pending': pending,
        'bytes': None if counts is None else sum(_count(item.get('bytes')) for item in files
                                                 if item.get('status') in VERIFIED_STATUSES),
        'bytes_downloaded': None if counts is None else counts['bytes_downloaded'],
        'missing': [dict((key, as_text(item.get(key))) for key in ('instance_id', 'id', 'name', 'path', 'reason'))
                    for item in files if item.get('status') == 'failed'],
        'error': '; '.join(errors) or None,
    }
    section['message'] = evidence_message(section)
    return section


def evidence_message(section, error_chars=EVIDENCE_ERROR_CHARS):
    """One line on the export, e.g. for the play's failure message."""
    manifest = ', manifest %s' % section['manifest'] if section['manifest'] else ', no manifest written'
    period = ' of %s to %s' % (section['start_time'], section['end_time']) if section['start_time'] else ''
    if section['files_listed'] is None:
        files = 'audit log files unknown'
    else:
        files = '%d of %d audit log files%s verified' % (section['files_verified'], section['files_listed'], period)
    if section['failed']:
        failed = ', %d failed' % section['files_failed'] if section['files_failed'] else ''
        return 'audit log evidence export FAILED: %s%s%s; %s' % (files, failed, manifest, clip(section['error'], error_chars))
    if section['result'] == 'PENDING':
        return 'audit log evidence (check mode): %s, %d would be fetched' % (files, section['files_pending'])
    return 'audit log evidence exported: %s (%d fetched now)%s' % (files, section['files_fetched'], manifest)


def incomplete_selection(facts, errors):
    """Why the export cannot be complete whatever it fetched: the MySQL instance list it was given failed."""
    if 'rds_instances' not in errors:
        return None
    wanted = facts.get('rds_unlisted_ids')
    which = ('instances %s' % ', '.join(as_text(item) for item in wanted)) if wanted else 'any instance it did not return'
    return ('the RDS for MySQL instance list is incomplete (%s failed), so the audit log files of %s are not exported'
            % (SOURCE_MODULES['rds_instances'], which))
