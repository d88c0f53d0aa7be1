"""ref_key: the identity of a reference, which the article's renumbering does not move.

The spec, case by case: real references (the bundled article's list, and real rendered
Wikipedia HTML in /work/shared/realwiki/) with the key each must get; the edits real editors
make that must keep a key (a reference added in the lead renumbers every later one, an access
date changed, an archive link added, a citation reformatted, a named ref reused); a different
source that must get another key; keys unique within a revision; citation_keys in step with
citations on every row; the column through Parquet, CSV and DuckDB.
"""

from __future__ import annotations

import csv
import io
import re
from functools import cache
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from conftest import PASSED_VALIDATION, RELEASE_TIME

from ingestion.html_text import html_to_text
from storage.publish import publish_release
from tests.wiki_html import article_html
from transforms import Document, extract_all
from transforms.citations import REFERENCE_MARKER_RE
from transforms.ref_keys import (
    base_key,
    normalise_isbn,
    normalise_url,
    note_name,
    unique_keys,
    unwrap_archive,
)
from transforms.references import (
    CITATION_KEY_COLUMNS,
    extract_references,
    parse_reference,
    split_lists,
)
from transforms.schema import TABLES

# shared/ stands beside the repository, for developers and for CI alike.
REALWIKI = Path(__file__).resolve().parents[2] / "shared" / "realwiki"
KHAMENEI = "enwiki_Ali_Khamenei_r1341129524.action-parse-text.html"
EINSTEIN = "enwiki_Albert_Einstein_r1339833339.action-parse-text.html"
# The realwiki files the project's HTML reader reads (action=parse text), with the size of
# their last reference list as SOURCES.md measured it.
READABLE = {KHAMENEI: 400, EINSTEIN: 342}
FACT_TABLES = [name for name, table in TABLES.items() if table.is_fact_table]


def key_of(text: str, name: str | None = None, links: tuple[str, ...] = ()) -> str:
    """The key one reference gets on its own (before the revision-wide disambiguation)."""
    return base_key(parse_reference(text), text, name=name, links=links)


@cache
def rendered(file_name: str) -> Document:
    """A realwiki file through the project's HTML reader, as a release reads it."""
    result = html_to_text((REALWIKI / file_name).read_text(encoding="utf-8"))
    return Document.from_text(result.text, result.reference_anchors)


@cache
def rendered_references(file_name: str):
    return extract_references(rendered(file_name))


# --- the key each real reference gets -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "O'Hern, Steven (2012). Iran's Revolutionary Guard: The Threat That Grows While "
            "America Sleeps. Potomac Books, Inc. p. 208. ISBN 978-1-59797-701-2.",
            "isbn:9781597977012",
            id="book-isbn-13",
        ),
        pytest.param(
            "Abrahamian, Ervand (1989). Radical Islam: The Iranian Mojahedin. I.B. Tauris. "
            "pp. 171–172. ISBN 1-85043-077-2.",
            "isbn:9781850430773",
            id="book-isbn-10-as-isbn-13",
        ),
        pytest.param(
            'Cohen, Ronen A. (2 November 2018). "The Mojahedin-e Khalq versus the Islamic '
            'Republic of Iran: from war to propaganda and the war on propaganda and diplomacy". '
            "Middle Eastern Studies. 54 (6): 1000–1014. doi:10.1080/00263206.2018.1478813. "
            "ISSN 0026-3206. S2CID 149542445.",
            "doi:10.1080/00263206.2018.1478813",
            id="journal-doi",
        ),
        pytest.param(
            'Qasemi, Hamid Reza (2016). "Chapter 12: Iran and Its Policy Against Terrorism". '
            "In Alexander R. Dawoody (ed.). Eradicating Terrorism from the Middle East. Policy "
            "and Administrative Approaches. 17. Springer International Publishing Switzerland. "
            "p. 201. doi:10.1007/978-3-319-31018-3. ISBN 978-3-319-31018-3.",
            "doi:10.1007/978-3-319-31018-3",
            id="doi-before-isbn",
        ),
        pytest.param("Zabih 1988, p. 250.", "short:zabih|1988|250", id="short-citation"),
        pytest.param("Zabih 1988, pp. 253-254.", "short:zabih|1988|253-254", id="short-pages"),
        pytest.param(
            '"Durrës locals protest MEK members\' burial in local cemetery". Tirana Times. '
            "9 May 2018. Retrieved 29 June 2018.",
            "cite:|durres locals protest mek members burial in local cemetery|2018",
            id="news-no-author",
        ),
        pytest.param(
            'Runner, Philippa. "EU ministers drop Iran group from terror list". Euobserver. '
            "Retrieved 29 September 2012.",
            "cite:runner|eu ministers drop iran group from terror list|",
            id="news-undated-with-author",
        ),
        pytest.param(
            "Lorentz, Dominique; David, Carr-Brown (14 November 2001), La République atomique "
            "[The Atomic Republic] (in French), Arte TV",
            "cite:lorentz|la republique atomique|2001",
            id="cs2-translated-title",
        ),
        pytest.param("", "empty:", id="empty-entry"),
    ],
)
def test_key_of_a_bundled_reference(document, text, expected):
    # the case is one of the article's own references, word for word
    assert text in {item.text for item in split_lists(document)[1]}
    assert key_of(text) == expected


