# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which controls of which compliance framework each check evidences, and the thresholds a framework profile sets.

Pure data and two functions, no I/O and no import of the evaluation (``compliance.py`` imports this file):
``frameworks_section()`` turns the report's ``checks`` into the report's ``frameworks`` section, and
``profile_settings()`` raises thresholds to what a profile requires.

Controls are cited by number and a short title only (no control text is reproduced). The mapping says which
controls a check provides evidence for, not that passing it satisfies a control: an assessor decides that.
"""


# framework id -> its name; the order of the report's section.
FRAMEWORKS = (
    ('mlps_level3', 'MLPS 2.0 (GB/T 22239-2019) level 3'),
    ('iso27001', 'ISO/IEC 27001:2022 Annex A'),
    ('pci_dss', 'PCI DSS v4.0'),
    ('soc2', 'SOC 2 (Trust Services Criteria)'),
)
FRAMEWORK_NAMES = dict(FRAMEWORKS)

# framework id -> ((control id, short title), ...), in the order of the framework.
CONTROLS = {
    'mlps_level3': (
        ('8.1.4.3 a', '安全审计 Security audit (computing environment): audit enabled, covering users and important '
                      'security events'),
        ('8.1.4.3 c', '安全审计 Security audit (computing environment): audit records protected and retained'),
        ('8.1.4.3 d', '安全审计 Security audit (computing environment): audit process protected from interruption'),
        ('8.1.4.4 e', '入侵防范 Intrusion prevention (computing environment): known vulnerabilities found and fixed'),
        ('8.1.4.4 f', '入侵防范 Intrusion prevention (computing environment): intrusions detected and alarmed'),
    ),
    'iso27001': (
        ('8.8', 'Management of technical vulnerabilities'),
        ('8.15', 'Logging'),
        ('8.16', 'Monitoring activities'),
    ),
    'pci_dss': (
        ('6.3.3', 'Security patches and updates installed'),
        ('10.2.1', 'Audit logs enabled and active'),
        ('10.4.1', 'Audit logs and security events reviewed'),
        ('10.5.1', 'Audit log history retained for at least 12 months'),
        ('10.7.2', 'Failures of critical security control systems detected and alerted'),
        ('11.5.1', 'Intrusion detection and prevention techniques in use'),
    ),
    'soc2': (
        ('CC7.2', 'Monitoring of system components for anomalies'),
    ),
}

# check id -> {framework id: (control id, ...)}. Every check evidences at least one control.
CHECK_CONTROLS = {
    'DBSS-01': {'mlps_level3': ('8.1.4.3 a', '8.1.4.3 d'), 'iso27001': ('8.15',), 'pci_dss': ('10.2.1', '10.7.2'),
                'soc2': ('CC7.2',)},
    'DBSS-02': {'mlps_level3': ('8.1.4.3 d',), 'iso27001': ('8.15',), 'pci_dss': ('10.7.2',)},
    'DBSS-03': {'mlps_level3': ('8.1.4.3 a',), 'iso27001': ('8.15',), 'pci_dss': ('10.2.1',), 'soc2': ('CC7.2',)},
    'DBSS-04': {'mlps_level3': ('8.1.4.3 a',), 'iso27001': ('8.15',), 'pci_dss': ('10.2.1',)},
    'DBSS-05': {'mlps_level3': ('8.1.4.3 a',), 'iso27001': ('8.15',), 'pci_dss': ('10.2.1',), 'soc2': ('CC7.2',)},
    'DBSS-06': {'mlps_level3': ('8.1.4.4 e',), 'iso27001': ('8.8',), 'pci_dss': ('6.3.3',)},
    'DBSS-07': {'mlps_level3': ('8.1.4.3 a',), 'iso27001': ('8.16',), 'pci_dss': ('10.4.1',), 'soc2': ('CC7.2',)},
    'DBSS-08': {'mlps_level3': ('8.1.4.4 f',), 'iso27001': ('8.16',), 'pci_dss': ('11.5.1',), 'soc2': ('CC7.2',)},
    'DBSS-09': {'mlps_level3': ('8.1.4.4 f',), 'iso27001': ('8.16',), 'pci_dss': ('10.4.1',), 'soc2': ('CC7.2',)},
    'DBSS-10': {'mlps_level3': ('8.1.4.4 f',), 'iso27001': ('8.16',), 'pci_dss': ('10.4.1',), 'soc2': ('CC7.2',)},
    'RDS-01': {'mlps_level3': ('8.1.4.3 a',), 'iso27001': ('8.15',), 'pci_dss': ('10.2.1',), 'soc2': ('CC7.2',)},
    'RDS-02': {'mlps_level3': ('8.1.4.3 c',), 'iso27001': ('8.15',), 'pci_dss': ('10.5.1',)},
    'RDS-03': {'mlps_level3': ('8.1.4.3 d',), 'iso27001': ('8.15',), 'pci_dss': ('10.2.1', '10.7.2'),
               'soc2': ('CC7.2',)},
    'COV-01': {'mlps_level3': ('8.1.4.3 a', '8.1.4.3 c'), 'iso27001': ('8.15',), 'pci_dss': ('10.2.1', '10.5.1'),
               'soc2': ('CC7.2',)},
    'COV-02': {'mlps_level3': ('8.1.4.3 a', '8.1.4.3 d'), 'iso27001': ('8.15',), 'pci_dss': ('10.2.1', '10.7.2'),
               'soc2': ('CC7.2',)},
}

# A check's status for a control, best first; a control's status is the worst of its checks'. An unknown result
# ranks above a violation, as in the summary's result: nothing about the control can be claimed. WAIVED: every
# violation of the check is covered by a waiver (compliance_waivers.py), an accepted risk, not a pass.
STATUSES = ('PASS', 'NOT_EVALUATED', 'WAIVED', 'FAIL', 'ERROR')
_RANK = dict((status, rank) for rank, status in enumerate(STATUSES))

# profile -> (framework it follows, the minimum of each threshold it sets). A profile only tightens: a threshold set
# stricter than the profile's keeps its value. MLPS level 3: six months of logs (Cybersecurity Law, art. 21);
# PCI DSS 10.5.1: twelve months. ISO 27001 and SOC 2 set no number.
PROFILES = {
    'mlps_level3': {'min_retention_days': 180},
    'pci_dss': {'min_retention_days': 365},
    'iso27001': {},
    'soc2': {},
}
PROFILE_NAMES = tuple(framework for framework, _name in FRAMEWORKS)
# Thresholds where a higher number is stricter (the others, none yet, would be stricter lower).
STRICTER_HIGHER = ('min_retention_days', 'expiry_warning_days')


def check_status(check, evaluated=True):
    """PASS, FAIL, WAIVED, ERROR or NOT_EVALUATED for one entry of the report's ``checks``: ERROR when any result is
    unknown, FAIL when any resource fails, NOT_EVALUATED when the check is off or applied to no resource."""
    if check.get('errors'):
        return 'ERROR'
    if check.get('failed'):
        return 'FAIL'
    if check.get('waived'):
        return 'WAIVED'
    if not evaluated or not check.get('checked'):
        return 'NOT_EVALUATED'
    return 'PASS'


def worst(statuses):
    """The worst of ``statuses``; NOT_EVALUATED when there are none."""
    return max(statuses or ['NOT_EVALUATED'], key=lambda status: _RANK[status])


def frameworks_section(checks, not_evaluated=()):
    """framework id -> {name, status, controls: control id -> {title, status, checks: [{id, status}]}} for the
    report's ``checks``; ``not_evaluated`` names checks that were switched off (DBSS-04 without full audit)."""
    statuses = dict((check['id'], check_status(check, check['id'] not in not_evaluated)) for check in checks)
    section = {}
    for framework, name in FRAMEWORKS:
        controls = {}
        for control, title in CONTROLS[framework]:
            mapped = [{'id': check['id'], 'status': statuses[check['id']]} for check in checks
                      if control in CHECK_CONTROLS.get(check['id'], {}).get(framework, ())]
            if mapped:
                controls[control] = {'title': title, 'checks': mapped,
                                     'status': worst([item['status'] for item in mapped])}
        section[framework] = {'name': name, 'controls': controls,
                              'status': worst([item['status'] for item in controls.values()])}
    return section


def profile_settings(profile, settings):
    """``settings`` with each threshold raised to the minimum ``profile`` requires (never loosened), and the list of
    threshold names it raised. ``profile`` is a name of PROFILES, or None/empty for none."""
    if not profile:
        return dict(settings), []
    raised = []
    result = dict(settings)
    for key, minimum in sorted(PROFILES[profile].items()):
        if key in STRICTER_HIGHER and result[key] < minimum:
            result[key] = minimum
            raised.append(key)
    return result, raised
