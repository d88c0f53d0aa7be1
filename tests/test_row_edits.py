"""One-row edits real editors make to the article's tables, read from the bundled text and from
the rendered HTML (issue 32).

Each case edits one row (or adds, moves or splits one). For each, from both sources: every
other row's facts equal the unedited reading exactly, and the edited row is read exactly (its
expected facts are given) or named in an ``unreadable_row`` finding, and then it is absent:
no value is guessed. No other finding appears or disappears.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from functools import cache

import pandas as pd
import pytest
from conftest import ARTICLE_PATH, line_of, replace_once
from wiki_html import article_html

from ingestion.html_text import html_to_text
from transforms.designations import extract_designations_with_findings
from transforms.document import Document
from transforms.electoral_history import extract_electoral_history_with_findings

D = dt.date
NBSP = "\u00a0"
SAME = "same"  # the edited row reads exactly as before the edit
UNREADABLE = "unreadable"  # the edited row is named in an unreadable_row finding, and absent

DESIGNATION_FACTS = [
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
ELECTION_FACTS = [
    "election_type",
    "result_text",
    "stance",
    "seats_won",
    "seats_total",
    "seat_share",
    "citations",
]

US = (
    f"Formerly listed by {NBSP}United States Designated on 8 July 1997, delisted on "
    "28 September 2012[293]"
)
UK = f"{NBSP}United Kingdom Designated on 28 March 2001,[293] delisted on 24 June 2008[293]"
EU = f"{NBSP}European Union Designated in May 2002,[293] delisted on 26 January 2009[293]"
CA = f"{NBSP}Canada Designated on 24 May 2005,[294] delisted on 20 December 2012[295]"
IRAQ = f"{NBSP}Iraq Designated by the post-2003 government[197][292]"

UK_SPLIT = f"{NBSP}United Kingdom Designated on 28 March 2001,[293]\ndelisted on 24 June 2008[293]"
CONSTITUTIONAL_SPLIT = "Constitutional referendum\nBoycott [5]"
# The same splits in the HTML: a line break inside a cell.
HTML_LINE_BREAKS = {
    UK_SPLIT: ("</sup> delisted on 24 June 2008", "</sup><br>delisted on 24 June 2008"),
    CONSTITUTIONAL_SPLIT: (
        "<td>Constitutional referendum</td>",
        "<td>Constitutional<br>referendum</td>",
    ),
}
# What the prose says of Canada when its table row names no known authority.
CANADA_FROM_PROSE = (
    "Canada",
    "CA",
    "former",
    "terrorist_designation",
    None,
    None,
    None,
    D(2012, 12, 20),
    "day",
    [66],
)


def _plain(value):
    if isinstance(value, list):
        return value
    if pd.isna(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value


def facts(frame: pd.DataFrame, key: list[str], columns: list[str]) -> dict[tuple, tuple]:
    records = frame[key + columns].to_dict("records")
    return {tuple(_plain(r[k]) for k in key): tuple(_plain(r[c]) for c in columns) for r in records}


@cache
def bundled() -> str:
    return ARTICLE_PATH.read_text(encoding="utf-8")


def as_source(text: str, source: str) -> str:
    """The text the extractors read: the bundled file's, or that of its rendered HTML."""
    return text if source == "text" else html_to_text(article_html(text)).text


@cache
def unedited(source: str, table: str):
    return read(as_source(bundled(), source), table)


def read(text: str, table: str):
    document = Document.from_text(text)
    if table == "designations":
        frame, findings = extract_designations_with_findings(document)
        return facts(frame, ["designation_id"], DESIGNATION_FACTS), findings
    frame, findings = extract_electoral_history_with_findings(document)
    return facts(frame, ["year", "election"], ELECTION_FACTS), findings


def finding_kinds(findings, leave_out: set[str]) -> Counter:
    return Counter(
        f.kind
        for f in findings
        if f.kind != "unreadable_row" and not any(name in f.detail for name in leave_out)
    )


