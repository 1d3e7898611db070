"""The evidence section of the compliance report (audit_compliance_export_logs): built from the result of
rds_auditlog_download, never a check result, but visible in the summary's message and in every rendering, with
links to the manifest and every value escaped."""

import copy
import re
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import base as compliance_base
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import checks as compliance_checks
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import role_variables as compliance_role_variables
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import junit as compliance_render_junit
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import html_page
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import markdown_page

from test_compliance import MARKDOWN_HOSTILE, _cell_texts_and_syntax, compliant_facts, evaluate

PERIOD = ('2026-02-28T04:00:00+0000', '2026-03-01T04:00:00+0000')
FAILURE = ('audit log file 2_Audit_b (id f2, RDS instance r1): obs.example answered HTTP 503 ServiceUnavailable '
           '(gave up after 2 retries); 1 verified files are kept and listed in /reports/evidence/manifest.json')


def log_file(file_id, status, size=10, **fields):
    record = {'instance_id': 'r1', 'id': file_id, 'name': '%s_Audit_x' % file_id, 'path': 'r1/%s_Audit_x' % file_id,
              'begin_time': '2026-03-01T08:00:00+0800', 'end_time': '2026-03-01T09:59:00+0800', 'size': size / 1024.0,
              'bytes': size if status in ('present', 'downloaded', 'replaced') else None,
              'sha256': 'ab' * 32 if status in ('present', 'downloaded', 'replaced') else None,
              'fetched_at': '2026-03-01T03:00:00+0000', 'status': status}
    record.update(fields)
    return record


def counts_of(files):
    counts = dict((status, 0) for status in ('present', 'downloaded', 'replaced', 'failed', 'would_download', 'would_replace'))
    for item in files:
        counts[item['status']] += 1
    counts['listed'] = len(files)
    counts['bytes_downloaded'] = sum(item['bytes'] for item in files if item['status'] in ('downloaded', 'replaced'))
    return counts


def download_result(files, **fields):
    """What the role registers from rds_auditlog_download (failed_when lets a cloud failure through)."""
    result = {'changed': True, 'failed': False, 'dest': '/reports/evidence', 'files': files, 'counts': counts_of(files),
              'manifest': '/reports/evidence/manifest.json', 'sha256sums': '/reports/evidence/SHA256SUMS',
              'start_time': PERIOD[0], 'end_time': PERIOD[1],
              'diff': {'before': '', 'after': 'x'}}
    result.update(fields)
    return result


def exported():
    return download_result([log_file('f1', 'present', 100), log_file('f2', 'downloaded', 200),
                            log_file('f3', 'replaced', 300)])


def failed_export(reason='HTTP 503', msg=FAILURE, **names):
    files = [log_file('f1', 'downloaded', 100), log_file('f2', 'failed', reason=reason, **names)]
    # failed_when turned the module's failure into failed: false; `error` tells it.
    return download_result(files, msg=msg, error={'status': 503, 'code': None, 'request_id': None},
                           failed_when_result=False)


def report_with(evidence, **options):
    facts = compliant_facts()
    facts['evidence'] = evidence
    return evaluate(facts, **options)


def junit_root(report):
    return ET.fromstring(compliance_render_junit.render_junit(report).encode('utf-8'))


def evidence_case(root):
    suites = [suite for suite in root.findall('testsuite')
              if suite.find('properties/property[@name="check"]').get('value') == 'EVIDENCE']
    assert len(suites) <= 1
    return suites[0].find('testcase') if suites else None


def html_root(page):
    return ET.fromstring(page.split('\n', 1)[1].encode('utf-8'))


# -- the export did not run ---------------------------------------------------------------------------------------
@pytest.mark.parametrize('evidence', [None, {'changed': False, 'skipped': True, 'skip_reason': 'Conditional result was False'}])
def test_no_evidence_section_when_the_export_did_not_run(evidence):
    report = report_with(evidence)
    plain = evaluate(compliant_facts())
    assert 'evidence' not in report and 'evidence' not in report['summary']
    assert report['summary']['message'] == plain['summary']['message'] == 'database audit compliance PASSED: no violations (2 resources checked in cn-north-4)'
    markdown = markdown_page.render_markdown(report)
    page = html_page.render_html(report)
    assert 'Evidence' not in markdown and 'manifest' not in markdown
    assert 'id="evidence"' not in page and 'manifest.json' not in page
    root = junit_root(report)
    assert evidence_case(root) is None and root.get('tests') == str(len(compliance_checks.CHECKS)) and root.get('failures') == '0'


