"""Audit-log downloads: the links API, the object-storage route, its content, faults, counters and memory use.

Everything goes over real HTTP to a started simulator. This module's simulator lists files of 100 to 300 KB
(log_file_kb), so downloads are quick yet span several 64 KiB content blocks.
"""

import datetime
import hashlib
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from dbaudit_simulator import Simulator, SimulatorConfig
from dbaudit_simulator.storage import BLOCK_SIZE, file_length, file_range, file_sha256, iter_file_content

SIM_NOW = datetime.datetime(2026, 3, 1, 4, 0, tzinfo=datetime.timezone.utc)
SIMULATOR_DIR = os.path.join(os.path.dirname(__file__), "..")
KB_RANGE = (100, 300)
STAT_KEYS = {"link_requests", "links_issued", "downloads", "downloads_completed", "downloads_with_api_credentials", "bytes_served"}


@pytest.fixture(scope="module")
def shared_sim():
    """Overrides conftest's: the same seeded account, with small audit-log files."""
    with Simulator(SimulatorConfig(now=SIM_NOW, log_file_kb=KB_RANGE)) as sim:
        yield sim


@pytest.fixture(autouse=True)
def _restore_settings(shared_sim):  # pylint: disable=redefined-outer-name
    yield
    shared_sim.set_link_ttl(300)
    shared_sim.set_rate_limit(0)


def _logging_mysql(region):
    return next(rid for rid, logs in region.audit_logs.items() if logs and region.audit_policies[rid]["keep_days"])


def _links(api, region, count=3, rds_id=None):
    rds_id = rds_id or _logging_mysql(region)
    files = region.audit_logs[rds_id][:count]
    resp = api.post("/v3/%s/instances/%s/auditlog-links" % (api.project_id, rds_id), {"ids": [f["id"] for f in files]})
    assert resp.status_code == 200, resp.text
    return rds_id, files, resp.json()["links"]


def _expected(audit_log):
    return b"".join(iter_file_content(audit_log["id"], file_length(audit_log["size"])))


def _xml_error(resp):
    assert resp.headers["Content-Type"] == "application/xml"
    assert resp.text.startswith('<?xml version="1.0" encoding="UTF-8"?><Error>')
    root = ET.fromstring(resp.content)
    assert root.tag == "Error" and root.findtext("RequestId") == resp.headers["x-obs-request-id"]
    return root.findtext("Code"), root.findtext("Message")


