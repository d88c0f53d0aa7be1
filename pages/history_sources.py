"""The history report's section on sources: which sources each revision added and removed
(``claim_events`` rows of table ``references``), and for each claim that stands, since which
revision each of its sources has backed it (its spans' ``citation_keys``); what is listed is
computed by pages/history_model.py (source_moves, source_arrivals), capped, a batch of rows at
a time."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from typing import Any

from pages.history_model import MovedSource, TableRows, source_arrivals, source_moves


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _label(source: MovedSource) -> str:
    key, name, changed = source
    label = f"{_e(name)} <code>{_e(key)}</code>" if name else f"<code>{_e(key)}</code>"
    return f"{label} (changed)" if changed else label


def sources_html(
    events: TableRows,
    histories: Mapping[str, TableRows],
    first_revid: int | None,
    revision_link: Callable[[int], str | None],
) -> str:
    def revision(revid: int) -> str:
        url = revision_link(revid)
        return f"<a href='{_e(url)}'>{revid}</a>" if url else str(revid)

    moves, count = source_moves(events, first_revid)
    parts = [
        "<h2 id='sources'>Sources</h2>",
        "<p>Sources are compared by identity (<code>ref_key</code>), never by number: a "
        "reference added above renumbers every later one, which is no change.</p>",
        "<h3>Sources added and removed, by revision</h3>",
    ]
    if not moves:
        parts.append("<p>No revision after the first added or removed a source.</p>")
    else:
        parts.append(
            f"<p>{count} revisions after the first added, removed or changed sources"
            + (f"; the first {len(moves)} are listed" if count > len(moves) else "")
            + ".</p><table><thead><tr><th>revision</th><th>added</th><th>removed</th></tr>"
            "</thead><tbody>"
        )
        for revid, added, removed in moves:
            parts.append(
                f"<tr data-revid='{revid}'><td>{revision(revid)}</td>"
                f"<td>{'<br>'.join(map(_label, added))}</td>"
                f"<td>{'<br>'.join(map(_label, removed))}</td></tr>"
            )
        parts.append("</tbody></table>")
    arrivals = source_arrivals(histories)
    parts.append("<h3>When each source of a claim arrived</h3>")
    if not arrivals:
        parts.append("<p>No claim stands.</p>")
        return "\n".join(parts)
    parts.append(
        "<table id='source-arrivals'><thead><tr><th>table</th><th>claim</th>"
        "<th>sources (cited since revision)</th></tr></thead><tbody>"
    )
    for table, key, sources in arrivals:
        cells = "<br>".join(f"<code>{_e(s)}</code> since {revision(r)}" for s, r in sources)
        parts.append(
            f"<tr><td>{_e(table)}</td><td><code>{_e(key)}</code></td>"
            f"<td>{cells or 'none cited'}</td></tr>"
        )
    parts.append("</tbody></table>")
    return "\n".join(parts)
