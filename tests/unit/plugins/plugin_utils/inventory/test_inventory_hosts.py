"""Host naming, duplicates, filters, host variables and default groups of the DBSS inventory."""

import pytest

from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.inventory.hosts import (
    InventoryOptionError,
    assign_hostnames,
    check_hostnames,
    check_prefix,
    compile_filters,
    default_group_names,
    host_variables,
)


def instance(number, **fields):
    record = {'id': 'id-%d' % number, 'name': 'dbss-%d' % number, 'connect_ip': '10.0.0.%d' % number,
              'status': 'ACTIVE', 'zone': 'cn-north-4a', 'vpc_id': 'vpc-1'}
    record.update(fields)
    return record


def names(assigned):
    return [hostname for hostname, _instance, _note, _warn in assigned]


def test_first_preference_wins_when_unique():
    fleet = [instance(1), instance(2)]
    assert names(assign_hostnames(fleet, ['name', 'id'])) == ['dbss-1', 'dbss-2']
    assert names(assign_hostnames(fleet, ['connect_ip', 'name'])) == ['10.0.0.1', '10.0.0.2']
    assert names(assign_hostnames(fleet, ['id'])) == ['id-1', 'id-2']


def test_shared_name_falls_back_to_id_for_every_instance_sharing_it():
    fleet = [instance(1, name='twin'), instance(2), instance(3, name='twin')]
    assigned = assign_hostnames(fleet, ['name', 'id'])
    assert names(assigned) == ['id-1', 'dbss-2', 'id-3']
    # id is the second preference: a duplicate name is ordinary, said at -vvv only, never a warning
    assert 'is named by its ID: name' in assigned[0][2] and 'another audit instance has it too' in assigned[0][2] and assigned[0][3] is False


def test_fallback_to_id_when_no_preference_is_unique():
    fleet = [instance(1, name='twin', connect_ip='10.9.9.9'), instance(2, name='twin', connect_ip='10.9.9.9')]
    assigned = assign_hostnames(fleet, ['name', 'connect_ip'])
    assert names(assigned) == ['id-1', 'id-2']
    assert 'is named by its ID' in assigned[0][2] and assigned[0][3] is False


def test_missing_values_are_skipped():
    fleet = [instance(1, name=None), instance(2, name='')]
    assert names(assign_hostnames(fleet, ['name', 'connect_ip'])) == ['10.0.0.1', '10.0.0.2']


def test_existing_hosts_are_never_overwritten():
    fleet = [instance(1), instance(2)]
    assert names(assign_hostnames(fleet, ['name', 'id'], taken={'dbss-1'})) == ['id-1', 'dbss-2']
    assigned = assign_hostnames([instance(1)], ['name'], taken={'dbss-1', 'id-1'})
    assert names(assigned) == [None]
    assert 'skipped' in assigned[0][2]


def test_same_instance_twice_gives_one_host():
    assigned = assign_hostnames([instance(1), instance(1)], ['id'])
    assert names(assigned) == ['id-1', None]
    assert 'skipped' in assigned[1][2]


@pytest.mark.parametrize('filters,expected', [
    ({}, [1, 2, 3, 4]),
    ({'status': ['ACTIVE']}, [1, 2, 4]),
    ({'status': ['ACTIVE', 'SHUTOFF']}, [1, 2, 3, 4]),
    ({'zone': ['cn-north-4b']}, [2]),
    ({'vpc_id': ['vpc-2'], 'status': ['ACTIVE']}, [4]),
    ({'name': '^prod-'}, [1, 2]),
    ({'name': 'db'}, [1, 2, 3, 4]),
    ({'name': 'db3$'}, [3]),
    ({'status': 'SHUTOFF'}, [3]),
])
def test_filters(filters, expected):
    fleet = [instance(1, name='prod-db1'), instance(2, name='prod-db2', zone='cn-north-4b'),
             instance(3, name='test-db3', status='SHUTOFF'), instance(4, name='dev-db4', vpc_id='vpc-2')]
    keep = compile_filters(filters)
    assert [record['id'] for record in fleet if keep(record)] == ['id-%d' % number for number in expected]


@pytest.mark.parametrize('filters,fragment', [
    ({'state': ['ACTIVE']}, 'filters: unknown key(s) state; allowed keys are name, status, vpc_id, zone'),
    ({'name': '(unclosed'}, "filters.name: '(unclosed' is not a valid regular expression"),
    (['status'], 'filters must be a dictionary'),
])
def test_bad_filters(filters, fragment):
    with pytest.raises(InventoryOptionError) as info:
        compile_filters(filters)
    assert fragment in str(info.value)


def test_hostname_and_prefix_checks():
    assert check_hostnames(['connect_ip', 'id']) == ['connect_ip', 'id']
    with pytest.raises(InventoryOptionError) as info:
        check_hostnames(['name', 'ip'])
    assert str(info.value) == 'hostnames must be a non-empty list of name, id, connect_ip, got ip'
    with pytest.raises(InventoryOptionError):
        check_hostnames([])
    assert check_prefix('audit_') == 'audit_'
    for bad in ('', '1x', 'a-b'):
        with pytest.raises(InventoryOptionError) as info:
            check_prefix(bad)
        assert 'hostvars_prefix' in str(info.value)


def test_host_variables_are_prefixed_and_ansible_host_is_the_connect_ip():
    variables = host_variables(instance(7, new_version=None), 'cn-north-4', 'p' * 32, 'dbss_')
    assert variables['dbss_id'] == 'id-7'
    assert variables['dbss_status'] == 'ACTIVE'
    assert variables['dbss_new_version'] is None
    assert variables['dbss_region'] == 'cn-north-4'
    assert variables['dbss_project_id'] == 'p' * 32
    assert variables['ansible_host'] == '10.0.0.7'
    assert not any(key in variables for key in ('name', 'status', 'id'))
    assert 'ansible_host' not in host_variables(instance(8, connect_ip=None), 'r', 'p', 'x_')


def test_default_group_names():
    assert default_group_names(instance(1), 'cn-north-4') == ['dbss', 'region_cn-north-4', 'status_ACTIVE',
                                                              'zone_cn-north-4a', 'vpc_vpc-1']
    assert default_group_names(instance(2, zone=None, vpc_id=''), 'r') == ['dbss', 'region_r', 'status_ACTIVE']