def _raw_get(url):
    """GET with http.client, which reports exactly how many body bytes arrived before the connection ended."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request("GET", "%s?%s" % (parts.path, parts.query))
    return conn, conn.getresponse()


# content functions -------------------------------------------------------------------------------------------------

def test_file_length_rounds_kb_to_bytes():
    assert file_length(4.0) == 4096
    assert file_length(10418.352017) == round(10418.352017 * 1024) == 10668392
    assert file_length(0.0004) == 0 and file_length(204800) == 200 * 1024 * 1024


def test_content_is_deterministic_per_file_and_independent_of_chunking():
    length = 5 * BLOCK_SIZE + 12345
    content = b"".join(iter_file_content("file-a", length))
    assert len(content) == length
    assert content == b"".join(iter_file_content("file-a", length, chunk_size=7777)) == b"".join(iter_file_content("file-a", length, 1 << 20))
    assert content[:1000] == b"".join(iter_file_content("file-a", 1000))      # a shorter file is a prefix
    assert file_range("file-a", 70000, 200000) == content[70000:200000]
    assert b"".join(iter_file_content("file-b", length)) != content
    assert file_sha256("file-a", length) == hashlib.sha256(content).hexdigest()
    assert list(iter_file_content("file-a", 0)) == []


def test_content_blocks_start_with_their_index_and_never_repeat():
    length = 40 * BLOCK_SIZE
    content = b"".join(iter_file_content("file-a", length))
    blocks = [content[i:i + BLOCK_SIZE] for i in range(0, length, BLOCK_SIZE)]
    assert [int.from_bytes(block[:8], "big") for block in blocks] == list(range(40))
    assert len({block[8:] for block in blocks}) == 40
    # Swapping two blocks, or dropping one, changes the hash.
    swapped = b"".join([blocks[1], blocks[0]] + blocks[2:])
    assert hashlib.sha256(swapped).hexdigest() != file_sha256("file-a", length)


def test_content_generation_is_fast():
    length = 128 * 1024 * 1024
    best = None
    for _attempt in range(2):
        started = time.perf_counter()
        total = sum(len(chunk) for chunk in iter_file_content("fast", length))
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    assert total == length
    assert length / best >= 200e6, "%.0f MB/s" % (length / best / 1e6)


# links -------------------------------------------------------------------------------------------------------------

def test_links_shape_order_and_expiry(api, sim, region):
    rds_id = _logging_mysql(region)
    ids = [f["id"] for f in region.audit_logs[rds_id][:4]][::-1]        # any order: links follow the request
    before = int(time.time())
    resp = api.post("/v3/%s/instances/%s/auditlog-links" % (api.project_id, rds_id), {"ids": ids})
    after = int(time.time())
    links = resp.json()["links"]
    assert resp.status_code == 200 and len(links) == 4
    for link, log_id in zip(links, ids):
        parts = urlsplit(link)
        assert "%s://%s" % (parts.scheme, parts.netloc) == sim.url
        assert parts.path == "/obs/rds-auditlog/%s/%s" % (rds_id, log_id)
        query = parse_qs(parts.query)
        assert sorted(query) == ["Expires", "Signature"]
        assert before + 300 <= int(query["Expires"][0]) <= after + 300
        signature = query["Signature"][0]
        assert len(signature) == 64 and int(signature, 16) >= 0
    assert len({parse_qs(urlsplit(link).query)["Signature"][0] for link in links}) == 4
    assert sim.storage_stats == dict.fromkeys(STAT_KEYS, 0) | {"link_requests": 1, "links_issued": 4}


@pytest.mark.parametrize("body", [{"ids": []}, {"ids": ["x"] * 51}, {"ids": ["unknown-id"]}, {}])
def test_refused_link_requests_count_nothing(api, sim, region, body):
    assert api.post("/v3/%s/instances/%s/auditlog-links" % (api.project_id, _logging_mysql(region)), body).status_code == 400
    assert sim.storage_stats["link_requests"] == 0 and sim.storage_stats["links_issued"] == 0


def test_download_serves_the_listed_size_and_content(api, sim, region):
    _rds_id, files, links = _links(api, region, 3)
    listed = {f["id"]: f["size"] for f in requests.get(sim.url + "/_sim/data", timeout=10).json()["regions"]["cn-north-4"]["audit_logs"][_rds_id]}
    for audit_log, link in zip(files, links):
        assert KB_RANGE[0] <= audit_log["size"] <= KB_RANGE[1] and listed[audit_log["id"]] == audit_log["size"]
        resp = requests.get(link, timeout=10)
        assert resp.status_code == 200
        assert resp.headers["Content-Type"] == "application/octet-stream"
        assert int(resp.headers["Content-Length"]) == file_length(audit_log["size"]) == len(resp.content)
        assert resp.content == _expected(audit_log)
        assert hashlib.sha256(resp.content).hexdigest() == file_sha256(audit_log["id"], file_length(audit_log["size"]))
        assert resp.headers["x-obs-request-id"] and "Last-Modified" in resp.headers
    records = [r for r in sim.requests if r["service"] == "obs"]
    assert len(records) == 3
    assert all(r["status"] == 200 and r["auth"] == "none" and r["api_credentials"] is False and r["fault"] is None for r in records)
    stats = sim.storage_stats
    assert stats["downloads"] == stats["downloads_completed"] == 3 and stats["downloads_with_api_credentials"] == 0
    assert stats["bytes_served"] == sum(file_length(f["size"]) for f in files)


def test_default_sizes_download_too(make_api):
    """With the default data, a link serves what the (unchanged) listing says, megabytes included."""
    with Simulator(SimulatorConfig(now=SIM_NOW)) as other:
        api = make_api(other)
        region = other.data.regions["cn-north-4"]
        _rds_id, files, links = _links(api, region, 1)
        assert files[0]["size"] == 10418.352017
        resp = requests.get(links[0], timeout=30)
        assert len(resp.content) == int(resp.headers["Content-Length"]) == file_length(files[0]["size"])
        assert hashlib.sha256(resp.content).hexdigest() == file_sha256(files[0]["id"], file_length(files[0]["size"]))


# link checks -------------------------------------------------------------------------------------------------------

def test_expired_links(api, sim, region):
    sim.set_link_ttl(0)                              # expires = now: already expired when fetched
    _rds_id, _files, links = _links(api, region, 1)
    resp = requests.get(links[0], timeout=10)
    assert resp.status_code == 403 and _xml_error(resp) == ("AccessDenied", "Request has expired")
    assert requests.get(sim.storage_link(_rds_id, _files[0]["id"], ttl_seconds=-60), timeout=10).status_code == 403
    assert requests.get(sim.storage_link(_rds_id, _files[0]["id"], ttl_seconds=60), timeout=10).status_code == 200
    assert sim.storage_stats["downloads"] == 3 and sim.storage_stats["downloads_completed"] == 1


def test_link_ttl_over_control_api(api, sim, region):
    resp = requests.post(sim.url + "/_sim/config", json={"link_ttl_seconds": 0}, timeout=10)
    assert resp.status_code == 200 and resp.json()["link_ttl_seconds"] == 0 and sim.link_ttl_seconds == 0
    _rds_id, _files, links = _links(api, region, 1)
    assert requests.get(links[0], timeout=10).status_code == 403
    assert requests.post(sim.url + "/_sim/config", json={"link_ttl_seconds": -1}, timeout=10).status_code == 400
    assert sim.link_ttl_seconds == 0


def _replace_query(link, **values):
    parts = urlsplit(link)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(values)
    query = {k: v for k, v in query.items() if v is not None}
    return "%s://%s%s?%s" % (parts.scheme, parts.netloc, parts.path, "&".join("%s=%s" % item for item in query.items()))


def test_bad_signatures(api, sim, region):
    rds_id, files, links = _links(api, region, 2)
    signature = parse_qs(urlsplit(links[0]).query)["Signature"][0]
    forged = [
        _replace_query(links[0], Signature="0" * 64),
        _replace_query(links[0], Signature=signature[:-1]),
        _replace_query(links[0], Expires=str(int(parse_qs(urlsplit(links[0]).query)["Expires"][0]) + 3600)),   # a longer life
        links[0].replace(files[0]["id"], files[1]["id"]),                                                       # another file
    ]
    for url in forged:
        resp = requests.get(url, timeout=10)
        assert resp.status_code == 403, url
        assert _xml_error(resp)[0] == "SignatureDoesNotMatch"
    resp = requests.get(_replace_query(links[0], Signature=None, Expires=None), timeout=10)
    assert resp.status_code == 403 and _xml_error(resp)[0] == "AccessDenied"
    # The secret is per simulator: the same path and query on another one does not verify.
    with Simulator(SimulatorConfig(now=SIM_NOW, log_file_kb=KB_RANGE)) as other:
        resp = requests.get(links[0].replace(sim.url, other.url), timeout=10)
        assert resp.status_code == 403 and _xml_error(resp)[0] == "SignatureDoesNotMatch"
    assert requests.get(sim.storage_link(rds_id, files[0]["id"]), timeout=10).status_code == 200


def test_unknown_objects_buckets_and_methods(api, sim, region):
    rds_id, _files, links = _links(api, region, 1)
    for url in (sim.storage_link(rds_id, "fa163e000000t00000000deadbeefdeadbeefbr01"), sim.storage_link("no-such-instance", "x")):
        resp = requests.get(url, timeout=10)
        assert resp.status_code == 404 and _xml_error(resp) == ("NoSuchKey", "The specified key does not exist.")
    resp = requests.get(sim.url + "/obs/other-bucket/a/b", timeout=10)
    assert resp.status_code == 404 and _xml_error(resp)[0] == "NoSuchBucket"
    resp = requests.get(sim.url + "/obs/rds-auditlog/only-one-level", timeout=10)
    assert resp.status_code == 404 and _xml_error(resp)[0] == "NoSuchKey"
    resp = requests.put(links[0], data=b"x", timeout=10)
    assert resp.status_code == 403 and _xml_error(resp)[0] == "SignatureDoesNotMatch"
    assert requests.head(links[0], timeout=10).status_code == 403
    assert sim.storage_stats["downloads"] == 4      # GET requests only


def test_storage_is_not_behind_the_gateway(api, sim, region):
    """No flow control and no API authentication on storage: only the link's signature counts."""
    _rds_id, _files, links = _links(api, region, 1)
    sim.set_rate_limit(1, burst=1)
    admitted = sim.flow_control["admitted"]
    for _unused in range(5):
        assert requests.get(links[0], timeout=10).status_code == 200
    assert sim.flow_control["admitted"] == admitted and sim.flow_control["throttled"] == 0
    assert all(not r["throttled"] for r in sim.requests)


