"""Remediation of the RDS-01/RDS-02 findings (audit_compliance_remediate): which instances are fixed (the violations
of those checks, whatever the engine, never an unknown state, never out of scope), with which retention, and the
report's remediation section built from the module's result and the evaluation after the fix, escaped in every
rendering."""

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.hwcloud.dbaudit.plugins.filter import compliance_remediation as remediation_filter
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import base as compliance_base
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import role_variables as compliance_role_variables
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import remediation as compliance_remediation
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import html_page
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import markdown_page

from test_compliance import MARKDOWN_HOSTILE, NOW, _cell_texts_and_syntax, compliant_facts, evaluate, rds

WRITE_ERROR = ('RDS instance r3: PUT /v3/p/instances/r3/auditlog-policy failed: HTTP 403 DBS.280001: forbidden '
               '(request id 77aa)')


def policy(instance_id, keep_days, audit_types=None):
    return {'instance_id': instance_id, 'keep_days': keep_days, 'audit_types': audit_types or [],
            'all_audit_log_action': ['INSERT', 'SELECT']}


def rds_facts(keep_days_by_id, **fields):
    """RDS instances r1, r2... in order with the given policies (None: no policy returned)."""
    facts = {'rds_instances': [rds(instance_id) for instance_id in keep_days_by_id],
             'policies': [policy(instance_id, keep) for instance_id, keep in keep_days_by_id.items() if keep is not None]}
    facts.update(fields)
    return facts


def plan(facts, **options):
    return compliance_remediation.plan(facts, now=NOW, **options)


def pairs(items):
    return [(item['check'], item['resource_id']) for item in items]


# -- selection ----------------------------------------------------------------------------------------------------
def test_the_violations_of_rds_01_and_rds_02_are_selected_in_instance_order():
    facts = rds_facts({'r1': 365, 'r2': 30, 'r3': 0, 'r4': 180, 'r5': 179})
    got = plan(facts)
    assert got['keep_days'] == 180
    assert got['instance_ids'] == ['r2', 'r3', 'r5']
    assert sorted(pairs(got['findings'])) == [('RDS-01', 'r3'), ('RDS-02', 'r2'), ('RDS-02', 'r5')]
    assert got['not_remediated'] == []


def test_the_engine_does_not_matter_only_the_checks_do():
    facts = rds_facts({'r1': 0, 'r2': 7})
    facts['rds_instances'][0]['datastore'] = {'type': 'PostgreSQL', 'version': '15'}
    facts['rds_instances'][1]['datastore'] = {'type': 'MySQL', 'version': '8.0'}
    assert plan(facts)['instance_ids'] == ['r1', 'r2']


def test_the_retention_set_is_the_threshold_the_checks_used():
    facts = rds_facts({'r1': 180, 'r2': 365, 'r3': 0})
    # A profile raises the minimum retention: 180 days is now too short, 365 is enough.
    got = plan(facts, min_retention_days=180, profile='pci_dss')
    assert got['keep_days'] == 365 and got['instance_ids'] == ['r1', 'r3']
    # A minimum of 0 still needs the audit log on: 1 day, only the instance with the log off.
    got = plan(facts, min_retention_days=0)
    assert got['keep_days'] == 1 and got['instance_ids'] == ['r3']
    assert compliance_remediation.target_keep_days(400) == 400


def test_an_unknown_state_is_never_selected():
    # r2's policy could not be read (ERROR findings), r3's answer had no usable keep_days, r4 has no policy at all.
    facts = rds_facts({'r1': 0, 'r2': None, 'r3': None, 'r4': None}, errors={'policies': 'HTTP 500 boom'})
    facts['policies'].append({'instance_id': 'r3', 'keep_days': 'forty'})
    got = plan(facts)
    assert got['instance_ids'] == ['r1']
    left = dict(((item['check'], item['resource_id']), item['reason']) for item in got['not_remediated'])
    # r2 and r4: ERROR findings (their read failed); r3: a FAIL finding on a policy whose keep_days is unreadable.
    assert set(left) == {('RDS-01', 'r2'), ('RDS-02', 'r2'), ('RDS-01', 'r3'), ('RDS-01', 'r4'), ('RDS-02', 'r4')}
    assert all('unknown' in reason for reason in left.values())

    # Without a failed read, a policy that was not returned is still unknown: a FAIL finding, but never touched.
    got = plan(rds_facts({'r1': None}))
    assert got['instance_ids'] == [] and pairs(got['not_remediated']) == [('RDS-01', 'r1')]


