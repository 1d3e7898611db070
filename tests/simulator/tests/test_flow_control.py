"""API Gateway flow control mode: a token bucket per credential answering 429 APIGW.0308 without Retry-After."""

import math

import pytest
import requests

from dbaudit_simulator import Simulator, SimulatorConfig
from dbaudit_simulator.__main__ import build_parser
from dbaudit_simulator.flow_control import FlowControl, credential_key, default_burst


class FakeClock:
    def __init__(self):
        self.now = 50.0

    def __call__(self):
        return self.now


# --- the bucket, on a fake clock -------------------------------------------------------------------------------------

def test_burst_then_the_rate():
    clock = FakeClock()
    flow = FlowControl(rate=10, burst=3, clock=clock)
    assert [flow.admit("ak:A") for _request in range(4)] == [True, True, True, False]
    clock.now += 0.1                  # one token a tenth of a second
    assert [flow.admit("ak:A") for _request in range(2)] == [True, False]
    clock.now += 10                   # a long pause refills the burst, no more
    assert sum(flow.admit("ak:A") for _request in range(10)) == 3
    assert flow.describe() == {"rate_limit": 10.0, "rate_limit_burst": 3, "admitted": 7, "throttled": 9}


def test_a_steady_stream_at_twice_the_rate_is_half_refused():
    clock = FakeClock()
    flow = FlowControl(rate=25, burst=5, clock=clock)
    outcomes = []
    for _request in range(1000):             # 50 requests a second for 20 seconds
        outcomes.append(flow.admit("ak:A"))
        clock.now += 0.02
    # The burst, then 25 a second (the last refill, 0.02 s after the last request, is not used).
    assert 5 + 500 - 1 <= sum(outcomes) <= 5 + 500
    assert flow.throttled == 1000 - sum(outcomes)


def test_each_credential_has_its_own_bucket():
    flow = FlowControl(rate=1, burst=1, clock=FakeClock())
    assert flow.admit("ak:A") and not flow.admit("ak:A")
    assert flow.admit("ak:B") and flow.admit("token:x") and flow.admit("anonymous")


def test_off_admits_everything_and_configure_switches_it():
    clock = FakeClock()
    flow = FlowControl(clock=clock)
    assert not flow.enabled and all(flow.admit("ak:A") for _request in range(10000))
    flow.configure(2)
    assert flow.enabled and flow.burst == default_burst(2) == 1
    assert [flow.admit("ak:A") for _request in range(2)] == [True, False]
    flow.configure(0)
    assert flow.admit("ak:A")


@pytest.mark.parametrize("rate, burst", [(-1, 0), (float("nan"), 0), (float("inf"), 0), ("25", 0), (True, 0), (5, -1), (5, 1.5)])
def test_invalid_settings_are_refused(rate, burst):
    with pytest.raises(ValueError):
        FlowControl(rate, burst)
    with pytest.raises(ValueError):
        SimulatorConfig(rate_limit=rate, rate_limit_burst=burst)


def test_default_burst_is_small():
    assert default_burst(25) == 5 and default_burst(1) == 1 and default_burst(0.5) == 1 and default_burst(100) == 20
    assert SimulatorConfig(rate_limit=25).rate_limit_burst == 5
    assert SimulatorConfig().rate_limit == 0


def test_credential_key():
    assert credential_key({"authorization": "SDK-HMAC-SHA256 Access=AKONE, SignedHeaders=host, Signature=ab"}) == "ak:AKONE"
    token_key = credential_key({"x-auth-token": "secret-token"})
    assert token_key.startswith("token:") and "secret-token" not in token_key
    assert credential_key({"x-auth-token": "secret-token "}) == token_key
    assert credential_key({}) == "anonymous"


# --- over HTTP -----------------------------------------------------------------------------------------------------

@pytest.fixture
def limited(make_api):
    # One request a second with a burst of two: the third request in a row is refused, however slow the machine.
    with Simulator(SimulatorConfig(instances=3, rds_instances=1, rate_limit=1, rate_limit_burst=2)) as server:
        yield server, make_api(server)


