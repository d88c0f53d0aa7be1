"""No silent misses (issue 18): every size statement and every dated listing sentence is read
into a row or reported as a finding that quotes it; every estimator has one canonical id.

The cases are sentences written the way the article's editors write them. Each one names what
it must become: rows (year, measure, estimator, canonical id) or a finding of a named kind.
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import replace_once

from transforms import extract_all
from transforms.designations import extract_designations_with_findings
from transforms.document import Document
from transforms.estimators import ESTIMATORS, alias_key, canonical_name, lookup, resolve
from transforms.membership_estimates import extract_membership_estimates_with_findings
from transforms.schema import ESTIMATOR_KINDS

ROW_COLUMNS = ["low", "high", "qualifier", "measure", "year_start", "year_end", "period"]
WHO_COLUMNS = ["estimator", "estimator_id", "estimator_kind"]


# The two figures of the example sentence, as rows (also read from the bundled article).
DIXON_SARKEES_ROWS = [
    (
        2000,
        2000,
        "about",
        "fighters",
        None,
        None,
        "prewar",
        "Jeffrey S. Dixon and Meredith Reid Sarkees",
        "dixon-sarkees",
        "scholar",
    ),
    (
        10000,
        10000,
        None,
        "fighters",
        None,
        None,
        "later",
        "Jeffrey S. Dixon and Meredith Reid Sarkees",
        "dixon-sarkees",
        "scholar",
    ),
]


def _plain(value):
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


def estimate_rows(frame: pd.DataFrame) -> list[tuple]:
    return [
        tuple(_plain(v) for v in record)
        for record in frame[ROW_COLUMNS + WHO_COLUMNS].itertuples(index=False, name=None)
    ]


# (sentence, rows as (low, high, qualifier, measure, year_start, year_end, period, estimator,
#  estimator_id, estimator_kind), finding kinds expected besides the rows)
SIZE_CASES = [
    pytest.param(
        "Jeffrey S. Dixon and Meredith Reid Sarkees estimate their prewar strength to be about "
        "2,000, later peaking to 10,000.[278]",
        DIXON_SARKEES_ROWS,
        [],
        id="issue-18-framed-then-carried",
    ),
    pytest.param(
        "The group's membership was estimated at 3,000 by the Council on Foreign Relations "
        "in 2007.",
        [
            (
                3000,
                3000,
                None,
                "members",
                2007,
                2007,
                "2007",
                "Council on Foreign Relations",
                "council-on-foreign-relations",
                "think_tank",
            )
        ],
        [],
        id="passive-voice",
    ),
    pytest.param(
        "3,500 fighters remained at Camp Ashraf in 2009, according to The New York Times.",
        [
            (
                3500,
                3500,
                None,
                "fighters",
                2009,
                2009,
                "2009",
                "The New York Times",
                "the-new-york-times",
                "press",
            )
        ],
        [],
        id="figure-first",
    ),
    pytest.param(
        "In 1995 the Pentagon put the MEK's strength at 3,000 to 4,500.",
        [
            (
                3000,
                4500,
                None,
                "fighters",
                1995,
                1995,
                "1995",
                "Pentagon",
                "us-department-of-defense",
                "government",
            )
        ],
        [],
        id="range-with-to-and-alias",
    ),
    pytest.param(
        "According to the State Department, the MEK had 3,000–3,800 members in 2005.",
        [
            (
                3000,
                3800,
                None,
                "members",
                2005,
                2005,
                "2005",
                "State Department",
                "us-department-of-state",
                "government",
            )
        ],
        [],
        id="range-with-dash",
    ),
    pytest.param(
        "Some 1,000 MEK members lived in Camp Liberty in 2014, the United Nations reported.",
        [
            (
                1000,
                1000,
                "some",
                "members",
                2014,
                2014,
                "2014",
                "United Nations",
                "united-nations",
                "intergovernmental",
            )
        ],
        [],
        id="some-intergovernmental",
    ),
    pytest.param(
        "By 1986 the organisation had roughly 10,000 fighters in Iraq, Ervand Abrahamian writes.",
        [
            (
                10000,
                10000,
                "roughly",
                "fighters",
                1986,
                1986,
                "By 1986",
                "Ervand Abrahamian",
                "ervand-abrahamian",
                "scholar",
            )
        ],
        [],
        id="roughly-by-year",
    ),
    pytest.param(
        "Upwards of 5,000 supporters attended the rally in Paris in 2018, the MEK said.",
        [(5000, 5000, "upwards of", "supporters", 2018, 2018, "2018", "MEK", "mek", "self")],
        [],
        id="upwards-of-self-reported",
    ),
    pytest.param(
        "In 1972 the organisation had some forty members, according to Ervand Abrahamian.",
        [
            (
                40,
                40,
                "some",
                "members",
                1972,
                1972,
                "1972",
                "Ervand Abrahamian",
                "ervand-abrahamian",
                "scholar",
            )
        ],
        [],
        id="number-in-words",
    ),
    pytest.param(
        "The Military Balance put its strength at eight hundred in 1999.",
        [
            (
                800,
                800,
                None,
                "fighters",
                1999,
                1999,
                "1999",
                "The Military Balance",
                "the-military-balance",
                "think_tank",
            )
        ],
        [],
        id="hundreds-in-words",
    ),
    pytest.param(
        "Its fighters numbered about 7,000 in 1988, the Council on Foreign Relations estimated.",
        [
            (
                7000,
                7000,
                "about",
                "fighters",
                1988,
                1988,
                "1988",
                "Council on Foreign Relations",
                "council-on-foreign-relations",
                "think_tank",
            )
        ],
        [],
        id="noun-then-numbered",
    ),
    pytest.param(
        "According to Jane Roe, the group had 2,000 members in 1979 and 10,000 in 1981.",
        [
            (2000, 2000, None, "members", 1979, 1979, "1979", "Jane Roe", "jane-roe", "other"),
            (10000, 10000, None, "members", 1981, 1981, "1981", "Jane Roe", "jane-roe", "other"),
        ],
        ["unknown_estimator"],
        id="carried-with-and-unknown-estimator",
    ),
    pytest.param(
        "More than 1,000 members were relocated to Albania in 2016.",
        [(1000, 1000, "more than", "members", 2016, 2016, "2016", None, None, None)],
        [],
        id="more-than-unattributed",
    ),
    pytest.param(
        "In 1988, some 3,000 MEK fighters were killed in Operation Mersad.",
        [],
        ["candidate_estimate"],
        id="killed-is-a-finding",
    ),
    pytest.param(
        "Its fighters, by most counts, were 4,000 in 2001.",
        [],
        ["candidate_estimate"],
        id="unread-phrasing-is-a-finding",
    ),
    pytest.param(
        "The incident killed 73, including 27 members of the Parliament of Iran.",
        [],
        ["candidate_estimate"],
        id="another-body-is-a-finding",
    ),
    pytest.param(
        "Two former members told The Guardian in 2019 that they had left.",
        [],
        [],
        id="lone-number-word-is-prose",
    ),
]


@pytest.mark.parametrize(("sentence", "expected_rows", "expected_kinds"), SIZE_CASES)
def test_size_statement(sentence, expected_rows, expected_kinds):
    frame, findings = extract_membership_estimates_with_findings(Document.from_text(sentence))
    assert estimate_rows(frame) == expected_rows
    assert sorted(f.kind for f in findings) == sorted(expected_kinds)
    for finding in findings:
        if finding.kind == "candidate_estimate":
            assert sentence in finding.detail  # quotes the sentence
            assert "not read" in finding.detail


def test_candidate_finding_says_why():
    _, findings = extract_membership_estimates_with_findings(
        Document.from_text("In 1988, some 3,000 MEK fighters were killed in Operation Mersad.")
    )
    (finding,) = findings
    assert "'some 3,000'" in finding.detail and "'killed'" in finding.detail
    assert finding.severity == "info"
    _, findings = extract_membership_estimates_with_findings(
        Document.from_text("Its fighters, by most counts, were 4,000 in 2001.")
    )
    (finding,) = findings
    assert "no counted noun" in finding.detail and finding.severity == "warning"


# (sentence, designation rows as (authority_code, status, listed_on, delisted_on) or the
#  finding kinds expected)
LISTING_CASES = [
    pytest.param(
        "The United Kingdom proscribed the MEK on 28 March 2001.",
        [("GB", "current", "2001-03-28", None)],
        [],
        id="proscribed-on-day",
    ),
    pytest.param(
        "The MEK was designated a terrorist organization by Canada on 24 May 2005.",
        [("CA", "current", "2005-05-24", None)],
        [],
        id="passive-designated",
    ),
    pytest.param(
        "On 20 December 2012, Canada removed the group from its list of terrorist entities.",
        [("CA", "former", None, "2012-12-20")],
        [],
        id="date-first-removed",
    ),
    pytest.param(
        "Japan lifted its terrorist designation of the MEK in 2013.",
        [("JP", "former", None, "2013-01-01")],
        [],
        id="lifted-in-year",
    ),
    pytest.param(
        "It was delisted by the European Union in January 2009.",
        [("EU", "former", None, "2009-01-01")],
        [],
        id="passive-delisted-month",
    ),
    pytest.param(
        "Australia listed the group as a terrorist organisation in 2002.",
        [("AU", "current", "2002-01-01", None)],
        [],
        id="listed-in-year",
    ),
    pytest.param(
        "The United States added the MEK to its list of Foreign Terrorist Organizations in "
        "October 1997.",
        [("US", "current", "1997-10-01", None)],
        [],
        id="added-to-list-month",
    ),
    pytest.param(
        "The Council of the European Union removed the group's terrorist designation following "
        "the 2008 censure of France.",
        [],
        ["candidate_designation"],
        id="date-not-the-event",
    ),
    pytest.param(
        "In 2001 it was proscribed as a terrorist group, the British Home Office announced.",
        [],
        ["candidate_designation"],
        id="authority-outside-the-dated-clause",
    ),
    pytest.param(
        "Iraq's post-2003 government designated the MEK a terrorist organization.",
        [],
        ["candidate_designation"],
        id="era-not-a-date",
    ),
    pytest.param(
        "Canada has listed the MEK as a terrorist organization.",
        [],
        ["candidate_designation"],
        id="undated-and-no-row-here",
    ),
    pytest.param(
        "New Zealand has also listed the MEK as a terrorist organization.",
        [],
        ["candidate_designation"],
        id="undated-listing-by-an-authority-without-a-row",
    ),
]


@pytest.mark.parametrize(("sentence", "expected_rows", "expected_kinds"), LISTING_CASES)
def test_listing_statement(sentence, expected_rows, expected_kinds):
    frame, findings = extract_designations_with_findings(Document.from_text(sentence))
    rows = [
        (
            r.authority_code,
            r.status,
            None if pd.isna(r.listed_on) else r.listed_on.date().isoformat(),
            None if pd.isna(r.delisted_on) else r.delisted_on.date().isoformat(),
        )
        for r in frame.itertuples()
    ]
    assert rows == expected_rows
    # A lone sentence has no designation table: that finding is expected every time.
    kinds = sorted(f.kind for f in findings if f.kind != "missing_section")
    assert kinds == sorted(expected_kinds)
    for finding in findings:
        if finding.kind == "candidate_designation":
            assert sentence in finding.detail and "no designation row takes it up" in finding.detail


def test_bundled_article_listing_candidates(tables):
    """The one listing sentence of the bundled article no row takes up: the EU delisting
    dated only by the Court's 2008 censure."""
    findings = tables["findings"]
    candidates = findings[findings["kind"] == "candidate_designation"]
    assert len(candidates) == 1
    assert "'2008'" in candidates.iloc[0]["detail"]
    assert "European Union" in candidates.iloc[0]["detail"]


