"""What the history report shows, computed from a history release's tables, without HTML
(pages/history_report.py renders it): the revisions summarised, each designation claim's
timeline of stated dates and its agreement with the record (runs of spans stating the same,
merged into periods), and the claim events the page lists.

Each table is read a batch of rows at a time (``TableRows``), for what the page shows of it:
what is kept is a batch, what is listed, and a few numbers per designation span (to order the
timelines), not the tables; what is listed is capped, so memory does not follow the history.
"""

from __future__ import annotations

import heapq
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from transforms.dates import format_date
from transforms.formats import parquet_frames, parquet_reader
from transforms.schema import CLAIM_TABLES, HISTORY_TABLES, TABLES, Table

# Revisions that change no claim; the page lists them with their detail.
LEFT_OUT = ("skipped", "failed")


# Rows of a table the page reads at once (TableRows).
BATCH_ROWS = 2_000


# Beyond these the page would stop being read; claim_events.parquet holds every event.
MAX_EVENTS = 2_000


MAX_EVENTS_PER_CLAIM = 100


MAX_LISTED_REVISIONS = 200


# The designation columns a timeline shows: every date the article states (not the record's,
# which "Against the record" shows), and the status a delisting goes with.
TIMELINE_TABLE = "designations"


TIMELINE_DATES = tuple(
    c.name
    for c in TABLES[TIMELINE_TABLE].columns
    if c.type == "date" and not c.name.startswith("record_")
)


TIMELINE_COLUMNS = (*TIMELINE_DATES, "status")


class TableRows:
    """One history table's rows as the page reads them: ``batch_rows`` at a time, in the
    columns a part of the page needs. From the release's Parquet file, the page holds a batch
    and what it keeps of the rows, not the table; from a frame (tests, a page made in memory)
    the same code reads slices of it."""

    def __init__(self, source: Path | pd.DataFrame, batch_rows: int = BATCH_ROWS) -> None:
        self.source, self.batch_rows = source, batch_rows

    def __len__(self) -> int:
        if isinstance(self.source, pd.DataFrame):
            return len(self.source)
        return parquet_reader(self.source).metadata.num_rows

    def _names(self) -> list[str]:
        if isinstance(self.source, pd.DataFrame):
            return list(self.source.columns)
        return parquet_reader(self.source).schema_arrow.names

    def batches(self, columns: Iterable[str]) -> Iterator[pd.DataFrame]:
        """The rows in order, in those of ``columns`` the table has, each batch indexed by
        its rows' positions in the table; nothing for a table without rows."""
        names = set(self._names())
        present = [c for c in dict.fromkeys(columns) if c in names]
        if isinstance(self.source, pd.DataFrame):
            frame = self.source[present]
            for start in range(0, len(frame), self.batch_rows):
                batch = frame.iloc[start : start + self.batch_rows]
                yield batch.set_axis(pd.RangeIndex(start, start + len(batch)))
            return
        yield from parquet_frames(self.source, present, self.batch_rows)


def history_rows(folder: Path, batch_rows: int = BATCH_ROWS) -> dict[str, TableRows]:
    """The tables of a history release as written to ``folder``, read as the page needs."""
    return {name: TableRows(folder / f"{name}.parquet", batch_rows) for name in HISTORY_TABLES}


def as_table_rows(table: pd.DataFrame | TableRows) -> TableRows:
    return table if isinstance(table, TableRows) else TableRows(table)


@dataclass
class RevisionSummary:
    """What the page says of the revisions: how many, from when to when, counts by status
    and reason, and the first of those left out of the timelines (with their detail)."""

    count: int
    first_time: Any  # a timestamp in UTC, NaT without revisions
    last_time: Any
    by_status: dict[tuple[str, str], int]  # (status, reason or "") -> revisions
    left_out: list[dict[str, Any]]  # by timestamp then revid, at most max_listed
    left_out_count: int


