"""Compliance evaluation and rendering (plugins/plugin_utils/compliance/evaluate.py): every check's boundaries, thresholds,
counts, and well-formed, escaped renderings."""

import datetime
import json
import re
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import base as compliance_base
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import checks as compliance_checks
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import role_variables as compliance_role_variables
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import evaluate as compliance
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import junit as compliance_render_junit
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import html_page
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import markdown_page
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers import times

UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 3, 1, 4, 0, tzinfo=UTC)
CHINA = datetime.timezone(datetime.timedelta(hours=8))


def dbss(instance_id='a1', **fields):
    record = {'id': instance_id, 'name': 'dbss-' + instance_id, 'status': 'ACTIVE', 'charge_model': 'Demand',
              'expired': None, 'remain_days': None, 'new_version': None, 'version': '23.04', 'region': 'cn-north-4'}
    record.update(fields)
    return record


def good_scope(instance_id='a1'):
    return {'instance_id': instance_id, 'id': 's-' + instance_id, 'status': 'ON', 'all_audit': True}


def good_db(instance_id='a1', rds_id='r1'):
    """A database under audit: RDS instance ``rds_id`` (so that r1 is audited by DBSS whatever its own SQL audit, and
    the RDS checks below flag only what they check; COV-01 has its own tests in test_compliance_coverage.py)."""
    return {'instance_id': instance_id, 'id': 'd-' + instance_id, 'status': 'ON', 'rds_id': rds_id,
            'rds_audit_switch_mismatch': False}


def rds(instance_id='r1', **fields):
    record = {'id': instance_id, 'name': 'rds-' + instance_id, 'region': 'cn-north-4'}
    record.update(fields)
    return record


def api_time(moment):
    return moment.astimezone(CHINA).strftime('%Y-%m-%dT%H:%M:%S%z')


def fresh_log(instance_id='r1', hours_ago=2):
    begin = NOW - datetime.timedelta(hours=hours_ago)
    return {'instance_id': instance_id, 'id': 'log-%s-%s' % (instance_id, hours_ago), 'begin_time': api_time(begin),
            'end_time': api_time(begin + datetime.timedelta(hours=1))}


def compliant_facts():
    return {'dbss_instances': [dbss()], 'scopes': [good_scope()], 'databases': [good_db()],
            'rds_instances': [rds()], 'policies': [{'instance_id': 'r1', 'keep_days': 180}], 'audit_logs': [fresh_log()]}


def found(report, check=None):
    return sorted((item['check'], item['resource_id']) for item in report['violations'] if check in (None, item['check']))


def risk_rule(instance_id='a1', name='DROP TABLE detection', level='HIGH', status='ON', rule_type='SYSTEM'):
    return {'instance_id': instance_id, 'id': 'rr-%s-%s' % (instance_id, name), 'name': name, 'risk_level': level,
            'status': status, 'enabled': status == 'ON', 'rule_type': rule_type, 'type': 'OPERATE'}


def injection_rule(instance_id='a1', name='UNION query injection', level='HIGH', status='ON', kind='SYSTEM'):
    return {'instance_id': instance_id, 'id': 'ir-%s-%s' % (instance_id, name), 'name': name, 'risk_level': level,
            'status': status, 'enabled': status == 'ON', 'type': kind}


def topic(instance_id='a1', **fields):
    record = {'instance_id': instance_id, 'alarm_switch': 'ON', 'enabled': True, 'alarm_risk': ['high', 'medium'],
              'alarm_topic_urn': 'urn:smn:cn-north-4:p:dbss-alarm-' + instance_id}
    record.update(fields)
    return record


def good_rules(*instance_ids):
    """dbss_rule_info's result for compliant instances: built-in HIGH/MEDIUM rules ON, a LOW and a custom one OFF."""
    rules = {'risk_rules': [], 'sql_injection_rules': [], 'alarm_topics': []}
    for key in instance_ids:
        rules['risk_rules'] += [risk_rule(key), risk_rule(key, 'Login failure', 'MEDIUM'),
                                risk_rule(key, 'Slow SQL detection', 'LOW', 'OFF'),
                                risk_rule(key, 'After-hours admin', 'MEDIUM', 'OFF', 'CUSTOMIZE')]
        rules['sql_injection_rules'] += [injection_rule(key), injection_rule(key, 'Stacked queries', 'MEDIUM'),
                                         injection_rule(key, 'Database probing', 'LOW', 'OFF')]
        rules['alarm_topics'].append(topic(key))
    return rules


def alarm(instance_id='a1', hours_ago=100, risk='HIGH', status='UNDO', **fields):
    record = {'instance_id': instance_id, 'id': 'al-%s-%s' % (instance_id, hours_ago), 'alarm_risk': risk,
              'alarm_status': status, 'acknowledged': status == 'DONE', 'alarm_type': 'RISK_RULE',
              'alarm_time': (NOW - datetime.timedelta(hours=hours_ago)).strftime('%Y-%m-%d %H:%M:%S')}
    record.update(fields)
    return record


def evaluate(facts, **options):
    if 'audit_rules' not in facts:
        # Compliant rules and notification for every audit instance, unless the test gives its own.
        facts = dict(facts, audit_rules=good_rules(*[item['id'] for item in facts.get('dbss_instances') or []]))
    return compliance.evaluate(facts, NOW, **options)


def test_compliant_account_has_no_violation():
    report = evaluate(compliant_facts())
    assert report['violations'] == []
    summary = report['summary']
    assert summary['result'] == 'PASS' and summary['failed'] is False
    assert summary['resources_checked'] == {'dbss_instance': 1, 'rds_instance': 1, 'total': 2}
    assert summary['by_check'] == dict((check['id'], 0) for check in compliance_checks.CHECKS)
    expected = ['DBSS-0%d' % n for n in range(1, 10)] + ['DBSS-10', 'RDS-01', 'RDS-02', 'RDS-03', 'COV-01', 'COV-02']
    assert [check['id'] for check in report['checks']] == expected
    assert all(check['not_applicable'] == [] for check in report['checks'])
    assert all(check['checked'] == check['passed'] == 1 and check['failed'] == 0 for check in report['checks'])
    assert summary['region'] == 'cn-north-4' and summary['generated_at'] == '2026-03-01T04:00:00Z'


