"""Simulator configuration and the fake, publicly documented default credentials."""

import dataclasses
import datetime

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
        for name in ("instances", "scopes_per_instance", "databases_per_instance", "rds_instances", "log_days", "latency_ms"):
            if getattr(self, name) < 0:
                raise ValueError("%s must be >= 0" % name)
        if self.log_interval_hours < 1:
            raise ValueError("log_interval_hours must be >= 1")
        self.rate_limit, self.rate_limit_burst = check_rate_limit(self.rate_limit, self.rate_limit_burst)
        if self.now is not None and self.now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
