"""Scheduled runs on a real Prefect server on 127.0.0.1: serve and deploy the flow, read the
deployment back through the API, trigger it, and check releases and artifacts."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flows.deployment import DEFAULT_SOURCE
from mekdata.errors import SourceError

pytestmark = pytest.mark.slow
REPO_ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DEPLOYMENT = "mekdata-release/mekdata-daily"


def latest_entry(output: Path) -> dict:
    return json.loads((output / "index.json").read_text())["versions"][-1]


def _client_call(server, coroutine_factory):
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    async def run():
        async with get_client() as client:
            return await coroutine_factory(client)

    with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
        return asyncio.run(run())


def _wait_for_deployment(server, name: str, process: subprocess.Popen, timeout: float = 120):
    from prefect.exceptions import ObjectNotFound

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read() if process.stdout else "exited"
        try:
            return _client_call(server, lambda c: c.read_deployment_by_name(name))
        except ObjectNotFound:
            time.sleep(1)
    raise AssertionError(f"deployment {name} never appeared")


def test_schedule_serve_trigger_and_artifacts(prefect_server, article_server, tmp_path):
    output = tmp_path / "out"
    source = f"{article_server.url}/flaky/served.txt"
    serve = subprocess.Popen(
        [
            str(BIN / "mekdata"),
            "serve",
            "--cron",
            "30 5 * * 1",
            "--timezone",
            "Europe/Paris",
            "--source",
            source,
            "--output",
            str(output),
        ],
        env=prefect_server.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deployment = _wait_for_deployment(prefect_server, DEPLOYMENT, serve)
        schedule = deployment.schedules[0].schedule
        assert (schedule.cron, schedule.timezone) == ("30 5 * * 1", "Europe/Paris")
        assert deployment.schedules[0].active
        assert deployment.global_concurrency_limit.limit == 1
        assert deployment.parameters == {"source": source, "output": str(output), "wiki_api": None}

        from prefect.deployments import run_deployment
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with temporary_settings(updates={PREFECT_API_URL: prefect_server.api_url}):
            flow_run = run_deployment(DEPLOYMENT, timeout=240)
        assert flow_run.state.is_completed(), flow_run.state
        assert article_server.hits["/flaky/served.txt"] == 2  # a 503, then a retry that worked
        latest = json.loads((output / "latest.json").read_text())
        assert (output / "releases" / latest["version"] / "designations.parquet").is_file()
        metadata = json.loads(
            (output / "releases" / latest["version"] / "source" / "metadata.json").read_text()
        )
        assert metadata["sha256"] == latest_entry(output)["source_sha256"]
        assert metadata["http"]["etag"] == '"article-v1"'
        assert metadata["http"]["last-modified"] == "Fri, 27 Nov 2026 06:00:00 GMT"

        from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

        artifacts = _client_call(
            prefect_server,
            lambda c: c.read_artifacts(
                artifact_filter=ArtifactFilter(
                    flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run.id])
                )
            ),
        )
        keys = {a.key: a for a in artifacts}
        assert {"mekdata-summary", "mekdata-designations", "mekdata-findings"} <= set(keys)
        assert f"# mekdata release {latest['version']}" in keys["mekdata-summary"].data
        assert keys["mekdata-designations"].type == "table"
    finally:
        os.killpg(serve.pid, 15)
        serve.wait(timeout=60)


def test_schedule_prefect_yaml_deploys_to_a_work_pool(prefect_server):
    env = {**prefect_server.env, "PWD": str(REPO_ROOT)}
    pool = subprocess.run(
        [str(BIN / "prefect"), "work-pool", "create", "mekdata-process", "--type", "process"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert pool.returncode == 0, pool.stdout + pool.stderr
    deploy = subprocess.run(
        [str(BIN / "prefect"), "--no-prompt", "deploy", "--all"],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr
    deployment = _client_call(prefect_server, lambda c: c.read_deployment_by_name(DEPLOYMENT))
    schedule = deployment.schedules[0].schedule
    assert (schedule.cron, schedule.timezone) == ("0 6 * * *", "UTC")
    assert deployment.work_pool_name == "mekdata-process"
    assert deployment.global_concurrency_limit.limit == 1
    assert deployment.entrypoint == "flows/release_flow.py:release_flow"
    # Scheduled runs read the live article (one small request when it has not changed).
    assert deployment.parameters["source"] == DEFAULT_SOURCE
    assert deployment.pull_steps == [
        {"prefect.deployments.steps.set_working_directory": {"directory": str(REPO_ROOT)}}
    ]


def test_schedule_url_retries_then_publishes(prefect_api, article_server, tmp_path):
    from flows.release_flow import release_flow

    result = release_flow(source=f"{article_server.url}/flaky/inprocess.txt", output=str(tmp_path))
    assert result.status == "published"
    assert article_server.hits["/flaky/inprocess.txt"] == 2


def test_schedule_url_404_fails_fast(prefect_api, article_server, tmp_path):
    from flows.release_flow import release_flow

    started = time.monotonic()
    with pytest.raises(SourceError, match="HTTP 404"):
        release_flow(source=f"{article_server.url}/gone.txt", output=str(tmp_path))
    assert article_server.hits["/gone.txt"] == 1  # no retries on 4xx
    assert time.monotonic() - started < 30
    assert not (tmp_path / "index.json").exists()


def _task_states(prefect_api, state) -> dict[str, str]:
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    task_runs = _client_call(
        prefect_api,
        lambda c: c.read_task_runs(
            flow_run_filter=FlowRunFilter(
                id=FlowRunFilterId(any_=[state.state_details.flow_run_id])
            )
        ),
    )
    return {run.name.rsplit("-", 1)[0]: run.state.name for run in task_runs}


def test_schedule_extraction_is_cached(prefect_api, tmp_path):
    """The same input again publishes nothing and reads nothing; the same input into another
    output folder reads it again but takes the extraction from Prefect's cache."""
    from flows.release_flow import release_flow

    release_flow(source=None, output=str(tmp_path / "a"))
    again = release_flow(source=None, output=str(tmp_path / "a"), return_state=True)
    assert again.result().status == "unchanged"
    states = _task_states(prefect_api, again)
    assert states["unchanged-input"] == "Completed"
    assert "ingest" not in states and "extract" not in states and "validate" not in states

    elsewhere = release_flow(source=None, output=str(tmp_path / "b"), return_state=True)
    assert elsewhere.result().status == "published"
    states = _task_states(prefect_api, elsewhere)
    assert states["extract"] == "Cached"
    assert states["validate"] == "Completed"


