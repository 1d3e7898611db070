"""The audit_compliance role run by ansible-playbook against the simulator: exactly the seeded violations, in every
report, written even when the play fails; a clean account passes; ID lists narrow the scope; eight module runs."""

import collections
import datetime
import html
import json
import os
import re
import xml.etree.ElementTree as ET

import pytest
import yaml

from hwtest_support import REPO_ROOT, sim_requests

REGION = 'cn-north-4'
BOGUS = 'http://127.0.0.1:9'      # nothing listens there: a run that used it would fail
ROLE_TASKS = os.path.join(REPO_ROOT, 'roles', 'audit_compliance', 'tasks')
MODULE_TASKS = ('List the DBSS audit instances', 'Audit scopes of the audit instances in scope',
                'Databases under audit of the audit instances in scope', 'List the RDS instances',
                'Audit log policies of the MySQL and PostgreSQL instances in scope', 'Audit log files of the freshness window',
                'Risk rules, SQL injection rules and alarm notification of the running audit instances',
                'Unacknowledged HIGH alarms of the running audit instances')
# Only with audit_compliance_export_logs (test_play_compliance_evidence.py).
EXPORT_TASK = 'Export the audit log files of the checked period as evidence'
# Only with audit_compliance_remediate (test_play_compliance_remediation.py).
REMEDIATION_TASKS = ('Turn the audit log on and raise its retention on the selected RDS instances',
                     'Read the audit log policies of the RDS instances in scope again after the fix')
SEVERITY = {'DBSS-01': 'high', 'DBSS-02': 'medium', 'DBSS-03': 'high', 'DBSS-04': 'medium', 'DBSS-05': 'high',
            'DBSS-06': 'low', 'DBSS-07': 'high', 'DBSS-08': 'medium', 'DBSS-09': 'medium', 'DBSS-10': 'high',
            'RDS-01': 'high', 'RDS-02': 'high', 'RDS-03': 'medium', 'COV-01': 'high', 'COV-02': 'high'}
DBSS_CHECKS = ('DBSS-01', 'DBSS-02', 'DBSS-03', 'DBSS-04', 'DBSS-05', 'DBSS-06', 'DBSS-07', 'DBSS-08', 'DBSS-09', 'DBSS-10',
               'COV-02')
# DBSS-07..10 apply to ACTIVE audit instances only; each flags exactly the instances the simulator misconfigured so.
ACTIVE_ONLY = {'DBSS-07': 'risk_rules_off', 'DBSS-08': 'sql_injection_rules_off', 'DBSS-09': 'no_alarm_topic',
               'DBSS-10': 'stale_high_alarms'}
# The alarm log read for DBSS-10: 366 days in windows of at most 30 days, one request each (per instance).
ALARM_WINDOWS = 13
RDS_CHECKS = ('RDS-01', 'RDS-02', 'RDS-03', 'COV-01')
# The engines of the SQL audit policy API (RDS-01/02, and the own SQL audit of COV-01) and of the log list (RDS-03).
POLICY_ENGINES = ('MySQL', 'PostgreSQL')
LOG_ENGINES = ('MySQL',)
BOGUS_ENV = {'HW_DBSS_ENDPOINT': BOGUS, 'HW_RDS_ENDPOINT': BOGUS, 'HW_IAM_ENDPOINT': BOGUS}


def connection(sim):
    return {'region': REGION, 'endpoints': {'dbss': sim.url, 'iam': sim.url, 'rds': sim.url},
            'access_key': sim.credentials['access_key'], 'secret_key': sim.credentials['secret_key']}


def api_time(text):
    return datetime.datetime.strptime(text, '%Y-%m-%dT%H:%M:%S%z')


def engines(data):
    return dict((rds['id'], rds['datastore']['type']) for rds in data.rds_instances)


