"""Expectation suites: structural ones generated from the schema module, semantic ones
hand-written in ``semantic.json``; for history releases, structural ones generated from the
history tables and cross-table ones hand-written in ``history.json``.

Every expectation declares its gate in ``meta.gate``, once:

- ``blocking``: a failure means our tables are wrong (schema, keys, ranges, date order,
  row-count floors, citations that resolve), so nothing is published;
- ``source_quality``: a failure means the article is odd (an editor's slip the tables
  survive), so the release is published and says so in its findings.

Structural expectations are all blocking. A table's hand-written expectations form two suites,
``<table>.semantic`` (blocking) and ``<table>.source_quality``; a cross-table suite's
source-quality expectations form ``<name>.source_quality``.

Suites are stored as Great Expectations 1.x JSON (``{"name": …, "expectations": [{"type": …,
"kwargs": …, "meta": …}]}``) without GX's random ids, so a regenerated file is byte-identical
to the committed one unless the schema changed. History releases load theirs with
``load_history_suites`` (the same rules; their cross-table suites validate frames that
transforms/history_validation.py derives from the tables). Regenerate with
``python -m expectations.suites``; a test fails when the committed files are stale.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NamedTuple

from transforms.schema import HISTORY_TABLES, TABLES, Column, Table

SUITES_DIR = Path(__file__).resolve().parent
SEMANTIC_FILE = SUITES_DIR / "semantic.json"
HISTORY_FILE = SUITES_DIR / "history.json"
BLOCKING = "blocking"
SOURCE_QUALITY = "source_quality"
GATES = (BLOCKING, SOURCE_QUALITY)
# What ExpectColumnValuesToBeOfType observes for each logical type's pandas dtype
# (measured on GX 1.24 with pandas 3: text is "str", nullable Int32 is "int32", …).
GX_TYPES = {
    "string": "str",
    "int16": "int16",
    "int32": "int32",
    "int64": "int64",
    "float64": "float64",
    "boolean": "bool",
    "date": "datetime64",
    # A UTC timestamp column's dtype (datetime64[s, UTC]) has type pandas.Timestamp; a naive
    # datetime64 column does not pass.
    "timestamp": "Timestamp",
    "list<int32>": None,  # an object column; its element types are checked semantically
    "list<string>": None,
}


def structural_file(table: Table) -> Path:
    return SUITES_DIR / f"{table.name}.structural.json"


def _expectation(kind: str, meta: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "kwargs": kwargs,
        "meta": meta or {"generated_from": "schema", "gate": BLOCKING},
    }


def _column_expectations(column: Column) -> list[dict[str, Any]]:
    found = []
    gx_type = GX_TYPES[column.type]
    if gx_type is not None:
        found.append(
            _expectation("expect_column_values_to_be_of_type", column=column.name, type_=gx_type)
        )
    if column.required:
        found.append(_expectation("expect_column_values_to_not_be_null", column=column.name))
    if column.unique:
        found.append(_expectation("expect_column_values_to_be_unique", column=column.name))
    if column.enum:
        found.append(
            _expectation(
                "expect_column_values_to_be_in_set", column=column.name, value_set=list(column.enum)
            )
        )
    if column.type != "date" and (column.minimum is not None or column.maximum is not None):
        found.append(
            _expectation(
                "expect_column_values_to_be_between",
                column=column.name,
                min_value=column.minimum,
                max_value=column.maximum,
            )
        )
    return found


def structural_suite(table: Table) -> dict[str, Any]:
    expectations = [
        _expectation("expect_table_columns_to_match_ordered_list", column_list=table.column_names),
        _expectation(
            "expect_table_row_count_to_be_between",
            min_value=table.min_rows,
            max_value=table.max_rows,
        ),
    ]
    if len(table.primary_key) == 1:
        expectations.append(
            _expectation("expect_column_values_to_be_unique", column=table.primary_key[0])
        )
    else:
        expectations.append(
            _expectation(
                "expect_compound_columns_to_be_unique", column_list=list(table.primary_key)
            )
        )
    for column in table.columns:
        expectations += _column_expectations(column)
    return {
        "name": f"{table.name}.structural",
        "expectations": expectations,
        "meta": {"table": table.name, "generated_by": "expectations/suites.py"},
    }


def render(suite: dict[str, Any]) -> str:
    return json.dumps(suite, indent=2, ensure_ascii=False) + "\n"


def load_semantic() -> dict[str, Any]:
    return json.loads(SEMANTIC_FILE.read_text(encoding="utf-8"))


def load_history_declarations() -> dict[str, Any]:
    return json.loads(HISTORY_FILE.read_text(encoding="utf-8"))


class Suite(NamedTuple):
    frame: str  # the table (or cross-table frame) it runs on
    gate: str  # BLOCKING or SOURCE_QUALITY, shared by all its expectations
    expectations: list[dict[str, Any]]


def gate_of(expectation: dict[str, Any]) -> str:
    gate = expectation.get("meta", {}).get("gate")
    if gate not in GATES:
        raise ValueError(
            f"Expectation {expectation['type']} on {expectation['kwargs']} declares gate "
            f"{gate!r}; every expectation declares meta.gate, one of {', '.join(GATES)}."
        )
    return gate


def _by_gate(
    frame: str, names: dict[str, str], expectations: list[dict[str, Any]]
) -> dict[str, Suite]:
    """One suite per gate that has expectations, named ``names[gate]``."""
    suites = {}
    for gate in GATES:
        chosen = [e for e in expectations if gate_of(e) == gate]
        if chosen:
            suites[names[gate]] = Suite(frame, gate, chosen)
    return suites


def load_suites() -> dict[str, Suite]:
    """Suite name -> Suite: per table the committed structural suite and the hand-written
    blocking and source-quality ones, then the cross-table suites."""
    return _load(TABLES, load_semantic())


def load_history_suites() -> dict[str, Suite]:
    """The history release's suites, as ``load_suites``: structural per history table, then
    the cross-table ones of ``history.json``."""
    return _load(HISTORY_TABLES, load_history_declarations())


def _load(tables: dict[str, Table], semantic: dict[str, Any]) -> dict[str, Suite]:
    suites: dict[str, Suite] = {}
    for table in tables.values():
        structural = json.loads(structural_file(table).read_text(encoding="utf-8"))
        if any(gate_of(e) != BLOCKING for e in structural["expectations"]):
            raise ValueError(f"{structural['name']}: generated expectations are all blocking")
        suites[structural["name"]] = Suite(table.name, BLOCKING, structural["expectations"])
        checks = semantic.get("tables", {}).get(table.name, {}).get("expectations", [])
        suites |= _by_gate(
            table.name,
            {BLOCKING: f"{table.name}.semantic", SOURCE_QUALITY: f"{table.name}.{SOURCE_QUALITY}"},
            checks,
        )
    for name, cross in semantic.get("cross_table", {}).items():
        suites |= _by_gate(
            name,
            {BLOCKING: name, SOURCE_QUALITY: f"{name}.{SOURCE_QUALITY}"},
            cross["expectations"],
        )
    return suites


def declared_checks(suites: dict[str, Suite] | None = None) -> list[dict[str, str]]:
    """Every expectation of ``suites`` (a release's by default) with its suite, gate and
    reason: docs/validation.md's lists of which checks block a release and which only report
    (``python -m flows.docs`` writes them)."""
    rows = []
    for name, suite in (load_suites() if suites is None else suites).items():
        for expectation in suite.expectations:
            kwargs = expectation["kwargs"]
            columns = [kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs]
            columns = columns or list(kwargs.get("column_list") or [])
            check = expectation["type"].removeprefix("expect_").replace("_", " ")
            if isinstance(kwargs.get("value_set"), list):
                check += ": " + ", ".join(str(v) for v in kwargs["value_set"])
            rows.append(
                {
                    "suite": name,
                    "gate": suite.gate,
                    "check": check,
                    "column": ", ".join(columns),
                    "reason": expectation.get("meta", {}).get("reason", ""),
                }
            )
    return rows


def write_structural_suites() -> list[Path]:
    written = []
    for table in (*TABLES.values(), *HISTORY_TABLES.values()):
        path = structural_file(table)
        path.write_text(render(structural_suite(table)), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_structural_suites():
        print(f"wrote {written_path.relative_to(SUITES_DIR.parent)}")
