# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The role's variables, checked before its first request: a mistake is reported under the name the user set (not
as the module option it would have turned into) and never costs a request."""

import re

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import clip
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.base import ComplianceInputError, as_bool
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.checks import FAIL_ON_CHOICES
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.frameworks import PROFILE_NAMES

# (variable, kind, allowed)
ROLE_VARIABLES = (
    ('audit_compliance_connection', 'dict', None),
    ('audit_compliance_dbss_instance_ids', 'ids', None),
    ('audit_compliance_rds_instance_ids', 'ids', None),
    ('audit_compliance_expiry_warning_days', 'int', (0, 3650)),
    ('audit_compliance_min_retention_days', 'int', (0, 732)),
    ('audit_compliance_remediate', 'bool', None),
    ('audit_compliance_log_freshness_hours', 'int', (1, 732 * 24)),
    ('audit_compliance_require_full_audit', 'bool', None),
    ('audit_compliance_alarm_ack_hours', 'int', (0, 365 * 24)),
    ('audit_compliance_fail_on', 'choice', FAIL_ON_CHOICES),
    ('audit_compliance_profile', 'profile', PROFILE_NAMES),
    ('audit_compliance_report_dir', 'path', None),
    ('audit_compliance_report_mode', 'mode', None),
    ('audit_compliance_concurrency', 'int', (1, 64)),
    ('audit_compliance_export_logs', 'bool', None),
)
_DIGITS = re.compile(r'^[+-]?\d{1,12}$')
_MODE = re.compile(r'^0?[0-7]{3}$')


def _role_variable_problem(name, kind, allowed, value):
    got = clip(repr(value), 60)
    if kind == 'dict':
        return None if isinstance(value, dict) else '%s must be a dict of connection options, got %s' % (name, got)
    if kind == 'ids':
        if value is None:
            return None
        if not isinstance(value, (list, tuple)):
            return ('%s must be a list of IDs (or null for all), got %s; write a YAML list, even for one ID'
                    % (name, got))
        if not all(isinstance(item, str) and item.strip() for item in value):
            return '%s must contain only non-empty ID strings, got %s' % (name, got)
        return None
    if kind == 'int':
        minimum, maximum = allowed
        text = str(value).strip()
        if isinstance(value, bool) or not _DIGITS.match(text) or not minimum <= int(text) <= maximum:
            return '%s must be an integer from %d to %d, got %s' % (name, minimum, maximum, got)
        return None
    if kind == 'bool':
        try:
            as_bool(name, value)
        except ComplianceInputError:
            return '%s must be true or false, got %s' % (name, got)
        return None
    if kind == 'choice':
        if str(value if value is not None else '').strip().lower() not in allowed:
            return '%s must be one of %s, got %s' % (name, ', '.join(allowed), got)
        return None
    if kind == 'profile':
        if value is not None and (not isinstance(value, str) or value.strip().lower() not in allowed + ('',)):
            return '%s must be one of %s, or empty for none, got %s' % (name, ', '.join(allowed), got)
        return None
    if kind == 'path':
        if not isinstance(value, str) or not value.strip() or '\x00' in value:
            return '%s must be a directory path, got %s' % (name, got)
        return None
    if not isinstance(value, str) or not _MODE.match(value):
        return ("%s must be a quoted octal file mode such as '0640' or '0600', got %s" % (name, got))
    return None


def role_variable_problems(values):
    """One line per role variable in ``values`` (name -> value) that the role cannot work with, naming the
    variable and its allowed values; an empty list when all are fine. Variables not in ``values`` are not checked."""
    problems = []
    for name, kind, allowed in ROLE_VARIABLES:
        if name in values:
            problem = _role_variable_problem(name, kind, allowed, values[name])
            if problem:
                problems.append(problem)
    unknown = sorted(set(values) - set(name for name, _kind, _allowed in ROLE_VARIABLES))
    if unknown:
        problems.append('unknown role variable(s): %s' % ', '.join(unknown))
    return problems


# ---------------------------------------------------------------------------------------------------------------