@pytest.mark.parametrize(
    ("file_name", "starts", "expected"),
    [
        pytest.param(
            KHAMENEI,
            "Maloney, Suzanne (2015). Iran's Political Economy",
            "name:Maloney",
            id="named-ref",
        ),
        pytest.param(
            KHAMENEI,
            "Sahimi, Muhammad (8 May 2016).",
            "name:sahimi-ni-2016",
            id="named-ref-with-dashes",
        ),
        pytest.param(
            KHAMENEI,
            '"Ayatollah Khamenei appointed Sheikh Ahmad Marvi',
            "url:english.khamenei.ir/news/6590/Ayatollah-Khamenei-appointed-Sheikh-Ahmad-Marvi-"
            "as-the-custodian",
            id="unnamed-web-citation-url",
        ),
        pytest.param(
            KHAMENEI,
            '"Iran at sea over Azerbaijan". Asia Times.',
            "url:atimes.com/atimes/Middle_East/FI28Ak01.html",
            id="library-of-congress-archive-unwrapped",
        ),
        pytest.param(
            KHAMENEI,
            "Amir Taheri (2010). The Persian Night",
            "isbn:9781594034794",
            id="unnamed-book-isbn",
        ),
        pytest.param(
            KHAMENEI,
            "Replies to Inquiries about the ... 1997.",
            "isbn:9789644720000",
            id="dead-link-tag",
        ),
        pytest.param(
            EINSTEIN,
            "Isaacson (2007), p. 63.",
            "name:FOOTNOTEIsaacson200763",
            id="sfn-footnote-name",
        ),
        pytest.param(
            EINSTEIN,
            "Halpern, Paul (2019).",
            "doi:10.1063/pt.3.4183",
            id="doi-lower-cased",
        ),
        pytest.param(
            EINSTEIN,
            "Overbye, Dennis (17 April 2017).",
            "url:nytimes.com/2017/04/17/science/albert-einstein-genius-national-geographic-"
            "channel.html",
            id="news-url-without-scheme-and-www",
        ),
    ],
)
def test_key_of_a_real_rendered_reference(file_name, starts, expected):
    references = rendered_references(file_name)
    found = references[references["text"].fillna("").str.startswith(starts)]
    assert len(found) == 1, f"{starts!r} should start exactly one reference"
    assert found["ref_key"].iloc[0] == expected


def test_named_refs_come_from_the_cite_note_anchor():
    # AnchorFormatter::getNoteIdentifier: cite_note-<name>-<n> named, cite_note-<n> unnamed.
    assert note_name("cite_note-Maloney-40") == "Maloney"
    assert note_name("cite_note-Fars-1-61") == "Fars-1"
    assert note_name("cite_note-:1-31") == ":1"
    assert note_name("cite_note-Speech_to_Basij_Members-35") == "Speech_to_Basij_Members"
    assert note_name("cite_note-100") is None
    assert note_name("mw-reference-text-cite_note-5") is None
    assert note_name(None) is None


