"""DBSS audit data: audited SQL statements, alarm logs, risk and SQL-injection rules, alarm notification topics.

Nothing here draws from a region's main random stream, so the data generated before this module existed stays
identical. The plan (which instances are misconfigured on purpose, which ones saw DROP TABLE statements) is made
once per region from its own stream; everything else is generated on first use, per instance, from streams keyed by
(seed, region, instance id), so the data never depends on the order it is asked for in.

Statements are kept as compact tuples sorted by time and turned into API dicts only when answered, so a query is two
binary searches plus a slice (or a scan of the window when filtered), and 100,000 statements per instance stay cheap.
"""

import bisect
import collections.abc
import datetime
import hashlib
import random
import threading

DBSS_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

RISK_LEVELS = ("HIGH", "MEDIUM", "LOW", "NO_RISK")
ALARM_RISKS = ("LOW", "MEDIUM", "HIGH")
ALARM_STATUSES = ("DONE", "UNDO")
# AlarmLogRequest.type / AlarmLogResponseNewAlarmLog.alarm_type in the SDK.
ALARM_TYPES = ("RISK_RULE", "RISK_CPU", "RISK_MEMORY", "RISK_DISK", "RISK_DISK_CAPACITY", "RISK_BACKUP", "AUDIT_QPS_OVERFLOW", "RISK_AGENT",
               "AUDIT_BACKUP_FAILED")
# AuditSqlRequest.query_type in the SDK; ALL means no filter.
QUERY_TYPES = ("LOGIN", "CREATE_TABLE", "CREATE_TABLESPACE", "DROP_TABLE", "DROP_TABLESPACE", "DELETE", "INSERT", "INSERT_SELECT", "SELECT",
               "SELECT_FOR_UPDATE", "UPDATE", "CREATE_USER", "DROP_USER", "GRANT", "OPERATE", "ALL")
SQL_RESPONSES = ("SUCCESS", "FAILED")
TIME_RANGES = {"HALF_HOUR": 1800, "HOUR": 3600, "THREE_HOUR": 3 * 3600, "TWELVE_HOUR": 12 * 3600, "DAY": 86400, "WEEK": 7 * 86400,
               "MONTH": 30 * 86400}

# Profiles of the instances misconfigured on purpose (picked among ACTIVE instances, each group disjoint).
PROFILE_NORMAL = "normal"
PROFILE_RISK_RULES_OFF = "risk_rules_off"                    # every risk rule OFF
PROFILE_SQL_INJECTION_RULES_OFF = "sql_injection_rules_off"  # every SQL injection rule OFF
PROFILE_NO_ALARM_TOPIC = "no_alarm_topic"                    # alarm_switch OFF, alarm_topic_urn null
PROFILE_STALE_HIGH_ALARMS = "stale_high_alarms"              # HIGH alarms left UNDO for 4-10 days
MISCONFIGURED_PROFILES = (PROFILE_RISK_RULES_OFF, PROFILE_SQL_INJECTION_RULES_OFF, PROFILE_NO_ALARM_TOPIC, PROFILE_STALE_HIGH_ALARMS)

# An alarm older than this is acknowledged (DONE) unless its instance is on the stale profile: HIGH always, others mostly.
ACK_AFTER_SECONDS = 72 * 3600
ALARMS_PER_DAY = 0.5

# The DROP TABLE statements planted on `drop_table_instances`: always this user, from this client.
DROP_TABLE_USER = "jdoe"
DROP_TABLE_CLIENT_IP = "192.168.10.77"
DROP_TABLE_CLIENT_NAME = "Navicat Premium"
DROP_TABLE_INSTANCES = 2
_DROPPED_TABLES = ("customers_backup", "orders_2024", "payments_old")