# -- a complete export --------------------------------------------------------------------------------------------
def test_a_complete_export_is_reported_and_leaves_the_verdict_alone():
    report = report_with(exported())
    evidence = report['evidence']
    assert evidence == {
        'result': 'OK', 'failed': False, 'module': 'rds_auditlog_download', 'dir': 'evidence',
        'manifest': 'evidence/manifest.json', 'sha256sums': 'evidence/SHA256SUMS',
        'start_time': PERIOD[0], 'end_time': PERIOD[1],
        'files_listed': 3, 'files_verified': 3, 'files_failed': 0, 'files_fetched': 2, 'files_pending': 0,
        'bytes': 600, 'bytes_downloaded': 500, 'missing': [], 'error': None,
        'message': 'audit log evidence exported: 3 of 3 audit log files of %s to %s verified (2 fetched now), '
                   'manifest evidence/manifest.json' % PERIOD,
    }
    summary = report['summary']
    plain = evaluate(compliant_facts())['summary']
    assert (summary['result'], summary['failed']) == (plain['result'], plain['failed']) == ('PASS', False)
    assert summary['evidence'] == 'OK'
    assert summary['message'] == plain['message'] + '; ' + evidence['message']
    assert report['violations'] == [] and report['errors'] == []


def test_a_complete_export_links_the_manifest_in_every_rendering():
    report = report_with(exported())
    page = html_page.render_html(report)
    root = html_root(page)
    assert root.find('.//h2[@id="evidence"]') is not None
    links = [anchor.get('href') for anchor in root.iter('a')]
    assert 'evidence/manifest.json' in links and 'evidence/SHA256SUMS' in links and '#evidence' in links
    assert '<a href="evidence/manifest.json">' in page and 'verdict OK' in page
    assert 'Files verified</th><td>3 (2 fetched by this run)' in page

    markdown = markdown_page.render_markdown(report)
    assert '## Evidence' in markdown
    assert '| Manifest | [evidence/manifest.json](evidence/manifest.json) |' in markdown
    assert '| Checksums | [evidence/SHA256SUMS](evidence/SHA256SUMS) |' in markdown
    assert '| Result | **OK** |' in markdown and '| Files listed | 3 |' in markdown
    assert 'Missing' not in markdown and 'Error:' not in markdown
    markdown_it = pytest.importorskip('markdown_it')
    targets = [token.attrGet('href') for block in markdown_it.MarkdownIt('commonmark').enable('table').parse(markdown)
               if block.type == 'inline' for token in block.children if token.type == 'link_open']
    assert targets == ['evidence/manifest.json', 'evidence/SHA256SUMS']

    root = junit_root(report)
    case = evidence_case(root)
    assert case is not None and case.find('failure') is None and case.get('name') == 'evidence evidence/manifest.json'
    assert root.get('tests') == str(len(compliance_checks.CHECKS) + 1) and root.get('failures') == '0'
    assert 'audit log evidence exported' in case.find('system-out').text


# -- a failed export ----------------------------------------------------------------------------------------------
def test_a_failed_export_is_an_error_of_the_evidence_not_of_the_checks():
    report = report_with(failed_export())
    evidence = report['evidence']
    assert evidence['result'] == 'ERROR' and evidence['failed'] is True
    assert (evidence['files_listed'], evidence['files_verified'], evidence['files_failed']) == (2, 1, 1)
    assert evidence['bytes'] == 100 and evidence['manifest'] == 'evidence/manifest.json'
    assert evidence['missing'] == [{'instance_id': 'r1', 'id': 'f2', 'name': 'f2_Audit_x', 'path': 'r1/f2_Audit_x',
                                    'reason': 'HTTP 503'}]
    assert evidence['error'] == 'rds_auditlog_download: ' + FAILURE
    assert evidence['message'] == ('audit log evidence export FAILED: 1 of 2 audit log files of %s to %s verified, '
                                   '1 failed, manifest evidence/manifest.json; rds_auditlog_download: %s'
                                   % (PERIOD + (FAILURE,)))
    summary = report['summary']
    # Not a check result: no finding, the verdict of the checks is unchanged...
    assert report['errors'] == [] and report['violations'] == []
    assert summary['result'] == 'PASS' and summary['failed'] is False and summary['errors'] == 0
    # ...but the summary says it.
    assert summary['evidence'] == 'ERROR'
    assert summary['message'].startswith('database audit compliance PASSED: no violations (2 resources checked in cn-north-4); '
                                         'audit log evidence export FAILED: 1 of 2 audit log files')
    assert '\n' not in summary['message'] and '\n' not in evidence['message']


