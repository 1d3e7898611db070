"""ansible-inventory with the hwcloud.dbaudit.dbss plugin against the simulator (two regions)."""

import json
import os
import re
import subprocess
import sys

import pytest

from hwtest_support import REPO_ROOT, sim_requests

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss import normalize_audit_instance

# The inventory plugin: ansible-inventory's output, its cache and constructed options differ between ansible-core
# lines (docs/contributing.md, "Tests").
pytestmark = pytest.mark.all_core_lines

BIN_DIR = os.path.dirname(os.path.abspath(sys.executable))
REGIONS = ('cn-north-4', 'cn-east-3')
LIST = r'/audit/instances$'


def safe(name):
    return ''.join(char if char.isalnum() or char == '_' else '_' for char in name)


@pytest.fixture
def inventory(sim, ansible_env, tmp_path):
    # As in AWX inventory updates, a source that fails to parse fails the command (Ansible only warns by default).
    env = dict(ansible_env, HW_ACCESS_KEY=sim.credentials['access_key'], HW_SECRET_KEY=sim.credentials['secret_key'],
               ANSIBLE_INVENTORY_UNPARSED_FAILED='true')
    env.pop('HW_REGION_NAME')

    def run(config, *args, extra_env=None, name='test.dbss.yml'):
        path = tmp_path / name
        path.write_text(config)
        command = [os.path.join(BIN_DIR, 'ansible-inventory'), '-i', str(path)] + list(args or ['--list'])
        process = subprocess.run(command, env=dict(env, **(extra_env or {})), capture_output=True, text=True,
                                 timeout=300, check=False)
        return process
    return run


def listed(process):
    assert process.returncode == 0, process.stdout + process.stderr
    data = json.loads(process.stdout)
    return data, data['_meta']['hostvars']


def plain(value):
    """ansible-inventory marks values from inventory plugins as untrusted; the test compares the values."""
    if isinstance(value, dict):
        return value.get('__ansible_unsafe', value) if '__ansible_unsafe' in value else dict(
            (key, plain(item)) for key, item in value.items())
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def members(data, group):
    return set(data.get(group, {}).get('hosts', []))


def seeded(sim):
    return [(region, normalize_audit_instance(raw)) for region in REGIONS for raw in sim.data.regions[region].instances]


def test_two_regions_hosts_vars_and_default_groups(sim, inventory):
    data, hostvars = listed(inventory('plugin: hwcloud.dbaudit.dbss\nregions: [cn-north-4, cn-east-3]\n'))
    fleet = seeded(sim)
    assert len(hostvars) == len(fleet)
    by_id = dict((plain(variables['dbss_id']), (host, plain(variables))) for host, variables in hostvars.items())
    names = [instance['name'] for _region, instance in fleet]
    for region, instance in fleet:
        host, variables = by_id[instance['id']]
        assert host == (instance['name'] if names.count(instance['name']) == 1 else instance['id'])
        for key, value in instance.items():
            assert variables['dbss_' + key] == value
        assert variables['dbss_region'] == region
        assert variables['dbss_project_id'] == sim.data.regions[region].project_id
        assert variables['ansible_host'] == instance['connect_ip']
        assert 'name' not in variables and 'status' not in variables
        for group in ('dbss', 'region_' + safe(region), 'status_' + instance['status'], 'zone_' + safe(instance['zone']),
                      'vpc_' + safe(instance['vpc_id'])):
            assert host in members(data, group), (host, group)
    assert 'zone_cn_north_4a' in data
    assert len([name for name in names if names.count(name) > 1]) >= 2, 'seed has a shared name'
    # One list request per region (24 instances fit one page) and one project look-up per region.
    assert len(sim_requests(sim, LIST)) == 2
    assert len(sim_requests(sim, r'^/v3/projects$')) == 2


