"""Read-only checks against a real Huawei Cloud account (issue 19): every API the collection reads is called once
through the collection's own client, and every answer is checked with the contract checker the simulator is held to
(tests/support/sdk_contract.py). Prints which APIs were reachable. Skipped unless HW_ACCESS_KEY, HW_SECRET_KEY and
HW_REGION_NAME are set (tests/live/conftest.py).

Optional:
- HW_PROJECT_ID, HW_SECURITY_TOKEN, HW_CLOUD, HW_DBSS_ENDPOINT / HW_RDS_ENDPOINT / HW_IAM_ENDPOINT: as for the modules.
- HW_LIVE_WRITE_POLICY_INSTANCE=<RDS for MySQL instance id> and HW_LIVE_WRITE=yes: also write that instance's audit log
  policy (its retention one day longer), read it back, and restore the policy as it was. Nothing else is ever written.

Run: python -m pytest tests/live -s -p no:cacheprovider
"""

import datetime
import os

import pytest

import sdk_contract

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.client import HuaweiCloudClient, api_path
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.config import ClientConfig
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss import list_audit_databases, list_audit_instances, list_audit_scopes
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss_audit_data import list_audit_alarms, list_audit_sqls
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss_rules import get_audit_rules
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudError
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.pagination import FIRST_PAGE
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.rds import get_audit_policies, list_audit_logs, list_rds_instances
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.rds_audit_policy import AuditPolicyUpdate, desired_policy

DBSS_TIME_FORMAT = '%Y-%m-%d %H:%M:%S'
# The modules' options and the environment variables they fall back to (the Terraform provider's names); the
# endpoints come from HW_DBSS_ENDPOINT, HW_RDS_ENDPOINT, HW_IAM_ENDPOINT through ClientConfig itself.
ENVIRONMENT = {'region': 'HW_REGION_NAME', 'access_key': 'HW_ACCESS_KEY', 'secret_key': 'HW_SECRET_KEY',
               'security_token': 'HW_SECURITY_TOKEN', 'project_id': 'HW_PROJECT_ID', 'cloud': 'HW_CLOUD'}


class Recorder:
    """The collection's client, with every exchange kept: ``(method, path, query, body sent, answer)``."""

    def __init__(self):
        params = dict((option, os.environ[variable]) for option, variable in ENVIRONMENT.items() if os.environ.get(variable))
        self.client = HuaweiCloudClient(ClientConfig(dict(params, max_retries=1)), pool_size=2)
        self.exchanges = []
        send = self.client.request

        def request(method, service, path, query=None, json_body=None, *args, **kwargs):
            response = send(method, service, path, query, json_body, *args, **kwargs)
            self.exchanges.append((method.upper(), path, dict((k, str(v)) for k, v in (query or {}).items()), json_body,
                                   response.body))
            return response

        self.client.request = request

    def problems(self):
        found = []
        for method, path, query, sent, answer in self.exchanges:
            operation, problems = sdk_contract.check_exchange(method, path, query, None, answer)
            if operation is not None and sent is not None:
                problems += sdk_contract.check_json(sent, operation.body, operation.package, 'body')
            found += ['%s %s (%s): %s' % (method, path, operation and operation.name, item) for item in problems]
        return found


@pytest.fixture(scope='module')
def live():
    return Recorder()


