"""A real Prefect server on 127.0.0.1 for the test session (one per session, never per test)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from flows.temporary_server import free_port

STARTUP_TIMEOUT_S = 120


class PrefectServer:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.port = free_port()
        self.api_url = f"http://127.0.0.1:{self.port}/api"
        self.process = None

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "PREFECT_HOME": str(self.home),
            "PREFECT_API_URL": self.api_url,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        }

    def start(self) -> PrefectServer:
        from flows.deployment import start_local_server

        self.process, _ = start_local_server(self.home, self.port, STARTUP_TIMEOUT_S)
        return self

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, 15)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, 9)
            self.process.wait(timeout=10)
