"""The dbss inventory plugin's ``accounts`` option, parsed into a real InventoryData over real HTTP to the simulator:
account x region targets, the account host variable and group, failures named by account and region, the cache."""

import json
from unittest import mock

import pytest

from ansible.errors import AnsibleError

from hwtest_support import parse_dbss_inventory, sim_requests

LIST = r'/audit/instances$'


def parse(sim, tmp_path, config, **kwargs):
    return parse_dbss_inventory(sim, tmp_path / 'accounts.dbss.yml', config, **kwargs)


def seeded(sim, region):
    return sorted(instance['id'] for instance in sim.data.regions[region].instances)


def cached_payload(path):
    """What the plugin stored in one ansible.builtin.jsonfile entry: ansible-core 2.19 wraps the plugin's JSON text
    under __payload__, earlier lines store the data itself."""
    raw = json.loads(path.read_text())
    return json.loads(raw['__payload__']) if isinstance(raw, dict) and '__payload__' in raw else raw


def hosts_by_id(inventory):
    return dict((host.vars['dbss_id'], host) for host in inventory.hosts.values())


def test_own_account_entry_labels_every_host_and_adds_its_group(sim, tmp_path):
    inventory = parse(sim, tmp_path, 'regions: [cn-north-4, cn-east-3]\naccounts:\n  - name: security\n')
    expected = seeded(sim, 'cn-north-4') + seeded(sim, 'cn-east-3')
    hosts = hosts_by_id(inventory)
    assert sorted(hosts) == sorted(expected)
    assert set(host.vars['dbss_account'] for host in hosts.values()) == {'security'}
    assert sorted(host.vars['dbss_id'] for host in inventory.groups['account_security'].get_hosts()) == sorted(expected)
    assert len(sim_requests(sim, LIST)) == 2


def test_an_account_lists_only_its_own_regions(sim, tmp_path):
    inventory = parse(sim, tmp_path, 'regions: [cn-north-4, cn-east-3]\naccounts:\n  - name: own\n    regions: [cn-east-3]\n')
    assert sorted(hosts_by_id(inventory)) == seeded(sim, 'cn-east-3')
    requested = set(record['path'].split('/')[2] for record in sim_requests(sim, LIST))
    assert requested == {sim.data.regions['cn-east-3'].project_id}


def test_keyed_groups_and_compose_can_use_the_account(sim, tmp_path):
    config = ('region: cn-north-4\naccounts:\n  - name: sec\ncompose:\n  owner: dbss_account\n'
              'keyed_groups:\n  - key: dbss_account\n    prefix: acct\n')
    inventory = parse(sim, tmp_path, config)
    assert sorted(host.vars['dbss_id'] for host in inventory.groups['acct_sec'].get_hosts()) == seeded(sim, 'cn-north-4')
    assert set(host.vars['owner'] for host in inventory.hosts.values()) == {'sec'}


def test_without_accounts_there_is_no_account_variable_or_group(sim, tmp_path):
    inventory = parse(sim, tmp_path, 'region: cn-north-4\n')
    assert not [host for host in inventory.hosts.values() if 'dbss_account' in host.vars]
    assert not [name for name in inventory.groups if name.startswith('account_')]


@pytest.mark.parametrize('config, fragment', [
    ('accounts:\n  - name: own\n    region: cn-north-4\n', 'accounts[0]: unknown key(s) region; allowed keys are name, '),
    ('accounts:\n  - name: own\n  - name: own2\n', "accounts[1] (own2) reaches the caller's own account like accounts[0]"),
    ('accounts:\n  - {name: "a b"}\n', 'accounts[0].name is required: a label of 1 to 64 ASCII letters'),
    ('agency_name: auditor\nagency_domain_name: prod\naccounts:\n  - name: own\n',
     'agency_domain_name, agency_name (or HW_ASSUME_ROLE_*) cannot be combined with accounts'),
])
def test_bad_accounts_fail_before_any_request(sim, tmp_path, config, fragment):
    with pytest.raises(AnsibleError) as info:
        parse(sim, tmp_path, config)
    assert fragment in str(info.value)
    assert str(info.value).startswith('hwcloud.dbaudit.dbss: ')
    assert sim.requests == []