def check_edit(table, source, text, edited, expected, row_needle):
    """``text``: the edited text as the extractors read it (from ``source``)."""
    before, before_findings = unedited(source, table)
    after, after_findings = read(text, table)
    others = {k: v for k, v in before.items() if k not in edited}
    unreadable = [f for f in after_findings if f.kind == "unreadable_row"]
    # Every other row: exactly as unedited.
    assert {k: v for k, v in after.items() if k in others} == others
    if isinstance(expected, tuple) and expected[0] == UNREADABLE:
        # The row is named; its authority, unknown to the reader, still has its prose.
        expected, from_prose = expected
    else:
        from_prose = {}
    if expected == UNREADABLE:
        assert len(unreadable) == 1, unreadable
        assert unreadable[0].source_line == line_of(text, row_needle)
        # The finding names the row by its line, quotes it and says why.
        detail = unreadable[0].detail
        assert f"line {unreadable[0].source_line} cannot be read" in detail
        assert " ".join(row_needle.split()) in " ".join(detail.split())
        assert {k: v for k, v in after.items() if k not in others} == from_prose
        names = {before[k][0] for k in edited} if table == "designations" else set()
    else:
        assert unreadable == []
        wanted = {k: before[k] for k in edited} if expected == SAME else expected
        assert {k: v for k, v in after.items() if k not in others} == wanted
        names = set()
    # No other finding appears or disappears (prose about an unreadable row's authority
    # is not read, so its conflicts go with it).
    assert finding_kinds(after_findings, names) == finding_kinds(before_findings, names)


def former(authority, code, listed, listed_precision, delisted, citations):
    return (
        authority,
        code,
        "former",
        "terrorist_designation",
        None,
        listed,
        listed_precision,
        delisted,
        "day",
        citations,
    )


SOURCES = ["text", "html"]

