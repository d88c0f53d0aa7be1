"""Partial dates as the article writes them: "3 March 2004", "September 21, 2012", "May 2002",
"1981".

A month-precision date is stored as the first day of its month and a year-precision date as
1 January, always together with its precision, so no reader mistakes either for a day.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}
MONTHS["sept"] = 9
MONTH_NAME = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
)
YEAR = r"(?:1[89]\d\d|20\d\d)"
DAY_MONTH_YEAR_RE = re.compile(
    rf"\b(?P<day>[0-3]?\d)\s+(?P<month>{MONTH_NAME}),?\s+(?P<year>{YEAR})\b"
)
MONTH_DAY_YEAR_RE = re.compile(
    rf"\b(?P<month>{MONTH_NAME})\s+(?P<day>[0-3]?\d),?\s+(?P<year>{YEAR})\b"
)
MONTH_YEAR_RE = re.compile(rf"\b(?P<month>{MONTH_NAME})\s+(?P<year>{YEAR})\b")
YEAR_RE = re.compile(rf"(?<![\d,.])(?<!\d,)(?P<year>{YEAR})(?!\d)(?!,\d)")
ANY_YEAR_RE = re.compile(YEAR)
# Case-sensitive alternation of literals: scanned fast, and the month patterns run only
# when it finds a month name.
ANY_MONTH_RE = re.compile(MONTH_NAME)
ISO_DATE_RE = re.compile(rf"\b(?P<year>{YEAR})-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b")

PRECISIONS = ("day", "month", "year")


@dataclass(frozen=True, order=True)
class PartialDate:
    value: dt.date
    precision: str  # "day", "month" or "year"
    start: int = 0  # offset of the match in the searched text
    end: int = 0

    def __str__(self) -> str:
        if self.precision == "day":
            return self.value.isoformat()
        if self.precision == "month":
            return self.value.strftime("%Y-%m")
        return str(self.value.year)

    def same_event(self, other: PartialDate) -> bool:
        """True when both could name the same day: equal at the coarser of the two precisions."""
        coarser = max(PRECISIONS.index(self.precision), PRECISIONS.index(other.precision))
        if self.value.year != other.value.year:
            return False
        if coarser >= PRECISIONS.index("year"):
            return True
        if self.value.month != other.value.month:
            return False
        if coarser >= PRECISIONS.index("month"):
            return True
        return self.value.day == other.value.day


def _month_number(name: str) -> int:
    return MONTHS[name.rstrip(".").lower()]


def _day_date(match: re.Match[str]) -> dt.date | None:
    try:
        return dt.date(int(match["year"]), _month_number(match["month"]), int(match["day"]))
    except ValueError:  # "31 February": a typo in the text, not a date
        return None


def find_dates(text: str) -> list[PartialDate]:
    """Every date in ``text`` at the precision written, in order, never overlapping: day
    dates first, then ISO dates, months, years, each only where no earlier one stands."""
    if not ANY_YEAR_RE.search(text):
        return []  # every pattern below needs a year; most sentences have none
    found: list[PartialDate] = []
    taken: list[tuple[int, int]] = []
    has_month = ANY_MONTH_RE.search(text) is not None
    if has_month:
        for pattern in (DAY_MONTH_YEAR_RE, MONTH_DAY_YEAR_RE):
            for match in pattern.finditer(text):
                if _is_free(taken, match):
                    _take(found, taken, match, _day_date(match), "day")
    if "-" in text:
        for match in ISO_DATE_RE.finditer(text):
            if _is_free(taken, match):
                _take(found, taken, match, _iso_date(match), "day")
    if has_month:
        for match in MONTH_YEAR_RE.finditer(text):
            if _is_free(taken, match):
                month = _month_number(match["month"])
                _take(found, taken, match, dt.date(int(match["year"]), month, 1), "month")
    for match in YEAR_RE.finditer(text):
        if _is_free(taken, match):
            _take(found, taken, match, dt.date(int(match["year"]), 1, 1), "year")
    if len(found) > 1:
        found.sort(key=_start)
    return found


def _is_free(taken: list[tuple[int, int]], match: re.Match[str]) -> bool:
    start, end = match.span()
    for taken_start, taken_end in taken:  # noqa: SIM110 (a plain loop: hot, and no generator)
        if start < taken_end and taken_start < end:
            return False
    return True


def _take(
    found: list[PartialDate],
    taken: list[tuple[int, int]],
    match: re.Match[str],
    value: dt.date | None,
    precision: str,
) -> None:
    """Record the match's span as used; a valid date is also found (an invalid one, such
    as "31 February 2004", still keeps weaker patterns off its text)."""
    start, end = match.span()
    if value is not None:
        found.append(PartialDate(value, precision, start, end))
    taken.append((start, end))


def _iso_date(match: re.Match[str]) -> dt.date | None:
    try:
        return dt.date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        return None


def _start(date: PartialDate) -> int:
    return date.start


def parse_date(text: str) -> PartialDate | None:
    """The first date in ``text``, or None."""
    dates = find_dates(text)
    return dates[0] if dates else None


def format_date(value: object, precision: str | None = "day") -> str:
    """A stored date as a person would write it, at the precision the text gave:
    "3 March 2004" (day), "May 2010" (month), "1990" (year); "" for a missing date.

    Month- and year-precision dates are stored as the first of the month or of January;
    printing them as such would invent a day, so every display goes through here. A date
    without a precision column (e.g. a retrieval date) is a day.
    """
    if _missing(value):
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    # pandas Timestamp and datetime are dates too; .date() drops a time of day.
    day = value.date() if isinstance(value, dt.datetime) else value
    if not isinstance(day, dt.date):
        raise TypeError(f"not a date: {value!r}")
    if _missing(precision):
        precision = "day"
    if precision == "year":
        return str(day.year)
    if precision == "month":
        return f"{calendar.month_name[day.month]} {day.year}"
    if precision == "day":
        return f"{day.day} {calendar.month_name[day.month]} {day.year}"
    raise ValueError(f"unknown date precision {precision!r}; expected one of {PRECISIONS}")


def _missing(value: object) -> bool:
    """None, NaN, NaT or pandas' NA, without importing pandas: each is unequal to itself
    (NA's comparison is NA itself, which refuses to be a bool)."""
    if value is None:
        return True
    try:
        return bool(value != value)
    except TypeError:
        return True
