"""A temporary Prefect API server for one `mekdata run` or `mekdata history`, started before
anything heavy.

With no PREFECT_API_URL, Prefect 3 starts the same kind of server itself (SubprocessASGIServer:
uvicorn serving prefect.server.api.server:create_app), but only once the flow starts, and only
after importing that 4-second server module into our own process. Ours is started in two
steps. ``TemporaryServer()`` picks the port, so that the run can point PREFECT_API_URL at it
before it imports Prefect. ``start()`` then imports Prefect here (the run needs it anyway) and
forks: the server's process inherits what Prefect's import built and imports only the
server's own modules, building the app while the run goes on importing pandas and the rest
on the other core. Measured on our 2-core machine (2026-12-07, CPU seconds): a spawned
server imported Prefect again (2.2 of its 4.7 s of imports) before building its app.

The server's settings (``SERVER_SETTINGS``) leave out what a server that lives for one run
never uses: registering block types (with its check, which imports every installed Prefect
collection, prefect-dask and Dask's distributed among them: 0.8 s at every start), the
automations' triggers and the events stream to outside subscribers. Where there is no
``os.fork`` the server is spawned as a fresh interpreter (``serve`` below) instead.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import traceback
import urllib.request
from collections.abc import Callable
from pathlib import Path

from mekdata import REPO_ROOT
from mekdata.startup import collector_paused

STARTUP_TIMEOUT_S = 60.0
ERROR_TAIL_CHARS = 2000

# Prefect settings of the temporary server, as environment variables.
SERVER_SETTINGS = {
    "PREFECT_UI_ENABLED": "false",
    "PREFECT_API_BLOCKS_REGISTER_ON_START": "false",
    # Else the registration's memo check loads every Prefect collection even when the
    # registration itself is off.
    "PREFECT_MEMOIZE_BLOCK_AUTO_REGISTRATION": "false",
    "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false",
    "PREFECT_API_EVENTS_STREAM_OUT_ENABLED": "false",
}
# Read by create_app itself (os.getenv): services as in Prefect's own ephemeral server; this
# is the process's only app.
APP_FLAGS = {"PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}


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


def wait_for_health(api_url: str, exited: Callable[[], str | None], timeout: float) -> None:
    """Poll the server's /health until it answers 200; fail if its process exits first
    (``exited`` says why, or None while it runs)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (reason := exited()) is not None:
            raise RuntimeError(f"The Prefect server exited: {reason}")
        try:
            with urllib.request.urlopen(f"{api_url}/health", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"The Prefect server at {api_url} did not answer within {timeout:g} s.")


def process_exited(process: subprocess.Popen) -> Callable[[], str | None]:
    """``wait_for_health``'s ``exited`` for a spawned server."""

    def exited() -> str | None:
        if process.poll() is None:
            return None
        output = process.stderr.read().decode(errors="replace") if process.stderr else ""
        return f"code {process.returncode}. {output[-ERROR_TAIL_CHARS:]}"

    return exited


class TemporaryServer:
    """``TemporaryServer()`` picks the port (``api_url``), ``start()`` starts the server,
    ``wait_until_ready()`` waits for it, ``stop()`` ends it."""

    def __init__(self) -> None:
        if importlib.util.find_spec("prefect") is None:
            raise RuntimeError("prefect is not installed")
        self.port = free_port()
        self.api_url = f"http://127.0.0.1:{self.port}/api"
        self.pid: int | None = None
        self._spawned: subprocess.Popen | None = None
        self._status: int | None = None  # a forked server's exit status, once reaped
        # The server's error output (a full pipe would block it), read if it fails to start.
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115  (lives as long as the server)

    def start(self, fork: bool = True) -> None:
        """Start the server: forked from this process once it has imported Prefect (see the
        module docstring), or spawned when ``fork`` is false, where there is no fork, or
        when this process runs threads (a fork copies none of them, whatever locks they hold)."""
        if fork and hasattr(os, "fork") and threading.active_count() == 1:
            with collector_paused():
                import prefect  # noqa: F401  (this process needs it too: imported once for both)
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                _serve_forked(self.port, self._stderr.fileno())  # never returns
            self.pid = pid
        else:
            self._spawned = subprocess.Popen(
                [sys.executable, "-m", "flows.temporary_server", str(self.port)],
                env={**os.environ, **SERVER_SETTINGS, **APP_FLAGS, "PYTHONPATH": _python_path()},
                stdout=subprocess.DEVNULL,
                stderr=self._stderr,
                start_new_session=True,
            )
            self.pid = self._spawned.pid

    def exited(self) -> str | None:
        """Why the server's process ended (its exit status and error output), or None while
        it runs."""
        if self.pid is None:
            raise RuntimeError("The temporary server was not started.")
        if self._spawned is not None:
            self._status = self._spawned.poll()
            if self._status is None:
                return None
        elif self._status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid == 0:
                return None
            self._status = os.waitstatus_to_exitcode(status)
        self._stderr.seek(0)
        output = self._stderr.read().decode(errors="replace")[-ERROR_TAIL_CHARS:]
        return f"code {self._status}. {output}".rstrip()

    def wait_until_ready(self, timeout: float = STARTUP_TIMEOUT_S) -> None:
        try:
            wait_for_health(self.api_url, self.exited, timeout)
        except RuntimeError:
            self.stop()
            raise

    def stop(self) -> None:
        """Ask the server to shut down; it finishes on its own after we exit."""
        if self.pid is not None and self._status is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGTERM)


def _python_path() -> str:
    return os.pathsep.join(p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p)


def _serve_forked(port: int, stderr_fd: int) -> None:
    """The forked server's process: detached from the run's terminal and pipes, it serves
    until terminated, then exits without the run's exit handlers."""
    status = 1
    try:
        os.setsid()  # like a spawned server's new session: the terminal's Ctrl-C is the run's
        devnull = os.open(os.devnull, os.O_RDWR)
        for target in (0, 1):
            os.dup2(devnull, target)
        os.dup2(stderr_fd, 2)
        # The run's other descriptors (the validation worker's pipes, above all) must close
        # when the run closes them, not live on here.
        for fd in _open_descriptors():
            if fd > 2:
                with contextlib.suppress(OSError):
                    os.close(fd)
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_DFL)
        os.environ.update(APP_FLAGS)
        import prefect.settings

        # Prefect read its settings when this process (then the run) imported it.
        updates = {getattr(prefect.settings, name): v for name, v in SERVER_SETTINGS.items()}
        with prefect.settings.temporary_settings(updates=updates):
            serve(port)
        status = 0
    except SystemExit as leaving:  # uvicorn's, when it cannot bind the port
        status = leaving.code if isinstance(leaving.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stderr.flush()
        os._exit(status)


def _open_descriptors() -> list[int]:
    try:
        return [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:  # no /proc: the usual first thousand
        return list(range(1024))


def serve(port: int) -> None:
    """The server: Prefect's API app on 127.0.0.1:``port`` until terminated."""
    # Here, in the server's own process: the run imports this module without Prefect.
    with collector_paused():
        import uvicorn
        from prefect.server.api.server import create_app

        app = create_app()
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error", lifespan="on")


if __name__ == "__main__":
    serve(int(sys.argv[1]))
