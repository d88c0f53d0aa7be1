"""The article through time: every revision of a page, extracted on Dask, as claim timelines.

list (one cheap paged listing) → fetch (serial and polite: the one stage that must not fan
out; into the content-addressed cache, so a re-run fetches only new revisions) → extract
(mapped over *batches* of revisions with prefect-dask's DaskTaskRunner: a few dozen task runs
for thousands of revisions, which a Prefect server handles) → the TimelineBuilder fed in
revision order → each table streamed to Parquet in row groups → the local cluster's workers
stopped → checks → a history release.

A re-run lists the revisions first and compares the listing with the latest history release
(storage/history_resume.py, whose docstring says what "the same range" is): nothing new → the
run ends there, unchanged; new revisions after the release's last → the release's rows are
copied into the new one and only the new revisions are fetched and extracted, the builder
resumed from the release's open spans; anything else → a full run, its reason logged.

A revision whose sha1 equals an earlier one's in range (a revert, mostly) is ``identical``
(transforms/history.py): decided from the listing, it is not fetched (its cache entry names
the earlier revision's HTML) nor extracted; the builder gives it the earlier revision's rows.
Only when that revision belongs to the release a re-run continues is the same text read
again from the cache (still no ``parse`` request, unless the cache lost it).

Workers read the HTML from the cache themselves (a path, not 450 kB per revision through the
scheduler). A worker does not know the sections hash of the revision before its batch, so it
triages with what its batch tells it; the driver, which sees every revision in order, turns
any outcome whose sections equal the last good revision's into ``unchanged_sections``. The
statuses are therefore the same whatever the batch size.
"""

from __future__ import annotations

import datetime as dt
import gc
import importlib
import itertools
import os
import shutil
import time
from collections import deque
from collections.abc import Callable, Container, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import dask.config
import distributed  # noqa: F401  its defaults must be in the config before dask.config.set: on

# leaving, that deletes the keys that were absent on entering
import pyarrow as pa
import pyarrow.parquet as pq
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect_dask import DaskTaskRunner

from expectations.history_checks import run_checks
from flows.progress import closed_on_exit, fetch_callback, history_progress
from ingestion.html_text import html_to_text
from ingestion.spec import SourceSpec
from ingestion.wikipedia import Revision, RevisionListing, WikiClient
from mekdata import CONTENT_LICENCE
from mekdata.errors import MekdataError
from mekdata.layout import HISTORY_DIR, STAGING_PREFIX
from storage.history_publish import publish_history, write_history_formats
from storage.history_resume import (
    UNCHANGED,
    copy_previous_tables,
    current_build,
    prepare_run,
    range_start,
    resume_record,
    source_record,
)
from storage.output_folder import output_lock
from storage.revision_cache import FetchAbandoned, RevisionCache, cache_root, fetch_missing
from transforms.formats import to_arrow
from transforms.history import (
    Claims,
    HistoryConfig,
    RevisionMeta,
    RevisionOutcome,
    Step,
    TimelineBuilder,
    failed_outcome,
    history_frame,
    identical_outcome,
    identical_targets,
    process_revision,
    share_repeated_rows,
    tables_from_open_spans,
)
from transforms.schema import HISTORY_TABLES, to_frame

