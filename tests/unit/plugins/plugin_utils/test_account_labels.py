"""Issue 20, "Also": one rule for the label of an account in the inventory's ``accounts`` and the role's
``audit_compliance_targets``: hyphens allowed (``prod-eu``), mapped to a safe group name in the inventory, and two
labels that would share a group refused by both."""

import pytest

from hwtest_support import parse_dbss_inventory

from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils import account_targets as account_labels
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import targets as compliance_targets
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.inventory.accounts import account_group_names, plan_targets
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.inventory.hosts import InventoryOptionError

REGION = 'cn-north-4'


def parse_accounts(accounts, regions):
    return plan_targets(accounts, lambda: regions, [])


NAMES = ['prod-eu', 'finance_cn', 'A1', 'cn-north-4_payments', 'x' * 64]
BAD = ['', '-prod', '_prod', 'prod eu', 'prod.eu', 'x' * 65, 'prod/eu', u'pr\u00f6d', None, 7]


@pytest.mark.parametrize('name', NAMES)
def test_also_a_label_users_give_accounts_is_accepted_by_both(name):
    assert compliance_targets.target_problems([{'name': name, 'region': REGION}]) == []
    targets = parse_accounts([{'name': name}], [REGION])
    assert [target.account for target in targets] == [name]
    group = account_group_names(name)[0]
    assert group == 'account_' + name.replace('-', '_')
    assert all(char.isalnum() or char == '_' for char in group), 'a safe group name, unchanged by sanitising'


@pytest.mark.parametrize('name', BAD)
def test_also_the_same_labels_are_refused_by_both_with_the_same_rule(name):
    role = compliance_targets.target_problems([{'name': name, 'region': REGION}])
    assert [line for line in role if account_labels.LABEL_RULE in line], role
    with pytest.raises(InventoryOptionError) as info:
        parse_accounts([{'name': name}], [REGION])
    assert account_labels.LABEL_RULE in str(info.value)


@pytest.mark.parametrize('first, second', [('prod-eu', 'prod_eu'), ('Prod-EU', 'prod-eu')])
def test_also_labels_that_would_share_a_group_are_refused_by_both(first, second):
    role = compliance_targets.target_problems([{'name': first, 'region': REGION}, {'name': second, 'region': 'cn-east-3'}])
    assert [line for line in role if line.startswith('audit_compliance_targets[1].name is %s, the same label as '
                                                     'audit_compliance_targets[0].name (%s: ' % (second, first))], role
    with pytest.raises(InventoryOptionError) as info:
        parse_accounts([{'name': first}, {'name': second, 'agency_name': 'a', 'agency_domain_name': 'b'}], [REGION])
    assert 'accounts[1].name %s is already the name of accounts[0]' % second in str(info.value)
    assert 'account_%s' % second.replace('-', '_') in str(info.value)


def test_also_a_hyphenated_account_is_a_safe_group_in_a_real_inventory(sim, tmp_path):
    inventory = parse_dbss_inventory(sim, tmp_path / 'accounts.dbss.yml', 'regions: [cn-north-4]\naccounts:\n  - name: prod-eu\n')
    expected = sorted(instance['id'] for instance in sim.data.regions[REGION].instances)
    assert sorted(host.vars['dbss_id'] for host in inventory.groups['account_prod_eu'].get_hosts()) == expected
    assert set(host.vars['dbss_account'] for host in inventory.hosts.values()) == {'prod-eu'}
    assert 'account_prod-eu' not in inventory.groups
