"""Validating in row chunks (expectations/chunks.py) gives what Great Expectations gives on
the whole frame: the same verdicts, counts and percentages, the offending rows named from
every chunk, and the table-wide expectations (row count, uniqueness) judged on every row."""

from __future__ import annotations

import json
from typing import Any

import lxml.html
import pandas as pd
import pytest

from expectations.chunks import Chunked, chunk_kind
from expectations.history_checks import row_slices
from expectations.suites import BLOCKING, Suite
from expectations.validate import Validator


def _expectation(kind: str, **kwargs: Any) -> dict[str, Any]:
    return {"type": kind, "kwargs": kwargs, "meta": {"gate": BLOCKING}}


# A frame with offending rows in several chunks (of 3 rows), nulls, and a duplicate key whose
# two rows are in different chunks.
FRAME = pd.DataFrame(
    {
        "revid": pd.array([1, 2, 3, 4, 5, 6, 7, 3, 9, 10], dtype="Int64"),
        "status": pd.array(
            ["ok", "bad", "ok", None, "ok", "worse", "ok", "ok", None, "bad"], dtype="str"
        ),
        "low": pd.array([1, 5, 2, 2, None, 9, 1, 1, 2, 3], dtype="Int64"),
        "high": pd.array([2, 4, 2, 3, 4, 10, None, 2, 1, 4], dtype="Int64"),
    }
)
EXPECTATIONS = [
    _expectation("expect_table_columns_to_match_ordered_list", column_list=list(FRAME.columns)),
    _expectation("expect_table_row_count_to_be_between", min_value=11),
    _expectation("expect_column_values_to_be_unique", column="revid"),
    _expectation("expect_column_values_to_be_of_type", column="revid", type_="int64"),
    _expectation("expect_column_values_to_not_be_null", column="status"),
    _expectation("expect_column_values_to_be_in_set", column="status", value_set=["ok"]),
    _expectation(
        "expect_column_values_to_be_in_set", column="status", value_set=["ok"], mostly=0.6
    ),
    _expectation(
        "expect_column_pair_values_a_to_be_greater_than_b",
        column_A="high",
        column_B="low",
        or_equal=True,
        ignore_row_if="either_value_is_missing",
    ),
    _expectation("expect_column_values_to_be_between", column="low", min_value=0, max_value=5),
]


def _results(frame: Any, keys: list[str] | None = None) -> dict[str, Any]:
    """The stored GX result of one suite run on ``frame``, as plain data, keyed by
    expectation (type and its declared kwargs)."""
    validator = Validator({"checks": Suite("frame", BLOCKING, EXPECTATIONS)})
    validator.run_suites({"checks": frame}, {}, row_keys={"checks": keys} if keys else None)
    store = validator.context.validation_results_store
    (key,) = store.list_keys()
    stored = store.get(key)
    found = {}
    for item in stored.results:
        config = item.expectation_config
        kwargs = {k: v for k, v in config.kwargs.items() if k != "batch_id"}
        found[json.dumps([config.type, kwargs], sort_keys=True)] = {
            "success": item.success,
            "result": item.result,
            "raised": (item.exception_info or {}).get("raised_exception"),
        }
    found["statistics"] = stored.statistics
    return found


@pytest.mark.parametrize("rows", [pytest.param(n, id=f"chunks-of-{n}") for n in (1, 3, 4, 10)])
@pytest.mark.parametrize(
    "keys", [pytest.param(None, id="positions"), pytest.param(["revid"], id="keys")]
)
def test_chunked_results_equal_those_of_the_whole_frame(rows, keys):
    whole = _results(FRAME, keys)
    chunked = _results(Chunked(row_slices(FRAME, rows), whole=FRAME[["revid"]]), keys)
    assert chunked == whole
    assert whole["statistics"]["unsuccessful_expectations"] == 6  # the case shows something


