"""The dbss inventory plugin's checks before any request, its cache key and its handling of a bad cache entry:
loaded by Ansible's plugin loader, parsed into a real InventoryData, over real HTTP to the simulator."""

import json
from unittest import mock

import pytest

from ansible.errors import AnsibleError
from ansible.plugins.loader import inventory_loader

from hwtest_support import parse_dbss_inventory, sim_requests

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss import INSTANCE_STATUSES

LIST = r'/audit/instances$'


def parse(sim, tmp_path, config, environ=None, cache=True, name='fleet.dbss.yml'):
    """One inventory run with only the simulator's endpoints and AK/SK (unless ``environ`` overrides them)."""
    return parse_dbss_inventory(sim, tmp_path / name, config, environ=environ, cache=cache)


def dbss_ids(inventory):
    return sorted(host.vars['dbss_id'] for host in inventory.hosts.values())


def seeded_ids(sim, region):
    return sorted(instance['id'] for instance in sim.data.regions[region].instances)


@pytest.fixture
def cached(tmp_path):
    cache_dir = tmp_path / 'cache'
    return cache_dir, 'cache: true\ncache_plugin: ansible.builtin.jsonfile\ncache_connection: %s\n' % cache_dir


# Item 9: the cache key covers everything that changes the answer, never a secret.

def test_region_option_is_part_of_the_cache_key(sim, tmp_path, cached):
    _cache_dir, cache = cached
    first = parse(sim, tmp_path, 'region: cn-north-4\n' + cache)
    second = parse(sim, tmp_path, 'region: cn-east-3\n' + cache)
    assert dbss_ids(first) == seeded_ids(sim, 'cn-north-4')
    assert dbss_ids(second) == seeded_ids(sim, 'cn-east-3'), 'another region must not be served the old hosts'
    assert len(sim_requests(sim, LIST)) == 2


def test_region_from_the_environment_is_part_of_the_cache_key(sim, tmp_path, cached):
    _cache_dir, cache = cached
    parse(sim, tmp_path, cache)
    second = parse(sim, tmp_path, cache, environ={'HW_REGION_NAME': 'cn-east-3'})
    assert dbss_ids(second) == seeded_ids(sim, 'cn-east-3')


def test_another_access_key_is_not_served_the_cached_hosts(sim, tmp_path, cached):
    _cache_dir, cache = cached
    parse(sim, tmp_path, cache)
    sent = len(sim.requests)
    with pytest.raises(AnsibleError) as info:
        parse(sim, tmp_path, cache, environ={'HW_ACCESS_KEY': 'SOMEONEELSESACCESSKEY'})
    assert 'HTTP 401 APIGW.0301' in str(info.value)
    assert len(sim.requests) > sent, 'the other access key must be asked, not served the cache'


def test_another_user_or_account_is_not_served_the_cached_hosts(sim, tmp_path, cached):
    _cache_dir, cache = cached
    password = {'HW_ACCESS_KEY': None, 'HW_SECRET_KEY': None, 'HW_USER_NAME': sim.credentials['user_name'],
                'HW_USER_PASSWORD': sim.credentials['password'], 'HW_DOMAIN_NAME': sim.credentials['domain_name']}
    parse(sim, tmp_path, cache, environ=password)
    parse(sim, tmp_path, cache, environ=password)
    assert len(sim_requests(sim, LIST)) == 1
    for changed in ({'HW_USER_NAME': 'another-user'}, {'HW_DOMAIN_NAME': 'another-domain'}):
        with pytest.raises(AnsibleError):
            parse(sim, tmp_path, cache, environ=dict(password, **changed))
    assert len(sim_requests(sim, r'^/v3/auth/tokens$')) == 3


def test_endpoint_from_the_environment_is_part_of_the_cache_key(sim, tmp_path, cached):
    _cache_dir, cache = cached
    parse(sim, tmp_path, cache + 'max_retries: 0\n')
    with pytest.raises(AnsibleError) as info:
        parse(sim, tmp_path, cache + 'max_retries: 0\n', environ={'HW_DBSS_ENDPOINT': 'http://127.0.0.1:9'})
    assert 'connection to 127.0.0.1:9 failed' in str(info.value)


def test_a_changed_secret_alone_still_hits_and_no_secret_is_in_the_cache(sim, tmp_path, cached):
    """The key is built from the identity (access key ID), never from a secret: a secret is neither hashed into
    the key nor stored."""
    cache_dir, cache = cached
    parse(sim, tmp_path, cache)
    parse(sim, tmp_path, cache, environ={'HW_SECRET_KEY': 'rotated-secret-key-value'})
    assert len(sim_requests(sim, LIST)) == 1
    stored = ''.join(path.name + path.read_text() for path in cache_dir.iterdir())
    assert sim.credentials['secret_key'] not in stored and sim.credentials['access_key'] not in stored


