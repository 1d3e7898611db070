"""Coverage, database by database, with real ansible-playbook runs of the audit_compliance role against the simulator:
the coverage table names, for every seeded RDS instance of every engine, what audits it; the instances audited by
nothing fail COV-01, the audit instances with rds_audit_switch_mismatch databases fail COV-02, RDS for PostgreSQL gets
RDS-01/02; and a failed database list makes the coverage unknown (ERROR), never a pass. Every expectation is computed
from the simulator's seeded data."""

import csv
import io
import os

from hwtest_support import sim_requests
from test_play_compliance import (
    LOG_ENGINES, POLICY_ENGINES, REGION, connection, expected_coverage, expected_violations, read_reports, window_start)


def audited_by(row):
    """A coverage row's ``audited_by`` in expected_coverage's form."""
    return {('sql_audit',) if item['kind'] == 'sql_audit' else ('dbss', item['instance_id'], item['database_id'])
            for item in row['audited_by']}


def run_role(sim, run_playbook, folder, **variables):
    run = run_playbook('compliance', dict({'play_connection': dict(connection(sim), max_retries=0),
                                           'audit_compliance_report_dir': folder, 'audit_compliance_fail_on': 'never'},
                                          **variables))
    assert run.rc == 0, run.output
    return read_reports(folder)


def test_the_coverage_table_names_what_audits_every_seeded_database(sim, run_playbook, tmp_path):
    folder = str(tmp_path / 'report')
    report, junit, markdown, page = run_role(sim, run_playbook, folder)
    data = sim.data.regions[REGION]
    expected = expected_coverage(data)
    engine_of = dict((rds['id'], rds['datastore']['type']) for rds in data.rds_instances)

    # The seed has every case: audited by its own SQL audit alone, by DBSS alone, by both, by nothing; an engine without
    # an SQL audit policy (SQL Server); and at least one database with rds_audit_switch_mismatch.
    own_only = [rid for rid, by in expected.items() if by == {('sql_audit',)}]
    dbss_only = [rid for rid, by in expected.items() if by and ('sql_audit',) not in by]
    unaudited = [rid for rid, by in expected.items() if not by]
    assert own_only and dbss_only and unaudited and [rid for rid, by in expected.items() if len(by) > 1 and ('sql_audit',) in by]
    assert {'MySQL', 'PostgreSQL', 'SQLServer'} == set(engine_of.values())
    assert [rid for rid in dbss_only if engine_of[rid] == 'PostgreSQL'] and [rid for rid in unaudited if engine_of[rid] == 'PostgreSQL']
    mismatched = [item['database'] for items in data.databases.values() for item in items if item['database']['rds_audit_switch_mismatch']]
    assert mismatched
    # A mismatch takes away what would otherwise have been DBSS coverage.
    assert [db for db in mismatched if db['rds_id'] in unaudited]

    # The table: every RDS instance of the region once, in the list's order, with exactly what audits it.
    rows = report['coverage']
    assert [row['resource_id'] for row in rows] == [rds['id'] for rds in data.rds_instances]
    for row in rows:
        rds_id = row['resource_id']
        assert audited_by(row) == expected[rds_id], rds_id
        assert row['engine'] == engine_of[rds_id] and row['name'] == data.rds_by_id[rds_id]['name']
        assert row['status'] == ('AUDITED' if expected[rds_id] else 'UNAUDITED')
        for item in row['audited_by']:
            if item['kind'] == 'sql_audit':
                assert item['keep_days'] == data.audit_policies[rds_id]['keep_days']
        # What lists it but does not count says why.
        listing = {(inst_id, item['database']['id']) for inst_id, items in data.databases.items() for item in items
                   if item['database']['rds_id'] == rds_id}
        assert {(item['instance_id'], item['database_id']) for item in row['not_counted']} == \
            listing - {entry[1:] for entry in expected[rds_id] if entry[0] == 'dbss'}
        assert all(item['reason'] for item in row['not_counted'])
    assert report['summary']['coverage'] == {'rds_instance': len(rows), 'audited': len(rows) - len(unaudited),
                                             'unaudited': len(unaudited), 'unknown': 0}

    # COV-01 fails exactly the unaudited ones, COV-02 the audit instances with a mismatched database; RDS-01/02 apply
    # to PostgreSQL too, RDS-03 to MySQL alone: the whole set of findings is what the seeded data says.
    found = {(item['check'], item['resource_id']) for item in report['violations']}
    assert found == expected_violations(data, window_start(report))
    assert {rid for check, rid in found if check == 'COV-01'} == set(unaudited)
    mismatching = {inst_id for inst_id, items in data.databases.items() if any(item['database']['rds_audit_switch_mismatch'] for item in items)}
    assert {rid for check, rid in found if check == 'COV-02'} == mismatching
    postgres = [rid for rid, engine in engine_of.items() if engine == 'PostgreSQL']
    pg_findings = {(check, rid) for check, rid in found if rid in postgres and check.startswith('RDS-')}
    assert pg_findings == {('RDS-01' if data.audit_policies[rid]['keep_days'] == 0 else 'RDS-02', rid) for rid in postgres
                           if data.audit_policies[rid]['keep_days'] < 180}
    assert pg_findings and {check for check, _rid in pg_findings} == {'RDS-01', 'RDS-02'}
    checks = dict((check['id'], check) for check in report['checks'])
    assert [item['id'] for item in checks['RDS-03']['not_applicable']] == [rid for rid in engine_of if engine_of[rid] not in LOG_ENGINES]
    assert [item['id'] for item in checks['RDS-01']['not_applicable']] == [rid for rid in engine_of if engine_of[rid] not in POLICY_ENGINES]
    assert checks['COV-01']['checked'] == len(rows) and checks['COV-01']['failed'] == len(unaudited)

    # Only the instances that can answer were asked: policies of MySQL and PostgreSQL, log files of MySQL.
    asked = sorted(record['path'].split('/')[4] for record in sim_requests(sim, r'/auditlog-policy$'))
    assert asked == sorted(rid for rid, engine in engine_of.items() if engine in POLICY_ENGINES)
    assert all(record['status'] == 200 for record in sim.requests if record['service'] == 'rds')

    # Every rendering: a Coverage section naming every instance; JUnit and CSV carry the COV findings.
    coverage_md = markdown.split('## Coverage', 1)[1].split('\n## ', 1)[0]
    coverage_html = page.split('<h2 id="coverage">', 1)[1].split('<h2', 1)[0]
    for row in rows:
        assert row['resource_id'] in coverage_md and row['resource_id'] in coverage_html
    assert coverage_md.count('| UNAUDITED |') == len(unaudited)
    assert coverage_html.count('>UNAUDITED</span>') == len(unaudited)
    failed_cases = {case.get('name').split()[1] for suite in junit.findall('testsuite')
                    if suite.find('properties/property[@name="check"]').get('value') == 'COV-01'
                    for case in suite.findall('testcase') if case.find('failure') is not None}
    assert failed_cases == set(unaudited)
    with open(os.path.join(folder, 'report.csv'), encoding='utf-8', newline='') as handle:
        csv_rows = list(csv.DictReader(io.StringIO(handle.read())))
    assert {row['resource_id'] for row in csv_rows if row['check'] == 'COV-01'} == set(unaudited)