DESIGNATION_CASES = [
    # --- date formats: the same facts in US order ---
    pytest.param(
        "Canada Designated on 24 May 2005,[294] delisted on 20 December 2012[295]",
        "Canada Designated on May 24, 2005,[294] delisted on December 20, 2012[295]",
        {("ca",)},
        SAME,
        id="us-date-format",
    ),
    pytest.param(
        "United Kingdom Designated on 28 March 2001,[293]",
        "United Kingdom Designated on March 28, 2001,[293]",
        {("gb",)},
        SAME,
        id="us-date-format-one-date",
    ),
    # --- annotations: the row reads exactly, the annotation goes to row_remark ---
    pytest.param(
        "United States Designated on",
        "United States (Foreign Terrorist Organization list) Designated on",
        {("us",)},
        SAME,
        id="parenthetical-after-name",
    ),
    pytest.param(
        f"Currently listed by {NBSP}Iran Designated",
        f"Currently listed by {NBSP}Iran (Islamic Republic) Designated",
        {("ir-current-government",), ("ir-pahlavi-dynasty",)},
        SAME,
        id="parenthetical-after-name-in-labelled-row",
    ),
    pytest.param(
        "Designated on 28 March 2001,[293]",
        "Designated on 28 March 2001 (under the Terrorism Act 2000),[293]",
        {("gb",)},
        SAME,
        id="parenthetical-after-date",
    ),
    pytest.param(
        "delisted on 24 June 2008[293]",
        "delisted on 24 June 2008 (in force from 25 June 2008)[293]",
        {("gb",)},
        SAME,
        id="parenthetical-with-a-date",
    ),
    pytest.param(
        f"{NBSP}Canada Designated",
        f"{NBSP}Canada[citation needed] Designated",
        {("ca",)},
        SAME,
        id="tag-after-name",
    ),
    pytest.param(
        "delisted on 26 January 2009[293]",
        "delisted on 26 January 2009[when?][293]",
        {("eu",)},
        SAME,
        id="tag-after-date",
    ),
    pytest.param(
        "Designated in May 2002,[293]",
        "Designated in May 2002,[dubious – discuss][293]",
        {("eu",)},
        SAME,
        id="unknown-tag",
    ),
    pytest.param(
        f"{NBSP}European Union Designated",
        f"{NBSP}European[a] Union Designated",
        {("eu",)},
        SAME,
        id="footnote-inside-name",
    ),
    pytest.param(
        "Canada Designated on 24 May 2005,[294]",
        "Canada Designated[294] on 24 May 2005,",
        {("ca",)},
        SAME,
        id="footnote-before-date",
    ),
    pytest.param(
        "Designated on 24 May 2005,[294]",
        "Designated on 24 May[294] 2005,",
        {("ca",)},
        SAME,
        id="footnote-inside-date",
    ),
    pytest.param(
        "delisted on 24 June 2008[293]",
        "delisted on 24 June 2008[293] after the Proscribed Organisations Appeal Commission "
        "ruled in 2007",
        {("gb",)},
        SAME,
        id="trailing-remark-with-a-date",
    ),
    pytest.param(
        "delisted on 20 December 2012[295]",
        "delisted on 20 December 2012[295], a decision criticised in Tehran",
        {("ca",)},
        SAME,
        id="trailing-remark",
    ),
    pytest.param(
        "Canada Designated on 24 May 2005,[294] delisted",
        "Canada Designated on 24 May 2005,[294] formally delisted",
        {("ca",)},
        SAME,
        id="unexpected-word",
    ),
    pytest.param(
        f"Formerly listed by {NBSP}United States",
        f"Formerly listed by[a] {NBSP}United States",
        set(),
        SAME,
        id="footnote-after-group-label",
    ),
    # --- other verbs for listed and delisted ---
    pytest.param(
        UK,
        f"{NBSP}United Kingdom Proscribed on 28 March 2001,[293] removed on 24 June 2008[293]",
        {("gb",)},
        SAME,
        id="proscribed-removed",
    ),
    pytest.param(
        CA,
        f"{NBSP}Canada Listed on 24 May 2005,[294] listing lifted on 20 December 2012[295]",
        {("ca",)},
        SAME,
        id="listed-lifted",
    ),
    pytest.param(
        UK,
        f"{NBSP}United Kingdom Designated 28 March 2001,[293] de-proscribed 24 June 2008[293]",
        {("gb",)},
        SAME,
        id="verbs-without-on",
    ),
    # --- layout: split, empty, added, reordered ---
    pytest.param(
        UK,
        UK_SPLIT,
        {("gb",)},
        SAME,
        id="row-split-over-two-lines",
    ),
    pytest.param(
        CA,
        f"{NBSP}Canada",
        {("ca",)},
        UNREADABLE,
        id="empty-cell-former",
    ),
    pytest.param(
        IRAQ,
        f"{NBSP}Iraq",
        {("iq-post-2003-government",)},
        {
            ("iq",): (
                "Iraq",
                "IQ",
                "current",
                "terrorist_designation",
                None,
                None,
                None,
                None,
                None,
                [],
            )
        },
        id="empty-cell-current",
    ),
    pytest.param(
        CA,
        f"{NBSP}Netherlands Designated on 3 March 2004,[294] delisted on 5 May 2010[295]\n{CA}",
        {("nl",)},
        {("nl",): former("Netherlands", "NL", D(2004, 3, 3), "day", D(2010, 5, 5), [294, 295])},
        id="row-added",
    ),
    pytest.param(
        f"{UK}\n{EU}",
        f"{EU}\n{UK}",
        set(),
        SAME,
        id="rows-reordered",
    ),
    pytest.param(
        f"{US}\n{UK}",
        f"Formerly listed by {UK}\n{US.removeprefix('Formerly listed by ')}",
        set(),
        SAME,
        id="rows-reordered-across-the-label",
    ),
    # --- rows that cannot be read: named, and nothing else changes ---
    pytest.param(
        UK,
        f"{NBSP}United Kingdom Designated on 28 March 2001,[293] re-listed on 2 May 2003, "
        "delisted on 24 June 2008[293]",
        {("gb",)},
        UNREADABLE,
        id="two-listing-dates",
    ),
    pytest.param(
        UK,
        f"{NBSP}United Kingdom Designated (28 March 2001),[293] delisted on 24 June 2008[293]",
        {("gb",)},
        UNREADABLE,
        id="date-only-in-a-parenthetical",
    ),
    pytest.param(
        CA,
        f"{NBSP}Kanada Designated on 24 May 2005,[294] delisted on 20 December 2012[295]",
        {("ca",)},
        (UNREADABLE, {("ca",): CANADA_FROM_PROSE}),
        id="misspelt-authority",
    ),
    pytest.param(
        UK,
        f"{NBSP}United Kingdom Designated on 28 March 2001,[293] still listed[293]",
        {("gb",)},
        UNREADABLE,
        id="former-row-without-delisting",
    ),
]


def _needle(new: str) -> str:
    """A snippet of the edited row's first line (with its flag's no-break space), to find
    its line number."""
    return new.split("\n")[0][:30]


def edited_source(old: str, new: str, source: str) -> str:
    """The edited article as the extractors read it. In the HTML a row split over two lines
    is a line break inside its cell (a new line in the text would be a new table row)."""
    if source == "html" and new in HTML_LINE_BREAKS:
        html_old, html_new = HTML_LINE_BREAKS[new]
        return html_to_text(replace_once(article_html(bundled()), html_old, html_new)).text
    return as_source(replace_once(bundled(), old, new), source)


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize(("old", "new", "edited", "expected"), DESIGNATION_CASES)
def test_designation_row_edit(source, old, new, edited, expected):
    text = edited_source(old, new, source)
    check_edit("designations", source, text, edited, expected, _needle(new))


# The electoral history table as flattened (the seats cell of a row on its own line).
SEATS_73 = "0 / 73\u2003(0%)"
CONSTITUTIONAL = "Constitutional referendum Boycott [5]"
EXPERTS = f"Assembly of Experts election\n{SEATS_73}"

