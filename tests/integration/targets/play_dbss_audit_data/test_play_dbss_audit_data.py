"""ansible-playbook runs of dbss_sql_info, dbss_alarm_info and dbss_rule_info against the simulator: the expected
results are computed from the simulator's seeded data.

Everything this test assumes of the simulator's DBSS audit data (statements, alarm log, rules, alarm topics) is in
the block below, in one place: the attribute names of ``sim.data.regions[REGION]``, the records' shape (the SDK's,
``huaweicloudsdkdbss`` 3.1.219) and the routes the modules are expected to reach.
"""

import datetime
import math
import re

import pytest

from hwtest_support import sim_requests

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.times import parse_record_time

REGION = 'cn-north-4'

# --- What this test assumes of the simulator (tests/simulator); adjust here only. ----------------------------------
# Attributes of sim.data.regions[REGION], each a dict keyed by audit instance id:
SEEDED = {
    # [{"sql": AuditSqlResponseSql}] as ListAuditSqlsNew answers them (a flat AuditSqlResponseSql is read too)
    'sqls': 'audit_sqls',
    # [AlarmLogResponseNewAlarmLog] as ListAuditAlarmLogNew answers them (alarm_time, alarm_risk, alarm_status, ...)
    'alarms': 'audit_alarms',
    # [RuleRiskResponseRules] (id, name, status ON/OFF, risk_level, ...)
    'risk_rules': 'risk_rules',
    # [SqlRuleResponseRules]
    'sql_injection_rules': 'sql_injection_rules',
    # the ListAlarmTopicConfigInfoNew answer (alarm_switch, alarm_topic_urn, alarm_risk, ...)
    'alarm_topics': 'alarm_topics',
}
# Paths the modules are expected to reach first (SDK: ListAuditSqlsNew, ListAuditAlarmLogNew).
SQLS_ROUTE = r'^/v2/[^/]+/audit/%s/sqls$'
ALARMS_ROUTE = r'^/v2/[^/]+/audit/[^/]+/alarm-log$'
# The collection asks 100 records a page: the simulator must serve pages of that size (and at most 10,000 records
# of one query, like the service).
PAGE = 100
# --------------------------------------------------------------------------------------------------------------------


@pytest.fixture
def seeded(sim):
    data = sim.data.regions[REGION]
    missing = [name for name in SEEDED.values() if not hasattr(data, name)]
    assert not missing, 'sim.data.regions[%r] has no %s (see SEEDED at the top of this file)' % (REGION, ', '.join(missing))
    return dict((key, getattr(data, name)) for key, name in SEEDED.items())


def connection(sim):
    return {'region': REGION, 'endpoints': {'dbss': sim.url, 'iam': sim.url, 'rds': sim.url},
            'access_key': sim.credentials['access_key'], 'secret_key': sim.credentials['secret_key']}


def sql_record(item):
    return item['sql'] if isinstance(item.get('sql'), dict) else item


def moment(value):
    parsed = parse_record_time(value)
    assert parsed is not None, 'a seeded time the module cannot read: %r' % (value,)
    return parsed


