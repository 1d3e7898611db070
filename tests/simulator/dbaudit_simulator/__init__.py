"""Local simulator of the Huawei Cloud IAM, DBSS and RDS APIs used by hwcloud.dbaudit (test and demo fixture only)."""

from .config import DEFAULT_CREDENTIALS, SimulatorConfig
from .simulator import Simulator
from .storage import file_length, file_sha256, iter_file_content

__all__ = ["DEFAULT_CREDENTIALS", "Simulator", "SimulatorConfig", "file_length", "file_sha256", "iter_file_content"]
