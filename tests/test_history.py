"""Claim timelines over the scripted revision history (tests/revision_script.py)."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import pickle
from dataclasses import dataclass, field

import pandas as pd
import pytest

from tests.revision_script import BASE_KEYS, ScriptedRevision, revision_script
from tests.revision_script import realistic_script as revision_script_realistic
from transforms import extract_all
from transforms.document import Document
from transforms.formats import csv_bytes, to_arrow
from transforms.history import (
    REFERENCE_TRACKED,
    Claims,
    HistoryConfig,
    HistoryError,
    RevisionMeta,
    RevisionOutcome,
    TimelineBuilder,
    claim_key,
    claim_keys,
    claim_sources,
    failed_outcome,
    history_frame,
    identical_outcome,
    identical_targets,
    plain_records,
    process_revision,
    records,
    sections_sha1,
    share_repeated_rows,
    tables_from_open_spans,
    tracked_columns,
    value_text,
)
from transforms.history_validation import latest_claims, replay_steps
from transforms.references import reference_rows
from transforms.schema import (
    CLAIM_TABLES,
    HISTORY_TABLES,
    TABLES,
    TIMELINE_TABLES,
    Column,
    arrow_schema,
    to_frame,
)

SCRIPT = revision_script()
BY_REVID = {r.revid: r for r in SCRIPT}


@dataclass
class Run:
    outcomes: dict[int, RevisionOutcome] = field(default_factory=dict)
    revisions: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    closed: dict[str, list[dict]] = field(default_factory=lambda: {t: [] for t in TIMELINE_TABLES})
    open: dict[str, list[dict]] = field(default_factory=dict)
    extracted: list[int] = field(default_factory=list)
    latest_tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def events_of(self, revid: int) -> list[dict]:
        return [e for e in self.events if e["revid"] == revid]

    def spans(self, table: str) -> pd.DataFrame:
        return history_frame(table, [*self.closed[table], *self.open[table]])

    def frames(self):
        revisions = pd.DataFrame(self.revisions)
        events = pd.DataFrame(self.events)
        return revisions, events, {t: self.spans(t) for t in CLAIM_TABLES}


def run_history(script: list[ScriptedRevision], config: HistoryConfig | None = None) -> Run:
    """What a history flow does, in one process: triage and extract each revision, then feed
    the builder in order. The extractor is the real one, wrapped to count its calls."""
    run = Run()
    builder = TimelineBuilder()
    repeats = identical_targets((r.revid, r.sha1) for r in script)
    builder.expect_identical(repeats)
    parent_size = None
    for scripted in script:
        meta = RevisionMeta(
            scripted.revid, scripted.parentid, scripted.timestamp, scripted.sha1, scripted.size
        )

        def counting_extract(text, revid=scripted.revid):
            run.extracted.append(revid)
            return extract_all(text)

        if scripted.revid in repeats:  # decided from the listing: not read at all
            outcome = identical_outcome(meta, repeats[scripted.revid])
        else:
            outcome = process_revision(
                meta,
                scripted.text,
                parent_size=parent_size,
                base_sections_sha1=builder.base_sections_sha1,
                config=config or HistoryConfig(),
                extract=counting_extract,
            )
        parent_size = scripted.size
        if outcome.tables is not None:
            run.latest_tables = outcome.tables
        run.outcomes[scripted.revid] = outcome
        step = builder.add(outcome)
        run.revisions.append(step.revision)
        run.events += step.events
        for table, spans in step.closed.items():
            run.closed[table] += spans
    run.open = builder.finish()
    # The references are checked against the open spans, as the flow does.
    standing = history_frame("references", run.open["references"])
    run.latest_tables["references"] = tables_from_open_spans({"references": standing})["references"]
    return run


@pytest.fixture(scope="module")
def run() -> Run:
    return run_history(SCRIPT)


def _event_tuple(event: dict) -> tuple:
    return (
        event["table"],
        event["claim_key"],
        event["event"],
        event["column"],
        event["old_value"],
        event["new_value"],
    )


# --- the script, revision by revision ---------------------------------------------------


@pytest.mark.parametrize("scripted", [pytest.param(r, id=f"{r.revid}-{r.what}") for r in SCRIPT])
def test_status_matches_the_script(run, scripted):
    outcome = run.outcomes[scripted.revid]
    assert (outcome.status, outcome.reason) == (scripted.status, scripted.reason)


@pytest.mark.parametrize("scripted", [pytest.param(r, id=f"{r.revid}-{r.what}") for r in SCRIPT])
def test_events_match_the_script(run, scripted):
    got = run.events_of(scripted.revid)
    if scripted.revid == SCRIPT[0].revid:  # every reference added: see the test below
        got = [e for e in got if e["table"] != "references"]
    assert [(e["table"], e["claim_key"], e["event"]) for e in got] == [
        (x.table, x.claim_key, x.event) for x in scripted.events
    ]
    for event, expected in zip(got, scripted.events, strict=True):
        if expected.event == "changed":
            assert (event["column"], event["old_value"], event["new_value"]) == (
                expected.column,
                expected.old,
                expected.new,
            )
        else:
            payload = json.loads(event["new_value" if expected.event == "added" else "old_value"])
            assert event["column"] is None
            assert {k: payload[k] for k in expected.values} == expected.values
        assert event["timestamp"] == scripted.timestamp
        assert event["parentid"] == scripted.parentid


def test_first_revision_adds_every_claim_once(run):
    events = run.events_of(SCRIPT[0].revid)
    for table, keys in BASE_KEYS.items():
        assert sorted(e["claim_key"] for e in events if e["table"] == table) == sorted(keys)
    # ... and every reference, by its ref_key, with what it cites.
    references = extract_all(SCRIPT[0].text)["references"]
    added = {
        e["claim_key"]: json.loads(e["new_value"]) for e in events if e["table"] == "references"
    }
    assert sorted(added) == sorted(references["ref_key"])
    assert len(added) == len(references) > 400
    assert set(next(iter(added.values()))) == set(REFERENCE_TRACKED)


def test_events_are_numbered_in_order(run):
    assert [e["seq"] for e in run.events] == list(range(1, len(run.events) + 1))


# --- reuse, vandalism, spans ------------------------------------------------------------


def test_unchanged_sections_and_identical_revisions_are_not_extracted(run):
    unchanged = [r.revid for r in SCRIPT if r.status == "unchanged_sections"]
    identical = [r.revid for r in SCRIPT if r.status == "identical"]
    assert unchanged == [1001] and identical == [1004, 1009, 1011]
    assert not set(unchanged + identical) & set(run.extracted)
    for revid in unchanged + identical:
        assert run.outcomes[revid].tables is None
    # What a reference-list edit is compared with: the revision before it.
    assert run.revisions[1]["base_revid"] == 1000


def test_blanked_and_shrunk_revisions_change_no_span(run):
    vandal = {1008, 1010}
    rows = {r["revid"]: r for r in run.revisions}
    assert rows[1008]["detail"].startswith("13 non-blank characters")
    assert "14% of its parent's" in rows[1010]["detail"]
    assert not [e for e in run.events if 1008 <= e["revid"] <= 1011]
    for table in CLAIM_TABLES:
        spans = run.spans(table)
        assert not set(spans["valid_from_revid"]) & vandal
        assert not set(spans["valid_to_revid"].dropna()) & vandal
    # The revert after a blanking is compared with the last good revision, not the blank.
    assert rows[1009]["base_revid"] == 1007 and rows[1012]["base_revid"] == 1011


def test_a_date_changed_and_reverted_makes_three_spans(run):
    spans = run.spans("designations")
    gb = spans[spans["claim_key"] == "GB|"].sort_values("valid_from_revid")
    assert gb["valid_from_revid"].tolist() == [1000, 1003, 1004]
    assert gb["valid_to_revid"].tolist()[:2] == [1003, 1004]
    assert pd.isna(gb["valid_to_revid"].iloc[2]) and pd.isna(gb["valid_to"].iloc[2])
    assert [d.date() for d in gb["listed_on"]] == [
        dt.date(2001, 3, 28),
        dt.date(2001, 3, 29),
        dt.date(2001, 3, 28),
    ]
    # Each span keeps the quote as read in its first revision.
    assert "29 March 2001" in gb["quote"].iloc[1] and "28 March 2001" in gb["quote"].iloc[2]


def test_removed_claim_span_is_closed(run):
    spans = run.spans("designations")
    jp = spans[spans["claim_key"] == "JP|"]
    assert jp["valid_from_revid"].tolist() == [1000] and jp["valid_to_revid"].tolist() == [1013]


def test_positional_columns_move_without_events(run):
    """r1006 adds blank lines above most claims: source lines move, nothing is an event, and
    the open spans keep the lines as read when each span began."""
    before = run.outcomes[1005].tables["designations"].set_index("designation_id")
    after = run.outcomes[1006].tables["designations"].set_index("designation_id")
    below = before["source_line"] > 48  # the blank lines go in above "Other names"
    assert (after["source_line"] - before["source_line"])[below].eq(2).all()
    assert (after["source_line"] == before["source_line"])[~below].all()
    assert run.events_of(1006) == [] and run.events_of(1007) == []


def test_open_spans_are_the_latest_claims(run):
    for table in CLAIM_TABLES:
        assert len(run.open[table]) == len(run.latest_tables[table])
        assert all(span["valid_to_revid"] is None for span in run.open[table])


def test_history_frames_have_the_declared_schema(run):
    spans = run.frames()[2]
    frames = {
        "revisions": history_frame_of("revisions", run.revisions),
        "claim_events": history_frame_of("claim_events", run.events),
        **{f"{t}_history": frame for t, frame in spans.items()},
    }
    for name, frame in frames.items():
        table = HISTORY_TABLES[name]
        assert to_arrow(table, frame).schema.equals(arrow_schema(table), check_metadata=True)
    csv = csv_bytes(
        HISTORY_TABLES["revisions"], to_arrow(HISTORY_TABLES["revisions"], frames["revisions"])
    )
    assert b"2024-01-01T00:00:00Z" in csv


def history_frame_of(name: str, rows: list[dict]) -> pd.DataFrame:
    from transforms.schema import to_frame

    return to_frame(HISTORY_TABLES[name], rows)


# --- claim keys -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "table, left, right",
    [
        pytest.param(
            "membership_estimates",
            {
                "estimator": "Council on Foreign Relations",
                "measure": "members",
                "year_start": 2005,
                "year_end": 2005,
            },
            {
                "estimator": "the Council on  Foreign\nRelations.",
                "measure": "Members",
                "year_start": 2005,
                "year_end": 2005,
                "source_line": 9,
            },
            id="estimator-whitespace-case-article",
        ),
        pytest.param(
            "membership_estimates",
            {"estimator": "DoD", "estimator_id": "us-dod", "measure": "members", "period": "2011"},
            {
                "estimator": "United States Department of Defense",
                "estimator_id": "us-dod",
                "measure": "members",
                "period": "2011",
            },
            id="estimator-id-wins",
        ),
        pytest.param(
            "designations",
            {"authority_code": "GB", "regime": None, "listed_on": "2001-03-28", "source_line": 401},
            {"authority_code": "GB", "regime": None, "listed_on": "2001-03-29", "source_line": 420},
            id="designation-date-and-line-are-not-key",
        ),
        pytest.param(
            "electoral_history",
            {"year": 1979, "election": "Assembly of Experts election"},
            {"year": 1979, "election": "Assembly of  experts election "},
            id="election-whitespace",
        ),
    ],
)
def test_same_claim_same_key(table, left, right):
    assert claim_key(table, left) == claim_key(table, right)


@pytest.mark.parametrize(
    "table, left, right",
    [
        pytest.param(
            "designations",
            {"authority_code": "IR", "regime": "current government"},
            {"authority_code": "IR", "regime": "Pahlavi dynasty"},
            id="regime",
        ),
        pytest.param(
            "membership_estimates",
            {"estimator": "CFR", "measure": "members", "year_start": 2005, "year_end": 2005},
            {"estimator": "CFR", "measure": "fighters", "year_start": 2005, "year_end": 2005},
            id="measure",
        ),
        pytest.param(
            "electoral_history",
            {"year": 1979, "election": "Constitutional referendum"},
            {"year": 1980, "election": "Constitutional referendum"},
            id="year",
        ),
    ],
)
def test_different_claims_differ(table, left, right):
    assert claim_key(table, left) != claim_key(table, right)


def test_shared_keys_are_numbered_whatever_the_row_order():
    table = TABLES["membership_estimates"]
    rows = [
        {
            "estimator": "IISS",
            "measure": "members",
            "year_start": 2003,
            "year_end": 2003,
            "source_line": 10,
            "position": pos,
            "low": low,
        }
        for pos, low in ((50, 9000), (5, 3000))
    ]
    frame = pd.DataFrame([{c: r.get(c) for c in table.column_names} for r in rows])
    keys, notes = claim_keys("membership_estimates", frame)
    assert keys == ["iiss|members|2003#2", "iiss|members|2003"]  # reading order decides
    reversed_keys, _ = claim_keys("membership_estimates", frame.iloc[::-1].reset_index(drop=True))
    assert reversed_keys == ["iiss|members|2003", "iiss|members|2003#2"]
    assert notes == [
        "membership_estimates: 2 rows share key 'iiss|members|2003' (lines 10, 10); numbered"
    ]


def test_base_collision_is_reported_in_the_revision_detail(run):
    detail = run.revisions[0]["detail"]
    assert "the-military-balance+bmi-research|members|2003..2008" in detail
    assert "us-department-of-defense|members|2011" in detail


def test_claim_key_rejects_other_tables():
    with pytest.raises(KeyError, match="not a claim table"):
        claim_key("findings", {})


def test_a_reference_is_keyed_by_its_ref_key():
    assert claim_key("references", {"ref_key": "doi:10.1/x", "ref_number": 7}) == "doi:10.1/x"


# --- the sections a table comes from ----------------------------------------------------


def test_claim_sources_are_the_body_only():
    base, edited = SCRIPT[0].text, SCRIPT[1].text  # a reference's retrieval date changed
    assert base != edited
    assert sections_sha1(base) == sections_sha1(edited)
    assert set(claim_sources(base)) == set(CLAIM_TABLES)
    assert "Designation as a terrorist organization" in claim_sources(base)["designations"]
    assert "Retrieved 29 June 2018" not in claim_sources(base)["designations"]
    assert sections_sha1(base) != sections_sha1(SCRIPT[2].text)


# --- triage of single revisions ---------------------------------------------------------


def _meta(revid: int, size: int | None = None) -> RevisionMeta:
    return RevisionMeta(
        revid,
        revid - 1,
        dt.datetime(2024, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=revid),
        None,
        size,
    )


def test_extractor_failure_is_recorded_not_raised():
    def broken(text):
        raise ValueError("no table header")

    outcome = process_revision(_meta(5), SCRIPT[0].text, extract=broken)
    assert (outcome.status, outcome.reason) == ("failed", "extract_error")
    assert outcome.detail == "ValueError: no table header"


def test_revision_without_claims_is_skipped_as_no_tables():
    text = "A short stub about a group.\n\n" + "It was founded long ago in a city. " * 20
    outcome = process_revision(_meta(5), text)
    assert (outcome.status, outcome.reason) == ("skipped", "no_tables")


@pytest.mark.parametrize(
    "config, status",
    [
        pytest.param(HistoryConfig(), "skipped", id="default-ratio"),
        pytest.param(HistoryConfig(shrink_ratio=0.1), "extracted", id="lower-ratio"),
    ],
)
def test_shrink_threshold_is_configurable(config, status):
    cut = BY_REVID[1010]
    outcome = process_revision(
        _meta(5, cut.size), cut.text, parent_size=BY_REVID[1009].size, config=config
    )
    assert outcome.status == status


def test_failed_revision_changes_nothing_and_the_next_compares_with_the_last_good():
    builder = TimelineBuilder()
    builder.add(process_revision(_meta(1), SCRIPT[0].text))
    step = builder.add(failed_outcome(_meta(2), "fetch_error", "HTTP 503 after 3 tries"))
    assert step.events == [] and step.revision["status"] == "failed"
    step = builder.add(process_revision(_meta(3), BY_REVID[1003].text))
    assert step.revision["base_revid"] == 1
    # r1003's own events (GB's date, and its agreement with the record where it flips) and
    # r1002's row, both against the last good revision.
    expected = [e.claim_key for e in BY_REVID[1003].events] + ["NZ|"]
    assert [e["claim_key"] for e in step.events] == expected


def test_builder_rejects_revisions_out_of_order():
    builder = TimelineBuilder()
    builder.add(failed_outcome(_meta(2), "fetch_error", "timeout"))
    with pytest.raises(HistoryError, match="came after"):
        builder.add(failed_outcome(_meta(1), "fetch_error", "timeout"))


def test_builder_rejects_unchanged_sections_with_nothing_to_reuse():
    with pytest.raises(HistoryError, match="no earlier revision"):
        TimelineBuilder().add(RevisionOutcome(_meta(1), "unchanged_sections"))


# --- values and schema ------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, value, text",
    [
        pytest.param("list<int32>", [294, 295], "294;295", id="list"),
        pytest.param("list<int32>", [], "", id="empty-list"),
        pytest.param(
            "list<string>",
            ["name:Maloney", "isbn:9780300043044"],
            "name:Maloney;isbn:9780300043044",
            id="string-list",
        ),
        pytest.param("list<string>", [], "", id="empty-string-list"),
        pytest.param("date", dt.date(2001, 3, 28), "2001-03-28", id="date"),
        pytest.param("float64", 1 / 73, "0.0136986301369863", id="float"),
        pytest.param("boolean", False, "false", id="boolean"),
        pytest.param("int64", 13500, "13500", id="int"),
        pytest.param("string", "", "", id="empty-string"),
        pytest.param("string", None, None, id="null"),
    ],
)
def test_event_values_as_text(kind, value, text):
    assert value_text(Column("x", kind, "test"), value) == text


def test_history_tables_are_derived_from_the_claim_tables():
    for name in CLAIM_TABLES:
        history = HISTORY_TABLES[f"{name}_history"]
        assert history.column_names[: len(TABLES[name].columns)] == TABLES[name].column_names
        assert history.column_names[len(TABLES[name].columns) :] == [
            "claim_key",
            "valid_from_revid",
            "valid_from",
            "valid_to_revid",
            "valid_to",
        ]
    assert not set(HISTORY_TABLES) & set(TABLES)


def test_quote_positions_and_reference_numbers_are_not_tracked():
    untracked = {"quote", "source_line", "position", "citations", "citation_rule"}
    assert untracked.isdisjoint(tracked_columns("membership_estimates"))
    assert "citation_keys" in tracked_columns("designations")
    assert {"citation_keys", "enrichment_citation_keys"} <= set(
        tracked_columns("electoral_history")
    )
    assert {"enrichment_citations", "enrichment_lines"}.isdisjoint(
        tracked_columns("electoral_history")
    )
    assert {"ref_number", "text", "retrieved_on", "archived_on", "archived"}.isdisjoint(
        tracked_columns("references")
    )


def test_a_resumed_builder_continues_exactly(run):
    """A re-run restores the builder from the published open spans and feeds only the new
    revisions: its events and spans equal those of one uninterrupted run."""
    cut = 6  # after r1005; r1006 onwards are "new"
    first = run_history(SCRIPT[:cut])
    last = SCRIPT[cut - 1]
    builder = TimelineBuilder.resume(
        {t: first.spans(t)[first.spans(t)["valid_to_revid"].isna()] for t in TIMELINE_TABLES},
        last=RevisionMeta(last.revid, last.parentid, last.timestamp, last.sha1, last.size),
        base=RevisionMeta(last.revid, last.parentid, last.timestamp, last.sha1, last.size),
        next_seq=len(first.events) + 1,
    )
    builder.expect_identical(
        {
            x: y
            for x, y in identical_targets((r.revid, r.sha1) for r in SCRIPT).items()
            if y > last.revid
        }
    )
    events = []
    for scripted in SCRIPT[cut:]:
        step = builder.add(run.outcomes[scripted.revid])
        events += step.events
    assert events == [e for e in run.events if e["revid"] > last.revid]
    finished = builder.finish()
    for table in CLAIM_TABLES:
        assert history_frame(table, finished[table]).equals(history_frame(table, run.open[table]))


def _swap_lines_of_numbered_claims(spans: pd.DataFrame) -> pd.DataFrame:
    """Open spans as they can be after edits: a numbered claim (``#2``) whose span began in a
    later revision may carry a line above its first-numbered sibling's."""
    spans = spans.copy()
    for key in [k for k in spans["claim_key"] if k.endswith("#2")]:
        first = spans.index[spans["claim_key"] == key.removesuffix("#2")][0]
        second = spans.index[spans["claim_key"] == key][0]
        lines = spans.loc[[first, second], "source_line"].tolist()
        spans.loc[[first, second], "source_line"] = lines[::-1]
    return spans


@pytest.mark.parametrize(
    "alter",
    [
        pytest.param(lambda spans: spans, id="as-published"),
        pytest.param(_swap_lines_of_numbered_claims, id="numbered-claims-lines-swapped"),
    ],
)
def test_open_spans_give_back_the_latest_claims_with_their_keys(run, alter):
    """A continued run that extracted nothing new checks its replayed events against the
    previous release's open spans: read as tables, they must key exactly as the latest
    extraction did, collision numbers included."""
    open_spans = {t: alter(history_frame(t, run.open[t])) for t in TIMELINE_TABLES}
    assert any(k.endswith("#2") for k in open_spans["membership_estimates"]["claim_key"])
    tables = tables_from_open_spans(open_spans)
    from_spans, extracted = latest_claims(tables), latest_claims(run.latest_tables)
    assert {t: from_spans[t] for t in CLAIM_TABLES} == {t: extracted[t] for t in CLAIM_TABLES}
    assert len(from_spans["references"]) > 400
    _, replayed = replay_steps(pd.DataFrame(run.events))
    assert replayed == latest_claims(tables)


def test_claim_keys_use_an_estimator_id_column_when_the_frame_has_one():
    frame = extract_all(SCRIPT[0].text)["membership_estimates"]
    frame = frame.assign(
        estimator_id=[
            "us-dod" if e in ("DoD", "United States Department of Defense") else None
            for e in frame["estimator"]
        ]
    )
    keys, notes = claim_keys("membership_estimates", frame)
    assert keys.count("us-dod|members|2011") == 1 and keys.count("us-dod|members|2011#2") == 1
    assert any("'us-dod|members|2011'" in note for note in notes)


# --- identical revisions ----------------------------------------------------------------


@pytest.mark.parametrize(
    "listing, expected",
    [
        pytest.param([(1, "a"), (2, "b"), (3, "a")], {3: 1}, id="revert"),
        pytest.param(
            [(1, "a"), (2, "b"), (3, "a"), (4, "b"), (5, "a")],
            {3: 1, 4: 2, 5: 3},
            id="edit-war-latest-twin",
        ),
        pytest.param([(1, None), (2, None), (3, "")], {}, id="hidden-sha1-matches-nothing"),
    ],
)
def test_identical_targets_name_the_latest_earlier_twin(listing, expected):
    assert identical_targets(listing) == expected


def test_identical_revisions_take_the_rows_of_the_revision_they_repeat(run):
    rows = {r["revid"]: r for r in run.revisions}
    assert {r: rows[r]["identical_to_revid"] for r in (1004, 1009, 1011)} == {
        1004: 1002,
        1009: 1007,
        1011: 1009,
    }
    assert all(rows[r]["identical_to_revid"] is None for r in rows if r not in (1004, 1009, 1011))
    # Its sections are the repeated revision's, and the next revision is compared with it.
    assert rows[1004]["sections_sha1"] == rows[1002]["sections_sha1"]
    assert rows[1005]["base_revid"] == 1004 and rows[1012]["base_revid"] == 1011
    assert rows[1004]["reason"] is None and rows[1004]["detail"] == "identical to 1002"


def test_repeating_a_blanked_revision_changes_nothing_and_says_why():
    builder = TimelineBuilder()
    builder.expect_identical({4: 2})
    builder.add(process_revision(_meta(1), SCRIPT[0].text))
    blanked = builder.add(process_revision(_meta(2), "MEK IS A CULT!!!"))
    builder.add(process_revision(_meta(3), BY_REVID[1003].text))
    step = builder.add(identical_outcome(_meta(4), 2))
    assert step.events == [] and blanked.revision["reason"] == "blanked"
    assert (step.revision["status"], step.revision["reason"]) == ("identical", "blanked")
    assert step.revision["detail"].startswith("identical to 2, which was left out (blanked)")
    assert builder.base_revid == 3


def test_a_reread_identical_revision_equals_one_taken_from_memory():
    """When the repeated revision is in an earlier release (a continued run), the same text is
    read again: the rows, events and spans are those the builder's memory gives."""
    texts = [SCRIPT[0].text, BY_REVID[1003].text, SCRIPT[0].text]

    def feed(reread: bool):
        builder = TimelineBuilder()
        if not reread:
            builder.expect_identical({3: 1})
        steps = [builder.add(process_revision(_meta(i + 1), t)) for i, t in enumerate(texts[:2])]
        again = process_revision(_meta(3), texts[2]) if reread else None
        steps.append(builder.add(identical_outcome(_meta(3), 1, again)))
        return steps, builder.finish()

    (memory, memory_open), (reread, reread_open) = feed(False), feed(True)
    assert [s.events for s in memory] == [s.events for s in reread]
    # The UK date changed back (and with it, where the reviewed record holds the UK's act,
    # its agreement with the record: the script's r1004 says which), and the New Zealand row
    # r1003 holds is gone.
    date_back = [(e.claim_key, e.column) for e in BY_REVID[1004].events]
    assert [(e["claim_key"], e["column"]) for e in memory[2].events] == [
        *date_back,
        ("NZ|", None),
    ]
    assert memory[2].revision == reread[2].revision
    for table in CLAIM_TABLES:
        assert history_frame(table, memory_open[table]).equals(
            history_frame(table, reread_open[table])
        )


def test_an_identical_revision_whose_rows_were_not_kept_is_an_error():
    builder = TimelineBuilder()
    builder.add(process_revision(_meta(1), SCRIPT[0].text))
    with pytest.raises(HistoryError, match="whose rows were not kept"):
        builder.add(identical_outcome(_meta(2), 1))


# --- references move, claims do not ---------------------------------------------------------


def test_only_references_move_and_the_history_says_exactly_that():
    """Issue 29's scenario: a source added in the lead renumbers every later reference, a
    prose source removed renumbers them back, the removal is undone. No claim event after the
    first revision, every claim one span; the references' history shows exactly the sources
    added and removed; the undo is identical (not extracted)."""
    from synthetic_history import LEAD_SOURCE_KEY, prose_only_reference, references_only_history

    texts = references_only_history()
    script = [
        ScriptedRevision(
            revid=2000 + i,
            parentid=1999 + i if i else 0,
            timestamp=dt.datetime(2025, 1, 1, i, tzinfo=dt.UTC),
            sha1=hashlib.sha1(text.encode()).hexdigest(),
            size=len(text.encode()),
            text=text,
            what=what,
            status="",
            reason=None,
            events=(),
        )
        for i, (what, text) in enumerate(texts)
    ]
    done = run_history(script)
    base_refs = extract_all(texts[0][1])["references"].set_index("ref_number")
    removed_key = base_refs.loc[prose_only_reference(texts[0][1]), "ref_key"]
    # Every citation number of a claim moved, not one citation key.
    before = extract_all(texts[0][1])["designations"]
    after = extract_all(texts[1][1])["designations"]
    assert (before["citations"].map(tuple) != after["citations"].map(tuple)).all()
    assert before["citation_keys"].map(tuple).tolist() == after["citation_keys"].map(tuple).tolist()

    assert [r["status"] for r in done.revisions] == [
        "extracted",
        "extracted",
        "extracted",
        "identical",
    ]
    assert 2003 not in done.extracted and done.revisions[3]["identical_to_revid"] == 2001
    later = [e for e in done.events if e["revid"] > 2000]
    assert [e for e in later if e["table"] != "references"] == []
    assert [(e["revid"], e["claim_key"], e["event"]) for e in later] == [
        (2001, LEAD_SOURCE_KEY, "added"),
        (2002, removed_key, "removed"),
        (2003, removed_key, "added"),
    ]
    for table in CLAIM_TABLES:
        spans = done.spans(table)
        assert spans["claim_key"].is_unique and (spans["valid_from_revid"] == 2000).all()
        assert spans["valid_to_revid"].isna().all()
    references = done.spans("references")
    assert len(references) == len(base_refs) + 1 + 1  # the added one, the removed one's return
    moved = references[references["claim_key"].isin([LEAD_SOURCE_KEY, removed_key])]
    assert sorted(
        zip(
            moved["claim_key"],
            moved["valid_from_revid"],
            moved["valid_to_revid"].fillna(0),
            strict=True,
        )
    ) == sorted([(LEAD_SOURCE_KEY, 2001, 0), (removed_key, 2000, 2002), (removed_key, 2003, 0)])


# --- edits as editors make them ------------------------------------------------------------

REALISTIC = revision_script_realistic()


@pytest.fixture(scope="module")
def realistic_run() -> Run:
    return run_history(REALISTIC)


@pytest.mark.parametrize("scripted", [pytest.param(r, id=f"{r.revid}-{r.what}") for r in REALISTIC])
def test_realistic_edits_make_exactly_the_scripted_events(realistic_run, scripted):
    outcome = realistic_run.outcomes[scripted.revid]
    assert (outcome.status, outcome.reason) == (scripted.status, scripted.reason)
    got = realistic_run.events_of(scripted.revid)
    if scripted.revid == REALISTIC[0].revid:
        got = [e for e in got if e["table"] != "references"]
    assert [(e["table"], e["claim_key"], e["event"]) for e in got] == [
        (x.table, x.claim_key, x.event) for x in scripted.events
    ]
    for event, expected in zip(got, scripted.events, strict=True):
        if expected.event == "changed":
            assert (event["column"], event["old_value"], event["new_value"]) == (
                expected.column,
                expected.old,
                expected.new,
            )
        elif expected.values:
            payload = json.loads(event["new_value" if expected.event == "added" else "old_value"])
            assert {k: payload[k] for k in expected.values} == expected.values


def test_realistic_edits_leave_every_claim_one_span_until_one_cites_more(realistic_run):
    for table in CLAIM_TABLES:
        spans = realistic_run.spans(table)
        moved = set(spans["claim_key"][spans["valid_from_revid"] != REALISTIC[0].revid])
        assert moved == ({"CA|"} if table == "designations" else set())


US_DATES = "\u00a0Canada Designated on May 24, 2005,[294] delisted on December 20, 2012[295]"


def test_dates_switched_to_us_format_are_no_event():
    base = SCRIPT[0].text
    canada = "\u00a0Canada Designated on 24 May 2005,[294] delisted on 20 December 2012[295]"
    builder = TimelineBuilder()
    builder.add(process_revision(_meta(1), base))
    step = builder.add(
        process_revision(
            _meta(2), base.replace(canada, US_DATES), base_sections_sha1=builder.base_sections_sha1
        )
    )
    assert step.events == []


# --- a batch's outcomes on their way to the driver --------------------------------------


def test_rows_read_again_are_sent_once_and_arrive_equal():
    first = {"a": {"n": 1, "keys": ["x"]}, "b": {"n": 2, "keys": []}}
    again = {"a": {"n": 1, "keys": ["x"]}, "b": {"n": 2, "keys": []}}
    changed = {"b": {"n": 2, "keys": []}, "a": {"n": 3, "keys": ["x"]}, "c": {"n": 1, "keys": []}}
    retyped = {"a": {"n": True, "keys": ["x"]}, "b": {"n": 2.0, "keys": []}}
    tables = [first, again, changed, retyped]
    outcomes = [
        RevisionOutcome(_meta(i + 1), "extracted", claims=Claims({"references": copy.deepcopy(t)}))
        for i, t in enumerate(tables)
    ]
    outcomes.insert(2, RevisionOutcome(_meta(9), "skipped", reason="blanked"))
    unshared = pickle.dumps(outcomes)
    share_repeated_rows(outcomes)
    rows = [o.claims.rows["references"] for o in outcomes if o.claims]
    assert rows[1] is rows[0]  # the same table: one reference in the pickle
    assert rows[2]["b"] is rows[0]["b"] and rows[2]["a"] is not rows[0]["a"]
    assert list(rows[2]) == ["b", "a", "c"]  # the revision's own order
    # Equal but not alike (True == 1, 2.0 == 2): not shared, each keeps its own values.
    assert rows[3]["a"] is not rows[2]["a"] and rows[3]["b"] is not rows[2]["b"]
    assert [type(r["n"]) for r in rows[3].values()] == [bool, float]
    arrived = pickle.loads(pickle.dumps(outcomes))
    assert [o.claims.rows if o.claims else None for o in arrived] == [
        {"references": t} for t in tables[:2]
    ] + [None] + [{"references": t} for t in tables[2:]]
    assert len(pickle.dumps(outcomes)) < len(unshared)


def _alike(rows: list[dict]) -> list[list[tuple[str, type, object]]]:
    return [[(name, type(value), value) for name, value in row.items()] for row in rows]


def test_references_keyed_without_their_frame_are_the_frames_records():
    rows = reference_rows(Document.from_text(SCRIPT[0].text))
    through_frame = records("references", to_frame(TABLES["references"], rows))
    assert _alike(plain_records("references", rows)) == _alike(through_frame)
    # Values a frame would change go through it: an int as a string, a year out of int16,
    # a datetime as a date, a bool as an int.
    changed = {"ref_number": True, "year": 1999, "published_on": dt.datetime(2001, 2, 3, 4)}
    odd = [rows[0] | changed, rows[1] | {"year": 2**15}]
    with pytest.raises((TypeError, ValueError, OverflowError)):
        to_frame(TABLES["references"], odd)
    with pytest.raises((TypeError, ValueError, OverflowError)):
        plain_records("references", odd)
    retyped = [rows[0] | changed, rows[1]]
    expected = records("references", to_frame(TABLES["references"], retyped))
    assert _alike(plain_records("references", retyped)) == _alike(expected)
    assert expected[0]["ref_number"] == 1 and type(expected[0]["ref_number"]) is int
    with pytest.raises(KeyError, match="undeclared"):
        plain_records("references", [rows[0] | {"typo": 1}])
