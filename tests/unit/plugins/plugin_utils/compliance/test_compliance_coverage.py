"""Coverage, database by database (plugins/plugin_utils/compliance/coverage.py): what counts as auditing an RDS
instance, what does not and why, unknown facts as ERROR never as a pass, COV-02, the selection of the instances the
role asks, and the escaped renderings."""

import datetime
import re

import pytest

from ansible_collections.hwcloud.dbaudit.plugins.filter.compliance_coverage import audit_compliance_rds_ids
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import evaluate as compliance
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import coverage as compliance_coverage
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import junit as compliance_render_junit
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import html_page
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import markdown_page
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import findings_csv
from ansible.errors import AnsibleFilterError

NOW = datetime.datetime(2026, 3, 1, 4, 0, tzinfo=datetime.timezone.utc)
MIN = 180


def rds(instance_id='r1', engine='MySQL', **fields):
    record = {'id': instance_id, 'name': 'rds-' + instance_id, 'datastore': {'type': engine, 'version': '8.0'}}
    record.update(fields)
    return record


def audit_instance(instance_id='a1', status='ACTIVE'):
    return {'id': instance_id, 'name': 'dbss-' + instance_id, 'status': status}


def scope(instance_id='a1', status='ON'):
    return {'instance_id': instance_id, 'id': 's-' + instance_id, 'status': status, 'all_audit': True}


def database(rds_id='r1', instance_id='a1', status='ON', mismatch=False, number=1):
    return {'instance_id': instance_id, 'id': 'd%d-%s' % (number, instance_id), 'name': 'db%d' % number, 'status': status,
            'rds_id': rds_id, 'rds_audit_switch_mismatch': mismatch}


def run(rds_instances, dbss=None, scopes=None, databases=None, policies=None, errors=None, stand_ins=()):
    return compliance_coverage.coverage(rds_instances, dbss if dbss is not None else [audit_instance()],
                                        scopes if scopes is not None else [scope()], databases or [], policies or {},
                                        errors or {}, MIN, stand_ins)


def one(rows_findings):
    rows, findings = rows_findings
    assert len(rows) == 1
    return rows[0], [(check, item['id'], state, source) for check, item, _message, state, source in findings]


@pytest.mark.parametrize('keep_days, audited', [(None, False), (0, False), (1, False), (179, False), (180, True), (732, True),
                                                ('365', True), ('x', False)])
def test_own_sql_audit_counts_with_enough_retention(keep_days, audited):
    policies = {} if keep_days is None else {'r1': {'keep_days': keep_days}}
    row, findings = one(run([rds()], policies=policies))
    assert row['status'] == ('AUDITED' if audited else 'UNAUDITED')
    assert row['audited_by'] == ([{'kind': 'sql_audit', 'keep_days': int(keep_days)}] if audited else [])
    assert findings == ([] if audited else [('COV-01', 'r1', 'FAIL', None)])


def test_postgresql_has_its_own_audit_sql_server_does_not():
    policies = {'p1': {'keep_days': 365}, 's1': {'keep_days': 365}}
    rows, findings = run([rds('p1', 'PostgreSQL'), rds('s1', 'SQLServer')], policies=policies)
    assert [(row['resource_id'], row['status']) for row in rows] == [('p1', 'AUDITED'), ('s1', 'UNAUDITED')]
    assert 'SQLServer has no SQL audit policy (only DBSS can audit it)' in rows[1]['message']
    assert [(check, item['id']) for check, item, _m, _s, _src in findings] == [('COV-01', 's1')]


def test_sql_server_audited_only_by_dbss():
    row, findings = one(run([rds('s1', 'SQLServer')], databases=[database('s1')]))
    assert row['status'] == 'AUDITED' and findings == []
    assert row['audited_by'] == [{'kind': 'dbss', 'instance_id': 'a1', 'instance_name': 'dbss-a1', 'database_id': 'd1-a1',
                                  'database_name': 'db1'}]


