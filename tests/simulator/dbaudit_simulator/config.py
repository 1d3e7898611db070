"""Simulator configuration and the fake, publicly documented default credentials."""

import dataclasses
import datetime
import math
import re

from .flow_control import check_rate_limit

INSTANCE_SHAPES = ("servers", "instances")

# Fake credentials: they only open the simulator, so they are safe to print and document.
DEFAULT_CREDENTIALS = {
    "access_key": "HWSIMULATORACCESSKEY",
    "secret_key": "hwsimulator-secret-key",
    "temp_access_key": "HWSIMTEMPACCESSKEY",
    "temp_secret_key": "hwsim-temp-secret-key",
    "security_token": "hwsim-security-token",
    "domain_name": "hwsim-domain",
    "user_name": "hwsim-user",
    "password": "hwsim-password",
}


@dataclasses.dataclass
class SimulatorConfig:
    """Everything that shapes the seeded data and the server's behaviour; equal configs give equal data."""

    seed: int = 42
    regions: tuple = ("cn-north-4",)
    instances: int = 24
    scopes_per_instance: int = 3
    databases_per_instance: int = 2
    rds_instances: int = 12
    log_days: int = 45
    log_interval_hours: int = 6
    instance_shape: str = "servers"
    latency_ms: int = 0
    # API Gateway flow control: requests a second per credential (0 = off), answering 429 APIGW.0308 beyond it;
    # burst 0 = about 200 ms worth of requests (see flow_control.py).
    rate_limit: float = 0.0
    rate_limit_burst: int = 0
    now: datetime.datetime | None = None
    # "Clean account" profile: the same generated account, then made compliant (every audit instance ACTIVE with an
    # ON full-audit scope and an ON database, no upgrade pending, no expiry within 90 days; every MySQL instance with
    # its audit log on, kept >= 180 days and written up to now). False keeps the default data unchanged.
    clean: bool = False
    # (min_kb, max_kb) range of the audit-log files' listed `size` (KB), which is also the length of what their download
    # links serve (storage.file_length). None keeps the default range (256.0, 20481.835938) and exactly the default
    # data; only the sizes change with it, e.g. (4, 16) for fast tests or (204800, 204800) for 200 MB files.
    log_file_kb: tuple | None = None
    # Lifetime of the temporary object-storage URLs that POST .../auditlog-links hands out.
    link_ttl_seconds: int = 300
    # Audited SQL statements a day per DBSS audit instance, over its last log_days days (generated when first asked for).
    sql_per_instance_per_day: int = 200
    # Report the totals of the DBSS audit-data lists (statements, alarm log) clipped at the 10,000 records a query serves,
    # as the console does ("A maximum of 10,000 records can be retrieved in a query"); False reports the true total.
    clip_audit_totals: bool = False
    # The most statements one audited-SQL query serves (page * size beyond it is refused): 10,000 on the real service. A
    # smaller window (tests) refuses more and clips totals lower; a larger one is refused, as the service would refuse
    # those pages.
    sql_result_window: int = 10000
    # Other accounts (accounts.py): each has its own domain, AK/SK, projects and seeded data (generated when first used), and
    # the agencies of AGENCY_NAMES; the default account's data is the same with or without them.
    member_accounts: tuple = ("hwsim-member-1", "hwsim-member-2")
    # Lifetime of the temporary credentials POST /v3.0/OS-CREDENTIAL/securitytokens issues: None = the duration_seconds asked
    # for; a number overrides it (0 or less gives credentials that are already expired).
    sts_ttl_seconds: int | None = None

    def __post_init__(self):
        if isinstance(self.regions, str):
            self.regions = tuple(r.strip() for r in self.regions.split(",") if r.strip())
        self.regions = tuple(self.regions)
        if not self.regions:
            raise ValueError("at least one region is required")
        if len(set(self.regions)) != len(self.regions):
            raise ValueError("regions must be unique")
        if self.instance_shape not in INSTANCE_SHAPES:
            raise ValueError("instance_shape must be one of %s" % ", ".join(INSTANCE_SHAPES))
        for name in ("instances", "scopes_per_instance", "databases_per_instance", "rds_instances", "log_days", "latency_ms", "sql_per_instance_per_day"):
            if getattr(self, name) < 0:
                raise ValueError("%s must be >= 0" % name)
        if self.log_interval_hours < 1:
            raise ValueError("log_interval_hours must be >= 1")
        self.rate_limit, self.rate_limit_burst = check_rate_limit(self.rate_limit, self.rate_limit_burst)
        if self.now is not None and self.now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        if self.log_file_kb is not None:
            self.log_file_kb = check_log_file_kb(self.log_file_kb)
        self.link_ttl_seconds = check_link_ttl(self.link_ttl_seconds)
        if isinstance(self.member_accounts, str):
            self.member_accounts = tuple(a.strip() for a in self.member_accounts.split(",") if a.strip())
        self.member_accounts = check_member_accounts(self.member_accounts)
        self.sts_ttl_seconds = check_sts_ttl(self.sts_ttl_seconds)
        self.sql_result_window = check_sql_result_window(self.sql_result_window)
        self.clip_audit_totals = check_flag(self.clip_audit_totals, "clip_audit_totals")


