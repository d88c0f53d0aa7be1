"""report.html: a release explained on one page, with two charts embedded as PNG images."""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
from dataclasses import dataclass
from typing import Any

import pandas as pd

from transforms.dates import find_dates, format_date
from transforms.estimators import canonical_name
from transforms.schema import TABLES

PAGE_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; color: #222;
       line-height: 1.45; padding: 0 1rem; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
figure { margin: 1.5rem 0; }
figure img { max-width: 100%; border: 1px solid #ddd; }
.ok { color: #1a7f37; } .failed { color: #b42318; }
code { background: #f6f6f6; padding: 0 0.2rem; }
tr.record-disagrees td { background: #fff4f3; }
td.differs { background: #fde2e1; color: #b42318; font-weight: 600; }
td.no-record { color: #777; }
"""
# Marks the page as fully loaded once every chart image has decoded; the browser test reads it.
LOAD_SCRIPT = """
window.addEventListener("load", function () {
  var charts = document.querySelectorAll("img.chart");
  var loaded = Array.prototype.filter.call(charts, function (img) {
    return img.complete && img.naturalWidth > 0;
  }).length;
  document.body.setAttribute("data-charts-loaded", String(loaded));
});
"""


def _png(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _pyplot():
    # Only when charts are drawn: matplotlib.pyplot takes 0.9 s to import (measured
    # 2026-12-07, against 0.05 s for a standard-library module), and Agg must be chosen first.
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


@dataclass(frozen=True)
class ListingBar:
    """One row of the listings chart, decided apart from the drawing so it can be tested."""

    label: str
    status: str
    start: dt.date | None  # where the bar begins; None: only the end is dated (a diamond)
    end: dt.date | None  # where it ends: the delisting, else today
    open_start: bool = False  # the text gives the start only as an era: drawn open-ended
    dot: bool = False  # a listing of another kind, still standing: a dot marks its start
    note: str | None = None  # said beside the bar and under the chart


def listing_bars(designations: pd.DataFrame, today: dt.date) -> list[ListingBar]:
    """What the chart shows per designation row.

    A dated listing is a bar to its delisting (or to today while current). A row whose start
    the text states only as an era (Iraq's "post-2003 government": listed_on null, the era in
    regime or listing_detail) is an open-started bar: from the era's year when its words hold
    one, else from the chart's left edge, with a note quoting the era. Only a delisting with
    no era at all is a diamond; a standing listing of another kind also gets a dot.
    """
    rows = designations.reset_index(drop=True)
    dated = [d.date() for d in pd.concat([rows["listed_on"], rows["delisted_on"]]).dropna()]
    left_edge = dt.date(min(dated, default=today).year - 3, 1, 1)
    bars = []
    for row in rows.to_dict("records"):
        label = row["authority"] + (f" ({row['regime']})" if pd.notna(row["regime"]) else "")
        start = row["listed_on"].date() if pd.notna(row["listed_on"]) else None
        end = row["delisted_on"].date() if pd.notna(row["delisted_on"]) else None
        status = row["status"]
        if start is not None:
            dot = end is None and status == "other"
            bars.append(ListingBar(label, status, start, end or today, dot=dot))
            continue
        era = next(
            (row[c] for c in ("regime", "listing_detail") if isinstance(row[c], str) and row[c]),
            None,
        )
        if era is None:
            bars.append(ListingBar(label, status, None, end))
            continue
        era_dates = find_dates(era)
        begins = era_dates[0].value if era_dates else left_edge
        stop = end or (today if status == "current" else None)
        if stop is not None and begins >= stop:
            begins = left_edge  # an era's year after the listing's end cannot be its start
        until = f", until {format_date(end, row['delisted_on_precision'])}" if end else ""
        bars.append(
            ListingBar(
                label,
                status,
                begins,
                stop or today,
                open_start=True,
                note=f"start given only as an era: {era!r}{until}",
            )
        )
    return bars


def listings_chart(designations: pd.DataFrame, today: dt.date) -> str:
    """Listing periods per authority (see listing_bars): solid bars for dated periods,
    hatched open-started bars for periods whose start is only an era."""
    plt = _pyplot()
    bars = listing_bars(designations, today)
    figure, axes = plt.subplots(figsize=(10, 0.45 * max(len(bars), 4) + 1.2))
    colours = {"current": "#b42318", "former": "#1f77b4", "other": "#7f7f7f"}
    for position, bar in enumerate(bars):
        colour = colours.get(bar.status, "#444")
        if bar.start is not None and bar.end is not None:
            start, end = pd.Timestamp(bar.start), pd.Timestamp(bar.end)
            if bar.open_start:
                axes.barh(
                    position,
                    (end - start).days,
                    left=start,
                    height=0.5,
                    color=colour,
                    alpha=0.35,
                    hatch="///",
                    edgecolor=colour,
                )
                # An arrow head pointing back in time: the listing began before here.
                axes.plot([start], [position], marker="<", color=colour, markersize=9)
                axes.annotate(
                    bar.note,
                    (end, position),
                    xytext=(4, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=7,
                    color="#444",
                )
            else:
                axes.barh(position, (end - start).days, left=start, color=colour, height=0.5)
            if bar.dot:
                axes.plot([start], [position], marker="o", color=colour)
        elif bar.end is not None:
            axes.plot([pd.Timestamp(bar.end)], [position], marker="D", color=colour)
    axes.set_yticks(range(len(bars)), [b.label for b in bars])
    axes.invert_yaxis()
    axes.set_xlabel("year")
    axes.set_title(
        "Listing periods by authority (red: current, blue: former, grey: other; "
        "hatched: start not dated)"
    )
    axes.grid(axis="x", alpha=0.3)
    encoded = _png(figure)
    plt.close(figure)
    return encoded


def membership_chart(estimates: pd.DataFrame) -> str:
    """Stated estimates as low–high ranges over the years they refer to, one colour per
    canonical estimator (however the article words it), labelled with its canonical name."""
    plt = _pyplot()
    dated = estimates[estimates["year_start"].notna() | estimates["year_end"].notna()].copy()
    figure, axes = plt.subplots(figsize=(10, 5.5))
    dated["year"] = dated[["year_start", "year_end"]].astype("float64").mean(axis=1)
    dated["who"] = dated["estimator_id"].fillna("")
    labels = {
        estimator_id: canonical_name(estimator_id, group["estimator"].iloc[0])
        if estimator_id
        else "unattributed"
        for estimator_id, group in dated.groupby("who", sort=False)
    }
    dated["who"] = dated["who"].map(labels)
    for index, (who, group) in enumerate(dated.groupby("who", sort=True)):
        colour = plt.get_cmap("tab20")(index % 20)
        low, high = group["low"].astype("float64"), group["high"].astype("float64")
        axes.vlines(group["year"], low, high, linewidth=4, color=colour, label=who)
        axes.scatter(group["year"], low, s=14, color=colour)
        axes.scatter(group["year"], high, s=14, color=colour)
    axes.set_yscale("log")
    axes.set_xlabel("year the estimate refers to")
    axes.set_ylabel("people (log scale)")
    axes.set_title(
        f"Size estimates as low–high ranges ({len(dated)} dated of {len(estimates)} stated)"
    )
    axes.grid(alpha=0.3)
    axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    encoded = _png(figure)
    plt.close(figure)
    return encoded


def _table_html(frame: pd.DataFrame, columns: list[str]) -> str:
    """Rows as an HTML table; a date at the precision its ``<column>_precision`` gives (a
    day when it has none), never as the first of January it is stored as."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = []
    for record in frame.to_dict("records"):
        cells = []
        for column in columns:
            value = record[column]
            if isinstance(value, list):
                text = ", ".join(str(v) for v in value)
            elif isinstance(value, pd.Timestamp | dt.date) or value is pd.NaT:
                text = format_date(value, record.get(f"{column}_precision", "day"))
            elif value is None or (not isinstance(value, str) and pd.isna(value)):
                text = ""
            else:
                text = str(value)
            cells.append(f"<td>{html.escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def draw_charts(tables: dict[str, pd.DataFrame], today: dt.date) -> dict[str, str]:
    """Both charts as base64 PNG. They need no validation verdict, so a run draws them while
    Great Expectations validates."""
    return {
        "listings": listings_chart(tables["designations"], today),
        "membership": membership_chart(tables["membership_estimates"]),
    }


GATE_HEADINGS = {
    "blocking": (
        "Blocking checks",
        "Our tables are right: schema, keys, ranges, date order, row counts, citations that "
        "resolve. Any failure stops a release.",
    ),
    "source_quality": (
        "Source-quality checks",
        "The article is odd where an editor slipped: back-links that differ from markers, "
        "empty references, maintenance tags, anomalies of this revision. A failure is "
        "published as a finding; it never stops a release.",
    ),
}


def validation_html(validation: dict[str, Any]) -> str:
    """Both gates, each with its suites and what failed in it."""
    suites = validation.get("suites", {})
    parts = []
    for gate, (heading, meaning) in GATE_HEADINGS.items():
        chosen = {n: s for n, s in suites.items() if s.get("gate", "blocking") == gate}
        failed = sum(len(s["failed"]) for s in chosen.values())
        if gate == "blocking":
            verdict = "ok" if validation.get("success") else "failed"
            status = "passed" if verdict == "ok" else "failed: nothing would be published"
        else:
            verdict = "ok" if not failed else "failed"
            status = "all met" if not failed else f"{failed} not met: published with findings"
        rows = "".join(
            f"<tr><td><code>{html.escape(name)}</code></td>"
            f"<td>{s['successful']}/{s['evaluated']}</td>"
            f"<td>{html.escape(_failures_text(s['failed']))}</td></tr>"
            for name, s in chosen.items()
        )
        parts.append(
            f"<h3>{heading} <span class='{verdict}'>({status})</span></h3><p>{meaning}</p>"
            "<table><thead><tr><th>suite</th><th>expectations met</th><th>not met</th></tr>"
            f"</thead><tbody>{rows}</tbody></table>"
        )
    return "<h2>Validation</h2>" + "".join(parts)


def _failures_text(failed: list[dict[str, Any]]) -> str:
    return "; ".join(
        f"{f['column']}: {f['expectation'].removeprefix('expect_').replace('_', ' ')}"
        f" ({f['unexpected_count']} rows)"
        if f.get("unexpected_count")
        else f"{f['column']}: {f['expectation'].removeprefix('expect_').replace('_', ' ')}"
        for f in failed
    )


def _revision_html(revision: dict[str, Any] | None) -> str:
    """Which revision the release was read from, and the licence's attribution."""
    if not revision:
        return ""
    e = {k: html.escape(str(v)) for k, v in revision.items() if not isinstance(v, dict)}
    redirect = (
        f" (asked for as &ldquo;{e['redirected_from']}&rdquo;, a redirect)"
        if revision.get("redirected_from")
        else ""
    )
    return (
        f"<p id='source-revision'>Source: <a href='{e['permalink']}'>revision {e['revid']}"
        f"</a> of the article &ldquo;{e['title']}&rdquo;{redirect}, saved {e['timestamp']}, "
        f"read through <code>{e['api_url']}</code> at {e['fetched_at']}. Text by "
        f"<a href='{e['history']}'>Wikipedia contributors</a> (see the page history), "
        "licensed under <a href='https://creativecommons.org/licenses/by-sa/4.0/'>CC BY-SA "
        "4.0</a>; the datasets are adapted from it under the same licence.</p>"
    )


def render_report(
    tables: dict[str, pd.DataFrame],
    version: str,
    validation: dict[str, Any],
    changes_markdown: str,
    source_origin: str,
    today: dt.date,
    charts: dict[str, str] | None = None,
    reference_coverage: dict[str, Any] | None = None,
    wikipedia: dict[str, Any] | None = None,
    export_notes: dict[str, list[str]] | None = None,
) -> str:
    charts = charts or draw_charts(tables, today)
    contents = "".join(
        f"<tr><td><code>{name}</code></td><td>{len(tables[name])}</td>"
        f"<td>{html.escape(table.description)}</td></tr>"
        for name, table in TABLES.items()
    )
    findings = tables["findings"]
    counts = findings.groupby("kind").size().to_dict() if len(findings) else {}
    important = findings[findings["severity"] != "info"]
    bars = listing_bars(tables["designations"], today)
    era_notes = "".join(
        f"<li>{html.escape(b.label)}: {html.escape(b.note)}</li>" for b in bars if b.note
    )
    listings = tables["designations"]
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>mekdata release {html.escape(version)}</title>",
        f"<style>{PAGE_STYLE}</style></head><body>",
        f"<h1>mekdata release {html.escape(version)}</h1>",
        "<p>Datasets extracted from the text of the Wikipedia article on the People's "
        "Mojahedin Organization of Iran (CC BY-SA 4.0, Wikipedia contributors), built from "
        f"<code>{html.escape(source_origin)}</code>. Every fact row names its source line, "
        "its citations and the verbatim quote it was read from.</p>",
        _revision_html(wikipedia),
        "<h2>Contents</h2><table><thead><tr><th>table</th><th>rows</th><th>one row per</th>"
        f"</tr></thead><tbody>{contents}</tbody></table>",
        "<h2>Listing periods</h2><figure>",
        f"<img class='chart' id='chart-listings' alt='Listing periods by authority' "
        f"src='data:image/png;base64,{charts['listings']}'>",
        "<figcaption>From the designations table; a current listing runs to the release "
        "date. Hatched bars with an arrow head are open-started: the text names the era of "
        "the listing, not its date. A diamond is a delisting whose listing is not dated."
        f"</figcaption></figure><ul>{era_notes}</ul>",
        _table_html(
            listings,
            ["authority", "regime", "status", "listing_kind", "listed_on", "delisted_on"],
        ),
        record_html(listings, tables["official_acts"]),
        "<h2>Membership estimates</h2><figure>",
        f"<img class='chart' id='chart-membership' alt='Membership estimates over time' "
        f"src='data:image/png;base64,{charts['membership']}'>",
        "<figcaption>Each bar spans an estimate's low and high figure at the middle of the "
        "period it refers to; undated estimates are in the table but not on the chart."
        "</figcaption></figure>",
        validation_html(validation),
        "<h2>Findings</h2><p>"
        + ", ".join(f"{html.escape(k)}: {v}" for k, v in sorted(counts.items()))
        + "</p>",
        _table_html(important, ["kind", "severity", "source_line", "section", "detail"]),
        _coverage_html(reference_coverage),
        exports_html(export_notes),
        f"<h2>Changes</h2><pre>{html.escape(changes_markdown)}</pre>",
        f"<script>{LOAD_SCRIPT}</script></body></html>",
    ]
    return "\n".join(parts)


def _record_date(value: Any, precision: Any = "day") -> str:
    if value is None or value is pd.NaT or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return format_date(value, precision if isinstance(precision, str) else "day")


def _act_link(acts: dict[str, dict[str, Any]], act_id: Any) -> str:
    if not isinstance(act_id, str) or act_id not in acts:
        return ""
    act = acts[act_id]
    url, instrument = html.escape(act["url"], quote=True), html.escape(act["instrument"])
    return f"<a href='{url}' title='{instrument}'>{instrument}</a>"


def record_html(designations: pd.DataFrame, official_acts: pd.DataFrame) -> str:
    """'The record': each designation with the article's dates and the official record's
    side by side; a row that disagrees is highlighted (class record-disagrees), and the date
    that differs (class differs); each act links to where it can be read."""
    acts = {a["act_id"]: a for a in official_acts.to_dict("records")}
    rows = []
    for row in designations.to_dict("records"):
        has_record = isinstance(row["record_listing_act_id"], str) or isinstance(
            row["record_delisting_act_id"], str
        )
        agrees = row["record_agrees"]
        disagrees = agrees is not pd.NA and agrees is not None and not agrees
        label = row["authority"] + (f" ({row['regime']})" if isinstance(row["regime"], str) else "")
        cells = [f"<td>{html.escape(label)}</td>"]
        for event in ("listed", "delisted"):
            article = _record_date(row[f"{event}_on"], row[f"{event}_on_precision"])
            if event == "delisted" and not article and row["status"] == "current":
                article = "still listed"
            recorded = _record_date(row[f"record_{event}_on"])
            act_column = "record_listing_act_id" if event == "listed" else "record_delisting_act_id"
            differs = _date_differs(row, event)
            cells.append(f"<td>{html.escape(article)}</td>")
            if not has_record:
                cells.append("<td class='no-record'>not on record</td>")
                continue
            css = " class='differs'" if differs else ""
            link = _act_link(acts, row[act_column])
            cells.append(
                f"<td{css}>{html.escape(recorded) or '—'}"
                + (f"<br><small>{link}</small>" if link else "")
                + "</td>"
            )
        verdict = (
            "disagrees"
            if disagrees
            else ("agrees" if agrees is True else ("—" if has_record else "no record"))
        )
        cells.append(f"<td>{verdict}</td>")
        css = " class='record-disagrees'" if disagrees else ""
        key = html.escape(row["designation_id"], quote=True)
        rows.append(f"<tr{css} data-designation='{key}'>{''.join(cells)}</tr>")
    on_record = sum(
        1
        for row in designations.to_dict("records")
        if isinstance(row["record_listing_act_id"], str)
        or isinstance(row["record_delisting_act_id"], str)
    )
    return (
        "<h2 id='the-record'>The record</h2>"
        f"<p>The article is a secondary source. {on_record} of {len(designations)} "
        f"designations are set beside the official acts behind them ({len(acts)} acts in "
        "<code>official_acts</code>, each with its source URL and quoted evidence). A date "
        "agrees at the article's precision (a year with any day of that year); a highlighted "
        "date is where the article and the record disagree, and a "
        "<code>record_conflict</code> finding names both. Acts the article does not mention "
        "are <code>record_missing</code> findings.</p>"
        "<table id='record-table'><thead><tr><th>designation</th><th>article: listed</th>"
        "<th>record: listed (act)</th><th>article: delisted</th>"
        "<th>record: delisted (act)</th><th>article vs record</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _date_differs(row: dict[str, Any], event: str) -> bool:
    """The record's date for ``event`` lies outside the article's at its precision (or the
    article calls current a listing the record ends)."""
    recorded = row[f"record_{event}_on"]
    if recorded is None or recorded is pd.NaT or pd.isna(recorded):
        return False
    article = row[f"{event}_on"]
    if article is None or article is pd.NaT or pd.isna(article):
        return event == "delisted" and row["status"] == "current"
    return format_date(recorded, row[f"{event}_on_precision"]) != format_date(
        article, row[f"{event}_on_precision"]
    )


def exports_html(notes: dict[str, list[str]] | None) -> str:
    """The release's exports and what each leaves out (QuickStatements has no comments)."""
    if notes is None:
        return ""
    items = []
    for name, left_out in notes.items():
        detail = (
            "<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in left_out) + "</ul>"
            if left_out
            else " Nothing left out."
        )
        items.append(
            f"<li><a href='{html.escape(name)}'><code>{html.escape(name)}</code></a>{detail}</li>"
        )
    return (
        "<h2 id='exports'>Exports</h2><p>For the tools analysts already use (see "
        "docs/exports.md): FollowTheMoney entities and Wikidata QuickStatements for review.</p>"
        f"<ul>{''.join(items)}</ul>"
    )


def _coverage_html(coverage: dict[str, Any] | None) -> str:
    """The references' fields: how many texts show each (a cheap signal) and how many the
    parser read, so a low count can be told to be the article's or ours."""
    if not coverage:
        return ""
    rows = "".join(
        f"<tr><td><code>{html.escape(name)}</code></td><td>{f['present']}</td>"
        f"<td>{f['read']}</td><td>{f['present_not_read']}</td><td>{f['read_without_signal']}"
        f"</td><td>{html.escape(f['signal'])}</td></tr>"
        for name, f in coverage["fields"].items()
    )
    return (
        f"<h2 id='reference-coverage'>Reference fields</h2><p>Of {coverage['references']} "
        f"references ({coverage['short_citations']} short citations): how many show each "
        "field in their text, by the signal named, and how many the parser read "
        "(<code>reference_coverage.json</code>).</p><table><thead><tr><th>field</th>"
        "<th>present in the text</th><th>read</th><th>present, not read</th>"
        "<th>read, no signal</th><th>signal</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )
