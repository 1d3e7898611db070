"""dbss_sql_export in-process, over real HTTP against the simulator (tests/support/audit_data_sim.py): the file holds
exactly what dbss_sql_info returns, bad input and hostile paths are refused before any request, idempotence, check
mode and diff, a partial failure leaves dest untouched, secrets never reach the file."""

import datetime
import hashlib
import json
import os
import stat

import pytest

from audit_data_sim import REGION, statements
from hwtest_support import run_module

from ansible_collections.hwcloud.dbaudit.plugins.modules import dbss_sql_export, dbss_sql_info

UTC = datetime.timezone.utc
START = datetime.datetime(2026, 11, 1, tzinfo=UTC)
PERIOD = {'start_time': '2026-11-01T00:00:00Z', 'end_time': '2026-11-02T00:00:00Z'}


def lines(path):
    with open(str(path), encoding='utf-8') as stream:
        return [json.loads(line) for line in stream]


@pytest.fixture
def seeded(audit):
    audit.add_sqls(audit.a, 250, START + datetime.timedelta(seconds=1))
    audit.add_sqls(audit.b, 120, START + datetime.timedelta(seconds=2), step=datetime.timedelta(seconds=3))
    return audit


@pytest.mark.parametrize('options', [
    {},
    {'mask_literals': True, 'limit': 150},
    {'risk_levels': ['HIGH', 'LOW'], 'db_user': 'admin'},
])
def test_the_file_holds_exactly_what_dbss_sql_info_returns(seeded, tmp_path, options):
    args = seeded.connection(instance_ids=[seeded.a, seeded.b], **dict(PERIOD, **options))
    info = run_module(dbss_sql_info, dict(args, limit=options.get('limit', 1000)))
    assert info.rc == 0, info.result
    dest = tmp_path / 'sqls.jsonl'
    outcome = run_module(dbss_sql_export, dict(args, dest=str(dest)))
    assert outcome.rc == 0, outcome.result
    result = outcome.result
    assert lines(dest) == info.result['sqls'] and info.result['sqls']
    data = dest.read_bytes()
    assert result['sha256'] == hashlib.sha256(data).hexdigest() and result['size'] == len(data)
    assert (tmp_path / 'sqls.jsonl.sha256').read_text() == '%s  sqls.jsonl\n' % result['sha256']
    assert result['changed'] is True and 'sqls' not in result
    assert result['statements'] == len(info.result['sqls'])
    assert result['statements_by_instance'] == dict(
        (instance_id, len([item for item in info.result['sqls'] if item['instance_id'] == instance_id]))
        for instance_id in (seeded.a, seeded.b))
    if not options:
        # Every statement the simulator holds for the period, newest first.
        end = START + datetime.timedelta(days=1)
        held = sorted(seeded.sqls_in(seeded.a, START, end) + seeded.sqls_in(seeded.b, START, end),
                      key=lambda item: item['start_time'], reverse=True)
        assert sorted(item['id'] for item in lines(dest)) == sorted(item['id'] for item in held)
        assert [item['start_time'] for item in lines(dest)] == [item['start_time'] for item in held]
    for key in ('start_time', 'end_time', 'truncated_windows', 'limit_reached'):
        assert result[key] == info.result[key], key
    assert (result['dest'], result['checksum_file']) == (str(dest), str(dest) + '.sha256')
    assert stat.S_IMODE(os.stat(str(dest)).st_mode) == 0o600