def _instances_path(api):
    return "/v1/%s/audit/instances" % api.project_id


def test_beyond_the_burst_the_gateway_answers_429_apigw_0308_without_retry_after(limited):
    sim, api = limited
    responses = [api.get(_instances_path(api)) for _request in range(3)]
    assert [response.status_code for response in responses] == [200, 200, 429]
    refused = responses[2]
    assert "Retry-After" not in refused.headers
    body = refused.json()
    assert body["error_code"] == "APIGW.0308" and body["request_id"] == refused.headers["X-Request-Id"]
    assert "limit:1," in body["error_msg"]
    records = sim.requests
    assert [(record["status"], record["throttled"]) for record in records] == [(200, False), (200, False), (429, True)]
    assert records[2]["service"] == "dbss" and records[2]["fault"] is None
    assert sim.flow_control["admitted"] == 2 and sim.flow_control["throttled"] == 1


def test_the_bucket_is_per_credential_and_spares_the_control_api(limited):
    sim, api = limited
    for _request in range(3):
        api.get(_instances_path(api))
    token = sim.issue_token("cn-north-4")
    assert api.get(_instances_path(api), token=token).status_code == 200
    assert all(requests.get(sim.url + "/_sim/health", timeout=10).status_code == 200 for _request in range(5))
    # Unknown paths are the gateway's 404, not counted against anyone.
    sim.reset_requests()
    sim.set_rate_limit(1, 1)
    assert api.get("/v9/nothing").status_code == 404
    assert api.get(_instances_path(api)).status_code == 200
    assert [record["throttled"] for record in sim.requests] == [False, False]


def test_a_fault_rule_answers_before_the_bucket(limited):
    sim, api = limited
    sim.add_fault("status", status=503, times=5)
    assert [api.get(_instances_path(api)).status_code for _request in range(5)] == [503] * 5
    assert [api.get(_instances_path(api)).status_code for _request in range(3)] == [200, 200, 429]


def test_control_api_sets_and_reports_the_rate_limit(limited):
    sim, api = limited
    response = requests.post(sim.url + "/_sim/config", json={"rate_limit": 40, "rate_limit_burst": 3}, timeout=10)
    assert response.status_code == 200
    assert response.json() == {"instance_shape": "servers", "rate_limit": 40.0, "rate_limit_burst": 3}
    assert sim.flow_control["rate_limit"] == 40.0
    for body in ({"rate_limit": -1}, {"rate_limit": "fast"}, {"rate_limit_burst": 3}, {"rate_limit": 5, "rate_limit_burst": 0.5}):
        assert requests.post(sim.url + "/_sim/config", json=body, timeout=10).status_code == 400
    requests.post(sim.url + "/_sim/config", json={"rate_limit": 1, "rate_limit_burst": 1}, timeout=10)
    api.get(_instances_path(api))
    api.get(_instances_path(api))
    counters = requests.get(sim.url + "/_sim/flow-control", timeout=10).json()
    assert counters == {"rate_limit": 1.0, "rate_limit_burst": 1, "admitted": 1, "throttled": 1}
    assert requests.delete(sim.url + "/_sim/requests", timeout=10).status_code == 204
    assert requests.get(sim.url + "/_sim/flow-control", timeout=10).json()["throttled"] == 0
    requests.post(sim.url + "/_sim/config", json={"rate_limit": 0}, timeout=10)
    assert all(api.get(_instances_path(api)).status_code == 200 for _request in range(4))


def test_cli_flags():
    args = build_parser().parse_args(["--rate-limit", "25", "--rate-limit-burst", "4"])
    assert args.rate_limit == 25.0 and args.rate_limit_burst == 4
    assert build_parser().parse_args([]).rate_limit == 0.0
    for bad in (["--rate-limit", "-1"], ["--rate-limit", "nan"], ["--rate-limit-burst", "-2"]):
        with pytest.raises(SystemExit):
            build_parser().parse_args(bad)
    assert math.isclose(build_parser().parse_args(["--rate-limit", "0.5"]).rate_limit, 0.5)