def test_bundled_article_yields_dixon_and_sarkees(tables):
    frame = tables["membership_estimates"]
    rows = frame[frame["estimator_id"] == "dixon-sarkees"]
    assert estimate_rows(rows) == DIXON_SARKEES_ROWS
    assert list(rows["citations"]) == [[278], [278]]


def test_every_bundled_estimator_has_an_entry(tables):
    """Fails when the article names an estimator the reviewed table lacks: add it to
    transforms/estimators.py with its kind."""
    frame = tables["membership_estimates"]
    named = frame[frame["estimator"].notna()]
    unknown = [words for worded in named["estimator"] for words in resolve(worded).unknown]
    assert unknown == []
    findings = tables["findings"]
    assert (findings["kind"] == "unknown_estimator").sum() == 0


def test_one_source_one_id(tables):
    """The article's two spellings of the Department of Defense and of the New York Times
    each resolve to one id; the words stay as written."""
    frame = tables["membership_estimates"]
    by_id = frame.groupby("estimator_id")["estimator"].agg(lambda s: sorted(set(s)))
    assert by_id["us-department-of-defense"] == ["DoD", "United States Department of Defense"]
    assert by_id["the-new-york-times"] == ["New York Times", "The New York Times"]
    assert set(frame["estimator_kind"].dropna()) <= set(ESTIMATOR_KINDS)
    assert frame["estimator_id"].isna().equals(frame["estimator"].isna())


