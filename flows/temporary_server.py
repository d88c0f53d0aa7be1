"""A temporary Prefect API server for one `mekdata run`, started before anything heavy.

With no PREFECT_API_URL, Prefect 3 starts the same kind of server itself (SubprocessASGIServer:
uvicorn serving prefect.server.api.server:create_app), but only once the flow starts, and only
after importing that 4-second server module into our own process. Starting it first, without
importing Prefect here, lets its start-up run on the other core while we import pandas, GX and
the rest. The server process runs ``serve`` below: the same app, built with the garbage
collector paused (mekdata/startup.py). Standard library only at the top.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

from mekdata import REPO_ROOT
from mekdata.startup import collector_paused

STARTUP_TIMEOUT_S = 60.0


def api_url_configured() -> bool:
    """PREFECT_API_URL in the environment or in the active Prefect profile."""
    if os.environ.get("PREFECT_API_URL"):
        return True
    home = Path(os.environ.get("PREFECT_HOME", Path.home() / ".prefect"))
    profiles_path = Path(os.environ.get("PREFECT_PROFILES_PATH", home / "profiles.toml"))
    try:
        profiles = tomllib.loads(profiles_path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return False
    active = os.environ.get("PREFECT_PROFILE") or profiles.get("active", "ephemeral")
    return bool(profiles.get("profiles", {}).get(active, {}).get("PREFECT_API_URL"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_health(api_url: str, process: subprocess.Popen, timeout: float) -> None:
    """Poll the server's /health until it answers 200; fail if the process exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = (
                process.stderr.read().decode(errors="replace")[-2000:] if process.stderr else ""
            )
            raise RuntimeError(
                f"The Prefect server exited with code {process.returncode}. {output}"
            )
        try:
            with urllib.request.urlopen(f"{api_url}/health", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"The Prefect server at {api_url} did not answer within {timeout:g} s.")


class TemporaryServer:
    def __init__(self) -> None:
        if importlib.util.find_spec("prefect") is None:
            raise RuntimeError("prefect is not installed")
        self.port = free_port()
        self.api_url = f"http://127.0.0.1:{self.port}/api"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flows.temporary_server", str(self.port)],
            env={
                **os.environ,
                "PYTHONPATH": os.pathsep.join(
                    p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p
                ),
                "PREFECT_UI_ENABLED": "0",
                "PREFECT__SERVER_EPHEMERAL": "1",
                "PREFECT__SERVER_FINAL": "1",
            },
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )

    def wait_until_ready(self, timeout: float = STARTUP_TIMEOUT_S) -> None:
        try:
            wait_for_health(self.api_url, self.process, timeout)
        except RuntimeError:
            self.stop()
            raise

    def stop(self) -> None:
        """Ask the server to shut down; it finishes on its own after we exit."""
        if self.process.poll() is None:
            self.process.terminate()


def serve(port: int) -> None:
    """The server process: Prefect's API app on 127.0.0.1:``port`` until terminated."""
    # Here, in the server's own process: the parent imports this module without Prefect.
    with collector_paused():
        import uvicorn
        from prefect.server.api.server import create_app

        app = create_app()
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error", lifespan="on")


if __name__ == "__main__":
    serve(int(sys.argv[1]))
