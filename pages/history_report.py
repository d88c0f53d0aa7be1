"""report.html of a history release: the article's claims through time on one page.

Rendered from the release's own Parquet tables while the release is still a staging folder,
so a page that cannot be made stops the publication. Each table is read a batch of rows at a
time (``TableRows``), for what the page shows of it: the page holds a batch, what it lists,
and a few numbers per designation span (to order the timelines), not the tables. It shows

* what was done with each revision (counts by status and reason, the revisions left out);
* per designation claim, a timeline of the dates the article stated (``listed_on``,
  ``delisted_on``, at the precision the text gave) and of its status: consecutive spans that
  state the same are one period, so a date that changed and changed back reads as three
  periods, the first and last alike (the same colour); a long timeline is cut, with a note
  that names ``designations_history.parquet``;
* the changed values of every claim table, grouped by table and claim, each linked to the
  wiki's diff of the revision that made the change; long lists are cut with a note that
  names ``claim_events.parquet``, which holds them all.

Like the release report (pages/release_report.py) it needs nothing from elsewhere: no script, no
image, links to the release's files relative. Article text is untrusted: every value is
escaped, and only http(s) addresses become links.
"""

from __future__ import annotations

import contextlib
import heapq
import html
import json
import urllib.parse
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ingestion.wikipedia import index_url
from pages.history_sources import sources_html
from pages.release_report import PAGE_STYLE, validation_html
from transforms.dates import format_date
from transforms.formats import parquet_frames, parquet_reader
from transforms.schema import (
    CLAIM_TABLES,
    HISTORY_TABLES,
    REVISION_STATUSES,
    TABLES,
    Table,
)

# Revisions that change no claim; the page lists them with their detail.
LEFT_OUT = ("skipped", "failed")
# Rows of a table the page reads at once (TableRows).
BATCH_ROWS = 2_000
EVENTS_FILE = "claim_events.parquet"
# Beyond these the page would stop being read; claim_events.parquet holds every event.
MAX_EVENTS = 2_000
MAX_EVENTS_PER_CLAIM = 100
MAX_PERIODS_PER_CLAIM = 200
# In all the timelines together: each listing gets an equal share, and one with fewer
# periods leaves the rest of its share to the others (period_allowance).
MAX_PERIODS_TOTAL = 1_000
MAX_LISTED_REVISIONS = 200
MAX_VALUES_CHARS = 300
# The designation columns a timeline shows: every date the article states (not the record's,
# which "Against the record" shows), and the status a delisting goes with.
TIMELINE_TABLE = "designations"
TIMELINE_DATES = tuple(
    c.name
    for c in TABLES[TIMELINE_TABLE].columns
    if c.type == "date" and not c.name.startswith("record_")
)
TIMELINE_COLUMNS = (*TIMELINE_DATES, "status")
# Periods stating the same values share a colour (a revert shows the colour it returns to).
PERIOD_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf")

HISTORY_STYLE = """
table.timeline { width: 100%; }
td.bar { width: 35%; padding: 0.35rem 0.5rem; }
td.when { white-space: nowrap; }
td.bar span { display: block; height: 0.8rem; min-width: 2px; }
tr.gap td { color: #57606a; font-style: italic; }
td.changed { background: #fff4d6; font-weight: 600; }
tbody.claim-events th { background: #eef2f6; font-weight: 600; }
.note { color: #57606a; font-size: 0.9rem; }
.muted { color: #57606a; }
nav a { margin-right: 1rem; }
li.record-disagrees strong { color: #b42318; }
li.record-agrees strong { color: #1a7f37; }
"""


# --- reading ----------------------------------------------------------------------------


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


def _as_table_rows(table: pd.DataFrame | TableRows) -> TableRows:
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
            (t for t in (first, batch["timestamp"].min()) if not _missing(t)), default=first
        )
        last = max((t for t in (last, batch["timestamp"].max()) if not _missing(t)), default=last)
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
        _utc(first),
        _utc(last),
        dict(by_status),
        [listed[p] for p in kept.index],
        left_out_count,
    )


# --- values -----------------------------------------------------------------------------


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and value != value


def _e(value: Any) -> str:
    return html.escape("" if _missing(value) else str(value), quote=True)


