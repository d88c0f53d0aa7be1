"""The Great Expectations gate: the bundled tables pass; corrupted tables are caught."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from expectations.validate import validate_tables
from mekdata.errors import ValidationFailed

NOW = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def report(tables):
    return validate_tables(tables, now=NOW)


def test_bundled_tables_pass(report):
    assert report["success"]
    assert set(report["suites"]) >= {
        "designations.structural",
        "designations.semantic",
        "citation_links",
    }
    assert all(s["evaluated"] > 0 for s in report["suites"].values())


def _corrupt(tables, name, mutate):
    altered = dict(tables)
    frame = tables[name].copy()
    mutate(frame)
    altered[name] = frame
    return altered


def _set(frame, column, row, value):
    frame.loc[frame.index[row], column] = value


def _drop_keys_of_first_cited_row(frame):
    row = next(i for i, numbers in zip(frame.index, frame["citations"], strict=True) if numbers)
    frame.at[row, "citation_keys"] = []


def _swap_dates(frame, row):
    index = frame.index[row]
    listed, delisted = frame.at[index, "listed_on"], frame.at[index, "delisted_on"]
    frame.at[index, "listed_on"], frame.at[index, "delisted_on"] = delisted, listed


def _shift_listing_into_delisting(frame, row):
    """What the old reader published for the United Kingdom: its listing date as its delisting
    date, no listing date, although the row states both."""
    index = frame.index[row]
    assert frame.at[index, "stated_dates"] == 2
    frame.at[index, "delisted_on"] = frame.at[index, "listed_on"]
    frame.at[index, "listed_on"] = pd.NaT
    frame.at[index, "listed_on_precision"] = None


CORRUPTIONS = [
    pytest.param(
        "designations",
        lambda f: _set(f, "listed_on", 3, pd.Timestamp("2013-01-01")),
        "designations.semantic",
        "delisted_on",
        id="listed-after-delisted",
    ),
    pytest.param(
        "designations",
        lambda f: _set(f, "delisted_on", 3, pd.NaT),
        "designations.semantic",
        "delisted_on",
        id="former-without-delisting",
    ),
    pytest.param(
        "designations",
        lambda f: _set(f, "delisted_on", 0, pd.Timestamp("2020-01-01")),
        "designations.semantic",
        "delisted_on",
        id="current-with-delisting",
    ),
    # Values moved by a misread table (issue 32): the United Kingdom row (index 4).
    pytest.param(
        "designations",
        lambda f: _swap_dates(f, 4),
        "designations.semantic",
        "delisted_on",
        id="listing-and-delisting-swapped",
    ),
    pytest.param(
        "designations",
        lambda f: _shift_listing_into_delisting(f, 4),
        "designations.semantic",
        "listed_on",
        id="listing-read-as-delisting",
    ),
    pytest.param(
        "designations",
        lambda f: _set(f, "status", 3, "other"),
        "designations.semantic",
        "status",
        id="status-against-its-group-label",
    ),
    pytest.param(
        "designations",
        lambda f: _set(f, "regime", 1, None),
        "designations.semantic",
        "regime",
        id="ended-row-under-currently-listed",
    ),
    pytest.param(
        "designations",
        lambda f: _set(f, "listed_on", 0, pd.Timestamp("2031-01-01")),
        "designations.semantic",
        "listed_on",
        id="future-date",
    ),
    pytest.param(
        "designations",
        lambda f: _set(f, "status", 0, "maybe"),
        "designations.structural",
        "status",
        id="unknown-status",
    ),
    pytest.param(
        "designations",
        lambda f: _set(f, "authority_code", 0, "Iran"),
        "designations.semantic",
        "authority_code",
        id="bad-code",
    ),
    pytest.param(
        "electoral_history",
        lambda f: _set(f, "seats_won", 1, 80),
        "electoral_history.semantic",
        "seats_total",
        id="more-seats-than-total",
    ),
    pytest.param(
        "electoral_history",
        lambda f: _set(f, "seat_share", 1, 0.5),
        "electoral_history.semantic",
        "seat_share",
        id="wrong-share",
    ),
    pytest.param(
        "electoral_history",
        lambda f: _set(f, "year", 0, 1890),
        "electoral_history.semantic",
        "year",
        id="implausible-year",
    ),
    pytest.param(
        "membership_estimates",
        lambda f: _set(f, "low", 0, 99999),
        "membership_estimates.semantic",
        "high",
        id="low-above-high",
    ),
    pytest.param(
        "membership_estimates",
        lambda f: _set(f, "year_start", 0, 2040),
        "membership_estimates.semantic",
        "year_start",
        id="future-year",
    ),
    pytest.param(
        "membership_estimates",
        lambda f: _set(f, "estimator_id", 0, None),
        "membership_estimates.semantic",
        "estimator_id",
        id="named-estimator-without-id",
    ),
    pytest.param(
        "references",
        lambda f: _set(f, "ref_number", 1, 1),
        "references.structural",
        "ref_number",
        id="duplicate-key",
    ),
    pytest.param(
        "designations",
        lambda f: f.at.__setitem__((f.index[0], "citations"), [9999]),
        "citation_links",
        "ref_number",
        id="unresolvable-citation",
    ),
    pytest.param(
        "references",
        lambda f: _set(f, "ref_key", 1, f["ref_key"].iloc[0]),
        "references.structural",
        "ref_key",
        id="duplicate-ref-key",
    ),
    pytest.param(
        "designations",
        lambda f: f.at.__setitem__(
            (f.index[2], "citation_keys"), list(reversed(f.at[f.index[2], "citation_keys"]))
        ),
        "citation_links",
        "ref_key",
        id="citation-keys-out-of-order",
    ),
    pytest.param(
        "membership_estimates",
        lambda f: _drop_keys_of_first_cited_row(f),
        "citation_links",
        "key_count_matches",
        id="citation-keys-missing",
    ),
]


@pytest.mark.parametrize(("table", "mutate", "suite", "column"), CORRUPTIONS)
def test_each_check_catches_its_corruption(tables, table, mutate, suite, column):
    with pytest.raises(ValidationFailed) as raised:
        validate_tables(_corrupt(tables, table, mutate), now=NOW)
    message = str(raised.value)
    assert message.startswith("Validation failed, nothing was published. Failed expectations:")
    assert f"{suite.split('.')[0]}" in message and column in message


def test_dangling_citation_is_allowed_when_reported(tables):
    def cite_165(frame):
        frame.at[frame.index[0], "citations"] = [165]
        frame.at[frame.index[0], "citation_keys"] = [ref_key_of(tables, 165)]

    altered = _corrupt(tables, "designations", cite_165)
    assert validate_tables(altered, now=NOW)["success"]


def ref_key_of(tables, number: int) -> str:
    """The key an extractor gives a citation of ``number`` (missing:<n> when it dangles)."""
    references = tables["references"]
    found = references.loc[references["ref_number"] == number, "ref_key"]
    return found.iloc[0] if len(found) else f"missing:{number}"


def test_truncated_article_fails_the_gate(article_text):
    from transforms import extract_all

    cut = article_text[: article_text.index("Electoral history")]
    with pytest.raises(ValidationFailed, match="row count"):
        validate_tables(extract_all(cut), now=NOW)


def test_report_shows_both_gates(report):
    """The bundled article is odd in ways an editor causes (empty references, maintenance
    tags, unused references): the source-quality gate says so, the release may publish."""
    assert report["success"] and report["gates"]["blocking"]["success"]
    assert report["gates"]["blocking"]["evaluated"] > 100
    quality = report["gates"]["source_quality"]
    assert not quality["success"] and quality["failed"] >= 1
    gates = {name: suite["gate"] for name, suite in report["suites"].items()}
    assert gates["designations.structural"] == gates["citation_links"] == "blocking"
    assert gates["references.source_quality"] == "source_quality"
    failed = report["suites"]["findings.source_quality"]["failed"]
    empty = next(f for f in failed if f["kwargs"]["value_set"] == ["empty_reference"])
    # The offending rows are named by key and source line, not by position in a frame.
    assert {row["ref_number"] for row in empty["rows"]} == {"15", "67"}


def test_every_expectation_declares_its_gate():
    from expectations.suites import GATES, load_suites

    suites = load_suites()
    assert {suite.gate for suite in suites.values()} == set(GATES)
    for name, suite in suites.items():
        assert all(e["meta"]["gate"] == suite.gate for e in suite.expectations), name


def _first_reference_cited_as_often_as_listed(tables) -> pd.Series:
    references = tables["references"]
    both = references[
        (references["backlink_count"] == references["cited_count"])
        & (references["cited_count"] >= 2)
    ]
    return both.iloc[0]


def test_dropped_backlink_letter_passes_with_a_source_quality_finding(tables, article_text):
    """An editor's slip the tables survive: the reference list shows one back-link fewer than
    the body has markers. The gate passes; the published findings say what is odd, where."""
    from conftest import replace_once

    from expectations.validate import with_source_quality_findings
    from transforms import extract_all

    reference = _first_reference_cited_as_often_as_listed(tables)
    number, count = int(reference["ref_number"]), int(reference["backlink_count"])
    letters = " ".join("abcdefghijklmnopqrstuvwxyz"[:count])
    fewer = " ".join("abcdefghijklmnopqrstuvwxyz"[: count - 1])
    altered_text = replace_once(
        article_text, f"\n  {number}. ^ {letters} ", f"\n  {number}. ^ {fewer} "
    )
    altered = extract_all(altered_text)
    report = validate_tables(altered, now=NOW)
    assert report["success"], "a source-quality failure must not block"
    failed = report["suites"]["references.source_quality"]["failed"]
    assert [f["column"] for f in failed] == ["backlink_count"]
    published = with_source_quality_findings(altered, report)["findings"]
    found = published[published["kind"] == "source_quality"]
    assert len(found) == 1
    finding = found.iloc[0]
    assert finding["severity"] == "warning" and finding["table"] == "references"
    assert finding["ref_number"] == number
    assert finding["source_line"] == int(reference["source_line"])
    assert "backlink_count" in finding["detail"] and f"ref_number {number}" in finding["detail"]
    # Everything the extractors found is still there, and nothing else changed.
    assert set(altered["findings"]["finding_id"]) < set(published["finding_id"])
    assert len(published) == len(altered["findings"]) + 1


def test_source_quality_failures_on_findings_are_not_repeated_as_findings(tables, report):
    from expectations.validate import with_source_quality_findings

    assert with_source_quality_findings(tables, report)["findings"] is tables["findings"]


def test_blocking_message_names_only_blocking_failures(tables):
    """A broken table next to an odd article: the message is about what blocks."""
    with pytest.raises(ValidationFailed) as raised:
        validate_tables(
            _corrupt(tables, "designations", lambda f: _set(f, "status", 0, "maybe")), now=NOW
        )
    message = str(raised.value)
    assert "designations.structural.status" in message
    assert "source_quality" not in message and "maintenance" not in message
    assert raised.value.report["gates"]["source_quality"]["failed"] >= 1


def _gx_results(tables, memoized: bool, monkeypatch) -> dict:
    """Every suite's full GX result on ``tables``, as JSON, less what differs between any two
    runs: the run's ids and times, the batch's load time and pickle digest, the ids GX gives
    each expectation of a new context."""
    import contextlib

    import expectations.validate as validate_module
    from expectations.validate import Validator, expectation_parameters

    with monkeypatch.context() as patch:
        if not memoized:
            patch.setattr(validate_module, "configurations_memoized", contextlib.nullcontext)
        validator = Validator()
        frames = validator._frames(tables)
        results = validator._run(
            list(validator.suites), frames, expectation_parameters(tables, NOW)
        )
    out = {}
    for name, result in results.items():
        document = result.to_json_dict()
        for run_specific in ("run_id", "validation_time", "validation_id", "batch_markers"):
            document["meta"].pop(run_specific, None)
        for item in document["results"]:
            item["expectation_config"].pop("id")
        out[name] = document
    return out


def _with(tables, corruption):
    table, mutate = corruption.values[0], corruption.values[1]
    return _corrupt(tables, table, mutate)


@pytest.mark.parametrize(
    "corruption",
    [
        pytest.param(None, id="the-article"),
        pytest.param(CORRUPTIONS[0], id=f"failing-{CORRUPTIONS[0].id}"),
        pytest.param(CORRUPTIONS[-1], id=f"failing-{CORRUPTIONS[-1].id}"),
    ],
)
def test_memoized_configurations_give_the_same_results(tables, corruption, monkeypatch):
    """GX's results, failures and their offending rows included, are the same to the last
    field whether each expectation's configuration is built once or at every read."""
    given = tables if corruption is None else _with(tables, corruption)
    memoized = _gx_results(given, True, monkeypatch)
    assert memoized == _gx_results(given, False, monkeypatch)
    failing = {name for name, result in memoized.items() if not result["success"]}
    if corruption is None:  # the article's slips fail source-quality suites only
        assert failing and not {n for n in failing if n.endswith(".structural")}
    else:
        assert corruption.values[2] in failing


def test_a_memoized_configuration_follows_its_expectation():
    """Inside GX's graph_validate (where the memo is on) a configuration is built once per
    expectation and anew when the expectation changes; outside, GX is its own again."""
    import great_expectations as gx
    from great_expectations.expectations.expectation import Expectation
    from great_expectations.validator.validator import Validator as GraphValidator

    from expectations.validate import configurations_memoized

    gx_property = Expectation.__dict__["configuration"]
    gx_graph_validate = GraphValidator.__dict__["graph_validate"]
    seen = {}

    def probe(_validator, expectation):
        first = expectation.configuration
        seen["same"] = expectation.configuration is first
        expectation.column = "designated_on"
        seen["changed"] = expectation.configuration.kwargs["column"]

    expectation = gx.expectations.ExpectColumnValuesToNotBeNull(column="country")
    GraphValidator.graph_validate = probe
    try:
        with configurations_memoized():
            GraphValidator.graph_validate(None, expectation)
            assert Expectation.__dict__["configuration"] is gx_property  # only while validating
    finally:
        GraphValidator.graph_validate = gx_graph_validate
    assert seen == {"same": True, "changed": "designated_on"}
    assert expectation.configuration is not expectation.configuration  # GX's own: rebuilt
