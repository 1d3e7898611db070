"""Fixtures for the simulator's own tests: a shared running simulator and request signing helpers."""

import datetime
import os
import sys
import warnings
from urllib.parse import urlsplit

import pytest
import requests

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

# pylint: disable=wrong-import-position
from dbaudit_simulator import Simulator, SimulatorConfig  # noqa: E402
from huaweicloudsdkcore.auth.credentials import BasicCredentials  # noqa: E402
from huaweicloudsdkcore.sdk_request import SdkRequest  # noqa: E402
from huaweicloudsdkcore.signer.signer import Signer  # noqa: E402
from huaweicloudsdkdbss.v1 import DbssClient  # noqa: E402

# Fixed data clock so expectations do not depend on when the tests run (signatures still use real time).
SIM_NOW = datetime.datetime(2026, 3, 1, 4, 0, tzinfo=datetime.timezone.utc)
REGION = "cn-north-4"


class _Creds:
    def __init__(self, ak, sk):
        self.ak = ak
        self.sk = sk


def sign(method, url, query=None, headers=None, body=b"", ak=None, sk=None, sdk_date=None):
    """Sign with the official SDK signer; return (url_with_canonical_query, headers) ready for requests."""
    parts = urlsplit(url)
    header_params = dict(headers or {})
    if sdk_date is not None:
        header_params["X-Sdk-Date"] = sdk_date
    request = SdkRequest(method=method, schema=parts.scheme, host=parts.netloc, resource_path=parts.path, query_params=list((query or {}).items()),
                         header_params=header_params, body=body or None)
    Signer(_Creds(ak, sk)).sign(request)
    return "%s://%s%s" % (parts.scheme, parts.netloc, request.uri), dict(request.header_params)


class Api:
    """Tiny signed client for the running simulator (AK/SK by default, or an IAM token)."""

    def __init__(self, sim):
        self.sim = sim
        creds = sim.credentials
        self.ak = creds["access_key"]
        self.sk = creds["secret_key"]
        self.session = requests.Session()

    @property
    def project_id(self):
        return self.sim.data.regions[REGION].project_id

    def request(self, method, path, query=None, json_body=None, token=None, ak=None, sk=None, headers=None, sdk_date=None):
        body = b""
        hdrs = dict(headers or {})
        if json_body is not None:
            body = requests.models.complexjson.dumps(json_body).encode("utf-8")
            hdrs["Content-Type"] = "application/json"
        url = self.sim.url + path
        if token is not None:
            hdrs["X-Auth-Token"] = token
            return self.session.request(method, url, params=query, data=body, headers=hdrs, timeout=10)
        signed_url, signed_headers = sign(method, url, query, hdrs, body, ak or self.ak, sk or self.sk, sdk_date)
        return self.session.request(method, signed_url, data=body, headers=signed_headers, timeout=10)

    def get(self, path, query=None, **kwargs):
        return self.request("GET", path, query=query, **kwargs)

    def post(self, path, json_body=None, **kwargs):
        return self.request("POST", path, json_body=json_body, **kwargs)


@pytest.fixture(scope="module")
def shared_sim():
    with Simulator(SimulatorConfig(now=SIM_NOW)) as sim:
        yield sim


@pytest.fixture
def sim(shared_sim):  # pylint: disable=redefined-outer-name
    """The module's simulator with faults, request log and instance shape reset for each test."""
    shared_sim.clear_faults()
    shared_sim.reset_requests()
    shared_sim.set_instance_shape("servers")
    yield shared_sim
    shared_sim.clear_faults()


@pytest.fixture
def api(sim):  # pylint: disable=redefined-outer-name
    client = Api(sim)
    yield client
    client.session.close()


@pytest.fixture
def region(sim):  # pylint: disable=redefined-outer-name
    return sim.data.regions[REGION]


@pytest.fixture(name="sign")
def sign_fixture():
    """The SDK-signer helper, as a fixture so tests never import conftest (works with any pytest import mode)."""
    return sign


@pytest.fixture
def make_api():
    """Build a signed client for another (test-local) simulator."""
    clients = []

    def factory(other_sim):
        client = Api(other_sim)
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.session.close()


@pytest.fixture
def client(sim, region):  # pylint: disable=redefined-outer-name
    """The official SDK's DBSS client against the simulator, the SDK's deprecation warnings silenced while it is used."""
    creds = sim.credentials
    sdk = DbssClient.new_builder().with_credentials(BasicCredentials(creds["access_key"], creds["secret_key"], region.project_id)) \
        .with_endpoints([sim.url]).build()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield sdk