@pytest.mark.parametrize("header", ["Authorization", "X-Auth-Token", "X-Security-Token", "X-Sdk-Date"])
def test_downloads_with_api_credentials_are_served_and_counted(api, sim, region, header):
    _rds_id, files, links = _links(api, region, 1)
    value = "SDK-HMAC-SHA256 Access=HWSIMULATORACCESSKEY, SignedHeaders=host, Signature=00" if header == "Authorization" else "x"
    resp = requests.get(links[0], headers={header: value}, timeout=10)
    assert resp.status_code == 200 and resp.content == _expected(files[0])
    assert requests.get(links[0], timeout=10).status_code == 200
    records = [r for r in sim.requests if r["service"] == "obs"]
    assert [r["api_credentials"] for r in records] == [True, False]
    stats = sim.storage_stats
    assert stats["downloads"] == 2 and stats["downloads_with_api_credentials"] == 1 and stats["downloads_completed"] == 2


# faults ------------------------------------------------------------------------------------------------------------

def test_truncate_sends_full_content_length_then_half(api, sim, region):
    _rds_id, files, links = _links(api, region, 1)
    length = file_length(files[0]["size"])
    sim.add_fault("truncate", path="^/obs/", times=1)
    conn, resp = _raw_get(links[0])
    with pytest.raises(http.client.IncompleteRead) as caught:
        resp.read()
    conn.close()
    assert resp.status == 200 and int(resp.getheader("Content-Length")) == length
    assert caught.value.partial == _expected(files[0])[:length // 2]
    record = sim.requests[-1]
    assert record["fault"] == "truncate" and record["status"] == 200
    stats = sim.storage_stats
    assert stats["downloads"] == 1 and stats["downloads_completed"] == 0 and stats["bytes_served"] == length // 2
    assert requests.get(links[0], timeout=10).content == _expected(files[0])      # times=1


def test_truncate_bytes_and_requests_error(api, sim, region):
    _rds_id, _files, links = _links(api, region, 1)
    sim.add_fault("truncate", path="^/obs/", bytes=1000, times=1)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        requests.get(links[0], timeout=10)
    assert sim.storage_stats["bytes_served"] == 1000
    sim.add_fault("truncate", path="^/obs/", bytes=0, times=1)
    conn, resp = _raw_get(links[0])
    with pytest.raises(http.client.IncompleteRead) as caught:
        resp.read()
    conn.close()
    assert caught.value.partial == b"" and resp.status == 200


def test_truncate_applies_to_api_answers_too(api, sim, region):
    sim.add_fault("truncate", path="/auditlog-policy$", bytes=5, times=1)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        api.get("/v3/%s/instances/%s/auditlog-policy" % (api.project_id, _logging_mysql(region)))


def test_reset_without_bytes_gives_connection_reset(api, sim, region):
    _rds_id, _files, links = _links(api, region, 1)
    sim.add_fault("reset", path="^/obs/", times=1)
    with pytest.raises(requests.exceptions.ConnectionError) as caught:
        requests.get(links[0], timeout=10)
    assert "reset by peer" in str(caught.value) or isinstance(caught.value.__context__, ConnectionResetError)
    sim.add_fault("reset", path="^/obs/", times=1)
    parts = urlsplit(links[0])
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request("GET", "%s?%s" % (parts.path, parts.query))
    with pytest.raises(ConnectionResetError):
        conn.getresponse()
    conn.close()
    assert [(r["fault"], r["status"]) for r in sim.requests if r["service"] == "obs"] == [("reset", None), ("reset", None)]
    stats = sim.storage_stats
    assert stats["downloads"] == 2 and stats["downloads_completed"] == 0 and stats["bytes_served"] == 0
    assert requests.get(links[0], timeout=10).status_code == 200


def test_reset_after_some_bytes(api, sim, region):
    _rds_id, _files, links = _links(api, region, 1)
    sim.add_fault("reset", path="^/obs/", bytes=5000, times=1)
    # Mid-body, requests reports the reset as a broken (ChunkedEncodingError) or aborted (ConnectionError) transfer.
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)) as caught:
        requests.get(links[0], timeout=10)
    assert "reset by peer" in str(caught.value)
    sim.add_fault("reset", path="^/obs/", bytes=5000, times=1)
    conn, resp = _raw_get(links[0])
    assert resp.status == 200
    with pytest.raises((ConnectionResetError, http.client.IncompleteRead)):
        resp.read()
    conn.close()
    assert sim.requests[-1]["status"] == 200 and sim.requests[-1]["fault"] == "reset"
    assert sim.storage_stats["bytes_served"] == 10000 and sim.storage_stats["downloads_completed"] == 0