def test_an_incomplete_instance_list_selects_only_what_was_listed():
    facts = rds_facts({'r1': 0}, errors={'rds_instances': 'HTTP 503 busy'}, rds_unlisted_ids=['ghost'])
    got = plan(facts)
    assert got['instance_ids'] == ['r1']
    assert ('RDS-01', 'ghost') in pairs(got['not_remediated'])


def test_only_the_rds_facts_are_evaluated():
    facts = dict(compliant_facts(), policies=[policy('r1', 0)], errors={'scopes': 'HTTP 500', 'policies': None})
    got = plan(facts)
    assert got['instance_ids'] == ['r1'] and pairs(got['findings']) == [('RDS-01', 'r1')]


def test_bad_input_is_refused_and_an_empty_message_is_no_error():
    with pytest.raises(compliance_base.ComplianceInputError, match='errors must map'):
        plan({'errors': ['policies']})
    with pytest.raises(compliance_base.ComplianceInputError, match='facts must be a dict'):
        plan(['r1'])
    assert plan(rds_facts({'r1': 0}, errors={'policies': None}))['instance_ids'] == ['r1']


# -- the section ----------------------------------------------------------------------------------------------------
def module_result(entries, **fields):
    """What the role registers from rds_auditlog_policy: {instance: (before keep_days, after keep_days, changed)}."""
    result = {'changed': any(changed for _before, _after, changed in entries.values()), 'writes': [], 'policies': [
        {'instance_id': instance_id, 'changed': changed,
         'before': {'keep_days': before, 'audit_types': ['SELECT'], 'enabled': before > 0},
         'after': {'keep_days': after, 'audit_types': ['SELECT'], 'enabled': after > 0}}
        for instance_id, (before, after, changed) in entries.items()]}
    result.update(fields)
    return result


def after_fix(keep_days_by_id):
    return evaluate(dict(compliant_facts(), rds_instances=[rds(i) for i in keep_days_by_id],
                         policies=[policy(i, keep) for i, keep in keep_days_by_id.items()],
                         audit_logs=[]), fail_on='never')


def test_a_real_run_lists_the_changes_and_the_findings_fixed():
    before = {'r1': 365, 'r2': 30, 'r3': 0}
    chosen = plan(rds_facts(before))
    report = after_fix({'r1': 365, 'r2': 180, 'r3': 180})
    section = compliance_remediation.section(report, chosen, module_result({'r2': (30, 180, True), 'r3': (0, 180, True)}))
    assert section['result'] == 'FIXED' and section['failed'] is False and section['requested'] is True
    assert [item['resource_id'] for item in section['changed']] == ['r2', 'r3']
    assert section['changed'][1]['before'] == {'keep_days': 0, 'audit_types': ['SELECT'], 'enabled': False}
    assert section['changed'][1]['after'] == {'keep_days': 180, 'audit_types': ['SELECT'], 'enabled': True}
    assert section['changed'][1]['checks'] == ['RDS-01']
    assert sorted(pairs(section['fixed_findings'])) == [('RDS-01', 'r3'), ('RDS-02', 'r2')]
    assert section['unresolved_findings'] == [] and section['would_change'] == [] and section['failed_instances'] == []
    assert section['message'] == 'remediation: 2 RDS instances changed to keep_days 180, 2 of 2 findings fixed'

    applied = compliance_remediation.apply(report, section)
    assert applied['remediation'] is section and 'remediation' not in report
    assert applied['summary']['remediation'] == 'FIXED'
    assert applied['summary']['message'] == report['summary']['message'] + '; ' + section['message']
    # Coloured with a class the page's stylesheet has.
    assert '<span class="verdict OK">FIXED</span>' in html_page.render_html(applied)


