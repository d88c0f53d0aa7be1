"""The frames a history release's suites validate, derived from its tables: pure, no I/O.

Great Expectations checks one row at a time (or a pair of columns in one row); the history's
invariants span rows and tables. Each function here turns one invariant into columns a row
can be checked on (expectations/history.json says which expectation checks which column):

* ``revision_links``: every revid a span or an event names, one per row, to be found among
  the revisions;
* ``span_order``: per span, where it starts and ends in revision order and where the claim's
  next span starts, so "no overlap" and "starts before it ends" are column comparisons;
* ``replay_steps``: per event, what it says the claim was before it, next to what replaying
  the events before it makes of the claim;
* ``replay_result``: the claims replayed from every event, cell by cell, outer-joined with the
  latest extraction's.

Replay here never raises: an event that does not fit (a second ``added``, a change of a claim
that is not there, a wrong old value) is a row whose two columns differ, so the validation
report names it with everything else that failed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from transforms.history import event_text, keyed_claims, tracked_columns
from transforms.schema import TIMELINE_TABLES

SPAN_COLUMNS = ("claim_key", "valid_from_revid", "valid_from", "valid_to_revid", "valid_to")
REVISION_COLUMNS = ("revid", "timestamp")
LINK_COLUMNS = ("claim_key", "valid_from_revid", "valid_to_revid")
EVENT_COLUMNS = ("seq", "revid", "table", "claim_key", "event", "column", "old_value", "new_value")
# What replay or an event says a claim was before the event when there was no such claim. Not
# JSON, so it cannot equal an encoded value.
NO_CLAIM = "(no claim)"


def _text_column(values: list[str | None]) -> Any:
    return pd.array(values, dtype="str")


def _int_column(values: list[int | None]) -> Any:
    return pd.array(values, dtype="Int64")


def _iso(values: list[Any]) -> Any:
    """Timestamps as ISO 8601 text in UTC: compared exactly, and readable in a failure
    (comparing time-zone-aware columns in GX goes through a pandas path deprecated in 3.1)."""
    return _text_column(
        [None if pd.isna(v) else pd.Timestamp(v).tz_convert("UTC").isoformat() for v in values]
    )


def _revids(series: pd.Series) -> list[int | None]:
    return [None if pd.isna(v) else int(v) for v in series.tolist()]


def _history_name(table: str) -> str:
    return f"{table}_history"


# --- references -------------------------------------------------------------------------


def revision_links(
    spans: Mapping[str, pd.DataFrame], events: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Every revid a row names: (table, column, claim_key, revid) for each span's
    valid_from_revid and valid_to_revid (when set) and each event's revid. ``spans`` is keyed
    by claim table, each frame holding at least ``LINK_COLUMNS``; any of them, and
    ``events``, may be some of the rows (a long history's are read in chunks)."""
    rows: dict[str, list] = {"table": [], "column": [], "claim_key": [], "revid": []}

    def add(table: str, column: str, keys: pd.Series, revids: pd.Series) -> None:
        for key, revid in zip(keys.tolist(), _revids(revids), strict=True):
            if revid is None:
                continue
            rows["table"].append(table)
            rows["column"].append(column)
            rows["claim_key"].append(key)
            rows["revid"].append(revid)

    for table, frame in spans.items():
        for column in ("valid_from_revid", "valid_to_revid"):
            add(_history_name(table), column, frame["claim_key"], frame[column])
    if events is not None:
        add("claim_events", "revid", events["claim_key"], events["revid"])
    return pd.DataFrame(
        {
            "table": _text_column(rows["table"]),
            "column": _text_column(rows["column"]),
            "claim_key": _text_column(rows["claim_key"]),
            "revid": _int_column(rows["revid"]),
        }
    )


# --- spans ------------------------------------------------------------------------------