@pytest.mark.parametrize('dbss, scopes, db, reason', [
    ([audit_instance(status='SHUTOFF')], [scope()], database(), 'the audit instance is SHUTOFF, not ACTIVE'),
    ([audit_instance(status=None)], [scope()], database(), 'the audit instance is unknown, not ACTIVE'),
    ([audit_instance()], [scope()], database(status='OFF'), "the database's audit is OFF"),
    ([audit_instance()], [scope(status='OFF')], database(), 'no audit scope of the audit instance is ON'),
    ([audit_instance()], [], database(), 'no audit scope of the audit instance is ON'),
    ([audit_instance()], [scope()], database(mismatch=True), 'rds_audit_switch_mismatch: the RDS side does not upload its logs'),
    ([audit_instance()], [scope()], database(mismatch='true'), 'rds_audit_switch_mismatch'),
])
def test_dbss_databases_that_do_not_count_say_why(dbss, scopes, db, reason):
    row, findings = one(run([rds('s1', 'SQLServer')], dbss=dbss, scopes=scopes, databases=[dict(db, rds_id='s1')]))
    assert row['status'] == 'UNAUDITED' and row['audited_by'] == []
    assert len(row['not_counted']) == 1 and reason in row['not_counted'][0]['reason']
    assert reason in row['message'] and findings[0][:3] == ('COV-01', 's1', 'FAIL')


def test_a_database_of_an_audit_instance_out_of_scope_does_not_count():
    row, _findings = one(run([rds('s1', 'SQLServer')], databases=[database('s1', instance_id='elsewhere')]))
    assert row['status'] == 'UNAUDITED' and row['not_counted'] == []
    assert 'no DBSS audit instance in scope lists it' in row['message']


def test_every_counting_source_is_listed():
    databases = [database('r1', number=1), database('r1', number=2, status='OFF'), database('r1', 'a2')]
    row, findings = one(run([rds()], dbss=[audit_instance(), audit_instance('a2', 'FROZEN')], policies={'r1': {'keep_days': 400}},
                            databases=databases))
    assert findings == []
    assert [item['kind'] for item in row['audited_by']] == ['sql_audit', 'dbss']
    assert [(item['instance_id'], item['database_id']) for item in row['not_counted']] == [('a1', 'd2-a1'), ('a2', 'd1-a2')]


@pytest.mark.parametrize('errors, source', [({'policies': 'HTTP 500'}, 'policies'), ({'databases': 'HTTP 500'}, 'databases'),
                                            ({'dbss_instances': 'HTTP 500'}, 'dbss_instances')])
def test_an_unknown_fact_is_an_error_never_a_pass(errors, source):
    row, findings = one(run([rds()], errors=errors))
    assert row['status'] == 'UNKNOWN'
    assert findings[0] == ('COV-01', 'r1', 'ERROR', source)


def test_unknown_scopes_are_an_error_but_proof_still_passes():
    row, findings = one(run([rds('s1', 'SQLServer')], scopes=[], databases=[database('s1')], errors={'scopes': 'HTTP 500'}))
    assert row['status'] == 'UNKNOWN' and findings == [('COV-01', 's1', 'ERROR', 'scopes')]
    assert row['not_counted'][0]['reason'] == 'its audit scopes are unknown'
    # A policy that arrived proves coverage whatever failed elsewhere.
    row, findings = one(run([rds()], policies={'r1': {'keep_days': 365}}, errors={'databases': 'x', 'scopes': 'y', 'dbss_instances': 'z'}))
    assert row['status'] == 'AUDITED' and [item for item in findings if item[0] == 'COV-01'] == []
    # So does a DBSS database that was read, when the policy failed.
    row, findings = one(run([rds()], databases=[database()], errors={'policies': 'HTTP 500'}))
    assert row['status'] == 'AUDITED' and findings == []


def test_cov_02_flags_audit_instances_with_mismatched_databases():
    databases = [database('r1', mismatch=True), database('r2', number=2), database('r3', 'a2')]
    _rows, findings = run([], dbss=[audit_instance(), audit_instance('a2')], databases=databases)
    assert [(check, item['id'], state) for check, item, _m, state, _s in findings] == [('COV-02', 'a1', 'FAIL')]
    assert 'db1 (RDS instance r1)' in findings[0][2]
    _rows, findings = run([], dbss=[audit_instance(), audit_instance('a2')], databases=databases, errors={'databases': 'x'})
    assert [(check, item['id'], state) for check, item, _m, state, _s in findings] == [('COV-02', 'a1', 'FAIL'), ('COV-02', 'a2', 'ERROR')]


def test_stand_ins_are_unknown_rows():
    rows, findings = run([], stand_ins=[{'id': '*', 'name': 'any'}])
    assert [(row['resource_id'], row['status']) for row in rows] == [('*', 'UNKNOWN')] and findings == []
    assert compliance_coverage.coverage_summary(rows) == {'rds_instance': 1, 'audited': 0, 'unaudited': 0, 'unknown': 1}