def expected_coverage(data, dbss_ids=None, rds_ids=None, min_retention=180):
    """{RDS instance ID: what audits it} for the instances in scope, straight from the simulator's data: ('sql_audit',)
    for its own SQL audit with enough retention, ('dbss', audit instance ID, database ID) for each database of an ACTIVE
    audit instance in scope with a scope ON that lists it with its audit ON and no rds_audit_switch_mismatch."""
    audit_instances = [inst for inst in data.instances if dbss_ids is None or inst['id'] in dbss_ids]
    result = {}
    for rds in data.rds_instances:
        if rds_ids is not None and rds['id'] not in rds_ids:
            continue
        audited_by = set()
        if rds['datastore']['type'] in POLICY_ENGINES and data.audit_policies[rds['id']]['keep_days'] >= max(min_retention, 1):
            audited_by.add(('sql_audit',))
        for inst in audit_instances:
            if inst['status'] != 'ACTIVE' or not [scope for scope in data.scopes[inst['id']] if scope['status'] == 'ON']:
                continue
            audited_by |= {('dbss', inst['id'], item['database']['id']) for item in data.databases[inst['id']]
                           if item['database']['rds_id'] == rds['id'] and item['database']['status'] == 'ON'
                           and not item['database']['rds_audit_switch_mismatch']}
        result[rds['id']] = audited_by
    return result


def expected_violations(data, window_start, dbss_ids=None, rds_ids=None, min_retention=180):
    """The seeded violations, computed straight from the simulator's data with the documented thresholds."""
    expected = set()
    for inst in data.instances:
        if dbss_ids is not None and inst['id'] not in dbss_ids:
            continue
        scopes, dbs = data.scopes[inst['id']], [item['database'] for item in data.databases[inst['id']]]
        rules = {
            'DBSS-01': inst['status'] != 'ACTIVE',
            'DBSS-02': inst['charge_model'] == 'Period' and int(inst['remain_days']) <= 30,
            'DBSS-03': not [s for s in scopes if s['status'] == 'ON'],
            'DBSS-04': not [s for s in scopes if s['status'] == 'ON' and s['all_audit']],
            'DBSS-05': not [d for d in dbs if d['status'] == 'ON'],
            'DBSS-06': bool(inst['new_version']),
            'COV-02': any(item['rds_audit_switch_mismatch'] for item in dbs),
        }
        rules.update((check, data.audit_profiles[inst['id']] == profile) for check, profile in ACTIVE_ONLY.items())
        expected |= {(check, inst['id']) for check, hit in rules.items() if hit}
    for rds in data.rds_instances:
        if rds_ids is not None and rds['id'] not in rds_ids:
            continue
        rules = {}
        if rds['datastore']['type'] in POLICY_ENGINES:
            keep = data.audit_policies[rds['id']]['keep_days']
            rules.update({'RDS-01': keep == 0, 'RDS-02': 0 < keep < min_retention})
        if rds['datastore']['type'] in LOG_ENGINES:
            rules['RDS-03'] = not [f for f in data.audit_logs[rds['id']] if api_time(f['begin_time']) >= window_start]
        expected |= {(check, rds['id']) for check, hit in rules.items() if hit}
    coverage = expected_coverage(data, dbss_ids, rds_ids, min_retention)
    expected |= {('COV-01', rds_id) for rds_id, audited_by in coverage.items() if not audited_by}
    return expected


def not_applicable(check, rds_ids, engine_of):
    """The RDS instances a check skips: RDS-01/02 those without an SQL audit policy, RDS-03 those that are not MySQL."""
    if check in ('RDS-01', 'RDS-02'):
        return [rds_id for rds_id in rds_ids if engine_of[rds_id] not in POLICY_ENGINES]
    if check == 'RDS-03':
        return [rds_id for rds_id in rds_ids if engine_of[rds_id] not in LOG_ENGINES]
    return []


def read_reports(folder):
    with open(os.path.join(folder, 'report.json'), encoding='utf-8') as handle:
        report = json.load(handle)
    junit = ET.parse(os.path.join(folder, 'junit.xml')).getroot()
    with open(os.path.join(folder, 'report.md'), encoding='utf-8') as handle:
        markdown = handle.read()
    with open(os.path.join(folder, 'report.html'), encoding='utf-8') as handle:
        page = handle.read()
    return report, junit, markdown, page


def collection_version():
    """The version of the collection under test: galaxy.yml's (the installed copy is built from it)."""
    with open(os.path.join(REPO_ROOT, 'galaxy.yml'), encoding='utf-8') as handle:
        return yaml.safe_load(handle)['version']


