"""membership_estimates: every size statement, attributed and dated; counts of other things
left out."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import line_of, replace_once

from transforms.document import Document
from transforms.membership_estimates import extract_membership_estimates

COLUMNS = [
    "low",
    "high",
    "qualifier",
    "measure",
    "year_start",
    "year_end",
    "period",
    "estimator",
    "scope",
    "is_self_reported",
    "derived",
]
# (snippet locating the line, low, high, qualifier, measure, year_start, year_end, period,
#  estimator, scope, self-reported, derived)
EXPECTED = [
    (
        "5,000 to 13,500 (DoD estimate)",
        5000,
        13500,
        None,
        "members",
        2011,
        2011,
        "2011",
        "DoD",
        None,
        False,
        False,
    ),
    (
        "a military force of 7,000 members",
        7000,
        7000,
        None,
        "fighters",
        None,
        None,
        "Near the end of the Iran–Iraq War",
        None,
        None,
        False,
        False,
    ),
    (
        "captured 6,000 MEK soldiers",
        6000,
        6000,
        None,
        "fighters",
        None,
        None,
        None,
        None,
        None,
        False,
        False,
    ),
    (
        "accepted to move about 3,000 members",
        3000,
        3000,
        "about",
        "members",
        None,
        None,
        None,
        None,
        "Albania",
        False,
        False,
    ),
    (
        "accepted to move about 3,000 members",
        280,
        280,
        "more than",
        "members",
        2016,
        2016,
        "9 September 2016",
        None,
        "Albania",
        False,
        False,
    ),
    (
        "over 4,000 MEK members had entered",
        4000,
        4000,
        "over",
        "members",
        2018,
        2018,
        "By 2018",
        "INSTAT",
        "Albania",
        False,
        False,
    ),
    (
        "5,000 hard-core members",
        5000,
        5000,
        None,
        "members",
        1980,
        1980,
        "early 1980",
        "George E. Delury",
        None,
        False,
        False,
    ),
    (
        "5,000 hard-core members",
        50000,
        50000,
        None,
        "supporters",
        1980,
        1980,
        "early 1980",
        "George E. Delury",
        None,
        False,
        False,
    ),
    (
        "5,000 hard-core members",
        150000,
        150000,
        None,
        "sympathizers",
        1980,
        1980,
        "June 1980",
        None,
        "Tehran",
        False,
        False,
    ),
    (
        "5,000 hard-core members",
        15000,
        15000,
        "about",
        "fighters",
        1981,
        1988,
        "from 1981–1983 to 1987–1988",
        "Pierre Razoux",
        None,
        False,
        False,
    ),
    # A figure with no counted noun after it, framed by "strength to be", and a figure
    # carried into a second clause ("later peaking to"): issue 18's missed estimates.
    (
        "Meredith Reid Sarkees estimate their prewar strength",
        2000,
        2000,
        "about",
        "fighters",
        None,
        None,
        "prewar",
        "Jeffrey S. Dixon and Meredith Reid Sarkees",
        None,
        False,
        False,
    ),
    (
        "Meredith Reid Sarkees estimate their prewar strength",
        10000,
        10000,
        None,
        "fighters",
        None,
        None,
        "later",
        "Jeffrey S. Dixon and Meredith Reid Sarkees",
        None,
        False,
        False,
    ),
    (
        "strong armed guerrilla group",
        5000,
        7000,
        None,
        "fighters",
        None,
        2003,
        "before the 2003 war",
        None,
        "Iraq",
        False,
        False,
    ),
    (
        "strong armed guerrilla group",
        3000,
        5000,
        "between",
        "members",
        None,
        2003,
        "before the 2003 war",
        None,
        "Iraq",
        False,
        False,
    ),
    (
        "strong armed guerrilla group",
        10000,
        10000,
        None,
        "members",
        2005,
        2005,
        "2005",
        "Council on Foreign Relations",
        None,
        False,
        False,
    ),
    (
        "strong armed guerrilla group",
        3333,
        5000,
        None,
        "fighters",
        2005,
        2005,
        "2005",
        "Council on Foreign Relations",
        None,
        False,
        True,
    ),
    (
        "strong armed guerrilla group",
        5000,
        5000,
        None,
        "fighters",
        2003,
        2003,
        "2003",
        "The New York Times",
        "Iraq",
        False,
        False,
    ),
    (
        "strong armed guerrilla group",
        6000,
        8000,
        None,
        "fighters",
        2003,
        2008,
        "2003 and 2004, as well as BMI Research's 2008 report",
        "The Military Balance; BMI Research",
        "armed wing",
        False,
        False,
    ),
    (
        "strong armed guerrilla group",
        3000,
        3000,
        "around",
        "members",
        2003,
        2008,
        "2003 and 2004, as well as BMI Research's 2008 report",
        "The Military Balance; BMI Research",
        "political wing",
        False,
        False,
    ),
    (
        "strong armed guerrilla group",
        9000,
        11000,
        None,
        "members",
        2003,
        2008,
        "2003 and 2004, as well as BMI Research's 2008 report",
        "The Military Balance; BMI Research",
        "total",
        False,
        False,
    ),
    (
        "strong armed guerrilla group",
        2900,
        2900,
        "some",
        "members",
        2013,
        2013,
        "2013",
        "Foreign Policy",
        "Iraq",
        False,
        False,
    ),
    (
        "strong armed guerrilla group",
        5000,
        13500,
        "between",
        "members",
        2011,
        2011,
        "2011",
        "United States Department of Defense",
        "global",
        False,
        False,
    ),
    (
        "strong armed guerrilla group",
        100000,
        100000,
        "over",
        "attendees",
        2016,
        2016,
        "2016 gathering",
        "Asharq Al-Awsat",
        "Paris",
        False,
        False,
    ),
    (
        "strong armed guerrilla group",
        2500,
        2500,
        None,
        "members",
        2020,
        2020,
        "February 2020",
        "MEK",
        "Albania camp",
        True,
        False,
    ),
    (
        "strong armed guerrilla group",
        200,
        200,
        None,
        "attendees",
        2020,
        2020,
        "February 2020",
        "New York Times",
        "Albania camp",
        False,
        False,
    ),
    (
        "200 MEK members to enter France",
        200,
        200,
        None,
        "members",
        1993,
        1993,
        "Towards the end of 1993",
        None,
        "France",
        False,
        False,
    ),
]


def rows(frame: pd.DataFrame) -> list[tuple]:
    return [
        tuple(None if pd.isna(v) else v for v in record)
        for record in frame[COLUMNS].itertuples(index=False, name=None)
    ]


def test_pinned_table(tables, article_text):
    frame = tables["membership_estimates"]
    expected_lines = [line_of(article_text, snippet) for snippet, *_ in EXPECTED]
    assert list(frame["source_line"]) == expected_lines
    assert rows(frame) == [tuple(values) for _, *values in EXPECTED]


def test_citations(tables):
    frame = tables["membership_estimates"].set_index(["low", "high", "measure"])
    assert frame.loc[(9000, 11000, "members"), "citations"] == [281, 282, 283]
    row = frame.loc[(5000, 13500, "members")]
    infobox, prose = row.iloc[0], row.iloc[1]
    assert infobox["citation_rule"] == "none"
    # The DoD sentence has no marker of its own: the next markers in its paragraph.
    assert (prose["citations"], prose["citation_rule"]) == ([288], "next_in_paragraph")


NEGATIVES = [
    pytest.param(
        "In less than six months, 2,665 persons, 90 per cent of whom were MEK members, "
        "were executed.",
        id="executed",
    ),
    pytest.param(
        "160 suspected MEK members were then arrested, including Maryam Rajavi.", id="arrested"
    ),
    pytest.param(
        "In response, 40 supporters began hunger strikes to protest the arrests.",
        id="hunger-strikers",
    ),
    pytest.param(
        "In July 2010, the Supreme Iraqi Criminal Tribunal issued an arrest warrant for "
        "39 MEK members, including Massoud and Maryam Rajavi.",
        id="arrest-warrant",
    ),
    pytest.param(
        "According to the MEK, over 100,000 of its members have been killed and 150,000 "
        "imprisoned by the Islamic Republic of Iran.[50]",
        id="killed-imprisoned",
    ),
    pytest.param(
        "On 29 July 2009, eleven Iranians were killed and over 500 were injured in a raid.",
        id="injured",
    ),
    pytest.param(
        "The incident killed 73, including 4 cabinet ministers, 10 vice ministers and "
        "27 members of the Parliament of Iran.",
        id="another-body",
    ),
    pytest.param(
        "In July 1982, 13 IRGC members and Ayatollah Sadduqi were killed.", id="other-organisation"
    ),
    pytest.param(
        "From 1982 to 1988, it performed sixty operations on average per week.", id="attacks"
    ),
    pytest.param("the U.S. donated $20 million to the U.N. refugee agency", id="money"),
    pytest.param("with ambassadors of the 27 member states agreeing", id="member-states"),
]


@pytest.mark.parametrize("sentence", NEGATIVES)
def test_not_membership(sentence):
    assert extract_membership_estimates(Document.from_text(sentence)).empty


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        pytest.param(
            "According to Jane Doe, the group had 1,200 members in Canada in 1999.[4]",
            [(1200, 1200, None, "members", 1999, 1999, "1999", "Jane Doe", "Canada", False, False)],
            id="according-to",
        ),
        pytest.param(
            "In 2015 the MEK claimed some 20,000 supporters worldwide.",
            [
                (
                    20000,
                    20000,
                    "some",
                    "supporters",
                    2015,
                    2015,
                    "2015",
                    "MEK",
                    "global",
                    True,
                    False,
                )
            ],
            id="self-reported",
        ),
        pytest.param(
            "Analysts put its strength at 4,000-5,000 before the 2010 split.",
            [
                (
                    4000,
                    5000,
                    None,
                    "fighters",
                    None,
                    2010,
                    "before the 2010 split",
                    "Analysts",
                    None,
                    False,
                    False,
                )
            ],
            id="strength-hyphen",
        ),
        pytest.param(
            "A 2019 report by Example Institute counted at least 1,500 fighters in Camp Ashraf.",
            [
                (
                    1500,
                    1500,
                    "at least",
                    "fighters",
                    2019,
                    2019,
                    "2019",
                    "Example Institute",
                    "Camp Ashraf",
                    False,
                    False,
                )
            ],
            id="report-by",
        ),
        pytest.param(
            "The group had 8,000 members, one-half of whom were fighters.",
            [
                (8000, 8000, None, "members", None, None, None, None, None, False, False),
                (4000, 4000, None, "fighters", None, None, None, None, None, False, True),
            ],
            id="derived-share",
        ),
    ],
)
def test_sentence_cases(sentence, expected):
    frame = extract_membership_estimates(Document.from_text(sentence))
    assert rows(frame) == expected


def test_numbers_changed(article_text):
    text = replace_once(article_text, "some 2,900 members in Iraq", "some 3,100 members in Iraq")
    frame = extract_membership_estimates(Document.from_text(text))
    assert 3100 in set(frame["low"]) and 2900 not in set(frame["low"])


def test_estimate_added(article_text):
    text = replace_once(
        article_text,
        "A 2013 article in Foreign Policy claimed",
        "According to Example News, the MEK had 4,200 members in 2014.[999] A 2013 article in "
        "Foreign Policy claimed",
    )
    frame = extract_membership_estimates(Document.from_text(text))
    added = frame[frame["low"] == 4200]
    assert len(added) == 1
    assert added.iloc[0]["estimator"] == "Example News" and added.iloc[0]["year_start"] == 2014
    assert len(frame) == len(EXPECTED) + 1


def test_sentence_reworded(article_text):
    text = replace_once(
        article_text,
        "In 2005, the U.S. think-tank the Council on Foreign Relations stated that "
        "the MEK had 10,000 members",
        "The Council on Foreign Relations estimated in 2006 that the MEK had about 10,000 members",
    )
    frame = extract_membership_estimates(Document.from_text(text))
    row = frame[(frame["low"] == 10000) & (frame["measure"] == "members")].iloc[0]
    assert (row["qualifier"], row["year_start"], row["estimator"]) == (
        "about",
        2006,
        "The Council on Foreign Relations",
    )
