"""Issue 20 (second hardening round), items 1, 4, 6 and 7: the evidence folder is hostile.

Real files, symbolic links, hard links and FIFOs in a temporary folder; the real export runs against a hostile
server on 127.0.0.1. Every run that could block runs in a thread joined with a timeout.
"""

import os
import threading

import pytest

from test_auditlog_export import (
    INSTANCE,
    FakeCloud,
    client_for,
    content_of,
    export,
    files_under,
    listed,
    manifest_of,
    run_export,
    sha256sum_check,
)
# The hostile server fixture of the export's tests.
from test_auditlog_export import hostile  # noqa: F401  pylint: disable=unused-import

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers import evidence_folder as evidence
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudConfigError, HuaweiCloudError

SECRET = 'root:x:0:0:the controller secret that must never be shown\n'
NO_BLOCK_SECONDS = 20


def within_timeout(action):
    """``(outcome, error)`` of ``action()`` run in a thread; fails the test when it is still running after
    ``NO_BLOCK_SECONDS`` (an open that blocks on a FIFO)."""
    box = {}

    def target():
        try:
            box['outcome'] = action()
        except BaseException as error:  # pylint: disable=broad-except
            box['error'] = error
    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(NO_BLOCK_SECONDS)
    assert not worker.is_alive(), 'the export blocked for more than %d seconds' % NO_BLOCK_SECONDS
    return box.get('outcome'), box.get('error')


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / 'controller-secret'
    path.write_text(SECRET)
    return path


def shown(result, job):
    """Everything a person is shown: the result (its diff too) and the warnings."""
    return repr(result) + repr(job.warnings)


# Item 1: a symbolic link planted as SHA256SUMS (or manifest.json) is never read ---------------------------------

@pytest.mark.parametrize('check_mode', [True, False])
@pytest.mark.parametrize('planted', [evidence.CHECKSUMS_NAME, evidence.MANIFEST_NAME])
def test_item1_a_symlink_planted_in_dest_is_never_read_nor_returned(hostile, tmp_path, secret_file, planted, check_mode):
    FakeCloud(hostile, [listed('a')])
    dest = tmp_path / 'evidence'
    dest.mkdir()
    os.symlink(str(secret_file), str(dest / planted))
    result, job = run_export(client_for(hostile), dest, check_mode=check_mode)
    assert 'controller secret' not in shown(result, job)
    assert result['diff']['before'] == ''
    assert any(str(dest / planted) in warning and 'is a symbolic link' in warning for warning in job.warnings)
    assert secret_file.read_text() == SECRET, 'the file the link pointed to is never written'
    if check_mode:
        assert os.path.islink(str(dest / planted))
    else:
        assert not os.path.islink(str(dest / planted)), 'the link is replaced by a regular file'
        assert sha256sum_check(dest).returncode == 0


def test_item1_a_hard_link_or_another_users_file_is_not_ours(tmp_path, secret_file):
    dest = tmp_path / 'evidence'
    dest.mkdir()
    os.link(str(secret_file), str(dest / evidence.CHECKSUMS_NAME))
    text, problem = evidence.read_own_text(str(dest / evidence.CHECKSUMS_NAME))
    assert text is None and problem == 'is a hard link (the file has 2 names)'


def test_item1_an_oversized_manifest_is_not_read(tmp_path):
    path = tmp_path / evidence.MANIFEST_NAME
    path.write_text('{"files": []}' + ' ' * 100)
    assert evidence.read_own_text(str(path), max_bytes=50) == (None, 'is larger than 50 bytes')
    assert evidence.read_own_text(str(path), max_bytes=200)[0].startswith('{"files": []}')
    entries, warning = evidence.read_manifest(str(tmp_path))
    assert entries == {} and warning is None


def test_item1_a_regular_sha256sums_of_ours_is_still_the_diff_before(hostile, tmp_path):
    FakeCloud(hostile, [listed('a')])
    dest = tmp_path / 'evidence'
    first, _job = run_export(client_for(hostile), dest)
    second, job = run_export(client_for(hostile), dest, check_mode=True)
    assert second['diff']['before'] == (dest / evidence.CHECKSUMS_NAME).read_text() != ''
    assert first['changed'] and not second['changed'] and job.warnings == []


# Item 4: two exported files never share a path -------------------------------------------------------------------

def test_item4_two_exported_files_never_share_a_path(hostile, tmp_path):
    # The case: log_2 (id 1), log (id 5), log (id 2); the rename of the second 'log' to log_2 is taken.
    files = [listed('1', 'log_2', hour=1), listed('5', 'log', hour=2), listed('2', 'log', hour=3),
             listed('9', 'LOG', hour=4), listed('7', 'log_2_2', hour=5), listed('8', 'SHA256SUMS', hour=6)]
    FakeCloud(hostile, files)
    dest = tmp_path / 'evidence'
    result, _job = run_export(client_for(hostile), dest)
    paths = [entry['path'] for entry in result['files']]
    assert len(set(path.lower() for path in paths)) == len(files), paths
    for entry in result['files']:
        assert (dest / entry['path']).read_bytes() == content_of(entry['id'])
    check = sha256sum_check(dest)
    assert check.returncode == 0 and check.stdout.count(': OK') == len(files), check.stdout + check.stderr
    again, _job = run_export(client_for(hostile), dest)
    assert again['changed'] is False and again['counts']['present'] == len(files)


