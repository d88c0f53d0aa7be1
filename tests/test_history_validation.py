"""The history release's Great Expectations suites (expectations/history_checks.py) on the
scripted history (tests/revision_script.py): they pass on what the builder makes of it, and
each known-bad history fails the expectation named for it. Tables go through Parquet as in
a run; no Prefect."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from expectations.history_checks import (
    CHUNK_ROWS,
    columns_needed,
    row_slices,
    run_checks,
    suite_columns,
    validate_history,
)
from expectations.suites import BLOCKING, load_history_declarations, load_history_suites
from tests.revision_script import revision_script
from tests.test_history import Run, run_history
from transforms.formats import to_arrow
from transforms.history_validation import SPAN_COLUMNS, Replay, latest_claims, replay_steps
from transforms.schema import HISTORY_TABLES, TIMELINE_TABLES, to_frame

Frames = dict[str, pd.DataFrame]
SUITES = load_history_suites()
CROSS_TABLE = load_history_declarations()["cross_table"]
# Chunks of 5 rows put every table and derived frame in several chunks, and a row and its
# corrupted twin (a duplicate span, a second open span) in different ones.
CHUNKINGS = [
    pytest.param(CHUNK_ROWS, id="one-chunk"),
    pytest.param(5, id="chunks-of-5"),
]


@pytest.fixture(scope="module")
def run() -> Run:
    return run_history(revision_script())


@pytest.fixture
def frames(run) -> Frames:
    """The history tables a run of the script publishes, as fresh copies to corrupt."""
    return {
        "revisions": to_frame(HISTORY_TABLES["revisions"], run.revisions),
        **{f"{name}_history": run.spans(name) for name in TIMELINE_TABLES},
        "claim_events": to_frame(HISTORY_TABLES["claim_events"], run.events),
    }


def write_release(folder: Path, frames: Frames, relax_nullability: bool = False) -> Path:
    """Parquet files as the flow writes them (declared schema). ``relax_nullability`` writes
    required columns as nullable, as a writer other than ours could: Parquet itself refuses
    a null in a required column."""
    for name, frame in frames.items():
        arrow = to_arrow(HISTORY_TABLES[name], frame)
        if relax_nullability:
            arrow = arrow.cast(pa.schema([f.with_nullable(True) for f in arrow.schema]))
        pq.write_table(arrow, folder / f"{name}.parquet")
    return folder


def test_history_suites_pass_on_the_scripted_history(run, frames, tmp_path):
    report = run_checks(write_release(tmp_path, frames), run.latest_tables)
    assert report["success"], report["checks"]
    assert set(report["suites"]) == set(SUITES)
    assert {f"{name}.structural" for name in HISTORY_TABLES} | set(CROSS_TABLE) == set(SUITES)
    for name, suite in report["suites"].items():
        assert suite["success"] and suite["gate"] == BLOCKING, name
        assert suite["evaluated"] == len(SUITES[name].expectations) == suite["successful"]
    assert report["gates"][BLOCKING] == {
        "success": True,
        "suites": len(SUITES),
        "evaluated": sum(len(s.expectations) for s in SUITES.values()),
        "failed": 0,
    }
    assert all(check == {"success": True, "problems": []} for check in report["checks"].values())
    json.dumps(report)  # validation.json is written from it
    assert (tmp_path / "data_docs" / "index.html").exists()


def test_checks_in_chunks_report_what_checks_of_whole_tables_report(run, frames, tmp_path):
    """Validating five rows at a time gives the report of one chunk per table: the same
    verdicts, counts and named rows, two failures in different chunks counted together."""
    frames["revisions"].loc[[1, len(frames["revisions"]) - 1], "status"] = "archived"
    unknown_event_kind(frames, run)
    folder = write_release(tmp_path, frames)
    whole, chunked = (
        validate_history(folder, run.latest_tables, SUITES, chunk_rows=rows)
        for rows in (CHUNK_ROWS, 5)
    )
    assert len(frames["revisions"]) > 2 * 5 and len(frames["claim_events"]) > 2 * 5
    assert chunked["suites"] == whole["suites"]
    assert chunked["checks"] == whole["checks"]
    (status,) = chunked["suites"]["revisions.structural"]["failed"]
    assert (status["column"], status["unexpected_count"]) == ("status", 2)
    assert not chunked["success"]


def test_events_replayed_a_chunk_at_a_time_give_what_replaying_them_at_once_gives(run):
    events = pd.DataFrame(run.events)
    at_once, claims = replay_steps(events)
    replay = Replay()
    in_chunks = pd.concat(
        [replay.steps(chunk) for chunk in row_slices(events.sort_values("seq"), 7)],
        ignore_index=True,
    )
    assert len(events) > 2 * 7
    pd.testing.assert_frame_equal(in_chunks, at_once)
    assert replay.claims == claims == latest_claims(run.latest_tables)


@pytest.mark.parametrize("chunk_rows", CHUNKINGS)
def test_events_written_out_of_seq_order_are_replayed_in_seq_order(
    run, frames, tmp_path, chunk_rows
):
    """The flow writes events in seq order, and replay then reads them a chunk at a time; a
    file in another order is read whole and sorted, and passes the same checks."""
    frames["claim_events"] = frames["claim_events"].sample(frac=1, random_state=7)
    assert not frames["claim_events"]["seq"].is_monotonic_increasing
    suites = {name: SUITES[name] for name in ("replay_steps", "replay_result")}
    folder = write_release(tmp_path, frames)
    report = validate_history(folder, run.latest_tables, suites, chunk_rows=chunk_rows)
    assert report["success"], report["checks"]


@pytest.mark.parametrize("chunk_rows", CHUNKINGS)
def test_an_empty_history_table_is_checked_as_one_empty_chunk(run, frames, tmp_path, chunk_rows):
    """A claim table the article never had: its suite still evaluates every expectation."""
    frames["electoral_history_history"] = frames["electoral_history_history"].iloc[0:0]
    suite = "electoral_history_history.structural"
    folder = write_release(tmp_path, frames)
    report = validate_history(
        folder, run.latest_tables, {suite: SUITES[suite]}, chunk_rows=chunk_rows
    )
    assert report["suites"][suite]["evaluated"] == len(SUITES[suite].expectations)
    assert report["success"], report["checks"]


def test_every_history_expectation_says_why():
    for frame in CROSS_TABLE.values():
        assert frame["description"] and frame["row_key"]
        for expectation in frame["expectations"]:
            assert expectation["meta"]["reason"], expectation


NOTHING_WHOLE = {name: [] for name in HISTORY_TABLES}


@pytest.mark.parametrize(
    ("suite", "whole", "in_chunks"),
    [
        pytest.param(
            "span_order",
            NOTHING_WHOLE
            | {f"{name}_history": list(SPAN_COLUMNS) for name in TIMELINE_TABLES}
            | {"revisions": ["revid", "timestamp"]},
            None,
            id="spans-read-no-claim-columns",
        ),
        pytest.param(
            "replay_steps",
            NOTHING_WHOLE | {"claim_events": ["seq"]},
            None,
            id="replay-reads-the-event-order-whole",
        ),
        pytest.param(
            "revision_links",
            NOTHING_WHOLE | {"revisions": ["revid"]},
            None,
            id="links-read-the-revids-whole",
        ),
        pytest.param(
            "revisions.structural",
            NOTHING_WHOLE,
            (HISTORY_TABLES["revisions"].column_names, ["revid"]),
            id="structural-reads-its-table-in-chunks-and-its-key-whole",
        ),
        pytest.param(
            "designations_history.structural",
            NOTHING_WHOLE,
            (
                HISTORY_TABLES["designations_history"].column_names,
                ["claim_key", "valid_from_revid"],
            ),
            id="structural-reads-a-compound-key-whole",
        ),
    ],
)
def test_a_check_reads_only_the_columns_it_uses(suite, whole, in_chunks):
    """``whole``: what is read for every row at once (the derived frames' inputs);
    ``in_chunks``: what a table's own suite reads chunk by chunk, and whole (its key, for
    row count and uniqueness)."""
    assert columns_needed({suite: SUITES[suite]}) == whole
    if in_chunks is not None:
        assert suite_columns(SUITES[suite]) == in_chunks


# --- known-bad histories ----------------------------------------------------------------


def _span(frames: Frames, key: str, nth: int, table: str = "designations") -> int:
    """The index of the claim's nth span (by start) in its history table."""
    spans = frames[f"{table}_history"]
    return spans[spans["claim_key"] == key].sort_values("valid_from_revid").index[nth]