def test_graph(sim, inventory):
    process = inventory('plugin: hwcloud.dbaudit.dbss\nregions: [cn-north-4, cn-east-3]\n', '--graph')
    assert process.returncode == 0, process.stderr
    for group in ('@dbss:', '@region_cn_north_4:', '@region_cn_east_3:', '@status_ACTIVE:', '@status_SHUTOFF:'):
        assert group in process.stdout


def test_filters_hostnames_and_prefix(sim, inventory):
    config = ('plugin: hwcloud.dbaudit.dbss\nregion: cn-north-4\nhostnames: [connect_ip, id]\nhostvars_prefix: audit_\n'
              'default_groups: false\nfilters:\n  status: [ACTIVE, FROZEN]\n  name: "-00[0-1][0-9]$"\n')
    data, hostvars = listed(inventory(config))
    expected = [instance for region, instance in seeded(sim) if region == 'cn-north-4'
                and instance['status'] in ('ACTIVE', 'FROZEN') and re.search('-00[0-1][0-9]$', instance['name'])]
    assert sorted(hostvars) == sorted(instance['connect_ip'] for instance in expected)
    assert all('audit_status' in variables and 'dbss_status' not in variables for variables in hostvars.values())
    assert 'dbss' not in data and not any(group.startswith('status_') for group in data)


def test_constructed_options(sim, inventory):
    config = ('plugin: hwcloud.dbaudit.dbss\nregion: cn-north-4\nstrict: true\n'
              'compose:\n  audit_version: dbss_version\n  billing: dbss_charge_model | lower\n'
              'groups:\n  needs_upgrade: dbss_new_version is not none\n'
              'keyed_groups:\n  - key: dbss_charge_model\n    prefix: billing\n')
    data, hostvars = listed(inventory(config))
    fleet = [instance for region, instance in seeded(sim) if region == 'cn-north-4']
    by_id = dict((plain(variables['dbss_id']), host) for host, variables in hostvars.items())
    assert members(data, 'needs_upgrade') == {by_id[item['id']] for item in fleet if item['new_version'] is not None}
    assert members(data, 'needs_upgrade')
    assert members(data, 'billing_Period') == {by_id[item['id']] for item in fleet if item['charge_model'] == 'Period'}
    for item in fleet:
        variables = plain(hostvars[by_id[item['id']]])
        assert variables['audit_version'] == item['version']
        assert variables['billing'] == item['charge_model'].lower()


def test_cache_hit_sends_no_request_and_holds_no_secret(sim, inventory, tmp_path):
    cache_dir = tmp_path / 'cache'
    config = ('plugin: hwcloud.dbaudit.dbss\nregions: [cn-north-4, cn-east-3]\ncache: true\n'
              'cache_plugin: ansible.builtin.jsonfile\ncache_connection: %s\ncache_timeout: 600\n' % cache_dir)
    first, first_vars = listed(inventory(config))
    sent = len(sim.requests)
    assert sent == 4
    second, second_vars = listed(inventory(config))
    assert len(sim.requests) == sent, 'a cache hit must not send any request'
    assert second == first and second_vars == first_vars
    cached = ''.join(path.read_text() for path in cache_dir.iterdir())
    assert sim.data.regions['cn-north-4'].instances[0]['id'] in cached
    for secret in (sim.credentials['secret_key'], sim.credentials['access_key']):
        assert secret not in cached
    # Without the cache option the same source is fetched again.
    listed(inventory(config.replace('cache: true', 'cache: false')))
    assert len(sim.requests) == 2 * sent


