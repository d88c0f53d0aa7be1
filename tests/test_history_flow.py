"""The history flow end to end against the emulator serving the scripted history: the
published release's events are the script's, on a local Dask cluster and on a separately
started ``dask scheduler`` with two ``dask worker`` processes."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import HISTORY_TITLE, REPO_ROOT, run_mekdata, snapshot
from revision_script import revision_script

from transforms.history import identical_targets
from transforms.schema import CLAIM_TABLES, HISTORY_TABLES

SCRIPT = revision_script()
IDENTICAL = [r.revid for r in SCRIPT if r.status == "identical"]  # reverts: never fetched
# The whitespace-only edit (r1006) is not whitespace in the rendered HTML: MediaWiki's
# paragraphs and html_to_text normalise it away, so its sections hash equals its parent's.
RENDERING_NORMALISES = {1006: ("unchanged_sections", None)}


def _events_as_script(events: pd.DataFrame, revid: int) -> list[tuple]:
    rows = events[events["revid"] == revid].sort_values("seq")
    return [
        (r.table, r.claim_key, r.event)
        + ((r.column, r.old_value, r.new_value) if r.event == "changed" else ())
        for r in rows.itertuples()
    ]


def _expected(scripted) -> list[tuple]:
    return [
        (x.table, x.claim_key, x.event) + ((x.column, x.old, x.new) if x.event == "changed" else ())
        for x in scripted.events
    ]


def assert_release_matches_the_script(folder: Path) -> None:
    revisions = pd.read_parquet(folder / "revisions.parquet")
    events = pd.read_parquet(folder / "claim_events.parquet")
    assert revisions["revid"].tolist() == [r.revid for r in SCRIPT]
    status = dict(
        zip(
            revisions["revid"],
            zip(revisions["status"], revisions["reason"], strict=True),
            strict=True,
        )
    )
    for scripted in SCRIPT:
        want = RENDERING_NORMALISES.get(scripted.revid, (scripted.status, scripted.reason))
        got = status[scripted.revid]
        assert (got[0], None if pd.isna(got[1]) else got[1]) == want, scripted.what
        got = _events_as_script(events, scripted.revid)
        if scripted.revid == SCRIPT[0].revid:  # and every reference added, by ref_key
            assert sum(e[0] == "references" for e in got) > 400
            got = [e for e in got if e[0] != "references"]
        assert got == _expected(scripted), scripted.what
    for name in HISTORY_TABLES:
        assert (folder / f"{name}.parquet").exists()
    for name in CLAIM_TABLES:
        spans = pd.read_parquet(folder / f"{name}_history.parquet")
        assert spans["valid_to_revid"].isna().any()
    report = json.loads((folder / "validation.json").read_text())
    assert report["success"] is True
    sums = (folder / "SHA256SUMS").read_text().splitlines()
    for line in sums:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    assert "report.html" in {line.split("  ", 1)[1] for line in sums}
    package = json.loads((folder / "datapackage.json").read_text())
    assert {r["name"] for r in package["resources"]} == set(HISTORY_TABLES)


def progress_of_runs_into(api_url: str, output: Path) -> list[tuple[float, str]]:
    """(percent, description) of the progress artifact of each history flow run that wrote
    into ``output``, oldest run first, as the Prefect server holds them."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        ArtifactFilterType,
        FlowFilter,
        FlowFilterName,
    )
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.progress import HISTORY_ARTIFACT_KEY

    with (
        temporary_settings(updates={PREFECT_API_URL: api_url}),
        get_client(sync_client=True) as client,
    ):
        runs = client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=["mekdata-history"]))
        )
        runs = sorted(
            (r for r in runs if r.parameters.get("output") == str(output)),
            key=lambda r: r.created,
        )
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                flow_run_id=ArtifactFilterFlowRunId(any_=[r.id for r in runs]),
                type=ArtifactFilterType(any_=["progress"]),
            )
        )
    by_run = {a.flow_run_id: a for a in artifacts}
    assert len(by_run) == len(artifacts) == len(runs), "one progress artifact per run"
    assert {a.key for a in artifacts} <= {HISTORY_ARTIFACT_KEY}
    return [(by_run[r.id].data, by_run[r.id].description) for r in runs]


