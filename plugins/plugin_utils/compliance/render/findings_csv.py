# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The findings of a compliance report (the dict ``compliance.evaluate()`` returns) as CSV (report.csv), one row per
finding; a cell that a spreadsheet would read as a formula is neutralised."""

import csv
import io

from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.base import as_text


# generated_at and account last, added after the others (account is empty in a report of one target).
CSV_COLUMNS = ('check', 'severity', 'result', 'resource_type', 'resource_id', 'resource_name', 'region', 'message',
               'remediation', 'waiver_reason', 'waiver_expires', 'waiver_owner', 'generated_at', 'account')
# A cell starting with one of these is read as a formula by spreadsheet programs (CSV/formula injection).
_FORMULA_START = ('=', '+', '-', '@', '\t', '\r')


def _csv_cell(value):
    """A value as a CSV cell that a spreadsheet shows as text: a leading apostrophe before a formula start."""
    text = as_text(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def render_csv(report):
    """One row per finding, violations (result VIOLATION), unknown results (ERROR), then waived violations (WAIVED,
    with the waiver's reason, expiry and owner; empty for the others), under a header of CSV_COLUMNS; RFC 4180
    quoting and CRLF line ends. Cells that would start a formula get a leading apostrophe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, dialect='excel', quoting=csv.QUOTE_MINIMAL, lineterminator='\r\n')
    writer.writerow(CSV_COLUMNS)
    generated_at = report['summary'].get('generated_at')
    for result, key in (('VIOLATION', 'violations'), ('ERROR', 'errors'), ('WAIVED', 'waived')):
        for finding in report.get(key) or []:
            row = dict(finding, result=result, generated_at=generated_at)
            writer.writerow([_csv_cell(row.get(column)) for column in CSV_COLUMNS])
    return buffer.getvalue()