def summarise_revisions(rows: TableRows, max_listed: int = MAX_LISTED_REVISIONS) -> RevisionSummary:
    """Two passes over the revisions: counts, time range and the first ``max_listed``
    left-out revisions; then the detail of those only (most revisions carry a long note the
    page does not show)."""
    count, by_status = 0, Counter()
    first = last = pd.NaT
    kept = pd.DataFrame()
    left_out_count = 0
    for batch in rows.batches(["revid", "parentid", "timestamp", "status", "reason"]):
        count += len(batch)
        first = min(
            (t for t in (first, batch["timestamp"].min()) if not is_missing(t)), default=first
        )
        last = max((t for t in (last, batch["timestamp"].max()) if not is_missing(t)), default=last)
        stated = batch[batch["status"].notna()]
        reasons = stated["reason"].astype(object).where(stated["reason"].notna(), "")
        by_status.update(zip(stated["status"].tolist(), reasons.tolist(), strict=True))
        left_out = batch[batch["status"].isin(LEFT_OUT)]
        left_out_count += len(left_out)
        if not left_out.empty:
            both = left_out if kept.empty else pd.concat([kept, left_out])
            kept = both.sort_values(["timestamp", "revid"], kind="stable").head(max_listed)
    listed = kept.to_dict("index")
    missing_detail = set(listed)
    for batch in rows.batches(["detail"]) if listed else ():
        for position in batch.index.intersection(list(missing_detail)):
            listed[position]["detail"] = batch.at[position, "detail"]
            missing_detail.discard(position)
        if not missing_detail:
            break
    return RevisionSummary(
        count,
        as_utc(first),
        as_utc(last),
        dict(by_status),
        [listed[p] for p in kept.index],
        left_out_count,
    )


def is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and value != value


def as_utc(moment: Any) -> Any:
    """A timestamp in UTC (one without a zone is taken to be UTC); NaT for none."""
    if is_missing(moment):
        return pd.NaT
    moment = pd.Timestamp(moment)
    return moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")


def _dated_columns(table: Table) -> list[str]:
    """The date columns printed at their stated precision, and those precisions."""
    dated = [c.name for c in table.columns if precision_column(table, c.name)]
    return [*dated, *(precision_column(table, c) for c in dated)]


def precision_column(table: Table, column: str) -> str | None:
    name = f"{column}_precision"
    return name if name in table.column_names else None


def stated_value(table: Table, column: str, row: Mapping[str, Any]) -> str:
    """A claim's value as the page prints it: a date at the precision its row gives."""
    value = row.get(column)
    declared = table.column(column)
    if declared.type == "date":
        precision = precision_column(table, column)
        return format_date(value, row.get(precision) if precision else "day")
    if isinstance(value, list | tuple) or getattr(value, "ndim", 0) == 1:  # a list column
        return "; ".join(str(v) for v in list(value))
    return "" if is_missing(value) else str(value)


@dataclass
class Period:
    """Consecutive spans of one claim that state the same timeline values."""

    from_revid: int
    from_time: pd.Timestamp
    to_revid: int | None  # the first revision stating otherwise; None while still stated
    to_time: pd.Timestamp | None
    values: dict[str, str]  # column -> the value as printed
    changed: set[str] = field(default_factory=set)  # columns that differ from the period before
    gap_before: bool = False  # the claim was not stated between the previous period and this


@dataclass
class ClaimTimeline:
    claim_key: str
    label: str
    periods: list[Period]  # the first ``keep`` of designation_timelines
    period_count: int  # all of them
    date_changes: int  # periods, after the first, that differ from the one before
    still_stated: bool  # the last period is open


