"""The audit_compliance role with audit_compliance_remediate, run by ansible-playbook against a simulator of its own
whose policies the writes change: check mode writes nothing and lists what would be fixed; a real run fixes every
RDS-01/RDS-02 finding in one write run and the report shows the state after the fix and what changed; a second run
writes nothing; the scope is honoured; an unknown state is never touched; a failed write is named and fails the role
after the reports.

What to fix is computed from the simulator's seeded policies (every instance the policy API serves, whatever its
engine); every test starts from them (they are put back after each test)."""

import copy
import json
import os

import pytest

from dbaudit_simulator import Simulator, SimulatorConfig

from hwtest_support import seeded_policies_restored, sim_requests
from test_play_compliance import BOGUS_ENV, REGION, connection, read_reports

POLICY = r'/auditlog-policy$'
MIN_RETENTION = 180
WRITE_TASK = 'TASK [hwcloud.dbaudit.audit_compliance : Turn the audit log on and raise its retention on the selected RDS instances]'


@pytest.fixture(scope='module')
def remediation_simulator():
    with Simulator(SimulatorConfig(regions=(REGION,))) as server:
        yield server


@pytest.fixture
def sim(remediation_simulator):
    with seeded_policies_restored(remediation_simulator, REGION) as server:
        yield server


def policies(sim):
    return sim.data.regions[REGION].audit_policies


def in_scope(sim, ids=None):
    """The RDS instances the role checks whose policy the API serves (the seeded policies), in list order."""
    data = sim.data.regions[REGION]
    return [rds['id'] for rds in data.rds_instances if rds['id'] in data.audit_policies and (ids is None or rds['id'] in ids)]


def expected_findings(sim, ids=None, minimum=MIN_RETENTION):
    """{(check, instance id)} of RDS-01 (audit log off) and RDS-02 (on, below the minimum) from the seeded policies."""
    found = set()
    for rds_id in in_scope(sim, ids):
        keep = policies(sim)[rds_id]['keep_days']
        if keep == 0:
            found.add(('RDS-01', rds_id))
        elif keep < minimum:
            found.add(('RDS-02', rds_id))
    return found


def puts(sim):
    return sim_requests(sim, POLICY, 'PUT')


def run_role(run_playbook, sim, folder, check=False, **variables):
    extra = {'play_connection': connection(sim), 'audit_compliance_report_dir': str(folder),
             'audit_compliance_remediate': True, 'audit_compliance_fail_on': 'never'}
    extra.update(variables)
    return run_playbook('compliance', extra, env=BOGUS_ENV, check=check)


def rds_findings(report):
    return {(item['check'], item['resource_id']) for item in report['violations'] if item['check'] in ('RDS-01', 'RDS-02')}


@pytest.mark.all_core_lines  # the role in check mode
def test_check_mode_lists_what_would_be_fixed_and_writes_nothing(sim, run_playbook, tmp_path):
    seeded = copy.deepcopy(policies(sim))
    expected = expected_findings(sim)
    to_fix = sorted({rds_id for _check, rds_id in expected})
    assert {check for check, _id in expected} == {'RDS-01', 'RDS-02'}
    folder = tmp_path / 'report'
    folder.mkdir()
    run = run_role(run_playbook, sim, folder, check=True)
    assert run.rc == 0, run.output
    assert puts(sim) == [] and policies(sim) == seeded and os.listdir(folder) == []

    report = run.result['report']
    remediation = report['remediation']
    assert remediation['requested'] is True and remediation['check_mode'] is True
    assert remediation['result'] == 'WOULD_FIX' and remediation['failed'] is False
    assert sorted(item['resource_id'] for item in remediation['would_change']) == to_fix
    assert remediation['changed'] == [] and remediation['fixed_findings'] == [] and remediation['failed_instances'] == []
    for item in remediation['would_change']:
        assert item['before']['keep_days'] == seeded[item['resource_id']]['keep_days']
        assert item['after']['keep_days'] == MIN_RETENTION and item['after']['enabled'] is True
    assert {(item['check'], item['resource_id']) for item in remediation['findings']} == expected
    # Nothing changed: the report still shows the findings, as they are.
    assert rds_findings(report) == expected
    assert report['summary']['remediation'] == 'WOULD_FIX'
    assert 'remediation (check mode): %d RDS instances would be changed' % len(to_fix) in report['summary']['message']