# Revisions per task run. Each task run costs a worker about 0.2 s of Prefect's bookkeeping
# (a new API client, whose TLS context loads the CA bundle even for a plain-HTTP server, and
# its state changes) and the Prefect server its records: with 25 that was a sixth of a
# batch's time. Bigger batches leave a worker idle longer at the end of a run.
DEFAULT_BATCH_SIZE = 50
# Batches submitted ahead of the one the driver reads, per worker thread: enough to keep the
# workers busy, few enough that the scheduler holds a bounded number of task specs.
SUBMIT_AHEAD_PER_SLOT = 4
# This many revisions failing to fetch in a row means the wiki is failing, not the revisions.
FETCH_GIVE_UP_AFTER = 10
DEFAULT_MAX_FAILED_SHARE = 0.05
# Seconds to wait for the local cluster's workers to exit once extraction is done.
RELEASE_TIMEOUT = 30.0
# What a worker's first batch imports: Prefect's task engine, this module, the HTML renderer,
# the extractors.
WORKER_MODULES = (
    "prefect.task_engine",
    "flows.history_flow",
    "ingestion.html_text",
    "transforms.history",
)
# Dask keeps data for its dashboard and its developers that grows with a run's length, not
# its work: worker memory grew with the revision count until these were bounded. They apply to
# this process (the local scheduler, the client) and to the workers of a local cluster, which
# inherit them; an existing cluster's workers keep their own configuration (see
# docs/history-releases.md).
DASK_CONFIG = {
    # A sample of each worker's stack every 10 ms, kept as a tree per second, for a profile
    # page nobody opens (the local cluster has no dashboard).
    "distributed.worker.profile.enabled": False,
    # Each connection's recent messages: every task's spec went into them, about 110 kB with
    # the Prefect context it carries, up to 1,000 per connection.
    "distributed.admin.low-level-log-length": 20,
    # System samples twice a second, kept for an hour.
    "distributed.admin.system-monitor.log-length": 120,
}


T = TypeVar("T")
LEFT_OUT = "left out"  # a skipped or failed revision leaves its base as it was
ARROW_POOL_VARIABLE = "ARROW_DEFAULT_MEMORY_POOL"


class HistoryRunFailed(MekdataError):
    """Too many revisions failed, or the timelines did not pass their checks."""

    exit_code = 4


# --- the stages -------------------------------------------------------------------------


def meta_of(revision: Revision) -> RevisionMeta:
    return RevisionMeta(
        revision.revid,
        revision.parentid,
        dt.datetime.fromisoformat(revision.timestamp.replace("Z", "+00:00")),
        revision.sha1,
        revision.size,
    )


@dataclass(frozen=True)
class BatchItem:
    meta: RevisionMeta
    parent_size: int | None  # of the revision before it in the listing, whatever its status
    identical_to: int | None = None  # the earlier revision with the same sha1
    reread: bool = False  # identical, but that revision's rows are not in this run: read again


def batch_items(
    revisions: Iterable[Revision],
    parent_size: int | None,
    identical: Mapping[int, int] | None = None,
    in_run: Container[int] = (),
) -> Iterator[BatchItem]:
    """Each revision with the size of the one listed before it (``parent_size`` for the
    first) and, for an identical one, the revision it repeats (read again when that one is
    not ``in_run``), made as the batches are submitted rather than all at the start."""
    identical = identical or {}
    for revision in revisions:
        target = identical.get(revision.revid)
        reread = target is not None and target not in in_run
        yield BatchItem(meta_of(revision), parent_size, target, reread)
        parent_size = revision.size


def batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def extract_batch(
    cache_dir: str, items: list[BatchItem], config: HistoryConfig
) -> list[RevisionOutcome]:
    """Triage and extract a batch in order, on a Dask worker. A revision whose HTML cannot be
    rendered to text is ``failed``/``render_error``; the batch goes on."""
    cache = RevisionCache(Path(cache_dir))
    outcomes = []
    # The base's sections hash and (references hash, keys hash), as far as the batch knows.
    base: tuple[str, tuple[str, str]] | None = None
    # What each revision of the batch leaves as the base (LEFT_OUT: the base as it was), so
    # that after an identical revision the batch knows its base.
    leaves: dict[int, Any] = {}
    for item in items:
        if item.identical_to is not None and not item.reread:
            outcomes.append(identical_outcome(item.meta, item.identical_to))
            # Its base is what the repeated revision left, unknown when that one is in another
            # batch: then the next revision is extracted and the driver settles it.
            left = leaves.get(item.identical_to)
            base = base if left is LEFT_OUT else left
            leaves[item.meta.revid] = left
            continue
        html = cache.get(item.meta.revid)
        if html is None:
            outcomes.append(
                failed_outcome(item.meta, "fetch_error", "not in the fetch cache when extracted")
            )
            continue
        try:
            rendered = html_to_text(html)
        except Exception as error:  # recorded per revision, the run decides
            outcomes.append(
                failed_outcome(item.meta, "render_error", f"{type(error).__name__}: {error}")
            )
            continue
        outcome = process_revision(
            item.meta,
            rendered.text,
            parent_size=item.parent_size,
            base_sections_sha1=base[0] if base else None,
            config=config,
            reference_anchors=rendered.reference_anchors,
            base_references=base[1] if base else None,
        )
        good = outcome.status in ("extracted", "unchanged_sections")
        if good:
            base = (outcome.sections_sha1, (outcome.references_sha1, outcome.keys_sha1))
        leaves[item.meta.revid] = base if good else LEFT_OUT
        if item.reread:
            outcome = identical_outcome(item.meta, item.identical_to, outcome)
        outcomes.append(outcome)
    # The driver reads only the latest extracted tables (for the checks) and builds the
    # timelines from ``claims``: sending every revision's frames back cost it more time
    # unpickling than anything else it does. The batch's last extracted outcome keeps them.
    extracted = [o for o in outcomes if o.tables is not None]
    for outcome in extracted[:-1]:
        outcome.tables = None
    share_repeated_rows(outcomes)  # a row read again is sent once
    return outcomes


extract_batch_task = task(
    extract_batch, name="extract-batch", retries=1, retry_delay_seconds=1, cache_policy=NO_CACHE
)


def in_flight(submit: Callable[[T], Any], jobs: Iterable[T], ahead: int) -> Iterator[tuple[T, Any]]:
    """``(job, submit(job))`` for each job, in order, with at most ``ahead`` submitted and not
    yet handed out; the next is submitted before one is handed out, so the workers have work
    while the driver reads a result. Submitting every batch at the start made the scheduler
    hold every task's spec (each carries Prefect's context, about 110 kB), so the driver's
    memory grew with the revision count; and a result handed out is referenced by nobody
    here, so it is freed once read. ``jobs`` is read as they are submitted."""
    queue = iter(jobs)
    window = deque((job, submit(job)) for job in itertools.islice(queue, max(ahead, 1)))
    while window:
        handed = window.popleft()
        for job in itertools.islice(queue, 1):
            window.append((job, submit(job)))
        yield handed


def dask_client() -> Any:
    """The run's Dask client, which starts a local cluster on first use (None outside a Dask
    run)."""
    context = FlowRunContext.get()
    return getattr(context.task_runner, "client", None) if context else None


def worker_slots() -> int:
    """Threads across the workers of the run's Dask cluster (1 outside a Dask run)."""
    client = dask_client()
    return sum(client.nthreads().values()) if client is not None else 1


def prepare_worker() -> list[str]:
    """Import what a batch needs; returns the modules imported. On each worker, as the run
    starts. What is loaded then (modules, Prefect's and Dask's state) lives as long as the
    worker, so it is moved out of the garbage collector's sight: otherwise every full
    collection walks it again, and extraction allocates enough to trigger many."""
    for name in WORKER_MODULES:
        importlib.import_module(name)
    gc.collect()  # what is garbage now would be kept for good once frozen
    gc.freeze()
    return list(WORKER_MODULES)


def start_workers() -> list[Any]:
    """Start the run's Dask cluster and have each worker import the extraction code in the
    background, while the driver fetches: otherwise each worker's first batch was about 2 s
    slower than the others, with nothing else for the driver to do. Returns the futures, to be
    kept until the batches are submitted (a released future may be cancelled before it ran);
    a worker that fails to import fails its batches, and they say why."""
    client = dask_client()
    if client is None:
        return []
    return [
        client.submit(prepare_worker, pure=False, workers=[address], allow_other_workers=False)
        for address in client.scheduler_info()["workers"]
    ]