@pytest.mark.parametrize('failure', ['forbidden', 'unknown region'])
def test_failing_region_fails_the_inventory_by_default(sim, inventory, failure):
    if failure == 'forbidden':
        east = sim.data.regions['cn-east-3'].project_id
        sim.add_fault('status', path='/v1/%s/audit/instances$' % east, status=403, error_code='DBSS.10010003')
        regions, bad, fragment = '[cn-north-4, cn-east-3]', 'cn-east-3', 'HTTP 403 DBSS.10010003'
    else:
        regions, bad, fragment = '[cn-north-4, xx-nowhere-1]', 'xx-nowhere-1', "IAM knows no project named 'xx-nowhere-1'"
    process = inventory('plugin: hwcloud.dbaudit.dbss\nregions: %s\n' % regions)
    assert process.returncode != 0
    output = ' '.join((process.stdout + process.stderr).split())
    assert 'region %s: ' % bad in output and fragment in output
    assert sim.credentials['secret_key'] not in output

    process = inventory('plugin: hwcloud.dbaudit.dbss\nregions: %s\nfail_on_errors: false\n' % regions)
    data, hostvars = listed(process)
    assert 'skipped region %s' % bad in ' '.join(process.stderr.split())
    assert {plain(variables['dbss_region']) for variables in hostvars.values()} == {'cn-north-4'}
    assert len(hostvars) == len(sim.data.regions['cn-north-4'].instances)


def test_unreachable_endpoint_names_the_region(sim, inventory):
    process = inventory('plugin: hwcloud.dbaudit.dbss\nregion: cn-north-4\nmax_retries: 0\n',
                        extra_env={'HW_DBSS_ENDPOINT': 'http://127.0.0.1:9', 'HW_PROJECT_ID': 'p' * 32})
    assert process.returncode != 0
    output = ' '.join((process.stdout + process.stderr).split())
    assert 'region cn-north-4: ' in output and 'connection to 127.0.0.1:9 failed' in output


@pytest.mark.parametrize('config,fragment', [
    ('filters:\n  state: [ACTIVE]\n', 'filters: unknown key(s) state; allowed keys are name, status, vpc_id, zone'),
    ('hostnames: [name, ip]\n', 'hostnames must be a non-empty list of name, id, connect_ip, got ip'),
    ('project_id: abc\nregions: [cn-north-4, cn-east-3]\n', 'project_id belongs to one region'),
    ('concurrency: 0\n', 'concurrency must be between 1 and 64'),
    ('foo: bar\n', 'unknown option(s) foo; allowed options are '),
    ('filter:\n  status: [ACTIVE]\n', 'unknown option(s) filter (did you mean filters?)'),
    ('filters:\n  status: [RUNNING]\n', "filters.status must be one or more of ACTIVE, BUILD, DELETED, DELETING, ERROR, "
     "FROZEN, HAWAIT, SHUTOFF, UPGRADING, got 'RUNNING'"),
    ('hostvars_prefix: bad-prefix\n', "hostvars_prefix must start a valid variable name (letters, digits, '_'), "
     "got 'bad-prefix'"),
    ('regions: [cn-north-4, ""]\n', "regions must be region names such as cn-north-4, got ''"),
])
def test_bad_options_are_named(sim, inventory, config, fragment):
    process = inventory('plugin: hwcloud.dbaudit.dbss\nregion: cn-north-4\n' + config)
    assert process.returncode != 0
    assert fragment in ' '.join((process.stdout + process.stderr).split())
    assert sim.requests == [], 'every option is checked before the first request'


def test_wrong_file_name_says_which_suffix_is_needed(sim, inventory):
    process = inventory('plugin: hwcloud.dbaudit.dbss\nregion: cn-north-4\n', name='production.yml')
    assert process.returncode != 0
    output = ' '.join((process.stdout + process.stderr).split())
    assert 'production.yml names this plugin but is not read: the file name must end with dbss.yml or dbss.yaml' in output
    assert sim.requests == []


