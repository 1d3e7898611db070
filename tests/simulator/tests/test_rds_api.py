"""RDS instance list and the MySQL audit-log APIs."""

import datetime

import pytest

FMT = "%Y-%m-%dT%H:%M:%S%z"
CN = datetime.timezone(datetime.timedelta(hours=8))


def _t(text):
    return datetime.datetime.strptime(text, FMT)


def _fmt(moment):
    return moment.astimezone(CN).strftime(FMT)


def _logging_mysql(region):
    return next(rid for rid, logs in region.audit_logs.items() if logs and region.audit_policies[rid]["keep_days"])


def _auditlog(api, rds_id, start, end, offset="0", limit="50"):
    query = {"start_time": start, "end_time": end, "offset": offset, "limit": limit}
    return api.get("/v3/%s/instances/%s/auditlog" % (api.project_id, rds_id), {k: v for k, v in query.items() if v is not None})


def _all_pages(api, rds_id, start, end):
    files, offset = [], 0
    while True:
        body = _auditlog(api, rds_id, start, end, offset=str(offset), limit="50").json()
        files += body["auditlogs"]
        offset += 50
        if offset >= body["total_record"]:
            return files, body["total_record"]


# instance list ---------------------------------------------------------------------------------------------------

def test_list_instances_all(api, region):
    body = api.get("/v3/%s/instances" % api.project_id).json()
    assert body == {"instances": region.rds_instances, "total_count": len(region.rds_instances)}
    first = body["instances"][0]
    for key in ("id", "name", "status", "type", "datastore", "region", "vpc_id", "subnet_id", "private_ips", "port", "created", "updated",
                "flavor_ref", "volume", "charge_info"):
        assert key in first
    assert first["type"] in ("Single", "Ha")


@pytest.mark.parametrize("value, engine", [("MySQL", "MySQL"), ("mysql", "MySQL"), ("postgresql", "PostgreSQL"), ("SQLServer", "SQLServer")])
def test_datastore_type_filter_is_case_insensitive(api, region, value, engine):
    body = api.get("/v3/%s/instances" % api.project_id, {"datastore_type": value}).json()
    expected = [i["id"] for i in region.rds_instances if i["datastore"]["type"] == engine]
    assert [i["id"] for i in body["instances"]] == expected and body["total_count"] == len(expected)
    assert expected


def test_engine_mix(region):
    engines = [i["datastore"]["type"] for i in region.rds_instances]
    assert engines.count("PostgreSQL") == 2 and engines.count("SQLServer") == 1 and engines.count("MySQL") == 9


def test_id_name_vpc_type_filters(api, region):
    target = region.rds_instances[4]
    path = "/v3/%s/instances" % api.project_id
    assert [i["id"] for i in api.get(path, {"id": target["id"]}).json()["instances"]] == [target["id"]]
    assert [i["id"] for i in api.get(path, {"name": target["name"]}).json()["instances"]] == [target["id"]]
    assert api.get(path, {"name": target["name"][:-1]}).json()["total_count"] == 0
    assert api.get(path, {"name": "*" + target["name"][-6:]}).json()["instances"][0]["id"] == target["id"]
    same_vpc = [i["id"] for i in region.rds_instances if i["vpc_id"] == target["vpc_id"]]
    assert [i["id"] for i in api.get(path, {"vpc_id": target["vpc_id"]}).json()["instances"]] == same_vpc
    has = [i["id"] for i in region.rds_instances if i["type"] == "Ha"]
    assert [i["id"] for i in api.get(path, {"type": "Ha"}).json()["instances"]] == has


def test_rds_paging(api, region):
    body = api.get("/v3/%s/instances" % api.project_id, {"offset": "10", "limit": "5"}).json()
    assert [i["id"] for i in body["instances"]] == [i["id"] for i in region.rds_instances[10:15]]
    assert body["total_count"] == len(region.rds_instances)


