"""dbss_sql_info, dbss_alarm_info and dbss_rule_info in-process, over real HTTP against the simulator (tests/support/
audit_data_sim.py): bad input refused before any request with one line naming the option, check mode, the plural list
keys, partial results on failure."""

import datetime

import pytest
import yaml

from hwtest_support import REPO_ROOT, run_module

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services import dbss_audit_data
from ansible_collections.hwcloud.dbaudit.plugins.modules import dbss_alarm_info, dbss_rule_info, dbss_sql_info

UTC = datetime.timezone.utc
START = datetime.datetime(2026, 11, 1, tzinfo=UTC)
END = datetime.datetime(2026, 11, 2, tzinfo=UTC)
PERIOD = {'start_time': '2026-11-01T00:00:00Z', 'end_time': '2026-11-02T00:00:00Z'}
MODULES = [(dbss_sql_info, 'sqls'), (dbss_alarm_info, 'alarms'), (dbss_rule_info, 'risk_rules')]


def refused(audit, module, args):
    outcome = run_module(module, audit.connection(**args))
    assert outcome.rc == 1, outcome.result
    assert '\n' not in outcome.result['msg']
    assert audit.api_requests() == [], 'bad input must be refused before any request'
    return outcome.result['msg']


@pytest.mark.parametrize('module,key', MODULES)
def test_exactly_one_of_instance_id_and_instance_ids(audit, module, key):
    assert 'one of the following is required: instance_id, instance_ids' in refused(audit, module, {})


@pytest.mark.parametrize('module,key', MODULES)
def test_an_empty_instance_list_is_an_empty_result_without_requests(audit, module, key):
    outcome = run_module(module, audit.connection(instance_ids=[]))
    assert outcome.rc == 0, outcome.result
    assert outcome.result[key] == [] and outcome.result['changed'] is False
    assert audit.api_requests() == []


@pytest.mark.parametrize('module,args,fragments', [
    (dbss_sql_info, {'query_type': 'DROP TABLE'}, ['query_type', 'DROP_TABLE', 'CREATE_USER']),
    (dbss_sql_info, {'risk_levels': ['HIGH', 'high']}, ['risk_levels', 'NO_RISK', 'MEDIUM']),
    (dbss_sql_info, {'sql_response': 'OK'}, ['sql_response', 'SUCCESS', 'FAILED']),
    (dbss_sql_info, {'limit': 0}, ['limit must be between 1 and 200000, got 0']),
    (dbss_sql_info, {'limit': 200001}, ['limit must be between 1 and 200000, got 200001']),
    (dbss_sql_info, {'db_user': ' '}, ['db_user must not be empty']),
    (dbss_sql_info, {'statement_contains': ''}, ['statement_contains must not be empty']),
    (dbss_sql_info, {'start_time': 'last tuesday'}, ["start_time: 'last tuesday' is not a valid time; accepted forms"]),
    (dbss_sql_info, {'start_time': '-400d'}, ['is more than 366 days after start_time']),
    (dbss_sql_info, {'start_time': '-1h', 'end_time': '-2h'}, ['must be after start_time']),
    (dbss_sql_info, {'concurrency': 65}, ['concurrency must be between 1 and 64, got 65']),
    (dbss_sql_info, {'mask_literals': 'perhaps'}, ['mask_literals']),
    (dbss_alarm_info, {'status': 'ACKED'}, ['status', 'DONE', 'UNDO']),
    (dbss_alarm_info, {'risk_levels': ['NO_RISK']}, ['risk_levels', 'HIGH', 'LOW', 'MEDIUM']),
    (dbss_alarm_info, {'alarm_type': 'cpu'}, ['alarm_type', 'RISK_CPU']),
    (dbss_alarm_info, {'limit': -1}, ['limit must be between 1 and 200000']),
    (dbss_alarm_info, {'end_time': '2026-11-01T10:00:00'}, ['a time of day needs a time zone']),
    (dbss_rule_info, {'instance_ids': ['ok', '..']}, ["instance_ids must not be empty, '.' or '..'"]),
])
def test_bad_input_is_refused_before_any_request(audit, module, args, fragments):
    args = dict(args)
    args.setdefault('instance_id', audit.a) if 'instance_ids' not in args else None
    message = refused(audit, module, args)
    for fragment in fragments:
        assert fragment in message, message