def test_the_frame_has_failures_in_several_chunks():
    """The case above proves merging only if failures fall in different chunks."""
    offending = FRAME.index[FRAME["status"].fillna("").ne("ok")]
    assert sorted(offending // 3) == [0, 1, 1, 2, 3]


def test_the_data_docs_show_one_merged_validation(tmp_path):
    validator = Validator({"checks": Suite("frame", BLOCKING, EXPECTATIONS)})
    report = validator.run_suites(
        {"checks": Chunked(row_slices(FRAME, 3), whole=FRAME[["revid"]])},
        {},
        docs_dir=tmp_path,
        row_keys={"checks": ["revid"]},
    )
    pages = list((tmp_path / "validations" / "checks").rglob("*.html"))
    assert len(pages) == 1
    failed = {f["expectation"]: f for f in report["suites"]["checks"]["failed"]}
    not_null = failed["expect_column_values_to_not_be_null"]
    assert not_null["unexpected_count"] == 2  # rows 3 and 8, in the second and third chunks
    text = " ".join(lxml.html.fromstring(pages[0].read_text()).text_content().split())
    assert "2 unexpected values found" in text


def test_a_chunk_parameter_fills_its_own_chunk_and_shows_as_declared():
    """A value set given per chunk (as revision_links' revids) judges each chunk by its own
    set; the merged result shows the parameter, not one chunk's values."""
    suite = Suite(
        "frame",
        BLOCKING,
        [
            _expectation(
                "expect_column_values_to_be_in_set",
                column="revid",
                value_set={"$PARAMETER": "revids"},
            )
        ],
    )
    known = {1, 2, 3, 5, 6, 7, 9}
    validator = Validator({"links": suite})
    report = validator.run_suites(
        {
            "links": Chunked(
                row_slices(FRAME, 4),
                parameters=lambda chunk: {
                    "revids": sorted(int(r) for r in chunk["revid"] if int(r) in known)
                },
            )
        },
        {},
        row_keys={"links": ["revid"]},
    )
    (failure,) = report["suites"]["links"]["failed"]
    assert failure["unexpected_count"] == 2
    assert failure["rows"] == [{"revid": "4"}, {"revid": "10"}]  # as validation.json writes them
    assert failure["kwargs"]["value_set"] == {"$PARAMETER": "revids"}


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        pytest.param("expect_compound_columns_to_be_unique", "table_wide", id="uniqueness"),
        pytest.param("expect_table_row_count_to_be_between", "table_wide", id="row-count"),
        pytest.param("expect_column_values_to_be_of_type", "shape", id="dtype"),
        pytest.param("expect_column_values_to_be_in_set", "row_wise", id="map"),
        pytest.param("expect_column_pair_values_to_be_equal", "row_wise", id="pair-map"),
    ],
)
def test_each_expectation_is_run_where_its_verdict_holds(kind, expected):
    assert chunk_kind(kind) == expected


@pytest.mark.parametrize(
    "kind",
    [
        pytest.param("expect_column_max_to_be_between", id="aggregate"),
        pytest.param("expect_column_mean_to_be_between", id="statistic"),
    ],
)
def test_an_expectation_of_the_whole_column_is_refused_in_chunks(kind):
    with pytest.raises(ValueError, match="neither row-wise nor one of the table-wide"):
        chunk_kind(kind)


def test_a_streamed_parquet_file_is_read_a_batch_at_a_time(tmp_path):
    """By default pyarrow pre-buffers every row group before the first batch: the chunked
    history checks and the history report held each file whole, so their memory followed
    the history's length."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from transforms.formats import parquet_reader

    rng = np.random.default_rng(17)
    path = tmp_path / "long.parquet"
    texts = [rng.bytes(500).hex() for _ in range(8_000)]
    pq.write_table(pa.table({"text": texts}), path, row_group_size=200)
    size = path.stat().st_size

    def held(reader: pq.ParquetFile) -> int:
        before = pa.total_allocated_bytes()
        first = next(reader.iter_batches(batch_size=200, use_threads=False))
        return pa.total_allocated_bytes() - before - first.nbytes

    assert held(pq.ParquetFile(path)) > size / 2  # what the default does
    assert held(parquet_reader(path)) < size / 10


def test_great_expectations_keeps_no_frame_after_a_suite():
    """GX's execution engine keeps the last batch of each suite, and its context outlives
    the validator: a history's whole-table key columns stayed in memory after the checks."""
    frame = pd.DataFrame({"n": range(1_000)})
    validator = Validator(
        {
            "numbers": Suite(
                "numbers", BLOCKING, [_expectation("expect_column_values_to_be_unique", column="n")]
            )
        }
    )
    report = validator.run_suites(
        {"numbers": Chunked([frame.iloc[:600], frame.iloc[600:]], whole=frame)}, {}
    )
    assert report["success"]
    engine = validator.context.data_sources.get("mekdata").get_execution_engine()
    assert engine.batch_manager.batch_data_cache == {}
    assert engine.batch_manager.batch_cache == {}