@pytest.mark.parametrize("query", [{"limit": "101"}, {"limit": "0"}, {"offset": "-3"}, {"datastore_type": "Oracle"}, {"name": "*"}, {"type": "Cluster"}])
def test_rds_list_validation(api, query):
    resp = api.get("/v3/%s/instances" % api.project_id, query)
    assert resp.status_code == 400
    assert resp.json() == {"error_code": "DBS.200001", "error_msg": resp.json()["error_msg"]}


# audit logs ------------------------------------------------------------------------------------------------------

def test_auditlog_window_matches_overlapping_files(api, region, sim):
    rds_id = _logging_mysql(region)
    start = sim.now - datetime.timedelta(days=10)
    end = sim.now - datetime.timedelta(days=3, hours=5)
    files, total = _all_pages(api, rds_id, _fmt(start), _fmt(end))
    expected = [f for f in region.audit_logs[rds_id] if _t(f["begin_time"]) <= end and _t(f["end_time"]) >= start]
    assert files == expected and total == len(expected)
    assert 20 < total < 50 * 4
    assert all(f["begin_time"].endswith("+0800") and f["end_time"].endswith("+0800") for f in files)
    assert isinstance(files[0]["size"], float)


def test_auditlog_paging(api, region, sim):
    rds_id = _logging_mysql(region)
    start, end = _fmt(sim.now - datetime.timedelta(days=30)), _fmt(sim.now)
    first = _auditlog(api, rds_id, start, end, offset="0", limit="7").json()
    second = _auditlog(api, rds_id, start, end, offset="7", limit="7").json()
    assert len(first["auditlogs"]) == 7 and first["total_record"] == second["total_record"]
    assert first["auditlogs"][-1]["begin_time"] < second["auditlogs"][0]["begin_time"]


def test_file_crossing_a_window_boundary_is_listed_by_both_windows(api, region):
    rds_id = _logging_mysql(region)
    crossing = next(f for f in region.audit_logs[rds_id] if f["begin_time"][:10] != f["end_time"][:10])
    midnight = _t(crossing["end_time"]).replace(hour=0, minute=0, second=0)
    before = _auditlog(api, rds_id, _fmt(midnight - datetime.timedelta(days=1)), _fmt(midnight)).json()["auditlogs"]
    after = _auditlog(api, rds_id, _fmt(midnight), _fmt(midnight + datetime.timedelta(days=1))).json()["auditlogs"]
    assert before[-1]["id"] == crossing["id"] == after[0]["id"]


def test_consecutive_windows_cover_all_files(api, region, sim):
    rds_id = _logging_mysql(region)
    start = sim.now - datetime.timedelta(days=50)
    seen = {}
    while start < sim.now:
        end = min(start + datetime.timedelta(days=30), sim.now)
        for item in _all_pages(api, rds_id, _fmt(start), _fmt(end))[0]:
            seen[item["id"]] = item
        start = end
    assert sorted(seen.values(), key=lambda f: f["begin_time"]) == region.audit_logs[rds_id]


def test_auditlog_accepts_other_offsets_and_exactly_30_days(api, region, sim):
    rds_id = _logging_mysql(region)
    start = sim.now - datetime.timedelta(days=30)
    # SIM_NOW is UTC, so this window is written with a +0000 offset rather than +0800.
    resp = _auditlog(api, rds_id, start.strftime(FMT), sim.now.strftime(FMT))
    assert start.strftime(FMT).endswith("+0000")
    assert resp.status_code == 200
    assert resp.json()["total_record"] > 0


