"""The header of report.html and report.md (plugins/plugin_utils/compliance/render/common.py ``header_rows``): the
account(s), the region(s), the time and the version of the collection that wrote the report; a report of several
targets names every account with its region."""

import os
import re
import xml.etree.ElementTree as ET

import pytest
import yaml

from ansible.errors import AnsibleFilterError
from ansible.plugins.loader import filter_loader

from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import common
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import html_page
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import markdown_page

from hwtest_support import REPO_ROOT
from test_compliance_targets import MAIN, OTHER, main_facts, merged


def galaxy_version():
    with open(os.path.join(REPO_ROOT, 'galaxy.yml'), encoding='utf-8') as handle:
        return yaml.safe_load(handle)['version']


def report_filter():
    return filter_loader.get('hwcloud.dbaudit.audit_compliance_report').j2_function


def html_header(page):
    """{label: text} of the rows of the summary table of report.html, in order."""
    table = re.search(r'<h2 id="summary">Summary</h2>(<table>.*?</table>)', page, re.S).group(1)
    return [(row.find('th').text, row.find('td').text) for row in ET.fromstring(table).iter('tr')]


def markdown_header(text):
    """(label, text) rows of the first table of report.md."""
    rows = []
    for line in text.split('\n\n', 2)[1].splitlines()[2:]:
        label, value = [cell.strip() for cell in line.strip('|').split(' | ', 1)]
        rows.append((label, value))
    return rows


def as_markdown(rows):
    return [(common.md(label), common.md(text)) for label, text in rows]


def test_a_single_target_report_names_its_account_region_and_the_installed_collection_version():
    report = report_filter()(main_facts(), region='cn-north-4', account='member-1 (agency dbaudit_auditor)',
                             generated_at='2026-03-01T04:00:00Z')
    assert report['summary']['account'] == 'member-1 (agency dbaudit_auditor)'
    expected = [('Account', 'member-1 (agency dbaudit_auditor)'), ('Region', 'cn-north-4'),
                ('Generated at', '2026-03-01T04:00:00Z'), ('Collection', 'hwcloud.dbaudit %s' % galaxy_version())]
    # The collection is imported from this checkout: its version is galaxy.yml's.
    assert common.collection_version() == galaxy_version()
    assert html_header(html_page.render_html(report))[:4] == expected
    assert markdown_header(markdown_page.render_markdown(report))[1:5] == as_markdown(expected)
    page = html_page.render_html(report)
    assert '<title>Database audit compliance report - cn-north-4 - 2026-03-01T04:00:00Z</title>' in page
    assert 'audit_compliance role (hwcloud.dbaudit %s).</p>' % galaxy_version() in page


def test_an_account_the_connection_does_not_name_is_said_so():
    report = report_filter()(main_facts(), region='cn-north-4', account='')
    assert report['summary']['account'] is None
    assert html_header(html_page.render_html(report, collection_version='9.8.7'))[:4:3] == [
        ('Account', common.UNNAMED_ACCOUNT), ('Collection', 'hwcloud.dbaudit 9.8.7')]
    assert ('Account', common.UNNAMED_ACCOUNT) in markdown_header(markdown_page.render_markdown(report))


def test_a_report_of_several_targets_names_every_account_and_region():
    _reports, report = merged()
    targets = [MAIN, OTHER]
    assert report['summary']['account'] == ', '.join(target['name'] for target in targets)
    accounts = ', '.join('%s (%s)' % (target['name'], target['region']) for target in targets)
    regions = ', '.join(target['region'] for target in targets)
    expected = [('Accounts', accounts), ('Regions', regions), ('Generated at', report['summary']['generated_at']),
                ('Collection', 'hwcloud.dbaudit 1.2.3')]
    assert html_header(html_page.render_html(report, collection_version='1.2.3'))[:4] == expected
    assert markdown_header(markdown_page.render_markdown(report, collection_version='1.2.3'))[1:5] == as_markdown(expected)
    assert '<title>Database audit compliance report - %s - ' % regions in html_page.render_html(report)


def test_one_account_in_two_regions_is_named_once_with_both():
    _reports, report = merged()
    report = dict(report, targets=[dict(target, account='main') for target in report['targets']])
    rows = dict(common.header_rows(report, '1.0.0'))
    assert rows['Account'] == 'main (cn-north-4, cn-east-3)' and rows['Regions'] == 'cn-north-4, cn-east-3'


def test_header_text_from_the_run_is_escaped():
    hostile = '<b>x</b> | *y* [z](http://e)'
    report = report_filter()(main_facts(), region='cn-north-4', account=hostile)
    page = html_page.render_html(report)
    assert '<b>x</b>' not in page and '&lt;b&gt;x&lt;/b&gt; | *y* [z](http://e)' in page
    assert '| Account | &lt;b&gt;x&lt;/b&gt; \\| \\*y\\* \\[z\\](http://e) |' in markdown_page.render_markdown(report)


@pytest.mark.parametrize('account', [['a'], 7, {'name': 'a'}])
def test_the_report_filter_refuses_an_account_that_is_not_text(account):
    with pytest.raises(AnsibleFilterError, match='audit_compliance_report: account must be a string, got '):
        report_filter()(main_facts(), account=account)
