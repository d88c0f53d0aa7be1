"""A scripted revision history of the bundled article, and the events it must produce.

Plain data: ``revision_script()`` returns the revisions in order (metadata and full text),
each with the status and the events a history run must report for it, written by hand from
what the edit does (not computed by the code under test). The MediaWiki emulator will serve
the same sequence.

Edits (``r`` = revid):
1000 the bundled article; every claim is added
1001 a reference's retrieval date changes (after the body): unchanged_sections
1002 a New Zealand row is added to the designation table
1003 the United Kingdom's listing date changes from 28 to 29 March 2001 (and so its agreement
     with the official record, when the reviewed table holds the UK's listing act)
1004 ... and is reverted (the text is again r1002's): identical to r1002, the date changes back
1005 a sentence with a new size estimate is added
1006 white space and blank lines change, an unrelated sentence is reworded: no events
1007 two sections that hold estimates swap places: no events
1008 the page is blanked: skipped (blanked)
1009 r1007 restored: identical to r1007, no events
1010 everything from the electoral history on is cut: skipped (shrunk)
1011 r1007 restored again: identical to r1009 (the latest with that sha1)
1012 Canada's row cites one more source (ref 66): a citation_keys change
1013 the Assembly of Experts result changes and the Japan sentence loses Japan: changed, removed
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

ARTICLE = Path(__file__).resolve().parents[1] / "sources" / "peoples-mujahedin-of-iran.txt"
FIRST_REVID = 1000
START = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


# ref_key of [294] and [295] in the bundled article (news reports without author or URL).
CANADA_LISTS = "cite:|canada lists iranian opposition organization as terrorist entity|2005"
US_TAKES_OFF = "cite:sen|u s takes iranian dissident group mek off terrorist list|"
OTTAWA_DROPS = (
    "cite:|ottawa drops saddam hussein linked iranian group from terror list in bid to ramp up "
    "pressure against tehran|2012"
)


@dataclass(frozen=True)
class Expected:
    """One expected event. For added/removed, ``values`` holds some of the claim's values
    (the event's JSON must contain them); for changed, ``old`` and ``new``."""

    table: str
    claim_key: str
    event: str
    column: str | None = None
    old: str | None = None
    new: str | None = None
    values: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class ScriptedRevision:
    revid: int
    parentid: int
    timestamp: dt.datetime
    sha1: str
    size: int
    text: str
    what: str
    status: str
    reason: str | None
    events: tuple[Expected, ...]


def _replace(text: str, old: str, new: str) -> str:
    """Replace exactly one occurrence, so an edit cannot silently miss or hit twice."""
    count = text.count(old)
    if count != 1:
        raise ValueError(f"script edit expects one {old!r}, found {count}")
    return text.replace(old, new)


def _agrees_with_gb_listing(day: int) -> bool | None:
    """Whether a UK listing stated as ``day`` March 2001 agrees with the reviewed record (the
    table of official acts is input data, read here, not the code under test): the edit of
    r1003 makes the article agree or disagree, which is an event of record_agrees."""
    from transforms.official_acts import OFFICIAL_ACTS

    dates = [
        a.official_date
        for a in OFFICIAL_ACTS
        if a.authority_code == "GB" and a.act_type == "listing"
    ]
    if not dates:
        return None
    nearest = min(dates, key=lambda d: abs((d - dt.date(2001, 3, day)).days))
    return nearest == dt.date(2001, 3, day)


def _bools(agrees: dict[int, bool | None]) -> tuple[str, str]:
    """The record_agrees event's old and new values, as claim_events writes booleans."""
    return tuple("true" if agrees[d] else "false" for d in (28, 29))


def _swap_sections(text: str, first: str, second: str) -> str:
    """Move the section titled ``second`` (which directly follows ``first``) before it."""
    lines = text.split("\n")
    a = lines.index(first)
    b = lines.index(second)
    end = b + 1
    while end < len(lines) and not _is_next_heading(lines, end):
        end += 1
    return "\n".join(lines[:a] + lines[b:end] + lines[a:b] + lines[end:])


def _is_next_heading(lines: list[str], index: int) -> bool:
    # The section after "Settlement in Albania" in the bundled article.
    return lines[index] == "Before the revolution"


# Every claim of the bundled article, by key, written out by hand (reviewed against the
# article: the designation table, the electoral history table and each size statement).
BASE_KEYS = {
    "designations": [
        "AU|",
        "CA|",
        "EU|",
        "GB|",
        "IQ|post-2003 government",
        "IR|current government",
        "IR|pahlavi dynasty",
        "JP|",
        "UN|",
        "US|",
    ],
    "electoral_history": [
        "1979|assembly of experts election",
        "1979|constitutional referendum",
        "1979|islamic republic referendum",
        "1980|parliamentary elections",
        "1980|presidential election",
    ],
    "membership_estimates": [
        # Canonical estimator ids (transforms/estimators.py): the infobox's "DoD" and the body's
        # "United States Department of Defense" are one source, so the later in reading order
        # is numbered; so is The Military Balance's second figure for the same period.
        "asharq-al-awsat|attendees|2016",
        "council-on-foreign-relations|fighters|2005",
        "council-on-foreign-relations|members|2005",
        "dixon-sarkees|fighters|later",
        "dixon-sarkees|fighters|prewar",
        "foreign-policy|members|2013",
        "george-e-delury|members|1980",
        "george-e-delury|supporters|1980",
        "instat|members|2018",  # "By 2018": the size as of 2018
        "mek|members|2020",
        "pierre-razoux|fighters|1981..1988",
        "the-military-balance+bmi-research|fighters|2003..2008",
        "the-military-balance+bmi-research|members|2003..2008",
        "the-military-balance+bmi-research|members|2003..2008#2",
        "the-new-york-times|attendees|2020",
        "the-new-york-times|fighters|2003",
        "us-department-of-defense|members|2011",
        "us-department-of-defense|members|2011#2",
        "|fighters|",
        "|fighters|..2003",
        "|fighters|near the end of the iran–iraq war",
        "|members|",
        "|members|..2003",
        "|members|1993",
        "|members|2016",
        "|sympathizers|1980",
    ],
}

NEW_ZEALAND_ROW = "\u00a0New Zealand Designated on 1 March 2010,[294] delisted on 5 May 2014[295]"
NEW_ESTIMATE = " In 2019, Reuters estimated that about 2,700 MEK members lived in Ashraf 3.[224]"


def revision_script() -> list[ScriptedRevision]:
    base = ARTICLE.read_text(encoding="utf-8")
    steps: list[tuple[str, str, str, str | None, tuple[Expected, ...]]] = []

    def step(text, what, status="extracted", reason=None, events=()):
        steps.append((text, what, status, reason, tuple(events)))

    step(
        base,
        "the bundled article",
        events=[Expected(t, k, "added") for t, keys in BASE_KEYS.items() for k in keys],
    )
    r1001 = _replace(
        base,
        "Tirana Times. 9 May 2018. Retrieved 29 June 2018.",
        "Tirana Times. 9 May 2018. Retrieved 30 June 2018.",
    )
    step(r1001, "a reference's retrieval date", status="unchanged_sections")
    r1002 = _replace(
        r1001,
        "\u00a0Canada Designated on 24 May 2005,[294] delisted on 20 December 2012[295]\n",
        "\u00a0Canada Designated on 24 May 2005,[294] delisted on 20 December 2012[295]\n"
        + NEW_ZEALAND_ROW
        + "\n",
    )
    step(
        r1002,
        "a designation row added",
        events=[
            Expected(
                "designations",
                "NZ|",
                "added",
                values={
                    "authority": "New Zealand",
                    "status": "former",
                    "listed_on": "2010-03-01",
                    "delisted_on": "2014-05-05",
                    "citation_keys": f"{CANADA_LISTS};{OTTAWA_DROPS}",
                },
            )
        ],
    )
    r1003 = _replace(
        r1002,
        "United Kingdom Designated on 28 March 2001",
        "United Kingdom Designated on 29 March 2001",
    )
    agrees = {day: _agrees_with_gb_listing(day) for day in (28, 29)}
    record_flip = agrees[28] != agrees[29]
    step(
        r1003,
        "a date changed",
        events=[
            Expected("designations", "GB|", "changed", "listed_on", "2001-03-28", "2001-03-29"),
            *(
                [Expected("designations", "GB|", "changed", "record_agrees", *_bools(agrees))]
                if record_flip
                else []
            ),
        ],
    )
    step(
        r1002,
        "the date reverted",
        status="identical",
        events=[
            Expected("designations", "GB|", "changed", "listed_on", "2001-03-29", "2001-03-28"),
            *(
                [Expected("designations", "GB|", "changed", "record_agrees", *_bools(agrees)[::-1])]
                if record_flip
                else []
            ),
        ],
    )
    r1005 = _replace(
        r1002,
        "according to the INSTAT data.[224]",
        "according to the INSTAT data.[224]" + NEW_ESTIMATE,
    )
    step(
        r1005,
        "a sentence with a size estimate added",
        events=[
            Expected(
                "membership_estimates",
                "reuters|members|2019",
                "added",
                values={
                    "low": "2700",
                    "high": "2700",
                    "qualifier": "about",
                    "estimator": "Reuters",
                },
            )
        ],
    )
    r1006 = _replace(
        r1005,
        "The group had no name until February 1972.",
        "The group had no\tname   until February 1972.",
    )
    r1006 = _replace(r1006, "\nOther names\n", "\n\n\nOther names\n")
    r1006 = _replace(
        r1006,
        "In 2017, the year before John Bolton",
        "In 2017,  the year before  John Bolton",
    )
    step(r1006, "white space, blank lines and an unrelated rewording")
    r1007 = _swap_sections(r1006, "Relocation from Iraq", "Settlement in Albania (2016–present)")
    step(r1007, "two sections swap places")
    step("MEK IS A CULT!!!", "the page blanked", status="skipped", reason="blanked")
    step(r1007, "blanking reverted", status="identical")
    cut = r1007.index("\nElectoral history\n")
    step(r1007[:cut], "most of the page cut", status="skipped", reason="shrunk")
    step(r1007, "the cut reverted", status="identical")
    r1012 = _replace(
        r1007,
        "\u00a0Canada Designated on 24 May 2005,[294] delisted on 20 December 2012[295]",
        "\u00a0Canada Designated on 24 May 2005,[294] delisted on 20 December 2012[295][66]",
    )
    step(
        r1012,
        "a reference added to a row",
        events=[
            # Compared by ref_key as a set (sorted): the numbers are not tracked.
            Expected(
                "designations",
                "CA|",
                "changed",
                "citation_keys",
                f"{CANADA_LISTS};{OTTAWA_DROPS}",
                f"{US_TAKES_OFF};{CANADA_LISTS};{OTTAWA_DROPS}",  # sorted: "s" before "|"
            ),
        ],
    )
    r1013 = _replace(r1012, "\n0 / 73\u2003(0%)\n", "\n1 / 73\u2003(1%)\n")
    r1013 = _replace(r1013, "the United States, and Japan have", "and the United States have")
    r1013 = _replace(r1013, ",[66] and by the Japanese government on 2013.[67]", ".[66]")
    step(
        r1013,
        "an election result changed, Japan's delisting removed",
        events=[
            Expected("designations", "JP|", "removed", values={"delisted_on": "2013-01-01"}),
            Expected(
                "electoral_history",
                "1979|assembly of experts election",
                "changed",
                "result_text",
                "0 / 73 (0%)",
                "1 / 73 (1%)",
            ),
            Expected(
                "electoral_history",
                "1979|assembly of experts election",
                "changed",
                "seats_won",
                "0",
                "1",
            ),
            Expected(
                "electoral_history",
                "1979|assembly of experts election",
                "changed",
                "seat_share",
                "0.0",
                "0.0136986301369863",
            ),
        ],
    )
    return _with_metadata(steps)


def _with_metadata(steps) -> list[ScriptedRevision]:
    revisions = []
    for index, (text, what, status, reason, events) in enumerate(steps):
        data = text.encode("utf-8")
        revisions.append(
            ScriptedRevision(
                revid=FIRST_REVID + index,
                parentid=FIRST_REVID + index - 1 if index else 0,
                timestamp=START + dt.timedelta(hours=index),
                sha1=hashlib.sha1(data).hexdigest(),
                size=len(data),
                text=text,
                what=what,
                status=status,
                reason=reason,
                events=events,
            )
        )
    return revisions


# --- edits as editors make them (issue 29) -------------------------------------------------


def realistic_script() -> list[ScriptedRevision]:
    """The edits real editors make most, each scripted with the events it must make (by hand:
    none, except where a source is added to or removed from the article or a claim). Every
    reference number moves in r2001 and again in r2010; none of that is an event.

    2000 the bundled article
    2001 a source added in the lead: every later reference renumbered; one source added
    2002 a named ref reused: Canada's listing source cited again in prose; nothing
    2003 two sections swap places; nothing
    2004 two rows of the designation table swap places; nothing
    2005 a flag icon template removed from Canada's row; nothing
    2006 the note group switched from [note 1] to [a]; nothing
    2007 vandalism: the page blanked; skipped
    2008 r2006 restored: identical, nothing
    2009 a source cited once in prose removed (everything after renumbered); one source removed
    2010 Canada's row cites the lead's source too: one claim's sources changed

    (Dates switched to US format are tested apart, in tests/test_history.py.)
    """
    from synthetic_history import (
        LEAD_ANCHOR,
        LEAD_SOURCE,
        LEAD_SOURCE_KEY,
        add_reference,
        prose_only_reference,
        remove_reference,
    )

    base = ARTICLE.read_text(encoding="utf-8")
    steps: list[tuple[str, str, str, str | None, tuple[Expected, ...]]] = []

    def step(text, what, status="extracted", reason=None, events=()):
        steps.append((text, what, status, reason, tuple(events)))

    step(
        base,
        "the bundled article",
        events=[Expected(t, k, "added") for t, keys in BASE_KEYS.items() for k in keys],
    )
    r2001 = add_reference(base, LEAD_ANCHOR, LEAD_SOURCE)
    step(
        r2001,
        "a source added in the lead",
        events=[
            Expected(
                "references",
                LEAD_SOURCE_KEY,
                "added",
                values={"authors": "Abrahamian, Ervand", "year": "1989", "pages": "p. 1"},
            )
        ],
    )
    canada = "\u00a0Canada Designated on 24 May 2005,[295] delisted on 20 December 2012[296]"
    r2002 = _replace(
        r2001,
        "The group had no name until February 1972.",
        "The group had no name until February 1972.[295]",
    )
    step(r2002, "a named ref reused in prose")
    r2003 = _swap_sections(r2002, "Relocation from Iraq", "Settlement in Albania (2016–present)")
    step(r2003, "two sections swap places")
    lines = r2003.split("\n")
    row = lines.index(canada)
    lines[row - 1], lines[row] = lines[row], lines[row - 1]
    r2004 = "\n".join(lines)
    step(r2004, "two designation rows swap places")
    r2006 = _replace(r2004, canada, canada.removeprefix("\u00a0"))
    step(r2006, "a flag icon template removed")
    r2007 = _replace(r2006, "Massoud Rajavi[note 1]", "Massoud Rajavi[a]")
    r2007 = _replace(r2007, "  1. ^ Since 1993,", "  a. ^ Since 1993,")
    step(r2007, "the note group switched from [note n] to [a]")
    step("this page is propaganda lol", "the page blanked", status="skipped", reason="blanked")
    step(r2007, "the blanking reverted", status="identical")
    removed_key_of = _ref_key_of(base, prose_only_reference(base))
    r2010 = remove_reference(r2007, prose_only_reference(base) + 1)
    step(
        r2010, "a prose source removed", events=[Expected("references", removed_key_of, "removed")]
    )
    lead = int(re.search(r"Pahlavi\.\[(\d+)\]", r2010)[1])
    row = re.search(r"Canada Designated on 24 May 2005,\[\d+\] delisted on [^\n]*", r2010)[0]
    r2011 = _replace(r2010, row, row + f"[{lead}]")
    step(
        r2011,
        "a claim cites one more source",
        events=[
            Expected(
                "designations",
                "CA|",
                "changed",
                "citation_keys",
                f"{CANADA_LISTS};{OTTAWA_DROPS}",
                f"{CANADA_LISTS};{OTTAWA_DROPS};{LEAD_SOURCE_KEY}",
            )
        ],
    )
    revisions = _with_metadata(steps)
    return [
        dataclasses.replace(
            r, revid=r.revid + 1000, parentid=r.parentid + 1000 if r.parentid else 0
        )
        for r in revisions
    ]


def _ref_key_of(text: str, number: int) -> str:
    from transforms import extract_all

    references = extract_all(text)["references"]
    return references.loc[references["ref_number"] == number, "ref_key"].iloc[0]