@pytest.mark.parametrize('status, violated', [('ACTIVE', False), ('SHUTOFF', True), ('ERROR', True), ('FROZEN', True),
                                              ('BUILD', True), (None, True)])
def test_dbss_01_status(status, violated):
    facts = compliant_facts()
    facts['dbss_instances'] = [dbss(status=status)]
    assert found(evaluate(facts), 'DBSS-01') == ([('DBSS-01', 'a1')] if violated else [])


@pytest.mark.parametrize('remain, violated', [('29', True), ('30', True), ('31', False), ('0', True), ('-3', True), (365, False)])
def test_dbss_02_remain_days_boundary(remain, violated):
    facts = compliant_facts()
    facts['dbss_instances'] = [dbss(charge_model='Period', remain_days=remain,
                                    expired=(NOW + datetime.timedelta(days=int(remain))).strftime('%Y-%m-%d %H:%M:%S'))]
    assert found(evaluate(facts), 'DBSS-02') == ([('DBSS-02', 'a1')] if violated else [])


def test_dbss_02_custom_threshold_and_expired_fallback():
    facts = compliant_facts()
    facts['dbss_instances'] = [dbss(charge_model='Period', remain_days='45')]
    assert found(evaluate(facts), 'DBSS-02') == []
    assert found(evaluate(facts, expiry_warning_days=45), 'DBSS-02') == [('DBSS-02', 'a1')]
    # remain_days missing: the expiry date decides, at the same inclusive edge.
    at_edge = (NOW + datetime.timedelta(days=30)).strftime('%Y-%m-%d %H:%M:%S')
    past_edge = (NOW + datetime.timedelta(days=30, seconds=1)).strftime('%Y-%m-%d %H:%M:%S')
    facts['dbss_instances'] = [dbss('a1', charge_model='Period', expired=at_edge), dbss('a2', charge_model='Period', expired=past_edge)]
    facts['scopes'].append(good_scope('a2'))
    facts['databases'].append(good_db('a2'))
    assert found(evaluate(facts), 'DBSS-02') == [('DBSS-02', 'a1')]


def test_dbss_02_never_flags_demand_instances():
    facts = compliant_facts()
    facts['dbss_instances'] = [dbss(charge_model='Demand', remain_days='1',
                                    expired=(NOW + datetime.timedelta(days=1)).strftime('%Y-%m-%d %H:%M:%S'))]
    assert found(evaluate(facts), 'DBSS-02') == []


def test_dbss_03_04_scopes():
    facts = compliant_facts()
    facts['scopes'] = [dict(good_scope(), status='OFF'), dict(good_scope(), id='s2', status='OFF', all_audit=False)]
    report = evaluate(facts)
    assert found(report, 'DBSS-03') == [('DBSS-03', 'a1')]
    assert found(report, 'DBSS-04') == [('DBSS-04', 'a1')]      # no ON scope at all: no full audit either
    facts['scopes'] = []
    assert found(evaluate(facts), 'DBSS-03') == [('DBSS-03', 'a1')]
    # ON scopes, none with all_audit; an OFF full-audit scope does not count.
    facts['scopes'] = [dict(good_scope(), all_audit=False), dict(good_scope(), id='s2', status='OFF')]
    report = evaluate(facts)
    assert found(report, 'DBSS-03') == [] and found(report, 'DBSS-04') == [('DBSS-04', 'a1')]
    assert found(evaluate(facts, require_full_audit=False), 'DBSS-04') == []
    assert found(evaluate(facts, require_full_audit='false'), 'DBSS-04') == []


def test_dbss_05_databases():
    facts = compliant_facts()
    facts['databases'] = [dict(good_db(), status='OFF'), dict(good_db(), id='d2', status='OFF')]
    assert found(evaluate(facts), 'DBSS-05') == [('DBSS-05', 'a1')]
    facts['databases'] = []
    assert found(evaluate(facts), 'DBSS-05') == [('DBSS-05', 'a1')]
    facts['databases'] = [dict(good_db(), status='OFF'), dict(good_db(), id='d2')]
    assert found(evaluate(facts), 'DBSS-05') == []


def test_dbss_06_new_version():
    facts = compliant_facts()
    facts['dbss_instances'] = [dbss(new_version='24.06.12')]
    report = evaluate(facts)
    assert found(report) == [('DBSS-06', 'a1')]
    assert report['violations'][0]['severity'] == 'low' and '24.06.12' in report['violations'][0]['message']
    facts['dbss_instances'] = [dbss(new_version='')]
    assert found(evaluate(facts)) == []


def test_every_dbss_check_applies_whatever_the_status():
    facts = {'dbss_instances': [dbss(status='SHUTOFF', new_version='x', charge_model='Period', remain_days='3')]}
    assert [check for check, _id in found(evaluate(facts))] == ['DBSS-0%d' % n for n in range(1, 7)]


@pytest.mark.parametrize('keep_days, expected', [(0, ['RDS-01', 'RDS-03']), (1, ['RDS-02']), (179, ['RDS-02']), (180, []),
                                                 (732, []), ('7', ['RDS-02']), (None, ['RDS-01'])])
def test_rds_01_02_retention_boundaries(keep_days, expected):
    facts = compliant_facts()
    facts['policies'] = [{'instance_id': 'r1', 'keep_days': keep_days}]
    if keep_days == 0:
        facts['audit_logs'] = []          # audit off: no files
    assert [check for check, _id in found(evaluate(facts))] == expected