def designation_timelines(
    spans: pd.DataFrame | TableRows, keep: int | None = None
) -> list[ClaimTimeline]:
    """Per designation claim (in key order), the periods of what the article stated for
    TIMELINE_COLUMNS. Spans that only differ elsewhere (citations, wording) are one period;
    a claim removed and stated again has a gap between two periods. Only the first ``keep``
    periods of a claim are kept (all when None), the others counted: a long history has
    thousands, and the page shows a bounded number.

    Two passes over the spans: their order (by claim, valid_from, valid_from_revid), then
    their stated values, each kept as a few numbers a span; only kept periods become
    objects."""
    rows = as_table_rows(spans)
    order, group_ends, keys = _span_order(rows)
    if not keys:
        return []
    table = TABLES[TIMELINE_TABLE]
    size = len(rows)
    from_revid = np.full(size, NO_REVID, dtype=np.int64)
    to_revid = np.full(size, NO_REVID, dtype=np.int64)
    from_time = np.full(size, NAT, dtype=np.int64)
    to_time = np.full(size, NAT, dtype=np.int64)
    value_id = np.zeros(size, dtype=np.int64)
    stated: dict[tuple[str, ...], int] = {}  # the distinct TIMELINE_COLUMNS values
    last_rows = set(order[group_ends - 1].tolist())
    labels: dict[int, str] = {}
    columns = [
        "valid_from_revid",
        "valid_from",
        "valid_to_revid",
        "valid_to",
        "authority",
        "regime",
        *TIMELINE_COLUMNS,
        *filter(None, (precision_column(table, c) for c in TIMELINE_COLUMNS)),
    ]
    for batch in rows.batches(columns):
        at = batch.index.to_numpy()
        from_revid[at] = _revids(batch["valid_from_revid"])
        to_revid[at] = _revids(batch["valid_to_revid"])
        from_time[at] = _microseconds(batch["valid_from"])
        to_time[at] = _microseconds(batch["valid_to"])
        for position, row in zip(at.tolist(), batch.to_dict("records"), strict=True):
            values = tuple(stated_value(table, c, row) for c in TIMELINE_COLUMNS)
            value_id[position] = stated.setdefault(values, len(stated))
            if position in last_rows:
                labels[position] = str(row["authority"]) + (
                    f" ({row['regime']})" if not is_missing(row.get("regime")) else ""
                )
    distinct = list(stated)
    timelines = []
    bounds = zip((0, *group_ends[:-1].tolist()), group_ends.tolist(), keys, strict=True)
    for begin, end, key in bounds:
        kept: list[Period] = []
        last: Period | None = None
        last_values = -1
        count = changes = 0
        positions = order[begin:end].tolist()
        for position in positions:
            start, until = int(from_revid[position]), _revid(to_revid[position])
            ended = _moment_of(to_time[position]) if until else None
            contiguous = last is not None and last.to_revid == start
            if contiguous and last_values == value_id[position]:
                last.to_revid, last.to_time = until, ended
                continue
            values = dict(zip(TIMELINE_COLUMNS, distinct[value_id[position]], strict=True))
            changed = {c for c in TIMELINE_COLUMNS if last and last.values[c] != values[c]}
            last = Period(
                start,
                _moment_of(from_time[position]),
                until,
                ended,
                values,
                changed=changed,
                gap_before=last is not None and not contiguous,
            )
            last_values = value_id[position]
            count += 1
            changes += bool(changed)
            if keep is None or len(kept) < keep:
                kept.append(last)
        still_stated = last is not None and last.to_revid is None
        timelines.append(
            ClaimTimeline(str(key), labels[positions[-1]], kept, count, changes, still_stated)
        )
    return timelines


# A span's revids and times as int64 (times in microseconds: they cover any millisecond
# timestamp a file holds, which nanoseconds do not); these stand for none. A missing start
# sorts after every other, as pandas sorts missing values.
NO_REVID = NAT = np.iinfo(np.int64).min


LAST = np.iinfo(np.int64).max


def _revids(values: pd.Series) -> np.ndarray:
    return np.array([NO_REVID if is_missing(v) else int(v) for v in values.tolist()], np.int64)


def _microseconds(times: pd.Series) -> np.ndarray:
    """Timestamps as microseconds since the epoch (NAT for none), whatever their unit."""
    return pd.DatetimeIndex(pd.to_datetime(times, utc=True)).as_unit("us").asi8.copy()


def _moment_of(microseconds: int) -> pd.Timestamp:
    return pd.NaT if microseconds == NAT else pd.Timestamp(int(microseconds), unit="us", tz="UTC")


def _revid(value: int) -> int | None:
    return None if value == NO_REVID else int(value)