def test_bundled_size_candidates_are_meaningful(tables):
    """Every unread figure of the bundled article that stands with a size word is a finding;
    none of them is a date, a sum of money or the day of a month."""
    findings = tables["findings"]
    candidates = findings[findings["kind"] == "candidate_estimate"]
    details = " ".join(candidates["detail"])
    for quoted in ("'an estimated 120,000'", "'some 3,000'", "'2,500'", "'27'"):
        assert quoted in details
    assert "'5'" not in details and "'1979 to 1981'" not in details
    assert set(candidates["severity"]) <= {"info", "warning"}


@pytest.mark.parametrize(
    ("words", "estimator_id"),
    [
        pytest.param("DoD", "us-department-of-defense", id="acronym"),
        pytest.param("U.S. Department of Defense", "us-department-of-defense", id="dotted"),
        pytest.param("the New York Times", "the-new-york-times", id="lower-the"),
        pytest.param("The New York Times's", "the-new-york-times", id="possessive"),
        pytest.param("Jane Roe", None, id="unknown"),
    ],
)
def test_lookup(words, estimator_id):
    found = lookup(words)
    assert (found.id if found else None) == estimator_id


def test_unknown_estimator_gets_a_stable_derived_id():
    first, second = resolve("The Example Institute"), resolve("Example Institute")
    assert first.id == second.id == "example-institute"
    assert first.kind == "other" and first.unknown == ("The Example Institute",)