@pytest.mark.slow
def test_history_release_on_a_local_cluster(history_wiki, prefect_api, tmp_path):
    from expectations.suites import load_history_suites
    from flows.history_flow import history_flow

    history_wiki.reset()
    source = f"wikipedia:{HISTORY_TITLE}"
    result = history_flow(
        source, str(tmp_path), workers=2, wiki_api=history_wiki.api_url, batch_size=4
    )
    assert result.statuses.get("failed", 0) == 0
    assert (result.fetched, result.cached, result.identical) == (
        len(SCRIPT) - len(IDENTICAL),
        0,
        len(IDENTICAL),
    )
    # An undo costs no parse request: the listing's sha1 says it repeats an earlier revision.
    parsed = [int(r.params["oldid"]) for r in history_wiki.requests("parse")]
    assert sorted(parsed) == [r.revid for r in SCRIPT if r.revid not in IDENTICAL]
    assert_release_matches_the_script(result.folder)
    revisions = pd.read_parquet(result.folder / "revisions.parquet").set_index("revid")
    assert revisions.loc[IDENTICAL, "identical_to_revid"].tolist() == [1002, 1007, 1009]
    validation = json.loads((result.folder / "validation.json").read_text())
    assert set(validation["suites"]) == set(load_history_suites())
    assert all(s["success"] and s["evaluated"] for s in validation["suites"].values())
    assert (result.folder / "data_docs" / "index.html").exists()
    index = json.loads((tmp_path / "history" / "index.json").read_text())
    assert [v["version"] for v in index["versions"]] == [result.version]
    catalog = (tmp_path / "index.html").read_text()
    assert f'href="history/{result.version}/report.html"' in catalog
    assert not list((tmp_path / "history").glob(".staging-*"))

    # A full rebuild fetches nothing (every revision is cached) and publishes a new version.
    history_wiki.reset()
    again = history_flow(
        source, str(tmp_path), workers=2, wiki_api=history_wiki.api_url, batch_size=5, rebuild=True
    )
    assert (again.fetched, again.cached) == (0, len(SCRIPT))
    assert history_wiki.requests("parse") == []
    assert again.version != result.version
    assert_release_matches_the_script(again.folder)

    # Each run's progress artifact ends at 100 and tells its stages' last words.
    first, second = progress_of_runs_into(prefect_api.api_url, tmp_path)
    assert first[0] == second[0] == 100.0
    fetched = len(SCRIPT) - len(IDENTICAL)
    assert (
        f"- fetched {len(SCRIPT)} revisions ({fetched} new, 0 from the cache, "
        f"{len(IDENTICAL)} identical to an earlier one" in first[1]
    )
    assert f"- fetched {len(SCRIPT)} revisions (0 new, {len(SCRIPT)} from the cache" in second[1]
    for stage in ("listed", "extracted"):
        assert f"- {stage} {len(SCRIPT)} revisions in " in second[1]


# --- re-runs: continued, then unchanged ---------------------------------------------------

GROWING_TITLE = "Growing history of the MEK article"
# What the wiki serves at each run: r1000–r1007; then up to r1011, which only skips or leaves
# the sections unchanged (nothing new is extracted: the replay check must use the previous
# release's open spans); then the rest, with changes.
SERVED = (8, 12, len(SCRIPT))
SCRIPTED_STATUSES = [RENDERING_NORMALISES.get(r.revid, (r.status,))[0] for r in SCRIPT]


def _sorted_tables(folder: Path) -> dict[str, pd.DataFrame]:
    return {
        name: pd.read_parquet(folder / f"{name}.parquet")
        .sort_values(list(table.primary_key))
        .reset_index(drop=True)
        for name, table in HISTORY_TABLES.items()
    }


