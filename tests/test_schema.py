"""One schema declaration; everything derived from it stays in step."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pyarrow as pa
import pytest

from expectations.suites import SUITES_DIR, render, structural_file, structural_suite
from flows.docs import DATA_DICTIONARY, GENERATED_DOCS
from transforms.formats import to_arrow
from transforms.schema import (
    HISTORY_TABLES,
    TABLES,
    Column,
    Table,
    arrow_schema,
    frictionless_schema,
    to_frame,
)

CONTRACT_COLUMNS = {
    "designations": {
        "authority": "string",
        "authority_code": "string",
        "status": "string",
        "listed_on": "date",
        "listed_on_precision": "string",
        "delisted_on": "date",
        "delisted_on_precision": "string",
    },
    "electoral_history": {
        "year": "int16",
        "election": "string",
        "election_type": "string",
        "stance": "string",
        "seats_won": "int32",
        "seats_total": "int32",
        "seat_share": "float64",
    },
    "membership_estimates": {
        "low": "int64",
        "high": "int64",
        "qualifier": "string",
        "measure": "string",
        "year_start": "int16",
        "year_end": "int16",
        "period": "string",
        "estimator": "string",
        "scope": "string",
    },
    "references": {"ref_number": "int32", "ref_key": "string", "text": "string"},
    "findings": {"kind": "string", "table": "string", "detail": "string", "source_line": "int32"},
}
SHARED = {
    "citations": "list<int32>",
    "citation_keys": "list<string>",
    "source_line": "int32",
    "quote": "string",
}


@pytest.mark.parametrize("name", list(CONTRACT_COLUMNS))
def test_data_contract_columns(name):
    table = TABLES[name]
    required = dict(CONTRACT_COLUMNS[name])
    if table.is_fact_table:
        required |= SHARED
    for column, kind in required.items():
        assert table.column(column).type == kind, (name, column)


@pytest.mark.parametrize("name", list(TABLES))
def test_extracted_tables_have_exactly_the_declared_columns(tables, name):
    assert list(tables[name].columns) == TABLES[name].column_names


@pytest.mark.parametrize("name", list(TABLES))
def test_arrow_schema_carries_descriptions(tables, name):
    schema = arrow_schema(TABLES[name])
    for field in schema:
        assert field.metadata[b"description"], field.name
    assert schema.metadata[b"primary_key"].decode() == ",".join(TABLES[name].primary_key)
    assert to_arrow(TABLES[name], tables[name]).schema.equals(schema, check_metadata=True)


def test_list_columns_are_lists_of_their_element_type():
    schema = arrow_schema(TABLES["designations"])
    assert schema.field("citations").type == pa.list_(pa.int32())
    assert schema.field("citation_keys").type == pa.list_(pa.string())


@pytest.mark.parametrize("name", [n for n, t in TABLES.items() if "citations" in t.column_names])
def test_citation_keys_follow_each_citation_list(name):
    names = TABLES[name].column_names
    for numbers, keys in (
        ("citations", "citation_keys"),
        ("enrichment_citations", "enrichment_citation_keys"),
    ):
        if numbers in names:
            assert names.index(keys) == names.index(numbers) + 1, (name, numbers)


@pytest.mark.parametrize(
    "kind, cell, valid",
    [
        pytest.param("list<int32>", "294;295", True, id="numbers"),
        pytest.param("list<int32>", "", True, id="no-numbers"),
        pytest.param("list<int32>", "name:a", False, id="key-in-number-list"),
        pytest.param("list<string>", "name:Maloney;isbn:9780521738149", True, id="keys"),
        pytest.param("list<string>", "", True, id="no-keys"),
        pytest.param("list<string>", "name:a;;isbn:1", False, id="empty-key"),
    ],
)
def test_csv_list_pattern(kind, cell, valid):
    import re

    table = Table("t", "t", "t", ("x",), (Column("x", kind, "test"),))
    pattern = frictionless_schema(table)["fields"][0]["constraints"]["pattern"]
    assert bool(re.fullmatch(pattern, cell)) is valid


def test_frictionless_schema_matches():
    schema = frictionless_schema(TABLES["designations"])
    assert [f["name"] for f in schema["fields"]] == TABLES["designations"].column_names
    assert schema["primaryKey"] == ["designation_id"]


def test_to_frame_rejects_undeclared_columns():
    with pytest.raises(KeyError, match="undeclared"):
        to_frame(TABLES["notes"], [{"note_label": "note 1", "txt": "typo"}])


@pytest.mark.parametrize(
    "table", [*TABLES.values(), *HISTORY_TABLES.values()], ids=lambda t: t.name
)
def test_committed_structural_suites_are_fresh(table):
    path = structural_file(table)
    assert path.read_text(encoding="utf-8") == render(structural_suite(table)), (
        f"{path.name} is stale: run `python -m expectations.suites`"
    )


def test_semantic_suite_is_valid_json_with_reasons():
    semantic = json.loads((SUITES_DIR / "semantic.json").read_text(encoding="utf-8"))
    for table in semantic["tables"].values():
        for expectation in table["expectations"]:
            assert expectation["meta"]["reason"], expectation


@pytest.mark.parametrize("page", GENERATED_DOCS, ids=lambda page: page.name)
def test_generated_docs_are_fresh(page):
    current = page.read_text(encoding="utf-8")
    render = GENERATED_DOCS[page]
    assert render(current) == current, f"{page.name} is stale: run `python -m flows.docs`"


def test_data_dictionary_lists_every_column():
    current = DATA_DICTIONARY.read_text(encoding="utf-8")
    for table in [*TABLES.values(), *HISTORY_TABLES.values()]:
        assert f"### `{table.name}`" in current
        for column in table.columns:
            assert f"| `{column.name}` |" in current


def test_schema_version_follows_the_columns():
    """Removing, renaming or retyping a column needs a major bump, adding one a minor bump;
    after bumping, refresh the lock with `python -m flows.docs --lock-schema`."""
    from flows.docs import SCHEMA_LOCK, required_bump, schema_fingerprint

    locked = json.loads(SCHEMA_LOCK.read_text(encoding="utf-8"))
    current = schema_fingerprint()
    bump = required_bump(locked, current)
    old = [int(p) for p in locked["schema_version"].split(".")]
    new = [int(p) for p in current["schema_version"].split(".")]
    if bump == "major":
        assert new[0] > old[0], "columns removed, renamed or retyped: bump the major version"
    elif bump == "minor":
        assert new[:2] > old[:2], "columns added: bump the minor version"
    else:
        assert current == locked, "schema unchanged but version differs from the lock"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(lambda t: t["notes"].pop("text"), "major", id="removed"),
        pytest.param(lambda t: t["notes"].__setitem__("text", "int32"), "major", id="retyped"),
        pytest.param(lambda t: t["notes"].__setitem__("extra", "string"), "minor", id="added"),
        pytest.param(lambda t: None, None, id="unchanged"),
    ],
)
def test_required_bump(change, expected):
    from flows.docs import required_bump, schema_fingerprint

    locked = schema_fingerprint()
    current = json.loads(json.dumps(locked))
    change(current["tables"])
    assert required_bump(locked, current) == expected


@pytest.mark.parametrize(
    "values",
    [
        pytest.param([dt.date(2012, 9, 28), None, dt.date(1970, 1, 1)], id="dates-and-none"),
        pytest.param([dt.date(1901, 12, 31), dt.date(2099, 1, 1)], id="far-dates"),
        pytest.param([None, None], id="all-missing"),
        pytest.param([], id="no-rows"),
        pytest.param([dt.datetime(2012, 9, 28, 0, 0), None], id="datetimes-take-the-parser"),
        pytest.param(["2012-09-28", None], id="strings-take-the-parser"),
    ],
)
def test_date_columns_equal_what_pandas_parses(values):
    expected = pd.Series(pd.to_datetime(values, errors="raise")).astype("datetime64[s]")
    one_date_column = Table(
        name="days",
        title="Days",
        description="One row per day.",
        primary_key=("day",),
        min_rows=0,
        max_rows=10,
        columns=(Column("day", "date", "A day."),),
    )
    built = to_frame(one_date_column, [{"day": v} for v in values])["day"]
    assert built.dtype == expected.dtype == "datetime64[s]"
    assert built.equals(expected)