ELECTION_CASES = [
    pytest.param(
        CONSTITUTIONAL,
        "Constitutional referendum (Islamic Republic of Iran) Boycott [5]",
        {(1979, "Constitutional referendum")},
        SAME,
        id="parenthetical-after-name",
    ),
    pytest.param(
        "Vote 'Yes' [5]",
        "Vote 'Yes' (as its leaders urged) [5]",
        {(1979, "Islamic Republic referendum")},
        SAME,
        id="parenthetical-after-result",
    ),
    pytest.param(
        CONSTITUTIONAL,
        "Constitutional referendum Boycott[citation needed] [5]",
        {(1979, "Constitutional referendum")},
        SAME,
        id="tag-after-result",
    ),
    pytest.param(
        "1980 Presidential election Vote",
        "1980 Presidential election[citation needed] Vote",
        {(1980, "Presidential election")},
        SAME,
        id="tag-after-name",
    ),
    pytest.param(
        "0 / 270\u2003(0%)",
        "0 / 270\u2003(0%) (all its candidates lost)",
        {(1980, "Parliamentary elections")},
        SAME,
        id="parenthetical-after-seats",
    ),
    pytest.param(
        "1979 Islamic Republic referendum Vote 'Yes' [5]",
        "1979 Islamic Republic[5] referendum Vote 'Yes'",
        {(1979, "Islamic Republic referendum")},
        SAME,
        id="footnote-inside-name",
    ),
    pytest.param(
        CONSTITUTIONAL,
        f"{CONSTITUTIONAL} over the clause on clerical rule",
        {(1979, "Constitutional referendum")},
        SAME,
        id="trailing-remark",
    ),
    pytest.param(
        CONSTITUTIONAL,
        "Constitutional referendum Boycotted [5]",
        {(1979, "Constitutional referendum")},
        {
            (1979, "Constitutional referendum"): (
                "referendum",
                "Boycotted",
                "boycott",
                None,
                None,
                None,
                [5],
            )
        },
        id="other-wording",
    ),
    pytest.param(
        CONSTITUTIONAL,
        CONSTITUTIONAL_SPLIT,
        {(1979, "Constitutional referendum")},
        SAME,
        id="row-split-over-two-lines",
    ),
    pytest.param(
        CONSTITUTIONAL,
        "Constitutional referendum [5]",
        {(1979, "Constitutional referendum")},
        {
            (1979, "Constitutional referendum"): (
                "referendum",
                None,
                None,
                None,
                None,
                None,
                [5],
            )
        },
        id="empty-cell",
    ),
    pytest.param(
        CONSTITUTIONAL,
        f"{CONSTITUTIONAL}\nLocal council elections Boycott [7]",
        {(1979, "Local council elections")},
        {(1979, "Local council elections"): ("local", "Boycott", "boycott", None, None, None, [7])},
        id="row-added",
    ),
    pytest.param(
        f"{EXPERTS}\n{CONSTITUTIONAL}",
        f"{CONSTITUTIONAL}\n{EXPERTS}",
        set(),
        SAME,
        id="rows-reordered",
    ),
    pytest.param(
        EXPERTS,
        f"Assembly of Experts vote\n{SEATS_73}",
        {(1979, "Assembly of Experts election")},
        UNREADABLE,
        id="unknown-election-word",
    ),
]


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize(("old", "new", "edited", "expected"), ELECTION_CASES)
def test_election_row_edit(source, old, new, edited, expected):
    text = edited_source(old, new, source)
    check_edit("electoral_history", source, text, edited, expected, _needle(new))


@pytest.mark.parametrize(
    ("old", "new", "table", "key", "remark"),
    [
        pytest.param(
            "delisted on 20 December 2012[295]",
            "delisted on 20 December 2012[295], a decision criticised in Tehran",
            "designations",
            "ca",
            "a decision criticised in Tehran",
            id="trailing-remark",
        ),
        pytest.param(
            "delisted on 24 June 2008[293]",
            "delisted on 24 June 2008[293] after the Proscribed Organisations Appeal Commission "
            "ruled in 2007",
            "designations",
            "gb",
            "after the Proscribed Organisations Appeal Commission ruled in 2007",
            id="trailing-remark-with-a-date",
        ),
        pytest.param(
            "delisted on 26 January 2009[293]",
            "delisted on 26 January 2009[when?][293]",
            "designations",
            "eu",
            "[when?]",
            id="tag",
        ),
        pytest.param(
            CONSTITUTIONAL,
            f"{CONSTITUTIONAL} over the clause on clerical rule",
            "electoral_history",
            "Constitutional referendum",
            "over the clause on clerical rule",
            id="election-trailing-remark",
        ),
        pytest.param(
            "0 / 270\u2003(0%)",
            "0 / 270\u2003(0%) (all its candidates lost)",
            "electoral_history",
            "Parliamentary elections",
            "(all its candidates lost)",
            id="election-parenthetical-after-seats",
        ),
    ],
)
def test_remarks_are_kept_verbatim(old, new, table, key, remark):
    document = Document.from_text(replace_once(bundled(), old, new))
    if table == "designations":
        frame = extract_designations_with_findings(document)[0].set_index("designation_id")
    else:
        frame = extract_electoral_history_with_findings(document)[0].set_index("election")
    assert frame.loc[key, "row_remark"] == remark
    assert frame["row_remark"].notna().sum() == 1


