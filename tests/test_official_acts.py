"""official_acts: the reviewed record of the acts that listed and delisted the group.

These are table checks on reviewed data: each can fail when a row is added or edited wrongly
(a duplicate id, a date the quoted evidence does not support, a delisting before its listing,
a malformed Wikidata id). The date renderer they rely on is tested on its own first.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

import pycountry
import pytest

from transforms.official_acts import (
    ACT_TYPES,
    OFFICIAL_ACTS,
    WIKIDATA_ITEMS,
    WIKIDATA_PROPERTIES,
    OfficialAct,
)

ACT_ID_RE = re.compile(r"^[a-z]{2}-[a-z0-9]+(?:-[a-z0-9]+)*$")
QID_RE = re.compile(r"^Q[1-9]\d*$")
PID_RE = re.compile(r"^P[1-9]\d*$")
WHITESPACE_RE = re.compile(r"\s+")
NON_STATE_AUTHORITIES = {"EU", "UN"}
# The properties the QuickStatements export writes (DATA_CONTRACT.md, "The record").
EXPORT_PROPERTIES = {"P3461", "P580", "P582", "P854", "P4656"}

# Acts whose evidence gives the day and month but takes the year from elsewhere on the page:
# act_id -> why. None today; an entry still needs the day and month in the quote, and must go
# once the quote gives the full date.
DATE_EXEMPTIONS: dict[str, str] = {}
# (authority code, program) pairs whose listing is not on record although a delisting is:
# the stored sources give only the year of the E.O. 13224 listing (docs/record.md).
LISTING_NOT_ON_RECORD = {("US", "Executive Order 13224 (SDGT)")}

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
MONTH_ABBREVIATIONS = {9: ["Sep", "Sept"]}


def _ordinal(day: int) -> str:
    if 10 <= day % 100 <= 20:
        return f"{day}th"
    return f"{day}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th') }"


def _month_names(month: int) -> list[str]:
    full = MONTHS[month - 1]
    short = MONTH_ABBREVIATIONS.get(month, [full[:3]])
    return [full, *short, *(f"{name}." for name in short)]


def date_renderings(day: dt.date) -> list[str]:
    """The ways official and press texts write a day: 8 October 1997, October 8, 1997, …"""
    d, m, y = day.day, day.month, day.year
    forms = [day.isoformat(), f"{d:02d}.{m:02d}.{y}", f"{d}.{m}.{y}", f"{d:02d}/{m:02d}/{y}"]
    for month in _month_names(m):
        for day_text in (str(d), _ordinal(d)):
            forms += [
                f"{day_text} {month} {y}",
                f"{month} {day_text}, {y}",
                f"{month} {day_text} {y}",
            ]
    return forms


def day_month_renderings(day: dt.date) -> list[str]:
    forms = []
    for month in _month_names(day.month):
        forms += [f"{day.day} {month}", f"{month} {day.day}"]
    return forms


def _normalised(text: str) -> str:
    return WHITESPACE_RE.sub(" ", text).casefold()


def quote_gives(quote: str, forms: list[str]) -> bool:
    text = _normalised(quote)
    return any(
        re.search(rf"(?<![\w.]){re.escape(_normalised(form))}(?!\w)", text) for form in forms
    )


def quote_gives_date(quote: str, day: dt.date) -> bool:
    return quote_gives(quote, date_renderings(day))


@pytest.mark.parametrize(
    ("quote", "day", "found"),
    [
        pytest.param("designated on October 8, 1997.", dt.date(1997, 10, 8), True, id="us-style"),
        pytest.param("came into force on 29 March 2001", dt.date(2001, 3, 29), True, id="uk-style"),
        pytest.param("Date: 1997-10-08", dt.date(1997, 10, 8), True, id="iso"),
        pytest.param("vom 26.01.2009", dt.date(2009, 1, 26), True, id="dotted"),
        pytest.param("am 2.5.2002 beschlossen", dt.date(2002, 5, 2), True, id="dotted-unpadded"),
        pytest.param("Sept. 28, 2012 /PRNewswire/", dt.date(2012, 9, 28), True, id="sept-abbr"),
        pytest.param("OTTAWA, THURSDAY, DECEMBER 20, 2012", dt.date(2012, 12, 20), True, id="caps"),
        pytest.param("Oct.\n8, 1997", dt.date(1997, 10, 8), True, id="line-break"),
        pytest.param("the 24th June 2008 order", dt.date(2008, 6, 24), True, id="ordinal"),
        pytest.param("October 18, 1997", dt.date(1997, 10, 8), False, id="other-day"),
        pytest.param("8 October 1998", dt.date(1997, 10, 8), False, id="other-year"),
        pytest.param("8 July 1997", dt.date(1997, 10, 8), False, id="other-month"),
        pytest.param("2012-09-280", dt.date(2012, 9, 28), False, id="longer-number"),
        pytest.param("in October 1997", dt.date(1997, 10, 8), False, id="month-only"),
    ],
)
def test_date_renderer_finds_the_day_and_only_that_day(quote, day, found):
    assert quote_gives_date(quote, day) is found


def test_act_ids_are_unique_slugs():
    ids = [act.act_id for act in OFFICIAL_ACTS]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for act_id in ids:
        assert ACT_ID_RE.match(act_id), act_id
    assert set(DATE_EXEMPTIONS) <= set(ids), "date exemption for an act not on record"


def test_the_record_is_not_empty_and_covers_the_articles_main_authorities():
    codes = {act.authority_code for act in OFFICIAL_ACTS}
    assert {"US", "GB", "EU", "CA"} <= codes


@pytest.mark.parametrize("act", OFFICIAL_ACTS, ids=lambda act: act.act_id)
def test_act_has_urls_evidence_and_known_type(act: OfficialAct):
    for url in (act.url, act.evidence_url):
        assert re.match(r"^https?://[^\s/]+\.[^\s/]+/?\S*$", url), url
    assert act.evidence.strip()
    assert act.instrument.strip()
    assert act.program.strip()
    assert act.act_type in ACT_TYPES
    assert act.act_id.startswith(act.authority_code.lower() + "-")


@pytest.mark.parametrize("act", OFFICIAL_ACTS, ids=lambda act: act.act_id)
def test_evidence_quote_gives_the_official_date(act: OfficialAct):
    gives_date = quote_gives_date(act.evidence, act.official_date)
    if act.act_id in DATE_EXEMPTIONS:
        assert DATE_EXEMPTIONS[act.act_id].strip()
        assert quote_gives(act.evidence, day_month_renderings(act.official_date)), act.evidence
        assert not gives_date, f"{act.act_id}: the quote gives the date now; drop the exemption"
        return
    assert gives_date, (
        f"{act.act_id}: none of {date_renderings(act.official_date)[:4]}… in {act.evidence!r}"
    )


@pytest.mark.parametrize("act", OFFICIAL_ACTS, ids=lambda act: act.act_id)
def test_authority_code_is_iso_alpha2_or_eu_un(act: OfficialAct):
    if act.authority_code in NON_STATE_AUTHORITIES:
        return
    assert len(act.authority_code) == 2
    assert pycountry.countries.get(alpha_2=act.authority_code) is not None, act.authority_code


def test_official_dates_are_plausible():
    for act in OFFICIAL_ACTS:
        assert dt.date(1970, 1, 1) <= act.official_date <= dt.date.today(), act.act_id


def test_per_program_a_delisting_never_precedes_its_listing():
    by_program: dict[tuple[str, str], list[OfficialAct]] = defaultdict(list)
    for act in OFFICIAL_ACTS:
        by_program[(act.authority_code, act.program)].append(act)
    for key, acts in by_program.items():
        ordered = sorted(acts, key=lambda act: (act.official_date, act.act_type != "listing"))
        expected = "delisting" if key in LISTING_NOT_ON_RECORD else "listing"
        for act in ordered:
            assert act.act_type == expected, f"{key}: {act.act_id} out of order"
            expected = "delisting" if expected == "listing" else "listing"


def test_listings_not_on_record_are_pairs_that_do_have_a_delisting():
    programs = {(act.authority_code, act.program, act.act_type) for act in OFFICIAL_ACTS}
    for code, program in LISTING_NOT_ON_RECORD:
        assert (code, program, "delisting") in programs
        assert (code, program, "listing") not in programs, "listing now on record: drop the entry"


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param({"act_type": "designation"}, id="unknown-type"),
        pytest.param({"url": "state.gov/page"}, id="url-without-scheme"),
        pytest.param({"evidence_url": ""}, id="no-evidence-url"),
        pytest.param({"evidence": "   "}, id="blank-evidence"),
    ],
)
def test_row_type_rejects_bad_rows(bad):
    fields = {
        "act_id": "xx-test",
        "authority_code": "US",
        "authority": "Test",
        "act_type": "listing",
        "program": "Test",
        "official_date": dt.date(2000, 1, 1),
        "instrument": "Test",
        "url": "https://example.org/act",
        "evidence": "on 1 January 2000",
        "evidence_url": "https://example.org/act",
    }
    with pytest.raises(ValueError):
        OfficialAct(**(fields | bad))


def test_wikidata_items_have_qids_and_quoted_evidence():
    keys = [item.key for item in WIKIDATA_ITEMS]
    assert len(keys) == len(set(keys))
    for item in WIKIDATA_ITEMS:
        assert QID_RE.match(item.qid), item.qid
        assert (
            item.key == "group"
            or item.key in NON_STATE_AUTHORITIES
            or (pycountry.countries.get(alpha_2=item.key) is not None)
        ), item.key
        assert item.source_url.startswith(("https://", "http://"))
        # The quote must tie this id to this item: both appear in it.
        assert re.search(rf"(?<![\dQ]){item.qid}(?!\d)", item.evidence), item.evidence
        assert item.label.split()[0].casefold() in item.evidence.casefold(), item.label


def test_every_authority_on_record_has_a_wikidata_item():
    items = {item.key for item in WIKIDATA_ITEMS}
    missing = {act.authority_code for act in OFFICIAL_ACTS} - items
    assert not missing, missing


def test_wikidata_properties_cover_the_export_and_carry_their_labels():
    assert {prop.key for prop in WIKIDATA_PROPERTIES} == EXPORT_PROPERTIES
    for prop in WIKIDATA_PROPERTIES:
        assert PID_RE.match(prop.qid), prop.qid
        assert prop.key == prop.qid
        assert f'"{prop.qid}"' in prop.evidence
        assert f'"{prop.label}"' in prop.evidence
        assert prop.source_url.startswith(("https://", "http://"))
