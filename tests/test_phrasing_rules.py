"""The rules behind the paraphrase corpus (docs/phrasings.md), on sentences the corpus does
not hold: other nouns, verbs, places and numbers, so a rule is shown to be about English and
not about one sentence. Each case names what it must become."""

from __future__ import annotations

import pandas as pd
import pytest

from transforms.designations import extract_designations_with_findings
from transforms.document import Document
from transforms.membership_estimates import extract_membership_estimates_with_findings
from transforms.numbers import find_quantities


def _plain(value):
    return None if not isinstance(value, str) and pd.isna(value) else value


# (text, [(low, high, qualifier)])
NUMBER_CASES = [
    pytest.param("2.5 million people", [(2_500_000, 2_500_000, None)], id="decimal-million"),
    pytest.param("25k members", [(25_000, 25_000, None)], id="k-suffix"),
    pytest.param("3.5 percent", [], id="decimal-without-scale-no-figure"),
    pytest.param(
        "three thousand two hundred and fifty", [(3250, 3250, None)], id="number-written-out"
    ),
    pytest.param(
        "between two and four thousand", [(2000, 4000, "between")], id="between-shared-scale"
    ),
    pytest.param("in 1999 — 1,200 men", [(1999, 1999, None), (1200, 1200, None)], id="em-dash"),
    pytest.param("1,200—1,500 men", [(1200, 1500, None)], id="unspaced-em-dash-is-a-range"),
    pytest.param("800 or so", [(800, 800, "or so")], id="trailing-or-so"),
    pytest.param("no less than 700", [(700, 700, "no less than")], id="no-less-than"),
]


@pytest.mark.parametrize(("text", "expected"), NUMBER_CASES)
def test_numbers(text, expected):
    assert [(q.low, q.high, q.qualifier) for q in find_quantities(text)] == expected


# (sentence, rows as (low, high, qualifier, measure, year_start, year_end))
SIZE_CASES = [
    pytest.param(
        "In 1999 its fighting strength stood at roughly 4,500.",
        [(4500, 4500, "roughly", "fighters", 1999, 1999)],
        id="stood-at-strength",
    ),
    pytest.param(
        "The camp's population in 2010 ranged from 3,100 to 3,400.",
        [(3100, 3400, None, "residents", 2010, 2010)],
        id="ranged-from-population",
    ),
    pytest.param(
        "The ranks of its army had grown to 12,000 during the 1980s.",
        [(12000, 12000, None, "fighters", 1980, 1989)],
        id="grown-to-decade",
    ),
    pytest.param(
        "A 1,500-man brigade crossed the border in the late 1980s.",
        [(1500, 1500, None, "fighters", 1987, 1989)],
        id="man-adjective-brigade-late-decade",
    ),
    pytest.param(
        "About 600 members lived at Camp Hurriya-2 in 2014.",
        [(600, 600, "about", "members", 2014, 2014)],
        id="digit-in-camp-name",
    ),
    pytest.param(
        "A march of 2,000 sympathizers crossed Paris in 2015.",
        [(2000, 2000, None, "attendees", 2015, 2015)],
        id="march-of-is-attendance",
    ),
    pytest.param(
        "Of the 2,000 members at the camp, 40 were detained in 2012.",
        [(2000, 2000, None, "members", 2012, 2012)],
        id="detention-belongs-to-the-nearer-figure",
    ),
    pytest.param(
        "The 300-member council met in Paris in 2010.",
        [],
        id="member-adjective-of-another-body",
    ),
    pytest.param(
        "The militia seized 300 members of the Assembly in 1983.",
        [],
        id="members-of-another-body",
    ),
]


@pytest.mark.parametrize(("sentence", "expected"), SIZE_CASES)
def test_sizes(sentence, expected):
    frame, _ = extract_membership_estimates_with_findings(Document.from_text(sentence))
    columns = ["low", "high", "qualifier", "measure", "year_start", "year_end"]
    rows = [tuple(_plain(v) for v in r) for r in frame[columns].itertuples(index=False)]
    assert rows == expected


# (sentence, events as (authority_code, event, date, precision))
LISTING_CASES = [
    pytest.param(
        "Tokyo removed the group from its terror list in May 2013.",
        [("JP", "delisted", "2013-05-01", "month")],
        id="capital-removed-month",
    ),
    pytest.param(
        "The Home Office banned the organisation on 1 May 2002 and lifted the ban on 2 June 2009.",
        [("GB", "delisted", "2009-06-02", "day"), ("GB", "listed", "2002-05-01", "day")],
        id="one-subject-two-acts",
    ),
    pytest.param(
        "Listed by Canada in 2005, the group stayed on the list until 2012.",
        [("CA", "delisted", "2012-01-01", "year"), ("CA", "listed", "2005-01-01", "year")],
        id="participle-then-until",
    ),
    pytest.param(
        "Japan blacklisted the MEK in 2008.",
        [("JP", "listed", "2008-01-01", "year")],
        id="blacklisted-year",
    ),
    pytest.param(
        "In 2015 Canada listed Hezbollah's military wing as a terrorist entity.",
        [],
        id="another-organisation-listed",
    ),
]


@pytest.mark.parametrize(("sentence", "expected"), LISTING_CASES)
def test_listings(sentence, expected):
    frame, _ = extract_designations_with_findings(Document.from_text(sentence))
    events = []
    for row in frame.itertuples():
        for event, date, precision in (
            ("listed", row.listed_on, row.listed_on_precision),
            ("delisted", row.delisted_on, row.delisted_on_precision),
        ):
            if not pd.isna(date):
                events.append((row.authority_code, event, date.date().isoformat(), precision))
    assert sorted(events) == expected
