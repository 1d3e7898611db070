"""The JSON Lines evidence writer of dbss_sql_export (helpers/jsonl_evidence.py) on a real file system: the bytes, the
``sha256sum`` sidecar, idempotence, check mode, hostile paths (links, FIFOs, directories) and the scrub of secrets."""

import hashlib
import json
import os
import shutil
import stat
import subprocess

import pytest

from ansible.module_utils.common.parameters import remove_values

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers import jsonl_evidence
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.jsonl_evidence import (
    FileState,
    JsonLinesExport,
    check_export_path,
    checksum_line,
)
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudConfigError

RECORDS = [
    {'id': 'b', 'sql_statement': u"SELECT 'caf\u00e9' FROM \u8868", 'instance_id': 'inst-a', 'operated_obj_info': [],
     'start_time': '2026-11-01 00:00:02'},
    {'id': 'a', 'sql_statement': 'DROP TABLE t', 'instance_id': 'inst-b', 'operated_obj_info': [{'table_name': 't'}],
     'start_time': '2026-11-01 00:00:01', 'rule_name': None},
]
SHA256SUM = shutil.which('sha256sum')


def expected_bytes(records):
    return b''.join(json.dumps(record, sort_keys=True, separators=(',', ':'), ensure_ascii=False).encode('utf-8') + b'\n'
                    for record in records)


def export(tmp_path, name='sqls.jsonl', check_mode=False, records=None, **kwargs):
    dest, checksum = check_export_path(str(tmp_path / name))
    return JsonLinesExport(dest, checksum, check_mode=check_mode).write(RECORDS if records is None else records, **kwargs)


def leftovers(folder):
    return sorted(name for name in os.listdir(str(folder)) if name.endswith('.part'))


