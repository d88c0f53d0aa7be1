"""references and notes: the article's numbered lists, parsed into fields.

In the flattened text each list item is a line "  12. ^ a b Author (2001). "Title". Work.":
the number, a caret, the backlink letters (one per place that cites it), then the citation.
The lists follow the body; when there are several, the last is the reference list and the
earlier ones are explanatory notes (cited as ``[note n]``).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import pandas as pd

from transforms.citations import reference_numbers
from transforms.dates import ANY_YEAR_RE, PartialDate, find_dates, parse_date
from transforms.document import Document
from transforms.ref_keys import base_key, keys_for, unique_keys
from transforms.schema import NOTES, REFERENCES, to_frame

LIST_ITEM_RE = re.compile(
    r"^\s*(?P<number>\d{1,4})\.\s+\^\s*(?P<backlinks>(?:[a-z]{1,2}\s+)*)(?P<text>.*)$"
)
SHORT_CITATION_RE = re.compile(
    r"^(?P<authors>[A-Z][\w'’.-]+(?:\s+(?:&|and)\s+[A-Z][\w'’.-]+)?(?:\s+et al\.)?)\s+"
    r"(?P<year>\d{4})[a-z]?(?:,\s*(?P<pages>(?:pp?\.|pages?)\s*.+?))?\.?$"
)
# What Wikipedia appends to a rendered citation that no template field holds.
MAINTENANCE_RE = re.compile(
    r"\s*(?:\[(?:permanent )?dead link\]|Cite error:.*$|CS1 maint:.*$)", re.DOTALL
)
# CS1 renders |format=, |language=, |edition= and |type= in parentheses after the title.
FORMAT_MARK_RE = re.compile(
    r"\s+\((?:PDF|in [A-Z][\w]+(?: and [A-Z]\w+)?|[^()]*\w ed\.|[^()]*\b(?:thesis|briefing))\)"
)
# "Last, First (Date)." (CS1) or "Last, First (Date)," (CS2 {{citation}}), an original
# date in brackets after it allowed: the authors and the publication date.
HEAD_RE = re.compile(
    r"^(?P<authors>[^\"“‘(]{2,200}?)\s*\((?P<date>[^()]*?\d{4}[^()]*)\)(?:\s*\[[^\]]*\])?"
    r"(?P<separator>[.,])(?:\s+|$)"
)
# "Last, First. "Title"": authors with no date before a quoted title.
AUTHORS_ONLY_RE = re.compile(r"^(?P<authors>[^\"“\d(]{2,60}?)[.,]\s+(?=[\"“])")
# Editors in front of the title ("Rania El Gamal; David Stamp (eds.). "Title"").
LEADING_EDITORS_RE = re.compile(r"^[^\"“]{2,120}?\s\(eds?\.\)[.,]\s+")
INITIAL_END_RE = re.compile(r"(?<![^\s.])[A-Z]$")
EDITOR_MARK_RE = re.compile(r",?\s+eds?\.$")
# A quoted title (CS1 puts articles and chapters in quotes): it closes at a quote followed by
# the field separator, or after end punctuation ("… in U.S." The New York Times).
QUOTED_TITLE_RE = re.compile(
    r"^[\"“](?P<title>.+?)(?:[\"”](?=[.,](?:\s|$)|$)|(?<=[.?!])[\"”](?=\s))"
)
DATE_PATTERN = (
    r"(?:\d{1,2} [A-Z][a-z]+\.? \d{4}|[A-Z][a-z]+\.? \d{1,2}, \d{4}|\d{4}-\d\d-\d\d"
    r"|[A-Z][a-z]+ \d{4}|\d{4})"
)
# The fields CS1 renders after the title, work and publisher, in their rendered wording.
# Each alternative is one field; a citation's fields follow each other separated by ". " or
# ", ", and whatever follows the last of them is a quotation, not a field.
TRAILING_FIELD_RE = re.compile(
    r"(?P<pages>(?:pp?\.|pages?)\s?(?:[\d]+|[A-Z][.-]?\d+|[ivxlc]+\b)[\w–—−-]*(?:,\s?\d[\w–—−-]*)*)"
    r"|(?P<volume>\d{1,4})\s?\((?P<issue>[^()]*\d[^()]*)\)(?::\s?(?P<issue_pages>\d[\w–—−-]*))?"
    r"|(?P<volume_only>\d{1,4}):\s?(?P<volume_pages>\d[\w–—−-]*)"
    r"|ISBN(?:-1[03])?:?\s?(?P<isbn>[\dXx][\d\sXx-]{8,16}[\dXx])"
    r"|doi:\s?(?P<doi>10\.\S+?)(?=[.,]?(?:\s|$))(?:\s\([^)]*\))?"
    r"|(?:ISSN|S2CID|JSTOR|OCLC|PMID|ASIN|Bibcode)\s\S+?(?=[.,]?(?:\s|$))"
    rf"|[Aa]rchived from the original(?: \(PDF\))? on (?P<archived_on>{DATE_PATTERN})"
    rf"|Archived (?P<wayback_on>{DATE_PATTERN}) at the Wayback Machine"
    rf"|[Rr]etrieved(?: on)? (?P<retrieved_on>{DATE_PATTERN})"
    r"|–\s?via\b(?:\s[^.,]+)?"
    rf"|(?P<date>{DATE_PATTERN})(?:\s\[[^\]]*\])?(?=[.,](?:\s|$)|$)"
)
LEADING_WAYBACK_RE = re.compile(
    rf"^Archived (?P<archived_on>{DATE_PATTERN}) at the Wayback Machine\s*\|?\s*"
)
# Where the first trailing field starts (a bare date is no start: it is a field of its own
# before them).
TRAILING_START_RE = re.compile(
    r"(?:(?<=\s)|^)(?:(?:pp?\.|pages?)\s?(?:\d|[A-Z][.-]?\d|[ivxlc]+\b)|\d{1,4}\s?\([^()]*\d[^()]*\)"
    r"|\d{1,4}:\s?\d|ISBN|ISSN\s|doi:|S2CID\s|JSTOR\s|OCLC\s|ASIN\s|[Aa]rchived\b"
    r"|[Rr]etrieved\b|–\s?via\b)"
)
STRAY_FIELDS = (
    ("isbn", "ISBN", re.compile(r"\bISBN(?:-1[03])?:?\s?(?P<isbn>[\dXx][\d\sXx-]{8,16}[\dXx])")),
    ("doi", "doi:", re.compile(r"\bdoi:\s?(?P<doi>10\.\S+?)(?=[.,]?(?:\s|$))")),
    (
        "retrieved_on",
        "etrieved",
        re.compile(rf"\b[Rr]etrieved(?: on)? (?P<retrieved_on>{DATE_PATTERN})"),
    ),
    (
        "archived_on",
        "rchived",
        re.compile(
            rf"\b[Aa]rchived from the original(?: \(PDF\))? on (?P<archived_on>{DATE_PATTERN})"
        ),
    ),
)
FIELD_GAP_RE = re.compile(r"[.,;]?\s*")
# Abbreviations that end in a period without ending a CS1 field.
ABBREVIATION_RE = re.compile(
    r"(?<![^\s(])(?:[A-Z]|(?:[A-Z]\.)+[A-Z]|Inc|Ltd|Co|Corp|Jr|Sr|St|Dr|Mr|Mrs|Univ|No|Vol|Fasc"
    r"|eds?|Bros)$"
)
CONJUNCTION_START_RE = re.compile(r"^(?:and|or|&)\s")
CS1_SEPARATOR_RE = re.compile(r"\.\s+")
CS2_SEPARATOR_RE = re.compile(r",\s+(?!(?:Inc|Ltd|Jr|Sr)\b)")
EDITOR_SEGMENT_RE = re.compile(r"^(?:[Ii]n\s+)?[^()]+\(eds?\.\)$")
VOLUME_SEGMENT_RE = re.compile(r"^(?:Vol(?:\.|ume)\s*)?(?P<volume>\d{1,4}|[IVXLC]+)$")
ISSUE_SEGMENT_RE = re.compile(r"^(?:No\.|Fasc\.|Issue)\s*(?P<issue>\S+)$")
WORK_PAGES_RE = re.compile(r"^(?P<work>.+?):\s?(?P<pages>\d[\d–—−-]*)$")
LOCATION_RE = re.compile(r"^[^:\d]{2,40}:\s+(?P<publisher>.+)$")
# A segment is a date when the date is all of it but for a few characters ("2008 [Q1]").
DATE_SEGMENT_SLACK = 5
DATE_SEGMENT_MAX_CHARS = 40
QUOTATION_MIN_WORDS = 4
ARCHIVED_RE = re.compile(r"\b[Aa]rchived\b|\barchive\.org\b|\bWayback\b")
NOT_ISBN_CHARACTER_RE = re.compile(r"[^\dXx]")
AUTHOR_SEPARATOR_RE = re.compile(r"[\s,;&]")


@dataclass(frozen=True)
class ListItem:
    number: int
    text: str
    backlink_count: int
    line: int


def reference_lists(document: Document) -> list[list[ListItem]]:
    """Each numbered list after the body, in order; a list restarts when numbering does."""
    lists: list[list[ListItem]] = []
    for number, text in document.numbered_lines(document.body_end + 1):
        match = LIST_ITEM_RE.match(text)
        if not match:
            continue
        backlinks = match["backlinks"].split()
        text = match["text"].strip()
        if not _is_backlink_sequence(backlinks):  # "^ de Boer, T." starts with a name
            text = f"{match['backlinks']}{match['text']}".strip()
            backlinks = []
        item = ListItem(
            number=int(match["number"]),
            text=text,
            backlink_count=max(1, len(backlinks)),
            line=number,
        )
        if not lists or item.number <= lists[-1][-1].number:
            lists.append([])
        lists[-1].append(item)
    return lists


def _backlink_label(index: int) -> str:
    """Wikipedia's backlink letters: a … z, then aa, ab, …"""
    letters = "abcdefghijklmnopqrstuvwxyz"
    if index < len(letters):
        return letters[index]
    return letters[index // len(letters) - 1] + letters[index % len(letters)]


def _is_backlink_sequence(tokens: list[str]) -> bool:
    """Backlinks appear only for a reference cited twice or more, always as a, b, c, …"""
    if not tokens:
        return True
    return len(tokens) >= 2 and tokens == [_backlink_label(i) for i in range(len(tokens))]


def split_lists(document: Document) -> tuple[list[ListItem], list[ListItem]]:
    """(notes, references): the last list is the references, earlier ones are notes."""
    return document.memo("split_lists", lambda: _split_lists(document))


def _split_lists(document: Document) -> tuple[list[ListItem], list[ListItem]]:
    lists = reference_lists(document)
    if not lists:
        return [], []
    notes = [item for items in lists[:-1] for item in items]
    return notes, lists[-1]


def body_citation_counts(document: Document) -> tuple[Counter[int], Counter[str]]:
    """How often each reference number and each note label is cited in the body."""
    return document.memo("body_citation_counts", lambda: _body_citation_counts(document))


def _body_citation_counts(document: Document) -> tuple[Counter[int], Counter[str]]:
    references: Counter[int] = Counter()
    notes: Counter[str] = Counter()
    for _, citation in document.body_citations():
        if citation.kind == "reference":
            references[citation.number] += 1
        elif citation.kind == "note":
            notes[citation.label] += 1
    return references, notes


def parse_reference(text: str) -> dict:
    """Parse one rendered citation into its fields; absent fields are None.

    Reads the layout Wikipedia's citation templates (Module:Citation/CS1) give a citation:
    ``Last, First (Date). "Title". Work. Location: Publisher. Volume (Issue): pages. p. N.
    ISBN …. doi:…. Archived from the original on …. Retrieved ….`` with ". " between
    fields (CS1), or the same with ", " and lower-case "retrieved" (CS2, {{citation}}).
    A book's title is italic, so unquoted in text, and may hold commas and colons: it is
    the whole field up to the separator, never cut at a comma in CS1. Short citations
    ("Abrahamian 1989, p. 1.") keep authors, year and pages.
    """
    fields: dict = {
        "authors": None,
        "year": None,
        "title": None,
        "work": None,
        "publisher": None,
        "volume": None,
        "issue": None,
        "published_on": None,
        "isbn": None,
        "doi": None,
        "pages": None,
        "retrieved_on": None,
        "archived_on": None,
        "archived": _is_archived(text),
        "is_short_citation": False,
    }
    short = SHORT_CITATION_RE.match(text)
    if short:
        fields.update(
            authors=short["authors"],
            year=int(short["year"]),
            pages=short["pages"],
            is_short_citation=True,
        )
        return fields
    body = text.strip()
    if "link]" in body or "Cite error" in body or "CS1 maint" in body:
        body = MAINTENANCE_RE.sub("", body).strip()
    if (
        body.startswith("Archived") and (wayback := LEADING_WAYBACK_RE.match(body)) is not None
    ):  # {{Webarchive}} put first
        fields["archived_on"] = _day(wayback["archived_on"])
        body = body[wayback.end() :]
    separator = None
    if (head := HEAD_RE.match(body)) is not None:
        fields["authors"] = _authors(head["authors"])
        fields["published_on"] = parse_date(head["date"])
        separator = head["separator"]
        body = body[head.end() :]
    elif (authors := AUTHORS_ONLY_RE.match(body)) is not None:
        names = authors["authors"]
        if INITIAL_END_RE.search(names):  # "Hersh, Seymour M. "Title"": the initial's period
            names += "."
        fields["authors"] = _authors(names)
        body = body[authors.end() :]
    if "(ed" in body:
        body = LEADING_EDITORS_RE.sub("", body, count=1)
    if " (" in body:
        body = FORMAT_MARK_RE.sub("", body)
    quoted = QUOTED_TITLE_RE.match(body)
    if quoted is not None:
        fields["title"] = quoted["title"].strip()
        rest = body[quoted.end() :]
        if separator is None and rest.startswith(","):
            separator = ","
        rest = rest.lstrip(" .,")
    else:
        rest = body
    if separator is None:
        separator = "," if _is_cs2(rest) else "."
    start = TRAILING_START_RE.search(rest)
    descriptive = rest[: start.start()] if start else rest
    if start is not None:
        _read_trailing_fields(rest, start.start(), fields)
    _read_stray_identifiers(rest, fields)
    segments = _segments(descriptive, separator)
    _assign_segments(segments, fields, has_quoted_title=quoted is not None, cs2=separator == ",")
    if fields["published_on"] is not None:
        fields["year"] = fields["published_on"].value.year
    return fields


def _is_cs2(text: str) -> bool:
    """{{citation}} (CS2) separates fields with commas and writes "retrieved" in lower case."""
    if ", retrieved " in text or ", archived from" in text:
        return True
    return ", " in text and len(_segments(text, ".")) == 1


def _authors(text: str) -> str | None:
    """The credited names as written, without the separator or an editors' mark."""
    authors = EDITOR_MARK_RE.sub("", text.strip().rstrip(",;"))
    if authors.endswith(".") and not ABBREVIATION_RE.search(authors[:-1]):
        authors = authors[:-1]
    return authors.strip() or None


def _read_trailing_fields(text: str, position: int, fields: dict) -> None:
    """Pages, volume and issue, identifiers, archive and retrieval dates, one after the other
    from ``position``; stops at the first text that is no field (a quotation)."""
    while position < len(text):
        match = TRAILING_FIELD_RE.match(text, position)
        if match is None:
            return
        groups = match.groupdict()
        if groups["pages"] and fields["pages"] is None:
            fields["pages"] = groups["pages"].rstrip(",")
        elif groups["volume"] or groups["volume_only"]:
            fields["volume"] = fields["volume"] or groups["volume"] or groups["volume_only"]
            fields["issue"] = fields["issue"] or groups["issue"]
            fields["pages"] = fields["pages"] or groups["issue_pages"] or groups["volume_pages"]
        elif groups["isbn"] and fields["isbn"] is None:
            fields["isbn"] = NOT_ISBN_CHARACTER_RE.sub("", groups["isbn"]).upper()
        elif groups["doi"] and fields["doi"] is None:
            fields["doi"] = groups["doi"]
        elif groups["archived_on"] or groups["wayback_on"]:
            fields["archived_on"] = _day(groups["archived_on"] or groups["wayback_on"])
        elif groups["retrieved_on"]:
            fields["retrieved_on"] = _day(groups["retrieved_on"])
        elif groups["date"] and fields["published_on"] is None:
            fields["published_on"] = parse_date(groups["date"])
        position = FIELD_GAP_RE.match(text, match.end()).end()


def _read_stray_identifiers(text: str, fields: dict) -> None:
    """Identifiers and dates out of CS1's order ("…, p. 193. ABC-CLIO. ISBN …"): their
    wording is unambiguous wherever they stand, so they are read anywhere."""
    for key, literal, pattern in STRAY_FIELDS:
        if fields[key] is None and literal in text and (match := pattern.search(text)):
            value = match[key]
            if key == "isbn":
                fields[key] = NOT_ISBN_CHARACTER_RE.sub("", value).upper()
            elif key == "doi":
                fields[key] = value
            else:
                fields[key] = _day(value)


def _day(text: str) -> dt.date | None:
    date = parse_date(text)
    return date.value if date is not None and date.precision == "day" else None


def _segments(text: str, separator: str) -> list[str]:
    """The descriptive fields: split at ". " (CS1) unless the period ends an abbreviation or
    an initial, or at ", " (CS2)."""
    text = text.strip().rstrip(",").strip()
    if text.endswith(".") and not ABBREVIATION_RE.search(text, 0, len(text) - 1):
        text = text[:-1]
    if not text:
        return []
    if separator == ",":
        return [s.strip() for s in CS2_SEPARATOR_RE.split(text) if s.strip()]
    segments, begin = [], 0
    for match in CS1_SEPARATOR_RE.finditer(text):
        if ABBREVIATION_RE.search(text, begin, match.start()):
            continue
        segments.append(text[begin : match.start()])
        begin = match.end()
    segments.append(text[begin:])
    return [s.strip() for s in segments if s.strip()]


def _assign_segments(
    segments: list[str], fields: dict, *, has_quoted_title: bool, cs2: bool
) -> None:
    """Title, work, publisher, volume, issue and date from the descriptive fields, in CS1's
    order: [title], work (for a quoted article or chapter), series, volume, publisher, date.
    Nothing descriptive follows a date standing as its own field."""
    texts: list[str] = []
    for segment in segments:
        if EDITOR_SEGMENT_RE.match(segment):
            continue
        if _is_quotation(segment):
            break
        date = _date_segment(segment)
        if date is not None:
            if fields["published_on"] is None:
                fields["published_on"] = date
            break
        if (volume := VOLUME_SEGMENT_RE.match(segment)) is not None and (texts or has_quoted_title):
            fields["volume"] = fields["volume"] or volume["volume"]
            continue
        if (issue := ISSUE_SEGMENT_RE.match(segment)) is not None:
            fields["issue"] = fields["issue"] or issue["issue"]
            continue
        texts.append(segment)
    if not texts:
        return
    if not has_quoted_title:
        title_end = _cs2_title_end(texts) if cs2 else 1
        fields["title"] = ", ".join(texts[:title_end])
        others = texts[title_end:]
    else:
        fields["work"] = texts[0]
        others = texts[1:]
        # A magazine cited by page alone: "The New Yorker: 48."
        if fields["pages"] is None and (paged := WORK_PAGES_RE.match(texts[0])) is not None:
            fields["work"], fields["pages"] = paged["work"], paged["pages"]
    if others:
        fields["publisher"] = _publisher(others)


def _cs2_title_end(texts: list[str]) -> int:
    """How many comma-separated pieces an italic CS2 title spans: commas of its own join
    pieces that continue it (a lower-case start), that end an enumeration ("…, Feminism,
    and Gender Inequality…"), or that follow a one-word title or subtitle ("Media, …",
    "…: Sanctions, Wars and …"). The last piece is left to the publisher."""
    last = len(texts) - 1
    end = 1
    for index in range(1, last):
        if CONJUNCTION_START_RE.match(texts[index]):
            end = index + 1
    while end < last:
        one_word = len(texts[end - 1].rsplit(": ", 1)[-1].split()) == 1
        if not (texts[end][:1].islower() or (one_word and (end == 1 or ": " in texts[end - 1]))):
            break
        end += 1
    return end


def _is_quotation(segment: str) -> bool:
    """Words quoted from the source after the citation: a lower-case start and the length
    of a clause (a lower-case site name such as "tasnimnews" is one word)."""
    if CONJUNCTION_START_RE.match(segment):  # the end of a title's enumeration
        return False
    return segment[:1].islower() and len(segment.split()) > QUOTATION_MIN_WORDS


def _publisher(segments: list[str]) -> str:
    """The last descriptive field, or all from a "Location: Publisher" field on."""
    for index in range(len(segments) - 1, -1, -1):
        if (located := LOCATION_RE.match(segments[index])) is not None:
            return ", ".join([located["publisher"], *segments[index + 1 :]])
    return segments[-1]


def _date_segment(segment: str) -> PartialDate | None:
    if len(segment) > DATE_SEGMENT_MAX_CHARS or not ANY_YEAR_RE.search(segment):
        return None  # most segments are names and titles: skip the date patterns
    dates = find_dates(segment)
    if len(dates) != 1:
        return None
    date = dates[0]
    return date if len(segment) - (date.end - date.start) <= DATE_SEGMENT_SLACK else None


def _is_archived(text: str) -> bool:
    if "rchive" not in text and "Wayback" not in text:
        return False
    return ARCHIVED_RE.search(text) is not None


def _short_key(authors: str) -> str:
    return AUTHOR_SEPARATOR_RE.split(authors.strip())[0].lower()


# Parsed references and their base keys by text, kept across documents: consecutive revisions
# of a history share almost every reference, and a revision's claims need every reference's key.
# Bounded, so a worker's memory does not grow with the history's length.
PARSE_CACHE_SIZE = 4096


@functools.lru_cache(maxsize=PARSE_CACHE_SIZE)
def _parsed(text: str) -> Mapping[str, Any]:
    return MappingProxyType(parse_reference(text))


@functools.lru_cache(maxsize=PARSE_CACHE_SIZE)
def _base_key(text: str, name: str | None, links: tuple[str, ...]) -> str:
    return base_key(_parsed(text), text, name=name, links=links)


def parsed_references(document: Document) -> list[tuple[ListItem, Mapping[str, Any]]]:
    """Each item of the reference list with its parsed fields (read-only), parsed once per
    text (the references table and every row's citation_keys read them)."""
    return document.memo(
        "parsed_references",
        lambda: [(item, _parsed(item.text)) for item in split_lists(document)[1]],
    )


def reference_keys(document: Document) -> dict[int, str]:
    """ref_key of each reference number (transforms/ref_keys.py), unique within the document.
    A number shown twice (a list restarted by a broken template) keeps its first entry's key,
    as citations resolve to the first."""

    def compute() -> dict[int, str]:
        result: dict[int, str] = {}
        for (item, _), key in zip(parsed_references(document), item_keys(document), strict=True):
            result.setdefault(item.number, key)
        return result

    return document.memo("reference_keys", compute)


def item_keys(document: Document) -> list[str]:
    """ref_key of each item of the reference list, in order."""
    return document.memo("reference_item_keys", lambda: _item_keys(document))


def _item_keys(document: Document) -> list[str]:
    parsed = parsed_references(document)
    keys = []
    for item, _ in parsed:
        anchor = document.reference_anchor(item.line)
        keys.append(
            _base_key(item.text, anchor.name if anchor else None, anchor.links if anchor else ())
        )
    return unique_keys(keys, [fields["pages"] for _, fields in parsed])


def ref_key_list(document: Document, numbers) -> list[str]:
    """The ref_keys of cited reference numbers, in their order (``missing:<n>`` for a number
    the reference list lacks)."""
    return keys_for(numbers, reference_keys(document))


# Each list of reference numbers a row may carry, and the column holding the same by key.
CITATION_KEY_COLUMNS = {
    "citations": "citation_keys",
    "enrichment_citations": "enrichment_citation_keys",
}


def with_citation_keys(document: Document, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with each citation list's key column filled from the numbers, same order."""
    keys = reference_keys(document)
    for numbers, key_column in CITATION_KEY_COLUMNS.items():
        if numbers in frame.columns and key_column in frame.columns:
            frame[key_column] = pd.Series(
                [keys_for(values, keys) for values in frame[numbers]],
                index=frame.index,
                dtype="object",
            )
    return frame


def extract_references(document: Document) -> pd.DataFrame:
    return to_frame(REFERENCES, reference_rows(document))


def reference_rows(document: Document) -> list[dict[str, Any]]:
    """The references table's rows before it is a frame (a history keys them as they are)."""
    counts, _ = body_citation_counts(document)
    parsed = [(item, dict(fields)) for item, fields in parsed_references(document)]
    keys = item_keys(document)
    full_works = {}
    for item, fields in parsed:
        if not fields["is_short_citation"] and fields["authors"] and fields["year"]:
            full_works.setdefault((_short_key(fields["authors"]), fields["year"]), item.number)
    records = []
    for (item, fields), key in zip(parsed, keys, strict=True):
        published = fields.pop("published_on")
        full = None
        if fields["is_short_citation"]:
            full = full_works.get((_short_key(fields["authors"]), fields["year"]))
        records.append(
            {
                "ref_number": item.number,
                "ref_key": key,
                "text": item.text or None,
                **fields,
                "published_on": published.value if published else None,
                "published_on_precision": published.precision if published else None,
                "full_ref_number": full,
                "backlink_count": item.backlink_count,
                "cited_count": counts.get(item.number, 0),
                "source_line": item.line,
            }
        )
    return records


def extract_notes(document: Document) -> pd.DataFrame:
    items, _ = split_lists(document)
    _, counts = body_citation_counts(document)
    return to_frame(
        NOTES,
        (
            {
                "note_label": f"note {item.number}",
                "text": item.text,
                "citations": reference_numbers(item.text),
                "citation_keys": ref_key_list(document, reference_numbers(item.text)),
                "cited_count": counts.get(f"note {item.number}", 0),
                "source_line": item.line,
            }
            for item in items
        ),
    )


# Cheap signals that a field is in a reference's text at all, independent of the parser: a
# literal or a simple pattern each. They over- and under-count a little (a title with "(12)"
# in it, a publisher not named in a known word); that is their job: to show how much of a
# field's absence is the text's and how much the parser's.
COVERAGE_SIGNALS: dict[str, tuple[str, re.Pattern[str]]] = {
    "authors": (
        "a name before a parenthesised year at the start, before a quoted title, or an "
        "'Author 1989, p.' short citation",
        re.compile(
            r"^(?:[^\"“(\d][^\"“(]*\([^)]*\d{4}[^)]*\)|[^\"“\d]{2,60}[.,] [\"“]"
            r"|[A-Z][\w'’.-]+(?: (?:&|and) [A-Z][\w'’.-]+)? \d{4}\b)"
        ),
    ),
    "title": ("any reference that is not a short citation", re.compile(r"\S")),
    "work": ("text after a closing quotation mark", re.compile(r"[\"”][.,]? +[^\s]")),
    "publisher": (
        "'ISBN' or a publisher word (Press, Publish…, Books, Routledge, …)",
        re.compile(r"ISBN|Press\b|Publish|Books\b|Routledge|Library\b|Institute\b|Office\b"),
    ),
    "volume": ("'N (M)' or 'N: M' after a field", re.compile(r"[.,] \d{1,4} ?(?:\(\d|: ?\d)")),
    "issue": ("'N (M)' after a field", re.compile(r"[.,] \d{1,4} ?\(\d")),
    "published_on": (
        "a year outside the 'Retrieved …' and 'Archived … on …' phrases",
        re.compile(rf"{ANY_YEAR_RE.pattern}"),
    ),
    "year": (
        "a year outside the 'Retrieved …' and 'Archived … on …' phrases",
        re.compile(rf"{ANY_YEAR_RE.pattern}"),
    ),
    "isbn": ("the literal 'ISBN'", re.compile(r"ISBN")),
    "doi": ("the literal 'doi:'", re.compile(r"doi:", re.I)),
    "pages": (
        "'p.', 'pp.' or 'page' before a number, or 'N (M): pages'",
        re.compile(r"\bp{1,2}\.\s?[\dA-Z]|\bpages? [\divx]|\): ?\d|[A-Za-z]: \d+\.?$"),
    ),
    "retrieved_on": ("the word 'Retrieved'", re.compile(r"[Rr]etrieved")),
    "archived_on": ("the word 'Archived'", re.compile(r"[Aa]rchived")),
}
DATE_PHRASE_RE = re.compile(r"(?:[Rr]etrieved|[Aa]rchived)[^.,]*?\d{4}")
SHORT_ONLY_FIELDS = {"authors", "year", "pages"}


def reference_field_coverage(references: pd.DataFrame) -> dict[str, Any]:
    """Per field: how many references show it in their text (a cheap, independent signal)
    and how many the parser read. A field read where the signal sees nothing is counted too:
    the signal missed it, or the parser invented it."""
    texts = [t if isinstance(t, str) else "" for t in references["text"]]
    short = [bool(s) for s in references["is_short_citation"].fillna(False)]
    without_dates = [DATE_PHRASE_RE.sub("", t) for t in texts]
    fields: dict[str, Any] = {}
    for field, (description, signal) in COVERAGE_SIGNALS.items():
        source = without_dates if field in ("published_on", "year") else texts
        present = [
            bool(text) and (not is_short or field in SHORT_ONLY_FIELDS) and bool(signal.search(s))
            for text, s, is_short in zip(texts, source, short, strict=True)
        ]
        if field in references:
            read = [bool(v) for v in references[field].notna()]
        else:
            read = [False] * len(texts)
        both = sum(p and r for p, r in zip(present, read, strict=True))
        fields[field] = {
            "present": sum(present),
            "read": sum(read),
            "read_where_present": both,
            "present_not_read": sum(present) - both,
            "read_without_signal": sum(read) - both,
            "signal": description,
        }
    return {
        "references": len(texts),
        "with_text": sum(bool(t) for t in texts),
        "short_citations": sum(short),
        "fields": fields,
    }