def test_a_failed_account_region_is_named_and_fails_the_source(sim, tmp_path):
    east = sim.data.regions['cn-east-3'].project_id
    sim.add_fault('status', path='/v1/%s/audit/instances$' % east, status=403, error_code='DBSS.10010003', times=1)
    with pytest.raises(AnsibleError) as info:
        parse(sim, tmp_path, 'regions: [cn-north-4, cn-east-3]\naccounts:\n  - name: security\n')
    assert 'account security region cn-east-3: ' in str(info.value)
    assert 'DBSS.10010003' in str(info.value)


def test_a_failed_account_region_is_skipped_with_a_warning_when_asked(sim, tmp_path):
    east = sim.data.regions['cn-east-3'].project_id
    sim.add_fault('status', path='/v1/%s/audit/instances$' % east, status=403, error_code='DBSS.10010003', times=1)
    with mock.patch('ansible.utils.display.Display.warning') as warning:
        inventory = parse(sim, tmp_path, 'regions: [cn-north-4, cn-east-3]\nfail_on_errors: false\naccounts:\n  - name: security\n')
    assert sorted(hosts_by_id(inventory)) == seeded(sim, 'cn-north-4')
    messages = [call.args[0] for call in warning.call_args_list]
    assert any(message.startswith('hwcloud.dbaudit.dbss: skipped account security region cn-east-3: ') for message in messages)


def test_the_accounts_are_part_of_the_cache_key_and_the_cache_holds_the_label(sim, tmp_path):
    cache_dir = tmp_path / 'cache'
    cache = 'cache: true\ncache_plugin: ansible.builtin.jsonfile\ncache_connection: %s\nregion: cn-north-4\n' % cache_dir
    parse(sim, tmp_path, cache)
    parse(sim, tmp_path, cache + 'accounts:\n  - name: security\n')
    assert len(sim_requests(sim, LIST)) == 2, 'adding accounts must not be served from the cache without them'
    labelled = parse(sim, tmp_path, cache + 'accounts:\n  - name: security\n')
    assert len(sim_requests(sim, LIST)) == 2
    assert set(host.vars['dbss_account'] for host in labelled.hosts.values()) == {'security'}
    parse(sim, tmp_path, cache + 'accounts:\n  - name: audit\n')
    assert len(sim_requests(sim, LIST)) == 3, 'another label is another entry'
    stored = [cached_payload(path) for path in cache_dir.iterdir()]
    # Plain strings: no data tags (the file's path, a trusted-as-template mark) from the configuration.
    assert sorted(item['account'] or '' for entry in stored for item in entry) == ['', 'audit', 'security']
    assert sorted(item['region'] for entry in stored for item in entry) == ['cn-north-4'] * 3


# Other accounts through IAM agencies (the simulator's member accounts trust the main account's agency).

AUDITOR = 'dbaudit_auditor'
MEMBERS = ('hwsim-member-1', 'hwsim-member-2')
REGIONS = ('cn-north-4', 'cn-east-3')


def three_accounts(sim, extra=''):
    """Own account + the two member accounts (one by domain name, one by domain ID) x two regions."""
    first, second = (sim.accounts[name] for name in MEMBERS)
    return ('regions: [%s]\naccounts:\n  - name: security\n'
            '  - name: production\n    agency_name: %s\n    agency_domain_name: %s\n'
            '  - name: staging\n    agency_name: %s\n    agency_domain_id: %s\n%s'
            % (', '.join(REGIONS), AUDITOR, first.domain_name, AUDITOR, second.domain_id, extra))


def expected_accounts(sim):
    """instance id -> account label, from every account's seeded data."""
    labels = {'security': 'main', 'production': MEMBERS[0], 'staging': MEMBERS[1]}
    return dict((instance['id'], label) for label, account in labels.items() for region in REGIONS
                for instance in sim.accounts[account].data.regions[region].instances)