def release_workers(timeout: float = RELEASE_TIMEOUT) -> int:
    """Stop the workers of the run's own local cluster once every batch is in; returns how
    many were stopped. The checks and publishing run in this process, and two idle workers
    held about 470 MB meanwhile (docs/history-releases.md). A cluster the run connected to
    (``--dask-address``) is someone else's and keeps its workers. Waits at most ``timeout``
    seconds for them to exit: the run does not depend on it."""
    client = dask_client()
    cluster = getattr(client, "cluster", None)
    if cluster is None:
        return 0
    count = len(cluster.workers)
    cluster.scale(0)
    deadline = time.monotonic() + timeout
    while (cluster.workers or client.scheduler_info()["workers"]) and time.monotonic() < deadline:
        time.sleep(0.05)
    return count


def settle(outcome: RevisionOutcome, base_sections: str | None) -> RevisionOutcome:
    """The outcome as a serial run would have it: sections equal to the last good
    revision's are ``unchanged_sections`` (a worker may not have known that hash)."""
    if (
        base_sections is not None
        and outcome.sections_sha1 == base_sections
        and outcome.status not in ("unchanged_sections", "identical")
    ):
        read = outcome.claims.rows if outcome.claims else {}
        references = {"references": read["references"]} if "references" in read else None
        return RevisionOutcome(
            outcome.meta,
            "unchanged_sections",
            sections_sha1=base_sections,
            claims=Claims(references) if references else None,
            references_sha1=outcome.references_sha1,
            keys_sha1=outcome.keys_sha1,
        )
    return outcome


def formats_then_checks(
    staging: Path, latest_tables: Mapping[str, Any], lap: Callable[[str], None] = lambda _: None
) -> dict[str, Any]:
    """The staged tables' CSV and DuckDB files, then the gate; its report, or the run fails.

    The files come first, while this process is at its smallest: after the checks, DuckDB's
    memory came on top of what they left (Great Expectations, the allocator's high-water),
    and that sum was the peak of a history run's second half (growing with the history). A
    table the gate rejects may also break the files' keys; the gate's report says more, so a
    failure to write them is raised only when the gate passes."""
    formats_failed: Exception | None = None
    try:
        write_history_formats(staging)
    except Exception as error:  # re-raised below unless the checks explain it
        formats_failed = error
    lap("formats")
    report = run_checks(staging, latest_tables)
    lap("check")
    if not report["success"]:
        problems = [p for c in report["checks"].values() for p in c["problems"]]
        raise HistoryRunFailed(
            f"The timelines failed their checks ({len(problems)} problems, first: "
            f"{problems[0]}); nothing was published."
        )
    if formats_failed is not None:
        raise formats_failed
    return report