def test_a_failed_export_in_every_rendering():
    report = report_with(failed_export())
    page = html_page.render_html(report)
    root = html_root(page)
    section = page.split('id="evidence"')[1].split('<h3>')[0]
    assert 'verdict ERROR' in section and 'f2_Audit_x' in section and 'HTTP 503' in section and FAILURE in section
    assert 'evidence/manifest.json' in [anchor.get('href') for anchor in root.iter('a')]

    markdown = markdown_page.render_markdown(report)
    section = markdown.split('## Evidence')[1].split('\n## ')[0]
    assert '| Result | **ERROR** |' in section and '| Files failed | 1 |' in section
    assert 'Error: rds\\_auditlog\\_download: ' in section
    assert '| r1 | f2\\_Audit\\_x | f2 | HTTP 503 |' in section
    assert '| Evidence | ERROR (see Evidence) |' in markdown

    root = junit_root(report)
    failure = evidence_case(root).find('failure')
    assert failure is not None and failure.get('type') == 'ERROR' and 'FAILED' in failure.get('message')
    assert 'missing: r1/f2_Audit_x (id f2): HTTP 503' in failure.text
    assert root.get('failures') == '1' and root.get('tests') == str(len(compliance_checks.CHECKS) + 1)


def test_a_failure_before_any_file_links_nothing_and_counts_are_unknown():
    # Refused before the first link (not enough free space): no result keys but msg and error, no manifest written.
    result = {'changed': False, 'failed': False, 'files': [], 'msg': 'dest: 3 files of 9 bytes are to be fetched, but ...',
              'error': {'status': None}}
    report = report_with(result)
    evidence = report['evidence']
    assert evidence['failed'] is True and evidence['manifest'] is None and evidence['sha256sums'] is None
    assert evidence['files_listed'] is None and evidence['files_verified'] is None and evidence['bytes'] is None
    assert evidence['message'].startswith('audit log evidence export FAILED: audit log files unknown, no manifest written; '
                                          'rds_auditlog_download: dest: 3 files')
    page = html_page.render_html(report)
    assert 'href="evidence/' not in page and 'Manifest</th><td>not written' in page
    markdown = markdown_page.render_markdown(report)
    assert '| Manifest | not written |' in markdown and '| Files listed | unknown |' in markdown
    assert ET.fromstring(page.split('\n', 1)[1].encode('utf-8')) is not None


def test_failed_files_without_an_error_key_still_fail_the_export():
    files = [log_file('f1', 'failed', reason='cut short')]
    evidence = report_with(download_result(files))['evidence']
    assert evidence['failed'] is True and evidence['error'] == 'rds_auditlog_download: 1 audit log files failed'


def test_an_incomplete_instance_list_makes_the_export_incomplete():
    facts = compliant_facts()
    facts['evidence'] = exported()
    facts['errors'] = {'rds_instances': 'GET /v3/p/instances failed: HTTP 503'}
    facts['rds_unlisted_ids'] = ['r7']
    report = evaluate(facts)
    evidence = report['evidence']
    assert evidence['failed'] is True and evidence['result'] == 'ERROR' and evidence['files_verified'] == 3
    assert evidence['error'] == ('the RDS for MySQL instance list is incomplete (rds_instance_info failed), so the audit '
                                 'log files of instances r7 are not exported')


def test_check_mode_is_pending_not_failed():
    files = [log_file('f1', 'present', 100), log_file('f2', 'would_download'), log_file('f3', 'would_replace')]
    report = report_with(download_result(files))
    evidence = report['evidence']
    assert evidence['result'] == 'PENDING' and evidence['failed'] is False
    assert (evidence['files_verified'], evidence['files_pending']) == (1, 2)
    assert evidence['message'] == ('audit log evidence (check mode): 1 of 3 audit log files of %s to %s verified, 2 would '
                                   'be fetched' % PERIOD)
    assert '| Files to fetch (check mode) | 2 |' in markdown_page.render_markdown(report)


