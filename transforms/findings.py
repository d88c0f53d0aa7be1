"""findings: data-quality findings about the source text.

Collected from the table extractors (conflicts, rows that could not be read, missing tables)
and from the citation apparatus: markers whose number has no reference (dangling),
references and notes no marker points to (unused: a sign that text was lost in flattening),
empty references, and the article's own maintenance tags ("[citation needed]").
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import replace

import pandas as pd

from transforms.document import Document
from transforms.quality import Finding, findings_frame
from transforms.references import body_citation_counts, split_lists

REFERENCE_TABLE = "references"


def citation_findings(document: Document) -> list[Finding]:
    notes, references = split_lists(document)
    reference_numbers = {item.number for item in references}
    note_labels = {f"note {item.number}" for item in notes}
    findings: list[Finding] = []
    first_cited: dict[int, int] = {}
    for number, citation in document.body_citations():
        if citation.kind == "reference":
            first_cited.setdefault(citation.number, number)
            if citation.number not in reference_numbers:
                findings.append(
                    _dangling(
                        document,
                        number,
                        f"[{citation.label}]",
                        citation.number,
                        reference_numbers,
                    )
                )
        elif citation.kind == "note" and citation.label not in note_labels:
            findings.append(
                Finding(
                    kind="dangling_citation",
                    table="notes",
                    detail=f"[{citation.label}] is cited on line {number} but there is no "
                    f"explanatory {citation.label}.",
                    source_line=number,
                    section=document.section_of(number),
                )
            )
        elif citation.kind == "maintenance":
            findings.append(
                Finding(
                    kind="maintenance_tag",
                    table=REFERENCE_TABLE,
                    detail=f"The article itself flags line {number} with [{citation.label}].",
                    source_line=number,
                    section=document.section_of(number),
                )
            )
    counts, note_counts = body_citation_counts(document)
    cited = sorted(first_cited)
    for item in references:
        if not item.text:
            findings.append(
                Finding(
                    kind="empty_reference",
                    table=REFERENCE_TABLE,
                    detail=f"Reference {item.number} has no text in the reference list.",
                    source_line=item.line,
                    ref_number=item.number,
                )
            )
        if counts.get(item.number, 0) == 0:
            findings.append(_unused(document, item.number, item.line, first_cited, cited))
    for item in notes:
        if note_counts.get(f"note {item.number}", 0) == 0:
            findings.append(
                Finding(
                    kind="unused_note",
                    table="notes",
                    detail=f"Explanatory note {item.number} is never cited in the body.",
                    source_line=item.line,
                )
            )
    return findings


def _dangling(document: Document, line: int, marker: str, number: int, known: set[int]) -> Finding:
    lower = max((n for n in known if n < number), default=None)
    higher = min((n for n in known if n > number), default=None)
    gap = ""
    if lower is not None and higher is not None:
        gap = f" (the list jumps from {lower} to {higher})"
    return Finding(
        kind="dangling_citation",
        table=REFERENCE_TABLE,
        detail=f"{marker} is cited on line {line} but the reference list has no entry "
        f"{number}{gap}.",
        source_line=line,
        section=document.section_of(line),
        ref_number=number,
    )


def _unused(
    document: Document, number: int, line: int, first_cited: dict[int, int], cited: list[int]
) -> Finding:
    """References are numbered by first use, so the neighbours' first uses say where the
    lost text stood. ``cited``: the cited numbers, sorted."""
    lower = bisect.bisect_left(cited, number)
    higher = bisect.bisect_right(cited, number)
    before = cited[lower - 1] if lower > 0 else None
    after = cited[higher] if higher < len(cited) else None
    sections = []
    for neighbour in (before, after):
        if neighbour is not None:
            section = document.section_of(first_cited[neighbour])
            if section and section not in sections:
                sections.append(section)
    if len(sections) == 1:
        where = f"; it would belong in section '{sections[0]}'"
    elif len(sections) == 2:
        where = f"; it would belong between sections '{sections[0]}' and '{sections[1]}'"
    else:
        where = ""
    related = [first_cited[n] for n in (before, after) if n is not None]
    return Finding(
        kind="unused_reference",
        table=REFERENCE_TABLE,
        detail=f"Reference {number} is never cited in the body{where} "
        f"(neighbours: {before} first cited on line {first_cited.get(before)}, "
        f"{after} on line {first_cited.get(after)}).",
        source_line=line,
        related_lines=related,
        section=sections[0] if len(sections) == 1 else None,
        ref_number=number,
    )


def extract_findings(document: Document, table_findings: Iterable[Finding] = ()) -> pd.DataFrame:
    """All findings: those the table extractors reported plus the citation checks."""
    findings = list(table_findings) + citation_findings(document)
    with_sections = [
        f
        if f.section or f.source_line is None
        else replace(f, section=document.section_of(f.source_line))
        for f in findings
    ]
    return findings_frame(with_sections)