def _span_order(rows: TableRows) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The spans' positions ordered by claim key, valid_from, valid_from_revid (then
    position); where each claim's spans end in that order; and the claim keys, in order."""
    codes: dict[str, int] = {}
    parts: list[tuple[np.ndarray, ...]] = []
    for batch in rows.batches(["claim_key", "valid_from", "valid_from_revid"]):
        batch = batch[batch["claim_key"].notna()]  # no claim to put the span in
        keys = [codes.setdefault(k, len(codes)) for k in batch["claim_key"].tolist()]
        starts = _microseconds(batch["valid_from"])
        starts[starts == NAT] = LAST
        revids = batch["valid_from_revid"].to_numpy(dtype="float64", na_value=np.inf)
        parts.append((np.array(keys, dtype=np.int64), starts, revids, batch.index.to_numpy()))
    if not parts:
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64), []
    keys, starts, revids, positions = (
        np.concatenate(column) for column in zip(*parts, strict=True)
    )
    names = sorted(codes)
    rank = np.empty(len(codes), dtype=np.int64)
    rank[[codes[name] for name in names]] = np.arange(len(names))
    order = np.lexsort((positions, revids, starts, rank[keys]))
    ranks = rank[keys][order]
    ends = np.append(np.flatnonzero(np.diff(ranks)) + 1, len(order))
    return positions[order], ends, names


def period_allowance(counts: list[int], per_claim: int, total: int) -> list[int]:
    """How many periods each timeline shows, for timelines of ``counts`` periods: at most
    ``per_claim`` each and ``total`` in all, in equal shares, a timeline with fewer than its
    share leaving the rest to the others (the shortest are served first)."""
    allowed = [0] * len(counts)
    left = total
    by_length = sorted(range(len(counts)), key=lambda i: counts[i])
    for served, index in enumerate(by_length):
        share = left // (len(counts) - served)
        allowed[index] = min(counts[index], per_claim, share)
        left -= allowed[index]
    return allowed


RECORD_STATES = {1: "agrees", 0: "disagrees", -1: "no record to compare"}


@dataclass
class AgreementPeriod:
    """Consecutive spans of one designation whose dates agreed (or not) with the record."""

    state: str  # a value of RECORD_STATES
    from_revid: int
    from_time: pd.Timestamp
    to_revid: int | None
    to_time: pd.Timestamp | None
    gap_before: bool = False


def record_agreement(
    spans: pd.DataFrame | TableRows, keep: int | None = None
) -> list[tuple[str, str, list[AgreementPeriod], int]]:
    """Per designation claim that ever had a record to compare (in key order): its label, the
    periods in which the article's dates agreed or disagreed with the official record
    (record_agrees), the first ``keep`` of them, and how often the verdict changed."""
    rows = as_table_rows(spans)
    order, group_ends, keys = _span_order(rows)
    if not keys:
        return []
    size = len(rows)
    from_revid = np.full(size, NO_REVID, dtype=np.int64)
    to_revid = np.full(size, NO_REVID, dtype=np.int64)
    from_time = np.full(size, NAT, dtype=np.int64)
    to_time = np.full(size, NAT, dtype=np.int64)
    state = np.full(size, -1, dtype=np.int8)
    labels: dict[int, str] = {}
    columns = ["valid_from_revid", "valid_from", "valid_to_revid", "valid_to"]
    for batch in rows.batches([*columns, "authority", "regime", "record_agrees"]):
        if "record_agrees" not in batch.columns:
            return []  # a history from before the record
        at = batch.index.to_numpy()
        from_revid[at] = _revids(batch["valid_from_revid"])
        to_revid[at] = _revids(batch["valid_to_revid"])
        from_time[at] = _microseconds(batch["valid_from"])
        to_time[at] = _microseconds(batch["valid_to"])
        state[at] = [-1 if is_missing(v) else int(bool(v)) for v in batch["record_agrees"]]
        for position, row in zip(at.tolist(), batch.to_dict("records"), strict=True):
            labels[position] = str(row["authority"]) + (
                f" ({row['regime']})" if not is_missing(row.get("regime")) else ""
            )
    claims = []
    bounds = zip((0, *group_ends[:-1].tolist()), group_ends.tolist(), keys, strict=True)
    for begin, end, key in bounds:
        positions = order[begin:end].tolist()
        if all(state[p] == -1 for p in positions):
            continue
        periods: list[AgreementPeriod] = []
        last: AgreementPeriod | None = None
        changes = 0
        for position in positions:
            start, until = int(from_revid[position]), _revid(to_revid[position])
            verdict = RECORD_STATES[int(state[position])]
            ended = _moment_of(to_time[position]) if until else None
            contiguous = last is not None and last.to_revid == start
            if contiguous and last.state == verdict:
                last.to_revid, last.to_time = until, ended
                continue
            changes += last is not None and last.state != verdict
            last = AgreementPeriod(
                verdict,
                start,
                _moment_of(from_time[position]),
                until,
                ended,
                gap_before=last is not None and not contiguous,
            )
            periods.append(last)
        shown = periods if keep is None else periods[:keep]
        claims.append((str(key), labels[positions[-1]], shown, changes))
    return claims


