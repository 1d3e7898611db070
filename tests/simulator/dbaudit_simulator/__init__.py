"""Local simulator of the Huawei Cloud IAM, DBSS and RDS APIs used by hwcloud.dbaudit (test and demo fixture only)."""

from .config import DEFAULT_CREDENTIALS, SimulatorConfig
from .simulator import Simulator

__all__ = ["DEFAULT_CREDENTIALS", "Simulator", "SimulatorConfig"]
