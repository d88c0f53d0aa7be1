"""designations: the pinned table for the bundled article, and the extractor on altered copies."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from conftest import line_of, replace_once

from transforms.designations import extract_designations_with_findings
from transforms.document import Document

D = dt.date
# (designation_id, authority, code, status, kind, regime, listed_on, listed precision,
#  delisted_on, delisted precision, citations)
EXPECTED = [
    (
        "ir-current-government",
        "Iran",
        "IR",
        "current",
        "terrorist_designation",
        "current government",
        D(1981, 1, 1),
        "year",
        None,
        None,
        [290],
    ),
    (
        "ir-pahlavi-dynasty",
        "Iran",
        "IR",
        "former",
        "terrorist_designation",
        "Pahlavi dynasty",
        None,
        None,
        D(1979, 1, 1),
        "year",
        [291],
    ),
    (
        "iq-post-2003-government",
        "Iraq",
        "IQ",
        "current",
        "terrorist_designation",
        "post-2003 government",
        None,
        None,
        None,
        None,
        [197, 292],
    ),
    (
        "us",
        "United States",
        "US",
        "former",
        "terrorist_designation",
        None,
        D(1997, 7, 8),
        "day",
        D(2012, 9, 28),
        "day",
        [293],
    ),
    (
        "gb",
        "United Kingdom",
        "GB",
        "former",
        "terrorist_designation",
        None,
        D(2001, 3, 28),
        "day",
        D(2008, 6, 24),
        "day",
        [293],
    ),
    (
        "eu",
        "European Union",
        "EU",
        "former",
        "terrorist_designation",
        None,
        D(2002, 5, 1),
        "month",
        D(2009, 1, 26),
        "day",
        [293],
    ),
    (
        "ca",
        "Canada",
        "CA",
        "former",
        "terrorist_designation",
        None,
        D(2005, 5, 24),
        "day",
        D(2012, 12, 20),
        "day",
        [294, 295],
    ),
    (
        "au",
        "Australia",
        "AU",
        "other",
        "sanctions_list",
        None,
        D(2001, 12, 21),
        "day",
        None,
        None,
        [296],
    ),
    (
        "un",
        "United Nations",
        "UN",
        "other",
        "description",
        None,
        D(2008, 1, 1),
        "year",
        None,
        None,
        [297, 298],
    ),
    (
        "jp",
        "Japan",
        "JP",
        "former",
        "terrorist_designation",
        None,
        None,
        None,
        D(2013, 1, 1),
        "year",
        [67],
    ),
]
COLUMNS = [
    "designation_id",
    "authority",
    "authority_code",
    "status",
    "listing_kind",
    "regime",
    "listed_on",
    "listed_on_precision",
    "delisted_on",
    "delisted_on_precision",
    "citations",
]


def _date(value):
    return None if pd.isna(value) else pd.Timestamp(value).date()


def rows(frame: pd.DataFrame) -> list[tuple]:
    result = []
    for record in frame[COLUMNS].to_dict("records"):
        result.append(
            tuple(
                _date(record[c])
                if c in ("listed_on", "delisted_on")
                else (None if not isinstance(record[c], list) and pd.isna(record[c]) else record[c])
                for c in COLUMNS
            )
        )
    return result


def extract(text: str):
    return extract_designations_with_findings(Document.from_text(text))


def test_pinned_table(tables):
    assert rows(tables["designations"]) == EXPECTED


def test_listing_details_read_from_the_row(tables):
    frame = tables["designations"].set_index("designation_id")
    assert frame.loc["au", "listing_detail"] == (
        "'Consolidated List' subject to the United Nations Security Council Resolution 1373"
    )
    assert frame.loc["un", "listing_detail"] == (
        'described as "involved in terrorist activities" by the United Nations Committee '
        "against Torture"
    )


def test_evidence_lines(tables, article_text):
    frame = tables["designations"].set_index("designation_id")
    lead = line_of(article_text, "This designation has since been lifted")
    removal = line_of(article_text, "The United Kingdom lifted the MEK's designation")
    put_on = line_of(article_text, "In 1997, the United States put the MEK")
    formally = line_of(article_text, "On 28 September 2012, the U.S. State Department")
    assert frame.loc["us", "evidence_lines"] == sorted([put_on, formally])
    assert frame.loc["gb", "evidence_lines"] == [removal]
    assert lead in frame.loc["eu", "evidence_lines"]
    assert frame.loc["ca", "evidence_lines"] == sorted([lead, removal])


def test_conflicting_us_delisting_date_is_a_finding(article_text):
    _, findings = extract(article_text)
    conflicts = [f for f in findings if f.kind == "conflict"]
    table_line = line_of(article_text, "Formerly listed by \u00a0United States")
    assert {f.source_line for f in conflicts} == {
        line_of(article_text, "This designation has since been lifted"),
        line_of(article_text, "It was also lifted in the United States"),
    }
    for finding in conflicts:
        assert finding.related_lines == [table_line]
        assert "2012-09-28" in finding.detail and "2012-09-21" in finding.detail


def test_source_lines_point_at_the_table_rows(tables, article_text):
    frame = tables["designations"].set_index("designation_id")
    assert frame.loc["us", "source_line"] == line_of(article_text, "United States Designated on")
    assert frame.loc["jp", "source_line"] == line_of(article_text, "by the Japanese government")


# --- altered copies: the output follows the text ---------------------------------------------


def test_row_added(article_text):
    text = replace_once(
        article_text,
        "\u00a0Canada Designated on 24 May 2005,",
        "\u00a0Netherlands Designated on 3 March 2004,[999] delisted on 5 May 2010[999]\n"
        "\u00a0Canada Designated on 24 May 2005,",
    )
    frame, _ = extract(text)
    added = frame.set_index("designation_id").loc["nl"]
    assert added["status"] == "former"
    assert _date(added["listed_on"]) == D(2004, 3, 3)
    assert _date(added["delisted_on"]) == D(2010, 5, 5)
    assert added["citations"] == [999]


def test_row_removed(article_text):
    text = replace_once(
        article_text,
        "\u00a0United Kingdom Designated on 28 March 2001,[293] delisted on 24 June 2008[293]\n",
        "",
    )
    frame, _ = extract(text)
    # The removal section still dates the UK delisting: a prose-only row, not a lost fact.
    uk = frame.set_index("designation_id").loc["gb"]
    assert uk["citation_rule"] == "sentence"
    assert _date(uk["delisted_on"]) == D(2008, 6, 1) and uk["delisted_on_precision"] == "month"
    assert pd.isna(uk["listed_on"])


def test_date_changed(article_text):
    text = replace_once(
        article_text, "Designated on 24 May 2005,[294]", "Designated on 2 June 2006,[294]"
    )
    frame, _ = extract(text)
    assert _date(frame.set_index("designation_id").loc["ca", "listed_on"]) == D(2006, 6, 2)


def test_rows_reordered(article_text):
    block = (
        "Formerly listed by \u00a0United States Designated on 8 July 1997, delisted on "
        "28 September 2012[293]\n"
        "\u00a0United Kingdom Designated on 28 March 2001,[293] delisted on 24 June "
        "2008[293]\n"
    )
    reordered = (
        "Formerly listed by \u00a0United Kingdom Designated on 28 March 2001,[293] "
        "delisted on 24 June 2008[293]\n"
        "\u00a0United States Designated on 8 July 1997, delisted on 28 September "
        "2012[293]\n"
    )
    frame, _ = extract(replace_once(article_text, block, reordered))
    assert sorted(rows(frame)) == sorted(EXPECTED)


def test_heading_renamed(article_text):
    text = replace_once(
        article_text, "\nDesignation as a terrorist organization\n", "\nTerror listings\n"
    )
    frame, _ = extract(text)
    assert rows(frame) == EXPECTED


def test_prose_delisting_date_changed_to_agree(article_text):
    text = replace_once(
        article_text,
        "by the U.S. government on 21 September 2012",
        "by the U.S. government on 28 September 2012",
    )
    text = replace_once(
        text,
        "Hillary Clinton[96] on September 21, 2012",
        "Hillary Clinton[96] on September 28, 2012",
    )
    frame, findings = extract(text)
    assert [f for f in findings if f.kind == "conflict"] == []
    us = frame.set_index("designation_id").loc["us"]
    assert line_of(text, "This designation has since been lifted") in us["evidence_lines"]


def test_prose_delisting_date_changed_to_disagree(article_text):
    text = replace_once(
        article_text,
        "and lastly in Canada on December 20, 2012",
        "and lastly in Canada on January 7, 2013",
    )
    _, findings = extract(text)
    canada = [f for f in findings if f.kind == "conflict" and "Canada" in f.detail]
    assert len(canada) == 1
    assert "2012-12-20" in canada[0].detail and "2013-01-07" in canada[0].detail


def test_current_listing_contradicted_by_prose(article_text):
    text = replace_once(
        article_text,
        "The MEK is designated as a terrorist organization by Iran and Iraq.[57]",
        "Iraq delisted the MEK as a terrorist organization on 1 March 2020.[57]",
    )
    _, findings = extract(text)
    assert any(f.kind == "conflict" and "Iraq" in f.detail for f in findings)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param("by \u00a0Iran Designated", "by  Iran Designated", id="plain-spaces"),
        pytest.param("\u00a0Iraq Designated", "Iraq Designated", id="no-leading-blank"),
        pytest.param(
            "delisted on 28 September 2012[293]",
            "delisted on 28 September 2012[a][293]",
            id="letter-footnote",
        ),
        pytest.param(
            "Designated in May 2002,[293]", "Designated in May 2002,[note 2][293]", id="note-marker"
        ),
    ],
)
def test_tolerates_markup_variants(article_text, old, new):
    frame, _ = extract(replace_once(article_text, old, new))
    assert rows(frame) == EXPECTED


def test_missing_table_is_a_finding(article_text):
    start = article_text.index("Currently listed by")
    end = article_text.index("\n\n", start)
    frame, findings = extract(article_text[:start] + article_text[end:])
    assert any(f.kind == "missing_section" and f.table == "designations" for f in findings)
    # Prose-dated authorities survive as rows of their own.
    assert {"JP", "EU", "US", "CA"} <= set(frame["authority_code"])