def test_expire_fault_only_hits_storage(api, sim, region):
    _rds_id, _files, links = _links(api, region, 1)
    sim.add_fault("expire", times=1)                          # no path: still never an API request
    assert api.get("/v3/%s/instances/%s/auditlog-policy" % (api.project_id, _logging_mysql(region))).status_code == 200
    resp = requests.get(links[0], timeout=10)
    assert resp.status_code == 403 and _xml_error(resp) == ("AccessDenied", "Request has expired")
    assert sim.faults[0]["applied"] == 1 and sim.requests[-1]["fault"] == "expire"
    assert requests.get(links[0], timeout=10).status_code == 200


def test_status_fault_on_storage_answers_obs_xml(api, sim, region):
    _rds_id, _files, links = _links(api, region, 1)
    sim.add_fault("status", status=503, path="^/obs/", times=1, retry_after=2)
    resp = requests.get(links[0], timeout=10)
    assert resp.status_code == 503 and resp.headers["Retry-After"] == "2"
    code, message = _xml_error(resp)
    assert code == "ServiceUnavailable" and "503" in message
    sim.add_fault("status", status=503, path="^/obs/", times=1, error_code="SlowDown", error_msg="Please reduce your request rate.")
    assert _xml_error(requests.get(links[0], timeout=10)) == ("SlowDown", "Please reduce your request rate.")
    sim.add_fault("status", status=500, times=1)              # a rule without path hits storage too, still as XML
    assert _xml_error(requests.get(links[0], timeout=10))[0] == "InternalError"
    sim.add_fault("status", status=503, times=1)              # ... and API requests keep their JSON body
    assert api.get("/v1/%s/audit/instances" % api.project_id).json()["error_code"] == "SYS.5000"