def test_the_real_html_anchors_are_read():
    """98 of the Khamenei page's 407 list items are named refs (counted in the HTML's
    ids), and each anchor sits on the line of its item in the rendered text."""
    document = rendered(KHAMENEI)
    html = (REALWIKI / KHAMENEI).read_text(encoding="utf-8")
    ids = re.findall(r'<li id="cite&#95;note-([^"]*)"', html)
    assert len(document.reference_anchors) == len(ids) == 407
    named = [a.name for a in document.reference_anchors if a.name]
    assert len(named) == sum(not re.fullmatch(r"\d+", i) for i in ids) == 98
    for anchor in document.reference_anchors:
        assert re.match(r"^\s+\d+\. \^", document.line(anchor.line)), anchor


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param(
            "https://web.archive.org/web/20171114172349/https://books.google.com/books?"
            "id=6aIyCgAAQBAJ&pg=PA152",
            "books.google.com/books?id=6aIyCgAAQBAJ&pg=PA152",
            id="wayback",
        ),
        pytest.param(
            "https://web.archive.org/web/2005id_/www.example.com/a/",
            "example.com/a",
            id="wayback-flag-no-scheme",
        ),
        pytest.param(
            "https://archive.ph/2020.01.01-123456/https://www.nytimes.com/2003/x.html"
            "?utm_source=twitter&smid=tw#top",
            "nytimes.com/2003/x.html",
            id="archive-today-tracking-fragment",
        ),
        pytest.param("https://archive.ph/AbCd", "archive.ph/AbCd", id="archive-short-id-kept"),
        pytest.param(
            "http://www.khabaronline.ir/news/756773/%D9%81%DB%8C",
            "khabaronline.ir/news/756773/فی",
            id="percent-encoding",
        ),
        pytest.param(
            "http://english.khamenei.ir//index.php?option=com_content&id=1135",
            "english.khamenei.ir/index.php?option=com_content&id=1135",
            id="double-slash",
        ),
        pytest.param("https://m.bbc.co.uk/news/x/", "bbc.co.uk/news/x", id="mobile-host"),
    ],
)
def test_url_normalisation(url, expected):
    assert normalise_url(url) == expected


def test_isbn_10_and_13_agree():
    assert normalise_isbn("0-300-04304-6") == normalise_isbn("978-0-300-04304-4")
    assert normalise_isbn("0-8047-3357-X") == "9780804733571"


# --- the edits real editors make ------------------------------------------------------


def _renumbered_with_a_lead_reference(text: str) -> tuple[str, str]:
    """The article with one new reference cited in the lead: it becomes [1] and every later
    reference number moves up by one, in the body, in the notes and in the reference list."""
    document = Document.from_text(text)
    _, references = split_lists(document)
    first_reference_line = references[0].line
    new_item = '  1. ^ Doe, Jane (2021). "A source added in the lead". The Example Review.'
    lines = list(document.lines)
    for index, line in enumerate(lines):
        number = index + 1
        if number < first_reference_line:  # body and notes: the markers move
            lines[index] = REFERENCE_MARKER_RE.sub(lambda m: f"[{int(m[1]) + 1}]", line)
        else:  # the reference list: the items move
            lines[index] = re.sub(r"^(\s+)(\d+)\.", lambda m: f"{m[1]}{int(m[2]) + 1}.", line)
    lines.insert(first_reference_line - 1, new_item)
    lead = "The group had no name until February 1972.["
    at = next(i for i, line in enumerate(lines) if line.startswith(lead))
    lines[at] = lines[at].replace(lead, "The group had no name until February 1972.[1][", 1)
    return "\n".join(lines), key_of(new_item.split("^ ", 1)[1])


def _extracted(text: str, source: str) -> dict:
    """The tables of an article read as text, or rendered as MediaWiki would (named refs for
    refs cited more than once) and read through the HTML reader, as a live release reads it."""
    if source == "text":
        return extract_all(text)
    rendered_html = html_to_text(article_html(text))
    return extract_all(rendered_html.text, rendered_html.reference_anchors)


@pytest.mark.parametrize("source", ["text", "html"])
def test_a_reference_added_in_the_lead_moves_every_number_and_no_key(article_text, source):
    text, new_key = _renumbered_with_a_lead_reference(article_text)
    tables = _extracted(article_text, source)
    after = _extracted(text, source)
    before_refs, after_refs = tables["references"], after["references"]
    if source == "html":
        assert before_refs["ref_key"].str.startswith("name:").sum() > 50
    assert len(after_refs) == len(before_refs) + 1
    assert after_refs["ref_number"].tolist()[1:] == [n + 1 for n in before_refs["ref_number"]]
    assert after_refs["ref_key"].tolist() == [new_key, *before_refs["ref_key"]]
    assert new_key not in set(before_refs["ref_key"])
    for name in [*FACT_TABLES, "notes"]:
        old, new = tables[name], after[name]
        assert len(old) == len(new), name
        for numbers, column in CITATION_KEY_COLUMNS.items():
            if column not in old.columns:
                continue
            for row, (was, now) in enumerate(zip(old[column], new[column], strict=True)):
                assert [k for k in now if k != new_key] == list(was), (name, row)
            moved = [[n + 1 for n in v] for v in old[numbers]]
            assert [[n for n in v if n != 1] for v in new[numbers]] == moved, name
    # and the numbers did change for every cited row: the keys, not the numbers, are stable
    assert any(list(v) for v in tables["designations"]["citations"])