def _saved(frames: Frames, revid: int) -> pd.Timestamp:
    revisions = frames["revisions"]
    return revisions.loc[revisions["revid"] == revid, "timestamp"].iloc[0]


def _end_span(frames: Frames, key: str, nth: int, revid: int | None) -> None:
    spans = frames["designations_history"]
    index = _span(frames, key, nth)
    spans.loc[index, "valid_to_revid"] = pd.NA if revid is None else revid
    spans.loc[index, "valid_to"] = pd.NaT if revid is None else _saved(frames, revid)


def _events_without(frames: Frames, keep: Callable[[pd.DataFrame], pd.Series]) -> None:
    events = frames["claim_events"]
    frames["claim_events"] = events[keep(events)].reset_index(drop=True)


def overlapping_span(frames, run):
    _end_span(frames, "GB|", 0, 1004)  # runs into the span that starts at 1003


def second_open_span(frames, run):
    _end_span(frames, "GB|", 0, None)  # open, yet followed by two more spans


def span_ending_before_it_starts(frames, run):
    _end_span(frames, "GB|", 1, 1002)  # from 1003 to 1002


def span_ending_where_it_starts(frames, run):
    _end_span(frames, "GB|", 1, 1003)  # from 1003 to 1003: valid_from == valid_to


def valid_from_off_its_revision(frames, run):
    spans = frames["designations_history"]
    spans.loc[_span(frames, "GB|", 1), "valid_from"] += pd.Timedelta(minutes=1)


