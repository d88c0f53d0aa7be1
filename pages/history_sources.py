"""The history report's section on sources: which sources each revision added and removed
(``claim_events`` rows of table ``references``), and for each claim that stands, since which
revision each of its sources has backed it (its spans' ``citation_keys``).

Kept apart from pages/history_report.py, which renders it; tables are read a batch of rows
at a time, and what is listed is capped, so the page's memory does not follow the history."""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Mapping
from typing import Any

from transforms.schema import CLAIM_TABLES

# At most this many revisions that moved sources are listed (the first ones after the first
# revision, which adds every source), with at most MAX_KEYS sources each; at most MAX_CLAIMS
# standing claims get their sources' arrival.
MAX_REVISIONS = 200
MAX_KEYS = 20
MAX_CLAIMS = 300


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _label(payload: Any, key: str) -> str:
    """A source as the page names it: its title (and authors) from the event's values."""
    try:
        values = json.loads(payload or "{}")
    except ValueError:
        values = {}
    title = values.get("title") if isinstance(values, dict) else None
    authors = values.get("authors") if isinstance(values, dict) else None
    name = " — ".join(str(v) for v in (authors, title) if v)
    return f"{_e(name)} <code>{_e(key)}</code>" if name else f"<code>{_e(key)}</code>"


def source_moves(events: Any, first_revid: int | None) -> tuple[list[tuple], int]:
    """(revid, added labels, removed labels) per revision after the first that added or
    removed a source, the first MAX_REVISIONS of them, and how many there are in all."""
    moves: dict[int, tuple[list[str], list[str]]] = {}
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
                if len(moves) >= MAX_REVISIONS:
                    continue
                moves[revid] = ([], [])
            added, removed = moves[revid]
            if kind == "added" and len(added) < MAX_KEYS:
                added.append(_label(new, key))
            elif kind == "removed" and len(removed) < MAX_KEYS:
                removed.append(_label(old, key))
            elif kind == "changed" and len(added) < MAX_KEYS:
                added.append(f"{_label(None, key)} (changed)")
    return [(revid, *moves[revid]) for revid in moves], count


def source_arrivals(histories: Mapping[str, Any]) -> list[tuple[str, str, list[tuple[str, int]]]]:
    """(table, claim key, [(source key, revision since which the claim has cited it)]) for
    the standing claims, at most MAX_CLAIMS: a source's arrival is the start of the earliest
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
            if len(result) >= MAX_CLAIMS:
                return result
    return result


def sources_html(
    events: Any,
    histories: Mapping[str, Any],
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
                f"<td>{'<br>'.join(added)}</td><td>{'<br>'.join(removed)}</td></tr>"
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