def test_the_file_holds_one_sorted_compact_line_per_record_and_a_sha256sum_sidecar(tmp_path):
    outcome = export(tmp_path)
    data = (tmp_path / 'sqls.jsonl').read_bytes()
    assert data == expected_bytes(RECORDS)
    assert [json.loads(line) for line in data.decode('utf-8').splitlines()] == RECORDS
    assert u'caf\u00e9'.encode('utf-8') in data  # UTF-8, not \u escapes
    digest = hashlib.sha256(data).hexdigest()
    assert outcome['changed'] is True and outcome['sha256'] == digest and outcome['size'] == len(data)
    assert (tmp_path / 'sqls.jsonl.sha256').read_text() == '%s  sqls.jsonl\n' % digest
    assert outcome['diff']['before'] == {} and outcome['diff']['after'] == {'sha256': digest, 'statements': 2}
    for name in ('sqls.jsonl', 'sqls.jsonl.sha256'):
        assert stat.S_IMODE(os.stat(str(tmp_path / name)).st_mode) == 0o600
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(SHA256SUM is None, reason='needs sha256sum')
@pytest.mark.parametrize('name', ['sqls.jsonl', 'odd name \\ with backslash.jsonl'])
def test_sha256sum_checks_the_sidecar(tmp_path, name):
    export(tmp_path, name)
    check = subprocess.run([SHA256SUM, '-c', name + '.sha256'], cwd=str(tmp_path), capture_output=True, text=True,
                           check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    (tmp_path / name).write_bytes(b'{}\n')
    assert subprocess.run([SHA256SUM, '-c', name + '.sha256'], cwd=str(tmp_path), capture_output=True,
                          check=False).returncode != 0


def test_the_same_records_again_write_nothing(tmp_path):
    export(tmp_path)
    before = [os.stat(str(tmp_path / name)) for name in ('sqls.jsonl', 'sqls.jsonl.sha256')]
    outcome = export(tmp_path)
    after = [os.stat(str(tmp_path / name)) for name in ('sqls.jsonl', 'sqls.jsonl.sha256')]
    assert outcome['changed'] is False
    assert [(item.st_ino, item.st_mtime_ns) for item in after] == [(item.st_ino, item.st_mtime_ns) for item in before]
    assert outcome['diff']['before'] == outcome['diff']['after']
    assert leftovers(tmp_path) == []


def test_other_records_replace_the_file_and_the_diff_is_short(tmp_path):
    export(tmp_path)
    old = hashlib.sha256((tmp_path / 'sqls.jsonl').read_bytes()).hexdigest()
    outcome = export(tmp_path, records=RECORDS[:1])
    assert outcome['changed'] is True
    assert outcome['diff']['before'] == {'sha256': old, 'statements': 2}
    assert outcome['diff']['after'] == {'sha256': outcome['sha256'], 'statements': 1}
    assert (tmp_path / 'sqls.jsonl').read_bytes() == expected_bytes(RECORDS[:1])


def test_a_wrong_or_missing_sidecar_alone_is_rewritten(tmp_path):
    export(tmp_path)
    (tmp_path / 'sqls.jsonl.sha256').write_text('0' * 64 + '  sqls.jsonl\n')
    assert export(tmp_path)['changed'] is True
    (tmp_path / 'sqls.jsonl.sha256').unlink()
    assert export(tmp_path)['changed'] is True
    assert export(tmp_path)['changed'] is False


def test_check_mode_writes_nothing_and_says_whether_it_would(tmp_path):
    outcome = export(tmp_path / 'new-folder', check_mode=True)
    assert outcome['changed'] is True and outcome['sha256'] == hashlib.sha256(expected_bytes(RECORDS)).hexdigest()
    assert not (tmp_path / 'new-folder').exists()
    export(tmp_path)
    assert export(tmp_path, check_mode=True)['changed'] is False
    outcome = export(tmp_path, check_mode=True, records=RECORDS[:1])
    assert outcome['changed'] is True
    assert (tmp_path / 'sqls.jsonl').read_bytes() == expected_bytes(RECORDS)
    assert sorted(os.listdir(str(tmp_path))) == ['sqls.jsonl', 'sqls.jsonl.sha256']


def test_a_missing_folder_is_created(tmp_path):
    export(tmp_path / 'a' / 'b')
    assert (tmp_path / 'a' / 'b' / 'sqls.jsonl').read_bytes() == expected_bytes(RECORDS)
    assert stat.S_IMODE(os.stat(str(tmp_path / 'a' / 'b')).st_mode) & 0o027 == 0


def refusal(path):
    with pytest.raises(HuaweiCloudConfigError) as raised:
        check_export_path(str(path))
    message = str(raised.value)
    assert message.startswith('dest') and '\n' not in message
    return message


@pytest.mark.parametrize('name', ['sqls.jsonl', 'sqls.jsonl.sha256'])
def test_a_symbolic_link_is_refused_and_never_followed(tmp_path, name):
    target = tmp_path / 'elsewhere.txt'
    target.write_text('not ours\n')
    (tmp_path / name).symlink_to(target)
    message = refusal(tmp_path / 'sqls.jsonl')
    assert 'is a symbolic link' in message and str(tmp_path / name) in message
    assert target.read_text() == 'not ours\n'


def test_a_link_planted_while_fetching_is_refused_at_write_time(tmp_path):
    dest, checksum = check_export_path(str(tmp_path / 'sqls.jsonl'))
    target = tmp_path / 'elsewhere.txt'
    target.write_text('not ours\n')
    (tmp_path / 'sqls.jsonl').symlink_to(target)
    with pytest.raises(HuaweiCloudConfigError, match='symbolic link'):
        JsonLinesExport(dest, checksum).write(RECORDS)
    assert target.read_text() == 'not ours\n' and leftovers(tmp_path) == []


@pytest.mark.skipif(not hasattr(os, 'mkfifo'), reason='needs FIFOs')
@pytest.mark.parametrize('name', ['sqls.jsonl', 'sqls.jsonl.sha256'])
def test_a_fifo_is_refused_without_blocking(tmp_path, name):
    os.mkfifo(str(tmp_path / name))
    assert 'is a FIFO' in refusal(tmp_path / 'sqls.jsonl')
    # Nor is one read when compared (nothing writes to it: an open that waited would hang here).
    assert FileState(str(tmp_path / name)).exists is False


def test_a_directory_is_refused(tmp_path):
    (tmp_path / 'sqls.jsonl').mkdir()
    assert 'is a directory' in refusal(tmp_path / 'sqls.jsonl')
    assert 'names a directory' in refusal(str(tmp_path) + '/')
    (tmp_path / 'plain').write_text('')
    assert 'is not a directory' in refusal(tmp_path / 'plain' / 'sqls.jsonl')
    assert 'control character' in refusal(tmp_path / 'a\nb.jsonl')


def test_a_failure_while_writing_leaves_dest_and_no_temporary_file(tmp_path):
    export(tmp_path)
    with pytest.raises(TypeError):
        export(tmp_path, records=RECORDS + [{'id': 'bad', 'value': {1, 2}}])
    assert (tmp_path / 'sqls.jsonl').read_bytes() == expected_bytes(RECORDS)
    assert leftovers(tmp_path) == []


def test_a_record_holding_a_secret_is_scrubbed_exactly_as_ansible_scrubs_a_result(tmp_path):
    secrets = {'S3cr3t-K3y', 'tok"en'}
    records = [dict(RECORDS[0], sql_statement="CREATE USER x IDENTIFIED BY 'S3cr3t-K3y'"),
               dict(RECORDS[1]),
               dict(RECORDS[1], id='c', client_name='tok"en')]

    def scrub(record):
        return remove_values(record, secrets)

    outcome = export(tmp_path, records=records, secrets=secrets, scrub=scrub)
    data = (tmp_path / 'sqls.jsonl').read_bytes()
    assert outcome['scrubbed'] == 2
    assert b'S3cr3t-K3y' not in data and b'tok\\"en' not in data
    scrubbed = remove_values({'sqls': records}, secrets)['sqls']
    assert [json.loads(line) for line in data.decode('utf-8').splitlines()] == scrubbed
    assert data == expected_bytes(scrubbed)
    # A record without any secret is written as it is.
    assert data.splitlines()[1] == expected_bytes([RECORDS[1]]).rstrip(b'\n')


def test_a_lone_surrogate_is_escaped_not_lost(tmp_path):
    export(tmp_path, records=[{'id': 'x', 'sql_statement': u'bad \ud800 text'}])
    line = (tmp_path / 'sqls.jsonl').read_bytes()
    assert line == b'{"id":"x","sql_statement":"bad \\ud800 text"}\n'


def test_large_exports_are_written_in_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(jsonl_evidence, 'WRITE_CHUNK_BYTES', 100)
    records = [dict(RECORDS[1], id='%05d' % number) for number in range(500)]
    export(tmp_path, records=records)
    assert (tmp_path / 'sqls.jsonl').read_bytes() == expected_bytes(records)


def test_checksum_line_escapes_a_backslash_as_sha256sum_does():
    assert checksum_line('ab', 'a.jsonl') == 'ab  a.jsonl\n'
    assert checksum_line('ab', 'a\\b.jsonl') == '\\ab  a\\\\b.jsonl\n'
