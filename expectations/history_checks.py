"""The history release's validation gate: its Great Expectations suites (structural ones per
history table, and the spans, revision references and replay of ``history.json``), run on the
Parquet files in the staging folder before anything is published.

A table's own suite reads its file in chunks of rows; the derived frames are made a chunk at a
time where they can be (revision links, the replay) and otherwise from the few columns they
need, and all are validated in chunks (expectations/chunks.py), so the checks' memory does not
follow the number of revisions. The report has
the shape of a release's validation.json (``success``, ``gates``, ``suites`` with every failed
expectation) plus ``checks``: per suite, its failures in words, for the run's error message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from expectations.chunks import Chunked, chunk_kind
from expectations.suites import Suite, load_history_declarations, load_history_suites
from expectations.validate import Validator, blocking_failures, failure_text
from transforms.formats import arrow_to_pandas, parquet_frames, parquet_reader
from transforms.history_validation import (
    EVENT_COLUMNS,
    LINK_COLUMNS,
    REVISION_COLUMNS,
    SPAN_COLUMNS,
    Replay,
    latest_claims,
    replay_result,
    revision_links,
    span_order,
)
from transforms.schema import HISTORY_TABLES, TIMELINE_TABLES

DATA_DOCS_DIR = "data_docs"
# Rows of a table the suites see at once: the checks' memory is that of this many rows, so
# it stops growing with the history once each table has that many (bench/history.py). Great
# Expectations' passes over a chunk left the process about 2 kB larger per row (allocator
# high-water): with 5,000 the checks still grew until the span tables reached 5,000 rows, past
# 10,000 revisions; with 1,000 they stop growing sooner, for about 1.3 s more at 6,000.
CHUNK_ROWS = 1_000
# What each derived frame is computed from: the history columns read whole (for every row at
# once), and those read a chunk of rows at a time (transforms/history_validation.py).
DERIVED_INPUTS: dict[str, tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]] = {
    "revision_links": (
        {"revisions": ("revid",)},
        {f"{name}_history": LINK_COLUMNS for name in TIMELINE_TABLES}
        | {"claim_events": ("claim_key", "revid")},
    ),
    "span_order": (
        {f"{name}_history": SPAN_COLUMNS for name in TIMELINE_TABLES}
        | {"revisions": REVISION_COLUMNS},
        {},
    ),
    # Events are replayed a chunk at a time when the file holds them in seq order (the flow
    # writes them so); otherwise they are read whole and sorted.
    "replay_steps": ({"claim_events": ("seq",)}, {"claim_events": EVENT_COLUMNS}),
    "replay_result": ({"claim_events": ("seq",)}, {"claim_events": EVENT_COLUMNS}),
}


def run_checks(folder: Path, latest_tables: Mapping[str, Any]) -> dict[str, Any]:
    """The gate: every history suite on the tables in ``folder`` (and, for replay,
    ``latest_tables``: the last extracted revision's claim tables, none when no revision was
    extracted), with the Data Docs written to ``folder/data_docs``. Returns the report;
    ``report["success"]`` is the verdict."""
    return validate_history(folder, latest_tables, load_history_suites(), folder / DATA_DOCS_DIR)


def validate_history(
    folder: Path,
    latest_tables: Mapping[str, Any],
    suites: Mapping[str, Suite],
    docs_dir: Path | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> dict[str, Any]:
    """Run ``suites`` (some or all of load_history_suites()) on the tables in ``folder``.

    Memory stays about that of ``chunk_rows`` rows, not of the history: a table's own suite
    reads it in chunks of rows with only the columns it names (and its key columns whole,
    for row count and uniqueness); the derived frames are computed chunk by chunk where they
    can be, else from the few columns they need read whole, and validated in chunks
    (expectations/chunks.py)."""
    tables = read_tables(folder, columns_needed(suites))
    derived = DerivedFrames(folder, tables, latest_tables, chunk_rows)
    keys = row_keys(suites)
    chunked = {
        name: table_chunks(folder, suite, keys[name], chunk_rows)
        if suite.frame in HISTORY_TABLES
        else derived.of(suite.frame)
        for name, suite in suites.items()
    }
    report = Validator(dict(suites)).run_suites(
        chunked, {}, dt.datetime.now(dt.UTC), docs_dir=docs_dir, row_keys=keys
    )
    problems: dict[str, list[str]] = {name: [] for name in report["suites"]}
    for name, failure in blocking_failures(report):
        problems[name].append(failure_text(name, failure))
    report["checks"] = {
        name: {"success": not found, "problems": found} for name, found in problems.items()
    }
    return report


def _named_revids(revids: pd.Series) -> Callable[[pd.DataFrame], dict[str, Any]]:
    """The ``revids`` parameter of a chunk of revision_links: the revisions' revids that
    its rows name. Only those can change the verdict on the chunk, and the others (most, in
    a long history) would only fill the Data Docs."""
    known = revids.dropna().to_numpy(dtype="int64")

    def parameters(chunk: pd.DataFrame) -> dict[str, Any]:
        named = chunk["revid"].dropna().unique().to_numpy(dtype="int64")
        return {"revids": sorted(int(r) for r in named[np.isin(named, known)])}

    return parameters


def _expectation_columns(expectation: dict[str, Any]) -> set[str]:
    kwargs = expectation["kwargs"]
    columns = {kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs}
    columns |= set(kwargs.get("column_list") or [])
    condition = kwargs.get("row_condition")
    if isinstance(condition, dict) and isinstance(condition.get("column"), dict):
        columns.add(condition["column"]["name"])
    return columns


def columns_needed(suites: Mapping[str, Suite]) -> dict[str, list[str]]:
    """Per history table, the columns read whole, in declared order, for the derived frames
    of ``suites`` (DERIVED_INPUTS). A table's own suite reads it in chunks (table_chunks), and
    so do the derived frames that can be computed chunk by chunk (DerivedFrames)."""
    wanted: dict[str, set[str]] = {name: set() for name in HISTORY_TABLES}
    for suite in suites.values():
        if suite.frame in HISTORY_TABLES:
            continue
        for table, columns in _inputs_of(suite.frame)[0].items():
            wanted[table] |= set(columns)
    return {
        name: [c for c in HISTORY_TABLES[name].column_names if c in wanted[name]]
        for name in HISTORY_TABLES
    }


def suite_columns(suite: Suite) -> tuple[list[str], list[str]]:
    """The columns a history table's own suite reads: in chunks, those its expectations name
    and the key; whole, those its table-wide expectations (row count, uniqueness) name and the
    key. Both in declared order."""
    table = HISTORY_TABLES[suite.frame]
    key = set(table.primary_key)
    chunked, whole = set(key), set(key)
    for expectation in suite.expectations:
        if chunk_kind(expectation["type"]) == "table_wide":
            whole |= _expectation_columns(expectation)
        else:
            chunked |= _expectation_columns(expectation)
    return (
        [c for c in table.column_names if c in chunked],
        [c for c in table.column_names if c in whole],
    )


def _inputs_of(frame: str) -> dict[str, tuple[str, ...]]:
    if frame not in DERIVED_INPUTS:
        raise KeyError(
            f"expectations/history.json declares a suite on {frame!r}, which no function "
            f"derives; derived frames: {', '.join(DERIVED_INPUTS)}."
        )
    return DERIVED_INPUTS[frame]


def read_tables(folder: Path, columns: Mapping[str, list[str]]) -> dict[str, pd.DataFrame]:
    """Each history table's Parquet file, only ``columns[name]`` of it (those it has)."""
    return {name: _read(folder / f"{name}.parquet", wanted) for name, wanted in columns.items()}


