"""Seeded data: determinism and the properties later compliance tests rely on."""

import collections
import datetime
import json

import pytest

from dbaudit_simulator import Simulator, SimulatorConfig
from dbaudit_simulator.data import DBSS_STATUSES, generate

NOW = datetime.datetime(2026, 3, 1, 4, 0, tzinfo=datetime.timezone.utc)
DOC_FIELDS = {"charge_model", "comment", "config_num", "connect_ip", "connect_ipv6", "cpu", "created", "database_limit", "effect", "expired", "id",
              "keep_days", "name", "new_version", "port_id", "ram", "region", "remain_days", "resource_id", "resource_spec_code", "scene",
              "security_group_id", "specification", "status", "subnet_id", "task", "version", "vpc_id", "zone"}
SCOPE_FIELDS = {"id", "name", "action", "status", "exception_ips", "source_ips", "source_ports", "db_ids", "db_names", "db_users", "all_audit"}


@pytest.fixture(scope="module")
def data():
    return generate(SimulatorConfig(now=NOW), NOW).regions["cn-north-4"]


def test_same_config_gives_identical_data():
    first = generate(SimulatorConfig(now=NOW, regions=("cn-north-4", "cn-east-3")), NOW).to_dict()
    second = generate(SimulatorConfig(now=NOW, regions=("cn-north-4", "cn-east-3")), NOW).to_dict()
    assert first == second


def test_other_seed_gives_other_data():
    first = generate(SimulatorConfig(seed=1), NOW).regions["cn-north-4"]
    second = generate(SimulatorConfig(seed=2), NOW).regions["cn-north-4"]
    assert [i["id"] for i in first.instances] != [i["id"] for i in second.instances]
    assert first.project_id != second.project_id


def test_adding_a_region_does_not_change_another(data):
    both = generate(SimulatorConfig(regions=("cn-east-3", "cn-north-4")), NOW).regions["cn-north-4"]
    assert both.instances == data.instances and both.project_id == data.project_id


def test_log_access_order_does_not_change_logs():
    one = generate(SimulatorConfig(), NOW).regions["cn-north-4"]
    two = generate(SimulatorConfig(), NOW).regions["cn-north-4"]
    ids = list(one.audit_logs)
    forward = [one.audit_logs[i] for i in ids]
    backward = [two.audit_logs[i] for i in reversed(ids)][::-1]
    assert forward == backward


def test_simulator_now_defaults_to_start_minute():
    sim = Simulator(SimulatorConfig(instances=1, rds_instances=1))
    assert sim.now.second == 0 and sim.now.microsecond == 0
    assert abs(datetime.datetime.now(datetime.timezone.utc) - sim.now) < datetime.timedelta(minutes=2)


def test_instances_have_every_doc_field(data):
    assert len(data.instances) == 24
    assert all(set(i) == DOC_FIELDS for i in data.instances)
    for inst in data.instances:
        assert inst["keep_days"] is None or isinstance(inst["keep_days"], str)
        assert inst["remain_days"] is None or isinstance(inst["remain_days"], str)
        for key in ("cpu", "ram", "config_num", "database_limit", "effect"):
            assert inst[key] is None or isinstance(inst[key], int)
        assert inst["zone"] in ("cn-north-4a", "cn-north-4b", "cn-north-4c")


def test_every_status_appears_and_most_are_active(data):
    counts = collections.Counter(i["status"] for i in data.instances)
    assert set(counts) == set(DBSS_STATUSES)
    assert counts["ACTIVE"] > len(data.instances) / 2


def test_exactly_two_instances_share_a_name(data):
    counts = collections.Counter(i["name"] for i in data.instances)
    assert sorted(counts.values(), reverse=True)[:2] == [2, 1]
    assert all(name.startswith("dbss-cn-north-4-") for name in counts)


def test_no_duplicate_names_below_12_instances():
    region = generate(SimulatorConfig(instances=11), NOW).regions["cn-north-4"]
    assert len({i["name"] for i in region.instances}) == 11


def test_billing_versions_and_network(data):
    period = [i for i in data.instances if i["charge_model"] == "Period"]
    assert period and any(i["charge_model"] == "Demand" for i in data.instances)
    assert all(i["expired"] and i["remain_days"] for i in period)
    assert sum(1 for i in period if int(i["remain_days"]) < 30) >= 2
    assert sum(1 for i in data.instances if i["new_version"]) >= 2
    assert len({i["vpc_id"] for i in data.instances}) == 3
    assert len({i["connect_ip"] for i in data.instances}) == 24
    ipv6 = [i["connect_ipv6"] for i in data.instances if i["connect_ipv6"]]
    assert len(set(ipv6)) == len(ipv6)


def test_scopes_include_compliance_violations(data):
    assert all(len(s) == 3 and all(set(x) == SCOPE_FIELDS for x in s) for s in data.scopes.values())
    active = [i["id"] for i in data.instances if i["status"] == "ACTIVE"]
    no_on = [i for i in active if not any(s["status"] == "ON" for s in data.scopes[i])]
    on_without_full = [i for i in active if any(s["status"] == "ON" for s in data.scopes[i])
                       and not any(s["status"] == "ON" and s["all_audit"] for s in data.scopes[i])]
    compliant = [i for i in active if any(s["status"] == "ON" and s["all_audit"] for s in data.scopes[i])]
    assert no_on and on_without_full and len(compliant) > len(active) / 2


def test_databases_include_instances_without_database_on(data):
    assert all(len(d) == 2 for d in data.databases.values())
    assert any(not any(item["database"]["status"] == "ON" for item in items) for items in data.databases.values())
    assert any(item["database"]["status"] == "ON" for items in data.databases.values() for item in items)


