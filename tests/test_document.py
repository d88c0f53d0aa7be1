"""The document model: normalisation, sections, sentences, citation markers."""

from __future__ import annotations

import pytest

from transforms.citations import find_citations, reference_numbers, strip_citations
from transforms.document import Document, normalize_text, split_sentences


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("\ufeffa\r\nb\r\n", "a\nb\n", id="bom-and-crlf"),
        pytest.param("a\u00a0b \t\nc", "a b\nc", id="nbsp-and-trailing-blanks"),
        pytest.param("a\u200bb", "ab", id="zero-width-space"),
        pytest.param("a\u2060b\u200dc", "abc", id="word-joiner-and-zero-width-joiner"),
        pytest.param(
            "1\u20032\u20093\u202f4\u20075\u200a6\u20027",
            "1 2 3 4 5 6 7",
            id="em-thin-narrow-spaces",
        ),
        pytest.param("5,000–7,000", "5,000–7,000", id="dashes-kept-verbatim"),
    ],
)
def test_normalize_text(raw, expected):
    assert normalize_text(raw) == expected


def test_normalisation_keeps_line_numbers(article_text):
    crlf = article_text.replace("\n", "\r\n")
    assert Document.from_text(crlf).lines == Document.from_text(article_text).lines


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Designated on 28 March 2001,[293] delisted", [("reference", "293")], id="reference"
        ),
        pytest.param("Massoud Rajavi[note 1]", [("note", "note 1")], id="note"),
        pytest.param("as the group said[a]", [("letter", "a")], id="letter-footnote"),
        pytest.param(
            "were executed.[citation needed] According",
            [("maintenance", "citation needed")],
            id="maintenance-tag",
        ),
        pytest.param("using [Islam] for serving", [], id="editorial-brackets-are-not-markers"),
        pytest.param(
            "[7][30][31]",
            [("reference", "7"), ("reference", "30"), ("reference", "31")],
            id="cluster",
        ),
    ],
)
def test_find_citations(text, expected):
    assert [(c.kind, c.label) for c in find_citations(text)] == expected


def test_reference_numbers_dedupes_in_order():
    assert reference_numbers("a[5] b[3] c[5]") == [5, 3]


def test_strip_citations():
    assert strip_citations("on 26 January 2009,[64][65] by") == "on 26 January 2009, by"


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        pytest.param(
            "In 1997, the United States put the MEK on the U.S. State Department list of "
            "Foreign Terrorist Organizations.[57] The Clinton administration reported it.",
            [
                "In 1997, the United States put the MEK on the U.S. State Department list of "
                "Foreign Terrorist Organizations.[57]",
                "The Clinton administration reported it.",
            ],
            id="markers-stay-with-their-sentence",
        ),
        pytest.param(
            "It was lifted by U.S. Secretary of State Hillary Clinton. Next one.",
            ["It was lifted by U.S. Secretary of State Hillary Clinton.", "Next one."],
            id="initialism-is-not-an-end",
        ),
        pytest.param(
            "Hiro, p. 12 says so. Then", ["Hiro, p. 12 says so.", "Then"], id="page-abbreviation"
        ),
        pytest.param(
            # Its last 24 characters alone would read as initials ("B.C.…M."), the whole
            # word does not: the sentence ends.
            "Made by Aa.B.C.D.E.F.G.H.I.J.K.L.M. Then",
            ["Made by Aa.B.C.D.E.F.G.H.I.J.K.L.M.", "Then"],
            id="word-longer-than-the-searched-tail",
        ),
        pytest.param(
            "It was counterrevolutionaryandanticolonialist. Then",
            ["It was counterrevolutionaryandanticolonialist.", "Then"],
            id="long-last-word-still-ends-a-sentence",
        ),
    ],
)
def test_split_sentences(paragraph, expected):
    assert [s.text for s in split_sentences(paragraph, 1)] == expected


def test_sections_found_by_layout(document):
    titles = [s.title for s in document.sections]
    for expected in (
        "Electoral history",
        "Designation as a terrorist organization",
        "Removal of the designation",
        "Settlement in Albania (2016–present)",
    ):
        assert expected in titles


def test_body_ends_before_the_reference_lists(document):
    assert document.line(document.body_end + 1).strip() == "" or document.line(
        document.body_end + 1
    ).lstrip().startswith("1. ^")
    assert all(not p.text.lstrip().startswith(("1. ^", "2. ^")) for p in document.paragraphs)


def test_cited_sentences_rule(document):
    rules = {}
    for sentence, citations, rule in document.cited_sentences():
        rules.setdefault(rule, (sentence, citations))
    assert set(rules) == {"sentence", "next_in_paragraph", "none"}
    sentence, citations = rules["next_in_paragraph"]
    assert not sentence.reference_numbers and citations