def test_rds_02_is_not_raised_when_audit_is_off_and_follows_the_threshold():
    facts = compliant_facts()
    facts['policies'] = [{'instance_id': 'r1', 'keep_days': 0}]
    assert found(evaluate(facts, min_retention_days=400), 'RDS-02') == []
    facts['policies'] = [{'instance_id': 'r1', 'keep_days': 365}]
    assert found(evaluate(facts, min_retention_days=366), 'RDS-02') == [('RDS-02', 'r1')]
    facts['policies'] = []                  # no policy returned at all: reported as audit log off
    assert found(evaluate(facts)) == [('RDS-01', 'r1')]


def test_rds_03_freshness_edge():
    facts = compliant_facts()
    edge = NOW - datetime.timedelta(hours=24)
    facts['audit_logs'] = [{'instance_id': 'r1', 'id': 'x', 'begin_time': api_time(edge), 'end_time': api_time(NOW)}]
    assert found(evaluate(facts), 'RDS-03') == []                                   # began exactly at the edge
    facts['audit_logs'][0]['begin_time'] = api_time(edge - datetime.timedelta(seconds=1))
    report = evaluate(facts)
    assert found(report, 'RDS-03') == [('RDS-03', 'r1')]                            # overlaps, but began before it
    assert 'the last one began 2026-02-28T03:59:59Z' in report['violations'][0]['message']
    assert found(evaluate(facts, log_freshness_hours=25), 'RDS-03') == []
    facts['audit_logs'] = []
    assert found(evaluate(facts), 'RDS-03') == [('RDS-03', 'r1')]


def test_rds_03_uses_the_resolved_window_start():
    facts = compliant_facts()
    facts['audit_logs'] = [fresh_log(hours_ago=5)]
    # The module resolved -24h one hour before the report: a file 5 h old began after that window start.
    assert found(evaluate(facts, log_window_start=api_time(NOW - datetime.timedelta(hours=4))), 'RDS-03') == [('RDS-03', 'r1')]
    assert found(evaluate(facts, log_window_start='2026-02-28T05:00:00+0000'), 'RDS-03') == []
    assert evaluate(facts, log_window_start='2026-02-28T05:00:00+0000')['summary']['log_window_start'] == '2026-02-28T05:00:00Z'


def test_logs_of_other_instances_do_not_count():
    facts = compliant_facts()
    facts['rds_instances'].append(rds('r2'))
    facts['policies'].append({'instance_id': 'r2', 'keep_days': 365})
    assert found(evaluate(facts)) == [('RDS-03', 'r2')]


def seeded_mix():
    facts = compliant_facts()
    facts['dbss_instances'] = [dbss('a1', status='ERROR'), dbss('a2', new_version='n')]
    facts['scopes'] = [good_scope('a1'), good_scope('a2')]
    facts['databases'] = [good_db('a1'), good_db('a2')]
    facts['policies'] = [{'instance_id': 'r1', 'keep_days': 30}]
    facts['rds_instances'][0]['region'] = 'cn-east-3'
    return facts                            # violations: DBSS-01 high, DBSS-06 low, RDS-02 high


def test_counts_and_violation_fields():
    report = evaluate(seeded_mix(), region='cn-north-4')
    summary = report['summary']
    assert found(report) == [('DBSS-01', 'a1'), ('DBSS-06', 'a2'), ('RDS-02', 'r1')]
    assert summary['violations'] == 3 and summary['by_severity'] == {'high': 2, 'medium': 0, 'low': 1}
    assert summary['by_check']['DBSS-01'] == 1 and summary['by_check']['RDS-02'] == 1 and sum(summary['by_check'].values()) == 3
    checks = dict((check['id'], check) for check in report['checks'])
    assert (checks['DBSS-01']['checked'], checks['DBSS-01']['passed'], checks['DBSS-01']['failed']) == (2, 1, 1)
    assert (checks['RDS-02']['checked'], checks['RDS-02']['passed'], checks['RDS-02']['failed']) == (1, 0, 1)
    for violation in report['violations']:
        assert set(violation) == {'check', 'severity', 'resource_type', 'resource_id', 'resource_name', 'region', 'message', 'remediation'}
        assert violation['remediation'] == compliance_checks.CHECKS_BY_ID[violation['check']]['remediation']
    assert report['violations'][2]['region'] == 'cn-east-3' and report['violations'][2]['resource_name'] == 'rds-r1'
    assert summary['region'] == 'cn-north-4'
    assert report['resources'] == {'dbss_instance': [{'id': 'a1', 'name': 'dbss-a1'}, {'id': 'a2', 'name': 'dbss-a2'}],
                                   'rds_instance': [{'id': 'r1', 'name': 'rds-r1'}]}
    json.dumps(report)      # plain JSON types only


@pytest.mark.parametrize('fail_on, failed, failing', [('high', True, 2), ('medium', True, 2), ('low', True, 3), ('never', False, 0)])
def test_fail_on_threshold(fail_on, failed, failing):
    summary = evaluate(seeded_mix(), fail_on=fail_on)['summary']
    assert summary['failed'] is failed and summary['failing_violations'] == failing
    assert summary['result'] == ('FAIL' if failed else 'WARN')
    assert 'high 2, medium 0, low 1' in summary['message']


def test_fail_on_only_counts_at_or_above():
    facts = compliant_facts()
    facts['dbss_instances'] = [dbss(new_version='n')]                              # one low violation
    assert evaluate(facts, fail_on='high')['summary']['failed'] is False
    assert evaluate(facts, fail_on='medium')['summary']['failed'] is False
    summary = evaluate(facts, fail_on='low')['summary']
    assert summary['failed'] is True
    assert summary['message'].startswith('database audit compliance FAILED: 1 of 1 violations at or above severity low (high 0, medium 0, low 1')
    assert compliance_checks.at_or_above('high', 'high') and not compliance_checks.at_or_above('medium', 'high')
    assert not compliance_checks.at_or_above('high', 'never')