def test_rds_audit_switch_mismatch_only_on_rds_databases_under_audit(data):
    databases = [item["database"] for items in data.databases.values() for item in items]
    mismatched = [database for database in databases if database["rds_audit_switch_mismatch"]]
    candidates = [database for database in databases if database["rds_id"] and database["status"] == "ON"]
    assert len(mismatched) == len(candidates) // 5 >= 1
    assert all(database["rds_id"] in data.rds_by_id and database["status"] == "ON" for database in mismatched)
    again = generate(SimulatorConfig(now=NOW), NOW).regions["cn-north-4"]
    assert [database["id"] for items in again.databases.values() for item in items for database in [item["database"]]
            if database["rds_audit_switch_mismatch"]] == [database["id"] for database in mismatched]


def test_rds_policies_and_log_freshness(data):
    mysql = [i["id"] for i in data.rds_instances if i["datastore"]["type"] == "MySQL"]
    postgres = [i["id"] for i in data.rds_instances if i["datastore"]["type"] == "PostgreSQL"]
    assert set(data.audit_policies) == set(mysql) | set(postgres)
    # PostgreSQL: keep_days by position (off, too short, compliant), no audit types, no log files.
    assert [data.audit_policies[rds_id]["keep_days"] for rds_id in postgres] == [0, 30]
    assert all(data.audit_policies[rds_id]["audit_types"] == [] for rds_id in postgres)
    # all_audit_log_action is JSON text, as the API reference prints it (issue 19): "{}" offers nothing.
    assert all(data.audit_policies[rds_id]["all_audit_log_action"] == "{}" for rds_id in postgres)
    assert all(json.loads(data.audit_policies[rds_id]["all_audit_log_action"])["OTHER"].endswith("CHANGE_DB,UNINSTALL_PLUGIN,INSTALL_PLUGIN")
               for rds_id in mysql)
    assert all(data.audit_logs[rds_id] == [] for rds_id in postgres)
    keep_days = {p["keep_days"] for p in data.audit_policies.values()}
    assert 0 in keep_days and any(0 < k < 180 for k in keep_days) and any(k >= 180 for k in keep_days)
    now = NOW
    last_ends = {}
    for rds_id, policy in data.audit_policies.items():
        if rds_id not in mysql:
            continue
        logs = data.audit_logs[rds_id]
        if policy["keep_days"] == 0:
            assert logs == []
        else:
            last_ends[rds_id] = datetime.datetime.strptime(logs[-1]["end_time"], "%Y-%m-%dT%H:%M:%S%z")
    stale = [r for r, end in last_ends.items() if now - end > datetime.timedelta(hours=48)]
    fresh = [r for r, end in last_ends.items() if now - end <= datetime.timedelta(hours=6)]
    assert stale and fresh and len(stale) + len(fresh) == len(last_ends)
    assert all(data.audit_logs[i["id"]] == [] for i in data.rds_instances if i["datastore"]["type"] != "MySQL")


def test_audit_log_files_are_ordered_unique_and_cross_midnight(data):
    for rds_id, logs in data.audit_logs.items():
        if not logs:
            continue
        begins = [datetime.datetime.strptime(f["begin_time"], "%Y-%m-%dT%H:%M:%S%z") for f in logs]
        ends = [datetime.datetime.strptime(f["end_time"], "%Y-%m-%dT%H:%M:%S%z") for f in logs]
        assert all(b < e for b, e in zip(begins, ends))
        assert all(e < b for e, b in zip(ends, begins[1:]))
        assert len({f["id"] for f in logs}) == len(logs)
        assert all(f["begin_time"].endswith("+0800") and rds_id in f["name"] and isinstance(f["size"], float) for f in logs)
        assert any(f["begin_time"][:10] != f["end_time"][:10] for f in logs)
        assert begins[0] >= NOW - datetime.timedelta(days=45)
        gaps = {(b - a).total_seconds() for a, b in zip(begins, begins[1:])}
        assert all(abs(g - 6 * 3600) < 120 for g in gaps)


def test_ten_thousand_instances_are_distinct():
    # Speed is measured by tests/benchmarks, never asserted here: machines are noisy.
    region = generate(SimulatorConfig(instances=10000), NOW).regions["cn-north-4"]
    assert len(region.instances) == 10000 and len({i["id"] for i in region.instances}) == 10000
    assert len({i["connect_ip"] for i in region.instances}) == 10000


def test_year_of_two_hour_logs_answers_window_queries():
    region = generate(SimulatorConfig(instances=0, rds_instances=10, log_days=365, log_interval_hours=2), NOW).regions["cn-north-4"]
    total = sum(len(region.audit_logs[r]) for r in region.audit_logs)
    start = NOW - datetime.timedelta(days=200)
    in_window = [len(region.audit_logs.query(rds_id, start, start + datetime.timedelta(days=30)))
                 for rds_id in region.audit_logs]
    assert sum(in_window) > 4 * 300
    assert total > 4 * 4000


@pytest.mark.parametrize("kwargs", [{"instance_shape": "other"}, {"regions": ()}, {"instances": -1}, {"log_interval_hours": 0},
                                    {"now": datetime.datetime(2026, 1, 1)}, {"regions": ("a", "a")}])
def test_invalid_config_is_refused(kwargs):
    with pytest.raises(ValueError):
        SimulatorConfig(**kwargs)


def test_regions_accepts_comma_string():
    assert SimulatorConfig(regions="cn-north-4, cn-east-3").regions == ("cn-north-4", "cn-east-3")