def span_order(spans: Mapping[str, pd.DataFrame], revisions: pd.DataFrame) -> pd.DataFrame:
    """One row per span of every claim table, ordered by claim and start, with:

    * ``starts_at``, ``ends_at``: the positions of valid_from_revid and valid_to_revid among
      the revisions ordered by timestamp, then revid (two revisions can share a second, so
      positions, not timestamps, say which came first). An open span ends at the number of
      revisions, after the last one; a revid not among the revisions has no position;
    * ``next_starts_at``: ``starts_at`` of the claim's next span (null for its last): the
      spans do not overlap, and only the last is open, exactly when it is not before
      ``ends_at``;
    * ``valid_from_revid_timestamp``, ``valid_to_revid_timestamp``: the timestamps of those
      revisions, to compare with ``valid_from`` and ``valid_to`` (all four as ISO text).
    """
    ordered = revisions.sort_values(["timestamp", "revid"], kind="stable")
    # Arrays, not dicts of Python objects: a long history has many revisions.
    revids = ordered["revid"].to_numpy(dtype="int64", na_value=-1)
    times = ordered["timestamp"].reset_index(drop=True)
    lookup = pd.Index(revids)
    after_last = len(revids)
    parts = []
    for table, frame in spans.items():
        starts = _revids(frame["valid_from_revid"])
        ends = _revids(frame["valid_to_revid"])
        start_at = _positions(lookup, starts)
        end_at = _positions(lookup, ends)
        parts.append(
            pd.DataFrame(
                {
                    "table": _text_column([table] * len(frame)),
                    "claim_key": _text_column(frame["claim_key"].tolist()),
                    "valid_from_revid": _int_column(starts),
                    "valid_to_revid": _int_column(ends),
                    "starts_at": _int_column(start_at),
                    "ends_at": _int_column(
                        [after_last if r is None else p for r, p in zip(ends, end_at, strict=True)]
                    ),
                    "valid_from": _iso(frame["valid_from"].tolist()),
                    "valid_to": _iso(frame["valid_to"].tolist()),
                    "valid_from_revid_timestamp": _iso(_at(times, start_at)),
                    "valid_to_revid_timestamp": _iso(_at(times, end_at)),
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    frame = frame.sort_values(
        ["table", "claim_key", "starts_at", "valid_from_revid"], kind="stable", na_position="last"
    ).reset_index(drop=True)
    frame.insert(
        frame.columns.get_loc("ends_at") + 1,
        "next_starts_at",
        frame.groupby(["table", "claim_key"], sort=False)["starts_at"].shift(-1),
    )
    return frame


def _positions(lookup: pd.Index, revids: list[int | None]) -> list[int | None]:
    """Each revid's position among the ordered revisions (the last, if one is listed
    twice), None for none or one not listed."""
    kept = ~lookup.duplicated(keep="last")
    where = np.flatnonzero(kept)
    found = lookup[kept].get_indexer([-1 if r is None else r for r in revids])
    return [
        None if r is None or f < 0 else int(where[f]) for r, f in zip(revids, found, strict=True)
    ]


def _at(times: pd.Series, positions: list[int | None]) -> list[Any]:
    return [None if p is None else times.iloc[p] for p in positions]


# --- replay -----------------------------------------------------------------------------


def _encoded(value: str | None) -> str:
    """An event text (or null) as JSON, so null and the text "null" stay apart."""
    return json.dumps(value, ensure_ascii=False)


def _encoded_claim(values: Mapping[str, str | None]) -> str:
    return json.dumps(values, ensure_ascii=False, sort_keys=True)


class Replay:
    """The events applied in order, fed in consecutive chunks (of a long history) or at once.

    ``steps(chunk)`` applies a chunk of events, which must follow the chunks before it in
    ``seq`` order, and returns one row per event (``before_in_event``: what the event says
    the claim, or for a change the column, was before it; ``before_in_replay``: what
    replaying the earlier events made of it). ``claims`` is what the events applied so far
    have built: table -> claim key -> column -> value text. Memory is that of the claims and
    one chunk, not of every event.

    An added event expects no claim, a removed one the whole claim (its old_value), a changed
    one the column's old value. An event that does not fit is still applied where it can be
    (an added claim replaces the one there), so one bad event is one bad row, not a cascade."""

    def __init__(self) -> None:
        self.claims: dict[str, dict[str, dict[str, str | None]]] = {
            name: {} for name in TIMELINE_TABLES
        }

    def steps(self, events: pd.DataFrame) -> pd.DataFrame:
        in_event, in_replay = [], []
        for table, key, kind, column, old, new in zip(
            *(events[c].tolist() for c in ("table", "claim_key", "event", "column")),
            [_plain(v) for v in events["old_value"].tolist()],
            [_plain(v) for v in events["new_value"].tolist()],
            strict=True,
        ):
            claims = self.claims.setdefault(table, {})
            current = claims.get(key)
            if kind == "changed":
                in_event.append(_encoded(old))
                in_replay.append(NO_CLAIM if current is None else _encoded(current.get(column)))
                if current is not None:
                    current[column] = new
            elif kind == "removed":
                in_event.append(NO_CLAIM if old is None else _encoded_claim(_claim(old)))
                in_replay.append(NO_CLAIM if current is None else _encoded_claim(current))
                claims.pop(key, None)
            else:  # added, and any kind the structural suite rejects: it expects no claim
                in_event.append(NO_CLAIM)
                in_replay.append(NO_CLAIM if current is None else _encoded_claim(current))
                if kind == "added":
                    claims[key] = _claim(new)
        return pd.DataFrame(
            {
                "seq": _int_column(_revids(events["seq"])),
                "revid": _int_column(_revids(events["revid"])),
                "table": _text_column(events["table"].tolist()),
                "claim_key": _text_column(events["claim_key"].tolist()),
                "event": _text_column(events["event"].tolist()),
                "column": _text_column(events["column"].tolist()),
                "before_in_event": _text_column(in_event),
                "before_in_replay": _text_column(in_replay),
            },
            index=events.index,
        )


def replay_steps(events: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, dict[str, dict]]]:
    """Every event replayed in ``seq`` order at once (``Replay``): its steps, and the claims
    replayed from all of them."""
    replay = Replay()
    steps = replay.steps(events.sort_values("seq", kind="stable").reset_index(drop=True))
    return steps, replay.claims


def _claim(payload: str | None) -> dict[str, str | None]:
    """An added or removed event's JSON object of the claim's values; anything else is no
    values at all, which the replayed claims then show."""
    try:
        values = json.loads(payload or "")
    except ValueError:
        return {}
    return values if isinstance(values, dict) else {}


def _plain(value: Any) -> Any:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


def latest_claims(tables: Mapping[str, pd.DataFrame]) -> dict[str, dict[str, dict]]:
    """An extraction's claims as replay holds them: table -> claim key -> column -> value
    text. No tables (no revision was extracted) means no claims."""
    if not tables:
        return {name: {} for name in TIMELINE_TABLES}
    claims = keyed_claims(tables)
    return {
        name: {
            key: {c: event_text(name, c, row[c]) for c in tracked_columns(name)}
            for key, row in claims.rows.get(name, {}).items()
        }
        for name in TIMELINE_TABLES
    }


def replay_result(
    replayed: Mapping[str, Mapping[str, Mapping[str, str | None]]],
    latest: Mapping[str, Mapping[str, Mapping[str, str | None]]],
) -> pd.DataFrame:
    """The replayed claims outer-joined with the latest ones, one row per claim and tracked
    column: ``replayed`` and ``latest`` hold the cell as JSON-encoded event text, null where
    that side has no such claim."""
    rows: dict[str, list] = {k: [] for k in ("table", "claim_key", "column", "replayed", "latest")}
    for table in TIMELINE_TABLES:
        mine, theirs = replayed.get(table, {}), latest.get(table, {})
        for key in sorted(set(mine) | set(theirs)):
            for column in tracked_columns(table):
                rows["table"].append(table)
                rows["claim_key"].append(key)
                rows["column"].append(column)
                for side, claims in (("replayed", mine), ("latest", theirs)):
                    claim = claims.get(key)
                    rows[side].append(None if claim is None else _encoded(claim.get(column)))
    return pd.DataFrame({name: _text_column(values) for name, values in rows.items()})