@pytest.mark.parametrize('options, message', [
    ({'fail_on': 'critical'}, 'fail_on must be one of low, medium, high, never'),
    ({'expiry_warning_days': -1}, 'expiry_warning_days must be an integer >= 0'),
    ({'min_retention_days': 'many'}, 'min_retention_days must be an integer'),
    ({'log_freshness_hours': 0}, 'log_freshness_hours must be an integer >= 1'),
    ({'require_full_audit': 'maybe'}, 'require_full_audit must be a boolean'),
    ({'log_window_start': 'yesterday'}, 'log_window_start'),
    ({'colour': 'red'}, 'unknown option(s): colour'),
])
def test_bad_options(options, message):
    with pytest.raises(compliance_base.ComplianceInputError, match=message.replace('(', r'\(').replace(')', r'\)')):
        evaluate(compliant_facts(), **options)


def test_empty_scope_and_region_fallbacks():
    report = evaluate({})
    assert report['violations'] == [] and report['summary']['resources_checked']['total'] == 0
    assert report['summary']['region'] == '' and all(check['checked'] == 0 for check in report['checks'])
    assert evaluate({'rds_instances': [rds(region='eu-west-101')]})['summary']['region'] == 'eu-west-101'


@pytest.mark.parametrize('text, expected', [
    ('2026-03-01 04:00:00', NOW), ('2026-03-01T12:00:00+0800', NOW), ('2026-03-01T04:00:00Z', NOW),
    ('2026-03-01T12:00:00+08:00', NOW), ('2026-03-01', NOW.replace(hour=0)), ('junk', None), (None, None),
    ('2026-02-30 00:00:00', None), ('2026-03-01T12:00:00+2500', None), ('9999-12-31T23:59:59-12:00', None)])
def test_reported_times_are_read_by_the_one_time_parser(text, expected):
    # compliance.py has no time parser of its own any more: times.py reads the API's times for both.
    assert not hasattr(compliance, 'parse_time') and not hasattr(compliance, '_TIME_RE')
    assert times.parse_reported_time(text) == expected


# -- rendering ------------------------------------------------------------------------------------------------
HOSTILE = 'evil <script>alert("x")</script> & \'q\' | `tick` *b* \x07bell'


def hostile_report(fail_on='high'):
    facts = seeded_mix()
    facts['dbss_instances'][0]['name'] = HOSTILE
    facts['dbss_instances'][0]['status'] = 'ERR<&>"'
    return evaluate(facts, fail_on=fail_on, region='cn-<north>-4')


def test_junit_is_well_formed_with_one_case_per_check_and_resource():
    report = hostile_report()
    root = ET.fromstring(compliance_render_junit.render_junit(report).encode('utf-8'))
    # 10 DBSS checks and COV-02 x 2 instances (a1 is not ACTIVE: a skipped case for DBSS-07..10) + 3 RDS checks and
    # COV-01 x 1.
    assert root.tag == 'testsuites' and root.get('tests') == str(11 * 2 + 4 * 1) and root.get('failures') == '3'
    suites = root.findall('testsuite')
    assert [suite.find('properties/property[@name="check"]').get('value') for suite in suites] == [c['id'] for c in compliance_checks.CHECKS]
    cases = [(suite.find('properties/property[@name="check"]').get('value'), case) for suite in suites for case in suite.findall('testcase')]
    assert len(cases) == 26
    skipped = sorted((check, case.get('name').split()[1]) for check, case in cases if case.find('skipped') is not None)
    assert skipped == [(check, 'a1') for check in compliance_checks.ACTIVE_ONLY_CHECKS]
    failures = sorted((check, case.get('name').split()[1]) for check, case in cases if case.find('failure') is not None)
    assert failures == found(report)
    bad = next(case for check, case in cases if check == 'DBSS-01' and case.find('failure') is not None)
    assert '<script>' in bad.get('name') and '\x07' not in bad.get('name')
    assert bad.find('failure').get('type') == 'high' and 'ERR<&>"' in bad.find('failure').get('message')
    for suite in suites:
        assert int(suite.get('tests')) == len(suite.findall('testcase'))
        assert int(suite.get('failures')) == len(suite.findall('testcase/failure'))
        assert int(suite.get('skipped')) == len(suite.findall('testcase/skipped'))


def test_html_is_self_contained_and_escaped():
    report = hostile_report()
    page = html_page.render_html(report)
    root = ET.fromstring(page.split('\n', 1)[1].encode('utf-8'))          # well-formed (XHTML-compatible) after the doctype
    assert root.tag == 'html'
    assert '<script' not in page and 'alert(&quot;x&quot;)' in page and '&lt;script&gt;' in page
    for forbidden in ('src=', '@import', 'url(', 'href="http', '<link'):
        assert forbidden not in page
    assert root.find('.//{http://www.w3.org/2000/svg}svg') is not None
    bars = root.findall('.//{http://www.w3.org/2000/svg}rect')
    assert len(bars) == 3
    for check in compliance_checks.CHECKS:
        assert root.find('.//h2[@id="%s"]' % check['id']) is not None
    tables = root.findall('.//table')
    assert len(tables) >= 2 + 3      # summary, checks, one per violated check
    assert 'cn-&lt;north&gt;-4' in page and 'FAIL' in page


def test_markdown_names_every_violated_check_and_escapes_pipes():
    report = hostile_report()
    text = markdown_page.render_markdown(report)
    for check_id, _id in found(report):
        assert '## %s ' % check_id in text
    coverage, checks = text.split('## Checks')
    table_rows = [line for line in checks.splitlines() if line.startswith('| ') and 'a1' in line]
    assert table_rows and all(len(re.split(r'(?<!\\)\|', line)) == 5 for line in table_rows)      # 3 cells
    coverage_rows = [line for line in coverage.split('## Coverage')[1].splitlines() if line.startswith('| r1 ')]
    assert len(coverage_rows) == 1 and len(re.split(r'(?<!\\)\|', coverage_rows[0])) == 8          # 6 cells
    assert 'DBSS evil &lt;script&gt;' in coverage_rows[0]
    assert '<script>' not in text and '\x07' not in text
    assert '**FAIL**' in text


