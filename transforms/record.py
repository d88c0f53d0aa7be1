"""record: each designation set beside the official acts behind it (DATA_CONTRACT.md, "The
record").

The article is a secondary source; the reviewed table of official acts
(transforms/official_acts.py) is the record. Pure functions, no I/O: a designations frame and
the acts in, the frame with its record columns filled and the findings out.

How a row finds its acts, so that every choice can be explained (``record_basis`` says which
rule chose):

1. Only acts of the row's ``authority_code`` are candidates, and only rows that list the
   group (a ``description`` row, a body calling the group terrorist, has no act).
2. **Listing act.** An act whose program the row's own words name wins (an authority may keep
   several lists, e.g. the US FTO list and E.O. 13224); then the act whose date lies in, or
   nearest to, the article's listing date at the article's precision; a row the article leaves
   undated comes last and takes a listing act only if one is still free and (when it was
   delisted) precedes its delisting. Pairs are assigned globally nearest first, each act to
   one row: one row per listing period, one act per listing.
3. **Delisting act.** Among the delisting acts on or after the row's listing: the same
   program as its listing act first, then the one nearest the article's delisting date (or
   the earliest, when the article gives none).
4. ``record_agrees`` compares at the article's precision: a year-precision date agrees with
   any day of that year, a month with any day of that month. A row the article calls current
   disagrees with a delisting on record. Null when nothing can be compared.

Findings: ``record_conflict`` for each disagreeing date (both dates, the act's citation and
URL, the article's line) and ``record_missing`` for an act on record the article does not
mention (matched to no row, or a delisting of a row whose text gives no end).
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from transforms.dates import format_date
from transforms.official_acts import OfficialAct
from transforms.quality import Finding
from transforms.schema import DESIGNATIONS, OFFICIAL_ACTS, RECORD_COLUMNS, to_frame

TABLE = "designations"
# Rows that list the group; a description (a body calling it terrorist) has no act.
LISTING_KINDS = ("terrorist_designation", "sanctions_list")
# A program's name splits into phrases at brackets and commas: "Foreign Terrorist
# Organizations (INA section 219)" -> "Foreign Terrorist Organizations", "INA section 219".
PROGRAM_PHRASE_SPLIT_RE = re.compile(r"[(),;]")
WORD_RE = re.compile(r"[a-z0-9]+")
MIN_PHRASE_WORDS = 2
RECORD_COLUMN_NAMES = tuple(c.name for c in RECORD_COLUMNS)
# The record columns alone, to build them with: the designation rows' other columns are the
# extractor's, already built (building all of them again cost a history worker a tenth of its
# designations time).
RECORD_PART = dataclasses.replace(
    DESIGNATIONS, columns=RECORD_COLUMNS, primary_key=(), display_columns=()
)
ACT_COLUMNS = (
    "act_id",
    "authority_code",
    "authority",
    "act_type",
    "program",
    "official_date",
    "instrument",
    "url",
    "evidence",
    "evidence_url",
    "note",
)


@dataclass(frozen=True)
class ArticleDate:
    """A date as the article gives it: the first and last day it can mean."""

    value: dt.date
    precision: str

    @property
    def first(self) -> dt.date:
        return self.value

    @property
    def last(self) -> dt.date:
        if self.precision == "year":
            return dt.date(self.value.year, 12, 31)
        if self.precision == "month":
            days = calendar.monthrange(self.value.year, self.value.month)[1]
            return dt.date(self.value.year, self.value.month, days)
        return self.value

    def agrees_with(self, day: dt.date) -> bool:
        return self.first <= day <= self.last

    def days_from(self, day: dt.date) -> int:
        """0 when ``day`` lies within the date at its precision, else the days to its edge."""
        if day < self.first:
            return (self.first - day).days
        if day > self.last:
            return (day - self.last).days
        return 0

    def __str__(self) -> str:
        return format_date(self.value, self.precision)


@dataclass(frozen=True)
class Row:
    """What matching needs of a designation row."""

    index: int
    designation_id: str
    authority: str
    code: str
    status: str
    listing_kind: str
    listed_on: ArticleDate | None
    delisted_on: ArticleDate | None
    source_line: int
    text: str  # the row's words: quote and listing detail


@dataclass(frozen=True)
class Match:
    listing: OfficialAct | None
    delisting: OfficialAct | None
    basis: str


def official_acts_frame(acts: Iterable[OfficialAct]) -> pd.DataFrame:
    """The published ``official_acts`` table, ordered by authority, date and id."""
    ordered = sorted(acts, key=lambda a: (a.authority_code, a.official_date, a.act_id))
    return to_frame(
        OFFICIAL_ACTS, ({name: getattr(act, name) for name in ACT_COLUMNS} for act in ordered)
    )


def apply_record(
    designations: pd.DataFrame, acts: Sequence[OfficialAct]
) -> tuple[pd.DataFrame, list[Finding]]:
    """``designations`` with the record columns filled from ``acts``, and the findings."""
    rows = _rows(designations)
    matches = match_acts(rows, acts)
    records: list[dict] = []
    findings: list[Finding] = []
    for row in rows:
        match = matches.get(row.index)
        listing = match.listing if match else None
        delisting = match.delisting if match else None
        first = listing or delisting
        agrees, row_findings = _compare(row, listing, delisting)
        findings += row_findings
        records.append(
            {
                "record_listed_on": listing.official_date if listing else None,
                "record_delisted_on": delisting.official_date if delisting else None,
                "record_listing_act": listing.instrument if listing else None,
                "record_delisting_act": delisting.instrument if delisting else None,
                "record_listing_act_id": listing.act_id if listing else None,
                "record_delisting_act_id": delisting.act_id if delisting else None,
                "record_url": first.url if first else None,
                "record_agrees": agrees,
                "record_basis": match.basis if match else None,
            }
        )
    filled = to_frame(RECORD_PART, records)
    frame = designations.copy()
    for name in RECORD_COLUMN_NAMES:
        frame[name] = filled[name].set_axis(frame.index)
    used = {a.act_id for m in matches.values() for a in (m.listing, m.delisting) if a is not None}
    by_code = {row.code: row for row in reversed(rows)}  # the authority's first row
    findings += [
        _missing(act, by_code.get(act.authority_code)) for act in acts if act.act_id not in used
    ]
    return frame, findings


def _rows(designations: pd.DataFrame) -> list[Row]:
    rows = []
    for index, record in enumerate(designations.to_dict("records")):
        rows.append(
            Row(
                index=index,
                designation_id=record["designation_id"],
                authority=record["authority"],
                code=record["authority_code"],
                status=record["status"],
                listing_kind=record["listing_kind"],
                listed_on=_article_date(record["listed_on"], record["listed_on_precision"]),
                delisted_on=_article_date(record["delisted_on"], record["delisted_on_precision"]),
                source_line=int(record["source_line"]),
                text=" ".join(
                    str(record[c]) for c in ("quote", "listing_detail") if not pd.isna(record[c])
                ),
            )
        )
    return rows


def _article_date(value: object, precision: object) -> ArticleDate | None:
    if pd.isna(value):
        return None
    day = value.date() if isinstance(value, dt.datetime) else value
    return ArticleDate(day, "day" if pd.isna(precision) else precision)


def match_acts(rows: Sequence[Row], acts: Sequence[OfficialAct]) -> dict[int, Match]:
    """Row index -> the acts chosen for it (rules in the module docstring)."""
    listings: dict[int, tuple[OfficialAct, str]] = {}
    delistings: dict[int, tuple[OfficialAct, str]] = {}
    for code in sorted({row.code for row in rows}):
        candidates = [r for r in rows if r.code == code and r.listing_kind in LISTING_KINDS]
        listing_acts = [a for a in acts if a.authority_code == code and a.act_type == "listing"]
        delisting_acts = [a for a in acts if a.authority_code == code and a.act_type == "delisting"]
        listings |= _assign(candidates, listing_acts, _listing_key)
        delistings |= _assign(
            candidates,
            delisting_acts,
            functools.partial(_delisting_key, listings=listings),
        )
    matches = {}
    for index in sorted(set(listings) | set(delistings)):
        listing, listing_why = listings.get(index, (None, None))
        delisting, delisting_why = delistings.get(index, (None, None))
        basis = "; ".join(why for why in (listing_why, delisting_why) if why)
        matches[index] = Match(listing, delisting, basis)
    return matches


def _assign(rows, acts, key) -> dict[int, tuple[OfficialAct, str]]:
    """Each act to at most one row and each row at most one act, best pairs first; ``key``
    gives a pair's sort key and reason, or None when the pair cannot match."""
    pairs = []
    for row in rows:
        for act in acts:
            scored = key(row, act)
            if scored is not None:
                sort_key, why = scored
                pairs.append((sort_key, act.official_date, act.act_id, row.index, act, why))
    pairs.sort(key=lambda p: p[:4])
    chosen: dict[int, tuple[OfficialAct, str]] = {}
    used: set[str] = set()
    for *_, index, act, why in pairs:
        if index in chosen or act.act_id in used:
            continue
        chosen[index] = (act, why)
        used.add(act.act_id)
    return chosen