@pytest.mark.parametrize(
    ("text", "edited"),
    [
        pytest.param(
            '"Durrës locals protest MEK members\' burial in local cemetery". Tirana Times. '
            "9 May 2018. Retrieved 29 June 2018.",
            '"Durrës locals protest MEK members\' burial in local cemetery". Tirana Times. '
            "9 May 2018. Retrieved 3 March 2024.",
            id="access-date-changed",
        ),
        pytest.param(
            'Runner, Philippa. "EU ministers drop Iran group from terror list". Euobserver. '
            "Retrieved 29 September 2012.",
            'Runner, Philippa. "EU ministers drop Iran group from terror list". Euobserver. '
            "Archived from the original on 4 March 2016. Retrieved 29 September 2012.",
            id="archive-link-added",
        ),
        pytest.param(
            'Pike, John. "Mujahedin-e Khalq". CFR. Retrieved 28 October 2018.',
            'Pike, John. "Mujahedin-e Khalq". CFR. Archived from the original on 1 May 2019. '
            "Retrieved 28 October 2018.[dead link]",
            id="archived-and-marked-dead",
        ),
        pytest.param(
            "Abrahamian, Ervand (1989). Radical Islam: The Iranian Mojahedin. I.B. Tauris. "
            "pp. 171–172. ISBN 1-85043-077-2.",
            "Ervand Abrahamian, Radical Islam: The Iranian Mojahedin (London: I.B. Tauris, "
            "1989), pp. 171–172, ISBN 978-1-85043-077-3",
            id="cs1-book-rewritten-by-hand",
        ),
        pytest.param(
            'Runner, Philippa. "EU ministers drop Iran group from terror list". Euobserver. '
            "Retrieved 29 September 2012.",
            'Runner, Philippa, "EU ministers drop Iran group from terror list", Euobserver, '
            "retrieved 29 September 2012",
            id="cs1-news-as-cs2",
        ),
        pytest.param(
            "Lorentz, Dominique; David, Carr-Brown (14 November 2001), La République atomique "
            "[The Atomic Republic] (in French), Arte TV",
            "Lorentz, Dominique; David, Carr-Brown (November 14, 2001), La République atomique "
            "(in French), Arte TV",
            id="date-format-and-translation-dropped",
        ),
    ],
)
def test_an_edit_that_keeps_the_source_keeps_the_key(text, edited):
    assert key_of(edited) == key_of(text)


@pytest.mark.parametrize(
    ("links", "edited_links"),
    [
        pytest.param(
            ("http://nationalinterest.org/feature/irans-incredible-shrinking-ayatollah-16089",),
            (
                "http://nationalinterest.org/feature/irans-incredible-shrinking-ayatollah-16089",
                "https://web.archive.org/web/20160623055606/http://nationalinterest.org/feature/"
                "irans-incredible-shrinking-ayatollah-16089",
            ),
            id="archive-url-added",
        ),
        pytest.param(
            ("http://nationalinterest.org/feature/irans-incredible-shrinking-ayatollah-16089",),
            (
                "https://web.archive.org/web/20160623055606/http://nationalinterest.org/feature/"
                "irans-incredible-shrinking-ayatollah-16089",
            ),
            id="link-replaced-by-its-archive",
        ),
        pytest.param(
            ("http://nationalinterest.org/feature/irans-incredible-shrinking-ayatollah-16089",),
            (
                "https://www.nationalinterest.org/feature/irans-incredible-shrinking-ayatollah-"
                "16089/?utm_source=twitter",
            ),
            id="https-www-tracking",
        ),
        pytest.param(
            ("https://doi.org/10.1/x", "http://example.org/report"),
            ("http://example.org/report",),
            id="identifier-link-ignored",
        ),
    ],
)
def test_a_link_edit_keeps_a_url_key(links, edited_links):
    text = '"Iran\'s Incredible Shrinking Ayatollah". The National Interest.'
    assert key_of(text, links=links) == key_of(text, links=edited_links)
    assert key_of(text, links=links).startswith("url:")


