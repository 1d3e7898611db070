"""Audit log export against a hostile RDS API and hostile object storage (issue "Audit evidence").

Servers are real (tests/support/hostile_server.py on 127.0.0.1); nothing mocks HTTP. Each test checks what is on disk
afterwards, what the servers saw, and what a person is shown.
"""

import collections
import datetime
import hashlib
import json
import os
import subprocess
import sys

import pytest

from hostile_server import HostileServer, drip, endless_body, head, json_reply, raw_reply, redirect

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services import rds_auditlog_export as auditlog_export
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers import evidence_folder as evidence
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.rds_auditlog_export import AuditLogExport, download_timeout
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.client import HuaweiCloudClient
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.config import ClientConfig
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import (
    HuaweiCloudConfigError,
    HuaweiCloudError,
    ResponseShapeError,
)
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.object_storage import ObjectStorageSession

PROJECT = '0' * 32
INSTANCE = 'rds1in01'
LISTING = r'/instances/[^/]+/auditlog$'
LINKS = r'/auditlog-links$'
STORAGE = r'^/obs/'
SIGNATURE = 'SIGNATURE-bearer-secret-0123456789abcdef'
SECRET_KEY = 'SK-very-secret-value-123'
SECURITY_TOKEN = 'security-token-value-xyz-987'
START = datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc)
END = datetime.datetime(2026, 11, 2, tzinfo=datetime.timezone.utc)
API_CREDENTIAL_HEADERS = ('authorization', 'x-auth-token', 'x-security-token', 'x-sdk-date')