# System risk rules (RuleRiskResponseRules): name, type (LOGIN/OPERATE), feature, risk_level. Rank is the position.
RISK_RULE_DROP_TABLE = "DROP TABLE detection"
RISK_RULE_DUMP = "Database dump detection"
RISK_RULE_MASS_DELETE = "Mass data deletion"
RISK_RULE_PRIVILEGE = "Privilege change"
RISK_RULE_LOGIN_FAILURE = "Login failure"
RISK_RULE_SLOW_SQL = "Slow SQL detection"
_SYSTEM_RISK_RULES = (
    (RISK_RULE_DROP_TABLE, "OPERATE", "Operation types: DROP_TABLE, DROP_TABLESPACE", "HIGH"),
    (RISK_RULE_DUMP, "OPERATE", "Operation type: SELECT; rows returned > 10000", "HIGH"),
    (RISK_RULE_MASS_DELETE, "OPERATE", "Operation type: DELETE; rows affected > 1000", "HIGH"),
    (RISK_RULE_PRIVILEGE, "OPERATE", "Operation types: GRANT, CREATE_USER, DROP_USER", "MEDIUM"),
    (RISK_RULE_LOGIN_FAILURE, "LOGIN", "Login result: FAILED", "MEDIUM"),
    (RISK_RULE_SLOW_SQL, "OPERATE", "Execution time > 1 s", "LOW"),
)
_CUSTOM_RISK_RULES = (
    ("Access to the salaries table", "OPERATE", "Operated object: hr.salaries", "MEDIUM"),
    ("After-hours admin activity", "OPERATE", "DB user: admin; time: 22:00-06:00", "LOW"),
)
# SQL injection rules (SqlRuleResponseRules): name, risk_level, feature, regex.
INJECTION_UNION = "UNION query injection"
INJECTION_BOOLEAN = "Boolean-based blind injection"
INJECTION_TIME = "Time-based blind injection"
INJECTION_ERROR = "Error-based injection"
INJECTION_STACKED = "Stacked queries"
INJECTION_COMMENT = "Comment truncation"
INJECTION_PROBE = "Database probing"
_SQL_INJECTION_RULES = (
    (INJECTION_UNION, "HIGH", "UNION SELECT", r"(?i)\bunion(\s+all)?\s+select\b"),
    (INJECTION_BOOLEAN, "HIGH", "' OR 1=1", r"(?i)'\s*or\s+'?\d+'?\s*=\s*'?\d+"),
    (INJECTION_TIME, "HIGH", "SLEEP() / BENCHMARK()", r"(?i)\b(sleep|benchmark|pg_sleep)\s*\("),
    (INJECTION_ERROR, "MEDIUM", "EXTRACTVALUE() / UPDATEXML()", r"(?i)\b(extractvalue|updatexml)\s*\("),
    (INJECTION_STACKED, "MEDIUM", "a second statement after ';'", r"(?i);\s*(update|delete|insert|drop|alter|create)\b"),
    (INJECTION_COMMENT, "MEDIUM", "a comment after a quote", r"'\s*(--|#)"),
    (INJECTION_PROBE, "LOW", "information_schema / @@version", r"(?i)information_schema|@@version"),
)
# Planted injection attempts: statement, query type, rules that may flag it (first ON one wins).
_INJECTION_ATTEMPTS = (
    ("SELECT id, name FROM users WHERE name = '' OR 1=1 -- ' AND password = 'x'", "SELECT", "users", (INJECTION_BOOLEAN, INJECTION_COMMENT)),
    ("SELECT id, title FROM products WHERE id = 7 UNION SELECT user, authentication_string FROM mysql.user -- ", "SELECT", "products",
     (INJECTION_UNION,)),
    ("SELECT * FROM orders WHERE id = 1 AND SLEEP(5)", "SELECT", "orders", (INJECTION_TIME,)),
    ("SELECT * FROM customers WHERE email = 'a@example.com' AND EXTRACTVALUE(1, CONCAT(0x7e, VERSION()))", "SELECT", "customers",
     (INJECTION_ERROR,)),
    ("SELECT name FROM users WHERE id = 1; UPDATE users SET role = 'admin' WHERE id = 1", "SELECT", "users", (INJECTION_STACKED,)),
    ("SELECT @@version, user(), database() FROM information_schema.tables", "SELECT", "tables", (INJECTION_PROBE,)),
)
_APP_SERVERS = (("10.0.1.11", "JDBC"), ("10.0.1.12", "JDBC"), ("10.0.1.13", "JDBC"), ("10.0.1.14", "HikariCP"))

# Record tuple layout (sorted by time, then ordinal).
_TS, _ORD, _STMT, _USER, _CIP, _CNAME, _DBIP, _DBINST, _QTYPE, _TABLE, _RULE, _RISK, _RESP = range(13)

_NAMES = ("alice", "bob", "chen.wei", "dmitri", "eva", "farid", "grace", "hiro", "ines", "jonas")
_STATUSES = ("PAID", "PENDING", "SHIPPED", "CANCELLED")


def _day(rng):
    return "2026-%02d-%02d" % (1 + int(rng.random() * 12), 1 + int(rng.random() * 28))


def _num(rng, low, high):
    return low + int(rng.random() * (high - low + 1))


def _money(rng):
    return "%.2f" % (rng.random() * 5000)