def test_schedule_serve_without_server_explains(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(tmp_path / "home")
    result = subprocess.run(
        [str(BIN / "mekdata"), "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "prefect server start --host 127.0.0.1" in result.stderr
    assert "--start-server" in result.stderr


def test_schedule_serve_starts_a_local_server_when_asked(tmp_path):
    from flows.temporary_server import free_port

    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(tmp_path / "home")
    serve = subprocess.Popen(
        [
            str(BIN / "mekdata"),
            "serve",
            "--start-server",
            "--server-port",
            str(port),
            "--output",
            str(tmp_path / "out"),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )

    class Local:
        api_url = f"http://127.0.0.1:{port}/api"

    try:
        deadline = time.monotonic() + 180
        deployment = None
        while deployment is None and time.monotonic() < deadline:
            assert serve.poll() is None, serve.stdout.read()
            try:
                deployment = _client_call(Local, lambda c: c.read_deployment_by_name(DEPLOYMENT))
            except Exception:  # server still starting, or deployment not yet registered
                time.sleep(1)
        assert deployment is not None, "mekdata serve --start-server never registered"
        schedule = deployment.schedules[0].schedule
        assert (schedule.cron, schedule.timezone) == ("0 6 * * *", "UTC")
    finally:
        os.killpg(serve.pid, 15)
        serve.wait(timeout=60)
