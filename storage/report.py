"""report.html: a release explained on one page, with two charts embedded as PNG images."""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
from typing import Any

import pandas as pd

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
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def listings_chart(designations: pd.DataFrame, today: dt.date) -> str:
    """Listing periods per authority: a bar from listing to delisting (or today when current);
    a diamond where only the delisting is dated, a dot where only the listing is."""
    plt = _pyplot()
    rows = designations.reset_index(drop=True)
    figure, axes = plt.subplots(figsize=(10, 0.45 * max(len(rows), 4) + 1.2))
    colours = {"current": "#b42318", "former": "#1f77b4", "other": "#7f7f7f"}
    labels = []
    for position, row in rows.iterrows():
        label = row["authority"] + (f" ({row['regime']})" if pd.notna(row["regime"]) else "")
        labels.append(label)
        start = row["listed_on"] if pd.notna(row["listed_on"]) else None
        end = row["delisted_on"] if pd.notna(row["delisted_on"]) else None
        colour = colours.get(row["status"], "#444")
        if start is not None:
            stop = end if end is not None else pd.Timestamp(today)
            axes.barh(position, (stop - start).days, left=start, color=colour, height=0.5)
        elif end is not None:
            axes.plot([end], [position], marker="D", color=colour)
        if start is not None and end is None and row["status"] == "other":
            axes.plot([start], [position], marker="o", color=colour)
    axes.set_yticks(range(len(labels)), labels)
    axes.invert_yaxis()
    axes.set_xlabel("year")
    axes.set_title("Listing periods by authority (red: current, blue: former, grey: other)")
    axes.grid(axis="x", alpha=0.3)
    encoded = _png(figure)
    plt.close(figure)
    return encoded


def membership_chart(estimates: pd.DataFrame) -> str:
    """Stated estimates as low–high ranges over the years they refer to, by estimator."""
    plt = _pyplot()
    dated = estimates[estimates["year_start"].notna() | estimates["year_end"].notna()].copy()
    figure, axes = plt.subplots(figsize=(10, 5.5))
    dated["year"] = dated[["year_start", "year_end"]].astype("float64").mean(axis=1)
    dated["who"] = dated["estimator"].fillna("unattributed")
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
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = []
    for record in frame[columns].to_dict("records"):
        cells = []
        for column in columns:
            value = record[column]
            if isinstance(value, list):
                text = ", ".join(str(v) for v in value)
            elif value is None or (not isinstance(value, str) and pd.isna(value)):
                text = ""
            elif isinstance(value, pd.Timestamp):
                text = value.date().isoformat()
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
    wikipedia: dict[str, Any] | None = None,
) -> str:
    charts = charts or draw_charts(tables, today)
    contents = "".join(
        f"<tr><td><code>{name}</code></td><td>{len(tables[name])}</td>"
        f"<td>{html.escape(table.description)}</td></tr>"
        for name, table in TABLES.items()
    )
    suites = validation.get("suites", {})
    verdict = "ok" if validation.get("success") else "failed"
    validation_rows = "".join(
        f"<tr><td><code>{html.escape(name)}</code></td><td>{s['successful']}/{s['evaluated']}"
        f"</td></tr>"
        for name, s in suites.items()
    )
    findings = tables["findings"]
    counts = findings.groupby("kind").size().to_dict() if len(findings) else {}
    important = findings[findings["severity"] != "info"]
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
        "date. Dates keep their precision in the data (see <code>*_precision</code>).</figcaption>"
        "</figure>",
        "<h2>Membership estimates</h2><figure>",
        f"<img class='chart' id='chart-membership' alt='Membership estimates over time' "
        f"src='data:image/png;base64,{charts['membership']}'>",
        "<figcaption>Each bar spans an estimate's low and high figure at the middle of the "
        "period it refers to; undated estimates are in the table but not on the chart."
        "</figcaption></figure>",
        f"<h2>Validation <span class='{verdict}'>({'passed' if verdict == 'ok' else 'failed'})"
        f"</span></h2><table><thead><tr><th>suite</th><th>expectations met</th></tr></thead>"
        f"<tbody>{validation_rows}</tbody></table>",
        "<h2>Findings</h2><p>"
        + ", ".join(f"{html.escape(k)}: {v}" for k, v in sorted(counts.items()))
        + "</p>",
        _table_html(important, ["kind", "severity", "source_line", "section", "detail"]),
        f"<h2>Changes</h2><pre>{html.escape(changes_markdown)}</pre>",
        f"<script>{LOAD_SCRIPT}</script></body></html>",
    ]
    return "\n".join(parts)
