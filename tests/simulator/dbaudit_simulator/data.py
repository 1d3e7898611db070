"""Deterministic seeded data: DBSS audit instances, scopes, databases, RDS instances, audit policies and logs, and the
DBSS audit data (statements, alarms, rules, alarm topics; see auditdata.py).

Each region draws from its own random.Random keyed by (seed, region), so adding a region never changes
another region's data, and equal configs always give identical data.
"""

import datetime
import hashlib
import json
import random
import threading

from .auditdata import AuditDataStore, BundleView, PlantedSqlView, SqlView, make_plan
from .auditlogs import DEFAULT_LOG_FILE_KB, AuditLogStore, LogSeriesSpec

DBSS_STATUSES = ("SHUTOFF", "ACTIVE", "DELETING", "BUILD", "DELETED", "ERROR", "HAWAIT", "FROZEN", "UPGRADING")
_NON_ACTIVE = tuple(s for s in DBSS_STATUSES if s != "ACTIVE")
_TASK_BY_STATUS = {"ACTIVE": "NO_TASK", "SHUTOFF": "powering-off", "DELETING": "delete_wait", "BUILD": "NO_TASK", "DELETED": "NO_TASK",
                   "ERROR": "NO_TASK", "HAWAIT": "NO_TASK", "FROZEN": "NO_TASK", "UPGRADING": "NO_TASK"}
# (resource_spec_code, specification, cpu, ram MB, database_limit)
_DBSS_SPECS = (
    ("dbss.bypassaudit.low", "Low | 3 Proxy", 4, 16384, 3),
    ("dbss.bypassaudit.medium", "Medium | 6 Proxy", 8, 32768, 6),
    ("dbss.bypassaudit.high", "High | 30 Proxy", 16, 65536, 30),
)
_DBSS_VERSIONS = ("21.04.16.164614", "22.08.25.093022", "23.04.27.170516")
_DBSS_NEW_VERSION = "24.06.12.101010"
_DBSS_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_RDS_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
_SCOPE_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_DB_TYPES = (("MYSQL", "8.0", "3306"), ("MYSQL", "5.7", "3306"), ("POSTGRESQL", "14", "5432"), ("ORACLE", "19c", "1521"),
             ("SQLSERVER", "2019", "1433"), ("GAUSSDBOPENGAUSS", "3.2", "8000"))
# (datastore type, versions, complete version, port, db_user_name)
_RDS_ENGINES = {
    "MySQL": (("5.7", "8.0"), "8.0.28.231003", 3306, "root"),
    "PostgreSQL": (("14", "15"), "14.8.2", 5432, "root"),
    "SQLServer": (("2019_SE",), "2019.15.0.4345", 1433, "rdsuser"),
}
# The audit log actions of an RDS for MySQL instance, by category, as the API reference's ShowAuditlogPolicy sample
# prints them (issue 19; SDK ShowAuditlogPolicyResponse types all_audit_log_action as str).
AUDIT_LOG_ACTION_CATEGORIES = (
    ("DCL", ("CREATE_USER", "DROP_USER", "RENAME_USER", "GRANT", "REVOKE", "ALTER_USER", "ALTER_USER_DEFAULT_ROLE")),
    ("DDL", ("CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE", "REPAIR", "OPTIMIZE")),
    ("DML", ("INSERT", "DELETE", "UPDATE", "REPLACE", "SELECT")),
    ("OTHER", ("BEGIN/COMMIT/ROLLBACK", "PREPARED_STATEMENT", "CALL_PROCEDURE", "KILL", "SET_OPTION", "CHANGE_DB", "UNINSTALL_PLUGIN",
               "INSTALL_PLUGIN")),
)
ALL_AUDIT_LOG_ACTIONS = tuple(action for _category, actions in AUDIT_LOG_ACTION_CATEGORIES for action in actions)
# What the policy read serves as all_audit_log_action: JSON text (a string), never a list. PostgreSQL's value is not
# documented; "{}" is one of the plausible answers the client tolerates.
MYSQL_AUDIT_LOG_ACTION_TEXT = json.dumps({category: ",".join(actions) for category, actions in AUDIT_LOG_ACTION_CATEGORIES},
                                         separators=(",", ":"))
POSTGRESQL_AUDIT_LOG_ACTION_TEXT = "{}"


def offered_actions(policy):
    """The actions a policy's all_audit_log_action text offers (what a write's audit_types may name)."""
    categories = json.loads(policy["all_audit_log_action"] or "{}")
    return [action for actions in categories.values() for action in actions.split(",") if action]


# keep_days cycle for MySQL instances: audit off (0), below 180 days (7, 30), and compliant values.
_KEEP_DAYS_CYCLE = (180, 0, 7, 365, 732, 30, 180, 0, 365, 1)
# keep_days cycle for PostgreSQL instances (the policy API serves them too; they have no audit_types and no log files).
_PG_KEEP_DAYS_CYCLE = (0, 30, 365)
# Engines with an SQL audit policy; the others (SQL Server) can only be audited by DBSS.
_POLICY_ENGINES = ("MySQL", "PostgreSQL")
# DBSS "instances" response shape renames two keys (see NOTES.md).
_INSTANCES_SHAPE_KEYS = {"id": "instance_id", "connect_ipv6": "connectIpv6"}


def _hex(rng, nbytes):
    return "%0*x" % (nbytes * 2, rng.getrandbits(nbytes * 8))


def _uuid(rng):
    h = _hex(rng, 16)
    # RFC 4122 version-4 layout: version nibble 4, variant nibble 8-b.
    return "%s-%s-4%s-%s%s-%s" % (h[:8], h[8:12], h[13:16], "89ab"[int(h[16], 16) & 3], h[17:20], h[20:])


def _ip(index, base=0xC0A80000 + 10):
    value = base + index
    return "%d.%d.%d.%d" % (value >> 24 & 255, value >> 16 & 255, value >> 8 & 255, value & 255)


def _derived_hex(*parts, length=32):
    return hashlib.sha256(":".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:length]


def _rng_factory(key):
    return random.Random(key)


class RegionData:
    """Everything one region holds; lists are in the order the APIs return them."""

    def __init__(self, name, project_id, domain_id):
        self.name = name
        self.project_id = project_id
        self.domain_id = domain_id
        self.instances = []
        self.scopes = {}
        self.databases = {}
        self.rds_instances = []
        self.audit_policies = {}
        self.audit_logs = None
        # DBSS audit data (auditdata.py), per audit instance id; the mappings generate an instance's data on first use.
        self.audit_data = None
        self.audit_profiles = {}          # id -> "normal" or one of auditdata.MISCONFIGURED_PROFILES
        self.drop_table_instances = []    # ids of the instances with planted DROP TABLE statements
        self.risk_rules = {}              # id -> RuleRiskResponseRules dicts
        self.sql_injection_rules = {}     # id -> SqlRuleResponseRules dicts
        self.alarm_topics = {}            # id -> ListAlarmTopicConfigInfoNewResponse dict
        self.audit_alarms = {}            # id -> AlarmLogResponseNewAlarmLog dicts, newest first
        self.audit_sql_events = {}        # id -> {"drop_table": [...], "sql_injection": [...]} (AuditSqlResponseSql dicts)
        self.audit_sqls = {}              # id -> every AuditSqlResponseSql dict, newest first (SqlView)
        self.instances_by_id = {}
        self.rds_by_id = {}
        self._json_cache = {}
        self._cache_lock = threading.Lock()

    def instance_json_items(self, shape):
        """Per-instance JSON fragments for a response shape, built once so big pages are cheap to serve."""
        with self._cache_lock:
            items = self._json_cache.get(shape)
            if items is None:
                if shape == "instances":
                    items = [json.dumps({_INSTANCES_SHAPE_KEYS.get(k, k): v for k, v in inst.items()}) for inst in self.instances]
                else:
                    items = [json.dumps(inst) for inst in self.instances]
                self._json_cache[shape] = items
        return items

    def to_dict(self):
        return {
            "name": self.name,
            "project_id": self.project_id,
            "domain_id": self.domain_id,
            "instances": self.instances,
            "scopes": self.scopes,
            "databases": self.databases,
            "rds_instances": self.rds_instances,
            "audit_policies": self.audit_policies,
            "audit_logs": {rds_id: self.audit_logs[rds_id] for rds_id in self.audit_logs},
        }

    def audit_data_dict(self):
        """The DBSS audit data (kept out of to_dict, whose output is pinned): everything but the statements themselves, which
        are too many; their planted DROP TABLE and injection statements are in `audit_sql_events`."""
        return {
            "name": self.name,
            "project_id": self.project_id,
            "audit_profiles": self.audit_profiles,
            "drop_table_instances": self.drop_table_instances,
            "audit_sql_counts": {inst_id: self.audit_sqls.count(inst_id) for inst_id in self.audit_sqls},
            "risk_rules": dict(self.risk_rules),
            "sql_injection_rules": dict(self.sql_injection_rules),
            "alarm_topics": dict(self.alarm_topics),
            "audit_alarms": dict(self.audit_alarms),
            "audit_sql_events": dict(self.audit_sql_events),
        }


class SimulatorData:
    def __init__(self, config, now):
        self.config = config
        self.now = now
        self.domain_id = _derived_hex(config.seed, "domain")
        self.regions = {}
        for region in config.regions:
            self.regions[region] = _generate_region(config, region, now, self.domain_id)
        self.regions_by_project = {r.project_id: r for r in self.regions.values()}

    def to_dict(self):
        return {"now": self.now.isoformat(), "domain_id": self.domain_id, "regions": {name: r.to_dict() for name, r in self.regions.items()}}

    def audit_data_dict(self):
        """GET /_sim/audit-data: each region's RegionData.audit_data_dict()."""
        return {"now": self.now.isoformat(), "regions": {name: r.audit_data_dict() for name, r in self.regions.items()}}


def _generate_region(config, region, now, domain_id):
    rng = random.Random("%s:%s" % (config.seed, region))
    data = RegionData(region, _derived_hex(config.seed, region, "project"), domain_id)
    vpcs = [_uuid(rng) for _unused in range(3)]
    subnets = {vpc: [_uuid(rng), _uuid(rng)] for vpc in vpcs}
    security_groups = [_uuid(rng), _uuid(rng)]
    network = (vpcs, subnets, security_groups)
    data.rds_instances = _generate_rds_instances(rng, config, region, now, network)
    data.rds_by_id = {r["id"]: r for r in data.rds_instances}
    data.instances = _generate_dbss_instances(rng, config, region, now, network)
    data.instances_by_id = {i["id"]: i for i in data.instances}
    data.scopes = _generate_scopes(rng, config, data.instances)
    data.databases = _generate_databases(rng, config, data.instances, data.rds_instances)
    data.audit_policies, specs = _generate_audit_setup(rng, config, region, now, data.rds_instances)
    # Drawn after everything else, each from its own stream, so that the data above is what it always was.
    data.audit_policies.update(_generate_postgresql_policies(data.rds_instances))
    _mark_rds_audit_switch_mismatch(config, region, data)
    # Planned from the instances as generated (before the clean profile changes them), with its own random stream.
    plan = make_plan(config.seed, region, data.instances, now, config.log_days, config.clean)
    if config.clean:
        specs = _apply_clean_profile(config, region, now, data)
    data.audit_logs = AuditLogStore(specs, _rng_factory)
    _attach_audit_data(config, region, data, plan)
    return data


def _attach_audit_data(config, region, data, plan):
    store = AuditDataStore(config.seed, region, data.project_id, plan, data.databases, config.sql_per_instance_per_day, config.clean)
    data.audit_data = store
    data.audit_profiles = dict(plan.profiles)
    data.drop_table_instances = list(plan.drop_table_instances)
    data.risk_rules = BundleView(store, "risk_rules")
    data.sql_injection_rules = BundleView(store, "sql_injection_rules")
    data.alarm_topics = BundleView(store, "alarm_topic")
    data.audit_alarms = BundleView(store, "alarms")
    data.audit_sql_events = PlantedSqlView(store)
    data.audit_sqls = SqlView(store)


_CLEAN_MIN_REMAIN_DAYS = 90
_CLEAN_MIN_KEEP_DAYS = 180


def _apply_clean_profile(config, region, now, data):
    """Make the generated region compliant (SimulatorConfig.clean); returns the audit-log specs to use.

    Runs after the normal generation, so the default profile draws exactly the same random numbers as before.
    """
    specs_by_code = {spec[0]: spec for spec in _DBSS_SPECS}
    for inst in data.instances:
        inst["status"] = "ACTIVE"
        inst["task"] = _TASK_BY_STATUS["ACTIVE"]
        inst["effect"] = None
        inst["new_version"] = None
        if inst["cpu"] is None:
            _code, _spec, cpu, ram, _limit = specs_by_code[inst["resource_spec_code"]]
            inst["cpu"], inst["ram"], inst["config_num"] = cpu, ram, 1
        if inst["charge_model"] == "Period" and int(inst["remain_days"]) < _CLEAN_MIN_REMAIN_DAYS:
            remain = int(inst["remain_days"]) + 365
            inst["remain_days"] = str(remain)
            inst["expired"] = (now + datetime.timedelta(days=remain)).astimezone(datetime.timezone.utc).strftime(_DBSS_TIME_FORMAT)
        scopes = data.scopes.get(inst["id"], [])
        if scopes and not any(scope["status"] == "ON" and scope["all_audit"] for scope in scopes):
            scopes[0].update(status="ON", all_audit=True, name="Full audit rules", source_ips="", source_ports="", db_names="", db_users="")
        databases = data.databases.get(inst["id"], [])
        if databases and not any(item["database"]["status"] == "ON" for item in databases):
            databases[0]["database"].update(status="ON", audit_status="ACTIVE")
    for rds in data.rds_instances:
        rds["status"] = "ACTIVE"
    _clean_coverage(data)
    specs = {}
    start = now - datetime.timedelta(days=config.log_days)
    for rds in data.rds_instances:
        if rds["datastore"]["type"] == "PostgreSQL" and data.audit_policies[rds["id"]]["keep_days"] < _CLEAN_MIN_KEEP_DAYS:
            data.audit_policies[rds["id"]]["keep_days"] = 365
        if rds["datastore"]["type"] != "MySQL":
            specs[rds["id"]] = None
            continue
        policy = data.audit_policies[rds["id"]]
        if policy["keep_days"] < _CLEAN_MIN_KEEP_DAYS:
            policy["keep_days"] = 365
            policy["audit_types"] = list(ALL_AUDIT_LOG_ACTIONS)
        seed_key = "%s:%s:%s:auditlog" % (config.seed, region, rds["id"])
        specs[rds["id"]] = LogSeriesSpec(seed_key, rds["id"], start, now, config.log_interval_hours, config.log_file_kb or DEFAULT_LOG_FILE_KB)
    return specs


def _clean_coverage(data):
    """Clean profile: no rds_audit_switch_mismatch, and every RDS instance without an SQL audit policy (SQL Server) is
    listed, audit ON, by an audit instance (an ECS database of one is turned into it when none lists it)."""
    items = [item["database"] for inst in data.instances for item in data.databases.get(inst["id"], [])]
    for database in items:
        database["rds_audit_switch_mismatch"] = False
    for rds in data.rds_instances:
        if rds["datastore"]["type"] in _POLICY_ENGINES:
            continue
        listed = [database for database in items if database["rds_id"] == rds["id"]]
        if any(database["status"] == "ON" for database in listed):
            continue
        spare = listed or [database for database in items if database["rds_id"] is None]
        if spare:
            _point_at_rds(spare[0], rds)
            spare[0].update(status="ON", audit_status="ACTIVE")


def _point_at_rds(database, rds):
    database.update(type=rds["datastore"]["type"].upper(), version=rds["datastore"]["version"], port=str(rds["port"]),
                    ip=rds["private_ips"][0], instance_name=rds["name"], agent_url=[], db_classification="RDS", rds_id=rds["id"],
                    rds_obj_info=json.dumps({"id": rds["id"], "name": rds["name"], "region": rds["region"]}))


def _generate_postgresql_policies(rds_instances):
    """Audit log policies of the PostgreSQL instances: keep_days by position in _PG_KEEP_DAYS_CYCLE; PostgreSQL has no
    audit types (the write takes ``databases`` instead)."""
    postgres = [rds for rds in rds_instances if rds["datastore"]["type"] == "PostgreSQL"]
    return {rds["id"]: {"keep_days": _PG_KEEP_DAYS_CYCLE[position % len(_PG_KEEP_DAYS_CYCLE)], "audit_types": [],
                        "all_audit_log_action": POSTGRESQL_AUDIT_LOG_ACTION_TEXT}
            for position, rds in enumerate(postgres)}


def _mark_rds_audit_switch_mismatch(config, region, data):
    """A few databases that reference an RDS instance and have their DBSS audit ON get rds_audit_switch_mismatch true
    (DBSS audit on while the RDS side does not upload its logs): about one in five of them, at least one when there are
    three or more, drawn from their own stream."""
    rng = random.Random("%s:%s:rds-audit-switch" % (config.seed, region))
    candidates = [item["database"] for inst in data.instances for item in data.databases.get(inst["id"], [])
                  if item["database"]["rds_id"] and item["database"]["status"] == "ON"]
    if len(candidates) < 3:
        return
    for database in rng.sample(candidates, max(1, len(candidates) // 5)):
        database["rds_audit_switch_mismatch"] = True


def _assign_statuses(rng, count):
    statuses = []
    for _unused in range(count):
        statuses.append("ACTIVE" if rng.random() < 0.92 else rng.choice(_NON_ACTIVE))
    if count >= len(DBSS_STATUSES):
        # Every documented status at least once; the rest stay mostly ACTIVE.
        for index, status in zip(rng.sample(range(count), len(_NON_ACTIVE)), _NON_ACTIVE):
            statuses[index] = status
    return statuses


def _generate_dbss_instances(rng, config, region, now, network):
    vpcs, subnets, security_groups = network
    count = config.instances
    statuses = _assign_statuses(rng, count)
    instances = []
    for index in range(count):
        status = statuses[index]
        spec_code, specification, cpu, ram, db_limit = rng.choice(_DBSS_SPECS)
        vpc = rng.choice(vpcs)
        age = rng.randrange(3600, 86400) if status == "BUILD" else rng.randrange(2 * 86400, 3 * 365 * 86400)
        created = now - datetime.timedelta(seconds=age)
        period = rng.random() < 0.4
        remain = rng.randrange(31, 700)
        sized = status not in ("BUILD", "DELETED")
        instances.append({
            "charge_model": "Period" if period else "Demand",
            "comment": rng.choice(("", "", "", "production audit", "pci scope")),
            "config_num": rng.randint(0, db_limit) if sized else None,
            "connect_ip": _ip(index),
            "connect_ipv6": "fd00:c0a8::%x" % (index + 10) if rng.random() < 0.25 else None,
            "cpu": cpu if sized else None,
            "created": created.astimezone(datetime.timezone.utc).strftime(_DBSS_TIME_FORMAT),
            "database_limit": db_limit,
            "effect": rng.choice((1, 2, 3)) if status == "FROZEN" else None,
            "expired": (now + datetime.timedelta(days=remain)).astimezone(datetime.timezone.utc).strftime(_DBSS_TIME_FORMAT) if period else None,
            "id": _uuid(rng),
            "keep_days": str(rng.choice((30, 90, 180, 365))) if period else None,
            "name": "dbss-%s-%04d" % (region, index + 1),
            "new_version": _DBSS_NEW_VERSION if rng.random() < 0.12 else None,
            "port_id": _uuid(rng),
            "ram": ram if sized else None,
            "region": region,
            "remain_days": str(remain) if period else None,
            "resource_id": _uuid(rng),
            "resource_spec_code": spec_code,
            "scene": None,
            "security_group_id": rng.choice(security_groups),
            "specification": specification,
            "status": status,
            "subnet_id": rng.choice(subnets[vpc]),
            "task": _TASK_BY_STATUS[status],
            "version": rng.choice(_DBSS_VERSIONS),
            "vpc_id": vpc,
            "zone": "%s%s" % (region, rng.choice("abc")),
        })
    _ensure_expiring(rng, instances, now)
    if count >= 10:
        for inst in rng.sample(instances, 2):
            inst["new_version"] = _DBSS_NEW_VERSION
    if count >= 12:
        # Exactly two instances share a name, for hostname-collision tests.
        original, duplicate = rng.sample(instances, 2)
        duplicate["name"] = original["name"]
    instances.sort(key=lambda inst: (inst["created"], inst["id"]))
    return instances


def _ensure_expiring(rng, instances, now):
    """Make a couple of yearly/monthly instances expire within 30 days (when there are enough instances)."""
    if len(instances) < 6:
        return
    for inst in rng.sample(instances, 2):
        remain = rng.randrange(3, 30)
        inst["charge_model"] = "Period"
        inst["remain_days"] = str(remain)
        inst["expired"] = (now + datetime.timedelta(days=remain)).astimezone(datetime.timezone.utc).strftime(_DBSS_TIME_FORMAT)
        inst["keep_days"] = inst["keep_days"] or "30"


def _pick_profiles(rng, instances, special_profiles):
    """ACTIVE instances get the compliance-violating profiles first (a few of each), everything else 'normal'."""
    profiles = {inst["id"]: "normal" for inst in instances}
    active = [inst["id"] for inst in instances if inst["status"] == "ACTIVE"]
    rng.shuffle(active)
    per_profile = max(1, len(active) // 8) if len(active) >= 2 * len(special_profiles) else 0
    for position, profile in enumerate(special_profiles):
        for inst_id in active[position * per_profile:(position + 1) * per_profile]:
            profiles[inst_id] = profile
    return profiles


def _scope_id(rng):
    # 20 base62 characters from one draw: per-character choice() dominated generation time at 10,000 instances.
    value = rng.getrandbits(120)
    chars = []
    for _unused in range(20):
        value, digit = divmod(value, 62)
        chars.append(_SCOPE_ID_ALPHABET[digit])
    return "".join(chars)


def _scope(rng, number, status, all_audit):
    return {
        "id": _scope_id(rng),
        "name": "Full audit rules" if all_audit else "audit-scope-%d" % number,
        "action": "",
        "status": status,
        "exception_ips": rng.choice(("", "", "10.0.0.8")),
        "source_ips": "" if all_audit else rng.choice(("", "192.168.1.10,192.168.1.11", "10.1.0.5")),
        "source_ports": "" if all_audit else rng.choice(("", "3306", "3306,5432")),
        "db_ids": "",
        "db_names": "" if all_audit else rng.choice(("", "orders", "orders,billing")),
        "db_users": "" if all_audit else rng.choice(("", "app", "app,report")),
        "all_audit": all_audit,
    }


def _generate_scopes(rng, config, instances):
    """Profiles: 'normal' (first scope is an ON full audit), 'no_on' (all OFF), 'partial' (ON scopes, none all_audit)."""
    per = config.scopes_per_instance
    profiles = _pick_profiles(rng, instances, ("no_on", "partial")) if per else {}
    scopes = {}
    for inst in instances:
        profile = profiles.get(inst["id"], "normal")
        items = []
        for number in range(1, per + 1):
            if profile == "no_on":
                items.append(_scope(rng, number, "OFF", rng.random() < 0.3))
            elif profile == "partial":
                items.append(_scope(rng, number, "ON" if number == 1 or rng.random() < 0.5 else "OFF", False))
            elif number == 1 and inst["status"] == "ACTIVE":
                items.append(_scope(rng, number, "ON", True))
            else:
                items.append(_scope(rng, number, rng.choice(("ON", "OFF")), rng.random() < 0.2))
        scopes[inst["id"]] = items
    return scopes


def _generate_databases(rng, config, instances, rds_instances):
    per = config.databases_per_instance
    profiles = _pick_profiles(rng, instances, ("none_on",)) if per else {}
    databases = {}
    counter = 0
    for inst in instances:
        none_on = profiles.get(inst["id"]) == "none_on"
        items = []
        for number in range(1, per + 1):
            counter += 1
            on = not none_on and (number == 1 or rng.random() < 0.6)
            rds = rng.choice(rds_instances) if rds_instances and rng.random() < 0.5 else None
            if rds is not None:
                db_type = rds["datastore"]["type"].upper()
                version, port, ip = rds["datastore"]["version"], str(rds["port"]), rds["private_ips"][0]
            else:
                db_type, version, port = rng.choice(_DB_TYPES)
                ip = _ip(counter, base=0x0A140000)
            items.append({"database": {
                "id": _scope_id(rng),
                "name": "%s-db%d" % (inst["name"], number),
                "type": db_type,
                "version": version,
                "charset": rng.choice(("UTF8", "UTF8", "GBK")),
                "ip": ip,
                "port": port,
                "os": "LINUX64",
                "status": "ON" if on else "OFF",
                "instance_name": rds["name"] if rds else "ecs-db-%d" % counter,
                "audit_status": "ACTIVE" if on else "SHUTOFF",
                "agent_url": [_scope_id(rng)] if rds is None else [],
                "db_classification": "RDS" if rds else "ECS",
                "rds_audit_switch_mismatch": False,
                "rds_id": rds["id"] if rds else None,
                "rds_obj_info": json.dumps({"id": rds["id"], "name": rds["name"], "region": rds["region"]}) if rds else None,
                "dws_obj_info": None,
                "clouddb_obj_info": None,
            }})
        databases[inst["id"]] = items
    return databases


def _engine_plan(rng, count):
    engines = ["MySQL"] * count
    others = []
    if count >= 5:
        others += ["PostgreSQL", "PostgreSQL"]
    if count >= 10:
        others.append("SQLServer")
    for index, engine in zip(rng.sample(range(count), len(others)), others):
        engines[index] = engine
    return engines


def _generate_rds_instances(rng, config, region, now, network):
    vpcs, subnets, security_groups = network
    engines = _engine_plan(rng, config.rds_instances)
    result = []
    for index, engine in enumerate(engines):
        versions, complete_version, port, user = _RDS_ENGINES[engine]
        version = rng.choice(versions)
        ha = rng.random() < 0.6
        vpc = rng.choice(vpcs)
        prepaid = rng.random() < 0.3
        created = now - datetime.timedelta(seconds=rng.randrange(3 * 86400, 2 * 365 * 86400))
        updated = created + datetime.timedelta(seconds=rng.randrange(0, int((now - created).total_seconds())))
        rds_id = _hex(rng, 16) + "in01"
        name = "rds-%s-%02d" % (region, index + 1)
        cpu, mem = rng.choice((("2", "4"), ("4", "8"), ("8", "16")))
        zones = ["%s%s" % (region, z) for z in "abc"]
        nodes = [{"id": _hex(rng, 16) + "no01", "name": "%s_node0" % name, "role": "master", "status": "ACTIVE", "availability_zone": zones[0]}]
        if ha:
            nodes.append({"id": _hex(rng, 16) + "no01", "name": "%s_node1" % name, "role": "slave", "status": "ACTIVE", "availability_zone": zones[1]})
        flavor_family = {"MySQL": "mysql", "PostgreSQL": "pg", "SQLServer": "mssql"}[engine]
        result.append({
            "id": rds_id,
            "status": "SHUTDOWN" if index == 7 else "ACTIVE",
            "enable_ssl": rng.random() < 0.5,
            "private_ips": [_ip(index, base=0xAC100000 + 10)],
            "private_dns_names": [],
            "public_ips": [],
            "public_dns_names": [],
            "type": "Ha" if ha else "Single",
            "created": created.astimezone(datetime.timezone.utc).strftime(_RDS_TIME_FORMAT),
            "updated": updated.astimezone(datetime.timezone.utc).strftime(_RDS_TIME_FORMAT),
            "db_user_name": user,
            "switch_strategy": "reliability",
            "read_only_by_user": False,
            "maintenance_window": "02:00-06:00",
            "nodes": nodes,
            "related_instance": [],
            "name": name,
            "datastore": {"type": engine, "version": version, "complete_version": complete_version},
            "ha": {"replication_mode": "semisync" if engine == "MySQL" else "async"} if ha else None,
            "port": port,
            "backup_strategy": {"start_time": "08:15-09:15", "keep_days": rng.choice((7, 14, 30))},
            "enterprise_project_id": "0",
            "disk_encryption_id": "",
            "flavor_ref": "rds.%s.n1.large.2%s" % (flavor_family, ".ha" if ha else ""),
            "cpu": cpu,
            "mem": mem,
            "volume": {"type": rng.choice(("CLOUDSSD", "ESSD")), "size": rng.choice((40, 100, 200, 500))},
            "region": region,
            "vpc_id": vpc,
            "subnet_id": rng.choice(subnets[vpc]),
            "security_group_id": rng.choice(security_groups),
            "charge_info": {"charge_mode": "prePaid" if prepaid else "postPaid"},
            "time_zone": "UTC+08:00",
            "tags": [],
            "backup_used_space": round(rng.uniform(0.1, 20.0), 2),
            "storage_used_space": round(rng.uniform(1.0, 30.0), 2),
            "order_id": _uuid(rng) if prepaid else "",
            "associated_with_ddm": False,
            "alias": "",
            "max_iops": rng.choice((2000, 5000, 10000)),
            "expiration_time": (now + datetime.timedelta(days=rng.randrange(30, 365))).astimezone(datetime.timezone.utc).strftime(_RDS_TIME_FORMAT)
            if prepaid else None,
        })
    return result


def _generate_audit_setup(rng, config, region, now, rds_instances):
    """Audit policies for MySQL instances and, for those with audit on, the span their log files cover."""
    policies = {}
    specs = {r["id"]: None for r in rds_instances}
    mysql = [r for r in rds_instances if r["datastore"]["type"] == "MySQL"]
    audit_on = []
    for position, rds in enumerate(mysql):
        keep_days = _KEEP_DAYS_CYCLE[position % len(_KEEP_DAYS_CYCLE)]
        if keep_days:
            audit_types = [] if rng.random() < 0.3 else sorted(rng.sample(ALL_AUDIT_LOG_ACTIONS, rng.randint(5, len(ALL_AUDIT_LOG_ACTIONS))))
            audit_on.append(rds)
        else:
            audit_types = []
        policies[rds["id"]] = {"keep_days": keep_days, "audit_types": audit_types, "all_audit_log_action": MYSQL_AUDIT_LOG_ACTION_TEXT}
    # Every third instance with audit on stopped producing logs 2-10 days ago ("stale"); the others log up to now.
    start = now - datetime.timedelta(days=config.log_days)
    for position, rds in enumerate(audit_on):
        stale = position % 3 == 1
        stop = now - datetime.timedelta(hours=rng.randint(49, 240)) if stale else now
        seed_key = "%s:%s:%s:auditlog" % (config.seed, region, rds["id"])
        specs[rds["id"]] = LogSeriesSpec(seed_key, rds["id"], start, stop, config.log_interval_hours, config.log_file_kb or DEFAULT_LOG_FILE_KB)
    return policies, specs


def generate(config, now):
    return SimulatorData(config, now)