class ParquetTables:
    """One ParquetWriter per history table, rows buffered into row groups of up to
    ``ROW_GROUP_ROWS``: memory holds at most that many rows a table, whatever the revision
    count, and a run writes one row group per 40 batches rather than one per batch (each write
    costs milliseconds of frame building, whatever its size). With 5,000 the buffered rows
    (Python dicts) made the driver grow with the revision count up to that many."""

    ROW_GROUP_ROWS = 1_000

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._writers: dict[str, Any] = {}
        self._pending: dict[str, list[dict[str, Any]]] = {name: [] for name in HISTORY_TABLES}
        self.rows = {name: 0 for name in HISTORY_TABLES}

    def write(self, name: str, rows: list[dict[str, Any]]) -> None:
        self._pending[name] += rows
        if len(self._pending[name]) >= self.ROW_GROUP_ROWS:
            self._flush(name)

    def _flush(self, name: str) -> None:
        rows, self._pending[name] = self._pending[name], []
        table = HISTORY_TABLES[name]
        frame = (
            history_frame(name.removesuffix("_history"), rows)
            if name.endswith("_history")
            else to_frame(table, rows)
        )
        self.write_arrow(name, to_arrow(table, frame))

    def write_step(self, step: Step) -> None:
        """What the TimelineBuilder gave for one revision: its row, its events, the spans it
        closed."""
        self.write("revisions", [step.revision])
        self.write("claim_events", step.events)
        for name, spans in step.closed.items():
            self.write(f"{name}_history", spans)

    def write_arrow(self, name: str, arrow: Any) -> None:
        """Rows already in the table's Arrow schema (copied from a previous release)."""
        if name not in self._writers:
            self._writers[name] = pq.ParquetWriter(self.folder / f"{name}.parquet", arrow.schema)
        if arrow.num_rows:
            self._writers[name].write_table(arrow)
        self.rows[name] += arrow.num_rows

    def close(self) -> None:
        for name in HISTORY_TABLES:
            if self._pending[name] or name not in self._writers:
                self._flush(name)  # an empty table is still a file with its schema
        for writer in self._writers.values():
            writer.close()


# --- the flow ---------------------------------------------------------------------------


@dataclass
class HistoryResult:
    version: str
    folder: Path
    revisions: int
    fetched: int
    cached: int
    failed: dict[int, str] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    plan: str = "full"  # full, resume (the previous release continued) or unchanged
    processed: int = 0  # revisions fed to the builder by this run (the new ones when resumed)
    plan_reason: str = ""
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    identical: int = 0  # revisions given an identical earlier one's HTML, never fetched


def task_runner(dask_address: str | None, workers: int | None):
    if dask_address:
        return DaskTaskRunner(address=dask_address)
    count = workers or os.cpu_count() or 1
    # One thread per worker process: extraction is CPU-bound Python (the GIL).
    # No dashboard: a fixed port (8787) would clash with any other cluster on the machine.
    return DaskTaskRunner(
        cluster_kwargs={"n_workers": count, "threads_per_worker": 1, "dashboard_address": None}
    )