def test_three_accounts_by_two_regions_hold_every_instance_once_with_its_account(sim, tmp_path):
    inventory = parse(sim, tmp_path, three_accounts(sim))
    expected = expected_accounts(sim)
    hosts = list(inventory.hosts.values())
    assert sorted(host.vars['dbss_id'] for host in hosts) == sorted(expected)
    assert dict((host.vars['dbss_id'], host.vars['dbss_account']) for host in hosts) == expected
    for label in ('security', 'production', 'staging'):
        assert sorted(host.vars['dbss_id'] for host in inventory.groups['account_%s' % label].get_hosts()) == sorted(
            instance for instance, account in expected.items() if account == label)
    # Each member's project of each region, never the main account's, for the instances listed through its agency.
    for host in hosts:
        account = {'security': 'main', 'production': MEMBERS[0], 'staging': MEMBERS[1]}[host.vars['dbss_account']]
        assert host.vars['dbss_project_id'] == sim.accounts[account].project_ids[host.vars['dbss_region']]
    # Each agency assumed once per run, shared by both regions of its account.
    assert sim.agency_stats['assume_calls'] == dict(('%s@%s' % (AUDITOR, name), 1) for name in MEMBERS)
    assert len(sim_requests(sim, LIST)) == 6


def test_an_agency_that_cannot_be_assumed_names_the_account_and_region(sim, tmp_path):
    config = three_accounts(sim).replace('agency_name: %s\n    agency_domain_id' % AUDITOR,
                                         'agency_name: dbaudit_untrusted\n    agency_domain_id')
    with pytest.raises(AnsibleError) as info:
        parse(sim, tmp_path, config)
    message = str(info.value)
    assert 'account staging region ' in message
    assert 'dbaudit_untrusted' in message and '403' in message


def test_an_account_that_fails_is_skipped_and_the_others_are_kept(sim, tmp_path):
    config = three_accounts(sim, 'fail_on_errors: false\n').replace(
        'agency_name: %s\n    agency_domain_id' % AUDITOR, 'agency_name: dbaudit_untrusted\n    agency_domain_id')
    with mock.patch('ansible.utils.display.Display.warning') as warning:
        inventory = parse(sim, tmp_path, config)
    expected = dict((instance, label) for instance, label in expected_accounts(sim).items() if label != 'staging')
    assert dict((host.vars['dbss_id'], host.vars['dbss_account']) for host in inventory.hosts.values()) == expected
    skipped = [call.args[0] for call in warning.call_args_list if 'skipped account staging' in call.args[0]]
    assert sorted(message.split(': ')[1].split(' region ')[1] for message in skipped) == sorted(REGIONS)


def test_the_cache_of_several_accounts_holds_no_temporary_credential(sim, tmp_path):
    cache_dir = tmp_path / 'cache'
    config = three_accounts(sim, 'cache: true\ncache_plugin: ansible.builtin.jsonfile\ncache_connection: %s\n' % cache_dir)
    parse(sim, tmp_path, config)
    cached = parse(sim, tmp_path, config)
    assert len(sim_requests(sim, LIST)) == 6, 'the second run is served from the cache'
    assert sim.agency_stats['assume_calls'] == dict(('%s@%s' % (AUDITOR, name), 1) for name in MEMBERS), \
        'a cache hit assumes no agency'
    assert dict((host.vars['dbss_id'], host.vars['dbss_account']) for host in cached.hosts.values()) == expected_accounts(sim)
    stored = ''.join(path.name + path.read_text() for path in cache_dir.iterdir())
    issued = [value for item in sim.agency_stats['issued'] for value in (item['access'], item['secret'], item['securitytoken'])]
    assert issued and not [value for value in issued if value in stored]
    assert sim.credentials['secret_key'] not in stored


def test_project_id_cannot_be_combined_with_several_accounts(sim, tmp_path):
    with pytest.raises(AnsibleError) as info:
        parse(sim, tmp_path, three_accounts(sim).replace('regions: [cn-north-4, cn-east-3]', 'region: cn-north-4')
              + 'project_id: %s\n' % sim.data.regions['cn-north-4'].project_id)
    assert 'project_id belongs to one account and region' in str(info.value)
    assert sim.requests == []
