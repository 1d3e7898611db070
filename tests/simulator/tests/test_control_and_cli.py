"""The /_sim control API over HTTP, the Python lifecycle API and the command line."""

import os
import signal
import subprocess
import sys
import time

import pytest
import requests

from dbaudit_simulator import Simulator, SimulatorConfig

SIMULATOR_DIR = os.path.join(os.path.dirname(__file__), "..")


def test_health_and_credentials(sim):
    assert requests.get(sim.url + "/_sim/health", timeout=10).json()["status"] == "ok"
    creds = requests.get(sim.url + "/_sim/credentials", timeout=10).json()
    assert creds == sim.credentials
    assert creds["access_key"] == "HWSIMULATORACCESSKEY" and creds["secret_key"] == "hwsimulator-secret-key"


def test_control_requests_are_not_recorded_and_log_is_served(api, sim):
    api.get("/v3/%s/instances" % api.project_id)
    requests.get(sim.url + "/_sim/health", timeout=10)
    logged = requests.get(sim.url + "/_sim/requests", timeout=10).json()["requests"]
    assert [r["service"] for r in logged] == ["rds"]
    assert requests.delete(sim.url + "/_sim/requests", timeout=10).status_code == 204
    assert sim.requests == []


def test_faults_over_http(api, sim):
    resp = requests.post(sim.url + "/_sim/faults", json={"kind": "status", "status": 503, "times": 1, "path": "/instances$"}, timeout=10)
    assert resp.status_code == 201
    assert requests.get(sim.url + "/_sim/faults", timeout=10).json()["faults"][0]["status"] == 503
    assert api.get("/v3/%s/instances" % api.project_id).status_code == 503
    assert api.get("/v3/%s/instances" % api.project_id).status_code == 200
    requests.post(sim.url + "/_sim/faults", json={"kind": "html"}, timeout=10)
    assert requests.delete(sim.url + "/_sim/faults", timeout=10).status_code == 204
    assert api.get("/v3/%s/instances" % api.project_id).status_code == 200


@pytest.mark.parametrize("body", [{"kind": "bogus"}, {"status": 500}, {"kind": "status", "colour": "red"}, ["kind"]])
def test_bad_fault_over_http_is_400(sim, body):
    resp = requests.post(sim.url + "/_sim/faults", json=body, timeout=10)
    assert resp.status_code == 400 and "error" in resp.json()
    assert sim.faults == []


def test_config_over_http_switches_shape(api, sim):
    resp = requests.post(sim.url + "/_sim/config", json={"instance_shape": "instances"}, timeout=10)
    assert resp.json() == {"instance_shape": "instances"}
    assert "instances" in api.get("/v1/%s/audit/instances" % api.project_id).json()
    assert requests.post(sim.url + "/_sim/config", json={"instance_shape": "bad"}, timeout=10).status_code == 400
    assert requests.post(sim.url + "/_sim/config", json={"seed": 1}, timeout=10).status_code == 400
    assert sim.instance_shape == "instances"


def test_data_over_http(sim, region):
    body = requests.get(sim.url + "/_sim/data", timeout=10).json()
    north = body["regions"]["cn-north-4"]
    assert north["project_id"] == region.project_id
    assert north["instances"] == region.instances
    assert north["audit_policies"] == region.audit_policies
    some = next(k for k, v in region.audit_logs.items() if v)
    assert north["audit_logs"][some] == region.audit_logs[some]


def test_token_over_http(api, sim):
    body = requests.post(sim.url + "/_sim/tokens", json={"region": "cn-north-4"}, timeout=10).json()
    assert body["project_id"] == api.project_id
    assert api.get("/v1/%s/audit/instances" % api.project_id, token=body["token"]).status_code == 200
    assert requests.post(sim.url + "/_sim/tokens", json={"region": "nowhere"}, timeout=10).status_code == 400


def test_unknown_control_endpoint(sim):
    assert requests.get(sim.url + "/_sim/nothing", timeout=10).status_code == 404


def test_lifecycle_start_stop_and_context_manager():
    sim = Simulator(SimulatorConfig(instances=2, rds_instances=1))
    assert sim.url is None
    sim.start(port=0)
    url = sim.url
    assert url.startswith("http://127.0.0.1:")
    assert requests.get(url + "/_sim/health", timeout=10).status_code == 200
    sim.stop()
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url + "/_sim/health", timeout=2)
    with Simulator(SimulatorConfig(instances=2, rds_instances=1)) as other:
        assert requests.get(other.url + "/_sim/health", timeout=10).status_code == 200


def test_latency_ms_config_installs_latency_rule():
    with Simulator(SimulatorConfig(instances=1, rds_instances=0, latency_ms=200)) as sim:
        started = time.monotonic()
        assert requests.get(sim.url + "/v3/projects", timeout=10).status_code == 401
        assert time.monotonic() - started >= 0.2
        assert sim.requests[-1]["fault"] == "latency"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_cli_starts_with_url_file_and_stops_cleanly(tmp_path, sig):
    url_file = tmp_path / "url"
    env = dict(os.environ, PYTHONPATH=os.path.abspath(SIMULATOR_DIR))
    proc = subprocess.Popen([sys.executable, "-m", "dbaudit_simulator", "--port", "0", "--url-file", str(url_file), "--instances", "5",
                             "--regions", "cn-north-4,cn-east-3", "--instance-shape", "instances"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    try:
        deadline = time.monotonic() + 10
        while not url_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        url = url_file.read_text(encoding="utf-8").strip()
        data = requests.get(url + "/_sim/data", timeout=10).json()
        assert sorted(data["regions"]) == ["cn-east-3", "cn-north-4"]
        assert len(data["regions"]["cn-north-4"]["instances"]) == 5
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    lines = out.splitlines()
    assert lines[0] == "dbaudit simulator listening on %s" % url
    for var in ("HW_REGION_NAME=cn-north-4", "HW_ACCESS_KEY=HWSIMULATORACCESSKEY", "HW_SECRET_KEY=hwsimulator-secret-key",
                "HW_DBSS_ENDPOINT=" + url, "HW_RDS_ENDPOINT=" + url, "HW_IAM_ENDPOINT=" + url):
        assert "export " + var in lines
    assert lines[-1] == "dbaudit simulator stopped"


def test_cli_rejects_bad_arguments():
    env = dict(os.environ, PYTHONPATH=os.path.abspath(SIMULATOR_DIR))
    result = subprocess.run([sys.executable, "-m", "dbaudit_simulator", "--instance-shape", "weird"], capture_output=True, text=True, env=env,
                            timeout=10, check=False)
    assert result.returncode == 2 and "instance-shape" in result.stderr