def history_flow_fn(
    source: str,
    output: str,
    since: str | None = None,
    until: str | None = None,
    limit: int | None = None,
    wiki_api: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    max_failed_share: float = DEFAULT_MAX_FAILED_SHARE,
    config: HistoryConfig | None = None,
    rebuild: bool = False,
) -> HistoryResult:
    logger = get_run_logger()
    progress = history_progress(logger)
    config = config or HistoryConfig()
    # Seconds per stage (list, cluster, fetch, prepare, extract, release, formats, check,
    # publish), for the benchmark and the log.
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        timings[stage] = round(time.perf_counter() - clock, 3)
        clock = time.perf_counter()

    out = Path(output)
    wiki = SourceSpec.parse(source).history_page()
    with WikiClient(wiki_api) as client:
        revisions = client.revisions(wiki, since=since, until=until, limit=limit)
        listed = RevisionListing(progress.counted("listed", revisions, total=limit))
        lap("list")
        if not listed:
            raise HistoryRunFailed(
                f"No revision of {wiki.title!r} lies in the range asked for (since {since}, "
                f"until {until}); nothing was published."
            )
        build = current_build(config)
        plan, prior = prepare_run(out, listed, range_start(since), build, rebuild)
        logger.info("%s run: %s", plan.mode.capitalize(), plan.reason)
        if plan.mode == UNCHANGED:
            progress.close()  # the run is complete: nothing after the listing to do
            return HistoryResult(
                plan.previous["version"],
                out / plan.previous["path"],
                len(listed),
                0,
                0,
                statuses=plan.previous["run"].get("statuses", {}),
                plan=UNCHANGED,
                plan_reason=plan.reason,
            )
        warming = start_workers()  # they import while the driver fetches
        lap("cluster")
        todo = listed[plan.kept :] if prior else listed
        position = {revid: i for i, revid in enumerate(todo.revids)}
        # Decided from the listing, before any fetch: these are not fetched but aliased.
        repeats = identical_targets((r.revid, r.sha1) for r in listed)
        repeats = {x: y for x, y in repeats.items() if x in position}
        cache = RevisionCache(cache_root(out))

        def fetch(revid: int) -> str:
            client.restart_budget()  # a budget per revision: the listing spent its own
            return client.parse_html(todo[position[revid]])

        progress.start("fetched", total=len(todo))
        try:
            fetched = fetch_missing(
                cache,
                todo.revids,
                fetch,
                on_progress=fetch_callback(progress),
                give_up_after=FETCH_GIVE_UP_AFTER,
                identical=repeats,
            )
        except FetchAbandoned as abandoned:
            raise HistoryRunFailed(
                f"Fetching from {client.api_url} stopped: {abandoned}. Nothing was published; "
                "what was fetched is cached, so a re-run continues from there."
            ) from None
        progress.finish("fetched")
        lap("fetch")
        # The repeated revisions this run extracts: a set of every revid in range lived
        # through the run, growing with it.
        in_run = {y for y in repeats.values() if y in position}
        position.clear()
    failed_reason = {revid: reason for revid, reason in fetched.failed.items()}
    # A revision whose earlier twin failed to fetch was fetched itself: no longer identical.
    repeats = {x: y for x, y in repeats.items() if y not in failed_reason}
    from_memory = {x: y for x, y in repeats.items() if y in in_run}
    root = out / HISTORY_DIR
    root.mkdir(parents=True, exist_ok=True)
    staging = root / f"{STAGING_PREFIX}{os.getpid()}-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S%f}"
    staging.mkdir()
    try:
        writer = ParquetTables(staging)
        builder = TimelineBuilder()
        base_sections: str | None = None
        latest_tables: dict[str, Any] = {}
        statuses: dict[str, int] = {}
        if prior:
            open_spans = copy_previous_tables(prior, writer.write_arrow)
            builder = TimelineBuilder.resume(
                open_spans, prior.last, prior.base, prior.next_seq, prior.base_sections_sha1
            )
            base_sections, statuses = prior.base_sections_sha1, dict(prior.statuses)
        builder.expect_identical(from_memory)
        parent_size = listed[plan.kept - 1].size if prior else None
        lap("prepare")  # the staging folder, and a continued release's rows copied
        ahead = SUBMIT_AHEAD_PER_SLOT * worker_slots()
        progress.start("extracted", total=len(todo))

        def submit(batch: list[BatchItem]) -> Any:
            wanted = [i for i in batch if i.meta.revid not in failed_reason]
            return extract_batch_task.submit(str(cache.root), wanted, config) if wanted else None

        work = batches(batch_items(todo, parent_size, repeats, in_run), batch_size)
        for batch, future in in_flight(submit, work, ahead):
            try:
                done = {o.meta.revid: o for o in (future.result() if future else [])}
            except Exception as error:  # the batch failed after its retry: its revisions did
                detail = f"{type(error).__name__}: {error}"
                done = {
                    i.meta.revid: failed_outcome(i.meta, "extract_error", detail) for i in batch
                }
            for item in batch:
                revid = item.meta.revid
                outcome = done.get(revid) or failed_outcome(
                    item.meta, "fetch_error", failed_reason.get(revid, "not extracted")
                )
                outcome = settle(outcome, base_sections)
                if outcome.tables is not None:
                    latest_tables = outcome.tables
                statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
                writer.write_step(builder.add(outcome))
                base_sections = builder.base_sections_sha1
                repeated = outcome.status == "identical" and outcome.tables is None
                if repeated and builder.base_revid == revid:
                    latest_tables = {}  # the claims now are rows extracted earlier (below)
            progress.advance("extracted", len(batch))
        progress.finish("extracted")
        del warming
        standing = builder.finish()
        for name, spans in standing.items():
            writer.write(f"{name}_history", spans)
        writer.close()
        lap("extract")
        if stopped := release_workers():
            logger.info("Stopped the local cluster's %d workers: extraction is done", stopped)
        lap("release")
        # The references are compared with the builder's open spans (the claims' with their
        # latest extraction, unless none was extracted since they last changed: a resume that
        # extracted nothing new, or a run ending on a revert).
        from_spans = tables_from_open_spans(
            {name: history_frame(name, spans) for name, spans in standing.items()}
        )
        latest_tables = {**(latest_tables or from_spans), "references": from_spans["references"]}
        del standing, from_spans
        failed = statuses.get("failed", 0) - (prior.statuses.get("failed", 0) if prior else 0)
        if failed > max_failed_share * len(todo):
            raise HistoryRunFailed(
                f"{failed} of {len(todo)} revisions failed (more than the allowed share of "
                f"{max_failed_share:.0%}); nothing was published. Their reasons are in the "
                "log; re-run to retry them (fetched revisions are cached)."
            )
        report = formats_then_checks(staging, latest_tables, lap)
        run = {
            "source": source_record(listed, since, until, limit),
            "revisions": len(listed),
            "statuses": statuses,
            "fetched": fetched.fetched,
            "cached": fetched.cached,
            "identical": fetched.identical,
            **resume_record(listed, build, plan, len(todo)),
            "timings": dict(timings),  # publishing's own time is in the result only
        }
        with output_lock(out):
            entry = publish_history(out, staging, report, run, CONTENT_LICENCE)
        lap("publish")
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    logger.info("Published history release %s (%s)", entry["version"], statuses)
    progress.close()
    return HistoryResult(
        entry["version"],
        root / entry["version"],
        len(listed),
        fetched.fetched,
        fetched.cached,
        {r: failed_reason[r] for r in failed_reason},
        statuses,
        plan=plan.mode,
        processed=len(todo),
        plan_reason=plan.reason,
        timings=timings,
        identical=fetched.identical,
    )


