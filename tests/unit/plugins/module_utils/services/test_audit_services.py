"""Scopes, databases, RDS instances, audit logs and policies over real HTTP against the simulator: complete,
de-duplicated, in the minimum of requests, and failing clearly for unknown instances."""

import datetime
import math

import pytest

from hwtest_support import sim_requests

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.client import HuaweiCloudClient
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.config import ClientConfig
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss import list_audit_databases, list_audit_scopes
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudError
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.rds import get_audit_policies, list_audit_logs, list_rds_instances
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.times import parse_api_time, split_windows

REGION = 'cn-north-4'
DAY = datetime.timedelta(days=1)


def make_client(sim, region=REGION):
    config = ClientConfig({'region': region, 'project_id': sim.data.regions[region].project_id,
                           'access_key': sim.credentials['access_key'], 'secret_key': sim.credentials['secret_key'],
                           'endpoints': {'dbss': sim.url, 'rds': sim.url, 'iam': sim.url}, 'max_retries': 2},
                          environ={})
    return HuaweiCloudClient(config, sleep=lambda seconds: None, pool_size=8)


def region_data(sim, region=REGION):
    return sim.data.regions[region]


def test_scopes_of_every_instance_carry_their_instance(sim):
    data = region_data(sim)
    ids = [instance['id'] for instance in data.instances]
    scopes = list_audit_scopes(make_client(sim), ids, max_workers=8)
    expected = [dict(scope, instance_id=instance_id) for instance_id in ids for scope in data.scopes[instance_id]]
    assert scopes == expected
    assert len(sim_requests(sim, r'/rule/scopes$')) == len(ids)


def test_scope_filters(sim):
    data = region_data(sim)
    ids = [instance['id'] for instance in data.instances]
    on = list_audit_scopes(make_client(sim), ids, status='ON')
    assert on and all(scope['status'] == 'ON' for scope in on)
    assert len(on) == sum(1 for instance_id in ids for scope in data.scopes[instance_id] if scope['status'] == 'ON')
    name = data.scopes[ids[0]][0]['name']
    named = list_audit_scopes(make_client(sim), ids, name=name)
    assert named and all(scope['name'] == name for scope in named)
    assert list_audit_scopes(make_client(sim), []) == []


def test_unknown_instance_names_it_and_keeps_the_rest(sim):
    data = region_data(sim)
    ids = [data.instances[0]['id'], 'no-such-audit-instance', data.instances[1]['id']]
    with pytest.raises(HuaweiCloudError) as info:
        list_audit_scopes(make_client(sim), ids, max_workers=4)
    message = str(info.value)
    assert message.startswith('audit instance no-such-audit-instance: GET ')
    assert 'DBSS.10021004' in message
    kept = {scope['instance_id'] for scope in info.value.partial_results}
    assert kept == {instance_id for instance_id in (ids[0], ids[2]) if data.scopes[instance_id]}


def test_databases_are_flattened(sim):
    data = region_data(sim)
    ids = [instance['id'] for instance in data.instances]
    databases = list_audit_databases(make_client(sim), ids, max_workers=8)
    expected = [dict(item['database'], instance_id=instance_id) for instance_id in ids
                for item in data.databases[instance_id]]
    assert databases == expected
    on = list_audit_databases(make_client(sim), ids, status='OFF')
    assert [item['id'] for item in on] == [item['id'] for item in expected if item['status'] == 'OFF']


def test_rds_instances_default_to_mysql_and_filter(sim):
    data = region_data(sim)
    mysql = list_rds_instances(make_client(sim))
    assert [item['id'] for item in mysql] == [item['id'] for item in data.rds_instances
                                              if item['datastore']['type'] == 'MySQL']
    postgres = list_rds_instances(make_client(sim), datastore_type='PostgreSQL')
    assert postgres and all(item['datastore']['type'] == 'PostgreSQL' for item in postgres)
    target = mysql[2]
    assert list_rds_instances(make_client(sim), name=target['name']) == [target]
    assert list_rds_instances(make_client(sim), instance_id=target['id']) == [target]
    in_vpc = list_rds_instances(make_client(sim), vpc_id=target['vpc_id'])
    assert target in in_vpc and all(item['vpc_id'] == target['vpc_id'] for item in in_vpc)


