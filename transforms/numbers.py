"""Counts and ranges as the article writes them: "5,000–7,000", "between 3,000–5,000",
"4,000 to 9,000", "about 15,000", "2500", "5,000-strong", "eight to ten thousand",
"two hundred", "forty-five", "upwards of 3,000", "two thousand five hundred", "between three
and five thousand", "1.5 million", "10k".

A bare number word ("two men", "six former members") is prose, not a count, unless the caller
asks for it (``bare_words=True``) and decides from the context.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DASHES = "\u2010\u2011\u2012\u2013\u2014\u2212-"
# An em dash with spaces around it sets off a clause ("in 2003 — 3,800 fighters"): no range.
RANGE_DASH = rf"(?:[{DASHES}]|\s*[{DASHES.replace(chr(0x2014), '')}]\s*)"
# A decimal counts people only with a scale word after it ("1.5 million"): tried first.
DECIMAL = r"\d+\.\d+(?=\s*(?:thousand|million|k\b))"
NUMBER = rf"{DECIMAL}|\d{{1,3}}(?:,\d{{3}})+|\d+"
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
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
}
TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
UNITS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
SCALES = {"thousand": 1_000, "million": 1_000_000, "k": 1_000}
# "forty-five" is one number, not the range forty to five: compounds are tried first.
WORD_NUMBER = rf"(?:{'|'.join(TENS)})(?:[{DASHES}]|\\s)(?:{'|'.join(UNITS)})|" + "|".join(
    sorted(WORD_NUMBERS, key=len, reverse=True)
)
SCALE = "thousand|million"
# "10k": the abbreviation stands right after the digits.
SCALE_SUFFIX = r"k\b"
# What completes a number written out after its scale word: "two thousand five hundred (and
# fifty)"; not the start of another number ("three thousand and five thousand").
SCALE_TAIL = (
    rf"\s+(?:and\s+)?(?:{WORD_NUMBER})\b(?:\s+hundred\b)?(?:\s+(?:and\s+)?(?:{WORD_NUMBER})\b)?"
    rf"(?!\s+(?:{SCALE}))"
)
QUALIFIER = (
    r"more\s+than|fewer\s+than|less\s+than|at\s+least|at\s+most|as\s+many\s+as|up\s+to|"
    r"upwards\s+of|in\s+excess\s+of|close\s+to|just\s+over|just\s+under|well\s+over|"
    r"no\s+(?:more|fewer|less)\s+than|not\s+more\s+than|nearer|"
    r"nearly|almost|approximately|about|around|roughly|some|over|under|between|perhaps|"
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
    (?:(?:{RANGE_DASH}|\s+to\s+)(?P<high>{NUMBER}|(?:{WORD_NUMBER})\b))?
    (?P<hundred>\s+hundred\b)?
    (?:\s+(?P<scale>{SCALE})\b(?P<tail>{SCALE_TAIL})?|(?P<suffix>{SCALE_SUFFIX}))?
    (?![\d,]*\d)(?!\.\d)  # "3.5" without a scale word is no count
    """
)
# The words after "two thousand" that complete it ("two thousand five hundred and fifty").
TAIL_PART_RE = re.compile(rf"(?i)(?P<number>{WORD_NUMBER})\b(?P<hundred>\s+hundred\b)?")
QUALIFIER_BEFORE_RE = re.compile(rf"(?i)(?<![\w])(?P<qualifier>{QUALIFIER})\s+$")
QUALIFIER_LOOKBACK = 30
# A bound written after the figure: "15,000 or more", "10k at most".
TRAILING_QUALIFIER = r"or\s+more|or\s+fewer|or\s+less|or\s+so|at\s+(?:the\s+)?most|at\s+least"
QUALIFIER_AFTER_RE = re.compile(rf"(?i)\s+(?P<qualifier>{TRAILING_QUALIFIER})\b")
# "between 4,000 and 9,000": the only place where "and" joins a range.
# "between three and five thousand": a scale after the second number applies to both.
BETWEEN_AND_RE = re.compile(
    rf"(?i)(?P<qualifier>between)\s+(?P<low>{NUMBER}|(?:{WORD_NUMBER})\b)\s+and\s+"
    rf"(?P<high>{NUMBER}|(?:{WORD_NUMBER})\b)(?:\s+(?P<scale>{SCALE})\b)?(?![\d,]*\d)"
)


@dataclass(frozen=True)
class Quantity:
    low: int
    high: int
    qualifier: str | None
    start: int
    end: int
    text: str
    # One number word alone ("forty", "forty-five"): no digits, range, "hundred" or scale.
    lone_word: bool = False


def _value(token: str) -> int:
    token = token.lower()
    if "." in token:
        return float(token)  # a decimal, multiplied by its scale by the caller
    if token in WORD_NUMBERS:
        return WORD_NUMBERS[token]
    if token[:1].isalpha():  # "forty-five", "forty five"
        return sum(WORD_NUMBERS[part] for part in re.split(f"[{DASHES}]|\\s+", token))
    return int(token.replace(",", ""))


def _quantity(match: re.Match[str], text: str, bare_words: bool = False) -> Quantity | None:
    groups = match.groupdict()
    lone_word = match["low"][:1].isalpha() and not (
        match["high"] or groups.get("hundred") or groups.get("scale")
    )
    if lone_word and not bare_words:
        return None  # a bare "one" or "two" is prose, not a count
    scale_word = match["scale"] or groups.get("suffix")
    if "." in match["low"] and not scale_word:
        return None  # "2.5" alone is no count of people
    scale = SCALES[scale_word.lower()] if scale_word else 1
    if groups.get("hundred"):
        scale *= 100
    low = round(_value(match["low"]) * scale)
    high = round(_value(match["high"]) * scale) if match["high"] else low
    if groups.get("tail") and scale_word and not match["high"]:
        low = high = low + _tail_value(groups["tail"])
    start, end, qualifier = match.start(), match.end(), match.groupdict().get("qualifier")
    if qualifier is None:
        before = QUALIFIER_BEFORE_RE.search(text, max(0, start - QUALIFIER_LOOKBACK), start)
        if before is not None:
            start, qualifier = before.start(), before["qualifier"]
        elif (after := QUALIFIER_AFTER_RE.match(text, end)) is not None:
            end, qualifier = after.end(), after["qualifier"]
    qualifier = " ".join(qualifier.lower().split()) if qualifier else None
    return Quantity(low, high, qualifier, start, end, text[start:end], bool(lone_word))


def _tail_value(tail: str) -> int:
    """'five hundred and fifty' -> 550: what follows a scale word in a number written out."""
    total = 0
    for part in TAIL_PART_RE.finditer(tail):
        total += _value(part["number"]) * (100 if part["hundred"] else 1)
    return total


def find_quantities(text: str, bare_words: bool = False) -> list[Quantity]:
    """Every count or range in ``text``, in order, never overlapping. ``bare_words`` also
    returns lone number words ("forty"), which only the context can tell from prose."""
    found = []
    if "between" in text.lower():  # a cheap test before the case-blind scan
        found = [q for m in BETWEEN_AND_RE.finditer(text) if (q := _quantity(m, text))]
    for match in QUANTITY_RE.finditer(text):
        if any(match.start() < q.end and q.start < match.end() for q in found):
            continue
        if (quantity := _quantity(match, text, bare_words)) is not None:
            found.append(quantity)
    return sorted(found, key=lambda q: q.start)


def parse_quantity(text: str) -> Quantity | None:
    """The first count or range in ``text``, or None."""
    quantities = find_quantities(text)
    return quantities[0] if quantities else None