def test_html_empty_drop_and_latency_on_storage(api, sim, region):
    _rds_id, _files, links = _links(api, region, 1)
    sim.add_fault("html", path="^/obs/", times=1)
    resp = requests.get(links[0], timeout=10)
    assert resp.status_code == 502 and resp.headers["Content-Type"].startswith("text/html")
    sim.add_fault("empty", path="^/obs/", times=1)
    resp = requests.get(links[0], timeout=10)
    assert resp.status_code == 503 and resp.content == b""
    sim.add_fault("drop", path="^/obs/", times=1)
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(links[0], timeout=10)
    sim.add_fault("latency", path="^/obs/", ms=200, times=1)
    started = time.monotonic()
    assert requests.get(links[0], timeout=10).status_code == 200
    assert time.monotonic() - started >= 0.2
    assert [r["fault"] for r in sim.requests if r["service"] == "obs"] == ["html", "empty", "drop", "latency"]


def test_fault_after_and_times_on_storage(api, sim, region):
    _rds_id, files, links = _links(api, region, 1)
    sim.add_fault("truncate", path="^/obs/", after=1, times=1, bytes=10)
    assert requests.get(links[0], timeout=10).content == _expected(files[0])
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        requests.get(links[0], timeout=10)
    assert requests.get(links[0], timeout=10).status_code == 200
    assert sim.faults[0]["seen"] == 2 and sim.faults[0]["applied"] == 1