def test_a_second_run_writes_nothing_and_check_mode_never_writes(seeded, tmp_path):
    dest = tmp_path / 'evidence' / 'sqls.jsonl'
    args = seeded.connection(instance_id=seeded.a, dest=str(dest), _ansible_diff=True, **PERIOD)
    planned = run_module(dbss_sql_export, dict(args, _ansible_check_mode=True))
    assert planned.rc == 0 and planned.result['changed'] is True, planned.result
    assert not (tmp_path / 'evidence').exists()
    assert planned.result['diff']['before'] == {}
    assert planned.result['diff']['after'] == {'sha256': planned.result['sha256'], 'statements': 250}

    first = run_module(dbss_sql_export, args)
    assert first.result['changed'] is True and first.result['sha256'] == planned.result['sha256']
    inode = os.stat(str(dest)).st_ino
    again = run_module(dbss_sql_export, args)
    assert again.rc == 0 and again.result['changed'] is False
    assert again.result['diff']['before'] == again.result['diff']['after']
    assert os.stat(str(dest)).st_ino == inode
    assert run_module(dbss_sql_export, dict(args, _ansible_check_mode=True)).result['changed'] is False

    # Fewer statements: check mode tells the change and leaves the file as it is.
    smaller = run_module(dbss_sql_export, dict(args, limit=10, _ansible_check_mode=True))
    assert smaller.result['changed'] is True
    assert smaller.result['diff']['before'] == {'sha256': first.result['sha256'], 'statements': 250}
    assert smaller.result['diff']['after']['statements'] == 10
    assert hashlib.sha256(dest.read_bytes()).hexdigest() == first.result['sha256']


def test_mode_is_applied_to_both_files_and_is_idempotent(seeded, tmp_path):
    dest = tmp_path / 'sqls.jsonl'
    args = seeded.connection(instance_id=seeded.b, dest=str(dest), mode='0640', **PERIOD)
    assert run_module(dbss_sql_export, args).result['changed'] is True
    for path in (dest, tmp_path / 'sqls.jsonl.sha256'):
        assert stat.S_IMODE(os.stat(str(path)).st_mode) == 0o640
    assert run_module(dbss_sql_export, args).result['changed'] is False
    changed = run_module(dbss_sql_export, dict(args, mode='0600'))
    assert changed.result['changed'] is True and stat.S_IMODE(os.stat(str(dest)).st_mode) == 0o600


def refused(audit, args):
    outcome = run_module(dbss_sql_export, audit.connection(**args))
    assert outcome.rc == 1, outcome.result
    assert '\n' not in outcome.result['msg']
    assert audit.api_requests() == [], 'bad input must be refused before any request'
    return outcome.result['msg']


def test_hostile_and_bad_paths_are_refused_before_any_request(audit, tmp_path):
    target = tmp_path / 'target.jsonl'
    target.write_text('keep\n')
    (tmp_path / 'link.jsonl').symlink_to(target)
    (tmp_path / 'folder.jsonl').mkdir()
    os.mkfifo(str(tmp_path / 'fifo.jsonl'))
    (tmp_path / 'side.jsonl.sha256').symlink_to(target)
    base = dict(instance_id=audit.a, **PERIOD)
    assert "dest: '%s' is a symbolic link" % (tmp_path / 'link.jsonl') in refused(audit, dict(base, dest=str(tmp_path / 'link.jsonl')))
    assert 'is a directory' in refused(audit, dict(base, dest=str(tmp_path / 'folder.jsonl')))
    assert 'is a FIFO' in refused(audit, dict(base, dest=str(tmp_path / 'fifo.jsonl')))
    assert 'checksum file' in refused(audit, dict(base, dest=str(tmp_path / 'side.jsonl')))
    assert 'missing required arguments: dest' in refused(audit, base)
    assert 'limit must be between 1 and 200000, got 0' in refused(audit, dict(base, dest=str(tmp_path / 'x'), limit=0))
    assert 'db_user must not be empty' in refused(audit, dict(base, dest=str(tmp_path / 'x'), db_user=' '))
    assert target.read_text() == 'keep\n'
    assert sorted(os.listdir(str(tmp_path))) == ['fifo.jsonl', 'folder.jsonl', 'link.jsonl', 'side.jsonl.sha256',
                                                 'target.jsonl']