def test_item4_layout_keeps_every_path_free_whatever_the_order():
    layout = evidence.Layout('/dest')
    names = [('1', 'log_2'), ('5', 'log'), ('2', 'log'), ('3', 'log_2'), ('2', 'log_2_2'), ('4', 'manifest.json'),
             ('6', 'MANIFEST.JSON')]
    paths = [layout.place('inst', file_id, name)[0] for file_id, name in names]
    assert len(set(path.lower() for path in paths)) == len(names), paths
    assert paths[:3] == ['inst/log_2', 'inst/log', 'inst/log_2_2']


# Item 6: a FIFO planted as manifest.json or SHA256SUMS never blocks ----------------------------------------------

@pytest.mark.parametrize('check_mode', [True, False])
@pytest.mark.parametrize('planted', [evidence.CHECKSUMS_NAME, evidence.MANIFEST_NAME])
def test_item6_a_fifo_planted_in_dest_never_blocks(hostile, tmp_path, planted, check_mode):
    FakeCloud(hostile, [listed('a')])
    dest = tmp_path / 'evidence'
    dest.mkdir()
    os.mkfifo(str(dest / planted))
    (result, job), error = within_timeout(lambda: run_export(client_for(hostile), dest, check_mode=check_mode))
    assert error is None
    assert any(str(dest / planted) in warning and 'is a FIFO' in warning for warning in job.warnings)
    if not check_mode:
        assert result['counts']['downloaded'] == 1 and sha256sum_check(dest).returncode == 0


def test_item6_a_fifo_planted_as_an_exported_file_never_blocks(hostile, tmp_path):
    FakeCloud(hostile, [listed('a')])
    dest = tmp_path / 'evidence'
    run_export(client_for(hostile), dest)
    os.unlink(str(dest / INSTANCE / 'log-a'))
    os.mkfifo(str(dest / INSTANCE / 'log-a'))
    (result, job), error = within_timeout(lambda: run_export(client_for(hostile), dest))
    assert error is None and [entry['status'] for entry in result['files']] == ['replaced']
    assert any('log-a is missing' in warning for warning in job.warnings)
    assert (dest / INSTANCE / 'log-a').read_bytes() == content_of('a')


def test_item6_read_own_text_of_a_fifo_returns_at_once(tmp_path):
    os.mkfifo(str(tmp_path / 'fifo'))
    outcome, error = within_timeout(lambda: evidence.read_own_text(str(tmp_path / 'fifo')))
    assert error is None and outcome == (None, 'is a FIFO')


# Item 7: file-system errors name the path, keep the verified files and still write what can be written ------------

def test_item7_a_dangling_symlink_as_dest_is_refused_before_any_request(hostile, tmp_path):
    FakeCloud(hostile, [listed('a')])
    os.symlink(str(tmp_path / 'gone'), str(tmp_path / 'evidence'))
    with pytest.raises(HuaweiCloudConfigError) as info:
        export(client_for(hostile), tmp_path / 'evidence')
    message = str(info.value)
    assert message.startswith("dest: '%s' is a symbolic link to '%s', which does not exist"
                              % (tmp_path / 'evidence', tmp_path / 'gone'))
    assert 'create that directory' in message and '[Errno' not in message
    assert hostile.requests == []


@pytest.mark.parametrize('blocked', [evidence.MANIFEST_NAME, evidence.CHECKSUMS_NAME])
def test_item7_a_directory_where_the_manifest_goes_keeps_every_verified_file(hostile, tmp_path, blocked):
    files = [listed('a', hour=1), listed('b', hour=2)]
    FakeCloud(hostile, files)
    dest = tmp_path / 'evidence'
    dest.mkdir()
    (dest / blocked).mkdir()
    job = export(client_for(hostile), dest)
    with pytest.raises(HuaweiCloudError) as info:
        job.run()
    message = str(info.value)
    assert "cannot write '%s' (Is a directory); remove or rename what is at that path" % (dest / blocked) in message
    assert '[Errno' not in message and '2 verified files are kept' in message
    result = info.value.result
    assert [entry['status'] for entry in result['files']] == ['downloaded', 'downloaded']
    assert all(entry['sha256'] and entry['bytes'] == 3000 for entry in result['files'])
    other = evidence.CHECKSUMS_NAME if blocked == evidence.MANIFEST_NAME else evidence.MANIFEST_NAME
    assert (dest / other).is_file(), 'the other index is still written'
    if other == evidence.MANIFEST_NAME:
        assert [entry['id'] for entry in manifest_of(dest)['files']] == ['a', 'b']
    else:
        assert sha256sum_check(dest).returncode == 0
    assert sorted(files_under(dest / INSTANCE)) == ['log-a', 'log-b']