def test_renderings_of_a_clean_report():
    report = evaluate(compliant_facts())
    assert 'The DBSS audit instance passes.' in markdown_page.render_markdown(report)
    page = html_page.render_html(report)
    assert 'The DBSS audit instance passes.' in page and '1 DBSS audit instance, 1 RDS instance</td>' in page
    # The checks come first, then the coverage table; CJK control titles have a font; names stay on one line.
    assert page.index('<h2 id="checks">') < page.index('<h2 id="coverage">')
    assert '"Noto Sans CJK SC"' in page and 'td.name{white-space:nowrap}' in page
    root = ET.fromstring(compliance_render_junit.render_junit(report).encode('utf-8'))
    assert root.get('failures') == '0' and len(root.findall('.//testcase')) == 15
    assert 'PASS' in html_page.render_html(report)


MARKDOWN_HOSTILE = 'a_b__c__ *x* **y** `code` <b>bold</b> &amp; & [link](http://e.x) ![i](x) ~~s~~ | pipe # h \\ back'


def _cell_texts_and_syntax(markdown):
    """{plain text of a table cell: kinds of inline syntax in it} as a CommonMark parser reads them."""
    markdown_it = pytest.importorskip('markdown_it')
    tokens = markdown_it.MarkdownIt('commonmark').enable('table').parse(markdown)
    cells = {}
    inside_cell = False
    for token in tokens:
        if token.type in ('td_open', 'th_open'):
            inside_cell = True
        elif token.type in ('td_close', 'th_close'):
            inside_cell = False
        elif inside_cell and token.type == 'inline':
            text = ''.join(child.content for child in token.children if child.type in ('text', 'text_special'))
            cells.setdefault(text, set()).update(
                child.type for child in token.children if child.type not in ('text', 'text_special', 'softbreak'))
    return cells


def test_markdown_escapes_every_syntax_character_in_values():
    facts = seeded_mix()
    facts['dbss_instances'][0]['name'] = MARKDOWN_HOSTILE
    report = evaluate(facts, region='cn_north_4')
    markdown = markdown_page.render_markdown(report)
    cells = _cell_texts_and_syntax(markdown)
    # Every cell reads back as the literal value: no emphasis, code, link, image, HTML or strike-through (the verdict
    # is the one cell the report sets in bold itself).
    assert MARKDOWN_HOSTILE in cells and 'cn_north_4' in cells
    assert cells.pop(report['summary']['result']) == {'strong_open', 'strong_close'}
    assert not set().union(*cells.values())
    assert '<b>' not in markdown and '&amp;amp;' in markdown


# -- incomplete facts: ERROR findings -----------------------------------------------------------------------------
POLICY_ERROR = ('RDS instance r2: GET /v3/p/instances/r2/auditlog-policy failed: HTTP 500 SYS.5000: boom '
                '(request id 0123abcd)')


def facts_with_a_failed_policy():
    facts = compliant_facts()
    facts['rds_instances'] = [rds('r1'), rds('r2')]
    facts['audit_logs'] = [fresh_log('r1'), fresh_log('r2')]
    facts['errors'] = {'policies': POLICY_ERROR}          # r1's policy arrived, r2's did not
    return facts


def errors_found(report):
    return sorted((item['check'], item['resource_id']) for item in report['errors'])


@pytest.mark.parametrize('fail_on', ['high', 'medium', 'low'])
def test_a_failed_policy_is_an_error_finding_and_fails_whatever_fail_on(fail_on):
    report = evaluate(facts_with_a_failed_policy(), fail_on=fail_on)
    assert found(report) == []                                     # no claimed violation
    # Without its policy, whether r2 is audited at all is unknown too (no DBSS database lists it): COV-01.
    assert errors_found(report) == [('COV-01', 'r2'), ('RDS-01', 'r2'), ('RDS-02', 'r2')]
    for error in report['errors']:
        assert error['state'] == 'ERROR' and error['severity'] == 'high' and error['source'] == 'rds_auditlog_policy_info'
        assert POLICY_ERROR in error['message'] and '0123abcd' in error['message']
    summary = report['summary']
    assert summary['result'] == 'ERROR' and summary['failed'] is True and summary['errors'] == 3
    assert summary['gather_errors'] == [{'module': 'rds_auditlog_policy_info', 'message': POLICY_ERROR}]
    assert summary['message'].startswith('database audit compliance ERROR: 3 check results unknown because 1 API calls failed')
    assert [(row['resource_id'], row['status']) for row in report['coverage']] == [('r1', 'AUDITED'), ('r2', 'UNKNOWN')]
    checks = dict((check['id'], check) for check in report['checks'])
    assert (checks['RDS-01']['checked'], checks['RDS-01']['passed'], checks['RDS-01']['failed'], checks['RDS-01']['errors']) == (2, 1, 0, 1)


def test_fail_on_never_reports_errors_without_failing_but_never_passes():
    summary = evaluate(facts_with_a_failed_policy(), fail_on='never')['summary']
    assert summary['failed'] is False and summary['result'] == 'ERROR'
    assert summary['message'].endswith('fail_on is never, reporting only')


def test_partial_facts_still_prove_a_pass_but_never_a_violation():
    facts = compliant_facts()
    facts['dbss_instances'] = [dbss('a1'), dbss('a2')]
    facts['scopes'] = [good_scope('a1')]                          # a2's scopes were not read
    facts['databases'] = [good_db('a1'), good_db('a2')]
    facts['errors'] = {'scopes': 'audit instance a2: HTTP 500'}
    report = evaluate(facts)
    assert errors_found(report) == [('DBSS-03', 'a2'), ('DBSS-04', 'a2')]
    assert found(report) == []
    assert 'the instance has no audit scope; result unknown: dbss_scope_info failed: audit instance a2: HTTP 500' in \
        report['errors'][0]['message']
    # Checks that do not read the failed fact are evaluated as usual.
    facts['dbss_instances'][1]['status'] = 'SHUTOFF'
    assert found(evaluate(facts)) == [('DBSS-01', 'a2')]