def content_of(file_id, length=3000):
    seed = hashlib.sha256(file_id.encode()).digest()
    return (seed * (length // len(seed) + 1))[:length]


def listed(file_id, name=None, length=3000, hour=1):
    return {'id': file_id, 'name': name or 'log-%s' % file_id, 'size': round(length / 1024.0, 6),
            'begin_time': '2026-11-01T%02d:00:00+0000' % hour, 'end_time': '2026-11-01T%02d:59:59+0000' % hour}


class FakeCloud:
    """The RDS listing and links API plus an object store on one hostile server; ``storage`` handlers decide how
    each download goes (by file ID), the rest serve the file whole."""

    def __init__(self, server, files, lengths=None):
        self.server = server
        self.files = files
        self.lengths = lengths or {}
        self.storage = {}
        self.links_asked = []
        server.route('GET', LISTING, json_reply({'auditlogs': files, 'total_record': len(files)}))
        server.route('POST', LINKS, self._links)
        server.route('GET', STORAGE, self._download)

    def _links(self, request, send):
        ids = json.loads(request['body'])['ids']
        self.links_asked.append(ids)
        links = ['%s/obs/%s?Expires=1&Signature=%s-%d' % (self.server.url, file_id, SIGNATURE, len(self.links_asked))
                 for file_id in ids]
        json_reply({'links': links})(request, send)

    def _download(self, request, send):
        file_id = request['path'].rsplit('/', 1)[-1]
        handler = self.storage.get(file_id)
        if handler is not None:
            return handler(request, send)
        data = content_of(file_id, self.lengths.get(file_id, 3000))
        return raw_reply(data, headers={'Content-Type': 'application/octet-stream'}, declared_length='auto')(request, send)

    def downloads(self, file_id=None):
        return [request for request in self.server.requests_to(STORAGE, 'GET')
                if file_id is None or request['path'].endswith('/' + file_id)]


def sequence(*handlers):
    """A storage handler that answers with each of ``handlers`` in turn, then serves the file whole."""
    remaining = list(handlers)

    def pick(_request):
        return remaining.pop(0) if remaining else None

    def handler(request, send):
        chosen = pick(request)
        if chosen is None:
            file_id = request['path'].rsplit('/', 1)[-1]
            chosen = raw_reply(content_of(file_id), declared_length='auto')
        return chosen(request, send)
    return handler


@pytest.fixture
def hostile():
    server = HostileServer().start()
    yield server
    server.stop()


def client_for(server, max_retries=0, **params):
    settings = dict(region='cn-north-4', project_id=PROJECT, max_retries=max_retries,
                    endpoints={'dbss': server.url, 'rds': server.url, 'iam': server.url},
                    access_key='AKHOSTILETEST', secret_key=SECRET_KEY)
    settings.update(params)
    return HuaweiCloudClient(ClientConfig(settings, environ={}), sleep=lambda _seconds: None)


def export(client, dest, check_mode=False, transfer_timeout=30.0, **kwargs):
    storage = ObjectStorageSession.beside(client, transfer_timeout)
    kwargs.setdefault('instance_ids', [INSTANCE])
    job = AuditLogExport(client, storage, str(dest), kwargs.pop('instance_ids'), START, END, check_mode=check_mode,
                         sleep=lambda _seconds: None, **kwargs)
    return job


def run_export(client, dest, **kwargs):
    job = export(client, dest, **kwargs)
    return job.run(), job


def failed_export(client, dest, **kwargs):
    job = export(client, dest, **kwargs)
    with pytest.raises(HuaweiCloudError) as info:
        job.run()
    return info.value, job


def files_under(root):
    return sorted(os.path.relpath(os.path.join(folder, name), root)
                  for folder, _dirs, names in os.walk(root) for name in names)


def sha256sum_check(dest):
    return subprocess.run(['sha256sum', '-c', evidence.CHECKSUMS_NAME], cwd=str(dest), capture_output=True, text=True,
                          check=False)


def manifest_of(dest):
    with open(os.path.join(str(dest), evidence.MANIFEST_NAME), encoding='utf-8') as stream:
        return json.load(stream)


# Layout and names -----------------------------------------------------------------------------------------------

HOSTILE_NAMES = ['../../outside', '/etc/passwd', 'nul\x00byte', 'line\nbreak  other', '..', '.', '.hidden', '',
                 'manifest.json', 'SHA256SUMS', 'x' * 300, 'same/name', 'same_name', 'ok-name_2026.log']


def test_no_listed_name_leaves_dest_and_sha256sum_checks_every_file(hostile, tmp_path):
    files = [listed('f%02d' % index, name, hour=index % 24) for index, name in enumerate(HOSTILE_NAMES)]
    cloud = FakeCloud(hostile, files)
    dest = tmp_path / 'evidence'
    result, job = run_export(client_for(hostile), dest)

    on_disk = files_under(dest)
    assert files_under(tmp_path) == ['evidence/' + path for path in on_disk], 'nothing written outside dest'
    assert len(on_disk) == len(files) + 2 and all('..' not in path.split(os.sep) for path in on_disk)
    assert result['counts']['downloaded'] == len(files)
    paths = [entry['path'] for entry in result['files']]
    assert len(set(paths)) == len(paths), 'two listed names never share a file'
    for entry in result['files']:
        folder, name = entry['path'].split('/')
        assert folder == INSTANCE and name not in ('', '.', '..', 'manifest.json', 'SHA256SUMS')
        assert not name.startswith('.') and len(name) <= evidence.MAX_NAME_LENGTH
        with open(os.path.join(str(dest), folder, name), 'rb') as stream:
            assert stream.read() == content_of(entry['id'])
    assert [entry['name'] for entry in manifest_of(dest)['files']] == [record['name'] for record in files]
    check = sha256sum_check(dest)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count(': OK') == len(files)
    renamed = [warning for warning in job.warnings if 'is saved as' in warning]
    assert len(renamed) == len(HOSTILE_NAMES) - 2  # only 'ok-name_2026.log' and 'same_name' keep their names
    assert all('\n' not in warning and '\x00' not in warning for warning in job.warnings)
    assert len(cloud.links_asked) == 1


def test_an_instance_folder_that_is_a_link_out_of_dest_is_refused_before_any_request(hostile, tmp_path):
    FakeCloud(hostile, [listed('a')])
    outside = tmp_path / 'outside'
    outside.mkdir()
    dest = tmp_path / 'evidence'
    dest.mkdir()
    os.symlink(str(outside), str(dest / INSTANCE))
    with pytest.raises(HuaweiCloudConfigError) as info:
        export(client_for(hostile), dest)
    assert 'is a symbolic link' in str(info.value) and INSTANCE in str(info.value)
    assert hostile.requests == [] and list(outside.iterdir()) == []


def test_dest_may_be_a_link_to_a_directory(hostile, tmp_path):
    FakeCloud(hostile, [listed('a')])
    store = tmp_path / 'store'
    store.mkdir()
    os.symlink(str(store), str(tmp_path / 'evidence'))
    result, _job = run_export(client_for(hostile), tmp_path / 'evidence')
    assert result['counts']['downloaded'] == 1
    assert files_under(store) == [evidence.CHECKSUMS_NAME, evidence.MANIFEST_NAME, INSTANCE + '/log-a']


def test_a_dest_that_is_a_file_is_refused_before_any_request(hostile, tmp_path):
    FakeCloud(hostile, [listed('a')])
    (tmp_path / 'file').write_text('x')
    with pytest.raises(HuaweiCloudConfigError) as info:
        export(client_for(hostile), tmp_path / 'file')
    assert 'exists and is not a directory' in str(info.value)
    assert hostile.requests == []


@pytest.mark.parametrize('value', [0, -1, 86401, float('nan'), float('inf'), True, '10'])
def test_download_timeout_out_of_range_is_refused(value):
    with pytest.raises(HuaweiCloudConfigError) as info:
        download_timeout(value)
    assert str(info.value).startswith('download_timeout must be a number of seconds greater than 0 and at most 86400')


# Credentials and links ------------------------------------------------------------------------------------------

TOKEN_AUTH = dict(access_key=None, secret_key=None, auth_token='MIItoken-' + 'z' * 40)


@pytest.mark.parametrize('auth', [dict(security_token=SECURITY_TOKEN), TOKEN_AUTH])
def test_storage_never_sees_an_api_credential(hostile, tmp_path, auth):
    cloud = FakeCloud(hostile, [listed('a'), listed('b', hour=2)])
    run_export(client_for(hostile, **auth), tmp_path / 'evidence')
    api_requests = hostile.requests_to(LINKS)
    assert api_requests and all(set(API_CREDENTIAL_HEADERS) & set(name.lower() for name in request['headers'])
                                for request in api_requests)
    downloads = cloud.downloads()
    assert len(downloads) == 2
    for request in downloads:
        assert not set(API_CREDENTIAL_HEADERS) & set(name.lower() for name in request['headers']), request['headers']


@pytest.mark.parametrize('links,problem', [
    (lambda url, ids: [url + '/obs/x?Signature=' + SIGNATURE] * (len(ids) + 1), "field 'links' is a list, expected one link"),
    (lambda url, ids: [7 for _id in ids], "field 'links[0]' is not a non-empty string"),
    (lambda url, ids: ['ftp://storage.example/x?Signature=' + SIGNATURE for _id in ids], "is not an https or http URL"),
    (lambda url, ids: ['https://user:' + SIGNATURE + '@storage.example/x' for _id in ids], 'with a user name or password'),
    (lambda url, ids: ['https:///x?Signature=' + SIGNATURE for _id in ids], 'a URL without a host'),
    (lambda url, ids: ['https://storage.example/x?Signature=' + SIGNATURE + '\r\nX-Evil: 1' for _id in ids],
     'spaces or control characters'),
])
def test_links_of_the_wrong_shape_are_an_error_that_never_quotes_them(hostile, tmp_path, links, problem):
    cloud = FakeCloud(hostile, [listed('a')])
    hostile.route('POST', LINKS, lambda request, send: json_reply(
        {'links': links(hostile.url, json.loads(request['body'])['ids'])})(request, send))
    error, _job = failed_export(client_for(hostile), tmp_path / 'evidence')
    message = str(error)
    assert 'RDS POST /v3/{project_id}/instances/{instance_id}/auditlog-links' in message
    assert problem in message and 'request id hostile-request-id' in message
    assert SIGNATURE not in message and 'storage.example' not in message
    assert cloud.downloads() == []
    assert manifest_of(tmp_path / 'evidence')['files'] == []


def test_a_link_never_shows_even_when_storage_echoes_it(hostile, tmp_path):
    cloud = FakeCloud(hostile, [listed('a')])

    def echo(request, send):
        query = '&'.join('%s=%s' % pair for pair in request['query'].items())
        body = '<Error><Code>NoSuchKey</Code><Message>%s?%s</Message></Error>' % (request['path'], query)
        raw_reply(body, status=404, headers={'Content-Type': 'application/xml'}, declared_length='auto')(request, send)
    cloud.storage['a'] = echo
    error, job = failed_export(client_for(hostile), tmp_path / 'evidence')
    text = str(error) + json.dumps(error.result) + ' '.join(job.warnings)
    assert 'HTTP 404 NoSuchKey' in str(error)
    assert SIGNATURE not in text and 'Expires=1' not in text
    assert error.result['files'][0]['status'] == 'failed'
    assert 'log-a (id a, RDS instance %s)' % INSTANCE in str(error)


def test_a_redirect_from_storage_is_not_followed(hostile, tmp_path):
    cloud = FakeCloud(hostile, [listed('a')])
    hostile.route('GET', r'^/elsewhere', json_reply({}))
    cloud.storage['a'] = redirect(hostile.url + '/elsewhere')
    error, _job = failed_export(client_for(hostile, max_retries=3), tmp_path / 'evidence')
    assert 'HTTP 302' in str(error) and 'redirects are not followed' in str(error)
    assert hostile.requests_to(r'^/elsewhere') == [] and len(cloud.downloads('a')) == 1


# Bounds ---------------------------------------------------------------------------------------------------------

def test_a_body_beyond_the_listed_size_and_margin_is_cut_and_leaves_no_file(hostile, tmp_path):
    cloud = FakeCloud(hostile, [listed('a')])
    cloud.storage['a'] = endless_body(chunk=b'x' * 65536, seconds=30)
    dest = tmp_path / 'evidence'
    error, _job = failed_export(client_for(hostile, max_retries=3), dest)
    assert 'sent more than the %d bytes' % (3000 + auditlog_export.SIZE_MARGIN_BYTES) in str(error)
    assert len(cloud.downloads('a')) == 1, 'a body over the bound is not retried'
    assert files_under(dest) == [evidence.CHECKSUMS_NAME, evidence.MANIFEST_NAME], 'no partial or temporary file'


def test_a_declared_length_beyond_the_bound_is_refused_before_reading(hostile, tmp_path):
    cloud = FakeCloud(hostile, [listed('a')])
    cloud.storage['a'] = lambda request, send: send(head(200, {'Content-Type': 'application/octet-stream'},
                                                         length=10 ** 12))
    error, _job = failed_export(client_for(hostile), tmp_path / 'evidence')
    assert 'declares 1000000000000 bytes' in str(error)


def test_a_dripping_transfer_is_cut_at_the_download_timeout(hostile, tmp_path):
    cloud = FakeCloud(hostile, [listed('a')])
    cloud.storage['a'] = drip(interval=0.1, seconds=20, prefix=b'')
    dest = tmp_path / 'evidence'
    error, _job = failed_export(client_for(hostile), dest, transfer_timeout=1.0)
    assert 'no complete file from 127.0.0.1:%d within the download timeout' % hostile.port in str(error)
    assert files_under(dest) == [evidence.CHECKSUMS_NAME, evidence.MANIFEST_NAME]


# Faults and retries ---------------------------------------------------------------------------------------------

def xml_error(status, code, message):
    body = '<?xml version="1.0"?><Error><Code>%s</Code><Message>%s</Message><RequestId>obs-rid-1</RequestId></Error>' % (
        code, message)
    return raw_reply(body, status=status, headers={'Content-Type': 'application/xml'}, declared_length='auto')


def cut_short(request, send):
    file_id = request['path'].rsplit('/', 1)[-1]
    data = content_of(file_id)
    send(head(200, {'Content-Type': 'application/octet-stream'}, length=len(data)) + data[:1000])


def cut_short_without_length(request, send):
    file_id = request['path'].rsplit('/', 1)[-1]
    send(head(200, {'Content-Type': 'application/octet-stream'}) + content_of(file_id)[:1000])


def test_every_fault_is_retried_and_an_expired_link_is_replaced(hostile, tmp_path):
    files = [listed(name, hour=index) for index, name in enumerate('abcd')]
    cloud = FakeCloud(hostile, files)
    cloud.storage['a'] = sequence(cut_short, cut_short_without_length)
    cloud.storage['b'] = sequence(xml_error(403, 'AccessDenied', 'Request has expired'))
    cloud.storage['c'] = sequence(xml_error(503, 'ServiceUnavailable', 'Please try again'))
    cloud.storage['d'] = sequence(lambda _request, _send: None)  # closes without an answer
    client = client_for(hostile, max_retries=3)
    retries = []
    client._log = retries.append
    dest = tmp_path / 'evidence'
    result, _job = run_export(client, dest)
    assert result['counts']['downloaded'] == 4 and result['counts']['failed'] == 0
    for record in files:
        with open(str(dest / INSTANCE / record['name']), 'rb') as stream:
            assert stream.read() == content_of(record['id'])
    assert [len(cloud.downloads(name)) for name in 'abcd'] == [3, 2, 2, 2]
    assert cloud.links_asked == [['a', 'b', 'c', 'd'], ['b']], 'one batch, then a fresh link for the expired one'
    assert len(retries) == 5 and sum('with a new link' in line for line in retries) == 1
    assert not any(SIGNATURE in line for line in retries)
    assert sha256sum_check(dest).returncode == 0


def test_a_file_that_keeps_failing_is_named_once_and_the_others_are_kept(hostile, tmp_path):
    files = [listed(name, hour=index) for index, name in enumerate('abc')]
    cloud = FakeCloud(hostile, files)
    cloud.storage['b'] = xml_error(503, 'ServiceUnavailable', 'Please try again')
    dest = tmp_path / 'evidence'
    error, _job = failed_export(client_for(hostile, max_retries=2), dest)
    message = str(error)
    assert '\n' not in message
    assert message.startswith('audit log file log-b (id b, RDS instance %s): 127.0.0.1:%d answered HTTP 503 '
                              'ServiceUnavailable: Please try again (request id hostile-request-id) (gave up after 2 retries)'
                              % (INSTANCE, hostile.port)), message
    assert '2 verified files are kept and listed in %s' % (dest / 'manifest.json') in message
    assert len(cloud.downloads('b')) == 3
    assert [entry['id'] for entry in manifest_of(dest)['files']] == ['a', 'c']
    assert files_under(dest) == sorted([evidence.CHECKSUMS_NAME, evidence.MANIFEST_NAME, INSTANCE + '/log-a',
                                        INSTANCE + '/log-c'])
    assert [entry['status'] for entry in error.result['files']] == ['downloaded', 'failed', 'downloaded']
    assert error.result['changed'] is True and sha256sum_check(dest).returncode == 0


def test_an_expired_link_that_stays_expired_fails_after_the_retries(hostile, tmp_path):
    cloud = FakeCloud(hostile, [listed('a')])
    cloud.storage['a'] = xml_error(403, 'AccessDenied', 'Request has expired')
    error, _job = failed_export(client_for(hostile, max_retries=2), tmp_path / 'evidence')
    assert 'HTTP 403 AccessDenied: Request has expired' in str(error) and 'gave up after 2 retries' in str(error)
    assert cloud.links_asked == [['a'], ['a'], ['a']]


def test_a_listing_failure_of_one_instance_keeps_the_other_instance(hostile, tmp_path):
    FakeCloud(hostile, [listed('a')])
    hostile.route('GET', r'/instances/broken/auditlog$', json_reply(
        {'error_code': 'DBS.200002', 'error_msg': 'The DB instance does not exist'}, status=404))
    dest = tmp_path / 'evidence'
    error, _job = failed_export(client_for(hostile), dest, instance_ids=[INSTANCE, 'broken'])
    assert 'RDS instance broken' in str(error) and 'HTTP 404 DBS.200002' in str(error)
    assert [entry['path'] for entry in manifest_of(dest)['files']] == [INSTANCE + '/log-a']


def test_a_listed_size_that_is_no_number_is_a_shape_error(hostile, tmp_path):
    record = dict(listed('a'), size='big')
    FakeCloud(hostile, [record])
    error, _job = failed_export(client_for(hostile), tmp_path / 'evidence')
    assert isinstance(error, ResponseShapeError) or "field 'auditlogs[0].size'" in str(error)
    assert "size" in str(error) and 'a number of KB' in str(error)


# Idempotence, check mode, space ---------------------------------------------------------------------------------

def test_a_second_run_fetches_nothing_and_an_altered_file_is_replaced(hostile, tmp_path):
    files = [listed(name, hour=index) for index, name in enumerate('abc')]
    cloud = FakeCloud(hostile, files)
    dest = tmp_path / 'evidence'
    first, _job = run_export(client_for(hostile), dest)
    manifest_bytes = (dest / 'manifest.json').read_bytes()
    assert first['changed'] is True

    second, job = run_export(client_for(hostile), dest)
    assert second['changed'] is False and second['counts']['present'] == 3 and job.warnings == []
    assert len(cloud.downloads()) == 3 and len(cloud.links_asked) == 1
    assert (dest / 'manifest.json').read_bytes() == manifest_bytes

    (dest / INSTANCE / 'log-b').write_bytes(b'forged')
    with open(str(dest / INSTANCE / 'log-c'), 'r+b') as stream:
        stream.seek(10)
        stream.write(b'X')
    third, job = run_export(client_for(hostile), dest)
    assert third['changed'] is True
    assert [entry['status'] for entry in third['files']] == ['present', 'replaced', 'replaced']
    assert any('log-b has 6 bytes, the manifest 3000 (truncated or altered)' in warning for warning in job.warnings)
    assert any('log-c no longer matches its SHA-256' in warning for warning in job.warnings)
    assert cloud.links_asked[-1] == ['b', 'c']
    assert (dest / INSTANCE / 'log-b').read_bytes() == content_of('b')
    assert sha256sum_check(dest).returncode == 0


def test_check_mode_asks_for_no_link_and_writes_nothing(hostile, tmp_path):
    cloud = FakeCloud(hostile, [listed('a'), listed('b', hour=2)])
    dest = tmp_path / 'evidence'
    result, _job = run_export(client_for(hostile), dest, check_mode=True)
    assert result['changed'] is True and result['counts']['would_download'] == 2
    assert cloud.links_asked == [] and cloud.downloads() == [] and not dest.exists()
    assert result['diff']['after'] == '(to be downloaded)  %s/log-a\n(to be downloaded)  %s/log-b\n' % (INSTANCE, INSTANCE)

    run_export(client_for(hostile), dest)
    (dest / INSTANCE / 'log-a').write_bytes(b'forged')
    before = files_under(dest)
    result, _job = run_export(client_for(hostile), dest, check_mode=True)
    assert [entry['status'] for entry in result['files']] == ['would_replace', 'present']
    assert files_under(dest) == before and (dest / INSTANCE / 'log-a').read_bytes() == b'forged'
    assert len(cloud.links_asked) == 1


@pytest.mark.parametrize('check_mode', [False, True])
@pytest.mark.parametrize('files,name_filter', [([], None), ([listed('a', 'other-1')], 'keep-*')])
def test_a_period_with_no_file_warns_changes_nothing_and_leaves_no_checksums(hostile, tmp_path, files, name_filter,
                                                                             check_mode):
    cloud = FakeCloud(hostile, files)
    dest = tmp_path / 'evidence'
    result, job = run_export(client_for(hostile), dest, name_filter=name_filter, check_mode=check_mode)
    assert result['changed'] is False and result['counts']['listed'] == 0 and result['files'] == []
    assert not dest.exists(), 'no empty SHA256SUMS (sha256sum -c rejects one) and no empty manifest'
    assert cloud.links_asked == []
    [warning] = job.warnings
    assert '2026-11-01T00:00:00+0000 to 2026-11-02T00:00:00+0000' in warning and 'keep_days' in warning
    assert ("name_filter 'keep-*'" in warning) is (name_filter is not None)


def test_a_period_with_no_file_leaves_an_earlier_export_alone(hostile, tmp_path):
    FakeCloud(hostile, [listed('a')])
    dest = tmp_path / 'evidence'
    run_export(client_for(hostile), dest)
    before = {path: (dest / path).read_bytes() for path in files_under(dest)}
    hostile.route('GET', LISTING, json_reply({'auditlogs': [], 'total_record': 0}))
    result, job = run_export(client_for(hostile), dest)
    assert result['changed'] is False and len(job.warnings) == 1
    assert {path: (dest / path).read_bytes() for path in files_under(dest)} == before
    assert sha256sum_check(dest).returncode == 0


@pytest.mark.parametrize('check_mode', [True, False])
def test_an_export_beyond_the_large_threshold_is_named_in_a_warning(hostile, tmp_path, monkeypatch, check_mode):
    FakeCloud(hostile, [listed('a'), listed('b', hour=2)])
    # The threshold (10 GiB) lowered to two listed files of 3000 bytes: the files themselves stay small.
    monkeypatch.setattr(auditlog_export, 'LARGE_EXPORT_BYTES', 5000)
    _result, job = run_export(client_for(hostile), tmp_path / 'evidence', check_mode=check_mode)
    [warning] = [warning for warning in job.warnings if 'GiB' in warning]
    assert warning.startswith('this run would fetch 2 files' if check_mode else 'fetching 2 files'), warning
    _result, job = run_export(client_for(hostile), tmp_path / 'evidence', check_mode=check_mode)
    assert [warning for warning in job.warnings if 'GiB' in warning] == ([warning] if check_mode else []), \
        'files already present are not counted'


def test_files_that_do_not_fit_on_disk_are_refused_before_any_link(hostile, tmp_path, monkeypatch):
    cloud = FakeCloud(hostile, [listed('a')])
    # The one stand-in of this file: a full disk cannot be made on demand.
    monkeypatch.setattr(auditlog_export.shutil, 'disk_usage', lambda _path: collections.namedtuple(
        'Usage', 'total used free')(10 ** 9, 10 ** 9 - 100, 100))
    error, _job = failed_export(client_for(hostile), tmp_path / 'evidence')
    assert 'has only 100 bytes free; nothing was fetched' in str(error)
    assert cloud.links_asked == [] and not (tmp_path / 'evidence').exists()


def test_name_filter_selects_files_by_shell_pattern(hostile, tmp_path):
    cloud = FakeCloud(hostile, [listed('a', 'keep-1'), listed('b', 'drop-1', hour=2), listed('c', 'keep-2', hour=3)])
    result, _job = run_export(client_for(hostile), tmp_path / 'evidence', name_filter='keep-*')
    assert [entry['name'] for entry in result['files']] == ['keep-1', 'keep-2']
    assert cloud.links_asked == [['a', 'c']]
    assert manifest_of(tmp_path / 'evidence')['name_filter'] == 'keep-*'


# Memory ---------------------------------------------------------------------------------------------------------

BIG_FILE_BYTES = 192 * 1024 * 1024  # 192 times the 1 MiB chunk
_BLOCK = hashlib.sha256(b'big').digest() * (1024 * 1024 // 32)

_EXPORT_ONE_FILE = r'''
import datetime, json, resource, sys
sys.path.insert(0, sys.argv[1])
import hwtest_support  # noqa: F401
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.rds_auditlog_export import AuditLogExport
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.client import HuaweiCloudClient
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.config import ClientConfig
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.object_storage import ObjectStorageSession
url, dest = sys.argv[2], sys.argv[3]
config = ClientConfig(dict(region='cn-north-4', project_id='0' * 32, access_key='AK', secret_key='SK-secret',
                           endpoints={'dbss': url, 'rds': url, 'iam': url}), environ={})
client = HuaweiCloudClient(config)
utc = datetime.timezone.utc
job = AuditLogExport(client, ObjectStorageSession(30.0, 600.0), dest, ['big1in01'],
                     datetime.datetime(2026, 11, 1, tzinfo=utc), datetime.datetime(2026, 11, 2, tzinfo=utc))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
result = job.run()
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({'before_kib': before, 'peak_kib': after, 'file': result['files'][0]}))
'''


def big_file(_request, send):
    if not send(head(200, {'Content-Type': 'application/octet-stream'}, length=BIG_FILE_BYTES)):
        return
    for _index in range(BIG_FILE_BYTES // len(_BLOCK)):
        if not send(_BLOCK):
            return


def test_memory_stays_flat_for_a_file_far_larger_than_a_chunk(hostile, tmp_path):
    cloud = FakeCloud(hostile, [listed('big', 'big-log', length=BIG_FILE_BYTES)])
    cloud.storage['big'] = big_file
    import hwtest_support  # pylint: disable=import-outside-toplevel
    process = subprocess.run([sys.executable, '-c', _EXPORT_ONE_FILE, hwtest_support.SUPPORT_DIR, hostile.url, str(tmp_path / 'ev')],
                             capture_output=True, text=True, timeout=300, check=False)
    assert process.returncode == 0, process.stderr[-3000:]
    figures = json.loads(process.stdout.strip().splitlines()[-1])
    expected = hashlib.sha256()
    for _index in range(BIG_FILE_BYTES // len(_BLOCK)):
        expected.update(_BLOCK)
    assert figures['file']['bytes'] == BIG_FILE_BYTES and figures['file']['sha256'] == expected.hexdigest()
    growth_mib = (figures['peak_kib'] - figures['before_kib']) / 1024.0
    # A few chunks in flight (socket buffers, one chunk being written and hashed), never the file.
    assert growth_mib < 32, 'peak memory grew by %.1f MiB for a %d MiB file' % (growth_mib, BIG_FILE_BYTES >> 20)


def test_a_link_request_that_fails_is_not_repeated_for_every_file_of_its_batch(hostile, tmp_path):
    files = [listed('f%02d' % index, hour=index) for index in range(12)]
    cloud = FakeCloud(hostile, files)
    hostile.route('POST', LINKS, json_reply({'error_code': 'DBS.280343', 'error_msg': 'No permission'}, status=403))
    error, _job = failed_export(client_for(hostile, max_retries=3), tmp_path / 'evidence', max_workers=4)
    assert len(hostile.requests_to(LINKS)) == 1 and cloud.downloads() == []
    assert str(error).startswith('12 audit log files failed: ')
    assert 'HTTP 403 DBS.280343: No permission' in str(error)
    assert manifest_of(tmp_path / 'evidence')['files'] == []


def test_the_storage_session_has_the_timeout_and_trust_of_the_api_client(hostile):
    """rds_auditlog_download builds its storage session through the client's public settings, not its config."""
    client = client_for(hostile, timeout=7, validate_certs=False)
    storage = ObjectStorageSession.beside(client, 90.0, pool_size=2)
    try:
        assert (storage.timeout, storage.verify, storage.transfer_timeout) == (7, False, 90.0)
        assert client.connection_settings() == (7, False)
    finally:
        storage.close()


def test_plain_http_links_are_allowed_only_beside_a_plain_http_endpoint(hostile):
    assert client_for(hostile).serves_plain_http('rds') is True
    https = client_for(hostile, endpoints={'dbss': 'https://dbss.example', 'rds': 'https://rds.example',
                                           'iam': 'https://iam.example'})
    assert https.serves_plain_http('rds') is False