def test_token_auth_identity_is_not_the_token(sim, tmp_path, cached):
    """With auth_token the key holds project_id / user_name / domain_name: a new token of the same project hits."""
    _cache_dir, cache = cached
    project = sim.data.regions['cn-north-4'].project_id
    token_env = {'HW_ACCESS_KEY': None, 'HW_SECRET_KEY': None, 'HW_PROJECT_ID': project}
    parse(sim, tmp_path, cache, environ=dict(token_env, HW_AUTH_TOKEN=sim.issue_token('cn-north-4')))
    parse(sim, tmp_path, cache, environ=dict(token_env, HW_AUTH_TOKEN=sim.issue_token('cn-north-4')))
    assert len(sim_requests(sim, LIST)) == 1
    east = dict(token_env, HW_PROJECT_ID=sim.data.regions['cn-east-3'].project_id, HW_REGION_NAME='cn-east-3',
                HW_AUTH_TOKEN=sim.issue_token('cn-east-3'))
    assert dbss_ids(parse(sim, tmp_path, cache, environ=east)) == seeded_ids(sim, 'cn-east-3')


# Item 23: a cache entry of the wrong shape is a miss, refreshed, with a warning.

@pytest.mark.parametrize('content', ['{"not": "a list"}', '[]', '[{"region": "cn-north-4"}]',
                                     '[{"region": "cn-north-4", "project_id": "p", "instances": "x"}]',
                                     '[{"region": "cn-east-3", "project_id": "p", "instances": []}]',
                                     '[{"region": "cn-north-4", "project_id": "p", "instances": [1]}]',
                                     'not json at all {'])
def test_a_hand_edited_cache_is_a_miss_and_is_refreshed(sim, tmp_path, cached, content):
    cache_dir, cache = cached
    parse(sim, tmp_path, cache)
    (entry,) = list(cache_dir.iterdir())
    if '__payload__' in entry.read_text() and content.startswith(('[', '{')):
        # ansible-core 2.19 wraps the entry (an unwrapped one is a silent miss there): edit inside the wrapping.
        content = json.dumps({'__payload__': content})
    entry.write_text(content)
    with mock.patch('ansible.utils.display.Display.warning') as warning:
        inventory = parse(sim, tmp_path, cache)
    assert dbss_ids(inventory) == seeded_ids(sim, 'cn-north-4')
    assert len(sim_requests(sim, LIST)) == 2
    assert any('hwcloud.dbaudit.dbss: the inventory cache' in str(call) for call in warning.call_args_list)
    # Refreshed: the next run is a hit again.
    assert dbss_ids(parse(sim, tmp_path, cache)) == seeded_ids(sim, 'cn-north-4')
    assert len(sim_requests(sim, LIST)) == 2
    assert sim.data.regions['cn-north-4'].instances[0]['id'] in entry.read_text()


def test_a_cache_payload_that_is_not_json_is_a_miss(sim, tmp_path, cached):
    cache_dir, cache = cached
    parse(sim, tmp_path, cache)
    (entry,) = list(cache_dir.iterdir())
    entry.write_text(json.dumps({'__payload__': 'not json {'}))
    with mock.patch('ansible.utils.display.Display.warning') as warning:
        assert dbss_ids(parse(sim, tmp_path, cache)) == seeded_ids(sim, 'cn-north-4')
    assert len(sim_requests(sim, LIST)) == 2
    assert dbss_ids(parse(sim, tmp_path, cache)) == seeded_ids(sim, 'cn-north-4')
    assert len(sim_requests(sim, LIST)) == 2


def test_a_partial_answer_is_not_cached(sim, tmp_path, cached):
    _cache_dir, cache = cached
    east = sim.data.regions['cn-east-3'].project_id
    sim.add_fault('status', path='/v1/%s/audit/instances$' % east, status=403, error_code='DBSS.10010003', times=1)
    config = 'regions: [cn-north-4, cn-east-3]\nfail_on_errors: false\n' + cache
    assert dbss_ids(parse(sim, tmp_path, config)) == seeded_ids(sim, 'cn-north-4')
    both = parse(sim, tmp_path, config)
    assert dbss_ids(both) == sorted(seeded_ids(sim, 'cn-north-4') + seeded_ids(sim, 'cn-east-3'))


# Items 24 and 25: unknown options and values, and every check before the first request.