@pytest.mark.parametrize("start, end, offset, limit", [
    (None, "2026-02-20T00:00:00+0800", "0", "10"),
    ("2026-02-10T00:00:00+0800", None, "0", "10"),
    ("2026-02-10T00:00:00+0800", "2026-02-20T00:00:00+0800", None, "10"),
    ("2026-02-10T00:00:00+0800", "2026-02-20T00:00:00+0800", "0", None),
    ("2026-02-10T00:00:00Z", "2026-02-20T00:00:00+0800", "0", "10"),
    ("2026-02-10 00:00:00+0800", "2026-02-20T00:00:00+0800", "0", "10"),
    ("2026-02-10T00:00:00+08:00", "2026-02-20T00:00:00+0800", "0", "10"),
    ("2026-02-10T00:00:00.000+0800", "2026-02-20T00:00:00+0800", "0", "10"),
    ("2026-13-10T00:00:00+0800", "2026-02-20T00:00:00+0800", "0", "10"),
    ("2026-02-20T00:00:00+0800", "2026-02-20T00:00:00+0800", "0", "10"),
    ("2026-02-20T00:00:00+0800", "2026-02-10T00:00:00+0800", "0", "10"),
    ("2026-01-01T00:00:00+0800", "2026-01-31T00:00:01+0800", "0", "10"),
    ("2026-02-10T00:00:00+0800", "2026-02-20T00:00:00+0800", "0", "51"),
    ("2026-02-10T00:00:00+0800", "2026-02-20T00:00:00+0800", "0", "0"),
    ("2026-02-10T00:00:00+0800", "2026-02-20T00:00:00+0800", "-1", "10"),
    ("2026-02-10T00:00:00+0800", "2026-02-20T00:00:00+0800", "x", "10"),
])
def test_auditlog_validation(api, region, start, end, offset, limit):
    resp = _auditlog(api, _logging_mysql(region), start, end, offset, limit)
    assert resp.status_code == 400
    body = resp.json()
    assert set(body) == {"error_code", "error_msg"} and body["error_code"] == "DBS.200001"


def test_auditlog_unknown_instance_is_404(api):
    resp = _auditlog(api, "0" * 32 + "in01", "2026-02-10T00:00:00+0800", "2026-02-20T00:00:00+0800")
    assert resp.status_code == 404
    assert resp.json()["error_code"] == "DBS.200002"


def test_auditlog_non_mysql_is_rejected(api, region):
    pg = next(i["id"] for i in region.rds_instances if i["datastore"]["type"] == "PostgreSQL")
    resp = _auditlog(api, pg, "2026-02-10T00:00:00+0800", "2026-02-20T00:00:00+0800")
    assert resp.status_code == 400
    assert resp.json()["error_code"] == "DBS.200040"


def test_auditlog_of_instance_with_audit_off_is_empty(api, region):
    off = next(rid for rid, policy in region.audit_policies.items() if policy["keep_days"] == 0)
    assert _auditlog(api, off, "2026-02-10T00:00:00+0800", "2026-02-20T00:00:00+0800").json() == {"auditlogs": [], "total_record": 0}


# policy and links -------------------------------------------------------------------------------------------------

def test_auditlog_policy(api, region):
    for rds_id, policy in region.audit_policies.items():
        resp = api.get("/v3/%s/instances/%s/auditlog-policy" % (api.project_id, rds_id))
        assert resp.json() == policy
    assert api.get("/v3/%s/instances/%s/auditlog-policy" % (api.project_id, "nope")).status_code == 404


def test_auditlog_links(api, region):
    rds_id = _logging_mysql(region)
    ids = [f["id"] for f in region.audit_logs[rds_id][:3]]
    resp = api.post("/v3/%s/instances/%s/auditlog-links" % (api.project_id, rds_id), {"ids": ids})
    assert resp.status_code == 200
    links = resp.json()["links"]
    # One temporary object-storage URL per id, in order, served by the simulator itself (test_storage.py fetches them).
    assert len(links) == 3
    for link, log_id in zip(links, ids):
        assert link.startswith("%s/obs/rds-auditlog/%s/%s?Expires=" % (api.sim.url, rds_id, log_id)) and "&Signature=" in link


@pytest.mark.parametrize("body", [{"ids": []}, {"ids": ["x"] * 51}, {"ids": ["unknown-id"]}, {"ids": "abc"}, {}])
def test_auditlog_links_validation(api, region, body):
    resp = api.post("/v3/%s/instances/%s/auditlog-links" % (api.project_id, _logging_mysql(region)), body)
    assert resp.status_code == 400
    assert resp.json()["error_code"] == "DBS.200001"
