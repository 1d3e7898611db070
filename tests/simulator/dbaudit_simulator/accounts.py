"""Several accounts (IAM domains), their agencies, and the temporary credentials an agency hands out.

The default account ("main") is the one the simulator always had: its data, credentials and token users are unchanged.
Every member account has its own domain id and name, its own permanent AK/SK, one project per simulated region and its
own seeded data, generated from the seed ``"<seed>:<account name>"`` the first time it is used (so the default data,
and the time it takes to build, do not change). Member accounts define agencies:

* ``dbaudit_auditor`` trusts the main account: main's credentials may assume it;
* ``dbaudit_untrusted`` trusts an account that does not exist here: assuming it is ``403``.

``POST /v3.0/OS-CREDENTIAL/securitytokens`` (apis/sts.py) issues temporary AK/SK and a security token for an agency;
they act as the agency's account until they expire, and only on that account's projects.
"""

import dataclasses
import datetime
import hashlib
import secrets
import threading
import time

from .config import MAIN_ACCOUNT
from .data import SimulatorData

AUDITOR_AGENCY = "dbaudit_auditor"
UNTRUSTED_AGENCY = "dbaudit_untrusted"
# The domain id the untrusted agency trusts: no simulated account has it.
OUTSIDER_DOMAIN_ID = hashlib.sha256(b"hwsim-outsider-domain").hexdigest()[:32]
_IAM_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def _derived_hex(*parts, length=32):
    return hashlib.sha256(":".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:length]


class Account:
    """One account: domain, permanent credentials, agencies, and its data (``SimulatorData``)."""

    def __init__(self, name, domain_name, domain_id, access_key, secret_key, data_factory, project_ids, agencies):
        self.name = name
        self.domain_name = domain_name
        self.domain_id = domain_id
        self.access_key = access_key
        self.secret_key = secret_key
        self.agencies = agencies            # agency name -> trusted domain id
        self.project_ids = project_ids      # region -> project id, known without generating the data
        self._data_factory = data_factory
        self._data = None
        self._lock = threading.Lock()

    @property
    def data(self):
        """The account's SimulatorData, generated on first use."""
        with self._lock:
            if self._data is None:
                self._data = self._data_factory()
            return self._data

    def generated_data(self):
        """The account's SimulatorData if it was generated already, else None (it is then seeded data anyway)."""
        with self._lock:
            return self._data

    def describe(self):
        return {"name": self.name, "domain_name": self.domain_name, "domain_id": self.domain_id, "access_key": self.access_key,
                "secret_key": self.secret_key, "projects": dict(self.project_ids),
                "agencies": [{"name": name, "trusted_domain_id": trusted} for name, trusted in sorted(self.agencies.items())]}


@dataclasses.dataclass
class TemporaryCredential:
    access: str
    secret: str
    securitytoken: str
    expires_at: float
    account: str
    agency: str

    def describe(self):
        return {"access": self.access, "secret": self.secret, "securitytoken": self.securitytoken,
                "expires_at": iam_time(self.expires_at), "account": self.account, "agency": self.agency}


def iam_time(timestamp):
    return datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc).strftime(_IAM_TIME_FORMAT)


class Accounts:
    """Every account, the temporary credentials issued so far, and the counters tests read (``describe_stats``)."""

    def __init__(self, config, main_data, credentials, now, clock=time.time):
        self._clock = clock
        self._lock = threading.Lock()
        self.sts_ttl_seconds = config.sts_ttl_seconds
        main = Account(MAIN_ACCOUNT, credentials["domain_name"], main_data.domain_id, credentials["access_key"], credentials["secret_key"],
                       lambda: main_data, {name: region.project_id for name, region in main_data.regions.items()}, {})
        self.by_name = {MAIN_ACCOUNT: main}
        for number, name in enumerate(config.member_accounts, start=1):
            member_config = dataclasses.replace(config, seed="%s:%s" % (config.seed, name), member_accounts=())
            projects = {region: _derived_hex(member_config.seed, region, "project") for region in config.regions}
            agencies = {AUDITOR_AGENCY: main.domain_id, UNTRUSTED_AGENCY: OUTSIDER_DOMAIN_ID}
            self.by_name[name] = Account(name, name, _derived_hex(member_config.seed, "domain"), "HWSIMMEMBER%dACCESSKEY" % number,
                                         "hwsim-member-%d-secret-key" % number, _factory(member_config, now), projects, agencies)
        self._by_project = {}
        for account in self.by_name.values():
            for region, project_id in account.project_ids.items():
                self._by_project[project_id] = (account, region)
        self._by_access_key = {account.access_key: account for account in self.by_name.values()}
        self._temporary = {}
        self._assume_calls = {}
        self._requests = {}

    @property
    def main(self):
        return self.by_name[MAIN_ACCOUNT]

    def find(self, domain_name=None, domain_id=None):
        for account in self.by_name.values():
            if (domain_name is not None and account.domain_name == domain_name) or (domain_id is not None and account.domain_id == domain_id):
                return account
        return None

    def region_for_project(self, project_id):
        """``(account, RegionData)`` of a project id, or ``(None, None)``."""
        account, region = self._by_project.get(project_id, (None, None))
        if account is None:
            return None, None
        return account, account.data.regions[region]

    def permanent_key(self, access_key):
        return self._by_access_key.get(access_key)

    def temporary_key(self, access_key):
        with self._lock:
            return self._temporary.get(access_key)

    def issue(self, account, agency, duration_seconds):
        """Temporary credentials acting as ``account``; counted per (agency, account)."""
        lifetime = duration_seconds if self.sts_ttl_seconds is None else self.sts_ttl_seconds
        credential = TemporaryCredential(
            access="HWSTS" + secrets.token_hex(10).upper(),
            secret=secrets.token_urlsafe(30),
            securitytoken="gQpjbi1ub3J0aC00" + secrets.token_urlsafe(150),
            expires_at=int(self._clock()) + lifetime,
            account=account.name,
            agency=agency,
        )
        with self._lock:
            self._temporary[credential.access] = credential
            key = "%s@%s" % (agency, account.domain_name)
            self._assume_calls[key] = self._assume_calls.get(key, 0) + 1
        return credential

    def set_sts_ttl(self, seconds):
        with self._lock:
            self.sts_ttl_seconds = seconds

    def count_request(self, account_name):
        with self._lock:
            self._requests[account_name] = self._requests.get(account_name, 0) + 1

    def reset_counters(self):
        """Assume and request counters restart; issued credentials stay valid (and listed) until they expire."""
        with self._lock:
            self._assume_calls.clear()
            self._requests.clear()

    def describe_stats(self):
        with self._lock:
            return {"assume_calls": dict(self._assume_calls), "requests_by_account": dict(self._requests),
                    "sts_ttl_seconds": self.sts_ttl_seconds,
                    "issued": [credential.describe() for credential in self._temporary.values()]}

    def describe(self):
        return {"accounts": [account.describe() for account in self.by_name.values()]}


def _factory(config, now):
    def build():
        return SimulatorData(config, now)
    return build