def test_check_mode_lists_what_would_change_and_fixes_nothing():
    chosen = plan(rds_facts({'r1': 0, 'r2': 7}))
    report = after_fix({'r1': 0, 'r2': 7})           # nothing was written: the same state
    section = compliance_remediation.section(report, chosen, module_result({'r1': (0, 180, True), 'r2': (7, 180, True)}),
                                             check_mode=True)
    assert section['result'] == 'WOULD_FIX' and section['failed'] is False and section['check_mode'] is True
    assert [item['resource_id'] for item in section['would_change']] == ['r1', 'r2']
    assert section['changed'] == [] and section['fixed_findings'] == [] and section['unresolved_findings'] == []
    assert section['message'].startswith('remediation (check mode): 2 RDS instances would be changed to keep_days 180')


def test_a_failed_write_names_the_instance_and_its_finding_stays_open():
    chosen = plan(rds_facts({'r2': 0, 'r3': 30}))
    report = after_fix({'r2': 180, 'r3': 30})
    result = module_result({'r2': (0, 180, True)}, failed=False, error={'status': 403}, msg=WRITE_ERROR,
                           writes=[{'instance_id': 'r2', 'body': {'keep_days': 180}, 'outcome': 'completed'},
                                   {'instance_id': 'r3', 'body': {'keep_days': 180}, 'outcome': 'refused', 'status': 403,
                                    'error': WRITE_ERROR}])
    section = compliance_remediation.section(report, chosen, result)
    assert section['result'] == 'ERROR' and section['failed'] is True
    assert section['failed_instances'] == [{'resource_id': 'r3', 'resource_name': 'rds-r3', 'message': WRITE_ERROR}]
    assert pairs(section['unresolved_findings']) == [('RDS-02', 'r3')]
    assert pairs(section['fixed_findings']) == [('RDS-01', 'r2')]
    assert 'FAILED for 1: r3: %s' % WRITE_ERROR in section['message'] and '\n' not in section['message']

    # A failure before any instance (no write, no policy): every instance is named with the module's message.
    section = compliance_remediation.section(after_fix({'r2': 0, 'r3': 30}), chosen,
                                             {'failed': False, 'error': {}, 'msg': 'HTTP 401 APIGW.0301: bad signature'})
    assert [item['resource_id'] for item in section['failed_instances']] == ['r2', 'r3']
    assert all(item['message'] == 'HTTP 401 APIGW.0301: bad signature' for item in section['failed_instances'])


def test_a_write_that_took_but_does_not_read_back_is_not_a_fix():
    chosen = plan(rds_facts({'r1': 0}))
    section = compliance_remediation.section(after_fix({'r1': 0}), chosen, module_result({'r1': (0, 180, True)}))
    assert section['failed'] is True and pairs(section['unresolved_findings']) == [('RDS-01', 'r1')]


def test_an_instance_compliant_when_read_again_is_unchanged():
    chosen = plan(rds_facts({'r1': 0}))
    section = compliance_remediation.section(after_fix({'r1': 200}), chosen, module_result({'r1': (200, 180, False)}))
    assert section['result'] == 'NOTHING_TO_FIX' and [item['resource_id'] for item in section['unchanged']] == ['r1']
    assert section['changed'] == []


