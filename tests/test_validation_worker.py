"""The validation worker: Great Expectations in a process of its own gives the same verdict,
the same report and the same Data Docs as validating in-process, and fails loudly."""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest

from expectations import validation_worker
from expectations.validate import balanced_halves, validate_tables
from expectations.validation_worker import ValidationWorker
from mekdata.errors import ValidationFailed

NOW = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)


def as_json(report: dict) -> str:
    return json.dumps(report, sort_keys=True, default=str)


@pytest.mark.parametrize(
    ("sizes", "expected"),
    [
        pytest.param({"a": 5, "b": 4, "c": 3, "d": 2}, (["a", "d"], ["b", "c"]), id="four"),
        pytest.param({"big": 30, "s1": 5, "s2": 5}, (["big"], ["s1", "s2"]), id="one-heavy"),
        pytest.param({"only": 1}, (["only"], []), id="one-suite"),
        pytest.param({}, ([], []), id="none"),
    ],
)
def test_balanced_halves(sizes, expected):
    assert balanced_halves(sizes) == expected


@pytest.mark.parametrize(
    ("sizes", "head_start", "expected"),
    [
        pytest.param({"a": 5, "b": 4, "c": 3, "d": 2}, 0, (["a", "d"], ["b", "c"]), id="none"),
        pytest.param({"a": 5, "b": 4, "c": 3, "d": 2}, 6, (["c", "d"], ["a", "b"]), id="docs"),
        pytest.param({"a": 5, "b": 4}, 20, ([], ["a", "b"]), id="docs-outweigh-all"),
    ],
)
def test_balanced_halves_with_a_head_start(sizes, head_start, expected):
    """The side that renders the Data Docs afterwards takes that much less to validate."""
    assert balanced_halves(sizes, head_start) == expected


@pytest.mark.slow
def test_worker_report_and_docs_equal_in_process_validation(tables, tmp_path):
    worker = ValidationWorker()
    report = worker.validate(tables, now=NOW, docs_dir=tmp_path)
    assert worker.split is True, "the worker is single-threaded: half the suites run in a fork"
    assert as_json(report) == as_json(validate_tables(tables, now=NOW))
    assert worker.process.returncode is not None
    # Every suite's page, including those validated in the fork, is in the Data Docs.
    pages = {p.stem.removeprefix("mekdata-") for p in (tmp_path / "validations").rglob("*.html")}
    assert pages == set(report["suites"])
    assert (tmp_path / "index.html").is_file()


@pytest.mark.slow
def test_worker_failure_equals_in_process_failure(tables):
    corrupted = dict(tables)
    frame = tables["designations"].copy()
    former = frame.index[frame["delisted_on"].notna()][0]
    frame.loc[former, "listed_on"] = frame.loc[former, "delisted_on"] + dt.timedelta(days=1)
    corrupted["designations"] = frame
    with pytest.raises(ValidationFailed) as from_worker:
        ValidationWorker().validate(corrupted, now=NOW)
    with pytest.raises(ValidationFailed) as in_process:
        validate_tables(corrupted, now=NOW)
    assert str(from_worker.value) == str(in_process.value)
    assert "designations.semantic" in str(from_worker.value)
    # As written to validation.json (a missing value in the sample is NaN, unequal to itself).
    assert as_json(from_worker.value.report) == as_json(in_process.value.report)


def test_a_dead_worker_is_a_clear_validation_error(tables):
    worker = ValidationWorker()
    worker.process.kill()
    worker.process.wait()
    with pytest.raises(ValidationFailed, match=r"could not run.*exited with code -9"):
        worker.validate(tables, now=NOW)


def test_a_worker_validates_once(tables):
    worker = ValidationWorker()
    worker.process.kill()
    with pytest.raises(ValidationFailed):
        worker.validate(tables, now=NOW)
    with pytest.raises(RuntimeError, match="validates once"):
        worker.validate(tables, now=NOW)


def test_an_unneeded_worker_stops():
    worker = ValidationWorker()
    worker.stop()
    assert worker.process.returncode is not None
    with pytest.raises(ProcessLookupError):  # nothing of its process group is left
        os.killpg(worker.process.pid, 0)
    worker.stop()  # stopping twice is harmless


def test_a_prestarted_worker_is_handed_out_once():
    validation_worker.prestart()
    first = validation_worker.acquire()
    second = validation_worker.acquire()
    try:
        assert first is not second
        assert first.process.pid != second.process.pid
    finally:
        first.stop()
        second.stop()