class SpanLookup:
    """The span a claim had before and after a revision, for printing an event's dates at
    the precision the claim stated them; only for ``events`` (those the page lists: a long
    history has far more spans)."""

    def __init__(self, histories: Mapping[str, TableRows], events: list[Mapping[str, Any]]) -> None:
        self.starting: dict[tuple[str, str, int], dict[str, Any]] = {}
        self.ending: dict[tuple[str, str, int], dict[str, Any]] = {}
        for name in CLAIM_TABLES:
            rows = histories.get(name)
            dated = _dated_columns(TABLES[name])
            named = {(e["claim_key"], int(e["revid"])) for e in events if e["table"] == name}
            if rows is None or not dated or not named:
                continue
            columns = ["claim_key", "valid_from_revid", "valid_to_revid", *dated]
            for frame in rows.batches(columns):
                for column, spans in (
                    ("valid_from_revid", self.starting),
                    ("valid_to_revid", self.ending),
                ):
                    listed = frame[column].notna()
                    pairs = pd.MultiIndex.from_arrays(
                        [frame["claim_key"], frame[column].fillna(-1).astype("int64")]
                    )
                    for row in frame[listed & pairs.isin(list(named))].to_dict("records"):
                        spans[(name, row["claim_key"], int(row[column]))] = row

    def value(self, event: Mapping[str, Any], side: str) -> str:
        text = event["old_value" if side == "old" else "new_value"]
        table, column = event["table"], event["column"]
        if is_missing(text):
            return ""
        declared = TABLES[table]
        if column not in declared.column_names or declared.column(column).type != "date":
            return str(text)
        spans = self.ending if side == "old" else self.starting
        row = spans.get((table, event["claim_key"], int(event["revid"])))
        stated_precision = precision_column(declared, column)
        precision = row.get(stated_precision) if row and stated_precision else "day"
        try:
            return format_date(str(text), precision)
        except ValueError:
            return str(text)


@dataclass
class EventSelection:
    """The events the page shows, and the counts it gives of all of them."""

    count: int
    by_kind: dict[tuple[str, str], int]  # (table, event) -> events
    initial_count: int  # the first revision's claims (events with no base revision)
    initial_by_table: dict[str, int]
    first: dict[str, Any] | None  # the first of those, for its revision
    # Per claim table, in claim key order: (claim key, its later events, those shown).
    listed: dict[str, list[tuple[str, int, list[dict[str, Any]]]]]
    omitted: int
    max_events: int  # the caps it was chosen with, for the page's note
    max_per_claim: int


# A claim as the page orders them: its table's position in CLAIM_TABLES, its key.
Claim = tuple[int, str]


# Sorts before every claim: not even the first can be shown.
NO_CLAIM_SHOWN: Claim = (-1, "")