# A real list item (Ali Khamenei, r1341129524): a named ref cited once.
MALONEY_ITEM = (
    '<li id="cite&#95;note-Maloney-{id}"><span class="mw-cite-backlink">{backlinks}</span> '
    '<span class="reference-text"><cite id="CITEREFMaloney2015" class="citation book cs1">'
    'Maloney, Suzanne (2015). <a rel="nofollow" class="external text" '
    'href="https://books.google.com/books?id=6aIyCgAAQBAJ&amp;pg=PA152"><i>Iran\'s Political '
    "Economy since the Revolution</i></a>. Cambridge University Press. p.&#160;152. ISBN&#160;"
    "978-0-521-73814-9.</cite></span></li>"
)
OTHER_ITEM = (
    '<li id="cite&#95;note-{id}"><span class="mw-cite-backlink"><b><a href="#cite_ref-{id}">^'
    '</a></b></span> <span class="reference-text"><cite class="citation web cs1">'
    '<a rel="nofollow" class="external text" href="http://english.khamenei.ir/news/6590/x">'
    '"Ayatollah Khamenei appointed Sheikh Ahmad Marvi"</a>. <i>english.khamenei.ir</i>. '
    "4 April 2019.</cite></span></li>"
)


def _page(*items: str, markers: int) -> str:
    cites = "".join(f'<sup class="reference"><a>[{n}]</a></sup>' for n in range(1, markers + 1))
    return (
        '<div class="mw-parser-output"><p>The MEK was founded in 1965.'
        f'{cites}</p><div class="reflist"><ol class="references">{"".join(items)}</ol></div></div>'
    )


def _keys(html: str) -> list[str]:
    result = html_to_text(html)
    return extract_references(Document.from_text(result.text, result.reference_anchors))[
        "ref_key"
    ].tolist()


def test_a_named_ref_reused_after_a_reference_added_before_it_keeps_its_key():
    once = _page(
        MALONEY_ITEM.format(id=40, backlinks='<b><a href="#cite_ref-Maloney_40-0">^</a></b>'),
        markers=1,
    )
    # An editor adds a reference before it (its global id moves to 41) and cites it again.
    reused = _page(
        OTHER_ITEM.format(id=40),
        MALONEY_ITEM.format(
            id=41,
            backlinks='^ <a href="#cite_ref-Maloney_41-0"><sup><i><b>a</b></i></sup></a> '
            '<a href="#cite_ref-Maloney_41-1"><sup><i><b>b</b></i></sup></a>',
        ),
        markers=3,
    )
    assert _keys(once) == ["name:Maloney"]
    assert _keys(reused) == ["url:english.khamenei.ir/news/6590/x", "name:Maloney"]


@pytest.mark.parametrize(
    ("text", "other"),
    [
        pytest.param(
            "O'Hern, Steven (2012). Iran's Revolutionary Guard. Potomac Books. "
            "ISBN 978-1-59797-701-2.",
            "Chehabi, Houchang E. (1990). Iranian Politics and Religious Modernism. I.B. Tauris. "
            "ISBN 978-1-85043-198-5.",
            id="another-book",
        ),
        pytest.param(
            'Pike, John. "Mujahedin-e Khalq". CFR. Retrieved 28 October 2018.',
            'Pike, John. "Mujahedin-e Khalq Organization (MEK or MKO)". Retrieved 5 October 2018.',
            id="same-author-another-title",
        ),
        pytest.param(
            "Zabih 1988, p. 250.",
            "Zabih 1988, p. 256.",
            id="short-citation-another-page",
        ),
        pytest.param(
            '"Iran\'s resistance". The Guardian. 2003.',
            '"Iran\'s resistance". The Guardian. 2004.',
            id="same-title-another-year",
        ),
    ],
)
def test_a_different_source_gets_a_different_key(text, other):
    assert key_of(text) != key_of(other)


def test_keys_of_different_kinds_never_collide():
    # a name that looks like a DOI is still a name
    assert key_of("Anything.", name="doi:10.1/x") != key_of("doi:10.1/x.")
    assert key_of("Anything.", name="x").startswith("name:")


# --- one revision: unique keys --------------------------------------------------------


@pytest.mark.parametrize(
    ("keys", "pages", "expected"),
    [
        pytest.param(
            ["isbn:1", "isbn:1", "doi:2"],
            ["p. 208", "p. 28", None],
            ["isbn:1|p=208", "isbn:1|p=28", "doi:2"],
            id="same-book-other-pages",
        ),
        pytest.param(
            ["isbn:1", "isbn:1", "isbn:1"],
            [None, "pp. 73–74", "pp. 73-74"],
            ["isbn:1", "isbn:1|p=73-74", "isbn:1|p=73-74|n=2"],
            id="whole-book-keeps-the-bare-key",
        ),
        pytest.param(
            ["cite:|a|", "cite:|a|"],
            [None, None],
            ["cite:|a|", "cite:|a||n=2"],
            id="same-text-twice-by-order",
        ),
    ],
)
def test_unique_keys(keys, pages, expected):
    assert unique_keys(keys, pages) == expected