def test_selection_of_the_instances_asked():
    instances = [rds('m', 'MySQL'), rds('p', 'postgresql'), rds('s', 'SQLServer'), rds('x', 'MariaDB'), {'id': 'n'},
                 {'id': 'b', 'datastore': 'MySQL'}, 'junk']
    assert compliance_coverage.select_ids(instances, 'policy') == ['m', 'p', 'n', 'b']
    assert compliance_coverage.select_ids(instances, 'audit_log') == ['m', 'n', 'b']
    assert compliance_coverage.select_ids(instances, 'any') == ['m', 'p', 's', 'x', 'n', 'b']
    assert audit_compliance_rds_ids(instances, 'policy') == ['m', 'p', 'n', 'b']
    with pytest.raises(AnsibleFilterError, match='capability must be one of policy, audit_log, any'):
        audit_compliance_rds_ids(instances, 'logs')
    with pytest.raises(AnsibleFilterError, match='expects the list of RDS instances'):
        audit_compliance_rds_ids({'id': 'm'}, 'policy')
    assert compliance_coverage.not_applicable_checks(rds('p', 'PostgreSQL')) == ['RDS-03']
    assert compliance_coverage.not_applicable_checks(rds('s', 'SQLServer')) == ['RDS-01', 'RDS-02', 'RDS-03']
    assert compliance_coverage.not_applicable_checks({'id': 'n'}) == []


HOSTILE = 'evil <script>alert("x")</script> | `tick` *b* =cmd'


def test_the_report_and_its_renderings():
    facts = {'dbss_instances': [audit_instance()], 'scopes': [scope()],
             'databases': [database('s1', mismatch=True), dict(database('p1', number=2), name=HOSTILE)],
             'rds_instances': [rds('m1'), rds('p1', 'PostgreSQL', name=HOSTILE), rds('s1', 'SQLServer', name='=HYPERLINK("x")')],
             'policies': [{'instance_id': 'm1', 'keep_days': 365}, {'instance_id': 'p1', 'keep_days': 7}],
             'audit_logs': []}
    report = compliance.evaluate(facts, NOW, fail_on='never')
    assert [(row['resource_id'], row['status']) for row in report['coverage']] == [('m1', 'AUDITED'), ('p1', 'AUDITED'),
                                                                                   ('s1', 'UNAUDITED')]
    found = sorted((item['check'], item['resource_id']) for item in report['violations'])
    # p1: PostgreSQL with 7 days -> RDS-02 but audited by DBSS; s1: SQL Server, its only DBSS database mismatched.
    assert found == [('COV-01', 's1'), ('COV-02', 'a1'), ('DBSS-07', 'a1'), ('DBSS-08', 'a1'), ('DBSS-09', 'a1'),
                     ('RDS-02', 'p1'), ('RDS-03', 'm1')]
    checks = dict((check['id'], check) for check in report['checks'])
    assert [item['id'] for item in checks['RDS-01']['not_applicable']] == ['s1']
    assert [item['id'] for item in checks['RDS-03']['not_applicable']] == ['p1', 's1']
    assert checks['RDS-03']['checked'] == 1 and checks['COV-01']['checked'] == 3
    assert report['summary']['coverage'] == {'rds_instance': 3, 'audited': 2, 'unaudited': 1, 'unknown': 0}

    markdown = markdown_page.render_markdown(report)
    section = markdown.split('## Coverage', 1)[1].split('\n## ', 1)[0]
    assert '<script>' not in section and '&lt;script&gt;' in section and '\\`tick\\`' in section
    rows = [line for line in section.splitlines() if line.startswith('| ') and not line.startswith('| RDS instance')]
    assert len(rows) == 4 and all(len(re.split(r'(?<!\\)\|', line)) == 8 for line in rows[1:])
    assert 'Not applicable to 2 RDS instances (the engine has no audit log files to list' in markdown
    page = html_page.render_html(report)
    assert '<h2 id="coverage">Coverage</h2>' in page and '<script>' not in page and '&lt;script&gt;' in page
    assert '<span class="verdict FAIL">UNAUDITED</span>' in page
    csv_text = findings_csv.render_csv(report)
    assert 'COV-01' in csv_text and 'COV-02' in csv_text
    assert ',"\'=HYPERLINK(""x"")",' in csv_text and ',=HYPERLINK' not in csv_text
    junit = compliance_render_junit.render_junit(report)
    assert 'not applicable: the engine has no SQL audit policy' in junit