def test_awx_example_source_works_with_injected_credentials(sim, inventory):
    """docs/examples/awx: the credential type injects HW_* variables; AWX fails an update on an unparsed source."""
    example = os.path.join(REPO_ROOT, 'docs', 'examples', 'awx', 'inventories', 'production.dbss.yml')
    with open(example) as handle:
        config = handle.read()
    data, hostvars = listed(inventory(config, name='production.dbss.yml',
                                      extra_env={'HW_REGION_NAME': 'cn-north-4'}))
    fleet = [instance for _region, instance in seeded(sim) if instance['status'] in ('ACTIVE', 'UPGRADING')]
    assert sorted(plain(variables['dbss_id']) for variables in hostvars.values()) == sorted(item['id'] for item in fleet)
    by_id = dict((plain(variables['dbss_id']), host) for host, variables in hostvars.items())
    assert members(data, 'needs_upgrade') == {by_id[item['id']] for item in fleet if item['new_version'] is not None}
    assert members(data, 'billing_Demand') == {by_id[item['id']] for item in fleet if item['charge_model'] == 'Demand'}


def test_retries_are_shown_at_vvv(sim, inventory, tmp_path):
    sim.add_fault('status', path=LIST, status=429, retry_after='0', times=1)
    output = tmp_path / 'inventory.json'
    process = inventory('plugin: hwcloud.dbaudit.dbss\nregion: cn-north-4\n', '--list', '-vvv', '--output', str(output))
    assert process.returncode == 0, process.stderr
    hostvars = json.loads(output.read_text())['_meta']['hostvars']
    assert len(hostvars) == len(sim.data.regions['cn-north-4'].instances)
    assert len(sim_requests(sim, LIST)) == 2
    assert 'cn-north-4: GET /v1/' in process.stdout + process.stderr
    assert 'HTTP 429 APIGW.0308' in process.stdout + process.stderr
    assert sim.credentials['secret_key'] not in process.stdout + process.stderr


def test_three_accounts_by_two_regions_through_agencies(sim, inventory, tmp_path):
    """One source over the own account and two others through IAM agencies, each in both regions: every instance
    once, with its account label and group; each agency assumed once; no temporary credential at -vvvv."""
    members_by_label = {'security': 'main', 'production': 'hwsim-member-1', 'staging': 'hwsim-member-2'}
    production, staging = sim.accounts['hwsim-member-1'], sim.accounts['hwsim-member-2']
    config = ('plugin: hwcloud.dbaudit.dbss\nregions: [%s]\nkeyed_groups:\n  - key: dbss_account\n    prefix: by\n'
              'accounts:\n  - name: security\n'
              '  - {name: production, agency_name: dbaudit_auditor, agency_domain_name: %s}\n'
              '  - {name: staging, agency_name: dbaudit_auditor, agency_domain_id: %s}\n'
              % (', '.join(REGIONS), production.domain_name, staging.domain_id))
    output = tmp_path / 'inventory.json'
    # The simulator is shared by the session and keeps listing what earlier tests were issued.
    issued_before = len(sim.agency_stats['issued'])
    process = inventory(config, '--list', '-vvvv', '--output', str(output))
    assert process.returncode == 0, process.stdout + process.stderr
    data = json.loads(output.read_text())
    hostvars = data['_meta']['hostvars']
    expected = dict((instance['id'], label) for label, account in members_by_label.items() for region in REGIONS
                    for instance in sim.accounts[account].data.regions[region].instances)
    listed_accounts = dict((plain(variables['dbss_id']), plain(variables['dbss_account'])) for variables in hostvars.values())
    assert listed_accounts == expected
    assert len(hostvars) == len(expected)
    for label in members_by_label:
        names = members(data, 'account_%s' % label)
        assert names == members(data, 'by_%s' % label)
        assert sorted(plain(hostvars[name]['dbss_id']) for name in names) == sorted(
            instance for instance, owner in expected.items() if owner == label)
    assert sim.agency_stats['assume_calls'] == {'dbaudit_auditor@%s' % production.domain_name: 1,
                                                'dbaudit_auditor@%s' % staging.domain_name: 1}
    issued = [value for item in sim.agency_stats['issued'][issued_before:] for value in (item['secret'], item['securitytoken'])]
    assert len(issued) == 4
    for value in issued + [sim.credentials['secret_key']]:
        assert value not in process.stdout + process.stderr + output.read_text()