def test_remediation_fixes_every_finding_reports_it_and_a_second_run_writes_nothing(sim, run_playbook, tmp_path):
    seeded = copy.deepcopy(policies(sim))
    expected = expected_findings(sim)
    to_fix = {rds_id for _check, rds_id in expected}
    scope = in_scope(sim)
    folder = tmp_path / 'report'
    run = run_role(run_playbook, sim, folder)
    assert run.rc == 0, run.output

    # One write per instance to fix, none elsewhere; each policy now satisfies both checks and keeps its audit types.
    writes = puts(sim)
    assert sorted(record['path'].split('/')[4] for record in writes) == sorted(to_fix)
    assert all(record['status'] == 200 for record in writes)
    for rds_id, policy in policies(sim).items():
        if rds_id in to_fix:
            assert policy['keep_days'] == MIN_RETENTION
            assert policy['audit_types'] == seeded[rds_id]['audit_types']
        else:
            assert policy == seeded[rds_id]
    # Policy reads: the gather, the write run's own read of each instance to fix, the read after the fix.
    reads = [record['path'].split('/')[4] for record in sim_requests(sim, POLICY, 'GET')]
    assert sorted(reads) == sorted(scope + list(to_fix) + scope)
    assert run.output.count(WRITE_TASK) == 1

    # The report shows the state after the fix and lists what changed.
    report, junit, markdown, page = read_reports(str(folder))
    assert rds_findings(report) == set()
    assert report['summary']['by_check']['RDS-01'] == 0 and report['summary']['by_check']['RDS-02'] == 0
    assert not [case for suite in junit.findall('testsuite') for case in suite.findall('testcase')
                if case.get('classname') in ('audit_compliance.RDS-01', 'audit_compliance.RDS-02') and case.find('failure') is not None]
    remediation = report['remediation']
    assert remediation['result'] == 'FIXED' and remediation['failed'] is False and remediation['check_mode'] is False
    assert remediation['keep_days'] == MIN_RETENTION and remediation['instances'] == len(to_fix)
    assert sorted(item['resource_id'] for item in remediation['changed']) == sorted(to_fix)
    for item in remediation['changed']:
        before = seeded[item['resource_id']]
        assert item['before'] == {'keep_days': before['keep_days'], 'audit_types': sorted(before['audit_types']),
                                  'enabled': before['keep_days'] > 0}
        assert item['after'] == {'keep_days': MIN_RETENTION, 'audit_types': sorted(before['audit_types']), 'enabled': True}
        assert item['checks'] == ['RDS-01' if before['keep_days'] == 0 else 'RDS-02']
    assert {(item['check'], item['resource_id']) for item in remediation['fixed_findings']} == expected
    assert {(item['check'], item['resource_id']) for item in remediation['findings']} == expected
    assert remediation['unresolved_findings'] == [] and remediation['would_change'] == []
    assert report['summary']['remediation'] == 'FIXED'
    assert '## Remediation' in markdown and '| Result | **FIXED** |' in markdown
    assert 'id="remediation"' in page and all(rds_id in page and rds_id in markdown for rds_id in to_fix)
    assert run.result['report'] == report

    # Again: nothing to fix, nothing written, no write run at all.
    sim.reset_requests()
    again = run_role(run_playbook, sim, tmp_path / 'again')
    assert again.rc == 0, again.output
    assert puts(sim) == []
    report = again.result['report']
    assert report['remediation']['result'] == 'NOTHING_TO_FIX' and report['remediation']['changed'] == []
    assert rds_findings(report) == set()
    assert 'skipping' in again.output.split(WRITE_TASK, 1)[1].split('TASK [', 1)[0]


def test_only_instances_in_scope_with_a_known_state_are_touched(sim, run_playbook, tmp_path):
    seeded = copy.deepcopy(policies(sim))
    scope_all = in_scope(sim)
    off = [rds_id for rds_id in scope_all if seeded[rds_id]['keep_days'] == 0]
    short = [rds_id for rds_id in scope_all if 0 < seeded[rds_id]['keep_days'] < MIN_RETENTION]
    good = [rds_id for rds_id in scope_all if seeded[rds_id]['keep_days'] >= MIN_RETENTION]
    assert len(off) >= 2 and short and good
    # The policy of one instance with the audit log off cannot be read by the gather (once, no retry): unknown state.
    unknown = off[1]
    ids = [off[0], unknown, short[0], good[0]]
    sim.add_fault('status', path=r'/instances/%s/auditlog-policy$' % unknown, method='GET', status=500, times=1)
    folder = tmp_path / 'report'
    run = run_role(run_playbook, sim, folder, audit_compliance_rds_instance_ids=ids,
                   play_connection=dict(connection(sim), max_retries=0))
    assert run.rc == 0, run.output
    assert sorted(record['path'].split('/')[4] for record in puts(sim)) == sorted([off[0], short[0]])
    for rds_id, policy in policies(sim).items():
        assert policy['keep_days'] == (MIN_RETENTION if rds_id in (off[0], short[0]) else seeded[rds_id]['keep_days'])

    report, _junit, _markdown, _page = read_reports(str(folder))
    remediation = report['remediation']
    assert remediation['result'] == 'FIXED'
    assert sorted(item['resource_id'] for item in remediation['changed']) == sorted([off[0], short[0]])
    # Both of its checks were unknown (ERROR): left alone, said so.
    assert [(item['check'], item['resource_id']) for item in remediation['not_remediated']] == [
        ('RDS-01', unknown), ('RDS-02', unknown)]
    assert all('unknown' in item['reason'] for item in remediation['not_remediated'])
    # Read again after the fix, the untouched instance shows its real state: still off.
    assert rds_findings(report) == {('RDS-01', unknown)}