def test_an_incomplete_instance_list_is_an_error_for_every_check_of_its_kind():
    facts = compliant_facts()
    facts['errors'] = {'rds_instances': 'GET /v3/p/instances failed: HTTP 503'}
    report = evaluate(facts)
    assert errors_found(report) == [('COV-01', '*'), ('RDS-01', '*'), ('RDS-02', '*'), ('RDS-03', '*')]
    facts['rds_unlisted_ids'] = ['r7', 'r8']
    report = evaluate(facts)
    assert errors_found(report) == sorted((check, rid) for check in ('COV-01', 'RDS-01', 'RDS-02', 'RDS-03') for rid in ('r7', 'r8'))
    assert report['summary']['resources_checked']['rds_instance'] == 1
    assert [check['checked'] for check in report['checks'] if check['resource_type'] == 'rds_instance'] == [3, 3, 3, 3]
    assert [(row['resource_id'], row['status']) for row in report['coverage']] == [('r1', 'AUDITED'), ('r7', 'UNKNOWN'),
                                                                                   ('r8', 'UNKNOWN')]


def test_error_findings_in_every_rendering():
    facts = facts_with_a_failed_policy()
    facts['rds_instances'][1]['name'] = 'r_2 <b>'
    report = evaluate(facts)
    root = ET.fromstring(compliance_render_junit.render_junit(report).encode('utf-8'))
    assert root.get('errors') == '3' and root.get('failures') == '0'
    errored = [(suite.find('properties/property[@name="check"]').get('value'), case.get('name').split()[1])
               for suite in root.findall('testsuite') for case in suite.findall('testcase') if case.find('error') is not None]
    assert sorted(errored) == [('COV-01', 'r2'), ('RDS-01', 'r2'), ('RDS-02', 'r2')]
    assert all(int(suite.get('errors')) == len(suite.findall('testcase/error')) for suite in root.findall('testsuite'))
    assert '0123abcd' in root.find('.//error').get('message')

    page = html_page.render_html(report)
    ET.fromstring(page.split('\n', 1)[1].encode('utf-8'))
    assert 'verdict ERROR' in page and 'Errors while gathering' in page and 'r_2 &lt;b&gt;' in page
    assert 'All 2 RDS instances pass' not in page.split('id="RDS-01"')[1].split('<h2')[0]

    markdown = markdown_page.render_markdown(report)
    assert '**ERROR**' in markdown and '| Unknown results (ERROR) | 3 |' in markdown
    section = markdown.split('## RDS-01 ')[1].split('\n## ')[0]
    assert '1 of 2 unknown (ERROR, severity high):' in section and 'r\\_2 &lt;b&gt;' in section
    assert 'pass.' not in section


def test_unknown_error_sources_are_refused():
    with pytest.raises(compliance_base.ComplianceInputError, match='errors must map'):
        evaluate({'errors': {'weather': 'x'}})


def test_policies_that_arrived_are_evaluated_when_another_one_failed():
    facts = facts_with_a_failed_policy()
    facts['policies'] = [{'instance_id': 'r1', 'keep_days': 0}]
    report = evaluate(facts)
    assert found(report) == [('RDS-01', 'r1')]                  # r1 is still audited by DBSS: no COV-01
    assert errors_found(report) == [('COV-01', 'r2'), ('RDS-01', 'r2'), ('RDS-02', 'r2')]


# -- DBSS-07..10: what a running audit instance does with what it records ----------------------------------------
AUDIT_DATA_CHECKS = ('DBSS-07', 'DBSS-08', 'DBSS-09', 'DBSS-10')


def with_rules(facts, **changes):
    """``facts`` with compliant rules for a1, changed by ``changes`` (risk_rules=..., alarm_topics=...)."""
    rules = good_rules('a1')
    rules.update(changes)
    return dict(facts, audit_rules=rules)


@pytest.mark.parametrize('risk_rules, violated', [
    (None, False),                                                                  # the compliant set
    ([risk_rule(status='OFF'), risk_rule(name='Login failure', level='MEDIUM', status='OFF')], True),   # every one OFF
    ([risk_rule(), risk_rule(name='Database dump detection', status='OFF')], True),  # a built-in HIGH rule OFF
    ([risk_rule(), risk_rule(name='Login failure', level='MEDIUM', status='OFF')], True),  # a built-in MEDIUM one
    ([risk_rule(), risk_rule(name='Slow SQL', level='LOW', status='OFF')], False),   # LOW built-in: owner's choice
    ([risk_rule(), risk_rule(name='Custom', level='HIGH', status='OFF', rule_type='CUSTOMIZE')], False),
    ([risk_rule(name='Custom', level='LOW', rule_type='CUSTOMIZE')], False),          # no built-in one, one ON
    ([], True),                                                                      # no risk rule at all
])
def test_dbss_07_risk_rules(risk_rules, violated):
    facts = compliant_facts()
    if risk_rules is not None:
        facts = with_rules(facts, risk_rules=risk_rules)
    report = evaluate(facts)
    assert found(report) == ([('DBSS-07', 'a1')] if violated else [])
    if violated:
        assert report['violations'][0]['severity'] == 'high'


def test_dbss_07_message_names_the_rules_that_are_off():
    rules = [risk_rule(), risk_rule(name='Database dump detection', status='OFF'),
             risk_rule(name='Privilege change', level='MEDIUM', status='OFF')]
    message = evaluate(with_rules(compliant_facts(), risk_rules=rules))['violations'][0]['message']
    assert message == ('2 of 3 built-in HIGH/MEDIUM risk rules are OFF: Database dump detection (HIGH), '
                       'Privilege change (MEDIUM)')
    rules = [risk_rule(status='OFF')]
    assert evaluate(with_rules(compliant_facts(), risk_rules=rules))['violations'][0]['message'] == (
        'every risk rule is OFF (1 rules)')