# Templates: query type, table, risk rule (or None), statement builder. Literals are strings and numbers, for masking tests.
_TEMPLATES = {
    "select_customer": ("SELECT", "customers", None, lambda r: "SELECT id, name, email FROM customers WHERE id = %d" % _num(r, 1, 99999)),
    "select_orders": ("SELECT", "orders", None, lambda r: "SELECT id, total FROM orders WHERE status = '%s' AND created_at >= '%s'"
                      % (_STATUSES[int(r.random() * 4)], _day(r))),
    "select_payments": ("SELECT", "payments", None, lambda r: "SELECT COUNT(*) FROM payments WHERE amount > %s" % _money(r)),
    "select_user": ("SELECT", "users", None, lambda r: "SELECT id, password_hash FROM users WHERE email = '%s@example.com'"
                    % _NAMES[int(r.random() * len(_NAMES))]),
    "select_report": ("SELECT", "orders", None, lambda r: "SELECT region, SUM(total) FROM orders WHERE created_at BETWEEN '%s' AND '%s' GROUP BY region"
                      % (_day(r), _day(r))),
    "select_slow": ("SELECT", "orders", RISK_RULE_SLOW_SQL,
                    lambda r: "SELECT c.id, SUM(o.total) FROM customers c JOIN orders o ON o.customer_id = c.id WHERE o.created_at >= '%s' GROUP BY c.id"
                    % _day(r)),
    "select_dump": ("SELECT", "customers", RISK_RULE_DUMP, lambda r: "SELECT * FROM customers"),
    "select_for_update": ("SELECT_FOR_UPDATE", "accounts", None, lambda r: "SELECT balance FROM accounts WHERE id = %d FOR UPDATE" % _num(r, 1, 50000)),
    "insert_order": ("INSERT", "orders", None, lambda r: "INSERT INTO orders (customer_id, total, status) VALUES (%d, %s, '%s')"
                     % (_num(r, 1, 99999), _money(r), _STATUSES[int(r.random() * 4)])),
    "insert_trail": ("INSERT", "audit_trail", None, lambda r: "INSERT INTO audit_trail (user_name, action) VALUES ('%s', 'login')"
                     % _NAMES[int(r.random() * len(_NAMES))]),
    "insert_select": ("INSERT_SELECT", "orders_archive", None, lambda r: "INSERT INTO orders_archive SELECT * FROM orders WHERE created_at < '%s'" % _day(r)),
    "update_phone": ("UPDATE", "customers", None, lambda r: "UPDATE customers SET phone = '+86 138%08d' WHERE id = %d"
                     % (_num(r, 0, 99999999), _num(r, 1, 99999))),
    "update_balance": ("UPDATE", "accounts", None, lambda r: "UPDATE accounts SET balance = balance - %s WHERE id = %d" % (_money(r), _num(r, 1, 50000))),
    "delete_sessions": ("DELETE", "sessions", None, lambda r: "DELETE FROM sessions WHERE last_seen < '%s'" % _day(r)),
    "delete_mass": ("DELETE", "order_items", RISK_RULE_MASS_DELETE, lambda r: "DELETE FROM order_items"),
    "login": ("LOGIN", "", None, lambda r: "LOGIN"),
    "login_failed": ("LOGIN", "", RISK_RULE_LOGIN_FAILURE, lambda r: "LOGIN"),
    "create_table": ("CREATE_TABLE", "tmp_report", None, lambda r: "CREATE TABLE tmp_report_%d (id INT PRIMARY KEY, total DECIMAL(12,2))" % _num(r, 1, 999)),
    "alter_table": ("OPERATE", "orders", None, lambda r: "ALTER TABLE orders ADD COLUMN note_%d VARCHAR(255)" % _num(r, 1, 999)),
    "truncate": ("OPERATE", "tmp_report", None, lambda r: "TRUNCATE TABLE tmp_report_%d" % _num(r, 1, 999)),
    "set_mode": ("OPERATE", "", None, lambda r: "SET SESSION sql_mode = 'STRICT_TRANS_TABLES'"),
    "grant": ("GRANT", "", RISK_RULE_PRIVILEGE, lambda r: "GRANT SELECT ON shop.* TO 'report'@'10.0.2.%'"),
    "create_user": ("CREATE_USER", "", RISK_RULE_PRIVILEGE,
                    lambda r: "CREATE USER 'tmp_%d'@'%%' IDENTIFIED BY 'Tmp#%04d'" % (_num(r, 1, 99), _num(r, 0, 9999))),
    "drop_user": ("DROP_USER", "", RISK_RULE_PRIVILEGE, lambda r: "DROP USER 'tmp_%d'@'%%'" % _num(r, 1, 99)),
}
# Database users: weight, clients (ip, name), template weights. `jdoe` is rare, and the one who drops tables.
_SQL_USERS = (
    ("app", 60, _APP_SERVERS,
     {"select_customer": 25, "select_orders": 15, "select_user": 10, "select_for_update": 5, "insert_order": 12, "insert_trail": 5, "update_phone": 6,
      "update_balance": 6, "delete_sessions": 4, "login": 8, "login_failed": 1, "select_payments": 3}),
    ("report", 20, (("10.0.2.20", "Metabase"), ("10.0.2.21", "Tableau")),
     {"select_report": 40, "select_slow": 20, "select_payments": 20, "select_orders": 10, "login": 10}),
    ("admin", 10, (("192.168.10.5", "mysql"), ("192.168.10.6", "MySQL Workbench")),
     {"select_customer": 10, "alter_table": 8, "set_mode": 10, "create_table": 8, "grant": 6, "create_user": 4, "drop_user": 2, "login": 20,
      "login_failed": 6, "select_dump": 3, "delete_mass": 1, "update_phone": 10, "truncate": 5, "select_user": 7}),
    ("etl_batch", 6, (("10.0.3.30", "python-pymysql"),),
     {"insert_select": 30, "select_orders": 30, "select_slow": 10, "truncate": 10, "create_table": 10, "login": 10}),
    ("backup_svc", 3, (("10.0.3.31", "mysqldump"),), {"select_dump": 40, "login": 60}),
    (DROP_TABLE_USER, 1, ((DROP_TABLE_CLIENT_IP, DROP_TABLE_CLIENT_NAME),), {"select_customer": 30, "select_user": 30, "login": 20, "login_failed": 20}),
)
_FAILED_RATE = 0.02
_SCHEMA = "shop"