# --- every annotation at every word boundary of every row --------------------------------

ANNOTATIONS = {
    "parenthetical": " (an editor's note)",
    "dated-parenthetical": " (reviewed in 2010)",
    "tag": "[citation needed]",
    "letter-footnote": "[a]",
    "reference": "[999]",
}


def table_block(first_line_prefix: str) -> list[str]:
    """The lines of one table of the bundled article: its block, up to the blank line."""
    lines = bundled().split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(first_line_prefix))
    end = lines.index("", start)
    return lines[start:end]


def annotated_rows(block: list[str], skip: int = 0):
    """(row index, edited block): an annotation at every word boundary of every row, the
    kinds taken in turn (so each kind lands in every part of the rows, at a fifth of the
    cost of all kinds everywhere)."""
    kinds = list(ANNOTATIONS.values())
    turn = 0
    for index in range(skip, len(block)):
        line = block[index]
        boundaries = [i for i, ch in enumerate(line) if ch in " \u2003"] + [len(line)]
        for position in boundaries:
            for _ in range(2):
                annotation = kinds[turn % len(kinds)]
                turn += 1
                edited = line[:position] + annotation + line[position:]
                yield index, [*block[:index], edited, *block[index + 1 :]]


def without_reference_999(row: tuple) -> tuple:
    return tuple([c for c in v if c != 999] if isinstance(v, list) else v for v in row)


@pytest.mark.parametrize(
    ("table", "first_line", "skip"),
    [
        pytest.param("designations", "Currently listed by", 0, id="designations"),
        pytest.param("electoral_history", "Year Election/referendum", 1, id="electoral_history"),
    ],
)
def test_annotations_anywhere_in_a_row_never_move_a_value(table, first_line, skip):
    """The table alone (so the prose adds nothing): each annotation leaves every row's facts
    as they were, or makes its own row unreadable, and then that row only is absent."""
    block = table_block(first_line)
    before, _ = read("\n".join(block), table)
    checked = 0
    for index, edited in annotated_rows(block, skip):
        after, findings = read("\n".join(edited), table)
        unreadable = [f.source_line for f in findings if f.kind == "unreadable_row"]
        changed = {
            k
            for k in set(before) | set(after)
            if without_reference_999(before.get(k, ())) != without_reference_999(after.get(k, ()))
        }
        if unreadable:
            assert unreadable == [index + 1], edited[index]
            assert all(k not in after for k in changed), edited[index]
        else:
            assert changed == set(), edited[index]
        checked += 1
    assert checked > 50


@pytest.mark.slow  # some 300 renderings of the whole article (about 30 s)
@pytest.mark.parametrize(
    ("table", "first_line", "skip"),
    [
        pytest.param("designations", "Currently listed by", 0, id="designations"),
        pytest.param("electoral_history", "Year Election/referendum", 1, id="electoral_history"),
    ],
)
def test_annotations_anywhere_in_a_rendered_row_never_move_a_value(table, first_line, skip):
    """As above, through the rendered HTML of the whole article (rowspans carried, a group
    label on every row): the prose is read too, so the facts are compared with its reading."""
    lines = bundled().split("\n")
    block = table_block(first_line)
    start = lines.index(block[0])
    before, _ = unedited("html", table)
    for index, edited in annotated_rows(block, skip):
        text = "\n".join(lines[:start] + edited + lines[start + len(block) :])
        after, findings = read(as_source(text, "html"), table)
        unreadable = [f for f in findings if f.kind == "unreadable_row"]
        changed = {
            k
            for k in set(before) | set(after)
            if without_reference_999(before.get(k, ())) != without_reference_999(after.get(k, ()))
        }
        assert len(unreadable) <= 1, edited[index]
        if unreadable:
            assert all(k not in after for k in changed), edited[index]
        else:
            assert changed == set(), edited[index]