@pytest.mark.parametrize('injection_rules, violated', [
    (None, False),
    ([injection_rule(status='OFF'), injection_rule(name='Stacked queries', level='MEDIUM', status='OFF')], True),
    ([injection_rule(), injection_rule(name='Boolean-based blind injection', status='OFF')], True),
    ([injection_rule(), injection_rule(name='Comment truncation', level='MEDIUM', status='OFF')], True),
    ([injection_rule(), injection_rule(name='Database probing', level='LOW', status='OFF')], False),
    ([injection_rule(), injection_rule(name='Mine', status='OFF', kind='CUSTOMIZE')], False),
    ([], True),
])
def test_dbss_08_sql_injection_rules(injection_rules, violated):
    facts = compliant_facts()
    if injection_rules is not None:
        facts = with_rules(facts, sql_injection_rules=injection_rules)
    report = evaluate(facts)
    assert found(report) == ([('DBSS-08', 'a1')] if violated else [])
    if violated:
        assert report['violations'][0]['severity'] == 'medium'


@pytest.mark.parametrize('fields, message', [
    ({}, None),
    ({'alarm_risk': ['HIGH']}, None),                                                # levels compared case-insensitively
    ({'alarm_switch': 'OFF', 'enabled': False, 'alarm_topic_urn': None}, 'alarm notification is OFF; no SMN topic is set'),
    ({'alarm_switch': None, 'enabled': False}, 'alarm notification is not configured'),
    ({'alarm_topic_urn': ''}, 'no SMN topic is set'),
    ({'alarm_risk': ['medium', 'low']}, 'HIGH alarms are not notified (levels notified: medium, low)'),
    ({'alarm_risk': []}, 'HIGH alarms are not notified (levels notified: none)'),
])
def test_dbss_09_alarm_notification(fields, message):
    report = evaluate(with_rules(compliant_facts(), alarm_topics=[topic('a1', **fields)]))
    assert [(item['check'], item['message'], item['severity']) for item in report['violations']] == (
        [('DBSS-09', message, 'medium')] if message else [])


def test_dbss_09_a_missing_setting_is_a_violation():
    report = evaluate(with_rules(compliant_facts(), alarm_topics=[topic('other')]))
    assert [(item['check'], item['message']) for item in report['violations']] == [
        ('DBSS-09', 'no alarm notification setting was returned for the instance')]


@pytest.mark.parametrize('alarms, options, violated', [
    ([], {}, False),
    ([alarm(hours_ago=72)], {}, False),                                 # exactly the limit: not yet more than 72 h
    ([alarm(hours_ago=72 + 1 / 3600.0)], {}, True),                     # one second more
    ([alarm(hours_ago=240)], {}, True),
    ([alarm(hours_ago=240)], {'alarm_ack_hours': 240}, False),
    ([alarm(hours_ago=1)], {'alarm_ack_hours': 0}, True),               # 0: every open HIGH alarm
    ([alarm(hours_ago=240, status='DONE')], {}, False),                 # acknowledged
    ([alarm(hours_ago=240, risk='MEDIUM')], {}, False),                 # not HIGH
    ([alarm('other', hours_ago=240)], {}, False),                       # another instance's
    ([alarm(hours_ago=240, alarm_time='garbage')], {}, True),           # an unreadable time is not known to be fresh
])
def test_dbss_10_unacknowledged_high_alarms(alarms, options, violated):
    facts = dict(compliant_facts(), audit_alarms=alarms)
    report = evaluate(facts, **options)
    assert found(report) == ([('DBSS-10', 'a1')] if violated else [])
    if violated:
        assert report['violations'][0]['severity'] == 'high'
    assert report['summary']['thresholds']['alarm_ack_hours'] == options.get('alarm_ack_hours', 72)


def test_dbss_10_message_counts_and_dates_the_alarms():
    facts = dict(compliant_facts(), audit_alarms=[alarm(hours_ago=100), alarm(hours_ago=200), alarm(hours_ago=5)])
    assert evaluate(facts)['violations'][0]['message'] == (
        '2 HIGH alarms unacknowledged for more than 72 hours (the oldest raised 2026-02-20T20:00:00Z): a1-100, a1-200'
        .replace('a1-', 'al-a1-'))


def audit_data_violations():
    """Rules, notification and alarms that violate DBSS-07..10 for a1."""
    rules = {'risk_rules': [risk_rule(status='OFF')], 'sql_injection_rules': [injection_rule(status='OFF')],
             'alarm_topics': [topic(alarm_switch='OFF', enabled=False)]}
    return {'audit_rules': rules, 'audit_alarms': [alarm(hours_ago=500)]}


@pytest.mark.parametrize('status', ['SHUTOFF', 'FROZEN', 'ERROR', None])
def test_dbss_07_to_10_do_not_apply_to_instances_that_are_not_active(status):
    facts = dict(compliant_facts(), dbss_instances=[dbss(status=status)], **audit_data_violations())
    report = evaluate(facts)
    assert found(report) == [('DBSS-01', 'a1')]
    checks = dict((check['id'], check) for check in report['checks'])
    for check_id in AUDIT_DATA_CHECKS:
        assert checks[check_id]['not_applicable'] == [{'id': 'a1', 'name': 'dbss-a1'}]
        assert (checks[check_id]['checked'], checks[check_id]['passed'], checks[check_id]['failed']) == (0, 0, 0)
    # The other DBSS checks still apply whatever the status (as DBSS-03..05 always did).
    assert checks['DBSS-03']['checked'] == 1 and checks['DBSS-03']['not_applicable'] == []
    markdown = markdown_page.render_markdown(report)
    assert 'Not applicable to 1 DBSS audit instance that is not ACTIVE (see DBSS-01): a1.' in markdown
    page = html_page.render_html(report)
    assert 'Not applicable to 1 DBSS audit instance that is not ACTIVE' in page
    # Even with failed gathers: nothing was asked for it, nothing is unknown.
    facts['errors'] = {'audit_rules': 'boom', 'audit_alarms': 'bang'}
    report = evaluate(facts)
    assert errors_found(report) == [] and found(report) == [('DBSS-01', 'a1')]