_ALARM_TYPE_WEIGHTS = (("RISK_RULE", 45), ("RISK_CPU", 12), ("RISK_MEMORY", 10), ("RISK_DISK", 8), ("AUDIT_QPS_OVERFLOW", 8), ("RISK_AGENT", 7),
                       ("RISK_DISK_CAPACITY", 5), ("RISK_BACKUP", 5))
_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def format_time(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime(DBSS_TIME_FORMAT)


def parse_time(text):
    return int(datetime.datetime.strptime(text, DBSS_TIME_FORMAT).replace(tzinfo=datetime.timezone.utc).timestamp())


def _rule_id(rng):
    value = rng.getrandbits(120)
    chars = []
    for _unused in range(20):
        value, digit = divmod(value, 62)
        chars.append(_ID_ALPHABET[digit])
    return "".join(chars)


def _cumulative(weights):
    total, out = 0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out, total


def _pick(rng, items, cumulative):
    cum, total = cumulative
    return items[bisect.bisect_right(cum, rng.random() * total)]


_USER_CUM = _cumulative([u[1] for u in _SQL_USERS])
_USER_TEMPLATES = [(tuple(t for t in u[3]), _cumulative(list(u[3].values()))) for u in _SQL_USERS]
_ALARM_TYPE_CUM = _cumulative([w for _t, w in _ALARM_TYPE_WEIGHTS])


def sql_dict(record, id_prefix):
    """The API's `sql` object (AuditSqlResponseSql) for a record tuple."""
    table = record[_TABLE]
    objects = [] if not table else [{"column_name": "", "object_type": "", "schema_name": _SCHEMA, "sql_type": record[_QTYPE], "sys_name": "",
                                     "table_name": table}]
    return {
        "id": "%s%08x" % (id_prefix, record[_ORD]),
        "sql_statement": record[_STMT],
        "client_ip": record[_CIP],
        "client_name": record[_CNAME],
        "db_ip": record[_DBIP],
        "db_user": record[_USER],
        "query_type": record[_QTYPE],
        "operated_obj_info": objects,
        "rule_name": record[_RULE],
        "risk_level": record[_RISK],
        "start_time": format_time(record[_TS]),
        "sql_response": record[_RESP],
        "db_instance": record[_DBINST],
    }


class SqlSeries:
    """One instance's statements: tuples sorted by (time, ordinal), plus their times for bisection."""

    def __init__(self, records, id_prefix):
        self.records = records
        self.times = [r[_TS] for r in records]
        self.id_prefix = id_prefix

    def __len__(self):
        return len(self.records)

    def window(self, start_ts, end_ts):
        """Records with start_ts <= time <= end_ts, oldest first."""
        lo = bisect.bisect_left(self.times, start_ts)
        hi = bisect.bisect_right(self.times, end_ts)
        return self.records[lo:hi] if hi > lo else []

    def select(self, start_ts, end_ts, predicate=None, descending=True, offset=0, limit=None):
        """(total, page of API dicts): the matching records of the window in time order, then the slice."""
        lo = bisect.bisect_left(self.times, start_ts)
        hi = bisect.bisect_right(self.times, end_ts)
        if predicate is None:
            total = max(0, hi - lo)
            stop = total if limit is None else min(total, offset + limit)
            if offset >= stop:
                return total, []
            if descending:
                page = self.records[hi - stop:hi - offset][::-1]
            else:
                page = self.records[lo + offset:lo + stop]
        else:
            matched = [r for r in self.records[lo:hi] if predicate(r)] if hi > lo else []
            total = len(matched)
            if descending:
                matched.reverse()
            page = matched[offset:] if limit is None else matched[offset:offset + limit]
        return total, [sql_dict(r, self.id_prefix) for r in page]

    def dicts(self, limit=None):
        """The statements as API dicts, newest first (the newest `limit` of them, or all)."""
        records = self.records if limit is None else self.records[max(0, len(self.records) - limit):]
        return [sql_dict(r, self.id_prefix) for r in reversed(records)]


def sql_predicate(risk_levels=None, client_ip=None, client_name=None, db_ip=None, db_user=None, query_type=None, rule_name=None, sql_statement=None,
                  sql_response=None):
    """A record filter: exact match for levels, IPs, user, query type and response; case-insensitive substring for the rest."""
    checks = []
    if risk_levels:
        levels = frozenset(risk_levels)
        checks.append(lambda r: r[_RISK] in levels)
    for index, value in ((_CIP, client_ip), (_DBIP, db_ip), (_USER, db_user), (_QTYPE, query_type), (_RESP, sql_response)):
        if value is not None:
            checks.append(lambda r, i=index, v=value: r[i] == v)
    for index, value in ((_CNAME, client_name), (_RULE, rule_name), (_STMT, sql_statement)):
        if value is not None:
            checks.append(lambda r, i=index, v=value.lower(): v in r[i].lower())
    if not checks:
        return None
    if len(checks) == 1:
        return checks[0]
    return lambda r: all(check(r) for check in checks)


class AuditPlan:
    """Region-wide decisions, made once from the region's own audit-data stream."""

    def __init__(self, profiles, drop_table_instances, created, now, log_days):
        self.profiles = profiles                          # instance id -> profile
        self.drop_table_instances = drop_table_instances  # instance ids, in planting order
        self._created = created                           # instance id -> its `created` (DBSS time format, UTC)
        self._now = now
        self._log_days = log_days

    def window(self, inst_id):
        """(start_ts, stop_ts) of the instance's audit history: from max(now - log_days, created) to now."""
        created = parse_time(self._created[inst_id])
        stop = int(self._now.timestamp())
        return max(stop - self._log_days * 86400, created), stop


def _text_time(now, days_back):
    """now - days_back in the DBSS time format (which sorts as text); a negative days_back gives a time before any `created`."""
    if days_back < 0:
        return "0000"
    return (now - datetime.timedelta(days=days_back)).astimezone(datetime.timezone.utc).strftime(DBSS_TIME_FORMAT)


def make_plan(seed, region, instances, now, log_days, clean):
    """Pick the misconfigured instances (disjoint groups of ACTIVE ones) and the ones that saw DROP TABLE statements.

    Call it with the instances as generated (before the clean profile touches them), so both profiles plant DROP TABLE on
    the same instances. With clean=True every instance is 'normal'.
    """
    rng = random.Random("%s:%s:auditdata" % (seed, region))
    profiles = {inst["id"]: PROFILE_NORMAL for inst in instances}
    created = {inst["id"]: inst["created"] for inst in instances}
    active = [inst["id"] for inst in instances if inst["status"] == "ACTIVE"]
    rng.shuffle(active)
    per_profile = max(1, len(active) // 8) if len(active) >= 2 * len(MISCONFIGURED_PROFILES) else 0
    # Stale alarms need 11 days of history (they are 4 to 10 days old); `created` sorts as text.
    stale_before = _text_time(now, log_days if log_days >= 11 else -1)
    stale = [i for i in active if created[i] <= stale_before][:per_profile]
    others = [i for i in active if i not in stale]
    for position, profile in enumerate(MISCONFIGURED_PROFILES[:-1]):
        for inst_id in others[position * per_profile:(position + 1) * per_profile]:
            profiles[inst_id] = profile
    for inst_id in stale:
        profiles[inst_id] = PROFILE_STALE_HIGH_ALARMS
    # DROP TABLE goes to normal instances with a whole history (created before it starts).
    history_start = _text_time(now, log_days)
    candidates = [i for i in active if profiles[i] == PROFILE_NORMAL and created[i] <= history_start] if log_days >= 1 else []
    drop = sorted(rng.sample(candidates, min(DROP_TABLE_INSTANCES, len(candidates))), key=candidates.index)
    if clean:
        profiles = {inst_id: PROFILE_NORMAL for inst_id in profiles}
    return AuditPlan(profiles, drop, created, now, log_days)


class InstanceAudit:
    """Everything one audit instance holds apart from its statements; dicts are in the API's wire shapes."""

    def __init__(self):
        self.profile = PROFILE_NORMAL
        self.risk_rules = []           # RuleRiskResponseRules dicts, by rank
        self.sql_injection_rules = []  # SqlRuleResponseRules dicts, by rank
        self.alarm_topic = {}          # ListAlarmTopicConfigInfoNewResponse
        self.alarms = []               # AlarmLogResponseNewAlarmLog dicts, newest first
        self.planted = []              # planted statement tuples (DROP TABLE, injection attempts), oldest first
        self.databases = []            # (db_ip, db_instance) the statements run against
        self.window = (0, 0)
        self.id_prefix = ""
        self._on_rules = {}

    def rule_risk(self, candidates):
        """(rule_name, risk_level) of the first ON rule among candidates, else ("", "NO_RISK")."""
        for name in candidates:
            level = self._on_rules.get(name)
            if level is not None:
                return name, level
        return "", "NO_RISK"

    def finish(self):
        self._on_rules = {r["name"]: r["risk_level"] for r in self.risk_rules + self.sql_injection_rules if r["status"] == "ON"}


class AuditDataStore:
    """Lazily generated audit data of one region's instances (thread-safe, independent of access order)."""

    def __init__(self, seed, region, project_id, plan, databases, sql_per_day, clean):
        self._seed = seed
        self._region = region
        self._project_id = project_id
        self.plan = plan
        self._databases = databases      # instance id -> [{"database": {...}}] (read only)
        self._sql_per_day = sql_per_day
        self._clean = clean
        self._bundles = {}
        self._series = {}
        self._lock = threading.Lock()
        self._series_lock = threading.Lock()

    def __contains__(self, inst_id):
        return inst_id in self.plan.profiles

    def ids(self):
        return list(self.plan.profiles)

    def bundle(self, inst_id):
        if inst_id not in self.plan.profiles:
            raise KeyError(inst_id)
        with self._lock:
            cached = self._bundles.get(inst_id)
            if cached is None:
                cached = self._build(inst_id)
                self._bundles[inst_id] = cached
        return cached

    def series(self, inst_id):
        bundle = self.bundle(inst_id)
        with self._series_lock:
            cached = self._series.get(inst_id)
            if cached is None:
                cached = _generate_sqls(bundle, "%s:%s:%s:auditsql" % (self._seed, self._region, inst_id), self._sql_per_day)
                self._series[inst_id] = cached
        return cached

    def reset(self):
        """Forget everything generated or added while running (live.py): the next use generates the seeded data again,
        identical, since it depends only on (seed, region, instance id)."""
        with self._lock, self._series_lock:
            self._bundles.clear()
            self._series.clear()

    def sql_count(self, inst_id):
        """How many statements the instance has, without generating them."""
        bundle = self.bundle(inst_id)
        return _sql_volume(bundle.window, self._sql_per_day) + len(bundle.planted)

    # generation ------------------------------------------------------------------------------------------------------
    def _build(self, inst_id):
        rng = random.Random("%s:%s:%s:auditdata" % (self._seed, self._region, inst_id))
        bundle = InstanceAudit()
        bundle.profile = profile = self.plan.profiles[inst_id]
        bundle.window = self.plan.window(inst_id)
        bundle.id_prefix = hashlib.sha256(("%s:%s:%s:sql" % (self._seed, self._region, inst_id)).encode("utf-8")).hexdigest()[:24]
        bundle.databases = [(item["database"]["ip"], item["database"]["instance_name"]) for item in self._databases.get(inst_id, [])]
        if not bundle.databases:
            bundle.databases = [("10.20.%d.%d" % (rng.randrange(256), rng.randrange(1, 255)), "ecs-db-%s" % inst_id[:8])]
        bundle.risk_rules = self._risk_rules(rng, profile)
        bundle.sql_injection_rules = self._injection_rules(rng, profile)
        bundle.alarm_topic = self._alarm_topic(rng, profile, inst_id)
        bundle.finish()
        bundle.planted = self._planted(rng, bundle, inst_id)
        bundle.alarms = self._alarms(rng, bundle)
        return bundle

    def _risk_rules(self, rng, profile):
        rules = []
        custom = _CUSTOM_RISK_RULES[:rng.randrange(len(_CUSTOM_RISK_RULES) + 1)]
        for rank, (name, kind, feature, level) in enumerate(_SYSTEM_RISK_RULES + custom, start=1):
            draw = rng.random()
            system = rank <= len(_SYSTEM_RISK_RULES)
            if self._clean:
                status = "ON"
            elif profile == PROFILE_RISK_RULES_OFF:
                status = "OFF"
            elif system:
                # Slow SQL detection is sometimes turned off (noisy); the other system rules stay on.
                status = "OFF" if name == RISK_RULE_SLOW_SQL and draw < 0.25 else "ON"
            else:
                status = "ON" if draw < 0.5 else "OFF"
            rules.append({"id": _rule_id(rng), "name": name, "type": kind, "feature": feature, "status": status, "rank": rank, "risk_level": level,
                          "rule_type": "SYSTEM" if system else "CUSTOMIZE"})
        return rules

    def _injection_rules(self, rng, profile):
        rules = []
        for rank, (name, level, feature, regex) in enumerate(_SQL_INJECTION_RULES, start=1):
            draw = rng.random()
            if self._clean:
                status = "ON"
            elif profile == PROFILE_SQL_INJECTION_RULES_OFF:
                status = "OFF"
            else:
                status = "OFF" if name == INJECTION_PROBE and draw < 0.3 else "ON"
            rules.append({"id": _rule_id(rng), "name": name, "status": status, "risk_level": level, "type": "SYSTEM", "rank": rank, "feature": feature,
                          "regex": regex})
        return rules

    def _alarm_topic(self, rng, profile, inst_id):
        levels = ["high", "medium", "low"] if rng.random() < 0.4 else ["high", "medium"]
        threshold = str(rng.choice((80, 80, 85, 90)))
        topic = {"alarm_cpu": threshold, "alarm_disk": threshold, "alarm_memory": threshold, "alarm_num": str(rng.choice((100, 200, 500))),
                 "alarm_risk": levels, "alarm_switch": "ON", "alarm_topic_urn": "urn:smn:%s:%s:dbss-alarm-%s" % (self._region, self._project_id, inst_id[:8]),
                 "smn_effective": True}
        if profile == PROFILE_NO_ALARM_TOPIC and not self._clean:
            topic.update(alarm_switch="OFF", alarm_topic_urn=None)
        return topic

    def _planted(self, rng, bundle, inst_id):
        start, stop = bundle.window
        span = stop - start
        planted = []
        ordinal = 1 << 28   # planted ordinals never meet generated ones
        if span < 2 * 3600:
            return planted
        if inst_id in self.plan.drop_table_instances:
            db_ip, db_inst = bundle.databases[0]
            for table in rng.sample(_DROPPED_TABLES, 2):
                ts = start + 3600 + int(rng.random() * (span - 2 * 3600))
                rule, risk = bundle.rule_risk((RISK_RULE_DROP_TABLE,))
                planted.append((ts, ordinal, "DROP TABLE %s" % table, DROP_TABLE_USER, DROP_TABLE_CLIENT_IP, DROP_TABLE_CLIENT_NAME, db_ip, db_inst,
                                "DROP_TABLE", table, rule, risk, "SUCCESS"))
                ordinal += 1
        for _unused in range(rng.randint(3, 6)):
            statement, qtype, table, candidates = _INJECTION_ATTEMPTS[rng.randrange(len(_INJECTION_ATTEMPTS))]
            client_ip, client_name = _APP_SERVERS[rng.randrange(len(_APP_SERVERS))]
            db_ip, db_inst = bundle.databases[rng.randrange(len(bundle.databases))]
            ts = start + 3600 + int(rng.random() * (span - 2 * 3600))
            response = "FAILED" if rng.random() < 0.5 else "SUCCESS"
            rule, risk = bundle.rule_risk(candidates)
            planted.append((ts, ordinal, statement, "app", client_ip, client_name, db_ip, db_inst, qtype, table, rule, risk, response))
            ordinal += 1
        planted.sort(key=lambda r: (r[_TS], r[_ORD]))
        return planted

    def _alarms(self, rng, bundle):
        start, now = bundle.window
        span = now - start
        topic = bundle.alarm_topic
        on_rules = [r for r in bundle.risk_rules if r["status"] == "ON"]
        stale = bundle.profile == PROFILE_STALE_HIGH_ALARMS
        alarms = []

        def add(ts, kind, risk, description, fixed_after, force_undo=False):
            age = now - ts
            draw = rng.random()
            if force_undo:
                status = "UNDO"
            elif age > ACK_AFTER_SECONDS:
                status = "DONE" if risk == "HIGH" or draw < 0.9 else "UNDO"
            else:
                status = "UNDO" if draw < 0.6 else "DONE"
            ongoing = fixed_after is None or ts + fixed_after > now
            send = topic["alarm_switch"] == "ON" and bool(topic["alarm_topic_urn"]) and risk.lower() in topic["alarm_risk"]
            alarms.append({"id": "%032x" % rng.getrandbits(128), "alarm_life": "ON" if ongoing else "OFF", "send_email": send,
                           "alarm_time": format_time(ts), "alarm_type": kind, "alarm_fix_time": None if ongoing else format_time(ts + fixed_after),
                           "alarm_status": status, "alarm_risk": risk, "alarm_description": description})

        if span <= 0:
            return alarms
        for _unused in range(int(span / 86400 * ALARMS_PER_DAY)):
            ts = start + int(rng.random() * span)
            kind = _pick(rng, _ALARM_TYPE_WEIGHTS, _ALARM_TYPE_CUM)[0]
            if kind == "RISK_RULE" and not on_rules:
                kind = "RISK_CPU"
            usage = _num(rng, 81, 99)
            if kind == "RISK_RULE":
                rule = on_rules[rng.randrange(len(on_rules))]
                add(ts, kind, rule["risk_level"] if rule["risk_level"] in ALARM_RISKS else "LOW",
                    "Risk rule [%s] matched %d statement(s)" % (rule["name"], _num(rng, 1, 40)), 0)
            elif kind in ("RISK_CPU", "RISK_MEMORY", "RISK_DISK"):
                what, threshold = {"RISK_CPU": ("CPU", "alarm_cpu"), "RISK_MEMORY": ("Memory", "alarm_memory"), "RISK_DISK": ("Disk", "alarm_disk")}[kind]
                add(ts, kind, "HIGH" if usage >= 95 else "MEDIUM", "%s usage %d%% exceeds the threshold %s%%" % (what, usage, topic[threshold]),
                    _num(rng, 300, 7200))
            elif kind == "AUDIT_QPS_OVERFLOW":
                add(ts, kind, "MEDIUM", "Audit traffic exceeded the instance's capacity; storage of audit records is delayed", _num(rng, 600, 3600))
            elif kind == "RISK_AGENT":
                add(ts, kind, "HIGH", "Audit agent on %s stopped reporting" % bundle.databases[0][0], _num(rng, 600, 86400))
            elif kind == "RISK_DISK_CAPACITY":
                add(ts, kind, "HIGH", "Disk capacity will not hold six months of audit data", _num(rng, 86400, 7 * 86400))
            else:
                add(ts, kind, "LOW" if rng.random() < 0.5 else "MEDIUM", "Backup of audit data to OBS failed", _num(rng, 3600, 86400))
        for record in bundle.planted:
            if record[_RISK] in ALARM_RISKS:
                add(record[_TS] + _num(rng, 30, 300), "RISK_RULE", record[_RISK],
                    "Risk rule [%s] matched a statement of %s from %s on %s" % (record[_RULE], record[_USER], record[_CIP], record[_DBIP]), 0)
        if stale and span > 5 * 86400:
            oldest = min(span - 3600, 10 * 86400)
            for kind in ("RISK_RULE", "RISK_AGENT", "RISK_DISK_CAPACITY")[:rng.randint(2, 3)]:
                ts = now - 4 * 86400 - int(rng.random() * (oldest - 4 * 86400))
                if kind == "RISK_RULE":
                    add(ts, kind, "HIGH", "Risk rule [%s] matched %d statement(s)" % (RISK_RULE_DUMP, _num(rng, 1, 40)), 0, force_undo=True)
                elif kind == "RISK_AGENT":
                    add(ts, kind, "HIGH", "Audit agent on %s stopped reporting" % bundle.databases[0][0], None, force_undo=True)
                else:
                    add(ts, kind, "HIGH", "Disk capacity will not hold six months of audit data", None, force_undo=True)
        alarms.sort(key=lambda a: (a["alarm_time"], a["id"]), reverse=True)
        return alarms


def _sql_volume(window, per_day):
    span = window[1] - window[0]
    return int(span * per_day / 86400) if span > 0 else 0


def _generate_sqls(bundle, seed_key, per_day):
    """The instance's statements: `per_day` a day, uniformly over its window, plus the planted ones."""
    rng = random.Random(seed_key)
    start, stop = bundle.window
    span = stop - start
    count = _sql_volume(bundle.window, per_day)
    rand = rng.random
    times = sorted(start + int(rand() * span) for _unused in range(count))
    databases = bundle.databases
    ndb = len(databases)
    users = _SQL_USERS
    user_cum = _USER_CUM
    resolved = {}
    records = []
    append = records.append
    for ordinal, ts in enumerate(times):
        user_index = bisect.bisect_right(user_cum[0], rand() * user_cum[1])
        user, _weight, clients, _templates = users[user_index]
        names, cum = _USER_TEMPLATES[user_index]
        key = names[bisect.bisect_right(cum[0], rand() * cum[1])]
        qtype, table, rule, build = _TEMPLATES[key]
        client_ip, client_name = clients[int(rand() * len(clients))]
        db_ip, db_inst = databases[int(rand() * ndb)]
        statement = build(rng)
        if key == "login_failed":
            response = "FAILED"
        else:
            response = "FAILED" if rand() < _FAILED_RATE else "SUCCESS"
        if rule is None:
            rule_name, risk = "", "NO_RISK"
        else:
            found = resolved.get(rule)
            if found is None:
                found = resolved[rule] = bundle.rule_risk((rule,))
            rule_name, risk = found
        append((ts, ordinal, statement, user, client_ip, client_name, db_ip, db_inst, qtype, table, rule_name, risk, response))
    if bundle.planted:
        records.extend(bundle.planted)
        records.sort(key=lambda r: (r[_TS], r[_ORD]))
    return SqlSeries(records, bundle.id_prefix)


class BundleView(collections.abc.Mapping):
    """instance id -> one attribute of its InstanceAudit (generated on first use)."""

    def __init__(self, store, attribute):
        self._store = store
        self._attribute = attribute

    def __getitem__(self, inst_id):
        return getattr(self._store.bundle(inst_id), self._attribute)

    def __iter__(self):
        return iter(self._store.ids())

    def __len__(self):
        return len(self._store.ids())


class PlantedSqlView(BundleView):
    """instance id -> {"drop_table": [...], "sql_injection": [...]}: the planted statements as API dicts, oldest first."""

    def __init__(self, store):
        super().__init__(store, "planted")

    def __getitem__(self, inst_id):
        bundle = self._store.bundle(inst_id)
        drops = [sql_dict(r, bundle.id_prefix) for r in bundle.planted if r[_QTYPE] == "DROP_TABLE"]
        injections = [sql_dict(r, bundle.id_prefix) for r in bundle.planted if r[_QTYPE] != "DROP_TABLE"]
        return {"drop_table": drops, "sql_injection": injections}


class SqlView(collections.abc.Mapping):
    """instance id -> every statement as an API dict, newest first (generated on first use; meant for tests)."""

    def __init__(self, store):
        self._store = store

    def __getitem__(self, inst_id):
        return self._store.series(inst_id).dicts()

    def __iter__(self):
        return iter(self._store.ids())

    def __len__(self):
        return len(self._store.ids())

    def series(self, inst_id):
        return self._store.series(inst_id)

    def count(self, inst_id):
        """The number of statements, without generating them."""
        return self._store.sql_count(inst_id)