def select_events(
    rows: TableRows, max_events: int = MAX_EVENTS, max_per_claim: int = MAX_EVENTS_PER_CLAIM
) -> EventSelection:
    """Two passes over the events. The first counts them and keeps, per claim, the
    positions of its first ``max_per_claim`` events in ``seq`` order (a bounded heap); the
    claims share ``max_events`` in table and key order, so a claim sorting after those that
    already fill it can never be shown and is dropped (memory stays about ``max_events``
    positions, however many claims the history has). The second pass takes only the chosen
    rows whole: a long history has far more events, with long values."""
    if max_events < 0 or max_per_claim < 0:
        raise ValueError(f"event caps cannot be negative: {max_events}, {max_per_claim}")
    by_kind: Counter = Counter()
    initial_by_table: Counter = Counter()
    count = initial_count = later_count = 0
    first: tuple[tuple[int, int], int] | None = None  # ((missing seq, seq), position)
    later: dict[Claim, tuple[list[int], list[tuple[int, int, int]]]] = {}
    last_shown: Claim | None = None  # claims after it can no longer be shown
    for batch in rows.batches(["seq", "table", "claim_key", "event", "base_revid"]):
        count += len(batch)
        by_kind.update(zip(batch["table"].tolist(), batch["event"].tolist(), strict=True))
        for position, seq, table, key, initial in zip(
            batch.index.tolist(),
            batch["seq"].tolist(),
            batch["table"].tolist(),
            batch["claim_key"].tolist(),
            batch["base_revid"].isna().tolist(),
            strict=True,
        ):
            order = (1, 0) if is_missing(seq) else (0, int(seq))  # a missing seq sorts last
            if table == "references":  # sources: their own section (pages/history_sources.py)
                continue
            if initial:
                initial_count += 1
                if not is_missing(table):
                    initial_by_table[table] += 1
                first = min(first or (order, position), (order, position))
                continue
            if table not in CLAIM_TABLES or is_missing(key):
                continue
            later_count += 1
            claim = (CLAIM_TABLES.index(table), key)
            if last_shown is not None and claim > last_shown:
                continue
            seen, earliest = later.setdefault(claim, ([0], []))
            seen[0] += 1
            # Negated, so that the heap's top is the latest event kept: an earlier one
            # replaces it.
            kept = (-order[0], -order[1], -position)
            if len(earliest) < max_per_claim:
                heapq.heappush(earliest, kept)
            elif max_per_claim and kept > earliest[0]:
                heapq.heapreplace(earliest, kept)
        last_shown = _drop_unshown_claims(later, max_events) or last_shown
    budget, shown = max_events, 0
    chosen: dict[str, list[tuple[str, int, list[int]]]] = {name: [] for name in CLAIM_TABLES}
    for claim in sorted(later):
        seen, earliest = later[claim]
        positions = [-p for *_, p in sorted(earliest, reverse=True)][:budget]
        budget -= len(positions)
        shown += len(positions)
        chosen[CLAIM_TABLES[claim[0]]].append((claim[1], seen[0], positions))
    wanted = {p for claims in chosen.values() for *_, positions in claims for p in positions}
    if first is not None:
        wanted.add(first[1])
    records: dict[int, dict[str, Any]] = {}
    for batch in rows.batches(HISTORY_TABLES["claim_events"].column_names) if wanted else ():
        records |= batch.loc[batch.index.intersection(list(wanted))].to_dict("index")
    return EventSelection(
        count,
        dict(by_kind),
        initial_count,
        dict(initial_by_table),
        None if first is None else records[first[1]],
        {
            table: [(key, seen, [records[p] for p in positions]) for key, seen, positions in claims]
            for table, claims in chosen.items()
        },
        later_count - shown,
        max_events,
        max_per_claim,
    )


def _drop_unshown_claims(later: dict[Claim, tuple], max_events: int) -> Claim | None:
    """Drop the claims that sort after those whose kept events already fill ``max_events``
    (a claim keeps more events as more are read, never fewer, so a dropped claim stays out);
    the last claim that may still be shown, or None when none was dropped."""
    ordered = sorted(later)
    left = max_events
    for index, claim in enumerate(ordered):
        if left <= 0:
            for unshown in ordered[index:]:
                del later[unshown]
            return ordered[index - 1] if index else NO_CLAIM_SHOWN
        left -= len(later[claim][1])
    return None


