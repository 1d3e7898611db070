# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:

    # Which audited SQL statements are read: the instances and the filters of dbss_sql_info and dbss_sql_export (the
    # period and limit are in audit_records).
    DOCUMENTATION = r'''
options:
  client_ip:
    description:
      - Only statements sent from this client IP address (exact). Sent to the service.
    type: str
  client_name:
    description:
      - Only statements of this client (exact). Sent to the service.
    type: str
  db_ip:
    description:
      - Only statements sent to the database at this IP address (exact). Sent to the service.
    type: str
  db_user:
    description:
      - Only statements of this database user (exact, case-sensitive). Sent to the service.
    type: str
  instance_id:
    description:
      - ID of one audit instance. Exactly one of O(instance_id) and O(instance_ids) is required.
    type: str
  instance_ids:
    description:
      - IDs of several audit instances, for example C({{ dbss.instances | map(attribute='id') }}). An empty list
        gives no statement.
    type: list
    elements: str
  mask_literals:
    description:
      - Replace every string and number literal of each statement's text (C(sql_statement)) with C(?), for example
        C(UPDATE users SET password = ? WHERE id = ?).
      - Audited statements hold whatever the applications sent, passwords (C(CREATE USER ... IDENTIFIED BY)) and
        personal data included, and what a task returns or writes ends up in logs, callbacks, AWX job output and
        evidence stores. Mask them unless the text itself is needed, and consider C(no_log) on a task that
        returns them.
      - Single- and double-quoted text (double quotes also around identifiers in some dialects), dollar-quoted
        strings and decimal, hexadecimal and binary numbers are masked, and comments lose their text (C(-- ?),
        C(/* ? */), C(# ?)); back-quoted identifiers and digits inside names are kept. O(statement_contains) is
        matched against the original text.
      - The dialect is not known, so quoting is read both with backslash escapes (MySQL) and without (PostgreSQL
        standard strings, SQL Server); when the two readings disagree (C('C:\')), or a comment or C([name]) could be
        read two ways, the rest of the statement from there is masked (more, never less).
    type: bool
    default: false
  query_type:
    description:
      - Only statements of this type (the operation). Sent to the service.
    type: str
    choices: [CREATE_TABLE, CREATE_TABLESPACE, CREATE_USER, DELETE, DROP_TABLE, DROP_TABLESPACE, DROP_USER, GRANT,
              INSERT, INSERT_SELECT, LOGIN, SELECT, SELECT_FOR_UPDATE, UPDATE]
  risk_levels:
    description:
      - Only statements of these risk levels.
      - One level is sent to the service; the API takes only one, so with several every statement of the period
        is read and filtered here (more requests, and windows are split as soon as they reach 10,000).
    type: list
    elements: str
    choices: [HIGH, LOW, MEDIUM, NO_RISK]
  sql_response:
    description:
      - Only statements that succeeded or failed. Sent to the service.
    type: str
    choices: [FAILED, SUCCESS]
  statement_contains:
    description:
      - Only statements whose text contains this, ignoring case. Sent to the service (C(sql_statement)) and
        checked again here.
    type: str
'''