def test_policies(sim):
    data = region_data(sim)
    ids = list(data.audit_policies)
    policies = get_audit_policies(make_client(sim), ids, max_workers=4)
    assert [policy['instance_id'] for policy in policies] == ids
    for policy in policies:
        raw = data.audit_policies[policy['instance_id']]
        assert policy['keep_days'] == raw['keep_days']
        assert policy['enabled'] is (raw['keep_days'] > 0)
    assert any(not policy['enabled'] for policy in policies) and any(policy['enabled'] for policy in policies)
    with pytest.raises(HuaweiCloudError) as info:
        get_audit_policies(make_client(sim), [ids[0], 'missing-rds'])
    assert str(info.value).startswith('RDS instance missing-rds: ') and 'DBS.200002' in str(info.value)
    assert [policy['instance_id'] for policy in info.value.partial_results] == [ids[0]]


_PARSED = {}


def overlapping(files, start, end):
    """The files the API lists for ``start..end``: those whose span touches it (times parsed once per file)."""
    cached = _PARSED.get(id(files))
    if cached is None or cached[0] is not files:
        cached = _PARSED[id(files)] = (files, [(parse_api_time(item['begin_time']), parse_api_time(item['end_time']))
                                               for item in files])
    spans = cached[1]
    return [item for item, (begin, finish) in zip(files, spans) if finish >= start and begin <= end]


def minimum_requests(data, instance_ids, start, end):
    return sum(max(1, math.ceil(len(overlapping(data.audit_logs[instance_id], begin, finish)) / 50.0))
               for instance_id in instance_ids for begin, finish in split_windows(start, end, 30 * DAY))


@pytest.mark.parametrize('workers', [1, 8])
def test_a_year_of_audit_logs_across_windows(workers):
    from dbaudit_simulator import Simulator, SimulatorConfig
    config = SimulatorConfig(regions=(REGION,), instances=1, scopes_per_instance=0, databases_per_instance=0,
                             rds_instances=4, log_days=400, log_interval_hours=2)
    with Simulator(config) as sim:
        data = region_data(sim)
        ids = [instance_id for instance_id, policy in data.audit_policies.items() if policy['keep_days'] > 0]
        assert ids
        end = sim.now.replace(second=0, microsecond=0)
        start = end - 365 * DAY
        logs = list_audit_logs(make_client(sim), ids, start, end, max_workers=workers)

        expected = [dict(item, instance_id=instance_id) for instance_id in ids
                    for item in overlapping(data.audit_logs[instance_id], start, end)]
        assert len(logs) == len(expected) > 1000
        assert sorted((item['instance_id'], item['id']) for item in logs) == sorted(
            (item['instance_id'], item['id']) for item in expected)
        begins = [parse_api_time(item['begin_time']) for item in logs]
        assert begins == sorted(begins)
        listed = sim_requests(sim, r'/auditlog$')
        assert len(listed) == minimum_requests(data, ids, start, end)
        assert {record['query']['limit'] for record in listed} == {'50'}
        # Files crossing a window boundary are listed by two windows, and returned once.
        listed_by_windows = sum(len(overlapping(data.audit_logs[instance_id], begin, finish)) for instance_id in ids
                                for begin, finish in split_windows(start, end, 30 * DAY))
        assert listed_by_windows > len(expected)


def test_unknown_rds_instance_for_audit_logs(sim):
    end = sim.now
    with pytest.raises(HuaweiCloudError) as info:
        list_audit_logs(make_client(sim), ['missing-rds'], end - DAY, end)
    assert info.value.status == 404
    assert str(info.value).startswith('RDS instance missing-rds: GET ') and 'DBS.200002' in str(info.value)
