"""Resolve the names the article uses for states and international bodies to codes.

States resolve through pycountry (ISO 3166-1); the European Union and the United Nations are
not in ISO 3166-1, so they get the codes the data contract fixes (EU, UN). English short forms
("U.S.", "UK") and adjectives ("Canadian government") are general English, not facts of the
article, and are folded here so prose mentions can be matched to table rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pycountry

# International bodies: the pattern matches their names and the short forms English uses.
BODY_PATTERNS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("EU", "European Union", re.compile(r"\b(?:(?:Council of the )?European Union|EU)(?!\w)")),
    ("UN", "United Nations", re.compile(r"\b(?:United Nations|U\.N\.|UN)(?!\w)")),
)
# Abbreviations and adjectives whose stem does not spell the country name.
SHORT_FORMS = {
    "u.s.": "US",
    "u.s": "US",
    "us": "US",
    "usa": "US",
    "america": "US",
    "american": "US",
    "uk": "GB",
    "u.k.": "GB",
    "britain": "GB",
    "great britain": "GB",
    "british": "GB",
    "dutch": "NL",
    "french": "FR",
    "swiss": "CH",
} | {
    # English names a government by its capital or its foreign or interior ministry
    # ("Washington designated …", "the State Department's list", "the Home Office").
    "washington": "US",
    "state department": "US",
    "department of state": "US",
    "ottawa": "CA",
    "tokyo": "JP",
    "canberra": "AU",
    "home office": "GB",
    # "Secretary of State Hillary Clinton": the title before a name is the American style
    # (British English writes "the Foreign Secretary" or "Secretary of State for …").
    "secretary of state": "US",
}
SHORT_FORM_RE = re.compile(
    r"(?<![\w.])(?:U\.S\.|U\.K\.|USA|UK|US|Britain|British|American|Washington|Ottawa|Tokyo|"
    r"Canberra|State Department|Department of State|Home Office|"
    r"Secretary of State(?=\s+[A-Z])(?!\s+for\b))(?![\w])"
)
ADJECTIVE_SUFFIXES = ("ese", "ian", "ean", "an", "i", "ish")
CAPITALISED_RUN_RE = re.compile(r"\b[A-Z][a-z]+(?:\s+(?:of\s+|the\s+)?[A-Z][a-z]+)*")

# "the United States government" names the same authority as "United States".
LEADING_THE_RE = re.compile(r"^(?:the)\s+", re.I)
GOVERNMENT_SUFFIX_RE = re.compile(r"\s+(?:government|administration)$", re.I)


@dataclass(frozen=True)
class AuthorityMention:
    code: str
    name: str
    start: int
    end: int


@lru_cache(maxsize=2048)
def authority_code(name: str) -> str | None:
    """The code for a state or body name ("United States" -> "US"), or None."""
    cleaned = LEADING_THE_RE.sub("", name.strip())
    cleaned = GOVERNMENT_SUFFIX_RE.sub("", cleaned)
    for code, _, pattern in BODY_PATTERNS:
        if pattern.fullmatch(cleaned):
            return code
    if cleaned.lower() in SHORT_FORMS:
        return SHORT_FORMS[cleaned.lower()]
    if len(cleaned) <= 3:  # "In", "Mr": ISO codes are not names; real short forms are above
        return None
    try:
        return pycountry.countries.lookup(cleaned).alpha_2
    except LookupError:
        pass
    return _code_from_adjective(cleaned)


def authority_name(code: str) -> str:
    """A display name for a code: the common English name of a state or body."""
    for body_code, body_name, _ in BODY_PATTERNS:
        if code == body_code:
            return body_name
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        raise KeyError(f"unknown authority code {code!r}")
    return getattr(country, "common_name", None) or country.name


def _code_from_adjective(word: str) -> str | None:
    """'Japanese' -> JP, 'Canadian' -> CA, 'Iraqi' -> IQ: strip the suffix, match a name."""
    if " " in word or not word[:1].isupper():
        return None
    for suffix in ADJECTIVE_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)]
            matches = [
                c
                for c in pycountry.countries
                if (getattr(c, "common_name", None) or c.name).startswith(stem)
            ]
            if len(matches) == 1:
                return matches[0].alpha_2
    return None


def find_authorities(text: str) -> list[AuthorityMention]:
    """Every state or body named in ``text``, in order, never overlapping."""
    found: list[AuthorityMention] = []

    def free(start: int, end: int) -> bool:
        return all(end <= m.start or start >= m.end for m in found)

    for code, _, pattern in BODY_PATTERNS:
        for match in pattern.finditer(text):
            if free(match.start(), match.end()):
                found.append(AuthorityMention(code, match.group(0), match.start(), match.end()))
    for match in SHORT_FORM_RE.finditer(text):
        if free(match.start(), match.end()):
            code = SHORT_FORMS[match.group(0).lower()]
            found.append(AuthorityMention(code, match.group(0), match.start(), match.end()))
    for match in CAPITALISED_RUN_RE.finditer(text):
        words = match.group(0).split()
        # Longest leading run of words that names a state ("United States Department" -> US).
        for size in range(len(words), 0, -1):
            candidate = " ".join(words[:size])
            code = authority_code(candidate)
            if code is None:
                continue
            end = match.start() + len(candidate)
            if free(match.start(), end):
                found.append(AuthorityMention(code, candidate, match.start(), end))
            break
    return sorted(found, key=lambda m: m.start)