# --- sources --------------------------------------------------------------------------

# At most this many revisions that moved sources are listed (the first ones after the first
# revision, which adds every source), with at most MAX_SOURCE_KEYS sources each; at most
# MAX_SOURCE_CLAIMS standing claims get their sources' arrival.
MAX_SOURCE_REVISIONS = 200
MAX_SOURCE_KEYS = 20
MAX_SOURCE_CLAIMS = 300


def source_name(payload: Any) -> str:
    """A source as the page names it: its authors and title from the event's values (a JSON
    object), or nothing."""
    try:
        values = json.loads(payload or "{}")
    except ValueError:
        values = {}
    title = values.get("title") if isinstance(values, dict) else None
    authors = values.get("authors") if isinstance(values, dict) else None
    return " — ".join(str(v) for v in (authors, title) if v)


# A source as a revision moved it: its key, its name (source_name), whether it changed.
MovedSource = tuple[str, str, bool]


def source_moves(
    events: TableRows, first_revid: int | None
) -> tuple[list[tuple[int, list[MovedSource], list[MovedSource]]], int]:
    """(revid, sources added or changed, sources removed) per revision after the first that
    moved a source, the first MAX_SOURCE_REVISIONS of them, and how many there are in all."""
    moves: dict[int, tuple[list[MovedSource], list[MovedSource]]] = {}
    count = 0
    for batch in events.batches(["revid", "table", "claim_key", "event", "old_value", "new_value"]):
        batch = batch[(batch["table"] == "references") & (batch["revid"] != first_revid)]
        for revid, key, kind, old, new in zip(
            batch["revid"].tolist(),
            batch["claim_key"].tolist(),
            batch["event"].tolist(),
            batch["old_value"].tolist(),
            batch["new_value"].tolist(),
            strict=True,
        ):
            if revid not in moves:
                count += 1
                if len(moves) >= MAX_SOURCE_REVISIONS:
                    continue
                moves[revid] = ([], [])
            added, removed = moves[revid]
            if kind == "added" and len(added) < MAX_SOURCE_KEYS:
                added.append((key, source_name(new), False))
            elif kind == "removed" and len(removed) < MAX_SOURCE_KEYS:
                removed.append((key, source_name(old), False))
            elif kind == "changed" and len(added) < MAX_SOURCE_KEYS:
                added.append((key, "", True))
    return [(revid, *moves[revid]) for revid in moves], count


def source_arrivals(
    histories: Mapping[str, TableRows],
) -> list[tuple[str, str, list[tuple[str, int]]]]:
    """(table, claim key, [(source key, revision since which the claim has cited it)]) for
    the standing claims, at most MAX_SOURCE_CLAIMS: a source's arrival is the start of the earliest
    span from which every later span of the claim cites it."""
    result = []
    for table in CLAIM_TABLES:
        spans: dict[str, list[tuple[int, set[str], bool]]] = {}
        for batch in histories[table].batches(
            ["claim_key", "valid_from_revid", "valid_to_revid", "citation_keys"]
        ):
            for key, start, end, cited in zip(
                batch["claim_key"].tolist(),
                batch["valid_from_revid"].tolist(),
                batch["valid_to_revid"].isna().tolist(),
                batch["citation_keys"].tolist(),
                strict=True,
            ):
                spans.setdefault(key, []).append(
                    (int(start), set(cited if cited is not None else ()), end)
                )
        for key in sorted(spans):
            ordered = sorted(spans[key])
            if not ordered[-1][2]:
                continue  # no longer stated
            arrival: dict[str, int] = {}
            for start, cited, _ in ordered:
                arrival = {source: arrival.get(source, start) for source in cited}
            result.append(
                (table, key, sorted(arrival.items(), key=lambda item: (item[1], item[0])))
            )
            if len(result) >= MAX_SOURCE_CLAIMS:
                return result
    return result
