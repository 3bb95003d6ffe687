"""Quiet, self-contained Prefect defaults; imported before prefect itself.

Only defaults: whatever the user set in the environment or a Prefect profile wins.
"""

from __future__ import annotations

import os

_DEFAULTS = {
    # This machine has no network: the server's telemetry only logs
    # "Failed to send telemetry" errors.
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    # The temporary server's shutdown can cut off the task-run recorder's last
    # flush and print its traceback; records of our runs live in the warehouse.
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_ENABLED": "false",
    "PREFECT_LOGGING_LOG_PRINTS": "false",
}


def apply() -> None:
    for key, value in _DEFAULTS.items():
        os.environ.setdefault(key, value)


apply()