def test_only_the_audit_instances_in_scope_count(sim, run_playbook, tmp_path):
    data = sim.data.regions[REGION]
    full = expected_coverage(data)
    # Narrow DBSS to the audit instances that do not audit one DBSS-covered instance: it becomes audited by nothing.
    target = next(rid for rid, by in full.items() if by and ('sql_audit',) not in by)
    auditors = {entry[1] for entry in full[target]}
    dbss_ids = [inst['id'] for inst in data.instances if inst['id'] not in auditors]
    report, _junit, _markdown, _page = run_role(sim, run_playbook, str(tmp_path / 'narrow'), audit_compliance_dbss_instance_ids=dbss_ids)
    expected = expected_coverage(data, dbss_ids=set(dbss_ids))
    assert expected[target] == set()
    assert dict((row['resource_id'], audited_by(row)) for row in report['coverage']) == expected
    assert ('COV-01', target) in {(item['check'], item['resource_id']) for item in report['violations']}


def test_a_failed_database_list_makes_coverage_unknown_never_a_pass(sim, run_playbook, tmp_path):
    data = sim.data.regions[REGION]
    full = expected_coverage(data)
    # The database list of one audit instance that covers an instance by DBSS alone always fails.
    target = next(rid for rid, by in sorted(full.items()) if by and ('sql_audit',) not in by)
    broken = sorted(entry[1] for entry in full[target])[0]
    sim.add_fault('status', path=r'/v2/[^/]+/audit/%s/databases$' % broken, status=500)
    report, _junit, markdown, _page = run_role(sim, run_playbook, str(tmp_path / 'failed'))
    rows = dict((row['resource_id'], row) for row in report['coverage'])
    # What was read still proves coverage; what it cannot prove is unknown (an ERROR), never a pass or a violation.
    readable = dict((rid, {entry for entry in by if entry[0] != 'dbss' or entry[1] != broken}) for rid, by in full.items())
    for rds_id, by in readable.items():
        assert audited_by(rows[rds_id]) == by
        assert rows[rds_id]['status'] == ('AUDITED' if by else 'UNKNOWN')
    errors = {(item['check'], item['resource_id']) for item in report['errors']}
    assert {rid for check, rid in errors if check == 'COV-01'} == {rid for rid, by in readable.items() if not by}
    assert not [item for item in report['violations'] if item['check'] == 'COV-01']
    assert all(item['source'] == 'dbss_database_info' for item in report['errors'] if item['check'].startswith('COV-'))
    assert report['summary']['result'] == 'ERROR' and report['summary']['coverage']['unknown'] == len(
        [rid for rid, by in readable.items() if not by])
    assert '| UNKNOWN |' in markdown