@pytest.mark.parametrize('config,fragment', [
    ('foo: bar\n', 'unknown option(s) foo; allowed options are '),
    ('filter:\n  status: [ACTIVE]\n', 'unknown option(s) filter (did you mean filters?)'),
    ('filters:\n  status: [RUNNING]\n', "filters.status must be one or more of %s, got 'RUNNING'"
     % ', '.join(INSTANCE_STATUSES)),
    ('filters:\n  status: []\n', 'filters.status must be one or more of ACTIVE'),
    ('filters:\n  zone: [{a: 1}]\n', "filters.zone must be a list of non-empty strings, got {'a': 1}"),
    ('filters:\n  name: [a]\n', "filters.name must be a regular expression (a string), got ['a']"),
    ('filters:\n  state: [ACTIVE]\n', 'filters: unknown key(s) state; allowed keys are name, status, vpc_id, zone'),
    ('hostnames: [name, ip]\n', 'hostnames must be a non-empty list of name, id, connect_ip, got ip'),
    ('hostvars_prefix: "bad-prefix"\n', "hostvars_prefix must start a valid variable name"),
    ('hostvars_prefix: "dbss_\\n"\n', "hostvars_prefix must start a valid variable name"),
    ('regions: [cn-north-4, ""]\n', "regions must be region names such as cn-north-4, got ''"),
    ('regions: [cn-north-4, " cn-east-3"]\n', "regions must be region names such as cn-north-4, got ' cn-east-3'"),
    ('region: ""\n', 'set regions (a list) or region (or HW_REGION_NAME)'),
    ('concurrency: 0\n', 'concurrency must be between 1 and 64'),
    ('endpoints:\n  dbss: ftp://example.com\n', 'region cn-north-4: endpoints.dbss: not an http or https URL'),
])
def test_bad_options_fail_before_any_request(sim, tmp_path, config, fragment):
    environ = {'HW_REGION_NAME': None} if config.startswith('region:') else None
    with pytest.raises(AnsibleError) as info:
        parse(sim, tmp_path, config, environ=environ)
    message = str(info.value)
    assert fragment in message
    assert '\n' not in message.strip()
    assert sim.requests == [], 'nothing may be sent before the options are valid'


def test_allowed_options_are_listed_sorted(sim, tmp_path):
    with pytest.raises(AnsibleError) as info:
        parse(sim, tmp_path, 'foo: bar\n')
    allowed = str(info.value).split('allowed options are ')[1].split(', ')
    assert allowed == sorted(allowed) and 'filters' in allowed and 'regions' in allowed


def test_a_bad_second_region_fails_before_the_first_is_requested(sim, tmp_path):
    """The credentials of every region are checked before the first request, not region by region."""
    with pytest.raises(AnsibleError) as info:
        parse(sim, tmp_path, 'regions: [cn-north-4, cn-east-3]\n', environ={'HW_SECRET_KEY': None})
    assert 'region cn-north-4: access_key and secret_key go together' in str(info.value)
    assert sim.requests == []


# Item 26: duplicate regions; a file name without the suffix.

def test_duplicate_regions_are_listed_once_also_with_project_id(sim, tmp_path):
    project = sim.data.regions['cn-north-4'].project_id
    inventory = parse(sim, tmp_path, 'regions: [cn-north-4, cn-north-4]\nproject_id: %s\n' % project)
    assert dbss_ids(inventory) == seeded_ids(sim, 'cn-north-4')
    assert len(sim_requests(sim, LIST)) == 1
    assert sim_requests(sim, r'^/v3/projects$') == []


def test_a_file_without_the_suffix_says_which_is_needed(tmp_path):
    plugin = inventory_loader.get('hwcloud.dbaudit.dbss')
    path = tmp_path / 'prod.yml'
    path.write_text('# audit instances\nplugin: "hwcloud.dbaudit.dbss"  # ours\nregion: cn-north-4\n')
    with mock.patch('ansible.utils.display.Display.warning') as warning:
        assert plugin.verify_file(str(path)) is False
    (call,) = warning.call_args_list
    assert str(path) in call.args[0] and 'the file name must end with dbss.yml or dbss.yaml' in call.args[0]
    other = tmp_path / 'other.yml'
    other.write_text('plugin: amazon.aws.aws_ec2\n')
    with mock.patch('ansible.utils.display.Display.warning') as warning:
        assert plugin.verify_file(str(other)) is False
    assert warning.call_args_list == []


# Secrets: a failing region's message never holds the secret key.

def test_wrong_secret_key_fails_the_region_without_showing_it(sim, tmp_path):
    wrong = 'my-wrong-but-real-looking-secret-0123456789'
    with pytest.raises(AnsibleError) as info:
        parse(sim, tmp_path, 'regions: [cn-north-4, cn-east-3]\n', environ={'HW_SECRET_KEY': wrong})
    assert 'HTTP 401 APIGW.0301' in str(info.value) and 'region cn-' in str(info.value)
    assert wrong not in str(info.value)
    with mock.patch('ansible.utils.display.Display.warning') as warning, \
            mock.patch('ansible.utils.display.Display.vvv') as vvv:
        parse(sim, tmp_path, 'regions: [cn-north-4, cn-east-3]\nfail_on_errors: false\n',
              environ={'HW_SECRET_KEY': wrong})
    shown = ' '.join(str(call) for call in warning.call_args_list + vvv.call_args_list)
    assert 'skipped region cn-north-4' in shown and 'skipped region cn-east-3' in shown
    assert wrong not in shown
