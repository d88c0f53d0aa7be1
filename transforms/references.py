"""references and notes: the article's numbered lists, parsed into fields.

In the flattened text each list item is a line "  12. ^ a b Author (2001). "Title". Work.":
the number, a caret, the backlink letters (one per place that cites it), then the citation.
The lists follow the body; when there are several, the last is the reference list and the
earlier ones are explanatory notes (cited as ``[note n]``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import pandas as pd

from transforms.citations import reference_numbers
from transforms.dates import find_dates, parse_date
from transforms.document import Document
from transforms.schema import NOTES, REFERENCES, to_frame

LIST_ITEM_RE = re.compile(
    r"^\s*(?P<number>\d{1,4})\.\s+\^\s*(?P<backlinks>(?:[a-z]{1,2}\s+)*)(?P<text>.*)$"
)
SHORT_CITATION_RE = re.compile(
    r"^(?P<authors>[A-Z][\w'’.-]+(?:\s+(?:&|and)\s+[A-Z][\w'’.-]+)?(?:\s+et al\.)?)\s+"
    r"(?P<year>\d{4})[a-z]?(?:,\s*(?P<pages>pp?\.\s*.+?|page\s+\S+))?\.?$"
)
AUTHORS_DATE_RE = re.compile(r"^(?P<authors>[^\"“(]{2,120}?)\s*\((?P<date>[^)]*?\d{4}[^)]*)\)")
QUOTED_TITLE_RE = re.compile(r"[\"“](?P<title>.+?)[\"”](?=[.,;:\s]|$)")
ISBN_RE = re.compile(r"ISBN(?:-1[03])?:?\s*(?P<isbn>[\dXx][\d\sXx-]{8,16}[\dXx])")
DOI_RE = re.compile(r"\bdoi:\s*(?P<doi>10\.\S+?)(?=[.,]?\s|[.,]?$)", re.I)
PAGES_RE = re.compile(r"(?<![\w])(?P<pages>pp?\.\s*[\dA-Za-z][\d\s,–—-]*[\dA-Za-z]?)(?=[.,]|\s|$)")
RETRIEVED_RE = re.compile(r"\b[Rr]etrieved(?: on)?\s+(?P<date>[^.;]+?\d{4})")
ARCHIVED_RE = re.compile(r"\b[Aa]rchived\b|\barchive\.org\b|\bWayback\b")
ARCHIVED_ON_RE = re.compile(r"\b[Aa]rchived from the original on\s+[^.,;]+?\d{4}")
NOT_ISBN_CHARACTER_RE = re.compile(r"[^\dXx]")
# A CS1 field runs to the first ". ", ", " or " (".
FIRST_SEGMENT_RE = re.compile(r"(?P<segment>.+?)(?:[.,](?:\s|$)|\s+\(|$)")
NOT_A_SEGMENT_RE = re.compile(r"^(?:ISBN|doi|pp?\.|[Rr]etrieved|[Aa]rchived|\d)")
# A segment this short with a date in it is the date field, not a title or work.
SHORT_DATE_SEGMENT_CHARS = 20
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
    """Parse one reference's text into fields; absent fields are None."""
    fields: dict = {
        "authors": None,
        "year": None,
        "title": None,
        "work": None,
        "published_on": None,
        "isbn": None,
        "doi": None,
        "pages": None,
        "retrieved_on": None,
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
    # Substring tests first: each field appears in a minority of references.
    if "ISBN" in text and (isbn := ISBN_RE.search(text)) is not None:
        fields["isbn"] = NOT_ISBN_CHARACTER_RE.sub("", isbn["isbn"]).upper()
    if "doi" in text.lower() and (doi := DOI_RE.search(text)) is not None:
        fields["doi"] = doi["doi"]
    if "p." in text and (pages := PAGES_RE.search(text)) is not None:
        fields["pages"] = pages["pages"].strip(" ,")
    if "etrieved" in text and (retrieved := RETRIEVED_RE.search(text)) is not None:
        date = parse_date(retrieved["date"])
        fields["retrieved_on"] = date.value if date and date.precision == "day" else None
    rest = text
    if (head := AUTHORS_DATE_RE.match(text)) is not None:
        fields["authors"] = head["authors"].strip(" ,.")
        date = parse_date(head["date"])
        fields["published_on"] = date
        rest = text[head.end() :].lstrip(" .,")
    if (title := QUOTED_TITLE_RE.search(rest)) is not None:
        fields["title"] = title["title"].strip()
        after = rest[title.end() :].lstrip(" .,")
        fields["work"] = _first_segment(after)
        if fields["published_on"] is None:
            fields["published_on"] = _publication_date(after)
    else:
        fields["title"] = _first_segment(rest)
        after = rest[len(fields["title"] or "") :].lstrip(" .,")
        fields["work"] = _first_segment(after)
    if fields["published_on"] is not None:
        fields["year"] = fields["published_on"].value.year
    return fields


def _first_segment(text: str) -> str | None:
    """Up to the first '. ' or ', ' that ends a CS1 field; None for a date or identifier."""
    match = FIRST_SEGMENT_RE.match(text)
    if not match:
        return None
    segment = match["segment"].strip()
    if not segment or NOT_A_SEGMENT_RE.match(segment):
        return None
    if len(segment) < SHORT_DATE_SEGMENT_CHARS and find_dates(segment):
        return None
    return segment


def _is_archived(text: str) -> bool:
    if "rchive" not in text and "Wayback" not in text:
        return False
    return ARCHIVED_RE.search(text) is not None


def _publication_date(text: str):
    """A date standing as its own field, not a retrieved or archived date."""
    cleaned = RETRIEVED_RE.sub("", ARCHIVED_ON_RE.sub("", text))
    dates = find_dates(cleaned)
    return dates[0] if dates else None


def _short_key(authors: str) -> str:
    return AUTHOR_SEPARATOR_RE.split(authors.strip())[0].lower()


def extract_references(document: Document) -> pd.DataFrame:
    _, items = split_lists(document)
    counts, _ = body_citation_counts(document)
    parsed = [(item, parse_reference(item.text)) for item in items]
    full_works = {}
    for item, fields in parsed:
        if not fields["is_short_citation"] and fields["authors"] and fields["year"]:
            full_works.setdefault((_short_key(fields["authors"]), fields["year"]), item.number)
    records = []
    for item, fields in parsed:
        published = fields.pop("published_on")
        full = None
        if fields["is_short_citation"]:
            full = full_works.get((_short_key(fields["authors"]), fields["year"]))
        records.append(
            {
                "ref_number": item.number,
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
    return to_frame(REFERENCES, records)


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
                "cited_count": counts.get(f"note {item.number}", 0),
                "source_line": item.line,
            }
            for item in items
        ),
    )
