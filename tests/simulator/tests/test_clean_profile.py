"""The clean-account profile (SimulatorConfig(clean=True), --clean): a compliant account, defaults unchanged."""

import datetime

from dbaudit_simulator import Simulator, SimulatorConfig
from dbaudit_simulator.__main__ import build_parser
from dbaudit_simulator.auditlogs import LOG_TIME_FORMAT
from dbaudit_simulator.data import generate

NOW = datetime.datetime(2026, 3, 1, 4, 0, tzinfo=datetime.timezone.utc)


def test_default_profile_is_unchanged_by_the_clean_option():
    default = generate(SimulatorConfig(now=NOW), NOW).to_dict()
    explicit = generate(SimulatorConfig(now=NOW, clean=False), NOW).to_dict()
    assert default == explicit
    region = default["regions"]["cn-north-4"]
    # The default still holds the violations the compliance tests rely on.
    assert any(inst["status"] != "ACTIVE" for inst in region["instances"])
    assert any(policy["keep_days"] == 0 for policy in region["audit_policies"].values())


def test_clean_profile_is_compliant():
    data = generate(SimulatorConfig(now=NOW, clean=True, instances=40, rds_instances=20), NOW).regions["cn-north-4"]
    assert len(data.instances) == 40 and len(data.rds_instances) == 20
    for inst in data.instances:
        assert inst["status"] == "ACTIVE" and inst["new_version"] is None and inst["effect"] is None
        assert inst["cpu"] is not None
        if inst["charge_model"] == "Period":
            assert int(inst["remain_days"]) >= 90
            expired = datetime.datetime.strptime(inst["expired"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=datetime.timezone.utc)
            assert expired - NOW == datetime.timedelta(days=int(inst["remain_days"]))
        scopes = data.scopes[inst["id"]]
        assert any(scope["status"] == "ON" and scope["all_audit"] for scope in scopes)
        assert any(item["database"]["status"] == "ON" for item in data.databases[inst["id"]])
    mysql = [rds for rds in data.rds_instances if rds["datastore"]["type"] == "MySQL"]
    policy_engines = [rds for rds in data.rds_instances if rds["datastore"]["type"] in ("MySQL", "PostgreSQL")]
    assert mysql and set(data.audit_policies) == {rds["id"] for rds in policy_engines}
    assert all(data.audit_policies[rds["id"]]["keep_days"] >= 180 for rds in policy_engines)
    # Every RDS instance is audited: own SQL audit, or (SQL Server) an ON database of a clean audit instance; nothing
    # has rds_audit_switch_mismatch.
    databases = [item["database"] for items in data.databases.values() for item in items]
    assert not any(database["rds_audit_switch_mismatch"] for database in databases)
    others = [rds for rds in data.rds_instances if rds not in policy_engines]
    assert others
    for rds in others:
        assert any(database["rds_id"] == rds["id"] and database["status"] == "ON" for database in databases)
    for rds in mysql:
        assert data.audit_policies[rds["id"]]["keep_days"] >= 180
        logs = data.audit_logs[rds["id"]]
        last_begin = datetime.datetime.strptime(logs[-1]["begin_time"], LOG_TIME_FORMAT)
        assert NOW - last_begin < datetime.timedelta(hours=12)
    for rds in data.rds_instances:
        if rds["datastore"]["type"] != "MySQL":
            assert not data.audit_logs[rds["id"]]


def test_clean_profile_keeps_ids_and_names():
    default = generate(SimulatorConfig(now=NOW), NOW).regions["cn-north-4"]
    clean = generate(SimulatorConfig(now=NOW, clean=True), NOW).regions["cn-north-4"]
    assert [(i["id"], i["name"]) for i in clean.instances] == [(i["id"], i["name"]) for i in default.instances]
    assert [r["id"] for r in clean.rds_instances] == [r["id"] for r in default.rds_instances]


def test_clean_flag_and_served_data():
    assert build_parser().parse_args(["--clean"]).clean is True
    assert build_parser().parse_args([]).clean is False
    with Simulator(SimulatorConfig(now=NOW, clean=True, instances=12, rds_instances=6)) as sim:
        region = sim.data.regions["cn-north-4"]
        assert all(inst["status"] == "ACTIVE" for inst in region.instances)
