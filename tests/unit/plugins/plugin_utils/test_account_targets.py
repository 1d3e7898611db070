"""One rule set for account x region targets (issue 22, item 3), used by the inventory's ``accounts`` and the role's
``audit_compliance_targets``: the agency options, agency_duration included, are accepted and refused alike, with the
same messages.

Issue 20, "Also": one rule for the label of an account in the inventory's ``accounts`` and the role's
``audit_compliance_targets``: hyphens allowed (``prod-eu``), mapped to a safe group name in the inventory, and two
labels that would share a group refused by both."""

import pytest

from hwtest_support import parse_dbss_inventory

from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils import account_targets
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
    assert [line for line in role if account_targets.LABEL_RULE in line], role
    with pytest.raises(InventoryOptionError) as info:
        parse_accounts([{'name': name}], [REGION])
    assert account_targets.LABEL_RULE in str(info.value)


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


AGENCY = {'agency_name': 'dbaudit_auditor', 'agency_domain_name': 'member-1'}


def _inventory_problem(entry):
    try:
        parse_accounts([dict(entry, name='prod')], [REGION])
    except InventoryOptionError as error:
        return str(error).replace('accounts[0]', 'ENTRY')
    return None


def _role_problem(entry):
    problems = compliance_targets.target_problems([dict(entry, name='prod', region=REGION)])
    assert len(problems) <= 1, problems
    return problems[0].replace('audit_compliance_targets[0]', 'ENTRY') if problems else None


@pytest.mark.parametrize('entry', [
    dict(AGENCY, agency_duration=899),
    dict(AGENCY, agency_duration='15m'),
    dict(AGENCY, agency_duration=True),
    {'agency_duration': 900},
    {'agency_domain_name': 'member-1'},
    dict(AGENCY, agency_domain_id='0a1b'),
    dict(AGENCY, agency_name='bad/name'),
    dict(AGENCY, agency_domain_name=''),
])
def test_the_same_agency_options_are_refused_by_both_with_the_same_message(entry):
    inventory, role = _inventory_problem(entry), _role_problem(entry)
    assert inventory is not None and inventory == role
    assert inventory.startswith('ENTRY.agency_') and '(HW_' not in inventory


@pytest.mark.parametrize('entry', [{}, AGENCY, dict(AGENCY, agency_duration=900), dict(AGENCY, agency_duration='86400')])
def test_the_same_agency_options_are_accepted_by_both(entry):
    assert _inventory_problem(entry) is None and _role_problem(entry) is None


def test_agency_duration_of_a_target_reaches_its_connection():
    target = dict(AGENCY, name='prod', region=REGION, agency_duration=900)
    assert compliance_targets.target_connection({'agency_duration': 3600}, target)['agency_duration'] == 900
    inventory = parse_accounts([dict(AGENCY, name='prod', agency_duration=900)], [REGION])
    assert inventory[0].agency['agency_duration'] == 900


def test_one_account_in_one_region_is_listed_once_by_both():
    twice = [dict(AGENCY, name='a', region=REGION), dict(AGENCY, name='b', region=REGION)]
    assert compliance_targets.target_problems(twice) == [
        'audit_compliance_targets[1] reaches the same account and region as audit_compliance_targets[0]; list each '
        'account x region once']
    other_region = [dict(AGENCY, name='a', region=REGION), dict(AGENCY, name='b', region='cn-east-3')]
    assert compliance_targets.target_problems(other_region) == []
    with pytest.raises(InventoryOptionError, match='reaches agency dbaudit_auditor of the same account'):
        parse_accounts([dict(AGENCY, name='a'), dict(AGENCY, name='b', regions=['cn-east-3'])], [REGION])