def test_a_failed_write_is_named_the_reports_are_written_and_the_role_fails(sim, run_playbook, tmp_path):
    seeded = copy.deepcopy(policies(sim))
    expected = expected_findings(sim)
    to_fix = sorted({rds_id for _check, rds_id in expected})
    broken = to_fix[0]
    # The API refuses the write of one instance (HTTP 403: never repeated).
    sim.add_fault('status', path=r'/instances/%s/auditlog-policy$' % broken, method='PUT', status=403)
    folder = tmp_path / 'report'
    run = run_role(run_playbook, sim, folder)
    assert run.rc != 0
    assert os.path.exists(os.path.join(str(folder), 'report.html')), run.output
    assert policies(sim)[broken] == seeded[broken]
    assert all(policies(sim)[rds_id]['keep_days'] == MIN_RETENTION for rds_id in to_fix if rds_id != broken)

    report, _junit, markdown, page = read_reports(str(folder))
    remediation = report['remediation']
    assert remediation['result'] == 'ERROR' and remediation['failed'] is True
    assert [item['resource_id'] for item in remediation['failed_instances']] == [broken]
    assert '403' in remediation['failed_instances'][0]['message']
    assert sorted(item['resource_id'] for item in remediation['changed']) == [rds_id for rds_id in to_fix if rds_id != broken]
    # Its finding stays a violation; the others are fixed.
    left = {(check, rds_id) for check, rds_id in expected if rds_id == broken}
    assert rds_findings(report) == left
    assert {(item['check'], item['resource_id']) for item in remediation['unresolved_findings']} == left
    assert {(item['check'], item['resource_id']) for item in remediation['fixed_findings']} == expected - left
    assert broken in markdown and 'Failed (the findings stay open)' in page
    line = '%s; reports in %s' % (remediation['message'], folder)
    assert line in run.output and 'FAILED for 1: %s' % broken in line
    assert sim.credentials['secret_key'] not in json.dumps(report) + markdown + page


@pytest.mark.parametrize('value, message', [
    ('maybe', "argument 'audit_compliance_remediate' is of type"),
    ('y', "audit_compliance_remediate must be true or false, got 'y'"),
])
def test_a_bad_remediate_value_is_refused_before_any_request(sim, run_playbook, tmp_path, value, message):
    folder = tmp_path / 'report'
    run = run_role(run_playbook, sim, folder, audit_compliance_remediate=value)
    assert run.rc != 0
    assert message in run.output, run.output
    assert 'Traceback' not in run.output
    assert [record for record in sim.requests if record['service'] in ('dbss', 'rds', 'iam')] == []


def test_the_trend_shows_the_fixed_findings_resolved(sim, run_playbook, tmp_path):
    """A run without remediation, then one with it on the same report folder: every RDS-01/RDS-02 finding of the
    first report is resolved in the second one's trend, none is new or persisting."""
    expected = expected_findings(sim)
    assert expected
    folder = tmp_path / 'report'
    before = run_role(run_playbook, sim, folder, audit_compliance_remediate=False)
    assert before.rc == 0, before.output
    assert puts(sim) == []
    with open(os.path.join(str(folder), 'report.json')) as handle:
        first = json.load(handle)
    assert rds_findings(first) == expected
    before_violations = first['summary']['violations']

    after = run_role(run_playbook, sim, folder)
    assert after.rc == 0, after.output
    report = read_reports(str(folder))[0]
    assert rds_findings(report) == set()
    trend = report['trend']
    resolved = {(item['check'], item['resource_id']) for item in trend['resolved']}
    assert {item for item in resolved if item[0] in ('RDS-01', 'RDS-02')} == expected
    assert not [item for item in trend['new'] + trend['persisting'] if item['check'] in ('RDS-01', 'RDS-02')]
    with open(os.path.join(str(folder), 'history.json')) as handle:
        history = json.load(handle)
    assert [entry['violations'] for entry in history] == [before_violations, report['summary']['violations']]