@pytest.mark.parametrize("kind, opts", [("truncate", {"bytes": -1}), ("reset", {"bytes": "10"}), ("truncate", {"bytes": True}),
                                        ("expire", {"bytes": 1}), ("reset", {"status": 500})])
def test_invalid_storage_faults(sim, kind, opts):
    with pytest.raises(ValueError):
        sim.add_fault(kind, **opts)
    resp = requests.post(sim.url + "/_sim/faults", json=dict(opts, kind=kind), timeout=10)
    assert resp.status_code == 400


def test_storage_faults_over_control_api(sim):
    for body in ({"kind": "truncate", "path": "^/obs/"}, {"kind": "reset", "bytes": 100}, {"kind": "expire", "times": 1}):
        resp = requests.post(sim.url + "/_sim/faults", json=body, timeout=10)
        assert resp.status_code == 201 and resp.json()["fault"]["kind"] == body["kind"]
    assert [f.get("bytes") for f in sim.faults] == [None, 100, None]


# counters ----------------------------------------------------------------------------------------------------------

def test_counters_over_control_api_and_reset(api, sim, region):
    _rds_id, _files, links = _links(api, region, 2)
    for link in links:
        requests.get(link, timeout=10)
    served = requests.get(sim.url + "/_sim/storage", timeout=10).json()
    assert served == sim.storage_stats and set(served) == STAT_KEYS
    assert served["link_requests"] == 1 and served["links_issued"] == 2 and served["downloads_completed"] == 2
    assert requests.delete(sim.url + "/_sim/requests", timeout=10).status_code == 204
    assert sim.storage_stats == dict.fromkeys(STAT_KEYS, 0)
    requests.get(links[0], timeout=10)
    assert sim.storage_stats["downloads"] == 1
    sim.reset_requests()
    assert sim.storage_stats == dict.fromkeys(STAT_KEYS, 0)