def test_sql_info_in_check_mode_with_masking_and_a_limit(audit):
    audit.add_sqls(audit.a, 300, START + datetime.timedelta(seconds=1))
    outcome = run_module(dbss_sql_info, audit.connection(instance_id=audit.a, limit=150, mask_literals=True,
                                                         _ansible_check_mode=True, **PERIOD))
    assert outcome.rc == 0, outcome.result
    result = outcome.result
    assert result['changed'] is False
    assert len(result['sqls']) == 150 and result['limit_reached'] is True and result['truncated_windows'] == []
    assert (result['start_time'], result['end_time']) == ('2026-11-01T00:00:00+0000', '2026-11-02T00:00:00+0000')
    assert "'secret-" not in outcome.output
    assert result['sqls'][0]['sql_statement'] == 'SELECT * FROM t5 WHERE name = ?'
    assert result['sqls'][0]['id'] == audit.sqls_in(audit.a, START, END)[0]['id']
    assert len(audit.sql_requests()) == 2


def test_a_truncated_window_is_in_the_result_and_warned_about(audit, monkeypatch, capsys):
    monkeypatch.setattr(dbss_audit_data, 'QUERY_RECORD_CAP', 200)
    audit.sim.set_sql_result_window(200)
    audit.add_sqls(audit.a, 300, START + datetime.timedelta(hours=3), step=datetime.timedelta(0))
    outcome = run_module(dbss_sql_info, audit.connection(instance_id=audit.a, **PERIOD))
    assert outcome.rc == 0, outcome.result
    assert len(outcome.result['sqls']) == 200
    windows = outcome.result['truncated_windows']
    assert windows and all(window['total'] == 300 and window['returned'] == 200 for window in windows)
    # ansible-core 2.19 prints warnings of an in-process module run; 2.17 and 2.18 put them in the result.
    warnings = '\n'.join(outcome.result.get('warnings', [])) + capsys.readouterr().err
    assert 'the service returned only 200 of 300 statements of %s 2026-11-01T0' % audit.a in warnings


def test_sql_info_keeps_what_was_read_when_an_instance_fails(audit):
    audit.add_sqls(audit.a, 3, START + datetime.timedelta(seconds=1))
    outcome = run_module(dbss_sql_info, audit.connection(instance_ids=[audit.a, 'ghost'], **PERIOD))
    assert outcome.rc == 1
    assert outcome.result['msg'].startswith('audit instance ghost: POST /v2/%s/audit/ghost/sqls failed: HTTP 400' % audit.project_id)
    assert [item['instance_id'] for item in outcome.result['sqls']] == [audit.a] * 3
    assert outcome.result['truncated_windows'] == [] and outcome.result['start_time'] == '2026-11-01T00:00:00+0000'


def test_alarm_info_unacknowledged_high_alarms(audit):
    audit.add_alarms(audit.a, 90, START + datetime.timedelta(seconds=1))
    outcome = run_module(dbss_alarm_info, audit.connection(instance_id=audit.a, risk_levels=['HIGH'], status='UNDO', **PERIOD))
    assert outcome.rc == 0, outcome.result
    expected = [record['id'] for record in audit.alarms_in(audit.a, START, END)
                if record['alarm_risk'] == 'HIGH' and record['alarm_status'] == 'UNDO']
    assert [alarm['id'] for alarm in outcome.result['alarms']] == expected and expected
    assert all(alarm['acknowledged'] is False for alarm in outcome.result['alarms'])


def test_rule_info_keeps_all_three_lists_when_an_instance_fails(audit):
    audit.sim.add_risk_rule(audit.a, status='OFF')
    ok = run_module(dbss_rule_info, audit.connection(instance_id=audit.a))
    assert ok.rc == 0, ok.result
    assert [rule['enabled'] for rule in ok.result['risk_rules']] == [rule['status'] == 'ON' for rule in audit.risk_rules(audit.a)]
    assert {rule['enabled'] for rule in ok.result['risk_rules']} == {True, False}
    topic = audit.topic(audit.a)
    assert ok.result['alarm_topics'] == [dict(topic, instance_id=audit.a, enabled=topic['alarm_switch'] == 'ON')]
    failed = run_module(dbss_rule_info, audit.connection(instance_ids=[audit.a, 'ghost']))
    assert failed.rc == 1 and failed.result['msg'].startswith('audit instance ghost: GET ')
    for key in ('risk_rules', 'sql_injection_rules', 'alarm_topics'):
        assert failed.result[key] == ok.result[key]


def test_the_modules_are_in_the_action_group():
    with open('%s/meta/runtime.yml' % REPO_ROOT) as runtime:
        group = yaml.safe_load(runtime)['action_groups']['huaweicloud']
    assert {'dbss_alarm_info', 'dbss_rule_info', 'dbss_sql_info'} <= set(group)
    assert group == sorted(group)