def _utc(moment: Any) -> Any:
    """A timestamp in UTC (one without a zone is taken to be UTC); NaT for none."""
    if _missing(moment):
        return pd.NaT
    moment = pd.Timestamp(moment)
    return moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")


def _moment(value: Any) -> str:
    """A revision timestamp as people read it (UTC, to the minute)."""
    return "" if _missing(value) else _utc(value).strftime("%Y-%m-%d %H:%M UTC")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _int(value: Any) -> int | None:
    return None if _missing(value) else int(value)


def _dated_columns(table: Table) -> list[str]:
    """The date columns printed at their stated precision, and those precisions."""
    dated = [c.name for c in table.columns if _precision_column(table, c.name)]
    return [*dated, *(_precision_column(table, c) for c in dated)]


def _precision_column(table: Table, column: str) -> str | None:
    name = f"{column}_precision"
    return name if name in table.column_names else None


def stated_value(table: Table, column: str, row: Mapping[str, Any]) -> str:
    """A claim's value as the page prints it: a date at the precision its row gives."""
    value = row.get(column)
    declared = table.column(column)
    if declared.type == "date":
        precision = _precision_column(table, column)
        return format_date(value, row.get(precision) if precision else "day")
    if isinstance(value, list | tuple) or getattr(value, "ndim", 0) == 1:  # a list column
        return "; ".join(str(v) for v in list(value))
    return "" if _missing(value) else str(value)


# --- links to the wiki ------------------------------------------------------------------


@dataclass(frozen=True)
class WikiLinks:
    """Addresses on the wiki the history was read from; None when it is no http(s) wiki."""

    index: str | None
    history: str | None

    @classmethod
    def of(cls, source: Mapping[str, Any]) -> WikiLinks:
        api = str(source.get("api") or "")
        index = index_url(api) if _is_web(api) else None
        history = source.get("history")
        return cls(index, str(history) if _is_web(history) else None)

    def revision(self, revid: int) -> str | None:
        return f"{self.index}?oldid={revid}" if self.index else None

    def diff(self, revid: int, parentid: int | None) -> str | None:
        """The diff a revision made; a revision without a parent is shown whole."""
        if not self.index:
            return None
        if not parentid:
            return self.revision(revid)
        return f"{self.index}?diff={revid}&oldid={parentid}"


def _is_web(url: Any) -> bool:
    return isinstance(url, str) and urllib.parse.urlsplit(url).scheme.lower() in ("http", "https")


def _link(url: str | None, text: Any, css: str | None = None) -> str:
    """A link when there is an address, else the text alone (both escaped)."""
    if not url:
        return _e(text)
    attribute = f' class="{css}"' if css else ""
    return f'<a{attribute} href="{_e(url)}" rel="noreferrer">{_e(text)}</a>'


def _local(path: str, text: str | None = None) -> str:
    """A relative link to a file of the release."""
    return f'<a href="{_e(urllib.parse.quote(path))}">{_e(text or path)}</a>'


# --- designation timelines --------------------------------------------------------------


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
    rows = _as_table_rows(spans)
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
        *filter(None, (_precision_column(table, c) for c in TIMELINE_COLUMNS)),
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
                    f" ({row['regime']})" if not _missing(row.get("regime")) else ""
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
    return np.array([NO_REVID if _missing(v) else int(v) for v in values.tolist()], np.int64)


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


def _bar(period: Period, start: pd.Timestamp, end: pd.Timestamp, colour: str) -> str:
    """The period as a bar over the history's time range (CSS only)."""
    total = (end - start).total_seconds()
    until = period.to_time if period.to_time is not None else end
    if total <= 0:
        left, width = 0.0, 100.0
    else:
        left = 100 * (period.from_time - start).total_seconds() / total
        width = 100 * (until - period.from_time).total_seconds() / total
    left = min(max(left, 0.0), 100.0)
    width = min(max(width, 0.0), 100.0 - left)
    return (
        f'<td class="bar"><span style="margin-left:{left:.2f}%;width:{width:.2f}%;'
        f'background:{colour}"></span></td>'
    )


