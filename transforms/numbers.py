"""Counts and ranges as the article writes them: "5,000–7,000", "between 3,000–5,000",
"4,000 to 9,000", "about 15,000", "2500", "5,000-strong", "eight to ten thousand".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DASHES = "\u2010\u2011\u2012\u2013\u2014\u2212-"
NUMBER = r"\d{1,3}(?:,\d{3})+|\d+"
WORD_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "hundred": 100,
}
SCALES = {"thousand": 1_000, "million": 1_000_000}
WORD_NUMBER = "|".join(sorted(WORD_NUMBERS, key=len, reverse=True))
SCALE = "|".join(SCALES)
QUALIFIER = (
    r"more\s+than|fewer\s+than|less\s+than|at\s+least|at\s+most|as\s+many\s+as|up\s+to|"
    r"nearly|almost|approximately|about|around|roughly|some|over|under|between|"
    r"an\s+estimated"
)
# One quantity: a number or a range and an optional scale word. The qualifier before it is
# looked up separately (QUALIFIER_BEFORE_RE), which keeps the scan anchored on digits and
# number words instead of trying every qualifier at every position.
# Every quantity starts with a digit or a number word's first letter: testing that first
# lets the scan skip most positions cheaply.
QUANTITY_FIRST = "[\\d" + "".join(sorted({word[0] for word in WORD_NUMBERS})) + "]"
QUANTITY_RE = re.compile(
    rf"""(?ix)
    (?={QUANTITY_FIRST})
    (?<![\w,.])
    (?P<low>{NUMBER}|(?:{WORD_NUMBER})\b)
    (?:(?:\s*[{DASHES}]\s*|\s+to\s+)(?P<high>{NUMBER}|(?:{WORD_NUMBER})\b))?
    (?:\s+(?P<scale>{SCALE})\b)?
    (?![\d,]*\d)
    """
)
QUALIFIER_BEFORE_RE = re.compile(rf"(?i)(?<![\w])(?P<qualifier>{QUALIFIER})\s+$")
QUALIFIER_LOOKBACK = 30
# "between 4,000 and 9,000": the only place where "and" joins a range.
BETWEEN_AND_RE = re.compile(
    rf"(?i)(?P<qualifier>between)\s+(?P<low>{NUMBER})\s+and\s+(?P<high>{NUMBER})"
    rf"(?:\s+(?P<scale>{SCALE}))?(?![\d,]*\d)"
)


@dataclass(frozen=True)
class Quantity:
    low: int
    high: int
    qualifier: str | None
    start: int
    end: int
    text: str


def _value(token: str) -> int:
    token = token.lower()
    if token in WORD_NUMBERS:
        return WORD_NUMBERS[token]
    return int(token.replace(",", ""))


def _quantity(match: re.Match[str], text: str) -> Quantity | None:
    if match["low"].lower() in WORD_NUMBERS and not match["high"] and not match["scale"]:
        return None  # a bare "one" or "two" is prose, not a count
    scale = SCALES[match["scale"].lower()] if match["scale"] else 1
    low = _value(match["low"]) * scale
    high = _value(match["high"]) * scale if match["high"] else low
    start, qualifier = match.start(), match.groupdict().get("qualifier")
    if qualifier is None:
        before = QUALIFIER_BEFORE_RE.search(text, max(0, start - QUALIFIER_LOOKBACK), start)
        if before is not None:
            start, qualifier = before.start(), before["qualifier"]
    qualifier = " ".join(qualifier.lower().split()) if qualifier else None
    return Quantity(low, high, qualifier, start, match.end(), text[start : match.end()])


def find_quantities(text: str) -> list[Quantity]:
    """Every count or range in ``text``, in order, never overlapping."""
    found = []
    if "between" in text.lower():  # a cheap test before the case-blind scan
        found = [q for m in BETWEEN_AND_RE.finditer(text) if (q := _quantity(m, text))]
    for match in QUANTITY_RE.finditer(text):
        if any(match.start() < q.end and q.start < match.end() for q in found):
            continue
        if (quantity := _quantity(match, text)) is not None:
            found.append(quantity)
    return sorted(found, key=lambda q: q.start)


def parse_quantity(text: str) -> Quantity | None:
    """The first count or range in ``text``, or None."""
    quantities = find_quantities(text)
    return quantities[0] if quantities else None
