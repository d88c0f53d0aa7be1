"""Re-running a history: is anything new, and can the latest history release be continued?

A scheduled ``mekdata history`` mostly finds nothing new, or a few revisions after the ones
it published last. Three answers, decided by ``plan_history_run`` (pure) from the revision
listing (cheap: no content, 500 revisions a request) and ``history/index.json``:

* **unchanged**: the listing is exactly the previous release's revisions and the build is
  the same: nothing is fetched, extracted or published (the CLI decides this before any
  Prefect server or Dask cluster starts);
* **resume**: the listing starts with exactly the previous release's revisions and has more
  after them: the previous release's rows are copied into the new release row group by row
  group, its open spans seed ``TimelineBuilder.resume`` and only the new revisions are
  fetched and extracted (``read_previous_release``, ``copy_previous_tables``);
* **full**: anything else, with the reason logged: ``--rebuild``, no earlier release of this
  page and range start, other code or settings, or a listing whose first revisions are no
  longer the previous release's (a revision deleted, hidden or restored in between: the
  history was rewritten).

**Same range.** The previous release is the newest one of the same wiki API, the same page
(the title as resolved) and the same range *start* (``--since``, compared as the UTC moment
it names; none means the page's first revision). ``--until`` and ``--limit`` only decide
where the listing ends: when they select exactly the previous release's revisions the run is
unchanged (so ``--limit 50`` stays unchanged however the page grows), when they select more
it resumes, when they select fewer (an earlier ``--until``, a smaller ``--limit``) it
rebuilds. Revisions that failed in the previous release stay failed when it is continued;
``--rebuild`` retries them.

The module imports only the standard library at load time (the CLI asks before importing
anything heavy); pyarrow is imported where the Parquet files are read.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from mekdata.errors import PublishError
from mekdata.layout import HISTORY_DIR
from storage.fingerprint import file_sha256, history_fingerprint
from storage.output_folder import read_index

# pyarrow, transforms.history and ingestion.wikipedia are imported where used: the CLI's
# "unchanged" check imports this module before anything heavy (pyarrow.parquet 0.3 s,
# transforms.history 0.8 s with pandas, measured 2026-12-07).
if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from transforms.history import RevisionMeta

UNCHANGED, RESUME, FULL = "unchanged", "resume", "full"
FIRST_REVISION = "the page's first revision"  # where a range without --since starts
# Statuses whose revision the next one is compared with (TimelineBuilder's base); an identical
# revision is one too unless it repeats a skipped or failed one (then it has a reason).
BASE_STATUSES = ("extracted", "unchanged_sections")
# Columns of `revisions` a continued run needs from the previous release.
TAIL_COLUMNS = (
    "revid",
    "parentid",
    "timestamp",
    "sha1",
    "size",
    "status",
    "reason",
    "sections_sha1",
)


def is_base(row: Mapping[str, Any]) -> bool:
    """Whether the next revision was compared with this one (a ``revisions`` row)."""
    if row["status"] == "identical":
        return row["reason"] is None
    return row["status"] in BASE_STATUSES


class ListedRevision(Protocol):
    """What the listing says of a revision (ingestion.wikipedia.Revision has it)."""

    api_url: str
    title: str
    revid: int
    parentid: int | None
    timestamp: str
    sha1: str | None
    size: int | None


# --- the decision (pure) ------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryBuild:
    """What decides a history release's rows besides the revisions: the code and settings."""

    fingerprint: str
    config: dict[str, Any]

    def record(self) -> dict[str, Any]:
        return {"fingerprint": self.fingerprint, "config": self.config}


def current_build(config: Any) -> HistoryBuild:
    """This code's build with ``config`` (a HistoryConfig)."""
    return HistoryBuild(history_fingerprint(), dataclasses.asdict(config))


@dataclass(frozen=True)
class HistoryPlan:
    mode: str  # UNCHANGED, RESUME or FULL
    reason: str
    previous: dict[str, Any] | None = None  # the index entry continued or found unchanged
    kept: int = 0  # leading revisions of the listing the previous release already holds

    def describe(self) -> str:
        return f"{self.mode}: {self.reason}"


def range_start(since: str | None) -> str | None:
    """``--since`` as the UTC moment the listing starts at (how releases are compared)."""
    from ingestion.wikipedia import api_timestamp

    return api_timestamp(since, end_of_day=False) if since else None


def source_record(
    listed: Sequence[Any], since: str | None, until: str | None, limit: int | None
) -> dict[str, Any]:
    """The run record's ``source``: the page, the revisions the release holds and the range
    asked for (``start`` is what a re-run compares)."""
    return {
        "title": listed[0].title,
        "api": listed[0].api_url,
        "history": listed[0].history_url,
        "first_revid": listed[0].revid,
        "last_revid": listed[-1].revid,
        "since": since,
        "until": until,
        "limit": limit,
        "start": range_start(since),
    }