def test_joint_estimators():
    joint = resolve("The Military Balance; BMI Research")
    assert joint.id == "the-military-balance+bmi-research"
    assert joint.kind == "other"  # a think tank and a research firm: no one kind
    assert canonical_name(joint.id) == "The Military Balance (IISS); BMI Research"
    mixed = resolve("DoD; Jane Roe")
    assert (mixed.id, mixed.unknown) == ("us-department-of-defense+jane-roe", ("Jane Roe",))
    assert canonical_name(mixed.id, "DoD; Jane Roe") == (
        "United States Department of Defense; Jane Roe"
    )


def test_estimator_table_is_well_formed():
    ids = [e.id for e in ESTIMATORS]
    assert len(ids) == len(set(ids))
    for estimator in ESTIMATORS:
        assert estimator.kind in ESTIMATOR_KINDS
        assert lookup(estimator.name) is estimator
        for alias in estimator.aliases:
            assert lookup(alias) is estimator, alias
        assert alias_key(estimator.name)


def test_unknown_estimator_in_a_new_revision_publishes_loudly(article_text):
    """A source the reviewed table lacks does not stop extraction: a derived id, kind other
    and an unknown_estimator finding naming it."""
    text = replace_once(article_text, "According to George E. Delury,", "According to Jane Roe,")
    tables = extract_all(text)
    frame = tables["membership_estimates"]
    rows = frame[frame["estimator"] == "Jane Roe"]
    assert list(rows["low"]) == [5000, 50000]
    assert set(rows["estimator_id"]) == {"jane-roe"} and set(rows["estimator_kind"]) == {"other"}
    findings = tables["findings"]
    unknown = findings[findings["kind"] == "unknown_estimator"]
    assert len(unknown) == 1 and "'Jane Roe'" in unknown.iloc[0]["detail"]
    assert unknown.iloc[0]["severity"] == "warning"


def test_new_size_phrasing_in_a_revision_is_not_silent(article_text):
    """A revision rewords a size statement into a form the reader does not know: the figure
    becomes a candidate_estimate finding, not nothing."""
    text = replace_once(
        article_text,
        "A 2013 article in Foreign Policy claimed that there were some 2,900 members in Iraq.",
        "A 2013 article in Foreign Policy claimed that its members, by most counts, were "
        "2,900 in Iraq.",
    )
    tables = extract_all(text)
    assert 2900 not in set(tables["membership_estimates"]["low"])
    findings = tables["findings"]
    candidates = findings[findings["kind"] == "candidate_estimate"]
    assert candidates["detail"].str.contains("'2,900'").sum() == 1


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        pytest.param(
            "Canada has listed the MEK as a terrorist organization.",
            0,
            id="undated-restating-a-row",
        ),
        pytest.param(
            "New Zealand has listed the MEK as a terrorist organization.",
            1,
            id="undated-authority-without-a-row",
        ),
    ],
)
def test_undated_listing_sentences_in_the_article(article_text, sentence, expected):
    """In the article, an undated listing sentence restating a row is no miss; one naming an
    authority that has no row is."""
    from transforms import extract_all

    anchor = (
        "The countries and organizations below have officially listed MEK as a terrorist "
        "organization:"
    )
    edited = article_text.replace(anchor, f"{sentence} {anchor}", 1)
    assert edited != article_text
    findings = extract_all(edited)["findings"]
    candidates = findings[findings["kind"] == "candidate_designation"]
    new = [d for d in candidates["detail"] if sentence in d]
    assert len(new) == expected
