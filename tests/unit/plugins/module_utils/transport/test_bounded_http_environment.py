"""The environment's proxy and CA settings, worked out once per scheme, host and verify of a session
(bounded_http._environment_settings): the same as requests' own ``merge_environment_settings``, host by host."""

import os
from unittest import mock

import requests

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport import bounded_http

PROXIES = {'HTTPS_PROXY': 'http://proxy.example:3128', 'HTTP_PROXY': 'http://proxy.example:3128',
           'NO_PROXY': 'direct.example'}


def test_the_settings_are_requests_own_for_each_host():
    session = requests.Session()
    with mock.patch.dict(os.environ, PROXIES):
        for url in ('https://dbss.example/v1/x', 'https://direct.example/v1/x', 'http://dbss.example/v2/y'):
            for verify in (True, False, '/etc/ssl/certs/ca.pem'):
                expected = session.merge_environment_settings(url, {}, True, verify, None)
                assert bounded_http._environment_settings(session, url, verify) == expected
    proxied = bounded_http._environment_settings(session, 'https://dbss.example/other', True)['proxies']
    assert proxied.get('https') == 'http://proxy.example:3128'
    assert 'https' not in bounded_http._environment_settings(session, 'https://direct.example/v1/x', True)['proxies']


def test_requests_reads_the_environment_once_per_host():
    session = requests.Session()
    with mock.patch.object(session, 'merge_environment_settings', wraps=session.merge_environment_settings) as merge:
        for page in range(5):
            bounded_http._environment_settings(session, 'https://dbss.example/v2/p/audit/i/sqls?page=%d' % page, True)
            bounded_http._environment_settings(session, 'https://rds.example/v3/p/instances', True)
    assert merge.call_count == 2