def open_span_with_valid_to(frames, run):
    spans = frames["designations_history"]
    spans.loc[_span(frames, "GB|", 2), "valid_to"] = _saved(frames, 1013)


def event_with_unknown_revid(frames, run):
    frames["claim_events"].loc[0, "revid"] = 999


def span_from_unknown_revision(frames, run):
    revisions = frames["revisions"]
    frames["revisions"] = revisions[revisions["revid"] != 1003].reset_index(drop=True)


def claim_added_twice(frames, run):
    events = frames["claim_events"]
    again = events.iloc[[0]].assign(seq=events["seq"].max() + 1)
    frames["claim_events"] = pd.concat([events, again], ignore_index=True)


def wrong_old_value(frames, run):
    events = frames["claim_events"]
    events.loc[events["revid"] == 1012, "old_value"] = "294"  # it was 294;295


def change_of_a_missing_claim(frames, run):
    events = frames["claim_events"]
    events.loc[events["revid"] == 1003, "claim_key"] = "GR|"


def added_event_deleted(frames, run):
    _events_without(frames, lambda e: e["claim_key"] != "NZ|")


def removed_event_deleted(frames, run):
    _events_without(frames, lambda e: ~((e["claim_key"] == "JP|") & (e["event"] == "removed")))


def revert_deleted(frames, run):
    _events_without(frames, lambda e: e["revid"] != 1004)  # GB's date stays at 29 March


def unknown_status(frames, run):
    frames["revisions"].loc[3, "status"] = "archived"


def unknown_event_kind(frames, run):
    frames["claim_events"].loc[0, "event"] = "renamed"


def duplicate_span(frames, run):
    spans = frames["designations_history"]
    frames["designations_history"] = pd.concat([spans, spans.iloc[[0]]], ignore_index=True)


def span_without_valid_from(frames, run):
    frames["designations_history"].loc[0, "valid_from"] = pd.NaT