def test_counters_under_concurrent_downloads(api, sim, region):
    _rds_id, files, links = _links(api, region, 4)
    errors = []

    def worker():
        with requests.Session() as session:
            for audit_log, link in zip(files, links):
                resp = session.get(link, timeout=30)
                if resp.content != _expected(audit_log):
                    errors.append(link)

    threads = [threading.Thread(target=worker) for _unused in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    stats = sim.storage_stats
    assert stats["downloads"] == stats["downloads_completed"] == 32
    assert stats["bytes_served"] == 8 * sum(file_length(f["size"]) for f in files)


def test_client_abort_is_not_a_completed_download():
    with Simulator(SimulatorConfig(now=SIM_NOW, instances=1, rds_instances=2, log_file_kb=(20480, 20480))) as other:
        region = other.data.regions["cn-north-4"]
        rds_id = _logging_mysql(region)
        parts = urlsplit(other.storage_link(rds_id, region.audit_logs[rds_id][0]["id"]))
        # A plain socket, so that the test, not a connection pool, decides when the connection goes away.
        with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
            sock.sendall(("GET %s?%s HTTP/1.1\r\nHost: %s\r\n\r\n" % (parts.path, parts.query, parts.netloc)).encode("ascii"))
            received = b""
            while len(received) < 65536:
                received += sock.recv(65536)
            assert received.startswith(b"HTTP/1.1 200 ")
        deadline = time.monotonic() + 10
        while other.storage_stats["bytes_served"] == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        stats = other.storage_stats
        assert stats["downloads"] == 1 and stats["downloads_completed"] == 0
        assert 0 < stats["bytes_served"] < 20 * 1024 * 1024


# configuration, CLI, default data ----------------------------------------------------------------------------------

def test_log_file_kb_config():
    sim = Simulator(SimulatorConfig(now=SIM_NOW, instances=1, rds_instances=3, log_file_kb="4,16"))
    assert sim.config.log_file_kb == (4.0, 16.0)
    sizes = [f["size"] for logs in sim.data.regions["cn-north-4"].audit_logs.values() for f in logs]
    assert sizes and all(4 <= s <= 16 and s == round(s, 6) for s in sizes)
    fixed = Simulator(SimulatorConfig(now=SIM_NOW, instances=1, rds_instances=3, log_file_kb=(204800, 204800)))
    logs = fixed.data.regions["cn-north-4"].audit_logs
    assert {f["size"] for files in logs.values() for f in files} == {204800.0}
    # Only the sizes change: ids, names and times are those of the default data.
    default = Simulator(SimulatorConfig(now=SIM_NOW, instances=1, rds_instances=3))
    strip = [{k: v for k, v in f.items() if k != "size"} for files in default.data.regions["cn-north-4"].audit_logs.values() for f in files]
    assert strip == [{k: v for k, v in f.items() if k != "size"} for files in logs.values() for f in files]


@pytest.mark.parametrize("kwargs", [{"log_file_kb": (16, 4)}, {"log_file_kb": (-1, 4)}, {"log_file_kb": (4,)}, {"log_file_kb": "4"},
                                    {"log_file_kb": ("a", 4)}, {"log_file_kb": (float("inf"), 4)}, {"log_file_kb": (1, 1e12)},
                                    {"link_ttl_seconds": -1}, {"link_ttl_seconds": 1.5}, {"link_ttl_seconds": True}])
def test_invalid_storage_config(kwargs):
    with pytest.raises(ValueError, match=list(kwargs)[0]):
        SimulatorConfig(**kwargs)


def test_default_data_is_unchanged():
    """log_file_kb=None draws exactly what the simulator always did (pinned), and equals the explicit default range."""
    default = Simulator(SimulatorConfig(now=SIM_NOW)).data.to_dict()
    digest = hashlib.sha256(json.dumps(default, sort_keys=True).encode("utf-8")).hexdigest()
    assert digest == "dcc967231d2b15e591dfdb5746647a8739865ddf542c85234e42fc6fbc29414c"
    # Issue 19 changed the audit policies alone (all_audit_log_action as the documented JSON text, the documented
    # actions to draw audit_types from): everything else is what it was before.
    others = {"regions": {name: {key: value for key, value in region.items() if key != "audit_policies"}
                          for name, region in default["regions"].items()}}
    others.update((key, value) for key, value in default.items() if key != "regions")
    assert hashlib.sha256(json.dumps(others, sort_keys=True).encode("utf-8")).hexdigest() == \
        "a59a209e368f695a6d01ce2ba6b1e4768466620b2515353639365b90074c0c96"
    # Without the PostgreSQL audit policies and the rds_audit_switch_mismatch flags (added later, each drawn from its
    # own stream), the data is exactly what it was before them.
    for region in default["regions"].values():
        for rds in region["rds_instances"]:
            if rds["datastore"]["type"] == "PostgreSQL":
                del region["audit_policies"][rds["id"]]
        for items in region["databases"].values():
            for item in items:
                item["database"]["rds_audit_switch_mismatch"] = False
    digest = hashlib.sha256(json.dumps(default, sort_keys=True).encode("utf-8")).hexdigest()
    assert digest == "607202000ca1be57a6c060d7536e7f7ce011b7c175b41bde1c5da3e76a5706c4"
    assert Simulator(SimulatorConfig(now=SIM_NOW, log_file_kb=(256.0, 20481.835938))).data.to_dict() == Simulator(
        SimulatorConfig(now=SIM_NOW)).data.to_dict()


def _start_cli(tmp_path, *args):
    url_file = tmp_path / "url"
    env = dict(os.environ, PYTHONPATH=os.path.abspath(SIMULATOR_DIR))
    proc = subprocess.Popen([sys.executable, "-m", "dbaudit_simulator", "--port", "0", "--url-file", str(url_file), "--instances", "1",
                             "--rds-instances", "3", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    deadline = time.monotonic() + 15
    while not url_file.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    if not url_file.exists():
        proc.kill()
        raise AssertionError("simulator did not start: %s" % (proc.communicate()[1],))
    return proc, url_file.read_text(encoding="utf-8").strip()


def _stop_cli(proc):
    proc.terminate()
    try:
        _out, err = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        _out, err = proc.communicate()
    return err


def _cli_log_and_link(url, sign):
    data = requests.get(url + "/_sim/data", timeout=10).json()["regions"]["cn-north-4"]
    creds = requests.get(url + "/_sim/credentials", timeout=10).json()
    rds_id = next(rid for rid, logs in data["audit_logs"].items() if logs and data["audit_policies"][rid]["keep_days"])
    audit_log = data["audit_logs"][rds_id][0]
    body = json.dumps({"ids": [audit_log["id"]]}).encode("utf-8")
    signed_url, headers = sign("POST", "%s/v3/%s/instances/%s/auditlog-links" % (url, data["project_id"], rds_id), None,
                               {"Content-Type": "application/json"}, body, creds["access_key"], creds["secret_key"])
    resp = requests.post(signed_url, data=body, headers=headers, timeout=10)
    assert resp.status_code == 200, resp.text
    return audit_log, resp.json()["links"][0]


def test_cli_log_file_kb_and_link_ttl(tmp_path, sign):
    proc, url = _start_cli(tmp_path, "--log-file-kb", "4,16", "--link-ttl-seconds", "0")
    try:
        sizes = [f["size"] for logs in requests.get(url + "/_sim/data", timeout=10).json()["regions"]["cn-north-4"]["audit_logs"].values()
                 for f in logs]
        assert sizes and all(4 <= s <= 16 for s in sizes)
        _audit_log, link = _cli_log_and_link(url, sign)
        resp = requests.get(link, timeout=10)
        assert resp.status_code == 403 and "Request has expired" in resp.text
    finally:
        _stop_cli(proc)


@pytest.mark.parametrize("args", [["--log-file-kb", "16,4"], ["--log-file-kb", "x"], ["--link-ttl-seconds", "-5"]])
def test_cli_rejects_bad_storage_arguments(args):
    env = dict(os.environ, PYTHONPATH=os.path.abspath(SIMULATOR_DIR))
    result = subprocess.run([sys.executable, "-m", "dbaudit_simulator", *args], capture_output=True, text=True, env=env, timeout=10, check=False)
    assert result.returncode == 2 and args[0] in result.stderr


def _peak_rss_kb(pid):
    with open("/proc/%d/status" % pid, encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM for %d" % pid)


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs /proc to read the simulator's peak RSS")
def test_large_download_streams_with_flat_memory(tmp_path, sign):
    """A 64 MB file goes out chunk by chunk: the simulator's peak RSS grows by far less than the file."""
    proc, url = _start_cli(tmp_path, "--log-file-kb", "65536,65536")
    try:
        audit_log, link = _cli_log_and_link(url, sign)
        length = file_length(audit_log["size"])
        assert length == 64 * 1024 * 1024
        requests.get(link.replace("Signature=", "Signature=0"), timeout=10)     # warm the storage code path up
        before = _peak_rss_kb(proc.pid)
        digest = hashlib.sha256()
        received = 0
        with requests.get(link, stream=True, timeout=30) as resp:
            assert int(resp.headers["Content-Length"]) == length
            for chunk in resp.iter_content(1024 * 1024):
                digest.update(chunk)
                received += len(chunk)
        growth_kb = _peak_rss_kb(proc.pid) - before
        assert received == length and digest.hexdigest() == file_sha256(audit_log["id"], length)
        assert growth_kb < 16 * 1024, "peak RSS grew by %d KB while serving a 64 MB file" % growth_kb
        stats = requests.get(url + "/_sim/storage", timeout=10).json()
        assert stats["downloads_completed"] == 1 and stats["bytes_served"] == length
    finally:
        _stop_cli(proc)