def test_not_requested_and_nothing_to_fix():
    report = after_fix({'r1': 365})
    section = compliance_remediation.section(report, None, {'skipped': True}, requested=False)
    assert section['requested'] is False and section['result'] == 'NOT_REQUESTED' and section['failed'] is False
    applied = compliance_remediation.apply(report, section)
    assert applied['summary'] == report['summary'] and applied['remediation'] == section
    assert compliance_remediation.markdown_lines(section, str) == [] and compliance_remediation.html(section, str) == ''
    assert '## Remediation' not in markdown_page.render_markdown(applied)

    section = compliance_remediation.section(report, plan(rds_facts({'r1': 365})), {'skipped': True})
    assert section['result'] == 'NOTHING_TO_FIX' and section['failed'] is False and section['instances'] == 0
    with pytest.raises(compliance_base.ComplianceInputError, match='remediation_plan'):
        compliance_remediation.section(report, None, None)


# -- renderings -----------------------------------------------------------------------------------------------------
def hostile_report():
    facts = rds_facts({'r1': 0, 'r2': 30})
    facts['rds_instances'][0]['name'] = MARKDOWN_HOSTILE
    chosen = plan(facts)
    report = evaluate(dict(compliant_facts(), rds_instances=facts['rds_instances'], audit_logs=[],
                           policies=[policy('r1', 180), policy('r2', 30)]), fail_on='never')
    result = module_result({'r1': (0, 180, True)}, error={}, msg=MARKDOWN_HOSTILE,
                           writes=[{'instance_id': 'r2', 'body': {}, 'outcome': 'refused', 'error': '<script>x</script>'}])
    return compliance_remediation.apply(report, compliance_remediation.section(report, chosen, result))


def test_markdown_shows_the_section_with_every_value_escaped():
    markdown = markdown_page.render_markdown(hostile_report())
    assert '## Remediation' in markdown and '| Result | **ERROR** |' in markdown
    cells = _cell_texts_and_syntax(markdown)
    assert cells[MARKDOWN_HOSTILE] == set() and cells['<script>x</script>'] == set()
    assert '<script>' not in markdown


def test_html_shows_the_section_with_every_value_escaped():
    page = html_page.render_html(hostile_report())
    assert 'id="remediation"' in page and 'Failed (the findings stay open)' in page
    assert '<script>' not in page and '&lt;script&gt;x&lt;/script&gt;' in page
    assert '&lt;b&gt;bold&lt;/b&gt;' in page and '<b>bold</b>' not in page


# -- the role variable and the filters ------------------------------------------------------------------------------
@pytest.mark.parametrize('value', [True, False, 'yes', 'false'])
def test_remediate_takes_a_boolean(value):
    assert compliance_role_variables.role_variable_problems({'audit_compliance_remediate': value}) == []


@pytest.mark.parametrize('value', ['y', 'maybe', None, [True]])
def test_remediate_refuses_anything_else(value):
    assert compliance_role_variables.role_variable_problems({'audit_compliance_remediate': value}) == [
        'audit_compliance_remediate must be true or false, got %r' % (value,)]


def test_the_filters_refuse_bad_input_with_one_line():
    with pytest.raises(AnsibleFilterError, match='audit_compliance_remediation_plan expects a dict'):
        remediation_filter.audit_compliance_remediation_plan(['r1'])
    with pytest.raises(AnsibleFilterError, match='audit_compliance_remediation_plan: min_retention_days must be'):
        remediation_filter.audit_compliance_remediation_plan(rds_facts({'r1': 0}), min_retention_days=-1)
    with pytest.raises(AnsibleFilterError, match='audit_compliance_remediation expects the dict'):
        remediation_filter.audit_compliance_remediation({'summary': {}})
    report = after_fix({'r1': 180})
    with pytest.raises(AnsibleFilterError, match="requested must be a boolean, got 'maybe'"):
        remediation_filter.audit_compliance_remediation(report, None, None, requested='maybe')
    got = remediation_filter.audit_compliance_remediation(report, None, None, requested='false', check_mode='true')
    assert got['remediation']['result'] == 'NOT_REQUESTED' and got['remediation']['check_mode'] is True
    assert sorted(remediation_filter.FilterModule().filters()) == ['audit_compliance_remediation',
                                                                   'audit_compliance_remediation_plan']
