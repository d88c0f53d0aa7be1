"""electoral_history: rebuild the flattened "Electoral history" table and enrich it from prose.

Flattened, the table reads::

    Year Election/referendum Seats won/policy References
    1979 Islamic Republic referendum Vote 'Yes' [5]
    Assembly of Experts election
    0 / 73 (0%)
    Constitutional referendum Boycott [5]

A year cell spans the rows below it until the next year; a seats cell may stand on its own
line under its election. The table is anchored on its header row (the cells Year, Election,
Seats), never on the section heading or a line number, and ends at the first blank line. Each
row is read alone (see docs/reading-tables.md): what no cell expects is the row's remark, a
row that cannot be read is an ``unreadable_row`` finding, never a value moved to its neighbour.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from transforms.citations import reference_numbers, strip_citations
from transforms.dates import find_dates
from transforms.document import Document, Sentence
from transforms.quality import Finding
from transforms.references import with_citation_keys
from transforms.schema import ELECTORAL_HISTORY, to_frame
from transforms.table_rows import join_remarks, set_aside_remarks

HEADER_RE = re.compile(r"^\s*Year\s+Election\S*.*\bSeats\b", re.I)
# The year cell; a footnote marker may follow it ("1980[a] Presidential election …").
YEAR_CELL_RE = re.compile(r"^(?P<year>(?:1[89]|20)\d\d)(?:\[[^\]\n]{1,40}\])*\s+(?P<rest>.*)$")
LEADING_YEAR_RE = re.compile(r"^(?:1[89]|20)\d\d\b")
YEAR_ALONE_RE = re.compile(r"^(?:1[89]|20)\d\d$")
# The election's name: up to its kind word; citation markers inside it are not part of it.
ELECTION_NAME_RE = re.compile(
    r"^(?P<election>.+?\b(?:referendum|elections?|by-elections?|plebiscite))\b", re.I
)
# A run of citation markers (a references cell), without capturing groups so it can split.
MARKER_CLUSTER_RE = re.compile(r"(?:\s*\[(?:\d{1,4}|note \d{1,3}|[a-z])\])+")
SEATS_RE = re.compile(
    r"(?P<won>\d+)\s*/\s*(?P<total>\d+)(?:\s*\(\s*(?P<percent>\d+(?:\.\d+)?)\s*%\s*\))?"
)
SEATS_CELL_RE = re.compile(rf"^\s*{SEATS_RE.pattern}\s*(?P<refs>(?:\[[^\]]+\]\s*)*)$")
STANCES = (
    (re.compile(r"\bboycott", re.I), "boycott"),
    (re.compile(r"\bno candidates?\b", re.I), "no candidate"),
    (re.compile(r"['‘’\"“]\s*yes\s*['‘’\"”]|\byes\b", re.I), "yes"),
    (re.compile(r"['‘’\"“]\s*no\s*['‘’\"”]", re.I), "no"),
)
ELECTION_TYPES = (
    (re.compile(r"assembly of experts", re.I), "assembly_of_experts"),
    (re.compile(r"referendum|plebiscite", re.I), "referendum"),
    (re.compile(r"presiden", re.I), "presidential"),
    (re.compile(r"parliament|legislat|majlis", re.I), "parliamentary"),
    (re.compile(r"local|council|municipal", re.I), "local"),
)
# Words every election name shares; the rest identifies which one a sentence is about.
GENERIC_WORDS = {"election", "elections", "referendum", "iranian", "the", "of", "vote"}
WORD_RE = re.compile(r"[A-Za-z]+")
VOTES_RE = re.compile(r"(?P<votes>\d{1,3}(?:,\d{3})+|\d+)\s+votes\b")
BARRED_RE = re.compile(
    r"\b(?:refused to (?:permit|allow)|prevent\w*|barred|disqualified|banned)\s+"
    r"(?P<candidate>(?:[A-Z][\w'-]+\s+){1,2}[A-Z][\w'-]+|[A-Z][\w'-]+\s+[A-Z][\w'-]+)"
)
CANDIDATE_LOST_RE = re.compile(r"\b(?:unable to win|failed to win|did not win|won no|lost)\b")
RUN_OFF_RE = re.compile(r"\brun-?offs?\b", re.I)


@dataclass
class ElectionRow:
    year: int
    election: str
    result_text: str | None
    citations: list[int]
    line: int
    quote_lines: list[str]
    seats_won: int | None = None
    seats_total: int | None = None
    stance: str | None = None
    enrichment: dict = field(default_factory=dict)
    enrichment_lines: list[int] = field(default_factory=list)
    enrichment_citations: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)  # row text no cell expects, verbatim


def extract_electoral_history(document: Document) -> pd.DataFrame:
    frame, _ = extract_electoral_history_with_findings(document)
    return frame


def extract_electoral_history_with_findings(
    document: Document,
) -> tuple[pd.DataFrame, list[Finding]]:
    findings: list[Finding] = []
    header_line = next(
        (n for n, text in document.numbered_lines(1, document.body_end) if HEADER_RE.match(text)),
        None,
    )
    if header_line is None:
        findings.append(
            Finding(
                kind="missing_section",
                table="electoral_history",
                detail="No electoral history table found: no header row with the cells "
                "'Year', 'Election…' and 'Seats…'.",
            )
        )
        return with_citation_keys(document, _to_frame([])), findings
    rows = _parse_rows(document, header_line, findings)
    table_lines = {header_line} | {r.line for r in rows}
    for row in rows:
        _enrich(row, document, table_lines)
    return with_citation_keys(document, _to_frame(rows)), findings


@dataclass
class _UnreadableLines:
    """A table row that could not be read: it keeps its slot, so a line that continues it
    is never taken for the continuation of the row above."""

    line: int
    quote_lines: list[str]
    why: str
    seats_total: None = None
    stance: None = None
    result_text: None = None


def _parse_rows(document: Document, header_line: int, findings: list[Finding]):
    """Each line alone: an optional year cell (carried down like its rowspan), the election's
    name, its result, its references. Text no cell expects (a parenthetical, a tag, a remark
    after the references) is set aside as the row's remark. A line with only a result (the
    seats cell on its own line, a row split over two lines) continues the row just above, and
    only that one; any other line that cannot be read is an ``unreadable_row`` finding."""
    rows: list[ElectionRow] = []
    entries: list[ElectionRow | _UnreadableLines] = []
    year: int | None = None
    for number, text in document.numbered_lines(header_line + 1, document.body_end):
        if not text.strip():
            break
        line = text.strip()
        aside = set_aside_remarks(line)
        cell = aside.text
        if YEAR_ALONE_RE.match(strip_citations(cell)):
            year = int(strip_citations(cell))
            continue
        year_match = YEAR_CELL_RE.match(cell)
        if year_match:
            year, cell = int(year_match["year"]), year_match["rest"]
        election = ELECTION_NAME_RE.match(cell)
        if election is None:
            last = entries[-1] if entries else None
            result, after = _result_cell(cell)
            if (
                not year_match
                and last is not None
                and last.result_text is None
                and _reads_as_result(result)
            ):
                _continue_row(last, line, result, aside.remarks + after)
                continue
            reason = "no election name (a word such as election or referendum)"
            entries.append(_UnreadableLines(number, [text.strip()], reason))
            continue
        if year is None:
            entries.append(_UnreadableLines(number, [text.strip()], "no year cell above it"))
            continue
        if LEADING_YEAR_RE.match(strip_citations(election["election"])):
            # A year cell the reader could not take as one ("1980[x]y Presidential …"): the
            # year above would be wrong for it.
            reason = "its election name starts with a year that is not read as its year cell"
            entries.append(_UnreadableLines(number, [text.strip()], reason))
            continue
        result, after = _result_cell(cell[election.end() :])
        row = ElectionRow(
            year=year,
            election=strip_citations(election["election"]).strip(),
            result_text=result or None,
            citations=reference_numbers(line),
            line=number,
            quote_lines=[text.strip()],
            remarks=aside.remarks + after,
        )
        _read_result(row, findings)
        rows.append(row)
        entries.append(row)
    for entry in entries:
        if isinstance(entry, _UnreadableLines):
            findings.append(_unreadable_finding(entry))
    return rows


def _result_cell(text: str) -> tuple[str, list[str]]:
    """The result cell from what follows the election's name, citation markers taken out, and
    the remarks after it: a seats figure ends where its percentage does; otherwise the
    result runs to the last markers (the references cell), and text after them is a remark
    (unless nothing came before them: markers right after the name)."""
    plain = _squeeze(strip_citations(text))
    if (seats := SEATS_RE.match(plain)) is not None:
        rest = plain[seats.end() :].strip(" ,;.")
        return seats.group(0), [rest] if rest else []
    clusters = list(MARKER_CLUSTER_RE.finditer(text))
    if not clusters:
        return plain, []
    last = clusters[-1]
    before = _squeeze(strip_citations(text[: last.start()]))
    after = _squeeze(text[last.end() :])
    if not before:
        return after, []
    return before, [after] if after else []


def _squeeze(text: str) -> str:
    return " ".join(text.split()).strip(" ,;")


def _reads_as_result(result: str) -> bool:
    if not result:
        return False
    if SEATS_CELL_RE.match(result):
        return True
    return any(pattern.search(result) for pattern, _ in STANCES)


def _continue_row(row, quote: str, result: str, remarks: list[str]) -> None:
    row.quote_lines.append(quote)
    if isinstance(row, _UnreadableLines):
        return  # the row it continues was not read: neither is this line
    row.result_text = result
    row.citations += [c for c in reference_numbers(quote) if c not in row.citations]
    row.remarks += remarks
    if (seats := SEATS_RE.search(result)) is not None:
        _set_seats(row, seats)
    else:
        row.stance = next((stance for pattern, stance in STANCES if pattern.search(result)), None)


def _unreadable_finding(entry: _UnreadableLines) -> Finding:
    quote = "\n".join(entry.quote_lines)
    return Finding(
        kind="unreadable_row",
        table="electoral_history",
        detail=f"Electoral history row at line {entry.line} cannot be read ({entry.why}); no "
        f"value is taken from it. Row: {quote!r}",
        source_line=entry.line,
    )


def _set_seats(row: ElectionRow, match: re.Match[str]) -> None:
    row.seats_won, row.seats_total = int(match["won"]), int(match["total"])


def _read_result(row: ElectionRow, findings: list[Finding]) -> None:
    if not row.result_text:
        return  # the seats may follow on the next line
    if (seats := SEATS_RE.search(row.result_text)) is not None:
        _set_seats(row, seats)
        return
    for pattern, stance in STANCES:
        if pattern.search(row.result_text):
            row.stance = stance
            return
    findings.append(
        Finding(
            kind="unparsed",
            table="electoral_history",
            detail=f"{row.year} {row.election}: unknown policy {row.result_text!r}",
            source_line=row.line,
        )
    )


def election_type(name: str) -> str:
    for pattern, kind in ELECTION_TYPES:
        if pattern.search(name):
            return kind
    return "other"


def _identifying_words(name: str) -> set[str]:
    return {w.lower()[:8] for w in WORD_RE.findall(name)} - {w[:8] for w in GENERIC_WORDS}


def _enrich(row: ElectionRow, document: Document, table_lines: set[int]) -> None:
    """Read what the prose says about the same election: date, candidate, votes."""
    kind = election_type(row.election)
    if kind == "other":
        return
    type_pattern = next(p for p, k in ELECTION_TYPES if k == kind)
    year = str(row.year)
    for paragraph in document.paragraphs:
        # Cheap tests on the whole paragraph first: most never name the year or the kind.
        if paragraph.line in table_lines or year not in paragraph.text:
            continue
        if not type_pattern.search(paragraph.text):
            continue
        for sentence in paragraph.sentences:
            plain = strip_citations(sentence.text)
            if not re.search(rf"\b{year}\b", plain) or not type_pattern.search(plain):
                continue
            if _is_about(row, plain, document, kind):
                _apply_sentence(row, sentence, plain)


def _is_about(row: ElectionRow, plain: str, document: Document, kind: str) -> bool:
    """With two elections of one kind in a year, the sentence must share a naming word."""
    words = _identifying_words(row.election)
    if not words or kind not in ("referendum", "other"):
        return True
    sentence_words = {w.lower()[:8] for w in WORD_RE.findall(plain)}
    return bool(words & sentence_words)


def _apply_sentence(row: ElectionRow, sentence: Sentence, plain: str) -> None:
    used = False
    year_dates = [
        d for d in find_dates(plain) if d.value.year == row.year and d.precision != "year"
    ]
    if year_dates and "held_on" not in row.enrichment:
        row.enrichment["held_on"] = year_dates[0]
        used = True
    if (barred := BARRED_RE.search(plain)) is not None:
        row.enrichment.setdefault("candidate", barred["candidate"])
        row.enrichment.setdefault("candidate_outcome", "barred")
        used = True
    if (votes := VOTES_RE.search(plain)) is not None:
        row.enrichment.setdefault("votes", int(votes["votes"].replace(",", "")))
        if CANDIDATE_LOST_RE.search(plain):
            row.enrichment.setdefault("candidate_outcome", "lost")
        used = True
    elif RUN_OFF_RE.search(plain):
        row.enrichment.setdefault("candidate_outcome", "run_off")
        used = True
    if used:
        row.enrichment_lines.append(sentence.line)
        row.enrichment_citations += [
            c for c in sentence.reference_numbers if c not in row.enrichment_citations
        ]
        row.notes.append(plain.strip())


def _to_frame(rows: list[ElectionRow]) -> pd.DataFrame:
    records = []
    for row in rows:
        held_on = row.enrichment.get("held_on")
        share = (row.seats_won / row.seats_total) if row.seats_total else None
        records.append(
            {
                "year": row.year,
                "election": row.election,
                "election_type": election_type(row.election),
                "result_text": row.result_text,
                "stance": row.stance,
                "seats_won": row.seats_won,
                "seats_total": row.seats_total,
                "seat_share": share,
                "held_on": held_on.value if held_on else None,
                "held_on_precision": held_on.precision if held_on else None,
                "candidate": row.enrichment.get("candidate"),
                "candidate_outcome": row.enrichment.get("candidate_outcome"),
                "votes": row.enrichment.get("votes"),
                "note": " ".join(row.notes) or None,
                "row_remark": join_remarks(row.remarks),
                "enrichment_lines": sorted(set(row.enrichment_lines)),
                "enrichment_citations": row.enrichment_citations,
                "citations": row.citations,
                "citation_rule": "row" if row.citations else "none",
                "source_line": row.line,
                "quote": "\n".join(row.quote_lines),
            }
        )
    return to_frame(ELECTORAL_HISTORY, records)
