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


# --- validating ahead: the worker reads and extracts a source file itself ------------------


def without_time(report: dict) -> str:
    """The report as JSON, but for when the suites ran."""
    return as_json({**report, "validated_at": None})


@pytest.fixture
def source_file(tmp_path, article_text):
    path = tmp_path / "article.txt"
    path.write_text(article_text, encoding="utf-8")
    return path


@pytest.mark.slow
def test_worker_validated_ahead_answers_with_the_same_report_and_docs(
    source_file, tables, tmp_path
):
    docs = tmp_path / "docs"
    worker = ValidationWorker(ahead=source_file)
    report = worker.validate(tables, now=dt.datetime.now(dt.UTC), docs_dir=docs)
    assert worker.answered_ahead is True
    assert not worker.scratch.exists()  # the Data Docs of the validation ahead went with it
    today = dt.datetime.fromisoformat(report["validated_at"])
    assert without_time(report) == without_time(validate_tables(tables, now=today))
    pages = {p.stem.removeprefix("mekdata-") for p in (docs / "validations").rglob("*.html")}
    assert pages == set(report["suites"])
    assert (docs / "index.html").is_file()


def test_an_unneeded_worker_leaves_no_scratch_folder(source_file):
    """The folder for the validation ahead belongs to the parent, so a killed worker leaves
    none behind."""
    worker = ValidationWorker(ahead=source_file)
    assert worker.scratch is not None and worker.scratch.is_dir()
    worker.stop()
    assert not worker.scratch.exists()


def corrupted_designations(tables: dict) -> dict:
    corrupted = dict(tables)
    frame = tables["designations"].copy()
    former = frame.index[frame["delisted_on"].notna()][0]
    frame.loc[former, "listed_on"] = frame.loc[former, "delisted_on"] + dt.timedelta(days=1)
    corrupted["designations"] = frame
    return corrupted


@pytest.mark.slow
def test_worker_validates_what_it_is_sent_when_it_differs_from_what_it_read(source_file, tables):
    """The tables sent are another revision's (here: one date moved): the validation ahead is
    of the file and is not the answer; these tables fail as they do in process."""
    corrupted = corrupted_designations(tables)
    worker = ValidationWorker(ahead=source_file)
    with pytest.raises(ValidationFailed) as from_worker:
        worker.validate(corrupted, now=dt.datetime.now(dt.UTC))
    assert worker.answered_ahead is False
    assert "designations.semantic" in str(from_worker.value)


@pytest.mark.slow
@pytest.mark.parametrize(
    "ahead",
    [
        pytest.param("other-day", id="same-tables-another-day"),
        pytest.param("missing-file", id="unreadable-source"),
    ],
)
def test_worker_validates_anew_when_the_validation_ahead_cannot_answer(
    ahead, source_file, tables, tmp_path
):
    path = source_file if ahead == "other-day" else tmp_path / "gone.txt"
    worker = ValidationWorker(ahead=path)
    report = worker.validate(tables, now=NOW)  # NOW is not today: other expectation parameters
    assert worker.answered_ahead is False
    assert as_json(report) == as_json(validate_tables(tables, now=NOW))


@pytest.mark.parametrize(
    ("change", "same"),
    [
        pytest.param(lambda t: t, True, id="copies"),
        pytest.param(lambda t: {**t, "notes": t["notes"].iloc[:-1]}, False, id="a-row-less"),
        pytest.param(
            lambda t: {**t, "notes": t["notes"].iloc[:, ::-1]}, False, id="columns-reordered"
        ),
        pytest.param(
            lambda t: {**t, "designations": t["designations"].astype({"authority_code": object})},
            False,
            id="a-dtype-changed",
        ),
        pytest.param(lambda t: dict(reversed(list(t.items()))), False, id="tables-reordered"),
        pytest.param(corrupted_designations, False, id="a-value-changed"),
    ],
)
def test_same_tables(tables, change, same):
    copies = {name: frame.copy() for name, frame in tables.items()}
    assert validation_worker.same_tables(tables, change(copies)) is same
