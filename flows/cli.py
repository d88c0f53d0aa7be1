"""The ``mekdata`` command line (typer, which Prefect already brings)."""

from __future__ import annotations

import contextlib
import ctypes
import io
import logging
import os
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated

import typer

from expectations import validation_worker

# Light (standard library only at import): the schedule's defaults are declared there once.
from flows import deployment as deployment_defaults
from flows.deployment import NO_SERVER_MESSAGE, configured_api_url, start_local_server
from flows.progress import progress_interval
from flows.temporary_server import TemporaryServer, api_url_configured
from flows.unchanged import Unchanged, unchanged_input
from ingestion.spec import SourceSpec
from ingestion.wikipedia import WikiClient, WikiSource, api_timestamp, api_url
from mekdata import REPO_ROOT
from mekdata.errors import MekdataError, SourceError
from mekdata.layout import DEFAULT_OUTPUT
from mekdata.startup import collector_paused
from storage.catalog import ensure_catalog
from storage.history_resume import (
    UNCHANGED,
    current_build,
    history_entries,
    plan_history_run,
    range_start,
)
from storage.locations import Location, is_remote

# --wiki-api, the same for every command that reads the wiki.
WikiApiOption = Annotated[
    str | None,
    typer.Option(
        help="MediaWiki api.php for wikipedia: sources; default: $MEKDATA_WIKI_API, else "
        "https://en.wikipedia.org/w/api.php."
    ),
]
DRAIN_TIMEOUT_S = 10
# Set when `run` completed: main() may then exit without the interpreter's teardown.
_finished_run = False

