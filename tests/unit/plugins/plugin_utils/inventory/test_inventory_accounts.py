"""The ``accounts`` option's rules: which account x region pairs a source lists, refused entries named."""

import pytest

from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.inventory.accounts import (
    account_group_names,
    account_variables,
    plan_targets,
)
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.inventory.hosts import InventoryOptionError

REGIONS = ['cn-north-4', 'cn-east-3']


def default_regions():
    return list(REGIONS)


def refused():
    raise AssertionError('the default regions must not be asked for')


def pairs(targets):
    return [(target.account, target.region) for target in targets]


def test_without_accounts_each_region_of_the_source_is_one_target():
    targets = plan_targets([], default_regions, [])
    assert pairs(targets) == [(None, region) for region in REGIONS]
    assert [str(target) for target in targets] == ['region %s' % region for region in REGIONS]
    assert all(target.agency == {} for target in targets)


def test_each_account_in_its_own_or_the_default_regions_in_order():
    accounts = [
        {'name': 'own'},
        {'name': 'prod', 'agency_name': 'auditor', 'agency_domain_name': 'acme-prod', 'agency_duration': 900},
        {'name': 'staging', 'agency_name': 'auditor', 'agency_domain_id': 'a' * 32, 'regions': ['ap-southeast-1', 'ap-southeast-1']},
    ]
    targets = plan_targets(accounts, default_regions, [])
    assert pairs(targets) == [('own', 'cn-north-4'), ('own', 'cn-east-3'), ('prod', 'cn-north-4'), ('prod', 'cn-east-3'),
                              ('staging', 'ap-southeast-1')]
    assert targets[0].agency == {}
    assert targets[2].agency == {'agency_name': 'auditor', 'agency_domain_name': 'acme-prod', 'agency_duration': 900}
    assert targets[4].agency == {'agency_name': 'auditor', 'agency_domain_id': 'a' * 32}
    assert str(targets[4]) == 'account staging region ap-southeast-1'


def test_entries_with_their_own_regions_do_not_need_default_regions():
    targets = plan_targets([{'name': 'own', 'regions': ['cn-north-4']}], refused, [])
    assert pairs(targets) == [('own', 'cn-north-4')]


@pytest.mark.parametrize('accounts, fragment', [
    ({'name': 'own'}, 'accounts must be a list of dictionaries with keys name, agency_domain_id'),
    (['own'], "accounts[0] must be a dictionary with keys name, agency_domain_id, agency_domain_name, agency_duration, "
              "agency_name, regions, got 'own'"),
    ([{'name': 'own', 'region': 'cn-north-4'}], 'accounts[0]: unknown key(s) region; allowed keys are name,'),
    ([{}], 'accounts[0].name is required'),
    ([{'name': 'prod eu'}], "accounts[0].name is required: a label of 1 to 64 ASCII letters, digits, _ and -, "),
    ([{'name': '-prod'}], "accounts[0].name is required: a label of 1 to 64 ASCII letters, digits, _ and -, "),
    ([{'name': 'x' * 65}], 'accounts[0].name is required'),
    ([{'name': 'own'}, {'name': 'OWN', 'agency_name': 'a', 'agency_domain_name': 'b'}],
     'accounts[1].name OWN is already the name of accounts[0]'),
    ([{'name': 'own'}, {'name': 'again'}], "accounts[1] (again) reaches the caller's own account like accounts[0]"),
    ([{'name': 'p', 'agency_name': 'a', 'agency_domain_name': 'b'}, {'name': 'q', 'agency_name': 'a', 'agency_domain_name': 'b'}],
     'accounts[1] (q) reaches agency a of the same account like accounts[0]'),
    ([{'name': 'p', 'agency_domain_name': 'b'}], 'accounts[0].agency_domain_name is set but agency_name is not'),
    ([{'name': 'p', 'agency_duration': 900}], 'accounts[0].agency_duration is set but agency_name is not'),
    ([{'name': 'p', 'regions': []}], 'accounts[0].regions must be a non-empty list'),
    ([{'name': 'p', 'regions': 'cn-north-4'}], 'accounts[0].regions must be a non-empty list'),
    ([{'name': 'p', 'regions': [' cn-north-4']}], "accounts[0].regions must be region names such as cn-north-4, got ' cn-north-4'"),
])
def test_refused_entries_are_named(accounts, fragment):
    with pytest.raises(InventoryOptionError) as info:
        plan_targets(accounts, default_regions, [])
    assert fragment in str(info.value)
    assert '\n' not in str(info.value)


def test_top_level_agency_options_cannot_be_combined_with_accounts():
    with pytest.raises(InventoryOptionError) as info:
        plan_targets([{'name': 'own'}], default_regions, ['agency_name', 'agency_domain_name'])
    assert str(info.value).startswith('agency_domain_name, agency_name (or HW_ASSUME_ROLE_*) cannot be combined with accounts')


def test_account_host_variable_and_group():
    assert account_variables('dbss_', 'prod') == {'dbss_account': 'prod'}
    assert account_variables('dbss_', None) == {}
    assert account_group_names('prod') == ['account_prod']
    assert account_group_names(None) == []
