"""The record list spared Ansible's per-value scrub (result_output.py, issue "Speed at scale"): the module's output is
byte for byte what ``exit_json`` with its ``remove_values`` scrub prints, and no ``no_log`` value ever reaches it.

Each test runs a real module in-process over real HTTP twice, once the fast way and once with
``SPARE_RECORD_LISTS = False`` (Ansible's own path, the reference), and compares the two outputs as text: against the
simulator (tests/support/audit_data_sim.py), or, where a secret of the test's own must be the module's credential or a
record holds what no statement of the API does (a number), against a small hostile server answering those records."""

import datetime

import pytest

from audit_data_sim import SQLS, statements
from hostile_server import json_reply
from hwtest_support import run_module

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers import result_output
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.result_output import free_text, plain_json
from ansible_collections.hwcloud.dbaudit.plugins.modules import dbss_sql_info, rds_auditlog_info

PROJECT = '0' * 32
START = datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc)
PERIOD = {'start_time': '2026-11-01T00:00:00Z', 'end_time': '2026-11-02T00:00:00Z'}


@pytest.fixture
def spared(monkeypatch):
    """Counts the record lists actually spared (their JSON text computed and found free of secrets)."""
    calls = []

    def counting(value, secrets, ensure_ascii):
        text = free_text(value, secrets, ensure_ascii)
        calls.append(text is not None)
        return text
    monkeypatch.setattr(result_output, 'free_text', counting)
    return calls


def hostile_args(server, secret_key):
    return dict({'region': 'cn-north-4', 'project_id': PROJECT, 'access_key': 'AKTEST', 'secret_key': secret_key,
                 'max_retries': 0, 'endpoints': {'dbss': server.url}, 'instance_id': 'inst-a'}, **PERIOD)


def answering(server, records):
    """The hostile server answers every statement query with these records (each given an id), in one page."""
    listed = [dict(record, id='sql-%06d' % n) for n, record in enumerate(records)]
    server.route('POST', SQLS, json_reply({'total': len(listed), 'count': len(listed), 'sqls': [{'sql': record} for record in listed]}))


def both_ways(module_args, monkeypatch, module=dbss_sql_info):
    fast = run_module(module, module_args)
    monkeypatch.setattr(result_output, 'SPARE_RECORD_LISTS', False)
    reference = run_module(module, module_args)
    monkeypatch.setattr(result_output, 'SPARE_RECORD_LISTS', True)
    assert fast.rc == reference.rc == 0, fast.result
    return fast, reference


