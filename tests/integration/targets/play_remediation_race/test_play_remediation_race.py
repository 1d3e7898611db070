"""Issue 20 item 3, end to end: the role's remediation never lowers a retention raised after its gather.

ansible-playbook runs the role against the simulator; a watcher thread raises one instance's retention to 365 days
as soon as the role's gather has read that instance's policy (several tasks before the write run reads it again).
Before the fix the write run set 180 days (RDS deletes the older audit logs) and the report said FIXED."""

import threading

from hwtest_support import sim_requests
from test_play_compliance_remediation import MIN_RETENTION, POLICY, expected_findings, policies, puts, run_role
# The simulator fixtures of the remediation tests (their policies are put back after each test).
from test_play_compliance_remediation import remediation_simulator, sim  # noqa: F401  pylint: disable=unused-import
from test_play_compliance import read_reports

RAISED = 365


def raise_after_first_read(server, instance_id, stop):
    """Raise ``instance_id``'s retention once its policy has been read once (the gather)."""
    while not stop.is_set():
        if any(record['path'].split('/')[4] == instance_id for record in sim_requests(server, POLICY, 'GET')):
            server.data.regions[next(iter(server.data.regions))].audit_policies[instance_id]['keep_days'] = RAISED
            return
        stop.wait(0.002)


def test_item3_remediation_never_lowers_a_retention_raised_after_the_gather(sim, run_playbook, tmp_path):
    findings = expected_findings(sim)
    short = sorted(rds_id for check, rds_id in findings if check == 'RDS-02')
    victim, others = short[0], sorted({rds_id for _check, rds_id in findings} - {short[0]})
    stop = threading.Event()
    watcher = threading.Thread(target=raise_after_first_read, args=(sim, victim, stop), daemon=True)
    watcher.start()
    try:
        run = run_role(run_playbook, sim, tmp_path / 'report')
    finally:
        stop.set()
        watcher.join(5)
    assert run.rc == 0, run.output
    assert policies(sim)[victim]['keep_days'] == RAISED, 'the raised retention is never lowered'
    written = sorted(record['path'].split('/')[4] for record in puts(sim))
    assert written == others, 'every other finding is still fixed, the raised instance is not written'
    assert all(policies(sim)[rds_id]['keep_days'] == MIN_RETENTION for rds_id in others)

    report = read_reports(str(tmp_path / 'report'))[0]
    remediation = report['remediation']
    assert [item['resource_id'] for item in remediation['unchanged']] == [victim]
    assert remediation['unchanged'][0]['after']['keep_days'] == RAISED
    assert sorted(item['resource_id'] for item in remediation['changed']) == others
    assert remediation['result'] == 'FIXED' and remediation['failed'] is False
    assert '1 already compliant when read again (not changed)' in remediation['message']
    # Evaluated on the state read after the fix: the raised instance passes, no finding of RDS-01/RDS-02 is left.
    assert not [item for item in report['violations'] if item['check'] in ('RDS-01', 'RDS-02')]
