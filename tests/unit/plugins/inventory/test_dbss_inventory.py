"""The dbss inventory plugin loaded by Ansible's plugin loader, parsing into a real InventoryData, over real HTTP
to the simulator: request counts for large fleets and several regions, and the cache."""

import os
from unittest import mock

import pytest

from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import inventory_loader

from hwtest_support import sim_requests

REGION = 'cn-north-4'
LIST = r'/audit/instances$'


def parse(sim, tmp_path, config, cache=True):
    path = tmp_path / 'fleet.dbss.yml'
    path.write_text(config)
    environ = dict((key, value) for key, value in os.environ.items() if not key.startswith(('HW_', 'HUAWEICLOUD_SDK_')))
    environ.update(HW_ACCESS_KEY=sim.credentials['access_key'], HW_SECRET_KEY=sim.credentials['secret_key'],
                   HW_DBSS_ENDPOINT=sim.url, HW_IAM_ENDPOINT=sim.url)
    inventory = InventoryData()
    with mock.patch.dict(os.environ, environ, clear=True):
        plugin = inventory_loader.get('hwcloud.dbaudit.dbss')
        assert plugin.verify_file(str(path))
        plugin.parse(inventory, DataLoader(), str(path), cache=cache)
        # What Ansible's InventoryManager does after a parse: persist the cache if the plugin changed it.
        if getattr(plugin, '_cache', None) is not None:
            plugin.update_cache_if_changed()
    return inventory


def test_verify_file_wants_the_suffix(tmp_path):
    plugin = inventory_loader.get('hwcloud.dbaudit.dbss')
    for name, wanted in (('prod.dbss.yml', True), ('dbss.yaml', True), ('prod.yml', False), ('dbss.yml.bak', False)):
        path = tmp_path / name
        path.write_text('plugin: hwcloud.dbaudit.dbss\n')
        assert plugin.verify_file(str(path)) is wanted, name


def test_10000_instances_in_one_region_take_exactly_10_list_requests(tmp_path):
    from dbaudit_simulator import Simulator, SimulatorConfig
    config = SimulatorConfig(regions=(REGION,), instances=10000, scopes_per_instance=0, databases_per_instance=0,
                             rds_instances=0)
    with Simulator(config) as sim:
        inventory = parse(sim, tmp_path, 'plugin: hwcloud.dbaudit.dbss\nregion: %s\n' % REGION)
        listed = sim_requests(sim, LIST)
        assert len(listed) == 10
        assert sorted(int(record['query']['offset']) for record in listed) == list(range(0, 10000, 1000))
        assert len(inventory.groups['dbss'].get_hosts()) == 10000
        assert len(inventory.hosts) == 10000


def test_regions_each_page_their_own_fleet(tmp_path):
    from dbaudit_simulator import Simulator, SimulatorConfig
    regions = ('cn-north-4', 'cn-east-3', 'ap-southeast-1')
    config = SimulatorConfig(regions=regions, instances=1500, scopes_per_instance=0, databases_per_instance=0,
                             rds_instances=0)
    with Simulator(config) as sim:
        inventory = parse(sim, tmp_path, 'plugin: hwcloud.dbaudit.dbss\nregions: [%s]\n' % ', '.join(regions))
        assert len(sim_requests(sim, LIST)) == 2 * len(regions)
        assert len(sim_requests(sim, r'^/v3/projects$')) == len(regions)
        for region in regions:
            group = inventory.groups['region_' + region.replace('-', '_')]
            assert len(group.get_hosts()) == 1500


def test_cache_is_used_only_when_asked(sim, tmp_path):
    config = ('plugin: hwcloud.dbaudit.dbss\nregion: %s\ncache: true\ncache_plugin: ansible.builtin.jsonfile\n'
              'cache_connection: %s\n' % (REGION, tmp_path / 'cache'))
    parse(sim, tmp_path, config)
    assert len(sim_requests(sim, LIST)) == 1
    parse(sim, tmp_path, config)
    assert len(sim_requests(sim, LIST)) == 1
    parse(sim, tmp_path, config, cache=False)  # ansible-inventory --flush-cache
    assert len(sim_requests(sim, LIST)) == 2
    parse(sim, tmp_path, config.replace('region: %s' % REGION, 'regions: [cn-north-4, cn-east-3]'))
    assert len(sim_requests(sim, LIST)) == 4, 'a changed source must not be served from the old cache'


@pytest.mark.parametrize('prefix', ['', 'bad-prefix'])
def test_bad_prefix(sim, tmp_path, prefix):
    from ansible.errors import AnsibleError
    with pytest.raises(AnsibleError) as info:
        parse(sim, tmp_path, 'plugin: hwcloud.dbaudit.dbss\nregion: %s\nhostvars_prefix: "%s"\n' % (REGION, prefix))
    assert 'hostvars_prefix must start a valid variable name' in str(info.value)
