"""Reading one table row on its own: what an editor may add to a row that no reader expects.

Tables survive flattening as one line per row (the rendered HTML's ``tr``, its ``rowspan``
cells carried; the bundled text's line, its group label on a group's first row only). The
extractors read each row alone, so nothing in one row can reach another. Inside a row, an
editor's parenthetical ("United States (Foreign Terrorist Organization list)"), a bracketed
tag that is no citation marker ("[dubious – discuss]") or a maintenance tag ("[citation
needed]", "[when?]") is set aside before the row's values are read: the row keeps it verbatim
as its remark, its values never come from it. Citation markers stay, so the row's references
are still read; values are read from the text with them stripped.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from transforms.citations import ANY_MARKER_RE, MAINTENANCE_TAG_RE

# "(…)" without nesting; a bare percentage "(0%)" is a value (a seats cell), not a remark.
PARENTHETICAL_RE = re.compile(r"\s*\((?!\s*\d+(?:\.\d+)?\s*%\s*\))[^()\n]{1,200}\)")
# Square brackets that are not a citation marker: an editor's inline tag.
BRACKET_RE = re.compile(r"\s*\[[^\[\]\n]{1,60}\]")
SPACES_RE = re.compile(r"\s{2,}")
REMARK_SEPARATOR = "; "


class SetAside(NamedTuple):
    text: str  # the row with the remarks taken out (citation markers kept)
    remarks: list[str]  # what was taken out, verbatim, in order


def set_aside_remarks(text: str) -> SetAside:
    """Take parentheticals and editors' tags out of a row's text; keep citation markers."""
    remarks: list[str] = []

    def take(match: re.Match[str]) -> str:
        remarks.append(match.group(0).strip())
        return " "

    def take_tag(match: re.Match[str]) -> str:
        tag = match.group(0).strip()
        if ANY_MARKER_RE.fullmatch(tag) and not MAINTENANCE_TAG_RE.fullmatch(tag):
            return match.group(0)  # a citation marker: the row's evidence, kept
        remarks.append(tag)
        return " "

    kept = PARENTHETICAL_RE.sub(take, text)
    kept = BRACKET_RE.sub(take_tag, kept)
    return SetAside(SPACES_RE.sub(" ", kept).strip(), remarks)


def join_remarks(remarks: list[str]) -> str | None:
    """One remark column value: the pieces in reading order, none repeated."""
    pieces = [r.strip(" ,;") for r in dict.fromkeys(remarks) if r.strip(" ,;")]
    return REMARK_SEPARATOR.join(pieces) or None