def listing_digest(revisions: Iterable[ListedRevision]) -> str:
    """One digest of the listing's identities: any revision deleted, hidden (its sha1 goes),
    restored or edited in between changes it."""
    digest = hashlib.sha1()
    for r in revisions:
        digest.update(f"{r.revid} {r.parentid} {r.timestamp} {r.sha1} {r.size}\n".encode())
    return digest.hexdigest()


def resume_record(
    listing: Sequence[ListedRevision], build: HistoryBuild, plan: HistoryPlan, processed: int
) -> dict[str, Any]:
    """What a history release's run record says so that the next run can compare with it."""
    previous = plan.previous if plan.mode == RESUME else None
    return {
        "listing_sha1": listing_digest(listing),
        "build": build.record(),
        "plan": {
            "mode": plan.mode,
            "reason": plan.reason,
            "resumed_from": previous["version"] if previous else None,
            "revisions_copied": plan.kept if previous else 0,
            "revisions_processed": processed,
        },
    }


def _same_source(entry: Mapping[str, Any], api: str, title: str) -> bool:
    source = (entry.get("run") or {}).get("source") or {}
    return source.get("api") == api and source.get("title") == title


def _start_of(entry: Mapping[str, Any]) -> str | None:
    source = entry["run"]["source"]
    return source["start"] if "start" in source else range_start(source.get("since"))


def plan_history_run(
    listing: Sequence[ListedRevision],
    entries: Sequence[Mapping[str, Any]],
    *,
    start: str | None,
    build: HistoryBuild,
    rebuild: bool = False,
) -> HistoryPlan:
    """Unchanged, resume or full (see the module's docstring), with the reason.

    ``listing`` is the requested range's revisions, oldest first; ``entries`` the history
    index's versions, oldest first, whose folders exist; ``start`` the range start as
    ``range_start`` gives it."""
    if rebuild:
        return HistoryPlan(FULL, "a full rebuild was asked for (--rebuild)")
    if not listing:
        return HistoryPlan(FULL, "the range holds no revision")
    api, title = listing[0].api_url, listing[0].title
    same_page = [e for e in entries if _same_source(e, api, title)]
    if not same_page:
        return HistoryPlan(FULL, f'no earlier history release of "{title}" from {api}')
    candidates = [e for e in same_page if _start_of(e) == start]
    if not candidates:
        latest = same_page[-1]
        return HistoryPlan(
            FULL,
            f"no earlier release starts where this run does ({start or FIRST_REVISION}); the "
            f"latest, {latest['version']}, starts at {_start_of(latest) or FIRST_REVISION}",
        )
    previous = dict(candidates[-1])
    version, run = previous["version"], previous["run"]
    recorded = run.get("build") or {}
    if "listing_sha1" not in run or not recorded:
        return HistoryPlan(FULL, f"release {version} does not record its listing and build")
    if recorded.get("fingerprint") != build.fingerprint:
        return HistoryPlan(FULL, f"release {version} was built by other code")
    if recorded.get("config") != build.config:
        return HistoryPlan(
            FULL, f"release {version} was built with other settings ({recorded.get('config')})"
        )
    kept = int(run["revisions"])
    last_revid = run["source"]["last_revid"]
    revids = [r.revid for r in listing]
    if last_revid not in revids:
        return HistoryPlan(
            FULL,
            f"the last revision of release {version}, {last_revid}, is no longer in the "
            "listing (deleted, or outside the range asked for)",
        )
    if (
        revids.index(last_revid) + 1 != kept
        or listing_digest(listing[:kept]) != run["listing_sha1"]
    ):
        return HistoryPlan(
            FULL,
            f"the revisions up to {last_revid} are no longer those of release {version} (a "
            "revision was deleted, hidden or restored in between)",
        )
    if len(listing) == kept:
        return HistoryPlan(
            UNCHANGED,
            f'no new revision of "{title}" since release {version} ({kept} revisions up to '
            f"{last_revid}), built by the same code",
            previous,
            kept,
        )
    return HistoryPlan(
        RESUME,
        f"{len(listing) - kept} new revisions after {last_revid}, continuing release {version}",
        previous,
        kept,
    )


# --- the index and the previous release (storage) -----------------------------------------


def history_entries(output: Path) -> list[dict[str, Any]]:
    """The history index's versions whose folders exist, oldest first ([] without an index:
    any doubt means a full run)."""
    try:
        versions = list(read_index(output / HISTORY_DIR)["versions"])
    except (PublishError, KeyError, TypeError):
        return []
    return [
        v for v in versions if isinstance(v, dict) and (output / str(v.get("path", "-"))).is_dir()
    ]


class PreviousReleaseUnusable(Exception):
    """The previous release cannot be continued (the message says why): rebuild in full."""


@dataclass
class PreviousRelease:
    """What a continued run needs from the release it continues."""

    version: str
    folder: Path
    revisions: int
    last: RevisionMeta
    base: RevisionMeta | None  # its last extracted or unchanged revision
    base_sections_sha1: str | None
    next_seq: int
    statuses: dict[str, int] = field(default_factory=dict)


def _meta(row: Mapping[str, Any]) -> RevisionMeta:
    from transforms.history import RevisionMeta

    return RevisionMeta(row["revid"], row["parentid"], row["timestamp"], row["sha1"], row["size"])