def history_flow(
    source: str,
    output: str,
    dask_address: str | None = None,
    workers: int | None = None,
    **options: Any,
) -> HistoryResult:
    """Run the history flow on a Dask cluster: local and sized to the machine by default,
    the one at ``dask_address`` when given."""
    runner = task_runner(dask_address, workers)
    run = flow(name="mekdata-history", task_runner=runner, log_prints=True)(history_flow_fn)
    # The cluster starts inside the run, so it is made with these settings.
    with dask.config.set(DASK_CONFIG), arrow_system_pool(), closed_on_exit():
        return run(source, output, **options)  # (a failed run's progress bars stop too)


@contextmanager
def arrow_system_pool() -> Iterator[None]:
    """Arrow allocates from the system allocator meanwhile. Its default pool (mimalloc) keeps
    what it freed: after the driver had written and read back the history tables it held about
    5 kB more per revision, where the system allocator gives it back. pyarrow's calls here use
    the pool set now; Arrow's C++ code (the Parquet writer, for one) and every other process
    read ``ARROW_DEFAULT_MEMORY_POOL`` once, when they load Arrow: it is set meanwhile, so the
    local cluster's workers, started in the run, use the system allocator too, and the CLI sets
    it before anything loads pyarrow. Both are restored afterwards, even when the run fails."""
    previous = pa.default_memory_pool()
    previous_variable = os.environ.get(ARROW_POOL_VARIABLE)
    os.environ[ARROW_POOL_VARIABLE] = "system"
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        yield
    finally:
        pa.set_memory_pool(previous)
        if previous_variable is None:
            os.environ.pop(ARROW_POOL_VARIABLE, None)
        else:
            os.environ[ARROW_POOL_VARIABLE] = previous_variable