def test_every_read_api_answers_in_the_shape_of_the_sdk_models(live):
    client = live.client
    end = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    start = end - datetime.timedelta(days=1)
    reached, unreachable = [], []

    def attempt(name, call):
        try:
            value = call()
        except HuaweiCloudError as error:
            unreachable.append('%s: %s' % (name, error))
            return None
        reached.append(name)
        return value

    instances = attempt('DBSS audit instances', lambda: list_audit_instances(client)) or []
    ids = [item['id'] for item in instances][:1]
    if ids:
        attempt('DBSS audit scopes', lambda: list_audit_scopes(client, ids))
        attempt('DBSS audited databases', lambda: list_audit_databases(client, ids))
        attempt('DBSS risk rules, SQL injection rules, alarm topic', lambda: get_audit_rules(client, ids))
        attempt('DBSS audited SQL statements', lambda: list_audit_sqls(client, ids, start, end, limit=20))
        attempt('DBSS alarm log', lambda: list_audit_alarms(client, ids, start, end, limit=20))
    rds = attempt('RDS instances', lambda: list_rds_instances(client, datastore_type='MySQL')) or []
    rds_ids = [item['id'] for item in rds][:1]
    if rds_ids:
        attempt('RDS audit log files', lambda: list_audit_logs(client, rds_ids, start, end))
        attempt('RDS audit log policy', lambda: get_audit_policies(client, rds_ids))
    print('\nreachable: %s' % (', '.join(reached) or 'none'))
    print('not reachable:\n  %s' % ('\n  '.join(unreachable) or 'none'))
    print('exchanges checked against the SDK models: %d' % len(live.exchanges))
    problems = live.problems()
    assert not problems, '\n'.join(problems)
    assert reached, 'no API was reachable: %s' % unreachable


def test_dbss_pages_count_from_the_documented_first_page(live):
    """Page 1 of size 1 and page 1 of size 2 start with the same statement when pages count from 1 (from 0, page 1 of
    size 1 would be the second statement)."""
    client = live.client
    instances = list_audit_instances(client)
    if not instances:
        pytest.skip('no DBSS audit instance in this region')
    end = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    body = {'time': {'start_time': (end - datetime.timedelta(days=7)).strftime(DBSS_TIME_FORMAT),
                     'end_time': end.strftime(DBSS_TIME_FORMAT)}, 'time_order': 'DESC'}
    path = api_path('v2', client.project_id, 'audit', instances[0]['id'], 'sqls')
    first = client.request('POST', 'dbss', path, None, dict(body, page=1, size=1)).body
    second = client.request('POST', 'dbss', path, None, dict(body, page=1, size=2)).body
    records = [[item.get('sql', {}).get('id') for item in answer.get('sqls') or []] for answer in (first, second)]
    if len(records[1]) < 2:
        pytest.skip('fewer than 2 audited statements in the last 7 days: the page base cannot be told')
    base = 1 if records[0][0] == records[1][0] else 0 if records[0][0] == records[1][1] else None
    print('\nDBSS page base: %s (the collection assumes %d)' % (base, FIRST_PAGE))
    assert base == FIRST_PAGE, 'page 1 of size 1: %s, page 1 of size 2: %s' % tuple(records)


@pytest.mark.skipif(not (os.environ.get('HW_LIVE_WRITE') == 'yes' and os.environ.get('HW_LIVE_WRITE_POLICY_INSTANCE')),
                    reason='writes only with HW_LIVE_WRITE=yes and HW_LIVE_WRITE_POLICY_INSTANCE=<RDS for MySQL instance id>')
def test_the_audit_policy_write_is_accepted_and_restored(live):
    client = live.client
    instance_id = os.environ['HW_LIVE_WRITE_POLICY_INSTANCE']
    [before] = get_audit_policies(client, [instance_id])
    if not before['enabled']:
        pytest.skip('the audit log of %s is off: the kit does not turn it on (it costs storage)' % instance_id)
    longer = before['keep_days'] + 1 if before['keep_days'] < 732 else before['keep_days'] - 1
    try:
        AuditPolicyUpdate(client, [instance_id], desired_policy('present', longer, before['audit_types'])).run()
        [changed] = get_audit_policies(client, [instance_id])
        assert changed['keep_days'] == longer
    finally:
        AuditPolicyUpdate(client, [instance_id], desired_policy('present', before['keep_days'], before['audit_types'])).run()
    [after] = get_audit_policies(client, [instance_id])
    assert (after['keep_days'], sorted(after['audit_types'])) == (before['keep_days'], sorted(before['audit_types']))
    problems = live.problems()
    assert not problems, '\n'.join(problems)
