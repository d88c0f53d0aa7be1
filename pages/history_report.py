"""report.html of a history release: the article's claims through time on one page.

Rendered from the release's own Parquet tables while the release is still a staging folder,
so a page that cannot be made stops the publication. What it shows is computed, a batch of
rows at a time, by pages/history_model.py; this module turns it into HTML. It shows

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
import html
import json
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ingestion.wikipedia import index_url
from pages.history_model import (
    MAX_EVENTS,
    MAX_EVENTS_PER_CLAIM,
    MAX_LISTED_REVISIONS,
    TIMELINE_COLUMNS,
    TIMELINE_TABLE,
    ClaimTimeline,
    EventSelection,
    Period,
    RevisionSummary,
    SpanLookup,
    TableRows,
    as_table_rows,
    as_utc,
    designation_timelines,
    is_missing,
    period_allowance,
    precision_column,
    record_agreement,
    select_events,
    summarise_revisions,
)
from pages.history_sources import sources_html
from pages.release_report import PAGE_STYLE, validation_html
from transforms.dates import format_date
from transforms.schema import (
    CLAIM_TABLES,
    HISTORY_TABLES,
    REVISION_STATUSES,
    TABLES,
)

EVENTS_FILE = "claim_events.parquet"
# Beyond these the page would stop being read; designations_history.parquet holds them all.
MAX_PERIODS_PER_CLAIM = 200
# In all the timelines together: each listing gets an equal share, and one with fewer
# periods leaves the rest of its share to the others (period_allowance).
MAX_PERIODS_TOTAL = 1_000
MAX_VALUES_CHARS = 300
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


# --- values -----------------------------------------------------------------------------


def _e(value: Any) -> str:
    return html.escape("" if is_missing(value) else str(value), quote=True)


def _moment(value: Any) -> str:
    """A revision timestamp as people read it (UTC, to the minute)."""
    return "" if is_missing(value) else as_utc(value).strftime("%Y-%m-%d %H:%M UTC")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _int(value: Any) -> int | None:
    return None if is_missing(value) else int(value)


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


def _values_summary(table: str, text: Any) -> str:
    """An added or removed claim's values (a JSON object) as ``column: value`` pairs."""
    if is_missing(text):
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
            precision = precision_column(declared, column)
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
    lookup = SpanLookup(histories, [e for claims in listed.values() for *_, s in claims for e in s])
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


def _event_row(table: str, event: Mapping[str, Any], lookup: SpanLookup, links: WikiLinks) -> str:
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
    rows = {name: as_table_rows(tables[name]) for name in HISTORY_TABLES}
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
