"""Fault injection: every kind, rule matching, counters and the request log."""

import threading
import time

import pytest
import requests


def _path(api):
    return "/v1/%s/audit/instances" % api.project_id


def test_status_429_with_retry_after(api, sim):
    sim.add_fault("status", status=429, retry_after=3)
    resp = api.get(_path(api))
    assert resp.status_code == 429
    assert resp.headers["Retry-After"] == "3"
    body = resp.json()
    assert body["error_code"] == "APIGW.0308" and body["request_id"] == resp.headers["X-Request-Id"]
    record = sim.requests[-1]
    assert record["fault"] == "status" and record["status"] == 429 and record["service"] == "dbss"


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_status_5xx_default_code(api, sim, status):
    sim.add_fault("status", status=status)
    resp = api.get(_path(api))
    assert resp.status_code == status
    assert resp.json()["error_code"] == "SYS.5000"
    assert "Retry-After" not in resp.headers


def test_status_body_shapes(api, sim):
    sim.add_fault("status", status=503, body_shape="nested", error_code="DBSS.11000000", error_msg="busy", times=1)
    sim.add_fault("status", status=401, body_shape="iam", error_code="IAM.0001", times=1)
    nested = api.get(_path(api)).json()
    assert nested["error"] == {"error_code": "DBSS.11000000", "error_msg": "busy"}
    iam = api.get(_path(api)).json()
    assert iam["error"]["code"] == "IAM.0001" and iam["error"]["title"] == "Unauthorized"
    assert api.get(_path(api)).status_code == 200


def test_html_fault(api, sim):
    sim.add_fault("html")
    resp = api.get(_path(api))
    assert resp.status_code == 502
    assert resp.headers["Content-Type"].startswith("text/html")
    assert "<html>" in resp.text
    assert resp.headers["X-Request-Id"]


def test_empty_fault(api, sim):
    sim.add_fault("empty", status=504)
    resp = api.get(_path(api))
    assert resp.status_code == 504 and resp.content == b""
    sim.clear_faults()
    sim.add_fault("empty")
    assert api.get(_path(api)).status_code == 503


def test_latency_fault(api, sim):
    sim.add_fault("latency", ms=300)
    started = time.monotonic()
    resp = api.get(_path(api))
    assert resp.status_code == 200
    assert time.monotonic() - started >= 0.3
    assert sim.requests[-1]["fault"] == "latency"


def test_latency_stacks_with_an_error_fault(api, sim):
    sim.add_fault("latency", ms=150)
    sim.add_fault("status", status=500, times=1)
    started = time.monotonic()
    assert api.get(_path(api)).status_code == 500
    assert time.monotonic() - started >= 0.15
    assert sim.requests[-1]["fault"] == "status"


def test_drop_fault(api, sim):
    sim.add_fault("drop", times=1)
    with pytest.raises(requests.exceptions.ConnectionError):
        api.get(_path(api))
    assert sim.requests[-1]["fault"] == "drop" and sim.requests[-1]["status"] is None
    assert api.get(_path(api)).status_code == 200


def test_ignore_offset_fault(api, sim, region):
    sim.add_fault("ignore_offset")
    body = api.get(_path(api), {"offset": "5", "limit": "3"}).json()
    assert [s["id"] for s in body["servers"]] == [i["id"] for i in region.instances[:3]]
    assert sim.requests[-1]["fault"] == "ignore_offset" and sim.requests[-1]["status"] == 200


def test_after_and_times(api, sim):
    sim.add_fault("status", status=500, after=2, times=2)
    statuses = [api.get(_path(api)).status_code for _unused in range(6)]
    assert statuses == [200, 200, 500, 500, 200, 200]
    assert [r["fault"] for r in sim.requests] == [None, None, "status", "status", None, None]


def test_path_and_method_matching(api, sim, region):
    sim.add_fault("status", status=503, path=r"/rule/scopes$")
    sim.add_fault("status", status=500, method="POST")
    assert api.get(_path(api)).status_code == 200
    assert api.get("/v1/%s/audit/%s/rule/scopes" % (api.project_id, region.instances[0]["id"])).status_code == 503
    assert api.post("/v3/%s/instances/x/auditlog-links" % api.project_id, {"ids": ["a"]}).status_code == 500


def test_first_active_matching_rule_wins(api, sim):
    sim.add_fault("status", status=429, times=1)
    sim.add_fault("status", status=503)
    assert [api.get(_path(api)).status_code for _unused in range(3)] == [429, 503, 503]


def test_clear_faults(api, sim):
    sim.add_fault("status", status=500)
    assert api.get(_path(api)).status_code == 500
    sim.clear_faults()
    assert api.get(_path(api)).status_code == 200


def test_faults_apply_before_authentication(sim):
    sim.add_fault("status", status=503, times=1)
    assert requests.get(sim.url + "/v3/projects", timeout=10).status_code == 503
    assert requests.get(sim.url + "/v3/projects", timeout=10).status_code == 401


@pytest.mark.parametrize("kind, opts", [("nope", {}), ("latency", {}), ("status", {"status": 99}), ("status", {"body_shape": "xml"}),
                                        ("drop", {"status": 500}), ("status", {"times": -1})])
def test_invalid_fault_rules_are_refused(sim, kind, opts):
    with pytest.raises(ValueError):
        sim.add_fault(kind, **opts)


def test_times_is_exact_under_concurrency(api, sim, sign):
    sim.add_fault("status", status=500, times=10)
    statuses = []
    lock = threading.Lock()

    def worker():
        with requests.Session() as session:
            for _unused in range(5):
                url, headers = sign("GET", sim.url + _path(api), ak=api.ak, sk=api.sk)
                code = session.get(url, headers=headers, timeout=10).status_code
                with lock:
                    statuses.append(code)

    threads = [threading.Thread(target=worker) for _unused in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses.count(500) == 10 and statuses.count(200) == 30
    assert len(sim.requests) == 40 and sum(1 for r in sim.requests if r["fault"] == "status") == 10


def test_request_log_records_fields(api, sim):
    api.get(_path(api), {"limit": "2", "offset": "1"})
    requests.get(sim.url + "/_sim/health", timeout=10)
    records = sim.requests
    assert len(records) == 1
    record = records[0]
    assert record["method"] == "GET" and record["path"] == _path(api)
    assert record["query"] == {"limit": "2", "offset": "1"}
    assert (record["status"], record["auth"], record["fault"], record["service"]) == (200, "aksk", None, "dbss")
    sim.reset_requests()
    assert sim.requests == []


def test_request_log_is_a_copy(api, sim):
    api.get(_path(api))
    snapshot = sim.requests
    snapshot[0]["status"] = 999
    assert sim.requests[0]["status"] == 200