# "A maximum of 10,000 records can be retrieved in a query" (DBSS user guide).
MAX_SQL_RESULT_WINDOW = 10000


def check_sql_result_window(value):
    """The most statements one query serves: an integer 1..10000 (never more than the real service serves)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_SQL_RESULT_WINDOW:
        raise ValueError("sql_result_window must be an integer between 1 and %d, got %r" % (MAX_SQL_RESULT_WINDOW, value))
    return value


def check_flag(value, name):
    if not isinstance(value, bool):
        raise ValueError("%s must be true or false, got %r" % (name, value))
    return value


# A listed size becomes a file the simulator streams; beyond this a typo (KB taken for bytes) would ask for terabytes.
MAX_LOG_FILE_KB = 64 * 1024 * 1024


def check_log_file_kb(value):
    """Return (min_kb, max_kb) as floats from a pair or a "MIN,MAX" string, or raise ValueError."""
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",")]
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError) as exc:
        raise ValueError("log_file_kb must be a (min_kb, max_kb) pair of numbers, e.g. (4, 16) or \"4,16\"") from exc
    if any(isinstance(v, bool) for v in value):
        raise ValueError("log_file_kb must be a (min_kb, max_kb) pair of numbers, not booleans")
    if not (math.isfinite(low) and math.isfinite(high)) or low < 0 or high < low or high > MAX_LOG_FILE_KB:
        raise ValueError("log_file_kb must satisfy 0 <= min_kb <= max_kb <= %d, got (%r, %r)" % (MAX_LOG_FILE_KB, low, high))
    return (low, high)


def check_link_ttl(value):
    """Return the download links' lifetime in whole seconds (>= 0; 0 gives links that are already expired)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("link_ttl_seconds must be an integer >= 0, got %r" % (value,))
    return value


MAIN_ACCOUNT = "main"
_ACCOUNT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{2,62}$")


def check_member_accounts(names):
    """Names of the other accounts: unique, letters, digits, - and _ (they are account (domain) names too)."""
    names = tuple(names)
    for name in names:
        if not isinstance(name, str) or not _ACCOUNT_NAME.match(name) or name == MAIN_ACCOUNT:
            raise ValueError("member account names must be 3 to 63 letters, digits, - and _, starting with a letter, and not %r; got %r"
                             % (MAIN_ACCOUNT, name))
    if len(set(names)) != len(names):
        raise ValueError("member account names must be unique")
    return names


def check_sts_ttl(value):
    """None (temporary credentials live the duration_seconds asked for) or a whole number of seconds."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("sts_ttl_seconds must be an integer number of seconds or null, got %r" % (value,))
    return value
