"""references, notes and findings: every number traceable, every flaw reported."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from conftest import line_of, replace_once

from transforms.document import Document
from transforms.findings import extract_findings
from transforms.references import (
    extract_references,
    parse_reference,
    reference_field_coverage,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "O'Hern, Steven (2012). Iran's Revolutionary Guard: The Threat That Grows While "
            "America Sleeps. Potomac Books, Inc. p. 208. ISBN 978-1-59797-701-2.",
            {
                "authors": "O'Hern, Steven",
                "year": 2012,
                "isbn": "9781597977012",
                "pages": "p. 208",
                "is_short_citation": False,
                "title": "Iran's Revolutionary Guard: The Threat That Grows While America Sleeps",
            },
            id="book",
        ),
        pytest.param(
            'Tabrizy, Nilo (7 May 2018). "M.E.K.: The Group John Bolton Wants to Rule Iran". '
            "The New York Times.",
            {
                "authors": "Tabrizy, Nilo",
                "year": 2018,
                "title": "M.E.K.: The Group John Bolton Wants to Rule Iran",
                "work": "The New York Times",
            },
            id="news-article",
        ),
        pytest.param(
            '"Iranian exile group removed from U.S. terror list". CNN. 28 September 2012.',
            {
                "title": "Iranian exile group removed from U.S. terror list",
                "work": "CNN",
                "year": 2012,
                "authors": None,
            },
            id="news-no-author",
        ),
        pytest.param(
            "Abrahamian 1989, pp. 1–2.",
            {"authors": "Abrahamian", "year": 1989, "pages": "pp. 1–2", "is_short_citation": True},
            id="short-citation",
        ),
        pytest.param(
            "Harmon & Bowdish 2018, p. 170.",
            {"authors": "Harmon & Bowdish", "year": 2018, "is_short_citation": True},
            id="short-citation-two-authors",
        ),
        pytest.param(
            '"Terrorism Monitor" (PDF). Jamestown Foundation. 29 May 2008.',
            {"title": "Terrorism Monitor", "year": 2008},
            id="pdf",
        ),
        pytest.param(
            '"36 Ashraf Residents Hostages Released on 72nd Day of Hunger Strike". Iran '
            "Liberty Association. Archived from the original on 5 March 2012. Retrieved "
            "7 December 2011.",
            {"archived": True, "retrieved_on": dt.date(2011, 12, 7), "year": None},
            id="archived",
        ),
        pytest.param(
            '"رد منافقین در سینما و تلویزیون". tasnimnews. Retrieved 11 June 2017.',
            {
                "title": "رد منافقین در سینما و تلویزیون",
                "work": "tasnimnews",
                "retrieved_on": dt.date(2017, 6, 11),
            },
            id="non-latin-title",
        ),
        pytest.param(
            'Tabatabai, Ariane M. (2017). "Other side of the Iranian coin". Journal of '
            "Strategic Studies. 41 (1–2): 181–207. doi:10.1080/01402390.2017.1283613.",
            {"doi": "10.1080/01402390.2017.1283613", "year": 2017},
            id="doi",
        ),
    ],
)
def test_parse_reference(text, expected):
    parsed = parse_reference(text)
    for key, value in expected.items():
        assert parsed[key] == value, key


def test_reference_count_and_numbering(tables):
    frame = tables["references"]
    numbers = list(frame["ref_number"])
    assert len(numbers) == 476
    assert numbers == sorted(numbers) and numbers[0] == 1 and numbers[-1] == 477
    assert set(range(1, 478)) - set(numbers) == {165}


def test_backlinks_and_counts(tables):
    frame = tables["references"].set_index("ref_number")
    assert frame.loc[5, "backlink_count"] == 5  # "5. ^ a b c d e Zabih 1988, p. 250."
    assert frame.loc[68, "authors"].startswith("de Boer")  # "de" is a name, not a backlink
    assert frame.loc[293, "cited_count"] >= 5
    assert (frame["cited_count"] <= frame["backlink_count"]).all()


def test_short_citations_link_to_full_reference(tables):
    frame = tables["references"].set_index("ref_number")
    full = frame.loc[frame.loc[30, "full_ref_number"]]  # "Abrahamian 1989, p. 1."
    assert full["authors"].startswith("Abrahamian") and full["year"] == 1989
    assert frame["full_ref_number"].notna().sum() >= 20


def test_notes_are_kept_apart(tables):
    notes = tables["notes"]
    assert list(notes["note_label"]) == ["note 1"]
    assert notes.iloc[0]["cited_count"] == 1
    assert notes.iloc[0]["citations"] == [1, 2]


def test_expected_dangling_citation(tables, article_text):
    findings = tables["findings"]
    dangling = findings[findings["kind"] == "dangling_citation"]
    assert list(dangling["ref_number"]) == [165]
    assert list(dangling["source_line"]) == [line_of(article_text, "[165]")]
    assert "164 to 166" in dangling.iloc[0]["detail"]


def test_unused_references_name_where_they_would_belong(tables):
    findings = tables["findings"]
    unused = findings[findings["kind"] == "unused_reference"].set_index("ref_number")
    references = tables["references"].set_index("ref_number")
    assert set(unused.index) == set(references.index[references["cited_count"] == 0])
    assert "would belong" in unused.loc[2, "detail"]


def test_empty_references_are_reported(tables):
    findings = tables["findings"]
    empty = findings[findings["kind"] == "empty_reference"]
    assert set(empty["ref_number"]) == {15, 67}


def test_removed_reference_becomes_dangling(article_text):
    text = replace_once(
        article_text, "  296. ^ ", "  296x. ^ "
    )  # the list line no longer parses as item 296
    frame = extract_findings(Document.from_text(text))
    dangling = frame[frame["kind"] == "dangling_citation"]
    assert 296 in set(dangling["ref_number"])


def test_references_renumbered_follow_text(article_text):
    text = replace_once(article_text, "[165]", "[164]")
    frame = extract_references(Document.from_text(text)).set_index("ref_number")
    findings = extract_findings(Document.from_text(text))
    assert "dangling_citation" not in set(findings["kind"])
    assert frame.loc[164, "cited_count"] >= 1


def test_field_coverage_counts_present_and_read():
    texts = [
        "O'Hern, Steven (2012). Iran's Revolutionary Guard. Potomac Books, Inc. p. 208. "
        "ISBN 978-1-59797-701-2.",
        '"Iran MEK Albania". New York Times. Retrieved 3 May 2019.',
        "Abrahamian 1989, p. 1.",
        # "ISBN" with no number after it: present in the text, not readable.
        "Smith, John (2001). A Book. Some Press. ISBN.",
    ]
    frame = pd.DataFrame([{"text": t, **parse_reference(t)} for t in texts])
    coverage = reference_field_coverage(frame)
    assert coverage["references"] == 4 and coverage["short_citations"] == 1
    isbn = coverage["fields"]["isbn"]
    assert (isbn["present"], isbn["read"], isbn["present_not_read"]) == (2, 1, 1)
    retrieved = coverage["fields"]["retrieved_on"]
    assert (retrieved["present"], retrieved["read"]) == (1, 1)
    title = coverage["fields"]["title"]
    assert title["present"] == 3  # a short citation has no title to read
    assert coverage["fields"]["year"]["read_where_present"] == 3


def test_bundled_article_coverage_has_no_unread_identifiers(tables):
    """Every ISBN, DOI, retrieval and archive date the text shows is read."""
    fields = reference_field_coverage(tables["references"])["fields"]
    for name in ("isbn", "doi", "retrieved_on", "archived_on"):
        assert fields[name]["present_not_read"] == 0, name
        assert fields[name]["read_without_signal"] == 0, name


def test_book_titles_keep_their_commas(tables):
    frame = tables["references"].set_index("ref_number")
    assert frame.loc[52, "title"] == (
        "Vanguard of the Imam: Religion, Politics, and Iran's Revolutionary Guards"
    )
    assert frame.loc[52, "publisher"] == "Oxford University Press"
    assert pd.isna(frame.loc[52, "work"])
    assert frame.loc[108, "title"].endswith("National Liberation In Iran, 1971–1979")