@pytest.mark.slow
def test_a_rerun_continues_the_latest_release_then_finds_nothing_new(
    history_wiki, prefect_api, tmp_path
):
    """The wiki serves the first revisions, then more, then all: each re-run extracts only
    the new ones, and the last release equals a full rebuild's; a run with nothing new says
    so before any Prefect server starts, touching nothing."""
    from wiki_html import article_html

    from flows.history_flow import history_flow
    from storage.revision_cache import cache_root

    source, output, api = f"wikipedia:{GROWING_TITLE}", tmp_path / "out", history_wiki.api_url
    releases = []
    for served_before, served in zip((0, *SERVED), SERVED, strict=False):
        for scripted in SCRIPT[served_before:served]:
            history_wiki.add_revision(
                GROWING_TITLE,
                article_html(scripted.text),
                scripted.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
            )
        # Without the fetch cache, whatever a run extracts it must fetch: the parse requests
        # name exactly the revisions it processed.
        shutil.rmtree(cache_root(output), ignore_errors=True)
        earlier = {r.version: snapshot(r.folder) for r in releases}
        history_wiki.reset()
        result = history_flow(source, str(output), workers=1, wiki_api=api, batch_size=4)
        served_revisions = history_wiki.pages[GROWING_TITLE].revisions
        new = [r.revid for r in served_revisions[served_before:]]
        # ... except a revert of a revision this run fetched (r1004, r1011); r1009 repeats
        # r1007 of the release continued, whose HTML went with the cache: it is fetched.
        repeats = identical_targets((i, r.sha1) for i, r in enumerate(SCRIPT))
        fetched = [
            served_revisions[i].revid
            for i in range(served_before, served)
            if repeats.get(i, -1) < served_before
        ]
        assert sorted(int(r.params["oldid"]) for r in history_wiki.requests("parse")) == fetched
        assert (result.processed, result.revisions) == (len(new), served)
        plan = json.loads((output / "history" / "index.json").read_text())["versions"][-1]
        assert plan["run"]["plan"] == {
            "mode": "resume" if releases else "full",
            "reason": result.plan_reason,
            "resumed_from": releases[-1].version if releases else None,
            "revisions_copied": served_before,
            "revisions_processed": len(new),
        }
        statuses = pd.read_parquet(result.folder / "revisions.parquet")["status"].tolist()
        assert statuses == SCRIPTED_STATUSES[:served]
        # Replay is checked against the latest claims, extracted or (r1008–r1011) the open spans.
        validation = json.loads((result.folder / "validation.json").read_text())
        assert validation["suites"]["replay_result"]["success"], validation["checks"]
        assert {r.version: snapshot(r.folder) for r in releases} == earlier  # never modified
        releases.append(result)

    before = snapshot(output)
    history_wiki.reset()
    env = {
        **{k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"},
        "PYTHONPATH": str(REPO_ROOT),
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "MEKDATA_CONTACT": "tests@127.0.0.1",
    }
    done = run_mekdata(
        "history", "--source", source, "--output", str(output), "--wiki-api", api, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f'Unchanged: no new revision of "{GROWING_TITLE}" since ')
    assert done.stdout.rstrip().endswith("nothing published.")
    assert "Prefect server" not in done.stderr
    assert not (tmp_path / "prefect-home").exists()  # Prefect never started, not even its home
    assert {r.params["action"] for r in history_wiki.log} == {"query"}  # the listing alone
    assert snapshot(output) == before

    rebuilt = history_flow(source, str(output), workers=1, wiki_api=api, rebuild=True)
    assert (rebuilt.plan, rebuilt.processed) == ("full", len(SCRIPT))
    continued, full = _sorted_tables(releases[-1].folder), _sorted_tables(rebuilt.folder)
    for name in HISTORY_TABLES:
        pd.testing.assert_frame_equal(continued[name], full[name], obj=name)


# --- the command line ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--source", "sources/article.txt"], "must be wikipedia:", id="not-a-wiki"),
        pytest.param(["--source", "wikipedia:MEK@12"], "pins one revision", id="pinned"),
        pytest.param(["--source", "wikipedia:MEK", "--since", "soon"], "is not a date", id="date"),
        pytest.param(
            ["--source", "wikipedia:MEK", "--since", "2024-02-01", "--until", "2024-01-01"],
            "is after",
            id="reversed",
        ),
        pytest.param(["--source", "wikipedia:MEK", "--limit", "0"], "--limit", id="limit"),
        pytest.param(["--source", "wikipedia:MEK", "--workers", "0"], "--workers", id="workers"),
    ],
)
def test_history_command_refuses_before_starting_anything(args, message, tmp_path):
    done = run_mekdata("history", *args, "--output", str(tmp_path), timeout=60)
    assert done.returncode != 0
    assert message in done.stderr
    assert done.stderr.startswith("mekdata: ") and "Traceback" not in done.stderr
    assert "Prefect server" not in done.stderr  # refused before any server started
    assert not (tmp_path / "history").exists()


