"""The scheduled deployment of the release flow: daily at 06:00 UTC by default, one run at a
time, parameters for source and output. Served in the foreground by ``mekdata serve``; the
same deployment is declared in prefect.yaml for ``prefect deploy`` to a process work pool."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from flows.temporary_server import process_exited, wait_for_health
from mekdata import LIVE_ARTICLE

DEPLOYMENT_NAME = "mekdata-daily"
DEFAULT_CRON = "0 6 * * *"
DEFAULT_TIMEZONE = "UTC"
LOCAL_SERVER_PORT = 4200
# Scheduled runs read the live article (one small API request when it has not changed);
DEFAULT_SOURCE = f"wikipedia:{LIVE_ARTICLE}"
SERVER_STARTUP_TIMEOUT_S = 120

NO_SERVER_MESSAGE = (
    "Prefect schedules only run against a real Prefect server, never the temporary one it "
    "starts for a single run. Start one with `prefect server start --host 127.0.0.1` and set "
    "PREFECT_API_URL=http://127.0.0.1:4200/api (or `prefect config set PREFECT_API_URL=…`), "
    "then run `mekdata serve` again; or run `mekdata serve --start-server` to have it start a "
    "local server on 127.0.0.1 for you."
)


def configured_api_url() -> str | None:
    # Prefect costs 1.9 s at import; the CLI imports this module on every command.
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value() or None


def build_deployment(
    cron: str = DEFAULT_CRON,
    timezone: str = DEFAULT_TIMEZONE,
    source: str | None = DEFAULT_SOURCE,
    output: str | None = None,
    name: str = DEPLOYMENT_NAME,
    wiki_api: str | None = None,
):
    """The RunnerDeployment for serving; the same settings as prefect.yaml."""
    # Prefect and the release flow (2.8 s), for serving only (see configured_api_url).
    from prefect.schedules import Cron

    from flows.release_flow import release_flow

    return release_flow.to_deployment(
        name=name,
        schedules=[Cron(cron, timezone=timezone)],
        concurrency_limit=1,
        parameters={"source": source, "output": output, "wiki_api": wiki_api},
        description="Publish a release of the MEK datasets when the source changes.",
        tags=["mekdata"],
    )


def start_local_server(
    home: Path, port: int = LOCAL_SERVER_PORT, timeout: float = SERVER_STARTUP_TIMEOUT_S
) -> tuple[subprocess.Popen, str]:
    """Start `prefect server start` on 127.0.0.1 and wait until it answers."""
    home.mkdir(parents=True, exist_ok=True)
    api_url = f"http://127.0.0.1:{port}/api"
    prefect = Path(sys.executable).with_name("prefect")
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env |= {"PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    with open(home / "server.log", "ab") as log:
        process = subprocess.Popen(
            [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for_health(api_url, process_exited(process), timeout)
    except RuntimeError as error:
        process.terminate()
        raise RuntimeError(f"{error} See {home / 'server.log'}.") from error
    return process, api_url
