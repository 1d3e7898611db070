"""Issue 20 item 3: remediation never lowers a retention.

``rds_auditlog_policy`` with ``keep_days_mode: at_least`` (what the role's remediation uses) reads the live policy
just before writing: an instance kept at or above the target (somebody raised it since the role gathered) is
already compliant and not written; the others are raised. Planned changes, then real writes to the simulator."""

import pytest

from hwtest_support import sim_requests
from test_rds_audit_policy import POLICY, instance_where, live, policies_of, sim_client, update
# The simulator fixtures of the policy tests (their policies are put back after each test).
from test_rds_audit_policy import own_simulator, sim  # noqa: F401  pylint: disable=unused-import

from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import remediation as compliance_remediation
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudConfigError
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.rds_audit_policy import desired_policy, plan_change

TARGET = 180


@pytest.mark.parametrize('policy, options, body', [
    # at or above the target: already compliant, no write
    (live(365, ['INSERT']), dict(), None),
    (live(TARGET, ['INSERT']), dict(), None),
    # below the target, or off: raised to the target, the audit types kept
    (live(30, ['INSERT']), dict(), {'keep_days': TARGET, 'audit_types': ['INSERT']}),
    (live(0), dict(), {'keep_days': TARGET, 'audit_types': []}),
    # other audit types asked for: the longer retention is sent again, never the target
    (live(365, ['INSERT']), dict(audit_types=['DELETE']), {'keep_days': 365, 'audit_types': ['DELETE']}),
])
def test_item3_at_least_never_plans_a_lower_retention(policy, options, body):
    after, planned = plan_change(policy, desired_policy('present', TARGET, keep_days_mode='at_least', **options))
    assert planned == body
    assert after['keep_days'] == max(policy['keep_days'], TARGET) and after['enabled'] is True


def test_item3_exact_still_sets_the_retention_given():
    # The default is unchanged: a module user who asks for exactly 180 days gets them (documented).
    assert plan_change(live(365), desired_policy('present', TARGET))[1] == {'keep_days': TARGET, 'audit_types': []}


def test_item3_keep_days_mode_is_checked_before_any_request():
    with pytest.raises(HuaweiCloudConfigError, match='keep_days_mode=at_least is only allowed with state=present'):
        desired_policy('absent', keep_days_mode='at_least')
    with pytest.raises(HuaweiCloudConfigError, match='keep_days_mode must be one of exact, at_least, got higher'):
        desired_policy('present', TARGET, keep_days_mode='higher')


def test_item3_remediation_can_never_lower_a_retention_raised_meanwhile(sim):
    """The race of the issue: the role gathered a short retention, somebody raised it to 365 before the write."""
    raised = instance_where(sim, enabled=True)
    off = instance_where(sim, enabled=False)
    policies_of(sim)[raised]['keep_days'] = 365
    sim.reset_requests()

    result = update(sim_client(sim), [raised, off], keep_days=TARGET, keep_days_mode='at_least').run()

    assert policies_of(sim)[raised]['keep_days'] == 365, 'the raised retention stays'
    assert policies_of(sim)[off]['keep_days'] == TARGET
    assert len(sim_requests(sim, POLICY, 'PUT')) == 1
    assert [(write['instance_id'], write['body']['keep_days']) for write in result['writes']] == [(off, TARGET)]
    by_id = dict((policy['instance_id'], policy) for policy in result['policies'])
    assert by_id[raised]['changed'] is False and by_id[raised]['after']['keep_days'] == 365

    # The report says "already compliant", not FIXED, when no instance needed the write.
    chosen = {'keep_days': TARGET, 'instance_ids': [raised],
              'findings': [{'check': 'RDS-02', 'resource_id': raised, 'resource_name': 'n', 'message': 'm'}],
              'not_remediated': []}
    only_raised = dict(result, policies=[by_id[raised]], changed=False)
    section = compliance_remediation.section({'violations': [], 'errors': []}, chosen, only_raised)
    assert section['result'] == 'NOTHING_TO_FIX' and section['changed'] == []
    assert [item['resource_id'] for item in section['unchanged']] == [raised]
    assert 'already compliant when read again' in section['message']