def table_chunks(folder: Path, suite: Suite, key: list[str], rows: int) -> Chunked:
    """A history table's own suite's frame: its file read ``rows`` rows at a time (only the
    columns the suite names), and whole only in its key and table-wide columns."""
    path = folder / f"{suite.frame}.parquet"
    in_chunks, whole = suite_columns(suite)
    table_wide = any(chunk_kind(e["type"]) == "table_wide" for e in suite.expectations)
    return Chunked(
        _file_chunks(path, _present(path, in_chunks), rows),
        _read(path, dict.fromkeys([*key, *whole])) if table_wide else None,
    )


def _file_chunks(path: Path, columns: list[str], rows: int) -> Iterator[pd.DataFrame]:
    """A Parquet file's rows, ``rows`` at a time, indexed by their position in the file; one
    empty frame when the file has no rows."""
    empty = True
    for frame in parquet_frames(path, columns, rows):
        empty = False
        yield frame
    if empty:
        yield arrow_to_pandas(parquet_reader(path).schema_arrow.empty_table().select(columns))


def row_slices(frame: pd.DataFrame, rows: int) -> Iterator[pd.DataFrame]:
    """A frame ``rows`` rows at a time (at least one slice, empty for an empty frame)."""
    for start in range(0, max(len(frame), 1), rows):
        yield frame.iloc[start : start + rows]


