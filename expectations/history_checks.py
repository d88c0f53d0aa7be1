"""The history release's validation gate: its Great Expectations suites (structural ones per
history table, and the spans, revision references and replay of ``history.json``), run on the
Parquet files in the staging folder before anything is published.

Each file is read once, with only the columns some suite or derived frame uses. The report has
the shape of a release's validation.json (``success``, ``gates``, ``suites`` with every failed
expectation) plus ``checks``: per suite, its failures in words, for the run's error message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from expectations.suites import Suite, load_history_declarations, load_history_suites
from expectations.validate import Validator, blocking_failures, failure_text
from transforms.history_validation import (
    EVENT_COLUMNS,
    REVISION_COLUMNS,
    SPAN_COLUMNS,
    latest_claims,
    replay_result,
    replay_steps,
    revision_links,
    span_order,
)
from transforms.schema import CLAIM_TABLES, HISTORY_TABLES

DATA_DOCS_DIR = "data_docs"
_SPAN_INPUTS = {f"{name}_history": SPAN_COLUMNS for name in CLAIM_TABLES}
# The history columns each derived frame is computed from (transforms/history_validation.py).
DERIVED_INPUTS: dict[str, dict[str, tuple[str, ...]]] = {
    "revision_links": {**_SPAN_INPUTS, "claim_events": ("claim_key", "revid")},
    "span_order": {**_SPAN_INPUTS, "revisions": REVISION_COLUMNS},
    "replay_steps": {"claim_events": EVENT_COLUMNS},
    "replay_result": {"claim_events": EVENT_COLUMNS},
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
) -> dict[str, Any]:
    """Run ``suites`` (some or all of load_history_suites()) on the tables in ``folder``,
    reading only the columns they use and deriving only the frames they check."""
    tables = read_tables(folder, columns_needed(suites))
    frames = derived_frames(tables, latest_tables, {s.frame for s in suites.values()})
    revids = {int(r) for r in tables["revisions"]["revid"].dropna()}
    if "revision_links" in frames:
        # Only the revids some row names can change the verdict; the others (most, in a long
        # history) would only fill the Data Docs page that shows the set.
        revids &= {int(r) for r in frames["revision_links"]["revid"].dropna()}
    report = Validator(dict(suites)).run_suites(
        {name: frames[suite.frame] for name, suite in suites.items()},
        {"revids": sorted(revids)},
        dt.datetime.now(dt.UTC),
        docs_dir=docs_dir,
        row_keys=row_keys(suites),
    )
    problems: dict[str, list[str]] = {name: [] for name in report["suites"]}
    for name, failure in blocking_failures(report):
        problems[name].append(failure_text(name, failure))
    report["checks"] = {
        name: {"success": not found, "problems": found} for name, found in problems.items()
    }
    return report


def _expectation_columns(expectation: dict[str, Any]) -> set[str]:
    kwargs = expectation["kwargs"]
    columns = {kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs}
    columns |= set(kwargs.get("column_list") or [])
    condition = kwargs.get("row_condition")
    if isinstance(condition, dict) and isinstance(condition.get("column"), dict):
        columns.add(condition["column"]["name"])
    return columns


def columns_needed(suites: Mapping[str, Suite]) -> dict[str, list[str]]:
    """Per history table, the columns its own suites name and the derived frames read, in
    declared order; and the revids, which fill the ``revids`` parameter."""
    wanted: dict[str, set[str]] = {name: set() for name in HISTORY_TABLES}
    wanted["revisions"].add("revid")
    for suite in suites.values():
        if suite.frame in HISTORY_TABLES:
            wanted[suite.frame] |= set(HISTORY_TABLES[suite.frame].primary_key)
            for expectation in suite.expectations:
                wanted[suite.frame] |= _expectation_columns(expectation)
        else:
            for table, columns in _inputs_of(suite.frame).items():
                wanted[table] |= set(columns)
    return {
        name: [c for c in HISTORY_TABLES[name].column_names if c in wanted[name]]
        for name in HISTORY_TABLES
    }


def _inputs_of(frame: str) -> dict[str, tuple[str, ...]]:
    if frame not in DERIVED_INPUTS:
        raise KeyError(
            f"expectations/history.json declares a suite on {frame!r}, which no function "
            f"derives; derived frames: {', '.join(DERIVED_INPUTS)}."
        )
    return DERIVED_INPUTS[frame]


def read_tables(folder: Path, columns: Mapping[str, list[str]]) -> dict[str, pd.DataFrame]:
    """Each history table's Parquet file, only ``columns[name]`` of it (those the file has:
    a missing one is for the structural suite to report), as pandas frames that keep the
    file's types (integers and booleans nullable, as the schema declares them): the
    structural suites check those types, so nothing here casts."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    nullable = {
        pa.int16(): pd.Int16Dtype(),
        pa.int32(): pd.Int32Dtype(),
        pa.int64(): pd.Int64Dtype(),
        pa.bool_(): pd.BooleanDtype(),
    }
    tables = {}
    for name, wanted in columns.items():
        path = folder / f"{name}.parquet"
        present = set(pq.read_schema(path).names)
        arrow = pq.read_table(path, columns=[c for c in wanted if c in present])
        tables[name] = arrow.to_pandas(types_mapper=nullable.get, date_as_object=False)
    return tables


def derived_frames(
    tables: Mapping[str, pd.DataFrame], latest_tables: Mapping[str, Any], wanted: set[str]
) -> dict[str, pd.DataFrame]:
    """The history tables and the frames the cross-table suites in ``wanted`` run on."""
    frames = dict(tables)
    spans = {name: tables[f"{name}_history"] for name in CLAIM_TABLES}
    events = tables["claim_events"]
    if "revision_links" in wanted:
        frames["revision_links"] = revision_links(spans, events)
    if "span_order" in wanted:
        frames["span_order"] = span_order(spans, tables["revisions"])
    if wanted & {"replay_steps", "replay_result"}:
        steps, replayed = replay_steps(events)
        frames["replay_steps"] = steps
        frames["replay_result"] = replay_result(replayed, latest_claims(latest_tables))
    return frames


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