def test_active_instances_with_every_audit_data_violation():
    facts = dict(compliant_facts(), **audit_data_violations())
    facts['dbss_instances'] = [dbss('a1'), dbss('a2')]
    facts['scopes'] = [good_scope('a1'), good_scope('a2')]
    facts['databases'] = [good_db('a1'), good_db('a2')]
    good = good_rules('a2')
    for key in good:
        facts['audit_rules'][key] += good[key]
    report = evaluate(facts)
    assert found(report) == [(check, 'a1') for check in AUDIT_DATA_CHECKS]
    assert report['summary']['by_severity'] == {'high': 2, 'medium': 2, 'low': 0}
    checks = dict((check['id'], check) for check in report['checks'])
    assert all((checks[c]['checked'], checks[c]['passed'], checks[c]['failed']) == (2, 1, 1) for c in AUDIT_DATA_CHECKS)


RULES_ERROR = 'DBSS audit instance a2: GET /v1/p/audit/a2/rule/risk failed: HTTP 500 DBSS.0001: boom (request id 42)'


def test_a_failed_rule_gather_is_an_error_never_a_pass():
    facts = dict(compliant_facts(), **audit_data_violations())
    facts['dbss_instances'] = [dbss('a1'), dbss('a2'), dbss('a3')]
    facts['scopes'] = [good_scope(key) for key in ('a1', 'a2', 'a3')]
    facts['databases'] = [good_db(key) for key in ('a1', 'a2', 'a3')]
    good = good_rules('a3')                                  # a3 read whole; a2's answers never came
    for key in good:
        facts['audit_rules'][key] += good[key]
    facts['errors'] = {'audit_rules': RULES_ERROR}
    report = evaluate(facts, fail_on='never')
    # DBSS-07/08 claim "every rule": what was read proves neither a pass nor a violation. DBSS-09 reads one answer per
    # instance: a1's and a3's arrived (a1 violates, a3 passes), a2's did not.
    assert errors_found(report) == sorted([('DBSS-07', key) for key in ('a1', 'a2', 'a3')]
                                          + [('DBSS-08', key) for key in ('a1', 'a2', 'a3')] + [('DBSS-09', 'a2')])
    assert found(report) == [('DBSS-09', 'a1'), ('DBSS-10', 'a1')]
    summary = report['summary']
    assert summary['result'] == 'ERROR' and summary['gather_errors'] == [{'module': 'dbss_rule_info', 'message': RULES_ERROR}]
    assert summary['failed'] is False                          # never: report only
    assert evaluate(facts)['summary']['failed'] is True       # unknown is never a pass
    error = next(item for item in report['errors'] if item['check'] == 'DBSS-07' and item['resource_id'] == 'a1')
    assert error['source'] == 'dbss_rule_info' and error['message'] == (
        'every risk rule is OFF (1 rules); result unknown: dbss_rule_info failed: ' + RULES_ERROR)
    error = next(item for item in report['errors'] if item['check'] == 'DBSS-07' and item['resource_id'] == 'a3')
    assert error['message'].startswith('no violation in what was read, which may be incomplete; result unknown')


@pytest.mark.parametrize('gap, message', [
    ({'errors': {'audit_alarms': 'HTTP 503'}}, 'dbss_alarm_info failed: HTTP 503'),
    ({'audit_alarms_limit_reached': True}, 'the alarm log is incomplete: 1 alarms were returned'),
    ({'audit_alarms_truncated_windows': [{'instance_id': 'a2'}]},
     'the alarm log is incomplete: the service could not return every alarm of 1 time windows'),
])
def test_an_incomplete_alarm_log_is_an_error_for_every_active_instance(gap, message):
    facts = dict(compliant_facts(), audit_alarms=[alarm('a1', hours_ago=500)], **gap)
    facts['dbss_instances'] = [dbss('a1'), dbss('a2'), dbss('a3', status='SHUTOFF')]
    facts['scopes'] = [good_scope(key) for key in ('a1', 'a2', 'a3')]
    facts['databases'] = [good_db(key) for key in ('a1', 'a2', 'a3')]
    report = evaluate(facts)
    assert errors_found(report) == [('DBSS-10', 'a1'), ('DBSS-10', 'a2')]
    assert found(report) == [('DBSS-01', 'a3')]
    assert all(message in item['message'] for item in report['errors'])
    assert report['summary']['result'] == 'ERROR' and report['summary']['failed'] is True
    assert report['summary']['gather_errors'][0]['module'] == 'dbss_alarm_info'


def test_unlisted_audit_instances_are_errors_for_the_new_checks_too():
    facts = compliant_facts()
    facts['errors'] = {'dbss_instances': 'HTTP 500'}
    report = evaluate(facts, fail_on='never')
    assert [item for item in errors_found(report) if item[0] in AUDIT_DATA_CHECKS] == [(c, '*') for c in AUDIT_DATA_CHECKS]


@pytest.mark.parametrize('value', [-1, 8761, 'x', True, 1.5, None, '72h'])
def test_alarm_ack_hours_role_variable_is_checked(value):
    assert compliance_role_variables.role_variable_problems({'audit_compliance_alarm_ack_hours': value}) == [
        'audit_compliance_alarm_ack_hours must be an integer from 0 to 8760, got %r' % (value,)]


@pytest.mark.parametrize('value', [0, 72, '72', 8760])
def test_alarm_ack_hours_role_variable_accepts(value):
    assert compliance_role_variables.role_variable_problems({'audit_compliance_alarm_ack_hours': value}) == []


@pytest.mark.parametrize('value', [-1, 'x', True])
def test_alarm_ack_hours_option_is_checked(value):
    with pytest.raises(compliance_base.ComplianceInputError, match='alarm_ack_hours must be'):
        evaluate(compliant_facts(), alarm_ack_hours=value)