def iso(when):
    return when.astimezone(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def instances_in_order(sim, keyed):
    """The audit instances that have seeded data, in the order of the instance list."""
    return [instance['id'] for instance in sim.data.regions[REGION].instances if instance['id'] in keyed]


def between(earlier, later):
    """A whole second strictly between two times at least two seconds apart."""
    middle = earlier + (later - earlier) / 2
    return middle.replace(microsecond=0) + datetime.timedelta(seconds=1 if middle.microsecond else 0)


@pytest.mark.all_core_lines  # dbss_sql_info on every line
def test_incident_finds_exactly_the_drop_table_statements_of_a_user(sim, seeded, run_playbook):
    drops = {}
    for instance_id in instances_in_order(sim, seeded['sqls']):
        for item in seeded['sqls'][instance_id]:
            record = sql_record(item)
            if str(record.get('query_type')).upper().replace(' ', '_') == 'DROP_TABLE':
                drops.setdefault(record['db_user'], {}).setdefault(instance_id, []).append(record)
    candidates = [(user, by_instance) for user, by_instance in drops.items() if len(by_instance) >= 2]
    assert candidates, 'the seeded data must hold DROP TABLE statements of one user on two audit instances'
    user, by_instance = max(candidates, key=lambda candidate: sum(len(records) for records in candidate[1].values()))
    chosen = list(by_instance)[:2]
    times = sorted({moment(record['start_time']) for instance_id in chosen for record in by_instance[instance_id]})
    # A window that leaves out the user's first and last DROP TABLE when there are enough of them.
    if len(times) >= 4 and (times[1] - times[0]).total_seconds() >= 2 and (times[-1] - times[-2]).total_seconds() >= 2:
        start, end = between(times[0], times[1]), between(times[-2], times[-1])
    else:
        start, end = times[0] - datetime.timedelta(seconds=1), times[-1] + datetime.timedelta(seconds=1)
    assert (end - start).days <= 366
    expected = {(instance_id, record['id']) for instance_id in chosen for record in by_instance[instance_id]
                if start <= moment(record['start_time']) <= end}
    assert expected

    run = run_playbook('dbss_audit_data', {'scenario': 'incident', 'connection': connection(sim), 'instance_ids': chosen,
                                           'start_time': iso(start), 'end_time': iso(end), 'db_user': user})
    assert run.rc == 0, run.output
    found = run.result['sqls']
    assert len(found) == len(expected)
    assert {(item['instance_id'], item['id']) for item in found} == expected
    found_times = [moment(item['start_time']) for item in found]
    assert found_times == sorted(found_times, reverse=True)
    assert run.result['limit_reached'] is False
    # Only the v2 statement API of the two instances was asked.
    asked = [record for record in sim.requests if record['service'] == 'dbss']
    routes = [re.compile(SQLS_ROUTE % re.escape(instance_id)) for instance_id in chosen]
    assert asked and all(record['method'] == 'POST' and any(route.match(record['path']) for route in routes)
                         for record in asked)


@pytest.mark.all_core_lines  # dbss_alarm_info on every line
def test_unacknowledged_high_alarms_exactly(sim, seeded, run_playbook):
    instance_ids = instances_in_order(sim, seeded['alarms'])
    records = [(instance_id, record) for instance_id in instance_ids for record in seeded['alarms'][instance_id]]
    assert records, 'the seeded data must hold alarms'
    times = [moment(record['alarm_time']) for _instance_id, record in records]
    start = min(times) - datetime.timedelta(seconds=1)
    end = max(times) + datetime.timedelta(seconds=1)
    assert (end - start).days <= 366
    expected = {(instance_id, record['id']) for instance_id, record in records
                if record['alarm_risk'] == 'HIGH' and record['alarm_status'] == 'UNDO'}
    others = [record for _instance_id, record in records if record['alarm_risk'] != 'HIGH' or record['alarm_status'] != 'UNDO']
    assert expected and others, 'the seeded alarms must hold open HIGH alarms and others'

    run = run_playbook('dbss_audit_data', {'scenario': 'alarms', 'connection': connection(sim),
                                           'instance_ids': instance_ids, 'start_time': iso(start), 'end_time': iso(end)})
    assert run.rc == 0, run.output
    alarms = run.result['alarms']
    assert len(alarms) == len(expected)
    assert {(alarm['instance_id'], alarm['id']) for alarm in alarms} == expected
    assert all(alarm['acknowledged'] is False and alarm['alarm_risk'] == 'HIGH' for alarm in alarms)
    alarm_times = [moment(alarm['alarm_time']) for alarm in alarms]
    assert alarm_times == sorted(alarm_times, reverse=True)
    assert run.result['truncated_windows'] == []
    assert sim_requests(sim, ALARMS_ROUTE, 'POST')


def _rules(seeded_rules, instance_ids):
    return [dict(rule, instance_id=instance_id, enabled=rule['status'] == 'ON')
            for instance_id in instance_ids for rule in seeded_rules.get(instance_id, [])]


@pytest.mark.all_core_lines  # dbss_rule_info on every line
def test_rule_info_reports_the_seeded_misconfigurations(sim, seeded, run_playbook):
    instance_ids = instances_in_order(sim, seeded['risk_rules'])
    assert instance_ids, 'the seeded data must hold risk rules'
    run = run_playbook('dbss_audit_data', {'scenario': 'rules', 'connection': connection(sim),
                                           'instance_ids': instance_ids})
    assert run.rc == 0, run.output
    result = run.result
    assert result['risk_rules'] == _rules(seeded['risk_rules'], instance_ids)
    assert result['sql_injection_rules'] == _rules(seeded['sql_injection_rules'], instance_ids)
    topics = [seeded['alarm_topics'][instance_id] for instance_id in instance_ids]
    assert result['alarm_topics'] == [
        dict(topic, instance_id=instance_id, alarm_switch=topic.get('alarm_switch'),
             alarm_topic_urn=topic.get('alarm_topic_urn'), alarm_risk=topic.get('alarm_risk') or [],
             enabled=topic.get('alarm_switch') == 'ON') for instance_id, topic in zip(instance_ids, topics)]

    # The misconfigurations seeded are the ones reported, exactly.
    disabled_high = {(rule['instance_id'], rule['id']) for rule in _rules(seeded['risk_rules'], instance_ids)
                     if rule['risk_level'] == 'HIGH' and rule['status'] != 'ON'}
    silent = {instance_id for instance_id, topic in zip(instance_ids, topics) if topic.get('alarm_switch') != 'ON'}
    assert disabled_high and silent, 'the seeded data must hold a disabled HIGH risk rule and an instance without alarms'
    assert {(rule['instance_id'], rule['id']) for rule in result['risk_rules']
            if rule['risk_level'] == 'HIGH' and not rule['enabled']} == disabled_high
    assert {topic['instance_id'] for topic in result['alarm_topics'] if not topic['enabled']} == silent


def test_the_default_limit_reached_is_said_in_a_warning(sim, seeded, run_playbook):
    from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss_audit_data import DEFAULT_LIMIT
    end = sim.now
    start = end - datetime.timedelta(days=30)
    counts = dict((instance_id, len([item for item in seeded['sqls'][instance_id]
                                     if start <= moment(sql_record(item)['start_time']) <= end]))
                  for instance_id in instances_in_order(sim, seeded['sqls']))
    instance_id = max(counts, key=counts.get)
    assert counts[instance_id] > DEFAULT_LIMIT, 'the seeded data must hold more statements than the default limit'
    run = run_playbook('dbss_audit_data', {'scenario': 'limit', 'connection': connection(sim),
                                           'instance_ids': [instance_id], 'start_time': iso(start), 'end_time': iso(end)})
    assert run.rc == 0, run.output
    assert len(run.result['sqls']) == DEFAULT_LIMIT and run.result['limit_reached'] is True
    assert [warning for warning in run.result.get('warnings', [])
            if 'only the newest %d statements are returned (the default limit)' % DEFAULT_LIMIT in warning], run.output

    # An explicit limit is the user's choice: no warning.
    run = run_playbook('dbss_audit_data', {'scenario': 'limit', 'connection': connection(sim), 'limit': 10,
                                           'instance_ids': [instance_id], 'start_time': iso(start), 'end_time': iso(end)})
    assert run.result['limit_reached'] is True
    assert not [warning for warning in run.result.get('warnings', []) if 'default limit' in warning]


def test_the_limit_stops_reading_early(sim, seeded, run_playbook):
    end = sim.now
    start = end - datetime.timedelta(days=30)
    counts = {}
    for instance_id in instances_in_order(sim, seeded['sqls']):
        counts[instance_id] = [moment(sql_record(item)['start_time']) for item in seeded['sqls'][instance_id]
                               if start <= moment(sql_record(item)['start_time']) <= end]
    instance_id = max(counts, key=lambda key: len(counts[key]))
    available = len(counts[instance_id])
    assert available >= 2, 'the seeded data must hold statements of the last 30 days'
    limit = min(150, available - 1)

    run = run_playbook('dbss_audit_data', {'scenario': 'limit', 'connection': connection(sim),
                                           'instance_ids': [instance_id], 'start_time': iso(start), 'end_time': iso(end),
                                           'limit': limit})
    assert run.rc == 0, run.output
    found = run.result['sqls']
    assert len(found) == limit and run.result['limit_reached'] is True
    assert sorted((moment(item['start_time']) for item in found), reverse=True) == sorted(
        counts[instance_id], reverse=True)[:limit]
    assert not any("'" in (item.get('sql_statement') or '') for item in found)
    # One 30-day window, 100 statements a page: no request beyond what the limit needs.
    assert len(sim_requests(sim, SQLS_ROUTE % re.escape(instance_id), 'POST')) == math.ceil(limit / float(PAGE))
