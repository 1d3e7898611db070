"""The client reads every response sample Huawei's API reference prints (tests/fixtures/api_reference/, each naming its
source page), served over real HTTP by a small local server: the samples are the one source the simulator was not
written from (issue 19)."""

import datetime
import json
import os

import pytest

from hostile_server import HostileServer, json_reply

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.client import HuaweiCloudClient
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.config import ClientConfig
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss import list_audit_instances, list_audit_scopes
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.rds import get_audit_policies, list_audit_logs

SAMPLES = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'fixtures', 'api_reference')
PROJECT = 'c0ffee00c0ffee00c0ffee00c0ffee00'
RID = 'rid-api-reference-sample'


def load(name):
    with open(os.path.join(SAMPLES, name), encoding='utf-8') as handle:
        return json.load(handle)


@pytest.fixture
def server():
    with HostileServer() as hostile:
        yield hostile


def client_for(url):
    config = ClientConfig({'region': 'cn-north-4', 'project_id': PROJECT, 'access_key': 'SAMPLETESTAK',
                           'secret_key': 'sample-test-secret-key', 'max_retries': 0,
                           'endpoints': {'dbss': url, 'rds': url, 'iam': url}}, environ={})
    return HuaweiCloudClient(config, sleep=lambda seconds: None, pool_size=4)


def serve(server, method, pattern, name):
    sample = load(name)
    server.route(method, pattern, json_reply(sample['response'], status=sample['status'], headers={'X-Request-Id': RID}))
    return sample['response']


def test_every_sample_names_its_source_and_is_read_below():
    names = sorted(os.listdir(SAMPLES))
    assert names == sorted(READERS)
    for name in names:
        sample = load(name)
        assert sample['source'] and sample['api'] and sample['sdk'] and isinstance(sample['response'], dict)


def read_instances(server):
    response = serve(server, 'GET', r'/audit/instances$', 'dbss_list_audit_instances.json')
    instances = list_audit_instances(client_for(server.url))
    assert [item['id'] for item in instances] == [item['id'] for item in response['servers']]
    assert [item['status'] for item in instances] == [item['status'] for item in response['servers']]


def read_scopes(server):
    response = serve(server, 'GET', r'/rule/scopes$', 'dbss_list_audit_scopes.json')
    scopes = list_audit_scopes(client_for(server.url), ['8c53ed03-8ed7-4ff2-ad97-7b2d6d1dd364'])
    assert [item['id'] for item in scopes] == [item['id'] for item in response['scopes']]
    assert [item['all_audit'] for item in scopes] == [item['all_audit'] for item in response['scopes']]


def read_audit_logs(server):
    response = serve(server, 'GET', r'/auditlog$', 'rds_list_auditlogs.json')
    start = datetime.datetime(2019, 11, 1, tzinfo=datetime.timezone.utc)
    files = list_audit_logs(client_for(server.url), ['eb8fe5d181ec44a2850302691541f760in01'], start, start + datetime.timedelta(days=20))
    assert [item['id'] for item in files] == [item['id'] for item in response['auditlogs']]
    assert [item['size'] for item in files] == [item['size'] for item in response['auditlogs']]


def read_policy(server):
    response = serve(server, 'GET', r'/auditlog-policy$', 'rds_show_auditlog_policy.json')
    [policy] = get_audit_policies(client_for(server.url), ['eb8fe5d181ec44a2850302691541f760in01'])
    categories = json.loads(response['all_audit_log_action'])
    assert policy['keep_days'] == response['keep_days'] and policy['enabled'] is True
    assert policy['audit_types'] == response['audit_types']
    assert policy['audit_log_action_categories'] == {key: value.split(',') for key, value in categories.items()}
    assert policy['all_audit_log_action'] == [action for value in categories.values() for action in value.split(',')]
    assert 'CHANGE_DB' in policy['all_audit_log_action']


READERS = {
    'dbss_list_audit_instances.json': read_instances,
    'dbss_list_audit_scopes.json': read_scopes,
    'rds_list_auditlogs.json': read_audit_logs,
    'rds_show_auditlog_policy.json': read_policy,
}


@pytest.mark.parametrize('name', sorted(READERS))
def test_the_client_reads_the_api_reference_sample(server, name):
    READERS[name](server)