def _timeline_html(
    timeline: ClaimTimeline,
    anchor_id: str,
    links: WikiLinks,
    span: tuple[pd.Timestamp, pd.Timestamp],
    shown_periods: int,
) -> str:
    colours: dict[tuple, str] = {}
    head = "".join(f"<th>{_e(c)}</th>" for c in TIMELINE_COLUMNS)
    rows = []
    shown = timeline.periods[:shown_periods]
    for index, period in enumerate(shown):
        if period.gap_before:
            previous = shown[index - 1]
            rows.append(
                f'<tr class="gap"><td class="when">{_e(_moment(previous.to_time))}<br>'
                f"{_link(links.revision(previous.to_revid), previous.to_revid)}</td>"
                f'<td class="when">{_e(_moment(period.from_time))}<br>'
                f"{_link(links.revision(period.from_revid), period.from_revid)}</td><td></td>"
                f'<td colspan="{len(TIMELINE_COLUMNS)}">not stated</td></tr>'
            )
        key = tuple(period.values[c] for c in TIMELINE_COLUMNS)
        colour = colours.setdefault(key, PERIOD_COLOURS[len(colours) % len(PERIOD_COLOURS)])
        until = '<span class="muted">still stated</span>'
        if period.to_revid is not None:
            until = f"{_e(_moment(period.to_time))}<br>"
            until += _link(links.revision(period.to_revid), period.to_revid)
        cells = "".join(
            f'<td data-column="{_e(c)}"'
            + (
                f' class="changed" title="was {_e(shown[index - 1].values[c] or "not given")}"'
                if c in period.changed and index
                else ""
            )
            + f">{_e(period.values[c])}</td>"
            for c in TIMELINE_COLUMNS
        )
        rows.append(
            f'<tr class="period" data-from-revid="{period.from_revid}">'
            f'<td class="when">{_e(_moment(period.from_time))}<br>'
            f"{_link(links.revision(period.from_revid), period.from_revid)}</td>"
            f'<td class="when">{until}</td>{_bar(period, *span, colour)}{cells}</tr>'
        )
    cut = timeline.period_count - len(shown)
    note = (
        f'<p class="note">{cut} later periods are not shown; '
        f"{_local(f'{TIMELINE_TABLE}_history.parquet')} holds every span.</p>"
        if cut
        else ""
    )
    return (
        f'<section class="claim" id="{anchor_id}" data-claim-key="{_e(timeline.claim_key)}">'
        f"<h3>{_e(timeline.label)} <code>{_e(timeline.claim_key)}</code></h3>"
        '<table class="timeline"><thead><tr><th>stated from</th><th>until</th>'
        f"<th>over the history</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f"{note}</section>"
    )


def timelines_html(
    spans: pd.DataFrame | TableRows,
    time_range: tuple[Any, Any],
    links: WikiLinks,
    max_periods: int = MAX_PERIODS_PER_CLAIM,
    max_periods_total: int = MAX_PERIODS_TOTAL,
) -> str:
    """The designation timelines, their bars drawn over ``time_range`` (the first and
    last revisions' timestamps, in UTC)."""
    timelines = designation_timelines(spans, keep=max_periods)
    if not timelines:
        return "<h2 id='timelines'>Designations through time</h2><p>No designation stated.</p>"
    summary = "".join(
        f'<tr><td><a href="#claim-{index}">{_e(t.label)}</a></td><td><code>'
        f"{_e(t.claim_key)}</code></td><td>{t.period_count}</td><td>{t.date_changes}</td>"
        f"<td>{'still stated' if t.still_stated else 'no longer stated'}</td></tr>"
        for index, t in enumerate(timelines)
    )
    allowed = period_allowance([t.period_count for t in timelines], max_periods, max_periods_total)
    sections = "".join(
        _timeline_html(t, f"claim-{index}", links, time_range, shown)
        for index, (t, shown) in enumerate(zip(timelines, allowed, strict=True))
    )
    cut = sum(t.period_count for t in timelines) - sum(allowed)
    cut_note = (
        f'<p class="note" id="periods-cut">{cut} periods are not shown to keep this page '
        f"readable (the first {max_periods} of a listing at most and {max_periods_total} in "
        f"all, shared equally); {_local(f'{TIMELINE_TABLE}_history.parquet')} holds every "
        "span.</p>"
        if cut
        else ""
    )
    columns = ", ".join(f"<code>{c}</code>" for c in TIMELINE_COLUMNS)
    return (
        "<h2 id='timelines'>Designations through time</h2>"
        f"<p>For each listing, what the article stated for {columns} from revision to "
        "revision, dates at the precision the text gave. Spans that differ only in other "
        "columns (citations, wording) are one period; a value that differs from the period "
        "before is highlighted (hover for the value it replaced); periods that state the same "
        "share a bar colour, so a date changed and changed back shows the first colour again. "
        f"The bars run over the revisions in range, {_e(_moment(time_range[0]))} to "
        f"{_e(_moment(time_range[1]))}.</p>"
        "<table><thead><tr><th>listing</th><th>claim key</th><th>periods</th>"
        f"<th>changes</th><th>now</th></tr></thead><tbody>{summary}</tbody></table>"
        f"{cut_note}{sections}"
    )