def report_header(page, markdown):
    """The header rows (label, text), from the account to the collection version, of report.html's summary table;
    report.md's first table has the same rows."""
    table = re.search(r'<h2 id="summary">Summary</h2><table>(.*?)</table>', page, re.S).group(1)
    rows = [(html.unescape(label), html.unescape(text)) for label, text in re.findall(r'<tr><th>(.*?)</th><td>(.*?)</td></tr>', table)]
    lines = markdown.split('\n\n', 2)[1].splitlines()[2:]
    cells = [[re.sub(r'\\(.)', r'\1', cell.strip()) for cell in line.strip('|').split(' | ', 1)] for line in lines]
    markdown_rows = [(label, html.unescape(text)) for label, text in cells]
    start = next(index for index, (label, _text) in enumerate(rows) if label.startswith('Account'))
    header = rows[start:start + 4]
    assert [label for label, _text in header][1:] in (['Region', 'Generated at', 'Collection'],
                                                      ['Regions', 'Generated at', 'Collection']), rows
    assert header == markdown_rows[1:5], (header, markdown_rows)
    return header


def junit_cases(junit):
    """{(check, resource_id): failed?} from junit.xml."""
    cases = {}
    for suite in junit.findall('testsuite'):
        check = suite.find('properties/property[@name="check"]').get('value')
        for case in suite.findall('testcase'):
            key = (check, case.get('name').split()[1])
            assert key not in cases
            cases[key] = case.find('failure') is not None
    return cases


