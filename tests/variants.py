"""Variants of the article that must not change any table: formatting noise and layout moves.

Each variant is a pure function text -> text. ``SAME_LINES`` variants keep every line where it
was, so tables must come out identical; the others move lines, so tables are compared without
their line-number columns.
"""

from __future__ import annotations

import re


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def bom(text: str) -> str:
    return "\ufeff" + text


def nbsp_to_space(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u2003", " ")


def space_to_nbsp_in_table_rows(text: str) -> str:
    """Non-breaking spaces where the designation and electoral tables have plain ones."""
    return re.sub(
        r"(?m)^(Currently|Formerly|Other)( \w+)+ ", lambda m: m.group(0)[:-1] + "\u00a0", text
    )


def trailing_blanks(text: str) -> str:
    return "\n".join(
        line + (" \t " if index % 2 else "  ") for index, line in enumerate(text.split("\n"))
    )


def dashes_to_hyphens(text: str) -> str:
    """En dashes in number ranges become hyphens ("5,000–7,000" -> "5,000-7,000")."""
    return re.sub(r"(?<=\d)–(?=\d)", "-", text)


def dashes_to_minus(text: str) -> str:
    return re.sub(r"(?<=\d)–(?=\d)", "\u2212", text)


def letter_footnotes(text: str) -> str:
    """A letter footnote after the first marker of every paragraph that has one."""
    return re.sub(r"(?m)^([^\n]*?\[\d+\])", r"\1[a]", text, count=0)


def _section_span(text: str, title: str) -> tuple[int, int]:
    start = text.index(f"\n\n{title}\n\n") + 1
    next_heading = re.compile(r"\n\n[^\n\[]{1,90}[^.\n:;,\]]\n\n")
    match = next_heading.search(text, start + len(title) + 2)
    return start, match.start() + 1 if match else len(text)


def move_section(
    text: str, title: str = "Removal of the designation", before: str = "Founding (1965–1971)"
) -> str:
    """Cut a section and paste it before another one."""
    start, end = _section_span(text, title)
    block = text[start:end]
    rest = text[:start] + text[end:]
    anchor = rest.index(f"\n\n{before}\n\n") + 2
    return rest[:anchor] + block + rest[anchor:]


def rename_sections(text: str) -> str:
    return text.replace("\n\nElectoral history\n\n", "\n\nElections\n\n").replace(
        "\n\nDesignation as a terrorist organization\n\n", "\n\nListings as a terrorist group\n\n"
    )


def extra_section(text: str) -> str:
    """An unrelated section with numbers that are no size, listing or election."""
    extra = (
        "\n\nArchitecture\n\nThe headquarters building, finished in 1994, has 3 floors and "
        "120 rooms; its garden covers 2,000 square metres.\n"
    )
    anchor = text.index("\n\nFounding (1965–1971)\n\n")
    return text[:anchor] + extra + text[anchor:]


SAME_LINES = [
    crlf,
    bom,
    nbsp_to_space,
    space_to_nbsp_in_table_rows,
    trailing_blanks,
    dashes_to_hyphens,
    dashes_to_minus,
    letter_footnotes,
]
MOVED_LINES = [move_section, rename_sections, extra_section]
