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
]


@pytest.mark.parametrize(("table", "mutate", "suite", "column"), CORRUPTIONS)
def test_each_check_catches_its_corruption(tables, table, mutate, suite, column):
    with pytest.raises(ValidationFailed) as raised:
        validate_tables(_corrupt(tables, table, mutate), now=NOW)
    message = str(raised.value)
    assert message.startswith("Validation failed, nothing was published. Failed expectations:")
    assert f"{suite.split('.')[0]}" in message and column in message


def test_dangling_citation_is_allowed_when_reported(tables):
    altered = _corrupt(
        tables, "designations", lambda f: f.at.__setitem__((f.index[0], "citations"), [165])
    )
    assert validate_tables(altered, now=NOW)["success"]


def test_truncated_article_fails_the_gate(article_text):
    from transforms import extract_all

    cut = article_text[: article_text.index("Electoral history")]
    with pytest.raises(ValidationFailed, match="row count"):
        validate_tables(extract_all(cut), now=NOW)
