# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the modules that read audited SQL statements share (``dbss_sql_info`` returns them, ``dbss_sql_export``
writes them to a file): the options, documented once in the ``hwcloud.dbaudit.audit_sql_query`` and
``hwcloud.dbaudit.audit_records`` doc fragments, their checks before any request, and the fetch itself."""

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.base_module import HuaweiCloudModule
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.common_options import (
    INSTANCE_SELECTION_KWARGS,
    concurrency_spec,
    instance_selection_spec,
)
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss_audit_data import (
    QUERY_TYPES,
    SQL_RESPONSES,
    SQL_RISK_LEVELS,
    check_limit,
    check_period,
    check_text_filters,
    describe_window,
    list_audit_sqls,
)
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.times import parse_time_range

TEXT_FILTERS = ('client_ip', 'client_name', 'db_ip', 'db_user', 'statement_contains')
FILTERS = TEXT_FILTERS + ('query_type', 'risk_levels', 'sql_response')


def audit_sql_query_spec(default_limit):
    """The query options of the statement modules; only the default of ``limit`` differs between them."""
    return dict(
        instance_selection_spec(),
        client_ip=dict(type='str'),
        client_name=dict(type='str'),
        db_ip=dict(type='str'),
        db_user=dict(type='str'),
        end_time=dict(type='str', default='now'),
        limit=dict(type='int', default=default_limit),
        mask_literals=dict(type='bool', default=False),
        query_type=dict(type='str', choices=list(QUERY_TYPES)),
        risk_levels=dict(type='list', elements='str', choices=list(SQL_RISK_LEVELS)),
        sql_response=dict(type='str', choices=list(SQL_RESPONSES)),
        start_time=dict(type='str', default='-24h'),
        statement_contains=dict(type='str'),
        **concurrency_spec()
    )


class SqlQuery:
    """The checked query options: ``instance_ids``, ``start``, ``end``, ``filters``, ``limit``, ``mask``."""

    def __init__(self, instance_ids, start, end, filters, limit, mask):
        self.instance_ids = instance_ids
        self.start = start
        self.end = end
        self.filters = filters
        self.limit = limit
        self.mask = mask


class AuditSqlQueryModule(HuaweiCloudModule):
    """A module that reads audited SQL statements; subclasses set ``argument_spec`` from ``audit_sql_query_spec``."""
    module_kwargs = INSTANCE_SELECTION_KWARGS

    def sql_query(self):
        """The query options, checked: a bad one is refused here, before any request."""
        start, end = parse_time_range(self.params['start_time'], self.params['end_time'])
        check_period(start, end)
        check_text_filters(self.params, TEXT_FILTERS)
        limit = check_limit(self.params['limit'])
        filters = dict((name, self.params[name]) for name in FILTERS)
        return SqlQuery(self.selected_instance_ids(), start, end, filters, limit, self.params['mask_literals'])

    def fetch_sqls(self, query):
        """``list_audit_sqls``'s result (``sqls``, ``truncated_windows``, ``limit_reached``, ``start_time``,
        ``end_time``), each truncated window named in a warning. A failure raises as ``list_audit_sqls`` does."""
        result = list_audit_sqls(self.client, query.instance_ids, query.start, query.end, query.filters, query.limit,
                                 query.mask, max_workers=self.concurrency)
        for window in result['truncated_windows']:
            self.ansible.warn('the service returned only %d of %s statements of %s' % (
                window['returned'], window['total'], describe_window(window)))
        return result