def window_start(report):
    return datetime.datetime.strptime(report['summary']['log_window_start'], '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=datetime.timezone.utc)


def active(data, dbss_ids):
    statuses = dict((inst['id'], inst['status']) for inst in data.instances)
    return [inst_id for inst_id in dbss_ids if statuses[inst_id] == 'ACTIVE']


def assert_reports_agree(folder, expected, dbss_ids, rds_ids, active_ids, engine_of):
    report, junit, markdown, page = read_reports(folder)
    got = {(item['check'], item['resource_id']) for item in report['violations']}
    assert got == expected
    assert len(report['violations']) == len(expected)
    assert all(item['severity'] == SEVERITY[item['check']] and item['region'] == REGION and item['message'] and item['remediation']
               for item in report['violations'])
    counts = collections.Counter(check for check, _id in expected)
    assert report['summary']['by_check'] == {check: counts.get(check, 0) for check in SEVERITY}
    severities = collections.Counter(SEVERITY[check] for check, _id in expected)
    assert report['summary']['by_severity'] == {level: severities.get(level, 0) for level in ('high', 'medium', 'low')}
    assert report['summary']['resources_checked'] == {'dbss_instance': len(dbss_ids), 'rds_instance': len(rds_ids),
                                                      'total': len(dbss_ids) + len(rds_ids)}
    assert report['summary']['region'] == REGION

    def checked(check):
        if check in ACTIVE_ONLY:
            return len(active_ids)
        if check in DBSS_CHECKS:
            return len(dbss_ids)
        return len(rds_ids) - len(not_applicable(check, rds_ids, engine_of))
    assert {check['id']: (check['checked'], check['failed']) for check in report['checks']} == {
        check: (checked(check), counts.get(check, 0)) for check in SEVERITY}
    for check in report['checks']:
        skipped = [item['id'] for item in check['not_applicable']]
        assert skipped == ([i for i in dbss_ids if i not in active_ids] if check['id'] in ACTIVE_ONLY
                           else not_applicable(check['id'], rds_ids, engine_of))

    cases = junit_cases(junit)
    assert set(cases) == {(c, i) for c in DBSS_CHECKS for i in dbss_ids} | {(c, i) for c in RDS_CHECKS for i in rds_ids}
    assert {key for key, failed in cases.items() if failed} == expected
    skipped = {(check, case.get('name').split()[1]) for suite in junit.findall('testsuite')
               for check in [suite.find('properties/property[@name="check"]').get('value')]
               for case in suite.findall('testcase') if case.find('skipped') is not None}
    assert skipped == ({(c, i) for c in ACTIVE_ONLY for i in dbss_ids if i not in active_ids}
                       | {(c, i) for c in RDS_CHECKS for i in not_applicable(c, rds_ids, engine_of)})
    assert junit.get('failures') == str(len(expected)) and junit.get('tests') == str(len(cases))

    for check in counts:
        assert check in markdown and 'id="%s"' % check in page
    ET.fromstring(page.split('\n', 1)[1])            # the page is well-formed
    assert '<svg' in page and 'http://' not in page.replace('http://www.w3.org/2000/svg', '')
    return report


def module_task_runs(output):
    return collections.Counter(name for name in MODULE_TASKS
                               for line in output.splitlines() if line.startswith('TASK [hwcloud.dbaudit.audit_compliance : %s]' % name))


@pytest.mark.all_core_lines  # no run: reads the role's tasks
def test_role_runs_one_module_per_api_kind():
    tasks = []
    for name in os.listdir(ROLE_TASKS):
        with open(os.path.join(ROLE_TASKS, name), encoding='utf-8') as handle:
            tasks += yaml.safe_load(handle)
    module_tasks = [task for task in tasks if any(key.startswith('hwcloud.dbaudit.') for key in task)]
    remediation = [task for task in tasks if task.get('block') and task.get('when') == 'audit_compliance_remediate | bool']
    module_tasks += [task for block in remediation for task in block['block'] if any(key.startswith('hwcloud.dbaudit.') for key in task)]
    assert sorted(task['name'] for task in module_tasks) == sorted(MODULE_TASKS + (EXPORT_TASK,) + REMEDIATION_TASKS)
    export = next(task for task in module_tasks if task['name'] == EXPORT_TASK)
    assert export['when'] == 'audit_compliance_export_logs | bool'
    # The one loop of the role: over audit_compliance_targets (a fixed number of module runs per target), never over
    # instances.
    loops = [task for task in tasks if any(key == 'loop' or key.startswith('with_') for key in task)]
    assert [(task.get('ansible.builtin.include_tasks'), task['loop'], task['loop_control']['loop_var']) for task in loops] == [
        ('each_target.yml', "{{ audit_compliance_targets | default([], true) }}", 'audit_compliance__target')]
    with open(os.path.join(ROLE_TASKS, 'each_target.yml'), encoding='utf-8') as handle:
        assert [task.get('ansible.builtin.import_tasks') for task in yaml.safe_load(handle)][0] == 'target.yml'


@pytest.mark.all_core_lines  # the role on every line
def test_seeded_account_reports_exactly_its_violations_and_fails(sim, run_playbook, tmp_path):
    folder = str(tmp_path / 'report')
    # The endpoints in the environment lead nowhere: the play-level module_defaults must reach every module run,
    # and the role's default empty audit_compliance_connection must not override them.
    run = run_playbook('compliance', {'play_connection': connection(sim), 'audit_compliance_report_dir': folder}, env=BOGUS_ENV)
    data = sim.data.regions[REGION]
    dbss_ids = [inst['id'] for inst in data.instances]
    rds_ids = [rds['id'] for rds in data.rds_instances]
    mysql_ids = [rds['id'] for rds in data.rds_instances if rds['datastore']['type'] in LOG_ENGINES]
    policy_ids = [rds['id'] for rds in data.rds_instances if rds['datastore']['type'] in POLICY_ENGINES]

    assert run.rc != 0, run.output
    assert os.path.exists(os.path.join(folder, 'report.json')), run.output
    written, _junit, _md, _page = read_reports(folder)
    expected = expected_violations(data, window_start(written))
    active_ids = active(data, dbss_ids)
    # Every misconfigured profile is seeded, each on ACTIVE instances only, and flagged by its check alone.
    for check, profile in ACTIVE_ONLY.items():
        seeded = {inst_id for inst_id, got in data.audit_profiles.items() if got == profile}
        assert seeded and seeded <= set(active_ids)
        assert {inst_id for got, inst_id in expected if got == check} == seeded
    report = assert_reports_agree(folder, expected, dbss_ids, rds_ids, active_ids, engines(data))
    summary = report['summary']
    assert summary['failed'] is True and summary['result'] == 'FAIL' and summary['fail_on'] == 'high'
    high, medium, low = (summary['by_severity'][level] for level in ('high', 'medium', 'low'))
    assert high > 0 and medium > 0 and low > 0
    message = ('database audit compliance FAILED: %d of %d violations at or above severity high (high %d, medium %d, low %d; %d '
               'resources checked in %s); reports in %s'
               % (high, high + medium + low, high, medium, low, len(dbss_ids) + len(rds_ids), REGION, folder))
    assert message in run.output
    assert run.result['report'] == report
    assert 'report.html' in run.output
    # The header: the connection names no account (the play's AK/SK), its region, and the installed collection's version.
    _report, _junit, markdown, page = read_reports(folder)
    assert report_header(page, markdown) == [
        ('Account', 'the account of the credentials (not named by the connection)'), ('Region', REGION),
        ('Generated at', summary['generated_at']), ('Collection', 'hwcloud.dbaudit %s' % collection_version())]
    assert summary['account'] is None

    # No secret in the reports or the fact.
    secret = sim.credentials['secret_key']
    for name in os.listdir(folder):
        with open(os.path.join(folder, name), encoding='utf-8') as handle:
            assert secret not in handle.read()
    assert secret not in json.dumps(run.result)

    # Six module runs; requests bounded by the pages and instances, not one module run per instance.
    assert module_task_runs(run.output) == collections.Counter(MODULE_TASKS)
    project = data.project_id
    assert len(sim_requests(sim, r'^/v1/%s/audit/instances$' % project)) == 1
    scope_requests = sim_requests(sim, r'^/v1/%s/audit/[^/]+/rule/scopes$' % project)
    assert sorted(record['path'].split('/')[4] for record in scope_requests) == sorted(dbss_ids)
    assert len(sim_requests(sim, r'^/v2/%s/audit/[^/]+/databases$' % project)) == len(dbss_ids)
    assert len(sim_requests(sim, r'^/v3/%s/instances$' % project)) == 1
    # Every engine is listed; policies of MySQL and PostgreSQL alone, log files of MySQL alone (SQL Server: neither).
    assert sorted(record['path'].split('/')[4] for record in sim_requests(sim, r'^/v3/%s/instances/[^/]+/auditlog-policy$' % project)) \
        == sorted(policy_ids)
    assert sorted(record['path'].split('/')[4] for record in sim_requests(sim, r'^/v3/%s/instances/[^/]+/auditlog$' % project)) \
        == sorted(mysql_ids)
    # DBSS-07..10: one request per running instance and API (the rules fit one page), and one per 30-day window of
    # the 366-day alarm log per running instance: a fixed number of module runs, nothing for non-ACTIVE instances.
    for api in (r'rule/risk', r'rule/sqls'):
        touched = [record['path'].split('/')[4] for record in sim_requests(sim, r'^/v1/%s/audit/[^/]+/%s$' % (project, api))]
        assert sorted(touched) == sorted(active_ids)
    touched = [record['path'].split('/')[4] for record in sim_requests(sim, r'^/v2/%s/audit/[^/]+/alarm/topic$' % project)]
    assert sorted(touched) == sorted(active_ids)
    alarm_requests = sim_requests(sim, r'^/v2/%s/audit/[^/]+/alarm-log$' % project)
    assert collections.Counter(record['path'].split('/')[4] for record in alarm_requests) == {
        inst_id: ALARM_WINDOWS for inst_id in active_ids}
    assert all(record['status'] == 200 for record in sim.requests if record['service'] in ('dbss', 'rds'))


def test_clean_account_passes(ansible_env, run_playbook, tmp_path):
    from dbaudit_simulator import Simulator, SimulatorConfig
    folder = str(tmp_path / 'clean')
    with Simulator(SimulatorConfig(clean=True)) as clean:
        run = run_playbook('compliance', {'play_connection': connection(clean), 'audit_compliance_report_dir': folder,
                                          'audit_compliance_fail_on': 'low'}, env=BOGUS_ENV)
        data = clean.data.regions[REGION]
    assert run.rc == 0, run.output
    dbss_ids = [inst['id'] for inst in data.instances]
    rds_ids = [rds['id'] for rds in data.rds_instances]
    report = assert_reports_agree(folder, set(), dbss_ids, rds_ids, active(data, dbss_ids), engines(data))
    assert {row['resource_id']: row['status'] for row in report['coverage']} == dict((rds_id, 'AUDITED') for rds_id in rds_ids)
    assert report['summary']['result'] == 'PASS' and report['summary']['violations'] == 0
    assert 'database audit compliance PASSED: no violations' in run.output


def test_id_lists_narrow_the_scope_and_the_role_connection_is_used(sim, run_playbook, tmp_path):
    data = sim.data.regions[REGION]
    mysql = [rds['id'] for rds in data.rds_instances if rds['datastore']['type'] == 'MySQL']
    dbss_ids = [data.instances[index]['id'] for index in (0, 5, len(data.instances) - 1)]
    dbss_ids.append(next(inst['id'] for inst in data.instances if inst['status'] != 'ACTIVE' and inst['id'] not in dbss_ids))
    rds_ids = [mysql[1], mysql[2]]                   # keep_days 0 and 7 in the seeded cycle
    folder = str(tmp_path / 'narrow')
    # No play-level defaults and dead endpoints in the environment: the role's own connection variable carries all.
    run = run_playbook('compliance', {'audit_compliance_connection': connection(sim), 'audit_compliance_report_dir': folder,
                                      'audit_compliance_dbss_instance_ids': dbss_ids, 'audit_compliance_rds_instance_ids': rds_ids,
                                      'audit_compliance_fail_on': 'never'}, env=BOGUS_ENV)
    assert run.rc == 0, run.output
    report, _junit, _md, _page = read_reports(folder)
    expected = expected_violations(data, window_start(report), set(dbss_ids), set(rds_ids))
    assert {'DBSS-01', 'RDS-01', 'RDS-02'} <= {check for check, _id in expected}
    ordered_dbss = [inst['id'] for inst in data.instances if inst['id'] in dbss_ids]
    assert_reports_agree(folder, expected, ordered_dbss, [rds for rds in mysql if rds in rds_ids], active(data, ordered_dbss),
                         engines(data))
    touched = {record['path'].split('/')[4] for record in sim_requests(sim, r'^/v2/%s/audit/[^/]+/alarm-log$' % data.project_id)}
    assert touched == set(active(data, dbss_ids))
    project = data.project_id
    touched = {record['path'].split('/')[4] for record in sim_requests(sim, r'^/v1/%s/audit/[^/]+/rule/scopes$' % project)}
    assert touched == set(dbss_ids)
    touched = {record['path'].split('/')[4] for record in sim_requests(sim, r'^/v3/%s/instances/[^/]+/auditlog' % project)}
    assert touched == set(rds_ids)
    assert sim.credentials['secret_key'] not in json.dumps(run.result)


@pytest.mark.all_core_lines  # module_defaults of the play and the role merge
def test_fail_on_never_reports_without_failing_and_connections_merge(sim, run_playbook, tmp_path):
    folder = str(tmp_path / 'never')
    # Play-level group defaults hold the credentials and dead endpoints; the role's connection overrides only the
    # endpoints, key by key, and the play's credentials still apply.
    play = dict(connection(sim), endpoints={'dbss': BOGUS, 'iam': BOGUS, 'rds': BOGUS})
    role = {'endpoints': {'dbss': sim.url, 'iam': sim.url, 'rds': sim.url}}
    run = run_playbook('compliance', {'play_connection': play, 'audit_compliance_connection': role,
                                      'audit_compliance_report_dir': folder, 'audit_compliance_fail_on': 'never',
                                      'audit_compliance_min_retention_days': 400, 'audit_compliance_require_full_audit': False},
                       env=BOGUS_ENV)
    assert run.rc == 0, run.output
    report, _junit, _md, _page = read_reports(folder)
    summary = report['summary']
    assert summary['failed'] is False and summary['result'] == 'WARN' and summary['violations'] > 0
    assert summary['fail_on'] == 'never' and summary['by_severity']['high'] > 0
    assert summary['by_check']['DBSS-04'] == 0 and summary['thresholds']['require_full_audit'] is False
    data = sim.data.regions[REGION]
    assert summary['by_check']['RDS-02'] == len([policy for policy in data.audit_policies.values() if 0 < policy['keep_days'] < 400])
    assert 'fail_on is never, reporting only' in run.output


@pytest.mark.all_core_lines  # the role's argument checks
@pytest.mark.parametrize('variable', ['audit_compliance_dbss_instance_ids', 'audit_compliance_rds_instance_ids'])
def test_unknown_ids_fail_before_any_report(sim, run_playbook, tmp_path, variable):
    folder = str(tmp_path / 'unknown')
    run = run_playbook('compliance', {'play_connection': connection(sim), 'audit_compliance_report_dir': folder,
                                      variable: ['ghost-instance']})
    assert run.rc != 0
    assert '%s: no such' % variable in run.output and 'ghost-instance' in run.output
    assert not os.path.exists(folder)
    assert run.result == {'report': None}
