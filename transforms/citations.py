"""Citation markers as they survive in flattened Wikipedia text.

``[12]`` points at numbered reference 12, ``[note 1]`` at explanatory note 1, ``[a]`` at a
letter footnote; ``[citation needed]`` and its kin are maintenance tags, kept so findings can
report them. Anything else in square brackets (``[Islam]``, ``[...]``) is editorial text inside
a quotation and is not a marker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

REFERENCE_MARKER_RE = re.compile(r"\[(\d{1,4})\]")
NOTE_MARKER_RE = re.compile(r"\[note (\d{1,3})\]")
LETTER_MARKER_RE = re.compile(r"\[([a-z])\]")
MAINTENANCE_TAG_RE = re.compile(
    r"\[(citation needed|page needed|who\?|which\?|when\?|by whom\?|needs update|"
    r"better source needed|permanent dead link|dead link|clarification needed|"
    r"according to whom\?|verification needed|failed verification)\]"
)
ANY_MARKER_RE = re.compile(
    "|".join(
        p.pattern
        for p in (REFERENCE_MARKER_RE, NOTE_MARKER_RE, LETTER_MARKER_RE, MAINTENANCE_TAG_RE)
    )
)
TRAILING_MARKERS_RE = re.compile(rf"(?:\s*(?:{ANY_MARKER_RE.pattern}))+\s*$")


@dataclass(frozen=True)
class Citation:
    kind: str  # "reference", "note", "letter" or "maintenance"
    label: str  # "12", "note 1", "a", "citation needed"
    start: int  # offset in the text searched

    @property
    def number(self) -> int:
        if self.kind != "reference":
            raise ValueError(f"{self.label!r} is not a numbered reference marker")
        return int(self.label)


def find_citations(text: str) -> list[Citation]:
    """Every citation marker in ``text``, in order of appearance."""
    found: list[Citation] = []
    for match in ANY_MARKER_RE.finditer(text):
        token = match.group(0)
        if (m := REFERENCE_MARKER_RE.fullmatch(token)) is not None:
            found.append(Citation("reference", m.group(1), match.start()))
        elif (m := NOTE_MARKER_RE.fullmatch(token)) is not None:
            found.append(Citation("note", f"note {m.group(1)}", match.start()))
        elif (m := LETTER_MARKER_RE.fullmatch(token)) is not None:
            found.append(Citation("letter", m.group(1), match.start()))
        else:
            found.append(Citation("maintenance", token[1:-1], match.start()))
    return found


def reference_numbers(text: str) -> list[int]:
    """Numbered references cited in ``text``, in order, without repeats."""
    numbers: list[int] = []
    for citation in find_citations(text):
        if citation.kind == "reference" and citation.number not in numbers:
            numbers.append(citation.number)
    return numbers


def strip_citations(text: str) -> str:
    """The text with every citation marker removed (for reading values, never for quotes)."""
    return ANY_MARKER_RE.sub("", text)
