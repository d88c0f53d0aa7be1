"""report.html tells the truth: listings dated only by an era are drawn (open-started), both
validation gates are shown apart, and dates appear at the precision the text gives."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from conftest import replace_once

from pages.release_report import listing_bars, render_report
from transforms import extract_all

TODAY = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def bars(tables):
    return {bar.label: bar for bar in listing_bars(tables["designations"], TODAY)}


def test_era_started_listing_is_an_open_started_bar(bars):
    """Iraq's listing is dated only as "the post-2003 government": listed_on is null, and the
    chart still draws it, open at its start, running to today, with a note quoting the era."""
    iraq = next(bar for label, bar in bars.items() if label.startswith("Iraq"))
    assert iraq.open_start and iraq.start is not None and iraq.end == TODAY
    assert iraq.start.year == 2003  # the era's own year, drawn as an open start
    assert "post-2003 government" in iraq.note


def test_era_without_a_year_opens_at_the_charts_left_edge(bars):
    pahlavi = next(bar for label, bar in bars.items() if "Pahlavi" in label)
    assert pahlavi.open_start and pahlavi.end == dt.date(1979, 1, 1)
    assert pahlavi.start < min(b.start for b in bars.values() if b.start and not b.open_start)
    assert "'Pahlavi dynasty', until 1979" in pahlavi.note


def test_dated_and_undated_rows_keep_their_marks(bars):
    assert not bars["United States"].open_start
    assert (bars["United States"].start, bars["United States"].end) == (
        dt.date(1997, 7, 8),
        dt.date(2012, 9, 28),
    )
    assert bars["Japan"].start is None and bars["Japan"].end.year == 2013  # a diamond
    assert bars["Australia"].dot


def test_an_era_is_read_from_the_text_not_recited(article_text):
    """Alter the era in the article: the bar follows it."""
    altered = replace_once(
        article_text,
        "Iraq Designated by the post-2003 government",
        "Iraq Designated by the post-2005 government",
    )
    bars = listing_bars(extract_all(altered)["designations"], TODAY)
    iraq = next(bar for bar in bars if bar.label.startswith("Iraq"))
    assert iraq.open_start and iraq.start == dt.date(2005, 1, 1)
    assert "post-2005" in iraq.note


@pytest.fixture(scope="module")
def page(tables):
    validation = {
        "success": True,
        "suites": {
            "designations.structural": {
                "gate": "blocking",
                "evaluated": 40,
                "successful": 40,
                "failed": [],
            },
            "references.source_quality": {
                "gate": "source_quality",
                "evaluated": 1,
                "successful": 0,
                "failed": [
                    {
                        "expectation": "expect_column_pair_values_a_to_be_greater_than_b",
                        "column": "backlink_count",
                        "unexpected_count": 1,
                    }
                ],
            },
        },
    }
    charts = {"listings": "", "membership": ""}  # drawing is not under test here
    return render_report(tables, "2026.11.27", validation, "", "test", TODAY, charts)


def test_report_dates_at_their_precision(page):
    assert "8 July 1997" in page and "May 2002" in page and ">1981<" in page
    for invented in ("2002-05-01", "1981-01-01", "2008-01-01"):
        assert invented not in page


def test_report_notes_the_era_and_shows_both_gates(page):
    assert "post-2003 government" in page and "open-started" in page
    blocking = page.index("Blocking checks")
    quality = page.index("Source-quality checks")
    assert blocking < page.index("designations.structural") < quality
    assert page.index("references.source_quality") > quality
    assert "1 not met: published with findings" in page


def test_the_record_beside_the_article(page, tables):
    """Each designation with the article's dates and the record's side by side: a row that
    disagrees is highlighted, the differing date marked, each act linked."""
    from lxml import html as lxml_html

    tree = lxml_html.fromstring(page)
    (table,) = tree.xpath("//table[@id='record-table']")
    rows = {tr.get("data-designation"): tr for tr in table.xpath("./tbody/tr")}
    designations = tables["designations"]
    assert set(rows) == set(designations["designation_id"])
    urls = dict(zip(tables["official_acts"]["act_id"], tables["official_acts"]["url"], strict=True))
    disagreeing = 0
    for record in designations.to_dict("records"):
        tr = rows[record["designation_id"]]
        agrees = record["record_agrees"]
        disagrees = not (agrees is None or agrees is pd.NA) and not agrees
        assert ("record-disagrees" in (tr.get("class") or "")) is disagrees
        disagreeing += disagrees
        if disagrees:
            assert tr.xpath(".//td[@class='differs']"), record["designation_id"]
        links = tr.xpath(".//a/@href")
        for column in ("record_listing_act_id", "record_delisting_act_id"):
            if isinstance(record[column], str):
                assert urls[record[column]] in links
    assert disagreeing == int((designations["record_agrees"] == False).sum())  # noqa: E712


def test_the_record_follows_an_edited_article(article_text):
    """Read, not recited: an article corrected to the record's day agrees."""
    tables = extract_all(article_text)
    row = tables["designations"].set_index("designation_id").loc["us"]
    # The reviewed record holds the US listing act (tests/test_official_acts.py keeps it so).
    assert not pd.isna(row["record_listed_on"]), "no US listing act on record"
    day = row["record_listed_on"].date()
    corrected = replace_once(
        article_text,
        "United States Designated on 8 July 1997",
        f"United States Designated on {day.day} {day:%B %Y}",
    )
    page = render_report(
        extract_all(corrected),
        "2026.11.27",
        {"success": True, "suites": {}},
        "",
        "test",
        TODAY,
        {"listings": "", "membership": ""},
    )
    from lxml import html as lxml_html

    (tr,) = lxml_html.fromstring(page).xpath("//tr[@data-designation='us']")
    assert not tr.xpath(".//td[@class='differs']")