def _as_stored(schema: pa.Schema) -> pa.Schema:
    """``schema`` as a Parquet file written with it reads back (Parquet keeps no second
    unit: timestamp[s] comes back as timestamp[ms])."""
    import io

    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(schema.empty_table(), buffer)
    return pq.read_schema(io.BytesIO(buffer.getvalue()))


def read_previous_release(output: Path, entry: Mapping[str, Any]) -> PreviousRelease:
    """Check the previous release's tables against its index entry (sha256) and today's
    schema, and read what continuing it needs: its last revision, its base revision and that
    one's sections hash, its statuses and its next event number. Reads column by column, row
    group by row group; nothing is written."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from transforms.schema import HISTORY_TABLES, arrow_schema

    folder = output / entry["path"]
    files = {f["path"]: f["sha256"] for f in entry.get("files", [])}
    for name, table in HISTORY_TABLES.items():
        path = folder / f"{name}.parquet"
        if path.name not in files:
            raise PreviousReleaseUnusable(f"release {entry['version']} lists no {path.name}")
        try:
            if file_sha256(path) != files[path.name]:
                raise PreviousReleaseUnusable(
                    f"{path} no longer matches the sha256 in the history index"
                )
            schema = pq.read_schema(path)
        except OSError as error:
            raise PreviousReleaseUnusable(f"{path} cannot be read ({error})") from None
        if not schema.equals(_as_stored(arrow_schema(table)), check_metadata=True):
            raise PreviousReleaseUnusable(f"{path} has another schema than this code writes")
    revisions = pq.ParquetFile(folder / "revisions.parquet")
    count, last, base = 0, None, None
    statuses: dict[str, int] = {}
    for group in range(revisions.num_row_groups):
        rows = revisions.read_row_group(group, columns=list(TAIL_COLUMNS)).to_pylist()
        for row in rows:
            statuses[row["status"]] = statuses.get(row["status"], 0) + 1
            if is_base(row):
                base = row
        if rows:
            last = rows[-1]
        count += len(rows)
    run = entry["run"]
    if last is None or count != run["revisions"] or last["revid"] != run["source"]["last_revid"]:
        raise PreviousReleaseUnusable(
            f"release {entry['version']}'s revisions table does not end at the revision its "
            "index entry names"
        )
    events = pq.ParquetFile(folder / "claim_events.parquet")
    seq = 0
    for group in range(events.num_row_groups):
        top = pc.max(events.read_row_group(group, columns=["seq"])["seq"]).as_py()
        seq = max(seq, top or 0)
    return PreviousRelease(
        entry["version"],
        folder,
        count,
        _meta(last),
        _meta(base) if base else None,
        base["sections_sha1"] if base else None,
        seq + 1,
        statuses,
    )


def copy_previous_tables(
    previous: PreviousRelease, write: Callable[[str, pa.Table], None]
) -> dict[str, pd.DataFrame]:
    """Hand every table of the previous release to ``write`` row group by row group (memory
    holds one), in the declared Arrow schema, except the open spans (``valid_to_revid``
    null) of ``<table>_history``: those are returned, per claim table, as frames for
    ``TimelineBuilder.resume``; the builder writes them when it closes them or finishes."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from transforms.history import history_frame
    from transforms.schema import HISTORY_TABLES, TIMELINE_TABLES, arrow_schema

    open_rows: dict[str, list[pa.Table]] = {}
    for name in HISTORY_TABLES:
        source = pq.ParquetFile(previous.folder / f"{name}.parquet")
        schema = arrow_schema(HISTORY_TABLES[name])
        for group in range(source.num_row_groups):
            # Back to the declared schema (timestamps in seconds), as the builder's rows are;
            # a safe cast, so a value that does not fit raises instead of changing.
            rows = source.read_row_group(group).cast(schema)
            if name.endswith("_history"):
                still_open = pc.is_null(rows["valid_to_revid"])
                open_rows.setdefault(name, []).append(rows.filter(still_open))
                rows = rows.filter(pc.invert(still_open))
            if rows.num_rows:
                write(name, rows)
    return {
        table: history_frame(
            table,
            [row for part in open_rows.get(f"{table}_history", []) for row in part.to_pylist()],
        )
        for table in TIMELINE_TABLES
    }


def prepare_run(
    output: Path,
    listing: Sequence[ListedRevision],
    start: str | None,
    build: HistoryBuild,
    rebuild: bool = False,
) -> tuple[HistoryPlan, PreviousRelease | None]:
    """The plan for this output, and the previous release opened when the plan continues it;
    a previous release that cannot be continued turns the plan into a full run that says why."""
    plan = plan_history_run(
        listing, history_entries(output), start=start, build=build, rebuild=rebuild
    )
    if plan.mode != RESUME:
        return plan, None
    try:
        return plan, read_previous_release(output, plan.previous)
    except PreviousReleaseUnusable as why:
        version = plan.previous["version"]
        return HistoryPlan(FULL, f"release {version} cannot be continued: {why}"), None