A_GREATER = "expect_column_pair_values_a_to_be_greater_than_b"
EQUAL = "expect_column_pair_values_to_be_equal"
IN_SET = "expect_column_values_to_be_in_set"
NOT_NULL = "expect_column_values_to_not_be_null"
UNIQUE = "expect_compound_columns_to_be_unique"
# (corruption, the suite and expectation it fails, the column the failure names)
BAD_HISTORIES = [
    (overlapping_span, "span_order", A_GREATER, "next_starts_at"),
    (second_open_span, "span_order", A_GREATER, "next_starts_at"),
    (span_ending_before_it_starts, "span_order", A_GREATER, "ends_at"),
    (span_ending_where_it_starts, "span_order", A_GREATER, "ends_at"),
    (valid_from_off_its_revision, "span_order", EQUAL, "valid_from"),
    (open_span_with_valid_to, "span_order", EQUAL, "valid_to"),
    (event_with_unknown_revid, "revision_links", IN_SET, "revid"),
    (span_from_unknown_revision, "revision_links", IN_SET, "revid"),
    (claim_added_twice, "replay_steps", EQUAL, "before_in_event"),
    (wrong_old_value, "replay_steps", EQUAL, "before_in_event"),
    (change_of_a_missing_claim, "replay_steps", EQUAL, "before_in_event"),
    (added_event_deleted, "replay_result", NOT_NULL, "replayed"),
    (removed_event_deleted, "replay_result", NOT_NULL, "latest"),
    (revert_deleted, "replay_result", EQUAL, "replayed"),
    (unknown_status, "revisions.structural", IN_SET, "status"),
    (unknown_event_kind, "claim_events.structural", IN_SET, "event"),
    (duplicate_span, "designations_history.structural", UNIQUE, ["claim_key", "valid_from_revid"]),
    (span_without_valid_from, "designations_history.structural", NOT_NULL, "valid_from"),
]


@pytest.mark.parametrize("chunk_rows", CHUNKINGS)
@pytest.mark.parametrize(
    ("corrupt", "suite", "expectation", "column"),
    [pytest.param(*case, id=case[0].__name__.replace("_", "-")) for case in BAD_HISTORIES],
)
def test_a_bad_history_fails_the_named_expectation(
    run, frames, tmp_path, corrupt, suite, expectation, column, chunk_rows
):
    corrupt(frames, run)
    folder = write_release(tmp_path, frames, relax_nullability=True)
    report = validate_history(
        folder, run.latest_tables, {suite: SUITES[suite]}, chunk_rows=chunk_rows
    )
    assert not report["success"]
    failed = report["suites"][suite]["failed"]
    assert [(f["expectation"], f["column"], f["exception"]) for f in failed] == [
        (expectation, column, None)
    ]
    assert report["checks"][suite]["problems"], report["checks"]


def test_every_history_expectation_has_a_bad_history_that_fails_it():
    named = {(suite, expectation, str(column)) for _, suite, expectation, column in BAD_HISTORIES}
    for name in CROSS_TABLE:
        for expectation in SUITES[name].expectations:
            kwargs = expectation["kwargs"]
            column = kwargs.get("column") or kwargs.get("column_A")
            assert (name, expectation["type"], column) in named, (name, expectation)


def test_a_failed_history_names_the_offending_rows(run, frames, tmp_path):
    overlapping_span(frames, run)
    report = run_checks(write_release(tmp_path, frames), run.latest_tables)
    assert not report["success"]
    problems = [p for check in report["checks"].values() for p in check["problems"]]
    assert len(problems) == 1, problems
    assert problems[0].startswith(
        "span_order.next_starts_at: expected column pair values a to be greater than b; "
        "1 row(s) do not: ("
    )
    for named in ("table designations", "claim_key GB|", "valid_from_revid 1000"):
        assert named in problems[0]


@pytest.mark.parametrize(
    ("table", "column", "written_as"),
    [
        pytest.param("revisions", "timestamp", pa.timestamp("s"), id="timestamp-without-zone"),
        pytest.param("claim_events", "revid", pa.string(), id="revid-as-text"),
        pytest.param("designations_history", "valid_from_revid", pa.float64(), id="revid-as-float"),
    ],
)
def test_a_column_written_in_another_type_fails_its_type_check(
    run, frames, tmp_path, table, column, written_as
):
    write_release(tmp_path, frames)
    path = tmp_path / f"{table}.parquet"
    arrow = pq.read_table(path)
    index = arrow.schema.get_field_index(column)
    pq.write_table(arrow.set_column(index, column, arrow.column(index).cast(written_as)), path)
    suite = f"{table}.structural"
    report = validate_history(tmp_path, run.latest_tables, {suite: SUITES[suite]})
    failed = [(f["expectation"], f["column"]) for f in report["suites"][suite]["failed"]]
    assert ("expect_column_values_to_be_of_type", column) in failed  # a range check may fail too
