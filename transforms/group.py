"""group: the organisation itself as the article names it, for the exports (FtM, Wikidata).

The name is the article's title (the release records it; the text's first line otherwise); the
aliases are what the infobox's "Abbreviation" row states ("AbbreviationMEK, MKO, PMOI" once the
infobox is flattened), read, never assumed. Pure: text in, names out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from transforms.citations import strip_citations

# The infobox label glued to its value by flattening, or spaced: "AbbreviationMEK, MKO".
ABBREVIATION_RE = re.compile(r"^\s*Abbreviations?\s*(?::\s*)?(?P<names>\S.*)$")
ALIAS_SPLIT_RE = re.compile(r"\s*(?:,|;|/|\bor\b)\s*")
# The infobox sits before the lead: a label further down is prose, not the infobox.
INFOBOX_LINES = 80
MAX_ALIAS_CHARS = 60


@dataclass(frozen=True)
class GroupIdentity:
    name: str
    aliases: tuple[str, ...]
    alias_line: int | None  # 1-based line the aliases were read from


def group_identity(text: str, title: str | None = None) -> GroupIdentity:
    """The group's name (``title``, else the first non-blank line) and its stated aliases."""
    lines = text.splitlines()
    name = (title or "").strip() or next((line.strip() for line in lines if line.strip()), "")
    for number, line in enumerate(lines[:INFOBOX_LINES], start=1):
        match = ABBREVIATION_RE.match(line)
        if match is None:
            continue
        aliases = []
        for alias in ALIAS_SPLIT_RE.split(strip_citations(match["names"])):
            alias = alias.strip(" .")
            if alias and len(alias) <= MAX_ALIAS_CHARS and alias != name and alias not in aliases:
                aliases.append(alias)
        return GroupIdentity(name, tuple(aliases), number)
    return GroupIdentity(name, (), None)
