"""TLS: certificates are verified by default, ca_path trusts a private CA, validate_certs: false skips the check,
and a failed verification is reported at once (a retry cannot fix it)."""

import datetime
import ipaddress

import pytest

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from hwtest_support import sim_requests

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.client import HuaweiCloudClient
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.config import ClientConfig
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss import list_audit_instances
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudError

REGION = 'cn-north-4'


def self_signed(directory):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, u'127.0.0.1')])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(u'127.0.0.1'))]), False)
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
                   .sign(key, hashes.SHA256()))
    cert_file, key_file = directory / 'sim.crt', directory / 'sim.key'
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_file), str(key_file)


@pytest.fixture(scope='module')
def https_sim(tmp_path_factory):
    from dbaudit_simulator import Simulator, SimulatorConfig
    tls = self_signed(tmp_path_factory.mktemp('tls'))
    server = Simulator(SimulatorConfig(regions=(REGION,), instances=5, scopes_per_instance=0, databases_per_instance=0,
                                       rds_instances=0))
    server.start(tls=tls)
    yield server, tls[0]
    server.stop()


def instances(server, **params):
    settings = {'region': REGION, 'project_id': server.data.regions[REGION].project_id,
                'access_key': server.credentials['access_key'], 'secret_key': server.credentials['secret_key'],
                'endpoints': {'dbss': server.url}, 'max_retries': 3}
    settings.update(params)
    return list_audit_instances(HuaweiCloudClient(ClientConfig(settings, environ={}), sleep=lambda seconds: None))


def test_an_untrusted_certificate_fails_at_once_with_advice(https_sim):
    server, _ca = https_sim
    assert server.url.startswith('https://127.0.0.1:')
    server.reset_requests()
    with pytest.raises(HuaweiCloudError) as info:
        instances(server)
    message = str(info.value)
    assert 'TLS connection to 127.0.0.1:' in message and 'certificate verify failed' in message
    assert 'set ca_path' in message and 'validate_certs' in message
    assert sim_requests(server) == []


def test_ca_path_trusts_the_certificate(https_sim):
    server, ca = https_sim
    assert len(instances(server, ca_path=ca)) == 5


def test_validate_certs_false_skips_verification(https_sim):
    server, _ca = https_sim
    assert len(instances(server, validate_certs=False)) == 5
