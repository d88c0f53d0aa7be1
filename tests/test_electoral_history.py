"""electoral_history: the flattened table rebuilt exactly, enriched from the prose."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from conftest import line_of, replace_once

from transforms.document import Document
from transforms.electoral_history import (
    election_type,
    extract_electoral_history,
    extract_electoral_history_with_findings,
)

COLUMNS = [
    "year",
    "election",
    "election_type",
    "stance",
    "seats_won",
    "seats_total",
    "seat_share",
    "citations",
]
EXPECTED = [
    (1979, "Islamic Republic referendum", "referendum", "yes", None, None, None, [5]),
    (1979, "Assembly of Experts election", "assembly_of_experts", None, 0, 73, 0.0, []),
    (1979, "Constitutional referendum", "referendum", "boycott", None, None, None, [5]),
    (1980, "Presidential election", "presidential", "no candidate", None, None, None, [5]),
    (1980, "Parliamentary elections", "parliamentary", None, 0, 270, 0.0, []),
]
# The seat cells are separated from their percentage by an EM SPACE in the source.
TABLE = """Year Election/referendum Seats won/policy References
1979 Islamic Republic referendum Vote 'Yes' [5]
Assembly of Experts election
0 / 73\u2003(0%)
Constitutional referendum Boycott [5]
1980 Presidential election Vote, no candidate [5]
Parliamentary elections
0 / 270\u2003(0%)
"""


def rows(frame: pd.DataFrame) -> list[tuple]:
    return [
        tuple(None if not isinstance(v, list) and pd.isna(v) else v for v in record)
        for record in frame[COLUMNS].itertuples(index=False, name=None)
    ]


def extract(text: str) -> pd.DataFrame:
    return extract_electoral_history(Document.from_text(text))


def test_the_table_is_in_the_article_as_flattened(article_text):
    assert TABLE in article_text


def test_pinned_table(tables):
    assert rows(tables["electoral_history"]) == EXPECTED


def test_enrichment_from_prose(tables, article_text):
    frame = tables["electoral_history"].set_index("election")
    constitutional = frame.loc["Constitutional referendum"]
    assert pd.Timestamp(constitutional["held_on"]).date() == dt.date(1979, 12, 3)
    assert constitutional["held_on_precision"] == "day"
    assert constitutional["enrichment_lines"] == [
        line_of(article_text, "the December 3, 1979 referendum vote")
    ]
    presidential = frame.loc["Presidential election"]
    assert presidential["candidate"] == "Massoud Rajavi"
    assert presidential["candidate_outcome"] == "barred"
    assert 38 in presidential["enrichment_citations"]
    parliamentary = frame.loc["Parliamentary elections"]
    assert parliamentary["votes"] == 531943
    assert parliamentary["candidate_outcome"] == "lost"
    assert parliamentary["enrichment_citations"] == [87]
    assert pd.isna(frame.loc["Islamic Republic referendum", "note"])


def test_quotes_and_lines(tables, article_text):
    frame = tables["electoral_history"].set_index("election")
    row = frame.loc["Assembly of Experts election"]
    assert row["quote"] == "Assembly of Experts election\n0 / 73 (0%)"
    assert row["source_line"] == line_of(article_text, "Assembly of Experts election")
    assert row["citation_rule"] == "none"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        pytest.param("Islamic Republic referendum", "referendum", id="referendum"),
        pytest.param("Assembly of Experts election", "assembly_of_experts", id="experts"),
        pytest.param("Presidential election", "presidential", id="presidential"),
        pytest.param("Parliamentary elections", "parliamentary", id="parliamentary"),
        pytest.param("Legislative election", "parliamentary", id="legislative"),
        pytest.param("City council elections", "local", id="local"),
        pytest.param("Leadership election", "other", id="unknown-kind"),
    ],
)
def test_election_type(name, kind):
    assert election_type(name) == kind


def test_row_added_under_existing_year(article_text):
    text = replace_once(
        article_text,
        "Parliamentary elections\n0 / 270\u2003(0%)\n",
        "Parliamentary elections\n0 / 270 (0%)\nBy-elections\n0 / 12 (0%) [7]\n",
    )
    frame = extract(text)
    added = frame.iloc[-1]
    assert (added["year"], added["election"], added["seats_won"], added["seats_total"]) == (
        1980,
        "By-elections",
        0,
        12,
    )
    assert added["citations"] == [7]


def test_new_year(article_text):
    text = replace_once(
        article_text,
        "Parliamentary elections\n0 / 270\u2003(0%)\n",
        "Parliamentary elections\n0 / 270 (0%)\n1981 Presidential election Boycott [9]\n",
    )
    frame = extract(text)
    assert rows(frame)[-1] == (
        1981,
        "Presidential election",
        "presidential",
        "boycott",
        None,
        None,
        None,
        [9],
    )


def test_seats_changed(article_text):
    frame = extract(replace_once(article_text, "0 / 270\u2003(0%)", "3 / 270 (1.1%)"))
    row = frame.set_index("election").loc["Parliamentary elections"]
    assert (row["seats_won"], row["seats_total"]) == (3, 270)
    assert row["seat_share"] == pytest.approx(3 / 270)


def test_reference_removed(article_text):
    frame = extract(
        replace_once(
            article_text,
            "Constitutional referendum Boycott [5]",
            "Constitutional referendum Boycott",
        )
    )
    row = frame.set_index("election").loc["Constitutional referendum"]
    assert row["citations"] == [] and row["citation_rule"] == "none"
    assert row["stance"] == "boycott"


def test_spacing_changed(article_text):
    frame = extract(replace_once(article_text, "0 / 73\u2003(0%)", "0/73 ( 0 % )"))
    assert rows(frame) == EXPECTED


def test_never_guesses_a_year(article_text):
    text = replace_once(
        article_text, "1979 Islamic Republic referendum", "Islamic Republic referendum"
    )
    frame, findings = extract_electoral_history_with_findings(Document.from_text(text))
    assert "Islamic Republic referendum" not in set(frame["election"])
    assert any(f.kind == "unreadable_row" and "no year cell" in f.detail for f in findings)


def test_missing_table_is_a_finding(article_text):
    text = replace_once(article_text, "Year Election/referendum Seats won/policy References\n", "")
    frame, findings = extract_electoral_history_with_findings(Document.from_text(text))
    assert frame.empty
    assert [f.kind for f in findings] == ["missing_section"]