def test_history_command_refuses_a_bad_progress_interval_before_starting(tmp_path):
    done = run_mekdata(
        "history",
        "--source",
        "wikipedia:MEK",
        "--output",
        str(tmp_path),
        env={**os.environ, "MEKDATA_PROGRESS_INTERVAL": "soon"},
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("mekdata: MEKDATA_PROGRESS_INTERVAL='soon': give the seconds")
    assert "Prefect server" not in done.stderr
    assert not (tmp_path / "history").exists()


def _start(command: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO_ROOT
    )


@pytest.mark.slow
def test_history_command_on_a_separately_started_dask_cluster(
    history_wiki, prefect_server, tmp_path
):
    """`dask scheduler` and `dask worker` (two processes) on 127.0.0.1, started here; the
    command publishes the scripted history through them."""
    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "PREFECT_API_URL": prefect_server.api_url,
        "MEKDATA_CONTACT": "tests@127.0.0.1",
        "MEKDATA_PROGRESS_INTERVAL": "0",  # a line for every update: the run takes seconds
    }
    scheduler_file = tmp_path / "scheduler.json"
    processes = [
        _start(
            [
                str(bin_dir / "dask"),
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(scheduler_file),
            ],
            env,
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(scheduler_file.read_text())["address"]
        processes.append(
            _start(
                [
                    str(bin_dir / "dask"),
                    "worker",
                    "--scheduler-file",
                    str(scheduler_file),
                    "--nworkers",
                    "2",
                    "--nthreads",
                    "1",
                    "--no-dashboard",
                    "--host",
                    "127.0.0.1",
                ],
                {  # docs/history-releases.md's advice for an existing cluster's workers
                    **env,
                    "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "False",
                    "DASK_DISTRIBUTED__ADMIN__LOW_LEVEL_LOG_LENGTH": "20",
                    "ARROW_DEFAULT_MEMORY_POOL": "system",
                },
            )
        )
        from distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
        output = tmp_path / "out"
        done = run_mekdata(
            "history",
            "--source",
            f"wikipedia:{HISTORY_TITLE}",
            "--output",
            str(output),
            "--dask-address",
            address,
            "--wiki-api",
            history_wiki.api_url,
            env=env,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        assert "Published history release" in done.stdout
        (entry,) = json.loads((output / "history" / "index.json").read_text())["versions"]
        assert f"Published history release {entry['version']}" in done.stdout
        assert_release_matches_the_script(output / entry["path"])
        # stderr is a pipe, not a terminal: plain progress lines, in the log's lines.
        count = len(SCRIPT)
        for line in [
            "listed 1 revision so far",
            f"listed {count} revisions in ",
            f"fetched 1/{count} revisions ({1 / count:.1%}; 1 new, 0 from the cache, 0 failed)",
            f"fetched {count} revisions ({count - len(IDENTICAL)} new, 0 from the cache, "
            f"{len(IDENTICAL)} identical to an earlier one, 0 failed) in ",
            f"extracted {count}/{count} revisions (100%)",
            f"extracted {count} revisions in ",
        ]:
            assert line in done.stderr, line
        ((percent, _),) = progress_of_runs_into(prefect_server.api_url, output)
        assert percent == 100.0
        with Client(address, timeout=60) as client:
            ran = client.run_on_scheduler(
                lambda dask_scheduler: {
                    name: sum(prefix.state_counts.values())
                    for name, prefix in dask_scheduler.task_prefixes.items()
                }
            )
            profiled, arrow_pools = _profiles_and_arrow_pools(client)
            workers_left = len(client.scheduler_info()["workers"])
        # The run left the cluster it was given as it found it (it stops only its own workers);
        assert workers_left == 2
        # the extraction ran on this cluster (the scheduler knows the batch task), each worker
        # having imported the extraction code first;
        assert ran.get("extract_batch", 0) > 0, ran
        assert ran.get("prepare_worker", 0) > 0, ran
        # and the workers, started as docs/history-releases.md advises, kept no profile of it
        # and allocated Arrow's memory from the system allocator.
        assert profiled == [0, 0]
        assert arrow_pools == ["system", "system"]
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# --- batches, failures ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def filled_cache(tmp_path_factory):
    from wiki_html import article_html

    from storage.revision_cache import RevisionCache

    cache = RevisionCache(tmp_path_factory.mktemp("cache"))
    for scripted in SCRIPT:
        cache.put(scripted.revid, article_html(scripted.text))
    return cache


def _items(cache, repeats=None):
    from flows.history_flow import BatchItem
    from transforms.history import RevisionMeta

    items, previous = [], None
    repeats = repeats or {}
    for scripted in SCRIPT:
        size = len(cache.get(scripted.revid).encode())
        meta = RevisionMeta(
            scripted.revid, scripted.parentid or None, scripted.timestamp, None, size
        )
        items.append(BatchItem(meta, previous, repeats.get(scripted.revid)))
        previous = size
    return items


@pytest.mark.parametrize("size", [1, 3, 14])
def test_statuses_do_not_depend_on_the_batch_size(filled_cache, size):
    """A worker does not know the sections hash before its batch (nor, after an identical
    revision, what that one repeats when it is in another batch); settle() and the builder
    give every revision the status a serial run gives it, whatever the batch boundaries."""
    from flows.history_flow import batches, extract_batch, settle
    from transforms.history import HistoryConfig, TimelineBuilder

    repeats = identical_targets((r.revid, r.sha1) for r in SCRIPT)
    builder = TimelineBuilder()
    builder.expect_identical(repeats)
    got, events = {}, []
    for batch in batches(_items(filled_cache, repeats), size):
        for outcome in extract_batch(str(filled_cache.root), batch, HistoryConfig()):
            outcome = settle(outcome, builder.base_sections_sha1)
            events += builder.add(outcome).events
            got[outcome.meta.revid] = (outcome.status, outcome.reason)
    assert got == {r.revid: RENDERING_NORMALISES.get(r.revid, (r.status, r.reason)) for r in SCRIPT}
    assert [(e["revid"], e["claim_key"], e["column"]) for e in events if e["revid"] > 1000] == [
        (r.revid, x.claim_key, x.column) for r in SCRIPT[1:] for x in r.events
    ]


@pytest.mark.slow
def test_a_failed_revision_is_recorded_and_too_many_fail_the_run(
    history_wiki, prefect_api, tmp_path
):
    """A revision deleted from public view cannot be fetched: within the allowed share it is
    a `failed` row and the rest is published; above it nothing is published."""
    from wiki_html import article_html

    from flows.history_flow import HistoryRunFailed, history_flow

    title = "History with a deleted revision"
    for index, scripted in enumerate(SCRIPT[:4]):
        history_wiki.add_revision(
            title,
            article_html(scripted.text),
            scripted.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
            hidden=index == 2,
        )
    hidden = history_wiki.pages[title].revisions[2].revid
    source = f"wikipedia:{title}"
    refused = tmp_path / "refused"
    with pytest.raises(HistoryRunFailed, match="1 of 4 revisions failed"):
        history_flow(
            source, str(refused), workers=1, wiki_api=history_wiki.api_url, max_failed_share=0.1
        )
    assert not (refused / "history" / "index.json").exists()
    assert not list((refused / "history").glob(".staging-*"))
    assert len(list((refused / "history" / "cache" / "revisions").iterdir())) == 3  # kept

    result = history_flow(
        source,
        str(tmp_path / "ok"),
        workers=1,
        wiki_api=history_wiki.api_url,
        max_failed_share=0.25,
    )
    revisions = pd.read_parquet(result.folder / "revisions.parquet")
    row = revisions[revisions["revid"] == hidden].iloc[0]
    assert (row["status"], row["reason"]) == ("failed", "fetch_error")
    assert "deleted from public view" in row["detail"]
    assert result.statuses == {"extracted": 2, "unchanged_sections": 1, "failed": 1}
    events = pd.read_parquet(result.folder / "claim_events.parquet")
    assert hidden not in set(events["revid"])


def test_a_page_that_cannot_be_read_is_a_failed_row_the_suites_accept(filled_cache, tmp_path):
    """A cached answer that is not a rendered page (an error page, say) fails that revision
    with reason render_error, and that row is one the revisions suite accepts: the reasons the
    flow records are the schema's."""
    from expectations.history_checks import validate_history
    from expectations.suites import load_history_suites
    from flows.history_flow import ParquetTables, extract_batch
    from storage.revision_cache import RevisionCache
    from transforms.history import HistoryConfig, TimelineBuilder

    cache = RevisionCache(tmp_path / "cache")
    items = _items(filled_cache)
    for item in items:
        cache.put(item.meta.revid, filled_cache.get(item.meta.revid))
    broken = items[2].meta.revid
    cache.put(broken, "<html><body><h1>Wikimedia Error</h1></body></html>")

    outcomes = extract_batch(str(cache.root), items, HistoryConfig())
    failed = {o.meta.revid: (o.status, o.reason) for o in outcomes if o.status == "failed"}
    assert failed == {broken: ("failed", "render_error")}

    builder = TimelineBuilder()
    rows = [builder.add(outcome).revision for outcome in outcomes]
    folder = tmp_path / "release"
    folder.mkdir()
    writer = ParquetTables(folder)
    writer.write("revisions", rows)
    writer.close()
    suites = {"revisions.structural": load_history_suites()["revisions.structural"]}
    report = validate_history(folder, {}, suites)
    assert report["success"], report["checks"]


def _profiles_and_arrow_pools(client) -> tuple[list[int], list[str]]:
    """Per worker: how many profile samples it kept, and the backend of its Arrow pool. The
    functions go by value (nested lambdas): a separately started worker cannot import tests."""
    profiles = client.run(lambda dask_worker: len(dask_worker.profile_history))
    pools = client.run(lambda: __import__("pyarrow").default_memory_pool().backend_name)
    return list(profiles.values()), list(pools.values())


def _busy(seconds: float) -> int:
    deadline = time.perf_counter() + seconds
    count = 0
    while time.perf_counter() < deadline:
        count += 1
    return count


def test_the_local_cluster_keeps_nothing_that_grows_with_the_run():
    """Worker memory grew with the revision count until DASK_CONFIG turned off Dask's
    profiler (a stack tree per second) and shortened its per-connection message logs (which
    kept every task's spec). The flow's own runner, under the flow's settings, must show
    neither after a few seconds of tasks; with Dask's defaults both grow."""
    import dask.config
    import distributed  # noqa: F401  (before the set, which deletes on leaving what was absent)

    from flows.history_flow import DASK_CONFIG, arrow_system_pool, task_runner

    tasks = 60
    with dask.config.set(DASK_CONFIG), arrow_system_pool(), task_runner(None, 1) as runner:
        client = runner.client
        client.gather([client.submit(_busy, 0.04, pure=False) for _ in range(tasks)])
        profiled, arrow_pools = _profiles_and_arrow_pools(client)
        scheduler_logs = client.run_on_scheduler(
            lambda dask_scheduler: [
                len(c.recent_message_log) for c in dask_scheduler.stream_comms.values()
            ]
        )
    assert profiled == [0]
    # mimalloc, Arrow's default, kept what the workers' pandas frames had freed
    assert arrow_pools == ["system"]
    limit = DASK_CONFIG["distributed.admin.low-level-log-length"]
    assert limit < tasks
    assert scheduler_logs and max(scheduler_logs) <= limit


def test_each_worker_imports_the_extraction_code_as_the_run_starts(prefect_api):
    """Each worker's first batch imported Prefect's task engine and the extractors, about 2 s
    that made it the slowest batch of the run: start_workers has every worker of the run's
    cluster import them in the background, without a batch."""
    import sys

    from prefect import flow

    from flows.history_flow import WORKER_MODULES, dask_client, start_workers, task_runner

    def imported() -> list[str]:
        return [name for name in WORKER_MODULES if name in sys.modules]

    @flow(task_runner=task_runner(None, 2))
    def starting() -> tuple[dict, list, dict]:
        client = dask_client()
        fresh = client.run(imported)
        warming = start_workers()
        return fresh, client.gather(warming), client.run(imported)

    fresh, returned, after = starting()
    assert len(fresh) == 2
    assert all("transforms.history" not in names for names in fresh.values())
    assert returned == [list(WORKER_MODULES)] * 2
    assert list(after.values()) == [list(WORKER_MODULES)] * 2


def _exited(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_the_local_cluster_stops_its_workers_once_extraction_is_done(prefect_api):
    """The checks and publishing run in the driver; the run's own workers, idle by then,
    only held memory. release_workers stops them and their processes."""
    from prefect import flow

    from flows.history_flow import dask_client, release_workers, task_runner

    @flow(task_runner=task_runner(None, 2))
    def extracted() -> tuple[list[int], int, dict]:
        client = dask_client()
        pids = list(client.run(os.getpid).values())
        stopped = release_workers()
        return pids, stopped, client.scheduler_info()["workers"]

    pids, stopped, left = extracted()
    assert len(pids) == stopped == 2
    assert left == {}
    assert all(_exited(pid) for pid in pids)


def test_arrow_uses_the_system_allocator_for_the_run_and_gives_the_pool_back():
    """mimalloc, Arrow's default, kept what the driver freed after writing and reading back
    the history tables (about 5 kB per revision); the run switches, and restores the pool
    even when it fails."""
    import pyarrow as pa

    from flows.history_flow import arrow_system_pool

    before = pa.default_memory_pool()
    variable = os.environ.get("ARROW_DEFAULT_MEMORY_POOL")
    with pytest.raises(RuntimeError), arrow_system_pool():
        assert pa.default_memory_pool().backend_name == "system"
        assert os.environ["ARROW_DEFAULT_MEMORY_POOL"] == "system"  # for processes started now
        assert pa.array(range(10_000)).sum().as_py() == 49_995_000
        raise RuntimeError("the run failed")
    assert pa.default_memory_pool().backend_name == before.backend_name
    assert os.environ.get("ARROW_DEFAULT_MEMORY_POOL") == variable


# A fresh interpreter frees a large block (glibc, by default, then raises its mmap threshold
# to that size) and allocates a smaller one: how many bytes glibc mapped for it.
MMAP_PROBE = """
import ctypes, sys
from flows.cli import fixed_mmap_threshold

class Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]

libc = ctypes.CDLL(None)
libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
libc.mallinfo2.restype = Mallinfo2
print(fixed_mmap_threshold() if sys.argv[1] == "fixed" else "default")
libc.free(libc.malloc(8 << 20))
mapped = libc.mallinfo2().hblkhd
block = libc.malloc(1 << 20)
print(libc.mallinfo2().hblkhd - mapped)
libc.free(block)
"""


@pytest.mark.parametrize(
    ("mode", "environment", "set_by_us", "mapped"),
    [
        pytest.param("fixed", {}, "True", True, id="fixed-by-the-cli"),
        pytest.param("default", {}, "default", False, id="glibc-default"),
        pytest.param(
            "fixed", {"MALLOC_MMAP_THRESHOLD_": str(4 << 20)}, "False", False, id="user-wins"
        ),
    ],
)
def test_large_freed_blocks_go_back_to_the_system(mode, environment, set_by_us, mapped):
    """The history command fixes glibc's mmap threshold: after a large block is freed, a
    1 MiB block is still mapped (and so given back when freed), where glibc's default would
    take it from its heap. A threshold the user set is left alone."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    result = subprocess.run(
        [sys.executable, "-c", MMAP_PROBE, mode],
        env={**env, **environment},
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    answer, mapped_bytes = result.stdout.split()
    assert answer == set_by_us
    assert (int(mapped_bytes) >= 1 << 20) is mapped


@pytest.mark.parametrize(
    "jobs, ahead",
    [
        pytest.param(10, 3, id="more-jobs-than-the-window"),
        pytest.param(2, 8, id="fewer-jobs-than-the-window"),
        pytest.param(0, 4, id="no-jobs"),
        pytest.param(5, 0, id="a-window-of-zero-still-submits"),
    ],
)
def test_batches_are_submitted_a_bounded_window_ahead(jobs, ahead):
    """Every batch submitted at the start made the scheduler hold every task's spec: at most
    ``ahead`` may be submitted and not yet read, and all come back in order."""
    from flows.history_flow import in_flight

    submitted: list[int] = []

    def submit(job: int) -> str:
        submitted.append(job)
        return f"future {job}"

    def jobs_read_as_submitted():
        for job in range(jobs):
            assert len(submitted) == job  # not read ahead of submission
            yield job

    handed = []
    for job, future in in_flight(submit, jobs_read_as_submitted(), ahead):
        handed.append((job, future))
        # the window is refilled before a future is handed out, and never beyond ``ahead``
        assert len(submitted) - len(handed) == min(max(ahead, 1), jobs - len(handed))
    assert handed == [(job, f"future {job}") for job in range(jobs)]
    assert submitted == list(range(jobs))


@pytest.mark.slow
def test_a_history_in_which_only_references_move(history_wiki, prefect_api, tmp_path):
    """Issue 29's scenario end to end: a source added in the lead, a prose source removed,
    the removal undone, served rendered. The release holds no claim event after the first
    revision and one span per claim; its references' history holds exactly the sources added
    and removed; the undo costs no parse request."""
    from synthetic_history import LEAD_SOURCE_KEY, references_only_history
    from wiki_html import article_html

    from flows.history_flow import history_flow

    title = "References-only history of the MEK article"
    for hour, (_, text) in enumerate(references_only_history()):
        history_wiki.add_revision(title, article_html(text), f"2025-01-01T{hour:02d}:00:00Z")
    revids = [r.revid for r in history_wiki.pages[title].revisions]
    history_wiki.reset()
    result = history_flow(
        f"wikipedia:{title}", str(tmp_path), workers=1, wiki_api=history_wiki.api_url
    )
    assert sorted(int(r.params["oldid"]) for r in history_wiki.requests("parse")) == revids[:3]
    assert (result.fetched, result.identical) == (3, 1)
    folder = result.folder
    revisions = pd.read_parquet(folder / "revisions.parquet")
    assert revisions["status"].tolist() == ["extracted", "extracted", "extracted", "identical"]
    events = pd.read_parquet(folder / "claim_events.parquet")
    later = events[events["revid"] != revids[0]]
    assert set(later["table"]) == {"references"}
    added = later[later["event"] == "added"]["claim_key"].tolist()
    removed = later[later["event"] == "removed"]["claim_key"].tolist()
    assert len(removed) == 1 and added == [LEAD_SOURCE_KEY, removed[0]]
    assert later["revid"].tolist() == revids[1:]
    for name in CLAIM_TABLES:
        spans = pd.read_parquet(folder / f"{name}_history.parquet")
        assert spans["claim_key"].is_unique and spans["valid_to_revid"].isna().all()
    print(
        f"references-only history: {len(later)} events after the first revision, none of a "
        f"claim; {len(history_wiki.requests('parse'))} parse requests for {len(revids)} revisions"
    )