def test_unique_keys_do_not_depend_on_unrelated_entries():
    keys, pages = ["isbn:1", "isbn:1"], ["p. 208", "p. 28"]
    alone = unique_keys(keys, pages)
    with_others = unique_keys(["url:a", *keys, "doi:b"], [None, *pages, "p. 1"])
    assert with_others[1:3] == alone


def test_the_bundled_article_has_unique_keys(tables):
    keys = tables["references"]["ref_key"]
    assert keys.notna().all() and keys.is_unique
    # the same book at several pages: told apart by the pages (O'Hern at p. 208 and p. 28)
    assert {"isbn:9781597977012|p=208", "isbn:9781597977012|p=28"} <= set(keys)
    assert not any(";" in key for key in keys)


@pytest.mark.parametrize("file_name", list(READABLE))
def test_each_real_page_has_unique_keys(file_name):
    references = rendered_references(file_name)
    assert len(references) == READABLE[file_name]
    assert references["ref_key"].is_unique
    assert not references["ref_key"].str.contains(";").any()


def test_a_page_the_reader_refuses_is_said_so():
    """The 2014 action=render pages have no mw-parser-output wrapper: the reader refuses them
    with a clear error (so they cannot be part of the uniqueness check above)."""
    from mekdata.errors import SourceError

    with pytest.raises(SourceError, match="mw-parser-output"):
        html_to_text(
            (REALWIKI / "enwiki_Toni_Gonzaga_r601815188.action-render-2014.html").read_text()
        )


def test_archive_unwrapping_leaves_other_urls_alone():
    assert unwrap_archive("https://example.org/web/2005/http://x.org") == (
        "https://example.org/web/2005/http://x.org"
    )


# --- every row: citation_keys in step with citations ----------------------------------


@pytest.fixture(scope="module")
def release(tables, source, tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("refkey-release")
    publish_release(tables, source, PASSED_VALIDATION, output, now=RELEASE_TIME)
    return next((output / "releases").iterdir())


@pytest.mark.parametrize("name", [*FACT_TABLES, "notes"])
def test_citation_keys_follow_citations_on_every_row(release, name):
    rows = pq.read_table(release / f"{name}.parquet").to_pylist()
    keys = {
        r["ref_number"]: r["ref_key"]
        for r in pq.read_table(release / "references.parquet").to_pylist()
    }
    assert rows
    pairs = [("citations", "citation_keys")]
    if name == "electoral_history":
        pairs.append(("enrichment_citations", "enrichment_citation_keys"))
    for numbers, key_column in pairs:
        for row in rows:
            assert len(row[key_column]) == len(row[numbers])
            assert row[key_column] == [keys.get(n, f"missing:{n}") for n in row[numbers]]
    assert any(row["citation_keys"] for row in rows) or name == "notes"


def test_citation_keys_round_trip_parquet_csv_duckdb(release, tables):
    expected = [list(v) for v in tables["designations"]["citation_keys"]]
    parquet = pq.read_table(release / "designations.parquet")
    assert str(parquet.schema.field("citation_keys").type) == "list<element: string>"
    assert parquet.column("citation_keys").to_pylist() == expected
    with open(release / "designations.csv", newline="", encoding="utf-8") as handle:
        cells = [row["citation_keys"] for row in csv.DictReader(handle)]
    assert [cell.split(";") if cell else [] for cell in cells] == expected
    connection = duckdb.connect(str(release / "mekdata.duckdb"), read_only=True)
    try:
        kind = connection.execute(
            "SELECT data_type FROM information_schema.columns "
            "WHERE table_name = 'designations' AND column_name = 'citation_keys'"
        ).fetchone()[0]
        stored = connection.execute("SELECT citation_keys FROM designations").fetchall()
    finally:
        connection.close()
    assert kind == "VARCHAR[]"
    assert [row[0] for row in stored] == expected
    keys = io.StringIO((release / "references.csv").read_text(encoding="utf-8"))
    assert [r["ref_key"] for r in csv.DictReader(keys)] == tables["references"]["ref_key"].tolist()
