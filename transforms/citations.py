"""Citation markers as they survive in flattened Wikipedia text.

``[12]`` points at numbered reference 12, ``[note 1]`` at explanatory note 1, ``[a]`` at a
letter footnote; ``[citation needed]`` and its kin are maintenance tags, kept so findings can
report them. Anything else in square brackets (``[Islam]``, ``[...]``) is editorial text inside
a quotation and is not a marker.
"""

from __future__ import annotations

import re
from typing import NamedTuple

REFERENCE_MARKER_RE = re.compile(r"\[(\d{1,4})\]")
NOTE_MARKER_RE = re.compile(r"\[note (\d{1,3})\]")
LETTER_MARKER_RE = re.compile(r"\[([a-z])\]")
MAINTENANCE_TAG_RE = re.compile(
    r"\[(citation needed|page needed|who\?|which\?|when\?|by whom\?|needs update|"
    r"better source needed|permanent dead link|dead link|clarification needed|"
    r"according to whom\?|verification needed|failed verification)\]"
)
# All four kinds in one pass; the named group that matched says which kind it is.
ANY_MARKER_RE = re.compile(
    rf"\[(?:(?P<reference>\d{{1,4}})|note (?P<note>\d{{1,3}})|(?P<letter>[a-z])|"
    rf"(?P<maintenance>{MAINTENANCE_TAG_RE.pattern[2:-2]}))\]"
)
TRAILING_MARKERS_RE = re.compile(rf"(?:\s*(?:{ANY_MARKER_RE.pattern}))+\s*$")


class Citation(NamedTuple):
    """One marker. A named tuple: the article has thousands, and a frozen dataclass costs
    three times as much to create."""

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
    if "[" not in text:
        return []
    found: list[Citation] = []
    for match in ANY_MARKER_RE.finditer(text):
        kind = match.lastgroup
        label = match.group(kind)
        found.append(Citation(kind, f"note {label}" if kind == "note" else label, match.start()))
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