# --- against the record -----------------------------------------------------------------

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
    rows = _as_table_rows(spans)
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
        state[at] = [-1 if _missing(v) else int(bool(v)) for v in batch["record_agrees"]]
        for position, row in zip(at.tolist(), batch.to_dict("records"), strict=True):
            labels[position] = str(row["authority"]) + (
                f" ({row['regime']})" if not _missing(row.get("regime")) else ""
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


def record_agreement_html(
    spans: pd.DataFrame | TableRows, links: WikiLinks, max_periods: int = MAX_PERIODS_PER_CLAIM
) -> str:
    """'Against the record': per designation, in which revision spans the article's dates
    agreed with the official record, and when that changed."""
    claims = record_agreement(spans, keep=max_periods)
    intro = (
        "<h2 id='record'>Against the record</h2><p>For each designation the official record "
        "(<code>official_acts</code>) covers: the revisions in which the article's dates "
        "agreed with it at the article's precision, and when that changed "
        "(<code>record_agrees</code> in <code>designations_history</code>; each change is a "
        "claim event of that column).</p>"
    )
    if not claims:
        return intro + "<p>No designation had a record to compare.</p>"
    rows = []
    for key, label, periods, changes in claims:
        cells = []
        for period in periods:
            until = "still stated"
            if period.to_revid is not None:
                until = f"{_e(_moment(period.to_time))} " + _link(
                    links.revision(period.to_revid), period.to_revid
                )
            gap = " <span class='muted'>(after a gap)</span>" if period.gap_before else ""
            css = period.state.replace(" ", "-")
            cells.append(
                f"<li class='record-{css}'><strong>{_e(period.state)}</strong> from "
                f"{_e(_moment(period.from_time))} "
                f"{_link(links.revision(period.from_revid), period.from_revid)} until "
                f"{until}{gap}</li>"
            )
        rows.append(
            f"<tr data-claim-key='{_e(key)}'><td>{_e(label)} <code>{_e(key)}</code></td>"
            f"<td>{changes}</td><td><ul>{''.join(cells)}</ul></td></tr>"
        )
    return (
        intro + "<table id='record-agreement'><thead><tr><th>listing</th><th>verdict "
        "changes</th><th>periods</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


# --- claim events -----------------------------------------------------------------------


class _SpanLookup:
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
        if _missing(text):
            return ""
        declared = TABLES[table]
        if column not in declared.column_names or declared.column(column).type != "date":
            return str(text)
        spans = self.ending if side == "old" else self.starting
        row = spans.get((table, event["claim_key"], int(event["revid"])))
        precision_column = _precision_column(declared, column)
        precision = row.get(precision_column) if row and precision_column else "day"
        try:
            return format_date(str(text), precision)
        except ValueError:
            return str(text)


def _values_summary(table: str, text: Any) -> str:
    """An added or removed claim's values (a JSON object) as ``column: value`` pairs."""
    if _missing(text):
        return ""
    try:
        values = json.loads(str(text))
    except ValueError:
        return str(text)[:MAX_VALUES_CHARS]
    if not isinstance(values, dict):
        return str(text)[:MAX_VALUES_CHARS]
    declared = TABLES[table]
    pieces = []
    for column, value in values.items():
        if value in (None, "") or column.endswith("_precision"):
            continue
        shown = value
        if column in declared.column_names and declared.column(column).type == "date":
            precision = _precision_column(declared, column)
            with contextlib.suppress(ValueError):
                shown = format_date(str(value), values.get(precision) if precision else "day")
        pieces.append(f"{column}: {shown}")
    summary = "; ".join(pieces)
    return summary if len(summary) <= MAX_VALUES_CHARS else summary[:MAX_VALUES_CHARS] + "…"


def _revision_cell(event: Mapping[str, Any], links: WikiLinks) -> str:
    revid, parent = int(event["revid"]), _int(event.get("parentid"))
    cell = _link(links.diff(revid, parent), revid, "diff")
    base = _int(event.get("base_revid"))
    if base and parent and base != parent and links.index:
        # Skipped or failed revisions lie between: the change is against the base.
        cell += (
            f' <span class="muted">(compared with '
            f"{_link(links.diff(revid, base), base, 'base-diff')})</span>"
        )
    return cell


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
            order = (1, 0) if _missing(seq) else (0, int(seq))  # a missing seq sorts last
            if table == "references":  # sources: their own section (storage/history_sources)
                continue
            if initial:
                initial_count += 1
                if not _missing(table):
                    initial_by_table[table] += 1
                first = min(first or (order, position), (order, position))
                continue
            if table not in CLAIM_TABLES or _missing(key):
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


def events_html(
    selection: EventSelection, histories: Mapping[str, TableRows], links: WikiLinks
) -> str:
    """Counts of every event; the first revision's claims in one line; then the changed
    values and the claims added or removed later, by table and claim, cut where the page
    would grow past reading (``select_events``)."""
    parts = ["<h2 id='events'>Changed values</h2>"]
    if not selection.count:
        return parts[0] + "<p>No claim was stated in any revision read.</p>"
    kinds = ("added", "changed", "removed")
    count_rows = "".join(
        f"<tr><td><code>{_e(t)}</code></td>"
        + "".join(f'<td class="num">{int(selection.by_kind.get((t, k), 0))}</td>' for k in kinds)
        + "</tr>"
        for t in CLAIM_TABLES
    )
    parts.append(
        "<table><thead><tr><th>table</th>"
        + "".join(f"<th>{k}</th>" for k in kinds)
        + f"</tr></thead><tbody>{count_rows}</tbody></table>"
    )
    first = selection.first
    if first is not None:
        first_link = _link(
            links.diff(int(first["revid"]), _int(first["parentid"])), first["revid"], "diff"
        )
        initial = selection.initial_by_table
        parts.append(
            f'<p id="initial-claims">The first revision read, {first_link}'
            f" ({_e(_moment(first['timestamp']))}), states {selection.initial_count} claims ("
            + ", ".join(f"{_e(t)} {n}" for t, n in sorted(initial.items()))
            + "); they are the first spans of the timelines and are not listed here.</p>"
        )
    listed = selection.listed
    lookup = _SpanLookup(
        histories, [e for claims in listed.values() for *_, s in claims for e in s]
    )
    for name, claims in listed.items():
        if not any(shown for *_, shown in claims):  # a heading over an empty table says nothing
            continue
        groups = []
        for key, count, shown in claims:
            if not shown:
                continue
            cut = count - len(shown)
            rows = "".join(_event_row(name, e, lookup, links) for e in shown)
            note = (
                f'<tr class="cut"><td colspan="5" class="note">{cut} more events of this claim '
                f"are in {_local(EVENTS_FILE)}.</td></tr>"
                if cut
                else ""
            )
            groups.append(
                f'<tbody class="claim-events" data-claim-key="{_e(key)}">'
                f'<tr><th colspan="5"><code>{_e(key)}</code> ({_count(count, "event")})'
                "</th></tr>"
                f"{rows}{note}</tbody>"
            )
        parts.append(
            f"<h3><code>{_e(name)}</code></h3>"
            '<table class="events"><thead><tr><th>what</th><th>before</th><th>after</th>'
            f"<th>saved</th><th>revision (diff)</th></tr></thead>{''.join(groups)}</table>"
        )
    if selection.omitted:
        parts.append(
            f'<p class="note" id="events-cut">{selection.omitted} events are not listed to '
            f"keep this page readable (at most {selection.max_per_claim} per claim and "
            f"{selection.max_events} in all); {_local(EVENTS_FILE)} holds every one, e.g. "
            f"<code>SELECT * FROM '{EVENTS_FILE}' WHERE claim_key = '…' ORDER BY seq</code> "
            "in DuckDB.</p>"
        )
    return "".join(parts)


def _event_row(table: str, event: Mapping[str, Any], lookup: _SpanLookup, links: WikiLinks) -> str:
    kind = event["event"]
    if kind == "changed":
        what = f"<code>{_e(event['column'])}</code>"
        before, after = lookup.value(event, "old"), lookup.value(event, "new")
    elif kind == "added":
        what, before, after = "added", "", _values_summary(table, event["new_value"])
    else:
        what, before, after = "removed", _values_summary(table, event["old_value"]), ""
    return (
        f'<tr class="event" data-seq="{int(event["seq"])}" data-event="{_e(kind)}">'
        f"<td>{what}</td><td>{_e(before)}</td><td>{_e(after)}</td>"
        f'<td class="when">{_e(_moment(event["timestamp"]))}</td>'
        f"<td>{_revision_cell(event, links)}</td></tr>"
    )


# --- revisions --------------------------------------------------------------------------


def revisions_html(summary: RevisionSummary, links: WikiLinks) -> str:
    """Counts by status and reason, then the revisions left out of the timelines."""
    order = {s: i for i, s in enumerate(REVISION_STATUSES)}
    rows = "".join(
        f"<tr><td>{_e(status)}</td><td>{_e(reason)}</td><td class='num'>{int(n)}</td></tr>"
        for (status, reason), n in sorted(
            summary.by_status.items(),
            key=lambda item: (order.get(item[0][0], 99), item[0][1], item[0][0]),
        )
    )
    meaning = html.escape(HISTORY_TABLES["revisions"].column("status").description)
    parts = [
        "<h2 id='revisions'>Revisions</h2>",
        f"<p>{summary.count} revisions in range. Status: {meaning}</p>",
        "<table><thead><tr><th>status</th><th>reason</th><th>revisions</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>",
    ]
    if summary.left_out_count:
        body = "".join(
            f'<tr class="left-out" data-revid="{int(r["revid"])}">'
            f"<td>{_link(links.diff(int(r['revid']), _int(r['parentid'])), r['revid'], 'diff')}"
            f'</td><td class="when">{_e(_moment(r["timestamp"]))}</td><td>{_e(r["status"])}</td>'
            f"<td>{_e(r['reason'])}</td><td>{_e(r.get('detail'))}</td></tr>"
            for r in summary.left_out
        )
        cut = summary.left_out_count - len(summary.left_out)
        parts.append(
            "<h3>Left out of the timelines</h3><p>Skipped and failed revisions change no "
            "claim: the next good revision is compared with the last good one.</p>"
            "<table><thead><tr><th>revision (diff)</th><th>saved</th><th>status</th>"
            f"<th>reason</th><th>detail</th></tr></thead><tbody>{body}</tbody></table>"
            + (
                f'<p class="note">{cut} more are in {_local("revisions.parquet")}.</p>'
                if cut
                else ""
            )
        )
    return "".join(parts)


# --- the page ---------------------------------------------------------------------------


def _source_html(run: Mapping[str, Any], links: WikiLinks, revisions: RevisionSummary) -> str:
    source = run.get("source") or {}
    title = source.get("title") or "the article"
    first, last = _int(source.get("first_revid")), _int(source.get("last_revid"))
    asked = [
        f"{word} {_e(source[key])}"
        for key, word in (("since", "since"), ("until", "until"), ("limit", "at most"))
        if source.get(key) not in (None, "")
    ]
    history = _link(links.history, "page history")
    return (
        f"<p id='source-history'>Every revision of the Wikipedia article &ldquo;{_e(title)}"
        f"&rdquo; in range ({'; '.join(asked) if asked else 'the whole history'}): "
        f"{revisions.count} revisions, from "
        f"{_link(links.revision(first) if first else None, first)}"
        f" ({_e(_moment(revisions.first_time))}) to "
        f"{_link(links.revision(last) if last else None, last)}"
        f" ({_e(_moment(revisions.last_time))}), read through "
        f"<code>{_e(source.get('api'))}</code>. Text by Wikipedia contributors (see the "
        f"{history}), licensed under <a href='https://creativecommons.org/licenses/by-sa/4.0/'>"
        "CC BY-SA 4.0</a>; the datasets are adapted from it under the same licence.</p>"
    )


def _contents_html(tables: Mapping[str, TableRows]) -> str:
    rows = "".join(
        f"<tr><td>{_local(f'{name}.parquet')}</td><td class='num'>{len(tables[name])}</td>"
        f"<td>{_e(table.description)}</td></tr>"
        for name, table in HISTORY_TABLES.items()
    )
    return (
        "<h2 id='contents'>Contents</h2><table><thead><tr><th>table</th><th>rows</th>"
        f"<th>one row per</th></tr></thead><tbody>{rows}</tbody></table>"
        f"<p>Also: {_local('datapackage.json')} (every column described), "
        f"{_local('validation.json')} and <code>SHA256SUMS</code>.</p>"
    )


def checks_html(validation: Mapping[str, Any]) -> str:
    """The history checks (spans, references, replay) and any suites the report carries."""
    checks = validation.get("checks") or {}
    verdict = "ok" if validation.get("success") else "failed"
    rows = "".join(
        f"<tr><td><code>{_e(name)}</code></td>"
        f"<td class='{'ok' if check.get('success') else 'failed'}'>"
        f"{'passed' if check.get('success') else 'failed'}</td>"
        f"<td>{_e('; '.join(str(p) for p in (check.get('problems') or [])[:20]))}</td></tr>"
        for name, check in checks.items()
    )
    parts = [
        "<h2 id='validation'>Validation</h2>",
        f"<p class='{verdict}'>{'passed' if verdict == 'ok' else 'failed'}</p>",
    ]
    if checks:
        parts.append(
            "<table><thead><tr><th>check</th><th>result</th><th>problems</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )
    if validation.get("suites"):
        parts.append(validation_html(validation).removeprefix("<h2>Validation</h2>"))
    return "".join(parts)


def render_history_report(
    tables: Mapping[str, pd.DataFrame | TableRows],
    version: str,
    run: Mapping[str, Any],
    validation: Mapping[str, Any],
    *,
    max_events: int = MAX_EVENTS,
    max_events_per_claim: int = MAX_EVENTS_PER_CLAIM,
    max_periods: int = MAX_PERIODS_PER_CLAIM,
    max_periods_total: int = MAX_PERIODS_TOTAL,
    max_listed_revisions: int = MAX_LISTED_REVISIONS,
) -> str:
    """The page for a history release's tables (``history_rows`` of its folder, or frames)
    and its run record (``run`` as in history/index.json: the source's title, API, history
    page, range). Each table is read a batch at a time for what the page shows of it."""
    links = WikiLinks.of(run.get("source") or {})
    rows = {name: _as_table_rows(tables[name]) for name in HISTORY_TABLES}
    revisions = summarise_revisions(rows["revisions"], max_listed_revisions)
    histories = {name: rows[f"{name}_history"] for name in CLAIM_TABLES}
    events = select_events(rows["claim_events"], max_events, max_events_per_claim)
    title = f"mekdata history release {version}"
    nav = "".join(
        f'<a href="#{anchor}">{text}</a>'
        for anchor, text in (
            ("contents", "Contents"),
            ("revisions", "Revisions"),
            ("timelines", "Designations through time"),
            ("record", "Against the record"),
            ("events", "Changed values"),
            ("sources", "Sources"),
            ("validation", "Validation"),
        )
    )
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{_e(title)}</title>",
        f"<style>{PAGE_STYLE}{HISTORY_STYLE}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        "<p>The claims of the Wikipedia article on the People's Mojahedin Organization of Iran "
        "through its revisions: each designation, election result and size estimate with the "
        "span of revisions that stated it, and every change between them.</p>",
        _source_html(run, links, revisions),
        f"<nav>{nav}</nav>",
        _contents_html(rows),
        revisions_html(revisions, links),
        timelines_html(
            histories[TIMELINE_TABLE],
            (revisions.first_time, revisions.last_time),
            links,
            max_periods,
            max_periods_total,
        ),
        record_agreement_html(histories[TIMELINE_TABLE], links, max_periods),
        events_html(events, histories, links),
        sources_html(
            rows["claim_events"],
            histories,
            _int((run.get("source") or {}).get("first_revid")),
            links.revision,
        ),
        checks_html(validation),
        "</body></html>",
    ]
    return "\n".join(parts)
