"""The official Huawei Cloud SDK, an independent client, talks to the simulator and sees the seeded data.

Notes on this SDK version (3.1.219):
- ListAuditInstancesRequest (deprecated) calls GET /v1/{project_id}/dbss/audit/instances and reads "servers";
  ListAuditInstancesNewRequest calls the documented /v1/{project_id}/audit/instances and reads "instances"
  (instance_id, connectIpv6). The simulator serves the first path always in the "servers" shape and the second in the
  configured shape, so each SDK call is checked against the shape it models.
- BasicCredentials with an explicit project_id avoids any IAM call; plain http:// endpoints are used as given.
"""

import datetime
import json
import warnings

import pytest

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkdbss.v1 import DbssClient, ListAuditInstancesNewRequest, ListAuditInstancesRequest, ListAuditRuleScopesNewRequest
from huaweicloudsdkrds.v3 import ListAuditlogsRequest, ListInstancesRequest, RdsClient, ShowAuditlogPolicyRequest

FMT = "%Y-%m-%dT%H:%M:%S%z"


def _credentials(sim, region, secret_key=None):
    creds = sim.credentials
    return BasicCredentials(creds["access_key"], secret_key or creds["secret_key"], region.project_id)


@pytest.fixture
def dbss_client(sim, region):
    return DbssClient.new_builder().with_credentials(_credentials(sim, region)).with_endpoints([sim.url]).build()


@pytest.fixture
def rds_client(sim, region):
    return RdsClient.new_builder().with_credentials(_credentials(sim, region)).with_endpoints([sim.url]).build()


def test_sdk_lists_instances_in_servers_shape(dbss_client, region, sim):
    ids = []
    offset = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        while True:
            resp = dbss_client.list_audit_instances(ListAuditInstancesRequest(offset=str(offset), limit="10"))
            assert resp.total == len(region.instances)
            ids += [server.id for server in resp.servers]
            offset += 10
            if offset >= resp.total:
                break
    assert ids == [i["id"] for i in region.instances]
    assert all(r["auth"] == "aksk" and r["status"] == 200 for r in sim.requests)


def test_sdk_lists_instances_in_instances_shape(dbss_client, region, sim):
    sim.set_instance_shape("instances")
    resp = dbss_client.list_audit_instances_new(ListAuditInstancesNewRequest(offset="0", limit="1000"))
    assert resp.total == len(region.instances)
    assert [i.instance_id for i in resp.instances] == [i["id"] for i in region.instances]
    assert [i.connect_ipv6 for i in resp.instances] == [i["connect_ipv6"] for i in region.instances]
    assert any(i.connect_ipv6 for i in resp.instances)
    assert [i.status for i in resp.instances] == [i["status"] for i in region.instances]


def test_sdk_new_request_does_not_understand_servers_shape(dbss_client, region):
    # The documented "servers" answer is invisible to the SDK's newer model: the collection must parse both itself.
    resp = dbss_client.list_audit_instances_new(ListAuditInstancesNewRequest(offset="0", limit="1000"))
    assert resp.total == len(region.instances) and resp.instances is None


def test_sdk_lists_scopes(dbss_client, region):
    inst = region.instances[0]["id"]
    resp = dbss_client.list_audit_rule_scopes_new(ListAuditRuleScopesNewRequest(instance_id=inst, offset="0", limit="100"))
    assert [s.id for s in resp.scopes] == [s["id"] for s in region.scopes[inst]]
    assert [s.all_audit for s in resp.scopes] == [s["all_audit"] for s in region.scopes[inst]]


def test_sdk_lists_audit_logs(rds_client, region, sim):
    rds_id = next(rid for rid, logs in region.audit_logs.items() if logs)
    start = sim.now - datetime.timedelta(days=20)
    end = sim.now
    expected = [f for f in region.audit_logs[rds_id]
                if datetime.datetime.strptime(f["begin_time"], FMT) <= end and datetime.datetime.strptime(f["end_time"], FMT) >= start]
    got = []
    offset = 0
    while True:
        resp = rds_client.list_auditlogs(ListAuditlogsRequest(instance_id=rds_id, start_time=start.strftime(FMT), end_time=end.strftime(FMT),
                                                              offset=offset, limit=50))
        assert resp.total_record == len(expected)
        got += resp.auditlogs
        offset += 50
        if offset >= resp.total_record:
            break
    assert [f.id for f in got] == [f["id"] for f in expected]
    assert [f.size for f in got] == [f["size"] for f in expected]
    assert got[0].begin_time == expected[0]["begin_time"]


def test_sdk_lists_rds_instances(rds_client, region):
    resp = rds_client.list_instances(ListInstancesRequest(datastore_type="MySQL", offset=0, limit=100))
    expected = [i for i in region.rds_instances if i["datastore"]["type"] == "MySQL"]
    assert resp.total_count == len(expected)
    assert [i.id for i in resp.instances] == [i["id"] for i in expected]
    assert [i.datastore.version for i in resp.instances] == [i["datastore"]["version"] for i in expected]


def test_sdk_reads_the_audit_policy_as_json_text(rds_client, region):
    # all_audit_log_action is a string holding JSON text (SDK: str; API reference sample), never a list (issue 19).
    mysql = next(i["id"] for i in region.rds_instances if i["datastore"]["type"] == "MySQL")
    resp = rds_client.show_auditlog_policy(ShowAuditlogPolicyRequest(instance_id=mysql))
    assert isinstance(resp.all_audit_log_action, str)
    categories = json.loads(resp.all_audit_log_action)
    assert sorted(categories) == ["DCL", "DDL", "DML", "OTHER"] and "CHANGE_DB" in categories["OTHER"].split(",")
    assert resp.keep_days == region.audit_policies[mysql]["keep_days"]


def test_sdk_wrong_secret_key_gets_401_apigw_0301(sim, region):
    client = DbssClient.new_builder().with_credentials(_credentials(sim, region, secret_key="wrong")).with_endpoints([sim.url]).build()
    with pytest.raises(ClientRequestException) as caught:
        client.list_audit_instances_new(ListAuditInstancesNewRequest(offset="0", limit="10"))
    assert caught.value.status_code == 401
    assert caught.value.error_code == "APIGW.0301"
    assert caught.value.request_id == sim.requests[-1]["request_id"]


def test_sdk_sees_dbss_validation_error(dbss_client):
    with pytest.raises(ClientRequestException) as caught:
        dbss_client.list_audit_instances_new(ListAuditInstancesNewRequest(offset="0", limit="1001"))
    assert caught.value.status_code == 400 and caught.value.error_code == "DBSS.10000001"