def names_program(text: str, program: str) -> bool:
    """True when the row's words contain a phrase of the act's program (two words or more)."""
    words = " ".join(WORD_RE.findall(text.lower()))
    for phrase in PROGRAM_PHRASE_SPLIT_RE.split(program):
        phrase_words = WORD_RE.findall(phrase.lower())
        if len(phrase_words) >= MIN_PHRASE_WORDS and f" {' '.join(phrase_words)} " in f" {words} ":
            return True
    return False


def _listing_key(row: Row, act: OfficialAct):
    named = names_program(row.text, act.program)
    program = f"the row names its program ({act.program})" if named else None
    if row.listed_on is not None:
        days = row.listed_on.days_from(act.official_date)
        where = (
            f"its date lies within the article's {row.listed_on}"
            if days == 0
            else f"nearest to the article's {row.listed_on} ({_days(days)} apart)"
        )
        why = f"listing act {act.act_id}: " + (f"{program}; {where}" if program else where)
        return (not named, 0, days), why
    if row.delisted_on is not None and act.official_date > row.delisted_on.last:
        return None  # a listing cannot follow the delisting the row states
    why = f"listing act {act.act_id}: " + (
        program or "the article gives no listing date; the earliest listing act still free"
    )
    return (not named, 1, 0), why