app = typer.Typer(
    name="mekdata",
    help="Versioned, validated datasets from the Wikipedia article on the People's Mojahedin "
    "Organization of Iran.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _commands() -> None:
    """Versioned, validated datasets from the Wikipedia article on the People's Mojahedin
    Organization of Iran."""


def _prefect_environment() -> None:
    """A persistent, git-ignored Prefect home so the database migrates once, and no
    telemetry; a user's own settings win."""
    os.environ.setdefault("PREFECT_HOME", str(REPO_ROOT / ".prefect"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LOG_PRINTS", "true")


# glibc's mallopt parameter, and the threshold the C library starts with (128 KiB).
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 128 * 1024


def fixed_mmap_threshold() -> bool:
    """Keep glibc giving large freed blocks back to the system. By default it raises its
    mmap threshold to the size of each large block freed, so that later blocks up to that size
    come from its heap and stay with the process when freed: after extraction, the history
    checks and report (which read the finished tables) left the driver about 0.4 kB per
    revision larger that way (bench/history.py). Fixing the threshold at glibc's starting
    value keeps them mapped. Only where there is a mallopt (glibc), and not when the user set
    ``MALLOC_MMAP_THRESHOLD_``. True when set."""
    if "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) == 1


class _ExpectedErrorFilter(logging.Filter):
    """Prefect logs a failed task's traceback; for errors we explain ourselves that is noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], MekdataError):
            record.exc_info = None
            record.exc_text = None
            return False
        message = record.getMessage()
        return not ("Traceback (most recent call last)" in message and "mekdata.errors" in message)


def _quiet_expected_tracebacks() -> None:
    expected_filter = _ExpectedErrorFilter()
    for name in ("prefect", "prefect.flow_runs", "prefect.task_runs"):
        logging.getLogger(name).addFilter(expected_filter)
    for handler in logging.getLogger("prefect").handlers:
        handler.addFilter(expected_filter)


def unchanged_before_starting(
    spec: SourceSpec, output: str, wiki_api: str | None
) -> Unchanged | None:
    """A local output whose latest release was built from the same input by the same code
    needs no flow run at all (no Prefect, no heavy imports). The flow's own decision
    (flows/unchanged.py); for a Wikipedia page it costs one small API request, asked only when
    the latest release is of this wiki and code (none when the revision is pinned). A remote
    output is left to the flow: reading its index would cost fsspec's import and a request."""
    if is_remote(output):
        return None
    endpoint = api_url(wiki_api)

    def current_revision(page: WikiSource) -> int:
        with WikiClient(endpoint) as client:
            return client.revision(page).revid

    return unchanged_input(spec, output, endpoint, current_revision)


@contextlib.contextmanager
def _one_shot_server(
    first: Callable[[], None] | None = None,
    while_it_starts: Callable[[], None] | None = None,
) -> Iterator[None]:
    """A one-shot flow run: the temporary server when none is configured, ready on entry, and
    given the run's pending logs and events before it stops, however the block ends. ``first``
    (starting a worker) runs before the server's start imports Prefect, ``while_it_starts``
    (imports) while it builds its app (see flows/temporary_server.py)."""
    server = None if api_url_configured() else TemporaryServer()
    if server is not None:
        # Before anything imports Prefect, which reads its settings once.
        os.environ["PREFECT_API_URL"] = server.api_url
    try:
        if first is not None:
            first()
        if server is not None:
            server.start()
            typer.echo(
                f"Started a temporary Prefect server (process {server.pid}) on "
                f"{server.api_url} for this run.",
                err=True,
            )
        if while_it_starts is not None:
            while_it_starts()
        if server is not None:
            server.wait_until_ready()
        _quiet_expected_tracebacks()
        yield
    finally:
        if server is not None:
            _send_pending_logs_and_events()
            server.stop()


def _send_pending_logs_and_events() -> None:
    """Prefect ships logs and events from background workers; they must reach the temporary
    server before it stops, or the exit handlers retry against a closed port for a minute."""
    if "prefect" not in sys.modules:
        return  # the run stopped before Prefect was imported: nothing was sent
    # Imported only once Prefect is (1.9 s); at the top they would load it on every command.
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=DRAIN_TIMEOUT_S)
    EventsWorker.drain_all(timeout=DRAIN_TIMEOUT_S)


def _warm_heavy_imports() -> None:
    """Import what publishing and the report need while the server and the validation worker
    start (Great Expectations is imported by the worker, never here). Here, not at the top:
    pyplot costs 0.6 s, paid while the server starts rather than before it."""
    import followthemoney  # noqa: F401  (1.3 s: its schemata, read when the export is built)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot
    import pyarrow.parquet  # noqa: F401


def _fail(message: str, code: int) -> None:
    typer.echo(f"mekdata: {message}", err=True)
    raise typer.Exit(code)


@app.command()
def run(
    source: Annotated[
        str | None,
        typer.Option(
            help="Path or http(s) URL of the article text, or wikipedia:<Title>[@<revid>] for a "
            "revision read from the wiki; default: the copy bundled in sources/ (no network)."
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(help="Output folder for releases; default: output/ in the repository."),
    ] = None,
    wiki_api: WikiApiOption = None,
) -> None:
    """Run the pipeline once: ingest, extract, validate, publish a release."""
    _prefect_environment()
    folder = output or str(DEFAULT_OUTPUT)
    try:
        spec = SourceSpec.parse(source)
        unchanged = unchanged_before_starting(spec, folder, wiki_api)
    except MekdataError as error:
        _fail(str(error), error.exit_code)
        return
    if unchanged is not None:
        ensure_catalog(Path(folder))  # outputs older than index.html
        typer.echo(
            f"Unchanged: {unchanged.reason} equal release {unchanged.version}; nothing to do."
        )
        return

    # A local file is validated ahead while a temporary server starts (see the worker's
    # docstring); a running server leaves no wait to fill.
    ahead = spec.path if spec.is_file and not api_url_configured() else None

    def prepare() -> None:
        with collector_paused():
            # pandas, pyarrow and the flow's own modules (Prefect came with the server's
            # start), while the server builds its app.
            import flows.release_flow  # noqa: F401

            _warm_heavy_imports()

    with _one_shot_server(lambda: validation_worker.prestart(ahead), prepare):
        # Imported by prepare() already (see there); named here where they are used.
        from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

        from flows.release_flow import release_flow

        try:
            # Heartbeats let a server notice a crashed long-running run; a one-shot run of
            # seconds needs none, and stopping their thread costs up to a second. Scheduled
            # runs (serve, deployments) keep them.
            with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
                result = release_flow(source=spec.parameter, output=output, wiki_api=wiki_api)
        except MekdataError as error:
            _fail(str(error), error.exit_code)
            return
    if result.status == "unchanged":
        typer.echo(f"Unchanged: the data equals release {result.version}; nothing published.")
    else:
        counts = ", ".join(f"{name} {rows}" for name, rows in result.row_counts.items())
        typer.echo(f"Published release {result.version} to {result.path} ({counts} rows).")
    global _finished_run
    _finished_run = True


def _history_arguments(
    spec: SourceSpec,
    since: str | None,
    until: str | None,
    limit: int | None,
    workers: int | None,
) -> WikiSource:
    """Refuse a bad command line before any server or cluster starts; the page to read."""
    page = spec.history_page()
    start = api_timestamp(since, end_of_day=False) if since else None
    end = api_timestamp(until, end_of_day=True) if until else None
    if start and end and start > end:
        raise SourceError(f"--since {since} is after --until {until}: no revision lies between.")
    if limit is not None and limit < 1:
        raise SourceError(f"--limit must be at least 1 (a number of revisions), not {limit}.")
    if workers is not None and workers < 1:
        raise SourceError(f"--workers must be at least 1 (Dask worker processes), not {workers}.")
    progress_interval()  # a bad MEKDATA_PROGRESS_INTERVAL is refused here, not after minutes
    return page


def _history_unchanged(
    page: WikiSource,
    output: Path,
    since: str | None,
    until: str | None,
    limit: int | None,
    wiki_api: str | None,
) -> str | None:
    """Why nothing is new, when the revision listing (a few small requests) shows exactly the
    revisions of the latest history release of this page and range start, built by this code
    with the default settings: then no Prefect server or Dask cluster need start. None when
    there is something to do (the flow decides how much)."""
    entries = history_entries(output)
    if not entries:
        return None  # a first run: nothing to compare with, no listing needed here
    # transforms imports pandas (0.9 s): only a re-run with something to compare pays for it.
    from transforms.history import HistoryConfig

    with WikiClient(wiki_api) as client:
        listed = list(client.revisions(page, since, until, limit))
    plan = plan_history_run(
        listed, entries, start=range_start(since), build=current_build(HistoryConfig())
    )
    return plan.reason if plan.mode == UNCHANGED else None


@app.command()
def history(
    source: Annotated[str, typer.Option(help="wikipedia:<Title> whose revisions to read.")],
    output: Annotated[
        str | None,
        typer.Option(help="Output folder (history/ is written in it); default: output/."),
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="First day (YYYY-MM-DD) or ISO timestamp, UTC.")
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Last day (included) or ISO timestamp, UTC.")
    ] = None,
    limit: Annotated[int | None, typer.Option(help="Read at most this many revisions.")] = None,
    dask_address: Annotated[
        str | None,
        typer.Option(help="Scheduler of an existing Dask cluster, e.g. tcp://127.0.0.1:8786."),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(help="Worker processes of the local Dask cluster; default: one per CPU."),
    ] = None,
    wiki_api: WikiApiOption = None,
    rebuild: Annotated[
        bool,
        typer.Option(
            "--rebuild",
            help="Extract every revision again instead of continuing the latest history "
            "release (and retry the revisions that failed in it).",
        ),
    ] = False,
) -> None:
    """Read every revision in range and publish a history release: claim timelines and the
    events that changed them. A re-run publishes nothing when the page has no new revision
    in range, and extracts only the new ones when it has (see docs/history-releases.md)."""
    _prefect_environment()
    # Arrow's C++ code reads its allocator once, when pyarrow loads: the system one gives back
    # what it frees (see arrow_system_pool in flows/history_flow.py). A user's choice wins.
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    fixed_mmap_threshold()
    folder = Path(output or DEFAULT_OUTPUT)
    try:
        spec = SourceSpec.parse(source)
        page = _history_arguments(spec, since, until, limit, workers)
        unchanged = (
            None if rebuild else _history_unchanged(page, folder, since, until, limit, wiki_api)
        )
    except MekdataError as error:
        _fail(str(error), error.exit_code)
        return
    if unchanged is not None:
        typer.echo(f"Unchanged: {unchanged}; nothing published.")
        return

    def prepare() -> None:
        with collector_paused():
            # pandas, Dask and the flow's own modules, while the server builds its app.
            import flows.history_flow  # noqa: F401

    with _one_shot_server(while_it_starts=prepare):
        from flows.history_flow import history_flow  # imported by prepare() (see there)

        try:
            result = history_flow(
                str(spec),
                str(folder),
                dask_address=dask_address,
                workers=workers,
                since=since,
                until=until,
                limit=limit,
                wiki_api=wiki_api,
                rebuild=rebuild,
            )
        except MekdataError as error:
            _fail(str(error), error.exit_code)
            return
    if result.plan == "unchanged":
        typer.echo(f"Unchanged: {result.plan_reason}; nothing published.")
        return
    statuses = ", ".join(f"{name} {count}" for name, count in sorted(result.statuses.items()))
    typer.echo(
        f"Published history release {result.version} to {result.folder}: {result.revisions} "
        f"revisions ({statuses}; {result.fetched} fetched, {result.cached} from the cache)."
    )
    typer.echo(f"{result.processed} revisions processed: {result.plan} run, {result.plan_reason}.")


@app.command()
def releases(
    location: Annotated[
        str | None,
        typer.Option("--from", help="Folder or URL to list; default: output/ in the repository."),
    ] = None,
) -> None:
    """List the published versions, oldest first."""
    where = location or str(DEFAULT_OUTPUT)
    try:
        versions = Location(where).index().get("versions", [])
    except MekdataError as error:
        _fail(str(error), error.exit_code)
        return
    if not versions:
        typer.echo(f"No releases in {where}.")
        return
    for entry in versions:
        rows = sum(entry.get("row_counts", {}).values())
        revision = entry.get("wikipedia")
        origin = (
            f"revision {revision['revid']} of {revision['timestamp']}"
            if revision
            else f"source {entry['source_sha256'][:12]}"
        )
        typer.echo(
            f"{entry['version']}  {entry['published_at']}  schema {entry['schema_version']}  "
            f"{origin}  {rows} rows"
        )


@app.command()
def download(
    version: Annotated[str, typer.Argument(help="A version such as 2026.11.27, or 'latest'.")],
    source: Annotated[
        str, typer.Option("--from", help="Folder, http(s) URL or fsspec URL holding index.json.")
    ],
    destination: Annotated[
        Path, typer.Option("--to", help="Folder to download into (VERSION/ is created in it).")
    ],
) -> None:
    """Download a release and verify every file's size and sha256 against the index."""
    from storage.download import download_release  # 1.0 s (pandas), not for the other commands

    try:
        result = download_release(source, version, destination)
    except MekdataError as error:
        _fail(str(error), error.exit_code)
        return
    typer.echo(
        f"Downloaded and verified release {result.version}: {result.files} files, "
        f"{result.bytes:,} bytes in {result.path}."
    )


@app.command()
def diff(
    old: Annotated[str, typer.Argument(help="The older version (or 'latest').")],
    new: Annotated[str, typer.Argument(help="The newer version (or 'latest').")],
    location: Annotated[
        str | None,
        typer.Option("--from", help="Folder or URL holding the releases; default: output/."),
    ] = None,
) -> None:
    """Print the row-level changes between two published versions."""
    from storage.download import diff_versions  # 1.0 s (pandas), not for the other commands

    try:
        typer.echo(diff_versions(location or str(DEFAULT_OUTPUT), old, new), nl=False)
    except MekdataError as error:
        _fail(str(error), error.exit_code)


@app.command()
def show(
    table: Annotated[str, typer.Argument(help="designations, electoral_history, …")],
    version: Annotated[str, typer.Option(help="Version to show, or 'latest'.")] = "latest",
    location: Annotated[
        str | None,
        typer.Option(
            "--from", help="Folder or URL of releases, or a mekdata.duckdb; default: output/."
        ),
    ] = None,
    columns: Annotated[
        str | None,
        typer.Option(help="Comma-separated columns to show; default: the table's key columns."),
    ] = None,
    show_all: Annotated[bool, typer.Option("--all", help="Show every column.")] = False,
    layout: Annotated[
        str,
        typer.Option(
            help="grid, records (one 'label: value' line per field), or auto: a grid when "
            "every column fits the terminal, else records."
        ),
    ] = "auto",
    limit: Annotated[int, typer.Option(help="Show at most this many rows.")] = 50,
    width: Annotated[int, typer.Option(help="In a grid, cut cells longer than this.")] = 60,
) -> None:
    """Print a published table readably in the terminal, at any width."""
    # For show alone: pyarrow, pandas (through transforms and flows.terminal) and rich cost
    # about 1.2 s at start-up, more than the whole unchanged re-run of `mekdata run`.
    import pyarrow.parquet as pq
    from rich.console import Console
    from rich.table import Table as RichTable

    from flows.terminal import LAYOUTS, cells, chosen_columns, pick_layout, record_lines
    from transforms.schema import TABLES

    if table not in TABLES:
        _fail(f"No table {table!r}; tables: {', '.join(TABLES)}.", 2)
        return
    if layout not in LAYOUTS:
        _fail(f"No layout {layout!r}; layouts: {', '.join(LAYOUTS)}.", 2)
        return
    wanted = chosen_columns(TABLES[table], columns, show_all)
    unknown = [c for c in wanted if c not in TABLES[table].column_names]
    if unknown:
        _fail(f"{table} has no column(s) {', '.join(unknown)}.", 2)
        return
    where = Location(location or str(DEFAULT_OUTPUT))
    try:
        if where.kind == "local" and where.url.endswith(".duckdb"):  # a release's mekdata.duckdb
            from storage.duckdb_file import read_duckdb_table  # duckdb: only for a .duckdb

            entry = {"version": Path(where.url).parent.name}
            rows = read_duckdb_table(Path(where.url), table)
        else:
            entry = where.resolve_version(version)
            data = where.read_bytes(f"releases/{entry['version']}/{table}.parquet")
            rows = pq.read_table(io.BytesIO(data)).to_pylist()
    except MekdataError as error:
        _fail(str(error), error.exit_code)
        return
    console = Console()
    title = f"{table} — release {entry['version']} ({len(rows)} rows)"
    texts = cells(rows[:limit], wanted, width)
    if pick_layout(layout, wanted, texts, console.width) == "grid":
        view = RichTable(title=title, show_lines=False)
        for name in wanted:
            view.add_column(name, overflow="fold")
        for row in texts:
            view.add_row(*row)
        console.print(view)
    else:
        console.print(title, highlight=False)
        whole = cells(rows[:limit], wanted, None)
        for line in record_lines(wanted, whole, console.width):
            console.print(line, highlight=False, markup=False, soft_wrap=True)
    if len(rows) > limit:
        console.print(f"… {len(rows) - limit} more rows (use --limit).")


@app.command()
def serve(
    cron: Annotated[
        str, typer.Option(help="When to run, as a cron expression.")
    ] = deployment_defaults.DEFAULT_CRON,
    timezone: Annotated[
        str, typer.Option(help="Time zone of the cron expression.")
    ] = deployment_defaults.DEFAULT_TIMEZONE,
    source: Annotated[
        str,
        typer.Option(
            help="wikipedia:<Title>[@<revid>], a path or a URL of the article text; default: "
            "the live article, so that each scheduled run reads the current revision."
        ),
    ] = deployment_defaults.DEFAULT_SOURCE,
    output: Annotated[
        str | None, typer.Option(help="Output folder or URL; default: output/.")
    ] = None,
    wiki_api: WikiApiOption = None,
    start_server: Annotated[
        bool,
        typer.Option(
            "--start-server",
            help="Start a local Prefect server on 127.0.0.1 when none is configured.",
        ),
    ] = False,
    server_port: Annotated[
        int, typer.Option(help="Port for the server that --start-server starts.")
    ] = deployment_defaults.LOCAL_SERVER_PORT,
) -> None:
    """Serve the release flow on a schedule (foreground; Ctrl-C stops it)."""
    _prefect_environment()
    server = None
    if configured_api_url() is None:
        if not start_server:
            _fail(NO_SERVER_MESSAGE, 2)
            return
        server, api_url = start_local_server(
            Path(os.environ["PREFECT_HOME"]) / "server", port=server_port
        )
        os.environ["PREFECT_API_URL"] = api_url
        # A TERM must still stop the server we started (the finally below), not orphan it.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        typer.echo(f"Started a Prefect server at {api_url} (UI: {api_url.removesuffix('/api')}).")
    # Prefect (about 2 s) is imported after the environment above is set, as in `run`.
    from prefect import serve as prefect_serve
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.deployment import build_deployment

    _quiet_expected_tracebacks()
    try:
        # Prefect's settings were read before the server existed; point them at it.
        with temporary_settings(
            updates={PREFECT_API_URL: os.environ["PREFECT_API_URL"]} if server is not None else {}
        ):
            prefect_serve(
                build_deployment(cron, timezone, source, output, wiki_api=wiki_api), limit=1
            )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except SystemExit as leaving:
        if _finished_run and leaving.code in (0, None):
            _exit_without_teardown()
        raise


def _exit_without_teardown() -> None:
    """Leave a finished run without the interpreter's teardown.

    Freeing the module graph of Prefect, pandas and pyarrow takes about half a second and
    serves nobody once every file is written (and fsynced), Prefect's logs and events are
    sent and the output is flushed, which is done here first.
    """
    _send_pending_logs_and_events()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
