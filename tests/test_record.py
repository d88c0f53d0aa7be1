"""The record: designation rows read from real-shaped table rows, set beside official acts built
here (case tables), so these tests hold whatever the reviewed table contains; the last tests run
the real table on the bundled article and assert against it generically."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from transforms import extract_all
from transforms.designations import extract_designations_with_findings
from transforms.document import Document
from transforms.official_acts import OFFICIAL_ACTS, OfficialAct
from transforms.record import apply_record, names_program, official_acts_frame
from transforms.schema import DESIGNATIONS
from transforms.schema import OFFICIAL_ACTS as OFFICIAL_ACTS_TABLE

D = dt.date
BUNDLED = Path(__file__).resolve().parents[1] / "sources" / "peoples-mujahedin-of-iran.txt"
TABLE_HEAD = "The countries below have officially listed the group as a terrorist organization:\n\n"


def act(
    act_id: str, code: str, act_type: str, day: dt.date, program: str = "List A"
) -> OfficialAct:
    return OfficialAct(
        act_id=act_id,
        authority_code=code,
        authority=f"Authority {code}",
        act_type=act_type,
        program=program,
        official_date=day,
        instrument=f"Instrument {act_id}",
        url=f"https://example.org/{act_id}",
        evidence=f"In force on {day.isoformat()}.",
        evidence_url=f"https://example.org/{act_id}",
    )


def designations(rows: str) -> pd.DataFrame:
    frame, _ = extract_designations_with_findings(Document.from_text(TABLE_HEAD + rows + "\n"))
    return frame


def record(rows: str, acts: list[OfficialAct]):
    frame, findings = apply_record(designations(rows), acts)
    return frame.set_index("designation_id"), findings


FORMER_US = (
    "Formerly listed by  United States Designated on 8 October 1997, delisted on "
    "28 September 2012[1]"
)


@pytest.mark.parametrize(
    ("rows", "acts", "expected"),
    [
        pytest.param(
            FORMER_US,
            [
                act("us-l", "US", "listing", D(1997, 10, 8)),
                act("us-d", "US", "delisting", D(2012, 9, 28)),
            ],
            {"us": (D(1997, 10, 8), D(2012, 9, 28), "us-l", "us-d", True)},
            id="day-precision-both-agree",
        ),
        pytest.param(
            FORMER_US.replace("8 October 1997", "8 July 1997"),
            [
                act("us-l", "US", "listing", D(1997, 10, 8)),
                act("us-d", "US", "delisting", D(2012, 9, 28)),
            ],
            {"us": (D(1997, 10, 8), D(2012, 9, 28), "us-l", "us-d", False)},
            id="listing-day-differs",
        ),
        pytest.param(
            "Formerly listed by  European Union Designated in May 2002,[2] delisted on "
            "26 January 2009[2]",
            [
                act("eu-l", "EU", "listing", D(2002, 5, 2)),
                act("eu-d", "EU", "delisting", D(2009, 1, 26)),
            ],
            {"eu": (D(2002, 5, 2), D(2009, 1, 26), "eu-l", "eu-d", True)},
            id="month-precision-agrees-with-a-day-in-it",
        ),
        pytest.param(
            "Formerly listed by  European Union Designated in June 2002,[2] delisted on "
            "26 January 2009[2]",
            [
                act("eu-l", "EU", "listing", D(2002, 5, 2)),
                act("eu-d", "EU", "delisting", D(2009, 1, 26)),
            ],
            {"eu": (D(2002, 5, 2), D(2009, 1, 26), "eu-l", "eu-d", False)},
            id="month-precision-other-month",
        ),
        pytest.param(
            "Currently listed by  Iran Designated by the current government[3] since 1981",
            [act("ir-l", "IR", "listing", D(1981, 6, 20))],
            {"ir-current-government": (D(1981, 6, 20), None, "ir-l", None, True)},
            id="year-precision-agrees-with-any-day",
        ),
        pytest.param(
            "Currently listed by  Iran Designated by the current government[3] since 1981",
            [
                act("ir-l", "IR", "listing", D(1981, 6, 20)),
                act("ir-d", "IR", "delisting", D(1990, 1, 1)),
            ],
            {"ir-current-government": (D(1981, 6, 20), D(1990, 1, 1), "ir-l", "ir-d", False)},
            id="current-in-article-delisted-on-record",
        ),
        pytest.param(
            "Currently listed by  Iraq Designated by the post-2003 government[4]",
            [act("iq-l", "IQ", "listing", D(2005, 3, 1))],
            {"iq-post-2003-government": (D(2005, 3, 1), None, "iq-l", None, None)},
            id="undated-row-takes-the-act-but-cannot-be-compared",
        ),
        pytest.param(
            FORMER_US,
            [act("gb-l", "GB", "listing", D(2001, 3, 29))],
            {"us": (None, None, None, None, None)},
            id="no-act-of-this-authority",
        ),
        pytest.param(
            # Two US programs: the row's date chooses the FTO listing, not the 2001 one.
            FORMER_US.replace("8 October 1997", "8 July 1997"),
            [
                act("us-eo", "US", "listing", D(2001, 10, 31), "Executive Order 13224"),
                act("us-fto", "US", "listing", D(1997, 10, 8), "Foreign Terrorist Organizations"),
                act("us-eo-d", "US", "delisting", D(2012, 9, 28), "Executive Order 13224"),
                act(
                    "us-fto-d", "US", "delisting", D(2012, 9, 28), "Foreign Terrorist Organizations"
                ),
            ],
            {"us": (D(1997, 10, 8), D(2012, 9, 28), "us-fto", "us-fto-d", False)},
            id="two-programs-nearest-listing-and-its-own-delisting",
        ),
        pytest.param(
            # The row names its program: that act wins over a nearer date.
            "Formerly listed by  United States Designated on 8 October 1997 under Executive Order "
            "13224, delisted on 28 September 2012[1]",
            [
                act("us-eo", "US", "listing", D(2001, 10, 31), "Executive Order 13224"),
                act("us-fto", "US", "listing", D(1997, 10, 8), "Foreign Terrorist Organizations"),
            ],
            {"us": (D(2001, 10, 31), None, "us-eo", None, False)},
            id="program-named-in-the-row-wins",
        ),
    ],
)
def test_record_columns(rows, acts, expected):
    frame, _ = record(rows, acts)
    for designation_id, (listed, delisted, listing_id, delisting_id, agrees) in expected.items():
        row = frame.loc[designation_id]
        got_listed = None if pd.isna(row["record_listed_on"]) else row["record_listed_on"].date()
        got_delisted = (
            None if pd.isna(row["record_delisted_on"]) else row["record_delisted_on"].date()
        )
        assert (got_listed, got_delisted) == (listed, delisted)
        assert (
            None if pd.isna(row["record_listing_act_id"]) else row["record_listing_act_id"],
            None if pd.isna(row["record_delisting_act_id"]) else row["record_delisting_act_id"],
        ) == (listing_id, delisting_id)
        assert (None if pd.isna(row["record_agrees"]) else bool(row["record_agrees"])) is agrees
        if listing_id or delisting_id:
            first = listing_id or delisting_id
            assert row["record_url"] == f"https://example.org/{first}"
            assert first in row["record_basis"]
        else:
            assert pd.isna(row["record_url"]) and pd.isna(row["record_basis"])


def test_conflict_names_both_dates_the_act_and_the_line():
    text = FORMER_US.replace("8 October 1997", "8 July 1997")
    frame, findings = record(text, [act("us-l", "US", "listing", D(1997, 10, 8))])
    (conflict,) = [f for f in findings if f.kind == "record_conflict"]
    line = (TABLE_HEAD + text).splitlines().index(text) + 1
    assert conflict.source_line == line == frame.loc["us", "source_line"]
    assert conflict.severity == "warning"
    for words in (
        "8 July 1997",
        "8 October 1997",
        "Instrument us-l",
        "https://example.org/us-l",
        f"line {line}",
    ):
        assert words in conflict.detail


def test_current_row_with_delisting_on_record_is_a_conflict():
    _, findings = record(
        "Currently listed by  Iran Designated by the current government[3] since 1981",
        [
            act("ir-l", "IR", "listing", D(1981, 6, 20)),
            act("ir-d", "IR", "delisting", D(1990, 5, 1)),
        ],
    )
    (conflict,) = [f for f in findings if f.kind == "record_conflict"]
    assert "still listed" in conflict.detail and "1 May 1990" in conflict.detail


def test_acts_the_article_does_not_mention_are_record_missing():
    rows = FORMER_US
    acts = [
        act("us-fto", "US", "listing", D(1997, 10, 8), "Foreign Terrorist Organizations"),
        act("us-eo", "US", "listing", D(2001, 10, 31), "Executive Order 13224"),
        act("jp-l", "JP", "listing", D(2001, 12, 28)),
    ]
    _, findings = record(rows, acts)
    missing = sorted(f.detail for f in findings if f.kind == "record_missing")
    assert len(missing) == 2
    assert any("Instrument us-eo" in d and "United States row on line" in d for d in missing)
    assert any("Instrument jp-l" in d and "names no such designation" in d for d in missing)
    assert not [f for f in findings if f.kind == "record_conflict"]
    assert all(f.severity == "warning" for f in findings)


def test_a_delisting_the_row_does_not_state_is_record_missing():
    rows = (
        "Other designations  Australia Not designated as terrorist but added to the "
        "'Consolidated List' subject to the United Nations Security Council Resolution 1373 on "
        "21 December 2001[5]"
    )
    acts = [
        act("au-l", "AU", "listing", D(2001, 12, 21), "Consolidated List"),
        act("au-d", "AU", "delisting", D(2013, 1, 1), "Consolidated List"),
    ]
    frame, findings = record(rows, acts)
    row = frame.iloc[0]
    assert row["record_delisting_act_id"] == "au-d" and bool(row["record_agrees"]) is True
    (missing,) = [f for f in findings if f.kind == "record_missing"]
    assert "au-d" in missing.detail


def test_description_rows_take_no_act():
    rows = (
        'Other designations  United Nations The group is described as "involved in terrorist '
        'activities" by the United Nations Committee against Torture in 2008[6]'
    )
    frame, findings = record(rows, [act("un-l", "UN", "listing", D(2008, 5, 1))])
    assert frame["record_listing_act_id"].isna().all()
    assert [f.kind for f in findings] == ["record_missing"]


def test_each_act_serves_one_row():
    rows = (
        "Currently listed by  Iran Designated by the current government[3] since 1981, also "
        "during Pahlavi dynasty[4] until 1979"
    )
    frame, _ = record(rows, [act("ir-l", "IR", "listing", D(1981, 6, 20))])
    assert frame["record_listing_act_id"].dropna().tolist() == ["ir-l"]
    assert frame.loc["ir-current-government", "record_listing_act_id"] == "ir-l"


@pytest.mark.parametrize(
    ("text", "program", "named"),
    [
        pytest.param(
            "added to the 'Consolidated List' subject to", "Consolidated List", True, id="list"
        ),
        pytest.param(
            "the Foreign Terrorist Organizations list",
            "Foreign Terrorist Organizations (INA section 219)",
            True,
            id="before-brackets",
        ),
        pytest.param(
            "Designated on 8 July 1997", "Foreign Terrorist Organizations", False, id="no"
        ),
        pytest.param("a list", "List", False, id="one-word-phrases-never-match"),
    ],
)
def test_names_program(text, program, named):
    assert names_program(text, program) is named


def test_official_acts_frame_is_the_declared_table():
    acts = [act("b", "US", "delisting", D(2012, 9, 28)), act("a", "US", "listing", D(1997, 10, 8))]
    frame = official_acts_frame(acts)
    assert list(frame.columns) == OFFICIAL_ACTS_TABLE.column_names
    assert frame["act_id"].tolist() == ["a", "b"]
    assert frame["official_date"].dtype == "datetime64[s]"


def test_the_bundled_article_beside_the_reviewed_table():
    """Generic over whatever the reviewed table holds: every authority with acts on record
    has its listing rows matched, every disagreement is a finding naming both dates, every
    act appears in a row or in a record_missing finding."""
    tables = extract_all(BUNDLED.read_text(encoding="utf-8"))
    frame = tables["designations"]
    findings = tables["findings"]
    assert list(frame.columns) == DESIGNATIONS.column_names
    assert len(tables["official_acts"]) == len(OFFICIAL_ACTS)
    coded = {a.authority_code for a in OFFICIAL_ACTS}
    listing_rows = frame[frame["listing_kind"] != "description"]
    for _, row in listing_rows.iterrows():
        has_record = not pd.isna(row["record_listing_act_id"]) or not pd.isna(
            row["record_delisting_act_id"]
        )
        codes_listing = {a.authority_code for a in OFFICIAL_ACTS if a.act_type == "listing"}
        if row["authority_code"] in codes_listing and not pd.isna(row["listed_on"]):
            assert has_record, row["designation_id"]
        if row["authority_code"] not in coded:
            assert not has_record and pd.isna(row["record_agrees"])
    by_id = {a.act_id: a for a in OFFICIAL_ACTS}
    conflicts = findings[findings["kind"] == "record_conflict"]
    disagreeing = frame[frame["record_agrees"].fillna(True) == False]  # noqa: E712
    assert len(conflicts) >= len(disagreeing)
    for _, row in disagreeing.iterrows():
        details = conflicts[conflicts["source_line"] == row["source_line"]]["detail"]
        assert any(row["designation_id"] in d for d in details)
        urls = [
            by_id[act_id].url
            for act_id in (row["record_listing_act_id"], row["record_delisting_act_id"])
            if not pd.isna(act_id)
        ]
        assert any(url in d for url in urls for d in details)
    mentioned = set(frame["record_listing_act_id"].dropna()) | set(
        frame["record_delisting_act_id"].dropna()
    )
    missing = " ".join(findings[findings["kind"] == "record_missing"]["detail"])
    for a in OFFICIAL_ACTS:
        assert a.act_id in mentioned or a.act_id in missing
    assert set(findings[findings["kind"].str.startswith("record_")]["severity"]) <= {"warning"}