def test_the_output_is_byte_identical_when_no_secret_is_in_the_records(audit, monkeypatch, spared):
    audit.add_sqls(audit.a, 250, START + datetime.timedelta(seconds=1))
    fast, reference = both_ways(audit.connection(instance_id=audit.a, **PERIOD), monkeypatch)
    assert spared == [True]
    assert fast.output == reference.output
    assert len(fast.result['sqls']) == len(audit.sqls_in(audit.a, START, START + datetime.timedelta(days=1))) == 250
    # The scrub still ran over the rest: the connection options' secret is masked in the invocation.
    assert fast.result['invocation']['module_args']['secret_key'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    assert audit.sim.credentials['secret_key'] not in fast.output


def test_non_ascii_text_and_json_escapes_are_written_as_ansible_writes_them(audit, monkeypatch, spared):
    records = statements(20, START + datetime.timedelta(seconds=1))
    records[0]['sql_statement'] = u"SELECT '\u00e9t\u00e9 \u6e2c\u8a66 \U0001f600' AS \"q\\uote\"\n\t\x01"
    records[1]['table_name'] = u'\u00fcber \u8868'
    audit.sim.add_statements(audit.a, records)
    fast, reference = both_ways(audit.connection(instance_id=audit.a, **PERIOD), monkeypatch)
    assert spared == [True]
    assert fast.output == reference.output
    assert u'\u00fcber \u8868' in [item['table_name'] for record in fast.result['sqls'] for item in record['operated_obj_info']]


@pytest.mark.parametrize('secret,planted', [
    ('SKTEST-0123', "SELECT 'SKTEST-0123'"),                   # inside a statement
    ('SKTEST-0123', 'SKTEST-0123'),                            # a whole value
    ('sk"quote\\slash', 'x sk"quote\\slash y'),                # JSON escapes in the secret
    (u'cl\u00e9-s\u00e9cr\u00e8te', u'-- cl\u00e9-s\u00e9cr\u00e8te --'),  # non-ASCII secret
])
def test_a_secret_in_the_records_is_masked(server, monkeypatch, spared, secret, planted):
    # The list takes Ansible's path, which masks the secret. The secret is the module's own credential: a server of the
    # test's own, since the simulator takes only its fake one.
    records = statements(30, START + datetime.timedelta(seconds=1))
    records[7]['sql_statement'] = planted
    answering(server, records)
    fast, reference = both_ways(hostile_args(server, secret), monkeypatch)
    assert spared == [False]
    assert fast.output == reference.output
    assert secret not in fast.output
    answered = [record['sql_statement'] for record in fast.result['sqls']]
    assert any('********' in statement or statement == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
               for statement in answered)


@pytest.mark.parametrize('number', [9876543210, 98765432.5, 1.987654321e+20])
def test_a_number_holding_a_secret_takes_ansibles_path(server, monkeypatch, spared, number):
    # remove_values also masks the digits of a number that hold a no_log value (the number becomes a string): it reads
    # str(number), which for a float is the repr JSON writes. No field of a statement is a number in the API: a hostile
    # server sends one, with nested numbers, nulls and booleans.
    answering(server, statements(10, START + datetime.timedelta(seconds=1), rows=number,
                                 operated_obj_info=[{'name': u'\u00fcber', 'type': 'TABLE', 'nested': {'k': [1, 0.25, None, True]}}]))
    fast, reference = both_ways(hostile_args(server, '98765432'), monkeypatch)
    assert spared == [False]
    assert fast.output == reference.output
    assert '98765432' not in fast.output


def test_float_fields_are_spared_and_written_as_ansible_writes_them(sim, monkeypatch, spared):
    # An RDS audit log file's size is a float (KB) in the SDK's model: the listing is spared, byte for byte the same.
    rds_id = next(instance_id for instance_id, policy in sim.data.regions['cn-north-4'].audit_policies.items()
                  if policy['keep_days'] > 0)
    args = {'region': 'cn-north-4', 'endpoints': {'rds': sim.url, 'iam': sim.url},
            'access_key': sim.credentials['access_key'], 'secret_key': sim.credentials['secret_key'],
            'instance_id': rds_id, 'start_time': '2026-10-01', 'end_time': '2026-11-01'}
    fast, reference = both_ways(args, monkeypatch, rds_auditlog_info)
    assert spared == [True]
    assert fast.output == reference.output
    sizes = [log['size'] for log in fast.result['audit_logs']]
    assert sizes and all(isinstance(size, float) for size in sizes)
    assert sim.credentials['secret_key'] not in fast.output


@pytest.mark.parametrize('number', [float('nan'), float('inf'), float('-inf')])
def test_a_float_json_cannot_write_is_never_spared(number):
    # NaN and the infinities are no JSON: the list takes Ansible's path, which decides how they are written.
    assert plain_json([{'size': number}]) is True
    assert free_text([{'size': number}], set(), False) is None


def test_a_secret_issued_during_the_run_is_known_at_exit(monkeypatch):
    # The client's later secrets (an issued token) reach no_log_values, which free_text reads at exit time.
    assert free_text([{'token': 'abc-issued-token-xyz'}], {'issued-token'}, False) is None
    assert free_text([{'token': 'abc'}], {'issued-token'}, False) == '[{"token": "abc"}]'


class _TaggedText(str):
    """A str subclass, as Ansible's tagged values are: an encoder may write it differently."""


@pytest.mark.parametrize('value,plain', [
    ([{'a': 'x', 'b': 1, 'c': None, 'd': True, 'e': [], 'f': {'g': ['h', 2]}}], True),
    ([], True),
    ([{'a': _TaggedText('x')}], False),
    ([{_TaggedText('a'): 'x'}], False),
    ([{'a': [{'b': (1, 2)}]}], False),
    ([{1: 'x'}], False),
    ([1.5, {'a': -0.0, 'b': [1e-07]}], True),
    ([{'a': b'bytes'}], False),
    ([{'a': datetime.datetime(2026, 1, 1)}], False),
])
def test_only_plain_json_types_are_spared(value, plain):
    assert plain_json(value) is plain