def _delisting_key(row: Row, act: OfficialAct, listings: dict[int, tuple[OfficialAct, str]]):
    listing = listings.get(row.index)
    if listing is not None and act.official_date < listing[0].official_date:
        return None  # a delisting ends a listing that came before it
    if listing is None and row.listed_on is not None and act.official_date < row.listed_on.first:
        return None
    other_program = listing is not None and act.program != listing[0].program
    program = (
        ""
        if listing is None
        else ("another program than its listing act, " if other_program else "the same program, ")
    )
    if row.delisted_on is not None:
        days = row.delisted_on.days_from(act.official_date)
        where = (
            f"within the article's {row.delisted_on}"
            if days == 0
            else f"nearest to the article's {row.delisted_on} ({_days(days)} apart)"
        )
        return (other_program, 0, days), f"delisting act {act.act_id}: {program}{where}"
    why = f"delisting act {act.act_id}: {program}the article gives no delisting date"
    return (other_program, 1, 0), why


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def _compare(
    row: Row, listing: OfficialAct | None, delisting: OfficialAct | None
) -> tuple[bool | None, list[Finding]]:
    verdicts: list[bool] = []
    findings: list[Finding] = []
    if listing is not None and row.listed_on is not None:
        agrees = row.listed_on.agrees_with(listing.official_date)
        verdicts.append(agrees)
        if not agrees:
            findings.append(_conflict(row, "listing", str(row.listed_on), listing))
    if delisting is not None:
        if row.delisted_on is not None:
            agrees = row.delisted_on.agrees_with(delisting.official_date)
            verdicts.append(agrees)
            if not agrees:
                findings.append(_conflict(row, "delisting", str(row.delisted_on), delisting))
        elif row.status == "current":
            verdicts.append(False)
            findings.append(_conflict(row, "delisting", "that it is still listed", delisting))
        else:
            findings.append(_missing(delisting, row))
    return (all(verdicts) if verdicts else None), findings


def _act_words(act: OfficialAct) -> str:
    return (
        f"{format_date(act.official_date)} ({act.act_type} act {act.act_id}: {act.instrument}, "
        f"{act.url})"
    )


def _conflict(row: Row, event: str, article_says: str, act: OfficialAct) -> Finding:
    return Finding(
        kind="record_conflict",
        table=TABLE,
        detail=f"{row.authority} {event} ({row.designation_id}): the article says "
        f"{article_says} on line {row.source_line} but the official record says "
        f"{_act_words(act)}.",
        source_line=row.source_line,
    )


def _missing(act: OfficialAct, row: Row | None) -> Finding:
    where = (
        f"; the article's {row.authority} row on line {row.source_line} does not mention it"
        if row is not None
        else "; the article names no such designation"
    )
    return Finding(
        kind="record_missing",
        table=TABLE,
        detail=f"The official record holds a {act.act_type} by {act.authority} "
        f"({act.program}) on {_act_words(act)}{where}.",
        source_line=row.source_line if row is not None else None,
    )