class DerivedFrames:
    """The frames the cross-table suites run on (transforms/history_validation.py), each as
    a Chunked frame: revision links straight from the files' chunks, the events replayed a
    chunk at a time, the span order from the spans and revisions read whole (a claim's spans
    are compared with each other). Each frame is made once, while the validator reads it."""

    def __init__(
        self,
        folder: Path,
        tables: Mapping[str, pd.DataFrame],
        latest_tables: Mapping[str, Any],
        rows: int,
    ) -> None:
        self.folder, self.tables, self.latest, self.rows = folder, tables, latest_tables, rows
        self.replay = Replay()
        self.replayed = "no"  # "no", "started", "done": replay_result needs every event

    def of(self, frame: str) -> Chunked:
        _inputs_of(frame)  # raises for a frame nothing derives, naming those there are
        if frame == "revision_links":
            return Chunked(
                _numbered(self._links()),
                parameters=_named_revids(self.tables["revisions"]["revid"]),
            )
        chunks = {
            "span_order": self._span_order,
            "replay_steps": self._replay_steps,
            "replay_result": self._replay_result,
        }
        return Chunked(chunks[frame]())

    def _stream(self, table: str, columns: tuple[str, ...]) -> Iterator[pd.DataFrame]:
        path = self.folder / f"{table}.parquet"
        return _file_chunks(path, _present(path, columns), self.rows)

    def _links(self) -> Iterator[pd.DataFrame]:
        for table, columns in _inputs_of("revision_links")[1].items():
            for chunk in self._stream(table, columns):
                if table == "claim_events":
                    yield revision_links({}, chunk)
                else:
                    yield revision_links({table.removesuffix("_history"): chunk})

    def _span_order(self) -> Iterator[pd.DataFrame]:
        spans = {name: self.tables[f"{name}_history"] for name in TIMELINE_TABLES}
        yield from row_slices(span_order(spans, self.tables["revisions"]), self.rows)

    def _events(self) -> Iterator[pd.DataFrame]:
        columns = _inputs_of("replay_steps")[1]["claim_events"]
        seq = self.tables["claim_events"]["seq"]
        if not seq.hasnans and seq.is_monotonic_increasing:
            yield from self._stream("claim_events", columns)
            return
        events = _read(self.folder / "claim_events.parquet", columns)
        yield from row_slices(events.sort_values("seq", kind="stable"), self.rows)

    def _replay_steps(self) -> Iterator[pd.DataFrame]:
        if self.replayed != "no":
            raise RuntimeError("The events are replayed once; replay_steps was read twice.")
        self.replayed = "started"
        for chunk in _numbered(self._events()):
            yield self.replay.steps(chunk)
        self.replayed = "done"

    def _replay_result(self) -> Iterator[pd.DataFrame]:
        if self.replayed == "no":
            for _ in self._replay_steps():
                pass
        if self.replayed != "done":
            raise RuntimeError("replay_result was read before replay_steps was read through.")
        result = replay_result(self.replay.claims, latest_claims(self.latest))
        yield from row_slices(result, self.rows)


def _numbered(chunks: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """Chunks indexed by their rows' positions in the frame they are slices of."""
    start = 0
    for chunk in chunks:
        chunk.index = pd.RangeIndex(start, start + len(chunk))
        start += len(chunk)
        yield chunk


def _present(path: Path, columns: Iterable[str]) -> list[str]:
    """Those of ``columns`` the file has (a missing one is for its structural suite to
    report)."""
    names = set(pq.read_schema(path).names)
    return [c for c in columns if c in names]


def _read(path: Path, columns: Iterable[str]) -> pd.DataFrame:
    return arrow_to_pandas(pq.read_table(path, columns=_present(path, columns), use_threads=False))


def row_keys(suites: Mapping[str, Suite]) -> dict[str, list[str]]:
    """Per suite, the columns that name an offending row: a history table's primary key, a
    derived frame's declared row_key."""
    declared = load_history_declarations().get("cross_table", {})
    return {
        name: list(HISTORY_TABLES[suite.frame].primary_key)
        if suite.frame in HISTORY_TABLES
        else list(declared.get(suite.frame, {}).get("row_key", []))
        for name, suite in suites.items()
    }