def test_the_default_limit_is_the_maximum_and_a_reached_limit_is_warned_about(seeded, tmp_path, capsys):
    outcome = run_module(dbss_sql_export, seeded.connection(instance_id=seeded.a, dest=str(tmp_path / 'all.jsonl'),
                                                            **PERIOD))
    assert outcome.result['statements'] == 250 and outcome.result['limit_reached'] is False
    limited = run_module(dbss_sql_export, seeded.connection(instance_id=seeded.a, dest=str(tmp_path / 'some.jsonl'),
                                                            limit=100, **PERIOD))
    assert limited.result['statements'] == 100 and limited.result['limit_reached'] is True
    warnings = '\n'.join(limited.result.get('warnings', [])) + capsys.readouterr().err
    assert 'holds only the newest 100 statements (limit)' in warnings


def test_a_failed_instance_is_named_and_dest_is_left_untouched(seeded, tmp_path):
    dest = tmp_path / 'sqls.jsonl'
    dest.write_text('earlier export\n')
    outcome = run_module(dbss_sql_export, seeded.connection(instance_ids=[seeded.a, 'ghost'], dest=str(dest), **PERIOD))
    assert outcome.rc == 1
    result = outcome.result
    assert result['msg'].startswith('audit instance ghost: POST /v2/%s/audit/ghost/sqls failed: HTTP ' % seeded.project_id)
    assert '%s was not written (250 statements were fetched' % dest in result['msg']
    assert result['failed_instances'] == ['ghost'] and result['changed'] is False
    assert result['statements'] == 250 and result['statements_by_instance'] == {seeded.a: 250, 'ghost': 0}
    assert 'sqls' not in result and result['start_time'] == '2026-11-01T00:00:00+0000'
    assert dest.read_text() == 'earlier export\n' and sorted(os.listdir(str(tmp_path))) == ['sqls.jsonl']


def test_several_failed_instances_are_each_named(seeded, tmp_path):
    dest = tmp_path / 'sqls.jsonl'
    outcome = run_module(dbss_sql_export, seeded.connection(instance_ids=['ghost-1', seeded.b, 'ghost-2'],
                                                            dest=str(dest), **PERIOD))
    assert outcome.rc == 1
    assert sorted(outcome.result['failed_instances']) == ['ghost-1', 'ghost-2']
    assert 'ghost-1' in outcome.result['msg'] and 'ghost-2' in outcome.result['msg']
    assert outcome.result['statements_by_instance'][seeded.b] == 120
    assert not dest.exists()


def test_a_statement_holding_the_secret_key_is_scrubbed_as_in_a_result(audit, tmp_path):
    secret_key = audit.sim.credentials['secret_key']
    records = statements(3, START + datetime.timedelta(seconds=1))
    records[1]['sql_statement'] = "CREATE USER ops IDENTIFIED BY '%s'" % secret_key
    audit.sim.add_statements(audit.a, records, region=REGION)
    args = audit.connection(instance_id=audit.a, **PERIOD)
    info = run_module(dbss_sql_info, args)
    assert secret_key not in info.output
    dest = tmp_path / 'sqls.jsonl'
    outcome = run_module(dbss_sql_export, dict(args, dest=str(dest)))
    assert outcome.rc == 0, outcome.result
    assert secret_key.encode() not in dest.read_bytes()
    assert lines(dest) == info.result['sqls']
    assert "IDENTIFIED BY '********'" in dest.read_text()


def test_an_empty_instance_list_writes_an_empty_verifiable_file_without_requests(audit, tmp_path):
    dest = tmp_path / 'none.jsonl'
    outcome = run_module(dbss_sql_export, audit.connection(instance_ids=[], dest=str(dest)))
    assert outcome.rc == 0, outcome.result
    assert outcome.result['statements'] == 0 and outcome.result['statements_by_instance'] == {}
    assert dest.read_bytes() == b'' and outcome.result['sha256'] == hashlib.sha256(b'').hexdigest()
    assert (tmp_path / 'none.jsonl.sha256').read_text() == '%s  none.jsonl\n' % hashlib.sha256(b'').hexdigest()
    assert audit.api_requests() == []
