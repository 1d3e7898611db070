"""The filter plugin of the audit_compliance role, loaded the way Ansible loads it."""

import datetime
import xml.etree.ElementTree as ET

import pytest

from ansible.errors import AnsibleFilterError
from ansible.plugins.loader import filter_loader


def load(name):
    plugin = filter_loader.get('hwcloud.dbaudit.' + name)
    assert plugin is not None, name
    return plugin.j2_function


FACTS = {'dbss_instances': [{'id': 'a1', 'name': 'one', 'status': 'SHUTOFF', 'region': 'cn-north-4'}],
         'scopes': [{'instance_id': 'a1', 'status': 'ON', 'all_audit': True}],
         'databases': [{'instance_id': 'a1', 'status': 'ON'}]}


def test_report_filter_and_renderers():
    report = load('audit_compliance_report')(FACTS, fail_on='medium', generated_at='2026-03-01T04:00:00Z')
    assert [(v['check'], v['resource_id']) for v in report['violations']] == [('DBSS-01', 'a1')]
    assert report['summary']['generated_at'] == '2026-03-01T04:00:00Z' and report['summary']['failed'] is True
    assert report['summary']['region'] == 'cn-north-4'
    assert '## DBSS-01 ' in load('audit_compliance_markdown')(report)
    assert ET.fromstring(load('audit_compliance_junit')(report).encode()).get('failures') == '1'
    assert load('audit_compliance_html')(report).startswith('<!DOCTYPE html>')


def test_generated_at_defaults_to_now():
    report = load('audit_compliance_report')({})
    generated = datetime.datetime.strptime(report['summary']['generated_at'], '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=datetime.timezone.utc)
    assert abs(datetime.datetime.now(datetime.timezone.utc) - generated) < datetime.timedelta(minutes=1)


@pytest.mark.parametrize('call, message', [
    (lambda: load('audit_compliance_report')([]), 'expects a dict of gathered facts'),
    (lambda: load('audit_compliance_report')({}, fail_on='sometimes'), 'fail_on must be one of'),
    (lambda: load('audit_compliance_report')({}, generated_at='soon'), 'generated_at'),
    (lambda: load('audit_compliance_html')({'summary': {}}), 'expects the dict made by'),
])
def test_bad_input_is_a_filter_error(call, message):
    with pytest.raises(AnsibleFilterError, match=message):
        call()


def test_evidence_of_an_export_and_its_folder_reach_the_report():
    export = {'changed': True, 'files': [], 'manifest': '/r/ev/manifest.json', 'sha256sums': '/r/ev/SHA256SUMS',
              'counts': {'listed': 0}, 'start_time': '2026-02-28T04:00:00+0000', 'end_time': '2026-03-01T04:00:00+0000'}
    report = load('audit_compliance_report')(dict(FACTS, evidence=export), evidence_dir='ev')
    assert report['evidence']['manifest'] == 'ev/manifest.json' and report['evidence']['result'] == 'OK'
    assert '<a href="ev/manifest.json">' in load('audit_compliance_html')(report)
    with pytest.raises(AnsibleFilterError, match='evidence_dir must be a relative path'):
        load('audit_compliance_report')(dict(FACTS, evidence=export), evidence_dir='../ev')


def test_check_vars_names_export_logs():
    assert load('audit_compliance_check_vars')({'audit_compliance_export_logs': 'maybe'}) == [
        "audit_compliance_export_logs must be true or false, got 'maybe'"]
    assert load('audit_compliance_check_vars')({'audit_compliance_export_logs': True}) == []


def test_csv_filter_and_profile():
    report = load('audit_compliance_report')(FACTS, profile='pci_dss', generated_at='2026-03-01T04:00:00Z')
    assert report['summary']['profile'] == 'pci_dss' and report['summary']['thresholds']['min_retention_days'] == 365
    assert report['frameworks']['pci_dss']['controls']['10.2.1']['status'] == 'FAIL'
    text = load('audit_compliance_csv')(report)
    assert text.splitlines()[0].startswith('check,severity,result,') and len(text.splitlines()) == 2
    with pytest.raises(AnsibleFilterError, match='expects the dict made by'):
        load('audit_compliance_csv')({'summary': {}})
    with pytest.raises(AnsibleFilterError, match='profile must be one of'):
        load('audit_compliance_report')(FACTS, profile='hipaa')
