"""The temporary Prefect server a run starts when none is configured (flows/temporary_server.py):
forked from the run once it has imported Prefect, or spawned; either way with the one-run
settings, holding none of the run's pipes, ended by stop(), and a failed start reported with
the server's own words.

Each case drives the server from a fresh interpreter, as the CLI does: a fork is only taken
in a process running no other thread, which a test session is not.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
REPO_ROOT = Path(__file__).resolve().parents[1]

DRIVER = textwrap.dedent(
    """
    import json, os, socket, sys, time, urllib.request
    from flows.temporary_server import TemporaryServer

    mode, occupy = sys.argv[1], sys.argv[2] == "occupied"
    server = TemporaryServer()
    if occupy:  # someone else took the port between the pick and the start
        taken = socket.socket()
        taken.bind(("127.0.0.1", server.port))
        taken.listen()
    read_end, write_end = os.pipe()  # as the validation worker's request pipe
    server.start(fork=mode == "fork")
    os.close(write_end)
    try:
        server.wait_until_ready(timeout=90)
    except RuntimeError as error:
        print(json.dumps({"error": str(error)}))
        sys.exit(0)
    settings = json.load(urllib.request.urlopen(server.api_url + "/admin/settings"))
    # The server's end of the pipe is closed: the run closing its own gives end of file.
    pipe_released = os.read(read_end, 1) == b""
    server.stop()
    deadline = time.monotonic() + 30
    while server.exited() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    print(json.dumps({
        "pid": server.pid, "own_pid": os.getpid(), "pipe_released": pipe_released,
        "ui": settings["server"]["ui"]["enabled"],
        "triggers": settings["server"]["services"]["triggers"]["enabled"],
        "blocks": settings["server"]["register_blocks_on_start"],
        "memoize_blocks": settings["server"]["memoize_block_auto_registration"],
        "stream_out": settings["server"]["events"]["stream_out_enabled"],
        "stopped": server.exited() is not None,
    }))
    """
)


def drive(mode: str, port: str, tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    env["PYTHONPATH"] = str(REPO_ROOT)
    result = subprocess.run(
        [sys.executable, "-c", DRIVER, mode, port],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "mode", [pytest.param("fork", id="forked"), pytest.param("spawn", id="spawned")]
)
def test_the_server_runs_with_one_run_settings_and_stops(mode, tmp_path):
    outcome = drive(mode, "free", tmp_path)
    assert outcome["pid"] != outcome["own_pid"]
    assert outcome["pipe_released"]
    assert outcome["ui"] is False
    assert outcome["triggers"] is False
    assert outcome["blocks"] is False
    assert outcome["memoize_blocks"] is False
    assert outcome["stream_out"] is False
    assert outcome["stopped"]


@pytest.mark.parametrize(
    "mode", [pytest.param("fork", id="forked"), pytest.param("spawn", id="spawned")]
)
def test_a_server_that_cannot_start_says_why(mode, tmp_path):
    outcome = drive(mode, "occupied", tmp_path)
    assert re.match(r"The Prefect server exited: code [1-9]\d*\. ", outcome["error"])
    assert "address already in use" in outcome["error"]