# -- hostile values -----------------------------------------------------------------------------------------------
HOSTILE = 'x<script>alert("e")</script>&amp;\'|`t` *b* [l](javascript:alert(1)) \x07\nline'


def test_hostile_values_are_escaped_everywhere():
    result = failed_export(reason=HOSTILE, msg=HOSTILE, name=HOSTILE, id=HOSTILE, instance_id=HOSTILE)
    result['start_time'] = HOSTILE
    report = report_with(result)
    evidence = report['evidence']
    assert '\n' not in evidence['message'] and '\n' not in evidence['error'] and '\n' not in report['summary']['message']

    page = html_page.render_html(report)
    root = html_root(page)                                   # still well-formed
    assert '<script' not in page and 'javascript:' not in [a.get('href', '')[:11] for a in root.iter('a')]
    assert '&lt;script&gt;alert(&quot;e&quot;)' in page and '\x07' not in page
    assert sorted(a.get('href') for a in root.iter('a') if not a.get('href').startswith('#')) == [
        'evidence/SHA256SUMS', 'evidence/manifest.json']

    markdown = markdown_page.render_markdown(report)
    assert '<script>' not in markdown and '\x07' not in markdown
    section = markdown.split('## Evidence')[1].split('\n## ')[0]
    rows = [line for line in section.splitlines() if line.startswith('| ') and 'script' in line]
    # Unescaped pipes delimit the cells: the period row keeps its 2 cells, the missing file's row its 4.
    cells = sorted(len(re.split(r'(?<!\\)\|', line)) - 2 for line in rows)
    assert cells == [2, 4], rows

    root = junit_root(report)
    assert 'script' in evidence_case(root).find('failure').get('message')


def test_markdown_syntax_in_evidence_values_stays_literal():
    report = report_with(failed_export(reason=MARKDOWN_HOSTILE, name=MARKDOWN_HOSTILE))
    cells = _cell_texts_and_syntax(markdown_page.render_markdown(report))
    assert MARKDOWN_HOSTILE in cells and cells[MARKDOWN_HOSTILE] == set()
    links = cells.pop('evidence/manifest.json')
    assert links == {'link_open', 'link_close'} and cells.pop('evidence/SHA256SUMS') == {'link_open', 'link_close'}


@pytest.mark.parametrize('folder, href', [('evidence', 'evidence/manifest.json'),
                                          ('run 1/ev"i<d>', 'run%201/ev%22i%3Cd%3E/manifest.json'),
                                          ('javascript:alert(1)', 'javascript%3Aalert%281%29/manifest.json')])
def test_the_evidence_folder_is_a_percent_encoded_relative_link(folder, href):
    report = report_with(exported(), evidence_dir=folder)
    assert report['evidence']['manifest'] == folder + '/manifest.json'
    root = html_root(html_page.render_html(report))
    assert href in [anchor.get('href') for anchor in root.iter('a')]
    assert '](%s)' % href in markdown_page.render_markdown(report)


@pytest.mark.parametrize('folder', ['', '/abs/evidence', '../evidence', 'a/../b', 'a//b', 'a\\b', './e'])
def test_an_evidence_folder_outside_the_report_directory_is_refused(folder):
    with pytest.raises(compliance_base.ComplianceInputError, match='evidence_dir must be a relative path'):
        report_with(exported(), evidence_dir=folder)


@pytest.mark.parametrize('evidence', ['done', ['x'], 3])
def test_evidence_that_is_not_a_module_result_is_refused(evidence):
    with pytest.raises(compliance_base.ComplianceInputError, match='evidence must be the result of rds_auditlog_download'):
        report_with(evidence)


def test_the_input_is_not_changed():
    result = failed_export()
    kept = copy.deepcopy(result)
    report_with(result)
    assert result == kept


# -- the role variable --------------------------------------------------------------------------------------------
@pytest.mark.parametrize('value', [True, False, 'true', 'no'])
def test_export_logs_accepts_booleans(value):
    assert compliance_role_variables.role_variable_problems({'audit_compliance_export_logs': value}) == []


@pytest.mark.parametrize('value', ['maybe', 2, None, [True], ''])
def test_export_logs_refuses_anything_else_naming_the_variable_and_the_values(value):
    assert compliance_role_variables.role_variable_problems({'audit_compliance_export_logs': value}) == [
        'audit_compliance_export_logs must be true or false, got %r' % (value,)]
