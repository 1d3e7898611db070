"""``all_audit_log_action`` of the RDS audit log policy (issue 19): the service sends JSON text (SDK
``ShowAuditlogPolicyResponse`` types it ``str``; the API reference's sample is in tests/fixtures/api_reference/); a list
is tolerated (an older or newer service), absent/empty/``{}`` offers nothing, and anything else is a shape problem."""

import json

import pytest

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.rds import parse_audit_log_actions
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.shapes import ShapeProblem

DOCUMENTED = {'DCL': 'CREATE_USER,DROP_USER,GRANT', 'DML': 'INSERT,SELECT', 'OTHER': 'BEGIN/COMMIT/ROLLBACK,CHANGE_DB'}


def test_the_documented_json_text_gives_categories_and_a_flat_list():
    categories, actions = parse_audit_log_actions(json.dumps(DOCUMENTED))
    assert categories == {name: text.split(',') for name, text in DOCUMENTED.items()}
    assert actions == [action for text in DOCUMENTED.values() for action in text.split(',')]


def test_spaces_empty_entries_and_repeats_are_dropped_and_lists_in_the_text_are_read():
    categories, actions = parse_audit_log_actions('{"DML": " INSERT, ,SELECT,INSERT", "X": ["SELECT", "KILL"]}')
    assert categories == {'DML': ['INSERT', 'SELECT'], 'X': ['SELECT', 'KILL']}
    assert actions == ['INSERT', 'SELECT', 'KILL']


@pytest.mark.parametrize('value', [None, '', '  ', '{}', []])
def test_absent_empty_and_empty_object_offer_nothing(value):
    assert parse_audit_log_actions(value) == ({}, [])


def test_a_list_has_no_categories():
    assert parse_audit_log_actions(['INSERT', 'CHANGE_DB', 'INSERT']) == ({}, ['INSERT', 'CHANGE_DB'])


@pytest.mark.parametrize('value', ['INSERT,SELECT', '[]', '["INSERT"]', 'null', '{"DML": 1}', '{"DML": [1]}', '{"DML"',
                                   {'DML': 'INSERT'}, 3, True, ['INSERT', ''], ['INSERT', None], 'x' * 70000])
def test_anything_else_is_a_shape_problem_naming_the_field(value):
    with pytest.raises(ShapeProblem) as caught:
        parse_audit_log_actions(value)
    assert caught.value.field == 'all_audit_log_action'
    assert caught.value.expected.startswith('JSON text of an object')
